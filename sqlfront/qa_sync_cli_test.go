package sqlfront

import (
	"context"
	"fmt"
	"testing"
)

// TestQASyncClearsWarnings: SYNC TABLE uses a table, so, as other such
// statements, it clears the warnings of the statement before when it
// starts; a failed one leaves its own error.
func TestQASyncClearsWarnings(t *testing.T) {
	ea := openSyncPeer(t)
	eb := openSyncPeer(t)
	for _, e := range []*Engine{ea, eb} {
		execSQL(t, e.NewSession(), "CREATE TABLE t (k VARCHAR(5) COLLATE utf8mb4_bin PRIMARY KEY)")
	}
	addr := serveSyncForTest(t, eb, nil)
	s := ea.NewSession()
	defer s.Close()
	execSQL(t, s, "INSERT INTO t VALUES ('a'), ('A')")
	querySQL(t, s, "SELECT 1/0 FROM t")
	if got := fmt.Sprint(querySQL(t, s, "SHOW COUNT(*) WARNINGS")); got != "[[2]]" {
		t.Fatalf("warnings of the SELECT: %s", got)
	}
	execSQL(t, s, fmt.Sprintf("SYNC TABLE t WITH 'bxdb://%s'", addr))
	if got := fmt.Sprint(querySQL(t, s, "SHOW WARNINGS")); got != "[]" {
		t.Errorf("warnings after a successful SYNC TABLE: %s", got)
	}
	if got := fmt.Sprint(querySQL(t, eb.NewSession(), "SELECT k FROM t ORDER BY k")); got != "[[A] [a]]" {
		t.Errorf("synchronized _bin keys: %s", got)
	}
	querySQL(t, s, "SELECT 1/0 FROM t")
	st, err := s.Prepare(fmt.Sprintf("SYNC TABLE nosuch WITH 'bxdb://%s'", addr))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(context.Background(), st, nil); err == nil {
		t.Fatal("SYNC of a missing table succeeded")
	}
	if got := fmt.Sprint(querySQL(t, s, "SHOW COUNT(*) WARNINGS")); got != "[[1]]" {
		t.Errorf("conditions after a failed SYNC TABLE: %s, want its error only", got)
	}
}

// TestQASelectIntoNoRow: SELECT ... INTO @v that finds no row leaves the
// variable and warns 1329, as MySQL does.
func TestQASelectIntoNoRow(t *testing.T) {
	e := openSyncPeer(t)
	s := e.NewSession()
	defer s.Close()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY)")
	execSQL(t, s, "SET @v = 7")
	execSQL(t, s, "SELECT id INTO @v FROM t WHERE id = 1")
	if got := fmt.Sprint(querySQL(t, s, "SHOW WARNINGS")); got != "[[Warning 1329 No data - zero rows fetched, selected, or processed]]" {
		t.Errorf("SHOW WARNINGS after SELECT INTO of no row: %s", got)
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT @v")); got != "[[7]]" {
		t.Errorf("@v: %s", got)
	}
	execSQL(t, s, "INSERT INTO t VALUES (1)")
	execSQL(t, s, "SELECT id INTO @v FROM t WHERE id = 1")
	if got := fmt.Sprint(querySQL(t, s, "SHOW WARNINGS")); got != "[]" {
		t.Errorf("SHOW WARNINGS after SELECT INTO of a row: %s", got)
	}
}
