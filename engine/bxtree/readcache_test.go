package bxtree

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
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

// TestKeptLeavesFollowCache checks the kept-leaf budget of read handles
// (keptBudgets): as many leaves as a quarter of the store's cache holds,
// 4096 at least. Full scans of a tree of more than 4096 leaves keep
// exactly 4096 on a store with a small cache and every leaf on one with a
// large cache, and return the records loaded either way.
func TestKeptLeavesFollowCache(t *testing.T) {
	for _, c := range []struct {
		cache      int64
		block      int
		slots, lfs int
	}{
		{-1, 1024, 1 << 16, 4096},
		{4 << 20, 1024, 1 << 16, 4096},
		{64 << 20, 1024, 1 << 16, 16384},
		{1 << 30, 4096, 1 << 17, 65536},
	} {
		if slots, lfs := keptBudgets(c.cache, c.block); slots != c.slots || lfs != c.lfs {
			t.Errorf("keptBudgets(%d, %d) = %d, %d, want %d, %d", c.cache, c.block, slots, lfs, c.slots, c.lfs)
		}
	}

	fs := bedrock.NewMemFS()
	open := func(cache int64) *bedrock.Store {
		s, err := bedrock.Open("db", &bedrock.Options{FS: fs, BlockSize: 1024, CacheSize: cache})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	const n = 40000
	key := func(i int) []byte { return binary.BigEndian.AppendUint64(nil, uint64(i)) }
	val := func(i int) []byte { return bytes.Repeat([]byte{byte(i), byte(i >> 8)}, 50) }
	s := open(4 << 20)
	for lo := 0; lo < n; lo += 10000 {
		tx := mustBegin(t, s, true)
		tr := openOrCreate(t, tx, "t")
		for i := lo; i < lo+10000; i++ {
			if err := tr.Put(key(i), 1, val(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	// The leaves, counted by the blocks a cursor stands on.
	leaves := map[bedrock.LBA]bool{}
	{
		tx := mustBegin(t, s, false)
		tr, err := Open(tx, "t", nil)
		if err != nil {
			t.Fatal(err)
		}
		c := tr.Cursor()
		for ok := c.First(); ok; ok = c.Next() {
			leaves[c.stack[len(c.stack)-1].p.lba] = true
		}
		tx.Rollback()
	}
	if len(leaves) <= 4096 || len(leaves) >= 16384 {
		t.Fatalf("%d leaves: the test needs between 4096 and 16384", len(leaves))
	}
	for _, c := range []struct {
		cache int64
		want  int
	}{{4 << 20, 4096}, {64 << 20, len(leaves)}} {
		if s == nil {
			s = open(c.cache)
		}
		mib := c.cache >> 20
		tx := mustBegin(t, s, false)
		tr, err := Open(tx, "t", nil)
		if err != nil {
			t.Fatal(err)
		}
		for scan := 0; scan < 8; scan++ {
			cur := tr.Cursor()
			i := 0
			for ok := cur.First(); ok; ok = cur.Next() {
				if !bytes.Equal(cur.Key(), key(i)) || !bytes.Equal(cur.Value(), val(i)) {
					t.Fatalf("cache %d MiB, scan %d: record %d is %x", mib, scan, i, cur.Key())
				}
				i++
			}
			if cur.Err() != nil || i != n {
				t.Fatalf("cache %d MiB, scan %d: %d records, %v", mib, scan, i, cur.Err())
			}
		}
		if tr.leafs != c.want {
			t.Errorf("cache %d MiB: the handle keeps %d leaves, want %d", mib, tr.leafs, c.want)
		}
		tx.Rollback()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s = nil
	}
}
