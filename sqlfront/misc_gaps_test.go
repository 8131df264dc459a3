package sqlfront

import (
	"fmt"
	"testing"
)

// TestWarningsSessionReset checks that a prepared statement re-run
// records its warnings each time, and that Session.Reset keeps them (as it
// keeps LAST_INSERT_ID: db.Exec then db.Query("SHOW WARNINGS") on a pool's
// one idle connection reads them, as against MySQL).
func TestWarningsSessionReset(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	execSQL(t, s, "CREATE TABLE t (a TINYINT)")
	st, err := s.Prepare("INSERT IGNORE INTO t VALUES (?)")
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []Value{IntValue(500), IntValue(-500)} {
		if _, err := s.Exec(t.Context(), st, []Value{v}); err != nil {
			t.Fatal(err)
		}
		want := "[[Warning 1264 Out of range value for column 'a' at row 1]]"
		if got := fmt.Sprint(querySQL(t, s, "SHOW WARNINGS")); got != want {
			t.Errorf("run %d: got %s, want %s", i, got, want)
		}
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	checkQueries(t, s, []queryCase{
		{"SELECT @@warning_count, @@error_count", "[[1 0]]"},
		{"SHOW WARNINGS", "[[Warning 1264 Out of range value for column 'a' at row 1]]"},
		{"SELECT a FROM t ORDER BY a", "[[-128] [127]]"},
	})
}

// TestCastJSONErrorConstant checks that CAST(... AS JSON) of a constant
// invalid text fails when the statement runs (it is not folded away).
func TestCastJSONErrorConstant(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	err := stmtErr(t, s, "SELECT 1 FROM (SELECT 1 AS x) d WHERE CAST('[' AS JSON) IS NULL")
	if got, want := fmt.Sprint(err), `Error 3141 (22032): Invalid JSON text in argument 1 to function cast_as_json: "Invalid value."`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestInsertValueKeyword checks INSERT ... VALUE with placeholders and
// comments around the keyword.
func TestInsertValueKeyword(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	execSQL(t, s, "CREATE TABLE t (a INT, b VARCHAR(5))")
	execSQL(t, s, "INSERT INTO t VALUE (?, ?)", IntValue(1), StringValue("x"))
	execSQL(t, s, "INSERT INTO t (a) VALUE/* c */(?), (?)", IntValue(2), IntValue(3))
	execSQL(t, s, "INSERT INTO t VALUE\n(4, 'value')")
	execSQL(t, s, "INSERT INTO t (a, b) VALUE (5, 'v') ON DUPLICATE KEY UPDATE b = VALUES(b)")
	checkQueries(t, s, []queryCase{
		{"SELECT a, b FROM t ORDER BY a", "[[1 x] [2 NULL] [3 NULL] [4 value] [5 v]]"},
	})
	if err := stmtErr(t, s, "INSERT INTO t VALUE 1"); err == nil {
		t.Error("INSERT INTO t VALUE 1: no error")
	}
}
