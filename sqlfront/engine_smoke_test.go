package sqlfront

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
)

func openTestEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := Open("test.bxdb", &Options{FS: bedrock.NewMemFS()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func querySQL(t *testing.T, s *Session, q string, args ...Value) [][]string {
	t.Helper()
	st, err := s.Prepare(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	rows, err := s.Query(context.Background(), st, args)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out [][]string
	dst := make([]Value, len(rows.Columns()))
	for {
		err := rows.Next(dst)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var r []string
		for _, v := range dst {
			r = append(r, Format(v))
		}
		out = append(out, r)
	}
	return out
}

// queryCase is a query and its rows as fmt.Sprint prints querySQL's result.
type queryCase struct{ sql, want string }

// checkQueries runs each query and compares its rows.
func checkQueries(t *testing.T, s *Session, cases []queryCase) {
	t.Helper()
	for _, c := range cases {
		if got := fmt.Sprint(querySQL(t, s, c.sql)); got != c.want {
			t.Errorf("%s:\ngot  %s\nwant %s", c.sql, got, c.want)
		}
	}
}

// stmtErr runs q (reading a query's rows to the end) and returns its
// error: for the tests of statements that must fail.
func stmtErr(t *testing.T, s *Session, q string) error {
	t.Helper()
	st, err := s.Prepare(q)
	if err != nil {
		return err
	}
	rows, err := s.Query(context.Background(), st, nil)
	if err != nil {
		return err
	}
	defer rows.Close()
	dst := make([]Value, len(rows.Columns()))
	for {
		if err := rows.Next(dst); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

func execSQL(t *testing.T, s *Session, q string, args ...Value) Result {
	t.Helper()
	st, err := s.Prepare(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	res, err := s.Exec(context.Background(), st, args)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return res
}

func TestSmoke(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(20), n INT, KEY (n))")
	res := execSQL(t, s, "INSERT INTO t (name, n) VALUES ('a', 1), ('b', 2), ('c', 3)")
	t.Logf("%+v", res)
	t.Log(querySQL(t, s, "SELECT * FROM t"))
	t.Log(querySQL(t, s, "SELECT id, name FROM t WHERE id = 2"))
	t.Log(querySQL(t, s, "SELECT COUNT(*), SUM(n) FROM t"))
	t.Log(querySQL(t, s, "SELECT name FROM t WHERE n > 1 ORDER BY n DESC"))
	t.Log(strings.Repeat("-", 10))
}
