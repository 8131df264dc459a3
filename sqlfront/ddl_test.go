package sqlfront

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xwb1989/sqlparser"
)

// astOpts compares embedded sqlparser nodes by type and SQL text (their
// identifiers have unexported fields).
var astOpts = cmp.Options{
	cmp.Comparer(func(a, b sqlparser.Expr) bool { return nodeText(a) == nodeText(b) }),
	cmp.Comparer(func(a, b sqlparser.Statement) bool { return nodeText(a) == nodeText(b) }),
}

// nodeText renders a sqlparser node for comparison.
func nodeText(n sqlparser.SQLNode) string {
	if n == nil {
		return "<nil>"
	}
	if v := reflect.ValueOf(n); v.Kind() == reflect.Pointer && v.IsNil() {
		return "<nil>"
	}
	return fmt.Sprintf("%T %s", n, sqlparser.String(n))
}

// mustExpr returns the SQLExpr that Parse should produce for text: the
// expression of sqlparser.Parse("select " + text).
func mustExpr(text string) *SQLExpr {
	ast, err := sqlparser.Parse("select " + text)
	if err != nil {
		panic(fmt.Sprintf("mustExpr(%q): %v", text, err))
	}
	return &SQLExpr{Expr: ast.(*sqlparser.Select).SelectExprs[0].(*sqlparser.AliasedExpr).Expr, Text: text}
}

// cts returns the SQLExpr of CURRENT_TIMESTAMP written as text, with
// fractional-seconds precision fsp ("" for none).
func cts(text, fsp string) *SQLExpr {
	f := &sqlparser.FuncExpr{Name: sqlparser.NewColIdent("current_timestamp")}
	if fsp != "" {
		f.Exprs = sqlparser.SelectExprs{&sqlparser.AliasedExpr{Expr: sqlparser.NewIntVal([]byte(fsp))}}
	}
	return &SQLExpr{Expr: f, Text: text}
}

// tbl returns an unqualified table name.
func tbl(name string) TableName { return TableName{Name: name} }

// checkParse parses input and compares the result with want.
func checkParse(t *testing.T, input string, want Statement) {
	t.Helper()
	got, err := Parse(input)
	if err != nil {
		t.Fatalf("Parse(%q): %v", input, err)
	}
	if diff := cmp.Diff(want, got, astOpts); diff != "" {
		t.Errorf("Parse(%q) mismatch (-want +got):\n%s", input, diff)
	}
}

// errorTest is a statement that must not parse.
type errorTest struct {
	name  string
	input string
	pos   int    // ParseError.Pos
	msg   string // substring of ParseError.Msg
}

// checkParseError parses tc.input and checks the *ParseError.
func checkParseError(t *testing.T, tc errorTest) {
	t.Helper()
	s, err := Parse(tc.input)
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Parse(%q) = %v, %v; want a *ParseError", tc.input, s, err)
	}
	if !errors.Is(err, ErrSyntax) {
		t.Errorf("Parse(%q): errors.Is(err, ErrSyntax) is false", tc.input)
	}
	if pe.Pos != tc.pos || !strings.Contains(pe.Msg, tc.msg) {
		t.Errorf("Parse(%q) error at %d %q; want at %d containing %q", tc.input, pe.Pos, pe.Msg, tc.pos, tc.msg)
	}
	if want := tc.input[pe.Pos:min(len(tc.input), pe.Pos+nearLimit)]; pe.Near != want {
		t.Errorf("Parse(%q) Near = %q, want %q", tc.input, pe.Near, want)
	}
}

// gormUsers is the CREATE TABLE that GORM's mysql dialector emits for a
// gorm.Model with a few fields.
const gormUsers = "CREATE TABLE `users` (`id` bigint unsigned AUTO_INCREMENT,`created_at` datetime(3) NULL," +
	"`updated_at` datetime(3) NULL,`deleted_at` datetime(3) NULL,`name` longtext,`email` varchar(191)," +
	"`age` tinyint unsigned,`active` boolean,PRIMARY KEY (`id`),INDEX `idx_users_deleted_at` (`deleted_at`)," +
	"CONSTRAINT `uni_users_email` UNIQUE (`email`))"

// ddlTests are the DDL statements with their expected ASTs.
var ddlTests = []struct {
	name  string
	input string
	want  Statement
}{
	{
		name:  "gorm users",
		input: gormUsers,
		want: &CreateTableStmt{
			Table: tbl("users"),
			Columns: []*ColumnDef{
				{Name: "id", Type: DDLColumnType{Kind: DDLTypeBigInt, Unsigned: true}, AutoIncrement: true},
				{Name: "created_at", Type: DDLColumnType{Kind: DDLTypeDateTime, FSP: 3}},
				{Name: "updated_at", Type: DDLColumnType{Kind: DDLTypeDateTime, FSP: 3}},
				{Name: "deleted_at", Type: DDLColumnType{Kind: DDLTypeDateTime, FSP: 3}},
				{Name: "name", Type: DDLColumnType{Kind: DDLTypeLongText}},
				{Name: "email", Type: DDLColumnType{Kind: DDLTypeVarChar, Length: 191}},
				{Name: "age", Type: DDLColumnType{Kind: DDLTypeTinyInt, Unsigned: true}},
				{Name: "active", Type: DDLColumnType{Kind: DDLTypeBool}},
			},
			Indexes: []*IndexDef{
				{Kind: IndexPrimary, Columns: []IndexColumn{{Name: "id"}}},
				{Kind: IndexPlain, Name: "idx_users_deleted_at", Columns: []IndexColumn{{Name: "deleted_at"}}},
				{Kind: IndexUnique, Name: "uni_users_email", Columns: []IndexColumn{{Name: "email"}}},
			},
		},
	},
	{
		name:  "sqlite corpus",
		input: "CREATE TABLE tab0(pk INTEGER PRIMARY KEY, col0 INTEGER, col1 FLOAT, col2 TEXT, col3 INTEGER, col4 FLOAT, col5 TEXT)",
		want: &CreateTableStmt{
			Table: tbl("tab0"),
			Columns: []*ColumnDef{
				{Name: "pk", Type: DDLColumnType{Kind: DDLTypeInt}, PrimaryKey: true},
				{Name: "col0", Type: DDLColumnType{Kind: DDLTypeInt}},
				{Name: "col1", Type: DDLColumnType{Kind: DDLTypeFloat}},
				{Name: "col2", Type: DDLColumnType{Kind: DDLTypeText}},
				{Name: "col3", Type: DDLColumnType{Kind: DDLTypeInt}},
				{Name: "col4", Type: DDLColumnType{Kind: DDLTypeFloat}},
				{Name: "col5", Type: DDLColumnType{Kind: DDLTypeText}},
			},
		},
	},
	{
		name:  "if not exists, qualified, table options",
		input: "create table if not exists `db`.`T1` (`Id` INT) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci AUTO_INCREMENT=5, COMMENT='t' row_format dynamic",
		want: &CreateTableStmt{
			Table:         TableName{Schema: "db", Name: "T1"},
			IfNotExists:   true,
			Columns:       []*ColumnDef{{Name: "Id", Type: DDLColumnType{Kind: DDLTypeInt}}},
			AutoIncrement: 5,
			Options: []TableOption{
				{Name: "engine", Value: "InnoDB"},
				{Name: "charset", Value: "utf8mb4"},
				{Name: "collate", Value: "utf8mb4_unicode_ci"},
				{Name: "auto_increment", Value: "5"},
				{Name: "comment", Value: "t"},
				{Name: "row_format", Value: "dynamic"},
			},
		},
	},
	{
		name:  "integer types",
		input: "create table t (a tinyint(1), b smallint(5) unsigned zerofill, c mediumint signed, d int(11), e integer unsigned, f bigint(20) unsigned, g int1, h int2, i int3, j int4, k int8, l middleint)",
		want: &CreateTableStmt{
			Table: tbl("t"),
			Columns: []*ColumnDef{
				{Name: "a", Type: DDLColumnType{Kind: DDLTypeTinyInt, Length: 1}},
				{Name: "b", Type: DDLColumnType{Kind: DDLTypeSmallInt, Length: 5, Unsigned: true, Zerofill: true}},
				{Name: "c", Type: DDLColumnType{Kind: DDLTypeMediumInt}},
				{Name: "d", Type: DDLColumnType{Kind: DDLTypeInt, Length: 11}},
				{Name: "e", Type: DDLColumnType{Kind: DDLTypeInt, Unsigned: true}},
				{Name: "f", Type: DDLColumnType{Kind: DDLTypeBigInt, Length: 20, Unsigned: true}},
				{Name: "g", Type: DDLColumnType{Kind: DDLTypeTinyInt}},
				{Name: "h", Type: DDLColumnType{Kind: DDLTypeSmallInt}},
				{Name: "i", Type: DDLColumnType{Kind: DDLTypeMediumInt}},
				{Name: "j", Type: DDLColumnType{Kind: DDLTypeInt}},
				{Name: "k", Type: DDLColumnType{Kind: DDLTypeBigInt}},
				{Name: "l", Type: DDLColumnType{Kind: DDLTypeMediumInt}},
			},
		},
	},
	{
		name:  "real and decimal types",
		input: "create table t (a float, b float(7,4) unsigned, c float(30), d double, e double precision(10,2), f real, g decimal, h decimal(10), i numeric(12,3), j dec(4,1) zerofill, k fixed, l float4, m float8)",
		want: &CreateTableStmt{
			Table: tbl("t"),
			Columns: []*ColumnDef{
				{Name: "a", Type: DDLColumnType{Kind: DDLTypeFloat}},
				{Name: "b", Type: DDLColumnType{Kind: DDLTypeFloat, Precision: 7, Scale: 4, Unsigned: true}},
				{Name: "c", Type: DDLColumnType{Kind: DDLTypeFloat, Precision: 30}},
				{Name: "d", Type: DDLColumnType{Kind: DDLTypeDouble}},
				{Name: "e", Type: DDLColumnType{Kind: DDLTypeDouble, Precision: 10, Scale: 2}},
				{Name: "f", Type: DDLColumnType{Kind: DDLTypeDouble}},
				{Name: "g", Type: DDLColumnType{Kind: DDLTypeDecimal}},
				{Name: "h", Type: DDLColumnType{Kind: DDLTypeDecimal, Precision: 10}},
				{Name: "i", Type: DDLColumnType{Kind: DDLTypeDecimal, Precision: 12, Scale: 3}},
				{Name: "j", Type: DDLColumnType{Kind: DDLTypeDecimal, Precision: 4, Scale: 1, Zerofill: true}},
				{Name: "k", Type: DDLColumnType{Kind: DDLTypeDecimal}},
				{Name: "l", Type: DDLColumnType{Kind: DDLTypeFloat}},
				{Name: "m", Type: DDLColumnType{Kind: DDLTypeDouble}},
			},
		},
	},
	{
		name:  "string types",
		input: "create table t (a char, b char(10) binary, c character(3), d varchar(255) charset latin1 collate latin1_bin, e nchar(2), f nvarchar(9), g tinytext, h text(1000), i mediumtext, j longtext character set utf8mb4, k varcharacter(4), l varchar)",
		want: &CreateTableStmt{
			Table: tbl("t"),
			Columns: []*ColumnDef{
				{Name: "a", Type: DDLColumnType{Kind: DDLTypeChar}},
				{Name: "b", Type: DDLColumnType{Kind: DDLTypeChar, Length: 10, Binary: true}},
				{Name: "c", Type: DDLColumnType{Kind: DDLTypeChar, Length: 3}},
				{Name: "d", Type: DDLColumnType{Kind: DDLTypeVarChar, Length: 255, Charset: "latin1", Collate: "latin1_bin"}},
				{Name: "e", Type: DDLColumnType{Kind: DDLTypeChar, Length: 2}},
				{Name: "f", Type: DDLColumnType{Kind: DDLTypeVarChar, Length: 9}},
				{Name: "g", Type: DDLColumnType{Kind: DDLTypeTinyText}},
				{Name: "h", Type: DDLColumnType{Kind: DDLTypeText, Length: 1000}},
				{Name: "i", Type: DDLColumnType{Kind: DDLTypeMediumText}},
				{Name: "j", Type: DDLColumnType{Kind: DDLTypeLongText, Charset: "utf8mb4"}},
				{Name: "k", Type: DDLColumnType{Kind: DDLTypeVarChar, Length: 4}},
				{Name: "l", Type: DDLColumnType{Kind: DDLTypeVarChar}},
			},
		},
	},
	{
		name:  "binary types",
		input: "create table t (a binary(16), b varbinary(255), c tinyblob, d blob, e blob(300), f mediumblob, g longblob, h bit, i bit(64))",
		want: &CreateTableStmt{
			Table: tbl("t"),
			Columns: []*ColumnDef{
				{Name: "a", Type: DDLColumnType{Kind: DDLTypeBinary, Length: 16}},
				{Name: "b", Type: DDLColumnType{Kind: DDLTypeVarBinary, Length: 255}},
				{Name: "c", Type: DDLColumnType{Kind: DDLTypeTinyBlob}},
				{Name: "d", Type: DDLColumnType{Kind: DDLTypeBlob}},
				{Name: "e", Type: DDLColumnType{Kind: DDLTypeBlob, Length: 300}},
				{Name: "f", Type: DDLColumnType{Kind: DDLTypeMediumBlob}},
				{Name: "g", Type: DDLColumnType{Kind: DDLTypeLongBlob}},
				{Name: "h", Type: DDLColumnType{Kind: DDLTypeBit}},
				{Name: "i", Type: DDLColumnType{Kind: DDLTypeBit, Length: 64}},
			},
		},
	},
	{
		name:  "temporal, bool, json, enum and set types",
		input: "create table t (a bool, b boolean, c date, d datetime, e datetime(6), f timestamp, g timestamp(3), h time, i time(2), j year, k year(4), l json, m enum('x', 'y''s', \"z\"), n set('r','w'))",
		want: &CreateTableStmt{
			Table: tbl("t"),
			Columns: []*ColumnDef{
				{Name: "a", Type: DDLColumnType{Kind: DDLTypeBool}},
				{Name: "b", Type: DDLColumnType{Kind: DDLTypeBool}},
				{Name: "c", Type: DDLColumnType{Kind: DDLTypeDate}},
				{Name: "d", Type: DDLColumnType{Kind: DDLTypeDateTime}},
				{Name: "e", Type: DDLColumnType{Kind: DDLTypeDateTime, FSP: 6}},
				{Name: "f", Type: DDLColumnType{Kind: DDLTypeTimestamp}},
				{Name: "g", Type: DDLColumnType{Kind: DDLTypeTimestamp, FSP: 3}},
				{Name: "h", Type: DDLColumnType{Kind: DDLTypeTime}},
				{Name: "i", Type: DDLColumnType{Kind: DDLTypeTime, FSP: 2}},
				{Name: "j", Type: DDLColumnType{Kind: DDLTypeYear}},
				{Name: "k", Type: DDLColumnType{Kind: DDLTypeYear, Length: 4}},
				{Name: "l", Type: DDLColumnType{Kind: DDLTypeJSON}},
				{Name: "m", Type: DDLColumnType{Kind: DDLTypeEnum, Values: []string{"x", "y's", "z"}}},
				{Name: "n", Type: DDLColumnType{Kind: DDLTypeSet, Values: []string{"r", "w"}}},
			},
		},
	},
	{
		name: "literal defaults",
		input: "create table t (a int default 1, b int default -1, c int default +2, d float default -1.5, e varchar(5) default '', " +
			"f varchar(5) default \"dq\", g int default null, h bool default true, i bool default false, j binary(2) default x'0aff', " +
			"k bit(3) default b'101', l int default 0x1f, m int default ?)",
		want: &CreateTableStmt{
			Table: tbl("t"),
			Columns: []*ColumnDef{
				{Name: "a", Type: DDLColumnType{Kind: DDLTypeInt}, Default: mustExpr("1")},
				{Name: "b", Type: DDLColumnType{Kind: DDLTypeInt}, Default: mustExpr("-1")},
				{Name: "c", Type: DDLColumnType{Kind: DDLTypeInt}, Default: mustExpr("+2")},
				{Name: "d", Type: DDLColumnType{Kind: DDLTypeFloat}, Default: mustExpr("-1.5")},
				{Name: "e", Type: DDLColumnType{Kind: DDLTypeVarChar, Length: 5}, Default: mustExpr("''")},
				{Name: "f", Type: DDLColumnType{Kind: DDLTypeVarChar, Length: 5}, Default: mustExpr(`"dq"`)},
				{Name: "g", Type: DDLColumnType{Kind: DDLTypeInt}, Default: mustExpr("null")},
				{Name: "h", Type: DDLColumnType{Kind: DDLTypeBool}, Default: mustExpr("true")},
				{Name: "i", Type: DDLColumnType{Kind: DDLTypeBool}, Default: mustExpr("false")},
				{Name: "j", Type: DDLColumnType{Kind: DDLTypeBinary, Length: 2}, Default: mustExpr("x'0aff'")},
				{Name: "k", Type: DDLColumnType{Kind: DDLTypeBit, Length: 3}, Default: mustExpr("b'101'")},
				{Name: "l", Type: DDLColumnType{Kind: DDLTypeInt}, Default: mustExpr("0x1f")},
				{Name: "m", Type: DDLColumnType{Kind: DDLTypeInt}, Default: &SQLExpr{Expr: sqlparser.NewValArg([]byte(":v1")), Text: "?"}},
			},
		},
	},
	{
		name: "current_timestamp and expression defaults",
		input: "create table t (a datetime default current_timestamp, b datetime(6) default CURRENT_TIMESTAMP(6) on update current_timestamp(6), " +
			"c timestamp default now() on update NOW(), d datetime default localtimestamp, e datetime default localtime(), " +
			"f int default (1 + 2), g varchar(36) default (uuid()), h datetime(3) default current_timestamp())",
		want: &CreateTableStmt{
			Table: tbl("t"),
			Columns: []*ColumnDef{
				{Name: "a", Type: DDLColumnType{Kind: DDLTypeDateTime}, Default: cts("current_timestamp", "")},
				{Name: "b", Type: DDLColumnType{Kind: DDLTypeDateTime, FSP: 6}, Default: cts("CURRENT_TIMESTAMP(6)", "6"), OnUpdate: cts("current_timestamp(6)", "6")},
				{Name: "c", Type: DDLColumnType{Kind: DDLTypeTimestamp}, Default: cts("now()", ""), OnUpdate: cts("NOW()", "")},
				{Name: "d", Type: DDLColumnType{Kind: DDLTypeDateTime}, Default: cts("localtimestamp", "")},
				{Name: "e", Type: DDLColumnType{Kind: DDLTypeDateTime}, Default: cts("localtime()", "")},
				{Name: "f", Type: DDLColumnType{Kind: DDLTypeInt}, Default: mustExpr("(1 + 2)")},
				{Name: "g", Type: DDLColumnType{Kind: DDLTypeVarChar, Length: 36}, Default: mustExpr("(uuid())")},
				{Name: "h", Type: DDLColumnType{Kind: DDLTypeDateTime, FSP: 3}, Default: cts("current_timestamp()", "")},
			},
		},
	},
	{
		name: "column attributes",
		input: "create table t (a int not null primary key, b int null unique key, c int key, d int unique, e int comment 'e' auto_increment, " +
			"f int check (f > 0), g int constraint g_pos check (g > 0) not enforced, h int references p (id) on delete restrict on update current_timestamp, " +
			"i int visible, j int not null null, k int autoincrement, l text charset utf8mb4 collate utf8mb4_bin, m int constraint check (m < 9) enforced)",
		want: &CreateTableStmt{
			Table: tbl("t"),
			Columns: []*ColumnDef{
				{Name: "a", Type: DDLColumnType{Kind: DDLTypeInt}, NotNull: true, PrimaryKey: true},
				{Name: "b", Type: DDLColumnType{Kind: DDLTypeInt}, Unique: true},
				{Name: "c", Type: DDLColumnType{Kind: DDLTypeInt}, PrimaryKey: true},
				{Name: "d", Type: DDLColumnType{Kind: DDLTypeInt}, Unique: true},
				{Name: "e", Type: DDLColumnType{Kind: DDLTypeInt}, Comment: "e", AutoIncrement: true},
				{Name: "f", Type: DDLColumnType{Kind: DDLTypeInt}, Checks: []*CheckDef{{Expr: *mustExpr("f > 0")}}},
				{Name: "g", Type: DDLColumnType{Kind: DDLTypeInt}, Checks: []*CheckDef{{Name: "g_pos", Expr: *mustExpr("g > 0"), NotEnforced: true}}},
				{
					Name: "h", Type: DDLColumnType{Kind: DDLTypeInt}, OnUpdate: cts("current_timestamp", ""),
					References: &ForeignKeyDef{Columns: []string{"h"}, RefTable: tbl("p"), RefColumns: []string{"id"}, OnDelete: RefActionRestrict},
				},
				{Name: "i", Type: DDLColumnType{Kind: DDLTypeInt}},
				{Name: "j", Type: DDLColumnType{Kind: DDLTypeInt}},
				{Name: "k", Type: DDLColumnType{Kind: DDLTypeInt}, AutoIncrement: true},
				{Name: "l", Type: DDLColumnType{Kind: DDLTypeText, Charset: "utf8mb4", Collate: "utf8mb4_bin"}},
				{Name: "m", Type: DDLColumnType{Kind: DDLTypeInt}, Checks: []*CheckDef{{Expr: *mustExpr("m < 9")}}},
			},
		},
	},
	{
		name: "table constraints",
		input: "create table t (a int, b int, c varchar(100), constraint pk primary key using hash (a, b), unique (c(10)), " +
			"unique index u2 (b desc, a asc), key (b), index i2 using btree (c) key_block_size = 8 comment 'i2' invisible, " +
			"constraint fk1 foreign key fk_idx (a) references p (x) match full on update cascade on delete no action, " +
			"foreign key (b, c) references db.p (y, z) on delete set default on update restrict, constraint ck check (a < b) enforced, " +
			"check (c regexp '^[a-z]+$'), constraint u3 unique key (a), constraint unique u4 (b), constraint u5 unique index u6 (c))",
		want: &CreateTableStmt{
			Table: tbl("t"),
			Columns: []*ColumnDef{
				{Name: "a", Type: DDLColumnType{Kind: DDLTypeInt}},
				{Name: "b", Type: DDLColumnType{Kind: DDLTypeInt}},
				{Name: "c", Type: DDLColumnType{Kind: DDLTypeVarChar, Length: 100}},
			},
			Indexes: []*IndexDef{
				{Kind: IndexPrimary, Columns: []IndexColumn{{Name: "a"}, {Name: "b"}}, Using: "HASH"},
				{Kind: IndexUnique, Columns: []IndexColumn{{Name: "c", Length: 10}}},
				{Kind: IndexUnique, Name: "u2", Columns: []IndexColumn{{Name: "b", Desc: true}, {Name: "a"}}},
				{Kind: IndexPlain, Columns: []IndexColumn{{Name: "b"}}},
				{Kind: IndexPlain, Name: "i2", Columns: []IndexColumn{{Name: "c"}}, Using: "BTREE", Comment: "i2"},
				{Kind: IndexUnique, Name: "u3", Columns: []IndexColumn{{Name: "a"}}},
				{Kind: IndexUnique, Name: "u4", Columns: []IndexColumn{{Name: "b"}}},
				{Kind: IndexUnique, Name: "u6", Columns: []IndexColumn{{Name: "c"}}},
			},
			ForeignKeys: []*ForeignKeyDef{
				{Name: "fk1", IndexName: "fk_idx", Columns: []string{"a"}, RefTable: tbl("p"), RefColumns: []string{"x"}, OnDelete: RefActionNoAction, OnUpdate: RefActionCascade},
				{Columns: []string{"b", "c"}, RefTable: TableName{Schema: "db", Name: "p"}, RefColumns: []string{"y", "z"}, OnDelete: RefActionSetDefault, OnUpdate: RefActionRestrict},
			},
			Checks: []*CheckDef{
				{Name: "ck", Expr: *mustExpr("a < b")},
				{Expr: *mustExpr("c regexp '^[a-z]+$'")},
			},
		},
	},
	{
		name:  "foreign key set null",
		input: "CREATE TABLE `orders` (`user_id` bigint,CONSTRAINT `fk_users_orders` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE SET NULL ON UPDATE CASCADE)",
		want: &CreateTableStmt{
			Table:   tbl("orders"),
			Columns: []*ColumnDef{{Name: "user_id", Type: DDLColumnType{Kind: DDLTypeBigInt}}},
			ForeignKeys: []*ForeignKeyDef{
				{Name: "fk_users_orders", Columns: []string{"user_id"}, RefTable: tbl("users"), RefColumns: []string{"id"}, OnDelete: RefActionSetNull, OnUpdate: RefActionCascade},
			},
		},
	},
	{
		name:  "check sqlparser cannot parse is kept as text",
		input: "create table t (a json, check (json_valid(a) is true or a sounds like 'x'))",
		want: &CreateTableStmt{
			Table:   tbl("t"),
			Columns: []*ColumnDef{{Name: "a", Type: DDLColumnType{Kind: DDLTypeJSON}}},
			Checks:  []*CheckDef{{Expr: SQLExpr{Text: "json_valid(a) is true or a sounds like 'x'"}}},
		},
	},
	{
		name:  "identifier case is kept, keyword case is not significant",
		input: "CrEaTe TaBlE MyTable (MyCol InT NoT NuLl, Status VARCHAR(5), `Date` DATE, date date, `select` int, `a``b` int)",
		want: &CreateTableStmt{
			Table: tbl("MyTable"),
			Columns: []*ColumnDef{
				{Name: "MyCol", Type: DDLColumnType{Kind: DDLTypeInt}, NotNull: true},
				{Name: "Status", Type: DDLColumnType{Kind: DDLTypeVarChar, Length: 5}},
				{Name: "Date", Type: DDLColumnType{Kind: DDLTypeDate}},
				{Name: "date", Type: DDLColumnType{Kind: DDLTypeDate}},
				{Name: "select", Type: DDLColumnType{Kind: DDLTypeInt}},
				{Name: "a`b", Type: DDLColumnType{Kind: DDLTypeInt}},
			},
		},
	},
	{
		name:  "comments and trailing semicolon",
		input: "/* c */ CREATE TABLE t ( -- one\n a INT # two\n ) ;",
		want:  &CreateTableStmt{Table: tbl("t"), Columns: []*ColumnDef{{Name: "a", Type: DDLColumnType{Kind: DDLTypeInt}}}},
	},
	{
		name:  "create index",
		input: "CREATE INDEX `idx_users_name` ON `users`(`name`)",
		want:  &CreateIndexStmt{Table: tbl("users"), Index: &IndexDef{Kind: IndexPlain, Name: "idx_users_name", Columns: []IndexColumn{{Name: "name"}}}},
	},
	{
		name:  "create unique index",
		input: "CREATE UNIQUE INDEX idx_tab3_0 ON tab3 (col0 DESC, col1)",
		want:  &CreateIndexStmt{Table: tbl("tab3"), Index: &IndexDef{Kind: IndexUnique, Name: "idx_tab3_0", Columns: []IndexColumn{{Name: "col0", Desc: true}, {Name: "col1"}}}},
	},
	{
		name:  "create index with every option",
		input: "create index if not exists i using btree on db.t (a(10) asc, b) using hash comment 'c' key_block_size 4 visible algorithm = inplace lock = none",
		want: &CreateIndexStmt{
			Table:       TableName{Schema: "db", Name: "t"},
			Index:       &IndexDef{Kind: IndexPlain, Name: "i", Columns: []IndexColumn{{Name: "a", Length: 10}, {Name: "b"}}, Using: "HASH", Comment: "c"},
			IfNotExists: true,
		},
	},
	{
		name:  "drop index on",
		input: "DROP INDEX `idx_users_name` ON `users`",
		want:  &DropIndexStmt{Name: "idx_users_name", Table: tbl("users")},
	},
	{
		name:  "drop index without on",
		input: "DROP INDEX t1i1",
		want:  &DropIndexStmt{Name: "t1i1"},
	},
	{
		name:  "drop index if exists",
		input: "drop index if exists i on db.t algorithm=default",
		want:  &DropIndexStmt{Name: "i", Table: TableName{Schema: "db", Name: "t"}, IfExists: true},
	},
	{
		name:  "drop table",
		input: "DROP TABLE t1",
		want:  &DropTableStmt{Tables: []TableName{tbl("t1")}},
	},
	{
		name:  "drop table if exists cascade",
		input: "DROP TABLE IF EXISTS `users` CASCADE",
		want:  &DropTableStmt{Tables: []TableName{tbl("users")}, IfExists: true},
	},
	{
		name:  "create temporary table",
		input: "CREATE TEMPORARY TABLE IF NOT EXISTS t (a int)",
		want:  &CreateTableStmt{Table: tbl("t"), IfNotExists: true, Temporary: true, Columns: []*ColumnDef{{Name: "a", Type: DDLColumnType{Kind: DDLTypeInt}}}},
	},
	{
		name:  "create temporary table like",
		input: "create temporary table t like db.u",
		want:  &CreateTableStmt{Table: tbl("t"), Temporary: true, Like: &TableName{Schema: "db", Name: "u"}},
	},
	{
		name:  "drop temporary table",
		input: "DROP TEMPORARY TABLE IF EXISTS a, b",
		want:  &DropTableStmt{Tables: []TableName{tbl("a"), tbl("b")}, IfExists: true, Temporary: true},
	},
	{
		name:  "drop tables",
		input: "drop table a, db.b, `c` restrict",
		want:  &DropTableStmt{Tables: []TableName{tbl("a"), {Schema: "db", Name: "b"}, tbl("c")}},
	},
	{
		name:  "truncate table",
		input: "TRUNCATE TABLE t",
		want:  &TruncateStmt{Table: tbl("t")},
	},
	{
		name:  "truncate",
		input: "truncate `T`",
		want:  &TruncateStmt{Table: tbl("T")},
	},
	{
		name:  "alter add column",
		input: "ALTER TABLE `users` ADD `age2` bigint",
		want:  &AlterTableStmt{Table: tbl("users"), Specs: []AlterSpec{&AddColumnSpec{Column: &ColumnDef{Name: "age2", Type: DDLColumnType{Kind: DDLTypeBigInt}}}}},
	},
	{
		name:  "alter add columns with positions",
		input: "alter table t add column c int not null default 0 first, add d int after c, add column (e int, f text), add (g int)",
		want: &AlterTableStmt{Table: tbl("t"), Specs: []AlterSpec{
			&AddColumnSpec{Column: &ColumnDef{Name: "c", Type: DDLColumnType{Kind: DDLTypeInt}, NotNull: true, Default: mustExpr("0")}, Position: ColumnPosition{First: true}},
			&AddColumnSpec{Column: &ColumnDef{Name: "d", Type: DDLColumnType{Kind: DDLTypeInt}}, Position: ColumnPosition{After: "c"}},
			&AddColumnSpec{Column: &ColumnDef{Name: "e", Type: DDLColumnType{Kind: DDLTypeInt}}},
			&AddColumnSpec{Column: &ColumnDef{Name: "f", Type: DDLColumnType{Kind: DDLTypeText}}},
			&AddColumnSpec{Column: &ColumnDef{Name: "g", Type: DDLColumnType{Kind: DDLTypeInt}}},
		}},
	},
	{
		name:  "alter drop",
		input: "alter table t drop a, drop column b, drop index i, drop key k, drop primary key, drop foreign key fk, drop check ck, drop constraint c",
		want: &AlterTableStmt{Table: tbl("t"), Specs: []AlterSpec{
			&DropColumnSpec{Name: "a"}, &DropColumnSpec{Name: "b"}, &DropIndexSpec{Name: "i"}, &DropIndexSpec{Name: "k"},
			&DropPrimaryKeySpec{}, &DropForeignKeySpec{Name: "fk"}, &DropCheckSpec{Name: "ck"}, &DropConstraintSpec{Name: "c"},
		}},
	},
	{
		name:  "alter add indexes and constraints",
		input: "alter table t add index (a), add key k2 (b), add unique u (c), add unique index u2 (d), add primary key (id), add constraint `uni_users_email` unique (`email`), add constraint fk foreign key (x) references y (z), add constraint ck check (a > 0)",
		want: &AlterTableStmt{Table: tbl("t"), Specs: []AlterSpec{
			&AddIndexSpec{Index: &IndexDef{Kind: IndexPlain, Columns: []IndexColumn{{Name: "a"}}}},
			&AddIndexSpec{Index: &IndexDef{Kind: IndexPlain, Name: "k2", Columns: []IndexColumn{{Name: "b"}}}},
			&AddIndexSpec{Index: &IndexDef{Kind: IndexUnique, Name: "u", Columns: []IndexColumn{{Name: "c"}}}},
			&AddIndexSpec{Index: &IndexDef{Kind: IndexUnique, Name: "u2", Columns: []IndexColumn{{Name: "d"}}}},
			&AddIndexSpec{Index: &IndexDef{Kind: IndexPrimary, Columns: []IndexColumn{{Name: "id"}}}},
			&AddIndexSpec{Index: &IndexDef{Kind: IndexUnique, Name: "uni_users_email", Columns: []IndexColumn{{Name: "email"}}}},
			&AddForeignKeySpec{ForeignKey: &ForeignKeyDef{Name: "fk", Columns: []string{"x"}, RefTable: tbl("y"), RefColumns: []string{"z"}}},
			&AddCheckSpec{Check: &CheckDef{Name: "ck", Expr: *mustExpr("a > 0")}},
		}},
	},
	{
		name:  "alter rename table",
		input: "alter table t rename to t2, rename as db.t3, rename t4",
		want: &AlterTableStmt{Table: tbl("t"), Specs: []AlterSpec{
			&RenameTableSpec{NewName: tbl("t2")}, &RenameTableSpec{NewName: TableName{Schema: "db", Name: "t3"}}, &RenameTableSpec{NewName: tbl("t4")},
		}},
	},
	{
		name:  "alter rename column and index",
		input: "ALTER TABLE `users` RENAME COLUMN `name` TO `full_name`, RENAME INDEX `idx_a` TO `idx_b`, rename key k1 to k2",
		want: &AlterTableStmt{Table: tbl("users"), Specs: []AlterSpec{
			&RenameColumnSpec{OldName: "name", NewName: "full_name"},
			&RenameIndexSpec{OldName: "idx_a", NewName: "idx_b"},
			&RenameIndexSpec{OldName: "k1", NewName: "k2"},
		}},
	},
	{
		name:  "alter modify and change",
		input: "ALTER TABLE `users` MODIFY COLUMN `name` varchar(100) NOT NULL, modify c bigint unsigned after d, change column f g int first, CHANGE h i text after g",
		want: &AlterTableStmt{Table: tbl("users"), Specs: []AlterSpec{
			&ModifyColumnSpec{Column: &ColumnDef{Name: "name", Type: DDLColumnType{Kind: DDLTypeVarChar, Length: 100}, NotNull: true}},
			&ModifyColumnSpec{Column: &ColumnDef{Name: "c", Type: DDLColumnType{Kind: DDLTypeBigInt, Unsigned: true}}, Position: ColumnPosition{After: "d"}},
			&ChangeColumnSpec{OldName: "f", Column: &ColumnDef{Name: "g", Type: DDLColumnType{Kind: DDLTypeInt}}, Position: ColumnPosition{First: true}},
			&ChangeColumnSpec{OldName: "h", Column: &ColumnDef{Name: "i", Type: DDLColumnType{Kind: DDLTypeText}}, Position: ColumnPosition{After: "g"}},
		}},
	},
	{
		name:  "alter column default",
		input: "alter table t alter column a set default 5, alter b drop default, alter c set default (now())",
		want: &AlterTableStmt{Table: tbl("t"), Specs: []AlterSpec{
			&AlterColumnDefaultSpec{Column: "a", Default: mustExpr("5")},
			&AlterColumnDefaultSpec{Column: "b"},
			&AlterColumnDefaultSpec{Column: "c", Default: mustExpr("(now())")},
		}},
	},
	{
		name:  "alter table options",
		input: "alter table t auto_increment = 100, engine=InnoDB, default character set = utf8mb4, collate utf8mb4_bin, comment 'x', algorithm=inplace, lock=none",
		want: &AlterTableStmt{Table: tbl("t"), Specs: []AlterSpec{
			&TableOptionSpec{Option: TableOption{Name: "auto_increment", Value: "100"}},
			&TableOptionSpec{Option: TableOption{Name: "engine", Value: "InnoDB"}},
			&TableOptionSpec{Option: TableOption{Name: "charset", Value: "utf8mb4"}},
			&TableOptionSpec{Option: TableOption{Name: "collate", Value: "utf8mb4_bin"}},
			&TableOptionSpec{Option: TableOption{Name: "comment", Value: "x"}},
			&TableOptionSpec{Option: TableOption{Name: "algorithm", Value: "inplace"}},
			&TableOptionSpec{Option: TableOption{Name: "lock", Value: "none"}},
		}},
	},
	{
		name:  "alter without specs",
		input: "alter table t",
		want:  &AlterTableStmt{Table: tbl("t")},
	},
}

func TestParseDDL(t *testing.T) {
	for _, tc := range ddlTests {
		t.Run(tc.name, func(t *testing.T) { checkParse(t, tc.input, tc.want) })
	}
}

// ddlErrorTests are DDL statements that must fail, and where.
var ddlErrorTests = []errorTest{
	{"no table name", "CREATE TABLE", 12, "expected a table name"},
	{"no column list", "CREATE TABLE t", 14, "expected '('"},
	{"empty column list", "CREATE TABLE t ()", 16, "expected a column name"},
	{"no type", "CREATE TABLE t (a)", 17, "expected a column type"},
	{"unknown type", "CREATE TABLE t (a foo)", 18, "expected a column type"},
	{"unclosed", "CREATE TABLE t (a int", 21, "expected ')'"},
	{"trailing comma", "CREATE TABLE t (a int,)", 22, "expected a column name"},
	{"reserved table name", "CREATE TABLE select (a int)", 13, "expected a table name"},
	{"reserved column name", "CREATE TABLE t (key int)", 20, "expected an index name"},
	{"bad length", "CREATE TABLE t (a varchar(x))", 26, "expected a number"},
	{"huge length", "CREATE TABLE t (a varchar(99999999999))", 26, "out of range"},
	{"missing default", "CREATE TABLE t (a int default)", 29, "expected a default value"},
	{"bare word default", "CREATE TABLE t (a int default foo)", 30, "expected a default value"},
	{"bad default expression", "CREATE TABLE t (a int default (1 +))", 34, "syntax error"},
	{"unbalanced default", "CREATE TABLE t (a int default (1)", 33, "expected ')'"},
	{"on update literal", "CREATE TABLE t (a timestamp on update 1)", 38, "expected CURRENT_TIMESTAMP"},
	{"now without parens", "CREATE TABLE t (a datetime default now)", 38, "expected '('"},
	{"fsp too big", "CREATE TABLE t (a datetime default current_timestamp(7))", 53, "out of range"},
	{"generated without always", "CREATE TABLE t (a int generated as (1))", 32, "expected ALWAYS"},
	{"generated without parens", "CREATE TABLE t (a int as 1)", 25, "expected '('"},
	{"generated without expression", "CREATE TABLE t (a int as ())", 22, "needs an expression"},
	{"empty enum", "CREATE TABLE t (a enum())", 23, "expected a string"},
	{"check without parens", "CREATE TABLE t (a int check a > 0)", 28, "expected '('"},
	{"unclosed after check", "CREATE TABLE t (a int check (a > 0)", 35, "expected ')'"},
	{"unbalanced check", "CREATE TABLE t (a int check ((a > 0)", 28, "unbalanced parenthesis"},
	{"primary key without list", "CREATE TABLE t (a int, primary key a)", 35, "expected '('"},
	{"functional key part", "CREATE TABLE t (a int, key ((a + 1)))", 28, "not supported"},
	{"spatial", "CREATE TABLE t (a int, spatial (a))", 23, "not supported"},
	{"fulltext parser", "CREATE TABLE t (a text, fulltext (a) with parser ngram)", 37, "not supported"},
	{"constraint before key", "CREATE TABLE t (a int, constraint c key (a))", 36, "expected PRIMARY KEY, UNIQUE"},
	{"references without columns", "CREATE TABLE t (a int, foreign key (a) references p)", 51, "expected '('"},
	{"bad referential action", "CREATE TABLE t (a int, foreign key (a) references p (b) on delete explode)", 66, "expected RESTRICT"},
	{"unknown table option", "CREATE TABLE t (a int) foo=1", 23, "unknown table option"},
	{"negative auto_increment", "CREATE TABLE t (a int) auto_increment = -1", 40, "expected an AUTO_INCREMENT value"},
	{"partition", "CREATE TABLE t (a int) partition by hash(a)", 23, "not supported"},
	{"temporary view", "CREATE TEMPORARY VIEW v AS SELECT 1", 7, "not supported"},
	{"temporary without table", "CREATE TEMPORARY t (a int)", 7, "not supported"},
	{"drop temporary view", "DROP TEMPORARY VIEW v", 5, "not supported"},
	{"like without a table", "CREATE TABLE t LIKE", 19, "expected"},
	{"like with more", "CREATE TABLE t (LIKE u, a int)", 22, "expected ')'"},
	{"create view without query", "CREATE VIEW v AS", 16, "expected SELECT"},
	{"create view of insert", "CREATE VIEW v AS INSERT INTO t VALUES (1)", 17, "expected SELECT"},
	{"create view with parameter", "CREATE VIEW v AS SELECT ?", 24, "contains a variable or parameter"},
	{"create view without as", "CREATE VIEW v SELECT 1", 14, "expected AS"},
	{"create or replace trigger", "CREATE OR REPLACE TRIGGER x", 7, "not supported"},
	{"create trigger without event", "CREATE TRIGGER x ON t BEGIN END", 17, "expected BEFORE, AFTER, INSERT, UPDATE or DELETE"},
	{"create trigger without table", "CREATE TRIGGER x AFTER INSERT t", 30, "expected ON"},
	{"create trigger without body", "CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW", 47, "expected a statement"},
	{"create trigger unclosed block", "CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1;", 50, "expected END"},
	{"create trigger when without begin", "CREATE TRIGGER x AFTER INSERT ON t WHEN 1 SELECT 1", 50, "expected BEGIN"},
	{"create trigger bad when", "CREATE TRIGGER x AFTER INSERT ON t WHEN 1 + BEGIN END", 44, "syntax error"},
	{"create trigger if without end if", "CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW IF 1 THEN SELECT 1; END", 71, "expected IF"},
	{"drop trigger two names", "DROP TRIGGER a, b", 14, "unexpected input"},
	{"two statements", "CREATE TABLE t (a int); select 1", 24, "unexpected input"},
	{"index without name", "CREATE INDEX ON t (a)", 13, "expected an index name"},
	{"index without columns", "CREATE INDEX i ON t", 19, "expected '('"},
	{"index without on", "CREATE INDEX i t (a)", 15, "expected ON"},
	{"spatial index", "CREATE SPATIAL INDEX i ON t (a)", 7, "not supported"},
	{"drop index without name", "DROP INDEX", 10, "expected an index name"},
	{"drop table without name", "DROP TABLE t,", 13, "expected a table name"},
	{"drop what", "DROP t", 5, "expected TABLE or INDEX"},
	{"drop view without name", "DROP VIEW", 9, "expected a table name"},
	{"truncate nothing", "TRUNCATE", 8, "expected a table name"},
	{"alter without table", "ALTER t ADD a int", 6, "expected TABLE"},
	{"alter add nothing", "ALTER TABLE t ADD", 17, "expected a column name"},
	{"alter unknown", "ALTER TABLE t FOO", 14, "unknown table option"},
	{"alter trailing comma", "ALTER TABLE t ADD a int,", 24, "expected ADD, DROP"},
	{"rename column without to", "ALTER TABLE t RENAME COLUMN a b", 30, "expected TO"},
	{"alter column bad", "ALTER TABLE t ALTER COLUMN a SET x", 29, "expected SET DEFAULT or DROP DEFAULT"},
	{"change without new name", "ALTER TABLE t CHANGE a int", 23, "expected a column name"},
	{"after without column", "ALTER TABLE t ADD a int AFTER", 29, "expected a column name"},
	{"alter partition", "ALTER TABLE t PARTITION BY HASH(a)", 14, "not supported"},
}

func TestParseDDLErrors(t *testing.T) {
	for _, tc := range ddlErrorTests {
		t.Run(tc.name, func(t *testing.T) { checkParseError(t, tc) })
	}
}
