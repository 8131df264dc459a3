package sqlfront

import (
	"strings"

	"github.com/xwb1989/sqlparser"
)

// This file holds the operator nodes: three-valued logic, comparisons, IN,
// BETWEEN, IS, arithmetic, CASE and the control-flow functions, CAST.

// tri is a three-valued truth value.
type tri uint8

const (
	triFalse tri = iota
	triTrue
	triNull
)

// triOf returns the truth value of v.
func triOf(v Value) tri {
	switch v.K {
	case KindNull:
		return triNull
	case KindInt:
		if v.I != 0 {
			return triTrue
		}
		return triFalse
	}
	if b, _ := Truth(v); b {
		return triTrue
	}
	return triFalse
}

// triBool returns triTrue or triFalse.
func triBool(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// not returns NOT t.
func (t tri) not() tri {
	switch t {
	case triTrue:
		return triFalse
	case triFalse:
		return triTrue
	}
	return triNull
}

// value returns 1, 0 or NULL.
func (t tri) value() Value {
	switch t {
	case triTrue:
		return Value{K: KindInt, I: 1}
	case triFalse:
		return Value{K: KindInt}
	}
	return Null
}

// boolExpr is a node that computes a truth value without building a Value.
type boolExpr interface {
	exprNode
	evalTri(env *Env) (tri, error)
}

// asBool returns e as a boolExpr, wrapping it if needed.
func asBool(e Expr) boolExpr {
	if b, ok := e.(boolExpr); ok {
		return b
	}
	return &truthExpr{x: e}
}

// truthExpr is the truth value (1, 0, NULL) of an operand.
type truthExpr struct{ x Expr }

func (e *truthExpr) evalTri(env *Env) (tri, error) {
	v, err := e.x.Eval(env)
	return triOf(v), err
}
func (e *truthExpr) Eval(env *Env) (Value, error) { t, err := e.evalTri(env); return t.value(), err }
func (e *truthExpr) kids() []Expr                 { return []Expr{e.x} }

// andExpr is AND: false if either side is false, else NULL if either is
// NULL. The right side is not evaluated when the left is false.
type andExpr struct{ l, r boolExpr }

func (e *andExpr) evalTri(env *Env) (tri, error) {
	a, err := e.l.evalTri(env)
	if err != nil || a == triFalse {
		return triFalse, err
	}
	b, err := e.r.evalTri(env)
	if err != nil || b == triFalse {
		return triFalse, err
	}
	if a == triNull || b == triNull {
		return triNull, nil
	}
	return triTrue, nil
}
func (e *andExpr) Eval(env *Env) (Value, error) { t, err := e.evalTri(env); return t.value(), err }
func (e *andExpr) kids() []Expr                 { return []Expr{e.l, e.r} }

// orExpr is OR: true if either side is true, else NULL if either is NULL.
type orExpr struct{ l, r boolExpr }

func (e *orExpr) evalTri(env *Env) (tri, error) {
	a, err := e.l.evalTri(env)
	if err != nil || a == triTrue {
		return a, err
	}
	b, err := e.r.evalTri(env)
	if err != nil || b == triTrue {
		return b, err
	}
	if a == triNull || b == triNull {
		return triNull, nil
	}
	return triFalse, nil
}
func (e *orExpr) Eval(env *Env) (Value, error) { t, err := e.evalTri(env); return t.value(), err }
func (e *orExpr) kids() []Expr                 { return []Expr{e.l, e.r} }

// notExpr is NOT and !.
type notExpr struct{ x boolExpr }

func (e *notExpr) evalTri(env *Env) (tri, error) {
	t, err := e.x.evalTri(env)
	return t.not(), err
}
func (e *notExpr) Eval(env *Env) (Value, error) { t, err := e.evalTri(env); return t.value(), err }
func (e *notExpr) kids() []Expr                 { return []Expr{e.x} }

// compileLogic compiles AND (and=true) or OR.
func (c *compiler) compileLogic(l, r sqlparser.Expr, and bool) (Expr, error) {
	lx, err := c.compile(l)
	if err != nil {
		return nil, err
	}
	rx, err := c.compile(r)
	if err != nil {
		return nil, err
	}
	if and {
		return c.fold(&andExpr{l: asBool(lx), r: asBool(rx)}), nil
	}
	return c.fold(&orExpr{l: asBool(lx), r: asBool(rx)}), nil
}

// --- Comparisons -------------------------------------------------------------

// cmpOp is a comparison operator.
type cmpOp uint8

const (
	cmpEQ   cmpOp = iota // =
	cmpNE                // != and <>
	cmpLT                // <
	cmpLE                // <=
	cmpGT                // >
	cmpGE                // >=
	cmpNSEQ              // <=>
)

// holds reports whether the operator holds for a comparison result.
func (op cmpOp) holds(c int) bool {
	switch op {
	case cmpEQ, cmpNSEQ:
		return c == 0
	case cmpNE:
		return c != 0
	case cmpLT:
		return c < 0
	case cmpLE:
		return c <= 0
	case cmpGT:
		return c > 0
	}
	return c >= 0
}

// swap returns the operator with its operands exchanged (a < b ⇔ b > a).
func (op cmpOp) swap() cmpOp {
	switch op {
	case cmpLT:
		return cmpGT
	case cmpLE:
		return cmpGE
	case cmpGT:
		return cmpLT
	case cmpGE:
		return cmpLE
	}
	return op
}

// cmpOps maps sqlparser's operators.
var cmpOps = map[string]cmpOp{
	sqlparser.EqualStr: cmpEQ, sqlparser.NotEqualStr: cmpNE, "<>": cmpNE,
	sqlparser.LessThanStr: cmpLT, sqlparser.LessEqualStr: cmpLE,
	sqlparser.GreaterThanStr: cmpGT, sqlparser.GreaterEqualStr: cmpGE,
	sqlparser.NullSafeEqualStr: cmpNSEQ,
}

// compareTri compares two values under op.
func compareTri(op cmpOp, a, b Value) tri {
	if op == cmpNSEQ {
		return triBool(CompareForSort(a, b) == 0 && (a.K == KindNull) == (b.K == KindNull))
	}
	c, null := Compare(a, b)
	if null {
		return triNull
	}
	return triBool(op.holds(c))
}

// cmpExpr compares two general operands.
type cmpExpr struct {
	op   cmpOp
	l, r Expr
}

func (e *cmpExpr) evalTri(env *Env) (tri, error) {
	a, err := e.l.Eval(env)
	if err != nil {
		return triNull, err
	}
	b, err := e.r.Eval(env)
	if err != nil {
		return triNull, err
	}
	return compareTri(e.op, a, b), nil
}
func (e *cmpExpr) Eval(env *Env) (Value, error) { t, err := e.evalTri(env); return t.value(), err }
func (e *cmpExpr) kids() []Expr                 { return []Expr{e.l, e.r} }

// cmpConstExpr compares an operand with a non-NULL constant, with fast
// paths for the common kinds.
type cmpConstExpr struct {
	op  cmpOp // x op c
	x   Expr
	c   Value
	cf  float64 // c as a float, when c is numeric
	num Value   // numeric reading of a hex literal c, or NULL
}

// newCmpConst builds x op lit.
func newCmpConst(op cmpOp, x Expr, lit *litExpr) *cmpConstExpr {
	e := &cmpConstExpr{op: op, x: x, c: lit.v, num: lit.num}
	if isNumericKind(lit.v.K) {
		e.cf = ToFloat64(lit.v)
	}
	return e
}

func (e *cmpConstExpr) evalTri(env *Env) (tri, error) {
	v, err := e.x.Eval(env)
	if err != nil {
		return triNull, err
	}
	return e.test(v), nil
}

// test compares v, the operand's value, with the constant.
func (e *cmpConstExpr) test(v Value) tri {
	if v.K == KindNull {
		return triNull
	}
	if v.K == KindInt || v.K == KindFloat {
		if t, ok := e.testNum(v.I, v.F, v.K == KindFloat); ok {
			return t
		}
	}
	var c int
	switch {
	case v.K == KindString && e.c.K == KindString:
		c = compareStrings(v, e.c)
	case e.num.K != KindNull && isNumericKind(v.K):
		c, _ = Compare(v, e.num)
	default:
		c, _ = Compare(v, e.c)
	}
	return triBool(e.op.holds(c))
}

// testNum is test of the KindInt value i (isFloat false) or the KindFloat
// value f, for the constants it compares without building the Value: ok
// is false for the others.
func (e *cmpConstExpr) testNum(i int64, f float64, isFloat bool) (t tri, ok bool) {
	var c int
	switch {
	case !isFloat && e.c.K == KindInt:
		c = cmpInt64(i, e.c.I)
	case !isFloat && e.c.K == KindFloat:
		c = cmpIntFloat(i, e.c.F)
	case isFloat && e.c.K == KindInt:
		c = -cmpIntFloat(e.c.I, f)
	case isFloat && (e.c.K == KindFloat || e.c.K == KindDecimal):
		c = cmpFloat(f, e.cf)
	default:
		return triNull, false
	}
	return triBool(e.op.holds(c)), true
}

func (e *cmpConstExpr) Eval(env *Env) (Value, error) { t, err := e.evalTri(env); return t.value(), err }
func (e *cmpConstExpr) kids() []Expr                 { return []Expr{e.x} }

// rowCmpExpr compares row constructors: (a, b) op (x, y).
type rowCmpExpr struct {
	op   cmpOp
	l, r []Expr
}

func (e *rowCmpExpr) evalTri(env *Env) (tri, error) {
	rc := rowComparer{op: e.op}
	for i := range e.l {
		a, err := e.l[i].Eval(env)
		if err != nil {
			return triNull, err
		}
		b, err := e.r[i].Eval(env)
		if err != nil {
			return triNull, err
		}
		if t, done := rc.next(a, b); done {
			return t, nil
		}
	}
	return rc.result(), nil
}
func (e *rowCmpExpr) Eval(env *Env) (Value, error) { t, err := e.evalTri(env); return t.value(), err }
func (e *rowCmpExpr) kids() []Expr                 { return append(append([]Expr(nil), e.l...), e.r...) }

// rowComparer compares two rows pair by pair, as MySQL does: the first pair
// that differs decides; a pair with a NULL makes <, <=, > and >= NULL at
// once, and = and <> NULL unless a later pair differs; <=> holds when
// every pair is equal or both NULL.
type rowComparer struct {
	op      cmpOp
	sawNull bool
}

// next compares the next pair; done reports that it decides the
// comparison, whose result is t.
func (c *rowComparer) next(a, b Value) (t tri, done bool) {
	if c.op == cmpNSEQ {
		return triFalse, compareTri(cmpNSEQ, a, b) == triFalse
	}
	cmp, null := Compare(a, b)
	switch {
	case null && (c.op == cmpEQ || c.op == cmpNE):
		c.sawNull = true
	case null:
		return triNull, true
	case cmp != 0:
		return triBool(c.op.holds(cmp)), true
	}
	return triNull, false
}

// result returns the result when no pair decided.
func (c *rowComparer) result() tri {
	if c.sawNull {
		return triNull
	}
	return triBool(c.op.holds(0))
}

// tupleArity returns the number of columns of a row constructor (1 for
// other expressions).
func tupleArity(e sqlparser.Expr) int {
	if t, ok := rowItems(e); ok && len(t) != 1 {
		return len(t)
	}
	return 1
}

// rowItems returns the elements of a row constructor: (a, b), or ROW(a,
// b), which the pinned parser reads as a call of a function "row" (ROW is
// reserved in MySQL, so no function has that name).
func rowItems(e sqlparser.Expr) (sqlparser.ValTuple, bool) {
	switch x := e.(type) {
	case sqlparser.ValTuple:
		return x, true
	case *sqlparser.FuncExpr:
		if !x.Qualifier.IsEmpty() || x.Name.Lowered() != "row" || x.Distinct || len(x.Exprs) < 2 {
			return nil, false
		}
		t := make(sqlparser.ValTuple, len(x.Exprs))
		for i, se := range x.Exprs {
			ae, ok := se.(*sqlparser.AliasedExpr)
			if !ok || !ae.As.IsEmpty() {
				return nil, false
			}
			t[i] = ae.Expr
		}
		return t, true
	}
	return nil, false
}

// compileRowComparison compiles l op r when an operand is a row: a row
// constructor, or a subquery of more than one column (a row subquery,
// rowSubqCmpExpr). ok is false when neither is.
func (c *compiler) compileRowComparison(op cmpOp, l, r sqlparser.Expr) (x Expr, ok bool, err error) {
	lo, err := c.rowOperand(l)
	if err != nil {
		return nil, true, err
	}
	ro, err := c.rowOperand(r)
	if err != nil {
		return nil, true, err
	}
	switch {
	case lo.n == 1 && ro.n == 1:
		return nil, false, nil
	case lo.n != ro.n:
		return nil, true, errOperandColumns(lo.n)
	case lo.shape != ro.shape:
		// Rows in a row constructor: the other side's items must be rows
		// of as many columns (a row subquery's never are).
		if err := rowShapeError(l, r); err != nil {
			return nil, true, err
		}
		return nil, true, errOperandColumns(1)
	case lo.sq == nil && ro.sq == nil:
		return c.fold(&rowCmpExpr{op: op, l: lo.x, r: ro.x}), true, nil
	}
	return &rowSubqCmpExpr{op: op, l: lo, r: ro}, true, nil
}

// compileComparison compiles comparison-like operators.
func (c *compiler) compileComparison(e *sqlparser.ComparisonExpr) (Expr, error) {
	switch e.Operator {
	case sqlparser.InStr, sqlparser.NotInStr:
		return c.compileIn(e.Left, e.Right, e.Operator == sqlparser.NotInStr)
	case sqlparser.LikeStr, sqlparser.NotLikeStr:
		return c.compileLike(e)
	case sqlparser.RegexpStr, sqlparser.NotRegexpStr:
		return c.compileRegexp(e)
	case memberOfStr:
		right := e.Right
		if t, ok := right.(sqlparser.ValTuple); ok && len(t) == 1 {
			right = t[0]
		}
		return c.compile(&sqlparser.FuncExpr{Name: sqlparser.NewColIdent("m@o"),
			Exprs: sqlparser.SelectExprs{&sqlparser.AliasedExpr{Expr: e.Left}, &sqlparser.AliasedExpr{Expr: right}}})
	}
	if base, quant, ok := strings.Cut(e.Operator, " "); ok && (quant == "any" || quant == "all") {
		if op, ok := cmpOps[base]; ok {
			if sq, ok := e.Right.(*sqlparser.Subquery); ok {
				return c.compileQuantified(op, quant == "all", e.Left, sq)
			}
		}
	}
	op, ok := cmpOps[e.Operator]
	if !ok {
		return nil, syntaxError(e.Operator)
	}
	if x, ok, err := c.compileRowComparison(op, e.Left, e.Right); ok {
		return x, err
	}
	l, err := c.compile(e.Left)
	if err != nil {
		return nil, err
	}
	r, err := c.compile(e.Right)
	if err != nil {
		return nil, err
	}
	if side := c.jsonVsSQL(e.Left, e.Right, l, r); side != 0 {
		return c.fold(&jsonCmpExpr{op: op, l: l, r: r, jsonLeft: side == 1}), nil
	}
	l, r = c.jsonCompareOperands(e.Left, e.Right, l, r)
	return c.fold(newCompare(op, l, r)), nil
}

// newCompare builds l op r, specialized when one side is a constant.
func newCompare(op cmpOp, l, r Expr) boolExpr {
	if op != cmpNSEQ {
		if lit, ok := r.(*litExpr); ok && lit.v.K != KindNull {
			if _, lconst := l.(*litExpr); !lconst {
				return newCmpConst(op, l, lit)
			}
		}
		if lit, ok := l.(*litExpr); ok && lit.v.K != KindNull {
			if _, rconst := r.(*litExpr); !rconst {
				return newCmpConst(op.swap(), r, lit)
			}
		}
	}
	return &cmpExpr{op: op, l: numericOperand2(l, r), r: numericOperand2(r, l)}
}

// numericOperand2 returns the numeric reading of a hex literal e when the
// other operand is a numeric literal.
func numericOperand2(e, other Expr) Expr {
	if o, ok := other.(*litExpr); ok && isNumericKind(o.v.K) {
		return numericOperand(e)
	}
	return e
}

// --- IN ----------------------------------------------------------------------

// valueClass groups kinds whose GroupKeys agree with Compare.
func valueClass(k Kind) uint8 {
	switch k {
	case KindInt, KindUint, KindFloat, KindDecimal:
		return 1
	case KindString:
		return 2
	case KindBytes:
		return 3
	case KindTime:
		return 4
	}
	return 0
}

// inExpr is x [NOT] IN (list).
type inExpr struct {
	x         Expr
	consts    []*litExpr          // constant non-NULL items
	set       map[string]struct{} // GroupKeys of consts when they share setClass
	setClass  uint8
	constNull bool   // a constant NULL item
	list      []Expr // non-constant items
	// argsOnly: every item of list reads nothing but Env.Args (`id IN
	// (?, ?, ...)`, what ORMs send), so the whole list is fixed for an
	// execution: it is evaluated once and hashed (argSet, memoized in
	// the Env) instead of walked for every row.
	argsOnly bool
	not      bool
}

// argSet is an inExpr's list evaluated for one execution: the GroupKeys
// of its non-NULL items when they all share class (set nil otherwise:
// the items are then compared one by one, as list is).
type argSet struct {
	set     map[string]struct{}
	class   uint8
	hasNull bool
}

// argSet returns the list of e evaluated and hashed for env's execution.
func (e *inExpr) argSet(env *Env) (*argSet, error) {
	if a, ok := env.memo[e].(*argSet); ok {
		return a, nil
	}
	a := &argSet{hasNull: e.constNull, set: make(map[string]struct{}, len(e.consts)+len(e.list))}
	add := func(v Value) {
		if a.set == nil {
			return
		}
		if v.K == KindNull {
			a.hasNull = true
			return
		}
		c := valueClass(v.K)
		if len(a.set) == 0 {
			a.class = c
		}
		if c == 0 || c != a.class {
			a.set = nil
			return
		}
		a.set[GroupKey(v)] = struct{}{}
	}
	for _, l := range e.consts {
		if l.num.K != KindNull {
			a.set = nil // a string compared as a number: no common key
		}
		add(l.v)
	}
	for _, x := range e.list {
		v, err := x.Eval(env)
		if err != nil {
			return nil, err
		}
		add(v)
	}
	if env.memo == nil {
		env.memo = make(map[Expr]any)
	}
	env.memo[e] = a
	return a, nil
}

func (e *inExpr) evalTri(env *Env) (tri, error) {
	v, err := e.x.Eval(env)
	if err != nil || v.K == KindNull {
		return triNull, err
	}
	if e.argsOnly {
		a, err := e.argSet(env)
		if err != nil {
			return triNull, err
		}
		if a.set != nil && v.C == 0 && (len(a.set) == 0 || valueClass(v.K) == a.class) {
			var buf [64]byte
			_, found := a.set[string(AppendGroupKey(buf[:0], v))]
			r := triFalse
			switch {
			case found:
				r = triTrue
			case a.hasNull:
				r = triNull
			}
			if e.not {
				return r.not(), nil
			}
			return r, nil
		}
	}
	found := false
	if e.set != nil && v.C == 0 && valueClass(v.K) == e.setClass { // v.C: a collated column compares
		var buf [64]byte
		_, found = e.set[string(AppendGroupKey(buf[:0], v))]
	} else {
		for _, l := range e.consts {
			w := l.v
			if l.num.K != KindNull && isNumericKind(v.K) {
				w = l.num
			}
			if c, _ := Compare(v, w); c == 0 {
				found = true
				break
			}
		}
	}
	sawNull := e.constNull
	for i := 0; !found && i < len(e.list); i++ {
		w, err := e.list[i].Eval(env)
		if err != nil {
			return triNull, err
		}
		c, null := Compare(v, w)
		if null {
			sawNull = true
		} else if c == 0 {
			found = true
		}
	}
	r := triFalse
	switch {
	case found:
		r = triTrue
	case sawNull:
		r = triNull
	}
	if e.not {
		return r.not(), nil
	}
	return r, nil
}
func (e *inExpr) Eval(env *Env) (Value, error) { t, err := e.evalTri(env); return t.value(), err }
func (e *inExpr) kids() []Expr {
	k := []Expr{e.x}
	for _, l := range e.consts {
		k = append(k, l)
	}
	return append(k, e.list...)
}

// compileIn compiles x [NOT] IN (list or subquery).
func (c *compiler) compileIn(left, right sqlparser.Expr, not bool) (Expr, error) {
	if sq, ok := right.(*sqlparser.Subquery); ok {
		return c.compileInSubquery(left, sq, not)
	}
	list, ok := right.(sqlparser.ValTuple)
	if !ok {
		return nil, NewSQLError(ErNotSupportedYet, "This version of bxdb doesn't yet support '%s'", exprText(right))
	}
	if n := tupleArity(left); n > 1 {
		// (a, b) IN ((1, 2), (3, 4)): an OR of row equalities.
		var acc boolExpr
		for _, item := range list {
			x, _, err := c.compileRowComparison(cmpEQ, left, item)
			if err != nil {
				return nil, err
			}
			eq := asBool(x)
			if acc == nil {
				acc = eq
			} else {
				acc = &orExpr{l: acc, r: eq}
			}
		}
		if not {
			acc = &notExpr{x: acc}
		}
		return c.fold(acc), nil
	}
	x, err := c.compile(left)
	if err != nil {
		return nil, err
	}
	e := &inExpr{x: x, not: not}
	for _, item := range list {
		if tupleArity(item) != 1 {
			return nil, errOperandColumns(1)
		}
		ix, err := c.compile(item)
		if err != nil {
			return nil, err
		}
		if l, ok := ix.(*litExpr); ok {
			if l.v.K == KindNull {
				e.constNull = true
			} else {
				e.consts = append(e.consts, l)
			}
			continue
		}
		e.list = append(e.list, ix)
	}
	if len(e.list) >= 4 {
		e.argsOnly = true
		for _, x := range e.list {
			if depsOf(x)&^depArgs != 0 {
				e.argsOnly = false
				break
			}
		}
	}
	if len(e.consts) >= 4 {
		class := valueClass(e.consts[0].v.K)
		set := make(map[string]struct{}, len(e.consts))
		for _, l := range e.consts {
			if valueClass(l.v.K) != class || l.num.K != KindNull {
				set = nil
				break
			}
			set[GroupKey(l.v)] = struct{}{}
		}
		if set != nil {
			e.set, e.setClass = set, class
		}
	}
	return c.fold(e), nil
}

// --- BETWEEN, IS -------------------------------------------------------------

// betweenExpr is x [NOT] BETWEEN lo AND hi: (x >= lo AND x <= hi), so an
// empty range (lo > hi) is false.
type betweenExpr struct {
	x, lo, hi Expr
	not       bool
}

func (e *betweenExpr) evalTri(env *Env) (tri, error) {
	v, err := e.x.Eval(env)
	if err != nil {
		return triNull, err
	}
	lo, err := e.lo.Eval(env)
	if err != nil {
		return triNull, err
	}
	hi, err := e.hi.Eval(env)
	if err != nil {
		return triNull, err
	}
	a, b := compareTri(cmpGE, v, lo), compareTri(cmpLE, v, hi)
	r := triTrue
	switch {
	case a == triFalse || b == triFalse:
		r = triFalse
	case a == triNull || b == triNull:
		r = triNull
	}
	if e.not {
		return r.not(), nil
	}
	return r, nil
}
func (e *betweenExpr) Eval(env *Env) (Value, error) { t, err := e.evalTri(env); return t.value(), err }
func (e *betweenExpr) kids() []Expr                 { return []Expr{e.x, e.lo, e.hi} }

// compileBetween compiles [NOT] BETWEEN.
func (c *compiler) compileBetween(e *sqlparser.RangeCond) (Expr, error) {
	xs, err := c.compileList([]sqlparser.Expr{e.Left, e.From, e.To})
	if err != nil {
		return nil, err
	}
	return c.fold(&betweenExpr{x: xs[0], lo: xs[1], hi: xs[2], not: e.Operator == sqlparser.NotBetweenStr}), nil
}

// isExpr is IS [NOT] NULL/TRUE/FALSE; never NULL itself.
type isExpr struct {
	x    Expr
	what tri // triNull, triTrue or triFalse
	not  bool
}

func (e *isExpr) evalTri(env *Env) (tri, error) {
	v, err := e.x.Eval(env)
	if err != nil {
		return triFalse, err
	}
	return triBool((triOf(v) == e.what) != e.not), nil
}
func (e *isExpr) Eval(env *Env) (Value, error) { t, err := e.evalTri(env); return t.value(), err }
func (e *isExpr) kids() []Expr                 { return []Expr{e.x} }

// compileIs compiles IS [NOT] NULL/TRUE/FALSE.
func (c *compiler) compileIs(e *sqlparser.IsExpr) (Expr, error) {
	x, err := c.compile(e.Expr)
	if err != nil {
		return nil, err
	}
	n := &isExpr{x: x}
	switch e.Operator {
	case sqlparser.IsNullStr:
		n.what = triNull
	case sqlparser.IsNotNullStr:
		n.what, n.not = triNull, true
	case sqlparser.IsTrueStr:
		n.what = triTrue
	case sqlparser.IsNotTrueStr:
		n.what, n.not = triTrue, true
	case sqlparser.IsFalseStr:
		n.what = triFalse
	case sqlparser.IsNotFalseStr:
		n.what, n.not = triFalse, true
	default:
		return nil, syntaxError(e.Operator)
	}
	return c.fold(n), nil
}

// --- Arithmetic --------------------------------------------------------------

// arithExpr is a binary arithmetic operator.
type arithExpr struct {
	op   ArithOp
	l, r Expr
	src  sqlparser.Expr // printed only for error 1690: printing every node of a long a+b+c+... chain up front is quadratic
	// unsigned is set when MySQL types the result BIGINT UNSIGNED (see
	// compiler.unsignedInt): an integer result below zero is error 1690.
	unsigned bool
}

// text is the operation as error 1690 names it.
func (e *arithExpr) text() string {
	if e.src == nil {
		return "?"
	}
	return "(" + exprText(e.src) + ")"
}

// Exact intermediate results. MySQL computes a DECIMAL quotient to more
// digits than it shows (whole nine-digit words: 1/3 is 0.333333333 inside)
// and rounds an expression's value to its display scale (the dividend's
// scale + 4 for '/', the sum for '*', the larger for '+' and '-') only
// where the value leaves arithmetic: 1/3*3 is 1.0000, not 0.9999, and
// price/qty*qty gives the price back. evalExact returns an arithmetic
// node's unrounded value with its display scale (-1: not a DECIMAL, or
// none to apply); Eval rounds. Operands that are arithmetic nodes (or
// folded ones, litExpr.exact) are read exactly, as are the arguments of
// ROUND, TRUNCATE, FLOOR, CEIL and CAST AS DECIMAL (fExactArgs).

// exactEvaler is an expression with an unrounded value.
type exactEvaler interface {
	evalExact(env *Env) (Value, int, error)
}

// evalExactOperand evaluates x, unrounded when it is arithmetic, and
// returns its display scale: an arithmetic node's, else a DECIMAL's own
// scale, 0 for an integer and -1 for anything else.
func evalExactOperand(env *Env, x Expr) (Value, int, error) {
	switch t := x.(type) {
	case exactEvaler:
		return t.evalExact(env)
	case *litExpr:
		if t.exact.K != KindNull {
			return t.exact, t.disp, nil
		}
	}
	v, err := x.Eval(env)
	return v, valueScale(v), err
}

// valueScale is the display scale of a plain value: a DECIMAL's digits
// after the point, 0 for an integer, -1 otherwise.
func valueScale(v Value) int {
	switch v.K {
	case KindInt, KindUint:
		return 0
	case KindDecimal:
		if i := strings.IndexByte(v.S, '.'); i >= 0 {
			return len(v.S) - i - 1
		}
		return 0
	}
	return -1
}

// roundDisplay rounds a DECIMAL v to disp digits when it has more.
func roundDisplay(v Value, disp int) Value {
	if v.K != KindDecimal || disp < 0 || valueScale(v) <= disp {
		return v
	}
	d, err := ParseDecimal(v.S)
	if err != nil {
		return v
	}
	return DecimalValue(d.Round(disp))
}

func (e *arithExpr) Eval(env *Env) (Value, error) {
	v, disp, err := e.evalExact(env)
	if err != nil {
		return Null, err
	}
	return roundDisplay(v, disp), nil
}

func (e *arithExpr) evalExact(env *Env) (Value, int, error) {
	a, da, err := evalExactOperand(env, e.l)
	if err != nil {
		return Null, -1, err
	}
	b, db, err := evalExactOperand(env, e.r)
	if err != nil {
		return Null, -1, err
	}
	if a.K == KindInt && b.K == KindInt && e.op != OpDiv {
		v, err := e.evalInts(env, a, b)
		if err == nil && v.K == KindInt && v.I < 0 && e.unsigned {
			err = outOfRange(errUnsignedRange, e.text())
		}
		return v, -1, err
	}
	v, disp, err := arithExact(e.op, a, b, da, db)
	if err == nil && v.K == KindInt && v.I < 0 && e.op != OpMod && (e.unsigned || a.K == KindUint || b.K == KindUint) {
		err = errUnsignedRange // a KindUint value is unsigned whatever its source
	}
	if err != nil {
		return Null, -1, outOfRange(err, e.text())
	}
	if e.op == OpDiv || e.op == OpIntDiv || e.op == OpMod {
		return v, disp, divZero(env, v, a, b)
	}
	return v, disp, nil
}

// evalInts is evalExact of two integers (not '/').
func (e *arithExpr) evalInts(env *Env, a, b Value) (Value, error) {
	var r int64
	ok := true
	switch e.op {
	case OpAdd:
		r, ok = addInt64(a.I, b.I)
	case OpSub:
		r, ok = subInt64(a.I, b.I)
	case OpMul:
		r, ok = mulInt64(a.I, b.I)
	default:
		v, err := arithInt(e.op, a.I, b.I)
		if err != nil {
			return Null, outOfRange(err, e.text())
		}
		return v, divZero(env, v, a, b)
	}
	if !ok {
		return Null, outOfRange(errBigintRange, e.text())
	}
	return Value{K: KindInt, I: r}, nil
}

// divZero returns error 1365 when env asks for it (Env.divZeroErr) and
// v, the result of dividing a by b, is NULL though neither operand is:
// the divisor was zero. Otherwise that is warning 1365.
func divZero(env *Env, v, a, b Value) error {
	if v.K == KindNull && a.K != KindNull && b.K != KindNull {
		if env.divZeroErr {
			return NewSQLError(ErDivisionByZero, "Division by 0")
		}
		env.sess.warnf(ErDivisionByZero, "Division by 0") // a warning where it is NULL
	}
	return nil
}
func (e *arithExpr) kids() []Expr { return []Expr{e.l, e.r} }

// negExpr is unary minus.
type negExpr struct {
	x   Expr
	src sqlparser.Expr // the operand, printed only for error 1690
}

// text is the negation as error 1690 names it.
func (e *negExpr) text() string {
	text := exprText(e.src)
	if _, paren := e.src.(*sqlparser.ParenExpr); !paren {
		text = "(" + text + ")"
	}
	return "-" + text
}

func (e *negExpr) Eval(env *Env) (Value, error) {
	v, disp, err := e.evalExact(env)
	if err != nil {
		return Null, err
	}
	return roundDisplay(v, disp), nil
}

func (e *negExpr) evalExact(env *Env) (Value, int, error) {
	v, disp, err := evalExactOperand(env, e.x)
	if err != nil {
		return Null, -1, err
	}
	r, err := negate(v)
	if err != nil {
		return Null, -1, outOfRange(err, e.text())
	}
	return r, disp, nil
}
func (e *negExpr) kids() []Expr { return []Expr{e.x} }

// bitExpr is a bitwise binary operator.
type bitExpr struct {
	op   BitOp
	l, r Expr
}

func (e *bitExpr) Eval(env *Env) (Value, error) {
	a, err := e.l.Eval(env)
	if err != nil {
		return Null, err
	}
	b, err := e.r.Eval(env)
	if err != nil {
		return Null, err
	}
	return Bitwise(e.op, a, b), nil
}
func (e *bitExpr) kids() []Expr { return []Expr{e.l, e.r} }

// unaryFunc applies a function of one value (~, BINARY, CAST, ...).
type unaryFunc struct {
	x Expr
	f func(Value) Value
}

func (e *unaryFunc) Eval(env *Env) (Value, error) {
	v, err := e.x.Eval(env)
	if err != nil {
		return Null, err
	}
	return e.f(v), nil
}
func (e *unaryFunc) kids() []Expr { return []Expr{e.x} }

// toBytes converts to a binary string (BINARY x, COLLATE x_bin).
func toBytes(v Value) Value {
	switch v.K {
	case KindNull, KindBytes:
		return v
	}
	return Value{K: KindBytes, S: Format(v)}
}

// compileBinary compiles arithmetic, bitwise and JSON operators.
func (c *compiler) compileBinary(e *sqlparser.BinaryExpr) (Expr, error) {
	if iv, ok := e.Right.(*sqlparser.IntervalExpr); ok && (e.Operator == sqlparser.PlusStr || e.Operator == sqlparser.MinusStr) {
		return c.compileDateArith(e.Left, iv, e.Operator == sqlparser.MinusStr)
	}
	if iv, ok := e.Left.(*sqlparser.IntervalExpr); ok && e.Operator == sqlparser.PlusStr {
		return c.compileDateArith(e.Right, iv, false)
	}
	switch e.Operator {
	case sqlparser.JSONExtractOp, sqlparser.JSONUnquoteExtractOp:
		// col->'$.path' is JSON_EXTRACT(col, '$.path'); ->> also unquotes.
		args, err := c.compileList([]sqlparser.Expr{e.Left, e.Right})
		if err != nil {
			return nil, err
		}
		def := builtins["json_extract"]
		if e.Operator == sqlparser.JSONUnquoteExtractOp {
			def = jsonUnquoteExtractDef
		}
		return c.fold(&callExpr{def: def, args: args}), nil
	}
	var aop ArithOp
	var bop BitOp
	isBit := false
	switch e.Operator {
	case sqlparser.PlusStr:
		aop = OpAdd
	case sqlparser.MinusStr:
		aop = OpSub
	case sqlparser.MultStr:
		aop = OpMul
	case sqlparser.DivStr:
		aop = OpDiv
	case sqlparser.IntDivStr:
		aop = OpIntDiv
	case sqlparser.ModStr:
		aop = OpMod
	case sqlparser.BitAndStr:
		bop, isBit = BitAnd, true
	case sqlparser.BitOrStr:
		bop, isBit = BitOr, true
	case sqlparser.BitXorStr:
		bop, isBit = BitXor, true
	case sqlparser.ShiftLeftStr:
		bop, isBit = BitShl, true
	case sqlparser.ShiftRightStr:
		bop, isBit = BitShr, true
	default:
		return nil, NewSQLError(ErNotSupportedYet, "This version of bxdb doesn't yet support 'the %s operator'", e.Operator)
	}
	l, err := c.compile(e.Left)
	if err != nil {
		return nil, err
	}
	r, err := c.compile(e.Right)
	if err != nil {
		return nil, err
	}
	l, r = numericOperand(c.jsonNumeric(e.Left, l)), numericOperand(c.jsonNumeric(e.Right, r))
	if isBit {
		return c.fold(&bitExpr{op: bop, l: l, r: r}), nil
	}
	unsigned := aop != OpDiv && aop != OpMod && (c.unsignedInt(e.Left, l) || c.unsignedInt(e.Right, r))
	x := c.fold(&arithExpr{op: aop, l: l, r: r, src: e, unsigned: unsigned})
	if lit, ok := x.(*litExpr); ok {
		lit.unsigned = unsigned
	}
	return x, nil
}

// unsignedInt reports whether MySQL types x, compiled from raw, as an
// unsigned integer: CAST AS UNSIGNED, an unsigned integer column, an
// integer literal past BIGINT, or arithmetic typed so. An operation on
// integers with such an operand is BIGINT UNSIGNED (but for MOD, which
// takes the dividend's sign).
func (c *compiler) unsignedInt(raw sqlparser.Expr, x Expr) bool {
	if _, k, ok := staticExprType(raw); ok && k == KindUint {
		return true
	}
	switch x := x.(type) {
	case *litExpr:
		return x.unsigned || x.v.K == KindUint
	case *arithExpr:
		return x.unsigned
	case *colExpr:
		t, ok := c.slotType(x.idx)
		return ok && t.Unsigned && t.Kind() == KindInt
	}
	return false
}

// compileUnary compiles -, +, ~, !, BINARY.
func (c *compiler) compileUnary(e *sqlparser.UnaryExpr) (Expr, error) {
	x, err := c.compile(e.Expr)
	if err != nil {
		return nil, err
	}
	switch strings.TrimSpace(e.Operator) {
	case sqlparser.UMinusStr:
		return c.fold(&negExpr{x: numericOperand(c.jsonNumeric(e.Expr, x)), src: e.Expr}), nil
	case sqlparser.UPlusStr:
		return x, nil
	case sqlparser.TildaStr:
		return c.fold(&unaryFunc{x: numericOperand(x), f: func(v Value) Value {
			if v.K == KindNull {
				return Null
			}
			return UintValue(^toUint64Bits(v))
		}}), nil
	case sqlparser.BangStr:
		return c.fold(&notExpr{x: asBool(x)}), nil
	case "binary", "_binary":
		return c.fold(&unaryFunc{x: x, f: toBytes}), nil
	}
	return nil, syntaxError(e.Operator)
}

// compileCollate compiles x COLLATE name: the value keeps its string
// type and carries the collation's class (explicit, so it wins over a
// column's); COLLATE binary makes a binary string.
func (c *compiler) compileCollate(e *sqlparser.CollateExpr) (Expr, error) {
	x, err := c.compile(e.Expr)
	if err != nil {
		return nil, err
	}
	cs, ok := normalizeCollation(e.Charset)
	if !ok {
		return nil, errUnknownCollation(e.Charset)
	}
	if cs == "binary" {
		return c.fold(&unaryFunc{x: x, f: toBytes}), nil
	}
	coll := collationClass(cs) | collExplicit // wins over a column's collation
	return c.fold(&unaryFunc{x: x, f: func(v Value) Value { return withCollation(v, coll) }}), nil
}
