package bedrock

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

// TestCacheEntryLine pins an entry to one 64-byte cache line.
func TestCacheEntryLine(t *testing.T) {
	if n := unsafe.Sizeof(centry{}); n != 64 {
		t.Fatalf("centry is %d bytes, want 64", n)
	}
}

// TestCacheModel drives the cache with random puts, gets, moves and
// re-puts against a model of what it may hold: a hit must return exactly
// the data last put at that address and generation, the byte bound must
// hold, every live entry must be reachable from its home slot, and a
// freshly put block must be a hit.
func TestCacheModel(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4} {
		rng := rand.New(rand.NewPCG(seed, 7))
		c := newCache(int64(rng.IntN(512)+16) << 10)
		type key struct{ addr, gen uint64 }
		model := map[key][]byte{} // what a hit may return
		latest := map[uint64]key{}
		for op := 0; op < 30000; op++ {
			addr := 1 + rng.Uint64N(4000)
			switch r := rng.IntN(10); {
			case r < 4: // put
				gen := rng.Uint64N(3)
				d := make([]byte, rng.IntN(100))
				for i := range d {
					d[i] = byte(rng.Uint32())
				}
				k := key{addr, gen}
				c.put(addr, gen, addr^0xff, d, levelNone)
				model[k] = d
				latest[addr] = k
				if got, _, ok := c.get(addr, gen, addr^0xff); !ok || string(got) != string(d) {
					t.Fatalf("seed %d op %d: fresh put of %d not a hit (%v)", seed, op, addr, ok)
				}
			case r < 5: // move
				k, ok := latest[addr]
				if !ok {
					continue
				}
				if _, _, ok := c.get(addr, k.gen, addr^0xff); !ok {
					continue // evicted: nothing to move
				}
				to := 1 + rng.Uint64N(4000)
				c.move(ref{addr: addr, gen: k.gen}, ref{addr: to, gen: k.gen + 1})
				model[key{to, k.gen + 1}] = model[k]
				latest[to] = key{to, k.gen + 1}
				if got, _, ok := c.get(to, k.gen+1, addr^0xff); !ok || string(got) != string(model[k]) {
					t.Fatalf("seed %d op %d: block moved from %d not at %d", seed, op, addr, to)
				}
				if _, _, ok := c.get(addr, k.gen, addr^0xff); ok && to != addr {
					t.Fatalf("seed %d op %d: moved block still at %d", seed, op, addr)
				}
			case r < 6: // drop, with the right generation or a wrong one
				k, ok := latest[addr]
				if !ok {
					continue
				}
				_, _, held := c.get(addr, k.gen, addr^0xff)
				gen := k.gen
				if rng.IntN(3) == 0 {
					gen++ // not the entry's: it stays
				}
				c.drop(ref{addr: addr, gen: gen})
				_, _, still := c.get(addr, k.gen, addr^0xff)
				if gen == k.gen && still {
					t.Fatalf("seed %d op %d: dropped block %d still cached", seed, op, addr)
				}
				if gen != k.gen && held && !still {
					t.Fatalf("seed %d op %d: drop of generation %d removed generation %d", seed, op, gen, k.gen)
				}
			default: // get
				gen := rng.Uint64N(4)
				d, _, ok := c.get(addr, gen, addr^0xff)
				if ok {
					want, known := model[key{addr, gen}]
					if !known || string(d) != string(want) {
						t.Fatalf("seed %d op %d: stale or wrong hit at %d gen %d", seed, op, addr, gen)
					}
				}
				if _, _, ok := c.get(addr, gen, addr); ok && addr != addr^0xff {
					t.Fatalf("seed %d op %d: hit under the wrong LBA", seed, op)
				}
			}
			if op%100 == 0 {
				checkCacheShape(t, c)
			}
		}
		checkCacheShape(t, c)
		hits, misses, _, _ := c.counts()
		if hits == 0 || misses == 0 {
			t.Fatalf("seed %d: hits %d misses %d", seed, hits, misses)
		}
	}
}

// checkCacheShape verifies each shard's byte count, bound, entry count and
// that every entry is found by a lookup of its address.
func checkCacheShape(t *testing.T, c *cache) {
	t.Helper()
	for s := range c.shards {
		sh := &c.shards[s]
		var bytes int64
		n := 0
		for i, e := range sh.mu.tab {
			if !e.used {
				continue
			}
			n++
			bytes += int64(len(e.data)) + centryOverhead
			if c.shard(e.addr) != sh {
				t.Fatalf("shard %d holds address %d of another shard", s, e.addr)
			}
			if j := sh.findLocked(e.addr); j != i {
				t.Fatalf("shard %d: address %d at slot %d, found at %d", s, e.addr, i, j)
			}
		}
		if n != sh.mu.n || bytes != sh.mu.bytes {
			t.Fatalf("shard %d: %d entries / %d bytes, counted %d / %d", s, n, bytes, sh.mu.n, sh.mu.bytes)
		}
		if bytes > c.perShard {
			t.Fatalf("shard %d: %d bytes over its bound %d", s, bytes, c.perShard)
		}
		if 2*n > len(sh.mu.tab) {
			t.Fatalf("shard %d: %d entries in %d slots", s, n, len(sh.mu.tab))
		}
	}
}

// TestCacheMemo: a block evicted after a check passed on it is remembered
// at its level (full or light), under its address and generation only; an
// unchecked one is not.
func TestCacheMemo(t *testing.T) {
	c := newCache(1 << 20)
	data := make([]byte, 3000)
	for addr := uint64(1); addr <= 2000; addr++ {
		c.put(addr, 7, addr, data, levelNone)
		switch addr % 4 {
		case 0:
			c.mark(addr, 7, levelFull)
		case 1:
			c.mark(addr, 7, levelLight)
		}
	}
	_, _, evictions, _ := c.counts()
	if evictions < 1000 {
		t.Fatalf("only %d evictions", evictions)
	}
	remembered := 0
	for addr := uint64(1); addr <= 2000; addr++ {
		if _, _, ok := c.get(addr, 7, addr); ok {
			continue // still cached
		}
		got := c.memoLevel(addr, 7)
		want := map[uint64]int{0: levelFull, 1: levelLight}[addr%4]
		if got != levelNone && got != want {
			t.Fatalf("block %d remembered at level %d, want %d", addr, got, want)
		}
		if got != levelNone {
			remembered++
		}
		if c.memoLevel(addr, 8) != levelNone {
			t.Fatalf("block %d remembered under another generation", addr)
		}
	}
	if remembered < 400 {
		t.Fatalf("only %d evicted checked blocks remembered", remembered)
	}
	if off := newCache(0); off.memoLevel(2, 7) != levelNone {
		t.Fatal("a disabled cache remembers")
	}
}

// TestCacheConcurrent runs lookups against writers that put,
// evict, grow and move entries: every hit must return exactly the block
// put under that address, generation and LBA (never a mixture of two
// entries). All blocks share one generation and LBA, so only the shard
// lock keeps a lookup from pairing one entry's address with another's
// data. Run it with -race too.
func TestCacheConcurrent(t *testing.T) {
	c := newCache(256 << 10)
	block := func(addr, gen uint64) []byte {
		b := make([]byte, 16+int(addr*7+gen)%200)
		binary.LittleEndian.PutUint64(b, addr)
		binary.LittleEndian.PutUint64(b[8:], gen)
		for i := 16; i < len(b); i++ {
			b[i] = byte(addr + gen + uint64(i))
		}
		return b
	}
	valid := func(d []byte, addr, gen uint64) bool {
		want := block(addr, gen)
		return string(d) == string(want)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var hits, bad atomic.Int64
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for {
				select {
				case <-stop:
					return
				default:
				}
				addr, gen := 1+rng.Uint64N(3000), uint64(1)
				if rng.IntN(8) == 0 {
					c.move(ref{addr: addr, gen: gen}, ref{addr: addr + 5000, gen: gen})
					continue
				}
				c.put(addr, gen, 1, block(addr, gen), levelNone)
			}
		}()
	}
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(r), 2))
			for {
				select {
				case <-stop:
					return
				default:
				}
				addr, gen := 1+rng.Uint64N(3000), uint64(1)
				if d, _, _, _, ok := c.getUse(addr, gen, 1); ok {
					hits.Add(1)
					if !valid(d, addr, gen) {
						bad.Add(1)
					}
				}
				// A moved block keeps its contents (its old address's).
				if d, _, ok := c.get(addr+5000, gen, 1); ok {
					hits.Add(1)
					if !valid(d, addr, gen) {
						bad.Add(1)
					}
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d of %d hits returned wrong contents", bad.Load(), hits.Load())
	}
	if hits.Load() == 0 {
		t.Fatal("no hits: the test tested nothing")
	}
	checkCacheShape(t, c)
}

// TestCacheShardSize keeps shards on whole cache lines.
func TestCacheShardSize(t *testing.T) {
	if n := unsafe.Sizeof(cacheShard{}); n%64 != 0 {
		t.Fatalf("cacheShard is %d bytes, not a multiple of 64", n)
	}
}

// TestCommitDropsSuperseded: a commit that rewrites blocks takes their old
// copies out of the cache (only older snapshots could read them), so a
// workload that rewrites the same blocks over and over keeps one cached
// copy of each, not one per commit; and an older snapshot still reads the
// old contents (from the file).
func TestCommitDropsSuperseded(t *testing.T) {
	s, err := Open("d.db", &Options{FS: NewMemFS(), CacheSize: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 50
	fill := func(round int) []byte {
		b := make([]byte, s.PayloadSize())
		for i := range b {
			b[i] = byte(i*7 + round)
		}
		return b
	}
	tx, _ := s.Begin(true)
	lbas := make([]LBA, n)
	for i := range lbas {
		lbas[i], _ = tx.Alloc()
		if err := tx.Put(lbas[i], fill(0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	old, _ := s.Begin(false) // a snapshot of round 0
	defer old.Rollback()
	for round := 1; round <= 20; round++ {
		tx, _ := s.Begin(true)
		for _, l := range lbas {
			if err := tx.Put(l, fill(round)); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	entries := 0
	for i := range s.cache.shards {
		sh := &s.cache.shards[i]
		sh.mu.Lock()
		entries += sh.mu.n
		sh.mu.Unlock()
	}
	if entries != n {
		t.Fatalf("cache holds %d blocks after 20 rewrites of %d, want %d", entries, n, n)
	}
	for _, l := range lbas {
		got, err := old.Get(l)
		if err != nil || !bytes.Equal(got, fill(0)) {
			t.Fatalf("old snapshot reads LBA %d: %v (equal %v)", l, err, bytes.Equal(got, fill(0)))
		}
	}
	cur, _ := s.Begin(false)
	defer cur.Rollback()
	for _, l := range lbas {
		if got, err := cur.Get(l); err != nil || !bytes.Equal(got, fill(20)) {
			t.Fatalf("LBA %d: %v", l, err)
		}
	}
}
