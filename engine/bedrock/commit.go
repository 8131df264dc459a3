package bedrock

import (
	"fmt"
	"runtime"
	"sort"
	"time"
)

// commitReq is one top-level transaction waiting to commit.
type commitReq struct {
	snapGen    uint64
	writes     []pendingWrite // sorted by LBA
	freshFreed []LBA          // allocated and freed again: never mapped
	wake       chan struct{}
	lead       bool // set before wake is closed: this request leads the next group
	err        error
}

// pendingWrite is one block of a commit request.
type pendingWrite struct {
	lba   LBA
	raw   []byte // plain contents (for the cache)
	body  []byte // as stored
	flags uint8
	freed bool
	fresh bool // allocated by this transaction: no conflict possible
}

// diskWrite is one encoded block at its physical address.
type diskWrite struct {
	addr uint64
	buf  []byte
}

// submit hands a request to group commit and waits for its outcome.
//
// Group commit: the first committer to arrive becomes the leader and
// commits every request queued when it starts, with one superblock write
// and one sync. Requests arriving meanwhile queue up; when the leader is
// done it wakes them, and the first of them leads the next group. There is
// no fixed delay: a group is whatever queued during the previous sync.
func (s *Store) submit(r *commitReq) error {
	s.qmu.Lock()
	s.queue = append(s.queue, r)
	if s.leading {
		s.qmu.Unlock()
		<-r.wake
		if !r.lead {
			return r.err
		}
	} else {
		s.leading = true
		s.qmu.Unlock()
		// Committers that the previous group just woke are preparing their
		// next commit right now: yield once so they can join this group
		// instead of the next. A scheduling hint, not a timer.
		runtime.Gosched()
	}
	s.qmu.Lock()
	batch := s.queue
	s.queue = nil
	s.qmu.Unlock()

	s.commitGroup(batch)

	s.qmu.Lock()
	var next *commitReq
	if len(s.queue) > 0 {
		next = s.queue[0]
		next.lead = true
	} else {
		s.leading = false
	}
	s.qmu.Unlock()
	for _, b := range batch {
		if b != r {
			close(b.wake)
		}
	}
	if next != nil {
		close(next.wake)
	}
	return r.err
}

// commitGroup commits a batch of requests as one generation. It runs in
// labelled phases; a failure before the superblock write rolls everything
// back in memory, a failure at or after it marks the store failed.
func (s *Store) commitGroup(batch []*commitReq) {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	fail := func(err error) {
		for _, r := range batch {
			if r.err == nil {
				r.err = err
			}
		}
	}
	s.mu.Lock()
	closed, base, minSnap := s.mu.closed, s.mu.cur, s.minSnapLocked()
	s.mu.Unlock()
	switch {
	case closed:
		fail(ErrClosed)
		return
	case s.failed != nil:
		fail(fmt.Errorf("%w: %v", ErrFailed, s.failed))
		return
	}
	s.releasePending(minSnap)

	// Phase 1: conflicts. First committer wins, also within the batch.
	touched := map[LBA]bool{}
	var ok []*commitReq
	for _, r := range batch {
		conflict := false
		for _, w := range r.writes {
			if touched[w.lba] || (!w.fresh && base.lookup(s.geo, w.lba).gen > r.snapGen) {
				conflict = true
				break
			}
		}
		if conflict {
			r.err = ErrConflict
			s.st.conflicts.Add(1)
			continue
		}
		for _, w := range r.writes {
			touched[w.lba] = true
		}
		ok = append(ok, r)
	}
	if len(ok) == 0 {
		return
	}

	// Phase 2: place dirty blocks and build the next map version.
	// A generation number is never used twice, not even after a failed
	// attempt whose blocks may have reached the disk.
	gen := s.nextGen
	s.nextGen++
	b := newBuilder(s.geo, base, gen)
	s.mu.Lock()
	b.v.nextLBA = s.mu.nextLBA
	s.mu.Unlock()
	var (
		writes    []diskWrite
		placed    []ref // units allocated by this commit, released on failure
		freed     []ref // units the new version no longer uses
		freedLBAs []LBA
		cached    []pendingWrite
	)
	undo := func() {
		for _, r := range placed {
			s.alloc.release(r.addr, uint64(r.units))
		}
	}
	place := func(kind uint8, id uint64, body []byte, raw int, flags uint8) (ref, error) {
		units := unitsFor(len(body), s.unit)
		addr, err := s.allocUnits(uint64(units), kind != kindData)
		if err != nil {
			return ref{}, err
		}
		r := ref{addr: addr, units: uint32(units), gen: gen}
		placed = append(placed, r)
		buf := s.newBuf(units * s.unit)
		putHeader(buf, blockHeader{kind: kind, flags: flags, id: id, gen: gen, stored: uint32(len(body)), raw: uint32(raw)})
		copy(buf[headerSize:], body)
		sealBlock(buf, len(body))
		writes = append(writes, diskWrite{addr: addr, buf: buf})
		if flags&flagSnappy != 0 {
			s.st.packedBlocks.Add(1)
			s.st.bytesSaved.Add(uint64(unitsFor(raw, s.unit)-units) * uint64(s.unit))
		}
		return r, nil
	}
	for _, r := range ok {
		for _, w := range r.writes {
			nr := ref{gen: gen}
			if !w.freed {
				var err error
				if nr, err = place(kindData, uint64(w.lba), w.body, len(w.raw), w.flags); err != nil {
					undo()
					fail(err)
					return
				}
				cached = append(cached, w)
			} else {
				freedLBAs = append(freedLBAs, w.lba)
			}
			old, err := b.set(w.lba, nr)
			if err != nil {
				undo()
				fail(err)
				return
			}
			if old.addr != 0 {
				freed = append(freed, old)
			}
		}
	}
	// Map blocks: segments, then the pages that point to them.
	newMapBlocks := uint64(0)
	for _, ps := range b.dirtySegs {
		pg := b.v.pages[ps[0]]
		if old := pg.refs[ps[1]]; old.addr != 0 {
			freed = append(freed, old)
		} else {
			newMapBlocks++
		}
		raw := encodeRefs(pg.segs[ps[1]].e)
		body, flags := s.pack(raw)
		nr, err := place(kindSegment, ps[0]*s.geo.fan+ps[1], body, len(raw), flags)
		if err != nil {
			undo()
			fail(err)
			return
		}
		pg.refs[ps[1]] = nr
	}
	for _, p := range b.dirtyPages {
		if old := b.v.pageRefs[p]; old.addr != 0 {
			freed = append(freed, old)
		} else {
			newMapBlocks++
		}
		raw := encodeRefs(b.v.pages[p].refs)
		body, flags := s.pack(raw)
		nr, err := place(kindPage, p, body, len(raw), flags)
		if err != nil {
			undo()
			fail(err)
			return
		}
		b.v.pageRefs[p] = nr
	}

	// Phase 3: write the blocks, then the superblock into the slot that
	// does not hold the newest durable state.
	slot := 1 - s.syncedSlot
	sb := &superblock{version: FormatCurrent, blockSize: uint32(s.block), unitSize: uint32(s.unit), gen: gen,
		syncedGen: s.syncedGen, nextLBA: b.v.nextLBA, sizeUnits: s.alloc.size, pages: b.v.pageRefs}
	if s.opts.Device {
		sb.flags |= sbFlagDevice
	}
	if err := s.writeBlocks(writes); err != nil {
		// Nothing points at the new blocks yet: the durable state is
		// intact and the units can be reused.
		undo()
		fail(fmt.Errorf("bedrock: commit: write blocks: %w", err))
		return
	}
	if err := s.writeSuper(slot, sb); err != nil {
		s.failed = err
		fail(fmt.Errorf("%w: write superblock: %v", ErrFailed, err))
		return
	}
	s.lastGen, s.lastSlot = gen, slot

	// Phase 4: sync (one fdatasync for the whole group).
	s.unsynced++
	if !s.opts.NoSync || s.unsynced >= maxUnsynced {
		if err := s.syncLocked(); err != nil {
			fail(fmt.Errorf("%w: sync: %v", ErrFailed, err))
			return
		}
		if !s.opts.NoSync {
			s.scheduleConfirmLocked()
		}
	}

	// Phase 5: publish.
	s.mapBlocks += newMapBlocks
	if len(freed) > 0 {
		s.pending = append(s.pending, pendingFree{gen: gen, exts: freed})
	}
	for _, w := range cached {
		r := b.v.lookup(s.geo, w.lba)
		s.cache.put(r.addr, r.gen, w.raw, false)
	}
	s.mu.Lock()
	s.mu.cur = b.v
	s.putFreeLBAsLocked(freedLBAs)
	s.mu.Unlock()
	s.st.groups.Add(1)
	s.st.commits.Add(uint64(len(ok)))
	s.st.fileUnits.Store(s.alloc.size)
	s.st.freeUnits.Store(s.alloc.free)
}

// pack packs a map block body unless packing is off.
func (s *Store) pack(raw []byte) ([]byte, uint8) {
	if s.opts.DisablePacking {
		return raw, 0
	}
	return packBody(raw, s.unit)
}

// minSnapLocked returns the oldest live snapshot generation (max uint64
// when there is none). Caller holds s.mu.
func (s *Store) minSnapLocked() uint64 {
	m := ^uint64(0)
	for g := range s.mu.snaps {
		m = min(m, g)
	}
	return m
}

// releasePending returns to the allocator the units freed by commits that
// are durable and older than every live snapshot. Caller holds commitMu.
func (s *Store) releasePending(minSnap uint64) {
	n := 0
	for _, p := range s.pending {
		if p.gen > s.syncedGen || p.gen > minSnap {
			break
		}
		for _, r := range p.exts {
			s.alloc.release(r.addr, uint64(r.units))
		}
		n++
	}
	s.pending = s.pending[n:]
}

// allocUnits finds n free units, releasing durable frees, syncing (NoSync
// stores hold frees until a sync) and finally growing the file when needed.
// Data blocks may not use the last reserveUnits free units: those are kept
// for map blocks, so that a full store can always commit a transaction
// that frees blocks (freeing rewrites map blocks too).
func (s *Store) allocUnits(n uint64, meta bool) (uint64, error) {
	try := func() (uint64, bool) {
		if meta {
			// In a file store with room to spare, right after the commit's
			// data: the commit is then one contiguous write. Otherwise
			// (devices, which cannot grow, and tight files) from the top,
			// where map blocks' holes do not fragment the data's space.
			if !s.opts.Device && s.alloc.free > s.alloc.size/4 {
				if addr, ok := s.alloc.allocNext(n); ok {
					return addr, true
				}
			}
			return s.alloc.allocHigh(n)
		}
		if s.alloc.free < n+s.reserveUnits() {
			return 0, false
		}
		return s.alloc.alloc(n)
	}
	if addr, ok := try(); ok {
		return addr, nil
	}
	grow := max(uint64(s.opts.GrowSize)/uint64(s.unit), s.alloc.size/8, n+s.reserveUnits())
	if len(s.pending) > 0 {
		// Frees held for a sync (NoSync stores) are worth a sync only when
		// they are a good share of what growing would add; a bulk load
		// grows instead of syncing.
		if s.lastGen > s.syncedGen && (s.opts.Device || s.pendingUnits() >= grow/4) {
			if err := s.syncLocked(); err != nil {
				return 0, err
			}
		}
		s.mu.Lock()
		m := s.minSnapLocked()
		s.mu.Unlock()
		s.releasePending(m)
		if addr, ok := try(); ok {
			return addr, nil
		}
	}
	if s.opts.Device {
		return 0, ErrFull
	}
	newSize := s.alloc.size + grow
	if err := s.file.Allocate(int64(newSize) * int64(s.unit)); err != nil {
		return 0, fmt.Errorf("bedrock: grow file: %w", err)
	}
	s.alloc.grow(newSize)
	if addr, ok := try(); ok {
		return addr, nil
	}
	return 0, ErrFull
}

// pendingUnits counts the units waiting in s.pending.
func (s *Store) pendingUnits() uint64 {
	var n uint64
	for _, p := range s.pending {
		for _, r := range p.exts {
			n += uint64(r.units)
		}
	}
	return n
}

// reserveUnits is the free space kept for map blocks: room to rewrite
// every live map block once (a commit rewrites each at most once) plus a
// little for new ones, and at least 32 blocks (a sixteenth of a small
// store).
func (s *Store) reserveUnits() uint64 {
	perBlock := uint64(s.block / s.unit)
	return max(min(32*perBlock, s.alloc.size/16), (s.mapBlocks+2)*perBlock)
}

// writeBlocks writes encoded blocks, coalescing runs of adjacent units into
// single writes.
func (s *Store) writeBlocks(ws []diskWrite) error {
	sort.Slice(ws, func(i, j int) bool { return ws[i].addr < ws[j].addr })
	const maxRun = 1 << 20
	for i := 0; i < len(ws); {
		j, size := i+1, len(ws[i].buf)
		for j < len(ws) && ws[j].addr*uint64(s.unit) == ws[i].addr*uint64(s.unit)+uint64(size) && size+len(ws[j].buf) <= maxRun {
			size += len(ws[j].buf)
			j++
		}
		buf := ws[i].buf
		if j > i+1 {
			buf = s.newBuf(size)
			off := 0
			for _, w := range ws[i:j] {
				off += copy(buf[off:], w.buf)
			}
		}
		if _, err := s.file.WriteAt(buf, int64(ws[i].addr)*int64(s.unit)); err != nil {
			return err
		}
		s.st.blocksWritten.Add(uint64(j - i))
		s.st.bytesWritten.Add(uint64(size))
		i = j
	}
	return nil
}

// writeSuper writes sb into a slot and remembers the bytes for the copy
// that confirms it once it is durable.
func (s *Store) writeSuper(slot int, sb *superblock) error {
	buf := s.newBuf(s.block)
	encodeSuperblock(buf, sb)
	_, err := s.file.WriteAt(buf, int64(slot*s.block))
	if err == nil {
		s.st.bytesWritten.Add(uint64(s.block))
		s.lastSuper = buf
	}
	return err
}

// confirmDelay is how long a store must be idle before the newest
// durable superblock is copied into the other slot. Under a stream of
// commits no copy is needed: each superblock names its predecessor as
// synced, which proves it durable just as well.
const confirmDelay = 20 * time.Millisecond

// scheduleConfirmLocked arranges for confirmLocked to run once the store
// has been idle for confirmDelay. Caller holds commitMu.
func (s *Store) scheduleConfirmLocked() {
	if s.confirmTimer != nil {
		s.confirmTimer.Reset(confirmDelay)
		return
	}
	s.confirmTimer = time.AfterFunc(confirmDelay, func() {
		s.commitMu.Lock()
		defer s.commitMu.Unlock()
		if s.isClosed() || s.failed != nil || s.lastGen != s.syncedGen {
			return
		}
		s.confirmLocked() // an error marks the store failed
	})
}

// confirmLocked copies the newest durable superblock into the other slot,
// without a sync of its own (the next sync carries it). Two slots holding
// the same generation prove that generation durable, so open never rolls
// back past it: damage found there is reported, not silently undone.
// Caller holds commitMu, right after a successful sync.
func (s *Store) confirmLocked() error {
	if s.lastSuper == nil || s.confirmed == s.syncedGen {
		return nil
	}
	other := 1 - s.syncedSlot
	if _, err := s.file.WriteAt(s.lastSuper, int64(other*s.block)); err != nil {
		s.failed = err
		return err
	}
	s.st.bytesWritten.Add(uint64(s.block))
	s.confirmed = s.syncedGen
	return nil
}

// syncLocked makes every write so far durable. Caller holds commitMu.
func (s *Store) syncLocked() error {
	if err := s.file.Sync(); err != nil {
		// NB: after a failed fdatasync the kernel may have dropped the
		// dirty pages; retrying could report success for lost data.
		s.failed = err
		return err
	}
	s.st.syncs.Add(1)
	s.syncedGen, s.syncedSlot = s.lastGen, s.lastSlot
	s.unsynced = 0
	return nil
}

// checkpointLocked makes every commit durable and confirms the newest one
// (see confirmLocked), with a sync of its own so that the next open need
// not read anything back. Caller holds commitMu.
func (s *Store) checkpointLocked() error {
	if s.readOnly {
		return nil
	}
	if s.failed != nil {
		return fmt.Errorf("%w: %v", ErrFailed, s.failed)
	}
	if s.lastGen == s.syncedGen && s.confirmed == s.syncedGen {
		return nil
	}
	if err := s.syncLocked(); err != nil {
		return fmt.Errorf("%w: sync: %v", ErrFailed, err)
	}
	if s.confirmed == s.syncedGen {
		return nil
	}
	if err := s.confirmLocked(); err != nil {
		return fmt.Errorf("%w: %v", ErrFailed, err)
	}
	if err := s.file.Sync(); err != nil {
		s.failed = err
		return fmt.Errorf("%w: sync: %v", ErrFailed, err)
	}
	s.st.syncs.Add(1)
	return nil
}
