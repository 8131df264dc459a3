package sqlfront

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/bxdb/bxdb/internal/mutation"
	"github.com/google/go-cmp/cmp"
)

// keyTestTypes are the column types of the key property test.
var keyTestTypes = []ColumnType{
	{Base: TypeInt},
	{Base: TypeInt, Unsigned: true},
	{Base: TypeTinyInt},
	{Base: TypeBigInt},
	{Base: TypeBigInt, Unsigned: true},
	{Base: TypeBool},
	{Base: TypeYear},
	{Base: TypeBit, Unsigned: true, Length: 64},
	{Base: TypeBit, Unsigned: true, Length: 4},
	{Base: TypeDouble},
	{Base: TypeFloat},
	{Base: TypeDecimal, Precision: 10, Scale: 2},
	{Base: TypeDecimal, Precision: 40, Scale: 5},
	{Base: TypeDecimal, Precision: 65, Scale: 0},
	{Base: TypeVarChar, Length: 8},
	{Base: TypeChar, Length: 4},
	{Base: TypeText},
	{Base: TypeJSON},
	{Base: TypeEnum, Elems: []string{"b", "A", "c", "É"}},
	{Base: TypeVarBinary, Length: 8},
	{Base: TypeBinary, Length: 3},
	{Base: TypeBlob},
	{Base: TypeDate},
	{Base: TypeDatetime, Scale: 3},
	{Base: TypeTimestamp},
	{Base: TypeTime, Scale: 2},
	{Base: TypeAny},
}

// keyGen generates random values.
type keyGen struct {
	r *rand.Rand
}

// str returns a random string over an alphabet that exercises case
// folding, accents, the escape byte and trailing spaces.
func (g keyGen) str(binary bool) string {
	alphabet := []string{"a", "A", "b", "B", "é", "É", " ", "\x00", "z", "ß"}
	if binary {
		alphabet = []string{"a", "A", "\x00", "\x01", "\xff", "\xfe", " "}
	}
	var b strings.Builder
	for range g.r.IntN(6) {
		b.WriteString(alphabet[g.r.IntN(len(alphabet))])
	}
	return b.String()
}

// number returns a random number of a random kind.
func (g keyGen) number() Value {
	switch g.r.IntN(7) {
	case 0:
		return IntValue(g.r.Int64N(21) - 10)
	case 1:
		return IntValue(int64(g.r.Uint64()))
	case 2:
		return UintValue(g.r.Uint64())
	case 3:
		return FloatValue(float64(g.r.IntN(41)-20) / 4)
	case 4:
		return FloatValue(math.Float64frombits(g.r.Uint64()&^(0x7ff<<52)) * math.Pow(2, float64(g.r.IntN(200)-100)))
	case 5:
		// At most 15 significant digits, so that a decimal equal to a
		// float as floats is also equal as decimals.
		d := Decimal{coef: g.r.Int64N(2e14) - 1e14, scale: int32(g.r.IntN(8))}
		return DecimalValue(d)
	}
	return DecimalValue(Decimal{coef: g.r.Int64N(41) - 20, scale: int32(g.r.IntN(3))})
}

// anyValue returns a random value for a column of type t (already
// coerced), or NULL.
func (g keyGen) value(t ColumnType, class int) Value {
	if g.r.IntN(8) == 0 {
		return Null
	}
	for {
		var raw Value
		switch t.Kind() {
		case KindInt, KindFloat, KindDecimal:
			raw = g.number()
		case KindString:
			raw = StringValue(g.str(false))
			if t.Base == TypeEnum {
				raw = IntValue(g.r.Int64N(4) + 1)
			}
			if t.Base == TypeJSON {
				raw = StringValue(`"` + strings.ReplaceAll(g.str(false), "\x00", "") + `"`)
			}
		case KindBytes:
			raw = BytesValue([]byte(g.str(true)))
		case KindTime:
			sec := g.r.Int64N(4e9) - 1e9
			if g.r.IntN(2) == 0 {
				sec = g.r.Int64N(5) * 86400
			}
			raw = TimeValue(time.Unix(sec, g.r.Int64N(1e9)))
			if t.Base == TypeTime {
				raw = DurationValue(time.Duration(g.r.Int64N(2*int64(maxDuration)))-maxDuration, 6)
			}
		default: // TypeAny: one class per column
			switch class {
			case 0:
				return g.number()
			case 1:
				return StringValue(g.str(false))
			case 2:
				return BytesValue([]byte(g.str(true)))
			}
			return TimeValue(time.Unix(g.r.Int64N(4e9)-1e9, g.r.Int64N(1e6)*1000))
		}
		v, err := Coerce(raw, t)
		if err == nil {
			return v
		}
	}
}

// compareTuples compares tuples by CompareForSort, reversed for desc
// columns.
func compareTuples(a, b []Value, descs []bool) int {
	for i := range a {
		c := CompareForSort(a[i], b[i])
		if descs[i] {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// normalizeKeyValue is what decoding a key gives back for v.
func normalizeKeyValue(v Value, t ColumnType) Value {
	if v.K == KindString && t.Base != TypeEnum && t.Base != TypeAny {
		return StringValue(FoldString(v.S))
	}
	if t.Base == TypeAny && v.K == KindString {
		return StringValue(FoldString(v.S))
	}
	return v
}

// TestKeyOrderProperty checks, for random tuples of typed values, that
// the byte order of keys is the tuple order and that keys decode back.
func TestKeyOrderProperty(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	g := keyGen{rand.New(rand.NewPCG(seed, 1))}
	for iter := 0; iter < 3000; iter++ {
		n := 1 + g.r.IntN(3)
		types := make([]ColumnType, n)
		descs := make([]bool, n)
		classes := make([]int, n)
		for i := range types {
			types[i] = keyTestTypes[g.r.IntN(len(keyTestTypes))]
			descs[i] = g.r.IntN(3) == 0
			classes[i] = g.r.IntN(4)
		}
		tuples := make([][]Value, 12)
		keys := make([][]byte, len(tuples))
		for j := range tuples {
			tuples[j] = make([]Value, n)
			for i := range types {
				tuples[j][i] = g.value(types[i], classes[i])
				if j > 0 && g.r.IntN(3) == 0 {
					tuples[j][i] = tuples[g.r.IntN(j)][i] // equal prefixes
				}
			}
			keys[j] = AppendKeyTuple(nil, tuples[j], types, descs)
		}
		for a := range tuples {
			for b := range tuples {
				want := compareTuples(tuples[a], tuples[b], descs)
				if got := bytes.Compare(keys[a], keys[b]); got != want {
					t.Fatalf("types %v descs %v:\n%v\n%v\ntuple order %d, key order %d\nkeys %x\n     %x",
						types, descs, describeTuple(tuples[a]), describeTuple(tuples[b]), want, got, keys[a], keys[b])
				}
			}
			dec, err := DecodeKey(keys[a], types, descs)
			if err != nil {
				t.Fatalf("DecodeKey(%x): %v", keys[a], err)
			}
			for i, v := range tuples[a] {
				want := normalizeKeyValue(v, types[i])
				if types[i].Base == TypeAny {
					if CompareForSort(dec[i], want) != 0 || dec[i].K == KindNull != (want.K == KindNull) {
						t.Fatalf("TypeAny: decoded %s, want %s", describeValue(dec[i]), describeValue(want))
					}
					continue
				}
				if diff := cmp.Diff(want, dec[i]); diff != "" {
					t.Fatalf("%s: decoded %s, want %s (-want +got):\n%s", types[i], describeValue(dec[i]), describeValue(want), diff)
				}
			}
			// A key followed by more bytes decodes as a prefix.
			vals, rest, err := DecodeKeyPrefix(append(keys[a], 0xAB), types, descs)
			if err != nil || len(rest) != 1 || rest[0] != 0xAB || len(vals) != n {
				t.Fatalf("DecodeKeyPrefix: %v, %x, %v", vals, rest, err)
			}
		}
	}
}

func describeTuple(vs []Value) string {
	var parts []string
	for _, v := range vs {
		parts = append(parts, describeValue(v))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// TestKeyCollation checks the UNIQUE-relevant cases directly.
func TestKeyCollation(t *testing.T) {
	vc := ColumnType{Base: TypeVarChar, Length: 10}
	k := func(s string) []byte { return AppendKey(nil, StringValue(s), vc, false) }
	if !bytes.Equal(k("a"), k("A")) || bytes.Equal(k("a"), k("a  ")) || bytes.Compare(k("a"), k("a  ")) >= 0 {
		t.Error("'a' and 'A' must have equal keys, 'a  ' a greater one (NO PAD)")
	}
	pad := ColumnType{Base: TypeVarChar, Length: 10, Collation: "utf8mb4_general_ci"}
	kp := func(s string) []byte { return AppendKey(nil, StringValue(s), pad, false) }
	if !bytes.Equal(kp("a"), kp("A")) || !bytes.Equal(kp("a"), kp("a  ")) {
		t.Error("utf8mb4_general_ci: 'a', 'A' and 'a  ' must have equal keys (PAD SPACE)")
	}
	if bytes.Compare(k("a"), k("ab")) >= 0 || bytes.Compare(k("ab"), k("b")) >= 0 || bytes.Compare(k("a"), k("a\x00")) >= 0 {
		t.Error("prefix order")
	}
	if bytes.Compare(AppendKey(nil, Null, vc, false), k("")) >= 0 {
		t.Error("NULL must sort first")
	}
	if bytes.Compare(AppendKey(nil, Null, vc, true), AppendKey(nil, StringValue("z"), vc, true)) <= 0 {
		t.Error("NULL must sort last in DESC")
	}
}

func TestPrefixSuccessor(t *testing.T) {
	tests := []struct{ in, want []byte }{
		{[]byte{1, 2}, []byte{1, 3}},
		{[]byte{1, 0xFF}, []byte{2}},
		{[]byte{0xFF, 0xFF}, nil},
		{nil, nil},
	}
	for _, tc := range tests {
		if got := PrefixSuccessor(tc.in); !bytes.Equal(got, tc.want) {
			t.Errorf("PrefixSuccessor(%x) = %x, want %x", tc.in, got, tc.want)
		}
	}
	// Every key with the prefix sorts below the successor.
	vc := ColumnType{Base: TypeVarChar, Length: 10}
	p := AppendKey(nil, StringValue("ab"), ColumnType{Base: TypeInt}, false)
	full := AppendKey(append([]byte(nil), p...), StringValue("\xff\xff"), vc, false)
	if bytes.Compare(full, PrefixSuccessor(p)) >= 0 {
		t.Error("key with prefix is not below the successor")
	}
}

// keyFuzzTypeLists are the type lists FuzzDecodeKey decodes with.
var keyFuzzTypeLists = [][]ColumnType{
	{{Base: TypeInt}, {Base: TypeVarChar, Length: 10}},
	{{Base: TypeDecimal, Precision: 30, Scale: 4}, {Base: TypeDouble}},
	{{Base: TypeAny}, {Base: TypeAny}},
	{{Base: TypeDatetime, Scale: 6}, {Base: TypeTime}, {Base: TypeDate}},
	{{Base: TypeBlob}, {Base: TypeEnum, Elems: []string{"x"}}, {Base: TypeBigInt, Unsigned: true}},
}

func FuzzDecodeKey(f *testing.F) {
	f.Add(byte(0), byte(0), AppendKeyTuple(nil, []Value{IntValue(5), StringValue("ab\x00c")}, keyFuzzTypeLists[0], nil))
	f.Add(byte(1), byte(1), AppendKeyTuple(nil, []Value{dec("-12.5"), FloatValue(-1)}, keyFuzzTypeLists[1], []bool{true}))
	f.Add(byte(2), byte(2), AppendKeyTuple(nil, []Value{dec("-0.00125"), StringValue("x")}, keyFuzzTypeLists[2], []bool{false, true}))
	f.Add(byte(3), byte(0), AppendKeyTuple(nil, []Value{TimeValue(time.Unix(5, 0)), DurationValue(-time.Hour, 0), Null}, keyFuzzTypeLists[3], nil))
	f.Add(byte(4), byte(0), []byte{1, 0, 0, 1})
	f.Add(byte(1), byte(0), []byte("\x0170000000000000000000000000000000000000000000000000000000000000000000000000\x00")) // a DECIMAL(30,4) coefficient of 60 bytes
	f.Fuzz(fuzzDecodeKeyCheck)
}

// fuzzDecodeKeyCheck is FuzzDecodeKey's check of one input.
func fuzzDecodeKeyCheck(t *testing.T, which, descBits byte, src []byte) {
	{
		types := keyFuzzTypeLists[int(which)%len(keyFuzzTypeLists)]
		descs := make([]bool, len(types))
		for i := range descs {
			descs[i] = descBits>>i&1 == 1
		}
		vals, err := DecodeKey(src, types, descs)
		if err != nil {
			return
		}
		// Whatever decodes must re-encode to a key that decodes the same.
		again, err := DecodeKey(AppendKeyTuple(nil, vals, types, descs), types, descs)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		for i := range vals {
			if CompareForSort(vals[i], again[i]) != 0 {
				t.Fatalf("column %d: %s became %s", i, describeValue(vals[i]), describeValue(again[i]))
			}
		}
	}
}

// TestDecodeMutations runs FuzzDecodeRow's and FuzzDecodeKey's checks on
// random mutations of encoded rows and keys (bytes overwritten, extreme
// values, cuts), so that the default test run meets what the fuzzers
// would. BXDB_MUTATION_SEED replays a run.
func TestDecodeMutations(t *testing.T) {
	seed := mutation.Seed(t)
	rng := rand.New(rand.NewPCG(seed, 8))
	mutate := func(s []byte) []byte { return mutation.Bytes(rng, s) }
	rows := rowFuzzSeeds()
	keys := [][]byte{
		AppendKeyTuple(nil, []Value{IntValue(5), StringValue("ab\x00c")}, keyFuzzTypeLists[0], nil),
		AppendKeyTuple(nil, []Value{dec("-12.5"), FloatValue(-1)}, keyFuzzTypeLists[1], []bool{true}),
		AppendKeyTuple(nil, []Value{dec("-0.00125"), StringValue("x")}, keyFuzzTypeLists[2], []bool{false, true}),
		AppendKeyTuple(nil, []Value{TimeValue(time.Unix(5, 0)), DurationValue(-time.Hour, 0), Null}, keyFuzzTypeLists[3], nil),
	}
	for i := 0; i < 10000; i++ {
		r := mutate(rows[rng.IntN(len(rows))])
		n := rng.IntN(40) - 1
		if !t.Run("row", func(t *testing.T) { fuzzDecodeRowCheck(t, r, n) }) {
			t.Fatalf("seed %d: row mutation %d failed", seed, i)
		}
		k := mutate(keys[rng.IntN(len(keys))])
		which, descs := byte(rng.IntN(len(keyFuzzTypeLists))), byte(rng.Uint32())
		if !t.Run("key", func(t *testing.T) { fuzzDecodeKeyCheck(t, which, descs, k) }) {
			t.Fatalf("seed %d: key mutation %d failed", seed, i)
		}
	}
}
