package sqlfront

import (
	"errors"
	"fmt"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Warnings: the session's diagnostics area, as MySQL keeps it.
//
// A statement's warnings (and its error, if it fails) are kept until a
// later statement clears them. SHOW WARNINGS lists them (SHOW ERRORS the
// errors only), SHOW COUNT(*) WARNINGS, @@warning_count and @@error_count
// count them. As in MySQL:
//
//   - a statement that uses tables (INSERT, UPDATE, DELETE, DDL, a SELECT
//     with a FROM, SHOW ...) clears the list when it starts;
//   - any other statement (SELECT without tables, SET, DO, BEGIN, ...)
//     clears it only when it raises a condition itself, so SELECT
//     @@warning_count reads the count of the statement before;
//   - the diagnostics statements (SHOW WARNINGS, SHOW ERRORS and their
//     COUNT(*) forms) never clear it;
//   - the list keeps at most @@max_error_count (64) conditions; the counts
//     count them all.
//
// What records warnings: INSERT IGNORE and UPDATE IGNORE (the value a
// strict statement refuses and IGNORE adjusts: 1264, 1265, 1366, ...; a
// NULL for a NOT NULL column, 1048; a skipped duplicate row, 1062; a row
// failing a CHECK or foreign key), a division by zero that yields NULL
// (1365), and a failed statement's error (level Error).

// errNotConstant keeps compiler.fold from folding an expression that
// raises a warning (Env.folding).
var errNotConstant = errors.New("sqlfront: not folded: raises a warning")

// maxErrorCount is the default of @@max_error_count.
const maxErrorCount = 64

// diagCondition is one entry of SHOW WARNINGS.
type diagCondition struct {
	level string // "Note", "Warning" or "Error"
	code  uint16
	msg   string
}

// warnList is a session's diagnostics area.
type warnList struct {
	list   []diagCondition
	warns  int    // conditions raised (past the list's cap too), for @@warning_count
	errs   int    // errors raised, for @@error_count
	owner  uint64 // the statement the list belongs to
	stmt   uint64 // the running statement
	capped int    // the list's capacity for this statement (max_error_count)
}

// clear empties the list for the running statement.
func (w *warnList) clear() {
	w.list, w.warns, w.errs = w.list[:0], 0, 0
	w.owner = w.stmt
}

// add records one condition of the running statement.
func (w *warnList) add(level string, code uint16, msg string) {
	if w.owner != w.stmt {
		w.clear()
	}
	w.warns++
	if level == "Error" {
		w.errs++
	}
	if len(w.list) < w.capped {
		w.list = append(w.list, diagCondition{level: level, code: code, msg: msg})
	}
}

// begin starts statement st on session s: the diagnostics statements
// keep the list, statements that use tables clear it.
func (s *Session) beginWarnings(st *Stmt) {
	if isDiagnosticsStmt(st.stmt) {
		return
	}
	w := &s.warn
	w.stmt++
	w.capped = maxErrorCount
	if v, ok := s.sysVars["max_error_count"]; ok {
		w.capped = int(min(max(ToInt64(v), 0), 65535))
	}
	if usesTables(st.stmt) {
		w.clear()
	}
}

// noteError records the error a statement failed with.
func (s *Session) noteError(st *Stmt, err error) {
	if err == nil || st == nil || isDiagnosticsStmt(st.stmt) {
		return
	}
	var se *SQLError
	if errors.As(err, &se) {
		s.warn.add("Error", se.Number, se.Msg)
	}
}

// warnf records a warning of the running statement.
func (s *Session) warnf(code uint16, format string, args ...any) {
	if s != nil {
		s.warn.add("Warning", code, fmt.Sprintf(format, args...))
	}
}

// warnErr records the error err (an *SQLError) as a warning of the
// statement sc runs: what a strict statement fails with, IGNORE turns into
// a warning.
func (sc *stmtCtx) warnErr(err error) {
	var se *SQLError
	if sc.s != nil && errors.As(err, &se) {
		sc.s.warn.add("Warning", se.Number, se.Msg)
	}
}

// warnf records a warning of the statement sc runs.
func (sc *stmtCtx) warnf(code uint16, format string, args ...any) {
	sc.s.warnf(code, format, args...)
}

// coerceIgnore converts v for column col of type t as INSERT IGNORE and
// UPDATE IGNORE do (CoerceIgnore), recording as a warning the error a
// strict statement would fail with.
func (sc *stmtCtx) coerceIgnore(v Value, t ColumnType, col string, rowNum int) Value {
	out, err := coerce(v, t, col, rowNum)
	if err == nil {
		return out
	}
	var se *SQLError
	if errors.As(err, &se) && se.Number == ErDataTooLong {
		// A string cut to the column's length: strict mode's 1406 is
		// the warning 1265 in MySQL.
		err = NewSQLError(ErWarnDataTruncated, "Data truncated for column '%s' at row %d", col, rowNum)
	}
	sc.warnErr(err)
	return CoerceIgnore(v, t)
}

// isDiagnosticsStmt reports whether st is SHOW WARNINGS or SHOW ERRORS
// (COUNT(*) forms included), which leave the diagnostics area as it is.
func isDiagnosticsStmt(st Statement) bool {
	s, ok := st.(*ShowStmt)
	return ok && (s.Kind == ShowWarnings || s.Kind == ShowErrors)
}

// usesTables reports whether st clears the diagnostics area when it
// starts: any statement but a SELECT without FROM tables and the session
// statements (SET, DO, BEGIN, ...).
func usesTables(st Statement) bool {
	switch x := st.(type) {
	case *DMLStmt:
		sel, ok := x.AST.(*sqlparser.Select)
		if !ok {
			return true
		}
		for _, te := range sel.From {
			ate, ok := te.(*sqlparser.AliasedTableExpr)
			if !ok {
				return true
			}
			tn, ok := ate.Expr.(sqlparser.TableName)
			if !ok || !strings.EqualFold(tn.Name.String(), "dual") || !tn.Qualifier.IsEmpty() {
				return true
			}
		}
		return false
	case *ShowStmt, *ExplainStmt, *TableMaintStmt,
		*CreateTableStmt, *CreateIndexStmt, *DropIndexStmt, *DropTableStmt, *TruncateStmt, *AlterTableStmt,
		*RenameTableStmt, *CreateViewStmt, *DropViewStmt, *SyncStmt, *CreateTriggerStmt, *DropTriggerStmt:
		return true
	}
	return false
}

// showWarnings returns the rows of SHOW WARNINGS (errorsOnly: SHOW
// ERRORS), or with count the row of SHOW COUNT(*) WARNINGS.
func (s *Session) showWarnings(st *ShowStmt) ([]string, [][]Value) {
	w := &s.warn
	if st.Count {
		n, name := w.warns, "@@session.warning_count"
		if st.Kind == ShowErrors {
			n, name = w.errs, "@@session.error_count"
		}
		return []string{name}, [][]Value{{IntValue(int64(n))}}
	}
	var rows [][]Value
	for _, c := range w.list {
		if st.Kind == ShowErrors && c.level != "Error" {
			continue
		}
		rows = append(rows, []Value{StringValue(c.level), IntValue(int64(c.code)), StringValue(c.msg)})
	}
	if st.Limit != nil {
		off := min(st.Limit.Offset, uint64(len(rows)))
		rows = rows[off:]
		rows = rows[:min(st.Limit.Count, uint64(len(rows)))]
	}
	return []string{"Level", "Code", "Message"}, rows
}

// diagVar returns the diagnostics variables: @@warning_count,
// @@error_count and @@max_error_count (unless SET).
func (s *Session) diagVar(name string) (Value, bool) {
	switch name {
	case "warning_count":
		return IntValue(int64(s.warn.warns)), true
	case "error_count":
		return IntValue(int64(s.warn.errs)), true
	case "max_error_count":
		return IntValue(maxErrorCount), true
	}
	return Null, false
}
