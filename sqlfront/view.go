package sqlfront

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Views.
//
//	CREATE [OR REPLACE] [ALGORITHM = a] [DEFINER = u] [SQL SECURITY s]
//	    VIEW v [(col, ...)] AS query [WITH [CASCADED | LOCAL] CHECK OPTION]
//	DROP VIEW [IF EXISTS] v [, v ...] [RESTRICT | CASCADE]
//
// A view is its query's text, kept in the catalog (record "v/" + lower(name),
// engine.go) with the column names it had when it was created, so it
// survives reopening. It is never materialized in advance: each reference
// to it in a FROM clause is planned as a derived table, (query) AS v, at
// the time the statement runs, against the tables as they are then. The
// view's columns keep the names of its column list or, without one, the
// names the query gave them at CREATE (as MySQL, which expands * when the
// view is created); a query that no longer fits the tables (a table or
// column it reads is gone, or it yields another number of columns) fails
// with MySQL's error 1356.
//
// Views are read-only in bxdb: INSERT, UPDATE, DELETE, TRUNCATE, ALTER
// TABLE and CREATE INDEX on a view fail with error 1347 ('db.v' is not BASE
// TABLE), where MySQL would write through a simple updatable view. WITH
// CHECK OPTION is therefore accepted and kept, with nothing to check.
// ALGORITHM, DEFINER and SQL SECURITY are accepted and ignored. Views share
// the namespace of tables: SHOW [FULL] TABLES lists them (Table_type VIEW),
// as do information_schema.TABLES (TABLE_TYPE 'VIEW') and
// information_schema.VIEWS; DESCRIBE, SHOW [FULL] COLUMNS and
// information_schema.COLUMNS describe their result columns (describeView:
// a column that reads a table column has its type, default and comment,
// an expression its result type, no keys), and SHOW CREATE TABLE answers
// as SHOW CREATE VIEW.

// viewDesc is the persisted description of a view (JSON in the catalog;
// field names are part of the on-disk format, never rename them).
type viewDesc struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"` // result column names, one per column of Select
	// Select is the query's text as written (a SELECT, a UNION or a
	// parenthesized query; WITH allowed).
	Select string `json:"select"`
	// CheckOption is "", "CASCADED" or "LOCAL" (kept for
	// information_schema; views are read-only).
	CheckOption string `json:"check_option,omitempty"`
	// ExplicitColumns is set when the view was created with a column list.
	ExplicitColumns bool `json:"explicit_columns,omitempty"`
}

// catViewPrefix starts the catalog keys of view records.
const catViewPrefix = "v/"

// maxViewDepth bounds the nesting of views (and subqueries) that a view
// reference may expand into; deeper means a view refers to itself.
const maxViewDepth = 64

// CreateViewStmt is CREATE [OR REPLACE] VIEW.
type CreateViewStmt struct {
	OrReplace   bool
	View        TableName
	Columns     []string // the optional column list
	Select      string   // the query's text
	CheckOption string   // "", "CASCADED" or "LOCAL"
}

// DropViewStmt is DROP VIEW [IF EXISTS] v [, v ...].
type DropViewStmt struct {
	Views    []TableName
	IfExists bool
}

func (*CreateViewStmt) statementNode() {}
func (*DropViewStmt) statementNode()   {}

// isCreateView reports whether the tokens after CREATE start a CREATE
// VIEW: VIEW itself, or the clauses that may precede it.
func (p *parser) isCreateView() bool {
	if !p.isWord("view", "or", "algorithm", "definer", "sql") {
		return false
	}
	for k := p.i; k < len(p.toks); k++ {
		switch p.toks[k].word() {
		case "view":
			return true
		case "trigger", "procedure", "function", "event", "table", "index", "as":
			return false
		}
	}
	return false
}

// createView parses the rest of CREATE VIEW, from just after CREATE.
func (p *parser) createView() (Statement, error) {
	s := &CreateViewStmt{}
	if p.acceptWord("or") {
		if err := p.expectWord("replace"); err != nil {
			return nil, err
		}
		s.OrReplace = true
	}
	if p.acceptWord("algorithm") {
		if err := p.expectChar('='); err != nil {
			return nil, err
		}
		if !p.acceptWord("undefined", "merge", "temptable") {
			return nil, p.errExpected("UNDEFINED, MERGE or TEMPTABLE")
		}
	}
	if p.acceptWord("definer") {
		if err := p.expectChar('='); err != nil {
			return nil, err
		}
		// A user: 'name'@'host', name@host or CURRENT_USER[()]; bxdb has
		// no users, so its tokens are skipped up to SQL SECURITY or VIEW.
		for !p.atEnd() && !p.isWord("sql", "view") {
			p.advance()
		}
	}
	if p.acceptWord("sql") {
		if err := p.expectWord("security"); err != nil {
			return nil, err
		}
		if !p.acceptWord("definer", "invoker") {
			return nil, p.errExpected("DEFINER or INVOKER")
		}
	}
	if err := p.expectWord("view"); err != nil {
		return nil, err
	}
	var err error
	if s.View, err = p.tableName(); err != nil {
		return nil, err
	}
	if p.peek().typ == '(' {
		if s.Columns, err = p.columnList(); err != nil {
			return nil, err
		}
	}
	if err := p.expectWord("as"); err != nil {
		return nil, err
	}
	from := p.i
	to := len(p.toks) - 1 // the EOF token
	if to > from && p.toks[to-1].typ == ';' {
		to--
	}
	// WITH [CASCADED | LOCAL] CHECK OPTION ends the statement.
	if to-from > 3 && p.toks[to-1].word() == "option" && p.toks[to-2].word() == "check" {
		k := to - 3
		s.CheckOption = "CASCADED"
		if w := p.toks[k].word(); w == "cascaded" || w == "local" {
			s.CheckOption = strings.ToUpper(w)
			k--
		}
		if p.toks[k].word() == "with" && k > from {
			to = k
		} else {
			s.CheckOption = ""
		}
	}
	if from >= to || !startsDML(p.toks[from]) || !isQueryStart(p.toks[from]) {
		return nil, p.errExpected("SELECT")
	}
	for k := from; k < to; k++ {
		if p.toks[k].typ == sqlparser.VALUE_ARG {
			return nil, p.errAt(p.toks[k], "View's SELECT contains a variable or parameter")
		}
	}
	st, err := p.subDML(from, to, nil, nil)
	if err != nil {
		return nil, err
	}
	if _, ok := st.(sqlparser.SelectStatement); !ok {
		return nil, p.errAt(p.toks[from], "expected a query")
	}
	s.Select = p.exprText(from, to)
	p.i = len(p.toks) - 1
	return s, nil
}

// isQueryStart reports whether t can start a query: SELECT, WITH, TABLE,
// VALUES or '('.
func isQueryStart(t token) bool {
	switch t.word() {
	case "select", "with", "table", "values":
		return true
	}
	return t.typ == '('
}

// dropView parses the rest of DROP VIEW, from just after VIEW.
func (p *parser) dropView() (Statement, error) {
	s := &DropViewStmt{IfExists: p.ifExists()}
	var err error
	if s.Views, err = p.dropList(); err != nil {
		return nil, err
	}
	return s, nil
}

// catObject is a table or a view, for listings.
type catObject struct {
	name string
	kind string // "BASE TABLE" or "VIEW"
}

// sortedObjects returns the tables and views ordered by name.
func (c *catalog) sortedObjects() []catObject {
	if c.perm != nil {
		return c.perm.sortedObjects()
	}
	var out []catObject
	for _, t := range c.tables {
		out = append(out, catObject{t.desc.Name, "BASE TABLE"})
	}
	for _, v := range c.views {
		out = append(out, catObject{v.Name, "VIEW"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// sortedViews returns the views ordered by name.
func (c *catalog) sortedViews() []*viewDesc {
	out := make([]*viewDesc, 0, len(c.views))
	for _, v := range c.views {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// view returns the view named name (case-insensitive) or nil; in a
// session's view of the catalog a temporary table hides the view of its
// name.
func (c *catalog) view(name string) *viewDesc {
	lc := strings.ToLower(name)
	if c.temps[lc] != nil {
		return nil
	}
	return c.views[lc]
}

// putView writes (creates or replaces) a view record.
func (w *catalogWriter) putView(d *viewDesc) error {
	if err := w.putRecord(catViewPrefix, d.Name, d); err != nil {
		return err
	}
	w.next.views[strings.ToLower(d.Name)] = d
	return nil
}

// dropView removes a view record.
func (w *catalogWriter) dropView(name string) error {
	if err := w.deleteRecord(catViewPrefix, name); err != nil {
		return err
	}
	delete(w.next.views, strings.ToLower(name))
	return nil
}

// errNotView is MySQL's error 1347 for DROP VIEW or CREATE OR REPLACE VIEW
// naming a table.
func errNotView(db, name string) *SQLError {
	return engErr(ErWrongObject, "'%s.%s' is not VIEW", db, name)
}

// errNotBaseTable is MySQL's error 1347 for a statement that needs a table
// but names a view.
func errNotBaseTable(db, name string) *SQLError {
	return engErr(ErWrongObject, "'%s.%s' is not BASE TABLE", db, name)
}

// createView runs CREATE VIEW: the query must plan against the current
// tables; its result column names become the view's.
func (sc *stmtCtx) createView(s *CreateViewStmt) error {
	if err := sc.checkSchema(s.View.Schema); err != nil {
		return err
	}
	name := s.View.Name
	if sc.cat.table(name) != nil {
		if s.OrReplace {
			return errNotView(sc.e.dbName, name)
		}
		return errTableExists(name)
	}
	old := sc.cat.view(name)
	if old != nil && !s.OrReplace {
		return errTableExists(name)
	}
	d := &viewDesc{Name: name, Select: s.Select, CheckOption: s.CheckOption}
	if old != nil {
		d.Name = old.Name // OR REPLACE keeps the name's spelling, as MySQL
	}
	cols, err := sc.viewColumns(d, s.Columns)
	if err != nil {
		return err
	}
	d.Columns, d.ExplicitColumns = cols, len(s.Columns) > 0
	w := newCatalogWriter(sc.e, sc.tx, sc.cat)
	if err := w.putView(d); err != nil {
		return err
	}
	return sc.commitCatalog(w)
}

// viewColumns plans view d's query (without running it) and returns the
// names of its result columns: explicit, if given, else the query's.
func (sc *stmtCtx) viewColumns(d *viewDesc, explicit []string) ([]string, error) {
	sel, err := parseViewQuery(d)
	if err != nil {
		return nil, err
	}
	if n := sc.cat.tempRef(sel); n != "" {
		return nil, engErr(1352, "View's SELECT refers to a temporary table '%s'", n)
	}
	child := sc.child()
	qp, err := child.planQuery(sel, nil, d.Select)
	if err != nil {
		return nil, err
	}
	qp.it.Close()
	names := explicit
	if len(explicit) > 0 && len(explicit) != len(qp.cols) {
		return nil, engErr(ErViewWrongList, "View's SELECT and view's field list have different column counts")
	}
	if len(explicit) == 0 {
		for _, c := range qp.cols {
			names = append(names, c.Name)
		}
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[strings.ToLower(n)] {
			return nil, engErr(ErDupFieldName, "Duplicate column name '%s'", n)
		}
		seen[strings.ToLower(n)] = true
	}
	return names, nil
}

// parseViewQuery parses the stored query of view d.
func parseViewQuery(d *viewDesc) (sqlparser.SelectStatement, error) {
	st, err := Parse(d.Select)
	if err != nil {
		return nil, err
	}
	if dml, ok := st.(*DMLStmt); ok {
		if sel, ok := dml.AST.(sqlparser.SelectStatement); ok {
			return sel, nil
		}
	}
	return nil, fmt.Errorf("%w: view %s: not a query", ErrCatalogCorrupt, d.Name)
}

// dropViews runs DROP VIEW.
func (sc *stmtCtx) dropViews(s *DropViewStmt) error {
	w := newCatalogWriter(sc.e, sc.tx, sc.cat)
	var missing []string
	for _, tn := range s.Views {
		if err := sc.checkSchema(tn.Schema); err != nil {
			return err
		}
		v := w.next.view(tn.Name)
		if v == nil {
			if w.next.table(tn.Name) != nil {
				return errNotView(sc.e.dbName, tn.Name)
			}
			missing = append(missing, sc.e.dbName+"."+tn.Name)
			continue
		}
		if err := w.dropView(v.Name); err != nil {
			return err
		}
	}
	if len(missing) > 0 && !s.IfExists {
		return engErr(ErBadTable, "Unknown table '%s'", strings.Join(missing, ","))
	}
	for _, m := range missing {
		sc.notef(ErBadTable, "Unknown table '%s'", m)
	}
	return sc.commitCatalog(w)
}

// viewTable plans a reference to view v in a FROM clause as a derived
// table named alias.
func (sc *stmtCtx) viewTable(v *viewDesc, alias string) (*fromTable, error) {
	if sc.depth >= maxViewDepth {
		return nil, engErr(ErViewRecursive, "`%s`.`%s` contains view recursion", sc.e.dbName, v.Name)
	}
	sel, err := parseViewQuery(v)
	if err != nil {
		return nil, err
	}
	ft, err := sc.derivedTableNamed(sel, alias, v.Select, v.Columns)
	var se *SQLError
	if err == errColumnCount || asSQLError(err, &se) && (se.Number == ErNoSuchTable || se.Number == ErBadField) {
		return nil, engErr(ErViewInvalid, "View '%s.%s' references invalid table(s) or column(s) or function(s) or definer/invoker of view lack rights to use them", sc.e.dbName, v.Name)
	}
	return ft, err
}

// viewColumn is one result column of a view as DESCRIBE and
// information_schema.COLUMNS show it.
type viewColumn struct {
	name     string
	typ      ColumnType // the column's type, or one made from its values'
	nullable bool
	src      *column // the table column it reads as is, or nil
}

// planInternal plans a SELECT the engine writes itself (text) in a child
// of the statement, which EXPLAIN does not describe.
func (sc *stmtCtx) planInternal(text string) (*queryPlan, error) {
	stmt, err := sqlparser.Parse(text)
	if err != nil {
		return nil, err
	}
	child := sc.child()
	child.xlog = nil
	return child.planQuery(stmt.(*sqlparser.Select), nil, "")
}

// describeViewFn is describeView, for information_schema.COLUMNS, whose
// table list the planner reads (a direct call would be an initialization
// cycle).
var describeViewFn func(sc *stmtCtx, v *viewDesc) ([]viewColumn, error)

func init() { describeViewFn = (*stmtCtx).describeView }

// describeView describes the result columns of view v: a column that reads
// a table column as is has that column's type, default and collation;
// an expression's type is its result type (from its first row when only
// the values tell).
func (sc *stmtCtx) describeView(v *viewDesc) ([]viewColumn, error) {
	qp, err := sc.planInternal("SELECT * FROM " + quoteIdent(v.Name))
	if err != nil {
		return nil, err
	}
	defer qp.it.Close()
	var first []Value
	out := make([]viewColumn, 0, qp.width)
	for i, ci := range qp.cols[:qp.width] {
		vc := viewColumn{name: ci.Name, nullable: ci.Nullable || !ci.NullableOK, src: ci.src}
		if ci.src != nil {
			vc.typ = ci.src.typ
			out = append(out, vc)
			continue
		}
		name := ci.DatabaseTypeName
		if name == "" {
			if first == nil {
				if r, err := qp.it.Next(); err == nil {
					first = cloneRow(r)
				} else if err != io.EOF {
					return nil, err
				} else {
					first = []Value{}
				}
			}
			name = "VARCHAR"
			if i < len(first) && first[i].K != KindNull {
				name = kindTypeName(first[i])
			}
		}
		vc.typ = typeOfInfo(name, ci)
		out = append(out, vc)
	}
	return out, nil
}

// typeOfInfo returns a column type for a result column described by its
// MySQL type name (DatabaseTypeName) and ci's length and precision.
func typeOfInfo(name string, ci ColumnInfo) ColumnType {
	switch strings.ToUpper(name) {
	case "BIGINT":
		return ColumnType{Base: TypeBigInt}
	case "UNSIGNED BIGINT":
		return ColumnType{Base: TypeBigInt, Unsigned: true}
	case "INT":
		return ColumnType{Base: TypeInt}
	case "DOUBLE":
		return ColumnType{Base: TypeDouble}
	case "FLOAT":
		return ColumnType{Base: TypeFloat}
	case "DECIMAL":
		if ci.DecimalOK {
			return ColumnType{Base: TypeDecimal, Precision: int(ci.Precision), Scale: int(ci.Scale)}
		}
		return ColumnType{Base: TypeDecimal, Precision: 65, Scale: 30}
	case "DATE":
		return ColumnType{Base: TypeDate}
	case "TIME":
		return ColumnType{Base: TypeTime}
	case "DATETIME":
		return ColumnType{Base: TypeDatetime}
	case "TIMESTAMP":
		return ColumnType{Base: TypeTimestamp}
	case "JSON":
		return ColumnType{Base: TypeJSON}
	case "VARBINARY", "BLOB", "BINARY":
		if ci.LengthOK && ci.Length > 0 && ci.Length <= 65535 {
			return ColumnType{Base: TypeVarBinary, Length: int(ci.Length)}
		}
		return ColumnType{Base: TypeBlob, Length: 1<<32 - 1}
	case "NULL":
		return ColumnType{Base: TypeBinary}
	}
	if ci.LengthOK && ci.Length > 0 && ci.Length <= 16383 {
		return ColumnType{Base: TypeVarChar, Length: int(ci.Length)}
	}
	return ColumnType{Base: TypeText, Length: 1<<32 - 1}
}
