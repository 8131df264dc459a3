package bedrock

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// allocatedList collects what Tx.Allocated reports.
func allocatedList(t *testing.T, tx *Tx) []LBA {
	t.Helper()
	var out []LBA
	if err := tx.Allocated(func(l LBA) error { out = append(out, l); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAllocated compares Tx.Allocated with a model of allocated LBAs over
// random allocs, frees, nested transactions, commits, aborts and reopens.
func TestAllocated(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 11))
	fs := NewMemFS()
	opts := &Options{FS: fs, InitialSize: 64 << 10, GrowSize: 64 << 10, BlockSize: 1024}
	s, err := Open("a.db", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	committed := map[LBA]bool{RootLBA: true}
	sorted := func(m map[LBA]bool) []LBA {
		var out []LBA
		for l, ok := range m {
			if ok {
				out = append(out, l)
			}
		}
		slices.Sort(out)
		return out
	}
	for round := 0; round < 200; round++ {
		if rng.IntN(10) == 0 {
			s.Close()
			if s, err = Open("a.db", opts); err != nil {
				t.Fatal(err)
			}
		}
		tx, err := s.Begin(true)
		if err != nil {
			t.Fatal(err)
		}
		cur := map[LBA]bool{}
		for l := range committed {
			cur[l] = true
		}
		// Levels of nesting: each level's changes are kept in a copy of the
		// model so that a child's abort restores its parent's view.
		levels := []map[LBA]bool{cur}
		txs := []*Tx{tx}
		for op := 0; op < 40; op++ {
			top := txs[len(txs)-1]
			m := levels[len(levels)-1]
			switch r := rng.IntN(10); {
			case r < 4:
				l, err := top.Alloc()
				if err != nil {
					t.Fatal(err)
				}
				if rng.IntN(2) == 0 {
					if err := top.Put(l, []byte{byte(op)}); err != nil {
						t.Fatal(err)
					}
				}
				m[l] = true
			case r < 7:
				var live []LBA
				for l, ok := range m {
					if ok && l != RootLBA {
						live = append(live, l)
					}
				}
				if len(live) > 0 {
					slices.Sort(live)
					l := live[rng.IntN(len(live))]
					if err := top.Free(l); err != nil {
						t.Fatal(err)
					}
					delete(m, l)
				}
			case r == 7 && len(txs) < 3:
				c, err := top.Begin()
				if err != nil {
					t.Fatal(err)
				}
				cp := map[LBA]bool{}
				for l, ok := range m {
					cp[l] = ok
				}
				txs, levels = append(txs, c), append(levels, cp)
			case r == 8 && len(txs) > 1:
				if rng.IntN(2) == 0 {
					top.Commit()
					levels[len(levels)-2] = m
				} else {
					top.Rollback()
				}
				txs, levels = txs[:len(txs)-1], levels[:len(levels)-1]
			default:
				if got, want := allocatedList(t, top), sorted(m); !cmp.Equal(got, want) {
					t.Fatalf("round %d op %d: %s", round, op, cmp.Diff(want, got))
				}
			}
		}
		for len(txs) > 1 {
			txs[len(txs)-1].Commit()
			levels[len(levels)-2] = levels[len(levels)-1]
			txs, levels = txs[:len(txs)-1], levels[:len(levels)-1]
		}
		if rng.IntN(4) == 0 {
			tx.Rollback()
		} else {
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			committed = levels[0]
		}
		rtx, _ := s.Begin(false)
		if got, want := allocatedList(t, rtx), sorted(committed); !cmp.Equal(got, want) {
			t.Fatalf("round %d: committed: %s", round, cmp.Diff(want, got))
		}
		rtx.Rollback()
	}
}
