package sqlfront

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Subqueries in expressions (IN, EXISTS, scalar) and in FROM (derived
// tables).
//
// A subquery is planned once when the enclosing expression is compiled,
// which tells whether it is correlated (reads a column of the enclosing
// query). An uncorrelated subquery runs at most once per statement: its
// rows are memoized by AST node, so the range analysis (col IN (SELECT
// ...) becomes key points) and the expression share one execution. A
// correlated subquery is planned and run again for every outer row, with
// the outer values in its layout's template; its own WHERE may then use
// them as constants for key ranges (`WHERE inner.k = outer.c` becomes a
// point lookup).
//
// Every subquery runs in a child statement context with its own Env, so
// that evaluating it never disturbs the enclosing operators' Env.Row.

// subqState is the memoized state of one subquery of a statement.
type subqState struct {
	sq    Subquery
	outer Scope      // the enclosing scope it was prepared in
	plan  *queryPlan // uncorrelated: the plan, run on first use
	rows  [][]Value
	done  bool
}

// child returns a statement context sharing sc's transaction, catalog and
// trees, with a fresh Env (same arguments and statement time).
func (sc *stmtCtx) child() *stmtCtx {
	env := *sc.env
	env.Row, env.memo, env.stack = nil, nil, nil
	c := *sc
	c.env = &env
	c.parent = sc
	c.depth = sc.depth + 1
	return &c
}

// prepareSubquery implements Scope.Subquery for the query whose scope is
// outer.
func (sc *stmtCtx) prepareSubquery(sel sqlparser.SelectStatement, outer Scope) (Subquery, error) {
	root := sc.memoRoot()
	if st, ok := root.subqs[sel]; ok && (!st.sq.Correlated || st.outer == outer) {
		return st.sq, nil
	}
	// A correlated subquery met again in another enclosing scope (its
	// enclosing query is itself correlated, and planned again for each
	// of its outer rows) is prepared again in that scope: a reference to
	// a query further out must get its slot in the new scope's layout,
	// which the old preparation's slot does not name.
	child := sc.child()
	probe := &outerProbe{Scope: outer}
	qp, err := child.planQuery(sel, probe, "")
	if err != nil {
		return Subquery{}, err
	}
	st := &subqState{outer: outer}
	if qp.correlated || probe.used {
		qp.it.Close()
		var memo *corrMemo
		if len(probe.slots) > 0 && !probe.other && !volatileQuery(sel) {
			memo = &corrMemo{slots: probe.slots, rows: map[string][][]Value{}}
		}
		st.sq = Subquery{Correlated: true, Width: qp.width, Run: func(env *Env) ([][]Value, error) {
			var key string
			if memo != nil {
				key = memo.key(env.Row)
				if rows, ok := memo.rows[key]; ok {
					return rows, nil
				}
			}
			c := sc.child()
			p, err := c.planQuery(sel, &outerProbe{Scope: outer, row: env.Row}, "")
			if err != nil {
				return nil, err
			}
			rows, err := drainPlan(c, p)
			if err == nil && memo != nil {
				memo.put(key, rows)
			}
			return rows, err
		}}
	} else {
		st.plan = qp
		st.sq = Subquery{Width: qp.width, Run: func(env *Env) ([][]Value, error) {
			if st.done {
				return st.rows, nil
			}
			rows, err := drainPlan(child, st.plan)
			if err != nil {
				return nil, err
			}
			st.rows, st.done, st.plan = rows, true, nil
			return rows, nil
		}}
	}
	if root.subqs == nil {
		root.subqs = map[sqlparser.SelectStatement]*subqState{}
	}
	root.subqs[sel] = st
	return st.sq, nil
}

// dmlScope is the scope of an UPDATE's SET list and of an INSERT's VALUES:
// the written table's columns, and subqueries that read other tables
// (reading the written table itself is MySQL's error 1093, through a view
// 1443). A plan that compiled a subquery holds this statement's context
// and is not cached.
type dmlScope struct {
	TableScope
	sc     *stmtCtx
	target string // the table written
	op     string // "UPDATE" or "INSERT", for error 1443
	subq   bool   // a subquery was compiled
}

// Subquery implements Scope.
func (s *dmlScope) Subquery(sel sqlparser.SelectStatement) (Subquery, error) {
	return s.subquery(sel, &s.TableScope)
}

// subquery prepares sel with outer as the scope of its enclosing query.
func (s *dmlScope) subquery(sel sqlparser.SelectStatement, outer Scope) (Subquery, error) {
	if err := s.sc.targetReadErr(sel, s.target, s.op); err != nil {
		return Subquery{}, err
	}
	s.subq = true
	return s.sc.prepareSubquery(sel, outer)
}

// check1093 refuses, as MySQL does, a single-table UPDATE or DELETE (op)
// whose WHERE clause has a subquery reading the written table: error 1093,
// or 1443 through a view (a derived table around the subquery is the
// documented way around, see readsTable).
func (sc *stmtCtx) check1093(te sqlparser.TableExprs, where *sqlparser.Where, op string) error {
	if where == nil || len(te) != 1 {
		return nil
	}
	ate, ok := te[0].(*sqlparser.AliasedTableExpr)
	if !ok {
		return nil
	}
	tn, ok := ate.Expr.(sqlparser.TableName)
	if !ok {
		return nil
	}
	var err error
	sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if sq, ok := n.(*sqlparser.Subquery); ok {
			if err == nil {
				err = sc.targetReadErr(sq.Select, tn.Name.String(), op)
			}
			return false, nil
		}
		return err == nil, nil
	}, where.Expr)
	return err
}

// targetReadErr returns error 1093 if a FROM clause of sel names table,
// the target of a statement op, and 1443 if one names a view that reads
// it.
func (sc *stmtCtx) targetReadErr(sel sqlparser.SelectStatement, table, op string) error {
	via, found := readsTable(sel, table, func(name string) sqlparser.SelectStatement {
		if sc.cat == nil {
			return nil
		}
		d := sc.cat.view(name)
		if d == nil {
			return nil
		}
		v, err := parseViewQuery(d)
		if err != nil {
			return nil
		}
		return v
	}, 0)
	switch {
	case !found:
		return nil
	case via != "":
		return engErr(1443, "The definition of table '%s' prevents operation %s on table '%s'.", via, op, table)
	}
	return engErr(1093, "You can't specify target table '%s' for update in FROM clause", table)
}

// readsTable reports whether a FROM clause in sel (or in its subqueries,
// or in the queries of the views it names, which view returns) names
// table; via is the view of sel's that does, "" for a direct reference.
// Derived tables do not count: they are materialized before the statement
// writes, so reading the written table through one is MySQL's documented
// way around error 1093.
func readsTable(sel sqlparser.SelectStatement, table string, view func(string) sqlparser.SelectStatement, depth int) (via string, found bool) {
	sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if ate, ok := n.(*sqlparser.AliasedTableExpr); ok {
			switch x := ate.Expr.(type) {
			case sqlparser.TableName:
				name := x.Name.String()
				if strings.EqualFold(name, table) {
					found = true
				} else if view != nil && depth < 16 {
					if v := view(name); v != nil {
						if _, ok := readsTable(v, table, view, depth+1); ok {
							found, via = true, name
						}
					}
				}
			case *sqlparser.Subquery:
				return false, nil
			}
		}
		return !found, nil
	}, sel)
	return via, found
}

// memoRoot returns the context that memoizes sc's subqueries: the
// trigger context sc runs in, if any, else the root.
func (sc *stmtCtx) memoRoot() *stmtCtx {
	if sc.memoAt != nil {
		return sc.memoAt
	}
	return sc.root()
}

// root returns the top-level statement context.
func (sc *stmtCtx) root() *stmtCtx {
	for sc.parent != nil {
		sc = sc.parent
	}
	return sc
}

// drainPlan runs a plan to the end and returns copies of its rows.
func drainPlan(sc *stmtCtx, qp *queryPlan) ([][]Value, error) {
	defer qp.it.Close()
	var rows [][]Value
	for {
		r, err := qp.it.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, cloneRow(r))
	}
}

// outerProbe is the scope a subquery sees as its enclosing query: it
// records whether any name resolved there, and which slots of the
// enclosing row, and when the outer row is known (a correlated run)
// provides its values.
type outerProbe struct {
	Scope
	row   []Value
	used  bool
	slots []int
	// other is set when the subquery reached the enclosing query other
	// than by a column (an aggregate of it): its rows are then not a
	// function of slots alone.
	other bool
}

// Aggregate implements Scope.
func (p *outerProbe) Aggregate(e sqlparser.Expr) (int, error) {
	slot, err := p.Scope.Aggregate(e)
	if err == nil {
		p.used, p.other = true, true
	}
	return slot, err
}

// Column implements Scope.
func (p *outerProbe) Column(db, table, name string) (int, error) {
	slot, err := p.Scope.Column(db, table, name)
	if err == nil {
		p.used = true
		if !slices.Contains(p.slots, slot) {
			p.slots = append(p.slots, slot)
		}
	}
	return slot, err
}

// corrMemo remembers a correlated subquery's rows by the values of the
// enclosing row it reads, for the statement: a subquery whose outer
// values repeat (a condition on one side of a join, evaluated for every
// pair; a lookup by a column with few distinct values) is planned and
// run once per distinct set of values. Subqueries that call volatile
// functions or read or set user variables are not memoized.
type corrMemo struct {
	slots []int
	rows  map[string][][]Value
	buf   []byte
	n     int // values held
}

// corrMemoMax bounds the values a corrMemo holds; past it, new results
// are not kept.
const corrMemoMax = 1 << 16

// key encodes the values of the slots of row exactly (kind, collation
// and bits: 'a' and 'A' are different keys).
func (m *corrMemo) key(row []Value) string {
	b := m.buf[:0]
	for _, slot := range m.slots {
		v := Null
		if slot < len(row) {
			v = row[slot]
		}
		b = append(b, byte(v.K), byte(v.C))
		switch v.K {
		case KindNull:
		case KindInt:
			b = binary.LittleEndian.AppendUint64(b, uint64(v.I))
		case KindUint:
			b = binary.LittleEndian.AppendUint64(b, v.U)
		case KindFloat:
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.F))
		case KindTime:
			b = binary.LittleEndian.AppendUint64(b, uint64(v.T.UnixNano()))
			b = binary.LittleEndian.AppendUint64(b, uint64(v.I))
		default:
			b = binary.AppendUvarint(b, uint64(len(v.S)))
			b = append(b, v.S...)
		}
	}
	m.buf = b
	return string(b)
}

// put remembers rows under key while the memo has room.
func (m *corrMemo) put(key string, rows [][]Value) {
	size := 1
	for _, r := range rows {
		size += len(r)
	}
	if m.n+size > corrMemoMax {
		return
	}
	m.n += size
	m.rows[key] = rows
}

// volatileQuery reports whether a query calls a function whose result may
// differ between calls (RAND, UUID, SLEEP, LAST_INSERT_ID(x), ...) or reads
// or sets a user variable: its rows are not a function of the outer row.
func volatileQuery(sel sqlparser.SelectStatement) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if f, ok := n.(*sqlparser.FuncExpr); ok {
			name := f.Name.Lowered()
			d := builtins[name]
			if name == "s@v" || name == "v@r" || d != nil && (d.flags&fVolatile != 0 || d.flags&fVolatileArgs != 0 && len(f.Exprs) > 0) {
				found = true
			}
		}
		return !found, nil
	}, sel)
	return found
}

// outerValue returns the enclosing row's value in slot (NULL when the row
// is not known yet).
func (p *outerProbe) outerValue(slot int) Value {
	if slot < len(p.row) {
		return p.row[slot]
	}
	return Null
}

// virtualSrc produces the rows of a table that is not stored: an
// information_schema table or a derived table.
type virtualSrc struct {
	name string
	gen  func(sc *stmtCtx) ([][]Value, error)
	rows [][]Value
	done bool
}

// load returns the rows, generating them once per statement.
func (v *virtualSrc) load(sc *stmtCtx) ([][]Value, error) {
	if v.done {
		return v.rows, nil
	}
	rows, err := v.gen(sc)
	if err != nil {
		return nil, err
	}
	v.rows, v.done = rows, true
	return rows, nil
}

// derivedTable plans a subquery in FROM as a table named alias.
func (sc *stmtCtx) derivedTable(sel sqlparser.SelectStatement, alias string, outer Scope) (*fromTable, error) {
	return sc.derivedTableNamed(sel, alias, "", nil)
}

// errColumnCount is derivedTableNamed's error for a query that does not
// yield len(names) columns.
var errColumnCount = errors.New("sqlfront: derived table column count")

// derivedTableNamed plans sel as a table named alias whose columns are
// named names (if given; else as the query names them; text is the query's
// text, to name expression columns, or "").
func (sc *stmtCtx) derivedTableNamed(sel sqlparser.SelectStatement, alias, text string, names []string) (*fromTable, error) {
	child := sc.child()
	qp, err := child.planQuery(sel, nil, text)
	if err != nil {
		return nil, err
	}
	if names != nil && len(names) != len(qp.cols) {
		qp.it.Close()
		return nil, errColumnCount
	}
	ft := &fromTable{alias: alias}
	seen := map[string]bool{}
	for i, c := range qp.cols {
		name := c.Name
		if names != nil {
			name = names[i]
		}
		if seen[name] {
			qp.it.Close()
			return nil, engErr(ErDupFieldName, "Duplicate column name '%s'", name)
		}
		seen[name] = true
		ft.cols = append(ft.cols, name)
		ft.types = append(ft.types, ColumnType{})
		ft.null = append(ft.null, true)
		ft.info = append(ft.info, c)
	}
	ft.virt = &virtualSrc{name: "derived " + alias, gen: func(*stmtCtx) ([][]Value, error) { return drainPlan(child, qp) }}
	return ft, nil
}
