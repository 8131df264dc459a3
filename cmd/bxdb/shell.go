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
	"os/signal"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/bxdb/bxdb/driver"
	"github.com/bxdb/bxdb/sqlfront"
)

// shellHelp lists the dot commands.
const shellHelp = `Enter SQL statements terminated by ";". Dot commands, alone on a line:
  .tables             list tables and views
  .schema [NAME]      show the CREATE TABLE, CREATE VIEW and CREATE TRIGGER statements
  .explain SQL        show the access path of a statement
  .help               this text
  .quit / .exit       leave
Ctrl-C cancels the running statement, or discards the statement being typed.
`

// errFailed is cmdShell's error when a script had a failure, which the
// shell has reported already (exit status 1).
var errFailed = errors.New("the script failed")

// shell is one interactive or scripted session on one connection, so that
// BEGIN ... COMMIT typed as SQL spans statements.
type shell struct {
	conn   *sql.Conn
	out    io.Writer
	errOut io.Writer
	ctx    context.Context // statements run under it; the interactive shell cancels it on Ctrl-C

	batch  bool // a script (stdin is not a terminal, or -c): errors name their line and the first one stops the script
	force  bool // a script goes on after errors
	failed bool // some statement or dot command failed
	quit   bool // .quit, or a script stopped at a failure

	intr  <-chan os.Signal  // interrupts (Ctrl-C) of the interactive shell; nil for scripts
	exit  func(code int)    // called on a second interrupt while an interrupted statement goes on
	onRun func(stmt string) // if not nil, called before each statement runs (a seam for tests)

	// prepared tells, by lowercased name, whether a statement PREPAREd in
	// the session returns rows, so that EXECUTE prints them.
	prepared map[string]bool
}

// cmdShell runs the SQL shell on DB: interactive on a terminal, else it
// runs the script on stdin (or -c SQL) and stops at the end, or at the
// first failure unless -force is given.
func cmdShell(args []string, in io.Reader, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("shell", flag.ContinueOnError)
	command := fs.String("c", "", "run these statements and exit")
	force := fs.Bool("force", false, "go on after a failed statement")
	fs.BoolVar(force, "f", false, "go on after a failed statement")
	dsn, err := oneArg(fs, args)
	if err != nil {
		return err
	}
	withC := false
	fs.Visit(func(f *flag.Flag) { withC = withC || f.Name == "c" })
	db, err := sql.Open("bxdb", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		return err
	}
	defer conn.Close()
	sh := &shell{conn: conn, out: out, errOut: errOut, ctx: context.Background(), force: *force}
	switch {
	case withC:
		sh.batch = true
		sh.runScript(*command)
	case isTerminal(in):
		// Ctrl-C cancels the running statement or clears the input,
		// not the shell (a second one during a cancelled statement
		// that does not stop ends it).
		intr := make(chan os.Signal, 1)
		signal.Notify(intr, os.Interrupt)
		defer signal.Stop(intr)
		sh.intr, sh.exit = intr, os.Exit
		sh.interactive(in)
	default:
		b, err := io.ReadAll(in)
		if err != nil {
			return err
		}
		sh.batch = true
		sh.runScript(string(b))
	}
	if sh.failed && sh.batch {
		return errFailed
	}
	return nil
}

// isTerminal reports whether r is an interactive terminal (see
// isTerminalFile).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && isTerminalFile(f)
}

// interactive reads statements line by line with a prompt. A statement
// runs once its ';' is typed (comments may follow it); a line holding a
// dot command is one when no statement is pending.
func (sh *shell) interactive(in io.Reader) {
	fmt.Fprintln(sh.out, `bxdb shell. Enter ".help" for help.`)
	lines := make(chan string)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64<<10), 64<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-done:
				return
			}
		}
	}()
	var buf strings.Builder
	for !sh.quit {
		if buf.Len() == 0 {
			fmt.Fprint(sh.out, "bxdb> ")
		} else {
			fmt.Fprint(sh.out, "   -> ")
		}
		select {
		case line, ok := <-lines:
			if !ok {
				if strings.TrimSpace(buf.String()) != "" {
					sh.interruptible(func() { sh.runSQL(buf.String(), 1) })
				}
				fmt.Fprintln(sh.out)
				return
			}
			if t := strings.TrimSpace(line); buf.Len() == 0 && strings.HasPrefix(t, ".") {
				sh.interruptible(func() { sh.dot(t, 0) })
				continue
			}
			buf.WriteString(line)
			buf.WriteByte('\n')
			rest := sh.runComplete(buf.String())
			buf.Reset()
			buf.WriteString(rest)
		case <-sh.intr:
			// The terminal has discarded the line being typed (and
			// echoed ^C); discard the lines before it.
			buf.Reset()
			fmt.Fprintln(sh.out)
		}
	}
}

// runComplete runs the whole statements of text and returns the rest (an
// unfinished statement, or "").
func (sh *shell) runComplete(text string) string {
	if complete(text) {
		sh.interruptible(func() { sh.runSQL(text, 1) })
		return ""
	}
	stmts := splitScript(text)
	if len(stmts) < 2 {
		return text
	}
	last := stmts[len(stmts)-1].off
	sh.interruptible(func() { sh.runSQL(text[:last], 1) })
	return text[last:]
}

// interruptible runs f with sh.ctx cancelled by an interrupt (Ctrl-C).
// A second interrupt before f returns ends the program.
func (sh *shell) interruptible(f func()) {
	if sh.intr == nil {
		f()
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-sh.intr:
			cancel()
		case <-stop:
			return
		}
		select {
		case <-sh.intr:
			if sh.exit != nil {
				fmt.Fprintln(sh.errOut, "\nbxdb: interrupted again; exiting")
				sh.exit(130)
			}
		case <-stop:
		}
	}()
	sh.ctx = ctx
	f()
	sh.ctx = context.Background()
	close(stop)
	<-stopped
}

// runScript runs a script: SQL statements, and dot commands each alone on
// a line between whole statements. It stops at .quit and, unless
// sh.force, at the first failure.
func (sh *shell) runScript(text string) {
	var pending strings.Builder
	first, line := 1, 0 // the line where pending starts, the current line
	for _, l := range strings.SplitAfter(text, "\n") {
		line++
		if t := strings.TrimSpace(l); strings.HasPrefix(t, ".") && complete(pending.String()) {
			sh.runSQL(pending.String(), first)
			pending.Reset()
			if sh.quit {
				return
			}
			sh.dot(t, line)
			if sh.quit {
				return
			}
			continue
		}
		if pending.Len() == 0 {
			first = line
		}
		pending.WriteString(l)
	}
	sh.runSQL(pending.String(), first)
}

// runSQL runs the statements of text, whose first line is line number
// first of the script. It stops at .quit, at an interrupt, and at a
// failure that stops the script.
func (sh *shell) runSQL(text string, first int) {
	line, at := first, 0
	for _, st := range splitScript(text) {
		line += strings.Count(text[at:st.off], "\n")
		at = st.off
		sh.run(st.text, line)
		if sh.quit || sh.ctx.Err() != nil {
			return
		}
	}
}

// dot runs a dot command found on line (0 outside scripts).
func (sh *shell) dot(cmd string, line int) {
	name, arg := cmd, ""
	if i := strings.IndexFunc(cmd, unicode.IsSpace); i >= 0 {
		name, arg = cmd[:i], strings.TrimSpace(cmd[i:])
	}
	arg = strings.TrimSpace(strings.TrimRight(arg, "; \t"))
	switch name {
	case ".quit", ".exit", ".q":
		sh.quit = true
	case ".help":
		fmt.Fprint(sh.out, shellHelp)
	case ".tables":
		if arg != "" {
			sh.errorf(line, "usage: .tables")
			return
		}
		sh.run("SHOW TABLES", line)
	case ".schema":
		if len(arg) >= 2 && arg[0] == '`' && arg[len(arg)-1] == '`' {
			arg = strings.ReplaceAll(arg[1:len(arg)-1], "``", "`")
		}
		sh.schema(arg, line)
	case ".explain":
		if arg == "" {
			sh.errorf(line, "usage: .explain SQL")
			return
		}
		sh.run("EXPLAIN "+arg, line)
	default:
		sh.errorf(line, "unknown command %s; enter .help", name)
	}
}

// object is a table, a view or a trigger (and its table).
type object struct{ name, kind, table string }

// schema prints the CREATE TABLE and CREATE VIEW statements of every
// table and view, then the CREATE TRIGGER statements of their triggers;
// or those of the table or view named (a table's with its triggers), or
// of the trigger named.
func (sh *shell) schema(name string, line int) {
	objs, err := sh.objects()
	if err != nil {
		sh.report(err, line)
		return
	}
	trigs, err := sh.triggers()
	if err != nil {
		sh.report(err, line)
		return
	}
	if name != "" {
		var match []object
		for _, o := range objs {
			if o.name == name {
				match = []object{o}
				break
			}
			if strings.EqualFold(o.name, name) {
				match = append(match, o)
			}
		}
		if len(match) == 0 {
			for _, tr := range trigs {
				if strings.EqualFold(tr.name, name) {
					match = []object{tr}
				}
			}
		}
		if len(match) != 1 {
			match = []object{{name: name}} // SHOW CREATE TABLE says what is wrong
		}
		objs = match
		if objs[0].kind == "BASE TABLE" {
			for _, tr := range trigs {
				if tr.table == objs[0].name {
					objs = append(objs, tr)
				}
			}
		}
	} else if objs, err = sh.schemaOrder(objs); err != nil {
		sh.report(err, line)
		return
	} else {
		// Triggers after every table and view: a body names other
		// tables, which need not exist before it runs.
		objs = append(objs, trigs...)
	}
	for _, o := range objs {
		if o.kind == setChecks {
			fmt.Fprintf(sh.out, "%s;\n", o.name)
			continue
		}
		var err error
		switch o.kind {
		case "VIEW":
			err = sh.showView(o.name)
		case triggerKind:
			var create string
			var skip any
			err = sh.conn.QueryRowContext(sh.ctx, "SHOW CREATE TRIGGER "+quoteIdent(o.name)).Scan(&skip, &skip, &create, &skip, &skip, &skip, &skip)
			if err == nil {
				fmt.Fprintf(sh.out, "%s;\n", create)
			}
		default:
			var n, create string
			err = sh.conn.QueryRowContext(sh.ctx, "SHOW CREATE TABLE "+quoteIdent(o.name)).Scan(&n, &create)
			if err == nil {
				fmt.Fprintf(sh.out, "%s;\n", create)
			}
		}
		if err != nil {
			sh.report(err, line)
			if sh.quit || sh.ctx.Err() != nil {
				return
			}
		}
	}
}

// setChecks is the kind of a pseudo-object of schemaOrder: a SET
// statement (its name) printed as it is.
const setChecks = "SET"

// triggerKind is the kind of a trigger object.
const triggerKind = "TRIGGER"

// triggers lists the triggers (kind triggerKind, with their tables) in
// the order that recreates their order of firing: by table, event,
// timing, then ACTION_ORDER.
func (sh *shell) triggers() ([]object, error) {
	rows, err := sh.conn.QueryContext(sh.ctx, "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []object
	for rows.Next() {
		o := object{kind: triggerKind}
		if err := rows.Scan(&o.name, &o.table); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// schemaOrder orders the objects of a whole .schema so that its output,
// run in an empty database, recreates them: the base tables first, then
// the views, each view after the views it reads. When a table has a
// FOREIGN KEY, the tables are created with foreign key checks off (as
// mysqldump does): a referenced table may come later, be the table
// itself, be part of a cycle, or be missing, and a key made with checks
// off may lack the index checks would want; the session's setting is
// restored after the tables.
func (sh *shell) schemaOrder(objs []object) ([]object, error) {
	var n int
	err := sh.conn.QueryRowContext(sh.ctx,
		"SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()").Scan(&n)
	if err != nil {
		return nil, err
	}
	var tables, views []object
	for _, o := range objs {
		if o.kind == "VIEW" {
			views = append(views, o)
		} else {
			tables = append(tables, o)
		}
	}
	var out []object
	if n > 0 {
		out = append(out, object{name: "SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0", kind: setChecks})
	}
	out = append(out, tables...)
	if n > 0 {
		out = append(out, object{name: "SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS", kind: setChecks})
	}
	// Views: each after the views its definition names (a name that is
	// also a column or an alias only adds an order that is not needed).
	deps := make([]map[string]bool, len(views))
	for i, v := range views {
		var def string
		err := sh.conn.QueryRowContext(sh.ctx,
			"SELECT VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_NAME = ?", v.name).Scan(&def)
		if err != nil {
			return nil, err
		}
		deps[i] = identifiers(def)
	}
	done := make([]bool, len(views))
	for range views {
		next := -1
		for i := range views {
			if done[i] {
				continue
			}
			if next < 0 {
				next = i // a cycle (which views cannot form): the first left
			}
			ready := true
			for j, w := range views {
				if j != i && !done[j] && deps[i][strings.ToLower(w.name)] {
					ready = false
					break
				}
			}
			if ready {
				next = i
				break
			}
		}
		done[next] = true
		out = append(out, views[next])
	}
	return out, nil
}

// identifiers returns the names (lower-cased) that SQL text uses as
// words or quoted identifiers, outside strings and comments.
func identifiers(text string) map[string]bool {
	ids := map[string]bool{}
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == '\'' || c == '"':
			i++
			for i < len(text) {
				if text[i] == '\\' {
					i += 2
					continue
				}
				if text[i] == c {
					if i+1 < len(text) && text[i+1] == c {
						i += 2
						continue
					}
					break
				}
				i++
			}
			i++
		case c == '`':
			var b strings.Builder
			i++
			for i < len(text) {
				if text[i] == '`' {
					if i+1 < len(text) && text[i+1] == '`' {
						b.WriteByte('`')
						i += 2
						continue
					}
					break
				}
				b.WriteByte(text[i])
				i++
			}
			i++
			ids[strings.ToLower(b.String())] = true
		case c == '-' && strings.HasPrefix(text[i:], "-- "), c == '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case c == '/' && strings.HasPrefix(text[i:], "/*") && !strings.HasPrefix(text[i:], "/*!"):
			if j := strings.Index(text[i+2:], "*/"); j >= 0 {
				i += j + 4
			} else {
				i = len(text)
			}
		case isWordByte(c):
			j := i
			for j < len(text) && isWordByte(text[j]) {
				j++
			}
			ids[strings.ToLower(text[i:j])] = true
			i = j
		default:
			i++
		}
	}
	return ids
}

// objects lists the tables and views with their kinds ("BASE TABLE",
// "VIEW").
func (sh *shell) objects() ([]object, error) {
	rows, err := sh.conn.QueryContext(sh.ctx, "SHOW FULL TABLES")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []object
	for rows.Next() {
		var o object
		if err := rows.Scan(&o.name, &o.kind); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// showView prints a CREATE VIEW statement for view name from
// information_schema.VIEWS (the engine has no SHOW CREATE VIEW). The view's
// column list is written out when its columns are not the names its query
// gives them.
func (sh *shell) showView(name string) error {
	var def, check string
	err := sh.conn.QueryRowContext(sh.ctx,
		"SELECT VIEW_DEFINITION, CHECK_OPTION FROM information_schema.VIEWS WHERE TABLE_NAME = ?", name).Scan(&def, &check)
	if err != nil {
		return err
	}
	create := "CREATE VIEW " + quoteIdent(name)
	cols, err := sh.columns("SELECT * FROM " + quoteIdent(name) + " LIMIT 0")
	if err == nil {
		natural, err := sh.columns("SELECT * FROM (" + def + ") AS `q` LIMIT 0")
		if err != nil || !slices.Equal(cols, natural) {
			q := make([]string, len(cols))
			for i, c := range cols {
				q[i] = quoteIdent(c)
			}
			create += " (" + strings.Join(q, ", ") + ")"
		}
	} // else the view cannot be read now (a table it reads is gone): show its text all the same
	create += " AS " + def
	if check != "" && check != "NONE" {
		create += " WITH " + check + " CHECK OPTION"
	}
	fmt.Fprintf(sh.out, "%s;\n", create)
	return nil
}

// columns returns the column names of a query's result.
func (sh *shell) columns(query string) ([]string, error) {
	rows, err := sh.conn.QueryContext(sh.ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rows.Columns()
}

// quoteIdent quotes a name with backticks.
func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// returnsRows is returnsRows for the session: EXECUTE returns rows when
// the statement PREPAREd under its name does.
func (sh *shell) returnsRows(stmt string) bool {
	s := strings.ToUpper(strings.TrimSpace(stmt[skipGap(stmt, 0):]))
	if !strings.HasPrefix(s, "PREPARE") && !strings.HasPrefix(s, "EXECUTE") &&
		!strings.HasPrefix(s, "DEALLOCATE") && !strings.HasPrefix(s, "DROP") {
		return returnsRows(stmt)
	}
	st, err := sqlfront.Parse(stmt)
	if err != nil {
		return false
	}
	switch x := st.(type) {
	case *sqlfront.PrepareStmt:
		text := x.Text
		if x.Var != "" {
			var v sql.NullString
			if sh.conn.QueryRowContext(sh.ctx, "SELECT @"+x.Var).Scan(&v) != nil {
				return false
			}
			text = v.String
		}
		if sh.prepared == nil {
			sh.prepared = map[string]bool{}
		}
		sh.prepared[strings.ToLower(x.Name)] = returnsRows(text)
	case *sqlfront.ExecuteStmt:
		return sh.prepared[strings.ToLower(x.Name)]
	}
	return false
}

// run executes one statement, found on line (0 outside scripts), and
// prints its result or its error.
func (sh *shell) run(stmt string, line int) {
	if sh.onRun != nil {
		sh.onRun(stmt)
	}
	start := time.Now()
	if !sh.returnsRows(stmt) {
		res, err := sh.conn.ExecContext(sh.ctx, stmt)
		if err != nil {
			sh.report(err, line)
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
	rows, err := sh.conn.QueryContext(sh.ctx, stmt)
	if err != nil {
		sh.report(err, line)
		return
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		sh.report(err, line)
		return
	}
	types := make([]string, len(cols))
	if cts, err := rows.ColumnTypes(); err == nil {
		for i, ct := range cts {
			types[i] = ct.DatabaseTypeName()
		}
	}
	var table [][]string
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			sh.report(err, line)
			return
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = render(v, types[i])
		}
		table = append(table, row)
	}
	if err := rows.Err(); err != nil {
		sh.report(err, line)
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

// report prints an error as the mysql client does: "ERROR 1062 (23000):
// Duplicate entry ...", with " at line N" in scripts; and records the
// failure.
func (sh *shell) report(err error, line int) {
	at := sh.at(line)
	var de *driver.Error
	var se *sqlfront.SQLError
	switch {
	case errors.As(err, &de):
		state := string(de.SQLState[:])
		if de.SQLState == [5]byte{} {
			state = "HY000"
		}
		fmt.Fprintf(sh.errOut, "ERROR %d (%s)%s: %s\n", de.Number, state, at, displayText(de.Message))
	case errors.As(err, &se):
		fmt.Fprintf(sh.errOut, "ERROR %d (%s)%s: %s\n", se.Number, se.State, at, displayText(se.Msg))
	case errors.Is(err, context.Canceled):
		// Interactively, after the ^C the terminal echoed.
		fmt.Fprintf(sh.errOut, "\nERROR %d (70100)%s: Query execution was interrupted\n", sqlfront.ErQueryInterrupted, at)
	default:
		fmt.Fprintf(sh.errOut, "ERROR%s: %s\n", at, displayText(err.Error()))
	}
	sh.fail()
}

// errorf reports a failure of the shell itself (a bad dot command).
func (sh *shell) errorf(line int, format string, args ...any) {
	fmt.Fprintf(sh.errOut, "ERROR%s: %s\n", sh.at(line), fmt.Sprintf(format, args...))
	sh.fail()
}

// at returns " at line N" for a failure on line N of a script, else "".
func (sh *shell) at(line int) string {
	if !sh.batch || line <= 0 {
		return ""
	}
	return fmt.Sprintf(" at line %d", line)
}

// fail records a failure, which stops a script unless sh.force.
func (sh *shell) fail() {
	sh.failed = true
	if sh.batch && !sh.force {
		sh.quit = true
	}
}
