package bedrock

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"
)

// commitReq is one top-level transaction to commit.
type commitReq struct {
	snapGen    uint64
	writes     []pendingWrite // sorted by LBA
	freshFreed []LBA          // allocated and freed again: never mapped
	freeing    bool           // Tx.MarkFreeing

	// Set under syncMu by the committer that applied the request
	// (commitDurable).
	done bool
	gen  uint64
	err  error
}

// pendingWrite is one block of a commit request.
type pendingWrite struct {
	lba   LBA
	raw   []byte // plain contents (for the cache)
	body  []byte // as stored
	flags uint8
	freed bool
	fresh bool // allocated by this transaction: no conflict possible
	plain bool // not to be packed (Tx.PutPlain)
}

// diskWrite is one encoded block at its physical address: n bytes at
// offset off of the commit's arena (Store.wbuf) hold its header, and its
// body unless body is set; then body follows from the caller's buffer
// (not copied: written with a vectored write), then pad zero bytes.
type diskWrite struct {
	addr   uint64
	off    int
	n      int
	body   []byte
	pad    int
	stored int // the stored body's length, for sealing (sealWrites)
}

// size is the block's length on disk.
func (w *diskWrite) size() int { return w.n + len(w.body) + w.pad }

// minVectored is the smallest data body written from the caller's buffer
// instead of copied into the arena.
const minVectored = 1024

// A commit runs in two steps.
//
// apply (under commitMu, short): check conflicts, write the shadow blocks
// and the copied map blocks, and make the new map version the base of
// every write transaction that begins afterwards.
//
// persist (group commit): one syncer at a time writes the superblock of the
// newest applied version into the slot that does not hold the newest
// durable state, and calls fdatasync once; every commit applied before that
// superblock write is durable when it returns. Commits that apply while a
// sync runs are carried by the next one, so concurrent committers share
// syncs without any timer, and a committer that has applied no longer
// blocks the next one (sqlfront releases its writer lock at that point).
// Read transactions see a version only once it is durable (with NoSync,
// once its superblock is written).

// apply performs the first step of a commit and returns its generation.
func (s *Store) apply(r *commitReq) (uint64, error) {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	return s.apply1(r)
}

// apply1 applies r alone. Caller holds commitMu.
func (s *Store) apply1(r *commitReq) (uint64, error) {
	gen, errs, err := s.applyBatch([]*commitReq{r})
	if err == nil {
		err = errs[0]
	}
	return gen, err
}

// commitDurable commits r and returns once it is durable: the path of
// Tx.Commit on a store that syncs.
//
// Committers that arrive while a sync runs (or while another committer
// applies) queue their requests instead of applying them one by one; the
// first of them to find the way free (the leader) applies the whole queue
// as one version (one generation, one write of the blocks and of the map
// blocks they share) and makes it durable with one superblock write and
// one fdatasync. The queue fills while the previous sync runs, and the
// leader waits briefly for open write transactions that have not queued
// yet (gatherLocked); a lone committer applies and syncs at once. The
// result is what applying the queued requests one by one in queue order
// would give, except that they share a generation: a request that writes
// a block an earlier one of its batch writes fails with ErrConflict, as
// it would have (its snapshot predates the earlier one's generation).
//
// Against applying each commit at once and letting only the syncs be
// shared (what CommitAsync callers get): with 8 committers in a loop on 2
// cores, BenchmarkCommit8 went from 31,600-36,500 to 41,800-48,700
// commits/s (3.3-3.4 commits per fdatasync latency, was 2.5; three runs
// alternating the two builds). Applying a one-block commit costs about as
// much CPU as a sync takes on a fast disk, so one by one a group was only
// as large as the applies that fit in one sync (3.4 commits).
func (s *Store) commitDurable(r *commitReq) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	s.commitQ = append(s.commitQ, r)
	if s.gathering && len(s.commitQ) >= s.openWriters() {
		s.gatherCond.Signal()
	}
	flushes := s.flushes
	for !r.done {
		// Wait for a running sync only while it is the one that ran when
		// r came: CommitAsync callers may keep starting syncs, and waiting
		// for an idle store then could go on forever.
		if s.leading || s.syncing && s.flushes == flushes {
			s.syncCond.Wait()
			continue
		}
		// Lead: apply the queue. commitMu comes before syncMu, and a
		// holder of commitMu may wait for a sync (allocUnits), so the
		// leader drops syncMu and marks itself with leading, which
		// nobody holding commitMu waits for.
		s.leading = true
		s.gatherLocked()
		batch := s.commitQ
		s.commitQ = nil
		s.lastBatch = len(batch)
		s.syncMu.Unlock()
		s.commitMu.Lock()
		gen, errs, err := s.applyBatch(batch)
		for i, q := range batch {
			q.gen, q.err = gen, err
			if err == nil {
				q.err = errs[i]
			}
		}
		if errors.Is(err, ErrFull) && len(batch) > 1 {
			// A full store refused the batch: alone, a request that frees
			// space (a delete queued beside inserts) may go through.
			for _, q := range batch {
				q.gen, q.err = s.apply1(q)
			}
		}
		s.syncMu.Lock()
		s.commitMu.Unlock()
		for _, q := range batch {
			q.done = true
		}
		s.leading = false
		s.syncCond.Broadcast()
	}
	if r.err != nil {
		return r.err
	}
	return s.persistLocked(r.gen, true)
}

// gatherLocked lets the leader of the commit queue wait until every open
// write transaction has queued its commit, for at most the last
// fdatasync's duration (and never more than maxGatherWait): with k
// committers in a loop, the ones whose commits the last sync made durable
// come back while the others are queued, and without waiting for them the
// two halves would alternate in groups of about k/2, each paying for a
// sync and an apply. It waits only while commits are arriving together
// (the last group had more than one): a lone committer never waits, not
// even beside write transactions that stay open without committing.
// (PostgreSQL's commit_delay with commit_siblings is the same idea with a
// fixed delay.) Caller holds syncMu, and has set leading.
func (s *Store) gatherLocked() {
	if s.lastBatch < 2 || len(s.commitQ) >= s.openWriters() {
		return
	}
	d := min(s.lastSync, maxGatherWait)
	if d <= 0 {
		return
	}
	s.gathering = true
	expired := false
	t := time.AfterFunc(d, func() {
		s.syncMu.Lock()
		expired = true
		s.gatherCond.Signal()
		s.syncMu.Unlock()
	})
	for !expired && len(s.commitQ) < s.openWriters() {
		s.gatherCond.Wait()
	}
	t.Stop()
	s.gathering = false
}

// openWriters returns the number of open top-level write transactions.
func (s *Store) openWriters() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.writers
}

// maxGatherWait bounds gatherLocked's wait.
const maxGatherWait = time.Millisecond

// applyBatch applies the requests of batch, in order, as one version and
// returns its generation; errs[i] is the error of request i alone (a
// conflict), err the error of them all. Caller holds commitMu.
func (s *Store) applyBatch(batch []*commitReq) (gen uint64, errs []error, err error) {
	s.settle()
	s.mu.Lock()
	closed, base, minSnap := s.mu.closed, s.mu.written, s.minSnapLocked()
	s.mu.Unlock()
	if closed {
		return 0, nil, ErrClosed
	}
	if err := s.failure(); err != nil {
		return 0, nil, err
	}
	s.releasePending(minSnap)

	// Phase 1: conflicts. First committer wins. A block the cleaner only
	// moved since the snapshot holds what the snapshot saw: no conflict.
	s.pruneMoved(minSnap)
	r, errs := s.admit(base, batch)
	if r.n == 0 {
		return 0, errs, nil
	}
	gen, err = s.applyWrites(base, r)
	return gen, errs, err
}

// applyWrites applies the admitted writes r on base as a new version.
// Caller holds commitMu.
func (s *Store) applyWrites(base *mapVersion, r admitted) (uint64, error) {

	// Phase 2: place dirty blocks and build the next map version. A
	// generation number is never used twice, not even after a failed
	// attempt whose blocks may have reached the disk.
	gen := s.nextGen
	s.nextGen++
	b := newBuilder(s.geo, base, gen)
	s.mu.Lock()
	b.v.nextLBA = s.mu.nextLBA
	s.mu.Unlock()
	s.wbuf = s.wbuf[:0]
	defer s.trimArena()
	var (
		writes    []diskWrite
		placed    []ref // units allocated by this commit, released on failure
		freed     []ref // units the new version no longer uses
		freedLBAs []LBA
		cached    []pendingWrite
		stale     []ref // data blocks this commit supersedes: out of the cache
	)
	// The commit's blocks go into a few long runs of free units, one when
	// the free space has it: each run is one write, and the fdatasync then
	// flushes a few regions instead of one per block (on this class of
	// disk a scattered block costs about as much as 50 KiB in a run).
	var runs []extent
	total := s.commitUnits(r.writes)
	relocs, relocUnits, short := s.cleanPlan(base, total, r.writes)
	if s.alloc.free < total+relocUnits+s.reserveUnits() {
		relocs, relocUnits = nil, 0 // a nearly full store: cleaning must not fill it
	}
	// A commit that writes no more than it replaces may enter the fence
	// when nothing else fits (allocUnits), whatever the free units say:
	// those of a full store are mostly holes too short for its blocks.
	_, s.ownMaps = s.commitShape(r.writes)
	s.change = s.shrinking(base, r.writes, r.freeing)
	defer func() {
		s.ownMaps, s.change = 0, growing
		if cap(s.oldRefs) > maxKeptArena/64 {
			s.oldRefs = nil // a bulk load's: not kept
		}
	}()
	if s.change == growing {
		if err := s.keepFence(); err != nil {
			return 0, err
		}
	}
	// On a nearly full store the blocks are placed one by one, each where
	// it keeps the whole-block runs map blocks need (allocUnits).
	if total += relocUnits; total > 1 && !s.nearlyFull() {
		runs = s.allocRuns(total, short, len(relocs) > 0)
	}
	releaseRuns := func() {
		for _, x := range runs {
			if x.next < x.end {
				s.alloc.release(x.next, x.end-x.next)
			}
		}
		runs = nil
	}
	undo := func() {
		releaseRuns()
		for _, r := range placed {
			s.alloc.release(r.addr, uint64(r.units))
		}
	}
	// where finds units for a block: in the runs, else block by block;
	// it returns the units taken (allocUnits may round up).
	where := func(units int, kind uint8) (uint64, int, error) {
		for len(runs) > 0 && runs[0].next+uint64(units) > runs[0].end {
			if x := runs[0]; x.next < x.end { // a tail too short: give it back
				s.alloc.release(x.next, x.end-x.next)
			}
			runs = runs[1:]
		}
		if len(runs) > 0 {
			addr := runs[0].next
			runs[0].next += uint64(units)
			return addr, units, nil
		}
		addr, n, err := s.allocUnits(uint64(units), kind != kindData)
		return addr, int(n), err
	}
	place := func(kind uint8, id uint64, body []byte, raw int, flags uint8) (ref, error) {
		units := unitsFor(len(body), s.unit)
		if kind != kindData {
			// A map block takes a whole block's units, its body or not:
			// the space kept for map blocks (the fence) then frees and
			// fills in whole blocks, never in holes too short for one.
			units = s.block / s.unit
		}
		addr, units, err := where(units, kind)
		if err != nil {
			return ref{}, err
		}
		r := ref{addr: addr, units: uint32(units), gen: gen}
		placed = append(placed, r)
		h := blockHeader{kind: kind, flags: flags, id: id, gen: gen, stored: uint32(len(body)), raw: uint32(raw)}
		off := len(s.wbuf)
		if s.vectored && kind == kindData && len(body) >= minVectored {
			s.growArena(headerSize)
			hdr := s.wbuf[off : off+headerSize]
			putHeader(hdr, h)
			writes = append(writes, diskWrite{addr: addr, off: off, n: headerSize, body: body, pad: units*s.unit - headerSize - len(body), stored: len(body)})
		} else {
			n := units * s.unit
			s.growArena(n)
			buf := s.wbuf[off : off+n]
			putHeader(buf, h)
			clear(buf[headerSize+copy(buf[headerSize:], body):])
			writes = append(writes, diskWrite{addr: addr, off: off, n: n, stored: len(body)})
		}
		if flags&flagSnappy != 0 {
			s.st.packedBlocks.Add(1)
			s.st.bytesSaved.Add(uint64(unitsFor(raw, s.unit)-units) * uint64(s.unit))
		}
		return r, nil
	}
	// The cleaner's copies first: they are the coldest blocks.
	var moved []ref // data blocks moved: pairs of old and new place
	var movedLBAs []LBA
	for _, rl := range relocs {
		switch rl.kind {
		case kindSegment:
			if _, err := b.segment(rl.id/s.geo.fan, rl.id%s.geo.fan); err != nil {
				undo()
				return 0, err
			}
			continue
		case kindPage:
			if _, err := b.page(rl.id); err != nil {
				undo()
				return 0, err
			}
			continue
		}
		addr, got, err := where(int(rl.old.units), kindData)
		if err != nil {
			continue // moving is optional: the block stays where it is
		}
		if got != int(rl.old.units) {
			s.alloc.release(addr, uint64(got)) // a copy keeps its extent
			continue
		}
		// The copy is a block of this commit: its generation, so that open
		// verifies it like every block the newest superblock may name
		// before it is durable (and (address, generation) keeps naming one
		// content, for the cache).
		nr := ref{addr: addr, units: rl.old.units, gen: gen}
		placed = append(placed, nr)
		off := len(s.wbuf)
		s.growArena(len(rl.block))
		cp := s.wbuf[off : off+len(rl.block)]
		copy(cp, rl.block)
		binary.LittleEndian.PutUint64(cp[16:24], gen)
		writes = append(writes, diskWrite{addr: addr, off: off, n: len(rl.block), stored: int(binary.LittleEndian.Uint32(cp[24:28]))})
		old, err := b.set(LBA(rl.id), nr)
		if err != nil {
			undo()
			return 0, err
		}
		freed = append(freed, old)
		moved = append(moved, old, nr)
		movedLBAs = append(movedLBAs, LBA(rl.id))
	}
	// Packed blocks first, then plain ones (bxtree's internal nodes) and
	// the map blocks: the latter are rewritten by nearly every commit, and
	// kept together their old copies free whole runs soon after.
	for pass := range 2 {
		for _, w := range r.writes {
			if w.plain != (pass == 1) {
				continue
			}
			nr := ref{gen: gen}
			if !w.freed {
				var err error
				if nr, err = place(kindData, uint64(w.lba), w.body, len(w.raw), w.flags); err != nil {
					undo()
					return 0, err
				}
				cached = append(cached, w)
			} else {
				freedLBAs = append(freedLBAs, w.lba)
			}
			old, err := b.set(w.lba, nr)
			if err != nil {
				undo()
				return 0, err
			}
			if old.addr != 0 {
				freed = append(freed, old)
				stale = append(stale, old)
			}
		}
	}
	// Map blocks: segments, then the pages that point to them.
	newMapBlocks := uint64(0)
	for _, ps := range b.dirtySegs {
		pg := b.v.pages[ps[0]]
		if old := pg.ref(ps[1]); old.addr != 0 {
			freed = append(freed, old)
		} else {
			newMapBlocks++
		}
		raw := pg.segs[ps[1]].b      // already in its on-disk encoding
		body, flags := raw, uint8(0) // map blocks are not packed: see doc.go
		nr, err := place(kindSegment, ps[0]*s.geo.fan+ps[1], body, len(raw), flags)
		if err != nil {
			undo()
			return 0, err
		}
		pg.setRef(ps[1], nr)
	}
	for _, p := range b.dirtyPages {
		if old := b.v.pageRefs[p]; old.addr != 0 {
			freed = append(freed, old)
		} else {
			newMapBlocks++
		}
		raw := b.v.pages[p].refb     // already in its on-disk encoding
		body, flags := raw, uint8(0) // map blocks are not packed: see doc.go
		nr, err := place(kindPage, p, body, len(raw), flags)
		if err != nil {
			undo()
			return 0, err
		}
		b.v.pageRefs[p] = nr
	}
	releaseRuns() // normally short tails: the runs were sized to fit
	b.v.sizeUnits = s.alloc.size

	// Phase 3: write the blocks. Nothing points at them until a superblock
	// does, so on failure the durable state is intact and the units can be
	// reused.
	s.sealWrites(writes)
	if err := s.writeBlocks(writes); err != nil {
		undo()
		return 0, fmt.Errorf("bedrock: commit: write blocks: %w", err)
	}

	// Phase 4: make the version the base of new write transactions.
	s.mapBlocks += newMapBlocks
	if len(freed) > 0 {
		s.pending = append(s.pending, pendingFree{gen: gen, exts: freed})
	}
	for i, lba := range movedLBAs {
		from := moved[2*i].gen
		if m, ok := s.moved[lba]; ok && m.to == from {
			from = m.from // moved before: what it held since then
		}
		if s.moved == nil {
			s.moved = map[LBA]moveRec{}
		}
		s.moved[lba] = moveRec{from: from, to: gen}
	}
	for i := 0; i < len(moved); i += 2 {
		s.cache.move(moved[i], moved[i+1])
	}
	s.st.relocated.Add(uint64(len(moved) / 2))
	for _, r := range stale {
		s.cache.drop(r)
	}
	for _, w := range cached {
		r, _ := b.v.lookup(s.geo, w.lba) // a segment this commit copied: loaded
		// Written here, not read from the disk: no check needed (GetVerified).
		s.cache.put(r.addr, r.gen, uint64(w.lba), w.raw, levelFull)
	}
	s.mu.Lock()
	s.mu.written = b.v
	s.putFreeLBAsLocked(freedLBAs)
	s.mu.Unlock()
	s.st.commits.Add(r.n)
	s.st.fileUnits.Store(s.alloc.size)
	s.st.freeUnits.Store(s.alloc.free)
	return gen, nil
}

// admitted is the part of a batch that passed the conflict checks: their
// writes merged, sorted by LBA.
type admitted struct {
	writes  []pendingWrite
	n       uint64 // requests
	freeing bool   // all of them are marked (Tx.MarkFreeing)
}

// admit checks each request of batch for conflicts, against base and
// against the requests before it in the batch; errs[i] is the error of
// request i. Caller holds commitMu.
func (s *Store) admit(base *mapVersion, batch []*commitReq) (a admitted, errs []error) {
	errs = make([]error, len(batch))
	var taken map[LBA]bool // blocks written by admitted requests (batches of 2+)
	for i, q := range batch {
		if errs[i] = s.conflicts(base, q, taken); errs[i] != nil {
			continue
		}
		a.n++
		if a.n == 1 {
			a.writes, a.freeing = q.writes, q.freeing
		} else {
			a.freeing = a.freeing && q.freeing
			a.writes = append(slices.Clip(a.writes), q.writes...)
		}
		if i < len(batch)-1 {
			if taken == nil {
				taken = map[LBA]bool{}
			}
			for _, w := range q.writes {
				taken[w.lba] = true
			}
		}
	}
	if a.n > 1 {
		slices.SortFunc(a.writes, func(x, y pendingWrite) int { return cmp.Compare(x.lba, y.lba) })
	}
	return a, errs
}

// conflicts returns ErrConflict when q writes a block that changed since
// its snapshot, in base or in taken (written by an earlier request of its
// batch), or the error of a map lookup.
func (s *Store) conflicts(base *mapVersion, q *commitReq, taken map[LBA]bool) error {
	for _, w := range q.writes {
		if w.fresh {
			continue // allocated by q: nobody else could write it
		}
		if taken[w.lba] {
			s.st.conflicts.Add(1)
			return ErrConflict
		}
		cur, err := base.lookup(s.geo, w.lba)
		if err != nil {
			return err
		}
		if g := cur.gen; g > q.snapGen {
			if m, ok := s.moved[w.lba]; !ok || m.to != g || m.from > q.snapGen {
				s.st.conflicts.Add(1)
				return ErrConflict
			}
		}
	}
	return nil
}

// moveRec says that the cleaner moved a data block in commit to without
// changing it: it holds what it held at generation from.
type moveRec struct{ from, to uint64 }

// pruneMoved forgets the moves every live snapshot sees already. Caller
// holds commitMu.
func (s *Store) pruneMoved(minSnap uint64) {
	for lba, m := range s.moved {
		if m.to <= minSnap {
			delete(s.moved, lba)
		}
	}
}

// persist waits until generation gen is durable (or, with durable false,
// until a superblock names it), taking its turn as the syncer when none
// runs.
func (s *Store) persist(gen uint64, durable bool) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	return s.persistLocked(gen, durable)
}

// persistLocked is persist with syncMu held.
func (s *Store) persistLocked(gen uint64, durable bool) error {
	for {
		if err := s.failure(); err != nil {
			return err
		}
		if s.syncedGen >= gen || !durable && s.superGen >= gen {
			return nil
		}
		if s.syncing {
			s.syncCond.Wait()
			continue
		}
		s.syncing = true
		err := s.flushLocked(durable)
		s.syncing = false
		s.syncCond.Broadcast()
		if err != nil {
			return err
		}
	}
}

// flushLocked writes the superblock of the newest applied version, unless
// one names it already, and syncs when durable is set (or a NoSync store
// has gone maxUnsynced commits without a sync). It runs with syncMu held
// and s.syncing set, and drops syncMu during the I/O.
func (s *Store) flushLocked(durable bool) error {
	doSync := durable || s.unsynced+1 >= maxUnsynced
	s.mu.Lock()
	v := s.mu.written
	s.mu.Unlock()
	needSuper := v.gen > s.superGen
	slot := 1 - s.syncedSlot
	sb := &superblock{version: s.formatVersion(), blockSize: uint32(s.block), unitSize: uint32(s.unit), gen: v.gen,
		syncedGen: s.syncedGen, nextLBA: v.nextLBA, sizeUnits: v.sizeUnits, pages: v.pageRefs}
	if s.opts.Device {
		sb.flags |= sbFlagDevice
	}
	s.syncMu.Unlock()
	var buf []byte
	var err error
	var took time.Duration // the fdatasync's
	if needSuper {
		if s.superBufs[slot] == nil {
			s.superBufs[slot] = s.newBuf(s.block)
		}
		buf = s.superBufs[slot]
		encodeSuperblock(buf, sb)
		if _, err = s.file.WriteAt(buf, int64(slot*s.block)); err == nil {
			s.st.bytesWritten.Add(uint64(s.block))
		}
	}
	if err == nil && doSync {
		// NB: after a failed fdatasync the kernel may have dropped the
		// dirty pages; retrying could report success for lost data, so a
		// failure is final until the store is reopened.
		t0 := time.Now()
		if err = s.file.Sync(); err == nil {
			took = time.Since(t0)
			s.st.syncs.Add(1)
		}
	}
	s.syncMu.Lock()
	s.flushes++
	if err != nil {
		s.setFailure(err)
		return s.failure()
	}
	if needSuper {
		s.superGen, s.lastSlot, s.lastSuper = v.gen, slot, buf
		s.unsynced++
	}
	if doSync {
		s.lastSync = took
		s.syncedGen, s.syncedSlot = s.superGen, s.lastSlot
		s.unsynced = 0
		s.st.groups.Add(1)
		if !s.opts.NoSync {
			s.scheduleConfirmLocked()
		}
	}
	s.mu.Lock()
	if v.gen > s.mu.cur.gen {
		s.mu.cur = v
	}
	s.mu.Unlock()
	return nil
}

// failure returns the error that failed the store, wrapped in ErrFailed,
// or nil.
func (s *Store) failure() error {
	if e, ok := s.failErr.Load().(error); ok {
		if errors.Is(e, ErrCorrupt) {
			return fmt.Errorf("%w: damaged map: %w (Check lists the damage)", ErrFailed, e)
		}
		return fmt.Errorf("%w: I/O error: %v; reopen the store", ErrFailed, e)
	}
	return nil
}

// setFailure records the first I/O error that leaves the on-disk state of
// a commit unknown.
func (s *Store) setFailure(err error) {
	s.failErr.CompareAndSwap(nil, err)
}

// growArena extends the commit arena by n bytes, keeping its contents.
// Caller holds commitMu.
func (s *Store) growArena(n int) {
	l := len(s.wbuf)
	if l+n > cap(s.wbuf) {
		nb := s.newBuf(max(2*cap(s.wbuf), l+n, 64<<10))
		copy(nb, s.wbuf)
		s.wbuf = nb[:l]
	}
	s.wbuf = s.wbuf[:l+n]
}

// growStep is how many units a full file store grows by when it needs at
// least least: GrowSize, or a sixteenth of the store once that is more, so
// a large file keeps little unused after a load (TestGrowthSlack).
func (s *Store) growStep(least uint64) uint64 {
	return max(uint64(s.opts.GrowSize)/uint64(s.unit), s.alloc.size/16, least)
}

// extent is a run of units a commit has taken: next is the first one not
// used yet.
type extent struct{ next, end uint64 }

// maxCommitRuns bounds the runs one commit is spread over; minCommitRun is
// the shortest run a commit takes when it needs more than one.
const (
	reuseScan     = 1 << 16  // units allocWritten looks at per commit
	zoneBytes     = 64 << 10 // each of the zones after the slots (allocator.zone)
	maxCommitRuns = 16
	minCommitRun  = 128 // units: 64 KiB
)

// allocRuns takes free runs for a commit of n units: one run when the
// free space has it, else up to maxCommitRuns of at least minCommitRun
// units. A file store whose free space is down to a quarter grows first
// (by what allocUnits would grow it): a store kept that full has no long
// runs left, and every commit would scatter its blocks. With short (the
// cleaner found no window worth cleaning) it grows up to half free.
// Devices never grow; they take what they have. Whatever the runs do not
// cover is placed block by block (allocUnits). A commit that cleans
// (noZone) stays out of the zones: the blocks it moves are cold.
func (s *Store) allocRuns(n uint64, short, noZone bool) []extent {
	reserve := s.reserveUnits()
	s.alloc.fence = s.fenceUnits()
	if s.alloc.free >= n+reserve {
		// A small commit goes to the zone of the slot the next superblock
		// write will make it durable with: right after slot 1 (one region
		// to flush instead of two, see BenchmarkCommit1), or for slot 0
		// right after the next stripe's parity chunk (two regions instead
		// of three, and no stripe to read for the parity).
		if slot := s.nextSlot(); slot >= 0 && !noZone {
			if lo, hi := s.alloc.zone(slot); n <= hi-lo {
				if addr, ok := s.alloc.allocZone(n, slot); ok {
					return []extent{{addr, addr + n}}
				}
				s.zoneMissed[slot] = true // a later small commit clears it (cleanPlan)
			}
		}
		// Written space next, where fdatasync has no extent to convert.
		if addr, ok := s.alloc.allocWritten(n, reuseScan); ok {
			return []extent{{addr, addr + n}}
		}
		if addr, ok := s.alloc.alloc(n); ok {
			return []extent{{addr, addr + n}}
		}
	}
	if !s.opts.Device && (s.alloc.free < s.alloc.size/4 || short && s.alloc.free < s.alloc.size/2) {
		grow := s.growStep(n + reserve)
		newSize := s.alloc.size + grow
		if err := s.file.Allocate(int64(newSize) * int64(s.unit)); err == nil {
			s.alloc.grow(newSize)
			if addr, ok := s.alloc.alloc(n); ok {
				return []extent{{addr, addr + n}}
			}
		}
	}
	// Each run after the first may strand a tail shorter than a block.
	slack := uint64(unitsFor(s.block-headerSize, s.unit)) - 1
	var runs []extent
	need := n
	for len(runs) < maxCommitRuns && need > 0 && s.alloc.free >= need+reserve {
		addr, k, ok := s.alloc.takeRun(min(minCommitRun, need), need)
		if !ok {
			break
		}
		runs = append(runs, extent{addr, addr + k})
		need -= k
		if need > 0 {
			need += slack
		}
	}
	return runs
}

// nextSlot predicts the superblock slot the flush that makes the next
// commit durable writes: the one not holding the newest durable
// superblock, as it will be once a flush in progress is done. NoSync
// stores, which do not sync per commit, get -1.
func (s *Store) nextSlot() int {
	if s.opts.NoSync {
		return -1
	}
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if s.syncing {
		return s.syncedSlot
	}
	return 1 - s.syncedSlot
}

// commitUnits returns the units a commit's blocks take: its data blocks as
// packed, and one plain map block per segment and per page it touches
// (every touched one is rewritten). writes is sorted by LBA, so the
// touched segments and pages come in order.
func (s *Store) commitUnits(writes []pendingWrite) uint64 {
	n, maps := s.commitShape(writes)
	return n + maps*uint64(unitsFor(int(s.geo.fan)*refSize, s.unit))
}

// commitShape returns the units of a commit's data blocks and how many
// map blocks (pages and segments) it rewrites.
func (s *Store) commitShape(writes []pendingWrite) (data, maps uint64) {
	var n uint64
	lastP, lastS := ^uint64(0), ^uint64(0)
	for _, w := range writes {
		if !w.freed {
			n += uint64(unitsFor(len(w.body), s.unit))
		}
		p, sg, _ := s.geo.split(w.lba)
		if p != lastP {
			maps++ // a page
			lastS = ^uint64(0)
		}
		if sg != lastS {
			maps++ // a segment
		}
		lastP, lastS = p, sg
	}
	return n, maps
}

// maxKeptArena is the largest commit arena kept for the next commit; a
// bigger one (a bulk load) is dropped so that its memory is returned.
const maxKeptArena = 8 << 20

// trimArena drops an arena grown beyond maxKeptArena. Caller holds
// commitMu.
func (s *Store) trimArena() {
	if cap(s.wbuf) > maxKeptArena {
		s.wbuf = nil
	}
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
	s.syncMu.Lock()
	synced := s.syncedGen
	s.syncMu.Unlock()
	n := 0
	for _, p := range s.pending {
		if p.gen > synced || p.gen > minSnap {
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
// for map blocks and for the data blocks of a commit that writes no more
// than it frees (shrinking), so that a full store can always commit a
// transaction that frees blocks, a B-tree delete rewriting some nodes
// included (freeing rewrites map blocks too).
//
// Map blocks take a whole block's units in one run. On a nearly full
// store, where the free space is mostly holes shorter than that, a data
// block goes where it breaks no whole block's run (allocSlack), else only
// where the runs left hold its commit's map blocks, a rewrite of every
// map block (what a DROP TABLE or TRUNCATE needs) and, depending on the
// commit (runsFloor), the reserve's margin: a commit that makes the store
// bigger leaves all of it, one that does not half, one marked as freeing
// space (a delete) none. The runs its frees give back count: a DROP TABLE
// goes through a full store.
func (s *Store) allocUnits(n uint64, meta bool) (uint64, uint64, error) {
	per := uint64(s.block / s.unit)
	took := n
	try := func() (uint64, bool) {
		took = n
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
		reserve := s.reserveUnits()
		s.alloc.fence = s.fenceUnits()
		// Below the fence: a commit that makes the store no bigger may
		// take any hole there (it frees as much as it takes); others must
		// leave the reserve's worth of free units.
		below := s.change != growing || s.alloc.free >= n+reserve
		full := s.nearlyFull()
		if below && full {
			if addr, ok := s.alloc.allocSlack(n, per); ok {
				return addr, true
			}
		}
		if below {
			if addr, ok := s.alloc.alloc(n); ok {
				if !full || s.runsKept() {
					return addr, true
				}
				s.alloc.release(addr, n)
			}
		}
		// A commit that makes the store no bigger may enter the fence,
		// taking whole blocks there (so that the fence frees and fills
		// in whole blocks) from its bottom up.
		if s.change != growing {
			lo, whole := s.alloc.dataEnd(), (n+per-1)/per*per
			if addr, ok := s.alloc.search(lo, s.alloc.size, whole); ok {
				if s.runsKept() {
					took = whole
					return addr, true
				}
				s.alloc.release(addr, whole)
			}
		}
		return 0, false
	}
	if addr, ok := try(); ok {
		return addr, took, nil
	}
	grow := s.growStep(n + s.reserveUnits())
	if len(s.pending) > 0 {
		// Frees held for a sync (NoSync stores) are worth a sync only when
		// they are a good share of what growing would add; a bulk load
		// grows instead of syncing.
		if err := s.takePending(s.opts.Device || s.pendingUnits() >= grow/4); err != nil {
			return 0, 0, err
		}
		if addr, ok := try(); ok {
			return addr, took, nil
		}
	}
	if s.opts.Device {
		return 0, 0, ErrFull
	}
	newSize := s.alloc.size + grow
	err := s.file.Allocate(int64(newSize) * int64(s.unit))
	if least := s.alloc.size + n + s.reserveUnits(); err != nil && least < newSize {
		// The file cannot grow that much (a full disk, a file size
		// limit): what this block needs may still fit.
		if s.file.Allocate(int64(least)*int64(s.unit)) == nil {
			newSize, err = least, nil
		}
	}
	if err != nil {
		// The file cannot grow at all. Frees held for a sync (NoSync
		// stores, or commits whose sync has not run yet) may make room:
		// sync and take them, whatever their share.
		if len(s.pending) > 0 {
			if perr := s.takePending(true); perr != nil {
				return 0, 0, perr
			}
			if addr, ok := try(); ok {
				return addr, took, nil
			}
		}
		return 0, 0, fmt.Errorf("%w: the file cannot grow: %w", ErrFull, err)
	}
	s.alloc.grow(newSize)
	if addr, ok := try(); ok {
		return addr, took, nil
	}
	return 0, 0, ErrFull
}

// sizeChange classifies a commit by the units its writes take against
// those of the blocks they replace or free, and by its mark (shrinking):
// it decides how deep into the reserve a nearly full store lets its data
// blocks go (runsFloor).
type sizeChange uint8

const (
	growing sizeChange = iota // more units
	neutral                   // no more
	frees                     // no more, and marked as freeing space (Tx.MarkFreeing)
)

// shrinking compares the units of a commit's writes with those of the
// blocks they replace or free, which it keeps in s.oldRefs (runsKept).
// Data blocks of a commit that makes the store no bigger may use the
// space kept for map blocks (allocUnits), down to the last of it when the
// commit is marked as freeing space, so that a full store can always
// commit a transaction that makes it smaller. Caller holds commitMu.
func (s *Store) shrinking(base *mapVersion, writes []pendingWrite, freeing bool) sizeChange {
	var data, old uint64
	s.oldRefs = s.oldRefs[:0]
	for _, w := range writes {
		if !w.freed {
			data += uint64(unitsFor(len(w.body), s.unit))
		}
		r, err := base.lookup(s.geo, w.lba)
		if err != nil {
			s.oldRefs = s.oldRefs[:0]
			return growing
		}
		if r.addr != 0 { // unmapped (never written, or freed): holds no units, whatever its entry says
			s.oldRefs = append(s.oldRefs, r)
			old += uint64(r.units)
		}
	}
	switch {
	case data > old:
		return growing
	case freeing:
		return frees
	}
	return neutral
}

// runsKept reports whether the whole-block runs of free units (mapRuns)
// left hold the commit being applied's map blocks now (and two more), and
// once its old blocks are released (the blocks its writes replace or free;
// its old map blocks give back what its new ones take) runsFloor. Caller
// holds commitMu.
func (s *Store) runsKept() bool {
	if now := s.ownMaps + 2; s.mapRuns(now) < now {
		return false
	}
	floor := s.runsFloor()
	for _, r := range s.oldRefs {
		s.alloc.release(r.addr, uint64(r.units))
	}
	later := s.mapRuns(floor)
	for _, r := range s.oldRefs {
		s.alloc.setRange(r.addr, uint64(r.units))
	}
	return later >= floor
}

// runsFloor is how many whole-block runs of free units (mapRuns) a nearly
// full store keeps once the commit being applied is durable: room for a
// rewrite of every map block (and two more) and, but for a commit marked
// as freeing space (frees), the reserve's margin (marginUnits) for one
// that makes the store bigger, half of it for one that does not. Caller
// holds commitMu.
func (s *Store) runsFloor() uint64 {
	per := uint64(s.block / s.unit)
	need := s.mapBlocks + 2
	switch s.change {
	case growing:
		need += s.marginUnits() / per
	case neutral:
		need += s.marginUnits() / per / 2
	}
	return need
}

// takePending returns to the allocator the frees no snapshot needs any
// more, first making everything applied so far durable when sync is set
// (commitMu is held, so that is the version before the commit being
// applied). Caller holds commitMu.
func (s *Store) takePending(sync bool) error {
	if sync {
		s.mu.Lock()
		g := s.mu.written.gen
		s.mu.Unlock()
		if err := s.persist(g, true); err != nil {
			return err
		}
	}
	s.mu.Lock()
	m := s.minSnapLocked()
	s.mu.Unlock()
	s.releasePending(m)
	return nil
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

// reserveUnits is the free space data blocks leave: for map blocks, room
// to rewrite every live map block once (a commit rewrites each at most
// once) plus a little for new ones, and at least 32 blocks (a sixteenth of
// a small store); and for the data blocks of a commit that makes the store
// smaller (shrinking), 32 blocks (a thirty-second of a small store).
// keepFence makes sure a commit that does not make the store smaller
// finds in the fence whole blocks enough for a rewrite of every map block
// (its own, and later a DROP TABLE's or TRUNCATE's; its data stays below
// the fence, so the margin there stays for deletes): it grows the file
// when it must, and fails with ErrFull when the file cannot grow. Only a
// nearly full store is looked at. Caller holds commitMu.
func (s *Store) keepFence() error {
	if !s.nearlyFull() {
		return nil
	}
	per := uint64(s.block / s.unit)
	need := max(s.ownMaps+2, s.runsFloor())
	took := false // the frees held for a sync were taken
	// takeHeld takes the frees held for a sync (NoSync stores, or commits
	// whose sync has not run yet), whatever their share, once the store
	// cannot grow: they may make room.
	takeHeld := func() (bool, error) {
		if took || len(s.pending) == 0 {
			return false, nil
		}
		took = true
		return true, s.takePending(true)
	}
	for {
		s.alloc.fence = s.fenceUnits()
		if s.mapRuns(need) >= need {
			return nil
		}
		if s.opts.Device {
			if ok, err := takeHeld(); err != nil {
				return err
			} else if ok {
				continue
			}
			return fmt.Errorf("%w: no room left for map blocks", ErrFull)
		}
		newSize := s.alloc.size + s.growStep(need*per)
		err := s.file.Allocate(int64(newSize) * int64(s.unit))
		if least := s.alloc.size + need*per; err != nil && least < newSize && s.file.Allocate(int64(least)*int64(s.unit)) == nil {
			newSize, err = least, nil
		}
		if err != nil {
			if ok, perr := takeHeld(); perr != nil {
				return perr
			} else if ok {
				continue
			}
			return fmt.Errorf("%w: the file cannot grow: %w", ErrFull, err)
		}
		s.alloc.grow(newSize)
	}
}

// mapRuns counts the whole blocks free for map blocks (which may go
// anywhere), up to limit: in the fence first, then below it.
func (s *Store) mapRuns(limit uint64) uint64 {
	per := uint64(s.block / s.unit)
	lo := s.alloc.dataEnd()
	n := s.alloc.blockRunsIn(lo, s.alloc.size, per, limit)
	if n < limit {
		n += s.alloc.blockRunsIn(s.alloc.reserved, lo, per, limit-n)
	}
	return n
}

// fenceUnits is the size of the fence at the top of the store that data
// blocks keep out of (allocator.fence): the reserve for rewriting the map
// blocks; on a nearly full store also the live map blocks, which
// allocHigh keeps there, so that the reserve is free space, not the
// blocks it is meant to rewrite. (Keeping data out of that much space on
// a roomy store would cost every commit its long runs.)
func (s *Store) fenceUnits() uint64 {
	r, m := s.reserveUnits(), s.mapBlocks*uint64(s.block/s.unit)
	if s.nearlyFull() {
		return r + m
	}
	return r
}

// nearlyFull reports whether the free units are down to twice the
// reserve and the live map blocks: the fence then covers both, and
// commits that grow the store check it (keepFence).
func (s *Store) nearlyFull() bool {
	return s.alloc.free < 2*(s.reserveUnits()+s.mapBlocks*uint64(s.block/s.unit))
}

func (s *Store) reserveUnits() uint64 {
	perBlock := uint64(s.block / s.unit)
	return max(min(32*perBlock, s.alloc.size/16), (s.mapBlocks+2)*perBlock) + s.marginUnits()
}

// marginUnits is the part of the reserve beyond a rewrite of every map
// block: what commits that make the store smaller (deletes) may use for
// their data on a full store, 32 blocks (a thirty-second of a small
// store). A bigger one costs every commit: data may not enter the fence.
func (s *Store) marginUnits() uint64 {
	return min(32*uint64(s.block/s.unit), s.alloc.size/32)
}

// writeBlocks writes the encoded blocks of a commit, one write per run of
// blocks adjacent on disk: a slice of the arena when the run lies there in
// order, else a vectored write of its pieces, else a copy. Caller holds
// commitMu.
func (s *Store) writeBlocks(ws []diskWrite) error {
	slices.SortFunc(ws, func(a, b diskWrite) int { return cmp.Compare(a.addr, b.addr) })
	const maxRun = 1 << 20
	unit := uint64(s.unit)
	for i := 0; i < len(ws); {
		j, size := i+1, ws[i].size()
		for j < len(ws) && ws[j].addr*unit == ws[i].addr*unit+uint64(size) &&
			size+ws[j].size() <= maxRun && 3*(j-i+1) <= maxIovecs {
			size += ws[j].size()
			j++
		}
		if err := s.writeRun(ws[i:j], size); err != nil {
			return err
		}
		if wb, ok := s.file.(writebackStarter); ok && s.opts.NoSync && size >= minWriteback {
			// A bulk load: let the disk write this run while the next
			// transactions are built, instead of all of it at the Sync.
			wb.startWriteback(int64(ws[i].addr)*int64(unit), int64(size))
		}
		s.st.blocksWritten.Add(uint64(j - i))
		s.st.bytesWritten.Add(uint64(size))
		i = j
	}
	return nil
}

// minWriteback is the shortest run whose writeback a NoSync commit starts
// at once.
const minWriteback = 256 << 10

// sealWrites puts the checksum into the header of every block of ws, on
// all cores when there is enough to checksum.
func (s *Store) sealWrites(ws []diskWrite) {
	seal := func(ws []diskWrite) {
		for i := range ws {
			w := &ws[i]
			if w.body != nil {
				sealSplit(s.wbuf[w.off:w.off+headerSize], w.body)
			} else {
				sealBlock(s.wbuf[w.off:w.off+w.n], w.stored)
			}
		}
	}
	bytes := 0
	for i := range ws {
		bytes += ws[i].stored
	}
	inParts(ws, bytes/parallelSealMin, seal)
}

// parallelSealMin is the number of bytes to checksum per extra sealing
// goroutine.
const parallelSealMin = 256 << 10

// zeroPad is the source of the zero bytes that pad vectored blocks.
var zeroPad [4096]byte

// writeRun writes the blocks of run, adjacent on disk and size bytes long.
func (s *Store) writeRun(run []diskWrite, size int) error {
	off := int64(run[0].addr) * int64(s.unit)
	inArena := true
	for k := range run {
		w := &run[k]
		if w.body != nil || w.pad != 0 || k > 0 && w.off != run[k-1].off+run[k-1].n {
			inArena = false
			break
		}
	}
	if inArena {
		_, err := s.file.WriteAt(s.wbuf[run[0].off:run[0].off+size], off)
		return err
	}
	bufs := make([][]byte, 0, 3*len(run))
	for k := range run {
		w := &run[k]
		bufs = append(bufs, s.wbuf[w.off:w.off+w.n])
		if w.body != nil {
			bufs = append(bufs, w.body)
		}
		if w.pad > 0 {
			if w.pad <= len(zeroPad) {
				bufs = append(bufs, zeroPad[:w.pad])
			} else {
				bufs = append(bufs, make([]byte, w.pad))
			}
		}
	}
	return writeGather(s.file, bufs, size, off, s.newBuf)
}

// confirmDelay is how long a store must be idle before the newest
// durable superblock is copied into the other slot. Under a stream of
// commits no copy is needed: each superblock names its predecessor as
// synced, which proves it durable just as well.
const confirmDelay = 20 * time.Millisecond

// scheduleConfirmLocked arranges for confirmLocked to run once the store
// has been idle for confirmDelay. Caller holds syncMu.
func (s *Store) scheduleConfirmLocked() {
	if s.confirmTimer != nil {
		s.confirmTimer.Reset(confirmDelay)
		return
	}
	s.confirmTimer = time.AfterFunc(confirmDelay, func() {
		s.syncMu.Lock()
		defer s.syncMu.Unlock()
		if s.isClosed() {
			return
		}
		if s.syncing || s.superGen != s.syncedGen {
			s.confirmTimer.Reset(confirmDelay) // not idle yet
			return
		}
		s.confirmLocked() // an error marks the store failed
	})
}

// confirmLocked copies the newest durable superblock into the other slot,
// without a sync of its own (the next sync carries it). Two slots holding
// the same generation prove that generation durable, so open never rolls
// back past it: damage found there is reported, not silently undone.
// Caller holds syncMu, with no flush running and the newest superblock
// durable.
func (s *Store) confirmLocked() error {
	if err := s.failure(); err != nil {
		return err
	}
	if s.lastSuper == nil || s.confirmed == s.syncedGen || s.superGen != s.syncedGen {
		return nil
	}
	other := 1 - s.syncedSlot
	if _, err := s.file.WriteAt(s.lastSuper, int64(other*s.block)); err != nil {
		s.setFailure(err)
		return s.failure()
	}
	s.st.bytesWritten.Add(uint64(s.block))
	s.confirmed = s.syncedGen
	return nil
}

// checkpoint makes every applied commit durable and confirms the newest
// one (see confirmLocked), with a sync of its own so that the next open
// need not read anything back. Caller holds commitMu.
func (s *Store) checkpoint() error {
	if s.readOnly {
		return nil
	}
	s.mu.Lock()
	g := s.mu.written.gen
	s.mu.Unlock()
	if err := s.persist(g, true); err != nil {
		return err
	}
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	for s.syncing {
		s.syncCond.Wait()
	}
	if s.confirmed == s.syncedGen {
		return nil
	}
	if err := s.confirmLocked(); err != nil {
		return err
	}
	if err := s.file.Sync(); err != nil {
		s.setFailure(err)
		return s.failure()
	}
	s.st.syncs.Add(1)
	return nil
}
