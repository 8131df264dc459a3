package sqlfront

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// TestFullTextModel compares MATCH ... AGAINST on random documents with a
// brute-force model written from the rules in fulltext.go's comment:
// which rows match (natural language: any searched word; boolean: +, -,
// optional words, prefixes, phrases) and their relevance (TF * IDF^2
// summed in single precision over the searched words in key order), also
// inside a transaction whose own writes the search must see.
func TestFullTextModel(t *testing.T) {
	seed := int64(7)
	rng := rand.New(rand.NewSource(seed))
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE d (id INT PRIMARY KEY, a VARCHAR(200), b TEXT, FULLTEXT KEY ab (a, b))")
	vocab := []string{"alpha", "beta", "gamma", "delta", "omega", "alps", "alphabet", "the", "to", "Beta", "GAMMA", "x1", "zeta_9", "cat", "sun", "ox"}
	docs := map[int][2]*string{}
	text := func() *string {
		if rng.Intn(8) == 0 {
			return nil
		}
		var ws []string
		for n := rng.Intn(6); n > 0; n-- {
			ws = append(ws, vocab[rng.Intn(len(vocab))])
		}
		seps := []string{" ", ", ", ". ", "-", " (", "'"}
		out := ""
		for i, w := range ws {
			if i > 0 {
				out += seps[rng.Intn(len(seps))]
			}
			out += w
		}
		return &out
	}
	lit := func(p *string) string {
		if p == nil {
			return "NULL"
		}
		return "'" + strings.ReplaceAll(*p, "'", "''") + "'"
	}
	put := func(id int) {
		a, b := text(), text()
		docs[id] = [2]*string{a, b}
		execSQL(t, s, fmt.Sprintf("REPLACE INTO d VALUES (%d, %s, %s)", id, lit(a), lit(b)))
	}
	for id := 1; id <= 40; id++ {
		put(id)
	}
	queries := []struct {
		against string
		boolean bool
	}{
		{"alpha", false}, {"beta gamma", false}, {"cat sun ox", false}, {"+cat -sun", true}, {"the to", false}, {"ALPHA omega zeta_9", false}, {"x1", false},
		{"+alpha -beta", true}, {"alp*", true}, {"+gamma +delta", true}, {"\"alpha beta\"", true},
		{"beta (omega delta)", true}, {"-alpha", true}, {"+alphabet alps", true}, {"+(alpha beta) -gamma", true},
	}
	for round := 0; round < 3; round++ {
		for _, q := range queries {
			mode := ""
			if q.boolean {
				mode = " IN BOOLEAN MODE"
			}
			sql := fmt.Sprintf("SELECT id, MATCH (a, b) AGAINST ('%s'%s) FROM d WHERE MATCH (a, b) AGAINST ('%s'%s) ORDER BY id",
				strings.ReplaceAll(q.against, "'", "''"), mode, strings.ReplaceAll(q.against, "'", "''"), mode)
			got := querySQL(t, s, sql)
			want := ftModel(docs, q.against, q.boolean)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("seed %d round %d: %s\ngot  %v\nwant %v", seed, round, sql, got, want)
			}
		}
		// Change some rows, the second round inside a transaction.
		if round == 1 {
			execSQL(t, s, "BEGIN")
		}
		for i := 0; i < 10; i++ {
			id := 1 + rng.Intn(45)
			if rng.Intn(4) == 0 {
				delete(docs, id)
				execSQL(t, s, fmt.Sprintf("DELETE FROM d WHERE id = %d", id))
				continue
			}
			put(id)
		}
	}
	execSQL(t, s, "COMMIT")

	// A word every row holds still matches, with InnoDB's tiny IDF.
	execSQL(t, s, "CREATE TABLE c (id INT PRIMARY KEY, t TEXT, FULLTEXT (t))")
	execSQL(t, s, "INSERT INTO c VALUES (1, 'common word'), (2, 'common common'), (3, 'Common rare')")
	checkQueries(t, s, []queryCase{
		{"SELECT id, MATCH (t) AGAINST ('common') FROM c WHERE MATCH (t) AGAINST ('common')",
			"[[2 0.000000003771856604828372] [1 0.000000001885928302414186] [3 0.000000001885928302414186]]"},
		{"SELECT id, ROUND(MATCH (t) AGAINST ('rare common'), 6) FROM c WHERE MATCH (t) AGAINST ('rare common')",
			"[[3 0.227645] [2 0] [1 0]]"},
	})
}

// ftModel returns the rows (id, relevance) of the documents matching
// against, by brute force.
func ftModel(docs map[int][2]*string, against string, boolean bool) [][]string {
	words := func(s string) []string {
		return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !ftWordRune(r) })
	}
	searchable := func(w string) bool {
		n := len([]rune(w))
		return n >= 3 && n <= 84 && !ftStopwords[w]
	}
	docWords := map[int][]string{}
	colWords := map[int][][]string{}
	for id, d := range docs {
		for _, p := range d {
			if p != nil {
				docWords[id] = append(docWords[id], words(*p)...)
				colWords[id] = append(colWords[id], words(*p))
			}
		}
	}
	// The query: terms with operators; a group is a nested slice.
	type term struct {
		op     byte
		word   string
		prefix bool
		phrase []string
		group  []term
	}
	var parse func(s string, i *int) []term
	parse = func(s string, i *int) []term {
		var out []term
		var op byte
		for *i < len(s) {
			c := s[*i]
			switch {
			case c == ' ':
				*i++
				op = 0
			case strings.IndexByte("+-~<>", c) >= 0:
				op = c
				*i++
			case c == '(':
				*i++
				out = append(out, term{op: op, group: parse(s, i)})
				op = 0
			case c == ')':
				*i++
				return out
			case c == '"':
				end := strings.IndexByte(s[*i+1:], '"')
				out = append(out, term{op: op, phrase: words(s[*i+1 : *i+1+end])})
				*i += end + 2
				op = 0
			default:
				j := *i
				for j < len(s) && strings.IndexByte(" ()\"", s[j]) < 0 {
					j++
				}
				w := s[*i:j]
				*i = j
				t := term{op: op, prefix: strings.HasSuffix(w, "*")}
				t.word = strings.ToLower(strings.TrimSuffix(w, "*"))
				if t.prefix || searchable(t.word) {
					out = append(out, t)
				}
				op = 0
			}
		}
		return out
	}
	var root []term
	if boolean {
		i := 0
		root = parse(against, &i)
	} else {
		for _, w := range words(against) {
			if searchable(w) {
				root = append(root, term{word: w})
			}
		}
	}
	// The searched words: every word (and phrase word) of the query; a
	// prefix stands for the documents' indexed words with it.
	matchesTerm := func(t term, w string) bool {
		if t.prefix {
			return strings.HasPrefix(w, t.word) && searchable(w)
		}
		return w == t.word
	}
	var all []term
	var collect func([]term)
	collect = func(ts []term) {
		for _, t := range ts {
			switch {
			case t.group != nil:
				collect(t.group)
			case t.phrase != nil:
				for _, w := range t.phrase {
					all = append(all, term{word: w})
				}
			default:
				all = append(all, t)
			}
		}
	}
	collect(root)
	// A term's statistics: the rows holding it, a prefix counting a row
	// once per word with it; its TF in a row, a prefix's that of its
	// first word (in key order) in the row.
	termTF := func(id int, t term) (tf, words int) {
		count := map[string]int{}
		for _, w := range docWords[id] {
			if matchesTerm(t, w) {
				count[w]++
			}
		}
		first := ""
		for w := range count {
			if first == "" || w < first {
				first = w
			}
		}
		return count[first], len(count)
	}
	rowsWith := map[string]int{}
	for id := range docWords {
		seen := map[string]bool{}
		for _, t := range all {
			if _, n := termTF(id, t); n > 0 && !seen[t.word] {
				seen[t.word] = true
				rowsWith[t.word] += n
			}
		}
	}
	has := func(id int, t term) bool {
		ws := docWords[id]
		if t.phrase != nil {
			// A phrase is looked for in each column.
			for _, ws := range colWords[id] {
				for i := 0; i+len(t.phrase) <= len(ws); i++ {
					if slices.Equal(ws[i:i+len(t.phrase)], t.phrase) {
						return true
					}
				}
			}
			return false
		}
		for _, w := range ws {
			if matchesTerm(t, w) {
				return true
			}
		}
		return false
	}
	var match func(id int, ts []term) bool
	match = func(id int, ts []term) bool {
		required, any := false, false
		for _, t := range ts {
			m := has(id, t)
			if t.group != nil {
				m = match(id, t.group)
			}
			switch {
			case t.op == '-' && m:
				return false
			case t.op == '-':
			case t.op == '+' && !m:
				return false
			case t.op == '+':
				required = true
			case m:
				any = true
			}
		}
		return required || any
	}
	var ids []int
	for id := range docs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out [][]string
	for _, id := range ids {
		if len(root) == 0 || !match(id, root) {
			continue
		}
		tf := map[string]int{}
		for _, t := range all {
			if n, _ := termTF(id, t); n > 0 {
				tf[t.word] = n
			}
		}
		var keys []string
		for w := range tf {
			keys = append(keys, w)
		}
		slices.Sort(keys)
		var rank float32
		for _, w := range keys {
			idf := math.Log10(float64(len(docs)) / float64(rowsWith[w]))
			if rowsWith[w] == len(docs) {
				idf = math.Log10(1.0001)
			}
			rank += float32(float64(tf[w]) * idf * idf)
		}
		if rank == 0 {
			if !boolean {
				continue
			}
			rank = math.SmallestNonzeroFloat32
		}
		out = append(out, []string{fmt.Sprint(id), Format(FloatValue(float64(rank)))})
	}
	return out
}

// TestFullTextHostileQueries: deep nesting, long and odd AGAINST strings
// give answers (or errors), never a crash or a hang. A boolean-mode string
// that does not parse (unbalanced parentheses) matches nothing, as in
// InnoDB; a double quote without its closing one is skipped.
func TestFullTextHostileQueries(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE h (id INT PRIMARY KEY, t TEXT, FULLTEXT (t))")
	execSQL(t, s, "INSERT INTO h VALUES (1, 'deep apple'), (2, 'pear')")
	many := strings.Repeat("word ", 20000) + "apple"
	cases := []queryCase{
		{"SELECT id FROM h WHERE MATCH (t) AGAINST ('" + strings.Repeat("(", 100000) + "apple' IN BOOLEAN MODE)", "[]"},
		{"SELECT id FROM h WHERE MATCH (t) AGAINST ('" + strings.Repeat("(", 100000) + "apple" + strings.Repeat(")", 100000) + "' IN BOOLEAN MODE)", "[]"},
		{"SELECT id FROM h WHERE MATCH (t) AGAINST ('" + strings.Repeat("(", 60) + "apple" + strings.Repeat(")", 60) + "' IN BOOLEAN MODE)", "[[1]]"},
		{"SELECT id FROM h WHERE MATCH (t) AGAINST ('" + strings.Repeat(")", 1000) + "+pear' IN BOOLEAN MODE)", "[]"},
		{"SELECT id FROM h WHERE MATCH (t) AGAINST ('" + many + "')", "[[1]]"},
		{"SELECT id FROM h WHERE MATCH (t) AGAINST ('\"" + many + "' IN BOOLEAN MODE)", "[[1]]"},
		{"SELECT id FROM h WHERE MATCH (t) AGAINST ('" + strings.Repeat("+", 100000) + "pear' IN BOOLEAN MODE)", "[]"},
		{"SELECT id FROM h WHERE MATCH (t) AGAINST (CONCAT(UNHEX('FFFE'), ' apple') IN BOOLEAN MODE)", "[[1]]"},
	}
	checkQueries(t, s, cases)
}
