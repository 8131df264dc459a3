package sqlfront

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestStreamedAggregateModel checks aggregates streamed or hashed over a table or
// index source that hands out one reused row (reuseSource): per group (in
// index order, so the first row of a group is known) the non-aggregated
// column of the group's first row, COUNT, SUM, and MIN/MAX of a string
// column, under filters, against a model.
func TestStreamedAggregateModel(t *testing.T) {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 11))
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	execSQL(t, s, "CREATE TABLE t (id INT NOT NULL, g INT NOT NULL, name VARCHAR(12) NOT NULL, n INT NOT NULL, PRIMARY KEY (g, id))")
	type row struct {
		id, g, n int
		name     string
	}
	var rows []row
	for id := 1; id <= 600; id++ {
		r := row{id: id, g: rng.IntN(25), n: rng.IntN(1000), name: fmt.Sprintf("%c%d", 'a'+rng.IntN(26), rng.IntN(100))}
		rows = append(rows, r)
		execSQL(t, s, fmt.Sprintf("INSERT INTO t (id, g, name, n) VALUES (%d, %d, '%s', %d)", r.id, r.g, r.name, r.n))
	}
	for q := 0; q < 40; q++ {
		lo := rng.IntN(1000)
		// Rows in index order: by g, then id.
		sorted := slices.Clone(rows)
		slices.SortFunc(sorted, func(a, b row) int {
			if a.g != b.g {
				return a.g - b.g
			}
			return a.id - b.id
		})
		var want [][]string
		var cur *row
		var count, sum int
		var minName, maxName string
		flush := func() {
			if cur != nil {
				want = append(want, []string{fmt.Sprint(cur.g), fmt.Sprint(cur.id), cur.name, fmt.Sprint(count), fmt.Sprint(sum), minName, maxName})
			}
		}
		total := 0
		for i := range sorted {
			r := sorted[i]
			if r.n < lo {
				continue
			}
			total++
			if cur == nil || cur.g != r.g {
				flush()
				cur, count, sum, minName, maxName = &sorted[i], 0, 0, r.name, r.name
			}
			count++
			sum += r.n
			minName = min(minName, r.name)
			maxName = max(maxName, r.name)
		}
		flush()
		got := querySQL(t, s, fmt.Sprintf("SELECT g, id, name, COUNT(*), SUM(n), MIN(name), MAX(name) FROM t WHERE n >= %d GROUP BY g ORDER BY g", lo))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("n >= %d: grouped (-want +got):\n%s", lo, diff)
		}
		// Hashed groups: the first row of each in scan (primary key) order.
		type hg struct {
			first row
			count int
		}
		hashed := map[int]*hg{}
		for _, r := range sorted {
			if r.n < lo {
				continue
			}
			if hashed[r.n%7] == nil {
				hashed[r.n%7] = &hg{first: r}
			}
			hashed[r.n%7].count++
		}
		want = nil
		for k := 0; k < 7; k++ {
			if h := hashed[k]; h != nil {
				want = append(want, []string{fmt.Sprint(k), fmt.Sprint(h.first.g), fmt.Sprint(h.first.id), fmt.Sprint(h.count)})
			}
		}
		got = querySQL(t, s, fmt.Sprintf("SELECT n %% 7, g, id, COUNT(*) FROM t WHERE n >= %d GROUP BY n %% 7 ORDER BY 1", lo))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("n >= %d: hashed groups (-want +got):\n%s", lo, diff)
		}
		got = querySQL(t, s, fmt.Sprintf("SELECT COUNT(*), MIN(name) FROM t WHERE n >= %d AND name <> ''", lo))
		wantMin := "NULL"
		for _, r := range rows {
			if r.n >= lo && (wantMin == "NULL" || r.name < wantMin) {
				wantMin = r.name
			}
		}
		if w := []string{fmt.Sprint(total), wantMin}; strings.Join(got[0], " ") != strings.Join(w, " ") {
			t.Fatalf("n >= %d: got %v, want %v", lo, got[0], w)
		}
	}
}
