package sqlfront

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Triggers.
//
//	CREATE [DEFINER = u] TRIGGER [IF NOT EXISTS] [db.]name {BEFORE | AFTER}
//	    {INSERT | UPDATE | DELETE} ON t FOR EACH ROW [{FOLLOWS | PRECEDES} other] body
//	CREATE [TEMP] TRIGGER [IF NOT EXISTS] name [BEFORE | AFTER]
//	    {INSERT | UPDATE [OF col, ...] | DELETE} ON t [FOR EACH ROW] [WHEN expr]
//	    BEGIN stmt; ... END                                   (SQLite)
//	DROP TRIGGER [IF EXISTS] [db.]name
//	SHOW TRIGGERS [{FROM | IN} db] [LIKE 'table pattern' | WHERE expr]
//	SHOW CREATE TRIGGER name
//
// (grammar of the body: trigger_parse.go; firing: trigger_exec.go.)
//
// A trigger is a catalog record (key "trg/" + lower(name), engine.go)
// holding its table's name, timing, event, position among the table's
// triggers of that timing and event (ACTION_ORDER, from 1), SQLite's
// UPDATE OF columns and WHEN condition, and its body as written. The body
// is parsed again when the trigger first fires (once per decoded record);
// names of other tables and columns in it are resolved when a statement
// of it runs, against the tables as they are then, as in MySQL. Trigger
// names are unique in the database and compared case-insensitively, like
// table names here.
//
// CREATE TRIGGER refuses a duplicate name (1359 Trigger already exists;
// with IF NOT EXISTS a note), a missing table (1146), a view (1347), NEW in
// a DELETE trigger or OLD in an INSERT trigger (1363), SET NEW in an AFTER
// trigger or SET OLD anywhere (1362), a NEW or OLD column the table lacks
// (1054), a statement that commits (1422) and a malformed SQLSTATE
// (1407). A new trigger goes after the table's triggers of the same timing
// and event, or just after (FOLLOWS) or before (PRECEDES) the one named
// (3011 if there is no such trigger). DROP TRIGGER of a missing trigger is
// 1360 (IF EXISTS: a note); the others move up. DROP TABLE drops the
// table's triggers; RENAME TABLE and ALTER TABLE ... RENAME keep them on
// the renamed table. DEFINER is accepted and ignored (bxdb has no users),
// and so is SQLite's TEMP: the trigger is as persistent as any other.
// SHOW TRIGGERS' LIKE matches table names, as in MySQL;
// information_schema.TRIGGERS lists the same, with SQLite's WHEN as
// ACTION_CONDITION.

// triggerDesc is the persisted description of a trigger (JSON in the
// catalog; field names are part of the on-disk format, never rename
// them).
type triggerDesc struct {
	Name   string `json:"name"`
	Table  string `json:"table"`  // the table's name as created (follows RENAME)
	Timing string `json:"timing"` // "BEFORE" or "AFTER"
	Event  string `json:"event"`  // "INSERT", "UPDATE" or "DELETE"
	// Order is the trigger's place among the table's triggers of its
	// timing and event, from 1 (MySQL's ACTION_ORDER; they fire in this
	// order).
	Order int `json:"order"`
	// Columns are SQLite's UPDATE OF columns; When is SQLite's WHEN
	// expression (text), "" for none.
	Columns []string `json:"columns,omitempty"`
	When    string   `json:"when,omitempty"`
	// Body is the body's text as written.
	Body string `json:"body"`
	// Created is the time of CREATE TRIGGER, Unix microseconds.
	Created int64 `json:"created"`
}

// catTriggerPrefix starts the catalog keys of trigger records.
const catTriggerPrefix = "trg/"

// Trigger timings and events, as indexes of tableTriggers.lists.
const (
	trigBefore = 0
	trigAfter  = 1

	trigInsert = 0
	trigUpdate = 1
	trigDelete = 2
)

// trigger is a decoded trigger record, shared (by pointer) by the
// catalogs that have it unchanged. Its program is parsed on first use.
type trigger struct {
	desc   *triggerDesc
	timing int             // trigBefore or trigAfter
	event  int             // trigInsert, trigUpdate or trigDelete
	cols   map[string]bool // lowercased UPDATE OF columns; nil: any
	parsed struct {
		once sync.Once
		prog *trigProgram
		err  error
	}
}

// newTrigger decodes d.
func newTrigger(d *triggerDesc) (*trigger, error) {
	tr := &trigger{desc: d}
	switch d.Timing {
	case "BEFORE":
		tr.timing = trigBefore
	case "AFTER":
		tr.timing = trigAfter
	default:
		return nil, fmt.Errorf("%w: trigger %q: bad timing %q", ErrCatalogCorrupt, d.Name, d.Timing)
	}
	switch d.Event {
	case "INSERT":
		tr.event = trigInsert
	case "UPDATE":
		tr.event = trigUpdate
	case "DELETE":
		tr.event = trigDelete
	default:
		return nil, fmt.Errorf("%w: trigger %q: bad event %q", ErrCatalogCorrupt, d.Name, d.Event)
	}
	if len(d.Columns) > 0 {
		tr.cols = map[string]bool{}
		for _, c := range d.Columns {
			tr.cols[strings.ToLower(c)] = true
		}
	}
	return tr, nil
}

// program returns the trigger's parsed program.
func (tr *trigger) program() (*trigProgram, error) {
	pp := &tr.parsed
	pp.once.Do(func() {
		pp.prog, pp.err = parseTriggerProgram(tr.desc.When, tr.desc.Body)
		if pp.err != nil {
			pp.err = fmt.Errorf("%w: trigger %s: %v", ErrCatalogCorrupt, tr.desc.Name, pp.err)
		}
	})
	return pp.prog, pp.err
}

// tableTriggers are one table's triggers by timing and event, each list
// in firing order.
type tableTriggers struct {
	lists [2][3][]*trigger
}

// trigMaps are a catalog's triggers by table, built on first use.
type trigMaps struct {
	once    sync.Once
	byTable map[string]*tableTriggers // by lowercased table name
}

// trigger returns the trigger named name (case-insensitive) or nil.
func (c *catalog) trigger(name string) *trigger { return c.triggers[strings.ToLower(name)] }

// tableTriggers returns the triggers of the table named name, nil if it
// has none.
func (c *catalog) tableTriggers(name string) *tableTriggers {
	if c.perm != nil {
		if c.temps[strings.ToLower(name)] != nil {
			return nil // temporary tables have no triggers
		}
		return c.perm.tableTriggers(name)
	}
	if len(c.triggers) == 0 {
		return nil
	}
	m := &c.trg
	m.once.Do(func() {
		m.byTable = map[string]*tableTriggers{}
		for _, tr := range c.triggers {
			k := strings.ToLower(tr.desc.Table)
			tt := m.byTable[k]
			if tt == nil {
				tt = &tableTriggers{}
				m.byTable[k] = tt
			}
			tt.lists[tr.timing][tr.event] = append(tt.lists[tr.timing][tr.event], tr)
		}
		for _, tt := range m.byTable {
			for i := range tt.lists {
				for _, l := range tt.lists[i] {
					sort.Slice(l, func(a, b int) bool { return l[a].desc.Order < l[b].desc.Order })
				}
			}
		}
	})
	return m.byTable[strings.ToLower(name)]
}

// sortedTriggers returns the triggers ordered as SHOW TRIGGERS lists
// them: by table, event (INSERT, UPDATE, DELETE), timing, then order.
func (c *catalog) sortedTriggers() []*trigger {
	out := make([]*trigger, 0, len(c.triggers))
	for _, tr := range c.triggers {
		out = append(out, tr)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ta, tb := strings.ToLower(a.desc.Table), strings.ToLower(b.desc.Table); ta != tb {
			return ta < tb
		}
		if a.event != b.event {
			return a.event < b.event
		}
		if a.timing != b.timing {
			return a.timing < b.timing
		}
		return a.desc.Order < b.desc.Order
	})
	return out
}

// siblings returns the triggers of w's new catalog on table with the
// given timing and event, in order.
func (w *catalogWriter) siblings(table string, timing, event int) []*trigger {
	var out []*trigger
	for _, tr := range w.next.triggers {
		if strings.EqualFold(tr.desc.Table, table) && tr.timing == timing && tr.event == event {
			out = append(out, tr)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].desc.Order < out[j].desc.Order })
	return out
}

// putTrigger writes (creates or replaces) a trigger record.
func (w *catalogWriter) putTrigger(d *triggerDesc) error {
	tr, err := newTrigger(d)
	if err != nil {
		return err
	}
	if err := w.putRecord(catTriggerPrefix, d.Name, d); err != nil {
		return err
	}
	w.next.triggers[strings.ToLower(d.Name)] = tr
	return nil
}

// dropTrigger removes a trigger record.
func (w *catalogWriter) dropTrigger(name string) error {
	if err := w.deleteRecord(catTriggerPrefix, name); err != nil {
		return err
	}
	delete(w.next.triggers, strings.ToLower(name))
	return nil
}

// renumber gives list (one table's triggers of one timing and event, in
// their new order) the orders 1, 2, ..., rewriting the records that
// change.
func (w *catalogWriter) renumber(list []*trigger) error {
	for i, tr := range list {
		if tr.desc.Order == i+1 {
			continue
		}
		d := *tr.desc
		d.Order = i + 1
		if err := w.putTrigger(&d); err != nil {
			return err
		}
	}
	return nil
}

// dropTableTriggers drops the triggers of table (DROP TABLE).
func (w *catalogWriter) dropTableTriggers(table string) error {
	for _, tr := range w.next.triggers {
		if strings.EqualFold(tr.desc.Table, table) {
			if err := w.dropTrigger(tr.desc.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// renameTableTriggers moves the triggers of table oldName to newName
// (RENAME TABLE, ALTER TABLE ... RENAME).
func (w *catalogWriter) renameTableTriggers(oldName, newName string) error {
	var moved []*triggerDesc
	for _, tr := range w.next.triggers {
		if strings.EqualFold(tr.desc.Table, oldName) {
			d := *tr.desc
			d.Table = newName
			moved = append(moved, &d)
		}
	}
	for _, d := range moved {
		if err := w.putTrigger(d); err != nil {
			return err
		}
	}
	return nil
}

// Errors of triggers.
const (
	ErTrgAlreadyExists   uint16 = 1359 // HY000 Trigger already exists
	ErTrgDoesNotExist    uint16 = 1360 // HY000 Trigger does not exist
	ErTrgCantChangeRow   uint16 = 1362 // HY000 Updating of %s row is not allowed in %strigger
	ErTrgNoSuchRowInTrg  uint16 = 1363 // HY000 There is no %s row in %s trigger
	ErSpBadSQLState      uint16 = 1407 // 42000 Bad SQLSTATE: '%s'
	ErCommitNotAllowed   uint16 = 1422 // HY000 Explicit or implicit commit is not allowed in stored function or trigger.
	ErCantUpdateUsedTbl  uint16 = 1442 // HY000 Can't update table '%s' in stored function/trigger because it is already used by ...
	ErSignalWarn         uint16 = 1642 // 01000 Unhandled user-defined warning condition
	ErSignalNotFound     uint16 = 1643 // 02000 Unhandled user-defined not found condition
	ErSignalException    uint16 = 1644 // HY000 Unhandled user-defined exception condition
	ErDupSignalSet       uint16 = 1641 // 42000 Duplicate condition information item '%s'
	ErWrongValueForVar   uint16 = 1231 // HY000 here (as SET reports it) Variable '%s' can't be set to the value of '%s'
	ErReferencedTrgNotEx uint16 = 3011 // HY000 Referenced trigger '%s' for the given action time and event type does not exist.
)

func init() {
	for _, n := range []uint16{ErSpBadSQLState, ErDupSignalSet} {
		engineStates[n] = "42000"
	}
}

// errNoTrigger is error 1360.
func errNoTrigger() *SQLError { return engErr(ErTrgDoesNotExist, "Trigger does not exist") }

// notef records a note (level Note) of the running statement.
func (sc *stmtCtx) notef(code uint16, format string, args ...any) {
	if sc.s != nil {
		sc.s.warn.add("Note", code, fmt.Sprintf(format, args...))
	}
}

// createTrigger runs CREATE TRIGGER.
func (sc *stmtCtx) createTrigger(s *CreateTriggerStmt) error {
	if err := sc.checkSchema(s.Trigger.Schema); err != nil {
		return err
	}
	if strings.EqualFold(s.Table.Schema, "information_schema") {
		return engErr(1044, "Access denied for user to database 'information_schema'")
	}
	t, err := sc.lookupTable(s.Table.Schema, s.Table.Name)
	if err != nil {
		return err
	}
	if t.temp {
		return engErr(1361, "Trigger's '%s' is view or temporary table", t.desc.Name)
	}
	if sc.cat.trigger(s.Trigger.Name) != nil {
		if s.IfNotExists {
			sc.notef(ErTrgAlreadyExists, "Trigger already exists")
			return nil
		}
		return engErr(ErTrgAlreadyExists, "Trigger already exists")
	}
	d := &triggerDesc{Name: s.Trigger.Name, Table: t.desc.Name, Timing: s.Timing, Event: s.Event,
		Columns: s.Columns, When: s.When, Body: s.Body, Created: time.Now().UnixMicro()}
	tr, err := newTrigger(d)
	if err != nil {
		return err
	}
	prog, err := parseTriggerProgram(s.When, s.Body)
	if err != nil {
		return parseErrToSQL(err)
	}
	if err := checkTrigger(tr, t, prog); err != nil {
		return err
	}
	w := newCatalogWriter(sc.e, sc.tx, sc.cat)
	list := w.siblings(t.desc.Name, tr.timing, tr.event)
	at := len(list)
	if s.Order != "" {
		at = -1
		for i, o := range list {
			if strings.EqualFold(o.desc.Name, s.Other) {
				at = i
				if s.Order == "FOLLOWS" {
					at++
				}
			}
		}
		if at < 0 {
			return engErr(ErReferencedTrgNotEx, "Referenced trigger '%s' for the given action time and event type does not exist.", s.Other)
		}
	}
	list = append(list[:at], append([]*trigger{tr}, list[at:]...)...)
	d.Order = at + 1
	if err := w.putTrigger(d); err != nil {
		return err
	}
	list[at] = w.next.triggers[strings.ToLower(d.Name)]
	if err := w.renumber(list); err != nil {
		return err
	}
	return sc.commitCatalog(w)
}

// checkTrigger checks trigger tr's program against its table t: the NEW
// and OLD rows its event has, the columns it names, what it assigns, and
// the statements it may run.
func checkTrigger(tr *trigger, t *table, prog *trigProgram) error {
	for _, c := range tr.desc.Columns {
		if t.col(c) < 0 {
			return ErrUnknownColumn(c, "UPDATE OF")
		}
	}
	refs := func(rs []trigRef) error {
		for _, r := range rs {
			if err := checkTrigRow(tr, r.old); err != nil {
				return err
			}
			if t.col(r.col) < 0 {
				return trigRowColumnErr(r)
			}
		}
		return nil
	}
	expr := func(x *trigExpr) error {
		if x == nil {
			return nil
		}
		return refs(x.refs)
	}
	if err := expr(prog.when); err != nil {
		return err
	}
	var walk func(s *trigStmt) error
	walk = func(s *trigStmt) error {
		switch s.kind {
		case tsBlock:
			for _, x := range s.list {
				if err := walk(x); err != nil {
					return err
				}
			}
		case tsIf:
			for _, c := range s.conds {
				if err := expr(c); err != nil {
					return err
				}
			}
			for _, arm := range s.arms {
				for _, x := range arm {
					if err := walk(x); err != nil {
						return err
					}
				}
			}
		case tsSet:
			for _, a := range s.sets {
				if a.row {
					if err := checkTrigRow(tr, a.old); err != nil {
						return err
					}
					if a.old {
						return engErr(ErTrgCantChangeRow, "Updating of OLD row is not allowed in trigger")
					}
					if tr.timing == trigAfter {
						return engErr(ErTrgCantChangeRow, "Updating of NEW row is not allowed in after trigger")
					}
					if t.col(a.name) < 0 {
						return trigRowColumnErr(trigRef{old: a.old, col: a.name})
					}
				}
				if err := expr(a.value); err != nil {
					return err
				}
			}
		case tsSignal:
			if !validSQLState(s.state) || strings.HasPrefix(s.state, "00") {
				return engErr(ErSpBadSQLState, "Bad SQLSTATE: '%s'", s.state)
			}
			seen := map[string]bool{}
			for _, it := range s.items {
				if seen[it.name] {
					return engErr(ErDupSignalSet, "Duplicate condition information item '%s'", strings.ToUpper(it.name))
				}
				seen[it.name] = true
				if err := expr(it.value); err != nil {
					return err
				}
			}
		case tsDo:
			for _, x := range s.exprs {
				if err := expr(x); err != nil {
					return err
				}
			}
		case tsDML, tsSelect:
			return refs(s.refs)
		case tsCommit:
			return engErr(ErCommitNotAllowed, "Explicit or implicit commit is not allowed in stored function or trigger.")
		}
		return nil
	}
	return walk(prog.body)
}

// checkTrigRow returns error 1363 if tr's event has no OLD (old) or NEW
// row.
func checkTrigRow(tr *trigger, old bool) error {
	switch {
	case old && tr.event == trigInsert:
		return engErr(ErTrgNoSuchRowInTrg, "There is no OLD row in on INSERT trigger")
	case !old && tr.event == trigDelete:
		return engErr(ErTrgNoSuchRowInTrg, "There is no NEW row in on DELETE trigger")
	}
	return nil
}

// trigRowColumnErr is error 1054 for a NEW or OLD column that does not
// exist.
func trigRowColumnErr(r trigRef) *SQLError {
	row := "NEW"
	if r.old {
		row = "OLD"
	}
	return ErrUnknownColumn(r.col, row)
}

// validSQLState reports whether s is five digits or capital letters.
func validSQLState(s string) bool {
	if len(s) != 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// dropTriggerStmt runs DROP TRIGGER.
func (sc *stmtCtx) dropTriggerStmt(s *DropTriggerStmt) error {
	if err := sc.checkSchema(s.Trigger.Schema); err != nil {
		return err
	}
	tr := sc.cat.trigger(s.Trigger.Name)
	if tr == nil {
		if s.IfExists {
			sc.notef(ErTrgDoesNotExist, "Trigger does not exist")
			return nil
		}
		return errNoTrigger()
	}
	w := newCatalogWriter(sc.e, sc.tx, sc.cat)
	if err := w.dropTrigger(tr.desc.Name); err != nil {
		return err
	}
	if err := w.renumber(w.siblings(tr.desc.Table, tr.timing, tr.event)); err != nil {
		return err
	}
	return sc.commitCatalog(w)
}

// showCreateTrigger returns the CREATE TRIGGER statement that makes tr:
// bxdb's spelling of it, which names the table as it is now and leaves
// the order to the order of creation.
func showCreateTrigger(tr *trigger) string {
	d := tr.desc
	var b strings.Builder
	b.WriteString("CREATE TRIGGER " + quoteIdent(d.Name) + " " + d.Timing + " " + d.Event)
	for i, c := range d.Columns {
		if i == 0 {
			b.WriteString(" OF ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c))
	}
	b.WriteString(" ON " + quoteIdent(d.Table) + " FOR EACH ROW ")
	if d.When != "" {
		b.WriteString("WHEN " + d.When + " ")
	}
	b.WriteString(d.Body)
	return b.String()
}

// trigCreated returns a trigger's CREATED time as MySQL shows it
// (TIMESTAMP(2)).
func trigCreated(tr *trigger) Value {
	return DatetimeValue(time.UnixMicro(tr.desc.Created), 2)
}

// showTriggersRows returns the rows of SHOW TRIGGERS, of the tables whose
// names match like (all when like is nil).
func (sc *stmtCtx) showTriggersRows(like *string) [][]Value {
	var rows [][]Value
	mode := sc.sqlMode()
	for _, tr := range sc.cat.sortedTriggers() {
		d := tr.desc
		if like != nil && !Like(d.Table, *like, '\\', false) {
			continue
		}
		rows = append(rows, []Value{str(d.Name), str(d.Event), str(d.Table), str(d.Body), str(d.Timing),
			trigCreated(tr), str(mode), str("root@%"), str("utf8mb4"), str("utf8mb4_0900_ai_ci"), str("utf8mb4_0900_ai_ci")})
	}
	return rows
}

// showTriggersCols are the columns of SHOW TRIGGERS.
var showTriggersCols = []string{"Trigger", "Event", "Table", "Statement", "Timing", "Created", "sql_mode", "Definer",
	"character_set_client", "collation_connection", "Database Collation"}

// showCreateTriggerResult returns the columns and row of SHOW CREATE
// TRIGGER name.
func (sc *stmtCtx) showCreateTriggerResult(name TableName) ([]string, [][]Value, error) {
	if err := sc.checkSchema(name.Schema); err != nil {
		return nil, nil, err
	}
	tr := sc.cat.trigger(name.Name)
	if tr == nil {
		return nil, nil, errNoTrigger()
	}
	cols := []string{"Trigger", "sql_mode", "SQL Original Statement", "character_set_client", "collation_connection",
		"Database Collation", "Created"}
	return cols, [][]Value{{str(tr.desc.Name), str(sc.sqlMode()), str(showCreateTrigger(tr)), str("utf8mb4"),
		str("utf8mb4_0900_ai_ci"), str("utf8mb4_0900_ai_ci"), trigCreated(tr)}}, nil
}

// sqlMode returns the session's sql_mode as text.
func (sc *stmtCtx) sqlMode() string {
	if sc.s == nil {
		return ""
	}
	v, err := sc.s.sysVar("sql_mode")
	if err != nil || v.K == KindNull {
		return ""
	}
	return ToString(v)
}

// isTriggersRows generates information_schema.TRIGGERS.
func isTriggersRows(sc *stmtCtx) ([][]Value, error) {
	var rows [][]Value
	db := sc.e.dbName
	mode := sc.sqlMode()
	for _, tr := range sc.cat.sortedTriggers() {
		d := tr.desc
		cond := Null
		if d.When != "" {
			cond = str(d.When)
		}
		rows = append(rows, []Value{str("def"), str(db), str(d.Name), str(d.Event), str("def"), str(db), str(d.Table),
			num(int64(d.Order)), cond, str(d.Body), str("ROW"), str(d.Timing), Null, Null, str("OLD"), str("NEW"),
			trigCreated(tr), str(mode), str("root@%"), str("utf8mb4"), str("utf8mb4_0900_ai_ci"), str("utf8mb4_0900_ai_ci")})
	}
	return rows, nil
}

// isTriggersCols are the columns of information_schema.TRIGGERS.
var isTriggersCols = []string{"TRIGGER_CATALOG", "TRIGGER_SCHEMA", "TRIGGER_NAME", "EVENT_MANIPULATION",
	"EVENT_OBJECT_CATALOG", "EVENT_OBJECT_SCHEMA", "EVENT_OBJECT_TABLE", "ACTION_ORDER", "ACTION_CONDITION",
	"ACTION_STATEMENT", "ACTION_ORIENTATION", "ACTION_TIMING", "ACTION_REFERENCE_OLD_TABLE",
	"ACTION_REFERENCE_NEW_TABLE", "ACTION_REFERENCE_OLD_ROW", "ACTION_REFERENCE_NEW_ROW", "CREATED", "SQL_MODE",
	"DEFINER", "CHARACTER_SET_CLIENT", "COLLATION_CONNECTION", "DATABASE_COLLATION"}
