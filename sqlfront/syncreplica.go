package sqlfront

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
	"github.com/bxdb/bxdb/engine/osynch"
)

// Table synchronization: one table, seen as an osynch.Replica (the
// protocol is engine/osynch's; the SYNC TABLE statement and the network are
// not here).
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
//  4. Only tables with a declared primary key synchronize: a hidden row
//     id is local to each database (row 1 here and row 1 there are
//     different rows), so treating equal ids as one row would lose rows.
//  5. A replica compares a read snapshot of the table and holds no lock
//     while the peer talks; the records the peer sends are staged (in
//     memory, spilled to temporary files past Options.SortMemory). Commit
//     alone takes the writer lock: in one write transaction it checks
//     that the table is still the one compared (same table, same
//     subject), stores each staged record that still wins against what
//     the table holds now (a local write made meanwhile has a newer
//     version and stays), and commits: all of the records or none. So a
//     slow or hostile peer never holds up this database's writers.
//
// Tombstones are kept forever (there is no garbage collection yet), so a
// synchronized table's dead tree grows with its deletions. TRUNCATE empties
// the live tree and leaves a tombstone for every row, as DELETE would, so
// synchronization carries it to the peers. DROP TABLE drops both trees.
//
// Rows travel in their stored encoding, and their digests (hence the
// interval summaries the sides compare) are digests of those bytes. That
// encoding depends on the table's storage layout, not only on its
// columns: a column's slot in the stored row (its field number, which
// DROP COLUMN leaves as a gap and ADD COLUMN takes fresh) and, for rows
// stored before an ADD COLUMN, the value they read for it (the column's
// fill). Two tables with the same columns but another ALTER TABLE history
// can thus read one row's bytes differently; converting rows between
// layouts would make the two sides hold different bytes for the same row,
// whose digests never agree, so synchronization would never settle.
// Subject therefore identifies both the columns and the layout, and a
// peer reports which of the two differs.

// maxRecordVersion bounds the versions Apply accepts: past it the clock
// (microseconds) could overflow.
const maxRecordVersion = math.MaxInt64

// Errors of SyncReplica.
var (
	// ErrSyncRecord is returned (wrapped) by Apply and Commit when the
	// record is not one of the table's: a key that is not a well-formed
	// primary key of the table or not the key of its row, a value that
	// does not decode as a row of the table (wrapping ErrCorrupt) or holds
	// a value its column would not store (wrapping the *SQLError of the
	// conversion), or a version out of range. Violated constraints are
	// SQL errors of Commit instead (1048 NOT NULL, 1062 UNIQUE, 3819
	// CHECK).
	ErrSyncRecord = errors.New("sqlfront: invalid sync record")
	// ErrReplicaDone is returned by a SyncReplica used after Commit or
	// Rollback.
	ErrReplicaDone = errors.New("sqlfront: sync replica: the transaction has ended")
	// ErrSyncTableChanged is returned (wrapped) by Commit when the table
	// was dropped, rebuilt or altered after the replica was opened: what
	// was compared is gone, so nothing is stored (run the synchronization
	// again).
	ErrSyncTableChanged = errors.New("sqlfront: the table changed during the synchronization")
)

// ErRequiresPrimaryKey is MySQL's ER_REQUIRES_PRIMARY_KEY (SQLSTATE 42000),
// raised for a synchronization of a table without a declared primary key.
const ErRequiresPrimaryKey uint16 = 1173

// errSyncNoPK is error 1173 for table name, which has no declared primary
// key (invariant 4).
func errSyncNoPK(name string) *SQLError {
	e := NewSQLError(ErRequiresPrimaryKey, "Table '%s' has no PRIMARY KEY, so it cannot be synchronized: "+
		"its rows are known by hidden row ids, which each database numbers on its own (row 1 here and row 1 "+
		"on the other side are different rows, and one would overwrite the other); declare a primary key on both sides",
		name)
	e.State = "42000"
	return e
}

// SyncReplica is one table seen as an osynch.Replica (invariant 5):
// Summary, Split, Items and Get read a read snapshot of its live rows and
// tombstones, keyed by primary key; Apply validates a received record and
// stages it; Commit stores the staged records that still win in one write
// transaction. Use it from one goroutine, and end it with Commit or
// Rollback.
type SyncReplica struct {
	e       *Engine
	ctx     context.Context
	name    string
	snap    *bedrock.Tx  // the read snapshot compared; nil once released
	t       *table       // the table in the snapshot (synchronized)
	live    *bxtree.Tree // its trees in the snapshot
	dead    *bxtree.Tree
	subject []byte
	staged  *sorter // staged records in arrival order (stageRow); nil if none
	gave    bool    // Get ran: records of this side may have reached the peer
	stored  int     // records Commit stored
	done    bool
	s       *Session // Commit's write session
	old     []Value  // scratch: the row a stored record replaces
	// uniq are the UNIQUE index entries Commit stored unchecked: the
	// records come in key order, and a value that moved from one key to
	// another on the peer (or two rows that swapped values) is only free
	// once every record is stored, so each is checked then.
	uniq []pendingUnique

	commitOK bool // Commit succeeded
}

// pendingUnique is a UNIQUE index entry a sync stored unchecked: the
// index, the row's primary key, and the row's values of the index's
// columns (the others NULL).
type pendingUnique struct {
	ix  *index
	pk  []byte
	row []Value
}

var _ osynch.Replica = (*SyncReplica)(nil)

// OpenSyncReplica returns a replica of table name (honouring ctx, which
// also bounds the replica's later work). The table must have a declared
// primary key (error 1173). A table not yet synchronized is marked so
// first, in a write transaction of its own (waiting for the writer lock
// like any writer): it gets its tombstone tree, and from then on its
// deletions leave tombstones, also those made while the synchronization
// runs. The replica then compares a read snapshot and holds no lock.
func (e *Engine) OpenSyncReplica(ctx context.Context, name string) (*SyncReplica, error) {
	return e.openSyncReplica(ctx, name, nil)
}

// openSyncReplica is OpenSyncReplica; check (if not nil) vets the table
// before it is marked synchronized, and again in the snapshot returned.
func (e *Engine) openSyncReplica(ctx context.Context, name string, check func(*SyncReplica) error) (*SyncReplica, error) {
	if e.opts.ReadOnly {
		return nil, engErr(ErOptionPreventsStmt, "The bxdb store is open read-only so it cannot execute this statement")
	}
	open := func() (*SyncReplica, error) {
		r, err := e.openSnapshotReplica(ctx, name)
		if err == nil && check != nil {
			if err = check(r); err != nil {
				r.release()
			}
		}
		return r, err
	}
	r, err := open()
	if err != nil {
		return nil, err
	}
	if r.t.desc.Synchronized {
		return r, nil
	}
	r.release()
	if err := e.markTableSynchronized(ctx, name); err != nil {
		return nil, err
	}
	if r, err = open(); err != nil {
		return nil, err
	}
	if !r.t.desc.Synchronized { // dropped and created again meanwhile
		r.release()
		return nil, fmt.Errorf("%w: table %s", ErrSyncTableChanged, name)
	}
	return r, nil
}

// openSnapshotReplica returns a replica over a fresh read snapshot of
// table name, which must be a base table with a declared primary key.
func (e *Engine) openSnapshotReplica(ctx context.Context, name string) (*SyncReplica, error) {
	if e.closed.Load() {
		return nil, ErrEngineClosed
	}
	d1 := e.ddlSeq.Load()
	tx, err := e.store.Begin(false)
	if err != nil {
		return nil, mapStoreErr(err)
	}
	r := &SyncReplica{e: e, ctx: ctx, name: name, snap: tx}
	if err := r.openSnapshot(d1); err != nil {
		tx.Rollback()
		return nil, err
	}
	r.subject = tableSubject(r.t)
	return r, nil
}

// openSnapshot finds the table and its trees in r.snap, taken after ddlSeq
// read d1.
func (r *SyncReplica) openSnapshot(d1 uint64) error {
	e := r.e
	cat, err := e.snapshotCatalog(r.snap, d1, e.ddlSeq.Load())
	if err != nil {
		return mapStoreErr(err)
	}
	t := cat.table(r.name)
	switch {
	case t == nil && cat.view(r.name) != nil:
		return errNotBaseTable(e.dbName, r.name)
	case t == nil:
		return errNoSuchTable(e.dbName, r.name)
	case t.hidden:
		return errSyncNoPK(t.desc.Name)
	}
	r.t = t
	if r.live, err = openTree(r.snap, t.tree, false); err != nil {
		return mapStoreErr(err)
	}
	if t.dead != "" {
		if r.dead, err = openTree(r.snap, t.dead, false); err != nil {
			return mapStoreErr(err)
		}
	}
	return nil
}

// markTableSynchronized marks table name synchronized in a write
// transaction of its own (see OpenSyncReplica).
func (e *Engine) markTableSynchronized(ctx context.Context, name string) error {
	s := e.NewSession()
	defer s.Close()
	_, err := s.runWrite(ctx, nil, true, func(sc *stmtCtx) (Result, error) {
		t, err := sc.lookupTable("", name)
		if err != nil {
			return Result{}, err
		}
		if t.hidden {
			return Result{}, errSyncNoPK(t.desc.Name)
		}
		if !t.desc.Synchronized {
			if _, err := sc.markSynchronized(t); err != nil {
				return Result{}, err
			}
		}
		return Result{}, nil
	})
	return err
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

// subjectHalf is the length of each of the two digests of a subject.
const subjectHalf = sha256.Size

// Subject returns bytes that identify the table's definition, in two
// halves of 32 bytes (see tableSubject): the SHA-256 of its columns (the
// lowercased table name, then for every column in order its lowercased
// name, type (base type, UNSIGNED, length of string types, precision,
// scale, ENUM members) and NOT NULL, then the primary key as column
// positions and directions), then the SHA-256 of its storage layout (for
// every column its field number in the stored row and its fill, the value
// rows stored before the column was added read). Two replicas may
// synchronize only when their subjects are equal: then every row value
// and key means the same row on both sides. Indexes, defaults and CHECK
// constraints are not part of it.
func (r *SyncReplica) Subject() []byte { return append([]byte(nil), r.subject...) }

// tableSubject computes Subject for t.
func tableSubject(t *table) []byte {
	var b []byte
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
	b = append(b, "bxdb sync columns v2\x00"...)
	str(strings.ToLower(t.desc.Name))
	num(len(t.cols))
	for _, c := range t.cols {
		str(strings.ToLower(c.desc.Name))
		ct := c.typ
		str(baseNames[ct.Base])
		flag(ct.Unsigned)
		switch ct.Base {
		case TypeChar, TypeVarChar, TypeText, TypeBinary, TypeVarBinary, TypeBlob, TypeBit:
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
		if ct.Collation != "" {
			// Only non-default collations (collation.go) add to the
			// subject, which stays the same for the other tables.
			b = append(b, 0xC0)
			str(ct.Collation)
		}
		flag(c.desc.NotNull)
	}
	num(len(t.pk))
	for i, c := range t.pk {
		num(c)
		flag(t.pkDesc[i])
	}
	columns := sha256.Sum256(b)

	b = append(b[:0], "bxdb sync layout v2\x00"...)
	num(len(t.cols))
	for _, c := range t.cols {
		num(c.desc.Field)
		b = appendRowValue(b, c.desc.Fill)
	}
	layout := sha256.Sum256(b)
	return append(columns[:], layout[:]...)
}

// compareSubjects returns nil if the subject a peer sent for table name,
// theirs, equals mine, else an error that says what differs: the columns,
// or only the storage layout (with what the user can do about it).
func compareSubjects(name string, mine, theirs []byte) error {
	switch {
	case bytes.Equal(mine, theirs):
		return nil
	case len(theirs) != len(mine):
		return fmt.Errorf("table %s: the peer describes its definition in another format (another bxdb version?)", name)
	case !bytes.Equal(mine[:subjectHalf], theirs[:subjectHalf]):
		return fmt.Errorf("table %s has another definition on the server: columns, their types, NOT NULL or the primary key differ (compare SHOW CREATE TABLE %s on both sides)", name, name)
	}
	return fmt.Errorf("table %s has the same columns on both sides but another storage layout, left by a different history of "+
		"ALTER TABLE ... ADD/DROP COLUMN (which slot each column has in a stored row, or the value rows stored before ADD COLUMN "+
		"read for the new column); rows travel as stored, so they would mean other values on the other side. Give the table "+
		"the same history on both sides: create it on one side with the same CREATE TABLE and ALTER TABLE statements, in the "+
		"same order, as on the other (copying its rows with INSERT ... SELECT if needed), or start that database from a "+
		"copy of the other (bxdb backup)", name)
}

// usable returns an error once the replica has ended.
func (r *SyncReplica) usable() error {
	if r.done {
		return ErrReplicaDone
	}
	return nil
}

// addSummary returns the summary of the union of the disjoint sets a and b.
func addSummary(a, b bxtree.Summary) bxtree.Summary {
	return bxtree.Summary{Count: a.Count + b.Count, Digest: a.Digest.Xor(b.Digest)}
}

// Summary returns the count and XOR digest of the live rows and
// tombstones in [lo, hi), in the snapshot.
func (r *SyncReplica) Summary(lo, hi []byte) (bxtree.Summary, error) {
	if err := r.usable(); err != nil {
		return bxtree.Summary{}, err
	}
	a, err := r.live.Summary(lo, hi)
	if err != nil {
		return bxtree.Summary{}, mapStoreErr(err)
	}
	b, err := r.dead.Summary(lo, hi)
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
	if err := r.usable(); err != nil {
		return nil, err
	}
	if k < 1 || lo != nil && hi != nil && bytes.Compare(lo, hi) > 0 {
		return nil, fmt.Errorf("%w: k=%d lo=%q hi=%q", bxtree.ErrBadInterval, k, lo, hi)
	}
	nl, err := r.live.Count(lo, hi)
	if err != nil {
		return nil, mapStoreErr(err)
	}
	nd, err := r.dead.Count(lo, hi)
	if err != nil {
		return nil, mapStoreErr(err)
	}
	big, small := r.live, r.dead
	if nd > nl {
		big, small = r.dead, r.live
	}
	ivs, err := big.Split(lo, hi, k)
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
		s, err := small.Summary(ilo, ihi)
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

// Items calls fn with each live row and tombstone in [lo, hi) of the
// snapshot in key order, merging the two trees' cursors. A key in both
// trees (which invariant 1 excludes) is reported once, as its winner. The
// item's slices are valid during fn.
func (r *SyncReplica) Items(lo, hi []byte, fn func(osynch.Item) error) error {
	if err := r.usable(); err != nil {
		return err
	}
	lc, dc := r.live.Range(lo, hi), r.dead.Range(lo, hi)
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

// Get returns the live row or the tombstone under key in the snapshot
// (copies).
func (r *SyncReplica) Get(key []byte) (osynch.Record, bool, error) {
	if err := r.usable(); err != nil {
		return osynch.Record{}, false, err
	}
	r.gave = true
	return getRecord(r.live, r.dead, key)
}

// getRecord returns the record under key in live or, failing that, in
// dead (copies).
func getRecord(live, dead *bxtree.Tree, key []byte) (osynch.Record, bool, error) {
	for _, t := range []*bxtree.Tree{live, dead} {
		c := t.Range(key, nil)
		if c.First() && bytes.Equal(c.Key(), key) {
			rec := osynch.Record{Item: osynch.Item{Key: append([]byte(nil), key...), Version: c.Version(), Dead: t == dead, Digest: c.Digest()}}
			if t == live {
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

// Apply validates rec, received from the peer, as a record of the table
// (see checkSyncRecord: its key, its row value, its version), and stages
// it for Commit, which stores it in place of whatever the table then holds
// under rec.Key if it still wins. It copies rec. Constraints that depend
// on other rows or on expressions (UNIQUE, NOT NULL, CHECK) are checked by
// Commit. A failed Apply stages nothing; its error fails the
// synchronization. Apply never panics on bad input.
func (r *SyncReplica) Apply(rec osynch.Record) error {
	if err := r.usable(); err != nil {
		return err
	}
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if _, err := checkSyncRecord(r.t, rec); err != nil {
		return err
	}
	if r.staged == nil {
		r.staged = newSorter(nil, r.e.opts.SortMemory, r.e.opts.TempDir)
	}
	return r.staged.add(stageRow(rec))
}

// stageRow is the form of a staged record: key, version, tombstone flag
// (1 or 0), value (copies).
func stageRow(rec osynch.Record) []Value {
	dead := int64(0)
	if rec.Dead {
		dead = 1
	}
	return []Value{BytesValue(rec.Key), IntValue(int64(rec.Version)), IntValue(dead), BytesValue(rec.Value)}
}

// stagedRecord turns a staged row back into the record, with its digest.
func stagedRecord(row []Value) (osynch.Record, error) {
	if len(row) != 4 || row[0].K != KindBytes || row[1].K != KindInt || row[2].K != KindInt || row[3].K != KindBytes {
		return osynch.Record{}, fmt.Errorf("%w: bad staged sync record", ErrCorrupt)
	}
	rec := osynch.Record{Item: osynch.Item{Key: []byte(row[0].S), Version: uint64(row[1].I), Dead: row[2].I != 0}}
	if !rec.Dead {
		rec.Value = []byte(row[3].S)
	}
	rec.Digest = bxtree.RecordDigest(nil, rec.Key, rec.Version, rec.Value)
	return rec, nil
}

// checkSyncRecord checks that rec is a record of table t and returns its
// row, decoded (nil for a tombstone):
//
//   - its version is in range, and its key a well-formed primary key of
//     the table;
//   - a live record's value decodes as a row of the table whose values
//     are canonical for their column types, and its key is the one the
//     row's key columns encode to.
func checkSyncRecord(t *table, rec osynch.Record) ([]Value, error) {
	if rec.Version > maxRecordVersion {
		return nil, fmt.Errorf("%w: table %s: version %d out of range", ErrSyncRecord, t.desc.Name, rec.Version)
	}
	if err := checkSyncKey(t, rec.Key); err != nil {
		return nil, err
	}
	if rec.Dead {
		return nil, nil
	}
	row, err := decodeSyncRow(t, rec.Value)
	if err != nil {
		return nil, err
	}
	var pk []byte
	for i, c := range t.pk {
		pk = AppendKey(pk, row[c], t.types[c], t.pkDesc[i])
	}
	if !bytes.Equal(pk, rec.Key) {
		return nil, fmt.Errorf("%w: table %s: record key %x is not the primary key %x of its row", ErrSyncRecord, t.desc.Name, rec.Key, pk)
	}
	return row, nil
}

// checkSyncKey checks that key is a well-formed primary key of t: it
// decodes with the key codec and encodes back to itself.
func checkSyncKey(t *table, key []byte) error {
	types := make([]ColumnType, len(t.pk))
	for i, c := range t.pk {
		types[i] = t.types[c]
	}
	vals, err := DecodeKey(key, types, t.pkDesc)
	if err == nil && !bytes.Equal(AppendKeyTuple(nil, vals, types, t.pkDesc), key) {
		err = errors.New("not in canonical form")
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
	if err := decodeTableRow(t, val, row, &phys, nil); err != nil {
		return nil, fmt.Errorf("%w: table %s: bad row value: %w", ErrSyncRecord, t.desc.Name, err)
	}
	for i, c := range t.cols {
		v := row[i]
		if v.K == KindNull {
			continue // NOT NULL: checkRow
		}
		cv, err := CoerceColumn(v, c.typ, c.desc.Name, 1)
		// JSON text stored before bxdb normalized JSON (coerceJSON) is
		// valid as it is.
		if err == nil && !identical(cv, v) && c.typ.Base != TypeJSON {
			err = fmt.Errorf("value %s is not canonical for the column", errText(v))
		}
		if err != nil {
			return nil, fmt.Errorf("%w: table %s column %s: bad row value: %w", ErrSyncRecord, t.desc.Name, c.desc.Name, err)
		}
	}
	return row, nil
}

// Stored returns the number of records Commit stored: rows inserted,
// updated or deleted by the synchronization.
func (r *SyncReplica) Stored() int { return r.stored }

// Commit stores the staged records (invariant 5) and commits durably,
// like a session's COMMIT: it waits for the writer lock (honouring the
// replica's context and the engine's busy timeout), fails with
// ErrSyncTableChanged if the table is no longer the one compared, stores
// every staged record that still wins against what the table holds (with
// the peer's version; see store), writes the engine's version clock
// (version.go), which now covers every version this replica sent or
// received, and commits. On error nothing is stored (the clock is still
// persisted on its own, as by Rollback). The replica ends either way.
func (r *SyncReplica) Commit() error {
	if err := r.usable(); err != nil {
		return err
	}
	r.done = true
	err := r.commit()
	r.release()
	if err != nil {
		r.stored = 0                // rolled back
		_ = r.e.persistClockFloor() // best effort, see Rollback
	}
	r.commitOK = err == nil
	return err
}

// Committed reports whether Commit succeeded: the records it stored
// (Stored) are in the table whatever happens to the synchronization after.
func (r *SyncReplica) Committed() bool { return r.commitOK }

// commit is Commit's work.
func (r *SyncReplica) commit() error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if r.snap != nil {
		r.snap.Rollback() // done comparing: do not pin its blocks longer
		r.snap = nil
	}
	s := r.e.NewSession()
	r.s = s
	defer s.Close() // after a failure: rolls back, releases the lock
	if err := s.Begin(r.ctx, TxOptions{}); err != nil {
		return err
	}
	cat, err := s.txCatalog(s.tx.top())
	if err != nil {
		return mapStoreErr(err)
	}
	t := cat.table(r.name)
	if t == nil || t.desc.ID != r.t.desc.ID || !t.desc.Synchronized || !bytes.Equal(tableSubject(t), r.subject) {
		return fmt.Errorf("%w: table %s was dropped, rebuilt or altered; run the synchronization again", ErrSyncTableChanged, r.name)
	}
	r.old = make([]Value, len(t.cols))
	if r.staged != nil {
		it, err := r.staged.iter()
		if err != nil {
			return err
		}
		defer it.Close()
		for {
			row, err := it.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			rec, err := stagedRecord(row)
			if err != nil {
				return err
			}
			if err := r.store(t, rec); err != nil {
				return err
			}
		}
	}
	if err := r.checkUnique(t); err != nil {
		return err
	}
	tx := s.tx
	if err := tx.releaseTrees(true); err != nil {
		return mapStoreErr(err)
	}
	wrote, err := r.e.writeClockFloor(tx.top())
	if err != nil {
		return mapStoreErr(err)
	}
	if wrote {
		tx.wrote = true
	}
	return s.Commit()
}

// store stores rec in table t of the commit's transaction, in place of
// whatever the table holds under rec.Key, if rec wins against it (the
// peer's version, not a fresh one):
//
//   - a live record (checked again by checkSyncRecord) must satisfy NOT
//     NULL and CHECK constraints; it replaces the row under the key, if
//     any, with their index entries; UNIQUE indexes are enforced (1062)
//     once every record is stored (checkUnique);
//     the key's tombstone goes. An AUTO_INCREMENT value above the counter
//     moves the counter past it, as an INSERT would.
//   - a tombstone: the row under the key, if any, goes with its index
//     entries, and the tombstone is stored.
//
// Then the engine's clock is raised to rec.Version.
func (r *SyncReplica) store(t *table, rec osynch.Record) error {
	row, err := checkSyncRecord(t, rec)
	if err != nil {
		return err
	}
	tt := r.s.tx.sharedTrees()
	live, err := sharedRef(tt, t.tree)
	if err != nil {
		return mapStoreErr(err)
	}
	dead, err := sharedRef(tt, t.dead)
	if err != nil {
		return mapStoreErr(err)
	}
	live.noteRead()
	dead.noteRead()
	cur, ok, err := getRecord(live.t, dead.t, rec.Key)
	if err != nil {
		return err
	}
	if ok && !rec.Wins(cur.Item) {
		return nil // a local write made since the snapshot, or a repeat
	}
	key := rec.Key // a copy, which the undo log may keep
	_, err = r.s.runWrite(r.ctx, nil, false, func(sc *stmtCtx) (Result, error) {
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
		return Result{}, st.applyLive(key, rec.Value, rec.Version, row, r.old, func(ix *index) {
			cols := make([]Value, len(row))
			for _, c := range ix.cols {
				cols[c] = row[c]
			}
			r.uniq = append(r.uniq, pendingUnique{ix: ix, pk: key, row: cols})
		})
	})
	if err != nil {
		var de *dupError
		if errors.As(err, &de) {
			err = de.SQLError
		}
		return err
	}
	r.e.ObserveVersion(rec.Version)
	r.stored++
	return nil
}

// checkUnique checks the UNIQUE index entries the stored records added
// (r.uniq) against the table as the whole synchronization left it: a
// duplicate there is a real conflict (1062), and Commit stores nothing.
func (r *SyncReplica) checkUnique(t *table) error {
	if len(r.uniq) == 0 {
		return nil
	}
	_, err := r.s.runWrite(r.ctx, nil, false, func(sc *stmtCtx) (Result, error) {
		st, err := sc.store(t)
		if err != nil {
			return Result{}, err
		}
		for _, u := range r.uniq {
			if err := st.checkUnique(u.ix, u.row, u.pk); err != nil {
				return Result{}, err
			}
		}
		return Result{}, nil
	})
	r.uniq = nil
	var de *dupError
	if errors.As(err, &de) {
		err = de.SQLError
	}
	return err
}

// applyLive stores the row value val (decoded: row) under pk with version
// ver, replacing the row there (old is scratch for it) and its index
// entries, and removes the key's tombstone. A UNIQUE index entry it adds
// is not checked here but handed to unchecked, for the caller to check
// once the whole synchronization is stored (SyncReplica.uniq).
func (st *tableStore) applyLive(pk, val []byte, ver uint64, row, old []Value, unchecked func(*index)) error {
	found, err := st.fetch(pk, old)
	if err != nil {
		return err
	}
	for _, ix := range st.t.indexes {
		if found && bytes.Equal(st.indexKey(ix, old, pk), st.indexKey(ix, row, pk)) {
			continue
		}
		if ix.desc.Unique && !hasNull(row, ix.cols) {
			unchecked(ix)
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

// release ends the replica's snapshot and drops its staged records.
func (r *SyncReplica) release() {
	if r.snap != nil {
		r.snap.Rollback()
		r.snap = nil
	}
	if r.staged != nil {
		r.staged.close()
		r.staged = nil
	}
}

// Rollback abandons the replica (after an error): its snapshot and staged
// records go, nothing is stored; a no-op after Commit. If records of this
// side may have reached the peer (Get ran), the engine's version clock is
// persisted in a transaction of its own, since the peer may have kept
// them (best effort: a failure to do so is not reported, and it waits for
// the writer lock like any writer).
func (r *SyncReplica) Rollback() error {
	if r.done {
		return nil
	}
	r.done = true
	r.release()
	if r.gave {
		_ = r.e.persistClockFloor()
	}
	return nil
}

// sharedRef returns the transaction's shared handle on tree name (the one
// statements write through, so reads see every change), opening it.
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
