package driver

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// TestErrorsAreMySQLErrors: SQL errors reach the program as plain
// *mysql.MySQLError values (what GORM's mysql dialector and other code
// written for MySQL assert on), parse errors included; other errors keep
// their identity.
func TestErrorsAreMySQLErrors(t *testing.T) {
	db, err := sql.Open("bxdb", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE t (id INT PRIMARY KEY, u VARCHAR(5) UNIQUE)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO t VALUES (1, 'a')"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		run    func() error
		number uint16
		state  string
		msg    string
	}{
		{func() error { _, err := db.Exec("INSERT INTO t VALUES (2, 'a')"); return err }, 1062, "23000", "Duplicate entry 'a' for key 't.u'"},
		{func() error { _, err := db.Exec("INSERT INTO t VALUES (?, 'b')", 1); return err }, 1062, "23000", "Duplicate entry '1' for key 't.PRIMARY'"},
		{func() error { _, err := db.Query("SELECT nope FROM t"); return err }, 1054, "42S22", "Unknown column 'nope' in 'field list'"},
		{func() error { _, err := db.Exec("SELEKT 1"); return err }, 1064, "42000", ""},
		{func() error { _, err := db.Exec("SELECT ?"); return err }, 1210, "HY000", "Incorrect arguments to EXECUTE: 1 placeholders, 0 arguments"},
		{func() error {
			tx, err := db.Begin()
			if err != nil {
				return err
			}
			defer tx.Rollback()
			_, err = tx.Exec("INSERT INTO t VALUES (3, 'a')")
			return err
		}, 1062, "23000", "Duplicate entry 'a' for key 't.u'"},
	} {
		err := c.run()
		me, ok := err.(*mysql.MySQLError)
		if !ok {
			t.Errorf("error %v is a %T, want *mysql.MySQLError", err, err)
			continue
		}
		if me.Number != c.number || string(me.SQLState[:]) != c.state || c.msg != "" && me.Message != c.msg {
			t.Errorf("error = %d %s %q, want %d %s %q", me.Number, me.SQLState[:], me.Message, c.number, c.state, c.msg)
		}
		if !errors.Is(err, &Error{Number: c.number}) {
			t.Errorf("errors.Is(%v, &Error{Number: %d}) = false", err, c.number)
		}
		var e *Error
		if !errors.As(err, &e) || e != me {
			t.Errorf("errors.As(%v, *Error) failed", err)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.ExecContext(ctx, "INSERT INTO t VALUES (9, 'z')"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
