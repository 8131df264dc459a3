package sqlfront

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestOnlineIndexBuild writes to the table between the snapshot scan and
// the final phase of CREATE INDEX; the index must reflect the writes, and
// UNIQUE must judge the final state, not the snapshot.
func TestOnlineIndexBuild(t *testing.T) {
	e := openConcurrent(t, 0)
	s, w := e.NewSession(), e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT)")
	for i := 0; i < 200; i++ {
		execSQL(t, s, fmt.Sprintf("INSERT INTO t VALUES (%d, %d, %d)", i, i%10, i))
	}
	execSQL(t, s, "INSERT INTO t VALUES (1000, 5, 5)") // b duplicates row 5 in the snapshot
	defer func() { onlineBuildHook = nil }()
	onlineBuildHook = func() {
		onlineBuildHook = nil
		// Runs while no lock is held: other connections write.
		execSQL(t, w, "DELETE FROM t WHERE id = 1000")              // resolves the duplicate
		execSQL(t, w, "UPDATE t SET a = 99, b = 5000 WHERE id = 7") // moves an entry
		execSQL(t, w, "INSERT INTO t VALUES (500, 3, 500)")         // a new row
		execSQL(t, w, "DELETE FROM t WHERE a = 4")                  // removes rows
	}
	execSQL(t, s, "CREATE UNIQUE INDEX ub ON t (b)")
	execSQL(t, s, "CREATE INDEX ia ON t (a)")
	onlineBuildHook = nil
	check := func(where string) {
		t.Helper()
		viaIndex := querySQL(t, s, "SELECT id FROM t FORCE INDEX (ia) WHERE "+where+" ORDER BY id")
		viaScan := querySQL(t, s, "SELECT id FROM t IGNORE INDEX (ia, ub) WHERE "+where+" ORDER BY id")
		if fmt.Sprint(viaIndex) != fmt.Sprint(viaScan) {
			t.Fatalf("%s: index %v, scan %v", where, viaIndex, viaScan)
		}
	}
	for _, a := range []int{3, 4, 7, 99} {
		check(fmt.Sprintf("a = %d", a))
	}
	if got := querySQL(t, s, "SELECT id FROM t FORCE INDEX (ub) WHERE b = 5000"); fmt.Sprint(got) != "[[7]]" {
		t.Fatalf("ub lookup: %v", got)
	}
	if got := querySQL(t, s, "SELECT COUNT(*) FROM t FORCE INDEX (ub) WHERE b >= 0"); fmt.Sprint(got) != "[[181]]" {
		t.Fatalf("ub count: %v", got)
	}
	// A duplicate that survives the catch-up fails the build.
	execSQL(t, s, "CREATE TABLE u (id INT PRIMARY KEY, c INT)")
	execSQL(t, s, "INSERT INTO u VALUES (1, 1), (2, 2), (3, 3)")
	onlineBuildHook = func() { execSQL(t, w, "INSERT INTO u VALUES (4, 2)") }
	st, _ := s.Prepare("CREATE UNIQUE INDEX ua ON u (c)")
	if _, err := s.Exec(context.Background(), st, nil); sqlNumber(err) != ErDupEntry {
		t.Fatalf("got %v, want 1062", err)
	}
	if got := querySQL(t, s, "SELECT COUNT(*) FROM information_schema.statistics WHERE index_name = 'ua'"); got[0][0] != "0" {
		t.Fatalf("failed build left index: %v", got)
	}
}

// TestOnlineIndexBuildOpenTransaction starts CREATE INDEX while another
// session's transaction has written (uncommitted) rows of the table: the
// build must not miss them (its log is registered under the writer lock,
// so it waits for the transaction), and a UNIQUE build must see the
// duplicate the transaction commits.
func TestOnlineIndexBuildOpenTransaction(t *testing.T) {
	e := openConcurrent(t, 0)
	s, w := e.NewSession(), e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	execSQL(t, s, "INSERT INTO t VALUES (1, 10), (2, 20)")
	for _, c := range []struct {
		ddl     string
		writes  []string
		wantErr uint16
	}{
		{"CREATE INDEX iv ON t (v)", []string{"UPDATE t SET v = 999 WHERE id = 1", "INSERT INTO t VALUES (3, 30)", "DELETE FROM t WHERE id = 2"}, 0},
		{"ALTER TABLE t ADD UNIQUE INDEX uv (v)", []string{"UPDATE t SET v = 30 WHERE id = 1"}, ErDupEntry},
	} {
		execSQL(t, w, "BEGIN")
		for _, q := range c.writes {
			execSQL(t, w, q)
		}
		done := make(chan error, 1)
		go func() {
			st, err := s.Prepare(c.ddl)
			if err == nil {
				_, err = s.Exec(context.Background(), st, nil)
			}
			done <- err
		}()
		select {
		case err := <-done:
			t.Fatalf("%s finished while a transaction had uncommitted writes: %v", c.ddl, err)
		case <-time.After(100 * time.Millisecond):
		}
		execSQL(t, w, "COMMIT")
		if err := <-done; sqlNumber(err) != c.wantErr {
			t.Fatalf("%s: %v, want error %d", c.ddl, err, c.wantErr)
		}
	}
	for _, v := range []int{10, 20, 30, 999} {
		viaIndex := querySQL(t, s, fmt.Sprintf("SELECT id FROM t FORCE INDEX (iv) WHERE v = %d", v))
		viaScan := querySQL(t, s, fmt.Sprintf("SELECT id FROM t IGNORE INDEX (iv) WHERE v = %d", v))
		if fmt.Sprint(viaIndex) != fmt.Sprint(viaScan) {
			t.Fatalf("v = %d: index %v, table %v", v, viaIndex, viaScan)
		}
	}
}
