package sqlfront

import (
	"github.com/xwb1989/sqlparser"
)

// DEFAULT(col): the default value of a column, as rewriteForms hands it
// over (d@f(col)). It is evaluated when the statement is compiled: a
// literal default coerced to the column's type, CURRENT_TIMESTAMP as
// NOW(), NULL for a nullable column without one, 0 for an AUTO_INCREMENT
// column, and error 1364 for another NOT NULL column without one. As in
// MySQL, an expression default "(expr)" is error 3773. The scope must
// know the column's table: a SELECT over base tables, INSERT or UPDATE.

// columnDefaultScope is implemented by scopes whose columns belong to base
// tables.
type columnDefaultScope interface {
	// columnDefault returns the table and ordinal of the column named.
	columnDefault(db, tbl, name string) (*table, int, error)
}

func init() {
	registerFuncs([]*funcDef{
		{name: "d@f", min: 1, max: 1, build: buildColumnDefault},
	})
}

// buildColumnDefault compiles DEFAULT(col).
func buildColumnDefault(c *compiler, args []sqlparser.Expr) (Expr, error) {
	col, ok := args[0].(*sqlparser.ColName)
	if !ok {
		return nil, syntaxError(sqlparser.String(args[0]))
	}
	ds, ok := c.sc.(columnDefaultScope)
	if !ok {
		return nil, errNotSupported("DEFAULT() here")
	}
	t, i, err := ds.columnDefault(col.Qualifier.Qualifier.String(), col.Qualifier.Name.String(), col.Name.String())
	if err != nil {
		return nil, err
	}
	d, err := t.defaults()
	if err != nil {
		return nil, err
	}
	switch {
	case d.now[i]:
		return c.compile(&sqlparser.FuncExpr{Name: sqlparser.NewColIdent("now")})
	case d.def[i] != nil && isExprDefault(t.cols[i].desc.Default):
		return nil, engErr(3773, "DEFAULT function cannot be used with default value expressions")
	case d.def[i] != nil:
		v, err := d.def[i].Eval(&Env{Row: make([]Value, len(t.cols))})
		if err != nil {
			return nil, err
		}
		v, err = Coerce(v, t.types[i])
		if err != nil {
			return nil, err
		}
		return &litExpr{v: v}, nil
	case t.nullOK[i]:
		return &litExpr{v: Null}, nil
	case i == t.autoInc:
		return &litExpr{v: zeroOf(t.types[i])}, nil
	}
	return nil, engErr(1364, "Field '%s' doesn't have a default value", t.names[i])
}

// columnDefault implements columnDefaultScope.
func (s *fromScope) columnDefault(db, tbl, name string) (*table, int, error) {
	slot, ok, err := s.find(db, tbl, name)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		if o, isDS := s.outer.(columnDefaultScope); isDS && s.outer != nil {
			return o.columnDefault(db, tbl, name)
		}
		if tbl != "" {
			name = tbl + "." + name
		}
		return nil, 0, ErrUnknownColumn(name, s.clauseName())
	}
	for _, ft := range s.lay.tabs {
		if ft.t != nil && slot >= ft.off && slot < ft.off+len(ft.t.cols) {
			return ft.t, slot - ft.off, nil
		}
	}
	return nil, 0, errNotSupported("DEFAULT() of a column of a derived table")
}

// columnDefault implements columnDefaultScope.
func (s *dmlScope) columnDefault(db, tbl, name string) (*table, int, error) {
	i, err := s.TableScope.Column(db, tbl, name)
	if err != nil {
		return nil, 0, err
	}
	t, err := s.sc.lookupTable("", s.target)
	if err != nil {
		return nil, 0, err
	}
	if i >= len(t.cols) {
		return nil, 0, ErrUnknownColumn(name, "field list")
	}
	return t, i, nil
}
