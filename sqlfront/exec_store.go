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

// hiddenKeyType is the type of the hidden row id of a table without a
// primary key.
var hiddenKeyType = ColumnType{Base: TypeBigInt}

// tableStore is a table's trees in one statement.
type tableStore struct {
	sc      *stmtCtx
	t       *table
	tree    *bxtree.Tree
	ixTrees map[uint32]*bxtree.Tree
	nextRow int64   // hidden row id to hand out next; 0 until known
	phys    []Value // scratch: physical row
	pkTypes []ColumnType
}

// store returns the statement's tableStore for t.
func (sc *stmtCtx) store(t *table) (*tableStore, error) {
	if st, ok := sc.stores[t.desc.ID]; ok && st.t == t {
		return st, nil
	}
	tr, err := sc.tree(t.tree)
	if err != nil {
		return nil, err
	}
	st := &tableStore{sc: sc, t: t, tree: tr, ixTrees: map[uint32]*bxtree.Tree{}}
	for _, c := range t.pk {
		st.pkTypes = append(st.pkTypes, t.cols[c].typ)
	}
	if sc.stores == nil {
		sc.stores = map[uint64]*tableStore{}
	}
	sc.stores[t.desc.ID] = st
	return st, nil
}

// ixTree returns the statement's handle on index ix's tree, opening it on
// first use.
func (st *tableStore) ixTree(ix *index) (*bxtree.Tree, error) {
	if tr, ok := st.ixTrees[ix.desc.ID]; ok {
		return tr, nil
	}
	tr, err := st.sc.tree(ix.tree)
	if err != nil {
		return nil, err
	}
	st.ixTrees[ix.desc.ID] = tr
	return tr, nil
}

// pkKey appends the primary key encoding of row (ordinal layout) to dst.
// Tables without a primary key have no key derivable from the row.
func (st *tableStore) pkKey(dst []byte, row []Value) []byte {
	for i, c := range st.t.pk {
		dst = AppendKey(dst, row[c], st.pkTypes[i], st.t.pkDesc[i])
	}
	return dst
}

// indexPrefix appends the encoding of ix's columns of row to dst.
func (st *tableStore) indexPrefix(dst []byte, ix *index, row []Value) []byte {
	for i, c := range ix.cols {
		dst = AppendKey(dst, row[c], st.t.cols[c].typ, ix.descs[i])
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
	t := st.t
	if t.plain {
		// Fields are the ordinals: decode in place.
		_, info, err := AppendDecodeRow(dst[:0], val, len(dst))
		if err != nil {
			return err
		}
		for i := info.Stored; i < len(dst); i++ {
			dst[i] = t.cols[i].desc.Fill
		}
		return nil
	}
	phys, info, err := AppendDecodeRow(st.phys[:0], val, t.nfield)
	st.phys = phys
	if err != nil {
		return err
	}
	for i, f := range t.fields {
		if f < info.Stored {
			dst[i] = phys[f]
		} else {
			dst[i] = t.cols[i].desc.Fill
		}
	}
	clear(phys)
	return nil
}

// encode returns the stored form of row (ordinal layout).
func (st *tableStore) encode(row []Value) []byte {
	t := st.t
	phys := make([]Value, t.nfield)
	for i, f := range t.fields {
		phys[f] = row[i]
	}
	return EncodeRow(nil, t.desc.Version, phys)
}

// fetch reads the row with primary key pk into dst.
func (st *tableStore) fetch(pk []byte, dst []Value) (bool, error) {
	v, _, ok, err := st.tree.Get(pk)
	if err != nil || !ok {
		return false, err
	}
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
	for _, c := range cols {
		vals = append(vals, row[c])
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
	tr, err := st.ixTree(ix)
	if err != nil {
		return err
	}
	cur := tr.Range(prefix, prefixEnd(prefix))
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
		pk = st.pkKey(nil, row)
		_, _, ok, err := st.tree.Get(pk)
		if err != nil {
			return nil, err
		}
		if ok {
			return nil, st.newDupError(nil, row, pk)
		}
	}
	for _, ix := range st.t.indexes {
		if err := st.checkUnique(ix, row, nil); err != nil {
			return nil, err
		}
	}
	if err := st.tree.Put(pk, 0, st.encode(row)); err != nil {
		return nil, err
	}
	st.sc.e.noteWrite(st.t.desc.ID, pk)
	for _, ix := range st.t.indexes {
		tr, err := st.ixTree(ix)
		if err != nil {
			return nil, err
		}
		if err := tr.Put(st.indexKey(ix, row, pk), 0, pk); err != nil {
			return nil, err
		}
	}
	return pk, nil
}

// remove deletes the row with primary key pk whose values are row.
func (st *tableStore) remove(pk []byte, row []Value) error {
	if _, err := st.tree.Delete(pk); err != nil {
		return err
	}
	st.sc.e.noteWrite(st.t.desc.ID, pk)
	for _, ix := range st.t.indexes {
		tr, err := st.ixTree(ix)
		if err != nil {
			return err
		}
		if _, err := tr.Delete(st.indexKey(ix, row, pk)); err != nil {
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
		npk = st.pkKey(nil, nu)
		if !bytes.Equal(npk, pk) {
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
	if moved {
		if _, err := st.tree.Delete(pk); err != nil {
			return nil, err
		}
	}
	if err := st.tree.Put(npk, 0, st.encode(nu)); err != nil {
		return nil, err
	}
	st.sc.e.noteWrite(st.t.desc.ID, pk)
	if moved {
		st.sc.e.noteWrite(st.t.desc.ID, npk)
	}
	for _, c := range changes {
		tr, err := st.ixTree(c.ix)
		if err != nil {
			return nil, err
		}
		if _, err := tr.Delete(c.old); err != nil {
			return nil, err
		}
		if err := tr.Put(c.new, 0, npk); err != nil {
			return nil, err
		}
	}
	return npk, nil
}
