package bxtree

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestCmpKeyMatchesBytesCompare checks the search comparison against
// bytes.Compare on short keys that share prefixes, around the 8-byte word
// it compares at once.
func TestCmpKeyMatchesBytesCompare(t *testing.T) {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	key := func() []byte {
		b := make([]byte, rng.IntN(20))
		for i := range b {
			b[i] = byte(rng.IntN(3)) * 0x7f // 0x00, 0x7f, 0xfe: many ties
		}
		return b
	}
	for i := 0; i < 200000; i++ {
		a, b := key(), key()
		if rng.IntN(4) == 0 {
			b = append(append([]byte(nil), a...), b...) // a is a prefix of b
		}
		if got, want := cmpKey(a, b), bytes.Compare(a, b); got != want {
			t.Fatalf("cmpKey(%x, %x) = %d, want %d", a, b, got, want)
		}
	}
}
