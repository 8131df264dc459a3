package sqlfront

import (
	"io"

	"github.com/xwb1989/sqlparser"
)

// Firing triggers (trigger.go describes them, trigger_parse.go their
// grammar).
//
// INSERT, REPLACE, INSERT ... ON DUPLICATE KEY UPDATE, UPDATE (single- and
// multi-table) and DELETE fire the triggers of the table they change, for
// each row, in ACTION_ORDER:
//
//	INSERT       BEFORE INSERT, [id generated,] checks, write, AFTER INSERT
//	REPLACE      BEFORE INSERT; per row it displaces: BEFORE DELETE,
//	             delete, AFTER DELETE; then write, AFTER INSERT
//	ON DUP KEY   BEFORE INSERT; on a duplicate: BEFORE UPDATE, and if the
//	             row changes, write, AFTER UPDATE (no AFTER INSERT)
//	UPDATE       BEFORE UPDATE, then, changed or not (as MySQL), write if
//	             changed, AFTER UPDATE
//	DELETE       BEFORE DELETE, delete, AFTER DELETE
//
// A BEFORE trigger sees NEW after defaults and the conversion to the
// column types, with the generated columns computed from them; they are
// computed again after the BEFORE triggers, from the values these set (a
// value set on a generated column is lost), as in MySQL. An
// AUTO_INCREMENT column whose value is to be generated reads 0 (as in
// MySQL) and is generated after the BEFORE triggers, unless one of them
// set it; the AFTER triggers see the generated id. SET NEW.col
// = v converts v to the column's type as an INSERT would (strict); NOT
// NULL, CHECK, UNIQUE and foreign keys are checked after the BEFORE
// triggers. SQLite's UPDATE OF columns restrict an UPDATE trigger to
// statements that assign one of them (the SET list of UPDATE, the
// assignments of ON DUPLICATE KEY UPDATE); its WHEN condition skips the
// firing when it is not true.
//
// What does not fire triggers, as in MySQL: foreign key cascades (they
// change rows below the statements), TRUNCATE, DDL that copies rows, and
// the rows SYNC TABLE applies (as MySQL's row-based replication applies
// rows without firing the replica's triggers).
//
// A body runs in a statement context of its own (triggerCtx) on the
// statement's transaction, trees, undo log and auto-increment counters:
// an error anywhere fails the statement, which leaves no trace, trigger
// changes included (also inside a transaction: txtrees.go's undo log
// covers them). Its statements see the changes made so far, the
// statement's own included; NOW() is the statement's time; the ids its
// INSERTs generate do not change LAST_INSERT_ID() (MySQL restores it after
// a trigger). NEW.col and OLD.col are placeholders bound, for each body
// statement and expression, to the row's values at that moment, so a
// statement after SET NEW.col sees the new value. A trigger's statement
// that changes a table which the statements that invoked it are changing
// (the subject table, or a table an enclosing trigger's statement is
// changing) fails with error 1442, which also ends trigger recursion;
// nested triggers otherwise fire as in MySQL. (MySQL's 1442 also covers
// tables the invoking statement only reads, e.g. INSERT ... SELECT's
// source; bxdb allows those, since statements read their source in full
// before writing.)
//
// A bare SELECT in a body runs and its rows are discarded: MySQL refuses
// it (error 1415, a trigger cannot return a result set), SQLite accepts
// it, and the sqllogictest corpus has BEGIN SELECT 1; END. SIGNAL SQLSTATE
// 'xxxxx' fails the statement with MySQL's error 1644 (or MYSQL_ERRNO)
// under that SQLSTATE and MESSAGE_TEXT ("Unhandled user-defined exception
// condition" without one); class '01' records a warning (1642) and goes
// on; class '02' is error 1643.

// trigFrame is one firing of one trigger for one row.
type trigFrame struct {
	sc  *stmtCtx // the trigger's statement context
	t   *table
	nu  []Value // NEW: nil for DELETE; a BEFORE trigger may change it
	old []Value // OLD: nil for INSERT
	row int     // the row's number in the statement (for conversion messages)
}

// list returns the triggers of a timing and event, nil for none.
func (tt *tableTriggers) list(timing, event int) []*trigger {
	if tt == nil {
		return nil
	}
	return tt.lists[timing][event]
}

// checkTrigUse returns error 1442 when sc runs in a trigger and t is a
// table the statements that invoked it are changing.
func (sc *stmtCtx) checkTrigUse(t *table) error {
	for _, u := range sc.trigUse {
		if u.desc.ID == t.desc.ID {
			return engErr(ErCantUpdateUsedTbl, "Can't update table '%s' in stored function/trigger because it is already used by statement which invoked this stored function/trigger.", t.desc.Name)
		}
	}
	return nil
}

// fireTriggers runs trs, triggers of table t, for one row: nu is NEW (nil
// for DELETE), old is OLD (nil for INSERT), set the columns the statement
// assigns (for UPDATE OF), rowNum the row's number in the statement.
func (sc *stmtCtx) fireTriggers(trs []*trigger, t *table, nu, old []Value, set []int, rowNum int) error {
	for _, tr := range trs {
		if tr.cols != nil && !assignsAny(t, set, tr.cols) {
			continue
		}
		prog, err := tr.program()
		if err != nil {
			return err
		}
		f := &trigFrame{sc: sc.triggerCtx(t), t: t, nu: nu, old: old, row: rowNum}
		if prog.when != nil {
			v, err := f.eval(prog.when)
			if err != nil {
				return err
			}
			if ok, _ := Truth(v); !ok {
				continue
			}
		}
		if err := f.exec(prog.body); err != nil {
			return err
		}
	}
	return nil
}

// assignsAny reports whether the columns set (ordinals of t) include one
// named in cols (lowercased).
func assignsAny(t *table, set []int, cols map[string]bool) bool {
	for _, c := range set {
		if cols[t.lcNames[c]] {
			return true
		}
	}
	return false
}

// triggerCtx returns a statement context for a trigger of table t fired
// by sc's statement: sc's transaction, catalog, trees, table stores,
// counters and undo log, with an Env, subquery memo, key arena and point
// iterator of its own, and t added to the tables in use (checkTrigUse).
// Its parent is sc, so that what the statement's root records (writes,
// foreign key cascades) covers the trigger's statements too.
func (sc *stmtCtx) triggerCtx(t *table) *stmtCtx {
	// The maps must exist before they are shared.
	if sc.stores == nil {
		sc.stores = map[uint64]*tableStore{}
	}
	if sc.autos == nil {
		sc.autos = map[uint64]*autoCounter{}
	}
	env := *sc.env
	env.Row, env.Args, env.memo, env.stack = nil, nil, nil, nil
	c := new(stmtCtx)
	*c = *sc
	c.env = &env
	c.parent = sc
	c.memoAt = c
	c.subqs = nil
	c.depth = 0
	c.stmt = nil
	c.keys = nil
	c.point = targetIter{}
	c.xlog, c.rctes = nil, nil
	c.lastInsertID, c.setLastInsertID = 0, false
	c.reused = false
	c.topText = ""
	c.trigUse = append(sc.trigUse[:len(sc.trigUse):len(sc.trigUse)], t)
	return c
}

// args returns the values of refs in the frame's rows.
func (f *trigFrame) args(refs []trigRef) ([]Value, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	out := make([]Value, len(refs))
	for i, r := range refs {
		row := f.nu
		if r.old {
			row = f.old
		}
		c, ok := f.t.byName[r.lc]
		if !ok {
			return nil, trigRowColumnErr(r) // dropped since CREATE TRIGGER
		}
		if row == nil {
			return nil, checkTrigRow(&trigger{event: trigEventOf(f.nu, f.old)}, r.old)
		}
		v := row[c]
		if v == noDefault {
			v = Null
		}
		out[i] = v
	}
	return out, nil
}

// trigEventOf returns the event whose rows nu and old are.
func trigEventOf(nu, old []Value) int {
	switch {
	case old == nil:
		return trigInsert
	case nu == nil:
		return trigDelete
	}
	return trigUpdate
}

// eval evaluates x (as SELECT x).
func (f *trigFrame) eval(x *trigExpr) (Value, error) {
	args, err := f.args(x.refs)
	if err != nil {
		return Null, err
	}
	f.sc.env.Args = args
	it, _, err := f.sc.planSelectStmt(x.sel)
	if err != nil {
		return Null, err
	}
	defer it.Close()
	r, err := it.Next()
	if err == io.EOF {
		return Null, nil
	}
	if err != nil {
		return Null, err
	}
	return r[0], nil
}

// exec runs one statement of the body.
func (f *trigFrame) exec(s *trigStmt) error {
	if err := f.sc.tick(); err != nil {
		return err
	}
	switch s.kind {
	case tsBlock:
		for _, x := range s.list {
			if err := f.exec(x); err != nil {
				return err
			}
		}
	case tsIf:
		for i, c := range s.conds {
			v, err := f.eval(c)
			if err != nil {
				return err
			}
			if ok, _ := Truth(v); ok {
				return f.execList(s.arms[i])
			}
		}
		if len(s.arms) > len(s.conds) {
			return f.execList(s.arms[len(s.conds)])
		}
	case tsSet:
		for _, a := range s.sets {
			if err := f.assign(a); err != nil {
				return err
			}
		}
	case tsSignal:
		return f.signal(s)
	case tsDo:
		for _, x := range s.exprs {
			if _, err := f.eval(x); err != nil {
				return err
			}
		}
	case tsDML:
		return f.dml(s)
	case tsSelect:
		return f.query(s)
	case tsCommit:
		return engErr(ErCommitNotAllowed, "Explicit or implicit commit is not allowed in stored function or trigger.")
	}
	return nil
}

// execList runs statements in order.
func (f *trigFrame) execList(list []*trigStmt) error {
	for _, x := range list {
		if err := f.exec(x); err != nil {
			return err
		}
	}
	return nil
}

// assign runs one assignment of SET.
func (f *trigFrame) assign(a trigAssign) error {
	var v Value
	if a.value != nil {
		var err error
		if v, err = f.eval(a.value); err != nil {
			return err
		}
	}
	if !a.row {
		if f.sc.s != nil {
			f.sc.s.userVars[a.name] = v
		}
		return nil
	}
	c := f.t.col(a.name)
	switch {
	case c < 0:
		return trigRowColumnErr(trigRef{old: a.old, col: a.name})
	case a.old || f.nu == nil:
		return engErr(ErTrgCantChangeRow, "Updating of OLD row is not allowed in trigger") // refused at CREATE
	case a.value == nil:
		d, err := f.t.defaults()
		if err != nil {
			return err
		}
		if v, err = f.sc.defaultValue(f.t, d, c, f.nu); err != nil {
			return err
		}
	case v.K != KindNull:
		cv, err := CoerceColumn(v, f.t.cols[c].typ, f.t.cols[c].desc.Name, f.row)
		if err != nil {
			return err
		}
		v = cv
	}
	f.nu[c] = v
	return nil
}

// dml runs an INSERT, REPLACE, UPDATE or DELETE of the body.
func (f *trigFrame) dml(s *trigStmt) error {
	args, err := f.args(s.refs)
	if err != nil {
		return err
	}
	f.sc.env.Args = args
	switch ast := s.dml.AST.(type) {
	case *sqlparser.Insert:
		_, err = f.sc.execInsert(ast)
	case *sqlparser.Update:
		_, err = f.sc.execUpdate(ast)
	case *sqlparser.Delete:
		_, err = f.sc.execDelete(ast)
	default:
		err = errNotSupported("this statement in a trigger")
	}
	return err
}

// query runs a SELECT of the body: into user variables, or for nothing.
func (f *trigFrame) query(s *trigStmt) error {
	args, err := f.args(s.refs)
	if err != nil {
		return err
	}
	f.sc.env.Args = args
	it, cols, err := f.sc.planSelectStmt(s.dml.AST.(sqlparser.SelectStatement))
	if err != nil {
		return err
	}
	defer it.Close()
	into := s.dml.Into
	if into != nil && len(cols) != len(into) {
		return engErr(ErWrongColCountSel, "The used SELECT statements have a different number of columns")
	}
	var first []Value
	n := 0
	for {
		if err := f.sc.tick(); err != nil {
			return err
		}
		r, err := it.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		n++
		if into == nil {
			continue
		}
		if n > 1 {
			return engErr(ErTooManyRows, "Result consisted of more than one row")
		}
		first = cloneRow(r[:len(into)])
	}
	if into == nil || f.sc.s == nil {
		return nil
	}
	if first == nil {
		f.sc.s.warnf(erSpNoData, "No data - zero rows fetched, selected, or processed")
		return nil
	}
	for i, name := range into {
		f.sc.s.userVars[name] = first[i]
	}
	return nil
}

// signal runs SIGNAL: the error (or, for class '01', the warning) it
// raises.
func (f *trigFrame) signal(s *trigStmt) error {
	e := &SQLError{Number: ErSignalException, State: s.state, Msg: "Unhandled user-defined exception condition"}
	switch s.state[:2] {
	case "01":
		e.Number, e.Msg = ErSignalWarn, "Unhandled user-defined warning condition"
	case "02":
		e.Number, e.Msg = ErSignalNotFound, "Unhandled user-defined not found condition"
	}
	for _, it := range s.items {
		v, err := f.eval(it.value)
		if err != nil {
			return err
		}
		if v.K == KindNull {
			return engErr(ErWrongValueForVar, "Variable '%s' can't be set to the value of 'NULL'", it.name)
		}
		switch it.name {
		case "message_text":
			e.Msg = ToString(v)
		case "mysql_errno":
			n := ToInt64(v)
			if n <= 0 || n > 65535 {
				return engErr(ErWrongValueForVar, "Variable '%s' can't be set to the value of '%s'", it.name, ToString(v))
			}
			e.Number = uint16(n)
		}
	}
	if e.State[:2] == "01" {
		if f.sc.s != nil {
			f.sc.s.warn.add("Warning", e.Number, e.Msg)
		}
		return nil
	}
	return e
}
