package sqlfront

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xwb1989/sqlparser"
)

// This file compiles sqlparser expressions into trees of small evaluator
// nodes, once per statement, so that evaluating a row costs no parsing, no
// reflection and no lookups by name:
//
//	e, err := sqlfront.Compile(where, scope) // scope resolves names to slots
//	env := &sqlfront.Env{Args: args, Now: stmtStart}
//	for each row {
//		env.Row = row                        // slots as the scope resolved them
//		ok, err := sqlfront.EvalBool(e, env) // WHERE: true only if not NULL and true
//	}
//
// Concurrency: a compiled Expr is immutable and may be evaluated by many
// goroutines at once, each with its own Env. An Env is not safe for
// concurrent use. Values returned by Eval do not alias the Env.
//
// Compile folds constant subtrees (1 + 2 becomes 3; functions of Env like
// NOW() and placeholders are not folded), specializes comparisons with a
// constant side, and precompiles constant LIKE patterns, REGEXPs and IN
// lists.

// Expr is a compiled expression.
type Expr interface {
	// Eval evaluates the expression for env's row. Errors are *SQLError
	// for MySQL-numbered conditions (overflow 1690, subquery 1242, ...).
	Eval(env *Env) (Value, error)
}

// exprNode is implemented by every node of this package: kids returns the
// node's operands, for IsConstant, ColumnRefs and folding.
type exprNode interface {
	Expr
	kids() []Expr
}

// Env is the evaluation context of one statement execution.
type Env struct {
	Row  []Value   // the current row, in the slots the Scope assigned (columns, aggregates)
	Args []Value   // placeholder values: the n-th `?` (sqlparser's ":vn") is Args[n-1]
	Now  time.Time // statement start: NOW(), CURDATE(), UNIX_TIMESTAMP(); zero means the wall clock at each call
	// Database is the current database, for DATABASE().
	Database string
	// LastInsertID is the value of LAST_INSERT_ID(); LAST_INSERT_ID(x)
	// sets it (the engine reads it back after the statement).
	LastInsertID uint64
	// RowCount and FoundRows are ROW_COUNT() and FOUND_ROWS(): the rows
	// the previous statement changed (-1 after a query), and the rows the
	// previous query returned.
	RowCount, FoundRows int64
	// ConnectionID is CONNECTION_ID().
	ConnectionID uint64
	// User is USER() and CURRENT_USER(); "" means "root@localhost".
	User string

	// divZeroErr makes a division by zero (/, DIV, %, MOD) error 1365
	// instead of NULL: MySQL's strict ERROR_FOR_DIVISION_BY_ZERO, which
	// applies to the values INSERT, REPLACE and UPDATE write (without
	// IGNORE); queries get NULL.
	divZeroErr bool
	// folding is set while the compiler evaluates a constant expression
	// (compiler.fold): an expression that would raise a warning fails
	// with errNotConstant instead, to run (and warn) at run time.
	folding bool

	stack []Value      // argument stack of callExpr (see func.go)
	memo  map[Expr]any // by node: uncorrelated subquery results, compiled LIKE/REGEXP patterns
	// sess and ctx are the session running the statement and its
	// context, for the functions that act on the session (user variable
	// assignment, GET_LOCK, SLEEP); nil outside a session.
	sess *Session
	ctx  context.Context
	// clock, when set and Now is zero, is the statement time, read from
	// the wall clock at its first use (time.Now is not free, and most
	// write statements never ask). Copies of the Env share it, so every
	// part of the statement sees one time.
	clock *time.Time
}

// Reset clears the results of uncorrelated subqueries that env memoizes,
// so that env can be reused for another execution of a statement.
func (env *Env) Reset() {
	clear(env.memo)
}

// now returns the statement time (UTC).
func (env *Env) now() time.Time {
	if env.Now.IsZero() {
		if c := env.clock; c != nil {
			if c.IsZero() {
				*c = time.Now()
			}
			return c.UTC()
		}
		return time.Now().UTC()
	}
	return env.Now.UTC()
}

// zone returns the session time zone (time_zone): UTC outside a session.
func (env *Env) zone() *time.Location {
	if env.sess != nil && env.sess.tz != nil {
		return env.sess.tz
	}
	return time.UTC
}

// localNow returns the statement time as the session zone's wall clock
// (NOW(), CURDATE(), CURTIME()), in the UTC-labelled form of every
// DATETIME value.
func (env *Env) localNow() time.Time {
	return wallClock(env.now(), env.zone())
}

// wallClock returns the wall clock time of loc at the instant t, labelled
// UTC as DATETIME values are.
func wallClock(t time.Time, loc *time.Location) time.Time {
	if loc == time.UTC {
		return t.UTC()
	}
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

// zonedInstant returns the instant at which loc's wall clock reads t's
// (UTC-labelled) date and time. A time in a gap (the hour skipped when
// clocks go forward) takes the end of the gap, where the new offset
// begins, as MySQL does; a time in an overlap (the hour repeated when
// clocks go back) takes the later instant, with the winter offset (Go's
// time.Date's choice).
func zonedInstant(t time.Time, loc *time.Location) time.Time {
	if loc == time.UTC {
		return t
	}
	in := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
	if got := wallClock(in, loc); !got.Equal(t) {
		// In a gap, time.Date normalizes with the offset in force
		// before it: start of the period that follows.
		if _, end := in.ZoneBounds(); got.Before(t) && !end.IsZero() {
			return end
		}
		if start, _ := in.ZoneBounds(); !start.IsZero() {
			return start
		}
	}
	return in
}

// Scope resolves names for Compile. The engine implements it for each
// clause of a query; TableScope is a simple implementation.
type Scope interface {
	// Column returns the Env.Row slot of the column db.table.name (db and
	// table may be empty; names are as written and compare
	// case-insensitively in MySQL). An unknown column is
	// ErrUnknownColumn (1054), an ambiguous one ErrAmbiguousColumn (1052).
	Column(db, table, name string) (int, error)
	// Aggregate returns the Env.Row slot in which the engine provides the
	// value of the aggregate call e, a *sqlparser.FuncExpr with
	// IsAggregate() true or a *sqlparser.GroupConcatExpr (see
	// ParseAggregate). Where aggregates are not allowed (WHERE, nested
	// aggregates) it returns ErrInvalidGroupFunc (1111).
	Aggregate(e sqlparser.Expr) (int, error)
	// Subquery prepares a subquery used as a scalar, in IN or in EXISTS.
	Subquery(sel sqlparser.SelectStatement) (Subquery, error)
}

// Subquery is a prepared subquery handed to Compile by Scope.Subquery.
type Subquery struct {
	// Run evaluates the subquery and returns its rows. It is called at
	// most once per Env (until Env.Reset) unless Correlated.
	Run func(env *Env) ([][]Value, error)
	// Correlated subqueries read env.Row (the outer row); they run for
	// every evaluation.
	Correlated bool
	// Width is the number of columns of its rows (0: unknown until run).
	Width int
}

// InsertValuesScope is implemented by scopes of INSERT ... ON DUPLICATE
// KEY UPDATE, where VALUES(col) names the value the statement tried to
// insert into col.
type InsertValuesScope interface {
	// InsertValue returns the Env.Row slot holding the value proposed for
	// column name.
	InsertValue(name string) (int, error)
}

// TableScope is a Scope over one table's columns in order (slot i is
// Columns[i]): for DEFAULT expressions, CHECK constraints, UPDATE ... SET,
// generated columns and tests. It allows no aggregates or subqueries.
type TableScope struct {
	Table   string   // the table name qualified references must use ("" accepts any)
	Columns []string // column names, matched case-insensitively
	Clause  string   // clause for error messages, "field list" if empty
}

// Column implements Scope.
func (s *TableScope) Column(db, table, name string) (int, error) {
	clause := s.Clause
	if clause == "" {
		clause = "field list"
	}
	full := name
	if table != "" {
		full = table + "." + name
	}
	if table != "" && s.Table != "" && !strings.EqualFold(table, s.Table) {
		return 0, ErrUnknownColumn(full, clause)
	}
	for i, c := range s.Columns {
		if strings.EqualFold(c, name) {
			return i, nil
		}
	}
	return 0, ErrUnknownColumn(full, clause)
}

// Aggregate implements Scope: aggregates are not allowed.
func (s *TableScope) Aggregate(sqlparser.Expr) (int, error) { return 0, ErrInvalidGroupFunc() }

// Subquery implements Scope: subqueries are not supported.
func (s *TableScope) Subquery(sqlparser.SelectStatement) (Subquery, error) {
	return Subquery{}, NewSQLError(ErNotSupportedYet, "This version of bxdb doesn't yet support 'subqueries here'")
}

// ErrMissingArgument is returned (wrapped) by Eval when a placeholder has
// no value in Env.Args.
var ErrMissingArgument = errors.New("sqlfront: missing placeholder argument")

// Compile compiles e, resolving names with sc.
func Compile(e sqlparser.Expr, sc Scope) (Expr, error) {
	c := &compiler{sc: sc}
	return c.compile(e)
}

// EvalBool evaluates e as a condition (WHERE, HAVING, ON, CHECK): true only
// if the value is not NULL and true by Truth.
func EvalBool(e Expr, env *Env) (bool, error) {
	if be, ok := e.(boolExpr); ok {
		t, err := be.evalTri(env)
		return t == triTrue, err
	}
	v, err := e.Eval(env)
	if err != nil {
		return false, err
	}
	b, null := Truth(v)
	return b && !null, nil
}

// EvalConstant evaluates an expression that IsConstant with env (its Row
// is not read; Args, Now and the other fields are).
func EvalConstant(e Expr, env *Env) (Value, error) {
	if !IsConstant(e) {
		return Null, errors.New("sqlfront: EvalConstant of an expression that reads the row")
	}
	saved := env.Row
	env.Row = nil
	v, err := e.Eval(env)
	env.Row = saved
	return v, err
}

// depMask says what an expression depends on besides its operands.
type depMask uint8

const (
	depRow      depMask = 1 << iota // reads Env.Row (columns, aggregates, correlated subqueries)
	depArgs                         // reads Env.Args
	depEnv                          // reads Env's other fields (NOW(), DATABASE(), ...)
	depVolatile                     // differs between evaluations (RAND(), SYSDATE())
	depSubquery                     // runs a subquery
)

// depsReporter is implemented by nodes with dependencies of their own.
type depsReporter interface {
	selfDeps() depMask
}

// depsOf returns the dependencies of e and its operands. Expressions not
// built by this package are assumed to read the row and be volatile.
func depsOf(e Expr) depMask {
	n, ok := e.(exprNode)
	if !ok {
		return depRow | depVolatile
	}
	var m depMask
	if r, ok := e.(depsReporter); ok {
		m = r.selfDeps()
	}
	for _, k := range n.kids() {
		m |= depsOf(k)
	}
	return m
}

// IsConstant reports whether e does not read the row: it may read Env.Args,
// the statement time and uncorrelated subqueries, so it can be evaluated
// once per execution (EvalConstant), e.g. to turn `col > 5 + ?` into a key
// range.
func IsConstant(e Expr) bool { return depsOf(e)&(depRow|depVolatile) == 0 }

// Literal returns the value of e if Compile reduced it to a literal (it is
// constant without any Env).
func Literal(e Expr) (Value, bool) {
	if l, ok := e.(*litExpr); ok {
		return l.v, true
	}
	return Null, false
}

// ColumnRef reports whether e is a plain reference to an Env.Row slot (a
// column or an aggregate) and returns the slot.
func ColumnRef(e Expr) (int, bool) {
	if c, ok := e.(*colExpr); ok {
		return c.idx, true
	}
	return 0, false
}

// ColumnRefs returns the Env.Row slots e reads, in first-use order
// without duplicates.
func ColumnRefs(e Expr) []int {
	var out []int
	var walk func(Expr)
	walk = func(x Expr) {
		if c, ok := x.(*colExpr); ok {
			for _, o := range out {
				if o == c.idx {
					return
				}
			}
			out = append(out, c.idx)
			return
		}
		if n, ok := x.(exprNode); ok {
			for _, k := range n.kids() {
				walk(k)
			}
		}
	}
	walk(e)
	return out
}

// --- Leaves ------------------------------------------------------------------

// litExpr is a constant.
type litExpr struct {
	v Value
	// num is the numeric reading of a hex or bit literal (0x41 is 65 in
	// numeric context and 'A' elsewhere); K is KindNull for other literals.
	num Value
	// exact, when disp >= 0, is the unrounded value of a folded
	// arithmetic expression whose result v is rounded to disp digits
	// (see evalExact): 1/3 is 0.3333 with exact 0.333333333.
	exact Value
	disp  int
	// unsigned marks the folded value of arithmetic MySQL types BIGINT
	// UNSIGNED (arithExpr.unsigned), for the operations it is part of.
	unsigned bool
}

func (e *litExpr) Eval(*Env) (Value, error) { return e.v, nil }
func (e *litExpr) kids() []Expr             { return nil }

// colExpr reads a row slot (a column or an aggregate result).
type colExpr struct {
	idx int
	agg bool // an aggregate's slot
}

func (e *colExpr) Eval(env *Env) (Value, error) { return env.Row[e.idx], nil }
func (e *colExpr) kids() []Expr                 { return nil }
func (e *colExpr) selfDeps() depMask            { return depRow }

// argExpr reads a placeholder value.
type argExpr struct{ idx int }

func (e *argExpr) Eval(env *Env) (Value, error) {
	if e.idx >= len(env.Args) {
		return Null, fmt.Errorf("%w: ? number %d of %d", ErrMissingArgument, e.idx+1, len(env.Args))
	}
	return env.Args[e.idx], nil
}
func (e *argExpr) kids() []Expr      { return nil }
func (e *argExpr) selfDeps() depMask { return depArgs }

// --- The compiler ------------------------------------------------------------

// compiler holds the state of one Compile call.
type compiler struct {
	sc Scope
	// depMemo remembers depsOf of the nodes fold has seen: fold runs at
	// every node, bottom up, so walking each node's whole subtree made a
	// chain of n ORs or +s cost n² (minutes for 50,000 terms).
	depMemo map[Expr]depMask
	visits  int // nodes deps computed (not found in depMemo), for tests
}

// deps is depsOf(e), memoized for the compile (c.depMemo).
func (c *compiler) deps(e Expr) depMask {
	n, ok := e.(exprNode)
	if !ok {
		return depRow | depVolatile
	}
	if m, ok := c.depMemo[e]; ok {
		return m
	}
	c.visits++
	var m depMask
	if r, ok := e.(depsReporter); ok {
		m = r.selfDeps()
	}
	for _, k := range n.kids() {
		m |= c.deps(k)
	}
	if c.depMemo == nil {
		c.depMemo = make(map[Expr]depMask)
	}
	c.depMemo[e] = m
	return m
}

// fold replaces e by a literal if it depends on nothing but literals and
// evaluates without error.
func (c *compiler) fold(e Expr) Expr {
	if _, ok := e.(*litExpr); ok {
		return e
	}
	if c.deps(e) != 0 {
		return e
	}
	// divZeroErr: a division by zero is NULL or error 1365 depending on
	// the statement that runs it, so it is not folded.
	env := &Env{divZeroErr: true, folding: true}
	if x, ok := e.(exactEvaler); ok {
		v, disp, err := x.evalExact(env)
		if err != nil {
			return e
		}
		if r := roundDisplay(v, disp); r != v {
			return &litExpr{v: r, exact: v, disp: disp}
		}
		return &litExpr{v: v, disp: -1}
	}
	v, err := e.Eval(env)
	if err != nil {
		return e // report the error at run time, as MySQL does
	}
	return &litExpr{v: v, disp: -1}
}

// niladicFuncs are the functions MySQL also calls without parentheses
// (the pinned parser reads them as column names).
var niladicFuncs = map[string]string{
	"current_user": "current_user", "utc_timestamp": "utc_timestamp", "utc_date": "utc_date",
	"utc_time": "utc_time", "localtime": "now", "localtimestamp": "now",
}

// compile compiles one expression.
func (c *compiler) compile(e sqlparser.Expr) (Expr, error) {
	switch e := e.(type) {
	case *sqlparser.SQLVal:
		return compileSQLVal(e)
	case *sqlparser.NullVal:
		return &litExpr{v: Null}, nil
	case sqlparser.BoolVal:
		return &litExpr{v: BoolValue(bool(e))}, nil
	case *sqlparser.ColName:
		idx, err := c.sc.Column(e.Qualifier.Qualifier.String(), e.Qualifier.Name.String(), e.Name.String())
		if err != nil {
			// MySQL's niladic functions without parentheses, where no
			// column has the name: SELECT CURRENT_USER, UTC_TIMESTAMP.
			var se *SQLError
			if def := niladicFuncs[e.Name.Lowered()]; def != "" && e.Qualifier.IsEmpty() && asSQLError(err, &se) && se.Number == ErBadField {
				return c.compile(&sqlparser.FuncExpr{Name: sqlparser.NewColIdent(def)})
			}
			return nil, err
		}
		return &colExpr{idx: idx}, nil
	case *sqlparser.ParenExpr:
		return c.compile(e.Expr)
	case *sqlparser.AndExpr:
		return c.compileLogic(e.Left, e.Right, true)
	case *sqlparser.OrExpr:
		return c.compileLogic(e.Left, e.Right, false)
	case *sqlparser.NotExpr:
		x, err := c.compile(e.Expr)
		if err != nil {
			return nil, err
		}
		return c.fold(&notExpr{x: asBool(x)}), nil
	case *sqlparser.ComparisonExpr:
		return c.compileComparison(e)
	case *sqlparser.RangeCond:
		return c.compileBetween(e)
	case *sqlparser.IsExpr:
		return c.compileIs(e)
	case *sqlparser.ExistsExpr:
		return c.compileExists(e)
	case *sqlparser.Subquery:
		return c.compileScalarSubquery(e)
	case sqlparser.ValTuple:
		if len(e) == 1 {
			return c.compile(e[0])
		}
		return nil, errOperandColumns(1)
	case *sqlparser.BinaryExpr:
		return c.compileBinary(e)
	case *sqlparser.UnaryExpr:
		return c.compileUnary(e)
	case *sqlparser.IntervalExpr:
		return nil, syntaxError(sqlparser.String(e))
	case *sqlparser.CollateExpr:
		return c.compileCollate(e)
	case *sqlparser.FuncExpr:
		if _, ok := rowItems(e); ok {
			return nil, errOperandColumns(1) // ROW(a, b) where one value belongs
		}
		if IsAggregate(e) {
			return c.compileAggregate(e)
		}
		if e.Name.Lowered() == "__win" { // a window call (stmt_window.go)
			ws, ok := c.sc.(WindowScope)
			if !ok {
				return nil, errWindowPlace()
			}
			slot, err := ws.Window(e)
			if err != nil {
				return nil, err
			}
			return &colExpr{idx: slot}, nil
		}
		return c.compileFunc(e)
	case *sqlparser.GroupConcatExpr:
		return c.compileAggregate(e)
	case *sqlparser.CaseExpr:
		return c.compileCase(e)
	case *sqlparser.ValuesFuncExpr:
		vs, ok := c.sc.(InsertValuesScope)
		if !ok {
			return nil, NewSQLError(ErNotSupportedYet, "This version of bxdb doesn't yet support 'VALUES() outside ON DUPLICATE KEY UPDATE'")
		}
		idx, err := vs.InsertValue(e.Name.Name.String())
		if err != nil {
			return nil, err
		}
		return &colExpr{idx: idx}, nil
	case *sqlparser.ConvertExpr:
		return c.compileConvert(e)
	case *sqlparser.ConvertUsingExpr:
		return c.compileConvertUsing(e)
	case *sqlparser.SubstrExpr:
		return c.compileSubstr(e)
	case *sqlparser.MatchExpr:
		return c.compileMatch(e)
	case sqlparser.ListArg:
		return nil, NewSQLError(ErNotSupportedYet, "This version of bxdb doesn't yet support 'list arguments'")
	case nil:
		return nil, errors.New("sqlfront: nil expression")
	}
	return nil, NewSQLError(ErNotSupportedYet, "This version of bxdb doesn't yet support '%s'", sqlparser.String(e))
}

// syntaxError returns error 1064 near text.
func syntaxError(text string) error {
	return NewSQLError(ErParse, "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near '%s'", text)
}

// errOperandColumns returns error 1241.
func errOperandColumns(n int) error {
	return NewSQLError(ErOperandColumns, "Operand should contain %d column(s)", n)
}

// longNumberLiteral reads a number literal too long for a DECIMAL (more
// than 2*65+1 digits, as bun writes 1e200) as a DOUBLE, as MySQL does;
// one beyond the DOUBLE range is error 1367.
func longNumberLiteral(s string) (Expr, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, NewSQLError(1367, "Illegal double '%s' value found during parsing", s[:min(len(s), 192)])
	}
	return &litExpr{v: FloatValue(f)}, nil
}

// compileSQLVal compiles a literal or a placeholder.
func compileSQLVal(v *sqlparser.SQLVal) (Expr, error) {
	s := string(v.Val)
	switch v.Type {
	case sqlparser.StrVal:
		return &litExpr{v: StringValue(s)}, nil
	case sqlparser.IntVal:
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return &litExpr{v: IntValue(i)}, nil
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return &litExpr{v: UintValue(u)}, nil
		}
		d, err := ParseDecimal(s)
		if errors.Is(err, errDecimalRange) {
			return longNumberLiteral(s)
		}
		if err != nil {
			return nil, syntaxError(s)
		}
		if d.Precision() > MaxDecimalPrecision {
			// MySQL reads an integer of more than 65 digits as DOUBLE.
			f, _ := strconv.ParseFloat(s, 64)
			return &litExpr{v: FloatValue(f)}, nil
		}
		return &litExpr{v: DecimalValue(d)}, nil
	case sqlparser.FloatVal:
		if strings.ContainsAny(s, "eE") {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, NewSQLError(1367, "Illegal double '%s' value found during parsing", s)
			}
			return &litExpr{v: FloatValue(f)}, nil
		}
		d, err := ParseDecimal(s)
		if errors.Is(err, errDecimalRange) {
			return longNumberLiteral(s)
		}
		if err != nil {
			return nil, syntaxError(s)
		}
		if d.Precision() > MaxDecimalPrecision || d.Scale() > MaxDecimalScale {
			// MySQL reads over-long exact literals as DOUBLE.
			f, _ := strconv.ParseFloat(s, 64)
			return &litExpr{v: FloatValue(f)}, nil
		}
		return &litExpr{v: DecimalValue(d)}, nil
	case sqlparser.HexNum, sqlparser.HexVal:
		h := s
		if v.Type == sqlparser.HexNum {
			h = s[2:]
		}
		if len(h)%2 == 1 {
			if v.Type == sqlparser.HexVal {
				return nil, syntaxError("X'" + s + "'")
			}
			h = "0" + h
		}
		b := make([]byte, len(h)/2)
		for i := range b {
			n, err := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
			if err != nil {
				return nil, syntaxError(s)
			}
			b[i] = byte(n)
		}
		num := bytesToNumber(b)
		return &litExpr{v: hexLiteral(string(b), num), num: num}, nil
	case sqlparser.BitVal:
		var u uint64
		var b []byte
		for i := 0; i < len(s); i++ {
			u = u<<1 | uint64(s[i]-'0')
		}
		n := (len(s) + 7) / 8
		for i := n - 1; i >= 0; i-- {
			b = append(b, byte(u>>(8*uint(i))))
		}
		return &litExpr{v: hexLiteral(string(b), UintValue(u)), num: UintValue(u)}, nil
	case sqlparser.ValArg:
		n, err := strconv.Atoi(strings.TrimPrefix(s, ":v"))
		if err != nil || n < 1 {
			return nil, NewSQLError(ErNotSupportedYet, "This version of bxdb doesn't yet support 'named parameter %s'", s)
		}
		return &argExpr{idx: n - 1}, nil
	}
	return nil, syntaxError(s)
}

// hexLitMark in Value.I marks the bytes of a hex or bit literal (0x10,
// X'10', b'101'), whose number (Value.U) a numeric column stores: MySQL
// reads such a literal as a number in numeric context (coerce). The mark
// is lost as soon as the value is stored or computed with.
const hexLitMark = 1

// hexLiteral returns the KindBytes value of a hex or bit literal, marked
// with its numeric reading num.
func hexLiteral(b string, num Value) Value {
	u := num.U
	if num.K == KindInt {
		u = uint64(num.I)
	}
	return Value{K: KindBytes, S: b, I: hexLitMark, U: u}
}

// bytesToNumber reads a hex literal's bytes as a big-endian unsigned
// integer (MySQL's numeric context; longer than 8 bytes saturates).
func bytesToNumber(b []byte) Value {
	if len(b) > 8 {
		return UintValue(math.MaxUint64)
	}
	var u uint64
	for _, c := range b {
		u = u<<8 | uint64(c)
	}
	return UintValue(u)
}

// numericOperand returns e, or for a hex or bit literal its numeric
// reading: 0x41 + 0 is 65.
func numericOperand(e Expr) Expr {
	if l, ok := e.(*litExpr); ok && l.num.K != KindNull {
		return &litExpr{v: l.num}
	}
	return e
}

// compileAggregate asks the scope for an aggregate's slot.
func (c *compiler) compileAggregate(e sqlparser.Expr) (Expr, error) {
	idx, err := c.sc.Aggregate(e)
	if err != nil {
		return nil, err
	}
	return &colExpr{idx: idx, agg: true}, nil
}

// compileList compiles expressions.
func (c *compiler) compileList(es []sqlparser.Expr) ([]Expr, error) {
	out := make([]Expr, len(es))
	for i, e := range es {
		x, err := c.compile(e)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

// exprText returns the SQL text of an AST node for error messages.
func exprText(e sqlparser.SQLNode) string { return sqlparser.String(e) }
