package driver

import (
	"database/sql"
	"testing"
)

// TestTableValuesArgs: TABLE and VALUES through database/sql, with
// arguments, also in a UNION's LIMIT (NumInput counts that marker).
func TestTableValuesArgs(t *testing.T) {
	db := sql.OpenDB(mustConnector(t, ":memory:"))
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE t (a INT PRIMARY KEY, b VARCHAR(5))"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO t VALUES ROW(?, ?), ROW(?, ?)", 1, "x", 2, "y"); err != nil {
		t.Fatal(err)
	}
	st, err := db.Prepare("VALUES ROW(?, 'v'), ROW(?, 'w') UNION ALL TABLE t ORDER BY column_0 DESC LIMIT ?")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Query(5, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil || len(cols) != 2 || cols[0] != "column_0" || cols[1] != "column_1" {
		t.Fatalf("columns %v, %v", cols, err)
	}
	var got []string
	for rows.Next() {
		var a int
		var b string
		if err := rows.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		got = append(got, b)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != "v" || got[1] != "y" || got[2] != "x" {
		t.Errorf("got %v, want [v y x]", got)
	}
}
