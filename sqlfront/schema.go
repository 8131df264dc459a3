package sqlfront

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xwb1989/sqlparser"
)

// Schema construction: from the parser's DDL AST (ddl_ast.go) to catalog
// descriptors (catalog.go), with MySQL's defaults and checks.

// Default kinds, derived from a DEFAULT clause when the column is created.
const (
	maxTextLen  = 65535
	maxVarChar  = 65535 // VARCHAR without a length (bxdb, like SQLite, does not require one)
	maxKeyParts = 16    // MySQL's limit of columns per index
	// longTextLen is LONGTEXT's length, 2^32-1 (the largest int on 32-bit
	// systems there).
	longTextLen = int(min(math.MaxInt, 1<<32-1))
)

// columnTypeFromDDL converts a parsed column type to the engine's
// ColumnType, applying MySQL's defaults (CHAR is CHAR(1), DECIMAL is
// DECIMAL(10,0), FLOAT(p>24) is DOUBLE). col names the column in errors.
func columnTypeFromDDL(d DDLColumnType, col string) (ColumnType, error) {
	t := ColumnType{Unsigned: d.Unsigned || d.Zerofill, Length: d.Length}
	switch d.Kind {
	case DDLTypeTinyInt:
		t.Base = TypeTinyInt
		if d.Length == 1 && !t.Unsigned {
			t.Base = TypeBool // TINYINT(1) is MySQL's BOOLEAN
		}
	case DDLTypeSmallInt:
		t.Base = TypeSmallInt
	case DDLTypeMediumInt:
		t.Base = TypeMediumInt
	case DDLTypeInt:
		t.Base = TypeInt
	case DDLTypeBigInt:
		t.Base = TypeBigInt
	case DDLTypeBool:
		t.Base, t.Length, t.Unsigned = TypeBool, 1, false
	case DDLTypeBit:
		t.Base, t.Unsigned = TypeBit, true
		var err error
		if t.Length, err = bitWidth(d.Length, col); err != nil {
			return t, err
		}
	case DDLTypeFloat, DDLTypeDouble:
		t.Base = TypeDouble
		if d.Kind == DDLTypeFloat {
			t.Base = TypeFloat
		}
		t.Length = 0
		switch {
		case d.Kind == DDLTypeFloat && d.Scale == 0 && d.Precision > 24:
			t.Base = TypeDouble // FLOAT(p) with p > 24
		case d.Scale > 0 || (d.Precision > 0 && d.Kind == DDLTypeDouble):
			if d.Scale > MaxDecimalScale {
				return t, engErr(ErTooBigScale, "Too big scale %d specified for column '%s'. Maximum is %d.", d.Scale, col, MaxDecimalScale)
			}
			if d.Scale > d.Precision {
				return t, engErr(1427, "For float(M,D), double(M,D) or decimal(M,D), M must be >= D (column '%s').", col)
			}
			t.Precision, t.Scale = d.Precision, d.Scale
		}
	case DDLTypeDecimal:
		t.Base, t.Length = TypeDecimal, 0
		t.Precision, t.Scale = d.Precision, d.Scale
		if t.Precision == 0 {
			t.Precision = 10
		}
		if t.Precision > MaxDecimalPrecision {
			return t, engErr(ErTooBigPrecision, "Too-big precision %d specified for '%s'. Maximum is %d.", t.Precision, col, MaxDecimalPrecision)
		}
		if t.Scale > MaxDecimalScale {
			return t, engErr(ErTooBigScale, "Too big scale %d specified for column '%s'. Maximum is %d.", t.Scale, col, MaxDecimalScale)
		}
		if t.Scale > t.Precision {
			return t, engErr(1427, "For float(M,D), double(M,D) or decimal(M,D), M must be >= D (column '%s').", col)
		}
	case DDLTypeChar:
		t.Base = TypeChar
		if t.Length == 0 && !d.ZeroLength {
			t.Length = 1
		}
		if t.Length > 255 {
			return t, engErr(1074, "Column length too big for column '%s' (max = 255); use BLOB or TEXT instead", col)
		}
	case DDLTypeVarChar:
		t.Base = TypeVarChar
		if t.Length == 0 && !d.ZeroLength {
			t.Length = maxVarChar
		}
		if t.Length > maxVarChar {
			return t, engErr(1074, "Column length too big for column '%s' (max = %d); use BLOB or TEXT instead", col, maxVarChar)
		}
	case DDLTypeTinyText, DDLTypeText, DDLTypeMediumText, DDLTypeLongText:
		t.Base = TypeText
		t.Length = textLength(d.Kind, d.Length)
	case DDLTypeBinary:
		t.Base = TypeBinary
		if t.Length == 0 && !d.ZeroLength {
			t.Length = 1
		}
		if t.Length > 255 {
			return t, engErr(1074, "Column length too big for column '%s' (max = 255); use BLOB or TEXT instead", col)
		}
	case DDLTypeVarBinary:
		t.Base = TypeVarBinary
		if t.Length == 0 && !d.ZeroLength {
			t.Length = maxVarChar
		}
	case DDLTypeTinyBlob, DDLTypeBlob, DDLTypeMediumBlob, DDLTypeLongBlob:
		t.Base = TypeBlob
		t.Length = textLength(d.Kind, d.Length)
	case DDLTypeDate:
		t.Base, t.Length = TypeDate, 0
	case DDLTypeDateTime, DDLTypeTimestamp, DDLTypeTime:
		t.Base = map[TypeKind]BaseType{DDLTypeDateTime: TypeDatetime, DDLTypeTimestamp: TypeTimestamp, DDLTypeTime: TypeTime}[d.Kind]
		t.Length, t.Scale = 0, d.FSP
		if t.Scale > 6 {
			return t, engErr(ErTooBigPrecision, "Too-big precision %d specified for '%s'. Maximum is 6.", t.Scale, col)
		}
	case DDLTypeYear:
		t.Base, t.Length = TypeYear, 0
	case DDLTypeJSON:
		t.Base, t.Length = TypeJSON, 0
	case DDLTypeEnum, DDLTypeSet:
		t.Base, t.Length = TypeEnum, 0
		if d.Kind == DDLTypeSet {
			if len(d.Values) > 64 {
				return t, engErr(1097, "Too many strings for column %s and SET", col)
			}
			t.Base = TypeSet
		}
		for _, v := range d.Values {
			t.Elems = append(t.Elems, strings.TrimRight(v, " "))
		}
	default:
		return t, errNotSupported(d.Kind.String() + " columns")
	}
	if k := t.Kind(); k != KindInt && k != KindFloat && k != KindDecimal {
		t.Unsigned = false
	}
	return t, nil
}

// maxBitWidth is the largest n of BIT(n).
const maxBitWidth = 64

// bitWidth returns the n of BIT(n) written as BIT(length): BIT and BIT(0)
// are BIT(1), as in MySQL, and more than 64 bits is error 1439.
func bitWidth(length int, col string) (int, error) {
	if length > maxBitWidth {
		return 0, engErr(ErTooBigDisplayWidth, "Display width out of range for column '%s' (max = %d)", col, maxBitWidth)
	}
	return max(length, 1), nil
}

// textLength returns the byte limit of a TEXT or BLOB type.
func textLength(k TypeKind, n int) int {
	switch k {
	case DDLTypeTinyText, DDLTypeTinyBlob:
		return 255
	case DDLTypeMediumText, DDLTypeMediumBlob:
		return 16777215
	case DDLTypeLongText, DDLTypeLongBlob, DDLTypeSet:
		return longTextLen
	}
	switch {
	case n <= 0:
		return maxTextLen
	case n <= 255:
		return 255
	case n <= 65535:
		return 65535
	case n <= 16777215:
		return 16777215
	}
	return longTextLen
}

// defaultIsNow reports whether a DEFAULT / ON UPDATE text is
// CURRENT_TIMESTAMP or a synonym, with or without a precision.
func defaultIsNow(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = t[:i]
	}
	switch strings.TrimSpace(t) {
	case "current_timestamp", "now", "localtime", "localtimestamp":
		return true
	}
	return false
}

// checkDuplicateMembers rejects an ENUM or SET column whose members
// repeat under the column's collation (trailing spaces removed): MySQL's
// error 1291, naming the first member that has a later duplicate.
func checkDuplicateMembers(def *ColumnDef, ct ColumnType) error {
	kind := "ENUM"
	switch def.Type.Kind {
	case DDLTypeEnum:
	case DDLTypeSet:
		kind = "SET"
	default:
		return nil
	}
	c := CollBinNoPad // SET ... CHARACTER SET binary is a BLOB
	if ct.hasCollation() {
		c = ct.coll()
	}
	vals := make([]string, len(def.Type.Values))
	for i, v := range def.Type.Values {
		vals[i] = strings.TrimRight(v, " ")
	}
	for i, a := range vals {
		for _, b := range vals[i+1:] {
			if compareColl(c, a, b) == 0 {
				return engErr(1291, "Column '%s' has duplicated value '%s' in %s", def.Name, a, kind)
			}
		}
	}
	return nil
}

// columnFromDef builds a column descriptor from its definition. field is
// its FieldID; tableColl is the table's default collation (normalized). The DEFAULT is validated by evaluating it (error 1067 when
// it does not fit the type).
func columnFromDef(def *ColumnDef, field int, tableColl string) (*columnDesc, error) {
	if def.Name == "" || len(def.Name) > 64 || strings.HasSuffix(def.Name, " ") {
		return nil, engErr(ErWrongColumnName, "Incorrect column name '%s'", def.Name)
	}
	ct, err := columnTypeFromDDL(def.Type, def.Name)
	if err != nil {
		return nil, err
	}
	if ct, err = applyCollation(ct, def.Type, tableColl); err != nil {
		return nil, err
	}
	if err := checkDuplicateMembers(def, ct); err != nil {
		return nil, err
	}
	cd := &columnDesc{Name: def.Name, Field: field, Type: toTypeDesc(ct), NotNull: def.NotNull || def.PrimaryKey,
		AutoInc: def.AutoIncrement, Comment: def.Comment}
	if cd.AutoInc {
		if k := ct.Kind(); (k != KindInt && k != KindFloat) || ct.Base == TypeBit {
			return nil, engErr(ErBadFieldSpec, "Incorrect column specifier for column '%s'", def.Name)
		}
		cd.NotNull = true
	}
	if def.Default != nil {
		if cd.AutoInc {
			return nil, engErr(ErInvalidDefault, "Invalid default value for '%s'", def.Name)
		}
		cd.HasDefault, cd.Default = true, strings.TrimSpace(def.Default.Text)
		if _, isNull := def.Default.Expr.(*sqlparser.NullVal); isNull {
			if cd.NotNull {
				return nil, engErr(ErInvalidDefault, "Invalid default value for '%s'", def.Name)
			}
		} else if defaultIsNow(cd.Default) {
			if ct.Kind() != KindTime || ct.Base == TypeDate || ct.Base == TypeTime {
				return nil, engErr(ErInvalidDefault, "Invalid default value for '%s'", def.Name)
			}
		} else if _, err := evalDefault(cd, ct); err != nil {
			return nil, engErr(ErInvalidDefault, "Invalid default value for '%s'", def.Name)
		}
	}
	if def.OnUpdate != nil {
		cd.OnUpdate = strings.TrimSpace(def.OnUpdate.Text)
	}
	if def.Generated != nil {
		if def.Default != nil || def.OnUpdate != nil || def.AutoIncrement {
			return nil, engErr(ErWrongUsage, "Incorrect usage of DEFAULT, ON UPDATE or AUTO_INCREMENT and generated column")
		}
		cd.Gen, cd.GenStored = strings.TrimSpace(def.Generated.Text), def.GenStored
	}
	return cd, nil
}

// validateGenerated checks the generated columns of d: each expression
// compiles over the table's columns, refers to no generated column
// defined after it (3107) and to no AUTO_INCREMENT column (3109), and
// uses no function whose value is not a function of the row (3102).
func validateGenerated(d *tableDesc) error {
	names := descColumnNames(d)
	for i, c := range d.Columns {
		if c.Gen == "" {
			continue
		}
		x, err := parseSoleExpr(c.Gen)
		if err != nil {
			return NewSQLError(ErParse, "You have an error in your SQL syntax near '%s'", c.Gen)
		}
		var refErr error
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			cn, ok := n.(*sqlparser.ColName)
			if !ok || refErr != nil {
				return refErr == nil, nil
			}
			for j, o := range d.Columns {
				if !strings.EqualFold(o.Name, cn.Name.String()) {
					continue
				}
				switch {
				case o.Gen != "" && j >= i:
					refErr = engErr(3107, "Generated column can refer only to generated columns defined prior to it.")
				case o.AutoInc:
					refErr = engErr(3109, "Generated column '%s' cannot refer to auto-increment column.", c.Name)
				}
			}
			return true, nil
		}, x)
		if refErr != nil {
			return refErr
		}
		e, err := Compile(x, &TableScope{Table: d.Name, Columns: names, Clause: "generated column function"})
		if err != nil {
			var se *SQLError
			if errors.As(err, &se) && se.Number == ErNotSupportedYet {
				return engErr(3102, "Expression of generated column '%s' contains a disallowed function.", c.Name)
			}
			return err
		}
		if depsOf(e)&(depArgs|depEnv|depVolatile|depSubquery) != 0 {
			return engErr(3102, "Expression of generated column '%s' contains a disallowed function.", c.Name)
		}
	}
	return nil
}

// genDependents returns the generated columns of d whose expression names
// column col.
func genDependents(d *tableDesc, col string) []string {
	var out []string
	for _, c := range d.Columns {
		if c.Gen == "" {
			continue
		}
		x, err := parseSoleExpr(c.Gen)
		if err != nil {
			continue
		}
		found := false
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			if cn, ok := n.(*sqlparser.ColName); ok && strings.EqualFold(cn.Name.String(), col) {
				found = true
			}
			return !found, nil
		}, x)
		if found {
			out = append(out, c.Name)
		}
	}
	return out
}

// evalDefault evaluates a column's DEFAULT (the column must have one) and
// coerces it to the column type.
func evalDefault(cd *columnDesc, ct ColumnType) (Value, error) {
	v, err := evalConstText(cd.Default)
	if err != nil {
		return Null, err
	}
	if v.IsNull() {
		return Null, nil
	}
	return CoerceColumn(v, ct, cd.Name, 0)
}

// evalConstText parses and evaluates a constant SQL expression given as
// text (a DEFAULT clause).
func evalConstText(text string) (Value, error) {
	x, err := parseSoleExpr(text)
	if err != nil {
		return Null, NewSQLError(ErParse, "You have an error in your SQL syntax near '%s'", text)
	}
	return evalConstExpr(x)
}

// implicitDefault is the value MySQL gives a NOT NULL column without a
// default when it must invent one (ADD COLUMN on a populated table).
func implicitDefault(ct ColumnType) Value {
	switch ct.Kind() {
	case KindInt:
		if ct.Base == TypeYear {
			return IntValue(0)
		}
		return IntValue(0)
	case KindFloat:
		return FloatValue(0)
	case KindDecimal:
		return DecimalValue(DecimalFromInt(0).Rescale(ct.Scale))
	case KindString:
		if ct.Base == TypeEnum && len(ct.Elems) > 0 {
			return StringValue(ct.Elems[0])
		}
		if ct.Base == TypeJSON {
			return StringValue("null")
		}
		return StringValue("")
	case KindBytes:
		if ct.Base == TypeBinary {
			return BytesValue(make([]byte, ct.Length))
		}
		return BytesValue(nil)
	case KindTime:
		switch ct.Base {
		case TypeDate:
			return DateValue(time.Unix(0, 0))
		case TypeTime:
			return DurationValue(0, ct.Scale)
		}
		return DatetimeValue(time.Unix(0, 0), ct.Scale)
	}
	return Null
}

// indexName picks MySQL's name for an unnamed index: its first column,
// then col_2, col_3, ... on collision.
func indexName(d *tableDesc, first string) string {
	if !indexNameTaken(d, first) {
		return first
	}
	for i := 2; ; i++ {
		n := first + "_" + strconv.Itoa(i)
		if !indexNameTaken(d, n) {
			return n
		}
	}
}

// indexNameTaken reports whether n (case-insensitively) is PRIMARY or the
// name of one of d's indexes, FULLTEXT ones included.
func indexNameTaken(d *tableDesc, n string) bool {
	if strings.EqualFold(n, "PRIMARY") {
		return true
	}
	for _, ix := range d.Indexes {
		if strings.EqualFold(ix.Name, n) {
			return true
		}
	}
	for _, fd := range d.FullText {
		if strings.EqualFold(fd.Name, n) {
			return true
		}
	}
	return false
}

// descColumn returns the column descriptor named name in d, or nil.
func descColumn(d *tableDesc, name string) *columnDesc {
	for _, c := range d.Columns {
		if strings.EqualFold(c.Name, name) {
			return c
		}
	}
	return nil
}

// keyParts resolves an index's columns in d (error 1072 for a missing
// column, 1060-like duplicates rejected as 1060).
func keyParts(d *tableDesc, cols []IndexColumn) ([]keyPart, error) {
	if len(cols) > maxKeyParts {
		return nil, engErr(1070, "Too many key parts specified; max %d parts allowed", maxKeyParts)
	}
	var ps []keyPart
	seen := map[int]bool{}
	for _, ic := range cols {
		c := descColumn(d, ic.Name)
		if c == nil {
			return nil, engErr(ErKeyColumnNotExits, "Key column '%s' doesn't exist in table", ic.Name)
		}
		if seen[c.Field] {
			return nil, engErr(ErDupFieldName, "Duplicate column name '%s'", c.Name)
		}
		seen[c.Field] = true
		if ic.Length > 0 {
			// A prefix of a string: not longer than the column's length.
			ct, _ := c.Type.columnType()
			k := ct.Kind()
			fixed := ct.Base == TypeChar || ct.Base == TypeVarChar || ct.Base == TypeBinary || ct.Base == TypeVarBinary
			if k != KindString && k != KindBytes || ct.Base == TypeEnum || ct.Base == TypeSet || ct.Base == TypeJSON || fixed && ic.Length > ct.Length {
				return nil, engErr(1089, "Incorrect prefix key; the used key part isn't a string, the used length is longer than the key part, or the storage engine doesn't support unique prefix keys")
			}
		}
		ps = append(ps, keyPart{Field: c.Field, Desc: ic.Desc, Length: ic.Length})
	}
	return ps, nil
}

// addIndexDef adds an index definition (PRIMARY, UNIQUE or plain) to d.
func addIndexDef(d *tableDesc, def *IndexDef) (*indexDesc, error) {
	if def.Kind == IndexFullText {
		return nil, addFullText(d, def)
	}
	parts, err := keyParts(d, def.Columns)
	if err != nil {
		return nil, err
	}
	if def.Kind == IndexPrimary {
		if len(d.PK) > 0 {
			return nil, engErr(ErMultiplePriKey, "Multiple primary key defined")
		}
		for i := range parts {
			for _, c := range d.Columns {
				if c.Field == parts[i].Field {
					c.NotNull = true
					if c.HasDefault && strings.EqualFold(c.Default, "null") {
						return nil, engErr(ErInvalidDefault, "Invalid default value for '%s'", c.Name)
					}
				}
			}
		}
		d.PK = parts
		return nil, nil
	}
	name := def.Name
	if name == "" {
		name = indexName(d, def.Columns[0].Name)
	} else {
		if strings.EqualFold(name, "PRIMARY") {
			return nil, engErr(1280, "Incorrect index name '%s'", name)
		}
		if indexNameTaken(d, name) {
			return nil, engErr(ErDupKeyName, "Duplicate key name '%s'", name)
		}
	}
	ix := &indexDesc{ID: d.NextIndex, Name: name, Unique: def.Kind == IndexUnique, Parts: parts, Comment: def.Comment}
	d.NextIndex++
	d.Indexes = append(d.Indexes, ix)
	return ix, nil
}

// checkAutoInc enforces MySQL's rule that the AUTO_INCREMENT column is the
// first column of some key (error 1075).
func checkAutoInc(d *tableDesc) error {
	var ai *columnDesc
	for _, c := range d.Columns {
		if c.AutoInc {
			if ai != nil {
				return engErr(ErWrongAutoKey, "Incorrect table definition; there can be only one auto column and it must be defined as a key")
			}
			ai = c
		}
	}
	if ai == nil {
		return nil
	}
	if len(d.PK) > 0 && d.PK[0].Field == ai.Field {
		return nil
	}
	for _, ix := range d.Indexes {
		if ix.Parts[0].Field == ai.Field {
			return nil
		}
	}
	return engErr(ErWrongAutoKey, "Incorrect table definition; there can be only one auto column and it must be defined as a key")
}

// tableDescFromCreate builds the descriptor of a new table.
func tableDescFromCreate(s *CreateTableStmt, id uint64, now time.Time) (*tableDesc, error) {
	if err := checkTableName(s.Table.Name); err != nil {
		return nil, err
	}
	if len(s.Columns) == 0 {
		return nil, engErr(ErTableMustHaveCols, "A table must have at least 1 column")
	}
	d := &tableDesc{ID: id, Name: s.Table.Name, Options: s.Options, AutoIncBase: s.AutoIncrement, Created: now.Unix()}
	for _, o := range s.Options {
		if o.Name == "comment" {
			d.Comment = o.Value
		}
	}
	tcoll, err := tableCollation(s.Options)
	if err != nil {
		return nil, err
	}
	for _, def := range s.Columns {
		if descColumn(d, def.Name) != nil {
			return nil, engErr(ErDupFieldName, "Duplicate column name '%s'", def.Name)
		}
		cd, err := columnFromDef(def, d.NextField, tcoll)
		if err != nil {
			return nil, err
		}
		d.NextField++
		d.Columns = append(d.Columns, cd)
	}
	// Column-level keys first (MySQL lists them in column order), then the
	// table constraints.
	for _, def := range s.Columns {
		if def.PrimaryKey {
			if _, err := addIndexDef(d, &IndexDef{Kind: IndexPrimary, Columns: []IndexColumn{{Name: def.Name}}}); err != nil {
				return nil, err
			}
		}
	}
	for _, def := range s.Indexes {
		if def.Kind == IndexPrimary {
			if _, err := addIndexDef(d, def); err != nil {
				return nil, err
			}
		}
	}
	for _, def := range s.Columns {
		if def.Unique {
			if _, err := addIndexDef(d, &IndexDef{Kind: IndexUnique, Columns: []IndexColumn{{Name: def.Name}}}); err != nil {
				return nil, err
			}
		}
	}
	for _, def := range s.Indexes {
		if def.Kind != IndexPrimary {
			if _, err := addIndexDef(d, def); err != nil {
				return nil, err
			}
		}
	}
	if err := checkAutoInc(d); err != nil {
		return nil, err
	}
	return d, nil
}

// checkTableName rejects names MySQL rejects (error 1103).
func checkTableName(n string) error {
	if n == "" || len(n) > 64 || strings.HasSuffix(n, " ") {
		return engErr(ErWrongTableName, "Incorrect table name '%s'", n)
	}
	return nil
}
