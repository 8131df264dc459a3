package wire

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/bxdb/bxdb/engine/bxtree"
)

// Version is the version of the format this package reads and writes
// (version 1, without LARGE and PART, and version 2, without frame
// checksums, are retired).
const Version = 3

// Magic opens every HELLO frame.
const Magic = "bxsync"

// MaxFrame is the default limit on a frame's length.
const MaxFrame = 4 << 20

// Frame types.
const (
	TypeHello   = 1
	TypeAccept  = 2
	TypeError   = 3
	TypeRanges  = 4
	TypeRecords = 5
	TypeWants   = 6
	TypeEnd     = 7
	TypeDone    = 8
	TypeLarge   = 9
	TypePart    = 10
)

// Range entry kinds.
const (
	KindSkip        = 0
	KindFingerprint = 1
	KindItems       = 2
)

// Flags.
const (
	FlagDead  = 1 // item or record: a tombstone
	FlagFinal = 1 // END: the turn expects only DONE
)

var (
	// ErrCorrupt is returned (wrapped) when a frame does not decode: a bad
	// length, an unknown type or kind, a truncated or overlong field, bytes
	// left over, bounds out of order.
	ErrCorrupt = errors.New("osynch/wire: malformed frame")
	// ErrTooLarge is returned (wrapped) when a frame's length exceeds the
	// reader's limit, or a frame to write would.
	ErrTooLarge = errors.New("osynch/wire: frame too large")
)

// corruptf returns an error wrapping ErrCorrupt.
func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// Item is one item of an ITEMS range entry.
type Item struct {
	Key     []byte
	Version uint64
	Dead    bool
	Digest  bxtree.Digest
}

// Record is one record of a RECORDS frame; Value is nil for a tombstone.
type Record struct {
	Key     []byte
	Version uint64
	Dead    bool
	Value   []byte
}

// Entry is one interval of a RANGES frame: it ends at Bound (nil =
// +infinity) and starts where the previous entry ended.
type Entry struct {
	Kind  uint8
	Bound []byte
	Count uint64        // FINGERPRINT
	Sum   bxtree.Digest // FINGERPRINT
	Items []Item        // ITEMS
}

// Frame is one decoded frame. Byte slices alias the reader's buffer and
// stay valid until the next ReadFrame.
type Frame struct {
	Type    uint8
	Version uint8    // HELLO, ACCEPT
	Subject []byte   // HELLO
	Message string   // ERROR
	Entries []Entry  // RANGES
	Records []Record // RECORDS; LARGE: one record, its Value nil
	Length  uint64   // LARGE: the length of the value the PART frames carry
	Chunk   []byte   // PART
	Keys    [][]byte // WANTS
	Flags   uint8    // END
}

// Writer writes frames to a stream, buffered; Flush sends them.
type Writer struct {
	w     *bufio.Writer
	buf   []byte // the frame being built, length prefix included
	limit int
	n     int64
}

// NewWriter returns a writer of frames of at most limit bytes
// (limit <= 0: MaxFrame).
func NewWriter(w io.Writer, limit int) *Writer {
	if limit <= 0 {
		limit = MaxFrame
	}
	return &Writer{w: bufio.NewWriterSize(w, 64<<10), limit: limit}
}

// Written returns the number of bytes written so far, flushed or not.
func (w *Writer) Written() int64 { return w.n }

// Limit returns the largest frame the writer writes.
func (w *Writer) Limit() int { return w.limit }

// Flush sends the buffered frames.
func (w *Writer) Flush() error { return w.w.Flush() }

// begin starts a frame of type typ.
func (w *Writer) begin(typ uint8) {
	w.buf = append(w.buf[:0], 0, 0, 0, 0, typ)
}

// finish writes the frame built since begin.
func (w *Writer) finish() error {
	n := len(w.buf) - 4
	if n > w.limit {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, n, w.limit)
	}
	binary.BigEndian.PutUint32(w.buf, uint32(n))
	w.buf = binary.BigEndian.AppendUint32(w.buf, crc32.Checksum(w.buf, castagnoli))
	w.n += int64(len(w.buf))
	_, err := w.w.Write(w.buf)
	return err
}

// castagnoli is the CRC-32C table of the frame checksums.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ChecksumSize is the size of the checksum that ends every frame.
const ChecksumSize = 4

// Hello writes a HELLO frame.
func (w *Writer) Hello(subject []byte) error {
	w.begin(TypeHello)
	w.buf = append(w.buf, Magic...)
	w.buf = append(w.buf, Version)
	w.buf = appendBytes(w.buf, subject)
	return w.finish()
}

// Accept writes an ACCEPT frame.
func (w *Writer) Accept() error {
	w.begin(TypeAccept)
	w.buf = append(w.buf, Version)
	return w.finish()
}

// Error writes an ERROR frame (the message cut to 1 KiB).
func (w *Writer) Error(msg string) error {
	if len(msg) > 1024 {
		msg = msg[:1024]
	}
	w.begin(TypeError)
	w.buf = appendBytes(w.buf, []byte(msg))
	return w.finish()
}

// End writes an END frame.
func (w *Writer) End(flags uint8) error {
	w.begin(TypeEnd)
	w.buf = append(w.buf, flags)
	return w.finish()
}

// Done writes a DONE frame.
func (w *Writer) Done() error {
	w.begin(TypeDone)
	return w.finish()
}

// EntrySize returns the encoded size of e, for callers that split entries
// over frames.
func EntrySize(e *Entry) int {
	n := 1 + boundSize(e.Bound)
	switch e.Kind {
	case KindFingerprint:
		n += uvSize(e.Count) + bxtree.DigestSize
	case KindItems:
		n += uvSize(uint64(len(e.Items)))
		for i := range e.Items {
			n += ItemSize(&e.Items[i])
		}
	}
	return n
}

// ItemSize returns the encoded size of an item.
func ItemSize(it *Item) int {
	return bytesSize(it.Key) + uvSize(it.Version) + 1 + bxtree.DigestSize
}

// RecordSize returns the encoded size of a record.
func RecordSize(r *Record) int {
	n := bytesSize(r.Key) + uvSize(r.Version) + 1
	if !r.Dead {
		n += bytesSize(r.Value)
	}
	return n
}

// KeySize returns the encoded size of a WANTS key.
func KeySize(k []byte) int { return bytesSize(k) }

// Overhead is the size of a frame with an empty list: length, type, a
// count of up to 5 bytes and the checksum.
const Overhead = 4 + 1 + 5 + ChecksumSize

// Ranges writes a RANGES frame.
func (w *Writer) Ranges(es []Entry) error {
	w.begin(TypeRanges)
	w.buf = binary.AppendUvarint(w.buf, uint64(len(es)))
	for i := range es {
		e := &es[i]
		w.buf = append(w.buf, e.Kind)
		w.buf = appendBound(w.buf, e.Bound)
		switch e.Kind {
		case KindFingerprint:
			w.buf = binary.AppendUvarint(w.buf, e.Count)
			w.buf = append(w.buf, e.Sum[:]...)
		case KindItems:
			w.buf = binary.AppendUvarint(w.buf, uint64(len(e.Items)))
			for j := range e.Items {
				it := &e.Items[j]
				w.buf = appendBytes(w.buf, it.Key)
				w.buf = binary.AppendUvarint(w.buf, it.Version)
				w.buf = append(w.buf, flagsOf(it.Dead))
				w.buf = append(w.buf, it.Digest[:]...)
			}
		}
	}
	return w.finish()
}

// Records writes a RECORDS frame.
func (w *Writer) Records(rs []Record) error {
	w.begin(TypeRecords)
	w.buf = binary.AppendUvarint(w.buf, uint64(len(rs)))
	for i := range rs {
		r := &rs[i]
		w.buf = appendBytes(w.buf, r.Key)
		w.buf = binary.AppendUvarint(w.buf, r.Version)
		w.buf = append(w.buf, flagsOf(r.Dead))
		if !r.Dead {
			w.buf = appendBytes(w.buf, r.Value)
		}
	}
	return w.finish()
}

// Large writes a LARGE frame: it starts a live record whose value, of
// length bytes, follows in PART frames (see the package documentation).
func (w *Writer) Large(key []byte, version, length uint64) error {
	w.begin(TypeLarge)
	w.buf = appendBytes(w.buf, key)
	w.buf = binary.AppendUvarint(w.buf, version)
	w.buf = binary.AppendUvarint(w.buf, length)
	return w.finish()
}

// Part writes a PART frame carrying chunk, the next bytes of the value of
// the record a LARGE frame started.
func (w *Writer) Part(chunk []byte) error {
	w.begin(TypePart)
	w.buf = appendBytes(w.buf, chunk)
	return w.finish()
}

// Wants writes a WANTS frame.
func (w *Writer) Wants(keys [][]byte) error {
	w.begin(TypeWants)
	w.buf = binary.AppendUvarint(w.buf, uint64(len(keys)))
	for _, k := range keys {
		w.buf = appendBytes(w.buf, k)
	}
	return w.finish()
}

func flagsOf(dead bool) uint8 {
	if dead {
		return FlagDead
	}
	return 0
}

func uvSize(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func bytesSize(b []byte) int { return uvSize(uint64(len(b))) + len(b) }

func boundSize(b []byte) int {
	if b == nil {
		return 1
	}
	return uvSize(uint64(len(b))+1) + len(b)
}

func appendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

func appendBound(dst, b []byte) []byte {
	if b == nil {
		return append(dst, 0)
	}
	dst = binary.AppendUvarint(dst, uint64(len(b))+1)
	return append(dst, b...)
}

// Reader reads frames from a stream.
type Reader struct {
	r     *bufio.Reader
	buf   []byte
	limit int
	n     int64
}

// NewReader returns a reader of frames of at most limit bytes
// (limit <= 0: MaxFrame).
func NewReader(r io.Reader, limit int) *Reader {
	if limit <= 0 {
		limit = MaxFrame
	}
	return &Reader{r: bufio.NewReaderSize(r, 64<<10), limit: limit}
}

// Read returns the number of bytes read so far.
func (r *Reader) Read() int64 { return r.n }

// ReadFrame reads and decodes the next frame. A stream that ends cleanly
// between frames gives io.EOF; one that ends inside a frame gives
// io.ErrUnexpectedEOF.
func (r *Reader) ReadFrame() (*Frame, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r.r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n == 0 {
		return nil, corruptf("empty frame")
	}
	if int64(n) > int64(r.limit) {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, n, r.limit)
	}
	var sum [ChecksumSize]byte
	if err := r.fill(int(n)); err == nil {
		_, err = io.ReadFull(r.r, sum[:])
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	} else {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	r.n += 4 + int64(n) + ChecksumSize
	crc := crc32.Update(crc32.Checksum(hdr[:], castagnoli), castagnoli, r.buf)
	if crc != binary.BigEndian.Uint32(sum[:]) {
		return nil, corruptf("frame checksum mismatch (the stream was damaged in transit, or the peer speaks an older version)")
	}
	return Decode(r.buf)
}

// firstChunk is the most a Reader reserves for a frame before its bytes
// arrive.
const firstChunk = 64 << 10

// fill reads the n bytes of a frame into r.buf. The buffer grows with the
// bytes that actually arrive (at most doubling, from firstChunk), never
// with the announced length alone: a peer that sends a frame's length and
// then stalls or hangs up makes the reader reserve firstChunk, not the
// length (up to the limit) for every connection.
func (r *Reader) fill(n int) error {
	r.buf = r.buf[:0]
	for len(r.buf) < n {
		if len(r.buf) == cap(r.buf) {
			grown := make([]byte, len(r.buf), min(n, max(2*cap(r.buf), firstChunk)))
			copy(grown, r.buf)
			r.buf = grown
		}
		m := min(n, cap(r.buf))
		k, err := io.ReadFull(r.r, r.buf[len(r.buf):m])
		r.buf = r.buf[:len(r.buf)+k]
		if err != nil {
			return err
		}
	}
	return nil
}

// Decode decodes one frame's type and payload (the bytes after the
// length). Byte slices of the result alias b.
func Decode(b []byte) (*Frame, error) {
	d := decoder{b: b[1:]}
	f := &Frame{Type: b[0]}
	switch f.Type {
	case TypeHello:
		if !bytes.HasPrefix(d.b, []byte(Magic)) {
			return nil, corruptf("HELLO without magic")
		}
		d.b = d.b[len(Magic):]
		f.Version = d.byte()
		f.Subject = d.bytes()
	case TypeAccept:
		f.Version = d.byte()
	case TypeError:
		f.Message = string(d.bytes())
	case TypeRanges:
		n := d.count(2)
		f.Entries = make([]Entry, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			e := Entry{Kind: d.byte(), Bound: d.bound()}
			switch e.Kind {
			case KindSkip:
			case KindFingerprint:
				e.Count = d.uvarint()
				d.digest(&e.Sum)
			case KindItems:
				m := d.count(1 + 1 + 1 + bxtree.DigestSize)
				e.Items = make([]Item, 0, m)
				for j := 0; j < m && d.err == nil; j++ {
					it := Item{Key: d.bytes(), Version: d.uvarint()}
					it.Dead = d.flags() == FlagDead
					d.digest(&it.Digest)
					e.Items = append(e.Items, it)
				}
			default:
				d.fail("unknown range kind %d", e.Kind)
			}
			f.Entries = append(f.Entries, e)
		}
	case TypeRecords:
		n := d.count(3)
		f.Records = make([]Record, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			rec := Record{Key: d.bytes(), Version: d.uvarint()}
			rec.Dead = d.flags() == FlagDead
			if !rec.Dead {
				rec.Value = d.bytes()
				if rec.Value == nil {
					rec.Value = []byte{}
				}
			}
			f.Records = append(f.Records, rec)
		}
	case TypeWants:
		n := d.count(1)
		f.Keys = make([][]byte, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			f.Keys = append(f.Keys, d.bytes())
		}
	case TypeLarge:
		f.Records = []Record{{Key: d.bytes(), Version: d.uvarint()}}
		f.Length = d.uvarint()
	case TypePart:
		f.Chunk = d.bytes()
	case TypeEnd:
		f.Flags = d.byte()
		if f.Flags&^FlagFinal != 0 {
			d.fail("unknown END flags %#x", f.Flags)
		}
	case TypeDone:
	default:
		return nil, corruptf("unknown frame type %d", f.Type)
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d bytes after a frame of type %d", len(d.b), f.Type)
	}
	if d.err != nil {
		return nil, d.err
	}
	return f, nil
}

// decoder reads fields from a payload, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = corruptf(format, args...)
	}
	d.b = nil
}

func (d *decoder) byte() uint8 {
	if len(d.b) < 1 {
		d.fail("truncated")
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) flags() uint8 {
	f := d.byte()
	if f&^FlagDead != 0 {
		d.fail("unknown flags %#x", f)
	}
	return f
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 || n != uvSize(v) {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a list length, each element taking at least min bytes, so a
// lying count cannot make the decoder allocate beyond the frame.
func (d *decoder) count(min int) int {
	v := d.uvarint()
	if d.err == nil && v > uint64(len(d.b)/min) {
		d.fail("count %d exceeds the frame", v)
		return 0
	}
	return int(v)
}

func (d *decoder) take(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail("truncated")
		return nil
	}
	b := d.b[:n:n]
	d.b = d.b[n:]
	return b
}

func (d *decoder) bytes() []byte { return d.take(d.uvarint()) }

func (d *decoder) bound() []byte {
	n := d.uvarint()
	if n == 0 || d.err != nil {
		return nil
	}
	b := d.take(n - 1)
	if b == nil && d.err == nil {
		b = []byte{}
	}
	return b
}

func (d *decoder) digest(dst *bxtree.Digest) {
	copy(dst[:], d.take(bxtree.DigestSize))
}
