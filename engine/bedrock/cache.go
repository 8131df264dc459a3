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
type cache struct {
	shards   [cacheShards]cacheShard
	perShard int64
}

const cacheShards = 16

// cacheShard is one lock's worth of the cache, padded against false
// sharing. The counters are the striped halves of Stats; hits and misses
// are counted under the lock the lookup holds anyway (no extra atomic on
// the read path).
type cacheShard struct {
	mu struct {
		sync.Mutex
		idx          map[uint64]int32
		ents         []centry
		hand         int
		bytes        int64
		hits, misses uint64
	}
	evictions atomic.Uint64
	_         [48]byte
}

// centry is one cached block.
type centry struct {
	addr, gen uint64
	lba       uint64 // the block's logical address: a hit must match it too
	data      []byte
	ref       bool
	checked   bool   // a GetVerified check passed on data
	uses      uint16 // unchecked reads served by getUse (GetVerifiedLazy)
}

const centryOverhead = 64

// newCache returns a cache of about size bytes; size <= 0 disables it.
func newCache(size int64) *cache {
	c := &cache{perShard: size / cacheShards}
	for i := range c.shards {
		c.shards[i].mu.idx = map[uint64]int32{}
	}
	return c
}

// shard picks the shard of an address.
func (c *cache) shard(addr uint64) *cacheShard {
	return &c.shards[(addr*0x9E3779B97F4A7C15)>>60]
}

// get returns the cached block at addr written by gen, and whether a
// GetVerified check has passed on it.
func (c *cache) get(addr, gen, lba uint64) (data []byte, checked, ok bool) {
	sh := c.shard(addr)
	sh.mu.Lock()
	if i, ok := sh.mu.idx[addr]; ok && sh.mu.ents[i].gen == gen && sh.mu.ents[i].lba == lba {
		e := &sh.mu.ents[i]
		e.ref = true
		d, ch := e.data, e.checked
		sh.mu.hits++
		sh.mu.Unlock()
		return d, ch, true
	}
	sh.mu.misses++
	sh.mu.Unlock()
	return nil, false, false
}

// getUse is get that also counts, and returns, the unchecked reads of the
// block (before this one) since it was cached.
func (c *cache) getUse(addr, gen, lba uint64) (data []byte, checked bool, uses int, ok bool) {
	sh := c.shard(addr)
	sh.mu.Lock()
	if i, ok := sh.mu.idx[addr]; ok && sh.mu.ents[i].gen == gen && sh.mu.ents[i].lba == lba {
		e := &sh.mu.ents[i]
		e.ref = true
		d, ch, u := e.data, e.checked, int(e.uses)
		if !ch && e.uses < 1<<16-1 {
			e.uses++
		}
		sh.mu.hits++
		sh.mu.Unlock()
		return d, ch, u, true
	}
	sh.mu.misses++
	sh.mu.Unlock()
	return nil, false, 0, false
}

// markChecked records that a GetVerified check passed on a cached block.
func (c *cache) markChecked(addr, gen uint64) {
	sh := c.shard(addr)
	sh.mu.Lock()
	if i, ok := sh.mu.idx[addr]; ok && sh.mu.ents[i].gen == gen {
		sh.mu.ents[i].checked = true
	}
	sh.mu.Unlock()
}

// put caches data as the block at addr written by gen.
func (c *cache) put(addr, gen, lba uint64, data []byte, checked bool) {
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
	if i, ok := sh.mu.idx[addr]; ok {
		e := &sh.mu.ents[i]
		sh.mu.bytes += int64(len(data)) - int64(len(e.data))
		e.gen, e.lba, e.data, e.ref, e.checked, e.uses = gen, lba, data, false, checked, 0
		return
	}
	for sh.mu.bytes+size > c.perShard && len(sh.mu.ents) > 0 {
		if sh.mu.hand >= len(sh.mu.ents) {
			sh.mu.hand = 0
		}
		e := &sh.mu.ents[sh.mu.hand]
		if e.ref {
			e.ref = false
			sh.mu.hand++
			continue
		}
		sh.evictLocked(sh.mu.hand)
		sh.evictions.Add(1)
	}
	sh.mu.idx[addr] = int32(len(sh.mu.ents))
	sh.mu.ents = append(sh.mu.ents, centry{addr: addr, gen: gen, lba: lba, data: data, checked: checked})
	sh.mu.bytes += size
}

// evictLocked removes entry i, moving the last entry into its place.
func (sh *cacheShard) evictLocked(i int) {
	e := sh.mu.ents[i]
	sh.mu.bytes -= int64(len(e.data)) + centryOverhead
	delete(sh.mu.idx, e.addr)
	last := len(sh.mu.ents) - 1
	if i != last {
		sh.mu.ents[i] = sh.mu.ents[last]
		sh.mu.idx[sh.mu.ents[i].addr] = int32(i)
	}
	sh.mu.ents[last] = centry{}
	sh.mu.ents = sh.mu.ents[:last]
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

// move re-keys the entry of a block the cleaner has copied from one place
// (and generation) to another.
func (c *cache) move(from, to ref) {
	if c.perShard <= 0 {
		return
	}
	sh := c.shard(from.addr)
	sh.mu.Lock()
	var data []byte
	var checked bool
	var lba uint64
	if i, ok := sh.mu.idx[from.addr]; ok && sh.mu.ents[i].gen == from.gen {
		data, checked, lba = sh.mu.ents[i].data, sh.mu.ents[i].checked, sh.mu.ents[i].lba
		sh.evictLocked(int(i))
	}
	sh.mu.Unlock()
	if data != nil {
		c.put(to.addr, to.gen, lba, data, checked)
	}
}
