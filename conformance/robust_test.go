package conformance

// Adversarial robustness through the public faces: a process killed while
// several goroutines write (explicit transactions, autocommit, savepoints,
// failing duplicate statements, values that spill into overflow blocks,
// DDL in flight) must reopen with every acknowledged commit, nothing
// partial and its indexes agreeing with its tables; damaged files holding
// overflow chains must give exact rows or a clean error; odd files and
// DSNs must be refused with an error, never a panic.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
)

// ---------------------------------------------------------------------
// The writers' model. Each writer owns the rows with id/1e6 == w and runs
// a sequence of operations that is a function of (seed, w, seq) and of
// its rows so far, so the parent can replay any prefix of it.

type robustRow struct {
	id, ver, score int64
	email          string
	size           int // big's length; its bytes are robustBig(id, ver, size)
}

type robustWriter struct {
	w    int64
	next int64
	rows map[int64]*robustRow
}

type robustStmt struct {
	q    string
	args []any
	dup  bool // must fail with 1062, leaving no trace
}

type robustOp struct {
	tx, rollback bool
	stmts        []robustStmt
}

func robustBig(id, ver int64, size int) []byte {
	if size == 0 {
		return nil
	}
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(id))
	binary.LittleEndian.PutUint64(seed[8:], uint64(ver))
	b := make([]byte, size)
	rand.NewChaCha8(seed).Read(b[:size/2]) // half incompressible
	for i := size / 2; i < size; i++ {
		b[i] = byte('a' + (int(id)+i/100)%26)
	}
	return b
}

func robustDigest(b []byte) string {
	h := sha256.Sum256(b)
	return fmt.Sprintf("%d:%x", len(b), h[:8])
}

func (s *robustWriter) clone() *robustWriter {
	c := &robustWriter{w: s.w, next: s.next, rows: map[int64]*robustRow{}}
	for k, v := range s.rows {
		vv := *v
		c.rows[k] = &vv
	}
	return c
}

func (s *robustWriter) size(r *rand.Rand) int {
	switch x := r.IntN(100); {
	case x < 5:
		return 100<<10 + r.IntN(400<<10) // overflow chains
	case x < 15:
		return 4000 + r.IntN(12000)
	case x < 30:
		return 0
	default:
		return r.IntN(300)
	}
}

func (s *robustWriter) newRow(r *rand.Rand) *robustRow {
	id := s.w*1_000_000 + s.next
	s.next++
	return &robustRow{id: id, ver: 1, email: fmt.Sprintf("e%d", id), score: int64(r.IntN(500)), size: s.size(r)}
}

func (s *robustWriter) pick(r *rand.Rand) *robustRow {
	ids := make([]int64, 0, len(s.rows))
	for id := range s.rows {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return s.rows[ids[r.IntN(len(ids))]]
}

func robustInsert(w int64, rs ...*robustRow) robustStmt {
	q := "INSERT INTO acct (id, w, ver, email, score, big) VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(rs)), ", ")
	var args []any
	for _, x := range rs {
		args = append(args, x.id, w, x.ver, x.email, x.score, robustBig(x.id, x.ver, x.size))
	}
	return robustStmt{q: q, args: args}
}

func (s *robustWriter) update(r *rand.Rand) robustStmt {
	x := s.pick(r)
	x.ver++
	x.score = int64(r.IntN(500))
	if r.IntN(3) == 0 {
		x.email = fmt.Sprintf("e%dv%d", x.id, x.ver)
	}
	if r.IntN(2) == 0 {
		x.size = s.size(r)
	}
	return robustStmt{q: "UPDATE acct SET ver = ?, email = ?, score = ?, big = ? WHERE id = ?",
		args: []any{x.ver, x.email, x.score, robustBig(x.id, x.ver, x.size), x.id}}
}

// step applies operation seq to s and returns it.
func (s *robustWriter) step(seed uint64, seq int64) robustOp {
	r := rand.New(rand.NewPCG(seed^uint64(s.w)*0x9e3779b97f4a7c15, uint64(seq)))
	kind := r.IntN(10)
	if len(s.rows) < 3 {
		kind = 0
	}
	switch kind {
	case 0, 1: // a transaction of inserts, one multi-row statement or several
		var rs []*robustRow
		for k := 1 + r.IntN(4); k > 0; k-- {
			x := s.newRow(r)
			s.rows[x.id] = x
			rs = append(rs, x)
		}
		o := robustOp{tx: true}
		if r.IntN(2) == 0 {
			o.stmts = append(o.stmts, robustInsert(s.w, rs...))
		} else {
			for _, x := range rs {
				o.stmts = append(o.stmts, robustInsert(s.w, x))
			}
		}
		return o
	case 2: // a transaction of updates
		o := robustOp{tx: true}
		for k := 1 + r.IntN(3); k > 0; k-- {
			o.stmts = append(o.stmts, s.update(r))
		}
		return o
	case 3: // delete one row, insert another
		x := s.pick(r)
		delete(s.rows, x.id)
		n := s.newRow(r)
		s.rows[n.id] = n
		return robustOp{tx: true, stmts: []robustStmt{{q: "DELETE FROM acct WHERE id = ?", args: []any{x.id}}, robustInsert(s.w, n)}}
	case 4: // autocommit insert
		var rs []*robustRow
		for k := 1 + r.IntN(3); k > 0; k-- {
			x := s.newRow(r)
			s.rows[x.id] = x
			rs = append(rs, x)
		}
		return robustOp{stmts: []robustStmt{robustInsert(s.w, rs...)}}
	case 5: // autocommit update
		return robustOp{stmts: []robustStmt{s.update(r)}}
	case 6: // savepoint: what follows it is rolled back
		a := s.newRow(r)
		s.rows[a.id] = a
		o := robustOp{tx: true, stmts: []robustStmt{robustInsert(s.w, a), {q: "SAVEPOINT sp1"}}}
		tmp := s.clone()
		o.stmts = append(o.stmts, robustInsert(s.w, tmp.newRow(r)), tmp.update(r),
			robustStmt{q: "DELETE FROM acct WHERE id = ?", args: []any{tmp.pick(r).id}},
			robustStmt{q: "ROLLBACK TO SAVEPOINT sp1"})
		s.next = tmp.next
		c := s.newRow(r)
		s.rows[c.id] = c
		o.stmts = append(o.stmts, robustInsert(s.w, c))
		return o
	case 7: // a multi-row insert that fails on the UNIQUE index, then an update
		n := s.newRow(r)
		s.next--
		bad := &robustRow{id: s.w*1_000_000 + 999_999, ver: 1, email: s.pick(r).email, size: 10}
		st := robustInsert(s.w, n, bad)
		st.dup = true
		return robustOp{tx: true, stmts: []robustStmt{st, s.update(r)}}
	case 8: // rolled back whole
		tmp := s.clone()
		o := robustOp{tx: true, rollback: true, stmts: []robustStmt{robustInsert(s.w, tmp.newRow(r)), tmp.update(r)}}
		s.next = tmp.next
		return o
	default: // autocommit delete
		x := s.pick(r)
		delete(s.rows, x.id)
		return robustOp{stmts: []robustStmt{{q: "DELETE FROM acct WHERE id = ?", args: []any{x.id}}}}
	}
}

func robustReplay(seed uint64, w, n int64) *robustWriter {
	s := &robustWriter{w: w, rows: map[int64]*robustRow{}}
	for seq := int64(0); seq < n; seq++ {
		s.step(seed, seq)
	}
	return s
}

// robustDDL is DDL statement i of the child's DDL goroutine.
func robustDDL(i int) string {
	switch n := i / 3; i % 3 {
	case 0:
		return fmt.Sprintf("CREATE INDEX kd%d ON acct (score, w)", n)
	case 1:
		return fmt.Sprintf("ALTER TABLE acct ADD COLUMN c%d INT NOT NULL DEFAULT %d", n, n+100)
	default:
		return fmt.Sprintf("DROP INDEX kd%d ON acct", n)
	}
}

// robustSchema returns the columns and indexes of acct after DDL 0..k.
func robustSchema(k int) (cols, idx []string) {
	c := map[string]bool{"id": true, "w": true, "ver": true, "email": true, "score": true, "big": true}
	ix := map[string]bool{"PRIMARY": true, "u_email": true, "k_score": true, "k_w": true}
	for i := 0; i <= k; i++ {
		switch n := i / 3; i % 3 {
		case 0:
			ix[fmt.Sprintf("kd%d", n)] = true
		case 1:
			c[fmt.Sprintf("c%d", n)] = true
		default:
			delete(ix, fmt.Sprintf("kd%d", n))
		}
	}
	for k := range c {
		cols = append(cols, k)
	}
	for k := range ix {
		idx = append(idx, k)
	}
	slices.Sort(cols)
	slices.Sort(idx)
	return cols, idx
}

const robustWriters = 4

// robustKillChild is the child's side: writers and DDL until killed.
func robustKillChild() {
	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "robust child: "+format+"\n", args...)
		os.Exit(3)
	}
	seed, _ := strconv.ParseUint(os.Getenv("BXDB_ROBUST_SEED"), 10, 64)
	w0, _ := strconv.ParseInt(os.Getenv("BXDB_ROBUST_W0"), 10, 64)
	ddl0, _ := strconv.Atoi(os.Getenv("BXDB_ROBUST_DDL0"))
	db, err := sql.Open("bxdb", os.Getenv("BXDB_ROBUST_DSN"))
	if err != nil {
		fail("open: %v", err)
	}
	if err := db.Ping(); err != nil {
		fail("ping: %v", err)
	}
	var out sync.Mutex
	say := func(format string, args ...any) {
		out.Lock()
		fmt.Printf(format+"\n", args...)
		out.Unlock()
	}
	say("READY")
	for g := range int64(robustWriters) {
		go func(w int64) {
			s := &robustWriter{w: w, rows: map[int64]*robustRow{}}
			for seq := int64(0); ; seq++ {
				o := s.step(seed, seq)
				if !o.tx {
					if _, err := db.Exec(o.stmts[0].q, o.stmts[0].args...); err != nil {
						fail("w%d op %d: %v", w, seq, err)
					}
					say("ACK %d %d", w, seq)
					continue
				}
				tx, err := db.Begin()
				if err != nil {
					fail("w%d op %d: begin: %v", w, seq, err)
				}
				for _, st := range o.stmts {
					_, err := tx.Exec(st.q, st.args...)
					if st.dup {
						if err == nil || !strings.Contains(err.Error(), "1062") {
							fail("w%d op %d: duplicate: %v, want error 1062", w, seq, err)
						}
					} else if err != nil {
						fail("w%d op %d: %.40s: %v", w, seq, st.q, err)
					}
				}
				if o.rollback {
					err = tx.Rollback()
				} else {
					err = tx.Commit()
				}
				if err != nil {
					fail("w%d op %d: end: %v", w, seq, err)
				}
				say("ACK %d %d", w, seq)
			}
		}(w0 + g)
	}
	go func() {
		for i := ddl0; ; i++ {
			if _, err := db.Exec(robustDDL(i)); err != nil {
				fail("ddl %d: %v", i, err)
			}
			say("DDL %d", i)
			time.Sleep(time.Duration(rand.IntN(100)) * time.Millisecond)
		}
	}()
	time.Sleep(2 * time.Minute) // an orphan stops by itself
	os.Exit(0)
}

// TestRobustKillConcurrentWriters kills (SIGKILL) a child process in which
// four goroutines write through database/sql (transactions of inserts,
// updates and deletes, autocommit statements, savepoints rolled back to,
// multi-row inserts refused by the UNIQUE index, whole rollbacks, values
// up to 500 KB in overflow chains) while a fifth runs CREATE INDEX, ALTER
// TABLE ADD COLUMN and DROP INDEX. After each kill the parent checks the
// file (store and trees), reopens it and requires: each writer's rows are
// exactly its model after the operations it reported (or one more, in
// flight at the kill); the schema is that after the reported DDL (or one
// more); every secondary index lists exactly the table's rows with their
// values; added columns read their defaults. It runs for about 6 s, or 3
// minutes with BXDB_SOAK=1; BXDB_ROBUST_SEED repeats a run.
func TestRobustKillConcurrentWriters(t *testing.T) {
	if os.Getenv(ctChildEnv) == "robust-kill" {
		robustKillChild()
		return
	}
	if testing.Short() {
		t.Skip("process-kill test skipped in -short mode")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("BXDB_ROBUST_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (BXDB_ROBUST_SEED=%d repeats it)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 5))
	budget := 5 * time.Second
	if os.Getenv("BXDB_SOAK") != "" {
		budget = 3 * time.Minute
	}
	path := ctPath(t)
	dsn := path + "?busy_timeout=60s"
	db, err := sql.Open("bxdb", dsn)
	if err != nil {
		t.Fatal(err)
	}
	ctExec(t, db, "CREATE TABLE acct (id BIGINT PRIMARY KEY, w BIGINT NOT NULL, ver BIGINT NOT NULL, email VARCHAR(64) NOT NULL, score INT NOT NULL, big LONGBLOB, UNIQUE KEY u_email (email), KEY k_score (score), KEY k_w (w, ver))")
	db.Close()

	final := map[int64]*robustWriter{} // writers of earlier rounds
	ddlNext := 0
	start := time.Now()
	totalAcks := 0
	for round := 0; time.Since(start) < budget || round < 2; round++ {
		w0 := int64(round*robustWriters + 1)
		cmd, lines, stderr := startChild(t, "TestRobustKillConcurrentWriters", ctChildEnv+"=robust-kill",
			"BXDB_ROBUST_DSN="+dsn, fmt.Sprintf("BXDB_ROBUST_SEED=%d", seed), fmt.Sprintf("BXDB_ROBUST_W0=%d", w0), fmt.Sprintf("BXDB_ROBUST_DDL0=%d", ddlNext))
		acks := map[int64]int64{}
		lastDDL := ddlNext - 1
		handle := func(l string) {
			var a, b int64
			if _, err := fmt.Sscanf(l, "ACK %d %d", &a, &b); err == nil {
				acks[a] = b
			} else if _, err := fmt.Sscanf(l, "DDL %d", &a); err == nil {
				lastDDL = int(a)
			}
		}
		delay := time.Duration(100+rng.IntN(1200)) * time.Millisecond
		var timer <-chan time.Time
		exited := false
	wait:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					exited = true
					break wait
				}
				if l == "READY" {
					timer = time.After(delay)
				}
				handle(l)
			case <-timer:
				break wait
			case <-time.After(30 * time.Second):
				t.Errorf("child silent for 30s")
				break wait
			}
		}
		cmd.Process.Kill()
		for l := range lines {
			handle(l)
		}
		cmd.Wait()
		if exited {
			t.Fatalf("round %d: child exited by itself:\n%s", round, stderr.String())
		}
		for _, n := range acks {
			totalAcks += int(n) + 1
		}
		robustCheckFile(t, path)
		robustVerify(t, dsn, seed, final, w0, acks, lastDDL, &ddlNext)
		if t.Failed() {
			t.Fatalf("round %d: kill after %v, acks %v, DDL through %d", round, delay, acks, lastDDL)
		}
	}
	t.Logf("%d acknowledged operations, DDL through %d, in %v", totalAcks, ddlNext-1, time.Since(start).Round(time.Millisecond))
	if totalAcks == 0 {
		t.Error("no operation was acknowledged: the test tested nothing")
	}
}

// robustCheckFile runs what bxdb check runs on a closed database: every
// block and every tree, including leaked blocks.
func robustCheckFile(t *testing.T, path string) {
	t.Helper()
	s, err := bedrock.Open(path, &bedrock.Options{ReadOnly: true, MustExist: true})
	if err != nil {
		t.Errorf("open for check: %v", err)
		return
	}
	defer s.Close()
	rep, err := s.Check()
	if err != nil || !rep.OK() {
		t.Errorf("store check: %v %v", err, rep.Problems)
	}
	tx, err := s.Begin(false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := bxtree.CheckAll(tx, nil); err != nil {
		t.Errorf("tree check: %v", err)
	}
}

type robustGot struct {
	w, ver, score int64
	email, big    string
}

func robustVerify(t *testing.T, dsn string, seed uint64, final map[int64]*robustWriter, w0 int64, acks map[int64]int64, lastDDL int, ddlNext *int) {
	t.Helper()
	db, err := sql.Open("bxdb", dsn)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	// The schema: after the reported DDL, or one more.
	var cols, idx []string
	for _, r := range ctQueryAll(t, db, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_NAME = 'acct'") {
		cols = append(cols, ctString(r[0]))
	}
	for _, r := range ctQueryAll(t, db, "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_NAME = 'acct'") {
		idx = append(idx, ctString(r[0]))
	}
	slices.Sort(cols)
	slices.Sort(idx)
	c0, i0 := robustSchema(lastDDL)
	c1, i1 := robustSchema(lastDDL + 1)
	switch {
	case slices.Equal(cols, c0) && slices.Equal(idx, i0):
		*ddlNext = lastDDL + 1
	case slices.Equal(cols, c1) && slices.Equal(idx, i1):
		*ddlNext = lastDDL + 2
	default:
		t.Errorf("schema after DDL %d: columns %v, indexes %v; want %v %v or %v %v", lastDDL, cols, idx, c0, i0, c1, i1)
		return
	}
	// Every row by a full scan; added columns hold their defaults.
	var added []string
	for _, c := range cols {
		if len(c) > 1 && c[0] == 'c' && c[1] >= '0' && c[1] <= '9' {
			added = append(added, c)
		}
	}
	q := "SELECT id, w, ver, email, score, big"
	for _, c := range added {
		q += ", " + c
	}
	rows, err := db.Query(q + " FROM acct IGNORE INDEX (u_email, k_score, k_w)")
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	got := map[int64]robustGot{}
	for rows.Next() {
		var id int64
		var g robustGot
		var big []byte
		ex := make([]int64, len(added))
		dst := []any{&id, &g.w, &g.ver, &g.email, &g.score, &big}
		for i := range ex {
			dst = append(dst, &ex[i])
		}
		if err := rows.Scan(dst...); err != nil {
			t.Fatalf("scan: %v", err)
		}
		g.big = robustDigest(big)
		got[id] = g
		for i, c := range added {
			n, _ := strconv.Atoi(c[1:])
			if ex[i] != int64(n+100) {
				t.Errorf("row %d: %s = %d, want its default %d", id, c, ex[i], n+100)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("scan: %v", err)
	}
	rows.Close()
	byW := map[int64]map[int64]robustGot{}
	for id, g := range got {
		if id/1_000_000 != g.w {
			t.Errorf("row %d has w %d", id, g.w)
		}
		if byW[g.w] == nil {
			byW[g.w] = map[int64]robustGot{}
		}
		byW[g.w][id] = g
	}
	diff := func(s *robustWriter, have map[int64]robustGot) string {
		if len(have) != len(s.rows) {
			return fmt.Sprintf("%d rows, model %d", len(have), len(s.rows))
		}
		for id, m := range s.rows {
			h, ok := have[id]
			want := robustDigest(robustBig(m.id, m.ver, m.size))
			if !ok || h.ver != m.ver || h.email != m.email || h.score != m.score || h.big != want {
				return fmt.Sprintf("row %d: %+v (present %v), model ver %d email %s score %d big %s", id, h, ok, m.ver, m.email, m.score, want)
			}
		}
		return ""
	}
	for w, s := range final {
		if d := diff(s, byW[w]); d != "" {
			t.Errorf("writer %d of an earlier round: %s", w, d)
		}
	}
	for w := w0; w < w0+robustWriters; w++ {
		last, ok := acks[w]
		if !ok {
			last = -1
		}
		s0 := robustReplay(seed, w, last+1)
		d0 := diff(s0, byW[w])
		if d0 == "" {
			final[w] = s0
			continue
		}
		s1 := robustReplay(seed, w, last+2)
		d1 := diff(s1, byW[w])
		if d1 == "" {
			final[w] = s1
			continue
		}
		t.Errorf("writer %d reported operations 0..%d: rows match neither %d operations (%s) nor %d (%s)", w, last, last+1, d0, last+2, d1)
	}
	// Every secondary index lists exactly the table's rows.
	var all []int64
	for id := range got {
		all = append(all, id)
	}
	slices.Sort(all)
	for _, ix := range idx {
		if ix == "PRIMARY" {
			continue
		}
		where := "score >= -1"
		switch ix {
		case "u_email":
			where = "email >= ''"
		case "k_w":
			where = "w >= 0"
		}
		var ids []int64
		for _, r := range ctQueryAll(t, db, fmt.Sprintf("SELECT id, w, ver, email, score FROM acct FORCE INDEX (%s) WHERE %s", ix, where)) {
			id := r[0].(int64)
			g := got[id]
			if r[1].(int64) != g.w || r[2].(int64) != g.ver || ctString(r[3]) != g.email || r[4].(int64) != g.score {
				t.Errorf("index %s: row %d reads %v, the table %+v", ix, id, r, g)
			}
			ids = append(ids, id)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, all) {
			t.Errorf("index %s lists %d rows, the table has %d", ix, len(ids), len(all))
		}
		if n := ctQueryInt(t, db, fmt.Sprintf("SELECT COUNT(*) FROM acct FORCE INDEX (%s) WHERE %s", ix, where)); n != int64(len(all)) {
			t.Errorf("COUNT(*) through index %s: %d, the table has %d", ix, n, len(all))
		}
	}
	// Point lookups through the UNIQUE index.
	k := 0
	for id, g := range got {
		if k++; k > 100 {
			break
		}
		if n := ctQueryInt(t, db, "SELECT id FROM acct WHERE email = ?", g.email); n != id {
			t.Errorf("email %s finds %d, want %d", g.email, n, id)
		}
	}
}

// ctString returns a text column's value as Scan into *any gives it.
func ctString(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}

// ---------------------------------------------------------------------

// TestRobustCorruptOverflow damages a closed database whose values spill
// into overflow chains, next to secondary and UNIQUE indexes, at many
// places (every written 4 KiB page, alternately a flipped bit, a zeroed
// page, a zeroed sector and two damaged pages close together, which parity
// cannot both rebuild), and opens each copy through database/sql. Every
// query must return exactly the committed rows or fail cleanly, within a
// deadline. It then runs the store's repair (bxdb check -repair): when
// that finds nothing lost, every query must return the committed rows.
// BXDB_SOAK=1 damages every page; otherwise a sample of 40.
func TestRobustCorruptOverflow(t *testing.T) {
	if testing.Short() {
		t.Skip("corruption sweep skipped in -short mode")
	}
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.bxdb")
	db, err := sql.Open("bxdb", clean)
	if err != nil {
		t.Fatal(err)
	}
	ctExec(t, db, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100) NOT NULL, n INT NOT NULL, e VARCHAR(30) NOT NULL, UNIQUE KEY ue (e), KEY kn (n))")
	ctExec(t, db, "CREATE TABLE b (id INT PRIMARY KEY, data LONGBLOB NOT NULL)")
	ctExec(t, db, "CREATE TABLE w (id INT PRIMARY KEY AUTO_INCREMENT, x VARCHAR(10))")
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for id := 0; id < 1500; id++ {
		ctExec(t, tx, "INSERT INTO t VALUES (?, ?, ?, ?)", id, fmt.Sprintf("v%d-%s", id, strings.Repeat("x", id%40)), id%53, fmt.Sprintf("e%d", id))
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for id := 0; id < 5; id++ {
		ctExec(t, db, "INSERT INTO b VALUES (?, ?)", id, robustBig(int64(id), 1, 60<<10+id*40<<10))
	}
	ctExec(t, db, "UPDATE t SET n = n + 100 WHERE id % 7 = 0")
	ctExec(t, db, "DELETE FROM b WHERE id = 3")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	var all, byN, blobs strings.Builder
	for id := 0; id < 1500; id++ {
		n := id % 53
		if id%7 == 0 {
			n += 100
		}
		fmt.Fprintf(&all, "%d|v%d-%s|%d|e%d\n", id, id, strings.Repeat("x", id%40), n, id)
		if n == 17 {
			fmt.Fprintf(&byN, "%d\n", id)
		}
	}
	for id := 0; id < 5; id++ {
		if id != 3 {
			fmt.Fprintf(&blobs, "%d|%s\n", id, robustDigest(robustBig(int64(id), 1, 60<<10+id*40<<10)))
		}
	}
	want["SELECT id, v, n, e FROM t ORDER BY id"] = all.String()
	want["SELECT id FROM t FORCE INDEX (kn) WHERE n = 17 ORDER BY id"] = byN.String()
	want["SELECT id FROM t WHERE e = 'e777'"] = "777\n"
	want["SELECT COUNT(*) FROM t FORCE INDEX (ue) WHERE e >= ''"] = "1500\n"
	want["SELECT id, data FROM b ORDER BY id"] = blobs.String()

	image, err := os.ReadFile(clean)
	if err != nil {
		t.Fatal(err)
	}
	if got := robustTrial(clean, want); got != "ok" {
		t.Fatalf("undamaged database: %s", got)
	}
	var used []int
	for off := 0; off+4096 <= len(image); off += 4096 {
		if !bytes.Equal(image[off:off+4096], make([]byte, 4096)) {
			used = append(used, off)
		}
	}
	seed := loggedSeedConf(t)
	rng := rand.New(rand.NewPCG(seed, 9))
	if os.Getenv("BXDB_SOAK") == "" && len(used) > 40 {
		rng.Shuffle(len(used), func(i, j int) { used[i], used[j] = used[j], used[i] })
		used = used[:40]
	}
	outcomes := map[string]int{}
	for k, off := range used {
		img := slices.Clone(image)
		bit := rng.IntN(4096 * 8)
		var what string
		switch k % 4 {
		case 0:
			img[off+bit/8] ^= 1 << (bit % 8)
			what = fmt.Sprintf("bit flipped at %d", off+bit/8)
		case 1:
			clear(img[off : off+4096])
			what = fmt.Sprintf("page %d zeroed", off)
		case 2:
			s := off + rng.IntN(8)*512
			clear(img[s : s+512])
			what = fmt.Sprintf("sector %d zeroed", s)
		default:
			o2 := off + (1+rng.IntN(15))*4096
			img[off+bit/8] ^= 0xff
			if o2+4096 <= len(img) {
				img[o2+bit/8] ^= 0xff
			}
			what = fmt.Sprintf("bytes inverted at %d and %d", off+bit/8, o2+bit/8)
		}
		path := filepath.Join(dir, fmt.Sprintf("d%d.bxdb", k))
		if err := os.WriteFile(path, img, 0o644); err != nil {
			t.Fatal(err)
		}
		got := robustTrial(path, want)
		if strings.HasPrefix(got, "WRONG") {
			t.Fatalf("%s: %s", what, got)
		}
		outcomes[got]++
		// Repair; if it reports nothing lost, the data must be whole.
		if s, err := bedrock.Open(path, &bedrock.Options{MustExist: true}); err == nil {
			rep, err := s.Check()
			s.Close()
			if err == nil && rep.OK() {
				if got := robustTrial(path, want); got != "ok" {
					t.Fatalf("%s: repair found nothing lost (repaired %v), then: %s", what, rep.Repaired, got)
				}
				outcomes["repaired"]++
			}
		}
		os.Remove(path)
	}
	t.Logf("%d damaged copies: %v", len(used), outcomes)
}

func loggedSeedConf(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("BXDB_ROBUST_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (BXDB_ROBUST_SEED=%d repeats it)", seed, seed)
	return seed
}

// robustTrial opens path and runs want's queries under a deadline: "ok"
// when all return exactly their rows, "error" when some failed and none
// was wrong, else a message starting with WRONG.
func robustTrial(path string, want map[string]string) string {
	done := make(chan string, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db, err := sql.Open("bxdb", path)
		if err != nil {
			done <- "error"
			return
		}
		res := robustQueries(ctx, db, want)
		db.Close() // before answering: the caller opens the file next
		done <- res
	}()
	select {
	case r := <-done:
		return r
	case <-time.After(60 * time.Second):
		return "WRONG: no answer within 60s (hang)"
	}
}

// robustQueries is robustTrial's work on the open db.
func robustQueries(ctx context.Context, db *sql.DB, want map[string]string) string {
	if err := db.PingContext(ctx); err != nil {
		return "error"
	}
	res := "ok"
	for q, w := range want {
		got, err := robustQuery(ctx, db, q)
		switch {
		case err != nil && ctx.Err() != nil:
			return "WRONG: deadline passed: " + err.Error()
		case err != nil:
			res = "error"
		case got != w:
			return fmt.Sprintf("WRONG: %s returned %d bytes, committed %d", q, len(got), len(w))
		}
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO w (x) VALUES ('x')"); err != nil && ctx.Err() != nil {
		return "WRONG: write hung"
	}
	return res
}

func robustQuery(ctx context.Context, db *sql.DB, q string) (string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var b strings.Builder
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteByte('|')
			}
			if len(v) > 1000 {
				b.WriteString(robustDigest(v))
			} else {
				b.Write(v)
			}
		}
		b.WriteByte('\n')
	}
	return b.String(), rows.Err()
}

// ---------------------------------------------------------------------

// TestRobustOddFiles opens things that are not databases, and DSNs that
// are malformed, through database/sql: each must give an error (never a
// panic), and leave the thing as it was; a second process opening a file
// the first has open read-write is refused.
func TestRobustOddFiles(t *testing.T) {
	if os.Getenv(ctChildEnv) == "robust-open" {
		db, err := sql.Open("bxdb", os.Getenv("BXDB_ROBUST_DSN"))
		if err == nil {
			err = db.Ping()
		}
		fmt.Printf("RESULT %v\n", err)
		return
	}
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	random := make([]byte, 256<<10)
	rand.NewChaCha8([32]byte{1}).Read(random)
	files := map[string][]byte{
		"random":   random,
		"short":    []byte("hello"),
		"zeros":    make([]byte, 1<<20),
		"zeros100": make([]byte, 100),
		"sqlite":   append([]byte("SQLite format 3\x00"), make([]byte, 4080)...),
		"magic":    append([]byte("bedrock\x00"), make([]byte, 9000)...),
		"empty":    nil,
	}
	for name, data := range files {
		if err := os.WriteFile(p(name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(p("dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	real := p("real.bxdb")
	db, err := sql.Open("bxdb", real)
	if err != nil {
		t.Fatal(err)
	}
	ctExec(t, db, "CREATE TABLE t (a INT PRIMARY KEY)")
	ctExec(t, db, "INSERT INTO t VALUES (1), (2)")
	db.Close()

	bad := []string{
		p("random"), p("short"), p("zeros"), p("zeros100"), p("sqlite"), p("magic"),
		p("random") + "?mode=ro", p("zeros") + "?mode=rw",
		p("empty") + "?mode=rw", p("empty") + "?mode=ro",
		p("dir"), p("dir") + "?mode=ro",
		p("missing/x.bxdb"), p("missing.bxdb") + "?mode=rw", p("missing.bxdb") + "?mode=ro",
		p(strings.Repeat("a", 300)), p(strings.Repeat("d/", 3000) + "x"),
		"", "?", os.DevNull,
		real + "?bogus=1", real + "?cache=lots", real + "?cache=0", real + "?cache=-1",
		real + "?cache=99999999999999GiB", real + "?sync=maybe", real + "?mode=x",
		real + "?busy_timeout=-1s", real + "?busy_timeout=forever", real + "?mode=ro&mode=rw", real + "?mode=%zz",
	}
	for _, dsn := range bad {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("open %.80q: panic %v", dsn, r)
				}
			}()
			db, err := sql.Open("bxdb", dsn)
			if err == nil {
				err = db.Ping()
				db.Close()
			}
			if err == nil {
				t.Errorf("open %.80q: no error", dsn)
			} else if strings.TrimSpace(err.Error()) == "" {
				t.Errorf("open %.80q: empty error", dsn)
			}
		}()
	}
	for name, data := range files {
		if got, _ := os.ReadFile(p(name)); !bytes.Equal(got, data) {
			t.Errorf("%s changed by the attempts to open it", name)
		}
	}
	// The real database is unharmed, and a second process may not open
	// it while this one has it open read-write.
	db = ctOpen(t, real)
	if n := ctQueryInt(t, db, "SELECT COUNT(*) FROM t"); n != 2 {
		t.Fatalf("real database: %d rows", n)
	}
	for _, dsn := range []string{real, real + "?mode=ro", "file:" + real + "?mode=rw"} {
		out, _ := ctRunChild(t, "TestRobustOddFiles", "robust-open", "BXDB_ROBUST_DSN="+dsn)
		if !strings.Contains(out, "RESULT") || !strings.Contains(out, "locked by another process") {
			t.Errorf("second process opening %s: %q, want a refusal naming the lock", dsn, out)
		}
	}
}

// TestRobustCorruptOverflowScan damages two adjacent blocks of a large
// value's overflow chain (more than parity can rebuild): a point get and a
// scan must both fail with the error that names the corrupt block, not a
// row decoding error, and never return the value.
func TestRobustCorruptOverflowScan(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.bxdb")
	db, err := sql.Open("bxdb", path)
	if err != nil {
		t.Fatal(err)
	}
	blob := make([]byte, 300<<10)
	for i := range blob {
		blob[i] = byte(uint32(i)*2654435761>>13) ^ byte(i>>9)
	}
	for _, q := range []string{"CREATE TABLE b (id INT PRIMARY KEY, data LONGBLOB)", "INSERT INTO b VALUES (1, ?)"} {
		var args []any
		if strings.HasPrefix(q, "INSERT") {
			args = append(args, blob)
		}
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	img, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	off := bytes.Index(img, blob[150<<10:150<<10+64])
	if off < 0 {
		t.Fatal("the value's bytes are not in the file")
	}
	off &^= 4095
	clear(img[off : off+8192])
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err = sql.Open("bxdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{"SELECT data FROM b WHERE id = 1", "SELECT data FROM b", "SELECT data FROM b WHERE id > 0 ORDER BY id DESC"} {
		var d []byte
		err := db.QueryRow(q).Scan(&d)
		if err == nil || !strings.Contains(err.Error(), "corrupt data block") {
			t.Errorf("%s: err %v (value of %d bytes), want the corrupt block named", q, err, len(d))
		}
	}
}
