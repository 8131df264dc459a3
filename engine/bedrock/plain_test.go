package bedrock

import (
	"bytes"
	"testing"
)

// TestPutPlain: a block put with PutPlain is stored unpacked even when it
// would pack, one put with Put is packed, and both read back exactly, also
// after a reopen (from the file, not the cache).
func TestPutPlain(t *testing.T) {
	fs := NewMemFS()
	opts := &Options{FS: fs, CacheSize: -1}
	s, err := Open("p.db", opts)
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("compressible "), 1000)[:s.PayloadSize()]
	tx, _ := s.Begin(true)
	a, _ := tx.Alloc()
	b, _ := tx.Alloc()
	if err := tx.Put(a, append([]byte(nil), data...)); err != nil {
		t.Fatal(err)
	}
	if err := tx.PutPlain(b, append([]byte(nil), data...)); err != nil {
		t.Fatal(err)
	}
	st0 := s.Stats()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if got := st.PackedBlocks - st0.PackedBlocks; got != 1 {
		t.Fatalf("packed %d blocks, want 1 (the Put one)", got)
	}
	// Packed: one 4 KiB block took far fewer bytes than the plain one.
	plain := uint64(unitsFor(len(data), s.unit) * s.unit)
	if written := st.BytesWritten - st0.BytesWritten; written < plain+uint64(s.unit) {
		t.Fatalf("wrote %d bytes, less than the plain block (%d) and a packed one", written, plain)
	}
	s.Close()
	if s, err = Open("p.db", opts); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rtx, _ := s.Begin(false)
	defer rtx.Rollback()
	for _, l := range []LBA{a, b} {
		got, err := rtx.Get(l)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("block %d: %v, equal %v", l, err, bytes.Equal(got, data))
		}
	}
}
