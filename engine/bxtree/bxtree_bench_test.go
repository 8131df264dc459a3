package bxtree

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
	bolt "go.etcd.io/bbolt"
)

// Benchmarks of bxtree against bbolt, side by side in one run. The data set
// is benchN() records (default 1,000,000; set BXDB_BENCH_N for quick runs)
// with 8-byte big-endian keys and 100-byte values. Stores live in temporary
// directories that TestMain removes. bedrock gets a cache large enough for
// the whole data set (bbolt reads through mmap and the OS page cache).
//
//	go test -run '^$' -bench . -benchtime 1x ./engine/bxtree/        # load benchmarks once
//	BXDB_BENCH_N=100000 go test -run '^$' -bench . ./engine/bxtree/ # quick

// benchValueSize is the value length of the benchmark records.
const benchValueSize = 100

// benchN returns the number of records of the benchmark data set.
func benchN() int {
	if s := os.Getenv("BXDB_BENCH_N"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return 1_000_000
}

// benchDirs are removed by TestMain after the run.
var benchDirs struct {
	sync.Mutex
	dirs []string
}

// TestMain removes the benchmark fixtures' directories after all tests.
func TestMain(m *testing.M) {
	code := m.Run()
	benchDirs.Lock()
	for _, d := range benchDirs.dirs {
		os.RemoveAll(d)
	}
	benchDirs.Unlock()
	os.Exit(code)
}

// tempDir returns a directory removed at the end of the test binary.
func tempDir(b *testing.B) string {
	d, err := os.MkdirTemp("", "bxtree-bench-")
	if err != nil {
		b.Fatal(err)
	}
	benchDirs.Lock()
	benchDirs.dirs = append(benchDirs.dirs, d)
	benchDirs.Unlock()
	return d
}

// benchKey returns the 8-byte key of record i.
func benchKey(i uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), i) }

// benchValue returns a 100-byte value for record i.
func benchValue(i uint64) []byte {
	v := make([]byte, benchValueSize)
	binary.LittleEndian.PutUint64(v, i)
	return v
}

// openBench opens a bedrock store for benchmarks.
func openBench(b *testing.B, dir string) *bedrock.Store {
	s, err := bedrock.Open(filepath.Join(dir, "bx.db"), &bedrock.Options{CacheSize: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// openBolt opens a bbolt database for benchmarks.
func openBolt(b *testing.B, dir string) *bolt.DB {
	db, err := bolt.Open(filepath.Join(dir, "bolt.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// loadOrder returns the record numbers 0..n-1 in load order.
func loadOrder(n int, random bool) []uint64 {
	ks := make([]uint64, n)
	for i := range ks {
		ks[i] = uint64(i)
	}
	if random {
		rng := rand.New(rand.NewPCG(1, 1))
		rng.Shuffle(n, func(i, j int) { ks[i], ks[j] = ks[j], ks[i] })
	}
	return ks
}

// loadBx loads the records in order into tree "t" of s, 10,000 per
// transaction.
func loadBx(b *testing.B, s *bedrock.Store, order []uint64, o *Options) {
	for i := 0; i < len(order); i += 10000 {
		tx, err := s.Begin(true)
		if err != nil {
			b.Fatal(err)
		}
		tr, err := Open(tx, "t", o)
		if err != nil {
			if tr, err = Create(tx, "t", o); err != nil {
				b.Fatal(err)
			}
		}
		for _, k := range order[i:min(i+10000, len(order))] {
			if err := tr.Put(benchKey(k), 1, benchValue(k)); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil { // flushes a deferred handle
			b.Fatal(err)
		}
	}
}

// flushMode names a benchmark's flushing: the default (deferred) or Eager.
func flushMode(eager bool) string {
	if eager {
		return "eager"
	}
	return "default"
}

// loadBolt loads the records in order into bucket "t", 10,000 per
// transaction.
func loadBolt(b *testing.B, db *bolt.DB, order []uint64) {
	for i := 0; i < len(order); i += 10000 {
		err := db.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("t"))
			if err != nil {
				return err
			}
			for _, k := range order[i:min(i+10000, len(order))] {
				if err := bk.Put(benchKey(k), benchValue(k)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBulkLoad loads the data set in transactions of 10,000, in key
// order and in random order. One op is one whole load; ns/record is the
// figure to compare, filebytes/record the size of the closed file and
// usedbytes/record the part of it bedrock has allocated (the file grows in
// steps).
func BenchmarkBulkLoad(b *testing.B) {
	n := benchN()
	for _, random := range []bool{false, true} {
		order := loadOrder(n, random)
		name := map[bool]string{false: "seq", true: "rand"}[random]
		for _, eager := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/bxtree/%s", name, flushMode(eager)), func(b *testing.B) {
				var size, used int64
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					dir := tempDir(b)
					s := openBench(b, dir)
					b.StartTimer()
					loadBx(b, s, order, &Options{Eager: eager})
					b.StopTimer()
					st := s.Stats()
					used = int64(st.FileUnits-st.FreeUnits) * int64(st.UnitSize)
					s.Close()
					size = fileSize(b, filepath.Join(dir, "bx.db"))
					os.RemoveAll(dir)
					b.StartTimer()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
				b.ReportMetric(float64(size)/float64(n), "filebytes/record")
				b.ReportMetric(float64(used)/float64(n), "usedbytes/record")
			})
		}
		b.Run(name+"/bbolt", func(b *testing.B) {
			var size int64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				dir := tempDir(b)
				db := openBolt(b, dir)
				b.StartTimer()
				loadBolt(b, db, order)
				b.StopTimer()
				db.Close()
				size = fileSize(b, filepath.Join(dir, "bolt.db"))
				os.RemoveAll(dir)
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
			b.ReportMetric(float64(size)/float64(n), "filebytes/record")
		})
	}
}

// fileSize returns the size of the file at path.
func fileSize(b *testing.B, path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}

// fixture is a loaded pair of stores shared by the read benchmarks.
type fixture struct {
	n  int
	bx *bedrock.Store
	bo *bolt.DB
}

// fixtures caches loaded fixtures by size.
var fixtures struct {
	sync.Mutex
	m map[int]*fixture
}

// getFixture returns stores holding n records in tree/bucket "t", loaded in
// random order (so nodes have the fill of a randomly grown tree).
func getFixture(b *testing.B, n int, withBolt bool) *fixture {
	fixtures.Lock()
	defer fixtures.Unlock()
	if fixtures.m == nil {
		fixtures.m = map[int]*fixture{}
	}
	f := fixtures.m[n]
	if f == nil {
		f = &fixture{n: n}
		dir := tempDir(b)
		f.bx = openBench(b, dir)
		loadBx(b, f.bx, loadOrder(n, true), &Options{})
		fixtures.m[n] = f
	}
	if withBolt && f.bo == nil {
		f.bo = openBolt(b, tempDir(b))
		loadBolt(b, f.bo, loadOrder(n, true))
		warm(b, f)
	}
	return f
}

// warm reads every record of both stores once, so that neither engine's
// first benchmark pays for the other's cold cache (bedrock's block cache,
// bbolt's page cache).
func warm(b *testing.B, f *fixture) {
	tx, _ := f.bx.Begin(false)
	tr, err := Open(tx, "t", nil)
	if err != nil {
		b.Fatal(err)
	}
	c := tr.Cursor()
	for ok := c.First(); ok; ok = c.Next() {
	}
	tx.Rollback()
	f.bo.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("t")).ForEach(func(k, v []byte) error { return nil })
	})
}

// BenchmarkGet reads random records, one per op, in one read transaction.
func BenchmarkGet(b *testing.B) {
	f := getFixture(b, benchN(), true)
	b.Run("bxtree", func(b *testing.B) {
		tx, _ := f.bx.Begin(false)
		defer tx.Rollback()
		tr, err := Open(tx, "t", nil)
		if err != nil {
			b.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(2, 2))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			v, _, ok, err := tr.Get(benchKey(rng.Uint64N(uint64(f.n))))
			if err != nil || !ok || len(v) != benchValueSize {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("bbolt", func(b *testing.B) {
		tx, _ := f.bo.Begin(false)
		defer tx.Rollback()
		bk := tx.Bucket([]byte("t"))
		rng := rand.New(rand.NewPCG(2, 2))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if v := bk.Get(benchKey(rng.Uint64N(uint64(f.n)))); len(v) != benchValueSize {
				b.Fatal("missing")
			}
		}
	})
}

// BenchmarkScan1000 reads 1,000 consecutive records (key and value) from a
// random start per op.
func BenchmarkScan1000(b *testing.B) {
	f := getFixture(b, benchN(), true)
	b.Run("bxtree", func(b *testing.B) { benchScanBx(b, f) })
	b.Run("bbolt", func(b *testing.B) {
		tx, _ := f.bo.Begin(false)
		defer tx.Rollback()
		bk := tx.Bucket([]byte("t"))
		rng := rand.New(rand.NewPCG(3, 3))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			c := bk.Cursor()
			n, sum := 0, 0
			for k, v := c.Seek(benchKey(rng.Uint64N(uint64(f.n - 1000)))); k != nil && n < 1000; k, v = c.Next() {
				sum += len(k) + len(v)
				n++
			}
			if n != 1000 {
				b.Fatal(n)
			}
		}
	})
}

// benchScanBx is the bxtree side of BenchmarkScan1000.
func benchScanBx(b *testing.B, f *fixture) {
	tx, _ := f.bx.Begin(false)
	defer tx.Rollback()
	tr, _ := Open(tx, "t", nil)
	rng := rand.New(rand.NewPCG(3, 3))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := tr.Cursor()
		n, sum := 0, 0
		for ok := c.Seek(benchKey(rng.Uint64N(uint64(f.n - 1000)))); ok && n < 1000; ok = c.Next() {
			sum += len(c.Key()) + len(c.Value())
			n++
		}
		if n != 1000 || c.Err() != nil {
			b.Fatal(n, c.Err())
		}
	}
}

// BenchmarkUpdate100 updates 100 random records per transaction; one op is
// one committed transaction.
func BenchmarkUpdate100(b *testing.B) {
	f := getFixture(b, benchN(), true)
	for _, eager := range []bool{false, true} {
		b.Run(fmt.Sprintf("bxtree/%s", flushMode(eager)), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(4, 4))
			st0 := f.bx.Stats()
			io0 := ioWriteBytes()
			for i := 0; i < b.N; i++ {
				tx, _ := f.bx.Begin(true)
				tr, err := Open(tx, "t", &Options{Eager: eager})
				if err != nil {
					b.Fatal(err)
				}
				for j := 0; j < 100; j++ {
					k := rng.Uint64N(uint64(f.n))
					if err := tr.Put(benchKey(k), 2, benchValue(k+1)); err != nil {
						b.Fatal(err)
					}
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			st := f.bx.Stats()
			b.ReportMetric(float64(st.BytesWritten-st0.BytesWritten)/float64(b.N), "B-written/tx")
			b.ReportMetric(float64(ioWriteBytes()-io0)/float64(b.N), "io-B/tx")
			b.ReportMetric(float64(st.Relocated-st0.Relocated)/float64(b.N), "relocated/tx")
			b.ReportMetric(float64(st.FileUnits*uint64(st.UnitSize))/(1<<20), "file-MiB")
		})
	}
	b.Run("bbolt", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(4, 4))
		io0 := ioWriteBytes()
		defer func() { b.ReportMetric(float64(ioWriteBytes()-io0)/float64(b.N), "io-B/tx") }()
		for i := 0; i < b.N; i++ {
			err := f.bo.Update(func(tx *bolt.Tx) error {
				bk := tx.Bucket([]byte("t"))
				for j := 0; j < 100; j++ {
					k := rng.Uint64N(uint64(f.n))
					if err := bk.Put(benchKey(k), benchValue(k+1)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkInterval100k counts and summarises random intervals of 100,000
// records (or n/10 when n is smaller). bbolt has no counts or digests, so
// its side scans the interval (count) and hashes every record (summary).
func BenchmarkInterval100k(b *testing.B) {
	f := getFixture(b, benchN(), true)
	width := uint64(min(100000, f.n/10))
	for _, what := range []string{"Count", "Summary"} {
		b.Run(what+"/bxtree", func(b *testing.B) {
			tx, _ := f.bx.Begin(false)
			defer tx.Rollback()
			tr, _ := Open(tx, "t", nil)
			rng := rand.New(rand.NewPCG(5, 5))
			tr.ResetStats()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				lo := rng.Uint64N(uint64(f.n) - width)
				var n uint64
				var err error
				if what == "Count" {
					n, err = tr.Count(benchKey(lo), benchKey(lo+width))
				} else {
					var s Summary
					s, err = tr.Summary(benchKey(lo), benchKey(lo+width))
					n = s.Count
				}
				if err != nil || n != width {
					b.Fatal(n, err)
				}
			}
			b.ReportMetric(float64(tr.Stats().BlockReads)/float64(b.N), "blockreads/op")
		})
		b.Run(what+"/bbolt-scan", func(b *testing.B) {
			tx, _ := f.bo.Begin(false)
			defer tx.Rollback()
			bk := tx.Bucket([]byte("t"))
			rng := rand.New(rand.NewPCG(5, 5))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				lo := rng.Uint64N(uint64(f.n) - width)
				hi := benchKey(lo + width)
				var n uint64
				var d Digest
				c := bk.Cursor()
				for k, v := c.Seek(benchKey(lo)); k != nil && bytes.Compare(k, hi) < 0; k, v = c.Next() {
					n++
					if what == "Summary" {
						s := sha256.Sum256(append(append([]byte(nil), k...), v...))
						d.xorInto(s[:16])
					}
				}
				if n != width {
					b.Fatal(n)
				}
			}
		})
	}
}

// BenchmarkSummaryBlockReads reports the block reads of one interval
// Summary (interval of a tenth of the records) as n grows tenfold, to show
// the O(log n) cost.
func BenchmarkSummaryBlockReads(b *testing.B) {
	for n := max(benchN()/100, 1000); n <= benchN(); n *= 10 {
		f := getFixture(b, n, false)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			tx, _ := f.bx.Begin(false)
			defer tx.Rollback()
			tr, _ := Open(tx, "t", nil)
			rng := rand.New(rand.NewPCG(6, 6))
			width := uint64(n / 10)
			tr.ResetStats()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				lo := rng.Uint64N(uint64(n) - width)
				if _, err := tr.Summary(benchKey(lo), benchKey(lo+width)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(tr.Stats().BlockReads)/float64(b.N), "blockreads/op")
		})
	}
}

// ioWriteBytes returns the bytes this process has caused to be sent to the
// storage layer (Linux /proc/self/io write_bytes), or 0 where unknown.
func ioWriteBytes() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "write_bytes: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}
