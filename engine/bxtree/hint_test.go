package bxtree

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPutHint runs streams of Puts that reuse the previous Put's path
// (ascending runs, keys landing in the same leaf) mixed with everything
// that must invalidate that path: splits, replacements that shrink or
// grow records (merges, redistributions), overflow values, deletes,
// flushes, reads and cursors on the write handle. Every Get along the way
// and the final contents, after commit and Check, must match a model; and
// the ascending runs must actually take the hinted path. Half the seeds
// shrink the handle's clean-node cache so that loads after a flush make
// new nodes for blocks the path held.
func TestPutHint(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 77))
			s, _ := memStore(t, 1024)
			defer s.Close()
			model := map[string][]byte{}
			key := func(i int) []byte { return binary.BigEndian.AppendUint32([]byte("k"), uint32(i)) }
			val := func(n int) []byte {
				v := make([]byte, n)
				for i := range v {
					v[i] = byte(rng.IntN(256))
				}
				return v
			}
			used := 0
			for round := 0; round < 6; round++ {
				tx := mustBegin(t, s, true)
				tr := openOrCreate(t, tx, "t")
				if seed%2 == 0 {
					tr.maxClean = 4 // loads make new nodes for blocks met before
				}
				put := func(k, v []byte) {
					if err := tr.Put(k, uint64(len(v)), v); err != nil {
						t.Fatal(err)
					}
					model[string(k)] = v
				}
				for op := 0; op < 3000; op++ {
					switch c := rng.IntN(100); {
					case c < 2: // an ascending run
						start, n := rng.IntN(20000), 50+rng.IntN(200)
						before := tr.hintUsed
						for i := start; i < start+n; i++ {
							put(key(i), val(8+rng.IntN(24)))
						}
						if tr.hintUsed-before < n/4 {
							t.Fatalf("ascending run of %d Puts reused the path %d times", n, tr.hintUsed-before)
						}
					case c < 60: // a key near the last one, small value
						put(key(rng.IntN(20000)), val(rng.IntN(40)))
					case c < 65: // large, or overflowing
						put(key(rng.IntN(20000)), val(200+rng.IntN(2000)))
					case c < 85: // delete
						k := key(rng.IntN(20000))
						ok, err := tr.Delete(k)
						if err != nil {
							t.Fatal(err)
						}
						if _, in := model[string(k)]; in != ok {
							t.Fatalf("Delete %x = %v, model %v", k, ok, in)
						}
						delete(model, string(k))
					case c < 90: // read through the handle
						k := key(rng.IntN(20000))
						v, ver, ok, err := tr.Get(k)
						mv, in := model[string(k)]
						if err != nil || ok != in || !bytes.Equal(v, mv) || ok && ver != uint64(len(mv)) {
							t.Fatalf("Get %x = %x %d %v %v, model %x %v", k, v, ver, ok, err, mv, in)
						}
					case c < 93:
						if err := tr.Flush(); err != nil {
							t.Fatal(err)
						}
					case c < 95: // a short cursor walk
						c := tr.Cursor()
						n := 0
						for ok := c.Seek(key(rng.IntN(20000))); ok && n < 5; ok = c.Next() {
							if !bytes.Equal(c.Value(), model[string(c.Key())]) {
								t.Fatalf("cursor at %x: %x, model %x", c.Key(), c.Value(), model[string(c.Key())])
							}
							n++
						}
					default: // replace with a much shorter value: nodes shrink
						for k := range model {
							put([]byte(k), val(1))
							break
						}
					}
				}
				used += tr.hintUsed
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
				rtx := mustBegin(t, s, false)
				rt, err := Open(rtx, "t", nil)
				if err != nil {
					t.Fatal(err)
				}
				if err := rt.Check(); err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				var got []string
				c := rt.Cursor()
				for ok := c.First(); ok; ok = c.Next() {
					if !bytes.Equal(c.Value(), model[string(c.Key())]) {
						t.Fatalf("round %d: %x = %x, model %x", round, c.Key(), c.Value(), model[string(c.Key())])
					}
					got = append(got, string(c.Key()))
				}
				want := make([]string, 0, len(model))
				for k := range model {
					want = append(want, k)
				}
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Fatalf("round %d: %d keys, model %d", round, len(got), len(want))
				}
				rtx.Rollback()
			}
			t.Logf("%d Puts reused the path", used)
		})
	}
}
