package sqlfront

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/bxdb/bxdb/internal/mutation"
)

// FuzzParse checks that Parse, NumPlaceholders, SplitStatements and the
// lexer never panic or hang, and that errors are well-formed. The seed
// corpus holds every statement form of the table and data-driven tests;
// crashers found so far are in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, tc := range ddlTests {
		f.Add(tc.input)
	}
	for _, tc := range stmtTests {
		f.Add(tc.input)
	}
	for _, tc := range ddlErrorTests {
		f.Add(tc.input)
	}
	for _, tc := range stmtErrorTests {
		f.Add(tc.input)
	}
	for _, path := range dataFiles(f) {
		for _, c := range readDataFileTB(f, path) {
			f.Add(c.input)
		}
	}
	for _, s := range []string{
		"select row_number() over (order by a desc, b) from t", "select x) over (", "select f(*) over (partition by a order by b rows 1)",
		"select over ()", "(over ()", "select 1 over (order by", "select sum(a) over w from t window w as ()", "(A00000)over A", "SELECT f() OVER (w WINDOW w AS ())", "SELECT SUM(v) OVER (w ORDER BY id FROM c WINDOW w AS (PARTITION BY pid))",
		"select sum(a) over w from t window w as (rows 1 precedinx)", "select sum(a) over (w order by) from t window w as (partition by a)",
		"select a from t where a in (select b from u except select 1) and exists ((select 1) intersect all (select 2))",
		"insert into t select 1 union select 2 intersect select 3 on duplicate key update a = (select 4 except select 5)",
		"select * from ((select 1 except select 2) union (with c as (select 1) select * from c intersect select 1)) d",
		"select * from t, json_table(t.doc, '$[*]' columns (o for ordinality, a int path '$.a' default '1' on empty error on error, b int exists path '$.b', nested path '$.c[*]' columns (c json path '$'))) as j",
		"select * from json_table(?, '$' columns (a int path '$')) j where a > ?", "select * from json_table(json_table(", "json_table(,", "select * from json_table('[1]', '$' columns (nested '$' columns (nested path '$' columns (a int path '$')))) j",
		"TABLE t ORDER BY a LIMIT 1 OFFSET 1", "table", "table t.", "(table t) union table u", "insert into x table t", "create table x as table t",
		"VALUES ROW(?, 'a'), ROW(2, ?) ORDER BY column_1 LIMIT ?", "values row(", "values row(1), row(", "values row(1), (2)", "values row()",
		"select * from (values row(1, 2), row(3, 4)) as v (x, y)", "select * from (values row(1)) v (", "select * from (values row(1)) v (x,", "(values row(1) as v (x",
		"select 1 union values row(1), row(1) intersect values row((values row(2)))", "insert into t values row(?, 1), row((table u), ?) on duplicate key update b = values(b)",
		"with c (a) as (values row(1) order by column_0 limit 1) table c", "select a in (values row(1) from t)", "insert into t value row(1)",
		"/*!12345*/", "/*!", "select /*!*/ 1", "`", "'\\", "\x00", "?", "set @@", "create table t (a int default (((((",
		"select ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1",
	} {
		f.Add(s)
	}
	f.Fuzz(checkParseWithin)
}

// checkParseWithin runs checkParseInvariants on sql, failing if it takes
// more than 10 seconds (a hang).
func checkParseWithin(t *testing.T, sql string) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		checkParseInvariants(t, sql)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("Parse(%q) did not return within 10s", sql)
	}
}

// checkParseInvariants parses sql every way and checks the results. It
// reports with t.Errorf, so it may run on another goroutine.
func checkParseInvariants(t *testing.T, sql string) {
	s, err := Parse(sql)
	switch {
	case err == nil && s == nil:
		t.Errorf("Parse(%q) = nil, nil", sql)
	case err == nil:
		if n := NumPlaceholders(s); n < 0 || n > strings.Count(sql, "?") {
			t.Errorf("NumPlaceholders(Parse(%q)) = %d", sql, n)
		}
	case errors.Is(err, ErrEmptyStatement):
	case errors.As(err, new(*SQLError)):
		// A statement that parses but breaks a rule the parser checks
		// (a named window that is not defined: 3579).
	default:
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q): error %v is not a *ParseError", sql, err)
			break
		}
		if pe.Pos < 0 || pe.Pos > len(sql) || !strings.HasPrefix(sql[pe.Pos:], pe.Near) || len(pe.Near) > nearLimit {
			t.Errorf("Parse(%q): bad error position %d near %q", sql, pe.Pos, pe.Near)
		}
	}
	parts, err := SplitStatements(sql)
	if err == nil {
		for _, p := range parts {
			if p == "" || !strings.Contains(sql, p) {
				t.Errorf("SplitStatements(%q) returned %q, not a piece of the input", sql, p)
			}
		}
	}
	l := newLexer(sql)
	prev := 0
	for n := 0; ; n++ {
		tok := l.next()
		if tok.pos < prev || tok.end < tok.pos || tok.end > len(sql) || n > len(sql)+1 {
			t.Errorf("lexing %q: token %d %+v out of order (previous end %d)", sql, n, tok, prev)
			return
		}
		prev = tok.end
		if tok.typ == 0 {
			return
		}
	}
}

// TestParseMutations runs FuzzParse's checks on 20,000 random mutations
// of its seed statements (bytes overwritten or cut, SQL punctuation and
// keywords spliced in), so that the default test run meets what the
// fuzzer would. BXDB_MUTATION_SEED replays a run.
func TestParseMutations(t *testing.T) {
	seed := mutation.Seed(t)
	rng := rand.New(rand.NewPCG(seed, 7))
	var seeds []string
	for _, tc := range stmtTests {
		seeds = append(seeds, tc.input)
	}
	for _, tc := range ddlTests {
		seeds = append(seeds, tc.input)
	}
	for _, path := range dataFiles(t) {
		for _, c := range readDataFileTB(t, path) {
			seeds = append(seeds, c.input)
		}
	}
	splice := []string{"(", ")", ",", "'", "`", "\"", "?", ";", "--", "/*", "*/", "\\", " SELECT ", " FROM ", " WHERE ", " OVER (", " WITH ", " UNION ", " EXCEPT ", " INTERSECT ALL ", " NULL ", "\x00", "@@", "0x", "1e999", "-"}
	for i := 0; i < 20000; i++ {
		sql := mutation.Text(rng, seeds[rng.IntN(len(seeds))], splice)
		checkParseWithin(t, sql)
		if t.Failed() {
			t.Fatalf("seed %d: mutation %d: %q", seed, i, sql)
		}
	}
}
