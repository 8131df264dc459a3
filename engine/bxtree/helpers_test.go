package bxtree

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// soak reports whether long tests were requested with BXDB_SOAK=1.
func soak() bool { return os.Getenv("BXDB_SOAK") != "" }

// memStore opens a store on a fresh MemFS with the given block size.
func memStore(t testing.TB, blockSize int) (*bedrock.Store, *bedrock.MemFS) {
	t.Helper()
	fs := bedrock.NewMemFS()
	s := reopen(t, fs, blockSize)
	return s, fs
}

// reopen opens the store "db" on fs.
func reopen(t testing.TB, fs *bedrock.MemFS, blockSize int) *bedrock.Store {
	t.Helper()
	s, err := bedrock.Open("db", &bedrock.Options{FS: fs, BlockSize: blockSize, NoSync: false})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	return s
}

// mustBegin begins a top-level transaction.
func mustBegin(t testing.TB, s *bedrock.Store, writable bool) *bedrock.Tx {
	t.Helper()
	tx, err := s.Begin(writable)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	return tx
}

// openOrCreate opens tree name in tx, creating it if it does not exist.
func openOrCreate(t testing.TB, tx *bedrock.Tx, name string) *Tree {
	t.Helper()
	tr, err := Open(tx, name, nil)
	if errors.Is(err, ErrNotFound) {
		tr, err = Create(tx, name, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// mrec is a record of the reference model.
type mrec struct {
	Key     string
	Version uint64
	Value   string
}

// model is the sorted in-memory reference the tree is compared with.
type model map[string]mrec

// clone returns a copy of m.
func (m model) clone() model {
	c := make(model, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// sorted returns the records of m in key order.
func (m model) sorted() []mrec {
	var out []mrec // nil when empty, like contents
	for _, r := range m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// inRange reports whether k lies in [lo, hi) with nil bounds unbounded.
func inRange(k string, lo, hi []byte) bool {
	return (lo == nil || k >= string(lo)) && (hi == nil || k < string(hi))
}

// summary computes the summary of [lo, hi) by brute force.
func (m model) summary(key []byte, lo, hi []byte) Summary {
	var s Summary
	for k, r := range m {
		if inRange(k, lo, hi) {
			s.Count++
			s.Digest = s.Digest.Xor(RecordDigest(key, []byte(k), r.Version, []byte(r.Value)))
		}
	}
	return s
}

// contents reads every record of tr in order, forward.
func contents(t testing.TB, tr *Tree) []mrec {
	t.Helper()
	var out []mrec
	c := tr.Cursor()
	for ok := c.First(); ok; ok = c.Next() {
		out = append(out, mrec{string(c.Key()), c.Version(), string(c.Value())})
	}
	if err := c.Err(); err != nil {
		t.Fatalf("scan: %v", err)
	}
	return out
}

// keyN returns a fixed-width key for i.
func keyN(i int) []byte { return []byte(fmt.Sprintf("key%08d", i)) }

// randBytes returns n random bytes from rng.
func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// treeShape describes a tree for fill-factor tests.
type treeShape struct {
	height         int
	leaves, inners int
	leafBytes      int // sum of encoded leaf sizes
	overflow       int
}

// shape walks tr and measures it.
func shape(t testing.TB, tr *Tree) treeShape {
	t.Helper()
	var sh treeShape
	var walk func(lba bedrock.LBA, depth int)
	walk = func(lba bedrock.LBA, depth int) {
		b, err := tr.tx.Get(lba)
		if err != nil {
			t.Fatal(err)
		}
		n, err := decodeNode(lba, b, tr.payload)
		if err != nil {
			t.Fatal(err)
		}
		if n.isLeaf() {
			sh.leaves++
			sh.leafBytes += len(b)
			sh.height = depth + 1
			for _, r := range n.recs {
				if r.spilled() {
					sh.overflow += tr.chainLen(r.vlen)
				}
			}
			return
		}
		sh.inners++
		for _, e := range n.ents {
			walk(e.child, depth+1)
		}
	}
	if err := tr.Flush(); err != nil {
		t.Fatal(err)
	}
	walk(tr.root, 0)
	return sh
}

// itoa formats i.
func itoa(i int) string { return strconv.Itoa(i) }

// bytesEq is bytes.Equal, for brevity in tests.
func bytesEq(a, b []byte) bool { return bytes.Equal(a, b) }
