package bxtree

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/google/go-cmp/cmp"
)

// newTree creates tree "t" in a fresh in-memory store and returns it with
// its write transaction.
func newTestTree(t *testing.T, blockSize int, o *Options) (*bedrock.Store, *bedrock.Tx, *Tree) {
	t.Helper()
	s, _ := memStore(t, blockSize)
	t.Cleanup(func() { s.Close() })
	tx := mustBegin(t, s, true)
	tr, err := Create(tx, "t", o)
	if err != nil {
		t.Fatal(err)
	}
	return s, tx, tr
}

func TestAscendingLoadFillsLeaves(t *testing.T) {
	for _, deferred := range []bool{false, true} {
		_, _, tr := newTestTree(t, 4096, &Options{Eager: !deferred})
		const n = 20000
		v := make([]byte, 100)
		for i := 0; i < n; i++ {
			if err := tr.Put(keyN(i), 1, v); err != nil {
				t.Fatal(err)
			}
		}
		sh := shape(t, tr)
		fill := float64(sh.leafBytes) / float64(sh.leaves*tr.payload)
		t.Logf("deferred=%v: %d leaves, %d internal nodes, height %d, leaf fill %.3f", deferred, sh.leaves, sh.inners, sh.height, fill)
		if fill < 0.97 {
			t.Errorf("ascending load left leaves %.1f%% full, want >= 97%%", fill*100)
		}
		if err := tr.Check(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRandomLoadFill(t *testing.T) {
	_, _, tr := newTestTree(t, 4096, &Options{})
	rng := rand.New(rand.NewPCG(1, 2))
	v := make([]byte, 100)
	for i := 0; i < 20000; i++ {
		if err := tr.Put(randBytes(rng, 8), 1, v); err != nil {
			t.Fatal(err)
		}
	}
	sh := shape(t, tr)
	fill := float64(sh.leafBytes) / float64(sh.leaves*tr.payload)
	t.Logf("%d leaves, height %d, leaf fill %.3f", sh.leaves, sh.height, fill)
	if fill < 0.75 { // 0.67 with splits alone; spills raise it (Tree.spill)
		t.Errorf("random load left leaves %.1f%% full", fill*100)
	}
}

func TestRootStaysPut(t *testing.T) {
	_, tx, tr := newTestTree(t, 1024, nil)
	root := tr.Root()
	rng := rand.New(rand.NewPCG(3, 4))
	heights := map[int]bool{}
	for round := 0; round < 3; round++ {
		for i := 0; i < 3000; i++ {
			if err := tr.Put(keyN(rng.IntN(3000)), 1, []byte("v")); err != nil {
				t.Fatal(err)
			}
		}
		heights[shape(t, tr).height] = true
		for i := 0; i < 3000; i++ {
			if _, err := tr.Delete(keyN(i)); err != nil {
				t.Fatal(err)
			}
		}
		heights[shape(t, tr).height] = true
		if tr.Len() != 0 {
			t.Fatalf("len %d after deleting all", tr.Len())
		}
		if err := tr.Check(); err != nil {
			t.Fatal(err)
		}
		tr2, err := Open(tx, "t", nil)
		if err != nil || tr2.Root() != root {
			t.Fatalf("root moved from %d to %d (%v)", root, tr2.Root(), err)
		}
	}
	if !heights[1] || !heights[3] {
		t.Errorf("heights seen %v, want 1 and >= 3", heights)
	}
}

// reachable returns every block of tr (nodes and overflow chains).
func reachable(t *testing.T, tr *Tree) []bedrock.LBA {
	c := &checker{t: tr, seen: map[bedrock.LBA]string{}, maxErrs: 10}
	c.tree()
	if err := c.result(); err != nil {
		t.Fatal(err)
	}
	var out []bedrock.LBA
	for lba := range c.seen {
		out = append(out, lba)
	}
	return out
}

func TestDropFreesEverything(t *testing.T) {
	s, tx, tr := newTestTree(t, 1024, nil)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 2000; i++ {
		n := rng.IntN(40)
		if i%50 == 0 {
			n = 5000 // overflow chain
		}
		if err := tr.Put(keyN(i), 1, make([]byte, n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx = mustBegin(t, s, true)
	tr, err := Open(tx, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	blocks := reachable(t, tr)
	if sh := shape(t, tr); sh.overflow == 0 || sh.height < 3 {
		t.Fatalf("tree too small for the test: %+v", sh)
	}
	if err := Drop(tx, "t"); err != nil {
		t.Fatal(err)
	}
	for _, lba := range blocks {
		if _, err := tx.Get(lba); !errors.Is(err, bedrock.ErrNotAllocated) {
			t.Fatalf("block %d still allocated after Drop (%v)", lba, err)
		}
	}
	if _, err := Open(tx, "t", nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("open after drop: %v", err)
	}
	if err := Drop(tx, "t"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("drop twice: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d blocks freed", len(blocks))
}

// usedUnits returns the allocated units of s.
func usedUnits(s *bedrock.Store) uint64 {
	st := s.Stats()
	return st.FileUnits - st.FreeUnits
}

func TestChurnKeepsStoreBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "churn.bxdb")
	s, err := bedrock.Open(path, &bedrock.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tx := mustBegin(t, s, true)
	tr, err := Create(tx, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	live := 8000
	rounds := 8
	if soak() {
		live, rounds = 30000, 60
	}
	keys := make([]int, 0, live)
	next := 0
	var firstUsed, maxUsed uint64
	var firstNodes int
	for round := 0; round < rounds; round++ {
		// Each round deletes half the records at random and inserts as many
		// new ones, in transactions of 500 operations.
		ops := 0
		tx = mustBegin(t, s, true)
		if tr, err = Open(tx, "t", nil); err != nil {
			t.Fatal(err)
		}
		step := func() {
			if ops++; ops%500 == 0 {
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
				tx = mustBegin(t, s, true)
				if tr, err = Open(tx, "t", nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		if round > 0 {
			for i := 0; i < live/2; i++ {
				j := rng.IntN(len(keys))
				if ok, err := tr.Delete(keyN(keys[j])); err != nil || !ok {
					t.Fatalf("delete: %v %v", ok, err)
				}
				keys[j] = keys[len(keys)-1]
				keys = keys[:len(keys)-1]
				step()
			}
		}
		for len(keys) < live {
			k := next * 7919 % 1000003 // scattered new keys, all distinct
			next++
			v := make([]byte, 20+rng.IntN(200))
			if rng.IntN(100) == 0 {
				v = make([]byte, 9000)
			}
			if err := tr.Put(keyN(k), 1, v); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, k)
			step()
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		rtx := mustBegin(t, s, false)
		rt, _ := Open(rtx, "t", nil)
		sh := shape(t, rt)
		if err := rt.Check(); err != nil {
			t.Fatal(err)
		}
		if rt.Len() != uint64(live) {
			t.Fatalf("len %d", rt.Len())
		}
		rtx.Rollback()
		if err := s.Sync(); err != nil {
			t.Fatal(err)
		}
		used := usedUnits(s)
		if round == 0 {
			firstUsed, firstNodes = used, sh.leaves+sh.inners
		}
		maxUsed = max(maxUsed, used)
		t.Logf("round %d: %d nodes (%d leaves, height %d), %d overflow blocks, %d units used", round, sh.leaves+sh.inners, sh.leaves, sh.height, sh.overflow, used)
		if nodes := sh.leaves + sh.inners; nodes > firstNodes*2 {
			t.Fatalf("round %d: %d nodes, %d after the first load", round, nodes, firstNodes)
		}
	}
	if maxUsed > firstUsed*3 {
		t.Fatalf("store grew from %d to %d units under churn", firstUsed, maxUsed)
	}
}

func TestCorruptionIsDetected(t *testing.T) {
	s, fs := memStore(t, 1024)
	defer func() { s.Close() }()
	tx := mustBegin(t, s, true)
	tr, err := Create(tx, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500; i++ {
		v := []byte("value" + itoa(i))
		if i == 250 {
			v = bytes.Repeat([]byte("long"), 1000)
		}
		if err := tr.Put(keyN(i), uint64(i), v); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// tamper rewrites the leaf holding key through fn in a committed
	// transaction, so the bad bytes carry valid bedrock checksums. NB: the
	// tampering is committed, not left in the writing transaction: a
	// transaction's own writes are never checked (bxtree encoded them), and
	// detection happens when a block is loaded.
	tamper := func(key []byte, fn func(tx *bedrock.Tx, p *page, i int, b []byte)) {
		t.Helper()
		tx := mustBegin(t, s, true)
		tr, err := Open(tx, "t", nil)
		if err != nil {
			t.Fatal(err)
		}
		// Descend with plain Gets: earlier tampering must not get in the way.
		b, _ := tx.Get(tr.root)
		p := viewPage(tr.root, b)
		for !p.leaf() {
			lba := p.child(p.childIndex(key))
			b, _ = tx.Get(lba)
			p = viewPage(lba, b)
		}
		i, ok := p.search(key)
		if !ok {
			t.Fatal("key not found")
		}
		b = append([]byte(nil), p.b...)
		fn(tx, &p, i, b)
		if err := tx.Put(p.lba, b); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	// reads runs fn on a read handle of the store reopened, so that the
	// tampered block is loaded from the file (blocks a store committed
	// itself are cached as checked: bedrock.Tx.GetVerified).
	reads := func(fn func(tr *Tree)) {
		t.Helper()
		{
			s.Close()
			s = reopen(t, fs, 1024)
			tx := mustBegin(t, s, false)
			tr, err := Open(tx, "t", nil)
			if err != nil {
				t.Fatal(err)
			}
			fn(tr)
			tx.Rollback()
		}
	}
	tamper(keyN(100), func(tx *bedrock.Tx, p *page, i int, b []byte) {
		_, v, _, _, _ := p.record(i)
		b[bytes.Index(p.b, v)] ^= 1
	})
	reads(func(tr *Tree) {
		for range 2 { // a block that failed its check is not cached as good
			_, _, _, err := tr.Get(keyN(100))
			if !errors.Is(err, ErrCorrupt) || !errors.Is(err, bedrock.ErrCorrupt) {
				t.Fatalf("get of a tampered record: %v", err)
			}
			t.Logf("get: %v", err)
		}
		if err := tr.Check(); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("check: %v", err)
		} else {
			t.Logf("check: %v", err)
		}
		c := tr.Range(keyN(99), nil)
		c.First()
		if c.Next(); c.Key() != nil || c.Valid() || !errors.Is(c.Err(), ErrCorrupt) {
			t.Fatalf("cursor over a tampered record: key %q err %v", c.Key(), c.Err())
		}
		// A point read verifies the record it returns (Tx.GetVerifiedLazy),
		// so an intact neighbour in the same leaf reads fine, or, once the
		// leaf has been checked whole, fails with it; never wrong data.
		if v, _, ok, err := tr.Get(keyN(101)); err != nil && !errors.Is(err, ErrCorrupt) || err == nil && (!ok || string(v) != "value101") {
			t.Fatalf("neighbour in the same leaf: %q %v %v", v, ok, err)
		}
		if _, _, ok, err := tr.Get(keyN(0)); !ok || err != nil {
			t.Fatalf("record of another leaf: %v %v", ok, err)
		}
		// Aggregates use the stored digests and do not read leaves' records.
		if n, err := tr.Count(keyN(150), keyN(160)); n != 10 || err != nil {
			t.Fatalf("count elsewhere: %d %v", n, err)
		}
	})
	reads(func(tr *Tree) {
		// A count uses no digest: the tampered leaf as a boundary leaf
		// (layout intact) counts right, where a summary, which would
		// trust its digests, fails.
		if n, err := tr.Count(keyN(99), keyN(102)); n != 3 || err != nil {
			t.Fatalf("count across the tampered record: %d %v", n, err)
		}
		if _, err := tr.Summary(keyN(99), keyN(102)); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("summary across the tampered record: %v", err)
		}
	})
	// A wrong version is caught too.
	tamper(keyN(300), func(tx *bedrock.Tx, p *page, i int, b []byte) { b[headerSize+slotSize*i] ^= 1 })
	reads(func(tr *Tree) {
		if _, _, _, err := tr.Get(keyN(300)); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("tampered version: %v", err)
		}
		if _, err := tr.Select(300); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("select of a tampered version: %v", err)
		}
	})
	// An overflow chunk: checked when the value is read.
	tamper(keyN(250), func(tx *bedrock.Tx, p *page, i int, b []byte) {
		_, _, first, _, _ := p.record(i)
		ob, _ := tx.Get(first)
		ob = append([]byte(nil), ob...)
		ob[100] ^= 1
		tx.Put(first, ob)
	})
	reads(func(tr *Tree) {
		if _, _, _, err := tr.Get(keyN(250)); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("tampered overflow: %v", err)
		}
	})
	// Bad offsets never panic.
	tamper(keyN(400), func(tx *bedrock.Tx, p *page, i int, b []byte) { put16(b[headerSize+slotSize*i+24:], 60000) })
	reads(func(tr *Tree) {
		if _, _, _, err := tr.Get(keyN(400)); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("bad offset: %v", err)
		}
		c := tr.Cursor()
		for c.First(); c.Valid(); c.Next() {
		}
		if !errors.Is(c.Err(), ErrCorrupt) {
			t.Fatalf("scan over a bad offset: %v", c.Err())
		}
	})
}

func TestCheckFindsBadSummaries(t *testing.T) {
	_, tx, tr := newTestTree(t, 1024, nil)
	for i := 0; i < 1000; i++ {
		if err := tr.Put(keyN(i), 1, []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Check(); err != nil {
		t.Fatal(err)
	}
	n, err := tr.load(tr.root, false)
	if err != nil || n.isLeaf() {
		t.Fatal(err)
	}
	n.materialize()
	n.ents[1].count++
	if err := tx.Put(n.lba, n.encode()); err != nil {
		t.Fatal(err)
	}
	err = tr.Check()
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("check after count change: %v", err)
	}
	t.Logf("%v", err)
	n.ents[1].count--
	n.ents[2].digest[3] ^= 1
	tx.Put(n.lba, n.encode())
	if err := tr.Check(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("check after digest change: %v", err)
	}
	n.ents[2].digest[3] ^= 1
	n.ents[1].sep = []byte("key")
	n.size = n.encodedSize()
	tx.Put(n.lba, n.encode())
	if err := tr.Check(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("check after separator change: %v", err)
	}
}

func TestRecordDigestEncoding(t *testing.T) {
	// The digest is part of the format: pin it.
	key, value := []byte("key"), []byte("value")
	enc := []byte{3, 'k', 'e', 'y', 42, 5, 'v', 'a', 'l', 'u', 'e'}
	sum := sha256.Sum256(enc)
	var want Digest
	copy(want[:], sum[:])
	if got := RecordDigest(nil, key, 42, value); got != want {
		t.Fatalf("digest %s, want %s", got, want)
	}
	long := bytes.Repeat([]byte("x"), 10000) // streaming path
	enc = binary.AppendUvarint(nil, 3)
	enc = append(enc, key...)
	enc = binary.AppendUvarint(enc, 1<<40)
	enc = binary.AppendUvarint(enc, 10000)
	sum = sha256.Sum256(append(enc, long...))
	copy(want[:], sum[:])
	if got := RecordDigest(nil, key, 1<<40, long); got != want {
		t.Fatalf("long digest %s, want %s", got, want)
	}
	mac := hmac.New(sha256.New, []byte("k"))
	mac.Write([]byte{3, 'k', 'e', 'y', 42, 5, 'v', 'a', 'l', 'u', 'e'})
	copy(want[:], mac.Sum(nil))
	if got := RecordDigest([]byte("k"), key, 42, value); got != want {
		t.Fatalf("keyed digest %s, want %s", got, want)
	}
	// Moving bytes between key and value changes the digest.
	if RecordDigest(nil, []byte("ke"), 42, []byte("yvalue")) == RecordDigest(nil, key, 42, value) {
		t.Fatal("ambiguous encoding")
	}
}

func TestDigestKey(t *testing.T) {
	s, tx, tr := newTestTree(t, 4096, &Options{DigestKey: []byte("k1")})
	plain, err := Create(tx, "plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		tr.Put(keyN(i), 1, []byte("v"))
		plain.Put(keyN(i), 1, []byte("v"))
	}
	a, _ := tr.Summary(nil, nil)
	b, _ := plain.Summary(nil, nil)
	if a.Count != b.Count || a.Digest == b.Digest {
		t.Fatalf("keyed %v vs plain %v", a, b)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx = mustBegin(t, s, false)
	defer tx.Rollback()
	for _, k := range [][]byte{nil, []byte("k2")} {
		if _, err := Open(tx, "t", &Options{DigestKey: k}); !errors.Is(err, ErrDigestKey) {
			t.Fatalf("open with key %q: %v", k, err)
		}
	}
	if _, err := Open(tx, "plain", &Options{DigestKey: []byte("k1")}); !errors.Is(err, ErrDigestKey) {
		t.Fatalf("open plain with a key: %v", err)
	}
	tr, err = Open(tx, "t", &Options{DigestKey: []byte("k1")})
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckAll(tx, map[string][]byte{"t": []byte("k1")}); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, err := tr.Get(keyN(5)); !ok || err != nil {
		t.Fatal(ok, err)
	}
}

func TestLimitsAndErrors(t *testing.T) {
	s, tx, tr := newTestTree(t, 1024, nil)
	max := tr.MaxKeySize()
	if max != MaxKeySize(s.PayloadSize()) || max < 150 {
		t.Fatalf("max key %d", max)
	}
	big := bytes.Repeat([]byte("k"), max)
	if err := tr.Put(big, 1, make([]byte, 5000)); err != nil {
		t.Fatal(err)
	}
	if err := tr.Put(append(big, 'x'), 1, nil); !errors.Is(err, ErrKeyTooLarge) {
		t.Fatalf("oversized key: %v", err)
	}
	if err := tr.Put([]byte{}, 7, []byte("empty key")); err != nil {
		t.Fatal(err)
	}
	if v, ver, ok, err := tr.Get(nil); !ok || err != nil || ver != 7 || string(v) != "empty key" {
		t.Fatalf("empty key: %q %d %v %v", v, ver, ok, err)
	}
	// Values exactly at the inline limit and one past it.
	lim := MaxRecordSize(s.PayloadSize()) - slotSize - 3
	for _, n := range []int{lim, lim + 1} {
		if err := tr.Put([]byte("abc"), 1, make([]byte, n)); err != nil {
			t.Fatal(err)
		}
		if v, _, _, err := tr.Get([]byte("abc")); err != nil || len(v) != n {
			t.Fatalf("value of %d: %d %v", n, len(v), err)
		}
	}
	if err := tr.Check(); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(tx, "", nil); !errors.Is(err, ErrName) {
		t.Fatalf("empty name: %v", err)
	}
	if _, err := tr.Select(100); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("select: %v", err)
	}
	if _, err := tr.Split(nil, nil, 0); !errors.Is(err, ErrBadInterval) {
		t.Fatalf("split k=0: %v", err)
	}
	if _, err := tr.Split([]byte("b"), []byte("a"), 2); !errors.Is(err, ErrBadInterval) {
		t.Fatalf("split lo>hi: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rtx := mustBegin(t, s, false)
	defer rtx.Rollback()
	rt, err := Open(rtx, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Put([]byte("a"), 1, nil); !errors.Is(err, bedrock.ErrReadOnly) {
		t.Fatalf("put in a read tx: %v", err)
	}
	if _, err := Create(rtx, "x", nil); !errors.Is(err, bedrock.ErrReadOnly) {
		t.Fatalf("create in a read tx: %v", err)
	}
}

func TestEmptyTreeAndCursorEdges(t *testing.T) {
	_, _, tr := newTestTree(t, 1024, nil)
	c := tr.Cursor()
	if c.First() || c.Last() || c.Seek([]byte("a")) || c.SeekLast(nil) || c.Next() || c.Prev() {
		t.Fatal("cursor valid on an empty tree")
	}
	if s, err := tr.Summary(nil, nil); err != nil || s != (Summary{}) {
		t.Fatal(s, err)
	}
	ivs, err := tr.Split(nil, nil, 4)
	if err != nil || len(ivs) != 1 || ivs[0].Lo != nil || ivs[0].Hi != nil || ivs[0].Summary.Count != 0 {
		t.Fatalf("split of an empty tree: %v %v", ivs, err)
	}
	for i := 0; i < 3000; i++ {
		tr.Put(keyN(i), 1, []byte("v"))
	}
	c = tr.Range(keyN(10), keyN(20))
	var got []string
	for ok := c.Last(); ok; ok = c.Prev() {
		got = append(got, string(c.Key()))
	}
	if len(got) != 10 || got[0] != string(keyN(19)) || got[9] != string(keyN(10)) {
		t.Fatalf("bounded backward scan: %v", got)
	}
	// Direction changes at leaf edges.
	c = tr.Cursor()
	c.First()
	for i := 0; i < 2999; i++ {
		if !c.Next() || string(c.Key()) != string(keyN(i+1)) {
			t.Fatalf("next %d: %q", i, c.Key())
		}
		if !c.Prev() || string(c.Key()) != string(keyN(i)) {
			t.Fatalf("prev %d: %q", i, c.Key())
		}
		c.Next()
	}
	if c.Next() {
		t.Fatal("next past the end")
	}
}

func TestSplitAlignsWithNodes(t *testing.T) {
	_, _, tr := newTestTree(t, 4096, &Options{})
	rng := rand.New(rand.NewPCG(9, 10))
	for i := 0; i < 50000; i++ {
		tr.Put(randBytes(rng, 8), 1, []byte("value"))
	}
	if err := tr.Flush(); err != nil {
		t.Fatal(err)
	}
	root, _ := tr.readPage(tr.root)
	seps := map[string]bool{}
	for i := 1; i < root.n; i++ {
		seps[string(root.sep(i))] = true
	}
	ivs, err := tr.Split(nil, nil, 4)
	if err != nil {
		t.Fatal(err)
	}
	aligned := 0
	var sum Summary
	for i, iv := range ivs {
		if i > 0 && seps[string(iv.Lo)] {
			aligned++
		}
		sum = sum.add(iv.Summary)
		t.Logf("%x..%x: %d", iv.Lo, iv.Hi, iv.Summary.Count)
	}
	all, _ := tr.Summary(nil, nil)
	if sum != all {
		t.Fatalf("parts sum to %v, whole is %v", sum, all)
	}
	if aligned < 2 {
		t.Errorf("only %d of 3 boundaries are root separators", aligned)
	}
}

// TestBlockReadsPerSummary checks that Summary and Count read O(log n)
// blocks: at most two root-to-leaf paths.
func TestBlockReadsPerSummary(t *testing.T) {
	_, _, tr := newTestTree(t, 4096, &Options{})
	rng := rand.New(rand.NewPCG(11, 12))
	n := 0
	for _, target := range []int{1000, 10000, 100000} {
		for ; n < target; n++ {
			tr.Put(binary.BigEndian.AppendUint64(nil, rng.Uint64()), 1, make([]byte, 100))
		}
		h := shape(t, tr).height
		worst := uint64(0)
		for i := 0; i < 200; i++ {
			lo := binary.BigEndian.AppendUint64(nil, rng.Uint64())
			hi := binary.BigEndian.AppendUint64(nil, rng.Uint64())
			if bytes.Compare(lo, hi) > 0 {
				lo, hi = hi, lo
			}
			tr.ResetStats()
			if _, err := tr.Summary(lo, hi); err != nil {
				t.Fatal(err)
			}
			worst = max(worst, tr.Stats().BlockReads)
		}
		t.Logf("n=%d height=%d: at most %d block reads per Summary", n, h, worst)
		if worst > uint64(2*h) {
			t.Fatalf("n=%d: %d block reads for a summary, height %d", n, worst, h)
		}
	}
}

func TestNestedTransactions(t *testing.T) {
	s, tx, tr := newTestTree(t, 1024, nil)
	for i := 0; i < 500; i++ {
		tr.Put(keyN(i), 1, []byte("parent"))
	}
	child, err := tx.Begin()
	if err != nil {
		t.Fatal(err)
	}
	ct, err := Open(child, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500; i += 2 {
		ct.Delete(keyN(i))
	}
	if ct.Len() != 250 {
		t.Fatalf("child len %d", ct.Len())
	}
	child.Rollback()
	if tr.Len() != 500 {
		t.Fatalf("len after child rollback %d", tr.Len())
	}
	child, _ = tx.Begin()
	ct, _ = Open(child, "t", nil)
	for i := 0; i < 500; i += 2 {
		ct.Delete(keyN(i))
	}
	if err := child.Commit(); err != nil {
		t.Fatal(err)
	}
	if tr.Len() != 250 {
		t.Fatalf("len after child commit %d", tr.Len())
	}
	if err := tr.Check(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rtx := mustBegin(t, s, false)
	defer rtx.Rollback()
	rt, _ := Open(rtx, "t", nil)
	got := contents(t, rt)
	var want []mrec
	for i := 1; i < 500; i += 2 {
		want = append(want, mrec{string(keyN(i)), 1, "parent"})
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatal(d)
	}
}

// TestDeferredFlushesItself: a deferred handle's changes reach the blocks
// without Flush: when the tree is opened again in the transaction, when a
// child transaction begins, and when the transaction commits; a handle
// opened before them does not see them until then.
func TestDeferredFlushesItself(t *testing.T) {
	s, tx, _ := newTestTree(t, 4096, nil)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx = mustBegin(t, s, true)
	tr, _ := Open(tx, "t", nil)
	early, _ := Open(tx, "t", &Options{Eager: true})
	for i := 0; i < 100; i++ {
		if err := tr.Put(keyN(i), 1, []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	if early.Len() != 0 {
		t.Fatalf("unflushed writes visible through a handle opened before them: %d", early.Len())
	}
	if other, _ := Open(tx, "t", nil); other.Len() != 100 {
		t.Fatalf("a handle opened after 100 unflushed writes sees %d", other.Len())
	}
	for i := 100; i < 200; i++ {
		tr.Put(keyN(i), 1, []byte("v"))
	}
	child, err := tx.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := Open(child, "t", nil); c.Len() != 200 {
		t.Fatalf("child sees %d records, want 200", c.Len())
	}
	cc, _ := Open(child, "t", nil)
	for i := 200; i < 300; i++ {
		cc.Put(keyN(i), 1, []byte("v"))
	}
	if err := child.Commit(); err != nil {
		t.Fatal(err)
	}
	for i := 300; i < 400; i++ {
		tr.Put(keyN(i), 1, []byte("v"))
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	r := mustBegin(t, s, false)
	defer r.Rollback()
	got, _ := Open(r, "t", nil)
	if got.Len() != 400 {
		t.Fatalf("committed %d records, want 400", got.Len())
	}
	if err := got.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestShrinkAfterAppendSplits deletes from the right edge of a tree built
// by appends, where the append split leaves internal nodes with a single
// child: merges must still reach them and the tree must shrink back.
func TestShrinkAfterAppendSplits(t *testing.T) {
	_, _, tr := newTestTree(t, 1024, nil)
	const n = 6000
	for i := 0; i < n; i++ {
		if err := tr.Put(keyN(i), 1, []byte("value")); err != nil {
			t.Fatal(err)
		}
	}
	full := shape(t, tr)
	for i := n - 1; i >= 0; i-- {
		if _, err := tr.Delete(keyN(i)); err != nil {
			t.Fatal(err)
		}
		if i%500 == 0 {
			if err := tr.Check(); err != nil {
				t.Fatalf("after deleting down to %d: %v", i, err)
			}
			sh := shape(t, tr)
			// Leaves stay at least about a quarter as full as after the load.
			perLeaf := n / full.leaves
			if sh.leaves > 4*i/perLeaf+2 {
				t.Fatalf("%d records in %d leaves (full tree: %d records in %d leaves)", i, sh.leaves, n, full.leaves)
			}
		}
	}
	if sh := shape(t, tr); sh.height != 1 || sh.leaves != 1 {
		t.Fatalf("empty tree has shape %+v", sh)
	}
}

// TestCheckAllFindsLeaks: a block allocated behind bxtree's back, and one
// a tree drop failed to free, are reported by CheckAll; freeing them makes
// the store clean again.
func TestCheckAllFindsLeaks(t *testing.T) {
	s, tx, tr := newTestTree(t, 1024, nil)
	for i := 0; i < 500; i++ {
		if err := tr.Put(keyN(i), 1, []byte("value")); err != nil {
			t.Fatal(err)
		}
	}
	if err := CheckAll(tx, nil); err != nil {
		t.Fatalf("clean store: %v", err)
	}
	var leaked []bedrock.LBA
	for i := 0; i < 5; i++ {
		l, err := tx.Alloc()
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Put(l, []byte("orphan")); err != nil {
			t.Fatal(err)
		}
		leaked = append(leaked, l)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx = mustBegin(t, s, true)
	err := CheckAll(tx, nil)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), fmt.Sprintf("block %d is allocated but no tree reaches it", leaked[0])) ||
		!strings.Contains(err.Error(), "2 more leaked blocks") {
		t.Fatalf("leaks not reported: %v", err)
	}
	for _, l := range leaked {
		if err := tx.Free(l); err != nil {
			t.Fatal(err)
		}
	}
	if err := CheckAll(tx, nil); err != nil {
		t.Fatalf("after freeing the leaks: %v", err)
	}
	tx.Rollback()
}

// TestDeferredGetSeesUnflushed: Get on a deferred handle answers from its
// unflushed nodes (inline and spilled values, deleted keys, keys in leaves
// it has not changed) without writing any block, and the tree is the same
// once flushed.
func TestDeferredGetSeesUnflushed(t *testing.T) {
	_, tx, tr := newTestTree(t, 1024, &Options{})
	model := map[string]string{}
	for i := 0; i < 3000; i++ {
		v := fmt.Sprintf("v%d", i)
		if err := tr.Put(keyN(i), 1, []byte(v)); err != nil {
			t.Fatal(err)
		}
		model[string(keyN(i))] = v
	}
	if err := tr.Flush(); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for round := 0; round < 2000; round++ {
		k := keyN(rng.IntN(3500))
		switch rng.IntN(4) {
		case 0:
			v := strings.Repeat(fmt.Sprint(round), 1+rng.IntN(600)) // spills past 1 KiB blocks
			if err := tr.Put(k, uint64(round), []byte(v)); err != nil {
				t.Fatal(err)
			}
			model[string(k)] = v
		case 1:
			if _, err := tr.Delete(k); err != nil {
				t.Fatal(err)
			}
			delete(model, string(k))
		default:
			before, dirty := tr.Stats().BlockWrites, len(tr.dirty)
			v, _, ok, err := tr.Get(k)
			want, wok := model[string(k)]
			if err != nil || ok != wok || string(v) != want {
				t.Fatalf("round %d: get %q = %q %v %v, want %q %v", round, k, v, ok, err, want, wok)
			}
			if tr.Stats().BlockWrites != before || len(tr.dirty) != dirty {
				t.Fatalf("round %d: get flushed (%d dirty nodes before)", round, dirty)
			}
		}
	}
	if err := tr.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := tr.Check(); err != nil {
		t.Fatal(err)
	}
	for k, want := range model {
		if v, _, ok, err := tr.Get([]byte(k)); err != nil || !ok || string(v) != want {
			t.Fatalf("after flush: get %q = %v %v", k, ok, err)
		}
	}
	_ = tx
}

// TestSpillFits: two leaves that fit 1.75 blocks together but have no
// split point giving two halves that fit (each half has a header of its
// own, and the halves split between whole records) must not be
// redistributed; the same sizes in another order can be.
func TestSpillFits(t *testing.T) {
	_, _, tr := newTestTree(t, 1024, nil)
	if tr.payload != 992 || MaxRecordSize(tr.payload) != 246 {
		t.Fatalf("payload %d, max record %d: the sizes below assume 992 and 246", tr.payload, MaxRecordSize(tr.payload))
	}
	leaves := func(sizes []int, nLeft int) (*node, *node) {
		l, r := newLeaf(1), newLeaf(2)
		for i, sz := range sizes {
			rec := record{key: []byte{byte('a' + i)}, value: make([]byte, sz-slotSize-1)}
			rec.vlen = uint64(len(rec.value))
			if rec.encSize() != sz {
				t.Fatalf("record of %d bytes encodes to %d", sz, rec.encSize())
			}
			n := r
			if i < nLeft {
				n = l
			}
			n.recs = append(n.recs, rec)
			n.size += sz
		}
		return l, r
	}
	// Prefix sums 246 492 712 743 | 989 ...: none falls in [744, 984],
	// where both halves of the 1728 bytes of records would fit 992 - 8.
	bad := []int{246, 246, 220, 31, 246, 246, 246, 216, 31}
	l, r := leaves(bad, 4)
	if m := l.size + r.size - headerSize; m > 2*tr.payload-tr.payload/4 {
		t.Fatalf("setup: merged size %d is over the spill bound", m)
	}
	if tr.spillFits(l, r) {
		t.Error("spillFits accepts leaves no split can hold")
	}
	good := []int{246, 246, 246, 246, 220, 31, 246, 216, 31}
	if l, r := leaves(good, 4); !tr.spillFits(l, r) {
		t.Error("spillFits refuses leaves that split into two that fit")
	}
}

// TestCursorRebound walks one cursor, rebound over and over, through random
// ranges forward and backward, and compares every walk with the model: on
// a write handle with Puts and Deletes between some walks, and on a read
// handle of the committed tree (kept pages).
// The keys and values read before each Rebound must stay as they were.
func TestCursorRebound(t *testing.T) {
	s, tx, tr := newTestTree(t, 1024, nil)
	m := model{}
	rng := rand.New(rand.NewPCG(7, 7))
	put := func() {
		k := keyN(rng.IntN(5000))
		if rng.IntN(4) == 0 {
			if _, err := tr.Delete(k); err != nil {
				t.Fatal(err)
			}
			delete(m, string(k))
			return
		}
		v := randBytes(rng, rng.IntN(200))
		if err := tr.Put(k, 1, v); err != nil {
			t.Fatal(err)
		}
		m[string(k)] = mrec{Key: string(k), Version: 1, Value: string(v)}
	}
	for i := 0; i < 2000; i++ {
		put()
	}
	walk := func(tr *Tree, writes bool) {
		c := tr.Range(nil, nil)
		var kept [][2][]byte // keys and values returned by earlier walks
		var keptWant [][2]string
		for round := 0; round < 400; round++ {
			if writes && round%7 == 3 {
				for range 5 {
					put()
				}
				kept, keptWant = nil, nil // a write may reuse a leaf's buffer
			}
			a, b := rng.IntN(5100), rng.IntN(60)
			lo, hi := keyN(a), keyN(a+b)
			if round%10 == 0 {
				lo = nil
			}
			c.Rebound(lo, hi)
			var want []string
			for _, r := range m.sorted() {
				if inRange(r.Key, lo, hi) {
					want = append(want, r.Key)
				}
			}
			backward := round%3 == 0
			if backward {
				slices.Reverse(want)
			}
			var got []string
			ok, step := c.First(), c.Next
			if backward {
				ok, step = c.Last(), c.Prev
			}
			for ; ok; ok = step() {
				got = append(got, string(c.Key()))
				kept = append(kept, [2][]byte{c.Key(), c.Value()})
				keptWant = append(keptWant, [2]string{string(c.Key()), m[string(c.Key())].Value})
			}
			if err := c.Err(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("writes %v round %d [%q, %q) backward %v: got %q, want %q", writes, round, lo, hi, backward, got, want)
			}
		}
		for i, kv := range kept {
			if string(kv[0]) != keptWant[i][0] || string(kv[1]) != keptWant[i][1] {
				t.Fatalf("record %d changed after Rebound: %q", i, kv[0])
			}
		}
	}
	walk(tr, true)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rtx := mustBegin(t, s, false)
	defer rtx.Rollback()
	rtr, err := Open(rtx, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	walk(rtr, false)
}
