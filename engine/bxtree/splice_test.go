package bxtree

import (
	"bytes"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// TestSpliceLeafMatchesEncode checks that splicing a record into or out of
// a leaf image gives exactly the image encode gives for the changed node
// (invariant 1: one encoding per node), for inserts, replacements and
// removals at every position, inline and spilled records, and empty values.
func TestSpliceLeafMatchesEncode(t *testing.T) {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	randRec := func() record {
		r := record{key: randBytes(rng, 1+rng.IntN(20)), version: rng.Uint64()}
		if rng.IntN(5) == 0 {
			r.first, r.vlen = bedrock.LBA(1+rng.Uint64N(1000)), 5000+rng.Uint64N(100)
		} else {
			r.value = randBytes(rng, rng.IntN(40))
			r.vlen = uint64(len(r.value))
		}
		copy(r.digest[:], randBytes(rng, DigestSize))
		return r
	}
	for iter := 0; iter < 2000; iter++ {
		// 1 to 31 records with distinct sorted keys.
		var all []record
		seen := map[string]bool{}
		for k := 1 + rng.IntN(31); k > 0; k-- {
			r := randRec()
			if !seen[string(r.key)] {
				seen[string(r.key)] = true
				all = append(all, r)
			}
		}
		sort.Slice(all, func(a, b int) bool { return bytes.Compare(all[a].key, all[b].key) < 0 })
		n := newLeaf(9)
		i := rng.IntN(len(all))
		var r *record
		j := i
		switch op := rng.IntN(3); {
		case op == 0 && len(all) > 1: // insert all[i] into the others
			n.recs = append(append(n.recs, all[:i]...), all[i+1:]...)
			r = &all[i]
		case op == 1: // replace
			n.recs = all
			c := randRec()
			c.key = all[i].key
			r, j = &c, i+1
		default: // remove
			n.recs = all
			j = i + 1
		}
		n.size = n.encodedSize()
		old := n.encode()
		got := spliceLeaf(old, i, j, r)

		want := &node{lba: 9, recs: append([]record(nil), n.recs[:i]...)}
		if r != nil {
			want.recs = append(want.recs, *r)
		}
		want.recs = append(want.recs, n.recs[j:]...)
		want.size = want.encodedSize()
		if enc := want.encode(); !bytes.Equal(got, enc) {
			t.Fatalf("iteration %d: splice [%d,%d) of %d records:\ngot  %x\nwant %x", iter, i, j, len(n.recs), got, enc)
		}
		if why := checkNode(got, 4096, nil); why != "" {
			t.Fatalf("iteration %d: spliced leaf does not check: %s", iter, why)
		}
	}
}
