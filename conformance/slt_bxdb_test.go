package conformance

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/bxdb/bxdb/driver" // registers driver "bxdb"
)

// sltEngine is the name bxdb answers to in skipif/onlyif lines: the corpus
// treats it as MySQL.
const sltEngine = "mysql"

// openBxdbSLT returns a fresh bxdb database in a file of its own under
// t.TempDir(), closed when t ends.
func openBxdbSLT(t *testing.T) *sql.DB {
	t.Helper()
	// sync=off: the corpus checks SQL semantics, not durability (which the
	// bedrock crash tests and the kill tests cover), and ~30,000 autocommit
	// statements would otherwise each wait for the disk.
	db, err := sql.Open("bxdb", filepath.Join(t.TempDir(), "slt.bxdb")+"?sync=off")
	if err != nil {
		t.Fatalf("open bxdb: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close bxdb: %v", err)
		}
	})
	return db
}

// TestSLTCorpus runs every file in the corpus MANIFEST against bxdb, each in
// a fresh database, and requires every record to pass. Run one file with
// -run 'TestSLTCorpus/files/index/between/1/'. With BXDB_SLT_ORACLE=1 every
// file also runs on an in-memory SQLite, and each failed query shows what
// SQLite answers: useful where the file holds only a hash.
func TestSLTCorpus(t *testing.T) {
	dir := sltCorpusDir(t)
	entries, err := readSLTManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	var oracle func(t *testing.T) *sql.DB
	if os.Getenv("BXDB_SLT_ORACLE") != "" {
		oracle = func(t *testing.T) *sql.DB { return openSQLiteSLT(t) }
	}
	total := runSLTFiles(t, dir, entries, sltEngine, openBxdbSLT, oracle)
	t.Logf("%d files: %s", len(entries), total)
	if total.Queries == 0 && !t.Failed() {
		t.Fatalf("no query ran")
	}
}

// TestSLTExtra runs testdata/slt, the sqllogictest families shared/slt
// does not hold (select, random/*, index/random, index/view, evidence), on
// SQLite, which proves the files and the runner, and on bxdb: every record
// must pass on both.
func TestSLTExtra(t *testing.T) {
	const dir = "testdata/slt"
	entries, err := readSLTManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	engines := []struct {
		name, as string
		open     func(t *testing.T) *sql.DB
	}{
		{"sqlite", "sqlite", func(t *testing.T) *sql.DB { return openSQLiteSLT(t) }},
		{"bxdb", sltEngine, openBxdbSLT},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			total := runSLTFiles(t, dir, entries, e.as, e.open, nil)
			t.Logf("%d files: %s", len(entries), total)
			if total.Queries == 0 && !t.Failed() {
				t.Fatalf("no query ran")
			}
		})
	}
}
