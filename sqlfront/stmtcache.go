package sqlfront

import "sync/atomic"

// Plans cached in a prepared statement.
//
// A Stmt is immutable and shared: by the sessions of the engine (through
// the parse cache) and by every execution of a database/sql prepared
// statement. What an execution derives from the statement and the schema
// alone is cached in the Stmt so that the next execution skips it. Each
// cached plan names the *table it was built for; tables are immutable
// and a catalog change (DDL, committed or not) decodes new ones, so a plan
// whose table is not the one the executing statement's catalog holds is
// simply rebuilt (and replaces the cached one). Plans are immutable once
// stored; concurrent executions may race to store one, which is harmless.

// stmtCache holds the plans of one Stmt.
type stmtCache struct {
	insert   atomic.Pointer[insertPlan]
	pointSel atomic.Pointer[pointSelect]
	pointDML atomic.Pointer[pointKey]
	update   atomic.Pointer[updatePlan]
}

// stmtCache returns the plan cache of the statement being run, or nil for
// internal statement contexts and subqueries.
func (sc *stmtCtx) stmtCache() *stmtCache {
	if sc.stmt == nil || sc.depth != 0 {
		return nil
	}
	return &sc.stmt.cache
}
