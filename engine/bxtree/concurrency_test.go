package bxtree

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// TestConcurrentReadersAndWriter runs readers, each with its own read
// transaction, against one writer that keeps committing. Readers take no
// latch; run with -race to check that nothing is shared. Every snapshot a
// reader sees must be a complete tree: Check passes, a full scan agrees with
// Summary and Split, and the snapshot's records all carry the same commit
// number in the "gen" record's bookkeeping.
func TestConcurrentReadersAndWriter(t *testing.T) {
	s, _ := memStore(t, 1024)
	defer s.Close()
	tx := mustBegin(t, s, true)
	tr, err := Create(tx, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	const keys = 3000
	for i := 0; i < keys; i++ {
		tr.Put(keyN(i), 0, []byte("0"))
	}
	tr.Put([]byte("gen"), 0, []byte("0"))
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	commits := 150
	if soak() {
		commits = 3000
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)

	var done atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	// Writer: each commit rewrites a random batch of records with its
	// commit number as value and version, and deletes/reinserts some. The
	// "gen" record counts commits; every record's version <= gen.
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer done.Store(true)
		rng := rand.New(rand.NewPCG(seed, 1))
		for c := 1; c <= commits; c++ {
			tx, err := s.Begin(true)
			if err != nil {
				errs <- err
				return
			}
			tr, err := Open(tx, "t", nil)
			if err != nil {
				errs <- err
				return
			}
			for i := 0; i < 40; i++ {
				k := keyN(rng.IntN(keys))
				if rng.IntN(3) == 0 {
					tr.Delete(k)
				} else if err := tr.Put(k, uint64(c), []byte(fmt.Sprint(c))); err != nil {
					errs <- err
					return
				}
			}
			tr.Put([]byte("gen"), uint64(c), []byte(fmt.Sprint(c)))
			if err := tx.Commit(); err != nil {
				errs <- err
				return
			}
		}
	}()
	var reads atomic.Int64
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			for i := 0; !done.Load(); i++ {
				if err := readSnapshot(s, i%10 == 0); err != nil {
					errs <- fmt.Errorf("reader %d: %w", r, err)
					return
				}
				reads.Add(1)
			}
		}(r)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("%d commits, %d snapshot verifications", commits, reads.Load())
}

// readSnapshot verifies one read snapshot of tree "t".
func readSnapshot(s *bedrock.Store, check bool) error {
	tx, err := s.Begin(false)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	tr, err := Open(tx, "t", nil)
	if err != nil {
		return err
	}
	sum, err := tr.Summary(nil, nil)
	if err != nil {
		return err
	}
	_, gen, ok, err := tr.Get([]byte("gen"))
	if err != nil || !ok {
		return fmt.Errorf("gen: %v %v", ok, err)
	}
	var scan Summary
	c := tr.Cursor()
	for ok := c.First(); ok; ok = c.Next() {
		if c.Version() > gen {
			return fmt.Errorf("record %q has version %d from after the snapshot's commit %d", c.Key(), c.Version(), gen)
		}
		scan = scan.add(Summary{1, c.Digest()})
	}
	if c.Err() != nil {
		return c.Err()
	}
	if scan != sum {
		return fmt.Errorf("scan %v, summary %v", scan, sum)
	}
	ivs, err := tr.Split(nil, nil, 3)
	if err != nil {
		return err
	}
	var parts Summary
	for _, iv := range ivs {
		parts = parts.add(iv.Summary)
	}
	if parts != sum {
		return fmt.Errorf("split parts %v, summary %v", parts, sum)
	}
	if check {
		return tr.Check()
	}
	return nil
}
