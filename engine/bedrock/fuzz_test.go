package bedrock

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/bxdb/bxdb/internal/mutation"
	"github.com/golang/snappy"
)

// FuzzOpen opens arbitrary file contents. Open must not panic or hang;
// when it succeeds, Check, reading every block, a commit, Close and a
// reopen must not panic either, and a store that opened and closed
// cleanly must open again. The seed corpus (valid stores of several
// block sizes, truncated and bit-flipped variants) runs as a normal test;
// crashers found by -fuzz are kept in testdata/fuzz/FuzzOpen.
func FuzzOpen(f *testing.F) {
	for _, seed := range fuzzOpenSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(fuzzOpenCheck)
}

// FuzzOpenResealed is FuzzOpen for inputs that pass the checksums: before
// opening, it recomputes the checksum of both superblock slots and of
// every block their maps reach (1 KiB-block stores only), so mutations of
// superblock fields, map entries and block headers reach the code behind
// the checksums.
func FuzzOpenResealed(f *testing.F) {
	for _, seed := range fuzzOpenSeeds(f) {
		if len(seed) > 20 && binary.LittleEndian.Uint32(seed[16:20]) == 1024 {
			f.Add(seed)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOpenCheck(t, resealStore(data))
	})
}

// resealStore fixes the checksums of a 1 KiB-block store image in place:
// both superblock slots and every page, segment and data block reachable
// from them whose header is within the file.
func resealStore(data []byte) []byte {
	const block = 1024
	if len(data) < 2*block || binary.LittleEndian.Uint32(data[16:20]) != block {
		return data
	}
	castag := crc32.MakeTable(crc32.Castagnoli)
	seal := func(r diskRef, unit int) []byte {
		off := int64(r.addr) * int64(unit)
		end := off + int64(r.units)*int64(unit)
		if r.addr == 0 || r.units == 0 || end > int64(len(data)) || end-off < headerSize {
			return nil
		}
		b := data[off:end]
		stored := int64(binary.LittleEndian.Uint32(b[24:28]))
		if headerSize+stored > int64(len(b)) {
			return nil
		}
		binary.LittleEndian.PutUint32(b[0:4], crc32.Checksum(b[4:headerSize+stored], castag))
		body := b[headerSize : headerSize+stored]
		if b[6]&1 != 0 {
			var err error
			if body, err = snappy.Decode(nil, body); err != nil {
				return nil
			}
		}
		return body
	}
	refs := func(body []byte) []diskRef {
		var out []diskRef
		for i := 0; i+refSize <= len(body) && i < 64*refSize; i += refSize {
			out = append(out, getDiskRef(body[i:]))
		}
		return out
	}
	for slot := 0; slot < 2; slot++ {
		b := data[slot*block : (slot+1)*block]
		if string(b[0:8]) != "bedrock\x00" {
			continue
		}
		unit := int(binary.LittleEndian.Uint32(b[20:24]))
		n := int(binary.LittleEndian.Uint32(b[56:60]))
		if unit >= 512 && unit <= block {
			for p := 0; p < n && 64+16*(p+1) <= block; p++ {
				for _, sr := range refs(seal(getDiskRef(b[64+16*p:]), unit)) {
					for _, dr := range refs(seal(sr, unit)) {
						seal(dr, unit)
					}
				}
			}
		}
		clear(b[12:16])
		binary.LittleEndian.PutUint32(b[12:16], crc32.Checksum(b, castag))
	}
	return data
}

// fuzzOpenCheck opens data as a store and exercises whatever opened.
func fuzzOpenCheck(t *testing.T, data []byte) {
	fs := memFSWithFile(t, "db", data)
	s, err := Open("db", &Options{FS: fs, MustExist: true, GrowSize: 64 << 10, CacheSize: 1 << 20})
	if err != nil {
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrBadMagic) && !errors.Is(err, ErrVersion) && !errors.Is(err, ErrBadOptions) {
			t.Fatalf("Open: unclassified error %v", err)
		}
		return
	}
	if _, err := s.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	// Read every block the map might hold: the LBAs the format walker
	// finds plus a range of small ones.
	lbas := map[LBA]bool{}
	for l := LBA(0); l < 300; l++ {
		lbas[l] = true
	}
	if l, err := readDiskLayout(data); err == nil {
		for _, sl := range l.slots {
			for _, e := range sl.extents {
				if e.kind == kindData {
					lbas[LBA(e.id)] = true
				}
			}
		}
	}
	tx, err := s.Begin(false)
	if err != nil {
		t.Fatal(err)
	}
	for l := range lbas {
		got, err := tx.Get(l)
		if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNotAllocated) {
			t.Fatalf("Get(%d): unclassified error %v", l, err)
		}
		if len(got) > s.PayloadSize() {
			t.Fatalf("Get(%d): %d bytes, more than the payload size %d", l, len(got), s.PayloadSize())
		}
	}
	tx.Rollback()
	// The store must accept a commit.
	w, err := s.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Put(RootLBA, []byte("fuzz")); err != nil {
		t.Fatal(err)
	}
	nl, err := w.Alloc()
	if err == nil {
		err = w.Put(nl, bytes.Repeat([]byte{7}, s.PayloadSize()))
	}
	if err != nil && !errors.Is(err, ErrFull) {
		t.Fatalf("Alloc/Put: %v", err)
	}
	if err := w.Commit(); err != nil {
		// A full store, or a map segment open left unread that settle
		// found damaged beyond repair: the store then takes no commits
		// and says why.
		if errors.Is(err, ErrFull) || errors.Is(err, ErrFailed) && errors.Is(err, ErrCorrupt) {
			s.Close()
			return
		}
		t.Fatalf("commit on an opened store: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s, err = Open("db", &Options{FS: fs, MustExist: true})
	if err != nil {
		t.Fatalf("reopen after a clean close: %v", err)
	}
	r, _ := s.Begin(false)
	if got, err := r.Get(RootLBA); err != nil || string(got) != "fuzz" {
		t.Fatalf("after reopen root = %q, %v; want \"fuzz\"", got, err)
	}
	r.Rollback()
	s.Close()
}

// fuzzOpenSeeds builds small valid stores and damaged variants of them.
func fuzzOpenSeeds(tb testing.TB) [][]byte {
	var out [][]byte
	rng := rand.New(rand.NewPCG(11, 11))
	// Small stores keep the fuzzer fast (it minimizes every new input).
	// FormatV3 (parity) and FormatV1 (whose units are the file's offsets,
	// which resealStore assumes).
	for _, c := range []struct {
		bs       int
		noParity bool
	}{{1024, false}, {2048, false}, {1024, true}} {
		bs := c.bs
		fs := NewMemFS()
		s, err := Open("db", &Options{FS: fs, BlockSize: bs, InitialSize: 8 * int64(bs), GrowSize: 4 * int64(bs), DisableParity: c.noParity})
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, memFSBytes(fs, "db")) // freshly formatted
		for c := 0; c < 3; c++ {
			tx, _ := s.Begin(true)
			for i := 0; i < 6; i++ {
				l, err := tx.Alloc()
				if err != nil {
					tb.Fatal(err)
				}
				tx.Put(l, testBlockContent(rng, s.PayloadSize()/2, fmt.Sprintf("%d/%d", c, i)))
			}
			tx.Put(RootLBA, []byte(fmt.Sprint("root ", c)))
			if err := tx.Commit(); err != nil {
				tb.Fatal(err)
			}
		}
		s.Close()
		data := memFSBytes(fs, "db")
		out = append(out, data)
		for i := 0; i < 3; i++ {
			out = append(out, slices.Clone(data[:rng.IntN(len(data))]))
			b := slices.Clone(data)
			b[rng.IntN(len(b))] ^= 1 << rng.IntN(8)
			out = append(out, b)
		}
	}
	out = append(out, nil, []byte("bedrock\x00"), make([]byte, 8192))
	return out
}

// TestOpenMutations runs FuzzOpen's checks on 3,000 random mutations of
// its seed stores (one to four bytes overwritten), and FuzzOpenResealed's
// on 3,000 more whose checksums are then recomputed (so that the damage
// reaches the fields behind them), so that the default test run meets the
// damage the fuzzers would (a seed corpus alone does not). The seed is
// logged; BXDB_MUTATION_SEED replays a run.
func TestOpenMutations(t *testing.T) {
	seed := mutation.Seed(t)
	n := 3000
	if testing.Short() {
		n = 500
	}
	openMutations(t, seed, n, func(resealed bool, i int) bool { return true })
}

// openMutations runs fuzzOpenCheck on the mutations TestOpenMutations
// makes from seed (n of each kind), those run says yes to.
func openMutations(t *testing.T, seed uint64, n int, run func(resealed bool, i int) bool) {
	rng := rand.New(rand.NewPCG(seed, 3))
	seeds := fuzzOpenSeeds(t)
	for _, resealed := range []bool{false, true} {
		for i := 0; i < n; i++ {
			s := seeds[rng.IntN(len(seeds))]
			if len(s) == 0 {
				continue
			}
			d := mutation.Bytes(rng, s)
			if resealed {
				d = resealStore(d)
			}
			if !run(resealed, i) {
				continue
			}
			if !t.Run(fmt.Sprint(resealed, i), func(t *testing.T) { fuzzOpenCheck(t, d) }) {
				t.Fatalf("seed %d: mutation %d (resealed %v) failed", seed, i, resealed)
			}
		}
	}
}

// TestOpenMutationsFound replays mutations that once failed (of a full,
// not -short, run of TestOpenMutations).
func TestOpenMutationsFound(t *testing.T) {
	for _, c := range []struct {
		seed     uint64
		resealed bool
		i        int
		why      string
	}{
		// An unmapped map entry (address 0) whose units field is not 0:
		// a commit on the nearly full store counted those units as its
		// old block's and released them (index out of range).
		{1796688343966448499, true, 173, "unmapped entry with units"},
	} {
		t.Run(c.why, func(t *testing.T) {
			openMutations(t, c.seed, 3000, func(resealed bool, i int) bool { return resealed == c.resealed && i == c.i })
		})
	}
}
