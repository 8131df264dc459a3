package sqlfront

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// The recursive-descent parser for the statements sqlparser does not
// handle (see stmt.go): the parser core, the dispatch, and the session
// statements (transactions, SET, SHOW, DESCRIBE/EXPLAIN, USE, SYNC). DDL is
// in ddl_parse.go.
//
// Every parse method starts at the current token, consumes what it
// recognizes and returns a *ParseError at the first token it cannot use.
// Methods never look at the raw text except to slice out identifiers and
// expression text at token boundaries.

// parser holds one statement's tokens and a cursor.
type parser struct {
	src   string  // the statement, for error messages
	clean string  // src with version-comment markers blanked, for expression text (see lexAll)
	toks  []token // comments removed; the last one is the EOF token
	i     int     // index of the current token; never past the EOF token
}

// peek returns the current token.
func (p *parser) peek() token { return p.toks[p.i] }

// peekAt returns the token n places after the current one (EOF past the end).
func (p *parser) peekAt(n int) token { return p.toks[min(p.i+n, len(p.toks)-1)] }

// advance consumes and returns the current token; at EOF it stays put.
func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.typ != 0 {
		p.i++
	}
	return t
}

// isWord reports whether the current token is one of the keywords ws
// (lowercase).
func (p *parser) isWord(ws ...string) bool {
	w := p.peek().word()
	for _, x := range ws {
		if w == x {
			return true
		}
	}
	return false
}

// acceptWord consumes the current token if it is one of the keywords ws.
func (p *parser) acceptWord(ws ...string) bool {
	if p.isWord(ws...) {
		p.i++
		return true
	}
	return false
}

// acceptWords consumes the keyword sequence ws if the next tokens are
// exactly that; otherwise it consumes nothing.
func (p *parser) acceptWords(ws ...string) bool {
	for k, w := range ws {
		if p.peekAt(k).word() != w {
			return false
		}
	}
	p.i += len(ws)
	return true
}

// expectWord consumes the keyword sequence ws or fails at the first token
// that differs.
func (p *parser) expectWord(ws ...string) error {
	for _, w := range ws {
		if !p.acceptWord(w) {
			return p.errExpected(strings.ToUpper(w))
		}
	}
	return nil
}

// acceptChar consumes the current token if it is the single-character
// token c.
func (p *parser) acceptChar(c int) bool {
	if p.peek().typ == c {
		p.i++
		return true
	}
	return false
}

// expectChar consumes the single-character token c or fails.
func (p *parser) expectChar(c int) error {
	if !p.acceptChar(c) {
		return p.errExpected(fmt.Sprintf("'%c'", c))
	}
	return nil
}

// errAt returns a *ParseError at token t.
func (p *parser) errAt(t token, format string, args ...any) error {
	return newParseError(p.src, t.pos, fmt.Sprintf(format, args...))
}

// errExpected returns a *ParseError at the current token saying what was
// expected instead.
func (p *parser) errExpected(what string) error {
	t := p.peek()
	if t.typ == 0 {
		return p.errAt(t, "expected %s, found end of statement", what)
	}
	return p.errAt(t, "expected %s", what)
}

// end consumes an optional semicolon and requires the end of input.
func (p *parser) end() error {
	p.acceptChar(';')
	if p.peek().typ != 0 {
		return p.errAt(p.peek(), "unexpected input after the end of the statement")
	}
	return nil
}

// atEnd reports whether the current token ends the statement (';' or EOF).
func (p *parser) atEnd() bool {
	t := p.peek().typ
	return t == 0 || t == ';'
}

// text returns the source text of the current token, for bare words whose
// tokenizer value is lowercased.
func (p *parser) text(t token) string {
	if s := p.clean[t.pos:t.end]; strings.EqualFold(s, t.val) {
		return s
	}
	return t.val
}

// ident consumes an identifier: a backtick-quoted name, or a bare word
// that is not a reserved word. what names it in the error.
func (p *parser) ident(what string) (string, error) {
	t := p.peek()
	switch {
	case t.quoted:
		p.i++
		return t.val, nil
	case t.typ == sqlparser.ID && strings.HasPrefix(t.val, "@"):
		// @var and @@var are variables, not names.
	case t.word() != "" && !reservedWords[t.word()]:
		p.i++
		return p.text(t), nil
	}
	return "", p.errExpected(what)
}

// isIdent reports whether the current token could be consumed by ident.
func (p *parser) isIdent() bool {
	t := p.peek()
	if t.quoted {
		return true
	}
	return t.word() != "" && !reservedWords[t.word()] && !strings.HasPrefix(t.val, "@")
}

// tableName consumes [schema.]name.
func (p *parser) tableName() (TableName, error) {
	name, err := p.ident("a table name")
	if err != nil {
		return TableName{}, err
	}
	if !p.acceptChar('.') {
		return TableName{Name: name}, nil
	}
	table, err := p.ident("a table name")
	if err != nil {
		return TableName{}, err
	}
	return TableName{Schema: name, Name: table}, nil
}

// nameValue consumes a name used as a value (a character set, collation,
// engine or FORMAT name): any bare word including keywords, a quoted
// identifier or a string literal. It returns the text as written.
func (p *parser) nameValue(what string) (string, error) {
	t := p.peek()
	switch {
	case t.quoted || t.typ == sqlparser.STRING:
		p.i++
		return t.val, nil
	case t.word() != "":
		p.i++
		return p.text(t), nil
	}
	return "", p.errExpected(what)
}

// stringLit consumes a string literal and returns its contents.
func (p *parser) stringLit(what string) (string, error) {
	t := p.peek()
	if t.typ != sqlparser.STRING {
		return "", p.errExpected(what)
	}
	p.i++
	return t.val, nil
}

// uintLit consumes an unsigned integer literal no larger than limit.
func (p *parser) uintLit(what string, limit uint64) (uint64, error) {
	t := p.peek()
	if t.typ != sqlparser.INTEGRAL {
		return 0, p.errExpected(what)
	}
	n, err := strconv.ParseUint(t.val, 10, 64)
	if err != nil || n > limit {
		return 0, p.errAt(t, "%s is out of range", what)
	}
	p.i++
	return n, nil
}

// skipParens consumes a parenthesized token group, starting at its '(',
// through the matching ')'.
func (p *parser) skipParens() error {
	open := p.peek()
	if err := p.expectChar('('); err != nil {
		return err
	}
	for depth := 1; depth > 0; {
		switch p.advance().typ {
		case '(':
			depth++
		case ')':
			depth--
		case 0:
			return p.errAt(open, "unbalanced parenthesis")
		}
	}
	return nil
}

// skipExpr consumes tokens up to (not including) a ',' outside
// parentheses, a ';' or the end of input, failing on an unbalanced ')'.
func (p *parser) skipExpr() error {
	for depth := 0; ; {
		switch t := p.peek(); t.typ {
		case 0, ';':
			if depth > 0 {
				return p.errAt(t, "unbalanced parenthesis")
			}
			return nil
		case ',':
			if depth == 0 {
				return nil
			}
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return p.errAt(t, "unbalanced parenthesis")
			}
			depth--
		}
		p.i++
	}
}

// exprSQL returns the text of tokens [from, to) for sqlparser, with each
// `?` replaced by its statement-wide name ":vN", and the offset in that
// text at which each token starts.
func (p *parser) exprSQL(from, to int) (string, []int) {
	var b strings.Builder
	offs := make([]int, 0, to-from)
	cur := p.toks[from].pos
	for k := from; k < to; k++ {
		t := p.toks[k]
		b.WriteString(p.clean[cur:t.pos])
		offs = append(offs, p.writeToken(&b, t))
		cur = t.end
	}
	return b.String(), offs
}

// writeToken writes token t to b as sqlparser is to read it, a `?` as its
// ":vN", and returns the offset in b at which it starts.
func (p *parser) writeToken(b *strings.Builder, t token) int {
	if t.isPlaceholder(p.src) {
		// Blanks keep ":vN" from fusing with a neighbour ("?0").
		b.WriteString(" ")
		off := b.Len()
		b.WriteString(t.val + " ")
		return off
	}
	off := b.Len()
	b.WriteString(p.clean[t.pos:t.end])
	return off
}

// rewriter writes a rewrite of p's statement for parseRewrite: its tokens
// as exprSQL writes them, with runs of them replaced by other text, and
// the offset in the text of each token of the statement.
type rewriter struct {
	p    *parser
	b    strings.Builder
	offs []int // offs[k]: the offset in b of toks[k]; len(offs) tokens are written
}

// copyTo writes the tokens up to toks[to] (excluded) with the text before
// each (blanks, comments).
func (w *rewriter) copyTo(to int) {
	toks := w.p.toks
	for k := len(w.offs); k < to; k++ {
		prev := 0
		if k > 0 {
			prev = toks[k-1].end
		}
		w.b.WriteString(w.p.clean[prev:toks[k].pos])
		w.offs = append(w.offs, w.p.writeToken(&w.b, toks[k]))
	}
}

// replace writes text in place of the tokens up to toks[to] (excluded)
// not written yet.
func (w *rewriter) replace(to int, text string) {
	for len(w.offs) < to {
		w.offs = append(w.offs, w.b.Len())
	}
	w.b.WriteString(" " + text + " ")
}

// parse copies the rest of the statement and parses the rewrite
// (parseRewrite, with place).
func (w *rewriter) parse(place func(int) int) (Statement, error) {
	w.copyTo(len(w.p.toks))
	return parseRewrite(w.p.src, w.p.toks, w.b.String(), w.offs, place)
}

// exprText returns the source text of tokens [from, to) as written.
func (p *parser) exprText(from, to int) string {
	return p.clean[p.toks[from].pos:p.toks[to-1].end]
}

// parseExpr parses tokens [from, to) as one sqlparser expression, by
// parsing "select <tokens>". Errors point into the original statement.
func (p *parser) parseExpr(from, to int) (sqlparser.Expr, error) {
	if from >= to {
		return nil, p.errAt(p.toks[from], "expected an expression")
	}
	const prefix = "select "
	text, offs := p.exprSQL(from, to)
	sql := prefix + text
	toks, clean, err := lexAll(sql)
	if err == nil {
		var ast sqlparser.Statement
		if hasNestedWith(toks) || hasExceptIntersect(toks) {
			// A subquery with WITH or a set operation: parseDML rewrites
			// those.
			var st Statement
			if st, err = parseDML(sql, clean, toks); err == nil {
				if d, ok := st.(*DMLStmt); ok && d.Into == nil {
					ast = d.AST
				}
			}
		} else {
			ast, err = sqlparserParse(sql, clean, toks)
		}
		if err == nil {
			if e := soleExpr(ast); e != nil {
				return e, nil
			}
			return nil, p.errAt(p.toks[from], "expected a single expression")
		}
	}
	// Map the error back to the token it names.
	var pe *ParseError
	if !errors.As(err, &pe) {
		return nil, err
	}
	at := from
	for k, off := range offs {
		if off <= pe.Pos-len(prefix) {
			at = from + k
		}
	}
	if pe.Pos-len(prefix) >= len(text) {
		at = to
	}
	return nil, p.errAt(p.toks[at], "%s", pe.Msg)
}

// soleExpr returns the expression of "select <expr>" (from dual, with no
// alias or other clause), or nil if ast is anything else.
func soleExpr(ast sqlparser.Statement) sqlparser.Expr {
	sel, ok := ast.(*sqlparser.Select)
	if !ok || len(sel.SelectExprs) != 1 || sel.Where != nil || sel.Having != nil ||
		len(sel.GroupBy) != 0 || len(sel.OrderBy) != 0 || sel.Limit != nil ||
		sel.Distinct != "" || sel.Hints != "" || sel.Cache != "" || sel.Lock != "" || len(sel.Comments) != 0 {
		return nil
	}
	if len(sel.From) != 1 {
		return nil
	}
	from, ok := sel.From[0].(*sqlparser.AliasedTableExpr)
	if !ok || !from.As.IsEmpty() || from.Hints != nil || len(from.Partitions) != 0 {
		return nil
	}
	if tn, ok := from.Expr.(sqlparser.TableName); !ok || tn.Name.String() != "dual" || !tn.Qualifier.IsEmpty() {
		return nil
	}
	ae, ok := sel.SelectExprs[0].(*sqlparser.AliasedExpr)
	if !ok || !ae.As.IsEmpty() || ae.Expr == nil {
		return nil
	}
	return ae.Expr
}

// sqlExpr parses tokens [from, to) into an SQLExpr.
func (p *parser) sqlExpr(from, to int) (*SQLExpr, error) {
	e, err := p.parseExpr(from, to)
	if err != nil {
		return nil, err
	}
	return &SQLExpr{Expr: e, Text: p.exprText(from, to)}, nil
}

// statement parses the statement at the cursor (one that is not DML).
func (p *parser) statement() (Statement, error) {
	t := p.peek()
	var (
		s   Statement
		err error
	)
	switch t.word() {
	case "create":
		s, err = p.create()
	case "alter":
		s, err = p.alterTable()
	case "drop":
		s, err = p.drop()
	case "truncate":
		s, err = p.truncate()
	case "rename":
		s, err = p.renameTable()
	case "begin":
		p.advance()
		p.acceptWord("work")
		s = &BeginStmt{}
	case "start":
		s, err = p.startTransaction()
	case "commit":
		p.advance()
		p.acceptWord("work")
		s = &CommitStmt{}
	case "rollback":
		s, err = p.rollback()
	case "savepoint":
		p.advance()
		var name string
		name, err = p.ident("a savepoint name")
		s = &SavepointStmt{Name: name}
	case "release":
		p.advance()
		var name string
		if err = p.expectWord("savepoint"); err == nil {
			name, err = p.ident("a savepoint name")
		}
		s = &ReleaseSavepointStmt{Name: name}
	case "set":
		s, err = p.set()
	case "show":
		s, err = p.show()
	case "describe", "desc", "explain":
		return p.explain()
	case "use":
		p.advance()
		var name string
		name, err = p.ident("a database name")
		s = &UseStmt{Database: name}
	case "sync":
		s, err = p.sync()
	case "analyze", "optimize", "check":
		s, err = p.tableMaint()
	case "do":
		s, err = p.do()
	case "lock":
		s, err = p.lockTables()
	case "unlock":
		s, err = p.unlockTables()
	case "prepare":
		s, err = p.prepareStmt()
	case "execute":
		s, err = p.executeStmt()
	case "deallocate":
		p.advance()
		s, err = p.deallocatePrepare()
	default:
		return nil, p.errAt(t, "unsupported statement")
	}
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	return s, nil
}

// startTransaction parses START TRANSACTION [characteristic, …].
func (p *parser) startTransaction() (Statement, error) {
	p.advance()
	if err := p.expectWord("transaction"); err != nil {
		return nil, err
	}
	s := &BeginStmt{}
	if p.atEnd() {
		return s, nil
	}
	for {
		switch {
		case p.acceptWords("with", "consistent", "snapshot"):
			s.ConsistentSnapshot = true
		case p.acceptWords("read", "only"):
			s.Access = TxAccessReadOnly
		case p.acceptWords("read", "write"):
			s.Access = TxAccessReadWrite
		default:
			return nil, p.errExpected("WITH CONSISTENT SNAPSHOT, READ ONLY or READ WRITE")
		}
		if !p.acceptChar(',') {
			return s, nil
		}
	}
}

// rollback parses ROLLBACK [WORK] [TO [SAVEPOINT] name].
func (p *parser) rollback() (Statement, error) {
	p.advance()
	p.acceptWord("work")
	if !p.acceptWord("to") {
		return &RollbackStmt{}, nil
	}
	p.acceptWord("savepoint")
	name, err := p.ident("a savepoint name")
	if err != nil {
		return nil, err
	}
	return &RollbackToSavepointStmt{Name: name}, nil
}

// scopeWords maps scope keywords to scopes.
var scopeWords = map[string]SetScope{"session": ScopeSession, "local": ScopeSession, "global": ScopeGlobal}

// set parses the SET statements.
func (p *parser) set() (Statement, error) {
	p.advance()
	if scope, ok := scopeWords[p.peek().word()]; ok && p.peekAt(1).word() == "transaction" {
		p.i += 2
		return p.setTransaction(scope)
	}
	switch {
	case p.acceptWord("transaction"):
		return p.setTransaction(ScopeDefault)
	case p.acceptWord("names"):
		return p.setNames(false)
	case p.acceptWord("charset"), p.acceptWords("character", "set"):
		return p.setNames(true)
	}
	s := &SetStmt{}
	scope := ScopeDefault
	for {
		if sc, ok := scopeWords[p.peek().word()]; ok {
			p.advance()
			scope = sc
		}
		a, err := p.setAssignment(scope)
		if err != nil {
			return nil, err
		}
		s.Assignments = append(s.Assignments, a)
		if !p.acceptChar(',') {
			return s, nil
		}
	}
}

// setAssignment parses name = expr, @@name = expr or @name = expr.
func (p *parser) setAssignment(scope SetScope) (*SetAssignment, error) {
	a := &SetAssignment{Scope: scope}
	t := p.peek()
	switch {
	case t.typ == sqlparser.ID && !t.quoted && strings.HasPrefix(t.val, "@@"):
		name := strings.ToLower(t.val[2:])
		a.Scope = ScopeDefault
		for prefix, sc := range map[string]SetScope{"global.": ScopeGlobal, "session.": ScopeSession, "local.": ScopeSession} {
			if rest, ok := strings.CutPrefix(name, prefix); ok {
				name, a.Scope = rest, sc
			}
		}
		a.Name = name
	case t.typ == sqlparser.ID && !t.quoted && strings.HasPrefix(t.val, "@"):
		a.Name, a.UserVar, a.Scope = strings.ToLower(t.val[1:]), true, ScopeDefault
	case t.word() != "" || t.quoted:
		a.Name = strings.ToLower(t.val)
	}
	if a.Name == "" || strings.ContainsAny(a.Name, "@`'\"") {
		return nil, p.errExpected("a variable name")
	}
	p.advance()
	if !p.acceptChar(tokAssign) {
		if err := p.expectChar('='); err != nil {
			return nil, err
		}
	}
	from := p.i
	if err := p.skipExpr(); err != nil {
		return nil, err
	}
	if p.i == from {
		return nil, p.errExpected("a value")
	}
	if p.i == from+1 {
		// A lone word is a value, not a column: SET autocommit = ON.
		t := p.toks[from]
		w := t.word()
		switch {
		case w == "default":
			a.Value = SQLExpr{Expr: &sqlparser.Default{}, Text: p.text(t)}
			return a, nil
		case w == "on":
			a.Value = SQLExpr{Expr: sqlparser.NewStrVal([]byte(p.text(t))), Text: p.text(t)}
			return a, nil
		}
	}
	e, err := p.sqlExpr(from, p.i)
	if err != nil {
		return nil, err
	}
	if col, ok := e.Expr.(*sqlparser.ColName); ok && p.i == from+1 && col.Qualifier.IsEmpty() && !strings.HasPrefix(e.Text, "@") {
		e.Expr = sqlparser.NewStrVal([]byte(p.toks[from].val))
	}
	a.Value = *e
	return a, nil
}

// setTransaction parses the characteristics of SET … TRANSACTION.
func (p *parser) setTransaction(scope SetScope) (Statement, error) {
	s := &SetTransactionStmt{Scope: scope}
	for {
		switch {
		case p.acceptWords("isolation", "level"):
			switch {
			case p.acceptWords("read", "uncommitted"):
				s.Isolation = IsolationReadUncommitted
			case p.acceptWords("read", "committed"):
				s.Isolation = IsolationReadCommitted
			case p.acceptWords("repeatable", "read"):
				s.Isolation = IsolationRepeatableRead
			case p.acceptWord("serializable"):
				s.Isolation = IsolationSerializable
			default:
				return nil, p.errExpected("an isolation level")
			}
		case p.acceptWords("read", "only"):
			s.Access = TxAccessReadOnly
		case p.acceptWords("read", "write"):
			s.Access = TxAccessReadWrite
		default:
			return nil, p.errExpected("ISOLATION LEVEL, READ ONLY or READ WRITE")
		}
		if !p.acceptChar(',') {
			return s, nil
		}
	}
}

// setNames parses the rest of SET NAMES / SET CHARACTER SET.
func (p *parser) setNames(characterSet bool) (Statement, error) {
	name, err := p.nameValue("a character set name")
	if err != nil {
		return nil, err
	}
	s := &SetNamesStmt{Charset: name, CharacterSet: characterSet}
	if strings.EqualFold(name, "default") {
		s.Charset = "default"
	}
	if !characterSet && p.acceptWord("collate") {
		if s.Collate, err = p.nameValue("a collation name"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// show parses the SHOW statements.
func (p *parser) show() (Statement, error) {
	p.advance()
	s := &ShowStmt{}
	p.acceptWord("extended") // MySQL's hidden-columns variant; same result here
	s.Full = p.acceptWord("full")
	kw := p.peek()
	var err error
	switch w := kw.word(); {
	case p.acceptWord("tables"):
		s.Kind = ShowTables
		err = p.showFromDB(s)
	case p.acceptWord("columns", "fields"):
		s.Kind = ShowColumns
		err = p.showFromTable(s)
	case p.acceptWord("index", "indexes", "keys"):
		s.Kind = ShowIndex
		err = p.showFromTable(s)
	case p.acceptWords("create", "table"):
		s.Kind = ShowCreateTable
		s.Table, err = p.tableName()
		return s, p.showNoFull(s, kw, err)
	case p.acceptWords("create", "view"):
		s.Kind = ShowCreateView
		s.Table, err = p.tableName()
		return s, p.showNoFull(s, kw, err)
	case p.acceptWords("create", "trigger"):
		s.Kind = ShowCreateTrigger
		s.Table, err = p.triggerName()
		return s, p.showNoFull(s, kw, err)
	case p.acceptWord("triggers"):
		s.Kind = ShowTriggers
		err = p.showFromDB(s)
	case p.acceptWord("databases", "schemas"):
		s.Kind = ShowDatabases
	case scopeWords[w] != ScopeDefault:
		p.advance()
		s.Scope = scopeWords[w]
		switch {
		case p.acceptWord("variables"):
			s.Kind = ShowVariables
		case p.acceptWord("status"):
			s.Kind = ShowStatus
		default:
			return nil, p.errExpected("VARIABLES or STATUS")
		}
	case p.acceptWord("variables"):
		s.Kind = ShowVariables
	case p.acceptWord("status"):
		s.Kind = ShowStatus
	case p.acceptWords("table", "status"):
		s.Kind = ShowTableStatus
		err = p.showFromDB(s)
	case p.acceptWord("warnings"):
		s.Kind = ShowWarnings
		return s, p.showNoFull(s, kw, p.showLimit(s))
	case p.acceptWord("errors"):
		s.Kind = ShowErrors
		return s, p.showNoFull(s, kw, p.showLimit(s))
	case w == "count" && p.peekAt(1).typ == '(' && p.peekAt(2).typ == '*' && p.peekAt(3).typ == ')':
		// SHOW COUNT(*) {WARNINGS | ERRORS}
		p.i += 4
		s.Count = true
		switch {
		case p.acceptWord("warnings"):
			s.Kind = ShowWarnings
		case p.acceptWord("errors"):
			s.Kind = ShowErrors
		default:
			return nil, p.errExpected("WARNINGS or ERRORS")
		}
		return s, p.showNoFull(s, kw, nil)
	default:
		return nil, p.errAt(kw, "unsupported SHOW statement")
	}
	if err != nil {
		return nil, err
	}
	if err := p.showNoFull(s, kw, nil); err != nil {
		return nil, err
	}
	s.Filter, err = p.showFilter(s.Kind != ShowIndex)
	return s, err
}

// showLimit parses the optional LIMIT [offset,] row_count of SHOW
// WARNINGS and SHOW ERRORS.
func (p *parser) showLimit(s *ShowStmt) error {
	if !p.acceptWord("limit") {
		return nil
	}
	n, err := p.uintLit("a row count", 1<<64-1)
	if err != nil {
		return err
	}
	s.Limit = &ShowLimit{Count: n}
	if p.acceptChar(',') {
		if s.Limit.Count, err = p.uintLit("a row count", 1<<64-1); err != nil {
			return err
		}
		s.Limit.Offset = n
	}
	return nil
}

// showNoFull fails if FULL was given to a SHOW that does not take it, and
// otherwise returns err.
func (p *parser) showNoFull(s *ShowStmt, kw token, err error) error {
	if s.Full && s.Kind != ShowTables && s.Kind != ShowColumns {
		return p.errAt(kw, "FULL is not allowed here")
	}
	return err
}

// showFromTable parses {FROM | IN} t [{FROM | IN} db].
func (p *parser) showFromTable(s *ShowStmt) error {
	if !p.acceptWord("from", "in") {
		return p.errExpected("FROM")
	}
	var err error
	if s.Table, err = p.tableName(); err != nil {
		return err
	}
	return p.showFromDB(s)
}

// showFromDB parses an optional {FROM | IN} db.
func (p *parser) showFromDB(s *ShowStmt) error {
	if !p.acceptWord("from", "in") {
		return nil
	}
	var err error
	s.Database, err = p.ident("a database name")
	return err
}

// showFilter parses an optional LIKE 'pattern' (if like) or WHERE expr.
func (p *parser) showFilter(like bool) (*ShowFilter, error) {
	switch {
	case like && p.acceptWord("like"):
		pat, err := p.stringLit("a LIKE pattern")
		if err != nil {
			return nil, err
		}
		return &ShowFilter{Like: pat}, nil
	case p.acceptWord("where"):
		from := p.i
		for !p.atEnd() {
			p.advance()
		}
		e, err := p.sqlExpr(from, p.i)
		if err != nil {
			return nil, err
		}
		return &ShowFilter{Where: e}, nil
	}
	return nil, nil
}

// explain parses DESCRIBE, DESC and EXPLAIN, of a table or a statement.
func (p *parser) explain() (Statement, error) {
	p.advance()
	s := &ExplainStmt{}
	isStmt := false
	if p.acceptWord("format") {
		if err := p.expectChar('='); err != nil {
			return nil, err
		}
		f, err := p.nameValue("an EXPLAIN format")
		if err != nil {
			return nil, err
		}
		s.Format, isStmt = strings.ToLower(f), true
	}
	if p.acceptWord("analyze") {
		s.Analyze, isStmt = true, true
	}
	if p.acceptWord("extended", "partitions") {
		isStmt = true // MySQL 5.x modifiers, now always on
	}
	if t := p.peek(); isStmt || startsDML(t) && t.word() != "with" {
		if !startsDML(t) {
			return nil, p.errExpected("SELECT, INSERT, REPLACE, UPDATE or DELETE")
		}
		sub := p.clean[t.pos:]
		toks, clean, err := lexAll(sub)
		if err == nil {
			s.Inner, err = parseDML(sub, clean, toks)
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			return nil, newParseError(p.src, t.pos+pe.Pos, pe.Msg)
		}
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	show := &ShowStmt{Kind: ShowColumns}
	var err error
	if show.Table, err = p.tableName(); err != nil {
		return nil, err
	}
	switch t := p.peek(); {
	case t.typ == sqlparser.STRING:
		p.advance()
		show.Filter = &ShowFilter{Like: t.val}
	case p.isIdent():
		col, _ := p.ident("a column name")
		show.Filter = &ShowFilter{Like: col}
	}
	return show, p.end()
}

// sync parses SYNC TABLE t WITH 'url'.
func (p *parser) sync() (Statement, error) {
	p.advance()
	if err := p.expectWord("table"); err != nil {
		return nil, err
	}
	t, err := p.tableName()
	if err != nil {
		return nil, err
	}
	if err := p.expectWord("with"); err != nil {
		return nil, err
	}
	url, err := p.stringLit("a URL string")
	if err != nil {
		return nil, err
	}
	return &SyncStmt{Table: t, URL: url}, nil
}

// reservedWords are MySQL 8's reserved words: they name nothing unless
// backtick-quoted. Every other word, keywords such as DATE, STATUS or
// COMMENT included, is a valid bare identifier.
var reservedWords = toSet(`accessible add all alter analyze and as asc asensitive
before between bigint binary blob both by call cascade case change char
character check collate column condition constraint continue convert create
cross cube cume_dist current_date current_time current_timestamp current_user
cursor database databases day_hour day_microsecond day_minute day_second dec
decimal declare default delayed delete dense_rank desc describe deterministic
distinct distinctrow div double drop dual each else elseif empty enclosed
escaped except exists exit explain false fetch first_value float float4 float8
for force foreign from fulltext function generated get grant group grouping
groups having high_priority hour_microsecond hour_minute hour_second if ignore
in index infile inner inout insensitive insert int int1 int2 int3 int4 int8
integer intersect interval into io_after_gtids io_before_gtids is iterate join
json_table key keys kill lag last_value lateral lead leading leave left like
limit linear lines load localtime localtimestamp lock long longblob longtext
loop low_priority master_bind master_ssl_verify_server_cert match maxvalue
mediumblob mediumint mediumtext middleint minute_microsecond minute_second mod
modifies natural not no_write_to_binlog nth_value ntile null numeric of on
optimize optimizer_costs option optionally or order out outer outfile over
partition percent_rank precision primary procedure purge range rank read reads
read_write real recursive references regexp release rename repeat replace
require resignal restrict return revoke right rlike row row_number rows schema
schemas second_microsecond select sensitive separator set show signal smallint
spatial specific sql sqlexception sqlstate sqlwarning sql_big_result
sql_calc_found_rows sql_small_result ssl starting stored straight_join system
table terminated then tinyblob tinyint tinytext to trailing trigger true undo
union unique unlock unsigned update usage use using utc_date utc_time
utc_timestamp values varbinary varchar varcharacter varying virtual when where
while window with write xor year_month zerofill`)

// toSet returns the set of the blank-separated words of s.
func toSet(s string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// tableMaint parses ANALYZE | OPTIMIZE [NO_WRITE_TO_BINLOG | LOCAL] TABLE
// t, ... and CHECK TABLE t, ... [option ...].
func (p *parser) tableMaint() (Statement, error) {
	s := &TableMaintStmt{Op: p.advance().word()}
	if s.Op != "check" {
		p.acceptWord("no_write_to_binlog")
		p.acceptWord("local")
	}
	if err := p.expectWord("table"); err != nil {
		return nil, err
	}
	for {
		t, err := p.tableName()
		if err != nil {
			return nil, err
		}
		s.Tables = append(s.Tables, t)
		if !p.acceptChar(',') {
			break
		}
	}
	if s.Op == "check" {
		for p.acceptWord("for") && p.acceptWord("upgrade") || p.acceptWord("quick") || p.acceptWord("fast") ||
			p.acceptWord("medium") || p.acceptWord("extended") || p.acceptWord("changed") {
		}
	}
	return s, nil
}
