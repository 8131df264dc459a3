package sqlfront

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLikeEscapeArg: LIKE ? ESCAPE ? reads the escape character per
// execution, on an indexed column too (no prefix range that assumes '\');
// a column as escape, or more than one character, is error 1210.
func TestLikeEscapeArg(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE w (id INT PRIMARY KEY, s VARCHAR(20), KEY ks (s))")
	execSQL(t, s, `INSERT INTO w VALUES (1, '50%'), (2, '50x'), (3, 'a_c'), (4, 'abc'), (5, 'a|c'), (6, '5!%')`)
	q := "SELECT id FROM w WHERE s LIKE ? ESCAPE ? ORDER BY id"
	for _, tc := range []struct {
		pat, esc string
		want     [][]string
	}{
		{"50!%", "!", [][]string{{"1"}}},
		{"50%", "!", [][]string{{"1"}, {"2"}}},
		{"a|_c", "|", [][]string{{"3"}}},
		{"a|_c", "!", nil},             // '|' literal, '_' a wildcard: four characters
		{"5!%", "", [][]string{{"6"}}}, // no escape character: '!' literal, '%' a wildcard
		{"5!%", "!", nil},
		{"a\\_c", "\\", [][]string{{"3"}}},
	} {
		got := querySQL(t, s, q, StringValue(tc.pat), StringValue(tc.esc))
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("LIKE %q ESCAPE %q (-want +got):\n%s", tc.pat, tc.esc, diff)
		}
	}
	// The same prepared statement with another escape each time.
	st, err := s.Prepare("SELECT COUNT(*) FROM w WHERE s LIKE ? ESCAPE ?")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		esc  string
		want string
	}{{"!", "2"}, {"|", "1"}, {"!", "2"}, {"", "1"}} { // ending in '%', or holding '!'
		rows, err := s.Query(context.Background(), st, []Value{StringValue("%!%"), StringValue(tc.esc)})
		if err != nil {
			t.Fatal(err)
		}
		dst := make([]Value, 1)
		if err := rows.Next(dst); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if Format(dst[0]) != tc.want {
			t.Errorf("COUNT LIKE '%%!%%' ESCAPE %q = %s, want %s", tc.esc, Format(dst[0]), tc.want)
		}
	}
	for _, bad := range []struct {
		q    string
		args []Value
	}{
		{q, []Value{StringValue("a%"), StringValue("xy")}},
		{"SELECT id FROM w WHERE s LIKE 'a%' ESCAPE s", nil},
	} {
		st, err := s.Prepare(bad.q)
		if err == nil {
			var rows *Rows
			if rows, err = s.Query(context.Background(), st, bad.args); err == nil {
				dst := make([]Value, 1)
				err = rows.Next(dst)
				rows.Close()
			}
		}
		if sqlNumber(err) != 1210 {
			t.Errorf("%s %v: %v, want error 1210", bad.q, bad.args, err)
		}
	}
}
