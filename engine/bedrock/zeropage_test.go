package bedrock

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestParityRebuildsZeroedPage zeroes, one at a time, every 4 KiB page
// (one parity chunk: a lost sector of a 4Kn disk) of a store whose blocks
// are not aligned to chunks, so that a page holds the end of one block and
// the start of the next. Parity must rebuild both: reads return every
// block exactly, and Check writes them back and then finds nothing.
func TestParityRebuildsZeroedPage(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	fs := NewMemFS()
	s, err := Open("db", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	want := map[LBA][]byte{}
	for c := 0; c < 4; c++ {
		tx, _ := s.Begin(true)
		for range 60 {
			b := make([]byte, 200+rng.IntN(3800)) // incompressible, 1 to 8 units
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			l, err := tx.Alloc()
			if err != nil {
				t.Fatal(err)
			}
			if err := tx.Put(l, b); err != nil {
				t.Fatal(err)
			}
			want[l] = b
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	image := memFSBytes(fs, "db")
	pages, fails := 0, 0
	for off := 0; off+4096 <= len(image); off += 4096 {
		if bytes.Equal(image[off:off+4096], make([]byte, 4096)) {
			continue
		}
		pages++
		img := bytes.Clone(image)
		clear(img[off : off+4096])
		if err := func() error {
			s, err := Open("db", &Options{FS: memFSWithFile(t, "db", img), MustExist: true})
			if err != nil {
				return fmt.Errorf("open: %w", err)
			}
			defer s.Close()
			tx, _ := s.Begin(false)
			defer tx.Rollback()
			for l, w := range want {
				if got, err := tx.Get(l); err != nil || !bytes.Equal(got, w) {
					return fmt.Errorf("block %d: %d bytes, %v", l, len(got), err)
				}
			}
			rep, err := s.Check()
			if err != nil || !rep.OK() {
				return fmt.Errorf("check: %v %v", err, rep.Problems)
			}
			if rep, err = s.Check(); err != nil || !rep.OK() || len(rep.Repaired) > 0 {
				return fmt.Errorf("second check: %v %v, repaired %v", err, rep.Problems, rep.Repaired)
			}
			return nil
		}(); err != nil {
			fails++
			t.Errorf("page at %d zeroed: %v", off, err)
		}
	}
	if pages < 50 {
		t.Fatalf("only %d pages written: the test tested little", pages)
	}
	if fails > 0 {
		t.Fatalf("%d of %d zeroed pages not rebuilt", fails, pages)
	}
}
