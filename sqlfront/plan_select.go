package sqlfront

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Planning of SELECT: the FROM clause becomes a left-deep pipeline of
// table sources in FROM order (nested loops; a table that can be looked up
// by a key from the tables before it is probed per row, otherwise it is
// hashed on an equality or buffered), then come aggregation, projection,
// HAVING, DISTINCT, ORDER BY and LIMIT (see plan_scope.go for the row
// layouts).

// queryPlan is a planned query.
type queryPlan struct {
	it    rowIter
	cols  []ColumnInfo
	width int // visible columns
	// correlated is set when the query reads its enclosing query's row.
	correlated bool
}

// planSelectStmt plans a top-level SELECT / UNION statement.
func (sc *stmtCtx) planSelectStmt(ss sqlparser.SelectStatement) (rowIter, []ColumnInfo, error) {
	qp, err := sc.planQuery(ss, nil, sc.topText)
	if err != nil {
		return nil, nil, err
	}
	streamTop(qp.it)
	return wrapJSONText(qp.it, qp.cols), qp.cols, nil
}

// readsBelow reports whether every expression reads only row slots below
// base (and runs no subquery, which could read any).
func readsBelow(exprs []Expr, base int) bool {
	for _, e := range exprs {
		if depsOf(e)&depSubquery != 0 {
			return false
		}
		for _, slot := range ColumnRefs(e) {
			if slot >= base {
				return false
			}
		}
	}
	return true
}

// streamTop lets the operators of a top-level plan reuse their output
// row where nothing retains it: Rows copies each row out before it asks
// for the next (Rows.Next, Rows.drain and resolveKinds copy), trim, limit
// and filter pass rows through without keeping them, and a projection
// copies the values of its input into its own row.
//
// A projection read only through trim and limit, whose expressions read
// only input columns (not select values through aliases), does not even
// copy its input: it is direct.
func streamTop(it rowIter) {
	passthrough := true // only trim and limit above
	for {
		switch x := it.(type) {
		case *trimIter:
			it = x.in
		case *limitIter:
			it = x.in
		case *filterIter:
			passthrough = false
			it = x.in
		case *projectIter:
			reuseInput(x)
			if passthrough {
				x.direct = readsBelow(x.exprs, x.base)
			}
			return
		default:
			return
		}
	}
}

// planQuery plans a SELECT, UNION or parenthesized select. outer is the
// enclosing query's scope for a subquery (nil at top level); text is the
// statement text, used to name expression columns (empty: use the
// reformatted AST).
func (sc *stmtCtx) planQuery(ss sqlparser.SelectStatement, outer Scope, text string) (*queryPlan, error) {
	switch q := ss.(type) {
	case *sqlparser.Select:
		return sc.planSelect(q, outer, text)
	case *sqlparser.ParenSelect:
		return sc.planQuery(q.Select, outer, "")
	case *sqlparser.Union:
		return sc.planUnion(q, outer, text)
	}
	return nil, errNotSupported("this kind of query")
}

// selectInfo is the state of planning one SELECT.
type selectInfo struct {
	sc    *stmtCtx
	sel   *sqlparser.Select
	lay   *layout
	from  *fromScope
	conjs []*conjunct // WHERE and inner-join ON conjuncts
	// placed is the set of tables (by layout index) already in the join
	// pipeline while planJoins chooses the next one's access.
	placed uint64
	// carried are the slots of the wide row whose values the rows carry
	// after the select values (planSelectCarrying).
	carried []int
}

// conjunct is one AND-term of a WHERE clause (or ON clause).
type conjunct struct {
	ast  sqlparser.Expr
	expr Expr
	tabs uint64 // bitmask of the tables (by layout index) it reads
	// all is set for conjuncts that must be evaluated after every table
	// has joined (correlated subqueries, volatile functions).
	all  bool
	used bool // placed in some filter
}

// splitAnd returns the top-level AND-terms of e.
func splitAnd(e sqlparser.Expr, out []sqlparser.Expr) []sqlparser.Expr {
	switch x := e.(type) {
	case *sqlparser.AndExpr:
		return splitAnd(x.Right, splitAnd(x.Left, out))
	case *sqlparser.ParenExpr:
		if _, ok := x.Expr.(*sqlparser.AndExpr); ok {
			return splitAnd(x.Expr, out)
		}
	case nil:
		return out
	}
	return append(out, e)
}

// planSelect plans one SELECT.
func (sc *stmtCtx) planSelect(sel *sqlparser.Select, outer Scope, text string) (*queryPlan, error) {
	return sc.planSelectCarrying(sel, outer, text, nil)
}

// planSelectCarrying plans a SELECT whose rows carry more values of its
// FROM clause's rows after the select values: carry, if not nil, returns
// their slots in the wide row, given the scope of the FROM clause. They
// count in the plan's width, and in DISTINCT. INSERT ... SELECT ... ON
// DUPLICATE KEY UPDATE reads the SELECT's tables through them
// (planOnDupSource).
func (sc *stmtCtx) planSelectCarrying(sel *sqlparser.Select, outer Scope, text string, carry func(from *fromScope) ([]int, error)) (*queryPlan, error) {
	si := &selectInfo{sc: sc, sel: sel, lay: &layout{}}
	si.from = &fromScope{sc: sc, lay: si.lay, clause: "on clause", outer: outer}
	var onConjs []sqlparser.Expr
	for _, te := range sel.From {
		var err error
		if onConjs, err = si.addFrom(te, joinInner, onConjs); err != nil {
			return nil, err
		}
	}
	if len(si.lay.tabs) == 1 && si.lay.tabs[0].t != nil && len(si.lay.tabs[0].t.fulltext) > 0 {
		if ob := ftOrderBy(sel, si.lay.tabs[0].t); ob != nil {
			cp := *sel
			cp.OrderBy = ob
			sel, si.sel = &cp, &cp
		}
	}
	si.prescan()
	if carry != nil {
		var err error
		if si.carried, err = carry(&fromScope{sc: sc, lay: si.lay, clause: "field list", outer: outer}); err != nil {
			return nil, err
		}
	}
	// Compile the conjuncts of WHERE and of inner joins' ON.
	var asts []sqlparser.Expr
	if sel.Where != nil {
		asts = splitAnd(sel.Where.Expr, nil)
	}
	si.from.clause = "where clause"
	for _, a := range append(asts, onConjs...) {
		c, err := si.compileConjunct(a)
		if err != nil {
			return nil, err
		}
		si.conjs = append(si.conjs, c)
	}
	if qp, err := si.countFast(text); qp != nil || err != nil {
		return qp, err
	}
	if qp, err := si.minMaxFast(outer, text); qp != nil || err != nil {
		return qp, err
	}
	src, order, err := si.planJoins()
	if err != nil {
		return nil, err
	}
	return si.finish(src, order, text)
}

// replan builds the join pipeline again (same snapshot, same rows), for
// operators that must read their input twice.
func (si *selectInfo) replan() (rowIter, error) {
	for _, c := range si.conjs {
		c.used = false
	}
	it, _, err := si.planJoins()
	return it, err
}

// countFast answers SELECT COUNT(*) FROM t [WHERE ...] from bxtree's
// subtree counts in O(log n) per key range, when the WHERE clause is
// entirely expressed by the key ranges of the chosen access path. It
// returns nil when the query does not qualify.
func (si *selectInfo) countFast(text string) (*queryPlan, error) {
	sel, lay := si.sel, si.lay
	if len(lay.tabs) != 1 || lay.tabs[0].t == nil || len(sel.GroupBy) > 0 || sel.Having != nil ||
		sel.Distinct != "" || len(sel.SelectExprs) != 1 {
		return nil, nil
	}
	ae, ok := sel.SelectExprs[0].(*sqlparser.AliasedExpr)
	if !ok {
		return nil, nil
	}
	if spec, err := ParseAggregate(ae.Expr); err != nil || spec.Func != AggCountStar || !IsAggregate(ae.Expr) {
		return nil, nil
	}
	for _, c := range si.conjs {
		if c.all || c.tabs != 1 {
			return nil, nil
		}
	}
	acc, err := si.chooseAccess(0, si.conjs, nil, nil)
	if err != nil {
		return nil, err
	}
	switch acc.kind {
	case "full", "range", "points", "index":
	default:
		return nil, nil
	}
	for _, c := range si.conjs {
		if !acc.consumed[c] {
			return nil, nil
		}
	}
	st, err := si.sc.store(lay.tabs[0].t)
	if err != nil {
		return nil, err
	}
	tree := st.tree
	if acc.key != nil {
		if tree, err = st.ixTree(acc.key); err != nil {
			return nil, err
		}
	}
	ranges := acc.kp.ranges
	if acc.kind == "full" {
		ranges = []keyRange{{}}
	}
	name := resultName(ae, text, "COUNT(*)")
	limit, offset, hasLimit, err := si.sc.limitValues(sel.Limit)
	if err != nil {
		return nil, err
	}
	if si.sc.xlog != nil {
		acc.kind = "count"
		si.sc.noteAccess(lay.tabs[0], acc, nil, false, si.from.correlated)
	}
	var it rowIter = &countIter{sc: si.sc, tree: tree, ranges: ranges}
	if acc.counted { // planning counted the ranges already, in this snapshot
		it = &countIter{sc: si.sc, known: true, n: uint64(acc.rows)}
	}
	if hasLimit {
		it = &limitIter{in: it, offset: offset, limit: limit}
	}
	return &queryPlan{it: it, width: 1, cols: []ColumnInfo{{Name: name, DatabaseTypeName: "BIGINT", Kind: KindInt, NullableOK: true}}}, nil
}

// minMaxFast answers SELECT MIN(c) or MAX(c) FROM t [WHERE ...] [LIMIT
// ...], c the leading column of t's primary key or of one of its indexes,
// as SELECT c FROM t [WHERE ...] [AND c IS NOT NULL] ORDER BY c ASC|DESC
// LIMIT 1: the ordered access then reads one key from an end of the
// range (O(log n)) instead of aggregating every row. The answer is that
// row's c, or NULL when there is none (an aggregate always returns one
// row). NULLs sort first, so MIN skips them explicitly; MAX meets them
// last, only when every c is NULL, and then NULL is its answer anyway.
func (si *selectInfo) minMaxFast(outer Scope, text string) (*queryPlan, error) {
	sel, lay := si.sel, si.lay
	if len(lay.tabs) != 1 || lay.tabs[0].t == nil || len(sel.GroupBy) > 0 || sel.Having != nil ||
		sel.Distinct != "" || len(sel.SelectExprs) != 1 || len(sel.OrderBy) > 0 {
		return nil, nil
	}
	ae, ok := sel.SelectExprs[0].(*sqlparser.AliasedExpr)
	if !ok {
		return nil, nil
	}
	fe, ok := ae.Expr.(*sqlparser.FuncExpr)
	if !ok || !fe.Qualifier.IsEmpty() || len(fe.Exprs) != 1 {
		return nil, nil
	}
	fn := fe.Name.Lowered()
	if fn != "min" && fn != "max" {
		return nil, nil
	}
	arg, ok := fe.Exprs[0].(*sqlparser.AliasedExpr)
	if !ok {
		return nil, nil
	}
	cn, ok := arg.Expr.(*sqlparser.ColName)
	ft := lay.tabs[0]
	if !ok || !cn.Qualifier.Qualifier.IsEmpty() || !cn.Qualifier.IsEmpty() && !strings.EqualFold(cn.Qualifier.Name.String(), ft.alias) {
		return nil, nil
	}
	t := ft.t
	ord, ok := t.byName[cn.Name.Lowered()]
	if !ok {
		return nil, nil
	}
	leads := len(t.pk) > 0 && t.pk[0] == ord
	for _, ix := range t.indexes {
		leads = leads || ix.cols[0] == ord
	}
	if !leads {
		return nil, nil
	}
	q := &sqlparser.Select{
		SelectExprs: sqlparser.SelectExprs{&sqlparser.AliasedExpr{Expr: cn}},
		From:        sel.From,
		Where:       sel.Where,
		OrderBy:     sqlparser.OrderBy{&sqlparser.Order{Expr: cn, Direction: sqlparser.AscScr}},
		Limit:       &sqlparser.Limit{Rowcount: sqlparser.NewIntVal([]byte("1"))},
		Lock:        sel.Lock,
	}
	if fn == "max" {
		q.OrderBy[0].Direction = sqlparser.DescScr
	} else if t.nullOK[ord] {
		notNull := &sqlparser.IsExpr{Operator: sqlparser.IsNotNullStr, Expr: cn}
		if q.Where == nil {
			q.Where = sqlparser.NewWhere(sqlparser.WhereStr, notNull)
		} else {
			q.Where = sqlparser.NewWhere(sqlparser.WhereStr, &sqlparser.AndExpr{Left: &sqlparser.ParenExpr{Expr: sel.Where.Expr}, Right: notNull})
		}
	}
	inner, err := si.sc.planSelect(q, outer, "")
	if err != nil {
		return nil, err
	}
	name := resultName(ae, text, sqlparser.String(ae.Expr))
	limit, offset, hasLimit, err := si.sc.limitValues(sel.Limit)
	if err != nil {
		inner.it.Close()
		return nil, err
	}
	col := inner.cols[0]
	col.Name, col.NullableOK = name, true
	var it rowIter = &firstOrNullIter{in: inner.it}
	if hasLimit {
		it = &limitIter{in: it, offset: offset, limit: limit}
	}
	return &queryPlan{it: it, width: 1, cols: []ColumnInfo{col}, correlated: inner.correlated}, nil
}

// resultName is the column name of a query's one select expression ae:
// its alias, else its text in the statement text, else def.
func resultName(ae *sqlparser.AliasedExpr, text, def string) string {
	switch names := selectExprTexts(text, 1); {
	case !ae.As.IsEmpty():
		return ae.As.String()
	case names != nil:
		return names[0]
	}
	return def
}

// prescan resolves every column name of the query once, so that the
// slots of variables and of the enclosing query's values are allocated
// before anything is compiled: the wide row's width is then final, and
// aggregates and select values can be placed after it.
func (si *selectInfo) prescan() {
	sel := si.sel
	aliases := map[string]bool{}
	for _, se := range sel.SelectExprs {
		if ae, ok := se.(*sqlparser.AliasedExpr); ok && !ae.As.IsEmpty() {
			aliases[ae.As.Lowered()] = true
		}
	}
	visit := func(skipAliases bool) func(sqlparser.SQLNode) (bool, error) {
		return func(n sqlparser.SQLNode) (bool, error) {
			switch x := n.(type) {
			case *sqlparser.Subquery:
				si.prescanNested(x)
				return false, nil
			case *sqlparser.ColName:
				if skipAliases && x.Qualifier.IsEmpty() && aliases[x.Name.Lowered()] {
					return false, nil
				}
				fs := *si.from
				_, _ = fs.Column(x.Qualifier.Qualifier.String(), x.Qualifier.Name.String(), x.Name.String())
				if fs.correlated {
					si.from.correlated = true
				}
			}
			return true, nil
		}
	}
	_ = sqlparser.Walk(visit(false), sel.SelectExprs, sel.Where, sel.GroupBy)
	for _, ft := range si.lay.tabs {
		for _, on := range ft.on {
			_ = sqlparser.Walk(visit(false), on)
		}
	}
	_ = sqlparser.Walk(visit(true), sel.Having, sel.OrderBy)
}

// prescanNested resolves, for prescan, the names in a nested subquery
// that reach past it: a qualified name whose qualifier no FROM clause
// inside sub defines may be this query's or an enclosing one's, and
// resolving it here gives it its slot now (a subquery of a subquery of
// the select list reading the outermost row, `(SELECT (SELECT x.b))`,
// would otherwise add the slot after the rows were laid out). Names this
// scope cannot resolve are left to the subquery's own compilation.
func (si *selectInfo) prescanNested(sub *sqlparser.Subquery) {
	inner := map[string]bool{}
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if ate, ok := n.(*sqlparser.AliasedTableExpr); ok {
			if !ate.As.IsEmpty() {
				inner[strings.ToLower(ate.As.String())] = true
			} else if tn, ok := ate.Expr.(sqlparser.TableName); ok {
				inner[strings.ToLower(tn.Name.String())] = true
			}
		}
		return true, nil
	}, sub)
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		cn, ok := n.(*sqlparser.ColName)
		if !ok || cn.Qualifier.Name.IsEmpty() || inner[strings.ToLower(cn.Qualifier.Name.String())] {
			return true, nil
		}
		fs := *si.from
		if _, err := fs.Column(cn.Qualifier.Qualifier.String(), cn.Qualifier.Name.String(), cn.Name.String()); err == nil && fs.correlated {
			si.from.correlated = true
		}
		return true, nil
	}, sub)
}

// compileConjunct compiles a WHERE/ON term and finds the tables it reads.
func (si *selectInfo) compileConjunct(a sqlparser.Expr) (*conjunct, error) {
	fs := *si.from
	fs.correlated = false
	x, err := Compile(a, &fs)
	if err != nil {
		return nil, err
	}
	// A term reading the enclosing query's row reads it as constants: the
	// outer slots of the template (a correlated subquery is planned again
	// for each outer row), so `inner.k = outer.c` is a key lookup.
	c := &conjunct{ast: a, expr: x}
	if fs.correlated {
		si.from.correlated = true
	}
	for _, slot := range ColumnRefs(x) {
		if t := si.lay.tableOf(slot); t >= 0 {
			c.tabs |= 1 << uint(t)
		}
	}
	// A correlated subquery reads the row through Env.Row, which
	// ColumnRefs does not see: keep such a term until every table has
	// joined.
	if depsOf(x)&depVolatile != 0 {
		c.all = true
	}
	return c, nil
}

// addFrom adds one FROM element to the layout. Inner joins' ON conjuncts
// are returned in ons to join the WHERE pool.
func (si *selectInfo) addFrom(te sqlparser.TableExpr, jk joinKind, ons []sqlparser.Expr) ([]sqlparser.Expr, error) {
	switch x := te.(type) {
	case *sqlparser.AliasedTableExpr:
		ft, err := si.fromTableOf(x)
		if err != nil {
			return nil, err
		}
		if ft == nil {
			return ons, nil // DUAL
		}
		for _, o := range si.lay.tabs {
			if strings.EqualFold(o.alias, ft.alias) {
				return nil, engErr(ErNonUniqTable, "Not unique table/alias: '%s'", ft.alias)
			}
		}
		if len(si.lay.tabs) >= maxJoinTables {
			return nil, engErr(ErTooManyTables, "Too many tables; MySQL can only use %d tables in a join", maxJoinTables)
		}
		ft.join = jk
		si.lay.addTable(ft)
		return ons, nil
	case *sqlparser.ParenTableExpr:
		for _, e := range x.Exprs {
			var err error
			if ons, err = si.addFrom(e, jk, ons); err != nil {
				return nil, err
			}
		}
		return ons, nil
	case *sqlparser.JoinTableExpr:
		var err error
		switch x.Join {
		case sqlparser.JoinStr, sqlparser.StraightJoinStr, sqlparser.NaturalJoinStr:
			start := len(si.lay.tabs)
			if ons, err = si.addFrom(x.LeftExpr, jk, ons); err != nil {
				return nil, err
			}
			first := len(si.lay.tabs)
			if ons, err = si.addFrom(x.RightExpr, joinInner, ons); err != nil {
				return nil, err
			}
			cond, err := si.joinCondition(x, start, first)
			if err != nil {
				return nil, err
			}
			return splitAnd(cond, ons), nil
		case sqlparser.LeftJoinStr, sqlparser.NaturalLeftJoinStr:
			start := len(si.lay.tabs)
			if ons, err = si.addFrom(x.LeftExpr, jk, ons); err != nil {
				return nil, err
			}
			first := len(si.lay.tabs)
			if ons, err = si.addFrom(x.RightExpr, joinLeft, ons); err != nil {
				return nil, err
			}
			if len(si.lay.tabs)-first != 1 {
				return nil, errNotSupported("LEFT JOIN of a parenthesized join")
			}
			cond, err := si.joinCondition(x, start, first)
			if err != nil {
				return nil, err
			}
			ft := si.lay.tabs[first]
			ft.on = splitAnd(cond, nil)
			return ons, nil
		case sqlparser.RightJoinStr:
			// a RIGHT JOIN b ON c runs as b LEFT JOIN a ON c; SELECT *
			// still lists a's columns first.
			first := len(si.lay.tabs)
			if ons, err = si.addFrom(x.RightExpr, jk, ons); err != nil {
				return nil, err
			}
			second := len(si.lay.tabs)
			if ons, err = si.addFrom(x.LeftExpr, joinLeft, ons); err != nil {
				return nil, err
			}
			if len(si.lay.tabs)-second != 1 {
				return nil, errNotSupported("RIGHT JOIN of a parenthesized join")
			}
			cond, err := si.joinCondition(x, first, second)
			if err != nil {
				return nil, err
			}
			ft := si.lay.tabs[second]
			ft.on = splitAnd(cond, nil)
			ft.star = si.lay.tabs[first].star - 0.5
			return ons, nil
		case sqlparser.NaturalRightJoinStr:
			return nil, errNotSupported("NATURAL RIGHT JOIN")
		}
		return nil, errNotSupported(x.Join)
	}
	return nil, errNotSupported("this FROM clause")
}

// qualifyOn qualifies the unqualified column names of an ON condition
// that name a column of the join's own tables (the layout's from index
// start on) with that table, as MySQL resolves them: the condition is
// compiled with the WHERE clause, over all the FROM clause's tables, where
// a table joined by a comma before or after the join could otherwise make
// the name ambiguous (FROM t1 JOIN t2 ON c > a, t3). A name two of the
// join's tables have is error 1052; other names (an enclosing query's,
// and those in subqueries) stay as written. The AST is changed in place:
// the qualification is the same at every planning of the statement.
func (si *selectInfo) qualifyOn(on sqlparser.Expr, start int) error {
	lay := si.lay
	var err error
	sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch c := n.(type) {
		case *sqlparser.Subquery:
			return false, nil
		case *sqlparser.ColName:
			if !c.Qualifier.IsEmpty() || err != nil {
				return false, nil
			}
			var found *fromTable
			for _, ft := range lay.tabs[start:] {
				for i, name := range ft.cols {
					if strings.EqualFold(name, c.Name.String()) && !lay.hidden[ft.off+i] {
						if found != nil {
							err = ErrAmbiguousColumn(c.Name.String(), "on clause")
							return false, nil
						}
						found = ft
						break
					}
				}
			}
			if found != nil {
				c.Qualifier = sqlparser.TableName{Name: sqlparser.NewTableIdent(found.alias)}
			}
			return false, nil
		}
		return err == nil, nil
	}, on)
	return err
}

// joinCondition returns a join's condition: ON, USING (a, b) as equalities,
// or NATURAL's common columns. The join's tables are the layout's from
// index start on; first is the index of its right side.
func (si *selectInfo) joinCondition(x *sqlparser.JoinTableExpr, start, first int) (sqlparser.Expr, error) {
	if x.Condition.On != nil {
		if err := si.qualifyOn(x.Condition.On, start); err != nil {
			return nil, err
		}
		return x.Condition.On, nil
	}
	lay := si.lay
	right := lay.tabs[first]
	// leftCol finds the column n of the tables before the right side
	// that an unqualified n names there (merged columns are hidden).
	leftCol := func(n string) (*fromTable, int) {
		for _, l := range lay.tabs[:first] {
			for i, lc := range l.cols {
				if strings.EqualFold(lc, n) && !lay.hidden[l.off+i] {
					return l, i
				}
			}
		}
		return nil, -1
	}
	var names []string
	for _, c := range x.Condition.Using {
		names = append(names, c.String())
	}
	if strings.HasPrefix(x.Join, "natural") {
		for _, c := range right.cols {
			if l, _ := leftCol(c); l != nil {
				names = append(names, c)
			}
		}
	}
	var cond sqlparser.Expr
	var merged []int
	for _, n := range names {
		left, li := leftCol(n)
		if left == nil {
			return nil, ErrUnknownColumn(n, "from clause")
		}
		ri := slices.IndexFunc(right.cols, func(c string) bool { return strings.EqualFold(c, n) })
		if ri < 0 {
			return nil, ErrUnknownColumn(n, "from clause")
		}
		if lay.hidden[right.off+ri] {
			return nil, engErr(ErNonUniq, "Column '%s' in from clause is ambiguous", n)
		}
		// The earlier side's column stays: the row's only one on a LEFT
		// JOIN, the joined (written right) table's on a RIGHT JOIN,
		// which runs as a LEFT JOIN the other way round.
		if lay.hidden == nil {
			lay.hidden = map[int]bool{}
		}
		lay.hidden[right.off+ri] = true
		merged = append(merged, left.off+li)
		eq := &sqlparser.ComparisonExpr{Operator: sqlparser.EqualStr,
			Left:  &sqlparser.ColName{Name: sqlparser.NewColIdent(n), Qualifier: sqlparser.TableName{Name: sqlparser.NewTableIdent(left.alias)}},
			Right: &sqlparser.ColName{Name: sqlparser.NewColIdent(n), Qualifier: sqlparser.TableName{Name: sqlparser.NewTableIdent(right.alias)}}}
		if cond == nil {
			cond = eq
		} else {
			cond = &sqlparser.AndExpr{Left: cond, Right: eq}
		}
	}
	for _, f := range lay.front {
		if !slices.Contains(merged, f) {
			merged = append(merged, f)
		}
	}
	lay.front = merged
	return cond, nil
}

// fromTableOf resolves one FROM element: a table, an information_schema
// table or a derived table.
func (si *selectInfo) fromTableOf(x *sqlparser.AliasedTableExpr) (*fromTable, error) {
	sc := si.sc
	switch e := x.Expr.(type) {
	case sqlparser.TableName:
		schema, name := e.Qualifier.String(), e.Name.String()
		alias := name
		if !x.As.IsEmpty() {
			alias = x.As.String()
		}
		if strings.EqualFold(schema, "information_schema") {
			v, err := sc.infoSchemaTable(name)
			if err != nil {
				return nil, err
			}
			v.alias = alias
			return v, nil
		}
		if schema == "" && strings.EqualFold(name, "dual") {
			return nil, nil
		}
		if schema == "" {
			if ft := sc.rcteTable(name, alias); ft != nil {
				return ft, nil
			}
		}
		if v := sc.cat.view(name); v != nil && (schema == "" || strings.EqualFold(schema, sc.e.dbName)) {
			return sc.viewTable(v, alias)
		}
		t, err := sc.lookupTable(schema, name)
		if err != nil {
			return nil, err
		}
		// The slices are the table's own: shared and never modified.
		ft := &fromTable{alias: alias, t: t, cols: t.names, types: t.types, null: t.nullOK}
		if h := x.Hints; h != nil && len(h.Indexes) > 0 {
			ft.hint = strings.TrimSpace(strings.ToLower(h.Type))
			ft.hintKeys = map[string]bool{}
			for _, n := range h.Indexes {
				name := n.String()
				if !strings.EqualFold(name, "PRIMARY") && t.index(name) == nil {
					return nil, engErr(ErKeyDoesNotExist, "Key '%s' doesn't exist in table '%s'", name, t.desc.Name)
				}
				ft.hintKeys[strings.ToLower(name)] = true
			}
		}
		return ft, nil
	case *sqlparser.Subquery:
		if doc, spec, ok := jsonTableOf(e.Select); ok {
			if x.As.IsEmpty() {
				return nil, engErr(erTFMustHaveAlias, "Every table function must have an alias")
			}
			return si.jsonTableFrom(doc, spec, x.As.String())
		}
		if x.As.IsEmpty() {
			return nil, engErr(1248, "Every derived table must have its own alias")
		}
		return sc.derivedTable(e.Select, x.As.String(), si.from.outer)
	}
	return nil, errNotSupported("this FROM element")
}

// selectItem is one output column of a SELECT.
type selectItem struct {
	name string
	expr Expr
	ast  sqlparser.Expr // nil for columns expanded from *
	ft   *fromTable     // for plain column references: the table
	col  int            // and the column
	agg  int            // aggregate index for a bare aggregate call, else -1
}

// finish adds aggregation, projection, HAVING, DISTINCT, ORDER BY and
// LIMIT on top of the joined rows.
func (si *selectInfo) finish(src rowIter, srcOrder *orderInfo, text string) (*queryPlan, error) {
	sc, sel, lay := si.sc, si.sel, si.lay
	var names []string
	namesDone := false
	exprName := func(i int) string {
		if !namesDone {
			names, namesDone = selectExprTexts(text, len(sel.SelectExprs)), true
		}
		if names != nil {
			return names[i]
		}
		return ""
	}
	aggregate := len(sel.GroupBy) > 0
	for _, se := range sel.SelectExprs {
		if ae, ok := se.(*sqlparser.AliasedExpr); ok && maybeAggregate(ae.Expr) {
			aggregate = true
		}
	}
	if sel.Having != nil && maybeAggregate(sel.Having.Expr) {
		aggregate = true
	}
	for _, o := range sel.OrderBy {
		if maybeAggregate(o.Expr) {
			aggregate = true
		}
	}
	aggs := &aggList{base: lay.width}
	proj := &fromScope{sc: sc, lay: lay, clause: "field list", outer: si.from.outer}
	var rollup *rollupInfo
	if hasMark(sel.Comments, rollupMark) {
		rollup = &rollupInfo{state: &rollupState{}}
		for _, g := range sel.GroupBy {
			if pos, ok := positionRef(g); ok && pos >= 1 && pos <= len(sel.SelectExprs) {
				if ae, ok := sel.SelectExprs[pos-1].(*sqlparser.AliasedExpr); ok {
					g = ae.Expr
				}
			} else if cn, ok := g.(*sqlparser.ColName); ok && cn.Qualifier.IsEmpty() {
				if _, found, _ := proj.find("", "", cn.Name.String()); !found {
					for _, se := range sel.SelectExprs {
						if ae, ok := se.(*sqlparser.AliasedExpr); ok && ae.As.EqualString(cn.Name.String()) {
							g = ae.Expr
							break
						}
					}
				}
			}
			rollup.keys = append(rollup.keys, sqlparser.String(g))
		}
		proj.rollup = rollup
	}
	aggs.from = proj
	if aggregate {
		proj.aggs = aggs
	}
	// Window calls: compiled first with placeholder slots, again once the
	// layout is known (plan_window.go).
	var wscope *windowScope
	winCalls := findWindows(sel)
	if len(winCalls) > 0 {
		wscope = &windowScope{Scope: proj}
		for _, e := range winCalls {
			wscope.calls = append(wscope.calls, &windowCall{ast: e})
		}
	}
	winItems := map[int]bool{} // select items that use window calls
	// Select list.
	items := make([]selectItem, 0, len(sel.SelectExprs))
	for i, se := range sel.SelectExprs {
		switch x := se.(type) {
		case *sqlparser.StarExpr:
			found := false
			tabs := append([]*fromTable(nil), lay.tabs...)
			sort.SliceStable(tabs, func(i, j int) bool { return tabs[i].star < tabs[j].star })
			all := x.TableName.IsEmpty()
			if all { // merged USING columns first (layout.front)
				for _, slot := range lay.front {
					ft := lay.tabs[lay.tableOf(slot)]
					items = append(items, selectItem{name: ft.cols[slot-ft.off], expr: &colExpr{idx: slot}, ft: ft, col: slot - ft.off, agg: -1})
				}
			}
			for _, ft := range tabs {
				if !all && !strings.EqualFold(x.TableName.Name.String(), ft.alias) {
					continue
				}
				found = true
				for ci, c := range ft.cols {
					if slot := ft.off + ci; all && (lay.hidden[slot] || slices.Contains(lay.front, slot)) {
						continue
					}
					items = append(items, selectItem{name: c, expr: &colExpr{idx: ft.off + ci}, ft: ft, col: ci, agg: -1})
				}
			}
			if !found {
				if x.TableName.IsEmpty() {
					return nil, engErr(1096, "No tables used")
				}
				return nil, engErr(ErUnknownTable, "Unknown table '%s'", x.TableName.Name.String())
			}
		case *sqlparser.AliasedExpr:
			var scope Scope = proj
			if wscope != nil && usesWindow(x.Expr) {
				scope = wscope
				winItems[len(items)] = true
			}
			e, err := Compile(x.Expr, scope)
			if err != nil {
				return nil, err
			}
			it := selectItem{expr: e, ast: x.Expr, col: -1, agg: -1}
			nameConst, isNameConst := nameConstName(x.Expr)
			switch {
			case !x.As.IsEmpty():
				it.name = x.As.String()
			case isNameConst:
				it.name = nameConst
			case isStringLiteral(x.Expr):
				it.name = string(x.Expr.(*sqlparser.SQLVal).Val)
			default:
				if _, isCol := x.Expr.(*sqlparser.ColName); !isCol {
					it.name = exprName(i)
				}
				if it.name == "" {
					it.name = defaultColumnName(x.Expr)
				}
			}
			if cn, ok := x.Expr.(*sqlparser.ColName); ok {
				if x.As.IsEmpty() {
					it.name = cn.Name.String()
				}
				if slot, ok := ColumnRef(e); ok {
					if t := lay.tableOf(slot); t >= 0 {
						it.ft, it.col = lay.tabs[t], slot-lay.tabs[t].off
					}
				}
			}
			if IsAggregate(x.Expr) {
				if slot, ok := ColumnRef(e); ok {
					it.agg = slot
				}
			}
			items = append(items, it)
		default:
			return nil, errNotSupported("this select expression")
		}
	}
	var calls []*windowCall
	var winInputs []Expr
	if wscope != nil {
		var err error
		if calls, winInputs, err = planWindows(winCalls, proj); err != nil {
			return nil, err
		}
	}
	nsel := len(items) // the select values; carried ones follow
	for _, slot := range si.carried {
		items = append(items, selectItem{expr: &colExpr{idx: slot}, col: -1, agg: -1})
	}
	if proj.correlated {
		si.from.correlated = true
	}
	width := lay.width // the wide row (incl. variable slots added so far)
	// itemJSON reports whether select value i is JSON-typed: a JSON
	// column, a JSON expression, MIN or MAX of one (not a window call's).
	itemJSON := func(i int) bool {
		if winItems[i] {
			return false
		}
		if columnInfoOf(items[i]).DatabaseTypeName == "JSON" {
			return true
		}
		return items[i].ast != nil && (&compiler{sc: proj}).jsonKindOf(items[i].ast, items[i].expr) == jkJSON
	}
	// GROUP BY keys are compiled in the FROM scope; a position or a select
	// alias that is not a column refers to the select expression. A
	// JSON-typed key groups by its sort key (json_order.go): JSON values
	// are equal as MySQL compares them, and the group shows its first
	// row's value. groupSlots are the slots of the keys that are columns
	// (ROLLUP's NULLs), else -1.
	var groupKeys []Expr
	var groupSlots []int
	addGroupKey := func(e Expr, json bool) {
		slot, ok := ColumnRef(e)
		if !ok || slot >= width {
			slot = -1
		}
		groupSlots = append(groupSlots, slot)
		if json {
			e = &unaryFunc{x: e, f: jsonSortKey}
		}
		groupKeys = append(groupKeys, e)
	}
	for _, g := range sel.GroupBy {
		if pos, ok := positionRef(g); ok {
			if pos < 1 || pos > len(items) {
				return nil, ErrUnknownColumn(positionText(g), "group statement")
			}
			if items[pos-1].ast != nil && ContainsAggregate(items[pos-1].ast) {
				return nil, engErr(1056, "Can't group on '%s'", items[pos-1].name)
			}
			addGroupKey(items[pos-1].expr, itemJSON(pos-1))
			continue
		}
		if cn, ok := g.(*sqlparser.ColName); ok && cn.Qualifier.IsEmpty() {
			if _, found, _ := proj.find("", "", cn.Name.String()); !found {
				if k := itemByAlias(items, cn.Name.String()); k >= 0 {
					addGroupKey(items[k].expr, itemJSON(k))
					continue
				}
			}
		}
		gs := *proj
		gs.aggs = nil
		gs.clause = "group statement"
		e, err := Compile(g, &gs)
		if err != nil {
			return nil, err
		}
		addGroupKey(e, (&compiler{sc: &gs}).jsonKindOf(g, e) == jkJSON)
	}
	// Post-projection scope: select values live at base+i.
	post := &postScope{fromScope: &fromScope{sc: sc, lay: lay, clause: "having clause", outer: si.from.outer, aggs: proj.aggs, rollup: rollup}}
	if sel.Having != nil || len(sel.OrderBy) > 0 {
		post.aliases, post.dup = map[string]int{}, map[string]bool{}
	}
	var having Expr
	// The aggregated row is | wide | aggs |; select values follow.
	// Aggregates can be added by HAVING and ORDER BY, so the projection
	// base is only known after compiling them. We therefore compile HAVING
	// and ORDER BY twice: first to collect aggregates, then for real.
	collect := func() error {
		cs := &postScope{fromScope: &fromScope{sc: sc, lay: lay, clause: "having clause", outer: si.from.outer, aggs: proj.aggs, rollup: rollup}, aliases: map[string]int{}, dup: map[string]bool{}}
		for i := range items {
			registerAlias(cs, items, i, width)
		}
		if sel.Having != nil {
			cs.groupCols = groupColumnNames(sel.GroupBy)
			if _, err := Compile(sel.Having.Expr, cs); err != nil {
				return err
			}
			cs.groupCols = nil
		}
		cs.clause = "order clause"
		for _, o := range sel.OrderBy {
			if _, ok := positionRef(o.Expr); ok {
				continue
			}
			cs.preferColumns = !bareColumn(o.Expr)
			if _, err := Compile(o.Expr, cs); err != nil {
				return err
			}
			cs.preferColumns = false
		}
		return nil
	}
	if aggregate {
		if aggs.base != width {
			return nil, errNotSupported("this correlated reference in an aggregate query")
		}
		if err := collect(); err != nil {
			return nil, err
		}
	}
	base := width
	if aggregate {
		base = width + len(aggs.specs)
	}
	if post.aliases != nil {
		for i := range items {
			registerAlias(post, items, i, base)
		}
	}
	if sel.Having != nil {
		post.groupCols = groupColumnNames(sel.GroupBy)
		e, err := Compile(sel.Having.Expr, post)
		if err != nil {
			return nil, err
		}
		post.groupCols = nil
		having = e
	}
	// ORDER BY keys: positions and aliases refer to select values; other
	// expressions are computed as hidden columns after the select values.
	// JSON values sort in MySQL's order of JSON values: by their sort keys
	// (json_order.go), computed as hidden columns too.
	post.clause = "order clause"
	var order []orderKey
	var hidden []Expr
	for _, o := range sel.OrderBy {
		desc := o.Direction == sqlparser.DescScr
		item := -1
		var e Expr
		if pos, ok := positionRef(o.Expr); ok {
			if pos < 1 || pos > nsel {
				return nil, ErrUnknownColumn(positionText(o.Expr), "order clause")
			}
			item = pos - 1
		} else {
			// A bare name is a select alias first; a name inside an
			// expression is a FROM column first (MySQL's ORDER BY col0
			// and ORDER BY col0 + 0 differ when col0 is both).
			post.preferColumns = !bareColumn(o.Expr)
			var err error
			e, err = Compile(o.Expr, post)
			post.preferColumns = false
			if err != nil {
				return nil, err
			}
			if slot, ok := ColumnRef(e); ok && slot >= base && slot < base+len(items) {
				item = slot - base
			}
		}
		switch {
		case item >= 0 && !itemJSON(item):
			order = append(order, orderKey{slot: base + item, desc: desc, item: item})
			continue
		case item >= 0:
			e = &unaryFunc{x: items[item].expr, f: jsonSortKey}
		case (&compiler{sc: post}).jsonKindOf(o.Expr, e) == jkJSON:
			e = &unaryFunc{x: e, f: jsonSortKey}
		}
		order = append(order, orderKey{slot: base + len(items) + len(hidden), desc: desc, item: -1, expr: e})
		hidden = append(hidden, e)
	}
	if post.correlated || proj.correlated {
		si.from.correlated = true
	}
	// Build the pipeline.
	it := src
	if rollup != nil {
		reuseSource(it)
		if !srcOrder.groupsSatisfied(groupKeys) {
			it = newSortByExprs(sc, it, groupKeys, width)
		}
		it = &rollupIter{sc: sc, in: it, keys: groupKeys, slots: groupSlots, aggs: aggs, width: width, state: rollup.state}
		srcOrder = nil
	} else if aggregate {
		ai := aggIter{sc: sc, in: it, keys: groupKeys, aggs: aggs, width: width, lay: lay, grouped: len(sel.GroupBy) > 0}
		reuseSource(it)
		if len(sel.GroupBy) > 0 && !srcOrder.groupsSatisfied(groupKeys) {
			// Hash the groups (falling back to sorting by the group keys
			// when they do not fit in memory).
			it = &hashAggIter{aggIter: ai, budget: sc.e.opts.SortMemory, rebuild: si.replan}
		} else {
			it = &ai
		}
		srcOrder = nil
	}
	exprs := make([]Expr, 0, len(items)+len(hidden)+len(winInputs))
	var later []windowItem
	if len(calls) > 0 {
		// The window values come after the hidden keys and the inputs; the
		// select values that use them are computed after them.
		shiftWindows(calls, base+len(items)+len(hidden))
		wscope.calls = calls
		for i := range items {
			if !winItems[i] {
				continue
			}
			e, err := Compile(items[i].ast, wscope)
			if err != nil {
				return nil, err
			}
			items[i].expr = e
			later = append(later, windowItem{slot: base + i, expr: e})
		}
	}
	for i, x := range items {
		if winItems[i] {
			exprs = append(exprs, &litExpr{v: Null})
			continue
		}
		exprs = append(exprs, x.expr)
	}
	exprs = append(exprs, hidden...)
	exprs = append(exprs, winInputs...)
	it = &projectIter{sc: sc, in: it, exprs: exprs, base: base}
	if rollup != nil {
		m := &rollupMaskIter{in: it, state: rollup.state, base: base, items: make([]int, len(items))}
		for i, x := range items {
			m.items[i] = -1
			if x.ast != nil {
				m.items[i] = rollup.keyIndex(x.ast)
			}
		}
		it = m
	}
	if having != nil {
		it = &filterIter{sc: sc, in: it, cond: having}
	}
	if len(calls) > 0 {
		it = &windowIter{sc: sc, in: it, calls: calls, items: later, width: base + len(exprs) + len(calls), budget: sc.e.opts.SortMemory}
		srcOrder = nil
	}
	if sel.Distinct != "" {
		// JSON values are distinct by their sort keys (json_order.go).
		var json []bool
		for i := range nsel {
			if itemJSON(i) {
				if json == nil {
					json = make([]bool, len(items))
				}
				json[i] = true
			}
		}
		it = &distinctIter{sc: sc, in: it, lo: base, hi: base + len(items), json: json, budget: sc.e.opts.SortMemory}
	}
	limit, offset, hasLimit, err := sc.limitValues(sel.Limit)
	if err != nil {
		return nil, err
	}
	if len(order) > 0 && !(srcOrder != nil && srcOrder.satisfies(order, items, base)) {
		it = newSortIter(sc, it, order, hasLimit, limit+offset)
		sc.noteSort()
	}
	if hasLimit {
		it = &limitIter{in: it, offset: offset, limit: limit}
	}
	it = &trimIter{in: it, lo: base, hi: base + len(items)}
	qp := &queryPlan{it: it, width: len(items), correlated: si.from.correlated, cols: make([]ColumnInfo, 0, len(items))}
	for _, x := range items {
		ci := columnInfoOf(x)
		if ci.Kind == KindNull && ci.DatabaseTypeName == "" {
			si.aggColumnInfo(&ci, x.expr, aggs)
		}
		if ci.Kind == KindNull && ci.DatabaseTypeName == "" {
			// Arithmetic on typed operands (compiled in the FROM or,
			// aggregated, the post scope: both see the same slots).
			if _, ok := x.expr.(*arithExpr); ok {
				if k, _, ok := (&compiler{sc: post}).staticKind(x.expr); ok {
					if name := staticKindNames[k]; name != "" {
						ci.Kind, ci.DatabaseTypeName = k, name
					}
				}
			}
		}
		if ci.Kind == KindNull && ci.DatabaseTypeName == "" && wscope != nil {
			windowColumnInfo(&ci, x.expr, wscope, lay)
		}
		qp.cols = append(qp.cols, ci)
	}
	return qp, nil
}

// bareColumn reports whether e is a column name (in parentheses or not).
func bareColumn(e sqlparser.Expr) bool {
	for {
		p, ok := e.(*sqlparser.ParenExpr)
		if !ok {
			break
		}
		e = p.Expr
	}
	_, ok := e.(*sqlparser.ColName)
	return ok
}

// groupColumnNames returns the lowercased names of the plain column
// references in GROUP BY, each with its reference (nil when there are
// none).
func groupColumnNames(g sqlparser.GroupBy) map[string]*sqlparser.ColName {
	var m map[string]*sqlparser.ColName
	for _, e := range g {
		if c, ok := e.(*sqlparser.ColName); ok {
			if m == nil {
				m = map[string]*sqlparser.ColName{}
			}
			lc := c.Name.Lowered()
			if old, dup := m[lc]; dup && (old == nil || !old.Equal(c)) {
				m[lc] = nil
				continue
			}
			m[lc] = c
		}
	}
	return m
}

// registerAlias records the name of select item i, whose value is in
// slot off+i, for HAVING / ORDER BY. Two items of one name make it
// ambiguous (error 1052 where it is used) unless they are the same
// expression, as in MySQL: SELECT a, t.a ... ORDER BY a is fine.
func registerAlias(p *postScope, items []selectItem, i, off int) {
	lc := strings.ToLower(items[i].name)
	if old, ok := p.aliases[lc]; ok && old != off+i {
		if !sameItem(items[old-off], items[i]) {
			p.dup[lc] = true
		}
		return
	}
	p.aliases[lc] = off + i
}

// sameItem reports whether select items a and b compute the same value:
// the same column, or the same expression text.
func sameItem(a, b selectItem) bool {
	if a.ft != nil || b.ft != nil {
		return a.ft == b.ft && a.col == b.col
	}
	return a.ast != nil && b.ast != nil && strings.EqualFold(sqlparser.String(a.ast), sqlparser.String(b.ast))
}

// itemByAlias returns the index of the select item named name, or -1.
func itemByAlias(items []selectItem, name string) int {
	for i, it := range items {
		if strings.EqualFold(it.name, name) {
			return i
		}
	}
	return -1
}

// positionText is a position's text for error 1054: without the
// parentheses it may be written in.
func positionText(e sqlparser.Expr) string {
	return strings.TrimRight(strings.TrimLeft(sqlparser.String(e), "("), ")")
}

// positionRef reports whether e is an integer literal (ORDER BY 2), also
// in parentheses (ORDER BY (2)).
func positionRef(e sqlparser.Expr) (int, bool) {
	for {
		p, ok := e.(*sqlparser.ParenExpr)
		if !ok {
			break
		}
		e = p.Expr // ORDER BY (2) is ORDER BY 2 in MySQL
	}
	v, ok := e.(*sqlparser.SQLVal)
	if !ok || v.Type != sqlparser.IntVal {
		return 0, false
	}
	n, err := strconv.Atoi(string(v.Val))
	if err != nil {
		return -1, true
	}
	return n, true
}

// limitValues evaluates LIMIT and OFFSET (constants or placeholders).
func (sc *stmtCtx) limitValues(l *sqlparser.Limit) (limit, offset int64, ok bool, err error) {
	if l == nil {
		return 0, 0, false, nil
	}
	eval := func(e sqlparser.Expr) (int64, error) {
		x, err := Compile(e, &TableScope{})
		if err != nil {
			return 0, err
		}
		v, err := EvalConstant(x, sc.env)
		if err != nil {
			return 0, err
		}
		switch v.K {
		case KindInt:
			if v.I < 0 {
				return 0, engErr(ErWrongArgsToLimit, "Incorrect arguments to LIMIT")
			}
			return v.I, nil
		case KindUint:
			return 1<<63 - 1, nil
		case KindString:
			if n, err := strconv.ParseInt(strings.TrimSpace(v.S), 10, 64); err == nil && n >= 0 {
				return n, nil
			}
		case KindFloat, KindDecimal:
			if n := ToInt64(v); n >= 0 {
				return n, nil
			}
		}
		return 0, engErr(ErWrongArgsToLimit, "Incorrect arguments to LIMIT")
	}
	if l.Rowcount != nil {
		if limit, err = eval(l.Rowcount); err != nil {
			return 0, 0, false, err
		}
	} else {
		limit = 1<<63 - 1
	}
	if l.Offset != nil {
		if offset, err = eval(l.Offset); err != nil {
			return 0, 0, false, err
		}
	}
	return limit, offset, true, nil
}
