package bedrock

import (
	"bytes"
	"errors"
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

// TestGetVerifiedLazy: a block loaded from the file is served unchecked
// lazyReads times, then checked once (remembered); a failing check is an
// error each time; the transaction's own writes count as checked.
func TestGetVerifiedLazy(t *testing.T) {
	fs := NewMemFS()
	opts := &Options{FS: fs}
	s, err := Open("l.db", opts)
	if err != nil {
		t.Fatal(err)
	}
	tx, _ := s.Begin(true)
	a, _ := tx.Alloc()
	b, _ := tx.Alloc()
	c, _ := tx.Alloc()
	tx.Put(a, []byte("good"))
	tx.Put(b, []byte("bad"))
	tx.Put(c, nil)
	if _, checked, err := tx.GetVerifiedLazy(a, nil, nil); !checked || err != nil {
		t.Fatalf("own write: checked %v err %v", checked, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open("l.db", opts); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	calls, lights := 0, 0
	check := func(d []byte) error {
		calls++
		if string(d) == "bad" {
			return errors.New("bad block")
		}
		return nil
	}
	light := func(d []byte) error {
		lights++
		if len(d) == 0 {
			return errors.New("empty block")
		}
		return nil
	}
	rtx, _ := s.Begin(false)
	defer rtx.Rollback()
	for i := 0; i <= lazyReads+3; i++ {
		d, checked, err := rtx.GetVerifiedLazy(a, light, check)
		if err != nil || string(d) != "good" {
			t.Fatalf("read %d: %q %v", i, d, err)
		}
		// Read 0 loads the block; reads 1..lazyReads are cache hits with
		// fewer than lazyReads earlier unchecked hits; then it is checked.
		if want := i > lazyReads; checked != want {
			t.Fatalf("read %d: checked %v, want %v", i, checked, want)
		}
	}
	if calls != 1 || lights != 1 {
		t.Fatalf("check ran %d times, light check %d times, want once each", calls, lights)
	}
	for i := 0; i <= lazyReads+3; i++ {
		d, checked, err := rtx.GetVerifiedLazy(b, light, check)
		if i <= lazyReads {
			if err != nil || checked || string(d) != "bad" {
				t.Fatalf("bad block, read %d: %q %v %v", i, d, checked, err)
			}
		} else if err == nil || d != nil {
			t.Fatalf("bad block, read %d: want the check's error, got %q %v", i, d, err)
		}
	}
	// A failing light check is an error on every read, cached or not.
	for i := 0; i < 3; i++ {
		if d, _, err := rtx.GetVerifiedLazy(c, light, check); err == nil || d != nil {
			t.Fatalf("empty block, read %d: want the light check's error, got %q %v", i, d, err)
		}
	}
}
