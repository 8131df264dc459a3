package sqlfront

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// setOpNestedEngine returns a session over t (a: 1, 2, 2, 3, NULL, NULL)
// and u (b: 2, 3, 3, 4, NULL): duplicates and NULLs on both sides.
func setOpNestedEngine(t *testing.T) *Session {
	e := openTestEngine(t)
	s := e.NewSession()
	t.Cleanup(func() { s.Close() })
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, a INT)")
	execSQL(t, s, "CREATE TABLE u (id INT PRIMARY KEY AUTO_INCREMENT, b INT)")
	execSQL(t, s, "INSERT INTO t (a) VALUES (1), (2), (2), (3), (NULL), (NULL)")
	execSQL(t, s, "INSERT INTO u (b) VALUES (2), (3), (3), (4), (NULL)")
	return s
}

// TestSetOpsInSubqueries: EXCEPT and INTERSECT, DISTINCT and ALL, mixed
// with UNION (INTERSECT first), in every place a query in parentheses
// stands: IN, NOT IN, EXISTS, scalar and row subqueries, derived tables,
// CTE bodies, operands of set operations, subqueries nested in operands;
// correlated or not.
func TestSetOpsInSubqueries(t *testing.T) {
	s := setOpNestedEngine(t)
	checkQueries(t, s, []queryCase{
		// IN / NOT IN.
		{"SELECT a FROM t WHERE a IN (SELECT a FROM t EXCEPT SELECT b FROM u) ORDER BY a", "[[1]]"},
		{"SELECT a FROM t WHERE a IN (SELECT a FROM t INTERSECT SELECT b FROM u) ORDER BY a", "[[2] [2] [3]]"},
		{"SELECT a FROM t WHERE a NOT IN (SELECT b FROM u EXCEPT SELECT a FROM t) ORDER BY a", "[[1] [2] [2] [3]]"},
		{"SELECT a FROM t WHERE a NOT IN (SELECT b FROM u EXCEPT DISTINCT SELECT 4) ORDER BY a", "[]"}, // a NULL in the list
		{"SELECT a FROM t WHERE a IN ((SELECT b FROM u) EXCEPT ALL (SELECT a FROM t)) ORDER BY a", "[[3]]"},
		{"SELECT a FROM t WHERE a IN (SELECT 1 UNION SELECT 2 INTERSECT SELECT 3) ORDER BY a", "[[1]]"},
		{"SELECT a FROM t WHERE (a, a) IN (SELECT b, b FROM u INTERSECT SELECT 2, 2) ORDER BY a", "[[2] [2]]"},
		// EXISTS, correlated.
		{"SELECT a FROM t WHERE EXISTS (SELECT b FROM u WHERE b = t.a INTERSECT SELECT a FROM t) ORDER BY a", "[[2] [2] [3]]"},
		{"SELECT a FROM t WHERE NOT EXISTS (SELECT b FROM u WHERE b = t.a EXCEPT SELECT 3) ORDER BY a", "[[NULL] [NULL] [1] [3]]"},
		{"SELECT a FROM t WHERE a IN (SELECT b FROM u WHERE b = a INTERSECT SELECT a FROM t) ORDER BY a", "[[2] [2] [3]]"},
		// Scalar subqueries.
		{"SELECT (SELECT b FROM u EXCEPT SELECT a FROM t)", "[[4]]"},
		{"SELECT (SELECT a FROM t INTERSECT SELECT b FROM u ORDER BY 1 LIMIT 1)", "[[NULL]]"},
		{"SELECT (SELECT a FROM t INTERSECT SELECT b FROM u ORDER BY 1 DESC LIMIT 1)", "[[3]]"},
		{"SELECT (SELECT 1 EXCEPT SELECT 1)", "[[NULL]]"},
		{"SELECT a, (SELECT b FROM u WHERE b = t.a EXCEPT SELECT 3) FROM t ORDER BY a", "[[NULL NULL] [NULL NULL] [1 NULL] [2 2] [2 2] [3 NULL]]"},
		{"SELECT (SELECT COUNT(*) FROM (SELECT b FROM u EXCEPT ALL SELECT a FROM t) AS d)", "[[2]]"},
		// Row subqueries.
		{"SELECT (SELECT 1, 2 EXCEPT SELECT 3, 4) = (1, 2)", "[[1]]"},
		{"SELECT (SELECT 1, 2 INTERSECT SELECT 1, 2) = (SELECT 1, 2 UNION SELECT 1, 2)", "[[1]]"},
		// Derived tables: DISTINCT and ALL forms, NULLs equal.
		{"SELECT a FROM (SELECT a FROM t EXCEPT SELECT b FROM u) AS d ORDER BY a", "[[1]]"},
		{"SELECT a FROM (SELECT a FROM t EXCEPT ALL SELECT b FROM u) AS d ORDER BY a", "[[NULL] [1] [2]]"},
		{"SELECT a FROM (SELECT a FROM t INTERSECT SELECT b FROM u) AS d ORDER BY a", "[[NULL] [2] [3]]"},
		{"SELECT b FROM (SELECT b FROM u INTERSECT ALL SELECT a FROM t) AS d ORDER BY b", "[[NULL] [2] [3]]"},
		{"SELECT a FROM (SELECT a FROM t INTERSECT ALL SELECT a FROM t) AS d ORDER BY a", "[[NULL] [NULL] [1] [2] [2] [3]]"},
		{"SELECT a FROM (SELECT a FROM t INTERSECT SELECT a FROM t) AS d ORDER BY a", "[[NULL] [1] [2] [3]]"},
		{"SELECT * FROM ((SELECT a FROM t) EXCEPT (SELECT b FROM u)) AS d", "[[1]]"},
		{"SELECT COUNT(*), COUNT(a), SUM(a) FROM (SELECT a FROM t EXCEPT ALL SELECT b FROM u) d", "[[3 2 3]]"},
		{"SELECT d.a, u.b FROM (SELECT a FROM t INTERSECT SELECT 2) d JOIN u ON u.b = d.a", "[[2 2]]"},
		// Precedence: INTERSECT before UNION and EXCEPT, which go left to
		// right; parentheses group.
		{"SELECT x FROM (SELECT 1 AS x UNION SELECT 2 INTERSECT SELECT 3) d ORDER BY x", "[[1]]"},
		{"SELECT x FROM ((SELECT 1 AS x UNION SELECT 2) INTERSECT SELECT 2) d ORDER BY x", "[[2]]"},
		{"SELECT x FROM (SELECT 5 AS x EXCEPT SELECT 5 UNION ALL SELECT 5) d", "[[5]]"},
		{"SELECT x FROM (SELECT 2 AS x UNION ALL SELECT 2 INTERSECT ALL SELECT 2) d", "[[2] [2]]"},
		{"SELECT x FROM (SELECT 3 AS x EXCEPT SELECT 3 INTERSECT SELECT 4) d", "[[3]]"},
		{"SELECT x FROM (SELECT 1 AS x UNION ALL SELECT 1 UNION ALL SELECT 2 EXCEPT ALL SELECT 1) d ORDER BY x", "[[1] [2]]"},
		{"SELECT x FROM (SELECT 1 AS x UNION ALL SELECT 1 UNION SELECT 2 EXCEPT SELECT 3) d ORDER BY x", "[[1] [2]]"},
		{"SELECT x FROM (SELECT 1 AS x EXCEPT SELECT 2 ORDER BY x DESC LIMIT 1) d", "[[1]]"},
		// Set operations nested in the operands of set operations.
		{"SELECT * FROM (SELECT a FROM t WHERE a IN (SELECT b FROM u INTERSECT SELECT 3) EXCEPT SELECT 9) d", "[[3]]"},
		{"SELECT a FROM t WHERE a IN (SELECT b FROM u WHERE b IN (SELECT a FROM t EXCEPT SELECT 3)) ORDER BY a", "[[2] [2]]"},
		{"SELECT a FROM t WHERE a IN (SELECT b FROM u WHERE b IN (SELECT a FROM t EXCEPT SELECT 3) UNION SELECT 1) ORDER BY a", "[[1] [2] [2]]"},
		{"SELECT 1 AS x FROM t WHERE a IN (SELECT 2 EXCEPT SELECT 1) INTERSECT SELECT 1", "[[1]]"},
		{"(SELECT a FROM t WHERE a IN (SELECT 1 INTERSECT SELECT 1)) EXCEPT SELECT 2", "[[1]]"},
		// WITH: set operations in CTE bodies, in subqueries of the main
		// query, in a query after a nested WITH.
		{"WITH c AS (SELECT b FROM u EXCEPT ALL SELECT a FROM t) SELECT b FROM c ORDER BY b", "[[3] [4]]"},
		{"WITH c AS (SELECT 2 AS x) SELECT a FROM t WHERE a IN (SELECT x FROM c INTERSECT SELECT b FROM u) ORDER BY a", "[[2] [2]]"},
		{"SELECT x FROM (WITH c AS (SELECT 1 AS x UNION ALL SELECT 2) SELECT x FROM c EXCEPT SELECT 2) d", "[[1]]"},
		{"SELECT x FROM (WITH c AS (SELECT 1 AS x INTERSECT SELECT 1) SELECT x FROM c) d", "[[1]]"},
		// Nothing but text: quoted words are no operators.
		{"SELECT 'except' FROM t WHERE a IN (SELECT `b` FROM u WHERE 'intersect' <> '' EXCEPT SELECT 3) ORDER BY 1", "[[except] [except]]"},
	})
	// Placeholders keep their order across the operands.
	if got := fmt.Sprint(querySQL(t, s, "SELECT a FROM t WHERE a IN (SELECT ? EXCEPT SELECT ?) OR a = ? ORDER BY a", IntValue(2), IntValue(3), IntValue(1))); got != "[[1] [2] [2]]" {
		t.Errorf("placeholders: got %s", got)
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT ? EXCEPT SELECT ?", IntValue(2), IntValue(3))); got != "[[2]]" {
		t.Errorf("placeholders: got %s", got)
	}
}

// TestSetOpsInStatements: set operations in the queries of INSERT ...
// SELECT, UPDATE, DELETE, CREATE TABLE ... AS, views, SET and DO.
func TestSetOpsInStatements(t *testing.T) {
	s := setOpNestedEngine(t)
	execSQL(t, s, "CREATE TABLE w (x INT PRIMARY KEY, n INT DEFAULT 0)")
	execSQL(t, s, "INSERT INTO w (x) SELECT a FROM t WHERE a IS NOT NULL EXCEPT SELECT b FROM u")
	execSQL(t, s, "INSERT INTO w (x) (SELECT b FROM u INTERSECT SELECT a FROM t WHERE a > 2)")
	execSQL(t, s, "INSERT INTO w (x) SELECT 3 UNION SELECT 4 EXCEPT SELECT 1 ON DUPLICATE KEY UPDATE n = n + 1")
	execSQL(t, s, "REPLACE INTO w (x, n) SELECT 1, 7 INTERSECT SELECT 1, 7")
	checkQueries(t, s, []queryCase{{"SELECT x, n FROM w ORDER BY x", "[[1 7] [3 1] [4 0]]"}})
	execSQL(t, s, "UPDATE w SET n = 10 WHERE x IN (SELECT b FROM u EXCEPT SELECT 3)")
	execSQL(t, s, "UPDATE w SET n = (SELECT 20 EXCEPT SELECT 30) WHERE x = 1")
	checkQueries(t, s, []queryCase{{"SELECT x, n FROM w ORDER BY x", "[[1 20] [3 1] [4 10]]"}})
	execSQL(t, s, "DELETE FROM w WHERE x IN (SELECT a FROM t INTERSECT SELECT 1)")
	checkQueries(t, s, []queryCase{{"SELECT x FROM w ORDER BY x", "[[3] [4]]"}})
	execSQL(t, s, "CREATE TABLE w2 AS SELECT a FROM t WHERE a IN (SELECT b FROM u EXCEPT ALL SELECT 3)")
	checkQueries(t, s, []queryCase{{"SELECT a FROM w2 ORDER BY a", "[[2] [2] [3]]"}})
	execSQL(t, s, "CREATE VIEW v AS SELECT a FROM t WHERE a IN (SELECT b FROM u INTERSECT SELECT 2) UNION ALL SELECT * FROM (SELECT 7 EXCEPT SELECT 8) d")
	checkQueries(t, s, []queryCase{{"SELECT a FROM v ORDER BY a", "[[2] [2] [7]]"}})
	execSQL(t, s, "SET @v = (SELECT b FROM u EXCEPT SELECT a FROM t), @w = (WITH c AS (SELECT 5 AS x) SELECT x FROM c)")
	execSQL(t, s, "SET @z = (WITH c AS (SELECT 5 AS x) SELECT x FROM c INTERSECT SELECT 6)")
	checkQueries(t, s, []queryCase{{"SELECT @v, @w, @z", "[[4 5 NULL]]"}})
	execSQL(t, s, "DO (SELECT 1 EXCEPT SELECT 2), (WITH c AS (SELECT 1 AS x) SELECT x FROM c)")
}

// TestSetOpsInSubqueriesErrors: operands of different numbers of columns
// are error 1222 wherever the set operation stands; a malformed one is a
// syntax error.
func TestSetOpsInSubqueriesErrors(t *testing.T) {
	s := setOpNestedEngine(t)
	execSQL(t, s, "CREATE TABLE w (x INT)")
	for _, q := range []string{
		"SELECT a FROM t WHERE a IN (SELECT a FROM t EXCEPT SELECT b, b FROM u)",
		"SELECT * FROM (SELECT 1 INTERSECT SELECT 1, 2) d",
		"SELECT (SELECT 1 UNION SELECT 2 INTERSECT ALL SELECT 1, 2)",
		"SELECT EXISTS (SELECT 1, 2 EXCEPT ALL SELECT 1)",
		"INSERT INTO w SELECT 1 EXCEPT SELECT 1, 2",
		"WITH c AS (SELECT 1 EXCEPT SELECT 1, 2) SELECT * FROM c",
	} {
		err := stmtErr(t, s, q)
		var se *SQLError
		if !errors.As(err, &se) || se.Number != 1222 || se.Msg != "The used SELECT statements have a different number of columns" {
			t.Errorf("%s: got %v, want error 1222", q, err)
		}
	}
	for _, q := range []string{
		"SELECT a FROM t WHERE a IN (SELECT 1 EXCEPT)",
		"SELECT (SELECT 1 INTERSECT INTERSECT SELECT 2)",
		"SELECT a FROM t WHERE a IN (1 EXCEPT 2)",
		"SELECT * FROM (EXCEPT SELECT 1) d",
		"SELECT (SELECT 1 EXCEPT SELECT 2 INTO @x)",
		"INSERT INTO w VALUES (1) EXCEPT SELECT 2",
		"SET @x = (SELECT 1 EXCEPT SELECT 2",
	} {
		if _, err := Parse(q); err == nil {
			t.Errorf("%s: parsed", q)
		} else if !errors.Is(err, ErrSyntax) {
			t.Errorf("%s: %v, want a syntax error", q, err)
		}
	}
}

// TestNestedRowComparisons: rows in row constructors compare pair by
// pair, as flat rows do; row subqueries compare with row subqueries, and
// stand on the left of IN (subquery).
func TestNestedRowComparisons(t *testing.T) {
	s := setOpNestedEngine(t)
	checkQueries(t, s, []queryCase{
		{"SELECT ROW(ROW(1, 2), 3) = ROW(ROW(1, 2), 3)", "[[1]]"},
		{"SELECT ((1, 2), 3) = ((1, 2), 4), ((1, 2), 3) <> ((1, 3), 3)", "[[0 1]]"},
		{"SELECT ((1, 2), 3) < ((1, 3), 0), ((1, 2), 3) >= ((1, 2), 3)", "[[1 1]]"},
		{"SELECT ((1, NULL), 3) = ((1, 2), 4), ((1, NULL), 3) = ((1, 2), 3)", "[[0 NULL]]"},
		{"SELECT ((1, NULL), 3) < ((1, 2), 4), ((1, NULL), 3) <=> ((1, NULL), 3)", "[[NULL 1]]"},
		{"SELECT (1, (2, (3, 4))) = (1, (2, (3, 4))), (1, (2, (3, 4))) > (1, (2, (3, 3)))", "[[1 1]]"},
		{"SELECT ((1, 2), 3) IN (((4, 5), 6), ((1, 2), 3))", "[[1]]"},
		{"SELECT (SELECT 1, 2) = (SELECT 1, 2), (SELECT 1, 2) = (SELECT 1, 3), (SELECT 1, NULL) = (SELECT 1, 2)", "[[1 0 NULL]]"},
		{"SELECT a FROM t WHERE ((a, 1), a) = ((2, 1), 2)", "[[2] [2]]"},
		// A row subquery IN a subquery.
		{"SELECT (SELECT 1, 2) IN (SELECT 1, 2), (SELECT 1, 2) IN (SELECT 1, 3), (SELECT 1, 2) NOT IN (SELECT b, b FROM u)", "[[1 0 NULL]]"},
		{"SELECT (SELECT 1, NULL) IN (SELECT 1, 2), (SELECT 1, 2 FROM u WHERE b = 9) IN (SELECT 1, 2)", "[[NULL NULL]]"},
		{"SELECT a FROM t WHERE (SELECT b, b FROM u WHERE b = t.a LIMIT 1) IN (SELECT a, a FROM t EXCEPT SELECT 3, 3) ORDER BY a", "[[2] [2]]"},
	})
	for _, q := range []string{
		"SELECT ((1, 2), 3) = (1, 2, 3)",
		"SELECT ((1, 2), 3) = (1, 3)",
		"SELECT ((1, 2), 3) = ((1, 2, 3), 3)",
		"SELECT ((1, 2), 3) = (SELECT 1, 2)",
		"SELECT (SELECT 1, 2) IN (SELECT 1, 2, 3)",
	} {
		err := stmtErr(t, s, q)
		var se *SQLError
		if !errors.As(err, &se) || se.Number != ErOperandColumns {
			t.Errorf("%s: got %v, want error 1241", q, err)
		}
	}
}

// TestInsertWithErrorPosition: a syntax error in INSERT ... WITH ...
// SELECT names a place in the statement as written (the statement is
// parsed with its WITH clause moved in front).
func TestInsertWithErrorPosition(t *testing.T) {
	for _, q := range []string{
		"INSERT INTO `users` (`name`,`email`) VA WITH LUES (?,?),(?,?) ON DUPLICATE KEY UPDATE `name` SELECT =VALUES(`name`)",
		"INSERT INTO t WITH c AS (SELECT 1) SELECT * FROM c WHERE",
		"INSERT INTO t WITH c AS (SELECT 1 FROM) SELECT * FROM c",
	} {
		_, err := Parse(q)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: %v, want a *ParseError", q, err)
			continue
		}
		if pe.Pos < 0 || pe.Pos > len(q) || !strings.HasPrefix(q[pe.Pos:], pe.Near) {
			t.Errorf("%s: error at %d near %q", q, pe.Pos, pe.Near)
		}
	}
}
