package sqlfront

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/xwb1989/sqlparser"
)

// Column types used by the tests.
var (
	tInt       = ColumnType{Base: TypeInt}
	tTinyU     = ColumnType{Base: TypeTinyInt, Unsigned: true}
	tBig       = ColumnType{Base: TypeBigInt}
	tBigU      = ColumnType{Base: TypeBigInt, Unsigned: true}
	tBool      = ColumnType{Base: TypeBool}
	tYear      = ColumnType{Base: TypeYear}
	tDouble    = ColumnType{Base: TypeDouble}
	tDoubleU   = ColumnType{Base: TypeDouble, Unsigned: true}
	tFloat     = ColumnType{Base: TypeFloat}
	tFloat52   = ColumnType{Base: TypeFloat, Precision: 5, Scale: 2}
	tDec52     = ColumnType{Base: TypeDecimal, Precision: 5, Scale: 2}
	tDec52U    = ColumnType{Base: TypeDecimal, Precision: 5, Scale: 2, Unsigned: true}
	tVarchar3  = ColumnType{Base: TypeVarChar, Length: 3}
	tChar3     = ColumnType{Base: TypeChar, Length: 3}
	tTinyText  = ColumnType{Base: TypeText, Length: 255}
	tBinary3   = ColumnType{Base: TypeBinary, Length: 3}
	tVarbin2   = ColumnType{Base: TypeVarBinary, Length: 2}
	tEnum      = ColumnType{Base: TypeEnum, Elems: []string{"a", "B"}}
	tJSON      = ColumnType{Base: TypeJSON}
	tDate      = ColumnType{Base: TypeDate}
	tDatetime  = ColumnType{Base: TypeDatetime}
	tDatetime3 = ColumnType{Base: TypeDatetime, Scale: 3}
	tStamp     = ColumnType{Base: TypeTimestamp}
	tTime      = ColumnType{Base: TypeTime}
	tBit3      = ColumnType{Base: TypeBit, Unsigned: true, Length: 3}
	tBit64     = ColumnType{Base: TypeBit, Unsigned: true, Length: 64}
)

func dec(s string) Value { return Value{K: KindDecimal, S: s} }

func TestCoerce(t *testing.T) {
	tests := []struct {
		v      Value
		t      ColumnType
		want   string // describeValue of the result
		errNum uint16 // expected error number, 0 for success
	}{
		// Integers: strict mode errors, rounding half away from zero.
		{IntValue(5), tInt, "int 5", 0},
		{StringValue("12"), tInt, "int 12", 0},
		{StringValue(" 12 "), tInt, "int 12", 0},
		{StringValue("12.5"), tInt, "int 13", 0},
		{StringValue("-12.5"), tInt, "int -13", 0},
		{StringValue("1e3"), tInt, "int 1000", 0},
		{StringValue("12abc"), tInt, "", ErWarnDataTruncated},       // MySQL 8: 1265 Data truncated
		{StringValue("abc"), tInt, "", ErTruncatedWrongValueForFld}, // 1366 Incorrect integer value
		{StringValue(""), tInt, "", ErTruncatedWrongValueForFld},
		{StringValue("0x1A"), tInt, "", ErWarnDataTruncated},
		{IntValue(2147483647), tInt, "int 2147483647", 0},
		{IntValue(2147483648), tInt, "", ErWarnDataOutOfRange},
		{IntValue(-2147483649), tInt, "", ErWarnDataOutOfRange},
		{FloatValue(1.5), tInt, "int 2", 0},
		{FloatValue(-2.5), tInt, "int -3", 0},
		{FloatValue(math.NaN()), tInt, "", ErWarnDataOutOfRange},
		{dec("2.5"), tInt, "int 3", 0},
		{dec("2147483647.5"), tInt, "", ErWarnDataOutOfRange},
		{IntValue(-1), tTinyU, "", ErWarnDataOutOfRange},
		{IntValue(255), tTinyU, "int 255", 0},
		{IntValue(256), tTinyU, "", ErWarnDataOutOfRange},
		{UintValue(math.MaxUint64), tBigU, "uint 18446744073709551615", 0},
		{StringValue("18446744073709551615"), tBigU, "uint 18446744073709551615", 0},
		{StringValue("18446744073709551616"), tBigU, "", ErWarnDataOutOfRange},
		{IntValue(-1), tBigU, "", ErWarnDataOutOfRange},
		{FloatValue(1.8446744073709552e19), tBigU, "", ErWarnDataOutOfRange},
		{UintValue(1 << 63), tBig, "", ErWarnDataOutOfRange},
		{FloatValue(9.3e18), tBig, "", ErWarnDataOutOfRange},
		{FloatValue(-9.2e18), tBig, "int -9200000000000000000", 0},
		{TimeValue(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)), tBig, "int 20240102030405", 0},
		{StringValue("true"), tBool, "int 1", 0},
		{StringValue("FALSE"), tBool, "int 0", 0},
		{IntValue(1), tBool, "int 1", 0},
		{IntValue(128), tBool, "", ErWarnDataOutOfRange},
		{StringValue("yes"), tBool, "", ErTruncatedWrongValueForFld},
		// YEAR.
		{IntValue(2024), tYear, "int 2024", 0},
		{IntValue(24), tYear, "int 2024", 0},
		{IntValue(99), tYear, "int 1999", 0},
		{IntValue(0), tYear, "int 0", 0},
		{StringValue("0"), tYear, "int 2000", 0},
		{StringValue("2155"), tYear, "int 2155", 0},
		{IntValue(1900), tYear, "", ErWarnDataOutOfRange},
		{IntValue(2156), tYear, "", ErWarnDataOutOfRange},
		// Floats.
		{StringValue("1.5"), tDouble, "float 1.5", 0},
		{StringValue(" -1.5e2 "), tDouble, "float -150", 0},
		{StringValue("1.5x"), tDouble, "", ErWarnDataTruncated},
		{StringValue("x"), tDouble, "", ErWarnDataTruncated},
		{IntValue(-1), tDoubleU, "", ErWarnDataOutOfRange},
		{dec("1.25"), tDouble, "float 1.25", 0},
		{FloatValue(math.Inf(1)), tDouble, "", ErWarnDataOutOfRange},
		{FloatValue(0.1), tFloat, "float 0.1", 0},
		{FloatValue(1.0 / 3), tFloat, "float 0.33333334", 0},
		{FloatValue(3.5e38), tFloat, "", ErWarnDataOutOfRange},
		{FloatValue(123.456), tFloat52, "float 123.46", 0},
		{FloatValue(1234.5), tFloat52, "", ErWarnDataOutOfRange},
		// DECIMAL(5,2): exact, rounded half away from zero.
		{dec("1.005"), tDec52, "decimal 1.01", 0},
		{dec("-1.005"), tDec52, "decimal -1.01", 0},
		{dec("999.994"), tDec52, "decimal 999.99", 0},
		{dec("999.995"), tDec52, "", ErWarnDataOutOfRange},
		{StringValue("12.3"), tDec52, "decimal 12.30", 0},
		{StringValue(" 12.3 "), tDec52, "decimal 12.30", 0},
		{StringValue("abc"), tDec52, "", ErTruncatedWrongValueForFld},
		{StringValue("12abc"), tDec52, "", ErTruncatedWrongValueForFld},
		{FloatValue(1.5), tDec52, "decimal 1.50", 0},
		{IntValue(12), tDec52, "decimal 12.00", 0},
		{IntValue(1000), tDec52, "", ErWarnDataOutOfRange},
		{IntValue(-1), tDec52U, "", ErWarnDataOutOfRange},
		{dec("0"), tDec52U, "decimal 0.00", 0},
		{UintValue(math.MaxUint64), ColumnType{Base: TypeDecimal, Precision: 20}, "decimal 18446744073709551615", 0},
		{StringValue("1e100"), ColumnType{Base: TypeDecimal, Precision: 65}, "", ErWarnDataOutOfRange},
		// Strings: length in characters; trailing spaces cut silently.
		{StringValue("abc"), tVarchar3, `string "abc"`, 0},
		{StringValue("abcd"), tVarchar3, "", ErDataTooLong},
		{StringValue("ab    "), tVarchar3, `string "ab "`, 0},
		{StringValue("héé"), tVarchar3, `string "héé"`, 0},
		{IntValue(123), tVarchar3, `string "123"`, 0},
		{IntValue(1234), tVarchar3, "", ErDataTooLong},
		{dec("1.5"), tVarchar3, `string "1.5"`, 0},
		{BytesValue([]byte("\xff")), tVarchar3, "", ErTruncatedWrongValueForFld},
		{BytesValue([]byte("ab")), tVarchar3, `string "ab"`, 0},
		{StringValue("ab "), tChar3, `string "ab"`, 0},
		{StringValue("abc  "), tChar3, `string "abc"`, 0},
		{StringValue(strings.Repeat("x", 255)), tTinyText, `string "` + strings.Repeat("x", 255) + `"`, 0},
		{StringValue(strings.Repeat("x", 256)), tTinyText, "", ErDataTooLong},
		{StringValue("a"), tBinary3, `bytes "a\x00\x00"`, 0},
		{StringValue("abcd"), tBinary3, "", ErDataTooLong},
		{StringValue("abc"), tVarbin2, "", ErDataTooLong},
		{StringValue("ab"), tVarbin2, `bytes "ab"`, 0},
		// ENUM: by name (case-insensitive) or 1-based index.
		{StringValue("A"), tEnum, `string "a"`, 0},
		{StringValue("b "), tEnum, `string "B"`, 0},
		{IntValue(2), tEnum, `string "B"`, 0},
		{StringValue("c"), tEnum, "", ErWarnDataTruncated},
		{IntValue(0), tEnum, "", ErWarnDataTruncated},
		{IntValue(3), tEnum, "", ErWarnDataTruncated},
		// JSON.
		{StringValue(`{"a":1}`), tJSON, `string "{\"a\": 1}"`, 0},
		{StringValue(`{bad`), tJSON, "", ErInvalidJSONText},
		{IntValue(5), tJSON, `string "5"`, 0},
		// BIT(n): numbers (integers as two's complement), strings and
		// literals as big-endian bytes; more than n bits is 1406.
		{IntValue(5), tBit3, "int 5", 0},
		{IntValue(8), tBit3, "", ErDataTooLong},
		{IntValue(-1), tBit3, "", ErDataTooLong},
		{IntValue(-1), tBit64, "uint 18446744073709551615", 0},
		{UintValue(1 << 63), tBit64, "uint 9223372036854775808", 0},
		{dec("2.5"), tBit3, "int 3", 0},
		{dec("-2"), tBit3, "", ErWarnDataOutOfRange},
		{FloatValue(7.9), tBit3, "int 7", 0},
		{FloatValue(-1), tBit64, "uint 18446744073709551615", 0},
		{StringValue("\x07"), tBit3, "int 7", 0},
		{StringValue("1"), tBit3, "", ErDataTooLong},
		{StringValue(""), tBit3, "int 0", 0},
		{BytesValue([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 6}), tBit3, "int 6", 0},
		{BytesValue([]byte("123456789")), tBit64, "", ErDataTooLong},
		{hexLiteral("\x00\x06", UintValue(6)), tBit3, "int 6", 0},
		// Dates and times.
		{StringValue("2024-01-15"), tDate, "date 2024-01-15", 0},
		{StringValue("2024-01-15 10:30:45"), tDate, "date 2024-01-15", 0},
		{StringValue("2024-02-30"), tDate, "", ErTruncatedWrongValue},
		{StringValue("2024-00-10"), tDate, "", ErTruncatedWrongValue},
		{StringValue("x"), tDate, "", ErTruncatedWrongValue},
		{IntValue(20240115), tDate, "date 2024-01-15", 0},
		{TimeValue(time.Date(2024, 1, 15, 23, 0, 0, 0, time.UTC)), tDate, "date 2024-01-15", 0},
		{StringValue("2024-01-15 10:30:45.6"), tDatetime, "datetime 2024-01-15 10:30:46", 0},
		{StringValue("2024-01-15T10:30:45Z"), tDatetime, "datetime 2024-01-15 10:30:45", 0},
		{StringValue("2024-01-15T10:30:45+02:00"), tDatetime, "datetime 2024-01-15 08:30:45", 0},
		{StringValue("2024-01-15"), tDatetime, "datetime 2024-01-15 00:00:00", 0},
		{StringValue("20240115103045"), tDatetime, "datetime 2024-01-15 10:30:45", 0},
		{StringValue("240115"), tDatetime, "datetime 2024-01-15 00:00:00", 0},
		{StringValue("2024/1/5 7:08:09"), tDatetime, "datetime 2024-01-05 07:08:09", 0},
		{StringValue("2024-01-15 24:00:00"), tDatetime, "", ErTruncatedWrongValue},
		{IntValue(20240115103045), tDatetime, "datetime 2024-01-15 10:30:45", 0},
		{TimeValue(time.Date(2024, 1, 15, 10, 30, 45, 500_000_000, time.FixedZone("x", 3600))), tDatetime, "datetime 2024-01-15 09:30:46", 0},
		{StringValue("2024-01-15 10:30:45.123456"), tDatetime3, "datetime 2024-01-15 10:30:45.123", 0},
		{StringValue("2024-01-15 10:30:45.9995"), tDatetime3, "datetime 2024-01-15 10:30:46.000", 0},
		{StringValue("1969-12-31 23:59:59"), tStamp, "", ErTruncatedWrongValue},
		{StringValue("1970-01-01 00:00:01"), tStamp, "datetime 1970-01-01 00:00:01", 0},
		{StringValue("2038-01-19 03:14:07"), tStamp, "datetime 2038-01-19 03:14:07", 0},
		{StringValue("2038-01-19 03:14:08"), tStamp, "", ErTruncatedWrongValue},
		{StringValue("9999-12-31 23:59:59.9"), tDatetime, "", ErTruncatedWrongValue},
		{StringValue("10:30"), tTime, "time 10:30:00", 0},
		{StringValue("-01:00:00"), tTime, "time -01:00:00", 0},
		{StringValue("1 02:00:00"), tTime, "time 26:00:00", 0},
		{StringValue("838:59:59"), tTime, "time 838:59:59", 0},
		{StringValue("839:00:00"), tTime, "", ErTruncatedWrongValue},
		{StringValue("10:61:00"), tTime, "", ErTruncatedWrongValue},
		{IntValue(103000), tTime, "time 10:30:00", 0},
		{StringValue("2024-01-15 10:30:45"), tTime, "time 10:30:45", 0},
		// NULL and untyped columns pass through.
		{Null, tInt, "NULL", 0},
		{Null, tDate, "NULL", 0},
		{StringValue("x"), ColumnType{}, `string "x"`, 0},
	}
	for _, tc := range tests {
		got, err := Coerce(tc.v, tc.t)
		if tc.errNum != 0 {
			var se *SQLError
			if !errors.As(err, &se) || se.Number != tc.errNum {
				t.Errorf("Coerce(%s, %s) = %s, %v; want error %d", describeValue(tc.v), tc.t, describeValue(got), err, tc.errNum)
			}
			continue
		}
		if err != nil || describeValue(got) != tc.want {
			t.Errorf("Coerce(%s, %s) = %s, %v; want %s", describeValue(tc.v), tc.t, describeValue(got), err, tc.want)
		}
	}
}

func TestCoerceColumnMessages(t *testing.T) {
	tests := []struct {
		v    Value
		t    ColumnType
		want string
	}{
		{IntValue(300), ColumnType{Base: TypeTinyInt}, "Error 1264 (22003): Out of range value for column 'c' at row 2"},
		{StringValue("abcd"), tVarchar3, "Error 1406 (22001): Data too long for column 'c' at row 2"},
		{StringValue("abc"), tInt, "Error 1366 (HY000): Incorrect integer value: 'abc' for column 'c' at row 2"},
		{StringValue("12abc"), tInt, "Error 1265 (01000): Data truncated for column 'c' at row 2"},
		{StringValue("x"), tDatetime, "Error 1292 (22007): Incorrect datetime value: 'x' for column 'c' at row 2"},
		{StringValue("x"), tDate, "Error 1292 (22007): Incorrect date value: 'x' for column 'c' at row 2"},
		{BytesValue([]byte("a\xff")), tVarchar3, "Error 1366 (HY000): Incorrect string value: 'a\\xFF' for column 'c' at row 2"},
	}
	for _, tc := range tests {
		_, err := CoerceColumn(tc.v, tc.t, "c", 2)
		if err == nil || err.Error() != tc.want {
			t.Errorf("CoerceColumn(%s, %s) error = %v; want %s", describeValue(tc.v), tc.t, err, tc.want)
		}
	}
	_, err := Coerce(IntValue(300), ColumnType{Base: TypeTinyInt})
	if !errors.Is(err, &SQLError{Number: ErWarnDataOutOfRange}) {
		t.Errorf("errors.Is(%v, 1264) is false", err)
	}
	if errors.Is(err, &SQLError{Number: ErDataTooLong}) {
		t.Errorf("errors.Is(%v, 1406) is true", err)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		v    Value
		want string
	}{
		{Null, "NULL"},
		{IntValue(-42), "-42"},
		{UintValue(math.MaxUint64), "18446744073709551615"},
		{FloatValue(0), "0"},
		{FloatValue(math.Copysign(0, -1)), "-0"},
		{FloatValue(1), "1"},
		{FloatValue(100), "100"},
		{FloatValue(-1.5), "-1.5"},
		{FloatValue(0.1), "0.1"},
		{FloatValue(0.30000000000000004), "0.30000000000000004"},
		{FloatValue(1e14), "100000000000000"},
		{FloatValue(1e15), "1e15"},
		{FloatValue(123456789012345.6), "123456789012345.6"},
		{FloatValue(1234567890123456.7), "1234567890123456.8"},
		{FloatValue(1.2345678901234568e20), "1.2345678901234568e20"},
		{FloatValue(0.0001), "0.0001"},
		{FloatValue(1e-15), "0.000000000000001"},
		{FloatValue(1e-16), "1e-16"},
		{FloatValue(-1.5e-20), "-1.5e-20"},
		{FloatValue(1.7976931348623157e308), "1.7976931348623157e308"},
		{dec("-12.50"), "-12.50"},
		{StringValue("x"), "x"},
		{DateValue(time.Date(2024, 2, 29, 13, 0, 0, 0, time.UTC)), "2024-02-29"},
		{DateValue(time.Date(33, 2, 1, 0, 0, 0, 0, time.UTC)), "0033-02-01"},
		{DatetimeValue(time.Date(2024, 2, 29, 13, 1, 2, 123456789, time.UTC), 0), "2024-02-29 13:01:02"},
		{DatetimeValue(time.Date(2024, 2, 29, 13, 1, 2, 123456789, time.UTC), 3), "2024-02-29 13:01:02.123"},
		{DatetimeValue(time.Date(2024, 2, 29, 13, 1, 2, 123456789, time.UTC), 6), "2024-02-29 13:01:02.123457"},
		{TimeValue(time.Date(2024, 2, 29, 13, 1, 2, 0, time.UTC)), "2024-02-29 13:01:02"},
		{TimeValue(time.Date(2024, 2, 29, 13, 1, 2, 5000, time.UTC)), "2024-02-29 13:01:02.000005"},
		{DurationValue(-(100*time.Hour + 2*time.Minute + 3*time.Second), 0), "-100:02:03"},
		{DurationValue(time.Second+time.Millisecond, 2), "00:00:01.00"},
	}
	for _, tc := range tests {
		if got := Format(tc.v); got != tc.want {
			t.Errorf("Format(%#v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestMySQLTypeName(t *testing.T) {
	tests := []struct {
		t    ColumnType
		want string
	}{
		{ColumnType{Base: TypeBigInt}, "BIGINT"},
		{ColumnType{Base: TypeBigInt, Unsigned: true}, "UNSIGNED BIGINT"},
		{tBit3, "BIT"},
		{ColumnType{Base: TypeInt}, "INT"},
		{ColumnType{Base: TypeInt, Unsigned: true}, "UNSIGNED INT"},
		{ColumnType{Base: TypeTinyInt}, "TINYINT"},
		{ColumnType{Base: TypeBool}, "TINYINT"},
		{ColumnType{Base: TypeMediumInt, Unsigned: true}, "MEDIUMINT"},
		{ColumnType{Base: TypeSmallInt, Unsigned: true}, "UNSIGNED SMALLINT"},
		{ColumnType{Base: TypeDecimal}, "DECIMAL"},
		{ColumnType{Base: TypeFloat}, "FLOAT"},
		{ColumnType{Base: TypeDouble}, "DOUBLE"},
		{ColumnType{Base: TypeVarChar, Length: 10}, "VARCHAR"},
		{ColumnType{Base: TypeChar}, "CHAR"},
		{ColumnType{Base: TypeEnum}, "ENUM"},
		{ColumnType{Base: TypeText, Length: 16777215}, "TEXT"},
		{ColumnType{Base: TypeBlob}, "BLOB"},
		{ColumnType{Base: TypeBinary}, "BINARY"},
		{ColumnType{Base: TypeVarBinary}, "VARBINARY"},
		{ColumnType{Base: TypeJSON}, "JSON"},
		{ColumnType{Base: TypeDate}, "DATE"},
		{ColumnType{Base: TypeDatetime}, "DATETIME"},
		{ColumnType{Base: TypeTimestamp}, "TIMESTAMP"},
		{ColumnType{Base: TypeTime}, "TIME"},
		{ColumnType{Base: TypeYear}, "YEAR"},
	}
	for _, tc := range tests {
		if got := MySQLTypeName(tc.t); got != tc.want {
			t.Errorf("MySQLTypeName(%s) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestParseColumnType(t *testing.T) {
	tests := []struct {
		ddl    string
		want   string // ColumnType.String()
		errNum uint16
	}{
		{"int", "int", 0},
		{"INTEGER UNSIGNED", "int unsigned", 0},
		{"bigint(20) unsigned", "bigint unsigned", 0},
		{"tinyint(1)", "tinyint", 0},
		{"decimal", "decimal(10,0)", 0},
		{"decimal(12,3)", "decimal(12,3)", 0},
		{"numeric(5)", "decimal(5,0)", 0},
		{"decimal(66,2)", "", 1426},
		{"decimal(10,31)", "", 1425},
		{"decimal(2,3)", "", 1427},
		{"float", "float", 0},
		{"float(7,3)", "float(7,3)", 0},
		{"double", "double", 0},
		{"real", "double", 0},
		{"varchar(20)", "varchar(20)", 0},
		{"varchar(20000)", "", 1074},
		{"char", "char(1)", 0},
		{"char(300)", "", 1074},
		{"binary(4)", "binary(4)", 0},
		{"varbinary(10)", "varbinary(10)", 0},
		{"text", "text", 0},
		{"tinytext", "tinytext", 0},
		{"mediumtext", "mediumtext", 0},
		{"longblob", "longblob", 0},
		{"enum('a','b c')", "enum('a','b c')", 0},
		{"json", "json", 0},
		{"date", "date", 0},
		{"datetime", "datetime", 0},
		{"datetime(6)", "datetime(6)", 0},
		{"timestamp(3)", "timestamp(3)", 0},
		{"time", "time", 0},
		{"time(7)", "", 1426},
		{"year", "year", 0},
		{"bit(8)", "bit(8)", 0},
		{"bit", "bit(1)", 0},
		{"bit(65)", "", ErTooBigDisplayWidth},
	}
	for _, tc := range tests {
		st, err := sqlparser.Parse("create table t (c " + tc.ddl + ")")
		if err != nil {
			t.Errorf("%s: %v", tc.ddl, err)
			continue
		}
		ct, err := ParseColumnType(&st.(*sqlparser.DDL).TableSpec.Columns[0].Type, "c")
		if tc.errNum != 0 {
			var se *SQLError
			if !errors.As(err, &se) || se.Number != tc.errNum {
				t.Errorf("%s: got %v, %v; want error %d", tc.ddl, ct, err, tc.errNum)
			}
			continue
		}
		if err != nil || ct.String() != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.ddl, ct.String(), err, tc.want)
		}
	}
}

func TestGoValues(t *testing.T) {
	tm := time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	for _, x := range []any{nil, int64(-1), int(2), uint64(math.MaxUint64), uint8(3), 1.5, float32(0.1), true, []byte("ab"), "s", tm} {
		v, err := ValueOf(x)
		if err != nil {
			t.Fatalf("ValueOf(%#v): %v", x, err)
		}
		g := GoValue(v)
		switch x := x.(type) {
		case int:
			if g != int64(x) {
				t.Errorf("round trip %#v → %#v", x, g)
			}
		case uint8:
			if g != int64(x) {
				t.Errorf("round trip %#v → %#v", x, g)
			}
		case float32:
			if g != 0.1 {
				t.Errorf("float32 0.1 → %#v", g)
			}
		case bool:
			if g != int64(1) {
				t.Errorf("true → %#v", g)
			}
		case []byte:
			if string(g.([]byte)) != string(x) {
				t.Errorf("bytes → %#v", g)
			}
		case time.Time:
			if !g.(time.Time).Equal(x) || g.(time.Time).Location() != time.UTC {
				t.Errorf("time → %#v", g)
			}
		default:
			if g != x {
				t.Errorf("round trip %#v → %#v", x, g)
			}
		}
	}
	if _, err := ValueOf(struct{}{}); err == nil {
		t.Error("ValueOf(struct{}{}) succeeded")
	}
}
