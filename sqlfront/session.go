package sqlfront

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
	"github.com/xwb1989/sqlparser"
)

// Sessions: the API the driver calls. One Session per connection; a
// Session is used by one goroutine at a time (Rows.Close may come from
// another goroutine, never concurrently with Next).

// Session is one connection's state: its transaction, LAST_INSERT_ID,
// variables and its open result.
type Session struct {
	e      *Engine
	id     uint64
	closed bool

	tx           *sessTx // the open transaction, nil in autocommit
	autocommit   bool
	lastInsertID uint64
	rowCount     int64            // ROW_COUNT() of the next statement
	lastRows     *Rows            // the last query's rows (FOUND_ROWS)
	userVars     map[string]Value // @name, lowercased
	sysVars      map[string]Value // SET [SESSION] name, lowercased
	tz           *time.Location   // time_zone when set to another zone than UTC; nil is UTC
	txReadOnly   bool             // SET SESSION TRANSACTION READ ONLY
	nextReadOnly int              // SET TRANSACTION for the next tx only: 0 unset, 1 read only, 2 read write
	tablesLocked bool             // LOCK TABLES ran, UNLOCK TABLES did not (stmt_misc.go)
	prepared     map[string]*Stmt // PREPARE name, lowercased (stmt_prepare.go)
	// temps are the session's temporary tables by lowercased name, as
	// committed; tview is the last view of the catalog built with them
	// (temptable.go).
	temps map[string]*table
	tview *catalog

	// rows is the open result reading the session's transaction; it is
	// drained into memory before the transaction is used again.
	rows *Rows

	// rc is the cached read snapshot of point SELECTs (readcache.go).
	rc readCache
	// warn is the diagnostics area: SHOW WARNINGS (warnings.go).
	warn warnList
	// wsc and wenv are the context of the running write statement, reused
	// from one statement to the next while wbusy is clear.
	wsc   stmtCtx
	wenv  Env
	wbusy bool
	// Scratch of point statements (exec_point.go).
	env     Env
	clock   time.Time // env's statement time
	keyBuf  []byte
	scratch []Value
	phys    []Value
}

// reset puts the session in its initial state (no transaction).
func (s *Session) reset() {
	if s.id == 0 {
		s.id = s.e.connIDs.Add(1)
	}
	s.autocommit = true
	s.lastInsertID = 0
	s.rowCount, s.lastRows = 0, nil
	if s.userVars == nil || len(s.userVars) > 0 {
		s.userVars = map[string]Value{}
	}
	if s.sysVars == nil || len(s.sysVars) > 0 {
		s.sysVars = map[string]Value{}
	}
	s.tz = nil
	s.txReadOnly = false
	s.nextReadOnly = 0
	s.warn = warnList{}
	s.prepared = nil
}

// usable reports why the session cannot be used.
func (s *Session) usable() error {
	if s.closed {
		return ErrSessionClosed
	}
	if s.e.closed.Load() {
		return ErrEngineClosed
	}
	return nil
}

// Reset prepares the session for its next user, for database/sql's
// SessionResetter: it rolls back a transaction left open, closes
// results left open and turns autocommit back on (a connection must not
// hand its next user a transaction), and keeps what a MySQL server keeps
// for a connection: LAST_INSERT_ID(), ROW_COUNT(), user variables and
// session variables, so that db.Exec("INSERT ...") followed by
// db.QueryRow("SELECT LAST_INSERT_ID()") on the pool's one idle
// connection reads the id, as with go-sql-driver/mysql (foreign_key_checks
// too: SET foreign_key_checks = 0, DROP TABLE ..., SET foreign_key_checks
// = 1 through a pool with one idle connection works as against MySQL).
func (s *Session) Reset() error {
	if s.closed {
		return ErrSessionClosed
	}
	err := s.endTx(false)
	s.closeRows()
	s.autocommit = true
	s.txReadOnly = false
	s.nextReadOnly = 0
	s.e.userLocks.releaseAll(s.id)
	s.tablesLocked = false
	return err
}

// Close rolls back any open transaction and ends the session.
func (s *Session) Close() error {
	if s.closed {
		return nil
	}
	err := s.endTx(false)
	s.closeRows()
	s.closeRead()
	if derr := s.dropTemps(); derr != nil && err == nil && !errors.Is(derr, ErrEngineClosed) {
		err = derr
	}
	s.e.userLocks.releaseAll(s.id)
	s.closed = true
	return err
}

// ConnectionID returns the session's CONNECTION_ID().
func (s *Session) ConnectionID() uint64 { return s.id }

// LastInsertID returns LAST_INSERT_ID().
func (s *Session) LastInsertID() int64 { return int64(s.lastInsertID) }

// Stmt is a prepared statement: the parsed statement and its placeholder
// count. It is immutable and may be executed by any session of the engine
// that prepared it.
type Stmt struct {
	query    string
	stmt     Statement
	numInput int
	// cache holds what executions derive from the statement alone, for
	// the catalog version it was derived for (stmtcache.go).
	cache stmtCache
}

// Prepare parses query (one statement; a trailing ';' is allowed). Syntax
// errors are *SQLError 1064 (1065 for an empty query).
func (s *Session) Prepare(query string) (*Stmt, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	return s.e.prepare(query)
}

// prepare parses a statement.
func prepare(query string) (*Stmt, error) {
	st, err := Parse(query)
	if err != nil {
		return nil, parseErrToSQL(err)
	}
	return &Stmt{query: query, stmt: st, numInput: NumPlaceholders(st)}, nil
}

// parseErrToSQL maps Parse errors to MySQL's numbers.
func parseErrToSQL(err error) error {
	var pe *ParseError
	switch {
	case errors.As(err, &pe):
		return &wrappedSQLError{SQLError: NewSQLError(ErParse, "%s", pe.Error()), cause: err}
	case errors.Is(err, ErrEmptyStatement):
		return &wrappedSQLError{SQLError: engErr(ErEmptyQuery, "Query was empty"), cause: err}
	}
	return err
}

// NumInput returns the number of `?` placeholders.
func (st *Stmt) NumInput() int { return st.numInput }

// Close releases the statement (nothing to release today).
func (st *Stmt) Close() error { return nil }

// Query returns the statement's text.
func (st *Stmt) Query() string { return st.query }

// Result is the outcome of Exec.
type Result struct {
	// LastInsertID is the first AUTO_INCREMENT value generated by the
	// statement (MySQL's insert id; consecutive for a multi-row INSERT),
	// or, when none was generated, the explicit value inserted into the
	// AUTO_INCREMENT column, else 0.
	LastInsertID int64
	// RowsAffected follows MySQL's default (go-sql-driver/mysql without
	// clientFoundRows): INSERT counts inserted rows, REPLACE deleted plus
	// inserted rows, INSERT ... ON DUPLICATE KEY UPDATE 1 per insert and 2
	// per row actually changed, UPDATE the rows actually CHANGED (not
	// merely matched), DELETE the deleted rows.
	RowsAffected int64
}

// ColumnInfo describes a result column.
type ColumnInfo struct {
	Name             string
	DatabaseTypeName string // MySQL names: BIGINT, VARCHAR, DATETIME, BIT, ...
	Kind             Kind   // scan type (KindInt for BIT, whose values are integers)
	Nullable         bool
	NullableOK       bool
	Length           int64 // string and binary columns: their length; BIT(n): n
	LengthOK         bool
	Precision, Scale int64
	DecimalOK        bool
	// src is the table column the result column reads as is (through
	// derived tables and views), nil for an expression: DESCRIBE of a
	// view shows its type and default.
	src *column
}

// Exec runs a statement and returns its Result. A SELECT is run and its
// rows discarded.
func (s *Session) Exec(ctx context.Context, st *Stmt, args []Value) (Result, error) {
	res, rows, err := s.run(ctx, st, args)
	if rows != nil {
		// A query run for its effect still runs whole: an error in a
		// later row (a subquery returning two rows) is its error.
		if err == nil {
			dst := make([]Value, len(rows.Columns()))
			for err == nil {
				err = rows.Next(dst)
			}
			if err == io.EOF {
				err = nil
			}
		}
		rows.Close()
	}
	if err == nil {
		s.noteResult(res, rows)
	}
	s.noteError(st, err)
	return res, err
}

// noteResult records what ROW_COUNT() and FOUND_ROWS() report after a
// statement ran: rows are its result rows (nil: none), counted as they
// are read (Rows.Next).
func (s *Session) noteResult(res Result, rows *Rows) {
	if rows == nil {
		s.rowCount = res.RowsAffected
		return
	}
	s.rowCount, s.lastRows = -1, rows
}

// foundRowsNow is FOUND_ROWS(): the rows the last query returned so far.
func (s *Session) foundRowsNow() int64 {
	r := s.lastRows
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calc {
		return r.found
	}
	return r.n
}

// Query runs a statement and returns its rows. A statement without a
// result set (INSERT, DDL, ...) is executed and returns empty rows.
func (s *Session) Query(ctx context.Context, st *Stmt, args []Value) (*Rows, error) {
	res, rows, err := s.run(ctx, st, args)
	if err != nil {
		s.noteError(st, err)
		return nil, err
	}
	s.noteResult(res, rows)
	if rows == nil {
		rows = emptyRows()
	}
	return rows, nil
}

// run executes one statement.
func (s *Session) run(ctx context.Context, st *Stmt, args []Value) (res Result, rows *Rows, err error) {
	defer recoverInternal(&err)
	if err := s.usable(); err != nil {
		return Result{}, nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return Result{}, nil, err
	}
	if st == nil {
		return Result{}, nil, errors.New("sqlfront: nil statement")
	}
	if x, ok := st.stmt.(*ExecuteStmt); ok {
		// EXECUTE runs the statement PREPARE kept, with the variables.
		var err error
		if st, args, err = s.executeTarget(x); err != nil {
			return Result{}, nil, err
		}
	}
	if len(args) < st.numInput {
		return Result{}, nil, engErr(ErWrongArguments, "Incorrect arguments to EXECUTE: %d placeholders, %d arguments", st.numInput, len(args))
	}
	s.drainRows()
	s.beginWarnings(st)
	switch x := st.stmt.(type) {
	case *DMLStmt:
		switch ast := x.AST.(type) {
		case *sqlparser.Select, *sqlparser.Union, *sqlparser.ParenSelect:
			if x.Into != nil {
				res, err := s.selectInto(ctx, st, args, ast.(*sqlparser.Select), x.Into)
				return res, nil, err
			}
			if sel, ok := ast.(*sqlparser.Select); ok && hasMark(sel.Comments, calcFoundRowsMark) {
				rows, err := s.calcFoundRowsQuery(ctx, st, args, sel)
				return Result{}, rows, err
			}
			if _, ok := ast.(*sqlparser.Select); ok {
				if rows, done, err := s.tryPointSelect(ctx, st, args); done {
					return Result{}, rows, err
				}
			}
			rows, err := s.runQuery(ctx, st, args, func(sc *stmtCtx) (rowIter, []ColumnInfo, error) {
				it, cols, err := sc.planSelectStmt(ast.(sqlparser.SelectStatement))
				if sel, ok := ast.(*sqlparser.Select); ok && err == nil {
					sc.stmt = st
					sc.notePointSelect(sel, cols)
				}
				return it, cols, err
			})
			return Result{}, rows, err
		case *sqlparser.Insert:
			res, err := s.runWrite(ctx, args, false, func(sc *stmtCtx) (Result, error) { sc.stmt = st; return sc.execInsert(ast) })
			return res, nil, err
		case *sqlparser.Update:
			res, err := s.runWrite(ctx, args, false, func(sc *stmtCtx) (Result, error) { sc.stmt = st; return sc.execUpdate(ast) })
			return res, nil, err
		case *sqlparser.Delete:
			res, err := s.runWrite(ctx, args, false, func(sc *stmtCtx) (Result, error) { sc.stmt = st; return sc.execDelete(ast) })
			return res, nil, err
		}
		return Result{}, nil, errNotSupported(fmt.Sprintf("statement %T", x.AST))
	case *ExplainStmt:
		rows, err := s.runQuery(ctx, st, args, func(sc *stmtCtx) (rowIter, []ColumnInfo, error) { return sc.explain(x) })
		return Result{}, rows, err
	case *ShowStmt:
		rows, err := s.runQuery(ctx, st, args, func(sc *stmtCtx) (rowIter, []ColumnInfo, error) { return sc.show(x) })
		return Result{}, rows, err
	case *TableMaintStmt:
		rows, err := s.runQuery(ctx, st, args, func(sc *stmtCtx) (rowIter, []ColumnInfo, error) { return sc.tableMaint(x) })
		return Result{}, rows, err
	case *BeginStmt:
		if err := s.endTx(true); err != nil {
			return Result{}, nil, err
		}
		ro := x.Access == TxAccessReadOnly || (x.Access == TxAccessDefault && s.txReadOnlyNext())
		s.nextReadOnly = 0
		return Result{}, nil, s.beginTx(ctx, ro, false)
	case *CommitStmt:
		return Result{}, nil, s.endTx(true)
	case *RollbackStmt:
		return Result{}, nil, s.endTx(false)
	case *SavepointStmt:
		return Result{}, nil, s.savepoint(x.Name)
	case *ReleaseSavepointStmt:
		return Result{}, nil, s.releaseSavepoint(x.Name)
	case *RollbackToSavepointStmt:
		return Result{}, nil, s.rollbackToSavepoint(x.Name)
	case *SetTransactionStmt:
		return Result{}, nil, s.setTransaction(x)
	case *SetNamesStmt:
		return Result{}, nil, nil // UTF-8 only; accepted
	case *SetStmt:
		return Result{}, nil, s.set(ctx, x, args)
	case *UseStmt:
		if !strings.EqualFold(x.Database, s.e.dbName) && !strings.EqualFold(x.Database, "information_schema") {
			return Result{}, nil, engErr(ErBadDB, "Unknown database '%s'", x.Database)
		}
		return Result{}, nil, nil
	case *DoStmt:
		return Result{}, nil, s.execDo(ctx, st, args, x)
	case *LockTablesStmt:
		return Result{}, nil, s.lockTables(x)
	case *UnlockTablesStmt:
		return Result{}, nil, s.unlockTables()
	case *PrepareStmt:
		return Result{}, nil, s.prepareSQL(x)
	case *DeallocateStmt:
		return Result{}, nil, s.deallocate(x)
	case *SyncStmt:
		res, err := s.execSync(ctx, x)
		return res, nil, err
	case *CreateTableStmt, *CreateIndexStmt, *DropIndexStmt, *DropTableStmt, *TruncateStmt, *AlterTableStmt, *RenameTableStmt,
		*CreateViewStmt, *DropViewStmt, *CreateTriggerStmt, *DropTriggerStmt:
		if !s.autocommit && (s.tx == nil || s.tx.implicit) {
			// autocommit=0: as in MySQL, DDL commits the implicit
			// transaction and then runs as a statement of its own, committed
			// (inside BEGIN it stays transactional; see engine.go).
			if err := s.endTx(true); err != nil {
				return Result{}, nil, err
			}
			s.autocommit = true
			defer func() { s.autocommit = false }()
		}
		if s.tx == nil && s.autocommit {
			// A temporary table's index is built under the lock: no
			// other session writes it.
			if tn, def, ok := onlineIndexDef(x); ok && s.temps[strings.ToLower(tn.Name)] == nil {
				return Result{}, nil, mapStoreErr(s.createIndexOnline(ctx, tn, def))
			}
		}
		res, err := s.runWrite(ctx, args, true, func(sc *stmtCtx) (Result, error) { return sc.execDDL(x) })
		return res, nil, err
	}
	return Result{}, nil, errNotSupported(fmt.Sprintf("statement %T", st.stmt))
}

// txReadOnlyNext reports whether the next transaction is READ ONLY by
// SET [SESSION] TRANSACTION.
func (s *Session) txReadOnlyNext() bool {
	switch s.nextReadOnly {
	case 1:
		return true
	case 2:
		return false
	}
	return s.txReadOnly
}

// autocommitReadOnly reports whether the autocommit statement about to
// run, itself a transaction, is READ ONLY by SET [SESSION] TRANSACTION,
// and uses up a SET TRANSACTION that named only the next transaction.
func (s *Session) autocommitReadOnly() bool {
	ro := s.txReadOnlyNext()
	s.nextReadOnly = 0
	return ro
}

// implicitBegin opens the implicit transaction of autocommit=0.
func (s *Session) implicitBegin(ctx context.Context) error {
	if s.tx != nil || s.autocommit {
		return nil
	}
	ro := s.txReadOnlyNext()
	s.nextReadOnly = 0
	return s.beginTx(ctx, ro, true)
}

// runQuery runs a statement that returns rows. In autocommit the rows read
// a bedrock read transaction of their own, released by Rows.Close;
// inside a transaction they read the transaction's newest state.
func (s *Session) runQuery(ctx context.Context, st *Stmt, args []Value, plan func(*stmtCtx) (rowIter, []ColumnInfo, error)) (*Rows, error) {
	plan = guardPlan(plan)
	if err := s.implicitBegin(ctx); err != nil {
		return nil, err
	}
	var tx *bedrock.Tx
	var cat *catalog
	var err error
	own := s.tx == nil
	if own {
		s.autocommitReadOnly() // a query is the transaction SET TRANSACTION named
		d1 := s.e.ddlSeq.Load()
		if tx, err = s.e.store.Begin(false); err != nil {
			return nil, mapStoreErr(err)
		}
		cat, err = s.e.snapshotCatalog(tx, d1, s.e.ddlSeq.Load())
	} else {
		tx = s.tx.top()
		if err = s.tx.brokenErr(); err == nil {
			cat, err = s.txCatalog(tx)
		}
	}
	// @@max_execution_time, or the statement's MAX_EXECUTION_TIME hint,
	// bounds the query, its rows' reading included.
	cancel := context.CancelFunc(func() {})
	ms := s.intVar("max_execution_time", 0)
	if d, ok := st.stmt.(*DMLStmt); ok {
		if n := hintTimeout(d.AST); n > 0 {
			ms = n
		}
	}
	if ms > 0 {
		ctx, cancel = context.WithTimeoutCause(ctx, time.Duration(ms)*time.Millisecond, errMaxExecutionTime)
	}
	var sc *stmtCtx
	if err == nil {
		sc, err = s.newStmtCtx(ctx, tx, args, false, cat)
	}
	if err == nil {
		sc.topText = st.query
		var it rowIter
		var cols []ColumnInfo
		it, cols, err = plan(sc)
		var r *Rows
		if err == nil {
			r = &Rows{cols: cols, it: it, sc: sc}
			if err = r.resolveKinds(); err != nil {
				it.Close()
			}
		}
		if err == nil {
			r.release = cancel
			if own {
				r.release = func() { cancel(); tx.Rollback() }
			} else {
				r.sess = s
				s.rows = r
			}
			sc.afterStatement(nil)
			return r, nil
		}
	}
	cancel()
	if own {
		tx.Rollback()
	}
	return nil, mapStoreErr(sc.ctxCause(err))
}

// runWrite runs a statement that writes, atomically: in autocommit in a
// write transaction of its own under the writer lock; inside a
// transaction directly on the transaction with an undo log (DML, see
// txtrees.go), or in a nested transaction that is rolled back if the
// statement fails (DDL, nested set).
func (s *Session) runWrite(ctx context.Context, args []Value, nested bool, fn func(*stmtCtx) (Result, error)) (Result, error) {
	fn = guardWrite(fn)
	if s.e.opts.ReadOnly {
		return Result{}, engErr(ErOptionPreventsStmt, "The bxdb store is open read-only so it cannot execute this statement")
	}
	if err := s.implicitBegin(ctx); err != nil {
		return Result{}, err
	}
	if s.tx == nil && s.autocommitReadOnly() {
		return Result{}, errReadOnlyTx()
	}
	if s.tx != nil {
		if err := s.upgradeTx(ctx); err != nil {
			return Result{}, err
		}
		if err := s.tx.brokenErr(); err != nil {
			return Result{}, err
		}
		if !nested {
			return s.runWriteShared(ctx, args, fn)
		}
		// The nested transaction must see every change of the shared
		// handles, and may drop or rebuild their trees.
		if err := s.tx.releaseTrees(true); err != nil {
			return Result{}, mapStoreErr(err)
		}
		child, err := s.tx.top().Begin()
		if err != nil {
			return Result{}, mapStoreErr(err)
		}
		cat, err := s.txCatalog(child)
		var sc *stmtCtx
		if err == nil {
			sc, err = s.newStmtCtx(ctx, child, args, true, cat)
		}
		if sc != nil {
			defer sc.done()
		}
		var res Result
		if err == nil {
			res, err = fn(sc)
			if err == nil {
				err = sc.finishWrites()
			}
		}
		if err != nil {
			child.Rollback()
			return Result{}, mapStoreErr(err)
		}
		if err := child.Commit(); err != nil {
			return Result{}, mapStoreErr(err)
		}
		if sc.ddl {
			s.tx.ddl, s.tx.cat = true, sc.cat
		}
		s.tx.wrote = true
		sc.afterStatement(&res)
		return res, nil
	}
	if !nested {
		return s.runBatched(ctx, args, fn)
	}
	// DDL: its own bedrock transaction. The statement is in flight until
	// it applies (groupcommit.go).
	s.e.group.enter()
	if err := s.e.lockWriter(ctx); err != nil {
		s.e.group.leave()
		return Result{}, err
	}
	locked := true
	defer func() {
		if locked {
			s.e.group.leave()
			s.e.unlockWriter()
		}
	}()
	tx, err := s.e.store.Begin(true)
	if err != nil {
		return Result{}, mapStoreErr(err)
	}
	// The writer lock is held: no catalog change commits meanwhile.
	d := s.e.ddlSeq.Load()
	cat, err := s.e.snapshotCatalog(tx, d, d)
	var sc *stmtCtx
	if err == nil {
		sc, err = s.newStmtCtx(ctx, tx, args, true, cat)
	}
	if sc != nil {
		defer sc.done()
	}
	var res Result
	if err == nil {
		res, err = fn(sc)
		if err == nil {
			err = sc.finishWrites()
		}
	}
	if err != nil {
		tx.Rollback()
		return Result{}, mapStoreErr(err)
	}
	if sc.ddl {
		err = s.e.commitDDL(tx)
		if err == nil {
			s.e.commitSeq.Add(1)
		}
	} else {
		locked = false
		err = s.e.commitUnlock(tx, sc.wrote, true)
	}
	if err != nil {
		return Result{}, mapStoreErr(err)
	}
	if sc.ddl {
		s.adoptTemps(sc.cat)
	}
	sc.afterStatement(&res)
	return res, nil
}

// runBatched runs an autocommit DML statement as a nested transaction of
// the engine's open batch (groupcommit.go): its changes merge into the
// batch, or vanish with the nested transaction if it fails. It returns
// once the batch is durable.
func (s *Session) runBatched(ctx context.Context, args []Value, fn func(*stmtCtx) (Result, error)) (Result, error) {
	e := s.e
	e.group.enter()
	if err := e.lockWriterBatch(ctx); err != nil {
		e.group.leave()
		return Result{}, err
	}
	res, sc, wrote, err := s.runInBatch(ctx, args, fn)
	seq := e.group.joined(wrote, e.batchDone)
	if e.batchN == 0 {
		e.applyBatch() // nothing in it: ends its transaction now
	}
	e.unlockWriter()
	if sc != nil {
		defer sc.done()
	}
	// Even a statement that failed or changed nothing waits: it may have
	// read (and reported on) changes that are not durable yet.
	if werr := e.group.waitDurable(seq); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		return Result{}, mapStoreErr(err)
	}
	sc.afterStatement(&res)
	return res, nil
}

// runInBatch runs the statement in a nested transaction of the batch and
// merges it. Caller holds the writer lock.
func (s *Session) runInBatch(ctx context.Context, args []Value, fn func(*stmtCtx) (Result, error)) (Result, *stmtCtx, bool, error) {
	e := s.e
	batch, err := e.openBatch()
	if err != nil {
		return Result{}, nil, false, err
	}
	tx, err := batch.Begin()
	if err != nil {
		return Result{}, nil, false, err
	}
	// The writer lock is held and DDL never joins a batch: the committed
	// catalog is the batch's.
	d := e.ddlSeq.Load()
	cat, err := e.snapshotCatalog(tx, d, d)
	var sc *stmtCtx
	if err == nil {
		sc, err = s.newStmtCtx(ctx, tx, args, true, cat)
	}
	var res Result
	if err == nil {
		res, err = fn(sc)
		if err == nil {
			err = sc.finishWrites()
		}
	}
	if err == nil && sc.ddl {
		err = fmt.Errorf("sqlfront: internal error: DDL in a DML batch")
	}
	if err != nil {
		tx.Rollback()
		return Result{}, sc, false, err
	}
	if err := tx.Commit(); err != nil {
		return Result{}, sc, false, err
	}
	if sc.wrote {
		e.batchN++
	}
	return res, sc, sc.wrote, nil
}

// runWriteShared runs a DML statement of a writable transaction directly
// on its innermost transaction, through the shared handles; if the
// statement fails its undo log is replayed (txtrees.go).
func (s *Session) runWriteShared(ctx context.Context, args []Value, fn func(*stmtCtx) (Result, error)) (Result, error) {
	tx := s.tx.top()
	cat, err := s.txCatalog(tx)
	if err != nil {
		return Result{}, mapStoreErr(err)
	}
	sc, err := s.newStmtCtx(ctx, tx, args, true, cat)
	if err != nil {
		return Result{}, mapStoreErr(err)
	}
	defer sc.done()
	res, err := fn(sc)
	if err == nil {
		err = sc.finishWrites()
		if err != nil {
			// The counters or a flush failed half-way: nothing can be
			// trusted any more.
			sc.shared.broken = err
			return Result{}, mapStoreErr(err)
		}
	}
	if err != nil {
		if uerr := sc.undoStatement(); uerr != nil {
			return Result{}, errTxBroken(uerr)
		}
		return Result{}, mapStoreErr(err)
	}
	if sc.wrote {
		s.tx.wrote = true
	}
	sc.afterStatement(&res)
	return res, nil
}

// drainRows reads the rest of the open result that uses the session's
// transaction into memory, so that the transaction can be used again.
func (s *Session) drainRows() {
	if r := s.rows; r != nil {
		s.rows = nil
		r.drain()
	}
}

// closeRows closes the open result.
func (s *Session) closeRows() {
	if r := s.rows; r != nil {
		s.rows = nil
		r.Close()
	}
}

// --- Statement context --------------------------------------------------------

// stmtCtx is the state of one statement execution: its transaction, the
// catalog it sees, the Env for expressions, and the trees it opened.
type stmtCtx struct {
	s        *Session
	e        *Engine
	ctx      context.Context
	tx       *bedrock.Tx
	cat      *catalog
	env      *Env
	writable bool
	// trees are the statement's tree handles by name: its own, or the
	// transaction's shared ones (txtrees.go), then shared is set too.
	trees  map[string]*treeRef
	shared *txTrees
	autos  map[uint64]*autoCounter
	ticks  int
	// lastInsertID is the first id generated by the statement (0: none).
	lastInsertID uint64
	// setLastInsertID is set when the statement generated an id.
	setLastInsertID bool
	// stores are the table stores opened by the statement, by table ID.
	stores map[uint64]*tableStore
	// parent is the enclosing statement context of a subquery, or the
	// context whose statement fired a trigger (trigger_exec.go).
	parent *stmtCtx
	// subqs memoizes the subqueries of the statement (root context, or a
	// trigger's context: memoAt).
	subqs map[sqlparser.SelectStatement]*subqState
	// topText is the statement text, to name expression columns.
	topText string
	// xlog collects EXPLAIN rows while planning (nil otherwise).
	xlog *explainLog
	// depth is the subquery nesting depth.
	depth int
	// rctes bind the names of recursive CTEs being computed to their
	// working sets (plan_recursive.go).
	rctes []rcteBinding
	// ddl is set when the statement changed the catalog.
	ddl bool
	// wrote is set when the statement wrote a row, an index entry or a
	// counter.
	wrote bool
	// stmt is the prepared statement being run (nil in internal
	// contexts), for the plans cached in it.
	stmt *Stmt
	// reused is set on the session's reusable write context.
	reused bool
	// clock is the statement time of a write statement, taken at its
	// first use (Env.clock).
	clock time.Time
	// keys is an arena for the primary keys of point statements, which
	// the undo log keeps until the statement ends; point is their target
	// iterator (exec_point.go).
	keys  []byte
	point targetIter
	// fkChain is the cascade chain of foreign key actions in progress
	// (root context only, fk.go).
	fkChain []fkLink
	// memoAt is the context whose subqs memoize this one's subqueries
	// when it is not the root: a trigger's context (trigger_exec.go),
	// whose placeholders change from one firing to the next.
	memoAt *stmtCtx
	// trigUse are the tables that the statements invoking this trigger
	// context are changing (error 1442; trigger_exec.go).
	trigUse []*table
}

// txCatalog returns the catalog the session's transaction sees, reading
// it from tx (the transaction or a nested one) the first time.
func (s *Session) txCatalog(tx *bedrock.Tx) (*catalog, error) {
	if c := s.tx.cat; c != nil {
		return c, nil
	}
	c, err := s.e.catalogOf(tx)
	if err == nil {
		s.tx.cat = c
	}
	return c, err
}

// newStmtCtx prepares a statement's context on tx, which sees catalog cat.
func (s *Session) newStmtCtx(ctx context.Context, tx *bedrock.Tx, args []Value, writable bool, cat *catalog) (*stmtCtx, error) {
	var sc *stmtCtx
	var env *Env
	if writable && !s.wbusy {
		// A write statement's context is not referenced once it ends
		// (only queries hand theirs to Rows): reuse the session's.
		s.wbusy = true
		sc, env = &s.wsc, &s.wenv
		stores, autos, keys := sc.stores, sc.autos, sc.keys[:0]
		if cap(keys) > 64<<10 {
			keys = nil // a statement of many point changes: do not keep it
		}
		if len(stores) > 0 {
			clear(stores)
		}
		if len(autos) > 0 {
			clear(autos)
		}
		*sc = stmtCtx{stores: stores, autos: autos, keys: keys, reused: true}
	} else {
		sc, env = &stmtCtx{}, &Env{}
	}
	*env = Env{Args: args, Database: s.e.dbName, LastInsertID: s.lastInsertID, RowCount: s.rowCount, FoundRows: s.foundRowsNow(), ConnectionID: s.id, sess: s, ctx: ctx}
	cat = s.viewOf(cat)
	if writable {
		// A write statement ends before it returns: its time is taken at
		// the first use (Env.clock). A query's rows may be read long
		// after it started, so it takes its time now.
		env.clock = &sc.clock
	} else {
		env.Now = time.Now()
	}
	sc.s, sc.e, sc.ctx, sc.tx, sc.cat, sc.env, sc.writable = s, s.e, ctx, tx, cat, env, writable
	if t := s.tx; t != nil && t.writable && tx == t.top() {
		// The statement runs directly on the transaction: it shares its
		// handles and keeps an undo log (txtrees.go).
		sc.shared = t.sharedTrees()
		sc.trees = sc.shared.m
		sc.writable = true // the handles defer their flushes
	} else {
		sc.trees = map[string]*treeRef{}
	}
	return sc, nil
}

// done ends the statement's use of its context (see newStmtCtx).
func (sc *stmtCtx) done() {
	if sc.reused {
		sc.s.wbusy = false
	}
}

// afterStatement applies the statement's effects on the session
// (LAST_INSERT_ID) once it succeeded. A statement that called
// LAST_INSERT_ID(x) reports x as its result's last insert id (res, when
// not nil), as MySQL's OK packet does: `UPDATE seq SET id =
// LAST_INSERT_ID(id + 1)` is the sequence idiom.
func (sc *stmtCtx) afterStatement(res *Result) {
	if sc.setLastInsertID {
		sc.s.lastInsertID = sc.lastInsertID
	} else if sc.env.LastInsertID != sc.s.lastInsertID {
		sc.s.lastInsertID = sc.env.LastInsertID // LAST_INSERT_ID(x)
		if res != nil {
			res.LastInsertID = int64(sc.env.LastInsertID)
		}
	}
}

// finishWrites persists what the statement accumulated: the nodes of its
// tree handles (deferred, not Eager; shared handles only now and then,
// see txtrees.go) and its auto-increment counters. It must run before the
// statement's transaction commits.
func (sc *stmtCtx) finishWrites() error {
	if sc.shared != nil {
		if err := sc.endStatementLog(); err != nil {
			return err
		}
	} else {
		for _, r := range sc.trees {
			if err := r.t.Flush(); err != nil {
				return err
			}
		}
	}
	for _, c := range sc.autos {
		if c.dirty {
			sc.wrote = true
		}
		if err := c.flush(sc.tx); err != nil {
			return err
		}
	}
	return nil
}

// tree returns the statement's handle on the tree called name.
func (sc *stmtCtx) tree(name string) (*bxtree.Tree, error) {
	r, err := sc.treeRef(name)
	if err != nil {
		return nil, err
	}
	return r.t, nil
}

// treeRef returns the statement's handle on the tree called name, with its
// key bound.
func (sc *stmtCtx) treeRef(name string) (*treeRef, error) {
	if r, ok := sc.trees[name]; ok {
		return r, nil
	}
	// Writing statements defer node encoding to finishWrites: a node
	// changed by many rows is encoded once per statement.
	t, err := bxtree.Open(sc.tx, name, &bxtree.Options{Eager: !sc.writable})
	if err != nil {
		if errors.Is(err, bxtree.ErrNotFound) {
			return nil, fmt.Errorf("%w: tree %s of the catalog is missing", ErrCatalogCorrupt, name)
		}
		return nil, err
	}
	r := &treeRef{t: t}
	if sc.shared != nil {
		sc.shared.add(name, r)
	} else {
		sc.trees[name] = r
	}
	return r, nil
}

// tick counts one row of work and checks the context every 256 rows.
func (sc *stmtCtx) tick() error {
	sc.ticks++
	if sc.ticks&255 == 0 {
		if err := sc.ctx.Err(); err != nil {
			return sc.ctxCause(err)
		}
		if sc.e.closed.Load() {
			return ErrEngineClosed
		}
	}
	return nil
}

// ctxCause returns err, or error 3024 when the statement's context ended
// because @@max_execution_time passed.
func (sc *stmtCtx) ctxCause(err error) error {
	if err != nil && sc != nil && sc.ctx != nil && errors.Is(context.Cause(sc.ctx), errMaxExecutionTime) {
		return errMaxExecutionTime
	}
	return err
}

// errMaxExecutionTime is MySQL's ER_QUERY_TIMEOUT.
var errMaxExecutionTime = engErr(3024, "Query execution was interrupted, maximum statement execution time exceeded")

// lookupTable returns the table named by a qualified name, or 1146.
func (sc *stmtCtx) lookupTable(schema, name string) (*table, error) {
	if schema != "" && !strings.EqualFold(schema, sc.e.dbName) {
		return nil, errNoSuchTable(schema, name)
	}
	t := sc.cat.table(name)
	if t == nil {
		if sc.cat.view(name) != nil {
			return nil, errNotBaseTable(sc.e.dbName, name)
		}
		return nil, errNoSuchTable(sc.e.dbName, name)
	}
	return t, nil
}

// autoCounter returns the statement's counter of table t.
func (sc *stmtCtx) autoCounter(t *table) (*autoCounter, error) {
	if c, ok := sc.autos[t.desc.ID]; ok {
		return c, nil
	}
	c, err := sc.e.loadAutoCounter(sc.tx, t)
	if err != nil {
		return nil, err
	}
	if sc.autos == nil {
		sc.autos = map[uint64]*autoCounter{}
	}
	sc.autos[t.desc.ID] = c
	return c, nil
}

// --- Rows ---------------------------------------------------------------------

// rowIter is a Volcano-style operator: Next returns the next row or io.EOF.
// The returned slice belongs to the caller until the next call (operators
// may reuse it only if documented). Close releases resources; it may be
// called at any time, more than once.
type rowIter interface {
	Next() ([]Value, error)
	Close()
}

// Rows is a result set. Rows.Next pulls rows from the operators lazily.
type Rows struct {
	mu      sync.Mutex
	cols    []ColumnInfo
	it      rowIter
	sc      *stmtCtx
	sess    *Session // set while the rows read the session's transaction
	release func()   // releases an autocommit read transaction
	err     error
	closed  bool
	one     oneRow // the iterator of point SELECTs
	n       int64  // rows returned (FOUND_ROWS)
	// found is FOUND_ROWS() after a SELECT SQL_CALC_FOUND_ROWS with a
	// LIMIT (calc set): its rows without LIMIT.
	found int64
	calc  bool
}

// resolveKinds fills in the types of expression columns whose kind is
// only known from their values: it reads the first row ahead (Next
// returns it first).
func (r *Rows) resolveKinds() error {
	unknown := false
	for _, c := range r.cols {
		if c.Kind == KindNull && c.DatabaseTypeName == "" {
			unknown = true
		}
	}
	if !unknown {
		return nil
	}
	row, err := r.it.Next()
	if err == io.EOF {
		r.it = &sliceIter{}
		return nil
	}
	if err != nil {
		return err
	}
	first := cloneRow(row)
	for i := range r.cols {
		c := &r.cols[i]
		if c.Kind == KindNull && c.DatabaseTypeName == "" && i < len(first) && first[i].K != KindNull {
			c.Kind = first[i].K
			c.DatabaseTypeName = kindTypeName(first[i])
		}
	}
	r.it = &prefixIter{first: first, rest: r.it}
	return nil
}

// prefixIter returns first, then the rows of rest.
type prefixIter struct {
	first []Value
	rest  rowIter
	done  bool
}

func (p *prefixIter) Next() ([]Value, error) {
	if !p.done {
		p.done = true
		return p.first, nil
	}
	return p.rest.Next()
}

func (p *prefixIter) Close() { p.rest.Close() }

// emptyRows returns a result without columns or rows.
func emptyRows() *Rows { return &Rows{it: &sliceIter{}} }

// Columns describes the result's columns.
func (r *Rows) Columns() []ColumnInfo { return r.cols }

// Next stores the next row in dst (len(dst) must be len(Columns())) and
// returns io.EOF after the last row.
func (r *Rows) Next(dst []Value) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		if r.err != nil {
			return r.err
		}
		return io.EOF
	}
	row, err := guardNext(r.it)
	if err != nil {
		if err != io.EOF {
			err = mapStoreErr(err)
			r.err = err
		}
		r.closeLocked()
		return err
	}
	r.n++
	copy(dst, row)
	return nil
}

// Close releases the rows; it is safe to call more than once.
func (r *Rows) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closeLocked()
	return nil
}

// closeLocked closes the operators and releases the transaction.
func (r *Rows) closeLocked() {
	if r.closed {
		return
	}
	r.closed = true
	if r.it != nil {
		r.it.Close()
	}
	if r.sess != nil {
		if r.sess.rows == r {
			r.sess.rows = nil
		}
		r.sess = nil
	}
	if r.release != nil {
		r.release()
		r.release = nil
	}
}

// drain reads the remaining rows into memory (spilling past SortMemory)
// and detaches them from the session's transaction.
func (r *Rows) drain() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.sess = nil
	buf := newSorter(nil, r.sc.e.opts.SortMemory, r.sc.e.opts.TempDir)
	for {
		row, err := r.it.Next()
		if err == nil {
			err = buf.add(append([]Value(nil), row...))
		}
		if err != nil {
			if err != io.EOF {
				r.err = mapStoreErr(err)
			}
			break
		}
	}
	r.it.Close()
	if r.err != nil {
		buf.close()
		r.it = &sliceIter{}
		r.closed = true
		return
	}
	it, err := buf.iter()
	if err != nil {
		r.err = err
		r.it = &sliceIter{}
		r.closed = true
		return
	}
	r.it = it
}
