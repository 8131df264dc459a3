package sqlfront

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xwb1989/sqlparser"
)

// The statement front door.
//
// Parse turns one SQL statement into a Statement. The dialect is MySQL's:
// backtick-quoted identifiers, '…' and "…" strings, `?` placeholders,
// -- # and /* */ comments, keywords in any case. Two parsers sit behind it:
//
//	SELECT, (SELECT …), INSERT, REPLACE, UPDATE, DELETE, TABLE, VALUES
//	        → sqlparser.Parse, wrapped as *DMLStmt (TABLE and VALUES
//	          rewritten into SELECTs first, stmt_tablevalues.go)
//	CREATE, ALTER, DROP, TRUNCATE, BEGIN, START, COMMIT, ROLLBACK,
//	SAVEPOINT, RELEASE, SET, SHOW, DESCRIBE, DESC, EXPLAIN, USE, SYNC,
//	DO, LOCK, UNLOCK, PREPARE, EXECUTE, DEALLOCATE
//	        → our recursive-descent parser (ddl_parse.go, stmt_parse.go),
//	          which reads sqlparser's tokens, never the raw text
//
// sqlparser reduces every CREATE INDEX and ALTER TABLE to a bare "alter
// table t", rejects BOOLEAN columns and has no SAVEPOINT, hence the second
// parser. Where our statements embed an expression (DEFAULT (…), CHECK (…),
// SET x = …, SHOW … WHERE …) the expression's tokens are handed back to
// sqlparser as "SELECT <expr>", so every expression in every AST is a
// sqlparser.Expr the engine evaluates one way.
//
// MySQL version comments (/*!40101 SET NAMES utf8 */) are executed, as
// MySQL 8 does: their contents are parsed as part of the statement.
// Identifiers keep the case they were written in (backticks stripped);
// keywords match in any case. Parse, SplitStatements and NumPlaceholders
// are safe for concurrent use; the returned AST belongs to the caller.
// Parse never panics, whatever the input.

// Errors returned by Parse and SplitStatements.
var (
	// ErrSyntax is returned (wrapped in a *ParseError) when a statement is
	// not valid SQL or uses syntax bxdb does not support.
	ErrSyntax = errors.New("sqlfront: syntax error")
	// ErrEmptyStatement is returned when the input holds no statement, only
	// blanks, comments or a semicolon (MySQL error 1065, "Query was empty").
	ErrEmptyStatement = errors.New("sqlfront: query was empty")
)

// ParseError is a syntax error at a position in a statement. It wraps
// ErrSyntax; the engine reports it as MySQL error 1064.
type ParseError struct {
	Pos  int    // byte offset of the offending token in the statement text
	Near string // the statement text from the offending token on, at most nearLimit bytes; "" at the end of input
	Msg  string // what went wrong, e.g. "expected '('"
}

// nearLimit caps ParseError.Near, as MySQL caps its "near" text.
const nearLimit = 80

// Error formats the error like MySQL's ER_PARSE_ERROR.
func (e *ParseError) Error() string {
	return fmt.Sprintf("You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near '%s' at position %d: %s", e.Near, e.Pos, e.Msg)
}

// Unwrap returns ErrSyntax.
func (e *ParseError) Unwrap() error { return ErrSyntax }

// newParseError returns a ParseError at byte offset pos of src.
func newParseError(src string, pos int, msg string) *ParseError {
	pos = min(max(pos, 0), len(src))
	near := src[pos:]
	if len(near) > nearLimit {
		near = near[:nearLimit]
		for len(near) > 0 && !utf8.ValidString(near) {
			near = near[:len(near)-1]
		}
	}
	return &ParseError{Pos: pos, Near: near, Msg: msg}
}

// Statement is a parsed SQL statement: *DMLStmt, *ExplainStmt, one of the
// DDL statements in ddl_ast.go or one of the session statements in
// stmt_ast.go.
type Statement interface {
	statementNode()
}

// Parse parses one SQL statement. A trailing semicolon is allowed; a second
// statement is a syntax error (split scripts with SplitStatements first).
// Errors are a *ParseError (wrapping ErrSyntax) or ErrEmptyStatement.
func Parse(sql string) (Statement, error) {
	toks, clean, err := lexAll(sql)
	if err != nil {
		return nil, err
	}
	for _, t := range toks {
		// The tokenizer reads `:name` as a bind variable. MySQL has none,
		// and the engine numbers the `?` markers :v1, :v2, … (rewrites
		// re-lex text with those), so a written ":v1" would pass for the
		// first `?`.
		if t.typ == sqlparser.VALUE_ARG && !t.isPlaceholder(sql) {
			return nil, newParseError(sql, t.pos, "named parameter markers are not supported: use ?")
		}
	}
	first := toks[0]
	if first.typ == 0 || first.typ == ';' && toks[1].typ == 0 {
		return nil, ErrEmptyStatement
	}
	if startsDML(first) {
		return parseDML(sql, clean, toks)
	}
	p := &parser{src: sql, clean: clean, toks: toks}
	return p.statement()
}

// startsDML reports whether a statement starting with t goes to sqlparser.
func startsDML(t token) bool {
	if t.typ == '(' {
		return true
	}
	switch t.word() {
	case "select", "insert", "replace", "update", "delete", "with", "table", "values":
		return true
	}
	return false
}

// insertWith finds, in an INSERT or REPLACE statement, a WITH clause in
// front of its SELECT (INSERT INTO t (a) WITH c AS (...) SELECT ... FROM
// c): the indexes of the WITH and of the SELECT after its common table
// expressions, or 0, 0.
func insertWith(toks []token) (with, sel int) {
	if w := toks[0].word(); w != "insert" && w != "replace" {
		return 0, 0
	}
	depth := 0
	for i, t := range toks {
		switch {
		case t.typ == '(':
			depth++
		case t.typ == ')':
			depth--
		case depth == 0 && t.word() == "select":
			return 0, 0 // the SELECT comes first: no WITH in front of it
		case depth == 0 && t.word() == "with" && i > 1:
			for k := i + 1; k < len(toks); k++ {
				switch {
				case toks[k].typ == '(':
					depth++
				case toks[k].typ == ')':
					depth--
				case depth == 0 && toks[k].word() == "select":
					return i, k
				}
			}
			return 0, 0
		}
	}
	return 0, 0
}

// wholeParenSelect returns the indexes of the parentheses around a whole
// statement that is a parenthesized query with nothing after it,
// `(SELECT ...)` or `(WITH ...)` (nested ones come off one pair at a
// time), or -1, -1.
func wholeParenSelect(toks []token) (open, close int) {
	if len(toks) < 3 || toks[0].typ != '(' {
		return -1, -1
	}
	if w := toks[1].word(); w != "select" && w != "with" && toks[1].typ != '(' {
		return -1, -1
	}
	depth := 0
	for k, t := range toks {
		switch t.typ {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				rest := toks[k+1:]
				for len(rest) > 0 && (rest[0].typ == ';' || rest[0].typ == 0) {
					rest = rest[1:]
				}
				if len(rest) > 0 {
					return -1, -1 // (SELECT ...) UNION ..., ORDER BY, ...
				}
				return 0, k
			}
		}
	}
	return -1, -1
}

// parseDML hands sql (as clean, see lexAll) to sqlparser.Parse and wraps
// the result.
func parseDML(sql, clean string, toks []token) (Statement, error) {
	if hasTableValues(toks) {
		if st, ok, err := parseTableValues(sql, clean, toks); ok {
			return st, err
		}
	}
	if k := jsonTableAt(toks); k >= 0 {
		return parseJSONTableStmt(sql, clean, toks, k)
	}
	if open, close := wholeParenSelect(toks); open >= 0 {
		// (SELECT ...) alone is the SELECT, which the pinned parser only
		// takes in parentheses as a UNION operand: blank the parentheses
		// (in place, so positions stay those of sql) and parse again.
		b := []byte(clean)
		b[toks[open].pos], b[toks[close].pos] = ' ', ' '
		toks2, clean2, err := lexAll(string(b))
		if err == nil {
			var st Statement
			if st, err = parseDML(sql, clean2, toks2); err == nil {
				return st, nil
			}
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			return nil, newParseError(sql, pe.Pos, pe.Msg) // near sql's text
		}
		return nil, err
	}
	if k := insertValueKeyword(toks); k >= 0 {
		// VALUE becomes VALUES in place (rewriteForms), which takes a
		// blank after it: VALUE(1) gets one.
		if t := toks[k]; !(t.end < len(clean) && isBlank(clean[t.end])) {
			text := sql[:t.end] + " " + sql[t.end:]
			toks2, clean2, err := lexAll(text)
			if err == nil {
				var st Statement
				if st, err = parseDML(text, clean2, toks2); err == nil {
					return st, nil
				}
			}
			// An error names a place in text: map it back to sql.
			var pe *ParseError
			if errors.As(err, &pe) {
				pos := pe.Pos
				if pos > t.end {
					pos--
				}
				return nil, newParseError(sql, pos, pe.Msg)
			}
			return nil, err
		}
	}
	if clean2, toks2, into, ok := cutSelectInto(clean, toks); ok {
		st, err := parseDML(sql, clean2, toks2)
		if d, isDML := st.(*DMLStmt); isDML {
			if _, isSel := d.AST.(*sqlparser.Select); !isSel {
				return nil, newParseError(sql, toks[0].pos, "INTO @var is only supported in SELECT")
			}
			d.Into = into
		}
		return st, err
	}
	if hasWindow(toks) {
		text, err := rewriteWindows(sql, clean, toks)
		if err != nil {
			return nil, err
		}
		wtoks, wclean, err := lexAll(text)
		if err == nil {
			var st Statement
			if st, err = parseDML(text, wclean, wtoks); err == nil {
				return st, nil
			}
		}
		// Report the error in the statement as written: at the same
		// place if that is before the first window call, else at it.
		var pe *ParseError
		if !errors.As(err, &pe) {
			return nil, err
		}
		pos := firstWindowCall(toks)
		if pe.Pos < pos {
			pos = pe.Pos
		}
		return nil, newParseError(sql, pos, pe.Msg)
	}
	if toks[0].word() == "with" {
		return parseWith(sql, clean, toks)
	}
	if w, sel := insertWith(toks); w > 0 {
		// INSERT ... WITH ctes SELECT ...: the WITH clause moves in front,
		// where parseWith takes it (and lets INSERT and REPLACE follow it
		// only this way, as MySQL does).
		wp, sp := toks[w].pos, toks[sel].pos
		text := sql[wp:sp] + " " + sql[:wp] + sql[sp:]
		wtoks, wclean, err := lexAll(text)
		var st Statement
		if err == nil {
			st, err = parseWithInsert(text, wclean, wtoks)
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			// An error names a place in text: map it back to sql.
			pos := pe.Pos
			switch {
			case pos < sp-wp:
				pos += wp
			case pos <= sp:
				pos = max(pos-(sp-wp+1), 0)
			default:
				pos--
			}
			return nil, newParseError(sql, pos, pe.Msg)
		}
		return st, err
	}
	if hasNestedWith(toks) {
		return parseNestedWiths(sql, clean, toks)
	}
	clean = blankLockingClauses(clean, toks)
	clean = blankAllQuantifiers(clean, toks)
	if hasExceptIntersect(toks) {
		if st, ok, err := parseSetOps(sql, clean, toks); ok {
			return st, err
		}
	}
	clean, ignore := blankIgnoreModifier(clean, toks)
	clean, delAlias := blankDeleteAlias(clean, toks)
	clean, rowAlias := blankInsertRowAlias(clean, toks)
	ast, err := sqlparserParse(sql, clean, toks)
	if err != nil {
		return nil, err
	}
	if ignore {
		switch x := ast.(type) {
		case *sqlparser.Update:
			x.Comments = append(x.Comments, []byte(ignoreMark))
		case *sqlparser.Delete:
			x.Comments = append(x.Comments, []byte(ignoreMark))
		}
	}
	if ins, ok := ast.(*sqlparser.Insert); ok && rowAlias != nil {
		if err := rowAlias.apply(ins); err != nil {
			return nil, newParseError(sql, toks[0].pos, err.Error())
		}
	}
	if delAlias != "" {
		if del, ok := ast.(*sqlparser.Delete); ok && len(del.TableExprs) == 1 && len(del.Targets) == 0 {
			if ate, ok := del.TableExprs[0].(*sqlparser.AliasedTableExpr); ok {
				ate.As = sqlparser.NewTableIdent(delAlias)
			}
		}
	}
	switch ast.(type) {
	case *sqlparser.Select, *sqlparser.Union, *sqlparser.ParenSelect,
		*sqlparser.Insert, *sqlparser.Update, *sqlparser.Delete:
		return &DMLStmt{AST: ast}, nil
	}
	return nil, newParseError(sql, toks[0].pos, "unsupported statement")
}

// blankLockingClauses returns clean with the locking clauses that end a
// SELECT blanked out, for sqlparser knows only FOR UPDATE and LOCK IN
// SHARE MODE. MySQL 8's clauses, any number of them, end the statement
// (before an optional ';'):
//
//	FOR {UPDATE | SHARE} [OF t [, t]...] [NOWAIT | SKIP LOCKED]
//	LOCK IN SHARE MODE
//
// They need no action: a read-write transaction holds the engine's writer
// lock from BEGIN to COMMIT, so every row it reads is already as locked as
// FOR UPDATE would make it, and no other transaction holds row locks for
// NOWAIT or SKIP LOCKED to meet. A clause that does not parse is left for
// sqlparser to report.
func blankLockingClauses(clean string, toks []token) string {
	if len(toks) == 0 || toks[0].word() != "select" && toks[0].word() != "with" && toks[0].typ != '(' {
		return clean
	}
	end := len(toks) - 1 // the EOF token
	if end > 0 && toks[end-1].typ == ';' {
		end--
	}
	depth := 0
	for k := 0; k < end; k++ {
		switch t := toks[k]; {
		case t.typ == '(':
			depth++
		case t.typ == ')':
			depth--
		case depth == 0 && (t.word() == "for" || t.word() == "lock") && lockingClausesEnd(toks, k) == end:
			b := []byte(clean)
			for i := t.pos; i < toks[end-1].end; i++ {
				b[i] = ' '
			}
			return string(b)
		}
	}
	return clean
}

// blankAllQuantifiers returns clean with the ALL quantifiers that sqlparser
// does not know blanked out. ALL is the default in both places, so
// dropping it keeps the meaning exactly:
//
//	SELECT ALL select_expr, ...              (the opposite of DISTINCT)
//	COUNT(ALL expr), SUM(ALL expr), ...      (any aggregate but GROUP_CONCAT)
//
// UNION ALL and the quantified comparison x > ALL (subquery) keep theirs:
// there ALL follows UNION or an operator, not SELECT or an aggregate's '('.
func blankAllQuantifiers(clean string, toks []token) string {
	var b []byte
	for k := 1; k < len(toks); k++ {
		if toks[k].word() != "all" {
			continue
		}
		prev := toks[k-1]
		if prev.word() != "select" {
			if prev.typ != '(' || k < 2 {
				continue
			}
			if _, agg := aggNames[toks[k-2].word()]; !agg {
				continue
			}
		}
		if b == nil {
			b = []byte(clean)
		}
		for i := toks[k].pos; i < toks[k].end; i++ {
			b[i] = ' '
		}
	}
	if b == nil {
		return clean
	}
	return string(b)
}

// ignoreMark is the comment parseDML adds to an UPDATE IGNORE or DELETE
// IGNORE, whose IGNORE sqlparser does not know (hasIgnoreMark).
const ignoreMark = "/*bxdb:ignore*/"

// hasIgnoreMark reports whether a statement's comments carry ignoreMark.
func hasIgnoreMark(c sqlparser.Comments) bool {
	for _, x := range c {
		if string(x) == ignoreMark {
			return true
		}
	}
	return false
}

// blankIgnoreModifier returns clean with the IGNORE modifier of UPDATE
// [LOW_PRIORITY] IGNORE and DELETE [LOW_PRIORITY] [QUICK] IGNORE (and
// UPDATE's LOW_PRIORITY) blanked out, and whether there was an IGNORE.
func blankIgnoreModifier(clean string, toks []token) (string, bool) {
	if len(toks) < 3 || toks[0].word() != "update" && toks[0].word() != "delete" {
		return clean, false
	}
	b := []byte(clean)
	blank := func(t token) {
		for i := t.pos; i < t.end; i++ {
			b[i] = ' '
		}
	}
	k := 1
	for toks[k].word() == "low_priority" || toks[k].word() == "quick" {
		if toks[0].word() == "update" {
			blank(toks[k]) // a hint without effect here, unknown to sqlparser (DELETE's: blankDeleteAlias)
		}
		k++
	}
	ignore := toks[k].word() == "ignore"
	if ignore {
		blank(toks[k])
	}
	return string(b), ignore
}

// blankDeleteAlias handles MySQL 8.0.16's alias of the one table of a
// single-table DELETE, which sqlparser does not know:
//
//	DELETE [LOW_PRIORITY] [QUICK] FROM t [AS] a {WHERE | ORDER | LIMIT | end}
//
// (bun writes DELETE FROM `t` AS `a` WHERE …). It returns clean with
// "[AS] a" (and the hints LOW_PRIORITY and QUICK) blanked out and the alias, which parseDML puts into the AST;
// for any other statement it returns clean unchanged and "".
func blankDeleteAlias(clean string, toks []token) (string, string) {
	if len(toks) < 5 || toks[0].word() != "delete" {
		return clean, ""
	}
	k := 1
	b := []byte(clean)
	for toks[k].word() == "low_priority" || toks[k].word() == "quick" || toks[k].word() == "ignore" {
		// Hints without effect here, which sqlparser does not know
		// (IGNORE: blankIgnoreModifier).
		for i := toks[k].pos; i < toks[k].end; i++ {
			b[i] = ' '
		}
		k++
	}
	clean = string(b)
	if toks[k].word() != "from" {
		return clean, ""
	}
	isName := func(t token) bool { return t.quoted || t.word() != "" && !reservedWords[t.word()] }
	k++
	if !isName(toks[k]) {
		return clean, ""
	}
	k++
	if toks[k].typ == '.' && isName(toks[k+1]) {
		k += 2
	}
	from := k
	if toks[k].word() == "as" {
		k++
	}
	if !isName(toks[k]) {
		return clean, ""
	}
	alias := toks[k].val
	if !toks[k].quoted {
		alias = clean[toks[k].pos:toks[k].end]
	}
	k++
	switch t := toks[k]; {
	case t.typ == 0, t.typ == ';', t.word() == "where", t.word() == "order", t.word() == "limit":
	default:
		return clean, ""
	}
	b = []byte(clean)
	for i := toks[from].pos; i < toks[k-1].end; i++ {
		b[i] = ' '
	}
	return string(b), alias
}

// lockingClausesEnd returns the index just past the locking clauses that
// start at toks[k], or -1 if none does.
func lockingClausesEnd(toks []token, k int) int {
	w := func(i int) string { return toks[min(i, len(toks)-1)].word() }
	start := k
	for {
		switch {
		case w(k) == "for" && (w(k+1) == "update" || w(k+1) == "share"):
			k += 2
			if w(k) == "of" {
				for {
					k++
					if t := toks[min(k, len(toks)-1)]; !t.quoted && (t.word() == "" || reservedWords[t.word()]) {
						return -1
					}
					k++
					if toks[min(k, len(toks)-1)].typ != ',' {
						break
					}
				}
			}
			switch {
			case w(k) == "nowait":
				k++
			case w(k) == "skip" && w(k+1) == "locked":
				k += 2
			}
		case w(k) == "lock" && w(k+1) == "in" && w(k+2) == "share" && w(k+3) == "mode":
			k += 4
		default:
			if k == start {
				return -1
			}
			return k
		}
	}
}

// sqlparserParse runs sqlparser.Parse on clean, the text of sql with its
// version-comment markers blanked (see lexAll), whose tokens are toks, and
// converts its errors (and, defensively, its panics) into *ParseError.
//
// The pinned parser reserves some words that MySQL lets name a column
// unquoted (keywordNames: `end`, `next`, `full`, ...). A statement it
// refuses is tried once more with those words backquoted where they are
// not used as keywords (quoteKeywordNames); if that parses, it is the
// statement. A statement refused at a chained comparison (`a < b = 1`) is
// tried with its left operands parenthesized (chainComparisons). Else the
// first error stands.
func sqlparserParse(sql, clean string, toks []token) (sqlparser.Statement, error) {
	ast, err := sqlparserParseOnce(sql, clean, toks)
	if err == nil {
		return ast, nil
	}
	if text, ok := quoteKeywordNames(sql, toks); ok {
		if toks2, clean2, lerr := lexAll(text); lerr == nil {
			if ast2, err2 := sqlparserParseOnce(text, clean2, toks2); err2 == nil {
				return ast2, nil
			}
		}
	}
	if ast2, ok := chainComparisons(sql, clean, toks, err); ok {
		return ast2, nil
	}
	return nil, err
}

// keywordNames are the words the pinned parser reserves that MySQL 8 does
// not: a table may have a column `end` or `full`.
var keywordNames = map[string]bool{
	"end": true, "next": true, "full": true, "tables": true, "auto_increment": true,
	"boolean": true, "escape": true, "extended": true, "processlist": true,
	"schema": true, // only as SCHEMA(), DATABASE()'s other name
}

// quoteKeywordNames returns sql with the keywordNames tokens that are not
// used as keywords backquoted: END not closing a CASE, ESCAPE not followed
// by the escape character of a LIKE, NEXT not after SELECT (`SELECT NEXT n
// VALUES`), the others always (a DML statement has no use for them). ok
// is false when there is nothing to quote.
func quoteKeywordNames(sql string, toks []token) (out string, ok bool) {
	var b strings.Builder
	last, cases, like := 0, 0, false
	named := -1 // index of the last token quoted
	for i, t := range toks {
		w := t.word()
		switch {
		case w == "case":
			cases++
			continue
		case w == "like":
			like = true
			continue
		case !keywordNames[w] || t.typ == sqlparser.ID || t.pos < last || t.end > len(sql):
			continue
		}
		switch w {
		case "end":
			// In a CASE, END after an operand closes it; after WHEN,
			// THEN, ELSE or an operator it is an operand.
			if cases > 0 && i > 0 && (endsOperand(toks[i-1]) || named == i-1) {
				cases--
				continue
			}
		case "escape":
			if next := toks[min(i+1, len(toks)-1)]; like && (next.typ == sqlparser.STRING || next.typ == sqlparser.VALUE_ARG) {
				continue
			}
		case "next":
			if i > 0 && toks[i-1].word() == "select" {
				continue
			}
		case "schema":
			if toks[min(i+1, len(toks)-1)].typ != '(' {
				continue
			}
		}
		b.WriteString(sql[last:t.pos])
		b.WriteByte('`')
		b.WriteString(sql[t.pos:t.end])
		b.WriteByte('`')
		last, ok, named = t.end, true, i
	}
	if !ok {
		return sql, false
	}
	b.WriteString(sql[last:])
	return b.String(), true
}

// sqlparserParseOnce is sqlparserParse without the second try.
func sqlparserParseOnce(sql, clean string, toks []token) (ast sqlparser.Statement, err error) {
	defer func() {
		if r := recover(); r != nil {
			ast, err = nil, newParseError(sql, 0, fmt.Sprintf("internal parser error: %v", r))
		}
	}()
	clean = rewriteForms(clean, toks)
	// Typed literals (DATE '...') lengthen the text: the rewrites after
	// them work on its tokens; the marks below count the statement's.
	ltoks, litAt := toks, -1
	if text, at := rewriteTypedLiterals(clean, toks); at >= 0 {
		if t2, c2, err := lexAll(text); err == nil {
			ltoks, clean, litAt = t2, c2, at
		}
	}
	clean, marks := blankModifiers(clean, ltoks)
	clean, assignAt := rewriteAssignments(clean, ltoks)
	if litAt >= 0 && (assignAt < 0 || litAt < assignAt) {
		assignAt = litAt
	}
	ast, err = sqlparser.Parse(clean)
	if err != nil && assignAt >= 0 {
		// Offsets before the first rewrite are the statement's.
		pe := sqlparserError(sql, toks, err)
		return nil, newParseError(sql, min(pe.Pos, assignAt), pe.Msg)
	}
	if err == nil {
		applyModifierMarks(ast, marks)
		keepWildcardEscapes(ast, clean)
		if err := markQuantifiers(ast, toks); err != nil {
			return nil, newParseError(sql, toks[0].pos, err.Error())
		}
		if err := markXor(ast, toks); err != nil {
			return nil, newParseError(sql, toks[0].pos, err.Error())
		}
		if err := markYears(ast, toks); err != nil {
			return nil, newParseError(sql, toks[0].pos, err.Error())
		}
		if err := markMemberOf(ast, toks); err != nil {
			return nil, newParseError(sql, toks[0].pos, err.Error())
		}
		if err := markRollups(ast); err != nil {
			return nil, newParseError(sql, toks[0].pos, err.Error())
		}
		return ast, nil
	}
	// sqlparser reports the position one past the offending token, so an
	// error at the last token and one at the end of input look alike when
	// the last token ends the text. With a blank appended they do not.
	if _, err2 := sqlparser.Parse(clean + " "); err2 != nil {
		err = err2
	}
	return nil, sqlparserError(sql, toks, err)
}

// sqlparserError converts an error of sqlparser.Parse(sql + " "), whose
// text is "<msg> at position <n>[ near '<token>']" with <n>-1 the offset
// just past the offending token, into a *ParseError at that token.
func sqlparserError(sql string, toks []token, err error) *ParseError {
	text := err.Error()
	msg, end := text, -1
	if i := strings.LastIndex(text, " at position "); i >= 0 {
		msg = text[:i]
		rest := text[i+len(" at position "):]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if n, err := strconv.Atoi(rest[:j]); err == nil {
			end = n - 1
		}
	}
	at := len(sql) // past every token: the end of input
	for _, t := range toks {
		if t.typ != 0 && t.end == end && t.end > t.pos {
			at = t.pos
			break
		}
	}
	if end < 0 {
		at = 0
	}
	return newParseError(sql, at, msg)
}

// NumPlaceholders returns the number of `?` parameter markers in stmt, the
// value database/sql's NumInput needs. The markers are numbered :v1, :v2, …
// in order of appearance, across the whole statement, in every
// sqlparser.Expr of the AST; the engine binds argument i to :v<i+1>.
func NumPlaceholders(stmt Statement) int {
	n := 0
	var visit func(node sqlparser.SQLNode) (bool, error)
	visit = func(node sqlparser.SQLNode) (bool, error) {
		switch x := node.(type) {
		case *sqlparser.SQLVal:
			if x.Type == sqlparser.ValArg {
				n = max(n, placeholderIndex(string(x.Val)))
			}
		case *sqlparser.Union:
			// sqlparser's Walk skips a UNION's ORDER BY and LIMIT.
			_ = sqlparser.Walk(visit, x.OrderBy, x.Limit)
		}
		return true, nil
	}
	for _, node := range stmtNodes(stmt) {
		_ = sqlparser.Walk(visit, node)
	}
	return n
}

// placeholderIndex returns N for a bind variable ":vN" and 0 for any other.
func placeholderIndex(name string) int {
	rest, ok := strings.CutPrefix(name, ":v")
	if !ok || rest == "" || rest[0] == '0' {
		return 0
	}
	n, err := strconv.Atoi(rest)
	if err != nil {
		return 0
	}
	return n
}

// stmtNodes returns every sqlparser node embedded in stmt.
func stmtNodes(stmt Statement) []sqlparser.SQLNode {
	var nodes []sqlparser.SQLNode
	add := func(e *SQLExpr) {
		if e != nil && e.Expr != nil {
			nodes = append(nodes, e.Expr)
		}
	}
	addCol := func(c *ColumnDef) {
		if c == nil {
			return
		}
		add(c.Default)
		add(c.OnUpdate)
		for _, ck := range c.Checks {
			add(&ck.Expr)
		}
	}
	switch s := stmt.(type) {
	case *DMLStmt:
		if s.AST != nil {
			nodes = append(nodes, s.AST)
		}
	case *ExplainStmt:
		if s.Inner != nil {
			nodes = append(nodes, stmtNodes(s.Inner)...)
		}
	case *SetStmt:
		for _, a := range s.Assignments {
			add(&a.Value)
		}
	case *ShowStmt:
		if s.Filter != nil {
			add(s.Filter.Where)
		}
	case *CreateTableStmt:
		for _, c := range s.Columns {
			addCol(c)
		}
		for _, c := range s.Checks {
			add(&c.Expr)
		}
		if s.AsQuery != nil {
			nodes = append(nodes, s.AsQuery)
		}
	case *AlterTableStmt:
		for _, spec := range s.Specs {
			switch sp := spec.(type) {
			case *AddColumnSpec:
				addCol(sp.Column)
			case *ModifyColumnSpec:
				addCol(sp.Column)
			case *ChangeColumnSpec:
				addCol(sp.Column)
			case *AlterColumnDefaultSpec:
				add(sp.Default)
			case *AddCheckSpec:
				if sp.Check != nil {
					add(&sp.Check.Expr)
				}
			}
		}
	}
	return nodes
}
