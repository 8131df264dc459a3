package bedrock

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// cleanerLoad fills a small store with nblocks blocks and then rewrites
// random ones, per commits of perTx, rounds times: the free space ends up
// in holes, which is what makes commits clean. Block contents mix
// packable and incompressible bytes and vary in size. It returns the
// committed model and its LBAs.
func cleanerLoad(s *Store, rng *rand.Rand, cur model, lbas []LBA, nblocks, perTx, rounds int, acked *[]model) (model, []LBA, model, error) {
	payload := s.PayloadSize()
	block := func(tag string) string {
		n := 64 + rng.IntN(payload-64)
		b := make([]byte, n)
		if rng.IntN(2) == 0 {
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
		}
		return string(fmt.Appendf(b[:0], "%s", tag)) + string(b[len(tag):])
	}
	for r := 0; len(lbas) < nblocks || r < rounds; {
		filling := len(lbas) < nblocks
		tx, err := s.Begin(true)
		if err != nil {
			return cur, lbas, nil, err
		}
		next := cur.clone()
		for i := 0; i < perTx && (!filling || len(lbas)+i < nblocks); i++ {
			var l LBA
			if filling {
				if l, err = tx.Alloc(); err != nil {
					tx.Rollback()
					return cur, lbas, nil, err
				}
			} else {
				l = lbas[rng.IntN(len(lbas))]
			}
			d := block(fmt.Sprintf("round %d %d", r, l))
			if err := tx.Put(l, []byte(d)); err != nil {
				tx.Rollback()
				return cur, lbas, nil, err
			}
			next[l] = d
		}
		if err := tx.Commit(); err != nil {
			return cur, lbas, next, err
		}
		cur = next
		if filling {
			lbas = keysOf(cur)
			continue
		}
		r++
		if acked != nil {
			*acked = append(*acked, cur.clone())
		}
	}
	return cur, lbas, nil, nil
}

// TestCleanerModel runs random rewrites on a fragmented store while
// snapshots stay open across commits and the store is reopened now and
// then: every snapshot and every reopen must show exactly its model, the
// cleaner must have moved blocks (durable stores), Check must pass and the
// file must stay bounded.
func TestCleanerModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 11))
	for _, nosync := range []bool{false, true} {
		fs := NewMemFS()
		opts := &Options{FS: fs, InitialSize: 256 << 10, GrowSize: 64 << 10, NoSync: nosync, CacheSize: 256 << 10}
		s, err := Open("c.db", opts)
		if err != nil {
			t.Fatal(err)
		}
		cur, lbas, _, err := cleanerLoad(s, rng, model{}, nil, 300, 30, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		type snap struct {
			tx *Tx
			m  model
		}
		var snaps []snap
		maxUnits := uint64(0)
		for round := 0; round < 400; round++ {
			if cur, lbas, _, err = cleanerLoad(s, rng, cur, lbas, 0, 20+rng.IntN(30), 1, nil); err != nil {
				t.Fatal(err)
			}
			if round == 200 && !nosync && s.Stats().Relocated == 0 {
				t.Fatalf("200 rounds of rewrites without snapshots never cleaned: %+v", s.Stats())
			}
			op := rng.IntN(8)
			if round < 200 {
				op = 7 // first fragment the store with nothing holding frees
			}
			switch op {
			case 0:
				tx, _ := s.Begin(false)
				snaps = append(snaps, snap{tx, cur.clone()})
			case 1:
				for _, sn := range snaps {
					if got := readAll(t, sn.tx, keysOf(sn.m)); !cmp.Equal(got, sn.m) {
						t.Fatalf("round %d: snapshot differs: %s", round, cmp.Diff(sn.m, got))
					}
					sn.tx.Rollback()
				}
				snaps = nil
			case 2:
				for _, sn := range snaps {
					sn.tx.Rollback()
				}
				snaps = nil
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				if s, err = Open("c.db", opts); err != nil {
					t.Fatal(err)
				}
			}
			tx, _ := s.Begin(false)
			if got := readAll(t, tx, lbas); !cmp.Equal(got, cur) {
				t.Fatalf("round %d: state differs: %s", round, cmp.Diff(cur, got))
			}
			tx.Rollback()
			if round >= 50 {
				maxUnits = max(maxUnits, s.Stats().FileUnits)
			}
		}
		for _, sn := range snaps {
			sn.tx.Rollback()
		}
		st := s.Stats()
		rep, err := s.Check()
		if err != nil || !rep.OK() {
			t.Fatalf("check: %v %v", err, rep.Problems)
		}
		s.Close()
		// The live data is 300 blocks of at most 4 KiB (1.2 MiB). NoSync
		// stores hold frees until a sync that pays off (allocUnits), and
		// snapshots hold them longer: they grow more.
		limit := uint64(4 << 20)
		if nosync {
			limit = 32 << 20
		}
		if maxUnits*uint64(st.UnitSize) > limit {
			t.Fatalf("nosync=%v: file grew to %d units", nosync, maxUnits)
		}
		t.Logf("nosync=%v: cleaned %d windows, relocated %d blocks, file %d KiB", nosync, st.Cleaned, st.Relocated, maxUnits*uint64(st.UnitSize)>>10)
	}
}

// TestCrashCleaner cuts the power at every write of a sequence of commits
// that clean, and checks that the reopened store shows exactly an
// acknowledged commit (or the one in flight) and passes Check.
func TestCrashCleaner(t *testing.T) {
	const load, commits = 120, 14
	seeds := 3
	if os.Getenv("BXDB_SOAK") != "" {
		seeds = 20
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	setup := func(fs *MemFS) (*Store, model, []LBA) {
		s, err := Open("k.db", &Options{FS: fs, InitialSize: 128 << 10, GrowSize: 64 << 10})
		if err != nil {
			t.Fatal(err)
		}
		cur, lbas, _, err := cleanerLoad(s, rand.New(rand.NewPCG(seed, 1)), model{}, nil, load, 24, 30, nil)
		if err != nil {
			t.Fatal(err)
		}
		return s, cur, lbas
	}
	fs := NewMemFS()
	s, cur, lbas := setup(fs)
	st0, start := s.Stats(), fs.Ops()
	if _, _, _, err := cleanerLoad(s, rand.New(rand.NewPCG(seed, 2)), cur, lbas, 0, 24, commits, nil); err != nil {
		t.Fatal(err)
	}
	total := fs.Ops() - start
	if st := s.Stats(); st.Relocated == st0.Relocated {
		t.Fatalf("the measured commits never cleaned: %+v", st)
	}
	s.Close()
	points := 0
	for k := 0; k <= total; k++ {
		for v := 0; v < seeds; v++ {
			points++
			fs := NewMemFS()
			s, cur, lbas := setup(fs)
			fs.SetFailAfter(k)
			acked := []model{cur.clone()}
			_, _, inflight, werr := cleanerLoad(s, rand.New(rand.NewPCG(seed, 2)), cur, lbas, 0, 24, commits, &acked)
			_ = werr
			fs.Crash(rand.New(rand.NewPCG(seed^uint64(k), uint64(v))))
			s2, err := Open("k.db", &Options{FS: fs})
			if err != nil {
				t.Fatalf("k=%d v=%d: reopen: %v", k, v, err)
			}
			cands := acked[len(acked)-1:]
			if inflight != nil {
				cands = append(cands, inflight)
			}
			tx, _ := s2.Begin(false)
			got := readAll(t, tx, lbas)
			tx.Rollback()
			match := false
			for _, c := range cands {
				match = match || cmp.Equal(got, c)
			}
			if !match {
				t.Fatalf("k=%d v=%d: state matches no acceptable commit; diff vs last acked: %s", k, v, cmp.Diff(acked[len(acked)-1], got))
			}
			if rep, err := s2.Check(); err != nil || !rep.OK() {
				t.Fatalf("k=%d v=%d: check: %v %v", k, v, err, rep.Problems)
			}
			s2.Close()
		}
	}
	t.Logf("%d crash points", points)
}

// TestZoneCleaning: blocks that stay live in the zone after slot 1 (here
// cold blocks written by the first small commits) are moved out by a later
// small commit when no other write transaction is open, after which small
// commits use the zone again; only those blocks move. While another writer
// is open, nothing is moved.
func TestZoneCleaning(t *testing.T) {
	s, err := Open("db", &Options{FS: NewMemFS()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := map[LBA]string{}
	commit := func(tx *Tx, puts map[LBA]string) error {
		for l, d := range puts {
			if err := tx.Put(l, []byte(d)); err != nil {
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		for l, d := range puts {
			want[l] = d
		}
		return nil
	}
	// alloc commits n new blocks in one small commit.
	alloc := func(n int) []LBA {
		tx, _ := s.Begin(true)
		puts := map[LBA]string{}
		var ls []LBA
		for range n {
			l, err := tx.Alloc()
			if err != nil {
				t.Fatal(err)
			}
			puts[l] = fmt.Sprintf("cold %d", l)
			ls = append(ls, l)
		}
		if err := commit(tx, puts); err != nil {
			t.Fatal(err)
		}
		return ls
	}
	where := func(l LBA) uint64 { return physAddr(t, s, l) }
	inZone := func(l LBA) bool { return where(l) < s.alloc.zoneEnd }
	// stuckBlocks commits small groups of cold blocks until one lands in
	// the zone and returns those.
	stuckBlocks := func() []LBA {
		for i := 0; i < 4; i++ {
			var stuck []LBA
			for _, l := range alloc(3) {
				if inZone(l) {
					stuck = append(stuck, l)
				}
			}
			if len(stuck) > 0 {
				return stuck
			}
		}
		t.Fatal("setup: no cold block landed in the zone")
		return nil
	}
	hot := alloc(1)[0]
	rewriteHot := func(rounds int) (zoneHits int) {
		for i := 0; i < rounds; i++ {
			tx, _ := s.Begin(true)
			if err := commit(tx, map[LBA]string{hot: fmt.Sprintf("hot %d", i)}); err != nil {
				t.Fatal(err)
			}
			if w := where(hot); w == s.alloc.reserved || w == s.alloc.zoneMid {
				zoneHits++
			}
		}
		return zoneHits
	}

	// Another writer open: the zone is left as it is.
	stuck := stuckBlocks()
	moved0 := s.Stats().Relocated
	other, _ := s.Begin(true)
	rewriteHot(12)
	for _, l := range stuck {
		if !inZone(l) {
			t.Errorf("block %d moved out of the zone while another writer was open", l)
		}
	}
	if n := s.Stats().Relocated - moved0; n != 0 {
		t.Errorf("%d blocks relocated with another writer open, want 0", n)
	}
	other.Rollback()

	// Alone: the stuck blocks leave and small commits use the zone again.
	rewriteHot(4)
	for _, l := range stuck {
		if inZone(l) {
			t.Errorf("cold block %d still in the zone at unit %d", l, where(l))
		}
	}
	if hits := rewriteHot(12); hits < 10 {
		t.Errorf("%d of 12 small commits used a zone, want at least 10", hits)
	}
	// Only the stuck blocks moved: the hot one, rewritten by every commit,
	// frees its place in the zone by itself.
	if n := s.Stats().Relocated - moved0; n != uint64(len(stuck)) {
		t.Errorf("%d blocks relocated, want exactly the %d stuck blocks", n, len(stuck))
	}
	r, _ := s.Begin(false)
	defer r.Rollback()
	got := map[LBA]string{}
	for l := range want {
		b, err := r.Get(l)
		if err != nil {
			t.Fatal(err)
		}
		got[l] = string(b)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("contents (-want +got):\n%s", d)
	}
	if rep, err := s.Check(); err != nil || !rep.OK() {
		t.Fatalf("Check: %v %q", err, rep.Problems)
	}
}

// TestCleanerMovesDoNotConflict: a write transaction that began before the
// cleaner moved a block writes that block and commits; one that began
// before the block was rewritten (after its move) gets ErrConflict.
func TestCleanerMovesDoNotConflict(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 11))
	s, err := Open("c.db", &Options{FS: NewMemFS(), InitialSize: 256 << 10, GrowSize: 64 << 10, CacheSize: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cur, lbas, _, err := cleanerLoad(s, rng, model{}, nil, 300, 30, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Fragment the free space first, with no snapshot holding frees.
	if cur, lbas, _, err = cleanerLoad(s, rng, cur, lbas, 0, 30, 200, nil); err != nil {
		t.Fatal(err)
	}
	// Then one round at a time under a writer that began before it, until
	// a round moves a block (a writer held longer pins the frees the
	// cleaner needs).
	var w *Tx
	var moved LBA
	for round := 0; round < 3000 && moved == 0; round++ {
		if w != nil {
			w.Rollback()
		}
		w, _ = s.Begin(true)
		if cur, lbas, _, err = cleanerLoad(s, rng, cur, lbas, 0, 20+rng.IntN(30), 1, nil); err != nil {
			t.Fatal(err)
		}
		s.mu.Lock()
		base := s.mu.written
		s.mu.Unlock()
		for _, l := range lbas { // in order: the choice replays
			if m, ok := s.moved[l]; ok && m.from <= w.Gen() && m.to > w.Gen() && mustLookup(t, base, s.geo, l).gen == m.to {
				moved = l
				break
			}
		}
	}
	if moved == 0 {
		t.Fatalf("the cleaner moved no block under an open writer in 3000 rounds: %+v", s.Stats())
	}
	late, _ := s.Begin(true) // begins after the move
	if err := w.Put(moved, []byte("after the move")); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatalf("write of a block only moved since the snapshot: %v", err)
	}
	if err := late.Put(moved, []byte("lost update")); err != nil {
		t.Fatal(err)
	}
	if err := late.Commit(); !errors.Is(err, ErrConflict) {
		t.Fatalf("write of a block rewritten since the snapshot: %v, want ErrConflict", err)
	}
	r, _ := s.Begin(false)
	defer r.Rollback()
	if got, err := r.Get(moved); err != nil || string(got) != "after the move" {
		t.Fatalf("block %d: %q %v", moved, got, err)
	}
}

// mustLookup returns l's entry in v, failing the test on a read error.
func mustLookup(t *testing.T, v *mapVersion, g geometry, l LBA) ref {
	t.Helper()
	r, err := v.lookup(g, l)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestZoneCleaningFull: when cold blocks fill both zones to their ends
// (here a file that cannot grow, filled up: the zones' units go last),
// small commits after space was freed elsewhere move every cold block out
// of the zones, those at the zones' very end included, and then use the
// zones again. (Trimming the window back past the units in use at its end
// left a full zone as it was: after a bulk load, every small commit went
// elsewhere, into space whose first writes cost fdatasync more.)
func TestZoneCleaningFull(t *testing.T) {
	fs := &limitFS{MemFS: NewMemFS(), limit: 1 << 62}
	s, err := Open("db", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	fs.limit = int64(len(memFSBytes(fs.MemFS, "db"))) + 1<<20
	rng := rand.New(rand.NewPCG(3, 3))
	want := map[LBA][]byte{}
	block := func() []byte {
		b := make([]byte, 4000)
		for i := range b {
			b[i] = byte(rng.Uint32()) // incompressible
		}
		return b
	}
	where := func(l LBA) uint64 { return physAddr(t, s, l) }
	// Fill the file with commits of 8 new blocks, then of 1.
	var cold []LBA
	for _, per := range []int{8, 1} {
		for {
			tx, _ := s.Begin(true)
			puts := map[LBA][]byte{}
			for range per {
				l, _ := tx.Alloc()
				puts[l] = block()
				tx.Put(l, puts[l])
			}
			if err := tx.Commit(); err != nil {
				if !errors.Is(err, ErrFull) {
					t.Fatal(err)
				}
				break
			}
			for l, b := range puts {
				want[l] = b
				cold = append(cold, l)
			}
		}
	}
	var inZones, outside []LBA
	for _, l := range cold {
		if where(l) < s.alloc.zoneEnd {
			inZones = append(inZones, l)
		} else {
			outside = append(outside, l)
		}
	}
	if len(inZones) < 8 {
		t.Fatalf("setup: %d cold blocks in the zones", len(inZones))
	}
	// Free half of the blocks outside the zones.
	tx, _ := s.Begin(true)
	for i, l := range outside {
		if i%2 == 0 {
			tx.Free(l)
			delete(want, l)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx, _ = s.Begin(true)
	hot, _ := tx.Alloc()
	want[hot] = block()
	tx.Put(hot, want[hot])
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	hits := 0
	for i := range 24 {
		tx, _ := s.Begin(true)
		want[hot] = block()[:300+i]
		tx.Put(hot, want[hot])
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if i >= 12 && where(hot) < s.alloc.zoneEnd {
			hits++
		}
	}
	left := 0
	for _, l := range inZones {
		if where(l) < s.alloc.zoneEnd {
			left++
		}
	}
	if left != 0 {
		t.Errorf("%d of %d cold blocks still in the zones after 24 small commits", left, len(inZones))
	}
	if hits < 10 {
		t.Errorf("%d of the last 12 small commits used a zone, want at least 10", hits)
	}
	r, _ := s.Begin(false)
	defer r.Rollback()
	for l, b := range want {
		if got, err := r.Get(l); err != nil || !bytes.Equal(got, b) {
			t.Fatalf("block %d: %v", l, err)
		}
	}
	if rep, err := s.Check(); err != nil || !rep.OK() {
		t.Fatalf("Check: %v %q", err, rep.Problems)
	}
}

// physAddr returns the unit where the newest applied map puts l.
func physAddr(t *testing.T, s *Store, l LBA) uint64 {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.mu.written.lookup(s.geo, l)
	if err != nil {
		t.Fatal(err)
	}
	return r.addr
}
