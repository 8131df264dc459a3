package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/bxdb/bxdb/driver"
)

// TestServe runs `bxdb serve` on one database and synchronizes another
// with it through SYNC TABLE; both must end with the union of their rows.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	served, local := filepath.Join(dir, "served.bxdb"), filepath.Join(dir, "local.bxdb")
	for i, p := range []string{served, local} {
		db, err := sql.Open("bxdb", p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("CREATE TABLE kv (k VARCHAR(20) PRIMARY KEY, v INT)"); err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 50; j++ {
			if _, err := db.Exec("INSERT INTO kv VALUES (?, ?)", fmt.Sprintf("side%d-%02d", i, j), j); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	var stdout, stderr bytes.Buffer
	go func() {
		done <- cmdServe(ctx, []string{"-listen", "127.0.0.1:0", served}, &stdout, &stderr, func(a string) { addr <- a })
	}()
	var a string
	select {
	case a = <-addr:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	db, err := sql.Open("bxdb", local)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec("SYNC TABLE kv WITH 'bxdb://" + a + "'")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 50 {
		t.Fatalf("SYNC applied %d rows, want the server's 50", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v (stderr %s)", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "serving") || !strings.Contains(stderr.String(), "50 records in, 50 out") {
		t.Fatalf("serve output: %q / %q", stdout.String(), stderr.String())
	}
	for _, p := range []string{local, served} {
		db, err := sql.Open("bxdb", p)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM kv").Scan(&n); err != nil || n != 100 {
			t.Fatalf("%s: %d rows (%v), want 100", p, n, err)
		}
		db.Close()
	}
	if code, _, _ := runCmd("serve"); code != 2 {
		t.Fatalf("serve without FILE: exit %d, want 2", code)
	}
}

// TestServeReadOnly: `bxdb serve FILE?mode=ro` is refused at start-up with
// a clear message (every SYNC against it would fail), and does not listen.
func TestServeReadOnly(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ro.bxdb")
	db, err := sql.Open("bxdb", p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE kv (k INT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var stdout, stderr bytes.Buffer
	listened := false
	err = cmdServe(context.Background(), []string{"-listen", "127.0.0.1:0", p + "?mode=ro"}, &stdout, &stderr, func(string) { listened = true })
	if err == nil || listened || !strings.Contains(err.Error(), "read-only") || !strings.Contains(err.Error(), "mode=ro") {
		t.Fatalf("serve of a read-only database: %v (listened %v)", err, listened)
	}
	if code, _, e := runCmd("serve", "-listen", "127.0.0.1:0", p+"?mode=ro"); code != 1 || !strings.Contains(e, "read-only") {
		t.Fatalf("bxdb serve FILE?mode=ro: exit %d, %q", code, e)
	}
}
