package sqlfront

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
)

// Row versions: every write of a table row (the table's primary tree)
// stores the bxtree record version nextVersion hands out, and so does every
// tombstone of a synchronized table (syncreplica.go). Versions come from
// one hybrid logical clock per Engine:
//
//	next = max(now in microseconds since the Unix epoch, last + 1)
//
// so they increase strictly within a process, stay close to the wall
// clock, and order the writes of different replicas roughly by time (a
// synchronization keeps the higher version of a key, osynch.Item.Wins).
// ObserveVersion raises last to a version received from a peer, so that a
// later local write of the same key wins over it.
//
// Restarts: last is initialised from the "clock" record of sql.catalog
// (format in engine.go), the clock as it stood at the end of the last
// synchronization, which every synchronization commits with its
// changes. Every version that ever left this database (was sent to or
// received from a peer) is at or below that floor, so local writes after
// a restart win over everything a peer saw from us even when the wall
// clock went back. Versions written locally after the last
// synchronization are not persisted in the floor: if the wall clock is
// set back across a restart, a later local write may get a lower version
// than an earlier unsynchronized one, so a concurrent peer write between
// the two may win over it (the usual caveat of wall-clock versions; the
// data stays consistent, both replicas pick the same winner).
//
// Secondary index records, catalog and auto-increment records keep
// version 0.

// catClockKey is the catalog record holding the persisted clock floor.
const catClockKey = "clock"

// nextVersion returns a fresh row version: above every version handed
// out or observed before, and at least the wall clock.
func (e *Engine) nextVersion() uint64 {
	now := wallMicros()
	for {
		last := e.clock.Load()
		v := max(now, last+1)
		if e.clock.CompareAndSwap(last, v) {
			return v
		}
	}
}

// ObserveVersion raises the engine's version clock to at least v, so that
// every later local write gets a higher version (a replica calls it for
// each record it applies).
func (e *Engine) ObserveVersion(v uint64) {
	for {
		last := e.clock.Load()
		if last >= v || e.clock.CompareAndSwap(last, v) {
			return
		}
	}
}

// wallMicros returns the wall clock in microseconds since the Unix epoch
// (0 before it).
func wallMicros() uint64 {
	us := time.Now().UnixMicro()
	if us < 0 {
		return 0
	}
	return uint64(us)
}

// initClock sets the clock from the persisted floor (see above).
func (e *Engine) initClock() error {
	tx, err := e.store.Begin(false)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	floor, err := readClockFloor(tx)
	if err != nil {
		return err
	}
	e.ObserveVersion(floor)
	return nil
}

// readClockFloor returns the persisted clock floor (0 if none).
func readClockFloor(tx *bedrock.Tx) (uint64, error) {
	ct, err := bxtree.Open(tx, catalogTree, eagerTree())
	if errors.Is(err, bxtree.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	v, _, ok, err := ct.Get([]byte(catClockKey))
	if err != nil || !ok {
		return 0, err
	}
	if len(v) != 9 || v[0] != catalogFormatV1 {
		return 0, fmt.Errorf("%w: bad clock record (%d bytes)", ErrCatalogCorrupt, len(v))
	}
	return binary.LittleEndian.Uint64(v[1:]), nil
}

// writeClockFloor persists the clock as it stands now in tx, unless the
// stored floor is already there; it reports whether it wrote.
func (e *Engine) writeClockFloor(tx *bedrock.Tx) (bool, error) {
	old, err := readClockFloor(tx)
	if err != nil {
		return false, err
	}
	now := e.clock.Load()
	if now <= old {
		return false, nil
	}
	ct, err := bxtree.Open(tx, catalogTree, eagerTree())
	if err != nil {
		return false, err
	}
	v := make([]byte, 9)
	v[0] = catalogFormatV1
	binary.LittleEndian.PutUint64(v[1:], now)
	return true, ct.Put([]byte(catClockKey), 0, v)
}

// persistClockFloor writes the clock floor in a write transaction of its
// own (after a synchronization that did not commit: the peer may have
// kept records this database sent).
func (e *Engine) persistClockFloor() error {
	if err := e.lockWriter(context.Background()); err != nil {
		return err
	}
	tx, err := e.store.Begin(true)
	if err != nil {
		e.unlockWriter()
		return err
	}
	wrote, err := e.writeClockFloor(tx)
	if err != nil || !wrote {
		tx.Rollback()
		e.unlockWriter()
		return err
	}
	return e.commitUnlock(tx, true, false)
}
