package examples_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	bxdb "github.com/bxdb/bxdb/driver" // registers the "bxdb" driver
)

// tempDB returns the path of a database file in a fresh temporary
// directory, and a function removing it.
func tempDB() (string, func()) {
	dir, err := os.MkdirTemp("", "bxdb-example-")
	if err != nil {
		log.Fatal(err)
	}
	return filepath.Join(dir, "example.bxdb"), func() { os.RemoveAll(dir) }
}

// Open a database, create a table, insert and query.
func Example() {
	path, cleanup := tempDB()
	defer cleanup()

	db, err := sql.Open("bxdb", path+"?busy_timeout=5s")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	if _, err := db.Exec("CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL)"); err != nil {
		log.Fatal(err)
	}
	res, err := db.Exec("INSERT INTO users (name) VALUES (?), (?), (?)", "ada", "grace", "edsger")
	if err != nil {
		log.Fatal(err)
	}
	first, _ := res.LastInsertId()
	n, _ := res.RowsAffected()
	fmt.Printf("inserted %d rows, first id %d\n", n, first)

	rows, err := db.Query("SELECT id, name FROM users WHERE id >= ? ORDER BY id", 2)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			log.Fatal(err)
		}
		fmt.Println(id, name)
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// inserted 3 rows, first id 1
	// 2 grace
	// 3 edsger
}

// Transactions commit or roll back as a whole; a read-only transaction
// refuses writes.
func Example_transactions() {
	db, err := sql.Open("bxdb", ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.Exec("CREATE TABLE accounts (name VARCHAR(10) PRIMARY KEY, balance BIGINT NOT NULL); " +
		"INSERT INTO accounts VALUES ('alice', 100), ('bob', 0)"); err != nil {
		log.Fatal(err)
	}

	transfer := func(amount int) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback() // no-op after Commit
		if _, err := tx.Exec("UPDATE accounts SET balance = balance - ? WHERE name = 'alice'", amount); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE accounts SET balance = balance + ? WHERE name = 'bob'", amount); err != nil {
			return err
		}
		var left int
		if err := tx.QueryRow("SELECT balance FROM accounts WHERE name = 'alice'").Scan(&left); err != nil {
			return err
		}
		if left < 0 {
			return fmt.Errorf("insufficient funds")
		}
		return tx.Commit()
	}
	fmt.Println("transfer 30:", transfer(30))
	fmt.Println("transfer 500:", transfer(500))

	ro, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		log.Fatal(err)
	}
	_, err = ro.Exec("DELETE FROM accounts")
	fmt.Println("delete in a read-only tx fails:", err != nil)
	ro.Rollback()

	rows, err := db.Query("SELECT name, balance FROM accounts ORDER BY name")
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var balance int
		rows.Scan(&name, &balance)
		fmt.Println(name, balance)
	}
	// Output:
	// transfer 30: <nil>
	// transfer 500: insufficient funds
	// delete in a read-only tx fails: true
	// alice 70
	// bob 30
}

// SQL errors carry MySQL error numbers.
func Example_errors() {
	db, err := sql.Open("bxdb", ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.Exec("CREATE TABLE t (id INT PRIMARY KEY)")
	db.Exec("INSERT INTO t VALUES (1)")

	_, err = db.Exec("INSERT INTO t VALUES (1)")
	var e *bxdb.Error
	if errors.As(err, &e) {
		fmt.Println(e.Number, string(e.SQLState[:]))
	}
	fmt.Println(errors.Is(err, &bxdb.Error{Number: 1062}))

	// A bad DSN is reported by sql.Open and names the option.
	_, err = sql.Open("bxdb", "app.bxdb?cache=lots")
	fmt.Println(errors.Is(err, bxdb.ErrBadDSN))
	// Output:
	// 1062 23000
	// true
	// true
}

// Go values round-trip: times come back in UTC, with microseconds.
func Example_types() {
	db, err := sql.Open("bxdb", ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE v (id INT PRIMARY KEY, u BIGINT UNSIGNED, f DOUBLE, d DECIMAL(8,3), b VARBINARY(8), at DATETIME(6), note TEXT)"); err != nil {
		log.Fatal(err)
	}
	at := time.Date(2024, 2, 29, 12, 30, 0, 123456000, time.FixedZone("CET", 3600))
	if _, err := db.Exec("INSERT INTO v VALUES (?, ?, ?, ?, ?, ?, ?)",
		1, uint64(1<<64-1), 0.5, "3.250", []byte{0, 1, 2}, at, nil); err != nil {
		log.Fatal(err)
	}
	var (
		u    uint64
		f    float64
		d    string
		b    []byte
		t    time.Time
		note sql.NullString
	)
	if err := db.QueryRow("SELECT u, f, d, b, at, note FROM v WHERE id = 1").Scan(&u, &f, &d, &b, &t, &note); err != nil {
		log.Fatal(err)
	}
	fmt.Println(u, f, d, b, t.Format(time.RFC3339Nano), note.Valid)
	// Output:
	// 18446744073709551615 0.5 3.250 [0 1 2] 2024-02-29T11:30:00.123456Z false
}

// Several *sql.DB handles on one file in one process share one engine.
func Example_sharing() {
	path, cleanup := tempDB()
	defer cleanup()

	db1, err := sql.Open("bxdb", path)
	if err != nil {
		log.Fatal(err)
	}
	db2, err := sql.Open("bxdb", path+"?sync=off") // the first opener's options win
	if err != nil {
		log.Fatal(err)
	}
	db1.Exec("CREATE TABLE t (x INT)")
	db1.Exec("INSERT INTO t VALUES (42)")
	db1.Close()

	var x int
	db2.QueryRow("SELECT x FROM t").Scan(&x)
	fmt.Println(x)
	db2.Close()
	// Output:
	// 42
}

// Keep a table in step with another database: one side serves its file
// (as `bxdb serve FILE` does), the other runs SYNC TABLE against it. Each
// ends with the newest version of every row, deletions included.
func Example_sync() {
	serverPath, cleanup1 := tempDB()
	defer cleanup1()
	localPath, cleanup2 := tempDB()
	defer cleanup2()

	// The served database.
	c, err := bxdb.NewConnector(&bxdb.Config{Path: serverPath})
	if err != nil {
		log.Fatal(err)
	}
	server := sql.OpenDB(c)
	defer server.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go c.Serve(ctx, ln, nil)

	local, err := sql.Open("bxdb", localPath)
	if err != nil {
		log.Fatal(err)
	}
	defer local.Close()
	syncStmt := fmt.Sprintf("SYNC TABLE notes WITH 'bxdb://%s'", ln.Addr())
	for _, db := range []*sql.DB{server, local} {
		db.Exec("CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(100))")
	}
	local.Exec(syncStmt) // from now on both sides record deletions

	server.Exec("INSERT INTO notes VALUES (1, 'from the server'), (2, 'doomed')")
	local.Exec("INSERT INTO notes VALUES (3, 'from here')")
	res, err := local.Exec(syncStmt)
	if err != nil {
		log.Fatal(err)
	}
	n, _ := res.RowsAffected()
	fmt.Println("rows taken:", n)

	server.Exec("DELETE FROM notes WHERE id = 2")
	local.Exec("UPDATE notes SET body = 'edited here' WHERE id = 1")
	if _, err := local.Exec(syncStmt); err != nil {
		log.Fatal(err)
	}
	for _, db := range []*sql.DB{local, server} {
		rows, _ := db.Query("SELECT id, body FROM notes ORDER BY id")
		var got []string
		for rows.Next() {
			var id int
			var body string
			rows.Scan(&id, &body)
			got = append(got, fmt.Sprintf("%d:%s", id, body))
		}
		rows.Close()
		fmt.Println(strings.Join(got, "  "))
	}
	// Output:
	// rows taken: 2
	// 1:edited here  3:from here
	// 1:edited here  3:from here
}
