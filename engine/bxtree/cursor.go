package bxtree

import (
	"bytes"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// Cursor walks the records of a Tree in key order, forward or backward,
// within the bounds [lo, hi) it was made with. It reads encoded blocks in
// place and keeps the path from the root to the current leaf.
//
// A Cursor belongs to its Tree's goroutine. Writes through the same Tree
// handle are noticed: the next Next or Prev repositions the cursor by key
// (so deleting the current record inside a loop is fine). Writes through
// any other handle, or in a nested transaction, leave the cursor stale:
// reposition it with First, Last, Seek or SeekLast.
//
// Records are verified when their leaf is loaded (see verify.go); the
// accessors read the current record in place. When a spilled value fails
// its digest check the accessors return nil, Valid turns false and Err
// reports the corruption.
//
// Invariant: a cursor with gen == t.gen stands on blocks that are current
// for its handle, and the handle has nothing to flush and no sticky error
// (positioning flushes, and every mutation, failed ones included, bumps
// t.gen), so Next and Prev check only gen before moving.
type Cursor struct {
	t      *Tree
	lo, hi []byte  // bounds; nil = unbounded
	stack  []frame // root first, leaf last
	valid  bool
	gen    uint64 // t.gen when positioned
	err    error

	loaded  bool // key, value and version hold the current record
	key     []byte
	value   []byte
	version uint64

	buf [5]frame // backing array of stack: no allocation up to height 5

	// Readahead of forward scans (see nextSibling): ahead[:aheadN] are the
	// leaves at indexes aheadLo, aheadLo+1, ... of the leaf's parent, block
	// aheadOf. crossed counts the leaves entered by Next since the last
	// seek; readahead starts at the second.
	ahead   [readahead]page
	aheadN  int
	aheadLo int
	aheadOf bedrock.LBA
	crossed int

	// Leaves of a kept level-1 page (read handles, see pnode) whose first
	// cache lines were touched: kids [.., touchedTo) of touchedOf.
	touchedOf *pnode
	touchedTo int
}

// readahead is the number of leaves a forward scan reads beyond the one it
// enters. Their first cache lines are then fetched together, so a scan
// waits for one such miss per readahead+1 leaves instead of one per leaf
// (at most readahead block reads are wasted when the scan stops).
const readahead = 3

// frame is one level of a cursor's path: a node and the index followed
// (internal) or the current record (leaf).
type frame struct {
	p  page
	i  int
	pn *pnode // p's kept node in a read handle, or nil
}

// Cursor returns a cursor over the whole tree, not yet positioned.
func (t *Tree) Cursor() *Cursor { return t.Range(nil, nil) }

// Range returns a cursor restricted to the keys [lo, hi) (nil = unbounded),
// not yet positioned. First is the first record >= lo and Last the last one
// < hi.
func (t *Tree) Range(lo, hi []byte) *Cursor {
	c := &Cursor{t: t, lo: lo, hi: hi}
	c.stack = c.buf[:0]
	return c
}

// Rebound restricts c to the keys [lo, hi) of its tree, as Range would,
// unpositioned, reusing c's memory: a caller probing many short ranges
// (a join's lookups) needs one cursor instead of one per range. Whatever
// Key and Value returned before stays valid.
func (c *Cursor) Rebound(lo, hi []byte) {
	*c = Cursor{t: c.t, lo: lo, hi: hi}
	c.stack = c.buf[:0]
}

// Valid reports whether the cursor stands on a record.
func (c *Cursor) Valid() bool { return c.valid && c.err == nil }

// Err returns the error that stopped the cursor, if any.
func (c *Cursor) Err() error { return c.err }

// First moves to the first record in bounds and reports Valid.
func (c *Cursor) First() bool { return c.seekGE(c.lo) }

// Last moves to the last record in bounds and reports Valid.
func (c *Cursor) Last() bool { return c.seekLT(c.hi) }

// Seek moves to the first record with key >= key (and in bounds) and
// reports Valid.
func (c *Cursor) Seek(key []byte) bool {
	if c.lo != nil && bytes.Compare(key, c.lo) < 0 {
		key = c.lo
	}
	return c.seekGE(key)
}

// SeekLast moves to the last record with key < key (nil: the last record),
// in bounds, and reports Valid. Together with Seek it walks half-open
// intervals backward: SeekLast(hi), Prev, ... .
func (c *Cursor) SeekLast(key []byte) bool {
	if c.hi != nil && (key == nil || bytes.Compare(key, c.hi) > 0) {
		key = c.hi
	}
	return c.seekLT(key)
}

// Next moves to the following record and reports Valid.
func (c *Cursor) Next() bool {
	if !c.valid { // fail clears valid too
		return false
	}
	if c.gen != c.t.gen {
		return c.nextSlow()
	}
	f := &c.stack[len(c.stack)-1]
	if f.i+1 < f.p.n {
		f.i++
		return c.settle(f, true)
	}
	return c.nextLeaf()
}

// nextSlow is Next after writes through the handle: it repositions by key
// at the successor of the current key (seekGE flushes a deferred dirty
// set).
func (c *Cursor) nextSlow() bool {
	k := c.curKey()
	if !c.seekGE(k) || !bytes.Equal(c.curKey(), k) {
		return c.Valid()
	}
	f := &c.stack[len(c.stack)-1]
	if f.i+1 < f.p.n {
		f.i++
		return c.settle(f, true)
	}
	return c.nextLeaf()
}

// nextLeaf moves to the first record of the next leaf: the leaf's next
// sibling, or else the leftmost leaf under the first ancestor with a next
// child.
func (c *Cursor) nextLeaf() bool {
	if top := len(c.stack) - 1; top >= 1 {
		if pf := &c.stack[top-1]; pf.i+1 < pf.p.n {
			pf.i++
			return c.nextSibling(pf, top)
		}
	}
	for l := len(c.stack) - 3; l >= 0; l-- {
		f := &c.stack[l]
		if f.i+1 < f.p.n {
			f.i++
			return c.descendEdge(l, true)
		}
	}
	return c.end()
}

// nextSibling enters leaf pf.i of the leaf's parent frame pf (at stack
// index top-1): from the readahead buffer when it holds it, else by
// reading it and, from the second leaf a scan enters on, the next
// readahead leaves too.
func (c *Cursor) nextSibling(pf *frame, top int) bool {
	c.crossed++
	if pn := pf.pn; pn != nil && pn.kids != nil {
		if k := &pn.kids[pf.i]; k.p.b != nil {
			c.t.stats.BlockReads++
			c.t.stats.CacheHits++
			if c.crossed >= 2 && (pn != c.touchedOf || pf.i >= c.touchedTo) {
				c.touchAhead(pn, pf.i)
			}
			c.stack[top] = frame{p: k.p, pn: k}
			return c.settle(&c.stack[top], true)
		}
	}
	if k := pf.i - c.aheadLo; k >= 0 && k < c.aheadN && c.aheadOf == pf.p.lba {
		c.stack[top] = frame{p: c.ahead[k]}
		return c.settle(&c.stack[top], true)
	}
	want := 1
	if c.crossed >= 2 {
		want = min(1+readahead, pf.p.n-pf.i)
	}
	var leaves [1 + readahead]page
	got, err := c.t.readLeaves(&pf.p, pf.i, leaves[:want])
	if err != nil {
		return c.fail(err)
	}
	c.stack[top] = frame{p: leaves[0]}
	if pf.pn != nil {
		c.stack[top].pn = c.t.keepLeaves(pf.pn, pf.i, leaves[:got])
	}
	c.aheadN = copy(c.ahead[:], leaves[1:got])
	c.aheadLo, c.aheadOf = pf.i+1, pf.p.lba
	if c.stack[top].pn != nil {
		c.touchedOf, c.touchedTo = pf.pn, pf.i+got // touched just now
	}
	return c.settle(&c.stack[top], true)
}

// touchAhead loads the first cache line of the kept leaves i, i+1, ...,
// i+readahead of pn together, so that a scan entering them waits for one
// such miss per readahead+1 leaves (as readLeaves does for leaves it reads).
func (c *Cursor) touchAhead(pn *pnode, i int) {
	end := min(i+1+readahead, len(pn.kids))
	var x byte
	for j := i; j < end; j++ {
		if b := pn.kids[j].p.b; len(b) > 0 {
			x |= b[0]
		}
	}
	c.t.sink = x
	c.touchedOf, c.touchedTo = pn, end
}

// Prev moves to the preceding record and reports Valid.
func (c *Cursor) Prev() bool {
	if !c.Valid() {
		return false
	}
	if c.gen != c.t.gen {
		return c.seekLT(c.curKey())
	}
	top := len(c.stack) - 1
	if f := &c.stack[top]; f.i > 0 {
		f.i--
		return c.settle(f, false)
	}
	for l := top - 1; l >= 0; l-- {
		f := &c.stack[l]
		if f.i > 0 {
			f.i--
			return c.descendEdge(l, false)
		}
	}
	return c.end()
}

// Key returns the current record's key (read-only), or nil.
func (c *Cursor) Key() []byte {
	if c.loaded {
		return c.key
	}
	if !c.load() {
		return nil
	}
	return c.key
}

// Value returns the current record's value (read-only), or nil.
func (c *Cursor) Value() []byte {
	if c.loaded {
		return c.value
	}
	if !c.load() {
		return nil
	}
	return c.value
}

// Version returns the current record's version, or 0.
func (c *Cursor) Version() uint64 {
	if c.loaded {
		return c.version
	}
	if !c.load() {
		return 0
	}
	return c.version
}

// Digest returns the current record's stored digest (the digests Summary
// combines), or the zero Digest.
func (c *Cursor) Digest() Digest {
	if !c.Valid() {
		return Digest{}
	}
	f := &c.stack[len(c.stack)-1]
	return f.p.digest(f.i)
}

// load reads the current record, for positions settle left unloaded (a
// spilled value, read from its chain and verified here).
func (c *Cursor) load() bool {
	if !c.Valid() {
		return false
	}
	f := &c.stack[len(c.stack)-1]
	k, v, ver, err := c.t.recordAt(&f.p, f.i)
	if err != nil {
		return c.fail(err)
	}
	c.key, c.value, c.version, c.loaded = k, v, ver, true
	return true
}

// fail stops the cursor with err.
func (c *Cursor) fail(err error) bool {
	c.err, c.valid, c.loaded = err, false, false
	return false
}

// end stops the cursor past the first or last record.
func (c *Cursor) end() bool {
	c.valid, c.loaded = false, false
	return false
}

// curKey returns the current record's key.
func (c *Cursor) curKey() []byte {
	f := &c.stack[len(c.stack)-1]
	return f.p.key(f.i)
}

// childIndex is f.p.childIndex, through the kept node when f has one.
func (c *Cursor) childIndex(f *frame, key []byte) int {
	if f.pn != nil {
		return c.t.childIndex(f.pn, key)
	}
	return f.p.childIndex(key)
}

// seekGE positions at the first record >= key (nil: the first record) and
// within bounds.
func (c *Cursor) seekGE(key []byte) bool {
	if !c.reset() {
		return false
	}
	f := &c.stack[0]
	for !f.p.leaf() {
		if key != nil {
			f.i = c.childIndex(f, key)
		}
		if f = c.push(f, key != nil); f == nil {
			return false
		}
	}
	if key != nil {
		f.i, _ = f.p.search(key)
	}
	if f.i < f.p.n {
		return c.settle(f, true)
	}
	// Past the end of this leaf: the next record is in the next leaf.
	c.valid = true
	f.i = max(f.p.n-1, 0)
	return c.nextLeaf()
}

// seekLT positions at the last record < key (nil: the last record) and
// within bounds.
func (c *Cursor) seekLT(key []byte) bool {
	if !c.reset() {
		return false
	}
	f := &c.stack[0]
	for !f.p.leaf() {
		f.i = f.p.n - 1
		if key != nil {
			f.i = c.childIndex(f, key)
		}
		if f = c.push(f, key != nil); f == nil {
			return false
		}
	}
	j := f.p.n
	if key != nil {
		j, _ = f.p.search(key)
	}
	if j > 0 {
		f.i = j - 1
		return c.settle(f, false)
	}
	for l := len(c.stack) - 2; l >= 0; l-- {
		g := &c.stack[l]
		if g.i > 0 {
			g.i--
			return c.descendEdge(l, false)
		}
	}
	return c.end()
}

// reset clears the position and pushes the root (index 0).
func (c *Cursor) reset() bool {
	c.stack, c.valid, c.loaded, c.err = c.stack[:0], false, false, nil
	c.aheadN, c.crossed, c.touchedOf = 0, 0, nil
	c.gen = c.t.gen
	if err := c.t.beginRead(); err != nil {
		return c.fail(err)
	}
	pn, err := c.t.cachedRoot()
	if err != nil {
		return c.fail(err)
	}
	if pn != nil {
		c.stack = append(c.stack, frame{p: pn.p, pn: pn})
		return true
	}
	p, err := c.t.rootView()
	if err != nil {
		return c.fail(err)
	}
	c.stack = append(c.stack, frame{p: p})
	return true
}

// push reads the child of f (the top frame) at f.i and appends it with
// index 0, returning the new top frame, or nil after failing the cursor.
// fetch is childPage's: set by seeks, which binary-search the leaf.
func (c *Cursor) push(f *frame, fetch bool) *frame {
	var ch page
	var pn *pnode
	var err error
	if f.pn != nil {
		ch, pn, err = c.t.kid(f.pn, f.i, fetch)
	} else {
		ch, err = c.t.childPage(&f.p, f.i, fetch)
	}
	if err != nil {
		c.fail(err)
		return nil
	}
	if ch.n == 0 {
		c.fail(corruptf("block %d: empty non-root node", ch.lba))
		return nil
	}
	c.stack = append(c.stack, frame{p: ch, pn: pn})
	return &c.stack[len(c.stack)-1]
}

// descendEdge truncates the path below level l (whose index was just
// moved) and descends to the leftmost (forward) or rightmost record.
func (c *Cursor) descendEdge(l int, forward bool) bool {
	c.stack = c.stack[:l+1]
	f := &c.stack[l]
	for !f.p.leaf() {
		if f = c.push(f, false); f == nil {
			return false
		}
		if !forward {
			f.i = f.p.n - 1
		}
	}
	return c.settle(f, forward)
}

// settle finishes a move onto record f.i of the leaf frame f (the top of
// the path): it reads the record in place (an inline one is ready for the
// accessors at once; a spilled one waits for load) and checks the bound
// the move approaches.
func (c *Cursor) settle(f *frame, forward bool) bool {
	c.valid = true
	b := f.p.b
	s := b[headerSize+slotSize*f.i : headerSize+slotSize*(f.i+1)]
	off, kl, vl := le16(s[24:]), le16(s[26:]), le16(s[28:])
	o := off + kl
	c.key, c.loaded = b[off:o:o], false
	if vl != spilledVlen {
		c.value, c.version, c.loaded = b[o:o+vl:o+vl], le64(s), true
	}
	if forward {
		if c.hi != nil && bytes.Compare(c.key, c.hi) >= 0 {
			return c.end()
		}
	} else if c.lo != nil && bytes.Compare(c.key, c.lo) < 0 {
		return c.end()
	}
	return true
}
