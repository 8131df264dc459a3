package sqlfront

import (
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// INSERT, INSERT IGNORE, REPLACE and INSERT ... ON DUPLICATE KEY UPDATE.
//
// Rows are built from VALUES tuples or a SELECT (read completely first, so
// INSERT INTO t SELECT ... FROM t sees only the old rows), completed with
// defaults and auto-increment ids, coerced to the column types (strict
// mode: errors 1264, 1406, 1366, ...), checked (1048, 1364, CHECK) and
// stored; the statement is atomic (its own transaction in autocommit, an
// undo log inside a transaction), so an error in row 3 leaves no trace of
// rows 1 and 2. The assignments of ON DUPLICATE KEY UPDATE name the
// table's columns; after a SELECT that is not a UNION and neither groups
// nor aggregates they may also name the columns of its tables, as in
// MySQL (planOnDupSource).
//
// RowsAffected: 1 per inserted row; REPLACE adds 1 per row it deleted;
// ON DUPLICATE KEY UPDATE counts 2 per row it changed and 0 per row left
// as it was. LastInsertID is the first auto-increment value generated
// (ids of one statement are consecutive), else the explicit value given
// for the auto-increment column of the first row.

// insertScope resolves names in ON DUPLICATE KEY UPDATE: columns are the
// existing row (slots 0..n-1), VALUES(col) the proposed row (n..2n-1).
// In INSERT ... SELECT the columns of the SELECT's tables are names too
// (src): the SELECT carries the values they read (srcSlots, slots of its
// rows over the FROM clause) to slots 2n.. (planOnDupSource).
type insertScope struct {
	dmlScope
	n        int
	src      *fromScope
	srcSlots []int
}

// newInsertScope returns the scope of ON DUPLICATE KEY UPDATE for table t.
func newInsertScope(sc *stmtCtx, t *table) *insertScope {
	return &insertScope{dmlScope: dmlScope{TableScope: TableScope{Table: t.desc.Name, Columns: t.lcNames}, sc: sc, target: t.desc.Name, op: "INSERT"}, n: len(t.cols)}
}

// Column implements Scope. As in MySQL, a name qualified by the table's
// name is the table's column, and an unqualified name that both the table
// and the SELECT's tables have is ambiguous (1052).
func (s *insertScope) Column(db, table, name string) (int, error) {
	i, err := s.TableScope.Column(db, table, name)
	if s.src == nil || err == nil && table != "" {
		return i, err
	}
	slot, found, ferr := s.src.find(db, table, name)
	switch {
	case ferr != nil:
		return 0, ferr
	case !found:
		return i, err
	case err == nil:
		return 0, ErrAmbiguousColumn(name, "field list")
	}
	k := slices.Index(s.srcSlots, slot)
	if k < 0 {
		k = len(s.srcSlots)
		s.srcSlots = append(s.srcSlots, slot)
	}
	return 2*s.n + k, nil
}

// Subquery implements Scope: a subquery's names resolve outside it as the
// assignments' do.
func (s *insertScope) Subquery(sel sqlparser.SelectStatement) (Subquery, error) {
	return s.subquery(sel, s)
}

// InsertValue implements InsertValuesScope.
func (s *insertScope) InsertValue(name string) (int, error) {
	i, err := s.TableScope.Column("", "", name)
	if err != nil {
		return 0, err
	}
	return s.n + i, nil
}

// insertPlan is the part of an INSERT that depends only on the statement
// and the table: target columns, ON DUPLICATE KEY UPDATE expressions and
// the compiled VALUES tuples. It is immutable once built and cached in the
// Stmt (for the *table it was built for: a catalog change gives a new
// *table, hence a new plan).
type insertPlan struct {
	t         *table
	defs      *compiledDefaults
	cols      []int
	replace   bool
	ignore    bool
	onDup     []Expr
	onDupCols []int
	// tuples are the compiled VALUES rows (nil entry: DEFAULT); nil when
	// the rows come from a SELECT or a tuple failed to compile (then each
	// row is compiled when it is reached, so errors come in row order).
	tuples [][]Expr
	subq   bool // holds subqueries of this statement: not cached
}

// planInsert builds the insertPlan of ins for table t.
func (sc *stmtCtx) planInsert(ins *sqlparser.Insert, t *table) (*insertPlan, error) {
	defs, err := t.defaults()
	if err != nil {
		return nil, err
	}
	p := &insertPlan{t: t, defs: defs}
	// Target columns.
	if len(ins.Columns) == 0 {
		for i := range t.cols {
			p.cols = append(p.cols, i)
		}
	} else {
		seen := map[int]bool{}
		for _, c := range ins.Columns {
			i := t.col(c.String())
			if i < 0 {
				return nil, ErrUnknownColumn(c.String(), "field list")
			}
			if seen[i] {
				return nil, engErr(ErFieldSpecifiedTwce, "Column '%s' specified twice", c.String())
			}
			seen[i] = true
			p.cols = append(p.cols, i)
		}
	}
	p.replace = ins.Action == sqlparser.ReplaceStr
	p.ignore = ins.Ignore != ""
	if len(ins.OnDup) > 0 && onDupSource(ins) == nil {
		scope := newInsertScope(sc, t)
		defer func() { p.subq = p.subq || scope.subq }()
		if p.onDup, p.onDupCols, err = scope.compileOnDup(ins.OnDup, t); err != nil {
			return nil, err
		}
	}
	if rows, ok := ins.Rows.(sqlparser.Values); ok {
		scope := &dmlScope{TableScope: TableScope{Table: t.desc.Name, Columns: t.lcNames}, sc: sc, target: t.desc.Name, op: "INSERT"}
		defer func() { p.subq = p.subq || scope.subq }()
		tuples := make([][]Expr, len(rows))
	compile:
		for r, tuple := range rows {
			xs := make([]Expr, len(tuple))
			for k, e := range tuple {
				if _, isDef := e.(*sqlparser.Default); isDef {
					continue
				}
				x, err := Compile(e, scope)
				if err != nil {
					tuples = nil
					break compile
				}
				xs[k] = x
			}
			tuples[r] = xs
		}
		p.tuples = tuples
	}
	return p, nil
}

// compileOnDup compiles the assignments of ON DUPLICATE KEY UPDATE to t's
// columns in scope s: the expressions (nil for DEFAULT) and the columns.
func (s *insertScope) compileOnDup(assigns sqlparser.OnDup, t *table) ([]Expr, []int, error) {
	var exprs []Expr
	var cols []int
	for _, ue := range assigns {
		i := t.col(ue.Name.Name.String())
		if i < 0 || !ue.Name.Qualifier.IsEmpty() && !strings.EqualFold(ue.Name.Qualifier.Name.String(), t.desc.Name) {
			return nil, nil, ErrUnknownColumn(sqlparser.String(ue.Name), "field list")
		}
		var x Expr
		if _, isDef := ue.Expr.(*sqlparser.Default); !isDef {
			if t.cols[i].desc.Gen != "" {
				return nil, nil, errGeneratedValue(t.cols[i].desc.Name, t.desc.Name)
			}
			var err error
			if x, err = Compile(ue.Expr, s); err != nil {
				return nil, nil, err
			}
		}
		exprs = append(exprs, x)
		cols = append(cols, i)
	}
	return exprs, cols, nil
}

// onDupSource returns the SELECT of an INSERT ... SELECT ... ON DUPLICATE
// KEY UPDATE whose tables the assignments may name, or nil. MySQL allows
// it for one SELECT (not a UNION) without GROUP BY or aggregates.
func onDupSource(ins *sqlparser.Insert) *sqlparser.Select {
	if len(ins.OnDup) == 0 {
		return nil
	}
	rows := ins.Rows
	for {
		switch s := rows.(type) {
		case *sqlparser.ParenSelect:
			rows = s.Select
		case *sqlparser.Select:
			if len(s.GroupBy) > 0 || ContainsAggregate(s.SelectExprs) || s.Having != nil && ContainsAggregate(s.Having) || ContainsAggregate(s.OrderBy) {
				return nil
			}
			return s
		default:
			return nil
		}
	}
}

// planOnDupSource plans sel, the onDupSource of ins, and compiles the
// assignments of ON DUPLICATE KEY UPDATE with it, for every execution
// (what their names mean depends on sel's tables). After the inserted
// values, the plan's rows carry the carried values of sel's tables that
// the assignments read, which find them after the existing and proposed
// rows (insertUpdate).
func (sc *stmtCtx) planOnDupSource(ins *sqlparser.Insert, t *table, sel *sqlparser.Select) (qp *queryPlan, exprs []Expr, cols []int, carried int, err error) {
	scope := newInsertScope(sc, t)
	qp, err = sc.child().planSelectCarrying(sel, nil, "", func(from *fromScope) ([]int, error) {
		scope.src = from
		var err error
		exprs, cols, err = scope.compileOnDup(ins.OnDup, t)
		return scope.srcSlots, err
	})
	return qp, exprs, cols, len(scope.srcSlots), err
}

// execInsert runs an INSERT or REPLACE.
func (sc *stmtCtx) execInsert(ins *sqlparser.Insert) (Result, error) {
	tn := ins.Table
	if strings.EqualFold(tn.Qualifier.String(), "information_schema") {
		return Result{}, engErr(1044, "Access denied for user to database 'information_schema'")
	}
	t, err := sc.lookupTable(tn.Qualifier.String(), tn.Name.String())
	if err != nil {
		return Result{}, err
	}
	if err := sc.checkTrigUse(t); err != nil {
		return Result{}, err
	}
	if hasMark(ins.Comments, noColsMark) {
		// INSERT INTO t () VALUES (), ...: every tuple must be empty.
		rows, ok := ins.Rows.(sqlparser.Values)
		for i := 0; ok && i < len(rows); i++ {
			if len(rows[i]) != 0 {
				ok = false
			}
		}
		if !ok {
			return Result{}, NewSQLError(ErWrongValueCountOnRow, "Column count doesn't match value count at row 1")
		}
	}
	var plan *insertPlan
	if c := sc.stmtCache(); c != nil {
		if p := c.insert.Load(); p != nil && p.t == t {
			plan = p
		}
	}
	if plan == nil {
		if plan, err = sc.planInsert(ins, t); err != nil {
			return Result{}, err
		}
		if c := sc.stmtCache(); c != nil && !plan.subq {
			c.insert.Store(plan)
		}
	}
	defs, cols, replace, ignore := plan.defs, plan.cols, plan.replace, plan.ignore
	sc.env.divZeroErr = !ignore
	onDup, onDupCols := plan.onDup, plan.onDupCols
	st, err := sc.store(t)
	if err != nil {
		return Result{}, err
	}
	// Row source. srcVals are the values of the SELECT's tables the row's
	// ON DUPLICATE KEY UPDATE reads (planOnDupSource).
	var next func() ([]Value, []bool, error)
	var srcVals []Value
	rowNum := 0
	switch rows := ins.Rows.(type) {
	case sqlparser.Values:
		var scope *dmlScope // for tuples compiled as they are reached
		if plan.tuples == nil {
			scope = &dmlScope{TableScope: TableScope{Table: t.desc.Name, Columns: t.lcNames}, sc: sc, target: t.desc.Name, op: "INSERT"}
		}
		env := sc.env
		next = func() ([]Value, []bool, error) {
			if rowNum >= len(rows) {
				return nil, nil, io.EOF
			}
			tuple := rows[rowNum]
			if len(tuple) != len(cols) && !(len(tuple) == 0 && len(ins.Columns) == 0) {
				return nil, nil, NewSQLError(ErWrongValueCountOnRow, "Column count doesn't match value count at row %d", rowNum+1)
			}
			// The row is not kept past its iteration: the store's scratch.
			row, given := st.rowScratch()
			env.Row = row
			for k, e := range tuple {
				var x Expr
				if plan.tuples != nil {
					if x = plan.tuples[rowNum][k]; x == nil {
						continue // DEFAULT
					}
				} else {
					if _, isDef := e.(*sqlparser.Default); isDef {
						continue
					}
					var err error
					if x, err = Compile(e, scope); err != nil {
						return nil, nil, err
					}
				}
				if c := t.cols[cols[k]]; c.desc.Gen != "" {
					return nil, nil, errGeneratedValue(c.desc.Name, t.desc.Name)
				}
				v, err := x.Eval(env)
				if err != nil {
					return nil, nil, err
				}
				row[cols[k]] = v
				given[cols[k]] = true
			}
			rowNum++
			return row, given, nil
		}
	case sqlparser.SelectStatement:
		for _, c := range cols {
			if t.cols[c].desc.Gen != "" {
				return Result{}, errGeneratedValue(t.cols[c].desc.Name, t.desc.Name)
			}
		}
		var qp *queryPlan
		carried := 0 // values for ON DUPLICATE KEY UPDATE after the inserted ones
		if sel := onDupSource(ins); sel != nil {
			qp, onDup, onDupCols, carried, err = sc.planOnDupSource(ins, t, sel)
		} else {
			qp, err = sc.child().planQuery(rows, nil, "")
		}
		if err != nil {
			return Result{}, err
		}
		if qp.width != len(cols)+carried {
			qp.it.Close()
			return Result{}, NewSQLError(ErWrongValueCountOnRow, "Column count doesn't match value count at row 1")
		}
		buf := newSorter(nil, sc.e.opts.SortMemory, sc.e.opts.TempDir)
		defer buf.close()
		for {
			r, err := qp.it.Next()
			if err == io.EOF {
				break
			}
			if err == nil {
				err = buf.add(cloneRow(r))
			}
			if err != nil {
				qp.it.Close()
				return Result{}, err
			}
		}
		qp.it.Close()
		src, err := buf.iter()
		if err != nil {
			return Result{}, err
		}
		defer src.Close()
		next = func() ([]Value, []bool, error) {
			r, err := src.Next()
			if err != nil {
				return nil, nil, err
			}
			rowNum++
			row := make([]Value, len(t.cols))
			given := make([]bool, len(t.cols))
			for k, c := range cols {
				row[c] = r[k]
				given[c] = true
			}
			srcVals = r[len(cols):]
			return row, given, nil
		}
	default:
		return Result{}, errNotSupported("this INSERT form")
	}
	// The table's triggers (trigger_exec.go); nil lists when it has none.
	trs := sc.cat.tableTriggers(t.desc.Name)
	beforeIns, afterIns := trs.list(trigBefore, trigInsert), trs.list(trigAfter, trigInsert)
	var res Result
	var firstGen, firstExplicit uint64
	var auto *autoCounter
	if t.autoInc >= 0 {
		if auto, err = sc.autoCounter(t); err != nil {
			return Result{}, err
		}
	}
	for {
		if err := sc.tick(); err != nil {
			return Result{}, err
		}
		row, given, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Result{}, err
		}
		// Defaults for the columns not given.
		for i := range row {
			if !given[i] {
				v, err := sc.defaultValue(t, defs, i, row)
				if err != nil {
					return Result{}, err
				}
				row[i] = v
			}
		}
		if err := sc.coerceRowGiven(t, row, given, rowNum, ignore); err != nil {
			return Result{}, err
		}
		if beforeIns != nil {
			if ai := t.autoInc; ai >= 0 {
				if v := row[ai]; v.K == KindNull || v == noDefault || isZero(v) {
					row[ai] = zeroOf(t.cols[ai].typ) // to be generated: NEW reads 0, as in MySQL
				}
			}
			// NEW reads the generated columns (trigger_exec.go).
			if err := sc.generate(t, defs, row, rowNum, ignore); err != nil {
				if ignore {
					sc.warnErr(err)
					continue
				}
				return Result{}, err
			}
			if err := sc.fireTriggers(beforeIns, t, row, nil, nil, rowNum); err != nil {
				return Result{}, err
			}
		}
		// AUTO_INCREMENT: NULL or 0 generates the next id.
		var genID uint64
		if ai := t.autoInc; ai >= 0 {
			v := row[ai]
			if v.K == KindNull || v == noDefault || isZero(v) {
				id, err := sc.e.takeAutoID(auto)
				if err != nil {
					return Result{}, err
				}
				row[ai], err = CoerceColumn(UintValue(id), t.cols[ai].typ, t.cols[ai].desc.Name, rowNum)
				if err != nil {
					return Result{}, err
				}
				genID = id
			} else if u, ok := autoValue(v); ok {
				sc.e.observeAutoID(auto, u)
				if firstExplicit == 0 {
					firstExplicit = u
				}
			}
		}
		if ignore {
			// IGNORE turns NULL into a NOT NULL column into the type's
			// implicit default (MySQL: warning 1048), not a skipped row.
			for i, c := range t.cols {
				if row[i].K == KindNull && c.desc.NotNull && i != t.autoInc && c.desc.Gen == "" {
					sc.warnf(ErBadNull, "Column '%s' cannot be null", c.desc.Name)
					row[i] = implicitDefault(c.typ)
				}
			}
		}
		err = sc.generate(t, defs, row, rowNum, ignore)
		if err == nil {
			err = sc.checkRow(t, defs, row)
		}
		if err != nil {
			if ignore {
				sc.warnErr(err)
				continue
			}
			return Result{}, err
		}
		for {
			_, err := st.insert(row)
			if err == nil {
				res.RowsAffected++
				if genID != 0 && firstGen == 0 {
					firstGen = genID
				}
				if afterIns != nil {
					if err := sc.fireTriggers(afterIns, t, row, nil, nil, rowNum); err != nil {
						return Result{}, err
					}
				}
				break
			}
			var de *dupError
			if !errors.As(err, &de) {
				var fe *fkChildError
				if ignore && errors.As(err, &fe) {
					sc.warnErr(err)
					break // checked before any write: the row is skipped
				}
				return Result{}, err
			}
			switch {
			case replace:
				old := make([]Value, len(t.cols))
				if ok, err := st.fetch(de.existing, old); err != nil {
					return Result{}, err
				} else if !ok {
					return Result{}, errIndexCorrupt(t, de.ix)
				}
				if err := sc.fireTriggers(trs.list(trigBefore, trigDelete), t, nil, old, nil, rowNum); err != nil {
					return Result{}, err
				}
				if err := st.remove(de.existing, old); err != nil {
					return Result{}, err
				}
				res.RowsAffected++
				if err := sc.fireTriggers(trs.list(trigAfter, trigDelete), t, nil, old, nil, rowNum); err != nil {
					return Result{}, err
				}
				continue
			case onDup != nil:
				n, id, err := sc.insertUpdate(t, st, defs, de.existing, row, srcVals, onDup, onDupCols, auto, trs, rowNum)
				if err != nil {
					return Result{}, err
				}
				res.RowsAffected += n
				if firstExplicit == 0 {
					firstExplicit = id
				}
			case ignore:
				sc.warnErr(de.SQLError)
			default:
				return Result{}, de.SQLError
			}
			break
		}
	}
	if firstGen != 0 {
		res.LastInsertID = int64(firstGen)
		sc.lastInsertID, sc.setLastInsertID = firstGen, true
	} else if firstExplicit != 0 {
		res.LastInsertID = int64(firstExplicit)
	}
	return res, nil
}

// coerceRowGiven converts the values of a new row to the column types;
// with ignore (INSERT IGNORE) a value they refuse is adjusted instead.
func (sc *stmtCtx) coerceRowGiven(t *table, row []Value, given []bool, rowNum int, ignore bool) error {
	for i, c := range t.cols {
		if row[i].K == KindNull {
			continue
		}
		if ignore { // adjusted with a warning, never refused (CoerceIgnore)
			row[i] = sc.coerceIgnore(row[i], c.typ, c.desc.Name, rowNum)
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

// zeroOf returns 0 as a value of the (numeric) type t.
func zeroOf(t ColumnType) Value {
	if v, err := CoerceColumn(IntValue(0), t, "", 0); err == nil {
		return v
	}
	return IntValue(0)
}

// isZero reports whether v is the number 0 (which generates an id).
func isZero(v Value) bool {
	switch v.K {
	case KindInt:
		return v.I == 0
	case KindUint:
		return v.U == 0
	case KindFloat:
		return v.F == 0
	}
	return false
}

// autoValue returns an explicit auto-increment value as uint64 (negative
// values do not move the counter).
func autoValue(v Value) (uint64, bool) {
	switch v.K {
	case KindInt:
		if v.I > 0 {
			return uint64(v.I), true
		}
	case KindUint:
		return v.U, true
	case KindFloat:
		if v.F >= 1 && v.F < 1.8e19 {
			return uint64(v.F), true
		}
	}
	return 0, false
}

// insertUpdate applies ON DUPLICATE KEY UPDATE to the existing row with
// primary key pk, given the proposed row (the statement's rowNum-th) and
// the values of the SELECT's tables it came from that the assignments
// read (src), firing t's UPDATE triggers trs. It returns the rows affected
// (2 when the row changed, 0 when not) and the row's auto-increment value.
func (sc *stmtCtx) insertUpdate(t *table, st *tableStore, defs *compiledDefaults, pk []byte, proposed, src []Value, exprs []Expr, cols []int,
	auto *autoCounter, trs *tableTriggers, rowNum int) (int64, uint64, error) {
	n := len(t.cols)
	old := make([]Value, n)
	if ok, err := st.fetch(pk, old); err != nil {
		return 0, 0, err
	} else if !ok {
		return 0, 0, errIndexCorrupt(t, nil)
	}
	scratch := make([]Value, 2*n+len(src))
	copy(scratch, old)
	copy(scratch[n:], proposed)
	copy(scratch[2*n:], src)
	assigned := make([]bool, n)
	env := *sc.env
	env.Row = scratch
	for k, x := range exprs {
		c := cols[k]
		var v Value
		if x == nil {
			var err error
			if v, err = sc.defaultValue(t, defs, c, scratch[:n]); err != nil {
				return 0, 0, err
			}
		} else {
			var err error
			if v, err = x.Eval(&env); err != nil {
				return 0, 0, err
			}
		}
		if v.K != KindNull {
			cv, err := CoerceColumn(v, t.cols[c].typ, t.cols[c].desc.Name, 1)
			if err != nil {
				return 0, 0, err
			}
			v = cv
		}
		scratch[c] = v // later assignments see earlier ones
		assigned[c] = true
	}
	sc.env.LastInsertID = env.LastInsertID // LAST_INSERT_ID(x) in an assignment
	nu := cloneRow(scratch[:n])
	if before := trs.list(trigBefore, trigUpdate); before != nil {
		// NEW reads the generated columns (trigger_exec.go).
		if err := sc.generate(t, defs, nu, rowNum, false); err != nil {
			return 0, 0, err
		}
		if err := sc.fireTriggers(before, t, nu, old, cols, rowNum); err != nil {
			return 0, 0, err
		}
	}
	changed := false
	for i := range nu {
		if !identical(nu[i], old[i]) {
			changed = true
		}
	}
	var id uint64
	if ai := t.autoInc; ai >= 0 {
		id, _ = autoValue(nu[ai])
	}
	if !changed {
		return 0, id, nil
	}
	for i := range nu {
		if defs.onupd[i] && !assigned[i] {
			nu[i] = nowOf(sc.env, t.cols[i].typ)
		}
	}
	if err := sc.generate(t, defs, nu, rowNum, false); err != nil {
		return 0, 0, err
	}
	if err := sc.checkRow(t, defs, nu); err != nil {
		return 0, 0, err
	}
	if ai := t.autoInc; ai >= 0 && auto != nil {
		if u, ok := autoValue(nu[ai]); ok {
			sc.e.observeAutoID(auto, u)
		}
	}
	if _, err := st.update(pk, old, nu); err != nil {
		var de *dupError
		if errors.As(err, &de) {
			return 0, 0, de.SQLError
		}
		return 0, 0, err
	}
	if err := sc.fireTriggers(trs.list(trigAfter, trigUpdate), t, nu, old, cols, rowNum); err != nil {
		return 0, 0, err
	}
	return 2, id, nil
}
