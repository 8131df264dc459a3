package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bxdb/bxdb/sqlfront"

	_ "github.com/bxdb/bxdb/driver" // registers "bxdb"
)

// shellHelp lists the dot commands.
const shellHelp = `Enter SQL statements terminated by ";". Dot commands:
  .tables             list tables
  .schema [TABLE]     show CREATE TABLE statements
  .explain SQL        show the access path of a statement
  .help               this text
  .quit / .exit       leave
`

// shell is one interactive or scripted session on one connection, so that
// BEGIN ... COMMIT typed as SQL spans statements.
type shell struct {
	conn   *sql.Conn
	out    io.Writer
	errOut io.Writer
	failed bool // some statement failed (script mode exits 1)
}

// cmdShell runs the SQL shell on FILE: interactive on a terminal, else it
// runs the script on stdin (or -c SQL) and stops at the end.
func cmdShell(args []string, in io.Reader, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("shell", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	command := fs.String("c", "", "run these statements and exit")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: shell takes one FILE", errUsage)
	}
	db, err := sql.Open("bxdb", fs.Arg(0))
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	sh := &shell{conn: conn, out: out, errOut: errOut}
	switch {
	case *command != "":
		sh.script(*command)
	case isTerminal(in):
		sh.interactive(in)
	default:
		b, err := io.ReadAll(in)
		if err != nil {
			return err
		}
		sh.script(string(b))
	}
	if sh.failed && !isTerminal(in) {
		return errors.New("some statements failed")
	}
	return nil
}

// isTerminal reports whether r is an interactive terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// interactive reads statements line by line with a prompt.
func (sh *shell) interactive(in io.Reader) {
	fmt.Fprintln(sh.out, `bxdb shell. Enter ".help" for help.`)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var buf strings.Builder
	prompt := func() {
		if buf.Len() == 0 {
			fmt.Fprint(sh.out, "bxdb> ")
		} else {
			fmt.Fprint(sh.out, "   -> ")
		}
	}
	prompt()
	for sc.Scan() {
		line := sc.Text()
		if buf.Len() == 0 && strings.HasPrefix(strings.TrimSpace(line), ".") {
			if sh.dot(strings.TrimSpace(line)) {
				return
			}
			prompt()
			continue
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
		text := buf.String()
		if strings.HasSuffix(strings.TrimSpace(text), ";") {
			if _, err := sqlfront.SplitStatements(text); err == nil {
				sh.script(text)
				buf.Reset()
			}
		}
		prompt()
	}
	if strings.TrimSpace(buf.String()) != "" {
		sh.script(buf.String())
	}
	fmt.Fprintln(sh.out)
}

// script runs every statement of text; dot commands may stand alone on a
// line between complete statements.
func (sh *shell) script(text string) {
	var sqlText strings.Builder
	flush := func() {
		stmts, err := sqlfront.SplitStatements(sqlText.String())
		sqlText.Reset()
		if err != nil {
			sh.report(err)
			return
		}
		for _, st := range stmts {
			sh.run(st)
		}
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		pending := strings.TrimSpace(sqlText.String())
		if t := strings.TrimSpace(line); strings.HasPrefix(t, ".") && (pending == "" || strings.HasSuffix(pending, ";")) {
			flush()
			if sh.dot(t) {
				return
			}
			continue
		}
		sqlText.WriteString(line)
	}
	flush()
}

// dot runs a dot command; it returns true to quit.
func (sh *shell) dot(cmd string) bool {
	name, arg, _ := strings.Cut(cmd, " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case ".quit", ".exit", ".q":
		return true
	case ".help":
		fmt.Fprint(sh.out, shellHelp)
	case ".tables":
		sh.run("SHOW TABLES")
	case ".schema":
		tables := []string{arg}
		if arg == "" {
			tables = sh.tableNames()
		}
		for _, t := range tables {
			var name, create string
			err := sh.conn.QueryRowContext(context.Background(), "SHOW CREATE TABLE "+quoteIdent(t)).Scan(&name, &create)
			if err != nil {
				sh.report(err)
				continue
			}
			fmt.Fprintf(sh.out, "%s;\n", create)
		}
	case ".explain":
		if arg == "" {
			fmt.Fprintln(sh.errOut, "usage: .explain SQL")
			break
		}
		sh.run("EXPLAIN " + strings.TrimSuffix(arg, ";"))
	default:
		fmt.Fprintf(sh.errOut, "unknown command %s; enter .help\n", name)
		sh.failed = true
	}
	return false
}

// tableNames lists the tables.
func (sh *shell) tableNames() []string {
	rows, err := sh.conn.QueryContext(context.Background(), "SHOW TABLES")
	if err != nil {
		sh.report(err)
		return nil
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			out = append(out, n)
		}
	}
	return out
}

// quoteIdent quotes a table name with backticks.
func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// returnsRows reports whether a statement produces a result set.
func returnsRows(stmt string) bool {
	word := strings.ToUpper(strings.TrimLeft(stmt, "( \t\r\n"))
	for _, kw := range []string{"SELECT", "SHOW", "DESCRIBE", "DESC ", "EXPLAIN", "WITH", "VALUES"} {
		if strings.HasPrefix(word, kw) {
			return true
		}
	}
	return false
}

// run executes one statement and prints its result.
func (sh *shell) run(stmt string) {
	ctx := context.Background()
	start := time.Now()
	if !returnsRows(stmt) {
		res, err := sh.conn.ExecContext(ctx, stmt)
		if err != nil {
			sh.report(err)
			return
		}
		n, _ := res.RowsAffected()
		id, _ := res.LastInsertId()
		msg := fmt.Sprintf("OK, %d row%s affected", n, plural(n))
		if id != 0 {
			msg += fmt.Sprintf(", last insert id %d", id)
		}
		fmt.Fprintf(sh.out, "%s (%.3f s)\n", msg, time.Since(start).Seconds())
		return
	}
	rows, err := sh.conn.QueryContext(ctx, stmt)
	if err != nil {
		sh.report(err)
		return
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var table [][]string
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			sh.report(err)
			return
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = render(v)
		}
		table = append(table, row)
	}
	if err := rows.Err(); err != nil {
		sh.report(err)
		return
	}
	printTable(sh.out, cols, table)
	n := int64(len(table))
	fmt.Fprintf(sh.out, "%d row%s (%.3f s)\n", n, plural(n), time.Since(start).Seconds())
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// report prints an error MySQL-style.
func (sh *shell) report(err error) {
	sh.failed = true
	var se *sqlfront.SQLError
	if errors.As(err, &se) {
		fmt.Fprintf(sh.errOut, "ERROR %d (%s): %s\n", se.Number, se.State, se.Msg)
		return
	}
	fmt.Fprintf(sh.errOut, "ERROR: %v\n", err)
}

// render formats one value for display.
func render(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		if utf8.Valid(x) && strings.IndexFunc(string(x), func(r rune) bool { return !unicode.IsPrint(r) && r != '\t' }) < 0 {
			return string(x)
		}
		return fmt.Sprintf("0x%X", x)
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		if x.Nanosecond() != 0 {
			return x.Format("2006-01-02 15:04:05.999999")
		}
		return x.Format("2006-01-02 15:04:05")
	case float64:
		return fmt.Sprint(x)
	default:
		return fmt.Sprint(x)
	}
}

// printTable prints rows aligned under their headers.
func printTable(w io.Writer, cols []string, rows [][]string) {
	width := make([]int, len(cols))
	for i, c := range cols {
		width[i] = utf8.RuneCountInString(c)
	}
	for _, r := range rows {
		for i, v := range r {
			width[i] = max(width[i], utf8.RuneCountInString(v))
		}
	}
	sep := "+"
	for _, n := range width {
		sep += strings.Repeat("-", n+2) + "+"
	}
	line := func(vals []string) {
		var b strings.Builder
		b.WriteString("|")
		for i, v := range vals {
			pad := width[i] - utf8.RuneCountInString(v)
			b.WriteString(" " + v + strings.Repeat(" ", pad) + " |")
		}
		fmt.Fprintln(w, b.String())
	}
	fmt.Fprintln(w, sep)
	line(cols)
	fmt.Fprintln(w, sep)
	for _, r := range rows {
		line(r)
	}
	fmt.Fprintln(w, sep)
}
