package sqlfront

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
)

// Cached read snapshots of point SELECTs.
//
// An autocommit point SELECT (plan_point.go) needs a read transaction and
// a tree handle. Beginning one and opening the other (a directory lookup)
// cost more than the lookup itself, and a fresh read handle has to fetch
// the root and internal nodes that a long-lived one keeps. So a session
// keeps the read transaction and the handles of its last point SELECT
// and reuses them while no commit has become durable since (the engine's
// readEpoch has not moved): the snapshot is then still the newest durable
// state, exactly what a new read transaction would see.
//
// Invariants:
//
//  1. readEpoch is incremented after every commit of the engine becomes
//     durable and before its writer returns (groupCommit's leader,
//     commitDDL). A cached snapshot taken at epoch k is used only while
//     readEpoch == k, so a SELECT never misses a commit whose writer has
//     returned (to anyone).
//  2. A cached transaction pins its snapshot's blocks, so it must not
//     outlive its epoch: the goroutine that moves readEpoch releases every
//     idle cached transaction (revokeReads), and a session that finds its
//     epoch stale after use releases its own.
//  3. state serializes the session (which uses the cache) and revokers
//     (which release it): only the goroutine whose CompareAndSwap moved
//     state away from rcIdle touches tx and trees.

// Read cache states.
const (
	rcEmpty   int32 = iota // no transaction
	rcIdle                 // tx cached, not in use
	rcInUse                // the session is reading through it
	rcFreeing              // a revoker is releasing it
)

// readCache is a session's cached read snapshot.
type readCache struct {
	state atomic.Int32
	tx    *bedrock.Tx
	cat   *catalog // the catalog tx sees
	epoch uint64
	trees map[string]*bxtree.Tree
}

// readers is the engine's registry of sessions with a cached snapshot.
type readers struct {
	mu sync.Mutex
	m  map[*Session]struct{}
}

// acquireRead returns a read transaction on the newest durable state and
// the catalog it sees, for one point SELECT; releaseRead must follow
// (also after an error).
func (s *Session) acquireRead() (*bedrock.Tx, *catalog, error) {
	rc, e := &s.rc, s.e
	for {
		if rc.state.CompareAndSwap(rcIdle, rcInUse) {
			if rc.epoch == e.readEpoch.Load() {
				return rc.tx, rc.cat, nil
			}
			rc.tx.Rollback()
			rc.tx, rc.cat, rc.trees = nil, nil, nil
			break
		}
		if rc.state.CompareAndSwap(rcEmpty, rcInUse) {
			break
		}
		runtime.Gosched() // a revoker is releasing it
	}
	epoch := e.readEpoch.Load() // before Begin: a snapshot newer than its epoch is only renewed early
	d1 := e.ddlSeq.Load()
	tx, err := e.store.Begin(false)
	if err != nil {
		return nil, nil, err
	}
	cat, err := e.snapshotCatalog(tx, d1, e.ddlSeq.Load())
	if err != nil {
		tx.Rollback()
		return nil, nil, err
	}
	rc.tx, rc.cat, rc.epoch = tx, cat, epoch
	if rc.trees == nil {
		rc.trees = map[string]*bxtree.Tree{}
	}
	e.rdrs.mu.Lock()
	if e.rdrs.m == nil {
		e.rdrs.m = map[*Session]struct{}{}
	}
	e.rdrs.m[s] = struct{}{}
	e.rdrs.mu.Unlock()
	return tx, cat, nil
}

// cachedTree returns the cached handle on tree name in the session's
// cached snapshot, opening it on first use. Caller holds the cache
// (acquireRead).
func (s *Session) cachedTree(name string) (*bxtree.Tree, error) {
	if t, ok := s.rc.trees[name]; ok {
		return t, nil
	}
	t, err := openTree(s.rc.tx, name, false)
	if err != nil {
		return nil, err
	}
	s.rc.trees[name] = t
	return t, nil
}

// releaseRead ends a use of the cache; the snapshot stays cached unless
// its epoch has passed (invariant 2) or the engine is closing.
func (s *Session) releaseRead() {
	rc, e := &s.rc, s.e
	if rc.tx == nil || rc.epoch != e.readEpoch.Load() || e.closed.Load() {
		s.dropRead()
		return
	}
	rc.state.Store(rcIdle)
	// A revoker that ran while the cache was in use skipped it.
	if rc.epoch != e.readEpoch.Load() && rc.state.CompareAndSwap(rcIdle, rcInUse) {
		s.dropRead()
	}
}

// dropRead releases the cache, which the caller holds (in use).
func (s *Session) dropRead() {
	rc := &s.rc
	if rc.tx != nil {
		rc.tx.Rollback()
	}
	rc.tx, rc.cat, rc.trees = nil, nil, nil
	rc.state.Store(rcEmpty)
	s.e.rdrs.mu.Lock()
	delete(s.e.rdrs.m, s)
	s.e.rdrs.mu.Unlock()
}

// closeRead releases the session's cache if it holds one (Close, Reset).
func (s *Session) closeRead() {
	if s.rc.state.CompareAndSwap(rcIdle, rcInUse) {
		s.dropRead()
	}
}

// commitDurable moves readEpoch after a commit became durable and
// releases the idle cached snapshots (invariants 1 and 2).
func (e *Engine) commitDurable() {
	e.readEpoch.Add(1)
	e.revokeReads()
}

// revokeReads releases every idle cached snapshot whose epoch has passed.
func (e *Engine) revokeReads() {
	e.rdrs.mu.Lock()
	defer e.rdrs.mu.Unlock()
	now := e.readEpoch.Load()
	for s := range e.rdrs.m {
		rc := &s.rc
		if !rc.state.CompareAndSwap(rcIdle, rcFreeing) {
			continue // in use: its session releases it (releaseRead)
		}
		if rc.epoch == now && !e.closed.Load() {
			rc.state.Store(rcIdle)
			continue
		}
		rc.tx.Rollback()
		rc.tx, rc.cat, rc.trees = nil, nil, nil
		rc.state.Store(rcEmpty)
		delete(e.rdrs.m, s)
	}
}
