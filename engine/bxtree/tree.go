package bxtree

import (
	"errors"
	"fmt"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// Tree is a handle on one tree inside one bedrock transaction. It belongs to
// that transaction and to one goroutine (see the package documentation).
type Tree struct {
	tx      *bedrock.Tx
	name    string
	root    bedrock.LBA // fixed for the tree's life (invariant 10)
	opts    Options
	payload int // block payload size of the store
	maxKey  int // MaxKeySize(payload)
	maxRec  int // MaxRecordSize(payload)
	minFill int // nodes below this many bytes are merged or rebalanced

	h     digester
	check func([]byte) error    // t.verifyBlock, made once for Tx.GetVerified
	light func([]byte) error    // t.verifyLayout, for Tx.GetVerifiedLazy
	dirty map[bedrock.LBA]*node // nodes modified since the last flush
	clean map[bedrock.LBA]*node // nodes equal to their blocks (n.enc)
	path  []step                // scratch for descents
	slab  []node                // nodes for load to hand out (newNode)
	sink  byte                  // keeps fetchLines' loads alive
	err   error                 // sticky error of a failed mutation
	// deferred: Flush is registered with the transaction (Tx.Defer)
	// while the dirty set holds nodes.
	deferred bool
	gen      uint64 // bumped by every mutation; cursors compare it
	stats    Stats
	// hintGen is t.gen after a Put whose path (t.path) the next Put may
	// reuse (hintedPath), 0 when there is none; hintOK carries put's
	// verdict to Put.
	hintGen  uint64
	hintOK   bool
	hintUsed int // Puts that reused the path (tests)
	maxClean int // bound of the clean-node cache (maxClean); tests lower it

	// Read transactions only: their snapshot never changes, so the root
	// and the internal nodes (few, and read by every descent) are kept as
	// views. Allocated on first use, so short-lived handles stay cheap.
	rootPage page
	rootOK   bool
	inner    map[bedrock.LBA]page

	// Read transactions only: the pages Get and cursors met, as a tree
	// rooted at croot (see pnode), so a descent or a scan finds a page it
	// met before without asking bedrock. slots counts the slots of the
	// kids arrays and leaves the leaves kept in them.
	croot        pnode
	crootOK      bool
	slots, leafs int
	maxSlots     int // from keptBudgets; tests lower them
	maxLeafs     int
}

// pnode is a page a read handle keeps, with the children it met below it:
// kids is nil until a child of the (internal) page is kept, then has one
// slot per entry, and kids[i].p.b is nil until child i has been read (and
// checked: level and, for leaves, layout and digests by the load-time
// check). A read transaction's snapshot never changes, so a kept page
// stays current for the handle's life; its block stays referenced (and in
// memory) as long as the handle is, which t.maxLeafs bounds.
//
// A page gets its kids array once its children have been read often
// enough for re-reads to be likely (keepKids), so a handle that reads a
// few records allocates nothing. The arrays hold at most t.maxSlots
// slots (about 64 bytes each) and at most t.maxLeafs leaves (keptBudgets:
// a quarter of bedrock's cache, 4096 at least): a long read transaction
// references at most that many leaf blocks beyond what bedrock's cache
// holds anyway (usually the same blocks), so a full scan of a tree larger
// than the cache does not keep the tree in memory.
type pnode struct {
	p        page
	kids     []pnode
	visits   int
	searches int      // childIndex calls before pfx was made
	pfx      []uint64 // separator prefixes of an internal page (see sepPrefixes)
}

// pfxAfter is how many descents through a kept internal page make it build
// its separator prefixes: a page passed that often is likely passed again.
const pfxAfter = 8

// childIndex is p.childIndex for the kept page pn: after pfxAfter calls it
// searches an array of the separators' first 8 bytes instead of the
// entries (sepPrefixes), which touches a third of the cache lines.
func (t *Tree) childIndex(pn *pnode, key []byte) int {
	if pn.pfx == nil {
		if pn.searches++; pn.searches < pfxAfter || t.slots+pn.p.n/8 > t.maxSlots {
			return pn.p.childIndex(key)
		}
		pn.pfx = sepPrefixes(&pn.p)
		t.slots += pn.p.n / 8
	}
	return childIndexPfx(&pn.p, pn.pfx, key)
}

// The least kept-page budgets of a read handle; keptBudgets raises them
// with the store's cache.
const (
	maxSlots = 1 << 16
	maxLeafs = 1 << 12 // 16 MiB of 4 KiB blocks
)

// keptBudgets returns the kept-page budgets (slots, leaves) of a read
// handle on a store whose cache holds cacheBytes of blockSize blocks: as
// many leaves as a quarter of the cache holds, at least maxLeafs, and
// twice as many slots, at least maxSlots. The kept leaves are mostly the
// blocks the cache holds anyway; a handle pins at most a quarter of the
// cache's worth beyond it, however long it runs.
func keptBudgets(cacheBytes int64, blockSize int) (slots, leafs int) {
	leafs = maxLeafs
	if blockSize > 0 {
		leafs = int(max(int64(maxLeafs), cacheBytes/int64(blockSize)/4))
	}
	return max(maxSlots, 2*leafs), leafs
}

// step is one level of a write descent: a node and the entry followed.
type step struct {
	n      *node
	i      int // index of the entry followed (internal); 0 for the leaf
	before int // n.size before the operation: only shrunken nodes merge
}

// newTree returns a handle on the tree rooted at root within tx.
func newTree(tx *bedrock.Tx, name string, root bedrock.LBA, o *Options, payload int) *Tree {
	o = o.EnsureDefaults()
	t := &Tree{
		tx:       tx,
		name:     name,
		root:     root,
		opts:     *o,
		payload:  payload,
		maxKey:   MaxKeySize(payload),
		maxRec:   MaxRecordSize(payload),
		minFill:  payload / 4,
		maxClean: maxClean,
	}
	if !tx.Writable() {
		st := tx.Store()
		t.maxSlots, t.maxLeafs = keptBudgets(st.CacheSize(), st.BlockSize())
	}
	t.h.init(o.DigestKey)
	t.check, t.light = t.verifyBlock, t.verifyLayout
	return t
}

// Name returns the tree's name ("" for the directory).
func (t *Tree) Name() string { return t.name }

// Root returns the tree's root block, its identity for its whole life.
func (t *Tree) Root() bedrock.LBA { return t.root }

// Tx returns the transaction the handle belongs to.
func (t *Tree) Tx() *bedrock.Tx { return t.tx }

// MaxKeySize returns the longest key Put accepts.
func (t *Tree) MaxKeySize() int { return t.maxKey }

// Stats returns the handle's block operation counters.
func (t *Tree) Stats() Stats { return t.stats }

// ResetStats zeroes the handle's block operation counters.
func (t *Tree) ResetStats() { t.stats = Stats{} }

// get reads block lba through the transaction without the load-time
// check, for the write path's leaves and root (load checks their layout),
// overflow blocks and Check.
func (t *Tree) get(lba bedrock.LBA) ([]byte, error) {
	t.stats.BlockReads++
	b, err := t.tx.Get(lba)
	if err != nil {
		return nil, t.blockErr(lba, err)
	}
	return b, nil
}

// blockErr wraps an error of reading block lba.
func (t *Tree) blockErr(lba bedrock.LBA, err error) error {
	if errors.Is(err, bedrock.ErrCorrupt) || errors.Is(err, bedrock.ErrNotAllocated) {
		// A bad or missing block under a tree is corruption of the tree
		// too: match both sentinels.
		return fmt.Errorf("%w: block %d: %w", ErrCorrupt, lba, err)
	}
	return fmt.Errorf("bxtree: block %d: %w", lba, err)
}

// maxInner bounds the internal-node cache of a read handle.
const maxInner = 1024

// readPage returns the view of node block lba for the read paths (see
// verify.go for what has been checked).
func (t *Tree) readPage(lba bedrock.LBA) (page, error) {
	if t.inner != nil {
		if p, ok := t.inner[lba]; ok {
			t.stats.BlockReads++
			t.stats.CacheHits++
			return p, nil
		}
	}
	b, err := t.read(lba)
	if err != nil {
		return page{}, err
	}
	p := viewPage(lba, b)
	if p.kind == kindInternal && !t.tx.Writable() {
		if t.inner == nil {
			t.inner = make(map[bedrock.LBA]page)
		}
		if len(t.inner) < maxInner {
			t.inner[lba] = p
		}
	}
	return p, nil
}

// rootView returns the view of the root block.
func (t *Tree) rootView() (page, error) {
	if t.rootOK {
		t.stats.BlockReads++
		t.stats.CacheHits++
		return t.rootPage, nil
	}
	b, err := t.read(t.root)
	if err != nil {
		return page{}, err
	}
	p := viewPage(t.root, b)
	if !t.tx.Writable() {
		t.rootPage, t.rootOK = p, true
	}
	return p, nil
}

// cachedRoot returns the kept root of a read handle, or nil for a handle
// of a write transaction (whose blocks change with its writes).
func (t *Tree) cachedRoot() (*pnode, error) {
	if t.crootOK {
		t.stats.BlockReads++
		t.stats.CacheHits++
		return &t.croot, nil
	}
	if t.tx.Writable() {
		return nil, nil
	}
	p, err := t.rootView()
	if err != nil {
		return nil, err
	}
	t.croot, t.crootOK = pnode{p: p}, true
	return &t.croot, nil
}

// kid returns the child of the kept page pn at entry i like childPage, and
// its pnode when the child is (now) kept, or nil when the budget is spent.
func (t *Tree) kid(pn *pnode, i int, fetch bool) (page, *pnode, error) {
	if pn.kids == nil {
		if !t.keepKids(pn) {
			c, err := t.childPage(&pn.p, i, fetch)
			return c, nil, err
		}
	}
	k := &pn.kids[i]
	if k.p.b != nil {
		t.stats.BlockReads++
		t.stats.CacheHits++
		if fetch && k.p.leaf() {
			t.fetchLines(k.p.b)
		}
		return k.p, k, nil
	}
	c, err := t.childPage(&pn.p, i, fetch)
	if err != nil {
		return page{}, nil, err
	}
	if c.leaf() {
		if t.leafs >= t.maxLeafs {
			return c, nil, nil
		}
		t.leafs++
	}
	k.p = c
	return c, k, nil
}

// keepKids counts a read of a child of the kept page pn that found no
// kids array, and gives pn one when pn's children have been read often
// enough (a quarter as often as pn has children, and twice at least) for
// re-reads to be likely, and the budget allows. It reports whether pn has
// kids now.
func (t *Tree) keepKids(pn *pnode) bool {
	pn.visits++
	if pn.visits < max(2, pn.p.n/4) || t.slots+pn.p.n > t.maxSlots {
		return false
	}
	pn.kids = make([]pnode, pn.p.n)
	t.slots += pn.p.n
	return true
}

// keepLeaves stores the leaves at entries i, i+1, ... of the kept level-1
// page pn (read by readLeaves) in its kids, as far as the budget allows,
// and returns the kept node of the first one or nil.
func (t *Tree) keepLeaves(pn *pnode, i int, leaves []page) *pnode {
	if pn.kids == nil && !t.keepKids(pn) {
		return nil
	}
	n := min(len(leaves), t.maxLeafs-t.leafs)
	for k := 0; k < n; k++ {
		if pn.kids[i+k].p.b == nil {
			pn.kids[i+k].p = leaves[k]
			t.leafs++
		}
	}
	if n <= 0 {
		return nil
	}
	return &pn.kids[i]
}

// childPage reads the child of p at entry i and checks its level, which
// the load-time check of one block cannot (so a cycle of blocks cannot
// make a descent loop). fetch asks for all lines of a leaf child at once
// (fetchLines), for callers about to binary-search it; scans do better
// without (the hardware prefetcher follows them).
func (t *Tree) childPage(p *page, i int, fetch bool) (page, error) {
	var c page
	if p.level == 1 {
		// A leaf: never in the internal-node cache.
		lba := p.child(i)
		b, err := t.read(lba)
		if err != nil {
			return page{}, err
		}
		if fetch {
			t.fetchLines(b) // before the header, so its miss overlaps the rest
		}
		c = viewPage(lba, b)
	} else {
		var err error
		if c, err = t.readPage(p.child(i)); err != nil {
			return page{}, err
		}
	}
	if c.level+1 != p.level {
		return page{}, corruptf("block %d: child %d of block %d has level %d, want %d", c.lba, i, p.lba, c.level, p.level-1)
	}
	return c, nil
}

// readLeaves reads the leaves at entries i, i+1, ... of the level-1 page p
// into out, checking levels and emptiness like childPage and push, and
// returns how many it read: all of out, or fewer when a later one fails
// (its error is left for the read that needs it). The blocks are read
// first and their first cache lines touched together afterwards, so the
// CPU waits for those misses once, not once per leaf.
func (t *Tree) readLeaves(p *page, i int, out []page) (int, error) {
	var blocks [1 + readahead][]byte
	n := 0
	for ; n < len(out); n++ {
		b, err := t.read(p.child(i + n))
		if err != nil {
			if n == 0 {
				return 0, err
			}
			break
		}
		blocks[n] = b
	}
	var x byte
	for _, b := range blocks[:n] {
		if len(b) > 0 {
			x |= b[0]
		}
	}
	t.sink = x
	for k := 0; k < n; k++ {
		c := viewPage(p.child(i+k), blocks[k])
		if c.level+1 != p.level || c.n == 0 {
			if k == 0 {
				return 0, corruptf("block %d: child %d of block %d has level %d (want %d) and %d elements", c.lba, i, p.lba, c.level, p.level-1, c.n)
			}
			return k, nil
		}
		out[k] = c
	}
	return n, nil
}

// maxClean bounds the clean-node cache of a handle.
const maxClean = 4096

// load returns the node of block lba for modification, as a view (see
// node): the dirty copy if there is one, else the cached node of the block
// if the transaction still holds that very block, else a fresh view.
// inner tells that lba must hold an internal node (the child of a node
// above level 1): its block is read with the load-time check of the read
// paths (for an internal node the same layout check, but bedrock caches
// its success); other blocks are read plainly and their layout checked
// here, without digests (see verify.go).
func (t *Tree) load(lba bedrock.LBA, inner bool) (*node, error) {
	if n, ok := t.dirty[lba]; ok {
		return n, nil
	}
	var b []byte
	var err error
	if inner {
		b, err = t.read(lba)
	} else {
		b, err = t.get(lba)
	}
	if err != nil {
		return nil, err
	}
	// Blocks are immutable, so the same slice means the same bytes: the
	// cached node is current even if other handles wrote in between.
	if n, ok := t.clean[lba]; ok && sameSlice(n.enc, b) {
		return n, nil
	}
	if !inner {
		if why := checkNode(b, t.payload, nil); why != "" {
			return nil, corruptf("block %d: %s", lba, why)
		}
	}
	n := t.newNode(lba)
	if len(b) > 0 {
		n.level, n.size, n.enc, n.view = int(b[2]), len(b), b, true
	}
	if t.tx.Writable() {
		t.keepClean(n)
	}
	return n, nil
}

// newNode returns a new empty leaf for block lba, from a slab of nodes so
// that loads do not allocate one by one.
func (t *Tree) newNode(lba bedrock.LBA) *node {
	if len(t.slab) == 0 {
		t.slab = make([]node, 32)
	}
	n := &t.slab[0]
	t.slab = t.slab[1:]
	n.lba, n.size = lba, headerSize
	return n
}

// keepClean remembers n, whose block is n.enc, for later loads.
func (t *Tree) keepClean(n *node) {
	if t.clean == nil {
		t.clean = make(map[bedrock.LBA]*node)
	} else if len(t.clean) >= t.maxClean {
		clear(t.clean)
	}
	t.clean[n.lba] = n
}

// sameSlice reports whether a and b are the same non-empty slice.
func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}

// loadChild loads the child of n at entry i and checks its level.
func (t *Tree) loadChild(n *node, i int) (*node, error) {
	c, err := t.load(n.child(i), n.level > 1)
	if err != nil {
		return nil, err
	}
	if c.level != n.level-1 {
		return nil, corruptf("block %d: child %d of block %d has level %d, want %d", c.lba, i, n.lba, c.level, n.level-1)
	}
	return c, nil
}

// markDirty records that n was modified and must be written at flush.
func (t *Tree) markDirty(n *node) {
	if t.dirty == nil {
		t.dirty = make(map[bedrock.LBA]*node)
	}
	t.dirty[n.lba] = n
}

// alloc returns a new empty node at a freshly allocated block. Internal
// nodes take their LBAs apart from the leaves' (bedrock's AllocApart):
// a commit of random updates rewrites most level-1 nodes (their counts and
// digests change), and kept together they share a few map segments.
func (t *Tree) alloc(level int) (*node, error) {
	alloc := t.tx.Alloc
	if level > 0 {
		alloc = t.tx.AllocApart
	}
	lba, err := alloc()
	if err != nil {
		return nil, err
	}
	t.stats.BlocksAllocated++
	n := newLeaf(lba)
	n.level = level
	t.markDirty(n)
	return n, nil
}

// free releases node n's block.
func (t *Tree) free(n *node) error {
	delete(t.dirty, n.lba)
	delete(t.clean, n.lba)
	t.stats.BlocksFreed++
	return t.tx.Free(n.lba)
}

// Flush encodes every node modified through this handle into its block. It
// is a no-op on an Eager handle. Correctness never needs it (the
// transaction flushes deferred handles before it commits or begins a
// child; see the package documentation): it serves callers that read the
// tree's blocks directly, or want the work done at a point of their
// choosing.
func (t *Tree) Flush() error {
	if t.err != nil {
		return t.err
	}
	if err := t.flush(); err != nil {
		t.gen++ // cursors must notice (see Cursor)
		t.err = err
		return err
	}
	if t.deferred {
		t.tx.Undefer(t)
		t.deferred = false
	}
	return nil
}

// flush writes the dirty set.
func (t *Tree) flush() error {
	t.hintGen = 0 // the path's nodes leave the dirty set
	for lba, n := range t.dirty {
		if n.size > t.payload {
			panic(fmt.Sprintf("bxtree: flushing node %d of %d bytes", lba, n.size))
		}
		delete(t.dirty, lba)
		b := n.image()
		if b == nil {
			continue // unchanged
		}
		put := t.tx.Put
		if !n.isLeaf() {
			// Rewritten by nearly every commit (counts and digests on
			// every path) and a small share of the space: packing them
			// would cost commits more than it saves.
			put = t.tx.PutPlain
		}
		if err := put(lba, b); err != nil {
			return err
		}
		t.stats.BlockWrites++
		n.enc, n.unwritten, n.splices = b, false, 0
		// The next edit of a leaf splices this image; the next change of
		// an internal node's summaries patches a copy of it.
		n.toView()
		t.keepClean(n)
	}
	return nil
}

// beginRead makes the blocks current before a read: it flushes a deferred
// dirty set and reports a sticky error.
func (t *Tree) beginRead() error {
	if t.err != nil {
		return t.err
	}
	if len(t.dirty) > 0 {
		return t.Flush()
	}
	return nil
}

// beginWrite checks that the handle can mutate.
func (t *Tree) beginWrite() error {
	if t.err != nil {
		return t.err
	}
	if !t.tx.Writable() {
		return fmt.Errorf("bxtree: write in a read-only transaction: %w", bedrock.ErrReadOnly)
	}
	return nil
}

// endWrite finishes a mutation: on success it flushes (unless deferred), on
// failure it poisons the handle.
func (t *Tree) endWrite(err error) error {
	t.gen++
	if err == nil && t.opts.Eager {
		err = t.flush()
	}
	if err != nil {
		t.err = err
	}
	if !t.opts.Eager && len(t.dirty) > 0 && !t.deferred {
		// The transaction flushes what is left before it commits or
		// begins a child (a poisoned handle then fails the commit; an
		// eager one drops the failed call's nodes, as the blocks still
		// hold the tree as it was before the call).
		t.tx.Defer(t, t.Flush)
		t.deferred = true
	}
	return err
}

// descend loads the nodes from the root to the leaf that covers key, for
// modification. The leaf step's index is left at 0.
func (t *Tree) descend(key []byte) ([]step, error) {
	t.hintGen = 0 // t.path is overwritten
	path := t.path[:0]
	n, err := t.load(t.root, false)
	if err != nil {
		return nil, err
	}
	for !n.isLeaf() {
		i := n.childIndex(key)
		path = append(path, step{n, i, n.size})
		if n, err = t.loadChild(n, i); err != nil {
			return nil, err
		}
	}
	path = append(path, step{n, 0, n.size})
	t.path = path
	return path, nil
}

// Put inserts the record (key, version, value) or replaces the record with
// that key. It copies key and value.
func (t *Tree) Put(key []byte, version uint64, value []byte) error {
	if err := t.beginWrite(); err != nil {
		return err
	}
	if len(key) > t.maxKey {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrKeyTooLarge, len(key), t.maxKey)
	}
	if uint64(len(value)) > MaxValueSize {
		return fmt.Errorf("%w: %d bytes", ErrValueTooLarge, len(value))
	}
	err := t.endWrite(t.put(key, version, value))
	t.hintGen = 0
	if err == nil && t.hintOK {
		t.hintGen = t.gen
	}
	t.hintOK = false
	return err
}

// put does the work of Put. It leaves t.hintOK set when the next Put may
// reuse its path: on a deferred handle (whose path nodes stay in the
// dirty set until a flush, which drops the hint) and when the tree's shape
// did not change (no block allocated or freed: no split, merge or root
// change, no overflow chain).
func (t *Tree) put(key []byte, version uint64, value []byte) error {
	allocated, freed := t.stats.BlocksAllocated, t.stats.BlocksFreed
	path := t.hintedPath(key)
	hinted := path != nil // its nodes are in the dirty set
	if !hinted {
		var err error
		if path, err = t.descend(key); err != nil {
			return err
		}
	}
	leaf := path[len(path)-1].n
	i, found := leaf.search(key)

	// NB: r.key and r.value alias the caller's buffers until editLeaf
	// copies them.
	r := record{key: key, value: value, version: version, vlen: uint64(len(value))}
	r.digest = t.h.sum(key, version, value)
	if slotSize+len(key)+len(value) > t.maxRec {
		r.value = nil
		var err error
		if r.first, err = t.writeOverflow(value); err != nil {
			return err
		}
	}

	var delta Summary // change of the summary of every node on the path
	if found {
		old := leaf.rec(i)
		if old.spilled() {
			if err := t.freeOverflow(old.first, old.vlen); err != nil {
				return err
			}
		}
		delta.Digest = old.digest.Xor(r.digest)
	} else {
		delta = Summary{Count: 1, Digest: r.digest}
	}
	t.editLeaf(leaf, i, found, &r)
	appended := !found && i == leaf.len()-1
	if err := t.applyDelta(path, delta, +1, appended, hinted); err != nil {
		return err
	}
	t.hintOK = !t.opts.Eager && t.stats.BlocksAllocated == allocated && t.stats.BlocksFreed == freed
	return nil
}

// hintedPath returns the path of the previous Put (t.path) for key, or
// nil: when that Put left a hint (see put), nothing mutated the handle
// since (t.gen), nothing descended (a Delete of a missing key mutates
// nothing but rewrites t.path) or flushed since (both clear t.hintGen),
// and key lies in the leaf the path leads to, which the separators on
// the path tell (entry i of a node covers the keys from separator i, up
// to separator i+1). The path's nodes are then in the dirty set (the
// previous Put marked them; only a flush or a free, which such a Put did
// not make, takes nodes out), so put skips marking them, and a Put of
// ascending keys descends once per leaf instead of once per key.
func (t *Tree) hintedPath(key []byte) []step {
	if t.hintGen == 0 || t.hintGen != t.gen {
		return nil
	}
	path := t.path
	for k := 0; k < len(path)-1; k++ {
		n, i := path[k].n, path[k].i
		if i >= n.len() || n.child(i) != path[k+1].n.lba ||
			i > 0 && cmpKey(n.sep(i), key) > 0 ||
			i+1 < n.len() && cmpKey(key, n.sep(i+1)) >= 0 {
			return nil
		}
	}
	for k := range path {
		path[k].before = path[k].n.size
	}
	t.hintUsed++
	return path
}

// maxSplices bounds the splices of one leaf between two flushes of a
// deferred handle: each copies the whole leaf, so a leaf edited more often
// in one batch is decoded instead, and encoded once at flush.
const maxSplices = 4

// editLeaf replaces record i of leaf n by r (replace), inserts r before
// record i (!replace), or removes record i (r nil). It splices a view when
// the result fits the block (a deferred handle at most maxSplices times
// per leaf and flush); otherwise the leaf is decoded and changed in place
// (and split by fixUp if it overflows). r's key and value may alias the
// caller's buffers: editLeaf copies them.
func (t *Tree) editLeaf(n *node, i int, replace bool, r *record) {
	j := i
	if replace || r == nil {
		j = i + 1
	}
	if n.view && (t.opts.Eager || n.splices < maxSplices) {
		size := n.size
		if j > i {
			old := n.rec(i)
			size -= old.encSize()
		}
		if r != nil {
			size += r.encSize()
		}
		if size <= t.payload {
			n.splice(i, j, r)
			n.splices++
			return
		}
	}
	n.materialize()
	if r == nil {
		n.removeRec(i)
		return
	}
	c := *r
	if c.spilled() {
		c.key = append([]byte(nil), r.key...)
	} else {
		// One private buffer for key and value.
		buf := make([]byte, len(r.key)+len(r.value))
		copy(buf, r.key)
		copy(buf[len(r.key):], r.value)
		c.key, c.value = buf[:len(r.key):len(r.key)], buf[len(r.key):]
	}
	if replace {
		n.setRec(i, c)
	} else {
		n.insertRec(i, c)
	}
}

// applyDelta adds (sign +1) or subtracts (sign -1) delta from the entries
// along path, marks the path dirty (unless it is already: a hinted path)
// and restores the size invariants bottom up. appended tells that the leaf
// change was an insert at its right end.
func (t *Tree) applyDelta(path []step, delta Summary, sign int, appended, dirty bool) error {
	for k := range path {
		s := &path[k]
		if !dirty {
			t.markDirty(s.n)
		}
		if !s.n.isLeaf() {
			e := s.n.entSummary(s.i)
			if sign > 0 {
				e.Count += delta.Count
			} else {
				e.Count -= delta.Count
			}
			s.n.setSummary(s.i, Summary{e.Count, e.Digest.Xor(delta.Digest)})
		}
	}
	return t.fixUp(path, appended)
}

// Delete removes the record with key and reports whether it existed.
func (t *Tree) Delete(key []byte) (bool, error) {
	if err := t.beginWrite(); err != nil {
		return false, err
	}
	found, err := t.del(key)
	if err == nil && !found {
		return false, nil // nothing changed
	}
	return found, t.endWrite(err)
}

// del does the work of Delete.
func (t *Tree) del(key []byte) (bool, error) {
	path, err := t.descend(key)
	if err != nil {
		return false, err
	}
	leaf := path[len(path)-1].n
	i, found := leaf.search(key)
	if !found {
		return false, nil
	}
	old := leaf.rec(i)
	if old.spilled() {
		if err := t.freeOverflow(old.first, old.vlen); err != nil {
			return true, err
		}
	}
	t.editLeaf(leaf, i, false, nil)
	return true, t.applyDelta(path, Summary{Count: 1, Digest: old.digest}, -1, false, false)
}

// Get returns the value and version of the record with key. The value is
// read-only. The record was verified against its digest when its leaf was
// loaded (or, for a spilled value, is verified now).
func (t *Tree) Get(key []byte) (value []byte, version uint64, ok bool, err error) {
	if t.err != nil {
		return nil, 0, false, t.err
	}
	if len(t.dirty) > 0 {
		return t.getDirty(key)
	}
	pn, err := t.cachedRoot()
	if err != nil {
		return nil, 0, false, err
	}
	var p page
	if pn != nil {
		p = pn.p
		for !p.leaf() && pn != nil {
			i := t.childIndex(pn, key)
			if p.level == 1 {
				if pn.kids == nil || pn.kids[i].p.b == nil {
					return t.getLeaf(&p, i, key)
				}
				p = pn.kids[i].p // a kept leaf: verified
				t.stats.BlockReads++
				t.stats.CacheHits++
				break
			}
			if p, pn, err = t.kid(pn, i, true); err != nil {
				return nil, 0, false, err
			}
		}
	} else if p, err = t.rootView(); err != nil {
		return nil, 0, false, err
	}
	for !p.leaf() {
		i := p.childIndex(key)
		if p.level == 1 {
			return t.getLeaf(&p, i, key)
		}
		if p, err = t.childPage(&p, i, true); err != nil {
			return nil, 0, false, err
		}
	}
	i, found := p.search(key)
	if !found {
		return nil, 0, false, nil
	}
	_, value, version, err = t.recordAt(&p, i)
	if err != nil {
		return nil, 0, false, err
	}
	return value, version, true, nil
}

// getLeaf looks key up in the leaf at entry i of the level-1 page parent,
// for Get. The leaf is read with Tx.GetVerifiedLazy: while bedrock has not
// checked it whole, only its layout and the digest of the record returned
// are verified (one digest instead of a leaf's worth for a cold read);
// once it has been read often, bedrock checks it whole and remembers.
func (t *Tree) getLeaf(parent *page, i int, key []byte) (value []byte, version uint64, ok bool, err error) {
	return t.lookupLeaf(parent.child(i), key)
}

// lookupLeaf reads the leaf at lba the way getLeaf describes and looks key
// up in it.
func (t *Tree) lookupLeaf(lba bedrock.LBA, key []byte) (value []byte, version uint64, ok bool, err error) {
	t.stats.BlockReads++
	// Unchecked, the block has passed the layout check (t.light).
	b, checked, err := t.tx.GetVerifiedLazy(lba, t.light, t.check)
	if err != nil {
		if ne, ok := err.(*nodeError); ok {
			return nil, 0, false, corruptf("block %d: %s", lba, ne.why)
		}
		return nil, 0, false, t.blockErr(lba, err)
	}
	t.fetchLines(b) // before the header, so its miss overlaps the rest
	p := viewPage(lba, b)
	if p.level != 0 {
		return nil, 0, false, corruptf("block %d: leaf expected, found level %d", lba, p.level)
	}
	j, found := p.search(key)
	if !found {
		return nil, 0, false, nil
	}
	k, value, first, vlen, spilled := p.record(j)
	version = p.version(j)
	if spilled {
		if value, err = t.readOverflow(first, vlen); err != nil {
			return nil, 0, false, err
		}
	}
	if (spilled || !checked) && t.h.sum(k, version, value) != p.digest(j) {
		return nil, 0, false, corruptf("block %d: record %d (key %q): digest mismatch", lba, j, k)
	}
	return value, version, true, nil
}

// getDirty is Get on a handle holding unflushed changes (not Eager): it
// descends through the dirty set, like a write, instead of flushing it, so
// a batch that reads between its writes (an UPDATE by key) still writes
// each node once. A leaf the handle has not changed is read the verified
// way getLeaf describes.
func (t *Tree) getDirty(key []byte) (value []byte, version uint64, ok bool, err error) {
	n, err := t.load(t.root, false)
	if err != nil {
		return nil, 0, false, err
	}
	for !n.isLeaf() {
		i := n.childIndex(key)
		if n.level == 1 {
			c := n.child(i)
			d, dirty := t.dirty[c]
			if !dirty {
				return t.lookupLeaf(c, key)
			}
			n = d
			break
		}
		if n, err = t.loadChild(n, i); err != nil {
			return nil, 0, false, err
		}
	}
	if _, dirty := t.dirty[n.lba]; !dirty {
		return t.lookupLeaf(n.lba, key)
	}
	i, found := n.search(key)
	if !found {
		return nil, 0, false, nil
	}
	r := n.rec(i)
	if !r.spilled() {
		return r.value, r.version, true, nil
	}
	if value, err = t.readOverflow(r.first, r.vlen); err != nil {
		return nil, 0, false, err
	}
	if t.h.sum(r.key, r.version, value) != r.digest {
		return nil, 0, false, corruptf("block %d: record %d (key %q): digest mismatch", n.lba, i, r.key)
	}
	return value, r.version, true, nil
}

// recordAt returns the key, value and version of record i of leaf p. An
// inline record was verified when p's block was loaded; a spilled value is
// read from its chain and verified against the record's digest here, on
// every read (the chain is read whole anyway).
func (t *Tree) recordAt(p *page, i int) (key, value []byte, version uint64, err error) {
	key, value, first, vlen, spilled := p.record(i)
	version = p.version(i)
	if spilled {
		if value, err = t.readOverflow(first, vlen); err != nil {
			return nil, nil, 0, err
		}
		if t.h.sum(key, version, value) != p.digest(i) {
			return nil, nil, 0, corruptf("block %d: record %d (key %q): digest mismatch", p.lba, i, key)
		}
	}
	return key, value, version, nil
}

// Len returns the number of records, or 0 if the root cannot be read (use
// Count(nil, nil) to see the error).
func (t *Tree) Len() uint64 {
	n, err := t.Count(nil, nil)
	if err != nil {
		return 0
	}
	return n
}
