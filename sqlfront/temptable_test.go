package sqlfront

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
)

// tempStep is one statement of a temporary table scenario: run by session
// s (0 or 1); a query's rows (as fmt.Sprint prints querySQL's) are want,
// a statement's error contains err ("" for none), "-" skips the check.
type tempStep struct {
	s    int
	sql  string
	want string
	err  string
}

// runTempSteps runs steps on two sessions of e.
func runTempSteps(t *testing.T, e *Engine, steps []tempStep) {
	t.Helper()
	ss := []*Session{e.NewSession(), e.NewSession()}
	defer ss[0].Close()
	defer ss[1].Close()
	for i, st := range steps {
		s := ss[st.s]
		up := strings.ToUpper(strings.TrimSpace(st.sql))
		isQuery := strings.HasPrefix(up, "SELECT") || strings.HasPrefix(up, "SHOW") || strings.HasPrefix(up, "WITH")
		if st.err != "" {
			err := stmtErr(t, s, st.sql)
			if err == nil || !strings.Contains(err.Error(), st.err) {
				t.Fatalf("step %d (%s): error %v, want %q", i, st.sql, err, st.err)
			}
			continue
		}
		if isQuery {
			got := fmt.Sprint(querySQL(t, s, st.sql))
			if st.want != "-" && got != st.want {
				t.Fatalf("step %d (%s):\ngot  %s\nwant %s", i, st.sql, got, st.want)
			}
			continue
		}
		execSQL(t, s, st.sql)
	}
}

var tempTableTests = []struct {
	name  string
	steps []tempStep
}{
	{"create insert select", []tempStep{
		{0, "CREATE TEMPORARY TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(10), KEY (v))", "", ""},
		{0, "INSERT INTO t (v) VALUES ('a'), ('b'), ('c')", "", ""},
		{0, "SELECT id, v FROM t ORDER BY id", "[[1 a] [2 b] [3 c]]", ""},
		{0, "SELECT id FROM t WHERE id = 2", "[[2]]", ""},
		{0, "SELECT id FROM t WHERE v = 'c'", "[[3]]", ""},
		{0, "UPDATE t SET v = 'z' WHERE id = 1", "", ""},
		{0, "DELETE FROM t WHERE id = 2", "", ""},
		{0, "SELECT id, v FROM t ORDER BY id", "[[1 z] [3 c]]", ""},
		{1, "SELECT * FROM t", "", "Table 'test.t' doesn't exist"},
		{0, "SHOW TABLES", "[]", ""},
		{0, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_NAME = 't'", "[[0]]", ""},
		{0, "DROP TEMPORARY TABLE t", "", ""},
		{0, "SELECT * FROM t", "", "doesn't exist"},
	}},
	{"shadows permanent", []tempStep{
		{0, "CREATE TABLE t (a INT)", "", ""},
		{0, "INSERT INTO t VALUES (1), (2)", "", ""},
		{0, "CREATE TEMPORARY TABLE t (a INT, b INT)", "", ""},
		{0, "INSERT INTO t VALUES (10, 20)", "", ""},
		{0, "SELECT * FROM t", "[[10 20]]", ""},
		{1, "SELECT * FROM t ORDER BY a", "[[1] [2]]", ""},
		{1, "INSERT INTO t VALUES (3)", "", ""},
		{0, "SELECT * FROM t", "[[10 20]]", ""},
		{0, "SHOW TABLES", "[[t]]", ""},
		{0, "CREATE TABLE t (x INT)", "", "already exists"},
		{0, "CREATE TEMPORARY TABLE t (x INT)", "", "already exists"},
		{0, "CREATE TEMPORARY TABLE IF NOT EXISTS t (x INT)", "", ""},
		{0, "DROP TABLE t", "", ""}, // the temporary one
		{0, "SELECT * FROM t ORDER BY a", "[[1] [2] [3]]", ""},
		{0, "DROP TEMPORARY TABLE t", "", "Unknown table 'test.t'"},
		{0, "DROP TEMPORARY TABLE IF EXISTS t", "", ""},
		{0, "SELECT COUNT(*) FROM t", "[[3]]", ""},
	}},
	{"two sessions same name", []tempStep{
		{0, "CREATE TEMPORARY TABLE t (a INT)", "", ""},
		{1, "CREATE TEMPORARY TABLE t (a INT, b VARCHAR(5))", "", ""},
		{0, "INSERT INTO t VALUES (1)", "", ""},
		{1, "INSERT INTO t VALUES (2, 'x'), (3, 'y')", "", ""},
		{0, "SELECT * FROM t", "[[1]]", ""},
		{1, "SELECT * FROM t ORDER BY a", "[[2 x] [3 y]]", ""},
	}},
	{"as select and like", []tempStep{
		{0, "CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(10) NOT NULL, UNIQUE KEY un (name))", "", ""},
		{0, "INSERT INTO p VALUES (1, 'a'), (2, 'b'), (3, 'c')", "", ""},
		{0, "CREATE TEMPORARY TABLE s AS SELECT id, name FROM p WHERE id > 1", "", ""},
		{0, "SELECT * FROM s ORDER BY id", "[[2 b] [3 c]]", ""},
		{0, "CREATE TEMPORARY TABLE s2 SELECT COUNT(*) AS n FROM p", "", ""},
		{0, "SELECT n FROM s2", "[[3]]", ""},
		{0, "CREATE TEMPORARY TABLE l LIKE p", "", ""},
		{0, "INSERT INTO l SELECT * FROM p WHERE id <> 2", "", ""},
		{0, "INSERT INTO l VALUES (9, 'a')", "", "Duplicate entry"},
		{0, "SELECT * FROM l ORDER BY id", "[[1 a] [3 c]]", ""},
		{0, "SHOW CREATE TABLE l", "[[l CREATE TEMPORARY TABLE `l` (\n  `id` int NOT NULL,\n  `name` varchar(10) NOT NULL,\n  PRIMARY KEY (`id`),\n  UNIQUE KEY `un` (`name`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci]]", ""},
		{0, "CREATE TABLE perm LIKE l", "", ""},
		{0, "SHOW TABLES", "[[p] [perm]]", ""},
		{1, "SELECT COUNT(*) FROM perm", "[[0]]", ""},
		{1, "SELECT * FROM s", "", "doesn't exist"},
	}},
	{"as select of the table it hides", []tempStep{
		{0, "CREATE TABLE t (a INT PRIMARY KEY)", "", ""},
		{0, "INSERT INTO t VALUES (1), (2), (3)", "", ""},
		{0, "CREATE TEMPORARY TABLE t AS SELECT a * 10 AS a FROM t WHERE a > 1", "", ""},
		{0, "SELECT a FROM t ORDER BY a", "[[20] [30]]", ""},
		{0, "INSERT INTO t SELECT a + 1 FROM t", "", ""},
		{0, "SELECT a FROM t ORDER BY a", "[[20] [21] [30] [31]]", ""},
		{1, "SELECT a FROM t ORDER BY a", "[[1] [2] [3]]", ""},
		{0, "RENAME TABLE t TO r", "", ""},
		{0, "SELECT a FROM t ORDER BY a", "[[1] [2] [3]]", ""},
		{0, "SELECT COUNT(*) FROM r", "[[4]]", ""},
		{0, "SYNC TABLE r WITH 'bxdb://127.0.0.1:1'", "", "temporary table"},
		{0, "CREATE TEMPORARY TABLE p (a INT PRIMARY KEY)", "", ""},
		{0, "CREATE TABLE c (a INT, FOREIGN KEY (a) REFERENCES p (a))", "", "Failed to open the referenced table 'p'"},
	}},
	{"joins and subqueries", []tempStep{
		{0, "CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(10))", "", ""},
		{0, "INSERT INTO p VALUES (1, 'a'), (2, 'b'), (3, 'c')", "", ""},
		{0, "CREATE TEMPORARY TABLE ids (id INT PRIMARY KEY)", "", ""},
		{0, "INSERT INTO ids VALUES (1), (3)", "", ""},
		{0, "SELECT p.name FROM p JOIN ids ON ids.id = p.id ORDER BY p.name", "[[a] [c]]", ""},
		{0, "SELECT name FROM p WHERE id IN (SELECT id FROM ids) ORDER BY name", "[[a] [c]]", ""},
		{0, "SELECT name FROM p WHERE NOT EXISTS (SELECT 1 FROM ids WHERE ids.id = p.id)", "[[b]]", ""},
		{0, "UPDATE p JOIN ids ON ids.id = p.id SET p.name = 'x'", "", ""},
		{0, "DELETE FROM ids WHERE id IN (SELECT id FROM p WHERE name = 'x' AND id = 3)", "", ""},
		{0, "SELECT id FROM ids", "[[1]]", ""},
		{1, "SELECT name FROM p ORDER BY id", "[[x] [b] [x]]", ""},
	}},
	{"ddl on temporary", []tempStep{
		{0, "CREATE TEMPORARY TABLE t (a INT, b INT)", "", ""},
		{0, "INSERT INTO t VALUES (1, 10), (2, 20)", "", ""},
		{0, "CREATE INDEX ib ON t (b)", "", ""},
		{0, "ALTER TABLE t ADD COLUMN c VARCHAR(5) DEFAULT 'q'", "", ""},
		{0, "ALTER TABLE t MODIFY a BIGINT NOT NULL, ADD PRIMARY KEY (a)", "", ""},
		{0, "SELECT * FROM t WHERE b = 20", "[[2 20 q]]", ""},
		{0, "ALTER TABLE t RENAME TO u", "", ""},
		{0, "SELECT * FROM t", "", "doesn't exist"},
		{0, "SELECT a FROM u ORDER BY a", "[[1] [2]]", ""},
		{0, "TRUNCATE TABLE u", "", ""},
		{0, "SELECT COUNT(*) FROM u", "[[0]]", ""},
		{0, "SHOW CREATE TABLE u", "-", ""},
		{0, "SHOW TABLES", "[]", ""},
		{1, "SELECT * FROM u", "", "doesn't exist"},
		{0, "CREATE TRIGGER tr BEFORE INSERT ON u FOR EACH ROW SET NEW.b = 1", "", "is view or temporary table"},
		{0, "CREATE VIEW v AS SELECT a FROM u", "", "View's SELECT refers to a temporary table 'u'"},
		{0, "CREATE TEMPORARY TABLE c (a INT, FOREIGN KEY (a) REFERENCES u (a))", "", "Cannot add foreign key constraint"},
	}},
	{"transactions", []tempStep{
		{0, "CREATE TEMPORARY TABLE t (a INT)", "", ""},
		{0, "BEGIN", "", ""},
		{0, "INSERT INTO t VALUES (1)", "", ""},
		{0, "ROLLBACK", "", ""},
		{0, "SELECT COUNT(*) FROM t", "[[0]]", ""},
		{0, "BEGIN", "", ""},
		{0, "INSERT INTO t VALUES (2)", "", ""},
		{0, "CREATE TEMPORARY TABLE u (b INT)", "", ""},
		{0, "INSERT INTO u VALUES (5)", "", ""},
		{0, "SELECT b FROM u", "[[5]]", ""},
		{0, "ROLLBACK", "", ""},
		{0, "SELECT * FROM u", "", "doesn't exist"},
		{0, "BEGIN", "", ""},
		{0, "CREATE TEMPORARY TABLE u (b INT)", "", ""},
		{0, "SAVEPOINT sp", "", ""},
		{0, "DROP TEMPORARY TABLE t", "", ""},
		{0, "CREATE TEMPORARY TABLE w (c INT)", "", ""},
		{0, "ROLLBACK TO SAVEPOINT sp", "", ""},
		{0, "SELECT COUNT(*) FROM t", "[[0]]", ""},
		{0, "SELECT * FROM w", "", "doesn't exist"},
		{0, "INSERT INTO u VALUES (7)", "", ""},
		{0, "COMMIT", "", ""},
		{0, "SELECT b FROM u", "[[7]]", ""},
		{0, "SELECT COUNT(*) FROM t", "[[0]]", ""},
		{1, "SELECT * FROM u", "", "doesn't exist"},
	}},
	{"views and triggers keep to permanent tables", []tempStep{
		{0, "CREATE TABLE t (a INT)", "", ""},
		{0, "CREATE TABLE log (a INT)", "", ""},
		{0, "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW INSERT INTO log VALUES (NEW.a)", "", ""},
		{0, "CREATE VIEW v AS SELECT a FROM t", "", ""},
		{0, "CREATE TEMPORARY TABLE t (a INT)", "", ""},
		{0, "INSERT INTO t VALUES (1)", "", ""}, // fires nothing
		{0, "SELECT COUNT(*) FROM log", "[[0]]", ""},
		{0, "SHOW TRIGGERS", "-", ""},
		{0, "DROP TABLE t", "", ""},
		{0, "INSERT INTO t VALUES (2)", "", ""},
		{0, "SELECT a FROM log", "[[2]]", ""},
		{0, "CREATE TEMPORARY TABLE v (x INT)", "", ""},
		{0, "INSERT INTO v VALUES (9)", "", ""},
		{0, "SELECT * FROM v", "[[9]]", ""},
		{1, "SELECT * FROM v", "[[2]]", ""},
	}},
}

func TestTemporaryTables(t *testing.T) {
	for _, tc := range tempTableTests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Open("test.bxdb", &Options{FS: bedrock.NewMemFS()})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			runTempSteps(t, e, tc.steps)
		})
	}
}

// tempTrees returns the names of the temporary tables' trees in e's
// store and its temporary AUTO_INCREMENT counters.
func tempTrees(t *testing.T, e *Engine) []string {
	t.Helper()
	tx, err := e.store.Begin(false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	names, err := bxtree.Names(tx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range names {
		if isTempTree(n) {
			out = append(out, n)
		}
	}
	at, err := bxtree.Open(tx, autoincTree, eagerTree())
	if err != nil {
		t.Fatal(err)
	}
	c := at.Range(autoKey(tempIDBase), nil)
	for ok := c.First(); ok; ok = c.Next() {
		out = append(out, fmt.Sprintf("autoinc %x", c.Key()))
	}
	return out
}

// TestTemporaryTablesEnd: closing the session drops its temporary tables
// (trees and counters); what a crash or an engine closed with the session
// open leaves is dropped at the next open.
func TestTemporaryTablesEnd(t *testing.T) {
	fs := bedrock.NewMemFS()
	e, err := Open("tmp.bxdb", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE keep (a INT)")
	execSQL(t, s, "CREATE TEMPORARY TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v INT, KEY (v))")
	execSQL(t, s, "INSERT INTO t (v) VALUES (1), (2)")
	if got := tempTrees(t, e); len(got) != 3 {
		t.Fatalf("temporary trees %v, want a row tree, an index tree and a counter", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := tempTrees(t, e); len(got) != 0 {
		t.Fatalf("after Close: %v", got)
	}
	// The engine closes with a session holding a temporary table.
	s = e.NewSession()
	execSQL(t, s, "CREATE TEMPORARY TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)")
	execSQL(t, s, "INSERT INTO t (v) VALUES (1)")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if e, err = Open("tmp.bxdb", &Options{FS: fs}); err != nil {
		t.Fatal(err)
	}
	if got := tempTrees(t, e); len(got) != 0 {
		t.Fatalf("after reopen: %v", got)
	}
	s = e.NewSession()
	if err := stmtErr(t, s, "SELECT * FROM t"); err == nil {
		t.Fatal("temporary table survived a reopen")
	}
	// A crash.
	execSQL(t, s, "CREATE TEMPORARY TABLE t (v INT)")
	execSQL(t, s, "INSERT INTO t VALUES (1)")
	if got := tempTrees(t, e); len(got) != 1 {
		t.Fatalf("temporary trees %v", got)
	}
	fs.Crash(nil)
	if e, err = Open("tmp.bxdb", &Options{FS: fs}); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if got := tempTrees(t, e); len(got) != 0 {
		t.Fatalf("after crash: %v", got)
	}
	s = e.NewSession()
	defer s.Close()
	checkQueries(t, s, []queryCase{{"SHOW TABLES", "[[keep]]"}})
	if err := stmtErr(t, s, "SELECT * FROM t"); err == nil {
		t.Fatal("temporary table survived a crash")
	}
}

// TestTemporaryTablesPreparedPlans: the plans a prepared statement caches
// (point SELECT, INSERT, point UPDATE) follow the table its name means in
// each session: a temporary table, the permanent one it hides, or a new
// temporary table of the same name.
func TestTemporaryTablesPreparedPlans(t *testing.T) {
	e := openTestEngine(t)
	s1, s2 := e.NewSession(), e.NewSession()
	defer s1.Close()
	defer s2.Close()
	execSQL(t, s1, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))")
	execSQL(t, s1, "INSERT INTO t VALUES (1, 'perm')")
	sel := "SELECT v FROM t WHERE id = 1"
	ins := "INSERT INTO t VALUES (?, ?)"
	upd := "UPDATE t SET v = ? WHERE id = 1"
	for round, want := range []string{"perm", "temp1", "perm", "temp2"} {
		switch round {
		case 1:
			execSQL(t, s1, "CREATE TEMPORARY TABLE t (id INT PRIMARY KEY, v VARCHAR(10))")
			execSQL(t, s1, ins, IntValue(1), StringValue("temp1"))
		case 2:
			execSQL(t, s1, "DROP TEMPORARY TABLE t")
		case 3:
			execSQL(t, s1, "CREATE TEMPORARY TABLE t (v VARCHAR(10), id INT PRIMARY KEY)")
			execSQL(t, s1, ins, StringValue("temp2"), IntValue(1))
		}
		for i := 0; i < 3; i++ {
			if got := fmt.Sprint(querySQL(t, s1, sel)); got != "[["+want+"]]" {
				t.Fatalf("round %d: %s: %s, want %s", round, sel, got, want)
			}
			if got := fmt.Sprint(querySQL(t, s2, sel)); got != "[[perm]]" {
				t.Fatalf("round %d: other session: %s", round, got)
			}
		}
	}
	execSQL(t, s1, upd, StringValue("u1"))
	execSQL(t, s2, upd, StringValue("u2"))
	checkQueries(t, s1, []queryCase{{sel, "[[u1]]"}})
	checkQueries(t, s2, []queryCase{{sel, "[[u2]]"}})
}
