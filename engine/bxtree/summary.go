package bxtree

import "fmt"

// Summary describes a set of records: how many there are and the XOR of
// their digests. Two replicas holding the same records in an interval have
// equal summaries for it, whatever their tree shapes.
type Summary struct {
	Count  uint64
	Digest Digest
}

// add returns the summary of the union of the disjoint sets s and o.
func (s Summary) add(o Summary) Summary {
	return Summary{Count: s.Count + o.Count, Digest: s.Digest.Xor(o.Digest)}
}

// sub returns the summary of s minus its subset o.
func (s Summary) sub(o Summary) Summary {
	return Summary{Count: s.Count - o.Count, Digest: s.Digest.Xor(o.Digest)}
}

// String formats s for logs and test failures.
func (s Summary) String() string { return fmt.Sprintf("{%d %s}", s.Count, s.Digest) }
