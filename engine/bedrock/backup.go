package bedrock

import "fmt"

// Backup writes a consistent copy of the newest committed state to a new
// store at path (which must not exist), opened with opts. It reads from a
// snapshot, so writers go on meanwhile and are never blocked. The copy is
// compact: only mapped blocks are copied, each LBA keeping its address.
func (s *Store) Backup(path string, opts *Options) error {
	src, err := s.Begin(false)
	if err != nil {
		return err
	}
	defer src.Rollback()
	o := *opts.EnsureDefaults()
	o.BlockSize = s.block
	o.NoSync = true
	o.ReadOnly, o.MustExist = false, false
	if sz, err := o.FS.OpenFile(path, OpenFlags{ReadOnly: true}); err == nil {
		sz.Close()
		return fmt.Errorf("bedrock: backup: %s already exists", path)
	}
	dst, err := Open(path, &o)
	if err != nil {
		return fmt.Errorf("bedrock: backup: %w", err)
	}
	v := src.snap
	dst.mu.Lock()
	dst.mu.nextLBA = v.nextLBA
	dst.mu.freeLBAs = dst.mu.freeLBAs[:0]
	dst.mu.Unlock()
	var tx *Tx
	batch := 0
	flush := func() error {
		if tx == nil {
			return nil
		}
		err := tx.Commit()
		tx, batch = nil, 0
		return err
	}
	for lba := uint64(0); lba < v.nextLBA; lba++ {
		r, err := v.lookup(s.geo, LBA(lba))
		if err != nil {
			dst.Close()
			return fmt.Errorf("bedrock: backup: %w", err)
		}
		if r.addr == 0 {
			continue
		}
		data, err := s.readData(LBA(lba), r, nil)
		if err != nil {
			dst.Close()
			return fmt.Errorf("bedrock: backup: %w", err)
		}
		if tx == nil {
			if tx, err = dst.Begin(true); err != nil {
				dst.Close()
				return err
			}
		}
		tx.dirty[LBA(lba)] = dirtyBlock{data: data}
		if batch += len(data); batch >= 32<<20 {
			if err := flush(); err != nil {
				dst.Close()
				return fmt.Errorf("bedrock: backup: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		dst.Close()
		return fmt.Errorf("bedrock: backup: %w", err)
	}
	// Unmapped LBAs below nextLBA are free in the copy too.
	return dst.Close()
}
