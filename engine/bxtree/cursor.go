package bxtree

import (
	"bytes"
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
// The accessors verify the current record's digest the first time one of
// them is called for a position; on a mismatch they return nil, Valid
// turns false and Err reports the corruption.
type Cursor struct {
	t      *Tree
	lo, hi []byte  // bounds; nil = unbounded
	stack  []frame // root first, leaf last
	valid  bool
	gen    uint64 // t.gen when positioned
	err    error

	loaded  bool // key, value and version hold the verified record
	key     []byte
	value   []byte
	version uint64
}

// frame is one level of a cursor's path: a node and the index followed
// (internal) or the current record (leaf).
type frame struct {
	p page
	i int
}

// Cursor returns a cursor over the whole tree, not yet positioned.
func (t *Tree) Cursor() *Cursor { return &Cursor{t: t} }

// Range returns a cursor restricted to the keys [lo, hi) (nil = unbounded),
// not yet positioned. First is the first record >= lo and Last the last one
// < hi.
func (t *Tree) Range(lo, hi []byte) *Cursor { return &Cursor{t: t, lo: lo, hi: hi} }

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
	if !c.Valid() {
		return false
	}
	if c.gen != c.t.gen {
		// The tree changed under the cursor: find the successor by key.
		k := c.curKey()
		if !c.seekGE(k) || !bytes.Equal(c.curKey(), k) {
			return c.Valid()
		}
	}
	if err := c.t.beginRead(); err != nil {
		return c.fail(err)
	}
	top := len(c.stack) - 1
	if c.stack[top].i+1 < c.stack[top].p.n {
		c.stack[top].i++
		return c.settle(true)
	}
	// Climb to the first ancestor with a next child, then go down leftmost.
	for l := top - 1; l >= 0; l-- {
		f := &c.stack[l]
		if f.i+1 < f.p.n {
			f.i++
			return c.descendEdge(l, true)
		}
	}
	c.valid = false
	return false
}

// Prev moves to the preceding record and reports Valid.
func (c *Cursor) Prev() bool {
	if !c.Valid() {
		return false
	}
	if c.gen != c.t.gen {
		return c.seekLT(c.curKey())
	}
	if err := c.t.beginRead(); err != nil {
		return c.fail(err)
	}
	top := len(c.stack) - 1
	if c.stack[top].i > 0 {
		c.stack[top].i--
		return c.settle(false)
	}
	for l := top - 1; l >= 0; l-- {
		f := &c.stack[l]
		if f.i > 0 {
			f.i--
			return c.descendEdge(l, false)
		}
	}
	c.valid = false
	return false
}

// Key returns the current record's key (read-only), or nil.
func (c *Cursor) Key() []byte {
	if !c.load() {
		return nil
	}
	return c.key
}

// Value returns the current record's value (read-only), or nil.
func (c *Cursor) Value() []byte {
	if !c.load() {
		return nil
	}
	return c.value
}

// Version returns the current record's version, or 0.
func (c *Cursor) Version() uint64 {
	if !c.load() {
		return 0
	}
	return c.version
}

// Digest returns the current record's stored digest (not verified; the
// digests Summary combines), or the zero Digest.
func (c *Cursor) Digest() Digest {
	if !c.Valid() {
		return Digest{}
	}
	f := &c.stack[len(c.stack)-1]
	return f.p.digest(f.i)
}

// load verifies and caches the current record once per position.
func (c *Cursor) load() bool {
	if !c.Valid() {
		return false
	}
	if c.loaded {
		return true
	}
	f := &c.stack[len(c.stack)-1]
	v, ver, err := c.t.verified(&f.p, f.i)
	if err != nil {
		return c.fail(err)
	}
	c.key, c.value, c.version, c.loaded = f.p.key(f.i), v, ver, true
	return true
}

// fail stops the cursor with err.
func (c *Cursor) fail(err error) bool {
	c.err, c.valid = err, false
	return false
}

// curKey returns the current record's key without verification.
func (c *Cursor) curKey() []byte {
	f := &c.stack[len(c.stack)-1]
	return f.p.key(f.i)
}

// seekGE positions at the first record >= key (nil: the first record) and
// within bounds.
func (c *Cursor) seekGE(key []byte) bool {
	if !c.reset() {
		return false
	}
	p := c.stack[0].p
	for !p.leaf() {
		i := 0
		if key != nil {
			i = p.childIndex(key)
		}
		c.stack[len(c.stack)-1].i = i
		if !c.push(&p, i) {
			return false
		}
		p = c.stack[len(c.stack)-1].p
	}
	i := 0
	if key != nil {
		i, _ = p.search(key)
	}
	c.stack[len(c.stack)-1].i = i
	if i < p.n {
		return c.settle(true)
	}
	// Past the end of this leaf: the next record is in the next leaf.
	c.valid = true
	c.stack[len(c.stack)-1].i = p.n - 1
	if p.n == 0 {
		c.stack[len(c.stack)-1].i = 0
	}
	for l := len(c.stack) - 2; l >= 0; l-- {
		f := &c.stack[l]
		if f.i+1 < f.p.n {
			f.i++
			return c.descendEdge(l, true)
		}
	}
	c.valid = false
	return false
}

// seekLT positions at the last record < key (nil: the last record) and
// within bounds.
func (c *Cursor) seekLT(key []byte) bool {
	if !c.reset() {
		return false
	}
	p := c.stack[0].p
	for !p.leaf() {
		i := p.n - 1
		if key != nil {
			i = p.childIndex(key)
		}
		c.stack[len(c.stack)-1].i = i
		if !c.push(&p, i) {
			return false
		}
		p = c.stack[len(c.stack)-1].p
	}
	j := p.n
	if key != nil {
		j, _ = p.search(key)
	}
	if j > 0 {
		c.stack[len(c.stack)-1].i = j - 1
		return c.settle(false)
	}
	c.stack[len(c.stack)-1].i = 0
	for l := len(c.stack) - 2; l >= 0; l-- {
		f := &c.stack[l]
		if f.i > 0 {
			f.i--
			return c.descendEdge(l, false)
		}
	}
	c.valid = false
	return false
}

// reset clears the position and pushes the root.
func (c *Cursor) reset() bool {
	c.stack, c.valid, c.loaded, c.err = c.stack[:0], false, false, nil
	c.gen = c.t.gen
	if err := c.t.beginRead(); err != nil {
		return c.fail(err)
	}
	p, err := c.t.readPage(c.t.root)
	if err != nil {
		return c.fail(err)
	}
	c.stack = append(c.stack, frame{p: p})
	return true
}

// push reads child i of p and appends it to the path.
func (c *Cursor) push(p *page, i int) bool {
	if err := p.check(); err != nil {
		return c.fail(err)
	}
	ch, err := c.t.childPage(p, i)
	if err != nil {
		return c.fail(err)
	}
	if ch.n == 0 {
		return c.fail(corruptf("block %d: empty non-root node", ch.lba))
	}
	c.stack = append(c.stack, frame{p: ch})
	return true
}

// descendEdge truncates the path below level l (whose index was just
// moved) and descends to the leftmost (forward) or rightmost record.
func (c *Cursor) descendEdge(l int, forward bool) bool {
	c.stack = c.stack[:l+1]
	for {
		f := &c.stack[len(c.stack)-1]
		if f.p.leaf() {
			return c.settle(forward)
		}
		p := f.p
		if !c.push(&p, f.i) {
			return false
		}
		g := &c.stack[len(c.stack)-1]
		if forward {
			g.i = 0
		} else {
			g.i = g.p.n - 1
		}
	}
}

// settle finishes a move onto the leaf record at the top of the path:
// checks bounds and the page, and drops the cached record.
func (c *Cursor) settle(forward bool) bool {
	c.loaded, c.valid = false, true
	c.gen = c.t.gen
	f := &c.stack[len(c.stack)-1]
	k := f.p.key(f.i)
	if err := f.p.check(); err != nil {
		return c.fail(err)
	}
	if forward && c.hi != nil && bytes.Compare(k, c.hi) >= 0 ||
		!forward && c.lo != nil && bytes.Compare(k, c.lo) < 0 {
		c.valid = false
	}
	return c.valid
}
