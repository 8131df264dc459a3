package sqlfront

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xwb1989/sqlparser"
)

// This file holds aggregate functions. The engine computes aggregates (the
// Scope gives each call a row slot): ParseAggregate describes a call, and
// an Aggregator accumulates one group with MySQL's semantics:
//
//	NULL arguments are ignored (COUNT(*) counts rows);
//	an empty group gives NULL, except COUNT (0);
//	SUM of integers or decimals is an exact DECIMAL ("6", as MySQL prints
//	it), of floats or strings a DOUBLE;
//	AVG of integers or decimals is a DECIMAL with 4 more digits of scale
//	(AVG(1, 2) is 1.5000), of floats a DOUBLE;
//	MIN and MAX compare with Compare; DISTINCT compares with GroupKey;
//	GROUP_CONCAT joins with ',' (or SEPARATOR), truncated to
//	group_concat_max_len (1024 bytes), in ORDER BY order if given;
//	BIT_AND/OR/XOR are BIGINT UNSIGNED (BIT_AND of nothing is all ones);
//	STD/VARIANCE and friends are DOUBLEs (population unless _SAMP).

// AggFunc is an aggregate function.
type AggFunc uint8

// The aggregate functions.
const (
	AggCount AggFunc = iota
	AggCountStar
	AggSum
	AggAvg
	AggMin
	AggMax
	AggGroupConcat
	AggBitAnd
	AggBitOr
	AggBitXor
	AggStddevPop
	AggStddevSamp
	AggVarPop
	AggVarSamp
	AggJSONArray  // JSON_ARRAYAGG
	AggJSONObject // JSON_OBJECTAGG
)

// aggNames maps lower-case names to aggregate functions.
var aggNames = map[string]AggFunc{
	"count": AggCount, "sum": AggSum, "avg": AggAvg, "min": AggMin, "max": AggMax,
	"bit_and": AggBitAnd, "bit_or": AggBitOr, "bit_xor": AggBitXor,
	"std": AggStddevPop, "stddev": AggStddevPop, "stddev_pop": AggStddevPop,
	"stddev_samp": AggStddevSamp, "variance": AggVarPop, "var_pop": AggVarPop,
	"var_samp": AggVarSamp, "json_arrayagg": AggJSONArray, "json_objectagg": AggJSONObject,
}

// GroupConcatMaxLen is MySQL's default group_concat_max_len.
const GroupConcatMaxLen = 1024

// AggSpec describes an aggregate call.
type AggSpec struct {
	Func     AggFunc
	Name     string // lower-case function name, for messages and column names
	Distinct bool
	// Args are the argument expressions, for the engine to compile in the
	// scope of the input rows; empty for COUNT(*).
	Args []sqlparser.Expr
	// OrderBy is GROUP_CONCAT's ORDER BY; the engine evaluates its
	// expressions per row and passes them to AddRow as sort keys.
	OrderBy sqlparser.OrderBy
	// Separator is GROUP_CONCAT's separator (default ",").
	Separator string
	// MaxLen is GROUP_CONCAT's result limit in bytes (default
	// GroupConcatMaxLen).
	MaxLen int
	// jsonKinds are the JSON aggregates' argument kinds, when the engine
	// knows them (JSON-typed arguments are not inserted as strings).
	jsonKinds []jsonKind
	// jsonArgs marks the JSON-typed arguments of the other aggregates
	// (nil when none): DISTINCT, MIN and MAX compare them by their sort
	// keys (json_order.go), in MySQL's order of JSON values.
	jsonArgs []bool
}

// jsonArg converts the JSON aggregates' argument i to the JSON value it
// inserts.
func (s *AggSpec) jsonArg(i int, v Value) any {
	if i < len(s.jsonKinds) {
		return jsonArgValue(v, s.jsonKinds[i])
	}
	return jsonOfValue(v)
}

// IsAggregate reports whether e is an aggregate call.
func IsAggregate(e sqlparser.Expr) bool {
	switch e := e.(type) {
	case *sqlparser.FuncExpr:
		_, ok := aggNames[e.Name.Lowered()]
		return ok && e.Qualifier.IsEmpty()
	case *sqlparser.GroupConcatExpr:
		return true
	}
	return false
}

// ContainsAggregate reports whether e contains an aggregate call outside
// subqueries (so that the query is an aggregate query).
func ContainsAggregate(e sqlparser.SQLNode) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.Subquery:
			return false, nil
		case sqlparser.Expr:
			if IsAggregate(n) {
				found = true
				return false, nil
			}
		}
		return !found, nil
	}, e)
	return found
}

// ParseAggregate describes an aggregate call (see IsAggregate).
func ParseAggregate(e sqlparser.Expr) (AggSpec, error) {
	var exprs sqlparser.SelectExprs
	var spec AggSpec
	switch e := e.(type) {
	case *sqlparser.FuncExpr:
		f, ok := aggNames[e.Name.Lowered()]
		if !ok || !e.Qualifier.IsEmpty() {
			return spec, ErrUnknownFunction(e.Name.String())
		}
		spec = AggSpec{Func: f, Name: e.Name.Lowered(), Distinct: e.Distinct}
		exprs = e.Exprs
		if f == AggCount && len(exprs) == 1 {
			if _, star := exprs[0].(*sqlparser.StarExpr); star {
				if e.Distinct {
					return spec, syntaxError("*)")
				}
				spec.Func = AggCountStar
				return spec, nil
			}
		}
		switch {
		case f == AggJSONObject:
			if len(exprs) != 2 || e.Distinct {
				return spec, syntaxError(exprText(e))
			}
		case f == AggJSONArray && e.Distinct:
			return spec, syntaxError(exprText(e))
		case len(exprs) != 1 && !(f == AggCount && e.Distinct && len(exprs) > 1):
			return spec, syntaxError(exprText(e))
		}
	case *sqlparser.GroupConcatExpr:
		spec = AggSpec{Func: AggGroupConcat, Name: "group_concat", Distinct: e.Distinct != "",
			OrderBy: e.OrderBy, Separator: ",", MaxLen: GroupConcatMaxLen}
		if e.Separator != "" {
			s := strings.TrimPrefix(e.Separator, " separator '")
			spec.Separator = strings.TrimSuffix(s, "'")
		}
		exprs = e.Exprs
		if len(exprs) == 0 {
			return spec, syntaxError(exprText(e))
		}
	default:
		return spec, ErrInvalidGroupFunc()
	}
	for _, se := range exprs {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			return spec, syntaxError(exprText(e))
		}
		if ContainsAggregate(ae.Expr) {
			return spec, ErrInvalidGroupFunc()
		}
		spec.Args = append(spec.Args, ae.Expr)
	}
	return spec, nil
}

// Aggregator accumulates one group of an aggregate. It is not safe for
// concurrent use.
type Aggregator struct {
	spec AggSpec
	desc []bool // GROUP_CONCAT ORDER BY directions

	rows int64               // rows counted (COUNT) or accumulated
	seen map[string]struct{} // DISTINCT keys

	// SUM and AVG: the accumulator class and value.
	sumClass numClass // ncInt, ncDecimal or ncFloat; valid when rows > 0
	sumInt   int64
	sumDec   Decimal
	sumFloat float64

	best    Value  // MIN, MAX
	bestKey string // MIN, MAX of a JSON value: best's sort key
	bits    uint64 // BIT_*

	mean, m2 float64 // STD, VARIANCE (Welford)

	// disp is the largest display scale of the unrounded DECIMAL values
	// added to SUM or AVG (noteDisplay); -1 when none had one.
	disp int

	parts   []concatPart // GROUP_CONCAT
	concatB bool         // GROUP_CONCAT saw a binary string

	jarr []any          // JSON_ARRAYAGG
	jobj map[string]any // JSON_OBJECTAGG
}

// concatPart is one GROUP_CONCAT row.
type concatPart struct {
	s    string
	keys []Value
}

// NewAggregator returns an empty accumulator for spec.
func NewAggregator(spec AggSpec) *Aggregator {
	a := &Aggregator{spec: spec}
	if spec.Separator == "" && spec.Func == AggGroupConcat && spec.MaxLen == 0 {
		a.spec.Separator = ","
	}
	if a.spec.MaxLen == 0 {
		a.spec.MaxLen = GroupConcatMaxLen
	}
	for _, o := range spec.OrderBy {
		a.desc = append(a.desc, o.Direction == sqlparser.DescScr)
	}
	a.Reset()
	return a
}

// Reset empties the accumulator for the next group.
func (a *Aggregator) Reset() {
	a.rows, a.sumInt, a.sumFloat, a.mean, a.m2 = 0, 0, 0, 0, 0
	a.sumDec, a.best, a.parts, a.concatB = Decimal{}, Null, a.parts[:0], false
	a.jarr, a.jobj = nil, nil
	a.sumClass = ncInt
	a.disp = -1
	a.bits = 0
	if a.spec.Func == AggBitAnd {
		a.bits = math.MaxUint64
	}
	if a.spec.Distinct {
		a.seen = make(map[string]struct{})
	}
}

// Add adds one row with one argument value v (for COUNT(*), v is
// ignored).
func (a *Aggregator) Add(v Value) error {
	if a.spec.Func == AggCountStar {
		a.rows++
		return nil
	}
	var one [1]Value
	one[0] = v
	return a.AddRow(one[:], nil)
}

// AddRow adds one row: args are the argument values (several for COUNT(
// DISTINCT a, b) and GROUP_CONCAT(a, b)), orderKeys GROUP_CONCAT's ORDER
// BY values. Neither slice is retained.
func (a *Aggregator) AddRow(args, orderKeys []Value) error {
	switch a.spec.Func {
	case AggCountStar:
		a.rows++
		return nil
	case AggJSONArray: // NULLs are JSON nulls
		a.rows++
		a.jarr = append(a.jarr, a.spec.jsonArg(0, args[0]))
		return nil
	case AggJSONObject:
		if args[0].K == KindNull {
			return NewSQLError(3158, "JSON documents may not contain NULL member names.")
		}
		if a.jobj == nil {
			a.jobj = map[string]any{}
		}
		a.rows++
		k, _ := strOf(args[0])
		a.jobj[k] = a.spec.jsonArg(1, args[1]) // the last value of a key wins
		return nil
	}
	for _, v := range args {
		if v.K == KindNull {
			return nil
		}
	}
	if len(args) == 0 {
		return nil
	}
	if a.seen != nil {
		var buf [64]byte
		k := buf[:0]
		for i, v := range args {
			if a.spec.jsonArgs != nil && a.spec.jsonArgs[i] {
				v = jsonSortKey(v)
			}
			k = AppendGroupKey(k, v)
		}
		if _, dup := a.seen[string(k)]; dup {
			return nil
		}
		a.seen[string(k)] = struct{}{}
	}
	v := args[0]
	a.rows++
	switch a.spec.Func {
	case AggSum, AggAvg:
		a.addSum(v)
	case AggMin:
		if a.spec.jsonArgs != nil {
			a.addJSONBest(v)
		} else if a.rows == 1 || CompareForSort(v, a.best) < 0 {
			a.best = v
		}
	case AggMax:
		if a.spec.jsonArgs != nil {
			a.addJSONBest(v)
		} else if a.rows == 1 || CompareForSort(v, a.best) > 0 {
			a.best = v
		}
	case AggBitAnd:
		a.bits &= toUint64Bits(v)
	case AggBitOr:
		a.bits |= toUint64Bits(v)
	case AggBitXor:
		a.bits ^= toUint64Bits(v)
	case AggStddevPop, AggStddevSamp, AggVarPop, AggVarSamp:
		x := ToFloat64(v)
		d := x - a.mean
		a.mean += d / float64(a.rows)
		a.m2 += d * (x - a.mean)
	case AggGroupConcat:
		var b []byte
		for _, w := range args {
			a.concatB = a.concatB || w.K == KindBytes
			b = AppendFormat(b, w)
		}
		p := concatPart{s: string(b)}
		if len(a.desc) > 0 {
			p.keys = slices.Clone(orderKeys)
		}
		a.parts = append(a.parts, p)
	}
	return nil
}

// addJSONBest adds the JSON value v to MIN or MAX, comparing sort keys;
// of equal values (1 and 1.0) the first stays.
func (a *Aggregator) addJSONBest(v Value) {
	k := jsonSortKey(v).S
	if c := strings.Compare(k, a.bestKey); a.rows == 1 || a.spec.Func == AggMin && c < 0 || a.spec.Func == AggMax && c > 0 {
		a.best, a.bestKey = v, k
	}
}

// addSum adds v to the SUM/AVG accumulator, promoting int → decimal →
// float as needed.
func (a *Aggregator) addSum(v Value) {
	o := toNumOperand(v)
	switch {
	case o.c == ncFloat || a.sumClass == ncFloat:
		if a.sumClass != ncFloat {
			a.sumFloat = a.sumAsDecimal().Float64()
			a.sumClass = ncFloat
		}
		a.sumFloat += o.float()
	case o.c == ncInt && a.sumClass == ncInt:
		if s, ok := addInt64(a.sumInt, o.i); ok {
			a.sumInt = s
			return
		}
		a.sumDec, a.sumClass = DecimalFromInt(a.sumInt).Add(DecimalFromInt(o.i)), ncDecimal
	default:
		a.sumDec = a.sumAsDecimal().Add(o.decimal())
		a.sumClass = ncDecimal
	}
}

// noteDisplay records that v, about to be added, is an unrounded DECIMAL
// shown with disp digits (see evalExact): the result is rounded to the
// largest such scale.
func (a *Aggregator) noteDisplay(v Value, disp int) {
	if v.K == KindDecimal && disp >= 0 && valueScale(v) > disp {
		a.disp = max(a.disp, disp)
	}
}

// sumAsDecimal returns the exact accumulator.
func (a *Aggregator) sumAsDecimal() Decimal {
	if a.sumClass == ncInt {
		return DecimalFromInt(a.sumInt)
	}
	return a.sumDec
}

// Result returns the aggregate of the rows added since the last Reset.
func (a *Aggregator) Result() Value {
	switch a.spec.Func {
	case AggCount, AggCountStar:
		return IntValue(a.rows)
	case AggBitAnd, AggBitOr, AggBitXor:
		return UintValue(a.bits)
	}
	if a.rows == 0 {
		return Null
	}
	switch a.spec.Func {
	case AggSum:
		if a.sumClass == ncFloat {
			return FloatValue(a.sumFloat)
		}
		return roundDisplay(DecimalValue(a.sumAsDecimal()), a.disp)
	case AggAvg:
		if a.sumClass == ncFloat {
			return FloatValue(a.sumFloat / float64(a.rows))
		}
		s := a.sumAsDecimal()
		q, _ := s.Div(DecimalFromInt(a.rows), min(s.Scale()+divPrecIncrement, MaxDecimalScale))
		if a.disp >= 0 {
			return roundDisplay(DecimalValue(q), min(a.disp+divPrecIncrement, MaxDecimalScale))
		}
		return DecimalValue(q)
	case AggMin, AggMax:
		return a.best
	case AggStddevPop, AggStddevSamp, AggVarPop, AggVarSamp:
		n := float64(a.rows)
		if a.spec.Func == AggStddevSamp || a.spec.Func == AggVarSamp {
			if a.rows < 2 {
				return Null
			}
			n--
		}
		r := a.m2 / n
		if a.spec.Func == AggStddevPop || a.spec.Func == AggStddevSamp {
			r = math.Sqrt(r)
		}
		return FloatValue(r)
	case AggGroupConcat:
		return a.concatResult()
	case AggJSONArray:
		return StringValue(jsonText(a.jarr))
	case AggJSONObject:
		return StringValue(jsonText(a.jobj))
	}
	return Null
}

// concatResult builds GROUP_CONCAT's result.
func (a *Aggregator) concatResult() Value {
	parts := a.parts
	if len(a.desc) > 0 {
		parts = slices.Clone(parts)
		slices.SortStableFunc(parts, func(x, y concatPart) int {
			for i := range a.desc {
				if i >= len(x.keys) || i >= len(y.keys) {
					break
				}
				c := CompareForSort(x.keys[i], y.keys[i])
				if a.desc[i] {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return 0
		})
	}
	var b []byte
	for i, p := range parts {
		if i > 0 {
			b = append(b, a.spec.Separator...)
		}
		b = append(b, p.s...)
		if len(b) > a.spec.MaxLen {
			break
		}
	}
	if len(b) > a.spec.MaxLen {
		n := a.spec.MaxLen
		if !a.concatB {
			for n > 0 && !utf8.RuneStart(b[n]) {
				n--
			}
		}
		b = b[:n]
	}
	return strResult(string(b), a.concatB)
}
