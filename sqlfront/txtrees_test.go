package sqlfront

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
)

// Statement atomicity inside transactions (undo log over shared handles,
// txtrees.go), commit counting and group commit (commitUnlock).

// openFileEngine opens an engine on a real file, syncing.
func openFileEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := Open(filepath.Join(t.TempDir(), "t.bxdb"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// TestAutocommitOneCommitOneSync checks that an autocommit INSERT costs
// exactly one bedrock commit and one fdatasync.
func TestAutocommitOneCommitOneSync(t *testing.T) {
	e := openFileEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))")
	execSQL(t, s, "CREATE TABLE a (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20), UNIQUE KEY uv (v))")
	for i, q := range []string{
		"INSERT INTO t VALUES (1, 'a')",
		"INSERT INTO t VALUES (2, 'b'), (3, 'c')",
		"UPDATE t SET v = 'x' WHERE id = 2",
		"DELETE FROM t WHERE id = 3",
		"INSERT INTO a (v) VALUES ('p')",
		"INSERT INTO a (v) VALUES ('q'), ('r')",
	} {
		before := e.Store().Stats()
		execSQL(t, s, q)
		after := e.Store().Stats()
		if c, y := after.Commits-before.Commits, after.Syncs-before.Syncs; c != 1 || y != 1 {
			t.Errorf("%d: %s: %d commits, %d syncs; want 1 and 1", i, q, c, y)
		}
	}
	// A statement that changes nothing commits nothing.
	before := e.Store().Stats()
	execSQL(t, s, "UPDATE t SET v = 'y' WHERE id = 99")
	if after := e.Store().Stats(); after.Commits != before.Commits || after.Syncs != before.Syncs {
		t.Errorf("no-op UPDATE: %d commits, %d syncs", after.Commits-before.Commits, after.Syncs-before.Syncs)
	}
}

// TestTxStatementAtomicity checks that a failing statement inside a
// transaction leaves no trace while the statements before it stay.
func TestTxStatementAtomicity(t *testing.T) {
	e := openConcurrent(t, 0)
	s := e.NewSession()
	ctx := context.Background()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, u INT, v VARCHAR(10), UNIQUE KEY uu (u), KEY kv (v))")
	execSQL(t, s, "CREATE TABLE h (x INT, y INT)") // hidden row id
	execSQL(t, s, "INSERT INTO t VALUES (10, 100, 'a'), (20, 200, 'b'), (30, 300, 'c')")
	execSQL(t, s, "BEGIN")
	execSQL(t, s, "INSERT INTO t VALUES (40, 400, 'd')")
	execSQL(t, s, "INSERT INTO h VALUES (1, 1), (2, 2)")
	failing := []string{
		// Row 2 conflicts on the primary key, row 1 must go again.
		"INSERT INTO t VALUES (50, 500, 'e'), (10, 501, 'f')",
		// Row 2 conflicts on the unique key.
		"INSERT INTO t VALUES (60, 600, 'g'), (70, 100, 'h')",
		// The second updated row collides with the first's new value.
		"UPDATE t SET u = 999 WHERE id >= 20",
		// Moves keys, then collides.
		"UPDATE t SET id = id + 10, u = u + 1 ORDER BY id",
		"UPDATE t SET id = 40 WHERE id = 30",
		// REPLACE deletes and inserts, then fails on a value too long.
		"REPLACE INTO t VALUES (10, 101, 'z'), (11, 200, 'y'), (12, 200, 'x'), (13, 13, NULL), (14, 14, REPEAT('q', 20))",
		"INSERT INTO h VALUES (3, 3), (4, 'x')",
		"INSERT INTO t VALUES (61, 610, 'g'), (10, 0, 'x') ON DUPLICATE KEY UPDATE u = 200",
		"INSERT INTO t SELECT id + 100, IF(id = 40, 100, u + 5), v FROM t",
		"DELETE FROM t WHERE id = 40 OR u / 0 IS NULL AND 1 = (SELECT 1 UNION SELECT 2)",
	}
	want := querySQL(t, s, "SELECT * FROM t ORDER BY id")
	wantIx := querySQL(t, s, "SELECT u, v, id FROM t FORCE INDEX (uu) ORDER BY u")
	wantKv := querySQL(t, s, "SELECT v, id FROM t FORCE INDEX (kv) ORDER BY v, id")
	wantH := querySQL(t, s, "SELECT * FROM h ORDER BY x")
	for _, q := range failing {
		if err := execErr(ctx, s, q); err == nil {
			t.Errorf("%s: succeeded", q)
		}
		if got := querySQL(t, s, "SELECT * FROM t ORDER BY id"); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("after failed %s:\n got %v\nwant %v", q, got, want)
		}
		if got := querySQL(t, s, "SELECT u, v, id FROM t FORCE INDEX (uu) ORDER BY u"); fmt.Sprint(got) != fmt.Sprint(wantIx) {
			t.Fatalf("index uu after failed %s:\n got %v\nwant %v", q, got, wantIx)
		}
		if got := querySQL(t, s, "SELECT v, id FROM t FORCE INDEX (kv) ORDER BY v, id"); fmt.Sprint(got) != fmt.Sprint(wantKv) {
			t.Fatalf("index kv after failed %s:\n got %v\nwant %v", q, got, wantKv)
		}
		if got := querySQL(t, s, "SELECT * FROM h ORDER BY x"); fmt.Sprint(got) != fmt.Sprint(wantH) {
			t.Fatalf("h after failed %s:\n got %v\nwant %v", q, got, wantH)
		}
	}
	// Savepoints interleave with the shared handles.
	execSQL(t, s, "SAVEPOINT sp")
	execSQL(t, s, "INSERT INTO t VALUES (80, 800, 'i')")
	execSQL(t, s, "ROLLBACK TO SAVEPOINT sp")
	execSQL(t, s, "INSERT INTO t VALUES (90, 900, 'j')")
	execSQL(t, s, "SAVEPOINT sp2")
	execSQL(t, s, "UPDATE t SET v = 'k' WHERE id = 90")
	execSQL(t, s, "RELEASE SAVEPOINT sp2")
	execSQL(t, s, "INSERT INTO t VALUES (5, 5, 'l')") // below the key bound: probed
	if err := execErr(ctx, s, "INSERT INTO t VALUES (5, 6, 'm')"); sqlNumber(err) != ErDupEntry {
		t.Fatalf("duplicate below the bound: %v", err)
	}
	execSQL(t, s, "COMMIT")
	got := querySQL(t, s, "SELECT id, u, v FROM t ORDER BY id")
	if fmt.Sprint(got) != "[[5 5 l] [10 100 a] [20 200 b] [30 300 c] [40 400 d] [90 900 k]]" {
		t.Fatalf("after commit: %v", got)
	}
	if got := querySQL(t, s, "SELECT * FROM h ORDER BY x"); fmt.Sprint(got) != "[[1 1] [2 2]]" {
		t.Fatalf("h after commit: %v", got)
	}
	if err := e.checkTrees(); err != nil {
		t.Fatal(err)
	}
}

// checkTrees runs bxtree's Check on every tree of the store.
func (e *Engine) checkTrees() error {
	tx, err := e.store.Begin(false)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return bxtree.CheckAll(tx, nil)
}

// TestAscendingKeysAcrossStatements inserts ascending and descending keys
// in one transaction, so that the key bound is used and then bypassed.
func TestAscendingKeysAcrossStatements(t *testing.T) {
	e := openConcurrent(t, 0)
	s := e.NewSession()
	ctx := context.Background()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, v INT, UNIQUE KEY uv (v))")
	execSQL(t, s, "INSERT INTO t VALUES (1000, 1000)")
	execSQL(t, s, "BEGIN")
	st, err := s.Prepare("INSERT INTO t VALUES (?, ?)")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1001; i < 5000; i++ { // past flushEvery
		if _, err := s.Exec(ctx, st, []Value{IntValue(int64(i)), IntValue(int64(i))}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 999; i > 0; i-- {
		if _, err := s.Exec(ctx, st, []Value{IntValue(int64(i)), IntValue(int64(i))}); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range [][2]int64{{1500, 1}, {5000, 1500}, {1, 5000}, {4999, 4999}} {
		if _, err := s.Exec(ctx, st, []Value{IntValue(k[0]), IntValue(k[1])}); sqlNumber(err) != ErDupEntry {
			t.Fatalf("insert %v: %v, want 1062", k, err)
		}
	}
	execSQL(t, s, "COMMIT")
	if got := querySQL(t, s, "SELECT COUNT(*), MIN(id), MAX(id), SUM(v) FROM t"); fmt.Sprint(got) != "[[4999 1 4999 12497500]]" {
		t.Fatalf("got %v", got)
	}
	if err := e.checkTrees(); err != nil {
		t.Fatal(err)
	}
}

// TestGroupCommitSharesSyncs runs autocommit writers concurrently: every
// insert is durable when it returns, the statements share batches (fewer
// bedrock commits than statements) and syncs, and a statement that fails
// inside a batch (a duplicate key) leaves no trace while the others of its
// batch stay.
func TestGroupCommitSharesSyncs(t *testing.T) {
	e := openFileEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, g INT)")
	const writers, per = 8, 40
	before := e.Store().Stats()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := e.NewSession()
			st, err := ws.Prepare("INSERT INTO t VALUES (?, ?)")
			if err != nil {
				errs <- err
				return
			}
			for i := 0; i < per; i++ {
				if _, err := ws.Exec(context.Background(), st, []Value{IntValue(int64(w*per + i)), IntValue(int64(w))}); err != nil {
					errs <- err
					return
				}
				// Durable, hence visible to a new snapshot at once.
				if got := querySQL(t, ws, "SELECT g FROM t WHERE id = ?", IntValue(int64(w*per+i))); len(got) != 1 {
					errs <- fmt.Errorf("row %d not visible after its insert returned", w*per+i)
					return
				}
				// A failing statement: its nested transaction goes, the
				// batch stays.
				if i%4 == 0 {
					if _, err := ws.Exec(context.Background(), st, []Value{IntValue(int64(w*per + i)), IntValue(-1)}); sqlNumber(err) != ErDupEntry {
						errs <- fmt.Errorf("duplicate %d: %v, want 1062", w*per+i, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	after := e.Store().Stats()
	commits, syncs := after.Commits-before.Commits, after.Syncs-before.Syncs
	if commits == 0 || commits >= writers*per {
		t.Errorf("%d bedrock commits for %d statements: no batching", commits, writers*per)
	}
	if syncs > commits {
		t.Errorf("%d syncs for %d commits", syncs, commits)
	}
	t.Logf("%d commits, %d syncs", commits, syncs)
	want := fmt.Sprintf("[[%d %d %d]]", writers*per, writers*per-1, per*(writers-1)*writers/2)
	if got := querySQL(t, s, "SELECT COUNT(*), MAX(id), SUM(g) FROM t"); fmt.Sprint(got) != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	if got := querySQL(t, s, "SHOW STATUS LIKE 'Com_commit'"); len(got) != 1 || got[0][1] != fmt.Sprint(writers*per+1) {
		t.Errorf("Com_commit %v, want %d", got, writers*per+1)
	}
	if err := e.checkTrees(); err != nil {
		t.Fatal(err)
	}
}

// TestImplicitTxSeesPendingCommit: an implicit (autocommit=0) transaction
// whose snapshot predates a commit must not upgrade.
func TestImplicitTxUpgradeAfterCommit(t *testing.T) {
	e := openConcurrent(t, 0)
	a, b := e.NewSession(), e.NewSession()
	ctx := context.Background()
	execSQL(t, a, "CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	execSQL(t, a, "INSERT INTO t VALUES (1, 1)")
	execSQL(t, b, "SET autocommit = 0")
	querySQL(t, b, "SELECT v FROM t WHERE id = 1")
	execSQL(t, a, "UPDATE t SET v = 2 WHERE id = 1")
	if err := execErr(ctx, b, "UPDATE t SET v = 10 WHERE id = 1"); sqlNumber(err) != ErLockDeadlock {
		t.Fatalf("upgrade after a commit: %v, want 1213", err)
	}
	execSQL(t, b, "ROLLBACK")
	querySQL(t, b, "SELECT v FROM t WHERE id = 1")
	execSQL(t, b, "UPDATE t SET v = 10 WHERE id = 1")
	execSQL(t, b, "COMMIT")
	if got := querySQL(t, a, "SELECT v FROM t WHERE id = 1"); got[0][0] != "10" {
		t.Fatalf("got %v", got)
	}
	_ = bedrock.ErrConflict
}

// TestPointSelectCachedSnapshot: a session's cached read snapshot never
// hides a commit that returned, and it is released once a commit makes it
// stale.
func TestPointSelectCachedSnapshot(t *testing.T) {
	e := openConcurrent(t, time.Second)
	r, w := e.NewSession(), e.NewSession()
	execSQL(t, w, "CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	execSQL(t, w, "INSERT INTO t VALUES (1, 10)")
	get := func() string {
		t.Helper()
		got := querySQL(t, r, "SELECT v FROM t WHERE id = ?", IntValue(1))
		if len(got) != 1 {
			return "none"
		}
		return got[0][0]
	}
	for i := 0; i < 3; i++ { // plan, then cached snapshot
		if v := get(); v != "10" {
			t.Fatalf("got %s", v)
		}
	}
	if r.rc.state.Load() != rcIdle {
		t.Fatalf("no cached snapshot after point SELECTs: state %d", r.rc.state.Load())
	}
	execSQL(t, w, "UPDATE t SET v = 11 WHERE id = 1")
	if st := r.rc.state.Load(); st != rcEmpty {
		t.Fatalf("stale cached snapshot kept after a commit: state %d", st)
	}
	if v := get(); v != "11" {
		t.Fatalf("after update: %s", v)
	}
	execSQL(t, w, "BEGIN")
	execSQL(t, w, "DELETE FROM t WHERE id = 1")
	if v := get(); v != "11" { // not committed yet
		t.Fatalf("uncommitted delete visible: %s", v)
	}
	execSQL(t, w, "COMMIT")
	if v := get(); v != "none" {
		t.Fatalf("after delete: %s", v)
	}
	execSQL(t, w, "ALTER TABLE t ADD COLUMN x INT DEFAULT 5")
	execSQL(t, w, "INSERT INTO t VALUES (1, 12, 6)")
	if v := get(); v != "12" {
		t.Fatalf("after DDL: %s", v)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	e.rdrs.mu.Lock()
	n := len(e.rdrs.m)
	e.rdrs.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d sessions registered after close", n)
	}
}

// TestPointSelectConcurrentWriters runs point SELECTs against concurrent
// writers (run with -race): a reader never sees a value older than one
// whose writer returned before the read began.
func TestPointSelectConcurrentWriters(t *testing.T) {
	e := openConcurrent(t, 5*time.Second)
	w := e.NewSession()
	execSQL(t, w, "CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	execSQL(t, w, "INSERT INTO t VALUES (1, 0), (2, 0)")
	var done atomic.Int64 // newest value whose UPDATE returned
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		st, _ := w.Prepare("UPDATE t SET v = ? WHERE id = 1")
		for i := int64(1); i <= 300; i++ {
			if _, err := w.Exec(context.Background(), st, []Value{IntValue(i)}); err != nil {
				t.Error(err)
				return
			}
			done.Store(i)
		}
		close(stop)
	}()
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := e.NewSession()
			defer s.Close()
			st, _ := s.Prepare("SELECT v FROM t WHERE id = ?")
			for {
				select {
				case <-stop:
					return
				default:
				}
				min := done.Load()
				rows, err := s.Query(context.Background(), st, []Value{IntValue(1)})
				if err != nil {
					t.Error(err)
					return
				}
				dst := make([]Value, 1)
				if err := rows.Next(dst); err != nil {
					t.Error(err)
					return
				}
				rows.Close()
				if dst[0].I < min {
					t.Errorf("read %d after %d was committed", dst[0].I, min)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// failFS wraps a file system whose reads fail while fail is set.
type failFS struct {
	bedrock.FS
	fail *atomic.Bool
}

func (f failFS) OpenFile(name string, o bedrock.OpenFlags) (bedrock.File, error) {
	file, err := f.FS.OpenFile(name, o)
	if err != nil {
		return nil, err
	}
	return failFile{File: file, fail: f.fail}, nil
}

type failFile struct {
	bedrock.File
	fail *atomic.Bool
}

func (f failFile) ReadAt(p []byte, off int64) (int, error) {
	if f.fail.Load() {
		return 0, fmt.Errorf("injected read error at %d", off)
	}
	return f.File.ReadAt(p, off)
}

// TestTxFailedReadLeavesNoTrace: a statement of a transaction that fails
// on an I/O error after it changed rows is undone; the transaction goes
// on and commits without it.
func TestTxFailedReadLeavesNoTrace(t *testing.T) {
	var fail atomic.Bool
	fs := failFS{FS: bedrock.NewMemFS(), fail: &fail}
	open := func() *Engine {
		e, err := Open("broken.bxdb", &Options{FS: fs, CacheSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e := open()
	s := e.NewSession()
	ctx := context.Background()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(200))")
	execSQL(t, s, "BEGIN")
	ins, _ := s.Prepare("INSERT INTO t VALUES (?, REPEAT('x', 150))")
	for i := 0; i < 2000; i += 2 {
		if _, err := s.Exec(ctx, ins, []Value{IntValue(int64(i))}); err != nil {
			t.Fatal(err)
		}
	}
	execSQL(t, s, "COMMIT")
	e.Close()
	e = open() // nothing cached
	defer e.Close()
	s = e.NewSession()
	execSQL(t, s, "BEGIN")
	execSQL(t, s, "INSERT INTO t VALUES (2001, 'a')") // loads the right edge
	fail.Store(true)
	// Row 1 goes to the loaded right edge, row 2 needs a leaf from the file.
	err := execErr(ctx, s, "INSERT INTO t VALUES (2003, 'b'), (5, 'c')")
	fail.Store(false)
	if err == nil {
		t.Fatal("insert with failing reads succeeded")
	}
	execSQL(t, s, "INSERT INTO t VALUES (7, 'd')")
	execSQL(t, s, "COMMIT")
	if got := querySQL(t, s, "SELECT COUNT(*), MAX(id), SUM(id = 2003), SUM(id = 7) FROM t"); fmt.Sprint(got) != "[[1002 2001 0 1]]" {
		t.Fatalf("after the transaction: %v", got)
	}
	if err := e.checkTrees(); err != nil {
		t.Fatal(err)
	}
}

// TestAdaptiveHandles drives a transaction's shared handles from deferred
// to eager (point updates, probed inserts) and back (a bulk load), with
// failing statements and savepoints in between, against a model.
func TestAdaptiveHandles(t *testing.T) {
	e := openConcurrent(t, 0)
	s := e.NewSession()
	ctx := context.Background()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, u INT, v VARCHAR(20), UNIQUE KEY uu (u))")
	model := map[int64][2]int64{}
	for i := int64(1); i <= 2000; i += 2 {
		execSQL(t, s, "INSERT INTO t VALUES (?, ?, ?)", IntValue(i), IntValue(i), StringValue(fmt.Sprint("v", i)))
		model[i] = [2]int64{i, i}
	}
	prep := func(q string) *Stmt {
		st, err := s.Prepare(q)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	upd := prep("UPDATE t SET u = ?, v = ? WHERE id = ?")
	ins := prep("INSERT INTO t VALUES (?, ?, ?)")
	del := prep("DELETE FROM t WHERE id = ?")
	sawEager := false
	eagerNow := func() bool {
		for _, r := range s.tx.trees.refs {
			if r.eager {
				return true
			}
		}
		return false
	}
	execSQL(t, s, "BEGIN")
	x := uint64(7)
	rnd := func(n int64) int64 { x = x*6364136223846793005 + 1442695040888963407; return int64(x>>33) % n }
	for round := 0; round < 3; round++ {
		var saved map[int64][2]int64
		if round == 1 {
			execSQL(t, s, "SAVEPOINT sp")
			saved = map[int64][2]int64{}
			for k, v := range model {
				saved[k] = v
			}
		}
		for i := 0; i < 400; i++ {
			id := 1 + rnd(2000)
			switch rnd(4) {
			case 0, 1:
				u := 10000 + rnd(100000)
				if rnd(10) == 0 {
					u = 1 // collides with row 1 unless it is row 1
				}
				_, err := s.Exec(ctx, upd, []Value{IntValue(u), StringValue(fmt.Sprint("w", i)), IntValue(id)})
				old, ok := model[id]
				clash := false
				for k, v := range model {
					if k != id && v[0] == u {
						clash = true
					}
				}
				switch {
				case ok && clash:
					if sqlNumber(err) != ErDupEntry {
						t.Fatalf("update %d u=%d: %v, want 1062", id, u, err)
					}
				case err != nil:
					t.Fatalf("update %d: %v", id, err)
				case ok:
					model[id] = [2]int64{u, old[1]}
				}
			case 2:
				_, err := s.Exec(ctx, ins, []Value{IntValue(id), IntValue(200000 + id), StringValue("i")})
				if _, ok := model[id]; ok {
					if sqlNumber(err) != ErDupEntry {
						t.Fatalf("insert %d: %v, want 1062", id, err)
					}
				} else if err != nil {
					t.Fatalf("insert %d: %v", id, err)
				} else {
					model[id] = [2]int64{200000 + id, id}
				}
			case 3:
				if _, err := s.Exec(ctx, del, []Value{IntValue(id)}); err != nil {
					t.Fatal(err)
				}
				delete(model, id)
			}
			sawEager = sawEager || eagerNow()
		}
		if round == 1 {
			execSQL(t, s, "ROLLBACK TO SAVEPOINT sp")
			model = saved
		}
		// A bulk load of ascending keys: back to deferred.
		for i := int64(0); i < 600; i++ {
			id := 10000 + int64(round)*1000 + i
			if _, err := s.Exec(ctx, ins, []Value{IntValue(id), IntValue(1000000 + id), StringValue("b")}); err != nil {
				t.Fatal(err)
			}
			model[id] = [2]int64{1000000 + id, id}
		}
		if eagerNow() {
			t.Errorf("round %d: handles still eager after a bulk load", round)
		}
	}
	if !sawEager {
		t.Error("no handle became eager")
	}
	execSQL(t, s, "COMMIT")
	rows := querySQL(t, s, "SELECT id, u FROM t ORDER BY id")
	if len(rows) != len(model) {
		t.Fatalf("%d rows, model has %d", len(rows), len(model))
	}
	for _, r := range rows {
		id, _ := strconv.ParseInt(r[0], 10, 64)
		u, _ := strconv.ParseInt(r[1], 10, 64)
		if m, ok := model[id]; !ok || m[0] != u {
			t.Fatalf("row %d u=%d, model %v (%v)", id, u, m, ok)
		}
	}
	if got := querySQL(t, s, "SELECT COUNT(*) FROM t FORCE INDEX (uu) WHERE u IS NOT NULL"); fmt.Sprint(got) != fmt.Sprintf("[[%d]]", len(model)) {
		t.Fatalf("index count %v, want %d", got, len(model))
	}
	if err := e.checkTrees(); err != nil {
		t.Fatal(err)
	}
}
