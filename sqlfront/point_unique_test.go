package sqlfront

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestPointUniqueModel drives prepared statements that name a row by all
// the columns of a UNIQUE index (the point fast path through one index
// entry, plan_point.go) against a model: a composite index with a DESC
// column and a nullable column, arguments of other types (strings for
// the INT column, which take the general path), NULL arguments, strings
// that differ in case and trailing spaces (equal under the collation),
// UPDATE and DELETE through the same form, uncommitted changes of the
// session's transaction, a rolled-back transaction, and the index
// dropped and re-created while the statements stay prepared.
func TestPointUniqueModel(t *testing.T) {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 11))
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	ctx := context.Background()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, a INT NULL, b VARCHAR(8) NOT NULL, v INT NOT NULL, UNIQUE KEY uab (a, b DESC))")
	type row struct {
		id, v int
		a     *int
		b     string // lower case, no trailing spaces (the default collation is NO PAD: "k1  " is another key)
	}
	model := map[int]*row{} // by id
	find := func(a *int, b string) *row {
		if a == nil {
			return nil
		}
		for _, r := range model {
			if r.a != nil && *r.a == *a && r.b == strings.ToLower(b) {
				return r
			}
		}
		return nil
	}
	prep := func(q string) *Stmt {
		st, err := s.Prepare(q)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	sel := prep("SELECT id, v, b FROM t WHERE b = ? AND a = ?")
	upd := prep("UPDATE t SET v = v + ? WHERE a = ? AND b = ?")
	del := prep("DELETE FROM t WHERE a = ? AND b = ?")
	ins := prep("INSERT INTO t VALUES (?, ?, ?, ?)")
	nextID := 1
	// args returns the arguments naming (a, b) in a random spelling.
	args := func(a *int, b string) (Value, Value) {
		av := Null
		if a != nil {
			switch rng.IntN(4) {
			case 0:
				av = StringValue(fmt.Sprint(*a)) // general path
			default:
				av = IntValue(int64(*a))
			}
		}
		bv := StringValue(b)
		switch rng.IntN(4) {
		case 0:
			bv = StringValue(strings.ToUpper(b))
		case 1:
			bv = StringValue(b + "  ")
		}
		return av, bv
	}
	pick := func() (*int, string) {
		if rng.IntN(10) == 0 {
			return nil, "x"
		}
		a := rng.IntN(8)
		return &a, fmt.Sprintf("k%d", rng.IntN(6))
	}
	step := func() {
		a, b := pick()
		av, bv := args(a, b)
		switch rng.IntN(4) {
		case 0: // insert, maybe a duplicate
			_, err := s.Exec(ctx, ins, []Value{IntValue(int64(nextID)), IntValue(int64(ptrOr(a, -1))), StringValue(b), IntValue(0)})
			if a == nil {
				// -1 stands for "no a" in inserts: keep the model simple.
				a = new(int)
				*a = -1
			}
			if find(a, b) != nil {
				if err == nil {
					t.Fatalf("duplicate (%d, %s) accepted", *a, b)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			model[nextID] = &row{id: nextID, a: a, b: b}
			nextID++
		case 1:
			res, err := s.Exec(ctx, upd, []Value{IntValue(3), av, bv})
			if err != nil {
				t.Fatal(err)
			}
			want := int64(0)
			if r := find(a, bv.S); r != nil {
				r.v += 3
				want = 1
			}
			if res.RowsAffected != want {
				t.Fatalf("update (%v, %q): %d rows, want %d", a, b, res.RowsAffected, want)
			}
		case 2:
			res, err := s.Exec(ctx, del, []Value{av, bv})
			if err != nil {
				t.Fatal(err)
			}
			want := int64(0)
			if r := find(a, bv.S); r != nil {
				delete(model, r.id)
				want = 1
			}
			if res.RowsAffected != want {
				t.Fatalf("delete (%v, %q): %d rows, want %d", a, b, res.RowsAffected, want)
			}
		default:
			rows, err := s.Query(ctx, sel, []Value{bv, av})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			dst := make([]Value, 3)
			for {
				err := rows.Next(dst)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, fmt.Sprintf("%s %s %s", Format(dst[0]), Format(dst[1]), Format(dst[2])))
			}
			rows.Close()
			var want []string
			if r := find(a, bv.S); r != nil {
				want = []string{fmt.Sprintf("%d %d %s", r.id, r.v, r.b)}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("select (%v, %q) as (%v, %v): got %v, want %v", a, b, av, bv, got, want)
			}
		}
	}
	for range 400 {
		step()
	}
	execSQL(t, s, "BEGIN")
	for range 200 {
		step()
	}
	execSQL(t, s, "COMMIT")
	saved := map[int]row{}
	for id, r := range model {
		saved[id] = *r
	}
	execSQL(t, s, "BEGIN")
	for range 200 {
		step()
	}
	execSQL(t, s, "ROLLBACK")
	clear(model)
	for id, r := range saved {
		model[id] = &r
	}
	for range 200 {
		step()
	}
	// The prepared statements outlive the index.
	execSQL(t, s, "DROP INDEX uab ON t")
	for range 100 {
		a, b := pick()
		if rng.IntN(2) == 0 && a != nil { // no inserts: duplicates are allowed now
			av, bv := args(a, b)
			rows, err := s.Query(ctx, sel, []Value{bv, av})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			dst := make([]Value, 3)
			for rows.Next(dst) == nil {
				n++
			}
			rows.Close()
			if want := map[bool]int{true: 1}[find(a, bv.S) != nil]; n != want {
				t.Fatalf("without the index, (%d, %q): %d rows, want %d", *a, b, n, want)
			}
		}
	}
	execSQL(t, s, "CREATE UNIQUE INDEX uab ON t (a, b DESC)")
	for range 200 {
		step()
	}
}

func ptrOr(p *int, or int) int {
	if p == nil {
		return or
	}
	return *p
}
