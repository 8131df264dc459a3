package sqlfront

import (
	"encoding/binary"
	"fmt"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
)

// Auto-increment counters. All counters live in the tree sql.autoinc
// (format in engine.go): key = table ID, value = the next value to hand
// out. A statement reads a table's counter once, hands out ids from it,
// and writes the advanced counter back in its own transaction when it
// ends successfully, so a committed id is never handed out again — also
// after a crash, since the counter and the rows commit atomically.
//
// The engine also keeps, per table, the highest value ever handed out in
// this process (Engine.auto). A statement or transaction that rolls back
// discards its counter write, but the in-memory mark still covers its ids,
// so they are not reused while the process lives (MySQL's InnoDB behaves
// the same way: ids of rolled-back inserts are gaps). After a restart the
// persisted counter is the truth; ids of transactions that never committed
// may then be handed out again, which no committed row can notice.
//
// Writers hold the engine's writer lock, so the counters need no locking
// of their own beyond the map's mutex.

// autoincFormatV1 is the version byte of a counter record.
const autoincFormatV1 = 1

// autoCounter is one table's counter during a statement.
type autoCounter struct {
	t     *table
	next  uint64 // next value to hand out
	dirty bool   // next must be written back
}

// autoKey returns the record key of table id's counter.
func autoKey(id uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], id)
	return k[:]
}

// loadAutoCounter reads table t's counter in tx, raised to the engine's
// in-memory mark and the table's AUTO_INCREMENT base.
//
// The in-memory mark is never below the persisted counter (every counter
// written came from the mark), so once the mark is known the store need
// not be read.
func (e *Engine) loadAutoCounter(tx *bedrock.Tx, t *table) (*autoCounter, error) {
	id := t.desc.ID
	e.auto.Lock()
	m, known := e.auto.next[id]
	e.auto.Unlock()
	if known {
		return &autoCounter{t: t, next: max(m, t.desc.AutoIncBase, 1)}, nil
	}
	next, err := readAutoCounter(tx, id)
	if err != nil {
		return nil, err
	}
	next = max(next, t.desc.AutoIncBase, 1)
	e.raiseAutoMark(id, next)
	return &autoCounter{t: t, next: next}, nil
}

// readAutoCounter returns the persisted counter of table id (0 if none).
func readAutoCounter(tx *bedrock.Tx, id uint64) (uint64, error) {
	at, err := bxtree.Open(tx, autoincTree, eagerTree())
	if err != nil {
		return 0, err
	}
	v, _, ok, err := at.Get(autoKey(id))
	if err != nil || !ok {
		return 0, err
	}
	if len(v) != 9 || v[0] != autoincFormatV1 {
		return 0, fmt.Errorf("%w: bad auto-increment record for table %d", ErrCatalogCorrupt, id)
	}
	return binary.LittleEndian.Uint64(v[1:]), nil
}

// take hands out the next id and raises the engine's mark past it.
func (e *Engine) takeAutoID(c *autoCounter) (uint64, error) {
	if c.next == 0 || c.next > 1<<63-1 && c.t.cols[c.t.autoInc].typ.Kind() == KindInt && !c.t.cols[c.t.autoInc].typ.Unsigned {
		return 0, engErr(1467, "Failed to read auto-increment value from storage engine")
	}
	id := c.next
	c.next++
	c.dirty = true
	e.raiseAutoMark(c.t.desc.ID, c.next)
	return id, nil
}

// observe moves the counter past an explicitly inserted value v.
func (e *Engine) observeAutoID(c *autoCounter, v uint64) {
	if v >= c.next {
		c.next = v + 1
		c.dirty = true
		e.raiseAutoMark(c.t.desc.ID, c.next)
	}
}

// raiseAutoMark raises the in-memory mark of table id to next.
func (e *Engine) raiseAutoMark(id, next uint64) {
	e.auto.Lock()
	if e.auto.next[id] < next {
		e.auto.next[id] = next
	}
	e.auto.Unlock()
}

// resetAutoCounter forgets table id's counter (TRUNCATE, DROP): the record
// is deleted in tx and the in-memory mark dropped.
func (e *Engine) resetAutoCounter(tx *bedrock.Tx, id uint64) error {
	at, err := bxtree.Open(tx, autoincTree, eagerTree())
	if err != nil {
		return err
	}
	if _, err := at.Delete(autoKey(id)); err != nil {
		return err
	}
	e.auto.Lock()
	delete(e.auto.next, id)
	e.auto.Unlock()
	return nil
}

// setAutoCounter sets table id's counter to next (ALTER TABLE
// AUTO_INCREMENT = n); MySQL never moves it below the largest value in use,
// which the caller has checked.
func (e *Engine) setAutoCounter(tx *bedrock.Tx, id, next uint64) error {
	e.auto.Lock()
	e.auto.next[id] = next
	e.auto.Unlock()
	return writeAutoCounter(tx, id, next)
}

// writeAutoCounter persists table id's counter in tx.
func writeAutoCounter(tx *bedrock.Tx, id, next uint64) error {
	at, err := bxtree.Open(tx, autoincTree, eagerTree())
	if err != nil {
		return err
	}
	v := make([]byte, 9)
	v[0] = autoincFormatV1
	binary.LittleEndian.PutUint64(v[1:], next)
	return at.Put(autoKey(id), 0, v)
}

// flush writes the counter back if it moved.
func (c *autoCounter) flush(tx *bedrock.Tx) error {
	if !c.dirty {
		return nil
	}
	c.dirty = false
	return writeAutoCounter(tx, c.t.desc.ID, c.next)
}
