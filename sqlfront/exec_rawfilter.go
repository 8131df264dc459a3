package sqlfront

import (
	"encoding/binary"
	"math"
	"slices"
	"unsafe"
)

// Raw filters: the leading conditions of a scan's filter that compare a
// column of its table with a constant (cmpConstExpr) or a placeholder
// (cmpExpr with an argExpr operand; not <=>) are tested on the
// stored row before it is decoded, so the rows they reject are never
// built. A check reads its field as decodeTableRow would (the same Value,
// collation class included, but strings not copied) and calls the
// condition's own test, so it rejects exactly the rows for which the
// condition is not true; rows it cannot judge (a field missing from an
// old row, a DECIMAL, ENUM or SET value, bytes that do not decode) go on
// to the full decode and filter, which evaluates every condition again
// on the rows that pass. Only a prefix of the filter's AND chain is
// checked: the filter evaluates its conditions in order and stops at the
// first false one, so a row rejected by a later condition could hide the
// error of an earlier one.

// rawChecks are the conditions a scan tests on stored rows, by field.
type rawChecks []rawCheck

// rawCheck is one condition column op constant.
type rawCheck struct {
	field int       // the column's stored field
	coll  Collation // the column's collation class (string values)
	// The condition: cmp, or column op ? (placeholder arg; colLeft
	// when the column is the left operand of op).
	cmp     *cmpConstExpr
	op      cmpOp
	arg     int
	colLeft bool
	bound   *argBound // column op ?: the test of the argument last seen
}

// argBound is a placeholder check bound to an argument: the argument
// and column op argument as a constant comparison, so that the rows of
// one execution are tested as column op constant would be.
type argBound struct {
	v   Value
	cmp *cmpConstExpr
}

// test returns the constant comparison of c with argument a (nil when a
// is NULL: no row passes).
func (c *rawCheck) test(a Value) *cmpConstExpr {
	b := c.bound
	if b.cmp != nil && identical(b.v, a) && b.v.C == a.C {
		return b.cmp
	}
	b.v, b.cmp = a, nil
	if a.K == KindNull {
		return nil
	}
	op := c.op
	if !c.colLeft {
		op = op.swap()
	}
	b.cmp = newCmpConst(op, nil, &litExpr{v: a})
	return b.cmp
}

// rawFilters enables raw checks; tests turn it off to compare with the
// general path.
var rawFilters = true

// newRawChecks returns the checks of the filter andExprs(cs, keep)
// builds on base table ft, or nil.
func newRawChecks(ft *fromTable, cs []*conjunct, keep func(*conjunct) bool) rawChecks {
	t := ft.t
	if !rawFilters || t == nil {
		return nil
	}
	var out rawChecks
	for _, c := range cs {
		if !keep(c) {
			continue
		}
		var rc rawCheck
		var x Expr
		switch e := c.expr.(type) {
		case *cmpConstExpr:
			rc.cmp, x = e, e.x
		case *cmpExpr:
			rc.op = e.op
			if a, ok := e.r.(*argExpr); ok {
				rc.arg, rc.colLeft, x = a.idx, true, e.l
			} else if a, ok := e.l.(*argExpr); ok {
				rc.arg, x = a.idx, e.r
			}
			rc.bound = new(argBound)
		}
		cx, ok := x.(*colExpr)
		if !ok || cx.agg || cx.idx < ft.off || cx.idx >= ft.off+len(t.cols) || (rc.cmp == nil && rc.op == cmpNSEQ) {
			break
		}
		col := cx.idx - ft.off
		if slices.Contains(t.enums, col) {
			break // the value's member tag is not read here
		}
		rc.field = col
		if !t.plain {
			rc.field = t.fields[col]
		}
		if t.colls != nil {
			rc.coll = t.colls[col]
		}
		out = append(out, rc)
	}
	slices.SortStableFunc(out, func(a, b rawCheck) int { return a.field - b.field })
	return out
}

// rejects reports whether some check is not true for the stored row val
// (args are the statement's placeholder values).
func (cs rawChecks) rejects(val []byte, args []Value) bool {
	if len(val) == 0 || val[0] != rowFormatV1 {
		return false
	}
	for _, c := range cs {
		if c.cmp == nil && c.arg >= len(args) {
			return false // the filter reports the missing argument
		}
	}
	r := rowReader{src: val, pos: 1}
	if _, err := r.uvarint(); err != nil {
		return false
	}
	stored, err := r.uvarint()
	if err != nil {
		return false
	}
	field := 0
	for i := range cs {
		c := &cs[i]
		if c.field >= int(stored) {
			break // the field's fill value: the filter decides
		}
		cmp := c.cmp
		if cmp == nil {
			if cmp = c.test(args[c.arg]); cmp == nil {
				return true // column op NULL is never true
			}
		}
		for ; field < c.field; field++ {
			if r.skip() != nil {
				return false
			}
		}
		start := r.pos
		t, ok := r.peekNum(cmp)
		r.pos = start
		if ok {
			if t != triTrue {
				return true
			}
			continue
		}
		v, ok := r.peek()
		r.pos = start
		if !ok {
			continue
		}
		if v.K == KindString && c.coll != CollDefault {
			v.C = c.coll
		}
		if cmp.test(v) != triTrue {
			return true
		}
	}
	return false
}

// peekNum is cmp's test of a NULL, int or float column, read without
// building its Value; ok is false for other columns and constants.
func (r *rowReader) peekNum(cmp *cmpConstExpr) (t tri, ok bool) {
	if r.pos >= len(r.src) {
		return triNull, false
	}
	switch r.src[r.pos] {
	case rowTagNull:
		return triNull, true
	case rowTagInt:
		r.pos++
		i, err := r.varint()
		if err != nil {
			return triNull, false
		}
		return cmp.testNum(i, 0, false)
	case rowTagFloat:
		if len(r.src)-r.pos < 9 {
			return triNull, false
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(r.src[r.pos+1:]))
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return triNull, false // value's error, for the decode to report
		}
		return cmp.testNum(0, f, true)
	}
	return triNull, false
}

// peek reads one column as value does, with the bytes of strings not
// copied (the Value must not outlive the row); ok is false for decimals
// and bad bytes.
func (r *rowReader) peek() (v Value, ok bool) {
	if r.pos >= len(r.src) {
		return Null, false
	}
	switch tag := r.src[r.pos]; tag {
	case rowTagDecimal:
		return Null, false
	case rowTagString, rowTagBytes:
		r.pos++
		n, err := r.uvarint()
		if err != nil || n > uint64(len(r.src)-r.pos) {
			return Null, false
		}
		v.K = KindString
		if tag == rowTagBytes {
			v.K = KindBytes
		}
		if n > 0 {
			v.S = unsafe.String(&r.src[r.pos], int(n))
		}
		return v, true
	}
	v, err := r.value()
	return v, err == nil
}
