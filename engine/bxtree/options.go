package bxtree

// Options configure a Tree handle. nil or a zero field means the default.
type Options struct {
	// DigestKey, when non-empty, keys record digests with HMAC-SHA256
	// instead of plain SHA-256, so a party that chooses records cannot forge
	// colliding XOR summaries. It is fixed when the tree is created: Open
	// with another key fails with ErrDigestKey. Replicas that compare
	// summaries must share it.
	DigestKey []byte

	// DeferFlush keeps modified nodes decoded in the handle until Flush (or
	// a read through the same handle). IMPORTANT: the caller must then call
	// Flush before committing, before beginning a nested transaction and
	// before using the tree through another handle. The default (false)
	// flushes at the end of every Put and Delete.
	DeferFlush bool
}

// EnsureDefaults returns o, or a zero Options when o is nil.
func (o *Options) EnsureDefaults() *Options {
	if o == nil {
		return &Options{}
	}
	return o
}
