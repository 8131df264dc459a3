package driver

import (
	"errors"
	"io"

	"github.com/go-sql-driver/mysql"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/sqlfront"
)

// Error is the type of every error the SQL engine reports with a MySQL
// error number: syntax errors, duplicate keys, unknown tables, data too
// long, and so on. It is go-sql-driver/mysql's *mysql.MySQLError, so that
// programs and ORMs written for MySQL recognize bxdb's errors unchanged
// (GORM's mysql dialector with TranslateError maps 1062 to
// gorm.ErrDuplicatedKey by a type assertion on *mysql.MySQLError).
// Statements return it unwrapped as a *Error; test with errors.As, or with
// errors.Is against an *Error carrying only the Number:
//
//	var e *driver.Error
//	if errors.As(err, &e) && e.Number == 1062 { … duplicate key … }
//	if errors.Is(err, &driver.Error{Number: 1062}) { … }
//
// e.SQLState holds the five-character SQLSTATE and e.Message the message;
// Error() formats them as "Error 1062 (23000): Duplicate entry …".
//
// Errors that are not SQL errors keep their own identity: context.Canceled
// and context.DeadlineExceeded for cancelled statements, and the sentinels
// below.
type Error = mysql.MySQLError

// sqlError converts an error carrying the engine's *sqlfront.SQLError
// (itself, or a parse error wrapping one) into a plain *Error, as
// go-sql-driver/mysql returns them; other errors are returned unchanged.
func sqlError(err error) error {
	if err == nil || err == io.EOF {
		return err // before the As target: it escapes, costing every call an allocation
	}
	return sqlErrorOf(err)
}

// sqlErrorOf is sqlError for an error that may be an *sqlfront.SQLError.
func sqlErrorOf(err error) error {
	var se *sqlfront.SQLError
	if !errors.As(err, &se) {
		return err
	}
	e := &Error{Number: se.Number, Message: se.Msg}
	copy(e.SQLState[:], se.State)
	return e
}

// Errors returned by ParseDSN, NewConnector, and sql.Open (through
// OpenConnector).
var (
	// ErrBadDSN is wrapped by every DSN error: an empty path, an unknown
	// option, an option given twice or a bad value. The message names the
	// option.
	ErrBadDSN = errors.New("driver: bad DSN")
	// ErrLocked is wrapped by the error returned when another process holds
	// the database file ("database is locked by another process"). It is
	// bedrock.ErrLocked, re-exported so that callers need not import the
	// storage layer.
	ErrLocked = bedrock.ErrLocked
	// ErrModeConflict is returned when a database already open in this
	// process read-write is opened with mode=ro, or the other way round:
	// one process shares one engine per file, which cannot be both.
	ErrModeConflict = errors.New("driver: database is already open in this process with another mode")
	// ErrConnectorClosed is returned by Connect on a closed Connector (a
	// closed *sql.DB never calls it).
	ErrConnectorClosed = errors.New("driver: connector is closed")
)

// Errors returned by connections, statements and transactions.
var (
	// ErrNamedParams is returned when a statement gets a named argument
	// (sql.Named): bxdb has only positional ? placeholders.
	ErrNamedParams = errors.New("driver: named parameters are not supported; use ? placeholders")
	// ErrIsolationLevel is returned by BeginTx for an isolation level bxdb
	// does not provide (sql.LevelWriteCommitted, sql.LevelLinearizable).
	ErrIsolationLevel = errors.New("driver: unsupported isolation level")
	// ErrConnClosed is returned by Commit and Rollback when the connection
	// was closed under the transaction, which the close rolled back.
	ErrConnClosed = errors.New("driver: connection is closed; the transaction was rolled back")
)

// lockedError reports that another process holds the database file.
type lockedError struct {
	path string
	err  error // wraps bedrock.ErrLocked
}

// Error implements error.
func (e *lockedError) Error() string {
	return "driver: open " + e.path + ": database is locked by another process"
}

// Unwrap returns the engine's error, so errors.Is(err, ErrLocked) holds.
func (e *lockedError) Unwrap() error { return e.err }
