package conformance

import (
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // registers driver "sqlite"; the engine that produced the corpus's answers
)

// openSQLiteSLT returns a fresh in-memory SQLite database, closed when t
// ends. NB: every connection to ":memory:" is a database of its own, so the
// pool is pinned to one connection that never expires.
func openSQLiteSLT(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close sqlite: %v", err)
		}
	})
	return db
}

// TestSLTRunnerOnSQLite proves the runner: SQLite produced the corpus's
// answers, so every record of every file must pass against it. A failure
// here is a runner bug (or a damaged corpus), never a bxdb bug. The whole
// corpus takes about 7 s on 2 cores, so all of it runs.
func TestSLTRunnerOnSQLite(t *testing.T) {
	dir := sltCorpusDir(t)
	entries, err := readSLTManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	total := runSLTFiles(t, dir, entries, "sqlite", func(t *testing.T) *sql.DB { return openSQLiteSLT(t) }, nil)
	t.Logf("%d files: %s", len(entries), total)
	if total.Queries == 0 && !t.Failed() {
		t.Fatalf("no query ran")
	}
}

// TestSLTRunnerCatchesCorpusDamage damages three records of a real corpus
// file (a listed result, a hashed result, a statement's expectation) and
// checks that exactly those three fail against SQLite: a runner that
// passes everything would pass TestSLTRunnerOnSQLite too.
func TestSLTRunnerCatchesCorpusDamage(t *testing.T) {
	dir := sltCorpusDir(t)
	entries, err := readSLTManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The first listed file with all three kinds of record.
	var s *sltScript
	var damaged []sltPos
	for _, e := range entries {
		path := filepath.Join(dir, filepath.FromSlash(e.path))
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if s, err = parseSLT(path, src); err != nil {
			t.Fatal(err)
		}
		if damaged = damageSLT(s); len(damaged) == 3 {
			break
		}
	}
	if len(damaged) != 3 {
		t.Fatalf("no corpus file has a statement, a listed and a hashed result")
	}
	var failed []sltPos
	st := newSLTRunner(openSQLiteSLT(t), "sqlite").run(t.Context(), s, func(f *sltFailure) {
		failed = append(failed, f.pos)
	})
	if !slices.Equal(failed, damaged) {
		t.Errorf("failures at %v, want exactly the damaged records %v", failed, damaged)
	}
	t.Logf("%s: %s", s.name, st)
}

// damageSLT breaks the first "statement ok", the first listed result and
// the first hashed result of s, and returns their positions in file order.
func damageSLT(s *sltScript) []sltPos {
	var damaged []sltPos
	var listed, hashed, stmt bool
	for i := range s.records {
		r := &s.records[i]
		switch {
		case !stmt && r.kind == sltStatement && !r.expectError:
			r.expectError, stmt = true, true
		case !listed && r.kind == sltQuery && len(r.expected) > 0 && !strings.Contains(r.expected[0], "hashing to"):
			r.expected[0] += "0"
			listed = true
		case !hashed && r.kind == sltQuery && len(r.expected) == 1 && strings.Contains(r.expected[0], "hashing to"):
			h := r.expected[0]
			r.expected[0] = h[:len(h)-1] + "x"
			hashed = true
		default:
			continue
		}
		damaged = append(damaged, r.pos)
	}
	return damaged
}
