// Package conformance holds bxdb's black-box tests. It has no API: all of it
// is tests, run with go test.
//
// # SQL logic tests
//
// The sqllogictest (SLT) runner (slt_test.go) executes files in SQLite's
// sqllogictest format against any *sql.DB and compares every result with
// the answer recorded in the file. The corpus lives outside the repository
// in shared/slt (or $BXDB_SLT_DIR); its MANIFEST lists the files, with
// their sizes, and every record of every listed file must pass.
//
//   - TestSLTRunnerOnSQLite runs the whole corpus against SQLite, which
//     produced the answers, to prove the runner (about 7 s on 2 cores).
//   - TestSLTCorpus runs it against bxdb, answering skipif/onlyif as
//     "mysql", each file in a fresh database under t.TempDir().
//
// Each file runs as a parallel subtest against a database of its own. A
// file reports its first 20 failures in full and counts the rest. Under CI
// (CI set in the environment) a missing corpus fails the tests; elsewhere
// it skips them.
//
// A file is a sequence of records separated by blank lines (white space
// only counts as blank). Lines starting with '#' are comments and vanish
// wherever they stand. Lines end in "\n" or "\r\n":
//
//	hash-threshold 8                      ← results of more than 8 values are hashed
//
//	statement ok                          ← or "statement error"
//	INSERT INTO t1 VALUES(1,'x')          ← one statement, any number of lines
//
//	skipif postgresql                     ← optional conditions: skipif/onlyif ENGINE
//	query IT rowsort label-7              ← types, sort mode, label (both optional)
//	SELECT a, b FROM t1                   ← the query, any number of lines
//	----                                  ← the expected values follow, one a line,
//	1                                        row-major, after sorting
//	x
//
//	query I nosort
//	SELECT a FROM t2
//	----
//	30 values hashing to 4ed5f4e2…        ← MD5 of each value + "\n", when hashed
//
//	halt                                  ← stop the file here
//
// Types are one letter a column: I integer ("%d", 32 bits, reals truncated
// toward zero), R real ("%.3f"), T text (non-printable bytes become '@').
// NULL renders as NULL and the empty string as (empty). Sort modes: nosort
// (the default), rowsort (rows ordered bytewise, column after column) and
// valuesort (every value on its own). Queries that share a label must give
// results with equal hashes. skipif ENGINE skips a record on that engine;
// onlyif ENGINE runs it only there.
//
// # Soaks
//
// The process-kill, corruption, robustness and synchronization tests run
// a few rounds by default; BXDB_SOAK=1 runs hundreds (about 10 minutes on
// 2 cores, so give go test a longer timeout):
//
//	BXDB_SOAK=1 go test -count=1 -timeout 40m -run 'Corrupt|Kill|Robust|Sync' ./conformance/
package conformance
