package sqlfront

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// rowTestValues covers every kind and the edges of their payloads.
var rowTestValues = []Value{
	Null,
	IntValue(0), IntValue(-1), IntValue(math.MinInt64), IntValue(math.MaxInt64),
	UintValue(math.MaxUint64), UintValue(1 << 63),
	FloatValue(0), FloatValue(math.Copysign(0, -1)), FloatValue(-1.5e300), FloatValue(math.SmallestNonzeroFloat64),
	dec("0"), dec("-12.50"), dec("123456789012345678901234567890.123456789"),
	StringValue(""), StringValue("héllo\x00"), BytesValue([]byte{0, 0xFF}), BytesValue(nil),
	TimeValue(time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)),
	DateValue(time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)),
	DatetimeValue(time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), 6),
	DatetimeValue(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), 0),
	DurationValue(-maxDuration, 6),
	DurationValue(90*time.Minute, 0),
}

func TestRowRoundTrip(t *testing.T) {
	src := EncodeRow(nil, 7, rowTestValues)
	got, info, err := DecodeRow(src, len(rowTestValues))
	if err != nil {
		t.Fatal(err)
	}
	if info != (RowInfo{SchemaVersion: 7, Stored: len(rowTestValues)}) {
		t.Errorf("info = %+v", info)
	}
	if diff := cmp.Diff(rowTestValues, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	for i, v := range got {
		if v.K == KindFloat && math.Signbit(v.F) != math.Signbit(rowTestValues[i].F) {
			t.Errorf("value %d: sign of zero lost", i)
		}
	}
	if sv, err := RowSchemaVersion(src); err != nil || sv != 7 {
		t.Errorf("RowSchemaVersion = %d, %v", sv, err)
	}
}

// TestRowAddColumn checks rows written before ADD COLUMN and after DROP
// COLUMN (stored count different from the table's).
func TestRowAddColumn(t *testing.T) {
	src := EncodeRow(nil, 1, []Value{IntValue(1), StringValue("a")})
	got, info, err := DecodeRow(src, 4)
	if err != nil {
		t.Fatal(err)
	}
	if info.Stored != 2 || len(got) != 4 || got[2] != Null || got[3] != Null || got[1] != StringValue("a") {
		t.Errorf("got %v, %+v", got, info)
	}
	got, info, err = DecodeRow(src, 1)
	if err != nil || len(got) != 1 || info.Stored != 2 || got[0] != IntValue(1) {
		t.Errorf("fewer columns: %v, %+v, %v", got, info, err)
	}
	buf := make([]Value, 0, 8)
	got, _, err = AppendDecodeRow(buf[:0], src, 2)
	if err != nil || &got[0] != &buf[:1][0] {
		t.Errorf("AppendDecodeRow did not reuse the buffer: %v", err)
	}
}

func TestRowCorrupt(t *testing.T) {
	good := EncodeRow(nil, 3, rowTestValues)
	for _, bad := range [][]byte{
		nil,
		{0},
		{2, 0, 0},
		good[:len(good)-1],
		append(append([]byte(nil), good...), 0),
		{1, 0, 1, 99},
		{1, 0, 1, rowTagUint, 5},
		{1, 0, 1, rowTagDecimal, 1, 'x'},
		{1, 0, 1, rowTagString, 10, 'x'},
		{1, 0, 1, rowTagTime, 0, 0, 9},
		{1, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F},
		{1, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0},
	} {
		if _, _, err := DecodeRow(bad, 3); !errors.Is(err, ErrCorrupt) {
			t.Errorf("DecodeRow(%x) error = %v, want ErrCorrupt", bad, err)
		}
	}
}

// TestRowRandom round-trips random rows.
func TestRowRandom(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	g := keyGen{rand.New(rand.NewPCG(seed, 2))}
	for range 2000 {
		vals := make([]Value, g.r.IntN(8))
		for i := range vals {
			vals[i] = g.value(keyTestTypes[g.r.IntN(len(keyTestTypes))], g.r.IntN(4))
		}
		got, _, err := DecodeRow(EncodeRow(nil, g.r.Uint32(), vals), len(vals))
		if err != nil {
			t.Fatal(err)
		}
		for i := range vals {
			if vals[i].K == KindString {
				vals[i].I = 0 // an ENUM's index is the table's to restore (tagEnums), not the row's
			}
		}
		if diff := cmp.Diff(vals, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
	}
}

func FuzzDecodeRow(f *testing.F) {
	for _, s := range rowFuzzSeeds() {
		f.Add(s, 30)
	}
	f.Add(EncodeRow(nil, 0, nil), 0)
	f.Add(EncodeRow(nil, 5, []Value{IntValue(1), StringValue("x")}), 4)
	f.Add([]byte{1, 0, 2, 7, 0, 0, 0}, 1)
	f.Fuzz(fuzzDecodeRowCheck)
}

// rowFuzzSeeds are encoded rows for FuzzDecodeRow and its mutation run.
func rowFuzzSeeds() [][]byte {
	return [][]byte{EncodeRow(nil, 1, rowTestValues), EncodeRow(nil, 5, []Value{IntValue(1), StringValue("x")}), {1, 0, 2, 7, 0, 0, 0}}
}

// fuzzDecodeRowCheck is FuzzDecodeRow's check of one input.
func fuzzDecodeRowCheck(t *testing.T, src []byte, ncols int) {
	{
		ncols = min(max(ncols, -1), 64)
		vals, info, err := DecodeRow(src, ncols)
		if err != nil {
			return
		}
		if len(vals) != ncols {
			t.Fatalf("%d values for %d columns", len(vals), ncols)
		}
		// A decoded row re-encodes to a row that decodes the same.
		n := min(info.Stored, ncols)
		again, info2, err := DecodeRow(EncodeRow(nil, info.SchemaVersion, vals[:n]), ncols)
		if err != nil || info2.SchemaVersion != info.SchemaVersion {
			t.Fatalf("re-decode: %v", err)
		}
		if diff := cmp.Diff(vals, again); diff != "" {
			t.Fatalf("re-decode (-first +second):\n%s", diff)
		}
	}
}
