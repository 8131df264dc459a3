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
type node struct {
	lba   bedrock.LBA
	level int      // 0 for leaves
	recs  []record // leaf records, by key
	ents  []entry  // internal entries, by separator
	size  int      // encoded length in bytes

	// enc is the block image n was decoded from or last flushed as, while
	// n's layout still matches it (nil after any other change); patched
	// lists the internal entries whose count and digest changed since.
	// Flush then copies enc and patches 24 bytes per entry instead of
	// encoding the node, which is what most nodes on a Put's path need.
	enc     []byte
	patched []int
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

// touch records that n's layout changed, so flush must encode it whole.
// Every mutator other than setSummary calls it.
func (n *node) touch() {
	n.enc = nil
	n.patched = n.patched[:0]
}

// image returns the block image of n for Tx.Put (a fresh slice), or nil
// when n is unchanged since enc.
func (n *node) image() []byte {
	if n.enc == nil {
		return n.encode()
	}
	if len(n.patched) == 0 {
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

// firstKey returns the smallest key directly in n: the first record's key
// for a leaf (n must be non-empty), nil for an internal node.
func (n *node) firstKey() []byte {
	if n.isLeaf() {
		return n.recs[0].key
	}
	return nil
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

// decodeNode fully validates block b, stored at lba in a store with the
// given payload size, and decodes it. The result aliases b. It never panics,
// whatever b holds.
func decodeNode(lba bedrock.LBA, b []byte, payload int) (*node, error) {
	p, err := parsePage(lba, b)
	if err != nil {
		return nil, err
	}
	if len(b) > payload {
		return nil, corruptf("block %d: %d bytes exceed the payload size %d", lba, len(b), payload)
	}
	if len(b) == 0 {
		return newLeaf(lba), nil
	}
	if b[3] != 0 || b[6] != 0 || b[7] != 0 {
		return nil, corruptf("block %d: reserved header bytes are not zero", lba)
	}
	maxKey, maxRec := MaxKeySize(payload), MaxRecordSize(payload)
	n := &node{lba: lba, level: p.level, size: len(b), enc: b}
	if p.leaf() {
		n.recs = make([]record, p.n, p.n+1) // room for one insert
		off := headerSize + slotSize*p.n
		for i := range n.recs {
			s := p.slot(i)
			r := &n.recs[i]
			if le16(s[24:]) != off {
				return nil, corruptf("block %d: record %d at offset %d, want %d", lba, i, le16(s[24:]), off)
			}
			kl, vl := le16(s[26:]), le16(s[28:])
			if kl > maxKey {
				return nil, corruptf("block %d: record %d key of %d bytes exceeds %d", lba, i, kl, maxKey)
			}
			r.version = le64(s)
			copy(r.digest[:], s[8:24])
			if off+kl > len(b) {
				return nil, corruptf("block %d: record %d key overruns the block", lba, i)
			}
			r.key = b[off : off+kl : off+kl]
			off += kl
			if vl == spilledVlen {
				if off+ovfRefSize > len(b) {
					return nil, corruptf("block %d: record %d overflow reference overruns the block", lba, i)
				}
				r.first = bedrock.LBA(le64(b[off:]))
				r.vlen = le64(b[off+8:])
				off += ovfRefSize
				if r.first == 0 || r.vlen > MaxValueSize || slotSize+kl+int(r.vlen) <= maxRec {
					return nil, corruptf("block %d: record %d bad overflow reference (block %d, %d bytes)", lba, i, r.first, r.vlen)
				}
			} else {
				if off+vl > len(b) {
					return nil, corruptf("block %d: record %d value overruns the block", lba, i)
				}
				if slotSize+kl+vl > maxRec {
					return nil, corruptf("block %d: record %d inline value of %d bytes should have spilled", lba, i, vl)
				}
				r.value = b[off : off+vl : off+vl]
				r.vlen = uint64(vl)
				off += vl
			}
			if i > 0 && bytes.Compare(n.recs[i-1].key, r.key) >= 0 {
				return nil, corruptf("block %d: record %d key %q not above %q", lba, i, r.key, n.recs[i-1].key)
			}
		}
		if off != len(b) {
			return nil, corruptf("block %d: %d trailing bytes", lba, len(b)-off)
		}
		return n, nil
	}
	n.ents = make([]entry, p.n, p.n+1)
	off := headerSize + entrySize*p.n
	for i := range n.ents {
		s := p.entry(i)
		e := &n.ents[i]
		if le16(s[32:]) != off {
			return nil, corruptf("block %d: separator %d at offset %d, want %d", lba, i, le16(s[32:]), off)
		}
		kl := le16(s[34:])
		if i == 0 && kl != 0 {
			return nil, corruptf("block %d: entry 0 has a separator", lba)
		}
		if kl > maxKey || off+kl > len(b) {
			return nil, corruptf("block %d: separator %d of %d bytes overruns the block or exceeds %d", lba, i, kl, maxKey)
		}
		e.sep = b[off : off+kl : off+kl]
		off += kl
		e.child = bedrock.LBA(le64(s))
		e.count = le64(s[8:])
		copy(e.digest[:], s[16:32])
		if e.child == 0 || e.child == lba {
			return nil, corruptf("block %d: entry %d points to block %d", lba, i, e.child)
		}
		if i > 1 && bytes.Compare(n.ents[i-1].sep, e.sep) >= 0 {
			return nil, corruptf("block %d: separator %d %q not above %q", lba, i, e.sep, n.ents[i-1].sep)
		}
	}
	if off != len(b) {
		return nil, corruptf("block %d: %d trailing bytes", lba, len(b)-off)
	}
	return n, nil
}
