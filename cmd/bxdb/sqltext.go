package main

import (
	"errors"
	"strings"

	"github.com/xwb1989/sqlparser"

	"github.com/bxdb/bxdb/sqlfront"
)

// The shell splits input with sqlfront.SplitStatements, the engine's own
// splitter, so that strings, quoted identifiers and comments (--, #, //,
// /* */ and MySQL's /*! */) end where the engine says they do. The helpers
// here add what the splitter does not report: where each statement starts
// (for "at line N"), whether a text ends with its ';', and whether a
// statement returns rows.

// statement is one statement of a script and the byte offset in the
// script where its first token starts.
type statement struct {
	text string
	off  int
}

// splitScript splits text into statements with their offsets. A text
// ending inside a string, quoted identifier or comment still yields the
// statements before it; the unterminated statement comes last, whole, as
// the engine should see (and reject) it.
func splitScript(text string) []statement {
	stmts, err := sqlfront.SplitStatements(text)
	if err == nil {
		return locate(text, stmts)
	}
	var pe *sqlfront.ParseError
	if !errors.As(err, &pe) || pe.Pos < 0 || pe.Pos > len(text) {
		return []statement{{text: strings.TrimSpace(text), off: skipGap(text, 0)}}
	}
	head := text[:pe.Pos]
	hs, _ := sqlfront.SplitStatements(head)
	out := locate(head, hs)
	rest := pe.Pos
	if !complete(head) && len(out) > 0 {
		// The unterminated token belongs to the last statement of head.
		rest = out[len(out)-1].off
		out = out[:len(out)-1]
	}
	return append(out, statement{text: text[rest:], off: rest})
}

// locate finds where each of stmts, the statements SplitStatements made of
// text, starts in text.
func locate(text string, stmts []string) []statement {
	out := make([]statement, 0, len(stmts))
	pos := 0
	for _, s := range stmts {
		j := skipGap(text, pos)
		if !strings.HasPrefix(text[j:], s) {
			// Not where the gap ends (a case skipGap does not know):
			// the first occurrence is the best guess left.
			j = pos
			if k := strings.Index(text[pos:], s); k >= 0 {
				j = pos + k
			}
		}
		out = append(out, statement{text: s, off: j})
		pos = j + len(s)
	}
	return out
}

// skipGap returns the offset of the first byte at or after i that is not
// between statements: blanks, semicolons, comments, and the markers of a
// MySQL version comment (whose contents are SQL).
func skipGap(text string, i int) int {
	for i < len(text) {
		rest := text[i:]
		switch c := rest[0]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';':
			i++
		case strings.HasPrefix(rest, "/*!"):
			i += 3
			for k := 0; k < 5 && i < len(text) && text[i] >= '0' && text[i] <= '9'; k++ {
				i++
			}
		case strings.HasPrefix(rest, "/*"):
			end := strings.Index(rest[2:], "*/")
			if end < 0 {
				return len(text)
			}
			i += 2 + end + 2
		case strings.HasPrefix(rest, "*/"): // the end of a version comment
			i += 2
		case c == '#' || strings.HasPrefix(rest, "--") || strings.HasPrefix(rest, "//"):
			nl := strings.IndexByte(rest, '\n')
			if nl < 0 {
				return len(text)
			}
			i += nl + 1
		default:
			return i
		}
	}
	return i
}

// complete reports whether text holds nothing but whole statements: its
// last token, ignoring trailing blanks and comments, is a ';' outside
// strings and comments (or it has no tokens at all).
func complete(text string) bool {
	stmts, err := sqlfront.SplitStatements(text)
	if err != nil {
		return false // ends inside a string, quoted identifier or comment
	}
	// A token after the text joins the last statement unless a ';'
	// ended it. The newline ends a trailing "--" or "#" comment.
	more, err := sqlfront.SplitStatements(text + "\nx")
	return err == nil && len(more) == len(stmts)+1
}

// returnsRows reports whether a statement (as SplitStatements returns it:
// starting at its first token) produces a result set, so that the shell
// prints a table for it rather than a row count. It goes by the first
// keyword, whatever blanks, comments and parentheses come before it; a
// WITH statement, whose main statement follows its common table
// expressions, is parsed.
func returnsRows(stmt string) bool {
	s := stmt[skipGap(stmt, 0):]
	if strings.HasPrefix(s, "(") {
		return true // a parenthesized query
	}
	n := 0
	for n < len(s) && isWordByte(s[n]) {
		n++
	}
	switch strings.ToUpper(s[:n]) {
	case "SELECT":
		// SELECT ... INTO @a sets variables and returns no rows.
		if strings.Contains(strings.ToLower(s), "into") {
			if st, err := sqlfront.Parse(stmt); err == nil {
				if d, ok := st.(*sqlfront.DMLStmt); ok && d.Into != nil {
					return false
				}
			}
		}
		return true
	case "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "VALUES", "TABLE",
		"ANALYZE", "OPTIMIZE", "CHECK", "CHECKSUM", "REPAIR":
		return true
	case "WITH":
		st, err := sqlfront.Parse(stmt)
		if err != nil {
			return true // the error is the same either way
		}
		d, ok := st.(*sqlfront.DMLStmt)
		if !ok {
			return false
		}
		_, ok = d.AST.(sqlparser.SelectStatement)
		return ok
	}
	return false
}

// isWordByte reports whether c may be part of an unquoted identifier or
// keyword.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
}
