package sqlfront

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestZeroLengthStrings: CHAR(0), VARCHAR(0), BINARY(0) and VARBINARY(0)
// hold only the empty string and NULL, as in MySQL (anything longer is
// 1406), and show as written; CHAR, BINARY and VARCHAR without a length
// stay CHAR(1), BINARY(1) and bxdb's unbounded VARCHAR.
func TestZeroLengthStrings(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE z (a CHAR(0), b VARCHAR(0), d BINARY(0), e VARBINARY(0), f CHAR, g BINARY, h VARCHAR)")
	execSQL(t, s, "INSERT INTO z VALUES ('', '', '', '', 'x', 'y', 'zzzz'), (NULL, NULL, NULL, NULL, NULL, NULL, NULL), ('  ', ' ', '', '', '', '', '')")
	for _, col := range []string{"a", "b", "d", "e"} {
		if err := execErr(t.Context(), s, "INSERT INTO z ("+col+") VALUES ('x')"); sqlNumber(err) != ErDataTooLong {
			t.Errorf("'x' into %s: %v, want 1406", col, err)
		}
	}
	for _, col := range []string{"f", "g"} {
		if err := execErr(t.Context(), s, "INSERT INTO z ("+col+") VALUES ('xy')"); sqlNumber(err) != ErDataTooLong {
			t.Errorf("'xy' into %s: %v, want 1406", col, err)
		}
	}
	got := querySQL(t, s, "SELECT COALESCE(LENGTH(a), -1), COALESCE(LENGTH(b), -1), COALESCE(LENGTH(d), -1), COALESCE(LENGTH(e), -1), f, HEX(g), h FROM z ORDER BY h IS NULL, h DESC")
	want := [][]string{{"0", "0", "0", "0", "x", "79", "zzzz"}, {"0", "0", "0", "0", "", "00", ""}, {"-1", "-1", "-1", "-1", "NULL", "NULL", "NULL"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	create := querySQL(t, s, "SHOW CREATE TABLE z")[0][1]
	for _, c := range []string{"`a` char(0)", "`b` varchar(0)", "`d` binary(0)", "`e` varbinary(0)", "`f` char(1)", "`g` binary(1)", "`h` varchar(65535)"} {
		if !strings.Contains(create, c) {
			t.Errorf("SHOW CREATE TABLE lacks %q: %s", c, create)
		}
	}
}
