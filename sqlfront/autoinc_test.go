package sqlfront

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// Auto-increment ids are never handed out twice: not after a rollback
// (in-memory mark), not after a clean reopen, not after a crash (the
// counter commits with the rows), and not after a crash at the k-th write
// of the store for growing k.

// insertID inserts one row and returns its id (0 on error).
func insertID(t *testing.T, s *Session, q string) (int64, error) {
	t.Helper()
	st, err := s.Prepare(q)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Exec(context.Background(), st, nil)
	return res.LastInsertID, err
}

func TestAutoIncRollbackAndReopen(t *testing.T) {
	fs := bedrock.NewMemFS()
	e, err := Open("ai.bxdb", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT)")
	id1, _ := insertID(t, s, "INSERT INTO t (v) VALUES (1)")
	execSQL(t, s, "BEGIN")
	id2, _ := insertID(t, s, "INSERT INTO t (v) VALUES (2)")
	execSQL(t, s, "ROLLBACK")
	id3, _ := insertID(t, s, "INSERT INTO t (v) VALUES (3)")
	if !(id1 == 1 && id2 == 2 && id3 == 3) {
		t.Fatalf("ids %d %d %d, want 1 2 3 (rolled-back ids are not reused)", id1, id2, id3)
	}
	// Explicit ids move the counter.
	execSQL(t, s, "INSERT INTO t VALUES (100, 0)")
	id4, _ := insertID(t, s, "INSERT INTO t (v) VALUES (4)")
	if id4 != 101 {
		t.Fatalf("after explicit 100: id %d, want 101", id4)
	}
	// A failed statement's ids are gaps too.
	if _, err := insertID(t, s, "INSERT INTO t (v) VALUES (5), ('x')"); err == nil {
		t.Fatal("bad value accepted")
	}
	res := execSQL(t, s, "INSERT INTO t (v) VALUES (6), (7), (8)")
	if res.LastInsertID < 102 || res.RowsAffected != 3 {
		t.Fatalf("multi-row insert %+v", res)
	}
	first := res.LastInsertID
	got := querySQL(t, s, "SELECT id FROM t WHERE v >= 6 ORDER BY id")
	for i, r := range got {
		if r[0] != itoa(first+int64(i)) {
			t.Fatalf("multi-row ids %v not consecutive from %d", got, first)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e, err = Open("ai.bxdb", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s = e.NewSession()
	id5, _ := insertID(t, s, "INSERT INTO t (v) VALUES (9)")
	if id5 != first+3 {
		t.Fatalf("after reopen: id %d, want %d", id5, first+3)
	}
}

func TestAutoIncCrash(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	fs := bedrock.NewMemFS()
	e, err := Open("crash.bxdb", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)")
	seen := map[int64]bool{}
	maxAck := int64(0)
	for round := 0; round < 30; round++ {
		// Commit some rows; arm a failure at a growing write count; keep
		// inserting until it hits; crash; reopen.
		fs.SetFailAfter(round)
		for i := 0; i < 10; i++ {
			id, err := insertID(t, s, "INSERT INTO t (v) VALUES (1)")
			if err != nil {
				break
			}
			if seen[id] {
				t.Fatalf("round %d: id %d handed out twice", round, id)
			}
			seen[id] = true
			maxAck = max(maxAck, id)
		}
		fs.Crash(rng)
		e, err = Open("crash.bxdb", &Options{FS: fs})
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		s = e.NewSession()
		// Every acknowledged row survived (commits are durable); a
		// statement that failed in its commit may have survived too, and
		// its ids then count as handed out.
		present := map[int64]bool{}
		for _, r := range querySQL(t, s, "SELECT id FROM t") {
			var id int64
			for _, c := range r[0] {
				id = id*10 + int64(c-'0')
			}
			present[id] = true
			seen[id] = true
		}
		for id := range seen {
			if !present[id] && id <= maxAck {
				t.Fatalf("round %d: acknowledged id %d lost in the crash", round, id)
			}
		}
	}
	e.Close()
}
