package bxtree

import (
	"errors"
	"fmt"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// Corruption: bad bytes in the store, never bad use.
var (
	// ErrCorrupt is returned (wrapped, with the block and the reason) when a
	// node, an overflow chain or a record digest does not match the format
	// or the invariants. It wraps bedrock.ErrCorrupt, so
	// errors.Is(err, bedrock.ErrCorrupt) holds for it too.
	ErrCorrupt = fmt.Errorf("bxtree: corrupt: %w", bedrock.ErrCorrupt)
)

// Directory: Create, Open, Drop.
var (
	// ErrExists is returned by Create when a tree of that name exists.
	ErrExists = errors.New("bxtree: tree exists")
	// ErrNotFound is returned by Open and Drop when no tree has that name.
	ErrNotFound = errors.New("bxtree: tree not found")
	// ErrName is returned when a tree name is empty or longer than
	// MaxKeySize.
	ErrName = errors.New("bxtree: invalid tree name")
	// ErrDigestKey is returned by Open when Options.DigestKey differs from
	// the key the tree was created with.
	ErrDigestKey = errors.New("bxtree: digest key does not match the tree")
	// ErrBlockSize is returned when the store's PayloadSize lies outside
	// [512, 65535].
	ErrBlockSize = errors.New("bxtree: unsupported block payload size")
)

// Records: Put, Delete, Get.
var (
	// ErrKeyTooLarge is returned by Put when the key is longer than
	// MaxKeySize.
	ErrKeyTooLarge = errors.New("bxtree: key too large")
	// ErrValueTooLarge is returned by Put when the value is longer than
	// MaxValueSize.
	ErrValueTooLarge = errors.New("bxtree: value too large")
)

// Queries: Select, Split.
var (
	// ErrOutOfRange is returned by Select when k >= Len().
	ErrOutOfRange = errors.New("bxtree: rank out of range")
	// ErrBadInterval is returned by Split when k < 1 or lo > hi.
	ErrBadInterval = errors.New("bxtree: bad interval")
)

// corruptf returns an error wrapping ErrCorrupt with a formatted reason.
func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}
