package sqlfront

import "github.com/xwb1989/sqlparser"

// AST of the statements that are not DDL: DML (sqlparser's AST, wrapped),
// EXPLAIN, transactions, SET, SHOW, USE and SYNC. The DDL statements are in
// ddl_ast.go. Every field is as written in the statement unless its comment
// says otherwise; the engine applies MySQL's defaults.

// TableName names a table, optionally qualified by its database
// (`db`.`t`).
type TableName struct {
	Schema string // database qualifier; "" when unqualified
	Name   string // table name, case as written
}

// SQLExpr is an expression embedded in one of our statements (a column
// DEFAULT, ON UPDATE, CHECK, a SET value, a SHOW … WHERE filter).
type SQLExpr struct {
	// Expr is the parsed expression; `?` markers in it are ValArgs
	// numbered across the whole statement (see NumPlaceholders). It is
	// nil only in a CHECK that sqlparser cannot parse.
	Expr sqlparser.Expr
	// Text is the expression's source text as written, comments and `?`
	// included: "CURRENT_TIMESTAMP(3)", "'abc'", "-1", "(uuid())". Use it
	// to echo the expression (SHOW CREATE TABLE, COLUMN_DEFAULT).
	Text string
}

// DMLStmt is a SELECT, UNION, INSERT, REPLACE, UPDATE or DELETE, parsed by
// sqlparser. `?` markers appear in the AST as ValArg ":v1", ":v2", ….
type DMLStmt struct {
	// AST is *sqlparser.Select, *sqlparser.Union, *sqlparser.ParenSelect,
	// *sqlparser.Insert (Action "insert" or "replace"), *sqlparser.Update
	// or *sqlparser.Delete.
	AST sqlparser.Statement
	// Into are the user variables of SELECT ... INTO @a, @b (names
	// lowercased, without '@'); nil without INTO.
	Into []string
}

// ExplainStmt is EXPLAIN (or DESCRIBE / DESC) followed by a statement:
//
//	EXPLAIN [FORMAT = name] [ANALYZE] {SELECT … | INSERT … | REPLACE … | UPDATE … | DELETE …}
//
// EXPLAIN followed by a table name is a *ShowStmt of kind ShowColumns.
type ExplainStmt struct {
	Inner   Statement // the explained statement, always a *DMLStmt
	Format  string    // FORMAT = name, lowercased ("traditional", "json", "tree"); "" if not given
	Analyze bool      // EXPLAIN ANALYZE: run the statement and report actual costs
}

// TxAccess is a transaction's access mode.
type TxAccess uint8

// The transaction access modes.
const (
	TxAccessDefault   TxAccess = iota // not specified: read-write unless the session says otherwise
	TxAccessReadOnly                  // READ ONLY
	TxAccessReadWrite                 // READ WRITE
)

// String returns the mode as MySQL writes it.
func (a TxAccess) String() string {
	switch a {
	case TxAccessReadOnly:
		return "READ ONLY"
	case TxAccessReadWrite:
		return "READ WRITE"
	}
	return ""
}

// BeginStmt starts a transaction:
//
//	BEGIN [WORK]
//	START TRANSACTION [characteristic [, characteristic] …]
//	characteristic: WITH CONSISTENT SNAPSHOT | READ ONLY | READ WRITE
type BeginStmt struct {
	Access             TxAccess // READ ONLY / READ WRITE; TxAccessDefault if neither was given
	ConsistentSnapshot bool     // WITH CONSISTENT SNAPSHOT: take the snapshot now, not at the first read
}

// CommitStmt is COMMIT [WORK].
type CommitStmt struct{}

// RollbackStmt is ROLLBACK [WORK]: roll back the whole transaction.
// ROLLBACK … TO SAVEPOINT is a *RollbackToSavepointStmt.
type RollbackStmt struct{}

// SavepointStmt is SAVEPOINT name.
type SavepointStmt struct {
	Name string // savepoint name, case as written (MySQL compares savepoint names case-insensitively)
}

// ReleaseSavepointStmt is RELEASE SAVEPOINT name.
type ReleaseSavepointStmt struct {
	Name string // savepoint name, case as written
}

// RollbackToSavepointStmt is ROLLBACK [WORK] TO [SAVEPOINT] name. The
// transaction stays open; savepoints set after name are discarded.
type RollbackToSavepointStmt struct {
	Name string // savepoint name, case as written
}

// SetScope is the scope of a SET or SHOW on variables.
type SetScope uint8

// The variable scopes.
const (
	// ScopeDefault: no scope keyword. For SET var it means SESSION; for SET
	// TRANSACTION it means the next transaction only; for SHOW VARIABLES
	// and SHOW STATUS it means SESSION.
	ScopeDefault SetScope = iota
	ScopeSession          // SESSION, LOCAL, @@session., @@local.
	ScopeGlobal           // GLOBAL, @@global.
)

// String returns the scope keyword, or "" for ScopeDefault.
func (s SetScope) String() string {
	switch s {
	case ScopeSession:
		return "SESSION"
	case ScopeGlobal:
		return "GLOBAL"
	}
	return ""
}

// IsolationLevel is a transaction isolation level.
type IsolationLevel uint8

// The isolation levels.
const (
	IsolationUnspecified     IsolationLevel = iota // not given: unchanged
	IsolationReadUncommitted                       // READ UNCOMMITTED
	IsolationReadCommitted                         // READ COMMITTED
	IsolationRepeatableRead                        // REPEATABLE READ
	IsolationSerializable                          // SERIALIZABLE
)

// String returns the level as MySQL writes it.
func (l IsolationLevel) String() string {
	switch l {
	case IsolationReadUncommitted:
		return "READ UNCOMMITTED"
	case IsolationReadCommitted:
		return "READ COMMITTED"
	case IsolationRepeatableRead:
		return "REPEATABLE READ"
	case IsolationSerializable:
		return "SERIALIZABLE"
	}
	return ""
}

// SetTransactionStmt sets transaction characteristics:
//
//	SET [GLOBAL | SESSION] TRANSACTION characteristic [, characteristic]
//	characteristic: ISOLATION LEVEL level | READ ONLY | READ WRITE
type SetTransactionStmt struct {
	// Scope is ScopeDefault (the next transaction only), ScopeSession or
	// ScopeGlobal.
	Scope     SetScope
	Isolation IsolationLevel // IsolationUnspecified if not given
	Access    TxAccess       // TxAccessDefault if not given
}

// SetNamesStmt sets the connection character set:
//
//	SET NAMES {charset | DEFAULT} [COLLATE collation]
//	SET {CHARACTER SET | CHARSET} {charset | DEFAULT}
//
// bxdb stores UTF-8 only; the engine accepts it and may check the name.
type SetNamesStmt struct {
	Charset      string // character set name as written; "default" for DEFAULT
	Collate      string // COLLATE name; "" if not given
	CharacterSet bool   // the SET CHARACTER SET / SET CHARSET form
}

// SetStmt assigns variables: SET assignment [, assignment] …
//
//	assignment: [GLOBAL | SESSION | LOCAL] name = expr
//	          | @@[global. | session. | local.]name = expr
//	          | @name = expr
type SetStmt struct {
	Assignments []*SetAssignment // in order; at least one
}

// SetAssignment is one variable assignment of a SetStmt.
type SetAssignment struct {
	// Scope of a system variable. A scope keyword also applies to the
	// assignments after it that have none, as in MySQL. Always
	// ScopeDefault for user variables.
	Scope SetScope
	// Name is the variable name, lowercased (MySQL variable names are
	// case-insensitive), without "@", "@@" or a scope prefix:
	// "autocommit", "sql_mode", "foreign_key_checks".
	Name string
	// UserVar is true for @name, a user-defined variable.
	UserVar bool
	// Value is the assigned expression. A bare word such as ON, OFF or
	// TRADITIONAL is a string literal ('ON'); DEFAULT is *sqlparser.Default.
	Value SQLExpr
}

// ShowKind says which SHOW statement a ShowStmt is.
type ShowKind uint8

// The SHOW statements.
const (
	ShowTables        ShowKind = iota + 1 // SHOW [FULL] TABLES [{FROM | IN} db] [filter]
	ShowColumns                           // SHOW [FULL] {COLUMNS | FIELDS} {FROM | IN} t [{FROM | IN} db] [filter]; DESCRIBE t [col]
	ShowIndex                             // SHOW {INDEX | INDEXES | KEYS} {FROM | IN} t [{FROM | IN} db] [WHERE expr]
	ShowCreateTable                       // SHOW CREATE TABLE t
	ShowDatabases                         // SHOW {DATABASES | SCHEMAS} [filter]
	ShowVariables                         // SHOW [GLOBAL | SESSION] VARIABLES [filter]
	ShowStatus                            // SHOW [GLOBAL | SESSION] STATUS [filter]
	ShowTableStatus                       // SHOW TABLE STATUS [{FROM | IN} db] [filter]
	ShowWarnings                          // SHOW WARNINGS [LIMIT [offset,] n]; SHOW COUNT(*) WARNINGS
	ShowErrors                            // SHOW ERRORS [LIMIT [offset,] n]; SHOW COUNT(*) ERRORS
	ShowTriggers                          // SHOW TRIGGERS [{FROM | IN} db] [filter] (LIKE matches table names)
	ShowCreateTrigger                     // SHOW CREATE TRIGGER [db.]name
	ShowCreateView                        // SHOW CREATE VIEW [db.]v
)

// String returns the statement's keywords, e.g. "SHOW TABLE STATUS".
func (k ShowKind) String() string {
	switch k {
	case ShowTables:
		return "SHOW TABLES"
	case ShowColumns:
		return "SHOW COLUMNS"
	case ShowIndex:
		return "SHOW INDEX"
	case ShowCreateTable:
		return "SHOW CREATE TABLE"
	case ShowDatabases:
		return "SHOW DATABASES"
	case ShowVariables:
		return "SHOW VARIABLES"
	case ShowStatus:
		return "SHOW STATUS"
	case ShowTableStatus:
		return "SHOW TABLE STATUS"
	case ShowWarnings:
		return "SHOW WARNINGS"
	case ShowErrors:
		return "SHOW ERRORS"
	case ShowTriggers:
		return "SHOW TRIGGERS"
	case ShowCreateView:
		return "SHOW CREATE VIEW"
	case ShowCreateTrigger:
		return "SHOW CREATE TRIGGER"
	}
	return "SHOW"
}

// ShowStmt is a SHOW statement, or DESCRIBE / DESC / EXPLAIN of a table
// (which is SHOW COLUMNS FROM t).
type ShowStmt struct {
	Kind     ShowKind
	Full     bool        // SHOW FULL TABLES (adds Table_type) / SHOW FULL COLUMNS (adds Collation, Privileges, Comment)
	Table    TableName   // ShowColumns, ShowIndex, ShowCreateTable: the table; ShowCreateView: the view; ShowCreateTrigger: the trigger
	Database string      // FROM db / IN db; "" for the current database
	Scope    SetScope    // ShowVariables, ShowStatus: GLOBAL or SESSION
	Filter   *ShowFilter // LIKE or WHERE; nil if none
	Count    bool        // ShowWarnings, ShowErrors: SHOW COUNT(*) WARNINGS / ERRORS
	Limit    *ShowLimit  // ShowWarnings, ShowErrors: LIMIT [offset,] row_count; nil if none
}

// ShowLimit is the LIMIT of SHOW WARNINGS and SHOW ERRORS.
type ShowLimit struct {
	Offset, Count uint64
}

// ShowFilter is the LIKE or WHERE clause of a SHOW statement. For
// DESCRIBE t col, Like is col (MySQL treats it as a LIKE pattern).
type ShowFilter struct {
	Like  string   // LIKE pattern (string contents); meaningful when Where is nil
	Where *SQLExpr // WHERE expression over the result's columns; nil for LIKE
}

// UseStmt is USE db.
type UseStmt struct {
	Database string // database name, case as written
}

// SyncStmt is SYNC TABLE t WITH 'url': synchronize a table's rows with a
// remote bxdb server.
type SyncStmt struct {
	Table TableName
	URL   string // the remote, e.g. "bxdb://host:port" (string contents, not validated)
}

// TableMaintStmt is ANALYZE, OPTIMIZE or CHECK TABLE t, ....
type TableMaintStmt struct {
	Op     string // "analyze", "optimize" or "check"
	Tables []TableName
}

func (*TableMaintStmt) statementNode()          {}
func (*DMLStmt) statementNode()                 {}
func (*ExplainStmt) statementNode()             {}
func (*BeginStmt) statementNode()               {}
func (*CommitStmt) statementNode()              {}
func (*RollbackStmt) statementNode()            {}
func (*SavepointStmt) statementNode()           {}
func (*ReleaseSavepointStmt) statementNode()    {}
func (*RollbackToSavepointStmt) statementNode() {}
func (*SetTransactionStmt) statementNode()      {}
func (*SetNamesStmt) statementNode()            {}
func (*SetStmt) statementNode()                 {}
func (*ShowStmt) statementNode()                {}
func (*UseStmt) statementNode()                 {}
func (*SyncStmt) statementNode()                {}
