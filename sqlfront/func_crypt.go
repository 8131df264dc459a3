package sqlfront

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
	"strconv"
	"strings"
)

// This file holds MySQL's compression functions, COMPRESS, UNCOMPRESS
// and UNCOMPRESSED_LENGTH. Their strings are MySQL's:
//
//	+---------------------------+----------------------------+-----+
//	| length of the data:       | the data as a zlib stream  | '.' |
//	| 4 bytes, little-endian,   | (RFC 1950)                 |     |
//	| top 2 bits clear          |                            |     |
//	+---------------------------+----------------------------+-----+
//
// The '.' follows a stream whose last byte is a space, so that a CHAR
// column (which drops trailing spaces) keeps the stream whole; the empty
// string compresses to the empty string. COMPRESS writes its streams with
// Go's compress/zlib (default level): their bytes are not those of
// MySQL's zlib, and they are a few bytes longer (Go ends a stream with an
// empty stored block), but either side reads the other's.

// The warnings of UNCOMPRESS and UNCOMPRESSED_LENGTH.
const (
	erTooBigForUncompress uint16 = 1256
	erZlibBufError        uint16 = 1258
	erZlibDataError       uint16 = 1259
)

// zlibWarnings are the messages of those warnings.
var zlibWarnings = map[uint16]string{
	erTooBigForUncompress: "Uncompressed data size too large; the maximum size is " + strconv.Itoa(maxAllowedPacket) +
		" (probably, length of uncompressed data was corrupted)",
	erZlibBufError:  "ZLIB: Not enough room in the output buffer (probably, length of uncompressed data was corrupted)",
	erZlibDataError: "ZLIB: Input data corrupted",
}

// init registers the compression functions.
func init() {
	registerFuncs([]*funcDef{
		{name: "compress", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			s, _ := strOf(a[0])
			return BytesValue(compress(s)), nil
		}},
		{name: "uncompress", min: 1, max: 1, flags: fNullIn, eval: func(env *Env, a []Value) (Value, error) {
			s, _ := strOf(a[0])
			if s == "" {
				return BytesValue(nil), nil
			}
			b, code := uncompress(s)
			if code != 0 {
				return Null, plainWarn(env, code, "%s", zlibWarnings[code])
			}
			return BytesValue(b), nil
		}},
		{name: "uncompressed_length", min: 1, max: 1, flags: fNullIn, eval: func(env *Env, a []Value) (Value, error) {
			s, _ := strOf(a[0])
			switch {
			case s == "":
				return IntValue(0), nil
			case len(s) <= 4:
				return IntValue(0), plainWarn(env, erZlibDataError, "%s", zlibWarnings[erZlibDataError])
			}
			return IntValue(int64(uncompressedLength(s))), nil
		}},
	})
}

// compress returns s in COMPRESS's format.
func compress(s string) []byte {
	if s == "" {
		return nil
	}
	b := bytes.NewBuffer(binary.LittleEndian.AppendUint32(nil, uint32(len(s))&0x3FFFFFFF))
	w := zlib.NewWriter(b)
	_, _ = io.WriteString(w, s) // writing to a bytes.Buffer does not fail
	_ = w.Close()
	if b.Bytes()[b.Len()-1] == ' ' {
		b.WriteByte('.')
	}
	return b.Bytes()
}

// uncompressedLength returns the length of the data of COMPRESS's string
// s (at least 5 bytes).
func uncompressedLength(s string) uint32 {
	return binary.LittleEndian.Uint32([]byte(s[:4])) & 0x3FFFFFFF
}

// uncompress returns the data of COMPRESS's string s (not empty), or the
// warning MySQL gives when s is none: too short, a length past
// max_allowed_packet, more data than the length, or a zlib stream that is
// cut short or corrupt.
func uncompress(s string) ([]byte, uint16) {
	if len(s) <= 4 {
		return nil, erZlibDataError
	}
	n := uncompressedLength(s)
	if n > maxAllowedPacket {
		return nil, erTooBigForUncompress
	}
	r, err := zlib.NewReader(strings.NewReader(s[4:]))
	if err != nil {
		return nil, erZlibDataError
	}
	b, err := io.ReadAll(io.LimitReader(r, int64(n)+1))
	switch {
	case len(b) > int(n):
		return nil, erZlibBufError
	case err != nil:
		return nil, erZlibDataError
	}
	return b, 0
}
