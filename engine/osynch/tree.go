package osynch

import (
	"bytes"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
)

// TreeReplica is a Replica over bxtrees in one bedrock write transaction:
// the live records in Live and the tombstones in Dead (nil when deletions
// are not tracked: a record deleted on one side then comes back from the
// other). A tombstone is a record of Dead with an empty value whose
// version is the deletion's. A key is in at most one of the two trees.
type TreeReplica struct {
	Tx   *bedrock.Tx
	Live *bxtree.Tree
	Dead *bxtree.Tree
	// DigestKey is the trees' digest key (their bxtree.Options.DigestKey).
	DigestKey []byte
}

var _ Replica = (*TreeReplica)(nil)

// addSummary returns the summary of the union of two disjoint sets.
func addSummary(a, b bxtree.Summary) bxtree.Summary {
	return bxtree.Summary{Count: a.Count + b.Count, Digest: a.Digest.Xor(b.Digest)}
}

// Summary implements Replica.
func (r *TreeReplica) Summary(lo, hi []byte) (bxtree.Summary, error) {
	s, err := r.Live.Summary(lo, hi)
	if err != nil || r.Dead == nil {
		return s, err
	}
	d, err := r.Dead.Summary(lo, hi)
	return addSummary(s, d), err
}

// Split implements Replica: it splits with the tree holding more of
// [lo, hi) and adds the other tree's summary to each part.
func (r *TreeReplica) Split(lo, hi []byte, k int) ([]bxtree.Interval, error) {
	if r.Dead == nil {
		return r.Live.Split(lo, hi, k)
	}
	big, small := r.Live, r.Dead
	nl, err := r.Live.Count(lo, hi)
	if err != nil {
		return nil, err
	}
	nd, err := r.Dead.Count(lo, hi)
	if err != nil {
		return nil, err
	}
	if nd > nl {
		big, small = small, big
	}
	parts, err := big.Split(lo, hi, k)
	if err != nil {
		return nil, err
	}
	for i := range parts {
		s, err := small.Summary(parts[i].Lo, parts[i].Hi)
		if err != nil {
			return nil, err
		}
		parts[i].Summary = addSummary(parts[i].Summary, s)
	}
	return parts, nil
}

// Items implements Replica: a merge of the two trees' cursors.
func (r *TreeReplica) Items(lo, hi []byte, fn func(Item) error) error {
	lc := r.Live.Range(lo, hi)
	lok := lc.First()
	var dc *bxtree.Cursor
	dok := false
	if r.Dead != nil {
		dc = r.Dead.Range(lo, hi)
		dok = dc.First()
	}
	for lok || dok {
		var it Item
		switch {
		case lok && (!dok || bytes.Compare(lc.Key(), dc.Key()) <= 0):
			it = Item{Key: lc.Key(), Version: lc.Version(), Digest: lc.Digest()}
			if dok && bytes.Equal(lc.Key(), dc.Key()) {
				d := Item{Key: dc.Key(), Version: dc.Version(), Dead: true, Digest: dc.Digest()}
				if d.Wins(it) {
					it = d
				}
				dok = dc.Next()
			}
			lok = lc.Next()
		default:
			it = Item{Key: dc.Key(), Version: dc.Version(), Dead: true, Digest: dc.Digest()}
			dok = dc.Next()
		}
		if err := fn(it); err != nil {
			return err
		}
	}
	if err := lc.Err(); err != nil {
		return err
	}
	if dc != nil {
		return dc.Err()
	}
	return nil
}

// Get implements Replica.
func (r *TreeReplica) Get(key []byte) (Record, bool, error) {
	v, ver, ok, err := r.Live.Get(key)
	if err != nil {
		return Record{}, false, err
	}
	if ok {
		return Record{Item: Item{Key: key, Version: ver, Digest: r.digest(key, ver, v)}, Value: v}, true, nil
	}
	if r.Dead == nil {
		return Record{}, false, nil
	}
	_, ver, ok, err = r.Dead.Get(key)
	if err != nil || !ok {
		return Record{}, false, err
	}
	return Record{Item: Item{Key: key, Version: ver, Dead: true, Digest: r.digest(key, ver, nil)}}, true, nil
}

// digest is the digest the trees store for a record.
func (r *TreeReplica) digest(key []byte, ver uint64, value []byte) bxtree.Digest {
	return bxtree.RecordDigest(r.DigestKey, key, ver, value)
}

// Apply implements Replica.
func (r *TreeReplica) Apply(rec Record) error {
	if rec.Dead {
		if _, err := r.Live.Delete(rec.Key); err != nil {
			return err
		}
		if r.Dead == nil {
			return nil
		}
		return r.Dead.Put(rec.Key, rec.Version, nil)
	}
	if r.Dead != nil {
		if _, err := r.Dead.Delete(rec.Key); err != nil {
			return err
		}
	}
	return r.Live.Put(rec.Key, rec.Version, rec.Value)
}

// Commit implements Replica: it commits Tx.
func (r *TreeReplica) Commit() error { return r.Tx.Commit() }
