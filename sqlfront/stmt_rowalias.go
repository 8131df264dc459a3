package sqlfront

import (
	"errors"
	"reflect"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// MySQL 8.0.19's alias of the new row of an INSERT, which sqlparser does
// not know:
//
//	INSERT INTO t (a, b) VALUES (1, 2) AS new [(x, y)]
//	  ON DUPLICATE KEY UPDATE b = new.b + t.b   -- or b = y with column aliases
//
// The alias (and its column list) is blanked out before sqlparser parses
// the statement, then every reference to new.col (or to a column alias)
// in the ON DUPLICATE KEY UPDATE list becomes VALUES(col), which means
// the same.

// insertRowAlias is a parsed row alias.
type insertRowAlias struct {
	name string
	cols []string // column aliases, if listed
}

// blankInsertRowAlias finds the row alias of an INSERT ... VALUES/SET ...
// ON DUPLICATE KEY UPDATE and returns clean with it blanked out; alias is
// nil when there is none.
func blankInsertRowAlias(clean string, toks []token) (string, *insertRowAlias) {
	if w := toks[0].word(); w != "insert" && w != "replace" {
		return clean, nil
	}
	depth, on := 0, -1
	for k, t := range toks {
		switch {
		case t.typ == '(':
			depth++
		case t.typ == ')':
			depth--
		case depth == 0 && t.word() == "select":
			return clean, nil // INSERT ... SELECT has no row alias
		case depth == 0 && t.word() == "on" && toks[min(k+1, len(toks)-1)].word() == "duplicate":
			on = k
		}
		if on >= 0 {
			break
		}
	}
	if on < 3 {
		return clean, nil
	}
	isName := func(t token) bool { return t.quoted || t.word() != "" && !reservedWords[t.word()] }
	a := &insertRowAlias{}
	end := on - 1 // last token of the alias clause
	k := end
	if toks[k].typ == ')' {
		// AS new (x, y): the column list.
		j := k - 1
		for j > 0 && toks[j].typ != '(' {
			j--
		}
		for i := j + 1; i < k; i++ {
			if (i-j)%2 == 1 && !isName(toks[i]) || (i-j)%2 == 0 && toks[i].typ != ',' {
				return clean, nil
			}
		}
		if j == 0 || (k-j)%2 != 0 {
			return clean, nil
		}
		for i := j + 1; i < k; i += 2 {
			a.cols = append(a.cols, aliasText(clean, toks[i]))
		}
		k = j - 1
	}
	if k < 2 || !isName(toks[k]) || toks[k-1].word() != "as" {
		return clean, nil
	}
	a.name = aliasText(clean, toks[k])
	b := []byte(clean)
	for i := toks[k-1].pos; i < toks[end].end; i++ {
		b[i] = ' '
	}
	return string(b), a
}

// aliasText returns the name a token spells.
func aliasText(clean string, t token) string {
	if t.quoted {
		return t.val
	}
	return clean[t.pos:t.end]
}

// apply rewrites the references to the row alias in ins's ON DUPLICATE
// KEY UPDATE list into VALUES(col).
func (a *insertRowAlias) apply(ins *sqlparser.Insert) error {
	if len(a.cols) > 0 && len(a.cols) != len(ins.Columns) {
		return errors.New("the column aliases of the new row need a column list of the same length")
	}
	target := func(name string) (sqlparser.ColIdent, bool) {
		for i, c := range a.cols {
			if strings.EqualFold(c, name) {
				return ins.Columns[i], true
			}
		}
		return sqlparser.ColIdent{}, false
	}
	for _, ue := range ins.OnDup {
		rewriteExprs(reflect.ValueOf(ue).Elem(), func(e sqlparser.Expr) sqlparser.Expr {
			cn, ok := e.(*sqlparser.ColName)
			if !ok {
				return nil
			}
			q := cn.Qualifier.Name.String()
			switch {
			case q != "" && strings.EqualFold(q, a.name) && cn.Qualifier.Qualifier.IsEmpty():
				name := cn.Name
				if len(a.cols) > 0 {
					if name, ok = target(cn.Name.String()); !ok {
						return nil
					}
				}
				return &sqlparser.ValuesFuncExpr{Name: &sqlparser.ColName{Name: name}}
			case q == "":
				if name, ok := target(cn.Name.String()); ok {
					return &sqlparser.ValuesFuncExpr{Name: &sqlparser.ColName{Name: name}}
				}
			}
			return nil
		})
	}
	return nil
}

var exprType = reflect.TypeOf((*sqlparser.Expr)(nil)).Elem()

// rewriteExprs replaces, in the AST under v, every sqlparser.Expr held in
// a field or slice of interface type Expr for which fn returns a
// replacement (and descends into the others).
func rewriteExprs(v reflect.Value, fn func(sqlparser.Expr) sqlparser.Expr) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			rewriteExprs(v.Elem(), fn)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				rewriteExprs(v.Field(i), fn)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			rewriteExprs(v.Index(i), fn)
		}
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Type() == exprType && v.CanSet() {
			if r := fn(v.Interface().(sqlparser.Expr)); r != nil {
				v.Set(reflect.ValueOf(r))
				return
			}
		}
		rewriteExprs(v.Elem(), fn)
	}
}
