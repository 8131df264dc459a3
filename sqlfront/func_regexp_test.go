package sqlfront

import (
	"errors"
	"fmt"
	"sync"
	"testing"
)

// mustRegexpProg compiles a Go pattern source for the tests.
func mustRegexpProg(t *testing.T, src string) *regexpProg {
	t.Helper()
	p, err := compileRegexpProg(src, src)
	if err != nil {
		t.Fatalf("%q: %v", src, err)
	}
	return p
}

// TestRegexpFindFrom checks that a search from a position sees the
// characters before it and keeps the pattern's groups and flags,
// \Q...\E included.
func TestRegexpFindFrom(t *testing.T) {
	for _, c := range []struct {
		src, s string
		from   int
		want   string // fmt of the submatch indexes
	}{
		{`(?i)\Qa.b`, "xA.B a.b", 1, "[1 4]"},
		{`(?i)\Qa.b`, "xA.B a.b", 2, "[5 8]"},
		{`\Qa)`, "a)a)", 1, "[2 4]"},
		{`\bab`, "aab", 1, "[]"},
		{`\bab`, "a ab", 1, "[2 4]"},
		{`^a`, "aa", 1, "[]"},
		{`(?m)^a`, "a\na", 1, "[2 3]"},
		{`\Ba`, "ba", 1, "[1 2]"},
		{`(?P<x>b)(c)?`, "abcb", 2, "[3 4 3 4 -1 -1]"},
		{`(?P<x>b)(c)`, "abcbc", 2, "[3 5 3 4 4 5]"},
		{`$`, "ab", 2, "[2 2]"},
		{`.`, "é😀b", 2, "[2 6]"},
		{`x*`, "ab", 1, "[1 1]"},
		{`a`, "\xffa", 1, "[1 2]"},
	} {
		got := fmt.Sprint(mustRegexpProg(t, c.src).findFrom(c.s, c.from))
		if got != c.want {
			t.Errorf("%q in %q from %d: %s, want %s", c.src, c.s, c.from, got, c.want)
		}
	}
}

// TestRegexpEach checks the sequence of matches ICU's find() yields: an
// empty match right after a non-empty one counts; after an empty match the
// search moves one character on.
func TestRegexpEach(t *testing.T) {
	for _, c := range []struct {
		src, s string
		want   string
	}{
		{`a*`, "aaa", "[[0 3] [3 3]]"},
		{`b*`, "abc", "[[0 0] [1 2] [2 2] [3 3]]"},
		{`x*`, "", "[[0 0]]"},
		{`x*`, "é", "[[0 0] [2 2]]"},
		{`\w+`, "dog cat", "[[0 3] [4 7]]"},
		{`^`, "a\nb", "[[0 0]]"},
		{`(?m)^`, "a\nb", "[[0 0] [2 2]]"},
	} {
		var got [][]int
		mustRegexpProg(t, c.src).each(c.s, 0, func(m []int) bool {
			got = append(got, m[:2])
			return true
		})
		if fmt.Sprint(got) != c.want {
			t.Errorf("%q in %q: %v, want %s", c.src, c.s, got, c.want)
		}
	}
}

// TestICUExpand checks REGEXP_REPLACE's replacement syntax.
func TestICUExpand(t *testing.T) {
	p := mustRegexpProg(t, `(?P<first>a)(b)?(c)(d)(e)(f)(g)(h)(i)(j)(k)`)
	s := "abcdefghijk"
	m := p.re.FindStringSubmatchIndex(s)
	names := p.re.SubexpNames()
	for _, c := range []struct {
		repl, want string
		err        uint16
	}{
		{"$1-$11", "a-k", 0},
		{"$12", "", erRegexpIndexOutOfBounds},
		{"$01", "a", 0}, // two digits: group 01
		{"${first}!", "a!", 0},
		{"${nope}", "", erRegexpInvalidCaptureName},
		{"${first", "", erRegexpInvalidCaptureName},
		{"$x", "", erRegexpInvalidCaptureName},
		{`\$1\\`, `$1\`, 0},
		{`\u00e9\U0001F600\u00zz`, "é😀u00zz", 0},
		{`a\`, "a", 0},
		{"$0", s, 0},
	} {
		out, err := icuExpand(nil, c.repl, s, m, names)
		var se *SQLError
		switch {
		case c.err != 0:
			if !errors.As(err, &se) || se.Number != c.err {
				t.Errorf("%q: %q, %v; want error %d", c.repl, out, err, c.err)
			}
		case err != nil || string(out) != c.want:
			t.Errorf("%q: %q, %v; want %q", c.repl, out, err, c.want)
		}
	}
	// With fewer than 10 groups $10 is group 1 and a 0.
	p = mustRegexpProg(t, `(a)`)
	out, err := icuExpand(nil, "$10", "a", p.re.FindStringSubmatchIndex("a"), p.re.SubexpNames())
	if err != nil || string(out) != "a0" {
		t.Errorf("$10 with one group: %q, %v", out, err)
	}
	// A group that did not take part inserts nothing.
	p = mustRegexpProg(t, `(a)|(b)`)
	out, err = icuExpand(nil, "[$1|$2]", "b", p.re.FindStringSubmatchIndex("b"), p.re.SubexpNames())
	if err != nil || string(out) != "[|b]" {
		t.Errorf("unset group: %q, %v", out, err)
	}
}

// TestRegexpErrors checks the MySQL error each refused pattern gives.
func TestRegexpErrors(t *testing.T) {
	for _, c := range []struct {
		pat  string
		want uint16
	}{
		{"(", erRegexpMismatchedParen},
		{"a)", erRegexpMismatchedParen},
		{"[a", erRegexpMissingBracket},
		{"[b-a]", erRegexpInvalidRange},
		{"[[:foo:]]", erRegexpIllegalArgument},
		{`\pX`, erRegexpIllegalArgument},
		{"a{2,1}", erRegexpMaxLtMin},
		{"a{1001}", erRegexpBadInterval},
		{"*a", erRegexpRuleSyntax},
		{"a**", erRegexpRuleSyntax},
		{`\`, erRegexpBadEscape},
		{`\y`, erRegexpBadEscape},
		{`(a)\1`, erRegexpUnimplemented},
		{`(?=a)`, erRegexpUnimplemented},
		{`(?<=a)b`, erRegexpUnimplemented},
		{`(?P<a-b>x)`, erRegexpInvalidCaptureName},
	} {
		_, err := compileRegexpProg(c.pat, c.pat)
		var se *SQLError
		if !errors.As(err, &se) || se.Number != c.want {
			t.Errorf("%q: %v, want error %d", c.pat, err, c.want)
		}
	}
	err := regexpError("ab\n  **", errors.New("x"))
	if se, ok := err.(*SQLError); !ok || se.Number != erRegexpIllegalArgument {
		t.Errorf("non-syntax error: %v", err)
	}
	_, err = compileRegexpProg("(?i)ab\n  **", "ab\n  **")
	if err == nil || err.Error() != "Error 3688 (HY000): Syntax error in regular expression on line 2, character 4." {
		t.Errorf("position on line 2: %v", err)
	}
}

// TestRegexpMemo checks that a pattern from a column is compiled once
// per distinct value in a row of values, and reused from Env.memo.
func TestRegexpMemo(t *testing.T) {
	sc := &TableScope{Columns: []string{"s", "p", "m"}}
	x, err := compileText("REGEXP_INSTR(s, p, 1, 1, 0, m)", sc)
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{Row: []Value{StringValue("xAb"), StringValue("a"), StringValue("i")}}
	progOf := func() *regexpProg {
		t.Helper()
		c, ok := env.memo[x].(*regexpMemo)
		if !ok {
			t.Fatalf("no memo: %#v", env.memo)
		}
		return c.prog
	}
	eval := func(want int64) {
		t.Helper()
		v, err := x.Eval(env)
		if err != nil || v.K != KindInt || v.I != want {
			t.Fatalf("got %v, %v; want %d", v, err, want)
		}
	}
	eval(2)
	first := progOf()
	env.Row[0] = StringValue("aaA")
	eval(1)
	if progOf() != first {
		t.Error("same pattern compiled again")
	}
	env.Row[2] = StringValue("c") // case-sensitive now: another program
	env.Row[0] = StringValue("xAa")
	eval(3)
	if progOf() == first {
		t.Error("match type change reused the program")
	}
	env.Row[1] = StringValue("(")
	if _, err := x.Eval(env); err == nil {
		t.Error("bad pattern from a column: no error")
	}
	// A constant pattern is compiled with the statement, not per row.
	y, err := compileText("REGEXP_LIKE(s, 'A')", sc)
	if err != nil {
		t.Fatal(err)
	}
	if rc, ok := y.(*regexpCall); !ok || rc.text == nil || rc.bin == nil {
		t.Errorf("constant pattern not precompiled: %#v", y)
	}
	if _, err := compileText("REGEXP_LIKE(s, '(')", sc); err == nil {
		t.Error("bad constant pattern: no error at compile time")
	}
}

// TestRegexpConcurrent evaluates one compiled call, whose search from a
// position builds a second program on first use, from many goroutines.
func TestRegexpConcurrent(t *testing.T) {
	x, err := compileText("REGEXP_REPLACE(s, '\\\\bb', 'X', 2)", &TableScope{Columns: []string{"s"}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for range 16 {
		wg.Go(func() {
			env := &Env{Row: []Value{StringValue("b bb b")}}
			for range 50 {
				v, err := x.Eval(env)
				if err != nil || Format(v) != "b Xb X" {
					errs <- fmt.Sprint(v, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
