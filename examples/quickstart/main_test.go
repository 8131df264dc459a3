package main

import (
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"
)

// TestQuickstart runs the tour on files it keeps, then reopens both
// databases: each must hold exactly the rows the tour ends with (its
// update and delete here, its insert on the replica).
func TestQuickstart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "books.bxdb")
	if err := run([]string{path}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1 The Go Programming Language 36.99",
		"2 The C Programming Language 45.50",
		"3 The UNIX Programming Environment 39.95",
		"4 The Practice of Programming 29.99",
		"6 Database System Concepts 120.00",
		"7 The Art of Computer Programming 199.00",
	}
	for _, p := range []string{path, filepath.Join(dir, "books-replica.bxdb")} {
		db, err := sql.Open("bxdb", p)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query("SELECT CONCAT_WS(' ', id, title, price) FROM books ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		db.Close()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s holds\n%q\nwant\n%q", filepath.Base(p), got, want)
		}
	}
	// A second run on the same files starts over and ends the same.
	if err := run([]string{path}); err != nil {
		t.Fatal(err)
	}
}
