package sqlfront

import (
	"context"
	"testing"
	"time"
)

// queryOne runs a one-value query with ctx and returns the value's text
// ("NULL" for NULL) or the error.
func queryOne(ctx context.Context, s *Session, q string) (string, error) {
	st, err := s.Prepare(q)
	if err != nil {
		return "", err
	}
	rows, err := s.Query(ctx, st, nil)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	dst := make([]Value, 1)
	if err := rows.Next(dst); err != nil {
		return "", err
	}
	if dst[0].K == KindNull {
		return "NULL", nil
	}
	return Format(dst[0]), nil
}

func TestGetLockWaitsForRelease(t *testing.T) {
	e := openConcurrent(t, time.Second)
	a, b := e.NewSession(), e.NewSession()
	if got := querySQL(t, a, "SELECT GET_LOCK('m', 1)"); got[0][0] != "1" {
		t.Fatalf("a: %v", got)
	}
	done := make(chan string, 1)
	go func() {
		v, err := queryOne(context.Background(), b, "SELECT GET_LOCK('m', 10)")
		if err != nil {
			v = err.Error()
		}
		done <- v
	}()
	select {
	case v := <-done:
		t.Fatalf("b got the lock while a held it: %s", v)
	case <-time.After(50 * time.Millisecond):
	}
	querySQL(t, a, "SELECT RELEASE_LOCK('m')")
	select {
	case v := <-done:
		if v != "1" {
			t.Fatalf("b: %s, want 1", v)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("b still waits after the release")
	}
	if got := querySQL(t, a, "SELECT IS_USED_LOCK('m') = "+itoa(int64(b.ConnectionID()))+", GET_LOCK('m', 0.05)"); got[0][0] != "1" || got[0][1] != "0" {
		t.Fatalf("a: %v, want [1 0]", got)
	}
}

func TestGetLockReleasedByCloseAndReset(t *testing.T) {
	e := openConcurrent(t, time.Second)
	a, b := e.NewSession(), e.NewSession()
	querySQL(t, a, "SELECT GET_LOCK('x', 0), GET_LOCK('x', 0), GET_LOCK('y', 0)")
	if err := a.Reset(); err != nil {
		t.Fatal(err)
	}
	if got := querySQL(t, b, "SELECT IS_FREE_LOCK('x'), IS_FREE_LOCK('y'), GET_LOCK('x', 0)"); got[0][0] != "1" || got[0][1] != "1" || got[0][2] != "1" {
		t.Fatalf("after Reset: %v", got)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if got := querySQL(t, a, "SELECT IS_FREE_LOCK('x')"); got[0][0] != "1" {
		t.Fatalf("after Close: %v", got)
	}
}

func TestGetLockCancelAndDeadlock(t *testing.T) {
	e := openConcurrent(t, time.Second)
	a, b := e.NewSession(), e.NewSession()
	querySQL(t, a, "SELECT GET_LOCK('p', 0)")
	// A wait without timeout ends with the statement's context.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	v, err := queryOne(ctx, b, "SELECT GET_LOCK('p', -1)")
	if time.Since(start) > 5*time.Second {
		t.Fatal("GET_LOCK(-1) ignored the context")
	}
	if err != nil || v != "NULL" {
		t.Fatalf("cancelled GET_LOCK: %q %v, want NULL", v, err)
	}
	// b holds q and waits for p; a asking for q would wait forever.
	querySQL(t, b, "SELECT GET_LOCK('q', 0)")
	done := make(chan string, 1)
	go func() {
		v, err := queryOne(context.Background(), b, "SELECT GET_LOCK('p', 10)")
		if err != nil {
			v = err.Error()
		}
		done <- v
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		e.userLocks.mu.Lock()
		_, waiting := e.userLocks.waiting[b.ConnectionID()]
		e.userLocks.mu.Unlock()
		if waiting || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := queryOne(context.Background(), a, "SELECT GET_LOCK('q', 10)"); sqlNumber(err) != ErUserLockDeadlock {
		t.Fatalf("got %v, want 3058", err)
	}
	querySQL(t, a, "SELECT RELEASE_ALL_LOCKS()")
	if v := <-done; v != "1" {
		t.Fatalf("b: %s, want 1", v)
	}
}

func TestSleepInterrupted(t *testing.T) {
	e := openConcurrent(t, time.Second)
	s := e.NewSession()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	v, err := queryOne(ctx, s, "SELECT SLEEP(30)")
	if time.Since(start) > 5*time.Second {
		t.Fatal("SLEEP ignored the context")
	}
	if err != nil || v != "1" {
		t.Fatalf("interrupted SLEEP: %q %v, want 1", v, err)
	}
	start = time.Now()
	if v, err := queryOne(context.Background(), s, "SELECT SLEEP(0.02)"); err != nil || v != "0" {
		t.Fatalf("SLEEP(0.02): %q %v", v, err)
	}
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Fatalf("SLEEP(0.02) took %v", d)
	}
}

// TestAutocommitOffResetAndBegin: Reset rolls back the implicit
// transaction of autocommit=0 and turns autocommit on; Begin commits it.
func TestAutocommitOffResetAndBegin(t *testing.T) {
	e := openConcurrent(t, time.Second)
	a, b := e.NewSession(), e.NewSession()
	execSQL(t, a, "CREATE TABLE t (id INT PRIMARY KEY)")
	execSQL(t, a, "SET autocommit = 0")
	execSQL(t, a, "INSERT INTO t VALUES (1)")
	if !a.InTx() {
		t.Fatal("no implicit transaction")
	}
	if err := a.Reset(); err != nil {
		t.Fatal(err)
	}
	if a.InTx() {
		t.Fatal("Reset left the transaction open")
	}
	if got := querySQL(t, a, "SELECT @@autocommit, COUNT(*) FROM t"); got[0][0] != "1" || got[0][1] != "0" {
		t.Fatalf("after Reset: %v", got)
	}
	execSQL(t, a, "SET autocommit = 0")
	execSQL(t, a, "INSERT INTO t VALUES (2)")
	if err := a.Begin(context.Background(), TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := querySQL(t, b, "SELECT COUNT(*) FROM t"); got[0][0] != "1" {
		t.Fatalf("Begin did not commit the implicit transaction: %v", got)
	}
	execSQL(t, a, "INSERT INTO t VALUES (3)")
	if err := a.Rollback(); err != nil {
		t.Fatal(err)
	}
	// Still autocommit=0: the next statement opens a transaction again.
	execSQL(t, a, "INSERT INTO t VALUES (4)")
	if got := querySQL(t, b, "SELECT COUNT(*) FROM t"); got[0][0] != "1" {
		t.Fatalf("autocommit=0 write visible before COMMIT: %v", got)
	}
	execSQL(t, a, "COMMIT")
	if got := querySQL(t, b, "SELECT id FROM t ORDER BY id"); len(got) != 2 || got[0][0] != "2" || got[1][0] != "4" {
		t.Fatalf("rows %v, want 2 and 4", got)
	}
}

// TestAssignWithPlaceholders: `?` markers keep their order through the
// := rewrite.
func TestAssignWithPlaceholders(t *testing.T) {
	e := openConcurrent(t, time.Second)
	s := e.NewSession()
	got := querySQL(t, s, "SELECT ? + 1, @v := ?, @v + ?", IntValue(1), IntValue(10), IntValue(100))
	if len(got) != 1 || got[0][0] != "2" || got[0][1] != "10" || got[0][2] != "110" {
		t.Fatalf("got %v, want [[2 10 110]]", got)
	}
	execSQL(t, s, "SET @p := ? * 2", IntValue(21))
	execSQL(t, s, "DO @q := ? + @p", IntValue(7))
	if got := querySQL(t, s, "SELECT @p, @q"); got[0][0] != "42" || got[0][1] != "49" {
		t.Fatalf("got %v, want [[42 49]]", got)
	}
}
