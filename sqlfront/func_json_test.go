package sqlfront

import (
	"fmt"
	"strings"
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

// TestJSONPretty checks JSON_PRETTY's layout against MySQL's manual:
// members and elements one to a line, two spaces a level, empty arrays
// and objects on one line.
func TestJSONPretty(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	for _, c := range []struct{ expr, want string }{
		{`JSON_PRETTY('{"a":"10","b":"15","x":"25"}')`, "{\n  \"a\": \"10\",\n  \"b\": \"15\",\n  \"x\": \"25\"\n}"},
		{`JSON_PRETTY('["a",1,{"key1": "value1"},"5", "77" , {"key2":["value3","valueX", "valueY"]},"j", "2" ]')`,
			"[\n  \"a\",\n  1,\n  {\n    \"key1\": \"value1\"\n  },\n  \"5\",\n  \"77\",\n  {\n    \"key2\": [\n      \"value3\",\n      \"valueX\",\n      \"valueY\"\n    ]\n  },\n  \"j\",\n  \"2\"\n]"},
		{`JSON_PRETTY('[]')`, "[]"},
		{`JSON_PRETTY('{}')`, "{}"},
		{`JSON_PRETTY('[[], {}]')`, "[\n  [],\n  {}\n]"},
		{`JSON_PRETTY('"é\\\\"')`, `"é\\"`},
		{`JSON_PRETTY('1.50')`, "1.5"},
		{`JSON_PRETTY(NULL)`, "NULL"},
	} {
		got := fmt.Sprint(querySQL(t, s, "SELECT "+c.expr)[0][0])
		if got != c.want {
			t.Errorf("%s =\n%s\nwant\n%s", c.expr, got, c.want)
		}
	}
	if err := stmtErr(t, s, `SELECT JSON_PRETTY('{')`); err == nil || !strings.Contains(err.Error(), "3141") {
		t.Errorf("JSON_PRETTY('{'): %v, want error 3141", err)
	}
}

// TestJSONPathParse checks the path parser: spaces, quoted keys, ranges,
// the ellipsis, and the positions of MySQL's error 3143.
func TestJSONPathParse(t *testing.T) {
	for _, c := range []struct {
		path  string
		steps int
		wild  bool
		errAt int // expected error position, 0 for none
	}{
		{"$", 0, false, 0},
		{"  $ . a [ 1 ]  ", 2, false, 0},
		{`$."a\"b".c`, 2, false, 0},
		{"$[last - 1]", 1, false, 0},
		{"$[ last-2 to last ]", 1, true, 0},
		{"$.a**.b", 3, true, 0},
		{"$**[*]", 2, true, 0},
		{"$.*", 1, true, 0},
		{"$[3 to 1]", 0, false, 2},
		{"$**", 0, false, 3},
		{"$[-1]", 0, false, 2},
		{"$.", 0, false, 2},
		{"$[", 0, false, 2},
		{"$a", 0, false, 1},
		{"c$", 0, false, 1},
		{"", 0, false, 1},
		{`$."a`, 0, false, 4},
		{"$.b[ 1 ].", 0, false, 9},
		{"$*", 0, false, 1},
	} {
		steps, wild, err := parseJSONPath(c.path)
		if c.errAt > 0 {
			want := fmt.Sprintf("around character position %d.", c.errAt)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%q: err %v, want %q", c.path, err, want)
			}
			continue
		}
		if err != nil || len(steps) != c.steps || wild != c.wild {
			t.Errorf("%q: %d steps, wild %v, err %v; want %d, %v", c.path, len(steps), wild, err, c.steps, c.wild)
		}
	}
	steps, _, _ := parseJSONPath(`$."a\"b"[last-2 to 4]`)
	if len(steps) != 2 || steps[0].key != `a"b` || !steps[1].isRange || steps[1].index != 2 || !steps[1].fromEnd || steps[1].to != 4 || steps[1].toFromEnd {
		t.Errorf("parsed %+v", steps)
	}
}

// TestJSONLocPath checks how JSON_SEARCH writes paths: identifiers bare,
// other keys quoted and escaped.
func TestJSONLocPath(t *testing.T) {
	for key, want := range map[string]string{
		"a": "$.a", "one potato": `$."one potato"`, "é1": "$.é1", "1a": `$."1a"`,
		`a"b`: `$."a\"b"`, "$x": "$.$x", "_": "$._", "": `$.""`, "a-b": `$."a-b"`,
	} {
		if got := jsonLocPath([]jsonLoc{{key: key, member: true}, {index: 3}}); got != want+"[3]" {
			t.Errorf("%q: %s, want %s[3]", key, got, want)
		}
	}
}

// TestJSONLike checks JSON_SEARCH's LIKE: by characters, case-sensitive,
// with an escape character.
func TestJSONLike(t *testing.T) {
	for _, c := range []struct {
		s, p string
		esc  rune
		want bool
	}{
		{"héllo", "h_llo", '\\', true},
		{"hello", "H%", '\\', false},
		{"abc", "%", '\\', true},
		{"", "%", '\\', true},
		{"", "_", '\\', false},
		{"a%b", `a\%b`, '\\', true},
		{"axb", `a\%b`, '\\', false},
		{"a%b", "a|%b", '|', true},
		{"aXbXc", "a%c", '\\', true},
		{"abcabd", "%ab_", '\\', true},
		{"abcab", "%ab_", '\\', false},
		{`a\`, `a\`, '\\', true},
	} {
		if got := jsonLike(c.s, c.p, c.esc); got != c.want {
			t.Errorf("%q LIKE %q ESCAPE %q = %v, want %v", c.s, c.p, c.esc, got, c.want)
		}
	}
}

// TestJSONBoolAndColumnKinds checks which arguments are inserted as JSON:
// columns of JSON type (in SELECT, through ANY_VALUE and in UPDATE), not
// text columns, and boolean expressions as true / false.
func TestJSONBoolAndColumnKinds(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE k (id INT PRIMARY KEY, j JSON, t TEXT)")
	execSQL(t, s, `INSERT INTO k VALUES (1, '{"x":[1,2]}', '{"x":[1,2]}')`)
	checkQueries(t, s, []queryCase{
		{"SELECT JSON_ARRAY(j, t) FROM k", `[[[{"x": [1, 2]}, "{\"x\":[1,2]}"]]]`},
		{"SELECT JSON_OBJECT('a', k.j IS NULL, 'b', t LIKE '{%', 'c', id IN (1, 2), 'd', id BETWEEN 5 AND 6) FROM k", `[[{"a": false, "b": true, "c": true, "d": false}]]`},
		{"SELECT JSON_ARRAY((j), ANY_VALUE(j), CAST(t AS JSON), j->'$.x', j->>'$.x') FROM k", `[[[{"x": [1, 2]}, {"x": [1, 2]}, {"x": [1, 2]}, [1, 2], "[1, 2]"]]]`},
		{"SELECT JSON_VALID(j), JSON_VALID(t), JSON_VALID(id) FROM k", `[[1 1 0]]`},
		{"SELECT JSON_SET(t, '$.y', j) FROM k", `[[{"x": [1, 2], "y": {"x": [1, 2]}}]]`},
		{"SELECT id FROM k WHERE JSON_CONTAINS(JSON_ARRAY(j), JSON_OBJECT('x', JSON_ARRAY(2)))", `[[1]]`},
	})
	execSQL(t, s, "UPDATE k SET j = JSON_SET(j, '$.t', t) WHERE id = 1")
	execSQL(t, s, "UPDATE k SET t = JSON_ARRAY(j, t) WHERE id = 1")
	checkQueries(t, s, []queryCase{
		{"SELECT j, t FROM k", `[[{"t": "{\"x\":[1,2]}", "x": [1, 2]} [{"t": "{\"x\":[1,2]}", "x": [1, 2]}, "{\"x\":[1,2]}"]]]`},
	})
}

// TestJSONOfSQLValues checks how SQL values become JSON: dates and times
// as MySQL's JSON temporal values print (six fraction digits), doubles
// with ".0" when integral, DECIMALs with their digits, in JSON_ARRAY and
// JSON_ARRAYAGG.
func TestJSONOfSQLValues(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE n (id INT PRIMARY KEY, f DOUBLE, d DECIMAL(5,2))")
	execSQL(t, s, "INSERT INTO n VALUES (1, 2, 1.5), (2, 0.25, 3)")
	checkQueries(t, s, []queryCase{
		{"SELECT JSON_ARRAY(CAST('2024-01-02' AS DATE), CAST('2024-01-02 03:04:05' AS DATETIME), CAST('10:30' AS TIME))",
			`[[["2024-01-02", "2024-01-02 03:04:05.000000", "10:30:00.000000"]]]`},
		{"SELECT JSON_OBJECT('f', 1.5e0, 'g', 2e0, 'h', -0.0e0)", `[[{"f": 1.5, "g": 2.0, "h": -0.0}]]`},
		{"SELECT JSON_ARRAYAGG(f), JSON_ARRAYAGG(d) FROM n", `[[[2.0, 0.25] [1.50, 3.00]]]`},
		{"SELECT JSON_TYPE(JSON_EXTRACT(JSON_ARRAY(2e0), '$[0]')), JSON_TYPE('18446744073709551615'), JSON_TYPE('-1')", `[[DOUBLE UNSIGNED INTEGER INTEGER]]`},
	})
}

// TestJSONEllipsisChains checks paths with several ** steps on a deep
// document: each value is reached by combinatorially many routes, which
// the walk visited one by one (minutes for 5 steps over 100 levels); it
// must visit each (value, steps left) once and find every match once.
func TestJSONEllipsisChains(t *testing.T) {
	for _, c := range []struct{ depth, steps int }{{100, 5}, {200, 8}, {30, 1}} {
		doc := strings.Repeat(`{"a":`, c.depth) + "1" + strings.Repeat("}", c.depth)
		path := "$" + strings.Repeat("**.a", c.steps)
		v, err := jsonParse(doc)
		if err != nil {
			t.Fatal(err)
		}
		steps, _, err := parseJSONPath(path)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(jsonMatch(v, steps, nil)), c.depth-c.steps+1; got != want {
			t.Errorf("%d levels, %s: %d matches, want %d", c.depth, path, got, want)
		}
	}
}
