package conformance

// This file is the sqllogictest (SLT) mechanism: a parser for the record
// format and a runner that executes the records of one file against any
// *sql.DB and compares the results (rendered by slt_format_test.go). It
// knows nothing about bxdb: slt_sqlite_test.go proves it against SQLite,
// which produced the corpus's answers, and slt_bxdb_test.go points it at
// bxdb. doc.go describes the format.
//
// The behaviour follows the reference runner, sqllogictest.c in SQLite's
// sqllogictest (its verify mode), with these deliberate differences, all
// stricter:
//
//   - A result must have exactly as many values as the expected block. The
//     reference compares only the first min(len) lines.
//   - A query without a "----" line expects an empty result. The reference
//     compares its last SQL line against the first value.
//   - Labels are not truncated to 20 bytes, and only results that matched
//     their expected block register a label's hash (see sltRunner.labels).

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// sltDefaultHashThreshold is the reference's DEFAULT_HASH_THRESHOLD: a file
// that never says "hash-threshold N" hashes results of more than 8 values.
const sltDefaultHashThreshold = 8

// sltMaxReported is how many failures of one file are reported in full.
// Later ones are only counted: once a statement fails, the records after it
// usually fail too, and thousands of copies of one bug help nobody.
const sltMaxReported = 20

// sltShownLines is how many expected and actual lines a failure shows.
const sltShownLines = 12

// sltRecordTimeout bounds one statement or query, so that a hung engine
// fails the file instead of stalling the whole go test run. The slowest
// corpus query takes well under a second on SQLite.
const sltRecordTimeout = time.Minute

// sltPos is where a record starts: the file and the 1-based line of its
// first line (its first skipif/onlyif line, if it has any).
type sltPos struct {
	file string
	line int
}

// String renders the position as file:line, the form editors jump to.
func (p sltPos) String() string { return fmt.Sprintf("%s:%d", p.file, p.line) }

// sltKind is the type of a record.
type sltKind uint8

const (
	sltStatement     sltKind = iota + 1 // statement ok | statement error
	sltQuery                            // query <types> [sort] [label]
	sltHashThreshold                    // hash-threshold N
	sltHalt                             // halt
)

// sltSort is a query's sort mode, applied to the rendered values before
// they are compared or hashed.
type sltSort uint8

const (
	sltNoSort    sltSort = iota // keep the engine's order
	sltRowSort                  // sort rows, column by column, bytewise
	sltValueSort                // sort every value on its own, bytewise
)

// String returns the mode as the file spells it.
func (s sltSort) String() string {
	switch s {
	case sltRowSort:
		return "rowsort"
	case sltValueSort:
		return "valuesort"
	default:
		return "nosort"
	}
}

// sltCond is one skipif/onlyif line in front of a record.
type sltCond struct {
	skip   bool   // true for skipif, false for onlyif
	engine string // compared case-insensitively with the engine under test
}

// sltRecord is one parsed record. Which fields are meaningful depends on
// kind, as marked.
type sltRecord struct {
	pos   sltPos
	conds []sltCond
	kind  sltKind

	sql string // statement, query: the SQL, lines joined by "\n"

	expectError bool // statement: "statement error"

	types       string   // query: one of 'I', 'T', 'R' per result column
	sort        sltSort  // query
	label       string   // query: "" when unlabelled
	hasExpected bool     // query: a "----" line was present
	expected    []string // query: the lines after "----"

	threshold int // hash-threshold
}

// skipped reports whether the conditions exclude engine: a matching skipif
// or a non-matching onlyif skips the record.
func (r *sltRecord) skipped(engine string) bool {
	for _, c := range r.conds {
		if strings.EqualFold(c.engine, engine) == c.skip {
			return true
		}
	}
	return false
}

// sltScript is a parsed file.
type sltScript struct {
	name    string
	records []sltRecord
}

// sltLine is one line of a file with its 1-based number.
type sltLine struct {
	no   int
	text string
}

// parseSLT parses src, naming it name in positions and errors. Lines end in
// "\n" or "\r\n" (the corpus uses CRLF); lines of only white space are
// blank; lines starting with '#' are comments and vanish wherever they are,
// even inside a record, as in the reference. Records are runs of non-blank
// lines. Any malformed record is an error naming its file:line.
func parseSLT(name string, src []byte) (*sltScript, error) {
	s := &sltScript{name: name}
	text := string(src) // one copy; every line is a substring of it
	var block []sltLine
	flush := func() error {
		if len(block) == 0 {
			return nil
		}
		rec, err := parseSLTRecord(name, block)
		block = block[:0]
		if err != nil {
			return err
		}
		s.records = append(s.records, rec)
		return nil
	}
	for no := 1; len(text) > 0; no++ {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		line = strings.TrimSuffix(line, "\r")
		switch {
		case strings.TrimSpace(line) == "":
			if err := flush(); err != nil {
				return nil, err
			}
		case line[0] == '#':
			// Comment.
		default:
			block = append(block, sltLine{no: no, text: line})
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return s, nil
}

// parseSLTRecord parses one record from its non-blank lines.
func parseSLTRecord(name string, block []sltLine) (sltRecord, error) {
	rec := sltRecord{pos: sltPos{file: name, line: block[0].no}}
	errorf := func(l sltLine, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", name, l.no, fmt.Sprintf(format, args...))
	}
	i := 0
	fields := strings.Fields(block[i].text)
	for fields[0] == "skipif" || fields[0] == "onlyif" {
		if len(fields) < 2 {
			return rec, errorf(block[i], "%s without an engine name", fields[0])
		}
		rec.conds = append(rec.conds, sltCond{skip: fields[0] == "skipif", engine: fields[1]})
		i++
		if i == len(block) {
			return rec, errorf(block[i-1], "%s is not followed by a record", fields[0])
		}
		fields = strings.Fields(block[i].text)
	}
	head, body := block[i], block[i+1:]
	switch fields[0] {
	case "statement":
		rec.kind = sltStatement
		if len(fields) < 2 || (fields[1] != "ok" && fields[1] != "error") {
			return rec, errorf(head, "statement argument should be 'ok' or 'error'")
		}
		rec.expectError = fields[1] == "error"
		if len(body) == 0 {
			return rec, errorf(head, "statement without SQL")
		}
		rec.sql = joinSLTLines(body)
	case "query":
		rec.kind = sltQuery
		if len(fields) < 2 {
			return rec, errorf(head, "missing type string")
		}
		rec.types = fields[1]
		if c := strings.Trim(rec.types, "ITR"); c != "" {
			return rec, errorf(head, "unknown type character %q in type string %q", c[0], rec.types)
		}
		if len(fields) >= 3 {
			switch fields[2] {
			case "nosort":
				rec.sort = sltNoSort
			case "rowsort":
				rec.sort = sltRowSort
			case "valuesort":
				rec.sort = sltValueSort
			default:
				return rec, errorf(head, "unknown sort method %q", fields[2])
			}
		}
		if len(fields) >= 4 {
			rec.label = fields[3]
		}
		sqlLines := body
		for j, l := range body {
			if l.text == "----" {
				sqlLines = body[:j]
				rec.hasExpected = true
				rec.expected = make([]string, 0, len(body)-j-1)
				for _, e := range body[j+1:] {
					rec.expected = append(rec.expected, e.text)
				}
				break
			}
		}
		if len(sqlLines) == 0 {
			return rec, errorf(head, "query without SQL")
		}
		rec.sql = joinSLTLines(sqlLines)
	case "hash-threshold":
		rec.kind = sltHashThreshold
		if len(fields) < 2 {
			return rec, errorf(head, "hash-threshold without a number")
		}
		n, err := strconv.Atoi(fields[1])
		if err != nil || n < 0 {
			return rec, errorf(head, "bad hash-threshold %q", fields[1])
		}
		rec.threshold = n
	case "halt":
		rec.kind = sltHalt
	default:
		return rec, errorf(head, "unknown record type %q", fields[0])
	}
	return rec, nil
}

// joinSLTLines joins SQL lines with "\n", as the reference does.
func joinSLTLines(lines []sltLine) string {
	if len(lines) == 1 {
		return lines[0].text
	}
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l.text)
	}
	return b.String()
}

// sltStats counts what one run did.
type sltStats struct {
	Records    int // records seen, including skipped ones
	Statements int // statements executed
	Queries    int // queries executed
	Skipped    int // records excluded by skipif/onlyif
	Failed     int // records that failed (reported or not)
	Halted     bool
	Elapsed    time.Duration
}

// add accumulates o into s; Halted and Elapsed are not summed.
func (s *sltStats) add(o sltStats) {
	s.Records += o.Records
	s.Statements += o.Statements
	s.Queries += o.Queries
	s.Skipped += o.Skipped
	s.Failed += o.Failed
}

// String is a one-line summary.
func (s sltStats) String() string {
	return fmt.Sprintf("%d records: %d statements, %d queries, %d skipped, %d failed",
		s.Records, s.Statements, s.Queries, s.Skipped, s.Failed)
}

// sltFailure is one failed record.
type sltFailure struct {
	pos      sltPos
	sql      string
	msg      string
	expected []string // nil when the failure is not about values
	got      []string
	oracle   []string // the oracle's values, or its error; nil without an oracle
}

// String renders the failure for a test log: position and message, the
// SQL, then up to sltShownLines expected and actual lines.
func (f *sltFailure) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n    SQL: %s", f.pos, f.msg, sltElide(f.sql, 2000))
	if f.expected != nil || f.got != nil {
		writeSLTLines(&b, "expected", f.expected)
		writeSLTLines(&b, "got", f.got)
	}
	if f.oracle != nil {
		writeSLTLines(&b, "oracle got", f.oracle)
	}
	return b.String()
}

// writeSLTLines writes a titled, indented, truncated list of lines.
func writeSLTLines(b *strings.Builder, title string, lines []string) {
	fmt.Fprintf(b, "\n    %s (%d lines):", title, len(lines))
	for i, l := range lines {
		if i == sltShownLines {
			fmt.Fprintf(b, "\n        ... %d more", len(lines)-i)
			break
		}
		b.WriteString("\n        ")
		b.WriteString(l)
	}
}

// sltElide shortens s to about n bytes.
func sltElide(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("... (%d bytes more)", len(s)-n)
}

// sltRunner executes records against one database. It is not safe for
// concurrent use; run one per file.
type sltRunner struct {
	db        *sql.DB
	engine    string // compared with skipif/onlyif, case-insensitively
	threshold int    // current hash threshold; 0 never hashes

	// labels maps a label to the hash of the first result that carried it
	// and matched its expected block. Every later result with that label
	// must hash the same. Results that failed against their expected block
	// are already reported and register nothing, so that one wrong answer
	// does not make every later right answer with its label fail as well.
	labels map[string]string

	// oracle, if not nil, is a second database that every statement also
	// runs on (its errors ignored), and that every failed query runs on
	// too, to show what a reference engine answers where only a hash is
	// expected. Set it before run.
	oracle *sql.DB

	stats sltStats
}

// newSLTRunner returns a runner for db that answers skipif/onlyif as
// engine.
func newSLTRunner(db *sql.DB, engine string) *sltRunner {
	return &sltRunner{
		db:        db,
		engine:    engine,
		threshold: sltDefaultHashThreshold,
		labels:    make(map[string]string),
	}
}

// run executes the records of s in order, calling report for every failed
// one, until the end or a halt that applies. It stops early only when ctx
// is done. It returns the stats of this call.
func (r *sltRunner) run(ctx context.Context, s *sltScript, report func(*sltFailure)) sltStats {
	start := time.Now()
	r.stats = sltStats{}
	for i := range s.records {
		if ctx.Err() != nil {
			r.stats.Failed++
			report(&sltFailure{pos: s.records[i].pos, msg: "not run: " + ctx.Err().Error()})
			break
		}
		halt, f := r.runRecord(ctx, &s.records[i])
		if f != nil {
			r.stats.Failed++
			report(f)
		}
		if halt {
			r.stats.Halted = true
			break
		}
	}
	r.stats.Elapsed = time.Since(start)
	return r.stats
}

// runRecord executes one record. It returns whether the file halts here and
// the failure, if any.
func (r *sltRunner) runRecord(ctx context.Context, rec *sltRecord) (halt bool, f *sltFailure) {
	r.stats.Records++
	if rec.skipped(r.engine) {
		r.stats.Skipped++
		return false, r.checkSkippedLabel(rec)
	}
	switch rec.kind {
	case sltHalt:
		return true, nil
	case sltHashThreshold:
		r.threshold = rec.threshold
		return false, nil
	case sltStatement:
		r.stats.Statements++
		return false, r.runStatement(ctx, rec)
	case sltQuery:
		r.stats.Queries++
		return false, r.runQuery(ctx, rec)
	}
	panic(fmt.Sprintf("slt: record kind %d", rec.kind))
}

// checkSkippedLabel does what the reference does for a skipped labelled
// query: the hash of its expected block must agree with the label's. This
// checks the corpus's own consistency, not the engine.
func (r *sltRunner) checkSkippedLabel(rec *sltRecord) *sltFailure {
	if rec.kind != sltQuery || rec.label == "" || !rec.hasExpected || len(rec.expected) == 0 {
		return nil
	}
	var hash string
	var n int
	if _, err := fmt.Sscanf(rec.expected[0], "%d values hashing to %s", &n, &hash); err != nil || len(rec.expected) != 1 {
		hash = hashSLTValues(rec.expected)
	}
	return r.checkLabel(rec, hash, nil)
}

// checkLabel registers hash for rec's label, or checks it against the one
// registered. got, if any, is shown in the failure.
func (r *sltRunner) checkLabel(rec *sltRecord, hash string, got []string) *sltFailure {
	prev, ok := r.labels[rec.label]
	if !ok {
		r.labels[rec.label] = hash
		return nil
	}
	if prev == hash {
		return nil
	}
	return &sltFailure{
		pos: rec.pos, sql: rec.sql,
		msg: fmt.Sprintf("labeled result [%s] does not agree with previous values: hash %s, earlier %s", rec.label, hash, prev),
		got: got,
	}
}

// runStatement executes a statement record.
func (r *sltRunner) runStatement(ctx context.Context, rec *sltRecord) *sltFailure {
	ctx, cancel := context.WithTimeout(ctx, sltRecordTimeout)
	defer cancel()
	_, err := r.db.ExecContext(ctx, rec.sql)
	if r.oracle != nil {
		_, _ = r.oracle.ExecContext(ctx, rec.sql) // NB: errors ignored; the oracle only illustrates
	}
	switch {
	case err != nil && !rec.expectError:
		return &sltFailure{pos: rec.pos, sql: rec.sql, msg: "statement failed: " + err.Error()}
	case err == nil && rec.expectError:
		return &sltFailure{pos: rec.pos, sql: rec.sql, msg: "statement succeeded, want an error"}
	}
	return nil
}

// runQuery executes a query record and compares its result; when it fails
// and there is an oracle, the failure shows the oracle's values too.
func (r *sltRunner) runQuery(ctx context.Context, rec *sltRecord) *sltFailure {
	f := r.checkQuery(ctx, rec)
	if f != nil && r.oracle != nil {
		vals, err := querySLT(ctx, r.oracle, rec)
		if err != nil {
			vals = []string{"error: " + err.Error()}
		} else {
			sortSLTValues(vals, len(rec.types), rec.sort)
		}
		f.oracle = append([]string{}, vals...)
	}
	return f
}

// checkQuery executes a query record and compares its result.
func (r *sltRunner) checkQuery(ctx context.Context, rec *sltRecord) *sltFailure {
	got, err := querySLT(ctx, r.db, rec)
	if err != nil {
		return &sltFailure{pos: rec.pos, sql: rec.sql, msg: "query failed: " + err.Error()}
	}
	sortSLTValues(got, len(rec.types), rec.sort)

	hashed := r.threshold > 0 && len(got) > r.threshold
	var hash string
	if hashed || rec.label != "" {
		hash = hashSLTValues(got)
	}
	var want, have []string // the lines compared
	if hashed {
		want, have = rec.expected, []string{sltHashLine(len(got), hash)}
	} else {
		want, have = rec.expected, got
	}
	if !slices.Equal(want, have) {
		msg := fmt.Sprintf("wrong result (%s, %d values)", rec.sort, len(got))
		if hashed {
			msg = fmt.Sprintf("wrong result hash (%s, %d values; got values are listed after the hash)", rec.sort, len(got))
			have = append(have, got...)
		}
		if rec.label != "" {
			msg += ", label " + rec.label
		}
		if want == nil {
			want = []string{} // show an empty expected block, not none
		}
		return &sltFailure{pos: rec.pos, sql: rec.sql, msg: msg, expected: want, got: have}
	}
	if rec.label != "" {
		return r.checkLabel(rec, hash, got)
	}
	return nil
}

// querySLT runs rec's SQL on db and returns the rendered values in
// row-major order, unsorted.
func querySLT(ctx context.Context, db *sql.DB, rec *sltRecord) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, sltRecordTimeout)
	defer cancel()
	rows, err := db.QueryContext(ctx, rec.sql)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	if len(cols) != len(rec.types) {
		return nil, fmt.Errorf("wrong number of result columns: expected %d but got %d", len(rec.types), len(cols))
	}
	var out []string
	err = scanRows(rows, len(cols), func(vals []any) {
		for i, v := range vals {
			out = append(out, formatSLTValue(v, rec.types[i]))
		}
	})
	if err != nil {
		return nil, err
	}
	return out, rows.Close()
}

// scanRows scans every row of rows (n columns) as driver values and calls
// each with them; the slice is reused between rows.
func scanRows(rows *sql.Rows, n int, each func(vals []any)) error {
	vals := make([]any, n)
	dest := make([]any, n)
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		each(vals)
	}
	return rows.Err()
}

// runSLT runs the file at path against db, answering skipif/onlyif as
// engine. It reports the first sltMaxReported failures with t.Errorf,
// counts the rest, and returns the stats. A file that does not parse is
// fatal. db should be fresh: the files create their own tables.
func runSLT(t testing.TB, db *sql.DB, path string, engine string) sltStats {
	t.Helper()
	return runSLTWithOracle(t, db, nil, path, engine)
}

// runSLTWithOracle is runSLT with an oracle database (see sltRunner.oracle),
// fresh too; nil means none.
func runSLTWithOracle(t testing.TB, db, oracle *sql.DB, path string, engine string) sltStats {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("slt: %v", err)
	}
	s, err := parseSLT(path, src)
	if err != nil {
		t.Fatalf("slt: %v", err)
	}
	reported := 0
	r := newSLTRunner(db, engine)
	r.oracle = oracle
	stats := r.run(t.Context(), s, func(f *sltFailure) {
		reported++
		if reported <= sltMaxReported {
			t.Errorf("%s", f)
		}
	})
	if stats.Failed > sltMaxReported {
		t.Errorf("%s: %d more failures not shown", path, stats.Failed-sltMaxReported)
	}
	t.Logf("%s: %s in %v", path, stats, stats.Elapsed.Round(time.Millisecond))
	return stats
}

// sltManifestEntry is one file listed in a corpus MANIFEST.
type sltManifestEntry struct {
	path   string // relative to the corpus directory, slash-separated
	size   int64  // bytes, as listed; checked against the file
	family string // e.g. "index/between"
	subset string // e.g. "core"
}

// readSLTManifest reads dir/MANIFEST: '#' comment lines, then one file a
// line as path<TAB>bytes<TAB>family<TAB>subset<TAB>source path.
func readSLTManifest(dir string) ([]sltManifestEntry, error) {
	name := filepath.Join(dir, "MANIFEST")
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var out []sltManifestEntry
	for i, line := range bytes.Split(src, []byte("\n")) {
		l := strings.TrimSpace(string(line))
		if l == "" || l[0] == '#' {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) < 4 {
			return nil, fmt.Errorf("%s:%d: want path, bytes, family, subset separated by tabs", name, i+1)
		}
		size, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: bad size %q", name, i+1, f[1])
		}
		out = append(out, sltManifestEntry{path: f[0], size: size, family: f[2], subset: f[3]})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: lists no files", name)
	}
	return out, nil
}

// sltCorpusDir returns the corpus directory: $BXDB_SLT_DIR, or shared/slt
// beside the repository (../../shared/slt from this package). When it is
// missing the test fails under CI (CI set and not "0" or "false"; CI runs
// .ci/run with CI=true) and is skipped elsewhere, so a CI machine without
// the corpus cannot pass silently.
func sltCorpusDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("BXDB_SLT_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "slt")
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST")); err != nil {
		if ci := os.Getenv("CI"); ci != "" && ci != "0" && !strings.EqualFold(ci, "false") {
			t.Fatalf("slt corpus missing under CI (set BXDB_SLT_DIR?): %v", err)
		}
		t.Skipf("slt corpus missing (set BXDB_SLT_DIR): %v", err)
	}
	return dir
}

// runSLTFiles runs each entry of dir's corpus as a parallel subtest named
// by its path, each against a database of its own from open (called inside
// the subtest; it should register its own cleanup), and returns the summed
// stats once all have finished. If openOracle is not nil, each file also
// gets an oracle database from it (see sltRunner.oracle). A file whose size
// differs from the MANIFEST fails without running: the corpus is damaged or
// stale.
func runSLTFiles(t *testing.T, dir string, entries []sltManifestEntry, engine string, open, openOracle func(t *testing.T) *sql.DB) sltStats {
	t.Helper()
	var mu sync.Mutex
	var total sltStats
	t.Run("files", func(t *testing.T) {
		for _, e := range entries {
			t.Run(e.path, func(t *testing.T) {
				t.Parallel()
				path := filepath.Join(dir, filepath.FromSlash(e.path))
				if fi, err := os.Stat(path); err != nil {
					t.Fatalf("slt: %v", err)
				} else if fi.Size() != e.size {
					t.Fatalf("slt: %s is %d bytes, MANIFEST says %d", path, fi.Size(), e.size)
				}
				var oracle *sql.DB
				if openOracle != nil {
					oracle = openOracle(t)
				}
				st := runSLTWithOracle(t, open(t), oracle, path, engine)
				mu.Lock()
				total.add(st)
				mu.Unlock()
			})
		}
	})
	return total
}
