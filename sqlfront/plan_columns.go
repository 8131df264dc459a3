package sqlfront

import (
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Result columns (names and types) and UNION.

// maybeAggregate is ContainsAggregate with a fast answer for leaves.
func maybeAggregate(e sqlparser.Expr) bool {
	switch e.(type) {
	case *sqlparser.ColName, *sqlparser.SQLVal, *sqlparser.NullVal, sqlparser.BoolVal:
		return false
	}
	return ContainsAggregate(e)
}

// isStringLiteral reports whether e is a quoted string.
func isStringLiteral(e sqlparser.Expr) bool {
	v, ok := e.(*sqlparser.SQLVal)
	return ok && v.Type == sqlparser.StrVal
}

// defaultColumnName names an expression column without alias, from the
// AST (used when the statement text is not available).
func defaultColumnName(e sqlparser.Expr) string {
	switch x := e.(type) {
	case *sqlparser.ColName:
		return x.Name.String()
	case *sqlparser.SQLVal:
		if x.Type == sqlparser.StrVal {
			return string(x.Val)
		}
		return string(x.Val)
	case *sqlparser.NullVal:
		return "NULL"
	}
	return sqlparser.String(e)
}

// columnInfoOf describes a select item.
func columnInfoOf(it selectItem) ColumnInfo {
	ci := ColumnInfo{Name: it.name, Nullable: true}
	if it.ft != nil && it.col >= 0 && it.col < len(it.ft.info) && it.ft.types[it.col].Base == TypeAny {
		// A derived table's column: as its query described it.
		ci = it.ft.info[it.col]
		ci.Name = it.name
		return ci
	}
	if it.ft != nil && it.col >= 0 && it.col < len(it.ft.types) {
		t := it.ft.types[it.col]
		// The inner side of a LEFT JOIN gives NULLs for rows it lacks.
		ci.Nullable, ci.NullableOK = it.ft.null[it.col] || it.ft.join == joinLeft, true
		fillTypeInfo(&ci, t)
		if it.ft.t != nil {
			ci.src = it.ft.t.cols[it.col]
		} else if it.col < len(it.ft.info) {
			ci.src = it.ft.info[it.col].src // through a derived table or view
		}
		return ci
	}
	if _, lit := Literal(it.expr); it.ast != nil && (lit || depsOf(it.expr) != 0) {
		// (A constant that is not a literal failed to fold: its first
		// row, read when the query starts, reports the error.)
		if name, k, ok := staticExprType(it.ast); ok {
			ci.DatabaseTypeName, ci.Kind = name, k
			return ci
		}
	}
	if u, ok := it.expr.(*unifyExpr); ok {
		ci.Kind, ci.DatabaseTypeName = u.k, staticKindNames[u.k]
		return ci
	}
	if v, ok := Literal(it.expr); ok {
		ci.Kind = v.K
		switch v.K {
		case KindUint:
			ci.DatabaseTypeName = "UNSIGNED BIGINT"
		case KindInt:
			ci.DatabaseTypeName = "BIGINT"
		case KindFloat:
			ci.DatabaseTypeName = "DOUBLE"
		case KindDecimal:
			ci.DatabaseTypeName = "DECIMAL"
			if d, err := ParseDecimal(v.S); err == nil {
				ci.Precision, ci.Scale, ci.DecimalOK = int64(d.Precision()), int64(d.Scale()), true
			}
		case KindString:
			ci.DatabaseTypeName = "VARCHAR"
		case KindBytes:
			ci.DatabaseTypeName = "VARBINARY"
		case KindTime:
			ci.DatabaseTypeName = kindTypeName(v) // DATE, TIME or DATETIME
		case KindNull:
			ci.DatabaseTypeName = "NULL"
		}
		ci.Nullable, ci.NullableOK = v.K == KindNull, true
		return ci
	}
	if it.ast != nil {
		if f, ok := it.ast.(*sqlparser.FuncExpr); ok {
			switch f.Name.Lowered() {
			case "count":
				return ColumnInfo{Name: it.name, DatabaseTypeName: "BIGINT", Kind: KindInt, NullableOK: true}
			}
		}
	}
	return ci
}

// staticExprType returns the result type MySQL gives an expression
// whatever its values: CAST(x AS UNSIGNED) and UUID_SHORT() are UNSIGNED
// BIGINT, CAST(x AS SIGNED) BIGINT, and CAST(x AS JSON), the JSON
// functions and -> are JSON (whose values the driver returns as []byte);
// JSON_VALUE(... RETURNING type) is typed as CAST(x AS type). ok is false
// for the others, typed from their first value.
func staticExprType(e sqlparser.Expr) (name string, k Kind, ok bool) {
	switch x := e.(type) {
	case *sqlparser.ParenExpr:
		return staticExprType(x.Expr)
	case *sqlparser.ConvertExpr:
		if x.Type == nil {
			return "", KindNull, false
		}
		switch strings.ToLower(x.Type.Type) {
		case "unsigned", "unsigned integer":
			return "UNSIGNED BIGINT", KindUint, true
		case "signed", "signed integer":
			return "BIGINT", KindInt, true
		case "json":
			return "JSON", KindString, true
		}
	case *sqlparser.FuncExpr:
		if x.Qualifier.IsEmpty() && jsonResultFuncs[x.Name.Lowered()] { // func_json.go
			return "JSON", KindString, true
		}
		if x.Qualifier.IsEmpty() && x.Name.Lowered() == "uuid_short" {
			return "UNSIGNED BIGINT", KindUint, true
		}
		if t := jsonValueReturning(x); t != "" { // JSON_VALUE ... RETURNING t
			return staticExprType(&sqlparser.ConvertExpr{Type: &sqlparser.ConvertType{Type: t}})
		}
	case *sqlparser.BinaryExpr:
		if x.Operator == sqlparser.JSONExtractOp {
			return "JSON", KindString, true
		}
	}
	return "", KindNull, false
}

// jsonTextIter returns the values of JSON-typed result columns as JSON
// text: JSON_EXTRACT and -> give a JSON number as an SQL number (so that
// doc->'$.n' = 3 compares numerically), which a client reads as the
// JSON it is, as MySQL sends it.
type jsonTextIter struct {
	in   rowIter
	cols []int
	row  []Value
}

// wrapJSONText wraps a top-level plan's iterator when it has JSON-typed
// columns.
func wrapJSONText(it rowIter, cols []ColumnInfo) rowIter {
	var js []int
	for i, c := range cols {
		if c.DatabaseTypeName == "JSON" {
			js = append(js, i)
		}
	}
	if js == nil {
		return it
	}
	return &jsonTextIter{in: it, cols: js}
}

func (j *jsonTextIter) Next() ([]Value, error) {
	r, err := j.in.Next()
	if err != nil {
		return r, err
	}
	copied := false
	for _, i := range j.cols {
		if i >= len(r) {
			continue
		}
		v := r[i]
		var text string
		switch v.K {
		case KindInt, KindUint, KindDecimal:
			text = Format(v)
		case KindFloat:
			text = jsonDouble(v.F)
		default:
			continue
		}
		if !copied {
			j.row = append(j.row[:0], r...) // the input may keep its row
			r, copied = j.row, true
		}
		r[i] = StringValue(text)
	}
	return r, nil
}

func (j *jsonTextIter) Close() { j.in.Close() }

// aggColumnInfo describes an aggregate's column: MIN and MAX of a column
// as the column, SUM and AVG as aggList.resultKind says (the expression's
// value kinds are otherwise only known from the first row).
func (si *selectInfo) aggColumnInfo(ci *ColumnInfo, e Expr, aggs *aggList) {
	slot, ok := ColumnRef(e)
	if !ok || slot < aggs.base || slot >= aggs.base+len(aggs.specs) {
		return
	}
	k := slot - aggs.base
	spec := aggs.specs[k]
	var argType ColumnType
	hasType := false
	if len(aggs.args[k]) == 1 {
		if as, ok := ColumnRef(aggs.args[k][0]); ok {
			argType, hasType = si.lay.slotType(as)
		}
	}
	switch spec.Func {
	case AggCount, AggCountStar:
		ci.DatabaseTypeName, ci.Kind, ci.NullableOK = "BIGINT", KindInt, true
	case AggMin, AggMax:
		if hasType {
			fillTypeInfo(ci, argType)
			ci.Nullable, ci.NullableOK = true, true
		}
	case AggSum, AggAvg:
		if kind, _, ok := aggs.resultKind(k); ok {
			ci.DatabaseTypeName, ci.Kind = staticKindNames[kind], kind
		}
	case AggGroupConcat:
		ci.DatabaseTypeName, ci.Kind = "TEXT", KindString
	case AggJSONArray, AggJSONObject:
		ci.DatabaseTypeName, ci.Kind = "JSON", KindString
	}
}

// kindTypeName returns the MySQL type name reported for a value kind.
func kindTypeName(v Value) string {
	switch v.K {
	case KindInt:
		return "BIGINT"
	case KindUint:
		return "UNSIGNED BIGINT"
	case KindFloat:
		return "DOUBLE"
	case KindDecimal:
		return "DECIMAL"
	case KindString:
		return "VARCHAR"
	case KindBytes:
		return "VARBINARY"
	case KindTime:
		switch v.TimeType() {
		case TimeDate:
			return "DATE"
		case TimeDuration:
			return "TIME"
		}
		return "DATETIME"
	}
	return ""
}

// fillTypeInfo sets the type fields of ci for a column of type t.
func fillTypeInfo(ci *ColumnInfo, t ColumnType) {
	ci.DatabaseTypeName = MySQLTypeName(t)
	ci.Kind = t.Kind()
	if ci.Kind == KindNull {
		ci.Kind = KindString
	}
	switch t.Kind() {
	case KindString, KindBytes:
		if t.Base != TypeEnum && t.Base != TypeSet && t.Base != TypeJSON {
			ci.Length, ci.LengthOK = int64(t.Length), true
		}
	case KindDecimal:
		p, s := t.decimalPS()
		ci.Precision, ci.Scale, ci.DecimalOK = int64(p), int64(s), true
	}
	if t.Base == TypeBit {
		ci.Length, ci.LengthOK = int64(t.Length), true // the bits, as MySQL reports BIT(n)'s length
	}
	if t.Base == TypeBigInt && t.Unsigned {
		ci.Kind = KindUint
	}
}

// planUnion plans UNION [ALL | DISTINCT] and EXCEPT / INTERSECT [ALL]
// (stmt_compound.go).
func (sc *stmtCtx) planUnion(u *sqlparser.Union, outer Scope, text string) (*queryPlan, error) {
	if utype, name, ok := recursiveUnion(u); ok {
		return sc.planRecursive(u, utype, name, outer, text)
	}
	// The scanner that names expression columns stops at UNION: the
	// whole text names the first SELECT's columns.
	left, err := sc.planQuery(u.Left, outer, text)
	if err != nil {
		return nil, err
	}
	right, err := sc.planQuery(u.Right, outer, "")
	if err != nil {
		left.it.Close()
		return nil, err
	}
	if left.width != right.width {
		left.it.Close()
		right.it.Close()
		return nil, engErr(1222, "The used SELECT statements have a different number of columns")
	}
	cols := unifyUnionColumns(left, right)
	var it rowIter
	switch u.Type {
	case exceptStr, exceptAllStr, intersectStr, intersectAllStr:
		it = &setOpIter{sc: sc, op: u.Type, left: left.it, right: right.it, width: left.width, json: jsonSetColumns(left, right), budget: sc.e.opts.SortMemory}
	case sqlparser.UnionAllStr:
		it = &concatIter{ins: []rowIter{left.it, right.it}}
	default:
		it = &distinctIter{sc: sc, in: &concatIter{ins: []rowIter{left.it, right.it}}, lo: 0, hi: left.width, json: jsonSetColumns(left, right), budget: sc.e.opts.SortMemory}
	}
	var order []orderKey
	var jsonKeys []Expr // sort keys of JSON columns (json_order.go), computed after the columns
	for _, o := range u.OrderBy {
		desc := o.Direction == sqlparser.DescScr
		slot := -1
		if pos, ok := positionRef(o.Expr); ok {
			if pos < 1 || pos > left.width {
				return nil, ErrUnknownColumn(positionText(o.Expr), "order clause")
			}
			slot = pos - 1
		} else if cn, ok := o.Expr.(*sqlparser.ColName); ok {
			for i, c := range left.cols {
				if strings.EqualFold(c.Name, cn.Name.String()) {
					slot = i
					break
				}
			}
		}
		if slot < 0 {
			return nil, ErrUnknownColumn(sqlparser.String(o.Expr), "order clause")
		}
		if cols[slot].DatabaseTypeName == "JSON" {
			jsonKeys = append(jsonKeys, &unaryFunc{x: &colExpr{idx: slot}, f: jsonSortKey})
			order = append(order, orderKey{slot: left.width + len(jsonKeys) - 1, desc: desc, item: -1})
			continue
		}
		order = append(order, orderKey{slot: slot, desc: desc, item: slot})
	}
	limit, offset, hasLimit, err := sc.limitValues(u.Limit)
	if err != nil {
		return nil, err
	}
	if len(order) > 0 {
		if jsonKeys != nil {
			it = &keysIter{sc: sc, in: it, exprs: jsonKeys, at: left.width}
		}
		it = newSortIter(sc, it, order, hasLimit, limit+offset)
		if jsonKeys != nil {
			it = &trimIter{in: it, lo: 0, hi: left.width}
		}
	}
	if hasLimit {
		it = &limitIter{in: it, offset: offset, limit: limit}
	}
	return &queryPlan{it: it, cols: cols, width: left.width, correlated: left.correlated || right.correlated}, nil
}

// jsonSetColumns reports which columns of a set operation are JSON on
// both sides (or NULL on one), so that its DISTINCT, EXCEPT and INTERSECT
// compare their values by their sort keys (json_order.go); nil when none
// is. (A JSON column against a string one is text in MySQL.)
func jsonSetColumns(left, right *queryPlan) []bool {
	var json []bool
	for i := range left.cols {
		l, r := left.cols[i], right.cols[i]
		lj, rj := l.DatabaseTypeName == "JSON", r.DatabaseTypeName == "JSON"
		if (lj || rj) && (lj || l.Kind == KindNull) && (rj || r.Kind == KindNull) {
			if json == nil {
				json = make([]bool, len(left.cols))
			}
			json[i] = true
		}
	}
	return json
}

// unifyUnionColumns gives each column of a set operation one type, as
// MySQL does, when its two sides' types differ: a string on either side
// makes the column a string (SELECT 1 UNION SELECT '1' is one row '1'), a
// float among numbers makes it a float, a decimal among integers a
// decimal of the larger scale (SELECT 1.5 UNION SELECT 2 gives 2.0). It
// wraps the sides' iterators to convert their values and returns the
// result's columns. A side of unknown type (a NULL literal) adopts the
// other's.
func unifyUnionColumns(left, right *queryPlan) []ColumnInfo {
	cols := append([]ColumnInfo(nil), left.cols...)
	conv := make([]func(Value) Value, len(cols))
	any := false
	for i := range cols {
		l, r := left.cols[i], right.cols[i]
		// Either side's NULLs are the column's; it reads a table column
		// as is only when both sides read the same one.
		cols[i].Nullable = l.Nullable || r.Nullable
		cols[i].NullableOK = l.NullableOK && r.NullableOK
		if l.src != r.src {
			cols[i].src = nil
			if l.LengthOK && r.LengthOK {
				cols[i].Length = max(l.Length, r.Length)
			}
		}
		if l.Kind == KindDecimal && r.Kind == KindDecimal && l.Scale != r.Scale {
			// Decimals of several scales: the larger (1.10 UNION 1.123
			// gives 1.100 and 1.123).
			scale := int(max(l.Scale, r.Scale))
			conv[i] = func(v Value) Value {
				if v.K != KindDecimal {
					return v
				}
				d := ToDecimal(v)
				return DecimalValue(d.Rescale(max(scale, d.Scale())))
			}
			cols[i].Scale = int64(scale)
			any = true
			continue
		}
		if l.Kind == r.Kind || l.Kind == KindNull || r.Kind == KindNull {
			if l.Kind == KindNull {
				cols[i] = r
				cols[i].Name = l.Name
				cols[i].Nullable, cols[i].src = true, nil
			}
			continue
		}
		isNum := func(k Kind) bool { return k == KindInt || k == KindUint || k == KindFloat || k == KindDecimal }
		switch {
		case !isNum(l.Kind) || !isNum(r.Kind):
			conv[i] = func(v Value) Value {
				if v.K == KindNull || v.K == KindString {
					return v
				}
				return StringValue(Format(v))
			}
			cols[i].Kind, cols[i].DatabaseTypeName = KindString, "VARCHAR"
		case l.Kind == KindFloat || r.Kind == KindFloat:
			conv[i] = func(v Value) Value {
				if v.K == KindNull {
					return v
				}
				return FloatValue(ToFloat64(v))
			}
			cols[i].Kind, cols[i].DatabaseTypeName = KindFloat, "DOUBLE"
		case l.Kind == KindDecimal || r.Kind == KindDecimal:
			scale := int(max(l.Scale, r.Scale))
			conv[i] = func(v Value) Value {
				if v.K == KindNull {
					return v
				}
				d := ToDecimal(v)
				return DecimalValue(d.Rescale(max(scale, d.Scale())))
			}
			cols[i].Kind, cols[i].DatabaseTypeName, cols[i].Scale = KindDecimal, "DECIMAL", int64(scale)
		default: // INT with BIGINT UNSIGNED: DECIMAL, as MySQL types it
			conv[i] = func(v Value) Value {
				if v.K == KindNull {
					return v
				}
				return DecimalValue(ToDecimal(v))
			}
			cols[i].Kind, cols[i].DatabaseTypeName = KindDecimal, "DECIMAL"
		}
		any = true
	}
	if any {
		left.it = &convertIter{in: left.it, conv: conv}
		right.it = &convertIter{in: right.it, conv: conv}
	}
	return cols
}

// convertIter converts the values of its input's rows, column by column
// (a nil function keeps the column), into a new row each time (consumers
// such as sorts keep the rows they get).
type convertIter struct {
	in   rowIter
	conv []func(Value) Value
}

func (c *convertIter) Next() ([]Value, error) {
	r, err := c.in.Next()
	if err != nil {
		return nil, err
	}
	row := append([]Value(nil), r...)
	for i, f := range c.conv {
		if f != nil && i < len(row) {
			row[i] = f(row[i])
		}
	}
	return row, nil
}

func (c *convertIter) Close() { c.in.Close() }
