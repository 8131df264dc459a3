package bedrock

import (
	"errors"
	"fmt"
)

// Errors returned by Open.
var (
	// ErrBadMagic is returned when neither superblock slot carries bedrock's
	// magic number: the file is not a bedrock store.
	ErrBadMagic = errors.New("bedrock: not a bedrock store (bad magic)")
	// ErrVersion is returned when a superblock names a format version this
	// build does not read.
	ErrVersion = errors.New("bedrock: unsupported format version")
	// ErrChecksum is returned (wrapped in ErrCorrupt) when a superblock's
	// checksum does not match its contents.
	ErrChecksum = errors.New("bedrock: superblock checksum mismatch")
	// ErrLocked is returned when another process holds the store open.
	ErrLocked = errors.New("bedrock: store is locked by another process")
	// ErrBadOptions is returned when Options hold an impossible value.
	ErrBadOptions = errors.New("bedrock: invalid options")
)

// Errors returned by reads, and by Open when no consistent state survives.
var (
	// ErrCorrupt is wrapped by every error that reports bad data on disk:
	// a block whose checksum, address or generation does not match, a
	// truncated file, an undecodable map. Corrupt data is never returned as
	// data. Test with errors.Is; errors.As with *CorruptError gives the
	// address.
	ErrCorrupt = errors.New("bedrock: corrupt")
)

// Errors returned by transactions.
var (
	// ErrConflict is returned by Commit when another transaction committed
	// a write to one of this transaction's blocks after this transaction
	// began (first committer wins). The transaction is rolled back; retry it.
	ErrConflict = errors.New("bedrock: write conflict")
	// ErrTxDone is returned by any call on a committed or rolled-back
	// transaction.
	ErrTxDone = errors.New("bedrock: transaction already committed or rolled back")
	// ErrReadOnly is returned by writes in a read transaction or a
	// read-only store.
	ErrReadOnly = errors.New("bedrock: read-only transaction")
	// ErrChildActive is returned by calls on a transaction while one of its
	// nested transactions is open.
	ErrChildActive = errors.New("bedrock: nested transaction still open")
	// ErrNotAllocated is returned for a logical block that is not allocated.
	ErrNotAllocated = errors.New("bedrock: logical block not allocated")
	// ErrTooLarge is returned by Put for data longer than PayloadSize.
	ErrTooLarge = errors.New("bedrock: block data too large")
	// ErrFull is returned when a device-backed store has no free space
	// left, when a file store needs to grow and the file cannot (the
	// error then also wraps the file system's error, such as ENOSPC or
	// EFBIG), or when the address space of the map is exhausted.
	ErrFull = errors.New("bedrock: store is full")
	// ErrClosed is returned by calls on a closed store.
	ErrClosed = errors.New("bedrock: store is closed")
	// ErrFailed is wrapped by commits once the store takes no more of
	// them: after a write or sync error (the on-disk state of the last
	// commit is unknown until the store is reopened), or when the map of
	// the state open chose turns out damaged beyond repair (the error
	// wraps ErrCorrupt too; Check reports the damage, and the rest of the
	// store stays readable).
	ErrFailed = errors.New("bedrock: the store takes no more commits")
)

// CorruptError describes one corrupt block. It wraps ErrCorrupt.
type CorruptError struct {
	What   string // "data block", "map segment", "map page", "superblock"
	ID     uint64 // logical block address, or map block index
	Addr   uint64 // physical address in units
	Reason string
}

// Error implements error.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("bedrock: corrupt %s %d at unit %d: %s", e.What, e.ID, e.Addr, e.Reason)
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }
