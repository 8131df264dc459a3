package bedrock

import "math/bits"

// allocator tracks which physical units are in use, one bit per unit. It is
// owned by the commit leader (Store.commitMu).
//
// Invariant A1: a unit's bit is set iff the unit belongs to a superblock
// slot, to a block of the current committed map, to a block written by a
// commit in flight, or to a block waiting in Store.pending to be released.
type allocator struct {
	bits     []uint64
	size     uint64 // units the store holds
	reserved uint64 // units 0..reserved-1 are the superblock slots
	// The zones [reserved, zoneMid) and [zoneMid, zoneEnd) are kept for
	// small commits whose superblock goes to slot 1 and slot 0
	// respectively (allocZone). The first lies right after slot 1: such a
	// commit and its superblock reach the disk as one write. The second is
	// the next stripe's data, right after its parity chunk: a commit there
	// is one write besides its superblock, into a stripe whose parity stays
	// cached. Other allocations use the zones only when nothing else is
	// free.
	zoneMid, zoneEnd uint64
	// firstZoneSlot is the slot whose commits use the first zone: 1 in
	// FormatV1 and V2 (right after slot 1), 0 in FormatV3 (right after
	// slot 0 and parity chunk 0; slot 1 then precedes the second zone).
	firstZoneSlot int
	cursor        uint64 // next-fit search start for data blocks (upwards)
	high          uint64 // search start for map blocks (downwards)
	free          uint64 // clear bits below size
	// written bounds the units known to have been written: every unit
	// taken since the store was opened, and every unit in use at open,
	// lies below it. Overwriting such a unit costs fdatasync no metadata,
	// where the first write into preallocated space makes the file system
	// convert an unwritten extent, a journal commit of its own (see
	// BenchmarkFdatasync). reuse is allocWritten's next-fit cursor.
	written, reuse uint64
	// fence is how many units at the top data blocks may not take: the
	// space kept for map blocks (Store.reserveUnits) lies there in one
	// run, so that a full store can always commit a transaction that
	// frees blocks, however fragmented the rest of the free space is
	// (map blocks take a whole block's units in one run). Map blocks
	// (allocHigh, allocNext) ignore it.
	fence uint64
	// noSlack, when not 0, is a size allocSlack found no hole for below
	// noSlackEnd since the last release or growth: it fails for that size
	// and larger at once while dataEnd stays there.
	noSlack, noSlackEnd uint64
}

// dataEnd is the end of the space data blocks may take (see fence).
func (a *allocator) dataEnd() uint64 {
	return max(a.size-min(a.fence, a.size), min(a.zoneEnd, a.size))
}

// reset makes an allocator of size units with the slots reserved.
func (a *allocator) reset(size, reserved uint64) {
	a.resetLazy(size, reserved)
	a.makeBits()
}

// resetLazy is reset but for the bitmap, which makeBits makes before any
// other use: open leaves it to settle, so that a store opened for a few
// reads never allocates it (its pages would be fresh memory, dear to
// touch).
func (a *allocator) resetLazy(size, reserved uint64) {
	a.bits = nil
	a.size, a.reserved, a.cursor, a.high, a.free, a.noSlack = size, reserved, reserved, size, size, 0
	a.written, a.reuse, a.zoneMid, a.zoneEnd, a.firstZoneSlot = 0, reserved, reserved, reserved, 1
}

// makeBits makes the bitmap of an allocator resetLazy left without one.
func (a *allocator) makeBits() {
	a.bits = make([]uint64, (a.size+63)/64)
	a.setRange(0, a.reserved)
}

// inRange reports whether units [addr, addr+n) may hold a block: not
// empty, past the reserved slots and within size.
func (a *allocator) inRange(addr, n uint64) bool {
	return n > 0 && addr >= a.reserved && addr+n <= a.size && addr+n >= addr
}

// setZone keeps two zones of zone units each after the slots for
// allocZone (each at most a sixteenth of the store).
func (a *allocator) setZone(zone uint64) {
	z := min(zone, (a.size-a.reserved)/16)
	a.zoneMid, a.zoneEnd = a.reserved+z, a.reserved+2*z
	a.cursor, a.reuse = max(a.cursor, a.zoneEnd), max(a.reuse, a.zoneEnd)
}

// zone returns the zone of the commits whose superblock goes to slot.
func (a *allocator) zone(slot int) (lo, hi uint64) {
	if slot == a.firstZoneSlot {
		return a.reserved, a.zoneMid
	}
	return a.zoneMid, a.zoneEnd
}

// allocZone takes the first run of n free units in slot's zone, or
// reports false. First fit, not just the zone's start: a block a small
// commit leaves live in the zone (a leaf of a random-keyed index that no
// later commit rewrites) would otherwise send every commit bound for that
// slot elsewhere until the zone is cleaned. A commit placed after such a
// block is still within the stripe that follows its superblock slot.
func (a *allocator) allocZone(n uint64, slot int) (uint64, bool) {
	lo, hi := a.zone(slot)
	if n == 0 || lo+n > hi || a.free < n {
		return 0, false
	}
	addr, ok := a.find(lo, hi, n)
	if !ok {
		return 0, false
	}
	a.setRange(addr, n)
	return addr, true
}

// grow extends the allocator to size units.
func (a *allocator) grow(size uint64) {
	if size <= a.size {
		return
	}
	for uint64(len(a.bits))*64 < size {
		a.bits = append(a.bits, 0)
	}
	a.free += size - a.size
	a.size = size
	a.high = size
	a.noSlack = 0
}

// isSet reports whether unit u is in use.
func (a *allocator) isSet(u uint64) bool { return a.bits[u/64]>>(u%64)&1 == 1 }

// usedSpan counts the units in use from u on up to the end of u's bitmap
// word: the step past the used units a scan may take at once.
func (a *allocator) usedSpan(u uint64) uint64 {
	// The shift brings zeros in at the top: inverted, they stop the count
	// at the word's end.
	return uint64(bits.TrailingZeros64(^(a.bits[u/64] >> (u % 64))))
}

// setRange marks units [addr, addr+n) in use, a word at a time.
func (a *allocator) setRange(addr, n uint64) {
	forWords(addr, n, func(w int, m uint64) { a.bits[w] |= m })
	a.free -= n
	a.written = max(a.written, addr+n)
}

// forWords calls fn with each bitmap word index and mask of the bits of
// units [addr, addr+n) in that word.
func forWords(addr, n uint64, fn func(w int, m uint64)) {
	for u, end := addr, addr+n; u < end; {
		bit := u % 64
		k := min(64-bit, end-u)
		m := ^uint64(0)
		if k < 64 {
			m = (uint64(1)<<k - 1) << bit
		}
		fn(int(u/64), m)
		u += k
	}
}

// mark marks an extent found in the map at open. It reports false when the
// extent is out of range or overlaps one already marked (a corrupt map).
func (a *allocator) mark(addr, n uint64) bool {
	if !a.inRange(addr, n) {
		return false
	}
	if bit := addr % 64; bit+n <= 64 { // one word: the common case
		m := ^uint64(0) >> (64 - n) << bit
		if a.bits[addr/64]&m != 0 {
			return false
		}
		a.bits[addr/64] |= m
		a.free -= n
		a.written = max(a.written, addr+n)
		return true
	}
	overlap := false
	forWords(addr, n, func(w int, m uint64) { overlap = overlap || a.bits[w]&m != 0 })
	if overlap {
		return false
	}
	a.setRange(addr, n)
	return true
}

// release returns units [addr, addr+n) to the free pool.
func (a *allocator) release(addr, n uint64) {
	forWords(addr, n, func(w int, m uint64) { a.bits[w] &^= m })
	a.free += n
	a.noSlack = 0
}

// alloc finds n contiguous free units, next-fit from the cursor. It reports
// false when there is no such run.
func (a *allocator) alloc(n uint64) (uint64, bool) {
	if a.free < n {
		return 0, false
	}
	c, end := max(a.cursor, a.zoneEnd), a.dataEnd()
	if addr, ok := a.search(c, end, n); ok {
		return addr, true
	}
	if addr, ok := a.search(a.zoneEnd, min(c+n, end), n); ok {
		return addr, true
	}
	return a.search(a.reserved, min(a.zoneEnd+n, end), n)
}

// allocWritten takes n contiguous free units below written, next-fit from
// the reuse cursor, looking at no more than scan units per call (the next
// call goes on where this one stopped). It reports false when that window
// has no such run.
func (a *allocator) allocWritten(n, scan uint64) (uint64, bool) {
	top := min(a.written, a.dataEnd())
	if a.free < n || top < a.zoneEnd+n {
		return 0, false
	}
	if a.reuse < a.zoneEnd || a.reuse >= top {
		a.reuse = a.zoneEnd
	}
	to := min(a.reuse+scan, top)
	addr, ok := a.find(a.reuse, to, n)
	if !ok {
		// Go on from the window's end next time (back n-1 units, so that
		// a run straddling it is found), or wrap around from the top.
		a.reuse = max(to-min(to, n-1), a.reuse+1)
		if to == top {
			a.reuse = a.zoneEnd
		}
		return 0, false
	}
	a.setRange(addr, n)
	a.reuse = addr + n
	return addr, true
}

// search takes the first run of n free units in [from, to).
func (a *allocator) search(from, to, n uint64) (uint64, bool) {
	addr, ok := a.find(from, to, n)
	if ok {
		a.setRange(addr, n)
		a.cursor = addr + n
	}
	return addr, ok
}

// allocSlack takes n free units (fewer than per) where they break no run
// of per free units: from a run whose length exceeds a multiple of per by
// at least n, so that it holds as many whole runs of per after as before.
// It looks next-fit from the cursor below dataEnd, the zones last, and
// reports false when there is no such run.
func (a *allocator) allocSlack(n, per uint64) (uint64, bool) {
	end := a.dataEnd()
	if a.free < n || n >= per || a.noSlack != 0 && n >= a.noSlack && end == a.noSlackEnd {
		return 0, false
	}
	c := min(max(a.cursor, a.zoneEnd), end)
	for _, r := range [3][2]uint64{{c, end}, {a.zoneEnd, c}, {a.reserved, min(a.zoneEnd, end)}} {
		for u, hi := r[0], r[1]; u < hi; {
			if a.isSet(u) {
				u += a.usedSpan(u)
				continue
			}
			l := a.freeLen(u, hi)
			if l%per >= n {
				a.setRange(u, n)
				a.cursor = u + n
				return u, true
			}
			u += l
		}
	}
	a.noSlack, a.noSlackEnd = n, end
	return 0, false
}

// longFree sums the free units in runs of at least minRun, stopping once
// the sum reaches limit.
func (a *allocator) longFree(minRun, limit uint64) uint64 {
	var sum uint64
	for u := a.reserved; sum < limit; {
		start, ok := a.find(u, a.size, minRun)
		if !ok {
			break
		}
		n := a.freeLen(start, a.size)
		sum += n
		u = start + n
	}
	return sum
}

// freeLen counts the free units from u on, up to limit.
func (a *allocator) freeLen(u, limit uint64) uint64 {
	n := uint64(0)
	for u+n < limit {
		v := u + n
		k := min(uint64(bits.TrailingZeros64(a.bits[v/64]>>(v%64))), 64-v%64, limit-v)
		n += k
		if v%64+k < 64 && u+n < limit {
			break // stopped at a used unit
		}
	}
	return n
}

// usedIn counts the units in use in [lo, hi), both multiples of 64.
func (a *allocator) usedIn(lo, hi uint64) uint64 {
	n := 0
	for _, w := range a.bits[lo/64 : hi/64] {
		n += bits.OnesCount64(w)
	}
	return uint64(n)
}

// freeRunsIn counts the runs of free units that start in [lo, hi), both
// multiples of 64 (a run continuing from below lo is not counted).
func (a *allocator) freeRunsIn(lo, hi uint64) int {
	n := 0
	prevUsed := lo == 0 || a.bits[lo/64-1]>>63 == 1
	for _, w := range a.bits[lo/64 : hi/64] {
		free := ^w
		// A run starts at a free bit whose lower neighbour is used.
		below := w<<1 | b2u(prevUsed)
		n += bits.OnesCount64(free & below)
		prevUsed = w>>63 == 1
	}
	return n
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// longRun returns the first run of free units in [from, to) (clipped to
// it) that is at least minRun >= 127 units long. Such a run covers a whole
// bitmap word, so the search only looks at words that are all free and
// measures the run around them: it skips fragmented space a word at a
// time instead of a hole at a time.
func (a *allocator) longRun(from, to, minRun uint64) (start, end uint64, ok bool) {
	for w := from / 64; w*64 < to; w++ {
		if a.bits[w] != 0 {
			continue
		}
		j := w + 1
		for j*64 < to && a.bits[j] == 0 {
			j++
		}
		start, end = w*64, j*64
		if w > 0 {
			start -= uint64(bits.LeadingZeros64(a.bits[w-1]))
		}
		if j < uint64(len(a.bits)) {
			end += uint64(bits.TrailingZeros64(a.bits[j]))
		}
		start, end = max(start, from), min(end, to)
		if end > start && end-start >= minRun {
			return start, end, true
		}
		w = j
	}
	return 0, 0, false
}

// find looks for the first run of n free units in [from, to).
func (a *allocator) find(from, to, n uint64) (uint64, bool) {
	if n >= 127 {
		start, _, ok := a.longRun(from, to, n)
		return start, ok
	}
	run, start := uint64(0), from
	for u := from; u < to; {
		// The bits of u's word from u up, and how many of them are in range.
		w := a.bits[u/64] >> (u % 64)
		avail := min(64-u%64, to-u)
		if w&1 != 0 {
			// A span of used units: skip it.
			k := min(uint64(bits.TrailingZeros64(^w)), avail)
			run, u = 0, u+k
			start = u
			continue
		}
		// A span of free units (bits above the word's top shift in as 0,
		// so the span is capped at avail).
		k := min(uint64(bits.TrailingZeros64(w)), avail)
		if run+k >= n {
			return start, true
		}
		run, u = run+k, u+k
	}
	return 0, false
}

// allocHigh finds n contiguous free units searching downwards from the top.
// Map blocks, rewritten by nearly every commit, are placed this way so that
// the holes they leave are refilled by map blocks and do not fragment the
// space data blocks grow into from the bottom.
func (a *allocator) allocHigh(n uint64) (uint64, bool) {
	if a.free < n {
		return 0, false
	}
	if addr, ok := a.searchDown(a.zoneEnd, min(a.high, a.size), n); ok {
		return addr, true
	}
	if addr, ok := a.searchDown(a.zoneEnd, a.size, n); ok {
		return addr, true
	}
	return a.searchDown(a.reserved, a.size, n)
}

// searchDown looks for the highest run of n free units in [lo, hi).
func (a *allocator) searchDown(lo, hi, n uint64) (uint64, bool) {
	run := uint64(0)
	for u := hi; u > lo; {
		u--
		if u%64 == 63 && u >= lo+63 && a.bits[u/64] == ^uint64(0) {
			run = 0
			u -= 63
			continue
		}
		if a.isSet(u) {
			run = 0
			continue
		}
		if run++; run == n {
			a.setRange(u, n)
			a.high = u
			return u, true
		}
	}
	return 0, false
}

// allocNext takes exactly the n units at the next-fit cursor if they are
// all free. A commit places its map blocks this way, right after its data
// blocks, so that in the common case it writes one contiguous run.
func (a *allocator) allocNext(n uint64) (uint64, bool) {
	c := a.cursor
	if c < a.zoneEnd || c+n > a.size || a.free < n {
		return 0, false
	}
	busy := false
	forWords(c, n, func(w int, m uint64) { busy = busy || a.bits[w]&m != 0 })
	if busy {
		return 0, false
	}
	a.setRange(c, n)
	a.cursor = c + n
	return c, true
}

// takeRun finds the first span of at least minRun free units, next-fit
// from the cursor, and takes up to want units of it. It reports false when
// there is no such span.
func (a *allocator) takeRun(minRun, want uint64) (addr, n uint64, ok bool) {
	if a.free < minRun || minRun == 0 {
		return 0, 0, false
	}
	c, end := max(a.cursor, a.zoneEnd), a.dataEnd()
	if addr, n, ok = a.spanFrom(c, end, minRun, want); ok {
		return addr, n, true
	}
	if addr, n, ok = a.spanFrom(a.zoneEnd, min(c+minRun, end), minRun, want); ok {
		return addr, n, true
	}
	return a.spanFrom(a.reserved, min(a.zoneEnd+minRun, end), minRun, want)
}

// spanFrom takes up to want units from the start of the first run of at
// least minRun free units in [from, to).
func (a *allocator) spanFrom(from, to, minRun, want uint64) (uint64, uint64, bool) {
	start, ok := a.find(from, to, minRun)
	if !ok {
		return 0, 0, false
	}
	n := a.freeLen(start, min(to, start+want))
	a.setRange(start, n)
	a.cursor = start + n
	return start, n, true
}

// blockRunsIn counts the blocks of per units the free runs of [lo, hi)
// hold (floor(length/per) each), stopping at limit.
func (a *allocator) blockRunsIn(lo, hi, per, limit uint64) uint64 {
	var count uint64
	for u := lo; u < hi && count < limit; {
		if a.isSet(u) {
			u += a.usedSpan(u)
			continue
		}
		n := a.freeLen(u, hi)
		count += n / per
		u += n
	}
	return count
}
