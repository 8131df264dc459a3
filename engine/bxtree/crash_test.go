package bxtree

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/google/go-cmp/cmp"
)

// crashOps applies one random transaction's worth of operations to tr and
// to m.
func crashOps(t *testing.T, rng *rand.Rand, tr *Tree, m model, c int) {
	n := 1 + rng.IntN(30)
	if c%5 == 4 {
		n = 300 // now and then a big transaction with many splits
	}
	for i := 0; i < n; i++ {
		k := keyN(rng.IntN(2000))
		if rng.IntN(4) == 0 {
			if _, err := tr.Delete(k); err != nil {
				t.Fatal(err)
			}
			delete(m, string(k))
			continue
		}
		v := make([]byte, rng.IntN(60))
		if rng.IntN(40) == 0 {
			v = make([]byte, 3000) // overflow chain
		}
		for j := range v {
			v[j] = byte(c + j)
		}
		if err := tr.Put(k, uint64(c), v); err != nil {
			t.Fatal(err)
		}
		m[string(k)] = mrec{string(k), uint64(c), string(v)}
	}
}

// TestCrashRecovery runs commits until the MemFS fails at a random write,
// simulates power loss, reopens and checks that the tree is intact and
// holds exactly the acknowledged commits, or those plus the one in flight.
// With NoSync any prefix of the acknowledged commits is allowed.
func TestCrashRecovery(t *testing.T) {
	iters := 60
	if soak() {
		iters = 1000
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d, %d crashes", seed, iters)
	rng := rand.New(rand.NewPCG(seed, 3))
	outcomes := map[string]int{}
	for it := 0; it < iters; it++ {
		noSync := it%3 == 2
		fs := bedrock.NewMemFS()
		s, err := bedrock.Open("db", &bedrock.Options{FS: fs, BlockSize: 1024, NoSync: noSync})
		if err != nil {
			t.Fatal(err)
		}
		tx := mustBegin(t, s, true)
		if _, err := Create(tx, "t", nil); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := s.Sync(); err != nil { // the tree exists in every outcome
			t.Fatal(err)
		}
		acked := []model{{}}
		var inflight model
		fs.SetFailAfter(rng.IntN(150))
		for c := 1; c <= 40; c++ {
			tx, err := s.Begin(true)
			if err != nil {
				break
			}
			tr, err := Open(tx, "t", nil)
			if err != nil {
				t.Fatal(err)
			}
			next := acked[len(acked)-1].clone()
			crashOps(t, rng, tr, next, c)
			if err := tx.Commit(); err != nil {
				inflight = next
				break
			}
			acked = append(acked, next)
		}
		fs.Crash(rng)
		s.Close() // the old handle is dead; its error does not matter
		s2, err := bedrock.Open("db", &bedrock.Options{FS: fs, BlockSize: 1024})
		if err != nil {
			t.Fatalf("iteration %d: reopen after crash: %v", it, err)
		}
		rtx := mustBegin(t, s2, false)
		tr, err := Open(rtx, "t", nil)
		if err != nil {
			t.Fatalf("iteration %d: open tree: %v", it, err)
		}
		if err := CheckAll(rtx, nil); err != nil {
			t.Fatalf("iteration %d: check after crash: %v", it, err)
		}
		got := contents(t, tr)
		var match string
		switch {
		case cmp.Equal(got, acked[len(acked)-1].sorted()):
			match = "all acked"
		case inflight != nil && cmp.Equal(got, inflight.sorted()):
			match = "acked+inflight"
		case noSync:
			for i := len(acked) - 2; i >= 0; i-- {
				if cmp.Equal(got, acked[i].sorted()) {
					match = "nosync prefix"
				}
			}
		}
		if match == "" {
			t.Fatalf("iteration %d (nosync %v): after crash the tree holds %d records; acked %d commits (last %d records), inflight %v",
				it, noSync, len(got), len(acked)-1, len(acked[len(acked)-1]), inflight != nil)
		}
		outcomes[match]++
		if inflight != nil {
			outcomes["commit failed"]++
		}
		// The recovered store takes writes again.
		rtx.Rollback()
		wtx := mustBegin(t, s2, true)
		wt, _ := Open(wtx, "t", nil)
		crashOps(t, rng, wt, model{}, 99)
		if err := wt.Check(); err != nil {
			t.Fatal(err)
		}
		if err := wtx.Commit(); err != nil {
			t.Fatal(err)
		}
		s2.Close()
	}
	t.Logf("outcomes: %v", outcomes)
}

// TestCommitErrorLeavesStoreUsable checks that a failed commit in the
// middle of a workload reports an error and that the state after reopening
// is consistent (the error path of bedrock under a tree workload).
func TestCommitErrorLeavesStoreUsable(t *testing.T) {
	fs := bedrock.NewMemFS()
	s, err := bedrock.Open("db", &bedrock.Options{FS: fs, BlockSize: 1024})
	if err != nil {
		t.Fatal(err)
	}
	tx := mustBegin(t, s, true)
	tr, _ := Create(tx, "t", nil)
	for i := 0; i < 1000; i++ {
		tr.Put(keyN(i), 1, []byte(fmt.Sprint(i)))
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	fs.SetFailAfter(1)
	tx = mustBegin(t, s, true)
	tr, _ = Open(tx, "t", nil)
	for i := 0; i < 1000; i++ {
		tr.Delete(keyN(i))
	}
	if err := tx.Commit(); err == nil {
		t.Fatal("commit succeeded on a failing file system")
	} else if !errors.Is(err, bedrock.ErrSimulatedCrash) && !errors.Is(err, bedrock.ErrFailed) {
		t.Logf("commit error: %v", err)
	}
	fs.Crash(rand.New(rand.NewPCG(1, 1)))
	s.Close()
	s = reopen(t, fs, 1024)
	defer s.Close()
	rtx := mustBegin(t, s, false)
	defer rtx.Rollback()
	rt, err := Open(rtx, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Check(); err != nil {
		t.Fatal(err)
	}
	if n := rt.Len(); n != 1000 && n != 0 {
		t.Fatalf("len %d after a failed commit", n)
	}
}
