package conformance

import (
	"fmt"
	"testing"
)

// TestNestedWithAgainstSQLite runs queries with WITH at the start of a
// derived table or a subquery (scalar, IN, EXISTS, correlated, CTEs
// hiding outer ones and tables, a recursive one) in bxdb and in SQLite,
// whose CTE scoping is MySQL's, and requires the same rows.
func TestNestedWithAgainstSQLite(t *testing.T) {
	bx := ctOpen(t, ":memory:")
	lite := openSQLiteSLT(t)
	for _, q := range []string{
		"CREATE TABLE t (a INTEGER PRIMARY KEY, b INTEGER)",
		"INSERT INTO t VALUES (1, 10), (2, 20), (3, NULL), (4, 20)",
	} {
		ctExec(t, bx, q)
		ctExec(t, lite, q)
	}
	for _, q := range []string{
		"SELECT * FROM (WITH x AS (SELECT a, b FROM t WHERE a > 1) SELECT a, b FROM x) d ORDER BY a",
		"SELECT a FROM t WHERE b IN (WITH x AS (SELECT b FROM t WHERE a < 3) SELECT b FROM x) ORDER BY a",
		"SELECT a, (WITH x AS (SELECT MAX(b) AS m FROM t) SELECT m FROM x) FROM t ORDER BY a",
		"SELECT a, (WITH x AS (SELECT a, b FROM t) SELECT COUNT(*) FROM x WHERE x.b < t.b) FROM t ORDER BY a",
		"SELECT a FROM t WHERE EXISTS (WITH x AS (SELECT a FROM t WHERE b IS NULL) SELECT 1 FROM x WHERE x.a = t.a) ORDER BY a",
		"SELECT a FROM t WHERE a IN (WITH t AS (SELECT 2 AS a) SELECT a FROM t) ORDER BY a",
		"WITH x AS (SELECT 1 AS v) SELECT v, (WITH x AS (SELECT 2 AS v) SELECT v FROM x) FROM x",
		"WITH x AS (SELECT 10 AS v) SELECT * FROM (WITH y AS (SELECT v + 1 AS w FROM x) SELECT w FROM y) d",
		"SELECT SUM(n) FROM (WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r) d",
		"SELECT * FROM (WITH x AS (SELECT a FROM t) SELECT a FROM x UNION SELECT a + 100 FROM x) d ORDER BY 1",
		"SELECT d.a, e.c FROM (WITH x AS (SELECT a FROM t) SELECT a FROM x) d JOIN (WITH x AS (SELECT a, COUNT(*) AS c FROM t GROUP BY a) SELECT * FROM x) e ON e.a = d.a ORDER BY 1",
	} {
		got, want := fmt.Sprint(ctQueryAll(t, bx, q)), fmt.Sprint(ctQueryAll(t, lite, q))
		if got != want {
			t.Errorf("%s:\nbxdb   %s\nsqlite %s", q, got, want)
		}
	}
}
