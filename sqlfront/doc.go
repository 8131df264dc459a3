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
// Concurrency: readers use snapshots and never block. Writers serialize on
// one engine-wide lock, held from BEGIN (or for one autocommit statement)
// to the end, waited for up to Options.BusyTimeout (then error 1205), so
// transactions are serializable, updates are never lost and writers never
// deadlock. Statements and savepoints run in nested bedrock transactions:
// a failing statement leaves no trace.
//
// Planning turns WHERE clauses into key ranges costed with O(log n)
// subtree counts; the executor is a pull-based iterator pipeline with
// spilling sorts, hash aggregation and context checks every 256 rows.
//
// The on-disk formats (key encoding, row encoding, catalog) are drawn with
// byte diagrams at the top of keyenc.go, rowenc.go and engine.go; each
// carries a version number.
package sqlfront
