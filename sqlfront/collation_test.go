package sqlfront

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
)

// TestKeyEncodingCollations checks the documented byte layout of string
// keys under each collation class (top of keyenc.go), their order and
// their decoding.
func TestKeyEncodingCollations(t *testing.T) {
	vc := func(coll string) ColumnType { return ColumnType{Base: TypeVarChar, Length: 20, Collation: coll} }
	for _, c := range []struct {
		coll, in string
		want     []byte
		back     string
	}{
		{"", "Ab ", []byte{0x01, 'a', 'b', ' ', 0x00, 0x01}, "ab "},
		{"utf8mb4_general_ci", "Ab ", []byte{0x01, 'a', 'b', 0x00, 0x01}, "ab"},
		{"utf8mb4_bin", "Ab ", []byte{0x01, 'A', 'b', 0x00, 0x01}, "Ab"},
		{"utf8mb4_bin", "A\x00b", []byte{0x01, 'A', 0x00, 0xFF, 'b', 0x00, 0x01}, "A\x00b"},
		{"utf8mb4_0900_bin", "Ab ", []byte{0x01, 'A', 'b', ' ', 0x00, 0x01}, "Ab "},
		{"latin1_general_cs", "Ab ", []byte{0x01, 'a', 'b', 0x00, 0x01, 'a', 'B', 0x00, 0x01}, "Ab"},
		{"utf8mb4_0900_as_cs", "Ab ", []byte{0x01, 'a', 'b', ' ', 0x00, 0x01, 'a', 'B', ' ', 0x00, 0x01}, "Ab "},
	} {
		typ := vc(c.coll)
		got := AppendKey(nil, StringValue(c.in), typ, false)
		if !bytes.Equal(got, c.want) {
			t.Errorf("%s %q: key % x, want % x", c.coll, c.in, got, c.want)
		}
		vals, err := DecodeKey(got, []ColumnType{typ}, nil)
		if err != nil || vals[0].S != c.back || vals[0].C != typ.coll() {
			t.Errorf("%s %q: decoded %+v, %v; want %q", c.coll, c.in, vals, err, c.back)
		}
		desc := AppendKey(nil, StringValue(c.in), typ, true)
		if vals, err := DecodeKey(desc, []ColumnType{typ}, []bool{true}); err != nil || vals[0].S != c.back {
			t.Errorf("%s %q DESC: decoded %+v, %v", c.coll, c.in, vals, err)
		}
	}
	// Key order is the collation's order, and equal keys are equal values.
	words := []string{"", "a", "A", "a ", "ab", "aB", "Ab", "b", "B", "ä", "Ä", "a\x00", "z"}
	for _, coll := range []string{"", "utf8mb4_bin", "utf8mb4_0900_bin", "latin1_general_cs", "utf8mb4_0900_as_cs"} {
		typ := vc(coll)
		for _, x := range words {
			for _, y := range words {
				kx := AppendKey(nil, StringValue(x), typ, false)
				ky := AppendKey(nil, StringValue(y), typ, false)
				want := compareColl(typ.coll(), x, y)
				if got := bytes.Compare(kx, ky); got != want {
					t.Errorf("%s: keys of %q, %q compare %d, collation %d", coll, x, y, got, want)
				}
				gx := AppendGroupKey(nil, withCollation(StringValue(x), typ.coll()))
				gy := AppendGroupKey(nil, withCollation(StringValue(y), typ.coll()))
				if bytes.Equal(gx, gy) != (want == 0) {
					t.Errorf("%s: group keys of %q, %q equal %v, collation %d", coll, x, y, bytes.Equal(gx, gy), want)
				}
			}
		}
	}
}

// TestCompareCollations checks which collation a comparison uses: an
// explicit COLLATE, then a column's, then the default.
func TestCompareCollations(t *testing.T) {
	bin := withCollation(StringValue("Ann"), CollBin)
	lit := StringValue("ANN")
	ci := withCollation(StringValue("Ann"), CollDefault|collExplicit)
	for _, c := range []struct {
		a, b Value
		want int
	}{
		{bin, lit, 1}, // the column's _bin wins over a literal: 'n' > 'N'
		{lit, bin, -1},
		{StringValue("Ann"), lit, 0},
		{ci, withCollation(lit, CollBin), 0}, // explicit COLLATE wins
		{withCollation(lit, CollBin), ci, 0},
		{withCollation(StringValue("a"), CollCSNoPad), StringValue("A"), -1}, // lower case first
		{withCollation(StringValue("a "), CollCSNoPad), StringValue("a"), 1},
		{withCollation(StringValue("a "), CollCS), StringValue("a"), 0},
		{withCollation(StringValue("a "), CollBin), StringValue("a"), 0},
		{withCollation(StringValue("a "), CollBinNoPad), StringValue("a"), 1},
	} {
		if got, _ := Compare(c.a, c.b); got != c.want {
			t.Errorf("Compare(%q/%d, %q/%d) = %d, want %d", c.a.S, c.a.C, c.b.S, c.b.C, got, c.want)
		}
	}
}

// TestCollationNames checks name resolution and its errors.
func TestCollationNames(t *testing.T) {
	for _, c := range []struct {
		cs, coll string
		bin      bool
		def      string
		want     string
		errNum   uint16
	}{
		{"", "", false, "", "", 0},
		{"", "UTF8MB4_BIN", false, "", "utf8mb4_bin", 0},
		{"", "utf8mb4_0900_ai_ci", false, "utf8mb4_bin", "", 0},
		{"", "", false, "utf8mb4_bin", "utf8mb4_bin", 0},
		{"utf8mb4", "", false, "utf8mb4_bin", "", 0},
		{"utf8", "", false, "", "utf8mb3_general_ci", 0},
		{"", "utf8_bin", false, "", "utf8mb3_bin", 0},
		{"latin1", "", true, "", "latin1_bin", 0},
		{"", "", true, "", "utf8mb4_bin", 0},
		{"binary", "", false, "", "binary", 0},
		{"", "nope", false, "", "", ErUnknownCollation},
		{"nope", "", false, "", "", ErUnknownCharset},
		{"latin1", "utf8mb4_bin", false, "", "", ErCollationCharsetMismatch},
	} {
		got, err := resolveCollation(c.cs, c.coll, c.bin, c.def)
		if sqlNumber(err) != c.errNum || (err == nil && got != c.want) {
			t.Errorf("resolveCollation(%q, %q, %v, %q) = %q, %v; want %q, error %d", c.cs, c.coll, c.bin, c.def, got, err, c.want, c.errNum)
		}
	}
}

// TestCollationCatalogFormat: the collation is the typeDesc field
// "collation", absent for the default, so the records of tables without
// collations are unchanged; a record written before collations existed
// reads as the default collation, and its table works as before
// (case-insensitive UNIQUE index).
func TestCollationCatalogFormat(t *testing.T) {
	b, _ := json.Marshal(toTypeDesc(ColumnType{Base: TypeVarChar, Length: 10}))
	if string(b) != `{"base":"varchar","length":10}` {
		t.Errorf("default collation: %s", b)
	}
	b, _ = json.Marshal(toTypeDesc(ColumnType{Base: TypeVarChar, Length: 10, Collation: "utf8mb4_bin"}))
	if string(b) != `{"base":"varchar","length":10,"collation":"utf8mb4_bin"}` {
		t.Errorf("utf8mb4_bin: %s", b)
	}
	var d typeDesc
	if err := json.Unmarshal([]byte(`{"base":"varchar","length":10,"collation":"latin1_general_cs"}`), &d); err != nil {
		t.Fatal(err)
	}
	if ct, ok := d.columnType(); !ok || ct.Collation != "latin1_general_cs" || ct.coll() != CollCS {
		t.Errorf("decoded %+v", ct)
	}
	for _, bad := range []string{"nope", "UTF8MB4_BIN"} {
		rec := fmt.Sprintf(`{"id":1,"name":"t","columns":[{"name":"s","field":0,"type":{"base":"varchar","length":10,"collation":%q},"fill":null}],"next_field":1,"next_index":0}`, bad)
		var td tableDesc
		if err := json.Unmarshal([]byte(rec), &td); err != nil {
			t.Fatal(err)
		}
		if _, err := newTable(&td); err == nil || !strings.Contains(err.Error(), "bad collation") {
			t.Errorf("collation %q: %v", bad, err)
		}
	}

	// An engine whose catalog holds a record in the pre-collation form.
	fs := bedrock.NewMemFS()
	e, err := Open("old.bxdb", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(10), UNIQUE KEY us (s))")
	old := `{"id":1,"name":"t","columns":[` +
		`{"name":"id","field":0,"type":{"base":"int"},"not_null":true,"fill":null},` +
		`{"name":"s","field":1,"type":{"base":"varchar","length":10},"fill":null}],` +
		`"pk":[{"field":0}],"indexes":[{"id":0,"name":"us","unique":true,"parts":[{"field":1}]}],` +
		`"next_field":2,"next_index":1,"created":1700000000}`
	tx, err := e.store.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := bxtree.Open(tx, catalogTree, eagerTree())
	if err != nil {
		t.Fatal(err)
	}
	cur, _, _, err := ct.Get([]byte(catTablePrefix + "t"))
	if err != nil || bytes.Contains(cur, []byte("collation")) {
		t.Fatalf("record of a default-collation table: %s, %v", cur, err)
	}
	if err := ct.Put([]byte(catTablePrefix+"t"), 0, append([]byte{catalogFormatV1}, old...)); err != nil {
		t.Fatal(err)
	}
	if err := ct.Put([]byte(catMetaKey), 0, encodeMeta(randomNonce(), 2)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	e.Close()
	e, err = Open("old.bxdb", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s = e.NewSession()
	execSQL(t, s, "INSERT INTO t VALUES (1, 'Ann')")
	if err := stmtErr(t, s, "INSERT INTO t VALUES (2, 'ANN')"); sqlNumber(err) != ErDupEntry {
		t.Errorf("old record: 'ANN' after 'Ann': %v, want 1062", err)
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT id FROM t WHERE s = 'aNN'")); got != "[[1]]" {
		t.Errorf("old record: %s", got)
	}
	if got := fmt.Sprint(querySQL(t, s, "SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_NAME = 't' AND COLUMN_NAME = 's'")); got != "[[utf8mb4_0900_ai_ci]]" {
		t.Errorf("old record: collation %s", got)
	}
}

// TestResultColumnTypes checks the types result columns report (what
// database/sql's ColumnTypeDatabaseTypeName and ScanType return).
func TestResultColumnTypes(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE p (id INT PRIMARY KEY, shop_id BIGINT UNSIGNED, j JSON)")
	execSQL(t, s, `INSERT INTO p VALUES (1, 18446744073709551615, '{"a":1,"b":[1.5]}')`)
	for _, c := range []struct {
		q    string
		want string // name:type:kind, ...; then the row
	}{
		{"WITH t AS (SELECT shop_id FROM p) SELECT shop_id FROM t",
			"shop_id:UNSIGNED BIGINT:uint [18446744073709551615]"},
		{"SELECT shop_id FROM (SELECT shop_id FROM p) d",
			"shop_id:UNSIGNED BIGINT:uint [18446744073709551615]"},
		{"SELECT CAST(1 AS UNSIGNED) u, CAST(-1 AS UNSIGNED) v, CAST(id AS UNSIGNED) w, CAST(2 AS SIGNED) x FROM p",
			"u:UNSIGNED BIGINT:uint v:UNSIGNED BIGINT:uint w:UNSIGNED BIGINT:uint x:BIGINT:int [1 18446744073709551615 1 2]"},
		{"SELECT JSON_OBJECT('k', id) a, JSON_EXTRACT(j, '$.a') b, j->'$.b[0]' c, j->'$.b' d, CAST('[1, 2]' AS JSON) e, JSON_ARRAY() f, j->>'$.a' g FROM p",
			"a:JSON:string b:JSON:string c:JSON:string d:JSON:string e:JSON:string f:JSON:string g:VARCHAR:string [{\"k\": 1} 1 1.5 [1.5] [1, 2] [] 1]"},
		{"SELECT x FROM (SELECT j->'$.a' x FROM p) d WHERE x = 1",
			"x:JSON:string [1]"},
	} {
		st, err := s.Prepare(c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		rows, err := s.Query(context.Background(), st, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		var parts []string
		for _, ci := range rows.Columns() {
			parts = append(parts, ci.Name+":"+ci.DatabaseTypeName+":"+ci.Kind.String())
		}
		dst := make([]Value, len(rows.Columns()))
		var vals []string
		for {
			err := rows.Next(dst)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", c.q, err)
			}
			for _, v := range dst {
				if strings.HasPrefix(c.q, "SELECT JSON") && v.K != KindString {
					t.Errorf("%s: value %v of a JSON column is not text", c.q, v)
				}
				vals = append(vals, Format(v))
			}
		}
		rows.Close()
		got := strings.Join(parts, " ") + " [" + strings.Join(vals, " ") + "]"
		if got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.q, got, c.want)
		}
	}
}

// TestSyncOldJSONText: a synchronized row may hold JSON text stored
// before JSON was normalized; it is accepted as it is.
func TestSyncOldJSONText(t *testing.T) {
	tb, err := newTable(&tableDesc{ID: 1, Name: "t", NextField: 2, Columns: []*columnDesc{
		{Name: "id", Field: 0, Type: typeDesc{Base: "int"}, NotNull: true},
		{Name: "j", Field: 1, Type: typeDesc{Base: "json"}},
	}, PK: []keyPart{{Field: 0}}})
	if err != nil {
		t.Fatal(err)
	}
	row, err := decodeSyncRow(tb, EncodeRow(nil, 0, []Value{IntValue(1), StringValue(`{"b":1,"a":2}`)}))
	if err != nil || row[1].S != `{"b":1,"a":2}` {
		t.Errorf("old JSON text: %v, %v", row, err)
	}
	if _, err := decodeSyncRow(tb, EncodeRow(nil, 0, []Value{IntValue(1), StringValue(`{"b":`)})); err == nil {
		t.Errorf("invalid JSON text accepted")
	}
}

// TestSpillKeepsCollation: a sort that spills to disk keeps the
// collation of string values (their order after the merge).
func TestSpillKeepsCollation(t *testing.T) {
	row := []Value{withCollation(StringValue("Ab"), CollCSNoPad), StringValue("x"), IntValue(3)}
	got, err := readSpillRow(bufio.NewReader(bytes.NewReader(appendSpillRow(nil, row))))
	if err != nil || len(got) != 3 || got[0] != row[0] || got[1] != row[1] || got[2] != row[2] {
		t.Errorf("spill round trip: %+v, %v", got, err)
	}
}
