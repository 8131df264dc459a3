package sqlfront

// The result type of CASE, IF, IFNULL, COALESCE, GREATEST and LEAST is, in
// MySQL, the aggregate of their operands' types, whichever operand a row
// picks: COALESCE(amount, 0) over a DECIMAL(10,2) column is 0.00 when the
// amount is NULL, IFNULL(int_column, 'none') is the string '7'. The
// compiler knows the operands' types when they are columns, literals,
// aggregates or arithmetic on those (staticKind); unifyExpr converts the
// picked value to the aggregate type. Operands of unknown type, and mixes
// of DOUBLE with exact numbers, leave the values as they are.

// staticKindNames are the result column types of the kinds staticKind
// reports.
var staticKindNames = map[Kind]string{KindInt: "BIGINT", KindFloat: "DOUBLE", KindDecimal: "DECIMAL", KindString: "VARCHAR"}

// unifyExpr converts the values of in to kind k: KindDecimal (at least
// scale digits after the point) or KindString.
// (conv false: the operands are all of kind k already, and the node only
// tells the result column's type).
type unifyExpr struct {
	in    Expr
	k     Kind
	scale int
	conv  bool
}

func (e *unifyExpr) Eval(env *Env) (Value, error) {
	v, err := e.in.Eval(env)
	if err != nil || !e.conv || v.K == KindNull || (v.K == e.k && e.k != KindDecimal) {
		return v, err
	}
	switch e.k {
	case KindDecimal:
		d := ToDecimal(v)
		if v.K == KindDecimal && d.Scale() >= e.scale {
			return v, nil
		}
		return DecimalValue(d.Rescale(max(e.scale, d.Scale()))), nil
	case KindString:
		return StringValue(Format(v)), nil
	}
	return v, nil
}

func (e *unifyExpr) kids() []Expr { return []Expr{e.in} }

// unify wraps x, whose value is one of operands, in the conversion to
// the operands' aggregate type when the compiler knows it and it differs
// from some operand's, or in a node that only carries the type (for the
// result column) when the operands share it.
func (c *compiler) unify(x Expr, operands []Expr) Expr {
	k, scale, conv, ok := c.aggregateKind(operands)
	if !ok {
		return x
	}
	return c.fold(&unifyExpr{in: x, k: k, scale: scale, conv: conv})
}

// aggregateKind returns the type MySQL gives a value that is one of
// operands, when the operands' kinds are known: KindString for strings
// mixed with other kinds, KindDecimal (and the largest scale) for DECIMAL
// mixed with integers or other scales (conv is set for these), else the
// one kind of all operands (BIGINT, DOUBLE, DECIMAL or a string). ok is
// false when the compiler cannot tell, or for mixes it leaves as they are.
func (c *compiler) aggregateKind(operands []Expr) (k Kind, scale int, conv, ok bool) {
	var kinds [KindTime + 1]bool
	scale, mixedScale := -1, false
	n := 0
	for _, o := range operands {
		k, s, ok := c.staticKind(o)
		if !ok {
			return 0, 0, false, false
		}
		switch k {
		case KindNull:
			continue
		case KindInt, KindUint, KindDecimal, KindFloat, KindString, KindTime:
		default:
			return 0, 0, false, false
		}
		if !kinds[k] {
			n++
		}
		kinds[k] = true
		if k == KindInt || k == KindUint {
			s = 0
		}
		if k != KindString && k != KindTime && k != KindFloat {
			if scale >= 0 && s != scale {
				mixedScale = true
			}
			scale = max(scale, s)
		}
	}
	switch {
	case kinds[KindString] && n > 1:
		return KindString, 0, true, true
	case kinds[KindDecimal] && !kinds[KindFloat] && !kinds[KindTime] &&
		(kinds[KindInt] || kinds[KindUint] || mixedScale):
		return KindDecimal, scale, true, true
	case n == 1 && !kinds[KindUint] && !kinds[KindTime]:
		for k := range kinds {
			if kinds[k] {
				return Kind(k), max(scale, 0), false, true
			}
		}
	}
	return 0, 0, false, false
}

// extremumArgs prepares GREATEST's and LEAST's operands: of strings mixed
// with numbers or dates, MySQL compares the strings, so each operand
// becomes one; the result of numbers is DECIMAL if one is (unify).
func (c *compiler) extremumArgs(args []Expr) []Expr {
	if k, _, conv, ok := c.aggregateKind(args); ok && conv && k == KindString {
		out := make([]Expr, len(args))
		for i, a := range args {
			out[i] = c.fold(&unifyExpr{in: a, k: KindString, conv: true})
		}
		return out
	}
	return args
}

// staticKind returns the kind of e's values (KindNull for the NULL
// literal) and, for KindDecimal, their scale, when the compiler can tell
// without running e; ok is false otherwise.
func (c *compiler) staticKind(e Expr) (k Kind, scale int, ok bool) {
	switch x := e.(type) {
	case *litExpr:
		switch x.v.K {
		case KindDecimal:
			d, err := ParseDecimal(x.v.S)
			if err != nil {
				return 0, 0, false
			}
			return KindDecimal, d.Scale(), true
		case KindNull, KindInt, KindUint, KindFloat, KindString:
			return x.v.K, 0, true
		}
	case *colExpr:
		if x.agg {
			return c.aggKind(x.idx)
		}
		t, ok := c.slotType(x.idx)
		if !ok {
			return 0, 0, false
		}
		switch t.Base {
		case TypeBit, TypeYear, TypeEnum, TypeSet, TypeJSON:
			return 0, 0, false // values and their text differ from the kind's
		}
		switch k := t.Kind(); k {
		case KindDecimal:
			return k, t.Scale, true
		case KindInt, KindFloat, KindString:
			return k, 0, true
		case KindTime:
			return k, 0, true
		}
	case *unifyExpr:
		return x.k, x.scale, true
	case *arithExpr:
		return c.arithKind(x)
	}
	return 0, 0, false
}

// arithKind is staticKind of l op r: integers stay integers (but for /),
// an exact operation with a DECIMAL operand is DECIMAL (scales add up for
// *, / adds div_precision_increment's 4), a DOUBLE operand makes DOUBLE.
func (c *compiler) arithKind(x *arithExpr) (Kind, int, bool) {
	lk, ls, ok := c.staticKind(x.l)
	if !ok {
		return 0, 0, false
	}
	rk, rs, ok := c.staticKind(x.r)
	if !ok {
		return 0, 0, false
	}
	if lk == KindNull || rk == KindNull {
		return KindNull, 0, true
	}
	exact := func(k Kind) bool { return k == KindInt || k == KindUint || k == KindDecimal }
	switch {
	case lk == KindFloat && (rk == KindFloat || exact(rk)), rk == KindFloat && exact(lk):
		return KindFloat, 0, true
	case !exact(lk) || !exact(rk):
		return 0, 0, false
	}
	if lk != KindDecimal {
		ls = 0
	}
	if rk != KindDecimal {
		rs = 0
	}
	switch x.op {
	case OpDiv:
		return KindDecimal, ls + 4, true
	case OpIntDiv:
		return KindInt, 0, true
	}
	if lk != KindDecimal && rk != KindDecimal {
		if lk != rk || x.unsigned {
			return 0, 0, false // BIGINT UNSIGNED mixes: leave them be
		}
		return lk, 0, true
	}
	if x.op == OpMul {
		return KindDecimal, ls + rs, true
	}
	return KindDecimal, max(ls, rs), true
}

// aggKind is staticKind of an aggregate's slot (aggList.resultKind).
func (c *compiler) aggKind(slot int) (Kind, int, bool) {
	var fs *fromScope
	switch s := baseScope(c.sc).(type) {
	case *postScope:
		fs = s.fromScope
	case *fromScope:
		fs = s
	}
	if fs == nil || fs.aggs == nil {
		return 0, 0, false
	}
	return fs.aggs.resultKind(slot - fs.aggs.base)
}

// resultKind is the kind (and DECIMAL scale) of aggregate i's values:
// COUNT is BIGINT, GROUP_CONCAT a string, MIN and MAX their argument's
// type, SUM of integers DECIMAL and AVG DECIMAL with 4 more digits (DOUBLE
// for DOUBLE arguments); ok is false when the argument's kind is unknown.
func (a *aggList) resultKind(i int) (Kind, int, bool) {
	if i < 0 || i >= len(a.specs) {
		return 0, 0, false
	}
	switch a.specs[i].Func {
	case AggCount, AggCountStar:
		return KindInt, 0, true
	case AggGroupConcat:
		return KindString, 0, true
	}
	if len(a.args[i]) != 1 {
		return 0, 0, false
	}
	k, s, ok := (&compiler{sc: a.from}).staticKind(a.args[i][0])
	if !ok {
		return 0, 0, false
	}
	switch a.specs[i].Func {
	case AggMin, AggMax:
		return k, s, true
	case AggSum, AggAvg:
		plus := 0
		if a.specs[i].Func == AggAvg {
			plus = 4
		}
		switch k {
		case KindInt, KindUint:
			return KindDecimal, plus, true
		case KindDecimal:
			return KindDecimal, s + plus, true
		case KindFloat:
			return KindFloat, 0, true
		}
	}
	return 0, 0, false
}
