package sqlfront

import (
	"errors"
	"strings"
	"testing"

	"github.com/xwb1989/sqlparser"
)

// mustDML returns the *DMLStmt that Parse should produce for sql.
func mustDML(sql string) *DMLStmt {
	ast, err := sqlparser.Parse(sql)
	if err != nil {
		panic(err)
	}
	return &DMLStmt{AST: ast}
}

// strExpr returns the SQLExpr of a bare word that SET reads as a string.
func strExpr(text string) SQLExpr {
	return SQLExpr{Expr: sqlparser.NewStrVal([]byte(text)), Text: text}
}

// stmtTests are the non-DDL statements with their expected ASTs.
var stmtTests = []struct {
	name  string
	input string
	want  Statement
}{
	// Transactions.
	{"begin", "BEGIN", &BeginStmt{}},
	{"begin work", "begin work;", &BeginStmt{}},
	{"start transaction", "START TRANSACTION", &BeginStmt{}},
	{"start read only", "START TRANSACTION READ ONLY", &BeginStmt{Access: TxAccessReadOnly}},
	{"start read write", "start transaction read write", &BeginStmt{Access: TxAccessReadWrite}},
	{"start snapshot", "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", &BeginStmt{Access: TxAccessReadOnly, ConsistentSnapshot: true}},
	{"commit", "COMMIT", &CommitStmt{}},
	{"commit work", "commit work", &CommitStmt{}},
	{"rollback", "ROLLBACK", &RollbackStmt{}},
	{"rollback work", "rollback work", &RollbackStmt{}},
	{"savepoint", "SAVEPOINT sp1", &SavepointStmt{Name: "sp1"}},
	{"savepoint quoted", "SAVEPOINT `Sp 1`", &SavepointStmt{Name: "Sp 1"}},
	{"release savepoint", "RELEASE SAVEPOINT sp1", &ReleaseSavepointStmt{Name: "sp1"}},
	{"rollback to", "ROLLBACK TO sp1", &RollbackToSavepointStmt{Name: "sp1"}},
	{"rollback work to savepoint", "rollback work to savepoint Sp1", &RollbackToSavepointStmt{Name: "Sp1"}},

	// SET TRANSACTION.
	{"set transaction", "SET TRANSACTION ISOLATION LEVEL READ COMMITTED", &SetTransactionStmt{Isolation: IsolationReadCommitted}},
	{"set session transaction", "SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY",
		&SetTransactionStmt{Scope: ScopeSession, Isolation: IsolationSerializable, Access: TxAccessReadOnly}},
	{"set global transaction", "set global transaction read write, isolation level repeatable read",
		&SetTransactionStmt{Scope: ScopeGlobal, Isolation: IsolationRepeatableRead, Access: TxAccessReadWrite}},
	{"read uncommitted", "set transaction isolation level read uncommitted", &SetTransactionStmt{Isolation: IsolationReadUncommitted}},

	// SET variables.
	{"set autocommit", "SET autocommit=0", &SetStmt{Assignments: []*SetAssignment{{Name: "autocommit", Value: *mustExpr("0")}}}},
	{"set autocommit on", "SET @@autocommit = ON", &SetStmt{Assignments: []*SetAssignment{{Name: "autocommit", Value: strExpr("ON")}}}},
	{"set bare word", "set sql_mode = TRADITIONAL", &SetStmt{Assignments: []*SetAssignment{{Name: "sql_mode", Value: strExpr("TRADITIONAL")}}}},
	{"set session var", "SET SESSION sql_mode = 'STRICT_TRANS_TABLES'",
		&SetStmt{Assignments: []*SetAssignment{{Scope: ScopeSession, Name: "sql_mode", Value: *mustExpr("'STRICT_TRANS_TABLES'")}}}},
	{"set system var expression", "SET @@SESSION.sql_mode = CONCAT(@@sql_mode, ',NO_ZERO_DATE')",
		&SetStmt{Assignments: []*SetAssignment{{Scope: ScopeSession, Name: "sql_mode", Value: *mustExpr("CONCAT(@@sql_mode, ',NO_ZERO_DATE')")}}}},
	{"scope carries over", "SET GLOBAL a = 1, b = 2, LOCAL c = 3, d = 4", &SetStmt{Assignments: []*SetAssignment{
		{Scope: ScopeGlobal, Name: "a", Value: *mustExpr("1")},
		{Scope: ScopeGlobal, Name: "b", Value: *mustExpr("2")},
		{Scope: ScopeSession, Name: "c", Value: *mustExpr("3")},
		{Scope: ScopeSession, Name: "d", Value: *mustExpr("4")},
	}}},
	{"set default", "SET @@global.max_connections = DEFAULT",
		&SetStmt{Assignments: []*SetAssignment{{Scope: ScopeGlobal, Name: "max_connections", Value: SQLExpr{Expr: &sqlparser.Default{}, Text: "DEFAULT"}}}}},
	{"set user variables", "SET @x = ?, @Y = ? + 1", &SetStmt{Assignments: []*SetAssignment{
		{Name: "x", UserVar: true, Value: SQLExpr{Expr: sqlparser.NewValArg([]byte(":v1")), Text: "?"}},
		{Name: "y", UserVar: true, Value: SQLExpr{Expr: mustExpr(":v2 + 1").Expr, Text: "? + 1"}},
	}}},
	{"set lowercases names", "SET FOREIGN_KEY_CHECKS = 0;", &SetStmt{Assignments: []*SetAssignment{{Name: "foreign_key_checks", Value: *mustExpr("0")}}}},

	// SET NAMES.
	{"set names", "SET NAMES utf8mb4", &SetNamesStmt{Charset: "utf8mb4"}},
	{"set names collate", "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_ci'", &SetNamesStmt{Charset: "utf8mb4", Collate: "utf8mb4_unicode_ci"}},
	{"set names default", "set names DEFAULT", &SetNamesStmt{Charset: "default"}},
	{"set character set", "SET CHARACTER SET utf8", &SetNamesStmt{Charset: "utf8", CharacterSet: true}},
	{"set charset", "SET CHARSET 'latin1'", &SetNamesStmt{Charset: "latin1", CharacterSet: true}},

	// SHOW.
	{"show tables", "SHOW TABLES", &ShowStmt{Kind: ShowTables}},
	{"show full tables", "SHOW FULL TABLES FROM db LIKE 'u%'", &ShowStmt{Kind: ShowTables, Full: true, Database: "db", Filter: &ShowFilter{Like: "u%"}}},
	{"show tables where", "show tables in db where Tables_in_db = 'users'",
		&ShowStmt{Kind: ShowTables, Database: "db", Filter: &ShowFilter{Where: mustExpr("Tables_in_db = 'users'")}}},
	{"show columns", "SHOW COLUMNS FROM t", &ShowStmt{Kind: ShowColumns, Table: tbl("t")}},
	{"show full columns", "SHOW FULL COLUMNS IN db.t", &ShowStmt{Kind: ShowColumns, Full: true, Table: TableName{Schema: "db", Name: "t"}}},
	{"show fields", "show fields from t from db like 'a%'", &ShowStmt{Kind: ShowColumns, Table: tbl("t"), Database: "db", Filter: &ShowFilter{Like: "a%"}}},
	{"show index", "SHOW INDEX FROM t", &ShowStmt{Kind: ShowIndex, Table: tbl("t")}},
	{"show indexes", "show indexes in `t`", &ShowStmt{Kind: ShowIndex, Table: tbl("t")}},
	{"show keys where", "SHOW KEYS FROM t WHERE Key_name = 'PRIMARY'", &ShowStmt{Kind: ShowIndex, Table: tbl("t"), Filter: &ShowFilter{Where: mustExpr("Key_name = 'PRIMARY'")}}},
	{"show create table", "SHOW CREATE TABLE `users`", &ShowStmt{Kind: ShowCreateTable, Table: tbl("users")}},
	{"show databases", "SHOW DATABASES", &ShowStmt{Kind: ShowDatabases}},
	{"show schemas like", "show schemas like 'x%'", &ShowStmt{Kind: ShowDatabases, Filter: &ShowFilter{Like: "x%"}}},
	{"show variables like", "SHOW VARIABLES LIKE 'version%'", &ShowStmt{Kind: ShowVariables, Filter: &ShowFilter{Like: "version%"}}},
	{"show global variables", "SHOW GLOBAL VARIABLES", &ShowStmt{Kind: ShowVariables, Scope: ScopeGlobal}},
	{"show session status", "SHOW SESSION STATUS LIKE 'x'", &ShowStmt{Kind: ShowStatus, Scope: ScopeSession, Filter: &ShowFilter{Like: "x"}}},
	{"show status", "show status", &ShowStmt{Kind: ShowStatus}},
	{"show table status", "SHOW TABLE STATUS LIKE 'users'", &ShowStmt{Kind: ShowTableStatus, Filter: &ShowFilter{Like: "users"}}},
	{"show table status from", "SHOW TABLE STATUS FROM db", &ShowStmt{Kind: ShowTableStatus, Database: "db"}},
	{"show warnings", "SHOW WARNINGS", &ShowStmt{Kind: ShowWarnings}},
	{"show errors", "SHOW ERRORS", &ShowStmt{Kind: ShowErrors}},

	// DESCRIBE / EXPLAIN of a table.
	{"describe", "DESCRIBE t", &ShowStmt{Kind: ShowColumns, Table: tbl("t")}},
	{"desc", "DESC `users`", &ShowStmt{Kind: ShowColumns, Table: tbl("users")}},
	{"explain table", "EXPLAIN db.t", &ShowStmt{Kind: ShowColumns, Table: TableName{Schema: "db", Name: "t"}}},
	{"describe column", "describe t col", &ShowStmt{Kind: ShowColumns, Table: tbl("t"), Filter: &ShowFilter{Like: "col"}}},
	{"describe pattern", "desc t 'a%'", &ShowStmt{Kind: ShowColumns, Table: tbl("t"), Filter: &ShowFilter{Like: "a%"}}},

	// EXPLAIN of a statement.
	{"explain select", "EXPLAIN SELECT * FROM t WHERE id = ?", &ExplainStmt{Inner: mustDML("SELECT * FROM t WHERE id = ?")}},
	{"explain format", "EXPLAIN FORMAT=JSON SELECT 1", &ExplainStmt{Inner: mustDML("SELECT 1"), Format: "json"}},
	{"explain analyze", "explain analyze select a from t", &ExplainStmt{Inner: mustDML("select a from t"), Analyze: true}},
	{"describe update", "DESCRIBE UPDATE t SET a = ? WHERE b = ?", &ExplainStmt{Inner: mustDML("UPDATE t SET a = ? WHERE b = ?")}},
	{"explain delete", "EXPLAIN DELETE FROM t WHERE a = 1", &ExplainStmt{Inner: mustDML("DELETE FROM t WHERE a = 1")}},
	{"explain insert", "EXPLAIN INSERT INTO t VALUES (1)", &ExplainStmt{Inner: mustDML("INSERT INTO t VALUES (1)")}},
	{"explain replace", "EXPLAIN REPLACE INTO t VALUES (1)", &ExplainStmt{Inner: mustDML("REPLACE INTO t VALUES (1)")}},

	// USE, SYNC.
	{"use", "USE db", &UseStmt{Database: "db"}},
	{"use quoted", "use `My DB`", &UseStmt{Database: "My DB"}},
	{"sync", "SYNC TABLE t WITH 'bxdb://host:4000'", &SyncStmt{Table: tbl("t"), URL: "bxdb://host:4000"}},
	{"sync qualified", `sync table db.T with "bxdb://[::1]:4000"`, &SyncStmt{Table: TableName{Schema: "db", Name: "T"}, URL: "bxdb://[::1]:4000"}},

	// DML.
	{"select", "SELECT * FROM `users` WHERE `users`.`deleted_at` IS NULL AND email = ? LIMIT 1",
		mustDML("select * from users where users.deleted_at is null and email = :v1 limit 1")},
	{"union", "select 1 union select 2", mustDML("select 1 union select 2")},
	{"insert", "INSERT INTO `users` (`name`,`email`) VALUES (?,?),(?,?) ON DUPLICATE KEY UPDATE `name`=VALUES(`name`)",
		mustDML("INSERT INTO `users` (`name`,`email`) VALUES (?,?),(?,?) ON DUPLICATE KEY UPDATE `name`=VALUES(`name`)")},
	{"replace", "REPLACE INTO t VALUES (?)", mustDML("replace into t values (:v1)")},
	{"update", "UPDATE t SET a = ? WHERE id = ? LIMIT 1", mustDML("UPDATE t SET a = ? WHERE id = ? LIMIT 1")},
	{"delete", "DELETE FROM t WHERE id IN (?, ?)", mustDML("DELETE FROM t WHERE id IN (?, ?)")},
	{"comments", "/* leading */ SELECT 1 -- trailing", mustDML("select 1")},
	{"version comment dml", "select /*!12345 1 + */ 2", mustDML("select 1 + 2")},
	{"version comment set", "/*!40101 SET NAMES utf8 */;", &SetNamesStmt{Charset: "utf8"}},
}

func TestParseStatements(t *testing.T) {
	for _, tc := range stmtTests {
		t.Run(tc.name, func(t *testing.T) { checkParse(t, tc.input, tc.want) })
	}
}

// stmtErrorTests are non-DDL statements that must fail, and where.
var stmtErrorTests = []errorTest{
	{"unknown statement", "FOO", 0, "unsupported statement"},
	{"grant", "GRANT ALL ON *.* TO x", 0, "unsupported statement"},
	{"unterminated string", "SELECT 'abc", 7, "unterminated string literal"},
	{"unterminated identifier", "CREATE TABLE `t (a int)", 13, "unterminated quoted identifier"},
	{"unterminated comment", "select 1 /* open", 9, "unterminated comment"},
	{"bad character", "select $", 7, "unexpected character"},
	{"bad number", "create table t (a int default 1abc)", 30, "malformed number"},
	{"two statements", "SELECT 1; SELECT 2", 10, "syntax error"},
	{"select at end", "SELECT * FROM", 13, "syntax error"},
	{"select last token", "select (1 +)", 11, "syntax error"},
	{"select middle", "SELECT * FROM t WHERE a = = 1", 26, "syntax error"},
	{"savepoint without name", "SAVEPOINT", 9, "expected a savepoint name"},
	{"release without savepoint", "RELEASE sp", 8, "expected SAVEPOINT"},
	{"rollback to nothing", "ROLLBACK TO", 11, "expected a savepoint name"},
	{"start alone", "START", 5, "expected TRANSACTION"},
	{"start read", "START TRANSACTION READ", 18, "expected WITH CONSISTENT SNAPSHOT"},
	{"begin garbage", "BEGIN foo", 6, "unexpected input"},
	{"commit and chain", "COMMIT AND CHAIN", 7, "unexpected input"},
	{"use nothing", "USE", 3, "expected a database name"},
	{"set nothing", "SET", 3, "expected a variable name"},
	{"set no equals", "SET x", 5, "expected '='"},
	{"set no value", "SET x =", 7, "expected a value"},
	{"set unbalanced", "SET x = (1", 10, "unbalanced parenthesis"},
	{"set extra paren", "SET x = 1)", 9, "unbalanced parenthesis"},
	{"set from", "SET x = 1 FROM t", 8, "expected a single expression"},
	{"set bad expression", "SET x = 1 +", 11, "syntax error"},
	{"set bad variable", "SET @ = 1", 4, "expected a variable name"},
	{"set transaction nothing", "SET TRANSACTION", 15, "expected ISOLATION LEVEL"},
	{"bad isolation level", "SET TRANSACTION ISOLATION LEVEL FOO", 32, "expected an isolation level"},
	{"set names nothing", "SET NAMES", 9, "expected a character set name"},
	{"show nothing", "SHOW", 4, "unsupported SHOW statement"},
	{"show unknown", "SHOW FOO", 5, "unsupported SHOW statement"},
	{"show columns without from", "SHOW COLUMNS t", 13, "expected FROM"},
	{"show full databases", "SHOW FULL DATABASES", 10, "FULL is not allowed"},
	{"show like identifier", "SHOW TABLES LIKE foo", 17, "expected a LIKE pattern"},
	{"show index like", "SHOW INDEX FROM t LIKE 'x'", 18, "unexpected input"},
	{"show global tables", "SHOW GLOBAL TABLES", 12, "expected VARIABLES or STATUS"},
	{"sync without string", "SYNC TABLE t WITH url", 18, "expected a URL string"},
	{"sync without table", "SYNC t", 5, "expected TABLE"},
	{"explain nothing", "EXPLAIN", 7, "expected a table name"},
	{"explain format table", "EXPLAIN FORMAT=JSON t", 20, "expected SELECT"},
	{"explain bad select", "EXPLAIN SELECT FROM", 15, "syntax error"},
	{"describe extra", "DESCRIBE t a b", 13, "unexpected input"},
}

func TestParseStatementErrors(t *testing.T) {
	for _, tc := range stmtErrorTests {
		t.Run(tc.name, func(t *testing.T) { checkParseError(t, tc) })
	}
}

func TestParseEmpty(t *testing.T) {
	for _, input := range []string{"", "   ", ";", "  ;  ", "-- just a comment", "/* c */ ;", "# c\n"} {
		if s, err := Parse(input); !errors.Is(err, ErrEmptyStatement) {
			t.Errorf("Parse(%q) = %v, %v; want ErrEmptyStatement", input, s, err)
		}
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := Parse("SELECT * FROM t WHERE a = = 1")
	const want = "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version " +
		"for the right syntax to use near '= 1' at position 26: syntax error"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	// Near is capped at nearLimit bytes, on a UTF-8 boundary.
	long := "FOO " + strings.Repeat("é", 100)
	_, err = Parse(long)
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Parse(long) = %v, want a *ParseError", err)
	}
	if len(pe.Near) > nearLimit || !strings.HasPrefix(long[pe.Pos:], pe.Near) || len(pe.Near) < nearLimit-1 {
		t.Errorf("Near = %q (%d bytes), want a prefix of at most %d bytes", pe.Near, len(pe.Near), nearLimit)
	}
}

func TestNumPlaceholders(t *testing.T) {
	for _, tc := range []struct {
		input string
		want  int
	}{
		{"SELECT 1", 0},
		{"SELECT ?", 1},
		{"SELECT * FROM t WHERE a = ? AND b IN (?, ?)", 3},
		{"INSERT INTO t VALUES (?, ?), (?, ?)", 4},
		{"UPDATE t SET a = ? WHERE b = ? LIMIT ?", 3},
		{"DELETE FROM t WHERE a = ?", 1},
		{"SELECT * FROM t LIMIT ?, ?", 2},
		{"SELECT ':v1', '?', `?`, ? /* ? */ -- ?", 1},
		{"EXPLAIN SELECT * FROM t WHERE a = ? AND b = ?", 2},
		{"SET @a = ?, @b = ? + ?", 3},
		{"SHOW TABLES WHERE Tables_in_db = ?", 1},
		{"CREATE TABLE t (a int DEFAULT ?, b int DEFAULT (? + 1), CHECK (a > ?))", 3},
		{"ALTER TABLE t ADD c int DEFAULT ?, ALTER d SET DEFAULT ?, MODIFY e int DEFAULT ?, CHANGE f g int DEFAULT ?, ADD CHECK (a > ?)", 5},
		{"CREATE TABLE t (a int)", 0},
		{"BEGIN", 0},
	} {
		s, err := Parse(tc.input)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.input, err)
		}
		if got := NumPlaceholders(s); got != tc.want {
			t.Errorf("NumPlaceholders(%q) = %d, want %d", tc.input, got, tc.want)
		}
	}
}
