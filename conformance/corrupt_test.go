package conformance

// Damaged files through the driver: flipped bits, zeroed blocks and
// truncations of a closed database must give a clean error or exactly the
// committed data, never a panic, a hang or wrong rows.

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// corruptRows is the contents TestCorruptFileThroughDriver commits.
const corruptRows = 3000

// corruptValue is row id's v.
func corruptValue(id int) string {
	return fmt.Sprintf("value-%d-%s", id, strings.Repeat(string(rune('a'+id%26)), id%90))
}

// TestCorruptFileThroughDriver damages a closed database in many ways and
// opens each copy through database/sql. Every query must fail with an
// error or return exactly the committed rows; writes may fail but must not
// panic; nothing may take longer than a generous deadline. BXDB_SOAK=1
// runs ten times as many damaged copies. The seed is logged.
func TestCorruptFileThroughDriver(t *testing.T) {
	if testing.Short() {
		t.Skip("corruption sweep skipped in -short mode")
	}
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.bxdb")
	db, err := sql.Open("bxdb", clean)
	if err != nil {
		t.Fatal(err)
	}
	ctExec(t, db, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(200) NOT NULL, n INT NOT NULL, KEY by_n (n))")
	ctExec(t, db, "CREATE TABLE u (k VARCHAR(20) PRIMARY KEY, w BIGINT)")
	for lo := 0; lo < corruptRows; lo += 500 {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		for id := lo; id < lo+500; id++ {
			if _, err := tx.Exec("INSERT INTO t VALUES (?, ?, ?)", id, corruptValue(id), id%97); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 50; i++ {
		ctExec(t, db, "INSERT INTO u VALUES (?, ?)", fmt.Sprintf("k%03d", i), i*i)
	}
	// Some history: updates and deletes leave freed blocks behind.
	ctExec(t, db, "UPDATE t SET n = n + 1000 WHERE id % 7 = 0")
	ctExec(t, db, "DELETE FROM t WHERE id % 11 = 0")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	want := corruptExpected()
	image, err := os.ReadFile(clean)
	if err != nil {
		t.Fatal(err)
	}
	// The undamaged copy passes the queries: the checker itself is sound.
	if got := corruptTrial(t, clean, want); got != "ok" {
		t.Fatalf("undamaged database: %s", got)
	}

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 11))
	trials := 60
	if os.Getenv("BXDB_SOAK") != "" {
		trials = 600
	}
	outcomes := map[string]int{}
	for trial := 0; trial < trials; trial++ {
		img := append([]byte(nil), image...)
		what := corruptDamage(rng, &img)
		path := filepath.Join(dir, fmt.Sprintf("damaged-%d.bxdb", trial))
		if err := os.WriteFile(path, img, 0o644); err != nil {
			t.Fatal(err)
		}
		got := corruptTrial(t, path, want)
		if strings.HasPrefix(got, "WRONG") {
			t.Fatalf("trial %d (%s): %s", trial, what, got)
		}
		outcomes[got]++
		os.Remove(path)
	}
	t.Logf("%d damaged copies: %v", trials, outcomes)
	if outcomes["ok"] == trials {
		t.Errorf("no damage was ever noticed: the sweep tested nothing")
	}
}

// corruptExpected returns the committed contents of t and u, as the
// queries of corruptTrial print them.
func corruptExpected() map[string]string {
	var all, byN strings.Builder
	count := 0
	for id := 0; id < corruptRows; id++ {
		if id%11 == 0 {
			continue
		}
		n := id % 97
		if id%7 == 0 {
			n += 1000
		}
		fmt.Fprintf(&all, "%d|%s|%d\n", id, corruptValue(id), n)
		if n == 42 {
			fmt.Fprintf(&byN, "%d\n", id)
		}
		count++
	}
	var u strings.Builder
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&u, "k%03d|%d\n", i, i*i)
	}
	return map[string]string{
		"SELECT id, v, n FROM t ORDER BY id":        all.String(),
		"SELECT id FROM t WHERE n = 42 ORDER BY id": byN.String(),
		"SELECT COUNT(*) FROM t":                    fmt.Sprintf("%d\n", count),
		"SELECT k, w FROM u ORDER BY k":             u.String(),
		"SELECT v FROM t WHERE id = 1234":           corruptValue(1234) + "\n",
	}
}

// corruptDamage damages img in one of several ways and says how. The
// damage lands in the written part of the file (4 KiB pages that are not
// all zero): the rest is preallocated free space.
func corruptDamage(rng *rand.Rand, img *[]byte) string {
	b := *img
	var used []int
	for off := 0; off+4096 <= len(b); off += 4096 {
		for _, c := range b[off : off+4096] {
			if c != 0 {
				used = append(used, off)
				break
			}
		}
	}
	page := func() int { return used[rng.IntN(len(used))] }
	switch rng.IntN(6) {
	case 0, 1, 2: // a few flipped bits
		var at []int
		for k := 1 + rng.IntN(4); k > 0; k-- {
			off := page() + rng.IntN(4096)
			b[off] ^= 1 << rng.IntN(8)
			at = append(at, off)
		}
		return fmt.Sprintf("bits flipped at %v", at)
	case 3: // a zeroed 4 KiB block
		off := page()
		clear(b[off : off+4096])
		return fmt.Sprintf("block at %d zeroed", off)
	case 4: // a torn 512-byte sector of garbage
		off := page() + rng.IntN(8)*512
		for i := off; i < off+512; i++ {
			b[i] = byte(rng.Uint32())
		}
		return fmt.Sprintf("sector at %d overwritten", off)
	default: // truncated inside the written part
		n := rng.IntN(used[len(used)-1] + 4096)
		*img = b[:n]
		return fmt.Sprintf("truncated to %d bytes", n)
	}
}

// corruptTrial opens path and runs the queries of want under a deadline.
// It returns "ok" when every query returned exactly the committed rows,
// "error" when some failed cleanly (and none was wrong), or a message
// starting with WRONG.
func corruptTrial(t *testing.T, path string, want map[string]string) string {
	t.Helper()
	done := make(chan string, 1)
	go func() { done <- corruptQueries(path, want) }()
	select {
	case got := <-done:
		return got
	case <-time.After(60 * time.Second):
		return "WRONG: no answer within 60s (hang)"
	}
}

// corruptQueries is corruptTrial's work.
func corruptQueries(path string, want map[string]string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("bxdb", path)
	if err != nil {
		return "error"
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return "error"
	}
	result := "ok"
	for q, w := range want {
		got, err := corruptQuery(ctx, db, q)
		if err != nil {
			if ctx.Err() != nil {
				return "WRONG: deadline passed: " + err.Error()
			}
			result = "error"
			continue
		}
		if got != w {
			return fmt.Sprintf("WRONG: %s returned %d bytes that differ from the committed %d", q, len(got), len(w))
		}
	}
	// A write may fail (the store may refuse writes once it saw damage)
	// but must not panic or hang.
	if _, err := db.ExecContext(ctx, "INSERT INTO u VALUES ('zz', 1)"); err != nil && ctx.Err() != nil {
		return "WRONG: write hung: " + err.Error()
	}
	return result
}

// corruptQuery returns a query's rows, one line each, columns joined by |.
func corruptQuery(ctx context.Context, db *sql.DB, q string) (string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteByte('|')
			}
			b.Write(v)
		}
		b.WriteByte('\n')
	}
	return b.String(), rows.Err()
}
