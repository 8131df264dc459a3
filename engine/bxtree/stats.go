package bxtree

// Stats counts the block operations of one Tree handle since it was opened
// (or since ResetStats). Tests and benchmarks use them to check O(log n)
// claims; the SQL layer may show them in EXPLAIN output.
type Stats struct {
	BlockReads      uint64 // blocks read, including CacheHits
	CacheHits       uint64 // pages a read handle had kept (no bedrock read)
	BlockWrites     uint64 // Tx.Put calls
	BlocksAllocated uint64 // Tx.Alloc calls
	BlocksFreed     uint64 // Tx.Free calls
}
