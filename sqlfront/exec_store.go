package sqlfront

import (
	"bytes"
	"strings"

	"github.com/bxdb/bxdb/engine/bxtree"
)

// Table storage: rows and index entries of one table in one statement
// (formats in engine.go). A tableStore owns the statement's handles on the
// table's trees; every write keeps the indexes in step with the rows and
// enforces PRIMARY KEY and UNIQUE.
//
// Every row write stores a fresh version of the engine's clock
// (version.go); index entries keep version 0. For a synchronized table
// (tableDesc.Synchronized) every removal of a row from the primary tree
// also puts a tombstone (key = the primary key, a fresh version, an empty
// value) into the table's dead tree, and every write of a row under a key
// that was absent removes that key's tombstone (bury, unbury): a key is
// never both live and dead. Tables that are not synchronized have no dead
// tree and pay nothing for it.

// hiddenKeyType is the type of the hidden row id of a table without a
// primary key.
var hiddenKeyType = ColumnType{Base: TypeBigInt}

// tableStore is a table's trees in one statement.
type tableStore struct {
	sc      *stmtCtx
	t       *table
	tree    *bxtree.Tree
	ref     *treeRef // tree's handle with its key bound
	ixTrees map[uint32]*treeRef
	nextRow int64   // hidden row id to hand out next; 0 until known
	phys    []Value // scratch: physical row
	enc     []byte  // scratch: encoded row (Put copies it)
	pkTypes []ColumnType
	// row and given are scratch for the rows of INSERT ... VALUES.
	row   []Value
	given []bool
	// old is scratch for the row a point UPDATE or DELETE reads;
	// nu and assigned for the new row of an UPDATE.
	old, nu  []Value
	assigned []bool
	// npk is scratch for the new primary key of an updated row.
	npk []byte
	// lastKey, lastVal and lastVer are the record fetch read last, while
	// no write has happened since (oldValue then need not read it again).
	lastKey, lastVal []byte
	lastVer          uint64
	// dead is the handle on the tombstone tree of a synchronized table,
	// opened on first use.
	dead *treeRef
}

// store returns the statement's tableStore for t. Statements sharing the
// transaction's handles share their tableStores too (with their scratch
// space and the next hidden row id).
func (sc *stmtCtx) store(t *table) (*tableStore, error) {
	if st, ok := sc.stores[t.desc.ID]; ok && st.t == t {
		return st, nil
	}
	if sc.shared != nil {
		if st, ok := sc.shared.stores[t.desc.ID]; ok && st.t == t {
			st.sc = sc
			st.lastKey, st.lastVal = nil, nil // an undo may have changed it
			sc.addStore(st)
			return st, nil
		}
	}
	ref, err := sc.treeRef(t.tree)
	if err != nil {
		return nil, err
	}
	st := &tableStore{sc: sc, t: t, tree: ref.t, ref: ref}
	st.pkTypes = make([]ColumnType, len(t.pk))
	for i, c := range t.pk {
		st.pkTypes[i] = t.cols[c].typ
	}
	sc.addStore(st)
	if sc.shared != nil {
		if sc.shared.stores == nil {
			sc.shared.stores = map[uint64]*tableStore{}
		}
		sc.shared.stores[t.desc.ID] = st
	}
	return st, nil
}

// rowScratch returns the store's scratch row (all NULL) and given flags
// (all false), for a row built and stored within one iteration.
func (st *tableStore) rowScratch() ([]Value, []bool) {
	n := len(st.t.cols)
	if len(st.row) != n {
		st.row, st.given = make([]Value, n), make([]bool, n)
	} else {
		clear(st.row)
		clear(st.given)
	}
	return st.row, st.given
}

// addStore registers st as the statement's store of its table.
func (sc *stmtCtx) addStore(st *tableStore) {
	if sc.stores == nil {
		sc.stores = make(map[uint64]*tableStore, 1)
	}
	sc.stores[st.t.desc.ID] = st
}

// ixTree returns the statement's handle on index ix's tree, opening it on
// first use.
func (st *tableStore) ixTree(ix *index) (*bxtree.Tree, error) {
	r, err := st.ixRef(ix)
	if err != nil {
		return nil, err
	}
	return r.t, nil
}

// ixRef returns the statement's handle on index ix's tree with its key
// bound, opening it on first use.
func (st *tableStore) ixRef(ix *index) (*treeRef, error) {
	if r, ok := st.ixTrees[ix.desc.ID]; ok {
		return r, nil
	}
	r, err := st.sc.treeRef(ix.tree)
	if err != nil {
		return nil, err
	}
	if st.ixTrees == nil {
		st.ixTrees = map[uint32]*treeRef{}
	}
	st.ixTrees[ix.desc.ID] = r
	return r, nil
}

// putNew stores a record with version ver under a key known to be
// absent.
func (st *tableStore) putNew(r *treeRef, key []byte, ver uint64, val []byte) error {
	st.sc.root().wrote = true
	st.lastKey, st.lastVal = nil, nil
	if err := r.put(key, ver, val); err != nil {
		return err
	}
	st.sc.logUndo(undoOp{ref: r, key: key, del: true})
	return nil
}

// putOver replaces the record under key, whose value and version are old
// and oldVer, by val with version ver.
func (st *tableStore) putOver(r *treeRef, key []byte, ver uint64, val, old []byte, oldVer uint64) error {
	st.sc.root().wrote = true
	st.lastKey, st.lastVal = nil, nil
	if err := r.put(key, ver, val); err != nil {
		return err
	}
	st.sc.logUndo(undoOp{ref: r, key: key, val: old, ver: oldVer})
	return nil
}

// del deletes the record under key, whose value and version are old and
// oldVer.
func (st *tableStore) del(r *treeRef, key, old []byte, oldVer uint64) error {
	st.sc.root().wrote = true
	st.lastKey, st.lastVal = nil, nil
	if _, err := r.del(key); err != nil {
		return err
	}
	st.sc.logUndo(undoOp{ref: r, key: key, val: old, ver: oldVer})
	return nil
}

// oldValue returns the stored row under pk and its version when the
// statement keeps an undo log (nil and 0 otherwise: nobody needs them).
func (st *tableStore) oldValue(pk []byte) ([]byte, uint64, error) {
	if st.sc.shared == nil {
		return nil, 0, nil
	}
	if st.lastKey != nil && bytes.Equal(st.lastKey, pk) {
		return st.lastVal, st.lastVer, nil
	}
	st.ref.noteRead()
	v, ver, ok, err := st.tree.Get(pk)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		return nil, 0, errIndexCorrupt(st.t, nil)
	}
	return v, ver, nil
}

// deadRef returns the handle on the tombstone tree of the (synchronized)
// table, opening it on first use.
func (st *tableStore) deadRef() (*treeRef, error) {
	if st.dead != nil {
		return st.dead, nil
	}
	r, err := st.sc.treeRef(st.t.dead)
	if err != nil {
		return nil, err
	}
	st.dead = r
	return r, nil
}

// bury puts the tombstone of the row under pk of a synchronized table,
// with version ver, replacing the tombstone there if any.
func (st *tableStore) bury(pk []byte, ver uint64) error {
	r, err := st.deadRef()
	if err != nil {
		return err
	}
	st.sc.root().wrote = true
	r.noteRead()
	_, oldVer, ok, err := r.t.Get(pk)
	if err != nil {
		return err
	}
	if err := r.put(pk, ver, nil); err != nil {
		return err
	}
	if ok {
		st.sc.logUndo(undoOp{ref: r, key: pk, ver: oldVer})
	} else {
		st.sc.logUndo(undoOp{ref: r, key: pk, del: true})
	}
	return nil
}

// unbury removes the tombstone under pk of a synchronized table, if any,
// before a row is stored under pk. The dead tree is usually small, and
// its key bound spares the probe for ascending keys.
func (st *tableStore) unbury(pk []byte) error {
	r, err := st.deadRef()
	if err != nil {
		return err
	}
	if above, err := r.above(pk); err != nil || above {
		return err
	}
	r.noteRead()
	_, oldVer, ok, err := r.t.Get(pk)
	if err != nil || !ok {
		return err
	}
	if _, err := r.del(pk); err != nil {
		return err
	}
	st.sc.logUndo(undoOp{ref: r, key: pk, ver: oldVer})
	return nil
}

// pkKey appends the primary key encoding of row (ordinal layout) to dst.
// Tables without a primary key have no key derivable from the row.
func (st *tableStore) pkKey(dst []byte, row []Value) []byte {
	for i, c := range st.t.pk {
		dst = AppendKey(dst, row[c], st.pkTypes[i], st.t.pkDesc[i])
	}
	return dst
}

// newKey returns the primary key of a new row. The undo log of a
// statement on shared handles keeps it until the statement ends: it goes
// into the statement's key arena. Otherwise nothing keeps it (the tree
// copies it), and the store's scratch serves.
func (st *tableStore) newKey(row []Value) []byte {
	sc := st.sc
	if sc.shared == nil {
		st.npk = st.pkKey(st.npk[:0], row)
		return st.npk
	}
	start := len(sc.keys)
	sc.keys = st.pkKey(sc.keys, row)
	return sc.keys[start:len(sc.keys):len(sc.keys)]
}

// indexPrefix appends the encoding of ix's columns of row to dst.
func (st *tableStore) indexPrefix(dst []byte, ix *index, row []Value) []byte {
	for i, c := range ix.cols {
		dst = AppendKey(dst, ix.keyValue(i, row[c]), st.t.cols[c].typ, ix.descs[i])
	}
	return dst
}

// indexKey returns the index entry key of row for ix.
func (st *tableStore) indexKey(ix *index, row []Value, pk []byte) []byte {
	k := st.indexPrefix(make([]byte, 0, 32+len(pk)), ix, row)
	return append(k, pk...)
}

// decode decodes a stored row into dst (ordinal layout, len(dst) ==
// number of columns): fields missing from old rows get their fill values.
func (st *tableStore) decode(val []byte, dst []Value) error {
	return decodeTableRow(st.t, val, dst, &st.phys, nil)
}

// decodeAt decodes the row at cursor c into dst (the cursor's error when
// it could not read the row's value).
func (st *tableStore) decodeAt(c *bxtree.Cursor, dst []Value) error {
	val, err := cursorValue(c)
	if err != nil {
		return err
	}
	return st.decode(val, dst)
}

// colMask names the columns of a table a reader needs, by ordinal and by
// stored field; the others decode as NULL without being built.
type colMask struct {
	cols   []bool // by ordinal
	fields []bool // by stored field, up to the last one needed
}

// newColMask returns the mask of t's columns in need, or nil (every
// column) when need is nil or names them all.
func newColMask(t *table, need map[int]bool) *colMask {
	if need == nil || len(need) >= len(t.cols) {
		return nil
	}
	m := &colMask{cols: make([]bool, len(t.cols)), fields: make([]bool, t.nfield)}
	end := 0
	for c := range need {
		f := c
		if !t.plain {
			f = t.fields[c]
		}
		m.cols[c], m.fields[f] = true, true
		end = max(end, f+1)
	}
	m.fields = m.fields[:end]
	return m
}

// decodeTableRow decodes a stored row of t into dst (ordinal layout,
// len(dst) == number of columns): fields missing from old rows get their
// fill values. With a mask, only its columns are decoded and the others
// are NULL.
func decodeTableRow(t *table, val []byte, dst []Value, phys *[]Value, m *colMask) error {
	var wantCols, wantFields []bool
	if m != nil {
		wantCols, wantFields = m.cols, m.fields
	}
	if t.plain {
		// Fields are the ordinals: decode in place.
		info, err := decodeRowInto(dst, val, wantFields)
		if err != nil {
			return err
		}
		for i := info.Stored; i < len(dst); i++ {
			if wantCols == nil || wantCols[i] {
				dst[i] = t.cols[i].desc.Fill
			}
		}
		if t.colls != nil {
			tagCollations(t, dst)
		}
		if t.enums != nil {
			tagEnums(t, dst)
		}
		return nil
	}
	p := *phys
	if cap(p) < t.nfield {
		p = make([]Value, t.nfield)
	}
	p = p[:t.nfield]
	*phys = p
	info, err := decodeRowInto(p, val, wantFields)
	if err != nil {
		return err
	}
	for i, f := range t.fields {
		switch {
		case wantCols != nil && !wantCols[i]:
			dst[i] = Null
		case f < info.Stored:
			dst[i] = p[f]
		default:
			dst[i] = t.cols[i].desc.Fill
		}
	}
	clear(p)
	if t.colls != nil {
		tagCollations(t, dst)
	}
	if t.enums != nil {
		tagEnums(t, dst)
	}
	return nil
}

// tagEnums gives the values of t's ENUM and SET columns in row (ordinal
// layout) their member index or bit mask (see Value).
func tagEnums(t *table, row []Value) {
	for _, i := range t.enums {
		if i < len(row) && row[i].K == KindString {
			row[i].I = memberTag(t.cols[i].typ, row[i].S)
		}
	}
}

// memberTag returns the number an ENUM or SET value s of type t stands
// for: the 1-based index of an ENUM member, the bit mask of a SET's
// members (s as stored: members in declaration order); 0 when s is no
// member.
func memberTag(t ColumnType, s string) int64 {
	if t.Base == TypeEnum {
		for k, e := range t.Elems {
			if e == s {
				return int64(k + 1)
			}
		}
		return 0
	}
	var mask int64
	k := 0
	for part := range strings.SplitSeq(s, ",") {
		for k < len(t.Elems) && t.Elems[k] != part {
			k++
		}
		if k == len(t.Elems) {
			return 0
		}
		mask |= 1 << k
	}
	if s == "" {
		return 0
	}
	return mask
}

// encode returns the stored form of row (ordinal layout). The slice is
// scratch, valid until the next encode.
func (st *tableStore) encode(row []Value) []byte {
	t := st.t
	if t.plain && len(row) == t.nfield {
		st.enc = EncodeRow(st.enc[:0], t.desc.Version, row)
		return st.enc
	}
	phys := st.phys[:0]
	for range t.nfield {
		phys = append(phys, Null)
	}
	for i, f := range t.fields {
		phys[f] = row[i]
	}
	st.enc = EncodeRow(st.enc[:0], t.desc.Version, phys)
	clear(phys)
	st.phys = phys
	return st.enc
}

// fetch reads the row with primary key pk into dst.
func (st *tableStore) fetch(pk []byte, dst []Value) (bool, error) {
	st.ref.noteRead()
	v, ver, ok, err := st.tree.Get(pk)
	if err != nil || !ok {
		return false, err
	}
	st.lastKey, st.lastVal, st.lastVer = pk, v, ver
	return true, st.decode(v, dst)
}

// dupError is a UNIQUE or PRIMARY KEY violation; it carries the key of the
// row already there.
type dupError struct {
	*SQLError
	ix       *index // nil: PRIMARY
	existing []byte // primary key of the conflicting row
}

// Unwrap returns the SQL error.
func (e *dupError) Unwrap() error { return e.SQLError }

// dupEntryText formats key values like MySQL's duplicate-entry message.
func dupEntryText(vals []Value) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = Format(v)
		if v.K == KindNull {
			parts[i] = "NULL"
		}
	}
	return strings.Join(parts, "-")
}

// newDupError builds the error for a violation of ix (nil: PRIMARY).
func (st *tableStore) newDupError(ix *index, row []Value, existing []byte) *dupError {
	var vals []Value
	name := "PRIMARY"
	cols := st.t.pk
	if ix != nil {
		name, cols = ix.desc.Name, ix.cols
	}
	for i, c := range cols {
		v := row[c]
		if ix != nil {
			v = ix.keyValue(i, v) // MySQL names a prefix key's prefix
		}
		vals = append(vals, v)
	}
	return &dupError{SQLError: errDupEntry(dupEntryText(vals), st.t.desc.Name, name), ix: ix, existing: append([]byte(nil), existing...)}
}

// hasNull reports whether any of row's cols is NULL.
func hasNull(row []Value, cols []int) bool {
	for _, c := range cols {
		if row[c].K == KindNull {
			return true
		}
	}
	return false
}

// checkUnique returns a *dupError if another row (primary key != self)
// has row's values in unique index ix.
func (st *tableStore) checkUnique(ix *index, row []Value, self []byte) error {
	if !ix.desc.Unique || hasNull(row, ix.cols) {
		return nil
	}
	prefix := st.indexPrefix(nil, ix, row)
	r, err := st.ixRef(ix)
	if err != nil {
		return err
	}
	if above, err := r.above(prefix); err != nil || above {
		return err // no key >= prefix: nothing to conflict with
	}
	r.noteRead()
	cur := r.t.Range(prefix, prefixEnd(prefix))
	for ok := cur.First(); ok; ok = cur.Next() {
		if self != nil && bytes.Equal(cur.Value(), self) {
			continue
		}
		return st.newDupError(ix, row, cur.Value())
	}
	return cur.Err()
}

// newRowID hands out the next hidden row id.
func (st *tableStore) newRowID() ([]byte, error) {
	if st.nextRow == 0 {
		st.nextRow = 1
		st.ref.noteRead()
		cur := st.tree.Cursor()
		if cur.Last() {
			vals, err := DecodeKey(cur.Key(), []ColumnType{hiddenKeyType}, nil)
			if err != nil {
				return nil, err
			}
			st.nextRow = vals[0].I + 1
		} else if err := cur.Err(); err != nil {
			return nil, err
		}
	}
	id := st.nextRow
	st.nextRow++
	return AppendKey(nil, IntValue(id), hiddenKeyType, false), nil
}

// insert stores a new row, or returns a *dupError naming the first key
// it conflicts with (primary key first, then unique indexes in order).
func (st *tableStore) insert(row []Value) ([]byte, error) {
	var pk []byte
	if st.t.hidden {
		var err error
		if pk, err = st.newRowID(); err != nil {
			return nil, err
		}
	} else {
		pk = st.newKey(row)
		// A key above every key of the tree needs no probe (ascending
		// inserts); otherwise look.
		above, err := st.ref.above(pk)
		if err != nil {
			return nil, err
		}
		if !above {
			st.ref.noteRead()
			_, _, ok, err := st.tree.Get(pk)
			if err != nil {
				return nil, err
			}
			if ok {
				return nil, st.newDupError(nil, row, pk)
			}
		}
	}
	for _, ix := range st.t.indexes {
		if err := st.checkUnique(ix, row, nil); err != nil {
			return nil, err
		}
	}
	if len(st.t.desc.ForeignKeys) > 0 && st.sc.fkChecks() {
		if err := st.fkCheckChild(row, nil, false); err != nil {
			return nil, err
		}
	}
	if err := st.putNew(st.ref, pk, st.sc.e.nextVersion(), st.encode(row)); err != nil {
		return nil, err
	}
	if st.t.dead != "" {
		if err := st.unbury(pk); err != nil {
			return nil, err
		}
	}
	st.sc.e.noteWrite(st.t.desc.ID, pk)
	for _, ix := range st.t.indexes {
		r, err := st.ixRef(ix)
		if err != nil {
			return nil, err
		}
		if err := st.putNew(r, st.indexKey(ix, row, pk), 0, pk); err != nil {
			return nil, err
		}
	}
	if len(st.t.desc.ForeignKeys) > 0 && st.sc.fkChecks() {
		if err := st.fkCheckChild(row, nil, true); err != nil {
			return nil, err
		}
	}
	return pk, nil
}

// remove deletes the row with primary key pk whose values are row; a
// synchronized table keeps a tombstone with a fresh version.
func (st *tableStore) remove(pk []byte, row []Value) error {
	var ver uint64
	if st.t.dead != "" {
		ver = st.sc.e.nextVersion()
	}
	if err := st.removeAs(pk, row, ver); err != nil {
		return err
	}
	if st.sc.fkReferenced(st.t) && st.sc.fkChecks() {
		return st.fkOnDelete(row)
	}
	return nil
}

// removeAs deletes the row with primary key pk whose values are row, with
// its index entries, and stores a tombstone with version ver unless ver
// is 0.
func (st *tableStore) removeAs(pk []byte, row []Value, ver uint64) error {
	old, oldVer, err := st.oldValue(pk)
	if err != nil {
		return err
	}
	if err := st.del(st.ref, pk, old, oldVer); err != nil {
		return err
	}
	if ver != 0 {
		if err := st.bury(pk, ver); err != nil {
			return err
		}
	}
	st.sc.e.noteWrite(st.t.desc.ID, pk)
	for _, ix := range st.t.indexes {
		r, err := st.ixRef(ix)
		if err != nil {
			return err
		}
		if err := st.del(r, st.indexKey(ix, row, pk), pk, 0); err != nil {
			return err
		}
	}
	return nil
}

// update replaces row old (primary key pk) by row nu, moving it if its
// primary key changed. It returns the new primary key.
func (st *tableStore) update(pk []byte, old, nu []Value) ([]byte, error) {
	npk := pk
	if !st.t.hidden {
		st.npk = st.pkKey(st.npk[:0], nu)
		if !bytes.Equal(st.npk, pk) {
			// A new key: the undo log keeps it.
			npk = append([]byte(nil), st.npk...)
			st.ref.noteRead()
			_, _, ok, err := st.tree.Get(npk)
			if err != nil {
				return nil, err
			}
			if ok {
				return nil, st.newDupError(nil, nu, npk)
			}
		}
	}
	moved := !bytes.Equal(npk, pk)
	type change struct {
		ix       *index
		old, new []byte
	}
	var changes []change
	for _, ix := range st.t.indexes {
		ok := st.indexKey(ix, old, pk)
		nk := st.indexKey(ix, nu, npk)
		if bytes.Equal(ok, nk) {
			continue
		}
		if err := st.checkUnique(ix, nu, pk); err != nil {
			return nil, err
		}
		changes = append(changes, change{ix: ix, old: ok, new: nk})
	}
	fkOn := st.sc.fkActive(st.t)
	if fkOn && len(st.t.desc.ForeignKeys) > 0 {
		if err := st.fkCheckChild(nu, old, false); err != nil {
			return nil, err
		}
	}
	oldVal, oldVer, err := st.oldValue(pk)
	if err != nil {
		return nil, err
	}
	if moved {
		if err := st.del(st.ref, pk, oldVal, oldVer); err != nil {
			return nil, err
		}
		if st.t.dead != "" {
			if err := st.bury(pk, st.sc.e.nextVersion()); err != nil {
				return nil, err
			}
		}
		if err := st.putNew(st.ref, npk, st.sc.e.nextVersion(), st.encode(nu)); err != nil {
			return nil, err
		}
		if st.t.dead != "" {
			if err := st.unbury(npk); err != nil {
				return nil, err
			}
		}
	} else if err := st.putOver(st.ref, npk, st.sc.e.nextVersion(), st.encode(nu), oldVal, oldVer); err != nil {
		return nil, err
	}
	st.sc.e.noteWrite(st.t.desc.ID, pk)
	if moved {
		st.sc.e.noteWrite(st.t.desc.ID, npk)
	}
	for _, c := range changes {
		r, err := st.ixRef(c.ix)
		if err != nil {
			return nil, err
		}
		if err := st.del(r, c.old, pk, 0); err != nil {
			return nil, err
		}
		if err := st.putNew(r, c.new, 0, npk); err != nil {
			return nil, err
		}
	}
	if fkOn {
		if len(st.t.desc.ForeignKeys) > 0 {
			if err := st.fkCheckChild(nu, old, true); err != nil {
				return nil, err
			}
		}
		if err := st.fkOnUpdate(old, nu); err != nil {
			return nil, err
		}
	}
	return npk, nil
}
