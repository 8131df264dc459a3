package bedrock

import "slices"

// Allocated calls fn for every logical block allocated in the
// transaction's view (its snapshot plus its own and its ancestors'
// tentative allocations and frees), in increasing order, RootLBA first.
// It stops at the first error fn returns and returns it. Check tools of
// the layers above use it to find blocks that nothing refers to (leaks).
func (tx *Tx) Allocated(fn func(LBA) error) error {
	if err := tx.usable(); err != nil {
		return err
	}
	// The tentative state, innermost level winning, sorted by LBA.
	over := map[LBA]bool{} // LBA -> allocated
	for t := tx; t != nil; t = t.parent {
		for l, d := range t.dirty {
			if _, seen := over[l]; !seen {
				over[l] = !d.freed
			}
		}
	}
	ov := make([]LBA, 0, len(over))
	for l := range over {
		ov = append(ov, l)
	}
	slices.Sort(ov)

	// Merge the snapshot's mapped LBAs (in order) with the overrides.
	k := 0
	emit := func(l LBA, mapped bool) error {
		for k < len(ov) && ov[k] < l {
			if over[ov[k]] {
				if err := fn(ov[k]); err != nil {
					return err
				}
			}
			k++
		}
		if k < len(ov) && ov[k] == l {
			k++
			if !over[l] {
				return nil
			}
		} else if !mapped {
			return nil
		}
		return fn(l)
	}
	if err := emit(RootLBA, true); err != nil {
		return err
	}
	g := tx.s.geo
	for p, pg := range tx.snap.pages {
		if pg == nil {
			continue
		}
		for si, sg := range pg.segs {
			if sg == nil {
				continue
			}
			base := (uint64(p)*g.fan + uint64(si)) * g.fan
			b, err := sg.bytes()
			if err != nil {
				return err
			}
			for i := range uint64(len(b) / refSize) {
				if getRef(b[i*refSize:]).addr != 0 && base+i != uint64(RootLBA) {
					if err := emit(LBA(base+i), true); err != nil {
						return err
					}
				}
			}
		}
	}
	return emit(LBA(^uint64(0)), false)
}
