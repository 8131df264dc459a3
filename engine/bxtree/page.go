package bxtree

import (
	"bytes"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// page is a read-only view of an encoded leaf or internal node, searched in
// place without decoding. parsePage checks the header and that the slot or
// entry array lies inside the block, in O(1); accessors that follow an
// offset check it and set bad instead of panicking, and callers turn bad into
// ErrCorrupt after a search. decodeNode does the full O(n) validation.
type page struct {
	b     []byte
	lba   bedrock.LBA
	kind  uint8
	level int
	n     int
	bad   bool // an accessor met an out-of-bounds offset
}

// parsePage checks the header of block b (stored at lba) and returns a view.
// An empty block is an empty leaf.
func parsePage(lba bedrock.LBA, b []byte) (page, error) {
	if len(b) == 0 {
		return page{b: b, lba: lba, kind: kindLeaf}, nil
	}
	if len(b) < headerSize {
		return page{}, corruptf("block %d: %d bytes, shorter than a node header", lba, len(b))
	}
	if b[0] != formatV1 {
		return page{}, corruptf("block %d: unknown format version %d", lba, b[0])
	}
	p := page{b: b, lba: lba, kind: b[1], level: int(b[2]), n: le16(b[4:])}
	switch p.kind {
	case kindLeaf:
		if p.level != 0 {
			return page{}, corruptf("block %d: leaf at level %d", lba, p.level)
		}
		if headerSize+slotSize*p.n > len(b) {
			return page{}, corruptf("block %d: %d slots overrun %d bytes", lba, p.n, len(b))
		}
	case kindInternal:
		if p.level == 0 || p.n == 0 {
			return page{}, corruptf("block %d: internal node with level %d and %d entries", lba, p.level, p.n)
		}
		if headerSize+entrySize*p.n > len(b) {
			return page{}, corruptf("block %d: %d entries overrun %d bytes", lba, p.n, len(b))
		}
	default:
		return page{}, corruptf("block %d: kind %d is not a tree node", lba, p.kind)
	}
	return p, nil
}

// leaf reports whether p is a leaf.
func (p *page) leaf() bool { return p.kind == kindLeaf }

// check returns ErrCorrupt when an accessor met a bad offset.
func (p *page) check() error {
	if p.bad {
		return corruptf("block %d: offset out of bounds", p.lba)
	}
	return nil
}

// slot returns the 30 bytes of leaf slot i (i < n).
func (p *page) slot(i int) []byte {
	o := headerSize + slotSize*i
	return p.b[o : o+slotSize : o+slotSize]
}

// key returns the key of leaf record i.
func (p *page) key(i int) []byte {
	s := p.slot(i)
	off, kl := le16(s[24:]), le16(s[26:])
	if off+kl > len(p.b) {
		p.bad = true
		return nil
	}
	return p.b[off : off+kl : off+kl]
}

// version returns the version of leaf record i.
func (p *page) version(i int) uint64 { return le64(p.slot(i)) }

// digest returns the stored digest of leaf record i.
func (p *page) digest(i int) (d Digest) {
	copy(d[:], p.slot(i)[8:24])
	return d
}

// value returns leaf record i's inline value, or (nil, first block, length,
// true) when it spilled into an overflow chain.
func (p *page) value(i int) (inline []byte, first bedrock.LBA, vlen uint64, spilled bool) {
	s := p.slot(i)
	off, kl, vl := le16(s[24:]), le16(s[26:]), le16(s[28:])
	o := off + kl
	if vl == spilledVlen {
		if o+ovfRefSize > len(p.b) {
			p.bad = true
			return nil, 0, 0, true
		}
		return nil, bedrock.LBA(le64(p.b[o:])), le64(p.b[o+8:]), true
	}
	if o+vl > len(p.b) {
		p.bad = true
		return nil, 0, 0, false
	}
	return p.b[o : o+vl : o+vl], 0, uint64(vl), false
}

// search returns the index of the first leaf record with key >= k and
// whether that record's key equals k.
func (p *page) search(k []byte) (int, bool) {
	lo, hi := 0, p.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bytes.Compare(p.key(m), k) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < p.n && bytes.Equal(p.key(lo), k)
}

// entry returns the 36 bytes of internal entry i (i < n).
func (p *page) entry(i int) []byte {
	o := headerSize + entrySize*i
	return p.b[o : o+entrySize : o+entrySize]
}

// child returns the block of internal entry i's child.
func (p *page) child(i int) bedrock.LBA { return bedrock.LBA(le64(p.entry(i))) }

// count returns the record count of internal entry i's subtree.
func (p *page) count(i int) uint64 { return le64(p.entry(i)[8:]) }

// entryDigest returns the XOR digest of internal entry i's subtree.
func (p *page) entryDigest(i int) (d Digest) {
	copy(d[:], p.entry(i)[16:32])
	return d
}

// sep returns the separator of internal entry i (empty for entry 0).
func (p *page) sep(i int) []byte {
	e := p.entry(i)
	off, kl := le16(e[32:]), le16(e[34:])
	if off+kl > len(p.b) {
		p.bad = true
		return nil
	}
	return p.b[off : off+kl : off+kl]
}

// childIndex returns the index of the child whose key range holds k: the
// largest i >= 1 with sep(i) <= k, or 0.
func (p *page) childIndex(k []byte) int {
	lo, hi := 1, p.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bytes.Compare(p.sep(m), k) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// summaryBefore returns the summary of entries [0, i) (internal) or records
// [0, i) (leaf).
func (p *page) summaryBefore(i int) Summary {
	return p.summaryRange(0, i)
}

// summaryRange returns the summary of entries or records [i, j).
func (p *page) summaryRange(i, j int) Summary {
	var s Summary
	if p.leaf() {
		s.Count = uint64(j - i)
		for k := i; k < j; k++ {
			s.Digest.xorInto(p.slot(k)[8:24])
		}
		return s
	}
	for k := i; k < j; k++ {
		e := p.entry(k)
		s.Count += le64(e[8:])
		s.Digest.xorInto(e[16:32])
	}
	return s
}

// countRange returns the record count of entries or records [i, j).
func (p *page) countRange(i, j int) uint64 {
	if p.leaf() {
		return uint64(j - i)
	}
	var c uint64
	for k := i; k < j; k++ {
		c += le64(p.entry(k)[8:])
	}
	return c
}

// total returns the summary of the whole subtree of p.
func (p *page) total() Summary { return p.summaryRange(0, p.n) }
