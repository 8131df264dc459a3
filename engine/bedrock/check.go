package bedrock

import (
	"errors"
	"fmt"
)

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
	// ParityFixed counts the stripes whose parity chunk did not match
	// their data (left stale by a power loss, or never written) and that
	// Check rewrote, once every repairable block was written back.
	ParityFixed int
	// ParityStale counts those stripes on a read-only store, where Check
	// does not rewrite them: redundancy lost, not data (a writable Check,
	// or later writes to the stripes, restore it).
	ParityStale int
	// Slots describes superblock slots that failed verification while
	// the other one holds the state: redundancy lost, not data. A
	// writable store rewrites both slots at its next commit or Close.
	Slots []string
	// Repaired lists the blocks that failed verification and were rebuilt
	// from parity (FormatV2, V3); Check writes them back in place unless the
	// store is read-only. They are not problems: no data was lost.
	Repaired []string
}

// OK reports whether Check found no problem.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Check verifies the whole committed state: every mapped block is read
// from disk and its checksum, address and generation verified (a block
// that fails is rebuilt from parity when it can be, and written back:
// Report.Repaired); no physical
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
	rewrote := false
	read := func(r ref, kind uint8, id uint64) ([]byte, error) {
		body, fixed, err := s.readBlock(r, kind, id)
		if fixed == nil {
			return body, err
		}
		note := "rewritten"
		switch {
		case s.readOnly:
			note = "read-only store: not rewritten"
		default:
			if werr := s.par.rewrite(fixed, int64(r.addr)*int64(s.unit)); werr != nil {
				note = "rewrite failed: " + werr.Error()
			} else {
				rewrote = true
			}
		}
		if len(rep.Repaired) < 1000 {
			rep.Repaired = append(rep.Repaired, fmt.Sprintf("%s %d at unit %d: rebuilt from parity, %s", kindNames[kind], id, r.addr, note))
		}
		return body, nil
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
		if _, err := read(pr, kindPage, uint64(p)); err != nil {
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
			body, err := read(sr, kindSegment, id)
			if err != nil {
				problem("%v", err)
				continue
			}
			ents, _ := decodeRefs(body, g.fan)
			mem, err := pg.segs[si].bytes()
			if err != nil {
				problem("%v", err)
				continue
			}
			for i := range uint64(len(mem) / refSize) {
				e := getRef(mem[i*refSize:])
				lba := id*g.fan + i
				if ents != nil && ents[i] != e {
					problem("map segment %d: entry %d on disk differs from memory", id, i)
				}
				if e.addr == 0 {
					continue
				}
				rep.DataBlocks++
				claim("data block", lba, e)
				if _, err := read(e, kindData, lba); err != nil {
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
	if s.par != nil {
		n, err := s.par.scrub(!s.readOnly)
		if s.readOnly {
			rep.ParityStale = n
		} else {
			rep.ParityFixed = n
			rewrote = rewrote || n > 0
		}
		if err != nil {
			problem("parity scrub: %v", err)
		}
	}
	// Both superblock slots, as on disk, with no superblock write under
	// way (one that tore the read would be no damage).
	s.syncMu.Lock()
	for s.syncing {
		s.syncCond.Wait()
	}
	size, err := s.disk.Size()
	var errs []error
	var slots []slotRead
	if err == nil {
		slots, errs = s.readSlots(s.disk, size)
	}
	s.syncMu.Unlock()
	found := [2]bool{}
	for _, sl := range slots {
		found[sl.slot] = true
	}
	for _, e := range errs {
		if e != nil {
			rep.Slots = append(rep.Slots, e.Error())
		}
	}
	if err == nil {
		// Format writes both slots: one that reads as all zero was
		// destroyed (a zeroed sector), not left unwritten.
		for slot, ok := range found {
			buf := s.newBuf(s.block)
			if !ok && readFull(s.disk, buf, slotPlaces(slot, s.block, s.formatVersion())[0]) == nil && allZeroBytes(buf) {
				rep.Slots = append(rep.Slots, (&superError{slot: slot, err: errors.New("all zero (destroyed)")}).Error())
			}
		}
	}
	if rewrote {
		if err := s.file.Sync(); err != nil {
			problem("sync after rewriting repaired blocks: %v", err)
		}
	}
	return rep, nil
}
