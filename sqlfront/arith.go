package sqlfront

import (
	"errors"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// This file holds the exact DECIMAL type and MySQL's arithmetic.
//
// Result types follow MySQL:
//
//	int    op int     → int (BIGINT); overflow is error 1690
//	                    "BIGINT value is out of range"
//	int    /  int     → decimal with scale 4 (div_precision_increment)
//	decimal op int|decimal → decimal; '/' has the dividend's scale + 4
//	float  op any     → float; so do strings, converted like MySQL
//	                    (their numeric prefix, else 0)
//	x / 0, x DIV 0, x % 0 → NULL (ERROR_FOR_DIVISION_BY_ZERO only warns
//	                    in SELECT; the engine may reject it on INSERT)
//	NULL   op any     → NULL
//
// NB: a KindUint operand makes the operation "wide": the exact result is
// returned as KindInt or KindUint if it fits either, else error 1690 with
// "BIGINT UNSIGNED". MySQL types the result by the operand *columns*; a
// Value does not know whether it came from an unsigned column, so Arith
// gives 5 - 10 on two small BIGINT UNSIGNED values as -5. Compiled
// expressions know their operands' types and make that error 1690
// (arithExpr.unsigned).

// MaxDecimalPrecision and MaxDecimalScale are MySQL's DECIMAL limits:
// DECIMAL(65,30). Arithmetic results with more than MaxDecimalPrecision
// digits are error 1690; scales beyond MaxDecimalScale are rounded.
const (
	MaxDecimalPrecision = 65
	MaxDecimalScale     = 30
	divPrecIncrement    = 4 // MySQL's div_precision_increment default
)

// Decimal is an exact decimal number coef × 10^-scale. The zero Decimal is
// 0. Decimals are immutable values; the methods return new ones.
type Decimal struct {
	coef  int64    // coefficient when big == nil
	big   *big.Int // coefficient when it does not fit an int64; never mutated once set
	scale int32    // digits after the decimal point, >= 0
}

// pow10int64 holds 10^0 .. 10^18.
var pow10int64 = [19]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// bigPow10Cache holds 10^0 .. 10^99 as big.Ints (read-only).
var bigPow10Cache = func() []*big.Int {
	t := make([]*big.Int, 100)
	t[0] = big.NewInt(1)
	ten := big.NewInt(10)
	for i := 1; i < len(t); i++ {
		t[i] = new(big.Int).Mul(t[i-1], ten)
	}
	return t
}()

// bigPow10 returns 10^n; the result must not be modified.
func bigPow10(n int) *big.Int {
	if n < len(bigPow10Cache) {
		return bigPow10Cache[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// DecimalFromInt returns i as a Decimal with scale 0.
func DecimalFromInt(i int64) Decimal { return Decimal{coef: i} }

// DecimalFromUint returns u as a Decimal with scale 0.
func DecimalFromUint(u uint64) Decimal {
	if u <= math.MaxInt64 {
		return Decimal{coef: int64(u)}
	}
	return Decimal{big: new(big.Int).SetUint64(u)}
}

// DecimalFromFloat returns the shortest decimal that reads back as f,
// rounded to MaxDecimalScale digits. It fails for NaN, infinities and
// values needing more than MaxDecimalPrecision integer digits.
func DecimalFromFloat(f float64) (Decimal, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Decimal{}, errDecimalRange
	}
	d, err := ParseDecimal(strconv.FormatFloat(f, 'g', -1, 64))
	if err != nil {
		return Decimal{}, err
	}
	if int(d.scale) > MaxDecimalScale {
		d = d.Round(MaxDecimalScale)
	}
	return d, nil
}

// errDecimalSyntax and errDecimalRange are returned by ParseDecimal.
var (
	errDecimalSyntax = errors.New("sqlfront: invalid decimal")
	errDecimalRange  = errors.New("sqlfront: decimal out of range")
)

// ParseDecimal parses "[+-]digits[.digits][e[+-]digits]" (digits on at
// least one side of the point). The scale is the number of digits after the
// point (adjusted by the exponent); it is not limited here. It fails on
// anything else, including surrounding spaces, or if the value would need
// more than 2*MaxDecimalPrecision digits.
func ParseDecimal(s string) (Decimal, error) {
	d, n := decimalPrefix(s)
	if n != len(s) || n == 0 {
		return Decimal{}, errDecimalSyntax
	}
	if d.big != nil && len(d.big.Text(10)) > 2*MaxDecimalPrecision+1 {
		return Decimal{}, errDecimalRange
	}
	return d, nil
}

// decimalPrefix parses the longest decimal number at the start of s
// (no leading spaces) and returns it with the number of bytes consumed; 0
// bytes means no number. An exponent is consumed only if it is complete.
func decimalPrefix(s string) (Decimal, int) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	intStart := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intEnd := i
	fracStart, fracEnd := i, i
	if i < len(s) && s[i] == '.' {
		fracStart = i + 1
		j := fracStart
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		fracEnd = j
		if fracEnd > fracStart || intEnd > intStart {
			i = j
		}
	}
	if intEnd == intStart && fracEnd == fracStart {
		return Decimal{}, 0
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		eneg := false
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			eneg = s[j] == '-'
			j++
		}
		k := j
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			if exp < 10000 {
				exp = exp*10 + int(s[k]-'0')
			}
			k++
		}
		if k > j {
			if eneg {
				exp = -exp
			}
			i = k
		}
	}
	if exp == 0 && (intEnd-intStart)+(fracEnd-fracStart) <= 18 {
		// Fast path: no exponent, and the coefficient fits an int64.
		var c int64
		for k := intStart; k < intEnd; k++ {
			c = c*10 + int64(s[k]-'0')
		}
		for k := fracStart; k < fracEnd; k++ {
			c = c*10 + int64(s[k]-'0')
		}
		if neg {
			c = -c
		}
		return Decimal{coef: c, scale: int32(fracEnd - fracStart)}, i
	}
	digits := s[intStart:intEnd] + s[fracStart:fracEnd]
	scale := (fracEnd - fracStart) - exp
	// Strip leading zeros so that the int64 fast path applies more often.
	digits = strings.TrimLeft(digits, "0")
	if scale < 0 {
		if len(digits) > 0 {
			digits += strings.Repeat("0", min(-scale, 4*MaxDecimalPrecision))
		}
		scale = 0
	}
	if scale > 4*MaxDecimalPrecision {
		// Far below any representable digit: drop the excess.
		cut := scale - 4*MaxDecimalPrecision
		if cut >= len(digits) {
			digits = ""
		} else {
			digits = digits[:len(digits)-cut]
		}
		scale = 4 * MaxDecimalPrecision
	}
	var d Decimal
	if len(digits) <= 18 {
		var c int64
		for k := 0; k < len(digits); k++ {
			c = c*10 + int64(digits[k]-'0')
		}
		if neg {
			c = -c
		}
		d = Decimal{coef: c, scale: int32(scale)}
	} else {
		b, _ := new(big.Int).SetString(digits, 10)
		if neg {
			b.Neg(b)
		}
		d = mkDecimal(b, int32(scale))
	}
	return d, i
}

// mkDecimal returns b × 10^-scale, using the int64 form when b fits. b is
// retained.
func mkDecimal(b *big.Int, scale int32) Decimal {
	if b.IsInt64() {
		return Decimal{coef: b.Int64(), scale: scale}
	}
	return Decimal{big: b, scale: scale}
}

// bigCoef returns the coefficient as a new big.Int that the caller owns.
func (d Decimal) bigCoef() *big.Int {
	if d.big != nil {
		return new(big.Int).Set(d.big)
	}
	return big.NewInt(d.coef)
}

// Scale returns the number of digits after the decimal point.
func (d Decimal) Scale() int { return int(d.scale) }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int {
	if d.big != nil {
		return d.big.Sign()
	}
	switch {
	case d.coef < 0:
		return -1
	case d.coef > 0:
		return 1
	}
	return 0
}

// IsZero reports whether d is 0.
func (d Decimal) IsZero() bool { return d.Sign() == 0 }

// String returns the canonical text: optional '-', integer digits (at least
// one), and exactly Scale() digits after a '.' if Scale() > 0. Zero is never
// negative: "0.00".
func (d Decimal) String() string {
	var buf [40]byte
	return string(d.appendText(buf[:0]))
}

// appendText appends String() to dst.
func (d Decimal) appendText(dst []byte) []byte {
	var digits []byte
	neg := false
	var tmp [24]byte
	if d.big == nil {
		u := uint64(d.coef)
		if d.coef < 0 {
			neg = true
			u = -u
		}
		digits = strconv.AppendUint(tmp[:0], u, 10)
	} else {
		neg = d.big.Sign() < 0
		digits = new(big.Int).Abs(d.big).Append(nil, 10)
	}
	if len(digits) == 1 && digits[0] == '0' {
		neg = false
	}
	if neg {
		dst = append(dst, '-')
	}
	sc := int(d.scale)
	if sc == 0 {
		return append(dst, digits...)
	}
	if len(digits) <= sc {
		dst = append(dst, '0', '.')
		for i := len(digits); i < sc; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-sc]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-sc:]...)
}

// Precision returns the number of significant digit positions MySQL counts
// for d: integer digits (at least 1) plus the scale.
func (d Decimal) Precision() int {
	n := 0
	if d.big != nil {
		n = len(new(big.Int).Abs(d.big).Text(10))
	} else {
		u := uint64(d.coef)
		if d.coef < 0 {
			u = -u
		}
		n = len(strconv.FormatUint(u, 10))
	}
	intDigits := max(n-int(d.scale), 1)
	return intDigits + int(d.scale)
}

// IntDigits returns the number of digits before the point (0 for |d| < 1).
func (d Decimal) IntDigits() int {
	s := d.Truncate(0).String()
	s = strings.TrimPrefix(s, "-")
	if s == "0" {
		return 0
	}
	return len(s)
}

// rescaleSmall multiplies c by 10^k, reporting overflow.
func rescaleSmall(c int64, k int) (int64, bool) {
	if k == 0 {
		return c, true
	}
	if k > 18 {
		return 0, c == 0
	}
	p := pow10int64[k]
	hi, lo := bits.Mul64(uint64(absInt64(c)), uint64(p))
	if hi != 0 || lo > math.MaxInt64 || c == math.MinInt64 {
		return 0, false
	}
	if c < 0 {
		return -int64(lo), true
	}
	return int64(lo), true
}

// absInt64 returns |c| (MinInt64 stays MinInt64; callers check).
func absInt64(c int64) int64 {
	if c < 0 {
		return -c
	}
	return c
}

// align returns the coefficients of d and e at a common scale, as int64s if
// possible (ok) and else as big.Ints.
func align(d, e Decimal) (a, b int64, ab, bb *big.Int, scale int32, ok bool) {
	scale = max(d.scale, e.scale)
	if d.big == nil && e.big == nil {
		a, ok1 := rescaleSmall(d.coef, int(scale-d.scale))
		b, ok2 := rescaleSmall(e.coef, int(scale-e.scale))
		if ok1 && ok2 {
			return a, b, nil, nil, scale, true
		}
	}
	ab = d.bigCoef()
	if k := int(scale - d.scale); k > 0 {
		ab.Mul(ab, bigPow10(k))
	}
	bb = e.bigCoef()
	if k := int(scale - e.scale); k > 0 {
		bb.Mul(bb, bigPow10(k))
	}
	return 0, 0, ab, bb, scale, false
}

// Cmp compares d and e numerically: -1, 0 or +1.
func (d Decimal) Cmp(e Decimal) int {
	a, b, ab, bb, _, ok := align(d, e)
	if ok {
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	return ab.Cmp(bb)
}

// Add returns d + e with scale max(d.Scale(), e.Scale()).
func (d Decimal) Add(e Decimal) Decimal {
	a, b, ab, bb, scale, ok := align(d, e)
	if ok {
		if s, o := addInt64(a, b); o {
			return Decimal{coef: s, scale: scale}
		}
		ab, bb = big.NewInt(a), big.NewInt(b)
	}
	return mkDecimal(ab.Add(ab, bb), scale)
}

// Sub returns d - e with scale max(d.Scale(), e.Scale()).
func (d Decimal) Sub(e Decimal) Decimal { return d.Add(e.Neg()) }

// Neg returns -d.
func (d Decimal) Neg() Decimal {
	if d.big == nil {
		if d.coef == math.MinInt64 {
			return Decimal{big: new(big.Int).Neg(big.NewInt(d.coef)), scale: d.scale}
		}
		return Decimal{coef: -d.coef, scale: d.scale}
	}
	return mkDecimal(new(big.Int).Neg(d.big), d.scale)
}

// Abs returns |d|.
func (d Decimal) Abs() Decimal {
	if d.Sign() < 0 {
		return d.Neg()
	}
	return d
}

// Mul returns d × e with scale d.Scale()+e.Scale(), rounded half away from
// zero to MaxDecimalScale if larger.
func (d Decimal) Mul(e Decimal) Decimal {
	scale := d.scale + e.scale
	var r Decimal
	done := false
	if d.big == nil && e.big == nil && d.coef != math.MinInt64 && e.coef != math.MinInt64 {
		hi, lo := bits.Mul64(uint64(absInt64(d.coef)), uint64(absInt64(e.coef)))
		if hi == 0 && lo <= math.MaxInt64 {
			c := int64(lo)
			if (d.coef < 0) != (e.coef < 0) {
				c = -c
			}
			r, done = Decimal{coef: c, scale: scale}, true
		}
	}
	if !done {
		r = mkDecimal(new(big.Int).Mul(d.bigCoef(), e.bigCoef()), scale)
	}
	if r.scale > MaxDecimalScale {
		r = r.Round(MaxDecimalScale)
	}
	return r
}

// Div returns d / e rounded half away from zero to scale digits, and false
// if e is zero.
func (d Decimal) Div(e Decimal, scale int) (Decimal, bool) {
	if e.IsZero() {
		return Decimal{}, false
	}
	// d/e = (D/10^ds) / (E/10^es); Q = D × 10^(scale+es) / (E × 10^ds).
	num := d.bigCoef()
	num.Mul(num, bigPow10(scale+int(e.scale)))
	den := e.bigCoef()
	den.Mul(den, bigPow10(int(d.scale)))
	return mkDecimal(quoRoundHalfAway(num, den), int32(scale)), true
}

// quoRoundHalfAway returns num/den rounded half away from zero; it may
// reuse num.
func quoRoundHalfAway(num, den *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() != 0 {
		r.Abs(r)
		r.Lsh(r, 1)
		if r.CmpAbs(den) >= 0 {
			if (num.Sign() < 0) != (den.Sign() < 0) {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
	}
	return q
}

// Round returns d rounded half away from zero to scale digits after the
// point. A scale below 0 rounds to tens, hundreds, ... (the result then
// has scale 0); a scale at or above d's returns d unchanged.
func (d Decimal) Round(scale int) Decimal { return d.roundMode(scale, true) }

// Truncate returns d truncated toward zero to scale digits (see Round).
func (d Decimal) Truncate(scale int) Decimal { return d.roundMode(scale, false) }

// roundMode implements Round (halfAway) and Truncate.
func (d Decimal) roundMode(scale int, halfAway bool) Decimal {
	if scale >= int(d.scale) {
		return d
	}
	k := int(d.scale) - scale // digits to drop
	newScale := int32(max(scale, 0))
	if d.big == nil && k <= 18 {
		p := pow10int64[k]
		q, r := d.coef/p, d.coef%p
		if halfAway && 2*uint64(absInt64(r)) >= uint64(p) {
			if d.coef < 0 {
				q--
			} else {
				q++
			}
		}
		if scale < 0 {
			if c, ok := rescaleSmall(q, -scale); ok {
				return Decimal{coef: c, scale: 0}
			}
			return mkDecimal(new(big.Int).Mul(big.NewInt(q), bigPow10(-scale)), 0)
		}
		return Decimal{coef: q, scale: newScale}
	}
	c := d.bigCoef()
	p := bigPow10(k)
	var q *big.Int
	if halfAway {
		q = quoRoundHalfAway(c, p)
	} else {
		q = new(big.Int).Quo(c, p)
	}
	if scale < 0 {
		q.Mul(q, bigPow10(-scale))
	}
	return mkDecimal(q, newScale)
}

// Rescale returns d with exactly scale digits after the point: padded with
// zeros, or rounded half away from zero.
func (d Decimal) Rescale(scale int) Decimal {
	if scale < int(d.scale) {
		return d.Round(scale)
	}
	if scale == int(d.scale) {
		return d
	}
	k := scale - int(d.scale)
	if d.big == nil {
		if c, ok := rescaleSmall(d.coef, k); ok {
			return Decimal{coef: c, scale: int32(scale)}
		}
	}
	return mkDecimal(new(big.Int).Mul(d.bigCoef(), bigPow10(k)), int32(scale))
}

// Floor returns the largest integer <= d (scale 0).
func (d Decimal) Floor() Decimal {
	t := d.Truncate(0)
	if d.Sign() < 0 && t.Cmp(d) != 0 {
		t = t.Sub(Decimal{coef: 1})
	}
	return t
}

// Ceil returns the smallest integer >= d (scale 0).
func (d Decimal) Ceil() Decimal {
	t := d.Truncate(0)
	if d.Sign() > 0 && t.Cmp(d) != 0 {
		t = t.Add(Decimal{coef: 1})
	}
	return t
}

// Float64 returns the nearest float64.
func (d Decimal) Float64() float64 {
	if d.big == nil && d.scale == 0 {
		return float64(d.coef)
	}
	if d.big == nil && d.scale <= 22 && absInt64(d.coef) < 1<<53 && d.coef != math.MinInt64 {
		// Exact coefficient and power of ten: one correctly rounded division.
		return float64(d.coef) / math.Pow10(int(d.scale))
	}
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}

// Int64 returns d rounded half away from zero to an integer, and false if
// that does not fit an int64.
func (d Decimal) Int64() (int64, bool) {
	r := d.Round(0)
	if r.big != nil {
		return 0, false
	}
	return r.coef, true
}

// Uint64 returns d rounded half away from zero to an integer, and false if
// that does not fit a uint64 (negative included).
func (d Decimal) Uint64() (uint64, bool) {
	r := d.Round(0)
	if r.big == nil {
		return uint64(r.coef), r.coef >= 0
	}
	if r.big.Sign() < 0 || !r.big.IsUint64() {
		return 0, false
	}
	return r.big.Uint64(), true
}

// Mod returns d - e × TRUNCATE(d/e) (the sign of d) with scale
// max(d.Scale(), e.Scale()), and false if e is zero.
func (d Decimal) Mod(e Decimal) (Decimal, bool) {
	if e.IsZero() {
		return Decimal{}, false
	}
	a, b, ab, bb, scale, ok := align(d, e)
	if ok && !(a == math.MinInt64 && b == -1) {
		return Decimal{coef: a % b, scale: scale}, true
	}
	if ok {
		ab, bb = big.NewInt(a), big.NewInt(b)
	}
	return mkDecimal(new(big.Int).Rem(ab, bb), scale), true
}

// addInt64 returns a+b and whether it did not overflow.
func addInt64(a, b int64) (int64, bool) {
	s := a + b
	return s, (s > a) == (b > 0)
}

// subInt64 returns a-b and whether it did not overflow.
func subInt64(a, b int64) (int64, bool) {
	s := a - b
	return s, (s < a) == (b > 0)
}

// mulInt64 returns a*b and whether it did not overflow.
func mulInt64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if (c < 0) != ((a < 0) != (b < 0)) || c/b != a {
		return c, false
	}
	return c, true
}

// --- Arithmetic on Values ----------------------------------------------------

// ArithOp is a binary arithmetic operator.
type ArithOp uint8

// The arithmetic operators.
const (
	OpAdd    ArithOp = iota // +
	OpSub                   // -
	OpMul                   // *
	OpDiv                   // /
	OpIntDiv                // DIV
	OpMod                   // % and MOD
)

// String returns the operator's SQL spelling.
func (op ArithOp) String() string {
	return [...]string{"+", "-", "*", "/", "DIV", "%"}[op]
}

// rangeError is returned by the arithmetic helpers on overflow; expression
// nodes turn it into error 1690 naming the expression.
type rangeError struct{ typ string } // "BIGINT", "BIGINT UNSIGNED", "DECIMAL", "DOUBLE"

func (e *rangeError) Error() string { return e.typ + " value is out of range" }

var (
	errBigintRange   = &rangeError{"BIGINT"}
	errUnsignedRange = &rangeError{"BIGINT UNSIGNED"}
	errDecimalRange2 = &rangeError{"DECIMAL"}
	errDoubleRange   = &rangeError{"DOUBLE"}
)

// outOfRange converts a rangeError into error 1690 naming the expression
// text; other errors pass through.
func outOfRange(err error, text string) error {
	var re *rangeError
	if errors.As(err, &re) {
		return NewSQLError(ErDataOutOfRange, "%s value is out of range in '%s'", re.typ, text)
	}
	return err
}

// numClass is the arithmetic class of an operand.
type numClass uint8

const (
	ncInt numClass = iota
	ncUint
	ncDecimal
	ncFloat
)

// numOperand is an operand converted for arithmetic.
type numOperand struct {
	c numClass
	i int64
	u uint64
	f float64
	d Decimal
}

// toNumOperand converts a non-NULL value for arithmetic: strings and bytes
// become floats (their numeric prefix), times become YYYYMMDDhhmmss numbers.
func toNumOperand(v Value) numOperand {
	switch v.K {
	case KindInt:
		return numOperand{c: ncInt, i: v.I}
	case KindUint:
		return numOperand{c: ncUint, u: v.U}
	case KindFloat:
		return numOperand{c: ncFloat, f: v.F}
	case KindDecimal:
		d, err := ParseDecimal(v.S)
		if err != nil {
			return numOperand{c: ncFloat, f: stringToFloat(v.S)}
		}
		return numOperand{c: ncDecimal, d: d}
	case KindTime:
		d := timeToNumber(v)
		if d.Scale() == 0 {
			if i, ok := d.Int64(); ok {
				return numOperand{c: ncInt, i: i}
			}
		}
		return numOperand{c: ncDecimal, d: d}
	}
	if i, ok := enumIndexOf(v); ok {
		return numOperand{c: ncInt, i: i}
	}
	return numOperand{c: ncFloat, f: stringToFloat(v.S)}
}

// enumIndexOf returns the member index an ENUM column's value carries
// (see Value), which is its value in numeric context.
func enumIndexOf(v Value) (int64, bool) { return v.I, v.K == KindString && v.I > 0 }

// float returns the operand as a float64.
func (o numOperand) float() float64 {
	switch o.c {
	case ncInt:
		return float64(o.i)
	case ncUint:
		return float64(o.u)
	case ncDecimal:
		return o.d.Float64()
	}
	return o.f
}

// decimal returns the operand (int, uint or decimal) as a Decimal.
func (o numOperand) decimal() Decimal {
	switch o.c {
	case ncInt:
		return DecimalFromInt(o.i)
	case ncUint:
		return DecimalFromUint(o.u)
	}
	return o.d
}

// Arith applies a binary arithmetic operator with MySQL typing (see the
// top of arith.go). Overflow is an *SQLError 1690 without expression text;
// compiled expressions report the text.
func Arith(op ArithOp, a, b Value) (Value, error) {
	v, err := arith(op, a, b)
	if err != nil {
		return Null, outOfRange(err, op.String())
	}
	return v, nil
}

// arith implements Arith, returning *rangeError on overflow.
func arith(op ArithOp, a, b Value) (Value, error) {
	if a.K == KindNull || b.K == KindNull {
		return Null, nil
	}
	if a.K == KindInt && b.K == KindInt {
		return arithInt(op, a.I, b.I)
	}
	x, y := toNumOperand(a), toNumOperand(b)
	switch {
	case x.c == ncFloat || y.c == ncFloat:
		return arithFloat(op, x.float(), y.float())
	case x.c == ncDecimal || y.c == ncDecimal:
		return arithDecimal(op, x.decimal(), y.decimal())
	case x.c == ncInt && y.c == ncInt:
		return arithInt(op, x.i, y.i)
	}
	return arithWide(op, x.decimal(), y.decimal())
}

// divScale is the scale to which a quotient whose dividend has scale sa
// is computed: its display scale (sa + div_precision_increment) rounded up
// to whole nine-digit words, as MySQL's decimal library does.
func divScale(sa int) int { return min((sa+divPrecIncrement+8)/9*9, MaxDecimalScale) }

// arithExact is arith for exact intermediate results (evalExact): a and b
// come with their display scales da and db (-1: not exact numbers). It
// returns the unrounded result and its display scale: a quotient is
// computed to divScale digits and shown with the dividend's display scale
// + 4; a product is shown with da + db digits, a sum or difference (or
// MOD) with the larger. Other results have display scale -1.
func arithExact(op ArithOp, a, b Value, da, db int) (Value, int, error) {
	if op != OpDiv || a.K == KindNull || b.K == KindNull || da < 0 || db < 0 {
		v, err := arith(op, a, b)
		if err != nil || v.K != KindDecimal || da < 0 || db < 0 {
			return v, -1, err
		}
		switch op {
		case OpMul:
			return v, min(da+db, MaxDecimalScale), nil
		case OpAdd, OpSub, OpMod:
			return v, max(da, db), nil
		}
		return v, -1, nil
	}
	x, y := toNumOperand(a), toNumOperand(b)
	if x.c == ncFloat || y.c == ncFloat {
		v, err := arith(op, a, b)
		return v, -1, err
	}
	n, d := x.decimal(), y.decimal()
	disp := min(da+divPrecIncrement, MaxDecimalScale)
	q, ok := n.Div(d, max(divScale(n.Scale()), disp))
	if !ok {
		return Null, -1, nil
	}
	if q.big != nil && q.Precision() > MaxDecimalPrecision {
		// No room for the extra digits: the shown ones only.
		if q, _ = n.Div(d, disp); q.big != nil && q.Precision() > MaxDecimalPrecision {
			return Null, -1, errDecimalRange2
		}
	}
	return DecimalValue(q), disp, nil
}

// arithInt is int op int.
func arithInt(op ArithOp, a, b int64) (Value, error) {
	var r int64
	ok := true
	switch op {
	case OpAdd:
		r, ok = addInt64(a, b)
	case OpSub:
		r, ok = subInt64(a, b)
	case OpMul:
		r, ok = mulInt64(a, b)
	case OpDiv:
		q, nz := DecimalFromInt(a).Div(DecimalFromInt(b), divPrecIncrement)
		if !nz {
			return Null, nil
		}
		return DecimalValue(q), nil
	case OpIntDiv:
		if b == 0 {
			return Null, nil
		}
		if a == math.MinInt64 && b == -1 {
			return Null, errBigintRange
		}
		r = a / b
	case OpMod:
		if b == 0 {
			return Null, nil
		}
		if b == -1 {
			return IntValue(0), nil
		}
		r = a % b
	}
	if !ok {
		return Null, errBigintRange
	}
	return IntValue(r), nil
}

// arithWide is integer arithmetic with an unsigned operand, done exactly.
func arithWide(op ArithOp, a, b Decimal) (Value, error) {
	var r Decimal
	switch op {
	case OpAdd:
		r = a.Add(b)
	case OpSub:
		r = a.Sub(b)
	case OpMul:
		r = a.Mul(b)
	case OpDiv:
		return arithDecimal(op, a, b)
	case OpIntDiv:
		if b.IsZero() {
			return Null, nil
		}
		r = a.Div2Trunc(b)
	case OpMod:
		m, ok := a.Mod(b)
		if !ok {
			return Null, nil
		}
		r = m
	}
	if i, ok := r.Int64(); ok {
		return IntValue(i), nil
	}
	if u, ok := r.Uint64(); ok {
		return UintValue(u), nil
	}
	return Null, errUnsignedRange
}

// Div2Trunc returns TRUNCATE(d/e) (scale 0); e must not be zero.
func (d Decimal) Div2Trunc(e Decimal) Decimal {
	num := d.bigCoef()
	num.Mul(num, bigPow10(int(e.scale)))
	den := e.bigCoef()
	den.Mul(den, bigPow10(int(d.scale)))
	return mkDecimal(num.Quo(num, den), 0)
}

// arithDecimal is exact decimal arithmetic.
func arithDecimal(op ArithOp, a, b Decimal) (Value, error) {
	var r Decimal
	switch op {
	case OpAdd:
		r = a.Add(b)
	case OpSub:
		r = a.Sub(b)
	case OpMul:
		r = a.Mul(b)
	case OpDiv:
		q, ok := a.Div(b, min(a.Scale()+divPrecIncrement, MaxDecimalScale))
		if !ok {
			return Null, nil
		}
		r = q
	case OpIntDiv:
		if b.IsZero() {
			return Null, nil
		}
		q := a.Div2Trunc(b)
		if i, ok := q.Int64(); ok {
			return IntValue(i), nil
		}
		return Null, errBigintRange
	case OpMod:
		m, ok := a.Mod(b)
		if !ok {
			return Null, nil
		}
		r = m
	}
	if r.big != nil && r.Precision() > MaxDecimalPrecision {
		return Null, errDecimalRange2
	}
	return DecimalValue(r), nil
}

// arithFloat is float arithmetic.
func arithFloat(op ArithOp, a, b float64) (Value, error) {
	var r float64
	switch op {
	case OpAdd:
		r = a + b
	case OpSub:
		r = a - b
	case OpMul:
		r = a * b
	case OpDiv:
		if b == 0 {
			return Null, nil
		}
		r = a / b
	case OpIntDiv:
		if b == 0 {
			return Null, nil
		}
		q := math.Trunc(a / b)
		if q >= 9223372036854775808.0 || q < -9223372036854775808.0 || math.IsNaN(q) {
			return Null, errBigintRange
		}
		return IntValue(int64(q)), nil
	case OpMod:
		if b == 0 {
			return Null, nil
		}
		r = math.Mod(a, b)
	}
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return Null, errDoubleRange
	}
	return FloatValue(r), nil
}

// Negate returns -v: ints stay ints (-MinInt64 is error 1690), a uint too
// large for -v to be a BIGINT becomes a decimal, strings become floats.
func Negate(v Value) (Value, error) {
	r, err := negate(v)
	if err != nil {
		return Null, outOfRange(err, "-")
	}
	return r, nil
}

// negate implements Negate, returning *rangeError on overflow.
func negate(v Value) (Value, error) {
	switch v.K {
	case KindNull:
		return Null, nil
	case KindInt:
		if v.I == math.MinInt64 {
			return Null, errBigintRange
		}
		return IntValue(-v.I), nil
	case KindUint:
		if v.U == 1<<63 {
			return IntValue(math.MinInt64), nil
		}
		return DecimalValue(DecimalFromUint(v.U).Neg()), nil
	case KindFloat:
		return FloatValue(-v.F), nil
	}
	o := toNumOperand(v)
	switch o.c {
	case ncInt:
		return negate(IntValue(o.i))
	case ncDecimal:
		return DecimalValue(o.d.Neg()), nil
	}
	return FloatValue(-o.float()), nil
}

// BitOp is a bitwise operator. MySQL computes them on unsigned 64-bit
// integers: the result is BIGINT UNSIGNED.
type BitOp uint8

// The bitwise operators.
const (
	BitAnd BitOp = iota // &
	BitOr               // |
	BitXor              // ^
	BitShl              // <<
	BitShr              // >>
)

// toUint64Bits converts a value for bit operations: integers as their two's
// complement bits, others rounded to an integer first (MySQL clamps out of
// range values).
func toUint64Bits(v Value) uint64 {
	switch v.K {
	case KindInt:
		return uint64(v.I)
	case KindUint:
		return v.U
	}
	o := toNumOperand(v)
	switch o.c {
	case ncInt:
		return uint64(o.i)
	case ncUint:
		return o.u
	case ncDecimal:
		if i, ok := o.d.Int64(); ok {
			return uint64(i)
		}
		if u, ok := o.d.Uint64(); ok {
			return u
		}
		if o.d.Sign() < 0 {
			return 1 << 63
		}
		return math.MaxUint64
	}
	f := math.Round(o.f)
	switch {
	case f >= 18446744073709551615.0:
		return math.MaxUint64
	case f >= 0:
		return uint64(f)
	case f < -9223372036854775808.0:
		return 1 << 63
	}
	return uint64(int64(f))
}

// Bitwise applies a bitwise operator; NULL operands give NULL.
func Bitwise(op BitOp, a, b Value) Value {
	if a.K == KindNull || b.K == KindNull {
		return Null
	}
	x, y := toUint64Bits(a), toUint64Bits(b)
	var r uint64
	switch op {
	case BitAnd:
		r = x & y
	case BitOr:
		r = x | y
	case BitXor:
		r = x ^ y
	case BitShl:
		if y < 64 {
			r = x << y
		}
	case BitShr:
		if y < 64 {
			r = x >> y
		}
	}
	return UintValue(r)
}
