package sqlfront

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// JSON_TABLE (MySQL 8.0.4), a table function in FROM, which sqlparser
// does not know:
//
//	JSON_TABLE(expr, path COLUMNS (column, ...)) [AS] alias
//
//	column: name FOR ORDINALITY
//	      | name type PATH path [{NULL | ERROR | DEFAULT json_string} ON EMPTY]
//	                            [{NULL | ERROR | DEFAULT json_string} ON ERROR]
//	      | name type EXISTS PATH path
//	      | NESTED [PATH] path COLUMNS (column, ...)
//
// parseDML rewrites each call, first one first, into a derived table
// sqlparser takes:
//
//	(select /*bxdb:json_table*/ expr, 'spec') [AS] alias
//
// where spec is the parsed path and columns (jtSpec), as base64 of their
// JSON encoding, so that the AST carries the whole call: a view's or a
// CTE's query, parsed again, gives the same table. fromTableOf recognizes
// the marker and plans the call as a table whose rows are computed for
// each row of the tables before it in the FROM clause, which expr may read
// (plan_jsontable.go): JSON_TABLE is implicitly LATERAL.

// jsonTableMark marks the SELECT that stands for a JSON_TABLE call.
const jsonTableMark = "/*bxdb:json_table*/"

// jtSpec is a parsed JSON_TABLE call but for its document expression: the
// row path and the columns.
type jtSpec struct {
	Path string      `json:"p"`
	Cols []*jtColumn `json:"c"`
}

// jtColumn is one column definition of a COLUMNS clause.
type jtColumn struct {
	// Kind is 'o' (FOR ORDINALITY), 'p' (PATH), 'e' (EXISTS PATH) or 'n'
	// (NESTED PATH, whose columns are Nested).
	Kind   byte        `json:"k"`
	Name   string      `json:"n,omitempty"`
	Type   ColumnType  `json:"t"`
	Path   string      `json:"p,omitempty"`
	Empty  jtResponse  `json:"m"`
	Error  jtResponse  `json:"r"`
	Nested []*jtColumn `json:"c,omitempty"`
}

// jtResponse is an ON EMPTY or ON ERROR clause: Kind is 0 (none, which is
// NULL), 'n' (NULL), 'e' (ERROR) or 'd' (DEFAULT Def, a JSON text).
type jtResponse struct {
	Kind byte   `json:"k,omitempty"`
	Def  string `json:"d,omitempty"`
}

// jsonTableAt returns the index of the first JSON_TABLE( in toks, or -1.
func jsonTableAt(toks []token) int {
	for k := 0; k+1 < len(toks); k++ {
		if toks[k].word() == "json_table" && toks[k+1].typ == '(' {
			return k
		}
	}
	return -1
}

// parseJSONTableStmt parses a statement holding a JSON_TABLE call at
// token k: the call is rewritten (see above) and the statement parsed
// again, which rewrites the next call.
func parseJSONTableStmt(sql, clean string, toks []token, k int) (Statement, error) {
	p := &parser{src: sql, clean: clean, toks: toks}
	repl, close, err := p.jsonTableCall(k)
	if err != nil {
		return nil, err
	}
	w := &rewriter{p: p}
	w.copyTo(k)
	w.replace(close+1, repl)
	return w.parse(func(at int) int {
		if at >= k && at <= close {
			return k // inside the call's replacement: the call
		}
		return at
	})
}

// jsonTableCall parses the JSON_TABLE call at token k and returns the
// derived table that replaces it and the index of its closing ')'.
func (p *parser) jsonTableCall(k int) (string, int, error) {
	close, err := p.matchParen(k + 2)
	if err != nil {
		return "", 0, err
	}
	// The document expression ends at the first comma outside
	// parentheses.
	comma := -1
	depth := 0
	for j := k + 2; j < close && comma < 0; j++ {
		switch p.toks[j].typ {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				comma = j
			}
		}
	}
	if comma < 0 {
		p.i = close
		return "", 0, p.errExpected("','")
	}
	if comma == k+2 {
		p.i = comma
		return "", 0, p.errExpected("an expression")
	}
	p.i = comma + 1
	spec := &jtSpec{}
	if spec.Path, err = p.stringLit("a JSON path string"); err != nil {
		return "", 0, err
	}
	if spec.Cols, err = p.jsonTableColumns(); err != nil {
		return "", 0, err
	}
	if p.i != close {
		return "", 0, p.errExpected("')'")
	}
	// The alias is required (sqlparser would find a derived table
	// without one a syntax error).
	if t := p.toks[close+1]; t.word() != "as" && !t.quoted && (t.word() == "" || reservedWords[t.word()]) {
		return "", 0, engErr(erTFMustHaveAlias, "Every table function must have an alias")
	}
	enc, err := json.Marshal(spec)
	if err != nil {
		return "", 0, err
	}
	expr, _ := p.exprSQL(k+2, comma)
	repl := "(select " + jsonTableMark + " " + expr + ", '" + base64.StdEncoding.EncodeToString(enc) + "')"
	return repl, close, nil
}

// jsonTableColumns parses COLUMNS (column, ...).
func (p *parser) jsonTableColumns() ([]*jtColumn, error) {
	if err := p.expectWord("columns"); err != nil {
		return nil, err
	}
	if err := p.expectChar('('); err != nil {
		return nil, err
	}
	var cols []*jtColumn
	for {
		c, err := p.jsonTableColumn()
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
		if !p.acceptChar(',') {
			break
		}
	}
	if err := p.expectChar(')'); err != nil {
		return nil, err
	}
	return cols, nil
}

// jsonTableColumn parses one column definition.
func (p *parser) jsonTableColumn() (*jtColumn, error) {
	var err error
	c := &jtColumn{}
	if p.acceptWord("nested") {
		c.Kind = 'n'
		p.acceptWord("path")
		if c.Path, err = p.stringLit("a JSON path string"); err != nil {
			return nil, err
		}
		if c.Nested, err = p.jsonTableColumns(); err != nil {
			return nil, err
		}
		return c, nil
	}
	if c.Name, err = p.ident("a column name"); err != nil {
		return nil, err
	}
	if p.acceptWord("for") {
		if err := p.expectWord("ordinality"); err != nil {
			return nil, err
		}
		c.Kind = 'o'
		return c, nil
	}
	d, err := p.columnType()
	if err != nil {
		return nil, err
	}
	if c.Type, err = columnTypeFromDDL(d, c.Name); err != nil {
		return nil, err
	}
	c.Kind = 'p'
	if p.acceptWord("exists") {
		c.Kind = 'e'
	}
	if err := p.expectWord("path"); err != nil {
		return nil, err
	}
	if c.Path, err = p.stringLit("a JSON path string"); err != nil {
		return nil, err
	}
	if c.Kind == 'e' {
		return c, nil
	}
	// [response ON EMPTY] [response ON ERROR], in this order.
	for n := 0; n < 2 && p.isWord("null", "error", "default"); n++ {
		var r jtResponse
		switch p.advance().word() {
		case "null":
			r.Kind = 'n'
		case "error":
			r.Kind = 'e'
		default:
			r.Kind = 'd'
			if r.Def, err = p.stringLit("a JSON string"); err != nil {
				return nil, err
			}
		}
		if err := p.expectWord("on"); err != nil {
			return nil, err
		}
		switch {
		case n == 0 && p.acceptWord("empty"):
			c.Empty = r
		case p.acceptWord("error"):
			c.Error, n = r, 1
		default:
			if n == 0 {
				return nil, p.errExpected("EMPTY or ERROR")
			}
			return nil, p.errExpected("ERROR")
		}
	}
	return c, nil
}

// jsonTableOf recognizes the derived table that stands for a JSON_TABLE
// call: it returns the document expression and the spec, or ok false.
func jsonTableOf(sel sqlparser.SelectStatement) (doc sqlparser.Expr, spec *jtSpec, ok bool) {
	s, isSel := sel.(*sqlparser.Select)
	if !isSel || len(s.Comments) == 0 || len(s.SelectExprs) != 2 {
		return nil, nil, false
	}
	marked := false
	for _, c := range s.Comments {
		marked = marked || strings.TrimSpace(string(c)) == jsonTableMark
	}
	if !marked {
		return nil, nil, false
	}
	ae, ok1 := s.SelectExprs[0].(*sqlparser.AliasedExpr)
	se, ok2 := s.SelectExprs[1].(*sqlparser.AliasedExpr)
	if !ok1 || !ok2 {
		return nil, nil, false
	}
	lit, isLit := se.Expr.(*sqlparser.SQLVal)
	if !isLit || lit.Type != sqlparser.StrVal {
		return nil, nil, false
	}
	raw, err := base64.StdEncoding.DecodeString(string(lit.Val))
	if err != nil {
		return nil, nil, false
	}
	spec = &jtSpec{}
	if err := json.Unmarshal(raw, spec); err != nil {
		return nil, nil, false
	}
	return ae.Expr, spec, true
}
