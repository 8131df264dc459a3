package sqlfront

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Planning and running JSON_TABLE (see stmt_jsontable.go for the syntax
// and its rewriting). A call is a table of the FROM clause whose document
// expression is compiled against the tables before it (and the enclosing
// query's row); its source evaluates the expression for each row of those
// tables, as a dependent join, and produces the call's rows:
//
//   - one row per match of the row path; NULL gives no rows, text that is
//     no JSON is error 3141;
//   - a column PATH takes the value its path matches in the row's match,
//     converted to the column's type as a value stored in a column of
//     that type is (strict mode: a value out of range, text that is no
//     number, a string too long fail); several matches are an array.
//     No match answers ON EMPTY; an array or object for a type other
//     than JSON (3666) and a failed conversion answer ON ERROR. NULL is
//     the default answer; ERROR raises 3665 on empty, the conversion's
//     error on error; DEFAULT gives its JSON text converted as a match.
//     JSON null is NULL (JSON null in a JSON column);
//   - EXISTS PATH is 1 when its path matches, else 0;
//   - FOR ORDINALITY numbers the matches of its level's path from 1;
//   - NESTED PATH produces, for each match of the enclosing level, the
//     rows of each of its sibling NESTED paths in turn, the others'
//     columns NULL; when none of them matches anything, one row with
//     all their columns NULL (an outer join of the level with the union
//     of its nested paths).

// MySQL error numbers of JSON_TABLE.
const (
	erMissingJSONTableValue uint16 = 3665 // Missing value for JSON_TABLE column '%s'
	erWrongJSONTableValue   uint16 = 3666 // Can't store an array or an object in the scalar column '%s' of JSON_TABLE '%s'.
	erTFMustHaveAlias       uint16 = 3667 // Every table function must have an alias
)

func init() {
	sqlStates[erMissingJSONTableValue] = "22035"
	sqlStates[erWrongJSONTableValue] = "22036"
	sqlStates[erTFMustHaveAlias] = "42000"
}

// jsonTable is a planned JSON_TABLE call.
type jsonTable struct {
	alias string
	doc   Expr
	root  *jtNode
	width int
}

// jtNode is one level of a JSON_TABLE: the row path or a NESTED path.
type jtNode struct {
	steps  []jsonStep
	cols   []*jtCol
	nested []*jtNode
}

// jtCol is a compiled column of a level (not NESTED).
type jtCol struct {
	idx     int // in the table's row
	kind    byte
	name    string
	typ     ColumnType
	steps   []jsonStep
	onEmpty byte
	onError byte
	// defEmpty and defError are DEFAULT's JSON values.
	defEmpty, defError any
}

// jsonTableFrom plans a JSON_TABLE call as the FROM table alias: doc is
// compiled against the tables added so far.
func (si *selectInfo) jsonTableFrom(doc sqlparser.Expr, spec *jtSpec, alias string) (*fromTable, error) {
	ft := &fromTable{alias: alias}
	jt := &jsonTable{alias: alias}
	fs := *si.from
	fs.correlated = false
	fs.clause = "from clause"
	x, err := Compile(doc, &fs)
	if err != nil {
		return nil, err
	}
	if fs.correlated {
		si.from.correlated = true
	}
	jt.doc = x
	seen := map[string]bool{}
	if jt.root, err = jt.level(ft, spec.Path, spec.Cols, seen); err != nil {
		return nil, err
	}
	jt.width = len(ft.cols)
	ft.jt = jt
	return ft, nil
}

// level compiles a level of path and columns cols, adding its columns
// (and its nested levels') to ft.
func (jt *jsonTable) level(ft *fromTable, path string, cols []*jtColumn, seen map[string]bool) (*jtNode, error) {
	steps, _, err := parseJSONPath(path)
	if err != nil {
		return nil, err
	}
	n := &jtNode{steps: steps}
	for _, c := range cols {
		if c.Kind == 'n' {
			kid, err := jt.level(ft, c.Path, c.Nested, seen)
			if err != nil {
				return nil, err
			}
			n.nested = append(n.nested, kid)
			continue
		}
		if seen[strings.ToLower(c.Name)] {
			return nil, engErr(ErDupFieldName, "Duplicate column name '%s'", c.Name)
		}
		seen[strings.ToLower(c.Name)] = true
		col := &jtCol{idx: len(ft.cols), kind: c.Kind, name: c.Name, typ: c.Type, onEmpty: c.Empty.Kind, onError: c.Error.Kind}
		if c.Kind == 'o' {
			col.typ = ColumnType{Base: TypeInt, Unsigned: true}
		} else if col.steps, _, err = parseJSONPath(c.Path); err != nil {
			return nil, err
		}
		for _, d := range []struct {
			r   jtResponse
			dst *any
		}{{c.Empty, &col.defEmpty}, {c.Error, &col.defError}} {
			if d.r.Kind != 'd' {
				continue
			}
			if *d.dst, err = jsonParse(d.r.Def); err != nil {
				return nil, engErr(ErInvalidDefault, "Invalid default value for '%s'", c.Name)
			}
		}
		n.cols = append(n.cols, col)
		ft.cols = append(ft.cols, c.Name)
		ft.types = append(ft.types, col.typ)
		ft.null = append(ft.null, true)
	}
	return n, nil
}

// rows evaluates the document for the wide row in env and returns the
// table's rows.
func (jt *jsonTable) rows(env *Env) ([][]Value, error) {
	v, err := jt.doc.Eval(env)
	if err != nil || v.K == KindNull {
		return nil, err
	}
	doc, err := jsonArg(v, "json_table")
	if err != nil {
		return nil, err
	}
	var out [][]Value
	row := make([]Value, jt.width)
	for i := range row {
		row[i] = Null
	}
	emit := func() error {
		out = append(out, cloneRow(row))
		return nil
	}
	g := &jtRun{jt: jt, row: row, out: &out}
	if err := g.level(jt.root, doc, emit); err != nil {
		return nil, err
	}
	return out, nil
}

// jtRun is the state of one evaluation of a JSON_TABLE.
type jtRun struct {
	jt  *jsonTable
	row []Value // the row being built
	out *[][]Value
}

// level produces the rows of level n in the context ctx (a match of the
// enclosing level), calling emit for each with g.row filled; it leaves
// the level's columns NULL.
func (g *jtRun) level(n *jtNode, ctx any, emit func() error) error {
	for i, m := range jsonMatch(ctx, n.steps, nil) {
		for _, c := range n.cols {
			v, err := g.value(c, m, i+1)
			if err != nil {
				return err
			}
			g.row[c.idx] = v
		}
		if err := g.nested(n.nested, m, emit); err != nil {
			return err
		}
	}
	for _, c := range n.cols {
		g.row[c.idx] = Null
	}
	return nil
}

// nested produces the rows of the sibling nested levels kids in the
// context m: theirs in turn, or one row if none has any.
func (g *jtRun) nested(kids []*jtNode, m any, emit func() error) error {
	some := false
	for _, k := range kids {
		err := g.level(k, m, func() error {
			some = true
			return emit()
		})
		if err != nil {
			return err
		}
	}
	if !some {
		return emit()
	}
	return nil
}

// value computes column c in the match m, the ord-th of its level.
func (g *jtRun) value(c *jtCol, m any, ord int) (Value, error) {
	rowNum := len(*g.out) + 1
	switch c.kind {
	case 'o':
		return IntValue(int64(ord)), nil
	case 'e':
		found := int64(0)
		if len(jsonMatch(m, c.steps, nil)) > 0 {
			found = 1
		}
		return CoerceColumn(IntValue(found), c.typ, c.name, rowNum)
	}
	ms := jsonMatch(m, c.steps, nil)
	if len(ms) == 0 {
		switch c.onEmpty {
		case 'e':
			return Null, NewSQLError(erMissingJSONTableValue, "Missing value for JSON_TABLE column '%s'", c.name)
		case 'd':
			return g.convert(c, c.defEmpty, rowNum)
		}
		return Null, nil
	}
	var j any = ms[0]
	if len(ms) > 1 {
		j = ms
	}
	v, err := g.convert(c, j, rowNum)
	if err == nil {
		return v, nil
	}
	switch c.onError {
	case 'e':
		return Null, err
	case 'd':
		return g.convert(c, c.defError, rowNum)
	}
	return Null, nil
}

// convert converts the JSON value j to column c's type.
func (g *jtRun) convert(c *jtCol, j any, rowNum int) (Value, error) {
	if c.typ.Base == TypeJSON {
		return StringValue(jsonText(j)), nil
	}
	var v Value
	switch x := j.(type) {
	case nil:
		return Null, nil
	case string:
		v = StringValue(x)
	case bool:
		v = BoolValue(x)
	case json.Number:
		v = jsonNumberValue(x)
	default:
		return Null, NewSQLError(erWrongJSONTableValue, "Can't store an array or an object in the scalar column '%s' of JSON_TABLE '%s'.", c.name, g.jt.alias)
	}
	return CoerceColumn(v, c.typ, c.name, rowNum)
}

// jsonNumberValue returns a JSON number as an SQL number: an integer, a
// decimal when written without an exponent, else a double.
func jsonNumberValue(n json.Number) Value {
	s := string(n)
	if i, err := n.Int64(); err == nil {
		return IntValue(i)
	}
	if u, err := strconv.ParseUint(s, 10, 64); err == nil {
		return UintValue(u)
	}
	if !strings.ContainsAny(s, "eE") {
		if d, err := ParseDecimal(s); err == nil {
			return DecimalValue(d)
		}
	}
	f, _ := n.Float64()
	return FloatValue(f)
}

// jsonTableSource produces a JSON_TABLE's rows for each row of the tables
// before it.
type jsonTableSource struct {
	sc     *stmtCtx
	ft     *fromTable
	filter Expr // over the wide row
	base   []Value
	rows   [][]Value
	i      int
}

func (s *jsonTableSource) open(base []Value) error {
	s.base, s.i = base, 0
	env := s.sc.env
	env.Row = base
	rows, err := s.ft.jt.rows(env)
	s.rows = rows
	return err
}

func (s *jsonTableSource) next() ([]Value, error) {
	for {
		if err := s.sc.tick(); err != nil {
			return nil, err
		}
		if s.i >= len(s.rows) {
			return nil, io.EOF
		}
		r := s.rows[s.i]
		s.i++
		row := cloneRow(s.base)
		copy(row[s.ft.off:], r)
		if s.filter != nil {
			env := s.sc.env
			env.Row = row
			ok, err := EvalBool(s.filter, env)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		return row, nil
	}
}

func (s *jsonTableSource) close() { s.rows = nil }
