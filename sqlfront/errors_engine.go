package sqlfront

import (
	"context"
	"errors"
	"fmt"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
)

// Errors of the SQL engine. Everything a MySQL server would report with a
// number is an *SQLError (value.go); the constructors below build the ones
// the engine raises. Failures that are not the statement's fault (I/O,
// corruption, a closed engine) keep their own error, wrapped, so that
// errors.Is(err, bedrock.ErrCorrupt) still works. A statement stopped by
// its context returns the context's error (context.Canceled or
// context.DeadlineExceeded), as database/sql expects. Callers should test
// with errors.As(err, &sqlErr): a few SQL errors also wrap their cause.

// MySQL error numbers raised by the engine, beyond those in value.go.
const (
	ErTableExists        uint16 = 1050 // 42S01 Table '%s' already exists
	ErBadTable           uint16 = 1051 // 42S02 Unknown table '%s'
	ErDupFieldName       uint16 = 1060 // 42S21 Duplicate column name '%s'
	ErDupKeyName         uint16 = 1061 // 42000 Duplicate key name '%s'
	ErMultiplePriKey     uint16 = 1068 // 42000 Multiple primary key defined
	ErTooLongKey         uint16 = 1071 // 42000 Specified key was too long
	ErRecordFileFull     uint16 = 1114 // HY000 The table '%s' is full
	ErKeyColumnNotExits  uint16 = 1072 // 42000 Key column '%s' doesn't exist in table
	ErWrongAutoKey       uint16 = 1075 // 42000 Incorrect table definition; there can be only one auto column
	ErCantDropFieldOrKey uint16 = 1091 // 42000 Can't DROP '%s'; check that column/key exists
	ErCantRemoveAllField uint16 = 1090 // 42000 You can't delete all columns with ALTER TABLE
	ErTableMustHaveCols  uint16 = 1113 // 42000 A table must have at least 1 column
	ErNoDefaultForField  uint16 = 1364 // HY000 Field '%s' doesn't have a default value
	ErEmptyQuery         uint16 = 1065 // 42000 Query was empty
	ErInvalidDefault     uint16 = 1067 // 42000 Invalid default value for '%s'
	ErKeyDoesNotExist    uint16 = 1176 // 42000 Key '%s' doesn't exist in table '%s'
	ErLockWaitTimeout    uint16 = 1205 // HY000 Lock wait timeout exceeded; try restarting transaction
	ErLockDeadlock       uint16 = 1213 // 40001 Deadlock found when trying to get lock; try restarting transaction
	ErSpDoesNotExist     uint16 = 1305 // 42000 SAVEPOINT %s does not exist
	ErReadOnlyTx         uint16 = 1792 // 25006 Cannot execute statement in a READ ONLY transaction.
	ErOptionPreventsStmt uint16 = 1290 // HY000 The MySQL server is running with the %s option so it cannot execute this statement
	ErUnknownSystemVar   uint16 = 1193 // HY000 Unknown system variable '%s'
	ErUnknownTimeZone    uint16 = 1298 // HY000 Unknown or incorrect time zone: '%s'
	ErBadDB              uint16 = 1049 // 42000 Unknown database '%s'
	ErQueryInterrupted   uint16 = 1317 // 70100 Query execution was interrupted
	ErOutOfSortMemory    uint16 = 1038 // HY001 Out of sort memory, consider increasing server sort buffer size
	ErWrongValueCount    uint16 = 1058 // 21S01 Column count doesn't match value count
	ErFieldSpecifiedTwce uint16 = 1110 // 42000 Column '%s' specified twice
	ErUnknownTable       uint16 = 1109 // 42S02 Unknown table '%s' in %s
	ErNonUniqTable       uint16 = 1066 // 42000 Not unique table/alias: '%s'
	ErTooManyTables      uint16 = 1116 // HY000 Too many tables; MySQL can only use %d tables in a join
	ErWrongUsage         uint16 = 1221 // HY000 Incorrect usage of %s and %s
	ErWrongFieldWithGrp  uint16 = 1055 // 42000 '%s' isn't in GROUP BY
	ErNotSupported       uint16 = 1235 // 42000 This version of MySQL doesn't yet support '%s'
	ErDropIndexNeeded    uint16 = 1553 // HY000 Cannot drop index '%s': needed in a foreign key constraint
	ErBlobKeyWithoutLen  uint16 = 1170 // 42000 BLOB/TEXT column '%s' used in key specification without a key length
	ErUnknownStorage     uint16 = 1286 // 42000 Unknown storage engine '%s'
	ErWrongColumnName    uint16 = 1166 // 42000 Incorrect column name '%s'
	ErWrongTableName     uint16 = 1103 // 42000 Incorrect table name '%s'
	ErBadFieldSpec       uint16 = 1063 // 42000 Incorrect column specifier for column '%s'
	ErTooBigScale        uint16 = 1425 // 42000 Too big scale %d specified for column '%s'. Maximum is %d.
	ErTooBigPrecision    uint16 = 1426 // 42000 Too big precision %d specified for '%s'. Maximum is %d.
	ErTooBigDisplayWidth uint16 = 1439 // 42000 Display width out of range for column '%s' (max = %d)
	ErWrongArgsToLimit   uint16 = 1210 // HY000 Incorrect arguments to LIMIT
	ErCantDoThisInTx     uint16 = 1568 // 25001 Transaction characteristics can't be changed while a transaction is in progress
	ErInvalidUseOfNull   uint16 = 1138 // 22004 Invalid use of NULL value
	ErInternal           uint16 = 1815 // HY000 Internal error: %s
	ErWrongObject        uint16 = 1347 // HY000 '%s.%s' is not %s
	ErViewWrongList      uint16 = 1353 // HY000 View's SELECT and view's field list have different column counts
	ErViewInvalid        uint16 = 1356 // HY000 View '%s.%s' references invalid table(s) or column(s) ...
	ErViewRecursive      uint16 = 1462 // HY000 `%s`.`%s` contains view recursion
	ErTooManyRows        uint16 = 1172 // 42000 Result consisted of more than one row
	ErWrongColCountSel   uint16 = 1222 // 21000 The used SELECT statements have a different number of columns
	ErUserLockWrongName  uint16 = 3057 // 42000 Incorrect user-level lock name '%s'.
	ErUserLockDeadlock   uint16 = 3058 // 40001 Deadlock found when trying to get user-level lock; ...
	ErUnknownStmtHandler uint16 = 1243 // HY000 Unknown prepared statement handler (%s) given to %s
	ErUnsupportedPS      uint16 = 1295 // HY000 This command is not supported in the prepared statement protocol yet
)

// engineStates are the SQLSTATEs of the numbers above that are not HY000.
var engineStates = map[uint16]string{
	ErTableExists: "42S01", ErBadTable: "42S02", ErDupFieldName: "42S21",
	ErDupKeyName: "42000", ErMultiplePriKey: "42000", ErTooLongKey: "42000",
	ErKeyColumnNotExits: "42000", ErWrongAutoKey: "42000", ErCantDropFieldOrKey: "42000",
	ErCantRemoveAllField: "42000", ErTableMustHaveCols: "42000", ErEmptyQuery: "42000",
	ErInvalidDefault: "42000", ErKeyDoesNotExist: "42000", ErLockDeadlock: "40001",
	ErSpDoesNotExist: "42000", ErReadOnlyTx: "25006", ErBadDB: "42000",
	ErQueryInterrupted: "70100", ErOutOfSortMemory: "HY001", ErWrongValueCount: "21S01",
	ErFieldSpecifiedTwce: "42000", ErUnknownTable: "42S02", ErNonUniqTable: "42000",
	ErWrongFieldWithGrp: "42000", ErNotSupported: "42000", ErBlobKeyWithoutLen: "42000",
	ErUnknownStorage: "42000", ErWrongColumnName: "42000", ErWrongTableName: "42000",
	ErBadFieldSpec: "42000", ErTooBigScale: "42000", ErTooBigPrecision: "42000", ErTooBigDisplayWidth: "42000",
	ErCantDoThisInTx: "25001", ErInvalidUseOfNull: "22004",
	ErTooManyRows: "42000", ErWrongColCountSel: "21000", ErUserLockWrongName: "42000", ErUserLockDeadlock: "40001",
}

// engErr returns an *SQLError with number n and the SQLSTATE MySQL uses for
// it, knowing the numbers of this file as well as those of value.go.
func engErr(n uint16, format string, args ...any) *SQLError {
	e := NewSQLError(n, format, args...)
	if st, ok := engineStates[n]; ok {
		e.State = st
	}
	return e
}

// errNoSuchTable is error 1146 "Table 'db.t' doesn't exist".
func errNoSuchTable(db, table string) *SQLError {
	return engErr(ErNoSuchTable, "Table '%s.%s' doesn't exist", db, table)
}

// errTableExists is error 1050 "Table 't' already exists".
func errTableExists(table string) *SQLError {
	return engErr(ErTableExists, "Table '%s' already exists", table)
}

// errDupEntry is error 1062 "Duplicate entry 'v' for key 't.idx'".
func errDupEntry(entry, table, index string) *SQLError {
	return engErr(ErDupEntry, "Duplicate entry '%s' for key '%s.%s'", entry, table, index)
}

// errLockWait is error 1205, returned when the writer lock was not
// obtained within BusyTimeout. The message says why one writer waits for
// another here, where MySQL's row locks would let both go on: a program
// that writes through a second connection while its own transaction is
// open waits for itself.
func errLockWait() *SQLError {
	return engErr(ErLockWaitTimeout, "Lock wait timeout exceeded; try restarting transaction (bxdb runs one writer at a time, and an open read-write transaction is a writer from BEGIN to COMMIT: is one open on another connection of this program?)")
}

// errDeadlock is error 1213: the transaction must be retried.
func errDeadlock(why string) *SQLError {
	return engErr(ErLockDeadlock, "Deadlock found when trying to get lock; try restarting transaction (%s)", why)
}

// errReadOnlyTx is error 1792, a write in a READ ONLY transaction.
func errReadOnlyTx() *SQLError {
	return engErr(ErReadOnlyTx, "Cannot execute statement in a READ ONLY transaction.")
}

// errNotSupported is error 1235 for a feature bxdb does not have.
func errNotSupported(what string) *SQLError {
	return engErr(ErNotSupported, "This version of bxdb doesn't yet support '%s'", what)
}

// errInterrupted is error 1317, a statement stopped by its context.
func errInterrupted(cause error) *SQLError {
	return engErr(ErQueryInterrupted, "Query execution was interrupted (%v)", cause)
}

// Sentinel errors of the engine that are not SQL errors.
var (
	// ErrEngineClosed is returned by calls on a closed Engine or Session.
	ErrEngineClosed = errors.New("sqlfront: engine is closed")
	// ErrSessionClosed is returned by calls on a closed Session.
	ErrSessionClosed = errors.New("sqlfront: session is closed")
	// ErrRowsClosed is returned by Rows.Next after Close.
	ErrRowsClosed = errors.New("sqlfront: rows are closed")
	// ErrCatalogCorrupt is wrapped when the catalog cannot be decoded; it
	// wraps bedrock.ErrCorrupt.
	ErrCatalogCorrupt = fmt.Errorf("sqlfront: corrupt catalog: %w", bedrock.ErrCorrupt)
)

// mapStoreErr turns errors of the storage layers into the SQL errors a
// client can act on: a bedrock write conflict becomes 1213 (retryable), a
// context's error passes through. Everything else is returned as is.
func mapStoreErr(err error) error {
	var se *SQLError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return err
	case errors.Is(err, bedrock.ErrConflict):
		return &wrappedSQLError{SQLError: errDeadlock("write conflict"), cause: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err // database/sql and its users test for the context's own error
	case errors.Is(err, bedrock.ErrReadOnly):
		return &wrappedSQLError{SQLError: engErr(ErOptionPreventsStmt, "The bxdb store is open read-only so it cannot execute this statement"), cause: err}
	case errors.Is(err, bedrock.ErrFull):
		// The file cannot grow (a full disk, a file size limit) or a device
		// is full: MySQL's "table is full", with the cause.
		return &wrappedSQLError{SQLError: engErr(ErRecordFileFull, "The table is full: %v", err), cause: err}
	case errors.Is(err, bxtree.ErrKeyTooLarge):
		return &wrappedSQLError{SQLError: engErr(ErTooLongKey, "Specified key was too long; max key length is reached"), cause: err}
	}
	return err
}

// wrappedSQLError is an *SQLError that also unwraps to the error that
// caused it, so errors.Is works with both (e.g. context.Canceled and
// &SQLError{Number: 1317}).
type wrappedSQLError struct {
	*SQLError
	cause error
}

// Unwrap returns the SQL error and its cause.
func (e *wrappedSQLError) Unwrap() []error { return []error{e.SQLError, e.cause} }
