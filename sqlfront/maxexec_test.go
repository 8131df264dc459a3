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

// TestMaxExecutionTimeHint: the optimizer hint MAX_EXECUTION_TIME(N) after
// a query's first SELECT bounds that query, over @@max_execution_time; N = 0,
// an unreadable hint, or the hint anywhere else leaves the variable in force.
func TestMaxExecutionTimeHint(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	for _, tc := range []struct {
		set, query, want string
	}{
		// SLEEP interrupted by the limit returns 1, a full one 0.
		{"0", "SELECT /*+ MAX_EXECUTION_TIME(30) */ SLEEP(5)", "1"},
		{"0", "SELECT /*+ BKA(t1) max_execution_time ( 30 ) NO_ICP(t1) */ SLEEP(5)", "1"},
		{"0", "(SELECT /*+ MAX_EXECUTION_TIME(30) */ SLEEP(5)) UNION ALL SELECT 7 ORDER BY 1 DESC LIMIT 1", "7"},
		{"0", "SELECT /*+ MAX_EXECUTION_TIME(30) */ SLEEP(5) UNION ALL SELECT 0 ORDER BY 1 DESC LIMIT 1", "1"},
		{"0", "SELECT /*+ MAX_EXECUTION_TIME(30) */ SUM(x) FROM (SELECT SLEEP(5) AS x) d", "1"},
		{"0", "SELECT /*+ MAX_EXECUTION_TIME(0) */ SLEEP(0.05)", "0"},
		{"0", "SELECT /*+ MAX_EXECUTION_TIME(x) */ SLEEP(0.05)", "0"},
		{"0", "SELECT /* MAX_EXECUTION_TIME(30) */ SLEEP(0.05)", "0"},
		{"0", "SELECT 1 + (SELECT /*+ MAX_EXECUTION_TIME(30) */ SLEEP(0.05))", "1"},
		{"30", "SELECT /*+ MAX_EXECUTION_TIME(0) */ SLEEP(5)", "1"},
		{"5000", "SELECT /*+ MAX_EXECUTION_TIME(30) */ SLEEP(5)", "1"},
	} {
		execSQL(t, s, "SET max_execution_time = "+tc.set)
		start := time.Now()
		got := querySQL(t, s, tc.query)
		if len(got) != 1 || got[0][0] != tc.want {
			t.Errorf("max_execution_time %s: %s = %v after %v, want [[%s]]", tc.set, tc.query, got, time.Since(start), tc.want)
		}
	}
	// A long query stopped by the hint fails with 3024, and the session
	// stays usable.
	execSQL(t, s, "SET max_execution_time = 0")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := s.Prepare("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 900) SELECT /*+ MAX_EXECUTION_TIME(30) */ COUNT(*) FROM n a, n b, n c")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Query(ctx, st, nil)
	if err == nil {
		dst := make([]Value, 1)
		for err == nil {
			err = rows.Next(dst)
		}
		rows.Close()
	}
	if sqlNumber(err) != 3024 {
		t.Fatalf("long query with the hint: %v, want error 3024", err)
	}
	if got := querySQL(t, s, "SELECT 1 + 1"); got[0][0] != "2" {
		t.Errorf("after the hint: %v", got)
	}
}
