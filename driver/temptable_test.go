package driver

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestTemporaryTablesThroughDatabaseSQL: a temporary table belongs to the
// connection that created it: another pinned connection neither sees it
// nor its rows and may create its own of the same name; it hides the
// permanent table of its name from its connection only; closing the
// connection drops it, and reopening the file leaves nothing of it.
func TestTemporaryTablesThroughDatabaseSQL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tmp.bxdb")
	db := sql.OpenDB(mustConnector(t, path))
	db.SetMaxIdleConns(0) // a connection given back is closed
	c1, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exec := func(c *sql.Conn, q string, args ...any) {
		t.Helper()
		if _, err := c.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rows := func(c *sql.Conn, q string) string {
		t.Helper()
		rs, err := c.QueryContext(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rs.Close()
		cols, _ := rs.Columns()
		var out []string
		for rs.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var r []string
			for _, v := range vals {
				r = append(r, v.String)
			}
			out = append(out, strings.Join(r, ","))
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		return strings.Join(out, ";")
	}
	check := func(c *sql.Conn, q, want string) {
		t.Helper()
		if got := rows(c, q); got != want {
			t.Fatalf("%s: got %q, want %q", q, got, want)
		}
	}
	noTable := func(c *sql.Conn, q string) {
		t.Helper()
		_, err := c.ExecContext(ctx, q)
		var e *Error
		if !errors.As(err, &e) || e.Number != 1146 {
			t.Fatalf("%s: %v, want error 1146", q, err)
		}
	}

	exec(c1, "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))")
	exec(c1, "INSERT INTO items VALUES (1, 'perm-a'), (2, 'perm-b')")
	exec(c1, "CREATE TEMPORARY TABLE scratch (id INT AUTO_INCREMENT PRIMARY KEY, item INT, KEY (item))")
	exec(c1, "INSERT INTO scratch (item) VALUES (?), (?)", 2, 1)
	check(c1, "SELECT s.id, i.name FROM scratch s JOIN items i ON i.id = s.item ORDER BY s.id", "1,perm-b;2,perm-a")
	noTable(c2, "SELECT * FROM scratch")
	exec(c2, "CREATE TEMPORARY TABLE scratch (x VARCHAR(5))")
	exec(c2, "INSERT INTO scratch VALUES ('two')")
	check(c2, "SELECT * FROM scratch", "two")
	check(c1, "SELECT id, item FROM scratch ORDER BY id", "1,2;2,1")

	// c1's temporary items hides the permanent one from c1 only.
	exec(c1, "CREATE TEMPORARY TABLE items LIKE items")
	exec(c1, "INSERT INTO items VALUES (7, 'temp')")
	check(c1, "SELECT * FROM items", "7,temp")
	check(c2, "SELECT * FROM items ORDER BY id", "1,perm-a;2,perm-b")
	check(c1, "SHOW TABLES", "items")
	check(c1, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()", "items")
	exec(c1, "DROP TABLE items") // the temporary one
	check(c1, "SELECT COUNT(*) FROM items", "2")

	// In a transaction, as in this engine's other DDL.
	tx, err := c1.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("CREATE TEMPORARY TABLE gone (a INT)"); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("INSERT INTO scratch (item) VALUES (9)"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	noTable(c1, "SELECT * FROM gone")
	check(c1, "SELECT COUNT(*) FROM scratch", "2")

	// Closing c1 (the pool keeps no idle connection) drops its table.
	if err := c1.Close(); err != nil {
		t.Fatal(err)
	}
	c3, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	noTable(c3, "SELECT * FROM scratch")
	check(c2, "SELECT * FROM scratch", "two")

	// Reopening the file leaves no temporary table; c2's is dropped when
	// it closes, c3's when the database closes.
	exec(c3, "CREATE TEMPORARY TABLE t3 (a INT)")
	exec(c3, "INSERT INTO t3 VALUES (3)")
	c2.Close()
	c3.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = sql.OpenDB(mustConnector(t, path))
	defer db.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	noTable(c, "SELECT * FROM scratch")
	noTable(c, "SELECT * FROM t3")
	check(c, "SHOW TABLES", "items")
	check(c, "SELECT id, name FROM items ORDER BY id", "1,perm-a;2,perm-b")
	exec(c, "CREATE TEMPORARY TABLE scratch (a INT)") // a fresh one
	check(c, "SELECT COUNT(*) FROM scratch", "0")
	if _, err := c.ExecContext(ctx, "DROP TEMPORARY TABLE items"); err == nil || !strings.Contains(err.Error(), "Unknown table") {
		t.Fatalf("DROP TEMPORARY TABLE of a permanent table: %v", err)
	}
}
