package bedrock

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/golang/snappy"
)

// FormatVersion names an incompatible on-disk format. Retired values are
// never reused.
type FormatVersion uint32

const (
	// FormatV1 is the first format: 32-byte block headers, 16-byte map
	// entries, two superblock slots of one block each.
	FormatV1 FormatVersion = 1
	// FormatV2 is FormatV1 with parity: below the superblock slots the
	// file is a sequence of stripes, parityWidth data chunks and their XOR
	// (doc.go, File layout).
	FormatV2 FormatVersion = 2
	// FormatV3 is FormatV2 with superblock slot 1 moved after the first
	// stripe, so that each slot is followed by a parity chunk and a
	// stripe's data: a small commit and its superblock are then one
	// region whichever slot the superblock goes to (doc.go, File layout).
	FormatV3 FormatVersion = 3
	// FormatCurrent is the version new stores are written with (FormatV1
	// with Options.DisableParity).
	FormatCurrent = FormatV3
)

const (
	headerSize     = 32 // bytes of the header in front of every block
	refSize        = 16 // bytes of one map entry / block reference
	sbHeaderSize   = 64 // bytes of the superblock in front of its page refs
	blockVersion   = 1  // the header version byte of FormatV1 blocks
	superMagic     = "bedrock\x00"
	defaultUnit    = 512
	flagSnappy     = 1 << 0
	sbFlagDevice   = 1 << 0
	maxUnitsPerRef = 1<<16 - 1
)

// Block kinds, stored in the header so a block of one kind is never taken
// for another.
const (
	kindData    = 1
	kindSegment = 2
	kindPage    = 3
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ref locates one block on disk: its first unit, its length in units and the
// generation that wrote it. addr 0 means "no block" (unit 0 belongs to the
// first superblock slot, so it never holds a block); such a ref still
// carries the generation of the commit that freed the logical block, for
// conflict detection.
type ref struct {
	addr  uint64
	units uint32
	gen   uint64
}

// putRef encodes r into b[0:16].
func putRef(b []byte, r ref) {
	binary.LittleEndian.PutUint64(b[0:8], r.addr&(1<<48-1)|uint64(r.units)<<48)
	binary.LittleEndian.PutUint64(b[8:16], r.gen)
}

// getRef decodes a ref from b[0:16].
func getRef(b []byte) ref {
	v := binary.LittleEndian.Uint64(b[0:8])
	return ref{addr: v & (1<<48 - 1), units: uint32(v >> 48), gen: binary.LittleEndian.Uint64(b[8:16])}
}

// blockHeader is the decoded 32-byte header of a block.
type blockHeader struct {
	crc    uint32
	kind   uint8
	flags  uint8
	id     uint64
	gen    uint64
	stored uint32
	raw    uint32
}

// putHeader writes h (except the checksum) into b[0:32].
func putHeader(b []byte, h blockHeader) {
	b[4] = blockVersion
	b[5] = h.kind
	b[6] = h.flags
	b[7] = 0
	binary.LittleEndian.PutUint64(b[8:16], h.id)
	binary.LittleEndian.PutUint64(b[16:24], h.gen)
	binary.LittleEndian.PutUint32(b[24:28], h.stored)
	binary.LittleEndian.PutUint32(b[28:32], h.raw)
}

// sealBlock computes the checksum of an encoded block (header plus stored
// body) and writes it into b[0:4].
func sealBlock(b []byte, stored int) {
	binary.LittleEndian.PutUint32(b[0:4], crc32.Checksum(b[4:headerSize+stored], castagnoli))
}

// sealSplit is sealBlock for a block whose header (hdr, 32 bytes) and
// stored body lie in separate buffers.
func sealSplit(hdr, body []byte) {
	c := crc32.Update(0, castagnoli, hdr[4:headerSize])
	binary.LittleEndian.PutUint32(hdr[0:4], crc32.Update(c, castagnoli, body))
}

// packBody returns the body as it should be stored and its flags: snappy
// packed when that saves at least one unit, else the raw bytes. The packed
// body is encoded into dst when it is large enough (snappy.MaxEncodedLen),
// so it may alias dst.
func packBody(dst, raw []byte, unit int) ([]byte, uint8) {
	if len(raw) < 2*unit {
		return raw, 0
	}
	packed := snappy.Encode(dst, raw)
	if unitsFor(len(packed), unit) < unitsFor(len(raw), unit) {
		return packed, flagSnappy
	}
	return raw, 0
}

// unitsFor returns the number of units a block with a body of n bytes
// occupies.
func unitsFor(n, unit int) int { return (headerSize + n + unit - 1) / unit }

// openBlock verifies an encoded block read from disk against what its
// parent says it must be, and returns its plain body. The returned slice
// may alias buf.
func openBlock(buf []byte, kind uint8, id, gen uint64, payload int) ([]byte, string) {
	if len(buf) < headerSize {
		return nil, "short block"
	}
	h := blockHeader{
		crc:    binary.LittleEndian.Uint32(buf[0:4]),
		kind:   buf[5],
		flags:  buf[6],
		id:     binary.LittleEndian.Uint64(buf[8:16]),
		gen:    binary.LittleEndian.Uint64(buf[16:24]),
		stored: binary.LittleEndian.Uint32(buf[24:28]),
		raw:    binary.LittleEndian.Uint32(buf[28:32]),
	}
	if int(h.stored) > len(buf)-headerSize {
		return nil, "stored length beyond block"
	}
	if crc32.Checksum(buf[4:headerSize+int(h.stored)], castagnoli) != h.crc {
		return nil, "checksum mismatch"
	}
	switch {
	case buf[4] != blockVersion:
		return nil, "unknown block version"
	case h.kind != kind:
		return nil, "wrong block kind (misdirected write?)"
	case h.id != id:
		return nil, "block belongs to another address (misdirected write)"
	case h.gen != gen:
		return nil, "stale block: generation mismatch (lost write)"
	case int(h.raw) > payload:
		return nil, "raw length beyond payload"
	}
	body := buf[headerSize : headerSize+int(h.stored)]
	if h.flags&flagSnappy == 0 {
		if h.raw != h.stored {
			return nil, "length mismatch"
		}
		return body, ""
	}
	n, err := snappy.DecodedLen(body)
	if err != nil || n != int(h.raw) {
		return nil, "bad packed length"
	}
	out, err := snappy.Decode(make([]byte, n), body)
	if err != nil {
		return nil, "bad packed body"
	}
	return out, ""
}

// superblock is the decoded contents of one superblock slot.
type superblock struct {
	version   FormatVersion
	blockSize uint32
	unitSize  uint32
	flags     uint32
	gen       uint64
	syncedGen uint64 // newest generation known durable when this was written
	nextLBA   uint64
	sizeUnits uint64
	pages     []ref
}

// encodeSuperblock writes sb into a slot-sized buffer.
func encodeSuperblock(b []byte, sb *superblock) {
	clear(b)
	copy(b[0:8], superMagic)
	binary.LittleEndian.PutUint32(b[8:12], uint32(sb.version))
	binary.LittleEndian.PutUint32(b[16:20], sb.blockSize)
	binary.LittleEndian.PutUint32(b[20:24], sb.unitSize)
	binary.LittleEndian.PutUint64(b[24:32], sb.gen)
	binary.LittleEndian.PutUint64(b[32:40], sb.syncedGen)
	binary.LittleEndian.PutUint64(b[40:48], sb.nextLBA)
	binary.LittleEndian.PutUint64(b[48:56], sb.sizeUnits)
	binary.LittleEndian.PutUint32(b[56:60], uint32(len(sb.pages)))
	binary.LittleEndian.PutUint32(b[60:64], sb.flags)
	for i, r := range sb.pages {
		putRef(b[sbHeaderSize+i*refSize:], r)
	}
	binary.LittleEndian.PutUint32(b[12:16], crc32.Checksum(b, castagnoli))
}

// decodeSuperblock parses one slot. It returns ErrBadMagic, ErrVersion or a
// *CorruptError wrapping ErrChecksum.
func decodeSuperblock(b []byte, slot int) (*superblock, error) {
	if len(b) < sbHeaderSize || string(b[0:8]) != superMagic {
		return nil, ErrBadMagic
	}
	want := binary.LittleEndian.Uint32(b[12:16])
	var zero [4]byte
	c := crc32.Update(0, castagnoli, b[:12])
	c = crc32.Update(c, castagnoli, zero[:])
	c = crc32.Update(c, castagnoli, b[16:])
	if c != want {
		return nil, &superError{slot: slot, err: ErrChecksum}
	}
	sb := &superblock{
		version:   FormatVersion(binary.LittleEndian.Uint32(b[8:12])),
		blockSize: binary.LittleEndian.Uint32(b[16:20]),
		unitSize:  binary.LittleEndian.Uint32(b[20:24]),
		gen:       binary.LittleEndian.Uint64(b[24:32]),
		syncedGen: binary.LittleEndian.Uint64(b[32:40]),
		nextLBA:   binary.LittleEndian.Uint64(b[40:48]),
		sizeUnits: binary.LittleEndian.Uint64(b[48:56]),
		flags:     binary.LittleEndian.Uint32(b[60:64]),
	}
	if sb.version != FormatV1 && sb.version != FormatV2 && sb.version != FormatV3 {
		return nil, ErrVersion
	}
	n := int(binary.LittleEndian.Uint32(b[56:60]))
	if sb.blockSize != uint32(len(b)) || n > (len(b)-sbHeaderSize)/refSize {
		return nil, &superError{slot: slot, err: ErrChecksum}
	}
	sb.pages = make([]ref, n)
	for i := range sb.pages {
		sb.pages[i] = getRef(b[sbHeaderSize+i*refSize:])
	}
	return sb, nil
}

// superError reports a bad superblock slot; it wraps both ErrCorrupt and
// the specific cause.
type superError struct {
	slot int
	err  error
}

func (e *superError) Error() string {
	return "bedrock: superblock slot " + string(rune('0'+e.slot)) + ": " + e.err.Error()
}

// Unwrap returns the cause and ErrCorrupt.
func (e *superError) Unwrap() []error { return []error{e.err, ErrCorrupt} }
