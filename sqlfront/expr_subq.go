package sqlfront

import (
	"github.com/xwb1989/sqlparser"
)

// This file holds subqueries in expressions: scalar, EXISTS and IN. The
// engine runs them (Scope.Subquery); uncorrelated results are memoized in
// the Env, so a subquery runs once per execution however many rows are
// evaluated.

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
	xs, err := c.compileList(lefts)
	if err != nil {
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
