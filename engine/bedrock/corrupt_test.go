package bedrock

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang/snappy"
)

// This file damages stores on disk and checks that every outcome is either
// a clean error or correct data. An independent reader of the documented
// on-disk format (diskLayout below) says where every block of every
// superblock slot lives, so each test knows exactly which blocks it
// damaged and can predict the outcome: which slot Open must pick (or that
// it must fail), which reads must fail with ErrCorrupt, and what Check
// must report.

// ---------------------------------------------------------------------
// An independent reader of the on-disk format.

// diskRef is a block reference as stored on disk.
type diskRef struct {
	addr  uint64
	units uint32
	gen   uint64
}

// diskExtent is one block reachable from a superblock slot.
type diskExtent struct {
	kind   uint8  // kindData, kindSegment or kindPage
	id     uint64 // LBA for data blocks, map block index otherwise
	ref    diskRef
	stored int // bytes of stored body (the checksum covers header+stored)
}

// covered returns the byte range [off, end) the block's checksum covers.
func (e diskExtent) covered(unit int) (int64, int64) {
	off := int64(e.ref.addr) * int64(unit)
	return off, off + headerSize + int64(e.stored)
}

// span returns the byte range [off, end) of the block's units.
func (e diskExtent) span(unit int) (int64, int64) {
	off := int64(e.ref.addr) * int64(unit)
	return off, off + int64(e.ref.units)*int64(unit)
}

// diskSlot is one decoded superblock slot.
type diskSlot struct {
	err                                error // nil when magic, checksum and version are right
	version, blockSize, unitSize       uint32
	flags                              uint32
	gen, syncedGen, nextLBA, sizeUnits uint64
	pages                              []diskRef
	raw                                []byte
	extents                            []diskExtent // every block of its state
	walkErr                            error        // the state could not be walked
}

// diskLayout is a store file as the format describes it.
type diskLayout struct {
	block, unit int
	slots       [2]diskSlot
}

func getDiskRef(b []byte) diskRef {
	v := binary.LittleEndian.Uint64(b[0:8])
	return diskRef{addr: v & (1<<48 - 1), units: uint32(v >> 48), gen: binary.LittleEndian.Uint64(b[8:16])}
}

// decodeDiskSlot decodes a slot-sized buffer.
func decodeDiskSlot(b []byte) diskSlot {
	s := diskSlot{raw: b}
	if len(b) < 64 || string(b[0:8]) != "bedrock\x00" {
		s.err = errors.New("bad magic")
		return s
	}
	want := binary.LittleEndian.Uint32(b[12:16])
	c := make([]byte, len(b))
	copy(c, b)
	clear(c[12:16])
	if crc32.Checksum(c, crc32.MakeTable(crc32.Castagnoli)) != want {
		s.err = errors.New("bad checksum")
		return s
	}
	s.version = binary.LittleEndian.Uint32(b[8:12])
	s.blockSize = binary.LittleEndian.Uint32(b[16:20])
	s.unitSize = binary.LittleEndian.Uint32(b[20:24])
	s.gen = binary.LittleEndian.Uint64(b[24:32])
	s.syncedGen = binary.LittleEndian.Uint64(b[32:40])
	s.nextLBA = binary.LittleEndian.Uint64(b[40:48])
	s.sizeUnits = binary.LittleEndian.Uint64(b[48:56])
	n := int(binary.LittleEndian.Uint32(b[56:60]))
	s.flags = binary.LittleEndian.Uint32(b[60:64])
	if s.version < 1 || s.version > 3 || int(s.blockSize) != len(b) || 64+n*16 > len(b) {
		s.err = fmt.Errorf("bad version %d, block size %d or page count %d", s.version, s.blockSize, n)
		return s
	}
	for i := 0; i < n; i++ {
		s.pages = append(s.pages, getDiskRef(b[64+16*i:]))
	}
	return s
}

// diskPhys maps a byte offset of the store's units to the file offset the
// format puts it at: in FormatV2, after the two superblock slots, every 15
// blocks of data are preceded by one block of parity; FormatV3 moves slot
// 1 after the first 16 of those (so the first stripe follows slot 0).
func diskPhys(s *diskSlot, v int64) int64 {
	block := int64(s.blockSize)
	if s.version == 1 || v < block {
		return v
	}
	if v < 2*block { // slot 1
		if s.version == 3 {
			return v + 16*block
		}
		return v
	}
	k := (v - 2*block) / (15 * block)
	if s.version == 3 && k == 0 {
		return v
	}
	return v + (k+1)*block
}

// diskSlotOffset is where slot i of a file whose slot 0 states version v
// begins.
func diskSlotOffset(i int, block int, v uint32) int {
	if i == 1 && v == 3 {
		return 17 * block
	}
	return i * block
}

// diskBytes gathers n bytes from unit offset off of the file.
func diskBytes(data []byte, s *diskSlot, off, n int64) ([]byte, bool) {
	out := make([]byte, n)
	for i := range n {
		p := diskPhys(s, off+i)
		if p >= int64(len(data)) {
			return nil, false
		}
		out[i] = data[p]
	}
	return out, true
}

// readDiskBlock reads and verifies a block from file bytes, the way the
// format describes it.
func readDiskBlock(data []byte, s *diskSlot, r diskRef, kind uint8, id uint64) (body []byte, stored int, err error) {
	unit := int(s.unitSize)
	off := int64(r.addr) * int64(unit)
	b, ok := diskBytes(data, s, off, int64(r.units)*int64(unit))
	if r.units == 0 || !ok {
		return nil, 0, fmt.Errorf("extent %d+%d beyond the file", r.addr, r.units)
	}
	stored = int(binary.LittleEndian.Uint32(b[24:28]))
	raw := int(binary.LittleEndian.Uint32(b[28:32]))
	if headerSize+stored > len(b) {
		return nil, 0, errors.New("stored beyond block")
	}
	if crc32.Checksum(b[4:headerSize+stored], crc32.MakeTable(crc32.Castagnoli)) != binary.LittleEndian.Uint32(b[0:4]) {
		return nil, 0, errors.New("checksum")
	}
	if b[4] != 1 || b[5] != kind || binary.LittleEndian.Uint64(b[8:16]) != id || binary.LittleEndian.Uint64(b[16:24]) != r.gen {
		return nil, 0, errors.New("header does not match the reference")
	}
	body = b[headerSize : headerSize+stored]
	if b[6]&1 != 0 {
		if body, err = snappy.Decode(nil, body); err != nil {
			return nil, 0, err
		}
	}
	if len(body) != raw {
		return nil, 0, errors.New("raw length")
	}
	return slices.Clone(body), stored, nil
}

// walkDiskState lists every block reachable from slot s.
func walkDiskState(data []byte, s *diskSlot) {
	fan := (int(s.blockSize) - headerSize) / refSize
	refs := func(body []byte) ([]diskRef, error) {
		if len(body) != fan*refSize {
			return nil, fmt.Errorf("map block of %d bytes", len(body))
		}
		var out []diskRef
		for i := 0; i < fan; i++ {
			out = append(out, getDiskRef(body[i*refSize:]))
		}
		return out, nil
	}
	for p, pr := range s.pages {
		if pr.addr == 0 {
			continue
		}
		body, stored, err := readDiskBlock(data, s, pr, kindPage, uint64(p))
		if err != nil {
			s.walkErr = fmt.Errorf("page %d: %v", p, err)
			return
		}
		s.extents = append(s.extents, diskExtent{kind: kindPage, id: uint64(p), ref: pr, stored: stored})
		segs, err := refs(body)
		if err != nil {
			s.walkErr = err
			return
		}
		for si, sr := range segs {
			if sr.addr == 0 {
				continue
			}
			id := uint64(p*fan + si)
			body, stored, err := readDiskBlock(data, s, sr, kindSegment, id)
			if err != nil {
				s.walkErr = fmt.Errorf("segment %d: %v", id, err)
				return
			}
			s.extents = append(s.extents, diskExtent{kind: kindSegment, id: id, ref: sr, stored: stored})
			ents, err := refs(body)
			if err != nil {
				s.walkErr = err
				return
			}
			for i, e := range ents {
				if e.addr == 0 {
					continue
				}
				lba := id*uint64(fan) + uint64(i)
				_, stored, err := readDiskBlock(data, s, e, kindData, lba)
				if err != nil {
					s.walkErr = fmt.Errorf("data block %d: %v", lba, err)
					return
				}
				s.extents = append(s.extents, diskExtent{kind: kindData, id: lba, ref: e, stored: stored})
			}
		}
	}
}

// readDiskLayout decodes both slots of a store file and walks their states.
func readDiskLayout(data []byte) (*diskLayout, error) {
	if len(data) < 64 || string(data[0:8]) != "bedrock\x00" {
		return nil, errors.New("slot 0 has no magic")
	}
	l := &diskLayout{block: int(binary.LittleEndian.Uint32(data[16:20]))}
	for i := range l.slots {
		off := diskSlotOffset(i, l.block, binary.LittleEndian.Uint32(data[8:12]))
		if off+l.block > len(data) {
			l.slots[i] = diskSlot{err: errors.New("truncated")}
			continue
		}
		l.slots[i] = decodeDiskSlot(data[off : off+l.block])
		if l.slots[i].err == nil {
			l.unit = int(l.slots[i].unitSize)
			walkDiskState(data, &l.slots[i])
		}
	}
	if l.unit == 0 {
		return nil, errors.New("no valid slot")
	}
	return l, nil
}

// ---------------------------------------------------------------------
// Fixtures: a store with a known history.

// storeHistory records what every committed generation of a store holds.
type storeHistory struct {
	states   map[uint64]map[LBA][]byte // by generation
	universe []LBA                     // every LBA ever used, sorted
	final    uint64
}

// state returns the contents of generation gen; a generation the history
// does not know (a checkpoint written by Close) holds the final state.
func (h *storeHistory) state(gen uint64) (map[LBA][]byte, bool) {
	if st, ok := h.states[gen]; ok {
		return st, true
	}
	if gen > h.final {
		return h.states[h.final], true
	}
	return nil, false
}

// testBlockContent returns reproducible contents for a block: empty,
// short, compressible or random, up to payload bytes, starting with a tag
// naming it so a misplaced block is recognisable.
func testBlockContent(rng *rand.Rand, payload int, tag string) []byte {
	var n int
	switch rng.IntN(5) {
	case 0:
		return []byte{}
	case 1:
		n = rng.IntN(100)
	case 2:
		n = payload
	default:
		n = rng.IntN(payload + 1)
	}
	b := make([]byte, n)
	if rng.IntN(2) == 0 {
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
	} else {
		pat := []byte(tag + "/")
		for i := range b {
			b[i] = pat[i%len(pat)]
		}
	}
	copy(b, tag)
	return b
}

// historyImage is one file image of a store with a known history.
type historyImage struct {
	name string
	data []byte
}

// buildHistoryStore creates a store of nblocks blocks and gives it six
// commits of overwrites, frees and allocations. It returns file images in
// several states: cleanly closed; killed right after the last commit
// (with NoSync: unsynced commits in one slot, the last synced state in the
// other); and, for synced commits, killed after the last commit's sync but
// before its superblock was copied into the other slot.
func buildHistoryStore(t testing.TB, rng *rand.Rand, blockSize, nblocks int, noSync bool) ([]historyImage, *storeHistory) {
	t.Helper()
	fs := NewMemFS()
	opts := &Options{FS: fs, BlockSize: blockSize, InitialSize: max(64<<10, 8*int64(blockSize)), GrowSize: 64 << 10, DisableParity: true}
	s, err := Open("db", opts)
	if err != nil {
		t.Fatal(err)
	}
	h := &storeHistory{states: map[uint64]map[LBA][]byte{}}
	cur := map[LBA][]byte{}
	used := map[LBA]bool{RootLBA: true}
	var before, last []byte
	for c := 0; c < 6; c++ {
		if c == 1 && noSync {
			s.Close()
			opts.NoSync = true
			if s, err = Open("db", opts); err != nil {
				t.Fatal(err)
			}
		}
		tx, err := s.Begin(true)
		if err != nil {
			t.Fatal(err)
		}
		put := func(l LBA) {
			d := testBlockContent(rng, s.PayloadSize(), fmt.Sprintf("lba %d commit %d", l, c))
			if err := tx.Put(l, d); err != nil {
				t.Fatal(err)
			}
			cur[l] = d
		}
		nalloc := max(nblocks/20, 2)
		if c == 0 {
			nalloc = nblocks
		}
		for i := 0; i < nalloc; i++ {
			l, err := tx.Alloc()
			if err != nil {
				t.Fatal(err)
			}
			used[l] = true
			cur[l] = []byte{}
			if rng.IntN(8) != 0 {
				put(l)
			}
		}
		live := slices.Sorted(maps.Keys(cur))
		for i := 0; i < nblocks/10 && c > 0; i++ {
			put(live[rng.IntN(len(live))])
		}
		for i := 0; i < nblocks/30 && c > 0; i++ {
			l := live[rng.IntN(len(live))]
			if _, ok := cur[l]; ok && l != RootLBA {
				if err := tx.Free(l); err != nil {
					t.Fatal(err)
				}
				delete(cur, l)
			}
		}
		root := []byte(fmt.Sprintf("root of commit %d", c))
		if err := tx.Put(RootLBA, root); err != nil {
			t.Fatal(err)
		}
		cur[RootLBA] = root
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		h.final = s.Stats().Generation
		h.states[h.final] = maps.Clone(cur)
		before, last = last, memFSBytes(fs, "db")
	}
	// "killed" is also the unconfirmed state: the final commit is synced
	// but its superblock is not yet copied into the other slot (bedrock
	// makes that copy only once the store is idle).
	images := []historyImage{{"killed", last}}
	_ = before
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	images = append(images, historyImage{"closed", memFSBytes(fs, "db")})
	// Leave room past the last mapped unit for LBAs never used, so reads of
	// them are checked too.
	h.universe = slices.Sorted(maps.Keys(used))
	h.universe = append(h.universe, h.universe[len(h.universe)-1]+1, h.universe[len(h.universe)-1]+1000)
	return images, h
}

// memFSWithFile returns a MemFS holding one file with the given bytes.
func memFSWithFile(t testing.TB, name string, data []byte) *MemFS {
	t.Helper()
	fs := NewMemFS()
	f, err := fs.OpenFile(name, OpenFlags{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 0 {
		if _, err := f.WriteAt(data, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return fs
}

// memFSBytes returns a copy of a MemFS file's durable bytes.
func memFSBytes(fs *MemFS, name string) []byte {
	var out []byte
	fs.Corrupt(name, func(d []byte) []byte { out = slices.Clone(d); return d })
	return out
}

// ---------------------------------------------------------------------
// Damage and the outcome it must have.

// byteRange is a damaged range [off, end) of the file.
type byteRange struct{ off, end int64 }

// damage is one corruption applied to a file image.
type damage struct {
	what    string
	ranges  []byteRange
	length  int64             // file length afterwards
	flipped map[[2]int64]bool // bits flipped: (offset, bit)
}

func (d *damage) hits(off, end int64) bool {
	for _, r := range d.ranges {
		if r.off < end && off < r.end {
			return true
		}
	}
	return false
}

// flipBits flips n random bits in [off, end), never one already flipped
// (two flips of one bit would cancel out).
func flipBits(rng *rand.Rand, data []byte, off, end int64, n int, d *damage) {
	if d.flipped == nil {
		d.flipped = map[[2]int64]bool{}
	}
	for i := 0; i < n; i++ {
		p, bit := off+rng.Int64N(end-off), rng.IntN(8)
		if d.flipped[[2]int64{p, int64(bit)}] {
			i--
			continue
		}
		d.flipped[[2]int64{p, int64(bit)}] = true
		data[p] ^= 1 << bit
		d.ranges = append(d.ranges, byteRange{p, p + 1})
	}
}

// applyRandomDamage damages data (in place, or returns a shorter slice for
// truncation) in one of several ways chosen by rng.
func applyRandomDamage(rng *rand.Rand, data []byte, l *diskLayout) ([]byte, *damage) {
	d := &damage{}
	var all []diskExtent
	for _, s := range l.slots {
		all = append(all, s.extents...)
	}
	pick := func(kinds ...uint8) diskExtent {
		var c []diskExtent
		for _, e := range all {
			if slices.Contains(kinds, e.kind) {
				c = append(c, e)
			}
		}
		return c[rng.IntN(len(c))]
	}
	switch k := rng.IntN(12); k {
	case 0, 1, 2: // bit flips in the checksummed part of data blocks
		n := 1 + rng.IntN(4)
		for i := 0; i < n; i++ {
			e := pick(kindData)
			off, end := e.covered(l.unit)
			flipBits(rng, data, off, end, 1+rng.IntN(2), d)
		}
		d.what = fmt.Sprintf("bit flips in %d data blocks", n)
	case 3: // bit flips anywhere in a block, padding included
		e := pick(kindData, kindSegment, kindPage)
		off, end := e.span(l.unit)
		flipBits(rng, data, off, end, 1, d)
		d.what = fmt.Sprintf("bit flip in block kind %d id %d", e.kind, e.id)
	case 4, 5: // bit flips in map blocks
		e := pick(kindSegment, kindPage)
		off, end := e.covered(l.unit)
		flipBits(rng, data, off, end, 1+rng.IntN(2), d)
		d.what = fmt.Sprintf("bit flip in map block kind %d id %d", e.kind, e.id)
	case 6: // zero whole blocks
		n := 1 + rng.IntN(3)
		for i := 0; i < n; i++ {
			e := pick(kindData, kindSegment, kindPage)
			off, end := e.span(l.unit)
			clear(data[off:end])
			d.ranges = append(d.ranges, byteRange{off, end})
		}
		d.what = fmt.Sprintf("%d blocks zeroed", n)
	case 7: // misdirected write: a block's bytes land on another block
		a, b := pick(kindData), pick(kindData)
		ao, ae := a.span(l.unit)
		bo, be := b.span(l.unit)
		if a.ref.addr == b.ref.addr || ae-ao != be-bo {
			d.what = "no-op misdirect"
			break
		}
		copy(data[ao:ae], data[bo:be])
		d.ranges = append(d.ranges, byteRange{ao, ae})
		d.what = fmt.Sprintf("data block %d overwritten by data block %d", a.id, b.id)
	case 8, 9: // destroy one superblock slot
		slot := rng.IntN(2)
		off, end := int64(slot*l.block), int64((slot+1)*l.block)
		switch rng.IntN(3) {
		case 0:
			clear(data[off:end])
			d.what = fmt.Sprintf("slot %d zeroed", slot)
		case 1:
			for i := off; i < end; i++ {
				data[i] = byte(rng.Uint32())
			}
			copy(data[off:], "bedrock\x00") // garbage behind a good magic
			d.what = fmt.Sprintf("slot %d garbage", slot)
		case 2:
			flipBits(rng, data, off, end, 1, d)
			d.what = fmt.Sprintf("slot %d bit flip", slot)
		}
		d.ranges = append(d.ranges, byteRange{off, end})
	case 10: // destroy both slots
		clear(data[:2*l.block])
		d.ranges = append(d.ranges, byteRange{0, int64(2 * l.block)})
		d.what = "both slots zeroed"
	case 11: // truncate
		n := int64(1 + rng.IntN(len(data)-1))
		if rng.IntN(3) == 0 {
			n -= n % int64(l.unit)
			n = max(n, 1)
		}
		data = data[:n]
		d.what = fmt.Sprintf("truncated to %d bytes", n)
	}
	d.length = int64(len(data))
	return data, d
}

// expectedSlot predicts which slot Open must load after damage d, or -1
// when no consistent state survives. The rule it models:
//
//   - A slot counts when its bytes are intact (magic, checksum, version).
//   - Counting slots are tried newest first. A slot's state loads when the
//     file holds both slots and every block the state maps, and its map
//     blocks verify. Its data blocks written after the slot's syncedGen
//     (the commits not yet known durable when it was written) must verify
//     too, unless the state is proven durable: both slots hold it, or a
//     newer slot names it synced.
func expectedSlot(l *diskLayout, d *damage) int {
	unitsInFile := d.length / int64(l.unit)
	decoded := func(i int) bool {
		s := &l.slots[i]
		return s.err == nil && int64((i+1)*l.block) <= d.length && !d.hits(int64(i*l.block), int64((i+1)*l.block))
	}
	proven := func(i int) bool {
		same := 0
		for j := range l.slots {
			if !decoded(j) {
				continue
			}
			if l.slots[j].gen == l.slots[i].gen {
				same++
			}
			if l.slots[j].gen > l.slots[i].gen && l.slots[j].syncedGen >= l.slots[i].gen {
				return true
			}
		}
		return same >= 2
	}
	loads := func(i int) bool {
		s := &l.slots[i]
		if s.walkErr != nil || unitsInFile < int64(2*l.block/l.unit) {
			return false
		}
		for _, e := range s.extents {
			if int64(e.ref.addr)+int64(e.ref.units) > unitsInFile {
				return false
			}
			off, end := e.covered(l.unit)
			if e.kind == kindSegment && lazySegments(l, i, d, proven(i)) {
				continue // read after open: its damage is reported then
			}
			if (e.kind != kindData || (e.ref.gen > s.syncedGen && !proven(i))) && d.hits(off, end) {
				return false
			}
		}
		return true
	}
	order := []int{0, 1}
	if l.slots[1].gen > l.slots[0].gen {
		order = []int{1, 0}
	}
	for _, i := range order {
		if decoded(i) && loads(i) {
			return i
		}
	}
	return -1
}

// lazySegments reports whether open leaves the map segments of slot i's
// state unread (a proven durable state in a file as long as it says), so
// that a damaged segment is found by the reads that need it, not by open.
func lazySegments(l *diskLayout, i int, d *damage, proven bool) bool {
	return proven && d.length/int64(l.unit) >= int64(l.slots[i].sizeUnits)
}

// damagedSegments returns the map segments of slot i's state hit by d,
// by segment index, when open leaves them unread.
func damagedSegments(l *diskLayout, i int, d *damage) map[uint64]diskExtent {
	out := map[uint64]diskExtent{}
	for _, e := range l.slots[i].extents {
		if off, end := e.covered(l.unit); e.kind == kindSegment && d.hits(off, end) {
			out[e.id] = e
		}
	}
	return out
}

// ---------------------------------------------------------------------
// Running a damaged store.

// callSafely runs fn, turning a panic into an error with its stack, and
// failing when fn takes longer than limit (a hang).
func callSafely(limit time.Duration, fn func()) error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		fn()
		done <- nil
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		return fmt.Errorf("hang: no result after %v", limit)
	}
}

// checkDamagedStore opens the damaged image (on a MemFS, or as a real file
// when dir is set) and checks the outcome against the prediction.
func checkDamagedStore(t *testing.T, data []byte, l *diskLayout, h *storeHistory, d *damage, dir string, readOnly bool) (outcome string) {
	t.Helper()
	var opts Options
	opts.ReadOnly = readOnly
	opts.MustExist = true
	opts.GrowSize = 64 << 10
	path := "db"
	var fs *MemFS
	if dir != "" {
		path = filepath.Join(dir, "db")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	} else {
		fs = memFSWithFile(t, path, data)
		opts.FS = fs
	}
	fileBytes := func() []byte {
		if fs != nil {
			return memFSBytes(fs, path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	want := expectedSlot(l, d)
	var s *Store
	var err error
	if perr := callSafely(10*time.Second, func() { s, err = Open(path, &opts) }); perr != nil {
		t.Fatalf("%s: Open: %v", d.what, perr)
	}
	if want < 0 {
		if err == nil {
			s.Close()
			t.Fatalf("%s: Open succeeded (generation %d), want an error: no slot survives", d.what, s.Stats().Generation)
		}
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrBadMagic) {
			t.Fatalf("%s: Open: %v, want ErrCorrupt or ErrBadMagic", d.what, err)
		}
		return "open failed"
	}
	if err != nil {
		t.Fatalf("%s: Open: %v, want slot %d (generation %d) to load", d.what, err, want, l.slots[want].gen)
	}
	defer s.Close()
	slot := &l.slots[want]
	if g := s.Stats().Generation; g != slot.gen {
		t.Fatalf("%s: opened generation %d, want %d (slot %d)", d.what, g, slot.gen, want)
	}
	if !readOnly {
		// Both slots must be valid after a writable open: a destroyed or
		// abandoned slot is rewritten.
		now := fileBytes()
		for i := 0; i < 2; i++ {
			sl := decodeDiskSlot(now[i*l.block : (i+1)*l.block])
			if sl.err != nil {
				t.Fatalf("%s: after Open slot %d is still invalid: %v", d.what, i, sl.err)
			}
		}
	}
	st, ok := h.state(slot.gen)
	if !ok {
		t.Fatalf("%s: slot %d generation %d is not in the history", d.what, want, slot.gen)
	}
	// Which map segments (left unread by open) and which data blocks of
	// the loaded state are damaged? A block whose segment is damaged
	// cannot be reached: the segment's error is what its reads report.
	fan := uint64((l.block - headerSize) / refSize)
	badSegs := damagedSegments(l, want, d)
	bad := map[LBA]diskExtent{}
	for _, e := range slot.extents {
		off, end := e.covered(l.unit)
		if _, lost := badSegs[e.id/fan]; e.kind == kindData && d.hits(off, end) && !lost {
			bad[LBA(e.id)] = e
		}
	}
	var rerr error
	if err := callSafely(10*time.Second, func() { rerr = checkStoreContentsLost(s, st, h.universe, bad, d.what, badSegs, fan) }); err != nil || rerr != nil {
		t.Fatalf("%s: reading: %v %v", d.what, err, rerr)
	}
	var rep *Report
	if perr := callSafely(10*time.Second, func() { rep, err = s.Check() }); perr != nil || err != nil {
		t.Fatalf("%s: Check: %v %v", d.what, perr, err)
	}
	if len(rep.Problems) != len(bad)+len(badSegs) {
		t.Fatalf("%s: Check found %d problems, want %d (damaged data blocks) + %d (damaged map segments): %q", d.what, len(rep.Problems), len(bad), len(badSegs), rep.Problems)
	}
	// reported says whether some problem names both s and the unit.
	reported := func(s string, addr uint64) bool {
		return slices.ContainsFunc(rep.Problems, func(p string) bool {
			return strings.Contains(p, s) && strings.Contains(p, fmt.Sprint(addr))
		})
	}
	for id, e := range badSegs {
		if !reported(fmt.Sprintf("map segment %d ", id), e.ref.addr) {
			t.Fatalf("%s: Check does not report map segment %d at unit %d: %q", d.what, id, e.ref.addr, rep.Problems)
		}
	}
	for lba, e := range bad {
		if !reported(fmt.Sprintf(" %d ", lba), e.ref.addr) {
			t.Fatalf("%s: Check does not report data block %d at unit %d: %q", d.what, lba, e.ref.addr, rep.Problems)
		}
	}
	outcome = "opened newest state"
	if l.slots[want].gen < max(l.slots[0].gen, l.slots[1].gen) {
		outcome = "opened older state"
	}
	if len(bad) > 0 {
		outcome += ", damaged blocks reported"
	}
	if readOnly {
		return outcome
	}
	if len(badSegs) > 0 {
		// The allocator cannot know which units an unreadable segment
		// maps: the store refuses writes (reads go on, as checked above).
		tx, err := s.Begin(true)
		if err != nil {
			t.Fatal(err)
		}
		if nl, err := tx.Alloc(); err == nil {
			tx.Put(nl, []byte("after map damage"))
		}
		if err := tx.Commit(); !errors.Is(err, ErrFailed) {
			t.Fatalf("%s: commit with a damaged map segment: %v, want ErrFailed", d.what, err)
		}
		return outcome + ", map segment damage reported"
	}
	// The store must go on working: rewrite the damaged blocks, commit,
	// reopen, and find everything healthy.
	tx, err := s.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	fixed := maps.Clone(st)
	for lba := range bad {
		v := []byte(fmt.Sprintf("rewritten %d", lba))
		if err := tx.Put(lba, v); err != nil {
			t.Fatalf("%s: Put over a damaged block: %v", d.what, err)
		}
		fixed[lba] = v
	}
	nl, err := tx.Alloc()
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("new block after damage "), s.PayloadSize()/23)
	if err := tx.Put(nl, big); err != nil {
		t.Fatal(err)
	}
	fixed[nl] = big
	if err := tx.Commit(); err != nil {
		t.Fatalf("%s: commit after damage: %v", d.what, err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("%s: close: %v", d.what, err)
	}
	opts.ReadOnly = false
	s2, err := Open(path, &opts)
	if err != nil {
		t.Fatalf("%s: reopen after repair: %v", d.what, err)
	}
	defer s2.Close()
	if err := checkStoreContents(s2, fixed, append(slices.Clone(h.universe), nl), nil, d.what+" (after rewrite)"); err != nil {
		t.Fatal(err)
	}
	if rep, err := s2.Check(); err != nil || !rep.OK() {
		t.Fatalf("%s: Check after rewrite: %v %q", d.what, err, rep.Problems)
	}
	return outcome
}

// checkStoreContents reads every LBA of universe and compares with want;
// the blocks in bad must fail with a *CorruptError naming them. It returns
// an error rather than failing, so it can run under callSafely.
func checkStoreContents(s *Store, want map[LBA][]byte, universe []LBA, bad map[LBA]diskExtent, what string) error {
	return checkStoreContentsLost(s, want, universe, bad, what, nil, 1)
}

// checkStoreContentsLost is checkStoreContents where the map segments in
// segs (fan entries each) are damaged: every LBA they cover must fail
// with the segment's *CorruptError.
func checkStoreContentsLost(s *Store, want map[LBA][]byte, universe []LBA, bad map[LBA]diskExtent, what string, segs map[uint64]diskExtent, fan uint64) error {
	tx, err := s.Begin(false)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, lba := range universe {
		got, err := tx.Get(lba)
		w, live := want[lba]
		if e, lost := segs[uint64(lba)/fan]; lost {
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.What != "map segment" || ce.ID != uint64(lba)/fan || ce.Addr != e.ref.addr {
				return fmt.Errorf("%s: Get(%d) behind damaged map segment %d = %d bytes, %v; want its *CorruptError", what, lba, uint64(lba)/fan, len(got), err)
			}
			continue
		}
		if e, isBad := bad[lba]; isBad {
			var ce *CorruptError
			if !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) {
				return fmt.Errorf("%s: Get(%d) of a damaged block = %d bytes, %v; want a *CorruptError", what, lba, len(got), err)
			}
			if ce.ID != uint64(lba) || ce.Addr != e.ref.addr || ce.What != "data block" {
				return fmt.Errorf("%s: Get(%d): %+v, want data block %d at unit %d", what, lba, ce, lba, e.ref.addr)
			}
			continue
		}
		switch {
		case !live && lba == RootLBA:
			if err != nil || len(got) != 0 {
				return fmt.Errorf("%s: Get(root) of an empty store = %q, %v", what, got, err)
			}
		case !live:
			if !errors.Is(err, ErrNotAllocated) {
				return fmt.Errorf("%s: Get(%d) of an unallocated block = %d bytes, %v; want ErrNotAllocated", what, lba, len(got), err)
			}
		case err != nil:
			return fmt.Errorf("%s: Get(%d): %v", what, lba, err)
		case !bytes.Equal(got, w):
			return fmt.Errorf("%s: Get(%d) = %d bytes %.40q, want %d bytes %.40q", what, lba, len(got), got, len(w), w)
		}
	}
	return nil
}

// ---------------------------------------------------------------------
// Tests.

// TestCorruptRandom applies random damage to stores with a known history
// and checks each outcome exactly. The seed is logged; set
// BXDB_CORRUPT_SEED to replay one.
func TestCorruptRandom(t *testing.T) {
	seed := loggedSeed(t, "BXDB_CORRUPT_SEED")
	rng := rand.New(rand.NewPCG(seed, 1))
	rounds := 80
	if testing.Short() {
		rounds = 20
	}
	outcomes := map[string]int{}
	for _, cfg := range []struct{ block, nblocks int }{{1024, 300}, {4096, 300}, {8192, 120}, {32768, 30}} {
		for _, noSync := range []bool{false, true} {
			images, h := buildHistoryStore(t, rng, cfg.block, cfg.nblocks, noSync)
			for _, img := range images {
				l, err := readDiskLayout(img.data)
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < 2; i++ {
					if l.slots[i].err != nil || l.slots[i].walkErr != nil {
						t.Fatalf("undamaged store: slot %d: %v %v", i, l.slots[i].err, l.slots[i].walkErr)
					}
				}
				for r := 0; r < rounds; r++ {
					data, d := applyRandomDamage(rng, slices.Clone(img.data), l)
					dir := ""
					if r%10 == 0 {
						dir = t.TempDir()
					}
					name := fmt.Sprintf("block=%d/nosync=%v/%s/%d", cfg.block, noSync, img.name, r)
					ok := t.Run(name, func(t *testing.T) {
						outcomes[checkDamagedStore(t, data, l, h, d, dir, r%7 == 3)]++
					})
					if !ok {
						t.Fatalf("seed %d: %s failed (%s)", seed, name, d.what)
					}
				}
			}
		}
	}
	t.Logf("outcomes %v", outcomes)
	if len(outcomes) < 5 {
		t.Errorf("only %d kinds of outcome: the damage is not varied enough", len(outcomes))
	}
}

// loggedSeed returns the seed from env, or a fresh one, and logs it.
func loggedSeed(t testing.TB, env string) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv(env); v != "" {
		if _, err := fmt.Sscan(v, &seed); err != nil {
			t.Fatalf("%s=%q: %v", env, v, err)
		}
	}
	t.Logf("seed %d (replay with %s=%d)", seed, env, seed)
	return seed
}

// TestCorruptWhileOpen damages blocks under an open store: with the cache
// off every read must notice; with the cache on a read returns either the
// cached (correct) contents or an error, never the damaged bytes.
func TestCorruptWhileOpen(t *testing.T) {
	seed := loggedSeed(t, "BXDB_CORRUPT_SEED")
	rng := rand.New(rand.NewPCG(seed, 2))
	images, h := buildHistoryStore(t, rng, 4096, 300, false)
	data := images[len(images)-1].data
	l, err := readDiskLayout(data)
	if err != nil {
		t.Fatal(err)
	}
	newest := 0
	if l.slots[1].gen > l.slots[0].gen {
		newest = 1
	}
	st, _ := h.state(l.slots[newest].gen)
	for _, cache := range []int64{-1, 0} {
		fs := memFSWithFile(t, "db", data)
		s, err := Open("db", &Options{FS: fs, CacheSize: cache, DisableParity: true})
		if err != nil {
			t.Fatal(err)
		}
		// Warm the cache (when there is one).
		if err := checkStoreContents(s, st, h.universe, nil, "before damage"); err != nil {
			t.Fatal(err)
		}
		bad := map[LBA]diskExtent{}
		for _, e := range l.slots[newest].extents {
			if e.kind == kindData && rng.IntN(4) == 0 {
				bad[LBA(e.id)] = e
			}
		}
		fs.Corrupt("db", func(b []byte) []byte {
			for _, e := range bad {
				off, end := e.covered(l.unit)
				b[off+rng.Int64N(end-off)] ^= 1 << rng.IntN(8)
			}
			return b
		})
		if cache < 0 {
			if err := checkStoreContents(s, st, h.universe, bad, "cache off"); err != nil {
				t.Fatal(err)
			}
		} else {
			if err := checkStoreContents(s, st, h.universe, nil, "cache on"); err != nil {
				t.Fatal(err)
			}
		}
		rep, err := s.Check()
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) != len(bad) {
			t.Fatalf("cache %d: Check found %d problems, want %d: %q", cache, len(rep.Problems), len(bad), rep.Problems)
		}
		if got := s.Stats().CorruptReads; got < uint64(len(bad)) {
			t.Fatalf("Stats.CorruptReads = %d, want at least %d", got, len(bad))
		}
		s.Close()
	}
}

// TestCorruptSlots destroys each superblock slot in turn, on MemFS and on
// real files: the store opens from the other slot and the destroyed copy
// is valid again after Open. Destroying both gives a clean error.
func TestCorruptSlots(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	images, h := buildHistoryStore(t, rng, 4096, 300, false)
	data := images[len(images)-1].data
	l, err := readDiskLayout(data)
	if err != nil {
		t.Fatal(err)
	}
	destroy := map[string]func(b []byte){
		"zero":    func(b []byte) { clear(b) },
		"garbage": func(b []byte) { rng.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j]^1, b[i] }) },
		"flip":    func(b []byte) { b[rng.IntN(len(b))] ^= 0x10 },
		"magic":   func(b []byte) { copy(b, "BEDROCK!") },
		"version": func(b []byte) { b[8] = 7 },
	}
	for _, name := range slices.Sorted(maps.Keys(destroy)) {
		for _, real := range []bool{false, true} {
			for slot := 0; slot < 3; slot++ { // 2: both
				t.Run(fmt.Sprintf("%s/real=%v/slot=%d", name, real, slot), func(t *testing.T) {
					img := slices.Clone(data)
					d := &damage{what: fmt.Sprintf("%s slot %d", name, slot), length: int64(len(img))}
					for i := 0; i < 2; i++ {
						if slot == i || slot == 2 {
							destroy[name](img[i*l.block : (i+1)*l.block])
							d.ranges = append(d.ranges, byteRange{int64(i * l.block), int64((i + 1) * l.block)})
						}
					}
					dir := ""
					if real {
						dir = t.TempDir()
					}
					checkDamagedStore(t, img, l, h, d, dir, false)
				})
			}
		}
	}
	// Destroying both slots: the error names the cause.
	img := slices.Clone(data)
	img[8], img[l.block+8] = 9, 9 // unknown version in both (checksums now wrong too)
	fs := memFSWithFile(t, "db", img)
	if _, err := Open("db", &Options{FS: fs}); !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrVersion) {
		t.Fatalf("both slots damaged: %v", err)
	}
	// A future version with a valid checksum: ErrVersion, not ErrCorrupt.
	img = slices.Clone(data)
	for i := 0; i < 2; i++ {
		b := img[i*l.block : (i+1)*l.block]
		binary.LittleEndian.PutUint32(b[8:12], uint32(FormatCurrent)+1)
		clear(b[12:16])
		binary.LittleEndian.PutUint32(b[12:16], crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
	}
	fs = memFSWithFile(t, "db", img)
	if _, err := Open("db", &Options{FS: fs}); !errors.Is(err, ErrVersion) {
		t.Fatalf("format version %d: %v, want ErrVersion", FormatCurrent+1, err)
	}
}

// TestCorruptTruncate cuts a store at many lengths, on MemFS and on real
// files.
func TestCorruptTruncate(t *testing.T) {
	seed := loggedSeed(t, "BXDB_CORRUPT_SEED")
	rng := rand.New(rand.NewPCG(seed, 4))
	images, h := buildHistoryStore(t, rng, 4096, 300, false)
	data := images[len(images)-1].data
	l, err := readDiskLayout(data)
	if err != nil {
		t.Fatal(err)
	}
	lengths := []int{1, 7, 64, 511, 512, 4095, 4096, 4097, 8191, 8192, 8193, len(data) - 1}
	for i := 0; i < 40; i++ {
		lengths = append(lengths, 1+rng.IntN(len(data)-1))
	}
	for i, n := range lengths {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			d := &damage{what: fmt.Sprintf("truncated to %d", n), length: int64(n)}
			dir := ""
			if i%3 == 0 {
				dir = t.TempDir()
			}
			checkDamagedStore(t, slices.Clone(data[:n]), l, h, d, dir, false)
		})
	}
}

// TestCorruptForeignFiles opens files that are not bedrock stores: each
// must fail cleanly and stay untouched.
func TestCorruptForeignFiles(t *testing.T) {
	seed := loggedSeed(t, "BXDB_CORRUPT_SEED")
	rng := rand.New(rand.NewPCG(seed, 5))
	self, err := os.ReadFile(os.Args[0]) // an executable: another format
	if err != nil {
		t.Fatal(err)
	}
	sqlite := append([]byte("SQLite format 3\x00\x10\x00\x01\x01\x00\x40\x20\x20"), make([]byte, 8192)...)
	files := map[string][]byte{
		"executable":   self[:min(len(self), 1<<20)],
		"sqlite":       sqlite,
		"zeros":        make([]byte, 64<<10),
		"one byte":     {'b'},
		"short text":   []byte("this is a 35-byte text file, hello\n"),
		"zeros 4 KiB":  make([]byte, 4096),
		"magic only":   []byte("bedrock\x00"),
		"short slot":   append([]byte("bedrock\x00"), make([]byte, 100)...),
		"text":         bytes.Repeat([]byte("not a store\n"), 1000),
		"bbolt-like":   append(binary.LittleEndian.AppendUint32(make([]byte, 16), 0xED0CDAED), make([]byte, 8192)...),
		"magic+zeroes": append([]byte("bedrock\x00"), make([]byte, 256<<10)...),
	}
	for i := 0; i < 20; i++ {
		b := make([]byte, 1+rng.IntN(200<<10))
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		if i%2 == 0 {
			copy(b, "bedrock\x00")
		}
		files[fmt.Sprintf("random %d", i)] = b
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		data := files[name]
		for _, real := range []bool{false, true} {
			for _, ro := range []bool{false, true} {
				opts := &Options{ReadOnly: ro}
				path := "db"
				var fs *MemFS
				if real {
					path = filepath.Join(t.TempDir(), "db")
					if err := os.WriteFile(path, data, 0o644); err != nil {
						t.Fatal(err)
					}
				} else {
					fs = memFSWithFile(t, path, data)
					opts.FS = fs
				}
				var s *Store
				if perr := callSafely(10*time.Second, func() { s, err = Open(path, opts) }); perr != nil {
					t.Fatalf("%s: %v", name, perr)
				}
				if err == nil {
					s.Close()
					t.Fatalf("%s (real=%v ro=%v): Open succeeded on a foreign file", name, real, ro)
				}
				if !errors.Is(err, ErrBadMagic) && !errors.Is(err, ErrCorrupt) {
					t.Fatalf("%s: %v, want ErrBadMagic or ErrCorrupt", name, err)
				}
				if n := min(len(data), len(superMagic)); !bytes.Equal(data[:n], []byte(superMagic[:n])) && !allZeroBytes(data[:n]) && !errors.Is(err, ErrBadMagic) {
					t.Fatalf("%s: %v, want ErrBadMagic: the file does not start like a store", name, err)
				}
				var after []byte
				if real {
					after, _ = os.ReadFile(path)
				} else {
					after = memFSBytes(fs, path)
				}
				if !bytes.Equal(after, data) {
					t.Fatalf("%s: a failed Open modified the file", name)
				}
			}
		}
	}
	// A missing file with MustExist or ReadOnly is refused and not created.
	dir := t.TempDir()
	for _, o := range []*Options{{MustExist: true}, {ReadOnly: true}} {
		if _, err := Open(filepath.Join(dir, "missing"), o); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("missing file with %+v: %v, want os.ErrNotExist", o, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused Open created the file: %v", err)
	}
	// An empty file opened read-only is not a store.
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(empty, &Options{ReadOnly: true}); !errors.Is(err, ErrBadMagic) {
		t.Fatalf("empty file read-only: %v, want ErrBadMagic", err)
	}
}

// TestCorruptHugeNextLBA opens stores whose superblocks (with valid
// checksums) claim the largest nextLBA the geometry allows over an empty
// map: Open must cost O(map), not O(nextLBA), in time and memory.
func TestCorruptHugeNextLBA(t *testing.T) {
	for _, bs := range []int{4096, 8192, 65536} {
		fs := NewMemFS()
		s, err := Open("db", &Options{FS: fs, BlockSize: bs})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		fan := uint64((bs - headerSize) / refSize)
		huge := uint64((bs-64)/16) * fan * fan // pages in a slot * fan * fan
		fs.Corrupt("db", func(d []byte) []byte {
			for i := 0; i < 2; i++ {
				b := d[i*bs : (i+1)*bs]
				binary.LittleEndian.PutUint64(b[40:48], huge)
				clear(b[12:16])
				binary.LittleEndian.PutUint32(b[12:16], crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
			}
			return d
		})
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		perr := callSafely(5*time.Second, func() {
			if s, err = Open("db", &Options{FS: fs}); err == nil {
				tx, _ := s.Begin(true)
				l, aerr := tx.Alloc()
				if aerr == nil {
					tx.Put(l, []byte("x"))
					aerr = tx.Commit()
				}
				if aerr != nil {
					err = aerr
				}
				s.Close()
			}
		})
		runtime.ReadMemStats(&after)
		if perr != nil {
			t.Fatalf("block size %d, nextLBA %d: %v", bs, huge, perr)
		}
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("block size %d, nextLBA %d: %v", bs, huge, err)
		}
		if mb := (after.TotalAlloc - before.TotalAlloc) >> 20; mb > 64 {
			t.Fatalf("block size %d: opening an empty store whose superblock says nextLBA=%d allocated %d MB", bs, huge, mb)
		}
	}
}
