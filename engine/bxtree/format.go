package bxtree

import "encoding/binary"

// Format version numbers. Each incompatible change of the node format gets a
// new constant; retired values are never reused.
const (
	// formatV1 is the first node format, described in doc.go.
	formatV1 = 1
)

// Node kinds (header byte 1).
const (
	kindLeaf     = 1 // leaf node: slots and records
	kindInternal = 2 // internal node: entries and separators
	kindOverflow = 3 // overflow block: a chunk of a long value
)

// Fixed sizes of the format, in bytes.
const (
	headerSize    = 8  // node header
	slotSize      = 30 // leaf slot
	entrySize     = 36 // internal entry
	ovfHeaderSize = 16 // overflow block header
	ovfRefSize    = 16 // overflow reference stored after the key
	spilledVlen   = 0xFFFF
	minPayload    = 512
	maxPayload    = 65535
)

// MaxValueSize is the longest value Put accepts.
const MaxValueSize = 1<<32 - 1

// MaxRecordSize returns the largest encoded size (slot plus heap bytes) of a
// leaf record and of an internal entry for a block payload size, so that any
// node holds at least four of them.
func MaxRecordSize(payload int) int { return (payload - headerSize) / 4 }

// MaxKeySize returns the longest key (and tree name) for a block payload
// size: 968 bytes for 4096-byte blocks.
func MaxKeySize(payload int) int { return MaxRecordSize(payload) - slotSize - ovfRefSize }

// le16 reads a little-endian uint16.
func le16(b []byte) int { return int(binary.LittleEndian.Uint16(b)) }

// le64 reads a little-endian uint64.
func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// put16 writes a little-endian uint16.
func put16(b []byte, v int) { binary.LittleEndian.PutUint16(b, uint16(v)) }

// put64 writes a little-endian uint64.
func put64(b []byte, v uint64) { binary.LittleEndian.PutUint64(b, v) }
