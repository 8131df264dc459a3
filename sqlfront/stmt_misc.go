package sqlfront

import (
	"context"
	"io"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// DO and LOCK TABLES / UNLOCK TABLES.
//
//	DO expr [, expr] ...
//	        evaluates the expressions (as SELECT would, subqueries
//	        included) and discards the values; errors are reported
//	LOCK {TABLE | TABLES} t [[AS] alias] {READ [LOCAL] | [LOW_PRIORITY] WRITE} [, ...]
//	UNLOCK {TABLE | TABLES}
//	        accepted for mysqldump scripts and migration tools, with
//	        MySQL's implicit commits (LOCK TABLES commits the open
//	        transaction; UNLOCK TABLES commits it when tables were
//	        locked) and a check that the tables exist (1146), but no
//	        locking: bxdb's writer lock already serializes writers, and
//	        readers read snapshots. Unlike MySQL, tables not named stay
//	        accessible while tables are "locked".

// DoStmt is DO expr [, expr] ....
type DoStmt struct {
	Exprs []SQLExpr
}

// LockTablesStmt is LOCK TABLES t READ|WRITE, ....
type LockTablesStmt struct {
	Tables []TableName
	Write  []bool // per table: a WRITE lock
}

// UnlockTablesStmt is UNLOCK TABLES.
type UnlockTablesStmt struct{}

func (*DoStmt) statementNode()           {}
func (*LockTablesStmt) statementNode()   {}
func (*UnlockTablesStmt) statementNode() {}

// do parses DO expr [, expr] ....
func (p *parser) do() (Statement, error) {
	p.advance()
	s := &DoStmt{}
	for {
		from := p.i
		if err := p.skipExpr(); err != nil {
			return nil, err
		}
		if p.i == from {
			return nil, p.errExpected("an expression")
		}
		e, err := p.sqlExpr(from, p.i)
		if err != nil {
			return nil, err
		}
		s.Exprs = append(s.Exprs, *e)
		if !p.acceptChar(',') {
			return s, nil
		}
	}
}

// lockTables parses LOCK TABLES (LOCK at the cursor).
func (p *parser) lockTables() (Statement, error) {
	p.advance()
	if !p.acceptWord("tables", "table") {
		return nil, p.errExpected("TABLES")
	}
	s := &LockTablesStmt{}
	for {
		tn, err := p.tableName()
		if err != nil {
			return nil, err
		}
		if p.acceptWord("as") {
			if _, err := p.ident("an alias"); err != nil {
				return nil, err
			}
		} else if p.isIdent() && !p.isWord("read", "write", "low_priority") {
			p.advance()
		}
		write := false
		switch {
		case p.acceptWord("read"):
			p.acceptWord("local")
		case p.acceptWord("write"), p.acceptWords("low_priority", "write"):
			write = true
		default:
			return nil, p.errExpected("READ or WRITE")
		}
		s.Tables = append(s.Tables, tn)
		s.Write = append(s.Write, write)
		if !p.acceptChar(',') {
			return s, nil
		}
	}
}

// unlockTables parses UNLOCK TABLES.
func (p *parser) unlockTables() (Statement, error) {
	p.advance()
	if !p.acceptWord("tables", "table") {
		return nil, p.errExpected("TABLES")
	}
	return &UnlockTablesStmt{}, nil
}

// execDo runs DO: the expressions as a SELECT whose row is discarded.
func (s *Session) execDo(ctx context.Context, st *Stmt, args []Value, d *DoStmt) error {
	sel := &sqlparser.Select{From: sqlparser.TableExprs{&sqlparser.AliasedTableExpr{
		Expr: sqlparser.TableName{Name: sqlparser.NewTableIdent("dual")}}}}
	for _, e := range d.Exprs {
		sel.SelectExprs = append(sel.SelectExprs, &sqlparser.AliasedExpr{Expr: e.Expr})
	}
	rows, err := s.runQuery(ctx, st, args, func(sc *stmtCtx) (rowIter, []ColumnInfo, error) {
		sc.topText = ""
		return sc.planSelectStmt(sel)
	})
	if err != nil {
		return err
	}
	defer rows.Close()
	dst := make([]Value, len(rows.Columns()))
	for {
		if err := rows.Next(dst); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// lockTables runs LOCK TABLES: it commits the open transaction and checks
// that the tables exist.
func (s *Session) lockTables(l *LockTablesStmt) error {
	if err := s.endTx(true); err != nil {
		return err
	}
	e := s.e
	d1 := e.ddlSeq.Load()
	tx, err := e.store.Begin(false)
	if err != nil {
		return mapStoreErr(err)
	}
	defer tx.Rollback()
	cat, err := e.snapshotCatalog(tx, d1, e.ddlSeq.Load())
	if err != nil {
		return mapStoreErr(err)
	}
	cat = s.viewOf(cat)
	for _, tn := range l.Tables {
		if tn.Schema != "" && !strings.EqualFold(tn.Schema, e.dbName) {
			return errNoSuchTable(tn.Schema, tn.Name)
		}
		if cat.table(tn.Name) == nil && cat.view(tn.Name) == nil {
			return errNoSuchTable(e.dbName, tn.Name)
		}
	}
	s.tablesLocked = true
	return nil
}

// unlockTables runs UNLOCK TABLES: it commits the open transaction if
// LOCK TABLES ran.
func (s *Session) unlockTables() error {
	if !s.tablesLocked {
		return nil
	}
	s.tablesLocked = false
	return s.endTx(true)
}
