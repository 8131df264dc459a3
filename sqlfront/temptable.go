package sqlfront

import (
	"context"
	"errors"
	"github.com/bxdb/bxdb/engine/bedrock"
	"strconv"
	"strings"

	"github.com/bxdb/bxdb/engine/bxtree"
	"github.com/xwb1989/sqlparser"
)

// Temporary tables (CREATE TEMPORARY TABLE), as in MySQL: a temporary
// table belongs to the session that created it, hides a permanent table
// (or view) of its name from that session, is seen by no other session
// (which may have its own of the same name), is listed by neither SHOW
// TABLES nor information_schema, and is dropped when the session ends.
//
// Design: a temporary table is an ordinary table whose descriptor is not
// in the catalog tree but in its session's memory (Session.temps), with a
// table ID of its own range (tempIDBase and up, handed out by the engine
// for its lifetime: no two sessions share one). Its rows and indexes are
// bxtrees of the store named by that ID like any table's ("sql.t.<id>",
// "sql.i.<id>.<n>"), and its AUTO_INCREMENT counter is in "sql.autoinc",
// so everything that works on tables works on it, transactions included.
// A session sees the catalog through a view (overlay): the permanent
// catalog with its temporary tables over the tables of their names
// (catalog.perm, catalog.temps; Session.viewOf, applied to every catalog a
// statement gets). DDL on a view changes the temporary tables in the
// catalogWriter's temps and never writes them to the catalog tree; the
// catalog a DDL leaves is a view again. Since DDL is transactional in
// bxdb, so are CREATE and DROP TEMPORARY TABLE (MySQL does not roll them
// back): a transaction's view (sessTx.cat) carries its temporary tables,
// its savepoints keep the view they started with, and the session adopts
// the view's tables when the transaction (or the autocommit statement)
// commits. Temporary tables take no foreign keys (1215) and no triggers
// (1361); views may not name them (1352).
//
// Session.Close drops the session's temporary tables (trees and counters)
// in a transaction of their own. What a crash, a failed drop or closing
// the engine with sessions open leaves behind is unreachable (no catalog
// record names it) and dropped when the file is next opened writable
// (sweepTemps): temporary tables never survive a reopen.

// tempIDBase is the first table ID of temporary tables; permanent tables
// are numbered from 1 and never reach it.
const tempIDBase = 1 << 62

// isTempID reports whether id is a temporary table's.
func isTempID(id uint64) bool { return id >= tempIDBase }

// newTempID hands out a temporary table's ID.
func (e *Engine) newTempID() uint64 { return tempIDBase + e.tempIDs.Add(1) }

// overlay returns the session's view of perm with the temporary tables
// temps (see catalog.perm).
func overlay(perm *catalog, temps map[string]*table) *catalog {
	c := &catalog{nonce: perm.nonce, nextID: perm.nextID, tables: make(map[string]*table, len(perm.tables)+len(temps)),
		views: perm.views, triggers: perm.triggers, perm: perm, temps: temps}
	for k, t := range perm.tables {
		c.tables[k] = t
	}
	for k, t := range temps {
		c.tables[k] = t
	}
	return c
}

// tempTable returns the session's temporary table named name, or nil.
func (c *catalog) tempTable(name string) *table { return c.temps[strings.ToLower(name)] }

// permTable returns the permanent table named name, or nil, also when a
// temporary table hides it.
func (c *catalog) permTable(name string) *table {
	if c.perm != nil {
		return c.perm.table(name)
	}
	return c.table(name)
}

// viewOf returns the catalog the session's statements see for the catalog
// c read from the store (or c itself: a transaction's view, or the
// session has no temporary table). The last view built is reused.
func (s *Session) viewOf(c *catalog) *catalog {
	if c.perm != nil || len(s.temps) == 0 {
		return c
	}
	if v := s.tview; v != nil && v.perm == c {
		return v
	}
	s.tview = overlay(c, s.temps)
	return s.tview
}

// adoptTemps makes the temporary tables of c, the catalog a committed
// statement or transaction left, the session's. A catalog that is no view
// changed none.
func (s *Session) adoptTemps(c *catalog) {
	if c == nil || c.perm == nil {
		return
	}
	s.temps, s.tview = c.temps, nil
	if len(s.temps) == 0 {
		s.temps = nil
	}
}

// dropTemps drops the session's temporary tables (Session.Close). On
// failure they stay in the file, unreachable, until sweepTemps.
func (s *Session) dropTemps() error {
	if len(s.temps) == 0 {
		return nil
	}
	st := &DropTableStmt{Temporary: true, IfExists: true}
	for _, t := range s.temps {
		st.Tables = append(st.Tables, TableName{Name: t.desc.Name})
	}
	s.autocommit = true // the session ends: no implicit transaction
	_, err := s.runWrite(context.Background(), nil, true, func(sc *stmtCtx) (Result, error) {
		return Result{}, sc.dropTables(st)
	})
	s.temps, s.tview = nil, nil
	return err
}

// sweepTemps drops, when the engine opens, the trees and counters of
// temporary tables a previous run left behind (a crash, or sessions not
// closed).
func (e *Engine) sweepTemps() error {
	if rtx, err := e.store.Begin(false); err == nil {
		left, err := tempLeftovers(rtx)
		rtx.Rollback()
		if err == nil && !left {
			return nil // nothing to sweep: no write transaction (see initCatalog)
		}
	}
	tx, err := e.store.Begin(true)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	names, err := bxtree.Names(tx)
	if err != nil {
		return err
	}
	n := 0
	for _, name := range names {
		if !isTempTree(name) {
			continue
		}
		if err := bxtree.Drop(tx, name); err != nil && !errors.Is(err, bxtree.ErrNotFound) {
			return err
		}
		n++
	}
	at, err := bxtree.Open(tx, autoincTree, eagerTree())
	if err != nil && !errors.Is(err, bxtree.ErrNotFound) {
		return err
	}
	if at != nil {
		var keys [][]byte
		c := at.Range(autoKey(tempIDBase), nil)
		for ok := c.First(); ok; ok = c.Next() {
			keys = append(keys, append([]byte(nil), c.Key()...))
		}
		if err := c.Err(); err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := at.Delete(k); err != nil {
				return err
			}
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return tx.Commit()
}

// tempLeftovers reports whether tx's store holds trees or AUTO_INCREMENT
// counters of temporary tables (which sweepTemps removes).
func tempLeftovers(tx *bedrock.Tx) (bool, error) {
	names, err := bxtree.Names(tx)
	if err != nil {
		return false, err
	}
	for _, name := range names {
		if isTempTree(name) {
			return true, nil
		}
	}
	at, err := bxtree.Open(tx, autoincTree, eagerTree())
	if errors.Is(err, bxtree.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c := at.Range(autoKey(tempIDBase), nil)
	ok := c.First()
	return ok, c.Err()
}

// isTempTree reports whether name is a tree of a temporary table: a row,
// tombstone or index tree (tableTreeName, deadTreeName, indexTreeName)
// whose table ID is a temporary table's.
func isTempTree(name string) bool {
	rest, ok := strings.CutPrefix(name, "sql.t.")
	if !ok {
		if rest, ok = strings.CutPrefix(name, "sql.i."); !ok {
			return false
		}
	}
	if i := strings.IndexByte(rest, '.'); i >= 0 {
		rest = rest[:i]
	}
	id, err := strconv.ParseUint(rest, 10, 64)
	return err == nil && isTempID(id)
}

// errTempFK is MySQL's refusal of a foreign key on a temporary table.
func errTempFK() *SQLError { return engErr(1215, "Cannot add foreign key constraint") }

// tempRef returns the name of a temporary table of the session's view c
// that query q names (not qualified by another database), or "".
func (c *catalog) tempRef(q sqlparser.SQLNode) string {
	if len(c.temps) == 0 {
		return ""
	}
	found := ""
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if tn, ok := n.(sqlparser.TableName); ok && found == "" && tn.Qualifier.IsEmpty() {
			if t := c.tempTable(tn.Name.String()); t != nil {
				found = t.desc.Name
			}
		}
		return found == "", nil
	}, q)
	return found
}

// namesTable reports whether query q names the table name (in any
// database).
func namesTable(q sqlparser.SQLNode, name string) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if tn, ok := n.(sqlparser.TableName); ok && strings.EqualFold(tn.Name.String(), name) {
			found = true
		}
		return !found, nil
	}, q)
	return found
}
