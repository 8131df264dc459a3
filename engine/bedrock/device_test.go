package bedrock

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Device mode on a fixed-size regular file standing in for a partition
// (on Linux file systems that allow it, I/O is O_DIRECT in 4 KiB units,
// as on a real device). The file must never change size.

// makeDeviceFile creates a zero-filled file of size bytes.
func makeDeviceFile(t testing.TB, size int64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "device")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// fileSize returns the size of path.
func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// deviceModel is what the test wrote: LBA -> contents.
type deviceModel map[LBA][]byte

// checkDeviceModel reads every block of m (and a few unallocated ones).
func checkDeviceModel(t testing.TB, s *Store, m deviceModel, freed []LBA) {
	t.Helper()
	tx, err := s.Begin(false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, l := range slices.Sorted(maps.Keys(m)) {
		got, err := tx.Get(l)
		if err != nil {
			t.Fatalf("Get(%d): %v", l, err)
		}
		if !bytes.Equal(got, m[l]) {
			t.Fatalf("Get(%d) = %d bytes %.20q, want %d bytes %.20q", l, len(got), got, len(m[l]), m[l])
		}
	}
	for _, l := range freed {
		if _, ok := m[l]; ok {
			continue
		}
		if _, err := tx.Get(l); !errors.Is(err, ErrNotAllocated) {
			t.Fatalf("freed block %d: Get = %v, want ErrNotAllocated", l, err)
		}
	}
}

// fillDevice commits transactions of random blocks until Commit fails
// with ErrFull, first with big transactions, then with single blocks. It
// returns the number of commits that succeeded.
func fillDevice(t testing.TB, s *Store, path string, size int64, rng *rand.Rand, m deviceModel) int {
	t.Helper()
	commits := 0
	for _, per := range []int{32, 4, 1} {
		for {
			tx, err := s.Begin(true)
			if err != nil {
				t.Fatal(err)
			}
			add := deviceModel{}
			for i := 0; i < 1+rng.IntN(per); i++ {
				l, err := tx.Alloc()
				if err != nil {
					t.Fatal(err)
				}
				d := make([]byte, rng.IntN(s.PayloadSize()+1))
				for j := range d {
					d[j] = byte(rng.Uint32())
				}
				if err := tx.Put(l, d); err != nil {
					t.Fatal(err)
				}
				add[l] = d
			}
			err = tx.Commit()
			if got := fileSize(t, path); got != size {
				t.Fatalf("after commit %d the device file is %d bytes, want %d", commits, got, size)
			}
			if errors.Is(err, ErrFull) {
				break
			}
			if err != nil {
				t.Fatalf("commit %d: %v", commits, err)
			}
			maps.Copy(m, add)
			commits++
		}
	}
	return commits
}

// TestDeviceFile fills a fixed-size device file until ErrFull, frees half
// of it and fills it again (twice), reopens it read-write and read-only,
// and checks the file never changed size.
func TestDeviceFile(t *testing.T) {
	seed := loggedSeed(t, "BXDB_DEVICE_SEED")
	rng := rand.New(rand.NewPCG(seed, 0))
	const size = 4 << 20
	path := makeDeviceFile(t, size)
	s, err := Open(path, &Options{Device: true})
	if err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	t.Logf("device file: unit %d bytes, %d units", st.UnitSize, st.FileUnits)
	// FormatV2: one parity chunk (a block) per 15 data blocks, the last
	// stripe cut short by the end of the device.
	const block = 4096
	want := size - block*((size-2*block+16*block-1)/(16*block))
	if st.FileUnits*uint64(st.UnitSize) != uint64(want) {
		t.Fatalf("capacity %d units of %d bytes, want the whole file but its parity (%d bytes)", st.FileUnits, st.UnitSize, want)
	}
	m := deviceModel{}
	n := fillDevice(t, s, path, size, rng, m)
	st = s.Stats()
	t.Logf("full after %d commits, %d blocks: %d of %d units free", n, len(m), st.FreeUnits, st.FileUnits)
	if len(m)*st.UnitSize < size*3/4 {
		t.Fatalf("ErrFull with only %d blocks of %d bytes stored in a %d-byte device", len(m), st.UnitSize, size)
	}
	checkDeviceModel(t, s, m, nil)
	if rep, err := s.Check(); err != nil || !rep.OK() {
		t.Fatalf("Check when full: %v %q", err, rep.Problems)
	}
	// Overwriting in place still needs free space for the new copy: a
	// full device refuses it cleanly and keeps the old contents.
	tx, _ := s.Begin(true)
	for l := range m {
		tx.Put(l, []byte("overwrite"))
	}
	if err := tx.Commit(); !errors.Is(err, ErrFull) {
		t.Fatalf("rewriting every block of a full device: %v, want ErrFull", err)
	}
	checkDeviceModel(t, s, m, nil)
	var freed []LBA
	for round := 0; round < 2; round++ {
		deviceFreeAndRefill(t, s, path, size, rng, m, &freed)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, ro := range []bool{false, true} {
		s, err := Open(path, &Options{Device: true, ReadOnly: ro, MustExist: true})
		if err != nil {
			t.Fatalf("reopen (read-only %v): %v", ro, err)
		}
		checkDeviceModel(t, s, m, freed)
		if rep, err := s.Check(); err != nil || !rep.OK() {
			t.Fatalf("Check after reopen: %v %q", err, rep.Problems)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if got := fileSize(t, path); got != size {
			t.Fatalf("device file is %d bytes after reopen, want %d", got, size)
		}
	}
}

// deviceFreeAndRefill frees half the blocks of m in transactions of up to
// 64 blocks, fills the device again, and checks.
func deviceFreeAndRefill(t *testing.T, s *Store, path string, size int64, rng *rand.Rand, m deviceModel, freed *[]LBA) {
	t.Helper()
	lbas := slices.Sorted(maps.Keys(m))
	rng.Shuffle(len(lbas), func(i, j int) { lbas[i], lbas[j] = lbas[j], lbas[i] })
	victims := lbas[:len(lbas)/2]
	for len(victims) > 0 {
		k := min(len(victims), 1+rng.IntN(64))
		tx, _ := s.Begin(true)
		for _, l := range victims[:k] {
			if err := tx.Free(l); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			st := s.Stats()
			t.Fatalf("freeing %d blocks of a full device (%d of %d units free): %v", k, st.FreeUnits, st.FileUnits, err)
		}
		for _, l := range victims[:k] {
			delete(m, l)
			*freed = append(*freed, l)
		}
		victims = victims[k:]
	}
	if got := fileSize(t, path); got != size {
		t.Fatalf("device file is %d bytes, want %d", got, size)
	}
	if more := fillDevice(t, s, path, size, rng, m); more == 0 {
		t.Fatal("no commit succeeded after freeing half the device")
	}
	checkDeviceModel(t, s, m, *freed)
}

// TestDeviceFormat: a zeroed device is formatted; a device holding
// anything else is refused and left alone; impossible geometries give
// ErrBadOptions.
func TestDeviceFormat(t *testing.T) {
	// Not zero and not a store: never formatted over.
	path := makeDeviceFile(t, 1<<20)
	junk := bytes.Repeat([]byte("precious data "), 1000)
	if err := os.WriteFile(path, append(junk, make([]byte, 1<<20-len(junk))...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, &Options{Device: true}); !errors.Is(err, ErrBadMagic) {
		t.Fatalf("device with foreign data: %v, want ErrBadMagic", err)
	}
	if b, _ := os.ReadFile(path); !bytes.HasPrefix(b, junk) {
		t.Fatal("Open wrote over a device holding foreign data")
	}

	// Too small.
	path = makeDeviceFile(t, 16<<10)
	if _, err := Open(path, &Options{Device: true}); !errors.Is(err, ErrBadOptions) {
		t.Fatalf("16 KiB device: %v, want ErrBadOptions", err)
	}

	// Block sizes below the device's unit are refused when I/O is direct.
	path = makeDeviceFile(t, 1<<20)
	s, err := Open(path, &Options{Device: true})
	if err != nil {
		t.Fatal(err)
	}
	unit := s.Stats().UnitSize
	s.Close()
	path = makeDeviceFile(t, 1<<20)
	_, err = Open(path, &Options{Device: true, BlockSize: 1024})
	if unit > 1024 && !errors.Is(err, ErrBadOptions) {
		t.Fatalf("block size 1024 on a device of %d-byte units: %v, want ErrBadOptions", unit, err)
	}
	for _, bs := range []int{4096, 8192, 65536} {
		path := makeDeviceFile(t, 2<<20)
		s, err := Open(path, &Options{Device: true, BlockSize: bs})
		if err != nil {
			t.Fatalf("block size %d: %v", bs, err)
		}
		tx, _ := s.Begin(true)
		l, _ := tx.Alloc()
		tx.Put(l, bytes.Repeat([]byte{1}, s.PayloadSize()))
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if s, err = Open(path, &Options{Device: true}); err != nil {
			t.Fatalf("block size %d: reopen: %v", bs, err)
		}
		if s.BlockSize() != bs {
			t.Fatalf("reopened with block size %d, want %d", s.BlockSize(), bs)
		}
		s.Close()
	}

	// A file store opened as a device: a clean error or a working store,
	// never damage.
	path = filepath.Join(t.TempDir(), "file.db")
	s, err = Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx, _ := s.Begin(true)
	tx.Put(RootLBA, []byte("file store"))
	tx.Commit()
	s.Close()
	if s, err := Open(path, &Options{Device: true}); err == nil {
		r, _ := s.Begin(false)
		got, err := r.Get(RootLBA)
		if err != nil || string(got) != "file store" {
			t.Fatalf("file store opened as a device reads %q, %v", got, err)
		}
		r.Rollback()
		s.Close()
	} else if unit > 512 && !errors.Is(err, ErrBadOptions) {
		t.Fatalf("file store opened as a device: %v, want ErrBadOptions", err)
	}
	if s, err = Open(path, nil); err != nil {
		t.Fatalf("file store after a refused device open: %v", err)
	}
	s.Close()
}

// TestDeviceMemFS runs device mode on MemFS (512-byte units, no direct
// I/O): fill, reopen, and the file never grows.
func TestDeviceMemFS(t *testing.T) {
	const size = 2 << 20
	fs := memFSWithFile(t, "dev", make([]byte, size))
	s, err := Open("dev", &Options{FS: fs, Device: true})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	m := deviceModel{}
	for {
		tx, _ := s.Begin(true)
		add := deviceModel{}
		for i := 0; i < 8; i++ {
			l, _ := tx.Alloc()
			d := bytes.Repeat([]byte(fmt.Sprint(l, " ")), s.PayloadSize())[:rng.IntN(s.PayloadSize())]
			tx.Put(l, d)
			add[l] = d
		}
		if err := tx.Commit(); err != nil {
			if !errors.Is(err, ErrFull) {
				t.Fatal(err)
			}
			break
		}
		maps.Copy(m, add)
	}
	if n := len(memFSBytes(fs, "dev")); n != size {
		t.Fatalf("device grew to %d bytes", n)
	}
	checkDeviceModel(t, s, m, nil)
	if rep, err := s.Check(); err != nil || !rep.OK() {
		t.Fatalf("Check: %v %q", err, rep.Problems)
	}
	s.Close()
	if s, err = Open("dev", &Options{FS: fs, Device: true}); err != nil {
		t.Fatal(err)
	}
	checkDeviceModel(t, s, m, nil)
	s.Close()
}

// TestDeviceResized: the capacity is read at every open, so a device that
// grew (a partition extended) offers the new space after reopening, and
// one that shrank below its data is refused cleanly.
func TestDeviceResized(t *testing.T) {
	const size = 1 << 20
	path := makeDeviceFile(t, size)
	s, err := Open(path, &Options{Device: true})
	if err != nil {
		t.Fatal(err)
	}
	m := deviceModel{}
	fillDevice(t, s, path, size, rand.New(rand.NewPCG(3, 3)), m)
	units := s.Stats().FileUnits
	s.Close()
	if err := os.Truncate(path, 2*size); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(path, &Options{Device: true}); err != nil {
		t.Fatal(err)
	}
	if got := s.Stats().FileUnits; got != 2*units {
		t.Fatalf("after growing the device: %d units, want %d", got, 2*units)
	}
	checkDeviceModel(t, s, m, nil)
	tx, _ := s.Begin(true)
	l, _ := tx.Alloc()
	tx.Put(l, []byte("in the new space"))
	if err := tx.Commit(); err != nil {
		t.Fatalf("commit after growing a full device: %v", err)
	}
	m[l] = []byte("in the new space")
	s.Close()
	if got := fileSize(t, path); got != 2*size {
		t.Fatalf("device file is %d bytes, want %d", got, 2*size)
	}
	if err := os.Truncate(path, size/2); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, &Options{Device: true}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("device shrunk below its data: %v, want ErrCorrupt", err)
	}
}

// TestDeviceSmallBlocksFill fills a device of 512-byte units (MemFS; real
// devices with 512-byte sectors are the same) with one-unit blocks: map
// blocks, rewritten by every commit, must not fragment the space so that
// ErrFull comes while much of the device is free.
func TestDeviceSmallBlocksFill(t *testing.T) {
	fs := memFSWithFile(t, "dev", make([]byte, 256<<10))
	s, err := Open("dev", &Options{FS: fs, Device: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	blocks := 0
	for {
		tx, _ := s.Begin(true)
		l, _ := tx.Alloc()
		tx.Put(l, bytes.Repeat([]byte{byte(l)}, 100))
		if err := tx.Commit(); err != nil {
			if !errors.Is(err, ErrFull) {
				t.Fatal(err)
			}
			break
		}
		blocks++
	}
	if st := s.Stats(); st.FreeUnits > st.FileUnits/10 {
		t.Fatalf("ErrFull after %d one-unit blocks with %d of %d units free", blocks, st.FreeUnits, st.FileUnits)
	}
}

// TestFormatLargeBlockSmallInitialSize: a file store with large blocks and
// an InitialSize below the minimum (two superblock slots and four blocks)
// is created at the minimum size.
func TestFormatLargeBlockSmallInitialSize(t *testing.T) {
	for _, bs := range []int{16384, 32768, 65536} {
		s, err := Open("db", &Options{FS: NewMemFS(), BlockSize: bs, InitialSize: 64 << 10})
		if err != nil {
			t.Errorf("block size %d, InitialSize 64 KiB: %v", bs, err)
			continue
		}
		tx, _ := s.Begin(true)
		tx.Put(RootLBA, bytes.Repeat([]byte{1}, s.PayloadSize()))
		if err := tx.Commit(); err != nil {
			t.Errorf("block size %d: commit: %v", bs, err)
		}
		s.Close()
	}
}

// TestDeviceFullFreeSpreadOut: on a full device, one transaction that
// frees a block in every map segment must commit. Freeing rewrites every
// segment it touches (and their pages), so the space kept for map blocks
// must cover the whole live map, not a fixed number of blocks.
func TestDeviceFullFreeSpreadOut(t *testing.T) {
	const bs = 1024
	fs := memFSWithFile(t, "dev", make([]byte, 4<<20))
	s, err := Open("dev", &Options{FS: fs, Device: true, BlockSize: bs})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var lbas []LBA
	for per := 256; per >= 1; per /= 4 {
		for {
			tx, _ := s.Begin(true)
			var add []LBA
			for i := 0; i < per; i++ {
				l, _ := tx.Alloc()
				tx.Put(l, bytes.Repeat([]byte{byte(l), byte(l >> 8), 3}, 40))
				add = append(add, l)
			}
			if err := tx.Commit(); err != nil {
				break
			}
			lbas = append(lbas, add...)
		}
	}
	st := s.Stats()
	fan := (bs - headerSize) / refSize
	tx, _ := s.Begin(true)
	n := 0
	for i := 0; i < len(lbas); i += fan {
		if err := tx.Free(lbas[i]); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("full device (%d blocks, %d of %d units free): freeing one block in each of %d segments: %v",
			len(lbas), st.FreeUnits, st.FileUnits, n, err)
	}
}
