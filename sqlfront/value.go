package sqlfront

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xwb1989/sqlparser"
)

// Kind is the dynamic type of a Value.
type Kind uint8

// The kinds of SQL values. The order matters nowhere; comparisons go through
// Compare.
const (
	KindNull    Kind = iota // SQL NULL
	KindInt                 // signed 64-bit integer (all signed integer columns, BOOL)
	KindUint                // unsigned 64-bit integer (BIGINT UNSIGNED values above MaxInt64 only; smaller ones are KindInt)
	KindFloat               // FLOAT / DOUBLE
	KindDecimal             // DECIMAL: exact, kept as its canonical decimal text in S ("-12.50")
	KindString              // CHAR / VARCHAR / TEXT / JSON
	KindBytes               // BLOB / VARBINARY (bytes in S)
	KindTime                // DATE / DATETIME / TIMESTAMP, in UTC
)

// Value is one SQL value. The zero Value is NULL. Exactly the field named by
// K is meaningful: I for KindInt, U for KindUint, F for KindFloat, S for
// KindDecimal, KindString and KindBytes, T for KindTime. (A KindTime value
// also keeps display metadata in I: see TimeType. A KindString value read
// from an ENUM column keeps the member's 1-based index in I, one from a SET
// column the bit mask of its members, which it is in numeric context and
// in ORDER BY, as in MySQL: see enumIndexOf.)
type Value struct {
	K Kind
	// C is the collation class of a KindString value read from a column
	// with a non-default collation or given by COLLATE (collation.go);
	// 0 (CollDefault) otherwise. Other kinds ignore it. Not persisted:
	// the catalog's JSON of values (columnDesc.Fill) omits it.
	C Collation `json:"-"`
	I int64
	U uint64
	F float64
	S string
	T time.Time
}

// Null is the SQL NULL value.
var Null = Value{}

// IntValue returns a KindInt value.
func IntValue(i int64) Value { return Value{K: KindInt, I: i} }

// UintValue returns an unsigned value, as KindInt when it fits.
func UintValue(u uint64) Value {
	if u <= 1<<63-1 {
		return Value{K: KindInt, I: int64(u)}
	}
	return Value{K: KindUint, U: u}
}

// FloatValue returns a KindFloat value.
func FloatValue(f float64) Value { return Value{K: KindFloat, F: f} }

// StringValue returns a KindString value.
func StringValue(s string) Value { return Value{K: KindString, S: s} }

// BytesValue returns a KindBytes value (the bytes are copied).
func BytesValue(b []byte) Value { return Value{K: KindBytes, S: string(b)} }

// TimeValue returns a KindTime value in UTC.
func TimeValue(t time.Time) Value { return Value{K: KindTime, T: t.UTC()} }

// IsNull reports whether v is SQL NULL.
func (v Value) IsNull() bool { return v.K == KindNull }

// String returns the kind's name ("int", "decimal", ...), for messages and
// test output.
func (k Kind) String() string {
	switch k {
	case KindNull:
		return "null"
	case KindInt:
		return "int"
	case KindUint:
		return "uint"
	case KindFloat:
		return "float"
	case KindDecimal:
		return "decimal"
	case KindString:
		return "string"
	case KindBytes:
		return "bytes"
	case KindTime:
		return "time"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// BoolValue returns 1 or 0 as a KindInt value: MySQL has no boolean type,
// and comparisons and logical operators yield these.
func BoolValue(b bool) Value {
	if b {
		return Value{K: KindInt, I: 1}
	}
	return Value{K: KindInt, I: 0}
}

// DecimalValue returns a KindDecimal value holding d's canonical text.
func DecimalValue(d Decimal) Value { return Value{K: KindDecimal, S: d.String()} }

// --- Time values -------------------------------------------------------------
//
// A KindTime value keeps the instant in T (always UTC) and, in I, how it is
// displayed: which SQL type it has (DATETIME/TIMESTAMP, DATE or TIME) and
// its fractional-seconds precision. I is ignored by Compare and GroupKey; it
// only matters to Format and to the row encoding (which keeps it).
//
//	I = TimeType | (fsp+1) << 8     fsp+1 == 0 means "unspecified"
//
// The zero I, as set by TimeValue, is a DATETIME whose fraction is printed
// with 6 digits when it is not zero. A TIME value (a signed duration, MySQL
// range ±838:59:59.999999) is stored as durationEpoch + duration, so that
// comparing T orders durations correctly.

// TimeType is the SQL type of a KindTime value (stored in Value.I).
type TimeType uint8

// The time types.
const (
	TimeDatetime TimeType = iota // DATETIME and TIMESTAMP: 'YYYY-MM-DD HH:MM:SS[.ffffff]'
	TimeDate                     // DATE: 'YYYY-MM-DD'; T is midnight UTC
	TimeDuration                 // TIME: '[-]HH:MM:SS[.ffffff]'; T - durationEpoch is the duration
)

// durationEpoch is the zero of TIME values: a TIME value's T is
// durationEpoch.Add(d). NB: stable on disk (rows store T).
var durationEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// timeMeta packs a TimeType and an fsp (-1 for unspecified) into Value.I.
func timeMeta(tt TimeType, fsp int) int64 {
	if fsp < -1 || fsp > 6 {
		fsp = -1
	}
	return int64(tt) | int64(fsp+1)<<8
}

// DateValue returns a DATE value: t's UTC calendar date at midnight UTC.
func DateValue(t time.Time) Value {
	y, m, d := t.UTC().Date()
	return Value{K: KindTime, T: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), I: timeMeta(TimeDate, 0)}
}

// DatetimeValue returns a DATETIME value of t (in UTC) rounded, as MySQL
// does, to fsp fractional digits (0-6) and displayed with fsp digits.
func DatetimeValue(t time.Time, fsp int) Value {
	fsp = clampFsp(fsp)
	return Value{K: KindTime, T: roundTime(t.UTC(), fsp), I: timeMeta(TimeDatetime, fsp)}
}

// DurationValue returns a TIME value of d rounded to fsp fractional digits
// (0-6). The caller checks MySQL's range (±838:59:59.999999) if it matters.
func DurationValue(d time.Duration, fsp int) Value {
	fsp = clampFsp(fsp)
	return Value{K: KindTime, T: roundTime(durationEpoch.Add(d), fsp), I: timeMeta(TimeDuration, fsp)}
}

// TimeType returns the SQL type of a KindTime value (TimeDatetime for other
// kinds).
func (v Value) TimeType() TimeType {
	if v.K != KindTime {
		return TimeDatetime
	}
	return TimeType(v.I & 0xff)
}

// Fsp returns the fractional-seconds precision a KindTime value is
// displayed with, or -1 if unspecified (6 digits when the fraction is not
// zero, else none).
func (v Value) Fsp() int {
	if v.K != KindTime {
		return -1
	}
	return int(v.I>>8&0xff) - 1
}

// Duration returns the duration of a TIME value (T - durationEpoch).
func (v Value) Duration() time.Duration { return v.T.Sub(durationEpoch) }

// clampFsp limits a fractional-seconds precision to 0..6.
func clampFsp(fsp int) int { return min(max(fsp, 0), 6) }

// roundTime rounds t to fsp fractional digits, half up (MySQL's default;
// TIME_TRUNCATE_FRACTIONAL is not supported).
func roundTime(t time.Time, fsp int) time.Time {
	unit := time.Duration(pow10int64[9-fsp])
	return t.Round(unit)
}

// --- Errors ------------------------------------------------------------------

// SQLError is an error with a MySQL error number and SQLSTATE. The engine
// and the driver use it for every error a MySQL server would report with a
// number, so that clients can test err.(*SQLError).Number, or
// errors.Is(err, &SQLError{Number: ErDupEntry}).
type SQLError struct {
	Number uint16 // MySQL error number, e.g. ErDupEntry (1062)
	State  string // SQLSTATE, five characters, e.g. "23000"
	Msg    string // the message, without number or state
}

// Error formats the error like go-sql-driver/mysql's MySQLError:
// "Error 1062 (23000): Duplicate entry '1' for key 't.PRIMARY'".
func (e *SQLError) Error() string {
	return "Error " + strconv.Itoa(int(e.Number)) + " (" + e.State + "): " + e.Msg
}

// Is reports whether target is an *SQLError with the same Number, so that
// errors.Is(err, &SQLError{Number: ErDataTooLong}) matches any 1406 error.
func (e *SQLError) Is(target error) bool {
	t, ok := target.(*SQLError)
	return ok && t.Number == e.Number
}

// NewSQLError returns an *SQLError with the given number, the SQLSTATE
// MySQL uses for it (HY000 if unknown here) and a formatted message.
func NewSQLError(number uint16, format string, args ...any) *SQLError {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &SQLError{Number: number, State: SQLState(number), Msg: msg}
}

// MySQL error numbers used by bxdb. The names follow MySQL's ER_ constants.
const (
	ErDupEntry                     uint16 = 1062 // 23000 Duplicate entry '%s' for key '%s'
	ErBadNull                      uint16 = 1048 // 23000 Column '%s' cannot be null
	ErNonUniq                      uint16 = 1052 // 23000 Column '%s' in %s is ambiguous
	ErBadField                     uint16 = 1054 // 42S22 Unknown column '%s' in '%s'
	ErParse                        uint16 = 1064 // 42000 You have an error in your SQL syntax; ...
	ErInvalidGroupFuncUse          uint16 = 1111 // HY000 Invalid use of group function
	ErWrongValueCountOnRow         uint16 = 1136 // 21S01 Column count doesn't match value count at row %d
	ErNoSuchTable                  uint16 = 1146 // 42S02 Table '%s' doesn't exist
	ErWrongArguments               uint16 = 1210 // HY000 Incorrect arguments to %s
	ErWrongTypeForVar              uint16 = 1232 // 42000 Incorrect argument type to variable '%s'
	ErWindowRangeFrameOrderType    uint16 = 3587 // HY000 RANGE N PRECEDING/FOLLOWING needs one numeric or temporal ORDER BY
	ErWindowRangeFrameTemporalType uint16 = 3588 // HY000 RANGE frame over a temporal ORDER BY: only INTERVAL offsets
	ErWindowRangeFrameNumericType  uint16 = 3589 // HY000 RANGE frame over a numeric ORDER BY: no INTERVAL offsets
	ErWindowRangeBoundNotConstant  uint16 = 3590 // HY000 non-constant frame bound
	ErNotSupportedYet              uint16 = 1235 // 42000 This version of MySQL doesn't yet support '%s'
	ErOperandColumns               uint16 = 1241 // 21000 Operand should contain %d column(s)
	ErSubqueryNo1Row               uint16 = 1242 // 21000 Subquery returns more than 1 row
	ErWarnDataOutOfRange           uint16 = 1264 // 22003 Out of range value for column '%s' at row %d
	ErWarnDataTruncated            uint16 = 1265 // 01000 Data truncated for column '%s' at row %d
	ErTruncatedWrongValue          uint16 = 1292 // 22007 Incorrect %s value: '%s' (for column '%s' at row %d)
	ErSPDoesNotExist               uint16 = 1305 // 42000 FUNCTION %s does not exist
	ErDivisionByZero               uint16 = 1365 // 22012 Division by 0
	ErTruncatedWrongValueForFld    uint16 = 1366 // HY000 Incorrect %s value: '%s' for column '%s' at row %d
	ErDataTooLong                  uint16 = 1406 // 22001 Data too long for column '%s' at row %d
	ErWrongParamcountToNativeFct   uint16 = 1582 // 42000 Incorrect parameter count in the call to native function '%s'
	ErDataOutOfRange               uint16 = 1690 // 22003 %s value is out of range in '%s'
	ErInvalidJSONText              uint16 = 3140 // 22032 Invalid JSON text: "%s" at position %d in value for column '%s'.
	ErUnknownCharset               uint16 = 1115 // 42000 Unknown character set: '%s'
	ErCollationCharsetMismatch     uint16 = 1253 // 42000 COLLATION '%s' is not valid for CHARACTER SET '%s'
	ErUnknownCollation             uint16 = 1273 // HY000 Unknown collation: '%s'
)

// sqlStates maps the error numbers above to their SQLSTATE.
var sqlStates = map[uint16]string{
	ErDupEntry:                     "23000",
	ErBadNull:                      "23000",
	ErNonUniq:                      "23000",
	ErBadField:                     "42S22",
	ErParse:                        "42000",
	ErInvalidGroupFuncUse:          "HY000",
	ErWrongValueCountOnRow:         "21S01",
	ErNoSuchTable:                  "42S02",
	ErWrongArguments:               "HY000",
	ErWrongTypeForVar:              "42000",
	ErWindowRangeFrameOrderType:    "HY000",
	ErWindowRangeFrameTemporalType: "HY000",
	ErWindowRangeFrameNumericType:  "HY000",
	ErWindowRangeBoundNotConstant:  "HY000",
	ErNotSupportedYet:              "42000",
	ErOperandColumns:               "21000",
	ErSubqueryNo1Row:               "21000",
	ErWarnDataOutOfRange:           "22003",
	ErWarnDataTruncated:            "01000",
	ErTruncatedWrongValue:          "22007",
	ErSPDoesNotExist:               "42000",
	ErDivisionByZero:               "22012",
	ErTruncatedWrongValueForFld:    "HY000",
	ErDataTooLong:                  "22001",
	ErWrongParamcountToNativeFct:   "42000",
	ErDataOutOfRange:               "22003",
	ErInvalidJSONText:              "22032",
	ErUnknownCharset:               "42000",
	ErCollationCharsetMismatch:     "42000",
	ErUnknownCollation:             "HY000",
}

// SQLState returns the SQLSTATE MySQL reports with an error number, HY000
// for numbers this package does not know.
func SQLState(number uint16) string {
	if s, ok := sqlStates[number]; ok {
		return s
	}
	return "HY000"
}

// ErrUnknownColumn returns error 1054 "Unknown column 'name' in 'clause'"
// (clause is e.g. "field list", "where clause", "order clause").
func ErrUnknownColumn(name, clause string) *SQLError {
	return NewSQLError(ErBadField, "Unknown column '%s' in '%s'", name, clause)
}

// ErrAmbiguousColumn returns error 1052 "Column 'name' in clause is
// ambiguous" (clause is e.g. "field list", "where clause").
func ErrAmbiguousColumn(name, clause string) *SQLError {
	return NewSQLError(ErNonUniq, "Column '%s' in %s is ambiguous", name, clause)
}

// ErrUnknownFunction returns error 1305 "FUNCTION name does not exist".
func ErrUnknownFunction(name string) *SQLError {
	return NewSQLError(ErSPDoesNotExist, "FUNCTION %s does not exist", name)
}

// ErrInvalidGroupFunc returns error 1111 "Invalid use of group function",
// for aggregates where none is allowed (WHERE, nested aggregates).
func ErrInvalidGroupFunc() *SQLError {
	return NewSQLError(ErInvalidGroupFuncUse, "Invalid use of group function")
}

// ErrCorrupt is returned (wrapped) by DecodeRow and DecodeKey when the
// input is not a valid encoding: bad data, as opposed to bad use.
var ErrCorrupt = errors.New("sqlfront: corrupt encoding")

// --- Column types ------------------------------------------------------------

// BaseType is the SQL type of a column, without its parameters.
type BaseType uint8

// The column base types. TypeAny, the zero value, is "no declared type":
// Coerce returns values unchanged.
const (
	TypeAny       BaseType = iota
	TypeTinyInt            // TINYINT: KindInt
	TypeSmallInt           // SMALLINT: KindInt
	TypeMediumInt          // MEDIUMINT: KindInt
	TypeInt                // INT, INTEGER: KindInt
	TypeBigInt             // BIGINT: KindInt (BIGINT UNSIGNED above MaxInt64: KindUint)
	TypeBool               // BOOL, BOOLEAN = TINYINT(1): KindInt
	TypeYear               // YEAR: KindInt 0 or 1901..2155
	TypeFloat              // FLOAT (single precision): KindFloat
	TypeDouble             // DOUBLE, REAL: KindFloat
	TypeDecimal            // DECIMAL(P,S), NUMERIC: KindDecimal with exactly S digits after the point
	TypeChar               // CHAR(n): KindString, trailing spaces removed
	TypeVarChar            // VARCHAR(n): KindString
	TypeText               // TINYTEXT, TEXT, MEDIUMTEXT, LONGTEXT: KindString
	TypeEnum               // ENUM(...): KindString holding the member's declared spelling
	TypeJSON               // JSON: KindString holding valid JSON text (not normalized)
	TypeBinary             // BINARY(n): KindBytes, zero-padded to n bytes
	TypeVarBinary          // VARBINARY(n): KindBytes
	TypeBlob               // TINYBLOB, BLOB, MEDIUMBLOB, LONGBLOB: KindBytes
	TypeDate               // DATE: KindTime (TimeDate)
	TypeDatetime           // DATETIME(fsp): KindTime (TimeDatetime)
	TypeTimestamp          // TIMESTAMP(fsp): KindTime (TimeDatetime), 1970-01-01 00:00:01 .. 2038-01-19 03:14:07 UTC
	TypeTime               // TIME(fsp): KindTime (TimeDuration), ±838:59:59
	TypeSet                // SET(...): KindString holding the members set, in declaration order, comma-separated
	TypeBit                // BIT(n), 1 <= n <= 64 (Length): KindInt below 2^63, else KindUint; Unsigned, as MySQL flags it
)

// ColumnType is a column's SQL type with its parameters.
type ColumnType struct {
	Base     BaseType
	Unsigned bool // integers, FLOAT, DOUBLE, DECIMAL: negative values are out of range
	// Length is the maximum length: in characters for CHAR and VARCHAR, in
	// bytes for BINARY, VARBINARY, TEXT and BLOB (0 means 65535 for TEXT and
	// BLOB: TINYTEXT is 255, MEDIUMTEXT 16777215, LONGTEXT 4294967295). For
	// integers it is the ignored display width.
	Length int
	// Precision is DECIMAL's P (0 means 10) or FLOAT/DOUBLE's M (0: none).
	Precision int
	// Scale is DECIMAL's S or FLOAT/DOUBLE's D (values are rounded to it
	// when Precision > 0), or the fractional seconds precision (0-6) of
	// DATETIME, TIMESTAMP and TIME.
	Scale int
	// Elems are ENUM's members in declaration order (index 1 is Elems[0]).
	Elems []string
	// Collation is the collation of CHAR, VARCHAR, TEXT and ENUM
	// (normalized, collation.go); "" is utf8mb4_0900_ai_ci.
	Collation string
}

// Kind returns the kind of the values Coerce produces for t (KindNull for
// TypeAny). NB: BIGINT UNSIGNED values above MaxInt64 are KindUint.
func (t ColumnType) Kind() Kind {
	switch t.Base {
	case TypeTinyInt, TypeSmallInt, TypeMediumInt, TypeInt, TypeBigInt, TypeBool, TypeYear, TypeBit:
		return KindInt
	case TypeFloat, TypeDouble:
		return KindFloat
	case TypeDecimal:
		return KindDecimal
	case TypeChar, TypeVarChar, TypeText, TypeEnum, TypeSet, TypeJSON:
		return KindString
	case TypeBinary, TypeVarBinary, TypeBlob:
		return KindBytes
	case TypeDate, TypeDatetime, TypeTimestamp, TypeTime:
		return KindTime
	}
	return KindNull
}

// IsInteger reports whether t is an integer type (incl. BOOL, YEAR and
// BIT).
func (t ColumnType) IsInteger() bool { return t.Kind() == KindInt }

// IsString reports whether t holds character strings compared with the
// case-insensitive collation (CHAR, VARCHAR, TEXT, ENUM, JSON).
func (t ColumnType) IsString() bool { return t.Kind() == KindString }

// decimalPS returns DECIMAL's precision and scale with defaults applied.
func (t ColumnType) decimalPS() (int, int) {
	p := t.Precision
	if p <= 0 {
		p = 10
	}
	return min(p, MaxDecimalPrecision), min(max(t.Scale, 0), MaxDecimalScale)
}

// maxBytes returns the byte limit of TEXT and BLOB types.
func (t ColumnType) maxBytes() int {
	if t.Length > 0 {
		return t.Length
	}
	return 65535
}

// String returns the type as MySQL 8 shows it in SHOW CREATE TABLE:
// "int", "bigint unsigned", "decimal(10,2)", "varchar(20)", "datetime(3)",
// "enum('a','b')", "tinyint(1)" (BOOL), "mediumtext", "bit(8)", ...
func (t ColumnType) String() string {
	var s string
	switch t.Base {
	case TypeAny:
		return "any"
	case TypeTinyInt:
		s = "tinyint"
	case TypeSmallInt:
		s = "smallint"
	case TypeMediumInt:
		s = "mediumint"
	case TypeInt:
		s = "int"
	case TypeBigInt:
		s = "bigint"
	case TypeBool:
		s = "tinyint(1)"
	case TypeYear:
		return "year"
	case TypeBit:
		return fmt.Sprintf("bit(%d)", t.Length)
	case TypeFloat, TypeDouble:
		s = "float"
		if t.Base == TypeDouble {
			s = "double"
		}
		if t.Precision > 0 {
			s += fmt.Sprintf("(%d,%d)", t.Precision, t.Scale)
		}
	case TypeDecimal:
		p, sc := t.decimalPS()
		s = fmt.Sprintf("decimal(%d,%d)", p, sc)
	case TypeChar:
		return fmt.Sprintf("char(%d)", t.Length)
	case TypeVarChar:
		return fmt.Sprintf("varchar(%d)", t.Length)
	case TypeBinary:
		return fmt.Sprintf("binary(%d)", t.Length)
	case TypeVarBinary:
		return fmt.Sprintf("varbinary(%d)", t.Length)
	case TypeText, TypeBlob:
		s = "text"
		if t.Base == TypeBlob {
			s = "blob"
		}
		switch n := t.maxBytes(); {
		case n <= 255:
			return "tiny" + s
		case n <= 65535:
			return s
		case n <= 16777215:
			return "medium" + s
		}
		return "long" + s
	case TypeEnum, TypeSet:
		var b strings.Builder
		b.WriteString(map[bool]string{true: "enum(", false: "set("}[t.Base == TypeEnum])
		for i, e := range t.Elems {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(quoteSQLString(e))
		}
		b.WriteByte(')')
		return b.String()
	case TypeJSON:
		return "json"
	case TypeDate:
		return "date"
	case TypeDatetime, TypeTimestamp, TypeTime:
		s = map[BaseType]string{TypeDatetime: "datetime", TypeTimestamp: "timestamp", TypeTime: "time"}[t.Base]
		if t.Scale > 0 {
			s += fmt.Sprintf("(%d)", t.Scale)
		}
		return s
	default:
		return fmt.Sprintf("type(%d)", t.Base)
	}
	if t.Unsigned {
		s += " unsigned"
	}
	return s
}

// quoteSQLString returns s as a single-quoted SQL string literal.
func quoteSQLString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		case 0:
			b.WriteString(`\0`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// MySQLTypeName returns the name go-sql-driver/mysql reports as
// DatabaseTypeName for a column of type t: "BIGINT", "UNSIGNED BIGINT",
// "INT", "VARCHAR", "TEXT", "DECIMAL", "DATETIME", "BIT", ... MySQL sends
// ENUM columns as CHAR and every TEXT/BLOB size as BLOB, so those report
// "CHAR", "TEXT" and "BLOB"; BOOL is "TINYINT".
func MySQLTypeName(t ColumnType) string {
	u := ""
	if t.Unsigned {
		u = "UNSIGNED "
	}
	switch t.Base {
	case TypeTinyInt, TypeBool:
		return u + "TINYINT"
	case TypeSmallInt:
		return u + "SMALLINT"
	case TypeMediumInt:
		return "MEDIUMINT"
	case TypeInt:
		return u + "INT"
	case TypeBigInt:
		return u + "BIGINT"
	case TypeYear:
		return "YEAR"
	case TypeBit:
		return "BIT"
	case TypeFloat:
		return "FLOAT"
	case TypeDouble:
		return "DOUBLE"
	case TypeDecimal:
		return "DECIMAL"
	case TypeChar:
		return "CHAR"
	case TypeEnum:
		return "ENUM" // as go-sql-driver/mysql names it
	case TypeSet:
		return "SET"
	case TypeVarChar:
		return "VARCHAR"
	case TypeText:
		return "TEXT"
	case TypeJSON:
		return "JSON"
	case TypeBinary:
		return "BINARY"
	case TypeVarBinary:
		return "VARBINARY"
	case TypeBlob:
		return "BLOB"
	case TypeDate:
		return "DATE"
	case TypeDatetime:
		return "DATETIME"
	case TypeTimestamp:
		return "TIMESTAMP"
	case TypeTime:
		return "TIME"
	}
	return ""
}

// ParseColumnType converts a column type from a parsed CREATE/ALTER TABLE
// statement. Unsupported types (spatial types) are error 1235; bad
// parameters are errors 1425, 1426, 1427, 1439 or 1074 as in MySQL.
// column names the column in messages.
func ParseColumnType(ct *sqlparser.ColumnType, column string) (ColumnType, error) {
	typ := strings.ToLower(ct.Type)
	length, hasLength, err := sqlIntOpt(ct.Length)
	if err != nil {
		return ColumnType{}, err
	}
	scale, hasScale, err := sqlIntOpt(ct.Scale)
	if err != nil {
		return ColumnType{}, err
	}
	t := ColumnType{Unsigned: bool(ct.Unsigned)}
	switch typ {
	case "tinyint":
		t.Base = TypeTinyInt
	case "smallint":
		t.Base = TypeSmallInt
	case "mediumint":
		t.Base = TypeMediumInt
	case "int", "integer":
		t.Base = TypeInt
	case "bigint":
		t.Base = TypeBigInt
	case "bool", "boolean":
		t.Base, length = TypeBool, 1
	case "year":
		t.Base = TypeYear
	case "bit":
		t.Base, t.Unsigned = TypeBit, true
		if length, err = bitWidth(length, column); err != nil {
			return t, err
		}
	case "float", "double", "real":
		t.Base = TypeDouble
		if typ == "float" {
			t.Base = TypeFloat
			if hasLength && !hasScale && length > 24 {
				t.Base = TypeDouble // FLOAT(p) with p > 24 is DOUBLE
			}
		}
		if hasScale {
			if scale > MaxDecimalScale {
				return t, NewSQLError(1425, "Too big scale %d specified for column '%s'. Maximum is %d.", scale, column, MaxDecimalScale)
			}
			if scale > length {
				return t, NewSQLError(1427, "For float(M,D), double(M,D) or decimal(M,D), M must be >= D (column '%s').", column)
			}
			t.Precision, t.Scale = length, scale
		}
		length = 0
	case "decimal", "numeric", "dec", "fixed":
		t.Base = TypeDecimal
		t.Precision, t.Scale = 10, 0
		if hasLength {
			t.Precision = length
		}
		if hasScale {
			t.Scale = scale
		}
		if t.Precision > MaxDecimalPrecision {
			return t, NewSQLError(1426, "Too-big precision %d specified for '%s'. Maximum is %d.", t.Precision, column, MaxDecimalPrecision)
		}
		if t.Scale > MaxDecimalScale {
			return t, NewSQLError(1425, "Too big scale %d specified for column '%s'. Maximum is %d.", t.Scale, column, MaxDecimalScale)
		}
		if t.Scale > t.Precision {
			return t, NewSQLError(1427, "For float(M,D), double(M,D) or decimal(M,D), M must be >= D (column '%s').", column)
		}
		if t.Precision == 0 {
			t.Precision = 10
		}
		length = 0
	case "char", "nchar", "binary":
		t.Base = TypeChar
		if typ == "binary" {
			t.Base = TypeBinary
		}
		if !hasLength {
			length = 1
		}
		if length > 255 {
			return t, NewSQLError(1074, "Column length too big for column '%s' (max = 255); use BLOB or TEXT instead", column)
		}
	case "varchar", "nvarchar", "varbinary":
		t.Base = TypeVarChar
		limit := 16383 // 65535 bytes of utf8mb4
		if typ == "varbinary" {
			t.Base, limit = TypeVarBinary, 65535
		}
		if !hasLength {
			return t, NewSQLError(ErParse, "You have an error in your SQL syntax; %s needs a length", typ)
		}
		if length > limit {
			return t, NewSQLError(1074, "Column length too big for column '%s' (max = %d); use BLOB or TEXT instead", column, limit)
		}
	case "tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob", "mediumblob", "longblob":
		t.Base = TypeText
		if strings.HasSuffix(typ, "blob") {
			t.Base = TypeBlob
		}
		switch {
		case strings.HasPrefix(typ, "tiny"):
			length = 255
		case strings.HasPrefix(typ, "medium"):
			length = 16777215
		case strings.HasPrefix(typ, "long"):
			length = longTextLen
		default:
			length = 65535
		}
	case "enum", "set":
		t.Base = map[bool]BaseType{true: TypeEnum, false: TypeSet}[typ == "enum"]
		for _, e := range ct.EnumValues {
			if len(e) >= 2 && e[0] == '\'' && e[len(e)-1] == '\'' {
				e = e[1 : len(e)-1]
			}
			t.Elems = append(t.Elems, strings.TrimRight(e, " "))
		}
		length = 0
	case "json":
		t.Base = TypeJSON
	case "date":
		t.Base = TypeDate
	case "datetime", "timestamp", "time":
		t.Base = map[string]BaseType{"datetime": TypeDatetime, "timestamp": TypeTimestamp, "time": TypeTime}[typ]
		if length > 6 {
			return t, NewSQLError(1426, "Too-big precision %d specified for '%s'. Maximum is 6.", length, column)
		}
		t.Scale, length = length, 0
	default:
		return t, NewSQLError(ErNotSupportedYet, "This version of bxdb doesn't yet support '%s columns'", typ)
	}
	t.Length = length
	if t.Unsigned && t.Kind() != KindInt && t.Kind() != KindFloat && t.Kind() != KindDecimal {
		t.Unsigned = false
	}
	return t, nil
}

// sqlIntOpt returns the value of an optional integer literal.
func sqlIntOpt(v *sqlparser.SQLVal) (int, bool, error) {
	if v == nil {
		return 0, false, nil
	}
	n, err := strconv.Atoi(string(v.Val))
	if err != nil || n < 0 {
		return 0, false, NewSQLError(ErParse, "You have an error in your SQL syntax; bad length %q", v.Val)
	}
	return n, true, nil
}

// --- Go values ---------------------------------------------------------------

// ValueOf converts a Go value, as database/sql hands them to a driver
// (nil, int64, float64, bool, []byte, string, time.Time) plus the other
// integer and float types, to a Value.
func ValueOf(x any) (Value, error) {
	switch x := x.(type) {
	case nil:
		return Null, nil
	case Value:
		return x, nil
	case int64:
		return IntValue(x), nil
	case int:
		return IntValue(int64(x)), nil
	case int32:
		return IntValue(int64(x)), nil
	case int16:
		return IntValue(int64(x)), nil
	case int8:
		return IntValue(int64(x)), nil
	case uint64:
		return UintValue(x), nil
	case uint:
		return UintValue(uint64(x)), nil
	case uint32:
		return IntValue(int64(x)), nil
	case uint16:
		return IntValue(int64(x)), nil
	case uint8:
		return IntValue(int64(x)), nil
	case float64:
		return FloatValue(x), nil
	case float32:
		return FloatValue(float32Shortest(float64(x))), nil
	case bool:
		return BoolValue(x), nil
	case []byte:
		if x == nil {
			return Null, nil
		}
		return BytesValue(x), nil
	case string:
		return StringValue(x), nil
	case time.Time:
		return TimeValue(x), nil
	case Decimal:
		return DecimalValue(x), nil
	}
	return Null, fmt.Errorf("sqlfront: unsupported Go type %T", x)
}

// GoValue converts v to a Go value for database/sql: nil, int64, uint64,
// float64, string (KindString and KindDecimal), []byte (a fresh copy) or
// time.Time (UTC; TIME values are their string form "hh:mm:ss").
func GoValue(v Value) any {
	switch v.K {
	case KindNull:
		return nil
	case KindInt:
		return v.I
	case KindUint:
		return v.U
	case KindFloat:
		return v.F
	case KindDecimal, KindString:
		return v.S
	case KindBytes:
		return []byte(v.S)
	case KindTime:
		if v.TimeType() == TimeDuration {
			return Format(v)
		}
		return v.T
	}
	return nil
}

// --- Display -----------------------------------------------------------------

// Format returns v as MySQL displays it (and converts it in string
// context): integers in decimal, floats in the shortest form that reads
// back exactly, switching to 'e' notation like MySQL (1e15, 1.5e-20),
// decimals with their scale ("12.50"), DATE 'YYYY-MM-DD', DATETIME
// 'YYYY-MM-DD HH:MM:SS[.ffffff]' with the value's fsp digits, TIME
// '[-]HH:MM:SS[.ffffff]', strings and bytes as they are, NULL as "NULL".
func Format(v Value) string {
	switch v.K {
	case KindNull:
		return "NULL"
	case KindInt:
		return strconv.FormatInt(v.I, 10)
	case KindUint:
		return strconv.FormatUint(v.U, 10)
	case KindFloat:
		var buf [32]byte
		return string(appendFloat(buf[:0], v.F))
	case KindTime:
		var buf [32]byte
		return string(appendTime(buf[:0], v))
	}
	return v.S
}

// AppendFormat appends Format(v) to dst.
func AppendFormat(dst []byte, v Value) []byte {
	switch v.K {
	case KindNull:
		return append(dst, "NULL"...)
	case KindInt:
		return strconv.AppendInt(dst, v.I, 10)
	case KindUint:
		return strconv.AppendUint(dst, v.U, 10)
	case KindFloat:
		return appendFloat(dst, v.F)
	case KindTime:
		return appendTime(dst, v)
	}
	return append(dst, v.S...)
}

// appendFloat appends f the way MySQL's my_gcvt prints a DOUBLE: the
// shortest round-trip digits, in positional notation when the decimal
// exponent is between -15 and 15 (or the digits reach the point), else
// as d.ddde[-]x.
func appendFloat(dst []byte, f float64) []byte {
	if f == 0 {
		if math.Signbit(f) {
			return append(dst, '-', '0') // as MySQL prints -'abc'
		}
		return append(dst, '0')
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.AppendFloat(dst, f, 'g', -1, 64)
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // d.ddde±xx
	epos := strings.IndexByte(string(e), 'e')
	mant := e[:epos]
	exp, _ := strconv.Atoi(string(e[epos+1:]))
	var digits [24]byte
	nd := 0
	for _, c := range mant {
		if c != '.' {
			digits[nd] = c
			nd++
		}
	}
	ds := digits[:nd]
	decpt := exp + 1 // value = 0.ds × 10^decpt
	if decpt >= -14 && (decpt <= 15 || nd > decpt) {
		switch {
		case decpt <= 0:
			dst = append(dst, '0', '.')
			for i := decpt; i < 0; i++ {
				dst = append(dst, '0')
			}
			return append(dst, ds...)
		case decpt < nd:
			dst = append(dst, ds[:decpt]...)
			dst = append(dst, '.')
			return append(dst, ds[decpt:]...)
		default:
			dst = append(dst, ds...)
			for i := nd; i < decpt; i++ {
				dst = append(dst, '0')
			}
			return dst
		}
	}
	dst = append(dst, ds[0])
	if nd > 1 {
		dst = append(dst, '.')
		dst = append(dst, ds[1:]...)
	}
	dst = append(dst, 'e')
	return strconv.AppendInt(dst, int64(decpt-1), 10)
}
