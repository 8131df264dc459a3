package bedrock

import "fmt"

// Report is the result of Check.
type Report struct {
	Generation   uint64   // generation of the checked state
	DataBlocks   uint64   // mapped logical blocks
	MapBlocks    uint64   // page and segment blocks
	UsedUnits    uint64   // units referenced by the map (slots included)
	PendingUnits uint64   // units freed but held for snapshots or a sync
	FreeUnits    uint64   // units the allocator may hand out
	TotalUnits   uint64   // capacity in units
	UnitSize     int      // bytes per unit
	Problems     []string // every inconsistency found; empty when healthy
}

// OK reports whether Check found no problem.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Check verifies the whole committed state: every mapped block is read
// from disk and its checksum, address and generation verified; no physical
// unit is referenced twice; and the allocator's free space is exactly the
// complement of the referenced and pending units. It blocks commits while
// it runs. The error is non-nil only when Check itself could not run.
func (s *Store) Check() (*Report, error) {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	s.settle()
	s.mu.Lock()
	v, closed := s.mu.written, s.mu.closed
	s.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	rep := &Report{Generation: v.gen, TotalUnits: s.alloc.size, UnitSize: s.unit}
	var seen allocator
	reserved := uint64(2 * s.block / s.unit)
	seen.reset(s.alloc.size, reserved)
	problem := func(format string, args ...any) {
		if len(rep.Problems) < 1000 {
			rep.Problems = append(rep.Problems, fmt.Sprintf(format, args...))
		}
	}
	claim := func(what string, id uint64, r ref) {
		if !seen.mark(r.addr, uint64(r.units)) {
			problem("%s %d: extent %d+%d out of range or referenced twice", what, id, r.addr, r.units)
		}
	}
	g := s.geo
	for p, pr := range v.pageRefs {
		if pr.addr == 0 {
			continue
		}
		rep.MapBlocks++
		claim("map page", uint64(p), pr)
		if _, err := s.readRaw(pr, kindPage, uint64(p)); err != nil {
			problem("%v", err)
		}
		pg := v.pages[p]
		for si := range g.fan {
			sr := pg.ref(si)
			if sr.addr == 0 {
				continue
			}
			id := uint64(p)*g.fan + uint64(si)
			rep.MapBlocks++
			claim("map segment", id, sr)
			body, err := s.readRaw(sr, kindSegment, id)
			if err != nil {
				problem("%v", err)
				continue
			}
			ents, _ := decodeRefs(body, g.fan)
			for i := range pg.segs[si].n() {
				e := pg.segs[si].get(i)
				lba := id*g.fan + i
				if ents != nil && ents[i] != e {
					problem("map segment %d: entry %d on disk differs from memory", id, i)
				}
				if e.addr == 0 {
					continue
				}
				rep.DataBlocks++
				claim("data block", lba, e)
				if _, err := s.readRaw(e, kindData, lba); err != nil {
					problem("%v", err)
				}
			}
		}
	}
	rep.UsedUnits = seen.size - seen.free
	for _, p := range s.pending {
		for _, r := range p.exts {
			rep.PendingUnits += uint64(r.units)
			if !seen.mark(r.addr, uint64(r.units)) {
				problem("pending free extent %d+%d is still referenced or freed twice", r.addr, r.units)
			}
		}
	}
	for u := uint64(0); u < s.alloc.size; u++ {
		if seen.isSet(u) != s.alloc.isSet(u) {
			problem("unit %d: allocator says in use=%v, map says %v", u, s.alloc.isSet(u), seen.isSet(u))
		}
	}
	rep.FreeUnits = s.alloc.free
	return rep, nil
}
