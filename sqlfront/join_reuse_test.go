package sqlfront

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestJoinReuseRows checks aggregations and top-N sorts over joins, whose
// table sources return the same row every time (reuseSource), against a
// model computed from the tables: inner and LEFT joins, index lookups and
// hash joins, three tables, NULL join keys and values.
func TestJoinReuseRows(t *testing.T) {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	execSQL(t, s, "CREATE TABLE a (id INT PRIMARY KEY, g VARCHAR(5), v INT)")
	execSQL(t, s, "CREATE TABLE b (id INT PRIMARY KEY, aid INT, w INT, KEY kaid (aid))")
	execSQL(t, s, "CREATE TABLE c (id INT PRIMARY KEY, bw INT, x INT)") // no index: hash join
	type arow struct {
		id   int
		g    string
		v    *int
		null bool // g is NULL
	}
	type brow struct {
		id, aid, w *int
	}
	ip := func(n int) *int {
		if rng.IntN(8) == 0 {
			return nil
		}
		v := rng.IntN(n)
		return &v
	}
	sqlInt := func(p *int) string {
		if p == nil {
			return "NULL"
		}
		return fmt.Sprint(*p)
	}
	var as []arow
	for id := range 60 {
		r := arow{id: id, g: fmt.Sprintf("g%d", rng.IntN(4)), v: ip(100), null: rng.IntN(10) == 0}
		as = append(as, r)
		g := "'" + r.g + "'"
		if r.null {
			g = "NULL"
		}
		execSQL(t, s, fmt.Sprintf("INSERT INTO a VALUES (%d, %s, %s)", id, g, sqlInt(r.v)))
	}
	var bs []brow
	for id := range 200 {
		i := id
		r := brow{id: &i, aid: ip(70), w: ip(20)}
		bs = append(bs, r)
		execSQL(t, s, fmt.Sprintf("INSERT INTO b VALUES (%d, %s, %s)", id, sqlInt(r.aid), sqlInt(r.w)))
	}
	cw := map[int]int{} // rows of c per bw
	for id := range 40 {
		bw := rng.IntN(25)
		cw[bw]++
		execSQL(t, s, fmt.Sprintf("INSERT INTO c VALUES (%d, %d, %d)", id, bw, rng.IntN(9)))
	}
	gname := func(r arow) string {
		if r.null {
			return "NULL"
		}
		return r.g
	}
	check := func(q string, want []string) {
		t.Helper()
		rows := querySQL(t, s, q)
		got := make([]string, len(rows))
		for i, r := range rows {
			got[i] = strings.Join(r, "|")
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s:\ngot  %v\nwant %v", q, got, want)
		}
	}
	// GROUP BY over an inner and a LEFT join (index lookups).
	for _, left := range []bool{false, true} {
		type agg struct{ n, sum, cnt int }
		groups := map[string]*agg{}
		for _, a := range as {
			matched := false
			for _, b := range bs {
				if b.aid == nil || *b.aid != a.id {
					continue
				}
				matched = true
				g := groups[gname(a)]
				if g == nil {
					g = &agg{}
					groups[gname(a)] = g
				}
				g.n++
				if b.w != nil {
					g.sum += *b.w
					g.cnt++
				}
			}
			if left && !matched {
				g := groups[gname(a)]
				if g == nil {
					g = &agg{}
					groups[gname(a)] = g
				}
				g.n++
			}
		}
		var want []string
		for _, k := range slices.Sorted(maps.Keys(groups)) {
			g := groups[k]
			sum := "NULL"
			if g.cnt > 0 {
				sum = fmt.Sprint(g.sum)
			}
			want = append(want, fmt.Sprintf("%s|%d|%s", k, g.n, sum))
		}
		// NULL sorts first.
		nullFirst := func(x string) int {
			if strings.HasPrefix(x, "NULL|") {
				return 0
			}
			return 1
		}
		slices.SortStableFunc(want, func(x, y string) int { return cmp.Compare(nullFirst(x), nullFirst(y)) })
		join := "JOIN"
		if left {
			join = "LEFT JOIN"
		}
		check("SELECT a.g, COUNT(*), SUM(b.w) FROM a "+join+" b ON b.aid = a.id GROUP BY a.g ORDER BY a.g", want)
	}
	// Three tables, the last one hash joined; COUNT without GROUP BY.
	n := 0
	for _, a := range as {
		for _, b := range bs {
			if b.aid == nil || *b.aid != a.id || b.w == nil {
				continue
			}
			n += cw[*b.w]
		}
	}
	check("SELECT COUNT(*) FROM a JOIN b ON b.aid = a.id JOIN c ON c.bw = b.w", []string{fmt.Sprint(n)})
	// Top-N over a join.
	type pair struct{ a, b, w int }
	var ps []pair
	for _, a := range as {
		for _, b := range bs {
			if b.aid != nil && *b.aid == a.id && b.w != nil {
				ps = append(ps, pair{a.id, *b.id, *b.w})
			}
		}
	}
	slices.SortFunc(ps, func(x, y pair) int {
		return cmp.Or(cmp.Compare(y.w, x.w), cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b))
	})
	var want []string
	for _, p := range ps[:min(7, len(ps))] {
		want = append(want, fmt.Sprintf("%d|%d|%d", p.a, p.b, p.w))
	}
	check("SELECT a.id, b.id, b.w FROM a JOIN b ON b.aid = a.id WHERE b.w IS NOT NULL ORDER BY b.w DESC, a.id, b.id LIMIT 7", want)
}

// TestJoinIntegerLookups joins on indexed integer columns of every width
// and signedness with outer values that include negatives, values beyond
// the inner column's range and NULLs, and compares each join (an index
// lookup per outer row) with the pairs a brute-force loop finds.
func TestJoinIntegerLookups(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	outer := []int64{-300, -129, -128, -1, 0, 1, 5, 127, 128, 255, 256, 300, 65535, 1 << 31, -(1 << 31) - 1, 1<<40 + 3}
	execSQL(t, s, "CREATE TABLE o (id INT PRIMARY KEY, k BIGINT)")
	for i, k := range outer {
		execSQL(t, s, fmt.Sprintf("INSERT INTO o VALUES (%d, %d)", i, k))
	}
	execSQL(t, s, fmt.Sprintf("INSERT INTO o VALUES (%d, NULL)", len(outer)))
	for _, typ := range []string{"TINYINT", "TINYINT UNSIGNED", "SMALLINT", "INT", "INT UNSIGNED", "BIGINT", "BIGINT UNSIGNED"} {
		execSQL(t, s, "DROP TABLE IF EXISTS i")
		execSQL(t, s, "CREATE TABLE i (id INT PRIMARY KEY, k "+typ+", KEY kk (k))")
		var inner []int64
		id := 0
		for _, k := range outer {
			// Values the column cannot hold are refused: keep the others.
			st, err := s.Prepare(fmt.Sprintf("INSERT INTO i VALUES (%d, %d)", id, k))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Exec(context.Background(), st, nil); err == nil {
				inner = append(inner, k)
				id++
			}
		}
		var want []string
		for oi, ok := range outer {
			for ii, ik := range inner {
				if ok == ik {
					want = append(want, fmt.Sprintf("%d %d", oi, ii))
				}
			}
		}
		var got []string
		for _, r := range querySQL(t, s, "SELECT o.id, i.id FROM o JOIN i ON i.k = o.k ORDER BY o.id, i.id") {
			got = append(got, strings.Join(r, " "))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: join got %v, want %v", typ, got, want)
		}
		if plan := strings.Join(querySQL(t, s, "EXPLAIN SELECT o.id, i.id FROM o JOIN i ON i.k = o.k")[1], " "); !strings.Contains(plan, "kk") {
			t.Errorf("%s: the join does not look i up through kk: %s", typ, plan)
		}
	}
}

// TestLongInListOnIndex runs COUNT(*) and row queries with IN lists of up
// to 300 values, literal and placeholders, on an indexed column with
// duplicates, against a model. Planning counts a sample of the ranges of a
// long list (an estimate), so COUNT(*) must count them at run time.
func TestLongInListOnIndex(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	rng := rand.New(rand.NewPCG(11, 12))
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, k INT, name VARCHAR(10), KEY kk (k), KEY kn (name))")
	byK := map[int][]int{}
	byName := map[string][]int{}
	for id := range 3000 {
		k := rng.IntN(1000)
		name := fmt.Sprintf("n%d", rng.IntN(500))
		execSQL(t, s, fmt.Sprintf("INSERT INTO t VALUES (%d, %d, '%s')", id, k, name))
		byK[k] = append(byK[k], id)
		byName[name] = append(byName[name], id)
	}
	for round := range 40 {
		n := 1 + rng.IntN(300)
		var lits, names []string
		var args []Value
		seen := map[int]bool{}
		var want []int
		seenName := map[string]bool{}
		var wantName []int
		for range n {
			k := rng.IntN(1100) - 50 // some values no row has
			lits = append(lits, fmt.Sprint(k))
			args = append(args, IntValue(int64(k)))
			if !seen[k] {
				seen[k] = true
				want = append(want, byK[k]...)
			}
			name := fmt.Sprintf("n%d", rng.IntN(520))
			names = append(names, "'"+name+"'")
			if !seenName[name] {
				seenName[name] = true
				wantName = append(wantName, byName[name]...)
			}
		}
		slices.Sort(want)
		slices.Sort(wantName)
		check := func(what string, got [][]string, want []int) {
			t.Helper()
			var ids []int
			for _, r := range got {
				var id int
				fmt.Sscan(r[0], &id)
				ids = append(ids, id)
			}
			if !slices.Equal(ids, want) {
				t.Fatalf("round %d, %s (%d values): got %d rows, want %d", round, what, n, len(ids), len(want))
			}
		}
		in := strings.Join(lits, ",")
		check("literal rows", querySQL(t, s, "SELECT id FROM t WHERE k IN ("+in+") ORDER BY id"), want)
		ph := strings.TrimSuffix(strings.Repeat("?,", n), ",")
		check("placeholder rows", querySQL(t, s, "SELECT id FROM t WHERE k IN ("+ph+") ORDER BY id", args...), want)
		check("string rows", querySQL(t, s, "SELECT id FROM t WHERE name IN ("+strings.Join(names, ",")+") ORDER BY id"), wantName)
		if got := querySQL(t, s, "SELECT COUNT(*) FROM t WHERE k IN ("+in+")"); got[0][0] != fmt.Sprint(len(want)) {
			t.Fatalf("round %d: COUNT(*) over %d values = %s, want %d", round, n, got[0][0], len(want))
		}
		if plan := strings.Join(querySQL(t, s, "EXPLAIN SELECT id FROM t WHERE k IN ("+in+")")[0], " "); !strings.Contains(plan, "kk") {
			t.Fatalf("round %d: the IN list does not use kk: %s", round, plan)
		}
	}
}
