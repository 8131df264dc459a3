package sqlfront

import (
	"fmt"
	"io"

	"github.com/xwb1989/sqlparser"
)

// Compound queries with EXCEPT and INTERSECT (MySQL 8.0.31), which the
// pinned sqlparser does not know: compoundQuery splits a query at its
// top-level set operators (UNION, EXCEPT, INTERSECT, each optionally ALL
// or DISTINCT), parses every operand on its own and folds them into
// sqlparser.Union nodes whose Type names the operator (the Type field is
// free text; planUnion reads it). As in MySQL, INTERSECT binds tighter
// than UNION and EXCEPT, which associate left to right: a UNION b
// INTERSECT c is a UNION (b INTERSECT c). An ORDER BY or LIMIT after the
// last operand applies to the whole result.
//
// A set operation may stand anywhere a query in parentheses may: a
// subquery (IN, EXISTS, scalar, row), a derived table, an operand of
// another set operation, the query of INSERT ... SELECT.
// parseNestedSetOps parses each such query with compoundQuery and puts a
// marker SELECT in its place, (SELECT /*bxdb:setop n*/ 1), which sqlparser
// parses as any subquery; the marker is then replaced in the AST by the
// query it stands for. An operand that holds set operations in
// parentheses itself goes through parseDML, which does the same, so they
// nest to any depth.

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
		if isSetOpWord(t) {
			return true
		}
	}
	return false
}

// countSetOpWords returns the number of words EXCEPT and INTERSECT in
// toks.
func countSetOpWords(toks []token) int {
	n := 0
	for _, t := range toks {
		if isSetOpWord(t) {
			n++
		}
	}
	return n
}

// isSetOpWord reports whether t is the word EXCEPT or INTERSECT.
func isSetOpWord(t token) bool {
	return !t.quoted && (t.word() == "except" || t.word() == "intersect")
}

// hasTopSetOp reports whether toks hold EXCEPT or INTERSECT outside any
// parentheses.
func hasTopSetOp(toks []token) bool {
	depth := 0
	for _, t := range toks {
		switch {
		case t.typ == '(':
			depth++
		case t.typ == ')':
			depth--
		case depth == 0 && isSetOpWord(t):
			return true
		}
	}
	return false
}

// parseSetOps parses a DML statement that holds EXCEPT or INTERSECT
// (hasExceptIntersect; see above). ok is false when it has none where a
// query may stand, so that the statement goes to sqlparser as it is.
func parseSetOps(sql, clean string, toks []token) (st Statement, ok bool, err error) {
	p := &parser{src: sql, clean: clean, toks: toks}
	end := len(toks) - 1 // the EOF token
	if end > 0 && toks[end-1].typ == ';' {
		end--
	}
	if hasTopSetOp(toks) {
		switch w := toks[0].word(); {
		case w == "select" || toks[0].typ == '(':
			ast, err := compoundQuery(p, 0, end)
			if err != nil {
				return nil, true, err
			}
			return &DMLStmt{AST: ast}, true, nil
		case w == "insert" || w == "replace":
			// INSERT ... SELECT a EXCEPT SELECT b [ON DUPLICATE KEY
			// UPDATE ...]: the query is a set operation.
			if g, ok := insertQuery(toks, end); ok {
				st, err := parseNestedSetOps(p, []setOpGroup{g})
				return st, true, err
			}
		}
		return nil, false, nil
	}
	if groups := setOpGroups(toks); len(groups) > 0 {
		st, err := parseNestedSetOps(p, groups)
		return st, true, err
	}
	return nil, false, nil
}

// setOpGroup is a query with set operators in a statement: its tokens
// [from, to), and the tokens [rfrom, rto) its marker SELECT replaces (its
// parentheses included).
type setOpGroup struct{ from, to, rfrom, rto int }

// setOpGroups returns the queries in parentheses that hold EXCEPT or
// INTERSECT outside any inner parentheses, outermost ones only, in order.
func setOpGroups(toks []token) []setOpGroup {
	var open []int          // the unclosed '(' tokens
	holds := map[int]bool{} // '(' tokens whose group holds a set operator
	var groups []setOpGroup
	for k, t := range toks {
		switch {
		case t.typ == '(':
			open = append(open, k)
		case t.typ == ')':
			if len(open) == 0 {
				continue
			}
			o := open[len(open)-1]
			open = open[:len(open)-1]
			if holds[o] {
				for len(groups) > 0 && groups[len(groups)-1].rfrom > o {
					groups = groups[:len(groups)-1] // inside this one
				}
				groups = append(groups, setOpGroup{from: o + 1, to: k, rfrom: o, rto: k + 1})
			}
		case len(open) > 0 && isSetOpWord(t):
			holds[open[len(open)-1]] = true
		}
	}
	return groups
}

// insertQuery returns the query of INSERT ... SELECT in toks[:end]: from
// its first SELECT (or the parenthesis before it) outside parentheses to
// ON DUPLICATE KEY UPDATE or the end. ok is false when a set operator
// comes before it.
func insertQuery(toks []token, end int) (g setOpGroup, ok bool) {
	depth, from := 0, -1
	for k := 0; k < end; k++ {
		t := toks[k]
		switch {
		case depth == 0 && from < 0 && isSetOpWord(t):
			return setOpGroup{}, false
		case t.typ == '(':
			if depth == 0 && from < 0 && (toks[k+1].word() == "select" || toks[k+1].typ == '(') {
				from = k
			}
			depth++
		case t.typ == ')':
			depth--
		case depth == 0 && from < 0 && t.word() == "select":
			from = k
		case depth == 0 && from >= 0 && t.word() == "on" && toks[k+1].word() == "duplicate":
			return setOpGroup{from: from, to: k, rfrom: from, rto: k}, true
		}
	}
	return setOpGroup{from: from, to: end, rfrom: from, rto: end}, from >= 0
}

// setOpMark is the marker comment of the n-th query parseNestedSetOps
// takes out of a statement.
func setOpMark(n int) string { return fmt.Sprintf("/*bxdb:setop %d*/", n) }

// parseNestedSetOps parses the statement of p with the queries of groups
// each replaced by a marker SELECT, and puts the queries in their places
// in the AST (see above).
func parseNestedSetOps(p *parser, groups []setOpGroup) (Statement, error) {
	toks := p.toks
	queries := make([]sqlparser.SelectStatement, len(groups))
	w := &rewriter{p: p}
	for n, g := range groups {
		q, err := compoundQuery(p, g.from, g.to)
		if err != nil {
			return nil, err
		}
		queries[n] = q
		w.copyTo(g.rfrom)
		w.replace(g.rto, "(select "+setOpMark(n)+" 1)")
	}
	w.copyTo(len(toks))
	if ntoks, _, err := lexAll(w.b.String()); err == nil && countSetOpWords(ntoks) >= countSetOpWords(toks) {
		// No progress (parseDML would come back here for ever).
		return nil, newParseError(p.src, toks[groups[0].from].pos, "EXCEPT and INTERSECT are not supported here")
	}
	st, err := w.parse(nil)
	if err != nil {
		return nil, err
	}
	marks := map[string]int{}
	for n := range groups {
		marks[setOpMark(n)] = n
	}
	resolve := func(ss sqlparser.SelectStatement) sqlparser.SelectStatement {
		sel, ok := ss.(*sqlparser.Select)
		if !ok || len(sel.Comments) != 1 {
			return ss
		}
		n, ok := marks[string(sel.Comments[0])]
		if !ok {
			return ss
		}
		delete(marks, string(sel.Comments[0]))
		return queries[n]
	}
	d, ok := st.(*DMLStmt)
	if !ok {
		return nil, newParseError(p.src, toks[0].pos, "unsupported statement")
	}
	if ss, ok := d.AST.(sqlparser.SelectStatement); ok {
		d.AST = resolve(ss)
	}
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		switch x := node.(type) {
		case *sqlparser.Subquery:
			x.Select = resolve(x.Select)
		case *sqlparser.ParenSelect:
			x.Select = resolve(x.Select)
		case *sqlparser.Union:
			x.Left, x.Right = resolve(x.Left), resolve(x.Right)
		case *sqlparser.Insert:
			if q, ok := x.Rows.(sqlparser.SelectStatement); ok {
				x.Rows = resolve(q)
			}
		}
		return true, nil
	}, d.AST)
	for n, g := range groups {
		if _, left := marks[setOpMark(n)]; left {
			return nil, newParseError(p.src, toks[g.from].pos, "EXCEPT and INTERSECT are not supported here")
		}
	}
	return d, nil
}

// compoundQuery parses tokens [from, end) of p as a query with set
// operators (or none). An operand in parentheses is parsed the same way;
// any other operand goes to parseCompoundPart whole.
func compoundQuery(p *parser, from, end int) (sqlparser.SelectStatement, error) {
	toks := p.toks
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
				text, _ := p.exprSQL(k, last.to)
				ast, err := parseCompoundPart("select 1 from dual " + text)
				if err != nil {
					return nil, newParseError(p.src, t.pos, "in the ORDER BY or LIMIT of a compound query: "+err.Error())
				}
				tail, _ = ast.(*sqlparser.Select)
				last.to = k
			}
			if tail != nil {
				break
			}
		}
	}
	sels := make([]sqlparser.SelectStatement, len(ops))
	for i, o := range ops {
		if o.from >= o.to {
			return nil, newParseError(p.src, toks[min(o.from, end)].pos, "a query expected")
		}
		if inner, ok := parenthesized(toks, o.from, o.to); ok {
			q, err := compoundQuery(p, o.from+1, inner)
			if err != nil {
				return nil, err
			}
			sels[i] = &sqlparser.ParenSelect{Select: q}
			continue
		}
		text, _ := p.exprSQL(o.from, o.to)
		ast, err := parseCompoundPart(text)
		if err != nil {
			return nil, newParseError(p.src, toks[o.from].pos, "in an operand of "+o.op+": "+err.Error())
		}
		var ok bool
		if sels[i], ok = ast.(sqlparser.SelectStatement); !ok {
			return nil, newParseError(p.src, toks[o.from].pos, "a query expected")
		}
	}
	// INTERSECT first, then UNION and EXCEPT, each left to right.
	var terms []sqlparser.SelectStatement
	var termOps []string
	for i, o := range ops {
		switch {
		case i == 0:
			terms = append(terms, sels[i])
		case o.op == intersectStr || o.op == intersectAllStr:
			terms[len(terms)-1] = &sqlparser.Union{Type: o.op, Left: terms[len(terms)-1], Right: sels[i]}
		default:
			terms = append(terms, sels[i])
			termOps = append(termOps, o.op)
		}
	}
	acc := terms[0]
	for i, op := range termOps {
		acc = &sqlparser.Union{Type: op, Left: acc, Right: terms[i+1]}
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
// rewriteForms (CAST AS DOUBLE, XOR, ...); one that holds set operations
// in parentheses goes through parseDML (see above).
func parseCompoundPart(text string) (sqlparser.Statement, error) {
	toks, clean, err := lexAll(text)
	if err != nil {
		return nil, err
	}
	if hasExceptIntersect(toks) {
		st, err := parseDML(text, clean, toks)
		if err != nil {
			return nil, err
		}
		d, ok := st.(*DMLStmt)
		if !ok || d.Into != nil {
			return nil, newParseError(text, 0, "a query expected")
		}
		return d.AST, nil
	}
	return sqlparserParse(text, clean, toks)
}
