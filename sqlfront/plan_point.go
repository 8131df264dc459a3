package sqlfront

import (
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Point statements: the fast path for statements that touch at most one
// row, named by its whole primary key or by all the columns of a UNIQUE
// index.
//
//	SELECT c1, c2 | * FROM t [AS a] WHERE k1 = e1 [AND k2 = e2 ...]
//	UPDATE t SET ... WHERE k1 = e1 [AND ...]
//	DELETE FROM t WHERE k1 = e1 [AND ...]
//
// where every ei is constant for an execution (placeholders, literals,
// functions of neither the row nor a subquery) and each key column is
// named exactly once. The general planner serves these with a point
// lookup too, but it costs more to plan the statement than to run it;
// the fast path keeps the analysis in the Stmt (stmtcache.go) and at each
// execution only evaluates e1.., converts each value into its key
// column's domain exactly as the planner does (ivDomain.cmpSet) and reads
// one record (through one index entry for a UNIQUE index: index keys
// hold the collation's folded strings, so equality of keys is equality
// under the collation, and no two entries share the index columns'
// values unless one of them is NULL, which = never matches). Whenever a
// value does not convert exactly (a string compared with an INT key, a
// TIME key compared with a string, an evaluation error, ...) the
// execution falls back to the general planner, which then decides and
// reports exactly as it always did.

// pointKey is a WHERE clause that fixes the whole primary key of a table,
// or all the columns of one of its UNIQUE indexes, by equalities with
// constants.
type pointKey struct {
	t     *table
	ix    *index // nil: the primary key
	exprs []Expr // by key column, in key order
}

// pointWhere returns the pointKey of where over table t (named alias in
// its statement), or nil if where is not of the point form.
func pointWhere(t *table, alias string, where *sqlparser.Where) *pointKey {
	if where == nil || where.Type != sqlparser.WhereStr {
		return nil
	}
	conjs := splitAnd(where.Expr, nil)
	byCol := make(map[int]Expr, len(conjs))
	for _, c := range conjs {
		cmp, ok := c.(*sqlparser.ComparisonExpr)
		if !ok || cmp.Operator != sqlparser.EqualStr || cmp.Escape != nil {
			return nil
		}
		col, other := pointColumn(t, alias, cmp.Left), cmp.Right
		if col < 0 {
			col, other = pointColumn(t, alias, cmp.Right), cmp.Left
		}
		if _, dup := byCol[col]; col < 0 || dup || jsonBySyntax(other) {
			return nil
		}
		x, err := Compile(other, &TableScope{Table: "\x00", Clause: "where clause"})
		if err != nil || depsOf(x)&(depRow|depVolatile|depSubquery) != 0 {
			return nil
		}
		byCol[col] = x
	}
	pick := func(cols []int) []Expr {
		if len(cols) != len(byCol) {
			return nil
		}
		exprs := make([]Expr, len(cols))
		for i, c := range cols {
			if exprs[i] = byCol[c]; exprs[i] == nil {
				return nil
			}
		}
		return exprs
	}
	if !t.hidden {
		if exprs := pick(t.pk); exprs != nil {
			return &pointKey{t: t, exprs: exprs}
		}
	}
	for _, ix := range t.indexes {
		if ix.desc.Unique {
			if exprs := pick(ix.cols); exprs != nil {
				return &pointKey{t: t, ix: ix, exprs: exprs}
			}
		}
	}
	return nil
}

// pointColumn returns the ordinal of t's column that e names plainly
// (unqualified or qualified by alias), or -1.
func pointColumn(t *table, alias string, e sqlparser.Expr) int {
	cn, ok := e.(*sqlparser.ColName)
	if !ok || !cn.Qualifier.Qualifier.IsEmpty() {
		return -1
	}
	if q := cn.Qualifier.Name.String(); q != "" && !strings.EqualFold(q, alias) {
		return -1
	}
	name := cn.Name.String()
	if strings.HasPrefix(name, "@") {
		return -1
	}
	return t.col(name)
}

// key evaluates the primary key the clause names (or, for an index, the
// prefix of its entry's key) into dst. none reports
// that no row can match (a value that converts to nothing: NULL, 5.5 for
// an INT key); ok is false when the execution must take the general path.
func (p *pointKey) key(dst []byte, env *Env) (key []byte, none, ok bool) {
	saved := env.Row
	env.Row = nil
	defer func() { env.Row = saved }()
	for i, x := range p.exprs {
		v, err := x.Eval(env)
		if err != nil {
			return nil, false, false
		}
		cols, descs := p.t.pk, p.t.pkDesc
		if p.ix != nil {
			cols, descs = p.ix.cols, p.ix.descs
		}
		c := p.t.cols[cols[i]]
		kv, empty, exact := pointValue(ivDomain{t: c.typ}, v)
		switch {
		case !exact:
			return nil, false, false
		case empty:
			none = true
		default:
			dst = AppendKey(dst, kv, c.typ, descs[i])
		}
	}
	if none {
		return nil, true, true
	}
	return dst, false, true
}

// pointValue is cmpSet("=", v) without building the set: the value of
// the domain that equals v, or empty when none does; exact is false when
// the set would not be exact (the general path decides then).
func pointValue(d ivDomain, v Value) (kv Value, empty, exact bool) {
	if v.IsNull() {
		return Null, true, true // = NULL is never true
	}
	if d.t.Kind() == KindTime && v.K != KindTime {
		return Null, false, false // see cmpSet
	}
	c, frac, over, ok := d.conv(v)
	switch {
	case !ok:
		return Null, false, false
	case over != 0 || frac != 0:
		return Null, true, true
	}
	return c, false, true
}

// singleTable returns the table, alias and name of a FROM clause that is
// one base table without hints or partitions, or ok false.
func singleTable(te sqlparser.TableExprs) (name, alias string, ok bool) {
	if len(te) != 1 {
		return "", "", false
	}
	ate, isAliased := te[0].(*sqlparser.AliasedTableExpr)
	if !isAliased || ate.Hints != nil || len(ate.Partitions) > 0 {
		return "", "", false
	}
	tn, isName := ate.Expr.(sqlparser.TableName)
	if !isName || !tn.Qualifier.IsEmpty() {
		return "", "", false
	}
	name, alias = tn.Name.String(), tn.Name.String()
	if !ate.As.IsEmpty() {
		alias = ate.As.String()
	}
	return name, alias, true
}

// pointSelect is the cached plan of a point SELECT: the key and the
// columns it returns.
type pointSelect struct {
	key  *pointKey
	out  []int        // ordinals of the result columns
	cols []ColumnInfo // as the general planner described them
}

// planPointSelect returns the point plan of sel over catalog cat, whose
// general plan described its result as cols; nil if sel is not a point
// SELECT.
func planPointSelect(cat *catalog, sel *sqlparser.Select, cols []ColumnInfo) *pointSelect {
	if sel.Distinct != "" || sel.Hints != "" || len(sel.GroupBy) > 0 || sel.Having != nil ||
		len(sel.OrderBy) > 0 || sel.Limit != nil || sel.Lock != "" {
		return nil
	}
	name, alias, ok := singleTable(sel.From)
	if !ok {
		return nil
	}
	t := cat.table(name)
	if t == nil {
		return nil
	}
	var out []int
	for _, se := range sel.SelectExprs {
		switch x := se.(type) {
		case *sqlparser.StarExpr:
			if !x.TableName.IsEmpty() && (!x.TableName.Qualifier.IsEmpty() || !strings.EqualFold(x.TableName.Name.String(), alias)) {
				return nil
			}
			for i := range t.cols {
				out = append(out, i)
			}
		case *sqlparser.AliasedExpr:
			c := pointColumn(t, alias, x.Expr)
			if c < 0 {
				return nil
			}
			out = append(out, c)
		default:
			return nil
		}
	}
	if len(out) != len(cols) {
		return nil
	}
	key := pointWhere(t, alias, sel.Where)
	if key == nil {
		return nil
	}
	return &pointSelect{key: key, out: out, cols: append([]ColumnInfo(nil), cols...)}
}
