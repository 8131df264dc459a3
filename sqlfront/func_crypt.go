package sqlfront

import (
	"bytes"
	"compress/zlib"
	"crypto/aes"
	"encoding/binary"
	"io"
	"strconv"
	"strings"
)

// This file holds MySQL's encryption and compression functions.
//
// AES_ENCRYPT(str, key) and AES_DECRYPT(crypt, key) use aes-128-ecb,
// MySQL's default block_encryption_mode (the only one here): the key is
// folded into 16 bytes by XOR, byte i of the key into byte i mod 16
// (my_aes_create_key), and str is padded as PKCS#7 pads it, so crypt has
// 16 * (len(str)/16 + 1) bytes. AES_DECRYPT gives NULL for a string that
// is no such encryption with the key (a length that is no multiple of 16,
// bad padding). ECB takes no initialization vector: a third argument is
// ignored with warning 1618, as in MySQL (the KDF arguments of MySQL
// 8.0.30 are not supported).
//
// COMPRESS, UNCOMPRESS and UNCOMPRESSED_LENGTH use MySQL's strings:
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

// erWarnOptionIgnored is MySQL's WARN_OPTION_IGNORED (1618): "<%s>
// option ignored".
const erWarnOptionIgnored uint16 = 1618

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

// init registers the encryption and compression functions.
func init() {
	registerFuncs([]*funcDef{
		{name: "aes_encrypt", min: 2, max: 3, eval: func(env *Env, a []Value) (Value, error) {
			return aesCall(env, a, aesEncrypt)
		}},
		{name: "aes_decrypt", min: 2, max: 3, eval: func(env *Env, a []Value) (Value, error) {
			return aesCall(env, a, aesDecrypt)
		}},
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

// aesCall calls AES_ENCRYPT or AES_DECRYPT (f): NULL when the string or
// the key is, warning 1618 for an initialization vector (NULL or not).
func aesCall(env *Env, a []Value, f func(s string, key [16]byte) ([]byte, bool)) (Value, error) {
	if a[0].K == KindNull || a[1].K == KindNull {
		return Null, nil
	}
	if len(a) == 3 {
		if err := plainWarn(env, erWarnOptionIgnored, "<IV> option ignored"); err != nil {
			return Null, err
		}
	}
	s, _ := strOf(a[0])
	k, _ := strOf(a[1])
	var key [16]byte
	for i := 0; i < len(k); i++ {
		key[i%16] ^= k[i]
	}
	b, ok := f(s, key)
	if !ok {
		return Null, nil
	}
	return BytesValue(b), nil
}

// aesEncrypt encrypts s with AES-128 in ECB mode, padded as PKCS#7 pads.
func aesEncrypt(s string, key [16]byte) ([]byte, bool) {
	c, _ := aes.NewCipher(key[:]) // a 16-byte key is valid
	n := aes.BlockSize - len(s)%aes.BlockSize
	b := append([]byte(s), bytes.Repeat([]byte{byte(n)}, n)...)
	for i := 0; i < len(b); i += aes.BlockSize {
		c.Encrypt(b[i:], b[i:])
	}
	return b, true
}

// aesDecrypt decrypts s with AES-128 in ECB mode and removes the PKCS#7
// padding; ok is false when s has no whole blocks or bad padding.
func aesDecrypt(s string, key [16]byte) ([]byte, bool) {
	if len(s) == 0 || len(s)%aes.BlockSize != 0 {
		return nil, false
	}
	c, _ := aes.NewCipher(key[:])
	b := []byte(s)
	for i := 0; i < len(b); i += aes.BlockSize {
		c.Decrypt(b[i:], b[i:])
	}
	n := int(b[len(b)-1])
	if n == 0 || n > aes.BlockSize || !bytes.Equal(b[len(b)-n:], bytes.Repeat([]byte{byte(n)}, n)) {
		return nil, false
	}
	return b[:len(b)-n], true
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
