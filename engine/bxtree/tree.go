package bxtree

import (
	"errors"
	"fmt"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// Tree is a handle on one tree inside one bedrock transaction. It belongs to
// that transaction and to one goroutine (see the package documentation).
type Tree struct {
	tx      *bedrock.Tx
	name    string
	root    bedrock.LBA // fixed for the tree's life (invariant 10)
	opts    Options
	payload int // block payload size of the store
	maxKey  int // MaxKeySize(payload)
	maxRec  int // MaxRecordSize(payload)
	minFill int // nodes below this many bytes are merged or rebalanced

	h     digester
	dirty map[bedrock.LBA]*node  // decoded nodes modified since the last flush
	clean map[bedrock.LBA]*node  // decoded nodes equal to their blocks (n.enc)
	pages map[bedrock.LBA][]byte // internal node blocks, in read transactions only
	path  []step                 // scratch for descents
	err   error                  // sticky error of a failed mutation
	gen   uint64                 // bumped by every mutation; cursors compare it
	stats Stats

	noVerify bool // benchmarks only: leave record digests unchecked, to measure their cost
}

// step is one level of a write descent: a node and the entry followed.
type step struct {
	n      *node
	i      int // index of the entry followed (internal); 0 for the leaf
	before int // n.size before the operation: only shrunken nodes merge
}

// newTree returns a handle on the tree rooted at root within tx.
func newTree(tx *bedrock.Tx, name string, root bedrock.LBA, o *Options, payload int) *Tree {
	o = o.EnsureDefaults()
	t := &Tree{
		tx:      tx,
		name:    name,
		root:    root,
		opts:    *o,
		payload: payload,
		maxKey:  MaxKeySize(payload),
		maxRec:  MaxRecordSize(payload),
		minFill: payload / 4,
	}
	if tx.Writable() {
		t.dirty = make(map[bedrock.LBA]*node)
		t.clean = make(map[bedrock.LBA]*node)
	} else {
		// A read transaction's snapshot never changes, so its internal
		// nodes (few, and read by every descent) can be kept by block.
		t.pages = make(map[bedrock.LBA][]byte)
	}
	t.h.init(o.DigestKey)
	return t
}

// Name returns the tree's name ("" for the directory).
func (t *Tree) Name() string { return t.name }

// Root returns the tree's root block, its identity for its whole life.
func (t *Tree) Root() bedrock.LBA { return t.root }

// Tx returns the transaction the handle belongs to.
func (t *Tree) Tx() *bedrock.Tx { return t.tx }

// MaxKeySize returns the longest key Put accepts.
func (t *Tree) MaxKeySize() int { return t.maxKey }

// Stats returns the handle's block operation counters.
func (t *Tree) Stats() Stats { return t.stats }

// ResetStats zeroes the handle's block operation counters.
func (t *Tree) ResetStats() { t.stats = Stats{} }

// get reads block lba through the transaction.
func (t *Tree) get(lba bedrock.LBA) ([]byte, error) {
	t.stats.BlockReads++
	b, err := t.tx.Get(lba)
	if err != nil {
		if errors.Is(err, bedrock.ErrCorrupt) || errors.Is(err, bedrock.ErrNotAllocated) {
			// A bad or missing block under a tree is corruption of the
			// tree too: match both sentinels.
			return nil, fmt.Errorf("%w: block %d: %w", ErrCorrupt, lba, err)
		}
		return nil, fmt.Errorf("bxtree: block %d: %w", lba, err)
	}
	return b, nil
}

// maxPages bounds the internal-node cache of a read handle.
const maxPages = 1024

// readPage reads block lba as a node view for searching.
func (t *Tree) readPage(lba bedrock.LBA) (page, error) {
	if b, ok := t.pages[lba]; ok {
		t.stats.BlockReads++
		t.stats.CacheHits++
		return parsePage(lba, b)
	}
	b, err := t.get(lba)
	if err != nil {
		return page{}, err
	}
	if t.pages != nil && len(b) > 1 && b[1] == kindInternal && len(t.pages) < maxPages {
		t.pages[lba] = b
	}
	if len(b) > t.payload {
		return page{}, corruptf("block %d: %d bytes exceed the payload size", lba, len(b))
	}
	return parsePage(lba, b)
}

// childPage reads the child of p at entry i and checks its level.
func (t *Tree) childPage(p *page, i int) (page, error) {
	c, err := t.readPage(p.child(i))
	if err != nil {
		return page{}, err
	}
	if c.level != p.level-1 {
		return page{}, corruptf("block %d: child %d of block %d has level %d, want %d", c.lba, i, p.lba, c.level, p.level-1)
	}
	return c, nil
}

// maxClean bounds the clean-node cache of a handle.
const maxClean = 4096

// load returns the decoded node of block lba for modification: the dirty
// copy if there is one, else the cached decode of the block if the
// transaction still holds that very block, else a fresh decode.
func (t *Tree) load(lba bedrock.LBA) (*node, error) {
	if n, ok := t.dirty[lba]; ok {
		return n, nil
	}
	b, err := t.get(lba)
	if err != nil {
		return nil, err
	}
	// Blocks are immutable, so the same slice means the same bytes: the
	// cached node is current even if other handles wrote in between.
	if n, ok := t.clean[lba]; ok && sameSlice(n.enc, b) {
		return n, nil
	}
	n, err := decodeNode(lba, b, t.payload)
	if err != nil {
		return nil, err
	}
	if t.clean != nil {
		if len(t.clean) >= maxClean {
			clear(t.clean)
		}
		t.clean[lba] = n
	}
	return n, nil
}

// sameSlice reports whether a and b are the same non-empty slice.
func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}

// loadChild loads the child of n at entry i and checks its level.
func (t *Tree) loadChild(n *node, i int) (*node, error) {
	c, err := t.load(n.ents[i].child)
	if err != nil {
		return nil, err
	}
	if c.level != n.level-1 {
		return nil, corruptf("block %d: child %d of block %d has level %d, want %d", c.lba, i, n.lba, c.level, n.level-1)
	}
	return c, nil
}

// markDirty records that n was modified and must be written at flush.
func (t *Tree) markDirty(n *node) { t.dirty[n.lba] = n }

// alloc returns a new empty node at a freshly allocated block.
func (t *Tree) alloc(level int) (*node, error) {
	lba, err := t.tx.Alloc()
	if err != nil {
		return nil, err
	}
	t.stats.BlocksAllocated++
	n := newLeaf(lba)
	n.level = level
	t.markDirty(n)
	return n, nil
}

// free releases node n's block.
func (t *Tree) free(n *node) error {
	delete(t.dirty, n.lba)
	delete(t.clean, n.lba)
	t.stats.BlocksFreed++
	return t.tx.Free(n.lba)
}

// Flush encodes every node modified through this handle into its block. It
// is a no-op unless Options.DeferFlush is set; see the package
// documentation for when it must be called.
func (t *Tree) Flush() error {
	if t.err != nil {
		return t.err
	}
	if err := t.flush(); err != nil {
		t.err = err
		return err
	}
	return nil
}

// flush writes the dirty set.
func (t *Tree) flush() error {
	for lba, n := range t.dirty {
		if n.size > t.payload {
			panic(fmt.Sprintf("bxtree: flushing node %d of %d bytes", lba, n.size))
		}
		delete(t.dirty, lba)
		b := n.image()
		if b == nil {
			continue // unchanged
		}
		if err := t.tx.Put(lba, b); err != nil {
			return err
		}
		t.stats.BlockWrites++
		n.enc, n.patched = b, n.patched[:0]
		if len(t.clean) >= maxClean {
			clear(t.clean)
		}
		t.clean[lba] = n
	}
	return nil
}

// beginRead makes the blocks current before a read: it flushes a deferred
// dirty set and reports a sticky error.
func (t *Tree) beginRead() error {
	if t.err != nil {
		return t.err
	}
	if len(t.dirty) > 0 {
		return t.Flush()
	}
	return nil
}

// beginWrite checks that the handle can mutate.
func (t *Tree) beginWrite() error {
	if t.err != nil {
		return t.err
	}
	if !t.tx.Writable() {
		return fmt.Errorf("bxtree: write in a read-only transaction: %w", bedrock.ErrReadOnly)
	}
	return nil
}

// endWrite finishes a mutation: on success it flushes (unless deferred), on
// failure it poisons the handle.
func (t *Tree) endWrite(err error) error {
	t.gen++
	if err == nil && !t.opts.DeferFlush {
		err = t.flush()
	}
	if err != nil {
		t.err = err
	}
	return err
}

// descend loads the nodes from the root to the leaf that covers key, for
// modification. The leaf step's index is left at 0.
func (t *Tree) descend(key []byte) ([]step, error) {
	path := t.path[:0]
	n, err := t.load(t.root)
	if err != nil {
		return nil, err
	}
	for !n.isLeaf() {
		i := n.childIndex(key)
		path = append(path, step{n, i, n.size})
		if n, err = t.loadChild(n, i); err != nil {
			return nil, err
		}
	}
	path = append(path, step{n, 0, n.size})
	t.path = path
	return path, nil
}

// Put inserts the record (key, version, value) or replaces the record with
// that key. It copies key and value.
func (t *Tree) Put(key []byte, version uint64, value []byte) error {
	if err := t.beginWrite(); err != nil {
		return err
	}
	if len(key) > t.maxKey {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrKeyTooLarge, len(key), t.maxKey)
	}
	if uint64(len(value)) > MaxValueSize {
		return fmt.Errorf("%w: %d bytes", ErrValueTooLarge, len(value))
	}
	return t.endWrite(t.put(key, version, value))
}

// put does the work of Put.
func (t *Tree) put(key []byte, version uint64, value []byte) error {
	path, err := t.descend(key)
	if err != nil {
		return err
	}
	leaf := path[len(path)-1].n
	i, found := leaf.search(key)

	r := record{version: version, vlen: uint64(len(value))}
	r.digest = t.h.sum(key, version, value)
	if slotSize+len(key)+len(value) <= t.maxRec {
		buf := make([]byte, len(key)+len(value))
		copy(buf, key)
		copy(buf[len(key):], value)
		r.key, r.value = buf[:len(key):len(key)], buf[len(key):]
	} else {
		r.key = append([]byte(nil), key...)
		if r.first, err = t.writeOverflow(value); err != nil {
			return err
		}
	}

	var delta Summary // change of the summary of every node on the path
	if found {
		old := leaf.recs[i]
		if old.spilled() {
			if err := t.freeOverflow(old.first, old.vlen); err != nil {
				return err
			}
		}
		leaf.setRec(i, r)
		delta.Digest = old.digest.Xor(r.digest)
	} else {
		leaf.insertRec(i, r)
		delta = Summary{Count: 1, Digest: r.digest}
	}
	appended := !found && i == len(leaf.recs)-1
	return t.applyDelta(path, delta, +1, appended)
}

// applyDelta adds (sign +1) or subtracts (sign -1) delta from the entries
// along path, marks the path dirty and restores the size invariants bottom
// up. appended tells that the leaf change was an insert at its right end.
func (t *Tree) applyDelta(path []step, delta Summary, sign int, appended bool) error {
	for k := range path {
		s := &path[k]
		t.markDirty(s.n)
		if !s.n.isLeaf() {
			e := s.n.ents[s.i]
			if sign > 0 {
				e.count += delta.Count
			} else {
				e.count -= delta.Count
			}
			s.n.setSummary(s.i, Summary{e.count, e.digest.Xor(delta.Digest)})
		}
	}
	return t.fixUp(path, appended)
}

// Delete removes the record with key and reports whether it existed.
func (t *Tree) Delete(key []byte) (bool, error) {
	if err := t.beginWrite(); err != nil {
		return false, err
	}
	found, err := t.del(key)
	if err == nil && !found {
		return false, nil // nothing changed
	}
	return found, t.endWrite(err)
}

// del does the work of Delete.
func (t *Tree) del(key []byte) (bool, error) {
	path, err := t.descend(key)
	if err != nil {
		return false, err
	}
	leaf := path[len(path)-1].n
	i, found := leaf.search(key)
	if !found {
		return false, nil
	}
	old := leaf.recs[i]
	if old.spilled() {
		if err := t.freeOverflow(old.first, old.vlen); err != nil {
			return true, err
		}
	}
	leaf.removeRec(i)
	return true, t.applyDelta(path, Summary{Count: 1, Digest: old.digest}, -1, false)
}

// Get returns the value and version of the record with key. The value is
// read-only. The record's digest is verified.
func (t *Tree) Get(key []byte) (value []byte, version uint64, ok bool, err error) {
	if err := t.beginRead(); err != nil {
		return nil, 0, false, err
	}
	p, err := t.readPage(t.root)
	if err != nil {
		return nil, 0, false, err
	}
	for !p.leaf() {
		i := p.childIndex(key)
		if err := p.check(); err != nil {
			return nil, 0, false, err
		}
		if p, err = t.childPage(&p, i); err != nil {
			return nil, 0, false, err
		}
	}
	i, found := p.search(key)
	if err := p.check(); err != nil {
		return nil, 0, false, err
	}
	if !found {
		return nil, 0, false, nil
	}
	value, version, err = t.verified(&p, i)
	if err != nil {
		return nil, 0, false, err
	}
	return value, version, true, nil
}

// verified returns the value and version of record i of leaf p after
// checking the record's digest (invariant 6).
func (t *Tree) verified(p *page, i int) ([]byte, uint64, error) {
	key := p.key(i)
	value, first, vlen, spilled := p.value(i)
	if err := p.check(); err != nil {
		return nil, 0, err
	}
	if spilled {
		if first == 0 || slotSize+len(key)+int(vlen) <= t.maxRec || vlen > MaxValueSize {
			return nil, 0, corruptf("block %d: record %d has a bad overflow reference", p.lba, i)
		}
		var err error
		if value, err = t.readOverflow(first, vlen); err != nil {
			return nil, 0, err
		}
	}
	version := p.version(i)
	if !t.noVerify && t.h.sum(key, version, value) != p.digest(i) {
		return nil, 0, corruptf("block %d: record %d (key %q): digest mismatch", p.lba, i, key)
	}
	return value, version, nil
}

// Len returns the number of records, or 0 if the root cannot be read (use
// Count(nil, nil) to see the error).
func (t *Tree) Len() uint64 {
	n, err := t.Count(nil, nil)
	if err != nil {
		return 0
	}
	return n
}
