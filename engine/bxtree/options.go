package bxtree

// Options configure a Tree handle. nil or a zero field means the default.
type Options struct {
	// DigestKey, when non-empty, keys record digests with HMAC-SHA256
	// instead of plain SHA-256, so a party that chooses records cannot forge
	// colliding XOR summaries. It is fixed when the tree is created: Open
	// with another key fails with ErrDigestKey. Replicas that compare
	// summaries must share it.
	DigestKey []byte

	// Eager makes Put and Delete write the nodes they change into their
	// blocks before they return, so that the transaction's blocks always
	// hold the whole tree. By default (false) a handle keeps the nodes it
	// changes decoded and writes each once: when the transaction commits or
	// begins a child (the handle registers the flush with bedrock's
	// Tx.Defer), when the tree is opened again in the transaction, on a
	// read other than Get through the handle, or on Flush. Eager costs a
	// new image of every node on the path per call and pays off only when
	// every change is followed by a range read (see the benchmarks).
	Eager bool
}

// EnsureDefaults returns o, or a zero Options when o is nil.
func (o *Options) EnsureDefaults() *Options {
	if o == nil {
		return &Options{}
	}
	return o
}
