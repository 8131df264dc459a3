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
// A node may also be a view: its records or entries are not decoded (recs
// and ents are nil) and enc is its exact image, read in place. Loading a
// node makes a view. An eager Put or Delete edits a leaf view by splicing
// one record into or out of a new image (spliceLeaf), which costs one copy
// of the block instead of decoding and re-encoding every record. A change
// of an internal view's counts and digests (setSummary) patches them in a
// private copy of its image, made once per flush. Any other change decodes
// the node first (materialize, called by touch).
type node struct {
	lba   bedrock.LBA
	level int      // 0 for leaves
	recs  []record // leaf records, by key (nil for a view)
	ents  []entry  // internal entries, by separator
	size  int      // encoded length in bytes
	view  bool     // read in place from enc (see above)

	// enc is the block image n was decoded from or last flushed as, while
	// n's layout still matches it (nil after any other change). unwritten
	// tells that enc is a private image (a spliced leaf, or an internal
	// view whose counts and digests were patched) that flush has not yet
	// handed to Tx.Put: flush writes it as is, and setSummary patches it in
	// place until then. Once handed over, enc is never modified again.
	enc       []byte
	unwritten bool
	splices   uint8 // splices since the last flush (see editLeaf)
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
	switch {
	case n.view:
		return le16(n.enc[4:])
	case n.isLeaf():
		return len(n.recs)
	}
	return len(n.ents)
}

// child returns the block of internal entry i's child.
func (n *node) child(i int) bedrock.LBA {
	if n.view {
		return bedrock.LBA(le64(n.enc[headerSize+entrySize*i:]))
	}
	return n.ents[i].child
}

// sep returns the separator of internal entry i (empty for entry 0).
func (n *node) sep(i int) []byte {
	if n.view {
		p := viewPage(n.lba, n.enc)
		return p.sep(i)
	}
	return n.ents[i].sep
}

// entSummary returns the count and digest of internal entry i.
func (n *node) entSummary(i int) Summary {
	if n.view {
		e := n.enc[headerSize+entrySize*i : headerSize+entrySize*(i+1)]
		return Summary{le64(e[8:]), Digest(e[16:32])}
	}
	return Summary{n.ents[i].count, n.ents[i].digest}
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
		if cmpKey(n.recs[m].key, k) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(n.recs) && bytes.Equal(n.recs[lo].key, k)
}

// childIndex returns the entry whose child covers k (internal nodes only).
func (n *node) childIndex(k []byte) int {
	if n.view {
		p := viewPage(n.lba, n.enc)
		return p.childIndex(k)
	}
	lo, hi := 1, len(n.ents)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if cmpKey(n.ents[m].sep, k) <= 0 {
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

// materialize decodes the records or entries of a view, so that n can be
// changed in any way. enc stays: the layout still matches it. Decoded
// keys and separators alias enc, whose bytes outside the counts and
// digests of entries are never modified.
func (n *node) materialize() {
	if !n.view {
		return
	}
	p := viewPage(n.lba, n.enc)
	if p.leaf() {
		n.recs = make([]record, p.n, p.n+1) // room for one insert
		for i := range n.recs {
			n.recs[i] = p.rec(i)
		}
	} else {
		n.ents = make([]entry, p.n, p.n+1)
		for i := range n.ents {
			n.ents[i] = p.decodeEntry(i)
		}
	}
	n.view = false
}

// toView turns a node whose enc is current into a view, dropping its
// decoded records or entries.
func (n *node) toView() {
	if n.enc != nil && len(n.enc) == n.size && len(n.enc) >= headerSize {
		n.recs, n.ents, n.view = nil, nil, true
	}
}

// splice replaces records [i, j) of view n by r (nil: by nothing) in a new
// image that flush will write as is.
func (n *node) splice(i, j int, r *record) {
	n.enc = spliceLeaf(n.enc, i, j, r)
	n.size, n.unwritten = len(n.enc), true
}

// touch records that n's layout changed, so flush must encode it whole.
// Every mutator other than setSummary calls it; it decodes a view first.
func (n *node) touch() {
	n.materialize()
	n.enc = nil
	n.unwritten = false
}

// image returns the block image of n for Tx.Put (a slice Tx.Put may own),
// or nil when n is unchanged since enc.
func (n *node) image() []byte {
	switch {
	case n.enc == nil:
		return n.encode()
	case n.unwritten:
		return n.enc
	}
	return nil
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

// setSummary stores s as the count and digest of internal entry i. A view
// is patched in its private image, copied from enc first if enc may be
// shared (a block of the transaction, or already handed to Tx.Put).
func (n *node) setSummary(i int, s Summary) {
	if !n.view {
		n.ents[i].count = s.Count
		n.ents[i].digest = s.Digest
		n.enc, n.unwritten = nil, false // flush encodes n
		return
	}
	if !n.unwritten {
		n.enc = bytes.Clone(n.enc)
		n.unwritten = true
	}
	e := n.enc[headerSize+entrySize*i : headerSize+entrySize*(i+1)]
	put64(e[8:], s.Count)
	copy(e[16:32], s.Digest[:])
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
		*e = p.decodeEntry(i)
		if e.child == lba {
			return nil, corruptf("block %d: entry %d points to its own block", lba, i)
		}
	}
	return n, nil
}
