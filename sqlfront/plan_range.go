package sqlfront

import (
	"bytes"
	"math"
	"slices"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Range analysis: from a WHERE clause to sets of intervals over one
// column, and from those to key ranges over an index.
//
// For a column c, derive(where, c) returns the set of c's values that a
// row may have and still satisfy where (nil: any value). AND intersects,
// OR unites, comparisons with a constant give intervals. The set is a
// SUPERSET: the executor still evaluates the whole WHERE on every row,
// unless the set is marked exact (every conjunct was consumed exactly),
// which only the COUNT(*) shortcut relies on.
//
// Values are first converted into the column's domain (ivDomain), so that
// comparisons between bounds agree with the order of the key encoding: an
// INT column compared with 5.5 gets the bound 5 with the right
// inclusiveness, a string compared with a number gets no range at all
// (MySQL compares those as numbers, which the key order does not follow).

// bnd is one end of an interval; inf means unbounded on that side.
type bnd struct {
	v    Value
	incl bool
	inf  bool
}

// ival is an interval of non-NULL values.
type ival struct{ lo, hi bnd }

// ivset is a set of values of one column: disjoint intervals in
// ascending order, plus whether NULL belongs to it.
type ivset struct {
	ivs  []ival
	null bool
}

// fullSet is every non-NULL value and NULL.
func fullSet() *ivset {
	return &ivset{ivs: []ival{{lo: bnd{inf: true}, hi: bnd{inf: true}}}, null: true}
}

// notNullSet is every non-NULL value.
func notNullSet() *ivset { return &ivset{ivs: []ival{{lo: bnd{inf: true}, hi: bnd{inf: true}}}} }

// pointSet is {v}.
func pointSet(v Value) *ivset {
	return &ivset{ivs: []ival{{lo: bnd{v: v, incl: true}, hi: bnd{v: v, incl: true}}}}
}

// empty reports whether the set is empty.
func (s *ivset) empty() bool { return !s.null && len(s.ivs) == 0 }

// cmpv compares two non-NULL domain values.
func cmpv(a, b Value) int {
	c, _ := Compare(a, b)
	return c
}

// cmpLo orders lower bounds: -inf first; at equal values an inclusive
// bound comes first.
func cmpLo(a, b bnd) int {
	switch {
	case a.inf && b.inf:
		return 0
	case a.inf:
		return -1
	case b.inf:
		return 1
	}
	if c := cmpv(a.v, b.v); c != 0 {
		return c
	}
	switch {
	case a.incl == b.incl:
		return 0
	case a.incl:
		return -1
	}
	return 1
}

// cmpHi orders upper bounds: +inf last; at equal values an exclusive
// bound comes first.
func cmpHi(a, b bnd) int {
	switch {
	case a.inf && b.inf:
		return 0
	case a.inf:
		return 1
	case b.inf:
		return -1
	}
	if c := cmpv(a.v, b.v); c != 0 {
		return c
	}
	switch {
	case a.incl == b.incl:
		return 0
	case a.incl:
		return 1
	}
	return -1
}

// nonEmpty reports whether an interval holds a value.
func (iv ival) nonEmpty() bool {
	if iv.lo.inf || iv.hi.inf {
		return true
	}
	c := cmpv(iv.lo.v, iv.hi.v)
	return c < 0 || c == 0 && iv.lo.incl && iv.hi.incl
}

// isPoint reports whether an interval is a single value.
func (iv ival) isPoint() bool {
	return !iv.lo.inf && !iv.hi.inf && iv.lo.incl && iv.hi.incl && cmpv(iv.lo.v, iv.hi.v) == 0
}

// touches reports whether a (ending first) and b overlap or are adjacent
// so that their union is one interval.
func touches(aHi, bLo bnd) bool {
	if aHi.inf || bLo.inf {
		return true
	}
	c := cmpv(aHi.v, bLo.v)
	return c > 0 || c == 0 && (aHi.incl || bLo.incl)
}

// intersect returns a ∩ b.
func intersect(a, b *ivset) *ivset {
	out := &ivset{null: a.null && b.null}
	i, j := 0, 0
	for i < len(a.ivs) && j < len(b.ivs) {
		x, y := a.ivs[i], b.ivs[j]
		lo := x.lo
		if cmpLo(y.lo, lo) > 0 {
			lo = y.lo
		}
		hi := x.hi
		if cmpHi(y.hi, hi) < 0 {
			hi = y.hi
		}
		if iv := (ival{lo: lo, hi: hi}); iv.nonEmpty() {
			out.ivs = append(out.ivs, iv)
		}
		if cmpHi(x.hi, y.hi) < 0 {
			i++
		} else {
			j++
		}
	}
	return out
}

// union returns a ∪ b.
func union(a, b *ivset) *ivset {
	all := make([]ival, 0, len(a.ivs)+len(b.ivs))
	all = append(append(all, a.ivs...), b.ivs...)
	slices.SortFunc(all, func(x, y ival) int { return cmpLo(x.lo, y.lo) })
	out := &ivset{null: a.null || b.null}
	for _, iv := range all {
		if n := len(out.ivs); n > 0 && touches(out.ivs[n-1].hi, iv.lo) {
			if cmpHi(iv.hi, out.ivs[n-1].hi) > 0 {
				out.ivs[n-1].hi = iv.hi
			}
			continue
		}
		out.ivs = append(out.ivs, iv)
	}
	return out
}

// complementPoint returns every non-NULL value except v (for != / <>).
func complementPoint(v Value) *ivset {
	return &ivset{ivs: []ival{{lo: bnd{inf: true}, hi: bnd{v: v}}, {lo: bnd{v: v}, hi: bnd{inf: true}}}}
}

// ivDomain converts comparison constants into a column's domain.
type ivDomain struct {
	t ColumnType
}

// domainOK reports whether ranges over a column of type t are supported.
func domainOK(t ColumnType) bool {
	switch t.Kind() {
	case KindInt, KindFloat, KindDecimal, KindString, KindBytes:
		return t.Base != TypeEnum && t.Base != TypeSet // they sort by index (bit mask) in MySQL; no ranges
	case KindTime:
		return t.Base != TypeTime
	}
	return false
}

// conv converts v for a comparison `col op v`. It returns the converted
// value and how v relates to it: frac = 0 when exact, +1 when the true
// value lies just above the converted one (5.5 -> 5 for an INT column),
// -1 when the column value can never reach it from below. ok is false
// when v cannot bound the column (the comparison then gives no range).
// over is +1 / -1 when v lies above / below every value of the domain.
func (d ivDomain) conv(v Value) (out Value, frac int, over int, ok bool) {
	if d.t.Base == TypeJSON {
		// JSON values compare in MySQL's JSON order (json_order.go),
		// which the keys of their text do not follow.
		return Null, 0, 0, false
	}
	if v.K == KindBytes && v.I == hexLitMark && isNumericKind(d.t.Kind()) {
		v = UintValue(v.U) // b'1000001' and 0x41 are 65 against a number (cmpConstExpr)
	}
	switch d.t.Kind() {
	case KindInt:
		var f float64
		switch v.K {
		case KindInt:
			if d.t.Unsigned && v.I < 0 {
				return Null, 0, -1, true
			}
			return v, 0, 0, true
		case KindUint:
			if !d.t.Unsigned {
				return Null, 0, 1, true
			}
			return v, 0, 0, true
		case KindFloat:
			f = v.F
		case KindDecimal:
			dec, err := ParseDecimal(v.S)
			if err != nil {
				return Null, 0, 0, false
			}
			fl := dec.Floor()
			if d.t.Unsigned && fl.Sign() < 0 {
				return Null, 0, -1, true
			}
			if i, ok := fl.Int64(); ok {
				if fl.Cmp(dec) == 0 {
					return IntValue(i), 0, 0, true
				}
				return IntValue(i), 1, 0, true
			}
			if dec.Sign() > 0 {
				return Null, 0, 1, true
			}
			return Null, 0, -1, true
		case KindString, KindBytes:
			f = stringToFloat(v.S)
		default:
			return Null, 0, 0, false
		}
		if math.IsNaN(f) {
			return Null, 0, 0, false
		}
		fl := math.Floor(f)
		switch {
		case fl >= 9.223372036854775807e18:
			if d.t.Unsigned && fl < 1.8446744073709551615e19 {
				u := uint64(fl)
				if fl == f {
					return UintValue(u), 0, 0, true
				}
				return UintValue(u), 1, 0, true
			}
			return Null, 0, 1, true
		case fl < -9.223372036854775808e18:
			return Null, 0, -1, true
		}
		if d.t.Unsigned && fl < 0 {
			return Null, 0, -1, true
		}
		if fl == f {
			return IntValue(int64(fl)), 0, 0, true
		}
		return IntValue(int64(fl)), 1, 0, true
	case KindFloat:
		switch v.K {
		case KindInt, KindUint, KindFloat, KindDecimal:
			return FloatValue(ToFloat64(v)), 0, 0, true
		case KindString, KindBytes:
			return FloatValue(stringToFloat(v.S)), 0, 0, true
		}
	case KindDecimal:
		switch v.K {
		case KindInt, KindUint, KindDecimal:
			return v, 0, 0, true
		}
	case KindString:
		if v.K == KindString && v.C&collExplicit != 0 && v.C.class() != d.t.coll() {
			return Null, 0, 0, false // x = 'a' COLLATE other: not in the key's order
		}
		if v.K == KindBytes && d.t.coll() != CollBinNoPad {
			// x = BINARY 'a' (or COLLATE *_bin) compares bytewise, not
			// in the key's order (cmpSet takes the equal keys as a
			// superset).
			return Null, 0, 0, false
		}
		if v.K == KindString || v.K == KindBytes {
			// Bounds compare (cmpv) and encode by the column's collation.
			return withCollation(StringValue(v.S), d.t.coll()), 0, 0, true
		}
	case KindBytes:
		if v.K == KindString || v.K == KindBytes {
			return BytesValue([]byte(v.S)), 0, 0, true
		}
	case KindTime:
		switch v.K {
		case KindTime:
			if v.TimeType() == TimeDuration {
				return Null, 0, 0, false
			}
			return v, 0, 0, true
		case KindString:
			tv, err := Coerce(v, ColumnType{Base: TypeDatetime, Scale: 6})
			if err != nil || tv.K != KindTime {
				return Null, 0, 0, false
			}
			return tv, 0, 0, true
		}
	}
	return Null, 0, 0, false
}

// cmpSet returns the set of column values x with `x op v`; nil when v
// cannot bound the column. exact reports whether the set is exactly the
// predicate's truth set (for non-NULL x).
func (d ivDomain) cmpSet(op string, v Value) (set *ivset, exact bool) {
	if d.t.Kind() == KindString && v.K == KindBytes && d.t.coll() != CollBinNoPad {
		// Bytewise equality implies equality under the column's
		// collation: the equal keys hold every match (not exactly).
		if op != sqlparser.EqualStr && op != sqlparser.NullSafeEqualStr {
			return nil, false
		}
		set, _ = d.cmpSet0(op, StringValue(v.S))
		return set, false
	}
	set, exact = d.cmpSet0(op, v)
	if d.t.Kind() == KindTime && v.K != KindTime && v.K != KindNull {
		exact = false // a string parsed as a datetime: keep the predicate
	}
	return set, exact
}

// cmpSet0 is cmpSet before the exactness adjustment.
func (d ivDomain) cmpSet0(op string, v Value) (set *ivset, exact bool) {
	if v.IsNull() {
		if op == sqlparser.NullSafeEqualStr {
			return &ivset{null: true}, true
		}
		return &ivset{}, true // comparisons with NULL are never true
	}
	c, frac, over, ok := d.conv(v)
	if !ok {
		return nil, false
	}
	if over != 0 {
		// v lies beyond the domain: x < v is everything (over > 0) or
		// nothing; x > v the reverse; x = v nothing.
		below := over > 0 // every x is below v
		switch op {
		case sqlparser.LessThanStr, sqlparser.LessEqualStr:
			if below {
				return notNullSet(), true
			}
			return &ivset{}, true
		case sqlparser.GreaterThanStr, sqlparser.GreaterEqualStr:
			if below {
				return &ivset{}, true
			}
			return notNullSet(), true
		case sqlparser.EqualStr, sqlparser.NullSafeEqualStr:
			return &ivset{}, true
		case sqlparser.NotEqualStr:
			return notNullSet(), true
		}
		return nil, false
	}
	switch op {
	case sqlparser.EqualStr, sqlparser.NullSafeEqualStr:
		if frac != 0 {
			return &ivset{}, true
		}
		return pointSet(c), true
	case sqlparser.NotEqualStr:
		if frac != 0 {
			return notNullSet(), true
		}
		return complementPoint(c), true
	case sqlparser.LessThanStr:
		// x < 5.5 over integers is x <= 5.
		return &ivset{ivs: []ival{{lo: bnd{inf: true}, hi: bnd{v: c, incl: frac != 0}}}}, true
	case sqlparser.LessEqualStr:
		return &ivset{ivs: []ival{{lo: bnd{inf: true}, hi: bnd{v: c, incl: true}}}}, true
	case sqlparser.GreaterThanStr:
		return &ivset{ivs: []ival{{lo: bnd{v: c}, hi: bnd{inf: true}}}}, true
	case sqlparser.GreaterEqualStr:
		// x >= 5.5 over integers is x > 5.
		return &ivset{ivs: []ival{{lo: bnd{v: c, incl: frac == 0}, hi: bnd{inf: true}}}}, true
	}
	return nil, false
}

// flipOp mirrors a comparison for `const op col` -> `col op' const`.
func flipOp(op string) string {
	switch op {
	case sqlparser.LessThanStr:
		return sqlparser.GreaterThanStr
	case sqlparser.LessEqualStr:
		return sqlparser.GreaterEqualStr
	case sqlparser.GreaterThanStr:
		return sqlparser.LessThanStr
	case sqlparser.GreaterEqualStr:
		return sqlparser.LessEqualStr
	}
	return op
}

// likePrefix returns the literal prefix of a LIKE pattern (escape '\')
// and whether the pattern is exactly prefix + "%".
func likePrefix(p string) (prefix string, exact bool) {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '\\':
			if i+1 < len(p) {
				i++
				b.WriteByte(p[i])
				continue
			}
			b.WriteByte(c)
		case '%':
			return b.String(), i == len(p)-1
		case '_':
			return b.String(), false
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), false
}

// constVal is the memoized evaluation of a constant expression.
type constVal struct {
	v  Value
	ok bool // the expression is constant and evaluated without error
}

// rangeCol identifies a column of the FROM clause.
type rangeCol struct {
	tab, col int
}

// deriver derives interval sets from a WHERE clause. It memoizes the
// resolution of column names and the values of constant expressions.
type deriver struct {
	resolve func(*sqlparser.ColName) (rangeCol, bool)
	eval    func(sqlparser.Expr) (Value, bool)
	cols    map[*sqlparser.ColName]rangeCol
	colsOK  map[*sqlparser.ColName]bool
	consts  map[sqlparser.Expr]constVal
	subq    func(*sqlparser.Subquery) ([]Value, bool)
}

// newDeriver returns a deriver resolving names with resolve and
// evaluating constants with eval.
func newDeriver(resolve func(*sqlparser.ColName) (rangeCol, bool), eval func(sqlparser.Expr) (Value, bool)) *deriver {
	return &deriver{resolve: resolve, eval: eval, cols: map[*sqlparser.ColName]rangeCol{}, colsOK: map[*sqlparser.ColName]bool{}, consts: map[sqlparser.Expr]constVal{}}
}

// column reports whether e is a reference to column c.
func (d *deriver) column(e sqlparser.Expr, c rangeCol) bool {
	for {
		p, ok := e.(*sqlparser.ParenExpr)
		if !ok {
			break
		}
		e = p.Expr
	}
	cn, ok := e.(*sqlparser.ColName)
	if !ok {
		return false
	}
	rc, known := d.cols[cn]
	if !known {
		if _, done := d.colsOK[cn]; !done {
			rc, ok = d.resolve(cn)
			d.colsOK[cn] = ok
			if ok {
				d.cols[cn] = rc
			}
		}
		rc, known = d.cols[cn]
	}
	return known && rc == c
}

// constant evaluates e if it is constant.
func (d *deriver) constant(e sqlparser.Expr) (Value, bool) {
	if cv, ok := d.consts[e]; ok {
		return cv.v, cv.ok
	}
	v, ok := d.eval(e)
	d.consts[e] = constVal{v: v, ok: ok}
	return v, ok
}

// derive returns the set of values of column c allowed by e; nil means
// unconstrained. exact reports that the set is exactly e's truth set.
func (d *deriver) derive(e sqlparser.Expr, c rangeCol, dom ivDomain) (*ivset, bool) {
	switch x := e.(type) {
	case *sqlparser.ParenExpr:
		return d.derive(x.Expr, c, dom)
	case *sqlparser.AndExpr:
		l, le := d.derive(x.Left, c, dom)
		r, re := d.derive(x.Right, c, dom)
		switch {
		case l == nil && r == nil:
			return nil, false
		case l == nil:
			return r, false
		case r == nil:
			return l, false
		}
		return intersect(l, r), le && re
	case *sqlparser.OrExpr:
		l, le := d.derive(x.Left, c, dom)
		if l == nil {
			return nil, false
		}
		r, re := d.derive(x.Right, c, dom)
		if r == nil {
			return nil, false
		}
		return union(l, r), le && re
	case *sqlparser.IsExpr:
		if !d.column(x.Expr, c) {
			return nil, false
		}
		switch x.Operator {
		case sqlparser.IsNullStr:
			return &ivset{null: true}, true
		case sqlparser.IsNotNullStr:
			return notNullSet(), true
		}
		return nil, false
	case *sqlparser.RangeCond:
		if !d.column(x.Left, c) {
			return nil, false
		}
		lo, ok1 := d.constant(x.From)
		hi, ok2 := d.constant(x.To)
		if !ok1 || !ok2 {
			return nil, false
		}
		a, ae := dom.cmpSet(sqlparser.GreaterEqualStr, lo)
		b, be := dom.cmpSet(sqlparser.LessEqualStr, hi)
		if a == nil || b == nil {
			return nil, false
		}
		in := intersect(a, b)
		if x.Operator == sqlparser.NotBetweenStr {
			if lo.IsNull() || hi.IsNull() {
				return nil, false
			}
			na, _ := dom.cmpSet(sqlparser.LessThanStr, lo)
			nb, _ := dom.cmpSet(sqlparser.GreaterThanStr, hi)
			if na == nil || nb == nil {
				return nil, false
			}
			return union(na, nb), ae && be
		}
		return in, ae && be
	case *sqlparser.ComparisonExpr:
		return d.deriveCmp(x, c, dom)
	}
	return nil, false
}

// deriveCmp handles comparisons, IN and LIKE.
func (d *deriver) deriveCmp(x *sqlparser.ComparisonExpr, c rangeCol, dom ivDomain) (*ivset, bool) {
	switch x.Operator {
	case sqlparser.EqualStr, sqlparser.NullSafeEqualStr, sqlparser.NotEqualStr,
		sqlparser.LessThanStr, sqlparser.LessEqualStr, sqlparser.GreaterThanStr, sqlparser.GreaterEqualStr:
		op, other := x.Operator, x.Right
		switch {
		case d.column(x.Left, c):
		case d.column(x.Right, c):
			op, other = flipOp(op), x.Left
		default:
			return nil, false
		}
		if jsonBySyntax(other) {
			return nil, false
		}
		v, ok := d.constant(other)
		if !ok {
			return nil, false
		}
		return dom.cmpSet(op, v)
	case sqlparser.InStr:
		if !d.column(x.Left, c) {
			return nil, false
		}
		var vals []Value
		switch r := x.Right.(type) {
		case sqlparser.ValTuple:
			for _, e := range r {
				v, ok := d.constant(e)
				if !ok {
					return nil, false
				}
				vals = append(vals, v)
			}
		case *sqlparser.Subquery:
			if d.subq == nil {
				return nil, false
			}
			vs, ok := d.subq(r)
			if !ok {
				return nil, false
			}
			vals = vs
		default:
			return nil, false
		}
		if len(vals) > 4096 {
			return nil, false
		}
		all := &ivset{}
		exact := true
		for _, v := range vals {
			s, e := dom.cmpSet(sqlparser.EqualStr, v)
			if s == nil {
				return nil, false
			}
			exact = exact && e
			all.ivs = append(all.ivs, s.ivs...)
			all.null = all.null || s.null
		}
		// One sort and merge for the whole list.
		return union(all, &ivset{}), exact
	case sqlparser.LikeStr:
		if x.Escape != nil || !d.column(x.Left, c) || dom.t.Kind() != KindString {
			return nil, false
		}
		v, ok := d.constant(x.Right)
		if !ok || v.K != KindString {
			return nil, false
		}
		prefix, _ := likePrefix(v.S)
		if prefix == "" || strings.TrimRight(prefix, " ") != prefix {
			return nil, false
		}
		// Every string matching 'abc%' sorts in ['abc', 'abd') under the
		// collation: compare folded forms, and the successor of the folded
		// prefix must fold to itself.
		// Under a _bin collation the prefix itself bounds the bytes.
		coll := dom.t.coll()
		iv := ival{lo: bnd{v: withCollation(StringValue(prefix), coll), incl: true}, hi: bnd{inf: true}}
		if coll == CollBin || coll == CollBinNoPad {
			if succ := prefixEnd([]byte(prefix)); succ != nil {
				iv.hi = bnd{v: withCollation(StringValue(string(succ)), coll)}
			}
		} else if succ := prefixEnd([]byte(FoldString(prefix))); succ != nil && FoldString(string(succ)) == string(succ) {
			iv.hi = bnd{v: withCollation(StringValue(string(succ)), coll)}
		}
		return &ivset{ivs: []ival{iv}}, false
	}
	return nil, false
}

// --- Key ranges -----------------------------------------------------------------

// keyRange is a half-open interval of encoded keys [lo, hi); nil hi means
// unbounded above, nil lo unbounded below.
type keyRange struct {
	lo, hi []byte
}

// keyCol describes one column of a key for range building.
type keyCol struct {
	typ  ColumnType
	desc bool
}

// maxPoints bounds the number of key prefixes built from IN lists.
const maxPoints = 1024

// keyPlan is the result of matching a WHERE clause against a key.
type keyPlan struct {
	ranges []keyRange
	// eqCols is how many leading key columns are fixed to one value in
	// every range (their order is then irrelevant for ORDER BY).
	eqCols int
	// used is how many key columns the ranges constrain.
	used int
	// points is true when every range is one full key (point gets on a
	// primary key).
	points bool
	// exact is true when the ranges are exactly the WHERE clause.
	exact bool
}

// buildKeyRanges matches the interval sets of a key's columns (sets[i]
// nil: unconstrained) and returns the key ranges to scan, in key order.
// full reports that the key columns make a full (unique) key, for point
// detection.
func buildKeyRanges(cols []keyCol, sets []*ivset, exacts []bool, full bool) keyPlan {
	prefixes := [][]byte{{}}
	kp := keyPlan{exact: true}
	fixed := true
	for i, kc := range cols {
		s := sets[i]
		if s == nil {
			break
		}
		kp.exact = kp.exact && exacts[i]
		if s.empty() {
			return keyPlan{used: i + 1, exact: kp.exact}
		}
		var points []Value
		allPoints := true
		for _, iv := range s.ivs {
			if !iv.isPoint() {
				allPoints = false
				break
			}
			points = append(points, iv.lo.v)
		}
		n := len(points)
		if s.null {
			n++
		}
		if allPoints && len(prefixes)*n <= maxPoints {
			var next [][]byte
			for _, p := range prefixes {
				if s.null {
					next = append(next, AppendKey(slices.Clip(p), Null, kc.typ, kc.desc))
				}
				for _, v := range points {
					next = append(next, AppendKey(slices.Clip(p), v, kc.typ, kc.desc))
				}
			}
			prefixes = next
			kp.used = i + 1
			if fixed && n == 1 {
				kp.eqCols = i + 1
			} else {
				fixed = false
			}
			continue
		}
		// A range column: it ends the key prefix.
		kp.used = i + 1
		for _, p := range prefixes {
			if s.null {
				k := AppendKey(slices.Clip(p), Null, kc.typ, kc.desc)
				kp.ranges = append(kp.ranges, keyRange{lo: k, hi: prefixEnd(k)})
			}
			for _, iv := range s.ivs {
				kp.ranges = append(kp.ranges, intervalRange(p, iv, kc))
			}
		}
		kp.exact = kp.exact && allNilFrom(sets, i+1)
		kp.ranges = mergeRanges(sortRanges(kp.ranges))
		return kp
	}
	kp.exact = kp.exact && allNilFrom(sets, kp.used)
	for _, p := range prefixes {
		if len(p) == 0 {
			kp.ranges = append(kp.ranges, keyRange{})
			continue
		}
		kp.ranges = append(kp.ranges, keyRange{lo: p, hi: prefixEnd(p)})
	}
	kp.points = full && kp.used == len(cols)
	kp.ranges = sortRanges(kp.ranges)
	return kp
}

// allNilFrom reports whether sets[i:] are all nil (unconstrained).
func allNilFrom(sets []*ivset, i int) bool {
	for ; i < len(sets); i++ {
		if sets[i] != nil {
			return false
		}
	}
	return true
}

// intervalRange returns the key range of the keys with prefix p whose
// next column lies in iv (non-NULL values only).
func intervalRange(p []byte, iv ival, kc keyCol) keyRange {
	enc := func(v Value) []byte { return AppendKey(slices.Clip(p), v, kc.typ, kc.desc) }
	nullKey := enc(Null)
	var r keyRange
	if !kc.desc {
		switch {
		case iv.lo.inf:
			r.lo = prefixEnd(nullKey) // NULLs sort first: skip them
		case iv.lo.incl:
			r.lo = enc(iv.lo.v)
		default:
			r.lo = prefixEnd(enc(iv.lo.v))
		}
		switch {
		case iv.hi.inf:
			r.hi = prefixEnd(p)
		case iv.hi.incl:
			r.hi = prefixEnd(enc(iv.hi.v))
		default:
			r.hi = enc(iv.hi.v)
		}
		return r
	}
	// DESC: larger values have smaller keys and NULLs sort last.
	switch {
	case iv.hi.inf:
		r.lo = p
	case iv.hi.incl:
		r.lo = enc(iv.hi.v)
	default:
		r.lo = prefixEnd(enc(iv.hi.v))
	}
	switch {
	case iv.lo.inf:
		r.hi = nullKey
	case iv.lo.incl:
		r.hi = prefixEnd(enc(iv.lo.v))
	default:
		r.hi = enc(iv.lo.v)
	}
	if len(r.lo) == 0 {
		r.lo = nil
	}
	return r
}

// sortRanges orders ranges by their lower key and merges overlaps.
func sortRanges(rs []keyRange) []keyRange {
	slices.SortFunc(rs, func(a, b keyRange) int { return bytes.Compare(a.lo, b.lo) })
	return rs
}

// mergeRanges merges overlapping or adjacent sorted ranges and drops empty
// ones.
func mergeRanges(rs []keyRange) []keyRange {
	out := rs[:0]
	for _, r := range rs {
		if r.hi != nil && bytes.Compare(r.lo, r.hi) >= 0 {
			continue
		}
		if n := len(out); n > 0 && (out[n-1].hi == nil || bytes.Compare(r.lo, out[n-1].hi) <= 0) {
			if out[n-1].hi != nil && (r.hi == nil || bytes.Compare(r.hi, out[n-1].hi) > 0) {
				out[n-1].hi = r.hi
			}
			continue
		}
		out = append(out, r)
	}
	return out
}
