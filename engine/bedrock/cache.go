package bedrock

import (
	"sync"
	"sync/atomic"
)

// cache holds plain (unpacked) block contents by physical address, bounded
// in bytes, with CLOCK eviction in independent shards. Entries are
// immutable: a block at an address never changes while any snapshot can
// read it, and an entry also records the generation so a reused address is
// never served stale.
//
// Each shard is one open-addressing hash table (linear probing, backward-
// shift deletion, at most half full) whose slots are the entries
// themselves, one 64-byte line each: a lookup touches the line of its home
// slot and rarely the next, where a Go map plus an entry array would miss
// the CPU cache two or three times. The CLOCK hand sweeps the table's
// slots.
//
// Each shard also remembers, in a small lossy table (memo), which evicted
// blocks a GetVerified check had passed on. A block's bytes at an address
// and generation never change and every read verifies them against the
// block checksum, so a block read back after its eviction need not be
// checked again: bxtree's leaves are then verified (every record digest)
// once per process, not once per cache miss.
type cache struct {
	shards   [cacheShards]cacheShard
	perShard int64
}

const (
	cacheShards   = 16
	cacheShardLog = 4
	// minCacheSlots is a shard table's initial size (a power of two).
	minCacheSlots = 8
)

// cacheShard is one lock's worth of the cache, padded against false
// sharing. The counters are the striped halves of Stats; hits and misses
// are counted under the lock the lookup holds anyway (no extra atomic on
// the read path).
type cacheShard struct {
	mu struct {
		sync.Mutex
		tab          []centry // len is a power of two, or 0 before the first put
		shift        uint     // 64 - log2(len(tab))
		n            int      // live entries
		hand         int
		bytes        int64
		hits, misses uint64
		memo         []memoEnt // memoSlots long once made; lossy: a slot keeps the last block put in it
		memoSlots    int       // a power of two
		memoShift    uint
	}
	evictions atomic.Uint64
	_         [64]byte // to three cache lines
}

// memoEnt names a block a check passed on: gen has memoFull set when the
// full check passed, else only the light one.
type memoEnt struct{ addr, gen uint64 }

// memoFull marks a memo entry of a fully checked block (generations stay
// far below it).
const memoFull = 1 << 63

// Check levels of a cached or remembered block.
const (
	levelNone  = 0
	levelLight = 1 // the light check of GetVerifiedLazy passed
	levelFull  = 2 // the GetVerified check passed
)

// centry is one cached block, or an empty slot (!used). It fills one
// 64-byte cache line.
type centry struct {
	addr, gen uint64
	lba       uint64 // the block's logical address: a hit must match it too
	data      []byte
	used      bool
	ref       bool
	checked   bool   // a GetVerified check passed on data
	light     bool   // a GetVerifiedLazy light check passed on data
	uses      uint16 // unchecked reads served by getUse (GetVerifiedLazy)
	_         [10]byte
}

// centryOverhead is what an entry costs besides its data: its slot, and
// the empty slot the half-full table keeps beside it.
const centryOverhead = 128

// memoPerBlock is how many memo slots a shard has per 4 KiB of its
// budget: the memo outlives the cache by about that factor (16 bytes per
// slot, so 8 slots cost 3% of the budget).
const memoPerBlock = 8

// newCache returns a cache of about size bytes; size <= 0 disables it.
func newCache(size int64) *cache {
	c := &cache{perShard: size / cacheShards}
	slots := 64
	for int64(slots) < memoPerBlock*c.perShard/4096 {
		slots *= 2
	}
	for i := range c.shards {
		c.shards[i].mu.memoSlots = slots
	}
	return c
}

// memoSlot is where addr's memo entry lives; nil when the shard has no
// memo yet and make is false. The memo is made on the first eviction of
// a checked block (not at open, where it would cost its zeroing).
func (sh *cacheShard) memoSlot(addr uint64, make bool) *memoEnt {
	if sh.mu.memo == nil {
		if !make {
			return nil
		}
		sh.mu.memo = newMemo(sh.mu.memoSlots)
		sh.mu.memoShift = 64
		for 1<<(64-sh.mu.memoShift) < sh.mu.memoSlots {
			sh.mu.memoShift--
		}
	}
	return &sh.mu.memo[(hashAddr(addr)<<cacheShardLog)>>sh.mu.memoShift]
}

// newMemo returns a memo of n slots.
func newMemo(n int) []memoEnt { return make([]memoEnt, n) }

// memoLevel returns the check level the block at addr written by gen had
// reached before it left the cache (levelNone if not remembered).
func (c *cache) memoLevel(addr, gen uint64) int {
	if c.perShard <= 0 || gen == 0 {
		return levelNone
	}
	sh := c.shard(addr)
	sh.mu.Lock()
	var m memoEnt
	if p := sh.memoSlot(addr, false); p != nil {
		m = *p
	}
	sh.mu.Unlock()
	switch {
	case m.addr != addr:
		return levelNone
	case m.gen == gen|memoFull:
		return levelFull
	case m.gen == gen:
		return levelLight
	}
	return levelNone
}

// hashAddr spreads a physical address: the top cacheShardLog bits pick the
// shard, the bits below them the home slot.
func hashAddr(addr uint64) uint64 { return addr * 0x9E3779B97F4A7C15 }

// shard picks the shard of an address.
func (c *cache) shard(addr uint64) *cacheShard {
	return &c.shards[hashAddr(addr)>>(64-cacheShardLog)]
}

// home is the slot where addr's probe sequence starts.
func (sh *cacheShard) home(addr uint64) int {
	return int((hashAddr(addr) << cacheShardLog) >> sh.mu.shift)
}

// findLocked returns the slot holding addr, or -1.
func (sh *cacheShard) findLocked(addr uint64) int {
	tab := sh.mu.tab
	if len(tab) == 0 {
		return -1
	}
	mask := len(tab) - 1
	for i := sh.home(addr); ; i = (i + 1) & mask {
		e := &tab[i]
		if !e.used {
			return -1
		}
		if e.addr == addr {
			return i
		}
	}
}

// get returns the cached block at addr written by gen, and whether a
// GetVerified check has passed on it.
func (c *cache) get(addr, gen, lba uint64) (data []byte, checked, ok bool) {
	sh := c.shard(addr)
	sh.mu.Lock()
	if i := sh.findLocked(addr); i >= 0 {
		if e := &sh.mu.tab[i]; e.gen == gen && e.lba == lba {
			e.ref = true
			d, ch := e.data, e.checked
			sh.mu.hits++
			sh.mu.Unlock()
			return d, ch, true
		}
	}
	sh.mu.misses++
	sh.mu.Unlock()
	return nil, false, false
}

// getUse is get that also counts, and returns, the unchecked reads of the
// block (before this one) since it was cached, and whether the light
// check passed on it.
func (c *cache) getUse(addr, gen, lba uint64) (data []byte, checked, light bool, uses int, ok bool) {
	sh := c.shard(addr)
	sh.mu.Lock()
	if i := sh.findLocked(addr); i >= 0 {
		if e := &sh.mu.tab[i]; e.gen == gen && e.lba == lba {
			e.ref = true
			d, ch, lt, u := e.data, e.checked, e.light, int(e.uses)
			if !ch && e.uses < 1<<16-1 {
				e.uses++
			}
			sh.mu.hits++
			sh.mu.Unlock()
			return d, ch, lt, u, true
		}
	}
	sh.mu.misses++
	sh.mu.Unlock()
	return nil, false, false, 0, false
}

// mark records that the checks of a cached block reached level
// (levelLight or levelFull).
func (c *cache) mark(addr, gen uint64, level int) {
	sh := c.shard(addr)
	sh.mu.Lock()
	if i := sh.findLocked(addr); i >= 0 && sh.mu.tab[i].gen == gen {
		e := &sh.mu.tab[i]
		e.light = true
		e.checked = e.checked || level >= levelFull
	}
	sh.mu.Unlock()
}

// put caches data as the block at addr written by gen, whose checks have
// reached level.
func (c *cache) put(addr, gen, lba uint64, data []byte, level int) {
	if c.perShard <= 0 {
		return
	}
	size := int64(len(data)) + centryOverhead
	if size > c.perShard {
		return
	}
	sh := c.shard(addr)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if i := sh.findLocked(addr); i >= 0 {
		sh.removeLocked(i) // replaced, and re-counted, below
	}
	for sh.mu.bytes+size > c.perShard && sh.mu.n > 0 {
		if sh.mu.hand >= len(sh.mu.tab) {
			sh.mu.hand = 0
		}
		e := &sh.mu.tab[sh.mu.hand]
		switch {
		case !e.used:
			sh.mu.hand++
		case e.ref:
			e.ref = false
			sh.mu.hand++
		default:
			// The backward shift may move a later entry into this slot;
			// the hand looks at it next.
			sh.removeLocked(sh.mu.hand)
			sh.evictions.Add(1)
		}
	}
	if 2*(sh.mu.n+1) > len(sh.mu.tab) {
		sh.growLocked()
	}
	sh.insertLocked(centry{addr: addr, gen: gen, lba: lba, data: data, used: true, checked: level >= levelFull, light: level >= levelLight})
	sh.mu.n++
	sh.mu.bytes += size
}

// insertLocked places e, whose address is not in the table, in the first
// free slot of its probe sequence.
func (sh *cacheShard) insertLocked(e centry) {
	tab := sh.mu.tab
	mask := len(tab) - 1
	i := sh.home(e.addr)
	for tab[i].used {
		i = (i + 1) & mask
	}
	tab[i] = e
}

// growLocked doubles the table (or makes the first one).
func (sh *cacheShard) growLocked() {
	old := sh.mu.tab
	size := max(minCacheSlots, 2*len(old))
	sh.mu.tab = make([]centry, size)
	sh.mu.shift = 64
	for 1<<(64-sh.mu.shift) < size {
		sh.mu.shift--
	}
	for i := range old {
		if old[i].used {
			sh.insertLocked(old[i])
		}
	}
	sh.mu.hand = 0
}

// removeLocked empties slot j and shifts later entries of the probe run
// back so that every entry stays reachable from its home slot.
func (sh *cacheShard) removeLocked(j int) {
	tab := sh.mu.tab
	mask := len(tab) - 1
	sh.mu.bytes -= int64(len(tab[j].data)) + centryOverhead
	sh.mu.n--
	if e := &tab[j]; e.checked {
		*sh.memoSlot(e.addr, true) = memoEnt{e.addr, e.gen | memoFull}
	} else if e.light {
		*sh.memoSlot(e.addr, true) = memoEnt{e.addr, e.gen}
	}
	for k := (j + 1) & mask; tab[k].used; k = (k + 1) & mask {
		// The entry at k may fill j if j lies on its probe path, that is,
		// if its home is no nearer to k than j is.
		if (k-sh.home(tab[k].addr))&mask >= (k-j)&mask {
			tab[j] = tab[k]
			j = k
		}
	}
	tab[j] = centry{}
}

// counts sums the striped counters.
func (c *cache) counts() (hits, misses, evictions uint64, bytes int64) {
	for i := range c.shards {
		sh := &c.shards[i]
		evictions += sh.evictions.Load()
		sh.mu.Lock()
		hits += sh.mu.hits
		misses += sh.mu.misses
		bytes += sh.mu.bytes
		sh.mu.Unlock()
	}
	return
}

// drop removes the entry of a block a commit has superseded: only older
// snapshots can still read it, and left in place it would hold the room
// of a live block until the CLOCK hand came round (a commit that rewrites
// a tree path supersedes as many blocks as it writes).
func (c *cache) drop(r ref) {
	if c.perShard <= 0 {
		return
	}
	sh := c.shard(r.addr)
	sh.mu.Lock()
	if i := sh.findLocked(r.addr); i >= 0 && sh.mu.tab[i].gen == r.gen {
		e := &sh.mu.tab[i]
		e.checked, e.light = false, false // nothing worth remembering (memo)
		sh.removeLocked(i)
	}
	sh.mu.Unlock()
}

// move re-keys the entry of a block the cleaner has copied from one place
// (and generation) to another.
func (c *cache) move(from, to ref) {
	if c.perShard <= 0 {
		return
	}
	sh := c.shard(from.addr)
	sh.mu.Lock()
	var data []byte
	level := levelNone
	var lba uint64
	if i := sh.findLocked(from.addr); i >= 0 && sh.mu.tab[i].gen == from.gen {
		e := &sh.mu.tab[i]
		data, lba = e.data, e.lba
		if e.checked {
			level = levelFull
		} else if e.light {
			level = levelLight
		}
		sh.removeLocked(i)
	}
	sh.mu.Unlock()
	if data != nil {
		c.put(to.addr, to.gen, lba, data, level)
	}
}
