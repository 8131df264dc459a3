//go:build linux

package bedrock

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Benchmarks on real files. They need a disk-backed directory: b.TempDir
// when it is not on tmpfs, else a directory next to the repository.
// Every figure that compares against the hardware measures the hardware
// in the same run (fdatasync latency, sequential write bandwidth).
//
//	go test -run='^$' -bench=. -benchtime=1x ./engine/bedrock/   # smoke, a few minutes at most
//	go test -run='^$' -bench=. ./engine/bedrock/                 # figures

// benchDir returns a directory on a real disk for one benchmark.
func benchDir(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	var st syscall.Statfs_t
	const tmpfsMagic = 0x01021994
	if err := syscall.Statfs(dir, &st); err != nil || st.Type != tmpfsMagic {
		return dir
	}
	// TempDir is on tmpfs: use the directory holding the repository.
	wd, _ := os.Getwd()
	root := wd
	for root != "/" {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		root = filepath.Dir(root)
	}
	dir, err := os.MkdirTemp(filepath.Dir(root), "bedrock-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// benchRandom returns n random bytes (incompressible).
func benchRandom(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	out := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := rng.Uint64()
		for j := 0; j < 8; j++ {
			out[i+j] = byte(v >> (8 * j))
		}
	}
	return out
}

// benchText returns n bytes of compressible text-like data.
func benchText(n int, seed uint64) []byte {
	words := []string{"bedrock ", "block ", "commit ", "shadow ", "page ", "segment ", "map ", "durable ", "the ", "of ", "a ", "sync "}
	rng := rand.New(rand.NewPCG(seed, seed))
	out := make([]byte, 0, n+16)
	for len(out) < n {
		out = append(out, words[rng.IntN(len(words))]...)
		if rng.IntN(8) == 0 {
			out = fmt.Appendf(out, "%d ", rng.IntN(100000))
		}
	}
	return out[:n]
}

// measureFdatasync returns the mean latency of a 4 KiB pwrite plus
// fdatasync overwriting an already written, preallocated file in dir.
func measureFdatasync(tb testing.TB, dir string, n int) time.Duration {
	tb.Helper()
	f, err := os.CreateTemp(dir, "fdatasync-")
	if err != nil {
		tb.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	const span = 64
	buf := benchRandom(4096*span, 1)
	if _, err := f.WriteAt(buf, 0); err != nil {
		tb.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		off := int64(i%span) * 4096
		if _, err := f.WriteAt(buf[off:off+4096], off); err != nil {
			tb.Fatal(err)
		}
		if err := datasync(f); err != nil {
			tb.Fatal(err)
		}
	}
	return time.Since(start) / time.Duration(n)
}

// BenchmarkFdatasync is the baseline: this machine's latency of a 4 KiB
// pwrite plus fdatasync, overwriting written blocks of a file (no
// metadata to journal), and appending into fresh preallocated space
// (unwritten extents are converted, which costs a journal commit).
// benchNoParity makes the benchmarks create FormatV1 stores, without
// parity (BXDB_BENCH_NOPARITY=1), to measure what parity costs.
var benchNoParity = os.Getenv("BXDB_BENCH_NOPARITY") != ""

func BenchmarkFdatasync(b *testing.B) {
	b.Run("overwrite", func(b *testing.B) {
		dir := benchDir(b)
		b.ResetTimer()
		lat := measureFdatasync(b, dir, b.N)
		b.ReportMetric(float64(lat.Microseconds()), "us/sync")
		b.ReportMetric(float64(time.Second)/float64(lat), "syncs/s")
	})
	b.Run("fresh-prealloc", func(b *testing.B) {
		f, err := os.Create(filepath.Join(benchDir(b), "f"))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := preallocate(f, int64(b.N+1)*4096); err != nil {
			b.Fatal(err)
		}
		f.Sync()
		buf := benchRandom(4096, 2)
		b.ResetTimer()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			if _, err := f.WriteAt(buf, int64(i)*4096); err != nil {
				b.Fatal(err)
			}
			if err := datasync(f); err != nil {
				b.Fatal(err)
			}
		}
		lat := time.Since(start) / time.Duration(b.N)
		b.ReportMetric(float64(lat.Microseconds()), "us/sync")
		b.ReportMetric(float64(time.Second)/float64(lat), "syncs/s")
	})
}

// benchCommitStore opens a synced store in dir with one block per writer,
// and runs warm commits so the allocator has cycled through the initially
// preallocated (unwritten) space: the figures are the steady state.
func benchCommitStore(b *testing.B, dir string, writers int) (*Store, []LBA, [][]byte) {
	b.Helper()
	s, err := Open(filepath.Join(dir, "db"), &Options{InitialSize: 1 << 20, GrowSize: 1 << 20, DisableParity: benchNoParity})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	tx, _ := s.Begin(true)
	lbas := make([]LBA, writers)
	data := make([][]byte, writers)
	for i := range lbas {
		lbas[i], _ = tx.Alloc()
		data[i] = benchRandom(s.PayloadSize(), uint64(10+i))
		tx.Put(lbas[i], data[i])
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 1000; i++ {
		benchCommitOne(b, s, lbas[0], data[0])
	}
	return s, lbas, data
}

// benchCommitOne commits one block.
func benchCommitOne(b *testing.B, s *Store, l LBA, d []byte) {
	tx, err := s.Begin(true)
	if err != nil {
		b.Fatal(err)
	}
	if err := tx.Put(l, d); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// syncProbe times raw 4 KiB pwrite+fdatasync pairs on a side file of
// written blocks, interleaved with the measured work so that both see the
// same background load (other tenants of the disk make fdatasync latency
// drift by several times within a minute).
type syncProbe struct {
	f     *os.File
	buf   []byte
	n     int
	total time.Duration
}

func newSyncProbe(b *testing.B, dir string) *syncProbe {
	f, err := os.CreateTemp(dir, "probe-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close(); os.Remove(f.Name()) })
	p := &syncProbe{f: f, buf: benchRandom(64*4096, 9)}
	if _, err := f.WriteAt(p.buf, 0); err != nil {
		b.Fatal(err)
	}
	f.Sync()
	return p
}

// sample times one pwrite+fdatasync.
func (p *syncProbe) sample(b *testing.B) {
	off := int64(p.n%64) * 4096
	t0 := time.Now()
	if _, err := p.f.WriteAt(p.buf[off:off+4096], off); err != nil {
		b.Fatal(err)
	}
	if err := datasync(p.f); err != nil {
		b.Fatal(err)
	}
	p.total += time.Since(t0)
	p.n++
}

func (p *syncProbe) latency() time.Duration { return p.total / time.Duration(max(p.n, 1)) }

// BenchmarkCommit1 measures durable commits of one 4 KiB block by one
// committer, against raw pwrite+fdatasync latency sampled in between
// (goal: x-fdatasync = commits/s * fdatasync latency >= 0.8).
func BenchmarkCommit1(b *testing.B) {
	dir := benchDir(b)
	s, lbas, data := benchCommitStore(b, dir, 1)
	probe := newSyncProbe(b, dir)
	st0 := s.Stats()
	b.ResetTimer()
	var el time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		benchCommitOne(b, s, lbas[0], data[0])
		el += time.Since(t0)
		if i%4 == 0 {
			b.StopTimer()
			probe.sample(b)
			b.StartTimer()
		}
	}
	b.StopTimer()
	st := s.Stats()
	rate := float64(b.N) / el.Seconds()
	b.ReportMetric(rate, "commits/s")
	b.ReportMetric(float64(probe.latency().Microseconds()), "fdatasync-us")
	b.ReportMetric(rate*probe.latency().Seconds(), "x-fdatasync")
	b.ReportMetric(float64(st.Syncs-st0.Syncs)/float64(b.N), "syncs/commit")
	b.ReportMetric(float64(st.BytesWritten-st0.BytesWritten)/float64(b.N), "B-written/commit")
	b.ReportMetric(float64(st.FileUnits)*float64(st.UnitSize)/(1<<20), "file-MiB")
}

// BenchmarkCommit8 runs 8 goroutines committing one block each (disjoint
// blocks); group commit should share syncs (goal: x-commit1 >= 4). Rounds
// of 8 committers alternate with rounds of one committer on the same
// store, so both rates see the same background load. The lone commits
// after a round of groups are slower than BenchmarkCommit1's: a group
// leaves the other writers' blocks in the zone after its superblock slot,
// and the next lone commits move them out (Free space in doc.go); compare
// commits/s with BenchmarkCommit1 of the same run too.
func BenchmarkCommit8(b *testing.B) {
	const writers = 8
	dir := benchDir(b)
	s, lbas, data := benchCommitStore(b, dir, writers)
	probe := newSyncProbe(b, dir)
	var el8, el1 time.Duration
	var n1 int
	var groups, commits uint64
	b.ResetTimer()
	for done := 0; done < b.N; {
		round := min(b.N-done, 8*writers)
		st0 := s.Stats()
		t0 := time.Now()
		var wg sync.WaitGroup
		for w := 0; w < writers; w++ {
			n := round / writers
			if w < round%writers {
				n++
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < n; i++ {
					benchCommitOne(b, s, lbas[w], data[w])
				}
			}()
		}
		wg.Wait()
		el8 += time.Since(t0)
		st := s.Stats()
		groups += st.Groups - st0.Groups
		commits += st.Commits - st0.Commits
		done += round
		b.StopTimer()
		t0 = time.Now()
		for i := 0; i < max(round/8, 2); i++ {
			benchCommitOne(b, s, lbas[0], data[0])
			n1++
		}
		el1 += time.Since(t0)
		probe.sample(b)
		b.StartTimer()
	}
	b.StopTimer()
	rate := float64(b.N) / el8.Seconds()
	rate1 := float64(n1) / el1.Seconds()
	b.ReportMetric(rate, "commits/s")
	b.ReportMetric(rate1, "commit1/s")
	b.ReportMetric(rate/rate1, "x-commit1")
	b.ReportMetric(rate*probe.latency().Seconds(), "x-fdatasync")
	b.ReportMetric(float64(commits)/float64(max(groups, 1)), "commits/group")
}

// BenchmarkCommitBesideAsync times durable commits of one block while two
// goroutines keep committing another block through CommitAsync (the path
// of sqlfront), each starting a sync of its own as soon as the last one
// ends. It reports the worst and the 99th-percentile commit latency: a
// durable commit waits for at most the sync running when it came.
func BenchmarkCommitBesideAsync(b *testing.B) {
	s, lbas, data := benchCommitStore(b, benchDir(b), 2)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				tx, err := s.Begin(true)
				if err != nil {
					return
				}
				tx.Put(lbas[1], data[1])
				if wait, err := tx.CommitAsync(); err == nil {
					wait()
				}
			}
		}()
	}
	lats := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		benchCommitOne(b, s, lbas[0], data[0])
		lats = append(lats, time.Since(t0))
	}
	b.StopTimer()
	stop.Store(true)
	wg.Wait()
	slices.Sort(lats)
	b.ReportMetric(float64(lats[len(lats)-1].Microseconds()), "worst-us")
	b.ReportMetric(float64(lats[len(lats)*99/100].Microseconds()), "p99-us")
}

// BenchmarkBulkWrite writes 256 MiB of incompressible blocks in 4 MiB
// NoSync transactions with one Sync at the end, against plain WriteAt of
// the same bytes plus one fdatasync measured in the same run (goal:
// x-raw >= 0.7).
func BenchmarkBulkWrite(b *testing.B) {
	const total = 256 << 20
	const txBytes = 4 << 20
	src := benchRandom(16<<20, 3)
	dir := benchDir(b)
	var storeTime, rawTime time.Duration
	var syncs, relocated uint64
	for i := 0; i < b.N; i++ {
		// Raw: sequential 1 MiB writes and one fdatasync.
		b.StopTimer()
		raw, err := os.Create(filepath.Join(dir, "raw"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		for off := 0; off < total; off += 1 << 20 {
			p := src[off%len(src):][:1<<20]
			if _, err := raw.WriteAt(p, int64(off)); err != nil {
				b.Fatal(err)
			}
		}
		if err := datasync(raw); err != nil {
			b.Fatal(err)
		}
		rawTime += time.Since(t0)
		b.StopTimer()
		raw.Close()
		os.Remove(raw.Name())
		path := filepath.Join(dir, "bulk.db")
		b.StartTimer()

		t0 = time.Now()
		s, err := Open(path, &Options{NoSync: true, DisableParity: benchNoParity})
		if err != nil {
			b.Fatal(err)
		}
		payload := s.PayloadSize()
		written := 0
		for written < total {
			tx, _ := s.Begin(true)
			for n := 0; n < txBytes && written < total; n += payload {
				l, err := tx.Alloc()
				if err != nil {
					b.Fatal(err)
				}
				m := min(payload, total-written)
				off := written % (len(src) - payload)
				if err := tx.Put(l, src[off:off+m]); err != nil {
					b.Fatal(err)
				}
				written += m
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Sync(); err != nil {
			b.Fatal(err)
		}
		storeTime += time.Since(t0)
		b.StopTimer()
		st := s.Stats()
		syncs += st.Syncs
		relocated += st.Relocated
		s.Close()
		os.Remove(path)
		b.StartTimer()
	}
	b.StopTimer()
	mbs := float64(total) * float64(b.N) / storeTime.Seconds() / (1 << 20)
	rawMBs := float64(total) * float64(b.N) / rawTime.Seconds() / (1 << 20)
	b.ReportMetric(mbs, "MB/s")
	b.ReportMetric(rawMBs, "raw-MB/s")
	b.ReportMetric(mbs/rawMBs, "x-raw")
	b.ReportMetric(float64(syncs)/float64(b.N), "syncs")
	b.ReportMetric(float64(relocated)/float64(b.N), "relocated")
}

// benchBuildStore writes a store of about size bytes of incompressible
// blocks at path and returns its LBAs.
func benchBuildStore(b *testing.B, path string, size int64) []LBA {
	b.Helper()
	s, err := Open(path, &Options{NoSync: true, InitialSize: size + size/8, DisableParity: benchNoParity})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	src := benchRandom(16<<20, 4)
	payload := s.PayloadSize()
	var lbas []LBA
	var tx *Tx
	for i := int64(0); i*int64(payload) < size; i++ {
		if tx == nil {
			tx, _ = s.Begin(true)
		}
		l, err := tx.Alloc()
		if err != nil {
			b.Fatal(err)
		}
		off := int(i*int64(payload)) % (len(src) - payload)
		tx.Put(l, src[off:off+payload])
		lbas = append(lbas, l)
		if len(lbas)%1024 == 0 {
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			tx = nil
		}
	}
	if tx != nil {
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	return lbas
}

// benchReads runs random Gets of 4 KiB blocks from a 64 MiB store.
func benchReads(b *testing.B, cache int64) {
	dir := benchDir(b)
	path := filepath.Join(dir, "read.db")
	lbas := benchBuildStore(b, path, 64<<20)
	for _, mode := range []string{"serial", "parallel"} {
		b.Run(mode, func(b *testing.B) {
			s, err := Open(path, &Options{CacheSize: cache, ReadOnly: true, DisableParity: benchNoParity})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if cache > 0 { // warm the cache
				tx, _ := s.Begin(false)
				for _, l := range lbas {
					tx.Get(l)
				}
				tx.Rollback()
			}
			st0 := s.Stats()
			b.SetBytes(int64(s.PayloadSize()))
			b.ResetTimer()
			read := func(rng *rand.Rand, n int) {
				tx, _ := s.Begin(false)
				defer tx.Rollback()
				for i := 0; i < n; i++ {
					if _, err := tx.Get(lbas[rng.IntN(len(lbas))]); err != nil {
						b.Error(err)
						return
					}
				}
			}
			if mode == "serial" {
				read(rand.New(rand.NewPCG(1, 1)), b.N)
			} else {
				var seq sync.Mutex
				var seed uint64
				b.RunParallel(func(pb *testing.PB) {
					seq.Lock()
					seed++
					rng := rand.New(rand.NewPCG(seed, 5))
					seq.Unlock()
					tx, _ := s.Begin(false)
					defer tx.Rollback()
					for pb.Next() {
						if _, err := tx.Get(lbas[rng.IntN(len(lbas))]); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			b.StopTimer()
			st := s.Stats()
			hits, misses := st.CacheHits-st0.CacheHits, st.CacheMisses-st0.CacheMisses
			b.ReportMetric(100*float64(hits)/float64(max(hits+misses, 1)), "hit-%")
		})
	}
}

// BenchmarkReadCached reads random blocks of a 64 MiB store through a
// cache that holds all of it.
func BenchmarkReadCached(b *testing.B) { benchReads(b, 128<<20) }

// BenchmarkReadUncached reads random blocks with the cache disabled
// (CacheSize -1). NB: the OS page cache is not dropped (that needs root),
// so this measures bedrock's read path (pread, checksum, verify) over
// page-cache hits, not disk latency.
func BenchmarkReadUncached(b *testing.B) { benchReads(b, -1) }

// BenchmarkOpen opens a 1 GiB store and a 64 MiB one (built once, reused
// by every iteration): open time follows the size of the map (about one
// map block per 254 data blocks with 4 KiB blocks), which Open reads and
// verifies in full.
func BenchmarkOpen(b *testing.B) {
	dir := benchDir(b)
	for _, size := range []int64{64 << 20, 1 << 30} {
		path := filepath.Join(dir, fmt.Sprintf("open-%d.db", size>>20))
		benchBuildStore(b, path, size)
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			var st Stats
			var el, settled time.Duration
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				s, err := Open(path, &Options{MustExist: true, DisableParity: benchNoParity})
				if err != nil {
					b.Fatal(err)
				}
				el += time.Since(t0)
				st = s.Stats() // waits for the allocator (settle)
				settled += time.Since(t0)
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(el.Microseconds())/1000/float64(b.N), "ms/open")
			b.ReportMetric(float64(settled.Microseconds())/1000/float64(b.N), "ms/open+settle")
			b.ReportMetric(float64(st.Reads), "blocks-read/open")
			b.ReportMetric(float64(size>>20), "MiB-stored")
		})
	}
}

// BenchmarkPacking writes 32 MiB of compressible and incompressible
// blocks with packing on and off: throughput, bytes on disk per block,
// and what packing saved.
func BenchmarkPacking(b *testing.B) {
	const total = 32 << 20
	for _, kind := range []string{"compressible", "incompressible"} {
		var src []byte
		if kind == "compressible" {
			src = benchText(8<<20, 6)
		} else {
			src = benchRandom(8<<20, 6)
		}
		for _, packing := range []bool{true, false} {
			b.Run(fmt.Sprintf("%s/packing=%v", kind, packing), func(b *testing.B) {
				dir := benchDir(b)
				var el time.Duration
				var rep *Report
				var st Stats
				for i := 0; i < b.N; i++ {
					path := filepath.Join(dir, "pack.db")
					t0 := time.Now()
					s, err := Open(path, &Options{NoSync: true, DisablePacking: !packing, DisableParity: benchNoParity})
					if err != nil {
						b.Fatal(err)
					}
					payload := s.PayloadSize()
					for written := 0; written < total; {
						tx, _ := s.Begin(true)
						for n := 0; n < 256 && written < total; n++ {
							l, _ := tx.Alloc()
							off := written % (len(src) - payload)
							tx.Put(l, src[off:off+payload])
							written += payload
						}
						if err := tx.Commit(); err != nil {
							b.Fatal(err)
						}
					}
					if err := s.Sync(); err != nil {
						b.Fatal(err)
					}
					el += time.Since(t0)
					b.StopTimer()
					st = s.Stats()
					if rep, err = s.Check(); err != nil || !rep.OK() {
						b.Fatal(err, rep.Problems)
					}
					s.Close()
					os.Remove(path)
					b.StartTimer()
				}
				blocks := float64(rep.DataBlocks)
				b.ReportMetric(float64(total)*float64(b.N)/el.Seconds()/(1<<20), "MB/s")
				b.ReportMetric(float64(rep.UsedUnits)*float64(rep.UnitSize)/blocks, "disk-B/block")
				b.ReportMetric(float64(st.BytesSaved)/blocks, "saved-B/block")
				b.ReportMetric(100*float64(st.PackedBlocks)/float64(st.BlocksWritten), "packed-%")
			})
		}
	}
}
