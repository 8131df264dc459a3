package sqlfront

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Common table expressions, which sqlparser does not know:
//
//	WITH name [(col, ...)] AS (query) [, name2 ...] {SELECT | UPDATE | DELETE} ...
//
// where query is a SELECT (or UNION) or a table value constructor
// VALUES ROW(expr, ...), ... (MySQL 8.0.19; the columns are named
// column_0, column_1, ... unless listed). A CTE is not materialized: each
// reference to it in a FROM clause becomes a derived table, (query) AS
// name, so the statement runs as if written with derived tables. A CTE
// may refer to the ones before it.
//
// WITH RECURSIVE: a CTE whose query names itself must be
// anchor UNION [ALL | DISTINCT] recursive, where the anchor (one or more
// SELECTs joined by UNION) does not name it and the recursive part does.
// Its references become a derived table over a union of the two whose
// Type marks it recursive and names the CTE (recursiveType); planUnion
// runs it to a fixpoint (plan_recursive.go).

// WITH may also start a query in parentheses: a derived table, a scalar,
// IN or EXISTS subquery, an operand of a set operation. Its CTEs are seen
// in that query only, and hide tables and CTEs further out of the same
// name; their queries may refer to CTEs further out. parseNestedWiths
// parses each such WITH clause as parseWith does and replaces it with a
// marker comment on the SELECT after it, where sqlparser keeps it (the
// Select's Comments); the CTEs then go into the query whose first SELECT
// carries the marker, innermost query first.

// cteDef is one parsed common table expression.
type cteDef struct {
	name  string
	cols  []string
	query func() (sqlparser.SelectStatement, error) // a fresh AST per reference
}

// parseWith parses a statement that starts with WITH.
func parseWith(sql, clean string, toks []token) (Statement, error) {
	return parseWithDML(sql, clean, toks, false)
}

// parseWithInsert parses WITH ctes INSERT|REPLACE ... SELECT ..., the
// form parse gives INSERT ... WITH ctes SELECT ....
func parseWithInsert(sql, clean string, toks []token) (Statement, error) {
	return parseWithDML(sql, clean, toks, true)
}

// parseWithDML parses a statement that starts with WITH; insert lets an
// INSERT or REPLACE follow the common table expressions.
func parseWithDML(sql, clean string, toks []token, insert bool) (Statement, error) {
	p := &parser{src: sql, clean: clean, toks: toks}
	ctes, err := p.withClause()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); !startsDML(t) || t.word() == "with" || (t.word() == "insert" || t.word() == "replace") != insert {
		return nil, p.errExpected("SELECT, UPDATE or DELETE")
	}
	last := len(p.toks) - 1
	if last > p.i && p.toks[last-1].typ == ';' {
		last--
	}
	st, err := p.subDML(p.i, last, ctes, nil)
	if err != nil {
		return nil, err
	}
	return &DMLStmt{AST: st}, nil
}

// withClause parses WITH [RECURSIVE] name [(col, ...)] AS (query), ...
// from the current token, WITH, to the token after it.
func (p *parser) withClause() ([]*cteDef, error) {
	p.advance() // WITH
	recursive := p.acceptWord("recursive")
	var ctes []*cteDef
	for {
		d := &cteDef{}
		var err error
		if d.name, err = p.ident("a common table expression name"); err != nil {
			return nil, err
		}
		if p.peek().typ == '(' {
			if d.cols, err = p.columnList(); err != nil {
				return nil, err
			}
		}
		if err := p.expectWord("as"); err != nil {
			return nil, err
		}
		if err := p.expectChar('('); err != nil {
			return nil, err
		}
		from := p.i
		end, err := p.matchParen(from)
		if err != nil {
			return nil, err
		}
		if from == end {
			return nil, p.errExpected("a query")
		}
		prev := append([]*cteDef(nil), ctes...)
		if p.toks[from].word() == "values" {
			rows, err := p.valuesRows(from+1, end)
			if err != nil {
				return nil, err
			}
			d.query = func() (sqlparser.SelectStatement, error) { return p.valuesSelect(from, rows, d.cols) }
		} else if recursive && p.namesTable(from, end, d.name) {
			if _, err := p.recursiveCTE(from, end, prev, d); err != nil {
				return nil, err
			}
			d.query = func() (sqlparser.SelectStatement, error) { return p.recursiveCTE(from, end, prev, d) }
		} else {
			if _, err := p.subDML(from, end, prev, d.cols); err != nil {
				return nil, err
			}
			d.query = func() (sqlparser.SelectStatement, error) {
				st, err := p.subDML(from, end, prev, d.cols)
				if err != nil {
					return nil, err
				}
				return st.(sqlparser.SelectStatement), nil
			}
		}
		ctes = append(ctes, d)
		p.i = end + 1
		if !p.acceptChar(',') {
			return ctes, nil
		}
	}
}

// hasNestedWith reports whether toks hold a WITH that starts a query in
// parentheses.
func hasNestedWith(toks []token) bool {
	for k := 1; k < len(toks); k++ {
		if toks[k-1].typ == '(' && toks[k].word() == "with" {
			return true
		}
	}
	return false
}

// withMark is the marker comment of the n-th WITH clause parseNestedWiths
// takes out of a statement.
func withMark(n int) string { return fmt.Sprintf("/*bxdb:with %d*/", n) }

// parseNestedWiths parses a statement in which WITH starts queries in
// parentheses (hasNestedWith; see above).
func parseNestedWiths(sql, clean string, toks []token) (Statement, error) {
	p := &parser{src: sql, clean: clean, toks: toks}
	w := &rewriter{p: p}
	var clauses [][]*cteDef
	var at []int // index of each clause's WITH
	for k := 1; k < len(toks); k++ {
		if toks[k-1].typ != '(' || toks[k].word() != "with" {
			continue
		}
		w.copyTo(k)
		p.i = k
		ctes, err := p.withClause()
		if err != nil {
			return nil, err
		}
		if !p.isWord("select") {
			return nil, p.errExpected("SELECT")
		}
		w.replace(p.i+1, "select "+withMark(len(clauses)))
		clauses = append(clauses, ctes)
		at = append(at, k)
		k = p.i
	}
	st, err := w.parse(nil)
	if err != nil {
		return nil, err
	}
	marks := map[string]int{}
	for n := range clauses {
		marks[withMark(n)] = n
	}
	// The queries in parentheses (INSERT INTO t (query) keeps no
	// ParenSelect), innermost (last in preorder) first.
	var queries []sqlparser.SelectStatement
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		switch x := node.(type) {
		case *sqlparser.Subquery:
			queries = append(queries, x.Select)
		case *sqlparser.ParenSelect:
			queries = append(queries, x.Select)
		case *sqlparser.Insert:
			if q, ok := x.Rows.(sqlparser.SelectStatement); ok {
				queries = append(queries, q)
			}
		}
		return true, nil
	}, st.(*DMLStmt).AST)
	for i := len(queries) - 1; i >= 0; i-- {
		first := firstSelect(queries[i])
		if first == nil {
			continue
		}
		for j, c := range first.Comments {
			n, ok := marks[string(c)]
			if !ok {
				continue
			}
			first.Comments = slices.Delete(first.Comments, j, j+1)
			if err := substituteCTEs(queries[i], clauses[n]); err != nil {
				return nil, err
			}
			delete(marks, string(c))
			break
		}
	}
	for n := range clauses {
		if _, left := marks[withMark(n)]; left {
			return nil, newParseError(sql, toks[at[n]].pos, "WITH is not supported here")
		}
	}
	return st, nil
}

// firstSelect returns the first SELECT of a query (nil if it has none).
func firstSelect(ss sqlparser.SelectStatement) *sqlparser.Select {
	for {
		switch s := ss.(type) {
		case *sqlparser.Union:
			ss = s.Left
		case *sqlparser.ParenSelect:
			ss = s.Select
		default:
			sel, _ := s.(*sqlparser.Select)
			return sel
		}
	}
}

// matchParen returns the index of the ')' closing the '(' just before
// toks[from].
func (p *parser) matchParen(from int) (int, error) {
	depth := 1
	for k := from; k < len(p.toks); k++ {
		switch p.toks[k].typ {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return k, nil
			}
		case 0:
			p.i = k
			return 0, p.errExpected("')'")
		}
	}
	return 0, p.errExpected("')'")
}

// valuesRows parses ROW(expr, ...), ... in tokens [from, to) into the
// token ranges of each row's expressions.
func (p *parser) valuesRows(from, to int) ([][][2]int, error) {
	var rows [][][2]int
	k := from
	for {
		p.i = k
		p.acceptWord("row")
		if err := p.expectChar('('); err != nil {
			return nil, err
		}
		end, err := p.matchParen(p.i)
		if err != nil {
			return nil, err
		}
		var row [][2]int
		start, depth := p.i, 0
		for j := p.i; j <= end; j++ {
			switch t := p.toks[j].typ; {
			case t == '(':
				depth++
			case t == ')' && j < end:
				depth--
			case t == ',' && depth == 0, j == end:
				if start == j {
					p.i = j
					return nil, p.errExpected("an expression")
				}
				row = append(row, [2]int{start, j})
				start = j + 1
			}
		}
		if len(rows) > 0 && len(row) != len(rows[0]) {
			return nil, p.errAt(p.toks[k], "column count doesn't match value count at row %d", len(rows)+1)
		}
		rows = append(rows, row)
		k = end + 1
		if k >= to {
			break
		}
		if p.toks[k].typ != ',' {
			p.i = k
			return nil, p.errExpected("',' or ')'")
		}
		k++
	}
	return rows, nil
}

// valuesSelect builds SELECT e1 AS c1, ... UNION ALL SELECT ... for the
// rows of a VALUES constructor.
func (p *parser) valuesSelect(at int, rows [][][2]int, cols []string) (sqlparser.SelectStatement, error) {
	if len(cols) > 0 && len(cols) != len(rows[0]) {
		return nil, p.errCTEColumns(at)
	}
	var out sqlparser.SelectStatement
	for _, row := range rows {
		sel := &sqlparser.Select{}
		for i, r := range row {
			e, err := p.parseExpr(r[0], r[1])
			if err != nil {
				return nil, err
			}
			name := "column_" + strconv.Itoa(i)
			if len(cols) > 0 {
				name = cols[i]
			}
			sel.SelectExprs = append(sel.SelectExprs, &sqlparser.AliasedExpr{Expr: e, As: sqlparser.NewColIdent(name)})
		}
		if out == nil {
			out = sel
		} else {
			out = &sqlparser.Union{Type: sqlparser.UnionAllStr, Left: out, Right: sel}
		}
	}
	return out, nil
}

// errCTEColumns reports a column list of the wrong length (MySQL's error
// 1353) at the query that starts at toks[at].
func (p *parser) errCTEColumns(at int) error {
	return p.errAt(p.toks[at], "the SELECT list and the column names list of the common table expression have different column counts")
}

// subDML parses tokens [from, to) as a DML statement (placeholders keep
// their statement-wide numbers), replaces references to ctes by derived
// tables and, if cols is given, renames the result columns.
func (p *parser) subDML(from, to int, ctes []*cteDef, cols []string) (sqlparser.Statement, error) {
	text, _ := p.exprSQL(from, to)
	toks, clean, err := lexAll(text)
	var st Statement
	if err == nil {
		st, err = parseDML(text, clean, toks)
	}
	var pe *ParseError
	if errors.As(err, &pe) {
		return nil, p.errAt(p.toks[from], "%s", pe.Msg)
	}
	if err != nil {
		return nil, err
	}
	ast := st.(*DMLStmt).AST
	if len(cols) > 0 {
		ss, ok := ast.(sqlparser.SelectStatement)
		if !ok {
			return nil, p.errAt(p.toks[from], "expected a query")
		}
		if !renameColumns(ss, cols) {
			return nil, p.errCTEColumns(from)
		}
	}
	if err := substituteCTEs(ast, ctes); err != nil {
		return nil, err
	}
	return ast, nil
}

// renameColumns gives the result columns of ss the names cols; it
// reports false if their numbers differ (or ss selects *).
func renameColumns(ss sqlparser.SelectStatement, cols []string) bool {
	for {
		switch s := ss.(type) {
		case *sqlparser.ParenSelect:
			ss = s.Select
			continue
		case *sqlparser.Union:
			ss = s.Left
			continue
		case *sqlparser.Select:
			if len(s.SelectExprs) != len(cols) {
				return false
			}
			for i, se := range s.SelectExprs {
				ae, ok := se.(*sqlparser.AliasedExpr)
				if !ok {
					return false
				}
				ae.As = sqlparser.NewColIdent(cols[i])
			}
		}
		return true
	}
}

// substituteCTEs replaces every table reference in ast to one of ctes by
// the CTE's query as a derived table.
func substituteCTEs(ast sqlparser.SQLNode, ctes []*cteDef) error {
	if len(ctes) == 0 {
		return nil
	}
	var ferr error
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		ate, ok := node.(*sqlparser.AliasedTableExpr)
		if !ok || ferr != nil {
			return ferr == nil, nil
		}
		tn, ok := ate.Expr.(sqlparser.TableName)
		if !ok || !tn.Qualifier.IsEmpty() {
			return true, nil
		}
		for i := len(ctes) - 1; i >= 0; i-- {
			d := ctes[i]
			if tn.Name.String() != d.name {
				continue
			}
			q, err := d.query()
			if err != nil {
				ferr = err
				return false, nil
			}
			ate.Expr = &sqlparser.Subquery{Select: q}
			if ate.As.IsEmpty() {
				ate.As = sqlparser.NewTableIdent(d.name)
			}
			return false, nil
		}
		return true, nil
	}, ast)
	return ferr
}

// namesTable reports whether tokens [from, to) name the table name (a word
// after FROM, JOIN or a comma of a FROM list is enough: the parse that
// follows decides).
func (p *parser) namesTable(from, to int, name string) bool {
	for k := from + 1; k < to; k++ {
		t := p.toks[k]
		if t.word() != strings.ToLower(name) && !(t.quoted && t.val == name) {
			continue
		}
		switch prev := p.toks[k-1]; {
		case prev.word() == "from", prev.word() == "join", prev.typ == ',':
			return true
		}
	}
	return false
}

// recursiveType is the Type of the union that stands for a recursive CTE:
// the union's own type, a NUL and the CTE's name.
func recursiveType(unionType, name string) string {
	return "recursive " + unionType + "\x00" + name
}

// recursiveCTE parses the query of recursive CTE d, tokens [from, to), into
// the union that stands for it (see recursiveType).
func (p *parser) recursiveCTE(from, to int, prev []*cteDef, d *cteDef) (sqlparser.SelectStatement, error) {
	// The anchor ends at the first top-level UNION whose next operand
	// names the CTE.
	depth, split, skip := 0, -1, 0
	utype := sqlparser.UnionDistinctStr
	for k := from; k < to && split < 0; k++ {
		switch t := p.toks[k]; {
		case t.typ == '(':
			depth++
		case t.typ == ')':
			depth--
		case depth == 0 && t.word() == "union":
			// The next operand runs to the next top-level UNION.
			j, d2 := k+1, 0
			for ; j < to; j++ {
				if tt := p.toks[j]; tt.typ == '(' {
					d2++
				} else if tt.typ == ')' {
					d2--
				} else if d2 == 0 && tt.word() == "union" {
					break
				}
			}
			if p.namesTable(k, j, d.name) {
				split, skip = k, 1
				switch p.toks[k+1].word() {
				case "all":
					utype, skip = sqlparser.UnionAllStr, 2
				case "distinct":
					skip = 2
				}
			}
		}
	}
	if split < 0 || p.namesTable(from, split, d.name) {
		return nil, p.errAt(p.toks[from], "recursive common table expression '%s' must be an anchor SELECT, UNION, and SELECTs that refer to it", d.name)
	}
	anchor, err := p.subDML(from, split, prev, d.cols)
	if err != nil {
		return nil, err
	}
	rec, err := p.subDML(split+skip, to, prev, nil)
	if err != nil {
		return nil, err
	}
	a, ok1 := anchor.(sqlparser.SelectStatement)
	r, ok2 := rec.(sqlparser.SelectStatement)
	if !ok1 || !ok2 {
		return nil, p.errAt(p.toks[from], "expected a query")
	}
	return &sqlparser.Union{Type: recursiveType(utype, d.name), Left: a, Right: r}, nil
}

// parseRewrite parses text, a rewrite of the statement sql (tokens toks)
// in which toks[i] starts at offs[i] (the rewrites of WITH, EXCEPT and
// INTERSECT in parentheses, JSON_TABLE, TABLE and VALUES). A syntax error
// in text is reported at the token of sql it falls in, the last one when
// it is at the end; place, if not nil, may name another token instead
// (the construct whose replacement holds it).
func parseRewrite(sql string, toks []token, text string, offs []int, place func(int) int) (Statement, error) {
	ntoks, nclean, err := lexAll(text)
	var st Statement
	if err == nil {
		st, err = parseDML(text, nclean, ntoks)
	}
	var pe *ParseError
	if errors.As(err, &pe) {
		at := len(toks) - 1
		if pe.Pos < len(text) {
			at, _ = slices.BinarySearch(offs, pe.Pos+1)
			at = min(max(at-1, 0), len(toks)-1)
		}
		if place != nil {
			at = place(at)
		}
		return nil, newParseError(sql, toks[at].pos, pe.Msg)
	}
	return st, err
}
