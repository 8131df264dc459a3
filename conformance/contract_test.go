package conformance

// database/sql contract tests for the "bxdb" driver: every behaviour a
// program using database/sql relies on, checked against exact contents.
// Tests that need a second process re-execute the test binary with
// BXDB_CONTRACT_CHILD set (see ctRunChild); kill_test.go does the same for
// the process-kill test.

import (
	"bytes"
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bxdb "github.com/bxdb/bxdb/driver"
	"github.com/bxdb/bxdb/engine/bedrock"
)

// --- helpers -----------------------------------------------------------------

// ctExecer and ctQueryer are what *sql.DB, *sql.Conn and *sql.Tx have in common.
type ctExecer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

type ctQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// ctPath returns a fresh database path under t.TempDir().
func ctPath(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "contract.bxdb")
}

// ctOpen opens dsn, pings it and closes it when t ends.
func ctOpen(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("bxdb", dsn)
	if err != nil {
		t.Fatalf("sql.Open(%q): %v", dsn, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close %q: %v", dsn, err)
		}
	})
	if err := db.Ping(); err != nil {
		t.Fatalf("ping %q: %v", dsn, err)
	}
	return db
}

// ctExec runs a statement that must succeed.
func ctExec(t *testing.T, db ctExecer, query string, args ...any) sql.Result {
	t.Helper()
	res, err := db.ExecContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("exec %q: %v", query, err)
	}
	return res
}

// ctQueryAll runs a query and returns its rows as []any, as Scan into *any
// gives them.
func ctQueryAll(t *testing.T, db ctQueryer, query string, args ...any) [][]any {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("query %q: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]any
	for rows.Next() {
		row := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("scan %q: %v", query, err)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("query %q: %v", query, err)
	}
	return out
}

// ctQueryText renders a query's rows one per line, values separated by
// '|', NULL as NULL, for exact comparisons.
func ctQueryText(t *testing.T, db ctQueryer, query string, args ...any) string {
	t.Helper()
	var b strings.Builder
	for _, row := range ctQueryAll(t, db, query, args...) {
		for i, v := range row {
			if i > 0 {
				b.WriteByte('|')
			}
			switch v := v.(type) {
			case nil:
				b.WriteString("NULL")
			case []byte:
				fmt.Fprintf(&b, "%q", v)
			case time.Time:
				b.WriteString(v.Format("2006-01-02 15:04:05.999999"))
			default:
				fmt.Fprint(&b, v)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// ctQueryInt returns the single integer a query yields.
func ctQueryInt(t *testing.T, db ctQueryer, query string, args ...any) int64 {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("query %q: %v", query, err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("query %q: no row (%v)", query, rows.Err())
	}
	var n int64
	if err := rows.Scan(&n); err != nil {
		t.Fatalf("query %q: %v", query, err)
	}
	if rows.Next() {
		t.Fatalf("query %q: more than one row", query)
	}
	return n
}

// ctWantSQLError checks that err is a *bxdb.Error with the given number.
func ctWantSQLError(t *testing.T, err error, number uint16) {
	t.Helper()
	var e *bxdb.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *driver.Error; want number %d", err, err, number)
	}
	if e.Number != number {
		t.Fatalf("error %v has number %d, want %d", err, e.Number, number)
	}
	if !errors.Is(err, &bxdb.Error{Number: number}) {
		t.Fatalf("errors.Is(%v, &Error{Number: %d}) is false", err, number)
	}
}

// ctChildEnv is set in a re-executed test binary to the name of the child
// role it plays.
const ctChildEnv = "BXDB_CONTRACT_CHILD"

// ctRunChild re-executes the test binary running only test (which must
// check ctChildEnv first thing) with role and extra environment, and
// returns its combined output.
func ctRunChild(t *testing.T, test, role string, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1", "-test.v")
	cmd.Env = append(append(os.Environ(), ctChildEnv+"="+role), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// --- open, ping, close -------------------------------------------------------

func TestContractOpenPingClose(t *testing.T) {
	path := ctPath(t)
	db, err := sql.Open("bxdb", path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	if err := db.PingContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database file was not created: %v", err)
	}
	ctExec(t, db, "CREATE TABLE kv (k INT PRIMARY KEY, v VARCHAR(20))")
	ctExec(t, db, "INSERT INTO kv VALUES (1, 'one'), (2, 'two')")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	if err := db.Ping(); err == nil || !strings.Contains(err.Error(), "database is closed") {
		t.Fatalf("Ping after Close: %v, want sql: database is closed", err)
	}

	// Reopen: the data is there.
	db = ctOpen(t, path)
	if got, want := ctQueryText(t, db, "SELECT k, v FROM kv ORDER BY k"), "1|one\n2|two\n"; got != want {
		t.Fatalf("after reopen:\n%s\nwant\n%s", got, want)
	}

	// Context already done.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.PingContext(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("PingContext(cancelled) = %v, want context.Canceled", err)
	}
}

func TestContractDSN(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "d.bxdb")
	bad := []struct{ dsn, want string }{
		{"", "empty path"},
		{"?cache=1MiB", "empty path"},
		{"file:?sync=off", "empty path"},
		{p + "?nope=1", `unknown option "nope"`},
		{p + "?cache=1MiB&foo=bar", `unknown option "foo"`},
		{p + "?CACHE=1MiB", `unknown option "CACHE"`},
		{p + "?cache", "option cache has no value"},
		{p + "?cache=", "option cache has no value"},
		{p + "?cache=big", "option cache=big"},
		{p + "?cache=0", "option cache=0"},
		{p + "?cache=-5", "option cache=-5"},
		{p + "?cache=5TB", "option cache=5TB"},
		{p + "?cache=1MiB&cache=2MiB", "option cache given twice"},
		{p + "?sync=normal", "option sync=normal"},
		{p + "?sync=", "option sync has no value"},
		{p + "?busy_timeout=forever", "option busy_timeout=forever"},
		{p + "?busy_timeout=-1s", "option busy_timeout=-1s"},
		{p + "?busy_timeout=5x", "option busy_timeout=5x"},
		{p + "?mode=rwx", "option mode=rwx"},
		{p + "?mode=RO", "option mode=RO"},
		{p + "?mode=ro&mode=rw", "option mode given twice"},
		{p + "?sync=off&&mode=rw", "empty option"},
		{"file://elsewhere/d.bxdb", `host "elsewhere"`},
		{":memory:?mode=ro", "in-memory"},
	}
	for _, tt := range bad {
		db, err := sql.Open("bxdb", tt.dsn)
		if err == nil {
			db.Close()
			t.Errorf("sql.Open(%q) succeeded; want an error containing %q", tt.dsn, tt.want)
			continue
		}
		if !errors.Is(err, bxdb.ErrBadDSN) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("sql.Open(%q) = %v; want ErrBadDSN containing %q", tt.dsn, err, tt.want)
		}
	}
	if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a bad DSN created the file: %v", err)
	}

	// mode=rw and mode=ro need an existing file, and create nothing.
	for _, m := range []string{"rw", "ro"} {
		db, err := sql.Open("bxdb", p+"?mode="+m)
		if err == nil {
			db.Close()
			t.Fatalf("mode=%s on a missing file succeeded", m)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("mode=%s on a missing file: %v, want fs.ErrNotExist", m, err)
		}
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("mode=%s created the file", m)
		}
	}

	// Every option, well formed, in both spellings.
	db := ctOpen(t, p+"?cache=1MiB&sync=off&busy_timeout=250&mode=rwc")
	ctExec(t, db, "CREATE TABLE t (a INT)")
	ctExec(t, db, "INSERT INTO t VALUES (1)")
	// A read-only opener while the file is open read-write in this process.
	if db2, err := sql.Open("bxdb", p+"?mode=ro"); !errors.Is(err, bxdb.ErrModeConflict) {
		if err == nil {
			db2.Close()
		}
		t.Fatalf("mode=ro while open read-write: %v, want ErrModeConflict", err)
	}
	db2 := ctOpen(t, "file:"+p+"?cache=4KiB&sync=full&busy_timeout=1s&mode=rw")
	if got := ctQueryInt(t, db2, "SELECT COUNT(*) FROM t"); got != 1 {
		t.Fatalf("count = %d, want 1", got)
	}
	db2.Close()
	db.Close()

	// mode=ro: reads work, writes fail, several read-only handles share.
	ro := ctOpen(t, p+"?mode=ro")
	ro2 := ctOpen(t, "file://localhost"+p+"?mode=ro")
	if got := ctQueryInt(t, ro2, "SELECT COUNT(*) FROM t"); got != 1 {
		t.Fatalf("count = %d, want 1", got)
	}
	_, err := ro.Exec("INSERT INTO t VALUES (2)")
	ctWantSQLError(t, err, 1290)
	_, err = ro.Exec("CREATE TABLE u (a INT)")
	ctWantSQLError(t, err, 1290)
	if got := ctQueryInt(t, ro, "SELECT COUNT(*) FROM t"); got != 1 {
		t.Fatalf("count after refused writes = %d, want 1", got)
	}
	if db3, err := sql.Open("bxdb", p); !errors.Is(err, bxdb.ErrModeConflict) {
		if err == nil {
			db3.Close()
		}
		t.Fatalf("read-write open while open read-only: %v, want ErrModeConflict", err)
	}
	ro.Close()
	ro2.Close()

	// A file that is not a database.
	junk := filepath.Join(dir, "junk.bxdb")
	if err := os.WriteFile(junk, bytes.Repeat([]byte("not a database "), 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	if db, err := sql.Open("bxdb", junk); !errors.Is(err, bedrock.ErrBadMagic) {
		if err == nil {
			db.Close()
		}
		t.Fatalf("opening a junk file: %v, want bedrock.ErrBadMagic", err)
	}
}

// --- values ------------------------------------------------------------------

// typesRow is one row of the types table, in the Go types it round-trips.
type typesRow struct {
	ID  int
	I8  int8
	I16 int16
	I32 int32
	I64 int64
	U8  uint8
	U16 uint16
	U32 uint32
	U64 uint64
	F32 float32
	F64 float64
	B   bool
	S   string
	Bin []byte
	DT  time.Time
}

const typesSchema = `CREATE TABLE types (
	id INT PRIMARY KEY,
	i8 TINYINT, i16 SMALLINT, i32 INT, i64 BIGINT,
	u8 TINYINT UNSIGNED, u16 SMALLINT UNSIGNED, u32 INT UNSIGNED, u64 BIGINT UNSIGNED,
	f32 FLOAT, f64 DOUBLE, b BOOL, s VARCHAR(64), bin VARBINARY(64), dt DATETIME(6))`

var typesRows = []typesRow{
	{1, math.MinInt8, math.MinInt16, math.MinInt32, math.MinInt64, 0, 0, 0, 0,
		-math.MaxFloat32, -math.MaxFloat64, false, "", []byte{},
		time.Date(1000, 1, 1, 0, 0, 0, 1000, time.UTC)},
	{2, math.MaxInt8, math.MaxInt16, math.MaxInt32, math.MaxInt64, math.MaxUint8, math.MaxUint16, math.MaxUint32, math.MaxUint64,
		math.MaxFloat32, math.MaxFloat64, true, "héllo, 世界 🌍 ✓ 'quoted' \"dq\" \\ back", []byte{0, 0xff, 0, 1, 0},
		time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)},
	{3, -1, 12345, -7, 1 << 53, 7, 40000, 3000000000, 1<<63 + 12345,
		0.1, math.Pi, true, "line\nbreak\ttab", []byte("\x00\x00\x00"),
		time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)},
	{4, 0, 0, 0, 0, 1, 1, 1, 1,
		math.SmallestNonzeroFloat32, math.SmallestNonzeroFloat64, false, strings.Repeat("ü", 64), bytes.Repeat([]byte{0}, 64),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)},
}

// args returns the row as statement arguments.
func (r typesRow) args() []any {
	return []any{r.ID, r.I8, r.I16, r.I32, r.I64, r.U8, r.U16, r.U32, r.U64, r.F32, r.F64, r.B, r.S, r.Bin, r.DT}
}

// scanTypesRow reads one typesRow from a query of all its columns.
func scanTypesRow(t *testing.T, db ctQueryer, id int) typesRow {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "SELECT * FROM types WHERE id = ?", id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("row %d missing (%v)", id, rows.Err())
	}
	var r typesRow
	if err := rows.Scan(&r.ID, &r.I8, &r.I16, &r.I32, &r.I64, &r.U8, &r.U16, &r.U32, &r.U64,
		&r.F32, &r.F64, &r.B, &r.S, &r.Bin, &r.DT); err != nil {
		t.Fatalf("scan row %d: %v", id, err)
	}
	return r
}

// equalTypesRow compares exactly: floats bit for bit, times as instants
// in UTC, []byte including empty versus nil.
func equalTypesRow(a, b typesRow) bool {
	return a.ID == b.ID && a.I8 == b.I8 && a.I16 == b.I16 && a.I32 == b.I32 && a.I64 == b.I64 &&
		a.U8 == b.U8 && a.U16 == b.U16 && a.U32 == b.U32 && a.U64 == b.U64 &&
		math.Float32bits(a.F32) == math.Float32bits(b.F32) && math.Float64bits(a.F64) == math.Float64bits(b.F64) &&
		a.B == b.B && a.S == b.S && bytes.Equal(a.Bin, b.Bin) && (a.Bin == nil) == (b.Bin == nil) &&
		a.DT.Equal(b.DT) && a.DT.Location() == b.DT.Location()
}

func TestContractTypesRoundTrip(t *testing.T) {
	db := ctOpen(t, ctPath(t))
	ctExec(t, db, typesSchema)
	const insert = "INSERT INTO types VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	st, err := db.Prepare(insert)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i, r := range typesRows {
		if i%2 == 0 {
			_, err = st.Exec(r.args()...) // prepared statement
		} else {
			_, err = db.Exec(insert, r.args()...) // the connection's ExecContext
		}
		if err != nil {
			t.Fatalf("insert row %d: %v", r.ID, err)
		}
	}
	sel, err := db.Prepare("SELECT * FROM types WHERE id = ?")
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Close()
	for _, want := range typesRows {
		got := scanTypesRow(t, db, want.ID)
		if !equalTypesRow(got, want) {
			t.Errorf("row %d round trip:\n got %+v\nwant %+v", want.ID, got, want)
		}
		// The same through the prepared statement's Query.
		var s string
		var dt time.Time
		if err := sel.QueryRow(want.ID).Scan(new(any), new(any), new(any), new(any), new(any), new(any), new(any),
			new(any), new(any), new(any), new(any), new(any), &s, new(any), &dt); err != nil {
			t.Fatal(err)
		}
		if s != want.S || !dt.Equal(want.DT) {
			t.Errorf("row %d via prepared query: %q %v", want.ID, s, dt)
		}
	}

	// The Go types values arrive in when scanned into any: int64 for
	// integers (uint64 for BIGINT UNSIGNED), and for FLOAT the float64
	// nearest the float32's shortest decimal, as MySQL shows it.
	got := ctQueryAll(t, db, "SELECT * FROM types WHERE id = 2")[0]
	want := []any{int64(2), int64(math.MaxInt8), int64(math.MaxInt16), int64(math.MaxInt32), int64(math.MaxInt64),
		int64(math.MaxUint8), int64(math.MaxUint16), int64(math.MaxUint32), uint64(math.MaxUint64),
		3.4028235e+38, math.MaxFloat64, int64(1), typesRows[1].S, []byte{0, 0xff, 0, 1, 0},
		time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("scan into any:\n got %#v\nwant %#v", got, want)
	}

	// A time in another zone keeps its instant and comes back in UTC.
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	local := time.Date(2023, 6, 1, 10, 0, 0, 500000000, zone)
	ctExec(t, db, "INSERT INTO types (id, dt) VALUES (?, ?)", 10, local)
	var dt time.Time
	if err := db.QueryRow("SELECT dt FROM types WHERE id = 10").Scan(&dt); err != nil {
		t.Fatal(err)
	}
	if !dt.Equal(local) || dt.Location() != time.UTC {
		t.Errorf("zoned time came back as %v, want %v in UTC", dt, local)
	}
}

func TestContractNullsAndConverters(t *testing.T) {
	db := ctOpen(t, ctPath(t))
	ctExec(t, db, typesSchema)
	ctExec(t, db, "INSERT INTO types (id, i64, s, bin, dt, f64, u64) VALUES (?, ?, ?, ?, ?, ?, ?)",
		1, nil, nil, []byte(nil), nil, nil, nil)
	var (
		i  sql.NullInt64
		s  sql.NullString
		b  []byte
		dt sql.NullTime
		f  sql.Null[float64]
		u  *uint64
		a  any = "sentinel"
	)
	if err := db.QueryRow("SELECT i64, s, bin, dt, f64, u64, i8 FROM types WHERE id = 1").Scan(&i, &s, &b, &dt, &f, &u, &a); err != nil {
		t.Fatal(err)
	}
	if i.Valid || s.Valid || b != nil || dt.Valid || f.Valid || u != nil || a != nil {
		t.Fatalf("NULLs scanned as %v %v %v %v %v %v %v", i, s, b, dt, f, u, a)
	}
	var n int64
	if err := db.QueryRow("SELECT i64 FROM types WHERE id = 1").Scan(&n); err == nil {
		t.Fatal("scanning NULL into *int64 succeeded")
	}

	// Arguments database/sql's default converter handles: Valuers,
	// pointers, named types.
	type celsius float64
	type label string
	x := int32(-9)
	var nilPtr *int
	ctExec(t, db, "INSERT INTO types (id, i32, i64, s, f64, bin, b) VALUES (?, ?, ?, ?, ?, ?, ?)",
		2, &x, sql.NullInt64{Int64: 77, Valid: true}, label("lbl"), celsius(-40.5), nilPtr, sql.NullBool{})
	if got, want := ctQueryText(t, db, "SELECT i32, i64, s, f64, bin, b FROM types WHERE id = 2"), "-9|77|lbl|-40.5|NULL|NULL\n"; got != want {
		t.Errorf("converted arguments read back as %q, want %q", got, want)
	}

	// json.RawMessage goes in as text.
	ctExec(t, db, "INSERT INTO types (id, s) VALUES (?, ?)", 3, json.RawMessage(`{"a":[1,2]}`))
	if got, want := ctQueryText(t, db, "SELECT s FROM types WHERE id = 3"), "{\"a\":[1,2]}\n"; got != want {
		t.Errorf("json.RawMessage read back as %q, want %q", got, want)
	}

	// Unsupported argument types are refused before anything runs.
	if _, err := db.Exec("INSERT INTO types (id, s) VALUES (?, ?)", 4, struct{}{}); err == nil {
		t.Fatal("a struct argument was accepted")
	}
	if _, err := db.Exec("INSERT INTO types (id, s) VALUES (?, ?)", 4, []int{1}); err == nil {
		t.Fatal("an []int argument was accepted")
	}
	if got := ctQueryInt(t, db, "SELECT COUNT(*) FROM types WHERE id = 4"); got != 0 {
		t.Fatalf("refused insert left %d rows", got)
	}

	// Named parameters are refused.
	_, err := db.Exec("INSERT INTO types (id) VALUES (?)", sql.Named("id", 5))
	if !errors.Is(err, bxdb.ErrNamedParams) {
		t.Fatalf("named parameter: %v, want ErrNamedParams", err)
	}
	// The argument count is checked against the placeholders.
	if _, err := db.Exec("INSERT INTO types (id) VALUES (?)", 5, 6); err == nil {
		t.Fatal("two arguments for one placeholder were accepted")
	}
	if _, err := db.Exec("INSERT INTO types (id, i8) VALUES (?, ?)", 5); err == nil {
		t.Fatal("one argument for two placeholders was accepted")
	}
}

func TestContractOtherTypes(t *testing.T) {
	db := ctOpen(t, ctPath(t))
	ctExec(t, db, `CREATE TABLE o (id INT PRIMARY KEY, d DECIMAL(10,2), day DATE, tm TIME(3), txt TEXT, blb BLOB)`)
	ctExec(t, db, "INSERT INTO o VALUES (?, ?, ?, ?, ?, ?)", 1, "12.5", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		"-26:03:04.5", "text ✓", []byte{1, 0, 2})
	ctExec(t, db, "INSERT INTO o VALUES (2, -0.01, '1999-12-31', '00:00:01', '', x'')")
	got := ctQueryAll(t, db, "SELECT d, day, tm, txt, blb FROM o ORDER BY id")
	want := [][]any{
		{"12.50", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), "-26:03:04.500", "text ✓", []byte{1, 0, 2}},
		{"-0.01", time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC), "00:00:01.000", "", []byte{}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
	// DECIMAL scans into float64 and string alike.
	var f float64
	var s string
	if err := db.QueryRow("SELECT d, d FROM o WHERE id = 1").Scan(&f, &s); err != nil {
		t.Fatal(err)
	}
	if f != 12.5 || s != "12.50" {
		t.Errorf("DECIMAL scanned as %v and %q", f, s)
	}
}

func TestContractColumnTypes(t *testing.T) {
	db := ctOpen(t, ctPath(t))
	ctExec(t, db, `CREATE TABLE ct (
		id BIGINT NOT NULL PRIMARY KEY,
		name VARCHAR(40) NOT NULL,
		note TEXT,
		price DECIMAL(10,2),
		ratio DOUBLE NOT NULL,
		data VARBINARY(16),
		at DATETIME(6),
		u BIGINT UNSIGNED)`)
	rows, err := db.Query("SELECT id, name, note, price, ratio, data, at, u FROM ct")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	type colType struct {
		name, dbType string
		scan         reflect.Type
		nullable     bool
		length       int64 // -1: not reported
		prec, scale  int64 // -1: not reported
	}
	want := []colType{
		{"id", "BIGINT", reflect.TypeFor[int64](), false, -1, -1, -1},
		{"name", "VARCHAR", reflect.TypeFor[string](), false, 40, -1, -1},
		{"note", "TEXT", reflect.TypeFor[string](), true, 65535, -1, -1},
		{"price", "DECIMAL", reflect.TypeFor[string](), true, -1, 10, 2},
		{"ratio", "DOUBLE", reflect.TypeFor[float64](), false, -1, -1, -1},
		{"data", "VARBINARY", reflect.TypeFor[[]byte](), true, 16, -1, -1},
		{"at", "DATETIME", reflect.TypeFor[time.Time](), true, -1, -1, -1},
		{"u", "UNSIGNED BIGINT", reflect.TypeFor[uint64](), true, -1, -1, -1},
	}
	if len(cts) != len(want) {
		t.Fatalf("%d column types, want %d", len(cts), len(want))
	}
	for i, ct := range cts {
		w := want[i]
		got := colType{name: ct.Name(), dbType: ct.DatabaseTypeName(), scan: ct.ScanType(), length: -1, prec: -1, scale: -1}
		nullable, ok := ct.Nullable()
		if !ok {
			t.Errorf("column %s: nullability not reported", w.name)
		}
		got.nullable = nullable
		if n, ok := ct.Length(); ok {
			got.length = n
		}
		if p, s, ok := ct.DecimalSize(); ok {
			got.prec, got.scale = p, s
		}
		if got != w {
			t.Errorf("column %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
}

// TestContractOuterJoinNullable: the columns of a LEFT JOIN's inner side
// report Nullable, whatever their declaration (they are NULL for the rows
// the join adds), as MySQL reports them.
func TestContractOuterJoinNullable(t *testing.T) {
	db := ctOpen(t, ctPath(t))
	for _, q := range []string{
		"CREATE TABLE a (id INT PRIMARY KEY, x INT NOT NULL)",
		"CREATE TABLE b (id INT PRIMARY KEY, aid INT NOT NULL, y VARCHAR(5) NOT NULL)",
		"INSERT INTO a VALUES (1, 10), (2, 20)",
		"INSERT INTO b VALUES (7, 1, 'p')",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		q    string
		want []bool
	}{
		{"SELECT a.id, a.x, b.id, b.y FROM a LEFT JOIN b ON b.aid = a.id ORDER BY a.id", []bool{false, false, true, true}},
		{"SELECT a.id, b.y FROM b RIGHT JOIN a ON b.aid = a.id ORDER BY a.id", []bool{false, true}},
		{"SELECT a.x, b.y FROM a JOIN b ON b.aid = a.id", []bool{false, false}},
	} {
		rows, err := db.Query(tc.q)
		if err != nil {
			t.Fatal(err)
		}
		cts, err := rows.ColumnTypes()
		if err != nil {
			t.Fatal(err)
		}
		var got []bool
		for _, ct := range cts {
			n, ok := ct.Nullable()
			if !ok {
				t.Errorf("%s: %s: nullability not reported", tc.q, ct.Name())
			}
			got = append(got, n)
		}
		rows.Close()
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: nullable %v, want %v", tc.q, got, tc.want)
		}
	}
}

// --- results -----------------------------------------------------------------

func TestContractResult(t *testing.T) {
	db := ctOpen(t, ctPath(t))
	check := func(res sql.Result, id, n int64) {
		t.Helper()
		gotID, err := res.LastInsertId()
		if err != nil {
			t.Fatal(err)
		}
		gotN, err := res.RowsAffected()
		if err != nil {
			t.Fatal(err)
		}
		if gotID != id || gotN != n {
			t.Fatalf("LastInsertId, RowsAffected = %d, %d; want %d, %d", gotID, gotN, id, n)
		}
	}
	check(ctExec(t, db, "CREATE TABLE ai (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT)"), 0, 0)
	check(ctExec(t, db, "INSERT INTO ai (v) VALUES (10)"), 1, 1)
	// A multi-row insert reports the FIRST generated id.
	check(ctExec(t, db, "INSERT INTO ai (v) VALUES (20), (30), (40)"), 2, 3)
	st, err := db.Prepare("INSERT INTO ai (v) VALUES (?), (?)")
	if err != nil {
		t.Fatal(err)
	}
	check(ctMust(st.Exec(50, 60)), 5, 2)
	st.Close()
	check(ctExec(t, db, "UPDATE ai SET v = v + 1 WHERE v >= 30"), 0, 4)
	check(ctExec(t, db, "UPDATE ai SET v = 0 WHERE id > 1000"), 0, 0)
	check(ctExec(t, db, "DELETE FROM ai WHERE v > 40"), 0, 3)
	check(ctExec(t, db, "DELETE FROM ai WHERE v > 40"), 0, 0)
	check(ctExec(t, db, "INSERT INTO ai (v) VALUES (70)"), 7, 1)
	if got, want := ctQueryText(t, db, "SELECT id, v FROM ai ORDER BY id"), "1|10\n2|20\n3|31\n7|70\n"; got != want {
		t.Fatalf("table:\n%s\nwant\n%s", got, want)
	}
	// In a transaction, too.
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	check(ctMust(tx.Exec("INSERT INTO ai (v) VALUES (80), (90)")), 8, 2)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// ctMust returns res or panics: for results inside check calls.
func ctMust(res sql.Result, err error) sql.Result {
	if err != nil {
		panic(err)
	}
	return res
}

func TestContractStatementAtomicity(t *testing.T) {
	db := ctOpen(t, ctPath(t))
	ctExec(t, db, "CREATE TABLE u (id INT PRIMARY KEY, v VARCHAR(3))")

	// Row 2 of 3 fails: nothing of the statement stays.
	_, err := db.Exec("INSERT INTO u VALUES (1, 'a'), (1, 'b'), (2, 'c')")
	ctWantSQLError(t, err, 1062)
	_, err = db.Exec("INSERT INTO u VALUES (1, 'a'), (2, 'toolong'), (3, 'c')")
	ctWantSQLError(t, err, 1406)
	if got := ctQueryInt(t, db, "SELECT COUNT(*) FROM u"); got != 0 {
		t.Fatalf("failed inserts left %d rows", got)
	}

	// An UPDATE failing half way changes nothing.
	ctExec(t, db, "INSERT INTO u VALUES (1, 'a'), (5, 'b'), (6, 'c')")
	_, err = db.Exec("UPDATE u SET id = id + 1")
	ctWantSQLError(t, err, 1062)
	if got, want := ctQueryText(t, db, "SELECT id, v FROM u ORDER BY id"), "1|a\n5|b\n6|c\n"; got != want {
		t.Fatalf("after the failed update:\n%s\nwant\n%s", got, want)
	}

	// In a transaction the failed statement is undone, the rest stays.
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	ctExec(t, tx, "INSERT INTO u VALUES (10, 'x')")
	_, err = tx.Exec("INSERT INTO u VALUES (11, 'y'), (1, 'dup'), (12, 'z')")
	ctWantSQLError(t, err, 1062)
	ctExec(t, tx, "INSERT INTO u VALUES (13, 'w')")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, want := ctQueryText(t, db, "SELECT id, v FROM u ORDER BY id"), "1|a\n5|b\n6|c\n10|x\n13|w\n"; got != want {
		t.Fatalf("after the transaction:\n%s\nwant\n%s", got, want)
	}
}

func TestContractErrors(t *testing.T) {
	db := ctOpen(t, ctPath(t))
	ctExec(t, db, "CREATE TABLE e (id INT PRIMARY KEY)")
	ctExec(t, db, "INSERT INTO e VALUES (1)")
	_, err := db.Exec("INSERT INTO e VALUES (1)")
	ctWantSQLError(t, err, 1062)
	var e *bxdb.Error
	errors.As(err, &e)
	if string(e.SQLState[:]) != "23000" || !strings.HasPrefix(err.Error(), "Error 1062 (23000): Duplicate entry '1'") {
		t.Errorf("duplicate key error: %q (state %s)", err, e.SQLState[:])
	}
	_, err = db.Exec("SELEKT 1")
	ctWantSQLError(t, err, 1064)
	_, err = db.Query("SELECT * FROM nosuch")
	ctWantSQLError(t, err, 1146)
	_, err = db.Prepare("SELECT nosuch FROM e")
	if err == nil {
		_, err = db.Query("SELECT nosuch FROM e")
	}
	ctWantSQLError(t, err, 1054)
	_, err = db.Exec("CREATE TABLE e (id INT)")
	ctWantSQLError(t, err, 1050)

	// A multi-statement script runs in order and stops at the first error.
	ctExec(t, db, "CREATE TABLE s (a INT); INSERT INTO s VALUES (1); INSERT INTO s VALUES (2)")
	_, err = db.Exec("INSERT INTO s VALUES (3); INSERT INTO nosuch VALUES (4); INSERT INTO s VALUES (5)")
	ctWantSQLError(t, err, 1146)
	if got, want := ctQueryText(t, db, "SELECT a FROM s ORDER BY a"), "1\n2\n3\n"; got != want {
		t.Fatalf("after the scripts:\n%s\nwant\n%s", got, want)
	}
}

// --- transactions ------------------------------------------------------------

func TestContractTransactions(t *testing.T) {
	db := ctOpen(t, ctPath(t))
	ctx := context.Background()
	ctExec(t, db, "CREATE TABLE a (id INT PRIMARY KEY, v INT)")

	// Commit: invisible to others until committed.
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	ctExec(t, tx, "INSERT INTO a VALUES (1, 10)")
	if got := ctQueryInt(t, tx, "SELECT COUNT(*) FROM a"); got != 1 {
		t.Fatalf("own write invisible: %d", got)
	}
	if got := ctQueryInt(t, db, "SELECT COUNT(*) FROM a"); got != 0 {
		t.Fatalf("uncommitted write visible to another connection: %d", got)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); !errors.Is(err, sql.ErrTxDone) {
		t.Fatalf("second Commit: %v", err)
	}
	if got := ctQueryInt(t, db, "SELECT COUNT(*) FROM a"); got != 1 {
		t.Fatalf("committed write invisible: %d", got)
	}

	// Rollback.
	tx, err = db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	ctExec(t, tx, "INSERT INTO a VALUES (2, 20)")
	ctExec(t, tx, "UPDATE a SET v = 11 WHERE id = 1")
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got, want := ctQueryText(t, db, "SELECT id, v FROM a"), "1|10\n"; got != want {
		t.Fatalf("after rollback: %q, want %q", got, want)
	}

	// Read-only transactions read but refuse writes.
	ro, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := ctQueryInt(t, ro, "SELECT v FROM a WHERE id = 1"); got != 10 {
		t.Fatalf("read-only tx read %d", got)
	}
	for _, q := range []string{"INSERT INTO a VALUES (3, 30)", "UPDATE a SET v = 0", "DELETE FROM a"} {
		_, err := ro.Exec(q)
		ctWantSQLError(t, err, 1792)
	}
	if err := ro.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, want := ctQueryText(t, db, "SELECT id, v FROM a"), "1|10\n"; got != want {
		t.Fatalf("after the read-only tx: %q, want %q", got, want)
	}

	// Isolation levels: the accepted ones give a stable snapshot.
	for _, level := range []sql.IsolationLevel{sql.LevelDefault, sql.LevelReadUncommitted, sql.LevelReadCommitted,
		sql.LevelRepeatableRead, sql.LevelSnapshot, sql.LevelSerializable} {
		tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: level})
		if err != nil {
			t.Fatalf("BeginTx(%v): %v", level, err)
		}
		before := ctQueryInt(t, tx, "SELECT COUNT(*) FROM a")
		if before != 1 {
			t.Fatalf("%v: count = %d", level, before)
		}
		if err := tx.Commit(); err != nil {
			t.Fatalf("%v: commit: %v", level, err)
		}
	}
	for _, level := range []sql.IsolationLevel{sql.LevelWriteCommitted, sql.LevelLinearizable} {
		tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: level})
		if !errors.Is(err, bxdb.ErrIsolationLevel) {
			if err == nil {
				tx.Rollback()
			}
			t.Fatalf("BeginTx(%v) = %v, want ErrIsolationLevel", level, err)
		}
	}

	// A read-only transaction reads one snapshot: it does not see a later
	// commit. (A read-write one holds the writer lock, so nothing commits
	// under it.)
	snap, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := ctQueryInt(t, snap, "SELECT COUNT(*) FROM a"); got != 1 {
		t.Fatalf("snapshot count = %d", got)
	}
	ctExec(t, db, "INSERT INTO a VALUES (4, 40)")
	if got := ctQueryInt(t, snap, "SELECT COUNT(*) FROM a"); got != 1 {
		t.Fatalf("a read-only transaction saw a later commit: %d", got)
	}
	if err := snap.Rollback(); err != nil {
		t.Fatal(err)
	}

	// Cancelling a transaction's context rolls it back.
	cctx, cancel := context.WithCancel(ctx)
	tx, err = db.BeginTx(cctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctExec(t, tx, "INSERT INTO a VALUES (5, 50)")
	cancel()
	if err := tx.Commit(); err == nil {
		t.Fatal("Commit after the context was cancelled succeeded")
	}
	if got := ctQueryInt(t, db, "SELECT COUNT(*) FROM a WHERE id = 5"); got != 0 {
		t.Fatalf("cancelled transaction left %d rows", got)
	}

	// A transaction left open by SQL BEGIN on a pooled connection is rolled
	// back before the connection is reused (SessionResetter), releasing
	// the writer lock.
	db.SetMaxOpenConns(1)
	defer db.SetMaxOpenConns(0)
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ctExec(t, c, "BEGIN")
	ctExec(t, c, "INSERT INTO a VALUES (6, 60)")
	c.Close() // back to the pool, transaction open
	if got := ctQueryInt(t, db, "SELECT COUNT(*) FROM a WHERE id = 6"); got != 0 {
		t.Fatalf("a transaction begun by SQL BEGIN survived the return to the pool: %d rows", got)
	}
	ctExec(t, db, "INSERT INTO a VALUES (7, 70)") // the writer lock is free
	if got, want := ctQueryText(t, db, "SELECT id, v FROM a ORDER BY id"), "1|10\n4|40\n7|70\n"; got != want {
		t.Fatalf("final table: %q, want %q", got, want)
	}

	// What a MySQL server keeps for a connection survives the return to
	// the pool: LAST_INSERT_ID(), user variables, session variables (the
	// pool has one connection, so every statement gets the same one).
	ctExec(t, db, "CREATE TABLE ai (id INT AUTO_INCREMENT PRIMARY KEY, v INT)")
	ctExec(t, db, "INSERT INTO ai (v) VALUES (1), (2)")
	ctExec(t, db, "INSERT INTO ai (v) VALUES (3)")
	if got := ctQueryInt(t, db, "SELECT LAST_INSERT_ID()"); got != 3 {
		t.Fatalf("LAST_INSERT_ID() on the pooled connection: %d, want 3", got)
	}
	ctExec(t, db, "SET @x = 41")
	if got := ctQueryInt(t, db, "SELECT @x + 1"); got != 42 {
		t.Fatalf("@x on the pooled connection: %d, want 42", got)
	}
	// Autocommit is not inherited: the next user never gets a transaction.
	ctExec(t, db, "SET autocommit = 0")
	if got := ctQueryInt(t, db, "SELECT @@autocommit"); got != 1 {
		t.Fatalf("autocommit=0 survived the return to the pool")
	}
}

func TestContractSavepoints(t *testing.T) {
	db := ctOpen(t, ctPath(t))
	ctExec(t, db, "CREATE TABLE sp (id INT PRIMARY KEY)")
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	ctExec(t, tx, "INSERT INTO sp VALUES (1)")
	ctExec(t, tx, "SAVEPOINT a")
	ctExec(t, tx, "INSERT INTO sp VALUES (2)")
	ctExec(t, tx, "SAVEPOINT b")
	ctExec(t, tx, "INSERT INTO sp VALUES (3)")
	ctExec(t, tx, "ROLLBACK TO SAVEPOINT a")
	if got, want := ctQueryText(t, tx, "SELECT id FROM sp ORDER BY id"), "1\n"; got != want {
		t.Fatalf("after ROLLBACK TO a: %q, want %q", got, want)
	}
	_, err = tx.Exec("ROLLBACK TO SAVEPOINT b") // discarded with a
	ctWantSQLError(t, err, 1305)
	ctExec(t, tx, "INSERT INTO sp VALUES (4)")
	ctExec(t, tx, "SAVEPOINT c")
	ctExec(t, tx, "INSERT INTO sp VALUES (5)")
	ctExec(t, tx, "RELEASE SAVEPOINT c")
	ctExec(t, tx, "ROLLBACK TO SAVEPOINT a") // a survives rolling back to it
	ctExec(t, tx, "INSERT INTO sp VALUES (6)")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, want := ctQueryText(t, db, "SELECT id FROM sp ORDER BY id"), "1\n6\n"; got != want {
		t.Fatalf("committed: %q, want %q", got, want)
	}
}

// --- cancellation ------------------------------------------------------------

// ctFillBig creates table big with n rows (id 1..n, v = id % 7) in one
// transaction.
func ctFillBig(t *testing.T, db *sql.DB, n int) {
	t.Helper()
	ctExec(t, db, "CREATE TABLE big (id INT PRIMARY KEY, v INT)")
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	st, err := tx.Prepare("INSERT INTO big VALUES (?, ?)")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := st.Exec(i, i%7); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestContractCancel(t *testing.T) {
	db := ctOpen(t, ctPath(t))
	const n = 2000
	ctFillBig(t, db, n)
	ctExec(t, db, "CREATE TABLE sink (a INT, b INT)")
	ctx := context.Background()
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// timed runs f with a context that times out after 150ms and checks it
	// returns the context's error within a second of the deadline.
	timed := func(what string, f func(ctx context.Context) error) {
		t.Helper()
		tctx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := f(tctx)
		elapsed := time.Since(start)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s: %v, want context.DeadlineExceeded", what, err)
		}
		if elapsed > 1150*time.Millisecond {
			t.Fatalf("%s: took %v to notice the deadline", what, elapsed)
		}
	}

	// A long aggregate (8e9 row combinations) stops.
	timed("aggregate", func(ctx context.Context) error {
		var x int64
		return c.QueryRowContext(ctx, "SELECT COUNT(*) FROM big a, big b, big c WHERE a.v + b.v = c.v").Scan(&x)
	})
	// The connection stays usable.
	if got := ctQueryInt(t, c, "SELECT COUNT(*) FROM big"); got != n {
		t.Fatalf("count after cancel = %d", got)
	}

	// A long write stops and leaves nothing.
	timed("insert-select", func(ctx context.Context) error {
		_, err := c.ExecContext(ctx, "INSERT INTO sink SELECT a.id, b.id FROM big a, big b, big c")
		return err
	})
	if got := ctQueryInt(t, c, "SELECT COUNT(*) FROM sink"); got != 0 {
		t.Fatalf("cancelled INSERT … SELECT left %d rows", got)
	}

	// Inside a transaction: the cancelled statement is undone, the
	// transaction goes on.
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctExec(t, tx, "INSERT INTO sink VALUES (1, 1)")
	timed("insert-select in tx", func(ctx context.Context) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO sink SELECT a.id, b.id FROM big a, big b, big c")
		return err
	})
	ctExec(t, tx, "INSERT INTO sink VALUES (2, 2)")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, want := ctQueryText(t, c, "SELECT a, b FROM sink ORDER BY a"), "1|1\n2|2\n"; got != want {
		t.Fatalf("sink after the transaction: %q, want %q", got, want)
	}

	// A streaming scan stops when its context is cancelled.
	sctx, cancel := context.WithCancel(ctx)
	rows, err := c.QueryContext(sctx, "SELECT a.id, b.id FROM big a, big b")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	start := time.Now()
	for rows.Next() {
		seen++
		if seen == 10 {
			cancel()
		}
	}
	if err := rows.Err(); !errors.Is(err, context.Canceled) {
		t.Fatalf("rows.Err after cancel = %v", err)
	}
	if seen >= n*n || time.Since(start) > 2*time.Second {
		t.Fatalf("the scan went on after cancel: %d rows in %v", seen, time.Since(start))
	}
	rows.Close()
	cancel()
	if got := ctQueryInt(t, c, "SELECT COUNT(*) FROM big WHERE v = 3"); got != (n-3)/7+1 {
		t.Fatalf("count after the cancelled scan = %d", got)
	}
	if err := c.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
}

// --- closed things -----------------------------------------------------------

func TestContractClosed(t *testing.T) {
	path := ctPath(t)
	db := ctOpen(t, path)
	ctExec(t, db, "CREATE TABLE c (id INT PRIMARY KEY)")
	ctExec(t, db, "INSERT INTO c VALUES (1), (2), (3)")
	ctx := context.Background()

	// A closed *sql.Conn.
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := c.ExecContext(ctx, "INSERT INTO c VALUES (4)"); !errors.Is(err, sql.ErrConnDone) {
		t.Fatalf("exec on a closed Conn: %v", err)
	}

	// A closed statement, closed rows.
	st, err := db.Prepare("SELECT id FROM c")
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := st.Query(); err == nil {
		t.Fatal("query on a closed statement succeeded")
	}
	rows, err := db.Query("SELECT id FROM c ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if rows.Next() || rows.Err() != nil {
		t.Fatalf("closed rows: Next true or Err %v", rows.Err())
	}

	// Rows open across db.Close stay readable: the engine outlives the DB
	// while a connection uses it, and closes with that connection.
	rows, err = db.Query("SELECT id FROM c ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ids, []int{1, 2, 3}) {
		t.Fatalf("rows after db.Close: %v", ids)
	}
	rows.Close()
	if _, err := db.Exec("INSERT INTO c VALUES (5)"); err == nil || !strings.Contains(err.Error(), "database is closed") {
		t.Fatalf("exec on a closed DB: %v", err)
	}
	// Everything is closed: another process could open it now, and so can we.
	db2 := ctOpen(t, path)
	if got := ctQueryInt(t, db2, "SELECT COUNT(*) FROM c"); got != 3 {
		t.Fatalf("count = %d", got)
	}

	// The driver directly: a closed connection returns driver.ErrBadConn
	// and nothing runs.
	cn, err := (&bxdb.Driver{}).Open(path + "?mode=rw")
	if err != nil {
		t.Fatal(err)
	}
	if err := cn.Close(); err != nil {
		t.Fatal(err)
	}
	if err := cn.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := cn.Prepare("SELECT 1"); err != sqldriver.ErrBadConn {
		t.Errorf("Prepare on a closed conn: %v", err)
	}
	if _, err := cn.(sqldriver.ExecerContext).ExecContext(ctx, "INSERT INTO c VALUES (9)", nil); err != sqldriver.ErrBadConn {
		t.Errorf("ExecContext on a closed conn: %v", err)
	}
	if _, err := cn.(sqldriver.QueryerContext).QueryContext(ctx, "SELECT 1", nil); err != sqldriver.ErrBadConn {
		t.Errorf("QueryContext on a closed conn: %v", err)
	}
	if _, err := cn.(sqldriver.ConnBeginTx).BeginTx(ctx, sqldriver.TxOptions{}); err != sqldriver.ErrBadConn {
		t.Errorf("BeginTx on a closed conn: %v", err)
	}
	if err := cn.(sqldriver.Pinger).Ping(ctx); err != sqldriver.ErrBadConn {
		t.Errorf("Ping on a closed conn: %v", err)
	}
	if err := cn.(sqldriver.SessionResetter).ResetSession(ctx); err != sqldriver.ErrBadConn {
		t.Errorf("ResetSession on a closed conn: %v", err)
	}
	if cn.(sqldriver.Validator).IsValid() {
		t.Errorf("IsValid on a closed conn")
	}
	if got := ctQueryInt(t, db2, "SELECT COUNT(*) FROM c"); got != 3 {
		t.Fatalf("count = %d", got)
	}
}

// --- concurrency -------------------------------------------------------------

// ctRetryable reports whether err asks for the transaction to be retried
// (a write conflict or a lock wait timeout).
func ctRetryable(err error) bool {
	var e *bxdb.Error
	return errors.Is(err, bedrock.ErrConflict) || (errors.As(err, &e) && (e.Number == 1213 || e.Number == 1205))
}

func TestContractConcurrent(t *testing.T) {
	db := ctOpen(t, ctPath(t)+"?busy_timeout=30s")
	ctExec(t, db, "CREATE TABLE ev (g INT, i INT, PRIMARY KEY (g, i))")
	ctExec(t, db, "CREATE TABLE counter (id INT PRIMARY KEY, n BIGINT)")
	ctExec(t, db, "INSERT INTO counter VALUES (1, 0)")
	const goroutines, iters = 16, 60
	var (
		wg        sync.WaitGroup
		inserted  atomic.Int64 // rows committed into ev
		increment atomic.Int64 // committed counter increments
		retries   atomic.Int64
	)
	ins, err := db.Prepare("INSERT INTO ev VALUES (?, ?)")
	if err != nil {
		t.Fatal(err)
	}
	defer ins.Close()
	errc := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := int64(0) // rows of group g committed
			lastN := int64(0)
			fail := func(format string, args ...any) {
				errc <- fmt.Errorf("goroutine %d: "+format, append([]any{g}, args...)...)
			}
			for i := range iters {
				switch i % 4 {
				case 0: // autocommit insert through a shared prepared statement
					if _, err := ins.Exec(g, i); err != nil {
						fail("insert: %v", err)
						return
					}
					mine++
					inserted.Add(1)
				case 1: // read-modify-write transaction, some rolled back
					for {
						tx, err := db.Begin()
						if err != nil {
							fail("begin: %v", err)
							return
						}
						_, err = tx.Exec("UPDATE counter SET n = n + 1 WHERE id = 1")
						if err == nil {
							_, err = tx.Exec("INSERT INTO ev VALUES (?, ?)", g, i)
						}
						if err == nil && i%8 == 5 {
							err = tx.Rollback()
							if err != nil {
								fail("rollback: %v", err)
								return
							}
							break
						}
						if err == nil {
							err = tx.Commit()
							if err == nil {
								mine++
								inserted.Add(1)
								increment.Add(1)
								break
							}
						} else {
							tx.Rollback()
						}
						if !ctRetryable(err) {
							fail("tx: %v", err)
							return
						}
						retries.Add(1)
					}
				case 2: // read your own writes
					var n int64
					if err := db.QueryRow("SELECT COUNT(*) FROM ev WHERE g = ?", g).Scan(&n); err != nil {
						fail("count: %v", err)
						return
					}
					if n != mine {
						fail("sees %d of its rows, committed %d", n, mine)
						return
					}
				case 3: // the counter never goes back
					var n int64
					if err := db.QueryRow("SELECT n FROM counter WHERE id = 1").Scan(&n); err != nil {
						fail("counter: %v", err)
						return
					}
					if n < lastN {
						fail("counter went back from %d to %d", lastN, n)
						return
					}
					lastN = n
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	if got := ctQueryInt(t, db, "SELECT COUNT(*) FROM ev"); got != inserted.Load() {
		t.Errorf("ev has %d rows, %d were committed", got, inserted.Load())
	}
	if got := ctQueryInt(t, db, "SELECT n FROM counter WHERE id = 1"); got != increment.Load() {
		t.Errorf("counter = %d, %d increments were committed", got, increment.Load())
	}
	wantInserted := int64(goroutines * (iters/4 + iters/4 - iters/8))
	if inserted.Load() != wantInserted {
		t.Errorf("%d rows committed, want %d", inserted.Load(), wantInserted)
	}
	t.Logf("%d rows, %d increments, %d retries", inserted.Load(), increment.Load(), retries.Load())
}

// --- sharing within and across processes ------------------------------------

func TestContractTwoOpensShare(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "shared.bxdb")
	db1 := ctOpen(t, path)
	db2 := ctOpen(t, "file:"+dir+"/./shared.bxdb?cache=2MiB")
	ctExec(t, db1, "CREATE TABLE s (id INT PRIMARY KEY, who VARCHAR(4))")
	ctExec(t, db1, "INSERT INTO s VALUES (1, 'db1')")
	if got, want := ctQueryText(t, db2, "SELECT id, who FROM s"), "1|db1\n"; got != want {
		t.Fatalf("db2 sees %q, want %q", got, want)
	}
	// Interleaved transactions on the two handles.
	tx1, err := db1.Begin()
	if err != nil {
		t.Fatal(err)
	}
	ctExec(t, tx1, "INSERT INTO s VALUES (2, 'tx1')")
	if err := tx1.Commit(); err != nil {
		t.Fatal(err)
	}
	tx2, err := db2.Begin()
	if err != nil {
		t.Fatal(err)
	}
	ctExec(t, tx2, "INSERT INTO s VALUES (3, 'tx2')")
	if err := tx2.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := db1.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := ctQueryText(t, db2, "SELECT id, who FROM s ORDER BY id"), "1|db1\n2|tx1\n3|tx2\n"; got != want {
		t.Fatalf("db2 after db1 closed: %q, want %q", got, want)
	}
	ctExec(t, db2, "INSERT INTO s VALUES (4, 'db2')")
	if err := db2.Close(); err != nil {
		t.Fatal(err)
	}
	db3 := ctOpen(t, path)
	if got := ctQueryInt(t, db3, "SELECT COUNT(*) FROM s"); got != 4 {
		t.Fatalf("after reopen: %d rows", got)
	}
}

// openFDs counts the process's open file descriptors (Linux only).
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count file descriptors: %v", err)
	}
	return len(ents)
}

func TestContractNoFileLeak(t *testing.T) {
	path := ctPath(t)
	cycle := func() {
		db, err := sql.Open("bxdb", path)
		if err != nil {
			t.Fatal(err)
		}
		db2, err := sql.Open("bxdb", path+"?sync=off")
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(4)
		ctx := context.Background()
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ctExec(t, c, "CREATE TABLE IF NOT EXISTS l (id INT)")
		ctExec(t, db2, "INSERT INTO l VALUES (1)")
		rows, err := db.QueryContext(ctx, "SELECT id FROM l")
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		db2.Close()
		db.Close()
		rows.Close() // the last user: closes the file
	}
	cycle() // warm up
	before := openFDs(t)
	for range 20 {
		cycle()
	}
	if after := openFDs(t); after != before {
		t.Fatalf("%d file descriptors open after 20 open/close cycles, %d before", after, before)
	}
	db := ctOpen(t, path)
	if got := ctQueryInt(t, db, "SELECT COUNT(*) FROM l"); got != 21 {
		t.Fatalf("count = %d, want 21", got)
	}
}

func TestContractMemory(t *testing.T) {
	db := ctOpen(t, ":memory:")
	db.SetMaxOpenConns(4)
	ctx := context.Background()
	c1, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	c2, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	ctExec(t, c1, "CREATE TABLE m (id INT PRIMARY KEY)")
	ctExec(t, c1, "INSERT INTO m VALUES (1), (2)")
	if got := ctQueryInt(t, c2, "SELECT COUNT(*) FROM m"); got != 2 {
		t.Fatalf("second connection sees %d rows", got)
	}
	// Another :memory: DB is another database.
	other := ctOpen(t, "file::memory:?cache=1MiB")
	_, err = other.Query("SELECT * FROM m")
	ctWantSQLError(t, err, 1146)
}

func TestContractSecondProcessRefused(t *testing.T) {
	if os.Getenv(ctChildEnv) == "open" {
		// Child: try to open the file and report what happened.
		db, err := sql.Open("bxdb", os.Getenv("BXDB_CONTRACT_DSN"))
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		if err != nil {
			fmt.Printf("CHILD-ERROR locked=%v: %v\n", errors.Is(err, bxdb.ErrLocked), err)
		} else {
			fmt.Println("CHILD-OK")
		}
		os.Exit(0)
	}
	path := ctPath(t)
	db := ctOpen(t, path)
	ctExec(t, db, "CREATE TABLE p (id INT)")
	for _, mode := range []string{"", "?mode=rw", "?mode=ro"} {
		out, err := ctRunChild(t, "TestContractSecondProcessRefused", "open", "BXDB_CONTRACT_DSN="+path+mode)
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		if !strings.Contains(out, "CHILD-ERROR locked=true: driver: open ") ||
			!strings.Contains(out, filepath.Base(path)+": database is locked by another process") {
			t.Fatalf("second process opening %q:\n%s", mode, out)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Once closed, another process may open it.
	out, err := ctRunChild(t, "TestContractSecondProcessRefused", "open", "BXDB_CONTRACT_DSN="+path)
	if err != nil || !strings.Contains(out, "CHILD-OK") {
		t.Fatalf("second process after close: %v\n%s", err, out)
	}
	// Read-only processes share the file.
	ro := ctOpen(t, path+"?mode=ro")
	out, err = ctRunChild(t, "TestContractSecondProcessRefused", "open", "BXDB_CONTRACT_DSN="+path+"?mode=ro")
	if err != nil || !strings.Contains(out, "CHILD-OK") {
		t.Fatalf("second read-only process: %v\n%s", err, out)
	}
	out, err = ctRunChild(t, "TestContractSecondProcessRefused", "open", "BXDB_CONTRACT_DSN="+path)
	if err != nil || !strings.Contains(out, "CHILD-ERROR locked=true") {
		t.Fatalf("read-write process while another reads: %v\n%s", err, out)
	}
	ro.Close()
}

// TestContractTimeArgsMicroseconds checks that a time.Time argument is cut
// to microseconds, as go-sql-driver/mysql sends it, on every path: a row
// inserted with time.Now()-like nanoseconds is found again by the same
// value and reads back as that value truncated.
func TestContractTimeArgsMicroseconds(t *testing.T) {
	db := ctOpen(t, ctPath(t))
	ctExec(t, db, "CREATE TABLE tm (id INT PRIMARY KEY, at DATETIME(6))")
	for i, tt := range []time.Time{
		time.Date(2024, 3, 4, 5, 6, 7, 123456789, time.UTC),
		time.Date(2024, 3, 4, 5, 6, 8, 123456400, time.UTC),
		time.Date(2024, 3, 4, 5, 6, 9, 999999999, time.FixedZone("x", 3600)),
	} {
		if _, err := db.Exec("INSERT INTO tm VALUES (?, ?)", i, tt); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM tm WHERE at = ?", tt).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%v: %d rows found by the inserted value (%v)", tt, n, err)
		}
		var got time.Time
		if err := db.QueryRow("SELECT at FROM tm WHERE id = ?", i).Scan(&got); err != nil || !got.Equal(tt.Truncate(time.Microsecond)) {
			t.Fatalf("%v read back as %v (%v), want %v", tt, got, err, tt.Truncate(time.Microsecond))
		}
	}
}
