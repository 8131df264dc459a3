package sqlfront

import (
	"crypto/rand"
	"encoding/hex"
	"math/bits"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xwb1989/sqlparser"
)

// This file holds the less common MySQL 8 functions: UUID and IP address
// conversions (UUID_TO_BIN, INET6_ATON, ...), the remaining date and time
// functions (TIME_FORMAT, MAKETIME, PERIOD_ADD, ...), bit and set
// functions (BIT_COUNT, MAKE_SET, EXPORT_SET), SOUNDEX, RANDOM_BYTES and
// the CHARSET and COLLATION of a value.
//
// Invalid input gives NULL and the warning MySQL gives; where MySQL's
// strict mode makes that warning an error (the values INSERT and UPDATE
// write, Env.divZeroErr), so does funcWarn.

// erWrongValueForType is MySQL's ER_WRONG_VALUE_FOR_TYPE (1411, HY000):
// "Incorrect %s value: '%s' for function %s".
const erWrongValueForType uint16 = 1411

// funcWarn raises warning code for a function call: an error when the
// statement is strict (Env.divZeroErr), and errNotConstant while the
// compiler folds, so that the warning is the run's.
func funcWarn(env *Env, code uint16, format string, args ...any) error {
	switch {
	case env.folding:
		return errNotConstant
	case env.divZeroErr:
		return NewSQLError(code, format, args...)
	}
	env.sess.warnf(code, format, args...)
	return nil
}

// plainWarn raises warning code for a function call as MySQL does for
// the conditions its strict mode leaves warnings (funcWarn's escalate),
// and fails with errNotConstant while the compiler folds.
func plainWarn(env *Env, code uint16, format string, args ...any) error {
	if env.folding {
		return errNotConstant
	}
	env.sess.warnf(code, format, args...)
	return nil
}

// wrongValueForType returns error 1411 (UUID_TO_BIN, BIN_TO_UUID).
func wrongValueForType(s string, binary bool, fn string) error {
	return NewSQLError(erWrongValueForType, "Incorrect string value: '%s' for function %s", errConvText(s, binary), fn)
}

// errConvText renders a value for a message as MySQL's ErrConvString
// does: at most 128 bytes, and a binary string's bytes outside printable
// ASCII as \xHH.
func errConvText(s string, binary bool) string {
	if !binary {
		if len(s) > 128 {
			s = s[:128]
		}
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < 128; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
		} else {
			b.WriteString(`\x`)
			b.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}

// textArgDef defines a NULL-propagating function of one argument whose
// eval also receives the argument's SQL text: MySQL's INET_* warnings
// print the argument expression, not its value.
func textArgDef(name string, eval func(env *Env, v Value, text string) (Value, error)) *funcDef {
	d := &funcDef{name: name, min: 1, max: 1, flags: fNullIn}
	d.eval = func(env *Env, a []Value) (Value, error) { return eval(env, a[0], Format(a[0])) }
	d.build = func(c *compiler, raw []sqlparser.Expr) (Expr, error) {
		x, err := c.compile(raw[0])
		if err != nil {
			return nil, err
		}
		text := exprText(raw[0])
		call := &funcDef{name: name, min: 1, max: 1, flags: fNullIn, eval: func(env *Env, a []Value) (Value, error) {
			return eval(env, a[0], text)
		}}
		return c.fold(&callExpr{def: call, args: []Expr{x}}), nil
	}
	return d
}

// isNumberKind reports whether v is a number (MySQL's INT, REAL or
// DECIMAL result types, which the INET6 functions refuse).
func isNumberKind(v Value) bool {
	switch v.K {
	case KindInt, KindUint, KindFloat, KindDecimal:
		return true
	}
	return false
}

// --- UUIDs -------------------------------------------------------------------

// parseUUID parses a UUID in one of MySQL's text forms: 32 hex digits,
// optionally with dashes after the 8th, 12th, 16th and 20th
// (36 characters), optionally within braces (38 characters).
func parseUUID(s string) ([16]byte, bool) {
	var out [16]byte
	switch len(s) {
	case 38:
		if s[0] != '{' || s[37] != '}' {
			return out, false
		}
		s = s[1:37]
		fallthrough
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return out, false
		}
		s = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	case 32:
	default:
		return out, false
	}
	if _, err := hex.Decode(out[:], []byte(s)); err != nil {
		return out, false
	}
	return out, true
}

// swapFlag reads UUID_TO_BIN's and BIN_TO_UUID's optional swap flag
// (NULL is false).
func swapFlag(a []Value) bool {
	return len(a) == 2 && a[1].K != KindNull && ToFloat64(a[1]) != 0
}

// --- IP addresses --------------------------------------------------------------

// strToIPv4 is MySQL's str_to_ipv4: exactly four dot-separated groups of
// one to three decimal digits, each at most 255.
func strToIPv4(s string) ([4]byte, bool) {
	var out [4]byte
	if len(s) < 7 || len(s) > 15 {
		return out, false
	}
	val, chars, dots := 0, 0, 0
	var c byte
	for i := 0; i < len(s) && s[i] != 0; i++ {
		c = s[i]
		switch {
		case isDigit(c):
			chars++
			if chars > 3 {
				return out, false
			}
			val = val*10 + int(c-'0')
			if val > 255 {
				return out, false
			}
		case c == '.':
			if chars == 0 || dots >= 3 {
				return out, false
			}
			out[dots] = byte(val)
			dots++
			val, chars = 0, 0
		default:
			return out, false
		}
	}
	if c == '.' || dots != 3 {
		return out, false
	}
	out[3] = byte(val)
	return out, true
}

// strToIPv6 is MySQL's str_to_ipv6: up to eight groups of one to four hex
// digits, one "::" gap, and an optional trailing IPv4 part.
func strToIPv6(s string) ([16]byte, bool) {
	var out [16]byte
	if len(s) < 2 || len(s) > 8*4+7 {
		return out, false
	}
	p := 0
	if s[0] == ':' {
		p++
		if s[p] != ':' {
			return out, false
		}
	}
	dst, gap := 0, -1
	groupStart, chars, val := p, 0, 0
	for p < len(s) && s[p] != 0 {
		c := s[p]
		p++
		switch {
		case c == ':':
			groupStart = p
			if chars == 0 {
				if gap >= 0 {
					return out, false // a second "::"
				}
				gap = dst
				continue
			}
			if p >= len(s) || s[p] == 0 || dst+2 > 16 {
				return out, false // ends at ':' or too many groups
			}
			out[dst], out[dst+1] = byte(val>>8), byte(val)
			dst += 2
			chars, val = 0, 0
		case c == '.':
			v4, ok := strToIPv4(s[groupStart:])
			if dst+4 > 16 || !ok {
				return out, false
			}
			copy(out[dst:], v4[:])
			dst += 4
			chars = 0
			p = len(s)
		default:
			d := strings.IndexByte("0123456789abcdef", lowerASCII(c))
			if d < 0 || chars >= 4 {
				return out, false
			}
			val = val<<4 | d
			chars++
		}
	}
	if chars > 0 {
		if dst+2 > 16 {
			return out, false
		}
		out[dst], out[dst+1] = byte(val>>8), byte(val)
		dst += 2
	}
	if gap >= 0 {
		if dst == 16 {
			return out, false // no room for the gap
		}
		n := dst - gap
		for i := 1; i <= n; i++ {
			out[16-i] = out[gap+n-i]
			out[gap+n-i] = 0
		}
		dst = 16
	}
	return out, dst == 16
}

// lowerASCII lower-cases an ASCII letter.
func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// ipv4String formats four address bytes as d.d.d.d.
func ipv4String(b []byte) string {
	var buf []byte
	for i, c := range b[:4] {
		if i > 0 {
			buf = append(buf, '.')
		}
		buf = strconv.AppendInt(buf, int64(c), 10)
	}
	return string(buf)
}

// ipv6String is MySQL's ipv6_to_str: lower-case hex groups without
// leading zeros, the first longest run of zero groups (even a single one)
// as "::", and IPv4-compatible (::a.b.c.d) and IPv4-mapped
// (::ffff:a.b.c.d) addresses with a dotted IPv4 part.
func ipv6String(b []byte) string {
	var w [8]int
	for i := range w {
		w[i] = int(b[2*i])<<8 | int(b[2*i+1])
	}
	gapPos, gapLen := -1, -1
	runPos, runLen := -1, -1
	for i := 0; i <= 8; i++ {
		if i < 8 && w[i] == 0 {
			if runPos < 0 {
				runPos, runLen = i, 0
			}
			runLen++
			continue
		}
		if runPos >= 0 && runLen > gapLen {
			gapPos, gapLen = runPos, runLen
		}
		runPos, runLen = -1, -1
	}
	var buf []byte
	for i := 0; i < 8; i++ {
		switch {
		case i == gapPos:
			if i == 0 {
				buf = append(buf, ':')
			}
			buf = append(buf, ':')
			i += gapLen - 1
		case i == 6 && gapPos == 0 && (gapLen == 6 || gapLen == 5 && w[5] == 0xffff):
			return string(buf) + ipv4String(b[12:])
		default:
			buf = strconv.AppendInt(buf, int64(w[i]), 16)
			if i != 7 {
				buf = append(buf, ':')
			}
		}
	}
	return string(buf)
}

// inetAton is MySQL's INET_ATON: up to four dot-separated decimal groups,
// each at most 255; "a.b" and "a.b.c" are short forms (a.0.0.b, a.b.0.c).
func inetAton(s string) (uint64, bool) {
	var result, group uint64
	dots := 0
	c := byte('.') // an empty string is invalid, as one ending in '.'
	for i := 0; i < len(s); i++ {
		c = s[i]
		switch {
		case isDigit(c):
			group = group*10 + uint64(c-'0')
			if group > 255 {
				return 0, false
			}
		case c == '.':
			dots++
			result = result<<8 + group
			group = 0
		default:
			return 0, false
		}
	}
	if c == '.' || dots > 3 {
		return 0, false
	}
	switch dots {
	case 1:
		result <<= 16
	case 2:
		result <<= 8
	}
	return result<<8 + group, true
}

// --- Date and time -------------------------------------------------------------

// timeFormat is TIME_FORMAT: DATE_FORMAT on a TIME, whose date is zero:
// %Y and the like print zeros, and the specifiers that need a date
// (%a, %b, %D, %j, %M, %U, %W, ...) make the result NULL. Hours may
// exceed 23.
func timeFormat(d time.Duration, format string) (string, bool) {
	var b []byte
	if d < 0 {
		b = append(b, '-')
		d = -d
	}
	h := int64(d / time.Hour)
	mi := int64(d/time.Minute) % 60
	s := int64(d/time.Second) % 60
	us := int64(d%time.Second) / 1000
	pad := func(n int64, width int) {
		t := strconv.FormatInt(n, 10)
		for i := len(t); i < width; i++ {
			b = append(b, '0')
		}
		b = append(b, t...)
	}
	h12 := (h%24+11)%12 + 1
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b = append(b, c)
			continue
		}
		i++
		switch format[i] {
		case 'M', 'b', 'W', 'a', 'D', 'j', 'U', 'u', 'V', 'v', 'X', 'x', 'w':
			return "", false
		case 'Y':
			b = append(b, "0000"...)
		case 'y', 'm', 'd':
			b = append(b, "00"...)
		case 'c', 'e':
			b = append(b, '0')
		case 'f':
			pad(us, 6)
		case 'H':
			pad(h, 2)
		case 'h', 'I':
			pad(h12, 2)
		case 'i':
			pad(mi, 2)
		case 'k':
			pad(h, 1)
		case 'l':
			pad(h12, 1)
		case 'p':
			if h%24 < 12 {
				b = append(b, "AM"...)
			} else {
				b = append(b, "PM"...)
			}
		case 'r':
			pad((h+11)%12+1, 2)
			b = append(b, ':')
			pad(mi, 2)
			b = append(b, ':')
			pad(s, 2)
			if h%24 < 12 {
				b = append(b, " AM"...)
			} else {
				b = append(b, " PM"...)
			}
		case 'S', 's':
			pad(s, 2)
		case 'T':
			pad(h, 2)
			b = append(b, ':')
			pad(mi, 2)
			b = append(b, ':')
			pad(s, 2)
		default:
			b = append(b, format[i])
		}
	}
	return string(b), true
}

// makeTime is MAKETIME(hour, minute, second): NULL for a minute or
// second out of 0..59; an hour past TIME's range gives ±838:59:59 and
// warning 1292.
func makeTime(env *Env, a []Value) (Value, error) {
	hour := ToInt64(a[0])
	hourUnsigned := a[0].K == KindUint
	minute := ToInt64(a[1])
	sec := ToDecimal(a[2])
	ns, ok := sec.Mul(DecimalFromInt(1e9)).Truncate(0).Int64()
	if !ok || ns < 0 || minute < 0 || minute > 59 || ns/1e9 > 59 {
		return Null, nil
	}
	quot, rem := ns/1e9, ns%1e9
	fsp := 6 // floats and strings: MySQL's unspecified decimals
	switch a[2].K {
	case KindInt, KindUint:
		fsp = 0
	case KindDecimal:
		fsp = min(sec.Scale(), 6)
	case KindTime:
		fsp = max(a[2].Fsp(), 0)
	}
	neg := hour < 0 && !hourUnsigned
	absHour := uint64(hour)
	if neg {
		absHour = uint64(-hour)
	}
	if hourUnsigned || absHour > 1<<32-1 {
		// Out of range for MySQL's MYSQL_TIME: the warning shows the
		// arguments.
		text := strconv.FormatInt(hour, 10)
		if hourUnsigned {
			text = strconv.FormatUint(uint64(hour), 10)
		}
		text += ":" + twoDigits(minute) + ":" + twoDigits(quot)
		if rem != 0 {
			dec := 6
			if a[2].K == KindDecimal {
				dec = min(sec.Scale(), 9)
			}
			f := strconv.FormatInt(rem/int64(pow10int64[9-dec]), 10)
			text += "." + strings.Repeat("0", dec-len(f)) + f
		}
		if err := funcWarn(env, ErTruncatedWrongValue, "Truncated incorrect time value: '%s'", text); err != nil {
			return Null, err
		}
		return DurationValue(signedDuration(maxDuration.Truncate(time.Second), neg), fsp), nil
	}
	us := rem / 1000
	if absHour > 838 || absHour == 838 && minute == 59 && quot == 59 && us > 0 {
		// The warning shows the value before clamping, with fsp digits.
		text := strconv.FormatUint(absHour, 10)
		if absHour < 10 {
			text = "0" + text
		}
		if neg {
			text = "-" + text
		}
		text += ":" + twoDigits(minute) + ":" + twoDigits(quot)
		if fsp > 0 {
			f := strconv.FormatInt(us/int64(pow10int64[6-fsp]), 10)
			text += "." + strings.Repeat("0", fsp-len(f)) + f
		}
		if err := funcWarn(env, ErTruncatedWrongValue, "Truncated incorrect time value: '%s'", text); err != nil {
			return Null, err
		}
		return DurationValue(signedDuration(maxDuration.Truncate(time.Second), neg), fsp), nil
	}
	if rem%1000 >= 500 {
		us++ // MySQL rounds the nanoseconds past the microsecond
	}
	d := time.Duration(absHour)*time.Hour + time.Duration(minute)*time.Minute +
		time.Duration(quot)*time.Second + time.Duration(us)*time.Microsecond
	return DurationValue(signedDuration(d, neg), fsp), nil
}

// signedDuration returns -d if neg, else d.
func signedDuration(d time.Duration, neg bool) time.Duration {
	if neg {
		return -d
	}
	return d
}

// twoDigits formats n with at least two digits.
func twoDigits(n int64) string {
	if n >= 0 && n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// daysInMonthTable are the days of each month of a common year.
var daysInMonthTable = [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// dateFromDaynr is MySQL's get_date_from_daynr, FROM_DAYS: the date of a
// day number (TO_DAYS), and ok false for the zero date MySQL gives for a
// day number below 366 or from 3652500 on.
func dateFromDaynr(daynr int64) (year, month, day int, ok bool) {
	if daynr <= 365 || daynr >= 3652500 {
		return 0, 0, 0, false
	}
	year = int(daynr * 100 / 36525)
	temp := ((year-1)/100 + 1) * 3 / 4
	doy := int(daynr-int64(year)*365) - (year-1)/4 + temp
	for {
		n := int(daysInYear(year))
		if doy <= n {
			break
		}
		doy -= n
		year++
	}
	leapDay := 0
	if daysInYear(year) == 366 && doy > 31+28 {
		doy--
		if doy == 31+28 {
			leapDay = 1
		}
	}
	month = 1
	for _, n := range daysInMonthTable {
		if doy <= n {
			break
		}
		doy -= n
		month++
	}
	return year, month, doy + leapDay, true
}

// validPeriod is MySQL's valid_period: a positive YYMM or YYYYMM with a
// month 1..12.
func validPeriod(p int64) bool {
	return p > 0 && p%100 != 0 && p%100 <= 12
}

// periodToMonth is MySQL's convert_period_to_month (YY below 70 is 20YY).
func periodToMonth(p uint64) uint64 {
	if p == 0 {
		return 0
	}
	y := p / 100
	switch {
	case y < 70:
		y += 2000
	case y < 100:
		y += 1900
	}
	return y*12 + p%100 - 1
}

// monthToPeriod is MySQL's convert_month_to_period.
func monthToPeriod(m uint64) uint64 {
	if m == 0 {
		return 0
	}
	y := m / 12
	if y < 100 {
		if y < 70 {
			y += 2000
		} else {
			y += 1900
		}
	}
	return y*100 + m%12 + 1
}

// --- Strings -------------------------------------------------------------------

// soundexCodes are the Soundex digits of A..Z ('0': not coded).
const soundexCodes = "01230120022455012623010202"

// soundexCode returns the Soundex digit of a letter; letters outside A-Z
// code as '0'.
func soundexCode(r rune) byte {
	if r >= 'a' && r <= 'z' {
		r -= 'a' - 'A'
	}
	if r < 'A' || r > 'Z' {
		return '0'
	}
	return soundexCodes[r-'A']
}

// isSoundexLetter is MySQL's letter test in SOUNDEX: ASCII letters, and
// any character from U+00C0 on in a character string.
func isSoundexLetter(r rune, binary bool) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || !binary && r >= 0xC0
}

// soundex is MySQL's SOUNDEX: the first letter (upper-cased if ASCII),
// then the digits of the following letters, skipping vowels and
// repeats of the previous digit (vowels do not separate repeats), padded
// with '0' to four characters but not truncated; "" if there is no
// letter.
func soundex(s string, binary bool) string {
	var b []byte
	var last byte
	i := 0
	next := func() (rune, bool) {
		if i >= len(s) {
			return 0, false
		}
		if binary || s[i] < 0x80 {
			i++
			return rune(s[i-1]), true
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		return r, true
	}
	for {
		r, ok := next()
		if !ok {
			return ""
		}
		if isSoundexLetter(r, binary) {
			if r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			if r < utf8.RuneSelf || binary {
				b = append(b, byte(r))
			} else {
				b = utf8.AppendRune(b, r)
			}
			last = soundexCode(r)
			break
		}
	}
	n := 1
	for {
		r, ok := next()
		if !ok {
			break
		}
		if !isSoundexLetter(r, binary) {
			continue
		}
		if c := soundexCode(r); c != '0' && c != last {
			b = append(b, c)
			n++
			last = c
		}
	}
	for ; n < 4; n++ {
		b = append(b, '0')
	}
	return string(b)
}

// --- CHARSET and COLLATION -------------------------------------------------

// collationClassNames name a string value's collation by its class when
// nothing better is known (see collationOf).
var collationClassNames = map[Collation]string{
	CollDefault:  defaultCollation,
	CollBin:      "utf8mb4_bin",
	CollBinNoPad: "utf8mb4_0900_bin",
	CollCS:       "latin1_general_cs",
	CollCSNoPad:  "utf8mb4_0900_as_cs",
	CollCIPad:    "utf8mb4_general_ci",
}

// valueCollation names the collation of a value: binary for numbers,
// temporal values, binary strings and NULL, as CHARSET() and COLLATION()
// report them.
func valueCollation(v Value) string {
	if v.K != KindString {
		return "binary"
	}
	if n, ok := collationClassNames[v.C.class()]; ok {
		return n
	}
	return defaultCollation
}

// staticCollation returns the collation of the expression raw (compiled
// as x) when it is known at compile time: an explicit COLLATE, a column
// of a known type, or JSON.
func (c *compiler) staticCollation(raw sqlparser.Expr, x Expr) (string, bool) {
	switch r := raw.(type) {
	case *sqlparser.ParenExpr:
		return c.staticCollation(r.Expr, x)
	case *sqlparser.CollateExpr:
		if n, ok := normalizeCollation(r.Charset); ok {
			return n, true
		}
	case *sqlparser.ColName:
		col, ok := x.(*colExpr)
		if !ok {
			break
		}
		t, ok := c.slotType(col.idx)
		if !ok {
			break
		}
		switch {
		case t.Base == TypeJSON:
			return "utf8mb4_bin", true
		case t.Kind() == KindString:
			if t.Collation == "" {
				return defaultCollation, true
			}
			return t.Collation, true
		}
		return "binary", true
	}
	if c.jsonKindOf(raw, x) == jkJSON {
		return "utf8mb4_bin", true
	}
	return "", false
}

// slotType returns the column type of a row slot, as far as c's scope
// knows column types (see slotIsJSON).
func (c *compiler) slotType(slot int) (ColumnType, bool) {
	switch s := baseScope(c.sc).(type) {
	case *postScope:
		return s.fromScope.lay.slotType(slot)
	case *fromScope:
		return s.lay.slotType(slot)
	case *dmlScope:
		return s.slotType(slot)
	case *insertScope:
		return s.slotType(slot % s.n) // VALUES(col) follows the row's columns
	}
	return ColumnType{}, false
}

// slotType returns the type of the written table's column in slot.
func (s *dmlScope) slotType(slot int) (ColumnType, bool) {
	if s.sc == nil || s.sc.cat == nil {
		return ColumnType{}, false
	}
	t := s.sc.cat.table(s.target)
	if t == nil || slot >= len(t.types) {
		return ColumnType{}, false
	}
	return t.types[slot], true
}

// slotType returns the column type of slot in one of l's base tables.
func (l *layout) slotType(slot int) (ColumnType, bool) {
	if l == nil {
		return ColumnType{}, false
	}
	i := l.tableOf(slot)
	if i < 0 {
		return ColumnType{}, false
	}
	ft := l.tabs[i]
	j := slot - ft.off
	if j >= len(ft.types) || ft.types[j].Base == TypeAny {
		return ColumnType{}, false
	}
	return ft.types[j], true
}

// buildCollationFunc compiles CHARSET(x) (charset) or COLLATION(x).
func buildCollationFunc(name string, charset bool) func(c *compiler, raw []sqlparser.Expr) (Expr, error) {
	return func(c *compiler, raw []sqlparser.Expr) (Expr, error) {
		x, err := c.compile(raw[0])
		if err != nil {
			return nil, err
		}
		static, known := c.staticCollation(raw[0], x)
		call := &funcDef{name: name, min: 1, max: 1, eval: func(_ *Env, a []Value) (Value, error) {
			coll := static
			if !known {
				coll = valueCollation(a[0])
			}
			if charset {
				return StringValue(collationCharset(coll)), nil
			}
			return StringValue(coll), nil
		}}
		return c.fold(&callExpr{def: call, args: []Expr{x}}), nil
	}
}

func init() {
	registerFuncs([]*funcDef{
		{name: "uuid_to_bin", min: 1, max: 2, eval: func(_ *Env, a []Value) (Value, error) {
			if a[0].K == KindNull {
				return Null, nil
			}
			s, bin := strOf(a[0])
			u, ok := parseUUID(s)
			if !ok {
				return Null, wrongValueForType(s, bin, "uuid_to_bin")
			}
			if swapFlag(a) {
				var w [16]byte
				copy(w[0:2], u[6:8])
				copy(w[2:4], u[4:6])
				copy(w[4:8], u[0:4])
				copy(w[8:], u[8:])
				u = w
			}
			return BytesValue(u[:]), nil
		}},
		{name: "bin_to_uuid", min: 1, max: 2, eval: func(_ *Env, a []Value) (Value, error) {
			if a[0].K == KindNull {
				return Null, nil
			}
			s, bin := strOf(a[0])
			if len(s) != 16 {
				return Null, wrongValueForType(s, bin, "bin_to_uuid")
			}
			u := []byte(s)
			if swapFlag(a) {
				w := make([]byte, 16)
				copy(w[0:4], u[4:8])
				copy(w[4:6], u[2:4])
				copy(w[6:8], u[0:2])
				copy(w[8:], u[8:])
				u = w
			}
			h := hex.EncodeToString(u)
			return StringValue(h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]), nil
		}},
		strFunc1("is_uuid", func(s string, _ bool) Value {
			_, ok := parseUUID(s)
			return BoolValue(ok)
		}),
		textArgDef("inet_aton", func(env *Env, v Value, text string) (Value, error) {
			s, _ := strOf(v)
			n, ok := inetAton(s)
			if !ok {
				return Null, funcWarn(env, erWrongValueForType, "Incorrect string value: '%s' for function inet_aton", text)
			}
			return UintValue(n), nil
		}),
		textArgDef("inet_ntoa", func(env *Env, v Value, text string) (Value, error) {
			n := uint64(ToInt64(v))
			if n > 1<<32-1 {
				return Null, funcWarn(env, erWrongValueForType, "Incorrect integer value: '%s' for function inet_ntoa", text)
			}
			return StringValue(ipv4String([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})), nil
		}),
		textArgDef("inet6_aton", func(env *Env, v Value, text string) (Value, error) {
			if !isNumberKind(v) {
				s, _ := strOf(v)
				if b, ok := strToIPv4(s); ok {
					return BytesValue(b[:]), nil
				}
				if b, ok := strToIPv6(s); ok {
					return BytesValue(b[:]), nil
				}
			}
			return Null, funcWarn(env, erWrongValueForType, "Incorrect string value: '%s' for function inet6_aton", text)
		}),
		textArgDef("inet6_ntoa", func(env *Env, v Value, text string) (Value, error) {
			if v.K == KindBytes {
				switch len(v.S) {
				case 4:
					return StringValue(ipv4String([]byte(v.S))), nil
				case 16:
					return StringValue(ipv6String([]byte(v.S))), nil
				}
			}
			return Null, funcWarn(env, erWrongValueForType, "Incorrect string value: '%s' for function inet6_ntoa", text)
		}),
		{name: "is_ipv4", min: 1, max: 1, eval: func(_ *Env, a []Value) (Value, error) {
			if a[0].K == KindNull || isNumberKind(a[0]) {
				return IntValue(0), nil
			}
			s, _ := strOf(a[0])
			_, ok := strToIPv4(s)
			return BoolValue(ok), nil
		}},
		{name: "is_ipv6", min: 1, max: 1, eval: func(_ *Env, a []Value) (Value, error) {
			if a[0].K == KindNull || isNumberKind(a[0]) {
				return IntValue(0), nil
			}
			s, _ := strOf(a[0])
			_, ok := strToIPv6(s)
			return BoolValue(ok), nil
		}},
		dateField("weekofyear", func(t time.Time) int64 {
			w, _ := calcWeek(t, weekMode(3))
			return int64(w)
		}),
		dateField("to_seconds", func(t time.Time) int64 {
			y, m, d := t.Date()
			return calcDaynr(y, int(m), d)*86400 + int64(timeOfDay(t)/time.Second)
		}),
		{name: "from_days", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			y, m, d, ok := dateFromDaynr(ToInt64(a[0]))
			if !ok {
				// MySQL's zero date, which bxdb's DATE cannot hold.
				return StringValue("0000-00-00"), nil
			}
			if y > 9999 {
				return Null, nil // past bxdb's DATE range (MySQL prints year 10000)
			}
			return DateValue(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)), nil
		}},
		{name: "time_format", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			d, ok := toDuration(a[0])
			format := Format(a[1])
			if !ok || format == "" {
				return Null, nil
			}
			s, ok := timeFormat(d, format)
			if !ok {
				return Null, nil
			}
			return StringValue(s), nil
		}},
		{name: "maketime", min: 3, max: 3, flags: fNullIn, eval: makeTime},
		{name: "period_add", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			p, n := ToInt64(a[0]), ToInt64(a[1])
			if !validPeriod(p) {
				return Null, NewSQLError(ErWrongArguments, "Incorrect arguments to period_add")
			}
			return IntValue(int64(monthToPeriod(periodToMonth(uint64(p)) + uint64(n)))), nil
		}},
		{name: "period_diff", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			p1, p2 := ToInt64(a[0]), ToInt64(a[1])
			if !validPeriod(p1) || !validPeriod(p2) {
				return Null, NewSQLError(ErWrongArguments, "Incorrect arguments to period_diff")
			}
			return IntValue(int64(periodToMonth(uint64(p1))) - int64(periodToMonth(uint64(p2)))), nil
		}},
		{name: "bit_count", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			n := 0
			if a[0].K == KindBytes {
				// MySQL 8: a binary string counts the bits of its bytes.
				for i := 0; i < len(a[0].S); i++ {
					n += bits.OnesCount64(uint64(a[0].S[i]))
				}
				return IntValue(int64(n)), nil
			}
			var u uint64
			if a[0].K == KindString {
				u = uint64(ToInt64(a[0]))
			} else {
				u = toUint64Bits(a[0])
			}
			return IntValue(int64(bits.OnesCount64(u))), nil
		}},
		{name: "random_bytes", min: 1, max: 1, flags: fNullIn | fVolatile, eval: func(_ *Env, a []Value) (Value, error) {
			n := ToInt64(a[0])
			if n < 1 || n > 1024 {
				return Null, NewSQLError(ErDataOutOfRange, "length value is out of range in 'random_bytes'")
			}
			b := make([]byte, n)
			_, _ = rand.Read(b)
			return BytesValue(b), nil
		}},
		strFunc1("soundex", func(s string, bin bool) Value { return strResult(soundex(s, bin), bin) }),
		{name: "make_set", min: 2, max: -1, eval: func(_ *Env, a []Value) (Value, error) {
			if a[0].K == KindNull {
				return Null, nil
			}
			set := uint64(ToInt64(a[0]))
			if a[0].K == KindUint || a[0].K == KindFloat || a[0].K == KindDecimal {
				set = toUint64Bits(a[0])
			}
			var b []byte
			bin, first := false, true
			for i, v := range a[1:] {
				if i >= 64 {
					break
				}
				if set&(1<<i) == 0 || v.K == KindNull {
					continue
				}
				if !first {
					b = append(b, ',')
				}
				first = false
				bin = bin || v.K == KindBytes
				b = AppendFormat(b, v)
			}
			return strResult(string(b), bin), nil
		}},
		{name: "export_set", min: 3, max: 5, eval: func(_ *Env, a []Value) (Value, error) {
			for _, v := range a {
				if v.K == KindNull {
					return Null, nil
				}
			}
			set := uint64(ToInt64(a[0]))
			if a[0].K == KindUint || a[0].K == KindFloat || a[0].K == KindDecimal {
				set = toUint64Bits(a[0])
			}
			on, b1 := strOf(a[1])
			off, b2 := strOf(a[2])
			sep, b3 := ",", false
			if len(a) >= 4 {
				sep, b3 = strOf(a[3])
			}
			n := uint64(64)
			if len(a) == 5 {
				n = min(uint64(ToInt64(a[4])), 64)
			}
			if n*uint64(max(len(on), len(off)))+max(n, 1)*uint64(len(sep)) > maxAllowedPacket {
				return Null, nil
			}
			var b strings.Builder
			for i := uint64(0); i < n; i++ {
				if set&(1<<i) != 0 {
					b.WriteString(on)
				} else {
					b.WriteString(off)
				}
				if i != n-1 {
					b.WriteString(sep)
				}
			}
			return strResult(b.String(), b1 || b2 || b3), nil
		}},
		strFunc1("bit_length", func(s string, _ bool) Value { return IntValue(int64(len(s)) * 8) }),
		{name: "charset", min: 1, max: 1, build: buildCollationFunc("charset", true), eval: func(_ *Env, a []Value) (Value, error) {
			return StringValue(collationCharset(valueCollation(a[0]))), nil
		}},
		{name: "collation", min: 1, max: 1, build: buildCollationFunc("collation", false), eval: func(_ *Env, a []Value) (Value, error) {
			return StringValue(valueCollation(a[0])), nil
		}},
	})
}
