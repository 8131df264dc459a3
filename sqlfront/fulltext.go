package sqlfront

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xwb1989/sqlparser"
)

// FULLTEXT indexes and MATCH (cols) AGAINST (expr [mode]).
//
// A FULLTEXT index is a catalog entry (tableDesc.FullText): its name and
// columns, which must be CHAR, VARCHAR or TEXT (error 1283). It has no
// tree of its own: MATCH reads the table, which makes every full-text
// search a scan of the table (twice: once for the word statistics, once
// for the rows), where InnoDB reads an inverted index. What it answers is
// InnoDB's answer:
//
//   - Words are runs of letters, digits and '_', compared under the first
//     column's collation (case- and accent-insensitively by default);
//     words shorter than 3 or longer than 84 characters and InnoDB's 36
//     default stopwords are not searched (innodb_ft_min_token_size,
//     innodb_ft_max_token_size, INNODB_FT_DEFAULT_STOPWORD).
//   - A row's relevance is InnoDB's: the sum over the searched words w of
//     TF(w) * IDF(w) * IDF(w), TF being how often w occurs in the row's
//     columns, IDF = log10(rows / rows containing w) (log10(1.0001) for a
//     word every row has), summed in single precision as InnoDB does.
//   - Natural language mode (the default) matches the rows holding any
//     searched word. A MATCH in the WHERE clause of a single-table query
//     without ORDER BY sorts the rows by relevance, highest first (ties:
//     the later primary key first).
//   - Boolean mode: +word (required), -word (excluded), word (optional:
//     when the group has no required word, at least one optional word
//     must occur), word* (prefix), "a phrase" (the words adjacent, in
//     order), (groups), and >, < and ~, which raise, lower and negate a
//     word's contribution (InnoDB moves the rank by 1 within [-1, 1]
//     before the word weights are added; bxdb does the same). Rows come
//     in the order the query gives them.
//   - WITH QUERY EXPANSION is error 1235.
//
// The MATCH column list must be the column set of one FULLTEXT index of a
// base table of the query (error 1191), and AGAINST's argument must be
// constant during the query (error 1210).

// Full-text word limits (InnoDB's defaults).
const (
	ftMinToken = 3
	ftMaxToken = 84
)

// ftStopwords is InnoDB's default stopword list.
var ftStopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("a about an are as at be by com de en for from how i in is it la of on or that the this to was what when where who will with und www") {
		m[w] = true
	}
	return m
}()

// fullText returns t's FULLTEXT index named lc (lowercased), or nil.
func (t *table) fullText(lc string) *ftIndex {
	for _, fx := range t.fulltext {
		if strings.ToLower(fx.desc.Name) == lc {
			return fx
		}
	}
	return nil
}

// addFullText adds the FULLTEXT index def to d.
func addFullText(d *tableDesc, def *IndexDef) error {
	fd := &ftDesc{Name: def.Name, Comment: def.Comment}
	seen := map[int]bool{}
	for _, ic := range def.Columns {
		c := descColumn(d, ic.Name)
		if c == nil {
			return engErr(ErKeyColumnNotExits, "Key column '%s' doesn't exist in table", ic.Name)
		}
		ct, _ := c.Type.columnType()
		if ct.Base != TypeChar && ct.Base != TypeVarChar && ct.Base != TypeText {
			return engErr(1283, "Column '%s' cannot be part of FULLTEXT index", c.Name)
		}
		if seen[c.Field] {
			return engErr(ErDupFieldName, "Duplicate column name '%s'", c.Name)
		}
		seen[c.Field] = true
		fd.Fields = append(fd.Fields, c.Field)
	}
	if fd.Name == "" {
		fd.Name = indexName(d, def.Columns[0].Name)
	} else if strings.EqualFold(fd.Name, "PRIMARY") {
		return engErr(1280, "Incorrect index name '%s'", fd.Name)
	} else if indexNameTaken(d, fd.Name) {
		return engErr(ErDupKeyName, "Duplicate key name '%s'", fd.Name)
	}
	d.FullText = append(d.FullText, fd)
	return nil
}

// dropFullTextField removes FieldID f from d's FULLTEXT indexes (DROP
// COLUMN), dropping an index left without columns, as MySQL does.
func dropFullTextField(d *tableDesc, f int) {
	var keep []*ftDesc
	for _, fd := range d.FullText {
		fd.Fields = slices.DeleteFunc(fd.Fields, func(x int) bool { return x == f })
		if len(fd.Fields) > 0 {
			keep = append(keep, fd)
		}
	}
	d.FullText = keep
}

// checkFullTextTypes fails with error 1283 when a column of a FULLTEXT
// index of d is no longer a string column (MODIFY, CHANGE).
func checkFullTextTypes(d *tableDesc) error {
	for _, fd := range d.FullText {
		for _, f := range fd.Fields {
			for _, c := range d.Columns {
				if c.Field != f {
					continue
				}
				ct, _ := c.Type.columnType()
				if ct.Base != TypeChar && ct.Base != TypeVarChar && ct.Base != TypeText {
					return engErr(1283, "Column '%s' cannot be part of FULLTEXT index", c.Name)
				}
			}
		}
	}
	return nil
}

// ftWords calls fn with the collation key of each word of s in order (the
// key aliases a scratch buffer) and whether the word is searchable (its
// length within the limits and not a stopword).
func ftWords(s string, coll Collation, buf *[]byte, fn func(key []byte, searchable bool)) {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !ftWordRune(r) {
			i += n
			continue
		}
		start, chars := i, 0
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if !ftWordRune(r) {
				break
			}
			i += n
			chars++
		}
		w := s[start:i]
		*buf = appendCollKey((*buf)[:0], coll, w)
		ok := chars >= ftMinToken && chars <= ftMaxToken && !ftStopwords[strings.ToLower(w)]
		fn(*buf, ok)
	}
}

// ftWordRune reports whether r belongs to a word.
func ftWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// ftTerm is a searched word or prefix (word*).
type ftTerm struct {
	key    string // collation key
	prefix bool
}

// ftNode is a boolean-mode query node: a term, a phrase or a group, with
// its operator ('+', '-', '>', '<', '~' or 0).
type ftNode struct {
	op     byte
	term   int      // index into ftQuery.terms, or -1
	phrase []int    // terms of a phrase, in order
	group  []ftNode // a parenthesized group
}

// ftQuery is a parsed AGAINST string.
type ftQuery struct {
	boolean bool
	terms   []ftTerm
	root    []ftNode // boolean mode
	seq     bool     // a phrase: rows' word sequences are needed
	exact   map[string]bool
	prefix  []string
	seen    map[ftTerm]int // term -> index in terms
}

// ftMaxDepth bounds the nesting of boolean-mode groups; deeper
// parentheses are ignored.
const ftMaxDepth = 64

// index sets up wants and seq once the terms are known.
func (q *ftQuery) index() {
	q.exact = map[string]bool{}
	for _, t := range q.terms {
		if t.prefix {
			q.prefix = append(q.prefix, t.key)
		} else {
			q.exact[t.key] = true
		}
	}
	q.seq = q.needsSeq()
}

// wants reports whether the word with key k is one q searches.
func (q *ftQuery) wants(k []byte) bool {
	if q.exact[string(k)] {
		return true
	}
	for _, p := range q.prefix {
		if bytes.HasPrefix(k, []byte(p)) {
			return true
		}
	}
	return false
}

// termIndex returns the index of term t in q.terms, adding it.
func (q *ftQuery) termIndex(t ftTerm) int {
	if i, ok := q.seen[t]; ok {
		return i
	}
	if q.seen == nil {
		q.seen = map[ftTerm]int{}
	}
	q.seen[t] = len(q.terms)
	q.terms = append(q.terms, t)
	return len(q.terms) - 1
}

// parseFTQuery parses the AGAINST string s.
func parseFTQuery(s string, coll Collation, boolean bool) *ftQuery {
	q := &ftQuery{boolean: boolean}
	var buf []byte
	if !boolean {
		ftWords(s, coll, &buf, func(k []byte, ok bool) {
			if ok {
				q.termIndex(ftTerm{key: string(k)})
			}
		})
		q.index()
		return q
	}
	pos := 0
	q.root = q.parseGroup(s, &pos, coll, &buf, 0)
	q.index()
	return q
}

// parseGroup parses boolean-mode items up to a ')' (depth > 0) or the
// end of s.
func (q *ftQuery) parseGroup(s string, pos *int, coll Collation, buf *[]byte, depth int) []ftNode {
	var out []ftNode
	var op byte
	for *pos < len(s) {
		c := s[*pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			*pos++
			op = 0
		case c == '+' || c == '-' || c == '>' || c == '<' || c == '~':
			op = c
			*pos++
		case c == '(' && depth >= ftMaxDepth:
			*pos++
		case c == '(':
			*pos++
			g := q.parseGroup(s, pos, coll, buf, depth+1)
			if len(g) > 0 {
				out = append(out, ftNode{op: op, term: -1, group: g})
			}
			op = 0
		case c == ')':
			*pos++
			if depth > 0 {
				return out
			}
			op = 0
		case c == '"':
			*pos++
			end := strings.IndexByte(s[*pos:], '"')
			text := s[*pos:]
			if end >= 0 {
				text = s[*pos : *pos+end]
				*pos += end + 1
			} else {
				*pos = len(s)
			}
			var ph []int
			ftWords(text, coll, buf, func(k []byte, _ bool) {
				ph = append(ph, q.termIndex(ftTerm{key: string(k)}))
			})
			if len(ph) > 0 {
				out = append(out, ftNode{op: op, term: -1, phrase: ph})
			}
			op = 0
		default:
			end := *pos
			for end < len(s) && !strings.ContainsRune(" \t\n\r()\"", rune(s[end])) {
				end++
			}
			text := s[*pos:end]
			*pos = end
			prefix := strings.HasSuffix(text, "*")
			text = strings.TrimRight(text, "*")
			type w struct {
				key string
				ok  bool
			}
			var ws []w
			ftWords(text, coll, buf, func(k []byte, ok bool) { ws = append(ws, w{string(k), ok}) })
			for i, x := range ws {
				p := prefix && i == len(ws)-1
				if !x.ok && !p {
					continue // too short, too long or a stopword: not searched
				}
				out = append(out, ftNode{op: op, term: q.termIndex(ftTerm{key: x.key, prefix: p})})
			}
			op = 0
		}
	}
	return out
}

// ftStats are the word statistics of one search: the table's rows and,
// per word, how many rows hold it (a prefix term expands into the words
// it matches, each with its own count, as in InnoDB).
type ftStats struct {
	rows  int64
	words map[string]int64 // word key -> rows holding it
	idf   map[string]float64
}

// ftDoc is one row's words: their counts, and their keys in order (for
// phrases).
type ftDoc struct {
	tf    map[string]int
	seq   []string
	order []string // distinct words in order of first occurrence
}

// reset empties d for the next row.
func (d *ftDoc) reset() {
	clear(d.tf)
	d.seq = d.seq[:0]
	d.order = d.order[:0]
}

// add tokenizes the row's column values into d: the words q searches, or
// with a phrase in q every word, and the word sequence.
func (d *ftDoc) add(vals []Value, coll Collation, buf *[]byte, q *ftQuery) {
	keepSeq := q.seq
	if d.tf == nil {
		d.tf = map[string]int{}
	}
	for _, v := range vals {
		if v.IsNull() {
			continue
		}
		s := v.S
		if v.K != KindString {
			s = Format(v)
		}
		ftWords(s, coll, buf, func(k []byte, _ bool) {
			if !keepSeq && !q.wants(k) {
				return
			}
			if keepSeq {
				d.seq = append(d.seq, string(k))
			}
			if n, ok := d.tf[string(k)]; ok {
				d.tf[string(k)] = n + 1
				return
			}
			key := string(k)
			d.tf[key] = 1
			d.order = append(d.order, key)
		})
	}
}

// termWords returns the words of d term t stands for: the word itself,
// or the words with the prefix.
func (d *ftDoc) termWords(t ftTerm, fn func(w string, tf int)) {
	if !t.prefix {
		if n := d.tf[t.key]; n > 0 {
			fn(t.key, n)
		}
		return
	}
	for _, w := range d.order {
		if strings.HasPrefix(w, t.key) {
			fn(w, d.tf[w])
		}
	}
}

// hasTerm reports whether d holds term t.
func (d *ftDoc) hasTerm(t ftTerm) bool {
	found := false
	d.termWords(t, func(string, int) { found = true })
	return found
}

// hasPhrase reports whether the words of ph occur adjacent and in order.
func (d *ftDoc) hasPhrase(q *ftQuery, ph []int) bool {
	for i := 0; i+len(ph) <= len(d.seq); i++ {
		ok := true
		for j, ti := range ph {
			if d.seq[i+j] != q.terms[ti].key {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// needsSeq reports whether q has a phrase.
func (q *ftQuery) needsSeq() bool {
	var walk func([]ftNode) bool
	walk = func(ns []ftNode) bool {
		for _, n := range ns {
			if n.phrase != nil || walk(n.group) {
				return true
			}
		}
		return false
	}
	return walk(q.root)
}

// count adds row d to the statistics of q's terms.
func (st *ftStats) count(q *ftQuery, d *ftDoc) {
	st.rows++
	seen := map[string]bool{}
	for _, t := range q.terms {
		d.termWords(t, func(w string, _ int) {
			if !seen[w] {
				seen[w] = true
				st.words[w]++
			}
		})
	}
}

// finish computes the IDF of every counted word (InnoDB's
// fts_query_calculate_idf).
func (st *ftStats) finish() {
	st.idf = make(map[string]float64, len(st.words))
	for w, n := range st.words {
		if n == st.rows {
			st.idf[w] = math.Log10(1.0001)
		} else {
			st.idf[w] = math.Log10(float64(st.rows) / float64(n))
		}
	}
}

// weight returns the sum of TF * IDF^2 over the words of q's terms that d
// holds, in single precision, the words in their key order (InnoDB's
// word map is sorted).
func (st *ftStats) weight(q *ftQuery, d *ftDoc, rank float32) float32 {
	var ws []string
	for _, t := range q.terms {
		d.termWords(t, func(w string, _ int) {
			if !slices.Contains(ws, w) {
				ws = append(ws, w)
			}
		})
	}
	slices.Sort(ws)
	for _, w := range ws {
		idf := st.idf[w]
		rank += float32(float64(d.tf[w]) * idf * idf)
	}
	return rank
}

// matchGroup evaluates a boolean-mode group on d: whether it matches, and
// the rank adjustment of its >, < and ~ items.
func (q *ftQuery) matchGroup(ns []ftNode, d *ftDoc) (bool, float32) {
	required, any := false, false
	var adj float32
	for _, n := range ns {
		var m bool
		var sub float32
		switch {
		case n.group != nil:
			m, sub = q.matchGroup(n.group, d)
		case n.phrase != nil:
			m = d.hasPhrase(q, n.phrase)
		default:
			m = d.hasTerm(q.terms[n.term])
		}
		switch n.op {
		case '-':
			if m {
				return false, 0
			}
			continue
		case '+':
			required = true
			if !m {
				return false, 0
			}
		}
		if !m {
			continue
		}
		any = true
		adj += sub
		switch n.op {
		case '>':
			adj = min(adj+1, 1)
		case '<', '~':
			adj = max(adj-1, -1)
		}
	}
	return required || any, adj
}

// matchExpr is MATCH (cols) AGAINST (expr [mode]).
type matchExpr struct {
	cols    []Expr
	against Expr
	boolean bool
	coll    Collation
	// stats scans the table for the word statistics of q.
	stats func(env *Env, q *ftQuery) (*ftStats, error)
	// isVar reports whether a slot holds a user variable (compileMatch).
	isVar func(slot int) bool
}

// matchState is a matchExpr's per-execution state (Env.memo).
type matchState struct {
	q    *ftQuery
	st   *ftStats
	doc  ftDoc
	buf  []byte
	vals []Value
}

func (m *matchExpr) kids() []Expr { return append(slices.Clip(m.cols), m.against) }

func (m *matchExpr) selfDeps() depMask { return depSubquery }

// Eval implements Expr: the row's relevance, 0 when it does not match.
func (m *matchExpr) Eval(env *Env) (Value, error) {
	ms, err := m.state(env)
	if err != nil {
		return Null, err
	}
	ms.vals = ms.vals[:0]
	for _, c := range m.cols {
		v, err := c.Eval(env)
		if err != nil {
			return Null, err
		}
		ms.vals = append(ms.vals, v)
	}
	ms.doc.reset()
	ms.doc.add(ms.vals, m.coll, &ms.buf, ms.q)
	var rank float32
	if m.boolean {
		ok, adj := ms.q.matchGroup(ms.q.root, &ms.doc)
		if !ok {
			return FloatValue(0), nil
		}
		rank = ms.st.weight(ms.q, &ms.doc, adj)
		if rank == 0 {
			rank = math.SmallestNonzeroFloat32 // matched: true in WHERE
		}
	} else {
		rank = ms.st.weight(ms.q, &ms.doc, 0)
	}
	return FloatValue(float64(rank)), nil
}

// state returns the execution's parsed query and statistics, computing
// them at the first row.
func (m *matchExpr) state(env *Env) (*matchState, error) {
	if ms, ok := env.memo[m].(*matchState); ok {
		return ms, nil
	}
	v, err := m.against.Eval(env)
	if err != nil {
		return nil, err
	}
	s := ""
	if !v.IsNull() {
		s = v.S
		if v.K != KindString {
			s = Format(v)
		}
	}
	ms := &matchState{q: parseFTQuery(s, m.coll, m.boolean)}
	if len(ms.q.terms) > 0 {
		if ms.st, err = m.stats(env, ms.q); err != nil {
			return nil, err
		}
	} else {
		ms.st = &ftStats{idf: map[string]float64{}}
	}
	if env.memo == nil {
		env.memo = map[Expr]any{}
	}
	env.memo[m] = ms
	return ms, nil
}

// matchSource resolves MATCH's columns in a query's FROM clause and
// returns the MATCH node without its AGAINST operand: the columns' slots,
// the collation of the first, and the scan of the table (the FULLTEXT
// index with exactly those columns) for the word statistics.
func (s *fromScope) matchSource(cols sqlparser.SelectExprs) (*matchExpr, error) {
	m := &matchExpr{}
	var ft *fromTable
	ords := map[int]bool{}
	for _, se := range cols {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			return nil, engErr(ErWrongArgsToLimit, "Incorrect arguments to MATCH")
		}
		cn, ok := ae.Expr.(*sqlparser.ColName)
		if !ok {
			return nil, engErr(ErWrongArgsToLimit, "Incorrect arguments to MATCH")
		}
		slot, found, err := s.find(cn.Qualifier.Qualifier.String(), cn.Qualifier.Name.String(), cn.Name.String())
		if err != nil {
			return nil, err
		}
		if !found {
			if s.outer != nil {
				if _, err := s.outer.Column(cn.Qualifier.Qualifier.String(), cn.Qualifier.Name.String(), cn.Name.String()); err == nil {
					// An enclosing query's column: MATCH reads its own
					// query's tables only.
					return nil, engErr(ErWrongArgsToLimit, "Incorrect arguments to MATCH")
				}
			}
			return nil, ErrUnknownColumn(sqlparser.String(cn), s.clauseName())
		}
		t := s.lay.tabs[s.lay.tableOf(slot)]
		if ft != nil && t != ft || t.t == nil {
			return nil, engErr(ErWrongArgsToLimit, "Incorrect arguments to MATCH")
		}
		ft = t
		ords[slot-t.off] = true
		m.cols = append(m.cols, &colExpr{idx: slot})
	}
	var fx *ftIndex
	for _, x := range ft.t.fulltext {
		all := len(x.cols) == len(ords)
		for _, o := range x.cols {
			all = all && ords[o]
		}
		if all {
			fx = x
			break
		}
	}
	if fx == nil {
		return nil, engErr(1191, "Can't find FULLTEXT index matching the column list")
	}
	t := ft.t
	m.coll = t.types[fx.cols[0]].coll()
	var names []string
	for _, o := range fx.cols {
		names = append(names, quoteIdent(t.names[o]))
	}
	text := fmt.Sprintf("SELECT %s FROM %s", strings.Join(names, ", "), quoteIdent(t.desc.Name))
	m.isVar = func(slot int) bool {
		for _, v := range s.lay.vars {
			if v == slot {
				return true
			}
		}
		return false
	}
	sc := s.sc
	m.stats = func(env *Env, q *ftQuery) (*ftStats, error) { return ftScan(sc, text, q, m.coll) }
	return m, nil
}

// compileMatch compiles MATCH (cols) AGAINST (expr [mode]).
func (c *compiler) compileMatch(e *sqlparser.MatchExpr) (Expr, error) {
	fs, ok := c.sc.(interface {
		matchSource(sqlparser.SelectExprs) (*matchExpr, error)
	})
	if !ok {
		return nil, engErr(1191, "Can't find FULLTEXT index matching the column list")
	}
	var boolean bool
	switch strings.TrimSpace(strings.ToLower(e.Option)) {
	case "", "in natural language mode":
	case "in boolean mode":
		boolean = true
	default:
		return nil, errNotSupported("full-text search " + strings.ToUpper(strings.TrimSpace(e.Option)))
	}
	m, err := fs.matchSource(e.Columns)
	if err != nil {
		return nil, err
	}
	if m.against, err = c.compile(e.Expr); err != nil {
		return nil, err
	}
	// Constant during the query: no column, but user variables (whose
	// slots the query fills once) are fine.
	constant := depsOf(m.against)&depVolatile == 0
	for _, slot := range ColumnRefs(m.against) {
		constant = constant && m.isVar(slot)
	}
	if !constant {
		return nil, engErr(ErWrongArgsToLimit, "Incorrect arguments to AGAINST")
	}
	m.boolean = boolean
	return m, nil
}

// ftScan counts the words of q in the rows of the query text (the
// MATCH columns of the whole table).
func ftScan(sc *stmtCtx, text string, q *ftQuery, coll Collation) (*ftStats, error) {
	stmt, err := sqlparser.Parse(text)
	if err != nil {
		return nil, err
	}
	child := sc.child()
	child.xlog = nil
	qp, err := child.planQuery(stmt.(*sqlparser.Select), nil, "")
	if err != nil {
		return nil, err
	}
	defer qp.it.Close()
	st := &ftStats{words: map[string]int64{}}
	var d ftDoc
	var buf []byte
	for {
		r, err := qp.it.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		d.reset()
		d.add(r, coll, &buf, q)
		st.count(q, &d)
	}
	st.finish()
	return st, nil
}

// naturalMatch returns the natural-language MATCH among the top-level
// conjuncts of where, or nil.
func naturalMatch(where sqlparser.Expr) *sqlparser.MatchExpr {
	switch e := where.(type) {
	case *sqlparser.MatchExpr:
		switch strings.TrimSpace(strings.ToLower(e.Option)) {
		case "", "in natural language mode":
			return e
		}
	case *sqlparser.AndExpr:
		if m := naturalMatch(e.Left); m != nil {
			return m
		}
		return naturalMatch(e.Right)
	case *sqlparser.ParenExpr:
		return naturalMatch(e.Expr)
	}
	return nil
}

// ftOrderBy returns the implicit ORDER BY of a query of table t alone
// (without DISTINCT, GROUP BY or aggregates) whose WHERE has a
// natural-language MATCH: relevance, highest first, then the primary key
// descending; or nil.
func ftOrderBy(sel *sqlparser.Select, t *table) sqlparser.OrderBy {
	if len(sel.OrderBy) > 0 || len(sel.GroupBy) > 0 || sel.Where == nil || len(sel.From) != 1 ||
		sel.Distinct != "" || ContainsAggregate(sel.SelectExprs) {
		return nil
	}
	if _, ok := sel.From[0].(*sqlparser.AliasedTableExpr); !ok {
		return nil
	}
	m := naturalMatch(sel.Where.Expr)
	if m == nil {
		return nil
	}
	ob := sqlparser.OrderBy{&sqlparser.Order{Expr: m, Direction: sqlparser.DescScr}}
	for _, o := range t.pk {
		ob = append(ob, &sqlparser.Order{Expr: &sqlparser.ColName{Name: sqlparser.NewColIdent(t.names[o])}, Direction: sqlparser.DescScr})
	}
	return ob
}
