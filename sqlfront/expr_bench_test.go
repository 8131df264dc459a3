package sqlfront

import (
	"testing"
	"time"
)

// benchScope resolves col0, col1, col2 to slots 0, 1, 2.
var benchScope = &TableScope{Columns: []string{"col0", "col1", "col2"}}

// compileBench compiles an expression over benchScope.
func compileBench(b *testing.B, text string) Expr {
	b.Helper()
	pe, err := parseTestExpr(text)
	if err != nil {
		b.Fatal(err)
	}
	e, err := Compile(pe, benchScope)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkEvalFilter evaluates the brief's filter over rows that take
// every branch: col0 > 5 decides, col1 < 3.5 decides, LIKE decides.
func BenchmarkEvalFilter(b *testing.B) {
	e := compileBench(b, "col0 > 5 AND col1 < 3.5 OR col2 LIKE 'ab%'")
	rows := [][]Value{
		{IntValue(7), FloatValue(1.5), StringValue("xyz")},
		{IntValue(3), FloatValue(1.5), StringValue("ABcdef")},
		{IntValue(9), FloatValue(9.5), StringValue("zzz")},
		{Null, FloatValue(1), StringValue("abab")},
	}
	env := &Env{}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		env.Row = rows[i&3]
		ok, err := EvalBool(e, env)
		if err != nil {
			b.Fatal(err)
		}
		if ok {
			n++
		}
	}
	if b.N >= 4 && n == 0 {
		b.Fatal("no row matched")
	}
}

// BenchmarkEvalArith evaluates integer and decimal arithmetic.
func BenchmarkEvalArith(b *testing.B) {
	for _, tc := range []struct {
		name, expr string
		row        []Value
	}{
		{"int", "col0 * 2 + col1 - 1", []Value{IntValue(21), IntValue(4), Null}},
		{"decimal", "col0 * 1.5 + col1", []Value{dec("12.25"), IntValue(4), Null}},
		{"float", "col0 * 1.5e0 + col1", []Value{FloatValue(12.25), IntValue(4), Null}},
		{"concat", "concat(col2, '-', col0)", []Value{IntValue(21), Null, StringValue("abc")}},
		{"in", "col0 IN (1, 2, 3, 5, 8, 13, 21)", []Value{IntValue(21), Null, Null}},
		{"date_add", "col0 + INTERVAL 1 DAY", []Value{DatetimeValue(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), 0), Null, Null}},
		{"like_arg", "col2 LIKE ?", []Value{Null, Null, StringValue("abcdef")}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := compileBench(b, tc.expr)
			env := &Env{Row: tc.row, Args: []Value{StringValue("%cd%")}}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := e.Eval(env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkKeyEncode encodes a typical two-column key.
func BenchmarkKeyEncode(b *testing.B) {
	types := []ColumnType{{Base: TypeVarChar, Length: 20}, {Base: TypeBigInt}}
	vals := []Value{StringValue("Hello World"), IntValue(12345)}
	var buf []byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendKeyTuple(buf[:0], vals, types, nil)
	}
}

// BenchmarkRowDecode decodes a typical row into a reused buffer.
func BenchmarkRowDecode(b *testing.B) {
	src := EncodeRow(nil, 1, []Value{IntValue(1), StringValue("name"), dec("12.50"), TimeValue(time.Now()), Null})
	buf := make([]Value, 0, 5)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var err error
		if buf, _, err = AppendDecodeRow(buf[:0], src, 5); err != nil {
			b.Fatal(err)
		}
	}
}
