package sqlfront

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// qaOpen opens an in-memory engine for the QA regression tests.
func qaOpen(t *testing.T) *Engine {
	t.Helper()
	e, err := Open("qa.bxdb", &Options{FS: bedrock.NewMemFS(), BusyTimeout: 50e6})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// qaQuery runs q on s and returns its rows formatted as "a|b" lines
// joined by ";", or the error text.
func qaQuery(ctx context.Context, s *Session, q string) string {
	st, err := s.Prepare(q)
	if err != nil {
		return formatErr(err)
	}
	rows, err := s.Query(ctx, st, nil)
	if err != nil {
		return formatErr(err)
	}
	defer rows.Close()
	var out []string
	dst := make([]Value, len(rows.Columns()))
	for {
		err := rows.Next(dst)
		if err == io.EOF {
			break
		}
		if err != nil {
			return formatErr(err)
		}
		var vals []string
		for _, v := range dst {
			if v.K == KindNull {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, Format(v))
			}
		}
		out = append(out, strings.Join(vals, "|"))
	}
	return strings.Join(out, ";")
}

// TestQANamedLocksSessions checks GET_LOCK and friends across two
// sessions of one engine: waiting, timeouts, re-entrancy counts, release
// on close, and a wait or SLEEP ended by the context.
func TestQANamedLocksSessions(t *testing.T) {
	e := qaOpen(t)
	ctx := context.Background()
	s1, s2 := e.NewSession(), e.NewSession()
	check := func(c context.Context, s *Session, q, want string) {
		t.Helper()
		if got := qaQuery(c, s, q); got != want {
			t.Errorf("%s: got %q, want %q", q, got, want)
		}
	}
	check(ctx, s1, "SELECT GET_LOCK('a', 10), GET_LOCK('A', 0)", "1|1")
	check(ctx, s2, "SELECT GET_LOCK('a', 0)", "0")
	start := time.Now()
	check(ctx, s2, "SELECT GET_LOCK('a', 0.2)", "0")
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("GET_LOCK timeout returned after %v", d)
	}
	done := make(chan string)
	go func() { done <- qaQuery(ctx, s2, "SELECT GET_LOCK('a', 5)") }()
	time.Sleep(50 * time.Millisecond)
	check(ctx, s1, "SELECT IS_USED_LOCK('a') = CONNECTION_ID(), IS_FREE_LOCK('a')", "1|0")
	check(ctx, s1, "SELECT RELEASE_LOCK('a')", "1") // taken twice
	select {
	case got := <-done:
		t.Fatalf("GET_LOCK returned %q while the lock was still held", got)
	case <-time.After(50 * time.Millisecond):
	}
	check(ctx, s1, "SELECT RELEASE_LOCK('a')", "1")
	if got := <-done; got != "1" {
		t.Errorf("waiting GET_LOCK: got %q", got)
	}
	check(ctx, s1, "SELECT RELEASE_LOCK('a'), RELEASE_LOCK('nobody')", "0|NULL")
	s2.Close()
	check(ctx, s1, "SELECT IS_FREE_LOCK('a'), IS_USED_LOCK('a')", "1|NULL")

	s3 := e.NewSession()
	check(ctx, s3, "SELECT GET_LOCK('z', 1)", "1")
	c2, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	check(c2, s1, "SELECT GET_LOCK('z', 10)", "NULL")
	c3, cancel3 := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel3()
	start = time.Now()
	check(c3, s1, "SELECT SLEEP(5)", "1")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("SLEEP ignored the context: %v", d)
	}
	check(ctx, s1, "SELECT RELEASE_ALL_LOCKS()", "0")
	check(ctx, s3, "SELECT GET_LOCK('z', 0), GET_LOCK('y', 0), RELEASE_ALL_LOCKS()", "1|1|3")
}
