package sqlfront

import (
	"runtime"
	"sync"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// Group commit: how writers wait for durability.
//
// Writers serialize on the engine's writer lock, but they do not hold it
// while their commit becomes durable. A writer takes the lock, runs its
// statement (or COMMIT), applies its bedrock transaction
// (Tx.CommitAsync: from then on every write transaction that begins sees
// it), releases the lock, and only then waits until the commit is
// durable. The next writer therefore builds on the applied, not yet
// durable state, and one fdatasync makes a whole group of commits
// durable.
//
// Invariants:
//
//  1. Commits apply in the order of the writer lock; seq numbers them in
//     that order (groupCommit.applied). A bedrock commit's wait returns
//     when its generation and every older one is durable, so calling the
//     wait of commit n makes commits 1..n durable.
//  2. No writer returns before every commit it may have read is durable:
//     a writer that changed nothing waits for the newest commit applied
//     when it held the lock. Readers see only durable commits (bedrock's
//     read snapshots), so no client ever observes a commit that a crash
//     could still undo.
//  3. A failed sync fails the store (bedrock.ErrFailed): every commit not
//     yet durable, and every later one, fails.
//
// The waits are led: one waiter at a time (the leader) calls the newest
// applied commit's wait while the others sleep on cond. Before it does,
// the leader lets the autocommit statements that are already running
// (inflight: they hold or wait for the writer lock) apply too, for at most
// maxGather, so that they share this sync instead of waiting for the next
// one. A lone writer never waits for anybody: with nothing in flight the
// sync starts at once; nor does a leader wait while a transaction holds
// the writer lock (txHeld), since nothing in flight can apply before it
// ends.
//
// Rejected: leaving the grouping to bedrock alone (whoever waits first
// syncs). A writer whose commit was just made durable returns and applies
// its next statement while the following sync is already running, so with
// k writers the groups alternate in size and each commit waits for two
// syncs; gathering the statements in flight makes the groups whole.

// Batches. Autocommit INSERT, UPDATE and DELETE statements do not apply
// one by one: each runs as a nested transaction of the engine's open
// batch (Engine.batch), a bedrock write transaction, and merges into it
// when it succeeds (a failed statement's nested transaction is rolled
// back, leaving the batch as it was). The leader applies the batch just
// before it syncs, so a group of k statements costs one apply (one write
// of the shared tree paths and map blocks) and one fdatasync. Whoever
// else takes the writer lock (a transaction, DDL, an index build) applies
// the open batch first (lockWriter), so every writer builds on all the
// changes before it, in writer-lock order. A statement joining the batch
// gets the seq the batch will have when applied (applied+1: nothing else
// can apply before it); if the batch fails to apply, its statements get
// the error (failed) and nothing of them remains.

// maxGather bounds how long a sync waits for statements in flight.
const maxGather = time.Millisecond

// groupCommit is the state of the engine's durability waits.
type groupCommit struct {
	mu       sync.Mutex
	cond     sync.Cond // on mu: durable, leading or inflight changed
	applied  uint64    // seq of the newest applied commit
	durable  uint64    // every commit with seq <= durable is durable
	wait     func() error
	leading  bool  // a leader is gathering or waiting
	inflight int   // autocommit statements started, not yet applied or ended
	txHeld   bool  // a transaction holds the writer lock: inflight waits long
	err      error // the failure of a sync; sticky (the store failed)
	// onDurable runs after commits became durable, before their writers
	// return (Engine.commitDurable).
	onDurable func()
	// pending is the done channel of the open batch once a statement with
	// changes joined it (nil otherwise); flush applies that batch unless
	// done closes first (Engine.flushBatch).
	pending chan struct{}
	flush   func(done chan struct{})
	// failed holds the errors of batches that failed to apply, by seq.
	failed map[uint64]error
	// waiting counts the writers in waitDurable; released is how many
	// were waiting when the last sync returned (its leader included).
	waiting, released int
}

// init prepares the zero groupCommit.
func (g *groupCommit) init() { g.cond.L = &g.mu }

// enter records an autocommit write statement that has started.
func (g *groupCommit) enter() {
	g.mu.Lock()
	g.inflight++
	g.mu.Unlock()
}

// leave records that a statement counted by enter applied or ended.
func (g *groupCommit) leave() {
	g.mu.Lock()
	g.inflight--
	g.cond.Broadcast()
	g.mu.Unlock()
}

// holdTx records whether a transaction (BEGIN ... COMMIT) holds the
// writer lock.
func (g *groupCommit) holdTx(held bool) {
	g.mu.Lock()
	g.txHeld = held
	g.mu.Unlock()
}

// noteApplied records a commit that applied with durability wait w and
// returns its seq. inflight says the statement was counted by enter.
// Caller holds the writer lock (invariant 1).
func (g *groupCommit) noteApplied(w func() error, inflight bool) uint64 {
	g.mu.Lock()
	g.applied++
	g.wait = w
	if inflight {
		g.inflight--
	}
	g.cond.Broadcast()
	seq := g.applied
	g.mu.Unlock()
	return seq
}

// joined records that an autocommit statement ran in the open batch
// whose done channel is done; wrote tells that the batch now holds its
// changes. It returns the seq to wait for: the batch's if it holds
// changes (the statement may have read them), else the newest applied
// commit's. Caller holds the writer lock.
func (g *groupCommit) joined(wrote bool, done chan struct{}) uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inflight--
	g.cond.Broadcast()
	if wrote {
		g.pending = done
	}
	if g.pending != nil {
		return g.applied + 1
	}
	return g.applied
}

// batchApplied records the outcome of applying the open batch: its
// durability wait, or the error all its statements get. Caller holds the
// writer lock.
func (g *groupCommit) batchApplied(w func() error, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.applied++
	g.pending = nil
	if err != nil {
		if g.failed == nil {
			g.failed = map[uint64]error{}
		}
		g.failed[g.applied] = err
	} else {
		g.wait = w
	}
	for seq := range g.failed {
		if seq+1024 < g.applied {
			delete(g.failed, seq)
		}
	}
	g.cond.Broadcast()
}

// newest returns the seq of the newest applied commit. Caller holds the
// writer lock.
func (g *groupCommit) newest() uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.applied
}

// waitDurable returns once commit seq (and every older one) is durable.
func (g *groupCommit) waitDurable(seq uint64) error {
	g.mu.Lock()
	g.waiting++
	defer func() {
		g.waiting--
		g.mu.Unlock()
	}()
	for g.durable < seq {
		if g.err != nil {
			return g.err
		}
		if g.leading {
			g.cond.Wait()
			continue
		}
		g.leading = true
		// Yield once first when the last sync released other writers:
		// those runnable but not yet running (more writers than cores)
		// then start their statements and count as in flight. A lone
		// writer does not yield: the yield would return at once, but not
		// before waking an idle thread to look for work (a futex wake per
		// commit).
		if g.released > 1 || g.waiting > 1 {
			g.mu.Unlock()
			runtime.Gosched()
			g.mu.Lock()
		}
		if g.inflight > 0 && !g.txHeld {
			g.gatherLocked()
		}
		if done := g.pending; done != nil {
			g.mu.Unlock()
			g.flush(done)
			g.mu.Lock()
		}
		target, w := g.applied, g.wait
		g.mu.Unlock()
		var err error
		if w != nil {
			err = w()
		}
		if err == nil && g.onDurable != nil {
			g.onDurable()
		}
		g.mu.Lock()
		g.leading = false
		g.released = g.waiting
		if err != nil {
			g.err = err
		} else if target > g.durable {
			g.durable = target
		}
		g.cond.Broadcast()
	}
	return g.failed[seq]
}

// gatherLocked waits, at most maxGather, until no statement is in flight.
func (g *groupCommit) gatherLocked() {
	deadline := time.Now().Add(maxGather)
	t := time.AfterFunc(maxGather, func() {
		g.mu.Lock()
		g.cond.Broadcast()
		g.mu.Unlock()
	})
	for g.inflight > 0 && !g.txHeld && time.Now().Before(deadline) {
		g.cond.Wait()
	}
	t.Stop()
}

// commitUnlock commits tx, the write transaction of the writer holding
// the writer lock, releases the lock and waits until the commit, and every
// commit tx may have read, is durable. wrote tells whether tx changed
// anything; inflight whether the statement was counted by enter (it is
// then no longer in flight when commitUnlock returns).
func (e *Engine) commitUnlock(tx *bedrock.Tx, wrote, inflight bool) error {
	g := &e.group
	var seq uint64
	if wrote {
		wait, err := tx.CommitAsync()
		if err != nil {
			if inflight {
				g.leave()
			}
			e.unlockWriter()
			return err
		}
		seq = g.noteApplied(wait, inflight)
		e.commitSeq.Add(1)
	} else {
		err := tx.Commit() // nothing to apply: ends at once
		if inflight {
			g.leave()
		}
		if err != nil {
			e.unlockWriter()
			return err
		}
		seq = g.newest()
	}
	e.unlockWriter()
	if seq == 0 {
		return nil
	}
	return g.waitDurable(seq)
}

// openBatch returns the open batch, beginning one if there is none.
// Caller holds the writer lock.
func (e *Engine) openBatch() (*bedrock.Tx, error) {
	if e.batch == nil {
		tx, err := e.store.Begin(true)
		if err != nil {
			return nil, err
		}
		e.batch, e.batchN, e.batchDone = tx, 0, make(chan struct{})
	}
	return e.batch, nil
}

// applyBatch applies the open batch, if any. Caller holds the writer
// lock.
func (e *Engine) applyBatch() {
	tx, n, done := e.batch, e.batchN, e.batchDone
	if tx == nil {
		return
	}
	e.batch, e.batchN, e.batchDone = nil, 0, nil
	defer close(done)
	if n == 0 {
		tx.Rollback()
		return
	}
	wait, err := tx.CommitAsync()
	if err != nil {
		tx.Rollback()
	} else {
		e.commitSeq.Add(uint64(n))
	}
	e.group.batchApplied(wait, err)
}

// flushBatch applies the batch whose done channel is done, taking the
// writer lock for it, unless somebody else applies it first.
func (e *Engine) flushBatch(done chan struct{}) {
	select {
	case e.writer <- struct{}{}:
		if e.batchDone == done {
			e.applyBatch()
		}
		e.unlockWriter()
	case <-done:
	}
}
