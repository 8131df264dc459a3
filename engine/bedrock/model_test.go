package bedrock

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// model is the expected committed state: LBA -> contents.
type model map[LBA]string

func (m model) clone() model {
	c := make(model, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// randBlock returns block contents of a random kind: empty, small,
// compressible or incompressible, up to max bytes.
func randBlock(rng *rand.Rand, max int) []byte {
	switch rng.IntN(4) {
	case 0:
		return []byte{}
	case 1:
		b := make([]byte, rng.IntN(64))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	case 2:
		b := bytes.Repeat([]byte(fmt.Sprintf("x%d", rng.IntN(100))), 1+rng.IntN(max/2))
		return b[:min(len(b), max)]
	default:
		b := make([]byte, rng.IntN(max+1))
		if rng.IntN(2) == 0 {
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
		} else {
			for i := range b {
				b[i] = byte('a' + i%7)
			}
		}
		return b
	}
}

// readAll reads every LBA of m (plus a few not in it) through tx and
// returns what it saw.
func readAll(t *testing.T, tx *Tx, keys []LBA) model {
	t.Helper()
	got := model{}
	for _, l := range keys {
		d, err := tx.Get(l)
		if errors.Is(err, ErrNotAllocated) {
			continue
		}
		if err != nil {
			t.Fatalf("get %d: %v", l, err)
		}
		got[l] = string(d)
	}
	return got
}

func keysOf(ms ...model) []LBA {
	seen := map[LBA]bool{}
	var out []LBA
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// TestModel runs random streams of write/read/commit/abort/nested/reopen
// against an in-memory model.
func TestModel(t *testing.T) {
	for _, cfg := range []struct {
		name string
		opts Options
		osFS bool // a real file: vectored writes (writeRun) instead of copies
	}{
		{"default", Options{}, false},
		{"osfile", Options{}, true},
		{"nosync", Options{NoSync: true}, false},
		{"nocache-1k", Options{CacheSize: -1, BlockSize: 1024}, false},
		{"nopack-8k", Options{DisablePacking: true, BlockSize: 8192, CacheSize: 64 << 10}, false},
		{"osfile-nocache-nopack", Options{CacheSize: -1, DisablePacking: true}, true},
	} {
		t.Run(cfg.name, func(t *testing.T) {
			seed := uint64(time.Now().UnixNano())
			t.Logf("seed %d", seed)
			rng := rand.New(rand.NewPCG(seed, 7))
			opts := cfg.opts
			path := "m.db"
			if cfg.osFS {
				path = filepath.Join(t.TempDir(), path)
			} else {
				opts.FS = NewMemFS()
			}
			opts.InitialSize = 64 << 10
			opts.GrowSize = 64 << 10
			s, err := Open(path, &opts)
			if err != nil {
				t.Fatal(err)
			}
			committed := model{}
			for round := 0; round < 300; round++ {
				switch rng.IntN(10) {
				case 0:
					if err := s.Close(); err != nil {
						t.Fatal(err)
					}
					if s, err = Open(path, &opts); err != nil {
						t.Fatal(err)
					}
				case 1:
					rtx, _ := s.Begin(false)
					if got := readAll(t, rtx, keysOf(committed)); !cmp.Equal(got, committed) {
						t.Fatalf("round %d: snapshot differs: %s", round, cmp.Diff(committed, got))
					}
					rtx.Rollback()
				default:
					committed = runTx(t, rng, s, committed, round)
				}
			}
			rep, err := s.Check()
			if err != nil || !rep.OK() {
				t.Fatalf("check: %v %v", err, rep.Problems)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// runTx runs one random write transaction with nested children and
// returns the new committed model.
func runTx(t *testing.T, rng *rand.Rand, s *Store, committed model, round int) model {
	t.Helper()
	tx, err := s.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	// A read snapshot taken now must not see this transaction.
	snap, _ := s.Begin(false)
	stack := []*Tx{tx}
	views := []model{committed.clone()}
	payload := s.PayloadSize()
	for op := rng.IntN(30); op >= 0; op-- {
		cur, view := stack[len(stack)-1], views[len(views)-1]
		keys := keysOf(view)
		switch r := rng.IntN(12); {
		case r < 3 || len(keys) == 0:
			l, err := cur.Alloc()
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := view[l]; ok || l == RootLBA {
				t.Fatalf("Alloc returned live LBA %d", l)
			}
			view[l] = ""
		case r < 7:
			l := keys[rng.IntN(len(keys))]
			d := randBlock(rng, payload)
			if err := cur.Put(l, d); err != nil {
				t.Fatal(err)
			}
			view[l] = string(d)
		case r < 8:
			l := keys[rng.IntN(len(keys))]
			if l == RootLBA {
				continue
			}
			if err := cur.Free(l); err != nil {
				t.Fatal(err)
			}
			delete(view, l)
			if _, err := cur.Get(l); !errors.Is(err, ErrNotAllocated) {
				t.Fatalf("get of freed block: %v", err)
			}
		case r < 9:
			l := keys[rng.IntN(len(keys))]
			d, err := cur.Get(l)
			if err != nil || string(d) != view[l] {
				t.Fatalf("round %d: get %d = %q, %v; want %q", round, l, d, err, view[l])
			}
		case r < 10 && len(stack) < 4:
			c, err := cur.Begin()
			if err != nil {
				t.Fatal(err)
			}
			if err := cur.Put(RootLBA, nil); !errors.Is(err, ErrChildActive) {
				t.Fatalf("parent usable with child open: %v", err)
			}
			stack = append(stack, c)
			views = append(views, view.clone())
		case r < 11 && len(stack) > 1:
			if err := cur.Commit(); err != nil {
				t.Fatal(err)
			}
			stack = stack[:len(stack)-1]
			views = views[:len(views)-1]
			views[len(views)-1] = view
		case len(stack) > 1:
			if err := cur.Rollback(); err != nil {
				t.Fatal(err)
			}
			stack = stack[:len(stack)-1]
			views = views[:len(views)-1]
		}
	}
	for len(stack) > 1 {
		if err := stack[len(stack)-1].Commit(); err != nil {
			t.Fatal(err)
		}
		views[len(views)-2] = views[len(views)-1]
		stack, views = stack[:len(stack)-1], views[:len(views)-1]
	}
	final := views[0]
	if got := readAll(t, tx, keysOf(final, committed)); !cmp.Equal(got, final) {
		t.Fatalf("round %d: tx view differs: %s", round, cmp.Diff(final, got))
	}
	if rng.IntN(5) == 0 {
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		final = committed
	} else if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, snap, keysOf(final, committed)); !cmp.Equal(got, committed) {
		t.Fatalf("round %d: old snapshot changed: %s", round, cmp.Diff(committed, got))
	}
	snap.Rollback()
	if err := tx.Commit(); !errors.Is(err, ErrTxDone) {
		t.Fatalf("second commit: %v", err)
	}
	return final
}

// TestFreeSpaceBounded rewrites the same blocks forever: the file must stop
// growing.
func TestFreeSpaceBounded(t *testing.T) {
	fs := NewMemFS()
	s, err := Open("f.db", &Options{FS: fs, InitialSize: 256 << 10, GrowSize: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tx, _ := s.Begin(true)
	var lbas []LBA
	for i := 0; i < 50; i++ {
		l, _ := tx.Alloc()
		lbas = append(lbas, l)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var sizeAt [2]uint64
	for round := 0; round < 2000; round++ {
		tx, _ := s.Begin(true)
		for _, l := range lbas[:10+round%40] {
			tx.Put(l, bytes.Repeat([]byte{byte(round)}, 3000))
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if round == 999 {
			sizeAt[0] = s.Stats().FileUnits
		}
	}
	sizeAt[1] = s.Stats().FileUnits
	if sizeAt[1] != sizeAt[0] {
		t.Fatalf("file kept growing: %d units after 1000 rounds, %d after 2000", sizeAt[0], sizeAt[1])
	}
	rep, _ := s.Check()
	if !rep.OK() {
		t.Fatal(rep.Problems)
	}
}
