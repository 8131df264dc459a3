package sqlfront

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
)

// This file holds the numeric functions. Integers stay integers, decimals
// stay exact, floats (and strings, converted like MySQL) are doubles.
// Domain errors (SQRT(-1), LN(0)) give NULL as in MySQL.

// roundValue implements ROUND(x, d) (trunc = false) and TRUNCATE(x, d):
// exact for integers and decimals (half away from zero), and for doubles
// MySQL's rint-based rounding (half to even).
func roundValue(x Value, d int64, trunc bool) (Value, error) {
	d = min(max(d, -100), 100)
	switch x.K {
	case KindInt, KindUint:
		if d >= 0 {
			return x, nil
		}
		dec := ToDecimal(x)
		if trunc {
			dec = dec.Truncate(int(d))
		} else {
			dec = dec.Round(int(d))
		}
		if i, ok := dec.Int64(); ok {
			return IntValue(i), nil
		}
		if u, ok := dec.Uint64(); ok && x.K == KindUint {
			return UintValue(u), nil
		}
		return Null, errBigintRange
	case KindDecimal:
		dec := ToDecimal(x)
		if trunc {
			return DecimalValue(dec.Truncate(int(d))), nil
		}
		return DecimalValue(dec.Round(int(d))), nil
	}
	f := ToFloat64(x)
	p := math.Pow10(int(min(max(d, -d), 308)))
	neg := d < 0
	var r float64
	switch {
	case neg && math.IsInf(p, 0):
		r = 0
	case !neg && math.IsInf(f*p, 0):
		r = f
	case trunc && neg:
		r = math.Trunc(f/p) * p
	case trunc:
		r = math.Trunc(f*p) / p
	case neg:
		r = math.RoundToEven(f/p) * p
	default:
		r = math.RoundToEven(f*p) / p
	}
	return FloatValue(r), nil
}

// floatFunc defines a NULL-propagating function of one double; a NaN or
// infinite result is NULL.
func floatFunc(name string, f func(float64) float64) *funcDef {
	return &funcDef{name: name, min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
		r := f(ToFloat64(a[0]))
		if math.IsNaN(r) || math.IsInf(r, 0) {
			return Null, nil
		}
		return FloatValue(r), nil
	}}
}

// ceilFloor implements CEIL (ceil) and FLOOR.
func ceilFloor(x Value, ceil bool) (Value, error) {
	switch x.K {
	case KindInt, KindUint:
		return x, nil
	case KindDecimal:
		d := ToDecimal(x)
		if ceil {
			d = d.Ceil()
		} else {
			d = d.Floor()
		}
		if i, ok := d.Int64(); ok {
			return IntValue(i), nil
		}
		return DecimalValue(d), nil
	}
	f := ToFloat64(x)
	if ceil {
		return FloatValue(math.Ceil(f)), nil
	}
	return FloatValue(math.Floor(f)), nil
}

// extremum implements GREATEST (sign 1) and LEAST (sign -1): NULL if any
// argument is NULL.
func extremum(a []Value, sign int) Value {
	best := a[0]
	for _, v := range a[1:] {
		if c, _ := Compare(v, best); c*sign > 0 {
			best = v
		}
	}
	return best
}

func init() {
	registerFuncs([]*funcDef{
		{name: "abs", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			v := a[0]
			switch v.K {
			case KindInt:
				if v.I == math.MinInt64 {
					return Null, outOfRange(errBigintRange, "abs("+Format(v)+")")
				}
				if v.I < 0 {
					return IntValue(-v.I), nil
				}
				return v, nil
			case KindUint:
				return v, nil
			case KindDecimal:
				return DecimalValue(ToDecimal(v).Abs()), nil
			}
			return FloatValue(math.Abs(ToFloat64(v))), nil
		}},
		{name: "ceiling", min: 1, max: 1, flags: fNullIn | fExactArgs, eval: func(_ *Env, a []Value) (Value, error) { return ceilFloor(a[0], true) }},
		{name: "floor", min: 1, max: 1, flags: fNullIn | fExactArgs, eval: func(_ *Env, a []Value) (Value, error) { return ceilFloor(a[0], false) }},
		{name: "round", min: 1, max: 2, flags: fNullIn | fExactArgs, eval: func(_ *Env, a []Value) (Value, error) {
			var d int64
			if len(a) == 2 {
				d = ToInt64(a[1])
			}
			v, err := roundValue(a[0], d, false)
			return v, outOfRange(err, "round")
		}},
		{name: "truncate", min: 2, max: 2, flags: fNullIn | fExactArgs, eval: func(_ *Env, a []Value) (Value, error) {
			v, err := roundValue(a[0], ToInt64(a[1]), true)
			return v, outOfRange(err, "truncate")
		}},
		// CAST(x AS DOUBLE | REAL) and CAST(x AS FLOAT), as rewriteForms
		// hands them over (a name with '@' cannot be written: rewriteForms).
		{name: "c@dl", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			return FloatValue(ToFloat64(a[0])), nil
		}},
		{name: "c@fl", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			// Single precision, kept as the double of its shortest text
			// (1.1, not 1.100000023841858).
			f, _ := strconv.ParseFloat(strconv.FormatFloat(ToFloat64(a[0]), 'g', -1, 32), 64)
			return FloatValue(f), nil
		}},
		// a XOR b, as markXor hands it over: NULL if either is NULL.
		{name: "x@or", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			x, _ := Truth(a[0])
			y, _ := Truth(a[1])
			return BoolValue(x != y), nil
		}},
		{name: "conv", min: 3, max: 3, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			from, to := ToInt64(a[1]), ToInt64(a[2])
			if from < 0 {
				from = -from
			}
			if from < 2 || from > 36 || to < -36 || to > 36 || to > -2 && to < 2 {
				return Null, nil
			}
			return StringValue(convBase(Format(a[0]), int(from), int(to))), nil
		}},
		{name: "mod", min: 2, max: 2, eval: func(env *Env, a []Value) (Value, error) {
			v, err := arith(OpMod, a[0], a[1])
			if err != nil {
				return v, outOfRange(err, "mod")
			}
			return v, divZero(env, v, a[0], a[1])
		}},
		{name: "pow", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			x, y := ToFloat64(a[0]), ToFloat64(a[1])
			r := math.Pow(x, y)
			if math.IsNaN(r) {
				return Null, nil
			}
			if math.IsInf(r, 0) {
				return Null, NewSQLError(ErDataOutOfRange, "DOUBLE value is out of range in 'pow(%s,%s)'", Format(a[0]), Format(a[1]))
			}
			return FloatValue(r), nil
		}},
		floatFunc("sqrt", func(x float64) float64 {
			if x < 0 {
				return math.NaN()
			}
			return math.Sqrt(x)
		}),
		{name: "sign", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			v := a[0]
			switch v.K {
			case KindInt:
				return IntValue(int64(cmpInt64(v.I, 0))), nil
			case KindUint:
				return IntValue(1), nil
			case KindDecimal:
				return IntValue(int64(ToDecimal(v).Sign())), nil
			}
			return IntValue(int64(cmpFloat(ToFloat64(v), 0))), nil
		}},
		{name: "greatest", min: 2, max: -1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) { return extremum(a, 1), nil }},
		{name: "least", min: 2, max: -1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) { return extremum(a, -1), nil }},
		{name: "pi", eval: func(*Env, []Value) (Value, error) { return FloatValue(math.Pi), nil }},
		floatFunc("exp", math.Exp),
		floatFunc("ln", func(x float64) float64 {
			if x <= 0 {
				return math.NaN()
			}
			return math.Log(x)
		}),
		{name: "log", min: 1, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			x := ToFloat64(a[len(a)-1])
			if x <= 0 {
				return Null, nil
			}
			if len(a) == 1 {
				return FloatValue(math.Log(x)), nil
			}
			b := ToFloat64(a[0])
			if b <= 0 || b == 1 {
				return Null, nil
			}
			return FloatValue(math.Log(x) / math.Log(b)), nil
		}},
		floatFunc("log2", func(x float64) float64 {
			if x <= 0 {
				return math.NaN()
			}
			return math.Log2(x)
		}),
		floatFunc("log10", func(x float64) float64 {
			if x <= 0 {
				return math.NaN()
			}
			return math.Log10(x)
		}),
		floatFunc("sin", math.Sin),
		floatFunc("cos", math.Cos),
		floatFunc("tan", math.Tan),
		floatFunc("asin", math.Asin),
		floatFunc("acos", math.Acos),
		floatFunc("cot", func(x float64) float64 { return 1 / math.Tan(x) }),
		floatFunc("degrees", func(x float64) float64 { return x * 180 / math.Pi }),
		floatFunc("radians", func(x float64) float64 { return x * math.Pi / 180 }),
		{name: "atan", min: 1, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			if len(a) == 2 {
				return FloatValue(math.Atan2(ToFloat64(a[0]), ToFloat64(a[1]))), nil
			}
			return FloatValue(math.Atan(ToFloat64(a[0]))), nil
		}},
		{name: "rand", max: 1, flags: fVolatile, eval: func(_ *Env, a []Value) (Value, error) {
			if len(a) == 1 && a[0].K != KindNull {
				// NB: a seeded RAND(n) is repeatable but not MySQL's sequence.
				r := rand.New(rand.NewPCG(uint64(ToInt64(a[0])), 0x9e3779b97f4a7c15))
				return FloatValue(r.Float64()), nil
			}
			return FloatValue(rand.Float64()), nil
		}},
	})
	for _, a := range [][2]string{{"ceil", "ceiling"}, {"power", "pow"}, {"atan2", "atan"}} {
		aliasFunc(a[0], a[1])
	}
}

// convBase is CONV(n, from, to) for valid bases: n's leading digits in
// base from (an optional '-' first; reading stops at the first other
// character; too large saturates) written in base |to|, as a signed
// number when to is negative, else as the unsigned 64-bit two's
// complement, in upper case.
func convBase(n string, from, to int) string {
	n = strings.TrimSpace(n)
	neg := strings.HasPrefix(n, "-")
	if neg {
		n = n[1:]
	}
	var u uint64
	for i := 0; i < len(n); i++ {
		c := n[i]
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'a' && c <= 'z':
			d = int(c-'a') + 10
		case c >= 'A' && c <= 'Z':
			d = int(c-'A') + 10
		default:
			d = 99
		}
		if d >= from {
			break
		}
		hi, lo := bits.Mul64(u, uint64(from))
		lo, carry := bits.Add64(lo, uint64(d), 0)
		if hi != 0 || carry != 0 {
			u = math.MaxUint64
			break
		}
		u = lo
	}
	if to < 0 {
		x := int64(u)
		if neg {
			x = -x
		}
		return strings.ToUpper(strconv.FormatInt(x, -to))
	}
	if neg {
		u = -u
	}
	return strings.ToUpper(strconv.FormatUint(u, to))
}
