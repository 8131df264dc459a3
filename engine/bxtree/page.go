package bxtree

import (
	"bytes"
	"encoding/binary"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// page is a read-only view of an encoded leaf or internal node, searched in
// place without decoding. IMPORTANT: a page must only be made of a block
// that is known to be well formed: one returned by Tree.read (verified by
// verifyBlock when loaded, or encoded by this process) or one checkNode
// accepted. The accessors trust the block's offsets and do no validation;
// a malformed block makes them panic (index out of range), never read
// outside it.
type page struct {
	b     []byte
	lba   bedrock.LBA
	kind  uint8
	level uint8
	n     int
}

// viewPage returns the view of well-formed block b stored at lba, reading
// only its header. An empty block is an empty leaf.
func viewPage(lba bedrock.LBA, b []byte) page {
	if len(b) < headerSize {
		return page{b: b, lba: lba, kind: kindLeaf}
	}
	return page{b: b, lba: lba, kind: b[1], level: b[2], n: le16(b[4:])}
}

// fetchLines loads one byte of every 64-byte cache line of b with
// independent loads, so that the CPU fetches the lines of a block it is
// about to binary-search in parallel instead of one dependent miss per
// probe (a leaf search otherwise waits for about ten misses in turn). The
// result goes to t.sink so the loads are not optimised away.
func (t *Tree) fetchLines(b []byte) {
	var x byte
	for o := 0; o < len(b); o += 64 {
		x |= b[o]
	}
	t.sink = x
}

// leaf reports whether p is a leaf.
func (p *page) leaf() bool { return p.kind == kindLeaf }

// slot returns the 30 bytes of leaf slot i (i < n).
func (p *page) slot(i int) []byte {
	o := headerSize + slotSize*i
	return p.b[o : o+slotSize : o+slotSize]
}

// key returns the key of leaf record i.
func (p *page) key(i int) []byte {
	s := p.slot(i)
	off := le16(s[24:])
	end := off + le16(s[26:])
	return p.b[off:end:end]
}

// version returns the version of leaf record i.
func (p *page) version(i int) uint64 { return le64(p.slot(i)) }

// digest returns the stored digest of leaf record i.
func (p *page) digest(i int) Digest { return Digest(p.slot(i)[8:24]) }

// record returns leaf record i's key and inline value, or its key and
// (first block, length, spilled true) when the value lives in an overflow
// chain.
func (p *page) record(i int) (key, inline []byte, first bedrock.LBA, vlen uint64, spilled bool) {
	s := p.slot(i)
	off, kl, vl := le16(s[24:]), le16(s[26:]), le16(s[28:])
	o := off + kl
	key = p.b[off:o:o]
	if vl == spilledVlen {
		r := p.b[o : o+ovfRefSize]
		return key, nil, bedrock.LBA(le64(r)), le64(r[8:]), true
	}
	return key, p.b[o : o+vl : o+vl], 0, uint64(vl), false
}

// search returns the index of the first leaf record with key >= k and
// whether that record's key equals k.
func (p *page) search(k []byte) (int, bool) {
	b := p.b
	lo, hi := 0, p.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		o := headerSize + slotSize*m
		s := b[o : o+slotSize : o+slotSize] // one bounds check per probe
		off := le16(s[24:26])
		if cmpKey(b[off:off+le16(s[26:28])], k) < 0 {
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
func (p *page) entryDigest(i int) Digest { return Digest(p.entry(i)[16:32]) }

// decodeEntry returns internal entry i decoded; its separator aliases the
// block.
func (p *page) decodeEntry(i int) entry {
	return entry{sep: p.sep(i), child: p.child(i), count: p.count(i), digest: p.entryDigest(i)}
}

// sep returns the separator of internal entry i (empty for entry 0).
func (p *page) sep(i int) []byte {
	e := p.entry(i)
	off := le16(e[32:])
	end := off + le16(e[34:])
	return p.b[off:end:end]
}

// childIndex returns the index of the child whose key range holds k: the
// largest i >= 1 with sep(i) <= k, or 0.
func (p *page) childIndex(k []byte) int {
	b := p.b
	lo, hi := 1, p.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		o := headerSize + entrySize*m
		e := b[o : o+entrySize : o+entrySize]
		off := le16(e[32:34])
		if cmpKey(b[off:off+le16(e[34:36])], k) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// keyPrefix returns the first 8 bytes of k as a big-endian number, zero
// padded: keyPrefix(a) < keyPrefix(b) implies a < b, and a <= b implies
// keyPrefix(a) <= keyPrefix(b).
func keyPrefix(k []byte) uint64 {
	if len(k) >= 8 {
		return binary.BigEndian.Uint64(k)
	}
	var b [8]byte
	copy(b[:], k)
	return binary.BigEndian.Uint64(b[:])
}

// sepPrefixes returns the keyPrefix of each separator of the internal page
// p (entry 0's, which has none, is 0).
func sepPrefixes(p *page) []uint64 {
	pfx := make([]uint64, p.n)
	for i := 1; i < p.n; i++ {
		pfx[i] = keyPrefix(p.sep(i))
	}
	return pfx
}

// childIndexPfx is p.childIndex with the separator prefixes pfx of p: a
// binary search of the prefixes for the first entry whose separator is
// surely above k, then full comparisons only across the entries whose
// prefix equals k's.
func childIndexPfx(p *page, pfx []uint64, k []byte) int {
	kp := keyPrefix(k)
	lo, hi := 1, len(pfx)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if pfx[m] <= kp {
			lo = m + 1
		} else {
			hi = m
		}
	}
	// Entries before lo have prefixes <= kp; those equal to kp may still
	// hold a separator above k.
	for lo > 1 && pfx[lo-1] == kp && cmpKey(p.sep(lo-1), k) > 0 {
		lo--
	}
	return lo - 1
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

// cmpKey is bytes.Compare, faster for the short keys and separators of
// typical trees: it compares the first 8 bytes as one big-endian word, or
// byte by byte for shorter slices, without calling into the runtime.
func cmpKey(a, b []byte) int {
	if len(a) >= 8 && len(b) >= 8 {
		x, y := binary.BigEndian.Uint64(a), binary.BigEndian.Uint64(b)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
		return bytes.Compare(a[8:], b[8:])
	}
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}
