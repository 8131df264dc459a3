package sqlfront

import (
	"fmt"
	"strings"
	"testing"
)

// TestWithRecursive checks WITH RECURSIVE on counters, a tree walk, a
// cycle under UNION DISTINCT, multiple columns, use from UPDATE/DELETE and
// later CTEs, and its errors.
func TestWithRecursive(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE emp (id INT PRIMARY KEY, mgr INT, name VARCHAR(10))")
	execSQL(t, s, "INSERT INTO emp VALUES (1, NULL, 'ceo'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'c'), (5, 4, 'd'), (6, 3, 'e'), (7, NULL, 'x')")
	execSQL(t, s, "CREATE TABLE edge (a INT, b INT)")
	execSQL(t, s, "INSERT INTO edge VALUES (1, 2), (2, 3), (3, 1), (3, 4)")
	checkQueries(t, s, []queryCase{
		{"WITH RECURSIVE cnt (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM cnt WHERE n < 5) SELECT n FROM cnt", "[[1] [2] [3] [4] [5]]"},
		{"WITH RECURSIVE cnt AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM cnt WHERE n < 100) SELECT COUNT(*), SUM(n) FROM cnt", "[[100 5050]]"},
		{"WITH RECURSIVE sub AS (SELECT id, name, 0 AS lvl FROM emp WHERE id = 2 UNION ALL SELECT e.id, e.name, sub.lvl + 1 FROM emp e JOIN sub ON e.mgr = sub.id) SELECT name, lvl FROM sub ORDER BY lvl, name", "[[a 0] [c 1] [d 2]]"},
		{"WITH RECURSIVE up (id, mgr) AS (SELECT id, mgr FROM emp WHERE id = 5 UNION ALL SELECT e.id, e.mgr FROM emp e, up WHERE e.id = up.mgr) SELECT id FROM up", "[[5] [4] [2] [1]]"},
		{"WITH RECURSIVE r (n) AS (SELECT 1 UNION SELECT b FROM edge JOIN r ON edge.a = r.n) SELECT n FROM r ORDER BY n", "[[1] [2] [3] [4]]"},
		{"WITH RECURSIVE fib (n, a, b) AS (SELECT 1, 0, 1 UNION ALL SELECT n + 1, b, a + b FROM fib WHERE n < 10) SELECT a FROM fib WHERE n = 10", "[[34]]"},
		{"WITH RECURSIVE cnt (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM cnt WHERE n < 3), sq AS (SELECT n * n AS q FROM cnt) SELECT SUM(q) FROM sq", "[[14]]"},
		{"WITH RECURSIVE cnt (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM cnt WHERE n < 3) SELECT a.n, b.n FROM cnt a JOIN cnt b ON b.n = a.n + 1", "[[1 2] [2 3]]"},
		{"WITH RECURSIVE s (v) AS (SELECT 'a' UNION ALL SELECT CONCAT(v, 'b') FROM s WHERE LENGTH(v) < 4) SELECT GROUP_CONCAT(v ORDER BY v SEPARATOR ',') FROM s", "[[a,ab,abb,abbb]]"},
	})
	execSQL(t, s, "WITH RECURSIVE sub AS (SELECT id FROM emp WHERE id = 3 UNION ALL SELECT e.id FROM emp e JOIN sub ON e.mgr = sub.id) DELETE FROM emp WHERE id IN (SELECT id FROM sub)")
	if got := fmt.Sprint(querySQL(t, s, "SELECT id FROM emp ORDER BY id")); got != "[[1] [2] [4] [5] [7]]" {
		t.Errorf("after DELETE: %s", got)
	}
	for _, c := range []struct {
		sql  string
		want string
	}{
		{"WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT COUNT(*) FROM r", "3636"},
		{"WITH RECURSIVE r (n) AS (SELECT n FROM r UNION ALL SELECT 1) SELECT * FROM r", "1064"},
		{"WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n, n FROM r WHERE n < 3) SELECT * FROM r", "1222"},
	} {
		if err := stmtErr(t, s, c.sql); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want error %s", c.sql, err, c.want)
		}
	}
}
