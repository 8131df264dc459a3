package sqlfront

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func mustDec(t *testing.T, s string) Decimal {
	t.Helper()
	d, err := ParseDecimal(s)
	if err != nil {
		t.Fatalf("ParseDecimal(%q): %v", s, err)
	}
	return d
}

func TestParseDecimal(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"-0", "0"},
		{"-0.00", "0.00"},
		{"12.50", "12.50"},
		{".5", "0.5"},
		{"5.", "5"},
		{"+7", "7"},
		{"007.10", "7.10"},
		{"1e3", "1000"},
		{"1.5e-3", "0.0015"},
		{"-1.25E+1", "-12.5"},
		{"123456789012345678901234567890.123", "123456789012345678901234567890.123"},
		{"-9223372036854775808", "-9223372036854775808"},
		{"9223372036854775808", "9223372036854775808"},
	}
	for _, tc := range tests {
		d, err := ParseDecimal(tc.in)
		if err != nil || d.String() != tc.want {
			t.Errorf("ParseDecimal(%q) = %s, %v; want %s", tc.in, d, err, tc.want)
		}
	}
	for _, bad := range []string{"", "-", ".", "e5", "1.2.3", " 1", "1 ", "1e", "0x10", "abc", "1e100000"} {
		if d, err := ParseDecimal(bad); err == nil {
			t.Errorf("ParseDecimal(%q) = %s, want error", bad, d)
		}
	}
}

func TestDecimalOps(t *testing.T) {
	tests := []struct {
		op, a, b, want string
	}{
		{"+", "1.5", "2.25", "3.75"},
		{"+", "9223372036854775807", "1", "9223372036854775808"},
		{"-", "1.5", "2.25", "-0.75"},
		{"-", "-9223372036854775808", "1", "-9223372036854775809"},
		{"*", "1.5", "-1.5", "-2.25"},
		{"*", "4294967296", "4294967296", "18446744073709551616"},
		{"*", "0.000000000000001", "0.000000000000001", "0.000000000000000000000000000001"},
		{"*", "0.0000000000000001", "0.0000000000000001", "0.000000000000000000000000000000"},
		{"/4", "1", "3", "0.3333"},
		{"/4", "2", "3", "0.6667"},
		{"/4", "-2", "3", "-0.6667"},
		{"/0", "5", "2", "3"},
		{"/0", "-5", "2", "-3"},
		{"/2", "1", "8", "0.13"},
		{"/6", "1.50", "3", "0.500000"},
		{"%", "5.5", "2", "1.5"},
		{"%", "-5.5", "2", "-1.5"},
		{"cmp", "1.50", "1.5", "0"},
		{"cmp", "-1", "0.5", "-1"},
		{"cmp", "100000000000000000000", "99999999999999999999.99", "1"},
		{"round0", "2.5", "", "3"},
		{"round0", "-2.5", "", "-3"},
		{"round0", "2.4999", "", "2"},
		{"round2", "1.005", "", "1.01"},
		{"round-1", "15", "", "20"},
		{"round-1", "-15", "", "-20"},
		{"round-2", "149.99", "", "100"},
		{"round5", "1.5", "", "1.5"},
		{"trunc1", "-1.99", "", "-1.9"},
		{"trunc-1", "19", "", "10"},
		{"rescale3", "1.5", "", "1.500"},
		{"rescale0", "1.5", "", "2"},
		{"floor", "-1.5", "", "-2"},
		{"floor", "1.5", "", "1"},
		{"ceil", "-1.5", "", "-1"},
		{"ceil", "1.2", "", "2"},
		{"round0", "123456789012345678901234567890.5", "", "123456789012345678901234567891"},
	}
	for _, tc := range tests {
		a := mustDec(t, tc.a)
		var got string
		switch tc.op {
		case "+":
			got = a.Add(mustDec(t, tc.b)).String()
		case "-":
			got = a.Sub(mustDec(t, tc.b)).String()
		case "*":
			got = a.Mul(mustDec(t, tc.b)).String()
		case "/0", "/2", "/4", "/6":
			q, ok := a.Div(mustDec(t, tc.b), int(tc.op[1]-'0'))
			if !ok {
				got = "div by zero"
			} else {
				got = q.String()
			}
		case "%":
			m, _ := a.Mod(mustDec(t, tc.b))
			got = m.String()
		case "cmp":
			got = map[int]string{-1: "-1", 0: "0", 1: "1"}[a.Cmp(mustDec(t, tc.b))]
		case "round0", "round2", "round5", "round-1", "round-2":
			n := map[string]int{"round0": 0, "round2": 2, "round5": 5, "round-1": -1, "round-2": -2}[tc.op]
			got = a.Round(n).String()
		case "trunc1":
			got = a.Truncate(1).String()
		case "trunc-1":
			got = a.Truncate(-1).String()
		case "rescale3":
			got = a.Rescale(3).String()
		case "rescale0":
			got = a.Rescale(0).String()
		case "floor":
			got = a.Floor().String()
		case "ceil":
			got = a.Ceil().String()
		}
		if got != tc.want {
			t.Errorf("%s %s %s = %s, want %s", tc.a, tc.op, tc.b, got, tc.want)
		}
	}
	if _, ok := mustDec(t, "1").Div(Decimal{}, 4); ok {
		t.Error("division by zero succeeded")
	}
}

// TestDecimalRandom checks the int64 fast paths against big.Rat.
func TestDecimalRandom(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	randDec := func() Decimal {
		var c int64
		switch r.IntN(3) {
		case 0:
			c = r.Int64N(1000) - 500
		case 1:
			c = int64(r.Uint64())
		default:
			c = r.Int64N(1<<40) - 1<<39
		}
		return Decimal{coef: c, scale: int32(r.IntN(12))}
	}
	rat := func(d Decimal) *big.Rat {
		return new(big.Rat).SetFrac(d.bigCoef(), bigPow10(int(d.scale)))
	}
	for range 20000 {
		a, b := randDec(), randDec()
		if got, want := rat(a.Add(b)), new(big.Rat).Add(rat(a), rat(b)); got.Cmp(want) != 0 {
			t.Fatalf("%s + %s = %s", a, b, a.Add(b))
		}
		if got, want := rat(a.Mul(b)), new(big.Rat).Mul(rat(a), rat(b)); a.Scale()+b.Scale() <= MaxDecimalScale && got.Cmp(want) != 0 {
			t.Fatalf("%s * %s = %s", a, b, a.Mul(b))
		}
		if got, want := a.Cmp(b), rat(a).Cmp(rat(b)); got != want {
			t.Fatalf("cmp(%s, %s) = %d", a, b, got)
		}
		back, err := ParseDecimal(a.String())
		if err != nil || back.Cmp(a) != 0 || back.Scale() != a.Scale() {
			t.Fatalf("ParseDecimal(%s) = %s, %v", a, back, err)
		}
	}
}

func TestArith(t *testing.T) {
	tests := []struct {
		op     ArithOp
		a, b   Value
		want   string
		errNum uint16
	}{
		{OpAdd, IntValue(1), IntValue(2), "int 3", 0},
		{OpAdd, IntValue(math.MaxInt64), IntValue(1), "", ErDataOutOfRange},
		{OpSub, IntValue(math.MinInt64), IntValue(1), "", ErDataOutOfRange},
		{OpMul, IntValue(math.MinInt64), IntValue(-1), "", ErDataOutOfRange},
		{OpMul, IntValue(-3), IntValue(4), "int -12", 0},
		{OpDiv, IntValue(1), IntValue(2), "decimal 0.5000", 0},
		{OpDiv, IntValue(1), IntValue(0), "NULL", 0},
		{OpDiv, FloatValue(1), FloatValue(0), "NULL", 0},
		{OpIntDiv, IntValue(7), IntValue(-2), "int -3", 0},
		{OpMod, IntValue(math.MinInt64), IntValue(-1), "int 0", 0},
		{OpAdd, UintValue(math.MaxUint64), IntValue(-1), "uint 18446744073709551614", 0},
		{OpAdd, UintValue(math.MaxUint64), IntValue(1), "", ErDataOutOfRange},
		{OpSub, IntValue(0), UintValue(math.MaxUint64), "", ErDataOutOfRange},
		{OpAdd, dec("1.5"), IntValue(1), "decimal 2.5", 0},
		{OpAdd, dec("1.5"), FloatValue(1), "float 2.5", 0},
		{OpAdd, StringValue("2"), IntValue(1), "float 3", 0},
		{OpMul, FloatValue(1e308), FloatValue(10), "", ErDataOutOfRange},
		{OpMul, dec("1e40"), dec("1e40"), "", ErDataOutOfRange},
		{OpAdd, Null, IntValue(1), "NULL", 0},
		{OpMod, FloatValue(5.5), FloatValue(2), "float 1.5", 0},
		{OpIntDiv, FloatValue(1e300), FloatValue(1), "", ErDataOutOfRange},
	}
	for _, tc := range tests {
		got, err := Arith(tc.op, tc.a, tc.b)
		if tc.errNum != 0 {
			var se *SQLError
			if !errors.As(err, &se) || se.Number != tc.errNum {
				t.Errorf("%s %s %s = %s, %v; want error %d", describeValue(tc.a), tc.op, describeValue(tc.b), describeValue(got), err, tc.errNum)
			}
			continue
		}
		if err != nil || describeValue(got) != tc.want {
			t.Errorf("%s %s %s = %s, %v; want %s", describeValue(tc.a), tc.op, describeValue(tc.b), describeValue(got), err, tc.want)
		}
	}
	if v, err := Negate(IntValue(math.MinInt64)); err == nil {
		t.Errorf("Negate(MinInt64) = %v", v)
	}
	if v, _ := Negate(UintValue(math.MaxUint64)); describeValue(v) != "decimal -18446744073709551615" {
		t.Errorf("Negate(MaxUint64) = %s", describeValue(v))
	}
	if v := Bitwise(BitAnd, IntValue(-1), IntValue(6)); describeValue(v) != "int 6" {
		t.Errorf("-1 & 6 = %s", describeValue(v))
	}
}
