package sqlfront

// Order-preserving ("memcomparable") key encoding.
//
// A key is the concatenation of its columns' encodings. For values of each
// column's type (as Coerce returns them), bytes.Compare of two keys is the
// order of their tuples by CompareForSort, column by column, reversed for
// DESC columns; equal encodings mean equal values (strings by the
// collation, so 'a' and 'A' collide in a UNIQUE index, as in MySQL). Every
// column encoding is self-delimiting, so a key can be followed by more
// columns (a secondary index entry followed by the primary key) and a
// prefix of columns is a valid range bound.
//
// Column encoding (ASC):
//
//	+------+                      +------+------------------+
//	| 0x00 |  NULL (sorts first)  | 0x01 | body (by type)   |  non-NULL
//	+------+                      +------+------------------+
//
//	DESC columns: every byte of the column (marker and body) is inverted
//	(b ^ 0xFF), so NULLs sort last, as in MySQL's ORDER BY ... DESC.
//
// Bodies by column type:
//
//	TINYINT..BIGINT, BOOL, YEAR   8 bytes big-endian of uint64(v) ^ 1<<63
//	  ... UNSIGNED, BIT           8 bytes big-endian of uint64(v)
//	FLOAT, DOUBLE                 8 bytes big-endian: bits|1<<63 if v >= 0,
//	                              ^bits if v < 0 (-0 is encoded as +0)
//	DATE, DATETIME, TIMESTAMP     8 bytes big-endian of UnixMicro ^ 1<<63
//	TIME                          8 bytes big-endian of microseconds ^ 1<<63
//	DECIMAL(P,S)                  the coefficient at scale S as a signed
//	                              integer:
//	                                +------+                   zero
//	                                | 0x80 |
//	                                +------+------------------+
//	                                | 0x80+n | n bytes |c| BE |  c > 0
//	                                +--------+----------------+
//	                                | 0x80-n | n bytes ^|c| BE |  c < 0
//	                                +--------+----------------+
//	CHAR, VARCHAR, TEXT, JSON,    by the column's collation (collation.go):
//	ENUM                          default (utf8mb4_0900_ai_ci, NO PAD):
//	                              the folded form (FoldString:
//	                              lower-cased); PAD SPACE *_ci: the same
//	                              after removing trailing spaces; escaped:
//	                                0x00 → 0x00 0xFF; then 0x00 0x01 ends it
//	                              *_bin (PAD SPACE, e.g. utf8mb4_bin): the
//	                              UTF-8 bytes as stored, trailing spaces
//	                              removed, not folded, escaped the same way:
//	                                +----------------------+-----------+
//	                                | bytes (0x00 escaped) | 0x00 0x01 |
//	                                +----------------------+-----------+
//	                              utf8mb4_0900_bin (NO PAD): the same,
//	                              trailing spaces kept
//	                              *_cs (e.g. latin1_general_cs, PAD
//	                              SPACE: trailing spaces removed first;
//	                              utf8mb4_0900_as_cs, NO PAD: kept): the
//	                              lower-cased form escaped, then the
//	                              bytes with the case of ASCII letters
//	                              swapped (lower case sorts first),
//	                              escaped; decoding swaps back:
//	                                +----------+-------+-----------+-------+
//	                                | lower(s) | 00 01 | swap(s)   | 00 01 |
//	                                +----------+-------+-----------+-------+
//	BINARY, VARBINARY, BLOB       the bytes, escaped the same way
//	TypeAny (untyped)             a class byte, then:
//	                                0x10 number: 0x80 zero, or sign byte
//	                                     (0xC0 positive, 0x40 negative),
//	                                     2-byte exponent + 0x8000, decimal
//	                                     digits as ASCII, 0x00; all but
//	                                     the sign byte inverted if negative
//	                                0x20 string, 0x30 bytes (escaped as
//	                                     above), 0x40 time (8 bytes); a
//	                                     string is folded, or by the
//	                                     collation its value carries:
//	                                     _bin as above, _cs its bytes
//	                                     (one escaped body)
//
// A column's collation is fixed at CREATE TABLE (or by an ALTER TABLE that
// rebuilds its indexes), so the keys of a tree share one string layout;
// catalogs without collations have only the default one.
//
// Decoding returns the folded form of default-collation strings (the row
// holds the original; _bin and _cs strings come back as stored, without
// the trailing spaces of PAD SPACE collations)
// and, for ENUM, the member's declared spelling. NB: ENUM keys order by
// the collation, not by member index (MySQL's ORDER BY order), and TypeAny
// keys decode numbers as KindInt when integral and KindDecimal otherwise.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// The range of DATE/DATETIME keys: years 0 to 9999.
const (
	minKeyMicros = -62167219200 * 1e6
	maxKeyMicros = 253402300800*1e6 - 1
)

// Key markers.
const (
	keyNull    = 0x00
	keyNotNull = 0x01
)

// TypeAny class bytes.
const (
	keyClassNumber = 0x10
	keyClassString = 0x20
	keyClassBytes  = 0x30
	keyClassTime   = 0x40
)

// AppendKey appends the key encoding of v as a column of type t (see the
// top of keyenc.go), inverted if desc. v should be a value that Coerce
// returned for t; other kinds are converted as best they can be.
func AppendKey(dst []byte, v Value, t ColumnType, desc bool) []byte {
	start := len(dst)
	if v.K == KindNull {
		dst = append(dst, keyNull)
	} else {
		dst = append(dst, keyNotNull)
		dst = appendKeyBody(dst, v, t)
	}
	if desc {
		for i := start; i < len(dst); i++ {
			dst[i] ^= 0xFF
		}
	}
	return dst
}

// AppendKeyTuple appends the encodings of vals with types and descs
// (descs may be shorter than vals: missing entries are ASC).
func AppendKeyTuple(dst []byte, vals []Value, types []ColumnType, descs []bool) []byte {
	for i, v := range vals {
		dst = AppendKey(dst, v, types[i], i < len(descs) && descs[i])
	}
	return dst
}

// appendKeyBody appends the body of a non-NULL value.
func appendKeyBody(dst []byte, v Value, t ColumnType) []byte {
	switch t.Base {
	case TypeTinyInt, TypeSmallInt, TypeMediumInt, TypeInt, TypeBigInt, TypeBool, TypeYear, TypeBit:
		if t.Unsigned {
			var u uint64
			switch v.K {
			case KindUint:
				u = v.U
			case KindInt:
				u = uint64(max(v.I, 0))
			default:
				if r := castToUnsigned(v); r.K == KindUint {
					u = r.U
				} else {
					u = uint64(r.I)
				}
			}
			return binary.BigEndian.AppendUint64(dst, u)
		}
		i := v.I
		if v.K != KindInt {
			i = ToInt64(v)
		}
		return binary.BigEndian.AppendUint64(dst, uint64(i)^1<<63)
	case TypeFloat, TypeDouble:
		f := v.F
		if v.K != KindFloat {
			f = ToFloat64(v)
		}
		return appendKeyFloat(dst, f)
	case TypeDecimal:
		_, s := t.decimalPS()
		return appendKeyBigInt(dst, ToDecimal(v).Rescale(s).bigCoef())
	case TypeDate, TypeDatetime, TypeTimestamp:
		tm, ok := v.T, v.K == KindTime
		if !ok {
			tm, _ = toDatetime(v)
		}
		return binary.BigEndian.AppendUint64(dst, uint64(tm.UnixMicro())^1<<63)
	case TypeTime:
		d, _ := toDuration(v)
		return binary.BigEndian.AppendUint64(dst, uint64(d.Microseconds())^1<<63)
	case TypeChar, TypeVarChar, TypeText, TypeJSON, TypeEnum, TypeSet:
		s := v.S
		if v.K != KindString && v.K != KindBytes {
			s = Format(v)
		}
		return appendKeyString(dst, s, t.coll())
	case TypeBinary, TypeVarBinary, TypeBlob:
		s := v.S
		if v.K != KindString && v.K != KindBytes {
			s = Format(v)
		}
		return appendKeyEscapedString(dst, s)
	}
	return appendKeyAny(dst, v)
}

// appendKeyString appends the body of a string under collation class c
// (see the top of keyenc.go).
func appendKeyString(dst []byte, s string, c Collation) []byte {
	switch c.class() {
	case CollBin:
		return appendKeyEscapedString(dst, trimTrailingSpaces(s))
	case CollBinNoPad:
		return appendKeyEscapedString(dst, s)
	case CollCS, CollCSNoPad:
		var buf [64]byte
		if c.class() == CollCS {
			s = trimTrailingSpaces(s)
		}
		dst = appendKeyEscaped(dst, appendLower(buf[:0], s))
		return appendKeyEscaped(dst, appendSwapped(buf[:0], s))
	case CollCIPad:
		s = trimTrailingSpaces(s)
	}
	var buf [64]byte
	return appendKeyEscaped(dst, appendFold(buf[:0], s))
}

// appendKeyFloat appends the 8-byte order-preserving form of f.
func appendKeyFloat(dst []byte, f float64) []byte {
	if f == 0 {
		f = 0 // -0 → +0
	}
	b := math.Float64bits(f)
	if f < 0 {
		b = ^b
	} else {
		b |= 1 << 63
	}
	return binary.BigEndian.AppendUint64(dst, b)
}

// appendKeyBigInt appends the signed-integer form of DECIMAL.
func appendKeyBigInt(dst []byte, c *big.Int) []byte {
	switch c.Sign() {
	case 0:
		return append(dst, 0x80)
	case 1:
		mag := c.Bytes()
		dst = append(dst, byte(0x80+min(len(mag), 0x7F)))
		return append(dst, mag...)
	}
	mag := new(big.Int).Neg(c).Bytes()
	dst = append(dst, byte(0x80-min(len(mag), 0x7F)))
	for _, b := range mag {
		dst = append(dst, ^b)
	}
	return dst
}

// appendKeyEscaped appends b with 0x00 escaped as 0x00 0xFF, then 0x00 0x01.
func appendKeyEscaped(dst, b []byte) []byte {
	for {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			dst = append(dst, b...)
			break
		}
		dst = append(dst, b[:i+1]...)
		dst = append(dst, 0xFF)
		b = b[i+1:]
	}
	return append(dst, 0x00, 0x01)
}

// appendKeyEscapedString is appendKeyEscaped for a string.
func appendKeyEscapedString(dst []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, 0)
		if i < 0 {
			dst = append(dst, s...)
			break
		}
		dst = append(dst, s[:i+1]...)
		dst = append(dst, 0xFF)
		s = s[i+1:]
	}
	return append(dst, 0x00, 0x01)
}

// appendKeyAny appends the TypeAny (class-tagged) body.
func appendKeyAny(dst []byte, v Value) []byte {
	switch v.K {
	case KindString:
		dst = append(dst, keyClassString)
		switch v.C.class() {
		case CollCS:
			// One escaped body, as decodeKeyAny reads (byte order).
			return appendKeyEscapedString(dst, trimTrailingSpaces(v.S))
		case CollCSNoPad:
			return appendKeyEscapedString(dst, v.S)
		}
		return appendKeyString(dst, v.S, v.C)
	case KindBytes:
		dst = append(dst, keyClassBytes)
		return appendKeyEscapedString(dst, v.S)
	case KindTime:
		dst = append(dst, keyClassTime)
		return binary.BigEndian.AppendUint64(dst, uint64(v.T.UnixMicro())^1<<63)
	}
	dst = append(dst, keyClassNumber)
	return appendKeyNumber(dst, v)
}

// appendKeyNumber appends a number as sign, exponent and digits.
func appendKeyNumber(dst []byte, v Value) []byte {
	var text string
	switch v.K {
	case KindInt:
		text = strconv.FormatInt(v.I, 10)
	case KindUint:
		text = strconv.FormatUint(v.U, 10)
	case KindFloat:
		text = strconv.FormatFloat(v.F, 'e', -1, 64)
	default:
		text = ToDecimal(v).String()
	}
	neg, digits, exp := normalizeDecimalText(text)
	if digits == "" {
		return append(dst, 0x80)
	}
	var body [2]byte
	binary.BigEndian.PutUint16(body[:], uint16(int16(exp))+0x8000)
	if !neg {
		dst = append(dst, 0xC0, body[0], body[1])
		dst = append(dst, digits...)
		return append(dst, 0x00)
	}
	dst = append(dst, 0x40, ^body[0], ^body[1])
	for i := 0; i < len(digits); i++ {
		dst = append(dst, ^digits[i])
	}
	return append(dst, 0xFF)
}

// normalizeDecimalText turns "-123.4500" or "1.5e-3" into sign, significant
// digits without leading or trailing zeros ("12345"), and the exponent e
// with value = 0.digits × 10^e. Zero has no digits.
func normalizeDecimalText(s string) (neg bool, digits string, exp int) {
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	e := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, _ = strconv.Atoi(s[i+1:])
		s = s[:i]
	}
	ip, fp := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		ip, fp = s[:i], s[i+1:]
	}
	all := ip + fp
	exp = len(ip) + e
	lead := 0
	for lead < len(all) && all[lead] == '0' {
		lead++
	}
	all = all[lead:]
	exp -= lead
	all = strings.TrimRight(all, "0")
	if all == "" {
		return false, "", 0
	}
	return neg, all, exp
}

// --- Decoding ----------------------------------------------------------------

// keyReader reads a key, undoing the DESC inversion with mask.
type keyReader struct {
	src  []byte
	pos  int
	mask byte
}

// errKey returns a corruption error.
func errKey(format string, args ...any) error {
	return fmt.Errorf("%w: key: "+format, append([]any{ErrCorrupt}, args...)...)
}

func (r *keyReader) byte() (byte, error) {
	if r.pos >= len(r.src) {
		return 0, errKey("truncated at byte %d", r.pos)
	}
	b := r.src[r.pos] ^ r.mask
	r.pos++
	return b, nil
}

func (r *keyReader) uint64() (uint64, error) {
	if len(r.src)-r.pos < 8 {
		return 0, errKey("truncated at byte %d", r.pos)
	}
	u := binary.BigEndian.Uint64(r.src[r.pos:])
	if r.mask != 0 {
		u = ^u
	}
	r.pos += 8
	return u, nil
}

// bytes reads n bytes (unmasked copy).
func (r *keyReader) bytes(n int) ([]byte, error) {
	if n < 0 || len(r.src)-r.pos < n {
		return nil, errKey("truncated at byte %d", r.pos)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = r.src[r.pos+i] ^ r.mask
	}
	r.pos += n
	return b, nil
}

// escaped reads an escaped byte string up to its terminator.
func (r *keyReader) escaped() ([]byte, error) {
	var out []byte
	for {
		b, err := r.byte()
		if err != nil {
			return nil, err
		}
		if b != 0 {
			out = append(out, b)
			continue
		}
		e, err := r.byte()
		if err != nil {
			return nil, err
		}
		switch e {
		case 0xFF:
			out = append(out, 0)
		case 0x01:
			return out, nil
		default:
			return nil, errKey("bad escape 0x00 0x%02X at byte %d", e, r.pos-1)
		}
	}
}

// DecodeKey decodes a key of exactly len(types) columns (descs as for
// AppendKeyTuple). Strings come back folded (see the top of keyenc.go).
// Errors wrap ErrCorrupt; DecodeKey never panics.
func DecodeKey(src []byte, types []ColumnType, descs []bool) ([]Value, error) {
	vals, rest, err := DecodeKeyPrefix(src, types, descs)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, errKey("%d trailing bytes", len(rest))
	}
	return vals, nil
}

// DecodeKeyPrefix decodes the first len(types) columns of a key and
// returns the remaining bytes (e.g. the primary key after a secondary
// index's columns).
func DecodeKeyPrefix(src []byte, types []ColumnType, descs []bool) ([]Value, []byte, error) {
	vals := make([]Value, len(types))
	rest, err := decodeKeyInto(vals, src, types, descs)
	if err != nil {
		return nil, nil, err
	}
	return vals, rest, nil
}

// decodeKeyInto is DecodeKeyPrefix into vals (len(vals) == len(types)).
func decodeKeyInto(vals []Value, src []byte, types []ColumnType, descs []bool) ([]byte, error) {
	r := &keyReader{src: src}
	for i, t := range types {
		r.mask = 0
		if i < len(descs) && descs[i] {
			r.mask = 0xFF
		}
		m, err := r.byte()
		if err != nil {
			return nil, err
		}
		switch m {
		case keyNull:
			vals[i] = Null
			continue
		case keyNotNull:
		default:
			return nil, errKey("bad marker 0x%02X in column %d", m, i)
		}
		v, err := decodeKeyBody(r, t)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return src[r.pos:], nil
}

// decodeKeyBody decodes one non-NULL body.
func decodeKeyBody(r *keyReader, t ColumnType) (Value, error) {
	switch t.Base {
	case TypeTinyInt, TypeSmallInt, TypeMediumInt, TypeInt, TypeBigInt, TypeBool, TypeYear, TypeBit:
		u, err := r.uint64()
		if err != nil {
			return Null, err
		}
		if t.Unsigned {
			return UintValue(u), nil
		}
		return IntValue(int64(u ^ 1<<63)), nil
	case TypeFloat, TypeDouble:
		u, err := r.uint64()
		if err != nil {
			return Null, err
		}
		if u&(1<<63) != 0 {
			u &^= 1 << 63
		} else {
			u = ^u
		}
		return FloatValue(math.Float64frombits(u)), nil
	case TypeDecimal:
		p, s := t.decimalPS()
		c, err := r.bigInt()
		if err != nil {
			return Null, err
		}
		if c.CmpAbs(bigPow10(p)) >= 0 {
			return Null, errKey("decimal with more than %d digits", p)
		}
		return DecimalValue(mkDecimal(c, int32(s))), nil
	case TypeDate, TypeDatetime, TypeTimestamp:
		u, err := r.uint64()
		if err != nil {
			return Null, err
		}
		us := int64(u ^ 1<<63)
		if us < minKeyMicros || us > maxKeyMicros {
			return Null, errKey("time out of range")
		}
		tm := time.UnixMicro(us).UTC()
		if t.Base == TypeDate {
			return DateValue(tm), nil
		}
		return Value{K: KindTime, T: tm, I: timeMeta(TimeDatetime, clampFsp(t.Scale))}, nil
	case TypeTime:
		u, err := r.uint64()
		if err != nil {
			return Null, err
		}
		us := int64(u ^ 1<<63)
		if us > math.MaxInt64/1000 || us < -math.MaxInt64/1000 {
			return Null, errKey("time out of range")
		}
		return Value{K: KindTime, T: durationEpoch.Add(time.Duration(us) * time.Microsecond), I: timeMeta(TimeDuration, clampFsp(t.Scale))}, nil
	case TypeChar, TypeVarChar, TypeText, TypeJSON, TypeEnum, TypeSet:
		c := t.coll()
		b, err := r.escaped()
		if err == nil && (c == CollCS || c == CollCSNoPad) {
			// The folded form, then the case-swapped string.
			if b, err = r.escaped(); err == nil {
				for i := range b {
					b[i] = swapCase(b[i])
				}
			}
		}
		if err != nil {
			return Null, err
		}
		s := string(b)
		if t.Base == TypeEnum {
			for i, e := range t.Elems {
				if compareColl(c, e, s) == 0 {
					return withCollation(enumValue(t, i+1), c), nil
				}
			}
		}
		v := withCollation(StringValue(s), c)
		if t.Base == TypeSet {
			v.I = memberTag(t, s)
		}
		return v, nil
	case TypeBinary, TypeVarBinary, TypeBlob:
		b, err := r.escaped()
		if err != nil {
			return Null, err
		}
		return Value{K: KindBytes, S: string(b)}, nil
	}
	return decodeKeyAny(r)
}

// bigInt reads the signed-integer form of DECIMAL.
func (r *keyReader) bigInt() (*big.Int, error) {
	h, err := r.byte()
	if err != nil {
		return nil, err
	}
	n := int(h) - 0x80 // magnitude length, negative for negative numbers
	if n > 28 || n < -28 {
		return nil, errKey("decimal of %d bytes", n) // 10^65 < 2^(8*28)
	}
	if n == 0 {
		return new(big.Int), nil
	}
	mag, err := r.bytes(max(n, -n))
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return new(big.Int).SetBytes(mag), nil
	}
	for i := range mag {
		mag[i] = ^mag[i]
	}
	return new(big.Int).Neg(new(big.Int).SetBytes(mag)), nil
}

// decodeKeyAny decodes a TypeAny body.
func decodeKeyAny(r *keyReader) (Value, error) {
	class, err := r.byte()
	if err != nil {
		return Null, err
	}
	switch class {
	case keyClassString, keyClassBytes:
		b, err := r.escaped()
		if err != nil {
			return Null, err
		}
		if class == keyClassString {
			return StringValue(string(b)), nil
		}
		return Value{K: KindBytes, S: string(b)}, nil
	case keyClassTime:
		u, err := r.uint64()
		if err != nil {
			return Null, err
		}
		us := int64(u ^ 1<<63)
		if us < minKeyMicros || us > maxKeyMicros {
			return Null, errKey("time out of range")
		}
		return TimeValue(time.UnixMicro(us)), nil
	case keyClassNumber:
		return r.number()
	}
	return Null, errKey("bad class 0x%02X", class)
}

// number reads the sign/exponent/digits form.
func (r *keyReader) number() (Value, error) {
	sign, err := r.byte()
	if err != nil {
		return Null, err
	}
	if sign == 0x80 {
		return IntValue(0), nil
	}
	if sign != 0xC0 && sign != 0x40 {
		return Null, errKey("bad number sign 0x%02X", sign)
	}
	neg := sign == 0x40
	eb, err := r.bytes(2)
	if err != nil {
		return Null, err
	}
	var digits []byte
	for {
		b, err := r.byte()
		if err != nil {
			return Null, err
		}
		if neg {
			b = ^b
		}
		if b == 0 {
			break
		}
		if b < '0' || b > '9' || len(digits) > 400 {
			return Null, errKey("bad number digit")
		}
		digits = append(digits, b)
	}
	if neg {
		eb[0], eb[1] = ^eb[0], ^eb[1]
	}
	exp := int(int16(binary.BigEndian.Uint16(eb) - 0x8000))
	if len(digits) == 0 || exp < -400 || exp > 400 {
		return Null, errKey("bad number")
	}
	if exp > MaxDecimalPrecision || len(digits)-exp > MaxDecimalScale {
		// Beyond DECIMAL's range: only a DOUBLE can have produced it.
		f, err := strconv.ParseFloat(sgn(neg)+"0."+string(digits)+"e"+strconv.Itoa(exp), 64)
		if err != nil {
			return Null, errKey("bad number")
		}
		return FloatValue(f), nil
	}
	// value = 0.digits × 10^exp
	var text string
	switch {
	case exp <= 0:
		text = "0." + strings.Repeat("0", -exp) + string(digits)
	case exp >= len(digits):
		text = string(digits) + strings.Repeat("0", exp-len(digits))
	default:
		text = string(digits[:exp]) + "." + string(digits[exp:])
	}
	if neg {
		text = "-" + text
	}
	d, err := ParseDecimal(text)
	if err != nil {
		return Null, errKey("bad number")
	}
	if d.Scale() == 0 {
		if i, ok := d.Int64(); ok {
			return IntValue(i), nil
		}
		if u, ok := d.Uint64(); ok {
			return UintValue(u), nil
		}
	}
	return DecimalValue(d), nil
}

// sgn returns "-" if neg.
func sgn(neg bool) string {
	if neg {
		return "-"
	}
	return ""
}

// PrefixSuccessor returns the smallest key greater than every key that
// starts with prefix: an exclusive upper bound for a prefix scan. It
// returns nil when there is none (prefix is empty or all 0xFF bytes).
func PrefixSuccessor(prefix []byte) []byte {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] != 0xFF {
			out := make([]byte, i+1)
			copy(out, prefix)
			out[i]++
			return out
		}
	}
	return nil
}
