package bedrock

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDeferredFlushes: flushes registered with Defer run, once each and in
// order, before a child begins, before a nested or top-level commit and on
// FlushDeferred (filtered by key); withdrawn ones never run; a failing one
// fails the commit and rolls the transaction back.
func TestDeferredFlushes(t *testing.T) {
	s, err := Open("db", &Options{FS: NewMemFS()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ran []string
	tx, _ := s.Begin(true)
	l, _ := tx.Alloc()
	// flush writes its tag into l when it runs, as a layer above would.
	flush := func(tx *Tx, tag string) func() error {
		return func() error {
			ran = append(ran, tag)
			return tx.Put(l, []byte(tag))
		}
	}
	check := func(step string, want ...string) {
		t.Helper()
		if d := cmp.Diff(want, ran); d != "" {
			t.Fatalf("%s: flushes run (-want +got):\n%s", step, d)
		}
		ran = nil
	}
	tx.Defer("a", flush(tx, "a"))
	tx.Defer("b", flush(tx, "b"))
	tx.Defer("c", flush(tx, "c"))
	tx.Undefer("b")
	tx.Defer("a", flush(tx, "a2")) // replaces a's function, keeps its place
	if err := tx.FlushDeferred(func(k any) bool { return k == "c" }); err != nil {
		t.Fatal(err)
	}
	check("FlushDeferred(c)", "c")
	child, err := tx.Begin()
	if err != nil {
		t.Fatal(err)
	}
	check("child Begin", "a2")
	if got, _ := child.Get(l); string(got) != "a2" {
		t.Fatalf("child sees %q, want the flushed a2", got)
	}
	// A flush that registers another: both run before the nested commit.
	child.Defer("d", func() error {
		ran = append(ran, "d")
		child.Defer("e", flush(child, "e"))
		return nil
	})
	if err := child.Commit(); err != nil {
		t.Fatal(err)
	}
	check("nested Commit", "d", "e")
	if got, _ := tx.Get(l); string(got) != "e" {
		t.Fatalf("parent sees %q after the nested commit, want e", got)
	}
	tx.Defer("f", flush(tx, "f"))
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	check("Commit", "f")
	r, _ := s.Begin(false)
	if got, err := r.Get(l); err != nil || string(got) != "f" {
		t.Fatalf("committed %q %v, want f", got, err)
	}
	r.Rollback()

	// A failing flush fails the commit and rolls the transaction back.
	boom := errors.New("boom")
	tx, _ = s.Begin(true)
	tx.Put(l, []byte("lost"))
	tx.Defer("x", func() error { return boom })
	if err := tx.Commit(); !errors.Is(err, boom) {
		t.Fatalf("Commit with a failing flush: %v", err)
	}
	if err := tx.Put(l, []byte("again")); !errors.Is(err, ErrTxDone) {
		t.Fatalf("transaction usable after the failed commit: %v", err)
	}
	// A rolled back transaction forgets its flushes.
	tx, _ = s.Begin(true)
	tx.Defer("y", func() error { ran = append(ran, "y"); return nil })
	tx.Rollback()
	check("Rollback")
	r, _ = s.Begin(false)
	defer r.Rollback()
	if got, _ := r.Get(l); string(got) != "f" {
		t.Fatalf("after the failed commit: %q, want f", got)
	}
}
