package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/sqlfront"
)

// conn is one connection: a session on the shared engine. database/sql
// uses a connection from one goroutine at a time (it serializes calls on
// a driver connection, Rows.Close and Conn.Close included), so conn has no
// lock.
//
// Invariants:
//  1. After Close, every method returns driver.ErrBadConn (nothing can have
//     run) except Close (nil) and Commit/Rollback (ErrConnClosed).
//  2. conn holds exactly one reference to se until Close.
type conn struct {
	se     *sharedEngine
	sess   *sqlfront.Session
	owner  *Connector // set by Driver.Open: closed with the connection
	closed bool
	bad    bool // the engine failed or Reset failed: IsValid reports false
	// args is scratch for the arguments of Exec calls: the engine keeps
	// no reference to them once Exec returns (Query's arguments live as
	// long as the rows, so they get their own).
	args []sqlfront.Value
}

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
)

// Prepare implements driver.Conn.
func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext implements driver.ConnPrepareContext. Statements are
// parsed once and may be executed many times on this connection.
func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if c.closed {
		return nil, driver.ErrBadConn
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st, err := c.sess.Prepare(query)
	if err != nil {
		return nil, c.check(err)
	}
	return &stmt{c: c, st: st}, nil
}

// Close ends the session (rolling back an open transaction) and drops the
// connection's reference to the engine. It is idempotent.
func (c *conn) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	err := c.sess.Close()
	if err2 := c.se.release(); err == nil {
		err = err2
	}
	if c.owner != nil {
		if err2 := c.owner.Close(); err == nil {
			err = err2
		}
	}
	return err
}

// Begin implements driver.Conn.
func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx implements driver.ConnBeginTx. ReadOnly starts a read-only
// transaction, in which writes fail. See the package comment for how
// isolation levels map onto bxdb's snapshot isolation.
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if c.closed {
		return nil, driver.ErrBadConn
	}
	iso, err := isolationName(opts.Isolation)
	if err != nil {
		return nil, err
	}
	if err := c.sess.Begin(ctx, sqlfront.TxOptions{ReadOnly: opts.ReadOnly, Isolation: iso}); err != nil {
		return nil, c.check(err)
	}
	return &tx{c: c}, nil
}

// isolationName maps a database/sql isolation level to the name the
// engine takes. The engine runs every transaction serializably: a
// read-write transaction holds the engine's writer lock from BEGIN to
// COMMIT (so writers are serialized), and a read-only one reads one
// snapshot. That satisfies each of these levels:
//
//	LevelDefault, LevelReadUncommitted, LevelReadCommitted,
//	LevelRepeatableRead, LevelSnapshot, LevelSerializable
//
// ReadUncommitted is accepted (MySQL's name; no dirty reads happen, which
// SQL allows). LevelWriteCommitted and LevelLinearizable are refused: they
// are not MySQL levels, and a program asking for them expects guarantees
// of another kind of database.
func isolationName(l driver.IsolationLevel) (string, error) {
	switch sql.IsolationLevel(l) {
	case sql.LevelDefault:
		return "", nil
	case sql.LevelReadUncommitted:
		return "READ UNCOMMITTED", nil
	case sql.LevelReadCommitted:
		return "READ COMMITTED", nil
	case sql.LevelRepeatableRead:
		return "REPEATABLE READ", nil
	case sql.LevelSnapshot:
		return "SNAPSHOT", nil
	case sql.LevelSerializable:
		return "SERIALIZABLE", nil
	}
	return "", fmt.Errorf("%w: %s (bxdb provides Default, ReadUncommitted, ReadCommitted, RepeatableRead, Snapshot and Serializable)",
		ErrIsolationLevel, sql.IsolationLevel(l))
}

// ExecContext implements driver.ExecerContext. Without arguments, query
// may be a script of several statements separated by semicolons; they run
// one after another, each atomically but not together (unless inside a
// transaction), stopping at the first error; the Result is the last
// statement's.
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.closed {
		return nil, driver.ErrBadConn
	}
	vals, err := c.execArgs(args)
	if err != nil {
		return nil, err
	}
	stmts := []string{query}
	if len(args) == 0 {
		// A lexical error (an unterminated string) is left for Prepare to report.
		if split, err := sqlfront.SplitStatements(query); err == nil && len(split) > 1 {
			stmts = split
		}
	}
	var res driver.Result
	for _, q := range stmts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if res, err = c.exec1(ctx, q, vals); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// execArgs converts the arguments of an Exec into the connection's
// scratch slice.
func (c *conn) execArgs(args []driver.NamedValue) ([]sqlfront.Value, error) {
	vals, err := convertArgsInto(args, c.args)
	if err == nil && cap(vals) > cap(c.args) {
		c.args = vals
	}
	return vals, err
}

// exec1 prepares, executes and closes one statement.
func (c *conn) exec1(ctx context.Context, query string, vals []sqlfront.Value) (driver.Result, error) {
	st, err := c.sess.Prepare(query)
	if err != nil {
		return nil, c.check(err)
	}
	defer st.Close()
	if err := checkArgCount(st, len(vals)); err != nil {
		return nil, err
	}
	r, err := c.sess.Exec(ctx, st, vals)
	if err != nil {
		return nil, c.check(err)
	}
	return newResult(r), nil
}

// QueryContext implements driver.QueryerContext.
func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.closed {
		return nil, driver.ErrBadConn
	}
	vals, err := convertArgs(args)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st, err := c.sess.Prepare(query)
	if err != nil {
		return nil, c.check(err)
	}
	if err := checkArgCount(st, len(vals)); err != nil {
		st.Close()
		return nil, err
	}
	r, err := c.sess.Query(ctx, st, vals)
	if err != nil {
		st.Close()
		return nil, c.check(err)
	}
	return newRows(ctx, c, r, st), nil
}

// checkArgCount refuses a statement given more or fewer arguments than it
// has placeholders, with MySQL's error 1210. (database/sql checks this
// for prepared statements through NumInput, but not for Exec and Query
// on the connection.)
func checkArgCount(st *sqlfront.Stmt, n int) error {
	if want := st.NumInput(); n != want {
		return sqlError(sqlfront.NewSQLError(sqlfront.ErWrongArguments,
			"Incorrect arguments to EXECUTE: %d placeholders, %d arguments", want, n))
	}
	return nil
}

// Ping implements driver.Pinger: an open connection on an open engine is
// always reachable.
func (c *conn) Ping(ctx context.Context) error {
	if c.closed || c.bad {
		return driver.ErrBadConn
	}
	return ctx.Err()
}

// ResetSession implements driver.SessionResetter: database/sql calls it
// before reusing a pooled connection. It rolls back a transaction left
// open (by a BEGIN run through Exec) and restores session variables. If
// that fails the connection is discarded.
func (c *conn) ResetSession(ctx context.Context) error {
	if c.closed || c.bad {
		return driver.ErrBadConn
	}
	if err := c.sess.Reset(); err != nil {
		c.bad = true
		return driver.ErrBadConn
	}
	return nil
}

// IsValid implements driver.Validator: database/sql discards a connection
// that is closed or whose engine failed.
func (c *conn) IsValid() bool { return !c.closed && !c.bad }

// CheckNamedValue implements driver.NamedValueChecker; see convertArg.
func (c *conn) CheckNamedValue(nv *driver.NamedValue) error { return checkNamedValueLazy(nv) }

// check marks the connection bad when err says the engine can no longer
// be used (an I/O failure, or a closed store), and returns err.
func (c *conn) check(err error) error {
	if err == nil || err == io.EOF { // the end of every result: no lookups
		return err
	}
	if errors.Is(err, bedrock.ErrFailed) || errors.Is(err, bedrock.ErrClosed) ||
		errors.Is(err, sqlfront.ErrEngineClosed) || errors.Is(err, sqlfront.ErrSessionClosed) {
		c.bad = true
	}
	return sqlError(err)
}

// tx is a transaction begun by BeginTx.
type tx struct{ c *conn }

var _ driver.Tx = (*tx)(nil)

// Commit implements driver.Tx.
func (t *tx) Commit() error {
	if t.c.closed {
		return ErrConnClosed
	}
	return t.c.check(t.c.sess.Commit())
}

// Rollback implements driver.Tx.
func (t *tx) Rollback() error {
	if t.c.closed {
		return ErrConnClosed
	}
	return t.c.check(t.c.sess.Rollback())
}

// result is a statement's driver.Result.
type result struct{ r sqlfront.Result }

// Results of one or no row without an insert id, boxed once: converting
// a result to driver.Result allocates, and these are most of them.
var (
	resultNone driver.Result = result{}
	resultOne  driver.Result = result{sqlfront.Result{RowsAffected: 1}}
)

// newResult returns r as a driver.Result.
func newResult(r sqlfront.Result) driver.Result {
	switch r {
	case sqlfront.Result{}:
		return resultNone
	case sqlfront.Result{RowsAffected: 1}:
		return resultOne
	}
	return result{r}
}

var _ driver.Result = result{}

// LastInsertId returns the first AUTO_INCREMENT value the statement
// generated (for a multi-row INSERT, the first row's), as MySQL's
// LAST_INSERT_ID() does; 0 if it generated none.
func (r result) LastInsertId() (int64, error) { return r.r.LastInsertID, nil }

// RowsAffected returns the number of rows the statement inserted, changed
// or deleted (MySQL's affected-rows count).
func (r result) RowsAffected() (int64, error) { return r.r.RowsAffected, nil }
