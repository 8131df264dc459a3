package sqlfront

import "strings"

// Result column names. MySQL names a select expression without alias by
// its text as written ("COUNT(*)", "a + 1"), which sqlparser's AST no
// longer has, so the engine finds the select list in the statement text
// with a small scanner that knows quotes, comments and parentheses.

// selectWords end a select list at parenthesis depth 0.
var selectEndWords = map[string]bool{
	"from": true, "where": true, "group": true, "having": true, "order": true,
	"limit": true, "union": true, "except": true, "intersect": true, "for": true, "into": true, "lock": true, "window": true,
}

// selectModifiers may follow SELECT before the first expression.
var selectModifiers = map[string]bool{
	"all": true, "distinct": true, "distinctrow": true, "high_priority": true,
	"straight_join": true, "sql_small_result": true, "sql_big_result": true,
	"sql_buffer_result": true, "sql_no_cache": true, "sql_cache": true,
	"sql_calc_found_rows": true,
}

// nameScanner walks SQL text token by token.
type nameScanner struct {
	s   string
	i   int
	dep int
}

// skipSpace skips blanks and comments.
func (n *nameScanner) skipSpace() {
	for n.i < len(n.s) {
		c := n.s[n.i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			n.i++
		case c == '#' || c == '-' && strings.HasPrefix(n.s[n.i:], "-- ") || strings.HasPrefix(n.s[n.i:], "--\n"):
			if j := strings.IndexByte(n.s[n.i:], '\n'); j >= 0 {
				n.i += j + 1
			} else {
				n.i = len(n.s)
			}
		case c == '/' && strings.HasPrefix(n.s[n.i:], "/*"):
			if j := strings.Index(n.s[n.i+2:], "*/"); j >= 0 {
				n.i += j + 4
			} else {
				n.i = len(n.s)
			}
		default:
			return
		}
	}
}

// token returns the next token: a lowercased word (kind 'w'), or another
// lexeme (kind = its first byte); kind 0 at the end.
func (n *nameScanner) token() (kind byte, word string, start int) {
	n.skipSpace()
	start = n.i
	if n.i >= len(n.s) {
		return 0, "", start
	}
	c := n.s[n.i]
	switch {
	case c == '\'' || c == '"' || c == '`':
		n.i++
		for n.i < len(n.s) {
			d := n.s[n.i]
			n.i++
			if d == '\\' && c != '`' && n.i < len(n.s) {
				n.i++
				continue
			}
			if d == c {
				if n.i < len(n.s) && n.s[n.i] == c {
					n.i++
					continue
				}
				break
			}
		}
		return c, "", start
	case isWordByte(c):
		for n.i < len(n.s) && isWordByte(n.s[n.i]) {
			n.i++
		}
		return 'w', strings.ToLower(n.s[start:n.i]), start
	case c == '(':
		n.dep++
	case c == ')':
		n.dep--
	}
	n.i++
	return c, "", start
}

// isWordByte reports whether c can be part of an identifier or number.
func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c == '.' || c == '@' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// selectExprTexts returns the texts of the n expressions of the first
// select list in sql, or nil if they cannot be found.
func selectExprTexts(sql string, n int) []string {
	if sql == "" || n == 0 {
		return nil
	}
	sc := &nameScanner{s: sql}
	// Find SELECT.
	for {
		k, w, _ := sc.token()
		if k == 0 {
			return nil
		}
		if k == 'w' && w == "select" {
			break
		}
		if k != '(' {
			return nil
		}
	}
	depth := sc.dep
	// Skip modifiers.
	var start int
	for {
		save, saveDep := sc.i, sc.dep
		k, w, st := sc.token()
		if k == 'w' && selectModifiers[w] {
			continue
		}
		sc.i, sc.dep = save, saveDep // a '(' read ahead counts once
		start = st
		_ = k
		break
	}
	var out []string
	for {
		k, w, st := sc.token()
		end := false
		switch {
		case k == 0:
			end = true
		case k == ')' && sc.dep < depth:
			end = true
		case k == ',' && sc.dep == depth:
			out = append(out, strings.TrimSpace(sql[start:st]))
			sc.skipSpace()
			start = sc.i
			continue
		case k == 'w' && sc.dep == depth && selectEndWords[w]:
			end = true
		}
		if end {
			out = append(out, strings.TrimSpace(sql[start:st]))
			break
		}
	}
	if len(out) != n {
		return nil
	}
	return out
}
