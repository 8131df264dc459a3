package sqlfront

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"strconv"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// TestMultiDMLModel runs random multi-table UPDATEs and DELETEs over two
// small tables joined on a column with repeated values, and compares the
// tables and affected-row counts after each with a model computed in Go
// (the join by nested loops, each target row changed once). The seed is
// logged; BXDB_MODEL_SEED=n repeats a run.
func TestMultiDMLModel(t *testing.T) {
	seed := rand.Int63()
	if s := os.Getenv("BXDB_MODEL_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	t.Logf("seed %d (BXDB_MODEL_SEED=%d repeats it)", seed, seed)
	rng := rand.New(rand.NewSource(seed))
	e, err := Open("multi.bxdb", &Options{FS: bedrock.NewMemFS(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	ctx := context.Background()
	exec := func(q string) int64 {
		t.Helper()
		st, err := s.Prepare(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		res, err := s.Exec(ctx, st, nil)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return res.RowsAffected
	}
	// Rows: key -> [join column, x, z].
	type tab map[int][3]int
	read := func(q string) tab {
		t.Helper()
		st, err := s.Prepare(q)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.Query(ctx, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := tab{}
		dst := make([]Value, 4)
		for {
			if err := rows.Next(dst); err == io.EOF {
				return out
			} else if err != nil {
				t.Fatal(err)
			}
			out[int(dst[0].I)] = [3]int{int(dst[1].I), int(dst[2].I), int(dst[3].I)}
		}
	}
	exec("CREATE TABLE t1 (a INT PRIMARY KEY, b INT, x INT, z INT, KEY (b))")
	exec("CREATE TABLE t2 (c INT PRIMARY KEY, d INT, y INT, w INT)")
	m1, m2 := tab{}, tab{}
	var total int64
	for round := 0; round < 60; round++ {
		if len(m1) < 8 || len(m2) < 8 {
			for i := 0; i < 10; i++ {
				k, r := rng.Intn(1000), [3]int{rng.Intn(5), rng.Intn(10), 0}
				if _, ok := m1[k]; !ok {
					m1[k] = r
					exec(fmt.Sprintf("INSERT INTO t1 VALUES (%d, %d, %d, 0)", k, r[0], r[1]))
				}
				k, r = rng.Intn(1000), [3]int{rng.Intn(5), rng.Intn(10), 0}
				if _, ok := m2[k]; !ok {
					m2[k] = r
					exec(fmt.Sprintf("INSERT INTO t2 VALUES (%d, %d, %d, 0)", k, r[0], r[1]))
				}
			}
		}
		lim1, lim2 := rng.Intn(11), rng.Intn(11)
		from := "t1 JOIN t2 ON t1.b = t2.d"
		if rng.Intn(2) == 0 {
			from = "t2 JOIN t1 ON t2.d = t1.b"
		}
		where := fmt.Sprintf("t1.x < %d AND t2.y < %d", lim1, lim2)
		// The model's join, each side's rows once.
		hit1, hit2 := map[int]bool{}, map[int]bool{}
		for k1, r1 := range m1 {
			for k2, r2 := range m2 {
				if r1[0] == r2[0] && r1[1] < lim1 && r2[1] < lim2 {
					hit1[k1], hit2[k2] = true, true
				}
			}
		}
		var q string
		var want int64
		switch op := rng.Intn(4); op {
		case 0, 1, 2: // DELETE t1, t2, or both
			targets := [...]string{"t1", "t2", "t1, t2"}[op]
			q = fmt.Sprintf("DELETE %s FROM %s WHERE %s", targets, from, where)
			if rng.Intn(2) == 0 {
				q = fmt.Sprintf("DELETE FROM %s USING %s WHERE %s", targets, from, where)
			}
			if op != 1 {
				for k := range hit1 {
					delete(m1, k)
					want++
				}
			}
			if op != 0 {
				for k := range hit2 {
					delete(m2, k)
					want++
				}
			}
		default: // UPDATE both: x and z of t1 (z sees the new x), y of t2
			q = fmt.Sprintf("UPDATE %s SET t1.x = t1.x + 1, t1.z = t1.x + t2.d, t2.y = t2.y %% 3, t2.w = t1.b WHERE %s", from, where)
			for k := range hit1 {
				r := m1[k]
				nu := [3]int{r[0], r[1] + 1, r[1] + 1 + r[0]}
				if nu != r {
					want++
				}
				m1[k] = nu
			}
			for k := range hit2 {
				r := m2[k]
				nu := [3]int{r[0], r[1] % 3, r[0]}
				if nu != r {
					want++
				}
				m2[k] = nu
			}
		}
		total += want
		if got := exec(q); got != want {
			t.Fatalf("round %d: %s: affected %d, want %d", round, q, got, want)
		}
		got1, got2 := read("SELECT a, b, x, z FROM t1"), read("SELECT c, d, y, w FROM t2")
		if fmt.Sprint(got1) != fmt.Sprint(m1) || fmt.Sprint(got2) != fmt.Sprint(m2) {
			t.Fatalf("round %d: %s:\nt1 %v\nwant %v\nt2 %v\nwant %v", round, q, got1, m1, got2, m2)
		}
	}
	if total == 0 {
		t.Fatal("no row changed: the test checked nothing")
	}
}
