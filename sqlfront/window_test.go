package sqlfront

import (
	"fmt"
	"testing"
)

// TestWindowFunctions checks window calls on a small table against
// answers worked out by hand (MySQL's default frames).
func TestWindowFunctions(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, g VARCHAR(5), v INT)")
	execSQL(t, s, "INSERT INTO t VALUES (1, 'a', 10), (2, 'a', 20), (3, 'a', 20), (4, 'b', 5), (5, 'b', NULL), (6, 'c', 7)")
	for _, c := range []struct{ sql, want string }{
		{"SELECT id, ROW_NUMBER() OVER (ORDER BY id DESC) AS rn FROM t ORDER BY id", "[[1 6] [2 5] [3 4] [4 3] [5 2] [6 1]]"},
		{"SELECT id, RANK() OVER (PARTITION BY g ORDER BY v) r, DENSE_RANK() OVER (PARTITION BY g ORDER BY v) d FROM t ORDER BY id", "[[1 1 1] [2 2 2] [3 2 2] [4 2 2] [5 1 1] [6 1 1]]"},
		{"SELECT id, SUM(v) OVER (PARTITION BY g ORDER BY v) AS s FROM t ORDER BY id", "[[1 10] [2 50] [3 50] [4 5] [5 NULL] [6 7]]"},
		{"SELECT id, SUM(v) OVER (PARTITION BY g) AS s, COUNT(*) OVER () AS n, COUNT(v) OVER (PARTITION BY g) AS c FROM t ORDER BY id", "[[1 50 6 3] [2 50 6 3] [3 50 6 3] [4 5 6 1] [5 5 6 1] [6 7 6 1]]"},
		{"SELECT id, LAG(v) OVER (ORDER BY id) AS p, LEAD(v, 2, -1) OVER (ORDER BY id) AS n FROM t ORDER BY id", "[[1 NULL 20] [2 10 5] [3 20 NULL] [4 20 7] [5 5 -1] [6 NULL -1]]"},
		{"SELECT id, FIRST_VALUE(id) OVER (PARTITION BY g ORDER BY id DESC) f, LAST_VALUE(id) OVER (PARTITION BY g ORDER BY v) l FROM t ORDER BY id", "[[1 3 1] [2 3 3] [3 3 3] [4 5 4] [5 5 5] [6 6 6]]"},
		{"SELECT id, NTILE(4) OVER (ORDER BY id) FROM t ORDER BY id", "[[1 1] [2 1] [3 2] [4 2] [5 3] [6 4]]"},
		{"SELECT id, ROUND(PERCENT_RANK() OVER (ORDER BY v), 2), ROUND(CUME_DIST() OVER (ORDER BY v), 2) FROM t WHERE g = 'a' ORDER BY id", "[[1 0 0.33] [2 0.5 1] [3 0.5 1]]"},
		{"SELECT g, SUM(v), RANK() OVER (ORDER BY SUM(v) DESC) FROM t GROUP BY g ORDER BY g", "[[a 50 1] [b 5 3] [c 7 2]]"},
		{"SELECT id, 100 + ROW_NUMBER() OVER (ORDER BY id) * 2 FROM t WHERE id < 3", "[[1 102] [2 104]]"},
		{"SELECT DISTINCT g, COUNT(*) OVER (PARTITION BY g) AS n FROM t ORDER BY n DESC, g", "[[a 3] [b 2] [c 1]]"},
		{"SELECT id FROM t ORDER BY ROW_NUMBER() OVER (ORDER BY id DESC) LIMIT 1", "ERR"},
		{"SELECT id, NTH_VALUE(v, 2) OVER (ORDER BY id) FROM t ORDER BY id LIMIT 3", "[[1 NULL] [2 20] [3 20]]"},
		{"SELECT id, ROW_NUMBER() OVER (PARTITION BY g ORDER BY id) AS rn FROM t ORDER BY rn, id LIMIT 3", "[[1 1] [4 1] [6 1]]"},
	} {
		st, err := s.Prepare(c.sql)
		var got string
		if err == nil {
			var rows *Rows
			if rows, err = s.Query(t.Context(), st, nil); err == nil {
				var out [][]string
				dst := make([]Value, len(rows.Columns()))
				for err = rows.Next(dst); err == nil; err = rows.Next(dst) {
					var r []string
					for _, v := range dst {
						r = append(r, Format(v))
					}
					out = append(out, r)
				}
				rows.Close()
				if err.Error() == "EOF" {
					err = nil
				}
				got = fmt.Sprint(out)
			}
		}
		if err != nil {
			got = "ERR"
			if c.want != "ERR" {
				t.Errorf("%s: %v", c.sql, err)
				continue
			}
		}
		if got != c.want {
			t.Errorf("%s:\ngot  %s\nwant %s", c.sql, got, c.want)
		}
	}
	// The column of an unaliased window call is named by its text.
	st, err := s.Prepare("SELECT ROW_NUMBER() OVER (ORDER BY id), id FROM t")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Query(t.Context(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cols := rows.Columns(); cols[0].Name != "ROW_NUMBER() OVER (ORDER BY id)" || cols[1].Name != "id" {
		t.Errorf("column names %q, %q", cols[0].Name, cols[1].Name)
	}
	rows.Close()
}

// TestWindowShapes runs window calls through the planner's other paths:
// point selects, COUNT fast paths, derived tables, views, unions,
// subqueries, prepared arguments and CTEs.
func TestWindowShapes(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, g INT, v INT)")
	execSQL(t, s, "INSERT INTO t VALUES (1, 1, 5), (2, 1, 6), (3, 2, 7)")
	execSQL(t, s, "CREATE VIEW vw AS SELECT id, SUM(v) OVER (PARTITION BY g) AS s FROM t")
	checkQueries(t, s, []queryCase{
		{"SELECT id, ROW_NUMBER() OVER () FROM t WHERE id = 2", "[[2 1]]"},
		{"SELECT COUNT(*) OVER () FROM t WHERE id BETWEEN 1 AND 2", "[[2] [2]]"},
		{"SELECT x.id, x.r FROM (SELECT id, RANK() OVER (ORDER BY v DESC) AS r FROM t) x WHERE x.r = 1", "[[3 1]]"},
		{"SELECT id, s FROM vw ORDER BY id", "[[1 11] [2 11] [3 7]]"},
		{"SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM t WHERE g = 1 UNION ALL SELECT 9, 9 ORDER BY 1", "[[1 1] [2 2] [9 9]]"},
		{"SELECT id FROM t WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY g ORDER BY v DESC) AS rn FROM t) z WHERE rn = 1) ORDER BY id", "[[2] [3]]"},
		{"WITH c AS (SELECT id, LAG(v, 1, 0) OVER (ORDER BY id) AS p FROM t) SELECT id, p FROM c ORDER BY id", "[[1 0] [2 5] [3 6]]"},
		{"SELECT t.*, SUM(v) OVER (ORDER BY id) AS run FROM t", "[[1 1 5 5] [2 1 6 11] [3 2 7 18]]"},
	})
	if got := fmt.Sprint(querySQL(t, s, "SELECT id, NTILE(?) OVER (ORDER BY id) FROM t", IntValue(2))); got != "[[1 1] [2 1] [3 2]]" {
		t.Errorf("NTILE(?): %s", got)
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT id, SUM(v) OVER (ORDER BY id ROWS BETWEEN ? PRECEDING AND CURRENT ROW) FROM t", IntValue(1))); got != "[[1 5] [2 11] [3 13]]" {
		t.Errorf("moving sum: %s", got)
	}
	for _, bad := range []string{
		"SELECT id FROM t WHERE ROW_NUMBER() OVER () = 1",
		"SELECT g FROM t GROUP BY g HAVING RANK() OVER () = 1",
		"SELECT SUM(v) OVER (ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW) FROM t",
		"SELECT SUM(v) OVER (ROWS UNBOUNDED FOLLOWING) FROM t",
		"SELECT SUM(v) OVER (ROWS BETWEEN ? PRECEDING AND CURRENT ROW) FROM t",
		"SELECT COUNT(DISTINCT v) OVER () FROM t",
		"SELECT NTILE(0) OVER () FROM t",
		"SELECT UNKNOWNFN(v) OVER () FROM t",
	} {
		if err := stmtErr(t, s, bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
