package conformance

import (
	"bufio"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestKillDuringCommits is the process-kill test through the driver. A
// child process (this test binary, re-executed with BXDB_CONTRACT_CHILD=
// kill) commits transactions of a marker row plus N item rows, and prints
// "COMMITTED id" after each Commit returns; every fifth transaction it
// rolls back instead. The parent kills it with SIGKILL at a random moment
// (sometimes while it is still opening the file), reopens the file, and
// checks:
//
//  1. every reported transaction is there, whole (marker and N items);
//  2. no transaction is there in part (items without their marker, or
//     fewer than the marker's N);
//  3. the transactions present are exactly ids first..k of the round with
//     k the last reported id or the one after it (committed, killed before
//     printing), minus the rolled-back ones.
//
// It runs rounds for about 12 s, or 5 minutes with BXDB_SOAK=1. The seed
// is logged; BXDB_KILL_SEED repeats a run's choices.
func TestKillDuringCommits(t *testing.T) {
	if os.Getenv(ctChildEnv) == "kill" {
		killChild()
		return
	}
	if testing.Short() {
		t.Skip("process-kill test skipped in -short mode")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("BXDB_KILL_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("BXDB_KILL_SEED: %v", err)
		}
	}
	t.Logf("seed %d (BXDB_KILL_SEED=%d repeats it)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	budget := 12 * time.Second
	if os.Getenv("BXDB_SOAK") != "" {
		budget = 5 * time.Minute
	}

	path := ctPath(t)
	db, err := sql.Open("bxdb", path)
	if err != nil {
		t.Fatal(err)
	}
	ctExec(t, db, "CREATE TABLE marker (tx BIGINT PRIMARY KEY, n INT NOT NULL)")
	ctExec(t, db, "CREATE TABLE item (tx BIGINT NOT NULL, i INT NOT NULL, pad VARCHAR(200), PRIMARY KEY (tx, i))")
	ctExec(t, db, "CREATE TABLE auto (w BIGINT NOT NULL, seq INT NOT NULL, part INT NOT NULL, PRIMARY KEY (w, seq, part))")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	totalCommitted, totalAutos := 0, 0
	rounds := 0
	for ; time.Since(start) < budget || rounds < 3; rounds++ {
		first := int64(rounds+1) * 1_000_000
		rows := 1 + rng.IntN(60)
		early := rng.IntN(5) == 0 // kill while the child may still be opening
		delay := time.Duration(rng.IntN(400)) * time.Millisecond
		if early {
			delay = time.Duration(rng.IntN(30)) * time.Millisecond
		}
		reported, autos := runKillRound(t, path, first, rows, early, delay)
		for _, n := range autos {
			totalAutos += int(n) + 1
		}
		if t.Failed() {
			return
		}
		verifyKillRound(t, path, first, rows, reported)
		verifyKillAutos(t, path, first, autos)
		if t.Failed() {
			t.Logf("round %d: first id %d, %d rows per tx, kill after %v (early %v), %d reported", rounds, first, rows, delay, early, len(reported))
			return
		}
		totalCommitted += len(reported)
	}
	t.Logf("%d rounds, %d reported commits and %d autocommit statements, in %v", rounds, totalCommitted, totalAutos, time.Since(start).Round(time.Millisecond))
	if totalCommitted == 0 || totalAutos == 0 {
		t.Errorf("no round reported a commit: the test tested nothing")
	}
}

// startChild runs this test binary's test named test as a child process
// with env added to the environment, and returns it, the lines of its
// standard output (closed when it ends) and its standard error.
func startChild(t *testing.T, test string, env ...string) (*exec.Cmd, <-chan string, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	stderr := &strings.Builder{}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	return cmd, lines, stderr
}

// runKillRound runs one child, kills it delay after it is ready (after it
// starts, if early), and returns the ids it reported committed, in order,
// and the last autocommit statement each autocommit writer reported.
func runKillRound(t *testing.T, path string, first int64, rows int, early bool, delay time.Duration) ([]int64, map[int64]int64) {
	t.Helper()
	cmd, lines, stderr := startChild(t, "TestKillDuringCommits", ctChildEnv+"=kill", "BXDB_KILL_DSN="+path,
		"BXDB_KILL_FIRST="+strconv.FormatInt(first, 10), "BXDB_KILL_ROWS="+strconv.Itoa(rows))
	var reported []int64
	autos := map[int64]int64{}
	exited := false
	handle := func(line string) {
		if rest, ok := strings.CutPrefix(line, "AUTO "); ok {
			var w, seq int64
			if _, err := fmt.Sscanf(rest, "%d %d", &w, &seq); err != nil {
				t.Errorf("child printed %q", line)
				return
			}
			if prev, ok := autos[w]; ok && seq != prev+1 {
				t.Errorf("writer %d reported %d after %d", w, seq, prev)
			}
			autos[w] = seq
			return
		}
		if id, ok := strings.CutPrefix(line, "COMMITTED "); ok {
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				t.Errorf("child printed %q", line)
				return
			}
			reported = append(reported, n)
		}
	}
	var timer <-chan time.Time
	if early {
		timer = time.After(delay)
	}
	readyTimeout := time.After(30 * time.Second)
wait:
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				exited = true
				break wait
			}
			if line == "READY" && timer == nil {
				timer = time.After(delay)
			}
			handle(line)
		case <-timer:
			break wait
		case <-readyTimeout:
			t.Errorf("child not ready after 30s")
			break wait
		}
	}
	cmd.Process.Kill() // SIGKILL
	for line := range lines {
		handle(line)
	}
	werr := cmd.Wait()
	if exited {
		t.Errorf("child exited by itself (%v):\n%s", werr, stderr.String())
	}
	return reported, autos
}

// verifyKillAutos checks the autocommit writers' rows after a kill: each
// statement wrote killAutoParts rows, so a statement is present whole or
// not at all; every writer's statements 0..k are present, where k is the
// last one it reported or the one after it (in flight at the kill), and
// none after k.
func verifyKillAutos(t *testing.T, path string, first int64, autos map[int64]int64) {
	t.Helper()
	db, err := sql.Open("bxdb", path)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer db.Close()
	parts := map[[2]int64]int64{}
	maxSeq := map[int64]int64{}
	for _, r := range ctQueryAll(t, db, "SELECT w, seq, COUNT(*) FROM auto WHERE w >= ? AND w < ? GROUP BY w, seq", first, first+killAutoWriters) {
		w, seq := r[0].(int64), r[1].(int64)
		parts[[2]int64{w, seq}] = r[2].(int64)
		if seq >= maxSeq[w] {
			maxSeq[w] = seq + 1
		}
	}
	for k, n := range parts {
		if n != killAutoParts {
			t.Errorf("autocommit statement %v partly present: %d of %d rows", k, n, killAutoParts)
		}
	}
	for w := first; w < first+killAutoWriters; w++ {
		last, ok := autos[w]
		if !ok {
			last = -1
		}
		if n := maxSeq[w]; n < last+1 || n > last+2 {
			t.Errorf("autocommit writer %d: statements 0..%d present, reported up to %d", w, n-1, last)
		}
		for seq := int64(0); seq < maxSeq[w]; seq++ {
			if parts[[2]int64{w, seq}] == 0 {
				t.Errorf("autocommit writer %d: statement %d missing, %d present", w, seq, maxSeq[w])
			}
		}
	}
}

// The child's autocommit writers: how many, and rows per statement.
const (
	killAutoWriters = 3
	killAutoParts   = 3
)

// killAutoWriter is one of the child's autocommit writers: multi-row
// INSERTs, each reported after it returns, and now and then a duplicate
// that must fail without a trace.
func killAutoWriter(db *sql.DB, w int64, out *sync.Mutex, fail func(string, ...any)) {
	for seq := int64(0); ; seq++ {
		if _, err := db.Exec("INSERT INTO auto VALUES (?, ?, 0), (?, ?, 1), (?, ?, 2)", w, seq, w, seq, w, seq); err != nil {
			fail("auto %d/%d: %v", w, seq, err)
		}
		out.Lock()
		fmt.Printf("AUTO %d %d\n", w, seq)
		out.Unlock()
		if seq%7 == 3 {
			if _, err := db.Exec("INSERT INTO auto VALUES (?, ?, 5), (?, ?, 1)", w, seq, w, seq); err == nil {
				fail("auto %d/%d: duplicate accepted", w, seq)
			}
		}
	}
}

// verifyKillRound reopens the file and checks the round's transactions.
func verifyKillRound(t *testing.T, path string, first int64, rows int, reported []int64) {
	t.Helper()
	db, err := sql.Open("bxdb", path)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer db.Close()
	markers := map[int64]int64{}
	for _, r := range ctQueryAll(t, db, "SELECT tx, n FROM marker WHERE tx >= ? AND tx < ?", first, first+1_000_000) {
		markers[r[0].(int64)] = r[1].(int64)
	}
	items := map[int64]int64{}
	for _, r := range ctQueryAll(t, db, "SELECT tx, COUNT(*) FROM item WHERE tx >= ? AND tx < ? GROUP BY tx", first, first+1_000_000) {
		items[r[0].(int64)] = r[1].(int64)
	}
	// 1. Every reported transaction is whole.
	last := first - 1
	for _, id := range reported {
		if n, ok := markers[id]; !ok || n != int64(rows) || items[id] != int64(rows) {
			t.Errorf("reported transaction %d: marker %v (n=%d), %d items; want n=%d items", id, ok, n, items[id], rows)
		}
		last = id
	}
	// 2. Nothing is partly present.
	for id, cnt := range items {
		if n, ok := markers[id]; !ok || n != cnt {
			t.Errorf("transaction %d partly present: marker %v (n=%d), %d items", id, ok, n, cnt)
		}
	}
	// 3. Exactly first..k are present, except the rolled-back ones; k is
	// the last reported id or the next committed one.
	next := last + 1
	if killRolledBack(next) {
		next++
	}
	for id := range markers {
		if id < first || (id > last && id != next) || killRolledBack(id) {
			t.Errorf("transaction %d present; reported up to %d (rolled back: %v)", id, last, killRolledBack(id))
		}
	}
	for id := first; id <= last; id++ {
		if _, ok := markers[id]; ok == killRolledBack(id) {
			t.Errorf("transaction %d: present %v, rolled back %v", id, ok, killRolledBack(id))
		}
	}
	// The database still takes writes.
	if _, err := db.Exec("INSERT INTO marker VALUES (?, 0)", -first); err != nil {
		t.Errorf("write after reopen: %v", err)
	}
}

// killRolledBack reports whether the child rolls transaction id back.
func killRolledBack(id int64) bool { return id%5 == 4 }

// killChild is the child's side: commit transactions until killed.
func killChild() {
	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "kill child: "+format+"\n", args...)
		os.Exit(3)
	}
	first, err := strconv.ParseInt(os.Getenv("BXDB_KILL_FIRST"), 10, 64)
	if err != nil {
		fail("BXDB_KILL_FIRST: %v", err)
	}
	rows, err := strconv.Atoi(os.Getenv("BXDB_KILL_ROWS"))
	if err != nil {
		fail("BXDB_KILL_ROWS: %v", err)
	}
	db, err := sql.Open("bxdb", os.Getenv("BXDB_KILL_DSN"))
	if err != nil {
		fail("open: %v", err)
	}
	if err := db.Ping(); err != nil {
		fail("ping: %v", err)
	}
	fmt.Println("READY")
	var out sync.Mutex
	for w := range int64(killAutoWriters) {
		go killAutoWriter(db, first+w, &out, fail)
	}
	pad := strings.Repeat("p", 150)
	deadline := time.Now().Add(2 * time.Minute) // an orphan stops by itself
	for id := first; time.Now().Before(deadline); id++ {
		tx, err := db.Begin()
		if err != nil {
			fail("begin %d: %v", id, err)
		}
		if _, err := tx.Exec("INSERT INTO marker VALUES (?, ?)", id, rows); err != nil {
			fail("marker %d: %v", id, err)
		}
		// Items one by one and in multi-row statements.
		for i := 0; i < rows; {
			k := min(rows-i, 1+int(id%4)*3)
			q := "INSERT INTO item VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", k), ", ")
			args := make([]any, 0, 3*k)
			for j := range k {
				args = append(args, id, i+j, pad[:(i+j)%150])
			}
			if _, err := tx.Exec(q, args...); err != nil {
				fail("items %d: %v", id, err)
			}
			i += k
		}
		if killRolledBack(id) {
			if err := tx.Rollback(); err != nil {
				fail("rollback %d: %v", id, err)
			}
			continue
		}
		if err := tx.Commit(); err != nil {
			fail("commit %d: %v", id, err)
		}
		out.Lock()
		fmt.Printf("COMMITTED %d\n", id)
		out.Unlock()
	}
	os.Exit(0)
}
