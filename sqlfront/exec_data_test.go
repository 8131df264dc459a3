package sqlfront

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// The engine's data-driven tests. Each file in testdata/sql holds blocks
//
//	command [session]
//	SQL (one statement, one or more lines)
//	----
//	expected output (up to the next blank line)
//
// separated by blank lines; lines starting with '#' between blocks are
// comments. Every file runs in a fresh in-memory database; sessions are
// named (default "s1") and created on first use. Commands:
//
//	exec   run with Exec; output "ok", "affected N" / "affected N, id M",
//	       or "error NNNN (SQLSTATE): message"
//	query  run with Query; output a header line (column names joined by
//	       " | ") and one line per row, or the error as for exec
//	begin  Session.Begin (the SQL line is "read only" or empty)
//	commit / rollback  Session.Commit / Rollback (no SQL)
//	reopen close the engine and open the file again (no SQL)
//
// go test ./sqlfront -run TestSQLData -rewrite regenerates the outputs.

// engineRewrite is set by -rewrite (registered by the parser's tests or
// here).
func engineRewrite() bool {
	f := flag.Lookup("rewrite")
	return f != nil && f.Value.String() == "true"
}

func init() {
	if flag.Lookup("rewrite") == nil {
		flag.Bool("rewrite", false, "rewrite the expected output of data-driven tests")
	}
}

// sqlCase is one block.
type sqlCase struct {
	cmd, sess string
	sql       string
	want      string
	comment   []string
	line      int
}

// readSQLCases parses a data file.
func readSQLCases(t *testing.T, path string) []sqlCase {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseSQLCases(string(b))
}

// parseSQLCases parses the text of a data file.
func parseSQLCases(text string) []sqlCase {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	var out []sqlCase
	var comments []string
	for i := 0; i < len(lines); {
		l := lines[i]
		if strings.TrimSpace(l) == "" {
			i++
			continue
		}
		if strings.HasPrefix(l, "#") {
			comments = append(comments, l)
			i++
			continue
		}
		c := sqlCase{line: i + 1, comment: comments}
		comments = nil
		f := strings.Fields(l)
		c.cmd, c.sess = f[0], "s1"
		if len(f) > 1 {
			c.sess = f[1]
		}
		i++
		var sql []string
		for i < len(lines) && lines[i] != "----" && strings.TrimSpace(lines[i]) != "" {
			sql = append(sql, lines[i])
			i++
		}
		c.sql = strings.Join(sql, "\n")
		if i < len(lines) && lines[i] == "----" {
			i++
			var want []string
			for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
				want = append(want, lines[i])
				i++
			}
			c.want = strings.Join(want, "\n")
		}
		out = append(out, c)
	}
	return out
}

// formatErr renders an error for expected output.
func formatErr(err error) string {
	var se *SQLError
	if errors.As(err, &se) {
		return fmt.Sprintf("error %d (%s): %s", se.Number, se.State, se.Msg)
	}
	return "error: " + err.Error()
}

// dataRunner runs the cases of one file.
type dataRunner struct {
	t     *testing.T
	fs    *bedrock.MemFS
	e     *Engine
	sess  map[string]*Session
	ctx   context.Context
	bopts *Options
}

// session returns the named session.
func (r *dataRunner) session(name string) *Session {
	s, ok := r.sess[name]
	if !ok {
		s = r.e.NewSession()
		r.sess[name] = s
	}
	return s
}

// run executes one case and returns its output.
func (r *dataRunner) run(c sqlCase) string {
	switch c.cmd {
	case "reopen":
		for _, s := range r.sess {
			s.Close()
		}
		r.sess = map[string]*Session{}
		if err := r.e.Close(); err != nil {
			return formatErr(err)
		}
		e, err := Open("data.bxdb", r.bopts)
		if err != nil {
			return formatErr(err)
		}
		r.e = e
		return "ok"
	case "begin":
		err := r.session(c.sess).Begin(r.ctx, TxOptions{ReadOnly: strings.Contains(strings.ToLower(c.sql), "read only")})
		if err != nil {
			return formatErr(err)
		}
		return "ok"
	case "commit", "rollback":
		var err error
		if c.cmd == "commit" {
			err = r.session(c.sess).Commit()
		} else {
			err = r.session(c.sess).Rollback()
		}
		if err != nil {
			return formatErr(err)
		}
		return "ok"
	}
	s := r.session(c.sess)
	st, err := s.Prepare(c.sql)
	if err != nil {
		return formatErr(err)
	}
	switch c.cmd {
	case "exec":
		res, err := s.Exec(r.ctx, st, nil)
		if err != nil {
			return formatErr(err)
		}
		switch {
		case res.RowsAffected == 0 && res.LastInsertID == 0:
			return "ok"
		case res.LastInsertID != 0:
			return fmt.Sprintf("affected %d, id %d", res.RowsAffected, res.LastInsertID)
		}
		return fmt.Sprintf("affected %d", res.RowsAffected)
	case "query":
		rows, err := s.Query(r.ctx, st, nil)
		if err != nil {
			return formatErr(err)
		}
		defer rows.Close()
		var b strings.Builder
		var names []string
		for _, ci := range rows.Columns() {
			names = append(names, ci.Name)
		}
		b.WriteString(strings.Join(names, " | "))
		dst := make([]Value, len(names))
		for {
			err := rows.Next(dst)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.WriteString("\n" + formatErr(err))
				break
			}
			var vals []string
			for _, v := range dst {
				if v.K == KindNull {
					vals = append(vals, "NULL")
				} else {
					vals = append(vals, Format(v))
				}
			}
			b.WriteString("\n" + strings.Join(vals, " | "))
		}
		return b.String()
	}
	r.t.Fatalf("line %d: unknown command %q", c.line, c.cmd)
	return ""
}

// TestSQLData runs testdata/sql/*.txt.
func TestSQLData(t *testing.T) {
	files, err := filepath.Glob("testdata/sql/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatal("no data files", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cases := readSQLCases(t, path)
			opts := &Options{FS: bedrock.NewMemFS(), BusyTimeout: 50e6}
			e, err := Open("data.bxdb", opts)
			if err != nil {
				t.Fatal(err)
			}
			r := &dataRunner{t: t, e: e, sess: map[string]*Session{}, ctx: context.Background(), bopts: opts}
			defer func() { r.e.Close() }()
			var out strings.Builder
			changed := false
			for i, c := range cases {
				got := r.run(c)
				if got != c.want {
					if engineRewrite() {
						changed = true
					} else {
						t.Errorf("%s:%d: %s\n%s\ngot:\n%s\nwant:\n%s", path, c.line, c.cmd, c.sql, got, c.want)
					}
				}
				if i > 0 {
					out.WriteString("\n")
				}
				for _, cm := range c.comment {
					out.WriteString(cm + "\n")
				}
				out.WriteString(c.cmd)
				if c.sess != "s1" {
					out.WriteString(" " + c.sess)
				}
				out.WriteString("\n")
				if c.sql != "" {
					out.WriteString(c.sql + "\n")
				}
				out.WriteString("----\n" + got + "\n")
			}
			if changed {
				if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
