package sqlfront

import (
	"errors"
	"io"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// UPDATE and DELETE of one table, with WHERE, ORDER BY and LIMIT. The
// target rows are found with the SELECT planner (key ranges, indexes) and
// read completely before the first change. UPDATE evaluates its
// assignments left to right, each seeing the values assigned before it
// (MySQL's single-table semantics); RowsAffected counts the rows that
// actually CHANGED (MySQL's default, without CLIENT_FOUND_ROWS).

// updatePlan is the compiled SET list of an UPDATE for one table (cached
// in the Stmt, see stmtcache.go).
type updatePlan struct {
	t     *table
	defs  *compiledDefaults
	cols  []int
	exprs []Expr // nil: DEFAULT
	subq  bool   // holds subqueries of this statement: not cached
}

// planUpdate compiles up's SET list for table t, named alias.
func (sc *stmtCtx) planUpdate(up *sqlparser.Update, t *table, alias string) (*updatePlan, error) {
	defs, err := t.defaults()
	if err != nil {
		return nil, err
	}
	p := &updatePlan{t: t, defs: defs}
	scope := &dmlScope{TableScope: TableScope{Table: alias, Columns: t.lcNames}, sc: sc, target: t.desc.Name, op: "UPDATE"}
	defer func() { p.subq = scope.subq }()
	for _, ue := range up.Exprs {
		q := ue.Name.Qualifier.Name.String()
		i := t.col(ue.Name.Name.String())
		if i < 0 || q != "" && !strings.EqualFold(q, alias) {
			return nil, ErrUnknownColumn(sqlparser.String(ue.Name), "field list")
		}
		var x Expr
		if _, isDef := ue.Expr.(*sqlparser.Default); !isDef {
			if t.cols[i].desc.Gen != "" {
				return nil, errGeneratedValue(t.cols[i].desc.Name, t.desc.Name)
			}
			if x, err = Compile(ue.Expr, scope); err != nil {
				return nil, err
			}
		} else if t.cols[i].desc.Gen != "" {
			continue // SET g = DEFAULT: g is computed anyway
		}
		p.cols = append(p.cols, i)
		p.exprs = append(p.exprs, x)
	}
	return p, nil
}

// execUpdate runs an UPDATE.
func (sc *stmtCtx) execUpdate(up *sqlparser.Update) (Result, error) {
	// UPDATE IGNORE (MySQL): a value the column refuses is adjusted, a
	// row whose change would duplicate a key or fail a CHECK keeps its
	// old values, a division by zero is NULL; else strict mode.
	ignore := hasIgnoreMark(up.Comments)
	sc.env.divZeroErr = !ignore
	if isMultiTable(up.TableExprs) {
		return sc.execMultiUpdate(up)
	}
	t, alias, err := sc.dmlTable(up.TableExprs)
	if err != nil {
		return Result{}, err
	}
	if err := sc.check1093(up.TableExprs, up.Where, "UPDATE"); err != nil {
		return Result{}, err
	}
	if err := sc.checkTrigUse(t); err != nil {
		return Result{}, err
	}
	var plan *updatePlan
	c := sc.stmtCache()
	if c != nil {
		if p := c.update.Load(); p != nil && p.t == t {
			plan = p
		}
	}
	if plan == nil {
		if plan, err = sc.planUpdate(up, t, alias); err != nil {
			return Result{}, err
		}
		if c != nil && !plan.subq {
			c.update.Store(plan)
		}
	}
	defs, cols, exprs := plan.defs, plan.cols, plan.exprs
	_, targets, ok, err := sc.pointTargets(up.TableExprs, up.Where, up.OrderBy, up.Limit)
	if err != nil {
		return Result{}, err
	}
	if !ok {
		if _, targets, err = sc.scanTargets(up.TableExprs, up.Where, up.OrderBy, up.Limit); err != nil {
			return Result{}, err
		}
	}
	defer targets.close()
	st, err := sc.store(t)
	if err != nil {
		return Result{}, err
	}
	var auto *autoCounter
	if t.autoInc >= 0 {
		if auto, err = sc.autoCounter(t); err != nil {
			return Result{}, err
		}
	}
	trs := sc.cat.tableTriggers(t.desc.Name)
	before, after := trs.list(trigBefore, trigUpdate), trs.list(trigAfter, trigUpdate)
	var res Result
	env := *sc.env
	refetch := sc.fkRefetch(t)
	for n := 0; ; n++ {
		if err := sc.tick(); err != nil {
			return Result{}, err
		}
		tg, err := targets.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Result{}, err
		}
		if refetch { // a cascade may have changed or removed it
			if ok, err := st.fkRefresh(&tg); err != nil {
				return Result{}, err
			} else if !ok {
				continue
			}
		}
		// The new row is not kept past its iteration: the store's scratch.
		if len(st.nu) != len(tg.row) {
			st.nu, st.assigned = make([]Value, len(tg.row)), make([]bool, len(tg.row))
		}
		nu, assigned := st.nu, st.assigned
		copy(nu, tg.row)
		clear(assigned)
		env.Row = nu
		for k, x := range exprs {
			c := cols[k]
			var v Value
			if x == nil {
				if v, err = sc.defaultValue(t, defs, c, nu); err != nil {
					return Result{}, err
				}
				if v == noDefault {
					return Result{}, engErr(ErNoDefaultForField, "Field '%s' doesn't have a default value", t.cols[c].desc.Name)
				}
			} else if v, err = x.Eval(&env); err != nil {
				return Result{}, err
			}
			switch {
			case v.K == KindNull && ignore && t.cols[c].desc.NotNull:
				sc.warnf(ErBadNull, "Column '%s' cannot be null", t.cols[c].desc.Name)
				v = implicitDefault(t.cols[c].typ)
			case v.K == KindNull:
			case ignore:
				v = sc.coerceIgnore(v, t.cols[c].typ, t.cols[c].desc.Name, n+1)
			default:
				if v, err = CoerceColumn(v, t.cols[c].typ, t.cols[c].desc.Name, n+1); err != nil {
					return Result{}, err
				}
			}
			nu[c] = v
			assigned[c] = true
		}
		if before != nil {
			// NEW reads the generated columns (trigger_exec.go).
			if err := sc.generate(t, defs, nu, n+1, ignore); err != nil {
				if ignore {
					sc.warnErr(err)
					continue
				}
				return Result{}, err
			}
			if err := sc.fireTriggers(before, t, nu, tg.row, cols, n+1); err != nil {
				return Result{}, err
			}
		}
		changed := false
		for i := range nu {
			if !identical(nu[i], tg.row[i]) {
				changed = true
			}
		}
		if !changed {
			// MySQL fires AFTER UPDATE for every row matched.
			if err := sc.fireTriggers(after, t, nu, tg.row, cols, n+1); err != nil {
				return Result{}, err
			}
			continue
		}
		for i := range nu {
			if defs.onupd[i] && !assigned[i] {
				nu[i] = nowOf(sc.env, t.cols[i].typ)
			}
		}
		err = sc.generate(t, defs, nu, n+1, ignore)
		if err == nil {
			err = sc.checkRow(t, defs, nu)
		}
		if err != nil {
			if ignore {
				sc.warnErr(err)
				continue
			}
			return Result{}, err
		}
		if ai := t.autoInc; ai >= 0 {
			if u, ok := autoValue(nu[ai]); ok {
				sc.e.observeAutoID(auto, u)
			}
		}
		if _, err := st.update(tg.pk, tg.row, nu); err != nil {
			var de *dupError
			if errors.As(err, &de) {
				if ignore {
					sc.warnErr(de.SQLError)
					continue // checked before any write: the row is as it was
				}
				return Result{}, de.SQLError
			}
			var fe *fkChildError
			if ignore && errors.As(err, &fe) {
				sc.warnErr(err)
				continue // checked before any write too
			}
			return Result{}, err
		}
		res.RowsAffected++
		if after != nil {
			if err := sc.fireTriggers(after, t, nu, tg.row, cols, n+1); err != nil {
				return Result{}, err
			}
		}
	}
	sc.env.LastInsertID = env.LastInsertID
	return res, nil
}

// execDelete runs a DELETE.
func (sc *stmtCtx) execDelete(del *sqlparser.Delete) (Result, error) {
	sc.tx.MarkFreeing() // a full store lets deletes through (bedrock)
	if len(del.Targets) > 0 || isMultiTable(del.TableExprs) {
		return sc.execMultiDelete(del)
	}
	if err := sc.check1093(del.TableExprs, del.Where, "DELETE"); err != nil {
		return Result{}, err
	}
	t, targets, ok, err := sc.pointTargets(del.TableExprs, del.Where, del.OrderBy, del.Limit)
	if err != nil {
		return Result{}, err
	}
	if !ok {
		if t, targets, err = sc.scanTargets(del.TableExprs, del.Where, del.OrderBy, del.Limit); err != nil {
			return Result{}, err
		}
	}
	defer targets.close()
	if err := sc.checkTrigUse(t); err != nil {
		return Result{}, err
	}
	st, err := sc.store(t)
	if err != nil {
		return Result{}, err
	}
	trs := sc.cat.tableTriggers(t.desc.Name)
	before, after := trs.list(trigBefore, trigDelete), trs.list(trigAfter, trigDelete)
	var n int64
	refetch := sc.fkRefetch(t)
	for {
		if err := sc.tick(); err != nil {
			return Result{}, err
		}
		tg, err := targets.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Result{}, err
		}
		if refetch { // a cascade may have removed it
			if ok, err := st.fkRefresh(&tg); err != nil {
				return Result{}, err
			} else if !ok {
				continue
			}
		}
		if before != nil {
			if err := sc.fireTriggers(before, t, nil, tg.row, nil, int(n)+1); err != nil {
				return Result{}, err
			}
		}
		if err := st.remove(tg.pk, tg.row); err != nil {
			return Result{}, err
		}
		n++
		if after != nil {
			if err := sc.fireTriggers(after, t, nil, tg.row, nil, int(n)); err != nil {
				return Result{}, err
			}
		}
	}
	return Result{RowsAffected: n}, nil
}
