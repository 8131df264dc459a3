package bedrock

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestFullKeepsMapRuns fills a file that cannot grow the way a SQL table
// does (new blocks; rewrites that make a block bigger, keep its size or
// make it smaller; deletes that shrink a block and free another, marked
// with MarkFreeing), with blocks that pack to anything from one unit to a
// whole block, so that the free space of the full file is small holes.
// At every reopen the file keeps whole-block runs of free units for a
// rewrite of every map block (what a DROP TABLE needs); a marked delete
// never fails with ErrFull; once full, a transaction freeing a block in
// every map segment commits; every acknowledged commit reads back.
func TestFullKeepsMapRuns(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			fs := &limitFS{MemFS: NewMemFS(), limit: 1 << 62}
			opts := &Options{FS: fs}
			s, err := Open("db", opts)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { s.Close() }()
			fs.limit = int64(len(memFSBytes(fs.MemFS, "db"))) + 12<<20
			rng := rand.New(rand.NewPCG(seed, 99))
			model := map[LBA][]byte{}
			var lbas []LBA // the keys of model, in a stable order
			block := func(size int) []byte {
				b := make([]byte, 4000)
				for i := range size {
					b[i] = byte(rng.Uint32()) // incompressible, the rest packs away
				}
				return b
			}
			size := func() int { return 2000 + rng.IntN(1500) }
			// commit writes news new blocks, rewrites the blocks of
			// rewrite with bodies of the given sizes, frees the blocks of
			// free; it reports the error and applies the model on success.
			commit := func(news int, rewrite []LBA, sizes []int, free []LBA, mark bool) error {
				tx, err := s.Begin(true)
				if err != nil {
					t.Fatal(err)
				}
				put := map[LBA][]byte{}
				for range news {
					l, err := tx.Alloc()
					if err != nil {
						t.Fatal(err)
					}
					put[l] = block(size())
				}
				for i, l := range rewrite {
					put[l] = block(sizes[i])
				}
				for l, b := range put {
					if err := tx.Put(l, b); err != nil {
						t.Fatal(err)
					}
				}
				for _, l := range free {
					if err := tx.Free(l); err != nil {
						t.Fatal(err)
					}
				}
				if mark {
					tx.MarkFreeing()
				}
				if err := tx.Commit(); err != nil {
					if !errors.Is(err, ErrFull) {
						t.Fatal(err)
					}
					return err
				}
				for l, b := range put {
					if model[l] == nil {
						lbas = append(lbas, l)
					}
					model[l] = b
				}
				for _, l := range free {
					delete(model, l)
				}
				return nil
			}
			packed := func(l LBA) int { // a block's incompressible bytes
				b := model[l]
				n := len(b)
				for n > 0 && b[n-1] == 0 {
					n--
				}
				return n
			}
			pick := func() LBA {
				for {
					if l := lbas[rng.IntN(len(lbas))]; model[l] != nil {
						return l
					}
				}
			}
			verify := func(what string) {
				t.Helper()
				tx, err := s.Begin(false)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				for l, want := range model {
					if got, err := tx.Get(l); err != nil || !bytes.Equal(got, want) {
						t.Fatalf("%s: block %d: %v", what, l, err)
					}
				}
			}
			reopen := func(what string) {
				t.Helper()
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				if s, err = Open("db", opts); err != nil {
					t.Fatal(err)
				}
				s.commitMu.Lock()
				s.settle() // what open left (the allocator) is done
				runs, mb := s.mapRuns(1<<62), s.mapBlocks
				s.commitMu.Unlock()
				if runs < mb+2 {
					t.Fatalf("%s: %d whole-block runs free for %d map blocks", what, runs, mb)
				}
				verify(what)
			}
			// Fill with commits of new blocks until the file is full.
			for commit(1+rng.IntN(8), nil, nil, nil, false) == nil {
			}
			reopen("filled")
			// Then rewrites and deletes: each rewrite changes a block's
			// incompressible part by up to 600 bytes either way.
			refused := 0
			for i := range 1200 {
				switch k := rng.IntN(10); {
				case k < 8:
					var rw []LBA
					var sizes []int
					for range 1 + rng.IntN(4) {
						l := pick()
						rw = append(rw, l)
						sizes = append(sizes, max(1, min(3990, packed(l)-300+rng.IntN(601))))
					}
					if commit(0, rw, sizes, nil, false) != nil {
						refused++
					}
				case k < 9:
					if commit(1+rng.IntN(3), nil, nil, nil, false) != nil {
						refused++
					}
				default:
					// A delete: one block shrinks, another goes.
					l, f := pick(), pick()
					if l == f {
						continue
					}
					if err := commit(0, []LBA{l}, []int{packed(l) * 3 / 4}, []LBA{f}, true); err != nil {
						t.Fatalf("update %d: a marked delete on a full file: %v", i, err)
					}
				}
				if i%200 == 199 {
					reopen(fmt.Sprint("after update ", i))
				}
			}
			if refused == 0 {
				t.Fatal("no commit was refused: the file never got full")
			}
			// A free in every map segment rewrites every map block.
			fan := LBA((s.block - headerSize) / refSize)
			var free []LBA
			sorted := slices.Sorted(maps.Keys(model))
			for _, l := range sorted {
				if model[l] != nil && (len(free) == 0 || l/fan != free[len(free)-1]/fan) {
					free = append(free, l)
				}
			}
			if err := commit(0, nil, nil, free, false); err != nil {
				t.Fatalf("freeing a block in each of %d segments of a full file: %v", len(free), err)
			}
			reopen("after the spread free")
			if rep, err := s.Check(); err != nil || !rep.OK() {
				t.Fatalf("Check: %v %v", err, rep.Problems)
			}
		})
	}
}

// TestFullBatchAlone: on a full file, a batch of queued commits that the
// store refuses is applied again one request at a time, so that a delete
// queued beside an insert commits while the insert fails with ErrFull.
func TestFullBatchAlone(t *testing.T) {
	fs := &limitFS{MemFS: NewMemFS(), limit: 1 << 62}
	s, err := Open("db", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fs.limit = int64(len(memFSBytes(fs.MemFS, "db"))) + 4<<20
	rng := rand.New(rand.NewPCG(5, 5))
	block := func(n int) []byte {
		b := make([]byte, 4000)
		for i := range n {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	var lbas []LBA
	for {
		tx, _ := s.Begin(true)
		var add []LBA
		for range 4 {
			l, _ := tx.Alloc()
			tx.Put(l, block(2000+rng.IntN(1500)))
			add = append(add, l)
		}
		if err := tx.Commit(); err != nil {
			if !errors.Is(err, ErrFull) {
				t.Fatal(err)
			}
			break
		}
		lbas = append(lbas, add...)
	}
	// An insert of 50 blocks and a delete (a block shrinks, another goes),
	// queued together.
	ins, _ := s.Begin(true)
	for range 50 {
		l, _ := ins.Alloc()
		ins.Put(l, block(3000))
	}
	del, _ := s.Begin(true)
	shrunk, gone := lbas[7], lbas[9]
	want := block(500)
	del.Put(shrunk, want)
	del.Free(gone)
	del.MarkFreeing()
	rIns, rDel := ins.prepare(), del.prepare()
	s.syncMu.Lock()
	s.commitQ = append(s.commitQ, rIns)
	s.syncMu.Unlock()
	errDel := s.commitDurable(rDel)
	ins.finishCommit(rIns, rIns.err == nil)
	del.finishCommit(rDel, errDel == nil)
	if !rIns.done || !errors.Is(rIns.err, ErrFull) {
		t.Fatalf("the insert of a full file's batch: done %v, %v; want ErrFull", rIns.done, rIns.err)
	}
	if errDel != nil {
		t.Fatalf("the delete queued beside the insert: %v", errDel)
	}
	tx, _ := s.Begin(false)
	defer tx.Rollback()
	if got, err := tx.Get(shrunk); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the block the delete rewrote: %v", err)
	}
	if _, err := tx.Get(gone); !errors.Is(err, ErrNotAllocated) {
		t.Fatalf("the block the delete freed: %v, want ErrNotAllocated", err)
	}
}
