package sqlfront

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestControlFlowResultTypes: CASE, IF, IFNULL, COALESCE, GREATEST and
// LEAST give every row the aggregate type of their operands, as MySQL
// does, whichever operand the row picks: DECIMAL with the largest scale
// for exact numbers with a DECIMAL among them (also an aggregate's:
// COALESCE(SUM(amount), 0) over no rows is 0.00), a string when strings
// mix with numbers or dates; and the column is typed so before the first
// row, even when there is none.
func TestControlFlowResultTypes(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE n (id INT PRIMARY KEY, amt DECIMAL(10,2), i INT, f DOUBLE, d DATETIME, v VARCHAR(10))")
	execSQL(t, s, "INSERT INTO n VALUES (1, NULL, 7, 1.5, '2020-01-02 03:04:05', 'x'), (2, 2.5, NULL, NULL, NULL, NULL)")
	checkQueries(t, s, []queryCase{
		{"SELECT IFNULL(amt, 0), COALESCE(amt, i, 0), CASE WHEN id = 1 THEN i ELSE amt END, IF(id = 1, i, amt), COALESCE(i, 0.5), GREATEST(id, 2.50), LEAST(i, amt) FROM n ORDER BY id",
			"[[0.00 7.00 7.00 7.00 7.0 2.50 NULL] [2.50 2.50 2.50 2.50 0.5 2.50 NULL]]"},
		{"SELECT IFNULL(i, 'none'), COALESCE(d, 'never'), CASE id WHEN 1 THEN v ELSE i + 1 END, IF(id = 2, amt * 2, v) FROM n ORDER BY id",
			"[[7 2020-01-02 03:04:05 x x] [none never NULL 5.00]]"},
		{"SELECT COALESCE(SUM(amt), 0), IFNULL(AVG(i), 0), COALESCE(MAX(amt), 1), COALESCE(MIN(i) / 3, 1), COALESCE(COUNT(*), 0.5) FROM n WHERE id > 5",
			"[[0.00 0.0000 1.00 1.0000 0.0]]"},
		{"SELECT id, COALESCE(SUM(amt), 0), IFNULL(AVG(i), 0) FROM n GROUP BY id ORDER BY id",
			"[[1 0.00 7.0000] [2 2.50 0.0000]]"},
		// Unchanged: one type, DOUBLE among exact numbers, unknown types.
		{"SELECT IFNULL(i, 0), COALESCE(f, 0), IFNULL(v, 'y'), COALESCE(amt, 1.25) FROM n ORDER BY id",
			"[[7 1.5 x 1.25] [0 0 y 2.50]]"},
		// GREATEST and LEAST of strings and numbers compare strings.
		{"SELECT GREATEST(10, '9'), LEAST(i, 'a'), GREATEST(i, 2.5) FROM n ORDER BY id",
			"[[9 7 7.0] [9 NULL NULL]]"},
		// Comparisons see the same values.
		{"SELECT id FROM n WHERE COALESCE(amt, 0) = 0 AND IFNULL(i, 'none') = 7", "[[1]]"},
	})
	for _, c := range []struct {
		q     string
		types []string
	}{
		{"SELECT COALESCE(amt, 0), CASE WHEN id > 1 THEN i ELSE amt END, IFNULL(i, 'none'), IF(id = 1, 1, 2) FROM n WHERE id > 5",
			[]string{"DECIMAL", "DECIMAL", "VARCHAR", "BIGINT"}},
		{"SELECT CASE WHEN id > 1 THEN 1.5 ELSE NULL END, COALESCE(SUM(amt), 0), IFNULL(v, 'y'), COALESCE(f, 1.0e0) FROM n",
			[]string{"DECIMAL", "DECIMAL", "VARCHAR", "DOUBLE"}},
		{"SELECT id + 1, amt * 2, f / 2, i / 2, i DIV 2, COUNT(*) * 2, SUM(amt) + 1, AVG(f) + 1 FROM n WHERE id > 5",
			[]string{"BIGINT", "DECIMAL", "DOUBLE", "DECIMAL", "BIGINT", "BIGINT", "DECIMAL", "DOUBLE"}},
	} {
		if diff := cmp.Diff(c.types, columnTypeNames(t, s, c.q)); diff != "" {
			t.Errorf("%s: column types (-want +got):\n%s", c.q, diff)
		}
	}
}

// columnTypeNames returns the DatabaseTypeName of each column of query q,
// before its first row is read.
func columnTypeNames(t *testing.T, s *Session, q string) []string {
	t.Helper()
	var names []string
	for _, ci := range queryColumns(t, s, q) {
		names = append(names, ci.DatabaseTypeName)
	}
	return names
}

// queryColumns returns the result columns of query q, before its first
// row is read.
func queryColumns(t *testing.T, s *Session, q string) []ColumnInfo {
	t.Helper()
	st, err := s.Prepare(q)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Query(context.Background(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	return rows.Columns()
}
