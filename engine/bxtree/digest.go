package bxtree

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
)

// DigestSize is the size in bytes of a record digest.
const DigestSize = 16

// Digest is a record digest, or the XOR of the digests of a set of records.
// The zero Digest summarises the empty set.
type Digest [DigestSize]byte

// Xor returns d XOR e.
func (d Digest) Xor(e Digest) Digest {
	a := binary.LittleEndian.Uint64(d[:8]) ^ binary.LittleEndian.Uint64(e[:8])
	b := binary.LittleEndian.Uint64(d[8:]) ^ binary.LittleEndian.Uint64(e[8:])
	binary.LittleEndian.PutUint64(d[:8], a)
	binary.LittleEndian.PutUint64(d[8:], b)
	return d
}

// IsZero reports whether d is the digest of the empty set.
func (d Digest) IsZero() bool { return d == Digest{} }

// String returns d in hexadecimal.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// xorInto sets *d to *d XOR the 16 bytes at b[0:16].
func (d *Digest) xorInto(b []byte) {
	_ = b[15]
	a := binary.LittleEndian.Uint64(d[:8]) ^ binary.LittleEndian.Uint64(b[:8])
	c := binary.LittleEndian.Uint64(d[8:]) ^ binary.LittleEndian.Uint64(b[8:16])
	binary.LittleEndian.PutUint64(d[:8], a)
	binary.LittleEndian.PutUint64(d[8:], c)
}

// RecordDigest returns D(key, version, value) as defined in the package
// documentation; digestKey nil means plain SHA-256. It is the function the
// tree stores per record, exported so peers and tests can recompute it.
func RecordDigest(digestKey []byte, key []byte, version uint64, value []byte) Digest {
	var h digester
	h.init(digestKey)
	return h.sum(key, version, value)
}

// digester computes record digests with reusable state; one per Tree handle
// (not safe for concurrent use).
type digester struct {
	mac     hash.Hash // HMAC-SHA256 when keyed, nil otherwise
	stream  hash.Hash // SHA-256 for long unkeyed records
	scratch []byte    // one-shot encoding buffer for short unkeyed records
	out     [sha256.Size]byte
	hdr     [binary.MaxVarintLen64]byte
}

// oneShotMax is the longest record encoding hashed through scratch with
// sha256.Sum256 instead of the streaming interface.
const oneShotMax = 4096

// init prepares h for digestKey (nil or empty: unkeyed).
func (h *digester) init(digestKey []byte) {
	if len(digestKey) > 0 {
		h.mac = hmac.New(sha256.New, digestKey)
	}
}

// sum returns D(key, version, value).
func (h *digester) sum(key []byte, version uint64, value []byte) Digest {
	var d Digest
	n := 3*binary.MaxVarintLen64 + len(key) + len(value)
	if h.mac == nil && n <= oneShotMax {
		if cap(h.scratch) < n {
			// Sized to the records seen: handles live for a statement,
			// so a block-sized buffer would cost most inserts 4 KiB.
			h.scratch = make([]byte, 0, min(oneShotMax, 2*n))
		}
		b := binary.AppendUvarint(h.scratch[:0], uint64(len(key)))
		b = append(b, key...)
		b = binary.AppendUvarint(b, version)
		b = binary.AppendUvarint(b, uint64(len(value)))
		b = append(b, value...)
		s := sha256.Sum256(b)
		copy(d[:], s[:DigestSize])
		return d
	}
	w := h.mac
	if w == nil {
		if h.stream == nil {
			h.stream = sha256.New()
		}
		w = h.stream
	}
	w.Reset()
	w.Write(binary.AppendUvarint(h.hdr[:0], uint64(len(key))))
	w.Write(key)
	w.Write(binary.AppendUvarint(h.hdr[:0], version))
	w.Write(binary.AppendUvarint(h.hdr[:0], uint64(len(value))))
	w.Write(value)
	copy(d[:], w.Sum(h.out[:0])[:DigestSize])
	return d
}

// keyCheck returns the 8-byte fingerprint of digestKey stored in the
// directory (all zero without a key).
func keyCheck(digestKey []byte) [8]byte {
	var c [8]byte
	if len(digestKey) == 0 {
		return c
	}
	m := hmac.New(sha256.New, digestKey)
	m.Write([]byte("bxtree key check v1"))
	copy(c[:], m.Sum(nil))
	return c
}
