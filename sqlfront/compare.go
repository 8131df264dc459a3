package sqlfront

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds MySQL's comparison semantics, the collation, truth
// values, and the group keys of GROUP BY and DISTINCT.
//
// The collation. MySQL's default, utf8mb4_0900_ai_ci, compares strings
// case- and accent-insensitively, and is NO PAD: trailing spaces count.
// bxdb approximates it, in one place (appendFold, collateCompare) that
// Compare, LIKE, GroupKey and the key encoding share:
//
//	fold(s) = lower-case each rune of s (unicode.ToLower); invalid UTF-8
//	          bytes stay as is
//	a ~ b   ⇔ bytes.Compare(fold(a), fold(b))
//
// (Columns with another collation, _bin, _cs or a PAD SPACE _ci such as
// utf8mb4_general_ci, and COLLATE clauses: collation.go; their values
// carry the class in Value.C.)
//
// So 'abc' = 'ABC' and 'a' != 'a ' (as in MySQL 8), but 'é' != 'e' (no
// accent folding) and 'ß' != 'ss'.

// Compare compares a and b with MySQL's rules and returns -1, 0 or +1, or
// null = true if either is NULL (cmp is then 0):
//
//   - numbers (int, uint, float, decimal) compare by value, exactly
//     (except float with decimal, compared as floats, as in MySQL);
//   - a string or bytes against a number compares as numbers: the string's
//     numeric prefix ('12abc' is 12, 'abc' is 0), as floats;
//   - strings compare with the collation (see top of compare.go, and
//     collation.go for columns with another collation); bytes
//     against strings or bytes compare bytewise;
//   - times compare as instants; a string against a time is parsed as a
//     datetime (or TIME), falling back to comparing text; a number against
//     a time compares with its YYYYMMDDhhmmss form.
func Compare(a, b Value) (cmp int, null bool) {
	if a.K == KindNull || b.K == KindNull {
		return 0, true
	}
	if a.K == b.K {
		switch a.K {
		case KindInt:
			return cmpInt64(a.I, b.I), false
		case KindFloat:
			return cmpFloat(a.F, b.F), false
		case KindString:
			if a.C|b.C != 0 {
				return compareStrings(a, b), false
			}
			return collateCompare(a.S, b.S), false
		case KindBytes:
			return strings.Compare(a.S, b.S), false
		case KindTime:
			return a.T.Compare(b.T), false
		}
	}
	return compareMixed(a, b), false
}

// cmpInt64 returns the sign of a - b.
func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloat returns the sign of a - b (NaN equals everything; MySQL has no
// NaN).
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// isNumericKind reports whether k is int, uint, float or decimal.
func isNumericKind(k Kind) bool {
	return k == KindInt || k == KindUint || k == KindFloat || k == KindDecimal
}

// compareMixed compares non-NULL values of different kinds (and the rarer
// same-kind cases).
func compareMixed(a, b Value) int {
	an, bn := isNumericKind(a.K), isNumericKind(b.K)
	switch {
	case an && bn:
		return compareNumbers(a, b)
	case a.K == KindTime || b.K == KindTime:
		return compareWithTime(a, b)
	case an || bn:
		// A string against a number: both as floats.
		x, y := a, b
		if !an {
			x = FloatValue(ToFloat64(a))
		}
		if !bn {
			y = FloatValue(ToFloat64(b))
		}
		return compareNumbers(x, y)
	case a.K == KindString && b.K == KindString:
		return compareStrings(a, b)
	}
	// bytes against string or bytes: binary.
	return strings.Compare(a.S, b.S)
}

// compareNumbers compares two numeric values exactly (float against
// decimal as floats).
func compareNumbers(a, b Value) int {
	switch a.K {
	case KindInt:
		switch b.K {
		case KindInt:
			return cmpInt64(a.I, b.I)
		case KindUint:
			return -1 // KindUint values are above MaxInt64
		case KindFloat:
			return cmpIntFloat(a.I, b.F)
		}
	case KindUint:
		switch b.K {
		case KindInt:
			return 1
		case KindUint:
			switch {
			case a.U < b.U:
				return -1
			case a.U > b.U:
				return 1
			}
			return 0
		case KindFloat:
			return cmpUintFloat(a.U, b.F)
		}
	case KindFloat:
		switch b.K {
		case KindInt:
			return -cmpIntFloat(b.I, a.F)
		case KindUint:
			return -cmpUintFloat(b.U, a.F)
		case KindFloat:
			return cmpFloat(a.F, b.F)
		case KindDecimal:
			return cmpFloat(a.F, toNumOperand(b).float())
		}
	case KindDecimal:
		if b.K == KindFloat {
			return cmpFloat(toNumOperand(a).float(), b.F)
		}
	}
	x, y := toNumOperand(a), toNumOperand(b)
	if x.c == ncFloat || y.c == ncFloat { // unparsable decimal text
		return cmpFloat(x.float(), y.float())
	}
	return x.decimal().Cmp(y.decimal())
}

// cmpIntFloat compares an int64 with a float64 exactly.
func cmpIntFloat(i int64, f float64) int {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= 9223372036854775808.0:
		return -1
	case f < -9223372036854775808.0:
		return 1
	}
	t := math.Trunc(f)
	if c := cmpInt64(i, int64(t)); c != 0 {
		return c
	}
	return cmpFloat(0, f-t)
}

// cmpUintFloat compares a uint64 with a float64 exactly.
func cmpUintFloat(u uint64, f float64) int {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= 18446744073709551616.0:
		return -1
	case f < 0:
		return 1
	}
	t := math.Trunc(f)
	ut := uint64(t)
	switch {
	case u < ut:
		return -1
	case u > ut:
		return 1
	}
	return cmpFloat(0, f-t)
}

// compareWithTime compares when at least one side is a time.
func compareWithTime(a, b Value) int {
	if a.K != KindTime {
		return -compareWithTime(b, a)
	}
	switch b.K {
	case KindTime:
		return a.T.Compare(b.T)
	case KindString, KindBytes:
		if a.TimeType() == TimeDuration {
			if d, ok := parseDuration(b.S); ok {
				return a.T.Compare(durationEpoch.Add(d))
			}
		} else if t, _, _, ok := parseDatetime(b.S); ok {
			return a.T.Compare(t)
		}
		return collateCompare(Format(a), b.S)
	}
	return compareNumbers(DecimalValue(timeToNumber(a)), b)
}

// CompareForSort is a total order for ORDER BY and sorting: NULL first (as
// MySQL sorts NULLs in ascending order), then Compare. NB: the order is
// only transitive among values of one class (numbers, strings, bytes,
// times), as a column's values are.
func CompareForSort(a, b Value) int {
	switch {
	case a.K == KindNull && b.K == KindNull:
		return 0
	case a.K == KindNull:
		return -1
	case b.K == KindNull:
		return 1
	}
	c, _ := Compare(a, b)
	return c
}

// Equal reports whether a and b are equal by Compare; NULL is not equal to
// anything (use CompareForSort == 0 for NULL-safe equality, <=>).
func Equal(a, b Value) bool {
	c, null := Compare(a, b)
	return !null && c == 0
}

// Truth returns the truth value of v in a boolean context (WHERE, AND,
// IF): numbers are true when not zero, strings and bytes when their
// numeric prefix is not zero ('1abc' is true, 'abc' false), times always
// (they are never the zero date). null is true for NULL.
func Truth(v Value) (b bool, null bool) {
	switch v.K {
	case KindNull:
		return false, true
	case KindInt:
		return v.I != 0, false
	case KindUint:
		return v.U != 0, false
	case KindFloat:
		return v.F != 0, false
	case KindDecimal:
		d, err := ParseDecimal(v.S)
		if err != nil {
			return stringToFloat(v.S) != 0, false
		}
		return !d.IsZero(), false
	case KindString, KindBytes:
		if i, ok := enumIndexOf(v); ok {
			return i != 0, false
		}
		return stringToFloat(v.S) != 0, false
	}
	return true, false
}

// --- Collation ---------------------------------------------------------------

// trimTrailingSpaces removes trailing ' ' (the collation's padding).
func trimTrailingSpaces(s string) string {
	i := len(s)
	for i > 0 && s[i-1] == ' ' {
		i--
	}
	return s[:i]
}

// appendFold appends the default collation's folded form of s (see the
// top of compare.go): runes lower-cased, invalid bytes kept. The default
// collation, utf8mb4_0900_ai_ci, is NO PAD: trailing spaces count.
func appendFold(dst []byte, s string) []byte {
	return appendLower(dst, s)
}

// appendLower appends s with each rune lower-cased (unicode.ToLower) and
// invalid UTF-8 bytes copied unchanged.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, c)
			i++
			continue
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		i += size
	}
	return dst
}

// FoldString returns the collation's folded form of s: equal folded forms
// mean equal strings, and their bytewise order is the collation's order.
func FoldString(s string) string {
	if isFoldedASCII(s) {
		return s
	}
	return string(appendFold(nil, s))
}

// isFoldedASCII reports whether s is ASCII without upper-case letters.
func isFoldedASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// collateCompare compares two strings with the collation, without
// allocating for ASCII strings.
func collateCompare(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		ca, cb := a[i], b[i]
		if ca >= utf8.RuneSelf || cb >= utf8.RuneSelf {
			return collateCompareSlow(a[i:], b[i:])
		}
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
	}
	return cmpInt64(int64(len(a)), int64(len(b)))
}

// collateCompareSlow compares the folded forms of a and b (already
// trimmed).
func collateCompareSlow(a, b string) int {
	var abuf, bbuf [64]byte
	fa := appendLower(abuf[:0], a)
	fb := appendLower(bbuf[:0], b)
	return bytes.Compare(fa, fb)
}

// --- Group keys --------------------------------------------------------------

// Group key tags; the order is irrelevant (keys are only tested for
// equality).
const (
	gkNull   = 0
	gkNumber = 1
	gkString = 2
	gkBytes  = 3
	gkTime   = 4
)

// GroupKey returns a canonical encoding of v for GROUP BY, DISTINCT, COUNT
// (DISTINCT) and hash joins: two values of the same class have equal keys
// exactly when Compare says they are equal. Numbers are canonicalized (1,
// 1.0 and DECIMAL 1.00 share a key), strings are folded by the collation,
// and NULLs share one key (GROUP BY puts NULLs in one group). NB: values
// of different classes never share a key, while Compare('1', 1) is 0;
// MySQL groups values of one column type, which never mixes classes.
func GroupKey(v Value) string {
	var buf [32]byte
	return string(AppendGroupKey(buf[:0], v))
}

// AppendGroupKey appends GroupKey(v) to dst. The encoding is
// self-delimiting, so keys of several values may be concatenated to form a
// composite key.
func AppendGroupKey(dst []byte, v Value) []byte {
	switch v.K {
	case KindNull:
		return append(dst, gkNull)
	case KindInt:
		var buf [24]byte
		return appendGKText(dst, gkNumber, strconv.AppendInt(buf[:0], v.I, 10))
	case KindUint:
		var buf [24]byte
		return appendGKText(dst, gkNumber, strconv.AppendUint(buf[:0], v.U, 10))
	case KindFloat:
		f := v.F
		if f == 0 {
			f = 0
		}
		var buf [32]byte
		return appendGKText(dst, gkNumber, canonicalNumber(strconv.AppendFloat(buf[:0], f, 'f', -1, 64)))
	case KindDecimal:
		var buf [48]byte
		return appendGKText(dst, gkNumber, canonicalNumber(append(buf[:0], v.S...)))
	case KindString:
		var buf [64]byte
		return appendGKText(dst, gkString, appendCollKey(buf[:0], v.C, v.S))
	case KindBytes:
		dst = append(dst, gkBytes)
		dst = binary.AppendUvarint(dst, uint64(len(v.S)))
		return append(dst, v.S...)
	case KindTime:
		dst = append(dst, gkTime)
		dst = binary.AppendVarint(dst, v.T.Unix())
		return binary.AppendUvarint(dst, uint64(v.T.Nanosecond()))
	}
	return append(dst, gkNull)
}

// appendGKText appends a tag, a length and text.
func appendGKText(dst []byte, tag byte, text []byte) []byte {
	dst = append(dst, tag)
	dst = binary.AppendUvarint(dst, uint64(len(text)))
	return append(dst, text...)
}

// canonicalNumber strips trailing fraction zeros, a trailing point and
// leading zeros of positional decimal text, and turns -0 into 0.
func canonicalNumber(s []byte) []byte {
	if bytes.IndexByte(s, '.') >= 0 {
		s = bytes.TrimRight(s, "0")
		s = bytes.TrimSuffix(s, []byte("."))
	}
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	s = bytes.TrimLeft(s, "0")
	if len(s) == 0 || s[0] == '.' {
		s = append([]byte("0"), s...)
	}
	if neg && !bytes.Equal(s, []byte("0")) {
		s = append([]byte("-"), s...)
	}
	return s
}
