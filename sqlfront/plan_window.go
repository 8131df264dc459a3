package sqlfront

import (
	"io"
	"slices"
	"sort"

	"github.com/xwb1989/sqlparser"
)

// Window functions (the rewrite is in stmt_window.go). A SELECT with
// window calls in its select list projects, after grouping, the calls'
// inputs (arguments, PARTITION BY and ORDER BY values) as hidden columns
// and its other values as usual; after HAVING, windowIter reads every
// row, sorts the rows of each call by partition and order, computes the
// call for each row into a result slot, and only then evaluates the
// select values that use the calls. DISTINCT, ORDER BY and LIMIT follow.
//
// Functions: ROW_NUMBER, RANK, DENSE_RANK, PERCENT_RANK, CUME_DIST,
// NTILE, LAG, LEAD, FIRST_VALUE, LAST_VALUE, NTH_VALUE and the aggregates
// (COUNT, SUM, AVG, MIN, MAX, ...). The frame is MySQL's default: with an
// ORDER BY, from the partition's first row to the current row's last
// peer; without one, the whole partition.

// windowCall is one window call of a SELECT.
type windowCall struct {
	ast   *sqlparser.FuncExpr
	name  string
	args  []Expr
	part  []Expr
	order []Expr
	desc  []bool
	agg   *AggSpec // for aggregate functions
	frame *windowFrame
	in    int // slot of the first input (args, then part, then order)
	out   int // result slot
}

// windowFrame is an explicit frame clause (see parseFrame).
type windowFrame struct {
	rangeUnit      bool      // RANGE: bounds are peer groups or values
	startK, endK   int       // frame* constants
	startN, endN   Expr      // offsets of PRECEDING / FOLLOWING bounds
	ivUnit         [2]string // RANGE offsets INTERVAL n unit: the units of start, end
	startOf, endOf int       // ROWS offsets, evaluated when the rows are read
	startV, endV   Value     // RANGE offsets, evaluated when the rows are read
}

// offsets reports whether a bound of f is n PRECEDING or n FOLLOWING.
func (f *windowFrame) offsets() bool {
	off := func(k int) bool { return k == framePreceding || k == frameFollowing }
	return off(f.startK) || off(f.endK)
}

func errRangeOrderType() error {
	return NewSQLError(ErWindowRangeFrameOrderType, "Window '<unnamed window>' with RANGE N PRECEDING/FOLLOWING frame requires exactly one ORDER BY expression, of numeric or temporal type")
}

// windowScope resolves window calls to their result slots.
type windowScope struct {
	Scope
	calls []*windowCall
}

// Window returns the result slot of call e.
func (w *windowScope) Window(e *sqlparser.FuncExpr) (int, error) {
	for _, c := range w.calls {
		if c.ast == e {
			return c.out, nil
		}
	}
	return 0, errWindowPlace()
}

// WindowScope is implemented by scopes where window calls may appear.
type WindowScope interface {
	Window(e *sqlparser.FuncExpr) (int, error)
}

// errWindowPlace is the error for a window call outside the select list.
func errWindowPlace() error {
	return NewSQLError(3593, "You cannot use the window function here: window functions are allowed only in the select list")
}

// findWindows returns the window calls in the select list of sel (not in
// its subqueries).
func findWindows(sel *sqlparser.Select) []*sqlparser.FuncExpr {
	var out []*sqlparser.FuncExpr
	for _, se := range sel.SelectExprs {
		if ae, ok := se.(*sqlparser.AliasedExpr); ok {
			out = windowCallsIn(ae.Expr, out)
		}
	}
	return out
}

// usesWindow reports whether e holds a window call.
func usesWindow(e sqlparser.Expr) bool { return len(windowCallsIn(e, nil)) > 0 }

// windowCallsIn appends the window calls in e (not in its subqueries) to
// out.
func windowCallsIn(e sqlparser.Expr, out []*sqlparser.FuncExpr) []*sqlparser.FuncExpr {
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch x := n.(type) {
		case *sqlparser.Subquery:
			return false, nil
		case *sqlparser.FuncExpr:
			if x.Name.Lowered() == "__win" {
				out = append(out, x)
				return false, nil
			}
		}
		return true, nil
	}, e)
	return out
}

// compileWindow compiles the inputs of window call e in scope s.
func compileWindow(e *sqlparser.FuncExpr, s Scope) (*windowCall, error) {
	bad := func() (*windowCall, error) { return nil, syntaxError("window function") }
	if len(e.Exprs) != 4 && len(e.Exprs) != 5 {
		return bad()
	}
	var parts [5]sqlparser.Expr
	for i, se := range e.Exprs {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			return bad()
		}
		parts[i] = ae.Expr
	}
	name, ok := parts[0].(*sqlparser.SQLVal)
	if !ok {
		return bad()
	}
	c := &windowCall{ast: e, name: string(name.Val)}
	list := func(x sqlparser.Expr) ([]Expr, error) {
		f, ok := x.(*sqlparser.FuncExpr)
		if !ok {
			return nil, syntaxError("window function")
		}
		var out []Expr
		for _, se := range f.Exprs {
			ae, ok := se.(*sqlparser.AliasedExpr)
			if !ok {
				return nil, syntaxError("window function")
			}
			if usesWindow(ae.Expr) {
				return nil, errWindowPlace()
			}
			x, err := Compile(ae.Expr, s)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	}
	var err error
	if c.args, err = list(parts[1]); err != nil {
		return nil, err
	}
	if c.part, err = list(parts[2]); err != nil {
		return nil, err
	}
	order, err := list(parts[3])
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(order); i += 2 {
		c.order = append(c.order, order[i])
		d, _ := order[i+1].Eval(&Env{})
		c.desc = append(c.desc, ToInt64(d) == 1)
	}
	if parts[4] != nil {
		// __frame(unit, start kind, start n, end kind, end n), where an n
		// may be __ival(n, 'unit').
		fe, ok := parts[4].(*sqlparser.FuncExpr)
		if !ok || len(fe.Exprs) != 5 {
			return bad()
		}
		fr := make([]Expr, 5)
		var units [5]string
		for i, se := range fe.Exprs {
			ae, ok := se.(*sqlparser.AliasedExpr)
			if !ok {
				return bad()
			}
			x := ae.Expr
			if iv, ok := x.(*sqlparser.FuncExpr); ok && iv.Name.Lowered() == "__ival" && len(iv.Exprs) == 2 {
				u, ok1 := iv.Exprs[1].(*sqlparser.AliasedExpr)
				n, ok2 := iv.Exprs[0].(*sqlparser.AliasedExpr)
				if !ok1 || !ok2 {
					return bad()
				}
				lit, ok := u.Expr.(*sqlparser.SQLVal)
				if !ok {
					return bad()
				}
				if units[i], err = intervalUnit(string(lit.Val)); err != nil {
					return nil, err
				}
				x = n.Expr
			}
			if usesWindow(x) {
				return nil, errWindowPlace()
			}
			if fr[i], err = Compile(x, s); err != nil {
				return nil, err
			}
		}
		unit, _ := fr[0].Eval(&Env{})
		sk, _ := fr[1].Eval(&Env{})
		ek, _ := fr[3].Eval(&Env{})
		f := &windowFrame{rangeUnit: ToInt64(unit) == 1, startK: int(ToInt64(sk)), endK: int(ToInt64(ek)), startN: fr[2], endN: fr[4], ivUnit: [2]string{units[2], units[4]}}
		if !f.rangeUnit && (units[2] != "" || units[4] != "") {
			return nil, syntaxError("INTERVAL")
		}
		for _, n := range []Expr{fr[2], fr[4]} {
			if !IsConstant(n) { // b PRECEDING: MySQL takes a literal or a placeholder
				return nil, NewSQLError(ErWindowRangeBoundNotConstant, "Window '<unnamed window>' has a non-constant frame bound.")
			}
		}
		if f.rangeUnit && f.offsets() && len(c.order) != 1 {
			return nil, errRangeOrderType()
		}
		c.frame = f
	}
	nargs := len(c.args)
	want := func(lo, hi int) error {
		if nargs < lo || nargs > hi {
			return NewSQLError(ErWrongParamcountToNativeFct, "Incorrect parameter count in the call to native function '%s'", c.name)
		}
		return nil
	}
	switch c.name {
	case "row_number", "rank", "dense_rank", "percent_rank", "cume_dist":
		err = want(0, 0)
	case "ntile", "first_value", "last_value":
		err = want(1, 1)
	case "nth_value":
		err = want(2, 2)
	case "lag", "lead":
		err = want(1, 3)
	case "count*":
		c.agg = &AggSpec{Func: AggCountStar, Name: "count"}
	default:
		f, ok := aggNames[c.name]
		if !ok {
			return nil, NewSQLError(ErNotSupportedYet, "This version of bxdb doesn't yet support '%s as a window function'", c.name)
		}
		if err = want(1, 1); err == nil {
			c.agg = &AggSpec{Func: f, Name: c.name}
			// MIN and MAX compare JSON values by their sort keys
			// (json_order.go).
			if fe, ok := parts[1].(*sqlparser.FuncExpr); ok && (f == AggMin || f == AggMax) && len(fe.Exprs) == 1 {
				if ae, ok := fe.Exprs[0].(*sqlparser.AliasedExpr); ok && (&compiler{sc: s}).jsonKindOf(ae.Expr, c.args[0]) == jkJSON {
					c.agg.jsonArgs = []bool{true}
				}
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// windowItem is a select value computed after the window calls.
type windowItem struct {
	slot int
	expr Expr
}

// windowIter computes the window calls over all its input rows.
type windowIter struct {
	sc     *stmtCtx
	in     rowIter
	calls  []*windowCall
	items  []windowItem
	width  int // row width with the result slots
	budget int64
	rows   [][]Value
	next   int
	done   bool
}

func (w *windowIter) Next() ([]Value, error) {
	if !w.done {
		w.done = true
		if err := w.run(); err != nil {
			return nil, err
		}
	}
	if w.next >= len(w.rows) {
		return nil, io.EOF
	}
	w.next++
	return w.rows[w.next-1], nil
}

func (w *windowIter) Close() { w.in.Close() }

// run reads the input and computes the calls and the items that use them.
func (w *windowIter) run() error {
	var used int64
	for {
		r, err := w.in.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		row := make([]Value, w.width)
		copy(row, r)
		for _, v := range r {
			used += int64(len(v.S)) + 32
		}
		if used > 4*w.budget {
			return engErr(ErOutOfSortMemory, "Out of sort memory: window function input exceeds %d bytes", 4*w.budget)
		}
		w.rows = append(w.rows, row)
	}
	for _, c := range w.calls {
		if err := w.compute(c); err != nil {
			return err
		}
	}
	env := w.sc.env
	for _, row := range w.rows {
		env.Row = row
		for _, it := range w.items {
			v, err := it.expr.Eval(env)
			if err != nil {
				return err
			}
			row[it.slot] = v
		}
	}
	return nil
}

// compute fills c's result slot of every row.
func (w *windowIter) compute(c *windowCall) error {
	np, no := len(c.part), len(c.order)
	pslot, oslot := c.in+len(c.args), c.in+len(c.args)+np
	idx := make([]int, len(w.rows))
	for i := range idx {
		idx[i] = i
	}
	cmpPart := func(a, b []Value) int {
		for k := 0; k < np; k++ {
			if d := CompareForSort(a[pslot+k], b[pslot+k]); d != 0 {
				return d
			}
		}
		return 0
	}
	cmpOrder := func(a, b []Value) int {
		for k := 0; k < no; k++ {
			d := compareOrder(&a[oslot+k], &b[oslot+k])
			if c.desc[k] {
				d = -d
			}
			if d != 0 {
				return d
			}
		}
		return 0
	}
	slices.SortStableFunc(idx, func(i, j int) int {
		if d := cmpPart(w.rows[i], w.rows[j]); d != 0 {
			return d
		}
		return cmpOrder(w.rows[i], w.rows[j])
	})
	arg := func(r []Value, k int) Value { return r[c.in+k] }
	rangeOffsets := false
	if f := c.frame; f != nil {
		rangeOffsets = f.rangeUnit && f.offsets()
		for _, b := range []struct {
			x   Expr
			dst *int
			val *Value
		}{{f.startN, &f.startOf, &f.startV}, {f.endN, &f.endOf, &f.endV}} {
			v, err := b.x.Eval(w.sc.env)
			if err != nil {
				return err
			}
			if f.rangeUnit {
				if v.K == KindNull || v.K != KindString && ToFloat64(v) < 0 {
					return NewSQLError(ErWrongArguments, "Incorrect arguments to the window frame (an offset must not be negative or NULL)")
				}
				*b.val = v
				continue
			}
			n := ToInt64(v)
			if v.K == KindNull || n < 0 {
				return NewSQLError(ErWrongArguments, "Incorrect arguments to the window frame (an offset must be a non-negative integer)")
			}
			*b.dst = int(n)
		}
	}
	var fs, fe []int // RANGE frames with offsets: each row's frame
	for lo := 0; lo < len(idx); {
		hi := lo + 1
		for hi < len(idx) && cmpPart(w.rows[idx[lo]], w.rows[idx[hi]]) == 0 {
			hi++
		}
		p := idx[lo:hi] // one partition, in order
		n := len(p)
		// peerEnd[i] is one past the last peer of row i, peerStart[i] its
		// first peer (without ORDER BY, the partition is one peer group).
		peerEnd, peerStart := make([]int, n), make([]int, n)
		for i := n - 1; i >= 0; i-- {
			if i+1 < n && no > 0 && cmpOrder(w.rows[p[i]], w.rows[p[i+1]]) == 0 {
				peerEnd[i] = peerEnd[i+1]
			} else if no > 0 {
				peerEnd[i] = i + 1
			} else {
				peerEnd[i] = n
			}
		}
		for i := 0; i < n; i++ {
			if i > 0 && (no == 0 || cmpOrder(w.rows[p[i-1]], w.rows[p[i]]) == 0) {
				peerStart[i] = peerStart[i-1]
			} else {
				peerStart[i] = i
			}
		}
		if rangeOffsets {
			var err error
			if fs, fe, err = c.rangeFrames(w.rows, p, oslot, peerStart, peerEnd, fs[:0], fe[:0]); err != nil {
				return err
			}
		}
		// frame returns the frame of row i: partition positions [s, e).
		frame := func(i int) (int, int) {
			f := c.frame
			if f == nil { // the default: RANGE UNBOUNDED PRECEDING (to CURRENT ROW with ORDER BY)
				return 0, peerEnd[i]
			}
			if rangeOffsets {
				return fs[i], max(fe[i], fs[i])
			}
			// Offsets go up to 2^63-1: i ± offset saturates to just
			// outside the partition instead of wrapping.
			add := func(d int) int {
				switch {
				case d > 0 && d > n-i:
					return n + 1
				case d < 0 && d < -1-i:
					return -1
				}
				return i + d
			}
			s, e := 0, n
			switch f.startK {
			case framePreceding:
				s = add(-f.startOf)
			case frameCurrentRow:
				s = i
				if f.rangeUnit {
					s = peerStart[i]
				}
			case frameFollowing:
				s = add(f.startOf)
			}
			switch f.endK {
			case framePreceding:
				e = add(-f.endOf) + 1
			case frameCurrentRow:
				e = i + 1
				if f.rangeUnit {
					e = peerEnd[i]
				}
			case frameFollowing:
				e = add(f.endOf) + 1
			}
			s, e = min(max(s, 0), n), min(e, n)
			return s, max(e, s)
		}
		incremental := c.frame == nil || c.frame.startK == frameUnboundedPreceding
		var agg *Aggregator
		if c.agg != nil {
			agg = NewAggregator(*c.agg)
		}
		// A frame to the partition's end whose start moves forward: the
		// aggregates are computed from the last row back, each row added
		// once (an aggregate whose result depends on the order of its
		// rows is computed frame by frame).
		var suffix []Value
		if !incremental && c.agg != nil && c.frame.endK == frameUnboundedFollowing &&
			c.agg.Func != AggJSONArray && c.agg.Func != AggJSONObject {
			suffix = make([]Value, n)
			added := n
			for i := n - 1; i >= 0; i-- {
				s, _ := frame(i)
				for ; added > s; added-- {
					var err error
					if c.agg.Func == AggCountStar {
						err = agg.Add(Null)
					} else {
						err = agg.Add(arg(w.rows[p[added-1]], 0))
					}
					if err != nil {
						return err
					}
				}
				suffix[i] = agg.Result()
			}
		}
		rank, dense := 0, 0
		added := 0 // rows added to agg
		for i, ri := range p {
			row := w.rows[ri]
			var v Value
			newPeer := i == 0 || no > 0 && cmpOrder(w.rows[p[i-1]], row) != 0
			if newPeer {
				rank, dense = i+1, dense+1
			}
			switch c.name {
			case "row_number":
				v = IntValue(int64(i + 1))
			case "rank":
				v = IntValue(int64(rank))
			case "dense_rank":
				v = IntValue(int64(dense))
			case "percent_rank":
				v = FloatValue(0)
				if n > 1 {
					v = FloatValue(float64(rank-1) / float64(n-1))
				}
			case "cume_dist":
				v = FloatValue(float64(peerEnd[i]) / float64(n))
			case "ntile":
				buckets := ToInt64(arg(row, 0))
				if buckets <= 0 {
					return NewSQLError(ErWrongArguments, "Incorrect arguments to ntile")
				}
				size, extra := int64(n)/buckets, int64(n)%buckets
				// The first extra buckets have size+1 rows.
				pos := int64(i)
				if pos < extra*(size+1) {
					v = IntValue(pos/(size+1) + 1)
				} else {
					v = IntValue(extra + (pos-extra*(size+1))/max(size, 1) + 1)
				}
			case "lag", "lead":
				off := int64(1)
				if len(c.args) > 1 {
					off = ToInt64(arg(row, 1))
				}
				if c.name == "lag" {
					off = -off
				}
				v = Null
				if j := int64(i) + off; j >= 0 && j < int64(n) {
					v = arg(w.rows[p[j]], 0)
				} else if len(c.args) > 2 {
					v = arg(row, 2)
				}
			case "first_value":
				v = Null
				if s, e := frame(i); s < e {
					v = arg(w.rows[p[s]], 0)
				}
			case "last_value":
				v = Null
				if s, e := frame(i); s < e {
					v = arg(w.rows[p[e-1]], 0)
				}
			case "nth_value":
				k := ToInt64(arg(row, 1))
				if k <= 0 {
					return NewSQLError(ErWrongArguments, "Incorrect arguments to nth_value")
				}
				v = Null
				if s, e := frame(i); int64(s)+k <= int64(e) {
					v = arg(w.rows[p[int64(s)+k-1]], 0)
				}
			default: // aggregates over the frame
				if suffix != nil {
					v = suffix[i]
					break
				}
				s, e := frame(i)
				if !incremental {
					agg.Reset()
					added = s
				}
				for ; added < e; added++ {
					var err error
					if c.agg.Func == AggCountStar {
						err = agg.Add(Null)
					} else {
						err = agg.Add(arg(w.rows[p[added]], 0))
					}
					if err != nil {
						return err
					}
				}
				v = agg.Result()
			}
			row[c.out] = v
		}
		lo = hi
	}
	return nil
}

// planWindows compiles the window calls (with proj, the scope of the
// select values) and returns them with the inputs to project; slots are
// relative to where the inputs will start (see shiftWindows).
func planWindows(calls []*sqlparser.FuncExpr, proj Scope) ([]*windowCall, []Expr, error) {
	var out []*windowCall
	var inputs []Expr
	for _, e := range calls {
		c, err := compileWindow(e, proj)
		if err != nil {
			return nil, nil, err
		}
		c.in = len(inputs)
		inputs = append(inputs, c.args...)
		inputs = append(inputs, c.part...)
		inputs = append(inputs, c.order...)
		out = append(out, c)
	}
	for i, c := range out {
		c.out = len(inputs) + i
	}
	return out, inputs, nil
}

// shiftWindows moves the calls' slots to start at off.
func shiftWindows(calls []*windowCall, off int) {
	for _, c := range calls {
		c.in += off
		c.out += off
	}
}

// rangeFrames computes the frames of a RANGE frame with offsets over
// partition p (row indexes into rows, in window order; the one ORDER BY
// value at slot oslot), appending row i's frame [fs[i], fe[i]) to fs and
// fe. A bound n PRECEDING of row i is the first row whose value is at
// least v-n (at most v+n for DESC); the frame of a row whose value is NULL
// is its peers, as in MySQL.
func (c *windowCall) rangeFrames(rows [][]Value, p []int, oslot int, peerStart, peerEnd, fs, fe []int) ([]int, []int, error) {
	f, n, desc := c.frame, len(p), c.desc[0]
	key := func(j int) Value { return rows[p[j]][oslot] }
	// dir compares x with target t (inf: -1 below every value, +1 above)
	// in the window's order; NULL sorts first (last for DESC).
	dir := func(x, t Value, inf int) int {
		var d int
		switch {
		case x.K == KindNull:
			d = -1
		case inf != 0:
			d = -inf
		default:
			d = CompareForSort(x, t)
		}
		if desc {
			d = -d
		}
		return d
	}
	bound := func(i, kind int, off Value, unit string, end bool) (int, error) {
		switch kind {
		case frameUnboundedPreceding:
			return 0, nil
		case frameUnboundedFollowing:
			return n, nil
		}
		v := key(i)
		if kind == frameCurrentRow || v.K == KindNull {
			if end {
				return peerEnd[i], nil
			}
			return peerStart[i], nil
		}
		t, inf, err := rangeTarget(v, off, unit, (kind == framePreceding) != desc)
		if err != nil {
			return 0, err
		}
		return sort.Search(n, func(j int) bool {
			d := dir(key(j), t, inf)
			return d > 0 || d == 0 && !end
		}), nil
	}
	for i := 0; i < n; i++ {
		s, err := bound(i, f.startK, f.startV, f.ivUnit[0], false)
		if err != nil {
			return nil, nil, err
		}
		e, err := bound(i, f.endK, f.endV, f.ivUnit[1], true)
		if err != nil {
			return nil, nil, err
		}
		fs, fe = append(fs, s), append(fe, e)
	}
	return fs, fe, nil
}

// rangeTarget returns v-off (sub) or v+off for a RANGE frame bound; unit
// is the INTERVAL unit of a temporal offset. inf is -1 or +1 when the
// result is beyond the range of v's type, below or above every value.
func rangeTarget(v, off Value, unit string, sub bool) (t Value, inf int, err error) {
	beyond := 1
	if sub {
		beyond = -1
	}
	switch {
	case v.K == KindTime:
		if unit == "" {
			return Null, 0, NewSQLError(ErWindowRangeFrameTemporalType, "Window '<unnamed window>' with RANGE frame has ORDER BY expression of datetime type. Only INTERVAL bound value allowed.")
		}
		r, err := (&dateAddExpr{base: &litExpr{v: v}, amount: &litExpr{v: off}, unit: unit, sub: sub}).Eval(&Env{})
		if err != nil {
			return Null, 0, err
		}
		if r.K == KindNull {
			return Null, beyond, nil
		}
		return r, 0, nil
	case v.K == KindInt || v.K == KindUint || v.K == KindDecimal || v.K == KindFloat:
		if unit != "" {
			return Null, 0, NewSQLError(ErWindowRangeFrameNumericType, "Window '<unnamed window>' with RANGE frame has ORDER BY expression of numeric type, INTERVAL bound value not allowed.")
		}
		if v.K == KindFloat || off.K == KindFloat || off.K == KindString {
			o := ToFloat64(off)
			if sub {
				o = -o
			}
			return FloatValue(ToFloat64(v) + o), 0, nil
		}
		d, o := ToDecimal(v), ToDecimal(off)
		if sub {
			o = o.Neg()
		}
		return DecimalValue(d.Add(o)), 0, nil
	}
	return Null, 0, errRangeOrderType()
}

// windowColumnInfo types a select item that is a window call returning
// its argument's values (LAG, LEAD, FIRST_VALUE, LAST_VALUE, NTH_VALUE,
// MIN, MAX) of a column: as the column.
func windowColumnInfo(ci *ColumnInfo, e Expr, w *windowScope, lay *layout) {
	c, ok := e.(*colExpr)
	if !ok {
		return
	}
	for _, call := range w.calls {
		if call.out != c.idx || len(call.args) == 0 {
			continue
		}
		switch {
		case call.name == "lag" || call.name == "lead":
			if len(call.args) == 3 {
				if v, ok := Literal(call.args[2]); !ok || v.K != KindNull {
					return // the default's type joins in
				}
			}
		case call.name == "first_value" || call.name == "last_value" || call.name == "nth_value":
		case call.agg != nil && (call.agg.Func == AggMin || call.agg.Func == AggMax):
		default:
			return
		}
		slot, ok := ColumnRef(call.args[0])
		if !ok {
			return
		}
		if t, ok := lay.slotType(slot); ok {
			fillTypeInfo(ci, t)
			ci.Nullable, ci.NullableOK = true, true
		}
		return
	}
}
