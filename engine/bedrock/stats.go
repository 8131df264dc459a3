package bedrock

// Stats are cumulative counters since Open. Reading them is cheap and they
// are kept without locks on the hot paths (atomic counters, striped per
// cache shard), so they are always on.
type Stats struct {
	Commits        uint64 // top-level transactions committed
	Conflicts      uint64 // commits refused with ErrConflict
	Groups         uint64 // group commits (one superblock write each)
	Syncs          uint64 // fdatasync calls
	BlocksWritten  uint64 // blocks written (data and map)
	BytesWritten   uint64 // bytes written, superblocks included
	PackedBlocks   uint64 // blocks stored snappy-packed
	BytesSaved     uint64 // bytes packing saved on disk
	Reads          uint64 // blocks read from the file
	ReadBytes      uint64 // bytes read from the file
	CorruptReads   uint64 // reads that failed verification
	Repaired       uint64 // of those, blocks rebuilt from parity (FormatV2, V3)
	CacheHits      uint64 // block fixes served by the cache
	CacheMisses    uint64 // block fixes that went to the file
	CacheEvictions uint64 // blocks evicted from the cache
	CacheBytes     int64  // bytes the cache holds now
	FileUnits      uint64 // capacity in units
	FreeUnits      uint64 // units free for allocation
	UnitSize       int    // bytes per unit
	Generation     uint64 // generation of the newest committed state
	Cleaned        uint64 // windows the cleaner chose to empty (doc.go, Free space)
	Relocated      uint64 // live blocks the cleaner copied
	WriteTxs       uint64 // write transactions begun (nested ones not counted)
}

// Stats returns the counters.
func (s *Store) Stats() Stats {
	s.settleNow() // the allocator's figures
	var st Stats
	st.Commits = s.st.commits.Load()
	st.Conflicts = s.st.conflicts.Load()
	st.Groups = s.st.groups.Load()
	st.Syncs = s.st.syncs.Load()
	st.BlocksWritten = s.st.blocksWritten.Load()
	st.BytesWritten = s.st.bytesWritten.Load()
	st.PackedBlocks = s.st.packedBlocks.Load()
	st.BytesSaved = s.st.bytesSaved.Load()
	st.Reads = s.st.reads.Load()
	st.ReadBytes = s.st.readBytes.Load()
	st.CorruptReads = s.st.corruptReads.Load()
	st.Repaired = s.st.repaired.Load()
	st.CacheHits, st.CacheMisses, st.CacheEvictions, st.CacheBytes = s.cache.counts()
	st.UnitSize = s.unit
	st.Cleaned, st.Relocated = s.st.cleaned.Load(), s.st.relocated.Load()
	st.WriteTxs = s.st.writeTxs.Load()
	st.FileUnits, st.FreeUnits = s.st.fileUnits.Load(), s.st.freeUnits.Load()
	s.mu.Lock()
	st.Generation = s.mu.cur.gen
	s.mu.Unlock()
	return st
}
