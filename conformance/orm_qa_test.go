package conformance

// Regression QA of the behaviour changes of foreign keys, JSON columns,
// warnings, collations, user variables, SQL_CALC_FOUND_ROWS, join
// reordering, LIMIT/OFFSET seeking, cached point lookups and column
// pruning, as GORM, sqlx and bun programs written against MySQL see them.
// Every result is compared with the exact expected contents.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/uptrace/bun"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	bxdb "github.com/bxdb/bxdb/driver"
)

// --- helpers -------------------------------------------------------------------

func qaErrno(err error) uint16 {
	var me *bxdb.Error
	if errors.As(err, &me) {
		return uint16(me.Number)
	}
	return 0
}

func qaWantErrno(t *testing.T, what string, err error, want uint16) {
	t.Helper()
	if got := qaErrno(err); got != want {
		t.Fatalf("%s: %v, want error %d", what, err, want)
	}
}

// --- GORM: a shop with enforced foreign keys -----------------------------------

type qaCustomer struct {
	ID     uint
	Email  string    `gorm:"type:varchar(80) COLLATE utf8mb4_bin;uniqueIndex;not null"`
	Name   string    `gorm:"size:40"`
	Orders []qaOrder `gorm:"foreignKey:CustomerID;constraint:OnUpdate:CASCADE,OnDelete:SET NULL"`
}

type qaOrder struct {
	ID         uint
	CustomerID *uint
	Customer   *qaCustomer
	Ref        string   `gorm:"size:20;uniqueIndex"`
	Items      []qaItem `gorm:"foreignKey:OrderID;constraint:OnUpdate:CASCADE,OnDelete:CASCADE"`
	Tags       []qaTag  `gorm:"many2many:qa_order_tags;constraint:OnDelete:CASCADE"`
	DeletedAt  gorm.DeletedAt
}

type qaItem struct {
	ID      uint
	OrderID uint
	Sku     string `gorm:"size:20"`
	Qty     int
}

type qaTag struct {
	ID   uint
	Name string `gorm:"size:20;uniqueIndex"`
}

func TestORMQAGORMShopForeignKeys(t *testing.T) {
	db, _ := gormOpen(t, &gorm.Config{TranslateError: true})
	models := []any{&qaCustomer{}, &qaOrder{}, &qaItem{}, &qaTag{}}
	must(t, db.AutoMigrate(models...))
	gormNoDDL(t, "shop", db, models...)

	tags := []qaTag{{Name: "gift"}, {Name: "rush"}, {Name: "bulk"}}
	must(t, db.Create(&tags).Error)
	ann := qaCustomer{Email: "ann@x.io", Name: "ann", Orders: []qaOrder{
		{Ref: "A1", Items: []qaItem{{Sku: "s1", Qty: 1}, {Sku: "s2", Qty: 2}}, Tags: []qaTag{tags[0], tags[1]}},
		{Ref: "A2", Items: []qaItem{{Sku: "s3", Qty: 3}}, Tags: []qaTag{tags[1]}},
	}}
	bob := qaCustomer{Email: "bob@x.io", Name: "bob", Orders: []qaOrder{
		{Ref: "B1", Items: []qaItem{{Sku: "s1", Qty: 5}}, Tags: []qaTag{tags[2]}},
	}}
	must(t, db.Create(&ann).Error)
	must(t, db.Create(&bob).Error)
	// Case differs: a distinct key under utf8mb4_bin.
	must(t, db.Create(&qaCustomer{Email: "ANN@x.io", Name: "ann2"}).Error)
	if err := db.Create(&qaCustomer{Email: "ann@x.io", Name: "dup"}).Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
		t.Fatalf("duplicate email: %v, want ErrDuplicatedKey", err)
	}

	// An item of a missing order, a tag link to a missing tag.
	if err := db.Create(&qaItem{OrderID: 999, Sku: "x"}).Error; !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("orphan item: %v", err)
	}
	if err := db.Exec("INSERT INTO qa_order_tags (qa_order_id, qa_tag_id) VALUES (?, ?)", ann.Orders[0].ID, 77).Error; !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("orphan link: %v", err)
	}

	// Preload after creation.
	var got []qaCustomer
	must(t, db.Preload("Orders", func(tx *gorm.DB) *gorm.DB { return tx.Order("ref") }).
		Preload("Orders.Items", func(tx *gorm.DB) *gorm.DB { return tx.Order("id") }).
		Preload("Orders.Tags", func(tx *gorm.DB) *gorm.DB { return tx.Order("name") }).
		Order("id").Find(&got).Error)
	type flat struct {
		Cust, Ref string
		Skus      string
		Tags      string
	}
	flatten := func(cs []qaCustomer) []flat {
		var out []flat
		for _, c := range cs {
			for _, o := range c.Orders {
				var skus, tg []string
				for _, it := range o.Items {
					skus = append(skus, fmt.Sprintf("%s*%d", it.Sku, it.Qty))
				}
				for _, tt := range o.Tags {
					tg = append(tg, tt.Name)
				}
				out = append(out, flat{c.Name, o.Ref, strings.Join(skus, ","), strings.Join(tg, ",")})
			}
		}
		return out
	}
	gormDiff(t, "preloaded", []flat{
		{"ann", "A1", "s1*1,s2*2", "gift,rush"},
		{"ann", "A2", "s3*3", "rush"},
		{"bob", "B1", "s1*5", "bulk"},
	}, flatten(got))

	// ON UPDATE CASCADE: a customer's key changes, the orders follow.
	must(t, db.Model(&qaCustomer{}).Where("id = ?", ann.ID).Update("id", 100).Error)
	var n int64
	must(t, db.Model(&qaOrder{}).Where("customer_id = ?", 100).Count(&n).Error)
	gormDiff(t, "orders of the renumbered customer", int64(2), n)
	// An order's key changes: items and tag links follow (links by the
	// join table's CASCADE on update? GORM's default is none: RESTRICT).
	err := db.Model(&qaOrder{}).Where("ref = ?", "A2").Update("id", 200).Error
	if !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("order key update with tag links: %v, want ErrForeignKeyViolated", err)
	}

	// Soft delete leaves the children alone.
	must(t, db.Where("ref = ?", "B1").Delete(&qaOrder{}).Error)
	must(t, db.Model(&qaItem{}).Count(&n).Error)
	gormDiff(t, "items after soft delete", int64(4), n)
	must(t, db.Model(&qaOrder{}).Count(&n).Error)
	gormDiff(t, "visible orders", int64(2), n)
	// The soft-deleted order still holds bob: SET NULL needs a hard delete
	// of the customer, which is allowed and nulls even the hidden row.
	must(t, db.Delete(&qaCustomer{}, bob.ID).Error)
	var hidden qaOrder
	must(t, db.Unscoped().Where("ref = ?", "B1").First(&hidden).Error)
	if hidden.CustomerID != nil || !hidden.DeletedAt.Valid {
		t.Fatalf("hidden order after customer delete: %+v", hidden)
	}

	// Joins after SET NULL: the order without customer has a nil pointer.
	var orders []qaOrder
	must(t, db.Unscoped().Joins("Customer").Order("qa_orders.ref").Find(&orders).Error)
	var refs []string
	for _, o := range orders {
		c := "-"
		if o.Customer != nil {
			c = o.Customer.Name + fmt.Sprint(o.Customer.ID)
		}
		refs = append(refs, o.Ref+":"+c)
	}
	gormDiff(t, "joined orders", []string{"A1:ann100", "A2:ann100", "B1:-"}, refs)

	// Hard delete of an order: items cascade; the tag links cascade by the
	// join table's constraint (OnDelete:CASCADE on the many2many).
	must(t, db.Unscoped().Where("ref = ?", "B1").Delete(&qaOrder{}).Error)
	must(t, db.Model(&qaItem{}).Count(&n).Error)
	gormDiff(t, "items after hard delete", int64(3), n)
	must(t, db.Table("qa_order_tags").Count(&n).Error)
	gormDiff(t, "links after hard delete", int64(3), n)

	// Deleting a tag still linked: its link rows cascade too.
	must(t, db.Delete(&qaTag{}, tags[1].ID).Error)
	must(t, db.Table("qa_order_tags").Count(&n).Error)
	gormDiff(t, "links after tag delete", int64(1), n)

	// Deleting the customer with Select("Orders") deletes orders (soft)
	// before the customer; the customer's hard delete then nulls them.
	var cust qaCustomer
	must(t, db.First(&cust, 100).Error)
	must(t, db.Select("Orders").Delete(&cust).Error)
	must(t, db.Unscoped().Model(&qaOrder{}).Where("customer_id IS NULL AND deleted_at IS NOT NULL").Count(&n).Error)
	gormDiff(t, "soft-deleted, detached orders", int64(2), n)

	// Preload after the cascades: nothing is left for the other customer.
	got = nil
	must(t, db.Preload("Orders.Items").Order("id").Find(&got).Error)
	gormDiff(t, "customers left", 1, len(got))
	gormDiff(t, "their orders", 0, len(got[0].Orders))

	// foreign_key_checks = 0 on one connection lets an orphan in.
	ctx := context.Background()
	sqlDB, _ := db.DB()
	conn, err := sqlDB.Conn(ctx)
	must(t, err)
	_, err = conn.ExecContext(ctx, "SET foreign_key_checks = 0")
	must(t, err)
	_, err = conn.ExecContext(ctx, "INSERT INTO qa_items (order_id, sku, qty) VALUES (4242, 'orphan', 1)")
	must(t, err)
	_, err = conn.ExecContext(ctx, "SET foreign_key_checks = 1")
	must(t, err)
	conn.Close()
	var orphans int64
	must(t, db.Raw("SELECT COUNT(*) FROM qa_items i LEFT JOIN qa_orders o ON o.id = i.order_id WHERE o.id IS NULL").Scan(&orphans).Error)
	gormDiff(t, "orphans", int64(1), orphans)
	// Updating the orphan's other columns does not check the key; changing
	// the key does.
	must(t, db.Model(&qaItem{}).Where("sku = ?", "orphan").Update("qty", 2).Error)
	if err := db.Model(&qaItem{}).Where("sku = ?", "orphan").Update("order_id", 4243).Error; !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("orphan key update: %v", err)
	}

	gormNoDDL(t, "shop after use", db, models...)
}

// --- GORM: JSON fields -------------------------------------------------------

// qaJSONBytes is datatypes.JSON's shape: a []byte Valuer/Scanner.
type qaJSONBytes []byte

func (j qaJSONBytes) Value() (driver.Value, error) {
	if len(j) == 0 {
		return nil, nil
	}
	return string(j), nil
}

func (j *qaJSONBytes) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*j = nil
	case []byte:
		*j = append(qaJSONBytes(nil), x...)
	case string:
		*j = qaJSONBytes(x)
	default:
		return fmt.Errorf("qaJSONBytes: cannot scan %T", v)
	}
	return nil
}

func (qaJSONBytes) GormDataType() string { return "json" }

// qaPrefs is a struct stored as JSON whose Scanner accepts only []byte,
// like many hand-written app types.
type qaPrefs struct {
	Theme string   `json:"theme"`
	Langs []string `json:"langs"`
	Beta  bool     `json:"beta"`
}

func (p qaPrefs) Value() (driver.Value, error) {
	b, err := json.Marshal(p)
	return string(b), err
}

func (p *qaPrefs) Scan(v any) error {
	b, ok := v.([]byte)
	if !ok {
		return fmt.Errorf("qaPrefs: want []byte, got %T", v)
	}
	return json.Unmarshal(b, p)
}

type qaDoc struct {
	ID    uint
	Name  string          `gorm:"size:20;uniqueIndex"`
	Attrs qaJSONBytes     `gorm:"type:json"`
	Prefs qaPrefs         `gorm:"type:json"`
	Raw   json.RawMessage `gorm:"type:json"`
	Meta  map[string]any  `gorm:"serializer:json;type:json"`
	Plain string          `gorm:"type:json"`
}

func TestORMQAGORMJSONFields(t *testing.T) {
	db, _ := gormOpen(t, nil)
	must(t, db.AutoMigrate(&qaDoc{}))
	gormNoDDL(t, "docs", db, &qaDoc{})
	docs := []qaDoc{
		{Name: "a", Attrs: qaJSONBytes(`{"size":  3, "color":"red", "dims":[1,2]}`), Prefs: qaPrefs{Theme: "dark", Langs: []string{"en", "fr"}},
			Raw: json.RawMessage(`[1, "two", null, true]`), Meta: map[string]any{"n": 1.5, "tags": []any{"x"}}, Plain: `"hello"`},
		{Name: "b", Attrs: qaJSONBytes(`{"size":10,"color":"blue"}`), Prefs: qaPrefs{Theme: "light", Beta: true},
			Raw: json.RawMessage(`{"z":1,"a":{"y":2,"b":3}}`), Meta: map[string]any{}, Plain: `12.50`},
		{Name: "c", Prefs: qaPrefs{}, Raw: json.RawMessage(`null`), Plain: `{"k": "<v>&"}`},
	}
	must(t, db.Create(&docs).Error)

	var got []qaDoc
	must(t, db.Order("name").Find(&got).Error)
	type view struct{ Name, Attrs, Raw, Plain string }
	var views []view
	for _, d := range got {
		views = append(views, view{d.Name, string(d.Attrs), string(d.Raw), d.Plain})
	}
	// MySQL stores JSON normalized: keys sorted by length then bytes,
	// ", " and ": " separators; numbers with a fraction are doubles.
	gormDiff(t, "normalized JSON", []view{
		{"a", `{"dims": [1, 2], "size": 3, "color": "red"}`, `[1, "two", null, true]`, `"hello"`},
		{"b", `{"size": 10, "color": "blue"}`, `{"a": {"b": 3, "y": 2}, "z": 1}`, `12.5`},
		{"c", ``, `null`, `{"k": "<v>&"}`},
	}, views)
	gormDiff(t, "prefs", []qaPrefs{{Theme: "dark", Langs: []string{"en", "fr"}}, {Theme: "light", Beta: true}, {}}, []qaPrefs{got[0].Prefs, got[1].Prefs, got[2].Prefs})
	gormDiff(t, "meta", []map[string]any{{"n": 1.5, "tags": []any{"x"}}, {}, nil}, []map[string]any{got[0].Meta, got[1].Meta, got[2].Meta})

	// JSON path queries, as apps write them with GORM.
	var names []string
	must(t, db.Model(&qaDoc{}).Where("JSON_EXTRACT(attrs, '$.size') > ?", 5).Pluck("name", &names).Error)
	gormDiff(t, "size > 5", []string{"b"}, names)
	names = nil
	must(t, db.Model(&qaDoc{}).Where("attrs->>'$.color' = ?", "red").Pluck("name", &names).Error)
	gormDiff(t, "color red", []string{"a"}, names)
	names = nil
	must(t, db.Model(&qaDoc{}).Where("JSON_CONTAINS(prefs->'$.langs', ?)", `"fr"`).Pluck("name", &names).Error)
	gormDiff(t, "langs contain fr", []string{"a"}, names)
	names = nil
	must(t, db.Model(&qaDoc{}).Where("JSON_EXTRACT(prefs, '$.beta') = true").Pluck("name", &names).Error)
	gormDiff(t, "beta", []string{"b"}, names)

	// JSON function results scan into the same types.
	var row struct {
		Obj   json.RawMessage
		Color string
		Keys  qaJSONBytes
	}
	must(t, db.Raw("SELECT JSON_OBJECT('k', name, 'n', 2) AS obj, attrs->>'$.color' AS color, JSON_KEYS(attrs) AS `keys` FROM qa_docs WHERE name = ?", "a").Scan(&row).Error)
	gormDiff(t, "json functions", `{"k": "a", "n": 2}|red|["dims", "size", "color"]`, string(row.Obj)+"|"+row.Color+"|"+string(row.Keys))

	// Updates through JSON_SET and through the model.
	must(t, db.Model(&qaDoc{}).Where("name = ?", "b").Update("attrs", gorm.Expr("JSON_SET(attrs, '$.size', ?, '$.new', JSON_ARRAY(1, 'x'))", 11)).Error)
	var d qaDoc
	must(t, db.Where("name = ?", "b").First(&d).Error)
	gormDiff(t, "after JSON_SET", `{"new": [1, "x"], "size": 11, "color": "blue"}`, string(d.Attrs))
	d.Meta = map[string]any{"v": 2.0}
	d.Prefs.Langs = []string{"de"}
	must(t, db.Save(&d).Error)
	var d2 qaDoc
	must(t, db.First(&d2, d.ID).Error)
	gormDiff(t, "after Save", map[string]any{"v": 2.0}, d2.Meta)
	gormDiff(t, "after Save prefs", qaPrefs{Theme: "light", Langs: []string{"de"}, Beta: true}, d2.Prefs)

	// Invalid JSON is refused (3140), as MySQL refuses it.
	err := db.Create(&qaDoc{Name: "bad", Raw: json.RawMessage(`{bad`)}).Error
	qaWantErrno(t, "invalid JSON", err, 3140)

	// Maps: GORM scans each column into its scan type, which for JSON is
	// string (as go-sql-driver/mysql reports it), not []byte.
	var maps []map[string]any
	must(t, db.Table("qa_docs").Select("name", "raw", "JSON_OBJECT('n', name) AS obj").Where("name IN ?", []string{"a", "c"}).Order("name").Find(&maps).Error)
	gormDiff(t, "maps", []map[string]any{
		{"name": "a", "raw": `[1, "two", null, true]`, "obj": `{"n": "a"}`},
		{"name": "c", "raw": `null`, "obj": `{"n": "c"}`},
	}, maps)
	// JSON_ARRAYAGG of a JSON column nests the documents.
	var agg, objAgg string
	must(t, db.Raw("SELECT JSON_ARRAYAGG(raw) FROM (SELECT raw FROM qa_docs WHERE name = 'b') x").Scan(&agg).Error)
	gormDiff(t, "JSON_ARRAYAGG", `[{"a": {"b": 3, "y": 2}, "z": 1}]`, agg)
	must(t, db.Raw("SELECT JSON_OBJECTAGG(name, prefs->'$.beta') FROM qa_docs").Scan(&objAgg).Error)
	gormDiff(t, "JSON_OBJECTAGG", `{"a": false, "b": true, "c": false}`, objAgg)

	// Select only some columns: the others stay zero.
	var slim []qaDoc
	must(t, db.Select("id", "name", "raw").Order("id").Find(&slim).Error)
	gormDiff(t, "slim", `[1, "two", null, true]`, string(slim[0].Raw))
	if slim[0].Attrs != nil || slim[0].Meta != nil {
		t.Fatalf("unselected columns filled: %+v", slim[0])
	}
}

// --- GORM: paging, batches, IN lists, upserts on collated keys ---------------

type qaAuthor struct {
	ID    uint
	Name  string `gorm:"size:30"`
	Posts []qaPost
}

type qaPost struct {
	ID         uint
	QaAuthorID uint
	Title      string `gorm:"size:40"`
	Score      int
}

type qaSlug struct {
	ID    uint
	Slug  string `gorm:"type:varchar(40) COLLATE utf8mb4_bin;uniqueIndex"`
	Label string `gorm:"type:varchar(40);uniqueIndex"` // utf8mb4_0900_ai_ci
	Hits  int
}

func TestORMQAGORMPagingBatchesUpserts(t *testing.T) {
	db, _ := gormOpen(t, nil)
	must(t, db.AutoMigrate(&qaAuthor{}, &qaPost{}, &qaSlug{}))
	const nAuthors, perAuthor = 40, 30
	var authors []qaAuthor
	for i := 1; i <= nAuthors; i++ {
		a := qaAuthor{Name: fmt.Sprintf("au%02d", i)}
		for j := 1; j <= perAuthor; j++ {
			a.Posts = append(a.Posts, qaPost{Title: fmt.Sprintf("p%02d-%02d", i, j), Score: (i*7 + j*13) % 50})
		}
		authors = append(authors, a)
	}
	must(t, db.CreateInBatches(&authors, 7).Error)

	// Count and pages over a join, without ORDER BY the rows may come in
	// any order: collect all pages ordered by id and compare with the set.
	base := func() *gorm.DB {
		return db.Model(&qaPost{}).Joins("JOIN qa_authors a ON a.id = qa_posts.qa_author_id").Where("qa_posts.score >= ? AND a.name <> ?", 25, "au03")
	}
	var total int64
	must(t, base().Count(&total).Error)
	var want []uint
	for _, a := range authors {
		if a.Name == "au03" {
			continue
		}
		for _, p := range a.Posts {
			if p.Score >= 25 {
				want = append(want, p.ID)
			}
		}
	}
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	gormDiff(t, "joined count", int64(len(want)), total)
	var paged []uint
	const pageSize = 17
	for off := 0; off < int(total)+pageSize; off += pageSize {
		var ids []uint
		must(t, base().Order("qa_posts.id").Offset(off).Limit(pageSize).Pluck("qa_posts.id", &ids).Error)
		paged = append(paged, ids...)
	}
	gormDiff(t, "paged ids", want, paged)
	// Ordered by a non-unique column with a tie breaker, descending.
	var top []qaPost
	must(t, base().Select("qa_posts.*").Order("qa_posts.score DESC, qa_posts.id DESC").Offset(5).Limit(3).Find(&top).Error)
	all := append([]uint(nil), want...)
	byID := map[uint]qaPost{}
	for _, a := range authors {
		for _, p := range a.Posts {
			byID[p.ID] = p
		}
	}
	sort.Slice(all, func(i, j int) bool {
		pi, pj := byID[all[i]], byID[all[j]]
		if pi.Score != pj.Score {
			return pi.Score > pj.Score
		}
		return pi.ID > pj.ID
	})
	var wantTop []qaPost
	for _, id := range all[5:8] {
		wantTop = append(wantTop, byID[id])
	}
	gormDiff(t, "top page", wantTop, top)

	// Unordered join of both tables, no LIMIT: the set is exact.
	type pair struct {
		Name  string
		Title string
	}
	var pairs []pair
	must(t, db.Table("qa_posts p").Select("a.name, p.title").Joins("JOIN qa_authors a ON a.id = p.qa_author_id").Where("p.score = ?", 0).Scan(&pairs).Error)
	var wantPairs []pair
	for _, a := range authors {
		for _, p := range a.Posts {
			if p.Score == 0 {
				wantPairs = append(wantPairs, pair{a.Name, p.Title})
			}
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].Title < pairs[j].Title })
	sort.Slice(wantPairs, func(i, j int) bool { return wantPairs[i].Title < wantPairs[j].Title })
	gormDiff(t, "unordered join", wantPairs, pairs)

	// FindInBatches walks the whole table once, by primary key.
	var seen []uint
	batches := 0
	var rows []qaPost
	res := db.Where("score < ?", 10).FindInBatches(&rows, 23, func(tx *gorm.DB, batch int) error {
		batches++
		for _, r := range rows {
			seen = append(seen, r.ID)
		}
		return nil
	})
	must(t, res.Error)
	var wantSeen []uint
	for id := uint(1); id <= nAuthors*perAuthor; id++ {
		if byID[id].Score < 10 {
			wantSeen = append(wantSeen, id)
		}
	}
	gormDiff(t, "FindInBatches ids", wantSeen, seen)
	gormDiff(t, "FindInBatches batches", (len(wantSeen)+22)/23, batches)
	gormDiff(t, "FindInBatches rows affected", int64(len(wantSeen)), res.RowsAffected)

	// IN with many ids, prepared and not.
	var ids []uint
	for id := uint(3); id <= nAuthors*perAuthor+50; id += 3 {
		ids = append(ids, id)
	}
	for _, sess := range []*gorm.DB{db, db.Session(&gorm.Session{PrepareStmt: true})} {
		var n int64
		must(t, sess.Model(&qaPost{}).Where("id IN ?", ids).Count(&n).Error)
		gormDiff(t, "IN count", int64(nAuthors*perAuthor/3), n)
		var got []qaPost
		must(t, sess.Where("id IN ?", ids[:5]).Order("id").Find(&got).Error)
		gormDiff(t, "IN rows", []qaPost{byID[3], byID[6], byID[9], byID[12], byID[15]}, got)
		// Point lookups by primary key repeated through a prepared statement,
		// with a change in between.
		for i, id := range []uint{7, 8, 7} {
			var p qaPost
			must(t, sess.First(&p, id).Error)
			want := byID[id]
			if i == 2 && sess != db {
				want.Score = 99
			}
			gormDiff(t, "point lookup", want, p)
			if i == 1 && sess != db {
				must(t, sess.Model(&qaPost{}).Where("id = ?", 7).Update("score", 99).Error)
			}
		}
	}

	// Upserts on unique collated columns.
	must(t, db.Create(&[]qaSlug{{Slug: "Go", Label: "Golang", Hits: 1}, {Slug: "go", Label: "go-lower", Hits: 1}}).Error)
	upsert := func(s qaSlug, cols ...string) {
		t.Helper()
		must(t, db.Clauses(clause.OnConflict{DoUpdates: clause.AssignmentColumns(cols)}).Create(&s).Error)
	}
	// "GO" is new under utf8mb4_bin; "golang" collides with "Golang" under
	// the case-insensitive label.
	upsert(qaSlug{Slug: "GO", Label: "GO-upper", Hits: 1}, "hits")
	upsert(qaSlug{Slug: "rust", Label: "golang", Hits: 5}, "hits")
	upsert(qaSlug{Slug: "go", Label: "go-lower-2", Hits: 7}, "hits", "label")
	must(t, db.Clauses(clause.OnConflict{DoUpdates: clause.Assignments(map[string]any{"hits": gorm.Expr("hits + VALUES(hits)")})}).
		Create(&qaSlug{Slug: "Go", Label: "x", Hits: 10}).Error)
	must(t, db.Clauses(clause.OnConflict{DoNothing: true}).Create(&qaSlug{Slug: "GO", Label: "y", Hits: 100}).Error)
	var slugs []qaSlug
	must(t, db.Order("id").Find(&slugs).Error)
	gormDiff(t, "slugs", []qaSlug{
		{ID: 1, Slug: "Go", Label: "Golang", Hits: 15}, // 5 from "golang", +10
		{ID: 2, Slug: "go", Label: "go-lower-2", Hits: 7},
		{ID: 3, Slug: "GO", Label: "GO-upper", Hits: 1},
	}, slugs)
	var bySlug qaSlug
	must(t, db.Where("slug = ?", "GO").First(&bySlug).Error)
	gormDiff(t, "bin lookup", uint(3), bySlug.ID)
	var cnt int64
	must(t, db.Model(&qaSlug{}).Where("label = ?", "GOLANG").Count(&cnt).Error)
	gormDiff(t, "ci lookup", int64(1), cnt)
	var distinct []string
	must(t, db.Model(&qaSlug{}).Distinct("slug").Order("slug").Pluck("slug", &distinct).Error)
	gormDiff(t, "binary order", []string{"GO", "Go", "go"}, distinct)
}

// --- GORM: savepoints around a foreign key error ---------------------------------

type qaAccount struct {
	ID      uint
	Name    string    `gorm:"size:20;uniqueIndex"`
	Entries []qaEntry `gorm:"foreignKey:AccountID;constraint:OnDelete:CASCADE"`
}

type qaEntry struct {
	ID        uint
	AccountID uint
	Amount    int
}

func TestORMQAGORMSavepointsForeignKeys(t *testing.T) {
	db, _ := gormOpen(t, &gorm.Config{TranslateError: true})
	must(t, db.AutoMigrate(&qaAccount{}, &qaEntry{}))
	must(t, db.Create(&qaAccount{Name: "cash"}).Error)

	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&qaEntry{AccountID: 1, Amount: 10}).Error; err != nil {
			return err
		}
		// A nested transaction (a savepoint) fails on the foreign key ...
		nested := tx.Transaction(func(tx2 *gorm.DB) error {
			if err := tx2.Create(&qaEntry{AccountID: 1, Amount: 20}).Error; err != nil {
				return err
			}
			return tx2.Create(&qaEntry{AccountID: 42, Amount: 30}).Error
		})
		if !errors.Is(nested, gorm.ErrForeignKeyViolated) {
			return fmt.Errorf("nested: %v", nested)
		}
		// ... and the outer one goes on.
		if err := tx.Create(&qaEntry{AccountID: 1, Amount: 40}).Error; err != nil {
			return err
		}
		// Explicit SavePoint / RollbackTo around a 1451.
		must(t, tx.SavePoint("sp1").Error)
		if err := tx.Delete(&qaAccount{}, 1).Error; err != nil {
			return fmt.Errorf("cascade delete: %v", err)
		}
		var n int64
		must(t, tx.Model(&qaEntry{}).Count(&n).Error)
		if n != 0 {
			return fmt.Errorf("entries after cascade: %d", n)
		}
		must(t, tx.RollbackTo("sp1").Error)
		must(t, tx.Model(&qaEntry{}).Count(&n).Error)
		if n != 2 {
			return fmt.Errorf("entries after RollbackTo: %d", n)
		}
		// The failed statement inside a savepoint leaves earlier rows.
		must(t, tx.SavePoint("sp2").Error)
		must(t, tx.Create(&qaAccount{Name: "bank"}).Error)
		if err := tx.Create(&[]qaEntry{{AccountID: 2, Amount: 1}, {AccountID: 3, Amount: 2}}).Error; !errors.Is(err, gorm.ErrForeignKeyViolated) {
			return fmt.Errorf("batch with orphan: %v", err)
		}
		must(t, tx.Model(&qaEntry{}).Where("account_id = ?", 2).Count(&n).Error)
		if n != 0 {
			return fmt.Errorf("batch insert partially applied: %d", n)
		}
		must(t, tx.RollbackTo("sp2").Error)
		return nil
	})
	must(t, err)
	var entries []qaEntry
	must(t, db.Order("id").Find(&entries).Error)
	gormDiff(t, "entries", []qaEntry{{ID: 1, AccountID: 1, Amount: 10}, {ID: 4, AccountID: 1, Amount: 40}}, entries)
	var accts []string
	must(t, db.Model(&qaAccount{}).Order("id").Pluck("name", &accts).Error)
	gormDiff(t, "accounts", []string{"cash"}, accts)
}

// --- GORM: concurrent child inserts and parent deletes ---------------------------

func TestORMQAGORMConcurrentOrphans(t *testing.T) {
	db, _ := gormOpen(t, nil)
	must(t, db.AutoMigrate(&qaAccount{}, &qaEntry{}))
	sqlDB, _ := db.DB()
	sqlDB.SetMaxOpenConns(8)
	const parents = 60
	for i := 1; i <= parents; i++ {
		must(t, db.Create(&qaAccount{Name: fmt.Sprintf("a%02d", i)}).Error)
	}
	var wg sync.WaitGroup
	var inserted, refused atomic.Int64
	errs := make(chan error, 100)
	allowed := func(err error) bool {
		switch qaErrno(err) {
		case 1451, 1452, 1213, 1205:
			return true
		}
		return false
	}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 150; i++ {
				acct := uint((i*7+w*13)%parents + 1)
				err := db.Create(&qaEntry{AccountID: acct, Amount: w*1000 + i}).Error
				switch {
				case err == nil:
					inserted.Add(1)
				case allowed(err):
					refused.Add(1)
				default:
					errs <- fmt.Errorf("insert: %w", err)
					return
				}
			}
		}(w)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Deletes parents one by one, half with a raw DELETE (RESTRICT via
		// the cascade? no: the entries cascade), half in a transaction
		// that deletes the children first.
		for i := parents; i >= 1; i -= 2 {
			if err := db.Delete(&qaAccount{}, i).Error; err != nil && !allowed(err) {
				errs <- fmt.Errorf("delete: %w", err)
				return
			}
			err := db.Transaction(func(tx *gorm.DB) error {
				if err := tx.Where("account_id = ?", i-1).Delete(&qaEntry{}).Error; err != nil {
					return err
				}
				return tx.Delete(&qaAccount{}, i-1).Error
			})
			if err != nil && !allowed(err) {
				errs <- fmt.Errorf("tx delete: %w", err)
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var orphans int64
	must(t, db.Raw("SELECT COUNT(*) FROM qa_entries e WHERE NOT EXISTS (SELECT 1 FROM qa_accounts a WHERE a.id = e.account_id)").Scan(&orphans).Error)
	gormDiff(t, "orphans", int64(0), orphans)
	var left int64
	must(t, db.Model(&qaAccount{}).Count(&left).Error)
	var entries int64
	must(t, db.Model(&qaEntry{}).Count(&entries).Error)
	if inserted.Load()+refused.Load() != 600 {
		t.Fatalf("inserted %d + refused %d != 600", inserted.Load(), refused.Load())
	}
	if left != 0 && left > parents {
		t.Fatalf("accounts left: %d", left)
	}
	t.Logf("inserted %d, refused %d, accounts left %d, entries left %d", inserted.Load(), refused.Load(), left, entries)
}

// --- sqlx: JSON columns, bulk named inserts, warnings, session features ---------

const qaSqlxSchema = `
CREATE TABLE qa_team (
	id INT AUTO_INCREMENT PRIMARY KEY,
	code VARCHAR(20) COLLATE utf8mb4_bin NOT NULL UNIQUE,
	name VARCHAR(40) NOT NULL DEFAULT 'unnamed',
	created TINYINT NOT NULL DEFAULT 1
);
CREATE TABLE qa_member (
	id BIGINT AUTO_INCREMENT PRIMARY KEY,
	team_id INT NULL,
	login VARCHAR(20) NOT NULL,
	score INT NOT NULL DEFAULT 0,
	profile JSON,
	settings JSON NOT NULL,
	CONSTRAINT fk_member_team FOREIGN KEY (team_id) REFERENCES qa_team (id) ON DELETE SET NULL ON UPDATE CASCADE
)`

type qaSqlxMember struct {
	ID       int64            `db:"id"`
	TeamID   sql.NullInt64    `db:"team_id"`
	Login    string           `db:"login"`
	Score    int              `db:"score"`
	Profile  *json.RawMessage `db:"profile"`
	Settings qaPrefs          `db:"settings"`
}

func TestORMQASqlx(t *testing.T) {
	db := sqlxOpen(t)
	ctx := context.Background()
	for _, s := range strings.Split(qaSqlxSchema, ";") {
		_, err := db.Exec(s)
		must(t, err)
	}
	// Every column's default. (The failed insert takes id 1 in bxdb;
	// MySQL checks the values before it allocates one, so there it
	// stays free: the id below is not asserted.)
	res, err := db.Exec("INSERT INTO qa_team () VALUES ()")
	if err == nil {
		t.Fatal("INSERT () VALUES () into a NOT NULL column without default succeeded")
	}
	qaWantErrno(t, "INSERT () VALUES ()", err, 1364)
	_, err = db.Exec("ALTER TABLE qa_team MODIFY code VARCHAR(20) COLLATE utf8mb4_bin NOT NULL DEFAULT 'dflt'")
	must(t, err)
	res, err = db.Exec("INSERT INTO qa_team () VALUES ()")
	must(t, err)
	dflt, _ := res.LastInsertId()
	red, upper, blue := dflt+1, dflt+2, dflt+3
	_, err = db.NamedExec("INSERT INTO qa_team (code, name) VALUES (:code, :name)", []map[string]any{
		{"code": "red", "name": "Red"}, {"code": "RED", "name": "Red upper"}, {"code": "blue", "name": "Blue"},
	})
	must(t, err)

	raw := func(s string) *json.RawMessage { r := json.RawMessage(s); return &r }
	members := []qaSqlxMember{
		{TeamID: sql.NullInt64{Int64: red, Valid: true}, Login: "amy", Score: 10, Profile: raw(`{"age": 30, "city": "Oslo"}`), Settings: qaPrefs{Theme: "dark"}},
		{TeamID: sql.NullInt64{Int64: red, Valid: true}, Login: "ben", Score: 20, Settings: qaPrefs{Langs: []string{"nb"}}},
		{TeamID: sql.NullInt64{Int64: upper, Valid: true}, Login: "cat", Score: 30, Profile: raw(`{"tags":["a","b"]}`), Settings: qaPrefs{Beta: true}},
		{Login: "dan", Score: 40, Profile: raw(`[]`), Settings: qaPrefs{}},
	}
	_, err = db.NamedExec(`INSERT INTO qa_member (team_id, login, score, profile, settings) VALUES (:team_id, :login, :score, :profile, :settings)`, members)
	must(t, err)
	// A bulk insert with one orphan inserts nothing.
	_, err = db.NamedExec(`INSERT INTO qa_member (team_id, login, settings) VALUES (:team_id, :login, :settings)`, []qaSqlxMember{
		{TeamID: sql.NullInt64{Int64: blue, Valid: true}, Login: "eve"},
		{TeamID: sql.NullInt64{Int64: 99, Valid: true}, Login: "fay"},
	})
	qaWantErrno(t, "bulk insert with orphan", err, 1452)

	var got []qaSqlxMember
	must(t, db.Select(&got, "SELECT * FROM qa_member ORDER BY id"))
	want := []qaSqlxMember{
		{ID: 1, TeamID: sql.NullInt64{Int64: red, Valid: true}, Login: "amy", Score: 10, Profile: raw(`{"age": 30, "city": "Oslo"}`), Settings: qaPrefs{Theme: "dark"}},
		{ID: 2, TeamID: sql.NullInt64{Int64: red, Valid: true}, Login: "ben", Score: 20, Settings: qaPrefs{Langs: []string{"nb"}}},
		{ID: 3, TeamID: sql.NullInt64{Int64: upper, Valid: true}, Login: "cat", Score: 30, Profile: raw(`{"tags": ["a", "b"]}`), Settings: qaPrefs{Beta: true}},
		{ID: 4, Login: "dan", Score: 40, Profile: raw(`[]`)},
	}
	gormDiff(t, "members", want, got)
	// The stored text of settings, as MySQL prints it.
	var settings []string
	must(t, db.Select(&settings, "SELECT settings FROM qa_member ORDER BY id"))
	gormDiff(t, "settings text", []string{
		`{"beta": false, "langs": null, "theme": "dark"}`,
		`{"beta": false, "langs": ["nb"], "theme": ""}`,
		`{"beta": true, "langs": null, "theme": ""}`,
		`{"beta": false, "langs": null, "theme": ""}`,
	}, settings)

	// A join selecting only some columns, JSON through a join.
	type joined struct {
		Login string         `db:"login"`
		Team  string         `db:"team"`
		City  sql.NullString `db:"city"`
		// (Prof is JSON in MySQL, []byte from go-sql-driver/mysql; bxdb
		// types COALESCE from its first value, VARCHAR: a string, which
		// a json.RawMessage cannot scan. qaJSONBytes takes both.)
		Prof qaJSONBytes `db:"prof"`
	}
	var js []joined
	must(t, db.Select(&js, `SELECT m.login, t.name AS team, m.profile->>'$.city' AS city, COALESCE(m.profile, JSON_OBJECT()) AS prof
		FROM qa_member m JOIN qa_team t ON t.id = m.team_id WHERE t.code IN (?, ?) ORDER BY m.login`, "red", "BLUE"))
	gormDiff(t, "joined", []joined{
		{Login: "amy", Team: "Red", City: sql.NullString{String: "Oslo", Valid: true}, Prof: qaJSONBytes(`{"age": 30, "city": "Oslo"}`)},
		{Login: "ben", Team: "Red", Prof: qaJSONBytes(`{}`)},
	}, js)

	// sqlx.In with many ids.
	var ids []int64
	for i := int64(0); i < 500; i++ {
		ids = append(ids, i*2)
	}
	q, args, err := sqlx.In("SELECT login FROM qa_member WHERE id IN (?) ORDER BY id", ids)
	must(t, err)
	var logins []string
	must(t, db.Select(&logins, db.Rebind(q), args...))
	gormDiff(t, "IN", []string{"ben", "dan"}, logins)

	// Session features on one connection.
	conn, err := db.Connx(ctx)
	must(t, err)
	defer conn.Close()
	var page []string
	must(t, conn.SelectContext(ctx, &page, "SELECT SQL_CALC_FOUND_ROWS login FROM qa_member WHERE score > ? ORDER BY score DESC LIMIT 1, 2", 5))
	var found int64
	must(t, conn.GetContext(ctx, &found, "SELECT FOUND_ROWS()"))
	gormDiff(t, "calc found rows page", []string{"cat", "ben"}, page)
	gormDiff(t, "FOUND_ROWS", int64(4), found)

	type ranked struct {
		Rn    int64  `db:"rn"`
		Login string `db:"login"`
	}
	var rk []ranked
	_, err = conn.ExecContext(ctx, "SET @rn := 0")
	must(t, err)
	must(t, conn.SelectContext(ctx, &rk, "SELECT @rn := @rn + 1 AS rn, login FROM (SELECT login FROM qa_member ORDER BY score DESC LIMIT 10) d"))
	gormDiff(t, "ranked", []ranked{{1, "dan"}, {2, "cat"}, {3, "ben"}, {4, "amy"}}, rk)
	var last int64
	must(t, conn.GetContext(ctx, &last, "SELECT @rn"))
	gormDiff(t, "@rn", int64(4), last)
	_, err = conn.ExecContext(ctx, "SELECT MAX(score), MIN(login) INTO @mx, @mn FROM qa_member")
	must(t, err)
	var mx int64
	var mn string
	must(t, conn.QueryRowContext(ctx, "SELECT @mx, @mn").Scan(&mx, &mn))
	gormDiff(t, "SELECT INTO", "40 amy", fmt.Sprint(mx, " ", mn))

	// Warnings of INSERT IGNORE, read with SHOW WARNINGS.
	type warning struct {
		Level   string `db:"Level"`
		Code    int    `db:"Code"`
		Message string `db:"Message"`
	}
	res, err = conn.ExecContext(ctx, "INSERT IGNORE INTO qa_team (code, name) VALUES ('red', 'dup'), ('green', REPEAT('x', 50)), ('Red', 'new')")
	must(t, err)
	n, _ := res.RowsAffected()
	gormDiff(t, "insert ignore rows", int64(2), n)
	var ws []warning
	must(t, conn.SelectContext(ctx, &ws, "SHOW WARNINGS"))
	gormDiff(t, "warnings", []warning{
		{"Warning", 1062, "Duplicate entry 'red' for key 'qa_team.code'"},
		{"Warning", 1265, "Data truncated for column 'name' at row 2"},
	}, ws)
	var wc int64
	must(t, conn.GetContext(ctx, &wc, "SELECT @@warning_count"))
	gormDiff(t, "@@warning_count", int64(2), wc)

	// CAST of text that is not a number: a warning in SELECT, an error in
	// a strict INSERT or UPDATE.
	var casted int64
	must(t, conn.GetContext(ctx, &casted, "SELECT CAST('12abc' AS SIGNED)"))
	gormDiff(t, "cast in select", int64(12), casted)
	ws = nil
	must(t, conn.SelectContext(ctx, &ws, "SHOW WARNINGS"))
	gormDiff(t, "cast warning", []warning{{"Warning", 1292, "Truncated incorrect INTEGER value: '12abc'"}}, ws)
	_, err = conn.ExecContext(ctx, "UPDATE qa_member SET score = CAST(? AS SIGNED) WHERE login = 'amy'", "7 points")
	qaWantErrno(t, "strict update cast", err, 1292)
	_, err = conn.ExecContext(ctx, "INSERT INTO qa_member (login, score, settings) SELECT 'zed', CAST(login AS SIGNED), '{}' FROM qa_member WHERE id = 1")
	qaWantErrno(t, "strict insert cast", err, 1292)
	_, err = conn.ExecContext(ctx, "UPDATE qa_member SET score = CAST(? AS SIGNED) WHERE login = 'amy'", "17")
	must(t, err)

	// Parent delete sets NULL; a key update cascades.
	_, err = db.Exec("UPDATE qa_team SET id = 30 WHERE code = 'RED'")
	must(t, err)
	_, err = db.Exec("DELETE FROM qa_team WHERE code = 'red'")
	must(t, err)
	type tm struct {
		Login  string        `db:"login"`
		TeamID sql.NullInt64 `db:"team_id"`
		Score  int           `db:"score"`
	}
	var after []tm
	must(t, db.Select(&after, "SELECT login, team_id, score FROM qa_member ORDER BY id"))
	var catProfile json.RawMessage
	must(t, db.Get(&catProfile, "SELECT profile FROM qa_member WHERE login = 'cat'"))
	gormDiff(t, "JSON kept by the cascade", `{"tags": ["a", "b"]}`, string(catProfile))
	gormDiff(t, "after cascades", []tm{{"amy", sql.NullInt64{}, 17}, {"ben", sql.NullInt64{}, 20}, {"cat", sql.NullInt64{Int64: 30, Valid: true}, 30}, {"dan", sql.NullInt64{}, 40}}, after)

	// A transaction: a 1451 from a RESTRICT key in a second table rolls
	// back only that statement.
	_, err = db.Exec("CREATE TABLE qa_badge (id INT PRIMARY KEY, member_id BIGINT NOT NULL, FOREIGN KEY (member_id) REFERENCES qa_member (id))")
	must(t, err)
	tx, err := db.Beginx()
	must(t, err)
	_, err = tx.Exec("INSERT INTO qa_badge VALUES (1, 3), (2, 4)")
	must(t, err)
	_, err = tx.Exec("DELETE FROM qa_member WHERE score >= 30")
	qaWantErrno(t, "delete referenced member", err, 1451)
	_, err = tx.Exec("DELETE FROM qa_member WHERE login = 'amy'")
	must(t, err)
	must(t, tx.Commit())
	logins = nil
	must(t, db.Select(&logins, "SELECT login FROM qa_member ORDER BY id"))
	gormDiff(t, "members left", []string{"ben", "cat", "dan"}, logins)
	// SHOW CREATE TABLE shows the automatic index.
	var tbl, ddl string
	must(t, db.QueryRow("SHOW CREATE TABLE qa_badge").Scan(&tbl, &ddl))
	if !strings.Contains(ddl, "KEY `member_id` (`member_id`)") || !strings.Contains(ddl, "FOREIGN KEY (`member_id`) REFERENCES `qa_member` (`id`)") {
		t.Errorf("SHOW CREATE TABLE qa_badge:\n%s", ddl)
	}
}

// --- bun: relations, bulk updates, ScanAndCount ----------------------------------

type qaBunShelf struct {
	bun.BaseModel `bun:"table:qa_shelves,alias:s"`

	ID    int64        `bun:",pk,autoincrement"`
	Name  string       `bun:",notnull,unique"`
	Books []*qaBunBook `bun:"rel:has-many,join:id=shelf_id"`
}

type qaBunBook struct {
	bun.BaseModel `bun:"table:qa_books,alias:b"`

	ID      int64          `bun:",pk,autoincrement"`
	ShelfID int64          `bun:",notnull"`
	Title   string         `bun:",notnull"`
	Pages   int            `bun:",notnull"`
	Meta    map[string]any `bun:",type:json"`
	Shelf   *qaBunShelf    `bun:"rel:belongs-to,join:shelf_id=id"`
}

func TestORMQABun(t *testing.T) {
	db := bunOpen(t)
	ctx := context.Background()
	_, err := db.NewCreateTable().Model((*qaBunShelf)(nil)).Exec(ctx)
	must(t, err)
	_, err = db.NewCreateTable().Model((*qaBunBook)(nil)).
		ForeignKey("(shelf_id) REFERENCES qa_shelves (id) ON DELETE CASCADE").Exec(ctx)
	must(t, err)

	shelves := []*qaBunShelf{{Name: "fiction"}, {Name: "science"}, {Name: "empty"}}
	_, err = db.NewInsert().Model(&shelves).Exec(ctx)
	must(t, err)
	var books []*qaBunBook
	for i := 1; i <= 25; i++ {
		books = append(books, &qaBunBook{ShelfID: shelves[i%2].ID, Title: fmt.Sprintf("t%02d", i), Pages: 100 + i, Meta: map[string]any{"i": float64(i), "even": i%2 == 0}})
	}
	_, err = db.NewInsert().Model(&books).Exec(ctx)
	must(t, err)
	gormDiff(t, "ids", int64(25), books[24].ID)
	_, err = db.NewInsert().Model(&qaBunBook{ShelfID: 77, Title: "orphan"}).Exec(ctx)
	qaWantErrno(t, "orphan book", err, 1452)

	// ScanAndCount with Offset and a relation.
	var page []qaBunBook
	total, err := db.NewSelect().Model(&page).Relation("Shelf").Where("b.pages > ?", 105).Order("b.id").Offset(4).Limit(5).ScanAndCount(ctx)
	must(t, err)
	gormDiff(t, "total", int64(20), int64(total))
	var titles []string
	for _, b := range page {
		titles = append(titles, b.Title+"@"+b.Shelf.Name+fmt.Sprint(b.Meta["i"]))
	}
	gormDiff(t, "page", []string{"t10@fiction10", "t11@science11", "t12@fiction12", "t13@science13", "t14@fiction14"}, titles)
	// Past the end.
	page = nil
	total, err = db.NewSelect().Model(&page).Where("b.pages > ?", 105).Order("b.id").Offset(40).Limit(5).ScanAndCount(ctx)
	must(t, err)
	gormDiff(t, "total past the end", int64(20), int64(total))
	gormDiff(t, "page past the end", 0, len(page))

	// Has-many relation.
	var sh []qaBunShelf
	must(t, db.NewSelect().Model(&sh).Relation("Books", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("b.pages < ?", 106).Order("b.id")
	}).Order("s.id").Scan(ctx))
	var rel []string
	for _, s := range sh {
		var ts []string
		for _, b := range s.Books {
			ts = append(ts, b.Title)
		}
		rel = append(rel, s.Name+":"+strings.Join(ts, ","))
	}
	gormDiff(t, "has-many", []string{"fiction:t02,t04", "science:t01,t03,t05", "empty:"}, rel)

	// Bulk update through VALUES.
	upd := []*qaBunBook{{ID: 1, Pages: 1000, Title: "one"}, {ID: 2, Pages: 2000, Title: "two"}, {ID: 3, Pages: 3000, Title: "three"}}
	res, err := db.NewUpdate().With("_data", db.NewValues(&upd)).Model((*qaBunBook)(nil)).TableExpr("_data").
		Set("b.pages = _data.pages").Set("b.title = _data.title").Where("b.id = _data.id").Exec(ctx)
	must(t, err)
	n, _ := res.RowsAffected()
	gormDiff(t, "bulk updated", int64(3), n)
	_, err = db.NewUpdate().Model(&upd).Column("pages").Bulk().Exec(ctx)
	must(t, err)
	var first3 []qaBunBook
	must(t, db.NewSelect().Model(&first3).Column("id", "title", "pages").Where("id <= 3").Order("id").Scan(ctx))
	gormDiff(t, "after bulk update", []qaBunBook{{ID: 1, Title: "one", Pages: 1000}, {ID: 2, Title: "two", Pages: 2000}, {ID: 3, Title: "three", Pages: 3000}}, first3)

	// JSON in WHERE and in an update.
	cnt, err := db.NewSelect().Model((*qaBunBook)(nil)).Where("JSON_EXTRACT(meta, '$.even') = true").Count(ctx)
	must(t, err)
	gormDiff(t, "even books", int64(12), int64(cnt))
	// bun writes a bool argument as TRUE/FALSE into the SQL text: a JSON
	// boolean compares equal to it.
	cnt, err = db.NewSelect().Model((*qaBunBook)(nil)).Where("JSON_EXTRACT(meta, '$.even') = ?", false).Count(ctx)
	must(t, err)
	gormDiff(t, "odd books", int64(13), int64(cnt))
	_, err = db.NewUpdate().Model((*qaBunBook)(nil)).Set("meta = JSON_SET(meta, '$.seen', ?)", true).Where("id = ?", 4).Exec(ctx)
	must(t, err)
	var b4 qaBunBook
	must(t, db.NewSelect().Model(&b4).Where("id = 4").Scan(ctx))
	gormDiff(t, "meta", map[string]any{"i": 4.0, "even": true, "seen": true}, b4.Meta)

	// Upsert on the unique name (utf8mb4_0900_ai_ci: "FICTION" is "fiction").
	_, err = db.NewInsert().Model(&qaBunShelf{Name: "FICTION"}).On("DUPLICATE KEY UPDATE name = VALUES(name)").Exec(ctx)
	must(t, err)
	var shelfNames []string
	must(t, db.NewSelect().Model((*qaBunShelf)(nil)).Column("name").Order("id").Scan(ctx, &shelfNames))
	gormDiff(t, "shelves after upsert", []string{"FICTION", "science", "empty"}, shelfNames)

	// Cascade through a transaction; the empty shelf's delete touches nothing.
	must(t, db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewDelete().Model((*qaBunShelf)(nil)).Where("name IN (?)", bun.In([]string{"science", "empty"})).Exec(ctx)
		return err
	}))
	cnt, err = db.NewSelect().Model((*qaBunBook)(nil)).Count(ctx)
	must(t, err)
	gormDiff(t, "books after cascade", int64(12), int64(cnt))
	cnt, err = db.NewSelect().Model((*qaBunBook)(nil)).Where("shelf_id <> ?", shelves[0].ID).Count(ctx)
	must(t, err)
	gormDiff(t, "books of other shelves", int64(0), int64(cnt))
}

// --- GORM: OFFSET paging against the full result, in and out of transactions -----

type qaEvent struct {
	ID        uint
	Kind      string `gorm:"size:10;index"`
	Seq       int    `gorm:"index"`
	Payload   string `gorm:"size:30"`
	DeletedAt gorm.DeletedAt
}

func TestORMQAGORMOffsetPaging(t *testing.T) {
	db, _ := gormOpen(t, nil)
	must(t, db.AutoMigrate(&qaEvent{}))
	kinds := []string{"click", "view", "buy"}
	var evs []qaEvent
	for i := 1; i <= 3000; i++ {
		evs = append(evs, qaEvent{Kind: kinds[i%3], Seq: (i * 7919) % 1000, Payload: fmt.Sprintf("p%04d", i)})
	}
	must(t, db.CreateInBatches(&evs, 500).Error)
	// Holes: hard deletes, soft deletes.
	must(t, db.Unscoped().Where("id % 10 = 3").Delete(&qaEvent{}).Error)
	must(t, db.Where("id % 10 = 7").Delete(&qaEvent{}).Error)

	type q struct {
		name  string
		scope func(*gorm.DB) *gorm.DB
	}
	queries := []q{
		{"by id", func(d *gorm.DB) *gorm.DB { return d.Order("id") }},
		{"by id desc", func(d *gorm.DB) *gorm.DB { return d.Order("id DESC") }},
		{"kind", func(d *gorm.DB) *gorm.DB { return d.Where("kind = ?", "view").Order("id") }},
		{"kind desc", func(d *gorm.DB) *gorm.DB { return d.Where("kind = ?", "buy").Order("id DESC") }},
		{"seq range", func(d *gorm.DB) *gorm.DB { return d.Where("seq BETWEEN ? AND ?", 100, 700).Order("seq, id") }},
		{"seq desc", func(d *gorm.DB) *gorm.DB { return d.Order("seq DESC, id DESC") }},
		{"id range", func(d *gorm.DB) *gorm.DB { return d.Where("id > ? AND id <= ?", 500, 2500).Order("id") }},
		{"unscoped", func(d *gorm.DB) *gorm.DB { return d.Unscoped().Order("id") }},
		{"payload", func(d *gorm.DB) *gorm.DB { return d.Where("payload LIKE ?", "p1%").Order("payload") }},
	}
	check := func(what string, d *gorm.DB) {
		t.Helper()
		for _, qq := range queries {
			var all []uint
			must(t, qq.scope(d.Model(&qaEvent{})).Pluck("id", &all).Error)
			var n int64
			must(t, qq.scope(d.Model(&qaEvent{})).Count(&n).Error)
			if int(n) != len(all) {
				t.Errorf("%s %s: Count %d, rows %d", what, qq.name, n, len(all))
			}
			for _, off := range []int{0, 1, 99, 100, 101, 511, 1000, 1700, len(all) - 1, len(all), len(all) + 5} {
				for _, lim := range []int{1, 25, 300} {
					var page []uint
					must(t, qq.scope(d.Model(&qaEvent{})).Offset(off).Limit(lim).Pluck("id", &page).Error)
					lo, hi := min(off, len(all)), min(off+lim, len(all))
					if fmt.Sprint(page) != fmt.Sprint(all[lo:hi]) && !(len(page) == 0 && lo == hi) {
						t.Errorf("%s %s OFFSET %d LIMIT %d: %v, want %v", what, qq.name, off, lim, page, all[lo:hi])
					}
				}
			}
		}
	}
	check("committed", db)
	for _, sess := range []*gorm.DB{db, db.Session(&gorm.Session{PrepareStmt: true})} {
		// Inside a transaction with its own changes, uncommitted.
		tx := sess.Begin()
		must(t, tx.Error)
		must(t, tx.Unscoped().Where("id BETWEEN ? AND ?", 1000, 1200).Delete(&qaEvent{}).Error)
		must(t, tx.Where("kind = ? AND seq < ?", "view", 300).Delete(&qaEvent{}).Error)
		var more []qaEvent
		for i := 0; i < 150; i++ {
			more = append(more, qaEvent{Kind: kinds[i%3], Seq: i * 3, Payload: fmt.Sprintf("p1x%03d", i)})
		}
		must(t, tx.Create(&more).Error)
		check("in transaction", tx)
		// Another connection sees none of it.
		var n int64
		must(t, db.Unscoped().Model(&qaEvent{}).Count(&n).Error)
		gormDiff(t, "rows seen outside", int64(2700), n)
		must(t, tx.Rollback().Error)
	}
	check("after rollback", db)
}

// --- database/sql: prepared unique lookups across changes; big joins ------------

func TestORMQAPreparedLookupsAndJoins(t *testing.T) {
	ctx := context.Background()
	db := gormOpenSQL(t)
	db.SetMaxOpenConns(4)
	for _, s := range []string{
		"CREATE TABLE qa_users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(60) NOT NULL, nick VARCHAR(30) COLLATE utf8mb4_bin, org_id INT, UNIQUE KEY uq_email (email), UNIQUE KEY uq_nick (nick))",
		"CREATE TABLE qa_orgs (id INT PRIMARY KEY, name VARCHAR(30) NOT NULL, tier INT NOT NULL)",
	} {
		_, err := db.Exec(s)
		must(t, err)
	}
	byEmail, err := db.PrepareContext(ctx, "SELECT id, email, nick FROM qa_users WHERE email = ?")
	must(t, err)
	defer byEmail.Close()
	byNick, err := db.PrepareContext(ctx, "SELECT id FROM qa_users WHERE nick = ?")
	must(t, err)
	defer byNick.Close()
	lookup := func(st *sql.Stmt, arg any) string {
		t.Helper()
		rows, err := st.QueryContext(ctx, arg)
		must(t, err)
		defer rows.Close()
		var out []string
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			must(t, rows.Scan(ptrs...))
			var parts []string
			for _, v := range vals {
				parts = append(parts, v.String)
			}
			out = append(out, strings.Join(parts, ","))
		}
		must(t, rows.Err())
		return strings.Join(out, ";")
	}
	_, err = db.Exec("INSERT INTO qa_users (email, nick) VALUES ('ann@x.io', 'Ann'), ('bob@x.io', 'bob')")
	must(t, err)
	for i := 0; i < 3; i++ {
		gormDiff(t, "by email", "1,ann@x.io,Ann", lookup(byEmail, "ann@x.io"))
		gormDiff(t, "by email, other case", "1,ann@x.io,Ann", lookup(byEmail, "ANN@X.IO"))
		// The default collation, utf8mb4_0900_ai_ci, is NO PAD.
		gormDiff(t, "by email, trailing space", "", lookup(byEmail, "ann@x.io  "))
		gormDiff(t, "by nick, bin, trailing space", "1", lookup(byNick, "Ann "))
		gormDiff(t, "by nick, bin", "", lookup(byNick, "ann"))
		gormDiff(t, "by nick", "1", lookup(byNick, "Ann"))
		// A number compares numerically: every email is 0, as in MySQL.
		gormDiff(t, "by email, int arg", "1,ann@x.io,Ann;2,bob@x.io,bob", lookup(byEmail, 0))
	}
	// Changes between executions.
	_, err = db.Exec("UPDATE qa_users SET email = 'ann@y.io' WHERE id = 1")
	must(t, err)
	gormDiff(t, "old email", "", lookup(byEmail, "ann@x.io"))
	gormDiff(t, "new email", "1,ann@y.io,Ann", lookup(byEmail, "ann@y.io"))
	_, err = db.Exec("DELETE FROM qa_users WHERE id = 1")
	must(t, err)
	gormDiff(t, "deleted", "", lookup(byEmail, "ann@y.io"))
	_, err = db.Exec("INSERT INTO qa_users (email, nick) VALUES ('ann@y.io', NULL)")
	must(t, err)
	gormDiff(t, "reinserted", "3,ann@y.io,", lookup(byEmail, "ann@y.io"))
	gormDiff(t, "NULL nick", "", lookup(byNick, nil))

	// In a transaction: its own uncommitted changes, then a rollback.
	tx, err := db.BeginTx(ctx, nil)
	must(t, err)
	txEmail := tx.StmtContext(ctx, byEmail)
	_, err = tx.Exec("UPDATE qa_users SET email = 'bob@z.io', nick = 'Bobby' WHERE id = 2")
	must(t, err)
	gormDiff(t, "tx new", "2,bob@z.io,Bobby", lookup(txEmail, "bob@z.io"))
	gormDiff(t, "tx old", "", lookup(txEmail, "bob@x.io"))
	gormDiff(t, "outside old", "2,bob@x.io,bob", lookup(byEmail, "bob@x.io"))
	gormDiff(t, "outside new", "", lookup(byEmail, "bob@z.io"))
	must(t, tx.Rollback())
	gormDiff(t, "after rollback old", "2,bob@x.io,bob", lookup(byEmail, "bob@x.io"))
	gormDiff(t, "after rollback new", "", lookup(byEmail, "bob@z.io"))
	// After DDL on the table.
	_, err = db.Exec("ALTER TABLE qa_users ADD COLUMN age INT NOT NULL DEFAULT 7")
	must(t, err)
	gormDiff(t, "after ALTER", "2,bob@x.io,bob", lookup(byEmail, "bob@x.io"))
	_, err = db.Exec("ALTER TABLE qa_users DROP INDEX uq_email")
	must(t, err)
	_, err = db.Exec("INSERT INTO qa_users (email) VALUES ('bob@x.io')")
	must(t, err)
	gormDiff(t, "after dropping the unique index", "2,bob@x.io,bob;4,bob@x.io,", lookup(byEmail, "bob@x.io"))

	// Two big tables joined; results compared as sets, SELECT * keeps the
	// FROM order of columns.
	tx, err = db.BeginTx(ctx, nil)
	must(t, err)
	_, err = tx.Exec("DELETE FROM qa_users")
	must(t, err)
	for i := 0; i < 3000; i += 500 {
		var vals, orgs []string
		for j := i; j < i+500; j++ {
			vals = append(vals, fmt.Sprintf("(%d, 'u%d@x.io', NULL, %d)", j+10, j, j%700))
			if j < 2000 {
				orgs = append(orgs, fmt.Sprintf("(%d, 'org%d', %d)", j, j, j%5))
			}
		}
		_, err = tx.Exec("INSERT INTO qa_users (id, email, nick, org_id) VALUES " + strings.Join(vals, ","))
		must(t, err)
		if len(orgs) > 0 {
			_, err = tx.Exec("INSERT INTO qa_orgs VALUES " + strings.Join(orgs, ","))
			must(t, err)
		}
	}
	must(t, tx.Commit())
	count := func(q string, args ...any) int64 {
		t.Helper()
		var n int64
		must(t, db.QueryRow(q, args...).Scan(&n))
		return n
	}
	gormDiff(t, "inner join", int64(3000), count("SELECT COUNT(*) FROM qa_users u JOIN qa_orgs o ON o.id = u.org_id"))
	gormDiff(t, "left join, missing", int64(0), count("SELECT COUNT(*) FROM qa_users u LEFT JOIN qa_orgs o ON o.id = u.org_id WHERE o.id IS NULL"))
	gormDiff(t, "right side unmatched", int64(1300), count("SELECT COUNT(*) FROM qa_orgs o LEFT JOIN qa_users u ON u.org_id = o.id WHERE u.id IS NULL"))
	gormDiff(t, "filtered join", int64(600), count("SELECT COUNT(*) FROM qa_users u JOIN qa_orgs o ON o.id = u.org_id WHERE o.tier = ?", 2))
	rows, err := db.Query("SELECT * FROM qa_users u JOIN qa_orgs o ON o.id = u.org_id WHERE o.tier = 3 AND u.id < 400")
	must(t, err)
	cols, _ := rows.Columns()
	gormDiff(t, "SELECT * columns", []string{"id", "email", "nick", "org_id", "age", "id", "name", "tier"}, cols)
	var got []string
	for rows.Next() {
		var uid, org, age, oid, tier int64
		var email, name string
		var nick sql.NullString
		must(t, rows.Scan(&uid, &email, &nick, &org, &age, &oid, &name, &tier))
		if org != oid || tier != 3 || name != fmt.Sprintf("org%d", oid) || age != 7 {
			t.Fatalf("bad joined row %d %s %d %d %s %d", uid, email, org, oid, name, tier)
		}
		got = append(got, fmt.Sprint(uid))
	}
	must(t, rows.Err())
	rows.Close()
	sort.Slice(got, func(i, j int) bool { return len(got[i]) < len(got[j]) || len(got[i]) == len(got[j]) && got[i] < got[j] })
	var want []string
	for j := 0; j+10 < 400; j++ {
		if (j%700)%5 == 3 {
			want = append(want, fmt.Sprint(j+10))
		}
	}
	gormDiff(t, "joined ids", want, got)
	// The joined rows paged by OFFSET with a total order.
	var page []int64
	rows, err = db.Query("SELECT u.id FROM qa_orgs o JOIN qa_users u ON u.org_id = o.id WHERE o.tier = 1 ORDER BY u.id LIMIT 5 OFFSET 100")
	must(t, err)
	for rows.Next() {
		var id int64
		must(t, rows.Scan(&id))
		page = append(page, id)
	}
	rows.Close()
	var all []int64
	for j := 0; j < 3000; j++ {
		if (j%700)%5 == 1 {
			all = append(all, int64(j+10))
		}
	}
	gormDiff(t, "joined page", all[100:105], page)
}

// --- GORM: constraints added to tables that already hold data --------------------

type qaTeamV1 struct {
	ID   uint
	Name string `gorm:"size:20"`
}

func (qaTeamV1) TableName() string { return "qa_teams" }

type qaPlayerV1 struct {
	ID     uint
	TeamID uint
	Name   string `gorm:"size:20"`
}

func (qaPlayerV1) TableName() string { return "qa_players" }

type qaTeamV2 struct {
	ID      uint
	Name    string       `gorm:"size:20"`
	Players []qaPlayerV2 `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Coaches []qaCoach    `gorm:"many2many:qa_team_coaches"`
}

func (qaTeamV2) TableName() string { return "qa_teams" }

type qaPlayerV2 struct {
	ID     uint
	TeamID uint
	Name   string `gorm:"size:20"`
}

func (qaPlayerV2) TableName() string { return "qa_players" }

type qaCoach struct {
	ID   uint
	Name string `gorm:"size:20;uniqueIndex"`
}

func TestORMQAGORMConstraintEvolution(t *testing.T) {
	db, _ := gormOpen(t, &gorm.Config{TranslateError: true})
	must(t, db.AutoMigrate(&qaTeamV1{}, &qaPlayerV1{}))
	must(t, db.Create(&[]qaTeamV1{{Name: "lions"}, {Name: "bears"}}).Error)
	must(t, db.Create(&[]qaPlayerV1{{TeamID: 1, Name: "a"}, {TeamID: 2, Name: "b"}, {TeamID: 9, Name: "stray"}}).Error)

	// The new constraint does not hold for the stray player: ALTER TABLE
	// ... ADD CONSTRAINT fails with 1452 and nothing changes.
	err := db.AutoMigrate(&qaTeamV2{}, &qaPlayerV2{}, &qaCoach{})
	if !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("AutoMigrate over an orphan: %v", err)
	}
	if db.Migrator().HasConstraint(&qaTeamV2{}, "Players") {
		t.Fatal("constraint created over an orphan")
	}
	must(t, db.Where("name = ?", "stray").Delete(&qaPlayerV1{}).Error)
	must(t, db.AutoMigrate(&qaTeamV2{}, &qaPlayerV2{}, &qaCoach{}))
	gormNoDDL(t, "teams v2", db, &qaTeamV2{}, &qaPlayerV2{}, &qaCoach{})
	if !db.Migrator().HasConstraint(&qaTeamV2{}, "Players") {
		t.Fatal("constraint missing")
	}
	// The index GORM's foreign key uses exists (created with the table or
	// by the constraint).
	var idx []string
	must(t, db.Raw("SELECT DISTINCT index_name FROM information_schema.statistics WHERE table_name = 'qa_players' AND column_name = 'team_id'").Scan(&idx).Error)
	if len(idx) != 1 {
		t.Fatalf("indexes on team_id: %v", idx)
	}

	// many2many association operations keep the join table's keys.
	coaches := []qaCoach{{Name: "c1"}, {Name: "c2"}, {Name: "c3"}}
	must(t, db.Create(&coaches).Error)
	var lions qaTeamV2
	must(t, db.First(&lions, 1).Error)
	must(t, db.Model(&lions).Association("Coaches").Append(&coaches[0], &coaches[1]))
	if err := db.Delete(&coaches[0]).Error; !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("delete linked coach: %v", err)
	}
	must(t, db.Model(&lions).Association("Coaches").Delete(&coaches[0]))
	must(t, db.Delete(&coaches[0]).Error)
	must(t, db.Model(&lions).Association("Coaches").Replace(&coaches[2]))
	var names []string
	must(t, db.Model(&lions).Order("name").Association("Coaches").Find(&coaches))
	for _, c := range coaches {
		names = append(names, c.Name)
	}
	gormDiff(t, "coaches", []string{"c3"}, names)
	// A link to a missing coach is refused by the join table's key.
	err = db.Exec("INSERT INTO qa_team_coaches (qa_team_v2_id, qa_coach_id) VALUES (1, 1)").Error
	if !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("link to deleted coach: %v", err)
	}
	// Deleting the team with its associations: players cascade, links are
	// deleted by GORM first.
	must(t, db.Select("Coaches").Delete(&lions).Error)
	var n int64
	must(t, db.Model(&qaPlayerV2{}).Count(&n).Error)
	gormDiff(t, "players left", int64(1), n)
	must(t, db.Table("qa_team_coaches").Count(&n).Error)
	gormDiff(t, "links left", int64(0), n)
	must(t, db.Model(&qaCoach{}).Count(&n).Error)
	gormDiff(t, "coaches left", int64(2), n)

	// DropConstraint / CreateConstraint round trip.
	must(t, db.Migrator().DropConstraint(&qaTeamV2{}, "Players"))
	must(t, db.Create(&qaPlayerV2{TeamID: 77, Name: "free"}).Error)
	err = db.Migrator().CreateConstraint(&qaTeamV2{}, "Players")
	if !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("CreateConstraint over an orphan: %v", err)
	}
	must(t, db.Where("team_id = ?", 77).Delete(&qaPlayerV2{}).Error)
	must(t, db.Migrator().CreateConstraint(&qaTeamV2{}, "Players"))
	if err := db.Create(&qaPlayerV2{TeamID: 77, Name: "free"}).Error; !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("orphan after CreateConstraint: %v", err)
	}
}

// --- GORM PrepareStmt: cached unique lookups see cascaded changes ---------------

type qaOwner struct {
	ID      uint
	Code    string     `gorm:"size:10;uniqueIndex"`
	Profile *qaProfile `gorm:"foreignKey:OwnerID;constraint:OnUpdate:CASCADE,OnDelete:SET NULL"`
	Badge   *qaBadge   `gorm:"foreignKey:OwnerCode;references:Code;constraint:OnUpdate:CASCADE,OnDelete:CASCADE"`
}

type qaProfile struct {
	ID      uint
	OwnerID *uint  `gorm:"uniqueIndex"`
	Bio     string `gorm:"size:20"`
}

type qaBadge struct {
	ID        uint
	OwnerCode string `gorm:"size:10;uniqueIndex"`
	Level     int
}

func TestORMQAGORMPreparedCascades(t *testing.T) {
	db, _ := gormOpen(t, &gorm.Config{PrepareStmt: true, TranslateError: true})
	must(t, db.AutoMigrate(&qaOwner{}, &qaProfile{}, &qaBadge{}))
	owners := []qaOwner{
		{Code: "o1", Profile: &qaProfile{Bio: "one"}, Badge: &qaBadge{Level: 1}},
		{Code: "o2", Profile: &qaProfile{Bio: "two"}, Badge: &qaBadge{Level: 2}},
	}
	must(t, db.Create(&owners).Error)
	profileOf := func(owner uint) string {
		t.Helper()
		var p qaProfile
		err := db.Where("owner_id = ?", owner).First(&p).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return "-"
		}
		must(t, err)
		return p.Bio
	}
	badgeOf := func(code string) int {
		t.Helper()
		var b qaBadge
		err := db.Where("owner_code = ?", code).First(&b).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return -1
		}
		must(t, err)
		return b.Level
	}
	for i := 0; i < 2; i++ {
		gormDiff(t, "profile 1", "one", profileOf(1))
		gormDiff(t, "badge o2", 2, badgeOf("o2"))
	}
	// Key updates cascade; the same prepared lookups follow.
	must(t, db.Model(&qaOwner{}).Where("id = ?", 1).Updates(map[string]any{"id": 11, "code": "o11"}).Error)
	gormDiff(t, "profile 1 after cascade", "-", profileOf(1))
	gormDiff(t, "profile 11", "one", profileOf(11))
	gormDiff(t, "badge o1 after cascade", -1, badgeOf("o1"))
	gormDiff(t, "badge o11", 1, badgeOf("o11"))
	// Deletes cascade or set NULL.
	must(t, db.Delete(&qaOwner{}, 2).Error)
	gormDiff(t, "profile 2 after delete", "-", profileOf(2))
	gormDiff(t, "badge o2 after delete", -1, badgeOf("o2"))
	var orphaned qaProfile
	must(t, db.Where("bio = ?", "two").First(&orphaned).Error)
	if orphaned.OwnerID != nil {
		t.Fatalf("profile two keeps owner %d", *orphaned.OwnerID)
	}
	// A rolled-back cascade leaves the cached lookups' rows as they were.
	tx := db.Begin()
	must(t, tx.Delete(&qaOwner{}, 11).Error)
	var n int64
	must(t, tx.Model(&qaBadge{}).Where("owner_code = ?", "o11").Count(&n).Error)
	gormDiff(t, "badge in tx", int64(0), n)
	must(t, tx.Rollback().Error)
	gormDiff(t, "badge o11 after rollback", 1, badgeOf("o11"))
	gormDiff(t, "profile 11 after rollback", "one", profileOf(11))
	// The unique badge key refuses a second badge; the error leaves the
	// prepared statement usable.
	if err := db.Create(&qaBadge{OwnerCode: "o11", Level: 5}).Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
		t.Fatalf("second badge: %v", err)
	}
	if err := db.Create(&qaBadge{OwnerCode: "nobody", Level: 5}).Error; !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("badge of nobody: %v", err)
	}
	gormDiff(t, "badge o11 at the end", 1, badgeOf("o11"))
}
