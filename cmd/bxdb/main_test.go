package main

import (
	"bytes"
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
