package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
)

// makeDB creates a store with one tree of n records.
func makeDB(t *testing.T, path string, n int) {
	t.Helper()
	s, err := bedrock.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx, _ := s.Begin(true)
	tr, err := bxtree.Create(tx, "people", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := tr.Put([]byte(fmt.Sprintf("k%06d", i)), 1, bytes.Repeat([]byte{byte(i)}, 200)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func runCmd(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	rc := run(args, strings.NewReader(""), &out, &errOut)
	return rc, out.String(), errOut.String()
}

func TestCheckStatsBackup(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.bxdb")
	makeDB(t, db, 3000)
	if rc, out, e := runCmd("check", db); rc != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("check: rc=%d out=%q err=%q", rc, out, e)
	}
	rc, out, e := runCmd("stats", db)
	if rc != 0 || !strings.Contains(out, "people") || !strings.Contains(out, "3000 records") {
		t.Fatalf("stats: rc=%d out=%q err=%q", rc, out, e)
	}
	bak := filepath.Join(dir, "b.bxdb")
	if rc, _, e := runCmd("backup", db, bak); rc != 0 {
		t.Fatalf("backup: rc=%d err=%q", rc, e)
	}
	if rc, out, _ := runCmd("stats", bak); rc != 0 || !strings.Contains(out, "3000 records") {
		t.Fatalf("stats of backup: %q", out)
	}
	if rc, _, _ := runCmd("backup", db, bak); rc == 0 {
		t.Fatal("backup over an existing file succeeded")
	}
	// Damage one block-sized chunk of data in the middle of the file:
	// parity rebuilds every block touching it, check says so, -repair
	// writes them back, and the next check finds nothing to repair.
	clean, _ := os.ReadFile(db)
	st, _ := bedrock.Open(db, &bedrock.Options{ReadOnly: true})
	block := st.BlockSize()
	st.Close()
	damaged := slices.Clone(clean)
	chunk := 2*block + 2*16*block + 3*block // a data chunk of the third stripe (the first two hold the zones of small commits)
	for off := chunk; off < chunk+block; off += 512 {
		damaged[off+40] ^= 0xff
	}
	os.WriteFile(db, damaged, 0o644)
	if rc, out, e := runCmd("check", db); rc != 0 || !strings.Contains(out, "rebuilt from parity") || !strings.Contains(out, "no data lost") {
		t.Fatalf("check of a file parity can repair: rc=%d out=%q err=%q", rc, out, e)
	}
	if rc, out, e := runCmd("check", "-repair", db); rc != 0 || !strings.Contains(out, "rewritten") {
		t.Fatalf("check -repair: rc=%d out=%q err=%q", rc, out, e)
	}
	if rc, out, e := runCmd("check", db); rc != 0 || strings.Contains(out, "repaired") || !strings.HasSuffix(out, "ok\n") {
		t.Fatalf("check after repair: rc=%d out=%q err=%q", rc, out, e)
	}
	if rc, out, _ := runCmd("stats", db); rc != 0 || !strings.Contains(out, "3000 records") {
		t.Fatalf("stats after repair: %q", out)
	}
	// Lost redundancy only (a flipped byte in superblock slot 0 and in the
	// parity chunk of that stripe): check names both and finds no damage.
	clean, _ = os.ReadFile(db)
	damaged = slices.Clone(clean)
	damaged[100] ^= 0xff
	damaged[2*block+2*16*block+100] ^= 0xff
	os.WriteFile(db, damaged, 0o644)
	if rc, out, e := runCmd("check", db); rc != 0 || !strings.Contains(out, "superblock slot 0") || !strings.Contains(out, "parity: 1 stale stripes") || !strings.Contains(out, "no data lost") {
		t.Fatalf("check of lost redundancy: rc=%d out=%q err=%q", rc, out, e)
	}
	if rc, out, e := runCmd("check", "-repair", db); rc != 0 || !strings.Contains(out, "parity: 1 stale stripes rewritten") {
		t.Fatalf("check -repair of lost redundancy: rc=%d out=%q err=%q", rc, out, e)
	}
	os.WriteFile(db, clean, 0o644)
	// Damage beyond what parity undoes (two chunks of every stripe in the
	// middle of the file): check must say so.
	data, _ := os.ReadFile(db)
	for off := 2*block + 4096; off < len(data)/2; off += 512 {
		data[off+40] ^= 0xff
	}
	os.WriteFile(db, data, 0o644)
	if rc, out, e := runCmd("check", db); rc != 1 {
		t.Fatalf("check of damaged file: rc=%d out=%q err=%q", rc, out, e)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"nope"}, {"check"}, {"check", "a", "b"}, {"backup", "x"}} {
		if rc, _, e := runCmd(args...); rc != 2 || !strings.Contains(e, "usage") {
			t.Errorf("%v: rc=%d err=%q", args, rc, e)
		}
	}
	if rc, _, _ := runCmd("check", "/nonexistent/file"); rc != 1 {
		t.Errorf("missing file: rc=%d", rc)
	}
}

// TestCommandHelpAndFlagOrder: CMD -h prints the command's usage and exits
// 0; flags may follow the file.
func TestCommandHelpAndFlagOrder(t *testing.T) {
	for _, cmd := range []string{"shell", "check", "stats", "backup", "serve"} {
		for _, h := range []string{"-h", "-help", "--help"} {
			rc, out, e := runCmd(cmd, h)
			if rc != 0 || !strings.HasPrefix(out, "usage: bxdb "+cmd) || e != "" {
				t.Errorf("%s %s: rc=%d out=%q err=%q", cmd, h, rc, out, e)
			}
		}
	}
	if rc, out, _ := runCmd("help", "check"); rc != 0 || !strings.HasPrefix(out, "usage: bxdb check") {
		t.Errorf("help check: rc=%d out=%q", rc, out)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "a.bxdb")
	makeDB(t, db, 10)
	if rc, out, e := runCmd("check", db, "-repair"); rc != 0 || !strings.HasSuffix(out, "ok\n") {
		t.Fatalf("check FILE -repair: rc=%d out=%q err=%q", rc, out, e)
	}
	if rc, out, e := runCmd("shell", db, "-c", "SHOW TABLES"); rc != 0 || !strings.Contains(out, "0 rows") {
		t.Fatalf("shell FILE -c SQL: rc=%d out=%q err=%q", rc, out, e)
	}
	if rc, _, e := runCmd("check", db, "-nosuch"); rc != 2 || !strings.Contains(e, "usage: bxdb check") {
		t.Fatalf("check FILE -nosuch: rc=%d err=%q", rc, e)
	}
	if rc, _, e := runCmd("check", "--", "-repair"); rc != 1 || !strings.Contains(e, "-repair") {
		t.Fatalf("check -- -repair (a file named -repair): rc=%d err=%q", rc, e)
	}
}

// TestAdminDSN: check, stats and backup take what shell and serve take: a
// path or a DSN.
func TestAdminDSN(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a b.bxdb")
	makeDB(t, db, 100)
	uri := "file:" + strings.ReplaceAll(db, " ", "%20")
	for _, dsn := range []string{uri, uri + "?mode=ro", db + "?cache=1MiB", "file://localhost" + strings.ReplaceAll(db, " ", "%20") + "?mode=rw"} {
		if rc, out, e := runCmd("check", dsn); rc != 0 || !strings.HasSuffix(out, "ok\n") {
			t.Errorf("check %s: rc=%d out=%q err=%q", dsn, rc, out, e)
		}
		if rc, out, e := runCmd("stats", dsn); rc != 0 || !strings.Contains(out, "100 records") || !strings.Contains(out, db) {
			t.Errorf("stats %s: rc=%d out=%q err=%q", dsn, rc, out, e)
		}
	}
	if rc, out, e := runCmd("check", "-repair", uri); rc != 0 || !strings.HasSuffix(out, "ok\n") {
		t.Errorf("check -repair %s: rc=%d out=%q err=%q", uri, rc, out, e)
	}
	bak := filepath.Join(dir, "b.bxdb")
	if rc, _, e := runCmd("backup", uri+"?mode=ro", bak); rc != 0 {
		t.Fatalf("backup %s: rc=%d err=%q", uri, rc, e)
	}
	if rc, out, _ := runCmd("stats", bak); rc != 0 || !strings.Contains(out, "100 records") {
		t.Fatalf("stats of the backup: %q", out)
	}
	for _, c := range []struct{ args []string }{
		{[]string{"check", ":memory:"}},
		{[]string{"stats", "file::memory:"}},
		{[]string{"check", "-repair", uri + "?mode=ro"}},
		{[]string{"check", db + "?nosuch=1"}},
	} {
		if rc, _, e := runCmd(c.args...); rc != 2 || !strings.Contains(e, "usage: bxdb "+c.args[0]) {
			t.Errorf("%q: rc=%d err=%q", c.args, rc, e)
		}
	}
}

// TestBackupOfOpenDatabase: a source that readers have open (mode=ro) is
// backed up; one open read-write elsewhere is refused with a message that
// says so, as the usage text states.
func TestBackupOfOpenDatabase(t *testing.T) {
	dir := t.TempDir()
	src := sqlDB(t, "CREATE TABLE kv (k INT PRIMARY KEY)", "INSERT INTO kv VALUES (1), (2)")
	reader, err := sql.Open("bxdb", src+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRow("SELECT COUNT(*) FROM kv").Scan(&n); err != nil || n != 2 {
		t.Fatalf("reader: %d, %v", n, err)
	}
	if rc, _, e := runCmd("backup", src, filepath.Join(dir, "1.bxdb")); rc != 0 {
		t.Fatalf("backup of a database open read-only: rc=%d err=%q", rc, e)
	}
	reader.Close()
	writer, err := sql.Open("bxdb", src)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	if _, err := writer.Exec("INSERT INTO kv VALUES (3)"); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "2.bxdb")
	if rc, _, e := runCmd("backup", src, dst); rc != 1 || !strings.Contains(e, "open read-write in another process") || !strings.Contains(e, "stop it first") {
		t.Fatalf("backup of a database open read-write: rc=%d err=%q", rc, e)
	}
	if _, err := os.Stat(dst); err == nil {
		t.Fatal("a refused backup left its destination behind")
	}
	for _, text := range []string{usage, commandUsage["backup"]} {
		if strings.Contains(text, "may be in use") || !strings.Contains(text, "read-write") || !strings.Contains(text, "mode=ro") {
			t.Errorf("backup usage does not say what works:\n%s", text)
		}
	}
}
