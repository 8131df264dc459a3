package sqlfront

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Access paths: for each table of a query, in FROM order, the planner
// picks how to read it.
//
//	points   the WHERE fixes the whole primary key: one Get per key
//	range    key ranges over the primary key or an index (index entries
//	         lead to the rows through the primary key)
//	lookup   (joins) a key prefix equals values of the tables before:
//	         ranges built per outer row
//	hash     (joins) an equality with the tables before that no key
//	         serves: the table's rows are hashed once
//	full     the whole table in primary key order
//
// Candidates are costed with bxtree's O(log n) Count over their ranges:
// rows read through the primary key cost 1, through an index 2 (entry and
// row), a full scan costs the table's size. An ORDER BY the access order
// satisfies saves the sort (ranges are read in key order, backward when
// every ORDER BY column is reversed), which weighs in when the query has a
// LIMIT.

// orderCol is one column of an access order: a wide-row slot and its
// direction.
type orderCol struct {
	slot int
	desc bool
}

// orderInfo describes the order in which the joined rows arrive.
type orderInfo struct {
	cols []orderCol
	eq   map[int]bool // slots fixed to one value
	// ok is set when the query's ORDER BY is satisfied.
	ok bool
}

// satisfies reports whether the rows already arrive in the ORDER BY's
// order (decided while planning the first table).
func (o *orderInfo) satisfies(order []orderKey, items []selectItem, base int) bool {
	return o != nil && o.ok
}

// groupsSatisfied reports whether equal group keys arrive together: the
// keys are plain columns that form a prefix (as a set) of the access
// order, fixed columns aside.
func (o *orderInfo) groupsSatisfied(keys []Expr) bool {
	if o == nil {
		return false
	}
	want := map[int]bool{}
	for _, k := range keys {
		slot, ok := ColumnRef(k)
		if !ok {
			return false
		}
		if !o.eq[slot] {
			want[slot] = true
		}
	}
	n := 0
	for _, c := range o.cols {
		if len(want) == n {
			break
		}
		if o.eq[c.slot] {
			continue
		}
		if !want[c.slot] {
			return false
		}
		n++
	}
	return n == len(want)
}

// orderKey is one ORDER BY key of the projected row.
type orderKey struct {
	slot int
	desc bool
	item int  // select item it refers to, or -1 for a hidden expression
	expr Expr // hidden expression
}

// access is the chosen way to read one table.
type access struct {
	kind    string // "points", "range", "lookup", "hash", "full", "virtual", "buffer"
	key     *index // nil: the primary key
	kp      keyPlan
	sets    []*ivset // constant sets per key column (lookup)
	lookups []Expr   // per key column: outer expression (lookup), nil otherwise
	nlook   int      // key columns bound by lookups or constant points
	reverse bool
	rows    float64 // estimated rows per open
	counted bool    // rows is the exact count of the ranges (tree.Count)
	cost    float64
	order   []orderCol
	eq      map[int]bool
	// consumed conjuncts are exactly represented by the ranges: the scan
	// need not evaluate them.
	consumed map[*conjunct]bool
	// wrap is "hash" or "buffer" when a joined table is read once and
	// kept in memory (hash join on hashIn = hashOut, or a plain nested
	// loop over the buffered rows).
	wrap            string
	hashIn, hashOut []Expr
	// ki and eqCols give the access order (orderOf), computed only when
	// an order is wanted.
	ki     keyInfo
	eqCols int
	// covering is set when the index holds every column the query reads
	// (an index-only scan).
	covering bool
}

// planJoins plans the FROM clause: one source per table, joined in FROM
// order (or the order joinOrder picks), with the WHERE conjuncts placed
// where their tables are available.
func (si *selectInfo) planJoins() (rowIter, *orderInfo, error) {
	sc, lay := si.sc, si.lay
	if len(lay.tabs) == 0 {
		var it rowIter = &sliceIter{rows: [][]Value{lay.newRow()}}
		if f := andExprs(si.conjs, func(*conjunct) bool { return true }); f != nil {
			it = &filterIter{sc: sc, in: it, cond: f}
		}
		return it, nil, nil
	}
	desired := si.desiredOrder()
	order, err := si.joinOrder()
	if err != nil {
		return nil, nil, err
	}
	si.placed = 0
	defer func() { si.placed = 0 }()
	var it rowIter
	var info *orderInfo
	for i, k := range order {
		ft := lay.tabs[k]
		mask := uint64(1) << uint(k)
		after := si.placed | mask // the tables available once k has joined
		var scanConjs, joinConjs, guardConjs []*conjunct
		var post []*conjunct
		never := false // a LEFT JOIN's ON is constantly false or NULL
		if ft.join == joinLeft {
			for _, a := range ft.on {
				c, err := si.compileConjunct(a)
				if err != nil {
					return nil, nil, err
				}
				if c.tabs == 0 && !c.all {
					// Constant for the statement (literals, arguments, the
					// enclosing row): decided once here instead of for
					// every pair of rows.
					if v, ok := si.constConjunct(c); ok {
						switch {
						case triOf(v) == triTrue:
							continue // holds for every pair
						case ft.t != nil:
							never = true // the table's access reads nothing
							continue
						}
						// A derived table: the term filters every pair.
					}
				}
				switch {
				case c.tabs == 1<<uint(k) && !c.all:
					scanConjs = append(scanConjs, c)
				case i > 0 && c.tabs != 0 && c.tabs&mask == 0 && c.tabs&^si.placed == 0 && !c.all && depsOf(c.expr)&depVolatile == 0:
					guardConjs = append(guardConjs, c)
				default:
					joinConjs = append(joinConjs, c)
				}
			}
		}
		for _, c := range si.conjs {
			if c.used || c.all {
				continue
			}
			ready := c.tabs&mask != 0 && c.tabs&^after == 0 // k is its last table
			switch {
			case c.tabs == 0 && i == 0:
				c.used = true
				post = append(post, c)
			case ready && ft.join == joinLeft:
				c.used = true
				post = append(post, c)
			case c.tabs == mask:
				c.used = true
				scanConjs = append(scanConjs, c)
			case ready:
				c.used = true
				joinConjs = append(joinConjs, c)
				post = append(post, c)
			}
		}
		if i == len(order)-1 {
			for _, c := range si.conjs {
				if !c.used {
					c.used = true
					post = append(post, c)
				}
			}
		}
		var want []orderCol
		if i == 0 && k == 0 {
			want = desired
		}
		acc, err := si.chooseAccess(k, scanConjs, joinConjs, want)
		if err != nil {
			return nil, nil, err
		}
		if never && ft.t != nil {
			// No row ever matches: the table reads nothing and every
			// row before it is extended with NULLs.
			acc = &access{kind: "range", kp: keyPlan{exact: true}}
		}
		src, err := si.newSource(k, acc, scanConjs)
		if err != nil {
			return nil, nil, err
		}
		sc.noteAccess(ft, acc, scanConjs, len(post) > 0, si.from.correlated)
		si.placed = after
		if i == 0 {
			info = &orderInfo{} // rows in no known order (joinOrder moved table 0)
			if k == 0 {
				if acc.order == nil && ft.t != nil && acc.kind != "virtual" {
					acc.order, acc.eq = si.orderOf(0, acc.ki, acc.eqCols)
				}
				info = &orderInfo{cols: acc.order, eq: acc.eq}
				if desired != nil && len(si.sel.OrderBy) > 0 {
					ok, _ := matchOrder(desired, acc.order, acc.eq)
					info.ok = ok
				}
			}
			it = &sourceIter{src: src, base: lay.newRow()}
		} else {
			var on, guard Expr
			if ft.join == joinLeft {
				on = andExprs(joinConjs, func(*conjunct) bool { return true })
				guard = andExprs(guardConjs, func(*conjunct) bool { return true })
			}
			it = &joinIter{sc: sc, outer: it, inner: src, left: ft.join == joinLeft, on: on, guard: guard}
		}
		if f := andExprs(post, func(*conjunct) bool { return true }); f != nil {
			it = &filterIter{sc: sc, in: it, cond: f}
		}
	}
	return it, info, nil
}

// andExprs returns the AND of the compiled conjuncts that keep selects,
// or nil.
func andExprs(cs []*conjunct, keep func(*conjunct) bool) Expr {
	var out Expr
	for _, c := range cs {
		if !keep(c) {
			continue
		}
		if out == nil {
			out = c.expr
			continue
		}
		out = &andAll{l: out, r: c.expr}
	}
	return out
}

// andAll is the AND of two conditions, evaluated with short circuit.
type andAll struct{ l, r Expr }

// Eval implements Expr (as a condition: 1, 0 or NULL).
func (a *andAll) Eval(env *Env) (Value, error) {
	ok, err := EvalBool(a.l, env)
	if err != nil || !ok {
		return BoolValue(false), err
	}
	ok, err = EvalBool(a.r, env)
	return BoolValue(ok), err
}

// desiredOrder resolves the ORDER BY to plain columns of the first table,
// or nil if it is not made of such columns (or the query aggregates).
func (si *selectInfo) desiredOrder() []orderCol {
	sel := si.sel
	if len(sel.OrderBy) == 0 || len(sel.GroupBy) > 0 {
		return nil
	}
	for _, se := range sel.SelectExprs {
		if ae, ok := se.(*sqlparser.AliasedExpr); ok && ContainsAggregate(ae.Expr) {
			return nil
		}
	}
	var out []orderCol
	for _, o := range sel.OrderBy {
		e := o.Expr
		if pos, ok := positionRef(e); ok {
			if pos < 1 || pos > len(sel.SelectExprs) {
				return nil
			}
			ae, ok := sel.SelectExprs[pos-1].(*sqlparser.AliasedExpr)
			if !ok {
				if _, star := sel.SelectExprs[pos-1].(*sqlparser.StarExpr); star && len(sel.SelectExprs) == 1 && len(si.lay.tabs) > 0 {
					ft := si.lay.tabs[0]
					if pos-1 < len(ft.cols) {
						if jsonOrderSlot(ft, ft.off+pos-1) {
							return nil
						}
						out = append(out, orderCol{slot: ft.off + pos - 1, desc: o.Direction == sqlparser.DescScr})
						continue
					}
				}
				return nil
			}
			e = ae.Expr
		} else if cn, ok := e.(*sqlparser.ColName); ok && cn.Qualifier.IsEmpty() {
			for _, se := range sel.SelectExprs {
				if ae, ok := se.(*sqlparser.AliasedExpr); ok && !ae.As.IsEmpty() && ae.As.EqualString(cn.Name.String()) {
					e = ae.Expr
					break
				}
			}
		}
		cn, ok := e.(*sqlparser.ColName)
		if !ok {
			return nil
		}
		slot, found, err := si.from.find(cn.Qualifier.Qualifier.String(), cn.Qualifier.Name.String(), cn.Name.String())
		if err != nil || !found || si.lay.tableOf(slot) != 0 || jsonOrderSlot(si.lay.tabs[0], slot) {
			return nil
		}
		out = append(out, orderCol{slot: slot, desc: o.Direction == sqlparser.DescScr})
	}
	return out
}

// jsonOrderSlot reports whether slot is a JSON column of ft: ORDER BY it
// sorts in MySQL's order of JSON values (json_order.go), which no key
// order follows (keys order the text).
func jsonOrderSlot(ft *fromTable, slot int) bool {
	c := slot - ft.off
	return c >= 0 && c < len(ft.types) && ft.types[c].Base == TypeJSON
}

// matchOrder reports whether an access order (with fixed slots eq)
// satisfies want, and whether the scan must run backward.
func matchOrder(want, have []orderCol, eq map[int]bool) (ok, reverse bool) {
	if len(want) == 0 {
		return true, false
	}
	j := 0
	dir := 0 // 0 unknown, 1 forward, -1 backward
	for _, w := range want {
		if eq[w.slot] {
			continue
		}
		for j < len(have) && eq[have[j].slot] {
			j++
		}
		if j >= len(have) || have[j].slot != w.slot {
			return false, false
		}
		d := 1
		if have[j].desc != w.desc {
			d = -1
		}
		if dir != 0 && d != dir {
			return false, false
		}
		dir = d
		j++
	}
	return true, dir == -1
}

// keyInfo describes a key of a table for access planning.
type keyInfo struct {
	ix     *index // nil: primary key
	cols   []int  // ordinals
	descs  []bool
	unique bool
	full   []int // ordinals of the full scan order (key cols, then PK cols)
	fdesc  []bool
}

// keysOf returns the primary key and indexes of t.
func keysOf(t *table) []keyInfo { return t.keys }

// computeKeys builds the keyInfos of t (once, in newTable).
func computeKeys(t *table) []keyInfo {
	var ks []keyInfo
	if !t.hidden {
		ks = append(ks, keyInfo{cols: t.pk, descs: t.pkDesc, unique: true, full: t.pk, fdesc: t.pkDesc})
	}
	for _, ix := range t.indexes {
		if ix.prefix != nil {
			continue // not exact (index.keyValue)
		}
		k := keyInfo{ix: ix, cols: ix.cols, descs: ix.descs, unique: ix.desc.Unique}
		k.full = append(append([]int(nil), ix.cols...), t.pk...)
		k.fdesc = append(append([]bool(nil), ix.descs...), t.pkDesc...)
		ks = append(ks, k)
	}
	return ks
}

// newDeriverFor returns a deriver over the query's FROM scope.
func (si *selectInfo) newDeriverFor() *deriver {
	fs := *si.from
	fs.clause = "where clause"
	d := newDeriver(func(cn *sqlparser.ColName) (rangeCol, bool) {
		slot, ok, err := fs.find(cn.Qualifier.Qualifier.String(), cn.Qualifier.Name.String(), cn.Name.String())
		if err != nil || !ok {
			return rangeCol{}, false
		}
		t := si.lay.tableOf(slot)
		if t < 0 {
			return rangeCol{}, false
		}
		return rangeCol{tab: t, col: slot - si.lay.tabs[t].off}, true
	}, func(e sqlparser.Expr) (Value, bool) {
		return si.constValue(e)
	})
	d.subq = func(sub *sqlparser.Subquery) ([]Value, bool) {
		sq, err := si.sc.prepareSubquery(sub.Select, si.from)
		if err != nil || sq.Correlated {
			return nil, false
		}
		rows, err := sq.Run(si.sc.env)
		if err != nil {
			return nil, false
		}
		vals := make([]Value, 0, len(rows))
		for _, r := range rows {
			if len(r) != 1 {
				return nil, false
			}
			vals = append(vals, r[0])
		}
		return vals, true
	}
	return d
}

// maxCountedRanges is the most ranges of one access path planning counts
// one by one; of more, it counts an evenly spaced sample.
const maxCountedRanges = 32

// constValue evaluates e if it depends on no table of this query (it may
// read placeholders, variables and the enclosing query's row).
func (si *selectInfo) constValue(e sqlparser.Expr) (Value, bool) {
	if x, ok := e.(*sqlparser.SQLVal); ok {
		// The literals of an IN list, without compiling each (what
		// compileSQLVal makes of them).
		switch x.Type {
		case sqlparser.StrVal:
			return StringValue(string(x.Val)), true
		case sqlparser.IntVal:
			if i, err := strconv.ParseInt(string(x.Val), 10, 64); err == nil {
				return IntValue(i), true
			}
		}
	}
	switch e.(type) {
	case *sqlparser.SQLVal, *sqlparser.NullVal, sqlparser.BoolVal, *sqlparser.UnaryExpr, *sqlparser.ParenExpr,
		*sqlparser.BinaryExpr, *sqlparser.FuncExpr, *sqlparser.ColName, *sqlparser.ConvertExpr, *sqlparser.CaseExpr:
	default:
		return Null, false
	}
	fs := *si.from
	x, err := Compile(e, &fs)
	if err != nil || fs.correlated && si.from.outer == nil {
		return Null, false
	}
	return si.constEval(x)
}

// constConjunct evaluates a conjunct that reads no table of this query
// (c.tabs == 0: literals, arguments, variables, the enclosing row) and
// calls nothing volatile, for the whole statement.
func (si *selectInfo) constConjunct(c *conjunct) (Value, bool) {
	if c.tabs != 0 || c.all {
		return Null, false
	}
	return si.constEval(c.expr)
}

// constEval evaluates the compiled x against the layout's template (the
// values of placeholders, variables and the enclosing row) when it calls
// nothing volatile, runs no subquery and reads no table of this query.
func (si *selectInfo) constEval(x Expr) (Value, bool) {
	if depsOf(x)&(depVolatile|depSubquery) != 0 {
		return Null, false
	}
	for _, slot := range ColumnRefs(x) {
		if si.lay.tableOf(slot) >= 0 {
			return Null, false
		}
	}
	env := *si.sc.env
	env.Row = si.lay.tmpl
	v, err := x.Eval(&env)
	if err != nil {
		return Null, false
	}
	return v, true
}

// lookupExpr finds, among conjuncts, `t.col = expr` where expr reads only
// tables already joined (si.placed); it returns the compiled expr. JSON
// values are equal as JSON (json_order.go), not as keys: a JSON column
// and a JSON-typed expr give no lookup.
func (si *selectInfo) lookupExpr(k, col int, conjs []*conjunct, d *deriver) Expr {
	if si.lay.tabs[k].t.cols[col].typ.Base == TypeJSON {
		return nil
	}
	target := rangeCol{tab: k, col: col}
	for _, c := range conjs {
		cmp, ok := c.ast.(*sqlparser.ComparisonExpr)
		if !ok || (cmp.Operator != sqlparser.EqualStr && cmp.Operator != sqlparser.NullSafeEqualStr) {
			continue
		}
		var other sqlparser.Expr
		switch {
		case d.column(cmp.Left, target):
			other = cmp.Right
		case d.column(cmp.Right, target):
			other = cmp.Left
		default:
			continue
		}
		fs := *si.from
		x, err := Compile(other, &fs)
		if err != nil || depsOf(x)&(depVolatile|depSubquery) != 0 || (&compiler{sc: &fs}).jsonKindOf(other, x) == jkJSON {
			continue
		}
		ok = true
		for _, slot := range ColumnRefs(x) {
			if t := si.lay.tableOf(slot); t >= 0 && si.placed&(1<<uint(t)) == 0 {
				ok = false // a table not joined yet (k itself included)
			}
		}
		if ok {
			return x
		}
	}
	return nil
}

// chooseAccess picks the access path of table k. scan are the conjuncts on
// k alone, join those relating k to the tables before it, want the
// desired order (first table only).
func (si *selectInfo) chooseAccess(k int, scan, join []*conjunct, want []orderCol) (*access, error) {
	ft := si.lay.tabs[k]
	if ft.jt != nil { // rows per row of the tables before it
		return &access{kind: "virtual", rows: 10, cost: 10}, nil
	}
	if ft.t == nil {
		acc := &access{kind: "virtual", rows: 100, cost: 100}
		if si.placed != 0 {
			si.hashCandidate(k, join, acc)
		}
		return acc, nil
	}
	t := ft.t
	sc := si.sc
	st, err := sc.store(t)
	if err != nil {
		return nil, err
	}
	// The table's size is only needed when some candidate is not a point
	// access; reading it costs a tree descent.
	totalN := -1.0
	size := func() float64 {
		if totalN < 0 {
			totalN = float64(st.tree.Len())
		}
		return totalN
	}
	d := si.newDeriverFor()
	limit := si.limitHint()
	var best *access
	consider := func(a *access) {
		if want != nil {
			a.order, a.eq = si.orderOf(k, a.ki, a.eqCols)
		}
		if ok, rev := matchOrder(want, a.order, a.eq); want != nil && ok {
			a.reverse = rev
			if limit > 0 {
				a.cost = math.Min(a.cost, float64(limit)*costPerRow(a))
			}
		} else if want != nil {
			a.cost += a.rows * 0.5 // sorting
		}
		if best == nil || a.cost < best.cost {
			best = a
		}
	}
	for _, ki := range keysOf(t) {
		if !ft.hintAllows(ki) {
			continue
		}
		sets := make([]*ivset, len(ki.cols))
		exacts := make([]bool, len(ki.cols))
		consumedBy := make([][]*conjunct, len(ki.cols))
		for i, col := range ki.cols {
			dom := ivDomain{t: t.cols[col].typ}
			if !domainOK(dom.t) {
				continue
			}
			exacts[i] = true
			for _, c := range scan {
				s, ex := d.derive(c.ast, rangeCol{tab: k, col: col}, dom)
				if s == nil {
					continue
				}
				if sets[i] == nil {
					sets[i] = s
				} else {
					sets[i] = intersect(sets[i], s)
				}
				if ex && onlyColumn(c, ft, col, si.lay) {
					consumedBy[i] = append(consumedBy[i], c)
				} else {
					exacts[i] = false
				}
			}
		}
		// Lookups: key columns bound by equalities with earlier tables.
		var lookups []Expr
		nlook := 0
		if si.placed != 0 {
			for i, col := range ki.cols {
				if sets[i] != nil && allPoints(sets[i]) && len(sets[i].ivs) <= 1 && !sets[i].null {
					lookups = append(lookups, nil)
					nlook = i + 1
					continue
				}
				x := si.lookupExpr(k, col, join, d)
				if x == nil {
					break
				}
				lookups = append(lookups, x)
				nlook = i + 1
			}
			hasLookup := false
			for _, x := range lookups[:nlook] {
				if x != nil {
					hasLookup = true
				}
			}
			if hasLookup {
				a := &access{kind: "lookup", key: ki.ix, sets: sets, lookups: lookups[:nlook], nlook: nlook}
				switch {
				case nlook == len(ki.cols) && ki.unique && ki.ix == nil:
					a.rows, a.cost = 1, 1
				case nlook == len(ki.cols) && ki.unique:
					a.rows, a.cost = 1, 2
				default:
					a.rows = math.Max(1, size()/math.Pow(10, float64(nlook)))
					a.cost = 2 + 2*a.rows
				}
				a.ki, a.eqCols = ki, nlook
				if best == nil || a.cost < best.cost {
					best = a
				}
				continue
			}
		}
		if sets[0] == nil {
			// No range, but the index order may serve the ORDER BY (with
			// a LIMIT): a full index scan.
			if ki.ix != nil && want != nil {
				a := &access{kind: "index", key: ki.ix, kp: keyPlan{ranges: []keyRange{{}}}, rows: size(), cost: 2*size() + 1}
				a.ki = ki
				o, eq := si.orderOf(k, ki, 0)
				if ok, _ := matchOrder(want, o, eq); ok {
					consider(a)
				}
			}
			continue
		}
		kp := buildKeyRanges(keyColsOf(t, ki), sets, exacts, ki.unique)
		a := &access{kind: "range", key: ki.ix, kp: kp}
		if kp.points && ki.ix == nil {
			a.kind = "points"
			a.rows = float64(len(kp.ranges))
			a.cost = a.rows
		} else {
			tree := st.tree
			if ki.ix != nil {
				if tree, err = st.ixTree(ki.ix); err != nil {
					return nil, err
				}
			}
			// Count the ranges, or a sample of them when there are many
			// (a long IN list): costing needs an estimate, not the count.
			n, step := 0.0, (len(kp.ranges)+maxCountedRanges-1)/maxCountedRanges
			step = max(step, 1)
			sampled := 0
			for i := 0; i < len(kp.ranges); i += step {
				r := kp.ranges[i]
				c, err := tree.Count(r.lo, r.hi)
				if err != nil {
					return nil, err
				}
				n += float64(c)
				sampled++
			}
			if step > 1 {
				n = math.Round(n * float64(len(kp.ranges)) / float64(sampled))
			}
			a.rows, a.counted = n, step == 1
			a.cost = n + 0.5
			if ki.ix != nil {
				a.cost = 2*n + 1
			}
		}
		// A conjunct exact on a column the ranges use is enforced by
		// them (the ranges lie inside its truth set).
		a.consumed = map[*conjunct]bool{}
		for i := 0; i < kp.used; i++ {
			for _, c := range consumedBy[i] {
				a.consumed[c] = true
			}
		}
		a.ki, a.eqCols = ki, kp.eqCols
		consider(a)
	}
	// A full scan, unless point gets won already (they cost no more than
	// their few keys; the table's size need not be read).
	if best == nil || best.kind != "points" && ft.hint != "force" {
		full := &access{kind: "full", rows: size(), cost: size() + 1}
		full.ki = keyInfo{cols: t.pk, descs: t.pkDesc, full: t.pk, fdesc: t.pkDesc}
		prev := best
		consider(full)
		if prev != nil && best == full && prev.cost == full.cost {
			best = prev
		}
	}
	if best.kind != "lookup" && si.placed != 0 {
		si.hashCandidate(k, join, best)
	}
	return best, nil
}

// hintAllows reports whether an index hint lets the planner use key ki.
func (ft *fromTable) hintAllows(ki keyInfo) bool {
	if ft.hint == "" {
		return true
	}
	name := "primary"
	if ki.ix != nil {
		name = strings.ToLower(ki.ix.desc.Name)
	}
	if ft.hint == "ignore" {
		return !ft.hintKeys[name]
	}
	return ft.hintKeys[name]
}

// costPerRow is the cost of producing one row of an access.
func costPerRow(a *access) float64 {
	if a.key != nil {
		return 2
	}
	return 1
}

// limitHint returns LIMIT + OFFSET when they are plain numbers, else 0.
func (si *selectInfo) limitHint() int64 {
	l := si.sel.Limit
	if l == nil || l.Rowcount == nil {
		return 0
	}
	lim, off, ok, err := si.sc.limitValues(l)
	if err != nil || !ok || lim > 1<<40 {
		return 0
	}
	return lim + off
}

// allPoints reports whether every interval of s is a single value.
func allPoints(s *ivset) bool {
	for _, iv := range s.ivs {
		if !iv.isPoint() {
			return false
		}
	}
	return true
}

// onlyColumn reports whether conjunct c reads no column of ft but col.
func onlyColumn(c *conjunct, ft *fromTable, col int, lay *layout) bool {
	for _, slot := range ColumnRefs(c.expr) {
		if slot != ft.off+col {
			return false
		}
	}
	return true
}

// keyColsOf returns the key columns of a key for range building.
func keyColsOf(t *table, ki keyInfo) []keyCol {
	out := make([]keyCol, len(ki.cols))
	for i, c := range ki.cols {
		out[i] = keyCol{typ: t.cols[c].typ, desc: ki.descs[i]}
	}
	return out
}

// orderOf returns the access order of a key on table k and the slots the
// first eqCols key columns fix.
func (si *selectInfo) orderOf(k int, ki keyInfo, eqCols int) ([]orderCol, map[int]bool) {
	ft := si.lay.tabs[k]
	full := ki.full
	fdesc := ki.fdesc
	if full == nil {
		full, fdesc = ki.cols, ki.descs
	}
	eq := map[int]bool{}
	for i := 0; i < eqCols && i < len(ki.cols); i++ {
		eq[ft.off+ki.cols[i]] = true
	}
	var out []orderCol
	seen := map[int]bool{}
	for i, c := range full {
		if seen[c] {
			continue
		}
		seen[c] = true
		if ft.t != nil && !eq[ft.off+c] {
			if b := ft.t.cols[c].typ.Base; b == TypeEnum || b == TypeSet {
				break // keys hold ENUMs and SETs by name; ORDER BY sorts them by number
			}
		}
		out = append(out, orderCol{slot: ft.off + c, desc: fdesc[i]})
	}
	return out, eq
}

// hashCandidate turns acc into a hash join when some join conjunct is an
// equality between an expression of table k and one of the tables before.
func (si *selectInfo) hashCandidate(k int, join []*conjunct, acc *access) {
	for _, c := range join {
		cmp, ok := c.ast.(*sqlparser.ComparisonExpr)
		if !ok || cmp.Operator != sqlparser.EqualStr {
			continue
		}
		l, err1 := Compile(cmp.Left, si.from)
		r, err2 := Compile(cmp.Right, si.from)
		if err1 != nil || err2 != nil {
			continue
		}
		// JSON operands are equal as the comparison has them: two JSON
		// values as their sort keys; JSON against SQL (jsonCmpExpr)
		// hashes no common form.
		jc := &compiler{sc: si.from}
		if jc.jsonVsSQL(cmp.Left, cmp.Right, l, r) != 0 {
			continue
		}
		l, r = jc.jsonCompareOperands(cmp.Left, cmp.Right, l, r)
		side := func(x Expr) int { // 1: only table k, 2: only earlier tables, 0: other
			refs := ColumnRefs(x)
			if len(refs) == 0 || depsOf(x)&(depVolatile|depSubquery) != 0 {
				return 0
			}
			s := -1
			for _, slot := range refs {
				t := si.lay.tableOf(slot)
				cls := 0
				switch {
				case t == k:
					cls = 1
				case t >= 0 && si.placed&(1<<uint(t)) != 0:
					cls = 2
				}
				if s == -1 {
					s = cls
				} else if s != cls {
					return 0
				}
			}
			return s
		}
		ls, rs := side(l), side(r)
		switch {
		case ls == 1 && rs == 2:
			acc.hashIn, acc.hashOut = append(acc.hashIn, l), append(acc.hashOut, r)
		case ls == 2 && rs == 1:
			acc.hashIn, acc.hashOut = append(acc.hashIn, r), append(acc.hashOut, l)
		}
	}
	if len(acc.hashIn) > 0 {
		acc.wrap = "hash"
	} else {
		acc.wrap = "buffer"
	}
}

// describe returns a short description of the access for EXPLAIN.
func (a *access) describe(ft *fromTable) (typ, key string) {
	key = "PRIMARY"
	if a.key != nil {
		key = a.key.desc.Name
	}
	switch a.kind {
	case "points":
		if len(a.kp.ranges) == 1 {
			return "const", key
		}
		return "range", key
	case "range":
		return "range", key
	case "index":
		return "index", key
	case "count":
		if a.kind == "count" && len(a.kp.ranges) == 0 {
			return "ALL", ""
		}
		return "range", key
	case "lookup":
		if a.key == nil || a.key.desc.Unique && a.nlook == len(a.key.cols) {
			return "eq_ref", key
		}
		return "ref", key
	case "full":
		if ft.t == nil {
			return "ALL", ""
		}
		return "ALL", ""
	}
	return strings.ToUpper(a.kind), ""
}

// String is for debugging.
func (a *access) String() string {
	return fmt.Sprintf("%s key=%v ranges=%d rows=%.0f cost=%.1f rev=%v", a.kind, a.key != nil, len(a.kp.ranges), a.rows, a.cost, a.reverse)
}
