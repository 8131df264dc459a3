package sqlfront

import (
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Multi-table UPDATE and DELETE:
//
//	UPDATE t [AS a], other [, ...] SET a.c = expr, other.d = expr ... WHERE ...
//	UPDATE t AS a JOIN other ON ... SET ...
//	DELETE a, other FROM t AS a JOIN other ON ... WHERE ...
//	DELETE FROM a, other USING t AS a JOIN other ON ... WHERE ...
//
// Any number of the base tables are changed (those named by the SET
// columns, or the DELETE targets); the rest, base tables or derived tables
// (a common table expression, such as bun's bulk update WITH _data AS
// (VALUES ROW(...)) UPDATE t, _data SET ...), are only read. The
// statement first reads the whole join once with the SELECT planner,
// collecting each target's primary key and what its assignments read
// from the join, before it changes anything (so no change is seen by the
// join). Then it changes the targets one after the other in FROM order,
// each row once (the first matching combination wins, as in MySQL), by
// primary key, through the single-table UPDATE or DELETE, so defaults,
// ON UPDATE, generated columns, CHECK, UNIQUE, foreign keys, triggers and
// the affected-rows count (rows actually changed, summed over the
// targets) behave as there.
//
// An assignment's expression runs in that single-table UPDATE with the
// columns of its own table left in place and everything else (other
// tables' columns, placeholders, an expression holding a subquery, taken
// whole) replaced by the value the join gave: so, as in MySQL, a later
// assignment sees an earlier one's new value for the same table, and the
// old values of the other tables. NB: an expression holding a subquery
// sees the old values of its own table too.
//
// As in MySQL: ORDER BY and LIMIT are refused (1221), a DELETE target
// missing from the FROM list is 1109, one named twice 1066, and a
// primary key column of a table updated under two aliases 1706. A target
// without a declared primary key is not supported.

// multiTarget is a base table of a multi-table statement, and what the
// statement does to it when it is a target.
type multiTarget struct {
	t     *table
	name  sqlparser.TableName
	alias string

	sets  []*sqlparser.UpdateExpr // UPDATE: its assignments, rewritten
	extra []sqlparser.Expr        // UPDATE: the values :v1... read from the join
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

// multiRows runs SELECT <pk of tgs[0]>, <extra of tgs[0]>, <pk of
// tgs[1]>, ... FROM te WHERE where, reads it completely and returns, per
// target, one row (its primary key, then its extra values) per target
// row, from the first combination that matched it.
func (sc *stmtCtx) multiRows(tgs []*multiTarget, te sqlparser.TableExprs, where *sqlparser.Where) ([][][]Value, error) {
	sel := &sqlparser.Select{From: te, Where: where}
	at := make([]int, len(tgs)+1) // tgs[i]'s values are r[at[i]:at[i+1]]
	for i, tg := range tgs {
		if tg.t.hidden {
			return nil, errNotSupported("multi-table UPDATE or DELETE of a table without a primary key")
		}
		at[i] = len(sel.SelectExprs)
		q := sqlparser.TableName{Name: sqlparser.NewTableIdent(tg.alias)}
		for _, o := range tg.t.pk {
			sel.SelectExprs = append(sel.SelectExprs, &sqlparser.AliasedExpr{Expr: &sqlparser.ColName{Name: sqlparser.NewColIdent(tg.t.names[o]), Qualifier: q}})
		}
		for _, e := range tg.extra {
			sel.SelectExprs = append(sel.SelectExprs, &sqlparser.AliasedExpr{Expr: e})
		}
	}
	at[len(tgs)] = len(sel.SelectExprs)
	it, _, err := sc.planSelectStmt(sel)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	seen := make([]map[string]bool, len(tgs))
	rows := make([][][]Value, len(tgs))
	for i := range seen {
		seen[i] = map[string]bool{}
	}
	var k strings.Builder
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
		for i, tg := range tgs {
			part := r[at[i]:at[i+1]]
			k.Reset()
			null := false
			for _, v := range part[:len(tg.t.pk)] {
				null = null || v.K == KindNull // the NULL side of an outer join
				k.WriteString(strconv.Itoa(int(v.K)))
				k.WriteByte(':')
				k.WriteString(Format(v))
				k.WriteByte(0)
			}
			if null || seen[i][k.String()] {
				continue
			}
			seen[i][k.String()] = true
			rows[i] = append(rows[i], cloneRow(part))
		}
	}
	return rows, nil
}

// multiSetExpr returns e (an assignment's value for target bases[tg]) as
// the single-table UPDATE of that target runs it: a copy in which the
// target's columns stay, unqualified, and every other value read from the
// join (another table's column, a placeholder) becomes a placeholder
// :vN, N counting on from len(*extra), whose expression is appended to
// *extra. An expression holding a subquery is read from the join whole.
func multiSetExpr(e sqlparser.Expr, bases []multiTarget, tg int, extra *[]sqlparser.Expr) (sqlparser.Expr, error) {
	whole := func() (sqlparser.Expr, error) {
		*extra = append(*extra, e)
		return sqlparser.NewValArg([]byte(":v" + strconv.Itoa(len(*extra)))), nil
	}
	if _, isDef := e.(*sqlparser.Default); isDef {
		return e, nil
	}
	if hasSubquery(e) {
		return whole()
	}
	cp, err := parseSoleExpr(sqlparser.String(e))
	if err != nil || sqlparser.String(cp) != sqlparser.String(e) {
		return whole() // should not happen: keep the join's value
	}
	self := bases[tg]
	var from []sqlparser.Expr
	var walkErr error
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.ColName:
			name := n.Name.String()
			switch {
			case !n.Qualifier.Qualifier.IsEmpty():
				from = append(from, n)
			case !n.Qualifier.Name.IsEmpty():
				if !strings.EqualFold(n.Qualifier.Name.String(), self.alias) {
					from = append(from, n)
				} else if self.t.col(name) < 0 {
					walkErr = ErrUnknownColumn(sqlparser.String(n), "field list")
				} else {
					n.Qualifier = sqlparser.TableName{}
				}
			case self.t.col(name) >= 0:
				for i, b := range bases {
					if i != tg && b.t.col(name) >= 0 {
						walkErr = NewSQLError(ErNonUniq, "Column '%s' in field list is ambiguous", name)
					}
				}
			default:
				from = append(from, n)
			}
		case *sqlparser.SQLVal:
			if n.Type == sqlparser.ValArg {
				from = append(from, n)
			}
		}
		return walkErr == nil, nil
	}, cp)
	if walkErr != nil {
		return nil, walkErr
	}
	n := len(*extra)
	for _, x := range from {
		*extra = append(*extra, x)
		cp = sqlparser.ReplaceExpr(cp, x, sqlparser.NewValArg([]byte(":v"+strconv.Itoa(len(*extra)))))
	}
	left := false // a node ReplaceExpr could not reach
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if x, ok := n.(sqlparser.Expr); ok && slices.Contains(from, x) {
			left = true
		}
		return !left, nil
	}, cp)
	if left {
		*extra = (*extra)[:n]
		return whole()
	}
	return cp, nil
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
	// Each assignment's table: the one base table with its column.
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
		b := &bases[found]
		x, err := multiSetExpr(ue.Expr, bases, found, &b.extra)
		if err != nil {
			return Result{}, err
		}
		b.sets = append(b.sets, &sqlparser.UpdateExpr{Name: &sqlparser.ColName{Name: ue.Name.Name}, Expr: x})
	}
	var tgs []*multiTarget
	for i := range bases {
		if bases[i].sets != nil {
			tgs = append(tgs, &bases[i])
		}
	}
	// MySQL's 1706: a row moved under one alias could be missed or
	// changed twice under the other.
	for i, a := range tgs {
		for _, b := range tgs[i+1:] {
			if a.t != b.t {
				continue
			}
			for _, x := range [2]*multiTarget{a, b} {
				for _, ue := range x.sets {
					if slices.Contains(x.t.pk, x.t.col(ue.Name.Name.String())) {
						return Result{}, engErr(1706, "Primary key/partition key update is not allowed since the table is updated both as '%s' and '%s'.", a.alias, b.alias)
					}
				}
			}
		}
	}
	rows, err := sc.multiRows(tgs, up.TableExprs, up.Where)
	if err != nil {
		return Result{}, err
	}
	var res Result
	for i, tg := range tgs {
		// UPDATE t SET c1 = <expr over t and :v1...>, ... WHERE pk1 = :v(n+1) AND ...
		n, npk := len(tg.extra), len(tg.t.pk)
		one := &sqlparser.Update{Comments: up.Comments, TableExprs: sqlparser.TableExprs{&sqlparser.AliasedTableExpr{Expr: tg.name}},
			Exprs: tg.sets, Where: pkWhere(tg.t, n)}
		args := make([]Value, n+npk)
		for _, r := range rows[i] {
			copy(args, r[npk:])
			copy(args[n:], r[:npk])
			r1, err := sc.byKey(args, func() (Result, error) { return sc.execUpdate(one) })
			if err != nil {
				return Result{}, err
			}
			res.RowsAffected += r1.RowsAffected
		}
	}
	return res, nil
}

// execMultiDelete runs DELETE a, b FROM t AS a JOIN u AS b ... and
// DELETE FROM a, b USING ....
func (sc *stmtCtx) execMultiDelete(del *sqlparser.Delete) (Result, error) {
	sc.tx.MarkFreeing()
	if len(del.OrderBy) > 0 || del.Limit != nil {
		return Result{}, engErr(1221, "Incorrect usage of DELETE and ORDER BY or LIMIT")
	}
	bases, err := sc.baseTables(del.TableExprs)
	if err != nil {
		return Result{}, err
	}
	chosen := make([]bool, len(bases))
	for _, tn := range del.Targets {
		want := tn.Name.String()
		target := -1
		for i, b := range bases {
			if b.alias == want || strings.EqualFold(b.alias, want) && target < 0 {
				target = i
			}
		}
		if target < 0 {
			return Result{}, engErr(ErUnknownTable, "Unknown table '%s' in MULTI DELETE", want)
		}
		if chosen[target] {
			return Result{}, engErr(ErNonUniqTable, "Not unique table/alias: '%s'", want)
		}
		chosen[target] = true
	}
	var tgs []*multiTarget // in FROM order, as MySQL deletes
	for i := range bases {
		if chosen[i] {
			tgs = append(tgs, &bases[i])
		}
	}
	rows, err := sc.multiRows(tgs, del.TableExprs, del.Where)
	if err != nil {
		return Result{}, err
	}
	var res Result
	for i, tg := range tgs {
		one := &sqlparser.Delete{Comments: del.Comments, TableExprs: sqlparser.TableExprs{&sqlparser.AliasedTableExpr{Expr: tg.name}}, Where: pkWhere(tg.t, 0)}
		for _, r := range rows[i] {
			r1, err := sc.byKey(r, func() (Result, error) { return sc.execDelete(one) })
			if err != nil {
				return Result{}, err
			}
			res.RowsAffected += r1.RowsAffected
		}
	}
	return res, nil
}
