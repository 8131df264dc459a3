package conformance

// SYNC TABLE end to end: two database files, one served (Connector.Serve,
// as `bxdb serve` does), the other running SYNC TABLE through a TCP proxy
// that counts the bytes and can cut the connection. Contents are compared
// with a model in which the newest write of each key wins.

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bxdb "github.com/bxdb/bxdb/driver"
	"github.com/bxdb/bxdb/engine/osynch/wire"
	"github.com/google/go-cmp/cmp"
)

// syncProxy forwards connections to target, counting bytes both ways; when
// cutAfter > 0 it cuts each connection once that many bytes have crossed;
// when flipAt > 0 it flips one bit of the flipAt-th byte crossing each
// connection (either way).
type syncProxy struct {
	ln       net.Listener
	target   string
	bytes    atomic.Int64
	cutAfter atomic.Int64
	flipAt   atomic.Int64
	wg       sync.WaitGroup
}

func newSyncProxy(t *testing.T, target string) *syncProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &syncProxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.run()
	t.Cleanup(func() { ln.Close(); p.wg.Wait() })
	return p
}

func (p *syncProxy) url() string { return "bxdb://" + p.ln.Addr().String() }

func (p *syncProxy) run() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		var left, seen atomic.Int64
		left.Store(p.cutAfter.Load())
		flip := p.flipAt.Load()
		var once sync.Once
		closeBoth := func() { once.Do(func() { c.Close(); s.Close() }) }
		pipe := func(dst, src net.Conn) {
			defer p.wg.Done()
			defer closeBoth()
			buf := make([]byte, 32<<10)
			for {
				n, err := src.Read(buf)
				if n > 0 {
					if end := seen.Add(int64(n)); flip > 0 && end >= flip && end-int64(n) < flip {
						buf[flip-1-(end-int64(n))] ^= 0x10
					}
					if cut := p.cutAfter.Load(); cut > 0 {
						if rem := left.Add(-int64(n)); rem < 0 {
							n += int(rem)
							if n > 0 {
								dst.Write(buf[:n])
								p.bytes.Add(int64(n))
							}
							return
						}
					}
					if _, werr := dst.Write(buf[:n]); werr != nil {
						return
					}
					p.bytes.Add(int64(n))
				}
				if err != nil {
					return
				}
			}
		}
		p.wg.Add(2)
		go pipe(s, c)
		go pipe(c, s)
	}
}

// syncPeer is a database file served for synchronization.
type syncPeer struct {
	db   *sql.DB
	addr string
}

// serveDB opens a database at path and serves it on a local port until t
// ends.
func serveDB(t *testing.T, path string) *syncPeer {
	t.Helper()
	return serveConfig(t, &bxdb.Config{Path: path})
}

// serveConfig is serveDB for a database configured by cfg.
func serveConfig(t *testing.T, cfg *bxdb.Config) *syncPeer {
	t.Helper()
	c, err := bxdb.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Serve(ctx, ln, t.Logf) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		db.Close()
	})
	return &syncPeer{db: db, addr: ln.Addr().String()}
}

const syncSchema = "CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT, UNIQUE KEY uname (name), KEY kqty (qty))"

// syncRow is a row of the items table.
type syncRow struct {
	ID   int64
	Name string
	Qty  sql.NullInt64
}

func syncRows(t *testing.T, db *sql.DB) []syncRow {
	t.Helper()
	rows, err := db.Query("SELECT id, name, qty FROM items ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []syncRow
	for rows.Next() {
		var r syncRow
		if err := rows.Scan(&r.ID, &r.Name, &r.Qty); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// The secondary indexes must agree with the table.
	var byName, byQty int
	if err := db.QueryRow("SELECT COUNT(*) FROM items WHERE name >= ''").Scan(&byName); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT COUNT(*) FROM items WHERE qty >= -1000000 OR qty IS NULL").Scan(&byQty); err != nil {
		t.Fatal(err)
	}
	if byName != len(out) || byQty != len(out) {
		t.Fatalf("indexes disagree with the table: %d rows, %d by name, %d by qty", len(out), byName, byQty)
	}
	return out
}

// syncModel tracks the newest write of each key, across both databases.
type syncModel map[int64]*syncRow // nil: deleted

func (m syncModel) rows() []syncRow {
	var out []syncRow
	for id := int64(0); id < 100000; id++ {
		if r, ok := m[id]; ok && r != nil {
			out = append(out, *r)
		}
	}
	return out
}

// randomWrites applies n random writes to db (ids below keys) and records
// them in the models: mine (this database's state) and newest.
func randomWrites(t *testing.T, rng *rand.Rand, db *sql.DB, n, keys int, tag string, mine, newest syncModel) {
	t.Helper()
	for i := 0; i < n; i++ {
		id := int64(rng.IntN(keys))
		switch rng.IntN(3) {
		case 0, 1:
			r := &syncRow{ID: id, Name: fmt.Sprintf("%s-%d-%d", tag, id, rng.IntN(1000000))}
			if rng.IntN(5) > 0 {
				r.Qty = sql.NullInt64{Int64: int64(rng.IntN(50)), Valid: true}
			}
			if _, err := db.Exec("REPLACE INTO items (id, name, qty) VALUES (?, ?, ?)", r.ID, r.Name, r.Qty); err != nil {
				t.Fatal(err)
			}
			mine[id], newest[id] = r, r
		case 2:
			if _, err := db.Exec("DELETE FROM items WHERE id = ?", id); err != nil {
				t.Fatal(err)
			}
			if cur, ok := mine[id]; ok && cur != nil {
				mine[id], newest[id] = nil, nil
			}
		}
		time.Sleep(time.Microsecond) // versions are microsecond clocks
	}
}

// syncSetup serves one database, opens another, creates the items table
// in both and synchronizes it once: that marks the table synchronized on
// both sides, so that from then on their deletions leave tombstones.
func syncSetup(t *testing.T) (server *syncPeer, local *sql.DB, proxy *syncProxy) {
	t.Helper()
	dir := t.TempDir()
	server = serveDB(t, filepath.Join(dir, "server.bxdb"))
	local = ctOpen(t, filepath.Join(dir, "local.bxdb"))
	proxy = newSyncProxy(t, server.addr)
	for _, db := range []*sql.DB{local, server.db} {
		if _, err := db.Exec(syncSchema); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := local.Exec(fmt.Sprintf("SYNC TABLE items WITH '%s'", proxy.url())); err != nil {
		t.Fatal(err)
	}
	return server, local, proxy
}

// TestSyncTable diverges two databases and synchronizes them through a
// counting proxy: both must end with the newest version of every row
// (deletions included), a second SYNC must ship nothing, and a small change
// in a large table must cost few bytes.
func TestSyncTable(t *testing.T) {
	server, local, proxy := syncSetup(t)
	rng := rand.New(rand.NewPCG(1, 2))
	newest, mineL, mineS := syncModel{}, syncModel{}, syncModel{}
	// Disjoint names keep UNIQUE(name) satisfiable whichever side wins.
	randomWrites(t, rng, local, 300, 200, "l", mineL, newest)
	randomWrites(t, rng, server.db, 300, 200, "s", mineS, newest)

	res, err := local.Exec(fmt.Sprintf("SYNC TABLE items WITH '%s'", proxy.url()))
	if err != nil {
		t.Fatal(err)
	}
	applied, _ := res.RowsAffected()
	want := newest.rows()
	if diff := cmp.Diff(want, syncRows(t, local)); diff != "" {
		t.Fatalf("local after SYNC (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, syncRows(t, server.db)); diff != "" {
		t.Fatalf("server after SYNC (-want +got):\n%s", diff)
	}
	t.Logf("first SYNC: %d rows applied locally, %d bytes", applied, proxy.bytes.Load())

	// Nothing changed: a handful of bytes, nothing applied.
	proxy.bytes.Store(0)
	res, err = local.Exec(fmt.Sprintf("SYNC TABLE items WITH '%s'", proxy.url()))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 0 || proxy.bytes.Load() > 400 {
		t.Fatalf("second SYNC applied %d rows in %d bytes, want 0 in a few bytes", n, proxy.bytes.Load())
	}

	// A large table with three changes costs a few kilobytes.
	tx, _ := local.Begin()
	stx, _ := server.db.Begin()
	for id := 1000; id < 21000; id++ {
		r := &syncRow{ID: int64(id), Name: fmt.Sprintf("bulk-%d", id), Qty: sql.NullInt64{Int64: int64(id % 7), Valid: true}}
		for _, x := range []*sql.Tx{tx, stx} {
			if _, err := x.Exec("INSERT INTO items VALUES (?, ?, ?)", r.ID, r.Name, r.Qty); err != nil {
				t.Fatal(err)
			}
		}
	}
	tx.Commit()
	stx.Commit()
	// Equal rows written separately carry different versions: one SYNC
	// settles them (the newer copy wins), then the table is in step.
	if _, err := local.Exec(fmt.Sprintf("SYNC TABLE items WITH '%s'", proxy.url())); err != nil {
		t.Fatal(err)
	}
	local.Exec("UPDATE items SET qty = 99 WHERE id = 5000")
	server.db.Exec("DELETE FROM items WHERE id = 7000")
	local.Exec("INSERT INTO items VALUES (30000, 'late', 1)")
	proxy.bytes.Store(0)
	if _, err := local.Exec(fmt.Sprintf("SYNC TABLE items WITH '%s'", proxy.url())); err != nil {
		t.Fatal(err)
	}
	t.Logf("3 changes among %d rows: %d bytes", len(syncRows(t, local)), proxy.bytes.Load())
	if b := proxy.bytes.Load(); b > 12000 {
		t.Fatalf("3 changes among 20,000 rows cost %d bytes", b)
	}
	if diff := cmp.Diff(syncRows(t, server.db), syncRows(t, local)); diff != "" {
		t.Fatalf("tables differ (-server +local):\n%s", diff)
	}
	var q int
	if err := server.db.QueryRow("SELECT qty FROM items WHERE id = 5000").Scan(&q); err != nil || q != 99 {
		t.Fatalf("update not synchronized: %d %v", q, err)
	}
	if err := local.QueryRow("SELECT qty FROM items WHERE id = 7000").Scan(&q); !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("delete not synchronized: %v", err)
	}

	// TRUNCATE on the server is carried over like a DELETE of every row;
	// a row written locally afterwards survives it on both sides.
	if _, err := server.db.Exec("TRUNCATE TABLE items"); err != nil {
		t.Fatal(err)
	}
	if _, err := local.Exec("INSERT INTO items VALUES (40000, 'after', 2)"); err != nil {
		t.Fatal(err)
	}
	if _, err := local.Exec(fmt.Sprintf("SYNC TABLE items WITH '%s'", proxy.url())); err != nil {
		t.Fatal(err)
	}
	want = []syncRow{{ID: 40000, Name: "after", Qty: sql.NullInt64{Int64: 2, Valid: true}}}
	for _, db := range []*sql.DB{local, server.db} {
		if diff := cmp.Diff(want, syncRows(t, db)); diff != "" {
			t.Fatalf("after TRUNCATE and SYNC (-want +got):\n%s", diff)
		}
	}
}

// TestSyncTableCut cuts the proxied connection after a growing number of
// bytes: SYNC TABLE fails with an error, each database holds either its
// old rows or the synchronized ones (never a part), and a later SYNC
// converges.
func TestSyncTableCut(t *testing.T) {
	server, local, proxy := syncSetup(t)
	rng := rand.New(rand.NewPCG(3, 4))
	newest, mineL, mineS := syncModel{}, syncModel{}, syncModel{}
	randomWrites(t, rng, local, 400, 300, "l", mineL, newest)
	randomWrites(t, rng, server.db, 400, 300, "s", mineS, newest)
	oldL, oldS, want := mineL.rows(), mineS.rows(), newest.rows()
	for _, cut := range []int64{1, 10, 100, 1000, 3000, 6000, 10000, 20000} {
		proxy.cutAfter.Store(cut)
		_, err := local.Exec(fmt.Sprintf("SYNC TABLE items WITH '%s'", proxy.url()))
		gotL, gotS := syncRows(t, local), syncRows(t, server.db)
		if !cmp.Equal(gotL, oldL) && !cmp.Equal(gotL, want) {
			t.Fatalf("cut at %d (%v): local holds a partial synchronization", cut, err)
		}
		if !cmp.Equal(gotS, oldS) && !cmp.Equal(gotS, want) {
			t.Fatalf("cut at %d (%v): server holds a partial synchronization", cut, err)
		}
		if err == nil {
			if !cmp.Equal(gotL, want) {
				t.Fatalf("cut at %d: SYNC succeeded without the merged rows", cut)
			}
			t.Logf("cut at %d: completed", cut)
			break
		}
		if !strings.Contains(err.Error(), "SYNC TABLE") {
			t.Fatalf("cut at %d: unclear error %v", cut, err)
		}
		t.Logf("cut at %d: %v", cut, err)
		oldL, oldS = gotL, gotS
	}
	proxy.cutAfter.Store(0)
	if _, err := local.Exec(fmt.Sprintf("SYNC TABLE items WITH '%s'", proxy.url())); err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(syncRows(t, local), want) || !cmp.Equal(syncRows(t, server.db), want) {
		t.Fatal("no convergence after the cuts")
	}
}

// TestSyncTableGarbled flips one bit of the synchronization's stream, at
// offsets spread over a whole run, through the proxy: the frame checksums
// must turn every flip into an error (or, where the flipped byte is one
// no side needs any more, a completed SYNC), and each side must hold its
// old rows or the merged ones, never a damaged value.
func TestSyncTableGarbled(t *testing.T) {
	// How many bytes a whole run takes: the same writes on another pair.
	var total int64
	{
		server, local, proxy := syncSetup(t)
		rng := rand.New(rand.NewPCG(5, 6))
		newest := syncModel{}
		randomWrites(t, rng, local, 200, 150, "l", syncModel{}, newest)
		randomWrites(t, rng, server.db, 200, 150, "s", syncModel{}, newest)
		before := proxy.bytes.Load()
		if _, err := local.Exec(fmt.Sprintf("SYNC TABLE items WITH '%s'", proxy.url())); err != nil {
			t.Fatal(err)
		}
		total = proxy.bytes.Load() - before
	}
	server, local, proxy := syncSetup(t)
	rng := rand.New(rand.NewPCG(5, 6))
	newest, mineL, mineS := syncModel{}, syncModel{}, syncModel{}
	randomWrites(t, rng, local, 200, 150, "l", mineL, newest)
	randomWrites(t, rng, server.db, 200, 150, "s", mineS, newest)
	oldL, oldS, want := mineL.rows(), mineS.rows(), newest.rows()
	failed := 0
	for i := 0; i < 24; i++ {
		at := 1 + rng.Int64N(total)
		proxy.flipAt.Store(at)
		_, err := local.Exec(fmt.Sprintf("SYNC TABLE items WITH '%s'", proxy.url()))
		gotL, gotS := syncRows(t, local), syncRows(t, server.db)
		if !cmp.Equal(gotL, oldL) && !cmp.Equal(gotL, want) {
			t.Fatalf("bit flipped at byte %d of %d (%v): local holds rows of neither side: %v", at, total, err, cmp.Diff(want, gotL))
		}
		if !cmp.Equal(gotS, oldS) && !cmp.Equal(gotS, want) {
			t.Fatalf("bit flipped at byte %d of %d (%v): server holds rows of neither side: %v", at, total, err, cmp.Diff(want, gotS))
		}
		if err != nil {
			failed++
		}
		oldL, oldS = gotL, gotS
		if cmp.Equal(gotL, want) && cmp.Equal(gotS, want) {
			// Converged: diverge again for the next flip.
			randomWrites(t, rng, local, 20, 150, "l", mineL, newest)
			randomWrites(t, rng, server.db, 20, 150, "s", mineS, newest)
			oldL, oldS, want = syncRows(t, local), syncRows(t, server.db), newest.rows()
		}
	}
	if failed == 0 {
		t.Fatal("no flipped bit made SYNC fail")
	}
	proxy.flipAt.Store(0)
	if _, err := local.Exec(fmt.Sprintf("SYNC TABLE items WITH '%s'", proxy.url())); err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(syncRows(t, local), want) || !cmp.Equal(syncRows(t, server.db), want) {
		t.Fatal("no convergence after the flips")
	}
}

// TestSyncTableCutRandom diverges two fresh databases per round, cuts
// the synchronization at a random byte
// (as many as round 0's uncut synchronization took) and checks that each
// side holds its old rows or the merged ones (never a part, never a lost
// row), then that a full SYNC converges. 12 rounds by default, 300 with
// BXDB_SOAK=1; BXDB_SYNC_SEED replays a run.
func TestSyncTableCutRandom(t *testing.T) {
	rounds := 12
	if os.Getenv("BXDB_SOAK") != "" {
		rounds = 300
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("BXDB_SYNC_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	t.Logf("BXDB_SYNC_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	var total int64 // bytes of an uncut synchronization (round 0)
	for round := 0; round < rounds; round++ {
		server, local, proxy := syncSetup(t)
		newest, mineL, mineS := syncModel{}, syncModel{}, syncModel{}
		randomWrites(t, rng, local, 150, 100, "l", mineL, newest)
		randomWrites(t, rng, server.db, 150, 100, "s", mineS, newest)
		oldL, oldS, want := mineL.rows(), mineS.rows(), newest.rows()
		// Round 0 runs uncut and measures what a full synchronization
		// of this size takes; later rounds cut within that.
		cut := int64(0)
		if round > 0 {
			cut = 1 + rng.Int64N(total)
		}
		proxy.cutAfter.Store(cut)
		before := proxy.bytes.Load()
		_, err := local.Exec(fmt.Sprintf("SYNC TABLE items WITH '%s'", proxy.url()))
		gotL, gotS := syncRows(t, local), syncRows(t, server.db)
		if !cmp.Equal(gotL, oldL) && !cmp.Equal(gotL, want) {
			t.Fatalf("round %d, cut at %d (%v): local holds a partial synchronization", round, cut, err)
		}
		if !cmp.Equal(gotS, oldS) && !cmp.Equal(gotS, want) {
			t.Fatalf("round %d, cut at %d (%v): server holds a partial synchronization", round, cut, err)
		}
		if err == nil && !cmp.Equal(gotL, want) {
			t.Fatalf("round %d, cut at %d: SYNC succeeded without the merged rows", round, cut)
		}
		if round == 0 {
			if err != nil {
				t.Fatal(err)
			}
			total = proxy.bytes.Load() - before
		}
		proxy.cutAfter.Store(0)
		if _, err := local.Exec(fmt.Sprintf("SYNC TABLE items WITH '%s'", proxy.url())); err != nil {
			t.Fatalf("round %d: SYNC after the cut at %d: %v", round, cut, err)
		}
		if !cmp.Equal(syncRows(t, local), want) || !cmp.Equal(syncRows(t, server.db), want) {
			t.Fatalf("round %d: no convergence after the cut at %d", round, cut)
		}
	}
}

// TestSyncTableErrors checks the clear errors of SYNC TABLE.
func TestSyncTableErrors(t *testing.T) {
	dir := t.TempDir()
	server := serveDB(t, filepath.Join(dir, "server.bxdb"))
	local := ctOpen(t, filepath.Join(dir, "local.bxdb"))
	local.Exec(syncSchema)
	server.db.Exec("CREATE TABLE other (id INT PRIMARY KEY)")
	local.Exec("CREATE TABLE other (id INT PRIMARY KEY, extra INT)")
	// Identical definitions (SHOW CREATE TABLE), another ALTER history.
	server.db.Exec("CREATE TABLE altered (id INT PRIMARY KEY, w INT DEFAULT 5)")
	local.Exec("CREATE TABLE altered (id INT PRIMARY KEY)")
	local.Exec("ALTER TABLE altered ADD COLUMN w INT DEFAULT 5")
	server.db.Exec("CREATE TABLE nopk (v VARCHAR(100))")
	local.Exec("CREATE TABLE nopk (v VARCHAR(100))")
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()
	cases := []struct{ sql, want string }{
		{"SYNC TABLE items WITH 'http://" + server.addr + "'", "scheme"},
		{"SYNC TABLE items WITH 'bxdb://nohostport:'", "host:port"},
		{"SYNC TABLE items WITH 'bxdb://" + deadAddr + "'", "refused"},
		{"SYNC TABLE nosuch WITH 'bxdb://" + server.addr + "'", "nosuch"},
		{"SYNC TABLE items WITH 'bxdb://" + server.addr + "'", "items"},              // missing on the server
		{"SYNC TABLE other WITH 'bxdb://" + server.addr + "'", "another definition"}, // schemas differ
		{"SYNC TABLE altered WITH 'bxdb://" + server.addr + "'", "same columns"},     // layouts differ
		{"SYNC TABLE nopk WITH 'bxdb://" + server.addr + "'", "no PRIMARY KEY"},
	}
	for _, c := range cases {
		_, err := local.Exec(c.sql)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error mentioning %q", c.sql, err, c.want)
		}
	}
	tx, _ := local.Begin()
	defer tx.Rollback()
	if _, err := tx.Exec("SYNC TABLE other WITH 'bxdb://" + server.addr + "'"); err == nil {
		t.Error("SYNC TABLE inside a transaction succeeded")
	}
	_ = io.EOF
}

// TestSyncTableNoPrimaryKey: a table without a declared primary key is
// refused with error 1173, which says why, and both sides keep their rows
// (before the fix, both hidden row ids were 1 and one row overwrote the
// other on both sides).
func TestSyncTableNoPrimaryKey(t *testing.T) {
	dir := t.TempDir()
	server := serveDB(t, filepath.Join(dir, "server.bxdb"))
	local := ctOpen(t, filepath.Join(dir, "local.bxdb"))
	for db, v := range map[*sql.DB]string{local: "only-on-A", server.db: "only-on-B"} {
		if _, err := db.Exec("CREATE TABLE t (v VARCHAR(100))"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("INSERT INTO t VALUES (?)", v); err != nil {
			t.Fatal(err)
		}
	}
	_, err := local.Exec("SYNC TABLE t WITH 'bxdb://" + server.addr + "'")
	var me *bxdb.Error
	if !errors.As(err, &me) || me.Number != 1173 || !strings.Contains(err.Error(), "row id") {
		t.Fatalf("SYNC of a table without a primary key: %v", err)
	}
	for db, want := range map[*sql.DB]string{local: "only-on-A", server.db: "only-on-B"} {
		var got []string
		rows, err := db.Query("SELECT v FROM t")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v string
			rows.Scan(&v)
			got = append(got, v)
		}
		rows.Close()
		if len(got) != 1 || got[0] != want {
			t.Fatalf("rows %v, want [%s]", got, want)
		}
	}
}

// TestSyncTableLargeRows synchronizes rows larger than a 4 MiB frame (a
// 5 MiB LONGBLOB) among small ones, both ways.
func TestSyncTableLargeRows(t *testing.T) {
	dir := t.TempDir()
	server := serveDB(t, filepath.Join(dir, "server.bxdb"))
	local := ctOpen(t, filepath.Join(dir, "local.bxdb"))
	big := func(c byte) []byte { return []byte(strings.Repeat(string(c), 5<<20)) }
	for i, db := range []*sql.DB{local, server.db} {
		if _, err := db.Exec("CREATE TABLE blobs (id INT PRIMARY KEY, b LONGBLOB)"); err != nil {
			t.Fatal(err)
		}
		base := 10 * i
		if _, err := db.Exec("INSERT INTO blobs VALUES (?, ?), (?, 'small'), (?, 'small')", base, big('a'+byte(i)), base+1, base+2); err != nil {
			t.Fatal(err)
		}
	}
	res, err := local.Exec("SYNC TABLE blobs WITH 'bxdb://" + server.addr + "'")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 3 {
		t.Fatalf("SYNC took %d rows, want 3", n)
	}
	for _, db := range []*sql.DB{local, server.db} {
		var n, total int
		if err := db.QueryRow("SELECT COUNT(*), SUM(LENGTH(b)) FROM blobs").Scan(&n, &total); err != nil {
			t.Fatal(err)
		}
		if n != 6 || total != 2*(5<<20)+4*5 {
			t.Fatalf("%d rows of %d bytes", n, total)
		}
		var b []byte
		if err := db.QueryRow("SELECT b FROM blobs WHERE id = 10").Scan(&b); err != nil || string(b) != string(big('b')) {
			t.Fatalf("large row: %d bytes, %v", len(b), err)
		}
	}
}

// fakeSyncServer listens on a local port and plays a server that reads
// the client's HELLO, then runs play on the connection; it returns the
// address and a channel closed once the HELLO arrived.
func fakeSyncServer(t *testing.T, play func(w *wire.Writer)) (string, <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hello := make(chan struct{})
	done := make(chan struct{})
	var conn net.Conn
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		conn = c
		if _, err := wire.NewReader(c, 0).ReadFrame(); err != nil {
			return
		}
		close(hello)
		go io.Copy(io.Discard, c)
		w := wire.NewWriter(c, 0)
		play(w)
		w.Flush()
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		if conn != nil {
			conn.Close()
		}
	})
	return ln.Addr().String(), hello
}

// TestSyncTableStallingServer: a server that accepts and then stalls does
// not hold up the local database's writers (before the fix, every write
// failed with 1205 until the SYNC gave up); cancelling the SYNC ends it.
func TestSyncTableStallingServer(t *testing.T) {
	local := ctOpen(t, filepath.Join(t.TempDir(), "local.bxdb")+"?busy_timeout=200ms")
	if _, err := local.Exec(syncSchema); err != nil {
		t.Fatal(err)
	}
	addr, hello := fakeSyncServer(t, func(w *wire.Writer) { w.Accept() })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := local.ExecContext(ctx, "SYNC TABLE items WITH 'bxdb://"+addr+"'")
		done <- err
	}()
	select {
	case <-hello:
	case err := <-done:
		t.Fatalf("SYNC ended early: %v", err)
	}
	if _, err := local.Exec("INSERT INTO items VALUES (1, 'written meanwhile', 1)"); err != nil {
		t.Fatalf("write during a stalled SYNC: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("SYNC against a stalled server succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancelled SYNC did not end")
	}
	if n := len(syncRows(t, local)); n != 1 {
		t.Fatalf("%d rows, want 1", n)
	}
}

// TestSyncTableStallingClient: a client that sends a valid HELLO to a
// served database and then nothing does not hold up that database's
// writers, nor other peers' SYNCs (before the fix it held the writer lock
// for the 30 s read timeout).
func TestSyncTableStallingClient(t *testing.T) {
	dir := t.TempDir()
	server := serveConfig(t, &bxdb.Config{Path: filepath.Join(dir, "server.bxdb"), BusyTimeout: 200 * time.Millisecond})
	local := ctOpen(t, filepath.Join(dir, "local.bxdb"))
	for _, db := range []*sql.DB{local, server.db} {
		if _, err := db.Exec(syncSchema); err != nil {
			t.Fatal(err)
		}
	}
	// Record the HELLO a real client sends for items.
	recorded := make(chan []byte, 1)
	rec, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(recorded)
		c, err := rec.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var hdr [4]byte
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			return
		}
		body := make([]byte, int(hdr[0])<<24|int(hdr[1])<<16|int(hdr[2])<<8|int(hdr[3])+wire.ChecksumSize)
		if _, err := io.ReadFull(c, body); err == nil {
			recorded <- append(hdr[:], body...)
		}
	}()
	local.Exec("SYNC TABLE items WITH 'bxdb://" + rec.Addr().String() + "'") // fails: the recorder hangs up
	hello := <-recorded
	rec.Close()
	if len(hello) == 0 {
		t.Fatal("no HELLO recorded")
	}
	stalled, err := net.Dial("tcp", server.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	if _, err := stalled.Write(hello); err != nil {
		t.Fatal(err)
	}
	if f, err := wire.NewReader(stalled, 0).ReadFrame(); err != nil || f.Type != wire.TypeAccept {
		t.Fatalf("replayed HELLO: %v %v", f, err)
	}
	// The server's session is open and waits: its database goes on.
	if _, err := server.db.Exec("INSERT INTO items VALUES (1, 'server', 1)"); err != nil {
		t.Fatalf("write on the served database during a stalled session: %v", err)
	}
	if _, err := local.Exec("INSERT INTO items VALUES (2, 'local', 2)"); err != nil {
		t.Fatal(err)
	}
	if _, err := local.Exec("SYNC TABLE items WITH 'bxdb://" + server.addr + "'"); err != nil {
		t.Fatalf("another SYNC during a stalled session: %v", err)
	}
	if n := len(syncRows(t, server.db)); n != 2 {
		t.Fatalf("server has %d rows, want 2", n)
	}
}

// TestSyncTablePeerMessage: a server's ERROR message reaches the SYNC's
// error with its control characters escaped and its length bounded.
func TestSyncTablePeerMessage(t *testing.T) {
	local := ctOpen(t, filepath.Join(t.TempDir(), "local.bxdb"))
	if _, err := local.Exec(syncSchema); err != nil {
		t.Fatal(err)
	}
	evil := "boom\x00\x1b[2J\x1b]0;owned\x07\u202e" + strings.Repeat("z", 2000)
	addr, _ := fakeSyncServer(t, func(w *wire.Writer) { w.Error(evil) })
	_, err := local.Exec("SYNC TABLE items WITH 'bxdb://" + addr + "'")
	if err == nil || !strings.Contains(err.Error(), `boom\x00\x1b[2J`) {
		t.Fatalf("SYNC: %v", err)
	}
	msg := err.Error()
	if len(msg) > 1000 {
		t.Fatalf("error of %d bytes", len(msg))
	}
	for _, c := range msg {
		if c < ' ' || c == 0x7f || c == '\u202e' {
			t.Fatalf("control character %q in %q", c, msg)
		}
	}
}

// TestSyncTableUniqueMoves synchronizes changes that are valid as a whole
// but not record by record in key order: a UNIQUE value moved from one
// key to another, and two rows that swapped values. Both sides must end
// with the server's rows (they failed with 1062 for good).
func TestSyncTableUniqueMoves(t *testing.T) {
	server, local, proxy := syncSetup(t)
	sync := func() {
		t.Helper()
		if _, err := local.Exec(fmt.Sprintf("SYNC TABLE items WITH '%s'", proxy.url())); err != nil {
			t.Fatal(err)
		}
		if got, want := syncRows(t, local), syncRows(t, server.db); !cmp.Equal(got, want) {
			t.Fatalf("local %v, server %v", got, want)
		}
	}
	ctExec(t, server.db, "INSERT INTO items VALUES (3, 'x', 1), (5, 'a', 1), (6, 'b', 1)")
	sync()
	ctExec(t, server.db, "DELETE FROM items WHERE id = 3")
	ctExec(t, server.db, "INSERT INTO items VALUES (1, 'x', 2)")
	tx, err := server.db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	ctExec(t, tx, "UPDATE items SET name = 'tmp' WHERE id = 5")
	ctExec(t, tx, "UPDATE items SET name = 'a' WHERE id = 6")
	ctExec(t, tx, "UPDATE items SET name = 'b' WHERE id = 5")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	sync()
	if got := ctQueryText(t, local, "SELECT id, name FROM items ORDER BY id"); got != "1|x\n5|b\n6|a\n" {
		t.Fatalf("local after the moves: %q", got)
	}
	// A real conflict still fails, and leaves both sides as they were.
	ctExec(t, local, "INSERT INTO items VALUES (8, 'c', 1)")
	ctExec(t, server.db, "INSERT INTO items VALUES (9, 'c', 1)")
	before := syncRows(t, local)
	if _, err := local.Exec(fmt.Sprintf("SYNC TABLE items WITH '%s'", proxy.url())); err == nil || !strings.Contains(err.Error(), "1062") {
		t.Fatalf("a UNIQUE conflict synchronized: %v", err)
	}
	if !cmp.Equal(syncRows(t, local), before) {
		t.Fatal("a failed synchronization changed the local rows")
	}
}

// TestSyncTableErrorAfterCommit: the connection fails after the local
// database committed what it received (the server's last DONE is lost, a
// proxy hangs up instead of passing it on): SYNC TABLE fails, but its
// error says that the rows received were stored and to run it again (it
// said only "unexpected EOF", which reads as "nothing happened"); a second
// SYNC succeeds and takes nothing more.
func TestSyncTableErrorAfterCommit(t *testing.T) {
	dir := t.TempDir()
	server := serveDB(t, filepath.Join(dir, "server.bxdb"))
	local := ctOpen(t, filepath.Join(dir, "local.bxdb"))
	for _, db := range []*sql.DB{local, server.db} {
		ctExec(t, db, syncSchema)
	}
	// The local table is empty, so the server's answer to its first turn
	// is final: the local side commits first, then waits for the DONE.
	ctExec(t, server.db, "INSERT INTO items VALUES (1, 'one', 1), (2, 'two', 2)")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", server.addr)
			if err != nil {
				c.Close()
				continue
			}
			go func() { io.Copy(s, c); s.Close() }()
			go func() {
				defer c.Close()
				defer s.Close()
				for {
					var hdr [5]byte
					if _, err := io.ReadFull(s, hdr[:]); err != nil || hdr[4] == wire.TypeDone {
						return
					}
					frame := make([]byte, 4+int(binary.BigEndian.Uint32(hdr[:4]))+wire.ChecksumSize)
					copy(frame, hdr[:])
					if _, err := io.ReadFull(s, frame[5:]); err != nil {
						return
					}
					if _, err := c.Write(frame); err != nil {
						return
					}
				}
			}()
		}
	}()
	_, err = local.Exec("SYNC TABLE items WITH 'bxdb://" + ln.Addr().String() + "'")
	var me *bxdb.Error
	if !errors.As(err, &me) || me.Number != 1429 || !strings.Contains(err.Error(), "already stored the 2 rows it received") ||
		!strings.Contains(err.Error(), "run SYNC TABLE again") {
		t.Fatalf("SYNC cut after the local commit: %v", err)
	}
	if n := len(syncRows(t, local)); n != 2 {
		t.Fatalf("local holds %d rows, want the 2 it stored", n)
	}
	res, err := local.Exec("SYNC TABLE items WITH 'bxdb://" + server.addr + "'")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 0 {
		t.Fatalf("second SYNC took %d rows, want 0", n)
	}
}

// TestSyncTableNetReadTimeout: @@net_read_timeout bounds how long SYNC
// TABLE waits for a silent server (it waited 30 s whatever the session
// said), and the error says the server sent nothing for that long.
func TestSyncTableNetReadTimeout(t *testing.T) {
	db := ctOpen(t, filepath.Join(t.TempDir(), "local.bxdb"))
	ctExec(t, db, syncSchema)
	addr, _ := fakeSyncServer(t, func(w *wire.Writer) { w.Accept() }) // then silent
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET SESSION net_read_timeout = 1"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = conn.ExecContext(ctx, "SYNC TABLE items WITH 'bxdb://"+addr+"'")
	if d := time.Since(start); err == nil || !strings.Contains(err.Error(), "the peer sent nothing for 1s") || d > 5*time.Second {
		t.Fatalf("SYNC against a silent server with net_read_timeout = 1: %v after %v", err, d)
	}
}
