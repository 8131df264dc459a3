package sqlfront

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// SHOW statements and DESCRIBE. Each builds its rows from the catalog the
// statement sees, then applies LIKE (to the first column) or WHERE (over
// the result's columns).

// show runs a SHOW statement.
func (sc *stmtCtx) show(st *ShowStmt) (rowIter, []ColumnInfo, error) {
	var cols []string
	var rows [][]Value
	db := sc.e.dbName
	if st.Database != "" && !strings.EqualFold(st.Database, db) && st.Kind != ShowDatabases {
		if !strings.EqualFold(st.Database, "information_schema") {
			return nil, nil, engErr(ErBadDB, "Unknown database '%s'", st.Database)
		}
	}
	switch st.Kind {
	case ShowTables:
		cols = []string{"Tables_in_" + db}
		if st.Full {
			cols = append(cols, "Table_type")
		}
		if !strings.EqualFold(st.Database, "information_schema") {
			for _, o := range sc.cat.sortedObjects() {
				r := []Value{str(o.name)}
				if st.Full {
					r = append(r, str(o.kind))
				}
				rows = append(rows, r)
			}
		}
	case ShowColumns:
		if st.Full {
			cols = []string{"Field", "Type", "Collation", "Null", "Key", "Default", "Extra", "Privileges", "Comment"}
		} else {
			cols = []string{"Field", "Type", "Null", "Key", "Default", "Extra"}
		}
		t, err := sc.lookupTable(st.Table.Schema, st.Table.Name)
		if v := sc.cat.view(st.Table.Name); err != nil && v != nil && (st.Table.Schema == "" || strings.EqualFold(st.Table.Schema, db)) {
			// A view: its result columns, no keys (MySQL's DESCRIBE v).
			vcs, err := sc.describeView(v)
			if err != nil {
				return nil, nil, err
			}
			for _, vc := range vcs {
				null, def, coll, cmt := "YES", Null, Null, ""
				if !vc.nullable {
					null = "NO"
				}
				if vc.src != nil {
					def, cmt = columnDefault(vc.src), vc.src.desc.Comment
				}
				if vc.typ.Kind() == KindString {
					coll = str(displayCollation(vc.typ.Collation))
				}
				r := []Value{str(vc.name), str(vc.typ.String())}
				if st.Full {
					r = append(r, coll)
				}
				r = append(r, str(null), str(""), def, str(""))
				if st.Full {
					r = append(r, str("select,insert,update,references"), str(cmt))
				}
				rows = append(rows, r)
			}
			break
		}
		if err != nil {
			return nil, nil, err
		}
		for i, c := range t.cols {
			null := "YES"
			if c.desc.NotNull {
				null = "NO"
			}
			r := []Value{str(c.desc.Name), str(c.typ.String())}
			if st.Full {
				coll := Null
				if c.typ.Kind() == KindString {
					coll = str(displayCollation(c.typ.Collation))
				}
				r = append(r, coll)
			}
			r = append(r, str(null), str(columnKey(t, i)), columnDefault(c), str(columnExtra(c)))
			if st.Full {
				r = append(r, str("select,insert,update,references"), str(c.desc.Comment))
			}
			rows = append(rows, r)
		}
	case ShowIndex:
		t, err := sc.lookupTable(st.Table.Schema, st.Table.Name)
		if err != nil {
			return nil, nil, err
		}
		cols = []string{"Table", "Non_unique", "Key_name", "Seq_in_index", "Column_name", "Collation", "Cardinality",
			"Sub_part", "Packed", "Null", "Index_type", "Comment", "Index_comment", "Visible", "Expression"}
		n, _, err := sc.tableStats(t)
		if err != nil {
			return nil, nil, err
		}
		for _, k := range keyEntries(t) {
			for i, c := range k.cols {
				nu := int64(1)
				if k.unique {
					nu = 0
				}
				typ, coll := keyTypeColl(k.ft, k.descs[i])
				null := ""
				if !t.cols[c].desc.NotNull {
					null = "YES"
				}
				sub := Null
				if k.parts[i].Length > 0 {
					sub = num(int64(k.parts[i].Length))
				}
				rows = append(rows, []Value{str(t.desc.Name), num(nu), str(k.name), num(int64(i + 1)), str(t.cols[c].desc.Name),
					coll, UintValue(n), sub, Null, str(null), str(typ), str(""), str(k.cmt), str("YES"), Null})
			}
		}
	case ShowCreateView:
		v := sc.cat.view(st.Table.Name)
		if v == nil || st.Table.Schema != "" && !strings.EqualFold(st.Table.Schema, db) {
			if _, err := sc.lookupTable(st.Table.Schema, st.Table.Name); err != nil {
				return nil, nil, err
			}
			return nil, nil, engErr(ErWrongObject, "'%s.%s' is not VIEW", db, st.Table.Name)
		}
		cols, rows = showCreateViewResult(v)
	case ShowCreateTable:
		if v := sc.cat.view(st.Table.Name); v != nil && (st.Table.Schema == "" || strings.EqualFold(st.Table.Schema, db)) {
			cols, rows = showCreateViewResult(v) // as MySQL answers for a view
			break
		}
		t, err := sc.lookupTable(st.Table.Schema, st.Table.Name)
		if err != nil {
			return nil, nil, err
		}
		_, ai, err := sc.tableStats(t)
		if err != nil {
			return nil, nil, err
		}
		cols = []string{"Table", "Create Table"}
		rows = [][]Value{{str(t.desc.Name), str(showCreateTable(t, ai))}}
	case ShowDatabases:
		cols = []string{"Database"}
		rows = [][]Value{{str("information_schema")}, {str(db)}}
	case ShowVariables:
		cols = []string{"Variable_name", "Value"}
		rows = sc.s.showVariables()
	case ShowStatus:
		cols = []string{"Variable_name", "Value"}
		rows = [][]Value{
			{str("Threads_connected"), str("1")},
			{str("Uptime"), str("0")},
			{str("Com_commit"), str(itoa(int64(sc.e.commitSeq.Load())))},
		}
		rows = append(rows, storeStatus(sc.e.store.Stats())...)
	case ShowTableStatus:
		cols = []string{"Name", "Engine", "Version", "Row_format", "Rows", "Avg_row_length", "Data_length",
			"Max_data_length", "Index_length", "Data_free", "Auto_increment", "Create_time", "Update_time",
			"Check_time", "Collation", "Checksum", "Create_options", "Comment"}
		trows, err := isTablesRows(sc)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range trows {
			rows = append(rows, append([]Value{r[2], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15], r[16], r[17], r[18], r[19]}, r[20]))
		}
	case ShowWarnings, ShowErrors:
		cols, rows = sc.s.showWarnings(st)
	case ShowTriggers:
		cols = showTriggersCols
		if !strings.EqualFold(st.Database, "information_schema") {
			var like *string
			if st.Filter != nil && st.Filter.Where == nil {
				like = &st.Filter.Like // the table's name, as in MySQL
			}
			rows = sc.showTriggersRows(like)
		}
		if st.Filter != nil && st.Filter.Where == nil {
			return showResult(cols, rows)
		}
	case ShowCreateTrigger:
		var err error
		if cols, rows, err = sc.showCreateTriggerResult(st.Table); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, errNotSupported(st.Kind.String())
	}
	if st.Filter != nil {
		var err error
		if rows, err = sc.filterShow(cols, rows, st.Filter); err != nil {
			return nil, nil, err
		}
	}
	return showResult(cols, rows)
}

// filterShow applies a SHOW's LIKE or WHERE.
func (sc *stmtCtx) filterShow(cols []string, rows [][]Value, f *ShowFilter) ([][]Value, error) {
	var out [][]Value
	if f.Where == nil {
		for _, r := range rows {
			if Like(ToString(r[0]), f.Like, '\\', false) {
				out = append(out, r)
			}
		}
		return out, nil
	}
	x, err := Compile(f.Where.Expr, &TableScope{Columns: cols, Clause: "where clause"})
	if err != nil {
		return nil, err
	}
	env := *sc.env
	for _, r := range rows {
		env.Row = r
		ok, err := EvalBool(x, &env)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// showResult wraps rows with VARCHAR columns.
func showResult(cols []string, rows [][]Value) (rowIter, []ColumnInfo, error) {
	infos := make([]ColumnInfo, len(cols))
	for i, c := range cols {
		infos[i] = ColumnInfo{Name: c, DatabaseTypeName: "VARCHAR", Kind: KindString, Nullable: true, NullableOK: true}
		for _, r := range rows {
			switch r[i].K {
			case KindInt:
				infos[i].DatabaseTypeName, infos[i].Kind = "BIGINT", KindInt
			case KindTime:
				infos[i].DatabaseTypeName, infos[i].Kind = "DATETIME", KindTime
			}
			if r[i].K != KindNull {
				break
			}
		}
	}
	return &sliceIter{rows: rows}, infos, nil
}

// tableMaint runs ANALYZE, OPTIMIZE or CHECK TABLE. Statistics need no
// gathering (the planner counts ranges exactly) and the cleaner keeps the
// file compact, so ANALYZE and OPTIMIZE report OK; CHECK TABLE runs
// bxtree's Check on the table's row tree, tombstone tree and index trees.
func (sc *stmtCtx) tableMaint(s *TableMaintStmt) (rowIter, []ColumnInfo, error) {
	var rows [][]Value
	for _, tn := range s.Tables {
		name := sc.e.dbName + "." + tn.Name
		t, err := sc.lookupTable(tn.Schema, tn.Name)
		if err != nil {
			rows = append(rows,
				[]Value{StringValue(name), StringValue(s.Op), StringValue("Error"), StringValue(err.Error())},
				[]Value{StringValue(name), StringValue(s.Op), StringValue("status"), StringValue("Operation failed")})
			continue
		}
		msg := "OK"
		if s.Op == "check" {
			trees := []string{t.tree}
			if t.dead != "" {
				trees = append(trees, t.dead)
			}
			for _, ix := range t.indexes {
				trees = append(trees, ix.tree)
			}
			for _, tr := range trees {
				h, err := sc.tree(tr)
				if err == nil {
					err = h.Check()
				}
				if err != nil {
					rows = append(rows, []Value{StringValue(name), StringValue(s.Op), StringValue("error"), StringValue(err.Error())})
					msg = "Corrupt"
					break
				}
			}
			if msg == "OK" && t.dead != "" {
				if err := sc.checkTombstones(t); err != nil {
					rows = append(rows, []Value{StringValue(name), StringValue(s.Op), StringValue("error"), StringValue(err.Error())})
					msg = "Corrupt"
				}
			}
		}
		rows = append(rows, []Value{StringValue(name), StringValue(s.Op), StringValue("status"), StringValue(msg)})
	}
	return showResult([]string{"Table", "Op", "Msg_type", "Msg_text"}, rows)
}

// checkTombstones checks the invariants of a synchronized table's
// tombstones (syncreplica.go): empty values, and no key both live and
// dead.
func (sc *stmtCtx) checkTombstones(t *table) error {
	live, err := sc.tree(t.tree)
	if err != nil {
		return err
	}
	dead, err := sc.tree(t.dead)
	if err != nil {
		return err
	}
	c := dead.Cursor()
	for ok := c.First(); ok; ok = c.Next() {
		if err := sc.tick(); err != nil {
			return err
		}
		if len(c.Value()) != 0 {
			return fmt.Errorf("%w: tombstone %x has a value", ErrCorrupt, c.Key())
		}
		if _, _, found, err := live.Get(c.Key()); err != nil {
			return err
		} else if found {
			return fmt.Errorf("%w: key %x is both live and dead", ErrCorrupt, c.Key())
		}
	}
	return c.Err()
}

// showCreateViewResult is SHOW CREATE VIEW's answer for v: the statement
// that creates it (its query as written), with MySQL's columns.
func showCreateViewResult(v *viewDesc) ([]string, [][]Value) {
	var b strings.Builder
	b.WriteString("CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW ")
	b.WriteString(quoteIdent(v.Name))
	if v.ExplicitColumns {
		b.WriteString(" (")
		for i, c := range v.Columns {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(quoteIdent(c))
		}
		b.WriteString(")")
	}
	b.WriteString(" AS ")
	b.WriteString(v.Select)
	if v.CheckOption != "" {
		b.WriteString(" WITH " + v.CheckOption + " CHECK OPTION")
	}
	return []string{"View", "Create View", "character_set_client", "collation_connection"},
		[][]Value{{StringValue(v.Name), StringValue(b.String()), StringValue("utf8mb4"), StringValue("utf8mb4_0900_ai_ci")}}
}

// storeStatus is the Bxdb_ part of SHOW STATUS: the counters of the
// bedrock store since it was opened (bedrock.Stats), as strings like
// MySQL's status values.
func storeStatus(st bedrock.Stats) [][]Value {
	u := func(name string, v uint64) []Value { return []Value{str(name), str(strconv.FormatUint(v, 10))} }
	return [][]Value{
		u("Bxdb_write_transactions", st.WriteTxs),
		u("Bxdb_commits", st.Commits),
		u("Bxdb_commit_groups", st.Groups),
		u("Bxdb_fdatasyncs", st.Syncs),
		u("Bxdb_blocks_written", st.BlocksWritten),
		u("Bxdb_bytes_written", st.BytesWritten),
		u("Bxdb_blocks_packed", st.PackedBlocks),
		u("Bxdb_block_reads", st.Reads),
		u("Bxdb_bytes_read", st.ReadBytes),
		u("Bxdb_cache_hits", st.CacheHits),
		u("Bxdb_cache_misses", st.CacheMisses),
		u("Bxdb_cache_evictions", st.CacheEvictions),
		u("Bxdb_cache_bytes", uint64(max(st.CacheBytes, 0))),
		u("Bxdb_corrupt_reads", st.CorruptReads),
		u("Bxdb_repaired_blocks", st.Repaired),
		u("Bxdb_relocated_blocks", st.Relocated),
		u("Bxdb_file_bytes", st.FileUnits*uint64(st.UnitSize)),
		u("Bxdb_free_bytes", st.FreeUnits*uint64(st.UnitSize)),
		u("Bxdb_generation", st.Generation),
	}
}
