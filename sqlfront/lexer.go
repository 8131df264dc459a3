package sqlfront

import (
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// This file wraps sqlparser's tokenizer so that our own statement parser
// (ddl_parse.go, stmt_parse.go), the statement splitter and the error
// reporter all see exactly the tokens that sqlparser.Parse sees: one
// tokenizer, so strings, comments, backticks and `?` agree everywhere.
//
// The tokenizer reports only the value of a token, not where it starts, so
// the lexer reconstructs byte offsets from the tokenizer's Position counter:
//
//	Position == index of the look-ahead character + 1
//
// After a token is scanned the look-ahead character is the first byte after
// the token, so the token ends at Position-1. It starts after the blanks
// (' ', '\t', '\r', '\n') that follow the previous token.
//
// MySQL version comments (`/*!40101 SET NAMES utf8 */`, as mysqldump
// writes them) hold SQL that MySQL executes. The tokenizer expands them
// with a nested tokenizer that loses positions (and panics on
// `/*!12345*/`), so the lexer expands them itself: a nested lexer over the
// comment's contents, then a fresh tokenizer after the comment. Their
// tokens therefore have exact positions, and `?` markers are numbered by
// the lexer, not the tokenizer, so the numbering runs on across comments.

// tokAssign is the type of the token ":=" (MySQL's assignment operator,
// which sqlparser's tokenizer does not know; see rewriteAssignments).
const tokAssign = 1 << 24

// token is one lexical token of a statement.
type token struct {
	typ    int    // sqlparser token type: sqlparser.ID, a keyword id, a character such as '(' or ';', sqlparser.STRING, ...; 0 at end of input
	val    string // the tokenizer's value: identifier (backticks stripped), lowercased keyword, string contents (unescaped), number text, ":vN" for the N-th `?`
	pos    int    // byte offset of the token's first byte in the source
	end    int    // byte offset just past the token's last byte
	quoted bool   // a backtick-quoted identifier; never a keyword
}

// word returns the lowercased text of a bare word (a keyword or an unquoted
// identifier) and "" for every other token, so keywords are matched
// case-insensitively and a quoted `select` never matches SELECT.
func (t token) word() string {
	if t.quoted {
		return ""
	}
	if t.typ == sqlparser.ID || t.typ == sqlparser.UNUSED || sqlparser.KeywordString(t.typ) != "" {
		return strings.ToLower(t.val)
	}
	return ""
}

// isPlaceholder reports whether t is a `?` parameter marker (as opposed to a
// named `:name` bind variable).
func (t token) isPlaceholder(src string) bool {
	return t.typ == sqlparser.VALUE_ARG && t.pos < len(src) && src[t.pos] == '?'
}

// lexer produces the tokens of src[base:limit], comments included, with
// positions relative to src.
type lexer struct {
	src     string
	tkn     *sqlparser.Tokenizer // over src[base:limit]
	base    int                  // offset in src where tkn starts
	limit   int                  // offset in src where tkn ends
	prevEnd int                  // end offset of the previous token
	inner   *lexer               // lexer of the version comment being expanded, if any
	nargs   *int                 // `?` markers so far, shared with inner lexers
	marks   *[]int               // start, end offsets of version-comment markers ("/*!40101", "*/"), shared with inner lexers
	dead    bool                 // the tokenizer panicked; only EOF follows
}

// newLexer returns a lexer over src.
func newLexer(src string) *lexer {
	return &lexer{src: src, tkn: sqlparser.NewStringTokenizer(src), limit: len(src), nargs: new(int), marks: new([]int)}
}

// next returns the next token, comments included. After the end of input it
// keeps returning an EOF token (typ 0). It never panics: a tokenizer panic
// becomes a LEX_ERROR token running to the end of the input.
func (l *lexer) next() (tok token) {
	if l.inner != nil {
		if t := l.inner.next(); t.typ != 0 {
			return t
		}
		l.inner = nil
	}
	eof := token{pos: l.limit, end: l.limit}
	if l.dead {
		return eof
	}
	// The tokenizer first skips a NUL look-ahead (its "not started" marker)
	// and then blanks; do the same to find where the token starts.
	start := l.prevEnd
	if l.tkn.Position > 0 && start < l.limit && l.src[start] == 0 {
		start++
	}
	for start < l.limit && isBlank(l.src[start]) {
		start++
	}
	if strings.HasPrefix(l.src[start:l.limit], "/*!") {
		return l.versionComment(start)
	}
	if strings.HasPrefix(l.src[start:l.limit], ":=") {
		// MySQL's assignment operator, which the tokenizer reads as a
		// malformed bind variable: a token of its own, then a fresh
		// tokenizer after it.
		after := start + len(":=")
		l.tkn = sqlparser.NewStringTokenizer(l.src[after:l.limit])
		l.base, l.prevEnd = after, after
		return token{typ: tokAssign, val: ":=", pos: start, end: after}
	}
	if n := bitNumLen(l.src[start:l.limit]); n > 0 {
		// A 0b101 bit literal, which the tokenizer rejects: a HEXNUM
		// token of the same bytes (lexAll rewrites the text), then a
		// fresh tokenizer after it.
		after := start + n
		l.tkn = sqlparser.NewStringTokenizer(l.src[after:l.limit])
		l.base, l.prevEnd = after, after
		return token{typ: sqlparser.HEXNUM, val: bitNumHex(l.src[start+2 : after]), pos: start, end: after}
	}
	defer func() {
		if r := recover(); r != nil {
			l.dead = true
			tok = token{typ: sqlparser.LEX_ERROR, pos: start, end: l.limit}
		}
	}()
	typ, val := l.tkn.Scan()
	if typ == 0 {
		return eof
	}
	end := min(max(l.base+l.tkn.Position-1, start), l.limit)
	l.prevEnd = end
	tok = token{typ: typ, val: string(val), pos: start, end: end}
	tok.quoted = typ == sqlparser.ID && start < l.limit && l.src[start] == '`'
	if tok.isPlaceholder(l.src) {
		*l.nargs++
		tok.val = ":v" + strconv.Itoa(*l.nargs)
	}
	return tok
}

// versionComment expands the version comment starting at start and
// returns its first token (or the first token after it).
func (l *lexer) versionComment(start int) token {
	body := start + len("/*!")
	n := strings.Index(l.src[body:l.limit], "*/")
	if n < 0 {
		l.dead = true
		return token{typ: sqlparser.LEX_ERROR, pos: start, end: l.limit}
	}
	closing := body + n
	// Skip the version number: up to five digits, as the tokenizer does.
	for k := 0; k < 5 && body < closing && l.src[body] >= '0' && l.src[body] <= '9'; k++ {
		body++
	}
	after := closing + len("*/")
	*l.marks = append(*l.marks, start, body, closing, after)
	l.inner = &lexer{
		src: l.src, tkn: sqlparser.NewStringTokenizer(l.src[body:closing]),
		base: body, limit: closing, prevEnd: body, nargs: l.nargs, marks: l.marks,
	}
	l.tkn = sqlparser.NewStringTokenizer(l.src[after:l.limit])
	l.base, l.prevEnd = after, after
	return l.next()
}

// bitNumLen returns the length of the 0b literal (MySQL's 0b101: "0b",
// then binary digits, then no other character of a word) at the start of
// s, or 0.
func bitNumLen(s string) int {
	if !strings.HasPrefix(s, "0b") {
		return 0
	}
	n := 2
	for n < len(s) && (s[n] == '0' || s[n] == '1') {
		n++
	}
	if n == 2 || n < len(s) && isWordByte(s[n]) {
		return 0
	}
	return n
}

// bitNumHex returns the 0x literal of the binary digits bits: one hex
// digit per four bits, so it has the same (len(bits)+7)/8 bytes as b'bits',
// and at most len(bits)+2 characters, as many as 0b and bits.
func bitNumHex(bits string) string {
	const hexDigits = "0123456789abcdef"
	b := []byte("0x")
	first := len(bits) % 4
	if first == 0 {
		first = 4
	}
	for i, w := 0, first; i < len(bits); i, w = i+w, 4 {
		d := 0
		for _, c := range bits[i : i+w] {
			d = d<<1 | int(c-'0')
		}
		b = append(b, hexDigits[d])
	}
	return string(b)
}

// isBlank reports whether c is one of the blanks the tokenizer skips.
func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// lexAll returns the tokens of src without comments, ending with the EOF
// token, and src with the markers of version comments blanked out (so
// sqlparser, which mishandles them, sees their contents as plain SQL at
// the same offsets). It stops at the first LEX_ERROR and returns it as a
// *ParseError.
func lexAll(src string) (toks []token, clean string, err error) {
	l := newLexer(src)
	for {
		t := l.next()
		switch t.typ {
		case sqlparser.COMMENT:
			continue
		case sqlparser.LEX_ERROR:
			return nil, "", newParseError(src, t.pos, lexErrorMsg(src, t))
		}
		toks = append(toks, t)
		if t.typ == 0 {
			break
		}
	}
	marks := *l.marks
	// N'text' (a national string literal) is 'text': the tokenizer reads
	// the N as an identifier, so it goes from the tokens and the text.
	var natl []int
	for i := 0; i+1 < len(toks); i++ {
		t, s := toks[i], toks[i+1]
		if t.typ == sqlparser.ID && !t.quoted && (t.val == "N" || t.val == "n") && t.end == t.pos+1 &&
			s.typ == sqlparser.STRING && s.pos == t.end && src[s.pos] == '\'' {
			natl = append(natl, i)
		}
	}
	// @'name', @"name" and @`name` (a user variable named by a quoted
	// string) are @name: one token, and the text written over in place.
	// The '@' of a user name ('u'@'host', as DEFINER takes it) follows
	// its name directly and is left alone.
	var uvars []int
	for i := 0; i+1 < len(toks); i++ {
		t, s := toks[i], toks[i+1]
		if t.typ != sqlparser.ID || t.quoted || t.val != "@" || t.end != t.pos+1 || s.pos != t.end ||
			s.typ != sqlparser.STRING && !(s.typ == sqlparser.ID && s.quoted) {
			continue
		}
		if i > 0 && toks[i-1].end == t.pos && (toks[i-1].typ == sqlparser.STRING || toks[i-1].typ == sqlparser.ID) {
			continue
		}
		if !plainVarName(s.val) {
			return nil, "", newParseError(src, t.pos, "a user variable name in quotes must be letters, digits, '_', '$' and '.'")
		}
		uvars = append(uvars, i)
	}
	// 0b101 is 0x5 (bitNumLen): sqlparser reads the token's value
	// padded with blanks.
	var bitNums []int
	for i, t := range toks {
		if t.typ == sqlparser.HEXNUM && strings.HasPrefix(src[t.pos:], "0b") {
			bitNums = append(bitNums, i)
		}
	}
	if len(marks) == 0 && len(natl) == 0 && len(bitNums) == 0 && len(uvars) == 0 {
		return toks, src, nil
	}
	b := []byte(src)
	for j := len(uvars) - 1; j >= 0; j-- {
		i := uvars[j]
		t, s := toks[i], toks[i+1]
		name := "@" + s.val
		n := copy(b[t.pos:s.end], name)
		for k := t.pos + n; k < s.end; k++ {
			b[k] = ' '
		}
		toks[i] = token{typ: sqlparser.ID, val: name, pos: t.pos, end: s.end}
		toks = append(toks[:i+1], toks[i+2:]...)
	}
	for _, i := range bitNums {
		t := toks[i]
		n := copy(b[t.pos:t.end], t.val)
		for k := t.pos + n; k < t.end; k++ {
			b[k] = ' '
		}
	}
	for k := 0; k+1 < len(marks); k += 2 {
		for i := marks[k]; i < marks[k+1]; i++ {
			b[i] = ' '
		}
	}
	for j := len(natl) - 1; j >= 0; j-- {
		i := natl[j]
		b[toks[i].pos] = ' '
		toks = append(toks[:i], toks[i+1:]...)
	}
	return toks, string(b), nil
}

// plainVarName reports whether a quoted user variable name can be written
// without quotes.
func plainVarName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c == '.') {
			return false
		}
	}
	return s != ""
}

// lexErrorMsg describes a LEX_ERROR token.
func lexErrorMsg(src string, t token) string {
	if t.pos >= len(src) {
		return "unexpected end of input"
	}
	switch c := src[t.pos]; {
	case c == '\'' || c == '"':
		return "unterminated string literal"
	case c == '`':
		if t.end >= len(src) && !strings.HasSuffix(src[t.pos+1:], "`") {
			return "unterminated quoted identifier"
		}
		return "empty quoted identifier"
	case c == '/':
		return "unterminated comment"
	case c >= '0' && c <= '9' || c == '.':
		return "malformed number"
	case c == 'x' || c == 'X' || c == 'b' || c == 'B':
		return "malformed hexadecimal or bit literal"
	case c == ':':
		return "malformed bind variable"
	default:
		return "unexpected character"
	}
}

// unterminated reports whether the LEX_ERROR token t is an unterminated
// string, quoted identifier or comment, after which token boundaries are
// unknowable.
func unterminated(src string, t token) bool {
	if t.end < len(src) || t.pos >= len(src) {
		return false
	}
	switch src[t.pos] {
	case '\'', '"', '`', '/':
		return true
	}
	return false
}

// SplitStatements splits a script into statements at top-level semicolons.
// Semicolons inside strings, quoted identifiers and comments do not split.
// Each returned statement is the source text from its first token to its
// last, without the semicolon; comments before the first and after the last
// token are dropped, comments inside are kept, and statements with no
// tokens (";;", a trailing comment) are skipped. A script without
// semicolons is one statement. The contents of a version comment are
// tokens like any other, so "/*!40101 SET NAMES utf8 */;" yields
// "SET NAMES utf8".
//
// A CREATE TRIGGER statement is one statement, semicolons of its body
// included (as SQLite's shell and MySQL's DELIMITER have it): inside it a
// ';' ends the statement only outside BEGIN ... END, IF ... END IF and
// CASE ... END (trigSplit).
//
// The only error is a *ParseError for an unterminated string, quoted
// identifier or comment, after which the statement boundaries are unknown.
// Other lexical errors stay in their statement for Parse to report.
func SplitStatements(sql string) ([]string, error) {
	var out []string
	l := newLexer(sql)
	start, last := -1, -1 // first token's start and last token's end in the current statement
	var ts trigSplit
	for {
		t := l.next()
		switch {
		case t.typ == sqlparser.COMMENT:
			continue
		case t.typ == sqlparser.LEX_ERROR && unterminated(sql, t):
			return nil, newParseError(sql, t.pos, lexErrorMsg(sql, t))
		case t.typ == ';' && ts.open():
		case t.typ == ';' || t.typ == 0:
			if start >= 0 && last > start {
				out = append(out, sql[start:last])
			}
			if t.typ == 0 {
				return out, nil
			}
			start, last = -1, -1
			ts = trigSplit{}
			continue
		}
		ts.note(t)
		if start < 0 {
			start = t.pos
		}
		last = max(t.end, last)
	}
}

// trigSplit follows the tokens of a statement for SplitStatements, to
// tell whether a ';' is inside the body of a CREATE TRIGGER.
type trigSplit struct {
	n       int    // tokens seen
	trigger bool   // the statement is a CREATE TRIGGER
	plain   bool   // the statement is known not to be one
	blocks  []byte // open blocks: 'b' BEGIN, 'i' IF (the statement), 'c' CASE
	prev    token  // the previous token
	prev2   token  // the one before it
}

// open reports whether a block of a trigger body is open.
func (ts *trigSplit) open() bool { return ts.trigger && len(ts.blocks) > 0 }

// note follows token t.
func (ts *trigSplit) note(t token) {
	if ts.plain {
		return // the common case: nothing to follow
	}
	w := t.word()
	switch {
	case ts.trigger:
		ts.block(t, w)
	case ts.n == 0:
		ts.plain = w != "create"
	case w == "trigger":
		ts.trigger = true
	case ts.n > 16 || w == "table" || w == "index" || w == "view" || w == "on" || w == "as" || w == "select" ||
		w == "procedure" || w == "function" || w == "event" || w == "begin":
		ts.plain = true
	}
	ts.prev2, ts.prev, ts.n = ts.prev, t, ts.n+1
}

// block follows the blocks of a trigger body through token t, whose word
// is w.
func (ts *trigSplit) block(t token, w string) {
	if ts.prev.typ == '.' || w == "" {
		return // a column or table name (NEW.begin), or not a word
	}
	top := byte(0)
	if len(ts.blocks) > 0 {
		top = ts.blocks[len(ts.blocks)-1]
	}
	switch w {
	case "begin":
		ts.blocks = append(ts.blocks, 'b')
	case "case":
		if ts.prev.word() != "end" { // END CASE ends one
			ts.blocks = append(ts.blocks, 'c')
		}
	case "if":
		// IF starts a statement (not the IF() function) where a statement
		// starts: after ';', BEGIN, THEN, ELSE, FOR EACH ROW, or the
		// trigger named by FOLLOWS or PRECEDES; END IF ends one.
		p, p2 := ts.prev.word(), ts.prev2.word()
		switch {
		case p == "end":
		case ts.prev.typ == ';' || p == "begin" || p == "row" || p2 == "follows" || p2 == "precedes" ||
			(p == "then" || p == "else") && top != 'c':
			ts.blocks = append(ts.blocks, 'i')
		}
	case "end":
		if len(ts.blocks) > 0 {
			ts.blocks = ts.blocks[:len(ts.blocks)-1]
		}
	}
}
