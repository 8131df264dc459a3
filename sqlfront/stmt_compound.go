package sqlfront

import (
	"io"

	"github.com/xwb1989/sqlparser"
)

// Compound queries with EXCEPT and INTERSECT (MySQL 8.0.31), which the
// pinned sqlparser does not know: parseCompound splits the statement at
// its top-level set operators (UNION, EXCEPT, INTERSECT, each optionally
// ALL or DISTINCT), parses every operand with sqlparser and folds them
// into sqlparser.Union nodes whose Type names the operator (the Type
// field is free text; planUnion reads it). The operators associate left to
// right with equal precedence, as in SQLite (whose answers the
// sqllogictest corpus records); MySQL binds INTERSECT tighter, so a query
// mixing INTERSECT with other operators should parenthesize. An ORDER BY
// or LIMIT after the last operand applies to the whole result.

// Set operator types beyond sqlparser's UNION ones.
const (
	exceptStr       = "except"
	exceptAllStr    = "except all"
	intersectStr    = "intersect"
	intersectAllStr = "intersect all"
)

// hasExceptIntersect reports whether toks hold the word EXCEPT or
// INTERSECT.
func hasExceptIntersect(toks []token) bool {
	for _, t := range toks {
		if !t.quoted && (t.word() == "except" || t.word() == "intersect") {
			return true
		}
	}
	return false
}

// parseCompound parses a query with EXCEPT or INTERSECT (see above). clean
// is the statement text with version comments blanked and toks its tokens.
func parseCompound(sql, clean string, toks []token) (Statement, error) {
	end := len(toks) - 1 // the EOF token
	if end > 0 && toks[end-1].typ == ';' {
		end--
	}
	ast, err := compoundQuery(sql, clean, toks, 0, end)
	if err != nil {
		return nil, err
	}
	return &DMLStmt{AST: ast}, nil
}

// compoundQuery parses toks[from:end] as a compound query. An operand in
// parentheses that holds set operators itself is parsed the same way; any
// other operand goes to sqlparser whole (so EXCEPT or INTERSECT inside a
// subquery remain a syntax error).
func compoundQuery(sql, clean string, toks []token, from, end int) (sqlparser.SelectStatement, error) {
	type operand struct {
		op       string // the operator before it ("" for the first)
		from, to int    // its tokens
	}
	var ops []operand
	depth, start, op := 0, from, ""
	for k := from; k < end; k++ {
		t := toks[k]
		switch {
		case t.typ == '(':
			depth++
			continue
		case t.typ == ')':
			depth--
			continue
		case depth != 0 || t.quoted:
			continue
		}
		w := t.word()
		if w != "union" && w != "except" && w != "intersect" {
			continue
		}
		ops = append(ops, operand{op: op, from: start, to: k})
		op, start = w, k+1
		switch toks[k+1].word() {
		case "all":
			op += " all"
			start++
		case "distinct":
			start++
		}
		k = start - 1
	}
	ops = append(ops, operand{op: op, from: start, to: end})
	// ORDER BY and LIMIT after the last operand order and limit the whole:
	// they are parsed apart, as the tail of a trivial SELECT.
	var tail *sqlparser.Select
	if last := &ops[len(ops)-1]; len(ops) > 1 {
		depth := 0
		for k := last.from; k < last.to; k++ {
			t := toks[k]
			switch {
			case t.typ == '(':
				depth++
			case t.typ == ')':
				depth--
			case depth == 0 && !t.quoted && (t.word() == "order" && toks[k+1].word() == "by" || t.word() == "limit"):
				text := "select 1 from dual " + clean[t.pos:toks[last.to-1].end]
				ast, err := parseCompoundPart(text)
				if err != nil {
					return nil, newParseError(sql, t.pos, "in the ORDER BY or LIMIT of a compound query: "+err.Error())
				}
				tail, _ = ast.(*sqlparser.Select)
				last.to = k
			}
			if tail != nil {
				break
			}
		}
	}
	var acc sqlparser.SelectStatement
	for i, o := range ops {
		if o.from >= o.to {
			return nil, newParseError(sql, toks[min(o.from, end)].pos, "a query expected")
		}
		var sel sqlparser.SelectStatement
		if inner, ok := parenthesized(toks, o.from, o.to); ok {
			q, err := compoundQuery(sql, clean, toks, o.from+1, inner)
			if err != nil {
				return nil, err
			}
			sel = &sqlparser.ParenSelect{Select: q}
		} else {
			text := clean[toks[o.from].pos:toks[o.to-1].end]
			ast, err := parseCompoundPart(text)
			if err != nil {
				return nil, newParseError(sql, toks[o.from].pos, "in an operand of "+o.op+": "+err.Error())
			}
			var ok bool
			if sel, ok = ast.(sqlparser.SelectStatement); !ok {
				return nil, newParseError(sql, toks[o.from].pos, "a query expected")
			}
		}
		if i == 0 {
			acc = sel
			continue
		}
		acc = &sqlparser.Union{Type: o.op, Left: acc, Right: sel}
	}
	if u, ok := acc.(*sqlparser.Union); ok && tail != nil {
		u.OrderBy, u.Limit = tail.OrderBy, tail.Limit
	}
	return acc, nil
}

// parenthesized reports whether toks[from:to] is one parenthesized group,
// and the index of its closing parenthesis.
func parenthesized(toks []token, from, to int) (int, bool) {
	if toks[from].typ != '(' || toks[to-1].typ != ')' {
		return 0, false
	}
	k := closingParen(toks, from)
	return k, k == to-1
}

// closingParen returns the index of the ')' that closes the '(' at
// toks[open], or -1.
func closingParen(toks []token, open int) int {
	depth := 0
	for k := open; k < len(toks); k++ {
		switch toks[k].typ {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return k
			}
		}
	}
	return -1
}

// setOpIter computes left EXCEPT / INTERSECT [ALL] right over the first
// width values of each row (NULLs equal, values compared as DISTINCT
// compares them). The right side is read into memory first, within the
// sort memory budget.
type setOpIter struct {
	sc          *stmtCtx
	op          string
	left, right rowIter
	width       int
	json        []bool // JSON columns, compared by their sort keys (json_order.go); nil when none
	budget      int64
	counts      map[string]int // right rows by key; -1: already returned (distinct forms)
	key         []byte
}

func (s *setOpIter) Next() ([]Value, error) {
	if s.counts == nil {
		if err := s.loadRight(); err != nil {
			return nil, err
		}
	}
	for {
		r, err := s.left.Next()
		if err != nil {
			return nil, err
		}
		s.key = s.appendKey(s.key[:0], r)
		n := s.counts[string(s.key)]
		switch s.op {
		case intersectStr:
			if n > 0 {
				s.counts[string(s.key)] = -1
				return r, nil
			}
		case intersectAllStr:
			if n > 0 {
				s.counts[string(s.key)] = n - 1
				return r, nil
			}
		case exceptStr:
			if n == 0 {
				s.counts[string(s.key)] = -1
				return r, nil
			}
		case exceptAllStr:
			if n > 0 {
				s.counts[string(s.key)] = n - 1
				continue
			}
			return r, nil
		}
	}
}

// appendKey appends the key of row r to b.
func (s *setOpIter) appendKey(b []byte, r []Value) []byte {
	for i, v := range r[:s.width] {
		if s.json != nil && s.json[i] {
			v = jsonSortKey(v)
		}
		b = AppendGroupKey(b, v)
	}
	return b
}

// loadRight counts the rows of the right side by key.
func (s *setOpIter) loadRight() error {
	s.counts = map[string]int{}
	var used int64
	for {
		r, err := s.right.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		b := s.appendKey(nil, r)
		if s.counts[string(b)] == 0 {
			used += int64(len(b)) + 48
			if used > 4*s.budget {
				return engErr(ErOutOfSortMemory, "Out of sort memory: %s operand exceeds %d bytes", s.op, 4*s.budget)
			}
		}
		s.counts[string(b)]++
	}
}

func (s *setOpIter) Close() {
	s.left.Close()
	s.right.Close()
}

// parseCompoundPart parses one part of a compound query (an operand, or
// the trailing ORDER BY / LIMIT under a dummy SELECT) with the forms of
// rewriteForms (CAST AS DOUBLE, XOR, ...).
func parseCompoundPart(text string) (sqlparser.Statement, error) {
	toks, clean, err := lexAll(text)
	if err != nil {
		return nil, err
	}
	return sqlparserParse(text, clean, toks)
}
