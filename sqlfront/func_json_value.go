package sqlfront

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// JSON_VALUE(doc, path [RETURNING type] [{NULL | ERROR | DEFAULT v} ON
// EMPTY] [{NULL | ERROR | DEFAULT v} ON ERROR]), MySQL 8.0.21, as
// Item_func_json_value computes it. The clauses reach the compiler as
// (marker, value) arguments of j@v (rewriteJSONValue in stmt_forms.go).
//
// The path (a string literal) must match one value. No match answers ON
// EMPTY; several matches, and a document that is no JSON text (which is
// also warning 3141), answer ON ERROR. JSON null is NULL. The value is
// then converted to the RETURNING type (without one, CHAR(512) with the
// utf8mb4_bin collation) by the CAST to it, evaluated as in a strict
// statement, so that a conversion that would warn (text that is no
// number, a date that does not exist) fails; so do a value the CAST would
// clip (a number out of range, a string too long, a year of one or two
// digits), an array or object unless the type is CHAR or JSON, and a
// number or boolean for a temporal type. A failed conversion answers ON
// ERROR with no warning (MySQL's coercions there ignore the condition).
// The answers: NULL (the default), ERROR (3966 for ON EMPTY, 3967 for
// several matches, the JSON text error, or 1690 '<type> value is out of
// range'), or DEFAULT v, a literal converted to the type when the call is
// compiled (1690 '<type> DEFAULT value ...' if it does not convert).
//
// A JSON string converts as the SQL string it holds, a number as an
// integer or a double (so 1.5 RETURNING SIGNED is 2), a boolean as 1 or 0.

// MySQL error numbers of JSON_VALUE.
const (
	erMissingJSONValue   uint16 = 3966 // No value was found by '%s' on the specified path.
	erMultipleJSONValues uint16 = 3967 // More than one value was found by '%s' on the specified path.
)

// init registers JSON_VALUE.
func init() {
	sqlStates[erMissingJSONValue] = "22035"
	sqlStates[erMultipleJSONValues] = "22034"
	registerFuncs([]*funcDef{
		{name: "json_value", min: 2, max: 2, build: buildJSONValue},
		// JSON_VALUE with clauses, as rewriteJSONValue hands it over (a
		// name with '@' cannot be written).
		{name: "j@v", min: 4, max: -1, build: buildJSONValue},
	})
}

// jsonValueLabels name each RETURNING type (by its first word) in error
// 1690, for an extracted value and for a DEFAULT value that does not
// convert, as MySQL does.
var jsonValueLabels = map[string][2]string{
	"signed": {"SIGNED", "SIGNED DEFAULT"}, "unsigned": {"UNSIGNED", "UNSIGNED DEFAULT"},
	"year": {"YEAR", "YEAR"}, "decimal": {"DECIMAL", "DECIMAL DEFAULT"},
	"float": {"FLOAT", "FLOAT DEFAULT"}, "double": {"DOUBLE", "DOUBLE DEFAULT"},
	"date": {"DATE", "DATE DEFAULT"}, "time": {"TIME", "TIME DEFAULT"},
	"datetime": {"DATETIME", "TIME DEFAULT"}, "char": {"STRING", "CHAR DEFAULT"},
}

// buildJSONValue compiles JSON_VALUE(doc, path) and j@v(doc, path,
// marker, value, ...).
func buildJSONValue(c *compiler, raw []sqlparser.Expr) (Expr, error) {
	doc, err := c.compile(raw[0])
	if err != nil {
		return nil, err
	}
	path, ok := raw[1].(*sqlparser.SQLVal)
	if !ok || path.Type != sqlparser.StrVal {
		return nil, syntaxError(exprText(raw[1]))
	}
	steps, _, err := parseJSONPath(string(path.Val))
	if err != nil {
		return nil, err
	}
	// The clauses: the type first, then the responses (see
	// rewriteJSONValue).
	typ, clauses := "CHAR(512)", raw[2:]
	if len(clauses) >= 2 && markerOf(clauses[0]) == "t" {
		typ, clauses = markerOf(clauses[1]), clauses[2:]
	}
	to, err := newJSONValueTarget(typ)
	if err != nil {
		return nil, err
	}
	e := &jsonValueExpr{doc: doc, steps: steps, to: to}
	for ; len(clauses) >= 2; clauses = clauses[2:] {
		m := markerOf(clauses[0])
		r := &e.onEmpty
		if strings.HasSuffix(m, "r") {
			r = &e.onError
		}
		if r.kind = m[0]; r.kind == 'd' {
			if r.def, err = c.jsonValueDefault(clauses[1], to); err != nil {
				return nil, err
			}
		}
	}
	return c.fold(e), nil
}

// markerOf returns the text of a marker argument of j@v.
func markerOf(e sqlparser.Expr) string {
	if v, ok := e.(*sqlparser.SQLVal); ok && v.Type == sqlparser.StrVal {
		return string(v.Val)
	}
	return "?"
}

// jsonValueDefault compiles the value of DEFAULT v ON EMPTY or ON ERROR:
// a literal that converts to the RETURNING type.
func (c *compiler) jsonValueDefault(raw sqlparser.Expr, to *jsonValueTarget) (Value, error) {
	x, err := c.compile(raw)
	if err != nil {
		return Null, err
	}
	v, ok := Literal(x)
	if !ok || v.K == KindNull {
		return Null, syntaxError(exprText(raw))
	}
	r, ok, err := to.convert(&Env{}, v)
	switch {
	case err != nil:
		return Null, err
	case !ok && to.base == "json":
		return Null, NewSQLError(ErInvalidDefault, "Invalid default value for 'json_value'")
	case !ok:
		return Null, NewSQLError(ErDataOutOfRange, "%s value is out of range in 'json_value'", jsonValueLabels[to.base][1])
	}
	return r, nil
}

// jsonValueReturning returns the lower-case first word of the RETURNING
// type of f, a JSON_VALUE call ("" without RETURNING).
func jsonValueReturning(f *sqlparser.FuncExpr) string {
	if !f.Qualifier.IsEmpty() || f.Name.Lowered() != "j@v" || len(f.Exprs) < 4 {
		return ""
	}
	m, _ := f.Exprs[2].(*sqlparser.AliasedExpr)
	t, _ := f.Exprs[3].(*sqlparser.AliasedExpr)
	if m == nil || t == nil || markerOf(m.Expr) != "t" {
		return ""
	}
	w := strings.ToLower(strings.TrimSpace(markerOf(t.Expr)))
	if i := strings.IndexFunc(w, func(r rune) bool { return r < 'a' || r > 'z' }); i >= 0 {
		w = w[:i]
	}
	return w
}

// jsonValueTarget is JSON_VALUE's RETURNING type.
type jsonValueTarget struct {
	// cast is CAST(json_value AS type), json_value being row slot 0.
	cast Expr
	base string // the type by its first word, lower case (DOUBLE, REAL and FLOAT(p > 24) are "double")
	bin  bool   // CHAR without CHARACTER SET: the utf8mb4_bin collation
}

// newJSONValueTarget compiles the cast to typ, a RETURNING type as
// written.
func newJSONValueTarget(typ string) (*jsonValueTarget, error) {
	to := &jsonValueTarget{}
	castTo := typ
	if strings.EqualFold(strings.TrimSpace(typ), "year") {
		// A YEAR is a SIGNED in range (kept).
		to.base, castTo = "year", "signed"
	}
	ast, err := parseSoleExpr("cast(NULL as " + castTo + ")")
	if err != nil {
		return nil, syntaxError(typ)
	}
	slot := &sqlparser.ColName{Name: sqlparser.NewColIdent("json_value")}
	switch a := ast.(type) {
	case *sqlparser.ConvertExpr:
		a.Expr = slot
		if to.base == "" {
			to.base = strings.Fields(strings.ToLower(a.Type.Type))[0]
		}
		to.bin = to.base == "char" && a.Type.Charset == ""
	case *sqlparser.FuncExpr: // c@dl, c@fl: see rewriteForms
		a.Exprs = sqlparser.SelectExprs{&sqlparser.AliasedExpr{Expr: slot}}
		to.base = map[string]string{"c@dl": "double", "c@fl": "float"}[a.Name.Lowered()]
	}
	if _, ok := jsonValueLabels[to.base]; !ok && to.base != "json" {
		return nil, syntaxError(typ)
	}
	if to.cast, err = Compile(ast, &TableScope{Columns: []string{"json_value"}}); err != nil {
		return nil, err
	}
	return to, nil
}

// input returns the SQL value the cast converts for the JSON value j
// (not null); ok is false for a value the type cannot take.
func (to *jsonValueTarget) input(j any) (v Value, ok bool) {
	s, isStr := j.(string)
	switch to.base {
	case "char":
		if !isStr {
			s = jsonText(j)
		}
		return StringValue(s), true
	case "json":
		return StringValue(jsonText(j)), true
	case "date", "time", "datetime":
		return StringValue(s), isStr
	}
	switch x := j.(type) {
	case string:
		return StringValue(x), true
	case bool:
		return BoolValue(x), true
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return IntValue(i), true
		}
		if u, err := strconv.ParseUint(string(x), 10, 64); err == nil {
			return UintValue(u), true
		}
		f, err := x.Float64()
		return FloatValue(f), err == nil
	}
	return Null, false // an array or an object
}

// convert casts v to the type as a strict statement does, so that a
// conversion that would warn fails; ok is false when it fails or loses
// data (kept).
func (to *jsonValueTarget) convert(env *Env, v Value) (r Value, ok bool, err error) {
	row, strict := env.Row, env.divZeroErr
	env.Row, env.divZeroErr = []Value{v}, true
	r, err = to.cast.Eval(env)
	env.Row, env.divZeroErr = row, strict
	var se *SQLError
	switch {
	case errors.As(err, &se):
		return Null, false, nil
	case err != nil:
		return Null, false, err // errNotConstant: the run converts
	case !to.kept(v, r):
		return Null, false, nil
	}
	if to.bin {
		r.C = CollBin
	}
	return r, true, nil
}

// kept reports whether the cast of v, r, kept its value where the cast
// clips: integers and decimals out of range, strings too long, text that
// is no number read as a DOUBLE or FLOAT, a TIME that is none.
func (to *jsonValueTarget) kept(v, r Value) bool {
	switch to.base {
	case "signed", "unsigned", "year":
		if ToDecimal(v).Round(0).Cmp(ToDecimal(r)) != 0 {
			return false
		}
		return to.base != "year" || r.I == 0 || r.I > 1900 && r.I <= 2155
	case "decimal":
		d := ToDecimal(r)
		return ToDecimal(v).Round(d.Scale()).Cmp(d) == 0
	case "char":
		return r.S == Format(v)
	case "float", "double":
		return v.K != KindString || isWholeNumber(v.S, false)
	case "time":
		return r.K != KindNull
	}
	return true
}

// jsonValueResponse is an ON EMPTY or ON ERROR clause.
type jsonValueResponse struct {
	kind byte  // 'n' NULL, also for no clause (0); 'e' ERROR; 'd' DEFAULT
	def  Value // DEFAULT's value, of the RETURNING type; NULL otherwise
}

// jsonValueExpr is a compiled JSON_VALUE call.
type jsonValueExpr struct {
	doc              Expr
	steps            []jsonStep
	to               *jsonValueTarget
	onEmpty, onError jsonValueResponse
}

// Eval implements Expr.
func (e *jsonValueExpr) Eval(env *Env) (Value, error) {
	d, err := e.doc.Eval(env)
	if err != nil || d.K == KindNull {
		return Null, err
	}
	doc, err := jsonArg(d, "json_value")
	if err != nil {
		var se *SQLError
		if e.onError.kind == 'e' || !errors.As(err, &se) {
			return Null, err
		}
		if err := plainWarn(env, se.Number, "%s", se.Msg); err != nil {
			return Null, err
		}
		return e.onError.def, nil
	}
	m := jsonMatch(doc, e.steps, nil)
	switch {
	case len(m) == 0 && e.onEmpty.kind == 'e':
		return Null, NewSQLError(erMissingJSONValue, "No value was found by 'json_value' on the specified path.")
	case len(m) == 0:
		return e.onEmpty.def, nil
	case len(m) > 1 && e.onError.kind == 'e':
		return Null, NewSQLError(erMultipleJSONValues, "More than one value was found by 'json_value' on the specified path.")
	case len(m) > 1:
		return e.onError.def, nil
	case m[0] == nil:
		return Null, nil // JSON null
	}
	if v, ok := e.to.input(m[0]); ok {
		r, ok, err := e.to.convert(env, v)
		if ok || err != nil {
			return r, err
		}
	}
	if e.onError.kind == 'e' {
		return Null, NewSQLError(ErDataOutOfRange, "%s value is out of range in 'json_value'", jsonValueLabels[e.to.base][0])
	}
	return e.onError.def, nil
}

func (e *jsonValueExpr) kids() []Expr { return []Expr{e.doc} }
