package sqlfront

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file converts values: to column types for storage (Coerce, MySQL
// strict mode), to numbers as MySQL does in numeric context, and to CAST
// targets (lenient, MySQL's CAST). Column types, Format and the Go
// conversions are in value.go.

// --- Coerce ------------------------------------------------------------------

// Coerce converts v for storage in a column of type t, with MySQL's strict
// mode rules (see CoerceColumn). Its error messages do not name a column.
func Coerce(v Value, t ColumnType) (Value, error) { return coerce(v, t, "", 0) }

// CoerceColumn converts v for storage in column (named in messages) of
// type t, at 1-based row number row of the statement. NULL stays NULL (NOT
// NULL is the engine's check). Errors are *SQLError, as MySQL in strict
// mode reports them:
//
//	1264 Out of range value for column 'c' at row 1     integers, YEAR, FLOAT, DOUBLE, DECIMAL
//	1265 Data truncated for column 'c' at row 1         '12abc' into INT, FLOAT, DOUBLE; bad ENUM value
//	1366 Incorrect integer value: 'abc' for column ...  no number at all; also decimal, invalid UTF-8 string
//	1406 Data too long for column 'c' at row 1          strings and bytes; BIT values of more bits
//	1292 Incorrect datetime value: 'x' for column ...   DATE, DATETIME, TIMESTAMP, TIME
//	3140 Invalid JSON text: ...                         JSON
//
// Rounding follows MySQL: floats and decimals into integers round half away
// from zero, as do DECIMAL scales; datetimes round to the column's fsp;
// DATE drops the time of day; CHAR drops trailing spaces; excess trailing
// spaces in CHAR and VARCHAR are cut silently.
func CoerceColumn(v Value, t ColumnType, column string, row int) (Value, error) {
	return coerce(v, t, column, row)
}

// coerceErr builds the strict-mode errors of CoerceColumn.
type coerceErr struct {
	column string
	row    int
}

// at returns " for column 'c' at row n" or "" when no column is known.
func (c coerceErr) at() string {
	if c.column == "" {
		return ""
	}
	return fmt.Sprintf(" for column '%s' at row %d", c.column, c.row)
}

func (c coerceErr) outOfRange() error {
	if c.column == "" {
		return NewSQLError(ErWarnDataOutOfRange, "Out of range value")
	}
	return NewSQLError(ErWarnDataOutOfRange, "Out of range value%s", c.at())
}

func (c coerceErr) truncated() error {
	return NewSQLError(ErWarnDataTruncated, "Data truncated%s", c.at())
}

func (c coerceErr) tooLong() error {
	return NewSQLError(ErDataTooLong, "Data too long%s", c.at())
}

func (c coerceErr) incorrect(what string, v Value) error {
	return NewSQLError(ErTruncatedWrongValueForFld, "Incorrect %s value: '%s'%s", what, errText(v), c.at())
}

func (c coerceErr) incorrectTime(what string, v Value) error {
	return NewSQLError(ErTruncatedWrongValue, "Incorrect %s value: '%s'%s", what, errText(v), c.at())
}

// errText renders a value for an error message (invalid UTF-8 as \xNN).
func errText(v Value) string {
	s := Format(v)
	if utf8.ValidString(s) && len(s) <= 64 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if b.Len() > 64 {
			b.WriteString("...")
			break
		}
		if r == utf8.RuneError {
			fmt.Fprintf(&b, "\\x%02X", s[i])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// coerce implements CoerceColumn.
func coerce(v Value, t ColumnType, column string, row int) (Value, error) {
	if v.K == KindNull || t.Base == TypeAny {
		return v, nil
	}
	ce := coerceErr{column, row}
	if v.K == KindBytes && v.I == hexLitMark {
		switch t.Base {
		case TypeTinyInt, TypeSmallInt, TypeMediumInt, TypeInt, TypeBigInt, TypeBool, TypeYear, TypeFloat, TypeDouble, TypeDecimal:
			v = UintValue(v.U) // 0x10 into an INT column is 16 (hexLitMark)
		}
	}
	switch t.Base {
	case TypeTinyInt, TypeSmallInt, TypeMediumInt, TypeInt, TypeBigInt, TypeBool:
		return coerceInt(v, t, ce)
	case TypeYear:
		return coerceYear(v, ce)
	case TypeBit:
		return coerceBit(v, t, ce)
	case TypeFloat, TypeDouble:
		return coerceFloat(v, t, ce)
	case TypeDecimal:
		return coerceDecimal(v, t, ce)
	case TypeChar, TypeVarChar, TypeText:
		r, err := coerceString(v, t, ce)
		return withCollation(r, t.coll()), err
	case TypeEnum:
		r, err := coerceEnum(v, t, ce)
		return withCollation(r, t.coll()), err
	case TypeSet:
		r, err := coerceSet(v, t, ce)
		return withCollation(r, t.coll()), err
	case TypeJSON:
		return coerceJSON(v, ce)
	case TypeBinary, TypeVarBinary, TypeBlob:
		return coerceBytes(v, t, ce)
	case TypeDate, TypeDatetime, TypeTimestamp:
		return coerceDatetime(v, t, ce)
	case TypeTime:
		return coerceTime(v, t, ce)
	}
	return v, nil
}

// intRange returns the range of an integer type.
func intRange(t ColumnType) (lo int64, hi uint64) {
	var bitsN uint
	switch t.Base {
	case TypeTinyInt, TypeBool:
		bitsN = 8
	case TypeSmallInt:
		bitsN = 16
	case TypeMediumInt:
		bitsN = 24
	case TypeInt:
		bitsN = 32
	default:
		bitsN = 64
	}
	if t.Unsigned {
		if bitsN == 64 {
			return 0, math.MaxUint64
		}
		return 0, 1<<bitsN - 1
	}
	if bitsN == 64 {
		return math.MinInt64, math.MaxInt64
	}
	return -1 << (bitsN - 1), 1<<(bitsN-1) - 1
}

// skipSpaces returns s without leading ASCII white space, as MySQL skips
// before numbers.
func skipSpaces(s string) string {
	i := 0
	for i < len(s) && isSpaceByte(s[i]) {
		i++
	}
	return s[i:]
}

// isSpaceByte reports whether c is ASCII white space.
func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// allSpaces reports whether s is only ASCII white space.
func allSpaces(s string) bool { return skipSpaces(s) == "" }

// coerceInt converts to an integer column.
func coerceInt(v Value, t ColumnType, ce coerceErr) (Value, error) {
	if i, ok := enumIndexOf(v); ok {
		v = IntValue(i) // an ENUM value is its index here
	}
	lo, hi := intRange(t)
	var d Decimal
	switch v.K {
	case KindInt:
		if v.I < lo || (v.I > 0 && uint64(v.I) > hi) {
			return Null, ce.outOfRange()
		}
		return v, nil
	case KindUint:
		if v.U > hi {
			return Null, ce.outOfRange()
		}
		return v, nil
	case KindFloat:
		f := math.Round(v.F)
		if math.IsNaN(f) || f < float64(lo) || f >= float64(hi)+1 || (hi == math.MaxUint64 && f >= 18446744073709551616.0) || (lo == math.MinInt64 && f < -9223372036854775808.0) {
			return Null, ce.outOfRange()
		}
		if f >= 9223372036854775808.0 {
			return UintValue(uint64(f)), nil
		}
		return IntValue(int64(f)), nil
	case KindDecimal:
		var err error
		if d, err = ParseDecimal(v.S); err != nil {
			return Null, ce.incorrect("integer", v)
		}
	case KindTime:
		d = timeToNumber(v)
	default:
		s := v.S
		if t.Base == TypeBool {
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "true":
				return IntValue(1), nil
			case "false":
				return IntValue(0), nil
			}
		}
		p := skipSpaces(s)
		var n int
		d, n = decimalPrefix(p)
		if n == 0 {
			return Null, ce.incorrect("integer", v)
		}
		if !allSpaces(p[n:]) {
			return Null, ce.truncated()
		}
	}
	d = d.Round(0)
	if i, ok := d.Int64(); ok {
		if i < lo || (i > 0 && uint64(i) > hi) {
			return Null, ce.outOfRange()
		}
		return IntValue(i), nil
	}
	if u, ok := d.Uint64(); ok && u <= hi {
		return UintValue(u), nil
	}
	return Null, ce.outOfRange()
}

// coerceYear converts to a YEAR column: 0, 1901..2155; 1..69 and 70..99
// mean 2001..2069 and 1970..1999; the strings '0' and '00' mean 2000.
func coerceYear(v Value, ce coerceErr) (Value, error) {
	isString := v.K == KindString || v.K == KindBytes
	iv, err := coerceInt(v, ColumnType{Base: TypeBigInt}, ce)
	if err != nil {
		return Null, err
	}
	y := iv.I
	if iv.K == KindUint {
		return Null, ce.outOfRange()
	}
	switch {
	case y == 0 && isString:
		return IntValue(2000), nil
	case y == 0:
		return IntValue(0), nil
	case y >= 1 && y <= 69:
		return IntValue(2000 + y), nil
	case y >= 70 && y <= 99:
		return IntValue(1900 + y), nil
	case y >= 1901 && y <= 2155:
		return IntValue(y), nil
	}
	return Null, ce.outOfRange()
}

// coerceBit converts to BIT(n) as MySQL's Field_bit stores values: an
// integer as its 64 bits of two's complement (so -1 fits BIT(64) only), a
// double truncated toward zero, a decimal rounded (a negative one is out
// of range), a string, bytes and a hex or bit literal as their bytes read
// big-endian (leading zero bytes skipped), a time as its number. A value
// of more than n bits is error 1406.
func coerceBit(v Value, t ColumnType, ce coerceErr) (Value, error) {
	if i, ok := enumIndexOf(v); ok {
		v = IntValue(i)
	}
	if v.K == KindTime {
		v = DecimalValue(timeToNumber(v)) // 20240102030405
	}
	var u uint64
	switch v.K {
	case KindInt:
		u = uint64(v.I)
	case KindUint:
		u = v.U
	case KindFloat:
		f := math.Trunc(v.F)
		switch {
		case math.IsNaN(f) || f < math.MinInt64 || f >= 1<<64:
			return Null, ce.tooLong()
		case f < 0:
			u = uint64(int64(f))
		default:
			u = uint64(f)
		}
	case KindDecimal:
		d, err := ParseDecimal(v.S)
		if err != nil {
			return Null, ce.incorrect("integer", v)
		}
		var ok bool
		if u, ok = d.Round(0).Uint64(); !ok {
			return Null, ce.outOfRange()
		}
	default:
		b := strings.TrimLeft(v.S, "\x00")
		if len(b) > 8 {
			return Null, ce.tooLong()
		}
		for i := 0; i < len(b); i++ {
			u = u<<8 | uint64(b[i])
		}
	}
	if t.Length < 64 && u>>t.Length != 0 {
		return Null, ce.tooLong()
	}
	return UintValue(u), nil
}

// coerceFloat converts to FLOAT or DOUBLE.
func coerceFloat(v Value, t ColumnType, ce coerceErr) (Value, error) {
	if i, ok := enumIndexOf(v); ok {
		v = IntValue(i)
	}
	var f float64
	switch v.K {
	case KindInt:
		f = float64(v.I)
	case KindUint:
		f = float64(v.U)
	case KindFloat:
		f = v.F
	case KindDecimal, KindTime:
		f = toNumOperand(v).float()
	default:
		p := skipSpaces(v.S)
		_, n := decimalPrefix(p)
		if n == 0 || !allSpaces(p[n:]) {
			return Null, ce.truncated()
		}
		f = parseFloatClamped(p[:n])
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || (t.Unsigned && f < 0) {
		return Null, ce.outOfRange()
	}
	if t.Precision > 0 {
		p10 := math.Pow10(t.Scale)
		f = math.Round(f*p10) / p10
		if math.Abs(f) >= math.Pow10(t.Precision-t.Scale) {
			return Null, ce.outOfRange()
		}
	}
	if t.Base == TypeFloat {
		// Out of range when it does not round to a finite float32
		// (3.4028235e38, MaxFloat32's shortest spelling, is just above it).
		if math.IsInf(float64(float32(f)), 0) {
			return Null, ce.outOfRange()
		}
		f = float32Shortest(f)
	}
	if f == 0 {
		f = 0 // no negative zero
	}
	return FloatValue(f), nil
}

// float32Shortest rounds f to single precision and returns the float64
// closest to the shortest decimal that reads back as that float32, so
// that a FLOAT column holding 0.1 displays and compares as 0.1, as in MySQL.
func float32Shortest(f float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(float64(float32(f)), 'g', -1, 32), 64)
	return r
}

// parseFloatClamped parses a numeric prefix as a float64, clamping
// overflow to ±MaxFloat64 as MySQL does.
func parseFloatClamped(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && math.IsInf(f, 0) {
		return math.Copysign(math.MaxFloat64, f)
	}
	return f
}

// coerceDecimal converts to DECIMAL(P,S).
func coerceDecimal(v Value, t ColumnType, ce coerceErr) (Value, error) {
	if i, ok := enumIndexOf(v); ok {
		v = IntValue(i)
	}
	p, s := t.decimalPS()
	var d Decimal
	switch v.K {
	case KindInt:
		d = DecimalFromInt(v.I)
	case KindUint:
		d = DecimalFromUint(v.U)
	case KindFloat:
		var err error
		if d, err = DecimalFromFloat(v.F); err != nil {
			return Null, ce.outOfRange()
		}
	case KindDecimal:
		var err error
		if d, err = ParseDecimal(v.S); err != nil {
			return Null, ce.incorrect("decimal", v)
		}
	case KindTime:
		d = timeToNumber(v)
	default:
		str := strings.TrimRight(skipSpaces(v.S), " \t\n\r")
		var err error
		if d, err = ParseDecimal(str); err != nil {
			if err == errDecimalRange {
				return Null, ce.outOfRange()
			}
			return Null, ce.incorrect("decimal", v)
		}
	}
	d = d.Rescale(s)
	if d.IntDigits() > p-s || (t.Unsigned && d.Sign() < 0) {
		return Null, ce.outOfRange()
	}
	return DecimalValue(d), nil
}

// coerceString converts to CHAR, VARCHAR or TEXT.
func coerceString(v Value, t ColumnType, ce coerceErr) (Value, error) {
	if v.K == KindString && t.Base == TypeVarChar && len(v.S) <= t.Length {
		return v, nil // no more characters than bytes: fits as it is
	}
	s := Format(v)
	if v.K == KindBytes && !utf8.ValidString(s) {
		return Null, NewSQLError(ErTruncatedWrongValueForFld, "Incorrect string value: '%s'%s", errText(v), ce.at())
	}
	if t.Base == TypeText {
		if len(s) > t.maxBytes() {
			return Null, ce.tooLong()
		}
		return StringValue(s), nil
	}
	if n := utf8.RuneCountInString(s); n > t.Length {
		// Excess trailing spaces are removed silently (a note in MySQL).
		trimmed := strings.TrimRight(s, " ")
		if utf8.RuneCountInString(trimmed) > t.Length {
			return Null, ce.tooLong()
		}
		s = trimmed + strings.Repeat(" ", t.Length-utf8.RuneCountInString(trimmed))
	}
	if t.Base == TypeChar {
		s = strings.TrimRight(s, " ")
	}
	return StringValue(s), nil
}

// coerceEnum converts to ENUM: a member's name (case-insensitive, trailing
// spaces ignored) or its 1-based index.
func coerceEnum(v Value, t ColumnType, ce coerceErr) (Value, error) {
	switch v.K {
	case KindString, KindBytes:
		if i, ok := enumIndexOf(v); ok && int(i) <= len(t.Elems) && v.S == t.Elems[i-1] {
			return enumValue(t, int(i)), nil // this column's value, read back
		}
		s := trimTrailingSpaces(v.S) // members lost theirs at CREATE
		for i, e := range t.Elems {
			if compareColl(t.coll(), s, e) == 0 {
				return enumValue(t, i+1), nil
			}
		}
		return Null, ce.truncated()
	}
	iv, err := coerceInt(v, ColumnType{Base: TypeBigInt}, ce)
	if err != nil || iv.K != KindInt || iv.I < 1 || iv.I > int64(len(t.Elems)) {
		return Null, ce.truncated()
	}
	return enumValue(t, int(iv.I)), nil
}

// coerceSet converts to SET: a comma-separated list of members' names
// (case-insensitive, trailing spaces ignored, in any order, repeats
// allowed) or the bit mask of their positions; the result names each
// member set once, in declaration order, as MySQL stores it.
func coerceSet(v Value, t ColumnType, ce coerceErr) (Value, error) {
	var mask uint64
	switch v.K {
	case KindString, KindBytes:
		if v.S != "" {
			for _, part := range strings.Split(v.S, ",") {
				part = trimTrailingSpaces(part)
				i := slices.IndexFunc(t.Elems, func(e string) bool { return compareColl(t.coll(), part, e) == 0 })
				if i < 0 {
					return Null, ce.truncated()
				}
				mask |= 1 << i
			}
		}
	default:
		iv, err := coerceInt(v, ColumnType{Base: TypeBigInt, Unsigned: true}, ce)
		if err != nil {
			return Null, ce.truncated()
		}
		switch iv.K {
		case KindInt:
			mask = uint64(iv.I)
		case KindUint:
			mask = iv.U
		default:
			return Null, ce.truncated()
		}
		if len(t.Elems) < 64 && mask>>len(t.Elems) != 0 {
			return Null, ce.truncated()
		}
	}
	var b strings.Builder
	for i, e := range t.Elems {
		if mask&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(e)
		}
	}
	return Value{K: KindString, S: b.String(), I: int64(mask)}, nil
}

// enumValue is member i (1-based) of ENUM type t, carrying its index.
func enumValue(t ColumnType, i int) Value {
	return Value{K: KindString, S: t.Elems[i-1], I: int64(i)}
}

// coerceJSON converts to JSON: strings must be valid JSON text; numbers
// become JSON numbers and datetimes JSON strings.
func coerceJSON(v Value, ce coerceErr) (Value, error) {
	switch v.K {
	case KindString, KindBytes:
		// Stored normalized, as MySQL stores JSON in its binary form:
		// keys sorted (length, then bytes), duplicate keys resolved to
		// the last, ": " and ", " separators (func_json.go's jsonText).
		text, err := normalizeJSONText(v.S)
		if err != nil {
			return Null, NewSQLError(ErInvalidJSONText, "Invalid JSON text: \"%s\" at position 0 in value for column '%s'.", jsonInvalidReason(v.S, err), ce.column)
		}
		return StringValue(text), nil
	case KindTime:
		b, _ := json.Marshal(Format(v))
		return StringValue(string(b)), nil
	}
	return StringValue(Format(v)), nil
}

// jsonInvalidReason is the reason MySQL gives for the invalid JSON text s
// (err is the parse error).
func jsonInvalidReason(s string, err error) string {
	switch {
	case strings.TrimLeft(s, " \t\r\n") == "":
		return "The document is empty."
	case errors.Is(err, errJSONNumberTooBig), errors.Is(err, errJSONSurrogate):
		return err.Error()
	}
	return "Invalid value."
}

// coerceBytes converts to BINARY, VARBINARY or BLOB.
func coerceBytes(v Value, t ColumnType, ce coerceErr) (Value, error) {
	s := Format(v)
	switch t.Base {
	case TypeBlob:
		if len(s) > t.maxBytes() {
			return Null, ce.tooLong()
		}
	case TypeBinary:
		n := t.Length
		if len(s) > n {
			return Null, ce.tooLong()
		}
		if len(s) < n {
			s += strings.Repeat("\x00", n-len(s))
		}
	default:
		if len(s) > t.Length {
			return Null, ce.tooLong()
		}
	}
	return Value{K: KindBytes, S: s}, nil
}

// TIMESTAMP's range in UTC.
var (
	minTimestamp = time.Date(1970, 1, 1, 0, 0, 1, 0, time.UTC)
	maxTimestamp = time.Date(2038, 1, 19, 3, 14, 7, 999999999, time.UTC)
)

// coerceDatetime converts to DATE, DATETIME or TIMESTAMP.
func coerceDatetime(v Value, t ColumnType, ce coerceErr) (Value, error) {
	what := "datetime"
	if t.Base == TypeDate {
		what = "date"
	}
	tm, ok := toDatetime(v)
	if !ok {
		return Null, ce.incorrectTime(what, v)
	}
	if t.Base == TypeDate {
		return DateValue(tm), nil
	}
	r := DatetimeValue(tm, t.Scale)
	if t.Base == TypeTimestamp && (r.T.Before(minTimestamp) || r.T.After(maxTimestamp)) {
		return Null, ce.incorrectTime(what, v)
	}
	if r.T.Year() > 9999 {
		return Null, ce.incorrectTime(what, v)
	}
	return r, nil
}

// toDatetime converts a value to an instant: strings are parsed as
// datetimes, numbers read as YYYYMMDD[hhmmss[.ffffff]], TIME values are
// taken on today's date (UTC), as MySQL does.
func toDatetime(v Value) (time.Time, bool) {
	switch v.K {
	case KindTime:
		if v.TimeType() == TimeDuration {
			y, m, d := time.Now().UTC().Date()
			return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Add(v.Duration()), true
		}
		return v.T, true
	case KindString, KindBytes:
		tm, _, _, ok := parseDatetime(v.S)
		return tm, ok
	case KindInt, KindUint, KindFloat, KindDecimal:
		return numberToDatetime(toNumOperand(v))
	}
	return time.Time{}, false
}

// numberToDatetime reads YYMMDD, YYYYMMDD, YYMMDDhhmmss or YYYYMMDDhhmmss
// (zero-padded on the left to the next of those lengths), with an optional
// fraction of a second.
func numberToDatetime(o numOperand) (time.Time, bool) {
	var d Decimal
	switch o.c {
	case ncFloat:
		var err error
		if d, err = DecimalFromFloat(o.f); err != nil {
			return time.Time{}, false
		}
	default:
		d = o.decimal()
	}
	if d.Sign() <= 0 {
		return time.Time{}, false
	}
	ip := d.Truncate(0)
	frac := d.Sub(ip)
	s := ip.String()
	switch n := len(s); {
	case n < 3 || n > 14:
		return time.Time{}, false
	case n <= 6:
		s = strings.Repeat("0", 6-n) + s
	case n <= 8:
		s = strings.Repeat("0", 8-n) + s
	case n <= 12:
		s = strings.Repeat("0", 12-n) + s
	default:
		s = strings.Repeat("0", 14-n) + s
	}
	tm, _, _, ok := parseDatetime(s)
	if !ok {
		return time.Time{}, false
	}
	if !frac.IsZero() {
		ns, _ := frac.Mul(DecimalFromInt(1e9)).Int64()
		tm = tm.Add(time.Duration(ns))
	}
	return tm, true
}

// coerceTime converts to TIME: '[-][D ]hh:mm:ss[.f]', 'hhmmss', numbers
// hhmmss, datetimes (their time of day); ±838:59:59 at most.
func coerceTime(v Value, t ColumnType, ce coerceErr) (Value, error) {
	d, ok := toDuration(v)
	if !ok {
		return Null, ce.incorrectTime("time", v)
	}
	r := DurationValue(d, t.Scale)
	if r.Duration() > maxDuration || r.Duration() < -maxDuration {
		return Null, ce.incorrectTime("time", v)
	}
	return r, nil
}

// maxDuration is TIME's limit, 838:59:59.
const maxDuration = 838*time.Hour + 59*time.Minute + 59*time.Second + 999999*time.Microsecond

// toDuration converts a value to a TIME duration.
func toDuration(v Value) (time.Duration, bool) {
	switch v.K {
	case KindTime:
		if v.TimeType() == TimeDuration {
			return v.Duration(), true
		}
		y, m, d := v.T.Date()
		return v.T.Sub(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)), true
	case KindString, KindBytes:
		return parseDuration(v.S)
	case KindInt, KindUint, KindFloat, KindDecimal:
		o := toNumOperand(v)
		var d Decimal
		if o.c == ncFloat {
			var err error
			if d, err = DecimalFromFloat(o.f); err != nil {
				return 0, false
			}
		} else {
			d = o.decimal()
		}
		return parseDuration(d.String())
	}
	return 0, false
}

// --- Number conversions ------------------------------------------------------

// stringToFloat converts a string to a number as MySQL does in numeric
// context: leading spaces skipped, then the longest numeric prefix
// (sign, digits, point, exponent); no prefix means 0.
func stringToFloat(s string) float64 {
	p := skipSpaces(s)
	_, n := decimalPrefix(p)
	if n == 0 {
		return 0
	}
	return parseFloatClamped(p[:n])
}

// timeToNumber converts a KindTime value to MySQL's numeric form:
// YYYYMMDDhhmmss for DATETIME, YYYYMMDD for DATE, [-]hhmmss for TIME,
// with the fractional seconds as decimals (fsp digits).
func timeToNumber(v Value) Decimal {
	fsp := v.Fsp()
	var ip int64
	var frac int64 // nanoseconds
	switch v.TimeType() {
	case TimeDate:
		y, m, d := v.T.Date()
		return DecimalFromInt(int64(y)*10000 + int64(m)*100 + int64(d))
	case TimeDuration:
		dur := v.Duration()
		neg := dur < 0
		if neg {
			dur = -dur
		}
		h := int64(dur / time.Hour)
		mi := int64(dur/time.Minute) % 60
		s := int64(dur/time.Second) % 60
		ip = h*10000 + mi*100 + s
		frac = int64(dur % time.Second)
		if neg {
			ip, frac = -ip, -frac
		}
	default:
		y, m, d := v.T.Date()
		hh, mm, ss := v.T.Clock()
		ip = ((int64(y)*10000+int64(m)*100+int64(d))*100+int64(hh))*10000 + int64(mm)*100 + int64(ss)
		frac = int64(v.T.Nanosecond())
	}
	if fsp < 0 {
		if frac == 0 {
			return DecimalFromInt(ip)
		}
		fsp = 6
	}
	if fsp == 0 {
		return DecimalFromInt(ip)
	}
	d := DecimalFromInt(ip).Rescale(fsp)
	f := Decimal{coef: frac / int64(pow10int64[9-fsp]), scale: int32(fsp)}
	return d.Add(f)
}

// ToFloat64 converts v to a float64 as MySQL does in numeric context
// (strings by their numeric prefix, datetimes as YYYYMMDDhhmmss); NULL is 0.
func ToFloat64(v Value) float64 {
	switch v.K {
	case KindNull:
		return 0
	case KindFloat:
		return v.F
	case KindInt:
		return float64(v.I)
	}
	return toNumOperand(v).float()
}

// ToDecimal converts v to a Decimal (floats by their shortest text,
// strings by their numeric prefix); NULL and unconvertible values are 0.
func ToDecimal(v Value) Decimal {
	switch v.K {
	case KindNull:
		return Decimal{}
	case KindString, KindBytes:
		if i, ok := enumIndexOf(v); ok {
			return DecimalFromInt(i)
		}
		d, _ := decimalPrefix(skipSpaces(v.S))
		return d
	}
	o := toNumOperand(v)
	if o.c == ncFloat {
		d, _ := DecimalFromFloat(o.f)
		return d
	}
	return o.decimal()
}

// ToInt64 converts v like CAST(v AS SIGNED): floats and decimals round
// half away from zero and clamp to the BIGINT range, strings take their
// integer prefix ('12.9abc' is 12), BIGINT UNSIGNED wraps. NULL is 0.
func ToInt64(v Value) int64 {
	switch v.K {
	case KindNull:
		return 0
	case KindInt:
		return v.I
	case KindUint:
		return int64(v.U)
	case KindString, KindBytes:
		if i, ok := enumIndexOf(v); ok {
			return i
		}
		return stringToInt(v.S)
	case KindFloat:
		return clampFloatToInt64(math.Round(v.F))
	}
	o := toNumOperand(v)
	d := o.decimal().Round(0)
	if i, ok := d.Int64(); ok {
		return i
	}
	if d.Sign() < 0 {
		return math.MinInt64
	}
	if u, ok := d.Uint64(); ok {
		return int64(u)
	}
	return math.MaxInt64
}

// clampFloatToInt64 converts an integral float, clamping to the int64 range.
func clampFloatToInt64(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= 9223372036854775808.0:
		return math.MaxInt64
	case f < -9223372036854775808.0:
		return math.MinInt64
	}
	return int64(f)
}

// stringToInt parses an integer prefix like MySQL's string-to-integer
// conversion: spaces, sign, digits; overflow clamps (to MaxUint64 as a
// wrapped -1 for large positive values that fit uint64, as MySQL's
// unsigned conversion does).
func stringToInt(s string) int64 {
	u, neg, ok := stringToUintPrefix(s)
	if neg {
		if !ok || u > 1<<63 {
			return math.MinInt64
		}
		return -int64(u)
	}
	if !ok {
		return math.MaxInt64
	}
	return int64(u)
}

// stringToUintPrefix parses spaces, an optional sign and digits; ok is
// false on uint64 overflow.
func stringToUintPrefix(s string) (u uint64, neg, ok bool) {
	p := skipSpaces(s)
	i := 0
	if i < len(p) && (p[i] == '-' || p[i] == '+') {
		neg = p[i] == '-'
		i++
	}
	ok = true
	for ; i < len(p) && p[i] >= '0' && p[i] <= '9'; i++ {
		dgt := uint64(p[i] - '0')
		if !ok {
			continue
		}
		if u > (math.MaxUint64-dgt)/10 {
			ok, u = false, math.MaxUint64
			continue
		}
		u = u*10 + dgt
	}
	return u, neg, ok
}

// ToString returns v's text as MySQL converts it in string context (see
// Format); NULL is "".
func ToString(v Value) string {
	if v.K == KindNull {
		return ""
	}
	return Format(v)
}

// --- Casts -------------------------------------------------------------------

// castToUnsigned implements CAST(v AS UNSIGNED): integers keep their bits
// (-1 becomes 18446744073709551615), others round and wrap likewise
// (unsure: MySQL clamps some negative floats to 0; we wrap them all).
func castToUnsigned(v Value) Value {
	switch v.K {
	case KindNull:
		return Null
	case KindUint:
		return v
	case KindInt:
		return UintValue(uint64(v.I))
	case KindString, KindBytes:
		u, neg, ok := stringToUintPrefix(v.S)
		if !ok {
			return UintValue(math.MaxUint64)
		}
		if neg {
			return UintValue(-u)
		}
		return UintValue(u)
	case KindFloat:
		f := math.Round(v.F)
		switch {
		case f >= 18446744073709551615.0:
			return UintValue(math.MaxUint64)
		case f >= 9223372036854775808.0:
			return UintValue(uint64(f))
		}
		return UintValue(uint64(clampFloatToInt64(f)))
	}
	d := toNumOperand(v).decimal().Round(0)
	if u, ok := d.Uint64(); ok {
		return UintValue(u)
	}
	if i, ok := d.Int64(); ok {
		return UintValue(uint64(i))
	}
	if d.Sign() < 0 {
		return UintValue(1 << 63)
	}
	return UintValue(math.MaxUint64)
}

// castToDecimal implements CAST(v AS DECIMAL(p,s)): round to s digits,
// clamp to ±(10^(p-s) - 10^-s) on overflow (a warning in MySQL).
func castToDecimal(v Value, p, s int) Value {
	if v.K == KindNull {
		return Null
	}
	d := ToDecimal(v).Rescale(s)
	if d.IntDigits() > p-s {
		// 999.99 for DECIMAL(5,2)
		maxd, _ := ParseDecimal(strings.Repeat("9", p-s) + "." + strings.Repeat("9", s))
		if s == 0 {
			maxd, _ = ParseDecimal(strings.Repeat("9", p))
		}
		if d.Sign() < 0 {
			maxd = maxd.Neg()
		}
		d = maxd
	}
	return DecimalValue(d)
}

// castToChar implements CAST(v AS CHAR[(n)]); n < 0 means no limit.
func castToChar(v Value, n int) Value {
	if v.K == KindNull {
		return Null
	}
	s := Format(v)
	if n >= 0 && utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n])
	}
	return StringValue(s)
}

// castToBinary implements CAST(v AS BINARY[(n)]): bytes, zero-padded or
// truncated to n when n >= 0.
func castToBinary(v Value, n int) Value {
	if v.K == KindNull {
		return Null
	}
	s := Format(v)
	if n >= 0 {
		if len(s) > n {
			s = s[:n]
		} else {
			s += strings.Repeat("\x00", n-len(s))
		}
	}
	return Value{K: KindBytes, S: s}
}

// castToDate implements CAST(v AS DATE); invalid values give NULL.
func castToDate(v Value) Value {
	if v.K == KindNull {
		return Null
	}
	t, ok := toDatetime(v)
	if !ok {
		return Null
	}
	return DateValue(t)
}

// castToDatetime implements CAST(v AS DATETIME(fsp)); invalid values give
// NULL.
func castToDatetime(v Value, fsp int) Value {
	if v.K == KindNull {
		return Null
	}
	t, ok := toDatetime(v)
	if !ok {
		return Null
	}
	return DatetimeValue(t, fsp)
}

// castToTime implements CAST(v AS TIME(fsp)); invalid values give NULL,
// out of range ones clip.
func castToTime(v Value, fsp int) Value {
	if v.K == KindNull {
		return Null
	}
	d, ok := toDuration(v)
	if !ok {
		return Null
	}
	// Out of range values clip to ±838:59:59 (a warning in MySQL).
	if d > maxDuration {
		d = maxDuration.Truncate(time.Second)
	} else if d < -maxDuration {
		d = -maxDuration.Truncate(time.Second)
	}
	return DurationValue(d, fsp)
}

// CoerceIgnore converts v for a column of type t as INSERT IGNORE and
// UPDATE IGNORE do: a value CoerceColumn refuses is adjusted instead, as
// MySQL does with a warning: a number out of range is clamped to the
// type's limits, a string too long is cut to the column's length, text
// that is not a number reads as its numeric prefix (0 without one), and
// anything else (an impossible date, an unknown ENUM member) becomes the
// type's implicit default. It never fails.
func CoerceIgnore(v Value, t ColumnType) Value {
	if out, err := coerce(v, t, "", 0); err == nil {
		return out
	}
	adj := Null
	switch t.Base {
	case TypeTinyInt, TypeSmallInt, TypeMediumInt, TypeInt, TypeBigInt, TypeBool:
		lo, hi := intRange(t)
		switch f := math.Round(ToFloat64(v)); {
		case math.IsNaN(f):
		case f <= float64(lo):
			adj = IntValue(lo)
		case f >= float64(hi):
			adj = UintValue(hi)
		default:
			adj = FloatValue(f)
		}
	case TypeBit:
		// MySQL's Field_bit stores all ones.
		adj = UintValue(math.MaxUint64 >> (64 - t.Length))
	case TypeFloat, TypeDouble:
		lim := math.MaxFloat64
		if t.Base == TypeFloat {
			lim = math.MaxFloat32
		}
		if f := ToFloat64(v); !math.IsNaN(f) {
			adj = FloatValue(min(max(f, -lim), lim))
		}
	case TypeDecimal:
		d := ToDecimal(v)
		nines := strings.Repeat("9", max(t.Precision-t.Scale, 0))
		if t.Scale > 0 {
			nines += "." + strings.Repeat("9", t.Scale)
		}
		if max, err := ParseDecimal(nines); err == nil && d.Abs().Cmp(max) > 0 {
			if d.Sign() < 0 {
				max = max.Neg()
			}
			d = max
		}
		adj = DecimalValue(d)
	case TypeChar, TypeVarChar:
		s := Format(v)
		if r := []rune(s); len(r) > t.Length {
			s = string(r[:t.Length])
		}
		adj = StringValue(s)
	case TypeText:
		adj = StringValue(truncUTF8(Format(v), t.maxBytes()))
	case TypeBinary, TypeVarBinary, TypeBlob:
		s, n := Format(v), t.Length
		if t.Base == TypeBlob {
			n = t.maxBytes()
		}
		adj = BytesValue([]byte(s[:min(len(s), max(n, 1))]))
	case TypeEnum:
		// MySQL's error value: the empty string, index 0.
		return Value{K: KindString, S: "", C: t.coll()}
	case TypeSet:
		// The members named, the others dropped.
		var keep []string
		for _, part := range strings.Split(Format(v), ",") {
			part = trimTrailingSpaces(part)
			if slices.ContainsFunc(t.Elems, func(e string) bool { return compareColl(t.coll(), part, e) == 0 }) {
				keep = append(keep, part)
			}
		}
		adj = StringValue(strings.Join(keep, ","))
	}
	if adj.K != KindNull {
		if out, err := coerce(adj, t, "", 0); err == nil {
			return out
		}
	}
	return implicitDefault(t)
}

// truncUTF8 cuts s to at most n bytes without splitting a character.
func truncUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
