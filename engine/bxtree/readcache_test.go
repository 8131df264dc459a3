package bxtree

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestReadHandleKeepsPages reads a multi-level tree many times through one
// read handle, so that its kept pages (pnode) serve most reads, with the
// default budgets and with budgets that run out early, and compares every
// Get, scan and seek with the records loaded.
func TestReadHandleKeepsPages(t *testing.T) {
	s, _ := memStore(t, 1024)
	defer s.Close()
	const n = 20000
	key := func(i int) []byte { return binary.BigEndian.AppendUint64(nil, uint64(i)*3) }
	val := func(i int) []byte { return []byte(fmt.Sprintf("value-%d", i)) }
	tx := mustBegin(t, s, true)
	tr, err := Create(tx, "t", &Options{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, i := range rng.Perm(n) {
		if err := tr.Put(key(i), uint64(i), val(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, budget := range []struct{ slots, leafs int }{{maxSlots, maxLeafs}, {600, 40}, {0, 0}} {
		t.Run(fmt.Sprintf("slots=%d,leafs=%d", budget.slots, budget.leafs), func(t *testing.T) {
			rtx := mustBegin(t, s, false)
			defer rtx.Rollback()
			tr, err := Open(rtx, "t", nil)
			if err != nil {
				t.Fatal(err)
			}
			tr.maxSlots, tr.maxLeafs = budget.slots, budget.leafs
			if sh := shape(t, tr); sh.height < 4 {
				t.Fatalf("height %d, want at least 4", sh.height)
			}
			rng := rand.New(rand.NewPCG(3, 4))
			for round := 0; round < 300; round++ {
				i := rng.IntN(n)
				// Get of a present and of an absent key.
				v, ver, ok, err := tr.Get(key(i))
				if err != nil || !ok || ver != uint64(i) || !bytes.Equal(v, val(i)) {
					t.Fatalf("get %d: %q %d %v %v", i, v, ver, ok, err)
				}
				if _, _, ok, err := tr.Get(append(key(i), 0)); ok || err != nil {
					t.Fatalf("get absent: %v %v", ok, err)
				}
				// A forward scan from a seek, within bounds.
				w := 1 + rng.IntN(300)
				hi := key(min(i+w, n))
				if i+w >= n && rng.IntN(2) == 0 {
					hi = nil
				}
				c := tr.Range(nil, hi)
				j := i
				for ok := c.Seek(key(i)); ok; ok = c.Next() {
					if !bytes.Equal(c.Key(), key(j)) || !bytes.Equal(c.Value(), val(j)) || c.Version() != uint64(j) {
						t.Fatalf("scan from %d: record %d is %x %q", i, j, c.Key(), c.Value())
					}
					j++
				}
				if c.Err() != nil || j != min(i+w, n) {
					t.Fatalf("scan from %d: ended at %d, want %d: %v", i, j, min(i+w, n), c.Err())
				}
				// A backward scan.
				c = tr.Range(key(max(i-w, 0)), nil)
				j = i
				for ok := c.SeekLast(key(i)); ok; ok = c.Prev() {
					j--
					if !bytes.Equal(c.Key(), key(j)) || !bytes.Equal(c.Value(), val(j)) {
						t.Fatalf("backward scan from %d: record %d is %x", i, j, c.Key())
					}
				}
				if c.Err() != nil || j != max(i-w, 0) {
					t.Fatalf("backward scan from %d: ended at %d, want %d: %v", i, j, max(i-w, 0), c.Err())
				}
			}
			if budget.slots == 0 && (tr.slots != 0 || tr.leafs != 0) {
				t.Fatalf("kept %d slots and %d leaves with no budget", tr.slots, tr.leafs)
			}
			if tr.slots > budget.slots || tr.leafs > budget.leafs {
				t.Fatalf("kept %d slots and %d leaves, budget %d and %d", tr.slots, tr.leafs, budget.slots, budget.leafs)
			}
			if budget.slots == maxSlots && tr.leafs == 0 {
				t.Fatal("no leaf kept")
			}
			t.Logf("kept %d slots, %d leaves; %+v", tr.slots, tr.leafs, tr.Stats())
		})
	}
}
