package conformance

// This file renders result values as text the way the reference runner
// does, and sorts and hashes the rendered values.

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// formatSLTValue renders one result value for a column of type typ ('I',
// 'T' or 'R') the way the reference's SQLite engine does (slt_sqlite.c):
//
//   - NULL is "NULL", whatever the type.
//   - I is sqlite3_column_int printed with "%d": reals are truncated toward
//     zero (clamped to the int64 range first), text converts through its
//     leading integer prefix ("12.5abc" is 12, "abc" is 0), and the result
//     is cut to a C int, 32 bits.
//   - R is sqlite3_column_double printed with "%.3f"; text converts through
//     its leading numeric prefix.
//   - T is the value as text; "" is "(empty)", and every byte outside
//     printable ASCII (' ' through '~') becomes '@', so "é" is "@@".
//     Integers print in decimal; reals as the reference-era SQLite's
//     "%!.15g" ("5.0", "0.1", "1.0e+20"). NB: SQLite since 3.4x falls back
//     to 17 digits when 15 do not round-trip (1.0/3 is
//     "0.33333333333333332", here "0.333333333333333"); the corpus has no
//     real in a T column, so the difference is moot for it.
//   - R is rounded correctly by strconv; the reference's sqlite3_snprintf
//     may differ in the last digit for values within an ulp of a tie.
//
// Values arrive as the driver returns them through Scan into *any: nil,
// int64, float64, bool, string, []byte or time.Time. Other integer and
// float types are accepted too, for drivers that return them.
func formatSLTValue(v any, typ byte) string {
	if v == nil {
		return "NULL"
	}
	switch typ {
	case 'I':
		var i int64
		switch x := v.(type) {
		case int64:
			i = x
		case int:
			i = int64(x)
		case int32:
			i = int64(x)
		case uint64:
			i = int64(x) // NB: wraps like C's cast; only the low 32 bits survive anyway.
		case float64:
			i = sltFloatToInt64(x)
		case float32:
			i = sltFloatToInt64(float64(x))
		case bool:
			if x {
				i = 1
			}
		case string:
			i = sltAtoi64(x)
		case []byte:
			i = sltAtoi64(string(x))
		default:
			i = sltAtoi64(fmt.Sprint(x))
		}
		return strconv.FormatInt(int64(int32(i)), 10) // NB: sqlite3_column_int returns a C int.
	case 'R':
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case float32:
			f = float64(x)
		case int64:
			f = float64(x)
		case int:
			f = float64(x)
		case int32:
			f = float64(x)
		case uint64:
			f = float64(x)
		case bool:
			if x {
				f = 1
			}
		case string:
			f = sltAtof(x)
		case []byte:
			f = sltAtof(string(x))
		default:
			f = sltAtof(fmt.Sprint(x))
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return sltRealText(f) // SQLite's printf spells these "Inf", "-Inf", "NaN"
		}
		return strconv.FormatFloat(f, 'f', 3, 64)
	default: // 'T'
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case []byte:
			s = string(x)
		case int64:
			s = strconv.FormatInt(x, 10)
		case int:
			s = strconv.Itoa(x)
		case int32:
			s = strconv.FormatInt(int64(x), 10)
		case uint64:
			s = strconv.FormatUint(x, 10)
		case float64:
			s = sltRealText(x)
		case float32:
			s = sltRealText(float64(x))
		case bool:
			s = "0"
			if x {
				s = "1"
			}
		case time.Time:
			s = x.Format("2006-01-02 15:04:05.999999999")
		default:
			s = fmt.Sprint(x)
		}
		if s == "" {
			return "(empty)"
		}
		return sltPrintable(s)
	}
}

// sltPrintable replaces every byte outside ' '..'~' with '@'.
func sltPrintable(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] < ' ' || b[j] > '~' {
					b[j] = '@'
				}
			}
			return string(b)
		}
	}
	return s
}

// sltFloatToInt64 is SQLite's doubleToInt64: truncation toward zero,
// clamped to the int64 range. NaN gives 0.
func sltFloatToInt64(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f <= math.MinInt64:
		return math.MinInt64
	case f >= math.MaxInt64:
		return math.MaxInt64
	}
	return int64(f)
}

// sltAtoi64 is SQLite's text-to-integer conversion (sqlite3Atoi64): leading
// spaces, an optional sign and the digits that follow; anything after them
// is ignored, no digits is 0, and overflow clamps.
func sltAtoi64(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var u uint64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if u > (math.MaxUint64-9)/10 {
			u = math.MaxUint64 // saturate; clamped below
			break
		}
		u = u*10 + uint64(s[i]-'0')
	}
	switch {
	case neg && u >= 1<<63:
		return math.MinInt64
	case neg:
		return -int64(u)
	case u > math.MaxInt64:
		return math.MaxInt64
	}
	return int64(u)
}

// sltAtof converts the longest numeric prefix of s to a float64, as
// sqlite3_column_double does for text; no numeric prefix is 0.
func sltAtof(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	// Longest prefix of the form [sign] digits [. digits] [e [sign] digits].
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	n := digits()
	if i < len(s) && s[i] == '.' {
		i++
		n += digits()
	}
	if n == 0 {
		return 0
	}
	end := i
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() > 0 {
			end = i
		}
	}
	f, err := strconv.ParseFloat(s[:end], 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0
	}
	return f
}

// sltRealText renders a real as SQLite's text conversion does ("%!.15g"):
// 15 significant digits, and always a decimal point ("5.0", "1.0e+20").
func sltRealText(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	s := strconv.FormatFloat(f, 'g', 15, 64)
	mant, exp, hasExp := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	if hasExp {
		return mant + "e" + exp
	}
	return mant
}

// sortSLTValues sorts vals, a row-major result of ncol columns, in place
// per mode. rowsort orders rows by comparing column after column bytewise
// (the reference's rowCompare, strcmp per column: not the rows joined into
// one string); valuesort orders all values on their own.
func sortSLTValues(vals []string, ncol int, mode sltSort) {
	switch mode {
	case sltValueSort:
		slices.Sort(vals)
	case sltRowSort:
		if ncol <= 1 {
			slices.Sort(vals)
			return
		}
		rows := make([][]string, 0, len(vals)/ncol)
		for i := 0; i+ncol <= len(vals); i += ncol {
			rows = append(rows, vals[i:i+ncol:i+ncol])
		}
		slices.SortFunc(rows, slices.Compare[[]string])
		sorted := make([]string, 0, len(vals))
		for _, r := range rows {
			sorted = append(sorted, r...)
		}
		copy(vals, sorted)
	}
}

// hashSLTValues returns the hex MD5 of every value followed by "\n".
func hashSLTValues(vals []string) string {
	h := md5.New()
	for _, v := range vals {
		h.Write([]byte(v))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sltHashLine is the line standing for a hashed result.
func sltHashLine(n int, hash string) string {
	return fmt.Sprintf("%d values hashing to %s", n, hash)
}
