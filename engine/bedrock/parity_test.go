package bedrock

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestParityGeometry checks the virtual-to-physical mapping against a
// layout built chunk by chunk from the format's description: FormatV2
// (both slots, then stripes) and FormatV3 (slot 0, stripe 0, slot 1, then
// the other stripes).
func TestParityGeometry(t *testing.T) {
	for _, split := range []bool{false, true} {
		for _, block := range []int64{1024, 4096} {
			unit := int64(512)
			g := parityGeo{base: 2 * block, chunk: block, split: split}
			for _, psize := range []int64{2 * block, 3 * block, 2*block + 15*block, 2*block + 16*block, 2*block + 16*block + 5*unit, 2*block + 16*block + block + unit, 2*block + 40*block + 3*unit} {
				// Brute force: the slots, then the stripes in file order; in
				// each stripe the first chunk is parity, the rest (up to 15
				// chunks) data.
				var virt, stripes []int64 // physical offset of each virtual unit; of each stripe
				slot1 := block
				if split {
					slot1 = 17 * block
				}
				for _, sl := range []int64{0, slot1} {
					for p := sl; p < sl+block && slot1+block <= psize; p += unit {
						virt = append(virt, p)
					}
				}
				if split {
					stripes = append(stripes, block)
				}
				for st := 2 * block; st < psize; st += 16 * block {
					if !split || st >= 18*block {
						stripes = append(stripes, st)
					}
				}
				for _, st := range stripes {
					for p := st + block; p < min(st+16*block, psize) && slot1+block <= psize; p += unit {
						virt = append(virt, p)
					}
				}
				want := int64(len(virt)) * unit
				if slot1+block > psize { // no slot 1: the virtual file is slot 0, as far as it goes
					want = min(psize, block)
				}
				if got := g.virtSize(psize); got != want {
					t.Fatalf("split %v block %d psize %d: virtSize %d, want %d", split, block, psize, got, want)
				}
				if want < int64(len(virt))*unit {
					continue
				}
				f := &parityFile{g: g, unit: unit, psize: psize}
				for i, p := range virt {
					if got := g.phys(int64(i) * unit); got != p {
						t.Fatalf("split %v block %d psize %d: phys(unit %d) = %d, want %d", split, block, psize, i, got, p)
					}
					if int64(i)*unit >= g.base {
						k := (int64(i)*unit - g.base) / g.data()
						start, dl := f.stripeData(k)
						if po := f.g.parityAt(k); po != stripes[k] || f.g.dataAt(k) != po+block || int64(i)*unit >= start+dl {
							t.Fatalf("split %v block %d psize %d: stripe %d data %d..+%d parity at %d, want %d", split, block, psize, k, start, dl, po, stripes[k])
						}
					}
				}
				if v := int64(len(virt)) * unit; g.physSize(v) < psize-block-unit && v > g.base {
					t.Fatalf("split %v: physSize(%d) = %d, below %d", split, v, g.physSize(v), psize)
				}
				if v := int64(len(virt)) * unit; v > g.base && g.virtSize(g.physSize(v)) < v {
					t.Fatalf("split %v: physSize(%d) = %d holds only %d virtual bytes", split, v, g.physSize(v), g.virtSize(g.physSize(v)))
				}
			}
		}
	}
}

// stripesConsistent checks that every whole stripe of the physical file
// holds the XOR of its data chunks in its parity chunk.
func stripesConsistent(data []byte, g parityGeo) error {
	for k := int64(0); g.parityAt(k)+g.span() <= int64(len(data)); k++ {
		s := g.parityAt(k)
		par := make([]byte, g.chunk)
		for j := int64(1); j <= parityWidth; j++ {
			for i := range g.chunk {
				par[i] ^= data[s+j*g.chunk+i]
			}
		}
		if !bytes.Equal(par, data[s:s+g.chunk]) {
			return fmt.Errorf("stripe at %d: parity does not match its data", s)
		}
	}
	return nil
}

// TestParityFileModel writes random ranges through the parity layer, in
// one buffer or many, checks the data against a model and every stripe's
// parity against its data, then damages units and checks that repair
// rebuilds exactly the ranges a brute-force rule says it can.
func TestParityFileModel(t *testing.T) {
	seed := loggedSeed(t, "BXDB_PARITY_SEED")
	rng := rand.New(rand.NewPCG(seed, 7))
	for _, block := range []int{1024, 4096} {
		for _, idle := range []bool{false, true} {
			split := rng.IntN(2) == 0
			t.Run(fmt.Sprintf("block=%d/idle=%v/split=%v", block, idle, split), func(t *testing.T) {
				const unit = 512
				fs := NewMemFS()
				h, err := fs.OpenFile("p", OpenFlags{Create: true})
				if err != nil {
					t.Fatal(err)
				}
				f := newParityFile(h, block, unit, 0, split, func(n int) []byte { return make([]byte, n) })
				if idle {
					f.idle = func(lo, hi int64) bool { return true }
				}
				vsize := int64(2*block + 40*block)
				if err := f.Allocate(vsize); err != nil {
					t.Fatal(err)
				}
				if got, _ := f.Size(); got < vsize {
					t.Fatalf("size %d after Allocate(%d)", got, vsize)
				}
				model := make([]byte, vsize)
				for op := 0; op < 300; op++ {
					off := int64(2*block) + int64(rng.IntN(int(vsize)/unit-2*block/unit))*unit
					n := min(int64(1+rng.IntN(3*16*block/unit))*unit, vsize-off)
					if rng.IntN(4) == 0 {
						n = min(int64(1+rng.IntN(9))*unit, vsize-off)
					}
					buf := make([]byte, n)
					for i := range buf {
						buf[i] = byte(rng.Uint32())
					}
					copy(model[off:], buf)
					if rng.IntN(2) == 0 {
						if _, err := f.WriteAt(buf, off); err != nil {
							t.Fatal(err)
						}
					} else {
						var bufs [][]byte
						for len(buf) > 0 {
							k := min(len(buf), 1+rng.IntN(3000))
							bufs = append(bufs, buf[:k])
							buf = buf[k:]
						}
						if _, err := f.writeVAt(bufs, off); err != nil {
							t.Fatal(err)
						}
					}
					if err := stripesConsistent(memFSBytes(fs, "p"), f.g); err != nil {
						t.Fatalf("op %d (write %d+%d): %v", op, off, n, err)
					}
					roff := int64(rng.IntN(int(vsize)/unit)) * unit
					got := make([]byte, min(int64(rng.IntN(4*block)), vsize-roff))
					if _, err := f.ReadAt(got, roff); err != nil || !bytes.Equal(got, model[roff:roff+int64(len(got))]) {
						t.Fatalf("op %d: read %d+%d differs from the model (%v)", op, roff, len(got), err)
					}
				}
				// Damage and repair.
				col := func(v int64) (stripe, chunk, column int64) {
					rel := v - f.g.base
					return rel / f.g.data(), rel % f.g.data() / f.g.chunk, rel % f.g.chunk
				}
				repaired := 0
				for r := 0; r < 300; r++ {
					units := int64(1 + rng.IntN(block/unit+1))
					off := f.g.base + int64(rng.IntN(int(vsize-f.g.base)/unit-int(units)+1))*unit
					n := units * unit
					clean := memFSBytes(fs, "p")
					damaged := map[int64]bool{} // physical offsets of damaged units
					hit := func(p int64) {
						damaged[p/unit*unit] = true
						fs.Corrupt("p", func(d []byte) []byte { d[p] ^= 1 << rng.IntN(8); return d })
					}
					switch rng.IntN(4) {
					case 0: // one unit of the range
						hit(f.g.phys(off+int64(rng.IntN(int(units)))*unit) + int64(rng.IntN(unit)))
					case 1: // the whole range
						for u := range units {
							hit(f.g.phys(off+u*unit) + int64(rng.IntN(unit)))
						}
					case 2: // a unit of the range and one elsewhere
						hit(f.g.phys(off+int64(rng.IntN(int(units)))*unit) + int64(rng.IntN(unit)))
						hit(int64(rng.IntN(len(clean))))
					case 3: // a unit of the range and its stripe's parity
						v := off + int64(rng.IntN(int(units)))*unit
						hit(f.g.phys(v) + int64(rng.IntN(unit)))
						k, _, c := col(v)
						hit(f.g.parityAt(k) + c + int64(rng.IntN(unit)))
					}
					// Brute force: unit v's rebuild is right when no other
					// member of its column is damaged.
					right := func(v int64) bool {
						k, j, c := col(v)
						if damaged[f.g.parityAt(k)+c] {
							return false
						}
						for o := range int64(parityWidth) {
							if o != j && damaged[f.g.dataAt(k)+o*f.g.chunk+c] {
								return false
							}
						}
						return true
					}
					var bad []int64
					all := true
					for u := range units {
						v := off + u*unit
						if damaged[f.g.phys(v)] {
							bad = append(bad, v)
						}
						all = all && right(v)
					}
					want := all || len(bad) == 1 && right(bad[0])
					// Or the damage lies in one of the range's chunks
					// (of two or more), whose units can all be rebuilt.
					groups := map[[2]int64][]int64{}
					for u := range units {
						v := off + u*unit
						k, j, _ := col(v)
						groups[[2]int64{k, j}] = append(groups[[2]int64{k, j}], v)
					}
					for _, vs := range groups {
						if len(groups) < 2 {
							break
						}
						rebuildable, covered := true, 0
						for _, v := range vs {
							rebuildable = rebuildable && right(v)
							if damaged[f.g.phys(v)] {
								covered++
							}
						}
						want = want || rebuildable && covered == len(bad)
					}
					if len(bad) == 0 {
						want = true // nothing of the range damaged: rebuilding all of it is right
					}
					got, _, ok := f.repair(off, n, func(b []byte) bool { return bytes.Equal(b, model[off:off+n]) })
					if ok != want || ok && !bytes.Equal(got, model[off:off+n]) {
						t.Fatalf("round %d: repair of %d+%d with damaged units %v: ok=%v, want %v", r, off, n, slices.Sorted(maps.Keys(damaged)), ok, want)
					}
					if ok && len(bad) > 0 {
						repaired++
					}
					fs.Corrupt("p", func([]byte) []byte { return clean })
				}
				if repaired < 50 {
					t.Fatalf("only %d of 300 damaged ranges repaired: the damage is not varied enough", repaired)
				}
			})
		}
	}
}

// TestParityRepairStore damages FormatV2 stores, with an independent
// reader of the format saying where every block lies, and checks each
// outcome exactly: a block whose damage its stripe can undo reads back
// right (and Check rewrites it), one that it cannot fails with ErrCorrupt,
// and a damaged map block that parity rebuilds does not stop Open.
func TestParityRepairStore(t *testing.T) {
	seed := loggedSeed(t, "BXDB_PARITY_SEED")
	rng := rand.New(rand.NewPCG(seed, 9))
	rounds := 60
	if testing.Short() {
		rounds = 20
	}
	outcomes := map[string]int{}
	for _, block := range []int{1024, 4096} {
		fs := NewMemFS()
		opts := &Options{FS: fs, BlockSize: block, InitialSize: 64 << 10, GrowSize: 64 << 10}
		s, err := Open("db", opts)
		if err != nil {
			t.Fatal(err)
		}
		want := map[LBA][]byte{}
		for c := 0; c < 4; c++ {
			tx, _ := s.Begin(true)
			for i := 0; i < 150; i++ {
				l, err := tx.Alloc()
				if err != nil {
					t.Fatal(err)
				}
				d := testBlockContent(rng, s.PayloadSize(), fmt.Sprintf("lba %d commit %d", l, c))
				if err := tx.Put(l, d); err != nil {
					t.Fatal(err)
				}
				want[l] = d
			}
			for _, l := range slices.Sorted(maps.Keys(want)) { // sorted: the seed replays
				if rng.IntN(4) == 0 && l != RootLBA {
					tx.Free(l)
					delete(want, l)
				}
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		img := memFSBytes(fs, "db")
		l, err := readDiskLayout(img)
		if err != nil {
			t.Fatal(err)
		}
		sl := &l.slots[0]
		if sl.version != 3 || sl.walkErr != nil {
			t.Fatalf("slot 0: version %d, %v", sl.version, sl.walkErr)
		}
		unit, blk := int64(l.unit), int64(block)
		g := parityGeo{base: 2 * blk, chunk: blk, split: true}
		stripeOf := func(p int64) (start, chunk, col int64) { // physical
			k := (p - g.base) / g.span()
			if p < g.slotAt(1) {
				k = 0 // stripe 0 lies between the slots
			}
			start = g.parityAt(k)
			return start, (p - start) / blk, (p - start) % blk
		}
		stripes := int64(0)
		for g.parityAt(stripes)+g.span() <= int64(len(img)) {
			stripes++
		}
		for r := 0; r < rounds; r++ {
			data := slices.Clone(img)
			flip := func(p int64) { data[p] ^= 1 << rng.IntN(8) }
			pick := func(kinds ...uint8) diskExtent {
				for {
					e := sl.extents[rng.IntN(len(sl.extents))]
					if slices.Contains(kinds, e.kind) {
						return e
					}
				}
			}
			covered := func(e diskExtent) int64 { // a physical byte the checksum covers
				off, end := e.covered(l.unit)
				return diskPhys(sl, off+rng.Int64N(end-off))
			}
			var what string
			switch k := rng.IntN(6); k {
			case 0:
				n := 1 + rng.IntN(3)
				for range n {
					flip(covered(pick(kindData)))
				}
				what = fmt.Sprintf("bit flips in %d data blocks", n)
			case 1:
				e := pick(kindData, kindSegment, kindPage)
				off, end := e.span(l.unit)
				for v := off; v < end; v++ {
					data[diskPhys(sl, v)] = 0
				}
				what = fmt.Sprintf("block kind %d id %d zeroed", e.kind, e.id)
			case 2:
				flip(covered(pick(kindSegment, kindPage)))
				what = "bit flip in a map block"
			case 3: // two blocks of one stripe, often in one column
				e := pick(kindData)
				p := covered(e)
				flip(p)
				st, ch, c := stripeOf(p)
				other := (ch + 1 + int64(rng.IntN(parityWidth-1))) % parityWidth
				flip(st + other*blk + c)
				what = "two units of one column"
			case 4: // a parity chunk and free space
				p := g.parityAt(rng.Int64N(stripes))
				flip(p + rng.Int64N(blk))
				what = "bit flip in a parity chunk"
			case 5:
				e := pick(kindData)
				flip(covered(e))
				st, _, c := stripeOf(covered(e))
				flip(st + c)
				what = "a data block and its column's parity"
			}
			// Prediction, from the damage alone, byte by byte: a byte's
			// rebuild is right when the other members of its column (the
			// same offset in the stripe's other chunks) are intact.
			right := func(data []byte, p int64) bool {
				st, ch, c := stripeOf(p)
				for j := range int64(parityWidth + 1) {
					if q := st + j*blk + c; j != ch && data[q] != img[q] {
						return false
					}
				}
				return true
			}
			fate := func(data []byte, e diskExtent) string {
				off, end := e.covered(l.unit)
				bad := map[int64]bool{} // units with a damaged covered byte
				for v := off; v < end; v++ {
					if p := diskPhys(sl, v); data[p] != img[p] {
						bad[v/unit*unit] = true
					}
				}
				if len(bad) == 0 {
					return "intact"
				}
				all := true
				for v := off; v < end; v++ {
					all = all && right(data, diskPhys(sl, v))
				}
				if all {
					return "repaired"
				}
				if len(bad) == 1 {
					for u := range bad {
						one := true
						for v := u; v < min(u+unit, end); v++ {
							one = one && right(data, diskPhys(sl, v))
						}
						if one {
							return "repaired"
						}
					}
				}
				return "lost"
			}
			fates := map[string]int{}
			pageLost := false
			lost := map[LBA]bool{}
			lostSegs := map[uint64]bool{} // left unread by open: found by reads
			for _, e := range sl.extents {
				f := fate(data, e)
				fates[f]++
				if f == "lost" {
					switch e.kind {
					case kindData:
						lost[LBA(e.id)] = true
					case kindSegment:
						lostSegs[e.id] = true
					default:
						pageLost = true
					}
				}
			}
			fan := uint64((block - headerSize) / refSize)
			// Check goes through the blocks in the reader's order and
			// writes each rebuilt block's checked bytes back at once, which
			// can make a later block of the same stripe rebuildable.
			sim := slices.Clone(data)
			checkRepaired, checkLost := 0, map[LBA]bool{}
			for _, e := range sl.extents {
				switch fate(sim, e) {
				case "repaired":
					checkRepaired++
					off, end := e.covered(l.unit)
					for v := off; v < end; v++ {
						sim[diskPhys(sl, v)] = img[diskPhys(sl, v)]
					}
				case "lost":
					checkLost[LBA(e.id)] = true
				}
			}
			name := fmt.Sprintf("block=%d/%d", block, r)
			t.Run(name, func(t *testing.T) {
				fs := memFSWithFile(t, "db", data)
				s, err := Open("db", &Options{FS: fs, MustExist: true})
				if pageLost {
					if !errors.Is(err, ErrCorrupt) {
						t.Fatalf("%s: a map page is beyond repair, Open = %v, want ErrCorrupt", what, err)
					}
					outcomes["open failed"]++
					return
				}
				if err != nil {
					t.Fatalf("%s: Open: %v (fates %v)", what, err, fates)
				}
				defer s.Close()
				tx, _ := s.Begin(false)
				for lba, w := range want {
					got, err := tx.Get(lba)
					if lost[lba] || lostSegs[uint64(lba)/fan] {
						if !errors.Is(err, ErrCorrupt) {
							t.Fatalf("%s: Get(%d) of a block beyond repair = %v", what, lba, err)
						}
						continue
					}
					if err != nil || !bytes.Equal(got, w) {
						t.Fatalf("%s: Get(%d) = %d bytes, %v; want the block as written (fates %v)", what, lba, len(got), err, fates)
					}
				}
				tx.Rollback()
				rep, err := s.Check()
				if err != nil {
					t.Fatal(err)
				}
				if len(lostSegs) > 0 {
					// Check reports each segment beyond repair; the store
					// refuses writes (its allocator cannot know what such a
					// segment maps).
					for id := range lostSegs {
						if !slices.ContainsFunc(rep.Problems, func(p string) bool { return strings.Contains(p, fmt.Sprintf("map segment %d ", id)) }) {
							t.Fatalf("%s: Check does not report lost map segment %d: %q", what, id, rep.Problems)
						}
					}
					wtx, _ := s.Begin(true)
					if nl, err := wtx.Alloc(); err == nil {
						wtx.Put(nl, []byte("after map damage"))
					}
					if err := wtx.Commit(); !errors.Is(err, ErrFailed) {
						t.Fatalf("%s: commit with a lost map segment: %v, want ErrFailed", what, err)
					}
					outcomes["map segment lost reported"]++
					return
				}
				if len(rep.Problems) != len(checkLost) || len(rep.Repaired) != checkRepaired {
					t.Fatalf("%s: Check: problems %q, repaired %q; want %d lost, %d repaired", what, rep.Problems, rep.Repaired, len(checkLost), checkRepaired)
				}
				for lba := range checkLost {
					if !slices.ContainsFunc(rep.Problems, func(p string) bool { return strings.Contains(p, fmt.Sprintf("data block %d ", lba)) }) {
						t.Fatalf("%s: Check does not report lost block %d: %q", what, lba, rep.Problems)
					}
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				// Check wrote the repairs back and made every parity chunk
				// match: a second Check finds nothing to do.
				s2, err := Open("db", &Options{FS: fs, MustExist: true})
				if err != nil {
					t.Fatal(err)
				}
				defer s2.Close()
				rep, err = s2.Check()
				if err != nil || len(rep.Repaired) != 0 || rep.ParityFixed != 0 || len(rep.Problems) != len(checkLost) {
					t.Fatalf("%s: second Check: %v repaired %q, %d parity chunks fixed, problems %q", what, err, rep.Repaired, rep.ParityFixed, rep.Problems)
				}
				if err := stripesConsistent(memFSBytes(fs, "db"), g); err != nil {
					t.Fatalf("%s: after Check: %v", what, err)
				}
				switch {
				case len(checkLost) < len(lost):
					outcomes["rebuilt by Check after an earlier rebuild"]++
				case len(lost) > 0:
					outcomes["lost reported"]++
				case fates["repaired"] > 0:
					outcomes["repaired"]++
				default:
					outcomes["intact"]++
				}
			})
		}
	}
	t.Logf("outcomes %v", outcomes)
	if len(outcomes) < 3 {
		t.Errorf("only outcomes %v: the damage is not varied enough", outcomes)
	}
}

// TestCheckReportsLostRedundancy checks that Check on a read-only store
// reports a damaged superblock slot and a stale parity chunk (lost
// redundancy, not lost data: the report stays OK) without writing, and
// that a writable Check rewrites the parity and the next commit both
// slots, after which nothing is reported.
func TestCheckReportsLostRedundancy(t *testing.T) {
	fs := NewMemFS()
	s, err := Open("db", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		tx, _ := s.Begin(true)
		for j := 0; j < 40; j++ {
			l, _ := tx.Alloc()
			tx.Put(l, bytes.Repeat([]byte{byte(i), byte(j)}, 900))
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	g := s.par.g
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	data := memFSBytes(fs, "db")
	data[100] ^= 0xff                // superblock slot 0
	data[g.parityAt(1)+1000] ^= 0xff // the parity chunk of stripe 1
	fs = memFSWithFile(t, "db", data)
	ro, err := Open("db", &Options{FS: fs, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ro.Check()
	ro.Close()
	if err != nil || !rep.OK() || rep.ParityStale != 1 || rep.ParityFixed != 0 || len(rep.Slots) != 1 || !strings.Contains(rep.Slots[0], "slot 0") {
		t.Fatalf("read-only Check: %v ok=%v stale=%d fixed=%d slots=%q problems=%q", err, rep.OK(), rep.ParityStale, rep.ParityFixed, rep.Slots, rep.Problems)
	}
	if !bytes.Equal(memFSBytes(fs, "db"), data) {
		t.Fatal("a read-only Check wrote to the store")
	}
	rw, err := Open("db", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err = rw.Check(); err != nil || rep.ParityFixed != 1 || rep.ParityStale != 0 {
		t.Fatalf("writable Check: %v fixed=%d stale=%d", err, rep.ParityFixed, rep.ParityStale)
	}
	for i := 0; i < 2; i++ { // a commit per slot
		tx, _ := rw.Begin(true)
		l, _ := tx.Alloc()
		tx.Put(l, []byte("after"))
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if rep, err = rw.Check(); err != nil || len(rep.Slots) != 0 || rep.ParityFixed != 0 {
		t.Fatalf("Check after the commits: %v slots=%q fixed=%d", err, rep.Slots, rep.ParityFixed)
	}
	rw.Close()
}

// TestCheckReportsZeroedSlot checks that a superblock slot zeroed whole
// (a zeroed sector) is reported by Check like any other damaged slot,
// whichever slot it is, and that two damaged slots are both named when
// the store cannot open.
func TestCheckReportsZeroedSlot(t *testing.T) {
	fs := NewMemFS()
	s, err := Open("db", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		tx, _ := s.Begin(true)
		l, _ := tx.Alloc()
		tx.Put(l, bytes.Repeat([]byte{byte(i)}, 500))
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	block, v := s.block, s.formatVersion()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	clean := memFSBytes(fs, "db")
	for slot := 0; slot < 2; slot++ {
		data := bytes.Clone(clean)
		off := slotPlaces(slot, block, v)[0]
		clear(data[off : off+int64(block)])
		ro, err := Open("db", &Options{FS: memFSWithFile(t, "db", data), ReadOnly: true})
		if err != nil {
			t.Fatalf("slot %d zeroed: open: %v", slot, err)
		}
		rep, err := ro.Check()
		ro.Close()
		want := fmt.Sprintf("slot %d: all zero", slot)
		if err != nil || !rep.OK() || len(rep.Slots) != 1 || !strings.Contains(rep.Slots[0], want) {
			t.Fatalf("slot %d zeroed: Check: %v ok=%v slots=%q, want one %q", slot, err, rep.OK(), rep.Slots, want)
		}
	}
	data := bytes.Clone(clean)
	for slot := 0; slot < 2; slot++ {
		data[slotPlaces(slot, block, v)[0]+100] ^= 1
	}
	_, err = Open("db", &Options{FS: memFSWithFile(t, "db", data), ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), "slot 0") || !strings.Contains(err.Error(), "slot 1") {
		t.Fatalf("both slots damaged: %v, want both named", err)
	}
}

// readCounter counts the bytes read through a File.
type readCounter struct {
	File
	n int64
}

func (r *readCounter) ReadAt(p []byte, off int64) (int, error) {
	r.n += int64(len(p))
	return r.File.ReadAt(p, off)
}

// TestParityFreshSpaceNotRead: a write that ends inside a stripe of space
// the file gained and nothing wrote since does not read that stripe back
// (its data and parity are zeros), so a long write to new space costs no
// reads; once the file is reopened nothing is known and the stripe is
// read. Either way every stripe's parity matches its data.
func TestParityFreshSpaceNotRead(t *testing.T) {
	const block, unit = 4096, 512
	fs := NewMemFS()
	h, err := fs.OpenFile("p", OpenFlags{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	rc := &readCounter{File: h}
	newBuf := func(n int) []byte { return make([]byte, n) }
	f := newParityFile(rc, block, unit, 0, true, newBuf)
	vsize := int64(2*block + 64*parityWidth*block)
	if err := f.Allocate(vsize); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	data := func(n int64) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	// Ten and a half stripes, then the rest of the last one and more:
	// the second write finds the stripe it continues in the cache.
	off := f.g.base
	for _, n := range []int64{10*parityWidth*block + 7*block + unit, 5*parityWidth*block + 3*unit} {
		if _, err := f.WriteAt(data(n), off); err != nil {
			t.Fatal(err)
		}
		off += n
	}
	if rc.n != 0 {
		t.Errorf("writes to new space read %d bytes", rc.n)
	}
	if err := stripesConsistent(memFSBytes(fs, "p"), f.g); err != nil {
		t.Fatal(err)
	}
	// Reopened: the space after the writes is not known to be zeros.
	size, _ := h.Size()
	g := newParityFile(rc, block, unit, size, true, newBuf)
	if _, err := g.WriteAt(data(3*unit), off+20*block); err != nil {
		t.Fatal(err)
	}
	if rc.n == 0 {
		t.Error("a write into a partial stripe after reopening read nothing")
	}
	if err := stripesConsistent(memFSBytes(fs, "p"), g.g); err != nil {
		t.Fatal(err)
	}
}
