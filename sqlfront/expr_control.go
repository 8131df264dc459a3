package sqlfront

import (
	"strings"

	"github.com/xwb1989/sqlparser"
)

// This file holds CASE, the control-flow functions' nodes (IF, IFNULL,
// COALESCE, NULLIF), CAST/CONVERT and SUBSTRING's special syntax.

// --- CASE and control flow ---------------------------------------------------

// caseExpr is CASE [operand] WHEN ... THEN ... [ELSE ...] END.
type caseExpr struct {
	operand Expr       // nil for a searched CASE
	conds   []Expr     // compared with operand (simple CASE)
	bconds  []boolExpr // searched CASE conditions
	vals    []Expr
	els     Expr // nil means NULL
}

func (e *caseExpr) Eval(env *Env) (Value, error) {
	if e.operand != nil {
		v, err := e.operand.Eval(env)
		if err != nil {
			return Null, err
		}
		for i, cond := range e.conds {
			w, err := cond.Eval(env)
			if err != nil {
				return Null, err
			}
			if c, null := Compare(v, w); !null && c == 0 {
				return e.vals[i].Eval(env)
			}
		}
	} else {
		for i, cond := range e.bconds {
			t, err := cond.evalTri(env)
			if err != nil {
				return Null, err
			}
			if t == triTrue {
				return e.vals[i].Eval(env)
			}
		}
	}
	if e.els == nil {
		return Null, nil
	}
	return e.els.Eval(env)
}

func (e *caseExpr) kids() []Expr {
	var k []Expr
	if e.operand != nil {
		k = append(k, e.operand)
	}
	k = append(k, e.conds...)
	for _, b := range e.bconds {
		k = append(k, b)
	}
	k = append(k, e.vals...)
	if e.els != nil {
		k = append(k, e.els)
	}
	return k
}

// compileCase compiles CASE.
func (c *compiler) compileCase(e *sqlparser.CaseExpr) (Expr, error) {
	n := &caseExpr{}
	if e.Expr != nil {
		x, err := c.compile(e.Expr)
		if err != nil {
			return nil, err
		}
		n.operand = x
	}
	for _, w := range e.Whens {
		cond, err := c.compile(w.Cond)
		if err != nil {
			return nil, err
		}
		val, err := c.compile(w.Val)
		if err != nil {
			return nil, err
		}
		if n.operand != nil {
			n.conds = append(n.conds, cond)
		} else {
			n.bconds = append(n.bconds, asBool(cond))
		}
		n.vals = append(n.vals, val)
	}
	if e.Else != nil {
		x, err := c.compile(e.Else)
		if err != nil {
			return nil, err
		}
		n.els = x
	}
	ops := n.vals
	if n.els != nil {
		ops = append(ops[:len(ops):len(ops)], n.els)
	}
	return c.unify(c.fold(n), ops), nil
}

// ifExpr is IF(cond, a, b).
type ifExpr struct {
	cond boolExpr
	a, b Expr
}

func (e *ifExpr) Eval(env *Env) (Value, error) {
	t, err := e.cond.evalTri(env)
	if err != nil {
		return Null, err
	}
	if t == triTrue {
		return e.a.Eval(env)
	}
	return e.b.Eval(env)
}
func (e *ifExpr) kids() []Expr { return []Expr{e.cond, e.a, e.b} }

// coalesceExpr is COALESCE(...) and IFNULL(a, b): the first non-NULL
// operand; later operands are not evaluated.
type coalesceExpr struct{ args []Expr }

func (e *coalesceExpr) Eval(env *Env) (Value, error) {
	for _, a := range e.args {
		v, err := a.Eval(env)
		if err != nil || v.K != KindNull {
			return v, err
		}
	}
	return Null, nil
}
func (e *coalesceExpr) kids() []Expr { return e.args }

// nullifExpr is NULLIF(a, b): NULL if a = b, else a.
type nullifExpr struct{ a, b Expr }

func (e *nullifExpr) Eval(env *Env) (Value, error) {
	a, err := e.a.Eval(env)
	if err != nil {
		return Null, err
	}
	b, err := e.b.Eval(env)
	if err != nil {
		return Null, err
	}
	if c, null := Compare(a, b); !null && c == 0 {
		return Null, nil
	}
	return a, nil
}
func (e *nullifExpr) kids() []Expr { return []Expr{e.a, e.b} }

// --- CAST, CONVERT, SUBSTRING ------------------------------------------------

// compileConvert compiles CAST(x AS type) and CONVERT(x, type).
func (c *compiler) compileConvert(e *sqlparser.ConvertExpr) (Expr, error) {
	x, err := c.compile(e.Expr)
	if err != nil {
		return nil, err
	}
	t := e.Type
	length, hasLength, err := sqlIntOpt(t.Length)
	if err != nil {
		return nil, err
	}
	scale, hasScale, err := sqlIntOpt(t.Scale)
	if err != nil {
		return nil, err
	}
	if !hasLength {
		length = -1
	}
	var f func(Value) Value
	switch strings.ToLower(t.Type) {
	case "signed", "signed integer":
		x = numericOperand(c.jsonNumeric(e.Expr, x))
		return c.fold(&castWarnExpr{x: x, typ: "INTEGER", f: func(v Value) Value {
			if v.K == KindNull {
				return Null
			}
			return IntValue(ToInt64(v))
		}}), nil
	case "unsigned", "unsigned integer":
		x = numericOperand(c.jsonNumeric(e.Expr, x))
		return c.fold(&castWarnExpr{x: x, typ: "INTEGER", f: castToUnsigned}), nil
	case "char", "nchar":
		if strings.EqualFold(t.Charset, "binary") {
			f = func(v Value) Value { return castToBinary(v, length) }
		} else {
			f = func(v Value) Value { return castToChar(v, length) }
		}
	case "binary":
		f = func(v Value) Value { return castToBinary(v, length) }
	case "decimal":
		p, s := 10, 0
		if hasLength {
			p = length
		}
		if hasScale {
			s = scale
		}
		if p > MaxDecimalPrecision || p < 1 {
			return nil, NewSQLError(1426, "Too-big precision %d specified for '%s'. Maximum is %d.", p, exprText(e.Expr), MaxDecimalPrecision)
		}
		if s > MaxDecimalScale {
			return nil, NewSQLError(1425, "Too big scale %d specified for column '%s'. Maximum is %d.", s, exprText(e.Expr), MaxDecimalScale)
		}
		if s > p {
			return nil, NewSQLError(1427, "For float(M,D), double(M,D) or decimal(M,D), M must be >= D (column '%s').", exprText(e.Expr))
		}
		x = numericOperand(c.jsonNumeric(e.Expr, x))
		return c.fold(&castWarnExpr{x: x, typ: "DECIMAL", f: func(v Value) Value { return castToDecimal(v, p, s) }}), nil
	case "date":
		return c.fold(&castDateExpr{x: x, f: castToDate}), nil
	case "datetime", "time":
		fsp := max(length, 0)
		if fsp > 6 {
			return nil, NewSQLError(1426, "Too-big precision %d specified for '%s'. Maximum is 6.", fsp, exprText(e.Expr))
		}
		if strings.EqualFold(t.Type, "time") {
			f = func(v Value) Value { return castToTime(v, fsp) }
		} else {
			return c.fold(&castDateExpr{x: x, f: func(v Value) Value { return castToDatetime(v, fsp) }}), nil
		}
	case "json":
		return c.fold(&castJSONExpr{x: x}), nil
	case "year":
		return c.fold(&castYearExpr{x: numericOperand(c.jsonNumeric(e.Expr, x))}), nil
	default:
		return nil, NewSQLError(ErNotSupportedYet, "This version of bxdb doesn't yet support 'CAST AS %s'", t.Type)
	}
	return c.fold(&unaryFunc{x: x, f: f}), nil
}

// castYearExpr is CAST(x AS YEAR) (MySQL 8.0.22): a date's year, the
// current year for a TIME, else x read as a YEAR column reads a number
// (1..69 and 70..99 are 2001..2069 and 1970..1999, a string that is 0 is
// 2000); a value out of range is NULL with warning 1292.
type castYearExpr struct{ x Expr }

func (e *castYearExpr) Eval(env *Env) (Value, error) {
	v, err := e.x.Eval(env)
	if err != nil || v.K == KindNull {
		return Null, err
	}
	if v.K == KindTime {
		if v.TimeType() == TimeDuration {
			return IntValue(int64(env.localNow().Year())), nil
		}
		return IntValue(int64(v.T.Year())), nil
	}
	if v.K == KindFloat || v.K == KindDecimal {
		v = IntValue(ToInt64(v)) // rounded, as MySQL rounds it
	}
	r, err := coerceYear(v, coerceErr{})
	if err == nil {
		return r, nil
	}
	return Null, castWarning(env, "Truncated incorrect YEAR value: '%s'", errText(v))
}
func (e *castYearExpr) kids() []Expr { return []Expr{e.x} }

// castJSONExpr is CAST(x AS JSON): text that is not valid JSON is error
// 3141, as MySQL reports it for cast_as_json.
type castJSONExpr struct{ x Expr }

func (e *castJSONExpr) Eval(env *Env) (Value, error) {
	v, err := e.x.Eval(env)
	if err != nil || v.K == KindNull {
		return Null, err
	}
	r, err := coerceJSON(v, coerceErr{})
	if err != nil {
		return Null, NewSQLError(erInvalidJSONTextParam, "Invalid JSON text in argument 1 to function cast_as_json: \"%s\"", jsonInvalidReason(v.S, err))
	}
	return r, nil
}
func (e *castJSONExpr) kids() []Expr { return []Expr{e.x} }

// castWarnExpr is CAST(x AS SIGNED | UNSIGNED | DECIMAL): f converts,
// and text that is not wholly a number of the type (typ, "INTEGER" or
// "DECIMAL") converts with warning 1292, as in MySQL.
type castWarnExpr struct {
	x   Expr
	f   func(Value) Value
	typ string
}

func (e *castWarnExpr) Eval(env *Env) (Value, error) {
	var v Value
	var err error
	if e.typ == "DECIMAL" {
		v, _, err = evalExactOperand(env, e.x) // CAST(1/3 AS DECIMAL(10,6)) is 0.333333
	} else {
		v, err = e.x.Eval(env)
	}
	if err != nil {
		return Null, err
	}
	if (v.K == KindString || v.K == KindBytes) && !isWholeNumber(v.S, e.typ == "INTEGER") {
		if err := castWarning(env, "Truncated incorrect %s value: '%s'", e.typ, v.S); err != nil {
			return Null, err
		}
	}
	return e.f(v), nil
}
func (e *castWarnExpr) kids() []Expr { return []Expr{e.x} }

// castDateExpr is CAST(x AS DATE | DATETIME): f converts, and a value
// that is no date gives NULL with warning 1292, as in MySQL.
type castDateExpr struct {
	x Expr
	f func(Value) Value
}

func (e *castDateExpr) Eval(env *Env) (Value, error) {
	v, err := e.x.Eval(env)
	if err != nil {
		return Null, err
	}
	r := e.f(v)
	if r.K == KindNull && v.K != KindNull {
		return Null, castWarning(env, "Incorrect datetime value: '%s'", errText(v))
	}
	return r, nil
}

// castWarning reports a CAST's lossy conversion as MySQL does: warning
// 1292, an error in an INSERT or UPDATE without IGNORE (strict mode), and
// errNotConstant while folding (the warning is the run's).
func castWarning(env *Env, format string, args ...any) error {
	switch {
	case env.folding:
		return errNotConstant
	case env.divZeroErr:
		return NewSQLError(ErTruncatedWrongValue, format, args...)
	}
	env.sess.warnf(ErTruncatedWrongValue, format, args...)
	return nil
}
func (e *castDateExpr) kids() []Expr { return []Expr{e.x} }

// isWholeNumber reports whether s, but for surrounding blanks, is an
// integer (integer) or a decimal number.
func isWholeNumber(s string, integer bool) bool {
	s = strings.TrimRight(skipSpaces(s), " \t\n\r")
	if integer {
		if s != "" && (s[0] == '+' || s[0] == '-') {
			s = s[1:]
		}
		return s != "" && strings.Trim(s, "0123456789") == ""
	}
	_, n := decimalPrefix(s)
	return n > 0 && n == len(s)
}

// compileConvertUsing compiles CONVERT(x USING charset): binary gives
// bytes, any other character set a string.
func (c *compiler) compileConvertUsing(e *sqlparser.ConvertUsingExpr) (Expr, error) {
	x, err := c.compile(e.Expr)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(e.Type, "binary") {
		return c.fold(&unaryFunc{x: x, f: toBytes}), nil
	}
	return c.fold(&unaryFunc{x: x, f: func(v Value) Value {
		if v.K == KindNull {
			return Null
		}
		return StringValue(Format(v))
	}}), nil
}

// compileSubstr compiles sqlparser's SUBSTR(col, from[, len]) node.
func (c *compiler) compileSubstr(e *sqlparser.SubstrExpr) (Expr, error) {
	raw := []sqlparser.Expr{e.Name, e.From}
	if e.To != nil {
		raw = append(raw, e.To)
	}
	args, err := c.compileList(raw)
	if err != nil {
		return nil, err
	}
	return c.fold(&callExpr{def: builtins["substring"], args: args}), nil
}
