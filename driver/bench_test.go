package driver_test

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/bxdb/bxdb/driver"
)

// Benchmarks of the workloads of conformance/sqlbench_test.go, one per
// function so that each can be profiled alone:
//
//	go test ./driver/ -run '^$' -bench BenchmarkW3 -cpuprofile cpu.out

// benchRows is the table size of the read and update benchmarks:
// BXDB_BENCH_ROWS, or 100,000.
func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("BXDB_BENCH_ROWS")); err == nil && n >= 1000 {
		return n
	}
	return 100000
}

// benchPayload returns the 100-byte VARCHAR of row id.
func benchPayload(id int) string {
	s := fmt.Sprintf("row-%010d-", id)
	return s + strings.Repeat(string(rune('a'+id%26)), 100-len(s))
}

// benchDB opens a database file with table t of n rows loaded in
// transactions of 10,000.
func benchDB(b *testing.B, n int) *sql.DB {
	b.Helper()
	db, err := sql.Open("bxdb", filepath.Join(b.TempDir(), "bench.bxdb")+"?cache=64MiB&sync=full")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(4)
	if _, err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR(100) NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	benchLoad(b, db, 1, n)
	return db
}

// benchLoad inserts rows lo..lo+n-1 in transactions of 10,000.
func benchLoad(b *testing.B, db *sql.DB, lo, n int) {
	b.Helper()
	for start := lo; start < lo+n; start += 10000 {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		st, err := tx.Prepare("INSERT INTO t (id, v) VALUES (?, ?)")
		if err != nil {
			b.Fatal(err)
		}
		for id := start; id < start+10000 && id < lo+n; id++ {
			if _, err := st.Exec(id, benchPayload(id)); err != nil {
				b.Fatal(err)
			}
		}
		st.Close()
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkW1BulkLoad(b *testing.B) {
	db := benchDB(b, 0)
	b.ResetTimer()
	benchLoad(b, db, 1, b.N)
}

func benchAutocommit(b *testing.B, g int) {
	db := benchDB(b, 20000)
	var next atomic.Int64
	next.Store(20001)
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N/g + 1
	for w := 0; w < g; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				id := next.Add(1)
				if _, err := db.Exec("INSERT INTO t (id, v) VALUES (?, ?)", id, benchPayload(int(id))); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkW2Autocommit1(b *testing.B) { benchAutocommit(b, 1) }
func BenchmarkW2Autocommit8(b *testing.B) { benchAutocommit(b, 8) }

// sharedReadDB is the table of benchRows() rows the read benchmarks share.
var sharedReadDB struct {
	once sync.Once
	db   *sql.DB
	dir  string
}

// TestMain removes the shared read table's directory after the run: it
// outlives any one benchmark, so b.TempDir cannot own it.
func TestMain(m *testing.M) {
	code := m.Run()
	if sharedReadDB.db != nil {
		sharedReadDB.db.Close()
	}
	if sharedReadDB.dir != "" {
		os.RemoveAll(sharedReadDB.dir)
	}
	os.Exit(code)
}

// readDB returns the shared read table, loading it on first use.
func readDB(b *testing.B) *sql.DB {
	sharedReadDB.once.Do(func() {
		dir, err := os.MkdirTemp("", "bxdb-bench")
		if err != nil {
			b.Fatal(err)
		}
		sharedReadDB.dir = dir
		db, err := sql.Open("bxdb", filepath.Join(dir, "bench.bxdb")+"?cache=64MiB&sync=full")
		if err != nil {
			b.Fatal(err)
		}
		db.SetMaxOpenConns(4)
		if _, err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR(100) NOT NULL)"); err != nil {
			b.Fatal(err)
		}
		benchLoad(b, db, 1, benchRows())
		sharedReadDB.db = db
	})
	return sharedReadDB.db
}

func BenchmarkW3PointSelect(b *testing.B) {
	n := benchRows()
	db := readDB(b)
	st, err := db.Prepare("SELECT v FROM t WHERE id = ?")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	r := rand.New(rand.NewPCG(1, 9))
	var v string
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := 1 + r.IntN(n)
		if err := st.QueryRow(id).Scan(&v); err != nil || len(v) != 100 {
			b.Fatal(id, err, v)
		}
	}
}

func BenchmarkW4RangeScan(b *testing.B) {
	n := benchRows()
	db := readDB(b)
	st, err := db.Prepare("SELECT id, v FROM t WHERE id >= ? AND id < ? ORDER BY id")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lo := 1 + r.IntN(n-1000)
		rows, err := st.Query(lo, lo+1000)
		if err != nil {
			b.Fatal(err)
		}
		var id int
		var v string
		k := 0
		for rows.Next() {
			if err := rows.Scan(&id, &v); err != nil || id != lo+k {
				b.Fatal(err, id)
			}
			k++
		}
		rows.Close()
		if k != 1000 {
			b.Fatal(k)
		}
	}
}

func BenchmarkW6UpdateTx(b *testing.B) {
	n := benchRows()
	db := benchDB(b, n)
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		st, err := tx.Prepare("UPDATE t SET v = ? WHERE id = ?")
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < 100 && done < b.N; j++ {
			id := 1 + r.IntN(n)
			if _, err := st.Exec(benchPayload(id+7), id); err != nil {
				b.Fatal(err)
			}
			done++
		}
		st.Close()
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkW7Open(b *testing.B) {
	n := benchRows()
	path := filepath.Join(b.TempDir(), "bench.bxdb")
	db, err := sql.Open("bxdb", path+"?cache=64MiB&sync=full")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR(100) NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	benchLoad(b, db, 1, n)
	db.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		db, err := sql.Open("bxdb", path+"?cache=64MiB&sync=full")
		if err != nil {
			b.Fatal(err)
		}
		var v string
		if err := db.QueryRow("SELECT v FROM t WHERE id = ?", n/2).Scan(&v); err != nil || len(v) != 100 {
			b.Fatal(err)
		}
		b.StopTimer() // as conformance's W7: open to first query
		db.Close()
		b.StartTimer()
	}
}
