package sqlfront

import (
	"io"
	"strings"
	"sync"
	"time"

	"github.com/xwb1989/sqlparser"
)

// Shared parts of INSERT, UPDATE and DELETE: column defaults, value
// checks, CHECK constraints and the scan of the rows a statement targets.

// compiledDefaults are a table's DEFAULT and ON UPDATE expressions,
// compiled once per catalog version (the *table is immutable and shared,
// hence the sync.Once).
type compiledDefaults struct {
	once   sync.Once
	err    error
	def    []Expr // per column: DEFAULT expression; nil without one
	now    []bool // DEFAULT is CURRENT_TIMESTAMP
	onupd  []bool // ON UPDATE CURRENT_TIMESTAMP
	checks []Expr // CHECK constraints over the row (ordinal layout)
	names  []string
	gen    []Expr // per column: a generated column's expression; nil when the table has none
}

// defaults returns t's compiled defaults.
func (t *table) defaults() (*compiledDefaults, error) {
	d := t.defs
	d.once.Do(func() {
		n := len(t.cols)
		d.def, d.now, d.onupd = make([]Expr, n), make([]bool, n), make([]bool, n)
		for i, c := range t.cols {
			if c.desc.OnUpdate != "" {
				d.onupd[i] = true
			}
			if !c.desc.HasDefault {
				continue
			}
			if defaultIsNow(c.desc.Default) {
				d.now[i] = true
				continue
			}
			x, err := compileText(c.desc.Default, &TableScope{Table: t.desc.Name, Columns: t.lcNames})
			if err != nil {
				d.err = err
				return
			}
			d.def[i] = x
		}
		for i, c := range t.cols {
			if c.desc.Gen == "" {
				continue
			}
			x, err := compileText(c.desc.Gen, &TableScope{Table: t.desc.Name, Columns: t.lcNames, Clause: "generated column function"})
			if err != nil {
				d.err = err
				return
			}
			if d.gen == nil {
				d.gen = make([]Expr, n)
			}
			d.gen[i] = x
		}
		for _, ck := range t.desc.Checks {
			if ck.NotEnforced {
				continue
			}
			x, err := compileText(ck.Expr, &TableScope{Table: t.desc.Name, Columns: t.lcNames, Clause: "check constraint"})
			if err != nil {
				d.err = err
				return
			}
			d.checks = append(d.checks, x)
			d.names = append(d.names, ck.Name)
		}
	})
	return d, d.err
}

// compileText parses and compiles an expression given as SQL text.
func compileText(text string, sc Scope) (Expr, error) {
	x, err := parseSoleExpr(text)
	if err != nil {
		return nil, NewSQLError(ErParse, "You have an error in your SQL syntax near '%s'", text)
	}
	return Compile(x, sc)
}

// evalConstExpr evaluates an expression without columns.
func evalConstExpr(e sqlparser.Expr) (Value, error) {
	x, err := Compile(e, &TableScope{})
	if err != nil {
		return Null, err
	}
	return x.Eval(&Env{Now: time.Now()})
}

// nowOf returns the statement time as a value of column type t: truncated
// to the column's precision, like NOW(p), never rounded up past the clock;
// the session zone's wall clock, for TIMESTAMP columns too, which hold
// wall-clock values as DATETIME does (doc.go, Time zones): a default reads
// back as NOW() would.
func nowOf(env *Env, t ColumnType) Value {
	now := env.localNow()
	switch t.Base {
	case TypeDate:
		return DateValue(now)
	}
	now = truncTime(now, clampFsp(t.Scale))
	switch t.Base {
	case TypeTime:
		return DurationValue(time.Duration(now.Hour())*time.Hour+time.Duration(now.Minute())*time.Minute+time.Duration(now.Second())*time.Second+time.Duration(now.Nanosecond()), t.Scale)
	}
	return DatetimeValue(now, t.Scale)
}

// noDefault marks a column value that must be supplied (NOT NULL without
// DEFAULT): error 1364 if it stays unset.
var noDefault = Value{K: KindNull, I: -1}

// defaultValue returns column i's default for a new row (noDefault when
// there is none and the column is NOT NULL and not AUTO_INCREMENT).
func (sc *stmtCtx) defaultValue(t *table, d *compiledDefaults, i int, row []Value) (Value, error) {
	c := t.cols[i]
	switch {
	case d.now[i]:
		return nowOf(sc.env, c.typ), nil
	case d.def[i] != nil:
		env := *sc.env
		env.Row = row
		v, err := d.def[i].Eval(&env)
		if err != nil {
			return Null, err
		}
		if v.K == KindNull {
			return Null, nil
		}
		return CoerceColumn(v, c.typ, c.desc.Name, 0)
	case c.desc.HasDefault || !c.desc.NotNull || c.desc.AutoInc:
		return Null, nil
	}
	return noDefault, nil
}

// generate computes the generated columns of a row about to be stored
// (ordinal layout), in column order, each from the row as it stands
// (earlier generated columns included). rowNum (1-based) is for messages;
// with ignore (INSERT/UPDATE IGNORE) a value that does not fit the column
// is adjusted with a warning, as other values are.
func (sc *stmtCtx) generate(t *table, d *compiledDefaults, row []Value, rowNum int, ignore bool) error {
	if d.gen == nil {
		return nil
	}
	env := *sc.env
	env.Row = row
	for i, x := range d.gen {
		if x == nil {
			continue
		}
		v, err := x.Eval(&env)
		if err != nil {
			return err
		}
		switch {
		case v.K == KindNull:
		case ignore:
			v = sc.coerceIgnore(v, t.cols[i].typ, t.cols[i].desc.Name, rowNum)
		default:
			if v, err = CoerceColumn(v, t.cols[i].typ, t.cols[i].desc.Name, rowNum); err != nil {
				return err
			}
		}
		row[i] = v
	}
	return nil
}

// errGeneratedValue is MySQL's error 3105: a value written to a
// generated column (only DEFAULT is allowed).
func errGeneratedValue(col, table string) error {
	return engErr(3105, "The value specified for generated column '%s' in table '%s' is not allowed.", col, table)
}

// checkRow enforces NOT NULL and CHECK constraints on a row about to be
// stored. rowNum (1-based) is for messages.
func (sc *stmtCtx) checkRow(t *table, d *compiledDefaults, row []Value) error {
	for i, c := range t.cols {
		if row[i] == noDefault {
			return engErr(ErNoDefaultForField, "Field '%s' doesn't have a default value", c.desc.Name)
		}
		if row[i].K == KindNull && c.desc.NotNull {
			return engErr(ErBadNull, "Column '%s' cannot be null", c.desc.Name)
		}
	}
	if len(d.checks) > 0 {
		env := *sc.env
		env.Row = row
		for i, x := range d.checks {
			v, err := x.Eval(&env)
			if err != nil {
				return err
			}
			if b, null := Truth(v); !b && !null {
				return engErr(3819, "Check constraint '%s' is violated.", d.names[i])
			}
		}
	}
	return nil
}

// coerceRow converts every value of row to its column type.
func coerceRow(t *table, row []Value, rowNum int) error {
	for i, c := range t.cols {
		if row[i].K == KindNull {
			continue
		}
		v, err := CoerceColumn(row[i], c.typ, c.desc.Name, rowNum)
		if err != nil {
			return err
		}
		row[i] = v
	}
	return nil
}

// identical reports whether two stored values are the same bytes (for
// "changed rows": 'a' -> 'A' is a change).
func identical(a, b Value) bool {
	if a.K != b.K {
		return false
	}
	switch a.K {
	case KindNull:
		return true
	case KindInt:
		return a.I == b.I
	case KindUint:
		return a.U == b.U
	case KindFloat:
		return a.F == b.F
	case KindTime:
		return a.T.Equal(b.T) && a.I == b.I
	}
	return a.S == b.S
}

// target is one row a DELETE or UPDATE acts on.
type target struct {
	pk  []byte
	row []Value
}

// dmlTable resolves the single table of an UPDATE or DELETE.
func (sc *stmtCtx) dmlTable(te sqlparser.TableExprs) (*table, string, error) {
	if len(te) != 1 {
		return nil, "", errNotSupported("multi-table UPDATE and DELETE")
	}
	ate, ok := te[0].(*sqlparser.AliasedTableExpr)
	if !ok {
		return nil, "", errNotSupported("multi-table UPDATE and DELETE")
	}
	tn, ok := ate.Expr.(sqlparser.TableName)
	if !ok {
		return nil, "", errNotSupported("UPDATE or DELETE of a derived table")
	}
	if strings.EqualFold(tn.Qualifier.String(), "information_schema") {
		return nil, "", engErr(1044, "Access denied for user to database 'information_schema'")
	}
	t, err := sc.lookupTable(tn.Qualifier.String(), tn.Name.String())
	if err != nil {
		return nil, "", err
	}
	alias := tn.Name.String()
	if !ate.As.IsEmpty() {
		alias = ate.As.String()
	}
	return t, alias, nil
}

// targetIter returns the rows a DELETE or UPDATE acts on: rows of ncols
// values followed by the primary key, or (point statements) the one row
// in one, whose primary key is pk.
type targetIter struct {
	it    rowIter
	ncols int
	pk    []byte
	one   oneRow
}

// next returns the next target or io.EOF.
func (ti *targetIter) next() (target, error) {
	r, err := ti.it.Next()
	if err != nil {
		return target{}, err
	}
	if ti.pk != nil {
		return target{pk: ti.pk, row: r[:ti.ncols]}, nil
	}
	return target{pk: []byte(r[ti.ncols].S), row: r[:ti.ncols]}, nil
}

// close releases the buffered targets.
func (ti *targetIter) close() { ti.it.Close() }

// scanTargets returns the rows of te's table matching where, in ORDER BY
// order, at most LIMIT of them. They are read completely (into a buffer
// that spills to disk past SortMemory) before the statement changes
// anything, so no change can be seen by the scan (the Halloween problem).
func (sc *stmtCtx) scanTargets(te sqlparser.TableExprs, where *sqlparser.Where, order sqlparser.OrderBy, limit *sqlparser.Limit) (*table, *targetIter, error) {
	t, alias, err := sc.dmlTable(te)
	if err != nil {
		return nil, nil, err
	}
	sel := &sqlparser.Select{SelectExprs: sqlparser.SelectExprs{&sqlparser.StarExpr{}}, From: te, Where: where, OrderBy: order, Limit: limit}
	si := &selectInfo{sc: sc, sel: sel, lay: &layout{}}
	si.from = &fromScope{sc: sc, lay: si.lay, clause: "where clause"}
	ft := &fromTable{alias: alias, t: t}
	for _, c := range t.cols {
		ft.cols = append(ft.cols, c.desc.Name)
		ft.types = append(ft.types, c.typ)
		ft.null = append(ft.null, !c.desc.NotNull)
	}
	si.lay.addTable(ft)
	ft.keySlot = si.lay.addSlot(Null)
	si.prescan()
	if where != nil {
		for _, a := range splitAnd(where.Expr, nil) {
			c, err := si.compileConjunct(a)
			if err != nil {
				return nil, nil, err
			}
			si.conjs = append(si.conjs, c)
		}
	}
	it, info, err := si.planJoins()
	if err != nil {
		return nil, nil, err
	}
	defer it.Close()
	lim, off, hasLimit, err := sc.limitValues(limit)
	if err != nil {
		return nil, nil, err
	}
	if off != 0 {
		return nil, nil, syntaxError("OFFSET")
	}
	if len(order) > 0 && !(info != nil && info.ok) {
		var keys []Expr
		var ok []orderKey
		fs := *si.from
		fs.clause = "order clause"
		for i, o := range order {
			x, err := Compile(o.Expr, &fs)
			if err != nil {
				return nil, nil, err
			}
			keys = append(keys, x)
			ok = append(ok, orderKey{slot: si.lay.width + i, desc: o.Direction == sqlparser.DescScr, item: -1})
		}
		it = newSortIter(sc, &keysIter{sc: sc, in: it, exprs: keys, at: si.lay.width}, ok, hasLimit, lim)
	}
	buf := newSorter(nil, sc.e.opts.SortMemory, sc.e.opts.TempDir)
	n := int64(0)
	for !hasLimit || n < lim {
		r, err := it.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			buf.close()
			return nil, nil, err
		}
		row := make([]Value, len(t.cols)+1)
		copy(row, r[:len(t.cols)])
		row[len(t.cols)] = r[ft.keySlot]
		if err := buf.add(row); err != nil {
			buf.close()
			return nil, nil, err
		}
		n++
	}
	bi, err := buf.iter()
	if err != nil {
		return nil, nil, err
	}
	return t, &targetIter{it: bi, ncols: len(t.cols)}, nil
}
