package sqlfront

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
)

// The catalog: table (view and trigger) descriptors persisted in the bxtree "sql.catalog"
// (format in engine.go), decoded into immutable *catalog values that are
// shared between sessions and cached by nonce. DDL never mutates a
// *catalog: it builds a modified copy, writes it, and installs the copy
// under the new nonce.

// catalogFormatV1 is the version byte of every catalog record. A reader
// refuses records with another version (ErrCatalogCorrupt).
const catalogFormatV1 = 1

// Tree names of the engine's trees.
const (
	catalogTree = "sql.catalog"
	autoincTree = "sql.autoinc"
)

// Catalog record keys.
const (
	catMetaKey     = "meta"
	catTablePrefix = "t/"
)

// tableTreeName returns the name of table id's row tree.
func tableTreeName(id uint64) string { return "sql.t." + strconv.FormatUint(id, 10) }

// deadTreeName returns the name of table id's tombstone tree (the "dead"
// tree of a synchronized table, syncreplica.go). The suffix cannot collide:
// every other tree name ends in a decimal number.
func deadTreeName(id uint64) string { return tableTreeName(id) + ".dead" }

// indexTreeName returns the name of index ix of table id.
func indexTreeName(id uint64, ix uint32) string {
	return "sql.i." + strconv.FormatUint(id, 10) + "." + strconv.FormatUint(uint64(ix), 10)
}

// tableDesc is the persisted description of a table (JSON in the catalog;
// field names are part of the on-disk format, never rename them).
//
// Invariants (checked by validate):
//  1. Column names are unique (case-insensitively); FieldIDs are unique and
//     below NextField.
//  2. Every key column (PK, index) names an existing FieldID.
//  3. Index IDs are unique and below NextIndex; index names are unique.
//  4. At most one column is AUTO_INCREMENT, and it is the first column of
//     some key.
type tableDesc struct {
	ID        uint64        `json:"id"`
	Name      string        `json:"name"`
	Columns   []*columnDesc `json:"columns"`
	PK        []keyPart     `json:"pk,omitempty"` // empty: hidden row id
	Indexes   []*indexDesc  `json:"indexes,omitempty"`
	NextField int           `json:"next_field"`
	NextIndex uint32        `json:"next_index"`
	Comment   string        `json:"comment,omitempty"`
	Options   []TableOption `json:"options,omitempty"`
	Created   int64         `json:"created,omitempty"` // Unix seconds
	// AutoIncBase is the AUTO_INCREMENT = n table option: the least value
	// the counter hands out (0 or 1 means 1).
	AutoIncBase uint64 `json:"auto_inc_base,omitempty"`
	// Version counts the table's schema changes; rows record the version
	// they were written under.
	Version uint32 `json:"version,omitempty"`
	// ForeignKeys are the table's FOREIGN KEY constraints, enforced
	// while foreign_key_checks is 1 (fk.go).
	ForeignKeys []*fkDesc `json:"foreign_keys,omitempty"`
	// Checks are CHECK constraints, enforced on INSERT and UPDATE.
	Checks []*checkDesc `json:"checks,omitempty"`
	// Synchronized is set by the first synchronization of the table
	// (OpenSyncReplica) and never cleared: the table has a tombstone tree
	// (deadTreeName) and every removal of a row leaves a tombstone.
	// Absent (false) in descriptors written before synchronization
	// existed.
	Synchronized bool `json:"synchronized,omitempty"`
	// FullText are the table's FULLTEXT indexes (fulltext.go). They have
	// no tree: MATCH ... AGAINST reads the table. Absent in descriptors
	// written before FULLTEXT existed; a reader that predates it ignores
	// them.
	FullText []*ftDesc `json:"fulltext,omitempty"`
}

// ftDesc is a FULLTEXT index: its name (unique among the table's index
// names) and the FieldIDs of its columns, in the order of its definition.
type ftDesc struct {
	Name    string `json:"name"`
	Fields  []int  `json:"fields"`
	Comment string `json:"comment,omitempty"`
}

// fkDesc is a FOREIGN KEY constraint (fk.go).
type fkDesc struct {
	Name       string   `json:"name"`
	Columns    []string `json:"columns"`
	RefTable   string   `json:"ref_table"`
	RefColumns []string `json:"ref_columns"`
	OnDelete   string   `json:"on_delete,omitempty"`
	OnUpdate   string   `json:"on_update,omitempty"`
}

// checkDesc is a CHECK constraint.
type checkDesc struct {
	Name        string `json:"name"`
	Expr        string `json:"expr"`
	NotEnforced bool   `json:"not_enforced,omitempty"`
}

// columnDesc describes one column.
type columnDesc struct {
	Name    string   `json:"name"`
	Field   int      `json:"field"` // FieldID: slot in the physical row
	Type    typeDesc `json:"type"`
	NotNull bool     `json:"not_null,omitempty"`
	// HasDefault is true when the column has a DEFAULT clause (possibly
	// DEFAULT NULL); Default is its SQL text.
	HasDefault bool   `json:"has_default,omitempty"`
	Default    string `json:"default,omitempty"`
	OnUpdate   string `json:"on_update,omitempty"` // SQL text of ON UPDATE; "" for none
	AutoInc    bool   `json:"auto_inc,omitempty"`
	Comment    string `json:"comment,omitempty"`
	// Gen is the SQL text of a generated column's expression ("" for
	// other columns); GenStored says it was declared STORED (values are
	// stored either way, computed on every write of the row).
	Gen       string `json:"gen,omitempty"`
	GenStored bool   `json:"gen_stored,omitempty"`
	// Fill is the value of the column in rows stored before the column
	// was added (rows shorter than the field).
	Fill Value `json:"fill"`
}

// virtual reports whether c is a VIRTUAL generated column (one MySQL
// does not store).
func (c *columnDesc) virtual() bool { return c.Gen != "" && !c.GenStored }

// keyPart is one column of a key.
type keyPart struct {
	Field  int  `json:"field"`
	Desc   bool `json:"desc,omitempty"`
	Length int  `json:"length,omitempty"` // prefix length (secondary indexes: characters, bytes for binary strings)
}

// indexDesc is a secondary index.
type indexDesc struct {
	ID      uint32    `json:"id"`
	Name    string    `json:"name"`
	Unique  bool      `json:"unique,omitempty"`
	Parts   []keyPart `json:"parts"`
	Comment string    `json:"comment,omitempty"`
}

// typeDesc is the persisted form of a ColumnType. Base is a stable name
// (baseNames), so renumbering BaseType never changes the format.
type typeDesc struct {
	Base      string   `json:"base"`
	Unsigned  bool     `json:"unsigned,omitempty"`
	Length    int      `json:"length,omitempty"`
	Precision int      `json:"precision,omitempty"`
	Scale     int      `json:"scale,omitempty"`
	Elems     []string `json:"elems,omitempty"`
	// Collation is the collation of a CHAR, VARCHAR, TEXT or ENUM column
	// (normalized name, collation.go), omitted for the default
	// utf8mb4_0900_ai_ci: descriptors written before collations existed
	// read as the default, which is what they were indexed with.
	Collation string `json:"collation,omitempty"`
}

// baseNames are the stable on-disk names of the base types.
var baseNames = map[BaseType]string{
	TypeTinyInt: "tinyint", TypeSmallInt: "smallint", TypeMediumInt: "mediumint",
	TypeInt: "int", TypeBigInt: "bigint", TypeBool: "bool", TypeYear: "year",
	TypeFloat: "float", TypeDouble: "double", TypeDecimal: "decimal",
	TypeChar: "char", TypeVarChar: "varchar", TypeText: "text", TypeEnum: "enum",
	TypeJSON: "json", TypeBinary: "binary", TypeVarBinary: "varbinary",
	TypeBlob: "blob", TypeDate: "date", TypeDatetime: "datetime",
	TypeTimestamp: "timestamp", TypeTime: "time", TypeSet: "set", TypeBit: "bit",
}

// baseByName inverts baseNames.
var baseByName = func() map[string]BaseType {
	m := map[string]BaseType{}
	for b, n := range baseNames {
		m[n] = b
	}
	return m
}()

// toTypeDesc converts a ColumnType for the catalog.
func toTypeDesc(t ColumnType) typeDesc {
	return typeDesc{Base: baseNames[t.Base], Unsigned: t.Unsigned, Length: t.Length, Precision: t.Precision, Scale: t.Scale, Elems: t.Elems,
		Collation: t.Collation}
}

// columnType converts back; ok is false for an unknown base name.
func (d typeDesc) columnType() (ColumnType, bool) {
	b, ok := baseByName[d.Base]
	return ColumnType{Base: b, Unsigned: d.Unsigned, Length: d.Length, Precision: d.Precision, Scale: d.Scale, Elems: d.Elems,
		Collation: d.Collation}, ok
}

// catalog is one decoded, immutable version of the catalog.
type catalog struct {
	nonce  uint64
	nextID uint64               // next table ID
	tables map[string]*table    // by lowercased name
	views  map[string]*viewDesc // by lowercased name (view.go)
	fk     fkMaps               // resolved foreign keys, built on first use (fk.go)
	// triggers are the triggers by lowercased name; trg indexes them by
	// table, built on first use (trigger.go).
	triggers map[string]*trigger
	trg      trigMaps
	// perm is set on a session's view of the catalog (temptable.go): the
	// permanent catalog that tables, views and triggers come from, with
	// the session's temporary tables temps (by lowercased name) in tables
	// over the permanent tables of their names. A view is never cached
	// nor shared between sessions.
	perm  *catalog
	temps map[string]*table
}

// table is a decoded table descriptor with lookup structures. Immutable.
type table struct {
	desc    *tableDesc
	cols    []*column         // in declaration order
	byName  map[string]int    // lowercased column name -> ordinal
	byField map[int]int       // FieldID -> ordinal
	pk      []int             // ordinals of the primary key columns
	pkDesc  []bool            // DESC flags of the primary key columns
	indexes []*index          // secondary indexes
	autoInc int               // ordinal of the AUTO_INCREMENT column, -1 if none
	tree    string            // row tree name
	dead    string            // tombstone tree name, "" unless synchronized
	nfield  int               // physical row width (NextField)
	defs    *compiledDefaults // compiled DEFAULT / ON UPDATE / CHECK expressions; built lazily
	ixNames map[string]*index // lowercased index name -> index (PRIMARY excluded)
	fields  []int             // ordinal -> FieldID
	hidden  bool              // no declared primary key: hidden row id
	types   []ColumnType      // ordinal -> type
	nullOK  []bool            // ordinal -> nullable
	lcNames []string          // ordinal -> lowercased name
	names   []string          // ordinal -> name as created
	keys    []keyInfo         // primary key (unless hidden), then indexes
	plain   bool              // FieldID i is ordinal i for every column (no gaps)
	// colls is ordinal -> collation class of the column's values, nil
	// when every column has the default collation (decodeTableRow tags
	// the string values of the others).
	colls []Collation
	enums []int // ordinals of the ENUM and SET columns (tagEnums)
	temp  bool  // a session's temporary table (isTempID)
	// fulltext are the FULLTEXT indexes, each with its columns' ordinals.
	fulltext []*ftIndex
}

// ftIndex is one decoded FULLTEXT index.
type ftIndex struct {
	desc *ftDesc
	cols []int // ordinals
}

// column is one decoded column.
type column struct {
	desc *columnDesc
	typ  ColumnType
	ord  int
}

// index is one decoded secondary index.
type index struct {
	desc   *indexDesc
	cols   []int  // ordinals
	descs  []bool // DESC flags
	prefix []int  // prefix lengths (0: the whole value); nil when none has one
	tree   string
}

// keyValue returns the value index entries hold for v in key part i: v,
// or for a prefix part its first prefix[i] characters (bytes of a binary
// string). An index with a prefix part is not exact: it serves UNIQUE
// checks, never the planner (computeKeys) or foreign keys.
func (ix *index) keyValue(i int, v Value) Value {
	if ix.prefix == nil || ix.prefix[i] == 0 {
		return v
	}
	n := ix.prefix[i]
	switch v.K {
	case KindBytes:
		if len(v.S) > n {
			v.S = v.S[:n]
		}
	case KindString:
		for k := range v.S {
			if n == 0 {
				v.S = v.S[:k]
				break
			}
			n--
		}
	}
	return v
}

// Name returns the table's name as created.
func (t *table) Name() string { return t.desc.Name }

// col returns the ordinal of the column named name (case-insensitive), or
// -1.
func (t *table) col(name string) int {
	if i, ok := t.byName[strings.ToLower(name)]; ok {
		return i
	}
	return -1
}

// index returns the secondary index named name (case-insensitive).
func (t *table) index(name string) *index { return t.ixNames[strings.ToLower(name)] }

// hasIndex reports whether t has an index named name, FULLTEXT ones
// included (PRIMARY excluded).
func (t *table) hasIndex(name string) bool {
	return t.index(name) != nil || t.fullText(strings.ToLower(name)) != nil
}

// newTable decodes d into a table, checking the invariants.
func newTable(d *tableDesc) (*table, error) {
	t := &table{desc: d, byName: map[string]int{}, byField: map[int]int{}, autoInc: -1,
		tree: tableTreeName(d.ID), nfield: d.NextField, ixNames: map[string]*index{}, defs: &compiledDefaults{}}
	if len(d.Columns) == 0 {
		return nil, fmt.Errorf("%w: table %q has no columns", ErrCatalogCorrupt, d.Name)
	}
	for i, cd := range d.Columns {
		lc := strings.ToLower(cd.Name)
		if _, dup := t.byName[lc]; dup {
			return nil, fmt.Errorf("%w: table %q: duplicate column %q", ErrCatalogCorrupt, d.Name, cd.Name)
		}
		if _, dup := t.byField[cd.Field]; dup || cd.Field < 0 || cd.Field >= d.NextField {
			return nil, fmt.Errorf("%w: table %q: bad field %d", ErrCatalogCorrupt, d.Name, cd.Field)
		}
		ct, ok := cd.Type.columnType()
		if !ok {
			return nil, fmt.Errorf("%w: table %q column %q: unknown type %q", ErrCatalogCorrupt, d.Name, cd.Name, cd.Type.Base)
		}
		if cd.Type.Collation != "" {
			if n, ok := normalizeCollation(cd.Type.Collation); !ok || n != cd.Type.Collation || !ct.hasCollation() {
				return nil, fmt.Errorf("%w: table %q column %q: bad collation %q", ErrCatalogCorrupt, d.Name, cd.Name, cd.Type.Collation)
			}
			if t.colls == nil {
				t.colls = make([]Collation, len(d.Columns))
			}
			t.colls[i] = ct.coll()
		}
		if ct.Base == TypeEnum || ct.Base == TypeSet {
			t.enums = append(t.enums, i)
		}
		t.byName[lc] = i
		t.byField[cd.Field] = i
		t.cols = append(t.cols, &column{desc: cd, typ: ct, ord: i})
		t.types = append(t.types, ct)
		t.nullOK = append(t.nullOK, !cd.NotNull)
		t.lcNames = append(t.lcNames, lc)
		t.names = append(t.names, cd.Name)
		t.fields = append(t.fields, cd.Field)
		if cd.AutoInc {
			if t.autoInc >= 0 {
				return nil, fmt.Errorf("%w: table %q: two auto-increment columns", ErrCatalogCorrupt, d.Name)
			}
			t.autoInc = i
		}
	}
	parts := func(ps []keyPart) ([]int, []bool, error) {
		var ords []int
		var descs []bool
		for _, p := range ps {
			o, ok := t.byField[p.Field]
			if !ok {
				return nil, nil, fmt.Errorf("%w: table %q: key names missing field %d", ErrCatalogCorrupt, d.Name, p.Field)
			}
			ords = append(ords, o)
			descs = append(descs, p.Desc)
		}
		return ords, descs, nil
	}
	var err error
	if t.pk, t.pkDesc, err = parts(d.PK); err != nil {
		return nil, err
	}
	t.hidden = len(t.pk) == 0
	ids := map[uint32]bool{}
	for _, id := range d.Indexes {
		if ids[id.ID] || id.ID >= d.NextIndex || len(id.Parts) == 0 {
			return nil, fmt.Errorf("%w: table %q: bad index %q", ErrCatalogCorrupt, d.Name, id.Name)
		}
		ids[id.ID] = true
		ix := &index{desc: id, tree: indexTreeName(d.ID, id.ID)}
		if ix.cols, ix.descs, err = parts(id.Parts); err != nil {
			return nil, err
		}
		for i, p := range id.Parts {
			if p.Length > 0 {
				if ix.prefix == nil {
					ix.prefix = make([]int, len(id.Parts))
				}
				ix.prefix[i] = p.Length
			}
		}
		lc := strings.ToLower(id.Name)
		if _, dup := t.ixNames[lc]; dup || lc == "primary" {
			return nil, fmt.Errorf("%w: table %q: duplicate index %q", ErrCatalogCorrupt, d.Name, id.Name)
		}
		t.ixNames[lc] = ix
		t.indexes = append(t.indexes, ix)
	}
	for _, fd := range d.FullText {
		fx := &ftIndex{desc: fd}
		for _, f := range fd.Fields {
			o, ok := t.byField[f]
			if !ok {
				return nil, fmt.Errorf("%w: table %q: FULLTEXT index %q names missing field %d", ErrCatalogCorrupt, d.Name, fd.Name, f)
			}
			fx.cols = append(fx.cols, o)
		}
		lc := strings.ToLower(fd.Name)
		if _, dup := t.ixNames[lc]; dup || lc == "primary" || len(fx.cols) == 0 || t.fullText(lc) != nil {
			return nil, fmt.Errorf("%w: table %q: bad FULLTEXT index %q", ErrCatalogCorrupt, d.Name, fd.Name)
		}
		t.fulltext = append(t.fulltext, fx)
	}
	if d.Synchronized {
		t.dead = deadTreeName(d.ID)
	}
	t.temp = isTempID(d.ID)
	t.keys = computeKeys(t)
	t.plain = d.NextField == len(t.cols)
	for i, f := range t.fields {
		t.plain = t.plain && f == i
	}
	return t, nil
}

// cloneDesc returns a deep copy of d for modification by DDL.
func cloneDesc(d *tableDesc) *tableDesc {
	b, err := json.Marshal(d)
	if err != nil {
		panic(fmt.Sprintf("sqlfront: cloneDesc: %v", err)) // invariant: descs always marshal
	}
	var c tableDesc
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("sqlfront: cloneDesc: %v", err))
	}
	return &c
}

// table returns the table named name (case-insensitive) or nil: in a
// session's view, its temporary table of that name if it has one.
func (c *catalog) table(name string) *table { return c.tables[strings.ToLower(name)] }

// sortedTables returns the tables ordered by name: the permanent ones, also
// in a session's view (temporary tables are listed nowhere, as in MySQL).
func (c *catalog) sortedTables() []*table {
	if c.perm != nil {
		return c.perm.sortedTables()
	}
	ts := make([]*table, 0, len(c.tables))
	for _, t := range c.tables {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].desc.Name < ts[j].desc.Name })
	return ts
}

// encodeMeta encodes the catalog's meta record.
func encodeMeta(nonce, nextID uint64) []byte {
	b := make([]byte, 17)
	b[0] = catalogFormatV1
	binary.LittleEndian.PutUint64(b[1:], nonce)
	binary.LittleEndian.PutUint64(b[9:], nextID)
	return b
}

// decodeMeta decodes the meta record.
func decodeMeta(b []byte) (nonce, nextID uint64, err error) {
	if len(b) != 17 || b[0] != catalogFormatV1 {
		return 0, 0, fmt.Errorf("%w: bad meta record (%d bytes)", ErrCatalogCorrupt, len(b))
	}
	return binary.LittleEndian.Uint64(b[1:]), binary.LittleEndian.Uint64(b[9:]), nil
}

// encodeRecord encodes a table or view record: the catalog format byte,
// then the description as JSON.
func encodeRecord(d any) ([]byte, error) {
	j, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return append([]byte{catalogFormatV1}, j...), nil
}

// decodeRecordAt decodes the catalog record at cursor c (the cursor's
// error when it could not read the record's value).
func decodeRecordAt[T any](c *bxtree.Cursor, what string) (*T, error) {
	b, err := cursorValue(c)
	if err != nil {
		return nil, err
	}
	return decodeRecord[T](b, what)
}

// decodeRecord decodes a record written by encodeRecord into d; what names
// the kind of record in errors.
func decodeRecord[T any](b []byte, what string) (*T, error) {
	if len(b) < 2 || b[0] != catalogFormatV1 {
		return nil, fmt.Errorf("%w: bad %s record", ErrCatalogCorrupt, what)
	}
	var d T
	if err := json.Unmarshal(b[1:], &d); err != nil {
		return nil, fmt.Errorf("%w: %s record: %v", ErrCatalogCorrupt, what, err)
	}
	return &d, nil
}

// randomNonce returns a fresh random catalog nonce (never 0).
func randomNonce() uint64 {
	var b [8]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic(fmt.Sprintf("sqlfront: crypto/rand: %v", err))
		}
		if n := binary.LittleEndian.Uint64(b[:]); n != 0 {
			return n
		}
	}
}

// emptyCatalog is the catalog of a store without sql.catalog.
var emptyCatalog = &catalog{nonce: 0, nextID: 1, tables: map[string]*table{}, views: map[string]*viewDesc{},
	triggers: map[string]*trigger{}}

// initCatalog creates the engine's trees in a fresh store. A store that
// has them is only read: a write transaction at open would start the
// store's settling at once (bedrock.Store.Begin), in the way of the first
// queries.
func (e *Engine) initCatalog() error {
	if rtx, err := e.store.Begin(false); err == nil {
		_, err := bxtree.Open(rtx, catalogTree, eagerTree())
		rtx.Rollback()
		if err == nil {
			return nil
		}
	}
	tx, err := e.store.Begin(true)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := bxtree.Open(tx, catalogTree, eagerTree()); err == nil {
		return nil
	} else if !errors.Is(err, bxtree.ErrNotFound) {
		return err
	}
	ct, err := bxtree.Create(tx, catalogTree, eagerTree())
	if err != nil {
		return err
	}
	if err := ct.Put([]byte(catMetaKey), 0, encodeMeta(randomNonce(), 1)); err != nil {
		return err
	}
	if _, err := bxtree.Create(tx, autoincTree, eagerTree()); err != nil {
		return err
	}
	return tx.Commit()
}

// catalogOf returns the catalog as tx sees it, from the cache when the
// nonce is known.
func (e *Engine) catalogOf(tx *bedrock.Tx) (*catalog, error) {
	ct, err := bxtree.Open(tx, catalogTree, eagerTree())
	if errors.Is(err, bxtree.ErrNotFound) {
		return emptyCatalog, nil
	}
	if err != nil {
		return nil, err
	}
	mv, _, ok, err := ct.Get([]byte(catMetaKey))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: no meta record", ErrCatalogCorrupt)
	}
	nonce, nextID, err := decodeMeta(mv)
	if err != nil {
		return nil, err
	}
	e.cat.Lock()
	c := e.cat.byNonce[nonce]
	e.cat.Unlock()
	if c != nil {
		return c, nil
	}
	c = &catalog{nonce: nonce, nextID: nextID, tables: map[string]*table{}, views: map[string]*viewDesc{},
		triggers: map[string]*trigger{}}
	cur := ct.Range([]byte(catTablePrefix), prefixEnd([]byte(catTablePrefix)))
	for ok := cur.First(); ok; ok = cur.Next() {
		d, err := decodeRecordAt[tableDesc](cur, "table")
		if err != nil {
			return nil, err
		}
		t, err := newTable(d)
		if err != nil {
			return nil, err
		}
		c.tables[strings.ToLower(d.Name)] = t
	}
	if err := cur.Err(); err != nil {
		return nil, err
	}
	vcur := ct.Range([]byte(catViewPrefix), prefixEnd([]byte(catViewPrefix)))
	for ok := vcur.First(); ok; ok = vcur.Next() {
		d, err := decodeRecordAt[viewDesc](vcur, "view")
		if err != nil {
			return nil, err
		}
		c.views[strings.ToLower(d.Name)] = d
	}
	if err := vcur.Err(); err != nil {
		return nil, err
	}
	gcur := ct.Range([]byte(catTriggerPrefix), prefixEnd([]byte(catTriggerPrefix)))
	for ok := gcur.First(); ok; ok = gcur.Next() {
		d, err := decodeRecordAt[triggerDesc](gcur, "trigger")
		if err != nil {
			return nil, err
		}
		tr, err := newTrigger(d)
		if err != nil {
			return nil, err
		}
		c.triggers[strings.ToLower(d.Name)] = tr
	}
	if err := gcur.Err(); err != nil {
		return nil, err
	}
	e.cacheCatalog(c)
	return c, nil
}

// cacheCatalog remembers c under its nonce, evicting the oldest entries
// past a small bound.
func (e *Engine) cacheCatalog(c *catalog) {
	e.cat.Lock()
	defer e.cat.Unlock()
	if _, ok := e.cat.byNonce[c.nonce]; ok {
		return
	}
	e.cat.byNonce[c.nonce] = c
	e.cat.order = append(e.cat.order, c.nonce)
	for len(e.cat.order) > 16 {
		delete(e.cat.byNonce, e.cat.order[0])
		e.cat.order = e.cat.order[1:]
	}
}

// catalogWriter accumulates one DDL statement's catalog changes.
type catalogWriter struct {
	e    *Engine
	tx   *bedrock.Tx
	base *catalog // the permanent catalog changed
	next *catalog // the permanent catalog being built
	// temps are the session's temporary tables as the statement leaves
	// them (temptable.go); view is set when finish must return a session's
	// view: the writer started from one, or created a temporary table.
	temps map[string]*table
	view  bool
	// permChanged is set once a record of the permanent catalog changed.
	permChanged bool
}

// newCatalogWriter starts a change of base in tx. base may be a session's
// view: its temporary tables change in the writer's temps, never in the
// catalog tree.
func newCatalogWriter(e *Engine, tx *bedrock.Tx, base *catalog) *catalogWriter {
	var temps map[string]*table
	view := base.perm != nil
	if view {
		temps = make(map[string]*table, len(base.temps))
		for k, v := range base.temps {
			temps[k] = v
		}
		base = base.perm
	}
	next := &catalog{nonce: base.nonce, nextID: base.nextID, tables: make(map[string]*table, len(base.tables)+1),
		views: make(map[string]*viewDesc, len(base.views)), triggers: make(map[string]*trigger, len(base.triggers))}
	for k, v := range base.tables {
		next.tables[k] = v
	}
	for k, v := range base.views {
		next.views[k] = v
	}
	for k, v := range base.triggers {
		next.triggers[k] = v
	}
	return &catalogWriter{e: e, tx: tx, base: base, next: next, temps: temps, view: view}
}

// allocTableID hands out a new table ID.
func (w *catalogWriter) allocTableID() uint64 {
	id := w.next.nextID
	w.next.nextID++
	return id
}

// allocID hands out a new table ID: a temporary table's (newTempID) when
// temp is set.
func (w *catalogWriter) allocID(temp bool) uint64 {
	if temp {
		return w.e.newTempID()
	}
	return w.allocTableID()
}

// table returns the table named name as the statement leaves it: the
// session's temporary table of that name, else the permanent one.
func (w *catalogWriter) table(name string) *table {
	if t := w.temps[strings.ToLower(name)]; t != nil {
		return t
	}
	return w.next.table(name)
}

// putTable writes (creates or replaces) a table descriptor. oldName is the
// table's previous name ("" for a new table), for renames.
func (w *catalogWriter) putTable(d *tableDesc, oldName string) (*table, error) {
	t, err := newTable(d)
	if err != nil {
		return nil, err
	}
	if t.temp {
		if w.temps == nil {
			w.temps = map[string]*table{}
		}
		if oldName != "" {
			delete(w.temps, strings.ToLower(oldName))
		}
		w.temps[strings.ToLower(d.Name)] = t
		w.view = true
		return t, nil
	}
	if oldName != "" && !strings.EqualFold(oldName, d.Name) {
		if err := w.dropPermTable(oldName); err != nil {
			return nil, err
		}
	}
	if err := w.putRecord(catTablePrefix, d.Name, d); err != nil {
		return nil, err
	}
	w.next.tables[strings.ToLower(d.Name)] = t
	return t, nil
}

// dropTable removes a table descriptor: the session's temporary table of
// that name if it has one, else the permanent one.
func (w *catalogWriter) dropTable(name string) error {
	if _, ok := w.temps[strings.ToLower(name)]; ok {
		delete(w.temps, strings.ToLower(name))
		return nil
	}
	return w.dropPermTable(name)
}

// dropPermTable removes a permanent table's descriptor.
func (w *catalogWriter) dropPermTable(name string) error {
	if err := w.deleteRecord(catTablePrefix, name); err != nil {
		return err
	}
	delete(w.next.tables, strings.ToLower(name))
	return nil
}

// putRecord writes d as the catalog record of the object name (compared
// case-insensitively) under prefix.
func (w *catalogWriter) putRecord(prefix, name string, d any) error {
	ct, err := bxtree.Open(w.tx, catalogTree, eagerTree())
	if err != nil {
		return err
	}
	rec, err := encodeRecord(d)
	if err != nil {
		return err
	}
	w.permChanged = true
	return ct.Put([]byte(prefix+strings.ToLower(name)), 0, rec)
}

// deleteRecord removes the catalog record of the object name under prefix.
func (w *catalogWriter) deleteRecord(prefix, name string) error {
	ct, err := bxtree.Open(w.tx, catalogTree, eagerTree())
	if err != nil {
		return err
	}
	w.permChanged = true
	_, err = ct.Delete([]byte(prefix + strings.ToLower(name)))
	return err
}

// finish writes the new meta record and caches the new catalog, when the
// permanent catalog changed; it returns the catalog the statement leaves,
// a session's view when the writer has one (see catalogWriter.view).
func (w *catalogWriter) finish() (*catalog, error) {
	perm := w.base
	if w.permChanged || w.next.nextID != w.base.nextID || !w.view {
		ct, err := bxtree.Open(w.tx, catalogTree, eagerTree())
		if err != nil {
			return nil, err
		}
		w.next.nonce = randomNonce()
		if err := ct.Put([]byte(catMetaKey), 0, encodeMeta(w.next.nonce, w.next.nextID)); err != nil {
			return nil, err
		}
		w.e.cacheCatalog(w.next)
		perm = w.next
	}
	if w.view {
		return overlay(perm, w.temps), nil
	}
	return perm, nil
}

// prefixEnd returns the smallest key greater than every key with prefix p,
// or nil (unbounded) when p is all 0xff.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
