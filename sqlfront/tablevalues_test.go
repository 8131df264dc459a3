package sqlfront

import (
	"errors"
	"fmt"
	"testing"
)

// TestTableValuesPlaceholders checks that `?` markers in TABLE and VALUES
// statements keep their order through the rewrite into SELECTs (the
// result sets and names are in testdata/sql/table_values.txt).
func TestTableValuesPlaceholders(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (a INT PRIMARY KEY, b VARCHAR(5))")
	execSQL(t, s, "INSERT INTO t VALUES ROW(?, ?), ROW(?, 'y')", IntValue(1), StringValue("x"), IntValue(2))
	execSQL(t, s, "INSERT INTO t (a, b) VALUES ROW(?, 'q') ON DUPLICATE KEY UPDATE b = CONCAT(VALUES(b), ?)", IntValue(2), StringValue("!"))
	for _, c := range []struct {
		sql  string
		args []Value
		want string
	}{
		{"TABLE t", nil, "[[1 x] [2 q!]]"},
		{"TABLE t ORDER BY a DESC LIMIT ?", []Value{IntValue(1)}, "[[2 q!]]"},
		{"VALUES ROW(?, 'a'), ROW(2, ?) ORDER BY column_0 DESC LIMIT ?", []Value{IntValue(1), StringValue("b"), IntValue(1)}, "[[2 b]]"},
		{"SELECT ? UNION ALL VALUES ROW(?), ROW(?)", []Value{IntValue(1), IntValue(2), IntValue(3)}, "[[1] [2] [3]]"},
		{"SELECT * FROM (VALUES ROW(?, 10), ROW(20, ?)) AS v (x, y) WHERE x > ?", []Value{IntValue(1), IntValue(30), IntValue(5)}, "[[20 30]]"},
		{"SELECT b FROM t WHERE a IN (VALUES ROW(?), ROW(?)) AND b <> ?", []Value{IntValue(1), IntValue(2), StringValue("x")}, "[[q!]]"},
		{"SELECT ?, (VALUES ROW(?)), a FROM t WHERE a = ?", []Value{StringValue("s"), IntValue(7), IntValue(1)}, "[[s 7 1]]"},
	} {
		st, err := Parse(c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if n := NumPlaceholders(st); n != len(c.args) {
			t.Errorf("%s: %d placeholders, want %d", c.sql, n, len(c.args))
		}
		if got := fmt.Sprint(querySQL(t, s, c.sql, c.args...)); got != c.want {
			t.Errorf("%s:\ngot  %s\nwant %s", c.sql, got, c.want)
		}
	}
}

// TestTableValuesErrors checks the errors of TABLE and VALUES: MySQL's
// numbers, and syntax errors at the place in the statement as written.
func TestTableValuesErrors(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	for _, c := range []struct {
		sql    string
		number uint16
		pos    int // of a syntax error; -1 for none
	}{
		{"VALUES ROW(1), ROW(1, 2)", ErWrongValueCountOnRow, -1},
		{"SELECT * FROM (VALUES ROW(1, 2), ROW(3)) AS v", ErWrongValueCountOnRow, -1},
		{"SELECT * FROM (VALUES ROW(1, 2)) AS v (x)", ErViewWrongList, -1},
		{"VALUES ROW(1) UNION VALUES ROW(1, 2)", ErWrongColCountSel, -1},
		{"VALUES ROW()", 1064, len("VALUES ROW(")},
		{"VALUES ROW(1), (2)", 1064, len("VALUES ROW(1), ")},
		{"SELECT ? FROM t WHERE a IN (VALUES ROW(1) WHERE 1)", 1064, len("SELECT ? FROM t WHERE a IN (VALUES ROW(1) ")},
		{"SELECT 1 UNION VALUES ROW(1 +) ORDER BY 1", 1064, len("SELECT 1 UNION VALUES ROW(1 +")},
		{"/* c */ TABLE t GROUP BY a", 1064, len("/* c */ TABLE t ")},
		{"SELECT (TABLE t LIMIT), 'x'", 1064, len("SELECT (TABLE t LIMIT")},
	} {
		err := stmtErr(t, s, c.sql)
		var se *SQLError
		if !errors.As(err, &se) || se.Number != c.number {
			t.Errorf("%s: got %v, want error %d", c.sql, err, c.number)
			continue
		}
		var pe *ParseError
		if c.pos >= 0 && (!errors.As(err, &pe) || pe.Pos != c.pos) {
			t.Errorf("%s: got %v, want a syntax error at %d", c.sql, err, c.pos)
		}
	}
}
