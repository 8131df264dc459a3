package sqlfront

import (
	"context"
	"errors"
	"strings"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// Session transactions: the explicit transaction of a session, its
// savepoints, and the per-statement nested transactions (see "Transactions
// and the writer rule" in engine.go).
//
// A sessTx is in one of two states:
//
//	writable   holds the writer lock; root is a bedrock write tx
//	read       root is a bedrock read tx (one snapshot); no lock
//
// A read-write transaction started by BEGIN / Session.Begin is writable
// from the start. A transaction opened implicitly under autocommit=0
// starts as read and upgrades at its first write: it takes the lock and,
// if no other transaction committed since its snapshot was taken (the
// write transaction it begins reads the generation its read snapshot did:
// nothing was applied since, durable or not), continues on a write tx
// over the same state; otherwise the statement fails with 1213 (retry the
// transaction), because its earlier reads may be stale. READ ONLY transactions never
// upgrade; their writes fail with 1792.

// TxOptions configure Session.Begin.
type TxOptions struct {
	ReadOnly bool
	// Isolation is "", "READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE
	// READ", "SNAPSHOT" or "SERIALIZABLE" (any case, '-' or '_' for
	// spaces); all are served at SERIALIZABLE. Others ("WRITE COMMITTED",
	// "LINEARIZABLE") fail with 1235.
	Isolation string
}

// sessTx is a session's open transaction.
type sessTx struct {
	root     *bedrock.Tx
	writable bool // holds the writer lock
	readOnly bool // READ ONLY: never upgrades
	implicit bool // opened by autocommit=0; may upgrade
	wrote    bool // a statement wrote (or ran DDL): the commit applies
	saves    []savepoint
	// cat is the catalog the transaction sees (nil: read it from the
	// transaction); ddl records that the transaction changed it.
	cat *catalog
	ddl bool
	// trees are the handles its statements share (writable only; see
	// txtrees.go).
	trees *txTrees
}

// savepoint is one SAVEPOINT: a nested bedrock transaction.
type savepoint struct {
	name string // "" for a savepoint replaced by a newer one of the same name
	tx   *bedrock.Tx
	cat  *catalog // the transaction's catalog when the savepoint was set
}

// top returns the innermost open transaction: the newest savepoint's or
// the root.
func (t *sessTx) top() *bedrock.Tx {
	if n := len(t.saves); n > 0 {
		return t.saves[n-1].tx
	}
	return t.root
}

// checkIsolation validates an isolation level name.
func checkIsolation(level string) error {
	l := strings.ToUpper(strings.TrimSpace(strings.NewReplacer("-", " ", "_", " ").Replace(level)))
	switch l {
	case "", "DEFAULT", "READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SNAPSHOT", "SERIALIZABLE":
		return nil
	}
	return engErr(ErNotSupported, "This version of bxdb doesn't yet support 'isolation level %s' (transactions are SERIALIZABLE)", level)
}

// beginTx opens the session's transaction. readOnly transactions take a
// snapshot; others wait for the writer lock (up to BusyTimeout).
func (s *Session) beginTx(ctx context.Context, readOnly, implicit bool) error {
	e := s.e
	if e.closed.Load() {
		return ErrEngineClosed
	}
	if readOnly || implicit || e.opts.ReadOnly {
		d1 := e.ddlSeq.Load()
		tx, err := e.store.Begin(false)
		if err != nil {
			return mapStoreErr(err)
		}
		t := &sessTx{root: tx, readOnly: readOnly || e.opts.ReadOnly, implicit: implicit}
		if d1 == e.ddlSeq.Load() {
			t.cat = e.cachedCatalog(d1)
		}
		s.tx = t
		return nil
	}
	if err := e.lockWriter(ctx); err != nil {
		return err
	}
	tx, err := e.store.Begin(true)
	if err != nil {
		e.unlockWriter()
		return mapStoreErr(err)
	}
	e.group.holdTx(true)
	// With the writer lock held no catalog change can commit: the cached
	// committed catalog is this transaction's.
	s.tx = &sessTx{root: tx, writable: true, cat: e.cachedCatalog(e.ddlSeq.Load())}
	return nil
}

// upgradeTx makes an implicit read transaction writable (see the type
// comment), or fails with 1792 / 1213 / 1205.
func (s *Session) upgradeTx(ctx context.Context) error {
	t := s.tx
	if t.writable {
		return nil
	}
	if t.readOnly || !t.implicit {
		return errReadOnlyTx()
	}
	if len(t.saves) > 0 {
		// Savepoints hang on the read tx; they cannot move. Only reachable
		// with SAVEPOINT before the first write of an implicit tx.
		return errDeadlock("cannot upgrade a transaction with savepoints to a write transaction")
	}
	e := s.e
	if err := e.lockWriter(ctx); err != nil {
		return err
	}
	tx, err := e.store.Begin(true)
	if err != nil {
		e.unlockWriter()
		return mapStoreErr(err)
	}
	if tx.Gen() != t.root.Gen() {
		tx.Rollback()
		e.unlockWriter()
		return errDeadlock("another transaction committed after this transaction's snapshot")
	}
	e.group.holdTx(true)
	t.root.Rollback()
	t.root, t.writable = tx, true
	return nil
}

// endTx commits or rolls back the session's transaction and releases the
// writer lock. It is a no-op without a transaction.
func (s *Session) endTx(commit bool) error {
	t := s.tx
	if t == nil {
		return nil
	}
	s.drainRows()
	s.tx = nil
	if t.writable {
		s.e.group.holdTx(false)
	}
	var err error
	if commit && t.writable {
		if err = t.brokenErr(); err == nil {
			err = t.releaseTrees(true)
		}
		if err != nil {
			t.root.Rollback()
			s.e.unlockWriter()
			return mapStoreErr(err)
		}
		// Savepoints still open merge into the root first.
		for i := len(t.saves) - 1; i >= 0; i-- {
			if cerr := t.saves[i].tx.Commit(); cerr != nil && err == nil {
				err = cerr
			}
		}
		if err != nil {
			t.root.Rollback()
			s.e.unlockWriter()
			return mapStoreErr(err)
		}
		if t.ddl {
			err = s.e.commitDDL(t.root)
			if err == nil {
				s.e.commitSeq.Add(1)
				s.adoptTemps(t.cat)
			}
			s.e.unlockWriter()
			return mapStoreErr(err)
		}
		// Released before the wait for durability (group commit).
		return mapStoreErr(s.e.commitUnlock(t.root, t.wrote, false))
	}
	err = t.root.Rollback()
	if errors.Is(err, bedrock.ErrTxDone) {
		err = nil
	}
	if t.writable {
		s.e.unlockWriter()
	}
	return mapStoreErr(err)
}

// findSavepoint returns the index of the newest savepoint named name
// (case-insensitive), or -1.
func (t *sessTx) findSavepoint(name string) int {
	for i := len(t.saves) - 1; i >= 0; i-- {
		if t.saves[i].name != "" && strings.EqualFold(t.saves[i].name, name) {
			return i
		}
	}
	return -1
}

// savepoint sets SAVEPOINT name.
func (s *Session) savepoint(name string) error {
	t := s.tx
	if t == nil {
		return nil // autocommit: MySQL accepts and forgets it
	}
	if i := t.findSavepoint(name); i >= 0 {
		t.saves[i].name = "" // replaced by the new one
	}
	if err := t.releaseTrees(true); err != nil {
		return mapStoreErr(err)
	}
	child, err := t.top().Begin()
	if err != nil {
		return mapStoreErr(err)
	}
	t.saves = append(t.saves, savepoint{name: name, tx: child, cat: t.cat})
	return nil
}

// errNoSavepoint is error 1305 for an unknown savepoint.
func errNoSavepoint(name string) error {
	return engErr(ErSpDoesNotExist, "SAVEPOINT %s does not exist", name)
}

// releaseSavepoint is RELEASE SAVEPOINT name: the savepoint and every
// newer one merge into their parents.
func (s *Session) releaseSavepoint(name string) error {
	t := s.tx
	if t == nil {
		return errNoSavepoint(name)
	}
	i := t.findSavepoint(name)
	if i < 0 {
		return errNoSavepoint(name)
	}
	if err := t.releaseTrees(true); err != nil {
		return mapStoreErr(err)
	}
	for j := len(t.saves) - 1; j >= i; j-- {
		if err := t.saves[j].tx.Commit(); err != nil {
			t.saves = t.saves[:j]
			return mapStoreErr(err)
		}
	}
	t.saves = t.saves[:i]
	return nil
}

// rollbackToSavepoint is ROLLBACK TO SAVEPOINT name: the work done since
// the savepoint is undone; the savepoint stays, newer ones are removed.
func (s *Session) rollbackToSavepoint(name string) error {
	t := s.tx
	if t == nil {
		return errNoSavepoint(name)
	}
	i := t.findSavepoint(name)
	if i < 0 {
		return errNoSavepoint(name)
	}
	// Rolling back savepoint i's tx rolls back its descendants too, and
	// the changes the shared handles hold with them.
	t.releaseTrees(false)
	t.saves[i].tx.Rollback()
	cat := t.saves[i].cat
	if t.ddl {
		// A DDL may have been undone: back to the catalog of the
		// savepoint (nil: read it again; it is no session's view, whose
		// temporary tables live nowhere else).
		t.cat = cat
	}
	t.saves = t.saves[:i]
	child, err := t.top().Begin()
	if err != nil {
		return mapStoreErr(err)
	}
	t.saves = append(t.saves, savepoint{name: name, tx: child, cat: cat})
	return nil
}

// Begin starts a transaction (database/sql's BeginTx). A read-write
// transaction takes the writer lock now, waiting up to BusyTimeout (1205)
// while ctx allows. A transaction already open is committed first, as
// MySQL's START TRANSACTION does.
func (s *Session) Begin(ctx context.Context, o TxOptions) error {
	if err := s.usable(); err != nil {
		return err
	}
	if err := checkIsolation(o.Isolation); err != nil {
		return err
	}
	if err := s.endTx(true); err != nil {
		return err
	}
	return s.beginTx(ctx, o.ReadOnly, false)
}

// Commit commits the open transaction; without one it does nothing.
func (s *Session) Commit() error {
	if err := s.usable(); err != nil {
		return err
	}
	return s.endTx(true)
}

// Rollback rolls the open transaction back; without one it does nothing.
func (s *Session) Rollback() error {
	if err := s.usable(); err != nil {
		return err
	}
	return s.endTx(false)
}

// InTx reports whether a transaction is open.
func (s *Session) InTx() bool { return s.tx != nil }
