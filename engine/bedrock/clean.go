package bedrock

import (
	"encoding/binary"
	"hash/crc32"
	"slices"
	"sort"
)

// The cleaner keeps long runs of free units available, so that a commit is
// written as one run instead of one write per block. Shadow writing frees
// the old copy of every block a commit rewrites, at random places, so
// without it the free space of a store under random updates becomes holes
// of a block or two (on the disks this was measured on, a write of 220
// scattered blocks and its fdatasync take 12 times as long as one 900 KiB
// run).
//
// A commit that is big enough to matter (cleanMinCommit) and finds less
// than twice its size free in runs of at least 64 KiB (the runs it may be
// spread over) cleans windows (1 MiB; see cleanWindow): the ones
// with the most free units, each more than half free, until they make
// up for the units the commit takes, copies included. It copies a
// window's live data blocks into its own runs as stored (packed or not),
// rewriting only the generation in the header and resealing it, and its
// map points to the copies; the originals are freed with the commit like
// any overwritten block. A copy is thus a block of the commit in every
// respect (open verifies it when the commit is not proven durable), except
// that a concurrent transaction that writes a moved block does not
// conflict with the move: the commit remembers which blocks it only moved
// (Store.moved) until every live snapshot sees the move. Live map blocks
// in the window are simply
// rewritten by the commit. Once the commit is durable and no snapshot needs
// the originals, the window is one long run. When no window is worth
// cleaning, a file store grows instead, up to half free (allocRuns).

// cleanWindow is the span of units the cleaner empties at a time: 1 MiB
// of 512-byte units, less in stores smaller than 16 windows (a multiple of
// 64 units in any case).
func (s *Store) cleanWindow() uint64 {
	return min(2048, max(64, s.alloc.size/16/64*64))
}

// cleanMinCommit is the size, in units, of the smallest commit that
// cleans: small commits find runs of their size anyway.
const cleanMinCommit = 64

// relocation is one live block the cleaner moves in a commit.
type relocation struct {
	kind  uint8
	id    uint64 // LBA, segment number (page*fan+segment) or page number
	old   ref    // where it lives now
	block []byte // its encoded bytes (data blocks only), old.units long
}

// cleanPlan picks windows to clean for a commit of n units over base and
// returns the live blocks to move and the units they take (map blocks
// included, generously). short reports that runs are scarce and no window
// is worth cleaning: the store should rather grow. writes are the commit's
// own blocks, sorted by LBA: those are rewritten anyway. Caller holds
// commitMu.
func (s *Store) cleanPlan(base *mapVersion, n uint64, writes []pendingWrite) (relocs []relocation, units uint64, short bool) {
	mapUnits := uint64(unitsFor(int(s.geo.fan)*refSize, s.unit))
	var segs map[uint64]bool // made by take: most commits plan nothing
	// take adds a window's live blocks to the plan.
	take := func(rs []relocation) {
		if segs == nil {
			segs = map[uint64]bool{}
		}
		for _, r := range rs {
			if r.kind == kindData {
				units += uint64(r.old.units)
				p, sg, _ := s.geo.split(LBA(r.id))
				segs[p*s.geo.fan+sg] = true
				segs[^p] = true // its page
			} else {
				units += mapUnits
			}
		}
		relocs = append(relocs, rs...)
	}
	if n < cleanMinCommit {
		// A zone serves a small commit while it has a free run that fits
		// it; blocks that stay live there (a catalog written by the first
		// commits, leaves no later commit rewrites) would end up shutting
		// it. A small commit bound for the other slot moves such blocks
		// out (into runs outside the zones: allocRuns), once a zone commit
		// found no room in the zone, when it is the only writer: no other write
		// transaction open and every earlier commit durable. With
		// concurrent writers the zone's blocks are likely theirs and
		// rewritten soon, which frees the zone without the copies.
		for slot := range s.zoneMissed {
			if s.zoneMissed[slot] && s.nextSlot() == 1-slot && s.loneWriter(base) {
				s.zoneMissed[slot] = false
				// Scanned from the first zone's start, a block boundary
				// (the second zone's may not be one).
				lo, hi := s.alloc.zone(slot)
				if rs, _, ok := s.scanWindow(base, s.alloc.reserved, hi, writes); ok {
					rs = slices.DeleteFunc(rs, func(r relocation) bool { return r.old.addr+uint64(r.old.units) <= lo })
					if len(rs) > 0 {
						s.st.cleaned.Add(1)
						take(rs)
					}
				}
			}
		}
		return relocs, units + uint64(len(segs))*mapUnits, false
	}
	if s.alloc.longFree(minCommitRun, 2*n) >= 2*n {
		return nil, 0, false
	}
	win := s.cleanWindow()
	var (
		freed  uint64
		chosen = map[uint64]bool{}
	)
	// Clean until the windows make up for what the commit takes, copies
	// included: then the free runs do not shrink.
	for len(chosen) < maxCleanWindows && freed < n+units+uint64(len(segs))*mapUnits {
		lo, ok := s.pickWindow(win, chosen)
		if !ok {
			break
		}
		chosen[lo] = true
		rs, span, ok := s.scanWindow(base, lo, lo+win, writes)
		if !ok {
			if s.cleanSkip == nil {
				s.cleanSkip = map[uint64]bool{}
			}
			s.cleanSkip[lo] = true
			continue
		}
		s.st.cleaned.Add(1)
		freed += span
		take(rs)
	}
	return relocs, units + uint64(len(segs))*mapUnits, len(chosen) == 0
}

// loneWriter reports whether the commit being applied on base is the only
// writer: no other write transaction open and every earlier commit
// durable. Caller holds commitMu.
func (s *Store) loneWriter(base *mapVersion) bool {
	s.syncMu.Lock()
	quiet := s.syncedGen >= base.gen
	s.syncMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	return quiet && s.mu.writers <= 1
}

// maxCleanWindows bounds the windows one commit cleans.
const maxCleanWindows = 8

// pickWindow returns the first unit of the window of win units with the
// most free units, if more than half of it is free (so a copy frees more
// than it costs), some of it is in use and its free units are scattered
// (in 4 runs or more: a window whose free space is already one run, like
// the end of a growing file, gains nothing from cleaning), skipping chosen
// ones.
func (s *Store) pickWindow(win uint64, chosen map[uint64]bool) (uint64, bool) {
	a := &s.alloc
	best, bestFree := uint64(0), win/2
	for lo := (a.reserved + win - 1) / win * win; lo+win <= a.size; lo += win {
		free := win - a.usedIn(lo, lo+win)
		if free > bestFree && free < win && !s.cleanSkip[lo] && !chosen[lo] && a.freeRunsIn(lo, lo+win) >= 4 {
			best, bestFree = lo, free
		}
	}
	return best, bestFree > win/2
}

// scanWindow lists the live blocks that start in units [lo, hi). It moves
// lo up to a free unit (or leaves it at the end of the slots, where a
// block always starts), so that the walk starts at a block (a block
// straddling lo stays where it is), reads the range in one go, with the
// rest of a block that straddles hi, and walks the blocks' headers. It
// returns the blocks and the length of the range. A block that does not
// parse makes the window unusable (false): it is left alone and Check
// reports it.
func (s *Store) scanWindow(base *mapVersion, lo, hi uint64, writes []pendingWrite) ([]relocation, uint64, bool) {
	a := &s.alloc
	for lo > a.reserved && lo < hi && a.isSet(lo) { // the slots end at a block boundary
		lo++
	}
	if lo >= hi {
		return nil, 0, true
	}
	// A block that starts below hi may end beyond it: read up to a block
	// further, as far as the units in use go. (Trimming hi back past the
	// units in use instead would leave nothing of a window in use up to
	// its end, such as zones a bulk load filled.)
	end := hi
	for per := uint64(s.block / s.unit); end < a.size && end < hi+per && a.isSet(end); {
		end++
	}
	unit := uint64(s.unit)
	buf := s.newBuf(int((end - lo) * unit))
	if err := readFull(s.file, buf, int64(lo*unit)); err != nil {
		return nil, 0, false
	}
	s.st.reads.Add(1)
	s.st.readBytes.Add(uint64(len(buf)))
	var relocs []relocation
	for u := lo; u < hi; {
		if !a.isSet(u) {
			u++
			continue
		}
		b := buf[(u-lo)*unit:]
		if len(b) < headerSize {
			return nil, 0, false
		}
		stored := int(binary.LittleEndian.Uint32(b[24:28]))
		units := uint64(unitsFor(stored, s.unit))
		if stored > s.block-headerSize || u+units > end ||
			crc32.Checksum(b[4:headerSize+stored], castagnoli) != binary.LittleEndian.Uint32(b[0:4]) {
			return nil, 0, false
		}
		kind, id, gen := b[5], binary.LittleEndian.Uint64(b[8:16]), binary.LittleEndian.Uint64(b[16:24])
		here := ref{addr: u, units: uint32(units), gen: gen}
		// A map block takes a whole block's units (commit.go's place),
		// more than its body needs when it is not full; older stores'
		// take what the body needs. The map's ref says which.
		full := func(cur ref) {
			if cur.addr == u && cur.gen == gen && cur.units > here.units && uint64(cur.units)*unit <= uint64(s.block) {
				here.units = cur.units
			}
		}
		switch kind {
		case kindData:
			if cur, err := base.lookup(s.geo, LBA(id)); err == nil && cur == here && !written(writes, LBA(id)) {
				relocs = append(relocs, relocation{kind: kindData, id: id, old: here, block: b[:units*unit]})
			}
		case kindSegment:
			p, sg := id/s.geo.fan, id%s.geo.fan
			if sg < s.geo.fan && p < uint64(len(base.pages)) && base.pages[p] != nil {
				full(base.pages[p].ref(sg))
				if base.pages[p].ref(sg) == here {
					relocs = append(relocs, relocation{kind: kindSegment, id: id, old: here})
				}
			}
		case kindPage:
			if id < uint64(len(base.pageRefs)) {
				full(base.pageRefs[id])
				if base.pageRefs[id] == here {
					relocs = append(relocs, relocation{kind: kindPage, id: id, old: here})
				}
			}
		}
		u += uint64(here.units)
	}
	return relocs, hi - lo, true
}

// written reports whether the commit writes or frees lba.
func written(ws []pendingWrite, lba LBA) bool {
	i := sort.Search(len(ws), func(i int) bool { return ws[i].lba >= lba })
	return i < len(ws) && ws[i].lba == lba
}
