package sqlfront

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestFKSessionVariable: foreign_key_checks is per session, reads as 0/1,
// and survives Session.Reset (the driver's ResetSession), as a MySQL
// connection keeps it.
func TestFKSessionVariable(t *testing.T) {
	e := openTestEngine(t)
	s, s2 := e.NewSession(), e.NewSession()
	execSQL(t, s, "CREATE TABLE p (id INT PRIMARY KEY)")
	execSQL(t, s, "CREATE TABLE c (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES p (id))")
	execSQL(t, s, "SET SESSION foreign_key_checks = OFF")
	if got := fmt.Sprint(querySQL(t, s, "SELECT @@foreign_key_checks, @@session.foreign_key_checks")); got != "[[0 0]]" {
		t.Fatalf("after SET: %s", got)
	}
	execSQL(t, s, "INSERT INTO c VALUES (1, 7)")
	if err := execErr(context.Background(), s2, "INSERT INTO c VALUES (2, 7)"); sqlNumber(err) != 1452 {
		t.Fatalf("other session: %v, want 1452", err)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT @@foreign_key_checks")); got != "[[0]]" {
		t.Fatalf("after Reset: %s", got)
	}
	execSQL(t, s, "SET foreign_key_checks = 1")
	if err := execErr(context.Background(), s, "INSERT INTO c VALUES (2, 7)"); sqlNumber(err) != 1452 {
		t.Fatalf("after SET foreign_key_checks = 1: %v, want 1452", err)
	}
	// GLOBAL is accepted and changes nothing.
	execSQL(t, s, "SET GLOBAL foreign_key_checks = 0")
	if got := fmt.Sprint(querySQL(t, s, "SELECT @@foreign_key_checks")); got != "[[1]]" {
		t.Fatalf("after SET GLOBAL: %s", got)
	}
}

// TestFKCascadeTombstones: a cascaded delete of a synchronized table's row
// leaves a tombstone like any delete; a cascaded key move too; indexes stay
// consistent, and a failed cascade leaves nothing.
func TestFKCascadeTombstones(t *testing.T) {
	e := openConcurrent(t, 0)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE p (id INT PRIMARY KEY)")
	execSQL(t, s, "CREATE TABLE c (id INT PRIMARY KEY, pid INT, v INT, KEY kv (v), FOREIGN KEY (pid) REFERENCES p (id) ON DELETE CASCADE ON UPDATE CASCADE)")
	execSQL(t, s, "CREATE TABLE r (id INT PRIMARY KEY, cid INT, FOREIGN KEY (cid) REFERENCES c (id))")
	execSQL(t, s, "INSERT INTO p VALUES (1), (2), (3)")
	execSQL(t, s, "INSERT INTO c VALUES (10, 1, 5), (11, 1, 6), (20, 2, 7), (30, 3, 8)")
	execSQL(t, s, "INSERT INTO r VALUES (1, 30)")
	markSync(t, e, "c")
	tb := syncTable(t, e, "c")
	execSQL(t, s, "DELETE FROM p WHERE id = 1")
	dead := treeRecs(t, e, tb.dead)
	if len(dead) != 2 {
		t.Fatalf("tombstones after cascaded delete: %d, want 2", len(dead))
	}
	for _, k := range []int64{10, 11} {
		r, ok := dead[intKey(k)]
		if !ok || r.val != "" || r.ver == 0 {
			t.Fatalf("tombstone of %d: %+v, %v", k, r, ok)
		}
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT id, pid, v FROM c ORDER BY v")); got != "[[20 2 7] [30 3 8]]" {
		t.Fatalf("c: %s", got)
	}
	// The cascade to c reaches r (RESTRICT): nothing changes.
	if err := execErr(context.Background(), s, "DELETE FROM p WHERE id = 3"); sqlNumber(err) != 1451 {
		t.Fatalf("restricted cascade: %v, want 1451", err)
	}
	if n := len(treeRecs(t, e, tb.dead)); n != 2 {
		t.Fatalf("tombstones after failed cascade: %d, want 2", n)
	}
	execSQL(t, s, "UPDATE p SET id = 5 WHERE id = 2")
	if got := fmt.Sprint(querySQL(t, s, "SELECT id, pid FROM c ORDER BY id")); got != "[[20 5] [30 3]]" {
		t.Fatalf("c after cascaded update: %s", got)
	}
	if err := e.checkTrees(); err != nil {
		t.Fatal(err)
	}
}

// fkModelFK is one foreign key of the model schema.
type fkModelFK struct {
	child, col, parent, pcol string
	onDel, onUpd             string
}

// TestFKModel runs random statements on parents, children and
// grandchildren linked by CASCADE, SET NULL and RESTRICT foreign keys and
// compares every table with an in-memory model after every statement.
func TestFKModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	e := openTestEngine(t)
	s := e.NewSession()

	// Columns of each table; "id" is the primary key, p.code is UNIQUE.
	cols := map[string][]string{
		"p": {"id", "code", "v"},
		"c": {"id", "pid", "v"},
		"n": {"id", "pid"},
		"r": {"id", "pid"},
		"k": {"id", "code"},
		"g": {"id", "cid"},
		"h": {"id", "cid"},
	}
	fks := []fkModelFK{
		// Order of the engine: child tables by name, then declaration.
		{"c", "pid", "p", "id", "CASCADE", "CASCADE"},
		{"g", "cid", "c", "id", "CASCADE", "RESTRICT"},
		{"h", "cid", "c", "id", "SET NULL", "CASCADE"},
		{"k", "code", "p", "code", "CASCADE", "SET NULL"},
		{"n", "pid", "p", "id", "SET NULL", "SET NULL"},
		{"r", "pid", "p", "id", "RESTRICT", "NO ACTION"},
	}
	execSQL(t, s, "CREATE TABLE p (id INT PRIMARY KEY, code INT, v INT, UNIQUE KEY (code))")
	for _, f := range fks {
		execSQL(t, s, fmt.Sprintf("CREATE TABLE %s (id INT PRIMARY KEY, %s INT%s, FOREIGN KEY (%s) REFERENCES %s (%s) ON DELETE %s ON UPDATE %s)",
			f.child, f.col, map[bool]string{true: ", v INT", false: ""}[f.child == "c"], f.col, f.parent, f.pcol, f.onDel, f.onUpd))
	}
	tables := []string{"c", "g", "h", "k", "n", "p", "r"}

	// The model: table -> id -> row (column values, -1 for NULL).
	type row []int
	state := map[string]map[int]row{}
	for _, tn := range tables {
		state[tn] = map[int]row{}
	}
	clone := func() map[string]map[int]row {
		out := map[string]map[int]row{}
		for tn, rows := range state {
			out[tn] = map[int]row{}
			for id, r := range rows {
				out[tn][id] = slices.Clone(r)
			}
		}
		return out
	}
	colIdx := func(tn, c string) int { return slices.Index(cols[tn], c) }
	sortedIDs := func(tn string) []int {
		var ids []int
		for id := range state[tn] {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		return ids
	}
	hasParent := func(f fkModelFK, v int) bool {
		pc := colIdx(f.parent, f.pcol)
		for _, r := range state[f.parent] {
			if r[pc] == v {
				return true
			}
		}
		return false
	}
	children := func(f fkModelFK, v int) []int {
		cc := colIdx(f.child, f.col)
		var ids []int
		for _, id := range sortedIDs(f.child) {
			if state[f.child][id][cc] == v {
				ids = append(ids, id)
			}
		}
		return ids
	}
	// checkNew checks a new or changed row: keys, then foreign keys.
	checkNew := func(tn string, r, old row) int {
		for id, o := range state[tn] {
			if old != nil && id == old[0] {
				continue
			}
			if id == r[0] {
				return 1062
			}
			if tn == "p" && r[1] >= 0 && o[1] == r[1] {
				return 1062
			}
		}
		for _, f := range fks {
			if f.child != tn {
				continue
			}
			c := colIdx(tn, f.col)
			if r[c] >= 0 && (old == nil || old[c] != r[c]) && !hasParent(f, r[c]) {
				return 1452
			}
		}
		return 0
	}
	var del func(tn string, id int) int
	var upd func(tn string, id int, nu row) int
	del = func(tn string, id int) int {
		old := state[tn][id]
		delete(state[tn], id)
		for _, f := range fks {
			if f.parent != tn || old[colIdx(tn, f.pcol)] < 0 {
				continue
			}
			kids := children(f, old[colIdx(tn, f.pcol)])
			if len(kids) == 0 {
				continue
			}
			for _, k := range kids {
				cur, ok := state[f.child][k]
				if !ok {
					continue
				}
				switch f.onDel {
				case "CASCADE":
					if n := del(f.child, k); n != 0 {
						return n
					}
				case "SET NULL":
					nu := slices.Clone(cur)
					nu[colIdx(f.child, f.col)] = -1
					if n := upd(f.child, k, nu); n != 0 {
						return n
					}
				default:
					return 1451
				}
			}
		}
		return 0
	}
	upd = func(tn string, id int, nu row) int {
		old := state[tn][id]
		if slices.Equal(old, nu) {
			return 0
		}
		if n := checkNew(tn, nu, old); n != 0 {
			return n
		}
		delete(state[tn], id)
		state[tn][nu[0]] = nu
		for _, f := range fks {
			pc := colIdx(tn, f.pcol)
			if f.parent != tn || old[pc] == nu[pc] || old[pc] < 0 {
				continue
			}
			kids := children(f, old[pc])
			for _, k := range kids {
				cur, ok := state[f.child][k]
				if !ok {
					continue
				}
				cnu := slices.Clone(cur)
				switch f.onUpd {
				case "CASCADE":
					cnu[colIdx(f.child, f.col)] = nu[pc]
				case "SET NULL":
					cnu[colIdx(f.child, f.col)] = -1
				default:
					return 1451
				}
				if n := upd(f.child, k, cnu); n != 0 {
					return n
				}
			}
		}
		return 0
	}
	ins := func(tn string, r row) int {
		if n := checkNew(tn, r, nil); n != 0 {
			return n
		}
		state[tn][r[0]] = r
		return 0
	}

	val := func(n int) int {
		if rng.IntN(6) == 0 {
			return -1
		}
		return rng.IntN(n)
	}
	sqlVal := func(v int) string {
		if v < 0 {
			return "NULL"
		}
		return fmt.Sprint(v)
	}
	check := func(step int, q string) {
		t.Helper()
		for _, tn := range tables {
			var sel []string
			for _, c := range cols[tn] {
				sel = append(sel, "IFNULL("+c+", -1)")
			}
			got := fmt.Sprint(querySQL(t, s, "SELECT "+strings.Join(sel, ", ")+" FROM "+tn+" ORDER BY id"))
			var want [][]string
			for _, id := range sortedIDs(tn) {
				var r []string
				for _, v := range state[tn][id] {
					r = append(r, fmt.Sprint(v))
				}
				want = append(want, r)
			}
			if w := fmt.Sprint(want); got != w {
				t.Fatalf("seed %d step %d after %s: table %s\n got %s\nwant %s", seed, step, q, tn, got, w)
			}
		}
	}

	const steps = 1500
	outcomes := map[int]int{} // error number (0: success) -> statements
	for step := range steps {
		saved := clone()
		var q string
		var want int
		switch op := rng.IntN(12); {
		case op < 4: // INSERT into any table
			tn := tables[rng.IntN(len(tables))]
			r := row{rng.IntN(12)}
			for range cols[tn][1:] {
				r = append(r, val(10))
			}
			var vs []string
			for _, v := range r {
				vs = append(vs, sqlVal(v))
			}
			q = fmt.Sprintf("INSERT INTO %s VALUES (%s)", tn, strings.Join(vs, ", "))
			want = ins(tn, r)
		case op < 6: // UPDATE a foreign key column of a child
			f := fks[rng.IntN(len(fks))]
			id, v := rng.IntN(12), val(10)
			q = fmt.Sprintf("UPDATE %s SET %s = %s WHERE id = %d", f.child, f.col, sqlVal(v), id)
			if old, ok := state[f.child][id]; ok {
				nu := slices.Clone(old)
				nu[colIdx(f.child, f.col)] = v
				want = upd(f.child, id, nu)
			}
		case op < 8: // UPDATE a referenced column: p.id, p.code or c.id
			tn, c := "p", "id"
			switch rng.IntN(3) {
			case 1:
				c = "code"
			case 2:
				tn = "c"
			}
			id, v := rng.IntN(12), rng.IntN(12)
			if c == "code" {
				v = val(10)
			}
			q = fmt.Sprintf("UPDATE %s SET %s = %s WHERE id = %d", tn, c, sqlVal(v), id)
			if old, ok := state[tn][id]; ok {
				nu := slices.Clone(old)
				nu[colIdx(tn, c)] = v
				want = upd(tn, id, nu)
			}
		case op < 10: // DELETE one row of p or c
			tn := []string{"p", "c"}[rng.IntN(2)]
			id := rng.IntN(12)
			q = fmt.Sprintf("DELETE FROM %s WHERE id = %d", tn, id)
			if _, ok := state[tn][id]; ok {
				want = del(tn, id)
			}
		case op < 11: // DELETE several rows of p
			lim := rng.IntN(12)
			q = fmt.Sprintf("DELETE FROM p WHERE v < %d", lim)
			for _, id := range sortedIDs("p") {
				if r, ok := state["p"][id]; ok && r[2] >= 0 && r[2] < lim {
					if want = del("p", id); want != 0 {
						break
					}
				}
			}
		default: // REPLACE into p: deletes the conflicting rows first
			r := row{rng.IntN(12), val(10), val(10)}
			q = fmt.Sprintf("REPLACE INTO p VALUES (%d, %s, %s)", r[0], sqlVal(r[1]), sqlVal(r[2]))
			for want == 0 {
				n := checkNew("p", r, nil)
				if n == 0 {
					state["p"][r[0]] = r
					break
				}
				// The conflict on the primary key first, then on code.
				victim := -1
				if _, ok := state["p"][r[0]]; ok {
					victim = r[0]
				} else {
					for id, o := range state["p"] {
						if r[1] >= 0 && o[1] == r[1] {
							victim = id
						}
					}
				}
				want = del("p", victim)
			}
		}
		err := execErr(context.Background(), s, q)
		if got := int(sqlNumber(err)); got != want || (err != nil) != (want != 0) {
			t.Fatalf("seed %d step %d: %s: error %v, want %d", seed, step, q, err, want)
		}
		outcomes[want]++
		if want != 0 {
			state = saved
		}
		check(step, q)
	}
	t.Logf("outcomes by error number: %v", outcomes)
	if err := e.checkTrees(); err != nil {
		t.Fatal(err)
	}
}
