package driver

import (
	"context"
	"database/sql/driver"

	"github.com/bxdb/bxdb/sqlfront"
)

// stmt is a prepared statement of one connection.
type stmt struct {
	c  *conn
	st *sqlfront.Stmt
}

var (
	_ driver.Stmt              = (*stmt)(nil)
	_ driver.StmtExecContext   = (*stmt)(nil)
	_ driver.StmtQueryContext  = (*stmt)(nil)
	_ driver.NamedValueChecker = (*stmt)(nil)
)

// Close implements driver.Stmt.
func (s *stmt) Close() error { return s.st.Close() }

// NumInput implements driver.Stmt: the number of ? placeholders, which
// database/sql checks the argument count against.
func (s *stmt) NumInput() int { return s.st.NumInput() }

// Exec implements driver.Stmt.
func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), namedValues(args))
}

// Query implements driver.Stmt.
func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), namedValues(args))
}

// ExecContext implements driver.StmtExecContext.
func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if s.c.closed {
		return nil, driver.ErrBadConn
	}
	vals, err := s.c.execArgs(args)
	if err != nil {
		return nil, err
	}
	if err := checkArgCount(s.st, len(vals)); err != nil {
		return nil, err
	}
	r, err := s.c.sess.Exec(ctx, s.st, vals)
	if err != nil {
		return nil, s.c.check(err)
	}
	return newResult(r), nil
}

// QueryContext implements driver.StmtQueryContext.
func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if s.c.closed {
		return nil, driver.ErrBadConn
	}
	vals, err := convertArgs(args)
	if err != nil {
		return nil, err
	}
	if err := checkArgCount(s.st, len(vals)); err != nil {
		return nil, err
	}
	r, err := s.c.sess.Query(ctx, s.st, vals)
	if err != nil {
		return nil, s.c.check(err)
	}
	return newRows(ctx, s.c, r, nil), nil
}

// CheckNamedValue implements driver.NamedValueChecker; see convertArg.
func (s *stmt) CheckNamedValue(nv *driver.NamedValue) error { return checkNamedValueLazy(nv) }

// namedValues turns the arguments of the pre-context interface into
// ordinal NamedValues.
func namedValues(args []driver.Value) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, a := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return nv
}
