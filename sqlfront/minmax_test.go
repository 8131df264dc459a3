package sqlfront

import (
	"fmt"
	"strings"
	"testing"
)

// TestMinMaxUsesKeyOrder: MIN and MAX of a column leading the primary key
// or an index read one key from an end of the range (minMaxFast), which
// EXPLAIN shows as an ordered access of that key; an expression over the
// column still aggregates a full scan. Results are checked against the
// answer computed from the rows (NULLs, empty ranges, aliases included).
func TestMinMaxUsesKeyOrder(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, KEY ia (a DESC))")
	for i := 0; i < 2000; i++ {
		a := "NULL"
		if i%5 != 0 {
			a = fmt.Sprint((i * 37) % 1009)
		}
		execSQL(t, s, fmt.Sprintf("INSERT INTO t VALUES (%d, %s, %d)", i, a, i%7))
	}
	for _, c := range []struct{ q, key, extra string }{
		{"SELECT MAX(id) FROM t", "", "Backward index scan"},
		{"SELECT MIN(id) FROM t WHERE id > 5", "PRIMARY", ""},
		{"SELECT MIN(a) FROM t", "ia", ""},
		{"SELECT MAX(a) FROM t WHERE a < 500", "ia", ""},
	} {
		got := querySQL(t, s, "EXPLAIN "+c.q)
		if len(got) != 1 || c.key != "" && got[0][6] != c.key || !strings.Contains(got[0][11], c.extra) || !strings.Contains(got[0][11], "scan") && !strings.Contains(got[0][11], "range") {
			t.Errorf("EXPLAIN %s = %v: want key %q, extra containing %q", c.q, got, c.key, c.extra)
		}
	}
	if got := querySQL(t, s, "EXPLAIN SELECT MAX(a+0) FROM t"); len(got) != 1 || strings.Contains(got[0][11], "Backward") || got[0][6] != "NULL" {
		t.Errorf("EXPLAIN of MAX over an expression = %v: want a plain full scan", got)
	}
	type row struct {
		id, b int
		a     *int
	}
	var data []row
	for i := 0; i < 2000; i++ {
		r := row{id: i, b: i % 7}
		if i%5 != 0 {
			a := (i * 37) % 1009
			r.a = &a
		}
		data = append(data, r)
	}
	// agg is the brute-force answer: fn of col over the rows where keep.
	agg := func(fn, col string, keep func(row) bool) string {
		var best *int
		for _, r := range data {
			v := &r.id
			if col == "a" {
				v = r.a
			}
			if !keep(r) || v == nil {
				continue
			}
			if best == nil || fn == "MIN" && *v < *best || fn == "MAX" && *v > *best {
				best = v
			}
		}
		if best == nil {
			return "NULL"
		}
		return fmt.Sprint(*best)
	}
	all := func(row) bool { return true }
	for _, c := range []struct{ q, want string }{
		{"SELECT MAX(id) FROM t", agg("MAX", "id", all)},
		{"SELECT MIN(id) FROM t WHERE id > 5", agg("MIN", "id", func(r row) bool { return r.id > 5 })},
		{"SELECT MIN(a) FROM t", agg("MIN", "a", all)},
		{"SELECT MAX(a) FROM t", agg("MAX", "a", all)},
		{"SELECT MAX(a) FROM t WHERE a < 500", agg("MAX", "a", func(r row) bool { return r.a != nil && *r.a < 500 })},
		{"SELECT MIN(a) FROM t WHERE id < 5", agg("MIN", "a", func(r row) bool { return r.id < 5 })},
		{"SELECT MIN(a) FROM t WHERE id = 0", "NULL"},
		{"SELECT MAX(id) FROM t WHERE id > 5000", "NULL"},
		{"SELECT MAX(t.id) AS m FROM t WHERE b = 3", agg("MAX", "id", func(r row) bool { return r.b == 3 })},
		{"SELECT MAX(id) FROM t LIMIT 0", "none"},
		{"SELECT MAX(id) FROM t LIMIT 1 OFFSET 1", "none"},
		{"SELECT MAX(id) FROM t LIMIT 5", "1999"},
	} {
		got := querySQL(t, s, c.q)
		want := [][]string{{c.want}}
		if c.want == "none" {
			want = nil
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", c.q, got, want)
		}
	}
}
