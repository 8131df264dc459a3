package sqlfront

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xwb1989/sqlparser"
)

func TestLexPositions(t *testing.T) {
	type tok struct {
		Typ      int
		Val      string
		Pos, End int
		Quoted   bool
	}
	for _, tc := range []struct {
		name  string
		input string
		want  []tok
	}{
		{
			name:  "words, strings, placeholders, comments",
			input: "SELECT `a``b`, 'x''y', ? /* c */ -- d\n FROM\tt;",
			want: []tok{
				{sqlparser.SELECT, "select", 0, 6, false},
				{sqlparser.ID, "a`b", 7, 13, true},
				{',', "", 13, 14, false},
				{sqlparser.STRING, "x'y", 15, 21, false},
				{',', "", 21, 22, false},
				{sqlparser.VALUE_ARG, ":v1", 23, 24, false},
				{sqlparser.FROM, "from", 39, 43, false},
				{sqlparser.ID, "t", 44, 45, false},
				{';', "", 45, 46, false},
				{0, "", 46, 46, false},
			},
		},
		{
			name:  "numbers and operators",
			input: "a>=1.5e3 AND b<>0x1F or x'0a'",
			want: []tok{
				{sqlparser.ID, "a", 0, 1, false},
				{sqlparser.GE, "", 1, 3, false},
				{sqlparser.FLOAT, "1.5e3", 3, 8, false},
				{sqlparser.AND, "and", 9, 12, false},
				{sqlparser.ID, "b", 13, 14, false},
				{sqlparser.NE, "", 14, 16, false},
				{sqlparser.HEXNUM, "0x1F", 16, 20, false},
				{sqlparser.OR, "or", 21, 23, false},
				{sqlparser.HEX, "0a", 24, 29, false},
				{0, "", 29, 29, false},
			},
		},
		{
			name:  "version comments are expanded in place",
			input: "? /*!40101 SET ? */ ?",
			want: []tok{
				{sqlparser.VALUE_ARG, ":v1", 0, 1, false},
				{sqlparser.SET, "set", 11, 14, false},
				{sqlparser.VALUE_ARG, ":v2", 15, 16, false},
				{sqlparser.VALUE_ARG, ":v3", 20, 21, false},
				{0, "", 21, 21, false},
			},
		},
		{
			name:  "version number only",
			input: "/*!12345*/1",
			want: []tok{
				{sqlparser.INTEGRAL, "1", 10, 11, false},
				{0, "", 11, 11, false},
			},
		},
		{
			name:  "0b literals are hex numbers",
			input: "0b101+0b000000001,b'1'",
			want: []tok{
				{sqlparser.HEXNUM, "0x5", 0, 5, false},
				{'+', "", 5, 6, false},
				{sqlparser.HEXNUM, "0x001", 6, 17, false},
				{',', "", 17, 18, false},
				{sqlparser.BIT_LITERAL, "1", 18, 22, false},
				{0, "", 22, 22, false},
			},
		},
		{
			name:  "NUL bytes",
			input: "a\x00b",
			want: []tok{
				{sqlparser.ID, "a", 0, 1, false},
				{sqlparser.ID, "b", 2, 3, false},
				{0, "", 3, 3, false},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			toks, clean, err := lexAll(tc.input)
			if err != nil {
				t.Fatal(err)
			}
			var got []tok
			for _, x := range toks {
				got = append(got, tok{x.typ, x.val, x.pos, x.end, x.quoted})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("lexAll(%q) mismatch (-want +got):\n%s", tc.input, diff)
			}
			if len(clean) != len(tc.input) || strings.Contains(clean, "/*!") {
				t.Errorf("clean = %q: want the input with version-comment markers blanked", clean)
			}
		})
	}
}

// checkLexInvariants checks what the parser relies on: tokens are in
// order, inside the source, and a quoted token starts with a backtick.
func checkLexInvariants(t *testing.T, src string) {
	t.Helper()
	l := newLexer(src)
	prev := 0
	for n := 0; ; n++ {
		tok := l.next()
		if tok.pos < prev || tok.end < tok.pos || tok.end > len(src) {
			t.Fatalf("lexing %q: token %d %+v out of order (previous end %d)", src, n, tok, prev)
		}
		if tok.quoted && src[tok.pos] != '`' {
			t.Fatalf("lexing %q: quoted token %+v does not start with a backtick", src, tok)
		}
		prev = tok.end
		if tok.typ == 0 {
			if tok.pos != len(src) {
				t.Fatalf("lexing %q: EOF token at %d, want %d", src, tok.pos, len(src))
			}
			return
		}
		if n > len(src)+1 {
			t.Fatalf("lexing %q: more tokens than bytes", src)
		}
	}
}

func TestLexInvariants(t *testing.T) {
	for _, src := range []string{"", "select 1", "'abc", "`a", "/*!", "/*!1", "/*!123*/", "a /*!4 b /*!5 c */ d */ e", "\x00", "\x00\x00 a", "?:", "x'1", "b'2'", "1e", ".5", "@@a.b", "-- c", "#", "0b", "0b1", "0b12", "0b1x"} {
		checkLexInvariants(t, src)
	}
}

func TestSplitStatements(t *testing.T) {
	for _, tc := range []struct {
		name  string
		input string
		want  []string
		err   string // substring of the *ParseError message
	}{
		{name: "one", input: "select 1", want: []string{"select 1"}},
		{name: "trailing semicolon", input: "select 1;", want: []string{"select 1"}},
		{name: "two", input: "select 1; select 2;", want: []string{"select 1", "select 2"}},
		{name: "quoted semicolons", input: "select ';'; select \";\"; select `;`", want: []string{"select ';'", `select ";"`, "select `;`"}},
		{name: "commented semicolons", input: "select 1 -- ;\n; select 2 /* ; */", want: []string{"select 1", "select 2"}},
		{name: "empty statements", input: ";;; ;", want: nil},
		{name: "nothing", input: "", want: nil},
		{name: "comment only", input: "-- only a comment", want: nil},
		{name: "comments trimmed", input: "/* lead */ select 1 /* mid */ + 2 /* tail */; begin", want: []string{"select 1 /* mid */ + 2", "begin"}},
		{name: "script", input: "CREATE TABLE t (\n  a int\n);\nINSERT INTO t VALUES (1);\n\nCOMMIT;\n",
			want: []string{"CREATE TABLE t (\n  a int\n)", "INSERT INTO t VALUES (1)", "COMMIT"}},
		{name: "version comments", input: "/*!40101 SET NAMES utf8 */;\n/*!40101 SET @x=1 */;", want: []string{"SET NAMES utf8", "SET @x=1"}},
		{name: "bad character stays", input: "select $; select 2", want: []string{"select $", "select 2"}},
		{name: "unterminated string", input: "select 'abc", err: "unterminated string literal"},
		{name: "unterminated identifier", input: "select 1; select `abc", err: "unterminated quoted identifier"},
		{name: "unterminated comment", input: "select 1 /* open", err: "unterminated comment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SplitStatements(tc.input)
			if tc.err != "" {
				var pe *ParseError
				if !errors.As(err, &pe) || !strings.Contains(pe.Msg, tc.err) {
					t.Fatalf("SplitStatements(%q) = %q, %v; want error %q", tc.input, got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("SplitStatements(%q): %v", tc.input, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("SplitStatements(%q) mismatch (-want +got):\n%s", tc.input, diff)
			}
		})
	}
}
