package sqlfront

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
)

// JSON functions on JSON text (bxdb stores JSON columns as their text):
// JSON_EXTRACT (and the -> and ->> operators), JSON_UNQUOTE, JSON_TYPE,
// JSON_LENGTH, JSON_KEYS, JSON_ARRAY, JSON_OBJECT, JSON_CONTAINS and
// JSON_CONTAINS_PATH.
// Results are written as MySQL writes JSON: ", " and ": " separators,
// object keys ordered by length, then bytes.
//
// Paths: $, .key, ."quoted key", .*, [n], [last], [last-n] and [*]; a
// path with a wildcard returns an array of its matches. JSON_EXTRACT of
// a number gives an SQL number and of anything else the JSON text, so
// JSON_EXTRACT(doc, '$.n') = 3 compares numerically as in MySQL.

func init() {
	registerFuncs([]*funcDef{
		{name: "json_extract", min: 2, max: -1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			return jsonExtract(a, false)
		}},
		{name: "json_unquote", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			s, _ := strOf(a[0])
			return StringValue(jsonUnquote(s)), nil
		}},
		{name: "json_type", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			doc, err := jsonArg(a[0], "json_type")
			if err != nil {
				return Null, err
			}
			return StringValue(jsonTypeName(doc)), nil
		}},
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
			mode, _ := strOf(a[1])
			all := strings.EqualFold(mode, "all")
			if !all && !strings.EqualFold(mode, "one") {
				return Null, NewSQLError(3150, "The oneOrAll argument to json_contains_path may take these values: 'one' or 'all'.")
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
			cand, err := jsonArg(a[1], "json_contains")
			if err != nil {
				return Null, NewSQLError(3141, "Invalid JSON text in argument 2 to function json_contains: \"Invalid value.\"")
			}
			if len(a) == 3 {
				ps, _ := strOf(a[2])
				steps, wild, err := parseJSONPath(ps)
				if err != nil {
					return Null, err
				}
				if wild {
					return Null, NewSQLError(3149, "In this situation, path expressions may not contain the * and ** tokens or an array range.")
				}
				m := jsonMatch(doc, steps, nil)
				if len(m) == 0 {
					return Null, nil
				}
				doc = m[0]
			}
			return BoolValue(jsonContains(doc, cand)), nil
		}},
		{name: "json_array", max: -1, eval: func(_ *Env, a []Value) (Value, error) {
			arr := make([]any, len(a))
			for i, v := range a {
				arr[i] = jsonOfValue(v)
			}
			return StringValue(jsonText(arr)), nil
		}},
		{name: "json_object", max: -1, eval: func(_ *Env, a []Value) (Value, error) {
			if len(a)%2 != 0 {
				return Null, NewSQLError(ErWrongParamcountToNativeFct, "Incorrect parameter count in the call to native function 'json_object'")
			}
			obj := make(map[string]any, len(a)/2)
			for i := 0; i < len(a); i += 2 {
				if a[i].K == KindNull {
					return Null, NewSQLError(3158, "JSON documents may not contain NULL member names.")
				}
				k, _ := strOf(a[i])
				obj[k] = jsonOfValue(a[i+1])
			}
			return StringValue(jsonText(obj)), nil
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
	if n, ok := res.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return IntValue(i), nil
		}
		if f, err := n.Float64(); err == nil && !math.IsInf(f, 0) {
			return FloatValue(f), nil
		}
	}
	if s, ok := res.(string); ok && unquote {
		return StringValue(s), nil
	}
	return StringValue(jsonText(res)), nil
}

// jsonDocAt parses the document argument a[0] of function fn and, when a
// path a[1] is given, selects its first match; found is false when the
// path matches nothing (the function's result is then NULL).
func jsonDocAt(a []Value, fn string) (doc any, found bool, err error) {
	if doc, err = jsonArg(a[0], fn); err != nil {
		return nil, false, err
	}
	if len(a) < 2 {
		return doc, true, nil
	}
	m, err := jsonPathArg(doc, a[1])
	if err != nil || len(m) == 0 {
		return nil, false, err
	}
	return m[0], true, nil
}

// jsonArg parses a JSON document argument; invalid text is MySQL's 3141.
func jsonArg(v Value, fn string) (any, error) {
	s, _ := strOf(v)
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil || d.More() {
		return nil, NewSQLError(3141, "Invalid JSON text in argument 1 to function %s: \"Invalid value.\"", fn)
	}
	return doc, nil
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

// jsonStep is one step of a JSON path: a member (key, or "*" with
// wild), or an array cell (index; fromEnd counts back from the last;
// wild for [*]).
type jsonStep struct {
	member  bool
	key     string
	index   int
	fromEnd bool
	wild    bool
}

// parseJSONPath parses a path; it reports whether it has a wildcard.
func parseJSONPath(p string) ([]jsonStep, bool, error) {
	bad := func() ([]jsonStep, bool, error) {
		return nil, false, NewSQLError(3143, "Invalid JSON path expression. The error is around character position %d.", len(p))
	}
	s := strings.TrimSpace(p)
	if !strings.HasPrefix(s, "$") {
		return bad()
	}
	s = s[1:]
	var steps []jsonStep
	wild := false
	for s = strings.TrimLeft(s, " "); s != ""; s = strings.TrimLeft(s, " ") {
		switch s[0] {
		case '.':
			s = strings.TrimLeft(s[1:], " ")
			switch {
			case strings.HasPrefix(s, "*"):
				steps, wild, s = append(steps, jsonStep{member: true, wild: true}), true, s[1:]
			case strings.HasPrefix(s, `"`):
				end := 1
				for end < len(s) && s[end] != '"' {
					if s[end] == '\\' {
						end++
					}
					end++
				}
				if end >= len(s) {
					return bad()
				}
				k, err := strconv.Unquote(s[:end+1])
				if err != nil {
					return bad()
				}
				steps, s = append(steps, jsonStep{member: true, key: k}), s[end+1:]
			default:
				end := 0
				for end < len(s) && s[end] != '.' && s[end] != '[' && s[end] != ' ' {
					end++
				}
				if end == 0 {
					return bad()
				}
				steps, s = append(steps, jsonStep{member: true, key: s[:end]}), s[end:]
			}
		case '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return bad()
			}
			in := strings.TrimSpace(s[1:end])
			s = s[end+1:]
			st := jsonStep{}
			switch {
			case in == "*":
				st.wild, wild = true, true
			case strings.HasPrefix(in, "last"):
				st.fromEnd = true
				if rest := strings.TrimSpace(in[4:]); rest != "" {
					if !strings.HasPrefix(rest, "-") {
						return bad()
					}
					n, err := strconv.Atoi(strings.TrimSpace(rest[1:]))
					if err != nil || n < 0 {
						return bad()
					}
					st.index = n
				}
			default:
				n, err := strconv.Atoi(in)
				if err != nil || n < 0 {
					return bad()
				}
				st.index = n
			}
			steps = append(steps, st)
		default:
			return bad()
		}
	}
	return steps, wild, nil
}

// jsonMatch appends to out the values of doc that steps select.
func jsonMatch(doc any, steps []jsonStep, out []any) []any {
	if len(steps) == 0 {
		return append(out, doc)
	}
	st := steps[0]
	switch d := doc.(type) {
	case map[string]any:
		if !st.member {
			// MySQL treats a non-array as a one-element array for [0].
			if !st.wild && st.index == 0 {
				return jsonMatch(doc, steps[1:], out)
			}
			return out
		}
		if st.wild {
			for _, k := range jsonSortedKeys(d) {
				out = jsonMatch(d[k], steps[1:], out)
			}
			return out
		}
		if v, ok := d[st.key]; ok {
			return jsonMatch(v, steps[1:], out)
		}
	case []any:
		if st.member {
			return out
		}
		if st.wild {
			for _, v := range d {
				out = jsonMatch(v, steps[1:], out)
			}
			return out
		}
		i := st.index
		if st.fromEnd {
			i = len(d) - 1 - st.index
		}
		if i >= 0 && i < len(d) {
			return jsonMatch(d[i], steps[1:], out)
		}
	default:
		if !st.member && !st.wild && (st.index == 0) {
			return jsonMatch(doc, steps[1:], out)
		}
	}
	return out
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
	case json.Number:
		if _, err := d.Int64(); err == nil {
			return "INTEGER"
		}
		return "DOUBLE"
	}
	return "NULL"
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
	case json.Number:
		c, ok := cand.(json.Number)
		if !ok {
			return false
		}
		if t == c {
			return true
		}
		x, err1 := strconv.ParseFloat(string(t), 64)
		y, err2 := strconv.ParseFloat(string(c), 64)
		return err1 == nil && err2 == nil && x == y
	default: // string, bool, null
		return target == cand
	}
}

// jsonOfValue converts an SQL value to a JSON value for JSON_ARRAY and
// JSON_OBJECT.
func jsonOfValue(v Value) any {
	switch v.K {
	case KindNull:
		return nil
	case KindString, KindBytes:
		return v.S
	}
	return json.Number(Format(v))
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

// jsonText writes v as MySQL writes JSON.
func jsonText(v any) string {
	var b bytes.Buffer
	jsonWrite(&b, v)
	return b.String()
}

func jsonWrite(b *bytes.Buffer, v any) {
	switch d := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(d))
	case json.Number:
		b.WriteString(string(d))
	case string:
		enc, _ := json.Marshal(d)
		b.Write(enc)
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
			enc, _ := json.Marshal(k)
			b.Write(enc)
			b.WriteString(": ")
			jsonWrite(b, d[k])
		}
		b.WriteByte('}')
	}
}
