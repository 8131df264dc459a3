package sqlfront

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWindowColumnTypes: LAG, LEAD, FIRST_VALUE, LAST_VALUE, NTH_VALUE,
// MIN and MAX over a window are typed as their column, also when the
// first value is NULL or there is no row.
func TestWindowColumnTypes(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE w (id INT PRIMARY KEY, d DATETIME, b DECIMAL(8,3), v VARCHAR(5))")
	execSQL(t, s, "INSERT INTO w VALUES (1, '2020-01-01 00:00:00', NULL, 'a'), (2, NULL, 1.5, 'b')")
	for _, where := range []string{"", " WHERE id > 9"} {
		got := columnTypeNames(t, s, "SELECT LAG(d) OVER (ORDER BY id), LEAD(b) OVER (ORDER BY id), FIRST_VALUE(v) OVER (ORDER BY id DESC), LAST_VALUE(d) OVER (), NTH_VALUE(b, 2) OVER (ORDER BY id), MAX(d) OVER (), MIN(b) OVER (), LAG(b, 1, 'x') OVER (ORDER BY id) FROM w"+where)
		want := []string{"DATETIME", "DECIMAL", "VARCHAR", "DATETIME", "DECIMAL", "DATETIME", "DECIMAL", ""}
		if where == "" {
			want[7] = "VARCHAR" // from the first row's 'x'
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q: column types (-want +got):\n%s", where, diff)
		}
	}
}
