package sqlfront

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// TestParenthesizedSelectStatement: a whole statement that is a query in
// parentheses runs as the query (MySQL accepts it; the pinned parser only
// takes parenthesized queries as UNION operands), with its column names;
// a parenthesized query followed by more still parses as before.
func TestParenthesizedSelectStatement(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(5))")
	execSQL(t, s, "INSERT INTO t VALUES (1, 'a'), (2, 'b')")
	for q, want := range map[string]string{
		"(SELECT 1)":                                  "[[1]]",
		"((SELECT id, v FROM t WHERE id = ?));":       "[[2 b]]",
		"( SELECT v FROM t ORDER BY id DESC )":        "[[b] [a]]",
		"(WITH c AS (SELECT 5 AS x) SELECT x FROM c)": "[[5]]",
		"(SELECT 1) UNION (SELECT 2)":                 "[[1] [2]]",
		"SELECT (1)":                                  "[[1]]",
	} {
		var args []Value
		if q == "((SELECT id, v FROM t WHERE id = ?));" {
			args = []Value{IntValue(2)}
		}
		if got := fmt.Sprint(querySQL(t, s, q, args...)); got != want {
			t.Errorf("%s: got %s, want %s", q, got, want)
		}
	}
	st, err := s.Prepare("(SELECT v AS name FROM t WHERE id = 1)")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Query(context.Background(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cols := rows.Columns(); len(cols) != 1 || cols[0].Name != "name" {
		t.Errorf("columns %v, want one named name", cols)
	}
	rows.Close()
	for _, bad := range []string{"(SELECT 1", "(1)", "(SELECT 1) x"} {
		if err := stmtErr(t, s, bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestNestedWithPlaceholders: the ? markers keep their numbers across
// the WITH clauses of subqueries, which are parsed apart.
func TestNestedWithPlaceholders(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	const q = "SELECT ?, (WITH x AS (SELECT ? AS a) SELECT a + ? FROM x), ? FROM (WITH y AS (SELECT ? AS b) SELECT b FROM y) d WHERE b = 5"
	st, err := Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	if n := NumPlaceholders(st); n != 5 {
		t.Errorf("NumPlaceholders = %d, want 5", n)
	}
	got := fmt.Sprint(querySQL(t, s, q, IntValue(1), IntValue(2), IntValue(3), IntValue(4), IntValue(5)))
	if want := "[[1 5 4]]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestDoubleOver: a second OVER after a window's own OVER (...) is a
// syntax error (the window rewrite used to overlap its edits and panic).
func TestDoubleOver(t *testing.T) {
	for _, q := range []string{
		"SELECT ROW_NUMBER() OVER (ORDER BY 1) OVER (ORDER BY 2) FROM t",
		"SELECT a, ROW_NUMBER() OVER (PARTITION BY b ORDER BY / SUM(c) AS DECIMAL(65, 30)) OVER (ORDER BY a ROWS 2 PRECEDING) FROM t1",
	} {
		_, err := Parse(q)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: %v, want a syntax error", q, err)
		}
	}
}
