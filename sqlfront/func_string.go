package sqlfront

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash/crc32"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds the string functions. Character strings (KindString)
// are measured and indexed in characters (runes); binary strings
// (KindBytes) in bytes, and a function with a binary argument returns a
// binary string where MySQL does. Positions are 1-based. Searches (INSTR,
// LOCATE, FIND_IN_SET) use the case-insensitive collation; REPLACE and
// SUBSTRING_INDEX are case-sensitive, as in MySQL.

// maxAllowedPacket bounds results of REPEAT, LPAD, ...: larger ones are
// NULL (MySQL's max_allowed_packet default, 64 MiB).
const maxAllowedPacket = 64 << 20

// strOf returns v's text and whether it is binary.
func strOf(v Value) (string, bool) {
	switch v.K {
	case KindString:
		return v.S, false
	case KindBytes:
		return v.S, true
	}
	return Format(v), false
}

// strResult returns s as a binary or character string.
func strResult(s string, binary bool) Value {
	if binary {
		return Value{K: KindBytes, S: s}
	}
	return Value{K: KindString, S: s}
}

// charLen returns the length of s in characters (bytes if binary).
func charLen(s string, binary bool) int {
	if binary {
		return len(s)
	}
	return utf8.RuneCountInString(s)
}

// charOffset returns the byte offset of the n-th (0-based) character of s,
// or len(s).
func charOffset(s string, n int, binary bool) int {
	if binary {
		return min(max(n, 0), len(s))
	}
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// substrChars returns the characters [from, from+n) of s (0-based, clamped;
// n < 0 means to the end).
func substrChars(s string, from, n int, binary bool) string {
	a := charOffset(s, from, binary)
	if n < 0 {
		return s[a:]
	}
	b := a + charOffset(s[a:], n, binary)
	return s[a:b]
}

// mysqlSubstring implements SUBSTRING(s, pos[, n]).
func mysqlSubstring(s string, pos, n int64, hasLen, binary bool) string {
	l := int64(charLen(s, binary))
	switch {
	case pos == 0 || pos > l || pos < -l:
		return ""
	case pos < 0:
		pos = l + pos
	default:
		pos--
	}
	if !hasLen {
		return substrChars(s, int(pos), -1, binary)
	}
	if n <= 0 {
		return ""
	}
	return substrChars(s, int(pos), int(min(n, l)), binary)
}

// foldedRunes returns the runes of s lower-cased (bytes as runes if binary).
func foldedRunes(s string, binary bool) []rune {
	if binary {
		r := make([]rune, len(s))
		for i := 0; i < len(s); i++ {
			r[i] = rune(s[i])
		}
		return r
	}
	r := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		c, size := nextRune(s, i, false, true)
		r = append(r, c)
		i += size
	}
	return r
}

// locate returns the 1-based character position of sub in s at or after
// character start (0-based), or 0, case-insensitively unless binary.
func locate(sub, s string, start int, binary bool) int {
	if !binary && isFoldedASCII(strings.ToLower(sub)) && isASCII(s) {
		// ASCII fast path: byte offsets are character offsets.
		if start > len(s) {
			return 0
		}
		i := strings.Index(strings.ToLower(s[start:]), strings.ToLower(sub))
		if i < 0 {
			return 0
		}
		return start + i + 1
	}
	rs, rsub := foldedRunes(s, binary), foldedRunes(sub, binary)
	for i := start; i+len(rsub) <= len(rs); i++ {
		match := true
		for j := range rsub {
			if rs[i+j] != rsub[j] {
				match = false
				break
			}
		}
		if match {
			return i + 1
		}
	}
	return 0
}

// isASCII reports whether s is ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// pad implements LPAD (left) and RPAD.
func pad(a []Value, left bool) (Value, error) {
	s, bin := strOf(a[0])
	p, pbin := strOf(a[2])
	bin = bin || pbin
	n := ToInt64(a[1])
	if n < 0 || n > maxAllowedPacket {
		return Null, nil
	}
	l := int64(charLen(s, bin))
	if n <= l {
		return strResult(substrChars(s, 0, int(n), bin), bin), nil
	}
	pl := int64(charLen(p, bin))
	if pl == 0 {
		return Null, nil
	}
	need := n - l
	var b strings.Builder
	if !left {
		b.WriteString(s)
	}
	for need > 0 {
		if need >= pl {
			b.WriteString(p)
			need -= pl
		} else {
			b.WriteString(substrChars(p, 0, int(need), bin))
			need = 0
		}
	}
	if left {
		b.WriteString(s)
	}
	return strResult(b.String(), bin), nil
}

// hexOf implements HEX(x): the bytes of a string, or the two's complement
// of a number rounded to an integer, in upper-case hex.
func hexOf(v Value) string {
	switch v.K {
	case KindString, KindBytes:
		return strings.ToUpper(hex.EncodeToString([]byte(v.S)))
	}
	return strings.ToUpper(strconv.FormatUint(toUint64Bits(v), 16))
}

// formatNumber implements FORMAT(x, d): rounded to d decimals, with ','
// thousands separators and '.' ('en_US').
func formatNumber(v Value, d int64) string {
	d = min(max(d, 0), MaxDecimalScale)
	var dec Decimal
	if v.K == KindFloat {
		dec, _ = DecimalFromFloat(v.F)
	} else {
		dec = ToDecimal(v)
	}
	s := dec.Rescale(int(d)).String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, fp := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		ip, fp = s[:i], s[i:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range ip {
		if i > 0 && (len(ip)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(ip[i])
	}
	b.WriteString(fp)
	return b.String()
}

// saturatedInt64 is ToInt64 for a position or length argument, with an
// unsigned value past MaxInt64 taken as MaxInt64 (not wrapped negative).
func saturatedInt64(v Value) int64 {
	if v.K == KindUint && v.U > math.MaxInt64 {
		return math.MaxInt64
	}
	return ToInt64(v)
}

// trimRepeated removes every leading (lead) and trailing (trail) repeat
// of rem from s, as TRIM does; an empty rem removes nothing.
func trimRepeated(s, rem string, lead, trail bool) string {
	if rem == "" {
		return s
	}
	for lead && strings.HasPrefix(s, rem) {
		s = s[len(rem):]
	}
	for trail && strings.HasSuffix(s, rem) {
		s = s[:len(s)-len(rem)]
	}
	return s
}

// strFunc1 defines a NULL-propagating function of one string.
func strFunc1(name string, f func(s string, binary bool) Value) *funcDef {
	return &funcDef{name: name, min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
		s, bin := strOf(a[0])
		return f(s, bin), nil
	}}
}

func init() {
	registerFuncs([]*funcDef{
		{name: "concat", min: 1, max: -1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			var b []byte
			bin := false
			for _, v := range a {
				bin = bin || v.K == KindBytes
				b = AppendFormat(b, v)
			}
			return strResult(string(b), bin), nil
		}},
		{name: "concat_ws", min: 2, max: -1, eval: func(_ *Env, a []Value) (Value, error) {
			if a[0].K == KindNull {
				return Null, nil
			}
			sep, bin := strOf(a[0])
			var b []byte
			first := true
			for _, v := range a[1:] {
				if v.K == KindNull {
					continue
				}
				if !first {
					b = append(b, sep...)
				}
				first = false
				bin = bin || v.K == KindBytes
				b = AppendFormat(b, v)
			}
			return strResult(string(b), bin), nil
		}},
		strFunc1("length", func(s string, _ bool) Value { return IntValue(int64(len(s))) }),
		strFunc1("char_length", func(s string, bin bool) Value { return IntValue(int64(charLen(s, bin))) }),
		strFunc1("upper", func(s string, bin bool) Value {
			if bin {
				return strResult(s, true)
			}
			return StringValue(strings.ToUpper(s))
		}),
		strFunc1("lower", func(s string, bin bool) Value {
			if bin {
				return strResult(s, true)
			}
			return StringValue(strings.ToLower(s))
		}),
		{name: "substring", min: 2, max: 3, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			s, bin := strOf(a[0])
			var n int64
			if len(a) == 3 {
				n = saturatedInt64(a[2])
			}
			return strResult(mysqlSubstring(s, saturatedInt64(a[1]), n, len(a) == 3, bin), bin), nil
		}},
		{name: "left", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			s, bin := strOf(a[0])
			n := ToInt64(a[1])
			if n <= 0 {
				return strResult("", bin), nil
			}
			return strResult(substrChars(s, 0, int(min(n, int64(len(s)))), bin), bin), nil
		}},
		{name: "right", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			s, bin := strOf(a[0])
			n := ToInt64(a[1])
			if n <= 0 {
				return strResult("", bin), nil
			}
			l := int64(charLen(s, bin))
			return strResult(substrChars(s, int(max(l-n, 0)), -1, bin), bin), nil
		}},
		// TRIM(s), and the forms rewriteForms makes of TRIM([mode] [remstr]
		// FROM s): (remstr, s) and (mode, remstr, s), mode 'L', 'T' or 'B'.
		{name: "trim", min: 1, max: 3, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			s, bin := strOf(a[len(a)-1])
			rem, mode := " ", "B"
			if len(a) >= 2 {
				rem, _ = strOf(a[len(a)-2])
			}
			if len(a) == 3 {
				mode, _ = strOf(a[0])
			}
			return strResult(trimRepeated(s, rem, mode != "T", mode != "L"), bin), nil
		}},
		strFunc1("ltrim", func(s string, bin bool) Value { return strResult(strings.TrimLeft(s, " "), bin) }),
		strFunc1("rtrim", func(s string, bin bool) Value { return strResult(strings.TrimRight(s, " "), bin) }),
		{name: "replace", min: 3, max: 3, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			s, bin := strOf(a[0])
			from, b2 := strOf(a[1])
			to, b3 := strOf(a[2])
			bin = bin || b2 || b3
			if from == "" {
				return strResult(s, bin), nil
			}
			if len(to) > len(from) {
				if n := strings.Count(s, from); len(s)+n*(len(to)-len(from)) > maxAllowedPacket {
					return Null, nil // over max_allowed_packet, as REPEAT
				}
			}
			return strResult(strings.ReplaceAll(s, from, to), bin), nil
		}},
		{name: "instr", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			s, b1 := strOf(a[0])
			sub, b2 := strOf(a[1])
			return IntValue(int64(locate(sub, s, 0, b1 || b2))), nil
		}},
		{name: "locate", min: 2, max: 3, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			sub, b1 := strOf(a[0])
			s, b2 := strOf(a[1])
			start := int64(1)
			if len(a) == 3 {
				start = ToInt64(a[2])
			}
			bin := b1 || b2
			if start < 1 || start > int64(charLen(s, bin))+1 {
				return IntValue(0), nil
			}
			return IntValue(int64(locate(sub, s, int(start-1), bin))), nil
		}},
		{name: "lpad", min: 3, max: 3, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) { return pad(a, true) }},
		{name: "rpad", min: 3, max: 3, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) { return pad(a, false) }},
		{name: "repeat", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			s, bin := strOf(a[0])
			n := ToInt64(a[1])
			if n <= 0 || s == "" {
				return strResult("", bin), nil
			}
			if n > maxAllowedPacket/int64(len(s)) {
				return Null, nil
			}
			return strResult(strings.Repeat(s, int(n)), bin), nil
		}},
		strFunc1("reverse", func(s string, bin bool) Value {
			if bin {
				b := []byte(s)
				for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
					b[i], b[j] = b[j], b[i]
				}
				return strResult(string(b), true)
			}
			r := []rune(s)
			for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
				r[i], r[j] = r[j], r[i]
			}
			return StringValue(string(r))
		}),
		{name: "hex", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			return StringValue(hexOf(a[0])), nil
		}},
		strFunc1("unhex", func(s string, _ bool) Value {
			if len(s)%2 == 1 {
				s = "0" + s
			}
			b, err := hex.DecodeString(s)
			if err != nil {
				return Null
			}
			return BytesValue(b)
		}),
		strFunc1("ascii", func(s string, _ bool) Value {
			if s == "" {
				return IntValue(0)
			}
			return IntValue(int64(s[0]))
		}),
		strFunc1("ord", func(s string, bin bool) Value {
			if s == "" {
				return IntValue(0)
			}
			n := 1
			if !bin {
				_, n = utf8.DecodeRuneInString(s)
			}
			var r int64
			for i := 0; i < n; i++ {
				r = r<<8 | int64(s[i])
			}
			return IntValue(r)
		}),
		{name: "char", min: 1, max: -1, eval: func(_ *Env, a []Value) (Value, error) {
			var b []byte
			for _, v := range a {
				if v.K == KindNull {
					continue
				}
				u := toUint64Bits(v) & 0xffffffff
				var tmp []byte
				for u > 0 {
					tmp = append([]byte{byte(u)}, tmp...)
					u >>= 8
				}
				if len(tmp) == 0 {
					tmp = []byte{0}
				}
				b = append(b, tmp...)
			}
			return BytesValue(b), nil
		}},
		{name: "space", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			n := ToInt64(a[0])
			if n > maxAllowedPacket {
				return Null, nil
			}
			return StringValue(strings.Repeat(" ", int(max(n, 0)))), nil
		}},
		{name: "strcmp", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			s1, b1 := strOf(a[0])
			s2, b2 := strOf(a[1])
			if b1 || b2 {
				return IntValue(int64(strings.Compare(s1, s2))), nil
			}
			return IntValue(int64(collateCompare(s1, s2))), nil
		}},
		{name: "substring_index", min: 3, max: 3, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			s, bin := strOf(a[0])
			delim, _ := strOf(a[1])
			n := ToInt64(a[2])
			if delim == "" || n == 0 {
				return strResult("", bin), nil
			}
			parts := strings.Split(s, delim)
			if n > 0 {
				if n >= int64(len(parts)) {
					return strResult(s, bin), nil
				}
				return strResult(strings.Join(parts[:n], delim), bin), nil
			}
			if n <= -int64(len(parts)) {
				return strResult(s, bin), nil
			}
			return strResult(strings.Join(parts[int64(len(parts))+n:], delim), bin), nil
		}},
		{name: "field", min: 2, max: -1, eval: func(_ *Env, a []Value) (Value, error) {
			if a[0].K == KindNull {
				return IntValue(0), nil
			}
			for i, v := range a[1:] {
				if Equal(a[0], v) {
					return IntValue(int64(i + 1)), nil
				}
			}
			return IntValue(0), nil
		}},
		{name: "elt", min: 2, max: -1, eval: func(_ *Env, a []Value) (Value, error) {
			if a[0].K == KindNull {
				return Null, nil
			}
			n := ToInt64(a[0])
			if n < 1 || n >= int64(len(a)) {
				return Null, nil
			}
			return a[n], nil
		}},
		{name: "find_in_set", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			s, _ := strOf(a[0])
			list, _ := strOf(a[1])
			if strings.Contains(s, ",") || list == "" {
				return IntValue(0), nil
			}
			for i, item := range strings.Split(list, ",") {
				if collateCompare(item, s) == 0 {
					return IntValue(int64(i + 1)), nil
				}
			}
			return IntValue(0), nil
		}},
		{name: "format", min: 2, max: 3, eval: func(_ *Env, a []Value) (Value, error) {
			if a[0].K == KindNull || a[1].K == KindNull {
				return Null, nil
			}
			return StringValue(formatNumber(a[0], ToInt64(a[1]))), nil
		}},
		{name: "quote", min: 1, max: 1, eval: func(_ *Env, a []Value) (Value, error) {
			if a[0].K == KindNull {
				return StringValue("NULL"), nil
			}
			s, _ := strOf(a[0])
			var b strings.Builder
			b.WriteByte('\'')
			for i := 0; i < len(s); i++ {
				switch c := s[i]; c {
				case '\'', '\\':
					b.WriteByte('\\')
					b.WriteByte(c)
				case 0:
					b.WriteString(`\0`)
				case 26:
					b.WriteString(`\Z`)
				default:
					b.WriteByte(c)
				}
			}
			b.WriteByte('\'')
			return StringValue(b.String()), nil
		}},
		strFunc1("to_base64", func(s string, _ bool) Value { return StringValue(base64.StdEncoding.EncodeToString([]byte(s))) }),
		strFunc1("from_base64", func(s string, _ bool) Value {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return Null
			}
			return BytesValue(b)
		}),
		strFunc1("md5", func(s string, _ bool) Value {
			h := md5.Sum([]byte(s))
			return StringValue(hex.EncodeToString(h[:]))
		}),
		strFunc1("sha1", func(s string, _ bool) Value {
			h := sha1.Sum([]byte(s))
			return StringValue(hex.EncodeToString(h[:]))
		}),
		{name: "sha2", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			s, _ := strOf(a[0])
			var sum []byte
			switch ToInt64(a[1]) {
			case 0, 256:
				h := sha256.Sum256([]byte(s))
				sum = h[:]
			case 224:
				h := sha256.Sum224([]byte(s))
				sum = h[:]
			case 384:
				h := sha512.Sum384([]byte(s))
				sum = h[:]
			case 512:
				h := sha512.Sum512([]byte(s))
				sum = h[:]
			default:
				return Null, nil
			}
			return StringValue(hex.EncodeToString(sum)), nil
		}},
		// INSERT(s, pos, len, new), written i@s by rewriteForms: s with
		// the len characters from pos replaced by new; s itself when pos
		// is outside it.
		{name: "i@s", min: 4, max: 4, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			s, bin := strOf(a[0])
			ins, bin2 := strOf(a[3])
			pos, n := ToInt64(a[1]), ToInt64(a[2])
			if bin || bin2 {
				if pos < 1 || pos > int64(len(s)) {
					return BytesValue([]byte(s)), nil
				}
				end := len(s)
				if n >= 0 && n < int64(len(s))-pos+1 {
					end = int(pos - 1 + n)
				}
				return BytesValue([]byte(s[:pos-1] + ins + s[end:])), nil
			}
			r := []rune(s)
			if pos < 1 || pos > int64(len(r)) {
				return StringValue(s), nil
			}
			end := len(r)
			if n >= 0 && n < int64(len(r))-pos+1 {
				end = int(pos - 1 + n)
			}
			return StringValue(string(r[:pos-1]) + ins + string(r[end:])), nil
		}},
		strFunc1("crc32", func(s string, _ bool) Value { return IntValue(int64(crc32.ChecksumIEEE([]byte(s)))) }),
		{name: "bin", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			return StringValue(strconv.FormatUint(toUint64Bits(a[0]), 2)), nil
		}},
		{name: "oct", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			return StringValue(strconv.FormatUint(toUint64Bits(a[0]), 8)), nil
		}},
	})
	for _, a := range [][2]string{
		{"octet_length", "length"}, {"character_length", "char_length"},
		{"ucase", "upper"}, {"lcase", "lower"}, {"substr", "substring"}, {"mid", "substring"}, {"sha", "sha1"},
	} {
		aliasFunc(a[0], a[1])
	}
}
