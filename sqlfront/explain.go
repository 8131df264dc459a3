package sqlfront

import (
	"fmt"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// EXPLAIN: the statement is planned, not run, with a log that records the
// access path chosen for every table and whether a sort is needed. The
// result has MySQL's traditional columns; Extra spells bxdb's access path
// first ("point get", "primary key range", "index range", "index lookup",
// "full scan", "hash join", ...), then MySQL's notes (Using where, Using
// filesort, Backward index scan).

// explainLog collects EXPLAIN rows while planning.
type explainLog struct {
	rows [][]Value
	last int // index of the row of the last table noted by the current SELECT
}

// noteAccess records the access chosen for a table; dependent says the
// query reads its enclosing query's row (MySQL's DEPENDENT SUBQUERY, run
// again for every outer row).
func (sc *stmtCtx) noteAccess(ft *fromTable, acc *access, scan []*conjunct, post, dependent bool) {
	lg := sc.xlog
	if lg == nil {
		return
	}
	typ, key := acc.describe(ft)
	what := ""
	switch acc.kind {
	case "points":
		what = "point get"
		if len(acc.kp.ranges) > 1 {
			what = fmt.Sprintf("point gets (%d keys)", len(acc.kp.ranges))
		}
	case "range":
		if acc.key == nil {
			what = "primary key range"
		} else {
			what = "index range"
		}
		if n := len(acc.kp.ranges); n > 1 {
			what += fmt.Sprintf(" (%d ranges)", n)
		}
	case "lookup":
		if acc.key == nil {
			what = "primary key lookup"
		} else {
			what = "index lookup"
		}
	case "full":
		what = "full scan"
	case "index":
		what = "full index scan"
	case "count":
		what = "count from subtree counts"
		if len(acc.kp.ranges) > 1 {
			what += fmt.Sprintf(" (%d ranges)", len(acc.kp.ranges))
		}
	case "virtual":
		what = "virtual table"
		if ft.jt != nil {
			what = "table function json_table"
		}
		typ = "ALL"
	}
	if acc.wrap == "hash" {
		what += "; hash join"
	} else if acc.wrap == "buffer" {
		what += "; join buffer"
	}
	var extra []string
	extra = append(extra, what)
	filtered := false
	for _, c := range scan {
		if !acc.consumed[c] {
			filtered = true
		}
	}
	if filtered || post {
		extra = append(extra, "Using where")
	}
	if acc.reverse {
		extra = append(extra, "Backward index scan")
	}
	if acc.covering {
		extra = append(extra, "Using index")
	}
	keyCol, possible := Null, Null
	if typ != "ALL" && key != "" {
		keyCol = str(key)
		possible = str(key)
	}
	selType := "SIMPLE"
	if sc.parent != nil {
		selType = "SUBQUERY"
		if dependent {
			selType = "DEPENDENT SUBQUERY"
		}
	}
	tname := ft.alias
	lg.rows = append(lg.rows, []Value{num(int64(sc.depth + 1)), str(selType), str(tname), Null, str(typ), possible, keyCol,
		Null, Null, num(int64(acc.rows + 0.5)), FloatValue(100), str(strings.Join(extra, "; "))})
	lg.last = len(lg.rows) - 1
}

// noteSort records that the last SELECT sorts its rows.
func (sc *stmtCtx) noteSort() {
	lg := sc.xlog
	if lg == nil || len(lg.rows) == 0 {
		if lg != nil {
			lg.rows = append(lg.rows, []Value{num(int64(sc.depth + 1)), str("SIMPLE"), Null, Null, Null, Null, Null, Null, Null, Null, Null, str("No tables used; Using filesort")})
		}
		return
	}
	r := lg.rows[lg.last]
	r[11] = str(r[11].S + "; Using filesort")
}

// explainColumns are EXPLAIN's result columns.
var explainColumns = []string{"id", "select_type", "table", "partitions", "type", "possible_keys", "key", "key_len", "ref", "rows", "filtered", "Extra"}

// explain plans the explained statement and returns the log.
func (sc *stmtCtx) explain(st *ExplainStmt) (rowIter, []ColumnInfo, error) {
	if st.Analyze {
		return nil, nil, errNotSupported("EXPLAIN ANALYZE")
	}
	dml, ok := st.Inner.(*DMLStmt)
	if !ok {
		return nil, nil, errNotSupported("EXPLAIN of this statement")
	}
	sc.xlog = &explainLog{}
	var sel sqlparser.SelectStatement
	switch x := dml.AST.(type) {
	case sqlparser.SelectStatement:
		sel = x
	case *sqlparser.Delete:
		sel = &sqlparser.Select{SelectExprs: sqlparser.SelectExprs{&sqlparser.StarExpr{}}, From: x.TableExprs, Where: x.Where, OrderBy: x.OrderBy, Limit: x.Limit}
	case *sqlparser.Update:
		sel = &sqlparser.Select{SelectExprs: sqlparser.SelectExprs{&sqlparser.StarExpr{}}, From: x.TableExprs, Where: x.Where, OrderBy: x.OrderBy, Limit: x.Limit}
	case *sqlparser.Insert:
		if s, ok := x.Rows.(sqlparser.SelectStatement); ok {
			sel = s
		} else {
			sc.xlog.rows = append(sc.xlog.rows, []Value{num(1), str("INSERT"), str(x.Table.Name.String()), Null, str("ALL"), Null, Null, Null, Null, Null, Null, str("insert")})
		}
	}
	if sel != nil {
		qp, err := sc.planQuery(sel, nil, "")
		if err != nil {
			return nil, nil, err
		}
		qp.it.Close()
	}
	infos := make([]ColumnInfo, len(explainColumns))
	for i, c := range explainColumns {
		infos[i] = ColumnInfo{Name: c, DatabaseTypeName: "VARCHAR", Kind: KindString, Nullable: true, NullableOK: true}
	}
	infos[0].DatabaseTypeName, infos[0].Kind = "BIGINT", KindInt
	infos[9].DatabaseTypeName, infos[9].Kind = "BIGINT", KindInt
	infos[10].DatabaseTypeName, infos[10].Kind = "DOUBLE", KindFloat
	return &sliceIter{rows: sc.xlog.rows}, infos, nil
}
