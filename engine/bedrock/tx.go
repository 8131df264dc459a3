package bedrock

import (
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/golang/snappy"
)

// Tx is a transaction: a snapshot of the committed map plus, for a write
// transaction, a tentative map of its own writes. A Tx is used by one
// goroutine at a time. Every Tx must end with Commit or Rollback; a read
// transaction left open pins the blocks of its snapshot.
//
// Nested transactions: Begin on a Tx opens a child over the parent's
// tentative state; the parent cannot be used until the child ends. The
// child's Commit merges its writes into the parent; its Rollback discards
// only them.
type Tx struct {
	s        *Store
	parent   *Tx
	child    *Tx
	snap     *mapVersion
	writable bool
	done     bool
	dirty    map[LBA]dirtyBlock // this level's tentative writes
	allocs   []LBA              // LBAs this level took from the free list
	deferred []deferredFlush    // flushes owed by layers above (Defer)
	freeing  bool               // MarkFreeing, here or in a committed child
}

// deferredFlush is one flush a layer above owes the transaction.
type deferredFlush struct {
	key any
	fn  func() error
}

// dirtyBlock is one tentative write: new contents, or a free.
type dirtyBlock struct {
	data  []byte
	freed bool
	plain bool // store unpacked (PutPlain)
}

// Begin starts a transaction. A read transaction sees the newest committed
// state and never blocks or is blocked. Several write transactions may be
// open at once; on Commit, one that wrote a block another committed after
// it began fails with ErrConflict.
func (s *Store) Begin(writable bool) (*Tx, error) {
	if writable && s.readOnly {
		return nil, ErrReadOnly
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return nil, ErrClosed
	}
	// Writers build on the newest applied state, readers see the newest
	// durable one.
	v := s.mu.cur
	if writable {
		v = s.mu.written
	}
	s.mu.snaps[v.gen]++
	tx := &Tx{s: s, snap: v, writable: writable}
	if writable {
		tx.dirty = map[LBA]dirtyBlock{}
		s.mu.writers++
		s.st.writeTxs.Add(1)
		s.kickSettle()
	}
	return tx, nil
}

// MarkFreeing marks the transaction as one that frees space: a DELETE,
// DROP TABLE, TRUNCATE (a nested transaction passes the mark on to its
// parent when it commits). On a nearly full store such a commit may use
// the last of the room kept back for the map blocks' sake, provided its
// blocks take no more space than the ones they replace or free, so that a
// full store can always be made smaller; other commits leave that room
// alone (what InnoDB's reservations for purge do). A mark on a transaction
// that makes the store bigger changes nothing.
func (tx *Tx) MarkFreeing() { tx.freeing = true }

// Writable reports whether the transaction may write.
func (tx *Tx) Writable() bool { return tx.writable }

// Gen returns the generation of the snapshot the transaction reads.
func (tx *Tx) Gen() uint64 { return tx.snap.gen }

// Store returns the store the transaction belongs to.
func (tx *Tx) Store() *Store { return tx.s }

// usable reports why the transaction cannot be used now, if it cannot.
func (tx *Tx) usable() error {
	switch {
	case tx.done:
		return ErrTxDone
	case tx.child != nil:
		return ErrChildActive
	}
	return nil
}

// find looks lba up in this transaction's and its ancestors' tentative
// writes.
func (tx *Tx) find(lba LBA) (dirtyBlock, bool) {
	for t := tx; t != nil; t = t.parent {
		if d, ok := t.dirty[lba]; ok {
			return d, true
		}
	}
	return dirtyBlock{}, false
}

// Get returns the contents of block lba. The slice is read-only and stays
// valid after the transaction ends. A block that fails verification gives
// an error wrapping ErrCorrupt; corrupt data is never returned.
func (tx *Tx) Get(lba LBA) ([]byte, error) { return tx.GetVerified(lba, nil) }

// GetVerified is Get with a check of the block's contents by the layer
// above (for example, that every record's digest matches). The check runs
// when the block is loaded from the file and its success is remembered
// with the cached block, so blocks served from the cache are not checked
// again. Blocks this process wrote are never checked: neither the
// transaction's own writes nor blocks committed since the store was opened
// and still cached (they come from a writer, not from the disk). A check
// error is returned as is, and the block is not cached.
func (tx *Tx) GetVerified(lba LBA, check func([]byte) error) ([]byte, error) {
	if err := tx.usable(); err != nil {
		return nil, err
	}
	if tx.writable {
		if d, ok := tx.find(lba); ok {
			if d.freed {
				return nil, fmt.Errorf("%w: %d", ErrNotAllocated, lba)
			}
			return d.data, nil
		}
	}
	r, err := tx.snap.lookup(tx.s.geo, lba)
	if err != nil {
		return nil, err
	}
	if r.addr == 0 {
		if lba == RootLBA {
			return nil, nil
		}
		return nil, fmt.Errorf("%w: %d", ErrNotAllocated, lba)
	}
	return tx.s.readData(lba, r, check)
}

// GetVerifiedLazy is GetVerified for a caller that can verify just the
// part of a block it uses. It returns the block with checked false, unchecked,
// the first few times it is read after a load (the caller verifies its
// part), and runs check on it, remembered like GetVerified, once it has
// been read often enough that checking it whole is the cheaper way;
// checked is true from then on, and for blocks this process wrote (see
// GetVerified). A non-nil light check (bxtree: the node's layout) runs
// once per load of an unchecked block and is remembered like check, so
// a block returned unchecked has passed it. bxtree's point reads use it:
// the layout and one record's digest instead of a whole leaf's per cold
// read.
func (tx *Tx) GetVerifiedLazy(lba LBA, light, check func([]byte) error) (data []byte, checked bool, err error) {
	if err := tx.usable(); err != nil {
		return nil, false, err
	}
	if tx.writable {
		if d, ok := tx.find(lba); ok {
			if d.freed {
				return nil, false, fmt.Errorf("%w: %d", ErrNotAllocated, lba)
			}
			return d.data, true, nil
		}
	}
	r, err := tx.snap.lookup(tx.s.geo, lba)
	if err != nil {
		return nil, false, err
	}
	if r.addr == 0 {
		if lba == RootLBA {
			return nil, true, nil
		}
		return nil, false, fmt.Errorf("%w: %d", ErrNotAllocated, lba)
	}
	return tx.s.readLazy(lba, r, light, check)
}

// allocated returns nil if lba is allocated in this transaction's view,
// else an error wrapping ErrNotAllocated (or the failed read of the map
// segment that would tell).
func (tx *Tx) allocated(lba LBA) error {
	if d, ok := tx.find(lba); ok {
		if d.freed {
			return fmt.Errorf("%w: %d", ErrNotAllocated, lba)
		}
		return nil
	}
	if lba == RootLBA {
		return nil
	}
	r, err := tx.snap.lookup(tx.s.geo, lba)
	if err == nil && r.addr == 0 {
		err = fmt.Errorf("%w: %d", ErrNotAllocated, lba)
	}
	return err
}

// Put sets the contents of block lba. Put takes ownership of data: the
// caller must not modify it afterwards.
func (tx *Tx) Put(lba LBA, data []byte) error { return tx.put(lba, data, false) }

// PutPlain is Put for a block that is stored unpacked: for blocks that are
// rewritten by most commits and pack little (bxtree's internal nodes), so
// commits do not spend their time packing them.
func (tx *Tx) PutPlain(lba LBA, data []byte) error { return tx.put(lba, data, true) }

// put implements Put and PutPlain.
func (tx *Tx) put(lba LBA, data []byte, plain bool) error {
	if err := tx.writeCheck(); err != nil {
		return err
	}
	if len(data) > tx.s.payload {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(data), tx.s.payload)
	}
	if err := tx.allocated(lba); err != nil {
		return err
	}
	tx.dirty[lba] = dirtyBlock{data: data, plain: plain}
	return nil
}

// writeCheck reports why the transaction cannot write now.
func (tx *Tx) writeCheck() error {
	if err := tx.usable(); err != nil {
		return err
	}
	if !tx.writable {
		return ErrReadOnly
	}
	return nil
}

// Alloc returns a fresh logical block, initially empty.
func (tx *Tx) Alloc() (LBA, error) { return tx.alloc(false) }

// AllocApart is Alloc for blocks that commits tend to rewrite together,
// such as a B-tree's internal nodes (their counts and digests change with
// any leaf below them): it hands out the LBAs of one map segment kept
// apart from Alloc's, so that such blocks share map segments, and a commit
// that rewrites many of them rewrites few map blocks (through Alloc, a
// bulk load interleaves them with the leaves, one in each map segment).
// Open forgets what is left of the segment: Alloc then hands it out.
func (tx *Tx) AllocApart() (LBA, error) { return tx.alloc(true) }

func (tx *Tx) alloc(apart bool) (LBA, error) {
	if err := tx.writeCheck(); err != nil {
		return 0, err
	}
	s := tx.s
	s.settleNow() // the free LBAs
	s.mu.Lock()
	lba, ok := LBA(0), false
	if apart {
		lba, ok = s.takeApartLocked()
	}
	var err error
	if !ok {
		lba, err = s.takeLBALocked()
	}
	s.mu.Unlock()
	if err != nil {
		return 0, err
	}
	tx.allocs = append(tx.allocs, lba)
	tx.dirty[lba] = dirtyBlock{data: []byte{}}
	return lba, nil
}

// takeLBALocked takes an LBA for Alloc: the first of the last free range
// (given back or freed ones), else a new one. Caller holds s.mu.
func (s *Store) takeLBALocked() (LBA, error) {
	if n := len(s.mu.freeLBAs); n > 0 {
		r := &s.mu.freeLBAs[n-1]
		lba := r.lo
		if r.lo++; r.lo == r.hi {
			s.mu.freeLBAs = s.mu.freeLBAs[:n-1]
		}
		return lba, nil
	}
	if s.mu.nextLBA >= s.geo.maxLBA() {
		return 0, fmt.Errorf("%w: no logical addresses left", ErrFull)
	}
	s.mu.nextLBA++
	return LBA(s.mu.nextLBA - 1), nil
}

// takeApartLocked takes the next LBA of AllocApart's map segment, starting
// a new segment above every LBA handed out when it is used up (what lies
// between goes to Alloc). It reports false when the addresses are nearly
// used up. Caller holds s.mu.
func (s *Store) takeApartLocked() (LBA, bool) {
	r := &s.mu.apart
	if r.lo == r.hi {
		fan := s.geo.fan
		lo := (s.mu.nextLBA + fan - 1) / fan * fan
		if lo+fan > s.geo.maxLBA() {
			return 0, false
		}
		if lo > s.mu.nextLBA {
			s.mu.freeLBAs = append(s.mu.freeLBAs, lbaRange{LBA(s.mu.nextLBA), LBA(lo)})
		}
		*r = lbaRange{LBA(lo), LBA(lo + fan)}
		s.mu.nextLBA = lo + fan
	}
	lba := r.lo
	r.lo++
	return lba, true
}

// Free releases block lba. RootLBA cannot be freed.
func (tx *Tx) Free(lba LBA) error {
	if err := tx.writeCheck(); err != nil {
		return err
	}
	if lba == RootLBA {
		return fmt.Errorf("%w: %d", ErrNotAllocated, lba)
	}
	if err := tx.allocated(lba); err != nil {
		return err
	}
	tx.dirty[lba] = dirtyBlock{freed: true}
	return nil
}

// Defer registers fn, under key, as a flush that a layer above owes the
// transaction: changes it keeps outside the blocks for a while (a
// deferred bxtree handle's decoded nodes). The transaction runs every
// registered flush before it commits and before a child begins, so that
// what the layer holds is in the blocks then; Undefer withdraws one (the
// layer flushed by itself), and FlushDeferred runs them on demand.
// Registering a key again replaces its function.
func (tx *Tx) Defer(key any, fn func() error) {
	for i := range tx.deferred {
		if tx.deferred[i].key == key {
			tx.deferred[i].fn = fn
			return
		}
	}
	tx.deferred = append(tx.deferred, deferredFlush{key, fn})
}

// Undefer withdraws the flush registered under key, if any.
func (tx *Tx) Undefer(key any) {
	for i := range tx.deferred {
		if tx.deferred[i].key == key {
			tx.deferred = append(tx.deferred[:i], tx.deferred[i+1:]...)
			return
		}
	}
}

// FlushDeferred runs and withdraws the registered flushes whose key match
// accepts (all of them with a nil match), in the order they were
// registered, including any registered meanwhile. It stops at the first
// error, which the transaction's Commit would also report.
func (tx *Tx) FlushDeferred(match func(key any) bool) error {
	for i := 0; i < len(tx.deferred); {
		d := tx.deferred[i]
		if match != nil && !match(d.key) {
			i++
			continue
		}
		tx.deferred = append(tx.deferred[:i], tx.deferred[i+1:]...)
		if err := d.fn(); err != nil {
			return err
		}
		i = 0 // fn may have registered or withdrawn others
	}
	return nil
}

// Begin opens a nested transaction over this one's tentative state, once
// the flushes registered with Defer have run.
func (tx *Tx) Begin() (*Tx, error) {
	if err := tx.usable(); err != nil {
		return nil, err
	}
	if err := tx.FlushDeferred(nil); err != nil {
		return nil, err
	}
	c := &Tx{s: tx.s, parent: tx, snap: tx.snap, writable: tx.writable}
	if tx.writable {
		c.dirty = map[LBA]dirtyBlock{}
	}
	tx.child = c
	return c, nil
}

// Rollback discards the transaction's writes. Rolling back an ended
// transaction returns ErrTxDone.
func (tx *Tx) Rollback() error {
	if tx.done {
		return ErrTxDone
	}
	if tx.child != nil {
		tx.child.Rollback()
	}
	tx.done = true
	tx.deferred = nil
	tx.returnLBAs(tx.allocs)
	if tx.parent != nil {
		tx.parent.child = nil
		return nil
	}
	tx.s.releaseSnap(tx.snap.gen, tx.writable)
	return nil
}

// returnLBAs puts LBAs that were never committed back on the free list.
func (tx *Tx) returnLBAs(lbas []LBA) {
	if len(lbas) == 0 {
		return
	}
	s := tx.s
	s.mu.Lock()
	s.putFreeLBAsLocked(lbas)
	s.mu.Unlock()
}

// putFreeLBAsLocked returns LBAs to the free list. Caller holds s.mu.
func (s *Store) putFreeLBAsLocked(lbas []LBA) {
	for _, l := range lbas {
		s.mu.freeLBAs = append(s.mu.freeLBAs, lbaRange{l, l + 1})
	}
}

// releaseSnap forgets one live snapshot of generation gen, a top-level
// write transaction's when writer is set.
func (s *Store) releaseSnap(gen uint64, writer bool) {
	s.mu.Lock()
	if s.mu.snaps[gen]--; s.mu.snaps[gen] <= 0 {
		delete(s.mu.snaps, gen)
	}
	if writer {
		s.mu.writers--
	}
	s.mu.Unlock()
}

// Commit ends the transaction. A nested transaction merges into its
// parent. A top-level write transaction becomes durable and visible
// atomically; Commit returns when it is durable (or at once with NoSync).
// On error the transaction is rolled back.
func (tx *Tx) Commit() error {
	if err := tx.usable(); err != nil {
		return err
	}
	if err := tx.flushForCommit(); err != nil {
		return err
	}
	if p := tx.parent; p != nil {
		for lba, d := range tx.dirty {
			p.dirty[lba] = d
		}
		p.allocs = append(p.allocs, tx.allocs...)
		p.freeing = p.freeing || tx.freeing
		tx.done = true
		p.child = nil
		return nil
	}
	if !tx.writable || len(tx.dirty) == 0 {
		tx.done = true
		tx.returnLBAs(tx.allocs)
		tx.s.releaseSnap(tx.snap.gen, tx.writable)
		return nil
	}
	if tx.s.opts.NoSync {
		wait, err := tx.commitAsync()
		if err != nil {
			return err
		}
		return wait()
	}
	req := tx.prepare()
	err := tx.s.commitDurable(req)
	tx.finishCommit(req, req.err == nil)
	return err // a refusal (req.err), the sync's failure, or nil
}

// CommitAsync commits a top-level write transaction in two steps. When it
// returns without error, the commit is applied: write transactions that
// begin afterwards see it, and it can no longer fail with ErrConflict. The
// returned wait function blocks until the commit is durable (NoSync: until
// its superblock is written) and read transactions see it; it returns an
// error wrapping ErrFailed if the disk failed. A caller that serializes
// its writers (sqlfront) releases its lock between the two steps, so the
// next writer applies while this one waits, and their syncs are shared.
// Nested and read transactions commit at once and return a no-op wait.
func (tx *Tx) CommitAsync() (wait func() error, err error) {
	if err := tx.usable(); err != nil {
		return nil, err
	}
	if err := tx.flushForCommit(); err != nil {
		return nil, err
	}
	if tx.parent != nil || !tx.writable || len(tx.dirty) == 0 {
		if err := tx.Commit(); err != nil {
			return nil, err
		}
		return func() error { return nil }, nil
	}
	return tx.commitAsync()
}

// flushForCommit runs the flushes registered with Defer before a commit;
// if one fails, the transaction is rolled back and the error returned.
func (tx *Tx) flushForCommit() error {
	if err := tx.FlushDeferred(nil); err != nil {
		tx.Rollback()
		return err
	}
	return nil
}

// commitAsync applies a top-level write transaction and returns the wait
// for its durability.
func (tx *Tx) commitAsync() (func() error, error) {
	s := tx.s
	req := tx.prepare()
	gen, err := s.apply(req)
	tx.finishCommit(req, err == nil)
	if err != nil {
		return nil, err
	}
	return func() error { return s.persist(gen, !s.opts.NoSync) }, nil
}

// finishCommit ends a top-level transaction whose commit request was
// applied, or refused (then its allocations go back).
func (tx *Tx) finishCommit(req *commitReq, applied bool) {
	tx.done = true
	tx.s.releaseSnap(tx.snap.gen, tx.writable)
	if applied {
		tx.returnLBAs(req.freshFreed)
	} else {
		tx.returnLBAs(tx.allocs)
	}
}

// prepare turns the tentative writes into a commit request, packing the
// blocks in the committer's own goroutine so committers pack in parallel.
// A large transaction packs its blocks on several goroutines (up to
// GOMAXPROCS): packing is most of the CPU time of a commit.
func (tx *Tx) prepare() *commitReq {
	fresh := make(map[LBA]bool, len(tx.allocs))
	for _, l := range tx.allocs {
		fresh[l] = true
	}
	req := &commitReq{snapGen: tx.snap.gen, freeing: tx.freeing}
	req.writes = make([]pendingWrite, 0, len(tx.dirty))
	// In LBA order: sorting the keys is cheaper than sorting the writes.
	lbas := make([]LBA, 0, len(tx.dirty))
	for lba := range tx.dirty {
		lbas = append(lbas, lba)
	}
	slices.Sort(lbas)
	for _, lba := range lbas {
		d := tx.dirty[lba]
		if d.freed && fresh[lba] {
			// Allocated and freed in this transaction: never mapped.
			req.freshFreed = append(req.freshFreed, lba)
			continue
		}
		req.writes = append(req.writes, pendingWrite{lba: lba, raw: d.data, body: d.data, freed: d.freed, fresh: fresh[lba], plain: d.plain})
	}
	if tx.s.opts.DisablePacking {
		return req
	}
	ws := req.writes
	inParts(ws, len(ws)/parallelPackMin, tx.s.packWrites)
	return req
}

// inParts runs work on up to workers parts of xs of about equal length,
// all but the first on goroutines of their own, and returns when all are
// done.
func inParts[T any](xs []T, workers int, work func([]T)) {
	workers = min(workers, runtime.GOMAXPROCS(0), len(xs))
	if workers <= 1 {
		work(xs)
		return
	}
	var wg sync.WaitGroup
	per := (len(xs) + workers - 1) / workers
	for lo := per; lo < len(xs); lo += per {
		wg.Add(1)
		go func(part []T) {
			defer wg.Done()
			work(part)
		}(xs[lo:min(lo+per, len(xs))])
	}
	work(xs[:per])
	wg.Wait()
}

// parallelPackMin is the number of blocks per extra packing goroutine.
const parallelPackMin = 16

// packWrites packs the blocks of ws in place. After 8 incompressible
// blocks in a row it tries only every 16th. The run of misses is kept per
// store, across transactions (a heuristic: racing committers may lose a
// count), so a workload of incompressible data stops paying for packing
// attempts after its first few blocks, while one success resumes them.
func (s *Store) packWrites(ws []pendingWrite) {
	misses := int(s.packMisses.Load())
	for i := range ws {
		w := &ws[i]
		if w.freed || w.plain {
			continue
		}
		if misses < 8 || misses%16 == 0 {
			w.body, w.flags = packData(w.raw, s.unit)
			if w.flags == 0 {
				misses++
			} else {
				misses = 0
			}
		} else {
			misses++
		}
	}
	s.packMisses.Store(int64(misses % (1 << 20)))
}

// packScratch holds buffers data blocks are packed into before the packed
// body is copied out (only when packing pays).
var packScratch sync.Pool

// packData is packBody for a data block, without allocating when the
// block does not pack: the packed body is a fresh slice of its own size.
func packData(raw []byte, unit int) ([]byte, uint8) {
	bp, _ := packScratch.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	if n := snappy.MaxEncodedLen(len(raw)); cap(*bp) < n {
		*bp = make([]byte, n)
	}
	body, flags := packBody((*bp)[:cap(*bp)], raw, unit)
	if flags != 0 {
		body = append([]byte(nil), body...)
	}
	packScratch.Put(bp)
	return body, flags
}
