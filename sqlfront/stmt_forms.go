package sqlfront

import (
	"slices"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Function-call forms sqlparser's grammar lacks.
//
// MySQL writes some built-ins with keywords inside the parentheses, or
// takes arguments where sqlparser's grammar does not:
//
//	SUBSTRING(s FROM p [FOR n]), SUBSTR(s, p[, n])  sqlparser: s must be a column
//	TRIM([LEADING|TRAILING|BOTH] [remstr] FROM s)  sqlparser: TRIM(s) only
//	POSITION(sub IN s)
//	EXTRACT(unit FROM d)
//	CAST(x AS DOUBLE|REAL|FLOAT[(p)]), CONVERT(x, DOUBLE|REAL|FLOAT[(p)])
//	DEFAULT(col)                                   sqlparser: DEFAULT(col) alone
//	a XOR b                                        (see markXor)
//	x IS [NOT] UNKNOWN                             x IS [NOT] NULL
//	x MEMBER OF (json)                             (see markMemberOf)
//	_utf8mb4'abc' (a charset introducer)           'abc'
//	INSERT(s, pos, len, new) (the string function) i@s(s, pos, len, new)
//	GROUP BY ... WITH ROLLUP                       (see markRollups)
//	CURRENT_TIMESTAMP(p), LOCALTIME(p), LOCALTIMESTAMP(p), UTC_TIMESTAMP(p),
//	CURRENT_TIME(p), UTC_TIME(p)                   sqlparser: no precision
//	                                               (UTC_* become u@now, u@time)
//	x = ANY (SELECT ...), x <> ALL (SELECT ...)    quantified comparisons
//	JSON_VALUE(doc, path RETURNING type ... ON EMPTY ... ON ERROR)
//
// rewriteForms turns each of them, in the text handed to sqlparser, into a
// plain call of a function the engine knows, writing over the tokens in
// place with text of the same length (padded with blanks), so every byte
// offset (error positions, result column names, which come from the text
// as written) stays where it was:
//
//	SUBSTRING(s FROM p FOR n)        → mid      (s ,    p ,   n)
//	TRIM(LEADING 'x' FROM s)         → TRIM('L',    'x' ,    s)   mode 'L', 'T' or 'B'
//	TRIM('x' FROM s)                 → TRIM('x' ,    s)           two arguments: BOTH
//	POSITION(a IN b)                 → locate  (a ,  b)
//	EXTRACT(YEAR FROM d)             → EXTRACT(YEAR ,    d)       the compiler reads the unit word
//	CAST(x AS DOUBLE)                → c@dl(x          )          internal names: a written name
//	CAST(x AS FLOAT)                 → c@fl(x         )           with '@' before '(' is a syntax error
//	CURRENT_TIMESTAMP(3)             → now              (3)
//	x = ANY (SELECT ...)             → x   in  (SELECT ...)
//	x <> ALL (SELECT ...)            → x not in (SELECT ...)
//	x > ALL (SELECT ...)             → x >     (SELECT ...)           the parsed comparison's operator
//	                                                                 becomes "> all" (markQuantifiers)
//	JSON_VALUE(d, '$.a' RETURNING SIGNED ERROR ON EMPTY)
//	                                 → j@v       (d, '$.a' ,'t','SIGNED'    ,'ee',null    )
//	                                   (marker, value) pairs: rewriteJSONValue
//
// Only bare words followed by '(' are touched (a backquoted `substring` is
// a name, not the built-in); a form that does not match is left for
// sqlparser to report.
func rewriteForms(clean string, toks []token) string {
	var b []byte // copy of clean, made at the first rewrite
	put := func(t token, s string) {
		if b == nil {
			b = []byte(clean)
		}
		n := copy(b[t.pos:t.end], s)
		for i := t.pos + n; i < t.end; i++ {
			b[i] = ' '
		}
	}
	for k := 0; k+3 < len(toks); k++ {
		// x = ANY|SOME (SELECT ...) is x IN (SELECT ...); x <> ALL (...)
		// is x NOT IN (...), NULLs included (other quantified
		// comparisons are left to fail).
		q, op := toks[k+1].word(), toks[k]
		if (q != "any" && q != "some" && q != "all") || toks[k+2].typ != '(' || toks[k+3].word() != "select" {
			continue
		}
		switch {
		case op.typ == '=' && q != "all":
			put(op, "")
			put(toks[k+1], "in")
		case op.typ == sqlparser.NE && q == "all" && toks[k+1].end-op.pos >= len("not in"):
			span := token{pos: op.pos, end: toks[k+1].end}
			put(span, "not in")
		default:
			// Any other quantified comparison: the quantifier goes and
			// markQuantifiers puts it back into the parsed comparison.
			put(toks[k+1], "")
		}
	}
	for k, t := range toks {
		// A character set introducer before a string (_utf8mb4'abc', as
		// mysqldump writes them): the string is ours either way.
		if w := t.word(); len(w) > 1 && w[0] == '_' && charsetIntroducers[w[1:]] && k+1 < len(toks) && toks[k+1].typ == sqlparser.STRING {
			put(t, "")
			continue
		}
		switch t.word() {
		case "member":
			// x MEMBER OF (j) → x <=>       (j): markMemberOf makes the
			// comparison a membership test again.
			if k+2 < len(toks) && toks[k+1].word() == "of" && toks[k+2].typ == '(' {
				put(t, "<=>")
				put(toks[k+1], "")
			}
		case "with":
			// GROUP BY ... WITH ROLLUP → GROUP BY ... ,    r@u(): markRollups
			// turns the call into the SELECT's mark.
			if k+1 < len(toks) && toks[k+1].word() == "rollup" && inGroupBy(toks, k) {
				put(t, ",")
				put(toks[k+1], rollupFunc+"()")
			}
		case "xor":
			put(t, "or") // markXor makes the parsed OR an XOR again
		case "year":
			// CAST(x AS YEAR), CONVERT(x, YEAR): the parser knows no YEAR
			// type; it parses DATE and markYears makes it YEAR again.
			if castTypeAt(toks, k) {
				put(t, "date")
			}
		case "unknown":
			// x IS [NOT] UNKNOWN is x IS [NOT] NULL.
			if k >= 1 && toks[k-1].word() == "is" || k >= 2 && toks[k-1].word() == "not" && toks[k-2].word() == "is" {
				put(t, "null")
			}
		}
	}
	if k := insertValueKeyword(toks); k >= 0 {
		// INSERT ... VALUE (...) is INSERT ... VALUES (...): the blank
		// after VALUE (parseDML makes sure there is one) takes the S.
		if t := toks[k]; t.end < len(clean) && isBlank(clean[t.end]) {
			put(token{pos: t.pos, end: t.end + 1}, "values")
		}
	}
	for k := 0; k+1 < len(toks); k++ {
		w := toks[k].word()
		if w == "" || toks[k+1].typ != '(' {
			continue
		}
		if strings.Contains(w, "@") {
			// A written name with '@' is no function in MySQL: keep the
			// internal ones below out of reach with a syntax error there.
			put(toks[k+1], ")")
			continue
		}
		m := closingParen(toks, k+1)
		if m < 0 {
			continue
		}
		in := toks[k+2 : m] // the argument tokens
		switch w {
		case "substring", "substr":
			put(toks[k], "mid")
			for _, j := range topLevel(in) {
				if x := in[j].word(); x == "from" || x == "for" {
					put(in[j], ",")
				}
			}
		case "trim":
			rewriteTrim(in, put)
		case "position":
			if js := topLevelWord(in, "in"); len(js) == 1 {
				put(toks[k], "locate")
				put(in[js[0]], ",")
			}
		case "extract":
			if js := topLevelWord(in, "from"); len(js) == 1 && js[0] == 1 {
				put(in[js[0]], ",")
			}
		case "cast", "convert":
			sep := "as"
			if w == "convert" {
				sep = ","
			}
			if p, ok := castFloatPrecision(in); ok && len(in) >= 6 && (in[len(in)-5].word() == sep || sep == "," && in[len(in)-5].typ == ',') {
				// FLOAT(p): p <= 24 is FLOAT, 25..53 DOUBLE; a larger p
				// stays a syntax error.
				if p > 53 {
					continue
				}
				put(toks[k], map[bool]string{true: "c@fl", false: "c@dl"}[p <= 24])
				for _, t := range in[len(in)-5:] {
					put(t, "")
				}
				continue
			}
			if len(in) < 3 || in[len(in)-2].word() != sep && !(sep == "," && in[len(in)-2].typ == ',') {
				continue
			}
			name := map[string]string{"double": "c@dl", "real": "c@dl", "float": "c@fl"}[in[len(in)-1].word()]
			if name == "" {
				continue
			}
			put(toks[k], name)
			put(in[len(in)-2], "")
			put(in[len(in)-1], "")
		case "insert":
			// The string function INSERT(s, pos, len, new) → i@s(...)
			// (never a statement: those go on with INTO or a name).
			if k > 0 {
				put(toks[k], "i@s")
			}
		case "default":
			// DEFAULT(col) → d@f(col) (func_default.go).
			if len(in) == 1 && in[0].typ == sqlparser.ID ||
				len(in) == 3 && in[0].typ == sqlparser.ID && in[1].typ == '.' && in[2].typ == sqlparser.ID {
				put(toks[k], "d@f")
			}
		case "current_timestamp", "localtime", "localtimestamp":
			put(toks[k], "now")
		case "utc_timestamp":
			put(toks[k], "u@now") // NOW() in UTC (func_time.go)
		case "current_time":
			put(toks[k], "curtime")
		case "utc_time":
			put(toks[k], "u@time")
		case "json_value":
			rewriteJSONValue(clean, toks[k], in, put)
		}
	}
	if b == nil {
		return clean
	}
	return string(b)
}

// inGroupBy reports whether token k follows a GROUP BY list of its
// SELECT: looking back at the same parenthesis depth, GROUP BY comes
// before any SELECT or FROM.
func inGroupBy(toks []token, k int) bool {
	depth := 0
	for j := k - 1; j > 0; j-- {
		switch t := toks[j]; {
		case t.typ == ')':
			depth++
		case t.typ == '(':
			if depth == 0 {
				return false
			}
			depth--
		case depth == 0 && t.word() == "by" && toks[j-1].word() == "group":
			return true
		case depth == 0 && (t.word() == "select" || t.word() == "from" || t.word() == "where" || t.word() == "having"):
			return false
		}
	}
	return false
}

// charsetIntroducers are the character sets whose _name introducer before
// a string literal rewriteForms drops (_binary is sqlparser's own).
var charsetIntroducers = toSet("utf8mb4 utf8mb3 utf8 latin1 ascii ucs2 utf16 utf16le utf32 cp1252 big5 gbk sjis euckr")

// insertLeadWords are the words that can come before the table name of an
// INSERT or REPLACE.
var insertLeadWords = toSet("insert replace into ignore low_priority high_priority delayed")

// insertValueKeyword returns the index in toks of the VALUE keyword of
// INSERT|REPLACE ... VALUE (...), MySQL's synonym of VALUES, or -1. VALUE
// counts where VALUES can stand: at depth 0, right after the column list
// or the table name, and before '('.
func insertValueKeyword(toks []token) int {
	if w := toks[0].word(); w != "insert" && w != "replace" {
		return -1
	}
	depth := 0
	for k := 1; k+1 < len(toks); k++ {
		t := toks[k]
		switch {
		case t.typ == '(':
			depth++
		case t.typ == ')':
			depth--
		case depth == 0 && t.word() == "value" && toks[k+1].typ == '(':
			prev := toks[k-1]
			if prev.typ == ')' {
				return k
			}
			if k >= 2 && (prev.quoted || prev.word() != "" && !insertLeadWords[prev.word()]) &&
				(toks[k-2].typ == '.' || insertLeadWords[toks[k-2].word()]) {
				return k
			}
		case depth == 0 && (t.word() == "values" || t.word() == "select" || t.word() == "set"):
			return -1
		}
	}
	return -1
}

// rewriteTrim rewrites the arguments of TRIM([mode] [remstr] FROM s) into
// (mode, remstr, s) or (remstr, s); TRIM(s) stays.
func rewriteTrim(in []token, put func(token, string)) {
	froms := topLevelWord(in, "from")
	if len(froms) != 1 {
		return
	}
	f := froms[0]
	mode := map[string]string{"leading": "'L',", "trailing": "'T',", "both": "'B',"}[in[0].word()]
	switch {
	case mode != "" && f == 1: // TRIM(LEADING FROM s): remstr is a blank
		put(in[0], mode)
		put(in[f], "' ',")
	case mode != "":
		put(in[0], mode)
		put(in[f], ",")
	case f > 0:
		put(in[f], ",")
	}
}

// rewriteJSONValue rewrites the clauses of JSON_VALUE(doc, path
// [RETURNING type] [on_empty] [on_error]), whose arguments are in, into
// pairs of a marker and a value, arguments of the call j@v
// (func_json_value.go); a call without clauses stays JSON_VALUE(doc,
// path). The path must be a string literal, as in MySQL:
//
//	RETURNING type          ,'t','type'    the type's text, as written
//	NULL ON EMPTY           ,'ne',null     the response's first letter,
//	ERROR ON EMPTY          ,'ee',null     then e for ON EMPTY, r for
//	DEFAULT v ON EMPTY      ,'de',v        ON ERROR
//	NULL ON ERROR           ,'nr',null
//	ERROR ON ERROR          ,'er',null
//	DEFAULT v ON ERROR      ,'dr',v
//
// ON EMPTY comes before ON ERROR, each at most once, and a DEFAULT value
// is one literal, maybe signed; other clauses are left for sqlparser to
// refuse.
func rewriteJSONValue(clean string, name token, in []token, put func(token, string)) {
	p := -1 // the path
	for _, j := range topLevel(in) {
		if in[j].typ == ',' {
			p = j + 1
			break
		}
	}
	if p <= 0 || p+1 >= len(in) || in[p].typ != sqlparser.STRING {
		return
	}
	type edit struct {
		at   token
		text string
	}
	var edits []edit
	j := p + 1
	if in[j].word() == "returning" {
		end := j + 1 // past the type's tokens
		for end < len(in) && !jsonValueResponses[in[end].word()] {
			end++
		}
		if end == j+1 || !jsonValueTypes[in[j+1].word()] {
			return
		}
		typ := clean[in[j+1].pos:in[end-1].end]
		if strings.ContainsAny(typ, `'"\`) {
			return
		}
		edits = append(edits, edit{token{pos: in[j].pos, end: in[end-1].end}, ",'t','" + typ + "'"})
		j = end
	}
	events := []string{"empty", "error"} // the clauses still allowed, in order
	for j < len(in) {
		resp, on := in[j].word(), j+1
		if resp == "default" {
			// A literal, maybe signed.
			if on < len(in) && (in[on].typ == '-' || in[on].typ == '+') {
				on++
			}
			on++
		}
		if !jsonValueResponses[resp] || on+1 >= len(in) || in[on].word() != "on" {
			return
		}
		k := slices.Index(events, in[on+1].word())
		if k < 0 {
			return
		}
		events = events[k+1:]
		marker := resp[:1] + map[string]string{"empty": "e", "error": "r"}[in[on+1].word()]
		if resp == "default" {
			edits = append(edits, edit{in[j], ",'" + marker + "',"}, edit{token{pos: in[on].pos, end: in[on+1].end}, ""})
		} else {
			edits = append(edits, edit{token{pos: in[j].pos, end: in[on+1].end}, ",'" + marker + "',null"})
		}
		j = on + 2
	}
	put(name, "j@v")
	for _, e := range edits {
		put(e.at, e.text)
	}
}

// jsonValueResponses are the words that begin JSON_VALUE's ON clauses.
var jsonValueResponses = toSet("null error default")

// jsonValueTypes are the first words of JSON_VALUE's RETURNING types.
var jsonValueTypes = toSet("float double real decimal signed unsigned date time datetime year char json")

// topLevel returns the indexes of the tokens of in outside any nested
// parentheses.
func topLevel(in []token) []int {
	var out []int
	depth := 0
	for j, t := range in {
		switch t.typ {
		case '(':
			depth++
		case ')':
			depth--
		default:
			if depth == 0 {
				out = append(out, j)
			}
		}
	}
	return out
}

// topLevelWord returns the indexes of the bare word w in in, outside
// nested parentheses.
func topLevelWord(in []token, w string) []int {
	var out []int
	for _, j := range topLevel(in) {
		if in[j].word() == w {
			out = append(out, j)
		}
	}
	return out
}

// parseSoleExpr parses text as one expression ("select <text>"), with the
// forms of rewriteForms: for expressions kept as text (DEFAULT, CHECK).
func parseSoleExpr(text string) (sqlparser.Expr, error) {
	sql := "select " + text
	toks, clean, err := lexAll(sql)
	if err != nil {
		return nil, err
	}
	ast, err := sqlparserParse(sql, clean, toks)
	if err != nil {
		return nil, err
	}
	sel, ok := ast.(*sqlparser.Select)
	if !ok || len(sel.SelectExprs) != 1 {
		return nil, ErrSyntax
	}
	ae, ok := sel.SelectExprs[0].(*sqlparser.AliasedExpr)
	if !ok {
		return nil, ErrSyntax
	}
	return ae.Expr, nil
}

// keepWildcardEscapes restores MySQL's reading of \% and \_ in string
// literals: they keep their backslash ('a\_c' is the four characters
// a \ _ c, so LIKE 'a\_c' matches only "a_c"), where sqlparser's
// tokenizer drops it ("a_c", which LIKE reads as a wildcard). The
// literals of ast are paired in order with the string tokens of clean
// (the text parsed), and a literal is fixed only when every pair agrees
// on the tokenizer's value: if the walk order ever differed from the
// text order nothing is changed.
func keepWildcardEscapes(ast sqlparser.SQLNode, clean string) {
	if !strings.Contains(clean, `\%`) && !strings.Contains(clean, `\_`) {
		return
	}
	toks, _, err := lexAll(clean)
	if err != nil {
		return
	}
	var strs []token
	for _, t := range toks {
		if t.typ == sqlparser.STRING {
			strs = append(strs, t)
		}
	}
	var vals []*sqlparser.SQLVal
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if v, ok := n.(*sqlparser.SQLVal); ok && v.Type == sqlparser.StrVal {
			vals = append(vals, v)
		}
		return true, nil
	}, ast)
	if len(vals) != len(strs) {
		return
	}
	for i, v := range vals {
		if string(v.Val) != strs[i].val {
			return
		}
	}
	for i, v := range vals {
		if raw := clean[strs[i].pos:strs[i].end]; strings.Contains(raw, `\%`) || strings.Contains(raw, `\_`) {
			v.Val = []byte(unescapeMySQL(raw))
		}
	}
}

// unescapeMySQL returns the value of the quoted string literal raw as
// MySQL reads it: backslash escapes (\0 \' \" \b \n \r \t \Z \\; \% and
// \_ keep their backslash; any other \x is x) and doubled quotes.
func unescapeMySQL(raw string) string {
	if len(raw) < 2 {
		return raw
	}
	q, body := raw[0], raw[1:len(raw)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\\' && i+1 < len(body):
			i++
			switch n := body[i]; n {
			case '0':
				b.WriteByte(0)
			case 'b':
				b.WriteByte('\b')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'Z':
				b.WriteByte(26)
			case '%', '_':
				b.WriteByte('\\')
				b.WriteByte(n)
			default:
				b.WriteByte(n)
			}
		case c == q && i+1 < len(body) && body[i+1] == q:
			b.WriteByte(q)
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// markQuantifiers gives back to the parsed comparisons the ANY, SOME or
// ALL quantifiers rewriteForms blanked out of clean (those it did not turn
// into IN or NOT IN): each comparison of a value with a subquery in ast
// is paired, in order, with the operator tokens of the original text
// (toks) followed by a quantifier or directly by "(SELECT", and a
// quantified one gets the operator "op any" or "op all" (SOME is ANY),
// which the compiler knows (quantCmpExpr) and sqlparser prints back as
// valid SQL. If the pairing does not hold, the statement is refused.
func markQuantifiers(ast sqlparser.SQLNode, toks []token) error {
	type site struct {
		quant string // "", "any" or "all"
	}
	var sites []site
	anyQuant := false
	for k := 0; k+2 < len(toks); k++ {
		switch toks[k].typ {
		case '=', '<', '>', sqlparser.NE, sqlparser.LE, sqlparser.GE, sqlparser.NULL_SAFE_EQUAL:
		default:
			continue
		}
		q := toks[k+1].word()
		switch {
		case (q == "any" || q == "some" || q == "all") && toks[k+2].typ == '(' && k+3 < len(toks) && toks[k+3].word() == "select":
			if (toks[k].typ == '=' && q != "all") || (toks[k].typ == sqlparser.NE && q == "all") {
				continue // rewritten to IN / NOT IN: no comparison left
			}
			if q == "some" {
				q = "any"
			}
			sites = append(sites, site{q})
			anyQuant = true
		case toks[k+1].typ == '(' && toks[k+2].word() == "select":
			sites = append(sites, site{})
		}
	}
	if !anyQuant {
		return nil
	}
	var cmps []*sqlparser.ComparisonExpr
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if c, ok := n.(*sqlparser.ComparisonExpr); ok {
			if _, sub := c.Right.(*sqlparser.Subquery); sub {
				if _, ok := cmpOps[c.Operator]; ok {
					cmps = append(cmps, c)
				}
			}
		}
		return true, nil
	}, ast)
	if len(cmps) != len(sites) {
		return errNotSupported("this quantified comparison (ANY, SOME, ALL)")
	}
	for i, c := range cmps {
		if sites[i].quant != "" {
			c.Operator += " " + sites[i].quant
		}
	}
	return nil
}

// castFloatPrecision reports whether the CAST arguments in end with
// FLOAT(p), and returns p.
func castFloatPrecision(in []token) (int, bool) {
	n := len(in)
	if n < 4 || in[n-4].word() != "float" || in[n-3].typ != '(' || in[n-2].typ != sqlparser.INTEGRAL || in[n-1].typ != ')' {
		return 0, false
	}
	p, err := strconv.Atoi(in[n-2].val)
	if err != nil {
		return 0, false
	}
	return p, true
}

// markMemberOf restores the MEMBER OF operators that rewriteForms wrote
// as <=>: the <=> tokens and MEMBER OF pairs of toks, in text order, pair
// with the parsed <=> comparisons in the order of their operators in the
// text (an in-order walk); each MEMBER OF one gets the operator
// "member of" (compileComparison).
func markMemberOf(ast sqlparser.SQLNode, toks []token) error {
	var ops []bool // true: MEMBER OF
	anyMember := false
	for k, t := range toks {
		switch {
		case t.typ == sqlparser.NULL_SAFE_EQUAL:
			ops = append(ops, false)
		case t.word() == "member" && k+2 < len(toks) && toks[k+1].word() == "of" && toks[k+2].typ == '(':
			ops = append(ops, true)
			anyMember = true
		}
	}
	if !anyMember {
		return nil
	}
	var cmps []*sqlparser.ComparisonExpr
	var visit func(n sqlparser.SQLNode) (bool, error)
	visit = func(n sqlparser.SQLNode) (bool, error) {
		if c, ok := n.(*sqlparser.ComparisonExpr); ok && c.Operator == sqlparser.NullSafeEqualStr {
			_ = sqlparser.Walk(visit, c.Left)
			cmps = append(cmps, c)
			_ = sqlparser.Walk(visit, c.Right)
			return false, nil
		}
		return true, nil
	}
	_ = sqlparser.Walk(visit, ast)
	if len(cmps) != len(ops) {
		return errNotSupported("MEMBER OF here")
	}
	for i, c := range cmps {
		if ops[i] {
			c.Operator = memberOfStr
		}
	}
	return nil
}

// memberOfStr is the operator of a parsed x MEMBER OF (j).
const memberOfStr = "member of"

// markXor restores the XORs that rewriteForms wrote as OR. XOR binds
// tighter than OR and looser than AND, so an OR chain holds the operands
// of both; the operators (OR, || and XOR tokens of toks, in text order)
// pair with the parsed ORs in the order of their operators in the text (an
// in-order walk). Each XOR becomes the call x@or(a, b) (an OR with FALSE
// holds it, so the node stays in place). The chain is then regrouped:
// a OR b XOR c parses as (a OR b) OR c and must be a OR (b XOR c).
func markXor(ast sqlparser.SQLNode, toks []token) error {
	var ops []bool // true: XOR
	anyXor := false
	for _, t := range toks {
		switch {
		case t.typ == sqlparser.OR:
			ops = append(ops, false)
		case t.word() == "xor":
			ops = append(ops, true)
			anyXor = true
		}
	}
	if !anyXor {
		return nil
	}
	var ors []*sqlparser.OrExpr
	var visit func(n sqlparser.SQLNode) (bool, error)
	visit = func(n sqlparser.SQLNode) (bool, error) {
		if o, ok := n.(*sqlparser.OrExpr); ok {
			_ = sqlparser.Walk(visit, o.Left)
			ors = append(ors, o)
			_ = sqlparser.Walk(visit, o.Right)
			return false, nil
		}
		return true, nil
	}
	_ = sqlparser.Walk(visit, ast)
	if len(ors) != len(ops) {
		return errNotSupported("XOR here")
	}
	xor := map[*sqlparser.OrExpr]bool{}
	for i, o := range ors {
		if ops[i] {
			xor[o] = true
		}
	}
	// Regroup each maximal chain (an OR whose parent is no OR) from its
	// operands and operators in text order.
	var fix func(n sqlparser.SQLNode) (bool, error)
	fix = func(n sqlparser.SQLNode) (bool, error) {
		o, ok := n.(*sqlparser.OrExpr)
		if !ok {
			return true, nil
		}
		var operands []sqlparser.Expr
		var isXor []bool
		var flatten func(e sqlparser.Expr)
		flatten = func(e sqlparser.Expr) {
			if c, ok := e.(*sqlparser.OrExpr); ok {
				flatten(c.Left)
				isXor = append(isXor, xor[c])
				flatten(c.Right)
				return
			}
			operands = append(operands, e)
		}
		flatten(o)
		for _, e := range operands {
			_ = sqlparser.Walk(fix, e)
		}
		// XOR runs first (left to right), then OR.
		var terms []sqlparser.Expr
		cur := operands[0]
		for i, x := range isXor {
			if x {
				cur = &sqlparser.FuncExpr{Name: sqlparser.NewColIdent("x@or"), Exprs: sqlparser.SelectExprs{
					&sqlparser.AliasedExpr{Expr: cur}, &sqlparser.AliasedExpr{Expr: operands[i+1]}}}
				continue
			}
			terms = append(terms, cur)
			cur = operands[i+1]
		}
		terms = append(terms, cur)
		var out sqlparser.Expr = terms[0]
		for _, t := range terms[1:] {
			out = &sqlparser.OrExpr{Left: out, Right: t}
		}
		if r, ok := out.(*sqlparser.OrExpr); ok {
			*o = *r
		} else {
			*o = sqlparser.OrExpr{Left: out, Right: sqlparser.BoolVal(false)}
		}
		return false, nil
	}
	_ = sqlparser.Walk(fix, ast)
	return nil
}

// castTypeAt reports whether toks[k] is the type of a CAST(x AS type) or
// CONVERT(x, type): the last token in the parentheses of a cast or convert
// call, after AS or a comma.
func castTypeAt(toks []token, k int) bool {
	if k < 1 || k+1 >= len(toks) || toks[k+1].typ != ')' || (toks[k-1].word() != "as" && toks[k-1].typ != ',') {
		return false
	}
	depth := 0
	for j := k - 1; j >= 1; j-- {
		switch toks[j].typ {
		case ')':
			depth++
		case '(':
			if depth == 0 {
				w := toks[j-1].word()
				return w == "cast" || w == "convert"
			}
			depth--
		}
	}
	return false
}

// markYears gives back their YEAR type to the casts rewriteForms made
// DATE casts: the casts to DATE in the order of their type tokens (a
// cast's type follows its operand) are matched with the tokens.
func markYears(ast sqlparser.SQLNode, toks []token) error {
	var years []bool // per DATE-or-YEAR cast type token: true for YEAR
	anyYear := false
	for k, t := range toks {
		if w := t.word(); (w == "date" || w == "year") && castTypeAt(toks, k) {
			years = append(years, w == "year")
			anyYear = anyYear || w == "year"
		}
	}
	if !anyYear {
		return nil
	}
	var casts []*sqlparser.ConvertExpr
	var visit func(n sqlparser.SQLNode) (bool, error)
	visit = func(n sqlparser.SQLNode) (bool, error) {
		if c, ok := n.(*sqlparser.ConvertExpr); ok {
			_ = sqlparser.Walk(visit, c.Expr)
			if c.Type != nil && strings.EqualFold(c.Type.Type, "date") {
				casts = append(casts, c)
			}
			return false, nil
		}
		return true, nil
	}
	_ = sqlparser.Walk(visit, ast)
	if len(casts) != len(years) {
		return errNotSupported("CAST AS YEAR here")
	}
	for i, c := range casts {
		if years[i] {
			c.Type.Type = "year"
		}
	}
	return nil
}

// typedLiteralFunc is the internal function typed literals become.
const typedLiteralFunc = "t@l"

// rewriteTypedLiterals rewrites the typed literals DATE 'str', TIME 'str'
// and TIMESTAMP 'str' of text (which toks lex) to t@l('date', 'str') and
// so on, and returns the offset of the first (-1 and text itself when
// there is none). A literal that is no value of its type is error 1525
// (typedLiteral).
func rewriteTypedLiterals(text string, toks []token) (string, int) {
	var b strings.Builder
	first, cur := -1, 0
	for k := 0; k+1 < len(toks); k++ {
		w, next := toks[k].word(), toks[k+1]
		if w != "date" && w != "time" && w != "timestamp" || next.typ != sqlparser.STRING {
			continue
		}
		if k > 0 && (toks[k-1].typ == '.' || toks[k-1].word() == "as") {
			continue // t.date 'alias', x AS date ...: not a literal
		}
		if first < 0 {
			first = toks[k].pos
		}
		b.WriteString(text[cur:toks[k].pos])
		b.WriteString(typedLiteralFunc + "('" + w + "', ")
		b.WriteString(text[next.pos:next.end])
		b.WriteString(")")
		cur = next.end
		k++
	}
	if first < 0 {
		return text, -1
	}
	b.WriteString(text[cur:])
	return b.String(), first
}
