package sqlfront

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestJoinOrderModel runs two-table joins with the join order chosen by
// cost (joinOrder, its threshold lowered so that small tables reorder
// too) and in FROM order, and compares the rows: primary key, unique and
// non-unique index lookups, hash joins, filters on either side,
// aggregates, DISTINCT, comma joins with the join condition in WHERE.
func TestJoinOrderModel(t *testing.T) {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 5))
	defer func(m float64) { joinReorderMin = m }(joinReorderMin)
	joinReorderMin = 0
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	execSQL(t, s, "CREATE TABLE p (id INT PRIMARY KEY, a INT, b VARCHAR(8), u INT, UNIQUE KEY pu (u), KEY pa (a))")
	execSQL(t, s, "CREATE TABLE c (id INT PRIMARY KEY, pid INT, a INT, b VARCHAR(8), KEY cp (pid))")
	for i := 1; i <= 60; i++ {
		execSQL(t, s, fmt.Sprintf("INSERT INTO p VALUES (%d, %d, 'b%d', %d)", i, rng.IntN(10), rng.IntN(5), 1000+i))
	}
	for i := 1; i <= 400; i++ {
		pid := "NULL"
		if rng.IntN(10) > 0 {
			pid = fmt.Sprint(1 + rng.IntN(70))
		}
		execSQL(t, s, fmt.Sprintf("INSERT INTO c VALUES (%d, %s, %d, 'b%d')", i, pid, rng.IntN(10), rng.IntN(5)))
	}
	conds := []string{"c.pid = p.id", "p.id = c.pid", "c.pid = p.u - 1000", "c.a = p.a", "c.b = p.b", "c.a = p.a AND c.b = p.b", "c.pid = p.id AND c.a > p.a"}
	filters := []string{"", "p.a < 5", "c.a = 3", "p.b = 'b1' AND c.a <> 2", "p.id BETWEEN 10 AND 20", "c.id < 50"}
	selects := []string{"p.id, c.id", "c.id, p.b, c.b", "COUNT(*)", "p.a, COUNT(*), SUM(c.a)", "DISTINCT p.b", "MAX(c.id), MIN(p.id)"}
	reordered := 0
	for q := 0; q < 150; q++ {
		cond := conds[rng.IntN(len(conds))]
		filter := filters[rng.IntN(len(filters))]
		sel := selects[rng.IntN(len(selects))]
		var sql string
		from := []string{"p", "c"}
		if rng.IntN(2) == 0 {
			from[0], from[1] = from[1], from[0]
		}
		if rng.IntN(2) == 0 {
			sql = fmt.Sprintf("SELECT %s FROM %s JOIN %s ON %s", sel, from[0], from[1], cond)
			if filter != "" {
				sql += " WHERE " + filter
			}
		} else {
			where := cond
			if filter != "" {
				where += " AND " + filter
			}
			sql = fmt.Sprintf("SELECT %s FROM %s, %s WHERE %s", sel, from[0], from[1], where)
		}
		if strings.Contains(sel, "p.a, COUNT") {
			sql += " GROUP BY p.a"
		}
		run := func(reorder bool) []string {
			joinReorder = reorder
			defer func() { joinReorder = true }()
			var out []string
			for _, r := range querySQL(t, s, sql) {
				out = append(out, strings.Join(r, " "))
			}
			slices.Sort(out)
			return out
		}
		got, want := run(true), run(false)
		if !slices.Equal(got, want) {
			t.Fatalf("%s:\nreordered %v\nFROM order %v", sql, got, want)
		}
		if first := querySQL(t, s, "EXPLAIN "+sql)[0][2]; first != from[0] {
			reordered++
		}
	}
	if reordered == 0 {
		t.Fatal("no query was reordered")
	}
	t.Logf("%d of 150 queries reordered", reordered)
}
