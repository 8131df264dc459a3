package sqlfront

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/bxdb/bxdb/engine/bxtree"
)

// Online index builds. An autocommit CREATE INDEX (or ALTER TABLE t ADD
// [UNIQUE] INDEX with nothing else) does not hold the writer lock while it
// reads the table:
//
//	1. register a build log for the table, under the writer lock (so no
//	   write transaction is half done): from now on every writer of the
//	   table appends the primary keys of the rows it touches; then wait
//	   until every commit made before is durable
//	2. take a snapshot (a read transaction) and compute every index entry
//	   from it, sorting them with the external sorter; other connections
//	   keep reading and writing meanwhile
//	3. take the writer lock; in one write transaction check that the
//	   table's schema did not change (else 1213, retry), create the index
//	   tree, load the sorted entries in key order, then catch up: for each
//	   logged key, remove the entry the snapshot's row produced and add the
//	   entry of the row as it is now (UNIQUE checked); keys the snapshot
//	   held twice are checked again
//	4. commit, release the lock, drop the log
//
// Writers only pay for the log while a build runs (an atomic check
// otherwise). The log is in memory; a crash during the build leaves no
// index (nothing was committed). Inside a transaction, CREATE INDEX builds
// inline under the transaction's lock (ddlexec.go).

// onlineBuildHook, when set (tests only), runs between the snapshot scan
// and the final phase of an online build.
var onlineBuildHook func()

// buildLog collects the primary keys of rows written during a build.
type buildLog struct {
	mu   sync.Mutex
	keys map[string]struct{}
}

// builds tracks the active build logs, by table ID.
type builds struct {
	active sync.Map   // table ID (uint64) -> []*buildLog, copy-on-write
	mu     sync.Mutex // serializes changes of active
}

// noteWrite records that a row of table id with primary key pk changed.
func (e *Engine) noteWrite(id uint64, pk []byte) {
	v, ok := e.builds.active.Load(id)
	if !ok {
		return
	}
	for _, l := range v.([]*buildLog) {
		l.mu.Lock()
		l.keys[string(pk)] = struct{}{}
		l.mu.Unlock()
	}
}

// addBuildLog registers a log for table id.
func (e *Engine) addBuildLog(id uint64) *buildLog {
	l := &buildLog{keys: map[string]struct{}{}}
	e.builds.mu.Lock()
	defer e.builds.mu.Unlock()
	var logs []*buildLog
	if v, ok := e.builds.active.Load(id); ok {
		logs = append(logs, v.([]*buildLog)...)
	}
	e.builds.active.Store(id, append(logs, l))
	return l
}

// removeBuildLog unregisters a log.
func (e *Engine) removeBuildLog(id uint64, l *buildLog) {
	e.builds.mu.Lock()
	defer e.builds.mu.Unlock()
	v, ok := e.builds.active.Load(id)
	if !ok {
		return
	}
	var logs []*buildLog
	for _, x := range v.([]*buildLog) {
		if x != l {
			logs = append(logs, x)
		}
	}
	if len(logs) == 0 {
		e.builds.active.Delete(id)
	} else {
		e.builds.active.Store(id, logs)
	}
}

// onlineIndexDef returns the index an autocommit statement adds, if it is
// one that can be built online.
func onlineIndexDef(st Statement) (TableName, *IndexDef, bool) {
	switch x := st.(type) {
	case *CreateIndexStmt:
		if !x.IfNotExists && x.Index.Kind != IndexFullText {
			return x.Table, x.Index, true
		}
	case *AlterTableStmt:
		if len(x.Specs) == 1 {
			if a, ok := x.Specs[0].(*AddIndexSpec); ok && a.Index.Kind != IndexPrimary && a.Index.Kind != IndexFullText {
				return x.Table, a.Index, true
			}
		}
	}
	return TableName{}, nil, false
}

// createIndexOnline runs an autocommit index creation without blocking
// writers during the table scan.
func (s *Session) createIndexOnline(ctx context.Context, tn TableName, def *IndexDef) error {
	e := s.e
	if e.opts.ReadOnly {
		return engErr(ErOptionPreventsStmt, "The bxdb store is open read-only so it cannot execute this statement")
	}
	// Phase 1: the table as of now, to register the log for it.
	rtx, err := e.store.Begin(false)
	if err != nil {
		return mapStoreErr(err)
	}
	cat, err := e.catalogOf(rtx)
	rtx.Rollback()
	if err != nil {
		return err
	}
	rsc := &stmtCtx{s: s, e: e, ctx: ctx, cat: cat, env: &Env{}}
	t, err := rsc.lookupTable(tn.Schema, tn.Name)
	if err != nil {
		return err
	}
	if err := rsc.checkSchema(tn.Schema); err != nil {
		return err
	}
	// The log must cover every write the snapshot will not see. A write
	// transaction open now (BEGIN ... not yet committed) or the open
	// autocommit batch noted its keys before the log existed, so the log
	// is registered under the writer lock (none is open then: the batch
	// is applied), and the snapshot is taken once everything applied by
	// then is durable (a read transaction sees only durable commits).
	if err := e.lockWriter(ctx); err != nil {
		return err
	}
	log := e.addBuildLog(t.desc.ID)
	e.unlockWriter()
	defer e.removeBuildLog(t.desc.ID, log)
	if err := e.store.Sync(); err != nil {
		return mapStoreErr(err)
	}

	// Phase 2: the snapshot, taken after the log exists.
	snap, err := e.store.Begin(false)
	if err != nil {
		return mapStoreErr(err)
	}
	defer snap.Rollback()
	scat, err := e.catalogOf(snap)
	if err != nil {
		return err
	}
	ssc := &stmtCtx{s: s, e: e, ctx: ctx, tx: snap, cat: scat, env: &Env{}, trees: map[string]*treeRef{}}
	st0 := scat.table(t.desc.Name)
	if st0 == nil || st0.desc.ID != t.desc.ID {
		return errDeadlock("table changed during CREATE INDEX")
	}
	t = st0
	d := cloneDesc(t.desc)
	d.Version++
	ixd, err := addIndexDef(d, def)
	if err != nil {
		return err
	}
	nt, err := newTable(d)
	if err != nil {
		return err
	}
	var ix *index
	for _, x := range nt.indexes {
		if x.desc.ID == ixd.ID {
			ix = x
		}
	}
	sst, err := ssc.store(t)
	if err != nil {
		return err
	}
	keyOf := func(row []Value, pk []byte) []byte {
		k := make([]byte, 0, 32+len(pk))
		for i, c := range ix.cols {
			k = AppendKey(k, ix.keyValue(i, row[c]), nt.cols[c].typ, ix.descs[i])
		}
		return append(k, pk...)
	}
	prefixOf := func(row []Value) ([]byte, bool) {
		if hasNull(row, ix.cols) {
			return nil, false
		}
		var k []byte
		for i, c := range ix.cols {
			k = AppendKey(k, ix.keyValue(i, row[c]), nt.cols[c].typ, ix.descs[i])
		}
		return k, true
	}
	sorter := newSorter(func(a, b []Value) int { return strings.Compare(a[0].S, b[0].S) }, e.opts.SortMemory, e.opts.TempDir)
	defer sorter.close()
	row := make([]Value, len(t.cols))
	cur := sst.tree.Cursor()
	for ok := cur.First(); ok; ok = cur.Next() {
		if err := ssc.tick(); err != nil {
			return err
		}
		if err := sst.decodeAt(cur, row); err != nil {
			return err
		}
		pk := cur.Key()
		entry := []Value{BytesValue(keyOf(row, pk)), BytesValue(pk)}
		if p, ok := prefixOf(row); ok && ix.desc.Unique {
			entry = append(entry, BytesValue(p))
		}
		if err := sorter.add(entry); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return err
	}

	if onlineBuildHook != nil {
		onlineBuildHook()
	}
	// Phase 3: under the writer lock, load and catch up.
	if err := e.lockWriter(ctx); err != nil {
		return err
	}
	defer e.unlockWriter()
	wtx, err := e.store.Begin(true)
	if err != nil {
		return mapStoreErr(err)
	}
	committed := false
	defer func() {
		if !committed {
			wtx.Rollback()
		}
	}()
	wcat, err := e.catalogOf(wtx)
	if err != nil {
		return err
	}
	wt := wcat.table(t.desc.Name)
	if wt == nil || wt.desc.ID != t.desc.ID || wt.desc.Version != t.desc.Version {
		return errDeadlock("table changed during CREATE INDEX")
	}
	wsc, err := s.newStmtCtx(ctx, wtx, nil, true, wcat)
	if err != nil {
		return err
	}
	defer wsc.done()
	w := newCatalogWriter(e, wtx, wcat)
	if _, err := w.putTable(d, ""); err != nil {
		return err
	}
	if _, err := bxtree.Create(wtx, ix.tree, eagerTree()); err != nil {
		return err
	}
	iref, err := wsc.treeRef(ix.tree)
	if err != nil {
		return err
	}
	itree := iref.t
	it, err := sorter.iter()
	if err != nil {
		return err
	}
	defer it.Close()
	var suspects [][]byte
	var prev []byte
	for {
		r, err := it.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if len(r) == 3 {
			p := []byte(r[2].S)
			if prev != nil && bytes.Equal(p, prev) {
				suspects = append(suspects, p)
			}
			prev = p
		}
		if err := iref.put([]byte(r[0].S), 0, []byte(r[1].S)); err != nil {
			return err
		}
	}
	// Catch up with the writes logged since the log was registered.
	log.mu.Lock()
	keys := log.keys
	log.keys = map[string]struct{}{}
	log.mu.Unlock()
	wst, err := wsc.store(wt)
	if err != nil {
		return err
	}
	nst := &tableStore{sc: wsc, t: nt, tree: wst.tree, ixTrees: map[uint32]*treeRef{ix.desc.ID: iref}, pkTypes: wst.pkTypes}
	old := make([]Value, len(t.cols))
	now := make([]Value, len(t.cols))
	for k := range keys {
		pk := []byte(k)
		if ok, err := sst.fetch(pk, old); err != nil {
			return err
		} else if ok {
			if _, err := itree.Delete(keyOf(old, pk)); err != nil {
				return err
			}
		}
		if ok, err := wst.fetch(pk, now); err != nil {
			return err
		} else if ok {
			if err := nst.checkUnique(ix, now, pk); err != nil {
				var de *dupError
				if errors.As(err, &de) {
					return de.SQLError
				}
				return err
			}
			if err := iref.put(keyOf(now, pk), 0, pk); err != nil {
				return err
			}
		}
	}
	for _, p := range suspects {
		n, err := itree.Count(p, prefixEnd(p))
		if err != nil {
			return err
		}
		if n > 1 {
			c := itree.Range(p, prefixEnd(p))
			if !c.First() {
				return c.Err()
			}
			if ok, err := wst.fetch(c.Value(), now); err != nil || !ok {
				return errIndexCorrupt(nt, ix)
			}
			return nst.newDupError(ix, now, c.Value()).SQLError
		}
	}
	if _, err := w.finish(); err != nil {
		return err
	}
	if err := wsc.finishWrites(); err != nil {
		return err
	}
	committed = true
	if err := e.commitDDL(wtx); err != nil {
		return mapStoreErr(err)
	}
	e.commitSeq.Add(1)
	return nil
}
