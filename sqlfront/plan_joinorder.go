package sqlfront

import (
	"cmp"
	"slices"

	"github.com/bxdb/bxdb/engine/bxtree"
	"github.com/xwb1989/sqlparser"
)

// Join order. planJoins joins the tables in FROM order, except that an
// inner join of base tables runs in another
// order when that is estimated to cost several times less: `FROM u JOIN o
// ON o.user_id = u.id` with 100,000 users and 50,000 orders reads the
// orders and looks each user up by primary key, instead of reading every
// user and probing the orders' index for each. An order's estimate adds,
// table by table, the rows so far times the cost of the next table's
// access given the tables before it (chooseAccess's units, about one per
// record read): a lookup by a unique key costs one or two descents and
// yields one row; a lookup by a non-unique key costs and yields its
// entries, estimated by sampling the key's groups at evenly spaced ranks
// (Select, then Count of the key prefix); a table read once for a hash
// join costs its size once plus one probe per row; a cross join multiplies.
// Candidates are the greedy orders from each first table (each step takes
// the cheapest next table), or, beyond joinReorderAll tables, from the
// joinReorderStarts tables cheapest to read alone (a join of 60 tables,
// as in sqllogictest's select5, then costs some thousands of estimates
// rather than a cube of the table count); the best replaces FROM order
// only when it is estimated joinReorderGain times cheaper. Queries with ORDER BY keep FROM
// order (the first table's key order may serve the ORDER BY), and so do
// LEFT joins, STRAIGHT_JOIN, index hints and derived tables. Only the
// order of the result rows of a query without ORDER BY changes, which SQL
// leaves undefined.

// joinReorder enables joinOrder's choice (tests compare both ways).
var joinReorder = true

// joinReorderGain is how many times cheaper another order must be
// estimated; joinReorderAll is the most tables for which a greedy order
// starts from every table, joinReorderStarts the number of first tables
// tried beyond it; and joinReorderMin the estimated cost of the FROM order
// below which it is kept anyway (small joins: the estimate is not worth
// its error; tests lower it).
const (
	joinReorderGain   = 4
	joinReorderAll    = 8
	joinReorderStarts = 4
)

var joinReorderMin = 50000.0

// joinOrder returns the order in which planJoins joins the tables, as
// layout indexes.
func (si *selectInfo) joinOrder() ([]int, error) {
	n := len(si.lay.tabs)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if !joinReorder || n < 2 || len(si.sel.OrderBy) > 0 || straightJoin(si.sel.From) {
		return order, nil
	}
	for _, ft := range si.lay.tabs {
		if ft.t == nil || ft.join != joinInner || ft.hint != "" {
			return order, nil
		}
	}
	for _, c := range si.conjs {
		if c.all {
			return order, nil
		}
	}
	defer func() { si.placed = 0 }()
	est := &joinEstimator{si: si, memo: map[[2]uint64]joinStep{}}
	fromCost, err := est.orderCost(order)
	if err != nil || fromCost < joinReorderMin {
		return order, err
	}
	firsts, err := est.firsts()
	if err != nil {
		return order, err
	}
	best, bestCost := order, fromCost
	for _, first := range firsts {
		cand, cost, err := est.greedy(first)
		if err != nil {
			return order, err
		}
		if cost < bestCost {
			best, bestCost = cand, cost
		}
	}
	if bestCost*joinReorderGain < fromCost {
		return best, nil
	}
	return order, nil
}

// joinStep is the estimate of joining one table after a set of others:
// the cost per row so far (or the whole cost, for the first table or a
// table read once), and the rows per row so far it yields.
type joinStep struct {
	first bool    // the table is read alone (placed set empty)
	once  float64 // cost paid once (first table, or a hash join's build)
	per   float64 // cost per row so far
	rows  float64 // rows yielded per row so far (per the whole, first)
}

// joinEstimator estimates join orders with chooseAccess, memoizing each
// (table, tables before it) step.
type joinEstimator struct {
	si   *selectInfo
	memo map[[2]uint64]joinStep
}

// step estimates joining table k after the tables in placed.
func (e *joinEstimator) step(k int, placed uint64) (joinStep, error) {
	key := [2]uint64{uint64(k), placed}
	if st, ok := e.memo[key]; ok {
		return st, nil
	}
	si := e.si
	mask := uint64(1) << uint(k)
	var scan, join []*conjunct
	for _, c := range si.conjs {
		switch {
		case c.tabs == mask:
			scan = append(scan, c)
		case c.tabs&mask != 0 && c.tabs&^(placed|mask) == 0:
			join = append(join, c)
		}
	}
	si.placed = placed
	acc, err := si.chooseAccess(k, scan, join, nil)
	si.placed = 0
	if err != nil {
		return joinStep{}, err
	}
	var st joinStep
	switch {
	case placed == 0:
		st = joinStep{first: true, once: acc.cost, rows: acc.rows}
	case acc.kind == "lookup" && acc.rows > 1:
		// chooseAccess guesses a non-unique key's entries; sample them.
		dup, err := si.sampleGroups(k, acc)
		if err != nil {
			return joinStep{}, err
		}
		st = joinStep{per: 2 + 2*dup, rows: dup}
	case acc.kind == "lookup":
		st = joinStep{per: acc.cost, rows: 1}
	case acc.wrap == "hash":
		st = joinStep{once: acc.cost, per: 1, rows: 1}
	default:
		st = joinStep{once: acc.cost, per: acc.rows, rows: acc.rows}
	}
	e.memo[key] = st
	return st, nil
}

// orderCost estimates the cost of joining the tables in order.
func (e *joinEstimator) orderCost(order []int) (float64, error) {
	cost, rows := 0.0, 1.0
	var placed uint64
	for _, k := range order {
		st, err := e.step(k, placed)
		if err != nil {
			return 0, err
		}
		if st.first {
			cost, rows = st.once, st.rows
		} else {
			cost += st.once + rows*st.per
			rows *= st.rows
		}
		placed |= 1 << uint(k)
	}
	return cost, nil
}

// firsts returns the tables a greedy order may start from: all of them,
// or beyond joinReorderAll tables the joinReorderStarts cheapest to read
// alone (ties in FROM order).
func (e *joinEstimator) firsts() ([]int, error) {
	n := len(e.si.lay.tabs)
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	if n <= joinReorderAll {
		return all, nil
	}
	alone := make([]float64, n)
	for k := range all {
		st, err := e.step(k, 0)
		if err != nil {
			return nil, err
		}
		alone[k] = st.once
	}
	slices.SortStableFunc(all, func(a, b int) int { return cmp.Compare(alone[a], alone[b]) })
	return all[:joinReorderStarts], nil
}

// greedy returns the order that starts with table first and then always
// joins the table whose step costs least, with its estimated cost.
func (e *joinEstimator) greedy(first int) ([]int, float64, error) {
	n := len(e.si.lay.tabs)
	order := []int{first}
	placed := uint64(1) << uint(first)
	for len(order) < n {
		best, bestCost := -1, 0.0
		for k := 0; k < n; k++ {
			if placed&(1<<uint(k)) != 0 {
				continue
			}
			st, err := e.step(k, placed)
			if err != nil {
				return nil, 0, err
			}
			if c := st.once + st.per; best < 0 || c < bestCost {
				best, bestCost = k, c
			}
		}
		order = append(order, best)
		placed |= 1 << uint(best)
	}
	cost, err := e.orderCost(order)
	return order, cost, err
}

// straightJoin reports whether a FROM clause uses STRAIGHT_JOIN.
func straightJoin(te sqlparser.TableExprs) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if j, ok := n.(*sqlparser.JoinTableExpr); ok && j.Join == sqlparser.StraightJoinStr {
			found = true
		}
		return !found, nil
	}, te)
	return found
}

// joinSamples is the number of key groups sampleGroups reads.
const joinSamples = 8

// sampleGroups estimates the entries per value of the first acc.nlook
// columns of the key a lookup access of table k uses: the mean size of the
// groups met at evenly spaced ranks of its tree (each group weighted by
// its size, which errs towards the larger groups: towards not reordering).
func (si *selectInfo) sampleGroups(k int, acc *access) (float64, error) {
	t := si.lay.tabs[k].t
	st, err := si.sc.store(t)
	if err != nil {
		return 0, err
	}
	var tree *bxtree.Tree = st.tree
	if acc.key != nil {
		if tree, err = st.ixTree(acc.key); err != nil {
			return 0, err
		}
	}
	n := tree.Len()
	if n == 0 {
		return 1, nil
	}
	types := make([]ColumnType, acc.nlook)
	descs := make([]bool, acc.nlook)
	for i := range types {
		types[i] = t.cols[acc.ki.cols[i]].typ
		if i < len(acc.ki.descs) {
			descs[i] = acc.ki.descs[i]
		}
	}
	vals := make([]Value, acc.nlook)
	total := 0.0
	for j := 0; j < joinSamples; j++ {
		key, err := tree.Select(uint64((2*j + 1)) * n / (2 * joinSamples))
		if err != nil {
			return 0, err
		}
		rest, err := decodeKeyInto(vals, key, types, descs)
		if err != nil {
			return 0, err
		}
		prefix := key[:len(key)-len(rest)]
		c, err := tree.Count(prefix, prefixEnd(prefix))
		if err != nil {
			return 0, err
		}
		total += float64(c)
	}
	return total / joinSamples, nil
}
