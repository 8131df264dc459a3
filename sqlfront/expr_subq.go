package sqlfront

import (
	"strings"

	"github.com/xwb1989/sqlparser"
)

// This file holds subqueries in expressions: scalar, row, EXISTS and IN.
// The engine runs them (Scope.Subquery); uncorrelated results are
// memoized in the Env, so a subquery runs once per execution however many
// rows are evaluated.

// subqueryBase runs a subquery with memoization.
type subqueryBase struct {
	sq Subquery
}

// selfDeps reports the subquery dependency.
func (s *subqueryBase) selfDeps() depMask {
	if s.sq.Correlated {
		return depSubquery | depRow | depVolatile
	}
	return depSubquery
}

// memo returns the memoized value for node, computing it with f on first
// use (every time for correlated subqueries).
func (s *subqueryBase) memo(env *Env, node Expr, f func(rows [][]Value) (any, error)) (any, error) {
	if !s.sq.Correlated {
		if r, ok := env.memo[node]; ok {
			return r, nil
		}
	}
	rows, err := s.sq.Run(env)
	if err != nil {
		return nil, err
	}
	r, err := f(rows)
	if err != nil {
		return nil, err
	}
	if !s.sq.Correlated {
		if env.memo == nil {
			env.memo = make(map[Expr]any)
		}
		env.memo[node] = r
	}
	return r, nil
}

// scalarSubqueryExpr is (SELECT ...) used as a value: NULL without rows,
// error 1242 with more than one.
type scalarSubqueryExpr struct{ subqueryBase }

func (e *scalarSubqueryExpr) Eval(env *Env) (Value, error) {
	r, err := e.memo(env, e, func(rows [][]Value) (any, error) {
		switch {
		case len(rows) == 0:
			return Null, nil
		case len(rows) > 1:
			return nil, NewSQLError(ErSubqueryNo1Row, "Subquery returns more than 1 row")
		case len(rows[0]) != 1:
			return nil, errOperandColumns(1)
		}
		return rows[0][0], nil
	})
	if err != nil {
		return Null, err
	}
	return r.(Value), nil
}
func (e *scalarSubqueryExpr) kids() []Expr { return nil }

// rowSubqueryExpr is a subquery of more than one column compared as a
// row: its one row, nil without rows, error 1242 with more than one.
// Only rowSubqCmpExpr reads it; as a value it is error 1241.
type rowSubqueryExpr struct{ subqueryBase }

// row returns the subquery's row.
func (e *rowSubqueryExpr) row(env *Env) ([]Value, error) {
	r, err := e.memo(env, e, func(rows [][]Value) (any, error) {
		switch len(rows) {
		case 0:
			return []Value(nil), nil
		case 1:
			return rows[0], nil
		}
		return nil, NewSQLError(ErSubqueryNo1Row, "Subquery returns more than 1 row")
	})
	if err != nil {
		return nil, err
	}
	return r.([]Value), nil
}
func (e *rowSubqueryExpr) Eval(*Env) (Value, error) { return Null, errOperandColumns(1) }
func (e *rowSubqueryExpr) kids() []Expr             { return nil }

// rowColumnExpr is column i of a row subquery's row (NULL without rows).
type rowColumnExpr struct {
	sq *rowSubqueryExpr
	i  int
}

func (e *rowColumnExpr) Eval(env *Env) (Value, error) {
	row, err := e.sq.row(env)
	if err != nil || row == nil {
		return Null, err
	}
	return row[e.i], nil
}
func (e *rowColumnExpr) kids() []Expr { return []Expr{e.sq} }

// rowOperand is an operand of a row comparison: the values of a row
// constructor (x) or a row subquery (sq), n columns; neither for a
// single value. A row constructor's rows in it, ROW(ROW(a, b), c), are
// flattened into x, which compares them as MySQL does (pair by pair, the
// first pair that differs deciding); shape records them.
type rowOperand struct {
	x     []Expr
	sq    *rowSubqueryExpr
	n     int
	shape string // the nesting of a row constructor: "(..(...).)", one '.' a value; "" otherwise
}

// rowOperand compiles e as an operand of a row comparison. A single
// value is left to be compiled as one.
func (c *compiler) rowOperand(e sqlparser.Expr) (rowOperand, error) {
	if t, ok := rowItems(e); ok && len(t) != 1 {
		var flat sqlparser.ValTuple
		var shape strings.Builder
		flattenRow(t, &flat, &shape)
		x, err := c.compileList(flat)
		o := rowOperand{x: x, n: len(t)}
		if len(flat) != len(t) {
			o.shape = shape.String()
		}
		return o, err
	}
	if s, ok := e.(*sqlparser.Subquery); ok {
		sq, err := c.sc.Subquery(s.Select)
		if err != nil || sq.Width <= 1 {
			return rowOperand{n: 1}, err
		}
		return rowOperand{sq: &rowSubqueryExpr{subqueryBase{sq}}, n: sq.Width}, nil
	}
	return rowOperand{n: 1}, nil
}

// flattenRow appends the values of row constructor t to flat, the rows
// in it in their place, and its shape (see rowOperand) to shape.
func flattenRow(t sqlparser.ValTuple, flat *sqlparser.ValTuple, shape *strings.Builder) {
	shape.WriteByte('(')
	for _, item := range t {
		if in, ok := rowItems(item); ok && len(in) != 1 {
			flattenRow(in, flat, shape)
			continue
		}
		*flat = append(*flat, item)
		shape.WriteByte('.')
	}
	shape.WriteByte(')')
}

// rowShapeError returns error 1241 for the first pair of items of rows l
// and r (of as many items) whose numbers of columns differ, nil if none
// does.
func rowShapeError(l, r sqlparser.Expr) error {
	lt, lok := rowItems(l)
	rt, rok := rowItems(r)
	if !lok || !rok || len(lt) != len(rt) {
		return errOperandColumns(tupleArity(l))
	}
	for i := range lt {
		ln, rn := tupleArity(lt[i]), tupleArity(rt[i])
		if ln != rn {
			return errOperandColumns(ln)
		}
		if ln > 1 {
			if err := rowShapeError(lt[i], rt[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// values evaluates the operand's row; a row subquery without rows gives
// NULLs.
func (o *rowOperand) values(env *Env) ([]Value, error) {
	if o.sq != nil {
		row, err := o.sq.row(env)
		if row == nil && err == nil {
			row = make([]Value, o.n)
		}
		return row, err
	}
	vals := make([]Value, len(o.x))
	for i, x := range o.x {
		v, err := x.Eval(env)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return vals, nil
}

// kids returns the operand's nodes.
func (o *rowOperand) kids() []Expr {
	if o.sq != nil {
		return []Expr{o.sq}
	}
	return o.x
}

// rowSubqCmpExpr compares rows when one or both are row subqueries:
// (a, b) = (SELECT x, y ...), (SELECT x, y ...) < ROW(a, b). Each row is
// read whole, then the rows compare as rowCmpExpr compares them.
type rowSubqCmpExpr struct {
	op   cmpOp
	l, r rowOperand
}

func (e *rowSubqCmpExpr) evalTri(env *Env) (tri, error) {
	l, err := e.l.values(env)
	if err != nil {
		return triNull, err
	}
	r, err := e.r.values(env)
	if err != nil {
		return triNull, err
	}
	rc := rowComparer{op: e.op}
	for i := range l {
		if t, done := rc.next(l[i], r[i]); done {
			return t, nil
		}
	}
	return rc.result(), nil
}
func (e *rowSubqCmpExpr) Eval(env *Env) (Value, error) {
	t, err := e.evalTri(env)
	return t.value(), err
}
func (e *rowSubqCmpExpr) kids() []Expr {
	return append(append([]Expr(nil), e.l.kids()...), e.r.kids()...)
}

// existsExpr is EXISTS (SELECT ...).
type existsExpr struct{ subqueryBase }

func (e *existsExpr) evalTri(env *Env) (tri, error) {
	r, err := e.memo(env, e, func(rows [][]Value) (any, error) { return len(rows) > 0, nil })
	if err != nil {
		return triFalse, err
	}
	return triBool(r.(bool)), nil
}
func (e *existsExpr) Eval(env *Env) (Value, error) { t, err := e.evalTri(env); return t.value(), err }
func (e *existsExpr) kids() []Expr                 { return nil }

// inSet is the prepared result of an IN subquery.
type inSet struct {
	rows    [][]Value
	keys    map[string]struct{} // GroupKeys of single-column values of class
	class   uint8
	hasNull bool
}

// inSubqueryExpr is x [NOT] IN (SELECT ...), also for row constructors.
type inSubqueryExpr struct {
	subqueryBase
	x   []Expr
	not bool
}

func (e *inSubqueryExpr) prepare(rows [][]Value) (any, error) {
	s := &inSet{rows: rows}
	for _, r := range rows {
		if len(r) != len(e.x) {
			return nil, errOperandColumns(len(e.x))
		}
	}
	if len(e.x) != 1 || len(rows) < 4 {
		return s, nil
	}
	s.keys = make(map[string]struct{}, len(rows))
	for i, r := range rows {
		v := r[0]
		if v.K == KindNull {
			s.hasNull = true
			continue
		}
		c := valueClass(v.K)
		if i == 0 || s.class == 0 {
			s.class = c
		}
		if c != s.class || v.C != 0 { // v.C: a collated column compares (collation.go)
			s.keys = nil
			break
		}
		s.keys[GroupKey(v)] = struct{}{}
	}
	return s, nil
}

func (e *inSubqueryExpr) evalTri(env *Env) (tri, error) {
	r, err := e.memo(env, e, e.prepare)
	if err != nil {
		return triNull, err
	}
	s := r.(*inSet)
	var buf [4]Value
	xs := buf[:0]
	for _, x := range e.x {
		v, err := x.Eval(env)
		if err != nil {
			return triNull, err
		}
		xs = append(xs, v)
	}
	res := triFalse
	if len(s.rows) > 0 {
		res = e.search(s, xs)
	}
	if e.not {
		return res.not(), nil
	}
	return res, nil
}

// search looks xs up in a non-empty subquery result.
func (e *inSubqueryExpr) search(s *inSet, xs []Value) tri {
	if len(xs) == 1 && xs[0].K == KindNull {
		return triNull
	}
	if s.keys != nil && xs[0].C == 0 && valueClass(xs[0].K) == s.class {
		var kb [64]byte
		if _, ok := s.keys[string(AppendGroupKey(kb[:0], xs[0]))]; ok {
			return triTrue
		}
		if s.hasNull {
			return triNull
		}
		return triFalse
	}
	sawNull := false
	for _, row := range s.rows {
		t := triTrue
		for i, v := range xs {
			c, null := Compare(v, row[i])
			if null {
				t = triNull
			} else if c != 0 {
				t = triFalse
				break
			}
		}
		switch t {
		case triTrue:
			return triTrue
		case triNull:
			sawNull = true
		}
	}
	if sawNull {
		return triNull
	}
	return triFalse
}
func (e *inSubqueryExpr) Eval(env *Env) (Value, error) {
	t, err := e.evalTri(env)
	return t.value(), err
}
func (e *inSubqueryExpr) kids() []Expr { return e.x }

// compileScalarSubquery compiles (SELECT ...) as a value.
func (c *compiler) compileScalarSubquery(e *sqlparser.Subquery) (Expr, error) {
	sq, err := c.sc.Subquery(e.Select)
	if err != nil {
		return nil, err
	}
	if sq.Width > 1 {
		return nil, errOperandColumns(1)
	}
	return &scalarSubqueryExpr{subqueryBase{sq}}, nil
}

// compileExists compiles EXISTS (SELECT ...).
func (c *compiler) compileExists(e *sqlparser.ExistsExpr) (Expr, error) {
	sq, err := c.sc.Subquery(e.Subquery.Select)
	if err != nil {
		return nil, err
	}
	return &existsExpr{subqueryBase{sq}}, nil
}

// compileInSubquery compiles x [NOT] IN (SELECT ...).
func (c *compiler) compileInSubquery(left sqlparser.Expr, e *sqlparser.Subquery, not bool) (Expr, error) {
	var lefts []sqlparser.Expr
	if t, ok := rowItems(left); ok && len(t) > 1 {
		lefts = t
	} else {
		lefts = []sqlparser.Expr{left}
	}
	var xs []Expr
	if lo, err := c.rowOperand(left); err != nil {
		return nil, err
	} else if lo.sq != nil {
		// (SELECT a, b ...) IN (SELECT x, y ...): the row subquery's
		// columns.
		for i := range lo.n {
			xs = append(xs, &rowColumnExpr{sq: lo.sq, i: i})
		}
	} else if xs, err = c.compileList(lefts); err != nil {
		return nil, err
	}
	sq, err := c.sc.Subquery(e.Select)
	if err != nil {
		return nil, err
	}
	if sq.Width != 0 && sq.Width != len(xs) {
		return nil, errOperandColumns(len(xs))
	}
	return &inSubqueryExpr{subqueryBase: subqueryBase{sq}, x: xs, not: not}, nil
}

// quantCmpExpr is x op ANY (subquery) or x op ALL (subquery) (markQuantifiers
// gives the parser's comparison its quantifier): ANY is true if the
// comparison holds for some row, false if it fails for every row (or there
// is none), else NULL; ALL is false if it fails for some row, true if it
// holds for every row (or there is none), else NULL.
type quantCmpExpr struct {
	subqueryBase
	op  cmpOp
	all bool
	x   Expr
}

func (e *quantCmpExpr) evalTri(env *Env) (tri, error) {
	r, err := e.memo(env, e, func(rows [][]Value) (any, error) {
		for _, row := range rows {
			if len(row) != 1 {
				return nil, errOperandColumns(1)
			}
		}
		return rows, nil
	})
	if err != nil {
		return triNull, err
	}
	v, err := e.x.Eval(env)
	if err != nil {
		return triNull, err
	}
	sawNull := false
	for _, row := range r.([][]Value) {
		switch compareTri(e.op, v, row[0]) {
		case triTrue:
			if !e.all {
				return triTrue, nil
			}
		case triFalse:
			if e.all {
				return triFalse, nil
			}
		default:
			sawNull = true
		}
	}
	switch {
	case sawNull:
		return triNull, nil
	case e.all:
		return triTrue, nil
	}
	return triFalse, nil
}
func (e *quantCmpExpr) Eval(env *Env) (Value, error) { t, err := e.evalTri(env); return t.value(), err }
func (e *quantCmpExpr) kids() []Expr                 { return []Expr{e.x} }

// compileQuantified compiles x op ANY|ALL (subquery).
func (c *compiler) compileQuantified(op cmpOp, all bool, left sqlparser.Expr, e *sqlparser.Subquery) (Expr, error) {
	if tupleArity(left) != 1 {
		return nil, errOperandColumns(1)
	}
	x, err := c.compile(left)
	if err != nil {
		return nil, err
	}
	sq, err := c.sc.Subquery(e.Select)
	if err != nil {
		return nil, err
	}
	if sq.Width != 0 && sq.Width != 1 {
		return nil, errOperandColumns(1)
	}
	return &quantCmpExpr{subqueryBase: subqueryBase{sq}, op: op, all: all, x: x}, nil
}
