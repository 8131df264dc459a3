package sqlfront

import (
	"io"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Multi-table UPDATE and DELETE:
//
//	UPDATE t [AS a], other [, ...] SET a.c = expr, ... WHERE ...
//	UPDATE t AS a JOIN other ON ... SET ...
//	DELETE a FROM t AS a JOIN other ON ... WHERE ...
//
// One table is changed (its SET columns, or the one DELETE target); the
// others, base tables or derived tables (a common table expression, such
// as bun's bulk update WITH _data AS (VALUES ROW(...)) UPDATE t, _data
// SET ...), are only read. The statement first reads the join with the
// SELECT planner, collecting the target's primary key and the new values
// of every matching row, then changes each target row once (the first
// match wins, as in MySQL) by primary key, through the single-table
// UPDATE or DELETE, so defaults, ON UPDATE, CHECK, UNIQUE and the
// affected-rows count behave as there. ORDER BY and LIMIT are refused, as
// MySQL does (error 1221). A target without a declared primary key, and
// changes to several tables in one statement, are not supported.

// multiTarget is the table a multi-table statement changes.
type multiTarget struct {
	t     *table
	name  sqlparser.TableName
	alias string
}

// baseTables returns the base tables of te with their aliases.
func (sc *stmtCtx) baseTables(te sqlparser.TableExprs) ([]multiTarget, error) {
	var out []multiTarget
	var walk func(x sqlparser.TableExpr) error
	walk = func(x sqlparser.TableExpr) error {
		switch x := x.(type) {
		case *sqlparser.AliasedTableExpr:
			tn, ok := x.Expr.(sqlparser.TableName)
			if !ok {
				return nil
			}
			if strings.EqualFold(tn.Qualifier.String(), "information_schema") {
				return nil
			}
			t, err := sc.lookupTable(tn.Qualifier.String(), tn.Name.String())
			if err != nil {
				return err
			}
			alias := tn.Name.String()
			if !x.As.IsEmpty() {
				alias = x.As.String()
			}
			out = append(out, multiTarget{t: t, name: tn, alias: alias})
		case *sqlparser.JoinTableExpr:
			if err := walk(x.LeftExpr); err != nil {
				return err
			}
			return walk(x.RightExpr)
		case *sqlparser.ParenTableExpr:
			for _, y := range x.Exprs {
				if err := walk(y); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, x := range te {
		if err := walk(x); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// isMultiTable reports whether te is more than one plain table.
func isMultiTable(te sqlparser.TableExprs) bool {
	if len(te) != 1 {
		return true
	}
	_, ok := te[0].(*sqlparser.AliasedTableExpr)
	return !ok
}

// multiRows runs SELECT <target pk>, extra... FROM te WHERE where and
// returns the rows, one per target row (first match), fully read.
func (sc *stmtCtx) multiRows(tg multiTarget, te sqlparser.TableExprs, where *sqlparser.Where, extra []sqlparser.Expr) ([][]Value, error) {
	if tg.t.hidden {
		return nil, errNotSupported("multi-table UPDATE or DELETE of a table without a primary key")
	}
	sel := &sqlparser.Select{From: te, Where: where}
	q := sqlparser.TableName{Name: sqlparser.NewTableIdent(tg.alias)}
	for _, o := range tg.t.pk {
		sel.SelectExprs = append(sel.SelectExprs, &sqlparser.AliasedExpr{Expr: &sqlparser.ColName{Name: sqlparser.NewColIdent(tg.t.names[o]), Qualifier: q}})
	}
	for _, e := range extra {
		sel.SelectExprs = append(sel.SelectExprs, &sqlparser.AliasedExpr{Expr: e})
	}
	it, _, err := sc.planSelectStmt(sel)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	seen := map[string]bool{}
	var rows [][]Value
	npk := len(tg.t.pk)
	for {
		if err := sc.tick(); err != nil {
			return nil, err
		}
		r, err := it.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		var k strings.Builder
		for _, v := range r[:npk] {
			k.WriteString(strconv.Itoa(int(v.K)))
			k.WriteByte(':')
			k.WriteString(Format(v))
			k.WriteByte(0)
		}
		if seen[k.String()] {
			continue
		}
		seen[k.String()] = true
		rows = append(rows, cloneRow(r))
	}
	return rows, nil
}

// pkWhere returns "pk1 = :v(base+1) AND ..." for target t.
func pkWhere(t *table, base int) *sqlparser.Where {
	var cond sqlparser.Expr
	for i, o := range t.pk {
		c := &sqlparser.ComparisonExpr{Operator: sqlparser.EqualStr,
			Left:  &sqlparser.ColName{Name: sqlparser.NewColIdent(t.names[o])},
			Right: sqlparser.NewValArg([]byte(":v" + strconv.Itoa(base+i+1)))}
		if cond == nil {
			cond = c
		} else {
			cond = &sqlparser.AndExpr{Left: cond, Right: c}
		}
	}
	return &sqlparser.Where{Type: sqlparser.WhereStr, Expr: cond}
}

// byKey runs fn (a single-table UPDATE or DELETE by primary key) with
// the placeholders bound to args, outside the statement's plan cache.
func (sc *stmtCtx) byKey(args []Value, fn func() (Result, error)) (Result, error) {
	saved, st := sc.env.Args, sc.stmt
	sc.env.Args, sc.stmt = args, nil
	defer func() { sc.env.Args, sc.stmt = saved, st }()
	return fn()
}

// execMultiUpdate runs a multi-table UPDATE.
func (sc *stmtCtx) execMultiUpdate(up *sqlparser.Update) (Result, error) {
	if len(up.OrderBy) > 0 {
		return Result{}, engErr(1221, "Incorrect usage of UPDATE and ORDER BY")
	}
	if up.Limit != nil {
		return Result{}, engErr(1221, "Incorrect usage of UPDATE and LIMIT")
	}
	bases, err := sc.baseTables(up.TableExprs)
	if err != nil {
		return Result{}, err
	}
	// The target: the table every SET column belongs to.
	target := -1
	for _, ue := range up.Exprs {
		q, col := ue.Name.Qualifier.Name.String(), ue.Name.Name.String()
		found := -1
		for i, b := range bases {
			if q != "" && !strings.EqualFold(q, b.alias) || b.t.col(col) < 0 {
				continue
			}
			if found >= 0 {
				return Result{}, NewSQLError(ErNonUniq, "Column '%s' in field list is ambiguous", col)
			}
			found = i
		}
		if found < 0 {
			return Result{}, ErrUnknownColumn(sqlparser.String(ue.Name), "field list")
		}
		if target >= 0 && found != target {
			return Result{}, errNotSupported("UPDATE of several tables in one statement")
		}
		target = found
		if _, isDef := ue.Expr.(*sqlparser.Default); isDef {
			return Result{}, errNotSupported("DEFAULT in a multi-table UPDATE")
		}
	}
	tg := bases[target]
	extra := make([]sqlparser.Expr, len(up.Exprs))
	for i, ue := range up.Exprs {
		extra[i] = ue.Expr
	}
	rows, err := sc.multiRows(tg, up.TableExprs, up.Where, extra)
	if err != nil {
		return Result{}, err
	}
	// UPDATE t SET c1 = :v1, ... WHERE pk1 = :v(n+1) AND ...
	n := len(up.Exprs)
	one := &sqlparser.Update{TableExprs: sqlparser.TableExprs{&sqlparser.AliasedTableExpr{Expr: tg.name}}}
	for i, ue := range up.Exprs {
		one.Exprs = append(one.Exprs, &sqlparser.UpdateExpr{
			Name: &sqlparser.ColName{Name: ue.Name.Name},
			Expr: sqlparser.NewValArg([]byte(":v" + strconv.Itoa(i+1)))})
	}
	one.Where = pkWhere(tg.t, n)
	var res Result
	npk := len(tg.t.pk)
	args := make([]Value, n+npk)
	for _, r := range rows {
		copy(args, r[npk:])
		copy(args[n:], r[:npk])
		r1, err := sc.byKey(args, func() (Result, error) { return sc.execUpdate(one) })
		if err != nil {
			return Result{}, err
		}
		res.RowsAffected += r1.RowsAffected
	}
	return res, nil
}

// execMultiDelete runs DELETE a FROM t AS a JOIN ... (one target).
func (sc *stmtCtx) execMultiDelete(del *sqlparser.Delete) (Result, error) {
	if len(del.Targets) != 1 {
		return Result{}, errNotSupported("DELETE from several tables in one statement")
	}
	if len(del.OrderBy) > 0 || del.Limit != nil {
		return Result{}, engErr(1221, "Incorrect usage of DELETE and ORDER BY or LIMIT")
	}
	bases, err := sc.baseTables(del.TableExprs)
	if err != nil {
		return Result{}, err
	}
	want := del.Targets[0].Name.String()
	target := -1
	for i, b := range bases {
		if b.alias == want || strings.EqualFold(b.alias, want) && target < 0 {
			target = i
		}
	}
	if target < 0 {
		return Result{}, engErr(ErUnknownTable, "Unknown table '%s' in MULTI DELETE", want)
	}
	tg := bases[target]
	rows, err := sc.multiRows(tg, del.TableExprs, del.Where, nil)
	if err != nil {
		return Result{}, err
	}
	one := &sqlparser.Delete{TableExprs: sqlparser.TableExprs{&sqlparser.AliasedTableExpr{Expr: tg.name}}, Where: pkWhere(tg.t, 0)}
	var res Result
	for _, r := range rows {
		r1, err := sc.byKey(r, func() (Result, error) { return sc.execDelete(one) })
		if err != nil {
			return Result{}, err
		}
		res.RowsAffected += r1.RowsAffected
	}
	return res, nil
}
