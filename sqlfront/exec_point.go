package sqlfront

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
	"github.com/xwb1989/sqlparser"
)

// Execution of point statements (plan_point.go).

// oneRow is a result of at most one row, materialized.
type oneRow struct {
	row   []Value
	done  bool
	small [4]Value // backing array of row for narrow results
}

func (o *oneRow) Next() ([]Value, error) {
	if o.done || o.row == nil {
		return nil, io.EOF
	}
	o.done = true
	return o.row, nil
}

func (o *oneRow) Close() { o.done = true }

// tryPointSelect runs st through its cached point plan. done is false
// when the general path must run the statement (no plan, a catalog
// change, a key value the plan does not convert exactly).
func (s *Session) tryPointSelect(ctx context.Context, st *Stmt, args []Value) (rows *Rows, done bool, err error) {
	p := st.cache.pointSel.Load()
	if p == nil {
		return nil, false, nil
	}
	if err := s.implicitBegin(ctx); err != nil {
		return nil, true, err
	}
	var tx *bedrock.Tx
	var cat *catalog
	own := s.tx == nil
	if own {
		tx, cat, err = s.acquireRead()
		defer s.releaseRead()
	} else {
		if s.tx.brokenErr() != nil {
			return nil, false, nil
		}
		tx = s.tx.top()
		cat, err = s.txCatalog(tx)
	}
	if err != nil {
		return nil, true, mapStoreErr(err)
	}
	cat = s.viewOf(cat)
	t := p.key.t
	if cat.table(t.desc.Name) != t {
		return nil, false, nil // the schema changed: plan again
	}
	env := &s.env
	// The statement ends here (its one row is materialized): its time is
	// taken at the first use, if any (Env.clock).
	s.clock = time.Time{}
	*env = Env{Args: args, Database: s.e.dbName, LastInsertID: s.lastInsertID, RowCount: s.rowCount, FoundRows: s.foundRowsNow(), ConnectionID: s.id, clock: &s.clock, sess: s, ctx: ctx}
	key, none, ok := p.key.key(s.keyBuf[:0], env)
	if !ok {
		return nil, false, nil
	}
	s.keyBuf = key[:0]
	r := &Rows{cols: p.cols}
	r.it = &r.one
	if !none {
		tree, err := s.readTree(tx, t.tree, own)
		if err != nil {
			return nil, true, mapStoreErr(err)
		}
		var ixTree *bxtree.Tree
		if p.key.ix != nil {
			if ixTree, err = s.readTree(tx, p.key.ix.tree, own); err != nil {
				return nil, true, mapStoreErr(err)
			}
		}
		_, val, found, err := pointGet(t, p.key.ix, tree, ixTree, key)
		if err != nil {
			return nil, true, mapStoreErr(err)
		}
		if found {
			full := s.scratch[:0]
			for range t.cols {
				full = append(full, Null)
			}
			s.scratch = full
			if err := decodeTableRow(t, val, full, &s.phys, nil); err != nil {
				return nil, true, mapStoreErr(err)
			}
			row := r.one.small[:0]
			if len(p.out) > len(r.one.small) {
				row = make([]Value, 0, len(p.out))
			}
			row = row[:len(p.out)]
			for i, c := range p.out {
				row[i] = full[c]
			}
			clear(full)
			r.one.row = row
		}
	}
	if env.LastInsertID != s.lastInsertID {
		s.lastInsertID = env.LastInsertID // LAST_INSERT_ID(x)
	}
	return r, true, nil
}

// pointGet reads the row a pointKey names: key is its primary key, or
// with ix, the prefix of its entry in ix (read from ixTree).
func pointGet(t *table, ix *index, tree, ixTree *bxtree.Tree, key []byte) (pk, val []byte, found bool, err error) {
	pk = key
	if ix != nil {
		c := ixTree.Range(key, prefixEnd(key))
		if !c.First() {
			return nil, nil, false, c.Err()
		}
		if pk, err = cursorValue(c); err != nil {
			return nil, nil, false, err
		}
	}
	val, _, found, err = tree.Get(pk)
	if err == nil && !found && ix != nil {
		err = errIndexCorrupt(t, ix)
	}
	return pk, val, found, err
}

// readTree returns a handle on tree name for one read in tx: the shared
// handle of a writable session transaction, else a fresh one.
func (s *Session) readTree(tx *bedrock.Tx, name string, own bool) (*bxtree.Tree, error) {
	if own {
		return s.cachedTree(name)
	}
	if s.tx.writable {
		tt := s.tx.sharedTrees()
		if r, ok := tt.m[name]; ok {
			r.noteRead()
			return r.t, nil
		}
		t, err := openTree(tx, name, true)
		if err != nil {
			return nil, err
		}
		tt.add(name, &treeRef{t: t})
		return t, nil
	}
	return openTree(tx, name, false)
}

// eagerTree is the options of the handles sqlfront opens for a few
// operations (catalog, counters, DDL): eager, so that what they write is
// in the blocks when the call returns.
func eagerTree() *bxtree.Options { return &bxtree.Options{Eager: true} }

// openTree opens the tree called name in tx, mapping a missing tree to
// catalog corruption.

func openTree(tx *bedrock.Tx, name string, deferFlush bool) (*bxtree.Tree, error) {
	t, err := bxtree.Open(tx, name, &bxtree.Options{Eager: !deferFlush})
	if err != nil {
		if errors.Is(err, bxtree.ErrNotFound) {
			return nil, fmt.Errorf("%w: tree %s of the catalog is missing", ErrCatalogCorrupt, name)
		}
		return nil, err
	}
	return t, nil
}

// notePointSelect caches the point plan of the top-level SELECT sel, just
// planned generally with result columns cols, if it has one.
func (sc *stmtCtx) notePointSelect(sel *sqlparser.Select, cols []ColumnInfo) {
	if c := sc.stmtCache(); c != nil {
		if p := planPointSelect(sc.cat, sel, cols); p != nil {
			c.pointSel.Store(p)
		}
	}
}

// pointTargets is scanTargets for an UPDATE or DELETE of one row named by
// its primary key (plan_point.go): it reads that row, if any, without
// planning. ok is false when the statement must be planned generally.
func (sc *stmtCtx) pointTargets(te sqlparser.TableExprs, where *sqlparser.Where, order sqlparser.OrderBy, limit *sqlparser.Limit) (t *table, ti *targetIter, ok bool, err error) {
	if len(order) > 0 || limit != nil {
		return nil, nil, false, nil
	}
	name, alias, single := singleTable(te)
	if !single {
		return nil, nil, false, nil
	}
	if t = sc.cat.table(name); t == nil {
		return nil, nil, false, nil
	}
	var p *pointKey
	c := sc.stmtCache()
	if c != nil {
		if cp := c.pointDML.Load(); cp != nil && cp.t == t {
			p = cp
		}
	}
	if p == nil {
		if p = pointWhere(t, alias, where); p == nil {
			return nil, nil, false, nil
		}
		if c != nil {
			c.pointDML.Store(p)
		}
	}
	// The key goes into the statement's key arena: the undo log keeps
	// it until the statement ends.
	start := len(sc.keys)
	buf, none, ok := p.key(sc.keys, sc.env)
	if !ok {
		return nil, nil, false, nil
	}
	ti = &sc.point
	*ti = targetIter{it: &ti.one, ncols: len(t.cols)}
	if !none {
		sc.keys = buf
		key := buf[start:len(buf):len(buf)]
		st, err := sc.store(t)
		if err != nil {
			return nil, nil, true, err
		}
		if p.ix != nil {
			// The entry's value is the primary key; it goes into the
			// arena in place of the index prefix.
			r, err := st.ixRef(p.ix)
			if err != nil {
				return nil, nil, true, err
			}
			r.noteRead()
			c := r.t.Range(key, prefixEnd(key))
			sc.keys = buf[:start]
			if !c.First() {
				if err := c.Err(); err != nil {
					return nil, nil, true, err
				}
				return t, ti, true, nil
			}
			sc.keys = append(sc.keys, c.Value()...)
			key = sc.keys[start:len(sc.keys):len(sc.keys)]
		}
		// The row is read by the statement before it changes anything
		// and not kept past it: the store's scratch.
		if len(st.old) != len(t.cols) {
			st.old = make([]Value, len(t.cols))
		}
		found, err := st.fetch(key, st.old)
		if err != nil {
			return nil, nil, true, err
		}
		if !found && p.ix != nil {
			return nil, nil, true, errIndexCorrupt(t, p.ix)
		}
		if found {
			ti.one.row, ti.pk = st.old, key
		}
	}
	return t, ti, true, nil
}
