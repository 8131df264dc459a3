package sqlfront

import (
	"io"
	"slices"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Recursive common table expressions (WITH RECURSIVE, stmt_with.go). The
// union standing for one is run to a fixpoint: the anchor's rows start
// the result and the working set; each round plans the recursive part
// afresh with the CTE's name bound to the working set (fromTableOf looks
// bindings up before the catalog) and its new rows become the next
// working set; with UNION DISTINCT only rows not in the result yet count
// as new. It stops when a round adds nothing, and fails after
// @@cte_max_recursion_depth rounds (error 3636) or
// when the rows outgrow the sort memory budget.

// rcteBinding binds a recursive CTE's name to its working set.
type rcteBinding struct {
	name string
	cols []string
	rows [][]Value
}

// recursiveUnion reports whether u stands for a recursive CTE, and its
// union type and name.
func recursiveUnion(u *sqlparser.Union) (utype, name string, ok bool) {
	rest, ok := strings.CutPrefix(u.Type, "recursive ")
	if !ok {
		return "", "", false
	}
	utype, name, ok = strings.Cut(rest, "\x00")
	return utype, name, ok
}

// rcteTable returns the FROM table of a bound recursive CTE named name, or
// nil.
func (sc *stmtCtx) rcteTable(name, alias string) *fromTable {
	for i := len(sc.rctes) - 1; i >= 0; i-- {
		b := sc.rctes[i]
		if !strings.EqualFold(b.name, name) {
			continue
		}
		ft := &fromTable{alias: alias, cols: b.cols}
		for range b.cols {
			ft.types = append(ft.types, ColumnType{})
			ft.null = append(ft.null, true)
		}
		rows := b.rows
		ft.virt = &virtualSrc{name: "recursive " + name, gen: func(*stmtCtx) ([][]Value, error) { return rows, nil }}
		return ft
	}
	return nil
}

// planRecursive plans the union u standing for a recursive CTE.
func (sc *stmtCtx) planRecursive(u *sqlparser.Union, utype, name string, outer Scope, text string) (*queryPlan, error) {
	left, err := sc.planQuery(u.Left, outer, text)
	if err != nil {
		return nil, err
	}
	it := &recursiveIter{sc: sc, u: u, name: name, anchor: left, distinct: utype != sqlparser.UnionAllStr}
	for _, c := range left.cols {
		it.cols = append(it.cols, c.Name)
	}
	return &queryPlan{it: it, cols: left.cols, width: left.width}, nil
}

// recursiveIter computes a recursive CTE's rows on its first Next.
type recursiveIter struct {
	sc       *stmtCtx
	u        *sqlparser.Union
	name     string
	cols     []string
	anchor   *queryPlan
	distinct bool
	rows     [][]Value
	next     int
	done     bool
}

func (r *recursiveIter) Next() ([]Value, error) {
	if !r.done {
		if err := r.run(); err != nil {
			return nil, err
		}
		r.done = true
	}
	if r.next >= len(r.rows) {
		return nil, io.EOF
	}
	r.next++
	return r.rows[r.next-1], nil
}

// run computes the rows.
func (r *recursiveIter) run() error {
	width := len(r.cols)
	seen := map[string]bool{}
	var used int64
	budget := 4 * r.sc.e.opts.SortMemory
	add := func(rows [][]Value) ([][]Value, error) {
		var fresh [][]Value
		for _, row := range rows {
			if r.distinct {
				var key []byte
				for _, v := range row[:width] {
					key = AppendGroupKey(key, v)
				}
				if seen[string(key)] {
					continue
				}
				seen[string(key)] = true
			}
			for _, v := range row[:width] {
				used += int64(len(v.S)) + 32
			}
			if used > budget {
				return nil, engErr(ErOutOfSortMemory, "Out of sort memory: recursive common table expression '%s' exceeds %d bytes", r.name, budget)
			}
			fresh = append(fresh, row[:width:width])
		}
		r.rows = append(r.rows, fresh...)
		return fresh, nil
	}
	first, err := drainPlan(r.sc, r.anchor)
	r.anchor = nil
	if err != nil {
		return err
	}
	work, err := add(first)
	if err != nil {
		return err
	}
	limit := r.sc.s.intVar("cte_max_recursion_depth", 1000)
	for round := int64(1); len(work) > 0; round++ {
		if round > limit {
			return engErr(3636, "Recursive query aborted after %d iterations. Try increasing @@cte_max_recursion_depth to a larger value.", limit+1)
		}
		if err := r.sc.tick(); err != nil {
			return err
		}
		c := r.sc.child()
		c.rctes = append(slices.Clip(r.sc.rctes), rcteBinding{name: r.name, cols: r.cols, rows: work})
		qp, err := c.planQuery(r.u.Right, nil, "")
		if err != nil {
			return err
		}
		if qp.width != width {
			qp.it.Close()
			return engErr(1222, "The used SELECT statements have a different number of columns")
		}
		rows, err := drainPlan(c, qp)
		if err != nil {
			return err
		}
		if work, err = add(rows); err != nil {
			return err
		}
	}
	return nil
}

func (r *recursiveIter) Close() {
	if r.anchor != nil {
		r.anchor.it.Close()
		r.anchor = nil
	}
}
