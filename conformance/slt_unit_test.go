package conformance

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Tests of the SLT parser, formatter and runner on small inline inputs.
// Hashes in expectations were computed with md5sum, independently of the
// code under test.

func TestParseSLT(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    []sltRecord
		wantErr string // substring of the error; "" means no error
	}{
		{
			name: "crlf records",
			input: "hash-threshold 8\r\n\r\nstatement ok\r\nCREATE TABLE t(a INTEGER)\r\n\r\n" +
				"query I rowsort label-1\r\nSELECT a\r\nFROM t\r\n----\r\n1\r\n2\r\n",
			want: []sltRecord{
				{pos: sltPos{"t.test", 1}, kind: sltHashThreshold, threshold: 8},
				{pos: sltPos{"t.test", 3}, kind: sltStatement, sql: "CREATE TABLE t(a INTEGER)"},
				{pos: sltPos{"t.test", 6}, kind: sltQuery, types: "I", sort: sltRowSort, label: "label-1",
					sql: "SELECT a\nFROM t", hasExpected: true, expected: []string{"1", "2"}},
			},
		},
		{
			name:  "comments vanish even inside records, white space lines are blank",
			input: "# head\nstatement error\n# inside\nINSERT INTO t\nVALUES(1)\n   \t\nhalt\n",
			want: []sltRecord{
				{pos: sltPos{"t.test", 2}, kind: sltStatement, expectError: true, sql: "INSERT INTO t\nVALUES(1)"},
				{pos: sltPos{"t.test", 7}, kind: sltHalt},
			},
		},
		{
			name:  "conditions and a query without ----",
			input: "\n\nskipif mysql\nonlyif sqlite\nquery IT nosort\nSELECT 1, 'a'\n",
			want: []sltRecord{
				{pos: sltPos{"t.test", 3}, kind: sltQuery, types: "IT", sql: "SELECT 1, 'a'",
					conds: []sltCond{{skip: true, engine: "mysql"}, {skip: false, engine: "sqlite"}}},
			},
		},
		{
			name:  "empty expected block, valuesort, no label",
			input: "query R valuesort\nSELECT 1\n----\n",
			want: []sltRecord{
				{pos: sltPos{"t.test", 1}, kind: sltQuery, types: "R", sort: sltValueSort, sql: "SELECT 1",
					hasExpected: true, expected: []string{}},
			},
		},
		{
			name:  "hash line and values with spaces are kept verbatim",
			input: "query TI\nSELECT 1\n----\n30 values hashing to 0123456789abcdef0123456789abcdef\n a b \n",
			want: []sltRecord{
				{pos: sltPos{"t.test", 1}, kind: sltQuery, types: "TI", sql: "SELECT 1", hasExpected: true,
					expected: []string{"30 values hashing to 0123456789abcdef0123456789abcdef", " a b "}},
			},
		},
		{name: "unknown record", input: "statement ok\nSELECT 1\n\nfrobnicate 3\n", wantErr: "t.test:4: unknown record type \"frobnicate\""},
		{name: "bad type", input: "query IX\nSELECT 1\n", wantErr: "t.test:1: unknown type character 'X'"},
		{name: "missing types", input: "query\nSELECT 1\n", wantErr: "t.test:1: missing type string"},
		{name: "bad sort", input: "\n\nquery I bogus\nSELECT 1\n", wantErr: "t.test:3: unknown sort method \"bogus\""},
		{name: "statement without SQL", input: "statement ok\n", wantErr: "t.test:1: statement without SQL"},
		{name: "statement bad argument", input: "statement maybe\nSELECT 1\n", wantErr: "t.test:1: statement argument"},
		{name: "query without SQL", input: "query I\n----\n1\n", wantErr: "t.test:1: query without SQL"},
		{name: "bad threshold", input: "hash-threshold x\n", wantErr: "t.test:1: bad hash-threshold"},
		{name: "dangling condition", input: "skipif mysql\n\nstatement ok\nSELECT 1\n", wantErr: "t.test:1: skipif is not followed by a record"},
		{name: "condition without engine", input: "onlyif\nhalt\n", wantErr: "t.test:1: onlyif without an engine name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parseSLT("t.test", []byte(tt.input))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.records, tt.want) {
				t.Errorf("records:\n got %+v\nwant %+v", s.records, tt.want)
			}
		})
	}
}

func TestFormatSLTValue(t *testing.T) {
	tests := []struct {
		v    any
		typ  byte
		want string
	}{
		{nil, 'I', "NULL"},
		{nil, 'T', "NULL"},
		{nil, 'R', "NULL"},
		{int64(42), 'I', "42"},
		{int64(-7), 'I', "-7"},
		{3.9, 'I', "3"},   // truncated toward zero
		{-3.9, 'I', "-3"}, // toward zero, not down
		{5.0, 'I', "5"},
		{int64(1 << 31), 'I', "-2147483648"}, // sqlite3_column_int: a C int
		{int64(1<<32 + 5), 'I', "5"},         // low 32 bits
		{math.Inf(1), 'I', "-1"},             // clamped to MaxInt64, low 32 bits
		{"12.5abc", 'I', "12"},               // leading integer prefix
		{" -3x", 'I', "-3"},                  // leading spaces and sign
		{"abc", 'I', "0"},                    // no digits
		{"99999999999999999999", 'I', "-1"},  // clamps to MaxInt64 first
		{"-99999999999999999999", 'I', "0"},  // MinInt64, low 32 bits
		{[]byte("7"), 'I', "7"},              // bytes read as text
		{true, 'I', "1"},                     // bool as 0/1
		{uint64(9), 'I', "9"},                // any integer type
		{1.5, 'R', "1.500"},                  // three decimals
		{int64(2), 'R', "2.000"},             // integers too
		{-0.0001, 'R', "-0.000"},             // sign kept, as C does
		{1234567.891, 'R', "1234567.891"},    // no exponent
		{"2.5e1x", 'R', "25.000"},            // numeric prefix of text
		{"x", 'R', "0.000"},                  // no numeric prefix
		{"abc", 'T', "abc"},                  // text as is
		{"", 'T', "(empty)"},                 // empty string
		{[]byte(""), 'T', "(empty)"},         // empty bytes
		{" ", 'T', " "},                      // a space is printable
		{"a\tb\x7f~", 'T', "a@b@~"},          // control bytes and DEL
		{"é", 'T', "@@"},                     // every byte of UTF-8
		{int64(-5), 'T', "-5"},               // integer as text
		{5.0, 'T', "5.0"},                    // reals keep a point
		{0.1, 'T', "0.1"},                    // 15 significant digits
		{1e20, 'T', "1.0e+20"},               // exponent form keeps a point
		{1.0 / 3, 'T', "0.333333333333333"},  // 15 digits (see formatSLTValue)
		{false, 'T', "0"},                    // bool as 0/1
		{float32(0.5), 'R', "0.500"},         // any float type
		{int32(-12), 'T', "-12"},             // any integer type
		{struct{ A int }{7}, 'T', "{7}"},     // anything else via fmt
		{"2147483648", 'I', "-2147483648"},   // text wraps like integers
		{" 0012 ", 'I', "12"},                // leading zeros
		{"+8", 'I', "8"},                     // plus sign
		{math.NaN(), 'I', "0"},               // NaN converts to 0
		{"-", 'R', "0.000"},                  // a sign alone is no number
		{".5", 'R', "0.500"},                 // no integer part
		{"1e", 'R', "1.000"},                 // dangling exponent ignored
		{"1e400", 'R', "Inf"},                // overflow saturates, spelt as SQLite does
		{int64(math.MinInt64), 'T', "-9223372036854775808"},
	}
	for _, tt := range tests {
		if got := formatSLTValue(tt.v, tt.typ); got != tt.want {
			t.Errorf("formatSLTValue(%#v, %c) = %q, want %q", tt.v, tt.typ, got, tt.want)
		}
	}
}

func TestSortSLTValues(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		ncol int
		mode sltSort
		want []string
	}{
		{"nosort keeps order", []string{"b", "a", "c"}, 1, sltNoSort, []string{"b", "a", "c"}},
		{"rowsort one column is bytewise", []string{"2", "10", "1", "NULL"}, 1, sltRowSort, []string{"1", "10", "2", "NULL"}},
		{"rowsort keeps rows together", []string{"b", "1", "a", "2", "b", "0"}, 2, sltRowSort, []string{"a", "2", "b", "0", "b", "1"}},
		// Column by column, as the reference's rowCompare: ("a","bd") sorts
		// before ("ab","c"), though "abc" < "abd" if rows were joined.
		{"rowsort compares per column", []string{"ab", "c", "a", "bd"}, 2, sltRowSort, []string{"a", "bd", "ab", "c"}},
		{"valuesort breaks rows", []string{"b", "1", "a", "2"}, 2, sltValueSort, []string{"1", "2", "a", "b"}},
		{"(empty) and NULL sort as text", []string{"NULL", "(empty)", "-1"}, 1, sltValueSort, []string{"(empty)", "-1", "NULL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := append([]string(nil), tt.in...)
			sortSLTValues(got, tt.ncol, tt.mode)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHashSLTValues(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, "d41d8cd98f00b204e9800998ecf8427e"},
		{[]string{"1", "2", "3"}, "c0710d6b4f15dfa88f600b0e6b624077"},
		{[]string{"a", "1", "b", "2", "c", "3", "NULL", "4", "(empty)", "5"}, "3aa9476625536e74e7ab5cb3cf14cda9"},
	}
	for _, tt := range tests {
		if got := hashSLTValues(tt.in); got != tt.want {
			t.Errorf("hashSLTValues(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// sltTableSetup creates a table t whose rendered values exercise sorting,
// NULL and (empty). Rows (a, b, c): (10,'c',1.5) (1,'a',NULL) (2,”,-2.25)
// (3,NULL,0.1).
const sltTableSetup = `statement ok
CREATE TABLE t(a INTEGER, b TEXT, c REAL)

statement ok
INSERT INTO t VALUES(10,'c',1.5),(1,'a',NULL),(2,'',-2.25),(3,NULL,0.1)

`

func TestSLTRunner(t *testing.T) {
	tests := []struct {
		name       string
		engine     string // default "mysql"
		script     string // sltTableSetup is prepended
		wantFailed int
		wantAt     []string // substrings of the failures, in order
		wantQ      int      // queries executed, -1 to not check
		wantSkip   int
		wantHalt   bool
	}{
		{
			name: "everything passes",
			script: `hash-threshold 20

statement error
INSERT INTO nosuch VALUES(1)

query ITR nosort
SELECT a, b, c FROM t ORDER BY a
----
1
a
NULL
2
(empty)
-2.250
3
NULL
0.100
10
c
1.500

query IT rowsort
SELECT a, b FROM t
----
1
a
10
c
2
(empty)
3
NULL

query II valuesort
SELECT a, a*10 FROM t WHERE a < 3
----
1
10
2
20

query I nosort
SELECT a FROM t WHERE a > 100

query R nosort
SELECT sum(c) FROM t
----
-0.650

hash-threshold 2

query I valuesort
SELECT a FROM t WHERE a <= 3
----
3 values hashing to c0710d6b4f15dfa88f600b0e6b624077

query I valuesort label-3
SELECT a FROM t WHERE a < 3
----
1
2

query I nosort label-3
SELECT 3 - a FROM t WHERE a IN (1, 2) ORDER BY a DESC
----
1
2

hash-threshold 0

query I nosort
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 9) SELECT x FROM c
----
1
2
3
4
5
6
7
8
9
`,
			wantQ: 9,
		},
		{
			name: "default threshold is 8",
			script: `query I nosort
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 9) SELECT x FROM c
----
9 values hashing to 22e400a2ddbb013acf2a5852d6ab69fc

query I nosort
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 8) SELECT x FROM c
----
1
2
3
4
5
6
7
8
`,
			wantQ: 2,
		},
		{
			name:       "wrong value",
			script:     "query I nosort\nSELECT a FROM t WHERE a < 3 ORDER BY a\n----\n1\n3\n",
			wantFailed: 1, wantAt: []string{"t.test:7: wrong result (nosort, 2 values)"}, wantQ: 1,
		},
		{
			name:       "rowsort order matters",
			script:     "query I rowsort\nSELECT a FROM t\n----\n1\n2\n3\n10\n",
			wantFailed: 1, wantAt: []string{"t.test:7: wrong result (rowsort, 4 values)"}, wantQ: 1,
		},
		{
			name:       "missing value",
			script:     "query I nosort\nSELECT a FROM t WHERE a < 3 ORDER BY a\n----\n1\n2\n3\n",
			wantFailed: 1, wantAt: []string{"wrong result"}, wantQ: 1,
		},
		{
			name:       "extra value",
			script:     "query I nosort\nSELECT a FROM t WHERE a < 3 ORDER BY a\n----\n1\n",
			wantFailed: 1, wantAt: []string{"wrong result"}, wantQ: 1,
		},
		{
			name:       "rows where none are expected",
			script:     "query I nosort\nSELECT a FROM t\n",
			wantFailed: 1, wantAt: []string{"wrong result"}, wantQ: 1,
		},
		{
			name:       "NULL is not (empty)",
			script:     "query T nosort\nSELECT b FROM t WHERE a = 3\n----\n(empty)\n",
			wantFailed: 1, wantAt: []string{"wrong result"}, wantQ: 1,
		},
		{
			name:       "wrong hash",
			script:     "hash-threshold 1\n\nquery I valuesort\nSELECT a FROM t WHERE a <= 3\n----\n3 values hashing to c0710d6b4f15dfa88f600b0e6b624078\n",
			wantFailed: 1, wantAt: []string{"t.test:9: wrong result hash"}, wantQ: 1,
		},
		{
			name:       "hashed result written as values",
			script:     "hash-threshold 1\n\nquery I valuesort\nSELECT a FROM t WHERE a <= 3\n----\n1\n2\n3\n",
			wantFailed: 1, wantAt: []string{"wrong result hash"}, wantQ: 1,
		},
		{
			name:       "statement ok that fails",
			script:     "statement ok\nINSERT INTO nosuch VALUES(1)\n",
			wantFailed: 1, wantAt: []string{"t.test:7: statement failed"}, wantQ: 0,
		},
		{
			name:       "statement error that succeeds",
			script:     "statement error\nINSERT INTO t VALUES(4, 'd', 0)\n",
			wantFailed: 1, wantAt: []string{"t.test:7: statement succeeded, want an error"}, wantQ: 0,
		},
		{
			name:       "query error",
			script:     "query I nosort\nSELECT a FROM nosuch\n----\n",
			wantFailed: 1, wantAt: []string{"t.test:7: query failed"}, wantQ: 1,
		},
		{
			name:       "column count",
			script:     "query II nosort\nSELECT a FROM t WHERE a = 1\n----\n1\n1\n",
			wantFailed: 1, wantAt: []string{"wrong number of result columns: expected 2 but got 1"}, wantQ: 1,
		},
		{
			name:     "skipif mysql is skipped under mysql",
			script:   "skipif MySQL\nquery I nosort\nSELECT 1\n----\n2\n\nskipif mysql\nstatement ok\nbogus\n",
			wantSkip: 2, wantQ: 0,
		},
		{
			name:       "skipif mysql runs under sqlite",
			engine:     "sqlite",
			script:     "skipif mysql\nquery I nosort\nSELECT 1\n----\n2\n",
			wantFailed: 1, wantAt: []string{"t.test:7: wrong result"}, wantQ: 1,
		},
		{
			name:       "onlyif mysql runs under mysql",
			script:     "onlyif mysql\nquery I nosort\nSELECT 1\n----\n2\n",
			wantFailed: 1, wantAt: []string{"t.test:7: wrong result"}, wantQ: 1,
		},
		{
			name:     "onlyif another engine is skipped",
			script:   "onlyif postgresql\nquery I nosort\nSELECT 1\n----\n2\n\nonlyif sqlite\nstatement ok\nbogus\n",
			wantSkip: 2, wantQ: 0,
		},
		{
			name:     "halt stops the file",
			script:   "query I nosort\nSELECT 1\n----\n1\n\nhalt\n\nquery I nosort\nSELECT 1\n----\n2\n",
			wantHalt: true, wantQ: 1,
		},
		{
			name:       "halt for another engine is ignored",
			script:     "onlyif sqlite\nhalt\n\nquery I nosort\nSELECT 1\n----\n2\n",
			wantFailed: 1, wantAt: []string{"t.test:10: wrong result"}, wantSkip: 1, wantQ: 1,
		},
		{
			name:     "halt for this engine applies",
			script:   "onlyif mysql\nhalt\n\nquery I nosort\nSELECT 1\n----\n2\n",
			wantHalt: true, wantQ: 0,
		},
		{
			name:       "labels must agree",
			script:     "query I nosort label-1\nSELECT 1\n----\n1\n\nquery I nosort label-1\nSELECT 2\n----\n2\n",
			wantFailed: 1, wantAt: []string{"t.test:12: labeled result [label-1] does not agree"}, wantQ: 2,
		},
		{
			name:       "a wrong result does not poison its label",
			script:     "query I nosort label-1\nSELECT 1\n----\n2\n\nquery I nosort label-1\nSELECT 2\n----\n2\n",
			wantFailed: 1, wantAt: []string{"t.test:7: wrong result (nosort, 1 values), label label-1"}, wantQ: 2,
		},
		{
			name:       "hashed and listed results share labels",
			script:     "query I valuesort label-x\nSELECT a FROM t WHERE a <= 3\n----\n1\n2\n3\n\nhash-threshold 1\n\nquery I rowsort label-x\nSELECT a FROM t WHERE a <= 3\n----\n3 values hashing to c0710d6b4f15dfa88f600b0e6b624077\n\nquery I nosort label-x\nSELECT 1\n----\n1\n",
			wantFailed: 1, wantAt: []string{"t.test:21: labeled result [label-x]"}, wantQ: 3,
		},
		{
			name:       "skipped labelled records still register their expected hash",
			script:     "skipif mysql\nquery I nosort label-1\nSELECT 1\n----\n1\n\nquery I nosort label-1\nSELECT 2\n----\n2\n",
			wantFailed: 1, wantAt: []string{"t.test:13: labeled result [label-1]"}, wantSkip: 1, wantQ: 1,
		},
		{
			name:     "skipped labelled hashed record agrees",
			script:   "skipif mysql\nquery I nosort label-1\nSELECT 1\n----\n3 values hashing to c0710d6b4f15dfa88f600b0e6b624077\n\nhash-threshold 0\n\nquery I nosort label-1\nSELECT a FROM t WHERE a <= 3 ORDER BY a\n----\n1\n2\n3\n",
			wantSkip: 1, wantQ: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			engine := tt.engine
			if engine == "" {
				engine = "mysql"
			}
			s, err := parseSLT("t.test", []byte(sltTableSetup+tt.script))
			if err != nil {
				t.Fatal(err)
			}
			var fails []*sltFailure
			st := newSLTRunner(openSQLiteSLT(t), engine).run(t.Context(), s, func(f *sltFailure) { fails = append(fails, f) })
			if st.Failed != len(fails) {
				t.Errorf("stats.Failed = %d, but %d reported", st.Failed, len(fails))
			}
			if len(fails) != tt.wantFailed {
				t.Errorf("%d failures, want %d", len(fails), tt.wantFailed)
			}
			for i, f := range fails {
				if i < len(tt.wantAt) && !strings.Contains(f.String(), tt.wantAt[i]) {
					t.Errorf("failure %d does not contain %q", i, tt.wantAt[i])
				}
				t.Logf("failure %d: %s", i, f)
			}
			if st.Queries != tt.wantQ {
				t.Errorf("%d queries ran, want %d", st.Queries, tt.wantQ)
			}
			if st.Skipped != tt.wantSkip {
				t.Errorf("%d skipped, want %d", st.Skipped, tt.wantSkip)
			}
			if st.Halted != tt.wantHalt {
				t.Errorf("halted = %v, want %v", st.Halted, tt.wantHalt)
			}
		})
	}
}

// recordingTB captures Errorf calls so that a test can check what runSLT
// reports without failing itself.
type recordingTB struct {
	testing.TB
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestRunSLTReportsAtMost20(t *testing.T) {
	var b strings.Builder
	b.WriteString(sltTableSetup)
	const n = sltMaxReported + 5
	for i := range n {
		fmt.Fprintf(&b, "query I nosort\nSELECT %d\n----\n%d\n\n", i, i+1)
	}
	b.WriteString("query I nosort\nSELECT 1\n----\n1\n")
	path := filepath.Join(t.TempDir(), "many.test")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recordingTB{TB: t}
	st := runSLT(rec, openSQLiteSLT(t), path, "mysql")
	if st.Failed != n || st.Queries != n+1 {
		t.Errorf("stats %s, want %d failed of %d queries", st, n, n+1)
	}
	if len(rec.errors) != sltMaxReported+1 {
		t.Fatalf("%d errors reported, want %d and a summary", len(rec.errors), sltMaxReported)
	}
	if !strings.Contains(rec.errors[0], "many.test:7: wrong result") || !strings.Contains(rec.errors[0], "SQL: SELECT 0") {
		t.Errorf("first report %q lacks position or SQL", rec.errors[0])
	}
	if last := rec.errors[sltMaxReported]; !strings.Contains(last, "5 more failures not shown") {
		t.Errorf("summary %q", last)
	}
}

func TestSLTRunnerOracle(t *testing.T) {
	db, oracle := openSQLiteSLT(t), openSQLiteSLT(t)
	// The database under test starts with a row the oracle lacks.
	if _, err := db.Exec("CREATE TABLE u(a INTEGER); INSERT INTO u VALUES(7)"); err != nil {
		t.Fatal(err)
	}
	s, err := parseSLT("t.test", []byte("statement ok\nCREATE TABLE IF NOT EXISTS u(a INTEGER)\n\n"+
		"statement ok\nINSERT INTO u VALUES(2)\n\n"+
		"query I rowsort\nSELECT a FROM u\n----\n2\n\n"+
		"query I nosort\nSELECT a FROM nosuch\n----\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := newSLTRunner(db, "mysql")
	r.oracle = oracle
	var fails []*sltFailure
	r.run(t.Context(), s, func(f *sltFailure) { fails = append(fails, f) })
	if len(fails) != 2 {
		t.Fatalf("%d failures, want 2: %v", len(fails), fails)
	}
	if want := []string{"2"}; !reflect.DeepEqual(fails[0].oracle, want) {
		t.Errorf("oracle values %q, want %q", fails[0].oracle, want)
	}
	if !strings.Contains(fails[0].String(), "oracle got (1 lines):\n        2") {
		t.Errorf("failure does not show the oracle's values:\n%s", fails[0])
	}
	if len(fails[1].oracle) != 1 || !strings.Contains(fails[1].oracle[0], "error: ") {
		t.Errorf("oracle error not shown: %q", fails[1].oracle)
	}
}
