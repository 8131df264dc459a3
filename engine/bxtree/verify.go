package bxtree

import (
	"fmt"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// Load-time verification of node blocks.
//
// The read paths (Get, cursors, aggregates, Select, Split) read tree blocks
// through Tree.read, which asks bedrock for them with Tx.GetVerified and
// Tree.verifyBlock as the check. verifyBlock validates the block's layout
// (invariants 1 and 3 inside one block, and that every offset lies in the
// block) and recomputes the digest of every inline record (invariant 6).
// Bedrock runs the check when it loads the block from the file (or finds it
// in its cache unchecked) and remembers the success with the cached block,
// so a block is verified once per load, not once per read. The read paths
// then search the block in place and trust its offsets and digests: the
// page accessors do no validation of their own.
//
// Get is the exception for leaves (Tree.getLeaf): it reads them with
// Tx.GetVerifiedLazy, and while bedrock has not checked a leaf whole it
// validates the leaf's layout (checkNode without digests) and the digest
// of the one record it returns. A cold point read thus hashes one record,
// not a leaf's worth; a leaf read often is checked whole by bedrock.
// Count and Rank (aggregates without digests) read their boundary leaves
// the same way and use no digest at all (aggChild).
//
// The write path (Tree.load) reads internal nodes below the root the same
// way (their check is the layout check it needs anyway); it reads leaves
// with plain Tx.Get and checks their layout without digests, so that a
// record with a bad digest can still be replaced or deleted.
//
// Blocks the check does not cover:
//   - The transaction's own uncommitted writes, which bedrock never checks:
//     they were encoded by this process (node.encode), so their offsets are
//     right by construction and their digests were computed by Put.
//   - Values that spilled into overflow chains: checking them at load would
//     read whole chains, so such a record's digest is checked whenever its
//     value is read (the chain is read whole then anyway; see recordValue).
//   - Cross-block invariants (levels, separators bounding children, counts
//     and digests of entries): descents check levels and non-emptiness as
//     they go; Check verifies the rest.
//
// NB: bedrock keeps one "checked" bit per cached block, shared by all
// handles and trees, so every GetVerified of a node block must pass this
// same check (with the digest key of the tree the block belongs to).
// Handles that cannot verify digests (Drop's, which has no digest key) read
// with plain Tx.Get and validate the layout themselves (readStructural).

// verifyBlock is the GetVerified check of t's node blocks: layout and
// inline record digests. It does not know the block's LBA; read adds it to
// the error.
func (t *Tree) verifyBlock(b []byte) error {
	if why := checkNode(b, t.payload, &t.h); why != "" {
		return &nodeError{why: why}
	}
	return nil
}

// verifyLayout is the light check of Tx.GetVerifiedLazy: the layout
// without the record digests (the reader verifies the record it returns).
func (t *Tree) verifyLayout(b []byte) error {
	if why := checkNode(b, t.payload, nil); why != "" {
		return &nodeError{why: why}
	}
	return nil
}

// nodeError is a verifyBlock failure, before read adds the block's LBA.
type nodeError struct{ why string }

// Error returns the reason.
func (e *nodeError) Error() string { return e.why }

// read returns block lba for the read paths: verified on load (see above),
// or the transaction's own write.
func (t *Tree) read(lba bedrock.LBA) ([]byte, error) {
	t.stats.BlockReads++
	b, err := t.tx.GetVerified(lba, t.check)
	if err != nil {
		if ne, ok := err.(*nodeError); ok {
			return nil, corruptf("block %d: %s", lba, ne.why)
		}
		return nil, t.blockErr(lba, err)
	}
	return b, nil
}

// readStructural reads block lba with plain Tx.Get and validates its layout
// but not its digests, for handles without the tree's digest key (Drop).
func (t *Tree) readStructural(lba bedrock.LBA) (page, error) {
	b, err := t.get(lba)
	if err != nil {
		return page{}, err
	}
	if why := checkNode(b, t.payload, nil); why != "" {
		return page{}, corruptf("block %d: %s", lba, why)
	}
	return viewPage(lba, b), nil
}

// checkNode validates node block b of a store with the given payload size:
// header, sizes, offsets (compact, in the block), key order and overflow
// references, and, when h is not nil, the digests of the inline records.
// It returns "" or the reason b is corrupt. It never panics and allocates
// only to describe a failure.
func checkNode(b []byte, payload int, h *digester) string {
	if len(b) == 0 {
		return "" // an empty leaf (bedrock.RootLBA before the first Put)
	}
	if len(b) < headerSize {
		return fmt.Sprintf("%d bytes, shorter than a node header", len(b))
	}
	if len(b) > payload {
		return fmt.Sprintf("%d bytes exceed the payload size %d", len(b), payload)
	}
	if b[0] != formatV1 {
		return fmt.Sprintf("unknown format version %d", b[0])
	}
	if b[3] != 0 || b[6] != 0 || b[7] != 0 {
		return "reserved header bytes are not zero"
	}
	level, n := int(b[2]), le16(b[4:])
	switch b[1] {
	case kindLeaf:
		if level != 0 {
			return fmt.Sprintf("leaf at level %d", level)
		}
		if headerSize+slotSize*n > len(b) {
			return fmt.Sprintf("%d slots overrun %d bytes", n, len(b))
		}
		return checkLeaf(b, n, payload, h)
	case kindInternal:
		if level == 0 || n == 0 {
			return fmt.Sprintf("internal node with level %d and %d entries", level, n)
		}
		if headerSize+entrySize*n > len(b) {
			return fmt.Sprintf("%d entries overrun %d bytes", n, len(b))
		}
		return checkInternal(b, n, payload)
	default:
		return fmt.Sprintf("kind %d is not a tree node", b[1])
	}
}

// checkLeaf validates the n slots and the heap of leaf block b.
func checkLeaf(b []byte, n, payload int, h *digester) string {
	maxKey, maxRec := MaxKeySize(payload), MaxRecordSize(payload)
	off := headerSize + slotSize*n
	var prev []byte
	for i := 0; i < n; i++ {
		s := b[headerSize+slotSize*i : headerSize+slotSize*(i+1)]
		if le16(s[24:]) != off {
			return fmt.Sprintf("record %d at offset %d, want %d", i, le16(s[24:]), off)
		}
		kl, vl := le16(s[26:]), le16(s[28:])
		if kl > maxKey {
			return fmt.Sprintf("record %d key of %d bytes exceeds %d", i, kl, maxKey)
		}
		if off+kl > len(b) {
			return fmt.Sprintf("record %d key overruns the block", i)
		}
		key := b[off : off+kl]
		off += kl
		if vl == spilledVlen {
			if off+ovfRefSize > len(b) {
				return fmt.Sprintf("record %d overflow reference overruns the block", i)
			}
			first, vlen := le64(b[off:]), le64(b[off+8:])
			off += ovfRefSize
			if first == 0 || vlen > MaxValueSize || slotSize+kl+int(vlen) <= maxRec {
				return fmt.Sprintf("record %d bad overflow reference (block %d, %d bytes)", i, first, vlen)
			}
		} else {
			if off+vl > len(b) {
				return fmt.Sprintf("record %d value overruns the block", i)
			}
			if slotSize+kl+vl > maxRec {
				return fmt.Sprintf("record %d inline value of %d bytes should have spilled", i, vl)
			}
			if h != nil && h.sum(key, le64(s), b[off:off+vl]) != Digest(s[8:24]) {
				return fmt.Sprintf("record %d (key %q): digest mismatch", i, key)
			}
			off += vl
		}
		if i > 0 && cmpKey(prev, key) >= 0 {
			return fmt.Sprintf("record %d key %q not above %q", i, key, prev)
		}
		prev = key
	}
	if off != len(b) {
		return fmt.Sprintf("%d trailing bytes", len(b)-off)
	}
	return ""
}

// checkInternal validates the n entries and the separators of internal
// block b.
func checkInternal(b []byte, n, payload int) string {
	maxKey := MaxKeySize(payload)
	off := headerSize + entrySize*n
	var prev []byte
	for i := 0; i < n; i++ {
		e := b[headerSize+entrySize*i : headerSize+entrySize*(i+1)]
		if le16(e[32:]) != off {
			return fmt.Sprintf("separator %d at offset %d, want %d", i, le16(e[32:]), off)
		}
		kl := le16(e[34:])
		if i == 0 && kl != 0 {
			return "entry 0 has a separator"
		}
		if kl > maxKey || off+kl > len(b) {
			return fmt.Sprintf("separator %d of %d bytes overruns the block or exceeds %d", i, kl, maxKey)
		}
		sep := b[off : off+kl]
		off += kl
		if child := le64(e); child == 0 {
			return fmt.Sprintf("entry %d points to block 0", i)
		}
		if i > 1 && cmpKey(prev, sep) >= 0 {
			return fmt.Sprintf("separator %d %q not above %q", i, sep, prev)
		}
		prev = sep
	}
	if off != len(b) {
		return fmt.Sprintf("%d trailing bytes", len(b)-off)
	}
	return ""
}
