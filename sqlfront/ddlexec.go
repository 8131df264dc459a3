package sqlfront

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/bxdb/bxdb/engine/bxtree"
	"github.com/xwb1989/sqlparser"
)

// DDL execution. Every DDL statement runs like a write statement (under
// the writer lock, in its own nested transaction) and is transactional:
// it changes the catalog and the trees in the same bedrock transaction as
// everything else, so a failed or rolled-back DDL leaves no trace.
//
// Changes that only touch the catalog (rename, defaults, comments, ADD
// COLUMN without keys, DROP COLUMN outside keys) never touch rows: rows
// keep their physical fields (catalog.go). CREATE INDEX and ADD INDEX
// build the index from the table's rows in the same transaction.
// NB: the build runs under the writer lock, so other connections' writes
// wait for it (readers do not); bxdb does not build indexes concurrently
// with writers. Changes of column types, of the primary key, or of
// AUTO_INCREMENT columns rebuild the table into new trees (a new table
// ID), converting every row. A session's temporary tables go through the
// same paths; their descriptors change in the session's view of the
// catalog, never in the catalog tree (temptable.go).

// execDDL runs a DDL statement.
func (sc *stmtCtx) execDDL(st Statement) (Result, error) {
	switch x := st.(type) {
	case *CreateTableStmt:
		return Result{}, sc.createTable(x)
	case *DropTableStmt:
		return Result{}, sc.dropTables(x)
	case *TruncateStmt:
		return Result{}, sc.truncate(x)
	case *CreateIndexStmt:
		return Result{}, sc.createIndex(x)
	case *DropIndexStmt:
		return Result{}, sc.dropIndex(x)
	case *AlterTableStmt:
		return Result{}, sc.alterTable(x)
	case *CreateViewStmt:
		return Result{}, sc.createView(x)
	case *DropViewStmt:
		return Result{}, sc.dropViews(x)
	case *CreateTriggerStmt:
		return Result{}, sc.createTrigger(x)
	case *DropTriggerStmt:
		return Result{}, sc.dropTriggerStmt(x)
	case *RenameTableStmt:
		for _, pr := range x.Pairs {
			if err := sc.alterTable(&AlterTableStmt{Table: pr.From, Specs: []AlterSpec{&RenameTableSpec{NewName: pr.To}}}); err != nil {
				return Result{}, err
			}
		}
		return Result{}, nil
	}
	return Result{}, errNotSupported(fmt.Sprintf("%T", st))
}

// checkSchema rejects tables in another database.
func (sc *stmtCtx) checkSchema(schema string) error {
	if schema != "" && !strings.EqualFold(schema, sc.e.dbName) {
		if strings.EqualFold(schema, "information_schema") {
			return engErr(1044, "Access denied for user to database 'information_schema'")
		}
		return engErr(ErBadDB, "Unknown database '%s'", schema)
	}
	return nil
}

// createTrees creates the row tree, the tombstone tree of a synchronized
// table, and the index trees of t.
func (sc *stmtCtx) createTrees(t *table) error {
	if _, err := bxtree.Create(sc.tx, t.tree, eagerTree()); err != nil {
		return err
	}
	if t.dead != "" {
		if _, err := bxtree.Create(sc.tx, t.dead, eagerTree()); err != nil {
			return err
		}
	}
	for _, ix := range t.indexes {
		if _, err := bxtree.Create(sc.tx, ix.tree, eagerTree()); err != nil {
			return err
		}
	}
	return nil
}

// dropTrees drops the row tree, tombstone tree and index trees of t.
func (sc *stmtCtx) dropTrees(t *table) error {
	sc.tx.MarkFreeing() // a full store lets drops through (bedrock)
	names := []string{t.tree}
	if t.dead != "" {
		names = append(names, t.dead)
	}
	for _, ix := range t.indexes {
		names = append(names, ix.tree)
	}
	for _, n := range names {
		delete(sc.trees, n)
		if err := bxtree.Drop(sc.tx, n); err != nil && !errors.Is(err, bxtree.ErrNotFound) {
			return err
		}
	}
	delete(sc.stores, t.desc.ID)
	return nil
}

// commitCatalog finishes a catalog change and makes the statement see it.
func (sc *stmtCtx) commitCatalog(w *catalogWriter) error {
	cat, err := w.finish()
	if err != nil {
		return err
	}
	sc.cat = cat
	sc.ddl = true
	return nil
}

// addConstraints records a CREATE TABLE's CHECK and FOREIGN KEY clauses.
func addConstraints(d *tableDesc, s *CreateTableStmt) error {
	for _, c := range s.Columns {
		for _, ck := range c.Checks {
			if err := addCheck(d, ck); err != nil {
				return err
			}
		}
	}
	for _, ck := range s.Checks {
		if err := addCheck(d, ck); err != nil {
			return err
		}
	}
	for _, fk := range s.ForeignKeys {
		if _, err := addForeignKey(d, fk); err != nil {
			return err
		}
	}
	return nil
}

// addCheck adds a CHECK constraint, named t_chk_N if unnamed.
func addCheck(d *tableDesc, ck *CheckDef) error {
	if ck.Expr.Expr == nil {
		return errNotSupported("this CHECK expression")
	}
	name := ck.Name
	if name == "" {
		for i := 1; ; i++ {
			name = d.Name + "_chk_" + strconv.Itoa(i)
			if findCheck(d, name) < 0 {
				break
			}
		}
	} else if findCheck(d, name) >= 0 {
		return engErr(3822, "Duplicate check constraint name '%s'.", name)
	}
	text := strings.TrimSpace(ck.Expr.Text)
	if _, err := compileText(text, &TableScope{Table: d.Name, Columns: descColumnNames(d), Clause: "check constraint"}); err != nil {
		return err
	}
	d.Checks = append(d.Checks, &checkDesc{Name: name, Expr: text, NotEnforced: ck.NotEnforced})
	return nil
}

// findCheck returns the index of the check named name, or -1.
func findCheck(d *tableDesc, name string) int {
	for i, c := range d.Checks {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// descColumnNames returns the column names of d in order.
func descColumnNames(d *tableDesc) []string {
	var out []string
	for _, c := range d.Columns {
		out = append(out, c.Name)
	}
	return out
}

// addForeignKey records a FOREIGN KEY, named t_ibfk_N if unnamed, with
// the index on its columns MySQL creates when none exists (returned).
func addForeignKey(d *tableDesc, fk *ForeignKeyDef) (*indexDesc, error) {
	name := fk.Name
	if name == "" {
		for i := 1; ; i++ {
			name = d.Name + "_ibfk_" + strconv.Itoa(i)
			if findFK(d, name) < 0 {
				break
			}
		}
	} else if findFK(d, name) >= 0 {
		return nil, engErr(1826, "Duplicate foreign key constraint name '%s'", name)
	}
	for _, c := range fk.Columns {
		if descColumn(d, c) == nil {
			return nil, engErr(ErKeyColumnNotExits, "Key column '%s' doesn't exist in table", c)
		}
	}
	f := &fkDesc{Name: name, Columns: fk.Columns, RefTable: fk.RefTable.Name,
		RefColumns: fk.RefColumns, OnDelete: fk.OnDelete.String(), OnUpdate: fk.OnUpdate.String()}
	d.ForeignKeys = append(d.ForeignKeys, f)
	return fkDefine(d, f, fk)
}

// findFK returns the index of the foreign key named name, or -1.
func findFK(d *tableDesc, name string) int {
	for i, f := range d.ForeignKeys {
		if strings.EqualFold(f.Name, name) {
			return i
		}
	}
	return -1
}

// createTable runs CREATE TABLE.
func (sc *stmtCtx) createTable(s *CreateTableStmt) error {
	if err := sc.checkSchema(s.Table.Schema); err != nil {
		return err
	}
	if s.Like != nil {
		return sc.createTableLike(s)
	}
	if s.AsQuery != nil {
		return sc.createTableAs(s)
	}
	if sc.tableExists(s) {
		if s.IfNotExists {
			sc.notef(ErTableExists, "Table '%s' already exists", s.Table.Name)
			return nil
		}
		return errTableExists(s.Table.Name)
	}
	for _, o := range s.Options {
		if o.Name == "engine" && !isKnownEngine(o.Value) {
			return engErr(ErUnknownStorage, "Unknown storage engine '%s'", o.Value)
		}
	}
	w := newCatalogWriter(sc.e, sc.tx, sc.cat)
	d, err := tableDescFromCreate(s, w.allocID(s.Temporary), time.Now())
	if err != nil {
		return err
	}
	if err := addConstraints(d, s); err != nil {
		return err
	}
	if s.Temporary && len(d.ForeignKeys) > 0 {
		return errTempFK()
	}
	if err := validateGenerated(d); err != nil {
		return err
	}
	for _, f := range d.ForeignKeys {
		if err := sc.fkCheckParent(d, f); err != nil {
			return err
		}
	}
	if !s.Temporary {
		if err := sc.fkCheckAdopted(d); err != nil {
			return err
		}
	}
	t, err := w.putTable(d, "")
	if err != nil {
		return err
	}
	if err := sc.createTrees(t); err != nil {
		return err
	}
	if err := sc.e.resetAutoCounter(sc.tx, d.ID); err != nil {
		return err
	}
	return sc.commitCatalog(w)
}

// tableExists reports whether CREATE TABLE s clashes with a table: CREATE
// TEMPORARY TABLE with the session's temporary table of its name, CREATE
// TABLE with a permanent table or a view (a temporary table of the name
// does not count: it hides the new table from the session, as in MySQL).
func (sc *stmtCtx) tableExists(s *CreateTableStmt) bool {
	if s.Temporary {
		return sc.cat.tempTable(s.Table.Name) != nil
	}
	c := sc.cat
	if c.perm != nil {
		c = c.perm
	}
	return c.table(s.Table.Name) != nil || c.view(s.Table.Name) != nil
}

// isKnownEngine reports whether ENGINE=name is accepted (all MySQL
// engines map to bxdb's B+-trees).
func isKnownEngine(name string) bool {
	switch strings.ToLower(name) {
	case "innodb", "myisam", "memory", "heap", "aria", "bxdb", "ndb", "ndbcluster", "archive", "csv":
		return true
	}
	return false
}

// dropTables runs DROP TABLE: the session's temporary table of a name
// when it has one (only those with DROP TEMPORARY TABLE), else the
// permanent table.
func (sc *stmtCtx) dropTables(s *DropTableStmt) error {
	if err := sc.fkCheckDrop(s.Tables); err != nil {
		return err
	}
	w := newCatalogWriter(sc.e, sc.tx, sc.cat)
	var missing []string
	for _, tn := range s.Tables {
		if err := sc.checkSchema(tn.Schema); err != nil {
			return err
		}
		var t *table
		if s.Temporary {
			t = w.temps[strings.ToLower(tn.Name)]
		} else {
			t = w.table(tn.Name)
		}
		if t == nil {
			missing = append(missing, sc.e.dbName+"."+tn.Name)
			continue
		}
		if err := sc.dropTrees(t); err != nil {
			return err
		}
		if err := sc.e.resetAutoCounter(sc.tx, t.desc.ID); err != nil {
			return err
		}
		if err := w.dropTable(t.desc.Name); err != nil {
			return err
		}
		if t.temp {
			continue
		}
		if err := w.dropTableTriggers(t.desc.Name); err != nil {
			return err
		}
	}
	if len(missing) > 0 && !s.IfExists {
		return engErr(ErBadTable, "Unknown table '%s'", strings.Join(missing, ","))
	}
	for _, m := range missing {
		sc.notef(ErBadTable, "Unknown table '%s'", m)
	}
	return sc.commitCatalog(w)
}

// truncate runs TRUNCATE TABLE: new empty trees, counter reset. A
// synchronized table keeps its tombstones and gets one more for every row
// it had, as DELETE would leave: synchronization then carries the
// truncation to the peers instead of bringing their rows back.
func (sc *stmtCtx) truncate(s *TruncateStmt) error {
	t, err := sc.lookupTable(s.Table.Schema, s.Table.Name)
	if err != nil {
		return err
	}
	if err := sc.fkCheckTruncate(t); err != nil {
		return err
	}
	if t.dead != "" {
		if err := sc.buryAll(t); err != nil {
			return err
		}
		live := *t
		live.dead = "" // the tombstone tree stays
		t = &live
	}
	if err := sc.dropTrees(t); err != nil {
		return err
	}
	if err := sc.createTrees(t); err != nil {
		return err
	}
	return sc.e.resetAutoCounter(sc.tx, t.desc.ID)
}

// buryAll puts a tombstone with a fresh version under the key of every
// row of the synchronized table t, in chunks of keys read ahead of the
// writes.
func (sc *stmtCtx) buryAll(t *table) error {
	st, err := sc.store(t)
	if err != nil {
		return err
	}
	const chunk = 4096
	var keys [][]byte
	var after []byte
	for {
		keys = keys[:0]
		st.ref.noteRead()
		cur := st.tree.Cursor()
		ok := cur.First()
		if after != nil {
			ok = cur.Seek(after)
			if ok && bytes.Equal(cur.Key(), after) {
				ok = cur.Next()
			}
		}
		for ; ok && len(keys) < chunk; ok = cur.Next() {
			keys = append(keys, bytes.Clone(cur.Key()))
		}
		if err := cur.Err(); err != nil {
			return err
		}
		for _, k := range keys {
			if err := sc.tick(); err != nil {
				return err
			}
			if err := st.bury(k, sc.e.nextVersion()); err != nil {
				return err
			}
		}
		if len(keys) < chunk {
			return nil
		}
		after = keys[len(keys)-1]
	}
}

// buildIndex fills index ix of table t (in the catalog being written)
// from the table's rows, enforcing UNIQUE.
func (sc *stmtCtx) buildIndex(t *table, ix *index) error {
	if _, err := bxtree.Create(sc.tx, ix.tree, eagerTree()); err != nil {
		return err
	}
	delete(sc.stores, t.desc.ID)
	st, err := sc.store(t)
	if err != nil {
		return err
	}
	iref, err := st.ixRef(ix)
	if err != nil {
		return err
	}
	row := make([]Value, len(t.cols))
	cur := st.tree.Cursor()
	for ok := cur.First(); ok; ok = cur.Next() {
		if err := sc.tick(); err != nil {
			return err
		}
		if err := st.decodeAt(cur, row); err != nil {
			return err
		}
		pk := cur.Key()
		if err := st.checkUnique(ix, row, nil); err != nil {
			var de *dupError
			if errors.As(err, &de) {
				return de.SQLError
			}
			return err
		}
		if err := iref.put(st.indexKey(ix, row, pk), 0, pk); err != nil {
			return err
		}
	}
	return cur.Err()
}

// createIndex runs CREATE INDEX.
func (sc *stmtCtx) createIndex(s *CreateIndexStmt) error {
	t, err := sc.lookupTable(s.Table.Schema, s.Table.Name)
	if err != nil {
		return err
	}
	if s.IfNotExists && t.hasIndex(s.Index.Name) {
		return nil
	}
	return sc.alterTable(&AlterTableStmt{Table: s.Table, Specs: []AlterSpec{&AddIndexSpec{Index: s.Index}}})
}

// dropIndex runs DROP INDEX.
func (sc *stmtCtx) dropIndex(s *DropIndexStmt) error {
	tn := s.Table
	if tn.Name == "" {
		for _, t := range sc.cat.sortedTables() {
			if t.hasIndex(s.Name) {
				tn = TableName{Name: t.desc.Name}
				break
			}
		}
		if tn.Name == "" {
			if s.IfExists {
				return nil
			}
			return engErr(ErCantDropFieldOrKey, "Can't DROP '%s'; check that column/key exists", s.Name)
		}
	}
	t, err := sc.lookupTable(tn.Schema, tn.Name)
	if err != nil {
		return err
	}
	if s.IfExists && !t.hasIndex(s.Name) && !strings.EqualFold(s.Name, "PRIMARY") {
		return nil
	}
	var spec AlterSpec = &DropIndexSpec{Name: s.Name}
	if strings.EqualFold(s.Name, "PRIMARY") {
		spec = &DropPrimaryKeySpec{}
	}
	return sc.alterTable(&AlterTableStmt{Table: tn, Specs: []AlterSpec{spec}})
}

// alterPlan accumulates the physical work of an ALTER TABLE.
type alterPlan struct {
	rebuild  bool            // rows must be rewritten into new trees
	newIx    map[uint32]bool // indexes to build
	dropIx   []string        // index trees to drop
	autoInc  uint64          // AUTO_INCREMENT = n, 0 if not given
	renameTo string
}

// alterTable runs ALTER TABLE (and CREATE/DROP INDEX through it).
func (sc *stmtCtx) alterTable(s *AlterTableStmt) error {
	t, err := sc.lookupTable(s.Table.Schema, s.Table.Name)
	if err != nil {
		return err
	}
	d := cloneDesc(t.desc)
	d.Version++
	ap := &alterPlan{newIx: map[uint32]bool{}}
	for _, spec := range s.Specs {
		if err := sc.applySpec(t, d, spec, ap); err != nil {
			return err
		}
	}
	if err := checkAutoInc(d); err != nil {
		return err
	}
	if err := validateGenerated(d); err != nil {
		return err
	}
	w := newCatalogWriter(sc.e, sc.tx, sc.cat)
	oldName := t.desc.Name
	if ap.renameTo != "" {
		// A temporary table's name clashes with the session's other
		// temporary tables only, a permanent table's with permanent
		// tables (and views) only: either may hide the other.
		other := w.temps[strings.ToLower(ap.renameTo)]
		if !t.temp {
			other = w.next.table(ap.renameTo)
		}
		if other != nil && other != t {
			return errTableExists(ap.renameTo)
		}
		if err := checkTableName(ap.renameTo); err != nil {
			return err
		}
		d.Name = ap.renameTo
		if !t.temp {
			if err := fkRenameRefs(w, d, oldName, d.Name); err != nil {
				return err
			}
			if err := w.renameTableTriggers(oldName, d.Name); err != nil {
				return err
			}
		}
	}
	if err := sc.fkAlter(w, t, d); err != nil {
		return err
	}
	if ap.rebuild {
		oldID := d.ID
		d.ID = w.allocID(t.temp)
		nt, err := w.putTable(d, oldName)
		if err != nil {
			return err
		}
		if err := sc.copyRows(t, nt); err != nil {
			return err
		}
		if err := sc.copyTombstones(t, nt); err != nil {
			return err
		}
		next, err := readAutoCounter(sc.tx, oldID)
		if err != nil {
			return err
		}
		if err := sc.dropTrees(t); err != nil {
			return err
		}
		if err := sc.e.resetAutoCounter(sc.tx, oldID); err != nil {
			return err
		}
		if next > 0 {
			if err := sc.e.setAutoCounter(sc.tx, d.ID, next); err != nil {
				return err
			}
		}
		sc.e.auto.Lock()
		m := sc.e.auto.next[oldID]
		sc.e.auto.Unlock()
		if m > 0 {
			sc.e.raiseAutoMark(d.ID, m)
		}
		if err := sc.bumpAutoPastMax(nt); err != nil {
			return err
		}
	} else {
		nt, err := w.putTable(d, oldName)
		if err != nil {
			return err
		}
		if len(ap.dropIx) > 0 {
			sc.tx.MarkFreeing()
		}
		for _, name := range ap.dropIx {
			delete(sc.trees, name)
			if err := bxtree.Drop(sc.tx, name); err != nil && !errors.Is(err, bxtree.ErrNotFound) {
				return err
			}
		}
		delete(sc.stores, t.desc.ID)
		for _, ix := range nt.indexes {
			if ap.newIx[ix.desc.ID] {
				if err := sc.buildIndex(nt, ix); err != nil {
					return err
				}
			}
		}
	}
	if ap.autoInc > 0 {
		nt := w.table(d.Name)
		if nt.autoInc >= 0 {
			if err := sc.setAutoCounterAtLeast(nt, ap.autoInc); err != nil {
				return err
			}
		}
	}
	if err := sc.commitCatalog(w); err != nil {
		return err
	}
	return sc.fkValidateAdded(d.Name, t.desc.ForeignKeys)
}

// setAutoCounterAtLeast implements ALTER TABLE AUTO_INCREMENT = n: the
// counter moves to n, but never below the largest value in use + 1.
func (sc *stmtCtx) setAutoCounterAtLeast(t *table, n uint64) error {
	if err := sc.setAutoFromMax(t, n); err != nil {
		return err
	}
	return nil
}

// bumpAutoPastMax moves t's counter past the largest value in its
// auto-increment column (after a rebuild that added the column).
func (sc *stmtCtx) bumpAutoPastMax(t *table) error {
	if t.autoInc < 0 {
		return nil
	}
	return sc.setAutoFromMax(t, 0)
}

// setAutoFromMax sets t's counter to max(n, largest value + 1, current).
func (sc *stmtCtx) setAutoFromMax(t *table, n uint64) error {
	st, err := sc.store(t)
	if err != nil {
		return err
	}
	var mx uint64
	row := make([]Value, len(t.cols))
	cur := st.tree.Cursor()
	for ok := cur.First(); ok; ok = cur.Next() {
		if err := st.decodeAt(cur, row); err != nil {
			return err
		}
		if u, ok := autoValue(row[t.autoInc]); ok && u > mx {
			mx = u
		}
	}
	if err := cur.Err(); err != nil {
		return err
	}
	cnt, err := readAutoCounter(sc.tx, t.desc.ID)
	if err != nil {
		return err
	}
	next := max(n, mx+1)
	if n == 0 {
		next = max(next, cnt)
	}
	return sc.e.setAutoCounter(sc.tx, t.desc.ID, next)
}

// copyRows rewrites every row of old into the (new, empty) trees of nt,
// matching columns by FieldID, converting types, filling new columns and
// generating AUTO_INCREMENT values where they are missing.
func (sc *stmtCtx) copyRows(old, nt *table) error {
	if err := sc.createTrees(nt); err != nil {
		return err
	}
	ost, err := sc.store(old)
	if err != nil {
		return err
	}
	nst, err := sc.store(nt)
	if err != nil {
		return err
	}
	defs, err := nt.defaults()
	if err != nil {
		return err
	}
	orow := make([]Value, len(old.cols))
	var nextAuto uint64 = 1
	n := 0
	cur := ost.tree.Cursor()
	for ok := cur.First(); ok; ok = cur.Next() {
		if err := sc.tick(); err != nil {
			return err
		}
		n++
		if err := ost.decodeAt(cur, orow); err != nil {
			return err
		}
		nrow := make([]Value, len(nt.cols))
		for i, c := range nt.cols {
			if o, ok := old.byField[c.desc.Field]; ok {
				v := orow[o]
				if v.K == KindNull && c.desc.NotNull && i != nt.autoInc {
					// MODIFY ... NOT NULL (or a new primary key) over a
					// NULL: MySQL refuses rather than invent a value.
					return engErr(ErInvalidUseOfNull, "Invalid use of NULL value")
				}
				if v.K != KindNull {
					cv, err := CoerceColumn(v, c.typ, c.desc.Name, n)
					if err != nil {
						return err
					}
					v = cv
				}
				nrow[i] = v
			} else {
				nrow[i] = c.desc.Fill
			}
		}
		if ai := nt.autoInc; ai >= 0 {
			if u, ok := autoValue(nrow[ai]); ok {
				nextAuto = max(nextAuto, u+1)
			}
		}
		if ai := nt.autoInc; ai >= 0 && (nrow[ai].K == KindNull || isZero(nrow[ai])) {
			nrow[ai] = UintValue(nextAuto)
			nextAuto++
		}
		for i, c := range nt.cols {
			if nrow[i].K == KindNull && c.desc.NotNull {
				nrow[i] = implicitDefault(c.typ)
			}
		}
		if err := sc.generate(nt, defs, nrow, 0, false); err != nil {
			return err
		}
		if err := sc.checkRow(nt, defs, nrow); err != nil {
			return err
		}
		if _, err := nst.insert(nrow); err != nil {
			var de *dupError
			if errors.As(err, &de) {
				return de.SQLError
			}
			return err
		}
	}
	return cur.Err()
}

// copyTombstones copies the tombstones of synchronized table old into the
// (new) tombstone tree of its rebuild nt, with their versions, when the
// primary key encoding did not change (same key columns, types and
// directions). Otherwise the keys of old's tombstones mean nothing in nt
// (a hidden row id is renumbered by the rebuild), and they are dropped
// with old's trees. Rows are copied with fresh versions (copyRows).
func (sc *stmtCtx) copyTombstones(old, nt *table) error {
	if old.dead == "" || nt.dead == "" || !sameKeyEncoding(old, nt) {
		return nil
	}
	src, err := sc.treeRef(old.dead)
	if err != nil {
		return err
	}
	dst, err := sc.treeRef(nt.dead)
	if err != nil {
		return err
	}
	cur := src.t.Cursor()
	for ok := cur.First(); ok; ok = cur.Next() {
		if err := sc.tick(); err != nil {
			return err
		}
		if err := dst.put(cur.Key(), cur.Version(), nil); err != nil {
			return err
		}
	}
	return cur.Err()
}

// sameKeyEncoding reports whether tables a and b (both with a declared
// primary key) encode their primary keys alike.
func sameKeyEncoding(a, b *table) bool {
	if a.hidden || b.hidden || len(a.pk) != len(b.pk) {
		return false
	}
	for i := range a.pk {
		if a.desc.PK[i].Field != b.desc.PK[i].Field || a.pkDesc[i] != b.pkDesc[i] ||
			!sameColumnType(a.types[a.pk[i]], b.types[b.pk[i]]) {
			return false
		}
	}
	return true
}

// sameColumnType reports whether two column types are identical.
func sameColumnType(a, b ColumnType) bool {
	if a.Base != b.Base || a.Unsigned != b.Unsigned || a.Length != b.Length ||
		a.Precision != b.Precision || a.Scale != b.Scale || len(a.Elems) != len(b.Elems) {
		return false
	}
	for i := range a.Elems {
		if a.Elems[i] != b.Elems[i] {
			return false
		}
	}
	return true
}

// applySpec applies one ALTER TABLE change to d.
func (sc *stmtCtx) applySpec(t *table, d *tableDesc, spec AlterSpec, ap *alterPlan) error {
	switch x := spec.(type) {
	case *AddColumnSpec:
		return sc.addColumn(t, d, x.Column, x.Position, ap)
	case *DropColumnSpec:
		return dropColumn(d, x.Name, ap)
	case *ModifyColumnSpec:
		if err := sc.changeColumn(d, x.Column.Name, x.Column, x.Position, ap); err != nil {
			return err
		}
		return checkFullTextTypes(d)
	case *ChangeColumnSpec:
		if err := sc.changeColumn(d, x.OldName, x.Column, x.Position, ap); err != nil {
			return err
		}
		return checkFullTextTypes(d)
	case *RenameColumnSpec:
		c := descColumn(d, x.OldName)
		if c == nil {
			return ErrUnknownColumn(x.OldName, t.desc.Name)
		}
		if !strings.EqualFold(x.OldName, x.NewName) && len(genDependents(d, x.OldName)) > 0 {
			return errGenDependency(x.OldName)
		}
		if o := descColumn(d, x.NewName); o != nil && o != c {
			return engErr(ErDupFieldName, "Duplicate column name '%s'", x.NewName)
		}
		// NB: CHECK expressions keep the names they were written with.
		c.Name = x.NewName
	case *AlterColumnDefaultSpec:
		c := descColumn(d, x.Column)
		if c == nil {
			return ErrUnknownColumn(x.Column, t.desc.Name)
		}
		if x.Default == nil {
			c.HasDefault, c.Default = false, ""
			return nil
		}
		ct, _ := c.Type.columnType()
		c.HasDefault, c.Default = true, strings.TrimSpace(x.Default.Text)
		if !defaultIsNow(c.Default) {
			if _, err := evalDefault(c, ct); err != nil {
				return engErr(ErInvalidDefault, "Invalid default value for '%s'", c.Name)
			}
		}
	case *AddIndexSpec:
		if x.Index.Kind == IndexPrimary {
			if len(d.PK) > 0 {
				return engErr(ErMultiplePriKey, "Multiple primary key defined")
			}
			if _, err := addIndexDef(d, x.Index); err != nil {
				return err
			}
			ap.rebuild = true
			return nil
		}
		if x.Index.Kind == IndexFullText {
			return addFullText(d, x.Index) // nothing to build
		}
		ix, err := addIndexDef(d, x.Index)
		if err != nil {
			return err
		}
		ap.newIx[ix.ID] = true
	case *DropIndexSpec:
		if strings.EqualFold(x.Name, "PRIMARY") {
			return sc.applySpec(t, d, &DropPrimaryKeySpec{}, ap)
		}
		if i := findFullText(d, x.Name); i >= 0 {
			d.FullText = append(d.FullText[:i], d.FullText[i+1:]...)
			return nil
		}
		i := findIndex(d, x.Name)
		if i < 0 {
			return engErr(ErCantDropFieldOrKey, "Can't DROP '%s'; check that column/key exists", x.Name)
		}
		sc.dropIndexDesc(d, i, ap)
	case *DropPrimaryKeySpec:
		if len(d.PK) == 0 {
			return engErr(ErCantDropFieldOrKey, "Can't DROP 'PRIMARY'; check that column/key exists")
		}
		d.PK = nil
		ap.rebuild = true
	case *AlterIndexSpec:
		if findIndex(d, x.Index) < 0 && findFullText(d, x.Index) < 0 {
			return engErr(ErKeyDoesNotExist, "Key '%s' doesn't exist in table '%s'", x.Index, t.desc.Name)
		}
	case *RenameIndexSpec:
		i, f := findIndex(d, x.OldName), findFullText(d, x.OldName)
		if i < 0 && f < 0 {
			return engErr(ErKeyDoesNotExist, "Key '%s' doesn't exist in table '%s'", x.OldName, t.desc.Name)
		}
		if !strings.EqualFold(x.OldName, x.NewName) && indexNameTaken(d, x.NewName) {
			return engErr(ErDupKeyName, "Duplicate key name '%s'", x.NewName)
		}
		if f >= 0 {
			d.FullText[f].Name = x.NewName
		} else {
			d.Indexes[i].Name = x.NewName
		}
	case *AddForeignKeySpec:
		ix, err := addForeignKey(d, x.ForeignKey)
		if err != nil {
			return err
		}
		if ix != nil {
			ap.newIx[ix.ID] = true
		}
		return sc.fkCheckParent(d, d.ForeignKeys[len(d.ForeignKeys)-1])
	case *DropForeignKeySpec:
		i := findFK(d, x.Name)
		if i < 0 {
			return engErr(ErCantDropFieldOrKey, "Can't DROP '%s'; check that column/key exists", x.Name)
		}
		d.ForeignKeys = append(d.ForeignKeys[:i], d.ForeignKeys[i+1:]...)
	case *AddCheckSpec:
		if err := addCheck(d, x.Check); err != nil {
			return err
		}
		ap.rebuild = true // existing rows must satisfy it
	case *DropCheckSpec:
		i := findCheck(d, x.Name)
		if i < 0 {
			return engErr(3821, "Check constraint '%s' is not found in the table.", x.Name)
		}
		d.Checks = append(d.Checks[:i], d.Checks[i+1:]...)
	case *DropConstraintSpec:
		switch {
		case findIndex(d, x.Name) >= 0 && d.Indexes[findIndex(d, x.Name)].Unique:
			sc.dropIndexDesc(d, findIndex(d, x.Name), ap)
		case findFK(d, x.Name) >= 0:
			i := findFK(d, x.Name)
			d.ForeignKeys = append(d.ForeignKeys[:i], d.ForeignKeys[i+1:]...)
		case findCheck(d, x.Name) >= 0:
			i := findCheck(d, x.Name)
			d.Checks = append(d.Checks[:i], d.Checks[i+1:]...)
		default:
			return engErr(3940, "Constraint '%s' does not exist.", x.Name)
		}
	case *RenameTableSpec:
		if err := sc.checkSchema(x.NewName.Schema); err != nil {
			return err
		}
		ap.renameTo = x.NewName.Name
	case *TableOptionSpec:
		switch x.Option.Name {
		case "auto_increment":
			n, err := strconv.ParseUint(x.Option.Value, 10, 64)
			if err != nil {
				return syntaxError(x.Option.Value)
			}
			ap.autoInc = n
		case "comment":
			d.Comment = x.Option.Value
		case "charset", "collate":
			// The default of columns added later; existing columns keep
			// theirs, as in MySQL.
			opts := setTableOption(d.Options, x.Option)
			if _, err := tableCollation(opts); err != nil {
				return err
			}
			d.Options = opts
		case "engine":
			if !isKnownEngine(x.Option.Value) {
				return engErr(ErUnknownStorage, "Unknown storage engine '%s'", x.Option.Value)
			}
		}
	default:
		return errNotSupported(fmt.Sprintf("ALTER TABLE %T", spec))
	}
	return nil
}

// findIndex returns the position of the index named name in d, or -1.
func findIndex(d *tableDesc, name string) int {
	for i, ix := range d.Indexes {
		if strings.EqualFold(ix.Name, name) {
			return i
		}
	}
	return -1
}

// findFullText returns the position of the FULLTEXT index named name in d,
// or -1.
func findFullText(d *tableDesc, name string) int {
	for i, fd := range d.FullText {
		if strings.EqualFold(fd.Name, name) {
			return i
		}
	}
	return -1
}

// dropIndexDesc removes index i from d and schedules its tree's drop.
func (sc *stmtCtx) dropIndexDesc(d *tableDesc, i int, ap *alterPlan) {
	ix := d.Indexes[i]
	if ap.newIx[ix.ID] {
		delete(ap.newIx, ix.ID)
	} else {
		ap.dropIx = append(ap.dropIx, indexTreeName(d.ID, ix.ID))
	}
	d.Indexes = append(d.Indexes[:i], d.Indexes[i+1:]...)
}

// placeColumn moves column c of d to its position (FIRST / AFTER x).
func placeColumn(d *tableDesc, c *columnDesc, pos ColumnPosition) error {
	if !pos.First && pos.After == "" {
		return nil
	}
	var rest []*columnDesc
	for _, x := range d.Columns {
		if x != c {
			rest = append(rest, x)
		}
	}
	if pos.First {
		d.Columns = append([]*columnDesc{c}, rest...)
		return nil
	}
	for i, x := range rest {
		if strings.EqualFold(x.Name, pos.After) {
			out := append([]*columnDesc{}, rest[:i+1]...)
			out = append(out, c)
			d.Columns = append(out, rest[i+1:]...)
			return nil
		}
	}
	return ErrUnknownColumn(pos.After, d.Name)
}

// addColumn adds a column (ALTER TABLE ADD COLUMN).
func (sc *stmtCtx) addColumn(t *table, d *tableDesc, def *ColumnDef, pos ColumnPosition, ap *alterPlan) error {
	if descColumn(d, def.Name) != nil {
		return engErr(ErDupFieldName, "Duplicate column name '%s'", def.Name)
	}
	cd, err := columnFromDef(def, d.NextField, descCollation(d))
	if err != nil {
		return err
	}
	d.NextField++
	ct, _ := cd.Type.columnType()
	switch {
	case cd.HasDefault && defaultIsNow(cd.Default):
		cd.Fill = nowOf(sc.env, ct)
	case cd.HasDefault:
		if cd.Fill, err = evalDefault(cd, ct); err != nil {
			return err
		}
	case cd.NotNull && !cd.AutoInc:
		cd.Fill = implicitDefault(ct)
	}
	d.Columns = append(d.Columns, cd)
	if err := placeColumn(d, cd, pos); err != nil {
		return err
	}
	for _, ck := range def.Checks {
		if err := addCheck(d, ck); err != nil {
			return err
		}
	}
	if def.PrimaryKey {
		if _, err := addIndexDef(d, &IndexDef{Kind: IndexPrimary, Columns: []IndexColumn{{Name: def.Name}}}); err != nil {
			return err
		}
		ap.rebuild = true
	}
	if def.Unique {
		ix, err := addIndexDef(d, &IndexDef{Kind: IndexUnique, Columns: []IndexColumn{{Name: def.Name}}})
		if err != nil {
			return err
		}
		ap.newIx[ix.ID] = true
	}
	if cd.AutoInc || cd.Gen != "" {
		ap.rebuild = true // existing rows get ids, or their generated values
	}
	return nil
}

// errGenDependency is MySQL's error 3108: col is named by a generated
// column's expression, so it cannot be dropped or renamed.
func errGenDependency(col string) error {
	return engErr(3108, "Column '%s' has a generated column dependency.", col)
}

// dropColumn removes a column; keys lose it (a key left empty is dropped),
// the primary key losing a column means a rebuild.
func dropColumn(d *tableDesc, name string, ap *alterPlan) error {
	c := descColumn(d, name)
	if c == nil {
		return engErr(ErCantDropFieldOrKey, "Can't DROP '%s'; check that column/key exists", name)
	}
	if len(d.Columns) == 1 {
		return engErr(ErCantRemoveAllField, "You can't delete all columns with ALTER TABLE; use DROP TABLE instead")
	}
	for _, g := range genDependents(d, name) {
		if !strings.EqualFold(g, c.Name) {
			return errGenDependency(c.Name)
		}
	}
	var cols []*columnDesc
	for _, x := range d.Columns {
		if x != c {
			cols = append(cols, x)
		}
	}
	d.Columns = cols
	dropFullTextField(d, c.Field)
	remove := func(ps []keyPart) ([]keyPart, bool) {
		var out []keyPart
		hit := false
		for _, p := range ps {
			if p.Field == c.Field {
				hit = true
				continue
			}
			out = append(out, p)
		}
		return out, hit
	}
	if pk, hit := remove(d.PK); hit {
		d.PK = pk
		ap.rebuild = true
	}
	var ixs []*indexDesc
	for _, ix := range d.Indexes {
		parts, hit := remove(ix.Parts)
		if !hit {
			ixs = append(ixs, ix)
			continue
		}
		if !ap.newIx[ix.ID] {
			ap.dropIx = append(ap.dropIx, indexTreeName(d.ID, ix.ID))
		}
		delete(ap.newIx, ix.ID)
		if len(parts) > 0 {
			nix := &indexDesc{ID: d.NextIndex, Name: ix.Name, Unique: ix.Unique, Parts: parts, Comment: ix.Comment}
			d.NextIndex++
			ap.newIx[nix.ID] = true
			ixs = append(ixs, nix)
		}
	}
	d.Indexes = ixs
	return nil
}

// changeColumn replaces a column's definition (MODIFY / CHANGE), keeping
// its FieldID; a new type rewrites the rows.
func (sc *stmtCtx) changeColumn(d *tableDesc, old string, def *ColumnDef, pos ColumnPosition, ap *alterPlan) error {
	c := descColumn(d, old)
	if c == nil {
		return ErrUnknownColumn(old, d.Name)
	}
	if o := descColumn(d, def.Name); o != nil && o != c {
		return engErr(ErDupFieldName, "Duplicate column name '%s'", def.Name)
	}
	if !strings.EqualFold(old, def.Name) && len(genDependents(d, old)) > 0 {
		return errGenDependency(old)
	}
	nc, err := columnFromDef(def, c.Field, descCollation(d))
	if err != nil {
		return err
	}
	// MySQL stores normal and STORED columns in the row but not VIRTUAL
	// ones, and refuses to move a column between the two.
	if c.virtual() != nc.virtual() {
		return engErr(3106, "'Changing the STORED status' is not supported for generated columns.")
	}
	inPK := false
	for _, p := range d.PK {
		if p.Field == c.Field {
			inPK = true
		}
	}
	if inPK {
		nc.NotNull = true
	}
	nc.Fill = c.Fill
	typeChanged := nc.Type.Base != c.Type.Base || nc.Type.Length != c.Type.Length || nc.Type.Precision != c.Type.Precision ||
		nc.Type.Scale != c.Type.Scale || nc.Type.Unsigned != c.Type.Unsigned || strings.Join(nc.Type.Elems, "\x00") != strings.Join(c.Type.Elems, "\x00") ||
		nc.Type.Collation != c.Type.Collation // the keys of indexes on it change
	if typeChanged || nc.NotNull && !c.NotNull || nc.AutoInc && !c.AutoInc || nc.Gen != c.Gen {
		ap.rebuild = true
		if nc.Fill.K != KindNull {
			ct, _ := nc.Type.columnType()
			if v, err := CoerceColumn(nc.Fill, ct, nc.Name, 0); err == nil {
				nc.Fill = v
			} else {
				nc.Fill = implicitDefault(ct)
			}
		}
	}
	*c = *nc
	if err := placeColumn(d, c, pos); err != nil {
		return err
	}
	if def.PrimaryKey {
		if _, err := addIndexDef(d, &IndexDef{Kind: IndexPrimary, Columns: []IndexColumn{{Name: def.Name}}}); err != nil {
			return err
		}
		ap.rebuild = true
	}
	if def.Unique {
		ix, err := addIndexDef(d, &IndexDef{Kind: IndexUnique, Columns: []IndexColumn{{Name: def.Name}}})
		if err != nil {
			return err
		}
		ap.newIx[ix.ID] = true
	}
	return nil
}

// createTableLike runs CREATE TABLE t LIKE u: t gets u's columns, indexes
// and checks (its SHOW CREATE TABLE, renamed), not its rows, foreign keys
// or AUTO_INCREMENT position, as in MySQL.
func (sc *stmtCtx) createTableLike(s *CreateTableStmt) error {
	if err := sc.checkSchema(s.Like.Schema); err != nil {
		return err
	}
	src, err := sc.lookupTable(s.Like.Schema, s.Like.Name)
	if err != nil {
		if sc.cat.view(s.Like.Name) != nil {
			return engErr(1347, "'%s.%s' is not BASE TABLE", sc.e.dbName, s.Like.Name)
		}
		return err
	}
	st, err := Parse(showCreateTable(src, 0))
	if err != nil {
		return err
	}
	def, ok := st.(*CreateTableStmt)
	if !ok {
		return errors.New("sqlfront: internal error: SHOW CREATE TABLE is not a CREATE TABLE")
	}
	def.Table, def.IfNotExists, def.Temporary = s.Table, s.IfNotExists, s.Temporary
	def.ForeignKeys, def.AutoIncrement = nil, 0
	for _, c := range def.Columns {
		c.References = nil
	}
	// Generated check names follow the new table, as in MySQL.
	prefix := strings.ToLower(src.desc.Name) + "_chk_"
	for _, ck := range def.Checks {
		if n, ok := strings.CutPrefix(strings.ToLower(ck.Name), prefix); ok {
			ck.Name = s.Table.Name + "_chk_" + n
		}
	}
	return sc.createTable(def)
}

// createTableAs runs CREATE TABLE t AS query: t gets a column per result
// column, typed as the query reports it (expression columns of unknown
// type by the kind of their values), and the query's rows.
func (sc *stmtCtx) createTableAs(s *CreateTableStmt) error {
	if sc.tableExists(s) {
		if s.IfNotExists {
			sc.notef(ErTableExists, "Table '%s' already exists", s.Table.Name)
			return nil
		}
		return errTableExists(s.Table.Name)
	}
	qp, err := sc.child().planQuery(s.AsQuery, nil, "")
	if err != nil {
		return err
	}
	// Expression columns of unknown type take the kind of their first
	// non-NULL value among the first rows.
	open := make([]bool, len(qp.cols))
	unknown := 0
	for i, c := range qp.cols {
		if c.DatabaseTypeName == "" {
			open[i] = true
			unknown++
		}
	}
	for n := 0; unknown > 0 && n < 100; n++ {
		r, err := qp.it.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			qp.it.Close()
			return err
		}
		for i := range qp.cols {
			if open[i] && r[i].K != KindNull {
				open[i] = false
				unknown--
				qp.cols[i].Kind = r[i].K
				if r[i].K == KindTime {
					qp.cols[i].DatabaseTypeName = kindTypeName(r[i])
				}
			}
		}
	}
	qp.it.Close()
	var b strings.Builder
	b.WriteString("CREATE TABLE " + quoteIdent(s.Table.Name) + " (")
	for i, c := range qp.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c.Name) + " " + columnTypeText(c))
		if c.NullableOK && !c.Nullable {
			b.WriteString(" NOT NULL")
		}
	}
	b.WriteString(")")
	st, err := Parse(b.String())
	if err != nil {
		return err
	}
	def, ok := st.(*CreateTableStmt)
	if !ok {
		return errors.New("sqlfront: internal error: CREATE TABLE AS built no CREATE TABLE")
	}
	def.Table, def.Temporary = s.Table, s.Temporary
	// A temporary table hides the table of its name that its query may
	// read (CREATE TEMPORARY TABLE t SELECT ... FROM t): it is filled
	// under a name of its own, then renamed.
	hide := s.Temporary && namesTable(s.AsQuery, s.Table.Name)
	if hide {
		def.Table = TableName{Name: "#sql-temp-" + strconv.FormatUint(sc.e.tempIDs.Load()+1, 10)}
	}
	if err := sc.createTable(def); err != nil {
		return err
	}
	tn := sqlparser.TableName{Name: sqlparser.NewTableIdent(def.Table.Name)}
	if def.Table.Schema != "" {
		tn.Qualifier = sqlparser.NewTableIdent(def.Table.Schema)
	}
	if _, err := sc.execInsert(&sqlparser.Insert{Action: sqlparser.InsertStr, Table: tn, Rows: s.AsQuery}); err != nil {
		return err
	}
	if hide {
		return sc.alterTable(&AlterTableStmt{Table: def.Table, Specs: []AlterSpec{&RenameTableSpec{NewName: TableName{Name: s.Table.Name}}}})
	}
	return nil
}

// columnTypeText is the column type CREATE TABLE AS gives a result column.
func columnTypeText(c ColumnInfo) string {
	name := strings.ToUpper(c.DatabaseTypeName)
	if base, ok := strings.CutPrefix(name, "UNSIGNED "); ok {
		return base + " UNSIGNED"
	}
	switch name {
	case "VARCHAR", "CHAR", "VARBINARY", "BINARY":
		if c.LengthOK && c.Length > 0 {
			return fmt.Sprintf("%s(%d)", name, c.Length)
		}
		return name + "(255)"
	case "DECIMAL":
		if c.DecimalOK {
			return fmt.Sprintf("DECIMAL(%d,%d)", c.Precision, c.Scale)
		}
		return "DECIMAL(65,30)"
	case "BIT":
		return fmt.Sprintf("BIT(%d)", c.Length)
	case "NULL": // a column of NULLs only, as in MySQL
		return "BINARY(0)"
	case "ENUM", "SET", "":
	default:
		return name
	}
	switch c.Kind {
	case KindInt:
		return "BIGINT"
	case KindUint:
		return "BIGINT UNSIGNED"
	case KindFloat:
		return "DOUBLE"
	case KindDecimal:
		return "DECIMAL(65,30)"
	case KindBytes:
		return "LONGBLOB"
	case KindTime:
		return "DATETIME(6)"
	}
	return "LONGTEXT"
}
