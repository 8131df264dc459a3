package sqlfront

// Row encoding: the values of a table row, as stored in the primary index.
//
//	+--------+----------------+-------------+----------+-----+----------+
//	| format | schema version | stored cols | column 0 | ... | column n |
//	| 1 byte | uvarint        | uvarint     |          |     |          |
//	+--------+----------------+-------------+----------+-----+----------+
//
//	column := tag (1 byte) | payload
//
//	tag  kind       payload
//	0    NULL       none
//	1    int        zigzag varint
//	2    uint       uvarint (only values above MaxInt64 use it)
//	3    float      8 bytes, little-endian IEEE 754 bits (finite)
//	4    decimal    uvarint length | canonical text ("-12.50")
//	5    string     uvarint length | bytes
//	6    bytes      uvarint length | bytes
//	7    time       zigzag varint Unix seconds | uvarint nanoseconds |
//	                uvarint Value.I (time type and fsp, see value.go)
//
// The format byte is rowFormatV1. Each incompatible change gets a new
// constant; retired values are never reused. The schema version is the
// engine's table schema version when the row was written. A row written
// before ALTER TABLE ... ADD COLUMN stores fewer columns: DecodeRow
// reports how many were stored, and the engine fills the others with
// their defaults. Everything here is stable on disk, including the
// durationEpoch of TIME values.

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// Row format versions.
const (
	rowFormatV1 byte = 1 // the format drawn above
)

// Row column tags.
const (
	rowTagNull    = 0
	rowTagInt     = 1
	rowTagUint    = 2
	rowTagFloat   = 3
	rowTagDecimal = 4
	rowTagString  = 5
	rowTagBytes   = 6
	rowTagTime    = 7
)

// RowInfo describes an encoded row.
type RowInfo struct {
	SchemaVersion uint32 // as passed to EncodeRow
	// Stored is the number of columns the row holds. Values beyond Stored
	// (columns added after the row was written) decode as NULL; the engine
	// replaces them with the columns' defaults.
	Stored int
}

// EncodeRow appends the encoding of vals, written under schemaVersion, to
// dst.
func EncodeRow(dst []byte, schemaVersion uint32, vals []Value) []byte {
	dst = append(dst, rowFormatV1)
	dst = binary.AppendUvarint(dst, uint64(schemaVersion))
	dst = binary.AppendUvarint(dst, uint64(len(vals)))
	for _, v := range vals {
		dst = appendRowValue(dst, v)
	}
	return dst
}

// appendRowValue appends one column.
func appendRowValue(dst []byte, v Value) []byte {
	switch v.K {
	case KindInt:
		dst = append(dst, rowTagInt)
		return binary.AppendVarint(dst, v.I)
	case KindUint:
		dst = append(dst, rowTagUint)
		return binary.AppendUvarint(dst, v.U)
	case KindFloat:
		dst = append(dst, rowTagFloat)
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v.F))
	case KindDecimal, KindString, KindBytes:
		tag := byte(rowTagString)
		switch v.K {
		case KindDecimal:
			tag = rowTagDecimal
		case KindBytes:
			tag = rowTagBytes
		}
		dst = append(dst, tag)
		dst = binary.AppendUvarint(dst, uint64(len(v.S)))
		return append(dst, v.S...)
	case KindTime:
		dst = append(dst, rowTagTime)
		dst = binary.AppendVarint(dst, v.T.Unix())
		dst = binary.AppendUvarint(dst, uint64(v.T.Nanosecond()))
		return binary.AppendUvarint(dst, uint64(v.I))
	}
	return append(dst, rowTagNull)
}

// errRow returns a corruption error.
func errRow(format string, args ...any) error {
	return fmt.Errorf("%w: row: "+format, append([]any{ErrCorrupt}, args...)...)
}

// rowReader reads an encoded row.
type rowReader struct {
	src []byte
	pos int
}

func (r *rowReader) uvarint() (uint64, error) {
	if r.pos < len(r.src) && r.src[r.pos] < 0x80 { // one byte: most lengths
		r.pos++
		return uint64(r.src[r.pos-1]), nil
	}
	u, n := binary.Uvarint(r.src[r.pos:])
	if n <= 0 {
		return 0, errRow("bad uvarint at byte %d", r.pos)
	}
	r.pos += n
	return u, nil
}

func (r *rowReader) varint() (int64, error) {
	i, n := binary.Varint(r.src[r.pos:])
	if n <= 0 {
		return 0, errRow("bad varint at byte %d", r.pos)
	}
	r.pos += n
	return i, nil
}

// text reads a length-prefixed string.
func (r *rowReader) text() (string, error) {
	n, err := r.uvarint()
	if err != nil {
		return "", err
	}
	if n > uint64(len(r.src)-r.pos) {
		return "", errRow("length %d overruns the row at byte %d", n, r.pos)
	}
	s := string(r.src[r.pos : r.pos+int(n)])
	r.pos += int(n)
	return s, nil
}

// Unix seconds of years 0 and 10000, the range of stored times.
const (
	minRowUnix = -62167219200
	maxRowUnix = 253402300800
)

// value reads one column.
func (r *rowReader) value() (Value, error) {
	var v Value
	err := r.valueInto(&v)
	return v, err
}

// valueInto reads one column into *v (on error, *v is unspecified): a
// scan decodes into its row without copying the Value.
func (r *rowReader) valueInto(v *Value) error {
	if r.pos >= len(r.src) {
		return errRow("truncated at byte %d", r.pos)
	}
	tag := r.src[r.pos]
	r.pos++
	switch tag {
	case rowTagNull:
		*v = Null
		return nil
	case rowTagInt:
		i, err := r.varint()
		*v = IntValue(i)
		return err
	case rowTagUint:
		u, err := r.uvarint()
		if err != nil {
			return err
		}
		if u <= math.MaxInt64 {
			return errRow("non-canonical uint %d", u)
		}
		*v = Value{K: KindUint, U: u}
		return nil
	case rowTagFloat:
		if len(r.src)-r.pos < 8 {
			return errRow("truncated float at byte %d", r.pos)
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(r.src[r.pos:]))
		if math.IsNaN(f) || math.IsInf(f, 0) { // columns never hold them (coercion refuses)
			return errRow("non-finite float at byte %d", r.pos)
		}
		r.pos += 8
		*v = FloatValue(f)
		return nil
	case rowTagDecimal:
		s, err := r.text()
		if err != nil {
			return err
		}
		if _, err := ParseDecimal(s); err != nil {
			return errRow("bad decimal %q", s)
		}
		*v = Value{K: KindDecimal, S: s}
		return nil
	case rowTagString:
		s, err := r.text()
		*v = Value{K: KindString, S: s}
		return err
	case rowTagBytes:
		s, err := r.text()
		*v = Value{K: KindBytes, S: s}
		return err
	case rowTagTime:
		sec, err := r.varint()
		if err != nil {
			return err
		}
		ns, err := r.uvarint()
		if err != nil {
			return err
		}
		meta, err := r.uvarint()
		if err != nil {
			return err
		}
		if sec < minRowUnix || sec > maxRowUnix || ns >= 1e9 || meta&0xff > uint64(TimeDuration) || meta>>8 > 7 {
			return errRow("bad time")
		}
		*v = Value{K: KindTime, T: time.Unix(sec, int64(ns)).UTC(), I: int64(meta)}
		return nil
	}
	return errRow("bad tag %d at byte %d", tag, r.pos-1)
}

// DecodeRow decodes a row into ncols values (the table's current column
// count). Stored columns beyond ncols are checked and ignored; missing
// ones are NULL and reported by RowInfo.Stored < ncols. Errors wrap
// ErrCorrupt; DecodeRow never panics. The values do not alias src.
func DecodeRow(src []byte, ncols int) ([]Value, RowInfo, error) {
	return AppendDecodeRow(nil, src, ncols)
}

// AppendDecodeRow is DecodeRow appending the ncols values to dst, to reuse
// a buffer when scanning.
func AppendDecodeRow(dst []Value, src []byte, ncols int) ([]Value, RowInfo, error) {
	var info RowInfo
	if ncols < 0 {
		return dst, info, fmt.Errorf("sqlfront: DecodeRow: negative column count %d", ncols)
	}
	if len(src) == 0 || src[0] != rowFormatV1 {
		return dst, info, errRow("unknown format")
	}
	r := &rowReader{src: src, pos: 1}
	sv, err := r.uvarint()
	if err != nil {
		return dst, info, err
	}
	if sv > math.MaxUint32 {
		return dst, info, errRow("schema version %d too large", sv)
	}
	stored, err := r.uvarint()
	if err != nil {
		return dst, info, err
	}
	if stored > uint64(len(src)-r.pos) {
		return dst, info, errRow("%d columns in %d bytes", stored, len(src)-r.pos)
	}
	info = RowInfo{SchemaVersion: uint32(sv), Stored: int(stored)}
	for i := 0; i < int(stored); i++ {
		v, err := r.value()
		if err != nil {
			return dst, info, err
		}
		if i < ncols {
			dst = append(dst, v)
		}
	}
	for i := int(stored); i < ncols; i++ {
		dst = append(dst, Null)
	}
	if r.pos != len(src) {
		return dst, info, errRow("%d trailing bytes", len(src)-r.pos)
	}
	return dst, info, nil
}

// decodeRowInto decodes a row into dst, which holds one slot per stored
// field the caller knows (len(dst) is the table's field count): slot f
// gets field f when want is nil or want[f] (f < len(want)), and NULL
// otherwise, where the field is only stepped over (a scan that reads two
// columns of ten does not build the other eight); past len(want) the
// row is not read at all. Fields beyond len(dst) are stepped
// over, slots beyond the stored fields are NULL; info.Stored tells the
// caller which to fill with defaults. Errors wrap ErrCorrupt.
func decodeRowInto(dst []Value, src []byte, want []bool) (info RowInfo, err error) {
	if len(src) == 0 || src[0] != rowFormatV1 {
		return info, errRow("unknown format")
	}
	r := rowReader{src: src, pos: 1}
	sv, err := r.uvarint()
	if err != nil {
		return info, err
	}
	if sv > math.MaxUint32 {
		return info, errRow("schema version %d too large", sv)
	}
	stored, err := r.uvarint()
	if err != nil {
		return info, err
	}
	if stored > uint64(len(src)-r.pos) {
		return info, errRow("%d columns in %d bytes", stored, len(src)-r.pos)
	}
	info = RowInfo{SchemaVersion: uint32(sv), Stored: int(stored)}
	for i := 0; i < int(stored); i++ {
		if want != nil && i >= len(want) {
			// No field from here on is wanted: the rest of the row is
			// not even stepped over (the record's digest vouches for it).
			for j := i; j < len(dst); j++ {
				if dst[j].K != KindNull {
					dst[j] = Null
				}
			}
			return info, nil
		}
		if i < len(dst) && (want == nil || want[i]) {
			if err := r.valueInto(&dst[i]); err != nil {
				return info, err
			}
			continue
		}
		if err := r.skip(); err != nil {
			return info, err
		}
		if i < len(dst) && dst[i].K != KindNull {
			dst[i] = Null
		}
	}
	for i := int(stored); i < len(dst); i++ {
		dst[i] = Null
	}
	if r.pos != len(src) {
		return info, errRow("%d trailing bytes", len(src)-r.pos)
	}
	return info, nil
}

// skip steps over one column, checking only that it lies within the row.
func (r *rowReader) skip() error {
	if r.pos >= len(r.src) {
		return errRow("truncated at byte %d", r.pos)
	}
	tag := r.src[r.pos]
	r.pos++
	switch tag {
	case rowTagNull:
		return nil
	case rowTagInt, rowTagUint:
		return r.skipVarint()
	case rowTagFloat:
		if len(r.src)-r.pos < 8 {
			return errRow("truncated float at byte %d", r.pos)
		}
		r.pos += 8
		return nil
	case rowTagDecimal, rowTagString, rowTagBytes:
		var n uint64
		if r.pos < len(r.src) && r.src[r.pos] < 0x80 { // one byte: most lengths
			n = uint64(r.src[r.pos])
			r.pos++
		} else {
			var err error
			if n, err = r.uvarint(); err != nil {
				return err
			}
		}
		if n > uint64(len(r.src)-r.pos) {
			return errRow("length %d overruns the row at byte %d", n, r.pos)
		}
		r.pos += int(n)
		return nil
	case rowTagTime:
		for range 3 {
			if err := r.skipVarint(); err != nil {
				return err
			}
		}
		return nil
	}
	return errRow("bad tag %d at byte %d", tag, r.pos-1)
}

// skipVarint steps over a varint or uvarint, refusing what
// binary.Uvarint refuses (a truncated or overlong encoding, one above 64
// bits).
func (r *rowReader) skipVarint() error {
	for i, b := range r.src[r.pos:] {
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				break
			}
			r.pos += i + 1
			return nil
		}
		if i == binary.MaxVarintLen64-1 {
			break
		}
	}
	return errRow("bad varint at byte %d", r.pos)
}

// RowSchemaVersion returns the schema version of an encoded row without
// decoding its values.
func RowSchemaVersion(src []byte) (uint32, error) {
	if len(src) == 0 || src[0] != rowFormatV1 {
		return 0, errRow("unknown format")
	}
	r := &rowReader{src: src, pos: 1}
	sv, err := r.uvarint()
	if err != nil {
		return 0, err
	}
	if sv > math.MaxUint32 {
		return 0, errRow("schema version %d too large", sv)
	}
	return uint32(sv), nil
}
