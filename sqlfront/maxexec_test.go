package sqlfront

import (
	"context"
	"io"
	"testing"
	"time"
)

// TestMaxExecutionTime: @@max_execution_time stops a long query with error
// 3024, rows reading included, interrupts SLEEP (which then returns 1, as
// in MySQL), and leaves the session usable.
func TestMaxExecutionTime(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "SET max_execution_time = 30")
	// Without the limit this cross join reads 729 million rows; the
	// context bounds the test if the limit does not work.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := s.Prepare("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 900) SELECT COUNT(*) FROM n a, n b, n c")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rows, err := s.Query(ctx, st, nil)
	if err == nil {
		dst := make([]Value, 1)
		for err == nil {
			err = rows.Next(dst)
		}
		rows.Close()
		if err == io.EOF {
			err = nil
		}
	}
	if sqlNumber(err) != 3024 {
		t.Fatalf("long query: %v after %v, want error 3024", err, time.Since(start))
	}
	if got := querySQL(t, s, "SELECT SLEEP(5)"); len(got) != 1 || got[0][0] != "1" {
		t.Errorf("SLEEP under the limit: %v, want [[1]]", got)
	}
	if got := querySQL(t, s, "SELECT @@max_execution_time, 1 + 1"); got[0][0] != "30" || got[0][1] != "2" {
		t.Errorf("after the limit: %v", got)
	}
	execSQL(t, s, "SET max_execution_time = 0")
	if got := querySQL(t, s, "SELECT COUNT(*) FROM (SELECT SLEEP(0.05)) x"); got[0][0] != "1" {
		t.Errorf("without a limit: %v", got)
	}
}
