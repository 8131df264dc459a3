package sqlfront

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Statement modifiers sqlparser's grammar lacks, blanked out of the text
// handed to it (offsets stay put) before parsing:
//
//	INSERT [LOW_PRIORITY | DELAYED | HIGH_PRIORITY] [IGNORE] [INTO] t ...
//	REPLACE [LOW_PRIORITY | DELAYED] [INTO] t ...
//	        scheduling hints of MyISAM-era servers; no effect (MySQL 8
//	        runs DELAYED as a plain insert, with a warning)
//	INSERT [INTO] t () VALUES (), ...
//	        an empty column list: every column takes its default, as
//	        with INSERT INTO t VALUES (); the tuples must be empty
//	        (noColsMark, checked by execInsert)
//	SELECT [HIGH_PRIORITY] [STRAIGHT_JOIN] [SQL_SMALL_RESULT]
//	       [SQL_BIG_RESULT] [SQL_BUFFER_RESULT] [SQL_CACHE | SQL_NO_CACHE]
//	       [SQL_CALC_FOUND_ROWS] [DISTINCT | DISTINCTROW | ALL] ...
//	        in any order; all but DISTINCT are hints without effect here,
//	        except SQL_CALC_FOUND_ROWS on the statement's first SELECT:
//	        FOUND_ROWS() then returns the rows the query would return
//	        without its LIMIT (calcFoundRowsMark, see Session.run).
//	        DISTINCTROW is DISTINCT.

// noColsMark marks an INSERT written with an empty column list.
const noColsMark = "/*bxdb:nocols*/"

// calcFoundRowsMark marks a SELECT SQL_CALC_FOUND_ROWS.
const calcFoundRowsMark = "/*bxdb:calcfound*/"

// selectHints are the SELECT modifiers blanked out (DISTINCT stays).
var selectHints = toSet("high_priority straight_join sql_small_result sql_big_result sql_buffer_result sql_cache sql_no_cache sql_calc_found_rows")

// blankModifiers returns clean with the modifiers above blanked and the
// marks the parsed statement must carry.
func blankModifiers(clean string, toks []token) (string, []string) {
	var b []byte
	blank := func(t token, with string) {
		if b == nil {
			b = []byte(clean)
		}
		n := copy(b[t.pos:t.end], with)
		for i := t.pos + n; i < t.end; i++ {
			b[i] = ' '
		}
	}
	var marks []string
	if len(toks) > 2 {
		switch toks[0].word() {
		case "insert", "replace":
			k := 1
			if w := toks[1].word(); w == "low_priority" || w == "delayed" || w == "high_priority" && toks[0].word() == "insert" {
				blank(toks[1], "")
				k++
			}
			if toks[k].word() == "ignore" {
				k++
			}
			if toks[k].word() == "into" {
				k++
			}
			// The table name: name or schema.name.
			if toks[k].typ == sqlparser.ID || toks[k].word() != "" {
				k++
				if toks[k].typ == '.' {
					k += 2
				}
			}
			if k+2 < len(toks) && toks[k].typ == '(' && toks[k+1].typ == ')' {
				if w := toks[k+2].word(); w == "values" || w == "value" || w == "select" {
					blank(toks[k], "")
					blank(toks[k+1], "")
					marks = append(marks, noColsMark)
				}
			}
		}
	}
	for k, t := range toks {
		if t.word() != "select" {
			continue
		}
		distinct := false
		for j := k + 1; j < len(toks); j++ {
			w := toks[j].word()
			switch {
			case selectHints[w]:
				if w == "sql_calc_found_rows" && k == 0 {
					marks = append(marks, calcFoundRowsMark)
				}
				blank(toks[j], "")
				continue
			case w == "distinct" || w == "distinctrow":
				if distinct {
					blank(toks[j], "")
				} else if w == "distinctrow" {
					blank(toks[j], "distinct")
				}
				distinct = true
				continue
			}
			break
		}
	}
	if b == nil {
		return clean, marks
	}
	return string(b), marks
}

// applyModifierMarks puts the marks blankModifiers returned on the
// parsed statement.
func applyModifierMarks(ast sqlparser.Statement, marks []string) {
	for _, m := range marks {
		switch x := ast.(type) {
		case *sqlparser.Insert:
			if m == noColsMark {
				x.Comments = append(x.Comments, []byte(m))
			}
		case *sqlparser.Select:
			if m == calcFoundRowsMark {
				x.Comments = append(x.Comments, []byte(m))
			}
		}
	}
}

// hasMark reports whether comments c carry mark m.
func hasMark(c sqlparser.Comments, m string) bool {
	for _, x := range c {
		if string(x) == m {
			return true
		}
	}
	return false
}

// calcFoundRowsQuery runs SELECT SQL_CALC_FOUND_ROWS ...: the query, and
// for FOUND_ROWS() the number of rows it returns without its LIMIT. The
// query runs once, without its LIMIT: every row is counted and the rows
// in the LIMIT's window are kept, so that expressions with side effects
// (@n := @n + 1, GET_LOCK) are not evaluated twice per row.
func (s *Session) calcFoundRowsQuery(ctx context.Context, st *Stmt, args []Value, sel *sqlparser.Select) (*Rows, error) {
	total := int64(-1)
	rows, err := s.runQuery(ctx, st, args, func(sc *stmtCtx) (rowIter, []ColumnInfo, error) {
		if sel.Limit == nil {
			return sc.planSelectStmt(sel)
		}
		limit, offset, _, err := sc.limitValues(sel.Limit)
		if err != nil {
			return nil, nil, err
		}
		all := *sel
		all.Limit = nil
		it, cols, err := sc.planSelectStmt(&all)
		if err != nil {
			return nil, nil, err
		}
		defer it.Close()
		var kept [][]Value
		n := int64(0)
		for {
			r, err := it.Next()
			if err == nil {
				err = sc.tick()
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, nil, err
			}
			if n >= offset && n-offset < limit {
				kept = append(kept, cloneRow(r))
			}
			n++
		}
		total = n
		return &keptRowsIter{rows: kept}, cols, nil
	})
	if rows != nil && total >= 0 {
		rows.found, rows.calc = total, true
	}
	return rows, err
}

// keptRowsIter returns rows kept in memory.
type keptRowsIter struct {
	rows [][]Value
	i    int
}

func (k *keptRowsIter) Next() ([]Value, error) {
	if k.i >= len(k.rows) {
		return nil, io.EOF
	}
	k.i++
	return k.rows[k.i-1], nil
}

func (k *keptRowsIter) Close() {}

// hintTimeout returns N of an optimizer hint MAX_EXECUTION_TIME(N) in the
// comments right after a query's first SELECT keyword (the only place
// MySQL honours it), or 0. Like MySQL, it ignores a hint it cannot read
// and other hints (/*+ BKA(t1) MAX_EXECUTION_TIME(10) */ is fine); N = 0
// leaves @@max_execution_time in force.
func hintTimeout(ast sqlparser.Statement) int64 {
	ss, ok := ast.(sqlparser.SelectStatement)
	if !ok {
		return 0
	}
	if sel := firstSelect(ss); sel != nil {
		for _, c := range sel.Comments {
			if n := maxExecHint(string(c)); n > 0 {
				return n
			}
		}
	}
	return 0
}

// maxExecHint reads MAX_EXECUTION_TIME(N) in one hint comment "/*+ ... */".
func maxExecHint(c string) int64 {
	body, ok := strings.CutPrefix(c, "/*+")
	if !ok {
		return 0
	}
	const name = "max_execution_time"
	lower := strings.ToLower(body)
	for i := strings.Index(lower, name); i >= 0; {
		rest := strings.TrimLeft(lower[i+len(name):], " \t\r\n")
		if arg, ok := strings.CutPrefix(rest, "("); ok {
			num, _, ok := strings.Cut(arg, ")")
			if n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64); ok && err == nil && n > 0 {
				return min(n, intVarRanges[name][1])
			}
		}
		j := strings.Index(lower[i+len(name):], name)
		if j < 0 {
			break
		}
		i += len(name) + j
	}
	return 0
}
