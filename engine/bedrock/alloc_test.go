package bedrock

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// naiveSearch is the reference for allocator.search: the first run of n
// free units inside [from, to).
func naiveSearch(a *allocator, from, to, n uint64) (uint64, bool) {
	run := uint64(0)
	for u := from; u < to; u++ {
		if a.isSet(u) {
			run = 0
			continue
		}
		if run++; run == n {
			return u + 1 - n, true
		}
	}
	return 0, false
}

// TestAllocatorSearch compares search, mark and release with a unit-by-unit
// reference on random bitmaps, ranges and run lengths.
func TestAllocatorSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := 0; trial < 3000; trial++ {
		size := uint64(1 + rng.IntN(700))
		a := &allocator{}
		a.reset(size, 0)
		// Random used extents, of random lengths (also whole words).
		for k := rng.IntN(40); k > 0; k-- {
			addr := rng.Uint64N(size)
			n := 1 + rng.Uint64N(min(size-addr, uint64(1+rng.IntN(130))))
			if ok := a.mark(addr, n); ok {
				for u := addr; u < addr+n; u++ {
					if !a.isSet(u) {
						t.Fatalf("trial %d: mark(%d, %d) left unit %d free", trial, addr, n, u)
					}
				}
			}
		}
		if rng.IntN(3) == 0 { // and some released again
			addr := rng.Uint64N(size)
			n := 1 + rng.Uint64N(size-addr)
			for u := addr; u < addr+n; u++ {
				if a.isSet(u) {
					a.release(u, 1)
				}
			}
		}
		free := uint64(0)
		for u := uint64(0); u < size; u++ {
			if !a.isSet(u) {
				free++
			}
		}
		if free != a.free {
			t.Fatalf("trial %d: free count %d, bitmap has %d", trial, a.free, free)
		}
		from := rng.Uint64N(size)
		to := from + rng.Uint64N(size-from+1)
		n := 1 + rng.Uint64N(uint64(1+rng.IntN(200)))
		// spanFrom (takeRun) on a copy: the first run of at least minRun
		// units, of which it takes up to n.
		{
			minRun := 1 + rng.Uint64N(n)
			b := *a
			b.bits = append([]uint64(nil), a.bits...)
			gs, gn, gok := b.spanFrom(from, to, minRun, n)
			ws, wok := naiveSearch(a, from, to, minRun)
			wn := uint64(0)
			for u := ws; wok && u < to && !a.isSet(u) && wn < n; u++ {
				wn++
			}
			if gok != wok || gok && (gs != ws || gn != wn) {
				t.Fatalf("trial %d: spanFrom(%d, %d, %d, %d) = %d %d %v, want %d %d %v", trial, from, to, minRun, n, gs, gn, gok, ws, wn, wok)
			}
		}
		want, wok := naiveSearch(a, from, to, n)
		got, ok := a.search(from, to, n)
		if ok != wok || got != want {
			t.Fatalf("trial %d: search(%d, %d, %d) = %d %v, want %d %v", trial, from, to, n, got, ok, want, wok)
		}
		if ok {
			for u := got; u < got+n; u++ {
				if !a.isSet(u) {
					t.Fatalf("trial %d: found run not marked at %d", trial, u)
				}
			}
			if a.free != free-n {
				t.Fatalf("trial %d: free %d after taking %d of %d", trial, a.free, n, free)
			}
		}
	}
}

// TestFreeRunsIn compares freeRunsIn with a count unit by unit.
func TestFreeRunsIn(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	var a allocator
	a.reset(64*20, 16)
	for i := 0; i < 300; i++ {
		u := 16 + rng.Uint64N(a.size-16)
		if !a.isSet(u) {
			a.mark(u, 1)
		} else {
			a.release(u, 1)
		}
		lo := rng.Uint64N(10) * 64
		hi := lo + (1+rng.Uint64N(10))*64
		want := 0
		for v := lo; v < hi; v++ {
			if !a.isSet(v) && (v == 0 || a.isSet(v-1)) {
				want++
			}
		}
		if got := a.freeRunsIn(lo, hi); got != want {
			t.Fatalf("freeRunsIn(%d, %d) = %d, want %d", lo, hi, got, want)
		}
	}
}

// TestLongFree compares longFree with a count unit by unit.
func TestLongFree(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	var a allocator
	a.reset(64*40, 16)
	for i := 0; i < 500; i++ {
		u := 16 + rng.Uint64N(a.size-16)
		n := min(1+rng.Uint64N(100), a.size-u)
		if rng.IntN(2) == 0 {
			forWords(u, n, func(w int, m uint64) { a.bits[w] |= m })
		} else {
			forWords(u, n, func(w int, m uint64) { a.bits[w] &^= m })
		}
		minRun := 1 + rng.Uint64N(200)
		want, run := uint64(0), uint64(0)
		for v := a.reserved; v <= a.size; v++ {
			if v < a.size && !a.isSet(v) {
				run++
				continue
			}
			if run >= minRun {
				want += run
			}
			run = 0
		}
		if got := a.longFree(minRun, ^uint64(0)); got != want {
			t.Fatalf("longFree(%d) = %d, want %d", minRun, got, want)
		}
		if got := a.longFree(minRun, 1); (got > 0) != (want > 0) {
			t.Fatalf("longFree(%d, 1) = %d, want > 0 iff %d > 0", minRun, got, want)
		}
	}
}

// TestAllocatorPlacement checks, on random bitmaps, where each allocation
// policy puts a run against a unit-by-unit reference: every run was free
// before and is taken after; alloc, allocHigh and takeRun use the zone
// after slot 1 only when no run fits outside it and always succeed when
// one fits anywhere; allocZone takes the first run that fits in a slot's
// zone;
// allocWritten stays below the written bound.
func TestAllocatorPlacement(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for trial := 0; trial < 4000; trial++ {
		size := uint64(40 + rng.IntN(900))
		reserved := uint64(1 + rng.IntN(16))
		a := &allocator{}
		a.reset(size, reserved)
		a.setZone(uint64(rng.IntN(40)))
		if a.zoneMid < a.reserved || a.zoneEnd < a.zoneMid || a.zoneEnd-a.zoneMid != a.zoneMid-a.reserved || a.zoneEnd > a.reserved+(size-reserved)/8 {
			t.Fatalf("trial %d: zone [%d, %d) in a store of %d units", trial, a.reserved, a.zoneEnd, size)
		}
		for k := rng.IntN(30); k > 0; k-- {
			addr := reserved + rng.Uint64N(size-reserved)
			a.mark(addr, 1+rng.Uint64N(min(size-addr, 70)))
		}
		a.written = 0
		for u := size; u > 0; u-- {
			if a.isSet(u - 1) {
				a.written = u
				break
			}
		}
		a.cursor = reserved + rng.Uint64N(size-reserved)
		n := 1 + rng.Uint64N(20)
		if rng.IntN(8) == 0 {
			n = 127 + rng.Uint64N(60) // the word-at-a-time search
		}
		anywhere := func() bool { _, ok := naiveSearch(a, a.reserved, a.size, n); return ok }
		outside := func() bool { _, ok := naiveSearch(a, a.zoneEnd, a.size, n); return ok }
		check := func(what string, addr, k uint64, ok, couldOut, couldAny bool, before []uint64) {
			t.Helper()
			if !ok {
				if couldAny {
					t.Fatalf("trial %d: %s(%d) failed with a free run in the store", trial, what, n)
				}
				return
			}
			if addr < a.reserved || addr+k > a.size {
				t.Fatalf("trial %d: %s(%d) = [%d, %d) outside [%d, %d)", trial, what, n, addr, addr+k, a.reserved, a.size)
			}
			if couldOut && addr < a.zoneEnd {
				t.Fatalf("trial %d: %s(%d) = %d in the zone [%d, %d) with room outside", trial, what, n, addr, a.reserved, a.zoneEnd)
			}
			for u := addr; u < addr+k; u++ {
				if before[u/64]>>(u%64)&1 == 1 || !a.isSet(u) {
					t.Fatalf("trial %d: %s(%d) = [%d, %d): unit %d was in use or is not taken", trial, what, n, addr, addr+k, u)
				}
			}
		}
		before := append([]uint64(nil), a.bits...)
		switch op := rng.IntN(5); op {
		case 0:
			out, any := outside(), anywhere()
			addr, ok := a.alloc(n)
			check("alloc", addr, n, ok, out, any, before)
		case 1:
			out, any := outside(), anywhere()
			addr, ok := a.allocHigh(n)
			check("allocHigh", addr, n, ok, out, any, before)
		case 2:
			minRun := max(n/2, 1)
			_, out := naiveSearch(a, a.zoneEnd, a.size, minRun)
			_, any := naiveSearch(a, a.reserved, a.size, minRun)
			addr, k, ok := a.takeRun(minRun, n)
			if ok && (k < minRun || k > n) {
				t.Fatalf("trial %d: takeRun(%d, %d) took %d units", trial, minRun, n, k)
			}
			check("takeRun", addr, k, ok, out, any, before)
		case 3:
			slot := rng.IntN(2)
			lo, hi := a.reserved, a.zoneMid
			if slot == 0 {
				lo, hi = a.zoneMid, a.zoneEnd
			}
			wantAddr, want := naiveSearch(a, lo, hi, n)
			addr, ok := a.allocZone(n, slot)
			if ok != want || ok && addr != wantAddr {
				t.Fatalf("trial %d: allocZone(%d, slot %d) = %d, %v; want %d, %v", trial, n, slot, addr, ok, wantAddr, want)
			}
			check("allocZone", addr, n, ok, false, false, before)
		case 4:
			w := a.written
			_, any := naiveSearch(a, a.zoneEnd, min(w, a.size), n)
			addr, ok := a.allocWritten(n, a.size) // the whole store in one window
			if ok && addr+n > w {
				t.Fatalf("trial %d: allocWritten(%d) = [%d, %d) above the written bound %d", trial, n, addr, addr+n, w)
			}
			check("allocWritten", addr, n, ok, ok, any, before)
		}
	}
}

// naiveBlockRuns counts, unit by unit, the whole runs of per free units
// the free runs in [lo, hi) hold.
func naiveBlockRuns(a *allocator, lo, hi, per uint64) uint64 {
	var n, run uint64
	for u := lo; u <= hi; u++ {
		if u == hi || a.isSet(u) {
			n += run / per
			run = 0
			continue
		}
		run++
	}
	return n
}

// TestAllocatorSlack checks allocSlack and blockRunsIn against unit-by-unit
// references on random fragmented bitmaps: a slack allocation takes free
// units below dataEnd and leaves the whole runs there as they were, and
// it fails only when no free run has room for n units beyond a multiple
// of per (also when a failure is remembered: noSlack).
func TestAllocatorSlack(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for trial := 0; trial < 2000; trial++ {
		size := uint64(64 + rng.IntN(900))
		a := &allocator{}
		a.reset(size, uint64(rng.IntN(8)))
		a.fence = uint64(rng.IntN(int(size / 4)))
		for k := rng.IntN(int(size / 3)); k > 0; k-- {
			addr := a.reserved + rng.Uint64N(size-a.reserved)
			a.mark(addr, 1+rng.Uint64N(min(size-addr, 6)))
		}
		per := uint64(2 + rng.IntN(15))
		end := a.dataEnd()
		if got, want := a.blockRunsIn(a.reserved, end, per, 1<<62), naiveBlockRuns(a, a.reserved, end, per); got != want {
			t.Fatalf("trial %d: blockRunsIn %d, want %d", trial, got, want)
		}
		for range 20 {
			n := 1 + rng.Uint64N(per)
			runs, free := naiveBlockRuns(a, a.reserved, end, per), a.free
			// The reference: is there a free run with room to spare?
			exists := false
			for u := a.reserved; u < end; {
				if a.isSet(u) {
					u++
					continue
				}
				l := a.freeLen(u, end)
				exists = exists || n < per && l%per >= n
				u += l
			}
			before := slices.Clone(a.bits)
			addr, ok := a.allocSlack(n, per)
			if ok != exists {
				t.Fatalf("trial %d: allocSlack(%d, %d) = %v, a run with room exists: %v", trial, n, per, ok, exists)
			}
			if !ok {
				continue
			}
			if addr < a.reserved || addr+n > end || a.free != free-n {
				t.Fatalf("trial %d: allocSlack(%d) took [%d, %d) below %d, free %d -> %d", trial, n, addr, addr+n, end, free, a.free)
			}
			for u := addr; u < addr+n; u++ {
				if before[u/64]>>(u%64)&1 == 1 {
					t.Fatalf("trial %d: allocSlack(%d) at %d took unit %d, which was in use", trial, n, addr, u)
				}
			}
			if got := naiveBlockRuns(a, a.reserved, end, per); got != runs {
				t.Fatalf("trial %d: allocSlack(%d, %d) at %d: whole runs %d -> %d", trial, n, per, addr, runs, got)
			}
		}
	}
}
