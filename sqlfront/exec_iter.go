package sqlfront

import (
	"cmp"
	"io"
	"slices"
)

// Row operators above the joins: filter, aggregate, project, distinct,
// sort, limit, trim, concat. Each pulls from its input on demand.

// filterIter passes the rows for which cond is true.
type filterIter struct {
	sc   *stmtCtx
	in   rowIter
	cond Expr
}

func (f *filterIter) Next() ([]Value, error) {
	for {
		r, err := f.in.Next()
		if err != nil {
			return nil, err
		}
		f.sc.env.Row = r
		ok, err := EvalBool(f.cond, f.sc.env)
		if err != nil {
			return nil, err
		}
		if ok {
			return r, nil
		}
	}
}

func (f *filterIter) Close() { f.in.Close() }

// projectIter appends the select values (and hidden ORDER BY keys) at
// base: | input[:base] | exprs |. Select expressions read the input row;
// the hidden keys may also read select values (aliases).
type projectIter struct {
	sc    *stmtCtx
	in    rowIter
	exprs []Expr
	base  int
	nsel  int // leading exprs that are select values (0: all)
	// reuse makes Next return the same slice every time; direct also
	// leaves the input columns out of it (see streamTop).
	reuse  bool
	direct bool
	out    []Value
}

func (p *projectIter) Next() ([]Value, error) {
	r, err := p.in.Next()
	if err != nil {
		return nil, err
	}
	if p.direct {
		return p.nextDirect(r)
	}
	var out []Value
	if p.reuse && p.out != nil {
		out = p.out
		clear(out[min(len(r), p.base):p.base])
	} else {
		out = make([]Value, p.base+len(p.exprs))
		if p.reuse {
			p.out = out
		}
	}
	copy(out, r[:min(len(r), p.base)])
	env := p.sc.env
	env.Row = out
	for i, e := range p.exprs {
		if c, ok := e.(*colExpr); ok {
			out[p.base+i] = out[c.idx]
			continue
		}
		v, err := e.Eval(env)
		if err != nil {
			return nil, err
		}
		out[p.base+i] = v
	}
	return out, nil
}

// nextDirect is Next for a projection whose consumers read only the select
// values and whose expressions read only the input (see streamTop): the
// input is not copied, the output row is reused, and plain column
// references are copied without evaluation.
func (p *projectIter) nextDirect(r []Value) ([]Value, error) {
	out := p.out
	if out == nil {
		out = make([]Value, p.base+len(p.exprs))
		p.out = out
	}
	env := p.sc.env
	env.Row = r
	for i, e := range p.exprs {
		if c, ok := e.(*colExpr); ok {
			out[p.base+i] = r[c.idx]
			continue
		}
		v, err := e.Eval(env)
		if err != nil {
			return nil, err
		}
		out[p.base+i] = v
	}
	return out, nil
}

func (p *projectIter) Close() { p.in.Close() }

// aggIter computes aggregates over groups of consecutive rows with equal
// group keys (the input is sorted by them, or holds one group). It emits
// | first row of the group (width slots) | aggregate results |.
type aggIter struct {
	sc      *stmtCtx
	in      rowIter
	keys    []Expr
	aggs    *aggList
	width   int
	lay     *layout
	grouped bool // GROUP BY: no row for empty input

	accs    []*Aggregator
	pending []Value // first row of the next group
	pkey    string
	done    bool
	started bool
	args    []Value
	okeys   []Value
}

// groupKey evaluates the group key of r.
func (a *aggIter) groupKey(r []Value) (string, error) {
	if len(a.keys) == 0 {
		return "", nil
	}
	env := a.sc.env
	env.Row = r
	var b []byte
	for _, k := range a.keys {
		v, err := k.Eval(env)
		if err != nil {
			return "", err
		}
		b = AppendGroupKey(b, v)
	}
	return string(b), nil
}

// add feeds row r to the accumulators.
func (a *aggIter) add(r []Value) error { return a.addTo(a.accs, r) }

// addTo feeds row r to accs.
func (a *aggIter) addTo(accs []*Aggregator, r []Value) error {
	env := a.sc.env
	env.Row = r
	for i, acc := range accs {
		a.args = a.args[:0]
		exact := acc.spec.Func == AggSum || acc.spec.Func == AggAvg
		for _, x := range a.aggs.args[i] {
			var v Value
			var err error
			if exact {
				// SUM(price/qty) adds the unrounded quotients and shows
				// the sum with their display scale (evalExact).
				var disp int
				v, disp, err = evalExactOperand(env, x)
				acc.noteDisplay(v, disp)
			} else {
				v, err = x.Eval(env)
			}
			if err != nil {
				return err
			}
			a.args = append(a.args, v)
		}
		a.okeys = a.okeys[:0]
		for _, x := range a.aggs.order[i] {
			v, err := x.Eval(env)
			if err != nil {
				return err
			}
			a.okeys = append(a.okeys, v)
		}
		if err := acc.AddRow(a.args, a.okeys); err != nil {
			return err
		}
	}
	return nil
}

// emit returns the output row of the current group.
func (a *aggIter) emit(first []Value) []Value {
	out := make([]Value, a.width+len(a.accs))
	copy(out, first[:min(len(first), a.width)])
	for i, acc := range a.accs {
		out[a.width+i] = acc.Result()
	}
	return out
}

func (a *aggIter) Next() ([]Value, error) {
	if a.done {
		return nil, io.EOF
	}
	if !a.started {
		a.started = true
		for _, spec := range a.aggs.specs {
			a.accs = append(a.accs, NewAggregator(spec))
		}
		r, err := a.in.Next()
		if err == io.EOF {
			a.done = true
			if a.grouped {
				return nil, io.EOF
			}
			return a.emit(a.lay.newRow()), nil
		}
		if err != nil {
			return nil, err
		}
		if a.pkey, err = a.groupKey(r); err != nil {
			return nil, err
		}
		a.pending = cloneRow(r) // the input may reuse r (reuseSource)
	}
	if a.pending == nil {
		a.done = true
		return nil, io.EOF
	}
	first := a.pending
	for _, acc := range a.accs {
		acc.Reset()
	}
	if err := a.add(first); err != nil {
		return nil, err
	}
	for {
		if err := a.sc.tick(); err != nil {
			return nil, err
		}
		r, err := a.in.Next()
		if err == io.EOF {
			a.pending = nil
			return a.emit(first), nil
		}
		if err != nil {
			return nil, err
		}
		k, err := a.groupKey(r)
		if err != nil {
			return nil, err
		}
		if k != a.pkey {
			a.pending, a.pkey = cloneRow(r), k
			return a.emit(first), nil
		}
		if err := a.add(r); err != nil {
			return nil, err
		}
	}
}

func (a *aggIter) Close() { a.in.Close() }

// hashAggIter groups its input in a hash table (GROUP BY without a useful
// input order). When the groups outgrow the sort memory it gives up, reads
// the input again from a fresh plan (same snapshot, same rows) and falls
// back to sorting by the group keys. Groups are returned in group key
// order, as a sort-based plan would.
type hashAggIter struct {
	aggIter
	budget  int64
	rebuild func() (rowIter, error)
	out     rowIter
}

// hgroup is one group of a hash aggregation.
type hgroup struct {
	first []Value
	keys  []Value
	accs  []*Aggregator
}

func (h *hashAggIter) Next() ([]Value, error) {
	if h.out == nil {
		if err := h.build(); err != nil {
			return nil, err
		}
	}
	return h.out.Next()
}

// build aggregates the input.
func (h *hashAggIter) build() error {
	groups := map[string]*hgroup{}
	var list []*hgroup
	var used int64
	var b []byte
	env := h.sc.env
	for {
		if err := h.sc.tick(); err != nil {
			return err
		}
		r, err := h.in.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		env.Row = r
		b = b[:0]
		for _, k := range h.keys {
			v, err := k.Eval(env)
			if err != nil {
				return err
			}
			b = AppendGroupKey(b, v)
		}
		g := groups[string(b)]
		if g == nil {
			kv := make([]Value, len(h.keys))
			for i, k := range h.keys {
				if kv[i], err = k.Eval(env); err != nil {
					return err
				}
			}
			g = &hgroup{first: cloneRow(r), keys: kv} // the input may reuse r (reuseSource)
			for _, spec := range h.aggs.specs {
				g.accs = append(g.accs, NewAggregator(spec))
			}
			groups[string(b)] = g
			list = append(list, g)
			used += rowSize(r) + int64(len(b)) + 96*int64(len(g.accs)+1)
			if used > h.budget && h.rebuild != nil {
				return h.fallback()
			}
		}
		if err := h.addTo(g.accs, r); err != nil {
			return err
		}
	}
	slices.SortStableFunc(list, func(x, y *hgroup) int {
		for i := range x.keys {
			if c := CompareForSort(x.keys[i], y.keys[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	rows := make([][]Value, len(list))
	for i, g := range list {
		out := make([]Value, h.width+len(g.accs))
		copy(out, g.first[:min(len(g.first), h.width)])
		for j, acc := range g.accs {
			out[h.width+j] = acc.Result()
		}
		rows[i] = out
	}
	h.out = &sliceIter{rows: rows}
	return nil
}

// fallback switches to sort-based grouping over a fresh input.
func (h *hashAggIter) fallback() error {
	h.in.Close()
	in, err := h.rebuild()
	if err != nil {
		return err
	}
	h.in = &emptyIter{}
	h.out = &aggIter{sc: h.sc, in: newSortByExprs(h.sc, in, h.keys, h.width), keys: h.keys, aggs: h.aggs,
		width: h.width, lay: h.lay, grouped: true}
	return nil
}

func (h *hashAggIter) Close() {
	if h.out != nil {
		h.out.Close()
	}
	h.in.Close()
}

// compareOrder is CompareForSort for ORDER BY: two values of ENUM
// columns sort by their member index, as in MySQL.
func compareOrder(a, b *Value) int {
	if a.K == b.K {
		// Compare's cases for the common kinds, without copying the values.
		switch a.K {
		case KindInt:
			return cmpInt64(a.I, b.I)
		case KindFloat:
			return cmpFloat(a.F, b.F)
		case KindTime:
			return a.T.Compare(b.T)
		}
	}
	if i, ok := enumIndexOf(*a); ok {
		if j, ok := enumIndexOf(*b); ok {
			return cmp.Compare(i, j)
		}
	}
	return CompareForSort(*a, *b)
}

// emptyIter has no rows.
type emptyIter struct{}

func (emptyIter) Next() ([]Value, error) { return nil, io.EOF }
func (emptyIter) Close()                 {}

// keysIter appends the values of exprs to every row at slot at (for
// sorting by expressions).
type keysIter struct {
	sc    *stmtCtx
	in    rowIter
	exprs []Expr
	at    int
}

func (k *keysIter) Next() ([]Value, error) {
	r, err := k.in.Next()
	if err != nil {
		return nil, err
	}
	out := make([]Value, k.at+len(k.exprs))
	copy(out, r[:min(len(r), k.at)])
	env := k.sc.env
	env.Row = r
	for i, e := range k.exprs {
		v, err := e.Eval(env)
		if err != nil {
			return nil, err
		}
		out[k.at+i] = v
	}
	return out, nil
}

func (k *keysIter) Close() { k.in.Close() }

// newSortByExprs sorts rows by expressions (GROUP BY keys), computed once
// per row into slots after width.
func newSortByExprs(sc *stmtCtx, in rowIter, exprs []Expr, width int) rowIter {
	var order []orderKey
	for i := range exprs {
		order = append(order, orderKey{slot: width + i, item: -1})
	}
	return newSortIter(sc, &keysIter{sc: sc, in: in, exprs: exprs, at: width}, order, false, 0)
}

// orderCmp returns the comparison of rows by order keys: compareOrder
// (NULLs first), reversed for DESC.
func orderCmp(order []orderKey) rowCmp {
	return func(a, b []Value) int {
		for _, k := range order {
			c := compareOrder(&a[k.slot], &b[k.slot])
			if c != 0 {
				if k.desc {
					return -c
				}
				return c
			}
		}
		return 0
	}
}

// topNLimit is the largest LIMIT for which a sort keeps only the top rows
// in a heap instead of sorting everything.
const topNLimit = 10000

// sortIter sorts its input (lazily, on the first Next).
type sortIter struct {
	sc     *stmtCtx
	in     rowIter
	cmp    rowCmp
	topN   int64 // > 0: keep only the first topN rows
	out    rowIter
	sorted bool
}

// newSortIter returns a sort of in by order; with hasLimit, only the
// first n rows are needed.
func newSortIter(sc *stmtCtx, in rowIter, order []orderKey, hasLimit bool, n int64) rowIter {
	s := &sortIter{sc: sc, in: in, cmp: orderCmp(order)}
	if hasLimit && n >= 0 && n <= topNLimit {
		s.topN = n
	}
	return s
}

func (s *sortIter) Next() ([]Value, error) {
	if !s.sorted {
		s.sorted = true
		var err error
		if s.topN > 0 {
			s.out, err = s.sortTopN()
		} else {
			s.out, err = s.sortAll()
		}
		if err != nil {
			return nil, err
		}
	}
	return s.out.Next()
}

// sortAll sorts every row with the external sorter.
func (s *sortIter) sortAll() (rowIter, error) {
	so := newSorter(s.cmp, s.sc.e.opts.SortMemory, s.sc.e.opts.TempDir)
	for {
		if err := s.sc.tick(); err != nil {
			so.close()
			return nil, err
		}
		r, err := s.in.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			so.close()
			return nil, err
		}
		if err := so.add(r); err != nil {
			so.close()
			return nil, err
		}
	}
	return so.iter()
}

// reuseInput lets a projection that in is and the table sources under it
// (see reuseSource) return the same row every time: for a consumer that
// copies the rows it keeps. Other inputs stay as they are.
func reuseInput(in rowIter) {
	p, ok := in.(*projectIter)
	if !ok || p.direct {
		return
	}
	p.reuse = true
	reuseSource(p.in)
}

// reuseSource lets the table sources that in is made of (under any
// filters and joins) return the same row every time, for a consumer that
// keeps no input row beyond its Next call (aggIter and hashAggIter copy
// the first row of each group). A join keeps its outer row only until it
// reads the next one, and its inner source copies it at open.
func reuseSource(in rowIter) {
	for {
		switch y := in.(type) {
		case *filterIter:
			in = y.in
			continue
		case *joinIter:
			reuseTableSource(y.inner)
			in = y.outer
			continue
		case *sourceIter:
			reuseTableSource(y.src)
		}
		return
	}
}

// reuseTableSource makes src return the same row every time.
func reuseTableSource(src tableSource) {
	switch s := src.(type) {
	case *keySource:
		s.reuse = true
	case *rowsSource:
		s.reuse = true
	}
}

// topHeap keeps the best n rows; its root is the worst kept row.
type topHeap struct {
	rows [][]Value
	seq  []int64
	cmp  rowCmp
}

// worse reports whether row i sorts after row j.
func (h *topHeap) worse(i, j int) bool {
	c := h.cmp(h.rows[i], h.rows[j])
	if c != 0 {
		return c > 0
	}
	return h.seq[i] > h.seq[j]
}

func (h *topHeap) swap(i, j int) {
	h.rows[i], h.rows[j] = h.rows[j], h.rows[i]
	h.seq[i], h.seq[j] = h.seq[j], h.seq[i]
}

// up moves row i up to its place (after it was appended).
func (h *topHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.worse(i, p) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

// down moves the root down to its place (after it was replaced).
func (h *topHeap) down() {
	n := len(h.rows)
	for i := 0; ; {
		c := 2*i + 1
		if c >= n {
			return
		}
		if c+1 < n && h.worse(c+1, c) {
			c++
		}
		if !h.worse(c, i) {
			return
		}
		h.swap(i, c)
		i = c
	}
}

// sortTopN keeps the first topN rows in a heap (stable: ties keep input
// order).
//
// It copies the rows it keeps, so its input may hand it the same row every
// time (reuseInput): most rows of a big input are compared and dropped
// without being copied at all.
func (s *sortIter) sortTopN() (rowIter, error) {
	h := &topHeap{cmp: s.cmp}
	reuseInput(s.in)
	var seq int64
	for {
		if err := s.sc.tick(); err != nil {
			return nil, err
		}
		r, err := s.in.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		seq++
		if int64(len(h.rows)) < s.topN {
			h.rows = append(h.rows, cloneRow(r))
			h.seq = append(h.seq, seq)
			h.up(len(h.rows) - 1)
			continue
		}
		if s.cmp(r, h.rows[0]) < 0 {
			if len(h.rows[0]) == len(r) {
				copy(h.rows[0], r) // the dropped row's slice is ours
			} else {
				h.rows[0] = cloneRow(r)
			}
			h.seq[0] = seq
			h.down()
		}
	}
	idx := make([]int, len(h.rows))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := s.cmp(h.rows[a], h.rows[b]); c != 0 {
			return c
		}
		return int(h.seq[a] - h.seq[b])
	})
	out := make([][]Value, len(idx))
	for i, j := range idx {
		out[i] = h.rows[j]
	}
	return &sliceIter{rows: out}, nil
}

func (s *sortIter) Close() {
	if s.out != nil {
		s.out.Close()
	}
	s.in.Close()
}

// distinctIter passes the first row of every distinct value of r[lo:hi].
// The values i with json[i] (nil when none) are JSON, distinct by their
// sort keys (json_order.go).
type distinctIter struct {
	sc     *stmtCtx
	in     rowIter
	lo, hi int
	json   []bool
	budget int64
	seen   map[string]struct{}
	used   int64
}

func (d *distinctIter) Next() ([]Value, error) {
	if d.seen == nil {
		d.seen = map[string]struct{}{}
	}
	for {
		r, err := d.in.Next()
		if err != nil {
			return nil, err
		}
		var b []byte
		for i, v := range r[d.lo:d.hi] {
			if d.json != nil && d.json[i] {
				v = jsonSortKey(v)
			}
			b = AppendGroupKey(b, v)
		}
		if _, dup := d.seen[string(b)]; dup {
			continue
		}
		d.used += int64(len(b)) + 48
		if d.used > 4*d.budget {
			return nil, engErr(ErOutOfSortMemory, "Out of sort memory: DISTINCT set exceeds %d bytes", 4*d.budget)
		}
		d.seen[string(b)] = struct{}{}
		return r, nil
	}
}

func (d *distinctIter) Close() { d.in.Close() }

// limitIter skips offset rows and passes at most limit.
type limitIter struct {
	in            rowIter
	offset, limit int64
	n             int64
}

func (l *limitIter) Next() ([]Value, error) {
	if l.offset > 0 && l.n == 0 {
		if sk, ok := l.in.(rowSkipper); ok && sk.skipRows(l.offset) {
			l.offset = 0
		}
	}
	for l.offset > 0 {
		if _, err := l.in.Next(); err != nil {
			return nil, err
		}
		l.offset--
	}
	if l.n >= l.limit {
		return nil, io.EOF
	}
	r, err := l.in.Next()
	if err != nil {
		return nil, err
	}
	l.n++
	return r, nil
}

func (l *limitIter) Close() { l.in.Close() }

// rowSkipper is a row iterator that can drop its first n rows without
// producing them (a key-ordered scan without a filter positions itself
// by the tree's record counts). skipRows is called before the first
// Next, and reports whether the rows will be skipped; false leaves the
// iterator unchanged.
type rowSkipper interface {
	skipRows(n int64) bool
}

// skipRows skips through a projection whose expressions are pure: the
// skipped rows would only have been computed and dropped.
func (p *projectIter) skipRows(n int64) bool {
	for _, e := range p.exprs {
		if depsOf(e)&(depVolatile|depSubquery) != 0 {
			return false
		}
	}
	sk, ok := p.in.(rowSkipper)
	return ok && sk.skipRows(n)
}

func (t *trimIter) skipRows(n int64) bool {
	sk, ok := t.in.(rowSkipper)
	return ok && sk.skipRows(n)
}

// trimIter returns r[lo:hi] of every row.
type trimIter struct {
	in     rowIter
	lo, hi int
}

func (t *trimIter) Next() ([]Value, error) {
	r, err := t.in.Next()
	if err != nil {
		return nil, err
	}
	return r[t.lo:t.hi], nil
}

func (t *trimIter) Close() { t.in.Close() }

// concatIter returns the rows of each input in turn (UNION ALL).
type concatIter struct {
	ins []rowIter
	i   int
}

func (c *concatIter) Next() ([]Value, error) {
	for c.i < len(c.ins) {
		r, err := c.ins[c.i].Next()
		if err == io.EOF {
			c.i++
			continue
		}
		return r, err
	}
	return nil, io.EOF
}

func (c *concatIter) Close() {
	for _, in := range c.ins {
		in.Close()
	}
}

// countIter returns one row: the number of records in the key ranges of
// a tree, from its subtree counts.
type countIter struct {
	sc   *stmtCtx
	tree interface {
		Count(lo, hi []byte) (uint64, error)
	}
	ranges []keyRange
	known  bool // n is the count already
	n      uint64
	done   bool
}

func (c *countIter) Next() ([]Value, error) {
	if c.done {
		return nil, io.EOF
	}
	c.done = true
	if c.known {
		return []Value{UintValue(c.n)}, nil
	}
	var n uint64
	for _, r := range c.ranges {
		k, err := c.tree.Count(r.lo, r.hi)
		if err != nil {
			return nil, err
		}
		n += k
	}
	return []Value{UintValue(n)}, nil
}

func (c *countIter) Close() {}

// firstOrNullIter yields exactly one row: the first value of in's first
// row, or NULL when in has none (minMaxFast).
type firstOrNullIter struct {
	in   rowIter
	done bool
}

func (f *firstOrNullIter) Next() ([]Value, error) {
	if f.done {
		return nil, io.EOF
	}
	f.done = true
	row, err := f.in.Next()
	if err == io.EOF {
		return []Value{{K: KindNull}}, nil
	}
	if err != nil {
		return nil, err
	}
	return []Value{row[0]}, nil
}

func (f *firstOrNullIter) Close() { f.in.Close() }
