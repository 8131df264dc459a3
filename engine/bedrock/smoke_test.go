package bedrock

import (
	"bytes"
	"testing"
)

func TestSmoke(t *testing.T) {
	fs := NewMemFS()
	s, err := Open("db", &Options{FS: fs, InitialSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	tx, _ := s.Begin(true)
	var lbas []LBA
	for i := 0; i < 1000; i++ {
		l, err := tx.Alloc()
		if err != nil {
			t.Fatal(err)
		}
		lbas = append(lbas, l)
		if err := tx.Put(l, bytes.Repeat([]byte{byte(i)}, i%4000)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open("db", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	rtx, _ := s.Begin(false)
	for i, l := range lbas {
		d, err := rtx.Get(l)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(d, bytes.Repeat([]byte{byte(i)}, i%4000)) {
			t.Fatalf("lba %d: wrong data", l)
		}
	}
	rtx.Rollback()
	rep, err := s.Check()
	if err != nil || !rep.OK() {
		t.Fatal(err, rep.Problems)
	}
	t.Logf("%+v", s.Stats())
}
