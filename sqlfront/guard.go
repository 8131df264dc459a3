package sqlfront

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// A bug in the engine must not take the caller's process down: a panic
// while a statement runs becomes error 1815 (Internal error) of that
// statement. The guards sit where the statement's effects can still be
// undone: around the function a write runs in (its transaction or nested
// transaction is then rolled back, as for any failed statement), around a
// query's planning and around each row's production. run recovers
// whatever escapes them, as a last resort.

// recoverInternal turns a panic into an internal error in *err. It must be
// deferred directly.
func recoverInternal(err *error) {
	if r := recover(); r != nil {
		*err = internalError(r, panicSite())
	}
}

// internalError is the error a recovered panic r at site becomes.
func internalError(r any, site string) error {
	return engErr(ErInternal, "Internal error: %v at %s (a bxdb bug: please report it with the statement)", r, site)
}

// panicSite names the function and line that panicked: the first frame
// below the runtime's panic machinery, called from a deferred function.
func panicSite() string {
	pc := make([]uintptr, 32)
	n := runtime.Callers(3, pc)
	frames := runtime.CallersFrames(pc[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "runtime.") && !strings.HasSuffix(f.Function, "recoverInternal") {
			return fmt.Sprintf("%s (%s:%d)", f.Function, filepath.Base(f.File), f.Line)
		}
		if !more {
			return "unknown"
		}
	}
}

// guardWrite wraps a write statement's function with recoverInternal.
func guardWrite(fn func(*stmtCtx) (Result, error)) func(*stmtCtx) (Result, error) {
	return func(sc *stmtCtx) (res Result, err error) {
		defer recoverInternal(&err)
		return fn(sc)
	}
}

// guardPlan wraps a query's planning function with recoverInternal.
func guardPlan(plan func(*stmtCtx) (rowIter, []ColumnInfo, error)) func(*stmtCtx) (rowIter, []ColumnInfo, error) {
	return func(sc *stmtCtx) (it rowIter, cols []ColumnInfo, err error) {
		defer recoverInternal(&err)
		return plan(sc)
	}
}

// guardNext is it.Next with recoverInternal.
func guardNext(it rowIter) (row []Value, err error) {
	defer recoverInternal(&err)
	return it.Next()
}
