package bedrock

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
	cursor   uint64 // next-fit search start
	free     uint64 // clear bits below size
}

// reset makes an allocator of size units with the slots reserved.
func (a *allocator) reset(size, reserved uint64) {
	a.bits = make([]uint64, (size+63)/64)
	a.size, a.reserved, a.cursor, a.free = size, reserved, reserved, size
	a.setRange(0, reserved)
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
}

// isSet reports whether unit u is in use.
func (a *allocator) isSet(u uint64) bool { return a.bits[u/64]>>(u%64)&1 == 1 }

// setRange marks units [addr, addr+n) in use.
func (a *allocator) setRange(addr, n uint64) {
	for u := addr; u < addr+n; u++ {
		a.bits[u/64] |= 1 << (u % 64)
	}
	a.free -= n
}

// mark marks an extent found in the map at open. It reports false when the
// extent is out of range or overlaps one already marked (a corrupt map).
func (a *allocator) mark(addr, n uint64) bool {
	if n == 0 || addr < a.reserved || addr+n > a.size || addr+n < addr {
		return false
	}
	for u := addr; u < addr+n; u++ {
		if a.isSet(u) {
			return false
		}
	}
	a.setRange(addr, n)
	return true
}

// release returns units [addr, addr+n) to the free pool.
func (a *allocator) release(addr, n uint64) {
	for u := addr; u < addr+n; u++ {
		a.bits[u/64] &^= 1 << (u % 64)
	}
	a.free += n
}

// alloc finds n contiguous free units, next-fit from the cursor. It reports
// false when there is no such run.
func (a *allocator) alloc(n uint64) (uint64, bool) {
	if a.free < n {
		return 0, false
	}
	if addr, ok := a.search(a.cursor, a.size, n); ok {
		return addr, true
	}
	return a.search(a.reserved, min(a.cursor+n, a.size), n)
}

// search looks for a run of n free units in [from, to).
func (a *allocator) search(from, to, n uint64) (uint64, bool) {
	run, start := uint64(0), from
	for u := from; u < to; {
		if u%64 == 0 && u+64 <= to {
			switch a.bits[u/64] {
			case ^uint64(0):
				run, u = 0, u+64
				start = u
				continue
			case 0:
				if run+64 >= n {
					addr := start
					a.setRange(addr, n)
					a.cursor = addr + n
					return addr, true
				}
				run, u = run+64, u+64
				continue
			}
		}
		if a.isSet(u) {
			run, u = 0, u+1
			start = u
			continue
		}
		run, u = run+1, u+1
		if run == n {
			a.setRange(start, n)
			a.cursor = start + n
			return start, true
		}
	}
	return 0, false
}
