package sqlfront

import (
	"strings"
)

// Window functions, which the pinned sqlparser does not know: before the
// statement goes to sqlparser, every call
//
//	f(args) OVER ([PARTITION BY p, ...] [ORDER BY o [ASC|DESC], ...])
//
// is rewritten to an ordinary call that carries the whole window,
//
//	__win('f', __args(args), __part(p, ...), __order(o, 0|1, ...))
//
// (1 marks DESC; COUNT(*) becomes 'count*' without arguments), in the
// same place, so placeholders keep their order. A window call that is a
// whole select item without an alias gets its original text as alias, the
// column name MySQL gives it. The planner computes the calls after
// grouping and HAVING, before DISTINCT, ORDER BY and LIMIT
// (plan_window.go). Frame clauses (ROWS/RANGE) and named windows are
// not supported: every window has the default frame.

// hasWindow reports whether toks hold a window call (OVER after a ')').
func hasWindow(toks []token) bool {
	for k := 1; k < len(toks); k++ {
		if toks[k].word() == "over" && toks[k-1].typ == ')' {
			return true
		}
	}
	return false
}

// firstWindowCall returns the offset of the first window call's function
// name in the statement.
func firstWindowCall(toks []token) int {
	depth := 0
	open := map[int]int{} // depth -> index of the '(' opened at it
	for k, t := range toks {
		switch {
		case t.typ == '(':
			open[depth] = k
			depth++
		case t.typ == ')':
			depth--
		case t.word() == "over" && k > 0 && toks[k-1].typ == ')':
			if o, ok := open[depth]; ok && o > 0 {
				return toks[o-1].pos
			}
			return t.pos
		}
	}
	return 0
}

// rewriteWindows returns clean with its window calls rewritten (see
// above).
func rewriteWindows(sql, clean string, toks []token) (string, error) {
	type edit struct {
		from, to int // byte range replaced
		text     string
	}
	var edits []edit
	match := func(open int) int { // the index of the ')' closing toks[open]
		depth := 0
		for k := open; k < len(toks); k++ {
			switch toks[k].typ {
			case '(':
				depth++
			case ')':
				if depth--; depth == 0 {
					return k
				}
			}
		}
		return -1
	}
	opens := map[int]int{} // index of ')' -> index of its '('
	var stack []int
	for k, t := range toks {
		switch t.typ {
		case '(':
			stack = append(stack, k)
		case ')':
			if len(stack) > 0 {
				opens[k] = stack[len(stack)-1]
				stack = stack[:len(stack)-1]
			}
		}
	}
	text := func(from, to int) string { // tokens [from, to)
		if from >= to {
			return ""
		}
		return clean[toks[from].pos:toks[to-1].end]
	}
	// splitTop splits tokens [from, to) at top-level commas.
	splitTop := func(from, to int) [][2]int {
		var out [][2]int
		depth, start := 0, from
		for k := from; k < to; k++ {
			switch toks[k].typ {
			case '(':
				depth++
			case ')':
				depth--
			case ',':
				if depth == 0 {
					out = append(out, [2]int{start, k})
					start = k + 1
				}
			}
		}
		if start < to {
			out = append(out, [2]int{start, to})
		}
		return out
	}
	for k := 1; k < len(toks); k++ {
		if toks[k].word() != "over" || toks[k-1].typ != ')' {
			continue
		}
		open, ok := opens[k-1]
		if !ok || open == 0 || toks[open-1].word() == "" && !toks[open-1].quoted {
			return "", newParseError(sql, toks[k].pos, "OVER must follow a function call")
		}
		name := strings.ToLower(toks[open-1].val)
		if toks[k+1].typ != '(' {
			return "", newParseError(sql, toks[k+1].pos, "named windows are not supported")
		}
		specEnd := match(k + 1)
		if specEnd < 0 {
			return "", newParseError(sql, toks[k+1].pos, "')' expected")
		}
		args := text(open+1, k-1)
		if toks[open+1].word() == "distinct" {
			return "", newParseError(sql, toks[open+1].pos, "DISTINCT is not supported in window functions")
		}
		if strings.TrimSpace(args) == "*" {
			name, args = "count*", ""
		}
		// The window specification.
		var part, order []string
		i := k + 2
		if toks[i].word() == "partition" && toks[i+1].word() == "by" {
			i += 2
			j := i
			for j < specEnd && !(toks[j].word() == "order" && toks[j+1].word() == "by") {
				j++
			}
			for _, r := range splitTop(i, j) {
				part = append(part, text(r[0], r[1]))
			}
			i = j
		}
		if toks[i].word() == "order" && toks[i+1].word() == "by" {
			i += 2
			j := i
			for j < specEnd && toks[j].word() != "rows" && toks[j].word() != "range" {
				j++
			}
			for _, r := range splitTop(i, j) {
				desc := "0"
				end := r[1]
				switch toks[end-1].word() {
				case "desc":
					desc, end = "1", end-1
				case "asc":
					end--
				}
				if end <= r[0] {
					return "", newParseError(sql, toks[r[0]].pos, "an ORDER BY expression expected")
				}
				order = append(order, text(r[0], end), desc)
			}
			i = j
		}
		if i != specEnd {
			return "", newParseError(sql, toks[i].pos, "window frames (ROWS, RANGE) are not supported")
		}
		var b strings.Builder
		b.WriteString("__win('")
		b.WriteString(name)
		b.WriteString("', __args(")
		b.WriteString(args)
		b.WriteString("), __part(")
		b.WriteString(strings.Join(part, ", "))
		b.WriteString("), __order(")
		b.WriteString(strings.Join(order, ", "))
		b.WriteString("))")
		// A whole select item without an alias keeps its text as its name.
		whole := false
		if open >= 2 {
			prev, next := toks[open-2], toks[specEnd+1]
			whole = (prev.word() == "select" || prev.word() == "distinct" || prev.word() == "all" || prev.typ == ',') &&
				(next.typ == ',' || next.word() == "from" || next.typ == 0 || next.typ == ';')
		}
		if whole {
			b.WriteString(" AS `")
			b.WriteString(strings.ReplaceAll(text(open-1, specEnd+1), "`", "``"))
			b.WriteString("`")
		}
		edits = append(edits, edit{from: toks[open-1].pos, to: toks[specEnd].end, text: b.String()})
		k = specEnd
	}
	var out strings.Builder
	cur := 0
	for _, e := range edits {
		out.WriteString(clean[cur:e.from])
		out.WriteString(e.text)
		cur = e.to
	}
	out.WriteString(clean[cur:])
	return out.String(), nil
}
