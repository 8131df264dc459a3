package sqlfront

import (
	"strconv"
	"strings"
	"time"
)

// information_schema: virtual tables generated from the catalog the
// statement sees (so a transaction sees its own DDL). The database is the
// file's base name (DATABASE()); every table reports it as TABLE_SCHEMA.

// infoSchemaDef is one information_schema table: its columns and rows.
type infoSchemaDef struct {
	cols []string
	rows func(sc *stmtCtx) ([][]Value, error)
}

// infoSchemaTables are the supported information_schema tables, by
// lowercased name.
var infoSchemaTables = map[string]infoSchemaDef{
	"tables": {cols: []string{"TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "TABLE_TYPE", "ENGINE", "VERSION",
		"ROW_FORMAT", "TABLE_ROWS", "AVG_ROW_LENGTH", "DATA_LENGTH", "MAX_DATA_LENGTH", "INDEX_LENGTH", "DATA_FREE",
		"AUTO_INCREMENT", "CREATE_TIME", "UPDATE_TIME", "CHECK_TIME", "TABLE_COLLATION", "CHECKSUM", "CREATE_OPTIONS",
		"TABLE_COMMENT"}, rows: isTablesRows},
	"columns": {cols: []string{"TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "COLUMN_NAME", "ORDINAL_POSITION",
		"COLUMN_DEFAULT", "IS_NULLABLE", "DATA_TYPE", "CHARACTER_MAXIMUM_LENGTH", "CHARACTER_OCTET_LENGTH",
		"NUMERIC_PRECISION", "NUMERIC_SCALE", "DATETIME_PRECISION", "CHARACTER_SET_NAME", "COLLATION_NAME",
		"COLUMN_TYPE", "COLUMN_KEY", "EXTRA", "PRIVILEGES", "COLUMN_COMMENT", "GENERATION_EXPRESSION", "SRS_ID"},
		rows: isColumnsRows},
	"statistics": {cols: []string{"TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "NON_UNIQUE", "INDEX_SCHEMA",
		"INDEX_NAME", "SEQ_IN_INDEX", "COLUMN_NAME", "COLLATION", "CARDINALITY", "SUB_PART", "PACKED", "NULLABLE",
		"INDEX_TYPE", "COMMENT", "INDEX_COMMENT", "IS_VISIBLE", "EXPRESSION"}, rows: isStatisticsRows},
	"schemata": {cols: []string{"CATALOG_NAME", "SCHEMA_NAME", "DEFAULT_CHARACTER_SET_NAME", "DEFAULT_COLLATION_NAME",
		"SQL_PATH", "DEFAULT_ENCRYPTION"}, rows: isSchemataRows},
	"table_constraints": {cols: []string{"CONSTRAINT_CATALOG", "CONSTRAINT_SCHEMA", "CONSTRAINT_NAME", "TABLE_SCHEMA",
		"TABLE_NAME", "CONSTRAINT_TYPE", "ENFORCED"}, rows: isConstraintRows},
	"key_column_usage": {cols: []string{"CONSTRAINT_CATALOG", "CONSTRAINT_SCHEMA", "CONSTRAINT_NAME", "TABLE_CATALOG",
		"TABLE_SCHEMA", "TABLE_NAME", "COLUMN_NAME", "ORDINAL_POSITION", "POSITION_IN_UNIQUE_CONSTRAINT",
		"REFERENCED_TABLE_SCHEMA", "REFERENCED_TABLE_NAME", "REFERENCED_COLUMN_NAME"}, rows: isKeyColumnRows},
	"referential_constraints": {cols: []string{"CONSTRAINT_CATALOG", "CONSTRAINT_SCHEMA", "CONSTRAINT_NAME",
		"UNIQUE_CONSTRAINT_CATALOG", "UNIQUE_CONSTRAINT_SCHEMA", "UNIQUE_CONSTRAINT_NAME", "MATCH_OPTION",
		"UPDATE_RULE", "DELETE_RULE", "TABLE_NAME", "REFERENCED_TABLE_NAME"}, rows: isRefConstraintRows},
	"check_constraints": {cols: []string{"CONSTRAINT_CATALOG", "CONSTRAINT_SCHEMA", "CONSTRAINT_NAME", "CHECK_CLAUSE"},
		rows: isCheckRows},
	"views": {cols: []string{"TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "VIEW_DEFINITION", "CHECK_OPTION",
		"IS_UPDATABLE", "DEFINER", "SECURITY_TYPE", "CHARACTER_SET_CLIENT", "COLLATION_CONNECTION"}, rows: isViewsRows},
	"triggers": {cols: isTriggersCols, rows: isTriggersRows},
	"routines": {cols: []string{"SPECIFIC_NAME", "ROUTINE_CATALOG", "ROUTINE_SCHEMA", "ROUTINE_NAME", "ROUTINE_TYPE"},
		rows: emptyRowsFn},
	"engines": {cols: []string{"ENGINE", "SUPPORT", "COMMENT", "TRANSACTIONS", "XA", "SAVEPOINTS"},
		rows: func(*stmtCtx) ([][]Value, error) {
			return [][]Value{{StringValue("InnoDB"), StringValue("DEFAULT"), StringValue("bxdb B+-trees"), StringValue("YES"), StringValue("NO"), StringValue("YES")}}, nil
		}},
}

// emptyRowsFn returns no rows.
func emptyRowsFn(*stmtCtx) ([][]Value, error) { return nil, nil }

// infoSchemaTable returns the information_schema table name as a FROM
// table.
func (sc *stmtCtx) infoSchemaTable(name string) (*fromTable, error) {
	def, ok := infoSchemaTables[strings.ToLower(name)]
	if !ok {
		return nil, errNoSuchTable("information_schema", name)
	}
	ft := &fromTable{alias: name, cols: def.cols}
	for range def.cols {
		ft.types = append(ft.types, ColumnType{Base: TypeVarChar, Length: 64})
		ft.null = append(ft.null, true)
	}
	ft.virt = &virtualSrc{name: "information_schema." + strings.ToLower(name), gen: def.rows}
	return ft, nil
}

// str, num and null shorten row building.
func str(s string) Value { return StringValue(s) }
func num(n int64) Value  { return IntValue(n) }

// isTablesRows generates information_schema.TABLES.
func isTablesRows(sc *stmtCtx) ([][]Value, error) {
	var rows [][]Value
	for _, t := range sc.cat.sortedTables() {
		n, ai, err := sc.tableStats(t)
		if err != nil {
			return nil, err
		}
		created := TimeValue(time.Unix(t.desc.Created, 0))
		aiv := Null
		if t.autoInc >= 0 {
			aiv = UintValue(ai)
		}
		rows = append(rows, []Value{str("def"), str(sc.e.dbName), str(t.desc.Name), str("BASE TABLE"), str("InnoDB"), num(10),
			str("Dynamic"), UintValue(n), num(0), num(0), num(0), num(0), num(0), aiv, created, Null, Null,
			str(displayCollation(descCollation(t.desc))), Null, str(""), str(t.desc.Comment)})
	}
	for _, v := range sc.cat.sortedViews() {
		r := []Value{str("def"), str(sc.e.dbName), str(v.Name), str("VIEW")}
		for len(r) < 20 {
			r = append(r, Null)
		}
		rows = append(rows, append(r, str("VIEW")))
	}
	return rows, nil
}

// isViewsRows generates information_schema.VIEWS.
func isViewsRows(sc *stmtCtx) ([][]Value, error) {
	var rows [][]Value
	for _, v := range sc.cat.sortedViews() {
		check := v.CheckOption
		if check == "" {
			check = "NONE"
		}
		rows = append(rows, []Value{str("def"), str(sc.e.dbName), str(v.Name), str(v.Select), str(check),
			str("NO"), str("root@%"), str("DEFINER"), str("utf8mb4"), str("utf8mb4_0900_ai_ci")})
	}
	return rows, nil
}

// tableStats returns a table's row count and next auto-increment value.
func (sc *stmtCtx) tableStats(t *table) (uint64, uint64, error) {
	tr, err := sc.tree(t.tree)
	if err != nil {
		return 0, 0, err
	}
	n, err := tr.Count(nil, nil)
	if err != nil {
		return 0, 0, err
	}
	var ai uint64
	if t.autoInc >= 0 {
		if ai, err = readAutoCounter(sc.tx, t.desc.ID); err != nil {
			return 0, 0, err
		}
		ai = max(ai, t.desc.AutoIncBase, 1)
	}
	return n, ai, nil
}

// columnKey returns COLUMN_KEY: PRI, UNI, MUL or "".
func columnKey(t *table, ord int) string {
	for _, c := range t.pk {
		if c == ord {
			return "PRI"
		}
	}
	key := ""
	for _, ix := range t.indexes {
		if ix.cols[0] != ord {
			continue
		}
		if ix.desc.Unique && len(ix.cols) == 1 {
			return "UNI"
		}
		key = "MUL"
	}
	for _, fx := range t.fulltext {
		if fx.cols[0] == ord {
			key = "MUL"
		}
	}
	return key
}

// columnExtra returns EXTRA.
func columnExtra(c *column) string {
	var parts []string
	if c.desc.AutoInc {
		parts = append(parts, "auto_increment")
	}
	if c.desc.HasDefault && isExprDefault(c.desc.Default) {
		parts = append(parts, "DEFAULT_GENERATED")
	}
	if c.desc.OnUpdate != "" {
		parts = append(parts, "on update "+nowText(c.desc.OnUpdate))
	}
	if c.desc.Gen != "" {
		parts = append(parts, map[bool]string{true: "STORED GENERATED", false: "VIRTUAL GENERATED"}[c.desc.GenStored])
	}
	return strings.Join(parts, " ")
}

// isExprDefault reports whether a DEFAULT text is an expression
// (CURRENT_TIMESTAMP or a parenthesized MySQL 8 default) rather than a
// literal.
func isExprDefault(text string) bool {
	return defaultIsNow(text) || strings.HasPrefix(strings.TrimSpace(text), "(")
}

// nowText normalizes CURRENT_TIMESTAMP synonyms to MySQL's display form.
func nowText(text string) string {
	t := strings.ToLower(strings.TrimSpace(text))
	if i := strings.IndexByte(t, '('); i >= 0 {
		arg := strings.Trim(strings.TrimSpace(t[i:]), "()")
		if strings.TrimSpace(arg) != "" {
			return "CURRENT_TIMESTAMP(" + strings.TrimSpace(arg) + ")"
		}
	}
	return "CURRENT_TIMESTAMP"
}

// columnDefault returns COLUMN_DEFAULT: the literal's text (b'101' for a
// BIT column, as MySQL shows it), the expression for expression defaults,
// NULL for none or DEFAULT NULL.
func columnDefault(c *column) Value {
	d := c.desc
	if !d.HasDefault {
		return Null
	}
	if defaultIsNow(d.Default) {
		return str(nowText(d.Default))
	}
	if isExprDefault(d.Default) {
		return str(d.Default)
	}
	v, err := evalDefault(d, c.typ)
	if err != nil || v.K == KindNull {
		return Null
	}
	switch {
	case c.typ.Base == TypeBit:
		return str("b'" + strconv.FormatUint(toUint64Bits(v), 2) + "'")
	case v.K == KindBytes:
		return str(v.S)
	}
	return str(Format(v))
}

// dataType returns DATA_TYPE, the type's lowercase base name.
func dataType(t ColumnType) string {
	s := t.String()
	if t.Base == TypeBool {
		return "tinyint"
	}
	if i := strings.IndexAny(s, "( "); i >= 0 {
		s = s[:i]
	}
	return s
}

// numericPrecision returns NUMERIC_PRECISION and NUMERIC_SCALE.
func numericPrecision(t ColumnType) (Value, Value) {
	switch t.Base {
	case TypeTinyInt, TypeBool:
		return num(3), num(0)
	case TypeSmallInt:
		return num(5), num(0)
	case TypeMediumInt:
		return num(7), num(0)
	case TypeInt:
		return num(10), num(0)
	case TypeBigInt:
		if t.Unsigned {
			return num(20), num(0)
		}
		return num(19), num(0)
	case TypeBit:
		return num(int64(t.Length)), Null
	case TypeDecimal:
		p, s := t.decimalPS()
		return num(int64(p)), num(int64(s))
	case TypeFloat:
		if t.Precision > 0 {
			return num(int64(t.Precision)), num(int64(t.Scale))
		}
		return num(12), Null
	case TypeDouble:
		if t.Precision > 0 {
			return num(int64(t.Precision)), num(int64(t.Scale))
		}
		return num(22), Null
	}
	return Null, Null
}

// charLength returns CHARACTER_MAXIMUM_LENGTH and CHARACTER_OCTET_LENGTH.
func charLength(t ColumnType) (Value, Value) {
	switch t.Base {
	case TypeChar, TypeVarChar:
		return num(int64(t.Length)), num(4 * int64(t.Length))
	case TypeText, TypeBlob:
		n := int64(t.maxBytes())
		return num(n), num(n)
	case TypeBinary, TypeVarBinary:
		return num(int64(t.Length)), num(int64(t.Length))
	case TypeEnum:
		m := 0
		for _, e := range t.Elems {
			m = max(m, len(e))
		}
		return num(int64(m)), num(4 * int64(m))
	case TypeSet:
		m := max(len(t.Elems)-1, 0)
		for _, e := range t.Elems {
			m += len(e)
		}
		return num(int64(m)), num(4 * int64(m))
	case TypeJSON:
		return Null, Null
	}
	return Null, Null
}

// isColumnsRows generates information_schema.COLUMNS: tables' columns,
// then views' (describeView).
func isColumnsRows(sc *stmtCtx) ([][]Value, error) {
	var rows [][]Value
	row := func(table string, pos int, name string, typ ColumnType, def Value, nullable bool, key, extra, comment, gen string) {
		np, ns := numericPrecision(typ)
		cl, ol := charLength(typ)
		dp := Null
		switch typ.Base {
		case TypeDatetime, TypeTimestamp, TypeTime:
			dp = num(int64(typ.Scale))
		}
		cs, coll := Null, Null
		if typ.Kind() == KindString {
			cs, coll = str(collationCharset(typ.Collation)), str(displayCollation(typ.Collation))
		}
		rows = append(rows, []Value{str("def"), str(sc.e.dbName), str(table), str(name), num(int64(pos)),
			def, str(yesNo(nullable)), str(dataType(typ)), cl, ol, np, ns, dp, cs, coll,
			str(typ.String()), str(key), str(extra), str("select,insert,update,references"),
			str(comment), str(gen), Null})
	}
	for _, t := range sc.cat.sortedTables() {
		for i, c := range t.cols {
			row(t.desc.Name, i+1, c.desc.Name, c.typ, columnDefault(c), !c.desc.NotNull, columnKey(t, i), columnExtra(c), c.desc.Comment, c.desc.Gen)
		}
	}
	for _, v := range sc.cat.sortedViews() {
		vcs, err := describeViewFn(sc, v)
		if err != nil {
			continue // a view whose tables are gone (MySQL warns)
		}
		for i, vc := range vcs {
			def, cmt := Null, ""
			if vc.src != nil {
				def, cmt = columnDefault(vc.src), vc.src.desc.Comment
			}
			row(v.Name, i+1, vc.name, vc.typ, def, vc.nullable, "", "", cmt, "")
		}
	}
	return rows, nil
}

// keyEntries lists a table's keys as (name, unique, cols, descs), the
// primary key first, the FULLTEXT indexes (ft) last.
func keyEntries(t *table) []struct {
	name   string
	unique bool
	cols   []int
	descs  []bool
	parts  []keyPart
	cmt    string
	ft     bool
} {
	type ent = struct {
		name   string
		unique bool
		cols   []int
		descs  []bool
		parts  []keyPart
		cmt    string
		ft     bool
	}
	var out []ent
	if !t.hidden {
		out = append(out, ent{name: "PRIMARY", unique: true, cols: t.pk, descs: t.pkDesc, parts: t.desc.PK})
	}
	for _, ix := range t.indexes {
		out = append(out, ent{name: ix.desc.Name, unique: ix.desc.Unique, cols: ix.cols, descs: ix.descs, parts: ix.desc.Parts, cmt: ix.desc.Comment})
	}
	for _, fx := range t.fulltext {
		out = append(out, ent{name: fx.desc.Name, cols: fx.cols, descs: make([]bool, len(fx.cols)), parts: make([]keyPart, len(fx.cols)), cmt: fx.desc.Comment, ft: true})
	}
	return out
}

// keyTypeColl returns a key entry's Index_type and the Collation of its
// part i (NULL for FULLTEXT).
func keyTypeColl(ft, desc bool) (string, Value) {
	switch {
	case ft:
		return "FULLTEXT", Null
	case desc:
		return "BTREE", str("D")
	}
	return "BTREE", str("A")
}

// isStatisticsRows generates information_schema.STATISTICS.
func isStatisticsRows(sc *stmtCtx) ([][]Value, error) {
	var rows [][]Value
	for _, t := range sc.cat.sortedTables() {
		for _, k := range keyEntries(t) {
			for i, c := range k.cols {
				nonUnique := int64(1)
				if k.unique {
					nonUnique = 0
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
				rows = append(rows, []Value{str("def"), str(sc.e.dbName), str(t.desc.Name), num(nonUnique), str(sc.e.dbName),
					str(k.name), num(int64(i + 1)), str(t.cols[c].desc.Name), coll, num(0), sub, Null, str(null),
					str(typ), str(""), str(k.cmt), str("YES"), Null})
			}
		}
	}
	return rows, nil
}

// isSchemataRows generates information_schema.SCHEMATA.
func isSchemataRows(sc *stmtCtx) ([][]Value, error) {
	row := func(name string) []Value {
		return []Value{str("def"), str(name), str("utf8mb4"), str("utf8mb4_0900_ai_ci"), Null, str("NO")}
	}
	return [][]Value{row("information_schema"), row(sc.e.dbName)}, nil
}

// isConstraintRows generates information_schema.TABLE_CONSTRAINTS.
func isConstraintRows(sc *stmtCtx) ([][]Value, error) {
	var rows [][]Value
	db := sc.e.dbName
	for _, t := range sc.cat.sortedTables() {
		for _, k := range keyEntries(t) {
			if !k.unique {
				continue
			}
			typ := "UNIQUE"
			if k.name == "PRIMARY" {
				typ = "PRIMARY KEY"
			}
			rows = append(rows, []Value{str("def"), str(db), str(k.name), str(db), str(t.desc.Name), str(typ), str("YES")})
		}
		for _, fk := range t.desc.ForeignKeys {
			rows = append(rows, []Value{str("def"), str(db), str(fk.Name), str(db), str(t.desc.Name), str("FOREIGN KEY"), str("YES")})
		}
		for _, ck := range t.desc.Checks {
			rows = append(rows, []Value{str("def"), str(db), str(ck.Name), str(db), str(t.desc.Name), str("CHECK"), str(yesNo(!ck.NotEnforced))})
		}
	}
	return rows, nil
}

// yesNo returns "YES" or "NO".
func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

// isKeyColumnRows generates information_schema.KEY_COLUMN_USAGE.
func isKeyColumnRows(sc *stmtCtx) ([][]Value, error) {
	var rows [][]Value
	db := sc.e.dbName
	for _, t := range sc.cat.sortedTables() {
		for _, k := range keyEntries(t) {
			if !k.unique {
				continue
			}
			for i, c := range k.cols {
				rows = append(rows, []Value{str("def"), str(db), str(k.name), str("def"), str(db), str(t.desc.Name),
					str(t.cols[c].desc.Name), num(int64(i + 1)), Null, Null, Null, Null})
			}
		}
		for _, fk := range t.desc.ForeignKeys {
			for i, c := range fk.Columns {
				ref := Null
				if i < len(fk.RefColumns) {
					ref = str(fk.RefColumns[i])
				}
				rows = append(rows, []Value{str("def"), str(db), str(fk.Name), str("def"), str(db), str(t.desc.Name),
					str(c), num(int64(i + 1)), num(int64(i + 1)), str(db), str(fk.RefTable), ref})
			}
		}
	}
	return rows, nil
}

// isRefConstraintRows generates information_schema.REFERENTIAL_CONSTRAINTS.
func isRefConstraintRows(sc *stmtCtx) ([][]Value, error) {
	var rows [][]Value
	db := sc.e.dbName
	for _, t := range sc.cat.sortedTables() {
		for _, fk := range t.desc.ForeignKeys {
			rows = append(rows, []Value{str("def"), str(db), str(fk.Name), str("def"), str(db), fkUniqueName(sc, t, fk), str("NONE"),
				str(refActionText(fk.OnUpdate)), str(refActionText(fk.OnDelete)), str(t.desc.Name), str(fk.RefTable)})
		}
	}
	return rows, nil
}

// fkUniqueName is REFERENTIAL_CONSTRAINTS.UNIQUE_CONSTRAINT_NAME: the
// name of the parent's key that fk of t references (PRIMARY, or a UNIQUE
// or plain index), NULL when the parent table or key is missing.
func fkUniqueName(sc *stmtCtx, t *table, fk *fkDesc) Value {
	for _, r := range sc.cat.fks().byChild[t] {
		if r.fk != fk || r.parent == nil {
			continue
		}
		switch ix, pk := fkKeyAccess(r.parent, r.pcols); {
		case pk:
			return str("PRIMARY")
		case ix != nil:
			return str(ix.desc.Name)
		}
	}
	return Null
}

// refActionText returns a referential action as MySQL reports it.
func refActionText(a string) string {
	if a == "" {
		return "NO ACTION"
	}
	return a
}

// isCheckRows generates information_schema.CHECK_CONSTRAINTS.
func isCheckRows(sc *stmtCtx) ([][]Value, error) {
	var rows [][]Value
	for _, t := range sc.cat.sortedTables() {
		for _, ck := range t.desc.Checks {
			rows = append(rows, []Value{str("def"), str(sc.e.dbName), str(ck.Name), str("(" + ck.Expr + ")")})
		}
	}
	return rows, nil
}

// quoteIdent quotes a name with backticks.
func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// showCreateTable renders SHOW CREATE TABLE.
func showCreateTable(t *table, ai uint64) string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if t.temp {
		b.WriteString("TEMPORARY ")
	}
	b.WriteString("TABLE " + quoteIdent(t.desc.Name) + " (\n")
	var lines []string
	tcoll := descCollation(t.desc)
	for _, c := range t.cols {
		l := "  " + quoteIdent(c.desc.Name) + " " + c.typ.String()
		if c.typ.hasCollation() && c.typ.Collation != tcoll {
			// MySQL 8 names both when they differ from the table's.
			l += " CHARACTER SET " + collationCharset(c.typ.Collation) + " COLLATE " + displayCollation(c.typ.Collation)
		}
		if c.desc.Gen != "" {
			l += " GENERATED ALWAYS AS (" + c.desc.Gen + ") " + map[bool]string{true: "STORED", false: "VIRTUAL"}[c.desc.GenStored]
			if c.desc.NotNull {
				l += " NOT NULL"
			}
			if c.desc.Comment != "" {
				l += " COMMENT " + quoteSQLString(c.desc.Comment)
			}
			lines = append(lines, l)
			continue
		}
		if c.desc.NotNull {
			l += " NOT NULL"
		}
		if c.desc.AutoInc {
			l += " AUTO_INCREMENT"
		}
		// MySQL prints no DEFAULT NULL for TEXT and BLOB columns (they have
		// no literal default), though it does for JSON.
		lob := c.typ.Base == TypeText || c.typ.Base == TypeBlob
		if c.desc.HasDefault {
			dv := columnDefault(c)
			switch {
			case dv.K == KindNull:
				if !c.desc.NotNull && !lob {
					l += " DEFAULT NULL"
				}
			case defaultIsNow(c.desc.Default) || isExprDefault(c.desc.Default) || c.typ.Base == TypeBit:
				l += " DEFAULT " + dv.S // CURRENT_TIMESTAMP, (expr), b'101'
			case c.typ.Kind() == KindInt || c.typ.Kind() == KindFloat || c.typ.Kind() == KindDecimal:
				l += " DEFAULT " + quoteSQLString(dv.S)
			default:
				l += " DEFAULT " + quoteSQLString(dv.S)
			}
		} else if !c.desc.NotNull && !c.desc.AutoInc && !lob {
			l += " DEFAULT NULL"
		}
		if c.desc.OnUpdate != "" {
			l += " ON UPDATE " + nowText(c.desc.OnUpdate)
		}
		if c.desc.Comment != "" {
			l += " COMMENT " + quoteSQLString(c.desc.Comment)
		}
		lines = append(lines, l)
	}
	keyCols := func(cols []int, descs []bool, parts []keyPart) string {
		var ps []string
		for i, c := range cols {
			p := quoteIdent(t.cols[c].desc.Name)
			if parts[i].Length > 0 {
				p += "(" + itoa(int64(parts[i].Length)) + ")"
			}
			if descs[i] {
				p += " DESC"
			}
			ps = append(ps, p)
		}
		return "(" + strings.Join(ps, ",") + ")"
	}
	if !t.hidden {
		lines = append(lines, "  PRIMARY KEY "+keyCols(t.pk, t.pkDesc, t.desc.PK))
	}
	for _, ix := range t.indexes {
		kind := "KEY "
		if ix.desc.Unique {
			kind = "UNIQUE KEY "
		}
		l := "  " + kind + quoteIdent(ix.desc.Name) + " " + keyCols(ix.cols, ix.descs, ix.desc.Parts)
		if ix.desc.Comment != "" {
			l += " COMMENT " + quoteSQLString(ix.desc.Comment)
		}
		lines = append(lines, l)
	}
	for _, fx := range t.fulltext {
		l := "  FULLTEXT KEY " + quoteIdent(fx.desc.Name) + " " + keyCols(fx.cols, make([]bool, len(fx.cols)), make([]keyPart, len(fx.cols)))
		if fx.desc.Comment != "" {
			l += " COMMENT " + quoteSQLString(fx.desc.Comment)
		}
		lines = append(lines, l)
	}
	for _, fk := range t.desc.ForeignKeys {
		var cs, rs []string
		for _, c := range fk.Columns {
			cs = append(cs, quoteIdent(c))
		}
		for _, c := range fk.RefColumns {
			rs = append(rs, quoteIdent(c))
		}
		l := "  CONSTRAINT " + quoteIdent(fk.Name) + " FOREIGN KEY (" + strings.Join(cs, ", ") + ") REFERENCES " + quoteIdent(fk.RefTable) + " (" + strings.Join(rs, ", ") + ")"
		if fk.OnDelete != "" {
			l += " ON DELETE " + fk.OnDelete
		}
		if fk.OnUpdate != "" {
			l += " ON UPDATE " + fk.OnUpdate
		}
		lines = append(lines, l)
	}
	for _, ck := range t.desc.Checks {
		l := "  CONSTRAINT " + quoteIdent(ck.Name) + " CHECK (" + ck.Expr + ")"
		if ck.NotEnforced {
			l += " /*!80016 NOT ENFORCED */"
		}
		lines = append(lines, l)
	}
	b.WriteString(strings.Join(lines, ",\n"))
	b.WriteString("\n) ENGINE=InnoDB")
	if t.autoInc >= 0 && ai > 1 {
		b.WriteString(" AUTO_INCREMENT=" + itoa(int64(ai)))
	}
	b.WriteString(" DEFAULT CHARSET=" + collationCharset(tcoll) + " COLLATE=" + displayCollation(tcoll))
	if t.desc.Comment != "" {
		b.WriteString(" COMMENT=" + quoteSQLString(t.desc.Comment))
	}
	return b.String()
}
