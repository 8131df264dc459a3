package sqlfront

import (
	"fmt"
	"testing"
)

// TestJSONContains checks JSON_CONTAINS against MySQL's documented
// answers, with and without a path, and its NULL and error cases.
func TestJSONContains(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	for _, c := range []struct{ expr, want string }{
		{`JSON_CONTAINS('{"a": 1, "b": 2, "c": {"d": 4}}', '1', '$.a')`, "1"},
		{`JSON_CONTAINS('{"a": 1, "b": 2, "c": {"d": 4}}', '1', '$.b')`, "0"},
		{`JSON_CONTAINS('{"a": 1, "b": 2, "c": {"d": 4}}', '{"d": 4}', '$.a')`, "0"},
		{`JSON_CONTAINS('{"a": 1, "b": 2, "c": {"d": 4}}', '{"d": 4}', '$.c')`, "1"},
		{`JSON_CONTAINS('{"a": 1, "b": 2}', '{"a": 1}')`, "1"},
		{`JSON_CONTAINS('{"a": 1, "b": 2}', '{"a": 1, "z": 1}')`, "0"},
		{`JSON_CONTAINS('[1, 2, [3, 4]]', '[2, 1]')`, "1"},
		{`JSON_CONTAINS('[1, 2, [3, 4]]', '3')`, "1"},
		{`JSON_CONTAINS('[1, 2, [3, 4]]', '[3, 5]')`, "0"},
		{`JSON_CONTAINS('["x", "y"]', '"x"')`, "1"},
		{`JSON_CONTAINS('["x", "y"]', '"z"')`, "0"},
		{`JSON_CONTAINS('[1.5, 2]', '1.50')`, "1"},
		{`JSON_CONTAINS('1', '[1]')`, "0"},
		{`JSON_CONTAINS('{"tags": ["a", "b"]}', '"b"', '$.tags')`, "1"},
		{`JSON_CONTAINS('{"a": 1}', '1', '$.missing')`, "NULL"},
		{`JSON_CONTAINS(NULL, '1')`, "NULL"},
		{`JSON_CONTAINS('[null]', 'null')`, "1"},
		{`JSON_CONTAINS('[true]', 'false')`, "0"},
	} {
		got := fmt.Sprint(querySQL(t, s, "SELECT "+c.expr)[0][0])
		if got != c.want {
			t.Errorf("%s = %s, want %s", c.expr, got, c.want)
		}
	}
	for _, bad := range []string{`SELECT JSON_CONTAINS('[1', '1')`, `SELECT JSON_CONTAINS('[1]', 'x')`, `SELECT JSON_CONTAINS('[1]', '1', '$[*]')`} {
		if err := stmtErr(t, s, bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestRowCountFoundRows: ROW_COUNT() is the rows the previous statement
// changed (-1 after a query, 0 after DDL); FOUND_ROWS() the rows the
// previous query returned.
func TestRowCountFoundRows(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, n INT)")
	if got := fmt.Sprint(querySQL(t, s, "SELECT ROW_COUNT()")); got != "[[0]]" {
		t.Errorf("after DDL: %s", got)
	}
	execSQL(t, s, "INSERT INTO t VALUES (1, 1), (2, 2), (3, 3)")
	if got := fmt.Sprint(querySQL(t, s, "SELECT ROW_COUNT()")); got != "[[3]]" {
		t.Errorf("after INSERT: %s", got)
	}
	execSQL(t, s, "UPDATE t SET n = 9 WHERE id >= 2")
	if got := fmt.Sprint(querySQL(t, s, "SELECT ROW_COUNT()")); got != "[[2]]" {
		t.Errorf("after UPDATE: %s", got)
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT ROW_COUNT()")); got != "[[-1]]" {
		t.Errorf("after a query: %s", got)
	}
	querySQL(t, s, "SELECT * FROM t WHERE n = 9")
	if got := fmt.Sprint(querySQL(t, s, "SELECT FOUND_ROWS()")); got != "[[2]]" {
		t.Errorf("FOUND_ROWS: %s", got)
	}
}

// TestJSONAggregates checks JSON_ARRAYAGG and JSON_OBJECTAGG, per group,
// over no rows, with NULLs, duplicate keys and their errors.
func TestJSONAggregates(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, g INT, k VARCHAR(5), v INT)")
	execSQL(t, s, "INSERT INTO t VALUES (1, 1, 'a', 10), (2, 1, 'b', NULL), (3, 2, 'a', 30), (4, 2, 'a', 40), (5, 3, NULL, 1)")
	checkQueries(t, s, []queryCase{
		{"SELECT g, JSON_ARRAYAGG(v) FROM t WHERE g < 3 GROUP BY g ORDER BY g", `[[1 [10, null]] [2 [30, 40]]]`},
		{"SELECT g, JSON_OBJECTAGG(k, v) FROM t WHERE g < 3 GROUP BY g ORDER BY g", `[[1 {"a": 10, "b": null}] [2 {"a": 40}]]`},
		{"SELECT JSON_ARRAYAGG(k) FROM t WHERE id > 100", `[[NULL]]`},
		{"SELECT JSON_OBJECTAGG(k, id) FROM t WHERE g = 1", `[[{"a": 1, "b": 2}]]`},
		{"SELECT JSON_LENGTH(JSON_ARRAYAGG(id)) FROM t", `[[5]]`},
	})
	for _, bad := range []string{"SELECT JSON_OBJECTAGG(k, v) FROM t", "SELECT JSON_OBJECTAGG(k) FROM t", "SELECT JSON_ARRAYAGG(DISTINCT v) FROM t"} {
		if err := stmtErr(t, s, bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
