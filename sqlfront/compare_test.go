package sqlfront

import (
	"math"
	"testing"
	"time"
)

func TestCompare(t *testing.T) {
	day := func(y, m, d int) Value { return DateValue(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)) }
	dtm := func(y, m, d, h int) Value {
		return DatetimeValue(time.Date(y, time.Month(m), d, h, 0, 0, 0, time.UTC), 0)
	}
	tests := []struct {
		a, b Value
		want int // -1, 0, 1, or 2 for NULL
	}{
		{Null, Null, 2},
		{IntValue(1), Null, 2},
		{Null, StringValue(""), 2},
		{IntValue(1), IntValue(2), -1},
		{IntValue(2), IntValue(2), 0},
		{IntValue(1), FloatValue(1), 0},
		{IntValue(1), FloatValue(1.5), -1},
		{IntValue(-1), FloatValue(-1.5), 1},
		{IntValue(math.MaxInt64), FloatValue(9.223372036854775807e18), -1},
		{IntValue(math.MinInt64), FloatValue(-9.223372036854775808e18), 0},
		{UintValue(math.MaxUint64), FloatValue(1.8446744073709552e19), -1},
		{UintValue(math.MaxUint64), IntValue(math.MaxInt64), 1},
		{UintValue(1 << 63), UintValue(math.MaxUint64), -1},
		{IntValue(1), dec("1.00"), 0},
		{IntValue(2), dec("1.99"), 1},
		{UintValue(math.MaxUint64), dec("18446744073709551615.5"), -1},
		{FloatValue(0.1), dec("0.1"), 0},
		{FloatValue(0.5), dec("0.25"), 1},
		{dec("1.50"), dec("1.5"), 0},
		{dec("-1.5"), dec("1.5"), -1},
		// Strings against numbers compare as doubles.
		{StringValue("1"), IntValue(1), 0},
		{StringValue("abc"), IntValue(0), 0},
		{StringValue("12abc"), IntValue(12), 0},
		{StringValue(" 1.5"), dec("1.5"), 0},
		{IntValue(2), StringValue("10"), -1},
		// The collation.
		{StringValue("abc"), StringValue("ABC"), 0},
		{StringValue("abc"), StringValue("abc  "), -1}, // NO PAD
		{withCollation(StringValue("abc"), CollCIPad), StringValue("ABC  "), 0},
		{StringValue("abc "), StringValue("abcd"), -1},
		{StringValue("a"), StringValue("B"), -1},
		{StringValue("Z"), StringValue("a"), 1},
		{StringValue("é"), StringValue("É"), 0},
		{StringValue("é"), StringValue("e"), 1},
		{StringValue("straße"), StringValue("STRASSE"), 1},
		{StringValue(""), StringValue(" "), -1},
		{StringValue(""), withCollation(StringValue(" "), CollCIPad), 0},
		{StringValue("a\x00"), StringValue("a"), 1},
		{StringValue("a\xff"), StringValue("a\xfe"), 1},
		// Binary strings.
		{BytesValue([]byte("abc")), BytesValue([]byte("ABC")), 1},
		{BytesValue([]byte("abc")), StringValue("abc"), 0},
		{StringValue("a"), BytesValue([]byte("A")), 1},
		// Times.
		{day(2024, 1, 2), day(2024, 1, 3), -1},
		{day(2024, 1, 2), dtm(2024, 1, 2, 0), 0},
		{dtm(2024, 1, 2, 5), day(2024, 1, 2), 1},
		{day(2024, 1, 2), StringValue("2024-01-02"), 0},
		{StringValue("2024-01-02 00:00:01"), day(2024, 1, 2), 1},
		{dtm(2024, 1, 2, 5), StringValue("2024-01-02 05:00:00"), 0},
		{day(2024, 1, 2), IntValue(20240102), 0},
		{dtm(2024, 1, 2, 5), IntValue(20240102050000), 0},
		{DurationValue(time.Hour, 0), StringValue("01:00:00"), 0},
		{DurationValue(-time.Hour, 0), DurationValue(time.Minute, 0), -1},
		{day(2024, 1, 2), StringValue("zzz"), -1},
	}
	for _, tc := range tests {
		c, null := Compare(tc.a, tc.b)
		got := c
		if null {
			got = 2
		}
		if got != tc.want {
			t.Errorf("Compare(%s, %s) = %d, want %d", describeValue(tc.a), describeValue(tc.b), got, tc.want)
		}
		if tc.want != 2 {
			if c2, _ := Compare(tc.b, tc.a); c2 != -tc.want {
				t.Errorf("Compare(%s, %s) = %d, want %d (antisymmetry)", describeValue(tc.b), describeValue(tc.a), c2, -tc.want)
			}
		}
	}
}

func TestCompareForSort(t *testing.T) {
	if CompareForSort(Null, IntValue(math.MinInt64)) != -1 || CompareForSort(StringValue(""), Null) != 1 || CompareForSort(Null, Null) != 0 {
		t.Error("NULLs must sort first")
	}
	if !Equal(StringValue("A"), StringValue("a")) || Equal(StringValue("A"), StringValue("a ")) || Equal(Null, Null) {
		t.Error("Equal")
	}
}

func TestTruth(t *testing.T) {
	tests := []struct {
		v          Value
		want, null bool
	}{
		{Null, false, true},
		{IntValue(0), false, false},
		{IntValue(-1), true, false},
		{UintValue(math.MaxUint64), true, false},
		{FloatValue(0.0001), true, false},
		{FloatValue(0), false, false},
		{dec("0.00"), false, false},
		{dec("0.01"), true, false},
		{StringValue("abc"), false, false},
		{StringValue("1abc"), true, false},
		{StringValue(" 0.5"), true, false},
		{StringValue("0.0"), false, false},
		{BytesValue([]byte("2")), true, false},
		{DateValue(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)), true, false},
	}
	for _, tc := range tests {
		b, null := Truth(tc.v)
		if b != tc.want || null != tc.null {
			t.Errorf("Truth(%s) = %v, %v; want %v, %v", describeValue(tc.v), b, null, tc.want, tc.null)
		}
	}
}

// TestGroupKey checks that group keys agree with Compare within a class.
func TestGroupKey(t *testing.T) {
	classes := [][]Value{
		{IntValue(1), FloatValue(1), dec("1.00"), dec("1"), IntValue(-1), FloatValue(-1), dec("-1.0"), IntValue(0), FloatValue(0), FloatValue(math.Copysign(0, -1)), dec("0.000"), dec("-0"),
			FloatValue(0.5), dec("0.50"), FloatValue(1e21), dec("1000000000000000000000"), UintValue(math.MaxUint64), dec("18446744073709551615.0"), FloatValue(0.1), dec("0.1"), IntValue(10), dec("10.0")},
		{StringValue("a"), StringValue("A"), StringValue("a  "), StringValue(""), StringValue(" "), StringValue("é"), StringValue("É"), StringValue("e"), StringValue("a\x00"), StringValue("\xff")},
		{BytesValue([]byte("a")), BytesValue([]byte("A")), BytesValue(nil), BytesValue([]byte("a "))},
		{DateValue(time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)), DatetimeValue(time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), 6), DatetimeValue(time.Date(2024, 1, 2, 0, 0, 1, 0, time.UTC), 0)},
	}
	for _, class := range classes {
		for _, a := range class {
			for _, b := range class {
				c, _ := Compare(a, b)
				if (GroupKey(a) == GroupKey(b)) != (c == 0) {
					t.Errorf("GroupKey(%s) == GroupKey(%s) is %v, Compare = %d", describeValue(a), describeValue(b), GroupKey(a) == GroupKey(b), c)
				}
			}
		}
	}
	if GroupKey(Null) != GroupKey(Null) || GroupKey(Null) == GroupKey(IntValue(0)) || GroupKey(Null) == GroupKey(StringValue("")) {
		t.Error("NULL group key")
	}
	// Composite keys are self-delimiting.
	k1 := string(AppendGroupKey(AppendGroupKey(nil, StringValue("ab")), StringValue("c")))
	k2 := string(AppendGroupKey(AppendGroupKey(nil, StringValue("a")), StringValue("bc")))
	if k1 == k2 {
		t.Error("composite group keys collide")
	}
}

func TestFoldString(t *testing.T) {
	for in, want := range map[string]string{"ABC  ": "abc  ", "ÉtÉ ": "été ", "a\xffB": "a\xffb", "x y": "x y"} {
		if got := FoldString(in); got != want {
			t.Errorf("FoldString(%q) = %q, want %q", in, got, want)
		}
	}
}
