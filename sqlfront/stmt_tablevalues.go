package sqlfront

import (
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// The TABLE and VALUES statements (MySQL 8.0.19), which sqlparser does
// not know:
//
//	TABLE t [ORDER BY ...] [LIMIT n [OFFSET m]]
//	VALUES ROW(expr, ...) [, ROW(expr, ...)]... [ORDER BY ...] [LIMIT ...]
//
// Each stands wherever a query may start: as a statement, in parentheses
// (a subquery, a derived table, a common table expression), as an operand
// of UNION, EXCEPT or INTERSECT, as the query of INSERT ... TABLE t, of
// CREATE TABLE ... AS and of CREATE VIEW. parseDML rewrites them, before
// anything else, into the SELECTs they are:
//
//	TABLE t                       → SELECT * FROM t
//	VALUES ROW(1, 'a'), ROW(2, 'b')
//	        → SELECT 1 AS column_0, 'a' AS column_1 UNION ALL SELECT 2, 'b'
//
// so the columns are named column_0, column_1, ... as in MySQL and take
// the types a UNION gives them. An ORDER BY or LIMIT after the rows
// applies to them all, as it does after a UNION. Next to a set operator
// the rows become a derived table, SELECT column_0, ... FROM (...) AS
// bxdb_values, so that their UNION ALL does not associate with the
// operators around it. A
// constructor that is the whole of a derived table with a column list,
// (VALUES ...) [AS] v (x, y), is the only derived table that may have
// one: its columns take those names.
//
// INSERT ... VALUES ROW(...), ROW(...) is INSERT ... VALUES (...), (...):
// the ROW words go.
//
// The rewritten statement is parsed again (an inner TABLE or VALUES, in a
// value of a row, is rewritten then); `?` markers keep their numbers and
// an error is reported at the token of the statement as written that it
// names.

// valuesAlias names the derived table a VALUES constructor becomes next to
// a set operator or under a column list.
const valuesAlias = "bxdb_values"

// queryMayStart reports whether a query may start at toks[k] of a DML
// statement: at its start, after '(' or after a set operator.
func queryMayStart(toks []token, k int) bool {
	if k == 0 || toks[k-1].typ == '(' {
		return true
	}
	isSetOp := func(t token) bool {
		w := t.word()
		return w == "union" || w == "except" || w == "intersect"
	}
	switch toks[k-1].word() {
	case "union", "except", "intersect":
		return true
	case "all", "distinct":
		return k >= 2 && isSetOp(toks[k-2])
	}
	return false
}

// nextToSetOp reports whether the query in toks[from:to] is an operand of
// a set operator.
func nextToSetOp(toks []token, from, to int) bool {
	w := toks[to].word()
	if w == "union" || w == "except" || w == "intersect" {
		return true
	}
	return from > 0 && toks[from-1].typ != '('
}

// endsTableValues reports whether t may follow the table name of TABLE or
// the rows of VALUES: ORDER BY and LIMIT, a set operator, the end of the
// query or statement, ON DUPLICATE KEY UPDATE after INSERT ... TABLE t.
func endsTableValues(t token) bool {
	switch t.typ {
	case 0, ';', ')':
		return true
	}
	switch t.word() {
	case "order", "limit", "union", "except", "intersect", "on":
		return true
	}
	return false
}

// tableStmtEnd checks what follows the table name of the TABLE statement
// at toks[k]: TABLE t [ORDER BY ...] [LIMIT ...] has no other clauses.
func (p *parser) tableStmtEnd(k int) error {
	toks := p.toks
	j := k + 1
	if t := toks[j]; t.typ != 0 && t.typ != ';' && t.typ != ')' && t.typ != '(' {
		j++ // the table name, or a qualifier
		if toks[j].typ == '.' && toks[j+1].typ != 0 {
			j += 2
		}
	}
	if j > k+1 && !endsTableValues(toks[j]) {
		p.i = j
		return p.errExpected("ORDER BY, LIMIT or the end of the query")
	}
	return nil
}

// isValuesStart reports whether toks[k] starts VALUES ROW(.
func isValuesStart(toks []token, k int) bool {
	return k+2 < len(toks) && toks[k].word() == "values" && toks[k+1].word() == "row" && toks[k+2].typ == '('
}

// isCTEValues reports whether the VALUES constructor at toks[k] is the
// whole query of a common table expression, AS (VALUES ...), which
// withClause takes as it is.
func isCTEValues(toks []token, k int) bool {
	if k < 2 || toks[k-1].typ != '(' || toks[k-2].word() != "as" {
		return false
	}
	close := closingParen(toks, k-1)
	for j := k + 1; j < close; j++ {
		switch w := toks[j].word(); {
		case w == "order" || w == "limit" || w == "union" || w == "except" || w == "intersect":
			return false
		case toks[j].typ == '(':
			j = closingParen(toks, j)
			if j < 0 {
				return true
			}
		}
	}
	return true
}

// hasTableValues reports whether toks may hold a TABLE statement or a
// VALUES ROW(...) constructor: whether parseTableValues has work.
func hasTableValues(toks []token) bool {
	for k, t := range toks {
		if w := t.word(); w == "table" || (w == "values" || w == "value") && toks[k+1].word() == "row" {
			return true
		}
	}
	return false
}

// parseTableValues parses a DML statement holding TABLE statements or
// VALUES constructors (see above). ok is false when it holds none, so
// that the statement goes on as it is.
func parseTableValues(sql, clean string, toks []token) (st Statement, ok bool, err error) {
	p := &parser{src: sql, clean: clean, toks: toks}
	w := &rewriter{p: p}
	insert := toks[0].word() == "insert" || toks[0].word() == "replace"
	depth := 0
	insertRows := false // after INSERT ... VALUES ROW(
	found := false
	for k := 0; k < len(toks)-1; k++ {
		t := toks[k]
		switch {
		case t.typ == '(':
			depth++
		case t.typ == ')':
			depth--
		case t.word() == "table" && (queryMayStart(toks, k) ||
			insert && depth == 0 && k > 1 && (toks[k-1].typ == ')' || toks[k-1].typ == sqlparser.ID)):
			// TABLE t, also INSERT INTO x [(cols)] TABLE t.
			if err := p.tableStmtEnd(k); err != nil {
				return nil, true, err
			}
			w.copyTo(k)
			w.replace(k+1, "select * from")
			found = true
		case insert && depth == 0 && (t.word() == "values" || t.word() == "value") &&
			toks[k+1].word() == "row" && toks[k+2].typ == '(':
			insertRows = true
		case insertRows && depth == 0 && t.word() == "row" && toks[k+1].typ == '(' &&
			(toks[k-1].typ == ',' || toks[k-1].word() == "values" || toks[k-1].word() == "value"):
			w.copyTo(k)
			w.replace(k+1, "")
			found = true
		case isValuesStart(toks, k) && queryMayStart(toks, k) && !isCTEValues(toks, k):
			next, err := p.valuesConstructor(w, k)
			if err != nil {
				return nil, true, err
			}
			for _, t := range toks[k:next] {
				switch t.typ {
				case '(':
					depth++
				case ')':
					depth--
				}
			}
			k = next - 1
			found = true
		}
	}
	if !found {
		return nil, false, nil
	}
	st, err = w.parse(nil)
	return st, true, err
}

// valuesConstructor writes the rewrite of the VALUES constructor at
// toks[k] (see above) and returns the index of the token after what it
// replaced: its rows, or the whole derived table with its column list.
func (p *parser) valuesConstructor(w *rewriter, k int) (int, error) {
	toks := p.toks
	rows, end, err := p.tvRows(k)
	if err != nil {
		return 0, err
	}
	width := len(rows[0])
	if !endsTableValues(toks[end]) {
		p.i = end
		return 0, p.errExpected("ORDER BY, LIMIT or the end of the query")
	}
	// (VALUES ...) [AS] v (x, y): the names of the columns.
	var names []string
	var open, close, listOpen, listClose int
	if k > 0 && toks[k-1].typ == '(' {
		open = k - 1
		close = closingParen(toks, open)
		j := close + 1
		if close > 0 && toks[j].word() == "as" {
			j++
		}
		if close > 0 && (toks[j].typ == sqlparser.ID || toks[j].quoted) && toks[j+1].typ == '(' {
			listOpen, listClose = j+1, closingParen(toks, j+1)
			if listClose < 0 {
				p.i = len(toks) - 1
				return 0, p.errExpected("')'")
			}
			for i := listOpen + 1; i < listClose; i += 2 {
				if toks[i].typ != sqlparser.ID && !toks[i].quoted {
					p.i = i
					return 0, p.errExpected("a column name")
				}
				if sep := toks[i+1]; sep.typ != ',' && i+1 != listClose {
					p.i = i + 1
					return 0, p.errExpected("',' or ')'")
				}
				names = append(names, toks[i].val)
			}
			if len(names) != width {
				return 0, engErr(ErViewWrongList, "In definition of view, derived table or common table expression, SELECT list and column names list have different column counts")
			}
		}
	}
	// Next to a set operator, or ordered or limited as the query of a
	// common table expression (whose column list renames the columns of
	// the first row, which its ORDER BY may name), the rows become a
	// derived table.
	wrap := nextToSetOp(toks, k, end) ||
		k >= 2 && toks[k-2].word() == "as" && toks[k-1].typ == '(' && (toks[end].word() == "order" || toks[end].word() == "limit")
	if names != nil {
		w.copyTo(open)
		var b strings.Builder
		b.WriteString("(select ")
		for i, n := range names {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("column_" + strconv.Itoa(i) + " as `" + strings.ReplaceAll(n, "`", "``") + "`")
		}
		b.WriteString(" from (")
		w.replace(k, b.String())
	}
	w.copyTo(k)
	if wrap {
		var b strings.Builder
		b.WriteString("select ")
		for i := range width {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("column_" + strconv.Itoa(i))
		}
		b.WriteString(" from (")
		w.replace(k, b.String())
	}
	for n, row := range rows {
		if n == 0 {
			w.replace(row[0][0], "select")
		} else {
			w.replace(row[0][0], "union all select")
		}
		for i, v := range row {
			w.copyTo(v[1])
			// The ',' or ')' after the value goes with the text after
			// it, so that an error there is reported at it.
			sep := ""
			if n == 0 {
				sep = "as column_" + strconv.Itoa(i)
			}
			if i < len(row)-1 {
				sep += " ,"
			}
			w.replace(v[1]+1, sep)
		}
	}
	if wrap {
		w.replace(end, ") as "+valuesAlias)
	}
	if names != nil {
		w.copyTo(close) // ORDER BY, LIMIT
		w.replace(close+1, ") as "+valuesAlias+")")
		w.copyTo(listOpen) // [AS] v
		w.replace(listClose+1, "")
		return listClose + 1, nil
	}
	return end, nil
}

// tvRows parses the rows of the VALUES constructor at toks[k]: the
// tokens [from, to) of each value of each row, and the index of the token
// after the last row. Every row has the same number of values, one at
// least.
func (p *parser) tvRows(k int) (rows [][][2]int, end int, err error) {
	toks := p.toks
	j := k + 1 // at ROW
	for {
		if toks[j].word() != "row" {
			p.i = j
			return nil, 0, p.errExpected("ROW")
		}
		if toks[j+1].typ != '(' {
			p.i = j + 1
			return nil, 0, p.errExpected("'('")
		}
		close := closingParen(toks, j+1)
		if close < 0 {
			p.i = len(toks) - 1
			return nil, 0, p.errExpected("')'")
		}
		var row [][2]int
		depth, from := 0, j+2
		for i := j + 2; i <= close; i++ {
			switch t := toks[i]; {
			case t.typ == '(':
				depth++
			case t.typ == ')' && i < close:
				depth--
			case t.typ == ',' && depth == 0 || i == close:
				if from == i {
					p.i = i
					return nil, 0, p.errExpected("an expression")
				}
				row = append(row, [2]int{from, i})
				from = i + 1
			}
		}
		if len(rows) > 0 && len(row) != len(rows[0]) {
			return nil, 0, engErr(ErWrongValueCountOnRow, "Column count doesn't match value count at row %d", len(rows)+1)
		}
		rows = append(rows, row)
		j = close + 1
		if toks[j].typ != ',' {
			return rows, j, nil
		}
		j++
	}
}
