package bedrock

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestSettleInconsistentMap opens a store whose map (checksums intact)
// maps two LBAs to one block. Open leaves the allocator to settle, so it
// succeeds; reads of the sound LBA work, the other read fails verification
// (also after the block is cached under the first LBA), the first commit
// fails (the store refuses writes), and Check reports it.
func TestSettleInconsistentMap(t *testing.T) {
	fs := NewMemFS()
	opts := &Options{FS: fs, DisableParity: true} // the test edits the file at unit offsets
	s, err := Open("s.db", opts)
	if err != nil {
		t.Fatal(err)
	}
	tx, _ := s.Begin(true)
	a, _ := tx.Alloc()
	b, _ := tx.Alloc()
	tx.Put(a, []byte("block a"))
	tx.Put(b, []byte("block b"))
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	v := s.mu.written
	p, sg, ia := s.geo.split(a)
	_, _, ib := s.geo.split(b)
	segRef := v.pages[p].ref(sg)
	unit := s.unit
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Point b's entry at a's block and reseal the segment block.
	fs.Corrupt("s.db", func(data []byte) []byte {
		blk := data[int(segRef.addr)*unit : int(segRef.addr+uint64(segRef.units))*unit]
		body := blk[headerSize:]
		copy(body[ib*refSize:(ib+1)*refSize], body[ia*refSize:(ia+1)*refSize])
		sealBlock(blk, int(s.geo.fan*refSize)) // map blocks are stored plain
		return data
	})
	openRefusingWrites(t, opts, a, "block a", b, "")
}

// TestSettleMapBlocksTwice opens a store whose map page (checksum intact)
// maps two segments to one block. Open checks only that map blocks lie in
// the file and leaves their overlaps to settle, with the allocator's
// bitmap: it succeeds, the LBAs of the sound segment read back, those of
// the other fail verification, the first commit fails (the store refuses
// writes) and Check reports it.
func TestSettleMapBlocksTwice(t *testing.T) {
	fs := NewMemFS()
	opts := &Options{FS: fs, DisableParity: true, BlockSize: 1024} // small segments; unit offsets
	s, err := Open("s.db", opts)
	if err != nil {
		t.Fatal(err)
	}
	fan := s.geo.fan
	tx, _ := s.Begin(true)
	var lbas []LBA
	for len(lbas) < int(2*fan) {
		l, err := tx.Alloc()
		if err != nil {
			t.Fatal(err)
		}
		tx.Put(l, []byte(fmt.Sprint("block ", l)))
		lbas = append(lbas, l)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var first, second LBA // LBAs of two different segments of page 0
	for _, l := range lbas {
		p, sg, _ := s.geo.split(l)
		if p == 0 && sg == 1 {
			first = l
		}
		if p == 0 && sg == 2 {
			second = l
		}
	}
	if first == 0 || second == 0 {
		t.Fatalf("no LBAs in segments 1 and 2 of page 0 (fan %d)", fan)
	}
	v := s.mu.written
	pageRef := v.pageRefs[0]
	unit := s.unit
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Point segment 2's entry at segment 1's block and reseal the page.
	fs.Corrupt("s.db", func(data []byte) []byte {
		blk := data[int(pageRef.addr)*unit : int(pageRef.addr+uint64(pageRef.units))*unit]
		body := blk[headerSize:]
		copy(body[2*refSize:3*refSize], body[1*refSize:2*refSize])
		sealBlock(blk, int(fan*refSize))
		return data
	})
	openRefusingWrites(t, opts, first, fmt.Sprint("block ", first), second, "mapped twice")
}

// openRefusingWrites opens the store of opts, whose map settle finds
// inconsistent: open succeeds, good reads back as want, bad fails
// verification, the first commit fails with ErrFailed (wrapping ErrCorrupt
// and saying why, when why is not empty) and Check reports damage.
func openRefusingWrites(t *testing.T, opts *Options, good LBA, want string, bad LBA, why string) {
	t.Helper()
	s, err := Open("s.db", opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	rtx, _ := s.Begin(false)
	if d, err := rtx.Get(good); err != nil || string(d) != want {
		t.Fatalf("get %d = %q, %v; want %q", good, d, err, want)
	}
	if d, err := rtx.Get(bad); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("get %d = %q, %v; want ErrCorrupt", bad, d, err)
	}
	rtx.Rollback()
	wtx, _ := s.Begin(true)
	wtx.Put(good, []byte("new"))
	err = wtx.Commit()
	if !errors.Is(err, ErrFailed) || why != "" && (!errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), why)) {
		t.Fatalf("commit on an inconsistent map: %v, want ErrFailed (%s)", err, why)
	}
	rep, err := s.Check()
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() {
		t.Fatalf("Check found nothing wrong: %+v", rep)
	}
}

// TestSettleDeferred: open leaves settling to a background task that
// starts settleDelay later, or at once when a writer begins, so that the
// first reads after open do not share the CPU with it; either way it runs
// without anyone asking for it, and reads before it see every block.
func TestSettleDeferred(t *testing.T) {
	defer func(d time.Duration) { settleDelay = d }(settleDelay)
	fs := NewMemFS()
	opts := &Options{FS: fs, BlockSize: 1024}
	s, err := Open("s.db", opts)
	if err != nil {
		t.Fatal(err)
	}
	tx, _ := s.Begin(true)
	var lbas []LBA
	for i := range 500 {
		l, _ := tx.Alloc()
		tx.Put(l, fmt.Appendf(nil, "block %d", i))
		lbas = append(lbas, l)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	settled := func(s *Store) bool {
		deadline := time.Now().Add(20 * time.Second)
		for s.lazyPending.Load() {
			if time.Now().After(deadline) {
				return false
			}
			time.Sleep(time.Millisecond)
		}
		return true
	}
	for _, writer := range []bool{false, true} {
		settleDelay = time.Hour
		if !writer {
			settleDelay = 5 * time.Millisecond
		}
		s, err := Open("s.db", opts)
		if err != nil {
			t.Fatal(err)
		}
		if !s.lazyPending.Load() {
			t.Fatal("open settled at once")
		}
		rtx, _ := s.Begin(false)
		for i, l := range lbas {
			if got, err := rtx.Get(l); err != nil || string(got) != fmt.Sprintf("block %d", i) {
				t.Fatalf("read %d before settle: %q %v", l, got, err)
			}
		}
		rtx.Rollback()
		if writer {
			time.Sleep(20 * time.Millisecond)
			if !s.lazyPending.Load() {
				t.Fatal("settled with no writer and an hour's delay")
			}
			wtx, _ := s.Begin(true) // starts it
			if !settled(s) {
				t.Fatal("a writer's Begin did not start settle")
			}
			wtx.Rollback()
			if st := s.Stats(); st.WriteTxs != 1 {
				t.Errorf("WriteTxs = %d, want 1", st.WriteTxs)
			}
		} else if !settled(s) {
			t.Fatal("settle did not start after settleDelay")
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
