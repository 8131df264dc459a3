// Package driver is bxdb's database/sql driver, registered as "bxdb".
//
//	import (
//		"database/sql"
//		_ "github.com/bxdb/bxdb/driver"
//	)
//
//	db, err := sql.Open("bxdb", "app.bxdb?cache=64MiB&busy_timeout=5s")
//
// The SQL dialect is MySQL's, with ? placeholders (named parameters are
// refused with ErrNamedParams).
//
// # Data source names
//
// A DSN is a file path or a file: URI, optionally followed by options:
//
//	app.bxdb
//	/var/lib/app/app.bxdb?sync=off&cache=256MiB
//	file:/var/lib/app/my%3Fdb.bxdb?mode=ro
//	:memory:  or  file::memory:?cache=8MiB
//
// The options (see ParseDSN for the grammar):
//
//	cache=SIZE          engine cache; bytes, or with B, KB, KiB, MB, MiB, GB, GiB
//	sync=full|off       full (default): Commit returns once durable;
//	                    off: commits do not wait for the disk (power loss may lose recent ones)
//	busy_timeout=DUR    how long a writer waits for another (default 5s); Go duration
//	                    or plain milliseconds; 0: fail at once
//	mode=rwc|rw|ro      rwc (default): create if missing; rw: must exist;
//	                    ro: read-only, shared with other read-only processes
//	parseTime=true, charset=utf8mb4, loc=UTC
//	                    go-sql-driver/mysql's options, accepted with the values
//	                    that say what bxdb does anyway (other values are errors)
//
// An empty path, an unknown option, an option given twice and a bad value
// are errors wrapping ErrBadDSN that name the option; sql.Open returns them.
// ":memory:" is a private in-memory database (on bedrock's MemFS) per
// *sql.DB, shared by that DB's connections and gone when it closes; a file
// literally named ":memory:" needs a path such as "./:memory:".
//
// # Opening, sharing and closing
//
// Unlike most drivers, sql.Open opens the file (the driver implements
// driver.DriverContext, and OpenConnector opens it), so a missing file
// with mode=rw, a bad file, or a file another process holds is reported by
// sql.Open. A file held by another process gives an error wrapping
// ErrLocked: "database is locked by another process". Processes may share
// a file only if all open it with mode=ro.
//
// Within a process, all *sql.DB handles and connections on one file share
// one engine: the file is identified by its absolute path with symlinks
// resolved (and by inode once it exists), and the engine is reference
// counted. NB: the first opener's cache, sync and busy_timeout options win;
// later openers' are ignored. Their mode must agree on read-only versus
// read-write, or the open fails with ErrModeConflict. The engine, and the
// file, close when the last *sql.DB (Connector) and the last connection
// using it close; a second sql.Open of the same file after db.Close works.
//
// # Connections and concurrency
//
// A *sql.DB is safe for concurrent use; each pooled connection is an
// engine session used by one goroutine at a time, as database/sql
// guarantees. Readers run on snapshots and never wait. Writers are
// serialized by the engine's writer lock: an autocommit write holds it
// for one statement, a read-write transaction from BEGIN to COMMIT, and a
// writer waits for it up to busy_timeout (default 5 s) before failing with
// error 1205. The lock is released once a commit is applied, before it
// waits for the disk, so concurrent writers share fdatasyncs (group
// commit); Exec and Commit still return only once durable (sync=full).
// Use read-only transactions for long reads.
//
// The connection implements driver.ConnBeginTx, ConnPrepareContext,
// ExecerContext, QueryerContext, Pinger, SessionResetter, Validator and
// NamedValueChecker. driver.ErrBadConn is returned only by a closed
// connection, before anything ran. ExecContext without arguments runs a
// script of several ;-separated statements one by one.
//
// # Transactions
//
// Every transaction is serializable: read-write transactions hold the
// writer lock, read-only ones read one snapshot. BeginTx with ReadOnly
// starts a read-only transaction, in which writes fail (error 1792). The
// isolation levels Default, ReadUncommitted (no dirty reads happen, as
// SQL allows), ReadCommitted, RepeatableRead, Snapshot and Serializable
// are accepted, since serializable execution satisfies each of them;
// WriteCommitted and Linearizable are refused with ErrIsolationLevel.
// Savepoints are SQL statements (SAVEPOINT s, ROLLBACK TO SAVEPOINT s,
// RELEASE SAVEPOINT s) run inside the transaction. A transaction left
// open on a pooled connection (by SQL BEGIN through Exec) is rolled back
// before the connection is reused.
//
// A context passed to a statement cancels it: a cancelled statement stops
// and its effects are rolled back (the transaction, if any, stays open),
// and the context's error is returned. The connection stays usable.
//
// # ORMs
//
// GORM (gorm.io/driver/mysql, given the *sql.DB as mysql.Config{Conn: db}),
// bun (mysqldialect) and sqlx work against bxdb; the conformance package
// runs programs of each. FOREIGN KEY constraints are enforced as in
// InnoDB, errors 1451/1452 included (GORM's TranslateError maps them to
// gorm.ErrForeignKeyViolated), unless SET foreign_key_checks = 0 (see
// package sqlfront); everything else the ORMs send for
// migrations (information_schema, ALTER TABLE ADD/MODIFY/CHANGE/RENAME/DROP
// COLUMN, indexes, constraints), queries, upserts (ON DUPLICATE KEY
// UPDATE), savepoints and locking reads behaves as on MySQL 8.
//
// # Types
//
// Arguments: nil, all int and uint types (the whole uint64 range), float32,
// float64, bool (as 1/0), string, []byte (nil is NULL), json.RawMessage,
// time.Time (stored as its UTC instant; the Location is not kept), and
// anything database/sql's default converter handles (driver.Valuer,
// pointers, named types). A driver.Valuer may return a uint64, as with
// go-sql-driver/mysql.
//
// Results, as Scan receives them:
//
//	NULL                        nil
//	integers, BOOL              int64 (uint64 for BIGINT UNSIGNED)
//	FLOAT, DOUBLE               float64
//	DECIMAL                     string, exact ("12.50"); Scan converts it to float64 if asked
//	CHAR, VARCHAR, TEXT         string
//	JSON                        []byte (the JSON text, as go-sql-driver/mysql returns it)
//	BINARY, VARBINARY, BLOB     []byte
//	BIT(n)                      []byte, (n+7)/8 bytes big-endian, as go-sql-driver/mysql returns it
//	DATE, DATETIME, TIMESTAMP   time.Time in UTC
//	TIME                        string "[-]HH:MM:SS[.ffffff]"
//
// Time zones: time.Time arguments and results do not depend on the
// session's time_zone (SET time_zone = '+08:00', 'Europe/Paris', ...;
// UTC by default). An argument is its UTC instant, written as UTC's wall
// clock, and a DATE, DATETIME or TIMESTAMP result is read as UTC's wall
// clock, as go-sql-driver/mysql does with its default loc=UTC: a
// time.Time round-trips through a DATETIME or TIMESTAMP column in any
// session zone. What time_zone changes are the values SQL computes: NOW(),
// CURDATE(), CURTIME(), SYSDATE(), DEFAULT and ON UPDATE CURRENT_TIMESTAMP,
// UNIX_TIMESTAMP(x) and FROM_UNIXTIME give the session zone's wall clock,
// returned like any DATETIME (labelled UTC); UTC_TIMESTAMP() gives UTC's.
// Unlike MySQL, which stores TIMESTAMP values in UTC and converts them to
// and from the session zone, bxdb's TIMESTAMP columns hold wall-clock
// values as DATETIME columns do: written and read in one zone they look
// as in MySQL, but they do not move when the session zone changes.
//
// Column metadata: DatabaseTypeName gives MySQL type names ("BIGINT",
// "VARCHAR", "DECIMAL", "DATETIME", …). ScanType gives the type above for
// the column's non-NULL values (string for JSON, as go-sql-driver/mysql
// reports it, into which its []byte scan), also for nullable columns (use
// sql.Null[T] or a pointer where Nullable says NULL may appear). Length is
// reported for string and binary columns (for BIT(n), n in bits),
// precision and scale for DECIMAL. In SQL expressions a BIT value is an
// unsigned integer (f + 0, f = 1), and an argument stored into a BIT
// column is a number, or a string or []byte read as big-endian bytes.
// Expression columns are typed from their operands where the engine knows
// them (columns, literals, aggregates, arithmetic, CAST, CASE, IF,
// COALESCE, ...), else from the first row's value: such a column of an
// empty result, or whose first value is NULL, has DatabaseTypeName "" and
// ScanType any.
//
// # Errors
//
// SQL errors are *Error values (an alias of go-sql-driver/mysql's
// MySQLError, so code and ORMs written for MySQL recognize them) carrying a
// MySQL error number and SQLSTATE, formatted as go-sql-driver/mysql does:
// "Error 1062 (23000): Duplicate entry '1' for key 't.PRIMARY'". Use
// errors.As. Other errors are the sentinels of this package and the
// context's errors. A panic inside the engine while a statement runs (a
// bug) does not take the program down: the statement fails with error 1815
// (HY000, "Internal error: ... at function (file:line)"), its effects are
// undone as for any failed statement, and the connection stays usable.
package driver
