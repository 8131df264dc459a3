package sqlfront

import (
	"strings"
	"testing"
)

// TestJSONSortKeyOrder: the sort keys of JSON values ascend in MySQL's
// order of JSON values, and are equal exactly for equal values. Each
// group lists equal values; groups are in ascending order.
func TestJSONSortKeyOrder(t *testing.T) {
	groups := [][]Value{
		{StringValue(`null`)},
		{StringValue(`-1e300`)},
		{StringValue(`-10`), IntValue(-10), StringValue(`-1e1`)},
		{StringValue(`-9.5`), dec("-9.50")},
		{StringValue(`-1.25`)},
		{StringValue(`-1.2`), FloatValue(-1.2)},
		{StringValue(`0`), StringValue(`-0.0`), StringValue(`0e5`), IntValue(0)},
		{StringValue(`1e-300`)},
		{StringValue(`0.1`), StringValue(`1e-1`), FloatValue(0.1), dec("0.10")},
		{StringValue(`1`), StringValue(`1.0`), UintValue(1)},
		{StringValue(`9223372036854775807`)},
		{StringValue(`9.223372036854776e18`), StringValue(`9223372036854776000`)},
		{StringValue(`9223372036854776001`)},
		{StringValue(`18446744073709551615`), UintValue(1<<64 - 1)},
		{StringValue(`""`)},
		{StringValue(`"A"`)},
		{StringValue(`"a"`)},
		{StringValue(`"a\u0000"`)},
		{StringValue(`"a\u0000b"`)},
		{StringValue(`"ab"`)},
		{StringValue(`"é"`)},
		{StringValue(`{}`)},
		{StringValue(`{"b": 9}`)},
		{StringValue(`{"a": 0, "b": 0}`), StringValue(`{"b":0.0,"a":-0}`)},
		{StringValue(`{"a": 0, "b": "x"}`)},
		{StringValue(`{"a": 0, "b": [1]}`)},
		{StringValue(`{"b": 0, "aa": 0}`)},
		{StringValue(`[]`)},
		{StringValue(`[null]`)},
		{StringValue(`[1, 2]`), StringValue(`[1.0, 2e0]`)},
		{StringValue(`[1, 2, 0]`)},
		{StringValue(`[1, "a"]`)},
		{StringValue(`[1, []]`)},
		{StringValue(`[2]`)},
		{StringValue(`[[]]`)},
		{StringValue(`false`)},
		{StringValue(`true`)},
	}
	var prev string
	for i, g := range groups {
		first := jsonSortKey(g[0]).S
		for _, v := range g[1:] {
			if k := jsonSortKey(v).S; k != first {
				t.Errorf("group %d: %s and %s have different keys %q, %q", i, describeValue(g[0]), describeValue(v), first, k)
			}
		}
		if i > 0 && strings.Compare(prev, first) >= 0 {
			t.Errorf("group %d: %s does not sort after group %d (%q >= %q)", i, describeValue(g[0]), i-1, prev, first)
		}
		prev = first
	}
	if k := jsonSortKey(Null); k.K != KindNull {
		t.Errorf("jsonSortKey(NULL) = %s", describeValue(k))
	}
}
