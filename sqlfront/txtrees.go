package sqlfront

import (
	"bytes"
	"fmt"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
)

// Tree handles shared by the statements of a transaction, and the undo log
// that makes each statement atomic without a nested bedrock transaction.
//
// A deferred bxtree handle (not Eager) keeps the nodes it changed
// decoded until Flush, so a leaf that many rows change is encoded once,
// not once per row. Opening a handle costs a directory lookup and the
// decoding of the root-to-leaf path. Both savings are lost if every
// statement opens its own handles in its own nested transaction, which is
// what a transaction of many one-row statements (a bulk load through a
// prepared INSERT) does.
//
// So the DML statements of a writable session transaction run directly on
// the session's innermost transaction (the newest savepoint's, else the
// root) through handles that live as long as that transaction stays the
// innermost one (sessTx.trees). Statement atomicity comes from an undo log
// instead: every change a statement makes through tableStore is recorded
// with its inverse, and a failing statement replays the inverses newest
// first. Rules:
//
//  1. Every write of a DML statement to a table, tombstone or index tree
//     goes through tableStore's put/del helpers (and bury/unbury), which
//     log the inverse: the exact record that was there, value and version,
//     so a failed statement restores row versions and tombstones exactly.
//     Auto-increment counters are written by finishWrites after the
//     statement succeeded, in trees no shared handle covers (sql.autoinc).
//  2. The handles are flushed before anything else touches their
//     transaction: before a savepoint begins a nested transaction, before
//     commit, before a DDL statement (which still runs in a nested
//     transaction and may drop or rebuild trees), and dropped afterwards.
//     They are also flushed every flushEvery logged changes, which bounds
//     the decoded nodes a long transaction keeps in memory.
//  3. If the inverses cannot be applied (the handle failed with an I/O
//     error or corruption, which poisons it), the transaction is marked
//     broken: every later statement fails with the cause, and COMMIT rolls
//     back and fails.
//
// Autocommit statements and DDL keep one transaction (or nested
// transaction) per statement and per-statement handles, flushed by
// finishWrites before it commits.
//
// Ascending keys: a treeRef remembers an upper bound of the keys of its
// tree (max, once known). A key above it cannot be in the tree, so an
// INSERT of ascending keys (AUTO_INCREMENT, or explicit increasing ids)
// skips the duplicate-key probe, which would otherwise also flush the
// handle on every row. Deletes leave the bound valid; every put raises it.

// flushEvery is how many logged changes a transaction's shared handles
// accumulate before they are flushed at the end of a statement.
const flushEvery = 4096

// Deferred or eager: a deferred handle pays off when many
// changes meet in a node before it is written. A point read (Tree.Get)
// looks through the unwritten changes, but a cursor read (a range scan,
// the bound probe of treeRef.above) writes them first, so statements that
// scan before they write (UPDATE and DELETE by range) make a deferred
// handle write its nodes at every statement, after decoding each changed
// leaf for one change. An eager handle splices each change into the block
// image instead, which is cheaper then. So a shared handle adapts at the
// end of each successful statement (txTrees.adapt):
//
//   - deferred → eager after switchAfter statements in a row in which a
//     read wrote the changes pending before it (seen as block writes the
//     handle made without a flush of ours), when those were at most
//     thrashWrites;
//   - eager → deferred after deferAfter changes without a read through
//     the handle (noteRead), such as a bulk load following updates.
//
// The switch flushes the handle and opens the other kind; only the speed
// depends on the choice, never the result.
const (
	thrashWrites = 2
	switchAfter  = 4
	deferAfter   = 256
)

// treeRef is a handle on one tree within a statement or transaction, with
// a bound on its keys.
type treeRef struct {
	t    *bxtree.Tree
	name string
	// max is >= every key of the tree when maxOK (nil: the tree is empty).
	max   []byte
	maxOK bool

	// Adaptive mode of shared handles (see above).
	eager      bool   // opened Eager
	stmtWrites int    // changes made by the running statement
	pending    int    // deferred: changes not yet written to blocks
	seenWrites uint64 // deferred: the handle's block writes when last looked at
	thrash     int    // deferred: statements in a row whose reads wrote few changes
	unread     int    // eager: changes since the last read
}

// noteRead records a read through the handle (for the adaptive mode).
func (r *treeRef) noteRead() {
	if r != nil {
		r.unread = 0
	}
}

// above reports whether key is greater than every key of the tree, finding
// the bound on first use.
func (r *treeRef) above(key []byte) (bool, error) {
	if !r.maxOK {
		r.noteRead()
		c := r.t.Cursor()
		if c.Last() {
			r.max = append([]byte(nil), c.Key()...)
		} else if err := c.Err(); err != nil {
			return false, err
		} else {
			r.max = nil
		}
		r.maxOK = true
	}
	return r.max == nil || bytes.Compare(key, r.max) > 0, nil
}

// noteKey keeps the bound valid after key was put.
func (r *treeRef) noteKey(key []byte) {
	if r.maxOK && (r.max == nil || bytes.Compare(key, r.max) > 0) {
		r.max = append(r.max[:0], key...)
	}
}

// put puts a record with version ver through the handle and keeps the
// bound valid. Code that writes a tree whose handle may hold a bound must
// write through it.
func (r *treeRef) put(key []byte, ver uint64, val []byte) error {
	if err := r.t.Put(key, ver, val); err != nil {
		return err
	}
	r.stmtWrites++
	r.noteKey(key)
	return nil
}

// del deletes the record under key through the handle.
func (r *treeRef) del(key []byte) (bool, error) {
	r.stmtWrites++
	return r.t.Delete(key)
}

// undoOp is the inverse of one change: put val back under key with its
// version ver (the exact record that was there: row versions and
// tombstones are restored as they were), or delete key (del) when it was
// absent before.
type undoOp struct {
	ref *treeRef
	key []byte
	val []byte
	ver uint64
	del bool
}

// txTrees are the handles the statements of a writable session transaction
// share (see the comment at the top of the file).
type txTrees struct {
	tx      *bedrock.Tx // the innermost transaction they belong to
	m       map[string]*treeRef
	refs    []*treeRef             // the handles of m, in opening order
	stores  map[uint64]*tableStore // by table ID, over the handles in m
	changes int                    // logged changes since the last flush
	undo    []undoOp               // scratch for the running statement's log
	// broken is set when a failed statement could not be undone.
	broken error
}

// errTxBroken is returned by every statement of a transaction whose
// failed statement could not be undone.
func errTxBroken(cause error) error {
	return fmt.Errorf("sqlfront: the transaction must be rolled back: a failed statement could not be undone: %w", cause)
}

// sharedTrees returns the shared handles on t's innermost transaction,
// creating the set (after dropping handles on another transaction).
func (t *sessTx) sharedTrees() *txTrees {
	top := t.top()
	if t.trees == nil || t.trees.tx != top {
		var broken error
		if t.trees != nil {
			broken = t.trees.broken
		}
		t.trees = &txTrees{tx: top, m: map[string]*treeRef{}, broken: broken}
	}
	return t.trees
}

// add registers a new shared handle on tree name.
func (tt *txTrees) add(name string, r *treeRef) {
	r.name = name
	r.seenWrites = r.t.Stats().BlockWrites
	tt.m[name] = r
	tt.refs = append(tt.refs, r)
}

// flush encodes every change of the shared handles into their transaction.
func (tt *txTrees) flush() error {
	if tt == nil {
		return nil
	}
	for _, r := range tt.refs {
		if err := r.t.Flush(); err != nil {
			tt.broken = err
			return err
		}
		r.pending, r.seenWrites = 0, r.t.Stats().BlockWrites
	}
	tt.changes = 0
	return nil
}

// adapt switches handles between deferred and eager flushing at the end
// of a successful statement (see the comment on thrashWrites).
func (tt *txTrees) adapt() error {
	for _, r := range tt.refs {
		w := r.stmtWrites
		r.stmtWrites = 0
		if r.eager {
			if r.unread += w; r.unread >= deferAfter {
				if err := tt.reopen(r, false); err != nil {
					return err
				}
			}
			continue
		}
		if bw := r.t.Stats().BlockWrites; bw != r.seenWrites {
			// A read wrote the changes pending before the statement.
			r.seenWrites = bw
			if r.pending <= thrashWrites {
				r.thrash++
			} else {
				r.thrash = 0
			}
			r.pending = 0
		} else if w > 0 && r.pending+w > thrashWrites {
			r.thrash = 0
		}
		r.pending += w
		if r.thrash >= switchAfter {
			if err := tt.reopen(r, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// reopen flushes r's handle and replaces it by one of the other kind
// (eager or deferred). If the new handle cannot be opened, the flushed
// old one stays.
func (tt *txTrees) reopen(r *treeRef, eager bool) error {
	if err := r.t.Flush(); err != nil {
		tt.broken = err
		return err
	}
	r.thrash, r.pending, r.unread = 0, 0, 0
	r.seenWrites = r.t.Stats().BlockWrites
	t, err := openTree(tt.tx, r.name, !eager)
	if err != nil {
		return nil
	}
	r.t, r.eager = t, eager
	r.seenWrites = t.Stats().BlockWrites
	for _, st := range tt.stores {
		if st.ref == r {
			st.tree = t
		}
	}
	return nil
}

// releaseTrees flushes the shared handles (when flush is set) and drops
// them, before something else uses their transaction. A flush failure
// marks the transaction broken.
func (t *sessTx) releaseTrees(flush bool) error {
	tt := t.trees
	if tt == nil {
		return nil
	}
	var err error
	if flush {
		err = tt.flush()
	}
	t.trees = &txTrees{tx: nil, m: map[string]*treeRef{}, broken: tt.broken}
	return err
}

// brokenErr returns the error of a broken transaction, or nil.
func (t *sessTx) brokenErr() error {
	if t.trees != nil && t.trees.broken != nil {
		return errTxBroken(t.trees.broken)
	}
	return nil
}

// logUndo records the inverse of a change when the statement keeps a log.
func (sc *stmtCtx) logUndo(op undoOp) {
	if sc.shared != nil {
		sc.shared.undo = append(sc.shared.undo, op)
	}
}

// undoStatement replays the statement's log newest first. An error means
// the transaction's state is unknown: it is marked broken.
func (sc *stmtCtx) undoStatement() error {
	tt := sc.shared
	ops := tt.undo
	for i := len(ops) - 1; i >= 0; i-- {
		op := ops[i]
		var err error
		if op.del {
			_, err = op.ref.t.Delete(op.key)
		} else {
			err = op.ref.put(op.key, op.ver, op.val)
		}
		if err != nil {
			tt.broken = err
			tt.undo = ops[:0]
			return err
		}
	}
	clear(ops)
	tt.undo = ops[:0]
	return nil
}

// endStatementLog forgets the successful statement's log and flushes the
// handles when enough changes have accumulated.
func (sc *stmtCtx) endStatementLog() error {
	tt := sc.shared
	tt.changes += len(tt.undo)
	clear(tt.undo)
	tt.undo = tt.undo[:0]
	if err := tt.adapt(); err != nil {
		return err
	}
	if tt.changes >= flushEvery {
		return tt.flush()
	}
	return nil
}
