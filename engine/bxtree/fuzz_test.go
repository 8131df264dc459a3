package bxtree

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/internal/mutation"
)

// fuzzPayload is the payload size the node fuzzer decodes with.
const fuzzPayload = 992

// nodeSeeds returns encoded nodes of a small tree for the fuzz corpus.
func nodeSeeds(t testing.TB) [][]byte {
	s, _ := memStore(t, 1024)
	defer s.Close()
	tx := mustBegin(t, s, true)
	defer tx.Rollback()
	tr, err := Create(tx, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		v := []byte("value")
		if i%50 == 0 {
			v = bytes.Repeat([]byte("v"), 2000)
		}
		tr.Put(keyN(i), uint64(i), v)
	}
	if err := tr.Flush(); err != nil {
		t.Fatal(err)
	}
	root, _ := tx.Get(tr.root)
	leaf, _ := tx.Get(bedrock.LBA(le64(root[headerSize:])))
	return [][]byte{root, leaf, nil, {1}, {1, 1, 0, 0, 0, 0, 0, 0}, {1, 2, 1, 0, 1, 0, 0, 0}}
}

// FuzzDecodeNode feeds arbitrary bytes to the node checker, the decoder
// and the page accessors the read path uses. checkNode (with and without
// digests) and decodeNode must return errors, never panic; a node that
// decodes must re-encode to the same bytes (one encoding per node,
// invariant 1); and on every block checkNode accepts, the accessors (which
// do no validation of their own) must not panic.
func FuzzDecodeNode(f *testing.F) {
	for _, s := range nodeSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(fuzzDecodeCheck)
}

// TestDecodeNodeMutations runs FuzzDecodeNode's checks on 20,000 random
// mutations of its seed nodes (bytes overwritten, and now and then the
// record count or an offset set to an extreme), so that the default test
// run meets the inputs the fuzzer would. BXDB_MUTATION_SEED replays a run.
func TestDecodeNodeMutations(t *testing.T) {
	seed := mutation.Seed(t)
	rng := rand.New(rand.NewPCG(seed, 5))
	var seeds [][]byte
	for _, s := range nodeSeeds(t) {
		if len(s) > 0 {
			seeds = append(seeds, s)
		}
	}
	for i := 0; i < 20000; i++ {
		b := mutation.Bytes(rng, seeds[rng.IntN(len(seeds))])
		if !t.Run("", func(t *testing.T) { fuzzDecodeCheck(t, b) }) {
			t.Fatalf("seed %d: mutation %d failed", seed, i)
		}
	}
}

// fuzzDecodeCheck is FuzzDecodeNode's check of one input.
func fuzzDecodeCheck(t *testing.T, b []byte) {
	{
		n, err := decodeNode(7, b, fuzzPayload)
		if err == nil && len(b) > 0 {
			if enc := n.encode(); !bytes.Equal(enc, b) {
				t.Fatalf("decoded node re-encodes differently:\n%x\n%x", b, enc)
			}
		} else if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("decode error does not wrap ErrCorrupt: %v", err)
		}
		var h digester
		withDigests := checkNode(b, fuzzPayload, &h)
		if why := checkNode(b, fuzzPayload, nil); why != "" {
			if withDigests == "" {
				t.Fatalf("passes with digests, fails without: %s", why)
			}
			return
		}
		p := viewPage(7, b)
		for _, k := range [][]byte{nil, []byte("key00000100"), {0xff}} {
			if p.leaf() {
				p.search(k)
			} else {
				p.childIndex(k)
			}
		}
		for i := 0; i < p.n; i++ {
			if p.leaf() {
				p.key(i)
				p.record(i)
				p.version(i)
				p.digest(i)
			} else {
				p.sep(i)
				p.child(i)
				p.count(i)
				p.entryDigest(i)
			}
		}
		p.total()
	}
}

// FuzzOps runs the model harness on operation sequences chosen by the
// fuzzer's bytes.
func FuzzOps(f *testing.F) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 16, 300, 3000} {
		f.Add(randBytes(rng, n))
	}
	f.Add(bytes.Repeat([]byte{0, 1}, 2000)) // a long run of puts
	f.Fuzz(func(t *testing.T, data []byte) {
		bc := &byteChooser{data: data}
		cfg := config{name: "fuzz", blockSize: 1024, keySpace: 200, deferFlush: len(data)%2 == 1}
		h := newHarness(t, bc, cfg)
		for i := 0; i < 3000 && !bc.done; i++ {
			h.step()
		}
		h.finish()
	})
}
