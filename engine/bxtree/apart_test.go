package bxtree

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// TestInternalNodesApart: a tree's internal nodes take their LBAs apart
// from the leaves' (bedrock's AllocApart), so after a bulk load in
// several commits and random inserts they lie in as few map segments as
// their number allows, where with the leaves' they would be spread over
// all of them.
func TestInternalNodesApart(t *testing.T) {
	s, err := bedrock.Open("db", &bedrock.Options{FS: bedrock.NewMemFS(), BlockSize: 1024})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fan := bedrock.LBA((1024 - 32) / 16) // LBAs per map segment: (BlockSize-32)/16 (bedrock's doc.go)
	key := func(i int) []byte { return binary.BigEndian.AppendUint64(nil, uint64(i)) }
	val := bytes.Repeat([]byte{7}, 60)
	for lo := 0; lo < 60000; lo += 10000 {
		tx := mustBegin(t, s, true)
		tr := openOrCreate(t, tx, "t")
		for i := lo; i < lo+10000; i++ {
			// Ascending, with every fifth key of the next batch's range
			// early: splits in the middle as well.
			if err := tr.Put(key(2*i), 1, val); err != nil {
				t.Fatal(err)
			}
			if i%5 == 0 {
				if err := tr.Put(key(2*(i+10000)+1), 1, val); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	tx := mustBegin(t, s, false)
	defer tx.Rollback()
	tr, err := Open(tx, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Check(); err != nil {
		t.Fatal(err)
	}
	c := &checker{t: tr, seen: map[bedrock.LBA]string{}, maxErrs: 10}
	c.tree()
	var internal, leaves []bedrock.LBA
	for l := range c.seen {
		b, err := tx.Get(l)
		if err != nil {
			t.Fatal(err)
		}
		switch b[1] {
		case kindInternal:
			internal = append(internal, l)
		case kindLeaf:
			leaves = append(leaves, l)
		}
	}
	segs := func(ls []bedrock.LBA) int {
		m := map[bedrock.LBA]bool{}
		for _, l := range ls {
			m[l/fan] = true
		}
		return len(m)
	}
	slices.Sort(internal)
	if n := len(internal); n < 2*int(fan) {
		t.Fatalf("%d internal nodes: the test wants more than two segments' worth", n)
	}
	// The root keeps its LBA from when it was the only leaf.
	if got, most := segs(internal), (len(internal)+int(fan)-1)/int(fan)+1; got > most {
		t.Errorf("%d internal nodes lie in %d map segments, want at most %d (with the leaves' LBAs: %d)", len(internal), got, most, segs(leaves))
	}
}
