package driver

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/bxdb/bxdb/sqlfront"
)

// Values in: Go → SQL.
//
// database/sql hands every argument to CheckNamedValue first. It converts
// the types below to a sqlfront.Value and stores that in the NamedValue;
// for a driver.Valuer (Value methods, sql.NullInt64, …) the connection's
// and statement's CheckNamedValue call Value (checkValuer); for any other
// type it returns driver.ErrSkip, and database/sql falls back to
// driver.DefaultParameterConverter, which dereferences pointers and
// reduces named types to int64, float64, bool, []byte, string or
// time.Time — which convertArg then takes too.
//
//	nil, []byte(nil), json.RawMessage(nil)  NULL
//	int, int8 … int64                     integer
//	uint, uint8 … uint64, uintptr         integer (all of uint64, above MaxInt64 too)
//	float32, float64                      double (a float32 as its shortest decimal, as a FLOAT column holds it)
//	bool                                  1 or 0 (MySQL has no boolean type)
//	string, json.RawMessage               string
//	[]byte                                bytes (copied)
//	time.Time                             DATETIME, as its instant in UTC truncated to microseconds; the Location is not kept
//	named types of the kinds above        as their kind, unless they implement driver.Valuer
//	driver.Valuer                         its Value's result, converted as above (a uint64 too, as go-sql-driver/mysql takes it)

// checkNamedValue converts nv.Value for driver.NamedValueChecker, or
// returns driver.ErrSkip for a type database/sql must convert first.
func checkNamedValue(nv *driver.NamedValue) error {
	if nv.Name != "" {
		return fmt.Errorf("%w (got :%s)", ErrNamedParams, nv.Name)
	}
	v, ok := convertArg(nv.Value)
	if !ok {
		return driver.ErrSkip
	}
	nv.Value = v
	return nil
}

// checkNamedValueLazy is what the connection's and statement's
// CheckNamedValue do: checkNamedValue without the conversion, which is
// left to convertArgs when the statement runs (storing the converted
// sqlfront.Value in the interface would cost an allocation per argument).
func checkNamedValueLazy(nv *driver.NamedValue) error {
	if nv.Name != "" {
		return fmt.Errorf("%w (got :%s)", ErrNamedParams, nv.Name)
	}
	switch v := nv.Value.(type) {
	case sqlfront.Value, nil, int64, int, int8, int16, int32, uint64, uint, uint8, uint16, uint32, uintptr,
		float64, float32, bool, string, []byte, json.RawMessage, time.Time:
		return nil
	case driver.Valuer:
		return checkValuer(nv, v)
	}
	if _, ok := convertArg(nv.Value); !ok {
		return driver.ErrSkip
	}
	return nil
}

// checkValuer calls an argument's Value method (a nil pointer whose
// Value has a value receiver is NULL, as database/sql has it) and keeps
// the result if convertArg takes it: a uint64 too, which database/sql's
// default converter refuses ("non-Value type uint64 returned from Value")
// and go-sql-driver/mysql accepts, so ID types of BIGINT UNSIGNED columns
// work. Other results are refused as the default converter refuses them.
func checkValuer(nv *driver.NamedValue, vr driver.Valuer) error {
	var sv driver.Value
	if rv := reflect.ValueOf(vr); rv.Kind() == reflect.Pointer && rv.IsNil() && rv.Type().Elem().Implements(valuerType) {
		sv = nil
	} else {
		var err error
		if sv, err = vr.Value(); err != nil {
			return err
		}
	}
	if _, nested := sv.(driver.Valuer); !nested {
		if _, ok := convertArg(sv); ok {
			nv.Value = sv
			return nil
		}
	}
	return fmt.Errorf("non-Value type %T returned from Value", sv)
}

var valuerType = reflect.TypeFor[driver.Valuer]()

// convertArgs converts the arguments of a statement; named ones are refused.
func convertArgs(args []driver.NamedValue) ([]sqlfront.Value, error) {
	return convertArgsInto(args, nil)
}

// convertArgsInto is convertArgs reusing buf's array when it is long
// enough.
func convertArgsInto(args []driver.NamedValue, buf []sqlfront.Value) ([]sqlfront.Value, error) {
	if len(args) == 0 {
		return nil, nil
	}
	vals := buf[:0]
	if cap(vals) < len(args) {
		vals = make([]sqlfront.Value, 0, len(args))
	}
	for _, a := range args {
		if a.Name != "" {
			return nil, fmt.Errorf("%w (got :%s)", ErrNamedParams, a.Name)
		}
		v, ok := convertArg(a.Value)
		if !ok {
			return nil, fmt.Errorf("driver: argument %d: unsupported type %T", a.Ordinal, a.Value)
		}
		vals = append(vals, v)
	}
	return vals, nil
}

// convertArg converts one Go value; ok is false for types it does not
// handle (driver.Valuer implementations among them).
func convertArg(a any) (v sqlfront.Value, ok bool) {
	switch x := a.(type) {
	case sqlfront.Value:
		return x, true // converted by CheckNamedValue already
	case nil:
		return sqlfront.Null, true
	case int64:
		return sqlfront.IntValue(x), true
	case int:
		return sqlfront.IntValue(int64(x)), true
	case int8:
		return sqlfront.IntValue(int64(x)), true
	case int16:
		return sqlfront.IntValue(int64(x)), true
	case int32:
		return sqlfront.IntValue(int64(x)), true
	case uint64:
		return sqlfront.UintValue(x), true
	case uint:
		return sqlfront.UintValue(uint64(x)), true
	case uint8:
		return sqlfront.UintValue(uint64(x)), true
	case uint16:
		return sqlfront.UintValue(uint64(x)), true
	case uint32:
		return sqlfront.UintValue(uint64(x)), true
	case uintptr:
		return sqlfront.UintValue(uint64(x)), true
	case float64:
		return sqlfront.FloatValue(x), true
	case float32:
		// Its shortest decimal (float32(0.1) is 0.1), as a FLOAT column
		// holds it, so a value read from a FLOAT column finds its row.
		v, _ := sqlfront.ValueOf(x)
		return v, true
	case bool:
		return sqlfront.BoolValue(x), true
	case string:
		return sqlfront.StringValue(x), true
	case []byte:
		if x == nil {
			return sqlfront.Null, true
		}
		return sqlfront.BytesValue(x), true
	case json.RawMessage:
		if x == nil {
			return sqlfront.Null, true
		}
		return sqlfront.StringValue(string(x)), true
	case time.Time:
		// Microseconds, MySQL's finest precision, cut as go-sql-driver
		// does: stored and compared alike (rounding only on the store
		// side made a row unfindable by the time it was inserted with).
		return sqlfront.TimeValue(x.Truncate(time.Microsecond)), true
	case driver.Valuer:
		return sqlfront.Value{}, false // database/sql calls Value
	}
	rv := reflect.ValueOf(a)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return sqlfront.IntValue(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return sqlfront.UintValue(rv.Uint()), true
	case reflect.Float32, reflect.Float64:
		return sqlfront.FloatValue(rv.Float()), true
	case reflect.Bool:
		return sqlfront.BoolValue(rv.Bool()), true
	case reflect.String:
		return sqlfront.StringValue(rv.String()), true
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			if rv.IsNil() {
				return sqlfront.Null, true
			}
			return sqlfront.BytesValue(rv.Bytes()), true
		}
	}
	return sqlfront.Value{}, false
}

// Values out: SQL → Go.
//
//	NULL                          nil
//	integer columns, BOOL         int64; uint64 for BIGINT UNSIGNED values above MaxInt64
//	BIGINT UNSIGNED (kind uint)   uint64
//	FLOAT, DOUBLE                 float64
//	DECIMAL                       string, the exact decimal text ("12.50")
//	CHAR, VARCHAR, TEXT           string
//	JSON                          []byte (its text)
//	BINARY, VARBINARY, BLOB       []byte (a fresh slice per value)
//	BIT(n)                        []byte, (n+7)/8 bytes big-endian, as MySQL sends it (bitBytes)
//	DATE, DATETIME, TIMESTAMP     time.Time in UTC
//	TIME                          string "[-]HH:MM:SS[.ffffff]", as MySQL prints it

// valueOut converts one result value for Rows.Next. unsigned says the
// column is unsigned (kind uint): its values are all returned as uint64.
func valueOut(v sqlfront.Value, unsigned bool) driver.Value {
	switch v.K {
	case sqlfront.KindNull:
		return nil
	case sqlfront.KindInt:
		if unsigned && v.I >= 0 {
			return uint64(v.I)
		}
		return v.I
	case sqlfront.KindUint:
		return v.U
	case sqlfront.KindFloat:
		return v.F
	case sqlfront.KindDecimal, sqlfront.KindString:
		return v.S
	case sqlfront.KindBytes:
		return []byte(v.S)
	case sqlfront.KindTime:
		if v.TimeType() == sqlfront.TimeDuration {
			return formatDuration(v.Duration(), v.Fsp())
		}
		return v.T
	}
	return nil
}

// bitBytes returns an integer value of a BIT column as n bytes,
// big-endian: BIT(10) 513 is {0x02, 0x01}.
func bitBytes(v sqlfront.Value, n int) []byte {
	u := v.U
	if v.K == sqlfront.KindInt {
		u = uint64(v.I)
	}
	b := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		b[i] = byte(u)
		u >>= 8
	}
	return b
}

// formatDuration prints a TIME value as MySQL does: [-]HH:MM:SS, hours
// unbounded, with fsp fractional digits (with -1, six if the fraction is
// not zero, else none).
func formatDuration(d time.Duration, fsp int) string {
	var b []byte
	if d < 0 {
		b = append(b, '-')
		if d == math.MinInt64 {
			d = math.MaxInt64
		} else {
			d = -d
		}
	}
	h := int64(d / time.Hour)
	m := int64(d/time.Minute) % 60
	s := int64(d/time.Second) % 60
	us := int64(d%time.Second) / int64(time.Microsecond)
	if h < 10 {
		b = append(b, '0')
	}
	b = strconv.AppendInt(b, h, 10)
	b = append(b, ':', byte('0'+m/10), byte('0'+m%10), ':', byte('0'+s/10), byte('0'+s%10))
	if fsp < 0 {
		fsp = 0
		if us != 0 {
			fsp = 6
		}
	}
	if fsp > 0 {
		frac := strconv.FormatInt(us+1000000, 10)[1:] // six digits
		b = append(b, '.')
		b = append(b, frac[:fsp]...)
	}
	return string(b)
}

// The scan types ColumnTypeScanType reports.
var (
	scanInt64   = reflect.TypeFor[int64]()
	scanUint64  = reflect.TypeFor[uint64]()
	scanFloat64 = reflect.TypeFor[float64]()
	scanString  = reflect.TypeFor[string]()
	scanBytes   = reflect.TypeFor[[]byte]()
	scanTime    = reflect.TypeFor[time.Time]()
	scanAny     = reflect.TypeFor[any]()
)

// scanType returns the Go type a column's non-NULL values scan into: the
// type valueOut returns for it (string for JSON, whose values are []byte
// that scan into a string; []byte for BIT). NB: it does not depend on
// nullability; a nullable column's NULLs need a sql.Null[T], a pointer or
// an any as the Scan destination (ColumnTypeNullable tells which columns
// need one).
func scanType(c *sqlfront.ColumnInfo) reflect.Type {
	if isBitColumn(c) {
		return scanBytes
	}
	switch c.Kind {
	case sqlfront.KindInt:
		return scanInt64
	case sqlfront.KindUint:
		return scanUint64
	case sqlfront.KindFloat:
		return scanFloat64
	case sqlfront.KindDecimal, sqlfront.KindString:
		// (JSON values are []byte, but their scan type is string, as
		// go-sql-driver/mysql reports it: GORM scans a map's JSON columns
		// into the scan type, and apps expect strings there.)
		return scanString
	case sqlfront.KindBytes:
		return scanBytes
	case sqlfront.KindTime:
		if isTimeColumn(c) {
			return scanString
		}
		return scanTime
	}
	return scanAny // KindNull: a column of NULLs (SELECT NULL) has no type
}

// isJSONColumn reports whether a column holds JSON values, which are
// returned as []byte (valueOut gives their text as a string; rows.Next
// converts it), as go-sql-driver/mysql returns them: a json.RawMessage or
// a Scanner that takes only []byte must be able to scan them.
func isJSONColumn(c *sqlfront.ColumnInfo) bool {
	return c.DatabaseTypeName == "JSON"
}

// isBitColumn reports whether a column holds BIT values, integers in the
// engine, which are returned as bytes (bitBytes).
func isBitColumn(c *sqlfront.ColumnInfo) bool {
	return c.DatabaseTypeName == "BIT"
}

// bitColumnBytes returns the byte width of a BIT(n) column's values:
// (n+7)/8, and 8 if n is unknown.
func bitColumnBytes(c *sqlfront.ColumnInfo) int {
	if !c.LengthOK || c.Length < 1 || c.Length > 64 {
		return 8
	}
	return int(c.Length+7) / 8
}

// isTimeColumn reports whether a KindTime column holds TIME values, which
// are returned as strings.
func isTimeColumn(c *sqlfront.ColumnInfo) bool {
	return c.DatabaseTypeName == "TIME"
}
