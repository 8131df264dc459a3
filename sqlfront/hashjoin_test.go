package sqlfront

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestHashJoinMixedTypes joins columns of every pair of types and
// collations with `ON a.x = b.y`, which runs as a hash join (no index on
// either column), and compares the pairs with those of a cross join that
// evaluates a.x = b.y for each pair of rows: integers with strings ('1',
// '01', ' 1'), decimals with doubles, dates with strings and datetimes,
// _bin strings with case-insensitive ones, byte strings with strings.
func TestHashJoinMixedTypes(t *testing.T) {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	cols := []struct{ name, typ string }{
		{"i", "INT"},
		{"d", "DECIMAL(6,2)"},
		{"f", "DOUBLE"},
		{"s", "VARCHAR(12)"},
		{"sb", "VARCHAR(12) COLLATE utf8mb4_bin"},
		{"vb", "VARBINARY(12)"},
		{"dt", "DATE"},
		{"ts", "DATETIME"},
	}
	vals := []string{"NULL", "0", "1", "2", "1.00", "1.5", "'1'", "'01'", "' 1'", "'1.0'", "'a'", "'A'", "'a '", "'x'",
		"'2024-01-01'", "'2024-01-01 00:00:00'", "'2024-01-02'", "'20240101'"}
	var defs []string
	for _, c := range cols {
		defs = append(defs, c.name+" "+c.typ+" NULL")
	}
	for _, tn := range []string{"ta", "tb"} {
		execSQL(t, s, "CREATE TABLE "+tn+" (id INT PRIMARY KEY, "+strings.Join(defs, ", ")+")")
		for id := 1; id <= 25; id++ {
			var vs []string
			for range cols {
				vs = append(vs, vals[rng.IntN(len(vals))])
			}
			// Values a column refuses (a string into DATE) become NULL.
			execSQL(t, s, "INSERT IGNORE INTO "+tn+" VALUES ("+fmt.Sprint(id)+", "+strings.Join(vs, ", ")+")")
		}
	}
	for _, x := range cols {
		for _, y := range cols {
			var want []string
			for _, r := range querySQL(t, s, fmt.Sprintf("SELECT ta.id, tb.id, ta.%s = tb.%s FROM ta, tb", x.name, y.name)) {
				if r[2] == "1" {
					want = append(want, r[0]+" "+r[1])
				}
			}
			var got []string
			for _, r := range querySQL(t, s, fmt.Sprintf("SELECT ta.id, tb.id FROM ta JOIN tb ON ta.%s = tb.%s", x.name, y.name)) {
				got = append(got, r[0]+" "+r[1])
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("ta.%s (%s) = tb.%s (%s):\n got %v\nwant %v", x.name, x.typ, y.name, y.typ, got, want)
			}
		}
	}
	if plan := fmt.Sprint(querySQL(t, s, "EXPLAIN SELECT ta.id, tb.id FROM ta JOIN tb ON ta.i = tb.s")); !strings.Contains(plan, "hash join") {
		t.Fatalf("the join does not run as a hash join: %s", plan)
	}
}
