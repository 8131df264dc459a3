package bxtree

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// checker walks trees and verifies invariants 1-10 of the package
// documentation. One checker may walk several trees so that a block shared
// between trees is reported too.
type checker struct {
	t       *Tree
	seen    map[bedrock.LBA]string // block -> what reached it first
	errs    []error
	maxErrs int
}

// Check walks the whole tree and verifies key order, separators, counts,
// XOR digests, record digests, overflow chains, node sizes and levels, and
// that no block is reachable twice. It returns nil or an error wrapping
// ErrCorrupt that lists up to ten violations.
func (t *Tree) Check() error {
	if err := t.beginRead(); err != nil {
		return err
	}
	c := &checker{t: t, seen: map[bedrock.LBA]string{}, maxErrs: 10}
	c.tree()
	return c.result()
}

// CheckAll checks the directory and every tree of tx's store with one set
// of seen blocks, so a block shared between trees is reported too, and
// reports allocated blocks that no tree reaches (leaks). Trees
// created with a DigestKey need it in keys (by tree name) to verify their
// record digests; a missing or wrong key fails with ErrDigestKey. It
// first flushes what deferred handles hold in tx.
func CheckAll(tx *bedrock.Tx, keys map[string][]byte) error {
	if err := tx.FlushDeferred(nil); err != nil { // what handles hold unflushed
		return err
	}
	d, err := openDir(tx)
	if err != nil {
		return err
	}
	c := &checker{t: d, seen: map[bedrock.LBA]string{}, maxErrs: 10}
	c.tree()
	if err := c.result(); err != nil {
		return err
	}
	names, err := Names(tx)
	if err != nil {
		return err
	}
	for _, name := range names {
		root, kc, _, err := lookup(d, name)
		if err != nil {
			return err
		}
		o := &Options{DigestKey: keys[name]}
		if keyCheck(o.DigestKey) != kc {
			return fmt.Errorf("%w: %q", ErrDigestKey, name)
		}
		c.t = newTree(tx, name, root, o, d.payload)
		c.tree()
	}
	if len(c.errs) == 0 {
		c.t = d
		c.leaks(tx)
	}
	return c.result()
}

// leaks reports the blocks allocated in tx's view that no tree reached.
// In a store used only through bxtree (bxdb's are), every allocated block
// belongs to the directory or to a tree, so any other one is a leak:
// space that churn would never get back.
func (c *checker) leaks(tx *bedrock.Tx) {
	n := 0
	err := tx.Allocated(func(l bedrock.LBA) error {
		if _, ok := c.seen[l]; !ok && l != bedrock.RootLBA {
			if n++; n <= 3 {
				c.fail("block %d is allocated but no tree reaches it (leaked)", l)
			}
		}
		return nil
	})
	if err != nil {
		c.fail("listing allocated blocks: %v", err)
	} else if n > 3 {
		c.fail("%d more leaked blocks", n-3)
	}
}

// result returns the collected violations as one error.
func (c *checker) result() error {
	if len(c.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: check found %d problem(s):\n%w", ErrCorrupt, len(c.errs), errors.Join(c.errs...))
}

// fail records a violation and returns false (the subtree's summary is
// unknown).
func (c *checker) fail(format string, args ...any) bool {
	if len(c.errs) < c.maxErrs {
		c.errs = append(c.errs, fmt.Errorf("tree %q: "+format, append([]any{c.t.name}, args...)...))
	}
	return false
}

// full reports whether enough violations were found to stop walking.
func (c *checker) full() bool { return len(c.errs) >= c.maxErrs }

// visit marks lba as reached from where; it reports false (after recording
// the violation) when lba was reached before.
func (c *checker) visit(lba bedrock.LBA, where string) bool {
	if prev, ok := c.seen[lba]; ok {
		c.fail("block %d reached from %s and from %s", lba, prev, where)
		return false
	}
	c.seen[lba] = where
	return true
}

// tree checks the tree of c.t.
func (c *checker) tree() {
	c.node(c.t.root, -1, nil, nil, true, fmt.Sprintf("root of %q", c.t.name))
}

// node checks the subtree at lba whose keys must lie in [lo, hi) (nil:
// unbounded) at the given level (-1: any) and returns its summary, or false
// when the subtree is too broken to summarise.
func (c *checker) node(lba bedrock.LBA, level int, lo, hi []byte, root bool, where string) (Summary, bool) {
	t := c.t
	if !c.visit(lba, where) {
		return Summary{}, false
	}
	b, err := t.get(lba)
	if err != nil {
		return Summary{}, c.fail("block %d (%s): %v", lba, where, err)
	}
	n, err := decodeNode(lba, b, t.payload)
	if err != nil {
		return Summary{}, c.fail("%s: %v", where, err)
	}
	if len(b) == 0 && lba != bedrock.RootLBA {
		return Summary{}, c.fail("block %d (%s): empty block instead of a node", lba, where)
	}
	if level >= 0 && n.level != level {
		return Summary{}, c.fail("block %d (%s): level %d, want %d", lba, where, n.level, level)
	}
	switch {
	case !root && n.len() == 0:
		return Summary{}, c.fail("block %d (%s): empty non-root node", lba, where)
	case root && !n.isLeaf() && n.len() < 2:
		return Summary{}, c.fail("block %d (%s): internal root with %d entries", lba, where, n.len())
	}
	if n.isLeaf() {
		var s Summary
		for i := range n.recs {
			r := &n.recs[i]
			if lo != nil && bytes.Compare(r.key, lo) < 0 || hi != nil && bytes.Compare(r.key, hi) >= 0 {
				c.fail("block %d record %d: key %q outside [%q, %q)", lba, i, r.key, lo, hi)
			}
			v := r.value
			if r.spilled() {
				if v, err = c.chain(r, fmt.Sprintf("block %d record %d", lba, i)); err != nil {
					c.fail("block %d record %d: %v", lba, i, err)
					v = nil
				}
			}
			if d := t.h.sum(r.key, r.version, v); v != nil || !r.spilled() {
				if d != r.digest {
					c.fail("block %d record %d (key %q): digest %s, stored %s", lba, i, r.key, d, r.digest)
				}
			}
			if c.full() {
				return s, false
			}
			s.Count++
			s.Digest = s.Digest.Xor(r.digest)
		}
		return s, true
	}
	var s Summary
	for i := range n.ents {
		e := &n.ents[i]
		clo, chi := lo, hi
		if i > 0 {
			clo = e.sep
		}
		if i+1 < len(n.ents) {
			chi = n.ents[i+1].sep
		}
		cs, ok := c.node(e.child, n.level-1, clo, chi, false, fmt.Sprintf("block %d entry %d", lba, i))
		if ok && (cs.Count != e.count || cs.Digest != e.digest) {
			c.fail("block %d entry %d: stored summary %v, subtree has %v", lba, i, Summary{e.count, e.digest}, cs)
		}
		if c.full() {
			return s, false
		}
		s = s.add(Summary{e.count, e.digest})
	}
	return s, true
}

// chain reads and checks the overflow chain of r, marking its blocks.
func (c *checker) chain(r *record, where string) ([]byte, error) {
	t := c.t
	v := make([]byte, 0, r.vlen)
	lba := r.first
	for i := 0; i < t.chainLen(r.vlen); i++ {
		if !c.visit(lba, fmt.Sprintf("%s overflow %d", where, i)) {
			return nil, corruptf("overflow chain shares block %d", lba)
		}
		chunk, next, err := t.overflowBlock(lba, i, r.vlen)
		if err != nil {
			return nil, err
		}
		v = append(v, chunk...)
		lba = next
	}
	return v, nil
}
