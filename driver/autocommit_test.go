package driver

import (
	"context"
	"database/sql"
	"testing"
)

// TestAutocommitOffThroughDatabaseSQL: SET autocommit = 0 on a pinned
// connection opens an implicit transaction at the next statement; ROLLBACK
// undoes it, COMMIT keeps it; BeginTx commits an implicit transaction left
// open (as START TRANSACTION does); returning the connection to the pool
// rolls back what is left and turns autocommit on again.
func TestAutocommitOffThroughDatabaseSQL(t *testing.T) {
	ctx := context.Background()
	db := sql.OpenDB(mustConnector(t, ":memory:"))
	defer db.Close()
	db.SetMaxOpenConns(2)
	if _, err := db.Exec("CREATE TABLE t (id INT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM t").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string) {
		t.Helper()
		if _, err := c.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("SET autocommit = 0")
	var ac int
	if err := c.QueryRowContext(ctx, "SELECT @@autocommit").Scan(&ac); err != nil || ac != 0 {
		t.Fatalf("@@autocommit = %d, %v; want 0", ac, err)
	}
	exec("INSERT INTO t VALUES (1)")
	if n := count(); n != 0 {
		t.Fatalf("uncommitted row visible to another connection: %d", n)
	}
	exec("ROLLBACK")
	var own int
	if err := c.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&own); err != nil || own != 0 {
		t.Fatalf("after ROLLBACK: %d, %v; want 0", own, err)
	}
	exec("INSERT INTO t VALUES (2)")
	exec("COMMIT")
	if n := count(); n != 1 {
		t.Fatalf("after COMMIT: %d rows, want 1", n)
	}
	// A database/sql transaction on top of an implicit one commits it first.
	exec("INSERT INTO t VALUES (3)")
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Fatalf("BeginTx did not commit the implicit transaction: %d rows, want 2", n)
	}
	if _, err := tx.Exec("INSERT INTO t VALUES (4)"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	// Left open when the connection goes back to the pool: rolled back.
	exec("INSERT INTO t VALUES (5)")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Fatalf("after the pool return: %d rows, want 2", n)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	for i := 0; i < 2; i++ {
		if err := db.QueryRow("SELECT @@autocommit").Scan(&ac); err != nil || ac != 1 {
			t.Fatalf("pooled connection: @@autocommit = %d, %v; want 1", ac, err)
		}
	}
	if _, err := db.Exec("INSERT INTO t VALUES (6)"); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 3 {
		t.Fatalf("autocommit write: %d rows, want 3", n)
	}
}
