package bxtree

import (
	"bytes"
	"fmt"
)

// Interval is one part of a Split: the keys [Lo, Hi) (nil Lo = -inf, nil
// Hi = +inf) and the summary of the records in it.
type Interval struct {
	Lo, Hi  []byte
	Summary Summary
}

// String formats iv for logs and test failures.
func (iv Interval) String() string {
	return fmt.Sprintf("[%q,%q)%v", iv.Lo, iv.Hi, iv.Summary)
}

// Split divides [lo, hi) into k consecutive intervals holding nearly equal
// numbers of records, with their summaries. It returns fewer intervals when
// [lo, hi) holds fewer than k records (one per record, and one empty
// interval when there are none). The first interval starts at lo and the
// last ends at hi.
//
// Each boundary is chosen at the rank total*i/k; when a node boundary (a
// separator key, highest level first) lies within an eighth of an interval
// of that rank it is used instead, so intervals line up with subtrees and
// their summaries, and those of later Splits inside them, come from
// internal entries. Boundaries need not be keys of records. Cost:
// O(k log n) block reads.
func (t *Tree) Split(lo, hi []byte, k int) ([]Interval, error) {
	if k < 1 || lo != nil && hi != nil && bytes.Compare(lo, hi) > 0 {
		return nil, fmt.Errorf("%w: k=%d lo=%q hi=%q", ErrBadInterval, k, lo, hi)
	}
	if err := t.beginRead(); err != nil {
		return nil, err
	}
	var r0, r1 uint64
	var err error
	if lo != nil {
		if r0, err = t.Rank(lo); err != nil {
			return nil, err
		}
	}
	if r1, err = t.Rank(hi); err != nil {
		return nil, err
	}
	total := r1 - r0
	parts := uint64(k)
	if total < parts {
		parts = max(total, 1)
	}
	per, rem := total/parts, total%parts
	slack := per / 8

	bounds := make([][]byte, 0, parts+1)
	bounds = append(bounds, lo)
	for i := uint64(1); i < parts; i++ {
		b, err := t.boundaryAt(r0+per*i+rem*i/parts, slack)
		if err != nil {
			return nil, err
		}
		bounds = append(bounds, b)
	}
	bounds = append(bounds, hi)

	out := make([]Interval, parts)
	prev := Summary{}
	if lo != nil {
		if prev, err = t.Summary(nil, lo); err != nil {
			return nil, err
		}
	}
	for i := range out {
		cur, err := t.Summary(nil, bounds[i+1])
		if err != nil {
			return nil, err
		}
		out[i] = Interval{Lo: bounds[i], Hi: bounds[i+1], Summary: cur.sub(prev)}
		prev = cur
	}
	return out, nil
}

// boundaryAt returns a key b whose rank (number of records < b) lies within
// slack of r (0 < r < Len()), preferring separators of high nodes.
func (t *Tree) boundaryAt(r, slack uint64) ([]byte, error) {
	p, err := t.rootView()
	if err != nil {
		return nil, err
	}
	base := uint64(0) // records before p's subtree
	for !p.leaf() {
		// Nearest separator: the boundary before child j has rank base+cum.
		cum, into, next := uint64(0), -1, base
		bestJ, bestD := -1, uint64(0)
		for j := 0; j < p.n; j++ {
			if j > 0 {
				if d := absDiff(base+cum, r); bestJ < 0 || d < bestD {
					bestJ, bestD = j, d
				}
			}
			c := p.count(j)
			if into < 0 && r < base+cum+c {
				into, next = j, base+cum
			}
			cum += c
		}
		if bestJ > 0 && bestD <= slack {
			return p.sep(bestJ), nil
		}
		if into < 0 {
			return nil, corruptf("block %d: rank %d beyond the subtree's counts", p.lba, r)
		}
		if p, err = t.childPage(&p, into, false); err != nil {
			return nil, err
		}
		base = next
	}
	i := r - base
	if i >= uint64(p.n) {
		return nil, corruptf("block %d: rank %d beyond the leaf", p.lba, r)
	}
	return p.key(int(i)), nil
}

// absDiff returns |a - b|.
func absDiff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}
