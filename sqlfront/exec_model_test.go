package sqlfront

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// The model-based random test: a random stream of INSERT, UPDATE, DELETE
// and SELECT on a table with a secondary and a unique index, inside and
// outside transactions (with savepoints and rollbacks), compared after
// every query with a brute-force in-memory model. The seed is logged;
// BXDB_MODEL_SEED=n repeats a run.

// modelRow is one row of the model.
type modelRow struct {
	id, a int
	b     string
	u     *int // NULL when nil
}

// model is the expected table state.
type model map[int]modelRow

// clone copies the model (for transactions and failed statements).
func (m model) clone() model {
	c := make(model, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// uniqueOK reports whether the u values are unique (NULLs aside).
func (m model) uniqueOK() bool {
	seen := map[int]bool{}
	for _, r := range m {
		if r.u != nil {
			if seen[*r.u] {
				return false
			}
			seen[*r.u] = true
		}
	}
	return true
}

// ids returns the ids of rows that match f, ascending.
func (m model) ids(f func(modelRow) bool) []int {
	var out []int
	for _, r := range m {
		if f(r) {
			out = append(out, r.id)
		}
	}
	slices.Sort(out)
	return out
}

func TestModelRandom(t *testing.T) {
	seed := rand.Int63()
	if s := os.Getenv("BXDB_MODEL_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	t.Logf("seed %d (BXDB_MODEL_SEED=%d repeats it)", seed, seed)
	rng := rand.New(rand.NewSource(seed))
	e, err := Open("model.bxdb", &Options{FS: bedrock.NewMemFS(), NoSync: true, SortMemory: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	ctx := context.Background()
	run := func(q string, args ...Value) ([][]Value, error) {
		st, err := s.Prepare(q)
		if err != nil {
			return nil, err
		}
		rows, err := s.Query(ctx, st, args)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out [][]Value
		for {
			dst := make([]Value, len(rows.Columns()))
			err := rows.Next(dst)
			if err == io.EOF {
				return out, nil
			}
			if err != nil {
				return nil, err
			}
			out = append(out, dst)
		}
	}
	must := func(q string, args ...Value) [][]Value {
		t.Helper()
		r, err := run(q, args...)
		if err != nil {
			t.Fatalf("%s %v: %v", q, args, err)
		}
		return r
	}
	must("CREATE TABLE m (id INT PRIMARY KEY, a INT, b VARCHAR(10), u INT, KEY ia (a), UNIQUE KEY uu (u), KEY iab (a DESC, b))")
	cur := model{}
	var txBase model // model at BEGIN, nil outside a transaction
	var saves []model
	ival := func(n int) Value { return IntValue(int64(n)) }
	uval := func(u *int) Value {
		if u == nil {
			return Null
		}
		return ival(*u)
	}
	randU := func() *int {
		if rng.Intn(4) == 0 {
			return nil
		}
		u := rng.Intn(60)
		return &u
	}
	checkIDs := func(op int, q string, got [][]Value, want []int) {
		t.Helper()
		var g []int
		for _, r := range got {
			g = append(g, int(r[0].I))
		}
		if !slices.Equal(g, want) {
			t.Fatalf("op %d: %s: got %v, want %v", op, q, g, want)
		}
	}
	const ops = 3000
	for op := 0; op < ops; op++ {
		switch k := rng.Intn(100); {
		case k < 28: // INSERT
			r := modelRow{id: rng.Intn(200), a: rng.Intn(20), b: strconv.Itoa(rng.Intn(1000)), u: randU()}
			_, err := run("INSERT INTO m VALUES (?, ?, ?, ?)", ival(r.id), ival(r.a), StringValue(r.b), uval(r.u))
			next := cur.clone()
			_, dup := cur[r.id]
			next[r.id] = r
			wantErr := dup || !next.uniqueOK()
			if (err != nil) != wantErr {
				t.Fatalf("op %d: insert %+v: err %v, want error %v", op, r, err, wantErr)
			}
			if err != nil {
				var se *SQLError
				if !errors.As(err, &se) || se.Number != ErDupEntry {
					t.Fatalf("op %d: insert: %v", op, err)
				}
			} else {
				cur = next
			}
		case k < 40: // UPDATE by a (several rows) or by id
			newA, newU := rng.Intn(20), randU()
			var q string
			var args []Value
			var match func(modelRow) bool
			if rng.Intn(2) == 0 {
				x := rng.Intn(20)
				q, args = "UPDATE m SET a = ?, u = ? WHERE a = ?", []Value{ival(newA), uval(newU), ival(x)}
				match = func(r modelRow) bool { return r.a == x }
			} else {
				x := rng.Intn(200)
				q, args = "UPDATE m SET u = ?, a = ? WHERE id = ?", []Value{uval(newU), ival(newA), ival(x)}
				match = func(r modelRow) bool { return r.id == x }
			}
			next := cur.clone()
			for _, r := range cur {
				if match(r) {
					r.a, r.u = newA, newU
					next[r.id] = r
				}
			}
			_, err := run(q, args...)
			wantErr := !next.uniqueOK()
			if (err != nil) != wantErr {
				t.Fatalf("op %d: %s %v: err %v, want error %v", op, q, args, err, wantErr)
			}
			if err == nil {
				cur = next
			}
		case k < 45: // UPDATE the primary key
			from, to := rng.Intn(200), rng.Intn(200)
			_, err := run("UPDATE m SET id = ? WHERE id = ?", ival(to), ival(from))
			next := cur.clone()
			wantErr := false
			if r, ok := cur[from]; ok && from != to {
				if _, taken := cur[to]; taken {
					wantErr = true
				} else {
					delete(next, from)
					r.id = to
					next[to] = r
				}
			}
			if (err != nil) != wantErr {
				t.Fatalf("op %d: move %d->%d: err %v, want error %v", op, from, to, err, wantErr)
			}
			if err == nil {
				cur = next
			}
		case k < 48: // DELETE a range of a
			lo := rng.Intn(20)
			hi := lo + rng.Intn(2)
			res, err := run("DELETE FROM m WHERE a BETWEEN ? AND ?", ival(lo), ival(hi))
			_ = res
			if err != nil {
				t.Fatalf("op %d: delete: %v", op, err)
			}
			for id, r := range cur {
				if r.a >= lo && r.a <= hi {
					delete(cur, id)
				}
			}
		case k < 60:
			x := rng.Intn(20)
			q := "SELECT id FROM m WHERE a = ? ORDER BY id"
			checkIDs(op, q, must(q, ival(x)), cur.ids(func(r modelRow) bool { return r.a == x }))
		case k < 66:
			x := rng.Intn(20)
			q := "SELECT id FROM m WHERE a > ? ORDER BY a DESC, b, id"
			got := must(q, ival(x))
			want := cur.ids(func(r modelRow) bool { return r.a > x })
			slices.SortFunc(want, func(i, j int) int {
				ri, rj := cur[i], cur[j]
				if ri.a != rj.a {
					return rj.a - ri.a
				}
				if c := strings.Compare(ri.b, rj.b); c != 0 {
					return c
				}
				return i - j
			})
			checkIDs(op, q, got, want)
		case k < 71:
			x := rng.Intn(60)
			q := "SELECT id FROM m WHERE u = ?"
			checkIDs(op, q, must(q, ival(x)), cur.ids(func(r modelRow) bool { return r.u != nil && *r.u == x }))
		case k < 76:
			lo, hi := rng.Intn(200), rng.Intn(200)
			q := "SELECT COUNT(*) FROM m WHERE id BETWEEN ? AND ?"
			got := must(q, ival(lo), ival(hi))
			want := len(cur.ids(func(r modelRow) bool { return r.id >= lo && r.id <= hi }))
			if int(got[0][0].I) != want {
				t.Fatalf("op %d: %s [%d,%d]: got %v, want %d", op, q, lo, hi, got, want)
			}
			// MIN and MAX of leading key columns (minMaxFast): the primary
			// key, a column leading two indexes (one of them DESC), and a
			// nullable one leading a unique index.
			for _, c := range []string{"id", "a", "u"} {
				for _, fn := range []string{"MIN", "MAX"} {
					q := fmt.Sprintf("SELECT %s(%s) FROM m WHERE id BETWEEN ? AND ?", fn, c)
					got := must(q, ival(lo), ival(hi))
					var best *int
					for _, r := range cur {
						v := &r.id
						switch c {
						case "a":
							v = &r.a
						case "u":
							v = r.u
						}
						if r.id < lo || r.id > hi || v == nil {
							continue
						}
						if best == nil || fn == "MIN" && *v < *best || fn == "MAX" && *v > *best {
							best = v
						}
					}
					if len(got) != 1 || (best == nil) != (got[0][0].K == KindNull) || best != nil && int(got[0][0].I) != *best {
						t.Fatalf("op %d: %s [%d,%d]: got %v, want %v", op, q, lo, hi, got, best)
					}
				}
			}
		case k < 80:
			xs := []int{rng.Intn(20), rng.Intn(20), rng.Intn(20)}
			q := "SELECT COUNT(*) FROM m WHERE a IN (?, ?, ?)"
			got := must(q, ival(xs[0]), ival(xs[1]), ival(xs[2]))
			want := len(cur.ids(func(r modelRow) bool { return slices.Contains(xs, r.a) }))
			if int(got[0][0].I) != want {
				t.Fatalf("op %d: %s %v: got %v, want %d", op, q, xs, got, want)
			}
		case k < 84:
			x := rng.Intn(20)
			q := "SELECT id FROM m WHERE a = ? OR u IS NULL ORDER BY id DESC LIMIT 3"
			want := cur.ids(func(r modelRow) bool { return r.a == x || r.u == nil })
			slices.Reverse(want)
			checkIDs(op, q, must(q, ival(x)), want[:min(3, len(want))])
		case k < 88:
			q := "SELECT a, COUNT(*) FROM m GROUP BY a ORDER BY a"
			got := must(q)
			cnt := map[int]int{}
			for _, r := range cur {
				cnt[r.a]++
			}
			var keys []int
			for a := range cnt {
				keys = append(keys, a)
			}
			slices.Sort(keys)
			if len(got) != len(keys) {
				t.Fatalf("op %d: %s: %d groups, want %d", op, q, len(got), len(keys))
			}
			for i, a := range keys {
				if int(got[i][0].I) != a || int(got[i][1].I) != cnt[a] {
					t.Fatalf("op %d: %s: group %d = %v, want %d:%d", op, q, i, got[i], a, cnt[a])
				}
			}
		case k < 92: // transactions
			switch {
			case txBase == nil:
				must("BEGIN")
				txBase, saves = cur.clone(), nil
			case rng.Intn(3) == 0 && len(saves) < 3:
				must("SAVEPOINT sp" + strconv.Itoa(len(saves)))
				saves = append(saves, cur.clone())
			case rng.Intn(3) == 0 && len(saves) > 0:
				i := rng.Intn(len(saves))
				must("ROLLBACK TO SAVEPOINT sp" + strconv.Itoa(i))
				cur, saves = saves[i].clone(), saves[:i+1]
			case rng.Intn(2) == 0:
				must("COMMIT")
				txBase, saves = nil, nil
			default:
				must("ROLLBACK")
				cur, txBase, saves = txBase, nil, nil
			}
		default: // full comparison
			got := must("SELECT id, a, b, u FROM m")
			if len(got) != len(cur) {
				t.Fatalf("op %d: %d rows, want %d", op, len(got), len(cur))
			}
			for _, r := range got {
				m, ok := cur[int(r[0].I)]
				if !ok || m.a != int(r[1].I) || m.b != r[2].S || (m.u == nil) != (r[3].K == KindNull) || m.u != nil && *m.u != int(r[3].I) {
					t.Fatalf("op %d: row %v, model %+v", op, r, m)
				}
			}
		}
	}
	if txBase != nil {
		must("COMMIT")
	}
	got := must("SELECT COUNT(*) FROM m")
	if int(got[0][0].I) != len(cur) {
		t.Fatalf("final count %v, want %d", got, len(cur))
	}
	t.Logf("%d ops, %d rows at the end", ops, len(cur))
	_ = fmt.Sprint
}
