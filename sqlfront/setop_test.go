package sqlfront

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestSetOperatorsModel runs random compound queries of UNION, EXCEPT and
// INTERSECT (each with and without ALL) over two small tables with
// duplicates and NULLs, and compares each result, as a multiset, with a
// brute-force evaluation that folds the operators left to right, INTERSECT
// first (it binds tighter, as in MySQL).
func TestSetOperatorsModel(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t1 (id INT PRIMARY KEY, a INT, b VARCHAR(5))")
	execSQL(t, s, "CREATE TABLE t2 (id INT PRIMARY KEY, a INT, b VARCHAR(5))")
	rng := rand.New(rand.NewPCG(5, 6))
	tables := map[string][]string{}
	for _, tab := range []string{"t1", "t2"} {
		for id := 0; id < 25; id++ {
			a, b := "NULL", "NULL"
			ra, rb := "NULL", "NULL"
			if rng.IntN(6) > 0 {
				ra = fmt.Sprint(rng.IntN(5))
				a = ra
			}
			if rng.IntN(6) > 0 {
				rb = string(rune('p' + rng.IntN(3)))
				b = "'" + rb + "'"
			}
			execSQL(t, s, fmt.Sprintf("INSERT INTO %s VALUES (%d, %s, %s)", tab, id, a, b))
			tables[tab] = append(tables[tab], ra+"|"+rb)
		}
	}
	// operand returns a SELECT over one table, filtered, and its rows.
	operand := func() (string, []string) {
		tab := []string{"t1", "t2"}[rng.IntN(2)]
		lim := rng.IntN(5)
		var rows []string
		for _, r := range tables[tab] {
			a := strings.Split(r, "|")[0]
			if a == "NULL" || int(a[0]-'0') >= lim {
				rows = append(rows, r)
			}
		}
		return fmt.Sprintf("SELECT a, b FROM %s WHERE a IS NULL OR a >= %d", tab, lim), rows
	}
	ops := []string{"UNION", "UNION ALL", "EXCEPT", "EXCEPT ALL", "INTERSECT", "INTERSECT ALL"}
	for q := 0; q < 300; q++ {
		// INTERSECT binds tighter: terms are runs of INTERSECT operands,
		// folded left to right with the other operators.
		sql, first := operand()
		terms, termOps := [][]string{first}, []string(nil)
		for k := 1 + rng.IntN(3); k > 0; k-- {
			op := ops[rng.IntN(len(ops))]
			text, rows := operand()
			sql += " " + op + " " + text
			if strings.HasPrefix(op, "INTERSECT") {
				terms[len(terms)-1] = setOpModel(op, terms[len(terms)-1], rows)
			} else {
				terms, termOps = append(terms, rows), append(termOps, op)
			}
		}
		acc := terms[0]
		for i, op := range termOps {
			acc = setOpModel(op, acc, terms[i+1])
		}
		var got []string
		for _, r := range querySQL(t, s, sql) {
			got = append(got, strings.Join(r, "|"))
		}
		slices.Sort(got)
		slices.Sort(acc)
		if !slices.Equal(got, acc) {
			t.Fatalf("%s:\ngot  %v\nwant %v", sql, got, acc)
		}
	}
	// ORDER BY and LIMIT after the last operand apply to the whole result;
	// a parenthesized operand is one operand.
	for _, c := range []struct{ sql, want string }{
		{"SELECT a FROM t1 WHERE a IS NOT NULL EXCEPT SELECT 3 ORDER BY a DESC LIMIT 2", "[[4] [2]]"},
		{"SELECT 1 UNION SELECT 2 INTERSECT SELECT 2", "[[1] [2]]"}, // 1 UNION (2 INTERSECT 2), as in MySQL
		{"(SELECT 1 UNION SELECT 2) INTERSECT SELECT 2", "[[2]]"},
		{"SELECT 3 EXCEPT SELECT 3 INTERSECT SELECT 4", "[[3]]"},
		{"SELECT 1 UNION (SELECT 2 INTERSECT SELECT 2) ORDER BY 1", "[[1] [2]]"},
		{"(SELECT 5 EXCEPT SELECT 6) INTERSECT SELECT 5", "[[5]]"},
		{"SELECT 1 INTERSECT SELECT 1.0", "[[1.0]]"}, // one DECIMAL column, as in MySQL
		{"SELECT NULL EXCEPT SELECT NULL", "[]"},
		{"SELECT 2 EXCEPT DISTINCT SELECT 3", "[[2]]"},
	} {
		if got := fmt.Sprint(querySQL(t, s, c.sql)); got != c.want && !(c.want == "[]" && got == "[]") {
			t.Errorf("%s: got %s, want %s", c.sql, got, c.want)
		}
	}
	// Operands must have as many columns; a missing operand is a syntax
	// error.
	for _, bad := range []string{"SELECT 1 EXCEPT SELECT 1, 2", "SELECT 1 INTERSECT", "SELECT 1 EXCEPT INSERT INTO t1 VALUES (1, 1, 1)"} {
		if err := stmtErr(t, s, bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// setOpModel applies op to the row multisets l and r.
func setOpModel(op string, l, r []string) []string {
	count := func(rows []string) map[string]int {
		m := map[string]int{}
		for _, x := range rows {
			m[x]++
		}
		return m
	}
	distinct := func(rows []string) []string {
		seen := map[string]bool{}
		var out []string
		for _, x := range rows {
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
		return out
	}
	rc := count(r)
	var out []string
	switch op {
	case "UNION ALL":
		return append(append([]string(nil), l...), r...)
	case "UNION":
		return distinct(append(append([]string(nil), l...), r...))
	case "EXCEPT":
		for _, x := range distinct(l) {
			if rc[x] == 0 {
				out = append(out, x)
			}
		}
	case "INTERSECT":
		for _, x := range distinct(l) {
			if rc[x] > 0 {
				out = append(out, x)
			}
		}
	case "EXCEPT ALL":
		for _, x := range l {
			if rc[x] > 0 {
				rc[x]--
				continue
			}
			out = append(out, x)
		}
	case "INTERSECT ALL":
		for _, x := range l {
			if rc[x] > 0 {
				rc[x]--
				out = append(out, x)
			}
		}
	}
	return out
}

// TestSubqueryInSetAndValues: UPDATE ... SET and INSERT ... VALUES take
// scalar subqueries over other tables, correlated ones too, also when a
// prepared statement runs again on changed data; reading the written table
// is error 1093.
func TestSubqueryInSetAndValues(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE author (id INT PRIMARY KEY, books INT, top VARCHAR(20))")
	execSQL(t, s, "CREATE TABLE book (id INT PRIMARY KEY, aid INT, title VARCHAR(20), KEY (aid))")
	execSQL(t, s, "INSERT INTO author VALUES (1, 0, NULL), (2, 0, NULL), (3, 0, NULL)")
	execSQL(t, s, "INSERT INTO book VALUES (10, 1, 'a'), (11, 1, 'c'), (12, 2, 'b'), (13, 1, 'b')")
	up, err := s.Prepare("UPDATE author SET books = (SELECT COUNT(*) FROM book WHERE book.aid = author.id), top = (SELECT MAX(title) FROM book b WHERE b.aid = author.id) WHERE id <= ?")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(t.Context(), up, []Value{IntValue(3)}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT id, books, top FROM author ORDER BY id")); got != "[[1 3 c] [2 1 b] [3 0 NULL]]" {
		t.Fatalf("after UPDATE: %s", got)
	}
	execSQL(t, s, "INSERT INTO book VALUES (14, 3, 'z'), (15, 2, 'a')")
	if _, err := s.Exec(t.Context(), up, []Value{IntValue(3)}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT id, books, top FROM author ORDER BY id")); got != "[[1 3 c] [2 2 b] [3 1 z]]" {
		t.Fatalf("after the prepared UPDATE ran again: %s", got)
	}
	execSQL(t, s, "INSERT INTO author (id, books, top) VALUES (4, (SELECT COUNT(*) FROM book), (SELECT MIN(title) FROM book WHERE aid = 2))")
	if got := fmt.Sprint(querySQL(t, s, "SELECT books, top FROM author WHERE id = 4")); got != "[[6 a]]" {
		t.Fatalf("after INSERT: %s", got)
	}
	for _, bad := range []string{
		"UPDATE author SET books = (SELECT MAX(books) FROM author)",
		"INSERT INTO author VALUES (5, (SELECT COUNT(*) FROM author a), NULL)",
		"UPDATE author SET books = (SELECT COUNT(*) FROM book WHERE aid IN (SELECT id FROM author))",
		"UPDATE author SET books = 0 WHERE books = (SELECT MAX(books) FROM author)",
		"UPDATE author SET books = 0 WHERE id > 1 AND EXISTS (SELECT 1 FROM book WHERE aid IN (SELECT id FROM author))",
		"DELETE FROM author WHERE id IN (SELECT id FROM author WHERE books > 1)",
		"DELETE FROM Author WHERE id = (SELECT MIN(a.id) FROM author a)",
	} {
		if err := stmtErr(t, s, bad); sqlNumber(err) != 1093 {
			t.Errorf("%s: %v, want error 1093", bad, err)
		}
	}
	// Through a view: error 1443, naming the view the statement reads.
	execSQL(t, s, "CREATE VIEW va AS SELECT id, books FROM author WHERE books > 0")
	execSQL(t, s, "CREATE VIEW vb AS SELECT a.id FROM book JOIN va AS a ON a.id = book.aid")
	execSQL(t, s, "CREATE VIEW vbook AS SELECT aid FROM book")
	for _, c := range []struct{ bad, msg string }{
		{"UPDATE author SET books = (SELECT COUNT(*) FROM va)", "The definition of table 'va' prevents operation UPDATE on table 'author'."},
		{"DELETE FROM author WHERE id IN (SELECT id FROM vb)", "The definition of table 'vb' prevents operation DELETE on table 'author'."},
		{"UPDATE author SET books = 1 WHERE EXISTS (SELECT 1 FROM vb WHERE vb.id = author.id)", "The definition of table 'vb' prevents operation UPDATE on table 'author'."},
		{"INSERT INTO author VALUES (9, (SELECT COUNT(*) FROM va), NULL)", "The definition of table 'va' prevents operation INSERT on table 'author'."},
	} {
		if err := stmtErr(t, s, c.bad); sqlNumber(err) != 1443 || !strings.HasSuffix(err.Error(), c.msg) {
			t.Errorf("%s: %v, want error 1443 %q", c.bad, err, c.msg)
		}
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT id, books FROM author ORDER BY id")); got != "[[1 3] [2 2] [3 1] [4 6]]" {
		t.Fatalf("failed statements changed rows: %s", got)
	}
	// A view of other tables is fine.
	execSQL(t, s, "UPDATE author SET books = books + 0 WHERE id IN (SELECT aid FROM vbook)")
	// Through a derived table (materialized first), as MySQL allows.
	execSQL(t, s, "UPDATE author SET books = 0 WHERE books = (SELECT m FROM (SELECT MAX(books) AS m FROM author) AS x)")
	execSQL(t, s, "DELETE FROM author WHERE id IN (SELECT id FROM (SELECT id FROM author WHERE books > 1) AS x)")
	execSQL(t, s, "DELETE FROM author WHERE id IN (SELECT aid FROM book WHERE title = 'z')")
	if got := fmt.Sprint(querySQL(t, s, "SELECT id, books FROM author ORDER BY id")); got != "[[4 0]]" {
		t.Fatalf("after statements through derived tables: %s", got)
	}
}

// TestSubqueryColumnCount: a subquery with the wrong number of columns is
// error 1241 when the statement is compiled, even over an empty table,
// and a query run with Exec reports the errors of its later rows.
func TestSubqueryColumnCount(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t1 (x INT, y INT)")
	execSQL(t, s, "CREATE TABLE e (x INT)")
	for _, q := range []string{
		"SELECT 1 FROM e WHERE 1 IN (SELECT x, y FROM t1)",
		"SELECT 1 FROM e WHERE 1 NOT IN (SELECT 1, 2)",
		"SELECT 1 FROM e WHERE 1 = (SELECT x, y FROM t1)",
		"SELECT (SELECT x, y FROM t1) FROM e",
		"SELECT 1 FROM e WHERE (1, 2) IN (SELECT x FROM t1)",
	} {
		st, err := s.Prepare(q)
		if err == nil {
			_, err = s.Exec(t.Context(), st, nil)
		}
		if sqlNumber(err) != ErOperandColumns {
			t.Errorf("%s: %v, want error 1241", q, err)
		}
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT 1 FROM e WHERE (1, 2) IN (SELECT x, y FROM t1)")); got != "[]" {
		t.Errorf("row IN: %s", got)
	}
	execSQL(t, s, "INSERT INTO t1 VALUES (1, 1), (2, 2)")
	execSQL(t, s, "INSERT INTO e VALUES (1)")
	st, err := s.Prepare("SELECT 1 FROM e WHERE x = (SELECT x FROM t1)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(t.Context(), st, nil); sqlNumber(err) != 1242 {
		t.Errorf("Exec of a query whose subquery returns 2 rows: %v, want error 1242", err)
	}
}

// TestCreateTableLike: CREATE TABLE t LIKE u copies u's definition (not its
// rows, its AUTO_INCREMENT position or its foreign keys).
func TestCreateTableLike(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE p (id INT PRIMARY KEY)")
	execSQL(t, s, "CREATE TABLE u (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(20) NOT NULL DEFAULT 'x', n INT, pid INT, UNIQUE KEY by_name (name), KEY by_n (n DESC), CHECK (n > 0), CONSTRAINT fk FOREIGN KEY (pid) REFERENCES p (id))")
	execSQL(t, s, "INSERT INTO u (name, n) VALUES ('a', 1), ('b', 2)")
	execSQL(t, s, "CREATE TABLE t LIKE u")
	execSQL(t, s, "CREATE TABLE IF NOT EXISTS t LIKE u")
	execSQL(t, s, "CREATE TABLE t2 (LIKE u)")
	show := func(name string) string {
		r := querySQL(t, s, "SHOW CREATE TABLE "+name)
		return r[0][1]
	}
	want := "CREATE TABLE `t` (\n" +
		"  `id` int NOT NULL AUTO_INCREMENT,\n" +
		"  `name` varchar(20) NOT NULL DEFAULT 'x',\n" +
		"  `n` int DEFAULT NULL,\n" +
		"  `pid` int DEFAULT NULL,\n" +
		"  PRIMARY KEY (`id`),\n" +
		"  UNIQUE KEY `by_name` (`name`),\n" +
		"  KEY `by_n` (`n` DESC),\n" +
		"  KEY `fk` (`pid`),\n" +
		"  CONSTRAINT `t_chk_1` CHECK (n > 0)\n" +
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci"
	if !strings.Contains(show("u"), "CONSTRAINT `fk` FOREIGN KEY") {
		t.Fatalf("u has no foreign key: %s", show("u"))
	}
	if got := show("t"); got != want {
		t.Errorf("SHOW CREATE TABLE t:\n%s\nwant\n%s", got, want)
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT COUNT(*) FROM t")); got != "[[0]]" {
		t.Errorf("t has rows: %s", got)
	}
	execSQL(t, s, "INSERT INTO t (name, n) VALUES ('z', 5)")
	if got := fmt.Sprint(querySQL(t, s, "SELECT id, name, n FROM t")); got != "[[1 z 5]]" {
		t.Errorf("t: %s", got)
	}
	if err := stmtErr(t, s, "INSERT INTO t (name, n) VALUES ('z', 6)"); sqlNumber(err) != ErDupEntry {
		t.Errorf("unique key not copied: %v", err)
	}
	if err := stmtErr(t, s, "INSERT INTO t (name, n) VALUES ('q', -1)"); sqlNumber(err) != 3819 {
		t.Errorf("check not copied: %v", err)
	}
	execSQL(t, s, "CREATE VIEW v AS SELECT id FROM u")
	for bad, num := range map[string]uint16{"CREATE TABLE t LIKE u": 1050, "CREATE TABLE t3 LIKE nope": 1146, "CREATE TABLE t4 LIKE v": 1347} {
		if err := stmtErr(t, s, bad); sqlNumber(err) != num {
			t.Errorf("%s: %v, want error %d", bad, err, num)
		}
	}
}

// TestTableMaintenance: ANALYZE and OPTIMIZE TABLE report OK, CHECK TABLE
// checks the table's trees, and a missing table is an error row.
func TestTableMaintenance(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, v INT, KEY (v))")
	execSQL(t, s, "INSERT INTO t VALUES (1, 1), (2, 2)")
	checkQueries(t, s, []queryCase{
		{"ANALYZE TABLE t", "[[test.t analyze status OK]]"},
		{"OPTIMIZE NO_WRITE_TO_BINLOG TABLE t", "[[test.t optimize status OK]]"},
		{"CHECK TABLE t EXTENDED", "[[test.t check status OK]]"},
		{"CHECK TABLE t, nope", "[[test.t check status OK] [test.nope check Error Error 1146 (42S02): Table 'test.nope' doesn't exist] [test.nope check status Operation failed]]"},
	})
	if err := stmtErr(t, s, "CHECK t"); err == nil {
		t.Error("CHECK t: no error")
	}
}

// TestCreateTableAs: CREATE TABLE t [AS] query makes a column per result
// column, typed as the query reports it, holding the query's rows.
func TestCreateTableAs(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE u (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, price DECIMAL(8,2), at DATETIME, n BIGINT UNSIGNED)")
	execSQL(t, s, "INSERT INTO u VALUES (1, 'a', 1.50, '2024-01-02 03:04:05', 7), (2, 'b', NULL, NULL, 8), (3, 'c', 3.25, NULL, 9)")
	execSQL(t, s, "CREATE TABLE t AS SELECT id, name, price, at, n, id * 2 AS twice, CONCAT(name, '!') AS shout FROM u WHERE id < 3")
	if got := fmt.Sprint(querySQL(t, s, "SELECT * FROM t ORDER BY id")); got != "[[1 a 1.50 2024-01-02 03:04:05 7 2 a!] [2 b NULL NULL 8 4 b!]]" {
		t.Errorf("rows: %s", got)
	}
	got := fmt.Sprint(querySQL(t, s, "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_NAME = 't' ORDER BY ORDINAL_POSITION"))
	want := "[[id int NO] [name varchar(20) NO] [price decimal(8,2) YES] [at datetime YES] [n bigint unsigned YES] [twice bigint YES] [shout longtext YES]]"
	if got != want {
		t.Errorf("columns:\ngot  %s\nwant %s", got, want)
	}
	execSQL(t, s, "CREATE TABLE IF NOT EXISTS t SELECT 1")
	execSQL(t, s, "CREATE TABLE t2 SELECT COUNT(*) AS c FROM u WHERE id > ?", IntValue(1))
	if got := fmt.Sprint(querySQL(t, s, "SELECT c FROM t2")); got != "[[2]]" {
		t.Errorf("t2: %s", got)
	}
	for bad, num := range map[string]uint16{"CREATE TABLE t AS SELECT 1": 1050, "CREATE TABLE t3 AS SELECT 1 AS a, 2 AS a": 1060, "CREATE TABLE t4 AS SELECT * FROM nope": 1146,
		"CREATE TABLE t5 AS SELECT id FROM u LIMIT ?": 1210} {
		if err := stmtErr(t, s, bad); sqlNumber(err) != num {
			t.Errorf("%s: %v, want error %d", bad, err, num)
		}
	}
	// The query's placeholders are the statement's (database/sql checks
	// the count against NumInput).
	if st, err := Parse("CREATE TABLE t5 AS SELECT id FROM u WHERE id > ? LIMIT ?"); err != nil || NumPlaceholders(st) != 2 {
		t.Errorf("placeholders of CREATE TABLE AS: %v (%v), want 2", NumPlaceholders(st), err)
	}
	// A column of NULLs only is BINARY(0), as in MySQL (it was a CREATE
	// TABLE of its own that failed to parse).
	execSQL(t, s, "CREATE TABLE t6 AS SELECT NULL AS n, id FROM u WHERE id < 3")
	execSQL(t, s, "CREATE TEMPORARY TABLE t7 AS SELECT NULL")
	got = fmt.Sprint(querySQL(t, s, "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_NAME = 't6' ORDER BY ORDINAL_POSITION"))
	if want := "[[n binary(0) YES] [id int NO]]"; got != want {
		t.Errorf("t6 columns:\ngot  %s\nwant %s", got, want)
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT n, id FROM t6 ORDER BY id")); got != "[[NULL 1] [NULL 2]]" {
		t.Errorf("t6 rows: %s", got)
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT * FROM t7")); got != "[[NULL]]" {
		t.Errorf("t7 rows: %s", got)
	}
}
