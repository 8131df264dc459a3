package sqlfront

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/xwb1989/sqlparser"
)

// This file holds the datetime parser and formatter and the date and time
// functions. bxdb's session time zone is UTC ('+00:00'): NOW() and
// FROM_UNIXTIME() are UTC, and DATETIME and TIMESTAMP values are stored as
// UTC instants.

// --- Date functions ----------------------------------------------------------

// dateArg converts a function argument to an instant (see toDatetime) and
// reports whether it was a date without time.
func dateArg(v Value) (time.Time, bool, bool) {
	switch v.K {
	case KindTime:
		if v.TimeType() == TimeDuration {
			t, ok := toDatetime(v)
			return t, false, ok
		}
		return v.T, v.TimeType() == TimeDate, true
	case KindString, KindBytes:
		t, hasTime, _, ok := parseDatetime(v.S)
		return t, !hasTime, ok
	}
	t, ok := toDatetime(v)
	if ok && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		o := toNumOperand(v)
		return t, o.c != ncFloat && o.decimal().IntDigits() <= 8, true
	}
	return t, false, ok
}

// fspArg reads an optional fractional-seconds precision argument.
func fspArg(args []Value) (int, error) {
	if len(args) == 0 {
		return 0, nil
	}
	n := ToInt64(args[0])
	if n < 0 || n > 6 {
		return 0, NewSQLError(1426, "Too-big precision %d specified for 'now'. Maximum is 6.", n)
	}
	return int(n), nil
}

// truncTime truncates t to fsp digits (NOW() truncates, it does not round).
func truncTime(t time.Time, fsp int) time.Time {
	return t.Truncate(time.Duration(pow10int64[9-fsp]))
}

// nowValue is NOW([fsp]).
func nowValue(env *Env, args []Value) (Value, error) {
	fsp, err := fspArg(args)
	if err != nil {
		return Null, err
	}
	return DatetimeValue(truncTime(env.localNow(), fsp), fsp), nil
}

// utcNowValue is UTC_TIMESTAMP([fsp]): NOW() in UTC, whatever the session
// time zone.
func utcNowValue(env *Env, args []Value) (Value, error) {
	fsp, err := fspArg(args)
	if err != nil {
		return Null, err
	}
	return DatetimeValue(truncTime(env.now(), fsp), fsp), nil
}

// timeOfDay returns t's time since midnight.
func timeOfDay(t time.Time) time.Duration {
	y, m, d := t.Date()
	return t.Sub(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// dateField defines a function of one date argument returning an int.
func dateField(name string, f func(t time.Time) int64) *funcDef {
	return &funcDef{name: name, min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
		t, _, ok := dateArg(a[0])
		if !ok {
			return Null, nil
		}
		return IntValue(f(t)), nil
	}}
}

// timeField defines a function of one TIME-ish argument returning an int.
func timeField(name string, f func(d time.Duration) int64) *funcDef {
	return &funcDef{name: name, min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
		d, ok := toDuration(a[0])
		if !ok {
			return Null, nil
		}
		if d < 0 {
			d = -d
		}
		return IntValue(f(d)), nil
	}}
}

var dayNames = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
var monthNames = [...]string{"", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

// dateFormat implements DATE_FORMAT's specifiers.
func dateFormat(t time.Time, format string) string {
	var b []byte
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i == len(format)-1 {
			b = append(b, c)
			continue
		}
		i++
		y, mo, d := t.Date()
		h, mi, s := t.Clock()
		switch format[i] {
		case 'a':
			b = append(b, dayNames[t.Weekday()][:3]...)
		case 'b':
			b = append(b, monthNames[mo][:3]...)
		case 'c':
			b = strconv.AppendInt(b, int64(mo), 10)
		case 'D':
			b = strconv.AppendInt(b, int64(d), 10)
			switch {
			case d >= 11 && d <= 13:
				b = append(b, "th"...)
			case d%10 == 1:
				b = append(b, "st"...)
			case d%10 == 2:
				b = append(b, "nd"...)
			case d%10 == 3:
				b = append(b, "rd"...)
			default:
				b = append(b, "th"...)
			}
		case 'd':
			b = append2(b, d)
		case 'e':
			b = strconv.AppendInt(b, int64(d), 10)
		case 'f':
			us := t.Nanosecond() / 1000
			b = append(b, []byte(strconv.Itoa(1000000 + us))[1:]...)
		case 'H':
			b = append2(b, h)
		case 'h', 'I':
			b = append2(b, (h+11)%12+1)
		case 'i':
			b = append2(b, mi)
		case 'j':
			yd := t.YearDay()
			b = append(b, byte('0'+yd/100))
			b = append2(b, yd%100)
		case 'k':
			b = strconv.AppendInt(b, int64(h), 10)
		case 'l':
			b = strconv.AppendInt(b, int64((h+11)%12+1), 10)
		case 'M':
			b = append(b, monthNames[mo]...)
		case 'm':
			b = append2(b, int(mo))
		case 'p':
			if h < 12 {
				b = append(b, "AM"...)
			} else {
				b = append(b, "PM"...)
			}
		case 'r':
			b = append2(b, (h+11)%12+1)
			b = append(b, ':')
			b = append2(b, mi)
			b = append(b, ':')
			b = append2(b, s)
			if h < 12 {
				b = append(b, " AM"...)
			} else {
				b = append(b, " PM"...)
			}
		case 'S', 's':
			b = append2(b, s)
		case 'T':
			b = append2(b, h)
			b = append(b, ':')
			b = append2(b, mi)
			b = append(b, ':')
			b = append2(b, s)
		case 'U', 'u', 'V', 'v':
			beh := weekMode(strings.IndexByte("UuVv", format[i]))
			if format[i] == 'V' || format[i] == 'v' {
				beh |= weekYear
			}
			w, _ := calcWeek(t, beh)
			b = append2(b, w)
		case 'W':
			b = append(b, dayNames[t.Weekday()]...)
		case 'w':
			b = strconv.AppendInt(b, int64(t.Weekday()), 10)
		case 'X', 'x':
			beh := weekMode(2) | weekYear
			if format[i] == 'x' {
				beh = weekMode(3) | weekYear
			}
			_, wy := calcWeek(t, beh)
			b = append(b, []byte(strconv.Itoa(10000 + wy))[1:]...)
		case 'Y':
			b = append2(b, y/100)
			b = append2(b, y%100)
		case 'y':
			b = append2(b, y%100)
		default:
			b = append(b, format[i])
		}
	}
	return string(b)
}

// strToDate implements STR_TO_DATE(s, format) for the specifiers other
// than week numbers (%Y %y %m %c %d %e %D %H %k %h %I %l %i %s %S %f %p %M
// %b %a %W %w %r %T %j %%; %U %u %V %v %X %x give NULL); the
// result is a DATE when the format has no time specifier.
func strToDate(s, format string) (Value, bool) {
	y, mo, d, h, mi, sec, ns := 0, 1, 1, 0, 0, 0, 0
	pm, hasTime, hasDate, twelve := -1, false, false, false
	yday := 0
	pos := 0
	num := func(maxDigits int) (int, bool) {
		for pos < len(s) && s[pos] == ' ' {
			pos++
		}
		start := pos
		for pos < len(s) && isDigit(s[pos]) && pos-start < maxDigits {
			pos++
		}
		if pos == start {
			return 0, false
		}
		return atoiDigits(s[start:pos]), true
	}
	name := func(names []string, abbrev bool) (int, bool) {
		for i, n := range names {
			if n == "" {
				continue
			}
			if abbrev {
				n = n[:3]
			}
			if len(s)-pos >= len(n) && strings.EqualFold(s[pos:pos+len(n)], n) {
				pos += len(n)
				return i, true
			}
		}
		return 0, false
	}
	// hms reads hh:mm:ss into h, mi and sec (%T, %r).
	hms := func() bool {
		var ok bool
		if h, ok = num(2); ok && pos < len(s) && s[pos] == ':' {
			pos++
			if mi, ok = num(2); ok && pos < len(s) && s[pos] == ':' {
				pos++
				sec, ok = num(2)
			}
		}
		return ok
	}
	// ampm reads AM or PM into pm (%p, %r).
	ampm := func() bool {
		if len(s)-pos < 2 {
			return false
		}
		switch {
		case strings.EqualFold(s[pos:pos+2], "AM"):
			pm = 0
		case strings.EqualFold(s[pos:pos+2], "PM"):
			pm = 1
		default:
			return false
		}
		pos += 2
		return true
	}
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i == len(format)-1 {
			if c == ' ' {
				for pos < len(s) && s[pos] == ' ' {
					pos++
				}
				continue
			}
			if pos >= len(s) || s[pos] != c {
				return Null, false
			}
			pos++
			continue
		}
		i++
		ok := true
		switch format[i] {
		case 'Y':
			y, ok = num(4)
			hasDate = true
		case 'y':
			y, ok = num(2)
			y = twoDigitYear(y)
			hasDate = true
		case 'm', 'c':
			mo, ok = num(2)
			hasDate = true
		case 'd', 'e':
			d, ok = num(2)
			hasDate = true
		case 'j':
			yday, ok = num(3)
			hasDate = true
		case 'M':
			mo, ok = name(monthNames[:], false)
			hasDate = true
		case 'b':
			mo, ok = name(monthNames[:], true)
			hasDate = true
		case 'H', 'k':
			h, ok = num(2)
			hasTime = true
		case 'h', 'I', 'l':
			h, ok = num(2)
			hasTime, twelve = true, true
		case 'i':
			mi, ok = num(2)
			hasTime = true
		case 's', 'S':
			sec, ok = num(2)
			hasTime = true
		case 'f':
			start := pos
			for pos < len(s) && isDigit(s[pos]) && pos-start < 6 {
				pos++
			}
			ns = fracNanos(s[start:pos])
			hasTime = true
		case 'p':
			ok = ampm()
		case 'D': // day of the month with an English suffix: 1st, 22nd
			d, ok = num(2)
			if ok && len(s)-pos >= 2 && unicode.IsLetter(rune(s[pos])) && unicode.IsLetter(rune(s[pos+1])) {
				pos += 2
			}
			hasDate = true
		case 'a', 'W', 'w':
			// The day of the week: read and checked for form only (MySQL
			// uses it only with week numbers, which are not supported).
			if format[i] == 'w' {
				_, ok = num(1)
			} else {
				_, ok = name(dayNames[:], format[i] == 'a')
			}
		case 'r': // hh:mm:ss AM|PM
			ok = hms()
			for pos < len(s) && s[pos] == ' ' {
				pos++
			}
			ok = ok && ampm()
			hasTime, twelve = true, true
		case 'T':
			ok = hms()
			hasTime = true
		case '%':
			ok = pos < len(s) && s[pos] == '%'
			pos++
		default:
			ok = false
		}
		if !ok {
			return Null, false
		}
	}
	if twelve {
		if h < 1 || h > 12 {
			return Null, false
		}
		h %= 12
		if pm == 1 {
			h += 12
		}
	}
	if yday > 0 {
		t := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, yday-1)
		mo, d = int(t.Month()), t.Day()
	}
	if !hasDate && hasTime {
		dur := time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(sec)*time.Second + time.Duration(ns)
		return DurationValue(dur, 6*btoi(ns != 0)), true
	}
	t, ok := mkDatetime(y, mo, d, h, mi, sec, ns)
	if !ok {
		return Null, false
	}
	if !hasTime {
		return DateValue(t), true
	}
	return DatetimeValue(t, 6*btoi(ns != 0)), true
}

// btoi converts a bool to 0 or 1.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// --- Intervals ---------------------------------------------------------------

// interval is a parsed INTERVAL: months, days and microseconds.
type interval struct {
	months, days, micros int64
	timePart             bool // the unit has a time part (result is DATETIME even for a DATE)
	microPart            bool // the unit has microseconds (result has fsp 6)
}

// intervalFields lists the fields of compound units, most significant
// first: Y M D h m s u.
var intervalFields = map[string]string{
	"year_month":         "YM",
	"day_hour":           "Dh",
	"day_minute":         "Dhm",
	"day_second":         "Dhms",
	"day_microsecond":    "Dhmsu",
	"hour_minute":        "hm",
	"hour_second":        "hms",
	"hour_microsecond":   "hmsu",
	"minute_second":      "ms",
	"minute_microsecond": "msu",
	"second_microsecond": "su",
	"microsecond":        "u",
	"second":             "s",
	"minute":             "m",
	"hour":               "h",
	"day":                "D",
	"week":               "W",
	"month":              "M",
	"quarter":            "Q",
	"year":               "Y",
}

// parseInterval reads an interval amount for a unit.
func parseInterval(v Value, unit string) (interval, bool) {
	fields := intervalFields[unit]
	var iv interval
	var nums []int64
	neg := false
	if len(fields) == 1 {
		// A simple unit: a number; SECOND keeps its fraction.
		var n int64
		if fields == "s" {
			d := ToDecimal(v)
			if v.K == KindFloat {
				d, _ = DecimalFromFloat(v.F)
			}
			us, ok := d.Mul(DecimalFromInt(1e6)).Round(0).Int64()
			if !ok {
				return iv, false
			}
			iv.micros = us
			iv.timePart, iv.microPart = true, us%1e6 != 0
			return iv, true
		}
		if v.K == KindString || v.K == KindBytes {
			n = stringToInt(v.S)
		} else {
			n = ToInt64(v)
		}
		nums = []int64{n}
	} else {
		s := strings.TrimSpace(Format(v))
		if strings.HasPrefix(s, "-") {
			neg, s = true, s[1:]
		}
		for i := 0; i < len(s); {
			if !isDigit(s[i]) {
				i++
				continue
			}
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			num := s[i:j]
			if len(nums) == len(fields)-1 && fields[len(fields)-1] == 'u' {
				// Microseconds are a fraction: '.5' is 500000.
				if len(num) > 6 {
					num = num[:6]
				}
				num += strings.Repeat("0", 6-len(num))
			}
			if len(num) > 18 {
				return iv, false
			}
			n, _ := strconv.ParseInt(num, 10, 64)
			nums = append(nums, n)
			i = j
		}
		if len(nums) == 0 || len(nums) > len(fields) {
			return iv, false
		}
		// Missing leading fields: the numbers are right-aligned.
		fields = fields[len(fields)-len(nums):]
	}
	for i, f := range fields {
		n := nums[i]
		if n > 1e12 || n < -1e12 {
			return iv, false // far beyond year 9999 in any unit
		}
		if neg {
			n = -n
		}
		switch f {
		case 'Y':
			iv.months += 12 * n
		case 'Q':
			iv.months += 3 * n
		case 'M':
			iv.months += n
		case 'W':
			iv.days += 7 * n
		case 'D':
			iv.days += n
		case 'h':
			iv.micros += n * 3600e6
			iv.timePart = true
		case 'm':
			iv.micros += n * 60e6
			iv.timePart = true
		case 's':
			iv.micros += n * 1e6
			iv.timePart = true
		case 'u':
			iv.micros += n
			iv.timePart, iv.microPart = true, true
		}
	}
	if unit == "microsecond" || strings.HasSuffix(unit, "_microsecond") {
		iv.microPart = true
	}
	return iv, true
}

// addInterval adds iv (negated if sub) to t; false if out of range.
func addInterval(t time.Time, iv interval, sub bool) (time.Time, bool) {
	if sub {
		iv.months, iv.days, iv.micros = -iv.months, -iv.days, -iv.micros
	}
	if iv.months != 0 {
		if iv.months > 120000 || iv.months < -120000 {
			return t, false
		}
		y, m, d := t.Date()
		total := int64(y)*12 + int64(m-1) + iv.months
		ny, nm := int(total/12), time.Month(total%12+1)
		if total < 0 {
			return t, false
		}
		d = min(d, daysIn(ny, nm))
		h, mi, s := t.Clock()
		t = time.Date(ny, nm, d, h, mi, s, t.Nanosecond(), time.UTC)
	}
	days := iv.days + iv.micros/86400e6
	rest := iv.micros % 86400e6
	if days > 3700000 || days < -3700000 {
		return t, false
	}
	t = t.AddDate(0, 0, int(days)).Add(time.Duration(rest) * time.Microsecond)
	if t.Year() < 0 || t.Year() > 9999 {
		return t, false
	}
	return t, true
}

// dateAddExpr is DATE_ADD, DATE_SUB, ADDDATE, SUBDATE, TIMESTAMPADD and
// `d ± INTERVAL n unit`.
type dateAddExpr struct {
	base, amount Expr
	unit         string // lower-case unit name
	sub          bool
	// param: base is a placeholder, whose string value MySQL resolves to
	// DATE or DATETIME; a string from anywhere else gives a string.
	param bool
}

func (e *dateAddExpr) Eval(env *Env) (Value, error) {
	bv, err := e.base.Eval(env)
	if err != nil || bv.K == KindNull {
		return Null, err
	}
	av, err := e.amount.Eval(env)
	if err != nil || av.K == KindNull {
		return Null, err
	}
	iv, ok := parseInterval(av, e.unit)
	if !ok {
		return Null, nil
	}
	if bv.K == KindTime && bv.TimeType() == TimeDuration && iv.months == 0 && iv.days == 0 {
		d := time.Duration(iv.micros) * time.Microsecond
		if e.sub {
			d = -d
		}
		fsp := bv.Fsp()
		if iv.microPart {
			fsp = 6
		}
		return DurationValue(bv.Duration()+d, fsp), nil
	}
	t, isDate, ok := dateArg(bv)
	if !ok {
		return Null, nil
	}
	r, ok := addInterval(t, iv, e.sub)
	if !ok {
		return Null, nil
	}
	if bv.K == KindString && !e.param {
		// MySQL's VARCHAR result: the date, or the date and time (with
		// microseconds when there are some).
		switch {
		case isDate && !iv.timePart:
			return StringValue(Format(DateValue(r))), nil
		case r.Nanosecond() != 0 || iv.microPart:
			return StringValue(Format(DatetimeValue(r, 6))), nil
		}
		return StringValue(Format(DatetimeValue(r, 0))), nil
	}
	if isDate && !iv.timePart {
		return DateValue(r), nil
	}
	fsp := -1
	if bv.K == KindTime && !isDate {
		fsp = bv.Fsp()
	}
	if iv.microPart {
		fsp = 6
	}
	if fsp < 0 {
		return Value{K: KindTime, T: r, I: timeMeta(TimeDatetime, -1)}, nil
	}
	return DatetimeValue(r, fsp), nil
}
func (e *dateAddExpr) kids() []Expr { return []Expr{e.base, e.amount} }

// intervalUnit validates an interval unit name.
func intervalUnit(u string) (string, error) {
	u = strings.ToLower(u)
	if _, ok := intervalFields[u]; !ok {
		return "", syntaxError(u)
	}
	return u, nil
}

// compileDateArith compiles base ± INTERVAL n unit.
func (c *compiler) compileDateArith(base sqlparser.Expr, iv *sqlparser.IntervalExpr, sub bool) (Expr, error) {
	unit, err := intervalUnit(iv.Unit)
	if err != nil {
		return nil, err
	}
	xs, err := c.compileList([]sqlparser.Expr{base, iv.Expr})
	if err != nil {
		return nil, err
	}
	return c.fold(&dateAddExpr{base: xs[0], amount: xs[1], unit: unit, sub: sub, param: isParam(xs[0])}), nil
}

// isParam reports whether e is a placeholder.
func isParam(e Expr) bool {
	_, ok := e.(*argExpr)
	return ok
}

// buildDateAdd returns the build callback of DATE_ADD-like functions:
// (date, INTERVAL n unit), or (date, n) meaning days when allowDays.
func buildDateAdd(sub, allowDays bool) func(c *compiler, args []sqlparser.Expr) (Expr, error) {
	return func(c *compiler, args []sqlparser.Expr) (Expr, error) {
		if iv, ok := args[1].(*sqlparser.IntervalExpr); ok {
			return c.compileDateArith(args[0], iv, sub)
		}
		if !allowDays {
			return nil, syntaxError(exprText(args[1]))
		}
		xs, err := c.compileList(args)
		if err != nil {
			return nil, err
		}
		return c.fold(&dateAddExpr{base: xs[0], amount: xs[1], unit: "day", sub: sub, param: isParam(xs[0])}), nil
	}
}

// unitArg reads the unit argument of TIMESTAMPDIFF/TIMESTAMPADD, which
// sqlparser parses as a column name.
func unitArg(e sqlparser.Expr) (string, error) {
	col, ok := e.(*sqlparser.ColName)
	if !ok || !col.Qualifier.IsEmpty() {
		return "", syntaxError(exprText(e))
	}
	u := strings.ToLower(col.Name.String())
	if u == "sql_tsi_day" || strings.HasPrefix(u, "sql_tsi_") {
		u = strings.TrimPrefix(u, "sql_tsi_")
	}
	if f, ok := intervalFields[u]; !ok || len(f) != 1 {
		return "", syntaxError(u)
	}
	return u, nil
}

// diffUnits are TIMESTAMPDIFF's divisors: months for MONTH, QUARTER and
// YEAR, microseconds for the others.
var diffUnits = map[string]int64{
	"month": 1, "quarter": 3, "year": 12,
	"microsecond": 1, "second": 1e6, "minute": 60e6, "hour": 3600e6, "day": 86400e6, "week": 7 * 86400e6,
}

// timestampDiffExpr is TIMESTAMPDIFF(unit, a, b): b - a in whole units.
type timestampDiffExpr struct {
	unit string
	a, b Expr
}

func (e *timestampDiffExpr) Eval(env *Env) (Value, error) {
	av, err := e.a.Eval(env)
	if err != nil || av.K == KindNull {
		return Null, err
	}
	bv, err := e.b.Eval(env)
	if err != nil || bv.K == KindNull {
		return Null, err
	}
	a, _, ok1 := dateArg(av)
	b, _, ok2 := dateArg(bv)
	if !ok1 || !ok2 {
		return Null, nil
	}
	switch e.unit {
	case "month", "quarter", "year":
		months := int64(b.Year()-a.Year())*12 + int64(b.Month()-a.Month())
		rest := func(t time.Time) time.Duration {
			return time.Duration(t.Day())*24*time.Hour + timeOfDay(t)
		}
		if months > 0 && rest(b) < rest(a) {
			months--
		} else if months < 0 && rest(b) > rest(a) {
			months++
		}
		return IntValue(months / diffUnits[e.unit]), nil
	}
	us := (b.Unix()-a.Unix())*1e6 + int64(b.Nanosecond()/1000-a.Nanosecond()/1000)
	return IntValue(us / diffUnits[e.unit]), nil
}
func (e *timestampDiffExpr) kids() []Expr { return []Expr{e.a, e.b} }

// extractExpr is EXTRACT(unit FROM x). fields are the unit's letters (see
// intervalFields); a compound unit concatenates its fields' digits, as
// MySQL does: DAY_MINUTE of 2019-07-02 01:02:03 is 20102.
type extractExpr struct {
	fields string
	x      Expr
}

func (e *extractExpr) Eval(env *Env) (Value, error) {
	v, err := e.x.Eval(env)
	if err != nil || v.K == KindNull {
		return Null, err
	}
	var t time.Time       // the date, for Y Q M W D
	var tod time.Duration // the time (of day, or a TIME value), for h m s u
	if strings.ContainsAny(e.fields, "YQMWD") {
		d, _, ok := dateArg(v)
		if !ok {
			return Null, nil
		}
		y, m, dd := d.Date()
		t, tod = d, d.Sub(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC))
	} else {
		ok := false
		if v.K == KindString || v.K == KindBytes {
			if d, hasTime, _, dok := parseDatetime(v.S); dok && hasTime {
				y, m, dd := d.Date()
				tod, ok = d.Sub(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)), true
			}
		}
		if !ok {
			if tod, ok = toDuration(v); !ok {
				return Null, nil
			}
		}
	}
	neg := tod < 0
	if neg {
		tod = -tod
	}
	var r int64
	for i, f := range e.fields {
		var x, width int64
		switch f {
		case 'Y':
			x, width = int64(t.Year()), 4
		case 'Q':
			x, width = int64(t.Month()+2)/3, 1
		case 'M':
			x, width = int64(t.Month()), 2
		case 'W':
			w, _ := calcWeek(t, weekMode(0))
			x, width = int64(w), 2
		case 'D':
			x, width = int64(t.Day()), 2
		case 'h':
			x, width = int64(tod/time.Hour), 2
		case 'm':
			x, width = int64(tod/time.Minute)%60, 2
		case 's':
			x, width = int64(tod/time.Second)%60, 2
		case 'u':
			x, width = int64(tod%time.Second)/1000, 6
		}
		if i == 0 {
			r = x
			continue
		}
		for range width {
			r *= 10
		}
		r += x
	}
	if neg {
		r = -r
	}
	return IntValue(r), nil
}
func (e *extractExpr) kids() []Expr { return []Expr{e.x} }

// timeDiffArg reads an argument of TIMEDIFF: an instant (dt true) or a
// TIME duration (as durationEpoch plus it), and its fractional digits.
func timeDiffArg(v Value) (t time.Time, dt bool, fsp int, ok bool) {
	switch v.K {
	case KindTime:
		if v.TimeType() == TimeDuration {
			return v.T, false, max(v.Fsp(), 0), true
		}
		return v.T, true, max(v.Fsp(), 0), true
	case KindString, KindBytes:
		s := strings.TrimSpace(v.S)
		if i := strings.LastIndexByte(s, '.'); i >= 0 && i > strings.LastIndexByte(s, ':') {
			fsp = min(len(s)-i-1, 6)
		}
		if strings.IndexByte(strings.TrimPrefix(s, "-"), '-') >= 0 {
			t, _, _, ok := parseDatetime(s)
			return t, true, fsp, ok
		}
		d, ok := parseDuration(s)
		return durationEpoch.Add(d), false, fsp, ok
	}
	d, ok := toDuration(v)
	return durationEpoch.Add(d), false, 0, ok
}

// addTime implements ADDTIME(x, d) and, with sub, SUBTIME(x, d): x a
// DATETIME (the result is one) or a TIME (the result is a TIME, within
// MySQL's ±838:59:59), d a TIME; a DATETIME d, or an argument that is
// neither, gives NULL, as in MySQL.
func addTime(x, d Value, sub bool) Value {
	t, dt, xfsp, ok1 := timeDiffArg(x)
	dur, ddt, dfsp, ok2 := timeDiffArg(d)
	if !ok1 || !ok2 || ddt {
		return Null
	}
	delta := dur.Sub(durationEpoch)
	if sub {
		delta = -delta
	}
	fsp := max(xfsp, dfsp)
	if dt {
		r := t.Add(delta)
		if r.Year() < 1 || r.Year() > 9999 {
			return Null
		}
		return DatetimeValue(r, fsp)
	}
	lim := maxDuration.Truncate(time.Second)
	return DurationValue(min(max(t.Sub(durationEpoch)+delta, -lim), lim), fsp)
}

// unixTimestamp implements UNIX_TIMESTAMP(x): seconds since the epoch of
// x read as a wall clock time in the session zone loc, a decimal when x
// has fractional seconds, 0 outside the supported range.
func unixTimestamp(v Value, loc *time.Location) Value {
	t, _, ok := dateArg(v)
	if !ok {
		return Null
	}
	t = zonedInstant(t, loc)
	fsp := 0
	switch v.K {
	case KindTime:
		fsp = v.Fsp()
		if fsp < 0 {
			fsp = 6 * btoi(t.Nanosecond()/1000 != 0)
		}
	case KindString, KindBytes:
		_, _, fd, _ := parseDatetime(v.S)
		fsp = min(fd, 6)
	}
	if t.Before(time.Unix(0, 0)) || t.After(time.Date(3001, 1, 19, 3, 14, 7, 999999000, time.UTC)) {
		return IntValue(0)
	}
	if fsp == 0 {
		return IntValue(t.Unix())
	}
	d := DecimalFromInt(t.UnixMicro())
	d = Decimal{coef: d.coef, scale: 6}.Rescale(fsp)
	return DecimalValue(d)
}

// fromUnixtime implements FROM_UNIXTIME(n): the wall clock time of the
// session zone loc at n seconds since the epoch; NULL for negative or too
// large n; fsp from n's scale.
func fromUnixtime(v Value, loc *time.Location) Value {
	var d Decimal
	fsp := 0
	switch v.K {
	case KindFloat:
		d, _ = DecimalFromFloat(v.F)
		fsp = 6
	case KindString, KindBytes:
		d = ToDecimal(v)
		fsp = min(d.Scale(), 6)
	default:
		d = ToDecimal(v)
		fsp = min(d.Scale(), 6)
	}
	if d.Sign() < 0 || d.Cmp(DecimalFromInt(32536771199)) > 0 {
		return Null
	}
	us, _ := d.Mul(DecimalFromInt(1e6)).Round(0).Int64()
	return DatetimeValue(wallClock(time.UnixMicro(us), loc), fsp)
}

func init() {
	registerFuncs([]*funcDef{
		{name: "now", max: 1, flags: fEnv, eval: nowValue},
		{name: "sysdate", max: 1, flags: fVolatile, eval: func(env *Env, a []Value) (Value, error) {
			fsp, err := fspArg(a)
			if err != nil {
				return Null, err
			}
			return DatetimeValue(truncTime(wallClock(time.Now(), env.zone()), fsp), fsp), nil
		}},
		{name: "utc_timestamp", max: 1, flags: fEnv, eval: utcNowValue},
		{name: "curdate", flags: fEnv, eval: func(env *Env, _ []Value) (Value, error) {
			return DateValue(env.localNow()), nil
		}},
		{name: "utc_date", flags: fEnv, eval: func(env *Env, _ []Value) (Value, error) {
			return DateValue(env.now()), nil
		}},
		{name: "curtime", max: 1, flags: fEnv, eval: func(env *Env, a []Value) (Value, error) {
			fsp, err := fspArg(a)
			if err != nil {
				return Null, err
			}
			return DurationValue(timeOfDay(truncTime(env.localNow(), fsp)), fsp), nil
		}},
		{name: "utc_time", max: 1, flags: fEnv, eval: func(env *Env, a []Value) (Value, error) {
			fsp, err := fspArg(a)
			if err != nil {
				return Null, err
			}
			return DurationValue(timeOfDay(truncTime(env.now(), fsp)), fsp), nil
		}},
		{name: "date", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			return castToDate(a[0]), nil
		}},
		{name: "time", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			d, ok := toDuration(a[0])
			if !ok {
				return Null, nil
			}
			fsp := -1
			if a[0].K == KindTime {
				fsp = a[0].Fsp()
			}
			if fsp < 0 {
				fsp = 6 * btoi(d%time.Second != 0)
			}
			return DurationValue(d, fsp), nil
		}},
		{name: "timestamp", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			t, ok := toDatetime(a[0])
			if !ok {
				return Null, nil
			}
			return Value{K: KindTime, T: t, I: timeMeta(TimeDatetime, -1)}, nil
		}},
		dateField("year", func(t time.Time) int64 { return int64(t.Year()) }),
		dateField("month", func(t time.Time) int64 { return int64(t.Month()) }),
		dateField("day", func(t time.Time) int64 { return int64(t.Day()) }),
		dateField("quarter", func(t time.Time) int64 { return int64(t.Month()+2) / 3 }),
		dateField("dayofweek", func(t time.Time) int64 { return int64(t.Weekday()) + 1 }),
		dateField("weekday", func(t time.Time) int64 { return (int64(t.Weekday()) + 6) % 7 }),
		dateField("dayofyear", func(t time.Time) int64 { return int64(t.YearDay()) }),
		dateField("to_days", func(t time.Time) int64 { y, m, d := t.Date(); return calcDaynr(y, int(m), d) }),
		timeField("hour", func(d time.Duration) int64 { return int64(d / time.Hour) }),
		timeField("minute", func(d time.Duration) int64 { return int64(d/time.Minute) % 60 }),
		timeField("second", func(d time.Duration) int64 { return int64(d/time.Second) % 60 }),
		timeField("microsecond", func(d time.Duration) int64 { return int64(d%time.Second) / 1000 }),
		{name: "time_to_sec", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			d, ok := toDuration(a[0])
			if !ok {
				return Null, nil
			}
			return IntValue(int64(d / time.Second)), nil // signed, unlike HOUR() and the others
		}},
		{name: "dayname", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			t, _, ok := dateArg(a[0])
			if !ok {
				return Null, nil
			}
			return StringValue(dayNames[t.Weekday()]), nil
		}},
		{name: "monthname", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			t, _, ok := dateArg(a[0])
			if !ok {
				return Null, nil
			}
			return StringValue(monthNames[t.Month()]), nil
		}},
		{name: "week", min: 1, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			t, _, ok := dateArg(a[0])
			if !ok {
				return Null, nil
			}
			mode := 0
			if len(a) == 2 {
				mode = int(ToInt64(a[1]))
			}
			w, _ := calcWeek(t, weekMode(mode))
			return IntValue(int64(w)), nil
		}},
		{name: "yearweek", min: 1, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			t, _, ok := dateArg(a[0])
			if !ok {
				return Null, nil
			}
			mode := 0
			if len(a) == 2 {
				mode = int(ToInt64(a[1]))
			}
			w, y := calcWeek(t, weekMode(mode)|weekYear)
			return IntValue(int64(y)*100 + int64(w)), nil
		}},
		{name: "last_day", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			t, _, ok := dateArg(a[0])
			if !ok {
				return Null, nil
			}
			return DateValue(time.Date(t.Year(), t.Month(), daysIn(t.Year(), t.Month()), 0, 0, 0, 0, time.UTC)), nil
		}},
		{name: "makedate", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			y, doy := ToInt64(a[0]), ToInt64(a[1])
			if doy <= 0 || y < 0 || y > 9999 {
				return Null, nil
			}
			if y < 100 {
				y = int64(twoDigitYear(int(y)))
			}
			t := time.Date(int(y), 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(min(doy, 4000000))-1)
			if t.Year() > 9999 {
				return Null, nil
			}
			return DateValue(t), nil
		}},
		{name: "timediff", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			x, xdt, xfsp, ok1 := timeDiffArg(a[0])
			y, ydt, yfsp, ok2 := timeDiffArg(a[1])
			if !ok1 || !ok2 || xdt != ydt {
				return Null, nil // MySQL: both DATETIME or both TIME, else NULL
			}
			fsp := max(xfsp, yfsp)
			lim := maxDuration.Truncate(time.Second) // TIME's limit is 838:59:59.000000
			d := x.Sub(y)                            // saturates past ±292 years instead of wrapping
			return DurationValue(min(max(d, -lim), lim), fsp), nil
		}},
		{name: "addtime", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) { return addTime(a[0], a[1], false), nil }},
		{name: "subtime", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) { return addTime(a[0], a[1], true), nil }},
		{name: "sec_to_time", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			d := ToDecimal(a[0])
			us, ok := d.Mul(DecimalFromInt(1e6)).Round(0).Int64()
			dur := time.Duration(us) * time.Microsecond
			if !ok || dur > maxDuration || dur < -maxDuration || us > 1<<50 || us < -(1<<50) {
				dur = maxDuration.Truncate(time.Second)
				if d.Sign() < 0 {
					dur = -dur
				}
			}
			return DurationValue(dur, min(d.Scale(), 6)), nil
		}},
		{name: "datediff", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			x, _, ok1 := dateArg(a[0])
			y, _, ok2 := dateArg(a[1])
			if !ok1 || !ok2 {
				return Null, nil
			}
			dx := calcDaynr(x.Year(), int(x.Month()), x.Day())
			dy := calcDaynr(y.Year(), int(y.Month()), y.Day())
			return IntValue(dx - dy), nil
		}},
		{name: "date_format", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			t, _, ok := dateArg(a[0])
			if !ok {
				return Null, nil
			}
			return StringValue(dateFormat(t, Format(a[1]))), nil
		}},
		{name: "str_to_date", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			v, _ := strToDate(Format(a[0]), Format(a[1]))
			return v, nil
		}},
		{name: "unix_timestamp", max: 1, flags: fEnv, eval: func(env *Env, a []Value) (Value, error) {
			if len(a) == 0 {
				return IntValue(env.now().Unix()), nil
			}
			if a[0].K == KindNull {
				return Null, nil
			}
			return unixTimestamp(a[0], env.zone()), nil
		}},
		{name: "from_unixtime", min: 1, max: 2, flags: fNullIn | fEnv, eval: func(env *Env, a []Value) (Value, error) {
			r := fromUnixtime(a[0], env.zone())
			if len(a) == 2 && r.K != KindNull {
				return StringValue(dateFormat(r.T, Format(a[1]))), nil
			}
			return r, nil
		}},
		{name: "date_add", min: 2, max: 2, build: buildDateAdd(false, false)},
		{name: "date_sub", min: 2, max: 2, build: buildDateAdd(true, false)},
		{name: "adddate", min: 2, max: 2, build: buildDateAdd(false, true)},
		{name: "subdate", min: 2, max: 2, build: buildDateAdd(true, true)},
		{name: "timestampdiff", min: 3, max: 3, build: func(c *compiler, args []sqlparser.Expr) (Expr, error) {
			unit, err := unitArg(args[0])
			if err != nil {
				return nil, err
			}
			xs, err := c.compileList(args[1:])
			if err != nil {
				return nil, err
			}
			return c.fold(&timestampDiffExpr{unit: unit, a: xs[0], b: xs[1]}), nil
		}},
		// EXTRACT(unit FROM d), as rewriteForms hands it over: (unit, d).
		{name: "extract", min: 2, max: 2, build: func(c *compiler, args []sqlparser.Expr) (Expr, error) {
			col, ok := args[0].(*sqlparser.ColName)
			if !ok || !col.Qualifier.IsEmpty() {
				return nil, syntaxError(exprText(args[0]))
			}
			fields, ok := intervalFields[strings.ToLower(col.Name.String())]
			if !ok {
				return nil, syntaxError(col.Name.String())
			}
			x, err := c.compile(args[1])
			if err != nil {
				return nil, err
			}
			return c.fold(&extractExpr{fields: fields, x: x}), nil
		}},
		{name: "timestampadd", min: 3, max: 3, build: func(c *compiler, args []sqlparser.Expr) (Expr, error) {
			unit, err := unitArg(args[0])
			if err != nil {
				return nil, err
			}
			xs, err := c.compileList([]sqlparser.Expr{args[2], args[1]})
			if err != nil {
				return nil, err
			}
			return c.fold(&dateAddExpr{base: xs[0], amount: xs[1], unit: unit, param: isParam(xs[0])}), nil
		}},
	})
	for _, a := range [][2]string{
		{"current_timestamp", "now"}, {"localtime", "now"}, {"localtimestamp", "now"},
		{"current_date", "curdate"}, {"current_time", "curtime"}, {"dayofmonth", "day"},
		{"u@now", "utc_timestamp"}, {"u@time", "utc_time"},
	} {
		aliasFunc(a[0], a[1])
	}
}

func init() {
	registerFuncs([]*funcDef{
		// t@l('date' | 'time' | 'timestamp', 'str'), written by
		// rewriteTypedLiterals for DATE 'str', TIME 'str' and TIMESTAMP
		// 'str': the value of that type, with the fraction digits the
		// string has; a string that is no such value is error 1525.
		{name: typedLiteralFunc, min: 2, max: 2, eval: func(_ *Env, a []Value) (Value, error) {
			typ, s := ToString(a[0]), ToString(a[1])
			fsp := 0
			if i := strings.LastIndexByte(s, '.'); i >= 0 && typ != "date" {
				fsp = min(len(strings.TrimRight(s[i+1:], " ")), 6)
			}
			var v Value
			switch typ {
			case "date":
				v = castToDate(StringValue(s))
			case "time":
				v = castToTime(StringValue(s), fsp)
			default:
				v = castToDatetime(StringValue(s), fsp)
			}
			if v.K == KindNull {
				return Null, NewSQLError(1525, "Incorrect %s value: '%s'", strings.ToUpper(typ), s)
			}
			return v, nil
		}},
	})
}
