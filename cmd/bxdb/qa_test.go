package main

import (
	"database/sql"
	"maps"
	"path/filepath"
	"strings"
	"testing"
)

// showCreates returns SHOW CREATE TABLE of every base table of the
// database at path, and the definition of every view.
func showCreates(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := sql.Open("bxdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SHOW FULL TABLES")
	if err != nil {
		t.Fatal(err)
	}
	var objs [][2]string
	for rows.Next() {
		var name, kind string
		if err := rows.Scan(&name, &kind); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, [2]string{name, kind})
	}
	rows.Close()
	out := map[string]string{}
	for _, o := range objs {
		var n, create string
		if o[1] == "VIEW" {
			err = db.QueryRow("SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_NAME = ?", o[0]).Scan(&n, &create)
		} else {
			err = db.QueryRow("SHOW CREATE TABLE "+quoteIdent(o[0])).Scan(&n, &create)
		}
		if err != nil {
			t.Fatalf("%s: %v", o[0], err)
		}
		out[o[0]] = create
	}
	return out
}

// TestQASchemaForeignKeysAndViews: the .schema of a database whose child
// tables sort before their parents, with a self-reference, a cycle, a key
// made with foreign_key_checks off (referencing a missing table, and
// columns without an index), collated columns, and views that read views
// named after them, recreates the same schema in an empty database, and
// leaves foreign_key_checks as it was.
func TestQASchemaForeignKeysAndViews(t *testing.T) {
	db := sqlDB(t,
		"CREATE TABLE z_parent (id INT PRIMARY KEY, code VARCHAR(10) COLLATE utf8mb4_bin, x INT, UNIQUE KEY (code)) COLLATE utf8mb4_bin",
		"CREATE TABLE a_child (id INT PRIMARY KEY, pid INT, pcode VARCHAR(10) COLLATE utf8mb4_bin, "+
			"name VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_general_cs, "+
			"CONSTRAINT fk1 FOREIGN KEY (pid) REFERENCES z_parent(id) ON DELETE CASCADE ON UPDATE SET NULL, "+
			"FOREIGN KEY (pcode) REFERENCES z_parent(code))",
		"CREATE TABLE selfref (id INT PRIMARY KEY, up INT, FOREIGN KEY (up) REFERENCES selfref(id))",
		"SET FOREIGN_KEY_CHECKS = 0",
		"CREATE TABLE cyc_a (id INT PRIMARY KEY, b INT, FOREIGN KEY (b) REFERENCES cyc_b(id))",
		"CREATE TABLE cyc_b (id INT PRIMARY KEY, a INT, FOREIGN KEY (a) REFERENCES cyc_a(id))",
		"CREATE TABLE orphan (id INT PRIMARY KEY, m INT, FOREIGN KEY (m) REFERENCES missing(id))",
		"CREATE TABLE noindex (id INT PRIMARY KEY, x INT, FOREIGN KEY (x) REFERENCES z_parent(x))",
		"SET FOREIGN_KEY_CHECKS = 1",
		"CREATE TABLE m (id INT PRIMARY KEY, s VARCHAR(10))",
		"ALTER TABLE m MODIFY s VARCHAR(10) COLLATE utf8mb4_0900_as_cs",
		"CREATE VIEW c_view AS SELECT id, code FROM z_parent WHERE code = 'A'",
		"CREATE VIEW b_view AS SELECT * FROM `c_view`",
		"CREATE VIEW a_view AS SELECT COUNT(*) AS n FROM b_view, c_view WHERE 'a_view' <> ''",
	)
	rc, schema, e := runWith(strings.NewReader(".schema\n"), "shell", db)
	if rc != 0 || e != "" {
		t.Fatalf(".schema: rc=%d out=%q err=%q", rc, schema, e)
	}
	copyDB := sqlDB(t)
	script := "SET FOREIGN_KEY_CHECKS = 1;\n" + schema + "SELECT @@FOREIGN_KEY_CHECKS;\n"
	rc, out, e := runWith(strings.NewReader(script), "shell", copyDB)
	if rc != 0 {
		t.Fatalf("running the .schema output: rc=%d out=%q err=%q\n%s", rc, out, e, schema)
	}
	if !strings.Contains(out, "| @@FOREIGN_KEY_CHECKS |\n+----------------------+\n| 1 ") {
		t.Errorf("foreign_key_checks not restored:\n%s", out)
	}
	want, got := showCreates(t, db), showCreates(t, copyDB)
	if len(got) != len(want) {
		t.Errorf("%d objects recreated, want %d", len(got), len(want))
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s recreated as\n%s\nwant\n%s", name, got[name], w)
		}
	}
	// Without foreign keys, .schema has no SET statements.
	plain := sqlDB(t, "CREATE TABLE t (id INT PRIMARY KEY)")
	if _, out, _ := runWith(strings.NewReader(".schema\n"), "shell", plain); strings.Contains(out, "SET ") {
		t.Errorf(".schema without foreign keys:\n%s", out)
	}
}

// TestQASelectIntoShell: SELECT ... INTO @v returns no result set: the
// shell reports it as a statement (rows affected), not as an empty table.
func TestQASelectIntoShell(t *testing.T) {
	db := sqlDB(t, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (4)")
	rc, out, e := runWith(strings.NewReader("SELECT id INTO @v FROM t;\nSELECT @v + 1 AS w;\nSELECT 'into' AS s;\n"), "shell", db)
	if rc != 0 || e != "" {
		t.Fatalf("rc=%d out=%q err=%q", rc, out, e)
	}
	for _, want := range []string{"OK, 1 row affected", "| w |\n+---+\n| 5 |", "| into |"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "+\n|\n+") {
		t.Errorf("an empty table printed:\n%s", out)
	}
}

// tableRows returns every row of every table and view of the database at
// path, as text.
func tableRows(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := sql.Open("bxdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]string{}
	for name := range showCreates(t, path) {
		rows, err := db.Query("SELECT * FROM " + quoteIdent(name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cols, _ := rows.Columns()
		var b strings.Builder
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				b.WriteString(render(v, "") + "|")
			}
			b.WriteString("\n")
		}
		rows.Close()
		out[name] = b.String()
	}
	return out
}

// TestQACheckStatsBackupSchema: check, stats and backup of a database
// with collated columns, foreign keys, views, synchronized tables
// (tombstones) and a MODIFY COLLATE succeed, and the copy holds the same
// schema and rows, and still enforces the keys and collations.
func TestQACheckStatsBackupSchema(t *testing.T) {
	db := sqlDB(t,
		"CREATE TABLE p (k VARCHAR(10) COLLATE utf8mb4_bin PRIMARY KEY, n INT)",
		"CREATE TABLE c (id INT PRIMARY KEY, pk VARCHAR(10) COLLATE utf8mb4_bin, s VARCHAR(10), j JSON, "+
			"FOREIGN KEY (pk) REFERENCES p(k) ON DELETE CASCADE, UNIQUE KEY (s))",
		"INSERT INTO p VALUES ('a', 1), ('A', 2), ('b', 3)",
		`INSERT INTO c VALUES (1, 'a', 'x', '{"b": 1, "a": 2}'), (2, 'A', 'y', '[1]'), (3, 'b', 'z', NULL)`,
		"ALTER TABLE c MODIFY s VARCHAR(10) COLLATE utf8mb4_0900_as_cs",
		"INSERT INTO c VALUES (4, 'A', 'X', NULL)",
		"CREATE VIEW v AS SELECT c.id, p.k FROM c JOIN p ON p.k = c.pk WHERE c.s = 'x'",
		"DELETE FROM p WHERE k = 'b'",
	)
	if rc, out, e := runCmd("check", db); rc != 0 || !strings.HasSuffix(out, "ok\n") {
		t.Fatalf("check: rc=%d out=%q err=%q", rc, out, e)
	}
	if rc, out, e := runCmd("stats", db); rc != 0 || !strings.Contains(out, "sql.catalog") || strings.Contains(out, "error") {
		t.Fatalf("stats: rc=%d out=%q err=%q", rc, out, e)
	}
	bak := filepath.Join(t.TempDir(), "copy.bxdb")
	if rc, _, e := runCmd("backup", db, bak); rc != 0 {
		t.Fatalf("backup: rc=%d err=%q", rc, e)
	}
	if rc, out, e := runCmd("check", bak); rc != 0 || !strings.HasSuffix(out, "ok\n") {
		t.Fatalf("check of the copy: rc=%d out=%q err=%q", rc, out, e)
	}
	if a, b := showCreates(t, db), showCreates(t, bak); !maps.Equal(a, b) {
		t.Errorf("schema of the copy:\n%v\nwant\n%v", b, a)
	}
	want, got := tableRows(t, db), tableRows(t, bak)
	if !maps.Equal(want, got) {
		t.Errorf("rows of the copy:\n%v\nwant\n%v", got, want)
	}
	if want["v"] != "1|a|\n" || want["c"] != "1|a|x|{\"a\": 2, \"b\": 1}|\n2|A|y|[1]|\n4|A|X|NULL|\n" {
		t.Errorf("rows: %q", want)
	}
	rc, out, e := runWith(strings.NewReader("INSERT INTO c VALUES (5, 'B', 'q', NULL);\nINSERT INTO c VALUES (6, 'a', 'Y', NULL);\n"+
		"DELETE FROM p WHERE k = 'A';\nSELECT COUNT(*) FROM c;\n"), "shell", "-force", bak)
	if rc != 1 || !strings.Contains(e, "ERROR 1452 (23000) at line 1") || strings.Count(e, "ERROR") != 1 || !strings.Contains(out, "| 2        |") {
		t.Errorf("the copy's keys: rc=%d out=%q err=%q", rc, out, e)
	}
}
