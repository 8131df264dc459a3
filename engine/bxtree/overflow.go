package bxtree

import (
	"github.com/bxdb/bxdb/engine/bedrock"
)

// Overflow chains hold values too long to stay inline (invariant 7). A chain
// is written once, read whole and freed whole; updating a spilled value
// writes a new chain.

// chunkSize returns the number of value bytes one overflow block holds.
func (t *Tree) chunkSize() int { return t.payload - ovfHeaderSize }

// chainLen returns the number of blocks of the chain of a vlen-byte value.
func (t *Tree) chainLen(vlen uint64) int {
	c := uint64(t.chunkSize())
	return int((vlen + c - 1) / c)
}

// writeOverflow stores value in a new chain and returns its first block.
func (t *Tree) writeOverflow(value []byte) (bedrock.LBA, error) {
	n := t.chainLen(uint64(len(value)))
	lbas := make([]bedrock.LBA, n)
	for i := range lbas {
		lba, err := t.tx.Alloc()
		if err != nil {
			return 0, err
		}
		lbas[i] = lba
		t.stats.BlocksAllocated++
	}
	c := t.chunkSize()
	for i, lba := range lbas {
		chunk := value[i*c : min(len(value), (i+1)*c)]
		b := make([]byte, ovfHeaderSize+len(chunk))
		b[0] = formatV1
		b[1] = kindOverflow
		if i+1 < n {
			put64(b[8:], uint64(lbas[i+1]))
		}
		copy(b[ovfHeaderSize:], chunk)
		if err := t.tx.Put(lba, b); err != nil {
			return 0, err
		}
		t.stats.BlockWrites++
	}
	return lbas[0], nil
}

// overflowBlock reads and checks block i (counting from 0) of the chain of a
// vlen-byte value, returning its chunk and the next block.
func (t *Tree) overflowBlock(lba bedrock.LBA, i int, vlen uint64) (chunk []byte, next bedrock.LBA, err error) {
	b, err := t.get(lba)
	if err != nil {
		return nil, 0, err
	}
	n := t.chainLen(vlen)
	want := t.chunkSize()
	if i == n-1 {
		want = int(vlen - uint64(i)*uint64(t.chunkSize()))
	}
	if len(b) != ovfHeaderSize+want || b[0] != formatV1 || b[1] != kindOverflow {
		return nil, 0, corruptf("overflow block %d (%d of %d): bad header or length %d", lba, i, n, len(b))
	}
	for _, x := range b[2:8] {
		if x != 0 {
			return nil, 0, corruptf("overflow block %d: reserved bytes are not zero", lba)
		}
	}
	next = bedrock.LBA(le64(b[8:]))
	if (next == 0) != (i == n-1) {
		return nil, 0, corruptf("overflow block %d (%d of %d): next block %d", lba, i, n, next)
	}
	return b[ovfHeaderSize:], next, nil
}

// readOverflow returns the vlen-byte value stored in the chain at first, in
// a fresh slice.
func (t *Tree) readOverflow(first bedrock.LBA, vlen uint64) ([]byte, error) {
	v := make([]byte, 0, vlen)
	lba := first
	for i := 0; i < t.chainLen(vlen); i++ {
		chunk, next, err := t.overflowBlock(lba, i, vlen)
		if err != nil {
			return nil, err
		}
		v = append(v, chunk...)
		lba = next
	}
	return v, nil
}

// freeOverflow frees every block of the chain at first.
func (t *Tree) freeOverflow(first bedrock.LBA, vlen uint64) error {
	lba := first
	for i := 0; i < t.chainLen(vlen); i++ {
		_, next, err := t.overflowBlock(lba, i, vlen)
		if err != nil {
			return err
		}
		if err := t.tx.Free(lba); err != nil {
			return err
		}
		t.stats.BlocksFreed++
		lba = next
	}
	return nil
}
