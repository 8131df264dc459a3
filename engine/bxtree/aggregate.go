package bxtree

import (
	"bytes"
)

// Order statistics and summaries. All of them read at most two root-to-leaf
// paths (the paths of lo and hi, shared until they diverge) and combine the
// counts and digests stored in internal entries for everything between, so
// they cost O(log n) block reads whatever the interval's size.

// agg returns the summary of entries or records [i, j) of p, with the
// digest only when digests is set.
func (p *page) agg(i, j int, digests bool) Summary {
	if digests {
		return p.summaryRange(i, j)
	}
	return Summary{Count: p.countRange(i, j)}
}

// Summary returns the count and XOR digest of the records in [lo, hi).
func (t *Tree) Summary(lo, hi []byte) (Summary, error) {
	return t.rangeAgg(lo, hi, true)
}

// Count returns the number of records in [lo, hi).
func (t *Tree) Count(lo, hi []byte) (uint64, error) {
	s, err := t.rangeAgg(lo, hi, false)
	return s.Count, err
}

// Rank returns the number of records with keys < key (nil key: all).
func (t *Tree) Rank(key []byte) (uint64, error) {
	s, err := t.rangeAgg(nil, key, false)
	return s.Count, err
}

// rangeAgg aggregates [lo, hi) with one shared descent until the paths of
// lo and hi part, then one descent each.
func (t *Tree) rangeAgg(lo, hi []byte, digests bool) (Summary, error) {
	if err := t.beginRead(); err != nil {
		return Summary{}, err
	}
	if lo != nil && hi != nil && bytes.Compare(lo, hi) >= 0 {
		return Summary{}, nil
	}
	p, err := t.rootView()
	if err != nil {
		return Summary{}, err
	}
	for {
		if p.leaf() {
			i, j := 0, p.n
			if lo != nil {
				i, _ = p.search(lo)
			}
			if hi != nil {
				j, _ = p.search(hi)
			}
			return p.agg(i, max(i, j), digests), nil
		}
		a, b := 0, p.n-1
		if lo != nil {
			a = p.childIndex(lo)
		}
		if hi != nil {
			b = p.childIndex(hi)
		}
		if a != b {
			break
		}
		if p, err = t.aggChild(&p, a, digests); err != nil {
			return Summary{}, err
		}
	}
	// The paths part at p: child a holds lo, child b > a holds hi.
	a, b := 0, p.n-1
	if lo != nil {
		a = p.childIndex(lo)
	}
	if hi != nil {
		b = p.childIndex(hi)
	}
	s := p.agg(a+1, b, digests)
	if lo == nil {
		s = s.add(p.agg(a, a+1, digests))
	} else {
		c, err := t.aggChild(&p, a, digests)
		if err != nil {
			return Summary{}, err
		}
		x, err := t.suffixAgg(c, lo, digests)
		if err != nil {
			return Summary{}, err
		}
		s = s.add(x)
	}
	if hi == nil {
		s = s.add(p.agg(b, b+1, digests))
	} else {
		c, err := t.aggChild(&p, b, digests)
		if err != nil {
			return Summary{}, err
		}
		x, err := t.prefixAgg(c, hi, digests)
		if err != nil {
			return Summary{}, err
		}
		s = s.add(x)
	}
	return s, nil
}

// prefixAgg aggregates the records < key in the subtree of p.
func (t *Tree) prefixAgg(p page, key []byte, digests bool) (Summary, error) {
	var s Summary
	for {
		if p.leaf() {
			j, _ := p.search(key)
			return s.add(p.agg(0, j, digests)), nil
		}
		i := p.childIndex(key)
		s = s.add(p.agg(0, i, digests))
		var err error
		if p, err = t.aggChild(&p, i, digests); err != nil {
			return Summary{}, err
		}
	}
}

// suffixAgg aggregates the records >= key in the subtree of p.
func (t *Tree) suffixAgg(p page, key []byte, digests bool) (Summary, error) {
	var s Summary
	for {
		if p.leaf() {
			j, _ := p.search(key)
			return s.add(p.agg(j, p.n, digests)), nil
		}
		i := p.childIndex(key)
		s = s.add(p.agg(i+1, p.n, digests))
		var err error
		if p, err = t.aggChild(&p, i, digests); err != nil {
			return Summary{}, err
		}
	}
}

// aggChild is childPage for the aggregates. A count (digests unset) uses
// no record digest, so a leaf child is read like Get's (Tx.GetVerifiedLazy):
// its layout checked, its digests not recomputed until bedrock finds it
// read often enough to check it whole. A count over a range thus hashes
// nothing at its two cold boundary leaves (the digests, which summaries
// and synchronization use, are still verified before they are trusted).
func (t *Tree) aggChild(p *page, i int, digests bool) (page, error) {
	if digests || p.level != 1 {
		return t.childPage(p, i, true)
	}
	lba := p.child(i)
	t.stats.BlockReads++
	b, _, err := t.tx.GetVerifiedLazy(lba, t.light, t.check)
	if err != nil {
		if ne, ok := err.(*nodeError); ok {
			return page{}, corruptf("block %d: %s", lba, ne.why)
		}
		return page{}, t.blockErr(lba, err)
	}
	t.fetchLines(b)
	c := viewPage(lba, b)
	if c.level != 0 {
		return page{}, corruptf("block %d: child %d of block %d has level %d, want 0", lba, i, p.lba, c.level)
	}
	return c, nil
}

// Select returns the key of the k-th record (0-based) in key order. The
// record is verified like Get's. It fails with ErrOutOfRange when
// k >= Len().
func (t *Tree) Select(k uint64) ([]byte, error) {
	if err := t.beginRead(); err != nil {
		return nil, err
	}
	p, i, err := t.selectRec(k)
	if err != nil {
		return nil, err
	}
	key, _, _, err := t.recordAt(&p, i)
	return key, err
}

// selectRec descends to the k-th record and returns its leaf and index.
func (t *Tree) selectRec(k uint64) (page, int, error) {
	p, err := t.rootView()
	if err != nil {
		return page{}, 0, err
	}
	for !p.leaf() {
		i := 0
		for ; i < p.n-1; i++ {
			c := p.count(i)
			if k < c {
				break
			}
			k -= c
		}
		if p, err = t.childPage(&p, i, false); err != nil {
			return page{}, 0, err
		}
	}
	if k >= uint64(p.n) {
		return page{}, 0, ErrOutOfRange
	}
	return p, int(k), nil
}
