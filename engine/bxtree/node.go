package bxtree

import (
	"bytes"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// node is a decoded, mutable leaf or internal node of a write transaction.
// Keys, inline values and separators are slices that are never modified in
// place: they alias immutable blocks or private copies made by Put, so
// moving them between nodes is free. size is the exact encoded length,
// maintained by every mutator.
//
// A leaf may also be a view: its records are not decoded (recs is nil) and
// enc is its exact image, read in place. Loading a leaf makes a view; an
// eager Put or Delete edits a view by splicing one record into or out of a
// new image (spliceLeaf), which costs one copy of the block instead of
// decoding and re-encoding every record; any other change decodes the
// leaf first (materialize).
type node struct {
	lba   bedrock.LBA
	level int      // 0 for leaves
	recs  []record // leaf records, by key (nil for a view)
	ents  []entry  // internal entries, by separator
	size  int      // encoded length in bytes
	view  bool     // a leaf read in place from enc (see above)

	// enc is the block image n was decoded from or last flushed as, while
	// n's layout still matches it (nil after any other change); patched
	// lists the internal entries whose count and digest changed since.
	// Flush then copies enc and patches 24 bytes per entry instead of
	// encoding the node, which is what most nodes on a Put's path need.
	// unwritten tells that enc is a spliced image flush has not yet
	// handed to Tx.Put.
	enc       []byte
	patched   []int
	unwritten bool
}

// record is one leaf record.
type record struct {
	key     []byte
	value   []byte      // inline value; nil when spilled
	first   bedrock.LBA // first overflow block when spilled, else 0
	vlen    uint64      // value length
	version uint64
	digest  Digest
}

// entry is one internal entry.
type entry struct {
	sep    []byte // separator; empty for entry 0
	child  bedrock.LBA
	count  uint64
	digest Digest
}

// spilled reports whether r's value lives in an overflow chain.
func (r *record) spilled() bool { return r.first != 0 }

// encSize returns the number of bytes r takes in a leaf (slot and heap).
func (r *record) encSize() int {
	if r.spilled() {
		return slotSize + len(r.key) + ovfRefSize
	}
	return slotSize + len(r.key) + len(r.value)
}

// encSize returns the number of bytes e takes in an internal node.
func (e *entry) encSize() int { return entrySize + len(e.sep) }

// newLeaf returns an empty leaf for block lba.
func newLeaf(lba bedrock.LBA) *node { return &node{lba: lba, size: headerSize} }

// isLeaf reports whether n is a leaf.
func (n *node) isLeaf() bool { return n.level == 0 }

// len returns the number of records or entries.
func (n *node) len() int {
	if n.isLeaf() {
		if n.view {
			return le16(n.enc[4:])
		}
		return len(n.recs)
	}
	return len(n.ents)
}

// elemSize returns the encoded size of record or entry i.
func (n *node) elemSize(i int) int {
	if n.isLeaf() {
		return n.recs[i].encSize()
	}
	return n.ents[i].encSize()
}

// summary returns the count and XOR digest of all records under n.
func (n *node) summary() Summary {
	var s Summary
	if n.view {
		p := viewPage(n.lba, n.enc)
		return p.total()
	}
	if n.isLeaf() {
		s.Count = uint64(len(n.recs))
		for i := range n.recs {
			s.Digest = s.Digest.Xor(n.recs[i].digest)
		}
		return s
	}
	for i := range n.ents {
		s.Count += n.ents[i].count
		s.Digest = s.Digest.Xor(n.ents[i].digest)
	}
	return s
}

// search returns the index of the first record with key >= k and whether it
// equals k (leaves only).
func (n *node) search(k []byte) (int, bool) {
	if n.view {
		p := viewPage(n.lba, n.enc)
		return p.search(k)
	}
	lo, hi := 0, len(n.recs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bytes.Compare(n.recs[m].key, k) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(n.recs) && bytes.Equal(n.recs[lo].key, k)
}

// childIndex returns the entry whose child covers k (internal nodes only).
func (n *node) childIndex(k []byte) int {
	lo, hi := 1, len(n.ents)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bytes.Compare(n.ents[m].sep, k) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// rec returns leaf record i (of a view or a decoded leaf).
func (n *node) rec(i int) record {
	if n.view {
		p := viewPage(n.lba, n.enc)
		return p.rec(i)
	}
	return n.recs[i]
}

// rec decodes leaf record i of p. The slices alias p's block.
func (p *page) rec(i int) record {
	var r record
	var inline []byte
	r.key, inline, r.first, r.vlen, _ = p.record(i)
	if r.first == 0 {
		r.value = inline
	}
	r.version = p.version(i)
	r.digest = p.digest(i)
	return r
}

// materialize decodes the records of a view, so that n can be changed in
// any way. enc stays: the layout still matches it.
func (n *node) materialize() {
	if !n.view {
		return
	}
	p := viewPage(n.lba, n.enc)
	n.recs = make([]record, p.n, p.n+1) // room for one insert
	for i := range n.recs {
		n.recs[i] = p.rec(i)
	}
	n.view = false
}

// toView turns a leaf whose enc is current into a view, dropping its
// decoded records.
func (n *node) toView() {
	if n.isLeaf() && n.enc != nil && len(n.enc) == n.size && len(n.enc) >= headerSize {
		n.recs, n.view = nil, true
	}
}

// splice replaces records [i, j) of view n by r (nil: by nothing) in a new
// image that flush will write as is.
func (n *node) splice(i, j int, r *record) {
	n.enc = spliceLeaf(n.enc, i, j, r)
	n.size, n.unwritten = len(n.enc), true
}

// touch records that n's layout changed, so flush must encode it whole.
// Every mutator other than setSummary calls it; n must not be a view.
func (n *node) touch() {
	if n.view {
		panic("bxtree: touching a leaf view")
	}
	n.enc = nil
	n.patched = n.patched[:0]
	n.unwritten = false
}

// image returns the block image of n for Tx.Put (a fresh slice), or nil
// when n is unchanged since enc.
func (n *node) image() []byte {
	switch {
	case n.enc == nil:
		return n.encode()
	case n.unwritten:
		return n.enc
	case len(n.patched) == 0:
		return nil
	}
	b := append([]byte(nil), n.enc...)
	for _, i := range n.patched {
		e := b[headerSize+entrySize*i:]
		put64(e[8:], n.ents[i].count)
		copy(e[16:32], n.ents[i].digest[:])
	}
	return b
}

// insertRec inserts r at index i of a leaf.
func (n *node) insertRec(i int, r record) {
	n.touch()
	n.recs = append(n.recs, record{})
	copy(n.recs[i+1:], n.recs[i:])
	n.recs[i] = r
	n.size += r.encSize()
}

// setRec replaces leaf record i by r.
func (n *node) setRec(i int, r record) {
	n.touch()
	n.size += r.encSize() - n.recs[i].encSize()
	n.recs[i] = r
}

// removeRec deletes leaf record i.
func (n *node) removeRec(i int) {
	n.touch()
	n.size -= n.recs[i].encSize()
	copy(n.recs[i:], n.recs[i+1:])
	n.recs[len(n.recs)-1] = record{}
	n.recs = n.recs[:len(n.recs)-1]
}

// insertEnt inserts e at index i of an internal node.
func (n *node) insertEnt(i int, e entry) {
	n.touch()
	n.ents = append(n.ents, entry{})
	copy(n.ents[i+1:], n.ents[i:])
	n.ents[i] = e
	n.size += e.encSize()
}

// removeEnt deletes internal entry i.
func (n *node) removeEnt(i int) {
	n.touch()
	n.size -= n.ents[i].encSize()
	copy(n.ents[i:], n.ents[i+1:])
	n.ents[len(n.ents)-1] = entry{}
	n.ents = n.ents[:len(n.ents)-1]
}

// setSep replaces the separator of internal entry i.
func (n *node) setSep(i int, sep []byte) {
	n.touch()
	n.size += len(sep) - len(n.ents[i].sep)
	n.ents[i].sep = sep
}

// setSummary stores s as the count and digest of internal entry i.
func (n *node) setSummary(i int, s Summary) {
	n.ents[i].count = s.Count
	n.ents[i].digest = s.Digest
	switch {
	case n.enc == nil:
	case len(n.patched) > len(n.ents)/4:
		n.touch() // encoding beats patching by now
	case len(n.patched) == 0 || n.patched[len(n.patched)-1] != i:
		n.patched = append(n.patched, i)
	}
}

// encode returns the block image of n: exactly n.size bytes, freshly
// allocated (the caller hands it to Tx.Put, which takes ownership).
func (n *node) encode() []byte {
	b := make([]byte, n.size)
	b[0] = formatV1
	b[2] = byte(n.level)
	if n.isLeaf() {
		b[1] = kindLeaf
		put16(b[4:], len(n.recs))
		off := headerSize + slotSize*len(n.recs)
		for i := range n.recs {
			r := &n.recs[i]
			s := b[headerSize+slotSize*i:]
			put64(s, r.version)
			copy(s[8:24], r.digest[:])
			put16(s[24:], off)
			put16(s[26:], len(r.key))
			off += copy(b[off:], r.key)
			if r.spilled() {
				put16(s[28:], spilledVlen)
				put64(b[off:], uint64(r.first))
				put64(b[off+8:], r.vlen)
				off += ovfRefSize
			} else {
				put16(s[28:], len(r.value))
				off += copy(b[off:], r.value)
			}
		}
		if off != n.size {
			panic("bxtree: leaf size out of sync")
		}
		return b
	}
	b[1] = kindInternal
	put16(b[4:], len(n.ents))
	off := headerSize + entrySize*len(n.ents)
	for i := range n.ents {
		e := &n.ents[i]
		s := b[headerSize+entrySize*i:]
		put64(s, uint64(e.child))
		put64(s[8:], e.count)
		copy(s[16:32], e.digest[:])
		put16(s[32:], off)
		put16(s[34:], len(e.sep))
		off += copy(b[off:], e.sep)
	}
	if off != n.size {
		panic("bxtree: internal node size out of sync")
	}
	return b
}

// decodeNode fully validates block b (checkNode, without digests), stored
// at lba in a store with the given payload size, and decodes it. The result
// aliases b. It never panics, whatever b holds.
func decodeNode(lba bedrock.LBA, b []byte, payload int) (*node, error) {
	if why := checkNode(b, payload, nil); why != "" {
		return nil, corruptf("block %d: %s", lba, why)
	}
	p := viewPage(lba, b)
	n := &node{lba: lba, level: int(p.level), size: len(b), enc: b}
	if len(b) == 0 {
		n.size, n.enc = headerSize, nil
		return n, nil
	}
	if p.leaf() {
		n.view = true
		n.materialize()
		return n, nil
	}
	n.ents = make([]entry, p.n, p.n+1)
	for i := range n.ents {
		e := &n.ents[i]
		e.sep = p.sep(i)
		e.child = p.child(i)
		e.count = p.count(i)
		e.digest = p.entryDigest(i)
		if e.child == lba {
			return nil, corruptf("block %d: entry %d points to its own block", lba, i)
		}
	}
	return n, nil
}
