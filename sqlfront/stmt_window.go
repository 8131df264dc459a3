package sqlfront

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Window functions, which the pinned sqlparser does not know: before the
// statement goes to sqlparser, every call
//
//	f(args) OVER ([PARTITION BY p, ...] [ORDER BY o [ASC|DESC], ...])
//
// is rewritten to an ordinary call that carries the whole window,
//
//	__win('f', __args(args), __part(p, ...), __order(o, 0|1, ...) [, __frame(...)])
//
// (1 marks DESC; COUNT(*) becomes 'count*' without arguments; a frame
// clause becomes __frame(unit, start kind, start n, end kind, end n), see
// frameKind), in the
// same place, so placeholders keep their order. A window call that is a
// whole select item without an alias gets its original text as alias, the
// column name MySQL gives it. The planner computes the calls after
// grouping and HAVING, before DISTINCT, ORDER BY and LIMIT
// (plan_window.go). Frames: ROWS and RANGE with any bounds; a RANGE offset
// `INTERVAL n unit` becomes __ival(n, 'unit').

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
	named, err := expandNamedWindows(sql, clean, toks)
	if err != nil || named == clean {
		if err != nil {
			return "", err
		}
		return rewriteWindowCalls(sql, clean, toks)
	}
	// An error in the expanded text is reported at the first window call
	// of the statement as written.
	ntoks, nclean, err := lexAll(named)
	var out string
	if err == nil {
		out, err = rewriteWindowCalls(named, nclean, ntoks)
	}
	var pe *ParseError
	if errors.As(err, &pe) {
		return "", newParseError(sql, firstWindowCall(toks), pe.Msg)
	}
	return out, err
}

// rewriteWindowCalls is rewriteWindows once named windows are expanded.
func rewriteWindowCalls(sql, clean string, toks []token) (string, error) {
	var edits []textEdit
	opens := openingParens(toks)
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
		specEnd := closingParen(toks, k+1)
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
			for j < specEnd && !(toks[j].word() == "order" && toks[j+1].word() == "by") && toks[j].word() != "rows" && toks[j].word() != "range" {
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
		frame := ""
		if i < specEnd {
			f, err := parseFrame(sql, clean, toks, i, specEnd)
			if err != nil {
				return "", err
			}
			frame = ", " + f
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
		b.WriteString(")")
		b.WriteString(frame)
		b.WriteString(")")
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
		edits = append(edits, textEdit{from: toks[open-1].pos, to: toks[specEnd].end, text: b.String()})
		k = specEnd
	}
	// Overlapping edits: OVER after a window's own OVER (...), f() OVER
	// (...) OVER (...).
	return applyEdits(sql, clean, edits, "a window function expected before OVER")
}

// Frame bounds, as __frame encodes them.
const (
	frameUnboundedPreceding = iota
	framePreceding
	frameCurrentRow
	frameFollowing
	frameUnboundedFollowing
)

// parseFrame parses the frame clause in tokens [from, to) into its
// __frame(unit, start kind, start n, end kind, end n) call (unit 0 is ROWS,
// 1 RANGE).
func parseFrame(sql, clean string, toks []token, from, to int) (string, error) {
	w := func(k int) string { return toks[min(k, to)].word() }
	unit := "0"
	switch w(from) {
	case "rows":
	case "range":
		unit = "1"
	default:
		return "", newParseError(sql, toks[from].pos, "ROWS or RANGE expected")
	}
	k := from + 1
	bound := func() (int, string, error) {
		switch {
		case w(k) == "unbounded" && w(k+1) == "preceding":
			k += 2
			return frameUnboundedPreceding, "0", nil
		case w(k) == "unbounded" && w(k+1) == "following":
			k += 2
			return frameUnboundedFollowing, "0", nil
		case w(k) == "current" && w(k+1) == "row":
			k += 2
			return frameCurrentRow, "0", nil
		}
		start, depth := k, 0
		for ; k < to; k++ {
			switch t := toks[k]; {
			case t.typ == '(':
				depth++
			case t.typ == ')':
				depth--
			case depth == 0 && (t.word() == "preceding" || t.word() == "following"):
				if k == start {
					return 0, "", newParseError(sql, t.pos, "a frame offset expected")
				}
				kind := framePreceding
				if t.word() == "following" {
					kind = frameFollowing
				}
				n := clean[toks[start].pos:toks[k-1].end]
				if toks[start].word() == "interval" {
					// INTERVAL expr unit: __ival(expr, 'unit'), which
					// only a RANGE frame takes (compileWindow).
					if k-start < 3 {
						return 0, "", newParseError(sql, toks[start].pos, "INTERVAL expr unit expected")
					}
					n = fmt.Sprintf("__ival(%s, '%s')", clean[toks[start+1].pos:toks[k-2].end], toks[k-1].word())
				}
				k++
				return kind, n, nil
			}
		}
		return 0, "", newParseError(sql, toks[min(start, to)].pos, "a frame bound expected")
	}
	var sk, ek int
	var sn, en string
	var err error
	if w(k) == "between" {
		k++
		if sk, sn, err = bound(); err != nil {
			return "", err
		}
		if w(k) != "and" {
			return "", newParseError(sql, toks[min(k, to)].pos, "AND expected")
		}
		k++
		if ek, en, err = bound(); err != nil {
			return "", err
		}
	} else {
		if sk, sn, err = bound(); err != nil {
			return "", err
		}
		ek, en = frameCurrentRow, "0"
	}
	if k != to {
		return "", newParseError(sql, toks[k].pos, "')' expected after the frame")
	}
	if sk == frameUnboundedFollowing || ek == frameUnboundedPreceding || sk > ek {
		return "", newParseError(sql, toks[from].pos, "this window frame is not valid")
	}
	return fmt.Sprintf("__frame(%s, %d, %s, %d, %s)", unit, sk, sn, ek, en), nil
}

// expandNamedWindows returns clean with its named windows expanded: each
// WINDOW clause `WINDOW w AS (spec), ...` is removed and every `OVER w` of
// its query block becomes `OVER (spec)`, every `OVER (w more)` becomes
// `OVER (spec more)`. A window defined from another, `w2 AS (w1 ORDER BY
// x)`, takes w1's specification the same way. MySQL's rules hold: the
// window referring to another adds no PARTITION BY, does not repeat an
// ORDER BY, and the window referred to has no frame. clean comes back
// unchanged when it has no WINDOW clause.
func expandNamedWindows(sql, clean string, toks []token) (string, error) {
	// block[k] is the index of the '(' opening the subquery that holds
	// token k (-1: the statement's top level; below -1: an operand of a
	// set operation after the first); a WINDOW clause and the OVER clauses
	// naming its windows belong to the same block.
	block := make([]int, len(toks))
	type open struct{ at, blk int }
	stack := []open{}
	cur := -1
	for k, t := range toks {
		block[k] = cur
		switch t.typ {
		case '(':
			nb := cur
			if w := toks[k+1].word(); w == "select" || w == "with" {
				nb = k
			}
			stack = append(stack, open{k, cur})
			cur = nb
		case ')':
			if n := len(stack); n > 0 {
				cur = stack[n-1].blk
				stack = stack[:n-1]
			}
		default:
			// Each operand of a set operation is a query block of its own.
			if w := t.word(); w == "union" || w == "except" || w == "intersect" {
				cur = -2 - k
			}
		}
	}
	isName := func(t token) bool { return t.typ == sqlparser.ID || t.quoted }
	name := func(t token) string { return strings.ToLower(t.val) }
	type def struct {
		spec string // the resolved specification, without parentheses
		base string // the window it names, if any
		own  string // its own part after the base name
	}
	defs := map[int]map[string]*def{} // block -> name -> definition
	type cut struct{ from, to int }   // byte ranges removed
	var cuts []cut
	for k := 0; k+3 < len(toks); k++ {
		if toks[k].word() != "window" || !isName(toks[k+1]) || toks[k+2].word() != "as" || toks[k+3].typ != '(' {
			continue
		}
		blk := block[k]
		if defs[blk] == nil {
			defs[blk] = map[string]*def{}
		}
		start := k
		for {
			if !isName(toks[k+1]) || toks[k+2].word() != "as" || toks[k+3].typ != '(' {
				return "", newParseError(sql, toks[k+1].pos, "a window definition `name AS (...)` expected")
			}
			n := name(toks[k+1])
			if _, dup := defs[blk][n]; dup {
				return "", NewSQLError(3591, "Window '%s' is defined twice.", toks[k+1].val)
			}
			end := closingParen(toks, k+3)
			if end < 0 {
				return "", newParseError(sql, toks[k+3].pos, "')' expected")
			}
			d := &def{}
			if in := k + 4; in < end && isName(toks[in]) && !isSpecWord(toks[in]) {
				d.base = name(toks[in])
				if in+1 < end {
					d.own = clean[toks[in+1].pos:toks[end-1].end]
				}
			} else if in < end {
				d.own = clean[toks[in].pos:toks[end-1].end]
			}
			defs[blk][n] = d
			k = end
			if toks[k+1].typ != ',' {
				break
			}
			k++
		}
		cuts = append(cuts, cut{toks[start].pos, toks[k].end})
	}
	// resolve returns the specification of window n of block blk.
	var resolve func(blk int, n string, depth int) (string, error)
	combine := func(blk int, base, own string, depth int) (string, error) {
		if base == "" {
			return own, nil
		}
		bs, err := resolve(blk, base, depth+1)
		if err != nil {
			return "", err
		}
		btoks, _, _ := lexAll(bs)
		otoks, _, _ := lexAll(own)
		switch {
		case specHas(otoks, "partition"):
			return "", NewSQLError(3581, "A window which depends on another cannot define partitioning.")
		case specHas(btoks, "order") && specHas(otoks, "order"):
			return "", NewSQLError(3583, "Window '%s' cannot inherit '%s' since both contain an ORDER BY clause.", "<unnamed window>", base)
		case specHas(btoks, "rows") || specHas(btoks, "range"):
			return "", NewSQLError(3582, "Window '%s' has a frame definition, so cannot be referenced by another window.", base)
		}
		return strings.TrimSpace(bs + " " + own), nil
	}
	resolve = func(blk int, n string, depth int) (string, error) {
		d, ok := defs[blk][n]
		if !ok || depth > len(defs[blk]) {
			if ok {
				return "", NewSQLError(3580, "There is a circularity in the window dependency graph.")
			}
			return "", NewSQLError(3579, "Window name '%s' is not defined.", n)
		}
		return combine(blk, d.base, d.own, depth)
	}
	var edits []textEdit // none: clean comes back as it is
	for _, c := range cuts {
		edits = append(edits, textEdit{c.from, c.to, ""})
	}
	opens := openingParens(toks)
	// alias names a whole select item f(...) OVER w, from token first to
	// token last, as MySQL does: by its text as written.
	alias := func(first, last int) string {
		if first < 1 {
			return ""
		}
		prev, next := toks[first-1], toks[last+1]
		if (prev.word() == "select" || prev.word() == "distinct" || prev.word() == "all" || prev.typ == ',') &&
			(next.typ == ',' || next.word() == "from" || next.word() == "window" || next.typ == 0 || next.typ == ';') {
			return " AS `" + strings.ReplaceAll(clean[toks[first].pos:toks[last].end], "`", "``") + "`"
		}
		return ""
	}
	for k := 1; k+1 < len(toks); k++ {
		if toks[k].word() != "over" || toks[k-1].typ != ')' {
			continue
		}
		blk := block[k]
		first := opens[k-1] - 1
		switch t := toks[k+1]; {
		case isName(t):
			spec, err := resolve(blk, name(t), 0)
			if err != nil {
				return "", err
			}
			edits = append(edits, textEdit{t.pos, t.end, "(" + spec + ")" + alias(first, k+1)})
		case t.typ == '(' && isName(toks[k+2]) && !isSpecWord(toks[k+2]):
			end := closingParen(toks, k+1)
			if end < 0 {
				return "", newParseError(sql, t.pos, "')' expected")
			}
			own := ""
			if k+3 < end {
				own = clean[toks[k+3].pos:toks[end-1].end]
			}
			spec, err := combine(blk, name(toks[k+2]), own, 0)
			if err != nil {
				return "", err
			}
			edits = append(edits, textEdit{t.pos, toks[end].end, "(" + spec + ")" + alias(first, end)})
		}
	}
	slices.SortFunc(edits, func(a, b textEdit) int { return a.from - b.from })
	// Overlapping edits: a WINDOW clause inside an OVER (...), OVER (w
	// WINDOW w AS ()).
	return applyEdits(sql, clean, edits, "a WINDOW clause belongs after the query's FROM, WHERE, GROUP BY and HAVING")
}

// textEdit replaces bytes [from, to) of a statement's text by text.
type textEdit struct {
	from, to int
	text     string
}

// applyEdits returns clean with edits (in order, not overlapping) made;
// overlapping edits are a syntax error with message overlap.
func applyEdits(sql, clean string, edits []textEdit, overlap string) (string, error) {
	var out strings.Builder
	at := 0
	for _, e := range edits {
		if e.from < at {
			return "", newParseError(sql, e.from, overlap)
		}
		out.WriteString(clean[at:e.from])
		out.WriteString(e.text)
		at = e.to
	}
	out.WriteString(clean[at:])
	return out.String(), nil
}

// isSpecWord reports whether t starts a clause of a window specification
// rather than naming a window.
func isSpecWord(t token) bool {
	switch t.word() {
	case "partition", "order", "rows", "range", "groups":
		return true
	}
	return false
}

// specHas reports whether the tokens of a window specification have word
// w outside parentheses.
func specHas(toks []token, w string) bool {
	depth := 0
	for _, t := range toks {
		switch {
		case t.typ == '(':
			depth++
		case t.typ == ')':
			depth--
		case depth == 0 && t.word() == w:
			return true
		}
	}
	return false
}

// openingParens maps the index of every matched ')' in toks to the index
// of its '('.
func openingParens(toks []token) map[int]int {
	opens := map[int]int{}
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
	return opens
}
