package sqlfront

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/bxdb/bxdb/engine/bxtree"
	"github.com/bxdb/bxdb/engine/osynch"
)

// Table synchronization: one table inside one write transaction, seen as
// an osynch.Replica (the protocol is engine/osynch's; the SYNC TABLE
// statement and the network are not here).
//
// The key space of a synchronized table is the union of two trees:
//
//	sql.t.<id>       live rows: key = primary key, version = row version,
//	                 value = the encoded row (engine.go)
//	sql.t.<id>.dead  tombstones: key = primary key of a removed row,
//	                 version = the version of the removal, value = empty
//
// Invariants:
//
//  1. A key is never in both trees: storing a row removes the key's
//     tombstone, removing a row puts one (exec_store.go).
//  2. Every record of either tree has a version from the engine's clock
//     (version.go) or, for a record applied from a peer, the peer's
//     version, and the clock is raised past every version applied.
//  3. Secondary indexes cover exactly the live rows; applying a record
//     maintains them like INSERT, UPDATE and DELETE do, UNIQUE included.
//  4. The replica's transaction holds the engine's writer lock from
//     OpenSyncReplica until Commit or Rollback, so nothing else changes
//     the table meanwhile and the summaries it reports stay exact.
//
// Tombstones are kept forever (there is no garbage collection yet), so a
// synchronized table's dead tree grows with its deletions. TRUNCATE empties
// the live tree and leaves a tombstone for every row, as DELETE would, so
// synchronization carries it to the peers. DROP TABLE drops both trees.

// maxRecordVersion bounds the versions Apply accepts: past it the clock
// (microseconds) could overflow.
const maxRecordVersion = math.MaxInt64

// Errors of SyncReplica.
var (
	// ErrSyncRecord is returned (wrapped) by Apply when the record is not
	// one of the table's: a key that is not a well-formed primary key of
	// the table or not the key of its row, a value that does not decode
	// as a row of the table (wrapping ErrCorrupt) or holds a value its
	// column would not store (wrapping the *SQLError of the conversion),
	// or a version out of range. Violated constraints are SQL errors
	// instead (1048 NOT NULL, 1062 UNIQUE, 3819 CHECK).
	ErrSyncRecord = errors.New("sqlfront: invalid sync record")
	// ErrReplicaDone is returned by a SyncReplica used after Commit or
	// Rollback.
	ErrReplicaDone = errors.New("sqlfront: sync replica: the transaction has ended")
)

// SyncReplica is one table inside a write transaction, seen as an
// osynch.Replica: its live rows and its tombstones, keyed by primary key.
// It holds the engine's writer lock until Commit or Rollback; use it from
// one goroutine.
type SyncReplica struct {
	e       *Engine
	s       *Session
	ctx     context.Context
	t       *table // as the transaction's catalog has it (synchronized)
	subject []byte
	done    bool
	old     []Value // scratch: the row an Apply replaces
}

var _ osynch.Replica = (*SyncReplica)(nil)

// OpenSyncReplica begins a write transaction on the engine (waiting for
// the writer lock like an explicit BEGIN of a session would, honouring ctx
// and the engine's busy timeout), marks table name synchronized if it is
// not yet (creating its dead tree, in the same transaction), and returns a
// replica over its primary tree and dead tree. ctx also bounds the
// replica's later work (Apply fails once it is done).
func (e *Engine) OpenSyncReplica(ctx context.Context, name string) (*SyncReplica, error) {
	if e.opts.ReadOnly {
		return nil, engErr(ErOptionPreventsStmt, "The bxdb store is open read-only so it cannot execute this statement")
	}
	s := e.NewSession()
	if err := s.Begin(ctx, TxOptions{}); err != nil {
		s.Close()
		return nil, err
	}
	r := &SyncReplica{e: e, s: s, ctx: ctx}
	_, err := s.runWrite(ctx, nil, true, func(sc *stmtCtx) (Result, error) {
		t, err := sc.lookupTable("", name)
		if err != nil {
			return Result{}, err
		}
		if !t.desc.Synchronized {
			if t, err = sc.markSynchronized(t); err != nil {
				return Result{}, err
			}
		}
		r.t = t
		return Result{}, nil
	})
	if err != nil {
		s.Close() // rolls back
		return nil, err
	}
	r.subject = tableSubject(r.t)
	return r, nil
}

// markSynchronized sets t's Synchronized flag (a schema change: the
// version moves, so an online index build running meanwhile starts over)
// and creates its dead tree.
func (sc *stmtCtx) markSynchronized(t *table) (*table, error) {
	d := cloneDesc(t.desc)
	d.Synchronized = true
	d.Version++
	w := newCatalogWriter(sc.e, sc.tx, sc.cat)
	nt, err := w.putTable(d, t.desc.Name)
	if err != nil {
		return nil, err
	}
	if _, err := bxtree.Create(sc.tx, nt.dead, eagerTree()); err != nil {
		return nil, err
	}
	delete(sc.stores, t.desc.ID)
	return nt, sc.commitCatalog(w)
}

// Subject returns bytes that identify the table's name and schema: the
// SHA-256 of a canonical form of the lowercased table name, then for every
// column in order its lowercased name, physical field number, type (base
// type, UNSIGNED, length of string types, precision, scale, ENUM members),
// NOT NULL and fill value (the value rows stored before the column was
// added read), then the primary key (field numbers and directions; none
// for a hidden row id). Two replicas may synchronize only when their
// subjects are equal: equal subjects mean that every row value and key
// means the same row on both sides. Indexes, defaults and CHECK
// constraints are not part of it.
func (r *SyncReplica) Subject() []byte { return append([]byte(nil), r.subject...) }

// tableSubject computes Subject for t.
func tableSubject(t *table) []byte {
	b := []byte("bxdb sync subject v1\x00")
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	num := func(n int) { b = binary.AppendVarint(b, int64(n)) }
	flag := func(f bool) {
		if f {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	str(strings.ToLower(t.desc.Name))
	num(len(t.cols))
	for _, c := range t.cols {
		str(strings.ToLower(c.desc.Name))
		num(c.desc.Field)
		ct := c.typ
		str(baseNames[ct.Base])
		flag(ct.Unsigned)
		switch ct.Base {
		case TypeChar, TypeVarChar, TypeText, TypeBinary, TypeVarBinary, TypeBlob:
			num(ct.Length) // elsewhere a display width, meaningless
		default:
			num(0)
		}
		num(ct.Precision)
		num(ct.Scale)
		num(len(ct.Elems))
		for _, el := range ct.Elems {
			str(el)
		}
		flag(c.desc.NotNull)
		b = appendRowValue(b, c.desc.Fill)
	}
	num(len(t.desc.PK))
	for _, p := range t.desc.PK {
		num(p.Field)
		flag(p.Desc)
	}
	sum := sha256.Sum256(b)
	return sum[:]
}

// usable returns an error once the replica's transaction has ended or is
// broken.
func (r *SyncReplica) usable() error {
	if r.done || r.s.tx == nil {
		return ErrReplicaDone
	}
	return r.s.tx.brokenErr()
}

// trees returns the transaction's shared handles on the live and dead
// trees (the ones Apply writes through, so reads see every change).
func (r *SyncReplica) trees() (live, dead *treeRef, err error) {
	if err := r.usable(); err != nil {
		return nil, nil, err
	}
	tt := r.s.tx.sharedTrees()
	if live, err = sharedRef(tt, r.t.tree); err != nil {
		return nil, nil, mapStoreErr(err)
	}
	if dead, err = sharedRef(tt, r.t.dead); err != nil {
		return nil, nil, mapStoreErr(err)
	}
	live.noteRead()
	dead.noteRead()
	return live, dead, nil
}

// sharedRef returns the shared handle on tree name, opening it.
func sharedRef(tt *txTrees, name string) (*treeRef, error) {
	if r, ok := tt.m[name]; ok {
		return r, nil
	}
	t, err := openTree(tt.tx, name, true)
	if err != nil {
		return nil, err
	}
	r := &treeRef{t: t}
	tt.add(name, r)
	return r, nil
}

// addSummary returns the summary of the union of the disjoint sets a and b.
func addSummary(a, b bxtree.Summary) bxtree.Summary {
	return bxtree.Summary{Count: a.Count + b.Count, Digest: a.Digest.Xor(b.Digest)}
}

// Summary returns the count and XOR digest of the live rows and
// tombstones in [lo, hi).
func (r *SyncReplica) Summary(lo, hi []byte) (bxtree.Summary, error) {
	live, dead, err := r.trees()
	if err != nil {
		return bxtree.Summary{}, err
	}
	a, err := live.t.Summary(lo, hi)
	if err != nil {
		return bxtree.Summary{}, mapStoreErr(err)
	}
	b, err := dead.t.Summary(lo, hi)
	if err != nil {
		return bxtree.Summary{}, mapStoreErr(err)
	}
	return addSummary(a, b), nil
}

// Split divides [lo, hi) into at most k consecutive intervals: the
// boundaries of the bigger of the two trees (by count in [lo, hi)), with
// the summaries of both trees in each interval. The first interval starts
// at lo and the last ends at hi; the bounds are copies.
func (r *SyncReplica) Split(lo, hi []byte, k int) ([]bxtree.Interval, error) {
	live, dead, err := r.trees()
	if err != nil {
		return nil, err
	}
	if k < 1 || lo != nil && hi != nil && bytes.Compare(lo, hi) > 0 {
		return nil, fmt.Errorf("%w: k=%d lo=%q hi=%q", bxtree.ErrBadInterval, k, lo, hi)
	}
	nl, err := live.t.Count(lo, hi)
	if err != nil {
		return nil, mapStoreErr(err)
	}
	nd, err := dead.t.Count(lo, hi)
	if err != nil {
		return nil, mapStoreErr(err)
	}
	big, small := live, dead
	if nd > nl {
		big, small = dead, live
	}
	ivs, err := big.t.Split(lo, hi, k)
	if err != nil {
		return nil, mapStoreErr(err)
	}
	out := make([]bxtree.Interval, len(ivs))
	for i, iv := range ivs {
		// The bounds of big's intervals, made exact: lo and hi as given.
		ilo, ihi := iv.Lo, iv.Hi
		if i == 0 {
			ilo = lo
		}
		if i == len(ivs)-1 {
			ihi = hi
		}
		ilo, ihi = cloneBound(ilo), cloneBound(ihi)
		s, err := small.t.Summary(ilo, ihi)
		if err != nil {
			return nil, mapStoreErr(err)
		}
		out[i] = bxtree.Interval{Lo: ilo, Hi: ihi, Summary: addSummary(iv.Summary, s)}
	}
	return out, nil
}

// cloneBound copies an interval bound, keeping nil (unbounded) nil.
func cloneBound(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

// Items calls fn with each live row and tombstone in [lo, hi) in key
// order, merging the two trees' cursors. A key in both trees (which
// invariant 1 excludes) is reported once, as its winner. The item's
// slices are valid during fn.
func (r *SyncReplica) Items(lo, hi []byte, fn func(osynch.Item) error) error {
	live, dead, err := r.trees()
	if err != nil {
		return err
	}
	lc, dc := live.t.Range(lo, hi), dead.t.Range(lo, hi)
	lok, dok := lc.First(), dc.First()
	for n := 1; lok || dok; n++ {
		if n&255 == 0 {
			if err := r.ctx.Err(); err != nil {
				return err
			}
		}
		c := 0 // <0: live first, >0: dead first, 0: both
		switch {
		case !dok:
			c = -1
		case !lok:
			c = 1
		default:
			c = bytes.Compare(lc.Key(), dc.Key())
		}
		var it osynch.Item
		switch {
		case c < 0:
			it = osynch.Item{Key: lc.Key(), Version: lc.Version(), Digest: lc.Digest()}
		case c > 0:
			it = osynch.Item{Key: dc.Key(), Version: dc.Version(), Dead: true, Digest: dc.Digest()}
		default:
			it = osynch.Item{Key: lc.Key(), Version: lc.Version(), Digest: lc.Digest()}
			if d := (osynch.Item{Key: dc.Key(), Version: dc.Version(), Dead: true, Digest: dc.Digest()}); d.Wins(it) {
				it = d
			}
		}
		if err := fn(it); err != nil {
			return err
		}
		if c <= 0 {
			lok = lc.Next()
		}
		if c >= 0 {
			dok = dc.Next()
		}
	}
	if err := lc.Err(); err != nil {
		return mapStoreErr(err)
	}
	if err := dc.Err(); err != nil {
		return mapStoreErr(err)
	}
	return nil
}

// Get returns the live row or the tombstone under key (copies).
func (r *SyncReplica) Get(key []byte) (osynch.Record, bool, error) {
	live, dead, err := r.trees()
	if err != nil {
		return osynch.Record{}, false, err
	}
	for _, ref := range []*treeRef{live, dead} {
		c := ref.t.Range(key, nil)
		if c.First() && bytes.Equal(c.Key(), key) {
			rec := osynch.Record{Item: osynch.Item{Key: append([]byte(nil), key...), Version: c.Version(), Dead: ref == dead, Digest: c.Digest()}}
			if ref == live {
				rec.Value = append([]byte(nil), c.Value()...)
			}
			if err := c.Err(); err != nil {
				return osynch.Record{}, false, mapStoreErr(err)
			}
			return rec, true, nil
		}
		if err := c.Err(); err != nil {
			return osynch.Record{}, false, mapStoreErr(err)
		}
	}
	return osynch.Record{}, false, nil
}

// Apply stores rec, received from the peer, in place of whatever the
// table holds under rec.Key, with rec.Version (not a fresh version):
//
//   - a live record: rec.Key must be a well-formed primary key of the
//     table (for a declared primary key, the one the row's key columns
//     encode to) and rec.Value a row of the table (it decodes, every value
//     is canonical for its column type, NOT NULL and CHECK constraints
//     hold). The row replaces the one under the key, if any, with their
//     index entries; UNIQUE indexes are enforced (1062); the key's
//     tombstone goes. An AUTO_INCREMENT value above the counter moves the
//     counter past it, as an INSERT would.
//   - a tombstone: rec.Key must be well-formed; the row under it, if any,
//     goes with its index entries, and the tombstone is stored.
//
// Then the engine's clock is raised to rec.Version. A failed Apply leaves
// no trace (the transaction stays usable); its error fails the
// synchronization. Apply never panics on bad input.
func (r *SyncReplica) Apply(rec osynch.Record) error {
	if err := r.usable(); err != nil {
		return err
	}
	if err := r.ctx.Err(); err != nil {
		return err
	}
	t := r.t
	if rec.Version > maxRecordVersion {
		return fmt.Errorf("%w: table %s: version %d out of range", ErrSyncRecord, t.desc.Name, rec.Version)
	}
	key := append([]byte(nil), rec.Key...) // the undo log keeps it
	if err := checkSyncKey(t, key); err != nil {
		return err
	}
	var row []Value
	if !rec.Dead {
		var err error
		if row, err = decodeSyncRow(t, rec.Value); err != nil {
			return err
		}
		if !t.hidden {
			var pk []byte
			for i, c := range t.pk {
				pk = AppendKey(pk, row[c], t.types[c], t.pkDesc[i])
			}
			if !bytes.Equal(pk, key) {
				return fmt.Errorf("%w: table %s: record key %x is not the primary key %x of its row", ErrSyncRecord, t.desc.Name, key, pk)
			}
		}
	}
	if len(r.old) != len(t.cols) {
		r.old = make([]Value, len(t.cols))
	}
	_, err := r.s.runWrite(r.ctx, nil, false, func(sc *stmtCtx) (Result, error) {
		st, err := sc.store(t)
		if err != nil {
			return Result{}, err
		}
		if rec.Dead {
			return Result{}, st.applyDead(key, rec.Version, r.old)
		}
		defs, err := t.defaults()
		if err != nil {
			return Result{}, err
		}
		if err := sc.checkRow(t, defs, row); err != nil {
			return Result{}, err
		}
		if ai := t.autoInc; ai >= 0 {
			if u, ok := autoValue(row[ai]); ok {
				c, err := sc.autoCounter(t)
				if err != nil {
					return Result{}, err
				}
				sc.e.observeAutoID(c, u)
			}
		}
		return Result{}, st.applyLive(key, rec.Value, rec.Version, row, r.old)
	})
	if err != nil {
		var de *dupError
		if errors.As(err, &de) {
			err = de.SQLError
		}
		return err
	}
	r.e.ObserveVersion(rec.Version)
	return nil
}

// checkSyncKey checks that key is a well-formed primary key of t: it
// decodes with the key codec and encodes back to itself (a hidden row id:
// one positive BIGINT).
func checkSyncKey(t *table, key []byte) error {
	types, descs := []ColumnType{hiddenKeyType}, []bool{false}
	if !t.hidden {
		types, descs = make([]ColumnType, len(t.pk)), t.pkDesc
		for i, c := range t.pk {
			types[i] = t.types[c]
		}
	}
	vals, err := DecodeKey(key, types, descs)
	if err == nil && !bytes.Equal(AppendKeyTuple(nil, vals, types, descs), key) {
		err = errors.New("not in canonical form")
	}
	if err == nil && t.hidden && (vals[0].K != KindInt || vals[0].I <= 0) {
		err = errors.New("not a row id")
	}
	if err != nil {
		return fmt.Errorf("%w: table %s: bad record key %x: %w", ErrSyncRecord, t.desc.Name, key, err)
	}
	return nil
}

// decodeSyncRow decodes a row value received from a peer and checks that
// every value is what the engine itself would store in its column.
func decodeSyncRow(t *table, val []byte) ([]Value, error) {
	row := make([]Value, len(t.cols))
	var phys []Value
	if err := decodeTableRow(t, val, row, &phys); err != nil {
		return nil, fmt.Errorf("%w: table %s: bad row value: %w", ErrSyncRecord, t.desc.Name, err)
	}
	for i, c := range t.cols {
		v := row[i]
		if v.K == KindNull {
			continue // NOT NULL: checkRow
		}
		cv, err := CoerceColumn(v, c.typ, c.desc.Name, 1)
		if err == nil && !identical(cv, v) {
			err = fmt.Errorf("value %s is not canonical for the column", errText(v))
		}
		if err != nil {
			return nil, fmt.Errorf("%w: table %s column %s: bad row value: %w", ErrSyncRecord, t.desc.Name, c.desc.Name, err)
		}
	}
	return row, nil
}

// applyLive stores the row value val (decoded: row) under pk with version
// ver, replacing the row there (old is scratch for it) and its index
// entries, and removes the key's tombstone.
func (st *tableStore) applyLive(pk, val []byte, ver uint64, row, old []Value) error {
	found, err := st.fetch(pk, old)
	if err != nil {
		return err
	}
	for _, ix := range st.t.indexes {
		if found && bytes.Equal(st.indexKey(ix, old, pk), st.indexKey(ix, row, pk)) {
			continue
		}
		if err := st.checkUnique(ix, row, pk); err != nil {
			return err
		}
	}
	if found {
		oldVal, oldVer, err := st.oldValue(pk)
		if err != nil {
			return err
		}
		if err := st.putOver(st.ref, pk, ver, val, oldVal, oldVer); err != nil {
			return err
		}
	} else {
		if err := st.putNew(st.ref, pk, ver, val); err != nil {
			return err
		}
		if err := st.unbury(pk); err != nil {
			return err
		}
	}
	st.sc.e.noteWrite(st.t.desc.ID, pk)
	for _, ix := range st.t.indexes {
		ok := []byte(nil)
		if found {
			ok = st.indexKey(ix, old, pk)
		}
		nk := st.indexKey(ix, row, pk)
		if found && bytes.Equal(ok, nk) {
			continue
		}
		r, err := st.ixRef(ix)
		if err != nil {
			return err
		}
		if found {
			if err := st.del(r, ok, pk, 0); err != nil {
				return err
			}
		}
		if err := st.putNew(r, nk, 0, pk); err != nil {
			return err
		}
	}
	if st.t.hidden && st.nextRow != 0 {
		if vals, err := DecodeKey(pk, []ColumnType{hiddenKeyType}, nil); err == nil && vals[0].I >= st.nextRow {
			st.nextRow = vals[0].I + 1
		}
	}
	return nil
}

// applyDead removes the row under pk, if any (old is scratch for it),
// with its index entries, and stores the tombstone with version ver.
func (st *tableStore) applyDead(pk []byte, ver uint64, old []Value) error {
	found, err := st.fetch(pk, old)
	if err != nil {
		return err
	}
	if found {
		return st.removeAs(pk, old, ver)
	}
	return st.bury(pk, ver)
}

// Commit commits the transaction durably, like a session's COMMIT, and
// releases the writer lock. The commit also persists the engine's version
// clock (version.go), which now covers every version this replica sent
// or received. After a failed Commit the transaction is rolled back (and
// the clock persisted on its own, as by Rollback).
func (r *SyncReplica) Commit() error {
	if err := r.usable(); err != nil {
		return err
	}
	r.done = true
	err := r.commit()
	r.s.Close() // after a failure: rolls back, releases the lock
	if err != nil {
		_ = r.e.persistClockFloor() // best effort, see Rollback
	}
	return err
}

// commit flushes the shared handles, writes the clock floor and commits.
func (r *SyncReplica) commit() error {
	t := r.s.tx
	if err := t.releaseTrees(true); err != nil {
		return mapStoreErr(err)
	}
	wrote, err := r.e.writeClockFloor(t.top())
	if err != nil {
		return mapStoreErr(err)
	}
	if wrote {
		t.wrote = true
	}
	return r.s.Commit()
}

// Rollback abandons the transaction (after an error) and releases the
// writer lock; a no-op after Commit. The engine's version clock is still
// persisted, in a transaction of its own, since the peer may have kept
// records this replica sent (best effort: a failure to do so is not
// reported, and it waits for the writer lock like any writer).
func (r *SyncReplica) Rollback() error {
	if r.done {
		return nil
	}
	r.done = true
	err := r.s.Close() // rolls back
	_ = r.e.persistClockFloor()
	return err
}
