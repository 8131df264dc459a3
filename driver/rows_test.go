package driver

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
)

// TestRowsStopWhenContextDone: once the query's context is done, Next
// fails with its error, also for rows the engine had already computed (a
// sorted result), for Query on the connection and on a prepared statement.
func TestRowsStopWhenContextDone(t *testing.T) {
	db := sql.OpenDB(mustConnector(t, ":memory:"))
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE t (id INT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if _, err := db.Exec("INSERT INTO t VALUES (?)", i); err != nil {
			t.Fatal(err)
		}
	}
	st, err := db.Prepare("SELECT id FROM t ORDER BY id DESC")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, prepared := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		var rows *sql.Rows
		if prepared {
			rows, err = st.QueryContext(ctx)
		} else {
			rows, err = db.QueryContext(ctx, "SELECT id FROM t ORDER BY id DESC")
		}
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			if n++; n == 3 {
				cancel()
			}
		}
		if err := rows.Err(); n != 3 || !errors.Is(err, context.Canceled) {
			t.Errorf("prepared=%v: %d rows, Err %v; want 3 rows and context.Canceled", prepared, n, err)
		}
		rows.Close()
		cancel()
	}
}

// TestJSONColumnsAreBytes: JSON columns are returned as []byte, as
// go-sql-driver/mysql returns them, so they scan into json.RawMessage;
// other text stays string.
func TestJSONColumnsAreBytes(t *testing.T) {
	db := sql.OpenDB(mustConnector(t, ":memory:"))
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE j (id INT PRIMARY KEY, d JSON, s VARCHAR(10)); INSERT INTO j VALUES (1, '{"a":[1,2]}', 'x'), (2, NULL, NULL)`); err != nil {
		t.Fatal(err)
	}
	var raw json.RawMessage
	var d, s any
	if err := db.QueryRow("SELECT d, d, s FROM j WHERE id = 1").Scan(&raw, &d, &s); err != nil {
		t.Fatal(err)
	}
	var v map[string][]int
	if err := json.Unmarshal(raw, &v); err != nil || len(v["a"]) != 2 {
		t.Errorf("json.RawMessage %q: %v", raw, err)
	}
	if _, ok := d.([]byte); !ok {
		t.Errorf("JSON column scanned into any as %T, want []byte", d)
	}
	if _, ok := s.(string); !ok {
		t.Errorf("VARCHAR column scanned into any as %T, want string", s)
	}
	var p *json.RawMessage
	if err := db.QueryRow("SELECT d FROM j WHERE id = 2").Scan(&p); err != nil || p != nil {
		t.Errorf("NULL JSON into *json.RawMessage: %v, %v", p, err)
	}
}

// bigID is a Valuer returning uint64, as ID types for BIGINT UNSIGNED
// columns do: go-sql-driver/mysql accepts it, database/sql's default
// converter alone does not.
type bigID uint64

func (b bigID) Value() (driver.Value, error) { return uint64(b), nil }

// nullableName is a Valuer with a pointer receiver.
type nullableName struct{ s string }

func (n *nullableName) Value() (driver.Value, error) {
	if n == nil {
		return nil, nil
	}
	return n.s, nil
}

type badValuer struct{}

func (badValuer) Value() (driver.Value, error) { return struct{}{}, nil }

func TestValuerResults(t *testing.T) {
	db := sql.OpenDB(mustConnector(t, ":memory:"))
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE u (id BIGINT UNSIGNED PRIMARY KEY, name VARCHAR(10))"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO u VALUES (?, ?), (?, ?)", bigID(math.MaxUint64), &nullableName{"max"}, bigID(7), (*nullableName)(nil)); err != nil {
		t.Fatal(err)
	}
	st, err := db.Prepare("SELECT name FROM u WHERE id = ?")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var name sql.NullString
	if err := st.QueryRow(bigID(math.MaxUint64)).Scan(&name); err != nil || name.String != "max" {
		t.Errorf("prepared lookup by uint64 Valuer: %v, %v", name, err)
	}
	if err := db.QueryRow("SELECT name FROM u WHERE id = ?", bigID(7)).Scan(&name); err != nil || name.Valid {
		t.Errorf("lookup by uint64 Valuer: %v, %v", name, err)
	}
	if _, err := db.Exec("SELECT ?", badValuer{}); err == nil {
		t.Errorf("a Valuer returning struct{} was accepted")
	}
}

// bitFlag is a bool stored in a BIT(1) column, as applications write it
// for go-sql-driver/mysql: Scan takes the []byte the driver returns.
type bitFlag bool

func (b *bitFlag) Scan(src any) error {
	p, ok := src.([]byte)
	if !ok || len(p) != 1 {
		return fmt.Errorf("bitFlag: cannot scan %T %v", src, src)
	}
	*b = p[0] == 1
	return nil
}

func (b bitFlag) Value() (driver.Value, error) { return bool(b), nil }

// TestBitColumnsAreBytes: BIT(n) values are returned as (n+7)/8 bytes,
// big-endian, as MySQL sends them, typed "BIT"; in expressions they are
// numbers.
func TestBitColumnsAreBytes(t *testing.T) {
	db := sql.OpenDB(mustConnector(t, ":memory:"))
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE b (id INT PRIMARY KEY, f BIT(1), w BIT(10), l BIT(64))"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO b VALUES (1, ?, ?, ?), (2, ?, NULL, NULL)", bitFlag(true), 513, uint64(math.MaxUint64), false); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT f, w, l, w + 0 FROM b ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	cts, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"BIT", "BIT", "BIT", "BIGINT"} {
		if got := cts[i].DatabaseTypeName(); got != want {
			t.Errorf("column %d: DatabaseTypeName %q, want %q", i, got, want)
		}
	}
	if st := cts[0].ScanType(); st != reflect.TypeFor[[]byte]() {
		t.Errorf("BIT ScanType %v, want []byte", st)
	}
	var got [][]any
	for rows.Next() {
		var f, w, l, n any
		if err := rows.Scan(&f, &w, &l, &n); err != nil {
			t.Fatal(err)
		}
		got = append(got, []any{f, w, l, n})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := [][]any{
		{[]byte{1}, []byte{2, 1}, []byte{255, 255, 255, 255, 255, 255, 255, 255}, int64(513)},
		{[]byte{0}, nil, nil, nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	var flag bitFlag
	var raw []byte
	if err := db.QueryRow("SELECT f, f FROM b WHERE id = 1").Scan(&flag, &raw); err != nil || !bool(flag) || !bytes.Equal(raw, []byte{1}) {
		t.Errorf("BIT(1) into a Scanner and []byte: %v, %v, %v", flag, raw, err)
	}
	if err := db.QueryRow("SELECT id FROM b WHERE f = ?", bitFlag(false)).Scan(new(int)); err != nil {
		t.Errorf("lookup by a BIT value: %v", err)
	}
}
