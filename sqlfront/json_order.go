package sqlfront

import (
	"encoding/binary"
	"encoding/json"
	"strconv"
	"strings"
)

// The order of JSON values, as MySQL compares two JSON values ("Comparison
// and Ordering of JSON Values"; Json_wrapper::compare): by type first,
//
//	null < number < string < object < array < boolean
//
// then within the type: numbers by value, whatever their form (1 = 1.0 =
// 1e0; a number with a fraction or an exponent is a double, compared as
// its shortest decimal, as MySQL converts a double to compare it with an
// integer); strings by their bytes, a prefix first (utf8mb4_bin); arrays
// element by element, a prefix first; objects by their number of members,
// then member by member in MySQL's key order (by length, then bytes),
// each by its key's bytes, then its value; false < true. (MySQL's DATE,
// TIME, DATETIME and opaque JSON values cannot occur: bxdb's JSON is text.)
//
// jsonSortKey maps a value to bytes whose bytewise order is that order, and
// which are equal exactly for equal values, so one mechanism serves the
// comparison operators between JSON values (jsonCompareOperands) and
// ORDER BY a JSON value. The key of a value:
//
//	null     0x01
//	number   0x02 sign [exponent digits end]
//	string   0x03 escaped bytes 0x00 0x01
//	object   0x04 members (4 bytes, big-endian) {escaped key 0x00 0x01, value}...
//	array    0x05 {value}... 0x00
//	boolean  0x06 0x00 (false) | 0x01 (true)
//
// A number's sign is 0x01 (negative), 0x02 (zero, nothing follows) or
// 0x03 (positive); its value is 0.d₁d₂… × 10^exponent with d₁ ≠ 0 and no
// trailing zero digit: the exponent as 4 bytes big-endian of
// uint32(exponent) ^ 1<<31, the digits as ASCII, end 0x00; a negative
// number has those bytes inverted (so end is 0xFF), which orders larger
// magnitudes first. Escaped bytes are the bytes with 0x00 written as 0x00
// 0xFF. Every key is self-delimiting and none starts with 0x00, so an
// array's end sorts before any further element. Keys are computed per
// statement and never stored.

// JSON type bytes of the sort key, in MySQL's order.
const (
	jkeyNull byte = iota + 1
	jkeyNumber
	jkeyString
	jkeyObject
	jkeyArray
	jkeyBoolean
)

// Sign bytes of a number's key.
const (
	jkeyNegative byte = iota + 1
	jkeyZero
	jkeyPositive
)

// jsonSortKey returns the sort key (above) of a JSON-typed value as a
// KindBytes value: JSON text, or the SQL number JSON_EXTRACT gives for a
// JSON number. NULL stays NULL; text that is not JSON is a JSON string.
func jsonSortKey(v Value) Value {
	var doc any
	switch v.K {
	case KindNull:
		return v
	case KindInt:
		doc = json.Number(strconv.FormatInt(v.I, 10))
	case KindUint:
		doc = json.Number(strconv.FormatUint(v.U, 10))
	case KindFloat:
		doc = json.Number(strconv.FormatFloat(v.F, 'e', -1, 64))
	case KindDecimal:
		doc = json.Number(v.S)
	default:
		var err error
		if doc, err = jsonParse(v.S); err != nil {
			doc = v.S
		}
	}
	return Value{K: KindBytes, S: string(appendJSONSortKey(nil, doc))}
}

// appendJSONSortKey appends the sort key of a parsed JSON value.
func appendJSONSortKey(b []byte, doc any) []byte {
	switch d := doc.(type) {
	case nil:
		return append(b, jkeyNull)
	case json.Number:
		return appendJSONNumberKey(append(b, jkeyNumber), jsonNumberDecimal(string(d)))
	case string:
		return appendEscapedKey(append(b, jkeyString), d)
	case map[string]any:
		b = binary.BigEndian.AppendUint32(append(b, jkeyObject), uint32(len(d)))
		for _, k := range jsonSortedKeys(d) {
			b = appendJSONSortKey(appendEscapedKey(b, k), d[k])
		}
		return b
	case []any:
		b = append(b, jkeyArray)
		for _, x := range d {
			b = appendJSONSortKey(b, x)
		}
		return append(b, 0)
	case bool:
		if d {
			return append(b, jkeyBoolean, 1)
		}
		return append(b, jkeyBoolean, 0)
	}
	return b
}

// appendEscapedKey appends s with each 0x00 written as 0x00 0xFF, then
// 0x00 0x01: bytewise order, a prefix first.
func appendEscapedKey(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			b = append(b, 0, 0xFF)
		} else {
			b = append(b, s[i])
		}
	}
	return append(b, 0, 1)
}

// jsonNumberDecimal returns the decimal MySQL compares a JSON number as:
// an integer that fits BIGINT or BIGINT UNSIGNED exactly, anything else
// (a fraction, an exponent, a larger integer), which MySQL's parser reads
// as a double, as the double's shortest decimal in exponent form.
func jsonNumberDecimal(s string) string {
	if !strings.ContainsAny(s, ".eE") {
		if _, err := strconv.ParseInt(s, 10, 64); err == nil {
			return s
		}
		if _, err := strconv.ParseUint(s, 10, 64); err == nil {
			return s
		}
	}
	f, _ := strconv.ParseFloat(s, 64) // jsonParse checked the range
	return strconv.FormatFloat(f, 'e', -1, 64)
}

// appendJSONNumberKey appends the sign, exponent, digits and end of the
// decimal s ("-12", "1.25e-07"; the exponent is small) to b.
func appendJSONNumberKey(b []byte, s string) []byte {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp, _ = strconv.Atoi(s[i+1:])
		s = s[:i]
	}
	whole, frac, _ := strings.Cut(s, ".")
	digits := strings.TrimLeft(whole+frac, "0")
	exp += len(whole) - (len(whole) + len(frac) - len(digits))
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		return append(b, jkeyZero)
	}
	start := len(b) + 1
	b = append(b, jkeyPositive)
	b = binary.BigEndian.AppendUint32(b, uint32(int32(exp))^1<<31)
	b = append(append(b, digits...), 0)
	if neg {
		b[start-1] = jkeyNegative
		for i := start; i < len(b); i++ {
			b[i] ^= 0xFF
		}
	}
	return b
}
