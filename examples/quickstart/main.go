// Command quickstart is a tour of bxdb through database/sql: it creates a
// database, a table, inserts rows in a transaction and runs a point
// lookup, a range scan and an aggregate; then it keeps a second database
// in step with the first by synchronization (SYNC TABLE), with changes
// made on both sides.
//
//	go run ./examples/quickstart            # in a temporary directory, removed at exit
//	go run ./examples/quickstart app.bxdb   # in app.bxdb (and app-replica.bxdb), kept
package main

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	bxdb "github.com/bxdb/bxdb/driver" // also registers the "bxdb" driver
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// book is one row to insert.
type book struct {
	title, author string
	year          int
	price         string // DECIMAL: pass exact decimals as strings
}

var books = []book{
	{"The Go Programming Language", "Donovan & Kernighan", 2015, "34.99"},
	{"The C Programming Language", "Kernighan & Ritchie", 1978, "45.50"},
	{"The UNIX Programming Environment", "Kernighan & Pike", 1984, "39.95"},
	{"The Practice of Programming", "Kernighan & Pike", 1999, "29.99"},
	{"Transaction Processing", "Gray & Reuter", 1992, "89.00"},
	{"Database System Concepts", "Silberschatz et al.", 1986, "120.00"},
}

func run(args []string) error {
	path := ""
	switch len(args) {
	case 0:
		dir, err := os.MkdirTemp("", "bxdb-quickstart-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "books.bxdb")
	case 1:
		path = args[0]
	default:
		return fmt.Errorf("usage: quickstart [database-file]")
	}

	// Open the database; the options are part of the DSN. sql.Open opens
	// (or creates) the file, so a bad path or a locked file shows up here.
	db, err := sql.Open("bxdb", path+"?cache=16MiB&busy_timeout=5s")
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	fmt.Printf("database: %s\n\n", path)

	// Schema. Exec without arguments accepts several statements.
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return err
	}

	// Insert in one transaction with a prepared statement.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // a no-op after Commit
	ins, err := tx.PrepareContext(ctx, "INSERT INTO books (title, author, year, price) VALUES (?, ?, ?, ?)")
	if err != nil {
		return err
	}
	for _, b := range books {
		res, err := ins.ExecContext(ctx, b.title, b.author, b.year, b.price)
		if err != nil {
			return err
		}
		id, _ := res.LastInsertId()
		fmt.Printf("inserted #%d %s\n", id, b.title)
	}
	if err := tx.Commit(); err != nil {
		return err
	}

	// Point lookup by primary key.
	var title, author string
	var year int
	if err := db.QueryRowContext(ctx, "SELECT title, author, year FROM books WHERE id = ?", 2).Scan(&title, &author, &year); err != nil {
		return err
	}
	fmt.Printf("\nbook #2: %s by %s (%d)\n", title, author, year)

	// Range scan.
	fmt.Println("\nbooks from 1980 to 1999:")
	rows, err := db.QueryContext(ctx, "SELECT year, title, price FROM books WHERE year BETWEEN ? AND ? ORDER BY year", 1980, 1999)
	if err != nil {
		return err
	}
	var table [][]string
	for rows.Next() {
		var price string
		if err := rows.Scan(&year, &title, &price); err != nil {
			rows.Close()
			return err
		}
		table = append(table, []string{fmt.Sprint(year), title, price})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	printTable([]string{"year", "title", "price"}, "rlr", table)

	// Aggregate.
	fmt.Println("\nby author:")
	rows, err = db.QueryContext(ctx, `
		SELECT author, COUNT(*), SUM(price), MIN(year)
		FROM books GROUP BY author ORDER BY COUNT(*) DESC, author`)
	if err != nil {
		return err
	}
	table = nil
	for rows.Next() {
		var n, first int
		var total string
		if err := rows.Scan(&author, &n, &total, &first); err != nil {
			rows.Close()
			return err
		}
		table = append(table, []string{author, fmt.Sprint(n), total, fmt.Sprint(first)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	printTable([]string{"author", "books", "total price", "since"}, "lrrr", table)

	if err := syncDemo(ctx, db, path, strings.TrimSuffix(path, ".bxdb")+"-replica.bxdb"); err != nil {
		return err
	}
	return db.Close()
}

// schema creates the books table. The replica runs the same statements:
// synchronized tables must have the same definition and history.
const schema = `
	DROP TABLE IF EXISTS books;
	CREATE TABLE books (
		id     BIGINT AUTO_INCREMENT PRIMARY KEY,
		title  VARCHAR(100) NOT NULL,
		author VARCHAR(60)  NOT NULL,
		year   INT          NOT NULL,
		price  DECIMAL(6,2) NOT NULL
	)`

// syncDemo serves the database at path on a loopback port (as `bxdb serve`
// does), makes a replica at replicaPath take the books table with SYNC
// TABLE, changes both sides and synchronizes again: both end with the
// newest version of every row, deletions included, and only the rows that
// differ cross the wire.
func syncDemo(ctx context.Context, db *sql.DB, path, replicaPath string) error {
	fmt.Printf("\nsynchronization with a replica (%s):\n", filepath.Base(replicaPath))
	// A connector on the same file shares db's engine.
	c, err := bxdb.NewConnector(&bxdb.Config{Path: path})
	if err != nil {
		return err
	}
	defer c.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	serveCtx, stop := context.WithCancel(ctx)
	defer stop()
	served := make(chan string, 8) // the server's account of each session
	go c.Serve(serveCtx, ln, func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		if _, after, ok := strings.Cut(line, ": "); ok {
			line = after // drop "sync from ADDR"
		}
		served <- line
	})

	replica, err := sql.Open("bxdb", replicaPath)
	if err != nil {
		return err
	}
	defer replica.Close()
	if _, err := replica.ExecContext(ctx, schema); err != nil {
		return err
	}
	syncStmt := fmt.Sprintf("SYNC TABLE books WITH 'bxdb://%s'", ln.Addr())
	sync := func(what string) error {
		res, err := replica.ExecContext(ctx, syncStmt)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		report := "(no report)"
		select {
		case report = <-served:
		case <-time.After(5 * time.Second):
		}
		fmt.Printf("  %s: the replica took %d rows; server side: %s\n", what, n, report)
		return nil
	}
	if err := sync("first SYNC"); err != nil {
		return err
	}

	// Changes on both sides: an update and a delete here, an insert there.
	for _, change := range []struct {
		db   *sql.DB
		stmt string
	}{
		{db, "UPDATE books SET price = 36.99 WHERE id = 1"},
		{db, "DELETE FROM books WHERE id = 5"},
		{replica, "INSERT INTO books VALUES (7, 'The Art of Computer Programming', 'Knuth', 1968, 199.00)"},
	} {
		if _, err := change.db.ExecContext(ctx, change.stmt); err != nil {
			return err
		}
	}
	if err := sync("after changes on both sides"); err != nil {
		return err
	}

	// Both sides now hold the same rows.
	var sides [2][][]string
	for i, d := range []*sql.DB{db, replica} {
		rows, err := d.QueryContext(ctx, "SELECT id, title, price FROM books ORDER BY id")
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int
			var title, price string
			if err := rows.Scan(&id, &title, &price); err != nil {
				rows.Close()
				return err
			}
			sides[i] = append(sides[i], []string{fmt.Sprint(id), title, price})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	if fmt.Sprint(sides[0]) != fmt.Sprint(sides[1]) {
		return fmt.Errorf("the databases differ after SYNC:\n%v\n%v", sides[0], sides[1])
	}
	fmt.Println("  both databases now hold:")
	printTable([]string{"id", "title", "price"}, "rlr", sides[0])
	return nil
}

// printTable prints rows under a header with a rule, each column as wide
// as its widest cell; align holds 'l' or 'r' per column.
func printTable(header []string, align string, rows [][]string) {
	width := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	line := func(r []string) {
		cells := make([]string, len(r))
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if align[i] == 'r' {
				cells[i] = pad + c
			} else {
				cells[i] = c + pad
			}
		}
		fmt.Println("  " + strings.TrimRight(strings.Join(cells, "  "), " "))
	}
	line(header)
	rule := make([]string, len(header))
	for i := range rule {
		rule[i] = strings.Repeat("-", width[i])
	}
	line(rule)
	for _, r := range rows {
		line(r)
	}
}
