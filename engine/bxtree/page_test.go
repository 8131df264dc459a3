package bxtree

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// tieKey returns a key shorter than n bytes, each 0x00, 0x7f or 0xfe, so
// that random keys share prefixes and tie often.
func tieKey(rng *rand.Rand, n int) []byte {
	b := make([]byte, rng.IntN(n))
	for i := range b {
		b[i] = byte(rng.IntN(3)) * 0x7f
	}
	return b
}

// TestCmpKeyMatchesBytesCompare checks the search comparison against
// bytes.Compare on short keys that share prefixes, around the 8-byte word
// it compares at once.
func TestCmpKeyMatchesBytesCompare(t *testing.T) {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	key := func() []byte { return tieKey(rng, 20) }
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

// TestChildIndexPrefixes checks the prefix search of kept internal pages
// against a linear scan of the separators, on pages whose separators are
// short, share long prefixes and end in zero bytes (where a zero-padded
// prefix ties with a longer key), probed with the separators themselves,
// their neighbours and random keys.
func TestChildIndexPrefixes(t *testing.T) {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 5))
	key := func() []byte { return tieKey(rng, 14) }
	for round := 0; round < 2000; round++ {
		// Distinct sorted non-empty separators.
		set := map[string]bool{}
		for range 1 + rng.IntN(60) {
			if k := key(); len(k) > 0 {
				set[string(k)] = true
			}
		}
		seps := make([][]byte, 0, len(set))
		for k := range set {
			seps = append(seps, []byte(k))
		}
		slices.SortFunc(seps, bytes.Compare)
		n := &node{level: 1, ents: []entry{{child: 10}}}
		for i, s := range seps {
			n.ents = append(n.ents, entry{sep: s, child: bedrock.LBA(11 + i)})
		}
		n.size = n.encodedSize()
		p := viewPage(7, n.encode())
		pfx := sepPrefixes(&p)
		want := func(k []byte) int {
			i := 0
			for j := 1; j < p.n; j++ {
				if bytes.Compare(p.sep(j), k) <= 0 {
					i = j
				}
			}
			return i
		}
		probes := [][]byte{{}, key(), key()}
		for _, s := range seps {
			probes = append(probes, s, append(slices.Clone(s), 0), s[:len(s)-1])
		}
		for _, k := range probes {
			w := want(k)
			if got := childIndexPfx(&p, pfx, k); got != w {
				t.Fatalf("childIndexPfx(%x) = %d, want %d (separators %x)", k, got, w, seps)
			}
			if got := p.childIndex(k); got != w {
				t.Fatalf("childIndex(%x) = %d, want %d", k, got, w)
			}
		}
	}
}
