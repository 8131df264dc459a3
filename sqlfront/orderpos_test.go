package sqlfront

import (
	"strings"
	"testing"
)

// TestOrderByRepeatedColumns: a name that two select items carry is
// ambiguous in ORDER BY and HAVING only when the items differ (error
// 1052), as in MySQL: SELECT a, a or t.a, a is one column twice; and a
// position may be written in parentheses (ORDER BY (2)).
func TestOrderByRepeatedColumns(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (a INT, b INT)")
	execSQL(t, s, "INSERT INTO t VALUES (1, 20), (2, 10), (3, 30)")
	checkQueries(t, s, []queryCase{
		{"SELECT a, a FROM t ORDER BY a DESC", "[[3 3] [2 2] [1 1]]"},
		{"SELECT t.a, a FROM t ORDER BY a DESC", "[[3 3] [2 2] [1 1]]"},
		{"SELECT DISTINCT a, a FROM t ORDER BY a DESC LIMIT 2", "[[3 3] [2 2]]"},
		{"SELECT a AS x, t.a AS x FROM t ORDER BY x DESC", "[[3 3] [2 2] [1 1]]"},
		{"SELECT a + 1 AS x, a + 1 AS x FROM t ORDER BY x DESC", "[[4 4] [3 3] [2 2]]"},
		{"SELECT a, a FROM t GROUP BY a HAVING a > 1 ORDER BY a", "[[2 2] [3 3]]"},
		{"SELECT a, b FROM t ORDER BY (2)", "[[2 10] [1 20] [3 30]]"},
		{"SELECT a, b FROM t ORDER BY ((2)) DESC", "[[3 30] [1 20] [2 10]]"},
		{"SELECT b, COUNT(*) FROM t GROUP BY (1) ORDER BY (1)", "[[10 1] [20 1] [30 1]]"},
	})
	for _, c := range []struct {
		q    string
		code uint16
		msg  string
	}{
		{"SELECT a AS x, b AS x FROM t ORDER BY x", 1052, "Column 'x' in order clause is ambiguous"},
		{"SELECT a AS x, a + 0 AS x FROM t ORDER BY x", 1052, "Column 'x' in order clause is ambiguous"},
		{"SELECT a, b FROM t ORDER BY (87)", 1054, "Unknown column '87' in 'order clause'"},
		{"SELECT a, b FROM t GROUP BY (3)", 1054, "Unknown column '3' in 'group statement'"},
	} {
		err := stmtErr(t, s, c.q)
		if sqlNumber(err) != c.code || !strings.HasSuffix(err.Error(), c.msg) {
			t.Errorf("%s: %v, want %d %q", c.q, err, c.code, c.msg)
		}
	}
}
