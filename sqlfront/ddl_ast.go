package sqlfront

import "github.com/xwb1989/sqlparser"

// AST of the DDL statements: CREATE TABLE, CREATE INDEX, ALTER TABLE, DROP
// TABLE, DROP INDEX, TRUNCATE. Every field holds what the statement says,
// as written (identifiers keep their case); where MySQL fills in a default
// (PRIMARY KEY implies NOT NULL, CHAR means CHAR(1), DECIMAL means
// DECIMAL(10,0), index names) the field comment says so and the engine
// applies it.

// CreateTableStmt is CREATE TABLE:
//
//	CREATE TABLE [IF NOT EXISTS] t (element [, element] …) [option [[,] option] …]
//	element: column definition | table constraint
type CreateTableStmt struct {
	Table       TableName
	IfNotExists bool
	// Temporary is CREATE TEMPORARY TABLE: the table belongs to the
	// session (temptable.go). It combines with every form (LIKE, AS).
	Temporary bool
	// Columns in declaration order. Empty if the statement declares only
	// constraints (MySQL error 1113, for the engine to report).
	Columns []*ColumnDef
	// Indexes declared as table constraints (PRIMARY KEY, UNIQUE, KEY,
	// INDEX), in order. Column-level PRIMARY KEY and UNIQUE are flags on
	// the ColumnDef, not listed here.
	Indexes []*IndexDef
	// ForeignKeys declared as table constraints. Column-level REFERENCES
	// are on the ColumnDef.
	ForeignKeys []*ForeignKeyDef
	// Checks declared as table constraints. Column-level CHECKs are on the
	// ColumnDef.
	Checks []*CheckDef
	// AutoIncrement is the AUTO_INCREMENT = n table option: the first
	// value the auto-increment column hands out. 0 if not given.
	AutoIncrement uint64
	// Options are all table options in order, AUTO_INCREMENT included.
	// bxdb ignores them; they are kept for SHOW CREATE TABLE.
	Options []TableOption
	// Like is the table of CREATE TABLE t LIKE like (nothing else is set
	// then but Table and IfNotExists).
	Like *TableName
	// AsQuery is the query of CREATE TABLE t [AS] SELECT ... (nothing else
	// is set then but Table and IfNotExists).
	AsQuery sqlparser.SelectStatement
}

// TableOption is one table option, such as ENGINE=InnoDB.
type TableOption struct {
	// Name is the option's canonical lowercase name: "engine", "charset"
	// (for [DEFAULT] CHARSET and [DEFAULT] CHARACTER SET), "collate",
	// "auto_increment", "comment", "row_format", ….
	Name string
	// Value is as written: a name, a number's digits or a string's
	// contents.
	Value string
}

// ColumnDef is one column definition:
//
//	name type [attribute …]
//	attribute: NULL | NOT NULL | DEFAULT value | ON UPDATE CURRENT_TIMESTAMP[(p)]
//	         | AUTO_INCREMENT | [PRIMARY] KEY | UNIQUE [KEY] | COMMENT 'text'
//	         | [CONSTRAINT [name]] CHECK (expr) [[NOT] ENFORCED]
//	         | REFERENCES t (cols) [ON DELETE action] [ON UPDATE action]
//	         | CHARACTER SET x | CHARSET x | COLLATE x
type ColumnDef struct {
	Name string // column name, case as written
	Type DDLColumnType
	// NotNull is true when NOT NULL was written (the last of NULL / NOT
	// NULL wins). NB: MySQL also makes PRIMARY KEY columns NOT NULL; the
	// parser does not, the engine must.
	NotNull bool
	// Default is the DEFAULT clause; nil if none. Its Expr is a literal
	// (*sqlparser.SQLVal, *sqlparser.NullVal, sqlparser.BoolVal, a signed
	// number as *sqlparser.SQLVal or *sqlparser.UnaryExpr), a
	// *sqlparser.FuncExpr named "current_timestamp" (for CURRENT_TIMESTAMP,
	// NOW(), LOCALTIME, LOCALTIMESTAMP; its one argument, if any, is the
	// fractional-seconds precision) or a *sqlparser.ParenExpr for a MySQL 8
	// expression default "(expr)".
	Default *SQLExpr
	// OnUpdate is ON UPDATE CURRENT_TIMESTAMP[(p)] (or NOW(), …): the
	// value written on every UPDATE of the row; nil if none. Its Expr is
	// the same *sqlparser.FuncExpr as for DEFAULT CURRENT_TIMESTAMP.
	OnUpdate *SQLExpr
	// Generated is the expression of a generated column ([GENERATED
	// ALWAYS] AS (expr) [VIRTUAL | STORED]); nil for other columns.
	// GenStored is true for STORED (bxdb stores VIRTUAL ones too).
	Generated     *SQLExpr
	GenStored     bool
	AutoIncrement bool // AUTO_INCREMENT (also SQLite's AUTOINCREMENT)
	PrimaryKey    bool // column-level PRIMARY KEY, or KEY alone (MySQL's synonym)
	Unique        bool // column-level UNIQUE [KEY]; MySQL names the index after the column
	Comment       string
	// Checks are column-level CHECK constraints, in order.
	Checks []*CheckDef
	// References is a column-level REFERENCES clause, with Columns ==
	// [Name]; nil if none. NB: MySQL parses and ignores these (only table
	// constraints create foreign keys); so may the engine.
	References *ForeignKeyDef
}

// TypeKind is a column's base data type as written, synonyms merged. (The
// engine's own type model is BaseType; TypeKind is only the syntax.)
type TypeKind uint8

// The column types. Comments give the spellings that map to each.
const (
	DDLTypeTinyInt    TypeKind = iota + 1 // TINYINT, INT1
	DDLTypeSmallInt                       // SMALLINT, INT2
	DDLTypeMediumInt                      // MEDIUMINT, INT3, MIDDLEINT
	DDLTypeInt                            // INT, INTEGER, INT4
	DDLTypeBigInt                         // BIGINT, INT8
	DDLTypeBool                           // BOOL, BOOLEAN (MySQL's TINYINT(1))
	DDLTypeBit                            // BIT[(n)]
	DDLTypeFloat                          // FLOAT, FLOAT4
	DDLTypeDouble                         // DOUBLE [PRECISION], REAL, FLOAT8
	DDLTypeDecimal                        // DECIMAL, DEC, NUMERIC, FIXED
	DDLTypeChar                           // CHAR, CHARACTER, NCHAR
	DDLTypeVarChar                        // VARCHAR, VARCHARACTER, NVARCHAR
	DDLTypeTinyText                       // TINYTEXT
	DDLTypeText                           // TEXT
	DDLTypeMediumText                     // MEDIUMTEXT
	DDLTypeLongText                       // LONGTEXT
	DDLTypeBinary                         // BINARY
	DDLTypeVarBinary                      // VARBINARY
	DDLTypeTinyBlob                       // TINYBLOB
	DDLTypeBlob                           // BLOB
	DDLTypeMediumBlob                     // MEDIUMBLOB
	DDLTypeLongBlob                       // LONGBLOB
	DDLTypeDate                           // DATE
	DDLTypeDateTime                       // DATETIME
	DDLTypeTimestamp                      // TIMESTAMP
	DDLTypeTime                           // TIME
	DDLTypeYear                           // YEAR
	DDLTypeJSON                           // JSON
	DDLTypeEnum                           // ENUM('a', …); stored as text
	DDLTypeSet                            // SET('a', …); stored as text
)

// typeNames are the canonical lowercase MySQL names of the kinds.
var typeNames = [...]string{
	DDLTypeTinyInt: "tinyint", DDLTypeSmallInt: "smallint", DDLTypeMediumInt: "mediumint",
	DDLTypeInt: "int", DDLTypeBigInt: "bigint", DDLTypeBool: "boolean", DDLTypeBit: "bit",
	DDLTypeFloat: "float", DDLTypeDouble: "double", DDLTypeDecimal: "decimal",
	DDLTypeChar: "char", DDLTypeVarChar: "varchar", DDLTypeTinyText: "tinytext",
	DDLTypeText: "text", DDLTypeMediumText: "mediumtext", DDLTypeLongText: "longtext",
	DDLTypeBinary: "binary", DDLTypeVarBinary: "varbinary", DDLTypeTinyBlob: "tinyblob",
	DDLTypeBlob: "blob", DDLTypeMediumBlob: "mediumblob", DDLTypeLongBlob: "longblob",
	DDLTypeDate: "date", DDLTypeDateTime: "datetime", DDLTypeTimestamp: "timestamp",
	DDLTypeTime: "time", DDLTypeYear: "year", DDLTypeJSON: "json", DDLTypeEnum: "enum",
	DDLTypeSet: "set",
}

// String returns the kind's canonical lowercase MySQL name ("int",
// "varchar", "boolean").
func (k TypeKind) String() string {
	if int(k) < len(typeNames) && typeNames[k] != "" {
		return typeNames[k]
	}
	return "unknown"
}

// DDLColumnType is a column's data type as written in DDL. Zero numbers
// mean "not written"; the engine applies MySQL's defaults.
type DDLColumnType struct {
	Kind TypeKind
	// Length is n in CHAR(n), VARCHAR(n), BINARY(n), VARBINARY(n), BIT(n),
	// TEXT(n), BLOB(n) and YEAR(n), and the display width M of an integer
	// type (INT(11), TINYINT(1)). 0 if not written: MySQL reads CHAR and
	// BINARY as length 1, BIT as 1, and requires a VARCHAR length (which
	// bxdb does not: VARCHAR alone is unbounded, as in SQLite).
	Length int
	// ZeroLength: the length was written as 0, as in CHAR(0) and
	// VARCHAR(0) (they hold only '' and NULL).
	ZeroLength bool
	// Precision is M and Scale is D in DECIMAL(M[,D]), FLOAT(M[,D]) and
	// DOUBLE(M,D); 0 if not written (MySQL's DECIMAL is DECIMAL(10,0)).
	// FLOAT(p) with one argument is MySQL's precision in bits: p > 24
	// means DOUBLE.
	Precision, Scale int
	// FSP is the fractional-seconds precision p (0…6) of DATETIME(p),
	// TIMESTAMP(p) and TIME(p); 0 if not written.
	FSP      int
	Unsigned bool // UNSIGNED (numeric types)
	Zerofill bool // ZEROFILL; display only (MySQL also makes the column UNSIGNED)
	// Values are the members of ENUM or SET, in order, as string contents
	// (unquoted, unescaped).
	Values []string
	// Charset and Collate are CHARACTER SET / CHARSET and COLLATE, from
	// the type or the column attributes; "" if not given. bxdb stores
	// UTF-8 text; the collation decides comparisons and keys
	// (collation.go).
	Charset, Collate string
	// Binary is the BINARY attribute of a string type (VARCHAR(n)
	// BINARY): the character set's _bin collation.
	Binary bool
}

// IndexKind says whether an index is the primary key, unique or plain.
type IndexKind uint8

// The index kinds.
const (
	IndexPlain    IndexKind = iota + 1 // KEY / INDEX
	IndexUnique                        // UNIQUE [KEY | INDEX]
	IndexPrimary                       // PRIMARY KEY
	IndexFullText                      // FULLTEXT [INDEX | KEY] (fulltext.go)
)

// String returns the kind as MySQL writes it in a definition.
func (k IndexKind) String() string {
	switch k {
	case IndexPlain:
		return "KEY"
	case IndexUnique:
		return "UNIQUE KEY"
	case IndexPrimary:
		return "PRIMARY KEY"
	case IndexFullText:
		return "FULLTEXT KEY"
	}
	return "unknown"
}

// IndexDef is an index: a table constraint in CREATE TABLE, ALTER TABLE …
// ADD, or CREATE INDEX.
//
//	[CONSTRAINT [symbol]] PRIMARY KEY [USING type] (key_part, …) [option …]
//	[CONSTRAINT [symbol]] UNIQUE [INDEX | KEY] [name] [USING type] (key_part, …) [option …]
//	{INDEX | KEY} [name] [USING type] (key_part, …) [option …]
//	FULLTEXT [INDEX | KEY] [name] (col, …) [option …]
//	option: USING type | COMMENT 'text' | KEY_BLOCK_SIZE [=] n | VISIBLE | INVISIBLE
type IndexDef struct {
	Kind IndexKind
	// Name is the index name; for UNIQUE without one, the CONSTRAINT
	// symbol. "" if neither was given: MySQL then names a primary key
	// "PRIMARY" and another index after its first column (adding _2, _3, …
	// on collision). CREATE INDEX always has a name. The CONSTRAINT symbol
	// of a PRIMARY KEY is ignored, as in MySQL.
	Name    string
	Columns []IndexColumn // at least one
	Using   string        // USING BTREE / HASH, uppercased; "" if not given; ignored by bxdb
	Comment string
}

// IndexColumn is one key part of an index: col [(length)] [ASC | DESC].
type IndexColumn struct {
	Name   string // column name, case as written
	Length int    // prefix length in characters (bytes for binary types); 0 for the whole value
	Desc   bool   // DESC; ASC and no order are both false
}

// RefAction is a foreign key's referential action.
type RefAction uint8

// The referential actions.
const (
	RefActionDefault    RefAction = iota // not given: MySQL uses NO ACTION (= RESTRICT)
	RefActionRestrict                    // RESTRICT
	RefActionCascade                     // CASCADE
	RefActionSetNull                     // SET NULL
	RefActionNoAction                    // NO ACTION
	RefActionSetDefault                  // SET DEFAULT
)

// String returns the action as MySQL writes it; "" for RefActionDefault.
func (a RefAction) String() string {
	switch a {
	case RefActionRestrict:
		return "RESTRICT"
	case RefActionCascade:
		return "CASCADE"
	case RefActionSetNull:
		return "SET NULL"
	case RefActionNoAction:
		return "NO ACTION"
	case RefActionSetDefault:
		return "SET DEFAULT"
	}
	return ""
}

// ForeignKeyDef is a foreign key:
//
//	[CONSTRAINT [symbol]] FOREIGN KEY [index_name] (col, …)
//	    REFERENCES t (col, …) [MATCH FULL | PARTIAL | SIMPLE]
//	    [ON DELETE action] [ON UPDATE action]
//
// The parser keeps it; the engine may ignore it.
type ForeignKeyDef struct {
	Name       string    // CONSTRAINT symbol; "" if not given
	IndexName  string    // index_name after FOREIGN KEY; "" if not given
	Columns    []string  // referencing columns of this table
	RefTable   TableName // referenced table
	RefColumns []string  // referenced columns, as many as Columns
	OnDelete   RefAction
	OnUpdate   RefAction
}

// CheckDef is a CHECK constraint: [CONSTRAINT [symbol]] CHECK (expr)
// [[NOT] ENFORCED].
type CheckDef struct {
	Name string // CONSTRAINT symbol; "" if not given
	// Expr is the condition inside the parentheses. Expr.Expr is nil if
	// sqlparser cannot parse it; the statement still parses (MySQL
	// features beyond sqlparser's grammar must not break DDL).
	Expr        SQLExpr
	NotEnforced bool // NOT ENFORCED: declared but not checked
}

// CreateIndexStmt is CREATE INDEX:
//
//	CREATE [UNIQUE] INDEX [IF NOT EXISTS] name [USING type] ON t (key_part, …) [option …]
type CreateIndexStmt struct {
	Table       TableName
	Index       *IndexDef // Kind is IndexUnique or IndexPlain; Name is set
	IfNotExists bool      // IF NOT EXISTS (MariaDB, SQLite)
}

// DropIndexStmt is DROP INDEX [IF EXISTS] name [ON t]. Without ON (SQLite's
// form) the engine finds the table by the index name.
type DropIndexStmt struct {
	Name     string
	Table    TableName // zero if there was no ON clause
	IfExists bool
}

// DropTableStmt is DROP TABLE [IF EXISTS] t [, t …] [RESTRICT | CASCADE]
// (RESTRICT and CASCADE are accepted and ignored, as in MySQL).
type DropTableStmt struct {
	Tables   []TableName // at least one
	IfExists bool
	// Temporary is DROP TEMPORARY TABLE: only the session's temporary
	// tables are dropped (temptable.go).
	Temporary bool
}

// TruncateStmt is TRUNCATE [TABLE] t.
type TruncateStmt struct {
	Table TableName
}

// AlterTableStmt is ALTER TABLE t [spec [, spec] …]. The specs apply in
// order; MySQL applies them atomically.
type AlterTableStmt struct {
	Table TableName
	Specs []AlterSpec // possibly empty (a no-op in MySQL)
}

// AlterSpec is one change of an ALTER TABLE: one of the *…Spec types below.
type AlterSpec interface {
	alterSpecNode()
}

// ColumnPosition is FIRST or AFTER col in ADD, MODIFY and CHANGE COLUMN.
// The zero value means "at the end" for ADD and "unchanged" otherwise.
type ColumnPosition struct {
	First bool   // FIRST
	After string // AFTER col; "" if not given
}

// AddColumnSpec is ADD [COLUMN] col_def [FIRST | AFTER c]. ADD [COLUMN]
// (col_def, …) yields one AddColumnSpec per column.
type AddColumnSpec struct {
	Column   *ColumnDef
	Position ColumnPosition
}

// DropColumnSpec is DROP [COLUMN] c.
type DropColumnSpec struct {
	Name string
}

// ModifyColumnSpec is MODIFY [COLUMN] col_def [FIRST | AFTER c]: replace
// the definition of column Column.Name.
type ModifyColumnSpec struct {
	Column   *ColumnDef
	Position ColumnPosition
}

// ChangeColumnSpec is CHANGE [COLUMN] old col_def [FIRST | AFTER c]:
// rename column OldName to Column.Name and replace its definition.
type ChangeColumnSpec struct {
	OldName  string
	Column   *ColumnDef
	Position ColumnPosition
}

// RenameColumnSpec is RENAME COLUMN old TO new.
type RenameColumnSpec struct {
	OldName, NewName string
}

// AlterColumnDefaultSpec is ALTER [COLUMN] c SET DEFAULT value or ALTER
// [COLUMN] c DROP DEFAULT.
type AlterColumnDefaultSpec struct {
	Column  string
	Default *SQLExpr // the new default, as in ColumnDef.Default; nil for DROP DEFAULT
}

// AlterIndexSpec is ALTER INDEX name {VISIBLE | INVISIBLE}. Index
// visibility only steers MySQL's optimizer; bxdb checks the index exists
// and keeps nothing.
type AlterIndexSpec struct {
	Index   string
	Visible bool
}

// AddIndexSpec is ADD {INDEX | KEY | UNIQUE | PRIMARY KEY | CONSTRAINT …}:
// an index table constraint.
type AddIndexSpec struct {
	Index *IndexDef
}

// AddForeignKeySpec is ADD [CONSTRAINT [symbol]] FOREIGN KEY ….
type AddForeignKeySpec struct {
	ForeignKey *ForeignKeyDef
}

// AddCheckSpec is ADD [CONSTRAINT [symbol]] CHECK (expr).
type AddCheckSpec struct {
	Check *CheckDef
}

// DropIndexSpec is DROP {INDEX | KEY} name.
type DropIndexSpec struct {
	Name string
}

// DropPrimaryKeySpec is DROP PRIMARY KEY.
type DropPrimaryKeySpec struct{}

// DropForeignKeySpec is DROP FOREIGN KEY name.
type DropForeignKeySpec struct {
	Name string
}

// DropCheckSpec is DROP CHECK name.
type DropCheckSpec struct {
	Name string
}

// DropConstraintSpec is DROP CONSTRAINT name: a unique index, foreign key
// or check constraint, whichever has that name.
type DropConstraintSpec struct {
	Name string
}

// RenameIndexSpec is RENAME {INDEX | KEY} old TO new.
type RenameIndexSpec struct {
	OldName, NewName string
}

// RenameTableSpec is RENAME [TO | AS] new_table.
type RenameTableSpec struct {
	NewName TableName
}

// TableOptionSpec is a table option in ALTER TABLE, such as
// AUTO_INCREMENT = 100 or ENGINE = InnoDB, and ALGORITHM = … / LOCK = …
// (Name "algorithm" / "lock"), all of which bxdb may ignore except
// auto_increment.
type TableOptionSpec struct {
	Option TableOption
}

func (*CreateTableStmt) statementNode() {}
func (*CreateIndexStmt) statementNode() {}
func (*DropIndexStmt) statementNode()   {}
func (*DropTableStmt) statementNode()   {}
func (*TruncateStmt) statementNode()    {}
func (*AlterTableStmt) statementNode()  {}
func (*RenameTableStmt) statementNode() {}

func (*AddColumnSpec) alterSpecNode()          {}
func (*DropColumnSpec) alterSpecNode()         {}
func (*ModifyColumnSpec) alterSpecNode()       {}
func (*ChangeColumnSpec) alterSpecNode()       {}
func (*RenameColumnSpec) alterSpecNode()       {}
func (*AlterColumnDefaultSpec) alterSpecNode() {}
func (*AlterIndexSpec) alterSpecNode()         {}
func (*AddIndexSpec) alterSpecNode()           {}
func (*AddForeignKeySpec) alterSpecNode()      {}
func (*AddCheckSpec) alterSpecNode()           {}
func (*DropIndexSpec) alterSpecNode()          {}
func (*DropPrimaryKeySpec) alterSpecNode()     {}
func (*DropForeignKeySpec) alterSpecNode()     {}
func (*DropCheckSpec) alterSpecNode()          {}
func (*DropConstraintSpec) alterSpecNode()     {}
func (*RenameIndexSpec) alterSpecNode()        {}
func (*RenameTableSpec) alterSpecNode()        {}
func (*TableOptionSpec) alterSpecNode()        {}

// RenameTableStmt is RENAME TABLE a TO b [, c TO d] ...: the renames run
// in order, each seeing the ones before, as one atomic statement.
type RenameTableStmt struct {
	Pairs []RenamePair
}

// RenamePair is one "a TO b" of RENAME TABLE.
type RenamePair struct {
	From, To TableName
}
