package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// sqlDB creates a database at a fresh path by running stmts, and closes it.
func sqlDB(t *testing.T, stmts ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.bxdb")
	db, err := sql.Open("bxdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return path
}

// runWith runs the command line with stdin.
func runWith(stdin io.Reader, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	rc := run(args, stdin, &out, &errOut)
	return rc, out.String(), errOut.String()
}

// devNull opens the null device, as `</dev/null` gives it.
func devNull(t *testing.T) *os.File {
	t.Helper()
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestShellDevNull: the null device is not a terminal. A failed -c
// statement gives exit status 1 whatever stdin is, and `bxdb shell DB
// </dev/null` is an empty script: no banner, no prompt.
func TestShellDevNull(t *testing.T) {
	db := sqlDB(t)
	if isTerminal(devNull(t)) {
		t.Fatal("the null device counts as a terminal")
	}
	if rc, out, e := runWith(devNull(t), "shell", "-c", "SELECT nosuch", db); rc != 1 || !strings.Contains(e, "ERROR 1054 (42S22) at line 1: Unknown column 'nosuch'") {
		t.Fatalf("shell -c with a failing statement, stdin /dev/null: rc=%d out=%q err=%q", rc, out, e)
	}
	if rc, out, e := runWith(devNull(t), "shell", db); rc != 0 || out != "" || e != "" {
		t.Fatalf("shell </dev/null: rc=%d out=%q err=%q", rc, out, e)
	}
	// -c is documented.
	if rc, out, _ := runWith(nil, "shell", "-h"); rc != 0 || !strings.Contains(out, "-c SQL") || !strings.Contains(out, "-force") {
		t.Fatalf("shell -h: rc=%d out=%q", rc, out)
	}
	if !strings.Contains(usage, "shell [-c SQL] [-force] DB") {
		t.Fatalf("usage does not document -c and -force:\n%s", usage)
	}
}

// TestShellSchemaViews: .schema prints views as CREATE VIEW (with their
// column lists and check options), and its output recreates the same
// schema in an empty database.
func TestShellSchemaViews(t *testing.T) {
	db := sqlDB(t,
		"CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(20))",
		"CREATE VIEW v AS SELECT id AS x FROM t WHERE id > 1",
		"CREATE VIEW w (a, b) AS SELECT s, id FROM t WITH LOCAL CHECK OPTION",
		"CREATE VIEW `odd``name` AS SELECT COUNT(*) AS n FROM v")
	rc, schema, e := runWith(strings.NewReader(".schema\n"), "shell", db)
	if rc != 0 || e != "" {
		t.Fatalf(".schema: rc=%d out=%q err=%q", rc, schema, e)
	}
	for _, want := range []string{
		"CREATE VIEW `v` AS SELECT id AS x FROM t WHERE id > 1;\n",
		"CREATE VIEW `w` (`a`, `b`) AS SELECT s, id FROM t WITH LOCAL CHECK OPTION;\n",
		"CREATE VIEW `odd``name` AS SELECT COUNT(*) AS n FROM v;\n",
	} {
		if !strings.Contains(schema, want) {
			t.Errorf(".schema lacks %q:\n%s", want, schema)
		}
	}
	// .schema NAME of a view, also quoted.
	if rc, out, e := runWith(strings.NewReader(".schema w\n"), "shell", db); rc != 0 || !strings.HasPrefix(out, "CREATE VIEW `w` (`a`, `b`)") {
		t.Fatalf(".schema w: rc=%d out=%q err=%q", rc, out, e)
	}
	if rc, out, e := runWith(strings.NewReader(".schema `odd``name`;\n"), "shell", db); rc != 0 || !strings.HasPrefix(out, "CREATE VIEW `odd``name` AS") {
		t.Fatalf(".schema `odd``name`: rc=%d out=%q err=%q", rc, out, e)
	}
	// The output is a script that recreates the schema (v comes before
	// `odd``name`, which reads it).
	copyDB := sqlDB(t)
	if rc, out, e := runWith(strings.NewReader(schema), "shell", copyDB); rc != 0 {
		t.Fatalf("running the .schema output: rc=%d out=%q err=%q", rc, out, e)
	}
	if _, again, _ := runWith(strings.NewReader(".schema\n"), "shell", copyDB); again != schema {
		t.Fatalf(".schema of the copy:\n%s\nwant:\n%s", again, schema)
	}
	// A missing name still fails.
	if rc, _, e := runWith(strings.NewReader(".schema nosuch\n"), "shell", db); rc != 1 || !strings.Contains(e, "ERROR 1146") {
		t.Fatalf(".schema nosuch: rc=%d err=%q", rc, e)
	}
}

// TestReturnsRows: statements that produce rows are recognized after any
// blanks and comments; others are not.
func TestReturnsRows(t *testing.T) {
	for _, s := range []string{
		"SELECT 1", "select 1", "DESC\tt", "DESC\nt", "DESCRIBE t", "desc\r\nt", "SHOW\nTABLES",
		"EXPLAIN SELECT 1", "(SELECT 1)", "( /* c */ SELECT 1)", "/* c */ SELECT 1", "-- c\nSELECT 1",
		"# c\nSELECT 1", "/*!40101 SELECT 1 */", "WITH x AS (SELECT 1) SELECT * FROM x",
		"WITH\n  x AS (SELECT ';' AS y)\nSELECT * FROM x", "ANALYZE TABLE t", "CHECK TABLE t", "OPTIMIZE TABLE t",
	} {
		if !returnsRows(s) {
			t.Errorf("returnsRows(%q) = false", s)
		}
	}
	for _, s := range []string{
		"INSERT INTO t VALUES (1)", "UPDATE t SET a = 1", "DELETE FROM t", "CREATE TABLE t (a INT)",
		"BEGIN", "SET @a = 1", "SELECTED", "DESCx", "`select` 1", "/* SELECT */ DELETE FROM t",
		"WITH x AS (SELECT 1) DELETE FROM t WHERE a IN (SELECT * FROM x)",
	} {
		if returnsRows(s) {
			t.Errorf("returnsRows(%q) = true", s)
		}
	}
	// End to end: DESC followed by a tab or a newline prints the columns.
	db := sqlDB(t, "CREATE TABLE t (id INT PRIMARY KEY)")
	for _, script := range []string{"DESC\tt;\n", "DESC\nt;\n", "/* c */ DESCRIBE t;\n", "WITH c AS (SELECT 'id' AS Field) SELECT * FROM c;\n"} {
		if rc, out, e := runWith(strings.NewReader(script), "shell", db); rc != 0 || !strings.Contains(out, "| Field |") || !strings.Contains(out, "| id ") {
			t.Errorf("%q: rc=%d out=%q err=%q", script, rc, out, e)
		}
	}
}

// TestShellErrors: errors are printed as the mysql client prints them,
// with the line of the failing statement in scripts.
func TestShellErrors(t *testing.T) {
	db := sqlDB(t, "CREATE TABLE t (id INT PRIMARY KEY)")
	script := "INSERT INTO t VALUES (1);\n" + // line 1
		"\n" +
		"-- a comment; with a semicolon\n" +
		"/* INSERT INTO t VALUES (1);\n" + // a comment holding the failing statement's text
		"*/ SELECT 1; SELECT 2;\n" + // line 5
		"\n" +
		"INSERT INTO t VALUES (1);\n" + // line 7: duplicate
		"SELECT 3;\n"
	rc, _, e := runWith(strings.NewReader(script), "shell", db)
	if want := "ERROR 1062 (23000) at line 7: Duplicate entry '1' for key 't.PRIMARY'\n"; rc != 1 || e != want {
		t.Fatalf("rc=%d err=%q, want %q", rc, e, want)
	}
	// -c counts lines too; an unterminated string is a syntax error on
	// the line where its statement starts, after the statements before it ran.
	rc, out, e := runWith(nil, "shell", "-c", "SELECT 'first';\nSELECT 1,\n 'oops;\n", db)
	if rc != 1 || !strings.Contains(out, "first") || !strings.HasPrefix(e, "ERROR 1064 (42000) at line 2: ") {
		t.Fatalf("unterminated string: rc=%d out=%q err=%q", rc, out, e)
	}
	// Interactively (not a script) there is no line.
	var errOut bytes.Buffer
	sh := testShell(t, db, io.Discard, &errOut)
	sh.interactive(strings.NewReader("SELECT nosuch;\n"))
	if want := "ERROR 1054 (42S22): Unknown column 'nosuch' in 'field list'\n"; errOut.String() != want {
		t.Fatalf("interactive error %q, want %q", errOut.String(), want)
	}
}

// TestShellStopsAtFirstError: a script stops at its first failure (exit
// status 1) unless -force is given, which runs the rest and still exits 1.
func TestShellStopsAtFirstError(t *testing.T) {
	script := "INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\n.explain\nINSERT INTO t VALUES (3);\n"
	count := func(db string) string {
		_, out, _ := runWith(nil, "shell", "-c", "SELECT COUNT(*) AS n FROM t", db)
		return out
	}
	db := sqlDB(t, "CREATE TABLE t (id INT PRIMARY KEY)")
	rc, _, e := runWith(strings.NewReader(script), "shell", db)
	if rc != 1 || strings.Count(e, "ERROR") != 1 || !strings.Contains(count(db), "| 1 |") {
		t.Fatalf("script: rc=%d err=%q count %q", rc, e, count(db))
	}
	db = sqlDB(t, "CREATE TABLE t (id INT PRIMARY KEY)")
	rc, _, e = runWith(strings.NewReader(script), "shell", "-force", db)
	if rc != 1 || !strings.Contains(e, "at line 2") || !strings.Contains(e, "ERROR at line 4: usage: .explain SQL") || !strings.Contains(count(db), "| 3 |") {
		t.Fatalf("script with -force: rc=%d err=%q count %q", rc, e, count(db))
	}
	// A bad dot command is a failure like a bad statement.
	if rc, _, e := runWith(nil, "shell", "-c", ".explain", db); rc != 1 || !strings.Contains(e, "usage: .explain") {
		t.Fatalf(".explain without SQL: rc=%d err=%q", rc, e)
	}
	if rc, _, e := runWith(nil, "shell", "-c", ".nosuch", db); rc != 1 || !strings.Contains(e, "unknown command .nosuch") {
		t.Fatalf(".nosuch: rc=%d err=%q", rc, e)
	}
	// Both are documented.
	for _, text := range []string{usage, commandUsage["shell"]} {
		if !strings.Contains(text, "first") || !strings.Contains(text, "-force") {
			t.Errorf("usage does not describe stopping at the first error and -force:\n%s", text)
		}
	}
}

// TestShellTableDisplay: control characters are escaped and wide and
// combining characters keep the borders aligned.
func TestShellTableDisplay(t *testing.T) {
	db := sqlDB(t, "CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(20), b VARBINARY(8))")
	sdb, err := sql.Open("bxdb", db)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []struct {
		s string
		b []byte
	}{
		{"漢字", []byte("ok")},
		{"a\tb\nc", []byte{0xff, 0}},
		{"e\u0301", []byte("x\ny")},
		{"😀x", nil},
		{"\x1b[31mred", []byte{0x1b}},
		{"\u202eevil", nil},
	} {
		if _, err := sdb.Exec("INSERT INTO t VALUES (?, ?, ?)", i+1, v.s, v.b); err != nil {
			t.Fatal(err)
		}
	}
	sdb.Close()
	rc, out, e := runWith(nil, "shell", "-c", "SELECT s, b AS `b\x1b` FROM t ORDER BY id", db)
	want := "" +
		"+-------------+--------+\n" +
		"| s           | b\\x1b  |\n" +
		"+-------------+--------+\n" +
		"| 漢字        | ok     |\n" +
		"| a\\tb\\nc     | 0xFF00 |\n" +
		"| e\u0301           | x\\ny   |\n" +
		"| 😀x         | NULL   |\n" +
		"| \\x1b[31mred | 0x1B   |\n" +
		"| \\u202eevil  | NULL   |\n" +
		"+-------------+--------+\n" +
		"6 rows"
	if rc != 0 || !strings.HasPrefix(out, want) {
		t.Fatalf("rc=%d err=%q out:\n%s\nwant:\n%s", rc, e, out, want)
	}
	for text, w := range map[string]int{"abc": 3, "漢字": 4, "ｶﾀｶﾅ": 4, "ＡＢ": 4, "e\u0301": 1, "😀": 2, "한국어": 6, "\u200d": 0} {
		if got := displayWidth(text); got != w {
			t.Errorf("displayWidth(%q) = %d, want %d", text, got, w)
		}
	}
	// Doubles print as MySQL prints them, not in Go's %v form.
	for in, want := range map[float64]string{1.26e6: "1260000", 1e15: "1e15", 1e-5: "0.00001", -2.5: "-2.5", 1e16: "1e16", 123456789: "123456789"} {
		if got := render(in, "DOUBLE"); got != want {
			t.Errorf("render(%v) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"a\x00b": `a\0b`, "\xff\xfe": `\xff\xfe`, "\x7f\u0085": `\x7f\u0085`, "ok\u00a0é": "ok\u00a0é", "a\u2028b": `a\u2028b`} {
		if got := displayText(in); got != want {
			t.Errorf("displayText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestComplete: a text is complete when its last token is ';'.
func TestComplete(t *testing.T) {
	for text, want := range map[string]bool{
		"":                              true,
		"SELECT 1;":                     true,
		"SELECT 1; -- comment":          true,
		"SELECT 1; # comment\n":         true,
		"SELECT 1; /* comment */  \n":   true,
		"SELECT 1":                      false,
		"SELECT ';'":                    false,
		"SELECT 1 -- ;":                 false,
		"SELECT 'a;":                    false,
		"SELECT 1; /* unterminated ;":   false,
		"SELECT 1; SELECT 2":            false,
		"SELECT `a;`;":                  true,
		"/*!40101 SET NAMES utf8 */;\n": true,
	} {
		if got := complete(text); got != want {
			t.Errorf("complete(%q) = %v, want %v", text, got, want)
		}
	}
}

// testShell returns an interactive shell on db writing to out and errOut.
func testShell(t *testing.T, db string, out, errOut io.Writer) *shell {
	t.Helper()
	sdb, err := sql.Open("bxdb", db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sdb.Close() })
	conn, err := sdb.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &shell{conn: conn, out: out, errOut: errOut, ctx: context.Background()}
}

// TestInteractiveInput: a statement runs once its ';' is typed, even with
// a comment after it; statements before an unfinished one on the same line
// run at once.
func TestInteractiveInput(t *testing.T) {
	db := sqlDB(t)
	var out, errOut bytes.Buffer
	sh := testShell(t, db, &out, &errOut)
	sh.interactive(strings.NewReader("SELECT 1 AS one; -- a comment\n.quit\nSELECT 'not run';\n"))
	if !strings.Contains(out.String(), "| one |") || strings.Contains(out.String(), "not run") || errOut.Len() != 0 {
		t.Fatalf("out=%q err=%q", out.String(), errOut.String())
	}
	out.Reset()
	sh = testShell(t, db, &out, &errOut)
	sh.interactive(strings.NewReader("SELECT 1 AS one; SELECT\n2 AS two; # done\n.tables\n"))
	if o := out.String(); !strings.Contains(o, "| one |") || !strings.Contains(o, "| two |") || !strings.Contains(o, "   -> ") ||
		!strings.Contains(o, "Tables_in_") || errOut.Len() != 0 {
		t.Fatalf("out=%q err=%q", o, errOut.String())
	}
}

// promptWriter collects output and reports each prompt written.
type promptWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	prompts chan string
}

func (w *promptWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.buf.Write(p)
	w.mu.Unlock()
	if s := string(p); s == "bxdb> " || s == "   -> " {
		w.prompts <- s
	}
	return len(p), nil
}

func (w *promptWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestInteractiveInterrupt: Ctrl-C cancels the running statement and the
// shell goes on; at the prompt it discards the statement being typed.
func TestInteractiveInterrupt(t *testing.T) {
	db := sqlDB(t, "CREATE TABLE d (i INT PRIMARY KEY)",
		"INSERT INTO d VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9),(10),(11),(12),(13),(14),(15),(16),(17),(18),(19)")
	out := &promptWriter{prompts: make(chan string, 100)}
	var errOut bytes.Buffer
	sh := testShell(t, db, out, &errOut)
	intr := make(chan os.Signal)
	sh.intr = intr
	sh.onRun = func(stmt string) {
		if strings.Contains(stmt, "COUNT") {
			go func() { intr <- os.Interrupt }()
		}
	}
	in, feed := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		sh.interactive(in)
	}()
	prompt := func(want string) {
		t.Helper()
		select {
		case p := <-out.prompts:
			if p != want {
				t.Fatalf("prompt %q, want %q; out=%q", p, want, out.String())
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no prompt %q; out=%q err=%q", want, out.String(), errOut.String())
		}
	}
	prompt("bxdb> ")
	// 20^8 rows: hours, unless the interrupt cancels it.
	io.WriteString(feed, "SELECT COUNT(*) FROM d a, d b, d c, d e, d f, d g, d h, d k;\n")
	prompt("bxdb> ")
	if want := "\nERROR 1317 (70100): Query execution was interrupted\n"; errOut.String() != want {
		t.Fatalf("interrupted statement: err=%q, want %q", errOut.String(), want)
	}
	io.WriteString(feed, "SELECT 1 AS one,\n")
	prompt("   -> ")
	intr <- os.Interrupt
	prompt("bxdb> ")
	io.WriteString(feed, "SELECT 2 AS two;\n")
	prompt("bxdb> ")
	feed.Close()
	<-done
	if o := out.String(); !strings.Contains(o, "| two |") || strings.Contains(o, "one") || errOut.Len() != len("\nERROR 1317 (70100): Query execution was interrupted\n") {
		t.Fatalf("after an interrupt at the prompt: out=%q err=%q", o, errOut.String())
	}
}

// TestShellSchemaTriggers: .schema prints triggers after the tables and
// views, in the order that recreates their firing order; .schema TABLE
// adds the table's triggers, .schema TRIGGER prints the trigger; the
// output, bodies with their semicolons, recreates them.
func TestShellSchemaTriggers(t *testing.T) {
	db := sqlDB(t,
		"CREATE TABLE t (id INT PRIMARY KEY, v INT)",
		"CREATE TABLE log (msg VARCHAR(50))",
		"CREATE VIEW lv AS SELECT msg FROM log",
		"CREATE TRIGGER t_b2 BEFORE INSERT ON t FOR EACH ROW SET NEW.v = NEW.v * 2",
		"CREATE TRIGGER t_b1 BEFORE INSERT ON t FOR EACH ROW PRECEDES t_b2 BEGIN\n  IF NEW.v < 0 THEN\n    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'negative; refused';\n  END IF;\nEND",
		"CREATE TRIGGER t1r1 UPDATE OF v ON t WHEN new.v > old.v BEGIN INSERT INTO log VALUES (CONCAT('up ', new.id)); END")
	rc, schema, e := runWith(strings.NewReader(".schema\n"), "shell", db)
	if rc != 0 || e != "" {
		t.Fatalf(".schema: rc=%d out=%q err=%q", rc, schema, e)
	}
	want := "CREATE TRIGGER `t_b1` BEFORE INSERT ON `t` FOR EACH ROW BEGIN\n  IF NEW.v < 0 THEN\n" +
		"    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'negative; refused';\n  END IF;\nEND;\n" +
		"CREATE TRIGGER `t_b2` BEFORE INSERT ON `t` FOR EACH ROW SET NEW.v = NEW.v * 2;\n" +
		"CREATE TRIGGER `t1r1` BEFORE UPDATE OF `v` ON `t` FOR EACH ROW WHEN new.v > old.v BEGIN INSERT INTO log VALUES (CONCAT('up ', new.id)); END;\n"
	if !strings.HasSuffix(schema, want) || !strings.Contains(schema, "CREATE VIEW `lv`") {
		t.Fatalf(".schema:\n%s\nwant it to end with:\n%s", schema, want)
	}
	if rc, out, e := runWith(strings.NewReader(".schema t\n"), "shell", db); rc != 0 || !strings.HasPrefix(out, "CREATE TABLE `t`") || !strings.HasSuffix(out, want) {
		t.Fatalf(".schema t: rc=%d out=%q err=%q", rc, out, e)
	}
	if rc, out, e := runWith(strings.NewReader(".schema T_B2\n"), "shell", db); rc != 0 || out != "CREATE TRIGGER `t_b2` BEFORE INSERT ON `t` FOR EACH ROW SET NEW.v = NEW.v * 2;\n" {
		t.Fatalf(".schema T_B2: rc=%d out=%q err=%q", rc, out, e)
	}
	copyDB := sqlDB(t)
	if rc, out, e := runWith(strings.NewReader(schema), "shell", copyDB); rc != 0 {
		t.Fatalf("running the .schema output: rc=%d out=%q err=%q", rc, out, e)
	}
	if _, again, _ := runWith(strings.NewReader(".schema\n"), "shell", copyDB); again != schema {
		t.Fatalf(".schema of the copy:\n%s\nwant:\n%s", again, schema)
	}
	// The copy's triggers work: t_b1 refuses, t_b2 doubles, t1r1 logs.
	rc, out, e := runWith(strings.NewReader("INSERT INTO t VALUES (1, -1);\n"), "shell", copyDB)
	if rc != 1 || !strings.Contains(e, "ERROR 1644 (45000) at line 1: negative; refused") {
		t.Fatalf("refused insert: rc=%d out=%q err=%q", rc, out, e)
	}
	rc, out, e = runWith(strings.NewReader("INSERT INTO t VALUES (1, 5);\nSELECT v FROM t;\nUPDATE t SET v = 20;\nSELECT msg FROM log;\n"), "shell", copyDB)
	if rc != 0 || !strings.Contains(out, "| 10 |") || !strings.Contains(out, "| up 1 |") {
		t.Fatalf("triggers of the copy: rc=%d out=%q err=%q", rc, out, e)
	}
}

// TestShellDatetimeMidnight: a DATETIME or TIMESTAMP at midnight shows its
// time (the column type says it has one); a DATE shows the date alone.
func TestShellDatetimeMidnight(t *testing.T) {
	db := sqlDB(t, "CREATE TABLE d (id INT PRIMARY KEY, a DATE, b DATETIME, c TIMESTAMP)",
		"INSERT INTO d VALUES (1, '2024-01-05', '2024-01-05 00:00:00', '2024-01-06 00:00:00')")
	rc, out, e := runWith(nil, "shell", "-c", "SELECT a, b, c FROM d", db)
	want := "" +
		"+------------+---------------------+---------------------+\n" +
		"| a          | b                   | c                   |\n" +
		"+------------+---------------------+---------------------+\n" +
		"| 2024-01-05 | 2024-01-05 00:00:00 | 2024-01-06 00:00:00 |\n" +
		"+------------+---------------------+---------------------+\n"
	if rc != 0 || !strings.HasPrefix(out, want) {
		t.Fatalf("rc=%d err=%q out:\n%s\nwant:\n%s", rc, e, out, want)
	}
}

// TestShellExecutePrepared: EXECUTE prints the rows of a PREPAREd query
// (from a literal or a variable) and the row count of other statements.
func TestShellExecutePrepared(t *testing.T) {
	db := sqlDB(t, "CREATE TABLE t (id INT PRIMARY KEY)")
	script := "PREPARE ins FROM 'INSERT INTO t VALUES (?)';\nSET @n = 7;\nEXECUTE ins USING @n;\n" +
		"SET @q = 'SELECT id * 2 AS twice FROM t';\nPREPARE q FROM @q;\nEXECUTE q;\nDEALLOCATE PREPARE q;\n"
	rc, out, e := runWith(strings.NewReader(script), "shell", db)
	if rc != 0 || e != "" {
		t.Fatalf("rc=%d err=%q", rc, e)
	}
	if !strings.Contains(out, "OK, 1 row affected") || !strings.Contains(out, "| twice |") || !strings.Contains(out, "| 14    |") {
		t.Fatalf("output:\n%s", out)
	}
}
