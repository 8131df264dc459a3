package bedrock

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// LBA is a logical block address.
type LBA uint64

// RootLBA is the one logical block that exists in every store from its
// creation (empty until first written). Alloc never returns it; the layer
// above keeps its root there.
const RootLBA LBA = 0

// maxUnsynced bounds the commits a NoSync store makes between syncs; open
// skips this many generations so blocks of a lost tail are never mistaken
// for new ones.
const maxUnsynced = 1 << 16

// Options configures Open. A nil *Options or a zero field means the
// default, filled in by EnsureDefaults.
type Options struct {
	// BlockSize is the size of a block on disk, a power of two from 1 KiB
	// to 64 KiB (default 4 KiB). It is fixed when the store is created; an
	// existing store keeps its own. PayloadSize is 32 bytes less.
	BlockSize int
	// CacheSize bounds the cache of plain blocks, in bytes (default 64 MiB;
	// negative disables the cache).
	CacheSize int64
	// NoSync makes Commit return without waiting for the disk. IMPORTANT:
	// on power loss such a store loses its most recent commits (never more
	// than were made since the last Sync, Close, or 65536 commits), but it
	// always reopens in a consistent committed state. Meant for bulk loads
	// that end with Sync or Close.
	NoSync bool
	// ReadOnly opens the store for reading only, with a shared lock.
	ReadOnly bool
	// MustExist refuses to create a missing store.
	MustExist bool
	// Device treats the path as a raw block device (or a fixed-size file
	// standing in for one): the capacity is the device's size and never
	// grows, and I/O bypasses the page cache (O_DIRECT) in whole sectors.
	Device bool
	// InitialSize is the space preallocated when a file store is created
	// (default 4 MiB).
	InitialSize int64
	// GrowSize is the least a full file store grows by (default 16 MiB; a
	// store grows by a sixteenth of its size when that is larger).
	GrowSize int64
	// DisablePacking stores blocks unpacked even when snappy would save
	// space.
	DisablePacking bool
	// DisableParity creates a store without parity stripes (FormatV1):
	// damaged blocks are then reported but cannot be rebuilt. It matters
	// only when the store is created; an existing store keeps its format.
	DisableParity bool
	// FS is the file system (default: the operating system's).
	FS FS
}

// EnsureDefaults fills in zero fields and returns o (a new Options for nil).
func (o *Options) EnsureDefaults() *Options {
	if o == nil {
		o = &Options{}
	}
	if o.BlockSize == 0 {
		o.BlockSize = 4096
	}
	if o.CacheSize == 0 {
		o.CacheSize = 64 << 20
	}
	if o.InitialSize == 0 {
		o.InitialSize = 4 << 20
	}
	if o.GrowSize == 0 {
		o.GrowSize = 16 << 20
	}
	if o.FS == nil {
		o.FS = osFS{}
	}
	return o
}

// Store is an open bedrock store. All its methods are safe for concurrent
// use; a Tx is not (one goroutine at a time).
type Store struct {
	opts     Options
	file     File        // the store's (virtual) file: par, or disk
	disk     File        // the file as opened
	par      *parityFile // FormatV2: the parity layer over disk
	geo      geometry
	block    int // block size in bytes
	unit     int // allocation unit in bytes
	payload  int
	direct   bool // buffers must be aligned
	vectored bool // data bodies are written from the caller's buffers (see diskWrite)
	readOnly bool
	cache    *cache

	// mu guards the fields in it; lock order: commitMu, then mu.
	mu struct {
		sync.Mutex
		cur      *mapVersion    // the newest durable map: what readers see
		written  *mapVersion    // the newest applied map: what writers build on
		snaps    map[uint64]int // live snapshots by generation
		writers  int            // open top-level write transactions
		freeLBAs []lbaRange     // LBAs free for Alloc, as ranges
		nextLBA  uint64         // LBAs >= nextLBA were never handed out
		apart    lbaRange       // what is left of AllocApart's map segment
		closed   bool
	}

	// commitMu is held while a commit applies; it guards the fields below.
	commitMu  sync.Mutex
	alloc     allocator
	pending   []pendingFree // units freed by commits, oldest first
	nextGen   uint64
	mapBlocks uint64          // live page and segment blocks
	wbuf      []byte          // arena the blocks of one commit are encoded into
	cleanSkip map[uint64]bool // windows the cleaner could not parse
	// repairMax: readBlock rebuilds from parity only blocks of this
	// generation or older (loadMap lowers it while it reads a state not
	// proven durable).
	repairMax uint64
	moved     map[LBA]moveRec // blocks the cleaner moved that a live snapshot saw before
	// zoneMissed: a small commit found the zone of its slot taken; a
	// later small commit bound for the other slot moves the blocks in it
	// out (cleanPlan).
	zoneMissed [2]bool // by slot
	// While a commit is applied: the map blocks it rewrites (commitShape)
	// and how its units compare with those it replaces or frees
	// (shrinking): on a nearly full store allocUnits keeps room for the
	// first and lets the second decide how far into the reserve its data
	// blocks may go. Guarded by commitMu.
	ownMaps uint64
	change  sizeChange
	oldRefs []ref        // the blocks its writes replace or free
	lazy    func() error // what open left to settle (see settle)

	lazyPending atomic.Bool // lazy is set
	// settleTimer starts settle in the background settleDelay after open;
	// settleKicked is set once a writer's Begin started it earlier.
	settleTimer  *time.Timer
	settleKicked atomic.Bool

	// syncMu guards the superblock and sync state; lock order: commitMu,
	// then syncMu, then mu.
	syncMu       sync.Mutex
	syncCond     *sync.Cond    // signalled when a flush ends
	syncing      bool          // a flush is running (it drops syncMu for I/O)
	commitQ      []*commitReq  // durable commits waiting to apply (commitDurable)
	leading      bool          // a committer is applying commitQ
	gathering    bool          // its leader waits for more (gatherLocked)
	lastBatch    int           // requests in the last batch applied from commitQ
	gatherCond   *sync.Cond    // on syncMu: wakes a gathering leader
	lastSync     time.Duration // the last fdatasync's duration
	flushes      uint64        // flushes ended (flushLocked)
	superGen     uint64        // newest generation a superblock names
	lastSlot     int           // the slot holding it
	syncedGen    uint64        // newest generation known durable
	syncedSlot   int           // the slot holding it
	unsynced     int           // superblocks written since the last sync (NoSync)
	lastSuper    []byte        // encoded superblock of superGen
	superBufs    [2][]byte     // superblock buffers, one per slot
	confirmed    uint64        // newest generation copied into both slots
	confirmTimer *time.Timer

	failErr atomic.Value // error: the I/O failure that failed the store

	packMisses atomic.Int64 // blocks in a row that did not pack (packWrites)

	st counters
}

// pendingFree is a set of extents freed by commit gen, reusable once gen is
// durable and no snapshot older than gen is alive.
type pendingFree struct {
	gen  uint64
	exts []ref
}

// counters are the store-wide statistics not kept in the cache shards.
type counters struct {
	commits, conflicts, syncs, groups  atomic.Uint64
	blocksWritten, bytesWritten        atomic.Uint64
	packedBlocks, bytesSaved, reads    atomic.Uint64
	readBytes, corruptReads, verifyOps atomic.Uint64
	fileUnits, freeUnits               atomic.Uint64 // copies of the allocator's, for Stats
	cleaned, relocated, repaired       atomic.Uint64
	writeTxs                           atomic.Uint64
}

// Open opens or creates the store at path.
func Open(path string, opts *Options) (*Store, error) {
	o := *opts.EnsureDefaults()
	if o.BlockSize < 1024 || o.BlockSize > 65536 || o.BlockSize&(o.BlockSize-1) != 0 {
		return nil, fmt.Errorf("%w: block size %d is not a power of two from 1024 to 65536", ErrBadOptions, o.BlockSize)
	}
	f, err := o.FS.OpenFile(path, OpenFlags{Create: !o.MustExist && !o.ReadOnly, ReadOnly: o.ReadOnly, Direct: o.Device})
	if err != nil {
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) && pe.Path == path {
			return nil, fmt.Errorf("bedrock: %w", err) // it names the path
		}
		return nil, fmt.Errorf("bedrock: open %s: %w", path, err)
	}
	s := &Store{opts: o, file: f, disk: f, readOnly: o.ReadOnly, repairMax: math.MaxUint64}
	s.mu.snaps = map[uint64]int{}
	s.syncCond = sync.NewCond(&s.syncMu)
	s.gatherCond = sync.NewCond(&s.syncMu)
	s.cache = newCache(o.CacheSize)
	if err := s.open(); err != nil {
		f.Close()
		return nil, err
	}
	if s.lazyPending.Load() {
		// Not at once: the first queries after open, which settle does
		// not hold up, need not share the CPU with it either.
		s.settleTimer = time.AfterFunc(settleDelay, s.settleNow)
	}
	return s, nil
}

// setGeometry derives sizes from the block and unit size.
func (s *Store) setGeometry(block, unit int) {
	s.block, s.unit, s.payload = block, unit, block-headerSize
	s.geo = geometry{fan: uint64((block - headerSize) / refSize), maxPages: uint64((block - sbHeaderSize) / refSize)}
}

// open formats an empty file or loads an existing store.
func (s *Store) open() error {
	size, err := s.file.Size()
	if err != nil {
		return fmt.Errorf("bedrock: size: %w", err)
	}
	unit := defaultUnit
	if ss := s.file.SectorSize(); ss > 0 {
		unit = ss
		s.direct = true
	}
	s.vectored = !s.direct
	if size == 0 && !s.opts.Device {
		if s.readOnly || s.opts.MustExist {
			return fmt.Errorf("%w: empty file", ErrBadMagic)
		}
		return s.format(s.opts.BlockSize, unit)
	}
	// Read both slots with the largest block size we might meet, then
	// decode with the size the superblock states.
	slots, errs := s.readSlots(s.file, size)
	if len(slots) == 0 {
		if s.opts.Device && allZero(errs) {
			return s.format(s.opts.BlockSize, unit)
		}
		if foreignStart(s.file, size) {
			// However short or damaged the rest, a file that does not
			// start like a superblock was never a store.
			return fmt.Errorf("%w: the file does not start with %q", ErrBadMagic, superMagic)
		}
		return firstErr(errs)
	}
	return s.load(slots, size)
}

// foreignStart reports whether the file's first bytes (up to the magic's
// length) are neither all zero nor a prefix of the superblock magic.
func foreignStart(f File, size int64) bool {
	b := make([]byte, min(size, int64(len(superMagic))))
	if len(b) == 0 || readFull(f, b, 0) != nil || allZeroBytes(b) {
		return false
	}
	return string(b) != superMagic[:len(b)]
}

// slotRead is one decoded superblock slot.
type slotRead struct {
	slot int
	sb   *superblock
	raw  []byte
}

// readSlots reads and decodes both superblock slots from f, the disk as it
// is (not through parity); it returns the valid ones, newest first, and
// one error per invalid slot (nil marks a slot that was entirely zero).
func (s *Store) readSlots(f File, size int64) ([]slotRead, []error) {
	var out []slotRead
	var errs []error
	// Slot 0 tells the block size. When it is destroyed, slot 1 sits at
	// offset BlockSize (FormatV1, V2) or 17*BlockSize (FormatV3, after
	// slot 0 and stripe 0) for some power of two: probe them all.
	block := 0
	head := s.newBuf(4096)
	headErr := readFull(f, head, 0)
	if headErr == nil || size >= 64 {
		if n, err := decodeSuperblockHeader(head); err == nil {
			block = n
		}
	}
	// Slot 0's block when the head read all of it and told the size (the
	// probes below overwrite the head otherwise).
	var slot0 []byte
	if headErr == nil && block == len(head) {
		slot0 = head
	}
	for n := 1024; n <= 65536 && block == 0; n *= 2 {
		for _, off := range []int64{int64(n), slot1V3 * int64(n)} {
			if block == 0 && off+64 <= size && readFull(f, head[:64], off) == nil {
				if m, err := decodeSuperblockHeader(head); err == nil && m == n {
					block = n
				}
			}
		}
	}
	if block == 0 {
		block = s.opts.BlockSize
	}
	// Where slot 1 is depends on the format slot 0 states; with slot 0
	// unreadable, a slot found at either place counts only if its format
	// puts it there.
	var v0 FormatVersion
	for slot := 0; slot < 2; slot++ {
		var sr *slotRead
		var serr error
		read := false // some place of the slot was readable
		for _, off := range slotPlaces(slot, block, v0) {
			var buf []byte
			var err error
			if off == 0 && slot0 != nil {
				buf = slot0
			} else {
				buf = s.newBuf(block)
				err = readFull(f, buf, off)
			}
			if err != nil {
				if !read { // else a place beyond the end of a short file: not this format's
					serr = cmp.Or(serr, error(&superError{slot: slot, err: fmt.Errorf("truncated: %w", err)}))
				}
				continue
			}
			read = true
			if allZeroBytes(buf) {
				continue
			}
			sb, err := decodeSuperblock(buf, slot)
			if err == nil && slot == 1 && (sb.version == FormatV3) != (off != int64(block)) {
				err = &superError{slot: slot, err: fmt.Errorf("%w: format %d superblock at offset %d", ErrChecksum, sb.version, off)}
			}
			if err != nil {
				serr = err
				continue
			}
			sr, serr = &slotRead{slot: slot, sb: sb, raw: buf}, nil
			break
		}
		if slot == 0 && sr != nil {
			v0 = sr.sb.version
		}
		if sr == nil {
			errs = append(errs, serr) // nil: the slot is all zero
			continue
		}
		out = append(out, *sr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].sb.gen > out[j].sb.gen })
	return out, errs
}

// slot1V3 is where slot 1 of a FormatV3 file begins, in blocks: after
// slot 0 and stripe 0 (its parity chunk and parityWidth data chunks).
const slot1V3 = 2 + parityWidth

// slotPlaces lists the file offsets to look for slot i at, given the
// format slot 0 states (0 when slot 0 is unreadable).
func slotPlaces(i, block int, v0 FormatVersion) []int64 {
	switch {
	case i == 0:
		return []int64{0}
	case v0 == FormatV3:
		return []int64{slot1V3 * int64(block)}
	case v0 != 0:
		return []int64{int64(block)}
	}
	return []int64{int64(block), slot1V3 * int64(block)}
}

// decodeSuperblockHeader returns the block size a slot claims, if its magic
// is right and the size is sane.
func decodeSuperblockHeader(b []byte) (int, error) {
	if string(b[0:8]) != superMagic {
		return 0, ErrBadMagic
	}
	n := int(uint32(b[16]) | uint32(b[17])<<8 | uint32(b[18])<<16 | uint32(b[19])<<24)
	if n < 1024 || n > 65536 || n&(n-1) != 0 {
		return 0, ErrBadMagic
	}
	return n, nil
}

func allZeroBytes(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// allZero reports whether every slot error marks an all-zero slot.
func allZero(errs []error) bool {
	for _, e := range errs {
		if e != nil {
			return false
		}
	}
	return true
}

// firstErr picks the error to report when no slot is valid: a version
// error beats a checksum error beats a bad magic.
func firstErr(errs []error) error {
	var best error
	rank := func(e error) int {
		switch {
		case e == nil:
			return 0
		case errors.Is(e, ErrVersion):
			return 3
		case errors.Is(e, ErrCorrupt):
			return 2
		default:
			return 1
		}
	}
	for _, e := range errs {
		if best == nil || rank(e) > rank(best) {
			best = e
		}
	}
	if best == nil {
		return ErrBadMagic
	}
	// Name the other slot's damage too: "slot 0: ..." alone reads as if
	// slot 1 were fine.
	for _, e := range errs {
		if e != nil && e != best && rank(e) >= 2 {
			return fmt.Errorf("%w; %v", best, e)
		}
	}
	return best
}

// newBuf returns an I/O buffer, aligned when the file needs it.
func (s *Store) newBuf(n int) []byte {
	if s.direct {
		return alignedBuf(n)
	}
	return make([]byte, n)
}

// format writes an empty store: both slots hold generation 1.
func (s *Store) format(block, unit int) error {
	if block%unit != 0 {
		return fmt.Errorf("%w: block size %d is smaller than (or not a multiple of) the device sector size %d", ErrBadOptions, block, unit)
	}
	s.setGeometry(block, unit)
	version := FormatV1
	if !s.opts.DisableParity {
		version = parityFormat
		if err := s.useParity(version == FormatV3); err != nil {
			return err
		}
		if s.opts.Device && s.par.psize < s.par.g.minPhys()+4*int64(block) {
			return fmt.Errorf("%w: device of %d bytes is too small for %d-byte blocks", ErrBadOptions, s.par.psize, block)
		}
	}
	var sizeUnits uint64
	if s.opts.Device {
		size, err := s.file.Size()
		if err != nil {
			return err
		}
		sizeUnits = uint64(size) / uint64(unit)
	} else {
		sizeUnits = uint64(max(s.opts.InitialSize, int64(8*block))) / uint64(unit)
		if err := s.file.Allocate(int64(sizeUnits) * int64(unit)); err != nil {
			return fmt.Errorf("bedrock: preallocate: %w", err)
		}
	}
	reserved := uint64(2 * block / unit)
	if sizeUnits < reserved+uint64(block/unit)*4 {
		return fmt.Errorf("%w: device of %d bytes is too small for %d-byte blocks", ErrBadOptions, sizeUnits*uint64(unit), block)
	}
	sb := &superblock{version: version, blockSize: uint32(block), unitSize: uint32(unit), gen: 1, syncedGen: 1, nextLBA: 1, sizeUnits: sizeUnits}
	if s.opts.Device {
		sb.flags |= sbFlagDevice
	}
	buf := s.newBuf(block)
	encodeSuperblock(buf, sb)
	for slot := 0; slot < 2; slot++ {
		if _, err := s.file.WriteAt(buf, int64(slot*block)); err != nil {
			return fmt.Errorf("bedrock: format: %w", err)
		}
	}
	if err := s.file.Sync(); err != nil {
		return fmt.Errorf("bedrock: format: %w", err)
	}
	s.resetAlloc(sizeUnits)
	s.install(&mapVersion{gen: 1, nextLBA: 1, sizeUnits: sizeUnits}, 1, 0, 1+maxUnsynced+1)
	return nil
}

// parityFormat is the format of new stores with parity. Tests set it to
// FormatV2 to make stores of the previous layout, which still open and
// keep it.
var parityFormat = FormatV3

// formatVersion is the store's on-disk format.
func (s *Store) formatVersion() FormatVersion {
	switch {
	case s.par == nil:
		return FormatV1
	case s.par.g.split:
		return FormatV3
	}
	return FormatV2
}

// useParity puts the parity layer of FormatV3 (split) or FormatV2 over the
// disk file, for the geometry set.
func (s *Store) useParity(split bool) error {
	size, err := s.disk.Size()
	if err != nil {
		return fmt.Errorf("bedrock: size: %w", err)
	}
	s.par = newParityFile(s.disk, s.block, s.unit, size, split, s.newBuf)
	s.par.idle = func(lo, hi int64) bool {
		// Caller holds commitMu (parityFile.idle).
		u, end := uint64(lo)/uint64(s.unit), min(uint64(hi)/uint64(s.unit), s.alloc.size)
		return s.lazy == nil && (u >= end || s.alloc.freeLen(u, end) == end-u)
	}
	s.file = s.par
	return nil
}

// resetAlloc makes an empty allocator of size units with the superblock
// slots reserved and, in a file store, the zone after slot 1 kept for
// small commits (allocRuns).
func (s *Store) resetAlloc(size uint64) {
	s.resetAllocLazy(size)
	s.alloc.makeBits()
}

// resetAllocLazy is resetAlloc but for the allocator's bitmap (see
// allocator.resetLazy).
func (s *Store) resetAllocLazy(size uint64) {
	s.alloc.resetLazy(size, uint64(2*s.block/s.unit))
	if !s.opts.Device {
		zone := uint64(zoneBytes)
		if s.par != nil {
			zone = min(zone, uint64(s.par.g.data())) // one stripe: one parity chunk
			if s.par.g.split {
				s.alloc.firstZoneSlot = 0
			}
		}
		s.alloc.setZone(zone / uint64(s.unit))
	}
}

// install makes v the current state after format or load.
func (s *Store) install(v *mapVersion, synced uint64, slot int, nextGen uint64) {
	// LBAs past the highest mapped one are free anyway: start there, so a
	// large nextLBA in a superblock costs nothing.
	v.nextLBA = min(v.nextLBA, highestMapped(s.geo, v)+1)
	s.mu.cur, s.mu.written = v, v
	s.mu.nextLBA = max(v.nextLBA, 1)
	s.superGen, s.syncedGen = synced, synced
	s.lastSlot, s.syncedSlot = slot, slot
	s.confirmed = synced
	s.nextGen = nextGen
	s.st.fileUnits.Store(s.alloc.size)
	s.st.freeUnits.Store(s.alloc.free)
	if s.lazy == nil {
		s.mu.freeLBAs = freeRanges(s.geo, v)
	}
}

// highestMapped returns the highest mapped LBA of v (0 if none).
func highestMapped(g geometry, v *mapVersion) uint64 {
	for p := len(v.pages) - 1; p >= 0; p-- {
		pg := v.pages[p]
		if pg == nil {
			continue
		}
		for si := len(pg.segs) - 1; si >= 0; si-- {
			sg := pg.segs[si]
			if sg == nil {
				continue
			}
			base := uint64(p)*g.fan*g.fan + uint64(si)*g.fan
			b, err := sg.bytes() // open left it unread: one read
			if err != nil {
				return base + g.fan - 1 // unknown: keep every address it has
			}
			for i := len(b)/refSize - 1; i >= 0; i-- {
				if getRef(b[i*refSize:]).addr != 0 {
					return base + uint64(i)
				}
			}
		}
	}
	return 0
}

// lbaRange is a run [lo, hi) of free logical addresses.
type lbaRange struct{ lo, hi LBA }

// freeRanges lists the unmapped LBAs below v.nextLBA (LBA 0 excepted) as
// ranges, walking the map rather than every LBA, so its cost is that of
// the map whatever nextLBA says.
func freeRanges(g geometry, v *mapVersion) []lbaRange {
	var out []lbaRange
	add := func(lo, hi uint64) {
		lo, hi = max(lo, 1), min(hi, v.nextLBA)
		if lo >= hi {
			return
		}
		if n := len(out); n > 0 && out[n-1].hi == LBA(lo) {
			out[n-1].hi = LBA(hi)
			return
		}
		out = append(out, lbaRange{LBA(lo), LBA(hi)})
	}
	span := g.fan * g.fan
	for p := uint64(0); p*span < v.nextLBA; p++ {
		if p >= uint64(len(v.pages)) || v.pages[p] == nil {
			add(p*span, (p+1)*span)
			continue
		}
		for si, sg := range v.pages[p].segs {
			base := p*span + uint64(si)*g.fan
			if base >= v.nextLBA {
				break
			}
			if sg == nil {
				add(base, base+g.fan)
				continue
			}
			b, err := sg.bytes()
			if err != nil {
				continue // unreadable: none of its addresses is handed out
			}
			for i := range uint64(len(b) / refSize) {
				if getRef(b[i*refSize:]).addr == 0 {
					add(base+i, base+i+1)
				}
			}
		}
	}
	return out
}

// load picks the newest slot whose whole state verifies and installs it.
// This is the traversal ("slalom") superblock -> pages -> segments; the
// blocks of the commits that were not yet known durable are read back and
// checked, so a superblock whose targets never reached the disk is
// rejected in favour of the previous one.
func (s *Store) load(slots []slotRead, size int64) error {
	maxGen := slots[0].sb.gen
	var lastErr error
	for _, sl := range slots {
		sb := sl.sb
		if sb.blockSize < 1024 || sb.unitSize < 512 || int(sb.blockSize)%int(sb.unitSize) != 0 {
			lastErr = &superError{slot: sl.slot, err: ErrChecksum}
			continue
		}
		if s.direct && int(sb.unitSize)%s.file.SectorSize() != 0 {
			return fmt.Errorf("%w: store unit %d is not a multiple of the device sector %d", ErrBadOptions, sb.unitSize, s.file.SectorSize())
		}
		if sb.flags&sbFlagDevice != 0 && !s.opts.Device {
			return fmt.Errorf("%w: the store was created on a device: open it with Options.Device", ErrBadOptions)
		}
		s.setGeometry(int(sb.blockSize), int(sb.unitSize))
		s.file, s.par = s.disk, nil
		vsize := size
		if sb.version == FormatV2 || sb.version == FormatV3 {
			if err := s.useParity(sb.version == FormatV3); err != nil {
				return err
			}
			vsize = s.par.g.virtSize(s.par.psize)
		}
		units := uint64(vsize) / uint64(sb.unitSize)
		if units < uint64(2*s.block/s.unit) {
			lastErr = &CorruptError{What: "superblock", Reason: fmt.Sprintf("file of %d bytes is shorter than its superblocks (truncated)", size)}
			continue
		}
		proven := provenDurable(slots, sb.gen)
		v, err := s.loadMap(sb, units, proven)
		if err != nil {
			lastErr = err
			continue
		}
		s.install(v, sb.gen, sl.slot, maxGen+maxUnsynced+2)
		// Repair: make the other slot hold this state too, so a destroyed
		// or abandoned slot never outlives the open, and a state that
		// verified but was not proven durable (the writer exited without
		// Close) is proven from now on: without that, every later open
		// would verify its tail again and mark the allocator before
		// returning. Such a state may still sit partly in the page cache
		// only (a killed writer's last sync), so it is synced before the
		// slot holding the previous state is overwritten.
		if !s.readOnly && (len(slots) < 2 || sb.gen != maxGen || !proven) {
			if !proven {
				if err := s.file.Sync(); err != nil {
					return fmt.Errorf("bedrock: sync at open: %w", err)
				}
			}
			other := 1 - sl.slot
			if _, err := s.file.WriteAt(sl.raw, int64(other*s.block)); err != nil {
				return fmt.Errorf("bedrock: repair superblock: %w", err)
			}
			if err := s.file.Sync(); err != nil {
				return fmt.Errorf("bedrock: repair superblock: %w", err)
			}
		}
		return nil
	}
	return lastErr
}

// loadMap reads the map a superblock points to, verifying every map block,
// rebuilds the allocator, and reads back the blocks written after
// sb.syncedGen.
func (s *Store) loadMap(sb *superblock, units uint64, durable bool) (*mapVersion, error) {
	g := s.geo
	if uint64(len(sb.pages)) > g.maxPages || sb.nextLBA > g.maxLBA() {
		return nil, &CorruptError{What: "superblock", Reason: "map larger than the geometry allows"}
	}
	// Marking waits (settle) only for a durable state in a file at least
	// as long as the state says: a shorter one (truncated) is marked now,
	// so that blocks beyond its end fail the open.
	lazy := durable && units >= sb.sizeUnits
	if lazy {
		s.resetAllocLazy(units)
	} else {
		s.resetAlloc(units)
	}
	// mark marks a map block's extent in the allocator; when lazy, it only
	// checks that the extent lies in the file, and settle marks it.
	mark := func(what string, id uint64, r ref) error {
		ok := s.alloc.inRange(r.addr, uint64(r.units))
		if ok && !lazy {
			ok = s.alloc.mark(r.addr, uint64(r.units))
		}
		if !ok {
			return mapTwice(what, id, r)
		}
		return nil
	}
	s.mapBlocks = 0
	if !durable {
		// The blocks of a state not proven durable are trusted only as
		// read: after a crash during its commit, parity may be as torn as
		// the blocks are, and a block that fails verification means the
		// commit did not reach the disk (open falls back to the previous
		// superblock), not that it rotted.
		s.repairMax = sb.syncedGen
		defer func() { s.repairMax = math.MaxUint64 }()
	}
	s.lazy = nil
	s.lazyPending.Store(false)
	v := &mapVersion{gen: sb.gen, nextLBA: sb.nextLBA, sizeUnits: units, pages: make([]*page, len(sb.pages)), pageRefs: sb.pages}
	var tail []LBA
	for p, pr := range sb.pages {
		if pr.addr == 0 {
			continue
		}
		if pr.gen > sb.gen {
			return nil, &CorruptError{What: "map page", ID: uint64(p), Addr: pr.addr, Reason: "newer than its superblock"}
		}
		if err := mark("map page", uint64(p), pr); err != nil {
			return nil, err
		}
		body, err := s.readRaw(pr, kindPage, uint64(p))
		if err != nil {
			return nil, err
		}
		if uint64(len(body)) != g.fan*refSize {
			return nil, &CorruptError{What: "map page", ID: uint64(p), Addr: pr.addr, Reason: "bad length"}
		}
		// The body is this page's own (readRaw hands its buffer over), and
		// a version copies a page before it changes one (builder).
		pg := &page{segs: make([]*segment, g.fan), refb: body}
		v.pages[p] = pg
		s.mapBlocks++
		for si := range g.fan {
			sr := pg.ref(si)
			id := uint64(p)*g.fan + si
			if sr.addr != 0 && sr.gen > sb.gen {
				return nil, &CorruptError{What: "map segment", ID: id, Addr: sr.addr, Reason: "newer than its superblock"}
			}
			if sr.addr != 0 {
				if err := mark("map segment", id, sr); err != nil {
					return nil, err
				}
			}
		}
		if lazy {
			// Read when first needed, or by settle (segment.lazy). The
			// page's segments are allocated together: open makes
			// thousands of them in a large store. (A segment a commit
			// replaced stays in memory while its page's others do: at
			// most the map's size again.)
			n := 0
			for si := range g.fan {
				if pg.ref(si).addr != 0 {
					n++
				}
			}
			segs, loads := make([]segment, n), make([]segLoad, n)
			k := 0
			for si := range g.fan {
				if sr := pg.ref(si); sr.addr != 0 {
					l := &loads[k]
					l.s, l.ref, l.id = s, sr, uint64(p)*g.fan+si
					segs[k].lazy = l
					pg.segs[si] = &segs[k]
					k++
					s.mapBlocks++
				}
			}
			continue
		}
		refs, _ := decodeRefs(body, g.fan)
		segEnts, errs := s.readSegments(refs, uint64(p))
		for si, sr := range refs {
			if sr.addr == 0 {
				continue
			}
			id := uint64(p)*g.fan + uint64(si)
			if errs[si] != nil {
				return nil, errs[si]
			}
			pg.segs[si] = &segment{b: segEnts[si]}
			s.mapBlocks++
			if err := s.markSegment(sb, id, sr, segEnts[si], &tail); err != nil {
				return nil, err
			}
		}
	}
	if lazy {
		// Nothing to read back: reading the segments and marking the data
		// blocks in the allocator is left to settle, which runs before the
		// first commit (and in the background), so that open costs the
		// superblock and the pages, and reads need not wait: a read whose
		// segment settle has not reached yet reads it itself.
		s.lazy = func() error {
			// The bitmap, then the map blocks in it (overlaps are found
			// now), then the data blocks the segments map.
			var first error
			note := func(err error) {
				if first == nil {
					first = err
				}
			}
			s.alloc.makeBits()
			for p, pr := range sb.pages {
				if pr.addr == 0 {
					continue
				}
				if !s.alloc.mark(pr.addr, uint64(pr.units)) {
					note(mapTwice("map page", uint64(p), pr))
				}
				for si := range g.fan {
					if sr := v.pages[p].ref(si); sr.addr != 0 && !s.alloc.mark(sr.addr, uint64(sr.units)) {
						note(mapTwice("map segment", uint64(p)*g.fan+si, sr))
					}
				}
			}
			var segs []*segment
			var ids []uint64
			for p, pg := range v.pages {
				for si, sg := range pageSegs(pg) {
					if sg != nil {
						segs, ids = append(segs, sg), append(ids, uint64(p)*g.fan+uint64(si))
					}
				}
			}
			inParallel(len(segs), func(i int) { segs[i].bytes() })
			// An unreadable segment fails the store for writes; the others
			// are still marked, so that Check sees a consistent allocator.
			for i, sg := range segs {
				b, err := sg.bytes()
				if err == nil {
					p, si := ids[i]/g.fan, ids[i]%g.fan
					err = s.markSegment(sb, ids[i], v.pages[p].ref(si), b, nil)
				}
				if err != nil {
					note(err)
				}
			}
			return first
		}
		s.lazyPending.Store(true)
	}
	for _, lba := range tail {
		s.st.verifyOps.Add(1)
		r, err := v.lookup(g, lba)
		if err == nil {
			_, err = s.readRaw(r, kindData, uint64(lba))
		}
		if err != nil {
			return nil, err
		}
	}
	return v, nil
}

// mapTwice is the error of a map block's extent that lies outside the
// file or overlaps another block's.
func mapTwice(what string, id uint64, r ref) error {
	return &CorruptError{What: what, ID: id, Addr: r.addr, Reason: "extent out of range or mapped twice"}
}

// markSegment marks the data blocks of segment id (at sr) in the
// allocator, checking its entries against sb, and adds the ones written
// after sb's synced generation to tail when tail is not nil.
func (s *Store) markSegment(sb *superblock, id uint64, sr ref, b []byte, tail *[]LBA) error {
	g := s.geo
	for i := range uint64(len(b) / refSize) {
		e := getRef(b[i*refSize:])
		lba := id*g.fan + i
		if e.addr == 0 {
			continue
		}
		if lba >= sb.nextLBA {
			return &CorruptError{What: "map segment", ID: id, Addr: sr.addr, Reason: "entry beyond nextLBA"}
		}
		if e.gen > sb.gen { // a commit never writes past its own generation
			return &CorruptError{What: "data block", ID: lba, Addr: e.addr, Reason: "newer than its superblock"}
		}
		if !s.alloc.mark(e.addr, uint64(e.units)) {
			return &CorruptError{What: "data block", ID: lba, Addr: e.addr, Reason: "extent out of range or mapped twice"}
		}
		if tail != nil && e.gen > sb.syncedGen {
			*tail = append(*tail, LBA(lba))
		}
	}
	return nil
}

// settle finishes what open left for later (see loadMap): the allocator
// and the free LBAs. A map found inconsistent then fails the store for
// writes; reads go on, each verified as always. Caller holds commitMu.
func (s *Store) settle() {
	if s.lazy == nil {
		return
	}
	f := s.lazy
	s.lazy = nil
	if err := f(); err != nil {
		s.setFailure(err)
	}
	s.mu.Lock()
	s.mu.freeLBAs = freeRanges(s.geo, s.mu.written)
	s.mu.Unlock()
	s.st.fileUnits.Store(s.alloc.size)
	s.st.freeUnits.Store(s.alloc.free)
	s.lazyPending.Store(false)
}

// settleDelay is how long after open settle starts in the background,
// unless a writer begins before (a variable for tests).
var settleDelay = 20 * time.Millisecond

// settleNow runs settle unless it has run (or the store is closed).
func (s *Store) settleNow() {
	if s.lazyPending.Load() {
		s.commitMu.Lock()
		if !s.isClosed() {
			s.settle()
		}
		s.commitMu.Unlock()
	}
}

// kickSettle starts settle in the background for a writer that began
// (its first allocation or commit needs what settle builds), once.
func (s *Store) kickSettle() {
	if s.lazyPending.Load() && s.settleKicked.CompareAndSwap(false, true) {
		go s.settleNow()
	}
}

// readSegments reads and verifies the segment blocks refs of map page p,
// several at a time: open is mostly waiting for these reads. Entry i of
// the results, the segment's entries in their on-disk encoding, belongs to
// refs[i] (nil for an empty ref).
func (s *Store) readSegments(refs []ref, p uint64) ([][]byte, []error) {
	bodies, errs := make([][]byte, len(refs)), make([]error, len(refs))
	inParallel(len(refs), func(i int) {
		if refs[i].addr != 0 {
			bodies[i], errs[i] = s.readSegment(refs[i], p*s.geo.fan+uint64(i))
		}
	})
	return bodies, errs
}

// readSegment reads and verifies map segment id at r.
func (s *Store) readSegment(r ref, id uint64) ([]byte, error) {
	body, err := s.readRaw(r, kindSegment, id)
	if err == nil && uint64(len(body)) != s.geo.fan*refSize {
		err = &CorruptError{What: "map segment", ID: id, Addr: r.addr, Reason: "bad length"}
	}
	return body, err
}

// inParallel runs fn(0..n-1) on up to loadWorkers goroutines (one for
// short lists).
func inParallel(n int, fn func(i int)) {
	workers := min(loadWorkers, n/4)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// loadWorkers bounds the concurrent segment reads of open.
const loadWorkers = 4

// provenDurable reports whether the state of generation gen is known to
// have been durable: both slots hold it (the confirming copy is written
// only after the sync), or a valid slot names it as synced. Such a state is
// never rolled back at open; damage in it is reported by reads and Check.
func provenDurable(slots []slotRead, gen uint64) bool {
	same := 0
	for _, sl := range slots {
		if sl.sb.gen == gen {
			same++
		}
		if sl.sb.gen > gen && sl.sb.syncedGen >= gen {
			return true
		}
	}
	return same >= 2
}

// readRaw reads and verifies one block without the cache.
func (s *Store) readRaw(r ref, kind uint8, id uint64) ([]byte, error) {
	body, _, err := s.readBlock(r, kind, id)
	return body, err
}

// readBlock reads and verifies one block without the cache. A block that
// fails verification is rebuilt from parity when the store has it: fixed
// is then the block's repaired encoding (its padding as on disk), which
// Check writes back.
func (s *Store) readBlock(r ref, kind uint8, id uint64) (body, fixed []byte, err error) {
	what := kindNames[kind]
	if r.units == 0 || int(r.units)*s.unit > s.block || r.addr < uint64(2*s.block/s.unit) {
		return nil, nil, &CorruptError{What: what, ID: id, Addr: r.addr, Reason: "bad extent in map"}
	}
	var buf []byte
	var pooled *[]byte
	if n := int(r.units) * s.unit; s.direct {
		buf = alignedBuf(n)
	} else {
		// Pooled: a packed block's buffer is garbage once unpacked.
		pooled, _ = readBufs.Get().(*[]byte)
		if pooled == nil || cap(*pooled) < n {
			b := make([]byte, s.block)
			pooled = &b
		}
		buf = (*pooled)[:n]
		defer func() {
			if pooled != nil {
				readBufs.Put(pooled)
			}
		}()
	}
	s.st.reads.Add(1)
	s.st.readBytes.Add(uint64(len(buf)))
	off := int64(r.addr) * int64(s.unit)
	var why string
	if err := readFull(s.file, buf, off); err != nil {
		if s.isClosed() {
			return nil, nil, ErrClosed
		}
		why = "read failed: " + err.Error()
	} else if body, why = openBlock(buf, kind, id, r.gen, s.payload); why == "" {
		if len(body) > 0 && &body[0] == &buf[headerSize] {
			pooled = nil // the body is the buffer: it stays with the caller
		}
		return body, nil, nil
	}
	s.st.corruptReads.Add(1)
	if s.par != nil && r.gen <= s.repairMax {
		rebuilt, disk, ok := s.par.repair(off, int64(len(buf)), func(b []byte) bool {
			body, why = openBlock(b, kind, id, r.gen, s.payload)
			return why == ""
		})
		if ok {
			// Only the bytes the checksum covers are known right: a
			// rebuilt padding byte may be wrong (damage elsewhere in its
			// column), and writing it back would break the parity other
			// blocks of the stripe rely on. The padding stays as on disk.
			s.st.repaired.Add(1)
			n := headerSize + int(binary.LittleEndian.Uint32(rebuilt[24:28]))
			copy(disk[:n], rebuilt[:n])
			return body, disk, nil
		}
		why += " (parity could not rebuild it)"
	}
	return nil, nil, &CorruptError{What: what, ID: id, Addr: r.addr, Reason: why}
}

// readBufs holds block-sized read buffers (see readRaw).
var readBufs sync.Pool

// kindNames names the block kinds in errors.
var kindNames = [...]string{kindData: "data block", kindSegment: "map segment", kindPage: "map page"}

// readData returns the plain contents of the data block lba mapped by r,
// through the cache. A non-nil check runs once per load of the block (a
// result is remembered in the cache); a block failing it is not cached.
func (s *Store) readData(lba LBA, r ref, check func([]byte) error) ([]byte, error) {
	if d, checked, ok := s.cache.get(r.addr, r.gen, uint64(lba)); ok {
		if check != nil && !checked {
			if err := check(d); err != nil {
				return nil, err
			}
			s.cache.mark(r.addr, r.gen, levelFull)
		}
		return d, nil
	}
	d, err := s.readRaw(r, kindData, uint64(lba))
	if err != nil {
		return nil, err
	}
	level := s.cache.memoLevel(r.addr, r.gen)
	if check != nil && level < levelFull {
		if err := check(d); err != nil {
			return nil, err
		}
		level = levelFull
	}
	s.cache.put(r.addr, r.gen, uint64(lba), d, level)
	return d, nil
}

// lazyReads is how many unchecked reads of a cached block GetVerifiedLazy
// serves before it checks the block whole.
const lazyReads = 8

// readLazy is readData for GetVerifiedLazy: it reports whether the block is
// checked, checks it only once it has been read lazyReads times
// unchecked since it was loaded, and runs light (when not nil) once per
// load of an unchecked block, remembered like check.
func (s *Store) readLazy(lba LBA, r ref, light, check func([]byte) error) ([]byte, bool, error) {
	if d, checked, lightOK, uses, ok := s.cache.getUse(r.addr, r.gen, uint64(lba)); ok {
		if checked {
			return d, true, nil
		}
		if uses >= lazyReads {
			if err := check(d); err != nil {
				return nil, false, err
			}
			s.cache.mark(r.addr, r.gen, levelFull)
			return d, true, nil
		}
		if !lightOK && light != nil {
			if err := light(d); err != nil {
				return nil, false, err
			}
			s.cache.mark(r.addr, r.gen, levelLight)
		}
		return d, false, nil
	}
	d, err := s.readRaw(r, kindData, uint64(lba))
	if err != nil {
		return nil, false, err
	}
	level := s.cache.memoLevel(r.addr, r.gen)
	if level == levelNone && light != nil {
		if err := light(d); err != nil {
			return nil, false, err
		}
		level = levelLight
	}
	s.cache.put(r.addr, r.gen, uint64(lba), d, level)
	return d, level == levelFull, nil
}

// PayloadSize is the largest number of bytes a logical block holds.
func (s *Store) PayloadSize() int { return s.payload }

// BlockSize is the store's block size on disk.
func (s *Store) BlockSize() int { return s.block }

// CacheSize is the byte budget of the store's block cache
// (Options.CacheSize after defaults); 0 or less when it has none.
func (s *Store) CacheSize() int64 { return s.opts.CacheSize }

// Sync makes every commit so far durable. It matters only with NoSync.
func (s *Store) Sync() error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	if s.isClosed() {
		return ErrClosed
	}
	return s.checkpoint()
}

// isClosed reports whether Close was called.
func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.closed
}

// Close waits for commits in flight, makes everything durable, and closes
// the file. Transactions still open fail afterwards with ErrClosed.
func (s *Store) Close() error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		return nil
	}
	s.mu.closed = true
	s.mu.Unlock()
	var err error
	if !s.readOnly && s.failure() == nil {
		err = s.checkpoint()
	}
	s.syncMu.Lock()
	if s.confirmTimer != nil {
		s.confirmTimer.Stop()
	}
	s.syncMu.Unlock()
	if s.settleTimer != nil {
		s.settleTimer.Stop()
	}
	if cerr := s.file.Close(); err == nil {
		err = cerr
	}
	return err
}

// String describes the store briefly.
func (s *Store) String() string {
	return fmt.Sprintf("bedrock.Store(block=%d unit=%d)", s.block, s.unit)
}
