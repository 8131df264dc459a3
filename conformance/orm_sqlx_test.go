package conformance

// sqlx (github.com/jmoiron/sqlx) programs against bxdb: struct scanning
// with db tags, named statements, IN expansion, transactions, NULLs and
// time round trips. Results are compared with the exact expected contents.

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	bxdb "github.com/bxdb/bxdb/driver"
)

func sqlxOpen(t *testing.T) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open("bxdb", filepath.Join(t.TempDir(), "sqlx.bxdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// "bxdb" is unknown to sqlx's bind-type table: it speaks MySQL's '?'.
	sqlx.BindDriver("bxdb", sqlx.QUESTION)
	return db
}

const sqlxSchema = `
CREATE TABLE person (
	id BIGINT AUTO_INCREMENT PRIMARY KEY,
	first_name VARCHAR(50) NOT NULL,
	last_name VARCHAR(50) NOT NULL DEFAULT '',
	email VARCHAR(100) UNIQUE,
	age INT,
	score DOUBLE NOT NULL DEFAULT 0,
	added_at DATETIME(6) NOT NULL,
	birthday DATE NULL,
	note TEXT,
	active BOOLEAN NOT NULL DEFAULT TRUE,
	balance DECIMAL(12,2) NOT NULL DEFAULT 0.00,
	data BLOB
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE place (
	id INT AUTO_INCREMENT PRIMARY KEY,
	person_id BIGINT NOT NULL,
	city VARCHAR(40) NOT NULL,
	telcode INT NULL,
	KEY idx_place_person (person_id)
)`

type sqlxPerson struct {
	ID        int64           `db:"id"`
	FirstName string          `db:"first_name"`
	LastName  string          `db:"last_name"`
	Email     sql.NullString  `db:"email"`
	Age       sql.NullInt64   `db:"age"`
	Score     float64         `db:"score"`
	AddedAt   time.Time       `db:"added_at"`
	Birthday  sql.NullTime    `db:"birthday"`
	Note      *string         `db:"note"`
	Active    bool            `db:"active"`
	Balance   string          `db:"balance"`
	Data      []byte          `db:"data"`
	Ignored   *sql.NullString `db:"-"`
}

func sqlxT(s string) time.Time {
	tm, err := time.Parse("2006-01-02 15:04:05.999999", s)
	if err != nil {
		panic(err)
	}
	return tm
}

func TestSqlxCRUD(t *testing.T) {
	db := sqlxOpen(t)
	ctx := context.Background()
	db.MustExec(sqlxSchema)

	// NamedExec with a struct and with a map; LastInsertId.
	p1 := sqlxPerson{FirstName: "Jason", LastName: "Moiron", Email: sql.NullString{String: "jm@x", Valid: true}, Age: sql.NullInt64{Int64: 40, Valid: true},
		Score: 2.5, AddedAt: sqlxT("2024-01-02 03:04:05.123456"), Birthday: sql.NullTime{Time: sqlxT("1984-07-08 00:00:00"), Valid: true},
		Note: ptr("first"), Active: true, Balance: "10.50", Data: []byte("\x00\xffbin")}
	res, err := db.NamedExec(`INSERT INTO person (first_name, last_name, email, age, score, added_at, birthday, note, active, balance, data)
		VALUES (:first_name, :last_name, :email, :age, :score, :added_at, :birthday, :note, :active, :balance, :data)`, &p1)
	must(t, err)
	id, err := res.LastInsertId()
	must(t, err)
	gormDiff(t, "LastInsertId", int64(1), id)
	p1.ID = id

	_, err = db.NamedExec(`INSERT INTO person (first_name, last_name, added_at, active) VALUES (:first, :last, :added, :active)`,
		map[string]any{"first": "John", "last": "Doe", "added": sqlxT("2024-02-03 04:05:06"), "active": false})
	must(t, err)
	p2 := sqlxPerson{ID: 2, FirstName: "John", LastName: "Doe", AddedAt: sqlxT("2024-02-03 04:05:06"), Balance: "0.00"}

	// Batch NamedExec with a slice of structs.
	batch := []sqlxPerson{
		{FirstName: "Ann", Email: sql.NullString{String: "ann@x", Valid: true}, Age: sql.NullInt64{Int64: 22, Valid: true}, AddedAt: sqlxT("2024-03-01 00:00:00.5"), Active: true, Balance: "-3.25"},
		{FirstName: "Bo", AddedAt: sqlxT("2024-03-02 00:00:00"), Active: true, Balance: "99999.99"},
	}
	res, err = db.NamedExecContext(ctx, `INSERT INTO person (first_name, email, age, added_at, active, balance) VALUES (:first_name, :email, :age, :added_at, :active, :balance)`, batch)
	must(t, err)
	n, err := res.RowsAffected()
	must(t, err)
	gormDiff(t, "batch RowsAffected", int64(2), n)
	batch[0].ID, batch[1].ID = 3, 4

	want := []sqlxPerson{p1, p2, batch[0], batch[1]}

	// Select into a slice, Get into a struct.
	var people []sqlxPerson
	must(t, db.Select(&people, "SELECT * FROM person ORDER BY id"))
	gormDiff(t, "Select *", want, people)
	var p sqlxPerson
	must(t, db.Get(&p, "SELECT * FROM person WHERE id = ?", 1))
	gormDiff(t, "Get", p1, p)
	if err := db.Get(&p, "SELECT * FROM person WHERE id = ?", 99); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("Get(99) = %v, want sql.ErrNoRows", err)
	}

	// parseTime semantics: DATETIME and DATE come back as time.Time.
	var added time.Time
	must(t, db.Get(&added, "SELECT added_at FROM person WHERE id = 1"))
	gormDiff(t, "DATETIME(6) round trip", sqlxT("2024-01-02 03:04:05.123456"), added)
	var anyVal any
	must(t, db.QueryRowx("SELECT birthday FROM person WHERE id = 1").Scan(&anyVal))
	gormDiff(t, "DATE as time.Time", any(sqlxT("1984-07-08 00:00:00")), anyVal)
	// A time argument in another zone is stored as its instant.
	loc := time.FixedZone("X", 2*3600)
	_, err = db.Exec("UPDATE person SET added_at = ? WHERE id = 2", time.Date(2024, 2, 3, 6, 5, 6, 0, loc))
	must(t, err)
	must(t, db.Get(&added, "SELECT added_at FROM person WHERE id = 2"))
	gormDiff(t, "zone", sqlxT("2024-02-03 04:05:06"), added)

	// Scalars and partial structs.
	var count int
	must(t, db.Get(&count, "SELECT COUNT(*) FROM person WHERE active"))
	gormDiff(t, "count", 3, count)
	var names []string
	must(t, db.Select(&names, "SELECT first_name FROM person WHERE age IS NOT NULL ORDER BY age DESC"))
	gormDiff(t, "names", []string{"Jason", "Ann"}, names)
	type nameAge struct {
		Name string        `db:"name"`
		Age  sql.NullInt64 `db:"age"`
		Ptr  *int64        `db:"ptr"`
	}
	var nas []nameAge
	must(t, db.Select(&nas, "SELECT first_name AS name, age, age AS ptr FROM person ORDER BY id"))
	gormDiff(t, "NULLs", []nameAge{
		{"Jason", sql.NullInt64{Int64: 40, Valid: true}, ptr[int64](40)},
		{"John", sql.NullInt64{}, nil},
		{"Ann", sql.NullInt64{Int64: 22, Valid: true}, ptr[int64](22)},
		{"Bo", sql.NullInt64{}, nil},
	}, nas)

	// In() expansion and Rebind.
	q, args, err := sqlx.In("SELECT first_name FROM person WHERE id IN (?) AND active = ? ORDER BY id", []int{1, 3, 4, 7}, true)
	must(t, err)
	names = nil
	must(t, db.Select(&names, db.Rebind(q), args...))
	gormDiff(t, "In", []string{"Jason", "Ann", "Bo"}, names)
	gormDiff(t, "Rebind keeps ?", "SELECT 1 WHERE ? = ?", db.Rebind("SELECT 1 WHERE ? = ?"))

	// Named query with In.
	q, args, err = sqlx.Named("SELECT id FROM person WHERE first_name IN (:names) AND score >= :min ORDER BY id", map[string]any{"names": []string{"Ann", "Bo", "Jason"}, "min": 0})
	must(t, err)
	q, args, err = sqlx.In(q, args...)
	must(t, err)
	var ids []int64
	must(t, db.Select(&ids, db.Rebind(q), args...))
	gormDiff(t, "Named+In", []int64{1, 3, 4}, ids)

	// NamedQuery with a struct and with a map; rows.StructScan, MapScan, SliceScan.
	rows, err := db.NamedQuery("SELECT * FROM person WHERE first_name = :first_name", sqlxPerson{FirstName: "Ann"})
	must(t, err)
	var got []sqlxPerson
	for rows.Next() {
		var p sqlxPerson
		must(t, rows.StructScan(&p))
		got = append(got, p)
	}
	must(t, rows.Err())
	rows.Close()
	gormDiff(t, "NamedQuery struct", []sqlxPerson{batch[0]}, got)
	rows, err = db.NamedQueryContext(ctx, "SELECT id, first_name, email FROM person WHERE id <= :max ORDER BY id", map[string]any{"max": 2})
	must(t, err)
	var maps []map[string]any
	for rows.Next() {
		m := map[string]any{}
		must(t, rows.MapScan(m))
		maps = append(maps, m)
	}
	rows.Close()
	gormDiff(t, "MapScan", []map[string]any{
		{"id": int64(1), "first_name": "Jason", "email": "jm@x"},
		{"id": int64(2), "first_name": "John", "email": nil},
	}, maps)
	row := db.QueryRowx("SELECT id, balance, score FROM person WHERE id = 3")
	cols, err := row.SliceScan()
	must(t, err)
	gormDiff(t, "SliceScan", []any{int64(3), "-3.25", float64(0)}, cols)

	// Prepared named statements.
	ns, err := db.PrepareNamed("SELECT * FROM person WHERE active = :active AND id > :id ORDER BY id")
	must(t, err)
	people = nil
	must(t, ns.Select(&people, map[string]any{"active": true, "id": 1}))
	gormDiff(t, "PrepareNamed", want[2:], people)
	must(t, ns.Close())
	ps, err := db.Preparex("SELECT first_name FROM person WHERE id = ?")
	must(t, err)
	var name string
	must(t, ps.Get(&name, 4))
	gormDiff(t, "Preparex", "Bo", name)
	must(t, ps.Close())

	// NULL updates through pointers and Null types.
	_, err = db.Exec("UPDATE person SET note = ?, email = ?, age = ?, birthday = ? WHERE id = 1", (*string)(nil), sql.NullString{}, sql.NullInt64{Int64: 41, Valid: true}, sql.NullTime{})
	must(t, err)
	must(t, db.Get(&p, "SELECT * FROM person WHERE id = 1"))
	p1.Note, p1.Email, p1.Age, p1.Birthday = nil, sql.NullString{}, sql.NullInt64{Int64: 41, Valid: true}, sql.NullTime{}
	gormDiff(t, "after NULL update", p1, p)

	// Placeholders in a common table expression and in the statement keep their order.
	var sum int
	must(t, db.Get(&sum, "WITH d (a, b) AS (VALUES ROW(?, ?)) SELECT a * 10 + b + ? FROM d", 4, 2, 100))
	gormDiff(t, "CTE placeholders", 142, sum)

	// Duplicate key error.
	_, err = db.Exec("INSERT INTO person (first_name, email, added_at) VALUES ('X', 'ann@x', NOW())")
	var de *bxdb.Error
	if !errors.As(err, &de) || de.Number != 1062 {
		t.Errorf("duplicate: %v", err)
	}
}

func TestSqlxTransactions(t *testing.T) {
	db := sqlxOpen(t)
	db.MustExec(sqlxSchema)

	// Commit with MustExec and named statements inside the transaction.
	tx := db.MustBegin()
	tx.MustExec("INSERT INTO person (first_name, added_at) VALUES (?, ?)", "A", sqlxT("2024-01-01 00:00:00"))
	_, err := tx.NamedExec("INSERT INTO person (first_name, added_at) VALUES (:n, :t)", map[string]any{"n": "B", "t": sqlxT("2024-01-01 00:00:01")})
	must(t, err)
	var n int
	must(t, tx.Get(&n, "SELECT COUNT(*) FROM person"))
	gormDiff(t, "count inside", 2, n)
	must(t, db.Get(&n, "SELECT COUNT(*) FROM person"))
	gormDiff(t, "count outside", 0, n)
	stmt, err := tx.Preparex("INSERT INTO place (person_id, city, telcode) VALUES (?, ?, ?)")
	must(t, err)
	for i, c := range []string{"Oslo", "Rome", "Lima"} {
		_, err := stmt.Exec(1+i%2, c, sql.NullInt64{Int64: int64(40 + i), Valid: i != 1})
		must(t, err)
	}
	must(t, tx.Commit())

	// Rollback, and MustExec panicking on an error inside a transaction.
	tx, err = db.Beginx()
	must(t, err)
	tx.MustExec("DELETE FROM place")
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Errorf("MustExec did not panic on a bad statement")
			}
		}()
		tx.MustExec("INSERT INTO nope VALUES (1)")
	}()
	must(t, tx.Rollback())

	// BeginTxx read-only.
	rtx, err := db.BeginTxx(context.Background(), &sql.TxOptions{ReadOnly: true})
	must(t, err)
	type placeRow struct {
		ID      int           `db:"id"`
		Person  string        `db:"person"`
		City    string        `db:"city"`
		Telcode sql.NullInt64 `db:"telcode"`
	}
	var places []placeRow
	must(t, rtx.Select(&places, "SELECT place.id, person.first_name AS person, place.city, place.telcode FROM place JOIN person ON person.id = place.person_id ORDER BY place.id"))
	gormDiff(t, "join after rollback", []placeRow{
		{1, "A", "Oslo", sql.NullInt64{Int64: 40, Valid: true}},
		{2, "B", "Rome", sql.NullInt64{}},
		{3, "A", "Lima", sql.NullInt64{Int64: 42, Valid: true}},
	}, places)
	if _, err := rtx.Exec("DELETE FROM place"); err == nil {
		t.Errorf("write in a read-only transaction succeeded")
	}
	must(t, rtx.Rollback())

	// Struct embedding and nested names with sqlx's dotted columns.
	type withPlace struct {
		Name  string `db:"name"`
		Place struct {
			City string `db:"city"`
		} `db:"place"`
	}
	var wp []withPlace
	must(t, db.Select(&wp, "SELECT person.first_name AS name, place.city AS `place.city` FROM person JOIN place ON place.person_id = person.id WHERE place.telcode IS NOT NULL ORDER BY place.id"))
	gormDiff(t, "nested", 2, len(wp))
	if len(wp) == 2 {
		gormDiff(t, "nested values", []string{"A", "Oslo", "A", "Lima"}, []string{wp[0].Name, wp[0].Place.City, wp[1].Name, wp[1].Place.City})
	}
}
