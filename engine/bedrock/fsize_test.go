package bedrock

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
)

// limitFS is a MemFS whose files cannot grow beyond limit bytes, as under
// RLIMIT_FSIZE or on a full disk: Allocate and WriteAt past it fail with
// EFBIG.
type limitFS struct {
	*MemFS
	limit int64
}

type limitFile struct {
	File
	fs *limitFS
}

func (fs *limitFS) OpenFile(name string, o OpenFlags) (File, error) {
	f, err := fs.MemFS.OpenFile(name, o)
	if err != nil {
		return nil, err
	}
	return &limitFile{File: f, fs: fs}, nil
}

func (f *limitFile) Allocate(size int64) error {
	if size > f.fs.limit {
		return syscall.EFBIG
	}
	return f.File.Allocate(size)
}

func (f *limitFile) WriteAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.fs.limit {
		return 0, syscall.EFBIG
	}
	return f.File.WriteAt(p, off)
}

// TestFileCannotGrow runs a file store into a file that cannot grow past
// a limit (a full disk, RLIMIT_FSIZE), with and without NoSync and with
// small blocks (more map blocks to keep room for): the commit
// that needs the space fails with an error wrapping both ErrFull and the
// file system's error; a limit smaller than GrowSize is still used up; a
// transaction that only frees commits, and so do writes into the space it
// freed (a NoSync store holds its frees until a sync: they must be taken
// rather than fail); every acknowledged commit reads back exactly, also
// after the limit is lifted and the store reopened.
func TestFileCannotGrow(t *testing.T) {
	for _, c := range []struct {
		noSync bool
		block  int
	}{{false, 4096}, {true, 4096}, {false, 1024}, {true, 1024}, {true, 2048}} {
		noSync := c.noSync
		t.Run(fmt.Sprintf("NoSync=%v/block=%d", noSync, c.block), func(t *testing.T) {
			fs := &limitFS{MemFS: NewMemFS(), limit: 1 << 62}
			opts := &Options{FS: fs, NoSync: noSync, BlockSize: c.block}
			s, err := Open("db", opts)
			if err != nil {
				t.Fatal(err)
			}
			size := int64(len(memFSBytes(fs.MemFS, "db")))
			fs.limit = size + 3<<20 // room to grow, but less than GrowSize
			rng := rand.New(rand.NewPCG(7, 7))
			model := map[LBA][]byte{}
			block := func() []byte {
				b := make([]byte, (2900+rng.IntN(1000))*c.block/4096)
				for i := range b {
					b[i] = byte(rng.Uint32()) // incompressible
				}
				return b
			}
			commit := func(n int, free []LBA) error {
				tx, err := s.Begin(true)
				if err != nil {
					return err
				}
				add := map[LBA][]byte{}
				for range n {
					l, err := tx.Alloc()
					if err != nil {
						tx.Rollback()
						return err
					}
					b := block()
					if err := tx.Put(l, b); err != nil {
						tx.Rollback()
						return err
					}
					add[l] = b
				}
				for _, l := range free {
					if err := tx.Free(l); err != nil {
						tx.Rollback()
						return err
					}
				}
				if err := tx.Commit(); err != nil {
					return err
				}
				for l, b := range add {
					model[l] = b
				}
				for _, l := range free {
					delete(model, l)
				}
				return nil
			}
			verify := func(s *Store, what string) {
				t.Helper()
				tx, err := s.Begin(false)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				for l, want := range model {
					got, err := tx.Get(l)
					if err != nil || !bytes.Equal(got, want) {
						t.Fatalf("%s: block %d: %d bytes, %v; want %d bytes", what, l, len(got), err, len(want))
					}
				}
			}
			var full error
			for i := 0; i < 10_000 && full == nil; i++ {
				full = commit(16, nil)
			}
			if !errors.Is(full, ErrFull) || !errors.Is(full, syscall.EFBIG) {
				t.Fatalf("filling the file: %v, want an error wrapping ErrFull and EFBIG", full)
			}
			if len(model)*2900*c.block/4096 < int(fs.limit-size) {
				t.Fatalf("full with %d blocks stored: the %d bytes the file could still grow by were not used", len(model), fs.limit-size)
			}
			verify(s, "full")
			// Free half: the transaction commits, and so do writes into
			// what it freed.
			var half []LBA
			for l := range model {
				if len(half) < len(model)/2 {
					half = append(half, l)
				}
			}
			if err := commit(0, half); err != nil {
				t.Fatalf("freeing half of a full store: %v", err)
			}
			for i := 0; i < 20; i++ {
				if err := commit(1+i%8, nil); err != nil {
					t.Fatalf("commit %d after freeing half: %v", i, err)
				}
			}
			verify(s, "after freeing")
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			fs.limit = 1 << 62
			s, err = Open("db", opts)
			if err != nil {
				t.Fatal(err)
			}
			verify(s, "reopened")
			if err := commit(400, nil); err != nil {
				t.Fatalf("growing after the limit is lifted: %v", err)
			}
			verify(s, "grown")
			if rep, err := s.Check(); err != nil || !rep.OK() {
				t.Fatalf("Check: %v %v", err, rep.Problems)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestGrowthSlack loads a file store in large commits of new blocks (a
// bulk load) and checks that growth leaves little unused space: the file
// is at most the parity-interleaved size of what the blocks use plus one
// growth step (GrowSize, or size/16 once that is larger) and the reserve.
// Growth by size/8 leaves up to an eighth of a large file unused, which
// the SQL benchmark's file-size ratio counts against the database.
func TestGrowthSlack(t *testing.T) {
	fs := NewMemFS()
	const grow = 1 << 20
	s, err := Open("db", &Options{FS: fs, GrowSize: grow, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(3, 3))
	var used int64
	for c := 0; c < 48; c++ {
		tx, err := s.Begin(true)
		if err != nil {
			t.Fatal(err)
		}
		for range 256 {
			l, err := tx.Alloc()
			if err != nil {
				t.Fatal(err)
			}
			b := make([]byte, s.PayloadSize())
			for i := range b {
				b[i] = byte(rng.Uint32()) // incompressible
			}
			if err := tx.Put(l, b); err != nil {
				t.Fatal(err)
			}
			used += int64(s.BlockSize())
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	st := s.Stats()
	size := int64(len(memFSBytes(fs, "db")))
	virt := int64(st.FileUnits) * int64(st.UnitSize)
	if free := int64(st.FreeUnits) * int64(st.UnitSize); free > max(grow, virt/16)+virt/32 {
		t.Errorf("%d of %d bytes free after a bulk load of %d bytes of blocks: growth leaves too much unused", free, virt, used)
	}
	if limit := (used + used/15) * 17 / 16; size > limit+2*grow {
		t.Errorf("file is %d bytes for %d bytes of blocks (limit %d)", size, used, limit+2*grow)
	}
}
