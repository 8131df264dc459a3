package sqlfront

import (
	"io"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// GROUP BY k1, ..., kn WITH ROLLUP.
//
// Besides the groups of (k1, ..., kn), the query returns a super-aggregate
// row for every group of each prefix (k1, ..., kL), L = n-1 down to 0,
// right after the groups it sums up, as MySQL does:
//
//	k1 k2 SUM       level
//	1  1  ...       2
//	1  2  ...       2
//	1  NULL ...     1     the group k1 = 1
//	2  1  ...       2
//	2  NULL ...     1
//	NULL NULL ...   0     the grand total (no row for an empty input)
//
// rollupIter reads its input sorted by the keys and keeps one set of
// accumulators per level, so every aggregate (COUNT(DISTINCT),
// GROUP_CONCAT, AVG) is computed from the rows themselves, not merged
// from the finer groups. In a row of level L the keys after the L-th are
// rolled up: a key that is a column has its slot set to NULL in the row
// (so every expression over it sees NULL); a select item that is a
// rolled-up key expression is set to NULL after the projection
// (rollupMaskIter). GROUPING(k, ...) reads the level of the row being
// projected from the shared rollupState.

// rollupMark marks a parsed SELECT written with WITH ROLLUP (markRollups).
const rollupMark = "/*bxdb:rollup*/"

// rollupFunc is the call rewriteForms writes for WITH ROLLUP, as the last
// GROUP BY term.
const rollupFunc = "r@u"

// markRollups replaces the rollupFunc() term that rewriteForms added to
// the GROUP BY of a SELECT ... WITH ROLLUP by the SELECT's rollupMark.
func markRollups(ast sqlparser.SQLNode) error {
	var err error
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		sel, ok := n.(*sqlparser.Select)
		if !ok {
			return true, nil
		}
		for i, g := range sel.GroupBy {
			f, ok := g.(*sqlparser.FuncExpr)
			if !ok || f.Name.Lowered() != rollupFunc {
				continue
			}
			if i != len(sel.GroupBy)-1 || i == 0 || len(f.Exprs) != 0 {
				err = errNotSupported("WITH ROLLUP here")
				return false, nil
			}
			sel.GroupBy = sel.GroupBy[:i]
			sel.Comments = append(sel.Comments, []byte(rollupMark))
		}
		return true, nil
	}, ast)
	return err
}

// rollupState is the level of the row a rollupIter returned last.
type rollupState struct{ level int }

// rollupInfo describes the rollup of a SELECT to the expressions compiled
// for it (GROUPING).
type rollupInfo struct {
	keys  []string // the GROUP BY terms as sqlparser prints them
	state *rollupState
}

// keyIndex returns the index of the GROUP BY term e, or -1.
func (ri *rollupInfo) keyIndex(e sqlparser.Expr) int {
	s := sqlparser.String(e)
	for j, k := range ri.keys {
		if strings.EqualFold(k, s) {
			return j
		}
	}
	return -1
}

// rollupOf returns the rollup of the SELECT that scope s belongs to.
func rollupOf(s Scope) *rollupInfo {
	switch x := s.(type) {
	case *fromScope:
		return x.rollup
	case *postScope:
		return x.rollup
	case *windowScope:
		return rollupOf(x.Scope)
	}
	return nil
}

// groupingExpr is GROUPING(k1, ...): bit i (from the left) is set when
// the i-th argument is rolled up in the current row.
type groupingExpr struct {
	state *rollupState
	keys  []int
}

func (g *groupingExpr) Eval(*Env) (Value, error) {
	var bits int64
	for _, j := range g.keys {
		bits <<= 1
		if j >= g.state.level {
			bits |= 1
		}
	}
	return IntValue(bits), nil
}

func init() {
	registerFuncs([]*funcDef{{name: "grouping", min: 1, max: -1, build: func(c *compiler, args []sqlparser.Expr) (Expr, error) {
		ri := rollupOf(c.sc)
		if ri == nil {
			return nil, ErrInvalidGroupFunc()
		}
		g := &groupingExpr{state: ri.state}
		for i, a := range args {
			j := ri.keyIndex(a)
			if j < 0 {
				return nil, engErr(3580, "Argument #%d of GROUPING function is not in GROUP BY", i+1)
			}
			g.keys = append(g.keys, j)
		}
		return g, nil
	}}})
}

// rollupIter groups its input, sorted by keys, at every level (see the
// top of this file).
type rollupIter struct {
	sc    *stmtCtx
	in    rowIter
	keys  []Expr
	slots []int // the slot of each key that is a column, else -1
	aggs  *aggList
	width int
	state *rollupState
	ai    aggIter // for addTo

	accs    [][]*Aggregator // per level 0..n
	firsts  [][]Value       // first row of each level's current group
	prev    []byte          // group key of the previous row, per key (see cut)
	cut     []int           // end offset in prev of each key's part
	started bool
	done    bool
	queue   [][]Value // rows to return, with their levels
	levels  []int
}

func (r *rollupIter) Next() ([]Value, error) {
	for len(r.queue) == 0 {
		if r.done {
			return nil, io.EOF
		}
		if err := r.step(); err != nil {
			return nil, err
		}
	}
	row, level := r.queue[0], r.levels[0]
	r.queue, r.levels = r.queue[1:], r.levels[1:]
	r.state.level = level
	return row, nil
}

// step reads one input row and queues the groups it closes.
func (r *rollupIter) step() error {
	if err := r.sc.tick(); err != nil {
		return err
	}
	n := len(r.keys)
	if !r.started {
		r.started = true
		r.ai = aggIter{sc: r.sc, aggs: r.aggs}
		r.accs = make([][]*Aggregator, n+1)
		for l := range r.accs {
			for _, spec := range r.aggs.specs {
				r.accs[l] = append(r.accs[l], NewAggregator(spec))
			}
		}
		r.firsts = make([][]Value, n+1)
	}
	row, err := r.in.Next()
	if err == io.EOF {
		r.done = true
		if r.firsts[0] != nil {
			r.flush(0)
		}
		return nil
	}
	if err != nil {
		return err
	}
	// The group key, key by key.
	env := r.sc.env
	env.Row = row
	var key []byte
	cut := make([]int, n)
	for i, k := range r.keys {
		v, err := k.Eval(env)
		if err != nil {
			return err
		}
		key = AppendGroupKey(key, v)
		cut[i] = len(key)
	}
	if r.firsts[0] != nil {
		// The first key that differs closes the groups of the levels
		// after it.
		p := 0
		for p < n && cut[p] == r.cut[p] && string(key[:cut[p]]) == string(r.prev[:r.cut[p]]) {
			p++
		}
		if p < n {
			r.flush(p + 1)
		}
	}
	r.prev, r.cut = key, cut
	row = cloneRow(row) // the input may reuse it
	for l := range r.accs {
		if r.firsts[l] == nil {
			r.firsts[l] = row
		}
		if err := r.ai.addTo(r.accs[l], row); err != nil {
			return err
		}
	}
	return nil
}

// flush queues the current groups of levels n down to from and starts
// new ones.
func (r *rollupIter) flush(from int) {
	n := len(r.keys)
	for l := n; l >= from; l-- {
		out := make([]Value, r.width+len(r.accs[l]))
		copy(out, r.firsts[l][:min(len(r.firsts[l]), r.width)])
		for j := l; j < n; j++ {
			if s := r.slots[j]; s >= 0 {
				out[s] = Null
			}
		}
		for i, acc := range r.accs[l] {
			out[r.width+i] = acc.Result()
			acc.Reset()
		}
		r.firsts[l] = nil
		r.queue = append(r.queue, out)
		r.levels = append(r.levels, l)
	}
}

func (r *rollupIter) Close() { r.in.Close() }

// rollupMaskIter sets to NULL, in rows of a rollupIter below it, the
// select values that are rolled-up keys: items[i] is the key index of
// select item i (-1: none).
type rollupMaskIter struct {
	in    rowIter
	state *rollupState
	base  int
	items []int
}

func (m *rollupMaskIter) Next() ([]Value, error) {
	row, err := m.in.Next()
	if err != nil {
		return nil, err
	}
	for i, j := range m.items {
		if j >= m.state.level {
			row[m.base+i] = Null
		}
	}
	return row, nil
}

func (m *rollupMaskIter) Close() { m.in.Close() }
