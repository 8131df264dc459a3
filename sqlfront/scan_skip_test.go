package sqlfront

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestLimitOffsetSkip checks LIMIT ... OFFSET over key-ordered scans,
// which position themselves by record counts instead of reading the
// skipped rows (keySource.seekSkip), against a brute-force model: primary
// key and index ranges, several ranges (IN lists), both directions,
// covering and non-covering index scans, filters (which must read every
// row), and uncommitted changes of the session's own transaction.
func TestLimitOffsetSkip(t *testing.T) {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, a INT NULL, b VARCHAR(10) NOT NULL, INDEX ia (a))")
	type row struct {
		id int
		a  *int
		b  string
	}
	model := map[int]row{}
	put := func(id int) {
		r := row{id: id, b: fmt.Sprintf("b%d", rng.IntN(5))}
		if rng.IntN(10) > 0 {
			a := rng.IntN(20)
			r.a = &a
		}
		if _, ok := model[id]; ok {
			return
		}
		model[id] = r
		aSQL := "NULL"
		if r.a != nil {
			aSQL = fmt.Sprint(*r.a)
		}
		execSQL(t, s, fmt.Sprintf("INSERT INTO t VALUES (%d, %s, '%s')", id, aSQL, r.b))
	}
	for range 400 {
		put(rng.IntN(1000))
	}
	aKey := func(r row) int { // NULL first
		if r.a == nil {
			return -1
		}
		return *r.a
	}
	fmtA := func(r row) string {
		if r.a == nil {
			return "NULL"
		}
		return fmt.Sprint(*r.a)
	}
	check := func(round int) {
		for q := 0; q < 60; q++ {
			var where, order string
			keep := func(row) bool { return true }
			less := func(x, y row) int { return cmp.Compare(x.id, y.id) }
			cols := "id, b"
			out := func(r row) string { return fmt.Sprintf("%d %s", r.id, r.b) }
			desc := rng.IntN(2) == 0
			dir := map[bool]string{false: "", true: " DESC"}[desc]
			switch rng.IntN(6) {
			case 0: // whole primary key
				order = "id" + dir
			case 1: // primary key range
				lo := rng.IntN(1000)
				hi := lo + rng.IntN(400)
				where = fmt.Sprintf("id BETWEEN %d AND %d", lo, hi)
				keep = func(r row) bool { return r.id >= lo && r.id <= hi }
				order = "id" + dir
			case 2: // several primary key ranges
				var ids []string
				set := map[int]bool{}
				for range 1 + rng.IntN(30) {
					id := rng.IntN(1000)
					ids = append(ids, fmt.Sprint(id))
					set[id] = true
				}
				where = "id IN (" + strings.Join(ids, ", ") + ") OR id > 950"
				keep = func(r row) bool { return set[r.id] || r.id > 950 }
				order = "id" + dir
			case 3: // covering index range, NULLs first
				cols = "a, id"
				out = func(r row) string { return fmt.Sprintf("%s %d", fmtA(r), r.id) }
				if rng.IntN(2) == 0 {
					lo := rng.IntN(20)
					hi := lo + rng.IntN(8)
					where = fmt.Sprintf("a BETWEEN %d AND %d", lo, hi)
					keep = func(r row) bool { return r.a != nil && *r.a >= lo && *r.a <= hi }
				}
				less = func(x, y row) int { return cmp.Or(cmp.Compare(aKey(x), aKey(y)), cmp.Compare(x.id, y.id)) }
				order = "a" + dir + ", id" + dir
			case 4: // index ranges read through the table
				cols = "id, b, a"
				out = func(r row) string { return fmt.Sprintf("%d %s %s", r.id, r.b, fmtA(r)) }
				as := map[int]bool{}
				var list []string
				for range 1 + rng.IntN(4) {
					a := rng.IntN(20)
					as[a] = true
					list = append(list, fmt.Sprint(a))
				}
				where = "a IN (" + strings.Join(list, ", ") + ")"
				keep = func(r row) bool { return r.a != nil && as[*r.a] }
				less = func(x, y row) int { return cmp.Or(cmp.Compare(aKey(x), aKey(y)), cmp.Compare(x.id, y.id)) }
				order = "a" + dir + ", id" + dir
			case 5: // a filter: every row is read
				b := fmt.Sprintf("b%d", rng.IntN(5))
				where = "b <> '" + b + "'"
				keep = func(r row) bool { return r.b != b }
				order = "id" + dir
			}
			var want []string
			var rows []row
			for _, r := range model {
				if keep(r) {
					rows = append(rows, r)
				}
			}
			slices.SortFunc(rows, func(x, y row) int {
				if desc {
					return less(y, x)
				}
				return less(x, y)
			})
			limit, offset := rng.IntN(30), rng.IntN(len(rows)+20)
			for i := offset; i < min(len(rows), offset+limit); i++ {
				want = append(want, out(rows[i]))
			}
			sql := "SELECT " + cols + " FROM t"
			if where != "" {
				sql += " WHERE " + where
			}
			sql += " ORDER BY " + order
			if rng.IntN(2) == 0 {
				sql += fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset)
			} else {
				sql += fmt.Sprintf(" LIMIT %d, %d", offset, limit)
			}
			var got []string
			for _, r := range querySQL(t, s, sql) {
				got = append(got, strings.Join(r, " "))
			}
			if !slices.Equal(got, want) {
				t.Fatalf("round %d: %s:\n got %v\nwant %v", round, sql, got, want)
			}
		}
	}
	check(0)
	// The session's own uncommitted changes count.
	execSQL(t, s, "BEGIN")
	for range 100 {
		put(rng.IntN(1000))
	}
	for range 50 {
		id := rng.IntN(1000)
		delete(model, id)
		execSQL(t, s, fmt.Sprintf("DELETE FROM t WHERE id = %d", id))
	}
	check(1)
	execSQL(t, s, "COMMIT")
	check(2)
}
