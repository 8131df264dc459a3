package sqlfront

import (
	"errors"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Parsing of CREATE TRIGGER, DROP TRIGGER and trigger bodies (trigger.go
// says what they mean). The grammar is the union of MySQL 8's and the
// SQLite spelling the sqllogictest corpus uses:
//
//	CREATE [DEFINER = user] [TEMP | TEMPORARY] TRIGGER [IF NOT EXISTS] [db.]name
//	    [BEFORE | AFTER] {INSERT | UPDATE [OF col, ...] | DELETE} ON [db.]tbl
//	    [FOR EACH ROW] [{FOLLOWS | PRECEDES} other] [WHEN expr] body
//	DROP TRIGGER [IF EXISTS] [db.]name
//
//	body:  statement
//	statement:
//	    BEGIN [statement; ...] END
//	  | IF expr THEN statement; ... [ELSEIF expr THEN statement; ...] ...
//	        [ELSE statement; ...] END IF
//	  | SET {NEW.col | @var} {= | :=} {expr | DEFAULT} [, ...]
//	  | SIGNAL SQLSTATE [VALUE] 'xxxxx' [SET item = expr [, ...]]
//	  | DO expr [, expr ...]
//	  | INSERT ... | REPLACE ... | UPDATE ... | DELETE ... | SELECT ... [INTO @v, ...]
//
// The timing defaults to BEFORE (SQLite's rule); WHEN must be followed by
// BEGIN. Statements that commit (DDL, transaction control) parse, and
// CREATE TRIGGER refuses them with MySQL's error 1422; DECLARE, CASE,
// loops and the other compound statements are syntax errors.
//
// NEW.col and OLD.col are rewritten before a statement or expression goes
// to sqlparser: each becomes the placeholder ":vN" of the N-th reference,
// and the firing binds N to the value of that column in the NEW or OLD row
// (trigger_exec.go). The stored body is this parser's input text; a
// program is parsed again from it whenever a catalog is loaded.

// CreateTriggerStmt is CREATE TRIGGER (trigger.go).
type CreateTriggerStmt struct {
	IfNotExists bool
	Trigger     TableName // [db.]name
	Timing      string    // "BEFORE" or "AFTER" (BEFORE when not written)
	Event       string    // "INSERT", "UPDATE" or "DELETE"
	// Columns are the columns of SQLite's UPDATE OF col, ...: the trigger
	// fires only for statements that assign one of them.
	Columns []string
	Table   TableName
	// Order is "FOLLOWS" or "PRECEDES" (Other names the trigger), or "".
	Order string
	Other string
	// When is the text of SQLite's WHEN expression, "" for none.
	When string
	// Body is the body's text as written, from its first token to its
	// last (BEGIN ... END, or one statement without its ';').
	Body string
}

// DropTriggerStmt is DROP TRIGGER [IF EXISTS] [db.]name.
type DropTriggerStmt struct {
	IfExists bool
	Trigger  TableName
}

func (*CreateTriggerStmt) statementNode() {}
func (*DropTriggerStmt) statementNode()   {}

// trigStmtKind says what a trigStmt is.
type trigStmtKind uint8

const (
	tsBlock  trigStmtKind = iota + 1 // BEGIN ... END
	tsIf                             // IF ... END IF
	tsSet                            // SET NEW.col = ..., @v = ...
	tsSignal                         // SIGNAL SQLSTATE ...
	tsDo                             // DO expr, ...
	tsDML                            // INSERT, REPLACE, UPDATE, DELETE
	tsSelect                         // SELECT (result discarded) or SELECT ... INTO @v
	tsCommit                         // a statement that commits: refused by CREATE TRIGGER (1422)
)

// trigStmt is one statement of a trigger body. Immutable once parsed: a
// catalog's triggers are shared by the sessions that fire them.
type trigStmt struct {
	kind trigStmtKind
	// list: tsBlock's statements.
	list []*trigStmt
	// dml and refs: tsDML and tsSelect; the statement's ":vN" is refs[N-1].
	dml  *DMLStmt
	refs []trigRef
	// sets: tsSet's assignments.
	sets []trigAssign
	// conds and arms: tsIf's conditions and the statements of each; a
	// last extra arm is ELSE's.
	conds []*trigExpr
	arms  [][]*trigStmt
	// state and items: tsSignal's SQLSTATE and SET items (by lowercased
	// name); exprs: tsDo's expressions.
	state string
	items []trigItem
	exprs []*trigExpr
}

// trigRef is a reference to NEW.col or OLD.col.
type trigRef struct {
	old bool
	col string // as written
	lc  string // lowercased
}

// trigExpr is an expression of a trigger body, as the query SELECT expr
// (planned when evaluated, so it may hold subqueries), with its NEW and
// OLD references.
type trigExpr struct {
	sel  *sqlparser.Select
	refs []trigRef
}

// trigAssign is one assignment of SET: to NEW.col or OLD.col (row set;
// OLD only to be refused) or to the user variable name.
type trigAssign struct {
	row   bool
	old   bool
	name  string    // column as written, or lowercased variable name
	value *trigExpr // nil: DEFAULT
}

// trigItem is one SET item of SIGNAL.
type trigItem struct {
	name  string // lowercased: message_text, mysql_errno, ...
	value *trigExpr
}

// signalItems are the condition information items SIGNAL may set.
var signalItems = toSet(`class_origin subclass_origin message_text mysql_errno constraint_catalog
constraint_schema constraint_name catalog_name schema_name table_name column_name cursor_name`)

// trigCommitWords start the statements that commit implicitly or
// explicitly, which a trigger may not run (MySQL's error 1422).
var trigCommitWords = toSet(`commit rollback start savepoint release lock unlock create alter drop
truncate rename analyze optimize`)

// trigProgram is a parsed trigger: its WHEN condition (nil for none) and
// its body.
type trigProgram struct {
	when *trigExpr
	body *trigStmt
}

// isCreateTrigger reports whether the tokens after CREATE start a CREATE
// TRIGGER: TRIGGER, TEMP TRIGGER, or DEFINER = user ... TRIGGER.
func (p *parser) isCreateTrigger() bool {
	switch p.peek().word() {
	case "trigger":
		return true
	case "temp", "temporary":
		return p.peekAt(1).word() == "trigger"
	case "definer":
		for k := p.i + 1; k < len(p.toks); k++ {
			switch p.toks[k].word() {
			case "trigger":
				return true
			case "view", "procedure", "function", "event", "table", "on", "begin":
				return false
			}
		}
	}
	return false
}

// createTrigger parses the rest of CREATE TRIGGER, from just after CREATE.
func (p *parser) createTrigger() (Statement, error) {
	s := &CreateTriggerStmt{}
	if p.acceptWord("definer") {
		if err := p.expectChar('='); err != nil {
			return nil, err
		}
		// A user: 'name'@'host', name@host or CURRENT_USER[()]; bxdb has
		// no users, so its tokens are skipped up to TRIGGER.
		for !p.atEnd() && !p.isWord("trigger", "temp", "temporary") {
			p.advance()
		}
	}
	p.acceptWord("temp", "temporary") // SQLite's; the trigger is persistent (see trigger.go)
	if err := p.expectWord("trigger"); err != nil {
		return nil, err
	}
	s.IfNotExists = p.ifNotExists()
	var err error
	if s.Trigger, err = p.triggerName(); err != nil {
		return nil, err
	}
	switch t := p.peek(); {
	case p.acceptWord("before"):
		s.Timing = "BEFORE"
	case p.acceptWord("after"):
		s.Timing = "AFTER"
	case p.isWord("instead"):
		return nil, p.errAt(t, "INSTEAD OF triggers are not supported")
	default:
		s.Timing = "BEFORE"
	}
	switch {
	case p.acceptWord("insert"):
		s.Event = "INSERT"
	case p.acceptWord("update"):
		s.Event = "UPDATE"
		if p.acceptWord("of") {
			for {
				c, err := p.ident("a column name")
				if err != nil {
					return nil, err
				}
				s.Columns = append(s.Columns, c)
				if !p.acceptChar(',') {
					break
				}
			}
		}
	case p.acceptWord("delete"):
		s.Event = "DELETE"
	default:
		return nil, p.errExpected("BEFORE, AFTER, INSERT, UPDATE or DELETE")
	}
	if err := p.expectWord("on"); err != nil {
		return nil, err
	}
	if s.Table, err = p.tableName(); err != nil {
		return nil, err
	}
	if p.acceptWord("for") {
		if err := p.expectWord("each"); err != nil {
			return nil, err
		}
		if t := p.peek(); p.isWord("statement") {
			return nil, p.errAt(t, "FOR EACH STATEMENT triggers are not supported")
		}
		if err := p.expectWord("row"); err != nil {
			return nil, err
		}
	}
	if p.isWord("follows", "precedes") {
		s.Order = strings.ToUpper(p.advance().word())
		if s.Other, err = p.ident("a trigger name"); err != nil {
			return nil, err
		}
	}
	if p.acceptWord("when") {
		from := p.i
		for depth := 0; !(depth == 0 && p.isWord("begin")); p.advance() {
			switch p.peek().typ {
			case 0, ';':
				return nil, p.errExpected("BEGIN")
			case '(':
				depth++
			case ')':
				depth--
			}
		}
		if _, err := p.trigExpr(from, p.i); err != nil {
			return nil, err
		}
		s.When = p.exprText(from, p.i)
	}
	from := p.i
	if _, err := p.trigStatement(); err != nil {
		return nil, err
	}
	s.Body = p.exprText(from, p.i)
	return s, nil
}

// triggerName consumes [db.]name.
func (p *parser) triggerName() (TableName, error) {
	name, err := p.ident("a trigger name")
	if err != nil {
		return TableName{}, err
	}
	if !p.acceptChar('.') {
		return TableName{Name: name}, nil
	}
	trg, err := p.ident("a trigger name")
	if err != nil {
		return TableName{}, err
	}
	return TableName{Schema: name, Name: trg}, nil
}

// dropTrigger parses the rest of DROP TRIGGER, from just after TRIGGER.
func (p *parser) dropTrigger() (Statement, error) {
	s := &DropTriggerStmt{IfExists: p.ifExists()}
	var err error
	s.Trigger, err = p.triggerName()
	return s, err
}

// trigStatement parses one statement of a trigger body (without the ';'
// that follows it inside BEGIN ... END).
func (p *parser) trigStatement() (*trigStmt, error) {
	t := p.peek()
	switch w := t.word(); {
	case w == "begin":
		p.advance()
		list, err := p.trigList("end")
		if err != nil {
			return nil, err
		}
		p.advance() // END
		return &trigStmt{kind: tsBlock, list: list}, nil
	case w == "if":
		return p.trigIf()
	case w == "set":
		return p.trigSet()
	case w == "signal":
		return p.trigSignal()
	case w == "do":
		p.advance()
		s := &trigStmt{kind: tsDo}
		for {
			x, err := p.trigValue()
			if err != nil {
				return nil, err
			}
			s.exprs = append(s.exprs, x)
			if !p.acceptChar(',') {
				return s, nil
			}
		}
	case startsDML(t):
		return p.trigDML()
	case trigCommitWords[w]:
		p.skipSimple()
		return &trigStmt{kind: tsCommit}, nil
	case w != "":
		return nil, p.errAt(t, "%s is not supported in a trigger body", strings.ToUpper(w))
	}
	return nil, p.errExpected("a statement")
}

// trigList parses statements, each followed by ';', up to one of the
// keywords ends (not consumed).
func (p *parser) trigList(ends ...string) ([]*trigStmt, error) {
	var list []*trigStmt
	for !p.isWord(ends...) {
		if p.peek().typ == 0 {
			return nil, p.errExpected(strings.ToUpper(ends[len(ends)-1]))
		}
		s, err := p.trigStatement()
		if err != nil {
			return nil, err
		}
		if err := p.expectChar(';'); err != nil {
			return nil, err
		}
		list = append(list, s)
	}
	return list, nil
}

// skipSimple consumes the tokens of a simple statement: up to the ';' or
// the end of input.
func (p *parser) skipSimple() {
	for p.peek().typ != ';' && p.peek().typ != 0 {
		p.advance()
	}
}

// trigIf parses IF ... END IF.
func (p *parser) trigIf() (*trigStmt, error) {
	p.advance() // IF
	s := &trigStmt{kind: tsIf}
	for {
		from := p.i
		for cases := 0; ; p.advance() {
			t := p.peek()
			if t.typ == 0 || t.typ == ';' {
				return nil, p.errExpected("THEN")
			}
			w := t.word()
			if w == "then" && cases == 0 {
				break
			}
			switch {
			case w == "case":
				cases++
			case w == "end" && cases > 0:
				cases--
			}
		}
		cond, err := p.trigExpr(from, p.i)
		if err != nil {
			return nil, err
		}
		p.advance() // THEN
		arm, err := p.trigList("elseif", "else", "end")
		if err != nil {
			return nil, err
		}
		s.conds = append(s.conds, cond)
		s.arms = append(s.arms, arm)
		if !p.acceptWord("elseif") {
			break
		}
	}
	if p.acceptWord("else") {
		arm, err := p.trigList("end")
		if err != nil {
			return nil, err
		}
		s.arms = append(s.arms, arm)
	}
	if err := p.expectWord("end", "if"); err != nil {
		return nil, err
	}
	return s, nil
}

// trigSet parses SET {NEW.col | OLD.col | @var} = value, ....
func (p *parser) trigSet() (*trigStmt, error) {
	p.advance() // SET
	s := &trigStmt{kind: tsSet}
	for {
		var a trigAssign
		switch t := p.peek(); {
		case (t.word() == "new" || t.word() == "old") && p.peekAt(1).typ == '.':
			a.row, a.old = true, t.word() == "old"
			p.i += 2
			c := p.peek()
			if !c.quoted && c.word() == "" {
				return nil, p.errExpected("a column name")
			}
			p.advance()
			a.name = c.val
			if !c.quoted {
				a.name = p.text(c)
			}
		case isUserVarToken(t):
			p.advance()
			a.name = strings.ToLower(t.val[1:])
		default:
			return nil, p.errExpected("NEW.column or a @variable")
		}
		if !p.acceptChar(tokAssign) {
			if err := p.expectChar('='); err != nil {
				return nil, err
			}
		}
		if p.peek().word() == "default" && (p.peekAt(1).typ == ',' || p.peekAt(1).typ == ';' || p.peekAt(1).typ == 0) {
			p.advance()
		} else {
			x, err := p.trigValue()
			if err != nil {
				return nil, err
			}
			a.value = x
		}
		s.sets = append(s.sets, a)
		if !p.acceptChar(',') {
			return s, nil
		}
	}
}

// trigValue parses an expression up to a ',' outside parentheses, a ';'
// or the end of input.
func (p *parser) trigValue() (*trigExpr, error) {
	from := p.i
	if err := p.skipExpr(); err != nil {
		return nil, err
	}
	if p.i == from {
		return nil, p.errExpected("a value")
	}
	return p.trigExpr(from, p.i)
}

// trigSignal parses SIGNAL SQLSTATE [VALUE] 'state' [SET item = value, ...].
func (p *parser) trigSignal() (*trigStmt, error) {
	p.advance() // SIGNAL
	if err := p.expectWord("sqlstate"); err != nil {
		return nil, err
	}
	p.acceptWord("value")
	st, err := p.stringLit("an SQLSTATE string")
	if err != nil {
		return nil, err
	}
	s := &trigStmt{kind: tsSignal, state: st}
	if !p.acceptWord("set") {
		return s, nil
	}
	for {
		t := p.peek()
		if !signalItems[t.word()] {
			return nil, p.errExpected("a condition information item such as MESSAGE_TEXT")
		}
		p.advance()
		if err := p.expectChar('='); err != nil {
			return nil, err
		}
		x, err := p.trigValue()
		if err != nil {
			return nil, err
		}
		s.items = append(s.items, trigItem{name: t.word(), value: x})
		if !p.acceptChar(',') {
			return s, nil
		}
	}
}

// trigDML parses an INSERT, REPLACE, UPDATE, DELETE or SELECT of a trigger
// body, up to the ';' or the end of input.
func (p *parser) trigDML() (*trigStmt, error) {
	from := p.i
	p.skipSimple()
	text, offs, refs, err := p.trigSQL(from, p.i)
	if err != nil {
		return nil, err
	}
	toks, clean, err := lexAll(text)
	var st Statement
	if err == nil {
		st, err = parseDML(text, clean, toks)
	}
	if err != nil {
		return nil, p.trigParseError(err, from, p.i, offs, 0, len(text))
	}
	d, ok := st.(*DMLStmt)
	if !ok {
		return nil, p.errAt(p.toks[from], "expected a statement")
	}
	s := &trigStmt{kind: tsDML, dml: d, refs: refs}
	if _, ok := d.AST.(sqlparser.SelectStatement); ok {
		s.kind = tsSelect
	}
	return s, nil
}

// trigExpr parses tokens [from, to) as one expression.
func (p *parser) trigExpr(from, to int) (*trigExpr, error) {
	if from >= to {
		return nil, p.errAt(p.toks[from], "expected an expression")
	}
	text, offs, refs, err := p.trigSQL(from, to)
	if err != nil {
		return nil, err
	}
	const prefix = "select "
	sql := prefix + text
	toks, clean, err := lexAll(sql)
	var ast sqlparser.Statement
	if err == nil {
		ast, err = sqlparserParse(sql, clean, toks)
	}
	if err != nil {
		return nil, p.trigParseError(err, from, to, offs, len(prefix), len(text))
	}
	if soleExpr(ast) == nil {
		return nil, p.errAt(p.toks[from], "expected a single expression")
	}
	return &trigExpr{sel: ast.(*sqlparser.Select), refs: refs}, nil
}

// trigParseError maps an error of parsing the rewritten text of tokens
// [from, to) (offs: where each token starts in it; it begins at byte
// shift of what was parsed and is n bytes long) back to the token it
// names.
func (p *parser) trigParseError(err error, from, to int, offs []int, shift, n int) error {
	var pe *ParseError
	if !errors.As(err, &pe) {
		return err
	}
	pos := pe.Pos - shift
	at := from
	for k, off := range offs {
		if off <= pos {
			at = from + k
		}
	}
	if pos >= n {
		at = to
	}
	return p.errAt(p.toks[at], "%s", pe.Msg)
}

// trigSQL returns the text of tokens [from, to) with every NEW.col and
// OLD.col replaced by the placeholder ":vN" of the N-th such reference,
// the references, and where each token starts in the text. Parameter
// markers are refused: a trigger has no arguments.
func (p *parser) trigSQL(from, to int) (string, []int, []trigRef, error) {
	var b strings.Builder
	offs := make([]int, 0, to-from)
	var refs []trigRef
	cur := p.toks[from].pos
	for k := from; k < to; k++ {
		t := p.toks[k]
		if t.typ == sqlparser.VALUE_ARG {
			return "", nil, nil, p.errAt(t, "a trigger cannot contain parameter markers")
		}
		b.WriteString(p.clean[cur:t.pos])
		if w := t.word(); (w == "new" || w == "old") && k+2 < to && p.toks[k+1].typ == '.' &&
			(p.toks[k+2].quoted || p.toks[k+2].word() != "") && (k == from || p.toks[k-1].typ != '.') {
			c := p.toks[k+2]
			name := c.val
			if !c.quoted {
				name = p.text(c)
			}
			refs = append(refs, trigRef{old: w == "old", col: name, lc: strings.ToLower(name)})
			// Blanks keep ":vN" from fusing with a neighbour.
			b.WriteString(" ")
			off := b.Len()
			offs = append(offs, off, off, off)
			b.WriteString(":v" + strconv.Itoa(len(refs)) + " ")
			cur = c.end
			k += 2
			continue
		}
		offs = append(offs, b.Len())
		b.WriteString(p.clean[t.pos:t.end])
		cur = t.end
	}
	return b.String(), offs, refs, nil
}

// parseTriggerProgram parses a stored trigger's WHEN text (may be "") and
// body text.
func parseTriggerProgram(when, body string) (*trigProgram, error) {
	prog := &trigProgram{}
	if when != "" {
		p, err := newParser(when)
		if err != nil {
			return nil, err
		}
		if prog.when, err = p.trigExpr(0, len(p.toks)-1); err != nil {
			return nil, err
		}
	}
	p, err := newParser(body)
	if err != nil {
		return nil, err
	}
	if prog.body, err = p.trigStatement(); err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	return prog, nil
}

// newParser returns a parser over text.
func newParser(text string) (*parser, error) {
	toks, clean, err := lexAll(text)
	if err != nil {
		return nil, err
	}
	if toks[0].typ == 0 {
		return nil, newParseError(text, 0, "expected a statement, found end of statement")
	}
	return &parser{src: text, clean: clean, toks: toks}, nil
}
