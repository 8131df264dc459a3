package sqlfront

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// Concurrency: snapshot readers never block, writers serialize on the
// writer lock (waiting up to BusyTimeout, honouring the context), updates
// are never lost, and an implicit transaction that read a stale snapshot
// fails with 1213 instead of writing. Run with -race.

// openConcurrent opens an engine with a short BusyTimeout.
func openConcurrent(t *testing.T, busy time.Duration) *Engine {
	t.Helper()
	e, err := Open("conc.bxdb", &Options{FS: bedrock.NewMemFS(), BusyTimeout: busy})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// execErr runs a statement and returns its error.
func execErr(ctx context.Context, s *Session, q string) error {
	st, err := s.Prepare(q)
	if err != nil {
		return err
	}
	_, err = s.Exec(ctx, st, nil)
	return err
}

// sqlNumber returns the MySQL number of err (0 if none).
func sqlNumber(err error) uint16 {
	var se *SQLError
	if errors.As(err, &se) {
		return se.Number
	}
	return 0
}

func TestSnapshotReaderNeverBlocks(t *testing.T) {
	e := openConcurrent(t, time.Second)
	w, r := e.NewSession(), e.NewSession()
	execSQL(t, w, "CREATE TABLE t (id INT PRIMARY KEY)")
	execSQL(t, w, "INSERT INTO t VALUES (1), (2)")
	// A read-only transaction keeps its snapshot.
	if err := r.Begin(context.Background(), TxOptions{ReadOnly: true}); err != nil {
		t.Fatal(err)
	}
	if got := querySQL(t, r, "SELECT COUNT(*) FROM t"); got[0][0] != "2" {
		t.Fatalf("count %v", got)
	}
	// The writer holds the lock for a whole transaction ...
	execSQL(t, w, "BEGIN")
	execSQL(t, w, "INSERT INTO t VALUES (3)")
	// ... while autocommit readers and the snapshot reader go on.
	r2 := e.NewSession()
	done := make(chan [][]string)
	go func() { done <- querySQL(t, r2, "SELECT COUNT(*) FROM t") }()
	select {
	case got := <-done:
		if got[0][0] != "2" {
			t.Fatalf("autocommit reader sees %v before the commit", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reader blocked by a writer")
	}
	execSQL(t, w, "COMMIT")
	if got := querySQL(t, r, "SELECT COUNT(*) FROM t"); got[0][0] != "2" {
		t.Fatalf("snapshot changed: %v", got)
	}
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := querySQL(t, r, "SELECT COUNT(*) FROM t"); got[0][0] != "3" {
		t.Fatalf("after the snapshot ends: %v", got)
	}
}

func TestWriterWaitsAndTimesOut(t *testing.T) {
	e := openConcurrent(t, 80*time.Millisecond)
	a, b := e.NewSession(), e.NewSession()
	execSQL(t, a, "CREATE TABLE t (id INT PRIMARY KEY)")
	execSQL(t, a, "BEGIN")
	execSQL(t, a, "INSERT INTO t VALUES (1)")
	// b times out with 1205.
	start := time.Now()
	err := execErr(context.Background(), b, "INSERT INTO t VALUES (2)")
	if sqlNumber(err) != ErLockWaitTimeout || !strings.Contains(err.Error(), "one writer at a time") {
		t.Fatalf("got %v, want 1205 saying why", err)
	}
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Fatalf("gave up after %v", d)
	}
	// b's context ends first: its error comes back.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := execErr(ctx, b, "INSERT INTO t VALUES (2)"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	// b waits and proceeds once a commits.
	errc := make(chan error)
	go func() { errc <- execErr(context.Background(), b, "INSERT INTO t VALUES (2)") }()
	time.Sleep(20 * time.Millisecond)
	execSQL(t, a, "COMMIT")
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if got := querySQL(t, a, "SELECT COUNT(*) FROM t"); got[0][0] != "2" {
		t.Fatalf("count %v", got)
	}
}

func TestNoLostUpdates(t *testing.T) {
	e := openConcurrent(t, 10*time.Second)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE c (id INT PRIMARY KEY, n INT)")
	execSQL(t, s, "INSERT INTO c VALUES (1, 0)")
	const workers, iters = 8, 40
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := e.NewSession()
			defer s.Close()
			ctx := context.Background()
			for i := 0; i < iters; i++ {
				// Read-modify-write in a transaction: the lock is held from
				// BEGIN, so the read is never stale.
				if err := s.Begin(ctx, TxOptions{}); err != nil {
					errc <- err
					return
				}
				st, _ := s.Prepare("SELECT n FROM c WHERE id = 1")
				rows, err := s.Query(ctx, st, nil)
				if err != nil {
					errc <- err
					return
				}
				dst := make([]Value, 1)
				if err := rows.Next(dst); err != nil {
					errc <- err
					return
				}
				rows.Close()
				up, _ := s.Prepare("UPDATE c SET n = ? WHERE id = 1")
				if _, err := s.Exec(ctx, up, []Value{IntValue(dst[0].I + 1)}); err != nil {
					errc <- err
					return
				}
				if err := s.Commit(); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if got := querySQL(t, s, "SELECT n FROM c"); got[0][0] != itoa(workers*iters) {
		t.Fatalf("n = %v, want %d", got, workers*iters)
	}
}

func TestImplicitTxStaleSnapshot(t *testing.T) {
	e := openConcurrent(t, time.Second)
	a, b := e.NewSession(), e.NewSession()
	execSQL(t, a, "CREATE TABLE t (id INT PRIMARY KEY)")
	execSQL(t, a, "SET autocommit = 0")
	querySQL(t, a, "SELECT COUNT(*) FROM t")  // takes a snapshot, no lock
	execSQL(t, b, "INSERT INTO t VALUES (1)") // commits after a's snapshot
	if err := execErr(context.Background(), a, "INSERT INTO t VALUES (2)"); sqlNumber(err) != ErLockDeadlock {
		t.Fatalf("got %v, want 1213", err)
	}
	execSQL(t, a, "ROLLBACK")
	execSQL(t, a, "INSERT INTO t VALUES (2)") // a fresh implicit transaction
	execSQL(t, a, "COMMIT")
	if got := querySQL(t, b, "SELECT COUNT(*) FROM t"); got[0][0] != "2" {
		t.Fatalf("count %v", got)
	}
}

func TestCancelLongScan(t *testing.T) {
	e := openConcurrent(t, time.Second)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	execSQL(t, s, "BEGIN")
	st, _ := s.Prepare("INSERT INTO t VALUES (?, ?)")
	for i := 0; i < 5000; i++ {
		if _, err := s.Exec(context.Background(), st, []Value{IntValue(int64(i)), IntValue(int64(i % 7))}); err != nil {
			t.Fatal(err)
		}
	}
	execSQL(t, s, "COMMIT")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	q, _ := s.Prepare("SELECT a.id FROM t a, t b WHERE a.v + b.v < 0")
	rows, err := s.Query(ctx, q, nil)
	if err == nil {
		go func() { time.Sleep(20 * time.Millisecond); cancel() }()
		dst := make([]Value, 1)
		for err == nil {
			err = rows.Next(dst)
		}
		rows.Close()
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	// A cancelled write statement leaves nothing behind.
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if err := execErr(ctx2, s, "DELETE FROM t"); err == nil {
		t.Fatal("cancelled DELETE ran")
	}
	if got := querySQL(t, s, "SELECT COUNT(*) FROM t"); got[0][0] != "5000" {
		t.Fatalf("count %v", got)
	}
	_ = io.EOF
}
