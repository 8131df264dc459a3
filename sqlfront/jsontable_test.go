package sqlfront

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestJSONTableConstant checks JSON_TABLE over constant documents: the
// manual's examples, FOR ORDINALITY, EXISTS PATH, ON EMPTY / ON ERROR,
// NESTED PATH (one level, siblings, two levels deep) and the column
// types.
func TestJSONTableConstant(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	checkQueries(t, s, []queryCase{
		// The manual's example of every column kind.
		{`SELECT * FROM JSON_TABLE('[{"a":"3"},{"a":2},{"b":1},{"a":0},{"a":[1,2]}]', "$[*]" COLUMNS(
			rowid FOR ORDINALITY,
			ac VARCHAR(100) PATH "$.a" DEFAULT '111' ON EMPTY DEFAULT '999' ON ERROR,
			aj JSON PATH "$.a" DEFAULT '{"x": 333}' ON EMPTY,
			bx INT EXISTS PATH "$.b")) AS tt`,
			`[[1 3 "3" 0] [2 2 2 0] [3 111 {"x": 333} 1] [4 0 0 0] [5 999 [1, 2] 0]]`},
		// AS is optional; names are case-insensitive.
		{`select * from json_table('[1, 2, 3]', '$[*]' columns (n int path '$')) j`, `[[1] [2] [3]]`},
		{`SELECT j.n FROM JSON_TABLE('[1, 2, 3]', '$[*]' COLUMNS (n INT PATH '$')) J WHERE J.N > 1`, `[[2] [3]]`},
		// NULL gives no rows; so does a path that matches nothing.
		{`SELECT * FROM JSON_TABLE(NULL, '$[*]' COLUMNS (n INT PATH '$')) j`, `[]`},
		{`SELECT * FROM JSON_TABLE('[1, 2]', '$[5]' COLUMNS (n INT PATH '$')) j`, `[]`},
		{`SELECT * FROM JSON_TABLE('[]', '$[*]' COLUMNS (n INT PATH '$')) j`, `[]`},
		// A scalar document with the path $: one row.
		{`SELECT * FROM JSON_TABLE('7', '$' COLUMNS (n INT PATH '$', o FOR ORDINALITY)) j`, `[[7 1]]`},
		{`SELECT * FROM JSON_TABLE(JSON_OBJECT('a', 1, 'b', 'x'), '$' COLUMNS (a INT PATH '$.a', b VARCHAR(5) PATH '$.b', c INT PATH '$.c')) j`, `[[1 x NULL]]`},
		// JSON null is NULL (JSON null in a JSON column).
		{`SELECT * FROM JSON_TABLE('[{"a": null}]', '$[*]' COLUMNS (a INT PATH '$.a', aj JSON PATH '$.a')) j`, `[[NULL null]]`},
		// NESTED PATH: one level; a match without nested matches keeps one row.
		{`SELECT * FROM JSON_TABLE('[{"a": 1, "b": [11, 111]}, {"a": 2, "b": [22, 222]}, {"a": 3}]', '$[*]' COLUMNS (
			a INT PATH '$.a',
			NESTED PATH '$.b[*]' COLUMNS (b INT PATH '$'))) AS jt`,
			`[[1 11] [1 111] [2 22] [2 222] [3 NULL]]`},
		// Sibling NESTED paths: a union, the other's columns NULL.
		{`SELECT * FROM JSON_TABLE('[{"a": 1, "b": [11, 111]}, {"a": 2, "b": [22, 222]}, {"a": 3}]', '$[*]' COLUMNS (
			a INT PATH '$.a',
			NESTED PATH '$.b[*]' COLUMNS (b1 INT PATH '$'),
			NESTED PATH '$.b[*]' COLUMNS (b2 INT PATH '$'))) AS jt`,
			`[[1 11 NULL] [1 111 NULL] [1 NULL 11] [1 NULL 111] [2 22 NULL] [2 222 NULL] [2 NULL 22] [2 NULL 222] [3 NULL NULL]]`},
		// Siblings of which only one matches: its rows only.
		{`SELECT * FROM JSON_TABLE('{"x": [1, 2], "y": []}', '$' COLUMNS (
			NESTED PATH '$.x[*]' COLUMNS (x INT PATH '$'),
			NESTED '$.y[*]' COLUMNS (y INT PATH '$'))) AS jt`,
			`[[1 NULL] [2 NULL]]`},
		// Two levels deep, FOR ORDINALITY per level.
		{`SELECT * FROM JSON_TABLE('{"c": 9, "a": [{"b": [1, 2]}, {"b": []}, {"b": [3]}]}', '$' COLUMNS (
			c INT PATH '$.c',
			NESTED PATH '$.a[*]' COLUMNS (
				o FOR ORDINALITY,
				NESTED PATH '$.b[*]' COLUMNS (ob FOR ORDINALITY, b INT PATH '$')))) j`,
			`[[9 1 1 1] [9 1 2 2] [9 2 NULL NULL] [9 3 1 3]]`},
		{`SELECT id, name, tag FROM JSON_TABLE('[{"id": 1, "name": "a", "tags": ["x", "y"]}, {"id": 2, "name": "b", "tags": ["z"]}]', '$[*]' COLUMNS (
			id INT PATH '$.id', name VARCHAR(10) PATH '$.name',
			NESTED PATH '$.tags[*]' COLUMNS (tag VARCHAR(10) PATH '$'))) t WHERE tag <> 'y' ORDER BY tag DESC`,
			`[[2 b z] [1 a x]]`},
		// EXISTS PATH.
		{`SELECT * FROM JSON_TABLE('[{"a": 1}, {"b": 2}, {"a": null}]', '$[*]' COLUMNS (a INT EXISTS PATH '$.a', s VARCHAR(3) EXISTS PATH '$.b')) j`,
			`[[1 0] [0 1] [1 0]]`},
		// Types: INT, DECIMAL, VARCHAR, DATE, DATETIME, TIME, DOUBLE, JSON.
		{`SELECT * FROM JSON_TABLE('[{"i": "42", "d": 12.345, "s": "abcdef", "dt": "2024-02-03", "t": "10:11:12", "f": 1.5e3, "j": {"k": [1]}}]', '$[*]' COLUMNS (
			i INT PATH '$.i', d DECIMAL(5,2) PATH '$.d', s VARCHAR(10) PATH '$.s', s3 VARCHAR(3) PATH '$.s',
			dt DATE PATH '$.dt', dtm DATETIME PATH '$.dt', tm TIME PATH '$.t', f DOUBLE PATH '$.f', j JSON PATH '$.j', js JSON PATH '$.s')) x`,
			`[[42 12.35 abcdef NULL 2024-02-03 2024-02-03 00:00:00 10:11:12 1500 {"k": [1]} "abcdef"]]`},
		{`SELECT * FROM JSON_TABLE('[true, false, 18446744073709551615, -3, 2.5]', '$[*]' COLUMNS (
			i BIGINT PATH '$', u BIGINT UNSIGNED PATH '$', d DECIMAL(4,1) PATH '$')) x`,
			`[[1 1 1.0] [0 0 0.0] [NULL 18446744073709551615 NULL] [-3 NULL -3.0] [3 3 2.5]]`},
		// ON EMPTY and ON ERROR: NULL by default, DEFAULT converted to the type.
		{`SELECT * FROM JSON_TABLE('[1, 300, "x", [1], {}, "-5"]', '$[*]' COLUMNS (
			a TINYINT PATH '$' DEFAULT '-1' ON ERROR,
			b TINYINT PATH '$',
			c TINYINT PATH '$' NULL ON EMPTY NULL ON ERROR,
			d TINYINT PATH '$.k' DEFAULT '"7"' ON EMPTY ERROR ON ERROR)) j`,
			`[[1 1 1 7] [-1 NULL NULL 7] [-1 NULL NULL 7] [-1 NULL NULL 7] [-1 NULL NULL 7] [-5 -5 -5 7]]`},
		{`SELECT * FROM JSON_TABLE('[{"a": [1, 2]}]', '$[*]' COLUMNS (a INT PATH '$.a[*]', aj JSON PATH '$.a[*]', ae INT PATH '$.a[*]' DEFAULT '0' ON ERROR)) j`,
			`[[NULL [1, 2] 0]]`},
		// Aggregates, GROUP BY, ORDER BY and LIMIT over the rows.
		{`SELECT g, COUNT(*), SUM(v) FROM JSON_TABLE('[{"g": "a", "v": 1}, {"g": "b", "v": 2}, {"g": "a", "v": 3}]', '$[*]' COLUMNS (g CHAR(1) PATH '$.g', v INT PATH '$.v')) j GROUP BY g ORDER BY g`,
			`[[a 2 4] [b 1 2]]`},
		{`SELECT n FROM JSON_TABLE('[5, 3, 9, 1]', '$[*]' COLUMNS (n INT PATH '$')) j ORDER BY n DESC LIMIT 2`, `[[9] [5]]`},
		// Two calls joined, and a call in a subquery.
		{`SELECT a.n, b.m FROM JSON_TABLE('[1, 2]', '$[*]' COLUMNS (n INT PATH '$')) a JOIN JSON_TABLE('[2, 3]', '$[*]' COLUMNS (m INT PATH '$')) b ON a.n = b.m`, `[[2 2]]`},
		{`SELECT * FROM JSON_TABLE('[1, 2, 3]', '$[*]' COLUMNS (n INT PATH '$')) AS j WHERE n > (SELECT MIN(k) FROM JSON_TABLE('[1]', '$[*]' COLUMNS (k INT PATH '$')) x)`, `[[2] [3]]`},
		{`SELECT (SELECT COUNT(*) FROM JSON_TABLE('[1, 2, 3]', '$[*]' COLUMNS (n INT PATH '$')) j)`, `[[3]]`},
		{`SELECT * FROM JSON_TABLE('[1, 2]', '$[*]' COLUMNS (n INT PATH '$')) j UNION ALL SELECT * FROM JSON_TABLE('[3]', '$[*]' COLUMNS (n INT PATH '$')) j`, `[[1] [2] [3]]`},
		{`WITH c AS (SELECT j.* FROM JSON_TABLE('[1, 2, 3]', '$[*]' COLUMNS (n INT PATH '$')) j) SELECT SUM(n) FROM c`, `[[6]]`},
		// The document from an expression; quoted names.
		{`SELECT * FROM JSON_TABLE(JSON_ARRAY(1, 'a', CONCAT('b', 'c')), '$[*]' COLUMNS (` + "`select`" + ` VARCHAR(5) PATH '$')) AS ` + "`my j`", `[[1] [a] [bc]]`},
	})
}

// TestJSONTableLateral checks JSON_TABLE over documents of the tables
// before it in the FROM clause: comma joins, JOIN ... ON, LEFT JOIN,
// subqueries, views, CTEs and INSERT ... SELECT, with rows whose
// documents are empty arrays, NULL or lack keys.
func TestJSONTableLateral(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, doc JSON)")
	execSQL(t, s, `INSERT INTO t VALUES (1, '[{"x": 1}, {"x": 2}]'), (2, '[]'), (3, NULL), (4, '[{"y": 5}]'), (5, '[{"x": 7, "tags": ["p", "q"]}]')`)
	const jt = `JSON_TABLE(t.doc, '$[*]' COLUMNS (x INT PATH '$.x'))`
	checkQueries(t, s, []queryCase{
		{`SELECT t.id, j.* FROM t, ` + jt + ` AS j`, `[[1 1] [1 2] [4 NULL] [5 7]]`},
		{`SELECT t.id, j.x FROM t JOIN ` + jt + ` j ON TRUE`, `[[1 1] [1 2] [4 NULL] [5 7]]`},
		{`SELECT t.id, j.x FROM t CROSS JOIN ` + jt + ` j`, `[[1 1] [1 2] [4 NULL] [5 7]]`},
		{`SELECT t.id, j.x FROM t JOIN ` + jt + ` j ON j.x > 1`, `[[1 2] [5 7]]`},
		{`SELECT t.id, j.x FROM t LEFT JOIN ` + jt + ` j ON TRUE`, `[[1 1] [1 2] [2 NULL] [3 NULL] [4 NULL] [5 7]]`},
		{`SELECT t.id, j.x FROM t LEFT JOIN ` + jt + ` j ON j.x = t.id`, `[[1 1] [2 NULL] [3 NULL] [4 NULL] [5 NULL]]`},
		{`SELECT t.id, j.x FROM t, ` + jt + ` j WHERE j.x = 2 OR j.x IS NULL`, `[[1 2] [4 NULL]]`},
		{`SELECT t.id, j.o, j.x, j.tag FROM t, JSON_TABLE(t.doc, '$[*]' COLUMNS (o FOR ORDINALITY, x INT PATH '$.x', NESTED PATH '$.tags[*]' COLUMNS (tag CHAR(1) PATH '$'))) j`,
			`[[1 1 1 NULL] [1 2 2 NULL] [4 1 NULL NULL] [5 1 7 p] [5 1 7 q]]`},
		{`SELECT j.x, COUNT(*) FROM t, ` + jt + ` j GROUP BY j.x ORDER BY j.x DESC`, `[[7 1] [2 1] [1 1] [NULL 1]]`},
		{`SELECT t.id, SUM(j.x) FROM t LEFT JOIN ` + jt + ` j ON TRUE GROUP BY t.id ORDER BY t.id`, `[[1 3] [2 NULL] [3 NULL] [4 NULL] [5 7]]`},
		{`SELECT t.id, j.x FROM t, ` + jt + ` j ORDER BY j.x DESC, t.id LIMIT 2`, `[[5 7] [1 2]]`},
		// A document computed from the row; two tables before the call.
		{`SELECT t.id, j.x FROM t, JSON_TABLE(JSON_EXTRACT(t.doc, '$[0]'), '$' COLUMNS (x INT PATH '$.x')) j WHERE t.id < 3`, `[[1 1]]`},
		{`SELECT a.id, b.id, j.n FROM t a JOIN t b ON b.id = a.id + 1, JSON_TABLE(JSON_ARRAY(a.id, b.id), '$[*]' COLUMNS (n INT PATH '$')) j WHERE a.id = 1`, `[[1 2 1] [1 2 2]]`},
		// The call before the table it joins.
		{`SELECT j.n, t.id FROM JSON_TABLE('[1, 4]', '$[*]' COLUMNS (n INT PATH '$')) AS j JOIN t ON t.id = j.n`, `[[1 1] [4 4]]`},
		// Correlated subqueries reading the enclosing row.
		{`SELECT id, (SELECT SUM(x) FROM ` + jt + ` j) FROM t ORDER BY id`, `[[1 3] [2 NULL] [3 NULL] [4 NULL] [5 7]]`},
		{`SELECT id FROM t WHERE EXISTS (SELECT 1 FROM ` + jt + ` j WHERE j.x = 2)`, `[[1]]`},
		{`SELECT id FROM t WHERE (SELECT COUNT(*) FROM ` + jt + ` j) = 0`, `[[2] [3]]`},
		{`SELECT id FROM t WHERE id IN (SELECT n FROM JSON_TABLE('[2, 3]', '$[*]' COLUMNS (n INT PATH '$')) j)`, `[[2] [3]]`},
		// Derived tables and CTEs.
		{`SELECT * FROM (SELECT t.id, j.x FROM t, ` + jt + ` j) d WHERE d.x IS NOT NULL`, `[[1 1] [1 2] [5 7]]`},
		{`WITH c AS (SELECT t.id, j.x FROM t, ` + jt + ` j) SELECT COUNT(*), SUM(x) FROM c`, `[[4 10]]`},
	})
	// Views, INSERT ... SELECT, multi-table UPDATE and DELETE.
	execSQL(t, s, `CREATE VIEW v AS SELECT t.id, j.x FROM t, `+jt+` j`)
	execSQL(t, s, `CREATE TABLE u (id INT, x INT)`)
	execSQL(t, s, `INSERT INTO u SELECT t.id, j.x FROM t, `+jt+` j WHERE j.x IS NOT NULL`)
	checkQueries(t, s, []queryCase{
		{`SELECT * FROM v WHERE x > 1 ORDER BY id`, `[[1 2] [5 7]]`},
		{`SELECT * FROM u ORDER BY id, x`, `[[1 1] [1 2] [5 7]]`},
	})
	execSQL(t, s, `UPDATE t, JSON_TABLE(t.doc, '$[0]' COLUMNS (x INT PATH '$.x')) j SET t.doc = JSON_ARRAY(j.x) WHERE j.x IS NOT NULL`)
	execSQL(t, s, `DELETE t FROM t JOIN JSON_TABLE(t.doc, '$[*]' COLUMNS (x INT PATH '$')) j ON j.x = 1`)
	checkQueries(t, s, []queryCase{
		{`SELECT * FROM t`, `[[2 []] [3 NULL] [4 [{"y": 5}]] [5 [7]]]`},
	})
	// A prepared statement's argument as the document.
	if got := fmt.Sprint(querySQL(t, s, `SELECT * FROM JSON_TABLE(?, '$[*]' COLUMNS (n INT PATH '$')) j WHERE n > ?`, StringValue("[1, 2, 3]"), IntValue(1))); got != "[[2] [3]]" {
		t.Errorf("prepared: %s", got)
	}
}

// TestJSONTableColumnTypes checks the result metadata of JSON_TABLE
// columns: their declared types, all nullable.
func TestJSONTableColumnTypes(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	var got []string
	for _, c := range queryColumns(t, s, `SELECT * FROM JSON_TABLE('[]', '$[*]' COLUMNS (o FOR ORDINALITY, i INT PATH '$', d DECIMAL(6,2) PATH '$', v VARCHAR(20) PATH '$', dt DATE PATH '$', j JSON PATH '$', e INT EXISTS PATH '$')) t`) {
		got = append(got, fmt.Sprintf("%s:%s:%v", c.Name, c.DatabaseTypeName, c.Nullable))
	}
	want := "o:UNSIGNED INT:true i:INT:true d:DECIMAL:true v:VARCHAR:true dt:DATE:true j:JSON:true e:INT:true"
	if strings.Join(got, " ") != want {
		t.Errorf("columns:\ngot  %s\nwant %s", strings.Join(got, " "), want)
	}
}

// TestJSONTableErrors checks JSON_TABLE's errors and their MySQL numbers.
func TestJSONTableErrors(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, doc JSON)")
	execSQL(t, s, `INSERT INTO t VALUES (1, '[1]')`)
	for _, c := range []struct {
		sql  string
		num  uint16
		text string
	}{
		{`SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH '$'))`, 3667, "Every table function must have an alias"},
		{`SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH '$')) WHERE 1`, 3667, "Every table function must have an alias"},
		{`SELECT * FROM JSON_TABLE('[1', '$[*]' COLUMNS (x INT PATH '$')) j`, 3141, "Invalid JSON text in argument 1 to function json_table"},
		{`SELECT * FROM JSON_TABLE('[1]', '$[' COLUMNS (x INT PATH '$')) j`, 3143, "Invalid JSON path expression"},
		{`SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH 'a')) j`, 3143, "Invalid JSON path expression"},
		{`SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH '$.a' ERROR ON EMPTY)) j`, 3665, "Missing value for JSON_TABLE column 'x'"},
		{`SELECT * FROM JSON_TABLE('[1, 300]', '$[*]' COLUMNS (x TINYINT PATH '$' ERROR ON ERROR)) j`, 1264, "Out of range value for column 'x' at row 2"},
		{`SELECT * FROM JSON_TABLE('["abc"]', '$[*]' COLUMNS (x INT PATH '$' ERROR ON ERROR)) j`, 1366, "Incorrect integer value: 'abc' for column 'x' at row 1"},
		{`SELECT * FROM JSON_TABLE('["abcd"]', '$[*]' COLUMNS (x VARCHAR(3) PATH '$' ERROR ON ERROR)) j`, 1406, "Data too long for column 'x' at row 1"},
		{`SELECT * FROM JSON_TABLE('["2024-13-01"]', '$[*]' COLUMNS (x DATE PATH '$' ERROR ON ERROR)) j`, 1292, "Incorrect date value"},
		{`SELECT * FROM JSON_TABLE('[[1]]', '$[*]' COLUMNS (x INT PATH '$' ERROR ON ERROR)) jt`, 3666, "Can't store an array or an object in the scalar column 'x' of JSON_TABLE 'jt'."},
		{`SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x TINYINT PATH '$.a' DEFAULT '1000' ON EMPTY)) j`, 1264, "Out of range value for column 'x'"},
		{`SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH '$' DEFAULT 'abc' ON EMPTY)) j`, 1067, "Invalid default value for 'x'"},
		{`SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH '$', X INT PATH '$')) j`, 1060, "Duplicate column name 'X'"},
		{`SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH '$', NESTED PATH '$' COLUMNS (x INT PATH '$'))) j`, 1060, "Duplicate column name 'x'"},
		{`SELECT * FROM JSON_TABLE(t.doc, '$[*]' COLUMNS (x INT PATH '$')) j, t`, 1054, "Unknown column 't.doc'"},
		{`SELECT * FROM JSON_TABLE(j.x, '$[*]' COLUMNS (x INT PATH '$')) j`, 1054, "Unknown column 'j.x'"},
		{`SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH '$')) j, JSON_TABLE('[1]', '$[*]' COLUMNS (y INT PATH '$')) j`, 1066, "Not unique table/alias: 'j'"},
		{`SELECT * FROM t, JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH '$')) t`, 1066, "Not unique table/alias: 't'"},
	} {
		err := stmtErr(t, s, c.sql)
		var se *SQLError
		if !errors.As(err, &se) || se.Number != c.num || !strings.Contains(se.Msg, c.text) {
			t.Errorf("%s:\ngot  %v\nwant %d %s", c.sql, err, c.num, c.text)
		}
	}
	// Syntax errors point into the call as written.
	for _, c := range []struct{ sql, near string }{
		{`SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH '$' ON EMPTY)) j`, "ON EMPTY)) j"},
		{`SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH '$' ERROR ON ERROR NULL ON EMPTY)) j`, "NULL ON EMPTY)) j"},
		{`SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS ()) j`, ")) j"},
		{`SELECT * FROM JSON_TABLE('[1]' COLUMNS (x INT PATH '$')) j`, ") j"},
		{`SELECT * FROM JSON_TABLE(, '$' COLUMNS (x INT PATH '$')) j`, ", '$'"},
		{`SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH '$') j`, ""},
		{`SELECT * FROM JSON_TABLE('[1]', $ COLUMNS (x INT PATH '$')) j`, "$ COLUMNS"},
		{`SELECT * FROM JSON_TABLE('[1]', '$' COLUMNS (x INT PATH '$' DEFAULT 1 ON EMPTY)) j`, "1 ON EMPTY"},
		{`SELECT * FROM JSON_TABLE('[1]', '$' COLUMNS (x FOR ORDER)) j`, "ORDER"},
		{`SELECT * FROM JSON_TABLE('[1]', '$' COLUMNS (x INT PATH '$')) j WHERE WHERE`, "WHERE"},
	} {
		_, err := Parse(c.sql)
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.HasPrefix(pe.Near, c.near) {
			t.Errorf("%s: got %v, want a syntax error near %q", c.sql, err, c.near)
		}
	}
}

// TestJSONTableParse checks that a statement with JSON_TABLE calls
// parses to derived tables with its `?` placeholders numbered in order,
// and that an error sqlparser finds after a call is reported where it is
// in the statement as written.
func TestJSONTableParse(t *testing.T) {
	for _, c := range []struct {
		sql  string
		args int
	}{
		{`SELECT ? FROM JSON_TABLE(?, '$[*]' COLUMNS (n INT PATH '$')) j WHERE n > ?`, 3},
		{`SELECT * FROM t, JSON_TABLE(t.doc, '$' COLUMNS (n INT PATH '$')) j, JSON_TABLE(CONCAT(j.n, ?), '$' COLUMNS (m INT PATH '$')) k`, 1},
		{`SELECT * FROM (SELECT * FROM JSON_TABLE('[1]', '$' COLUMNS (n INT PATH '$')) j) d WHERE EXISTS (SELECT 1 FROM JSON_TABLE(?, '$' COLUMNS (n INT PATH '$')) k)`, 1},
		{`WITH c AS (SELECT * FROM JSON_TABLE('[1]', '$' COLUMNS (n INT PATH '$')) j) SELECT * FROM c`, 0},
		{`INSERT INTO u SELECT * FROM JSON_TABLE(?, '$[*]' COLUMNS (n INT PATH '$', NESTED PATH '$.a[*]' COLUMNS (m INT PATH '$'))) j`, 1},
	} {
		st, err := Parse(c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if n := NumPlaceholders(st); n != c.args {
			t.Errorf("%s: %d placeholders, want %d", c.sql, n, c.args)
		}
	}
	sql := `SELECT * FROM JSON_TABLE('[1]', '$' COLUMNS (n INT PATH '$')) j WHERE n = = 1`
	_, err := Parse(sql)
	var pe *ParseError
	if !errors.As(err, &pe) || !strings.HasPrefix(sql[pe.Pos:], "= 1") {
		t.Errorf("%s: got %v, want a syntax error at '= 1'", sql, err)
	}
}
