package sqlfront

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
	"github.com/bxdb/bxdb/engine/osynch"
	"github.com/bxdb/bxdb/engine/osynch/wire"
)

// Row versions, tombstones of synchronized tables and SyncReplica
// (version.go, exec_store.go, syncreplica.go).

// rec is one stored record, for comparisons.
type rec struct {
	ver uint64
	val string
}

// syncTable returns table name as the committed catalog has it.
func syncTable(t *testing.T, e *Engine, name string) *table {
	t.Helper()
	tx, err := e.store.Begin(false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	cat, err := e.catalogOf(tx)
	if err != nil {
		t.Fatal(err)
	}
	tb := cat.table(name)
	if tb == nil {
		t.Fatalf("no table %s", name)
	}
	return tb
}

// treeRecs returns the committed records of tree name (nil if the tree
// does not exist).
func treeRecs(t *testing.T, e *Engine, name string) map[string]rec {
	t.Helper()
	tx, err := e.store.Begin(false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	tr, err := bxtree.Open(tx, name, nil)
	if err != nil {
		return nil
	}
	m := map[string]rec{}
	c := tr.Cursor()
	for ok := c.First(); ok; ok = c.Next() {
		m[string(c.Key())] = rec{c.Version(), string(c.Value())}
	}
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// treeNames returns the names of the store's trees.
func treeNames(t *testing.T, e *Engine) []string {
	t.Helper()
	tx, err := e.store.Begin(false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	names, err := bxtree.Names(tx)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// intKey is the primary key encoding of an INT id.
func intKey(id int64) string {
	return string(AppendKey(nil, IntValue(id), ColumnType{Base: TypeInt}, false))
}

// sameRecs fails unless a and b are equal.
func sameRecs(t *testing.T, what string, got, want map[string]rec) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s:\n got %v\nwant %v", what, got, want)
	}
}

// checkSyncIntegrity checks table name of e: every index holds exactly
// the entries of the rows (version 0), no key is both live and dead,
// tombstones are empty, rows and tombstones have versions, and every tree
// passes bxtree's check.
func checkSyncIntegrity(t *testing.T, e *Engine, name string) {
	t.Helper()
	tb := syncTable(t, e, name)
	live := treeRecs(t, e, tb.tree)
	st := &tableStore{t: tb}
	for _, c := range tb.pk {
		st.pkTypes = append(st.pkTypes, tb.types[c])
	}
	want := map[string]map[string]rec{}
	for _, ix := range tb.indexes {
		want[ix.tree] = map[string]rec{}
	}
	row := make([]Value, len(tb.cols))
	var phys []Value
	for k, r := range live {
		if err := decodeTableRow(tb, []byte(r.val), row, &phys, nil); err != nil {
			t.Fatalf("row %x: %v", k, err)
		}
		if r.ver == 0 {
			t.Fatalf("row %x has version 0", k)
		}
		if !tb.hidden {
			if pk := st.pkKey(nil, row); string(pk) != k {
				t.Fatalf("row %x has primary key %x", k, pk)
			}
		}
		for _, ix := range tb.indexes {
			want[ix.tree][string(st.indexKey(ix, row, []byte(k)))] = rec{0, k}
		}
	}
	for _, ix := range tb.indexes {
		sameRecs(t, "index "+ix.desc.Name, treeRecs(t, e, ix.tree), want[ix.tree])
	}
	if tb.dead != "" {
		for k, r := range treeRecs(t, e, tb.dead) {
			if _, ok := live[k]; ok {
				t.Fatalf("key %x is live and dead", k)
			}
			if r.val != "" || r.ver == 0 {
				t.Fatalf("tombstone %x: %+v", k, r)
			}
		}
	}
	if err := e.checkTrees(); err != nil {
		t.Fatal(err)
	}
}

// markSync makes table name synchronized through an empty replica.
func markSync(t *testing.T, e *Engine, name string) {
	t.Helper()
	r, err := e.OpenSyncReplica(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestRowVersions: every row write stores a fresh, increasing version
// close to the wall clock; index records keep 0; a failed statement and
// ROLLBACK TO SAVEPOINT restore the exact versions.
func TestRowVersions(t *testing.T) {
	e := openConcurrent(t, 0)
	s := e.NewSession()
	ctx := context.Background()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, u INT, v VARCHAR(10), UNIQUE KEY uu (u), KEY kv (v))")
	tb := syncTable(t, e, "t")
	start := uint64(time.Now().UnixMicro())
	var last uint64
	for i := int64(1); i <= 5; i++ {
		execSQL(t, s, "INSERT INTO t VALUES (?, ?, 'a')", IntValue(i), IntValue(i*10))
		r := treeRecs(t, e, tb.tree)[intKey(i)]
		if r.ver <= last || r.ver < start || r.ver > uint64(time.Now().UnixMicro())+1000 {
			t.Fatalf("row %d: version %d after %d (start %d)", i, r.ver, last, start)
		}
		last = r.ver
	}
	execSQL(t, s, "UPDATE t SET v = 'b' WHERE id = 2")
	if r := treeRecs(t, e, tb.tree)[intKey(2)]; r.ver <= last {
		t.Fatalf("update: version %d, last %d", r.ver, last)
	}
	for _, ix := range tb.indexes {
		for k, r := range treeRecs(t, e, ix.tree) {
			if r.ver != 0 {
				t.Fatalf("index %s entry %x: version %d", ix.desc.Name, k, r.ver)
			}
		}
	}
	// The clock follows a version observed from elsewhere.
	future := uint64(time.Now().Add(time.Hour).UnixMicro())
	e.ObserveVersion(future)
	execSQL(t, s, "UPDATE t SET v = 'c' WHERE id = 3")
	if r := treeRecs(t, e, tb.tree)[intKey(3)]; r.ver != future+1 {
		t.Fatalf("after ObserveVersion(%d): version %d", future, r.ver)
	}

	execSQL(t, s, "BEGIN")
	execSQL(t, s, "UPDATE t SET v = 'd' WHERE id <= 2")
	execSQL(t, s, "SAVEPOINT sp")
	// Statements that fail half-way: their changes and versions go.
	inTx := func() map[string]rec {
		// Read through the transaction: the session's own view.
		out := map[string]rec{}
		tt := s.tx.sharedTrees()
		r, err := sharedRef(tt, tb.tree)
		if err != nil {
			t.Fatal(err)
		}
		c := r.t.Cursor()
		for ok := c.First(); ok; ok = c.Next() {
			out[string(c.Key())] = rec{c.Version(), string(c.Value())}
		}
		return out
	}
	before := inTx()
	for _, q := range []string{
		"UPDATE t SET v = 'x' WHERE id >= 1 ORDER BY id",                            // fine, then:
		"UPDATE t SET u = 999 WHERE id >= 1",                                        // second row collides
		"UPDATE t SET u = IF(id = 3, 10, u), id = id + 10 ORDER BY id",              // moves, then collides
		"REPLACE INTO t VALUES (1, 11, 'z'), (6, 20, 'y'), (7, 7, REPEAT('q', 20))", // too long
		"DELETE FROM t WHERE id = 4 OR u / 0 IS NULL AND 1 = (SELECT 1 UNION SELECT 2)",
		"INSERT INTO t VALUES (1, 0, 'x') ON DUPLICATE KEY UPDATE u = 20",
	} {
		err := execErr(ctx, s, q)
		if strings.HasPrefix(q, "UPDATE t SET v = 'x'") {
			if err != nil {
				t.Fatal(err)
			}
			execSQL(t, s, "ROLLBACK TO SAVEPOINT sp")
		} else if err == nil {
			t.Fatalf("%s: succeeded", q)
		}
		sameRecs(t, "after "+q, inTx(), before)
	}
	execSQL(t, s, "COMMIT")
	sameRecs(t, "after commit", treeRecs(t, e, tb.tree), before)
	checkSyncIntegrity(t, e, "t")
}

// TestClockSurvivesRestart: a synchronization persists the clock, so
// versions after a restart are above it even if the wall clock is behind.
func TestClockSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.bxdb")
	e, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY)")
	future := uint64(time.Now().Add(24 * time.Hour).UnixMicro())
	e.ObserveVersion(future)
	markSync(t, e, "t")
	e.Close()
	e, err = Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s = e.NewSession()
	execSQL(t, s, "INSERT INTO t VALUES (1)")
	tb := syncTable(t, e, "t")
	if r := treeRecs(t, e, tb.tree)[intKey(1)]; r.ver <= future {
		t.Fatalf("version %d after restart, floor %d", r.ver, future)
	}
}

// TestTombstones: removals from a synchronized table leave tombstones
// (DELETE, REPLACE, primary key UPDATE, ON DUPLICATE KEY UPDATE moving the
// key), writes remove them, failed statements and savepoints restore them
// exactly, and DDL keeps them consistent.
func TestTombstones(t *testing.T) {
	e := openConcurrent(t, 0)
	s := e.NewSession()
	ctx := context.Background()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, u INT, v VARCHAR(10), UNIQUE KEY uu (u), KEY kv (v))")
	execSQL(t, s, "CREATE TABLE plain (id INT PRIMARY KEY, v INT)")
	execSQL(t, s, "INSERT INTO t VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c'), (4, 40, 'd'), (5, 50, 'e')")
	execSQL(t, s, "INSERT INTO plain VALUES (1, 1), (2, 2)")
	execSQL(t, s, "DELETE FROM plain WHERE id = 1")
	execSQL(t, s, "UPDATE plain SET id = 5 WHERE id = 2")
	for _, n := range treeNames(t, e) {
		if strings.HasSuffix(n, ".dead") {
			t.Fatalf("dead tree %s before any synchronization", n)
		}
	}
	if syncTable(t, e, "plain").dead != "" || syncTable(t, e, "t").dead != "" {
		t.Fatal("tables synchronized before any synchronization")
	}
	markSync(t, e, "t")
	tb := syncTable(t, e, "t")
	if !tb.desc.Synchronized || tb.dead != deadTreeName(tb.desc.ID) {
		t.Fatalf("not synchronized: %+v", tb.desc)
	}
	if syncTable(t, e, "plain").dead != "" {
		t.Fatal("plain got synchronized")
	}
	dead := func() map[string]rec { return treeRecs(t, e, tb.dead) }
	keysOf := func(m map[string]rec) string {
		var ks []string
		for k := range m {
			vals, err := DecodeKey([]byte(k), []ColumnType{{Base: TypeInt}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			ks = append(ks, Format(vals[0]))
		}
		sort.Strings(ks)
		return strings.Join(ks, ",")
	}
	if len(dead()) != 0 {
		t.Fatalf("tombstones after marking: %v", dead())
	}

	v1 := treeRecs(t, e, tb.tree)[intKey(1)].ver
	execSQL(t, s, "DELETE FROM t WHERE id = 1")
	d := dead()
	if keysOf(d) != "1" || d[intKey(1)].ver <= v1 || d[intKey(1)].val != "" {
		t.Fatalf("after DELETE: %v (row version was %d)", d, v1)
	}
	// REPLACE removes the row holding u = 20 (id 2) and stores id 6.
	execSQL(t, s, "REPLACE INTO t VALUES (6, 20, 'f')")
	if got := keysOf(dead()); got != "1,2" {
		t.Fatalf("after REPLACE: %s", got)
	}
	// A primary key update buries the old key.
	execSQL(t, s, "UPDATE t SET id = 7 WHERE id = 3")
	if got := keysOf(dead()); got != "1,2,3" {
		t.Fatalf("after key UPDATE: %s", got)
	}
	// ON DUPLICATE KEY UPDATE that moves the key.
	execSQL(t, s, "INSERT INTO t VALUES (4, 0, 'x') ON DUPLICATE KEY UPDATE id = 8")
	if got := keysOf(dead()); got != "1,2,3,4" {
		t.Fatalf("after ODKU: %s", got)
	}
	// Writing a buried key removes its tombstone, also by a key update.
	execSQL(t, s, "INSERT INTO t VALUES (1, 11, 'a')")
	execSQL(t, s, "UPDATE t SET id = 3 WHERE id = 7")
	if got := keysOf(dead()); got != "2,4,7" {
		t.Fatalf("after re-inserts: %s", got)
	}
	checkSyncIntegrity(t, e, "t")

	// Failed statements and savepoints restore tombstones exactly.
	execSQL(t, s, "BEGIN")
	deadInTx := func() map[string]rec {
		out := map[string]rec{}
		r, err := sharedRef(s.tx.sharedTrees(), tb.dead)
		if err != nil {
			t.Fatal(err)
		}
		c := r.t.Cursor()
		for ok := c.First(); ok; ok = c.Next() {
			out[string(c.Key())] = rec{c.Version(), string(c.Value())}
		}
		return out
	}
	before := deadInTx()
	for _, q := range []string{
		"INSERT INTO t VALUES (2, 21, 'b'), (4, 41, 'd'), (9, 11, 'dup')",               // unburies 2 and 4, then collides
		"DELETE FROM t WHERE id = 1 OR u / 0 IS NULL AND 1 = (SELECT 1 UNION SELECT 2)", // buries, then fails
		"REPLACE INTO t VALUES (10, 11, 'z'), (7, 70, 'y'), (12, 12, REPEAT('q', 20))",
		"UPDATE t SET id = id + 1 ORDER BY id", // moves into 2, 4, then collides
	} {
		if err := execErr(ctx, s, q); err == nil {
			t.Fatalf("%s: succeeded", q)
		}
		sameRecs(t, "tombstones after failed "+q, deadInTx(), before)
	}
	execSQL(t, s, "SAVEPOINT sp")
	execSQL(t, s, "DELETE FROM t WHERE id = 1")
	execSQL(t, s, "INSERT INTO t VALUES (2, 22, 'b')")
	execSQL(t, s, "ROLLBACK TO SAVEPOINT sp")
	sameRecs(t, "tombstones after ROLLBACK TO", deadInTx(), before)
	execSQL(t, s, "DELETE FROM t WHERE id = 5")
	execSQL(t, s, "COMMIT")
	if got := keysOf(dead()); got != "2,4,5,7" {
		t.Fatalf("after commit: %s", got)
	}
	checkSyncIntegrity(t, e, "t")
	if got := fmt.Sprint(querySQL(t, s, "CHECK TABLE t")); !strings.Contains(got, "OK") {
		t.Fatalf("CHECK TABLE: %s", got)
	}
	// CHECK TABLE notices a key both live and dead.
	rawPut := func(put bool) {
		tx, err := e.store.Begin(true)
		if err != nil {
			t.Fatal(err)
		}
		dt, err := bxtree.Open(tx, tb.dead, nil)
		if err == nil && put {
			err = dt.Put([]byte(intKey(1)), 1, nil)
		} else if err == nil {
			_, err = dt.Delete([]byte(intKey(1)))
		}
		if err == nil {
			err = tx.Commit()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	rawPut(true)
	if got := fmt.Sprint(querySQL(t, s, "CHECK TABLE t")); !strings.Contains(got, "live and dead") || !strings.Contains(got, "Corrupt") {
		t.Fatalf("CHECK TABLE with a live and dead key: %s", got)
	}
	rawPut(false)

	// DDL: ALTER and RENAME keep the flag and the tombstones.
	before = dead()
	execSQL(t, s, "ALTER TABLE t ADD COLUMN w INT, ADD INDEX iw (w)")
	execSQL(t, s, "RENAME TABLE t TO t2")
	tb2 := syncTable(t, e, "t2")
	if tb2.dead != tb.dead {
		t.Fatalf("dead tree %s, was %s", tb2.dead, tb.dead)
	}
	sameRecs(t, "tombstones after ALTER, RENAME", treeRecs(t, e, tb2.dead), before)
	// A rebuild (column type change) copies them into the new trees.
	execSQL(t, s, "ALTER TABLE t2 MODIFY v VARCHAR(30)")
	tb3 := syncTable(t, e, "t2")
	if tb3.desc.ID == tb2.desc.ID || !tb3.desc.Synchronized {
		t.Fatalf("no rebuild or lost flag: %+v", tb3.desc)
	}
	sameRecs(t, "tombstones after rebuild", treeRecs(t, e, tb3.dead), before)
	if treeRecs(t, e, tb2.dead) != nil {
		t.Fatal("old dead tree survives the rebuild")
	}
	checkSyncIntegrity(t, e, "t2")
	execSQL(t, s, "DELETE FROM t2 WHERE id = 1")
	if got := keysOf(treeRecs(t, e, tb3.dead)); got != "1,2,4,5,7" {
		t.Fatalf("after rebuild and DELETE: %s", got)
	}
	// TRUNCATE keeps the tombstones and adds one, with a fresh version,
	// for every row it removes; DROP drops the dead tree.
	deadBefore := treeRecs(t, e, tb3.dead)
	liveBefore := treeRecs(t, e, tb3.tree)
	if len(liveBefore) == 0 {
		t.Fatal("no rows to truncate")
	}
	execSQL(t, s, "TRUNCATE TABLE t2")
	deadAfter := treeRecs(t, e, tb3.dead)
	if m := treeRecs(t, e, tb3.tree); m == nil || len(m) != 0 {
		t.Fatalf("rows after TRUNCATE: %v", m)
	}
	if len(deadAfter) != len(deadBefore)+len(liveBefore) {
		t.Fatalf("after TRUNCATE: %d tombstones, want %d + %d", len(deadAfter), len(deadBefore), len(liveBefore))
	}
	for k, r := range deadBefore {
		if deadAfter[k] != r {
			t.Errorf("tombstone %x: %+v after TRUNCATE, was %+v", k, deadAfter[k], r)
		}
	}
	for k, r := range liveBefore {
		d, ok := deadAfter[k]
		if !ok || d.ver <= r.ver || len(d.val) != 0 {
			t.Errorf("row %x (version %d): tombstone %+v, %v after TRUNCATE", k, r.ver, d, ok)
		}
	}
	checkSyncIntegrity(t, e, "t2")
	execSQL(t, s, "INSERT INTO t2 (id, u) VALUES (1, 1)")
	execSQL(t, s, "DELETE FROM t2")
	if got := keysOf(treeRecs(t, e, tb3.dead)); got != keysOf(deadAfter) {
		t.Fatalf("after TRUNCATE, INSERT and DELETE: %s, want %s", got, keysOf(deadAfter))
	}
	execSQL(t, s, "DROP TABLE t2")
	for _, n := range treeNames(t, e) {
		if strings.HasSuffix(n, ".dead") {
			t.Fatalf("dead tree %s after DROP", n)
		}
	}
	if err := e.checkTrees(); err != nil {
		t.Fatal(err)
	}
}

// syncSchema is the table of the replica tests: a unique index whose
// values stay distinct across replicas (u = id * 1000 + n), a plain index
// and a composite one, and assorted types.
const syncSchema = `CREATE TABLE t (id INT PRIMARY KEY, u INT, g INT, s VARCHAR(20), d DOUBLE,
	dt DATETIME(3), m DECIMAL(10,2), b VARBINARY(8), e ENUM('x','y','z'),
	UNIQUE KEY uu (u), KEY ig (g), KEY isd (s, d))`

// randomSyncOps runs n random statements on table t of s, on keys 1 to
// keys (some inside transactions that commit or roll back); duplicate
// keys are expected and ignored.
func randomSyncOps(t *testing.T, s *Session, rnd *rand.Rand, n, keys int) {
	t.Helper()
	ctx := context.Background()
	run := func(q string, args ...Value) {
		st, err := s.Prepare(q)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Exec(ctx, st, args); err != nil && sqlNumber(err) != ErDupEntry {
			t.Fatalf("%s %v: %v", q, args, err)
		}
	}
	key := func() Value { return IntValue(int64(rnd.Intn(keys) + 1)) }
	for i := 0; i < n; i++ {
		switch rnd.Intn(20) {
		case 0:
			run("BEGIN")
		case 1:
			if s.InTx() {
				run("COMMIT")
			}
		case 2:
			if s.InTx() {
				run("ROLLBACK")
			}
		case 3, 4, 5, 6:
			k := key()
			run("REPLACE INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", k, IntValue(k.I*1000+int64(rnd.Intn(1000))),
				IntValue(int64(rnd.Intn(5))), StringValue(string(rune('a'+rnd.Intn(4)))+"é"), FloatValue(rnd.NormFloat64()),
				StringValue(fmt.Sprintf("2024-%02d-%02d 10:11:12.%03d", rnd.Intn(12)+1, rnd.Intn(28)+1, rnd.Intn(1000))),
				StringValue(fmt.Sprintf("%d.%02d", rnd.Intn(1000)-500, rnd.Intn(100))), BytesValue([]byte{byte(rnd.Intn(3)), 0}),
				StringValue([]string{"x", "y", "z"}[rnd.Intn(3)]))
		case 7, 8, 9:
			k := key()
			run("UPDATE t SET g = ?, s = ?, u = ? WHERE id = ?", IntValue(int64(rnd.Intn(5))), StringValue(string(rune('a'+rnd.Intn(4)))),
				IntValue(k.I*1000+int64(rnd.Intn(1000))), k)
		case 10, 11, 12:
			run("DELETE FROM t WHERE id = ?", key())
		case 13:
			run("DELETE FROM t WHERE g = ?", IntValue(int64(rnd.Intn(8))))
		case 14, 15:
			k, k2 := key(), key()
			run("UPDATE t SET id = ?, u = ? WHERE id = ?", k2, IntValue(k2.I*1000+int64(rnd.Intn(1000))), k)
		case 16:
			run("UPDATE t SET d = d + 1, m = -m WHERE g = ?", IntValue(int64(rnd.Intn(5))))
		case 17:
			k := key()
			run("INSERT INTO t (id, u, g) VALUES (?, ?, 1) ON DUPLICATE KEY UPDATE g = g + 1, e = 'z'", k, IntValue(k.I*1000+999))
		default:
			run("UPDATE t SET s = NULL, b = NULL WHERE id = ?", key())
		}
	}
	if s.InTx() {
		run("COMMIT")
	}
}

// allItems returns the items of r by key (copies).
func allItems(t *testing.T, r *SyncReplica) (map[string]osynch.Item, []string) {
	t.Helper()
	m := map[string]osynch.Item{}
	var order []string
	err := r.Items(nil, nil, func(it osynch.Item) error {
		it.Key = append([]byte(nil), it.Key...)
		if len(order) > 0 && order[len(order)-1] >= string(it.Key) {
			return fmt.Errorf("items out of order at %x", it.Key)
		}
		m[string(it.Key)] = it
		order = append(order, string(it.Key))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m, order
}

// checkSplits checks r's Split against its Summary.
func checkSplits(t *testing.T, r *SyncReplica, order []string) {
	t.Helper()
	total, err := r.Summary(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if total.Count != uint64(len(order)) {
		t.Fatalf("Summary counts %d, Items %d", total.Count, len(order))
	}
	bounds := [][2][]byte{{nil, nil}}
	if len(order) > 4 {
		bounds = append(bounds, [2][]byte{[]byte(order[1]), []byte(order[len(order)-2])}, [2][]byte{nil, []byte(order[2])})
	}
	for _, b := range bounds {
		whole, err := r.Summary(b[0], b[1])
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{1, 2, 3, 7, 100} {
			ivs, err := r.Split(b[0], b[1], k)
			if err != nil {
				t.Fatal(err)
			}
			if len(ivs) == 0 || len(ivs) > k || !bytes.Equal(ivs[0].Lo, b[0]) || (ivs[0].Lo == nil) != (b[0] == nil) ||
				!bytes.Equal(ivs[len(ivs)-1].Hi, b[1]) || (ivs[len(ivs)-1].Hi == nil) != (b[1] == nil) {
				t.Fatalf("Split(%x, %x, %d): %v", b[0], b[1], k, ivs)
			}
			var sum bxtree.Summary
			for i, iv := range ivs {
				if i > 0 && !bytes.Equal(iv.Lo, ivs[i-1].Hi) {
					t.Fatalf("Split(%d): intervals %d and %d not consecutive: %v", k, i-1, i, ivs)
				}
				s, err := r.Summary(iv.Lo, iv.Hi)
				if err != nil {
					t.Fatal(err)
				}
				if s != iv.Summary {
					t.Fatalf("Split(%d) interval %d: summary %v, Summary says %v", k, i, iv.Summary, s)
				}
				sum = addSummary(sum, s)
			}
			if sum != whole {
				t.Fatalf("Split(%d): summaries add up to %v, want %v", k, sum, whole)
			}
		}
	}
}

// openSyncPair opens two file engines with the replica test table, both
// synchronized.
func openSyncPair(t *testing.T) (*Engine, *Engine) {
	t.Helper()
	var es [2]*Engine
	for i := range es {
		e, err := Open(filepath.Join(t.TempDir(), fmt.Sprintf("r%d.bxdb", i)), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		execSQL(t, e.NewSession(), syncSchema)
		markSync(t, e, "t")
		es[i] = e
	}
	return es[0], es[1]
}

// exchange synchronizes table t of ea and eb by hand through the Replica
// API: every key's winner is applied to the side that lacks it. It returns
// the winners (the model of the outcome) and the number of records
// applied.
func exchange(t *testing.T, ea, eb *Engine) (map[string]osynch.Item, int) {
	t.Helper()
	ctx := context.Background()
	ra, err := ea.OpenSyncReplica(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	rb, err := eb.OpenSyncReplica(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ra.Subject(), rb.Subject()) {
		t.Fatal("subjects differ")
	}
	ia, oa := allItems(t, ra)
	ib, ob := allItems(t, rb)
	checkSplits(t, ra, oa)
	checkSplits(t, rb, ob)
	winners := map[string]osynch.Item{}
	applied := 0
	var maxVer uint64
	for _, k := range append(oa, ob...) {
		if _, done := winners[k]; done {
			continue
		}
		a, aok := ia[k]
		b, bok := ib[k]
		from, to, w := ra, rb, a
		switch {
		case aok && bok && a.Version == b.Version && a.Digest == b.Digest:
			winners[k] = a
			continue
		case !aok || bok && b.Wins(a):
			from, to, w = rb, ra, b
		}
		winners[k] = w
		rec, ok, err := from.Get([]byte(k))
		if err != nil || !ok {
			t.Fatalf("Get(%x): %v %v", k, ok, err)
		}
		if rec.Version != w.Version || rec.Dead != w.Dead || rec.Digest != w.Digest ||
			rec.Digest != bxtree.RecordDigest(nil, rec.Key, rec.Version, rec.Value) {
			t.Fatalf("Get(%x) = %+v, item %+v", k, rec, w)
		}
		if err := to.Apply(rec); err != nil {
			t.Fatalf("Apply(%x): %v", k, err)
		}
		applied++
		maxVer = max(maxVer, rec.Version)
	}
	// Nothing is stored before Commit: the snapshots are unchanged.
	if again, _ := allItems(t, ra); fmt.Sprint(again) != fmt.Sprint(ia) {
		t.Fatal("Apply changed the compared snapshot")
	}
	if err := ra.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := rb.Commit(); err != nil {
		t.Fatal(err)
	}
	if ra.Commit() == nil || ra.Rollback() != nil {
		t.Fatal("Commit twice succeeded, or Rollback after Commit failed")
	}
	if got := ra.Stored() + rb.Stored(); got != applied {
		t.Fatalf("stored %d records, applied %d", got, applied)
	}
	// Both replicas now hold the winners.
	var want bxtree.Summary
	for _, w := range winners {
		want = addSummary(want, bxtree.Summary{Count: 1, Digest: w.Digest})
	}
	for i, e := range []*Engine{ea, eb} {
		r, err := e.OpenSyncReplica(ctx, "t")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := allItems(t, r)
		if fmt.Sprint(got) != fmt.Sprint(winners) {
			t.Fatalf("replica %d after the exchange:\n got %v\nwant %v", i, got, winners)
		}
		if s, err := r.Summary(nil, nil); err != nil || s != want {
			t.Fatalf("replica %d: Summary %v %v, want %v", i, s, err, want)
		}
		r.Rollback()
	}
	for _, e := range []*Engine{ea, eb} {
		if e.clock.Load() < maxVer {
			t.Fatalf("clock %d below applied version %d", e.clock.Load(), maxVer)
		}
	}
	return winners, applied
}

// sameTables checks that t has the same rows and index contents on both
// engines, and that each is consistent.
func sameTables(t *testing.T, ea, eb *Engine) {
	t.Helper()
	sa, sb := ea.NewSession(), eb.NewSession()
	for _, q := range []string{
		"SELECT * FROM t ORDER BY id",
		"SELECT u, id FROM t FORCE INDEX (uu) ORDER BY u",
		"SELECT g, id FROM t FORCE INDEX (ig) WHERE g >= 0 ORDER BY g, id",
		"SELECT s, d, id FROM t FORCE INDEX (isd) ORDER BY s, d, id",
		"SELECT id FROM t WHERE g = 2 ORDER BY id",
		"SELECT COUNT(*), SUM(u), SUM(d), SUM(m) FROM t",
	} {
		a, b := querySQL(t, sa, q), querySQL(t, sb, q)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("%s:\n a %v\n b %v", q, a, b)
		}
	}
	checkSyncIntegrity(t, ea, "t")
	checkSyncIntegrity(t, eb, "t")
	sumOf := func(e *Engine) bxtree.Summary {
		r, err := e.OpenSyncReplica(context.Background(), "t")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Rollback()
		s, err := r.Summary(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if a, b := sumOf(ea), sumOf(eb); a != b {
		t.Fatalf("summaries differ: %v, %v", a, b)
	}
}

// TestSyncReplicaExchange: two databases changed at random, then
// synchronized by hand through the Replica API, hold the same rows,
// indexes and summaries, and the winner of every key (the model).
func TestSyncReplicaExchange(t *testing.T) {
	ea, eb := openSyncPair(t)
	sa, sb := ea.NewSession(), eb.NewSession()
	for round := 0; round < 4; round++ {
		rnd := rand.New(rand.NewSource(int64(round) + 1))
		if round < 3 {
			randomSyncOps(t, sa, rnd, 150, 40)
			randomSyncOps(t, sb, rnd, 150, 40)
		} else {
			// Many rows, so that the trees have several levels and
			// Split uses internal boundaries.
			for _, s := range []*Session{sa, sb} {
				execSQL(t, s, "BEGIN")
				randomSyncOps(t, s, rnd, 3000, 2500)
				execSQL(t, s, "COMMIT")
			}
		}
		// A cached read snapshot of a point SELECT must see the exchange.
		before := querySQL(t, sb, "SELECT id, u FROM t WHERE id = 1")
		_, applied := exchange(t, ea, eb)
		if applied == 0 {
			t.Fatalf("round %d: nothing to exchange", round)
		}
		sameTables(t, ea, eb)
		if after, want := querySQL(t, sb, "SELECT id, u FROM t WHERE id = 1"), querySQL(t, sa, "SELECT id, u FROM t WHERE id = 1"); fmt.Sprint(after) != fmt.Sprint(want) {
			t.Fatalf("round %d: point SELECT on b: %v (before %v), a has %v", round, after, before, want)
		}
		if _, applied := exchange(t, ea, eb); applied != 0 {
			t.Fatalf("round %d: second exchange applied %d records", round, applied)
		}
		// Local writes after the exchange win over what was applied.
		execSQL(t, sb, "UPDATE t SET g = g + 1")
		_, applied = exchange(t, ea, eb)
		if n := querySQL(t, sa, "SELECT COUNT(*) FROM t"); fmt.Sprint(n) != fmt.Sprintf("[[%d]]", applied) {
			t.Fatalf("round %d: local update of every row: %d applied, %v rows", round, applied, n)
		}
		sameTables(t, ea, eb)
	}
}

// TestSyncReplicaAutoInc: an applied row above the AUTO_INCREMENT counter
// moves it, like an INSERT.
func TestSyncReplicaAutoInc(t *testing.T) {
	ea, eb := openSyncPair(t)
	ctx := context.Background()
	for _, e := range []*Engine{ea, eb} {
		execSQL(t, e.NewSession(), "CREATE TABLE a (id INT AUTO_INCREMENT PRIMARY KEY, v INT)")
	}
	sa, sb := ea.NewSession(), eb.NewSession()
	execSQL(t, sa, "INSERT INTO a (id, v) VALUES (50, 1)")
	execSQL(t, sb, "INSERT INTO a (v) VALUES (2)")
	ra, err := ea.OpenSyncReplica(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	rb, err := eb.OpenSyncReplica(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	ia, _ := allItems(t, ra)
	for k := range ia {
		rec, _, err := ra.Get([]byte(k))
		if err != nil {
			t.Fatal(err)
		}
		if err := rb.Apply(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := ra.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := rb.Commit(); err != nil {
		t.Fatal(err)
	}
	execSQL(t, sb, "INSERT INTO a (v) VALUES (3)")
	if got := fmt.Sprint(querySQL(t, sb, "SELECT id, v FROM a ORDER BY id")); got != "[[1 2] [50 1] [51 3]]" {
		t.Fatalf("a on b: %s", got)
	}
	checkSyncIntegrity(t, eb, "a")
}

// TestSyncNoPrimaryKey: a table without a declared primary key is refused
// (1173, saying why) before anything changes: its hidden row ids are local
// to each database, so the same id on two sides names two different rows,
// and synchronizing by id would overwrite one with the other.
func TestSyncNoPrimaryKey(t *testing.T) {
	ea, eb := openSyncPair(t)
	ctx := context.Background()
	for _, e := range []*Engine{ea, eb} {
		execSQL(t, e.NewSession(), "CREATE TABLE h (v VARCHAR(100))")
	}
	execSQL(t, ea.NewSession(), "INSERT INTO h VALUES ('only-on-A')")
	execSQL(t, eb.NewSession(), "INSERT INTO h VALUES ('only-on-B')")
	for _, e := range []*Engine{ea, eb} {
		_, err := e.OpenSyncReplica(ctx, "h")
		var se *SQLError
		if !errors.As(err, &se) || se.Number != ErRequiresPrimaryKey || se.State != "42000" ||
			!strings.Contains(se.Msg, "PRIMARY KEY") || !strings.Contains(se.Msg, "row id") {
			t.Fatalf("replica of a table without a primary key: %v", err)
		}
		if tb := syncTable(t, e, "h"); tb.desc.Synchronized || tb.dead != "" {
			t.Fatal("refused table was marked synchronized")
		}
	}
	// SYNC TABLE refuses on the client before connecting, and the server
	// refuses a peer's HELLO for it.
	ln := serveSyncForTest(t, eb, nil)
	_, err := ea.syncTable(ctx, "h", "bxdb://"+ln, nil)
	if sqlNumber(err) != ErRequiresPrimaryKey {
		t.Fatalf("SYNC of a table without a primary key: %v", err)
	}
	// The server's side: a peer whose table h has a primary key.
	ec := openSyncPeer(t)
	execSQL(t, ec.NewSession(), "CREATE TABLE h (v VARCHAR(100) PRIMARY KEY)")
	execSQL(t, ec.NewSession(), "INSERT INTO h VALUES ('only-on-C')")
	_, err = ec.syncTable(ctx, "h", "bxdb://"+ln, nil)
	if sqlNumber(err) != ErSyncFailed || !strings.Contains(err.Error(), "no PRIMARY KEY") {
		t.Fatalf("SYNC against a server table without a primary key: %v", err)
	}
	for e, want := range map[*Engine]string{ea: "[[only-on-A]]", eb: "[[only-on-B]]", ec: "[[only-on-C]]"} {
		if got := fmt.Sprint(querySQL(t, e.NewSession(), "SELECT v FROM h")); got != want {
			t.Fatalf("rows after the refusals: %s, want %s", got, want)
		}
	}
}

// openSyncPeer opens an in-memory engine for a synchronization test.
func openSyncPeer(t *testing.T) *Engine {
	t.Helper()
	e, err := Open("peer.bxdb", &Options{FS: bedrock.NewMemFS()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// serveSyncForTest serves e's synchronizations on a local port until the
// test ends, with osynch options o, and returns the address.
func serveSyncForTest(t *testing.T, e *Engine, o *osynch.Options) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.serveSync(ctx, ln, t.Logf, o) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// TestSyncReplicaApplyErrors: records that are not rows of the table fail
// Apply, and records that violate its constraints fail Commit, without a
// trace and without a panic.
func TestSyncReplicaApplyErrors(t *testing.T) {
	ea, _ := openSyncPair(t)
	ctx := context.Background()
	s := ea.NewSession()
	execSQL(t, s, "ALTER TABLE t MODIFY g INT NOT NULL DEFAULT 0")
	execSQL(t, s, "ALTER TABLE t ADD CONSTRAINT ck CHECK (u >= 0)")
	execSQL(t, s, "INSERT INTO t (id, u, g, s) VALUES (1, 1000, 1, 'a'), (2, 2000, 2, 'b')")
	execSQL(t, s, "DELETE FROM t WHERE id = 2")
	tb := syncTable(t, ea, "t")
	r, err := ea.OpenSyncReplica(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Rollback()
	good, ok, err := r.Get([]byte(intKey(1)))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	before := treeRecs(t, ea, tb.tree)
	row := func(vals ...Value) []byte {
		full := make([]Value, len(tb.cols))
		copy(full, vals)
		return EncodeRow(nil, tb.desc.Version, full)
	}
	live := func(key string, val []byte) osynch.Record {
		return osynch.Record{Item: osynch.Item{Key: []byte(key), Version: 7}, Value: val}
	}
	cases := map[string]osynch.Record{
		"garbage value":       live(intKey(3), []byte("garbage")),
		"empty value":         live(intKey(3), nil),
		"trailing bytes":      live(intKey(1), append(append([]byte(nil), good.Value...), 0)),
		"garbage key":         live("\x07zz", good.Value),
		"key of another row":  live(intKey(3), good.Value),
		"key not canonical":   live(intKey(1)+"\x00", good.Value),
		"string in INT":       live(intKey(3), row(IntValue(3), StringValue("x"), IntValue(1))),
		"out of range":        live(intKey(3), row(IntValue(3), IntValue(3000), IntValue(1<<40))),
		"string too long":     live(intKey(3), row(IntValue(3), IntValue(3000), IntValue(1), StringValue(strings.Repeat("x", 30)))),
		"garbage dead key":    {Item: osynch.Item{Key: []byte{0x01, 0x02}, Dead: true, Version: 7}},
		"empty dead key":      {Item: osynch.Item{Key: nil, Dead: true, Version: 7}},
		"version too large":   {Item: osynch.Item{Key: []byte(intKey(1)), Dead: true, Version: 1 << 63}},
		"not canonical value": live(intKey(3), row(IntValue(3), IntValue(3000), IntValue(1), StringValue("a"), FloatValue(1), StringValue("2024-01-01"))),
	}
	for name, rec := range cases {
		err := r.Apply(rec)
		t.Logf("%s: %v", name, err)
		if !errors.Is(err, ErrSyncRecord) {
			t.Errorf("%s: %v, want ErrSyncRecord", name, err)
		}
	}
	// Random bytes: errors (or, by chance, valid records), never panics.
	rnd := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		k := make([]byte, rnd.Intn(12))
		v := make([]byte, rnd.Intn(40))
		rnd.Read(k)
		rnd.Read(v)
		if i%2 == 0 {
			k = []byte(intKey(int64(rnd.Intn(5) + 10)))
			v = append([]byte{rowFormatV1, byte(tb.desc.Version), byte(rnd.Intn(10))}, v...)
		}
		r.Apply(osynch.Record{Item: osynch.Item{Key: k, Version: 9, Dead: i%7 == 0}, Value: v})
	}
	if err := r.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(live(intKey(4), good.Value)); !errors.Is(err, ErrReplicaDone) {
		t.Fatalf("Apply after Rollback: %v", err)
	}
	sameRecs(t, "rows after Rollback", treeRecs(t, ea, tb.tree), before)

	// Constraints are checked by Commit, which then stores nothing: a
	// valid record staged before the bad one does not survive.
	valid := live(intKey(3), row(IntValue(3), IntValue(3000), IntValue(1)))
	for name, c := range map[string]struct {
		rec  osynch.Record
		want uint16
	}{
		"NULL in NOT NULL": {live(intKey(4), row(IntValue(4), IntValue(4000), Null)), ErBadNull},
		"unique violation": {live(intKey(4), row(IntValue(4), IntValue(1000), IntValue(1))), ErDupEntry},
		"check violation":  {live(intKey(4), row(IntValue(4), IntValue(-5), IntValue(1))), 3819},
	} {
		r, err := ea.OpenSyncReplica(ctx, "t")
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Apply(valid); err != nil {
			t.Fatal(err)
		}
		if err := r.Apply(c.rec); err != nil {
			t.Fatalf("%s: Apply: %v", name, err)
		}
		if err := r.Commit(); sqlNumber(err) != c.want {
			t.Errorf("%s: Commit: %v, want error %d", name, err, c.want)
		}
		sameRecs(t, "rows after failed Commit ("+name+")", treeRecs(t, ea, tb.tree), before)
	}
	// A valid record commits.
	r, err = ea.OpenSyncReplica(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(valid); err != nil {
		t.Fatal(err)
	}
	if err := r.Commit(); err != nil || r.Stored() != 1 {
		t.Fatalf("Commit: %v, %d stored", err, r.Stored())
	}
	checkSyncIntegrity(t, ea, "t")
	if got := fmt.Sprint(querySQL(t, s, "SELECT id FROM t ORDER BY id")); got != "[[1] [3]]" {
		t.Fatalf("after commit: %s", got)
	}
}

// TestSyncReplicaSubject: subjects depend on the schema, not on names'
// case or index sets.
func TestSyncReplicaSubject(t *testing.T) {
	e := openConcurrent(t, 50*time.Millisecond)
	s := e.NewSession()
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(10))",
		"CREATE TABLE b (ID INT(11) PRIMARY KEY, V VARCHAR(10), KEY kv (v))",
		"CREATE TABLE c (id INT PRIMARY KEY, v VARCHAR(11))",
		"CREATE TABLE d (id BIGINT PRIMARY KEY, v VARCHAR(10))",
		"CREATE TABLE f (id INT, v VARCHAR(10), PRIMARY KEY (id DESC))",
		"CREATE TABLE g (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL)",
		"CREATE VIEW vw AS SELECT * FROM a",
	} {
		execSQL(t, s, q)
	}
	subj := map[string]string{}
	for _, n := range []string{"a", "b", "c", "d", "f", "g"} {
		r, err := e.OpenSyncReplica(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		subj[n] = string(r.Subject())
		if err := r.Rollback(); err != nil {
			t.Fatal(err)
		}
	}
	// Table names take part: compare a with b under the same name.
	execSQL(t, s, "RENAME TABLE b TO bb, a TO b")
	r, err := e.OpenSyncReplica(ctx, "B")
	if err != nil {
		t.Fatal(err)
	}
	nameB := string(r.Subject())
	r.Rollback()
	r, err = e.OpenSyncReplica(ctx, "bb")
	if err != nil {
		t.Fatal(err)
	}
	if string(r.Subject()) == nameB {
		t.Fatal("subjects of tables named differently are equal")
	}
	r.Rollback()
	if subj["a"] == subj["b"] {
		t.Fatal("subjects of tables named differently are equal")
	}
	// Same schema, under one name: equal; other schemas: different.
	execSQL(t, s, "RENAME TABLE bb TO x")
	r, _ = e.OpenSyncReplica(ctx, "x")
	bAsX := string(r.Subject())
	r.Rollback()
	for _, n := range []string{"c", "d", "f", "g"} {
		execSQL(t, s, "RENAME TABLE "+n+" TO y")
		r, err := e.OpenSyncReplica(ctx, "y")
		if err != nil {
			t.Fatal(err)
		}
		if string(r.Subject()) == bAsX {
			t.Errorf("table %s: same subject as a", n)
		}
		r.Rollback()
		execSQL(t, s, "RENAME TABLE y TO "+n)
	}
	execSQL(t, s, "RENAME TABLE b TO a, x TO y")
	r, _ = e.OpenSyncReplica(ctx, "y")
	ySubj := string(r.Subject())
	r.Rollback()
	execSQL(t, s, "RENAME TABLE y TO b, a TO y")
	r, _ = e.OpenSyncReplica(ctx, "y")
	if string(r.Subject()) != ySubj {
		t.Error("same schema (indexes, display width, name case aside): subjects differ")
	}
	r.Rollback()
	if _, err := e.OpenSyncReplica(ctx, "vw"); err == nil {
		t.Fatal("replica of a view")
	}
	if _, err := e.OpenSyncReplica(ctx, "nope"); sqlNumber(err) != ErNoSuchTable {
		t.Fatalf("replica of a missing table: %v", err)
	}
}

// TestSyncReplicaNoLock: a replica holds no lock while it compares and
// stages (writers and other replicas go on); Commit takes the writer lock
// (waiting like any writer, 1205 after the busy timeout, storing nothing
// then), stores only the staged records that still win against the table
// as it is by then, and refuses a table altered meanwhile.
func TestSyncReplicaNoLock(t *testing.T) {
	e := openConcurrent(t, 50*time.Millisecond)
	ctx := context.Background()
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(10))")
	execSQL(t, s, "INSERT INTO a VALUES (1, 'one'), (2, 'two')")
	tb := syncTable(t, e, "a")
	r, err := e.OpenSyncReplica(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Rollback()
	r2, err := e.OpenSyncReplica(ctx, "a")
	if err != nil {
		t.Fatalf("second replica: %v", err)
	}
	r2.Rollback()
	old, _, err := r.Get([]byte(intKey(1)))
	if err != nil {
		t.Fatal(err)
	}
	// Writers go on while the replica is open (the busy timeout is 50 ms).
	execSQL(t, s, "UPDATE a SET v = 'local' WHERE id = 1")
	execSQL(t, s, "INSERT INTO a VALUES (9, 'x')")
	// A peer's records: an older version of row 1 (which lost to the
	// local update since the snapshot; the replica does not know it yet)
	// and a new row 5.
	row := func(id int64, v string) []byte {
		return EncodeRow(nil, tb.desc.Version, []Value{IntValue(id), StringValue(v)})
	}
	stale := osynch.Record{Item: osynch.Item{Key: []byte(intKey(1)), Version: old.Version + 1}, Value: row(1, "peer")}
	fresh := osynch.Record{Item: osynch.Item{Key: []byte(intKey(5)), Version: old.Version + 2}, Value: row(5, "peer")}
	if snap, _, _ := r.Get([]byte(intKey(1))); !strings.Contains(string(snap.Value), "one") {
		t.Fatal("the replica does not read its snapshot")
	}
	for _, rec := range []osynch.Record{stale, fresh} {
		if err := r.Apply(rec); err != nil {
			t.Fatal(err)
		}
	}
	// Commit waits for the writer lock like any writer.
	other := e.NewSession()
	execSQL(t, other, "BEGIN")
	execSQL(t, other, "INSERT INTO a VALUES (10, 'y')")
	rl, err := e.OpenSyncReplica(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if err := rl.Apply(fresh); err != nil {
		t.Fatal(err)
	}
	if err := rl.Commit(); sqlNumber(err) != ErLockWaitTimeout {
		t.Fatalf("Commit while the lock is held: %v", err)
	}
	execSQL(t, other, "COMMIT")
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	if r.Stored() != 1 {
		t.Fatalf("stored %d records, want 1 (row 5)", r.Stored())
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT id, v FROM a ORDER BY id")); got != "[[1 local] [2 two] [5 peer] [9 x] [10 y]]" {
		t.Fatalf("rows: %s", got)
	}
	checkSyncIntegrity(t, e, "a")

	// A table altered after the replica opened: Commit stores nothing.
	r, err = e.OpenSyncReplica(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(osynch.Record{Item: osynch.Item{Key: []byte(intKey(6)), Version: old.Version + 3}, Value: row(6, "peer")}); err != nil {
		t.Fatal(err)
	}
	execSQL(t, s, "ALTER TABLE a ADD COLUMN w INT")
	if err := r.Commit(); !errors.Is(err, ErrSyncTableChanged) {
		t.Fatalf("Commit after ALTER TABLE: %v", err)
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT COUNT(*) FROM a WHERE id = 6")); got != "[[0]]" {
		t.Fatalf("row stored into an altered table: %s", got)
	}
	// A cancelled context stops Commit before it stores anything.
	cctx, cancel := context.WithCancel(ctx)
	r, err = e.OpenSyncReplica(cctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := r.Apply(fresh); err == nil {
		t.Fatal("Apply with a cancelled context")
	}
	if err := r.Commit(); err == nil {
		t.Fatal("Commit with a cancelled context")
	}
}

// TestSyncRowValuesCanonical: every row the engine stores passes Apply's
// value check (decodeSyncRow), whatever the column types.
func TestSyncRowValuesCanonical(t *testing.T) {
	e := openConcurrent(t, 0)
	s := e.NewSession()
	execSQL(t, s, `CREATE TABLE w (id INT PRIMARY KEY, ti TINYINT, si SMALLINT UNSIGNED, bi BIGINT UNSIGNED,
		bo BOOL, y YEAR, f FLOAT, f2 FLOAT(7,2), d DOUBLE, m DECIMAL(20,6), c CHAR(5), vc VARCHAR(20), tx TEXT,
		en ENUM('Ab','cd'), j JSON, bn BINARY(4), vb VARBINARY(9), bl BLOB, dd DATE, dt DATETIME, dt6 DATETIME(6),
		ts TIMESTAMP(2), tm TIME(3))`)
	execSQL(t, s, `INSERT INTO w VALUES (1, -128, 65535, 18446744073709551615, TRUE, 2024, 1.1, 3.14159, -2.5e300,
		'12345678901234.123456', 'ab  ', 'x  ', 'long text', 'ab', '{"a": [1, 2.5, "x"], "b": null}', 'ab', 'bin\0', 'blob',
		'2024-02-29', '2024-02-29 23:59:59', '2024-02-29 23:59:59.999999', '2038-01-19 03:14:07.99', '-838:59:59.000')`)
	execSQL(t, s, `INSERT INTO w (id) VALUES (2)`)
	execSQL(t, s, `INSERT INTO w VALUES (3, 0, 0, 0, FALSE, 1901, -0.0, 0, 0, '-0.000001', '', '', '', 'CD', '[]', '', '', '',
		'0001-01-01', '9999-12-31 23:59:59', NOW(6), NOW(), '12:00:00.5')`)
	execSQL(t, s, `ALTER TABLE w ADD COLUMN z INT NOT NULL DEFAULT 7`)
	tb := syncTable(t, e, "w")
	n := 0
	for _, r := range treeRecs(t, e, tb.tree) {
		if _, err := decodeSyncRow(tb, []byte(r.val)); err != nil {
			t.Error(err)
		}
		n++
	}
	if n != 3 {
		t.Fatalf("%d rows", n)
	}
}

// TestSyncStallingPeers: peers that stall or drip frames hold no lock on
// either side. Against a served database, a client that sends a valid
// HELLO and then nothing, and one that drips empty frames, leave local
// writers and other peers' SYNCs alone, and are cut off once the session
// has lasted SessionTimeout. A SYNC TABLE against a server that accepts
// and then drips leaves the local writers alone and fails at
// SessionTimeout.
func TestSyncStallingPeers(t *testing.T) {
	ctx := context.Background()
	o := &osynch.Options{Timeout: 5 * time.Second, SessionTimeout: 400 * time.Millisecond}
	const schema = "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))"
	served := openConcurrent(t, 50*time.Millisecond)
	execSQL(t, served.NewSession(), schema)
	execSQL(t, served.NewSession(), "INSERT INTO t VALUES (1, 'served')")
	markSync(t, served, "t")
	addr := serveSyncForTest(t, served, o)
	r, err := served.OpenSyncReplica(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	subject := syncSubject("t", r.Subject())
	r.Rollback()

	t.Run("server", func(t *testing.T) {
		var conns []net.Conn
		for range 2 {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			w := wire.NewWriter(c, 0)
			w.Hello(subject)
			w.Flush()
			// The server accepted: its session is open.
			if f, err := wire.NewReader(c, 0).ReadFrame(); err != nil || f.Type != wire.TypeAccept {
				t.Fatalf("HELLO: %v %v", f, err)
			}
			conns = append(conns, c)
		}
		stop := make(chan struct{})
		defer close(stop)
		go func() { // the second client drips empty frames
			w := wire.NewWriter(conns[1], 0)
			for {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
				w.Records(nil)
				if w.Flush() != nil {
					return
				}
			}
		}()
		start := time.Now()
		execSQL(t, served.NewSession(), "INSERT INTO t VALUES (2, 'local')")
		peer := openSyncPeer(t)
		execSQL(t, peer.NewSession(), schema)
		execSQL(t, peer.NewSession(), "INSERT INTO t VALUES (3, 'peer')")
		if _, err := peer.syncTable(ctx, "t", "bxdb://"+addr, nil); err != nil {
			t.Fatalf("another peer's SYNC: %v", err)
		}
		if got := fmt.Sprint(querySQL(t, served.NewSession(), "SELECT id FROM t ORDER BY id")); got != "[[1] [2] [3]]" {
			t.Fatalf("served rows: %s", got)
		}
		// Both stalling clients are cut off at the session's end.
		for i, c := range conns {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, err := io.Copy(io.Discard, c)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("client %d: still connected after %v", i, time.Since(start))
			}
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("cut off after %v, want about %v", d, o.SessionTimeout)
		}
	})

	t.Run("client", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		hello := make(chan struct{})
		go func() { // accepts, then drips empty frames
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			if _, err := wire.NewReader(c, 0).ReadFrame(); err != nil {
				return
			}
			close(hello)
			go io.Copy(io.Discard, c)
			w := wire.NewWriter(c, 0)
			w.Accept()
			for w.Flush() == nil {
				time.Sleep(20 * time.Millisecond)
				w.Records(nil)
			}
		}()
		local := openConcurrent(t, 50*time.Millisecond)
		execSQL(t, local.NewSession(), schema)
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			_, err := local.syncTable(ctx, "t", "bxdb://"+ln.Addr().String(), o)
			done <- err
		}()
		select {
		case <-hello:
		case err := <-done:
			t.Fatalf("SYNC: %v", err)
		}
		execSQL(t, local.NewSession(), "INSERT INTO t VALUES (7, 'local')")
		select {
		case err := <-done:
			if sqlNumber(err) != ErSyncFailed || !strings.Contains(err.Error(), "time limit") {
				t.Fatalf("SYNC against a dripping server: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("SYNC against a dripping server did not end")
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("gave up after %v, want about %v", d, o.SessionTimeout)
		}
		if got := fmt.Sprint(querySQL(t, local.NewSession(), "SELECT id FROM t")); got != "[[7]]" {
			t.Fatalf("local rows: %s", got)
		}
	})
}

// TestSyncStorageLayout: rows travel in their stored encoding, which
// depends on the ALTER TABLE history (field numbers, the fill of rows
// stored before ADD COLUMN). Tables with the same columns but another
// history are refused with an error that says so and what to do; tables
// with other columns are refused as another definition; tables with the
// same history synchronize, rows stored before ADD COLUMN included.
func TestSyncStorageLayout(t *testing.T) {
	ctx := context.Background()
	server := openSyncPeer(t)
	addr := serveSyncForTest(t, server, nil)
	for _, q := range []string{
		"CREATE TABLE added (id INT PRIMARY KEY, w INT DEFAULT 5)",
		"CREATE TABLE dropped (id INT PRIMARY KEY, y INT)",
		"CREATE TABLE other (id INT PRIMARY KEY, w BIGINT DEFAULT 5)",
		"CREATE TABLE same (id INT PRIMARY KEY)",
		"INSERT INTO same VALUES (1)",
		"ALTER TABLE same ADD COLUMN w INT DEFAULT 5",
		"INSERT INTO same VALUES (2, 6)",
	} {
		execSQL(t, server.NewSession(), q)
	}
	local := openSyncPeer(t)
	for _, q := range []string{
		"CREATE TABLE added (id INT PRIMARY KEY)",
		"INSERT INTO added VALUES (1)",
		"ALTER TABLE added ADD COLUMN w INT DEFAULT 5",
		"CREATE TABLE dropped (id INT PRIMARY KEY, x INT, y INT)",
		"ALTER TABLE dropped DROP COLUMN x",
		"CREATE TABLE other (id INT PRIMARY KEY)",
		"ALTER TABLE other ADD COLUMN w INT DEFAULT 5",
		"CREATE TABLE same (id INT PRIMARY KEY)",
		"INSERT INTO same VALUES (3)",
		"ALTER TABLE same ADD COLUMN w INT DEFAULT 5",
	} {
		execSQL(t, local.NewSession(), q)
	}
	for _, name := range []string{"added", "dropped"} {
		q := "SHOW CREATE TABLE " + name
		if a, b := querySQL(t, local.NewSession(), q), querySQL(t, server.NewSession(), q); fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("%s: definitions differ:\n%v\n%v", name, a, b)
		}
		_, err := local.syncTable(ctx, name, "bxdb://"+addr, nil)
		if sqlNumber(err) != ErSyncFailed || !strings.Contains(err.Error(), "same columns") ||
			!strings.Contains(err.Error(), "storage layout") || !strings.Contains(err.Error(), "same history") {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if _, err := local.syncTable(ctx, "other", "bxdb://"+addr, nil); sqlNumber(err) != ErSyncFailed || !strings.Contains(err.Error(), "another definition") {
		t.Fatalf("other: %v", err)
	}
	res, err := local.syncTable(ctx, "same", "bxdb://"+addr, nil)
	if err != nil || res.RowsAffected != 2 {
		t.Fatalf("same: %v, %d rows", err, res.RowsAffected)
	}
	for _, e := range []*Engine{local, server} {
		if got := fmt.Sprint(querySQL(t, e.NewSession(), "SELECT id, w FROM same ORDER BY id")); got != "[[1 5] [2 6] [3 5]]" {
			t.Fatalf("same: %s", got)
		}
	}
}

// TestServeSyncReadOnly: a read-only engine cannot store what peers send:
// ServeSync refuses it at once (1290) and closes the listener.
func TestServeSyncReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro.bxdb")
	e, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, e.NewSession(), "CREATE TABLE t (id INT PRIMARY KEY)")
	e.Close()
	if e, err = Open(path, &Options{ReadOnly: true}); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.ServeSync(context.Background(), ln, nil); sqlNumber(err) != ErOptionPreventsStmt || !strings.Contains(err.Error(), "serve") {
		t.Fatalf("ServeSync of a read-only engine: %v", err)
	}
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Fatal("the listener is still open")
	}
}

// TestSyncStagingSpills: staged records past SortMemory go to temporary
// files, and Commit stores them all, in arrival order (a later record of
// a key wins only if it is newer).
func TestSyncStagingSpills(t *testing.T) {
	ctx := context.Background()
	e, err := Open("spill.bxdb", &Options{FS: bedrock.NewMemFS(), SortMemory: 4096, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	execSQL(t, e.NewSession(), "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(200))")
	tb := syncTable(t, e, "t")
	r, err := e.OpenSyncReplica(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Rollback()
	const n = 300
	ver := uint64(time.Now().UnixMicro())
	for i := int64(0); i < n; i++ {
		val := EncodeRow(nil, tb.desc.Version, []Value{IntValue(i), StringValue(fmt.Sprintf("%03d-%s", i, strings.Repeat("v", 150)))})
		if err := r.Apply(osynch.Record{Item: osynch.Item{Key: []byte(intKey(i)), Version: ver + uint64(i)}, Value: val}); err != nil {
			t.Fatal(err)
		}
	}
	// A newer tombstone for key 7 and an older row for key 8.
	r.Apply(osynch.Record{Item: osynch.Item{Key: []byte(intKey(7)), Version: ver + 10*n, Dead: true}})
	r.Apply(osynch.Record{Item: osynch.Item{Key: []byte(intKey(8)), Version: ver - 1},
		Value: EncodeRow(nil, tb.desc.Version, []Value{IntValue(8), StringValue("older")})})
	if !r.staged.spilled() {
		t.Fatal("staged records did not spill")
	}
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	if r.Stored() != n+1 {
		t.Fatalf("stored %d, want %d", r.Stored(), n+1)
	}
	got := querySQL(t, e.NewSession(), "SELECT COUNT(*), MIN(id), MAX(id), SUM(id = 7), MAX(CASE WHEN id = 8 THEN v END) LIKE '008-%' FROM t")
	if fmt.Sprint(got) != fmt.Sprintf("[[%d 0 %d 0 1]]", n-1, n-1) {
		t.Fatalf("rows: %v", got)
	}
	checkSyncIntegrity(t, e, "t")
}

// TestSyncTarget checks the URLs SYNC TABLE takes: bxdb://host[:port],
// the port defaulting to bxdb serve's.
func TestSyncTarget(t *testing.T) {
	for raw, want := range map[string]string{
		"bxdb://db.example:9000": "db.example:9000",
		"bxdb://db.example":      "db.example:7466",
		"bxdb://127.0.0.1/":      "127.0.0.1:7466",
		"bxdb://[::1]":           "[::1]:7466",
		"bxdb://[::1]:1":         "[::1]:1",
		"bxdb://h:":              "",
		"bxdb://:9000":           "",
		"http://h:1":             "",
		"bxdb://u@h:1":           "",
		"bxdb://h:1/db":          "",
		"bxdb://h:1?x=1":         "",
	} {
		got, err := syncTarget(raw)
		if want == "" {
			if err == nil {
				t.Errorf("%s: %q, want an error", raw, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", raw, got, err, want)
		}
	}
}
