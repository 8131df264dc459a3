package osynch

import (
	"bytes"

	"github.com/bxdb/bxdb/engine/bxtree"
)

// Item identifies one record of a replica in a synchronization: its key,
// version, whether it is a tombstone (the record was deleted), and its
// digest (bxtree.RecordDigest of key, version and value; a tombstone's
// value is empty).
type Item struct {
	Key     []byte
	Version uint64
	Dead    bool
	Digest  bxtree.Digest
}

// Record is an item with its value (nil for a tombstone).
type Record struct {
	Item
	Value []byte
}

// Wins reports whether a supersedes b, two versions of the same key: the
// higher version wins, and between equal versions the greater digest, so
// that both replicas pick the same winner without talking.
func (a Item) Wins(b Item) bool {
	if a.Version != b.Version {
		return a.Version > b.Version
	}
	return bytes.Compare(a.Digest[:], b.Digest[:]) > 0
}

// Replica is one side's key space in a synchronization: the records of a
// table (live rows and tombstones). All intervals are [lo, hi) with nil
// lo = -inf and nil hi = +inf. The summaries of Summary and Split count
// live records and tombstones alike: two replicas holding the same items
// have equal summaries.
//
// Summary, Split, Items and Get describe the replica's compared state.
// Apply hands over a received record; a replica either stores it at once
// (TreeReplica, inside its transaction: that changes only intervals
// already settled, invariant 3) or stages it and stores it at Commit
// (sqlfront's, which compares a read snapshot so as not to hold its
// database's writer lock while the network is slow; it then stores only
// the records that still win against what it holds at Commit).
//
// A replica is used by one goroutine. Slices it returns may be retained by
// the caller until the next call; the slices of a record passed to Apply
// are valid only during the call (a replica copies what it keeps).
type Replica interface {
	// Summary returns the count and XOR digest of the items in [lo, hi).
	Summary(lo, hi []byte) (bxtree.Summary, error)
	// Split divides [lo, hi) into at most k consecutive intervals of
	// nearly equal item counts, with their summaries (see bxtree.Split).
	Split(lo, hi []byte, k int) ([]bxtree.Interval, error)
	// Items calls fn with each item in [lo, hi) in key order, stopping at
	// the first error fn returns. The item's slices are valid during fn.
	Items(lo, hi []byte, fn func(Item) error) error
	// Get returns the record (live or tombstone) under key.
	Get(key []byte) (rec Record, ok bool, err error)
	// Apply takes rec, received from the peer, to store in place of
	// whatever the replica holds under rec.Key (the caller has checked
	// that rec wins against Get's answer), now or at Commit. A
	// validation error (a value that does not decode, a violated
	// constraint) fails the synchronization, here or at Commit.
	Apply(rec Record) error
	// Commit makes every record Apply took durable, atomically: all of
	// them or, on error, none. The session calls it once, at the end of
	// a successful synchronization; after an error the caller rolls the
	// replica back.
	Commit() error
}
