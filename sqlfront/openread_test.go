package sqlfront

import (
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// TestOpenBeginsNoWriter: opening an existing database only reads (its
// catalog, leftover temporary tables), so the store's settling is not
// started by a writer and the first queries have the CPU; a fresh one
// writes its catalog, and leftovers of temporary tables are swept.
func TestOpenBeginsNoWriter(t *testing.T) {
	fs := bedrock.NewMemFS()
	e, err := Open("o.bxdb", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.store.Stats().WriteTxs; n == 0 {
		t.Error("creating a database began no write transaction")
	}
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	execSQL(t, s, "INSERT INTO t VALUES (1, 10)")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e, err = Open("o.bxdb", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	checkQueries(t, e.NewSession(), []queryCase{{"SELECT v FROM t WHERE id = 1", "[[10]]"}})
	if n := e.store.Stats().WriteTxs; n != 0 {
		t.Errorf("open and a query began %d write transactions", n)
	}
	// A temporary table's trees left by an engine closed with its session
	// open are swept at the next open, which then writes.
	s = e.NewSession()
	execSQL(t, s, "CREATE TEMPORARY TABLE tmp (id INT PRIMARY KEY AUTO_INCREMENT, v INT)")
	execSQL(t, s, "INSERT INTO tmp (v) VALUES (1)")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	e, err = Open("o.bxdb", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if n := e.store.Stats().WriteTxs; n == 0 {
		t.Error("leftovers of a temporary table were not swept")
	}
}
