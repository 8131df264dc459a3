package sqlfront

import (
	"context"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
)

func TestSorterSpillsAndMerges(t *testing.T) {
	cmp := func(a, b []Value) int { return CompareForSort(a[0], b[0]) }
	s := newSorter(cmp, 2000, t.TempDir())
	rng := rand.New(rand.NewPCG(7, 7))
	var want []int64
	for i := 0; i < 3000; i++ {
		n := rng.Int64N(500)
		want = append(want, n)
		row := []Value{IntValue(n), StringValue(strconv.Itoa(i)), FloatValue(1.5), TimeValue(time.Unix(n, 7)), Null}
		if err := s.add(row); err != nil {
			t.Fatal(err)
		}
	}
	if !s.spilled() {
		t.Fatal("no spill with a 2000-byte budget")
	}
	it, err := s.iter()
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	slices.Sort(want)
	var lastSeq = map[int64]int{}
	for i := 0; ; i++ {
		r, err := it.Next()
		if err == io.EOF {
			if i != len(want) {
				t.Fatalf("%d rows, want %d", i, len(want))
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if r[0].I != want[i] {
			t.Fatalf("row %d = %d, want %d", i, r[0].I, want[i])
		}
		// Stable: equal keys keep their input order.
		seq, _ := strconv.Atoi(r[1].S)
		if prev, ok := lastSeq[r[0].I]; ok && seq < prev {
			t.Fatalf("unstable: %d after %d", seq, prev)
		}
		lastSeq[r[0].I] = seq
		if !r[3].T.Equal(time.Unix(r[0].I, 7)) || r[4].K != KindNull || r[2].F != 1.5 {
			t.Fatalf("row %v did not round-trip", r)
		}
	}
}

func TestBigSortAndGroupBounded(t *testing.T) {
	e, err := Open("sort.bxdb", &Options{FS: bedrock.NewMemFS(), SortMemory: 16 << 10, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, g INT, v VARCHAR(20))")
	execSQL(t, s, "BEGIN")
	st, _ := s.Prepare("INSERT INTO t VALUES (?, ?, ?)")
	for i := 0; i < 4000; i++ {
		if _, err := s.Exec(context.Background(), st, []Value{IntValue(int64(i)), IntValue(int64(i*7919) % 101), StringValue("v" + strconv.Itoa(i))}); err != nil {
			t.Fatal(err)
		}
	}
	execSQL(t, s, "COMMIT")
	got := querySQL(t, s, "SELECT id FROM t ORDER BY v DESC LIMIT 20000")
	if len(got) != 4000 || got[0][0] != "999" {
		t.Fatalf("%d rows, first %v", len(got), got[0])
	}
	g := querySQL(t, s, "SELECT g, COUNT(*), MIN(id) FROM t GROUP BY g ORDER BY g")
	if len(g) != 101 {
		t.Fatalf("%d groups", len(g))
	}
	total := 0
	for _, r := range g {
		n, _ := strconv.Atoi(r[1])
		total += n
	}
	if total != 4000 {
		t.Fatalf("groups hold %d rows", total)
	}
}
