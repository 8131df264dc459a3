package sqlfront

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xwb1989/sqlparser"
)

// Variables: user variables (@x) and the system variables MySQL clients
// read (@@version, @@sql_mode, @@autocommit, ...), SET and SHOW VARIABLES.
// System variables that bxdb does not implement are accepted by SET and
// reported back, so that clients configuring a MySQL session work.

// sysVarDefaults are the system variables and their values.
func (s *Session) sysVarDefaults() map[string]Value {
	e := s.e
	ac := int64(0)
	if s.autocommit {
		ac = 1
	}
	ro := int64(0)
	if s.txReadOnly {
		ro = 1
	}
	return map[string]Value{
		"version":                         StringValue(ServerVersion),
		"version_comment":                 StringValue("bxdb embedded SQL database"),
		"version_compile_os":              StringValue("Linux"),
		"version_compile_machine":         StringValue("x86_64"),
		"autocommit":                      IntValue(ac),
		"sql_mode":                        StringValue("ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"),
		"transaction_isolation":           StringValue("SERIALIZABLE"),
		"tx_isolation":                    StringValue("SERIALIZABLE"),
		"transaction_read_only":           IntValue(ro),
		"tx_read_only":                    IntValue(ro),
		"max_allowed_packet":              IntValue(67108864),
		"character_set_client":            StringValue("utf8mb4"),
		"character_set_connection":        StringValue("utf8mb4"),
		"character_set_results":           StringValue("utf8mb4"),
		"character_set_server":            StringValue("utf8mb4"),
		"character_set_database":          StringValue("utf8mb4"),
		"collation_connection":            StringValue("utf8mb4_0900_ai_ci"),
		"collation_server":                StringValue("utf8mb4_0900_ai_ci"),
		"collation_database":              StringValue("utf8mb4_0900_ai_ci"),
		"time_zone":                       StringValue("+00:00"),
		"system_time_zone":                StringValue(systemTimeZone()),
		"lower_case_table_names":          IntValue(2),
		"foreign_key_checks":              IntValue(1),
		"unique_checks":                   IntValue(1),
		"auto_increment_increment":        IntValue(1),
		"auto_increment_offset":           IntValue(1),
		"wait_timeout":                    IntValue(28800),
		"max_execution_time":              IntValue(0),
		"interactive_timeout":             IntValue(28800),
		"net_write_timeout":               IntValue(60),
		"net_read_timeout":                IntValue(30),
		"group_concat_max_len":            IntValue(GroupConcatMaxLen),
		"innodb_lock_wait_timeout":        IntValue(int64(e.opts.BusyTimeout.Seconds())),
		"lock_wait_timeout":               IntValue(int64(e.opts.BusyTimeout.Seconds())),
		"default_storage_engine":          StringValue("InnoDB"),
		"storage_engine":                  StringValue("InnoDB"),
		"port":                            IntValue(0),
		"hostname":                        StringValue("localhost"),
		"last_insert_id":                  UintValue(s.lastInsertID),
		"identity":                        UintValue(s.lastInsertID),
		"sql_select_limit":                UintValue(1<<64 - 1),
		"sql_safe_updates":                IntValue(0),
		"sql_auto_is_null":                IntValue(0),
		"explicit_defaults_for_timestamp": IntValue(1),
		"read_only":                       BoolValue(e.opts.ReadOnly),
		"datadir":                         StringValue(e.path),
		"license":                         StringValue("MIT"),
		"performance_schema":              IntValue(0),
		"query_cache_size":                IntValue(0),
		"query_cache_type":                StringValue("OFF"),
		"default_week_format":             IntValue(0),
		"div_precision_increment":         IntValue(4),
		"max_connections":                 IntValue(151),
		"sort_buffer_size":                IntValue(e.opts.SortMemory),
		"init_connect":                    StringValue(""),
		"protocol_version":                IntValue(10),
		"have_ssl":                        StringValue("DISABLED"),
		"require_secure_transport":        IntValue(0),
		"block_encryption_mode":           StringValue("aes-128-ecb"),
		"cte_max_recursion_depth":         IntValue(1000),
		"information_schema_stats_expiry": IntValue(0),
	}
}

// splitVarName turns "@@session.sql_mode" into ("sql_mode", true) and
// "@x" into ("x", false).
func splitVarName(key string) (name string, system bool) {
	key = strings.ToLower(key)
	if !strings.HasPrefix(key, "@@") {
		return strings.TrimPrefix(key, "@"), false
	}
	key = key[2:]
	for _, p := range []string{"session.", "local.", "global."} {
		key = strings.TrimPrefix(key, p)
	}
	return strings.Trim(key, "`"), true
}

// variableValue returns the value of @x or @@[scope.]name.
func (s *Session) variableValue(key string) (Value, error) {
	name, system := splitVarName(key)
	if !system {
		return s.userVars[name], nil
	}
	return s.sysVar(name)
}

// sysVar returns a system variable's value (error 1193 if unknown).
func (s *Session) sysVar(name string) (Value, error) {
	if v, ok := s.sysVars[name]; ok {
		return v, nil
	}
	if v, ok := s.diagVar(name); ok {
		return v, nil
	}
	if v, ok := s.sysVarDefaults()[name]; ok {
		return v, nil
	}
	return Null, engErr(ErUnknownSystemVar, "Unknown system variable '%s'", name)
}

// set runs SET assignments.
func (s *Session) set(ctx context.Context, st *SetStmt, args []Value) error {
	env := &Env{Args: args, Database: s.e.dbName, LastInsertID: s.lastInsertID, RowCount: s.rowCount, FoundRows: s.foundRowsNow(), ConnectionID: s.id, sess: s, ctx: ctx}
	for _, a := range st.Assignments {
		var v Value
		if _, isDefault := a.Value.Expr.(*sqlparser.Default); isDefault {
			if a.UserVar {
				v = Null
			} else {
				delete(s.sysVars, a.Name)
				if a.Name == "time_zone" && a.Scope != ScopeGlobal {
					s.tz = nil
				}
				if a.Name == "autocommit" {
					if err := s.setAutocommit(true); err != nil {
						return err
					}
				}
				continue
			}
		} else if hasSubquery(a.Value.Expr) {
			// SET @m = (SELECT ...): the value of SELECT expr.
			var err error
			if v, err = s.selectValue(ctx, args, a.Value.Expr); err != nil {
				return err
			}
		} else {
			vs := &varScope{s: s}
			x, err := Compile(a.Value.Expr, vs)
			if err != nil {
				return err
			}
			env.Row = vs.vals
			if v, err = x.Eval(env); err != nil {
				return err
			}
		}
		if a.UserVar {
			s.userVars[strings.ToLower(a.Name)] = v
			continue
		}
		if r, ok := intVarRanges[a.Name]; ok {
			if v.K != KindInt && v.K != KindUint {
				return engErr(ErWrongTypeForVar, "Incorrect argument type to variable '%s'", a.Name)
			}
			n := ToInt64(v)
			if v.K == KindUint && v.U > uint64(r[1]) {
				n = r[1]
			}
			v = IntValue(min(max(n, r[0]), r[1])) // MySQL clamps
		}
		switch a.Name {
		case "autocommit":
			on, err := boolSetting(a.Name, v)
			if err != nil {
				return err
			}
			if err := s.setAutocommit(on); err != nil {
				return err
			}
			continue
		case "transaction_read_only", "tx_read_only":
			on, err := boolSetting(a.Name, v)
			if err != nil {
				return err
			}
			s.txReadOnly = on
			continue
		case "foreign_key_checks":
			on, err := boolSetting(a.Name, v)
			if err != nil {
				return err
			}
			if a.Scope == ScopeGlobal {
				continue
			}
			v = IntValue(0)
			if on {
				v = IntValue(1)
			}
		case "sql_mode":
			m, err := normalizeSQLMode(v)
			if err != nil {
				return err
			}
			v = StringValue(m)
		case "transaction_isolation", "tx_isolation":
			if err := checkIsolation(ToString(v)); err != nil {
				return err
			}
			continue
		case "time_zone":
			loc, ok := tzLocation(ToString(v))
			if v.K == KindNull || !ok {
				return engErr(ErUnknownTimeZone, "Unknown or incorrect time zone: '%s'", ToString(v))
			}
			if a.Scope == ScopeGlobal {
				continue // accepted; bxdb has no global settings to change
			}
			if loc == time.UTC {
				loc = nil
			}
			s.tz = loc
			v = StringValue(strings.TrimSpace(ToString(v)))
		}
		if a.Scope == ScopeGlobal {
			continue // accepted; bxdb has no global settings to change
		}
		s.sysVars[a.Name] = v
	}
	return nil
}

// systemTimeZone is system_time_zone: the abbreviation of the process's
// local zone (time.Local) now, as MySQL shows the server's ("UTC",
// "CET", ...).
func systemTimeZone() string {
	name, _ := time.Now().In(time.Local).Zone()
	return name
}

// boolSetting reads ON/OFF/1/0 for variable name.
func boolSetting(name string, v Value) (bool, error) {
	switch strings.ToUpper(ToString(v)) {
	case "1", "ON", "TRUE":
		return true, nil
	case "0", "OFF", "FALSE":
		return false, nil
	}
	return false, engErr(ErWrongValueForVar, "Variable '%s' can't be set to the value of '%s'", name, ToString(v))
}

// setAutocommit switches autocommit; turning it on commits the open
// transaction, as in MySQL.
func (s *Session) setAutocommit(on bool) error {
	if on && !s.autocommit {
		s.autocommit = true
		return s.endTx(true)
	}
	s.autocommit = on
	return nil
}

// setTransaction runs SET [scope] TRANSACTION ....
func (s *Session) setTransaction(st *SetTransactionStmt) error {
	if st.Isolation != IsolationUnspecified {
		if err := checkIsolation(st.Isolation.String()); err != nil {
			return err
		}
	}
	switch st.Scope {
	case ScopeDefault:
		switch st.Access {
		case TxAccessReadOnly:
			s.nextReadOnly = 1
		case TxAccessReadWrite:
			s.nextReadOnly = 2
		}
	default:
		switch st.Access {
		case TxAccessReadOnly:
			s.txReadOnly = true
		case TxAccessReadWrite:
			s.txReadOnly = false
		}
	}
	return nil
}

// varScope resolves names in SET values: variables only, each in a slot
// of vals holding its value.
type varScope struct {
	s    *Session
	vals []Value
}

// Column implements Scope: @x and @@x get a slot with their value.
func (v *varScope) Column(db, table, name string) (int, error) {
	if !strings.HasPrefix(name, "@") {
		if table == "" && db == "" {
			// SET x = ON: a bare word is a string.
			v.vals = append(v.vals, StringValue(name))
			return len(v.vals) - 1, nil
		}
		return 0, ErrUnknownColumn(name, "field list")
	}
	val, err := v.s.variableValue(name)
	if err != nil {
		return 0, err
	}
	v.vals = append(v.vals, val)
	return len(v.vals) - 1, nil
}

// Aggregate implements Scope.
func (v *varScope) Aggregate(sqlparser.Expr) (int, error) { return 0, ErrInvalidGroupFunc() }

// Subquery implements Scope: set runs an expression with subqueries as
// a SELECT (selectValue), so none reaches this scope.
func (v *varScope) Subquery(sqlparser.SelectStatement) (Subquery, error) {
	return Subquery{}, errNotSupported("subqueries in SET")
}

// hasSubquery reports whether e contains a subquery.
func hasSubquery(e sqlparser.Expr) bool {
	found := false
	sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if _, ok := n.(*sqlparser.Subquery); ok {
			found = true
		}
		return !found, nil
	}, e)
	return found
}

// selectValue returns the value of SELECT e (in the session's
// transaction, if any).
func (s *Session) selectValue(ctx context.Context, args []Value, e sqlparser.Expr) (Value, error) {
	sel := &sqlparser.Select{SelectExprs: sqlparser.SelectExprs{&sqlparser.AliasedExpr{Expr: e}}}
	rows, err := s.runQuery(ctx, &Stmt{}, args, func(sc *stmtCtx) (rowIter, []ColumnInfo, error) {
		return sc.planSelectStmt(sel)
	})
	if err != nil {
		return Null, err
	}
	defer rows.Close()
	dst := make([]Value, 1)
	if err := rows.Next(dst); err != nil {
		return Null, err
	}
	return dst[0], nil
}

// showVariables returns the rows of SHOW VARIABLES.
func (s *Session) showVariables() [][]Value {
	vars := s.sysVarDefaults()
	for k, v := range s.sysVars {
		vars[k] = v
	}
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	rows := make([][]Value, 0, len(names))
	for _, n := range names {
		v := vars[n]
		text := Format(v)
		if v.K == KindNull {
			text = ""
		}
		if n == "autocommit" || n == "foreign_key_checks" || n == "unique_checks" || n == "sql_safe_updates" ||
			n == "transaction_read_only" || n == "tx_read_only" || n == "read_only" || n == "explicit_defaults_for_timestamp" {
			if text == "1" {
				text = "ON"
			} else if text == "0" {
				text = "OFF"
			}
		}
		rows = append(rows, []Value{StringValue(n), StringValue(text)})
	}
	return rows
}

// itoa is strconv.Itoa for int64.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// sqlModes are MySQL 8's SQL modes in the order @@sql_mode shows them;
// ANSI and TRADITIONAL also stand for the modes of sqlModeCombos.
var sqlModes = []string{"REAL_AS_FLOAT", "PIPES_AS_CONCAT", "ANSI_QUOTES", "IGNORE_SPACE", "NOT_USED",
	"ONLY_FULL_GROUP_BY", "NO_UNSIGNED_SUBTRACTION", "NO_DIR_IN_CREATE", "ANSI", "NO_AUTO_VALUE_ON_ZERO",
	"NO_BACKSLASH_ESCAPES", "STRICT_TRANS_TABLES", "STRICT_ALL_TABLES", "NO_ZERO_IN_DATE", "NO_ZERO_DATE",
	"ALLOW_INVALID_DATES", "ERROR_FOR_DIVISION_BY_ZERO", "TRADITIONAL", "HIGH_NOT_PRECEDENCE",
	"NO_ENGINE_SUBSTITUTION", "PAD_CHAR_TO_FULL_LENGTH", "TIME_TRUNCATE_FRACTIONAL"}

var sqlModeCombos = map[string][]string{
	"ANSI":        {"REAL_AS_FLOAT", "PIPES_AS_CONCAT", "ANSI_QUOTES", "IGNORE_SPACE", "ONLY_FULL_GROUP_BY"},
	"TRADITIONAL": {"STRICT_TRANS_TABLES", "STRICT_ALL_TABLES", "NO_ZERO_IN_DATE", "NO_ZERO_DATE", "ERROR_FOR_DIVISION_BY_ZERO", "NO_ENGINE_SUBSTITUTION"},
}

// normalizeSQLMode returns a sql_mode value as MySQL stores it: its modes
// upper-cased, each once, in MySQL's order, empty items dropped; an
// unknown mode is error 1231. (bxdb keeps the setting but applies only its
// default behaviour: README.)
func normalizeSQLMode(v Value) (string, error) {
	if v.K == KindNull {
		return "", engErr(ErWrongValueForVar, "Variable 'sql_mode' can't be set to the value of 'NULL'")
	}
	on := map[string]bool{}
	for _, m := range strings.Split(ToString(v), ",") {
		m = strings.ToUpper(strings.TrimSpace(m))
		if m == "" {
			continue
		}
		if !slices.Contains(sqlModes, m) || m == "NOT_USED" {
			return "", engErr(ErWrongValueForVar, "Variable 'sql_mode' can't be set to the value of '%s'", m)
		}
		on[m] = true
		for _, c := range sqlModeCombos[m] {
			on[c] = true
		}
	}
	var out []string
	for _, m := range sqlModes {
		if on[m] {
			out = append(out, m)
		}
	}
	return strings.Join(out, ","), nil
}

// intVarRanges are the integer session variables bxdb applies, with
// MySQL's ranges (SET clamps a value to its range, as MySQL does).
var intVarRanges = map[string][2]int64{
	"cte_max_recursion_depth": {0, 1<<32 - 1},
	"group_concat_max_len":    {4, 1<<32 - 1},
	"max_execution_time":      {0, 1<<32 - 1},
}

// intVar returns the session's value of the integer variable name (one of
// intVarRanges), def when it was not set.
func (s *Session) intVar(name string, def int64) int64 {
	if v, ok := s.sysVars[name]; ok {
		return ToInt64(v)
	}
	return def
}
