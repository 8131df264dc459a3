package sqlfront

import "testing"

// TestJoinOnScope: an ON condition's names resolve among its join's own
// tables, as in MySQL, so a table joined by a comma before or after the
// join does not make them ambiguous; a name two of the join's tables have
// is error 1052 in the 'on clause'.
func TestJoinOnScope(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t1 (a INT)")
	execSQL(t, s, "CREATE TABLE t2 (col0 INT)")
	execSQL(t, s, "CREATE TABLE t3 (col0 INT)")
	execSQL(t, s, "INSERT INTO t1 VALUES (1), (5)")
	execSQL(t, s, "INSERT INTO t2 VALUES (3), (7)")
	execSQL(t, s, "INSERT INTO t3 VALUES (100), (200)")
	checkQueries(t, s, []queryCase{
		{"SELECT a, t2.col0, t3.col0 FROM t1 INNER JOIN t2 ON col0 > a, t3 WHERE t3.col0 = 100 ORDER BY 1, 2",
			"[[1 3 100] [1 7 100] [5 7 100]]"},
		{"SELECT a, t2.col0, t3.col0 FROM t3, t1 JOIN t2 ON col0 > a AND a > 1 ORDER BY 1, 2, 3",
			"[[5 7 100] [5 7 200]]"},
		{"SELECT a, t2.col0, t3.col0 FROM t3, t1 LEFT JOIN t2 ON col0 > a + 5 WHERE t3.col0 = 200 ORDER BY 1, 2",
			"[[1 7 200] [5 NULL 200]]"},
		{"SELECT a, x.col0 FROM t1 JOIN (SELECT col0 FROM t3) AS x ON col0 > a * 100, t2 WHERE t2.col0 = 3 ORDER BY 1, 2",
			"[[1 200]]"},
		// A subquery in ON resolves its own names first.
		{"SELECT a, col0 FROM t1 JOIN t2 ON col0 = (SELECT MIN(col0) FROM t3) - 97 ORDER BY 1",
			"[[1 3] [5 3]]"},
	})
	for _, q := range []string{
		"SELECT * FROM t2 JOIN t3 ON col0 > 1",
		"SELECT * FROM t1, t2 JOIN t3 ON col0 > a",
	} {
		err := stmtErr(t, s, q)
		if sqlNumber(err) != 1052 {
			t.Errorf("%s: %v, want error 1052", q, err)
		}
	}
}
