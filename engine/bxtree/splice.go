package bxtree

import "bytes"

// Splicing encoded leaves. With eager flushing every Put and Delete must
// leave a new image of its leaf in the transaction. Decoding the leaf into
// records and encoding it again costs a pass over every record and two
// allocations; splicing builds the new image from the old one with bulk
// copies of the unchanged parts (slots and heap before and after the
// change) and the new record, then shifts the offsets of the old slots.
// The result is byte for byte what node.encode would produce (invariant 1:
// one encoding per node), which TestSpliceLeafMatchesEncode checks.

// spliceLeaf returns a new image of the well-formed, non-empty leaf image
// old in which records [i, j) are replaced by r (nil: removed). The caller
// keeps the records in key order and the result within 65535 bytes (in
// practice within the payload size: larger leaves are split, decoded).
// old is not modified; r's key and value are copied.
func spliceLeaf(old []byte, i, j int, r *record) []byte {
	n := le16(old[4:])
	oldHeap := headerSize + slotSize*n
	offI, offJ := len(old), len(old)
	if i < n {
		offI = le16(old[headerSize+slotSize*i+24:])
	}
	if j < n {
		offJ = le16(old[headerSize+slotSize*j+24:])
	}
	var slot [slotSize]byte
	var ref [ovfRefSize]byte
	var key, val []byte
	add := 0
	if r != nil {
		add, key, val = 1, r.key, r.value
		put64(slot[:], r.version)
		copy(slot[8:24], r.digest[:])
		put16(slot[26:], len(r.key))
		put16(slot[28:], len(r.value))
		if r.spilled() {
			put16(slot[28:], spilledVlen)
			put64(ref[:], uint64(r.first))
			put64(ref[8:], r.vlen)
			val = ref[:]
		}
	}
	n2 := n - (j - i) + add
	heap2 := headerSize + slotSize*n2
	// bytes.Join allocates the result without zeroing it and copies each
	// piece once; every byte of the image comes from a piece.
	pieces := [...][]byte{
		old[:headerSize+slotSize*i],          // header, slots before
		slot[:slotSize*add],                  // the new slot
		old[headerSize+slotSize*j : oldHeap], // slots after
		old[oldHeap:offI],                    // heap before
		key, val,                             // the new record
		old[offJ:], // heap after
	}
	b := bytes.Join(pieces[:], nil)
	put16(b[4:], n2)
	// The heap before moves by the slot array's growth, the heap after by
	// the growth up to its new place.
	shiftOffsets(b[headerSize:headerSize+slotSize*i], heap2-oldHeap)
	h := heap2 + offI - oldHeap
	if r != nil {
		put16(b[headerSize+slotSize*i+24:], h)
		h += len(key) + len(val)
	}
	shiftOffsets(b[headerSize+slotSize*(i+add):heap2], h-offJ)
	return b
}

// shiftOffsets adds d to the key offset of every slot in slots.
func shiftOffsets(slots []byte, d int) {
	if d == 0 {
		return
	}
	for o := 24; o+2 <= len(slots); o += slotSize {
		put16(slots[o:], le16(slots[o:])+d)
	}
}
