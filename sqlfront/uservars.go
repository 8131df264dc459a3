package sqlfront

import (
	"context"
	"io"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// User variable assignment in expressions: @v := expr.
//
// sqlparser's grammar has no ":=" (its tokenizer reads it as a malformed
// bind variable; the lexer makes it a token of its own, tokAssign). In
// MySQL's grammar `@v := expr` is a primary whose expr extends as far as
// an expression can (SET_VAR has the lowest precedence), so
// rewriteAssignments, given the statement's tokens, rewrites the text
// handed to sqlparser:
//
//	@v := expr   → s@v(@v, expr)   assigns, returns the value
//	@w           → v@r(@w)         reads the variable when evaluated
//
// The second rewrite applies only to statements that assign, so that
// `SELECT @n := @n + 1 AS rn, x FROM t` numbers its rows (MySQL leaves
// the order of evaluation undefined; bxdb evaluates select expressions
// left to right, row by row). Statements without ":=" read a variable
// once per statement, as before. Result column names come from the
// statement as written (plan_names.go), so the longer text changes no
// name; errors past the first rewrite are reported at the first ":=".

// assignEndWords end the expression assigned by ":=" at parenthesis depth
// 0 (outside CASE).
var assignEndWords = toSet("as from where group having order limit into union except intersect for lock window " +
	"when then else end on using join inner left right cross natural straight_join desc asc separator with rows range " +
	"partition values set")

// rewriteAssignments returns text (whose token offsets are toks') with the
// rewrites above, and the offset of the first rewrite (-1 and text
// unchanged when there is no ":=").
func rewriteAssignments(text string, toks []token) (string, int) {
	first := -1
	for _, t := range toks {
		if t.typ == tokAssign {
			first = 0
			break
		}
	}
	if first < 0 {
		return text, -1
	}
	for _, t := range toks {
		if isUserVarToken(t) {
			first = t.pos
			break
		}
	}
	var b strings.Builder
	n := len(toks) - 1 // the EOF token
	cur := 0           // text copied up to here
	var emit func(from, to int)
	emit = func(from, to int) {
		for k := from; k < to; k++ {
			t := toks[k]
			if t.typ == tokAssign && setsColumn(toks, k) {
				// col := expr in UPDATE ... SET, INSERT ... SET and
				// ON DUPLICATE KEY UPDATE is col = expr (MySQL's
				// grammar takes either there).
				b.WriteString(text[cur:t.pos] + "= ")
				cur = t.end
				continue
			}
			if !isUserVarToken(t) {
				continue
			}
			b.WriteString(text[cur:t.pos])
			cur = t.pos
			if k+1 < to && toks[k+1].typ == tokAssign {
				end := assignEnd(toks, k+2, to)
				b.WriteString("s@v(" + text[t.pos:t.end] + ", ")
				cur = toks[k+1].end
				emit(k+2, end)
				if end > k+2 {
					b.WriteString(text[cur:toks[end-1].end])
					cur = toks[end-1].end
				}
				b.WriteString(")")
				k = end - 1
				continue
			}
			b.WriteString("v@r(" + text[t.pos:t.end] + ")")
			cur = t.end
		}
	}
	emit(0, n)
	b.WriteString(text[cur:])
	return b.String(), first
}

// setsColumn reports whether the ":=" toks[k] follows a column in the
// assignment list of SET or UPDATE (the nearest of those keywords before
// it at parenthesis depth 0, with no expression keyword in between).
func setsColumn(toks []token, k int) bool {
	if k == 0 || isUserVarToken(toks[k-1]) {
		return false
	}
	depth, cases := 0, 0
	for j := k - 1; j >= 0; j-- {
		switch toks[j].typ {
		case ')':
			depth++
			continue
		case '(':
			if depth == 0 {
				return false
			}
			depth--
			continue
		}
		if depth > 0 {
			continue
		}
		switch w := toks[j].word(); {
		case w == "end": // CASE ... END, read backwards
			cases++
			continue
		case w == "case" && cases > 0:
			cases--
			continue
		case cases > 0:
			continue
		}
		switch toks[j].word() {
		case "set", "update":
			return true
		case "select", "where", "having", "on", "when", "then", "else", "and", "or", "not", "xor", "values", "value", "into", "from", "by":
			return false
		}
	}
	return false
}

// isUserVarToken reports whether t is a user variable (@name, not
// @@name).
func isUserVarToken(t token) bool {
	return t.typ == sqlparser.ID && !t.quoted && strings.HasPrefix(t.val, "@") && !strings.HasPrefix(t.val, "@@") && len(t.val) > 1
}

// assignEnd returns the index of the token after the expression that
// starts at toks[from] (before to): the first ',', ')', ';', clause
// keyword or alias at its top level.
func assignEnd(toks []token, from, to int) int {
	depth, cases := 0, 0
	for k := from; k < to; k++ {
		t := toks[k]
		switch t.typ {
		case '(':
			depth++
			continue
		case ')':
			if depth == 0 {
				return k
			}
			depth--
			continue
		case ',', ';':
			if depth == 0 {
				return k
			}
			continue
		}
		if depth > 0 {
			continue
		}
		w := t.word()
		switch {
		case w == "case":
			cases++
			continue
		case w == "end" && cases > 0:
			cases--
			continue
		case cases > 0 && (w == "when" || w == "then" || w == "else"):
			continue
		case assignEndWords[w] && k > from && !(k+1 < to && toks[k+1].typ == '(' && (w == "left" || w == "right" || w == "values")):
			return k // (LEFT(...), RIGHT(...) and VALUES(...) are calls)
		}
		// An identifier or string right after an operand is an alias
		// (`@v := x + 1 rn`), except INTERVAL n UNIT.
		if k > from && (t.typ == sqlparser.ID || t.typ == sqlparser.STRING) && !isUserVarToken(t) && endsOperand(toks[k-1]) &&
			!(k-2 >= from && toks[k-2].word() == "interval") {
			return k
		}
	}
	return to
}

// endsOperand reports whether an expression may end with token t.
func endsOperand(t token) bool {
	switch t.typ {
	case sqlparser.ID, sqlparser.STRING, sqlparser.INTEGRAL, sqlparser.FLOAT, sqlparser.HEXNUM, sqlparser.HEX,
		sqlparser.BIT_LITERAL, sqlparser.VALUE_ARG, ')':
		return true
	}
	switch t.word() {
	case "null", "true", "false":
		return true
	}
	return false
}

func init() {
	registerFuncs([]*funcDef{
		{name: "s@v", min: 2, max: 2, build: buildAssign},
		{name: "v@r", min: 1, max: 1, build: buildVarRead},
	})
}

// userVarName returns the lowercased name of the variable e names.
func userVarName(e sqlparser.Expr) (string, bool) {
	c, ok := e.(*sqlparser.ColName)
	if !ok || !c.Qualifier.IsEmpty() {
		return "", false
	}
	n := c.Name.String()
	if !strings.HasPrefix(n, "@") || strings.HasPrefix(n, "@@") {
		return "", false
	}
	return strings.ToLower(n[1:]), true
}

// buildAssign compiles s@v(@name, expr).
func buildAssign(c *compiler, args []sqlparser.Expr) (Expr, error) {
	name, ok := userVarName(args[0])
	if !ok {
		return nil, syntaxError(":=")
	}
	x, err := c.compile(args[1])
	if err != nil {
		return nil, err
	}
	return &assignExpr{name: name, x: x}, nil
}

// buildVarRead compiles v@r(@name).
func buildVarRead(c *compiler, args []sqlparser.Expr) (Expr, error) {
	name, ok := userVarName(args[0])
	if !ok {
		return nil, syntaxError("@")
	}
	return &varReadExpr{name: name}, nil
}

// assignExpr is @name := x: it stores x's value in the session's user
// variable and returns it.
type assignExpr struct {
	name string
	x    Expr
}

func (e *assignExpr) Eval(env *Env) (Value, error) {
	v, err := e.x.Eval(env)
	if err != nil {
		return Null, err
	}
	if env.sess != nil {
		env.sess.userVars[e.name] = v
	}
	return v, nil
}

func (e *assignExpr) kids() []Expr      { return []Expr{e.x} }
func (e *assignExpr) selfDeps() depMask { return depEnv | depVolatile }

// varReadExpr reads a user variable of the session when evaluated.
type varReadExpr struct{ name string }

func (e *varReadExpr) Eval(env *Env) (Value, error) {
	if env.sess == nil {
		return Null, nil
	}
	return env.sess.userVars[e.name], nil
}

func (e *varReadExpr) kids() []Expr      { return nil }
func (e *varReadExpr) selfDeps() depMask { return depEnv | depVolatile }

// cutSelectInto finds the INTO @a [, @b ...] clause of a SELECT at the
// statement's top level (MySQL takes it before FROM or at the end) and
// returns clean with it blanked, toks without it and the variable names.
func cutSelectInto(clean string, toks []token) (string, []token, []string, bool) {
	if len(toks) == 0 || toks[0].word() != "select" {
		return clean, toks, nil, false
	}
	depth := 0
	for k, t := range toks {
		switch t.typ {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth != 0 || t.word() != "into" || k+1 >= len(toks) || !isUserVarToken(toks[k+1]) {
			continue
		}
		var names []string
		j := k + 1
		for {
			names = append(names, strings.ToLower(toks[j].val[1:]))
			j++
			if toks[j].typ != ',' || !isUserVarToken(toks[j+1]) {
				break
			}
			j++
		}
		b := []byte(clean)
		for i := t.pos; i < toks[j-1].end; i++ {
			b[i] = ' '
		}
		rest := append(append([]token(nil), toks[:k]...), toks[j:]...)
		return string(b), rest, names, true
	}
	return clean, toks, nil, false
}

// erSpNoData is MySQL's ER_SP_FETCH_NO_DATA (SQLSTATE 02000), the warning
// of a SELECT ... INTO that finds no row.
const erSpNoData uint16 = 1329

// selectInto runs SELECT ... INTO @vars: one row sets the variables,
// none leaves them (MySQL warns), more than one is error 1172.
func (s *Session) selectInto(ctx context.Context, st *Stmt, args []Value, sel *sqlparser.Select, into []string) (Result, error) {
	var rows *Rows
	var err error
	if hasMark(sel.Comments, calcFoundRowsMark) {
		rows, err = s.calcFoundRowsQuery(ctx, st, args, sel)
	} else {
		rows, err = s.runQuery(ctx, st, args, func(sc *stmtCtx) (rowIter, []ColumnInfo, error) {
			return sc.planSelectStmt(sel)
		})
	}
	if err != nil {
		return Result{}, err
	}
	defer rows.Close()
	// FOUND_ROWS() then counts the rows the SELECT produced.
	s.lastRows = rows
	if len(rows.Columns()) != len(into) {
		return Result{}, engErr(ErWrongColCountSel, "The used SELECT statements have a different number of columns")
	}
	dst := make([]Value, len(into))
	var first []Value
	n := 0
	for {
		err := rows.Next(dst)
		if err == io.EOF {
			break
		}
		if err != nil {
			return Result{}, err
		}
		n++
		if n > 1 {
			return Result{}, engErr(ErTooManyRows, "Result consisted of more than one row")
		}
		first = append([]Value(nil), dst...)
	}
	if first == nil {
		s.warnf(erSpNoData, "No data - zero rows fetched, selected, or processed")
	}
	for i, name := range into {
		if first != nil {
			s.userVars[name] = first[i]
		}
	}
	return Result{RowsAffected: int64(n)}, nil
}
