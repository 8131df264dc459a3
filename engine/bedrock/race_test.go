package bedrock

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Concurrency tests; run them with -race. Writers own disjoint groups of
// blocks; each group has a manifest block listing, for every slot of the
// group, the LBA holding it and the version last written there. Block
// contents derive from (group, slot, version), so a reader can check that
// everything it sees in its snapshot belongs to one committed state of the
// group, and re-check it while writers go on committing, freeing and
// reallocating blocks underneath.

const raceSlots = 12

// raceManifest is a group's manifest block: the version of the last
// commit, then for every slot its LBA and version.
type raceManifest struct {
	version uint64
	lba     [raceSlots]LBA
	ver     [raceSlots]uint64
}

func (m *raceManifest) encode() []byte {
	b := binary.LittleEndian.AppendUint64([]byte("man"), m.version)
	for i := range m.lba {
		b = binary.LittleEndian.AppendUint64(b, uint64(m.lba[i]))
		b = binary.LittleEndian.AppendUint64(b, m.ver[i])
	}
	return b
}

func decodeRaceManifest(b []byte) (raceManifest, error) {
	var m raceManifest
	if len(b) != 3+8+16*raceSlots || string(b[:3]) != "man" {
		return m, fmt.Errorf("bad manifest %.30q (%d bytes)", b, len(b))
	}
	m.version = binary.LittleEndian.Uint64(b[3:])
	for i := range m.lba {
		m.lba[i] = LBA(binary.LittleEndian.Uint64(b[11+16*i:]))
		m.ver[i] = binary.LittleEndian.Uint64(b[19+16*i:])
	}
	return m, nil
}

// raceContent is what slot holds at version v in group g.
func raceContent(g, slot int, v uint64, payload int) []byte {
	rng := rand.New(rand.NewPCG(uint64(g)<<32|uint64(slot), v))
	b := make([]byte, rng.IntN(payload+1))
	fill := byte(rng.Uint32())
	for i := range b {
		if i%3 == 0 {
			b[i] = byte(rng.Uint32())
		} else {
			b[i] = fill
		}
	}
	copy(b, fmt.Sprintf("g%d s%d v%d|", g, slot, v))
	return b
}

// raceGroup is one writer's state.
type raceGroup struct {
	id       int
	manifest LBA
	m        raceManifest // last committed
	done     atomic.Uint64
}

// setupRaceGroups allocates n groups in one commit.
func setupRaceGroups(t testing.TB, s *Store, n int) []*raceGroup {
	tx, err := s.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	var gs []*raceGroup
	for g := 0; g < n; g++ {
		rg := &raceGroup{id: g}
		if rg.manifest, err = tx.Alloc(); err != nil {
			t.Fatal(err)
		}
		for i := range rg.m.lba {
			if rg.m.lba[i], err = tx.Alloc(); err != nil {
				t.Fatal(err)
			}
			if err := tx.Put(rg.m.lba[i], raceContent(g, i, 0, s.PayloadSize())); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Put(rg.manifest, rg.m.encode()); err != nil {
			t.Fatal(err)
		}
		gs = append(gs, rg)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return gs
}

// raceWrite runs one write transaction of group g, with nested
// transactions, frees and reallocations; it may roll back. It returns an
// error instead of failing so it can run on any goroutine.
func raceWrite(s *Store, g *raceGroup, rng *rand.Rand) error {
	payload := s.PayloadSize()
	tx, err := s.Begin(true)
	if err != nil {
		return err
	}
	m := g.m
	v := m.version + 1
	m.version = v
	write := func(tx *Tx, m *raceManifest, slot int) error {
		if rng.IntN(3) == 0 {
			// Move the slot to a fresh block.
			if err := tx.Free(m.lba[slot]); err != nil {
				return fmt.Errorf("free: %w", err)
			}
			l, err := tx.Alloc()
			if err != nil {
				return fmt.Errorf("alloc: %w", err)
			}
			m.lba[slot] = l
		}
		m.ver[slot] = v
		return tx.Put(m.lba[slot], raceContent(g.id, slot, v, payload))
	}
	for i, n := 0, 1+rng.IntN(4); i < n; i++ {
		if err := write(tx, &m, rng.IntN(raceSlots)); err != nil {
			return err
		}
	}
	// A nested transaction, committed or rolled back; sometimes with a
	// grandchild.
	if rng.IntN(2) == 0 {
		child, err := tx.Begin()
		if err != nil {
			return err
		}
		cm := m
		if err := write(child, &cm, rng.IntN(raceSlots)); err != nil {
			return err
		}
		if rng.IntN(2) == 0 {
			gc, err := child.Begin()
			if err != nil {
				return err
			}
			gm := cm
			if err := write(gc, &gm, rng.IntN(raceSlots)); err != nil {
				return err
			}
			if rng.IntN(2) == 0 {
				if err := gc.Commit(); err != nil {
					return err
				}
				cm = gm
			} else if err := gc.Rollback(); err != nil {
				return err
			}
		}
		if rng.IntN(3) != 0 {
			if err := child.Commit(); err != nil {
				return err
			}
			m = cm
		} else if err := child.Rollback(); err != nil {
			return err
		}
	}
	if err := tx.Put(g.manifest, m.encode()); err != nil {
		return err
	}
	if rng.IntN(8) == 0 {
		return tx.Rollback()
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit of group %d version %d: %w", g.id, v, err)
	}
	g.m = m
	g.done.Store(v)
	return nil
}

// raceRead reads group g in tx and checks it is one committed state;
// it returns the manifest seen.
func raceRead(tx *Tx, g *raceGroup, payload int) (raceManifest, error) {
	b, err := tx.Get(g.manifest)
	if err != nil {
		return raceManifest{}, fmt.Errorf("group %d manifest: %w", g.id, err)
	}
	m, err := decodeRaceManifest(b)
	if err != nil {
		return m, err
	}
	for i := range m.lba {
		got, err := tx.Get(m.lba[i])
		if err != nil {
			return m, fmt.Errorf("generation %d group %d slot %d (LBA %d): %w", tx.Gen(), g.id, i, m.lba[i], err)
		}
		if want := raceContent(g.id, i, m.ver[i], payload); !bytes.Equal(got, want) {
			return m, fmt.Errorf("generation %d group %d slot %d (LBA %d): holds %.16q, want version %d (manifest version %d)",
				tx.Gen(), g.id, i, m.lba[i], got, m.ver[i], m.version)
		}
	}
	return m, nil
}

// TestRaceSnapshots runs writers (with nested transactions, frees and
// reallocations) and readers that hold snapshots across many commits.
func TestRaceSnapshots(t *testing.T) {
	for _, cfg := range []struct {
		name  string
		cache int64
		real  bool
	}{{"cache", 256 << 10, false}, {"nocache", -1, false}, {"file", 64 << 10, true}} {
		t.Run(cfg.name, func(t *testing.T) {
			seed := loggedSeed(t, "BXDB_RACE_SEED")
			opts := &Options{CacheSize: cfg.cache, InitialSize: 256 << 10, GrowSize: 256 << 10, BlockSize: 1024}
			path := "db"
			if cfg.real {
				path = filepath.Join(t.TempDir(), "db")
				opts.NoSync = true
			} else {
				opts.FS = NewMemFS()
			}
			s, err := Open(path, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			groups := setupRaceGroups(t, s, 4)
			payload := s.PayloadSize()
			duration := 1500 * time.Millisecond
			if testing.Short() {
				duration = 300 * time.Millisecond
			}
			stop := make(chan struct{})
			errc := make(chan error, 16)
			var wg sync.WaitGroup
			for _, g := range groups {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(seed, uint64(g.id)))
					for {
						select {
						case <-stop:
							return
						default:
						}
						if err := raceWrite(s, g, rng); err != nil {
							errc <- err
							return
						}
					}
				}()
			}
			var reads atomic.Int64
			for r := 0; r < 4; r++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(seed, 100+uint64(r)))
					last := make([]uint64, len(groups))
					for {
						select {
						case <-stop:
							return
						default:
						}
						// Every commit done before Begin must be visible.
						floor := make([]uint64, len(groups))
						for i, g := range groups {
							floor[i] = g.done.Load()
						}
						tx, err := s.Begin(false)
						if err != nil {
							errc <- err
							return
						}
						seen := make([]raceManifest, len(groups))
						for i, g := range groups {
							m, err := raceRead(tx, g, payload)
							if err != nil {
								errc <- err
								return
							}
							if m.version < floor[i] || m.version < last[i] {
								errc <- fmt.Errorf("generation %d: group %d at version %d, but version %d was committed before Begin (last seen %d)", tx.Gen(), i, m.version, floor[i], last[i])
								return
							}
							last[i], seen[i] = m.version, m
						}
						reads.Add(1)
						// Hold the snapshot while writers commit, free and
						// reuse, then read it again: nothing may change.
						if rng.IntN(4) == 0 {
							g0 := s.Stats().Generation
							for deadline := time.Now().Add(50 * time.Millisecond); s.Stats().Generation < g0+3 && time.Now().Before(deadline); {
								time.Sleep(100 * time.Microsecond)
							}
							for i, g := range groups {
								m, err := raceRead(tx, g, payload)
								if err != nil {
									errc <- fmt.Errorf("snapshot reread: %w", err)
									return
								}
								if m != seen[i] {
									errc <- fmt.Errorf("generation %d: group %d changed under a snapshot: version %d then %d", tx.Gen(), i, seen[i].version, m.version)
									return
								}
							}
						}
						tx.Rollback()
					}
				}()
			}
			select {
			case err := <-errc:
				close(stop)
				wg.Wait()
				t.Fatalf("seed %d: %v", seed, err)
			case <-time.After(duration):
			}
			close(stop)
			wg.Wait()
			select {
			case err := <-errc:
				t.Fatalf("seed %d: %v", seed, err)
			default:
			}
			st := s.Stats()
			t.Logf("%d commits in %d groups, %d conflicts, %d snapshot reads", st.Commits, st.Groups, st.Conflicts, reads.Load())
			if st.Conflicts != 0 {
				t.Fatalf("writers on disjoint blocks had %d conflicts", st.Conflicts)
			}
			if reads.Load() == 0 || st.Commits < 10 {
				t.Fatalf("too little happened: %d reads, %d commits", reads.Load(), st.Commits)
			}
			if rep, err := s.Check(); err != nil || !rep.OK() {
				t.Fatalf("Check: %v %q", err, rep.Problems)
			}
			// The final state survives a reopen.
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if s, err = Open(path, opts); err != nil {
				t.Fatal(err)
			}
			tx, _ := s.Begin(false)
			for _, g := range groups {
				m, err := raceRead(tx, g, payload)
				if err != nil {
					t.Fatal(err)
				}
				if m != g.m {
					t.Fatalf("group %d after reopen at version %d, want %d", g.id, m.version, g.m.version)
				}
			}
			tx.Rollback()
		})
	}
}

// TestRaceDisjointWriters commits from 8 goroutines on their own blocks of
// a synced real file: every commit succeeds, and group commit batches them.
func TestRaceDisjointWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := Open(path, &Options{InitialSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const writers, commits = 8, 40
	groups := setupRaceGroups(t, s, writers)
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := groups[w]
			for c := 1; c <= commits; c++ {
				tx, err := s.Begin(true)
				if err != nil {
					errs[w] = err
					return
				}
				slot := c % raceSlots
				g.m.version, g.m.ver[slot] = uint64(c), uint64(c)
				tx.Put(g.m.lba[slot], raceContent(w, slot, uint64(c), s.PayloadSize()))
				tx.Put(g.manifest, g.m.encode())
				if err := tx.Commit(); err != nil {
					errs[w] = fmt.Errorf("writer %d commit %d: %w", w, c, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	t.Logf("%d commits in %d groups (%.1f per group), %d syncs", st.Commits, st.Groups, float64(st.Commits)/float64(st.Groups), st.Syncs)
	if st.Commits != writers*commits+1 || st.Conflicts != 0 {
		t.Fatalf("Stats: %d commits, %d conflicts; want %d and 0", st.Commits, st.Conflicts, writers*commits+1)
	}
	tx, _ := s.Begin(false)
	defer tx.Rollback()
	for _, g := range groups {
		m, err := raceRead(tx, g, s.PayloadSize())
		if err != nil {
			t.Fatal(err)
		}
		if m.version != commits {
			t.Fatalf("group %d at version %d, want %d", g.id, m.version, commits)
		}
	}
}

// TestRaceConflicts starts several transactions on one snapshot that all
// write the same block and commits them at once: exactly one wins, the
// others fail with ErrConflict and leave no trace (their other writes and
// allocations are rolled back).
func TestRaceConflicts(t *testing.T) {
	seed := loggedSeed(t, "BXDB_RACE_SEED")
	rng := rand.New(rand.NewPCG(seed, 7))
	s, err := Open("db", &Options{FS: NewMemFS()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const maxWriters = 8
	setup, _ := s.Begin(true)
	var shared LBA
	if shared, err = setup.Alloc(); err != nil {
		t.Fatal(err)
	}
	own := make([]LBA, maxWriters)
	for i := range own {
		own[i], _ = setup.Alloc()
		setup.Put(own[i], []byte("initial"))
	}
	setup.Put(shared, []byte("initial"))
	if err := setup.Commit(); err != nil {
		t.Fatal(err)
	}
	rounds := 200
	if testing.Short() {
		rounds = 40
	}
	for round := 0; round < rounds; round++ {
		n := 2 + rng.IntN(maxWriters-1)
		txs := make([]*Tx, n)
		fresh := make([]LBA, n)
		for i := range txs {
			if txs[i], err = s.Begin(true); err != nil {
				t.Fatal(err)
			}
		}
		for i, tx := range txs {
			if err := tx.Put(shared, []byte(fmt.Sprintf("round %d writer %d", round, i))); err != nil {
				t.Fatal(err)
			}
			tx.Put(own[i], []byte(fmt.Sprintf("round %d writer %d own", round, i)))
			if fresh[i], err = tx.Alloc(); err != nil {
				t.Fatal(err)
			}
			tx.Put(fresh[i], []byte("fresh"))
			if rng.IntN(2) == 0 { // the conflicting write inside a nested transaction
				c, _ := tx.Begin()
				c.Put(shared, []byte(fmt.Sprintf("round %d writer %d nested", round, i)))
				c.Commit()
			}
		}
		errs := make([]error, n)
		var start, wg sync.WaitGroup
		start.Add(1)
		for i, tx := range txs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				start.Wait()
				errs[i] = tx.Commit()
			}()
		}
		start.Done()
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("seed %d round %d: writers %d and %d both committed a write to block %d", seed, round, winner, i, shared)
			case err == nil:
				winner = i
			case !errors.Is(err, ErrConflict):
				t.Fatalf("seed %d round %d: writer %d: %v, want ErrConflict", seed, round, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("seed %d round %d: all %d writers failed: %v", seed, round, n, errs)
		}
		r, _ := s.Begin(false)
		got, _ := r.Get(shared)
		if want := fmt.Sprintf("round %d writer %d", round, winner); !bytes.HasPrefix(got, []byte(want)) {
			t.Fatalf("round %d: shared block holds %q, want the winner's %q", round, got, want)
		}
		for i := 0; i < n; i++ {
			got, _ := r.Get(own[i])
			mine := bytes.HasPrefix(got, []byte(fmt.Sprintf("round %d writer %d own", round, i)))
			if mine != (i == winner) {
				t.Fatalf("round %d: writer %d (winner %d): own block holds %q", round, i, winner, got)
			}
			_, err := r.Get(fresh[i])
			if i != winner && !errors.Is(err, ErrNotAllocated) {
				t.Fatalf("round %d: loser %d's allocation %d is visible: %v", round, i, fresh[i], err)
			}
			if i == winner && err != nil {
				t.Fatalf("round %d: winner's allocation %d: %v", round, fresh[i], err)
			}
		}
		r.Rollback()
		// Free the winner's fresh block so LBAs cycle.
		f, _ := s.Begin(true)
		f.Free(fresh[winner])
		if err := f.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	st := s.Stats()
	t.Logf("%d commits, %d conflicts, %d groups", st.Commits, st.Conflicts, st.Groups)
	// LBAs of losers went back to the free list: the address space stays
	// small.
	tx, _ := s.Begin(true)
	l, _ := tx.Alloc()
	tx.Rollback()
	if l > 4*maxWriters {
		t.Fatalf("after %d rounds Alloc returns LBA %d: allocations of failed commits leak", rounds, l)
	}
	if rep, err := s.Check(); err != nil || !rep.OK() {
		t.Fatalf("Check: %v %q", err, rep.Problems)
	}
}

// TestRaceConflictSequential: the first committer wins also when the
// commits do not overlap in time, and read-only transactions and writes
// to other blocks never conflict.
func TestRaceConflictSequential(t *testing.T) {
	s, err := Open("db", &Options{FS: NewMemFS()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tx, _ := s.Begin(true)
	a, _ := tx.Alloc()
	b, _ := tx.Alloc()
	tx.Put(a, []byte("a0"))
	tx.Put(b, []byte("b0"))
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	t1, _ := s.Begin(true)
	t2, _ := s.Begin(true)
	t3, _ := s.Begin(true)
	r, _ := s.Begin(false)
	t1.Put(a, []byte("a1"))
	t2.Put(a, []byte("a2"))
	t3.Put(b, []byte("b3"))
	if err := t1.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := t2.Commit(); !errors.Is(err, ErrConflict) {
		t.Fatalf("second writer of a block: %v, want ErrConflict", err)
	}
	if err := t2.Commit(); !errors.Is(err, ErrTxDone) {
		t.Fatalf("commit after a conflict: %v, want ErrTxDone", err)
	}
	if err := t3.Commit(); err != nil {
		t.Fatalf("writer of another block: %v", err)
	}
	if got, _ := r.Get(a); string(got) != "a0" {
		t.Fatalf("old snapshot reads %q, want a0", got)
	}
	if err := r.Commit(); err != nil {
		t.Fatalf("read-only commit: %v", err)
	}
	// Freeing a block another transaction wrote is a conflict too.
	t4, _ := s.Begin(true)
	t5, _ := s.Begin(true)
	t4.Put(b, []byte("b4"))
	t5.Free(b)
	if err := t4.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := t5.Commit(); !errors.Is(err, ErrConflict) {
		t.Fatalf("free of a block written meanwhile: %v, want ErrConflict", err)
	}
}

// TestRaceClose closes the store under readers and writers: every call
// returns correct data or a clean error (ErrClosed, ErrTxDone), never
// ErrCorrupt or a panic.
func TestRaceClose(t *testing.T) {
	for round := 0; round < 10; round++ {
		s, err := Open("db", &Options{FS: NewMemFS(), CacheSize: -1, BlockSize: 1024})
		if err != nil {
			t.Fatal(err)
		}
		groups := setupRaceGroups(t, s, 3)
		var wg sync.WaitGroup
		errc := make(chan error, 16)
		clean := func(err error) bool {
			return errors.Is(err, ErrClosed) || errors.Is(err, ErrTxDone)
		}
		for _, g := range groups {
			wg.Add(2)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(round), uint64(g.id)))
				for {
					if err := raceWrite(s, g, rng); err != nil {
						if !clean(err) {
							errc <- fmt.Errorf("writer: %w", err)
						}
						return
					}
				}
			}()
			go func() {
				defer wg.Done()
				for {
					tx, err := s.Begin(false)
					if err != nil {
						if !clean(err) {
							errc <- err
						}
						return
					}
					_, err = raceRead(tx, g, s.PayloadSize())
					tx.Rollback()
					if err != nil {
						if !clean(err) {
							errc <- fmt.Errorf("reader: %w", err)
						}
						return
					}
				}
			}()
		}
		time.Sleep(time.Duration(1+round*3) * time.Millisecond)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Errorf("round %d: %v", round, err)
		}
	}
}

// TestRaceAllocUnique allocates from many goroutines (Alloc and
// AllocApart), rolling back some transactions and freeing the blocks of
// others: neither ever hands out an LBA that a live transaction or the
// committed state still holds.
func TestRaceAllocUnique(t *testing.T) {
	s, err := Open("db", &Options{FS: NewMemFS()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var mu sync.Mutex
	owner := map[LBA]int{} // LBAs handed out and not yet given back
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	release := func(lbas []LBA) {
		mu.Lock()
		for _, l := range lbas {
			delete(owner, l)
		}
		mu.Unlock()
	}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 9))
			for i := 0; i < 60; i++ {
				tx, _ := s.Begin(true)
				var mine []LBA
				for j := 0; j < 1+rng.IntN(5); j++ {
					alloc := tx.Alloc
					if rng.IntN(2) == 0 {
						alloc = tx.AllocApart
					}
					l, err := alloc()
					if err != nil {
						errc <- err
						return
					}
					mu.Lock()
					o, dup := owner[l]
					owner[l] = w
					mu.Unlock()
					if dup {
						errc <- fmt.Errorf("LBA %d handed to writer %d while writer %d holds it", l, w, o)
						return
					}
					mine = append(mine, l)
					tx.Put(l, []byte{byte(w)})
				}
				if rng.IntN(3) == 0 {
					// Give the LBAs back before they return to the free list.
					release(mine)
					tx.Rollback()
					continue
				}
				if err := tx.Commit(); err != nil {
					errc <- err
					return
				}
				f, _ := s.Begin(true)
				for _, l := range slices.Backward(mine) {
					if got, err := f.Get(l); err != nil || !bytes.Equal(got, []byte{byte(w)}) {
						errc <- fmt.Errorf("writer %d: block %d holds %v, %v", w, l, got, err)
						return
					}
					f.Free(l)
				}
				release(mine)
				if err := f.Commit(); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if rep, err := s.Check(); err != nil || !rep.OK() {
		t.Fatalf("Check: %v %q", err, rep.Problems)
	}
}

// TestRaceLazySegments reopens a store of many map segments and reads it
// from several goroutines at once, with a writer committing, while settle
// reads the segments open left unread: every read sees the committed
// contents, each segment is loaded once for all, and the allocator settle
// builds is exact (Check).
func TestRaceLazySegments(t *testing.T) {
	fs := NewMemFS()
	opts := &Options{FS: fs, BlockSize: 1024} // 62 entries a segment
	s, err := Open("s.db", opts)
	if err != nil {
		t.Fatal(err)
	}
	const n = 3000
	content := func(l LBA, v int) []byte { return fmt.Appendf(nil, "block %d version %d", l, v) }
	var lbas []LBA
	tx, _ := s.Begin(true)
	for range n {
		l, err := tx.Alloc()
		if err != nil {
			t.Fatal(err)
		}
		tx.Put(l, content(l, 0))
		lbas = append(lbas, l)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for round := range 4 {
		s, err := Open("s.db", opts)
		if err != nil {
			t.Fatal(err)
		}
		lazy := 0
		for _, pg := range s.mu.cur.pages {
			for _, sg := range pageSegs(pg) {
				if sg != nil && sg.lazy != nil {
					lazy++
				}
			}
		}
		if lazy < n/62 {
			t.Fatalf("round %d: %d segments left to load lazily, want all %d", round, lazy, n/62)
		}
		// Writer: rewrites the first 100 blocks with version round+1.
		var wg sync.WaitGroup
		errc := make(chan error, 8)
		wg.Add(1)
		go func() {
			defer wg.Done()
			tx, _ := s.Begin(true)
			for _, l := range lbas[:100] {
				tx.Put(l, content(l, round+1))
			}
			if err := tx.Commit(); err != nil {
				errc <- err
			}
		}()
		for r := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(round), uint64(r)))
				tx, _ := s.Begin(false)
				defer tx.Rollback()
				for range 500 {
					i := rng.IntN(n)
					got, err := tx.Get(lbas[i])
					if err != nil {
						errc <- err
						return
					}
					want := content(lbas[i], 0)
					if i < 100 { // before or after this round's commit
						want = content(lbas[i], round)
						if !bytes.Equal(got, want) {
							want = content(lbas[i], round+1)
						}
					}
					if !bytes.Equal(got, want) {
						errc <- fmt.Errorf("Get(%d) = %q, want %q", lbas[i], got, want)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatalf("round %d: %v", round, err)
		}
		rep, err := s.Check()
		if err != nil || !rep.OK() {
			t.Fatalf("round %d: Check: %v %q", round, err, rep.Problems)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRaceCounters runs writers that each increment a shared counter
// (one of a few blocks) and a counter of their own in every transaction,
// retrying on ErrConflict, with an occasional one that only reads. Their
// commits queue and apply in batches (commitDurable); a batch must treat
// two of its requests that write one block as a conflict, or increments
// are lost. The counters must add up to the successful commits exactly,
// and every commit must have been durable when Commit returned (a reopen
// shows them all).
func TestRaceCounters(t *testing.T) {
	seed := loggedSeed(t, "BXDB_RACE_SEED")
	for _, fsName := range []string{"file", "memfs"} {
		t.Run(fsName, func(t *testing.T) {
			opts := &Options{InitialSize: 1 << 20}
			path := filepath.Join(t.TempDir(), "db")
			if fsName == "memfs" {
				opts.FS, path = NewMemFS(), "db"
			}
			s, err := Open(path, opts)
			if err != nil {
				t.Fatal(err)
			}
			const writers, shared = 8, 3
			commits := 60
			if testing.Short() {
				commits = 15
			}
			setup, _ := s.Begin(true)
			counters := make([]LBA, shared+writers)
			for i := range counters {
				counters[i], _ = setup.Alloc()
				setup.Put(counters[i], binary.LittleEndian.AppendUint64(nil, 0))
			}
			if err := setup.Commit(); err != nil {
				t.Fatal(err)
			}
			incr := func(tx *Tx, l LBA) error {
				b, err := tx.Get(l)
				if err != nil {
					return err
				}
				return tx.Put(l, binary.LittleEndian.AppendUint64(nil, binary.LittleEndian.Uint64(b)+1))
			}
			var wg sync.WaitGroup
			errs := make([]error, writers)
			var conflicts atomic.Int64
			incremented := make([]uint64, writers) // by writer: committed increments
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(seed, uint64(w)))
					for done := 0; done < commits; {
						tx, err := s.Begin(true)
						if err != nil {
							errs[w] = err
							return
						}
						readOnly := rng.IntN(8) == 0
						if readOnly { // commits at once
							if _, err := tx.Get(counters[rng.IntN(shared)]); err != nil {
								errs[w] = err
								return
							}
						} else if err := errors.Join(incr(tx, counters[rng.IntN(shared)]), incr(tx, counters[shared+w])); err != nil {
							errs[w] = err
							return
						}
						switch err := tx.Commit(); {
						case errors.Is(err, ErrConflict):
							conflicts.Add(1)
						case err != nil:
							errs[w] = err
							return
						default:
							done++
							if !readOnly {
								incremented[w]++
							}
						}
					}
				}()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			check := func(s *Store, when string) {
				tx, _ := s.Begin(false)
				defer tx.Rollback()
				var sharedSum, total uint64
				for i, l := range counters {
					b, err := tx.Get(l)
					if err != nil {
						t.Fatalf("%s: counter %d: %v", when, i, err)
					}
					v := binary.LittleEndian.Uint64(b)
					if i < shared {
						sharedSum += v
					} else if w := i - shared; v != incremented[w] {
						t.Fatalf("%s: writer %d's counter is %d, want %d", when, w, v, incremented[w])
					} else {
						total += v
					}
				}
				if sharedSum != total {
					t.Fatalf("%s: shared counters add up to %d, want %d: increments lost", when, sharedSum, total)
				}
			}
			check(s, "open")
			st := s.Stats()
			t.Logf("%d commits in %d groups, %d conflicts", st.Commits, st.Groups, conflicts.Load())
			if rep, err := s.Check(); err != nil || !rep.OK() {
				t.Fatalf("Check: %v %q", err, rep.Problems)
			}
			if fsName == "memfs" {
				opts.FS.(*MemFS).Crash(rand.New(rand.NewPCG(seed, 99)))
			} else if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s2, err := Open(path, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			check(s2, "reopened")
		})
	}
}

// TestCrashConcurrentGroups loses power at a random point while writers
// commit concurrently, so that their commits apply and sync in groups
// (commitDurable). Each transaction writes a pair of blocks with one
// value; after the crash every pair must be whole (a group is one
// version: all of it or none of it), and hold the writer's last
// acknowledged commit or a later one it attempted.
func TestCrashConcurrentGroups(t *testing.T) {
	seed := loggedSeed(t, "BXDB_RACE_SEED")
	rng := rand.New(rand.NewPCG(seed, 11))
	trials := 150
	if testing.Short() {
		trials = 30
	}
	const writers, commits = 4, 25
	for trial := range trials {
		fs := NewMemFS()
		s, err := Open("g.db", &Options{FS: fs, InitialSize: 256 << 10, GrowSize: 128 << 10})
		if err != nil {
			t.Fatal(err)
		}
		setup, _ := s.Begin(true)
		pairs := make([][2]LBA, writers)
		for w := range pairs {
			for i := range pairs[w] {
				pairs[w][i], _ = setup.Alloc()
				setup.Put(pairs[w][i], []byte(fmt.Sprintf("%d:0", w)))
			}
		}
		if err := setup.Commit(); err != nil {
			t.Fatal(err)
		}
		fs.SetFailAfter(rng.IntN(12 * writers * commits / 2))
		acked := make([]int, writers)     // last seq whose Commit returned nil
		attempted := make([]int, writers) // last seq whose Commit was called
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for seq := 1; seq <= commits; seq++ {
					tx, err := s.Begin(true)
					if err != nil {
						return
					}
					v := []byte(fmt.Sprintf("%d:%d", w, seq))
					tx.Put(pairs[w][0], v)
					if seq%3 == 0 { // a block allocated and freed in the same commit
						if l, err := tx.Alloc(); err == nil {
							tx.Put(l, v)
							tx.Free(l)
						}
					}
					tx.Put(pairs[w][1], slices.Clone(v))
					attempted[w] = seq
					if err := tx.Commit(); err != nil {
						return
					}
					acked[w] = seq
				}
			}()
		}
		wg.Wait()
		fs.Crash(rand.New(rand.NewPCG(seed, uint64(trial))))
		s2, err := Open("g.db", &Options{FS: fs})
		if err != nil {
			t.Fatalf("trial %d: reopen: %v", trial, err)
		}
		tx, _ := s2.Begin(false)
		for w, p := range pairs {
			a, errA := tx.Get(p[0])
			b, errB := tx.Get(p[1])
			if err := errors.Join(errA, errB); err != nil {
				t.Fatalf("trial %d writer %d: %v", trial, w, err)
			}
			if !bytes.Equal(a, b) {
				t.Fatalf("trial %d writer %d: pair torn: %q and %q", trial, w, a, b)
			}
			var gw, seq int
			if _, err := fmt.Sscanf(string(a), "%d:%d", &gw, &seq); err != nil || gw != w {
				t.Fatalf("trial %d writer %d: block holds %q", trial, w, a)
			}
			if seq < acked[w] || seq > attempted[w] {
				t.Fatalf("trial %d writer %d: holds commit %d; acknowledged %d, attempted %d", trial, w, seq, acked[w], attempted[w])
			}
		}
		tx.Rollback()
		if rep, err := s2.Check(); err != nil || !rep.OK() {
			t.Fatalf("trial %d: Check: %v %q", trial, err, rep.Problems)
		}
		s2.Close()
	}
}
