package sqlfront

import (
	"bytes"
	"slices"
	"strings"
	"sync"
)

// FOREIGN KEY enforcement, as InnoDB does it (while the session variable
// foreign_key_checks is 1, the default):
//
//   - a child row written (INSERT, REPLACE, ON DUPLICATE KEY UPDATE,
//     UPDATE of its foreign key columns, LOAD) whose foreign key columns
//     are all non-NULL must have a parent row with equal values in the
//     referenced columns, compared as the parent's key encoding compares
//     them (error 1452 otherwise);
//   - a parent row deleted (DELETE, REPLACE) or whose referenced columns
//     change (UPDATE, ON DUPLICATE KEY UPDATE) acts on the children that
//     reference it: RESTRICT / NO ACTION (the default) refuse with error
//     1451, CASCADE deletes them or updates their foreign key columns,
//     SET NULL sets those to NULL. Cascades recurse through the ordinary
//     store paths (indexes, tombstones of synchronized tables, the
//     statement's undo log), at most 15 levels deep (error 3008); a
//     cascaded UPDATE or SET NULL of a table that an enclosing UPDATE of
//     the same cascade chain modifies is refused with 1451, like InnoDB.
//
// The row being deleted or updated is removed or rewritten first, then its
// children are processed: a row that references itself does not block its
// own deletion (InnoDB skips delete-marked records). Rows and tombstones
// SYNC TABLE applies (syncreplica.go writes them directly, not through
// insert, update and remove) are neither checked nor cascaded: the peer
// did that.

// fkRef is a resolved foreign key of the catalog.
type fkRef struct {
	fk            *fkDesc
	child, parent *table
	ccols, pcols  []int // ordinals in child and parent
}

// fkMaps are a catalog's resolved foreign keys, built on first use.
type fkMaps struct {
	once     sync.Once
	byChild  map[*table][]*fkRef
	byParent map[*table][]*fkRef
}

// fkMaxDepth is InnoDB's limit on nested cascades (FK_MAX_CASCADE_DEL).
const fkMaxDepth = 15

// fks returns the catalog's resolved foreign keys. A key naming a missing
// table (created with foreign_key_checks = 0) has a nil parent; one
// naming a missing column is left out.
func (c *catalog) fks() *fkMaps {
	if c.perm != nil {
		return c.perm.fks() // temporary tables have no foreign keys
	}
	m := &c.fk
	m.once.Do(func() {
		m.byChild, m.byParent = map[*table][]*fkRef{}, map[*table][]*fkRef{}
		for _, t := range c.sortedTables() {
			for _, fk := range t.desc.ForeignKeys {
				p := c.table(fk.RefTable)
				if len(fk.Columns) != len(fk.RefColumns) || len(fk.Columns) == 0 {
					continue
				}
				r := &fkRef{fk: fk, child: t, parent: p}
				if p == nil {
					// No parent table (created with checks off): no
					// child row with a non-NULL key can be written.
					for _, n := range fk.Columns {
						if cc := t.col(n); cc >= 0 {
							r.ccols = append(r.ccols, cc)
						}
					}
					m.byChild[t] = append(m.byChild[t], r)
					continue
				}
				ok := true
				for i := range fk.Columns {
					cc, pc := t.col(fk.Columns[i]), p.col(fk.RefColumns[i])
					if cc < 0 || pc < 0 {
						ok = false
						break
					}
					r.ccols, r.pcols = append(r.ccols, cc), append(r.pcols, pc)
				}
				if !ok {
					continue
				}
				m.byChild[t] = append(m.byChild[t], r)
				m.byParent[p] = append(m.byParent[p], r)
			}
		}
	})
	return m
}

// fkChecks reports whether the session enforces foreign keys.
func (sc *stmtCtx) fkChecks() bool {
	if sc.s == nil {
		return true
	}
	v, ok := sc.s.sysVars["foreign_key_checks"]
	return !ok || ToInt64(v) != 0
}

// fkActive reports whether writes to t must look at foreign keys.
func (sc *stmtCtx) fkActive(t *table) bool {
	if len(t.desc.ForeignKeys) == 0 && !sc.fkReferenced(t) {
		return false
	}
	return sc.fkChecks()
}

// fkReferenced reports whether some foreign key references t.
func (sc *stmtCtx) fkReferenced(t *table) bool {
	return len(sc.cat.fks().byParent[t]) > 0
}

// fkRefetch reports whether a DML statement on t must re-read its
// target rows before writing them: cascades started by an earlier target
// may have changed or deleted them.
func (sc *stmtCtx) fkRefetch(t *table) bool {
	return len(t.desc.ForeignKeys) > 0 && sc.fkReferenced(t) && sc.fkChecks()
}

// fkClause is the constraint as MySQL's error messages show it.
func (r *fkRef) clause(db string) string {
	var b strings.Builder
	b.WriteString("(" + quoteIdent(db) + "." + quoteIdent(r.child.desc.Name) + ", CONSTRAINT " + quoteIdent(r.fk.Name) + " FOREIGN KEY (")
	for i, c := range r.fk.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c))
	}
	b.WriteString(") REFERENCES " + quoteIdent(r.fk.RefTable) + " (")
	for i, c := range r.fk.RefColumns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c))
	}
	b.WriteString(")")
	for _, a := range [2][2]string{{"DELETE", r.fk.OnDelete}, {"UPDATE", r.fk.OnUpdate}} {
		if a[1] != "" && a[1] != "RESTRICT" {
			b.WriteString(" ON " + a[0] + " " + a[1])
		}
	}
	b.WriteString(")")
	return b.String()
}

// fkChildError is error 1452, a child row without parent.
type fkChildError struct{ *SQLError }

// Unwrap returns the SQL error.
func (e *fkChildError) Unwrap() error { return e.SQLError }

func (sc *stmtCtx) errFKChild(r *fkRef) error {
	e := engErr(1452, "Cannot add or update a child row: a foreign key constraint fails %s", r.clause(sc.e.dbName))
	e.State = "23000"
	return &fkChildError{e}
}

func (sc *stmtCtx) errFKParent(r *fkRef) error {
	e := engErr(1451, "Cannot delete or update a parent row: a foreign key constraint fails %s", r.clause(sc.e.dbName))
	e.State = "23000"
	return e
}

// fkEncode appends the key encoding of vals' cols with types of cols
// tcols of t (ascending unless descs says otherwise).
func fkEncode(dst []byte, vals []Value, cols []int, t *table, tcols []int, descs []bool) ([]byte, bool) {
	for i, c := range cols {
		v := vals[c]
		typ := t.cols[tcols[i]].typ
		if v.K == KindInt && v.I < 0 && typ.Unsigned {
			return nil, false // no unsigned value equals it
		}
		dst = AppendKey(dst, v, typ, i < len(descs) && descs[i])
	}
	return dst, true
}

// isPrefixOf reports whether cols are the first columns of key.
func isPrefixOf(cols, key []int) bool {
	if len(cols) > len(key) {
		return false
	}
	for i, c := range cols {
		if key[i] != c {
			return false
		}
	}
	return true
}

// fkKeyAccess finds the key of t whose first columns are cols: the
// primary key (ix nil, pk true), a secondary index, or none.
func fkKeyAccess(t *table, cols []int) (ix *index, pk bool) {
	if !t.hidden && isPrefixOf(cols, t.pk) {
		return nil, true
	}
	for _, x := range t.indexes {
		if x.prefix == nil && isPrefixOf(cols, x.cols) {
			return x, false
		}
	}
	return nil, false
}

// fkHasParent reports whether r's parent has a row matching row's foreign
// key values (all non-NULL).
func (sc *stmtCtx) fkHasParent(r *fkRef, row []Value) (bool, error) {
	p := r.parent
	pst, err := sc.store(p)
	if err != nil {
		return false, err
	}
	ix, pk := fkKeyAccess(p, r.pcols)
	switch {
	case pk:
		prefix, ok := fkEncode(nil, row, r.ccols, p, r.pcols, p.pkDesc)
		if !ok {
			return false, nil
		}
		pst.ref.noteRead()
		cur := pst.tree.Range(prefix, prefixEnd(prefix))
		found := cur.First()
		return found, cur.Err()
	case ix != nil:
		prefix, ok := fkEncode(nil, row, r.ccols, p, r.pcols, ix.descs)
		if !ok {
			return false, nil
		}
		ref, err := pst.ixRef(ix)
		if err != nil {
			return false, err
		}
		ref.noteRead()
		cur := ref.t.Range(prefix, prefixEnd(prefix))
		found := cur.First()
		return found, cur.Err()
	}
	// No usable key (a catalog from before enforcement): scan.
	want, ok := fkEncode(nil, row, r.ccols, p, r.pcols, nil)
	if !ok {
		return false, nil
	}
	prow := make([]Value, len(p.cols))
	pst.ref.noteRead()
	cur := pst.tree.Cursor()
	var got []byte
	for more := cur.First(); more; more = cur.Next() {
		if err := pst.decodeAt(cur, prow); err != nil {
			return false, err
		}
		got, _ = fkEncode(got[:0], prow, r.pcols, p, r.pcols, nil)
		if bytes.Equal(got, want) {
			return true, nil
		}
	}
	return false, cur.Err()
}

// fkCheckChild checks row (a new or updated row of st's table; old is the
// row it replaces, nil for an insert) against the table's foreign keys:
// before the row is written (post false) those referencing another
// table, after it (post true) those of an updated row referencing the
// table itself, which the row may satisfy (as InnoDB checks once the row
// is in place). A new row's keys referencing its own table are checked
// before the write too: the row satisfies them itself or another row
// does. Only a failure before the write may be ignored (INSERT IGNORE).
func (st *tableStore) fkCheckChild(row, old []Value, post bool) error {
	sc := st.sc
	for _, r := range sc.cat.fks().byChild[st.t] {
		self := r.parent == st.t && old != nil
		if self != post || hasNull(row, r.ccols) {
			continue
		}
		if r.parent == st.t && old == nil {
			a, ok := fkEncode(nil, row, r.ccols, st.t, r.pcols, nil)
			b, _ := fkEncode(nil, row, r.pcols, st.t, r.pcols, nil)
			if ok && bytes.Equal(a, b) {
				continue // it references itself
			}
		}
		if r.parent == nil {
			return sc.errFKChild(r)
		}
		if old != nil {
			same := true
			for _, c := range r.ccols {
				if !identical(row[c], old[c]) {
					same = false
					break
				}
			}
			if same {
				continue
			}
		}
		ok, err := sc.fkHasParent(r, row)
		if err != nil {
			return err
		}
		if !ok {
			err := sc.errFKChild(r)
			if post {
				return err.(*fkChildError).SQLError
			}
			return err
		}
	}
	return nil
}

// fkChildren returns the primary keys of r's child rows referencing the
// parent row prow.
func (sc *stmtCtx) fkChildren(r *fkRef, prow []Value) ([][]byte, error) {
	if hasNull(prow, r.pcols) {
		return nil, nil
	}
	c := r.child
	cst, err := sc.store(c)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	ix, pk := fkKeyAccess(c, r.ccols)
	switch {
	case pk:
		prefix, ok := fkEncode(nil, prow, r.pcols, c, r.ccols, c.pkDesc)
		if !ok {
			return nil, nil
		}
		cst.ref.noteRead()
		cur := cst.tree.Range(prefix, prefixEnd(prefix))
		for more := cur.First(); more; more = cur.Next() {
			out = append(out, bytes.Clone(cur.Key()))
		}
		return out, cur.Err()
	case ix != nil:
		prefix, ok := fkEncode(nil, prow, r.pcols, c, r.ccols, ix.descs)
		if !ok {
			return nil, nil
		}
		ref, err := cst.ixRef(ix)
		if err != nil {
			return nil, err
		}
		ref.noteRead()
		cur := ref.t.Range(prefix, prefixEnd(prefix))
		for more := cur.First(); more; more = cur.Next() {
			out = append(out, bytes.Clone(cur.Value()))
		}
		return out, cur.Err()
	}
	want, ok := fkEncode(nil, prow, r.pcols, c, r.ccols, nil)
	if !ok {
		return nil, nil
	}
	crow := make([]Value, len(c.cols))
	cst.ref.noteRead()
	cur := cst.tree.Cursor()
	var got []byte
	for more := cur.First(); more; more = cur.Next() {
		if err := cst.decodeAt(cur, crow); err != nil {
			return nil, err
		}
		got, _ = fkEncode(got[:0], crow, r.ccols, c, r.ccols, nil)
		if bytes.Equal(got, want) {
			out = append(out, bytes.Clone(cur.Key()))
		}
	}
	return out, cur.Err()
}

// fkLink is one operation of a cascade chain.
type fkLink struct {
	t   *table
	del bool
}

// fkEnter pushes an operation on the statement's cascade chain; the
// returned function pops it.
func (sc *stmtCtx) fkEnter(t *table, del bool) func() {
	root := sc.root()
	root.fkChain = append(root.fkChain, fkLink{t: t, del: del})
	return func() { root.fkChain = root.fkChain[:len(root.fkChain)-1] }
}

// fkCascadeOK checks that a cascaded operation on r's child may run: the
// depth limit, and (for an update) no enclosing update of the same table.
func (sc *stmtCtx) fkCascadeOK(r *fkRef, del bool) error {
	chain := sc.root().fkChain
	if len(chain) >= fkMaxDepth {
		return engErr(3008, "Foreign key cascade delete/update exceeds max depth of %d.", fkMaxDepth)
	}
	if !del {
		for _, l := range chain {
			if !l.del && l.t == r.child {
				return sc.errFKParent(r)
			}
		}
	}
	return nil
}

// fkOnDelete runs the ON DELETE actions of the foreign keys referencing
// the row just removed from st's table.
func (st *tableStore) fkOnDelete(row []Value) error {
	sc := st.sc
	refs := sc.cat.fks().byParent[st.t]
	if len(refs) == 0 {
		return nil
	}
	defer sc.fkEnter(st.t, true)()
	for _, r := range refs {
		if err := st.fkAct(r, row, nil, r.fk.OnDelete); err != nil {
			return err
		}
	}
	return nil
}

// fkOnUpdate runs the ON UPDATE actions of the foreign keys referencing
// st's table whose referenced values changed from old to nu. A change is
// binary, as InnoDB sees it (row_upd_changes_first_fields_binary): 'abc'
// to 'ABC' in a case-insensitive key changes it, so its children follow
// (CASCADE) or refuse it (RESTRICT).
func (st *tableStore) fkOnUpdate(old, nu []Value) error {
	sc := st.sc
	refs := sc.cat.fks().byParent[st.t]
	if len(refs) == 0 {
		return nil
	}
	defer sc.fkEnter(st.t, false)()
	for _, r := range refs {
		same := true
		for _, c := range r.pcols {
			if !identical(old[c], nu[c]) {
				same = false
				break
			}
		}
		if same {
			continue
		}
		if err := st.fkAct(r, old, nu, r.fk.OnUpdate); err != nil {
			return err
		}
	}
	return nil
}

// fkAct applies action to r's children of the parent row old, deleted
// (nu nil) or updated to nu.
func (st *tableStore) fkAct(r *fkRef, old, nu []Value, action string) error {
	sc := st.sc
	pks, err := sc.fkChildren(r, old)
	if err != nil || len(pks) == 0 {
		return err
	}
	del := nu == nil && action == "CASCADE"
	switch action {
	case "CASCADE", "SET NULL":
		if err := sc.fkCascadeOK(r, del); err != nil {
			return err
		}
	default: // RESTRICT, NO ACTION, SET DEFAULT (refused by InnoDB)
		return sc.errFKParent(r)
	}
	cst, err := sc.store(r.child)
	if err != nil {
		return err
	}
	for _, pk := range pks {
		if err := sc.tick(); err != nil {
			return err
		}
		// An earlier cascade of this loop may have changed or removed
		// the row: read it now.
		cur := make([]Value, len(r.child.cols))
		ok, err := cst.fetch(pk, cur)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if del {
			if err := cst.remove(pk, cur); err != nil {
				return err
			}
			continue
		}
		crow := cloneRow(cur)
		for i, c := range r.ccols {
			if action == "SET NULL" || nu[r.pcols[i]].K == KindNull {
				crow[c] = Null
			} else {
				v, err := CoerceColumn(nu[r.pcols[i]], r.child.cols[c].typ, r.child.cols[c].desc.Name, 1)
				if err != nil {
					return err
				}
				crow[c] = v
			}
		}
		for _, c := range r.ccols {
			if crow[c].K == KindNull && r.child.cols[c].desc.NotNull {
				return sc.errFKParent(r)
			}
		}
		// Generated columns over the changed columns follow them.
		defs, err := r.child.defaults()
		if err == nil {
			err = sc.generate(r.child, defs, crow, 1, false)
		}
		if err != nil {
			return err
		}
		if _, err := cst.update(pk, cur, crow); err != nil {
			if de, ok := err.(*dupError); ok {
				return de.SQLError
			}
			return err
		}
	}
	return nil
}

// fkRefresh re-reads a DML target row whose table takes part in cascades;
// ok is false when a cascade removed it.
func (st *tableStore) fkRefresh(tg *target) (bool, error) {
	cur := make([]Value, len(st.t.cols))
	ok, err := st.fetch(tg.pk, cur)
	if err != nil || !ok {
		return false, err
	}
	tg.row = cur
	return true, nil
}

// fkDescFields returns the FieldIDs of d's columns named names, or nil if
// one is missing.
func fkDescFields(d *tableDesc, names []string) []int {
	var out []int
	for _, n := range names {
		c := descColumn(d, n)
		if c == nil {
			return nil
		}
		out = append(out, c.Field)
	}
	return out
}

// fkDescHasKey reports whether fields are the first columns of d's
// primary key or of one of its indexes.
func fkDescHasKey(d *tableDesc, fields []int) bool {
	prefix := func(parts []keyPart) bool {
		if len(fields) > len(parts) {
			return false
		}
		for i, f := range fields {
			if parts[i].Field != f {
				return false
			}
		}
		return true
	}
	if prefix(d.PK) {
		return true
	}
	for _, ix := range d.Indexes {
		if prefix(ix.Parts) {
			return true
		}
	}
	return false
}

// fkDefine completes a foreign key f just added to d (a CREATE TABLE or
// ALTER TABLE): SET NULL needs nullable columns (error 1830), and the
// columns need an index, which MySQL creates when none exists, named
// after the constraint symbol, else the FOREIGN KEY index_name, else the
// first column. It returns the index created, if any.
func fkDefine(d *tableDesc, f *fkDesc, def *ForeignKeyDef) (*indexDesc, error) {
	for _, n := range f.Columns {
		c := descColumn(d, n)
		if c != nil && c.NotNull && (f.OnDelete == "SET NULL" || f.OnUpdate == "SET NULL") {
			return nil, engErr(1830, "Column '%s' cannot be NOT NULL: needed in a foreign key constraint '%s' SET NULL", c.Name, f.Name)
		}
	}
	fields := fkDescFields(d, f.Columns)
	if fields == nil || fkDescHasKey(d, fields) {
		return nil, nil
	}
	name := def.Name
	if name == "" {
		name = def.IndexName
	}
	idef := &IndexDef{Kind: IndexPlain, Name: name}
	for _, c := range f.Columns {
		idef.Columns = append(idef.Columns, IndexColumn{Name: c})
	}
	if name != "" && findIndex(d, name) >= 0 {
		idef.Name = ""
	}
	return addIndexDef(d, idef)
}

// fkCheckParent checks that no other table has a foreign key named as f
// (error 1826) and, when foreign keys are enforced, that f's referenced
// table exists (error 1824), that its referenced columns exist and lead
// a key (error 1822) and that their types fit f's columns (error 3780).
// d is the child's new descriptor (the parent when f references its own
// table).
func (sc *stmtCtx) fkCheckParent(d *tableDesc, f *fkDesc) error {
	// Constraint names are unique in the schema (error 1826).
	for _, t := range sc.cat.sortedTables() {
		if t.desc.ID != d.ID && findFK(t.desc, f.Name) >= 0 {
			return engErr(1826, "Duplicate foreign key constraint name '%s'", f.Name)
		}
	}
	if !sc.fkChecks() {
		return nil
	}
	pd := d
	if !strings.EqualFold(f.RefTable, d.Name) {
		p := sc.cat.permTable(f.RefTable)
		if p == nil {
			return engErr(1824, "Failed to open the referenced table '%s'", f.RefTable)
		}
		pd = p.desc
	}
	fields := fkDescFields(pd, f.RefColumns)
	if fields == nil || len(fields) != len(f.Columns) || !fkDescHasKey(pd, fields) {
		return engErr(1822, "Failed to add the foreign key constraint. Missing index for constraint '%s' in the referenced table '%s'", f.Name, f.RefTable)
	}
	return fkCheckTypes(d, pd, f)
}

// fkCheckTypes refuses (error 3780) a foreign key f of child d whose
// columns and the referenced columns of pd have incompatible types, as
// InnoDB compares them (cmp_cols_are_equal): integers of the same size
// and sign, non-binary strings (CHAR, VARCHAR, TEXT; any lengths) of the
// same collation, binary strings (BINARY, VARBINARY, BLOB), DECIMAL of
// the same precision, scale and sign, otherwise the same type.
func fkCheckTypes(d, pd *tableDesc, f *fkDesc) error {
	for i := range f.Columns {
		if i >= len(f.RefColumns) {
			break
		}
		cc, pc := descColumn(d, f.Columns[i]), descColumn(pd, f.RefColumns[i])
		if cc == nil || pc == nil {
			continue
		}
		ct, ok1 := cc.Type.columnType()
		pt, ok2 := pc.Type.columnType()
		if ok1 && ok2 && !fkTypesCompatible(ct, pt) {
			return engErr(3780, "Referencing column '%s' and referenced column '%s' in foreign key constraint '%s' are incompatible.",
				cc.Name, pc.Name, f.Name)
		}
	}
	return nil
}

// fkTypesCompatible reports whether a column of type c may reference one
// of type p (fkCheckTypes).
func fkTypesCompatible(c, p ColumnType) bool {
	class := func(t ColumnType) BaseType {
		switch t.Base {
		case TypeBool:
			return TypeTinyInt
		case TypeChar, TypeVarChar, TypeText:
			return TypeVarChar
		case TypeBinary, TypeVarBinary, TypeBlob:
			return TypeVarBinary
		}
		return t.Base
	}
	if class(c) != class(p) {
		return false
	}
	switch class(c) {
	case TypeTinyInt, TypeSmallInt, TypeMediumInt, TypeInt, TypeBigInt:
		return c.Unsigned == p.Unsigned
	case TypeBit:
		return c.Length == p.Length
	case TypeVarChar, TypeEnum, TypeSet:
		coll := func(t ColumnType) string {
			if t.Collation == "" {
				return "utf8mb4_0900_ai_ci"
			}
			return t.Collation
		}
		return coll(c) == coll(p)
	case TypeDecimal:
		prec := func(t ColumnType) int {
			if t.Precision == 0 {
				return 10
			}
			return t.Precision
		}
		return prec(c) == prec(p) && c.Scale == p.Scale && c.Unsigned == p.Unsigned
	}
	return true
}

// fkCheckAdopted checks, when foreign keys are enforced, the keys of
// other tables that reference the table d being created (made with
// foreign_key_checks = 0 while it did not exist): its referenced columns
// must lead a key (error 1822) of compatible types (error 3780).
func (sc *stmtCtx) fkCheckAdopted(d *tableDesc) error {
	if !sc.fkChecks() {
		return nil
	}
	for _, t := range sc.cat.sortedTables() {
		for _, f := range t.desc.ForeignKeys {
			if !strings.EqualFold(f.RefTable, d.Name) {
				continue
			}
			fields := fkDescFields(d, f.RefColumns)
			if fields == nil || len(fields) != len(f.Columns) || !fkDescHasKey(d, fields) {
				return engErr(1822, "Failed to add the foreign key constraint. Missing index for constraint '%s' in the referenced table '%s'", f.Name, d.Name)
			}
			if err := fkCheckTypes(t.desc, d, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// fkCheckDrop refuses (error 3730) to DROP a table another table's
// foreign key references, unless that table is dropped too.
func (sc *stmtCtx) fkCheckDrop(names []TableName) error {
	if !sc.fkChecks() {
		return nil
	}
	dropped := map[*table]bool{}
	for _, tn := range names {
		if t := sc.cat.table(tn.Name); t != nil {
			dropped[t] = true
		}
	}
	for _, tn := range names {
		t := sc.cat.table(tn.Name)
		if t == nil {
			continue
		}
		for _, r := range sc.cat.fks().byParent[t] {
			if !dropped[r.child] {
				return engErr(3730, "Cannot drop table '%s' referenced by a foreign key constraint '%s' on table '%s'.",
					t.desc.Name, r.fk.Name, r.child.desc.Name)
			}
		}
	}
	return nil
}

// fkCheckTruncate refuses (error 1701) to TRUNCATE a table another
// table's foreign key references.
func (sc *stmtCtx) fkCheckTruncate(t *table) error {
	if !sc.fkChecks() {
		return nil
	}
	for _, r := range sc.cat.fks().byParent[t] {
		if r.child != t {
			e := engErr(1701, "Cannot truncate a table referenced in a foreign key constraint (%s.%s, CONSTRAINT %s)",
				quoteIdent(sc.e.dbName), quoteIdent(r.child.desc.Name), quoteIdent(r.fk.Name))
			e.State = "42000"
			return e
		}
	}
	return nil
}

// fkValidateAdded checks the rows of table name (just altered) against
// its foreign keys not in before (ALTER TABLE ... ADD FOREIGN KEY): error
// 1452 for a row without parent.
func (sc *stmtCtx) fkValidateAdded(name string, before []*fkDesc) error {
	if !sc.fkChecks() {
		return nil
	}
	t := sc.cat.table(name)
	if t == nil {
		return nil
	}
	var refs []*fkRef
	for _, r := range sc.cat.fks().byChild[t] {
		if findFK(&tableDesc{ForeignKeys: before}, r.fk.Name) < 0 {
			refs = append(refs, r)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	st, err := sc.store(t)
	if err != nil {
		return err
	}
	row := make([]Value, len(t.cols))
	st.ref.noteRead()
	cur := st.tree.Cursor()
	for more := cur.First(); more; more = cur.Next() {
		if err := sc.tick(); err != nil {
			return err
		}
		if err := st.decodeAt(cur, row); err != nil {
			return err
		}
		for _, r := range refs {
			if hasNull(row, r.ccols) {
				continue
			}
			if r.parent == nil {
				return sc.errFKChild(r)
			}
			ok, err := sc.fkHasParent(r, row)
			if err != nil {
				return err
			}
			if !ok {
				return sc.errFKChild(r)
			}
		}
	}
	return cur.Err()
}

// fkRenameRefs makes the foreign keys referencing table oldName reference
// newName (RENAME TABLE, ALTER TABLE ... RENAME), as MySQL does: those of
// d (the renamed table's new descriptor, not yet written) in place, those
// of the other tables of w by rewriting their descriptors.
func fkRenameRefs(w *catalogWriter, d *tableDesc, oldName, newName string) error {
	prefix := strings.ToLower(oldName) + "_ibfk_"
	for _, f := range d.ForeignKeys {
		if strings.EqualFold(f.RefTable, oldName) {
			f.RefTable = newName
		}
		// Names of the generated form follow the table, as in MySQL.
		if strings.HasPrefix(strings.ToLower(f.Name), prefix) {
			f.Name = newName + "_ibfk_" + f.Name[len(prefix):]
		}
	}
	for _, t := range w.next.sortedTables() {
		if t.desc.ID == d.ID || strings.EqualFold(t.desc.Name, oldName) {
			continue
		}
		var cd *tableDesc
		for i, f := range t.desc.ForeignKeys {
			if strings.EqualFold(f.RefTable, oldName) {
				if cd == nil {
					cd = cloneDesc(t.desc)
				}
				cd.ForeignKeys[i].RefTable = newName
			}
		}
		if cd != nil {
			if _, err := w.putTable(cd, cd.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// fkAlter keeps the foreign keys of and to table t right through an ALTER
// TABLE whose new descriptor is d: a renamed column is renamed in the keys
// naming it (those of other tables through w), a dropped one is refused
// (1828 in the child, 1829 in the parent), an index a key needs cannot go
// (1553), a SET NULL key's column cannot become NOT NULL (1830), and the
// types of a key and its referenced columns must stay compatible (3780).
func (sc *stmtCtx) fkAlter(w *catalogWriter, t *table, d *tableDesc) error {
	old := t.desc
	newName := func(n string) (string, bool) {
		c := descColumn(old, n)
		if c == nil {
			return n, true // a key added by this ALTER names d's columns
		}
		for _, x := range d.Columns {
			if x.Field == c.Field {
				return x.Name, true
			}
		}
		return "", false
	}
	self := func(f *fkDesc) bool {
		return strings.EqualFold(f.RefTable, old.Name) || strings.EqualFold(f.RefTable, d.Name)
	}
	// needKey refuses to lose the key that served the columns (before:
	// oldNames, after: names); a key never served by one (a catalog from
	// before enforcement) is not required.
	needKey := func(oldNames, names []string) error {
		fields := fkDescFields(d, names)
		ofields := fkDescFields(old, oldNames)
		if fields == nil || ofields == nil || !fkDescHasKey(old, ofields) || fkDescHasKey(d, fields) {
			return nil
		}
		name := "PRIMARY"
		for _, ix := range old.Indexes {
			if findIndex(d, ix.Name) < 0 && fkDescHasKey(&tableDesc{Indexes: []*indexDesc{ix}}, fields) {
				name = ix.Name
			}
		}
		return engErr(ErDropIndexNeeded, "Cannot drop index '%s': needed in a foreign key constraint", name)
	}
	// checkTypes checks f (child cd) against its parent pd, when known.
	checkTypes := func(cd, pd *tableDesc, f *fkDesc) error {
		if pd == nil || !sc.fkChecks() {
			return nil
		}
		return fkCheckTypes(cd, pd, f)
	}
	for _, f := range d.ForeignKeys {
		added := findFK(old, f.Name) < 0
		oldCols, oldRefs := slices.Clone(f.Columns), slices.Clone(f.RefColumns)
		if added {
			oldCols, oldRefs = nil, nil
		}
		for i, n := range f.Columns {
			if added {
				break
			}
			nn, ok := newName(n)
			if !ok {
				return engErr(1828, "Cannot drop column '%s': needed in a foreign key constraint '%s'", n, f.Name)
			}
			f.Columns[i] = nn
		}
		if err := needKey(oldCols, f.Columns); err != nil {
			return err
		}
		if f.OnDelete == "SET NULL" || f.OnUpdate == "SET NULL" {
			for _, n := range f.Columns {
				if c := descColumn(d, n); c != nil && c.NotNull {
					return engErr(1830, "Column '%s' cannot be NOT NULL: needed in a foreign key constraint '%s' SET NULL", c.Name, f.Name)
				}
			}
		}
		if !self(f) {
			var pd *tableDesc
			if p := sc.cat.permTable(f.RefTable); p != nil {
				pd = p.desc
			}
			if err := checkTypes(d, pd, f); err != nil {
				return err
			}
			continue
		}
		for i, n := range f.RefColumns {
			if added {
				break
			}
			nn, ok := newName(n)
			if !ok {
				return engErr(1829, "Cannot drop column '%s': needed in a foreign key constraint '%s' of table '%s'", n, f.Name, d.Name)
			}
			f.RefColumns[i] = nn
		}
		if err := needKey(oldRefs, f.RefColumns); err != nil {
			return err
		}
		if err := checkTypes(d, d, f); err != nil {
			return err
		}
	}
	for _, r := range sc.cat.fks().byParent[t] {
		if r.child == t {
			continue
		}
		ct := w.next.table(r.child.desc.Name)
		if ct == nil {
			continue
		}
		cd := cloneDesc(ct.desc)
		i := findFK(cd, r.fk.Name)
		if i < 0 {
			continue
		}
		f, changed := cd.ForeignKeys[i], false
		oldRefs := slices.Clone(f.RefColumns)
		for j, n := range f.RefColumns {
			nn, ok := newName(n)
			if !ok {
				return engErr(1829, "Cannot drop column '%s': needed in a foreign key constraint '%s' of table '%s'", n, f.Name, cd.Name)
			}
			if nn != n {
				f.RefColumns[j], changed = nn, true
			}
		}
		if err := needKey(oldRefs, f.RefColumns); err != nil {
			return err
		}
		if err := checkTypes(cd, d, f); err != nil {
			return err
		}
		if changed {
			if _, err := w.putTable(cd, cd.Name); err != nil {
				return err
			}
		}
	}
	return nil
}
