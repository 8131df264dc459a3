package sqlfront

import (
	"context"
	"io"
	"path/filepath"
	"strconv"
	"testing"
)

// Benchmarks of the engine through the Session API on a real file (with
// NoSync: they measure the engine, not the disk).

// benchEngine opens a file engine with table t (id, a, b) of n rows.
func benchEngine(b *testing.B, n int) (*Engine, *Session) {
	b.Helper()
	e, err := Open(filepath.Join(b.TempDir(), "bench.bxdb"), &Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	s := e.NewSession()
	ctx := context.Background()
	mustExec := func(q string, args ...Value) {
		st, err := s.Prepare(q)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Exec(ctx, st, args); err != nil {
			b.Fatal(err)
		}
	}
	mustExec("CREATE TABLE t (id INT PRIMARY KEY, a INT, b VARCHAR(40), KEY ia (a))")
	mustExec("BEGIN")
	st, _ := s.Prepare("INSERT INTO t VALUES (?, ?, ?)")
	for i := 0; i < n; i++ {
		if _, err := s.Exec(ctx, st, []Value{IntValue(int64(i)), IntValue(int64(i % 1000)), StringValue("value number " + strconv.Itoa(i))}); err != nil {
			b.Fatal(err)
		}
	}
	mustExec("COMMIT")
	return e, s
}

// drain runs a query and reads every row.
func drain(b *testing.B, s *Session, st *Stmt, args ...Value) int {
	rows, err := s.Query(context.Background(), st, args)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	dst := make([]Value, len(rows.Columns()))
	n := 0
	for {
		if err := rows.Next(dst); err == io.EOF {
			return n
		} else if err != nil {
			b.Fatal(err)
		}
		n++
	}
}

func BenchmarkInsertTx(b *testing.B) {
	_, s := benchEngine(b, 0)
	ctx := context.Background()
	st, _ := s.Prepare("INSERT INTO t VALUES (?, ?, ?)")
	begin, _ := s.Prepare("BEGIN")
	commit, _ := s.Prepare("COMMIT")
	s.Exec(ctx, begin, nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Exec(ctx, st, []Value{IntValue(int64(i)), IntValue(int64(i % 1000)), StringValue("value number")}); err != nil {
			b.Fatal(err)
		}
	}
	s.Exec(ctx, commit, nil)
}

func BenchmarkInsertAutocommit(b *testing.B) {
	_, s := benchEngine(b, 0)
	ctx := context.Background()
	st, _ := s.Prepare("INSERT INTO t VALUES (?, ?, ?)")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Exec(ctx, st, []Value{IntValue(int64(i)), IntValue(int64(i % 1000)), StringValue("value number")}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPointSelect(b *testing.B) {
	_, s := benchEngine(b, 100000)
	st, _ := s.Prepare("SELECT id, a, b FROM t WHERE id = ?")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if drain(b, s, st, IntValue(int64(i*7919%100000))) != 1 {
			b.Fatal("no row")
		}
	}
}

func BenchmarkIndexRange(b *testing.B) {
	_, s := benchEngine(b, 100000)
	st, _ := s.Prepare("SELECT id, b FROM t WHERE a = ?")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if drain(b, s, st, IntValue(int64(i%1000))) != 100 {
			b.Fatal("bad count")
		}
	}
}

func BenchmarkFullScanFilter(b *testing.B) {
	_, s := benchEngine(b, 100000)
	st, _ := s.Prepare("SELECT id FROM t WHERE b LIKE '%99999%'")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		drain(b, s, st)
	}
}

func BenchmarkCountStar(b *testing.B) {
	_, s := benchEngine(b, 100000)
	st, _ := s.Prepare("SELECT COUNT(*) FROM t WHERE id > ?")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		drain(b, s, st, IntValue(500))
	}
}

func BenchmarkGroupBy(b *testing.B) {
	_, s := benchEngine(b, 100000)
	st, _ := s.Prepare("SELECT a, COUNT(*), MAX(id) FROM t GROUP BY a")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		drain(b, s, st)
	}
}

func BenchmarkPointSelectSmall(b *testing.B) {
	_, s := benchEngine(b, 1000)
	st, _ := s.Prepare("SELECT id, a, b FROM t WHERE id = ?")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if drain(b, s, st, IntValue(int64(i%1000))) != 1 {
			b.Fatal("no row")
		}
	}
}

func BenchmarkScan20k(b *testing.B) {
	_, s := benchEngine(b, 20000)
	st, _ := s.Prepare("SELECT id, a FROM t WHERE a = 7 OR b = 'x'")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		drain(b, s, st)
	}
}

func BenchmarkGroup20k(b *testing.B) {
	_, s := benchEngine(b, 20000)
	st, _ := s.Prepare("SELECT a, COUNT(*), MAX(id) FROM t GROUP BY a")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		drain(b, s, st)
	}
}

// BenchmarkScanFilterInt reads every row of t through a filter on an
// integer column that few rows pass (a filtered full scan: cursor, row
// decoding of the columns named, filter).
func BenchmarkScanFilterInt(b *testing.B) {
	_, s := benchEngine(b, 100000)
	st, _ := s.Prepare("SELECT COUNT(*) FROM t WHERE a + 0 > 990")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		drain(b, s, st)
	}
}
