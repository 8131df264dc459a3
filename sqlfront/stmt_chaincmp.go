package sqlfront

import (
	"errors"

	"github.com/xwb1989/sqlparser"
)

// Chained comparisons. In MySQL's grammar a comparison's left operand is a
// boolean_primary, which may itself be a comparison or an IS [NOT] NULL
// test, and its right operand a predicate, which may be an IN, BETWEEN or
// LIKE test:
//
//	boolean_primary: boolean_primary IS [NOT] NULL
//	               | boolean_primary comparison_operator predicate
//	               | predicate
//
// so `a < b = 1` is `(a < b) = 1`, `c IS NULL = 0` is `(c IS NULL) = 0` and
// `EXISTS (...) = 1` is `(EXISTS (...)) = 1` (SQLite reads them alike).
// The pinned parser takes a comparison's operands as plain values and
// refuses all of these. chainComparisons retries such a statement with the
// left operand of the refused operator in parentheses, which the parser
// takes, as often as the statement has such operators.

// maxChainRetries bounds the retries: one per chained operator.
const maxChainRetries = 32

// chainComparisons parses sql (clean as sqlparserParse takes it: sql with
// some words blanked in place), whose parse failed with err, with the left
// operands of chained comparisons parenthesized in both. ok is false when
// err is not at a comparison operator or the rewritten text does not parse
// either.
func chainComparisons(sql, clean string, toks []token, err error) (ast sqlparser.Statement, ok bool) {
	text := sql
	for range maxChainRetries {
		var pe *ParseError
		if !errors.As(err, &pe) {
			return nil, false
		}
		i := tokenAt(toks, pe.Pos)
		if i <= 0 || !isComparisonOp(toks[i]) {
			return nil, false
		}
		s := leftOperandStart(toks, i)
		if s < 0 || s >= i {
			return nil, false
		}
		from, to := toks[s].pos, toks[i-1].end
		if from > to || to > len(text) || len(clean) != len(text) {
			return nil, false
		}
		text = text[:from] + "(" + text[from:to] + ")" + text[to:]
		clean = clean[:from] + "(" + clean[from:to] + ")" + clean[to:]
		var lerr error
		if toks, _, lerr = lexAll(text); lerr != nil {
			return nil, false
		}
		if ast, err = sqlparserParseOnce(text, clean, toks); err == nil {
			return ast, true
		}
	}
	return nil, false
}

// tokenAt returns the index of the token of toks that starts at pos, or -1.
func tokenAt(toks []token, pos int) int {
	for i, t := range toks {
		if t.typ != 0 && t.pos == pos {
			return i
		}
	}
	return -1
}

// isComparisonOp reports whether t is a comparison operator or IS, the
// operators whose left operand may be a boolean_primary.
func isComparisonOp(t token) bool {
	switch t.typ {
	case '=', '<', '>', sqlparser.NE, sqlparser.LE, sqlparser.GE, sqlparser.NULL_SAFE_EQUAL:
		return true
	}
	return t.word() == "is"
}

// leftOperandStart returns the index of the first token of the
// boolean_primary that ends just before toks[op]: the tokens back to an
// unmatched '(', a ',' or a word of lower precedence (AND, OR, XOR, a
// prefix NOT) or
// one that starts an expression (WHERE, ON, WHEN, SELECT, ...), at the same
// depth of parentheses and of CASE ... END. An AND that closes a BETWEEN belongs to the operand.
// It returns -1 when the operand is not found.
func leftOperandStart(toks []token, op int) int {
	depth := 0
	for j := op - 1; j >= 0; j-- {
		t := toks[j]
		nested, edge := scanBack(t, &depth)
		if edge {
			return j + 1
		}
		if nested {
			continue
		}
		switch w := t.word(); w {
		case "and":
			b := betweenOf(toks, j)
			if b < 0 {
				return j + 1
			}
			j = b // the BETWEEN's left operand is part of the operand too
		case "not":
			// IS NOT NULL, a NOT IN / BETWEEN / LIKE: infix, inside the operand.
			if j > 0 && (toks[j-1].word() == "is" || toks[j-1].word() == "end" || endsOperand(toks[j-1])) {
				continue
			}
			return j + 1
		case "or", "xor", "where", "having", "on", "when", "then", "else", "case",
			"select", "distinct", "all", "by", "set", "values", "return", "if", "limit", "straight_join":
			return j + 1
		}
	}
	return -1
}

// betweenOf returns the index of the BETWEEN whose AND is toks[and], or -1
// when that AND is a logical one: the first BETWEEN before it at its
// parenthesis depth with no logical operator in between.
func betweenOf(toks []token, and int) int {
	depth := 0
	for j := and - 1; j >= 0; j-- {
		t := toks[j]
		nested, edge := scanBack(t, &depth)
		if edge {
			return -1
		}
		if nested {
			continue
		}
		switch t.word() {
		case "between":
			return j
		case "and", "or", "xor", "not", "where", "having", "on", "when", "then", "else", "case", "select":
			return -1
		}
	}
	return -1
}

// scanBack takes token t, met scanning backwards at *depth of parentheses
// and CASE ... END, into account: edge is true for an unmatched '(' or a
// ',' or ';' at depth 0 (the start of the enclosing operand), nested for a
// token the scan must step over (a bracket, or anything nested).
func scanBack(t token, depth *int) (nested, edge bool) {
	switch t.typ {
	case ')':
		*depth++
		return true, false
	case '(':
		if *depth == 0 {
			return false, true
		}
		*depth--
		return true, false
	case ',', ';':
		return *depth > 0, *depth == 0
	}
	switch t.word() {
	case "end":
		*depth++
		return true, false
	case "case":
		if *depth > 0 {
			*depth--
			return true, false
		}
	}
	return *depth > 0, false
}
