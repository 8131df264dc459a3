package sqlfront

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xwb1989/sqlparser"
)

// The expression tests are data files in testdata/expr. Each block is a
// command line, input lines, a "----" line and the expected output:
//
//	eval                     one expression per input line; one output
//	1 + 2                    line each: "<kind> <value>", "NULL" or
//	----                     "error <number>: <message>"
//	int 3
//
//	isconst                  one expression per line: "const" or "row"
//
//	agg                      first line an aggregate call, then one row
//	sum(x)                   per line: the argument values, then the
//	1                        ORDER BY keys, as a SQL expression list
//	----
//	decimal 1
//
// Expressions see the row of exprTestColumns, the placeholder values
// exprTestArgs and exprTestNow; subqueries read tables s1..s7 of
// exprTestTables. Run with -rewrite to regenerate the expected output
// (then review the diff).

// exprTestColumns is the row expressions in test files see.
var exprTestColumns = []struct {
	name string
	v    Value
}{
	{"i", IntValue(5)},
	{"n", Null},
	{"f", FloatValue(2.5)},
	{"d", Value{K: KindDecimal, S: "1.50"}},
	{"s", StringValue("Hello")},
	{"e", StringValue("")},
	{"b", BytesValue([]byte("\x00ab"))},
	{"t", DatetimeValue(time.Date(2024, 1, 15, 10, 30, 45, 0, time.UTC), 0)},
	{"dt", DateValue(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC))},
	{"tm", DurationValue(10*time.Hour+30*time.Minute, 0)},
	{"u", UintValue(18446744073709551615)},
	{"neg", IntValue(-3)},
	{"z", IntValue(0)},
}

// exprTestArgs are the placeholder values (? is Args[0]).
var exprTestArgs = []Value{IntValue(7), StringValue("x"), Null}

// exprTestNow is the statement time.
var exprTestNow = time.Date(2024, 3, 10, 12, 34, 56, 789123456, time.UTC)

// exprTestTables are the canned results of subqueries by table name.
var exprTestTables = map[string][][]Value{
	"s1": {{IntValue(1)}, {IntValue(2)}, {Null}},
	"s2": {},
	"s3": {{IntValue(1)}, {IntValue(2)}},
	"s4": {{IntValue(5)}},
	"s5": {{IntValue(1), IntValue(2)}, {IntValue(3), IntValue(4)}},
	"s6": {{IntValue(1)}, {IntValue(2)}, {IntValue(3)}, {IntValue(4)}, {IntValue(5)}, {IntValue(6)}, {IntValue(7)}, {IntValue(8)}, {IntValue(9)}, {IntValue(10)}},
	"s7": {{IntValue(1), IntValue(2)}},
}

// exprTestScope resolves the test row's columns and canned subqueries.
type exprTestScope struct {
	runs map[string]int // subquery runs by table, to check memoization
}

func (s *exprTestScope) Column(db, table, name string) (int, error) {
	for i, c := range exprTestColumns {
		if strings.EqualFold(c.name, name) && (table == "" || table == "t") {
			return i, nil
		}
	}
	if table != "" {
		name = table + "." + name
	}
	return 0, ErrUnknownColumn(name, "field list")
}

func (s *exprTestScope) Aggregate(sqlparser.Expr) (int, error) { return 0, ErrInvalidGroupFunc() }

func (s *exprTestScope) Subquery(sel sqlparser.SelectStatement) (Subquery, error) {
	ss, ok := sel.(*sqlparser.Select)
	if !ok || len(ss.From) != 1 {
		return Subquery{}, fmt.Errorf("test: unsupported subquery %s", sqlparser.String(sel))
	}
	name := sqlparser.String(ss.From[0])
	rows, ok := exprTestTables[name]
	if !ok {
		return Subquery{}, NewSQLError(ErNoSuchTable, "Table 'test.%s' doesn't exist", name)
	}
	return Subquery{Run: func(*Env) ([][]Value, error) {
		if s.runs != nil {
			s.runs[name]++
		}
		return rows, nil
	}}, nil
}

// newExprTestEnv returns the Env of the expression tests.
func newExprTestEnv() *Env {
	row := make([]Value, len(exprTestColumns))
	for i, c := range exprTestColumns {
		row[i] = c.v
	}
	return &Env{Row: row, Args: exprTestArgs, Now: exprTestNow, Database: "test", LastInsertID: 42}
}

// parseTestExpr parses the SQL expression text.
func parseTestExpr(text string) (sqlparser.Expr, error) {
	st, err := sqlparser.Parse("select " + text + " from t")
	if err != nil {
		return nil, err
	}
	ae, ok := st.(*sqlparser.Select).SelectExprs[0].(*sqlparser.AliasedExpr)
	if !ok {
		return nil, fmt.Errorf("not an expression: %s", text)
	}
	return ae.Expr, nil
}

// parseTestExprs parses a comma-separated expression list.
func parseTestExprs(text string) ([]sqlparser.Expr, error) {
	st, err := sqlparser.Parse("select " + text + " from t")
	if err != nil {
		return nil, err
	}
	var out []sqlparser.Expr
	for _, se := range st.(*sqlparser.Select).SelectExprs {
		out = append(out, se.(*sqlparser.AliasedExpr).Expr)
	}
	return out, nil
}

// describeValue renders a value for test output: "<kind> <value>".
func describeValue(v Value) string {
	switch v.K {
	case KindNull:
		return "NULL"
	case KindString:
		return "string " + strconv.Quote(v.S)
	case KindBytes:
		return "bytes " + strconv.Quote(v.S)
	case KindTime:
		return [...]string{"datetime", "date", "time"}[v.TimeType()] + " " + Format(v)
	}
	return v.K.String() + " " + Format(v)
}

// describeErr renders an error for test output.
func describeErr(err error) string {
	if se, ok := err.(*SQLError); ok {
		return fmt.Sprintf("error %d: %s", se.Number, se.Msg)
	}
	return "error: " + err.Error()
}

// evalTestExpr compiles and evaluates one expression.
func evalTestExpr(text string) string {
	pe, err := parseTestExpr(text)
	if err != nil {
		return "parse error: " + err.Error()
	}
	e, err := Compile(pe, &exprTestScope{})
	if err != nil {
		return describeErr(err)
	}
	v, err := e.Eval(newExprTestEnv())
	if err != nil {
		return describeErr(err)
	}
	return describeValue(v)
}

// runAggTest runs an agg block.
func runAggTest(lines []string) string {
	pe, err := parseTestExpr(lines[0])
	if err != nil {
		return "parse error: " + err.Error()
	}
	spec, err := ParseAggregate(pe)
	if err != nil {
		return describeErr(err)
	}
	a := NewAggregator(spec)
	env := newExprTestEnv()
	for _, l := range lines[1:] {
		es, err := parseTestExprs(l)
		if err != nil {
			return "parse error: " + err.Error()
		}
		var vals []Value
		for _, x := range es {
			ce, err := Compile(x, &exprTestScope{})
			if err != nil {
				return describeErr(err)
			}
			v, err := ce.Eval(env)
			if err != nil {
				return describeErr(err)
			}
			vals = append(vals, v)
		}
		nargs := len(spec.Args)
		if spec.Func == AggCountStar {
			nargs = 0
		}
		if nargs > len(vals) {
			nargs = len(vals)
		}
		if err := a.AddRow(vals[:nargs], vals[nargs:]); err != nil {
			return describeErr(err)
		}
	}
	return describeValue(a.Result())
}

// testBlock is one block of a data file.
type testBlock struct {
	cmd    string
	input  []string
	output []string
	line   int // line number of cmd
}

// readTestBlocks parses a data file; comments and blank lines between
// blocks are kept in the blocks' positions by the rewriter.
func readTestBlocks(t *testing.T, path string) (blocks []testBlock, raw []string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		raw = append(raw, sc.Text())
	}
	for i := 0; i < len(raw); {
		l := raw[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			i++
			continue
		}
		b := testBlock{cmd: strings.TrimSpace(l), line: i + 1}
		i++
		for i < len(raw) && raw[i] != "----" {
			b.input = append(b.input, raw[i])
			i++
		}
		if i == len(raw) {
			t.Fatalf("%s:%d: block without ----", path, b.line)
		}
		i++
		for i < len(raw) && strings.TrimSpace(raw[i]) != "" {
			b.output = append(b.output, raw[i])
			i++
		}
		blocks = append(blocks, b)
	}
	return blocks, raw
}

// runTestBlock returns the actual output of a block.
func runTestBlock(b testBlock) []string {
	var out []string
	switch b.cmd {
	case "eval":
		for _, in := range b.input {
			out = append(out, evalTestExpr(in))
		}
	case "isconst":
		for _, in := range b.input {
			pe, err := parseTestExpr(in)
			if err != nil {
				out = append(out, "parse error: "+err.Error())
				continue
			}
			e, err := Compile(pe, &exprTestScope{})
			switch {
			case err != nil:
				out = append(out, describeErr(err))
			case IsConstant(e):
				out = append(out, "const")
			default:
				out = append(out, "row")
			}
		}
	case "agg":
		out = append(out, runAggTest(b.input))
	default:
		out = append(out, "unknown command "+b.cmd)
	}
	return out
}

// rewriteFlag returns the value of -rewrite (possibly registered by
// another test file of the package).
func rewriteFlag() bool {
	f := flag.Lookup("rewrite")
	return f != nil && f.Value.String() == "true"
}

func init() {
	if flag.Lookup("rewrite") == nil {
		flag.Bool("rewrite", false, "rewrite the expected output of data-driven tests")
	}
}

// TestExprData runs testdata/expr/*.txt.
func TestExprData(t *testing.T) {
	files, err := filepath.Glob("testdata/expr/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			blocks, raw := readTestBlocks(t, path)
			if rewriteFlag() {
				rewriteTestFile(t, path, raw, blocks)
				return
			}
			for _, b := range blocks {
				got := runTestBlock(b)
				if b.cmd == "eval" || b.cmd == "isconst" {
					for i, in := range b.input {
						want := ""
						if i < len(b.output) {
							want = b.output[i]
						}
						if got[i] != want {
							t.Errorf("%s:%d: %s\n got: %s\nwant: %s", path, b.line+1+i, in, got[i], want)
						}
					}
					if len(b.output) > len(b.input) {
						t.Errorf("%s:%d: %d extra output lines", path, b.line, len(b.output)-len(b.input))
					}
					continue
				}
				if strings.Join(got, "\n") != strings.Join(b.output, "\n") {
					t.Errorf("%s:%d: %s\n got: %s\nwant: %s", path, b.line, strings.Join(b.input, " | "), strings.Join(got, "\n"), strings.Join(b.output, "\n"))
				}
			}
		})
	}
}

// rewriteTestFile writes the file back with actual outputs.
func rewriteTestFile(t *testing.T, path string, raw []string, blocks []testBlock) {
	var out []string
	bi := 0
	for i := 0; i < len(raw); {
		if bi < len(blocks) && i == blocks[bi].line-1 {
			b := blocks[bi]
			out = append(out, raw[i])
			out = append(out, b.input...)
			out = append(out, "----")
			out = append(out, runTestBlock(b)...)
			i += 1 + len(b.input) + 1 + len(b.output)
			bi++
			continue
		}
		out = append(out, raw[i])
		i++
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSubqueryMemo checks that an uncorrelated subquery runs once per Env
// and again after Reset.
func TestSubqueryMemo(t *testing.T) {
	sc := &exprTestScope{runs: map[string]int{}}
	pe, err := parseTestExpr("i IN (SELECT a FROM s6) AND EXISTS (SELECT a FROM s1) AND (SELECT a FROM s4) = 5")
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile(pe, sc)
	if err != nil {
		t.Fatal(err)
	}
	env := newExprTestEnv()
	for range 10 {
		ok, err := EvalBool(e, env)
		if err != nil || !ok {
			t.Fatalf("EvalBool = %v, %v", ok, err)
		}
	}
	for _, name := range []string{"s6", "s1", "s4"} {
		if sc.runs[name] != 1 {
			t.Errorf("subquery on %s ran %d times, want 1", name, sc.runs[name])
		}
	}
	env.Reset()
	if _, err := EvalBool(e, env); err != nil {
		t.Fatal(err)
	}
	if sc.runs["s6"] != 2 {
		t.Errorf("after Reset subquery ran %d times, want 2", sc.runs["s6"])
	}
	if IsConstant(e) {
		t.Error("an expression reading column i is constant")
	}
}

// TestEvalConstant checks that a constant expression with a placeholder
// can be evaluated without a row, as the planner does for key ranges.
func TestEvalConstant(t *testing.T) {
	pe, err := parseTestExpr("5 + ?")
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile(pe, &exprTestScope{})
	if err != nil {
		t.Fatal(err)
	}
	if !IsConstant(e) {
		t.Fatal("5 + ? is not constant")
	}
	if _, ok := Literal(e); ok {
		t.Fatal("5 + ? was folded to a literal")
	}
	v, err := EvalConstant(e, &Env{Args: []Value{IntValue(3)}})
	if err != nil || v != IntValue(8) {
		t.Fatalf("EvalConstant = %v, %v", v, err)
	}
	pe, _ = parseTestExpr("i + 1")
	e, _ = Compile(pe, &exprTestScope{})
	if _, err := EvalConstant(e, &Env{}); err == nil {
		t.Fatal("EvalConstant of a row expression succeeded")
	}
	pe, _ = parseTestExpr("(1 + 2) * 3")
	e, _ = Compile(pe, &exprTestScope{})
	if v, ok := Literal(e); !ok || v != IntValue(9) {
		t.Fatalf("(1 + 2) * 3 folded to %v, %v", v, ok)
	}
	pe, _ = parseTestExpr("i + t.i + i")
	e, _ = Compile(pe, &exprTestScope{})
	if got := ColumnRefs(e); len(got) != 1 || got[0] != 0 {
		t.Fatalf("ColumnRefs = %v", got)
	}
}

// TestEvalMissingArg checks the error for a placeholder without value.
func TestEvalMissingArg(t *testing.T) {
	pe, _ := parseTestExpr("? + ?")
	e, err := Compile(pe, &exprTestScope{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Eval(&Env{Args: []Value{IntValue(1)}})
	if err == nil || !strings.Contains(err.Error(), "missing placeholder") {
		t.Fatalf("err = %v", err)
	}
}

// TestDeepParens checks deeply nested expressions.
func TestDeepParens(t *testing.T) {
	text := strings.Repeat("(", 90) + "i" + strings.Repeat(" + 1)", 90)
	if got := evalTestExpr(text); got != "int 95" {
		t.Fatalf("got %s", got)
	}
	var b strings.Builder
	b.WriteString("i = 0")
	for k := 1; k < 500; k++ {
		fmt.Fprintf(&b, " OR i = %d", k)
	}
	if got := evalTestExpr(b.String()); got != "int 1" {
		t.Fatalf("got %s", got)
	}
}

// TestAggregatorLimits checks GROUP_CONCAT's length limit and Reset.
func TestAggregatorLimits(t *testing.T) {
	pe, _ := parseTestExpr("group_concat(x)")
	spec, err := ParseAggregate(pe)
	if err != nil {
		t.Fatal(err)
	}
	a := NewAggregator(spec)
	for range 3 {
		if err := a.Add(StringValue(strings.Repeat("é", 300))); err != nil {
			t.Fatal(err)
		}
	}
	r := a.Result()
	// 600 + 1 + 600 bytes cut to 1024 at a character boundary: 1023.
	if len(r.S) != 1023 || !strings.HasPrefix(r.S, strings.Repeat("é", 300)+",é") || !utf8.ValidString(r.S) {
		t.Errorf("GROUP_CONCAT length %d, suffix %q", len(r.S), r.S[len(r.S)-8:])
	}
	a.Reset()
	if r := a.Result(); r.K != KindNull {
		t.Errorf("after Reset: %s", describeValue(r))
	}
	pe, _ = parseTestExpr("count(distinct x)")
	spec, _ = ParseAggregate(pe)
	a = NewAggregator(spec)
	for _, v := range []Value{StringValue("a"), StringValue("A"), StringValue("b")} {
		_ = a.Add(v)
	}
	if r := a.Result(); r != IntValue(2) {
		t.Errorf("COUNT(DISTINCT) = %s", describeValue(r))
	}
	a.Reset()
	_ = a.Add(StringValue("a"))
	if r := a.Result(); r != IntValue(1) {
		t.Errorf("COUNT(DISTINCT) after Reset = %s", describeValue(r))
	}
}

// TestTableScope checks the simple scope.
func TestTableScope(t *testing.T) {
	sc := &TableScope{Table: "t1", Columns: []string{"a", "B"}}
	for _, tc := range []struct {
		expr, want string
	}{
		{"b + 1", "ok"},
		{"t1.A", "ok"},
		{"t2.a", "error 1054: Unknown column 't2.a' in 'field list'"},
		{"c", "error 1054: Unknown column 'c' in 'field list'"},
		{"count(*)", "error 1111: Invalid use of group function"},
		{"a IN (SELECT 1)", "error 1235: This version of bxdb doesn't yet support 'subqueries here'"},
	} {
		pe, err := parseTestExpr(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		got := "ok"
		if _, err := Compile(pe, sc); err != nil {
			got = describeErr(err)
		}
		if got != tc.want {
			t.Errorf("%s: %s, want %s", tc.expr, got, tc.want)
		}
	}
}

// TestConcurrentEval evaluates one compiled expression from several
// goroutines, each with its own Env (run with -race).
func TestConcurrentEval(t *testing.T) {
	pe, _ := parseTestExpr("concat(s, ?, upper(s)) LIKE concat('%', ?) AND i IN (SELECT a FROM s6)")
	e, err := Compile(pe, &exprTestScope{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	for g := range 4 {
		go func() {
			env := newExprTestEnv()
			env.Args = []Value{IntValue(int64(g)), StringValue("LLO")}
			for range 200 {
				ok, err := EvalBool(e, env)
				if err == nil && !ok {
					err = fmt.Errorf("goroutine %d: false", g)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestInArgsSet checks x [NOT] IN (?, ?, ...) evaluated through the
// per-execution hash of its arguments against the item-by-item walk, for
// random lists mixing integers, floats, decimals, strings (case and
// trailing spaces), NULLs and constants, and every column of the test row.
func TestInArgsSet(t *testing.T) {
	pool := []Value{IntValue(5), IntValue(7), IntValue(-3), IntValue(0), UintValue(18446744073709551615),
		FloatValue(2.5), FloatValue(5), Value{K: KindDecimal, S: "1.50"}, Value{K: KindDecimal, S: "2.5"},
		StringValue("hello"), StringValue("HELLO "), StringValue("x"), StringValue("5"), StringValue(""),
		BytesValue([]byte("\x00ab")), Null}
	consts := []string{"5", "'hello'", "2.5", "NULL", "'5'"}
	rng := rand.New(rand.NewPCG(11, 3))
	cols := make([]string, len(exprTestColumns))
	for i, c := range exprTestColumns {
		cols[i] = c.name
	}
	for iter := 0; iter < 3000; iter++ {
		n := 4 + rng.IntN(12)
		items := make([]string, n)
		var args []Value
		for i := range items {
			if rng.IntN(5) == 0 {
				items[i] = consts[rng.IntN(len(consts))]
				continue
			}
			items[i] = "?"
			args = append(args, pool[rng.IntN(len(pool))])
		}
		not := ""
		if rng.IntN(2) == 0 {
			not = "NOT "
		}
		text := fmt.Sprintf("%s %sIN (%s)", cols[rng.IntN(len(cols))], not, strings.Join(items, ", "))
		pe, err := parseTestExpr(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		e, err := Compile(pe, &exprTestScope{runs: map[string]int{}})
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		in, ok := e.(*inExpr)
		if !ok {
			continue // folded: no list to hash
		}
		if len(in.list) >= 4 && !in.argsOnly {
			t.Fatalf("%s: a list of placeholders is not hashed", text)
		}
		env := newExprTestEnv()
		env.Args = args
		got, err1 := e.Eval(env)
		in.argsOnly = false
		env2 := newExprTestEnv()
		env2.Args = args
		want, err2 := e.Eval(env2)
		if (err1 != nil) != (err2 != nil) || Format(got) != Format(want) || got.K != want.K {
			t.Fatalf("%s with %v: hashed %v (%v), walked %v (%v)", text, args, got, err1, want, err2)
		}
	}
}

// TestNowOfTruncates checks the automatic value of DEFAULT / ON UPDATE
// CURRENT_TIMESTAMP columns: the statement time truncated to the column's
// precision, as NOW(p) gives it, never rounded up past the clock
// (exprTestNow is 12:34:56.789123456).
func TestNowOfTruncates(t *testing.T) {
	env := newExprTestEnv()
	for _, c := range []struct {
		typ  ColumnType
		want string
	}{
		{ColumnType{Base: TypeDatetime}, "2024-03-10 12:34:56"},
		{ColumnType{Base: TypeTimestamp}, "2024-03-10 12:34:56"},
		{ColumnType{Base: TypeDatetime, Scale: 2}, "2024-03-10 12:34:56.78"},
		{ColumnType{Base: TypeDatetime, Scale: 6}, "2024-03-10 12:34:56.789123"},
		{ColumnType{Base: TypeTime}, "12:34:56"},
		{ColumnType{Base: TypeDate}, "2024-03-10"},
	} {
		if got := Format(nowOf(env, c.typ)); got != c.want {
			t.Errorf("%v: got %s, want %s", c.typ, got, c.want)
		}
	}
}

// TestLongChainsLinear checks that compiling a chain of n binary operators
// (a+b+..., x OR y OR ..., which sqlparser nests n deep) does work linear
// in n: fold asks for every node's dependencies, and without the
// compiler's memo each ask walked the whole subtree (n² nodes: minutes
// for 50,000 terms). It also checks the chains' values.
func TestLongChainsLinear(t *testing.T) {
	const n = 3000
	for _, c := range []struct {
		text, want string
	}{
		{strings.Repeat("i + ", n) + "1", fmt.Sprint(5*n + 1)},
		{strings.Repeat("i = 1 OR ", n) + "i = 5", "1"},
		{strings.Repeat("i > 1 AND ", n) + "i < 5", "0"},
	} {
		pe, err := parseTestExpr(c.text)
		if err != nil {
			t.Fatal(err)
		}
		comp := &compiler{sc: &exprTestScope{runs: map[string]int{}}}
		e, err := comp.compile(pe)
		if err != nil {
			t.Fatal(err)
		}
		if comp.visits > 4*n {
			t.Errorf("%.20s...: %d dependency visits for %d operators", c.text, comp.visits, n)
		}
		v, err := e.Eval(newExprTestEnv())
		if err != nil || Format(v) != c.want {
			t.Errorf("%.20s...: %v (%v), want %s", c.text, Format(v), err, c.want)
		}
	}
}
