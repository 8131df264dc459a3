package sqlfront

import (
	"errors"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// capFS is a MemFS whose files cannot grow beyond limit bytes, as on a
// full disk.
type capFS struct {
	*bedrock.MemFS
	limit int64
}

type capFile struct {
	bedrock.File
	limit *int64
}

func (fs *capFS) OpenFile(name string, o bedrock.OpenFlags) (bedrock.File, error) {
	f, err := fs.MemFS.OpenFile(name, o)
	if err != nil {
		return nil, err
	}
	return &capFile{File: f, limit: &fs.limit}, nil
}

func (f *capFile) Allocate(size int64) error {
	if size > *f.limit {
		return syscall.ENOSPC
	}
	return f.File.Allocate(size)
}

func (f *capFile) WriteAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > *f.limit {
		return 0, syscall.ENOSPC
	}
	return f.File.WriteAt(p, off)
}

// reopenFull closes e and s and opens full.bxdb of fs again, as a new
// process would (closed when the test ends).
func reopenFull(t *testing.T, fs *capFS, e *Engine, s *Session) (*Engine, *Session) {
	t.Helper()
	s.Close()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return openFull(t, fs)
}

// openFull opens full.bxdb of fs and a session (closed when the test
// ends).
func openFull(t *testing.T, fs *capFS) (*Engine, *Session) {
	t.Helper()
	e, err := Open("full.bxdb", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	s := e.NewSession()
	t.Cleanup(func() { s.Close() })
	return e, s
}

// TestDiskFull fills a database whose file cannot grow: the statement
// that needs the space fails with MySQL's 1114 (wrapping bedrock.ErrFull
// and ENOSPC) and changes nothing; the rows committed before stay, reads
// and deletes go on working, and inserts fit again in the space freed.
func TestDiskFull(t *testing.T) {
	fs := &capFS{MemFS: bedrock.NewMemFS(), limit: 1 << 62}
	_, s := openFull(t, fs)
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, v LONGBLOB)")
	fs.MemFS.Corrupt("full.bxdb", func(d []byte) []byte { fs.limit = int64(len(d)); return d }) // no growth from here on
	blob := BytesValue([]byte(strings.Repeat("x", 100<<10) + strings.Repeat("y", 1)))
	ins, err := s.Prepare("INSERT INTO t VALUES (?, REPEAT(CONCAT(?, ''), 1))")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var full error
	for id := 1; id <= 10000 && full == nil; id++ {
		if _, full = s.Exec(t.Context(), ins, []Value{IntValue(int64(id)), blob}); full == nil {
			n++
		}
	}
	if n == 0 || full == nil {
		t.Fatalf("%d rows inserted, error %v: want some rows, then an error", n, full)
	}
	var se *SQLError
	if !errors.As(full, &se) || se.Number != ErRecordFileFull || !errors.Is(full, bedrock.ErrFull) || !errors.Is(full, syscall.ENOSPC) {
		t.Fatalf("full: %v (%T), want 1114 wrapping ErrFull and ENOSPC", full, full)
	}
	if got := querySQL(t, s, "SELECT COUNT(*), MIN(id), MAX(id), SUM(LENGTH(v)) FROM t"); strings.Join(got[0], " ") != strings.Join([]string{strconv.Itoa(n), "1", strconv.Itoa(n), strconv.Itoa(n * (100<<10 + 1))}, " ") {
		t.Fatalf("after the full insert: %v, want %d rows", got, n)
	}
	execSQL(t, s, "DELETE FROM t WHERE id > 1")
	for id := 2; id <= 3; id++ {
		if _, err := s.Exec(t.Context(), ins, []Value{IntValue(int64(id)), blob}); err != nil {
			t.Fatalf("insert after the delete: %v", err)
		}
	}
	if got := querySQL(t, s, "SELECT COUNT(*) FROM t"); got[0][0] != "3" {
		t.Fatalf("count %v, want 3", got)
	}
}

// TestDiskFullFrees fills a database of many small rows with a secondary
// index until its file cannot grow, then checks that the statements that
// free space all commit: a small DELETE in the same engine, then a DELETE
// of many rows, DROP INDEX, TRUNCATE or DROP TABLE in a fresh engine as
// after a restart. (The free space of such a file is all small holes
// between packed leaves; the map blocks and plain nodes these commits
// write need whole blocks: the allocator's fence.)
func TestDiskFullFrees(t *testing.T) {
	for _, stmt := range []string{"DELETE FROM t WHERE id < 300", "DROP INDEX kn ON t", "TRUNCATE TABLE t", "DROP TABLE t", "DELETE FROM t"} {
		t.Run(stmt, func(t *testing.T) {
			fs := &capFS{MemFS: bedrock.NewMemFS(), limit: 1 << 62}
			e, s := openFull(t, fs)
			execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(2000), n INT, KEY kn (n))")
			fs.limit = 12 << 20
			ins, err := s.Prepare("INSERT INTO t VALUES (?, REPEAT('z', 1500), ?)")
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for id := 0; ; id++ {
				if _, err := s.Exec(t.Context(), ins, []Value{IntValue(int64(id)), IntValue(int64(id % 37))}); err != nil {
					if !errors.Is(err, bedrock.ErrFull) {
						t.Fatal(err)
					}
					break
				}
				n++
			}
			// The process that hit the full file frees space at once.
			execSQL(t, s, "DELETE FROM t WHERE id < 10")
			e, s = reopenFull(t, fs, e, s)
			if _, err := s.Exec(t.Context(), mustPrepare(t, s, stmt), nil); err != nil {
				t.Fatalf("%d rows, full file: %s: %v", n, stmt, err)
			}
		})
	}
}
