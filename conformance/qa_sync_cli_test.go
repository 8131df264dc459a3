package conformance

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func qaDump(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteByte('|')
			}
			if v.Valid {
				b.WriteString(v.String)
			} else {
				b.WriteString("NULL")
			}
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func qaExec(t *testing.T, db *sql.DB, qs ...string) {
	t.Helper()
	for _, q := range qs {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// qaSyncPair serves one database and opens another; sync runs SYNC
// TABLE from the second against the first.
func qaSyncPair(t *testing.T) (server, local *sql.DB, sync func(table string) error) {
	t.Helper()
	dir := t.TempDir()
	peer := serveDB(t, filepath.Join(dir, "s.bxdb"))
	local = ctOpen(t, filepath.Join(dir, "l.bxdb"))
	url := "bxdb://" + peer.addr
	return peer.db, local, func(table string) error {
		_, err := local.Exec(fmt.Sprintf("SYNC TABLE %s WITH '%s'", table, url))
		return err
	}
}

// qaSame checks that query gives the same rows on both databases, and
// returns them.
func qaSame(t *testing.T, a, b *sql.DB, query string) string {
	t.Helper()
	ra, rb := qaDump(t, a, query), qaDump(t, b, query)
	if ra != rb {
		t.Errorf("%s differs:\n%s\nand\n%s", query, ra, rb)
	}
	return ra
}

// TestQASyncCollations: keys that only a case-sensitive or binary
// collation keeps apart ('a' and 'A', 'a' and 'a ' without PAD SPACE)
// synchronize as distinct rows, in primary keys (also DESC and
// composite) and UNIQUE indexes; a second SYNC ships nothing; tables whose
// key columns have other collations are refused as another definition,
// while a different table default alone is no difference.
func TestQASyncCollations(t *testing.T) {
	server, local, sync := qaSyncPair(t)
	for i, coll := range []string{"utf8mb4_bin", "utf8mb4_0900_bin", "utf8mb4_0900_as_cs", "latin1_general_cs", "binary"} {
		tb := fmt.Sprintf("c%d", i)
		cs := ""
		if strings.HasPrefix(coll, "latin1") {
			cs = "CHARACTER SET latin1 "
		}
		def := fmt.Sprintf("CREATE TABLE %s (k VARCHAR(20) %sCOLLATE %s, n INT, u VARCHAR(10) %sCOLLATE %s, "+
			"PRIMARY KEY (k DESC, n), UNIQUE KEY (u))", tb, cs, coll, cs, coll)
		qaExec(t, local, def, "INSERT INTO "+tb+" VALUES ('a', 1, 'a'), ('b', 1, 'b')")
		qaExec(t, server, def, "INSERT INTO "+tb+" VALUES ('A', 1, 'A'), ('B', 1, 'B'), ('a ', 1, 'c')")
		if err := sync(tb); err != nil {
			t.Fatalf("%s: %v", coll, err)
		}
		got := qaSame(t, local, server, "SELECT CONCAT('[', k, ']'), n, u FROM "+tb+" ORDER BY BINARY k, n")
		want := "[A]|1|A\n[B]|1|B\n[a]|1|a\n[a ]|1|c\n[b]|1|b\n"
		if strings.HasSuffix(coll, "_cs") && !strings.Contains(coll, "0900") || coll == "utf8mb4_bin" {
			// PAD SPACE: 'a ' is the key 'a', and the newer row wins.
			want = "[A]|1|A\n[B]|1|B\n[a ]|1|c\n[b]|1|b\n"
		}
		if got != want {
			t.Errorf("%s: rows\n%swant\n%s", coll, got, want)
		}
		for _, db := range []*sql.DB{local, server} {
			if got := qaDump(t, db, "SELECT COUNT(*) FROM "+tb+" WHERE u = 'A'"); got != "1\n" {
				t.Errorf("%s: lookup by the UNIQUE key: %s", coll, got)
			}
			if got := qaDump(t, db, "CHECK TABLE "+tb); !strings.HasSuffix(got, "|status|OK\n") {
				t.Errorf("%s: %s", coll, got)
			}
		}
		if err := sync(tb); err != nil {
			t.Fatal(err)
		}
	}
	// A case-insensitive UNIQUE index still refuses what differs in case.
	for _, db := range []*sql.DB{local, server} {
		qaExec(t, db, "CREATE TABLE u (k VARCHAR(5) COLLATE utf8mb4_bin PRIMARY KEY, s VARCHAR(5), UNIQUE KEY (s))")
	}
	qaExec(t, local, "INSERT INTO u VALUES ('a', 'x')")
	qaExec(t, server, "INSERT INTO u VALUES ('A', 'X')")
	if err := sync("u"); err == nil || !strings.Contains(err.Error(), "1062") {
		t.Errorf("SYNC of a case-insensitive duplicate: %v", err)
	}
	// Other collations are other definitions.
	for i, pair := range [][2]string{
		{"(k VARCHAR(20) PRIMARY KEY)", "(k VARCHAR(20) COLLATE utf8mb4_bin PRIMARY KEY)"},
		{"(k VARCHAR(20) PRIMARY KEY) COLLATE utf8mb4_bin", "(k VARCHAR(20) PRIMARY KEY)"},
		{"(id INT PRIMARY KEY, s VARCHAR(5) COLLATE utf8mb4_general_ci)", "(id INT PRIMARY KEY, s VARCHAR(5))"},
	} {
		tb := fmt.Sprintf("d%d", i)
		qaExec(t, local, "CREATE TABLE "+tb+" "+pair[0])
		qaExec(t, server, "CREATE TABLE "+tb+" "+pair[1])
		if err := sync(tb); err == nil || !strings.Contains(err.Error(), "has another definition") {
			t.Errorf("%v: %v", pair, err)
		}
	}
	// The same column collations, however declared, are the same.
	for i, pair := range [][2]string{
		{"(k VARCHAR(5) PRIMARY KEY) COLLATE utf8mb4_bin", "(k VARCHAR(5) COLLATE utf8mb4_bin PRIMARY KEY)"},
		{"(k VARCHAR(5) BINARY PRIMARY KEY)", "(k VARCHAR(5) COLLATE utf8mb4_bin PRIMARY KEY)"},
		{"(k VARCHAR(5) COLLATE utf8mb4_0900_ai_ci PRIMARY KEY) COLLATE utf8mb4_bin", "(k VARCHAR(5) PRIMARY KEY)"},
	} {
		tb := fmt.Sprintf("e%d", i)
		qaExec(t, local, "CREATE TABLE "+tb+" "+pair[0], "INSERT INTO "+tb+" VALUES ('q')")
		qaExec(t, server, "CREATE TABLE "+tb+" "+pair[1])
		if err := sync(tb); err != nil {
			t.Errorf("%v: %v", pair, err)
		}
		qaSame(t, local, server, "SELECT k FROM "+tb)
	}
	// ALTER TABLE ... MODIFY COLLATE on both sides.
	for _, db := range []*sql.DB{local, server} {
		qaExec(t, db, "CREATE TABLE mc (k VARCHAR(20) PRIMARY KEY, v INT)",
			"ALTER TABLE mc MODIFY k VARCHAR(20) COLLATE utf8mb4_bin")
	}
	qaExec(t, local, "INSERT INTO mc VALUES ('x', 1), ('X', 2)")
	if err := sync("mc"); err != nil {
		t.Fatal(err)
	}
	if got := qaSame(t, local, server, "SELECT k, v FROM mc ORDER BY BINARY k"); got != "X|2\nx|1\n" {
		t.Errorf("mc: %q", got)
	}
}

// TestQASyncForeignKeys: SYNC TABLE stores rows without foreign key
// checks or cascades (the peer made them): a child table's rows arrive
// where their parents are missing, and a parent's cascaded deletion
// reaches the peer's child table with the child table's own SYNC.
func TestQASyncForeignKeys(t *testing.T) {
	server, local, sync := qaSyncPair(t)
	for _, db := range []*sql.DB{local, server} {
		qaExec(t, db, "CREATE TABLE p (k VARCHAR(5) COLLATE utf8mb4_bin PRIMARY KEY)",
			"CREATE TABLE c (id INT PRIMARY KEY, pk VARCHAR(5) COLLATE utf8mb4_bin, FOREIGN KEY (pk) REFERENCES p(k) ON DELETE CASCADE)")
	}
	qaExec(t, local, "INSERT INTO p VALUES ('a'), ('A')", "INSERT INTO c VALUES (1, 'a'), (2, 'A')")
	if err := sync("c"); err != nil {
		t.Fatal(err)
	}
	if got := qaDump(t, server, "SELECT id, pk FROM c ORDER BY id"); got != "1|a\n2|A\n" {
		t.Errorf("child rows without parents: %q", got)
	}
	if got := qaDump(t, server, "SELECT COUNT(*) FROM p"); got != "0\n" {
		t.Errorf("parents: %q", got)
	}
	if err := sync("p"); err != nil {
		t.Fatal(err)
	}
	qaExec(t, local, "DELETE FROM p WHERE k = 'a'")
	if got := qaDump(t, local, "SELECT id FROM c"); got != "2\n" {
		t.Fatalf("cascade: %q", got)
	}
	if err := sync("p"); err != nil {
		t.Fatal(err)
	}
	// The parent's tombstone does not cascade on the peer...
	if got := qaDump(t, server, "SELECT k FROM p"); got != "A\n" {
		t.Errorf("parents after SYNC: %q", got)
	}
	if got := qaDump(t, server, "SELECT id FROM c ORDER BY id"); got != "1\n2\n" {
		t.Errorf("children after the parent's SYNC: %q", got)
	}
	// ...the cascade's tombstone travels with the child table.
	if err := sync("c"); err != nil {
		t.Fatal(err)
	}
	if got := qaDump(t, server, "SELECT id FROM c"); got != "2\n" {
		t.Errorf("children after the child's SYNC: %q", got)
	}
	// The peer's FK still works after the synchronization.
	if _, err := server.Exec("INSERT INTO c VALUES (3, 'a')"); err == nil || !strings.Contains(err.Error(), "1452") {
		t.Errorf("orphan insert on the peer: %v", err)
	}
}

// TestQASyncTypes: JSON (normalized on storage), ENUM and SET, DECIMAL,
// DATETIME(6) and values larger than a frame synchronize unchanged, also
// in a composite primary key of ENUM, DECIMAL and DATETIME(6).
func TestQASyncTypes(t *testing.T) {
	server, local, sync := qaSyncPair(t)
	for _, db := range []*sql.DB{local, server} {
		qaExec(t, db, "CREATE TABLE m (id INT PRIMARY KEY, j JSON, e ENUM('x','y','z'), s SET('a','b','c'), "+
			"d DECIMAL(30,10), t DATETIME(6), b LONGBLOB, tx LONGTEXT)",
			"CREATE TABLE k (e ENUM('a','A','b') COLLATE utf8mb4_bin, d DECIMAL(20,6), t DATETIME(6), PRIMARY KEY (e, d, t))")
	}
	qaExec(t, local, `INSERT INTO m VALUES (1, '{"b":1,  "a":[1, 2.0, "x"]}', 'y', 'a,c', 12345678901234567890.0123456789, `+
		`'2026-12-06 10:11:12.123456', REPEAT('x', 5000000), REPEAT('é', 3000000))`,
		"INSERT INTO k VALUES ('a', 1.5, '2026-01-01 00:00:00.000001'), ('A', -1.5, '2026-01-01')")
	qaExec(t, server, `INSERT INTO m VALUES (2, '{"z": null}', 'z', '', -0.0000000001, '1000-01-01 00:00:00.000001', '', NULL)`,
		"INSERT INTO k VALUES ('a', 1.500000, '2026-01-01 00:00:00.000002'), ('b', 0, '1970-01-01')")
	for _, tb := range []string{"m", "k"} {
		if err := sync(tb); err != nil {
			t.Fatal(err)
		}
	}
	got := qaSame(t, local, server, "SELECT id, j, JSON_EXTRACT(j, '$.a[1]'), e, s, d, t, LENGTH(b), MD5(b), CHAR_LENGTH(tx), MD5(tx) FROM m ORDER BY id")
	if !strings.HasPrefix(got, `1|{"a": [1, 2.0, "x"], "b": 1}|2.0|y|a,c|12345678901234567890.0123456789|2026-12-06T10:11:12.123456Z|5000000|`) ||
		!strings.Contains(got, "|3000000|") || !strings.Contains(got, "\n2|{\"z\": null}|NULL|z||-0.0000000001|1000-01-01T00:00:00.000001Z|0|") {
		t.Errorf("m:\n%s", got)
	}
	if got := qaSame(t, local, server, "SELECT e, d, t FROM k ORDER BY e, d, t"); strings.Count(got, "\n") != 4 {
		t.Errorf("k:\n%s", got)
	}
	if err := sync("m"); err != nil {
		t.Fatal(err)
	}
}

// TestQAKillFKCollation kills a process that creates tables with foreign
// keys and collated keys, alters their collations and writes through
// cascades, at random moments, and reopens the file: the catalog must be
// intact (every table the child reported has its definition, CHECK TABLE
// passes), no child row is left without its parent, and _bin keys still
// keep 'a' and 'A' apart.
func TestQAKillFKCollation(t *testing.T) {
	if os.Getenv(ctChildEnv) == "qakill" {
		qaKillChild()
		return
	}
	if testing.Short() {
		t.Skip("process-kill test skipped in -short mode")
	}
	path := ctPath(t)
	db, err := sql.Open("bxdb", path)
	if err != nil {
		t.Fatal(err)
	}
	ctExec(t, db, "CREATE TABLE par (k VARCHAR(10) COLLATE utf8mb4_bin PRIMARY KEY, n INT) DEFAULT COLLATE utf8mb4_bin")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	done := -1
	for round := 0; round < 6; round++ {
		cmd, lines, stderr := startChild(t, "TestQAKillFKCollation", ctChildEnv+"=qakill", "BXDB_KILL_DSN="+path, "BXDB_KILL_FIRST="+strconv.Itoa(done+1))
		timer := time.After(time.Duration(50+rng.IntN(300)) * time.Millisecond)
	wait:
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatalf("child exited by itself: %s", stderr.String())
				}
				if n, ok := strings.CutPrefix(line, "DONE "); ok {
					done, _ = strconv.Atoi(n)
				}
			case <-timer:
				break wait
			}
		}
		cmd.Process.Kill()
		for line := range lines {
			if n, ok := strings.CutPrefix(line, "DONE "); ok {
				done, _ = strconv.Atoi(n)
			}
		}
		cmd.Wait()
		qaKillVerify(t, path, done)
		if t.Failed() {
			t.Fatalf("round %d, %d done; child stderr: %s", round, done, stderr.String())
		}
	}
	t.Logf("%d steps done", done+1)
	if done < 1 {
		t.Errorf("the child finished %d steps: the test tested little", done+1)
	}
}

// qaKillSteps is what the child does in step i (and the definition its
// table ends with).
func qaKillSteps(i int) []string {
	c := fmt.Sprintf("ch%d", i)
	return []string{
		fmt.Sprintf("INSERT INTO par VALUES ('k%d', %d), ('K%d', %d)", i, i, i, -i),
		fmt.Sprintf("CREATE TABLE %s (id INT PRIMARY KEY, pk VARCHAR(10), s VARCHAR(10) COLLATE latin1_general_cs, UNIQUE KEY (s), "+
			"CONSTRAINT %s_fk FOREIGN KEY (pk) REFERENCES par(k) ON DELETE CASCADE ON UPDATE CASCADE) COLLATE utf8mb4_bin", c, c),
		fmt.Sprintf("INSERT INTO %s VALUES (1, 'k%d', 'a'), (2, 'K%d', 'A'), (3, 'k%d', 'b')", c, i, i, i),
		fmt.Sprintf("ALTER TABLE %s MODIFY s VARCHAR(10) COLLATE utf8mb4_0900_as_cs", c),
		fmt.Sprintf("UPDATE par SET k = 'x%d' WHERE k = 'K%d'", i, i),
		fmt.Sprintf("DELETE FROM par WHERE k = 'k%d'", i),
	}
}

// qaKillWant is SHOW CREATE TABLE of a finished step's table.
const qaKillWant = "CREATE TABLE `ch%d` (\n  `id` int NOT NULL,\n  `pk` varchar(10) DEFAULT NULL,\n" +
	"  `s` varchar(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_as_cs DEFAULT NULL,\n  PRIMARY KEY (`id`),\n" +
	"  UNIQUE KEY `s` (`s`),\n  KEY `ch%d_fk` (`pk`),\n  CONSTRAINT `ch%d_fk` FOREIGN KEY (`pk`) REFERENCES `par` (`k`) ON DELETE CASCADE ON UPDATE CASCADE\n" +
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"

func qaKillChild() {
	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "qakill child: "+format+"\n", args...)
		os.Exit(3)
	}
	first, _ := strconv.Atoi(os.Getenv("BXDB_KILL_FIRST"))
	db, err := sql.Open("bxdb", os.Getenv("BXDB_KILL_DSN"))
	if err != nil {
		fail("open: %v", err)
	}
	deadline := time.Now().Add(time.Minute)
	for i := first; time.Now().Before(deadline); i++ {
		steps := qaKillSteps(i)
		if i == first {
			// What the previous child's interrupted step left.
			steps = append([]string{fmt.Sprintf("DROP TABLE IF EXISTS ch%d", i),
				fmt.Sprintf("DELETE FROM par WHERE n IN (%d, %d)", i, -i)}, steps...)
		}
		for _, q := range steps {
			if _, err := db.Exec(q); err != nil {
				fail("%s: %v", q, err)
			}
		}
		fmt.Printf("DONE %d\n", i)
	}
	os.Exit(0)
}

// qaKillVerify reopens the file after a kill and checks it.
func qaKillVerify(t *testing.T, path string, done int) {
	t.Helper()
	db, err := sql.Open("bxdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := 0; i <= done; i++ {
		var name, create string
		if err := db.QueryRow(fmt.Sprintf("SHOW CREATE TABLE ch%d", i)).Scan(&name, &create); err != nil {
			t.Fatalf("step %d done, table: %v", i, err)
		}
		if want := fmt.Sprintf(qaKillWant, i, i, i); create != want {
			t.Errorf("ch%d:\n%s\nwant\n%s", i, create, want)
		}
		got := qaDump(t, db, fmt.Sprintf("SELECT id, pk, s FROM ch%d ORDER BY id", i))
		if want := fmt.Sprintf("2|x%d|A\n", i); got != want {
			t.Errorf("ch%d rows %q, want %q", i, got, want)
		}
	}
	// Every table, also one a kill left half made, passes CHECK TABLE and
	// has no orphans.
	for _, r := range ctQueryAll(t, db, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()") {
		tb := fmt.Sprint(r[0])
		if got := qaDump(t, db, "CHECK TABLE "+tb); !strings.HasSuffix(got, "|check|status|OK\n") {
			t.Errorf("CHECK TABLE %s: %s", tb, got)
		}
		if tb != "par" {
			if got := qaDump(t, db, "SELECT COUNT(*) FROM "+tb+" c LEFT JOIN par p ON p.k = c.pk WHERE c.pk IS NOT NULL AND p.k IS NULL"); got != "0\n" {
				t.Errorf("%s: %s orphans", tb, got)
			}
		}
	}
	if got := qaDump(t, db, "SELECT COUNT(*) FROM par WHERE k = 'x0' OR k = 'X0'"); done >= 0 && got != "1\n" {
		t.Errorf("_bin key lookup: %s", got)
	}
}
