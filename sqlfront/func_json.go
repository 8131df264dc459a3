package sqlfront

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xwb1989/sqlparser"
)

// JSON functions on JSON text (bxdb stores JSON columns as their text):
// JSON_EXTRACT (and the -> and ->> operators), JSON_UNQUOTE, JSON_QUOTE,
// JSON_TYPE, JSON_VALID, JSON_LENGTH, JSON_DEPTH, JSON_KEYS, JSON_ARRAY,
// JSON_OBJECT, JSON_CONTAINS, JSON_CONTAINS_PATH, JSON_OVERLAPS,
// JSON_SEARCH, the modifiers JSON_SET, JSON_INSERT, JSON_REPLACE,
// JSON_REMOVE, JSON_ARRAY_APPEND and JSON_ARRAY_INSERT, the mergers
// JSON_MERGE_PATCH (RFC 7396) and JSON_MERGE_PRESERVE (JSON_MERGE),
// JSON_PRETTY and JSON_STORAGE_SIZE; ANY_VALUE lives here too.
//
// Results are written as MySQL writes JSON: ", " and ": " separators,
// object keys ordered by length, then bytes; strings escaped as MySQL
// escapes them (only ", \ and control characters); integers as integers
// and other numbers as MySQL prints a DOUBLE, with ".0" when integral
// (1.50 is written 1.5, 1e2 100.0). Only a DECIMAL SQL value keeps its
// digits (JSON_ARRAY(1.50) is [1.50]).
//
// Paths: $, .key, ."quoted key", .*, [n], [last], [last-n], [*], ranges
// [m to n] and the ellipsis ** (every value at or below a point); a path
// with a wildcard, a range or ** returns an array of its matches, each
// once. [0] and [last] (and ranges that include them, not [*]) on a
// non-array select the value itself, as in MySQL. JSON_EXTRACT of a number gives an
// SQL number and of anything else the JSON text, so JSON_EXTRACT(doc,
// '$.n') = 3 compares numerically as in MySQL.
//
// JSON values and SQL strings: an argument inserted into a document (the
// values of JSON_SET & co., JSON_ARRAY, JSON_OBJECT) becomes a JSON string
// unless it is JSON-typed: the result of a function returning JSON
// (JSON_OBJECT, JSON_ARRAY, JSON_EXTRACT, ->, JSON_SET, ...), CAST(... AS
// JSON) or a JSON column; those are inserted as the JSON they hold. A
// boolean expression (TRUE, a comparison, NOT, AND, IS NULL, ...) is
// inserted as true or false. This is decided when the call is compiled
// (jsonKindOf), from the argument's syntax and, for columns, their type.

// MySQL error numbers of the JSON functions.
const (
	erIncorrectType        uint16 = 3064 // Incorrect type for argument %s in function %s.
	erInvalidJSONTextParam uint16 = 3141 // Invalid JSON text in argument %d to function %s: "%s"
	erInvalidJSONPath      uint16 = 3143 // Invalid JSON path expression. The error is around character position %d.
	erJSONPathWildcard     uint16 = 3149 // In this situation, path expressions may not contain the * and ** tokens or an array range.
	erJSONVacuousPath      uint16 = 3153 // The path expression '$' is not allowed in this context.
	erJSONBadOneOrAll      uint16 = 3154 // The oneOrAll argument to %s may take these values: 'one' or 'all'.
	erJSONNullKey          uint16 = 3158 // JSON documents may not contain NULL member names.
	erJSONPathArrayCell    uint16 = 3165 // A path expression is not a path to a cell in an array.
)

// init adds the SQLSTATEs of the JSON errors.
func init() {
	// The SQLSTATEs MySQL sends with the JSON errors (value.go's table
	// has only the errors it names).
	for n, st := range map[uint16]string{
		erInvalidJSONTextParam: "22032", erInvalidJSONPath: "42000", erJSONPathWildcard: "42000",
		erJSONVacuousPath: "42000", erJSONBadOneOrAll: "42000", erJSONNullKey: "22032", erJSONPathArrayCell: "42000",
	} {
		if _, ok := sqlStates[n]; !ok {
			sqlStates[n] = st
		}
	}
}

// errJSONText is error 3141 for argument argn (1-based) of function fn.
func errJSONText(fn string, argn int) error {
	return NewSQLError(erInvalidJSONTextParam, "Invalid JSON text in argument %d to function %s: \"Invalid value.\"", argn, fn)
}

// errJSONWildcard is error 3149.
func errJSONWildcard() error {
	return NewSQLError(erJSONPathWildcard, "In this situation, path expressions may not contain the * and ** tokens or an array range.")
}

// jsonKind says how an argument becomes a JSON value.
type jsonKind uint8

const (
	jkSQL  jsonKind = iota // an SQL value: a string becomes a JSON string
	jkJSON                 // JSON-typed: its text is parsed (a number is a JSON number)
	jkBool                 // a boolean expression: 0 and 1 become false and true
)

// jsonResultFuncs are the functions whose result MySQL types JSON.
var jsonResultFuncs = map[string]bool{
	"json_array": true, "json_object": true, "json_extract": true, "json_set": true, "json_insert": true,
	"json_replace": true, "json_remove": true, "json_array_append": true, "json_array_insert": true,
	"json_merge": true, "json_merge_preserve": true, "json_merge_patch": true, "json_keys": true,
	"json_search": true, "json_arrayagg": true, "json_objectagg": true,
}

// jsonKindOf classifies the argument raw, compiled as x.
func (c *compiler) jsonKindOf(raw sqlparser.Expr, x Expr) jsonKind {
	switch r := raw.(type) {
	case *sqlparser.ParenExpr:
		return c.jsonKindOf(r.Expr, x)
	case sqlparser.BoolVal, *sqlparser.ComparisonExpr, *sqlparser.AndExpr, *sqlparser.OrExpr,
		*sqlparser.NotExpr, *sqlparser.IsExpr, *sqlparser.RangeCond, *sqlparser.ExistsExpr:
		return jkBool
	case *sqlparser.ConvertExpr:
		if r.Type != nil && strings.EqualFold(r.Type.Type, "json") {
			return jkJSON
		}
	case *sqlparser.BinaryExpr:
		if r.Operator == sqlparser.JSONExtractOp {
			return jkJSON
		}
	case *sqlparser.FuncExpr:
		if !r.Qualifier.IsEmpty() {
			break
		}
		if jsonResultFuncs[r.Name.Lowered()] || jsonValueReturning(r) == "json" {
			return jkJSON
		}
		// MIN and MAX of a JSON value are JSON.
		if n := r.Name.Lowered(); (n == "min" || n == "max") && c.jsonAggregate(x) {
			return jkJSON
		}
		// ANY_VALUE(x) has x's type.
		if call, ok := x.(*callExpr); ok && r.Name.Lowered() == "any_value" && len(r.Exprs) == 1 && len(call.args) == 1 {
			if ae, ok := r.Exprs[0].(*sqlparser.AliasedExpr); ok {
				return c.jsonKindOf(ae.Expr, call.args[0])
			}
		}
	case *sqlparser.ColName:
		if col, ok := x.(*colExpr); ok && c.slotIsJSON(col.idx) {
			return jkJSON
		}
	}
	return jkSQL
}

// slotIsJSON reports whether the row slot a column resolved to holds a
// JSON column, as far as c's scope knows column types.
func (c *compiler) slotIsJSON(slot int) bool {
	switch s := baseScope(c.sc).(type) {
	case *postScope:
		return s.fromScope.lay.slotIsJSON(slot)
	case *fromScope:
		return s.lay.slotIsJSON(slot)
	case *dmlScope:
		t, ok := s.slotType(slot)
		return ok && t.Base == TypeJSON
	}
	return false
}

// jsonAggregate reports whether x is the slot of a MIN or MAX of a JSON
// value in c's scope.
func (c *compiler) jsonAggregate(x Expr) bool {
	col, ok := x.(*colExpr)
	if !ok {
		return false
	}
	var aggs *aggList
	switch s := baseScope(c.sc).(type) {
	case *postScope:
		aggs = s.fromScope.aggs
	case *fromScope:
		aggs = s.aggs
	}
	if aggs == nil || col.idx < aggs.base || col.idx >= aggs.base+len(aggs.specs) {
		return false
	}
	spec := aggs.specs[col.idx-aggs.base]
	return (spec.Func == AggMin || spec.Func == AggMax) && spec.jsonArgs != nil
}

// baseScope unwraps the scopes that only wrap another one (window calls,
// a subquery's view of its enclosing query).
func baseScope(sc Scope) Scope {
	for {
		switch s := sc.(type) {
		case *windowScope:
			sc = s.Scope
		case *outerProbe:
			sc = s.Scope
		default:
			return sc
		}
	}
}

// slotIsJSON reports whether slot is a JSON column of one of l's tables.
func (l *layout) slotIsJSON(slot int) bool {
	if l == nil {
		return false
	}
	i := l.tableOf(slot)
	if i < 0 {
		return false
	}
	ft := l.tabs[i]
	j := slot - ft.off
	if j < len(ft.types) && ft.types[j].Base == TypeAny && j < len(ft.info) {
		return ft.info[j].DatabaseTypeName == "JSON" // a derived table's JSON column
	}
	return j < len(ft.types) && ft.types[j].Base == TypeJSON
}

// jsonKindsDef returns a function whose eval also receives the JSON kinds
// of its arguments (see jsonKindOf).
func jsonKindsDef(name string, min, max int, flags funcFlags, eval func(kinds []jsonKind, a []Value) (Value, error)) *funcDef {
	d := &funcDef{name: name, min: min, max: max, flags: flags}
	d.eval = func(_ *Env, a []Value) (Value, error) { return eval(make([]jsonKind, len(a)), a) }
	d.build = func(c *compiler, raw []sqlparser.Expr) (Expr, error) {
		args := make([]Expr, len(raw))
		kinds := make([]jsonKind, len(raw))
		for i, r := range raw {
			x, err := c.compile(r)
			if err != nil {
				return nil, err
			}
			args[i], kinds[i] = x, c.jsonKindOf(r, x)
		}
		call := &funcDef{name: d.name, min: d.min, max: d.max, flags: d.flags, eval: func(_ *Env, a []Value) (Value, error) {
			return eval(kinds, a)
		}}
		return c.fold(&callExpr{def: call, args: args}), nil
	}
	return d
}

// init registers the JSON functions and ANY_VALUE.
func init() {
	registerFuncs([]*funcDef{
		{name: "json_extract", min: 2, max: -1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			return jsonExtract(a, false)
		}},
		{name: "json_unquote", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			s, _ := strOf(a[0])
			return StringValue(jsonUnquote(s)), nil
		}},
		{name: "json_quote", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			if a[0].K != KindString && a[0].K != KindBytes {
				return Null, NewSQLError(erIncorrectType, "Incorrect type for argument 1 in function json_quote.")
			}
			return StringValue(jsonQuote(a[0].S)), nil
		}},
		{name: "json_type", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			doc, err := jsonArg(a[0], "json_type")
			if err != nil {
				return Null, err
			}
			return StringValue(jsonTypeName(doc)), nil
		}},
		jsonKindsDef("json_valid", 1, 1, fNullIn, func(k []jsonKind, a []Value) (Value, error) {
			switch {
			case k[0] == jkJSON:
				return BoolValue(true), nil
			case a[0].K != KindString && a[0].K != KindBytes:
				return BoolValue(false), nil
			}
			_, err := jsonParse(a[0].S)
			return BoolValue(err == nil), nil
		}),
		{name: "json_length", min: 1, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			doc, found, err := jsonDocAt(a, "json_length")
			if err != nil || !found {
				return Null, err
			}
			switch d := doc.(type) {
			case []any:
				return IntValue(int64(len(d))), nil
			case map[string]any:
				return IntValue(int64(len(d))), nil
			}
			return IntValue(1), nil
		}},
		{name: "json_depth", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			doc, err := jsonArg(a[0], "json_depth")
			if err != nil {
				return Null, err
			}
			return IntValue(int64(jsonDepth(doc))), nil
		}},
		{name: "json_keys", min: 1, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			doc, found, err := jsonDocAt(a, "json_keys")
			if err != nil || !found {
				return Null, err
			}
			obj, ok := doc.(map[string]any)
			if !ok {
				return Null, nil
			}
			keys := make([]any, 0, len(obj))
			for _, k := range jsonSortedKeys(obj) {
				keys = append(keys, k)
			}
			return StringValue(jsonText(keys)), nil
		}},
		{name: "json_contains_path", min: 3, max: -1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			doc, err := jsonArg(a[0], "json_contains_path")
			if err != nil {
				return Null, err
			}
			all, err := jsonOneOrAll(a[1], "json_contains_path")
			if err != nil {
				return Null, err
			}
			for _, p := range a[2:] {
				m, err := jsonPathArg(doc, p)
				if err != nil {
					return Null, err
				}
				if len(m) > 0 && !all {
					return BoolValue(true), nil
				}
				if len(m) == 0 && all {
					return BoolValue(false), nil
				}
			}
			return BoolValue(all), nil
		}},
		{name: "json_contains", min: 2, max: 3, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			doc, err := jsonArg(a[0], "json_contains")
			if err != nil {
				return Null, err
			}
			cand, err := jsonArgN(a[1], "json_contains", 2)
			if err != nil {
				return Null, err
			}
			if len(a) == 3 {
				steps, err := jsonStrictPath(a[2])
				if err != nil {
					return Null, err
				}
				m := jsonMatch(doc, steps, nil)
				if len(m) == 0 {
					return Null, nil
				}
				doc = m[0]
			}
			return BoolValue(jsonContains(doc, cand)), nil
		}},
		{name: "json_overlaps", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			x, err := jsonArgN(a[0], "json_overlaps", 1)
			if err != nil {
				return Null, err
			}
			y, err := jsonArgN(a[1], "json_overlaps", 2)
			if err != nil {
				return Null, err
			}
			return BoolValue(jsonOverlaps(x, y)), nil
		}},
		// x MEMBER OF (j) (markMemberOf): x, converted as JSON_ARRAY
		// converts its arguments, equals an element of the array j (or j
		// itself when j is not an array).
		jsonKindsDef("m@o", 2, 2, fNullIn, func(k []jsonKind, a []Value) (Value, error) {
			x := jsonArgValue(a[0], k[0])
			doc, err := jsonArgN(a[1], "MEMBER OF", 2)
			if err != nil {
				return Null, err
			}
			arr, ok := doc.([]any)
			if !ok {
				arr = []any{doc}
			}
			for _, e := range arr {
				if jsonEqual(x, e) {
					return IntValue(1), nil
				}
			}
			return IntValue(0), nil
		}),
		jsonKindsDef("json_array", 0, -1, 0, func(k []jsonKind, a []Value) (Value, error) {
			arr := make([]any, len(a))
			for i, v := range a {
				arr[i] = jsonArgValue(v, k[i])
			}
			return StringValue(jsonText(arr)), nil
		}),
		jsonKindsDef("json_object", 0, -1, 0, func(k []jsonKind, a []Value) (Value, error) {
			if len(a)%2 != 0 {
				return Null, NewSQLError(ErWrongParamcountToNativeFct, "Incorrect parameter count in the call to native function 'json_object'")
			}
			obj := make(map[string]any, len(a)/2)
			for i := 0; i < len(a); i += 2 {
				if a[i].K == KindNull {
					return Null, NewSQLError(erJSONNullKey, "JSON documents may not contain NULL member names.")
				}
				key, _ := strOf(a[i])
				obj[key] = jsonArgValue(a[i+1], k[i+1])
			}
			return StringValue(jsonText(obj)), nil
		}),
		jsonKindsDef("json_set", 3, -1, 0, func(k []jsonKind, a []Value) (Value, error) {
			return jsonModifyCall("json_set", jmSet, k, a)
		}),
		jsonKindsDef("json_insert", 3, -1, 0, func(k []jsonKind, a []Value) (Value, error) {
			return jsonModifyCall("json_insert", jmInsert, k, a)
		}),
		jsonKindsDef("json_replace", 3, -1, 0, func(k []jsonKind, a []Value) (Value, error) {
			return jsonModifyCall("json_replace", jmReplace, k, a)
		}),
		jsonKindsDef("json_array_append", 3, -1, 0, func(k []jsonKind, a []Value) (Value, error) {
			return jsonModifyCall("json_array_append", jmAppend, k, a)
		}),
		jsonKindsDef("json_array_insert", 3, -1, 0, func(k []jsonKind, a []Value) (Value, error) {
			return jsonModifyCall("json_array_insert", jmArrayInsert, k, a)
		}),
		{name: "json_remove", min: 2, max: -1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			doc, err := jsonArg(a[0], "json_remove")
			if err != nil {
				return Null, err
			}
			for _, p := range a[1:] {
				steps, err := jsonStrictPath(p)
				if err != nil {
					return Null, err
				}
				if len(steps) == 0 {
					return Null, NewSQLError(erJSONVacuousPath, "The path expression '$' is not allowed in this context.")
				}
				last := steps[len(steps)-1]
				doc = jsonApply(doc, steps[:len(steps)-1], func(parent any) any {
					switch d := parent.(type) {
					case map[string]any:
						if last.member {
							delete(d, last.key)
						}
					case []any:
						if i := last.cell(len(d)); !last.member && i >= 0 && i < len(d) {
							return append(d[:i:i], d[i+1:]...)
						}
					}
					return parent
				})
			}
			return StringValue(jsonText(doc)), nil
		}},
		{name: "json_merge_preserve", min: 2, max: -1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			return jsonMergePreserve("json_merge_preserve", a)
		}},
		{name: "json_merge", min: 2, max: -1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			return jsonMergePreserve("json_merge", a)
		}},
		{name: "json_merge_patch", min: 2, max: -1, eval: jsonMergePatchCall},
		{name: "json_search", min: 3, max: -1, eval: func(_ *Env, a []Value) (Value, error) {
			return jsonSearch(a)
		}},
		{name: "json_pretty", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			doc, err := jsonArg(a[0], "json_pretty")
			if err != nil {
				return Null, err
			}
			var b bytes.Buffer
			jsonWritePretty(&b, doc, 0)
			return StringValue(b.String()), nil
		}},
		{name: "json_storage_size", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			doc, err := jsonArg(a[0], "json_storage_size")
			if err != nil {
				return Null, err
			}
			return IntValue(int64(1 + jsonBinarySize(doc, true))), nil
		}},
		// ANY_VALUE(x) is x; bxdb does not reject non-aggregated columns
		// (a group's first row gives them), so it only documents intent.
		{name: "any_value", min: 1, max: 1, eval: func(_ *Env, a []Value) (Value, error) {
			return a[0], nil
		}},
	})
}

// jsonUnquoteExtractDef is the ->> operator: JSON_UNQUOTE(JSON_EXTRACT(…)).
var jsonUnquoteExtractDef = &funcDef{name: "json_unquote", min: 2, max: 2, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
	return jsonExtract(a, true)
}}

// jsonExtract is JSON_EXTRACT(doc, path...) and, with unquote, ->>.
func jsonExtract(a []Value, unquote bool) (Value, error) {
	doc, err := jsonArg(a[0], "json_extract")
	if err != nil {
		return Null, err
	}
	var matches []any
	wild := len(a) > 2
	for _, p := range a[1:] {
		ps, _ := strOf(p)
		steps, w, err := parseJSONPath(ps)
		if err != nil {
			return Null, err
		}
		wild = wild || w
		matches = jsonMatch(doc, steps, matches)
	}
	if len(matches) == 0 {
		return Null, nil
	}
	var res any = matches[0]
	if wild {
		res = matches
	}
	if unquote { // ->> and JSON_UNQUOTE are text, numbers included (MySQL)
		if s, ok := res.(string); ok {
			return StringValue(s), nil
		}
		return StringValue(jsonText(res)), nil
	}
	if n, ok := res.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return IntValue(i), nil
		}
		if f, err := n.Float64(); err == nil && !math.IsInf(f, 0) {
			return FloatValue(f), nil
		}
	}
	return StringValue(jsonText(res)), nil
}

// jsonDocAt parses the document argument a[0] of function fn and, when a
// path a[1] is given (no wildcards), selects its first match; found is
// false when the path matches nothing (the function's result is then NULL).
func jsonDocAt(a []Value, fn string) (doc any, found bool, err error) {
	if doc, err = jsonArg(a[0], fn); err != nil {
		return nil, false, err
	}
	if len(a) < 2 {
		return doc, true, nil
	}
	steps, err := jsonStrictPath(a[1])
	if err != nil {
		return nil, false, err
	}
	m := jsonMatch(doc, steps, nil)
	if len(m) == 0 {
		return nil, false, nil
	}
	return m[0], true, nil
}

// jsonArg parses the first argument of function fn as a JSON document;
// invalid text is MySQL's 3141.
func jsonArg(v Value, fn string) (any, error) { return jsonArgN(v, fn, 1) }

// jsonArgN parses argument argn (1-based) of function fn as a JSON
// document. A number (as JSON_EXTRACT returns them) is read as the JSON
// number it prints as, a DOUBLE as a double.
func jsonArgN(v Value, fn string, argn int) (any, error) {
	s, _ := strOf(v)
	if v.K == KindFloat {
		s = jsonDouble(v.F)
	}
	doc, err := jsonParse(s)
	if err != nil {
		return nil, errJSONText(fn, argn)
	}
	return doc, nil
}

// jsonParse parses one JSON text (surrounded by whitespace at most).
// Numbers stay json.Number, so that integers keep all their digits.
func jsonParse(s string) (any, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return nil, err
	}
	if strings.TrimLeft(s[d.InputOffset():], " \t\r\n") != "" {
		return nil, &json.SyntaxError{Offset: d.InputOffset()}
	}
	if !jsonNumbersFit(doc) {
		return nil, errJSONNumberTooBig
	}
	if strings.Contains(s, `\u`) && !jsonSurrogatesPaired(s) {
		return nil, errJSONSurrogate
	}
	return doc, nil
}

// errJSONSurrogate is jsonParse's error for a \u escape of a lone UTF-16
// surrogate ("\ud800"), which MySQL's parser rejects (encoding/json
// would read it as U+FFFD).
var errJSONSurrogate = errors.New("The surrogate pair in string is invalid.")

// jsonSurrogatesPaired reports whether every \u escape of a UTF-16
// surrogate in the JSON text s is a high one followed by a low one.
func jsonSurrogatesPaired(s string) bool {
	code := func(i int) (rune, bool) { // the \uXXXX at s[i:]
		if i+6 > len(s) || s[i] != '\\' || s[i+1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(s[i+2:i+6], 16, 32)
		return rune(n), err == nil
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		r, ok := code(i)
		if !ok {
			i++ // an escaped character
			continue
		}
		switch {
		case 0xDC00 <= r && r <= 0xDFFF:
			return false
		case 0xD800 <= r && r <= 0xDBFF:
			lo, ok := code(i + 6)
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return false
			}
			i += 6
		}
		i += 5
	}
	return true
}

// errJSONNumberTooBig is jsonParse's error for a number beyond the range
// of a double (1e400), which MySQL's parser rejects.
var errJSONNumberTooBig = errors.New("Number too big to be stored in double.")

// jsonNumbersFit reports whether every number in doc is within the range
// of a double.
func jsonNumbersFit(doc any) bool {
	switch d := doc.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(d), 64)
		return err == nil || !math.IsInf(f, 0)
	case []any:
		for _, x := range d {
			if !jsonNumbersFit(x) {
				return false
			}
		}
	case map[string]any:
		for _, x := range d {
			if !jsonNumbersFit(x) {
				return false
			}
		}
	}
	return true
}

// jsonArgValue converts an SQL argument to the JSON value it inserts,
// according to its kind: NULL is null, a JSON-typed string the JSON it
// holds, a boolean expression true or false, other values by
// jsonOfValue.
func jsonArgValue(v Value, k jsonKind) any {
	switch {
	case v.K == KindNull:
		return nil
	case k == jkBool && v.K == KindInt:
		return v.I != 0
	case k == jkJSON && (v.K == KindString || v.K == KindBytes):
		if doc, err := jsonParse(v.S); err == nil {
			return doc
		}
	}
	return jsonOfValue(v)
}

// jsonDecimal is a DECIMAL SQL value inside a JSON value: written with
// its digits (JSON_ARRAY(1.50) is [1.50]), where a parsed number with a
// fraction is a double.
type jsonDecimal string

// jsonOfValue converts an SQL value to a JSON value for JSON_ARRAY,
// JSON_OBJECT and the JSON aggregates: strings become JSON strings,
// dates and times the strings MySQL's JSON temporal values print as.
func jsonOfValue(v Value) any {
	switch v.K {
	case KindNull:
		return nil
	case KindString, KindBytes:
		return v.S
	case KindDecimal:
		return jsonDecimal(v.S)
	case KindFloat:
		return json.Number(jsonDouble(v.F))
	case KindTime:
		tt := v.TimeType()
		if tt == TimeDate {
			return Format(v)
		}
		return Format(Value{K: KindTime, T: v.T, I: timeMeta(tt, 6)})
	}
	return json.Number(Format(v))
}

// jsonDouble formats f as MySQL prints a JSON double: like a DOUBLE, with
// ".0" added when that reads as an integer.
func jsonDouble(f float64) string {
	var buf [40]byte
	b := appendFloat(buf[:0], f)
	if bytes.IndexAny(b, ".eEnN") < 0 {
		b = append(b, '.', '0')
	}
	return string(b)
}

// jsonPathArg evaluates the path argument p on doc.
func jsonPathArg(doc any, p Value) ([]any, error) {
	ps, _ := strOf(p)
	steps, _, err := parseJSONPath(ps)
	if err != nil {
		return nil, err
	}
	return jsonMatch(doc, steps, nil), nil
}

// jsonStrictPath parses the path argument p, which may not have
// wildcards, ranges or ** (3149).
func jsonStrictPath(p Value) ([]jsonStep, error) {
	ps, _ := strOf(p)
	steps, wild, err := parseJSONPath(ps)
	if err != nil {
		return nil, err
	}
	if wild {
		return nil, errJSONWildcard()
	}
	return steps, nil
}

// jsonOneOrAll reads the 'one' / 'all' argument of function fn.
func jsonOneOrAll(v Value, fn string) (all bool, err error) {
	mode, _ := strOf(v)
	switch {
	case strings.EqualFold(mode, "all"):
		return true, nil
	case strings.EqualFold(mode, "one"):
		return false, nil
	}
	return false, NewSQLError(erJSONBadOneOrAll, "The oneOrAll argument to %s may take these values: 'one' or 'all'.", fn)
}

// jsonStep is one step of a JSON path: a member (key, or any with wild),
// an array cell (index, counted back from the last with fromEnd; any
// with wild; a range index..to with isRange), or the ellipsis **.
type jsonStep struct {
	member    bool
	key       string
	index     int
	fromEnd   bool
	wild      bool
	isRange   bool
	to        int
	toFromEnd bool
	ellipsis  bool
}

// jsonCellIndex resolves an array index (counted back from the last with
// fromEnd) in an array of n elements; it may be out of range.
func jsonCellIndex(i int, fromEnd bool, n int) int {
	if fromEnd {
		return n - 1 - i
	}
	return i
}

// cell resolves a single-cell step in an array of n elements.
func (st jsonStep) cell(n int) int { return jsonCellIndex(st.index, st.fromEnd, n) }

// cells returns the inclusive range of indexes a cell step selects in an
// array of n elements (lo > hi: none).
func (st jsonStep) cells(n int) (lo, hi int) {
	switch {
	case st.wild:
		return 0, n - 1
	case st.isRange:
		lo = max(jsonCellIndex(st.index, st.fromEnd, n), 0)
		hi = min(jsonCellIndex(st.to, st.toFromEnd, n), n-1)
		return lo, hi
	}
	i := st.cell(n)
	if i < 0 || i >= n {
		return 0, -1
	}
	return i, i
}

// isJSONSpace reports whether c is JSON whitespace.
func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// parseJSONPath parses a path; it reports whether it has a wildcard, a
// range or the ellipsis. Errors are MySQL's 3143 with the (1-based)
// position where parsing failed.
func parseJSONPath(p string) ([]jsonStep, bool, error) {
	bad := func(at int) ([]jsonStep, bool, error) {
		return nil, false, NewSQLError(erInvalidJSONPath, "Invalid JSON path expression. The error is around character position %d.", max(at, 1))
	}
	i, n := 0, len(p)
	skip := func() {
		for i < n && isJSONSpace(p[i]) {
			i++
		}
	}
	skip()
	if i >= n || p[i] != '$' {
		return bad(i)
	}
	i++
	var steps []jsonStep
	wild := false
	for skip(); i < n; skip() {
		switch p[i] {
		case '.':
			i++
			skip()
			switch {
			case i >= n:
				return bad(i)
			case p[i] == '*':
				steps, wild = append(steps, jsonStep{member: true, wild: true}), true
				i++
			case p[i] == '"':
				end := i + 1
				for end < n && p[end] != '"' {
					if p[end] == '\\' {
						end++
					}
					end++
				}
				if end >= n {
					return bad(n)
				}
				var k string
				if err := json.Unmarshal([]byte(p[i:end+1]), &k); err != nil {
					return bad(i)
				}
				steps = append(steps, jsonStep{member: true, key: k})
				i = end + 1
			default:
				end := i
				for end < n && p[end] != '.' && p[end] != '[' && p[end] != '*' && !isJSONSpace(p[end]) {
					end++
				}
				if end == i {
					return bad(i)
				}
				steps = append(steps, jsonStep{member: true, key: p[i:end]})
				i = end
			}
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return bad(n)
			}
			in := p[i+1 : i+end]
			st := jsonStep{}
			if f := strings.Fields(in); len(f) == 1 && f[0] == "*" {
				st.wild, wild = true, true
			} else if k := indexOf(f, "to"); k >= 0 {
				var ok1, ok2 bool
				st.index, st.fromEnd, ok1 = parseJSONIndex(strings.Join(f[:k], ""))
				st.to, st.toFromEnd, ok2 = parseJSONIndex(strings.Join(f[k+1:], ""))
				if !ok1 || !ok2 || !st.fromEnd && !st.toFromEnd && st.index > st.to {
					return bad(i + 1)
				}
				st.isRange, wild = true, true
			} else {
				var ok bool
				if st.index, st.fromEnd, ok = parseJSONIndex(strings.Join(f, "")); !ok {
					return bad(i + 1)
				}
			}
			steps = append(steps, st)
			i += end + 1
		case '*':
			if i+1 >= n || p[i+1] != '*' {
				return bad(i)
			}
			steps, wild = append(steps, jsonStep{ellipsis: true}), true
			i += 2
		default:
			return bad(i)
		}
	}
	if len(steps) > 0 && steps[len(steps)-1].ellipsis {
		return bad(n)
	}
	return steps, wild, nil
}

// indexOf returns the index of s in f, or -1.
func indexOf(f []string, s string) int {
	for i, x := range f {
		if x == s {
			return i
		}
	}
	return -1
}

// parseJSONIndex parses an array index without spaces: n, last or
// last-n.
func parseJSONIndex(s string) (index int, fromEnd, ok bool) {
	if rest, found := strings.CutPrefix(s, "last"); found {
		if rest == "" {
			return 0, true, true
		}
		rest, found = strings.CutPrefix(rest, "-")
		if !found {
			return 0, false, false
		}
		n, ok := parseJSONDigits(rest)
		return n, true, ok
	}
	n, ok := parseJSONDigits(s)
	return n, false, ok
}

// parseJSONDigits parses a non-negative decimal integer.
func parseJSONDigits(s string) (int, bool) {
	if s == "" || strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// jsonLoc is one step of a value's location in a document: a member name
// or an array index.
type jsonLoc struct {
	key    string
	index  int
	member bool
}

// jsonSeek calls fn for each value of doc that steps select, in document
// order (object members in key order), with its location: loc extended
// by the steps taken (fn must copy it to keep it).
func jsonSeek(doc any, steps []jsonStep, loc []jsonLoc, fn func(v any, loc []jsonLoc)) {
	var memo map[string]bool
	for _, st := range steps {
		if st.ellipsis {
			memo = map[string]bool{}
		}
	}
	jsonSeekFrom(doc, steps, loc, fn, memo)
}

// jsonSeekFrom is jsonSeek's walk. With ** steps a value can be reached
// with the same steps left by many routes (for **.a**.a on a deep
// document, combinatorially many); memo (nil without **) remembers each
// (steps left, location) pair walked, since walking it again could only
// find the values found the first time.
func jsonSeekFrom(doc any, steps []jsonStep, loc []jsonLoc, fn func(v any, loc []jsonLoc), memo map[string]bool) {
	if memo != nil {
		k := strconv.Itoa(len(steps)) + jsonLocPath(loc)
		if memo[k] {
			return
		}
		memo[k] = true
	}
	if len(steps) == 0 {
		fn(doc, loc)
		return
	}
	st, rest := steps[0], steps[1:]
	switch {
	case st.ellipsis:
		jsonSeekFrom(doc, rest, loc, fn, memo)
		switch d := doc.(type) {
		case map[string]any:
			for _, k := range jsonSortedKeys(d) {
				jsonSeekFrom(d[k], steps, append(loc, jsonLoc{key: k, member: true}), fn, memo)
			}
		case []any:
			for i, v := range d {
				jsonSeekFrom(v, steps, append(loc, jsonLoc{index: i}), fn, memo)
			}
		}
	case st.member:
		d, ok := doc.(map[string]any)
		if !ok {
			return
		}
		if st.wild {
			for _, k := range jsonSortedKeys(d) {
				jsonSeekFrom(d[k], rest, append(loc, jsonLoc{key: k, member: true}), fn, memo)
			}
		} else if v, ok := d[st.key]; ok {
			jsonSeekFrom(v, rest, append(loc, jsonLoc{key: st.key, member: true}), fn, memo)
		}
	default:
		arr, isArr := doc.([]any)
		if !isArr {
			// A non-array is an array of itself for [0], [last] and
			// ranges that include them, not for [*].
			if lo, hi := st.cells(1); !st.wild && lo <= 0 && hi >= 0 {
				jsonSeekFrom(doc, rest, loc, fn, memo)
			}
			return
		}
		lo, hi := st.cells(len(arr))
		for i := lo; i <= hi; i++ {
			jsonSeekFrom(arr[i], rest, append(loc, jsonLoc{index: i}), fn, memo)
		}
	}
}

// jsonMatch appends to out the values of doc that steps select; with the
// ellipsis a value reached by several ways is taken once.
func jsonMatch(doc any, steps []jsonStep, out []any) []any {
	var seen map[string]bool
	for _, st := range steps {
		if st.ellipsis {
			seen = map[string]bool{}
		}
	}
	jsonSeek(doc, steps, nil, func(v any, loc []jsonLoc) {
		if seen != nil {
			k := jsonLocPath(loc)
			if seen[k] {
				return
			}
			seen[k] = true
		}
		out = append(out, v)
	})
	return out
}

// jsonLocPath writes a location as MySQL writes a path: $, .key (or
// ."key" when the key is not an identifier) and [n].
func jsonLocPath(loc []jsonLoc) string {
	b := []byte{'$'}
	for _, l := range loc {
		if !l.member {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(l.index), 10)
			b = append(b, ']')
			continue
		}
		b = append(b, '.')
		if jsonIsIdentifier(l.key) {
			b = append(b, l.key...)
		} else {
			b = appendJSONQuoted(b, l.key)
		}
	}
	return string(b)
}

// jsonIsIdentifier reports whether k is an ECMAScript identifier, which a
// path names without quotes.
func jsonIsIdentifier(k string) bool {
	if k == "" {
		return false
	}
	for i, r := range k {
		switch {
		case r == '$' || r == '_' || unicode.IsLetter(r) || unicode.Is(unicode.Nl, r):
		case i > 0 && (unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Pc) || r == 0x200c || r == 0x200d):
		default:
			return false
		}
	}
	return true
}

// jsonModifyMode is what jsonModifyCall does at each path.
type jsonModifyMode uint8

const (
	jmSet         jsonModifyMode = iota // JSON_SET: replace or add
	jmInsert                            // JSON_INSERT: add only
	jmReplace                           // JSON_REPLACE: replace only
	jmAppend                            // JSON_ARRAY_APPEND
	jmArrayInsert                       // JSON_ARRAY_INSERT
)

// jsonModifyCall runs JSON_SET, JSON_INSERT, JSON_REPLACE,
// JSON_ARRAY_APPEND or JSON_ARRAY_INSERT (function fn): a document, then
// path / value pairs applied left to right. A NULL document or path is
// NULL; a NULL value is JSON null.
func jsonModifyCall(fn string, mode jsonModifyMode, kinds []jsonKind, a []Value) (Value, error) {
	if len(a)%2 != 1 {
		return Null, errParamCount(fn)
	}
	if a[0].K == KindNull {
		return Null, nil
	}
	for i := 1; i < len(a); i += 2 {
		if a[i].K == KindNull {
			return Null, nil
		}
	}
	doc, err := jsonArg(a[0], fn)
	if err != nil {
		return Null, err
	}
	for i := 1; i < len(a); i += 2 {
		steps, err := jsonStrictPath(a[i])
		if err != nil {
			return Null, err
		}
		val := jsonArgValue(a[i+1], kinds[i+1])
		switch mode {
		case jmAppend:
			doc = jsonApply(doc, steps, func(cur any) any {
				if arr, ok := cur.([]any); ok {
					return append(arr, val)
				}
				return []any{cur, val}
			})
		case jmArrayInsert:
			if len(steps) == 0 || steps[len(steps)-1].member {
				return Null, NewSQLError(erJSONPathArrayCell, "A path expression is not a path to a cell in an array.")
			}
			last := steps[len(steps)-1]
			doc = jsonApply(doc, steps[:len(steps)-1], func(parent any) any {
				arr, ok := parent.([]any)
				if !ok {
					return parent
				}
				at := min(max(last.cell(len(arr)), 0), len(arr))
				arr = append(arr, nil)
				copy(arr[at+1:], arr[at:])
				arr[at] = val
				return arr
			})
		default:
			doc = jsonModify(doc, steps, mode, val)
		}
	}
	return StringValue(jsonText(doc)), nil
}

// jsonModify returns doc with the value at steps (no wildcards) replaced
// by val (JSON_SET, JSON_REPLACE) or, when only the last step is missing,
// val added (JSON_SET, JSON_INSERT): as a member of an object, or to an
// array, at its end past the last cell and at its front before the first
// ([last-n] beyond it). A non-array is an array of itself: its [0] is
// itself, and adding another cell makes it an array.
func jsonModify(doc any, steps []jsonStep, mode jsonModifyMode, val any) any {
	if len(steps) == 0 {
		if mode == jmInsert {
			return doc
		}
		return val
	}
	st, last := steps[0], len(steps) == 1
	if st.member {
		obj, ok := doc.(map[string]any)
		if !ok {
			return doc
		}
		if child, ok := obj[st.key]; ok {
			obj[st.key] = jsonModify(child, steps[1:], mode, val)
		} else if last && mode != jmReplace {
			obj[st.key] = val
		}
		return doc
	}
	arr, isArr := doc.([]any)
	n := 1
	if isArr {
		n = len(arr)
	}
	i := st.cell(n)
	if i >= 0 && i < n {
		if !isArr {
			return jsonModify(doc, steps[1:], mode, val)
		}
		arr[i] = jsonModify(arr[i], steps[1:], mode, val)
		return arr
	}
	if !last || mode == jmReplace {
		return doc
	}
	if !isArr {
		arr = []any{doc}
	}
	if i >= n {
		return append(arr, val)
	}
	return append([]any{val}, arr...)
}

// jsonApply returns doc with the value v at steps (no wildcards) replaced
// by f(v); nothing changes if steps select nothing.
func jsonApply(doc any, steps []jsonStep, f func(any) any) any {
	if len(steps) == 0 {
		return f(doc)
	}
	st := steps[0]
	if st.member {
		if obj, ok := doc.(map[string]any); ok {
			if child, ok := obj[st.key]; ok {
				obj[st.key] = jsonApply(child, steps[1:], f)
			}
		}
		return doc
	}
	arr, isArr := doc.([]any)
	if !isArr {
		if st.cell(1) == 0 {
			return jsonApply(doc, steps[1:], f)
		}
		return doc
	}
	if i := st.cell(len(arr)); i >= 0 && i < len(arr) {
		arr[i] = jsonApply(arr[i], steps[1:], f)
	}
	return arr
}

// jsonMergePreserve is JSON_MERGE_PRESERVE (and JSON_MERGE, as fn).
func jsonMergePreserve(fn string, a []Value) (Value, error) {
	var res any
	for i, v := range a {
		d, err := jsonArgN(v, fn, i+1)
		if err != nil {
			return Null, err
		}
		if i == 0 {
			res = d
		} else {
			res = jsonMergePreserveTwo(res, d)
		}
	}
	return StringValue(jsonText(res)), nil
}

// jsonMergePreserveTwo merges y into x: arrays concatenate, objects merge
// their members (a key in both merges the two values), and a non-array
// merged with an array or with a scalar becomes an array of them.
func jsonMergePreserveTwo(x, y any) any {
	xo, ok1 := x.(map[string]any)
	yo, ok2 := y.(map[string]any)
	if ok1 && ok2 {
		for k, v := range yo {
			if old, ok := xo[k]; ok {
				xo[k] = jsonMergePreserveTwo(old, v)
			} else {
				xo[k] = v
			}
		}
		return xo
	}
	xa, ok := x.([]any)
	if !ok {
		xa = []any{x}
	}
	if ya, ok := y.([]any); ok {
		return append(xa, ya...)
	}
	return append(xa, y)
}

// jsonMergePatchCall is JSON_MERGE_PATCH: documents merged left to right
// by RFC 7396. A NULL argument makes the result NULL unless a later
// argument is not an object (that argument then replaces it), as in
// MySQL.
func jsonMergePatchCall(_ *Env, a []Value) (Value, error) {
	var res any
	isNull := false
	for i, v := range a {
		if v.K == KindNull {
			isNull = true
			continue
		}
		d, err := jsonArgN(v, "json_merge_patch", i+1)
		if err != nil {
			return Null, err
		}
		_, isObj := d.(map[string]any)
		switch {
		case isNull && isObj:
		case isNull || i == 0:
			res, isNull = d, false
		default:
			res = jsonMergePatch(res, d)
		}
	}
	if isNull {
		return Null, nil
	}
	return StringValue(jsonText(res)), nil
}

// jsonMergePatch applies patch to target (RFC 7396): a non-object patch
// replaces the target; an object's null members remove keys and its other
// members patch the target's (an object target, else an empty one).
func jsonMergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
		} else {
			t[k] = jsonMergePatch(t[k], v)
		}
	}
	return t
}

// jsonSearch is JSON_SEARCH(doc, 'one' | 'all', pattern[, escape[,
// path...]]): the paths of the strings that match the LIKE pattern
// (case-sensitively, as JSON strings compare), in document order: a
// JSON string for one, an array for several, NULL for none.
func jsonSearch(a []Value) (Value, error) {
	if a[0].K == KindNull || a[1].K == KindNull || a[2].K == KindNull {
		return Null, nil
	}
	doc, err := jsonArg(a[0], "json_search")
	if err != nil {
		return Null, err
	}
	all, err := jsonOneOrAll(a[1], "json_search")
	if err != nil {
		return Null, err
	}
	pat, _ := strOf(a[2])
	esc := '\\'
	if len(a) > 3 && a[3].K != KindNull {
		e, _ := strOf(a[3])
		switch utf8.RuneCountInString(e) {
		case 0:
		case 1:
			esc, _ = utf8.DecodeRuneInString(e)
		default:
			return Null, NewSQLError(ErWrongArguments, "Incorrect arguments to ESCAPE")
		}
	}
	roots := [][]jsonStep{nil}
	if len(a) > 4 {
		roots = roots[:0]
		for _, p := range a[4:] {
			if p.K == KindNull {
				return Null, nil
			}
			ps, _ := strOf(p)
			steps, _, err := parseJSONPath(ps)
			if err != nil {
				return Null, err
			}
			roots = append(roots, steps)
		}
	}
	var found []any
	seen := map[string]bool{}
	done := false
	var walk func(v any, loc []jsonLoc)
	walk = func(v any, loc []jsonLoc) {
		if done {
			return
		}
		switch d := v.(type) {
		case string:
			if !jsonLike(d, pat, esc) {
				return
			}
			p := jsonLocPath(loc)
			if !seen[p] {
				seen[p] = true
				found = append(found, p)
				done = !all
			}
		case map[string]any:
			for _, k := range jsonSortedKeys(d) {
				walk(d[k], append(loc, jsonLoc{key: k, member: true}))
			}
		case []any:
			for i, x := range d {
				walk(x, append(loc, jsonLoc{index: i}))
			}
		}
	}
	for _, steps := range roots {
		jsonSeek(doc, steps, nil, walk)
	}
	switch len(found) {
	case 0:
		return Null, nil
	case 1:
		return StringValue(jsonText(found[0])), nil
	}
	return StringValue(jsonText(found)), nil
}

// jsonLike reports whether s matches the LIKE pattern p with escape
// character esc, character by character and case-sensitively.
func jsonLike(s, p string, esc rune) bool {
	type tok struct {
		kind uint8 // tokLit, tokOne, tokAny
		r    rune
	}
	var toks []tok
	for i := 0; i < len(p); {
		r, w := utf8.DecodeRuneInString(p[i:])
		i += w
		switch {
		case r == esc && i < len(p):
			r, w = utf8.DecodeRuneInString(p[i:])
			i += w
			toks = append(toks, tok{tokLit, r})
		case r == '%':
			if len(toks) == 0 || toks[len(toks)-1].kind != tokAny {
				toks = append(toks, tok{kind: tokAny})
			}
		case r == '_':
			toks = append(toks, tok{kind: tokOne})
		default:
			toks = append(toks, tok{tokLit, r})
		}
	}
	si, ti := 0, 0
	starTi, starSi := -1, 0
	for si < len(s) {
		r, w := utf8.DecodeRuneInString(s[si:])
		if ti < len(toks) {
			switch t := toks[ti]; {
			case t.kind == tokAny:
				starTi, starSi = ti, si
				ti++
				continue
			case t.kind == tokOne || t.r == r:
				ti++
				si += w
				continue
			}
		}
		if starTi < 0 {
			return false
		}
		ti = starTi + 1
		_, w = utf8.DecodeRuneInString(s[starSi:])
		starSi += w
		si = starSi
	}
	for ti < len(toks) && toks[ti].kind == tokAny {
		ti++
	}
	return ti == len(toks)
}

// jsonUnquote is JSON_UNQUOTE: the contents of a JSON string, or s.
func jsonUnquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		var u string
		if err := json.Unmarshal([]byte(s), &u); err == nil {
			return u
		}
	}
	return s
}

// jsonNumberText returns the text of a JSON number (json.Number or
// jsonDecimal); ok is false for other values.
func jsonNumberText(v any) (s string, ok bool) {
	switch d := v.(type) {
	case json.Number:
		return string(d), true
	case jsonDecimal:
		return string(d), true
	}
	return "", false
}

// isIntLiteral reports whether a JSON number's text is an integer.
func isIntLiteral(s string) bool { return !strings.ContainsAny(s, ".eE") }

// jsonTypeName is JSON_TYPE's answer for doc.
func jsonTypeName(doc any) string {
	switch d := doc.(type) {
	case map[string]any:
		return "OBJECT"
	case []any:
		return "ARRAY"
	case string:
		return "STRING"
	case bool:
		return "BOOLEAN"
	case jsonDecimal:
		return "DECIMAL"
	case json.Number:
		if isIntLiteral(string(d)) {
			if _, err := strconv.ParseInt(string(d), 10, 64); err == nil {
				return "INTEGER"
			}
			if _, err := strconv.ParseUint(string(d), 10, 64); err == nil {
				return "UNSIGNED INTEGER"
			}
		}
		return "DOUBLE"
	}
	return "NULL"
}

// jsonNumEqual compares two JSON numbers by value.
func jsonNumEqual(x, y string) bool {
	if x == y {
		return true
	}
	if isIntLiteral(x) && isIntLiteral(y) {
		if a, err := strconv.ParseInt(x, 10, 64); err == nil {
			b, err := strconv.ParseInt(y, 10, 64)
			return err == nil && a == b
		}
		if a, err := strconv.ParseUint(x, 10, 64); err == nil {
			b, err := strconv.ParseUint(y, 10, 64)
			return err == nil && a == b
		}
	}
	if dx, err := ParseDecimal(x); err == nil && isIntLiteralOrDecimal(x) && isIntLiteralOrDecimal(y) {
		if dy, err := ParseDecimal(y); err == nil {
			return dx.Cmp(dy) == 0
		}
	}
	a, err1 := strconv.ParseFloat(x, 64)
	b, err2 := strconv.ParseFloat(y, 64)
	return err1 == nil && err2 == nil && a == b
}

// isIntLiteralOrDecimal reports whether a number's text has no exponent.
func isIntLiteralOrDecimal(s string) bool { return !strings.ContainsAny(s, "eE") }

// jsonEqual reports whether two JSON values are equal: numbers by value,
// arrays element by element, objects member by member.
func jsonEqual(x, y any) bool {
	if nx, ok := jsonNumberText(x); ok {
		ny, ok := jsonNumberText(y)
		return ok && jsonNumEqual(nx, ny)
	}
	switch a := x.(type) {
	case []any:
		b, ok := y.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !jsonEqual(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := y.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			w, ok := b[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	}
	return x == y // string, bool, null
}

// jsonContains is MySQL's containment of JSON_CONTAINS: scalars contain
// equal scalars (numbers compared as numbers); an array contains an array
// whose every element some element of it contains, and a non-array some
// element of it contains; an object contains an object whose every key it
// has, with a value containing the candidate's.
func jsonContains(target, cand any) bool {
	switch t := target.(type) {
	case []any:
		if c, ok := cand.([]any); ok {
			for _, ce := range c {
				if !jsonContains(t, ce) {
					return false
				}
			}
			return true
		}
		for _, te := range t {
			if jsonContains(te, cand) {
				return true
			}
		}
		return false
	case map[string]any:
		c, ok := cand.(map[string]any)
		if !ok {
			return false
		}
		for k, cv := range c {
			tv, ok := t[k]
			if !ok || !jsonContains(tv, cv) {
				return false
			}
		}
		return true
	}
	if _, ok := cand.([]any); ok {
		return false
	}
	return jsonEqual(target, cand)
}

// jsonOverlaps is JSON_OVERLAPS: arrays overlap when they share an
// element, objects when they share a key with equal values, scalars when
// equal; a non-array compared with an array is an array of itself.
func jsonOverlaps(x, y any) bool {
	xa, xArr := x.([]any)
	ya, yArr := y.([]any)
	switch {
	case xArr && !yArr:
		ya, yArr = []any{y}, true
	case yArr && !xArr:
		xa, xArr = []any{x}, true
	}
	if xArr {
		for _, a := range xa {
			for _, b := range ya {
				if jsonEqual(a, b) {
					return true
				}
			}
		}
		return false
	}
	xo, ok1 := x.(map[string]any)
	yo, ok2 := y.(map[string]any)
	if ok1 || ok2 {
		if !ok1 || !ok2 {
			return false
		}
		for k, v := range xo {
			if w, ok := yo[k]; ok && jsonEqual(v, w) {
				return true
			}
		}
		return false
	}
	return jsonEqual(x, y)
}

// jsonDepth is JSON_DEPTH: 1 for a scalar or an empty array or object,
// else one more than the deepest element.
func jsonDepth(v any) int {
	d := 0
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			d = max(d, jsonDepth(e))
		}
	case map[string]any:
		for _, e := range x {
			d = max(d, jsonDepth(e))
		}
	}
	return d + 1
}

// jsonBinarySize is the size MySQL's binary JSON format gives v, without
// the document's type byte (JSON_STORAGE_SIZE adds it): objects and
// arrays with 2-byte offsets when their whole fits in 64 KiB, else 4-byte
// ones; literals and small integers inlined in their parent's entries;
// strings with a variable-length size; integers in 2, 4 or 8 bytes;
// other numbers as doubles (8). top is set for the document itself, where
// a literal takes one byte.
func jsonBinarySize(v any, top bool) int {
	switch d := v.(type) {
	case nil, bool:
		if top {
			return 1
		}
		return 0
	case string:
		return varLenSize(len(d)) + len(d)
	case json.Number, jsonDecimal:
		s, _ := jsonNumberText(d)
		if isIntLiteral(s) {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				switch {
				case i >= math.MinInt16 && i <= math.MaxInt16:
					return 2
				case i >= math.MinInt32 && i <= math.MaxInt32:
					return 4
				}
				return 8
			}
			if u, err := strconv.ParseUint(s, 10, 64); err == nil {
				switch {
				case u <= math.MaxUint16:
					return 2
				case u <= math.MaxUint32:
					return 4
				}
				return 8
			}
		}
		return 8
	case []any:
		for _, large := range []bool{false, true} {
			if n, ok := jsonContainerSize(nil, d, large); ok {
				return n
			}
		}
	case map[string]any:
		keys := jsonSortedKeys(d)
		vals := make([]any, len(keys))
		for i, k := range keys {
			vals[i] = d[k]
		}
		for _, large := range []bool{false, true} {
			if n, ok := jsonContainerSize(keys, vals, large); ok {
				return n
			}
		}
	}
	return 0
}

// jsonContainerSize sizes an array (keys nil) or object in the small or
// large binary format; ok is false when it does not fit the small one.
func jsonContainerSize(keys []string, vals []any, large bool) (int, bool) {
	off := 2 // count and size fields
	if large {
		off = 4
	}
	n := 2 * off
	if keys != nil {
		n += len(keys) * (off + 2)
		for _, k := range keys {
			n += len(k)
		}
	}
	n += len(vals) * (1 + off)
	for _, v := range vals {
		if !jsonInlined(v, large) {
			n += jsonBinarySize(v, false)
		}
	}
	if !large && (n > math.MaxUint16 || len(vals) > math.MaxUint16) {
		return 0, false
	}
	return n, true
}

// jsonInlined reports whether v is stored in its parent's value entry.
func jsonInlined(v any, large bool) bool {
	switch v.(type) {
	case nil, bool:
		return true
	case json.Number, jsonDecimal:
		s, _ := jsonNumberText(v)
		if !isIntLiteral(s) {
			return false
		}
		lim := int64(math.MaxInt16)
		ulim := uint64(math.MaxUint16)
		if large {
			lim, ulim = math.MaxInt32, math.MaxUint32
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i >= -lim-1 && i <= lim
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return u <= ulim
		}
	}
	return false
}

// varLenSize is the size of the variable-length encoding of n (7 bits a
// byte).
func varLenSize(n int) int {
	size := 1
	for n >= 0x80 {
		n >>= 7
		size++
	}
	return size
}

// jsonSortedKeys returns obj's keys in MySQL's order: by length, then bytes.
func jsonSortedKeys(obj map[string]any) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) < len(keys[j])
		}
		return keys[i] < keys[j]
	})
	return keys
}

// normalizeJSONText parses JSON text and writes it back as MySQL returns
// a stored JSON value (what a JSON column holds, coerceJSON).
func normalizeJSONText(s string) (string, error) {
	doc, err := jsonParse(s)
	if err != nil {
		return "", err
	}
	return jsonText(doc), nil
}

// jsonText writes v as MySQL writes JSON.
func jsonText(v any) string {
	var b bytes.Buffer
	jsonWrite(&b, v)
	return b.String()
}

// jsonQuote is JSON_QUOTE: s as a JSON string.
func jsonQuote(s string) string { return string(appendJSONQuoted(nil, s)) }

// appendJSONQuoted appends s as a JSON string, escaped as MySQL escapes:
// ", \ and control characters (\b \f \n \r \t, others \u00xx) only.
func appendJSONQuoted(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if c < 0x20 {
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, '"')
}

// jsonWriteNumber writes a JSON number: a DECIMAL as it is, an integer
// (that fits 64 bits) as an integer, anything else as a double.
func jsonWriteNumber(b *bytes.Buffer, v any) {
	s, _ := jsonNumberText(v)
	if _, dec := v.(jsonDecimal); dec {
		b.WriteString(s)
		return
	}
	if isIntLiteral(s) {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			b.WriteString(strconv.FormatInt(i, 10))
			return
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			b.WriteString(strconv.FormatUint(u, 10))
			return
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		b.WriteString(s)
		return
	}
	b.WriteString(jsonDouble(f))
}

// jsonWrite writes v to b as MySQL writes JSON.
func jsonWrite(b *bytes.Buffer, v any) {
	switch d := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(d))
	case json.Number, jsonDecimal:
		jsonWriteNumber(b, d)
	case string:
		b.Write(appendJSONQuoted(b.AvailableBuffer(), d))
	case []any:
		b.WriteByte('[')
		for i, x := range d {
			if i > 0 {
				b.WriteString(", ")
			}
			jsonWrite(b, x)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range jsonSortedKeys(d) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.Write(appendJSONQuoted(b.AvailableBuffer(), k))
			b.WriteString(": ")
			jsonWrite(b, d[k])
		}
		b.WriteByte('}')
	}
}

// jsonWritePretty writes v as JSON_PRETTY does: each array element and
// object member on a line of its own, indented by two spaces a level.
func jsonWritePretty(b *bytes.Buffer, v any, level int) {
	indent := func(n int) {
		for range n {
			b.WriteString("  ")
		}
	}
	switch d := v.(type) {
	case []any:
		if len(d) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, x := range d {
			if i > 0 {
				b.WriteString(",\n")
			}
			indent(level + 1)
			jsonWritePretty(b, x, level+1)
		}
		b.WriteByte('\n')
		indent(level)
		b.WriteByte(']')
	case map[string]any:
		if len(d) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, k := range jsonSortedKeys(d) {
			if i > 0 {
				b.WriteString(",\n")
			}
			indent(level + 1)
			b.Write(appendJSONQuoted(b.AvailableBuffer(), k))
			b.WriteString(": ")
			jsonWritePretty(b, d[k], level+1)
		}
		b.WriteByte('\n')
		indent(level)
		b.WriteByte('}')
	default:
		jsonWrite(b, v)
	}
}

// jsonCompareOperands adapts the operands of a comparison when one is
// JSON-typed (jsonKindOf: JSON_EXTRACT, ->, a JSON column, ...) and the
// other is a boolean or JSON too, as MySQL compares JSON values: against
// a boolean a JSON value is its rank (jsonBoolRank), and two JSON
// operands compare in MySQL's order of JSON values, as their sort keys
// (json_order.go). A JSON value against another SQL value is a
// jsonCmpExpr. Other operands are returned as they are.
func (c *compiler) jsonCompareOperands(rawL, rawR sqlparser.Expr, l, r Expr) (Expr, Expr) {
	lk, rk := c.jsonKindOf(rawL, l), c.jsonKindOf(rawR, r)
	lj, rj := lk == jkJSON, rk == jkJSON
	switch {
	case lj && rk == jkBool:
		return &unaryFunc{x: l, f: jsonBoolRank}, r
	case rj && lk == jkBool:
		return l, &unaryFunc{x: r, f: jsonBoolRank}
	case lj && rj:
		return c.fold(&unaryFunc{x: l, f: jsonSortKey}), c.fold(&unaryFunc{x: r, f: jsonSortKey})
	}
	return l, r
}

// jsonBySyntax reports whether e is JSON-typed by its syntax alone (CAST
// AS JSON, a JSON function, ->). Compared with a column, such a value
// compares as JSON (jsonCmpExpr), not as the column's values do, so it
// bounds no key range of the column.
func jsonBySyntax(e sqlparser.Expr) bool {
	name, _, _ := staticExprType(e)
	return name == "JSON"
}

// jsonNumeric returns x, compiled from raw, for numeric context
// (arithmetic, CAST AS a number): a JSON-typed value converts as MySQL
// converts JSON to a number (jsonToNumber).
func (c *compiler) jsonNumeric(raw sqlparser.Expr, x Expr) Expr {
	if c.jsonKindOf(raw, x) != jkJSON {
		return x
	}
	return c.fold(&unaryFunc{x: x, f: jsonToNumber})
}

// jsonToNumber converts a JSON value for numeric context: a JSON string
// becomes the SQL string it holds ("5" reads as 5), true and false 1 and
// 0. Numbers are SQL numbers already (JSON_EXTRACT); null, arrays and
// objects stay text, which reads as 0.
func jsonToNumber(v Value) Value {
	if v.K != KindString {
		return v
	}
	switch {
	case v.S == "true":
		return IntValue(1)
	case v.S == "false":
		return IntValue(0)
	case strings.HasPrefix(v.S, `"`):
		return StringValue(jsonUnquote(v.S))
	}
	return v
}

// jsonVsSQL reports which operand of a comparison is JSON-typed when the
// other is an SQL value (not a boolean: jsonCompareOperands handles
// those): 1 the left, 2 the right, 0 neither.
func (c *compiler) jsonVsSQL(rawL, rawR sqlparser.Expr, l, r Expr) int {
	lk, rk := c.jsonKindOf(rawL, l), c.jsonKindOf(rawR, r)
	switch {
	case lk == jkJSON && rk == jkSQL:
		return 1
	case rk == jkJSON && lk == jkSQL:
		return 2
	}
	return 0
}

// jsonCmpExpr compares a JSON value with an SQL value as MySQL does: the
// SQL value is read as JSON (a number as a JSON number, a string as a
// JSON string) and values of different JSON types are never equal but
// order by type (jsonRank: a JSON string is above every number, so
// JSON_EXTRACT('{"k":"1"}', '$.k') = 1 is false, and JSON_EXTRACT(
// '{"k":1}', '$.k') = '1' too). Two strings compare by their bytes
// (utf8mb4_bin), two numbers numerically; JSON_EXTRACT(doc, '$.a') =
// 'x', which GORM writes, holds for "x".
type jsonCmpExpr struct {
	op       cmpOp
	l, r     Expr
	jsonLeft bool // the left operand is the JSON one
}

func (e *jsonCmpExpr) evalTri(env *Env) (tri, error) {
	a, err := e.l.Eval(env)
	if err != nil {
		return triNull, err
	}
	b, err := e.r.Eval(env)
	if err != nil {
		return triNull, err
	}
	if a.K == KindNull || b.K == KindNull {
		return compareTri(e.op, a, b), nil
	}
	j, q := a, b
	if !e.jsonLeft {
		j, q = b, a
	}
	jr, jv := jsonRankOf(j)
	qr, qv := sqlJSONRank(q)
	if jr != qr {
		// Different JSON types: ordered by type, from the left's side.
		d := int64(jr - qr)
		if !e.jsonLeft {
			d = -d
		}
		return compareTri(e.op, IntValue(d), IntValue(0)), nil
	}
	if !e.jsonLeft {
		jv, qv = qv, jv
	}
	return compareTri(e.op, jv, qv), nil
}
func (e *jsonCmpExpr) Eval(env *Env) (Value, error) { t, err := e.evalTri(env); return t.value(), err }
func (e *jsonCmpExpr) kids() []Expr                 { return []Expr{e.l, e.r} }

// JSON type ranks, in MySQL's order of JSON comparison (a higher rank
// compares greater).
const (
	jrNull = iota
	jrNumber
	jrString
	jrObject
	jrArray
	jrBoolean
)

// jsonRankOf reads a JSON-typed operand's value (JSON text, or the SQL
// number JSON_EXTRACT gives for a JSON number): its type rank and the
// value it compares as (a string's unquoted text, bytewise; a number).
func jsonRankOf(v Value) (int, Value) {
	if isNumericKind(v.K) {
		return jrNumber, v
	}
	doc, err := jsonParse(v.S)
	if err != nil {
		return jrString, Value{K: KindString, S: v.S, C: CollBinNoPad | collExplicit}
	}
	switch d := doc.(type) {
	case nil:
		return jrNull, IntValue(0)
	case bool:
		return jrBoolean, BoolValue(d)
	case json.Number:
		if dec, err := ParseDecimal(string(d)); err == nil {
			return jrNumber, DecimalValue(dec)
		}
		f, _ := strconv.ParseFloat(string(d), 64)
		return jrNumber, FloatValue(f)
	case string:
		return jrString, Value{K: KindString, S: d, C: CollBinNoPad | collExplicit}
	case map[string]any:
		return jrObject, StringValue(jsonText(d))
	case []any:
		return jrArray, StringValue(jsonText(d))
	}
	return jrString, v
}

// sqlJSONRank is jsonRankOf for the SQL operand: a number is a JSON
// number, anything else a JSON string of its text.
func sqlJSONRank(v Value) (int, Value) {
	if isNumericKind(v.K) {
		return jrNumber, v
	}
	return jrString, Value{K: KindString, S: ToString(v), C: CollBinNoPad | collExplicit}
}

// jsonBoolRank is what a JSON value compares as against a boolean
// (TRUE, FALSE, a comparison), which MySQL converts to a JSON boolean:
// JSON true and false are 1 and 0, every other JSON value, a different
// type of lower precedence in MySQL's JSON ordering, is -1 (equal to
// neither, less than both), and NULL stays NULL. So
// JSON_EXTRACT(doc, '$.flag') = TRUE holds for true only, not for 1.
func jsonBoolRank(v Value) Value {
	if v.K != KindString && v.K != KindBytes {
		if v.K == KindNull {
			return v
		}
		return IntValue(-1)
	}
	switch strings.TrimSpace(v.S) {
	case "true":
		return IntValue(1)
	case "false":
		return IntValue(0)
	}
	return IntValue(-1)
}
