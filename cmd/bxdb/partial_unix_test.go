//go:build linux || darwin || freebsd || netbsd || openbsd

package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRemoveStalePartials: only DST's own stale partial copies go, even
// when DST's name holds pattern characters; recent ones stay.
func TestRemoveStalePartials(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-time.Minute)
	mk := func(name string, stale bool) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if stale {
			os.Chtimes(p, old, old)
		}
		return p
	}
	mine := mk(".x[1].bxdb.partial-123", true)
	recent := mk(".x[1].bxdb.partial-456", false)
	other := mk(".yes.bxdb.partial-789", true)
	removeStalePartials(filepath.Join(dir, "x[1].bxdb"))
	removeStalePartials(filepath.Join(dir, "y*.bxdb"))
	for p, want := range map[string]bool{mine: false, recent: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}
