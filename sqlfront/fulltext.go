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
//     column's collation (case-insensitively by default; accents count,
//     as in every bxdb string comparison, where MySQL ignores them);
//     words shorter than 3 or longer than 84 characters and InnoDB's 36
//     default stopwords are not in the index (innodb_ft_min_token_size,
//     innodb_ft_max_token_size, INNODB_FT_DEFAULT_STOPWORD): a search for
//     one finds no row, and a prefix (word*) finds only indexed words.
//   - A row's relevance is InnoDB's: the sum over the searched terms w of
//     TF(w) * IDF(w) * IDF(w), TF being how often w occurs in the row's
//     columns, IDF = log10(rows / rows containing w) (log10(1.0001) for a
//     word every row has), summed in single precision as InnoDB does. A
//     prefix term has the statistics InnoDB gives it: the rows counted
//     once per word with the prefix, the TF of the row's first such word.
//   - A MATCH in the WHERE clause of a single-table query without ORDER BY
//     sorts the rows by relevance, highest first, ties in primary key
//     order (InnoDB reads them from its index in that order).
//   - The AGAINST string is read as InnoDB's lexer and grammar read it
//     (fts0blex.l, fts0tlex.l, fts0pars.y). Natural language mode (the
//     default) matches the rows holding any searched word or "quoted
//     phrase". Boolean mode: +word (required), -word (excluded), word
//     (optional: when the group has no required item, at least one
//     optional item must match), word* (prefix), "a phrase" (its words
//     adjacent, in order, within one column, from its first indexed
//     word; none indexed: no row), "a phrase"@n (its indexed words within
//     n words), (groups), and >, < and ~, which raise, lower and negate
//     an item's contribution (InnoDB moves the rank by 1 within [-1, 1]
//     before the word weights are added; bxdb does the same); ~ finds no
//     row itself. An operator applies to the next item across spaces, and
//     each of + - < > ~ * ( ) @ is an operator wherever it stands
//     (full-text is full -text). A term of several words (a&b) gives each
//     its operator; its first word stays even when not indexed. A string
//     that does not parse ('++word', 'word +', unbalanced parentheses,
//     groups nested over 64 deep, an '@' not after a phrase) matches no
//     row, as InnoDB answers it.
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
// key aliases a scratch buffer), whether the word is searchable (its
// length within the limits and not a stopword: a word the index holds)
// and its length in characters.
func ftWords(s string, coll Collation, buf *[]byte, fn func(key []byte, searchable bool, chars int)) {
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
		fn(*buf, ok, chars)
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

// ftNode is a query node: a term, a phrase or a group, with its operator
// ('+', '-', '>', '<', '~' or 0). A node with none of the three is a
// word the index does not hold (too short, or a stopword), which
// matches no row.
type ftNode struct {
	op     byte
	term   int      // index into ftQuery.terms, or -1
	phrase []string // a phrase's word keys in order, from its first indexed word
	dist   int      // a phrase's @distance (proximity search), 0 for adjacent words
	words  []int    // a phrase's indexed words (terms)
	group  []ftNode // a parenthesized group
}

// ftQuery is a parsed AGAINST string.
type ftQuery struct {
	boolean bool
	terms   []ftTerm
	root    []ftNode
	seq     bool // a phrase: rows' word sequences are needed
	exact   map[string]bool
	prefix  []string
	seen    map[ftTerm]int // term -> index in terms
}

// ftMaxDepth bounds the nesting of boolean-mode groups; a deeper group
// is a syntax error (InnoDB refuses more than 31 levels).
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

// ftTok is a token of an AGAINST string (InnoDB's fts0blex.l and
// fts0tlex.l): a term ('w'), a number ('n'), a quoted phrase ('t'), an
// operator (its character), or 0 at the end.
type ftTok struct {
	kind byte
	text string
}

// ftLex splits the AGAINST string s into tokens. Spaces, tabs and
// newlines separate tokens; in boolean mode each of *()+-<>~@ is an
// operator wherever it stands (full-text is full -text); a term runs to
// the next space, newline, double quote, '%' or operator; a double quote
// without its closing one on the same line, and '%', are skipped.
func ftLex(s string, boolean bool) []ftTok {
	stop := " \n\"%"
	if boolean {
		stop = " \n\"%*()+-<>~@"
	}
	runOf := func(i int, in func(c byte) bool) int {
		j := i
		for j < len(s) && in(s[j]) {
			j++
		}
		return j - i
	}
	inTerm := func(c byte) bool { return strings.IndexByte(stop, c) < 0 }
	var out []ftTok
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\n' || c == '%':
			i++
		case c == '"':
			end := strings.IndexAny(s[i+1:], "\"\n")
			if end < 0 || s[i+1+end] != '"' {
				i++
				continue
			}
			out = append(out, ftTok{'t', s[i+1 : i+1+end]})
			i += end + 2
		case !inTerm(c):
			out = append(out, ftTok{kind: c})
			i++
		default:
			n := runOf(i, inTerm)
			if c == '\t' && runOf(i, func(c byte) bool { return c == ' ' || c == '\t' }) >= n {
				i += n // whitespace, the longer match
				continue
			}
			kind := byte('w')
			if runOf(i, func(c byte) bool { return c >= '0' && c <= '9' }) == n {
				kind = 'n'
			}
			out = append(out, ftTok{kind, s[i : i+n]})
			i += n
		}
	}
	return out
}

// ftParser parses the tokens of an AGAINST string (InnoDB's fts0pars.y).
type ftParser struct {
	toks []ftTok
	pos  int
	q    *ftQuery
	coll Collation
	buf  []byte
	bad  bool // a syntax error
}

func (p *ftParser) peek() ftTok {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ftTok{}
}

func (p *ftParser) next() ftTok {
	t := p.peek()
	if p.pos < len(p.toks) {
		p.pos++
	}
	return t
}

// parseFTQuery parses the AGAINST string s. A boolean-mode string that
// does not parse ('++apple', 'apple +', an unbalanced parenthesis, an
// e-mail address's '@') matches no row: InnoDB answers it with an empty
// result.
func parseFTQuery(s string, coll Collation, boolean bool) *ftQuery {
	q := &ftQuery{boolean: boolean}
	p := &ftParser{toks: ftLex(s, boolean), q: q, coll: coll}
	q.root = p.list(0)
	if p.bad {
		q.root, q.terms, q.seen = nil, nil, nil
	}
	q.index()
	return q
}

// list parses items up to a ')' (depth > 0) or the end.
func (p *ftParser) list(depth int) []ftNode {
	var out []ftNode
	for !p.bad {
		switch p.peek().kind {
		case 0:
			p.bad = p.bad || depth > 0
			return out
		case ')':
			p.bad = p.bad || depth == 0
			p.pos++
			return out
		}
		out = p.item(out, depth)
	}
	return out
}

// item parses one item: [operator] term[*], [operator] "phrase"[@n] or
// [operator] (group), appending its nodes to out.
func (p *ftParser) item(out []ftNode, depth int) []ftNode {
	if !p.q.boolean {
		// Natural language mode: words and quoted phrases, no operators.
		t := p.next()
		if t.kind == 't' {
			return p.phrase(out, 0, t.text, 0)
		}
		return p.term(out, 0, t.text, false)
	}
	var op byte
	t := p.next()
	if strings.IndexByte("+-~<>", t.kind) >= 0 {
		op, t = t.kind, p.next()
	}
	switch t.kind {
	case '(':
		if depth >= ftMaxDepth {
			p.bad = true
			return out
		}
		if g := p.list(depth + 1); len(g) > 0 {
			out = append(out, ftNode{op: op, term: -1, group: g})
		}
	case 'w', 'n':
		prefix := p.peek().kind == '*'
		if prefix {
			p.pos++
		}
		out = p.term(out, op, t.text, prefix)
	case 't':
		dist := 0
		if p.peek().kind == '@' {
			p.pos++
			n := p.next()
			if n.kind != 'n' {
				p.bad = true
				return out
			}
			dist = ftAtoi(n.text)
		}
		out = p.phrase(out, op, t.text, dist)
	default:
		p.bad = true
	}
	return out
}

// ftAtoi returns the decimal number s, at most a billion.
func ftAtoi(s string) int {
	n := 0
	for i := 0; i < len(s) && n < 1e9; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return min(n, 1e9)
}

// term appends the words of the term text, each with operator op (as
// InnoDB splits 'a&b' into a and b). The first word stays even if too
// short or a stopword, and then matches no row (so '+the' matches
// nothing); a later too-short word and a too-long word are dropped. With
// prefix the last word kept is a prefix (word*), which finds the indexed
// words it begins, whatever its length.
func (p *ftParser) term(out []ftNode, op byte, text string, prefix bool) []ftNode {
	type word struct {
		key        string
		searchable bool
	}
	var ws []word
	ftWords(text, p.coll, &p.buf, func(k []byte, ok bool, chars int) {
		if chars > ftMaxToken || len(ws) > 0 && chars < ftMinToken {
			return
		}
		ws = append(ws, word{string(k), ok})
	})
	for i, w := range ws {
		n := ftNode{op: op, term: -1}
		if pre := prefix && i == len(ws)-1; pre || w.searchable {
			n.term = p.q.termIndex(ftTerm{key: w.key, prefix: pre})
		}
		out = append(out, n)
	}
	return out
}

// phrase appends the phrase text with operator op and, for a proximity
// search, distance dist. Its words start at the first word the index
// holds; a phrase without one matches no row.
func (p *ftParser) phrase(out []ftNode, op byte, text string, dist int) []ftNode {
	n := ftNode{op: op, term: -1, dist: dist}
	ftWords(text, p.coll, &p.buf, func(k []byte, ok bool, _ int) {
		if ok {
			n.words = append(n.words, p.q.termIndex(ftTerm{key: string(k)}))
		}
		if len(n.words) > 0 {
			n.phrase = append(n.phrase, string(k))
		}
	})
	if n.phrase == nil {
		n.words = nil
	}
	return append(out, n)
}

// ftStats are the word statistics of one search: the table's rows and,
// per term, how many rows hold it. As in InnoDB, whose statistics of a
// prefix term (word*) are those of the prefix, not of the words it
// finds, a prefix counts a row once for each word of it with the prefix.
type ftStats struct {
	rows  int64
	words map[string]int64 // term key -> rows holding it
	idf   map[string]float64
}

// ftDoc is one row's words: the counts of the indexed words q searches,
// and for phrases the keys of all its words in order.
type ftDoc struct {
	tf    map[string]int
	seq   []string
	cols  []int    // where each column's words start in seq
	order []string // distinct words in order of first occurrence
}

// reset empties d for the next row.
func (d *ftDoc) reset() {
	clear(d.tf)
	d.seq = d.seq[:0]
	d.cols = d.cols[:0]
	d.order = d.order[:0]
}

// add tokenizes the row's column values into d: the indexed words q
// searches (a prefix finds only those: stopwords and short words are not
// in the index) and, with a phrase in q, the word sequence.
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
		d.cols = append(d.cols, len(d.seq))
		ftWords(s, coll, buf, func(k []byte, ok bool, _ int) {
			if keepSeq {
				d.seq = append(d.seq, string(k))
			}
			if !ok || !q.wants(k) {
				return
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

// hasPhrase reports whether the phrase of n occurs in d: its words
// adjacent and in order within one column or, for a proximity search
// ("words"@dist), its indexed words all within dist words of the
// columns' text (counting the first and the last).
func (d *ftDoc) hasPhrase(q *ftQuery, n *ftNode) bool {
	for _, ti := range n.words {
		if d.tf[q.terms[ti].key] == 0 {
			return false
		}
	}
	if n.dist > 0 {
		return d.near(q, n.words, n.dist)
	}
	ph := n.phrase
	for c, start := range d.cols {
		end := len(d.seq)
		if c+1 < len(d.cols) {
			end = d.cols[c+1]
		}
	next:
		for i := start; i+len(ph) <= end; i++ {
			for j, k := range ph {
				if d.seq[i+j] != k {
					continue next
				}
			}
			return true
		}
	}
	return false
}

// near reports whether some run of at most dist words of d holds every
// one of the words (terms) ws.
func (d *ftDoc) near(q *ftQuery, ws []int, dist int) bool {
	want := map[string]int{} // word -> index among the distinct words
	for _, ti := range ws {
		if _, ok := want[q.terms[ti].key]; !ok {
			want[q.terms[ti].key] = len(want)
		}
	}
	count := make([]int, len(want))
	have, lo := 0, 0
	for hi, w := range d.seq {
		i, ok := want[w]
		if !ok {
			continue
		}
		if count[i]++; count[i] == 1 {
			have++
		}
		for ; have == len(want); lo++ {
			if hi-lo+1 <= dist {
				return true
			}
			if j, ok := want[d.seq[lo]]; ok {
				if count[j]--; count[j] == 0 {
					have--
				}
			}
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
	for _, t := range q.terms {
		d.termWords(t, func(string, int) { st.words[t.key]++ })
	}
}

// finish computes the IDF of every counted term (InnoDB's
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

// weight returns rank plus the sum of TF * IDF^2 over q's terms that d
// holds, in single precision, the terms in their key order (InnoDB's
// word map is sorted). A prefix term's TF is that of the first word (in
// key order) of d with the prefix, as InnoDB counts it.
func (st *ftStats) weight(q *ftQuery, d *ftDoc, rank float32) float32 {
	tf := map[string]int{}
	var keys []string
	for _, t := range q.terms {
		first := ""
		d.termWords(t, func(w string, _ int) {
			if first == "" || w < first {
				first = w
			}
		})
		if _, dup := tf[t.key]; first != "" && !dup {
			tf[t.key] = d.tf[first]
			keys = append(keys, t.key)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		idf := st.idf[k]
		rank += float32(float64(tf[k]) * idf * idf)
	}
	return rank
}

// matchGroup evaluates a boolean-mode group on d: whether it matches, and
// the rank adjustment of its >, < and ~ items.
func (q *ftQuery) matchGroup(ns []ftNode, d *ftDoc) (bool, float32) {
	required, any := false, false
	var adj float32
	for i, n := range ns {
		var m bool
		var sub float32
		switch {
		case n.group != nil:
			m, sub = q.matchGroup(n.group, d)
		case n.phrase != nil:
			m = d.hasPhrase(q, &ns[i])
		case n.term >= 0:
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
		adj += sub
		switch n.op {
		case '>':
			adj = min(adj+1, 1)
		case '<':
			adj = max(adj-1, -1)
		case '~':
			// Lowers the rank of a row the group matches otherwise.
			adj = max(adj-1, -1)
			continue
		}
		any = true
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
	if m.boolean || ms.q.seq {
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
	qp, err := sc.planInternal(text)
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

// whereMatch returns the MATCH among the top-level conjuncts of where,
// or nil.
func whereMatch(where sqlparser.Expr) *sqlparser.MatchExpr {
	switch e := where.(type) {
	case *sqlparser.MatchExpr:
		return e
	case *sqlparser.AndExpr:
		if m := whereMatch(e.Left); m != nil {
			return m
		}
		return whereMatch(e.Right)
	case *sqlparser.ParenExpr:
		return whereMatch(e.Expr)
	}
	return nil
}

// ftOrderBy returns the implicit ORDER BY of a query of table t alone
// (without DISTINCT, GROUP BY or aggregates) whose WHERE has a MATCH
// (InnoDB reads such rows from its full-text index, best first):
// relevance, highest first, then the primary key ascending; or nil.
func ftOrderBy(sel *sqlparser.Select, t *table) sqlparser.OrderBy {
	if len(sel.OrderBy) > 0 || len(sel.GroupBy) > 0 || sel.Where == nil || len(sel.From) != 1 ||
		sel.Distinct != "" || ContainsAggregate(sel.SelectExprs) {
		return nil
	}
	if _, ok := sel.From[0].(*sqlparser.AliasedTableExpr); !ok {
		return nil
	}
	m := whereMatch(sel.Where.Expr)
	if m == nil {
		return nil
	}
	ob := sqlparser.OrderBy{&sqlparser.Order{Expr: m, Direction: sqlparser.DescScr}}
	for _, o := range t.pk {
		ob = append(ob, &sqlparser.Order{Expr: &sqlparser.ColName{Name: sqlparser.NewColIdent(t.names[o])}, Direction: sqlparser.AscScr})
	}
	return ob
}
