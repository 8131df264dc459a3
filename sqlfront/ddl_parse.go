package sqlfront

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Parsing of the DDL statements (ddl_ast.go), on the parser core in
// stmt_parse.go. The grammar is MySQL 8's, minus partitioning, SPATIAL
// indexes and full-text parser plugins, which fail with a *ParseError
// saying "not supported", plus a few SQLite spellings (AUTOINCREMENT,
// VARCHAR without a length, DROP INDEX without ON, IF NOT EXISTS on
// CREATE INDEX) that test corpora use.

// create parses CREATE TABLE, CREATE [UNIQUE] INDEX, CREATE VIEW (view.go)
// and CREATE TRIGGER (trigger_parse.go).
func (p *parser) create() (Statement, error) {
	p.advance()
	switch t := p.peek(); {
	case p.acceptWord("table"):
		return p.createTable()
	case p.acceptWords("temporary", "table"):
		st, err := p.createTable()
		if err != nil {
			return nil, err
		}
		st.(*CreateTableStmt).Temporary = true
		return st, nil
	case p.acceptWord("index"):
		return p.createIndex(IndexPlain)
	case p.acceptWords("unique", "index"):
		return p.createIndex(IndexUnique)
	case p.acceptWords("fulltext", "index"):
		return p.createIndex(IndexFullText)
	case p.isCreateView():
		return p.createView()
	case p.isCreateTrigger():
		return p.createTrigger()
	case p.isWord("temporary", "spatial", "view", "database", "schema", "or", "trigger", "procedure", "function", "user", "event", "algorithm", "definer", "sql"):
		return nil, p.errAt(t, "CREATE %s is not supported", strings.ToUpper(t.word()))
	default:
		return nil, p.errExpected("TABLE or INDEX")
	}
}

// ifNotExists consumes an optional IF NOT EXISTS.
func (p *parser) ifNotExists() bool { return p.acceptWords("if", "not", "exists") }

// ifExists consumes an optional IF EXISTS.
func (p *parser) ifExists() bool { return p.acceptWords("if", "exists") }

// createTable parses the rest of CREATE TABLE.
func (p *parser) createTable() (Statement, error) {
	s := &CreateTableStmt{IfNotExists: p.ifNotExists()}
	var err error
	if s.Table, err = p.tableName(); err != nil {
		return nil, err
	}
	// CREATE TABLE t LIKE u, also written CREATE TABLE t (LIKE u).
	paren := p.peek().typ == '(' && p.peekAt(1).word() == "like"
	if paren {
		p.advance()
	}
	if p.acceptWord("like") {
		like, err := p.tableName()
		if err != nil {
			return nil, err
		}
		if paren {
			if err := p.expectChar(')'); err != nil {
				return nil, err
			}
		}
		s.Like = &like
		return s, nil
	}
	// CREATE TABLE t [AS] query: the columns and rows of the query.
	if p.isWord("as", "select", "with") {
		p.acceptWord("as")
		from, end := p.i, len(p.toks)-1
		if end > from && p.toks[end-1].typ == ';' {
			end--
		}
		if from >= end || !isQueryStart(p.toks[from]) {
			return nil, p.errExpected("SELECT")
		}
		st, err := p.subDML(from, end, nil, nil)
		if err != nil {
			return nil, err
		}
		q, ok := st.(sqlparser.SelectStatement)
		if !ok {
			return nil, p.errAt(p.toks[from], "expected a query")
		}
		s.AsQuery = q
		p.i = end
		return s, nil
	}
	if err := p.expectChar('('); err != nil {
		return nil, err
	}
	for {
		if p.isConstraintStart() {
			c, err := p.tableConstraint()
			if err != nil {
				return nil, err
			}
			switch c := c.(type) {
			case *IndexDef:
				s.Indexes = append(s.Indexes, c)
			case *ForeignKeyDef:
				s.ForeignKeys = append(s.ForeignKeys, c)
			case *CheckDef:
				s.Checks = append(s.Checks, c)
			}
		} else {
			col, err := p.columnDef()
			if err != nil {
				return nil, err
			}
			s.Columns = append(s.Columns, col)
		}
		if !p.acceptChar(',') {
			break
		}
	}
	if err := p.expectChar(')'); err != nil {
		return nil, err
	}
	for !p.atEnd() {
		p.acceptChar(',')
		if t := p.peek(); p.isWord("partition", "as", "select", "ignore", "replace") {
			return nil, p.errAt(t, "%s in CREATE TABLE is not supported", strings.ToUpper(t.word()))
		}
		opt, err := p.tableOption()
		if err != nil {
			return nil, err
		}
		if opt.Name == "auto_increment" {
			// tableOption checked that the value is a uint64.
			s.AutoIncrement, _ = strconv.ParseUint(opt.Value, 10, 64)
		}
		s.Options = append(s.Options, opt)
	}
	return s, nil
}

// tableOptionNames are the one-word table options, each its own canonical
// name ([DEFAULT] CHARSET / CHARACTER SET / COLLATE are handled apart).
// ALGORITHM and LOCK belong to ALTER TABLE; CREATE TABLE tolerates them.
var tableOptionNames = toSet(`engine auto_increment avg_row_length checksum
collate comment compression connection delay_key_write encryption
key_block_size max_rows min_rows pack_keys row_format stats_auto_recalc
stats_persistent stats_sample_pages tablespace storage algorithm lock`)

// tableOption parses one table option: name [=] value.
func (p *parser) tableOption() (TableOption, error) {
	t := p.peek()
	p.acceptWord("default")
	var name string
	switch {
	case p.acceptWord("charset"), p.acceptWords("character", "set"):
		name = "charset"
	case p.acceptWord("collate"):
		name = "collate"
	case t.word() == "default":
		return TableOption{}, p.errExpected("CHARACTER SET or COLLATE")
	case tableOptionNames[p.peek().word()]:
		name = p.advance().word()
	default:
		return TableOption{}, p.errAt(t, "unknown table option")
	}
	p.acceptChar('=')
	var (
		v   string
		err error
	)
	switch name {
	case "auto_increment":
		var n uint64
		n, err = p.uintLit("an AUTO_INCREMENT value", math.MaxUint64)
		v = strconv.FormatUint(n, 10)
	case "comment", "connection", "compression", "encryption":
		v, err = p.stringLit("a string")
	default:
		switch t := p.peek(); t.typ {
		case sqlparser.INTEGRAL, sqlparser.FLOAT:
			p.advance()
			v = t.val
		default:
			v, err = p.nameValue("an option value")
		}
	}
	if err != nil {
		return TableOption{}, err
	}
	return TableOption{Name: name, Value: v}, nil
}

// isConstraintStart reports whether the current token starts a table
// constraint rather than a column definition.
func (p *parser) isConstraintStart() bool {
	return p.isWord("constraint", "primary", "unique", "key", "index", "foreign", "check", "fulltext", "spatial")
}

// tableConstraint parses a table constraint and returns an *IndexDef,
// *ForeignKeyDef or *CheckDef.
func (p *parser) tableConstraint() (any, error) {
	symbol, hasSymbol := "", false
	if p.acceptWord("constraint") {
		hasSymbol = true
		if !p.isWord("primary", "unique", "foreign", "check") {
			var err error
			if symbol, err = p.ident("a constraint name"); err != nil {
				return nil, err
			}
		}
	}
	switch t := p.peek(); {
	case p.acceptWords("primary", "key"):
		idx := &IndexDef{Kind: IndexPrimary}
		return idx, p.indexRest(idx)
	case p.acceptWord("unique"):
		p.acceptWord("index", "key")
		idx := &IndexDef{Kind: IndexUnique, Name: symbol}
		if p.peek().typ != '(' && !p.isWord("using") {
			var err error
			if idx.Name, err = p.ident("an index name"); err != nil {
				return nil, err
			}
		}
		return idx, p.indexRest(idx)
	case !hasSymbol && p.acceptWord("index", "key"):
		idx := &IndexDef{Kind: IndexPlain}
		if p.peek().typ != '(' && !p.isWord("using") {
			var err error
			if idx.Name, err = p.ident("an index name"); err != nil {
				return nil, err
			}
		}
		return idx, p.indexRest(idx)
	case p.acceptWords("foreign", "key"):
		fk := &ForeignKeyDef{Name: symbol}
		if p.peek().typ != '(' {
			var err error
			if fk.IndexName, err = p.ident("an index name"); err != nil {
				return nil, err
			}
		}
		var err error
		if fk.Columns, err = p.columnList(); err != nil {
			return nil, err
		}
		if err := p.expectWord("references"); err != nil {
			return nil, err
		}
		return fk, p.references(fk)
	case p.acceptWord("check"):
		return p.check(symbol)
	case !hasSymbol && p.acceptWord("fulltext"):
		p.acceptWord("index", "key")
		idx := &IndexDef{Kind: IndexFullText}
		if p.peek().typ != '(' {
			var err error
			if idx.Name, err = p.ident("an index name"); err != nil {
				return nil, err
			}
		}
		return idx, p.indexRest(idx)
	case !hasSymbol && p.isWord("spatial"):
		return nil, p.errAt(t, "%s indexes are not supported", strings.ToUpper(t.word()))
	default:
		return nil, p.errExpected("PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK")
	}
}

// indexRest parses [USING type] (key_part, …) [option …] into idx.
func (p *parser) indexRest(idx *IndexDef) error {
	if p.acceptWord("using") {
		u, err := p.nameValue("BTREE or HASH")
		if err != nil {
			return err
		}
		idx.Using = strings.ToUpper(u)
	}
	var err error
	if idx.Columns, err = p.keyParts(); err != nil {
		return err
	}
	return p.indexOptions(idx)
}

// indexOptions parses index options after the key parts.
func (p *parser) indexOptions(idx *IndexDef) error {
	for {
		switch {
		case p.acceptWord("using"):
			u, err := p.nameValue("BTREE or HASH")
			if err != nil {
				return err
			}
			idx.Using = strings.ToUpper(u)
		case p.acceptWord("comment"):
			c, err := p.stringLit("a comment string")
			if err != nil {
				return err
			}
			idx.Comment = c
		case p.acceptWord("key_block_size"):
			p.acceptChar('=')
			if _, err := p.uintLit("a block size", math.MaxUint32); err != nil {
				return err
			}
		case p.acceptWord("visible", "invisible"):
		case p.isWord("with") && p.peekAt(1).word() == "parser":
			return p.errAt(p.peek(), "full-text parser plugins are not supported")
		default:
			return nil
		}
	}
}

// keyParts parses (col [(len)] [ASC | DESC], …).
func (p *parser) keyParts() ([]IndexColumn, error) {
	if err := p.expectChar('('); err != nil {
		return nil, err
	}
	var cols []IndexColumn
	for {
		if t := p.peek(); t.typ == '(' {
			return nil, p.errAt(t, "functional key parts are not supported")
		}
		name, err := p.ident("a column name")
		if err != nil {
			return nil, err
		}
		c := IndexColumn{Name: name}
		if p.acceptChar('(') {
			n, err := p.uintLit("a prefix length", math.MaxUint32)
			if err != nil {
				return nil, err
			}
			c.Length = int(n)
			if err := p.expectChar(')'); err != nil {
				return nil, err
			}
		}
		if p.acceptWord("desc") {
			c.Desc = true
		} else {
			p.acceptWord("asc")
		}
		cols = append(cols, c)
		if !p.acceptChar(',') {
			break
		}
	}
	return cols, p.expectChar(')')
}

// columnList parses (col, …).
func (p *parser) columnList() ([]string, error) {
	if err := p.expectChar('('); err != nil {
		return nil, err
	}
	var cols []string
	for {
		name, err := p.ident("a column name")
		if err != nil {
			return nil, err
		}
		cols = append(cols, name)
		if !p.acceptChar(',') {
			break
		}
	}
	return cols, p.expectChar(')')
}

// references parses the rest of a REFERENCES clause into fk:
// t (col, …) [MATCH …] [ON DELETE action] [ON UPDATE action].
func (p *parser) references(fk *ForeignKeyDef) error {
	var err error
	if fk.RefTable, err = p.tableName(); err != nil {
		return err
	}
	if fk.RefColumns, err = p.columnList(); err != nil {
		return err
	}
	if p.acceptWord("match") {
		if !p.acceptWord("full", "partial", "simple") {
			return p.errExpected("FULL, PARTIAL or SIMPLE")
		}
	}
	// ON UPDATE may also be a column's ON UPDATE CURRENT_TIMESTAMP, which
	// is left to the caller; ON DELETE can only be a referential action.
	for {
		target := &fk.OnDelete
		switch {
		case p.acceptWords("on", "delete"):
		case p.isWord("on") && p.peekAt(1).word() == "update" && p.peekAt(2).word() != "current_timestamp" &&
			p.peekAt(2).word() != "now" && p.peekAt(2).word() != "localtime" && p.peekAt(2).word() != "localtimestamp":
			p.i += 2
			target = &fk.OnUpdate
		default:
			return nil
		}
		if *target, err = p.refAction(); err != nil {
			return err
		}
	}
}

// refAction parses RESTRICT | CASCADE | SET NULL | SET DEFAULT | NO ACTION.
func (p *parser) refAction() (RefAction, error) {
	switch {
	case p.acceptWord("restrict"):
		return RefActionRestrict, nil
	case p.acceptWord("cascade"):
		return RefActionCascade, nil
	case p.acceptWords("set", "null"):
		return RefActionSetNull, nil
	case p.acceptWords("set", "default"):
		return RefActionSetDefault, nil
	case p.acceptWords("no", "action"):
		return RefActionNoAction, nil
	}
	return 0, p.errExpected("RESTRICT, CASCADE, SET NULL, SET DEFAULT or NO ACTION")
}

// check parses the rest of CHECK (expr) [[NOT] ENFORCED]. An expression
// sqlparser cannot parse is kept as text only.
func (p *parser) check(name string) (*CheckDef, error) {
	open := p.i
	if err := p.skipParens(); err != nil {
		return nil, err
	}
	c := &CheckDef{Name: name}
	if open+1 < p.i-1 {
		c.Expr.Text = p.exprText(open+1, p.i-1)
		if e, err := p.parseExpr(open+1, p.i-1); err == nil {
			c.Expr.Expr = e
		}
	}
	if p.acceptWords("not", "enforced") {
		c.NotEnforced = true
	} else {
		p.acceptWord("enforced")
	}
	return c, nil
}

// columnDef parses name type [attribute …].
func (p *parser) columnDef() (*ColumnDef, error) {
	name, err := p.ident("a column name")
	if err != nil {
		return nil, err
	}
	c := &ColumnDef{Name: name}
	if p.acceptWord("serial") {
		// SERIAL: BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE.
		c.Type = DDLColumnType{Kind: DDLTypeBigInt, Unsigned: true}
		c.NotNull, c.AutoIncrement, c.Unique = true, true, true
	} else if c.Type, err = p.columnType(); err != nil {
		return nil, err
	}
	return c, p.columnAttributes(c)
}

// typeShape is how a type's arguments and modifiers are written.
type typeShape uint8

const (
	shapeNone    typeShape = iota // no arguments
	shapeInt                      // [(width)] [UNSIGNED | SIGNED | ZEROFILL …]
	shapeReal                     // [(M[,D])] [UNSIGNED | SIGNED | ZEROFILL …]
	shapeLength                   // [(n)]
	shapeString                   // [(n)] [BINARY]
	shapeFSP                      // [(p)]
	shapeMembers                  // ('a', …)
)

// typeWords maps each type keyword to its kind and shape.
var typeWords = map[string]struct {
	kind  TypeKind
	shape typeShape
}{
	"tinyint": {DDLTypeTinyInt, shapeInt}, "int1": {DDLTypeTinyInt, shapeInt},
	"smallint": {DDLTypeSmallInt, shapeInt}, "int2": {DDLTypeSmallInt, shapeInt},
	"mediumint": {DDLTypeMediumInt, shapeInt}, "int3": {DDLTypeMediumInt, shapeInt}, "middleint": {DDLTypeMediumInt, shapeInt},
	"int": {DDLTypeInt, shapeInt}, "integer": {DDLTypeInt, shapeInt}, "int4": {DDLTypeInt, shapeInt},
	"bigint": {DDLTypeBigInt, shapeInt}, "int8": {DDLTypeBigInt, shapeInt},
	"bool": {DDLTypeBool, shapeNone}, "boolean": {DDLTypeBool, shapeNone},
	"bit":   {DDLTypeBit, shapeLength},
	"float": {DDLTypeFloat, shapeReal}, "float4": {DDLTypeFloat, shapeReal},
	"double": {DDLTypeDouble, shapeReal}, "real": {DDLTypeDouble, shapeReal}, "float8": {DDLTypeDouble, shapeReal},
	"decimal": {DDLTypeDecimal, shapeReal}, "dec": {DDLTypeDecimal, shapeReal}, "numeric": {DDLTypeDecimal, shapeReal}, "fixed": {DDLTypeDecimal, shapeReal},
	"char": {DDLTypeChar, shapeString}, "character": {DDLTypeChar, shapeString}, "nchar": {DDLTypeChar, shapeString},
	"varchar": {DDLTypeVarChar, shapeString}, "varcharacter": {DDLTypeVarChar, shapeString}, "nvarchar": {DDLTypeVarChar, shapeString},
	"tinytext": {DDLTypeTinyText, shapeString}, "text": {DDLTypeText, shapeString},
	"mediumtext": {DDLTypeMediumText, shapeString}, "longtext": {DDLTypeLongText, shapeString},
	"binary": {DDLTypeBinary, shapeLength}, "varbinary": {DDLTypeVarBinary, shapeLength},
	"tinyblob": {DDLTypeTinyBlob, shapeNone}, "blob": {DDLTypeBlob, shapeLength},
	"mediumblob": {DDLTypeMediumBlob, shapeNone}, "longblob": {DDLTypeLongBlob, shapeNone},
	"date": {DDLTypeDate, shapeNone}, "datetime": {DDLTypeDateTime, shapeFSP},
	"timestamp": {DDLTypeTimestamp, shapeFSP}, "time": {DDLTypeTime, shapeFSP},
	"year": {DDLTypeYear, shapeLength}, "json": {DDLTypeJSON, shapeNone},
	"enum": {DDLTypeEnum, shapeMembers}, "set": {DDLTypeSet, shapeMembers},
	"long": {DDLTypeMediumText, shapeString},
	// Spatial types are stored as their binary (WKB) values; bxdb has no
	// spatial functions.
	"geometry": {DDLTypeLongBlob, shapeNone}, "point": {DDLTypeLongBlob, shapeNone},
	"linestring": {DDLTypeLongBlob, shapeNone}, "polygon": {DDLTypeLongBlob, shapeNone},
	"multipoint": {DDLTypeLongBlob, shapeNone}, "multilinestring": {DDLTypeLongBlob, shapeNone},
	"multipolygon": {DDLTypeLongBlob, shapeNone}, "geometrycollection": {DDLTypeLongBlob, shapeNone},
	"geomcollection": {DDLTypeLongBlob, shapeNone},
}

// spatialTypes are the type words of typeWords that are spatial types.
var spatialTypes = toSet("geometry point linestring polygon multipoint multilinestring multipolygon geometrycollection geomcollection")

// maxTypeArg bounds type arguments so they fit an int everywhere.
const maxTypeArg = math.MaxUint32

// columnType parses a data type.
func (p *parser) columnType() (DDLColumnType, error) {
	national := p.acceptWord("national") // NATIONAL CHAR/VARCHAR: the charset is ours anyway
	t := p.peek()
	tw, ok := typeWords[t.word()]
	if national && tw.shape != shapeString {
		ok = false
	}
	if !ok {
		return DDLColumnType{}, p.errExpected("a column type")
	}
	p.advance()
	ct := DDLColumnType{Kind: tw.kind}
	switch t.word() {
	case "double":
		p.acceptWord("precision")
	case "char", "character", "nchar":
		// CHAR VARYING, CHARACTER VARYING, NCHAR VARCHAR: VARCHAR.
		if p.acceptWord("varying") || (t.word() == "nchar" && p.acceptWord("varchar", "varcharacter")) {
			ct.Kind = DDLTypeVarChar
		}
	case "long":
		// LONG, LONG VARCHAR: MEDIUMTEXT; LONG VARBINARY: MEDIUMBLOB.
		if p.acceptWord("varbinary") {
			ct.Kind, tw.shape = DDLTypeMediumBlob, shapeNone
		} else {
			p.acceptWord("varchar", "varcharacter")
		}
	}
	if spatialTypes[t.word()] {
		return ct, nil
	}
	var err error
	switch tw.shape {
	case shapeInt:
		if ct.Length, _, err = p.typeArgs(false); err == nil {
			err = p.numericModifiers(&ct)
		}
	case shapeReal:
		if ct.Precision, ct.Scale, err = p.typeArgs(true); err == nil {
			err = p.numericModifiers(&ct)
		}
	case shapeLength:
		at := p.i
		ct.Length, _, err = p.typeArgs(false)
		ct.ZeroLength = ct.Length == 0 && p.i > at
	case shapeString:
		at := p.i
		if ct.Length, _, err = p.typeArgs(false); err == nil {
			ct.ZeroLength = ct.Length == 0 && p.i > at
			p.charsetShorthands(&ct)
		}
	case shapeFSP:
		if ct.FSP, _, err = p.typeArgs(false); err == nil && ct.FSP > 6 {
			err = p.errAt(p.toks[p.i-2], "fractional seconds precision must be at most 6")
		}
	case shapeMembers:
		if ct.Values, err = p.members(); err == nil {
			p.charsetShorthands(&ct)
		}
	}
	return ct, err
}

// charsetShorthands parses the attributes of a string type that name a
// character set or its binary collation, in any order: BINARY (and BYTE)
// the charset's _bin collation, ASCII CHARACTER SET latin1, UNICODE
// (ucs2 in MySQL) bxdb's utf8mb4.
func (p *parser) charsetShorthands(ct *DDLColumnType) {
	for {
		switch {
		case p.acceptWord("binary", "byte"):
			ct.Binary = true
		case p.acceptWord("ascii"):
			ct.Charset = "latin1"
		case p.acceptWord("unicode"):
			ct.Charset = "utf8mb4"
		default:
			return
		}
	}
}

// typeArgs parses an optional (n) or, if two, (n[, m]).
func (p *parser) typeArgs(two bool) (int, int, error) {
	if !p.acceptChar('(') {
		return 0, 0, nil
	}
	n, err := p.uintLit("a number", maxTypeArg)
	if err != nil {
		return 0, 0, err
	}
	var m uint64
	if two && p.acceptChar(',') {
		if m, err = p.uintLit("a number", maxTypeArg); err != nil {
			return 0, 0, err
		}
	}
	return int(n), int(m), p.expectChar(')')
}

// numericModifiers parses UNSIGNED, SIGNED and ZEROFILL in any order.
func (p *parser) numericModifiers(ct *DDLColumnType) error {
	for {
		switch {
		case p.acceptWord("unsigned"):
			ct.Unsigned = true
		case p.acceptWord("signed"):
		case p.acceptWord("zerofill"):
			ct.Zerofill = true
		default:
			return nil
		}
	}
}

// members parses ('a', 'b', …) of ENUM and SET.
func (p *parser) members() ([]string, error) {
	if err := p.expectChar('('); err != nil {
		return nil, err
	}
	var vs []string
	for {
		v, err := p.memberLit()
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
		if !p.acceptChar(',') {
			break
		}
	}
	return vs, p.expectChar(')')
}

// memberLit parses an ENUM or SET member: a string, or a hexadecimal
// literal (0x2A, X'2A') standing for its bytes.
func (p *parser) memberLit() (string, error) {
	t := p.peek()
	switch t.typ {
	case sqlparser.HEX, sqlparser.HEXNUM:
		digits := strings.TrimPrefix(strings.TrimPrefix(t.val, "0x"), "0X")
		if len(digits)%2 == 1 {
			digits = "0" + digits
		}
		b, err := hex.DecodeString(digits)
		if err != nil {
			return "", p.errAt(t, "malformed hexadecimal literal")
		}
		p.i++
		return string(b), nil
	}
	return p.stringLit("a string")
}

// columnAttributes parses the attributes after a column's type, up to the
// ',' or ')' that ends the definition (or the end of an ALTER spec).
func (p *parser) columnAttributes(c *ColumnDef) error {
	for {
		t := p.peek()
		var err error
		switch {
		case p.acceptWords("not", "null"):
			c.NotNull = true
		case p.acceptWord("null"):
			c.NotNull = false
		case p.acceptWord("default"):
			c.Default, err = p.defaultValue()
		case p.acceptWords("on", "update"):
			c.OnUpdate, err = p.currentTimestamp()
		case p.acceptWord("auto_increment", "autoincrement"):
			c.AutoIncrement = true
		case p.acceptWords("serial", "default", "value"):
			// An integer's SERIAL DEFAULT VALUE: NOT NULL AUTO_INCREMENT UNIQUE.
			c.NotNull, c.AutoIncrement, c.Unique = true, true, true
		case p.acceptWords("primary", "key"), p.acceptWord("key"):
			c.PrimaryKey = true
		case p.acceptWord("unique"):
			p.acceptWord("key")
			c.Unique = true
		case p.acceptWord("comment"):
			c.Comment, err = p.stringLit("a comment string")
		case p.acceptWord("collate"):
			c.Type.Collate, err = p.nameValue("a collation name")
		case p.acceptWord("charset"), p.acceptWords("character", "set"):
			c.Type.Charset, err = p.nameValue("a character set name")
			if err == nil && p.acceptWord("binary") { // CHARACTER SET cs BINARY: cs's _bin collation
				c.Type.Binary = true
			}
		case p.isWord("constraint", "check"):
			name := ""
			if p.acceptWord("constraint") && !p.isWord("check") {
				if name, err = p.ident("a constraint name"); err != nil {
					return err
				}
			}
			if err = p.expectWord("check"); err != nil {
				return err
			}
			var ck *CheckDef
			if ck, err = p.check(name); err == nil {
				c.Checks = append(c.Checks, ck)
			}
		case p.acceptWord("references"):
			fk := &ForeignKeyDef{Columns: []string{c.Name}}
			err = p.references(fk)
			c.References = fk
		case p.isWord("generated", "as"):
			if p.acceptWord("generated") {
				if err = p.expectWord("always"); err != nil {
					return err
				}
			}
			if err = p.expectWord("as"); err != nil {
				return err
			}
			open := p.i
			if err = p.skipParens(); err != nil {
				return err
			}
			if open+1 >= p.i-1 {
				return p.errAt(t, "a generated column needs an expression")
			}
			g := &SQLExpr{Text: p.exprText(open+1, p.i-1)}
			if e, perr := p.parseExpr(open+1, p.i-1); perr == nil {
				g.Expr = e
			}
			c.Generated = g
			if p.acceptWord("stored") {
				c.GenStored = true
			} else {
				p.acceptWord("virtual")
			}
		case p.acceptWord("visible", "invisible"):
		default:
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// defaultValue parses the value after DEFAULT: a literal, a signed number,
// NULL, TRUE, FALSE, CURRENT_TIMESTAMP[(p)] (or NOW([p]), LOCALTIME,
// LOCALTIMESTAMP) or a parenthesized expression.
func (p *parser) defaultValue() (*SQLExpr, error) {
	from := p.i
	t := p.peek()
	switch t.typ {
	case '(':
		if err := p.skipParens(); err != nil {
			return nil, err
		}
		return p.sqlExpr(from, p.i)
	case '-', '+':
		p.advance()
		if n := p.peek().typ; n != sqlparser.INTEGRAL && n != sqlparser.FLOAT {
			return nil, p.errExpected("a number")
		}
		p.advance()
		return p.sqlExpr(from, p.i)
	case sqlparser.STRING, sqlparser.INTEGRAL, sqlparser.FLOAT, sqlparser.HEX,
		sqlparser.HEXNUM, sqlparser.BIT_LITERAL, sqlparser.VALUE_ARG,
		sqlparser.NULL, sqlparser.TRUE, sqlparser.FALSE:
		p.advance()
		return p.sqlExpr(from, p.i)
	}
	if p.isWord("current_timestamp", "now", "localtime", "localtimestamp") {
		return p.currentTimestamp()
	}
	return nil, p.errExpected("a default value")
}

// currentTimestamp parses CURRENT_TIMESTAMP[([p])], NOW([p]), LOCALTIME[([p])]
// or LOCALTIMESTAMP[([p])] into a FuncExpr named current_timestamp.
// (sqlparser rejects CURRENT_TIMESTAMP(3), so the node is built here.)
func (p *parser) currentTimestamp() (*SQLExpr, error) {
	from := p.i
	if !p.acceptWord("current_timestamp", "now", "localtime", "localtimestamp") {
		return nil, p.errExpected("CURRENT_TIMESTAMP")
	}
	f := &sqlparser.FuncExpr{Name: sqlparser.NewColIdent("current_timestamp")}
	if p.acceptChar('(') {
		if t := p.peek(); t.typ == sqlparser.INTEGRAL {
			if _, err := p.uintLit("a precision", 6); err != nil {
				return nil, err
			}
			f.Exprs = sqlparser.SelectExprs{&sqlparser.AliasedExpr{Expr: sqlparser.NewIntVal([]byte(t.val))}}
		}
		if err := p.expectChar(')'); err != nil {
			return nil, err
		}
	} else if p.toks[from].word() == "now" {
		return nil, p.errExpected("'('")
	}
	return &SQLExpr{Expr: f, Text: p.exprText(from, p.i)}, nil
}

// columnPosition parses an optional FIRST or AFTER col.
func (p *parser) columnPosition() (ColumnPosition, error) {
	switch {
	case p.acceptWord("first"):
		return ColumnPosition{First: true}, nil
	case p.acceptWord("after"):
		col, err := p.ident("a column name")
		return ColumnPosition{After: col}, err
	}
	return ColumnPosition{}, nil
}

// createIndex parses the rest of CREATE [UNIQUE] INDEX.
func (p *parser) createIndex(kind IndexKind) (Statement, error) {
	s := &CreateIndexStmt{IfNotExists: p.ifNotExists(), Index: &IndexDef{Kind: kind}}
	var err error
	if s.Index.Name, err = p.ident("an index name"); err != nil {
		return nil, err
	}
	if p.acceptWord("using") {
		u, err := p.nameValue("BTREE or HASH")
		if err != nil {
			return nil, err
		}
		s.Index.Using = strings.ToUpper(u)
	}
	if err := p.expectWord("on"); err != nil {
		return nil, err
	}
	if s.Table, err = p.tableName(); err != nil {
		return nil, err
	}
	if s.Index.Columns, err = p.keyParts(); err != nil {
		return nil, err
	}
	if err := p.indexOptions(s.Index); err != nil {
		return nil, err
	}
	return s, p.algorithmLock()
}

// algorithmLock parses the optional ALGORITHM [=] x and LOCK [=] x of
// CREATE INDEX and DROP INDEX, which bxdb ignores.
func (p *parser) algorithmLock() error {
	for p.acceptWord("algorithm", "lock") {
		p.acceptChar('=')
		if _, err := p.nameValue("a value"); err != nil {
			return err
		}
	}
	return nil
}

// dropList parses the names of DROP TABLE and DROP VIEW:
// name [, name ...] [RESTRICT | CASCADE] (the last two are no-ops).
func (p *parser) dropList() ([]TableName, error) {
	var names []TableName
	for {
		tn, err := p.tableName()
		if err != nil {
			return nil, err
		}
		names = append(names, tn)
		if !p.acceptChar(',') {
			break
		}
	}
	p.acceptWord("restrict", "cascade")
	return names, nil
}

// drop parses DROP TABLE, DROP INDEX, DROP VIEW, DROP TRIGGER and DROP
// PREPARE.
func (p *parser) drop() (Statement, error) {
	p.advance()
	switch t := p.peek(); {
	case p.isWord("table") || p.isWord("temporary") && p.peekAt(1).word() == "table":
		s := &DropTableStmt{Temporary: p.acceptWord("temporary")}
		p.advance()
		s.IfExists = p.ifExists()
		var err error
		if s.Tables, err = p.dropList(); err != nil {
			return nil, err
		}
		return s, nil
	case p.acceptWord("index"):
		s := &DropIndexStmt{IfExists: p.ifExists()}
		var err error
		if s.Name, err = p.ident("an index name"); err != nil {
			return nil, err
		}
		if p.acceptWord("on") {
			if s.Table, err = p.tableName(); err != nil {
				return nil, err
			}
		}
		return s, p.algorithmLock()
	case p.acceptWord("view"):
		return p.dropView()
	case p.acceptWord("trigger"):
		return p.dropTrigger()
	case p.isWord("prepare"):
		return p.deallocatePrepare()
	case p.isWord("temporary", "database", "schema", "procedure", "function", "user", "event"):
		return nil, p.errAt(t, "DROP %s is not supported", strings.ToUpper(t.word()))
	default:
		return nil, p.errExpected("TABLE or INDEX")
	}
}

// truncate parses TRUNCATE [TABLE] t.
func (p *parser) truncate() (Statement, error) {
	p.advance()
	p.acceptWord("table")
	t, err := p.tableName()
	if err != nil {
		return nil, err
	}
	return &TruncateStmt{Table: t}, nil
}

// renameTable parses RENAME {TABLE | TABLES} a TO b [, c TO d] ....
func (p *parser) renameTable() (Statement, error) {
	p.advance()
	if !p.acceptWord("table", "tables") {
		return nil, p.errExpected("TABLE")
	}
	s := &RenameTableStmt{}
	for {
		from, err := p.tableName()
		if err != nil {
			return nil, err
		}
		if err := p.expectWord("to"); err != nil {
			return nil, err
		}
		to, err := p.tableName()
		if err != nil {
			return nil, err
		}
		s.Pairs = append(s.Pairs, RenamePair{From: from, To: to})
		if !p.acceptChar(',') {
			return s, nil
		}
	}
}

// alterTable parses ALTER TABLE t [spec, …].
func (p *parser) alterTable() (Statement, error) {
	p.advance()
	if t := p.peek(); !p.acceptWord("table") {
		if p.isWord("view", "database", "schema", "user", "event", "procedure", "function", "tablespace", "online", "ignore") {
			return nil, p.errAt(t, "ALTER %s is not supported", strings.ToUpper(t.word()))
		}
		return nil, p.errExpected("TABLE")
	}
	s := &AlterTableStmt{}
	var err error
	if s.Table, err = p.tableName(); err != nil {
		return nil, err
	}
	if p.atEnd() {
		return s, nil
	}
	for {
		specs, err := p.alterSpec()
		if err != nil {
			return nil, err
		}
		s.Specs = append(s.Specs, specs...)
		if !p.acceptChar(',') {
			return s, nil
		}
	}
}

// alterSpec parses one ALTER TABLE spec (one or, for ADD (…), several).
func (p *parser) alterSpec() ([]AlterSpec, error) {
	one := func(s AlterSpec, err error) ([]AlterSpec, error) {
		if err != nil {
			return nil, err
		}
		return []AlterSpec{s}, nil
	}
	switch t := p.peek(); {
	case p.acceptWord("add"):
		if p.isWord("column") && p.peekAt(1).typ == '(' || p.peek().typ == '(' {
			p.acceptWord("column")
			return p.addColumns()
		}
		if !p.acceptWord("column") && p.isConstraintStart() {
			c, err := p.tableConstraint()
			switch c := c.(type) {
			case *IndexDef:
				return one(&AddIndexSpec{Index: c}, err)
			case *ForeignKeyDef:
				return one(&AddForeignKeySpec{ForeignKey: c}, err)
			case *CheckDef:
				return one(&AddCheckSpec{Check: c}, err)
			}
			return nil, err
		}
		col, err := p.columnDef()
		if err != nil {
			return nil, err
		}
		pos, err := p.columnPosition()
		return one(&AddColumnSpec{Column: col, Position: pos}, err)
	case p.acceptWord("drop"):
		return p.alterDrop()
	case p.acceptWord("rename"):
		switch {
		case p.acceptWord("column"):
			old, nw, err := p.renamePair("a column name")
			return one(&RenameColumnSpec{OldName: old, NewName: nw}, err)
		case p.acceptWord("index", "key"):
			old, nw, err := p.renamePair("an index name")
			return one(&RenameIndexSpec{OldName: old, NewName: nw}, err)
		}
		p.acceptWord("to", "as")
		tn, err := p.tableName()
		return one(&RenameTableSpec{NewName: tn}, err)
	case p.acceptWord("modify"):
		p.acceptWord("column")
		col, err := p.columnDef()
		if err != nil {
			return nil, err
		}
		pos, err := p.columnPosition()
		return one(&ModifyColumnSpec{Column: col, Position: pos}, err)
	case p.acceptWord("change"):
		p.acceptWord("column")
		old, err := p.ident("a column name")
		if err != nil {
			return nil, err
		}
		col, err := p.columnDef()
		if err != nil {
			return nil, err
		}
		pos, err := p.columnPosition()
		return one(&ChangeColumnSpec{OldName: old, Column: col, Position: pos}, err)
	case p.isWord("alter") && p.peekAt(1).word() == "index":
		p.advance()
		p.advance()
		name, err := p.ident("an index name")
		if err != nil {
			return nil, err
		}
		switch {
		case p.acceptWord("visible"):
			return one(&AlterIndexSpec{Index: name, Visible: true}, nil)
		case p.acceptWord("invisible"):
			return one(&AlterIndexSpec{Index: name}, nil)
		}
		return nil, p.errExpected("VISIBLE or INVISIBLE")
	case p.acceptWord("alter"):
		p.acceptWord("column")
		col, err := p.ident("a column name")
		if err != nil {
			return nil, err
		}
		switch {
		case p.acceptWords("set", "default"):
			d, err := p.defaultValue()
			return one(&AlterColumnDefaultSpec{Column: col, Default: d}, err)
		case p.acceptWords("drop", "default"):
			return one(&AlterColumnDefaultSpec{Column: col}, nil)
		}
		return nil, p.errExpected("SET DEFAULT or DROP DEFAULT")
	case p.isWord("convert", "partition", "order", "enable", "disable", "discard", "import", "force", "with", "without", "upgrade", "remove", "coalesce", "reorganize", "exchange", "analyze", "check", "optimize", "rebuild", "repair", "truncate"):
		return nil, p.errAt(t, "ALTER TABLE … %s is not supported", strings.ToUpper(t.word()))
	case t.word() == "":
		return nil, p.errExpected("ADD, DROP, MODIFY, CHANGE, RENAME, ALTER or a table option")
	default:
		// Table options, separated by white space (ALTER TABLE t
		// CHARSET latin1 COLLATE latin1_bin) or, as specs, by commas.
		var specs []AlterSpec
		for {
			opt, err := p.tableOption()
			if err != nil {
				return nil, err
			}
			specs = append(specs, &TableOptionSpec{Option: opt})
			if w := p.peek().word(); !p.isWord("default", "charset", "character", "collate") && !tableOptionNames[w] {
				return specs, nil
			}
		}
	}
}

// addColumns parses ADD [COLUMN] (col_def, …) from its '('.
func (p *parser) addColumns() ([]AlterSpec, error) {
	if err := p.expectChar('('); err != nil {
		return nil, err
	}
	var specs []AlterSpec
	for {
		col, err := p.columnDef()
		if err != nil {
			return nil, err
		}
		specs = append(specs, &AddColumnSpec{Column: col})
		if !p.acceptChar(',') {
			break
		}
	}
	return specs, p.expectChar(')')
}

// alterDrop parses the rest of an ALTER TABLE … DROP spec.
func (p *parser) alterDrop() ([]AlterSpec, error) {
	name := func(what string, mk func(string) AlterSpec) ([]AlterSpec, error) {
		n, err := p.ident(what)
		if err != nil {
			return nil, err
		}
		return []AlterSpec{mk(n)}, nil
	}
	switch {
	case p.acceptWord("index", "key"):
		return name("an index name", func(n string) AlterSpec { return &DropIndexSpec{Name: n} })
	case p.acceptWords("primary", "key"):
		return []AlterSpec{&DropPrimaryKeySpec{}}, nil
	case p.acceptWords("foreign", "key"):
		return name("a foreign key name", func(n string) AlterSpec { return &DropForeignKeySpec{Name: n} })
	case p.acceptWord("check"):
		return name("a constraint name", func(n string) AlterSpec { return &DropCheckSpec{Name: n} })
	case p.acceptWord("constraint"):
		return name("a constraint name", func(n string) AlterSpec { return &DropConstraintSpec{Name: n} })
	}
	p.acceptWord("column")
	return name("a column name", func(n string) AlterSpec { return &DropColumnSpec{Name: n} })
}

// renamePair parses old TO new.
func (p *parser) renamePair(what string) (string, string, error) {
	old, err := p.ident(what)
	if err != nil {
		return "", "", err
	}
	if err := p.expectWord("to"); err != nil {
		return "", "", err
	}
	nw, err := p.ident(what)
	return old, nw, err
}
