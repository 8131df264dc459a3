package conformance

import (
	"fmt"
	"math/rand/v2"
	"strings"
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

// TestRowSubqueryAgainstSQLite compares rows with row subqueries, on
// either side, uncorrelated and correlated, with NULLs and subqueries
// without rows, in bxdb and in SQLite, whose row value comparisons are
// MySQL's (<=> is SQLite's IS), and requires the same results. The seed
// is fixed; each query's text is in the failure message.
func TestRowSubqueryAgainstSQLite(t *testing.T) {
	bx := ctOpen(t, ":memory:")
	lite := openSQLiteSLT(t)
	rng := rand.New(rand.NewPCG(31, 32))
	val := func() string {
		if rng.IntN(5) == 0 {
			return "NULL"
		}
		return fmt.Sprint(rng.IntN(4))
	}
	for _, db := range []ctExecer{bx, lite} {
		ctExec(t, db, "CREATE TABLE r (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER)")
		ctExec(t, db, "CREATE TABLE s (k INTEGER PRIMARY KEY, c INTEGER, d INTEGER)")
	}
	var inserts []string
	for id := 1; id <= 30; id++ {
		inserts = append(inserts, fmt.Sprintf("INSERT INTO r VALUES (%d, %s, %s)", id, val(), val()))
	}
	for k := 1; k <= 5; k++ {
		inserts = append(inserts, fmt.Sprintf("INSERT INTO s VALUES (%d, %s, %s)", k, val(), val()))
	}
	for _, q := range inserts {
		ctExec(t, bx, q)
		ctExec(t, lite, q)
	}
	ops := []string{"=", "<>", "<", "<=", ">", ">=", "<=>"}
	for n := 0; n < 300; n++ {
		op := ops[rng.IntN(len(ops))]
		sub := fmt.Sprintf("(SELECT c, d FROM s WHERE k = %d)", rng.IntN(7)) // k 0 and 6: no row
		if rng.IntN(3) == 0 {
			sub = "(SELECT c, d FROM s WHERE s.k = r.a)"
		}
		cmp := "(a, b) " + op + " " + sub
		if rng.IntN(2) == 0 {
			cmp = sub + " " + op + " (a, b)"
		}
		q := fmt.Sprintf("SELECT id, %s FROM r ORDER BY id", cmp)
		got := fmt.Sprint(ctQueryAll(t, bx, q))
		want := fmt.Sprint(ctQueryAll(t, lite, strings.ReplaceAll(q, "<=>", "IS")))
		if got != want {
			t.Fatalf("%s:\nbxdb   %s\nsqlite %s", q, got, want)
		}
	}
}
