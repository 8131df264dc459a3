package sqlfront

import (
	"strconv"
	"strings"
	"time"
)

// This file holds the datetime parser and formatter and MySQL's calendar
// arithmetic (day numbers, weeks), shared by Coerce, Compare and the date
// functions (func_time.go).

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isPunct reports whether c is ASCII punctuation (MySQL accepts any as a
// date delimiter).
func isPunct(c byte) bool {
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~')
}

// atoiDigits converts a short string of ASCII digits.
func atoiDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// fracNanos converts fraction digits to nanoseconds (extra digits beyond
// nine are dropped).
func fracNanos(s string) int {
	if len(s) > 9 {
		s = s[:9]
	}
	n := atoiDigits(s)
	for i := len(s); i < 9; i++ {
		n *= 10
	}
	return n
}

// twoDigitYear maps YY to MySQL's year: 00-69 → 2000-2069, 70-99 → 1970-1999.
func twoDigitYear(y int) int {
	if y < 70 {
		return 2000 + y
	}
	return 1900 + y
}

// daysIn returns the number of days of a month.
func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// mkDatetime validates fields and builds a UTC time.
func mkDatetime(y, mo, d, h, mi, s, ns int) (time.Time, bool) {
	if y < 0 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, time.Month(mo)) ||
		h > 23 || mi > 59 || s > 59 || h < 0 || mi < 0 || s < 0 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC), true
}

// parseDatetime parses MySQL's datetime literals and returns the instant
// (UTC), whether a time of day was given, the number of fraction digits,
// and ok:
//
//	'YYYY-MM-DD', 'YY-MM-DD', any punctuation as delimiter, 1- or 2-digit
//	month and day; then optionally ' ' or 'T' and 'hh:mm[:ss[.ffffff]]';
//	then optionally 'Z' or '+hh:mm'/'-hh:mm' (converted to UTC);
//	'YYYYMMDD', 'YYMMDD', 'YYYYMMDDhhmmss[.f]', 'YYMMDDhhmmss[.f]'.
//
// Invalid dates ('2021-02-30', month 0, day 0) fail, as in strict mode.
func parseDatetime(s string) (t time.Time, hasTime bool, fracDigits int, ok bool) {
	s = strings.TrimSpace(s)
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	if n == 0 {
		return
	}
	if n == len(s) || (s[n] == '.' && n >= 12) {
		return parseCompactDatetime(s, n)
	}
	// Delimited form.
	pos := n
	y := atoiDigits(s[:n])
	if n <= 2 {
		y = twoDigitYear(y)
	}
	field := func(maxDigits int) (int, bool) {
		start := pos
		for pos < len(s) && isDigit(s[pos]) && pos-start < maxDigits {
			pos++
		}
		if pos == start {
			return 0, false
		}
		return atoiDigits(s[start:pos]), true
	}
	delim := func() bool {
		start := pos
		for pos < len(s) && isPunct(s[pos]) {
			pos++
		}
		return pos > start
	}
	var mo, d, h, mi, sec, ns int
	var fok bool
	if !delim() {
		return
	}
	if mo, fok = field(2); !fok || !delim() {
		return
	}
	if d, fok = field(2); !fok {
		return
	}
	if pos < len(s) {
		switch {
		case s[pos] == 'T':
			pos++
		case s[pos] == ' ':
			for pos < len(s) && s[pos] == ' ' {
				pos++
			}
		default:
			return
		}
		hasTime = true
		if h, fok = field(2); !fok {
			return
		}
		if pos < len(s) && s[pos] == ':' {
			pos++
			if mi, fok = field(2); !fok {
				return
			}
			if pos < len(s) && s[pos] == ':' {
				pos++
				if sec, fok = field(2); !fok {
					return
				}
			}
		}
		if pos < len(s) && s[pos] == '.' {
			pos++
			start := pos
			for pos < len(s) && isDigit(s[pos]) {
				pos++
			}
			fracDigits = pos - start
			ns = fracNanos(s[start:pos])
		}
	}
	var offset time.Duration
	if pos < len(s) {
		switch c := s[pos]; {
		case c == 'Z' && pos == len(s)-1:
			pos++
		case (c == '+' || c == '-') && len(s)-pos == 6 && s[pos+3] == ':' &&
			isDigit(s[pos+1]) && isDigit(s[pos+2]) && isDigit(s[pos+4]) && isDigit(s[pos+5]):
			offset = time.Duration(atoiDigits(s[pos+1:pos+3]))*time.Hour + time.Duration(atoiDigits(s[pos+4:pos+6]))*time.Minute
			if c == '-' {
				offset = -offset
			}
			pos = len(s)
		}
	}
	if pos != len(s) {
		return
	}
	t, ok = mkDatetime(y, mo, d, h, mi, sec, ns)
	if ok && offset != 0 {
		t = t.Add(-offset)
	}
	return
}

// parseCompactDatetime parses the delimiter-free forms; s[:n] are digits.
func parseCompactDatetime(s string, n int) (time.Time, bool, int, bool) {
	digits := s[:n]
	var y, rest int
	switch n {
	case 6, 12:
		y, rest = twoDigitYear(atoiDigits(digits[:2])), 2
	case 8, 14:
		y, rest = atoiDigits(digits[:4]), 4
	default:
		return time.Time{}, false, 0, false
	}
	mo := atoiDigits(digits[rest : rest+2])
	d := atoiDigits(digits[rest+2 : rest+4])
	hasTime := n >= 12
	var h, mi, sec, ns, fd int
	if hasTime {
		h = atoiDigits(digits[rest+4 : rest+6])
		mi = atoiDigits(digits[rest+6 : rest+8])
		sec = atoiDigits(digits[rest+8 : rest+10])
		if n < len(s) { // '.' then digits
			f := s[n+1:]
			for i := 0; i < len(f); i++ {
				if !isDigit(f[i]) {
					return time.Time{}, false, 0, false
				}
			}
			fd, ns = len(f), fracNanos(f)
		}
	}
	t, ok := mkDatetime(y, mo, d, h, mi, sec, ns)
	return t, hasTime, fd, ok
}

// parseDuration parses a TIME literal: '[-][D ]hh:mm[:ss][.f]', '[-]D hh',
// '[-]hhmmss[.f]' (digits right-aligned: 'mmss', 'ss'), or a datetime
// (its time of day).
func parseDuration(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	// A datetime ('2020-01-01 10:00:00', '20200101103000') gives its time
	// of day; 'hhmmss' and '-hh:mm' are durations.
	digits := 0
	for digits < len(s) && isDigit(s[digits]) {
		digits++
	}
	if (digits > 0 && strings.ContainsAny(s, "-/")) || digits == 12 || digits == 14 {
		if t, hasTime, _, ok := parseDatetime(s); ok {
			return timeOfDay(t) * time.Duration(btoi(hasTime)), true
		}
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	} else if s[0] == '+' {
		s = s[1:]
	}
	var days, h, mi, sec, ns int
	frac := ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s, frac = s[:i], s[i+1:]
		for j := 0; j < len(frac); j++ {
			if !isDigit(frac[j]) {
				return 0, false
			}
		}
		ns = fracNanos(frac)
	}
	allDigits := func(x string) bool {
		if x == "" {
			return false
		}
		for i := 0; i < len(x); i++ {
			if !isDigit(x[i]) {
				return false
			}
		}
		return true
	}
	if sp := strings.IndexByte(s, ' '); sp >= 0 {
		if !allDigits(s[:sp]) {
			return 0, false
		}
		days = atoiDigits(s[:sp])
		s = strings.TrimLeft(s[sp+1:], " ")
		if !strings.Contains(s, ":") {
			if !allDigits(s) || len(s) > 2 {
				return 0, false
			}
			h = atoiDigits(s)
			s = ""
		}
	}
	switch {
	case s == "":
	case strings.Contains(s, ":"):
		parts := strings.Split(s, ":")
		if len(parts) > 3 {
			return 0, false
		}
		for _, p := range parts {
			if !allDigits(p) || len(p) > 7 {
				return 0, false
			}
		}
		h = atoiDigits(parts[0])
		mi = atoiDigits(parts[1])
		if len(parts) == 3 {
			sec = atoiDigits(parts[2])
		}
	default:
		if !allDigits(s) || len(s) > 7 {
			return 0, false
		}
		n := atoiDigits(s)
		h, mi, sec = n/10000, n/100%100, n%100
	}
	if mi > 59 || sec > 59 {
		return 0, false
	}
	d := time.Duration(days*24+h)*time.Hour + time.Duration(mi)*time.Minute +
		time.Duration(sec)*time.Second + time.Duration(ns)
	if neg {
		d = -d
	}
	return d, true
}

// appendTime appends a KindTime value's display form (see Format).
func appendTime(dst []byte, v Value) []byte {
	fsp := v.Fsp()
	var frac int // nanoseconds
	switch v.TimeType() {
	case TimeDate:
		return appendDate(dst, v.T)
	case TimeDuration:
		d := v.Duration()
		if d < 0 {
			dst = append(dst, '-')
			d = -d
		}
		h := int64(d / time.Hour)
		if h < 10 {
			dst = append(dst, '0')
		}
		dst = strconv.AppendInt(dst, h, 10)
		dst = append(dst, ':')
		dst = append2(dst, int(d/time.Minute%60))
		dst = append(dst, ':')
		dst = append2(dst, int(d/time.Second%60))
		frac = int(d % time.Second)
	default:
		dst = appendDate(dst, v.T)
		dst = append(dst, ' ')
		h, m, s := v.T.Clock()
		dst = append2(dst, h)
		dst = append(dst, ':')
		dst = append2(dst, m)
		dst = append(dst, ':')
		dst = append2(dst, s)
		frac = v.T.Nanosecond()
	}
	if fsp < 0 {
		fsp = 0
		if frac/1000 != 0 {
			fsp = 6
		}
	}
	if fsp > 0 {
		dst = append(dst, '.')
		f := frac / int(pow10int64[9-fsp])
		var buf [6]byte
		for i := fsp - 1; i >= 0; i-- {
			buf[i] = byte('0' + f%10)
			f /= 10
		}
		dst = append(dst, buf[:fsp]...)
	}
	return dst
}

// appendDate appends 'YYYY-MM-DD'.
func appendDate(dst []byte, t time.Time) []byte {
	y, m, d := t.Date()
	dst = append2(dst, y/100)
	dst = append2(dst, y%100)
	dst = append(dst, '-')
	dst = append2(dst, int(m))
	dst = append(dst, '-')
	return append2(dst, d)
}

// append2 appends n (0..99) as two digits.
func append2(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/10%10), byte('0'+n%10))
}

// --- MySQL calendar helpers --------------------------------------------------

// calcDaynr is MySQL's day number (TO_DAYS): days since year 0.
func calcDaynr(year, month, day int) int64 {
	if year == 0 && month == 0 {
		return 0
	}
	y := year
	delsum := int64(365*y + 31*(month-1) + day)
	if month <= 2 {
		y--
	} else {
		delsum -= int64((month*4 + 23) / 10)
	}
	temp := ((y/100 + 1) * 3) / 4
	return delsum + int64(y/4) - int64(temp)
}

// calcWeekday returns 0 = Monday (or Sunday if sundayFirst) for a day
// number.
func calcWeekday(daynr int64, sundayFirst bool) int {
	k := int64(5)
	if sundayFirst {
		k = 6
	}
	return int((daynr + k) % 7)
}

// daysInYear returns 365 or 366.
func daysInYear(y int) int64 {
	if (y&3) == 0 && (y%100 != 0 || (y%400 == 0 && y != 0)) {
		return 366
	}
	return 365
}

// week behaviour flags of MySQL's calc_week.
const (
	weekMondayFirst  = 1
	weekYear         = 2
	weekFirstWeekday = 4
)

// weekMode converts WEEK()'s mode argument to calc_week flags.
func weekMode(mode int) int {
	wf := mode & 7
	if wf&weekMondayFirst == 0 {
		wf ^= weekFirstWeekday
	}
	return wf
}

// calcWeek is MySQL's calc_week: the week number and the year it belongs to.
func calcWeek(t time.Time, behaviour int) (week int, year int) {
	y, m, d := t.Date()
	daynr := calcDaynr(y, int(m), d)
	firstDaynr := calcDaynr(y, 1, 1)
	mondayFirst := behaviour&weekMondayFirst != 0
	wYear := behaviour&weekYear != 0
	firstWeekday := behaviour&weekFirstWeekday != 0
	weekday := calcWeekday(firstDaynr, !mondayFirst)
	year = y
	if m == 1 && d <= 7-weekday {
		if !wYear && ((firstWeekday && weekday != 0) || (!firstWeekday && weekday >= 4)) {
			return 0, year
		}
		wYear = true
		year--
		days := daysInYear(year)
		firstDaynr -= days
		weekday = int((int64(weekday) + 53*7 - days) % 7)
	}
	var days int64
	if (firstWeekday && weekday != 0) || (!firstWeekday && weekday >= 4) {
		days = daynr - (firstDaynr + int64(7-weekday))
	} else {
		days = daynr - (firstDaynr - int64(weekday))
	}
	if wYear && days >= 52*7 {
		weekday = int((int64(weekday) + daysInYear(year)) % 7)
		if (!firstWeekday && weekday < 4) || (firstWeekday && weekday == 0) {
			return 1, year + 1
		}
	}
	return int(days/7 + 1), year
}
