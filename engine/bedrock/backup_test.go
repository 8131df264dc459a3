package bedrock

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBackup copies a store while a writer keeps committing and checks the
// copy holds exactly the state the backup's snapshot saw.
func TestBackup(t *testing.T) {
	fs := NewMemFS()
	s, err := Open("src", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	want := model{}
	tx, _ := s.Begin(true)
	for i := 0; i < 500; i++ {
		l, _ := tx.Alloc()
		d := randBlock(rng, s.PayloadSize())
		tx.Put(l, d)
		want[l] = string(d)
	}
	// Free a few so the copy has holes.
	for l := range want {
		if l%7 == 0 {
			tx.Free(l)
			delete(want, l)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup("dst", &Options{FS: fs}); err != nil {
		t.Fatal(err)
	}
	// The source goes on; the copy must not see that.
	tx, _ = s.Begin(true)
	for l := range want {
		tx.Put(l, []byte("changed"))
		break
	}
	tx.Commit()
	d, err := Open("dst", &Options{FS: fs, MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rtx, _ := d.Begin(false)
	got := readAll(t, rtx, keysOf(want))
	rtx.Rollback()
	if !cmp.Equal(got, want) {
		t.Fatal(cmp.Diff(want, got))
	}
	// New allocations in the copy must not reuse live LBAs.
	wtx, _ := d.Begin(true)
	for i := 0; i < 100; i++ {
		l, _ := wtx.Alloc()
		if _, ok := want[l]; ok {
			t.Fatalf("copy re-allocated live LBA %d", l)
		}
	}
	wtx.Rollback()
	if rep, _ := d.Check(); !rep.OK() {
		t.Fatal(rep.Problems)
	}
	if err := s.Backup("dst", &Options{FS: fs}); err == nil {
		t.Fatal("backup over an existing store succeeded")
	}
}
