package sqlfront

import (
	"errors"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/xwb1989/sqlparser"
)

// This file holds MySQL 8's regular expression functions: REGEXP_LIKE,
// REGEXP_INSTR, REGEXP_SUBSTR and REGEXP_REPLACE (the REGEXP operator is
// in expr_like.go).
//
// Patterns are Go RE2 syntax, which covers the common subset of the ICU
// expressions MySQL uses (no back-references, no look-around). Matching
// is case-insensitive unless the subject or the pattern is a binary
// string; the match_type argument is read left to right: 'c' case-
// sensitive, 'i' case-insensitive (the last of the two wins; a binary
// string stays case-sensitive), 'm' multi-line (^ and $ at line breaks),
// 'n' (. matches a newline), 'u' (Unix line endings, nothing to do), any
// other letter error 1210. An empty pattern is error 3685, as in MySQL.
//
// Positions and the results of REGEXP_INSTR count characters (code
// points; an invalid UTF-8 byte is one character). A position outside
// 1 .. CHAR_LENGTH(subject) (1 for an empty subject) is error 3686, as
// MySQL 8.4 answers. Successive matches are found as ICU finds them: the
// search resumes at the end of the previous match, and one character
// further after an empty match, so an empty match right after a
// non-empty one counts (REGEXP_REPLACE('aaa', 'a*', 'X') is 'XX').
// Searching from a position sees the characters before it, so ^, \b and
// \B behave as on the whole subject. The replacement of REGEXP_REPLACE
// is ICU's: $n (as many digits as the number of groups has) and ${name}
// insert groups, \c inserts c literally, \uhhhh and \Uhhhhhhhh insert
// code points; a group past the last is 3686, a bad reference 3887.
//
// Any NULL argument makes the result NULL. Constant patterns (with a
// constant match type) compile once, when the statement is compiled;
// others are memoized per call node in Env.memo and compiled again only
// when the pattern or match type differs from the last one, so a pattern
// given as a placeholder compiles once per execution.

// MySQL error numbers of the regular expression functions.
const (
	erRegexpIllegalArgument    uint16 = 3685 // Illegal argument to a regular expression.
	erRegexpIndexOutOfBounds   uint16 = 3686 // Index out of bounds in regular expression search.
	erRegexpInternal           uint16 = 3687
	erRegexpRuleSyntax         uint16 = 3688
	erRegexpBadEscape          uint16 = 3689
	erRegexpUnimplemented      uint16 = 3690
	erRegexpMismatchedParen    uint16 = 3691
	erRegexpBadInterval        uint16 = 3692
	erRegexpMaxLtMin           uint16 = 3693
	erRegexpMissingBracket     uint16 = 3696
	erRegexpInvalidRange       uint16 = 3697
	erRegexpPatternTooBig      uint16 = 3700
	erRegexpInvalidCaptureName uint16 = 3887
)

// regexpFn says which REGEXP_ function a regexpCall is.
type regexpFn uint8

const (
	rxLike regexpFn = iota
	rxInstr
	rxSubstr
	rxReplace
)

// regexpSpec describes a REGEXP_ function: its name and the position of
// its match_type argument (the last one it takes).
type regexpSpec struct {
	fn        regexpFn
	name      string
	min, max  int
	matchType int
}

// init registers the REGEXP_ functions.
func init() {
	var defs []*funcDef
	for _, s := range []regexpSpec{
		{rxLike, "regexp_like", 2, 3, 2},
		{rxInstr, "regexp_instr", 2, 6, 5},
		{rxSubstr, "regexp_substr", 2, 5, 4},
		{rxReplace, "regexp_replace", 3, 6, 5},
	} {
		defs = append(defs, &funcDef{name: s.name, min: s.min, max: s.max, build: func(c *compiler, raw []sqlparser.Expr) (Expr, error) {
			return c.compileRegexpCall(s, raw)
		}})
	}
	registerFuncs(defs)
}

// regexpProg is a compiled pattern. from, the form that searches from a
// position with the characters before it in view, is built on first use.
type regexpProg struct {
	re    *regexp.Regexp
	once  sync.Once
	after *regexp.Regexp // \A(?s:.)((?s:.*?))(?:re): see findFrom
}

// compileRegexpProg compiles the Go source src (flags included) of the
// user's pattern pat.
func compileRegexpProg(src, pat string) (*regexpProg, error) {
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, regexpError(pat, err)
	}
	return &regexpProg{re: re}, nil
}

// fromForm returns the regexp that finds the first match at or after the
// second character of its input: its group 1 spans the characters skipped
// and the pattern's groups follow. The pattern is re-printed from its
// syntax tree, so that \Q...\E and flags stay inside the wrapper.
func (p *regexpProg) fromForm() *regexp.Regexp {
	p.once.Do(func() {
		t, err := syntax.Parse(p.re.String(), syntax.Perl)
		if err != nil {
			return
		}
		p.after, _ = regexp.Compile(`\A(?s:.)((?s:.*?))(?:` + t.String() + `)`)
	})
	return p.after
}

// findFrom returns the first match in s at or after byte offset from, as
// regexp's submatch indexes into s, or nil. The character before from is
// in view, so ^, \A, \b and \B see the subject as a whole.
func (p *regexpProg) findFrom(s string, from int) []int {
	if from == 0 {
		return p.re.FindStringSubmatchIndex(s)
	}
	after := p.fromForm()
	if after == nil { // cannot happen: the pattern compiled once already
		m := p.re.FindStringSubmatchIndex(s[from:])
		for i := range m {
			if m[i] >= 0 {
				m[i] += from
			}
		}
		return m
	}
	_, w := utf8.DecodeLastRuneInString(s[:from])
	base := from - w
	m := after.FindStringSubmatchIndex(s[base:])
	if m == nil {
		return nil
	}
	out := make([]int, len(m)-2)
	out[0], out[1] = base+m[3], base+m[1]
	for i := 4; i < len(m); i++ {
		out[i-2] = -1
		if m[i] >= 0 {
			out[i-2] = base + m[i]
		}
	}
	return out
}

// each calls fn for the successive matches in s from byte offset from,
// as ICU's find() yields them, until fn returns false.
func (p *regexpProg) each(s string, from int, fn func(m []int) bool) {
	for from <= len(s) {
		m := p.findFrom(s, from)
		if m == nil || !fn(m) {
			return
		}
		if m[1] > m[0] {
			from = m[1]
			continue
		}
		if m[1] >= len(s) {
			return
		}
		_, w := utf8.DecodeRuneInString(s[m[1]:])
		from = m[1] + w
	}
}

// regexpError converts a Go regexp compile error for the user's pattern
// pat into the MySQL error ICU's corresponding failure gives.
func regexpError(pat string, err error) error {
	var se *syntax.Error
	if !errors.As(err, &se) {
		return NewSQLError(erRegexpIllegalArgument, "Illegal argument to a regular expression.")
	}
	switch se.Code {
	case syntax.ErrMissingParen, syntax.ErrUnexpectedParen:
		return NewSQLError(erRegexpMismatchedParen, "Mismatched parenthesis in regular expression.")
	case syntax.ErrMissingBracket:
		return NewSQLError(erRegexpMissingBracket, "The regular expression contains an unclosed bracket expression.")
	case syntax.ErrInvalidCharRange:
		if strings.Contains(se.Expr, ":") || strings.HasPrefix(se.Expr, `\p`) || strings.HasPrefix(se.Expr, `\P`) {
			return NewSQLError(erRegexpIllegalArgument, "Illegal argument to a regular expression.")
		}
		return NewSQLError(erRegexpInvalidRange, "The regular expression contains an [x-y] character range where x comes after y.")
	case syntax.ErrInvalidRepeatSize:
		if lo, hi, ok := repeatBounds(se.Expr); ok && hi < lo {
			// MySQL's message has this spelling.
			return NewSQLError(erRegexpMaxLtMin, "The maximum is less than the minumum in a {min,max} interval.")
		}
		return NewSQLError(erRegexpBadInterval, "Incorrect description of a {min,max} interval.")
	case syntax.ErrMissingRepeatArgument:
		return regexpSyntaxError(pat, se.Expr, 0)
	case syntax.ErrInvalidRepeatOp:
		// ICU stops at the second operator.
		first := 1
		if strings.HasPrefix(se.Expr, "{") {
			first = strings.IndexByte(se.Expr, '}') + 1
		}
		if first < len(se.Expr) && se.Expr[first] == '?' {
			first++
		}
		return regexpSyntaxError(pat, se.Expr, first)
	case syntax.ErrTrailingBackslash:
		return NewSQLError(erRegexpBadEscape, "Unrecognized escape sequence in regular expression.")
	case syntax.ErrInvalidEscape:
		if len(se.Expr) == 2 && se.Expr[1] >= '1' && se.Expr[1] <= '9' { // a back-reference
			return NewSQLError(erRegexpUnimplemented, "The regular expression contains a feature that is not implemented in this library.")
		}
		return NewSQLError(erRegexpBadEscape, "Unrecognized escape sequence in regular expression.")
	case syntax.ErrInvalidPerlOp:
		return NewSQLError(erRegexpUnimplemented, "The regular expression contains a feature that is not implemented in this library.")
	case syntax.ErrInvalidNamedCapture:
		if strings.HasPrefix(se.Expr, "(?<=") || strings.HasPrefix(se.Expr, "(?<!") { // look-behind
			return NewSQLError(erRegexpUnimplemented, "The regular expression contains a feature that is not implemented in this library.")
		}
		return NewSQLError(erRegexpInvalidCaptureName, "A capture group has an invalid name.")
	case syntax.ErrInvalidCharClass, syntax.ErrInvalidUTF8:
		return NewSQLError(erRegexpIllegalArgument, "Illegal argument to a regular expression.")
	case syntax.ErrLarge, syntax.ErrNestingDepth:
		return NewSQLError(erRegexpPatternTooBig, "The pattern exceeds limits on size or complexity.")
	case syntax.ErrInternalError:
		return NewSQLError(erRegexpInternal, "Internal error in regular expression library.")
	}
	return NewSQLError(erRegexpIllegalArgument, "Illegal argument to a regular expression.")
}

// regexpSyntaxError returns error 3688 for the offending text expr of
// pat, pointing at its byte off (line and character are 1-based and
// count characters, as ICU reports them).
func regexpSyntaxError(pat, expr string, off int) error {
	at := strings.Index(pat, expr)
	if at < 0 {
		at = 0
		off = 0
	}
	at += off
	line, col := 1, 1
	for _, r := range pat[:min(at, len(pat))] {
		col++
		if r == '\n' {
			line, col = line+1, 1
		}
	}
	return NewSQLError(erRegexpRuleSyntax, "Syntax error in regular expression on line %d, character %d.", line, col)
}

// repeatBounds parses "{m,n}" (the first repetition of expr).
func repeatBounds(expr string) (lo, hi int, ok bool) {
	i, j := strings.IndexByte(expr, '{'), strings.IndexByte(expr, '}')
	if i < 0 || j < i {
		return 0, 0, false
	}
	a, b, found := strings.Cut(expr[i+1:j], ",")
	if !found || b == "" {
		return 0, 0, false
	}
	lo, err1 := strconv.Atoi(a)
	hi, err2 := strconv.Atoi(b)
	return lo, hi, err1 == nil && err2 == nil
}

// regexpFlags reads a match_type argument for function fn into the Go
// flag prefix of the pattern source; ci is the default case-
// insensitivity, which a binary string forces off.
func regexpFlags(mt, fn string, ci, binary bool) (string, error) {
	var multi, dotAll bool
	for _, c := range mt {
		switch c {
		case 'c':
			ci = false
		case 'i':
			ci = !binary
		case 'm':
			multi = true
		case 'n':
			dotAll = true
		case 'u':
		default:
			return "", NewSQLError(ErWrongArguments, "Incorrect arguments to %s", fn)
		}
	}
	if !ci && !multi && !dotAll {
		return "", nil
	}
	b := []byte("(?")
	if ci {
		b = append(b, 'i')
	}
	if multi {
		b = append(b, 'm')
	}
	if dotAll {
		b = append(b, 's')
	}
	return string(append(b, ')')), nil
}

// regexpCall is a call of REGEXP_LIKE, REGEXP_INSTR, REGEXP_SUBSTR or
// REGEXP_REPLACE.
type regexpCall struct {
	spec regexpSpec
	args []Expr
	// text and bin are the pattern compiled at compile time, when it and
	// the match type are constant: for character and binary strings.
	text, bin *regexpProg
}

// regexpMemo is the last pattern a regexpCall compiled at run time,
// memoized in Env.memo.
type regexpMemo struct {
	src  string
	prog *regexpProg
}

// compileRegexpCall compiles a REGEXP_ function call.
func (c *compiler) compileRegexpCall(s regexpSpec, raw []sqlparser.Expr) (Expr, error) {
	args, err := c.compileList(raw)
	if err != nil {
		return nil, err
	}
	n := &regexpCall{spec: s, args: args}
	pat, ok := args[1].(*litExpr)
	if !ok || pat.v.K == KindNull {
		return c.fold(n), nil
	}
	mt := ""
	if len(args) > s.matchType {
		lit, ok := args[s.matchType].(*litExpr)
		if !ok || lit.v.K == KindNull {
			return c.fold(n), nil
		}
		mt = Format(lit.v)
	}
	p, patBin := strOf(pat.v)
	if p == "" {
		return nil, NewSQLError(erRegexpIllegalArgument, "Illegal argument to a regular expression.")
	}
	if flags, err := regexpFlags(mt, s.name, true, false); err == nil && !patBin {
		if n.text, err = compileRegexpProg(flags+p, p); err != nil {
			return nil, err
		}
	}
	if flags, err := regexpFlags(mt, s.name, false, true); err == nil {
		if n.bin, err = compileRegexpProg(flags+p, p); err != nil {
			return nil, err
		}
	}
	if patBin {
		n.text = n.bin
	}
	return c.fold(n), nil
}

// kids returns the call's arguments.
func (e *regexpCall) kids() []Expr { return e.args }

// Eval evaluates the arguments and runs the function.
func (e *regexpCall) Eval(env *Env) (Value, error) {
	var buf [6]Value
	a := buf[:len(e.args)]
	for i, x := range e.args {
		v, err := x.Eval(env)
		if err != nil || v.K == KindNull {
			return Null, err
		}
		a[i] = v
	}
	s, binary := strOf(a[0])
	p, patBin := strOf(a[1])
	binary = binary || patBin
	prog := e.text
	if binary {
		prog = e.bin
	}
	if prog == nil {
		var err error
		if prog, err = e.compiled(env, a, p, binary); err != nil {
			return Null, err
		}
	}
	// pos (1-based characters), checked against the subject.
	from := 0
	if e.spec.fn != rxLike {
		pi := 2
		if e.spec.fn == rxReplace {
			pi = 3
		}
		if len(a) > pi {
			pos := ToInt64(a[pi])
			if pos < 1 || pos > int64(max(utf8.RuneCountInString(s), 1)) {
				return Null, NewSQLError(erRegexpIndexOutOfBounds, "Index out of bounds in regular expression search.")
			}
			from = charByteOffset(s, int(pos-1))
		}
	}
	switch e.spec.fn {
	case rxLike:
		return BoolValue(prog.re.MatchString(s)), nil
	case rxInstr:
		ret := int64(0)
		if len(a) > 4 {
			if ret = ToInt64(a[4]); ret != 0 && ret != 1 {
				return Null, NewSQLError(ErWrongArguments, "Incorrect arguments to regexp_instr: return_option must be 1 or 0.")
			}
		}
		m := prog.nth(s, from, occurrence(a, 3))
		if m == nil {
			return IntValue(0), nil
		}
		at := m[0]
		if ret == 1 {
			at = m[1]
		}
		return IntValue(int64(utf8.RuneCountInString(s[:at]) + 1)), nil
	case rxSubstr:
		m := prog.nth(s, from, occurrence(a, 3))
		if m == nil {
			return Null, nil
		}
		return strResult(s[m[0]:m[1]], binary), nil
	}
	repl, _ := strOf(a[2])
	occ := int64(0)
	if len(a) > 4 {
		occ = ToInt64(a[4])
	}
	out := []byte(s[:from])
	last, k := from, int64(0)
	var err error
	tooLong := false
	names := prog.re.SubexpNames()
	prog.each(s, from, func(m []int) bool {
		k++
		if occ > 0 && k != occ {
			return true
		}
		out = append(out, s[last:m[0]]...)
		if out, err = icuExpand(out, repl, s, m, names); err != nil {
			return false
		}
		if len(out) > maxAllowedPacket {
			tooLong = true // NULL, as REPEAT past max_allowed_packet
			return false
		}
		last = m[1]
		return occ <= 0
	})
	if err != nil {
		return Null, err
	}
	if tooLong || len(out)+len(s)-last > maxAllowedPacket {
		return Null, nil
	}
	out = append(out, s[last:]...)
	return strResult(string(out), binary), nil
}

// compiled compiles the pattern p with the call's match type at run
// time, reusing the one compiled last by this node in env.
func (e *regexpCall) compiled(env *Env, a []Value, p string, binary bool) (*regexpProg, error) {
	mt := ""
	if len(a) > e.spec.matchType {
		mt, _ = strOf(a[e.spec.matchType])
	}
	flags, err := regexpFlags(mt, e.spec.name, !binary, binary)
	if err != nil {
		return nil, err
	}
	if p == "" {
		return nil, NewSQLError(erRegexpIllegalArgument, "Illegal argument to a regular expression.")
	}
	src := flags + p
	if c, ok := env.memo[e].(*regexpMemo); ok && c.src == src {
		return c.prog, nil
	}
	prog, err := compileRegexpProg(src, p)
	if err != nil {
		return nil, err
	}
	if env.memo == nil {
		env.memo = make(map[Expr]any)
	}
	env.memo[e] = &regexpMemo{src: src, prog: prog}
	return prog, nil
}

// occurrence returns the occurrence argument a[i] (1 if absent or below 1).
func occurrence(a []Value, i int) int64 {
	if len(a) <= i {
		return 1
	}
	return max(ToInt64(a[i]), 1)
}

// nth returns the n-th match (n >= 1) in s from byte offset from, or nil.
func (p *regexpProg) nth(s string, from int, n int64) []int {
	var found []int
	p.each(s, from, func(m []int) bool {
		n--
		if n == 0 {
			found = m
			return false
		}
		return true
	})
	return found
}

// charByteOffset returns the byte offset in s of its character n
// (0-based; an invalid byte is one character), len(s) past the end.
func charByteOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// icuExpand appends the replacement repl for the match m of s to dst,
// with ICU's syntax: $n, ${name}, \c and \uhhhh / \Uhhhhhhhh. names are
// the pattern's group names.
func icuExpand(dst []byte, repl, s string, m []int, names []string) ([]byte, error) {
	groups := len(m)/2 - 1
	digits := len(strconv.Itoa(groups))
	for i := 0; i < len(repl); {
		c := repl[i]
		switch c {
		case '\\':
			i++
			if i >= len(repl) { // ICU ignores a trailing backslash
				return dst, nil
			}
			if repl[i] == 'u' || repl[i] == 'U' {
				n := 4
				if repl[i] == 'U' {
					n = 8
				}
				if i+1+n <= len(repl) {
					if cp, err := strconv.ParseUint(repl[i+1:i+1+n], 16, 32); err == nil && cp <= utf8.MaxRune {
						dst = utf8.AppendRune(dst, rune(cp))
						i += 1 + n
						continue
					}
				}
			}
			_, w := utf8.DecodeRuneInString(repl[i:])
			dst = append(dst, repl[i:i+w]...)
			i += w
			continue
		case '$':
		default:
			dst = append(dst, c)
			i++
			continue
		}
		i++
		g := -1
		if i < len(repl) && repl[i] == '{' {
			end := strings.IndexByte(repl[i:], '}')
			if end < 0 {
				return nil, NewSQLError(erRegexpInvalidCaptureName, "A capture group has an invalid name.")
			}
			name := repl[i+1 : i+end]
			for k, nm := range names {
				if k > 0 && nm != "" && nm == name {
					g = k
					break
				}
			}
			if g < 0 {
				return nil, NewSQLError(erRegexpInvalidCaptureName, "A capture group has an invalid name.")
			}
			i += end + 1
		} else {
			nd := 0
			for nd < digits && i < len(repl) && repl[i] >= '0' && repl[i] <= '9' {
				if g < 0 {
					g = 0
				}
				g = g*10 + int(repl[i]-'0')
				i++
				nd++
			}
			if nd == 0 {
				return nil, NewSQLError(erRegexpInvalidCaptureName, "A capture group has an invalid name.")
			}
			if g > groups {
				return nil, NewSQLError(erRegexpIndexOutOfBounds, "Index out of bounds in regular expression search.")
			}
		}
		if m[2*g] >= 0 {
			dst = append(dst, s[m[2*g]:m[2*g+1]]...)
		}
	}
	return dst, nil
}
