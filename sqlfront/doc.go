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
// one row by its whole primary key skip the planner (plan_point.go), and
// a session reuses the read snapshot of its point SELECTs while no commit
// has become durable (readcache.go).
//
// Dialect notes for ORMs (GORM's mysql dialector, bun's mysqldialect,
// sqlx): FOREIGN KEY clauses (in CREATE TABLE, ALTER TABLE ADD/DROP
// FOREIGN KEY) are parsed, kept in the catalog and shown by SHOW CREATE
// TABLE and information_schema, but NOT enforced: no referential check,
// no ON DELETE/UPDATE action. CHECK constraints are enforced. Locking
// reads (FOR UPDATE, FOR SHARE, OF, NOWAIT, SKIP LOCKED, LOCK IN SHARE
// MODE) are accepted and need no action, since a read-write transaction
// holds the writer lock (stmt.go). WITH (common table expressions,
// including VALUES ROW(...) constructors) is inlined as derived tables
// (stmt_with.go); multi-table UPDATE and DELETE change one
// table, reading the others (dml_multi.go); single-table DELETE takes an
// alias; INSERT ... AS new ON DUPLICATE KEY UPDATE ... new.col is
// VALUES(col) (stmt_rowalias.go); RENAME TABLE renames several tables in
// one statement. JSON columns are text; JSON_EXTRACT, ->, ->> and friends
// work on it (func_json.go). Views (view.go) are stored queries, expanded
// as derived tables when used, listed by SHOW TABLES; they are read-only.
// WITH RECURSIVE runs recursive CTEs to a fixpoint (plan_recursive.go);
// EXCEPT and INTERSECT fold left to right with UNION (stmt_compound.go).
// Window functions (ROW_NUMBER, RANK, LAG, SUM ... OVER (PARTITION BY ...
// ORDER BY ...) [ROWS | RANGE ...]) run after grouping (stmt_window.go,
// plan_window.go). Not supported: RANGE frames with offsets and named
// windows, FULLTEXT, triggers, LOCK TABLES, CREATE DATABASE.
//
// Planning turns WHERE clauses into key ranges costed with O(log n)
// subtree counts; the executor is a pull-based iterator pipeline with
// spilling sorts, hash aggregation and context checks every 256 rows.
//
// The on-disk formats (key encoding, row encoding, catalog) are drawn with
// byte diagrams at the top of keyenc.go, rowenc.go and engine.go; each
// carries a version number.
package sqlfront
