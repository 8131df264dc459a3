// Package sqlfront is bxdb's SQL engine: it parses a MySQL-flavoured
// dialect (github.com/xwb1989/sqlparser for DML, a parser of its own on
// sqlparser's tokenizer for DDL, transactions, SHOW and the rest), keeps the
// catalog, and plans and runs statements as point operations and range
// scans on bxtrees inside bedrock transactions.
//
// Statements run through Sessions on one Engine per file. A table is a
// bxtree keyed by the order-preserving encoding of its primary key (or a
// hidden row id); each secondary index is a bxtree keyed by the index
// columns followed by the table key, with the table key as value. UNIQUE is
// enforced by probing the index-column prefix, and NULLs never conflict.
// Rows are stored with a versioned row encoding under stable field
// numbers, so ADD and DROP COLUMN never rewrite rows. The catalog is
// versioned descriptors in the tree "sql.catalog"; auto-increment counters
// live in "sql.autoinc" and commit with the rows, so an id is never handed
// out twice, also across crashes.
//
// Concurrency: readers use snapshots of the newest durable state and
// never block. Writers serialize on one engine-wide lock, held from BEGIN
// (or for one autocommit statement) until the commit is applied, waited
// for up to Options.BusyTimeout (then error 1205), so transactions are
// serializable, updates are never lost and writers never deadlock. The
// lock is released before the commit's wait for durability: the next
// writer builds on the applied (not yet durable) state while this one
// waits, and one fdatasync makes a whole group durable; no statement
// returns before everything it wrote or read is durable (groupcommit.go).
// A failing statement leaves no trace: inside a transaction DML runs on
// the transaction through tree handles shared by its statements and
// replays an undo log when it fails (txtrees.go); DDL and savepoints use
// nested bedrock transactions.
//
// Speed: prepared statements keep what they derive from the schema
// (compiled INSERT tuples and UPDATE assignments, point-lookup plans) for
// the catalog version it belongs to (stmtcache.go); statements that name
// one row by its whole primary key or by all the columns of a UNIQUE
// index skip the planner (plan_point.go), and a session reuses the read
// snapshot of its point SELECTs while no commit has become durable
// (readcache.go). A SELECT's scans decode only the columns it names
// (colMask), and scans test the leading comparisons of a column with a
// constant or placeholder on the stored row, decoding only the rows that
// pass (exec_rawfilter.go); top-N sorts copy only the rows they keep,
// sources under aggregations and top-N sorts (joins included) reuse one
// row, and LIMIT ...
// OFFSET over a key-ordered scan without a filter seeks by record counts
// (keySource.seekSkip). Inner joins of base tables (up to 61, MySQL's
// limit) run in the cheapest order found when the estimate says so
// clearly (plan_joinorder.go); other joins run in FROM order. Correlated
// subqueries are planned for each outer row with its values as constants
// (so they use keys) and their rows are remembered by those values for
// the statement (plan_subquery.go).
//
// Synchronization (SYNC TABLE; the protocol and the network are
// engine/osynch's and the driver's): every write of a table row stores a
// row version from an engine-wide hybrid logical clock (version.go:
// max(wall clock in µs, last + 1)), raised past every version received
// from a peer; each synchronization persists the clock ("clock" in the
// catalog), so versions a peer has seen stay below every later local
// version even if the wall clock goes back across a restart (versions
// written after the last synchronization are not covered: a clock set
// back may then give a later write a lower version). Index, catalog and
// counter records keep version 0. A table becomes synchronized at its
// first synchronization (tableDesc.Synchronized, persisted, never
// cleared) and gets a tombstone tree "sql.t.<id>.dead": every removal of
// a row (DELETE, REPLACE, a primary key UPDATE, ON DUPLICATE KEY UPDATE
// moving the key) puts a tombstone (key, fresh version, empty value),
// every write of the key removes it, and a key is never live and dead at
// once. Failed statements and savepoints restore versions and tombstones
// exactly (txtrees.go). Tables never synchronized have no tombstone tree
// and pay nothing beyond a clock read per row write. DDL keeps it
// consistent: DROP drops it, TRUNCATE keeps it and adds a tombstone for
// every row it removes (so synchronization propagates it), RENAME and in-place ALTER keep it, an
// ALTER that rebuilds the table gives the rows fresh versions and keeps
// the tombstones when the primary key encoding is unchanged. Tombstones
// are never collected. Engine.OpenSyncReplica returns one table (which
// must have a declared primary key) as an osynch.Replica over a read
// snapshot, holding no lock: Summary, Split, Items and Get see live rows
// and tombstones as one key space; Apply validates a peer's record as a
// row of the table (key and row codecs, canonical values) and stages it;
// Commit takes the writer lock and, in one write transaction, stores the
// staged records that still win with the peer's versions (NOT NULL,
// CHECK, UNIQUE enforced, indexes and the AUTO_INCREMENT counter
// maintained), committing durably like COMMIT. Subject identifies the
// table's name, columns and storage layout; the
// invariants are in syncreplica.go, the formats in engine.go. SYNC TABLE
// t WITH 'bxdb://host:port' (syncexec.go) runs osynch's initiating side
// on such a replica over TCP; Engine.ServeSync and RespondSync run the
// responding side for `bxdb serve` and driver.Connector.Serve.
//
// Dialect notes for ORMs (GORM's mysql dialector, bun's mysqldialect,
// sqlx): FOREIGN KEY constraints (CREATE TABLE, ALTER TABLE ADD/DROP
// FOREIGN KEY) are enforced as InnoDB does (fk.go) while the session
// variable foreign_key_checks is 1 (the default; like other session
// variables it stays as SET for the connection, Session.Reset included):
// a child row needs its parent (error 1452); deleting or re-keying a
// referenced parent row is refused (RESTRICT / NO ACTION, 1451) or
// cascades (CASCADE, SET NULL; at most 15 levels, 3008) within the same
// statement, tombstones of synchronized tables included. The child's
// columns get an index when none leads with them (named after the
// constraint); DROP TABLE (3730) and TRUNCATE (1701) of a referenced
// table are refused, ALTER TABLE ADD FOREIGN KEY checks the existing rows
// (1452), CREATE TABLE needs the referenced table (1824) and key (1822);
// renamed tables and columns carry their keys along, and a column (1828,
// 1829) or index (1553) a key needs cannot be dropped.
// With foreign_key_checks = 0 nothing is checked and nothing cascades.
// Rows SYNC TABLE applies (a replica taking its peer's rows and
// tombstones) are neither checked nor cascaded: the peer did that.
// Column-level REFERENCES clauses are ignored, as in MySQL 8.0. CHECK
// constraints are enforced. Locking
// reads (FOR UPDATE, FOR SHARE, OF, NOWAIT, SKIP LOCKED, LOCK IN SHARE
// MODE) are accepted and need no action, since a read-write transaction
// holds the writer lock (stmt.go). WITH (common table expressions,
// including VALUES ROW(...) constructors), also at the start of a
// subquery or derived table, is inlined as derived tables
// (stmt_with.go); multi-table UPDATE and DELETE change any of
// their base tables, each row once, through the single-table paths
// (dml_multi.go); single-table DELETE takes an
// alias; INSERT ... AS new ON DUPLICATE KEY UPDATE ... new.col is
// VALUES(col) (stmt_rowalias.go); RENAME TABLE renames several tables in
// one statement. JSON columns are text; JSON_EXTRACT, ->, ->>, JSON_SET
// and the other MySQL 8 JSON functions work on it (func_json.go), and
// REGEXP_LIKE/INSTR/SUBSTR/REPLACE use Go's RE2 syntax (func_regexp.go).
// JSON columns hold MySQL's normalized text (keys sorted by length then
// bytes, last duplicate key kept, ": " and ", "; coerceJSON), and results
// typed JSON (CAST AS JSON, ->, the JSON functions) reach clients as
// JSON text. Two JSON values compare, ORDER BY sorts, GROUP BY groups,
// DISTINCT (also UNION, EXCEPT, INTERSECT, COUNT(DISTINCT)) dedups, and
// MIN and MAX pick JSON values in MySQL's order of JSON values
// (json_order.go: by type, then numbers by value, strings bytewise,
// arrays and objects member by member), showing the first row's value of
// equal ones; an index on a JSON column orders its text, which serves no
// ORDER BY, MIN or MAX of it. BIT(n) columns hold integers of at most n bits (a string
// stored there is its bytes, big-endian), unsigned numbers in
// expressions; result columns read from them are typed BIT with length
// n, and the driver returns their values as (n+7)/8 big-endian bytes, as
// MySQL sends them. String columns have a collation (collation.go): the
// default utf8mb4_0900_ai_ci family folds case, *_bin compares and
// indexes bytewise, *_cs case-sensitively; values read from a column
// carry its collation class (Value.C), so comparisons, sorting, grouping
// and key ranges follow it, with MySQL's precedence (explicit COLLATE,
// then the column, then a literal).
// Function forms the pinned parser's grammar lacks (SUBSTRING(s FROM p),
// TRIM(LEADING x FROM s), POSITION(a IN b), EXTRACT(unit FROM d), CAST(x
// AS DOUBLE), CURRENT_TIMESTAMP(p), JSON_VALUE(doc, path RETURNING type
// ... ON EMPTY ... ON ERROR)) are rewritten in place into plain calls
// before parsing (stmt_forms.go). JSON_TABLE(doc, path COLUMNS (...))
// AS alias in FROM becomes a marked derived table carrying its parsed
// columns (stmt_jsontable.go) and runs as a dependent join: doc may read
// the tables before it, and the call's rows are computed for each of
// their rows (plan_jsontable.go). USING and NATURAL joins merge
// their join columns; set operations give each column one type
// (plan_columns.go). Views (view.go) are stored queries, expanded
// as derived tables when used, listed by SHOW TABLES; they are read-only.
// CREATE TEMPORARY TABLE (also IF NOT EXISTS, LIKE, AS SELECT) makes a
// table of the session only (temptable.go): its descriptor lives in the
// Session, over the permanent catalog (a per-session view hiding the
// permanent table or view of its name), its rows and indexes in trees of
// the store under table IDs no other session uses; other sessions never
// see it and may have their own of the same name. DML, joins, subqueries,
// CREATE INDEX, ALTER, RENAME and TRUNCATE work on it; SHOW TABLES and
// information_schema do not list it, SHOW CREATE TABLE says CREATE
// TEMPORARY TABLE. DROP TABLE drops the session's temporary table of a
// name before the permanent one, DROP TEMPORARY TABLE only temporary ones
// (1051 otherwise). Session.Close drops them; what a crash or an engine
// closed with sessions open leaves is unreachable and dropped at the next
// open. Differences from MySQL: like all DDL here, CREATE and DROP
// TEMPORARY TABLE are transactional (ROLLBACK undoes them; under
// autocommit=0 they first commit the implicit transaction); writes to
// temporary tables take the writer lock and are refused in READ ONLY
// transactions and read-only stores; temporary tables take no foreign
// keys (1215), triggers (1361) or views (1352), as in MySQL.
// WITH RECURSIVE runs recursive CTEs to a fixpoint (plan_recursive.go);
// EXCEPT and INTERSECT fold with UNION, INTERSECT first, in any query
// in parentheses too (stmt_compound.go).
// TABLE t and VALUES ROW(...), ... (columns column_0, column_1, ...)
// stand wherever a query may, rewritten into SELECT * FROM t and a UNION
// ALL of one-row SELECTs before parsing (stmt_tablevalues.go); INSERT ...
// VALUES ROW(...) is INSERT ... VALUES (...).
// Window functions (ROW_NUMBER, RANK, LAG, SUM ... OVER (PARTITION BY ...
// ORDER BY ...) [ROWS | RANGE ...]) run after grouping (stmt_window.go,
// plan_window.go). User variables are assigned with SET @v = x, SET @v
// := x, @v := x inside any expression (evaluated row by row, left to
// right) and SELECT ... INTO @a, @b (uservars.go). SELECT's modifiers
// (SQL_CALC_FOUND_ROWS with FOUND_ROWS(), DISTINCTROW, HIGH_PRIORITY,
// SQL_*_RESULT, SQL_CACHE, STRAIGHT_JOIN) and INSERT's (LOW_PRIORITY,
// HIGH_PRIORITY, DELAYED, an empty column list) are accepted
// (stmt_modifiers.go). PREPARE, EXECUTE ... USING @v and DEALLOCATE
// PREPARE keep prepared statements per session (stmt_prepare.go).
// GET_LOCK and the other named-lock functions lock per engine, owned by
// the session (func_session.go). DO evaluates and
// discards; LOCK TABLES and UNLOCK TABLES check the tables and commit
// implicitly as MySQL does, but lock nothing: the writer lock already
// serializes writers, and tables not named stay accessible (stmt_misc.go).
// Triggers (trigger.go, trigger_parse.go, trigger_exec.go) are MySQL 8's
// row triggers: CREATE TRIGGER ... {BEFORE | AFTER} {INSERT | UPDATE |
// DELETE} ON t FOR EACH ROW [{FOLLOWS | PRECEDES} other] body, and the
// SQLite spelling of the sqllogictest corpus (timing defaulting to BEFORE,
// UPDATE OF col, ..., WHEN expr, BEGIN stmt; ... END). They are catalog
// records keeping the body's text, parsed again at first use;
// DROP TABLE drops a table's triggers, RENAME keeps them; SHOW TRIGGERS,
// SHOW CREATE TRIGGER and information_schema.TRIGGERS list them. Every
// row an INSERT, REPLACE, ON DUPLICATE KEY UPDATE, UPDATE or DELETE
// touches fires them in ACTION_ORDER, BEFORE triggers before the row is
// checked and written (SET NEW.col changes it), AFTER triggers after; the
// body's statements (SET, INSERT/UPDATE/DELETE/REPLACE on other tables,
// SELECT ... INTO @v, IF, SIGNAL, BEGIN ... END, DO) run in the
// statement's transaction, so an error in a trigger fails the statement,
// which leaves no trace. Foreign key cascades, TRUNCATE and the rows SYNC
// TABLE applies fire none. Differences from MySQL: a bare SELECT in a body
// runs and its rows are discarded (SQLite's rule; MySQL refuses it with
// 1415); SQLite's TEMP is accepted and the trigger is persistent; DEFINER
// is ignored; DECLARE, CASE, loops and handlers are not supported; error
// 1442 covers the tables the invoking statements change, not those they
// only read; a BEFORE trigger's SET NEW.col converts strictly whatever the
// statement's IGNORE. (Details: trigger_exec.go.)
//
// Window functions take ROWS and RANGE frames with any bounds (a RANGE
// offset is a number, or INTERVAL n unit over a temporal ORDER BY value)
// and named windows (WINDOW w AS (...), OVER w, OVER (w ORDER BY ...)).
// FULLTEXT indexes are catalog entries without a tree: MATCH ... AGAINST
// (natural language and boolean mode) reads the table and ranks rows as
// InnoDB does (fulltext.go). Not supported: WITH QUERY EXPANSION,
// full-text parser plugins, SPATIAL indexes, CREATE DATABASE.
//
// Planning turns WHERE clauses into key ranges costed with O(log n)
// subtree counts; the executor is a pull-based iterator pipeline with
// spilling sorts, hash aggregation and context checks every 256 rows.
//
// The on-disk formats (key encoding, row encoding, catalog) are drawn with
// byte diagrams at the top of keyenc.go, rowenc.go and engine.go; each
// carries a version number.
package sqlfront
