package bedrock

import (
	"bytes"
	"testing"
)

// TestAllocApart: AllocApart hands out the LBAs of one map segment
// (aligned, fan LBAs) in order, then of the next one; Alloc hands out the
// LBAs below the first segment, then beyond the apart ones, never theirs;
// after a reopen, what was left of the segment is Alloc's; and every
// block reads back.
func TestAllocApart(t *testing.T) {
	fs := NewMemFS()
	s, err := Open("db", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	fan := LBA(s.geo.fan)
	want := map[LBA][]byte{}
	tx, _ := s.Begin(true)
	put := func(l LBA) {
		b := bytes.Repeat([]byte{byte(l), byte(l >> 8)}, 50)
		if err := tx.Put(l, b); err != nil {
			t.Fatal(err)
		}
		want[l] = b
	}
	var plain, apart []LBA
	for i := range 3 * int(fan) {
		if i%3 == 0 {
			l, err := tx.AllocApart()
			if err != nil {
				t.Fatal(err)
			}
			apart = append(apart, l)
			put(l)
		} else {
			l, err := tx.Alloc()
			if err != nil {
				t.Fatal(err)
			}
			plain = append(plain, l)
			put(l)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// fan apart LBAs: exactly the first segment above LBA 1.
	if len(apart) != int(fan) || apart[0] != fan || apart[len(apart)-1] != 2*fan-1 {
		t.Fatalf("apart LBAs %d..%d (%d), want %d..%d", apart[0], apart[len(apart)-1], len(apart), fan, 2*fan-1)
	}
	for i, l := range apart {
		if l != fan+LBA(i) {
			t.Fatalf("apart LBA %d is %d, want %d", i, l, fan+LBA(i))
		}
	}
	seen := map[LBA]bool{}
	for _, l := range plain {
		if l >= fan && l < 2*fan || l == 0 || seen[l] {
			t.Fatalf("Alloc handed out %d (apart segment %d..%d, or twice)", l, fan, 2*fan-1)
		}
		seen[l] = true
	}
	// One more apart LBA opens the next segment, above every Alloc one.
	tx, _ = s.Begin(true)
	l, err := tx.AllocApart()
	if err != nil {
		t.Fatal(err)
	}
	if l%fan != 0 || l <= plain[len(plain)-1] {
		t.Fatalf("the next apart LBA is %d, want a segment's first above %d", l, plain[len(plain)-1])
	}
	put(l)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// After a reopen, Alloc hands out the rest of that segment too.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open("db", &Options{FS: fs}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tx, _ = s.Begin(true)
	rest := map[LBA]bool{}
	for range 2 * fan { // the LBAs below the segment, and its rest
		m, err := tx.Alloc()
		if err != nil {
			t.Fatal(err)
		}
		if want[m] != nil {
			t.Fatalf("Alloc after reopen handed out %d, which holds a block", m)
		}
		rest[m] = true
		put(m)
	}
	for k := l + 1; k < l+fan; k++ {
		if !rest[k] {
			t.Fatalf("after reopen, Alloc did not hand out %d, the apart segment's rest", k)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rtx, _ := s.Begin(false)
	defer rtx.Rollback()
	for l, b := range want {
		if got, err := rtx.Get(l); err != nil || !bytes.Equal(got, b) {
			t.Fatalf("block %d: %v", l, err)
		}
	}
}
