package sqlfront

import (
	"github.com/bxdb/bxdb/engine/bxtree"
	"github.com/xwb1989/sqlparser"
)

// Join order. planJoins joins the tables in FROM order, except that an
// inner join of two base tables runs the other way round when that is
// estimated to cost several times less: `FROM u JOIN o ON o.user_id =
// u.id` with 100,000 users and 50,000 orders reads the orders and looks
// each user up by primary key, instead of reading every user and probing
// the orders' index for each. The estimate is each order's first access
// plus, per row it yields, the cost of the second table's access: a
// lookup by a unique key costs one or two tree descents, a lookup by a
// non-unique key costs its entries, estimated by sampling the key's
// groups at evenly spaced ranks (Select, then Count of the key prefix);
// a table read once (hash join) costs its size. Queries with ORDER BY
// keep FROM order (the first table's key order may serve the ORDER BY),
// and so do LEFT joins, STRAIGHT_JOIN, derived tables and three or more
// tables. Only the order of the result rows of a query without ORDER BY
// changes, which SQL leaves undefined.

// joinReorder enables joinOrder's choice (tests compare both ways).
var joinReorder = true

// joinReorderGain is how many times cheaper the other order must be
// estimated, and joinReorderMin the estimated cost of the FROM order below
// which it is kept anyway (small joins: the estimate is not worth its
// error; tests lower it).
const joinReorderGain = 4

var joinReorderMin = 50000.0

// joinOrder returns the order in which planJoins joins the tables, as
// layout indexes.
func (si *selectInfo) joinOrder() ([]int, error) {
	n := len(si.lay.tabs)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if !joinReorder || n != 2 || len(si.sel.OrderBy) > 0 || straightJoin(si.sel.From) {
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
	fwd, err := si.pairCost(0, 1)
	if err != nil || fwd < joinReorderMin {
		return order, err
	}
	rev, err := si.pairCost(1, 0)
	if err != nil {
		return order, err
	}
	if rev*joinReorderGain < fwd {
		order[0], order[1] = 1, 0
	}
	return order, nil
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

// pairCost estimates the cost of reading table a, then table b for each of
// its rows, in chooseAccess's units (about one per record read).
func (si *selectInfo) pairCost(a, b int) (float64, error) {
	defer func() { si.placed = 0 }()
	var scanA, scanB, join []*conjunct
	for _, c := range si.conjs {
		switch c.tabs {
		case 1 << uint(a):
			scanA = append(scanA, c)
		case 1 << uint(b):
			scanB = append(scanB, c)
		case 1<<uint(a) | 1<<uint(b):
			join = append(join, c)
		}
	}
	si.placed = 0
	first, err := si.chooseAccess(a, scanA, nil, nil)
	if err != nil {
		return 0, err
	}
	si.placed = 1 << uint(a)
	second, err := si.chooseAccess(b, scanB, join, nil)
	if err != nil {
		return 0, err
	}
	switch {
	case second.kind == "lookup" && second.rows > 1:
		// chooseAccess guesses a non-unique key's entries; sample them.
		dup, err := si.sampleGroups(b, second)
		if err != nil {
			return 0, err
		}
		return first.cost + first.rows*(2+2*dup), nil
	case second.kind == "lookup":
		return first.cost + first.rows*second.cost, nil
	case second.wrap == "hash":
		return first.cost + second.cost + first.rows, nil
	}
	return first.cost + second.cost + first.rows*second.rows, nil
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
