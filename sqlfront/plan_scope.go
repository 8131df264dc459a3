package sqlfront

import (
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Name resolution for queries. A query's FROM clause defines a layout of
// the "wide row": the columns of every table, one after the other, then
// slots for variables (@@version, @x) and for the outer values a
// correlated subquery reads. Expressions over the FROM clause are compiled
// against fromScope; those after GROUP BY and projection against
// postScope, whose rows extend the wide row:
//
//	wide row      | t1 cols | t2 cols | vars/outer |
//	aggregated    | wide row of the group's first row | aggregates |
//	projected     | aggregated (or wide) row | select values | order keys |

// fromTable is one table of a FROM clause.
type fromTable struct {
	alias string       // name the query uses (alias or table name)
	t     *table       // base table; nil for virtual and derived tables
	virt  *virtualSrc  // information_schema table or derived table
	cols  []string     // column names
	types []ColumnType // column types (TypeAny when unknown)
	null  []bool       // nullable
	off   int          // first slot in the wide row
	// join says how the table joins the tables before it in execution
	// order: joinInner (also comma joins and the first table) or joinLeft.
	join joinKind
	on   []sqlparser.Expr // conjuncts of a LEFT JOIN's ON (inner joins pool theirs)
	pos  int              // position in execution order
	// keySlot, when > 0, is a slot that sources fill with the row's
	// encoded primary key (UPDATE and DELETE need it).
	keySlot int
	// star orders the tables for SELECT * (FROM order; a RIGHT JOIN runs
	// its tables in the other order).
	star float64
	// hint is an index hint: "use", "force" or "ignore" with the key names
	// (lowercased; "primary" for the primary key).
	hint     string
	hintKeys map[string]bool
	// info describes a derived table's columns as its query does (their
	// types are TypeAny): result metadata and set operations use it.
	info []ColumnInfo
	// jt is a JSON_TABLE call's plan: its rows depend on the row of the
	// tables before it (plan_jsontable.go).
	jt *jsonTable
}

// joinKind is a join type.
type joinKind uint8

const (
	joinInner joinKind = iota
	joinLeft
)

// layout is the slot layout of a query's wide row.
type layout struct {
	tabs  []*fromTable
	width int
	// tmpl is the initial wide row: NULL columns and the values of the
	// variable and outer slots.
	tmpl  []Value
	vars  map[string]int // variable name (as written, lowercased) -> slot
	outer []outerRef     // correlated references, filled per run
	// A join USING (c) (or NATURAL) merges the two sides' c into one
	// column, as in MySQL: the joined-later side's c is hidden from
	// unqualified names and from SELECT * (a qualified t.c still finds
	// it), and SELECT * lists the merged columns first (front, the
	// outermost join's first), then every table's other columns.
	hidden map[int]bool
	front  []int
}

// outerRef is a slot of a subquery's wide row that holds a value of the
// enclosing query's row.
type outerRef struct {
	outerSlot int // slot in the enclosing query's Env.Row
	slot      int // slot in this layout
}

// addSlot appends a slot holding v and returns its index.
func (l *layout) addSlot(v Value) int {
	l.tmpl = append(l.tmpl, v)
	l.width++
	return l.width - 1
}

// newRow returns a fresh wide row initialized from the template.
func (l *layout) newRow() []Value {
	r := make([]Value, l.width)
	copy(r, l.tmpl)
	return r
}

// maxJoinTables is the most tables one SELECT joins: the planner's table
// sets are 64-bit masks. (MySQL's limit is 61; SQLite's, 64, is what
// sqllogictest's select5 joins.)
const maxJoinTables = 64

// addTable appends a table's columns to the layout.
func (l *layout) addTable(ft *fromTable) {
	ft.off = l.width
	ft.pos = len(l.tabs)
	ft.star = float64(len(l.tabs))
	l.tabs = append(l.tabs, ft)
	for range ft.cols {
		l.addSlot(Null)
	}
}

// tableOf returns the index of the table owning slot, or -1 for variable
// and outer slots.
func (l *layout) tableOf(slot int) int {
	for i, ft := range l.tabs {
		if slot >= ft.off && slot < ft.off+len(ft.cols) {
			return i
		}
	}
	return -1
}

// fromScope resolves names over a FROM clause (WHERE, ON, GROUP BY,
// aggregate arguments, select expressions of non-aggregate queries).
type fromScope struct {
	sc     *stmtCtx
	lay    *layout
	clause string      // for error messages: "where clause", "field list", ...
	outer  Scope       // enclosing query's scope, for correlated subqueries
	aggs   *aggList    // where aggregates go; nil: not allowed
	post   *postScope  // set when select aliases may be referenced (HAVING, ORDER BY)
	rollup *rollupInfo // GROUP BY ... WITH ROLLUP (GROUPING reads it)
	// correlated is set when a name resolved in the enclosing query.
	correlated bool
}

// Column implements Scope.
func (s *fromScope) Column(db, tbl, name string) (int, error) {
	if strings.HasPrefix(name, "@") {
		return s.variable(name)
	}
	if slot, ok, err := s.find(db, tbl, name); ok || err != nil {
		return slot, err
	}
	if s.outer != nil {
		oslot, err := s.outer.Column(db, tbl, name)
		if err == nil {
			s.correlated = true
			for _, o := range s.lay.outer {
				if o.outerSlot == oslot {
					return o.slot, nil
				}
			}
			v := Null
			if p, ok := s.outer.(*outerProbe); ok {
				v = p.outerValue(oslot)
			}
			slot := s.lay.addSlot(v)
			s.lay.outer = append(s.lay.outer, outerRef{outerSlot: oslot, slot: slot})
			return slot, nil
		}
		var se *SQLError
		if asSQLError(err, &se) && se.Number == ErNonUniq {
			return 0, err
		}
	}
	full := name
	if tbl != "" {
		full = tbl + "." + name
	}
	return 0, ErrUnknownColumn(full, s.clauseName())
}

// clauseName returns the clause for messages.
func (s *fromScope) clauseName() string {
	if s.clause == "" {
		return "field list"
	}
	return s.clause
}

// find resolves a column of this query's tables.
func (s *fromScope) find(db, tbl, name string) (int, bool, error) {
	if db != "" && !strings.EqualFold(db, s.sc.e.dbName) && !strings.EqualFold(db, "information_schema") {
		return 0, false, nil
	}
	found, slot := 0, 0
	for _, ft := range s.lay.tabs {
		if tbl != "" && !strings.EqualFold(ft.alias, tbl) {
			continue
		}
		for i, c := range ft.cols {
			if strings.EqualFold(c, name) && (tbl != "" || !s.lay.hidden[ft.off+i]) {
				found++
				slot = ft.off + i
				break
			}
		}
	}
	switch {
	case found > 1:
		return 0, false, ErrAmbiguousColumn(name, s.clauseName())
	case found == 1:
		return slot, true, nil
	}
	return 0, false, nil
}

// variable returns the slot of a user (@x) or system (@@x) variable,
// filled with its value now (variables are constant during a statement).
func (s *fromScope) variable(name string) (int, error) {
	key := strings.ToLower(name)
	if slot, ok := s.lay.vars[key]; ok {
		return slot, nil
	}
	v, err := s.sc.s.variableValue(key)
	if err != nil {
		return 0, err
	}
	if s.lay.vars == nil {
		s.lay.vars = map[string]int{}
	}
	slot := s.lay.addSlot(v)
	s.lay.vars[key] = slot
	return slot, nil
}

// Aggregate implements Scope.
func (s *fromScope) Aggregate(e sqlparser.Expr) (int, error) {
	if s.aggs == nil {
		return 0, ErrInvalidGroupFunc()
	}
	return s.aggs.slot(e)
}

// Subquery implements Scope.
func (s *fromScope) Subquery(sel sqlparser.SelectStatement) (Subquery, error) {
	return s.sc.prepareSubquery(sel, s)
}

// asSQLError is errors.As for *SQLError.
func asSQLError(err error, target **SQLError) bool {
	for err != nil {
		switch e := err.(type) {
		case *SQLError:
			*target = e
			return true
		case *wrappedSQLError:
			*target = e.SQLError
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// aggList collects the aggregate calls of a query. Each distinct call (by
// its SQL text) gets one slot after the wide row.
type aggList struct {
	base  int // first aggregate slot (the wide row's width)
	specs []AggSpec
	texts []string
	args  [][]Expr // compiled arguments (in the from scope)
	order [][]Expr // GROUP_CONCAT ORDER BY keys
	from  *fromScope
}

// slot returns the slot of aggregate e, compiling its arguments in the
// FROM scope.
func (a *aggList) slot(e sqlparser.Expr) (int, error) {
	text := strings.ToLower(sqlparser.String(e))
	for i, t := range a.texts {
		if t == text {
			return a.base + i, nil
		}
	}
	spec, err := ParseAggregate(e)
	if err != nil {
		return 0, err
	}
	if spec.Func == AggGroupConcat && a.from.sc != nil && a.from.sc.s != nil {
		spec.MaxLen = int(a.from.sc.s.intVar("group_concat_max_len", GroupConcatMaxLen))
	}
	fs := *a.from
	fs.aggs = nil // no nested aggregates
	var args, order []Expr
	for _, ae := range spec.Args {
		c := &compiler{sc: &fs}
		x, err := c.compile(ae)
		if err != nil {
			return 0, err
		}
		args = append(args, x)
		if spec.Func == AggJSONArray || spec.Func == AggJSONObject {
			// A JSON-typed argument is inserted as the JSON it holds,
			// a boolean one as true/false (func_json.go).
			spec.jsonKinds = append(spec.jsonKinds, c.jsonKindOf(ae, x))
		} else if (spec.Distinct || spec.Func == AggMin || spec.Func == AggMax) && c.jsonKindOf(ae, x) == jkJSON {
			// DISTINCT, MIN and MAX compare JSON values by their sort
			// keys (json_order.go).
			if spec.jsonArgs == nil {
				spec.jsonArgs = make([]bool, len(spec.Args))
			}
			spec.jsonArgs[len(args)-1] = true
		}
	}
	for _, o := range spec.OrderBy {
		x, err := Compile(o.Expr, &fs)
		if err != nil {
			return 0, err
		}
		order = append(order, x)
	}
	if fs.correlated {
		a.from.correlated = true
	}
	a.specs = append(a.specs, spec)
	a.texts = append(a.texts, text)
	a.args = append(a.args, args)
	a.order = append(a.order, order)
	return a.base + len(a.specs) - 1, nil
}

// postScope resolves names after projection (HAVING, ORDER BY): select
// aliases first, then the FROM scope (whose aggregates get slots).
type postScope struct {
	*fromScope
	aliases map[string]int // lowercased alias -> slot of the select value
	dup     map[string]bool
	// preferColumns resolves table columns before aliases (GROUP BY).
	preferColumns bool
	// groupCols holds the lowercased names of the bare columns in GROUP
	// BY while HAVING is compiled: like MySQL, a HAVING name that is both
	// a select alias and a GROUP BY column means the column.
	// (nil entry: two GROUP BY columns of that name; the alias is used).
	groupCols map[string]*sqlparser.ColName
}

// Column implements Scope.
func (p *postScope) Column(db, tbl, name string) (int, error) {
	if tbl == "" && db == "" && !strings.HasPrefix(name, "@") {
		lc := strings.ToLower(name)
		if slot, ok := p.aliases[lc]; ok {
			if p.preferColumns {
				if s, ok, err := p.fromScope.find("", "", name); ok || err != nil {
					return s, err
				}
			}
			if g := p.groupCols[lc]; g != nil {
				if s, ok, err := p.fromScope.find(g.Qualifier.Qualifier.String(), g.Qualifier.Name.String(), g.Name.String()); ok && err == nil {
					return s, nil
				}
			}
			if p.dup[lc] {
				return 0, ErrAmbiguousColumn(name, p.clauseName())
			}
			return slot, nil
		}
	}
	return p.fromScope.Column(db, tbl, name)
}
