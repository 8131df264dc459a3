package sqlfront

import (
	"regexp"
	"unicode"
	"unicode/utf8"

	"github.com/xwb1989/sqlparser"
)

// This file holds LIKE and REGEXP.
//
// LIKE matches per character: '%' any sequence, '_' one character, the
// escape character (default '\') makes the next character literal; a
// pattern ending in the escape character matches it literally. Strings
// match case-insensitively by the collation's rune folding, without its
// trailing-space padding ('a' LIKE 'a ' is false, as in MySQL). If either
// side is a binary string, matching is bytewise and case-sensitive.
// Numbers and times match their text (10 LIKE '1%').
//
// NB: sqlparser's tokenizer resolves backslash escapes in string literals,
// so 'a\%' reaches us as 'a%' (a wildcard), where MySQL keeps the escape;
// write 'a\\%' (or ESCAPE) for a literal percent sign.

// likeTok is one element of a compiled LIKE pattern.
type likeTok struct {
	kind uint8 // tokLit, tokOne, tokAny
	r    rune  // tokLit: the (folded) rune; invalid bytes are -byte
}

const (
	tokLit uint8 = iota
	tokOne
	tokAny
)

// likePattern is a compiled LIKE pattern.
type likePattern struct {
	ci  []likeTok // for case-insensitive matching: runes folded
	bin []likeTok // for binary matching: one token per byte
	// prefix is set when the pattern is a literal followed by one '%'
	// (the common 'abc%'): its folded and binary forms.
	prefixCI, prefixBin string
	isPrefix            bool
}

// nextRune decodes the rune at s[i] for LIKE: in binary mode every byte
// is one character; otherwise invalid bytes are -byte and, if fold, runes
// are lower-cased.
func nextRune(s string, i int, binary, fold bool) (rune, int) {
	c := s[i]
	if binary {
		return rune(c), 1
	}
	if c < utf8.RuneSelf {
		if fold && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		return rune(c), 1
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size == 1 {
		return -rune(c), 1
	}
	if fold {
		r = unicode.ToLower(r)
	}
	return r, size
}

// compileLikeTokens compiles pattern p for one mode.
func compileLikeTokens(p string, esc rune, binary bool) []likeTok {
	var toks []likeTok
	for i := 0; i < len(p); {
		r, size := nextRune(p, i, binary, false)
		i += size
		switch {
		case r == esc && i < len(p):
			r, size = nextRune(p, i, binary, !binary)
			i += size
			toks = append(toks, likeTok{kind: tokLit, r: r})
			continue
		case r == '%':
			if len(toks) == 0 || toks[len(toks)-1].kind != tokAny {
				toks = append(toks, likeTok{kind: tokAny})
			}
			continue
		case r == '_':
			toks = append(toks, likeTok{kind: tokOne})
			continue
		}
		if !binary {
			r, _ = nextRune(p, i-size, false, true)
		}
		toks = append(toks, likeTok{kind: tokLit, r: r})
	}
	return toks
}

// compileLike compiles a LIKE pattern with escape character esc (-1: none).
func compileLikePattern(p string, esc rune) *likePattern {
	lp := &likePattern{ci: compileLikeTokens(p, esc, false), bin: compileLikeTokens(p, esc, true)}
	if n := len(lp.ci); n > 0 && lp.ci[n-1].kind == tokAny {
		lit := true
		for _, t := range lp.ci[:n-1] {
			lit = lit && t.kind == tokLit
		}
		for _, t := range lp.bin[:len(lp.bin)-1] {
			lit = lit && t.kind == tokLit
		}
		if lit {
			lp.isPrefix = true
			var b []byte
			for _, t := range lp.ci[:n-1] {
				if t.r < 0 {
					b = append(b, byte(-t.r))
				} else {
					b = utf8.AppendRune(b, t.r)
				}
			}
			lp.prefixCI = string(b)
			b = b[:0]
			for _, t := range lp.bin[:len(lp.bin)-1] {
				b = append(b, byte(t.r))
			}
			lp.prefixBin = string(b)
		}
	}
	return lp
}

// match reports whether s matches the pattern.
func (lp *likePattern) match(s string, binary bool) bool {
	if lp.isPrefix {
		if binary {
			return len(s) >= len(lp.prefixBin) && s[:len(lp.prefixBin)] == lp.prefixBin
		}
		if m, decided := asciiFoldedPrefix(s, lp.prefixCI); decided {
			return m
		}
		// Non-ASCII subject: folding may change byte lengths; match fully.
	}
	toks := lp.ci
	if binary {
		toks = lp.bin
	}
	return likeMatch(toks, s, binary)
}

// asciiFoldedPrefix reports whether s, folded, starts with the folded
// prefix p. decided is false when s has non-ASCII bytes within len(p)
// (folding might change their length); the caller then matches fully.
func asciiFoldedPrefix(s, p string) (match, decided bool) {
	for i := 0; i < len(p); i++ {
		if i >= len(s) {
			return false, true
		}
		c := s[i]
		if c >= utf8.RuneSelf {
			return false, false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false, true
		}
	}
	return true, true
}

// likeMatch is glob matching with one backtrack point (the last '%'),
// which is exact for patterns of literals, '_' and '%'.
func likeMatch(toks []likeTok, s string, binary bool) bool {
	si, ti := 0, 0
	starTi, starSi := -1, 0
	for si < len(s) {
		r, size := nextRune(s, si, binary, !binary)
		if ti < len(toks) {
			switch t := toks[ti]; t.kind {
			case tokAny:
				starTi, starSi = ti, si
				ti++
				continue
			case tokOne:
				ti++
				si += size
				continue
			default:
				if t.r == r {
					ti++
					si += size
					continue
				}
			}
		}
		if starTi < 0 {
			return false
		}
		ti = starTi + 1
		_, sz := nextRune(s, starSi, binary, false)
		starSi += sz
		si = starSi
	}
	for ti < len(toks) && toks[ti].kind == tokAny {
		ti++
	}
	return ti == len(toks)
}

// Like reports whether s matches the LIKE pattern p with escape character
// esc (-1 for none), case-insensitively unless binary.
func Like(s, p string, esc rune, binary bool) bool {
	return compileLikePattern(p, esc).match(s, binary)
}

// likeExpr is x [NOT] LIKE pattern [ESCAPE c].
type likeExpr struct {
	x, pat Expr
	lp     *likePattern // the compiled pattern when constant
	patBin bool         // the constant pattern is a binary string
	patC   Collation    // the constant pattern's collation
	esc    rune
	escArg Expr // ESCAPE ?: the escape character, read per evaluation
	not    bool
}

func (e *likeExpr) evalTri(env *Env) (tri, error) {
	v, err := e.x.Eval(env)
	if err != nil || v.K == KindNull {
		return triNull, err
	}
	lp, binary, pc := e.lp, e.patBin, e.patC
	if lp == nil {
		esc := e.esc
		if e.escArg != nil {
			ev, err := e.escArg.Eval(env)
			if err != nil {
				return triNull, err
			}
			if esc, err = escapeChar(ev); err != nil {
				return triNull, err
			}
		}
		pv, err := e.pat.Eval(env)
		if err != nil || pv.K == KindNull {
			return triNull, err
		}
		lp, binary, pc = e.compiled(env, Format(pv), esc), pv.K == KindBytes, pv.C
	}
	s := v.S
	if v.K != KindString && v.K != KindBytes {
		s = Format(v)
	}
	// The collation of the comparison: an explicit COLLATE on either
	// side, else a column's (collation.go).
	return triBool(lp.match(s, binary || v.K == KindBytes || pickCollation(v.C, pc).binaryish()) != e.not), nil
}

// likeCache is the last pattern a likeExpr with a non-constant pattern
// compiled, memoized in Env: `col LIKE ?` compiles once per execution.
type likeCache struct {
	pat string
	esc rune
	lp  *likePattern
}

// compiled returns pattern p compiled with escape character esc, from
// env's memo if it is the one compiled last.
func (e *likeExpr) compiled(env *Env, p string, esc rune) *likePattern {
	if c, ok := env.memo[e].(*likeCache); ok && c.pat == p && c.esc == esc {
		return c.lp
	}
	lp := compileLikePattern(p, esc)
	if env.memo == nil {
		env.memo = make(map[Expr]any)
	}
	env.memo[e] = &likeCache{pat: p, esc: esc, lp: lp}
	return lp
}

// escapeChar returns the escape character ESCAPE v names: its one
// character, or -1 (none) for an empty string. NULL is the default '\'
// as in MySQL; longer strings are error 1210.
func escapeChar(v Value) (rune, error) {
	if v.K == KindNull {
		return '\\', nil
	}
	s := Format(v)
	switch utf8.RuneCountInString(s) {
	case 0:
		return -1, nil
	case 1:
		r, _ := utf8.DecodeRuneInString(s)
		return r, nil
	}
	return 0, NewSQLError(ErWrongArguments, "Incorrect arguments to ESCAPE")
}

func (e *likeExpr) Eval(env *Env) (Value, error) { t, err := e.evalTri(env); return t.value(), err }
func (e *likeExpr) kids() []Expr {
	if e.escArg != nil {
		return []Expr{e.x, e.pat, e.escArg}
	}
	return []Expr{e.x, e.pat}
}

// compileLike compiles [NOT] LIKE.
func (c *compiler) compileLike(e *sqlparser.ComparisonExpr) (Expr, error) {
	x, err := c.compile(e.Left)
	if err != nil {
		return nil, err
	}
	pat, err := c.compile(e.Right)
	if err != nil {
		return nil, err
	}
	n := &likeExpr{x: x, pat: pat, esc: '\\', not: e.Operator == sqlparser.NotLikeStr}
	if e.Escape != nil {
		ex, err := c.compile(e.Escape)
		if err != nil {
			return nil, err
		}
		// The escape character must be constant: a literal, or a
		// placeholder (read per execution, as in MySQL).
		switch x := ex.(type) {
		case *litExpr:
			if n.esc, err = escapeChar(x.v); err != nil {
				return nil, err
			}
		case *argExpr:
			n.escArg = x
		default:
			return nil, NewSQLError(ErWrongArguments, "Incorrect arguments to ESCAPE")
		}
	}
	if lit, ok := pat.(*litExpr); ok && lit.v.K != KindNull && n.escArg == nil {
		n.lp = compileLikePattern(Format(lit.v), n.esc)
		n.patBin = lit.v.K == KindBytes
		n.patC = lit.v.C
	}
	return c.fold(n), nil
}

// regexpExpr is x [NOT] REGEXP pattern (Go RE2 syntax, which covers the
// common subset of MySQL's ICU expressions), case-insensitive unless
// either side is binary.
type regexpExpr struct {
	x, pat Expr
	re     *regexp.Regexp // constant pattern, case-insensitive
	reBin  *regexp.Regexp // constant pattern, case-sensitive
	not    bool
}

// errRegexp returns MySQL's error for a bad regular expression.
func errRegexp(err error) error {
	return NewSQLError(3685, "Illegal argument to a regular expression: %v", err)
}

func (e *regexpExpr) evalTri(env *Env) (tri, error) {
	v, err := e.x.Eval(env)
	if err != nil || v.K == KindNull {
		return triNull, err
	}
	binary := v.K == KindBytes
	re := e.re
	if binary {
		re = e.reBin
	}
	if re == nil {
		pv, err := e.pat.Eval(env)
		if err != nil || pv.K == KindNull {
			return triNull, err
		}
		src := Format(pv)
		if !binary && pv.K != KindBytes {
			src = "(?i)" + src
		}
		if c, ok := env.memo[e].(*regexpCache); ok && c.src == src {
			re = c.re
		} else {
			if re, err = regexp.Compile(src); err != nil {
				return triNull, errRegexp(err)
			}
			if env.memo == nil {
				env.memo = make(map[Expr]any)
			}
			env.memo[e] = &regexpCache{src: src, re: re}
		}
	}
	s := v.S
	if v.K != KindString && v.K != KindBytes {
		s = Format(v)
	}
	return triBool(re.MatchString(s) != e.not), nil
}

// regexpCache is the last expression a regexpExpr with a non-constant
// pattern compiled, memoized in Env.
type regexpCache struct {
	src string
	re  *regexp.Regexp
}

func (e *regexpExpr) Eval(env *Env) (Value, error) { t, err := e.evalTri(env); return t.value(), err }
func (e *regexpExpr) kids() []Expr                 { return []Expr{e.x, e.pat} }

// compileRegexp compiles [NOT] REGEXP.
func (c *compiler) compileRegexp(e *sqlparser.ComparisonExpr) (Expr, error) {
	x, err := c.compile(e.Left)
	if err != nil {
		return nil, err
	}
	pat, err := c.compile(e.Right)
	if err != nil {
		return nil, err
	}
	n := &regexpExpr{x: x, pat: pat, not: e.Operator == sqlparser.NotRegexpStr}
	if lit, ok := pat.(*litExpr); ok && lit.v.K != KindNull {
		src := Format(lit.v)
		if n.reBin, err = regexp.Compile(src); err != nil {
			return nil, errRegexp(err)
		}
		if lit.v.K == KindBytes {
			n.re = n.reBin
		} else if n.re, err = regexp.Compile("(?i)" + src); err != nil {
			return nil, errRegexp(err)
		}
	}
	return c.fold(n), nil
}
