package sqlfront

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// TestDiskFullWedge fills a file that cannot grow with compressible rows
// in a table of three secondary indexes, through batches, single rows and
// updates past the first "full" error; then the statements that free
// space must commit, in a fresh engine each: a delete of one row, DROP
// INDEX, TRUNCATE (after which inserts fit again), DROP TABLE. (A copy-on-
// write store needs room for what a statement rewrites before the old
// blocks come back: the space kept for that holds every map block's
// rewrite and a margin for deletes; a delete of many rows at once, its
// index entries scattered, may still be refused on a full disk as "table
// is full".)
func TestDiskFullWedge(t *testing.T) {
	for _, stmt := range []string{"DELETE FROM t WHERE id = 7",
		"DROP INDEX kab ON t", "TRUNCATE TABLE t", "DROP TABLE t"} {
		t.Run(stmt, func(t *testing.T) {
			fs := &capFS{MemFS: bedrock.NewMemFS(), limit: 1 << 62}
			e, s := openFull(t, fs)
			execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, a INT NOT NULL, b VARCHAR(64) NOT NULL, v TEXT, KEY ka (a), KEY kb (b), KEY kab (a, b))")
			fs.limit = 16 << 20
			rng := rand.New(rand.NewPCG(1, 2))
			row := func(j int) string {
				return fmt.Sprintf("(%d,%d,'b%08d',REPEAT('%c',%d))", j, rng.IntN(1000), rng.IntN(1e8), 'a'+rng.IntN(26), 800+rng.IntN(2201))
			}
			run := func(q string) error {
				st, err := s.Prepare(q)
				if err == nil {
					_, err = s.Exec(t.Context(), st, nil)
				}
				if err != nil && !errors.Is(err, bedrock.ErrFull) {
					t.Fatalf("%s: %v", q, err)
				}
				return err
			}
			ids := map[int]bool{} // the rows committed
			for i := 0; i < 40000; i += 20 {
				var vs []string
				for j := i; j < i+20; j++ {
					vs = append(vs, row(j))
				}
				if run("INSERT INTO t VALUES "+strings.Join(vs, ",")) != nil {
					break
				}
				for j := i; j < i+20; j++ {
					ids[j] = true
				}
			}
			for i := 40000; i < 43000; i++ {
				if run("INSERT INTO t VALUES "+row(i)) == nil {
					ids[i] = true
				}
			}
			for k := 0; k < 300; k++ {
				run(fmt.Sprintf("UPDATE t SET a=%d, b='b%08d', v=REPEAT('%c',%d) WHERE id=%d", rng.IntN(1000), rng.IntN(1e8), 'a'+rng.IntN(26), 800+rng.IntN(2201), rng.IntN(20000)))
			}
			e, s = reopenFull(t, fs, e, s)
			count := func() string { return querySQL(t, s, "SELECT COUNT(*) FROM t")[0][0] }
			if got := count(); got != fmt.Sprint(len(ids)) {
				t.Fatalf("%s rows after the fill, want %d", got, len(ids))
			}
			if err := run(stmt); err != nil {
				t.Fatalf("full file (%d rows): %s: %v", len(ids), stmt, err)
			}
			if strings.HasPrefix(stmt, "DROP TABLE") {
				return
			}
			// Then more deletes of a row each go through, and once a
			// TRUNCATE freed the table's blocks, inserts fit again.
			deleted := map[int]bool{}
			if stmt == "DELETE FROM t WHERE id = 7" {
				deleted[7] = true
			}
			for id := 1000; id < 1003; id++ {
				if err := run(fmt.Sprintf("DELETE FROM t WHERE id = %d", id)); err != nil {
					t.Fatalf("delete of id %d: %v", id, err)
				}
				deleted[id] = true
			}
			inserted := 0
			if strings.HasPrefix(stmt, "TRUNCATE") {
				for i := 50000; i < 50050; i++ {
					if err := run("INSERT INTO t VALUES " + row(i)); err != nil {
						t.Fatalf("insert after %s: %v", stmt, err)
					}
					inserted++
				}
			}
			want := inserted
			if !strings.HasPrefix(stmt, "TRUNCATE") {
				for id := range ids {
					if !deleted[id] {
						want++
					}
				}
			}
			if got := count(); got != fmt.Sprint(want) {
				t.Fatalf("%s rows at the end, want %d", got, want)
			}
			if got := querySQL(t, s, "CHECK TABLE t"); got[0][3] != "OK" {
				t.Fatalf("CHECK TABLE: %v", got)
			}
		})
	}
}
