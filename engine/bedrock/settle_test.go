package bedrock

import (
	"errors"
	"testing"
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
	s, err = Open("s.db", opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	rtx, _ := s.Begin(false)
	if d, err := rtx.Get(a); err != nil || string(d) != "block a" {
		t.Fatalf("get a = %q, %v", d, err)
	}
	if d, err := rtx.Get(b); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("get b = %q, %v; want ErrCorrupt", d, err)
	}
	rtx.Rollback()
	wtx, _ := s.Begin(true)
	wtx.Put(a, []byte("new a"))
	if err := wtx.Commit(); !errors.Is(err, ErrFailed) {
		t.Fatalf("commit on an inconsistent map: %v, want ErrFailed", err)
	}
	rep, err := s.Check()
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() {
		t.Fatalf("Check found nothing wrong: %+v", rep)
	}
}
