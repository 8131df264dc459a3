package driver

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/bxdb/bxdb/sqlfront"
)

type (
	myInt    int16
	myUint   uint64
	myFloat  float32
	myBool   bool
	myString string
	myBytes  []byte
	valuer   int // implements driver.Valuer: database/sql must call Value
)

func (v valuer) Value() (driver.Value, error) { return int64(v) * 10, nil }

func TestCheckNamedValue(t *testing.T) {
	ts := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.FixedZone("X", 3600))
	tests := []struct {
		in   any
		want sqlfront.Value
	}{
		{nil, sqlfront.Null},
		{int(-7), sqlfront.IntValue(-7)},
		{int8(math.MinInt8), sqlfront.IntValue(math.MinInt8)},
		{int16(math.MaxInt16), sqlfront.IntValue(math.MaxInt16)},
		{int32(math.MinInt32), sqlfront.IntValue(math.MinInt32)},
		{int64(math.MinInt64), sqlfront.IntValue(math.MinInt64)},
		{uint(7), sqlfront.IntValue(7)},
		{uint8(255), sqlfront.IntValue(255)},
		{uint16(65535), sqlfront.IntValue(65535)},
		{uint32(math.MaxUint32), sqlfront.IntValue(math.MaxUint32)},
		{uint64(math.MaxInt64), sqlfront.IntValue(math.MaxInt64)},
		{uint64(math.MaxUint64), sqlfront.Value{K: sqlfront.KindUint, U: math.MaxUint64}},
		{uintptr(9), sqlfront.IntValue(9)},
		{float32(1.5), sqlfront.FloatValue(1.5)},
		{float32(0.1), sqlfront.FloatValue(0.1)}, // its shortest decimal, as a FLOAT column holds it
		{math.Pi, sqlfront.FloatValue(math.Pi)},
		{true, sqlfront.IntValue(1)},
		{false, sqlfront.IntValue(0)},
		{"héllo, 世界", sqlfront.StringValue("héllo, 世界")},
		{[]byte{0, 1, 0}, sqlfront.BytesValue([]byte{0, 1, 0})},
		{[]byte{}, sqlfront.BytesValue(nil)},
		{[]byte(nil), sqlfront.Null},
		{json.RawMessage(`{"a":1}`), sqlfront.StringValue(`{"a":1}`)},
		{json.RawMessage(nil), sqlfront.Null},
		{ts, sqlfront.TimeValue(ts)},
		{myInt(-3), sqlfront.IntValue(-3)},
		{myUint(math.MaxUint64), sqlfront.Value{K: sqlfront.KindUint, U: math.MaxUint64}},
		{myFloat(2.5), sqlfront.FloatValue(2.5)},
		{myBool(true), sqlfront.IntValue(1)},
		{myString("s"), sqlfront.StringValue("s")},
		{myBytes("b"), sqlfront.BytesValue([]byte("b"))},
		{sqlfront.IntValue(4), sqlfront.IntValue(4)},
	}
	for _, tt := range tests {
		nv := driver.NamedValue{Ordinal: 1, Value: tt.in}
		if err := checkNamedValue(&nv); err != nil {
			t.Errorf("checkNamedValue(%T %#v): %v", tt.in, tt.in, err)
			continue
		}
		got, ok := nv.Value.(sqlfront.Value)
		if !ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("checkNamedValue(%T %#v) = %#v, want %#v", tt.in, tt.in, nv.Value, tt.want)
		}
	}
	if got := sqlfront.TimeValue(ts).T; !got.Equal(ts) || got.Location() != time.UTC {
		t.Errorf("time.Time converts to %v, want the same instant in UTC", got)
	}

	// Types database/sql's default converter must handle.
	x := 5
	for _, in := range []any{valuer(1), sql.NullInt64{Int64: 1, Valid: true}, &x, struct{}{}, []int{1}, map[string]int{}} {
		nv := driver.NamedValue{Ordinal: 1, Value: in}
		if err := checkNamedValue(&nv); err != driver.ErrSkip {
			t.Errorf("checkNamedValue(%T) = %v, want driver.ErrSkip", in, err)
		}
	}

	// Named parameters are refused.
	nv := driver.NamedValue{Name: "id", Ordinal: 1, Value: 1}
	if err := checkNamedValue(&nv); !errors.Is(err, ErrNamedParams) {
		t.Errorf("checkNamedValue(named) = %v, want ErrNamedParams", err)
	}
	if _, err := convertArgs([]driver.NamedValue{{Name: "id", Ordinal: 1, Value: int64(1)}}); !errors.Is(err, ErrNamedParams) {
		t.Errorf("convertArgs(named) = %v, want ErrNamedParams", err)
	}
	// convertArgs takes what the default converter produces.
	vals, err := convertArgs(namedValues([]driver.Value{int64(1), 2.5, true, "s", []byte("b"), ts, nil}))
	if err != nil {
		t.Fatal(err)
	}
	want := []sqlfront.Value{sqlfront.IntValue(1), sqlfront.FloatValue(2.5), sqlfront.IntValue(1),
		sqlfront.StringValue("s"), sqlfront.BytesValue([]byte("b")), sqlfront.TimeValue(ts), sqlfront.Null}
	if !reflect.DeepEqual(vals, want) {
		t.Errorf("convertArgs = %#v, want %#v", vals, want)
	}
	if _, err := convertArgs(namedValues([]driver.Value{struct{}{}})); err == nil {
		t.Errorf("convertArgs(struct{}) succeeded")
	}
}

func TestValueOut(t *testing.T) {
	ts := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)
	tests := []struct {
		in       sqlfront.Value
		unsigned bool
		want     driver.Value
	}{
		{sqlfront.Null, false, nil},
		{sqlfront.IntValue(-5), false, int64(-5)},
		{sqlfront.IntValue(5), true, uint64(5)},
		{sqlfront.UintValue(math.MaxUint64), false, uint64(math.MaxUint64)},
		{sqlfront.UintValue(math.MaxUint64), true, uint64(math.MaxUint64)},
		{sqlfront.FloatValue(2.25), false, 2.25},
		{sqlfront.Value{K: sqlfront.KindDecimal, S: "-12.50"}, false, "-12.50"},
		{sqlfront.StringValue("x"), false, "x"},
		{sqlfront.BytesValue([]byte{0, 1}), false, []byte{0, 1}},
		{sqlfront.DatetimeValue(ts, 6), false, ts},
		{sqlfront.DateValue(ts), false, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{sqlfront.DurationValue(-(26*time.Hour + 3*time.Minute + 4*time.Second + 500*time.Millisecond), 1), false, "-26:03:04.5"},
		{sqlfront.DurationValue(5*time.Second, 0), false, "00:00:05"},
	}
	for _, tt := range tests {
		if got := valueOut(tt.in, tt.unsigned); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("valueOut(%#v, %v) = %#v, want %#v", tt.in, tt.unsigned, got, tt.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		fsp  int
		want string
	}{
		{0, -1, "00:00:00"},
		{0, 3, "00:00:00.000"},
		{838*time.Hour + 59*time.Minute + 59*time.Second, 0, "838:59:59"},
		{time.Second + time.Microsecond, -1, "00:00:01.000001"},
		{-time.Second - 250*time.Millisecond, 2, "-00:00:01.25"},
		{12*time.Hour + 34*time.Minute + 56*time.Second + 789012*time.Microsecond, 6, "12:34:56.789012"},
	}
	for _, tt := range tests {
		if got := formatDuration(tt.d, tt.fsp); got != tt.want {
			t.Errorf("formatDuration(%v, %d) = %q, want %q", tt.d, tt.fsp, got, tt.want)
		}
	}
}

func TestScanType(t *testing.T) {
	tests := []struct {
		col  sqlfront.ColumnInfo
		want reflect.Type
	}{
		{sqlfront.ColumnInfo{Kind: sqlfront.KindInt, Nullable: true, NullableOK: true}, reflect.TypeFor[int64]()},
		{sqlfront.ColumnInfo{Kind: sqlfront.KindUint}, reflect.TypeFor[uint64]()},
		{sqlfront.ColumnInfo{Kind: sqlfront.KindFloat}, reflect.TypeFor[float64]()},
		{sqlfront.ColumnInfo{Kind: sqlfront.KindDecimal}, reflect.TypeFor[string]()},
		{sqlfront.ColumnInfo{Kind: sqlfront.KindString}, reflect.TypeFor[string]()},
		// Values []byte, scan type string, as go-sql-driver/mysql reports.
		{sqlfront.ColumnInfo{Kind: sqlfront.KindString, DatabaseTypeName: "JSON"}, reflect.TypeFor[string]()},
		{sqlfront.ColumnInfo{Kind: sqlfront.KindBytes}, reflect.TypeFor[[]byte]()},
		{sqlfront.ColumnInfo{Kind: sqlfront.KindTime, DatabaseTypeName: "DATETIME"}, reflect.TypeFor[time.Time]()},
		{sqlfront.ColumnInfo{Kind: sqlfront.KindTime, DatabaseTypeName: "TIME"}, reflect.TypeFor[string]()},
		{sqlfront.ColumnInfo{Kind: sqlfront.KindNull}, reflect.TypeFor[any]()},
	}
	for _, tt := range tests {
		if got := scanType(&tt.col); got != tt.want {
			t.Errorf("scanType(%+v) = %v, want %v", tt.col, got, tt.want)
		}
	}
}

func TestIsolationName(t *testing.T) {
	tests := []struct {
		level sql.IsolationLevel
		want  string
	}{
		{sql.LevelDefault, ""},
		{sql.LevelReadUncommitted, "READ UNCOMMITTED"},
		{sql.LevelReadCommitted, "READ COMMITTED"},
		{sql.LevelRepeatableRead, "REPEATABLE READ"},
		{sql.LevelSnapshot, "SNAPSHOT"},
		{sql.LevelSerializable, "SERIALIZABLE"},
	}
	for _, tt := range tests {
		got, err := isolationName(driver.IsolationLevel(tt.level))
		if err != nil || got != tt.want {
			t.Errorf("isolationName(%v) = %q, %v; want %q", tt.level, got, err, tt.want)
		}
	}
	for _, l := range []sql.IsolationLevel{sql.LevelWriteCommitted, sql.LevelLinearizable, 99} {
		if _, err := isolationName(driver.IsolationLevel(l)); !errors.Is(err, ErrIsolationLevel) {
			t.Errorf("isolationName(%v) = %v, want ErrIsolationLevel", l, err)
		}
	}
}
