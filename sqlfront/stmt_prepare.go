package sqlfront

import (
	"strings"

	"github.com/xwb1989/sqlparser"
)

// PREPARE, EXECUTE and DEALLOCATE PREPARE: MySQL's prepared statements in
// SQL.
//
//	PREPARE name FROM {'text' | @var}
//	        parses the statement (one, `?` markers allowed) and keeps it
//	        in the session under name, replacing a statement of that name,
//	        which is gone even if the new one fails to parse; a variable's
//	        value is the text (NULL reads as "NULL", a syntax error)
//	EXECUTE name [USING @var [, @var] ...]
//	        runs it with the variables' values (NULL when unset) bound to
//	        its markers in order: one variable per marker (1210)
//	{DEALLOCATE | DROP} PREPARE name
//	        forgets it
//
// As in MySQL, names are case-insensitive, an unknown name is error 1243,
// PREPARE, EXECUTE and DEALLOCATE cannot be prepared (1295), and the
// statements are the session's: other sessions do not see them, closing
// the session drops them (Session.Reset keeps them, as it keeps user
// variables). Unlike MySQL, PREPARE checks the syntax only: each EXECUTE
// resolves tables and columns as they are then, where MySQL reports an
// unknown table at PREPARE already.

// PrepareStmt is PREPARE name FROM {'text' | @var}.
type PrepareStmt struct {
	Name string // statement name, case as written
	Text string // the statement text, from a string literal
	Var  string // FROM @var: the user variable, lowercased, without '@'; "" for a literal
}

// ExecuteStmt is EXECUTE name [USING @var [, @var] ...].
type ExecuteStmt struct {
	Name  string   // statement name, case as written
	Using []string // user variables, lowercased, without '@'
}

// DeallocateStmt is {DEALLOCATE | DROP} PREPARE name.
type DeallocateStmt struct {
	Name string // statement name, case as written
}

func (*PrepareStmt) statementNode()    {}
func (*ExecuteStmt) statementNode()    {}
func (*DeallocateStmt) statementNode() {}

// prepareStmt parses PREPARE name FROM {'text' | @var}.
func (p *parser) prepareStmt() (Statement, error) {
	p.advance()
	name, err := p.ident("a statement name")
	if err != nil {
		return nil, err
	}
	if err := p.expectWord("from"); err != nil {
		return nil, err
	}
	s := &PrepareStmt{Name: name}
	if t := p.peek(); t.typ == sqlparser.STRING {
		p.advance()
		s.Text = t.val
		return s, nil
	}
	if s.Var, err = p.userVar("a string or a user variable"); err != nil {
		return nil, err
	}
	return s, nil
}

// executeStmt parses EXECUTE name [USING @var [, @var] ...].
func (p *parser) executeStmt() (Statement, error) {
	p.advance()
	name, err := p.ident("a statement name")
	if err != nil {
		return nil, err
	}
	s := &ExecuteStmt{Name: name}
	if !p.acceptWord("using") {
		return s, nil
	}
	for {
		v, err := p.userVar("a user variable")
		if err != nil {
			return nil, err
		}
		s.Using = append(s.Using, v)
		if !p.acceptChar(',') {
			return s, nil
		}
	}
}

// deallocatePrepare parses PREPARE name after DEALLOCATE or DROP.
func (p *parser) deallocatePrepare() (Statement, error) {
	if err := p.expectWord("prepare"); err != nil {
		return nil, err
	}
	name, err := p.ident("a statement name")
	if err != nil {
		return nil, err
	}
	return &DeallocateStmt{Name: name}, nil
}

// userVar consumes a user variable @name and returns the name,
// lowercased, without '@'.
func (p *parser) userVar(what string) (string, error) {
	t := p.peek()
	if t.typ != sqlparser.ID || t.quoted || len(t.val) < 2 || t.val[0] != '@' || t.val[1] == '@' {
		return "", p.errExpected(what)
	}
	p.advance()
	return strings.ToLower(t.val[1:]), nil
}

// errUnknownStmt is error 1243 for statement name given to op.
func errUnknownStmt(name, op string) error {
	return engErr(ErUnknownStmtHandler, "Unknown prepared statement handler (%s) given to %s", name, op)
}

// prepareSQL runs PREPARE.
func (s *Session) prepareSQL(x *PrepareStmt) error {
	key := strings.ToLower(x.Name)
	delete(s.prepared, key)
	text := x.Text
	if x.Var != "" {
		text = "NULL"
		if v := s.userVars[x.Var]; v.K != KindNull {
			text = ToString(v)
		}
	}
	st, err := s.e.prepare(text)
	if err != nil {
		return err
	}
	switch st.stmt.(type) {
	case *PrepareStmt, *ExecuteStmt, *DeallocateStmt:
		return engErr(ErUnsupportedPS, "This command is not supported in the prepared statement protocol yet")
	}
	if s.prepared == nil {
		s.prepared = map[string]*Stmt{}
	}
	s.prepared[key] = st
	return nil
}

// executeTarget returns the statement EXECUTE x runs and its arguments.
func (s *Session) executeTarget(x *ExecuteStmt) (*Stmt, []Value, error) {
	st, ok := s.prepared[strings.ToLower(x.Name)]
	if !ok {
		return nil, nil, errUnknownStmt(x.Name, "EXECUTE")
	}
	if len(x.Using) != st.numInput {
		return nil, nil, engErr(ErWrongArguments, "Incorrect arguments to EXECUTE")
	}
	args := make([]Value, len(x.Using))
	for i, name := range x.Using {
		args[i] = s.userVars[name]
	}
	return st, args, nil
}

// deallocate runs DEALLOCATE PREPARE.
func (s *Session) deallocate(x *DeallocateStmt) error {
	key := strings.ToLower(x.Name)
	if _, ok := s.prepared[key]; !ok {
		return errUnknownStmt(x.Name, "DEALLOCATE PREPARE")
	}
	delete(s.prepared, key)
	return nil
}
