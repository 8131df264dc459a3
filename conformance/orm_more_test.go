package conformance

// More ORM programs against bxdb, written as a demanding application
// would: migrations that evolve, associations of every kind, soft deletes,
// hooks, upserts, batches, savepoints, locking reads and the less common
// column types, through GORM, sqlx and bun. Every result is compared with
// the exact expected value.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jmoiron/sqlx"
	"github.com/uptrace/bun"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	bxdb "github.com/bxdb/bxdb/driver"
)

// --- GORM: migrator ------------------------------------------------------------

type mAuthor struct {
	ID        uint64 `gorm:"primaryKey"`
	Name      string `gorm:"size:80;not null;index:idx_author_name"`
	Email     string `gorm:"size:120;uniqueIndex"`
	Rating    float32
	CreatedAt time.Time
	Books     []mBook `gorm:"foreignKey:AuthorID;constraint:OnUpdate:CASCADE,OnDelete:CASCADE"`
}

type mBook struct {
	ID       uint64 `gorm:"primaryKey"`
	AuthorID uint64 `gorm:"not null;index"`
	Title    string `gorm:"size:200;not null"`
	Price    string `gorm:"type:decimal(10,2);default:0.00"`
	ISBN     string `gorm:"column:isbn;size:13;uniqueIndex:uq_isbn"`
	Pages    int32  `gorm:"default:100;comment:page count"`
}

func TestGORMMoreMigrator(t *testing.T) {
	db, _ := gormOpen(t, nil)
	must(t, db.AutoMigrate(&mAuthor{}, &mBook{}))
	m := db.Migrator()

	if !m.HasConstraint(&mAuthor{}, "Books") {
		t.Errorf("HasConstraint(mAuthor, Books) = false")
	}
	if !m.HasIndex(&mBook{}, "AuthorID") || !m.HasIndex(&mBook{}, "idx_m_books_author_id") {
		t.Errorf("HasIndex(mBook, AuthorID) = false")
	}
	if !m.HasIndex(&mBook{}, "uq_isbn") {
		t.Errorf("HasIndex(uq_isbn) = false")
	}

	// ColumnTypes: decimal sizes, defaults and comments.
	cts, err := m.ColumnTypes(&mBook{})
	must(t, err)
	type colInfo struct {
		Name, ColType, Default, Comment string
		HasDefault                      bool
		Prec, Scale                     int64
		DecOK                           bool
	}
	var got []colInfo
	for _, ct := range cts {
		ci := colInfo{Name: ct.Name()}
		ci.ColType, _ = ct.ColumnType()
		ci.Default, ci.HasDefault = ct.DefaultValue()
		ci.Comment, _ = ct.Comment()
		ci.Prec, ci.Scale, ci.DecOK = ct.DecimalSize()
		got = append(got, ci)
	}
	gormDiff(t, "ColumnTypes(mBook)", []colInfo{
		// (MySQL reports the numeric precision of integer columns too.)
		{Name: "id", ColType: "bigint unsigned", Prec: 20, DecOK: true},
		{Name: "author_id", ColType: "bigint unsigned", Prec: 20, DecOK: true},
		{Name: "title", ColType: "varchar(200)"},
		{Name: "price", ColType: "decimal(10,2)", Default: "0.00", HasDefault: true, Prec: 10, Scale: 2, DecOK: true},
		{Name: "isbn", ColType: "varchar(13)"},
		{Name: "pages", ColType: "int", Default: "100", HasDefault: true, Comment: "page count", Prec: 10, DecOK: true},
	}, got)

	// GetIndexes.
	idxs, err := m.GetIndexes(&mBook{})
	must(t, err)
	type idxInfo struct {
		Name    string
		Cols    []string
		Unique  bool
		Primary bool
	}
	var gotIdx []idxInfo
	for _, ix := range idxs {
		u, _ := ix.Unique()
		p, _ := ix.PrimaryKey()
		gotIdx = append(gotIdx, idxInfo{ix.Name(), ix.Columns(), u, p})
	}
	sort.Slice(gotIdx, func(i, j int) bool { return gotIdx[i].Name < gotIdx[j].Name })
	gormDiff(t, "GetIndexes(mBook)", []idxInfo{
		{"PRIMARY", []string{"id"}, true, true},
		{"idx_m_books_author_id", []string{"author_id"}, false, false},
		{"uq_isbn", []string{"isbn"}, true, false},
	}, gotIdx)

	// TableType.
	tt, err := m.TableType(&mBook{})
	must(t, err)
	gormDiff(t, "TableType", []any{"m_books", "BASE TABLE"}, []any{tt.Name(), tt.Type()})

	// Data, then an evolution: a wider column, a changed default, a new
	// composite index, a new nullable column and a renamed one.
	a := mAuthor{Name: "ann", Email: "ann@x", Rating: 4.5, Books: []mBook{{Title: "one", Price: "9.99", ISBN: "111"}, {Title: "two", ISBN: "222", Pages: 250}}}
	must(t, db.Create(&a).Error)
	type mBookV2 struct {
		ID       uint64 `gorm:"primaryKey"`
		AuthorID uint64 `gorm:"not null;index;index:idx_author_title,priority:1"`
		Title    string `gorm:"size:255;not null;index:idx_author_title,priority:2"`
		Price    string `gorm:"type:decimal(12,2);default:1.00"`
		ISBN     string `gorm:"column:isbn;size:13;uniqueIndex:uq_isbn"`
		Pages    int32  `gorm:"default:100;comment:page count"`
		Subtitle *string
	}
	mb := db.Table("m_books")
	var stmts []string
	rec := func() *gorm.DB { return mb.Session(&gorm.Session{Logger: &gormRecorder{stmts: &stmts}}) }
	must(t, rec().AutoMigrate(&mBookV2{}))
	var ddl []string
	for _, s := range stmts {
		if u := strings.ToUpper(s); strings.HasPrefix(u, "ALTER") || strings.HasPrefix(u, "CREATE") {
			ddl = append(ddl, s)
		}
	}
	gormDiff(t, "evolution DDL", []string{
		"ALTER TABLE `m_books` ADD `subtitle` longtext",
		"ALTER TABLE `m_books` MODIFY COLUMN `price` decimal(12,2) DEFAULT '1.00'",
		"ALTER TABLE `m_books` MODIFY COLUMN `title` varchar(255) NOT NULL",
		"CREATE INDEX `idx_author_title` ON `m_books`(`author_id`,`title`)",
	}, ddl, cmpopts.SortSlices(func(a, b string) bool { return a < b }))
	stmts = nil
	must(t, rec().AutoMigrate(&mBookV2{}))
	for _, s := range stmts {
		if u := strings.ToUpper(s); strings.HasPrefix(u, "ALTER") || strings.HasPrefix(u, "CREATE") {
			t.Errorf("second AutoMigrate of mBookV2 issued DDL: %s", s)
		}
	}
	var books []mBookV2
	must(t, mb.Order("id").Find(&books).Error)
	gormDiff(t, "books after evolution", []mBookV2{
		{ID: 1, AuthorID: 1, Title: "one", Price: "9.99", ISBN: "111", Pages: 100},
		{ID: 2, AuthorID: 1, Title: "two", Price: "0.00", ISBN: "222", Pages: 250},
	}, books)
	must(t, mb.Create(&mBookV2{AuthorID: 1, Title: strings.Repeat("t", 255), ISBN: "333"}).Error)
	var price string
	must(t, db.Raw("SELECT price FROM m_books WHERE isbn = ?", "333").Scan(&price).Error)
	gormDiff(t, "new default", "1.00", price)

	// AlterColumn to another type keeps the data.
	type mBookV3 struct {
		Pages int64 `gorm:"not null;default:100"`
	}
	must(t, db.Table("m_books").Migrator().AlterColumn(&mBookV3{}, "Pages"))
	var ct string
	must(t, db.Raw("SELECT column_type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'm_books' AND column_name = 'pages'").Scan(&ct).Error)
	gormDiff(t, "altered type", "bigint", ct)
	var pages []int64
	must(t, db.Table("m_books").Order("id").Pluck("pages", &pages).Error)
	gormDiff(t, "pages", []int64{100, 250, 100}, pages)

	// Views.
	must(t, m.CreateView("v_book_titles", gorm.ViewOption{Query: db.Model(&mBook{}).Select("id, title").Where("pages > ?", 150)}))
	var titles []string
	must(t, db.Table("v_book_titles").Pluck("title", &titles).Error)
	gormDiff(t, "view", []string{"two"}, titles)
	must(t, m.CreateView("v_book_titles", gorm.ViewOption{Replace: true, Query: db.Model(&mBook{}).Select("id, title").Where("pages < ?", 150)}))
	titles = nil
	must(t, db.Table("v_book_titles").Order("id").Pluck("title", &titles).Error)
	gormDiff(t, "replaced view", []string{"one", strings.Repeat("t", 255)}, titles)
	must(t, m.DropView("v_book_titles"))
	if m.HasTable("v_book_titles") {
		t.Errorf("view still there after DropView")
	}

	// Constraints by name, dropping and recreating them.
	must(t, m.DropConstraint(&mAuthor{}, "Books"))
	if m.HasConstraint(&mAuthor{}, "Books") {
		t.Errorf("constraint still there after DropConstraint")
	}
	must(t, m.CreateConstraint(&mAuthor{}, "Books"))
	if !m.HasConstraint(&mAuthor{}, "fk_m_authors_books") {
		t.Errorf("constraint missing after CreateConstraint")
	}

	// DropIndex by field name, CreateIndex by field name.
	must(t, m.DropIndex(&mBook{}, "AuthorID"))
	if m.HasIndex(&mBook{}, "AuthorID") {
		t.Errorf("index still there after DropIndex")
	}
	must(t, m.CreateIndex(&mBook{}, "AuthorID"))
	if !m.HasIndex(&mBook{}, "idx_m_books_author_id") {
		t.Errorf("index missing after CreateIndex")
	}

	// DropTable of a table others refer to, children first.
	must(t, m.DropTable(&mBook{}, &mAuthor{}))
	if m.HasTable(&mBook{}) || m.HasTable(&mAuthor{}) {
		t.Errorf("tables still there after DropTable")
	}
	// DropTable of a missing table is not an error (IF EXISTS).
	must(t, m.DropTable("never_there"))
}

// --- GORM: associations ----------------------------------------------------------

type aEmployee struct {
	ID        uint
	Name      string `gorm:"size:40"`
	ManagerID *uint
	Manager   *aEmployee
	Team      []aEmployee `gorm:"foreignKey:ManagerID"`
	Skills    []aSkill    `gorm:"many2many:a_employee_skills"`
	Toys      []aToy      `gorm:"polymorphic:Owner"`
	Card      *aCard
}

type aSkill struct {
	ID   uint
	Name string `gorm:"size:40;uniqueIndex"`
}

// aEmployeeSkill is a custom join table with an extra column.
type aEmployeeSkill struct {
	AEmployeeID uint `gorm:"primaryKey"`
	ASkillID    uint `gorm:"primaryKey"`
	Level       int  `gorm:"default:1"`
	CreatedAt   time.Time
}

type aToy struct {
	ID        uint
	Name      string `gorm:"size:40"`
	OwnerID   uint
	OwnerType string `gorm:"size:20"`
}

type aPet struct {
	ID   uint
	Name string `gorm:"size:40"`
	Toys []aToy `gorm:"polymorphic:Owner"`
}

type aCard struct {
	ID          uint
	Number      string `gorm:"size:20"`
	AEmployeeID uint
}

func TestGORMMoreAssociations(t *testing.T) {
	db, _ := gormOpen(t, nil)
	must(t, db.SetupJoinTable(&aEmployee{}, "Skills", &aEmployeeSkill{}))
	must(t, db.AutoMigrate(&aEmployee{}, &aSkill{}, &aEmployeeSkill{}, &aToy{}, &aPet{}, &aCard{}))

	boss := aEmployee{Name: "boss", Skills: []aSkill{{Name: "go"}, {Name: "sql"}}, Toys: []aToy{{Name: "yoyo"}}, Card: &aCard{Number: "C-1"}}
	must(t, db.Create(&boss).Error)
	team := []aEmployee{
		{Name: "ann", ManagerID: &boss.ID, Skills: []aSkill{boss.Skills[0]}},
		{Name: "bob", Manager: &boss, Toys: []aToy{{Name: "ball"}, {Name: "kite"}}},
	}
	must(t, db.Create(&team).Error)
	pet := aPet{Name: "rex", Toys: []aToy{{Name: "bone"}}}
	must(t, db.Create(&pet).Error)

	// The custom join table got its default and timestamp.
	var links []aEmployeeSkill
	must(t, db.Order("a_employee_id, a_skill_id").Find(&links).Error)
	if len(links) != 3 {
		t.Fatalf("links = %+v", links)
	}
	for _, l := range links {
		if l.Level != 1 || l.CreatedAt.IsZero() {
			t.Errorf("link %+v: level/created_at not filled", l)
		}
	}

	// Self-reference: preload the team, the manager, and nested.
	var b aEmployee
	must(t, db.Preload("Team", func(tx *gorm.DB) *gorm.DB { return tx.Order("id") }).Preload("Team.Skills").Preload("Skills", func(tx *gorm.DB) *gorm.DB { return tx.Order("id") }).Preload("Toys").Preload("Card").First(&b, boss.ID).Error)
	gormDiff(t, "team", []string{"ann", "bob"}, []string{b.Team[0].Name, b.Team[1].Name})
	gormDiff(t, "team skills", []int{1, 0}, []int{len(b.Team[0].Skills), len(b.Team[1].Skills)})
	gormDiff(t, "skills", []aSkill{{1, "go"}, {2, "sql"}}, b.Skills)
	gormDiff(t, "boss toys", []aToy{{ID: 1, Name: "yoyo", OwnerID: 1, OwnerType: "a_employees"}}, b.Toys)
	gormDiff(t, "card", &aCard{ID: 1, Number: "C-1", AEmployeeID: 1}, b.Card)
	var withMgr []aEmployee
	must(t, db.Joins("Manager").Where("a_employees.id > ?", 1).Order("a_employees.id").Find(&withMgr).Error)
	if len(withMgr) != 2 || withMgr[0].Manager == nil || withMgr[1].Manager == nil {
		t.Fatalf("Joins(Manager) = %+v", withMgr)
	}
	gormDiff(t, "joined managers", []string{"boss", "boss"}, []string{withMgr[0].Manager.Name, withMgr[1].Manager.Name})

	// Nested joins through the self reference to the manager's card.
	var nested []aEmployee
	must(t, db.Joins("Manager.Card").Joins("Card").Where("a_employees.id > ?", 1).Order("a_employees.id").Find(&nested).Error)
	if len(nested) != 2 || nested[0].Manager == nil || nested[0].Manager.Card == nil {
		t.Fatalf("Joins(Manager.Card) = %+v", nested)
	}
	gormDiff(t, "nested join", []string{"boss", "C-1", "C-1"}, []string{nested[0].Manager.Name, nested[0].Manager.Card.Number, nested[1].Manager.Card.Number})
	gormDiff(t, "own cards", []bool{false, false}, []bool{nested[0].Card != nil, nested[1].Card != nil})

	// Joins with a has-one and a condition on it; InnerJoins.
	var withCard []aEmployee
	must(t, db.Joins("Card").Order("a_employees.id").Find(&withCard).Error)
	gormDiff(t, "left joined card", []bool{true, false, false}, []bool{withCard[0].Card != nil && withCard[0].Card.Number == "C-1", withCard[1].Card != nil, withCard[2].Card != nil})
	withCard = nil
	must(t, db.InnerJoins("Card", db.Where(&aCard{Number: "C-1"})).Find(&withCard).Error)
	gormDiff(t, "inner joined card", 1, len(withCard))
	withCard = nil
	must(t, db.InnerJoins("Card", db.Where(&aCard{Number: "nope"})).Find(&withCard).Error)
	gormDiff(t, "inner joined card none", 0, len(withCard))

	// Polymorphic toys.
	var toys []aToy
	must(t, db.Order("id").Find(&toys).Error)
	gormDiff(t, "toys", []aToy{
		{1, "yoyo", 1, "a_employees"}, {2, "ball", 3, "a_employees"}, {3, "kite", 3, "a_employees"}, {4, "bone", 1, "a_pets"},
	}, toys)
	var p aPet
	must(t, db.Preload("Toys").First(&p).Error)
	gormDiff(t, "pet toys", []aToy{{4, "bone", 1, "a_pets"}}, p.Toys)
	gormDiff(t, "poly count", int64(2), db.Model(&team[1]).Association("Toys").Count())

	// Association: Replace, Clear, Delete on has-many and many2many.
	must(t, db.Model(&boss).Association("Skills").Replace([]aSkill{{Name: "rust"}, boss.Skills[1]}))
	var names []string
	var sk []aSkill
	must(t, db.Model(&boss).Association("Skills").Find(&sk))
	for _, s := range sk {
		names = append(names, s.Name)
	}
	sort.Strings(names)
	gormDiff(t, "skills after Replace", []string{"rust", "sql"}, names)
	must(t, db.Model(&team[1]).Association("Toys").Delete(&toys[1]))
	var orphan aToy
	must(t, db.First(&orphan, toys[1].ID).Error)
	// (GORM clears the foreign key, not the type.)
	gormDiff(t, "deleted association nulls the key", aToy{ID: 2, Name: "ball", OwnerID: 0, OwnerType: "a_employees"}, orphan)
	must(t, db.Model(&boss).Association("Skills").Clear())
	gormDiff(t, "count after Clear", int64(0), db.Model(&boss).Association("Skills").Count())
	var nskills int64
	must(t, db.Model(&aSkill{}).Count(&nskills).Error)
	gormDiff(t, "skills survive Clear", int64(3), nskills)
	// (Its skill links first: the foreign key refuses to orphan them.)
	must(t, db.Model(&team[0]).Association("Skills").Clear())
	must(t, db.Model(&boss).Association("Team").Unscoped().Delete(&team[0]))
	var nemp int64
	must(t, db.Model(&aEmployee{}).Count(&nemp).Error)
	gormDiff(t, "unscoped association delete removed the row", int64(2), nemp)

	// FullSaveAssociations updates the associated rows (an upsert).
	b = aEmployee{}
	must(t, db.Preload("Card").First(&b, boss.ID).Error)
	b.Card.Number = "C-2"
	b.Name = "big boss"
	must(t, db.Session(&gorm.Session{FullSaveAssociations: true}).Save(&b).Error)
	var c aCard
	must(t, db.First(&c).Error)
	gormDiff(t, "full save", aCard{ID: 1, Number: "C-2", AEmployeeID: 1}, c)
	var ncards int64
	must(t, db.Model(&aCard{}).Count(&ncards).Error)
	gormDiff(t, "no extra card", int64(1), ncards)

	// Preload everything with clause.Associations.
	var all []aEmployee
	must(t, db.Preload(clause.Associations).Order("id").Find(&all).Error)
	gormDiff(t, "preload all", 2, len(all))
	if len(all) == 2 {
		gormDiff(t, "bob's manager", "big boss", all[1].Manager.Name)
		gormDiff(t, "bob's toys", []aToy{{3, "kite", 3, "a_employees"}}, all[1].Toys)
	}
}

// --- GORM: soft delete, hooks, updates, upserts ------------------------------------

type hAccount struct {
	ID        uint
	Login     string `gorm:"size:30;uniqueIndex:uq_login_deleted"`
	Balance   int64
	Status    string          `gorm:"size:10;default:'active'"`
	Log       string          `gorm:"size:200"`
	Meta      json.RawMessage `gorm:"type:json"`
	UpdatedAt time.Time
	DeletedAt gorm.DeletedAt `gorm:"index;uniqueIndex:uq_login_deleted"`
}

var errHookRefused = errors.New("negative balance")

func (a *hAccount) BeforeSave(tx *gorm.DB) error {
	if a.Balance < 0 {
		return errHookRefused
	}
	a.Log += "S"
	return nil
}

func (a *hAccount) BeforeUpdate(tx *gorm.DB) error { a.Log += "U"; return nil }
func (a *hAccount) AfterCreate(tx *gorm.DB) error {
	// A write inside the hook, in the same transaction.
	return tx.Model(&hAudit{}).Create(&hAudit{What: "created " + a.Login}).Error
}
func (a *hAccount) AfterDelete(tx *gorm.DB) error {
	return tx.Create(&hAudit{What: fmt.Sprintf("deleted %d", a.ID)}).Error
}

type hAudit struct {
	ID   uint
	What string `gorm:"size:60"`
}

func TestGORMMoreHooksUpdatesUpserts(t *testing.T) {
	db, clk := gormOpen(t, nil)
	must(t, db.AutoMigrate(&hAccount{}, &hAudit{}))

	accs := []hAccount{{Login: "ann", Balance: 10, Meta: json.RawMessage(`{"a":1}`)}, {Login: "bob", Balance: 20}}
	must(t, db.Create(&accs).Error)
	gormDiff(t, "hook logs", []string{"S", "S"}, []string{accs[0].Log, accs[1].Log})
	// A hook's error rolls back the whole statement and its hook writes.
	if err := db.Create(&hAccount{Login: "neg", Balance: -1}).Error; !errors.Is(err, errHookRefused) {
		t.Errorf("hook error: %v", err)
	}
	var audits []string
	must(t, db.Model(&hAudit{}).Order("id").Pluck("what", &audits).Error)
	gormDiff(t, "audits", []string{"created ann", "created bob"}, audits)

	// JSON column round trip.
	var a hAccount
	must(t, db.First(&a, accs[0].ID).Error)
	// (MySQL would print it normalized, `{"a": 1}`; compare the values.)
	var meta map[string]any
	must(t, json.Unmarshal(a.Meta, &meta))
	gormDiff(t, "json", map[string]any{"a": 1.0}, meta)
	var n int64
	must(t, db.Model(&hAccount{}).Where("JSON_EXTRACT(meta, '$.a') = 1").Count(&n).Error)
	gormDiff(t, "json where", int64(1), n)

	// Updates with a struct skips zero values; with Select it writes them.
	must(t, db.Model(&a).Updates(hAccount{Balance: 0, Status: "frozen"}).Error)
	must(t, db.First(&a, a.ID).Error)
	// (The hooks ran on the struct given to Updates: Log is not among
	// the columns it writes.)
	gormDiff(t, "struct Updates skips zero", []any{int64(10), "frozen", "S"}, []any{a.Balance, a.Status, a.Log})
	must(t, db.Model(&a).Select("Balance", "Status").Updates(hAccount{Balance: 0, Status: ""}).Error)
	must(t, db.First(&a, a.ID).Error)
	gormDiff(t, "Select Updates writes zero", []any{int64(0), ""}, []any{a.Balance, a.Status})
	// Updates with a map, an expression and a subquery.
	must(t, db.Model(&hAccount{}).Where("login = ?", "bob").Updates(map[string]any{
		"balance": gorm.Expr("balance + ?", 5),
		"status":  db.Model(&hAudit{}).Select("UPPER(LEFT(what, 3))").Where("id = ?", 1),
	}).Error)
	var bob hAccount
	must(t, db.Where("login = ?", "bob").First(&bob).Error)
	gormDiff(t, "map Updates", []any{int64(25), "CRE"}, []any{bob.Balance, bob.Status})
	// UpdateColumns skips hooks and updated_at.
	before := bob.UpdatedAt
	must(t, db.Model(&bob).UpdateColumns(map[string]any{"log": "raw"}).Error)
	must(t, db.First(&bob, bob.ID).Error)
	gormDiff(t, "UpdateColumns", []any{"raw", before}, []any{bob.Log, bob.UpdatedAt})

	// RowsAffected of an update that changes nothing: MySQL reports the
	// rows changed, not the rows matched.
	res := db.Model(&hAccount{}).Where("login = ?", "bob").UpdateColumn("balance", 25)
	must(t, res.Error)
	gormDiff(t, "no-op update affected", int64(0), res.RowsAffected)

	// Save of a new record inserts, of a loaded one updates every column.
	c := hAccount{Login: "cy", Balance: 3}
	must(t, db.Save(&c).Error)
	gormDiff(t, "Save insert id", uint(3), c.ID)
	c.Balance = 4
	must(t, db.Save(&c).Error)
	var cs []hAccount
	must(t, db.Where("login = ?", "cy").Find(&cs).Error)
	gormDiff(t, "Save update", []int64{4}, []int64{cs[0].Balance})
	// Save with a primary key not in the table inserts it.
	must(t, db.Save(&hAccount{ID: 10, Login: "dee", Balance: 1}).Error)
	must(t, db.Model(&hAccount{}).Where("id = ?", 10).Count(&n).Error)
	gormDiff(t, "Save with new pk", int64(1), n)

	// Soft delete with a unique index over (login, deleted_at): the login
	// can be reused after deletion.
	must(t, db.Delete(&c).Error)
	must(t, db.Create(&hAccount{Login: "cy", Balance: 7}).Error)
	var cys []hAccount
	must(t, db.Unscoped().Where("login = ?", "cy").Order("id").Find(&cys).Error)
	gormDiff(t, "soft-deleted and new", []bool{true, false}, []bool{cys[0].DeletedAt.Valid, cys[1].DeletedAt.Valid})
	audits = nil
	must(t, db.Model(&hAudit{}).Where("what LIKE ?", "deleted%").Pluck("what", &audits).Error)
	gormDiff(t, "AfterDelete hook", []string{"deleted 3"}, audits)
	// Restoring a soft-deleted row.
	must(t, db.Unscoped().Model(&hAccount{}).Where("id = ?", 3).Update("deleted_at", nil).Error)
	// Bulk soft delete of a slice of models, then Unscoped counts.
	must(t, db.Where("balance < ?", 5).Delete(&hAccount{}).Error)
	var live, total int64
	must(t, db.Model(&hAccount{}).Count(&live).Error)
	must(t, db.Unscoped().Model(&hAccount{}).Count(&total).Error)
	gormDiff(t, "live/total", []int64{2, 5}, []int64{live, total})
	_ = clk

	// Upserts on a unique key.
	must(t, db.AutoMigrate(&uStock{}))
	rows := []uStock{{SKU: "a", Qty: 1, Name: "A"}, {SKU: "b", Qty: 2, Name: "B"}}
	must(t, db.Create(&rows).Error)
	must(t, db.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "sku"}},
		DoUpdates: clause.Set{
			{Column: clause.Column{Name: "qty"}, Value: gorm.Expr("qty + VALUES(qty)")},
		},
	}).Create(&[]uStock{{SKU: "a", Qty: 10, Name: "x"}, {SKU: "c", Qty: 3, Name: "C"}}).Error)
	must(t, db.Clauses(clause.OnConflict{DoUpdates: clause.AssignmentColumns([]string{"name"})}).Create(&uStock{SKU: "b", Name: "B2"}).Error)
	must(t, db.Clauses(clause.OnConflict{DoNothing: true}).Create(&[]uStock{{SKU: "c", Qty: 99}, {SKU: "d", Qty: 4, Name: "D"}}).Error)
	var st []uStock
	must(t, db.Order("sku").Find(&st).Error)
	for i := range st {
		st[i].ID = 0
	}
	gormDiff(t, "upserts", []uStock{{SKU: "a", Qty: 11, Name: "A"}, {SKU: "b", Qty: 2, Name: "B2"}, {SKU: "c", Qty: 3, Name: "C"}, {SKU: "d", Qty: 4, Name: "D"}}, st)
	// The ids handed back for a batch with an upserted row.
	batch := []uStock{{SKU: "e", Qty: 5}, {SKU: "f", Qty: 6}}
	must(t, db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&batch).Error)
	var ids []uint
	must(t, db.Model(&uStock{}).Where("sku IN ?", []string{"e", "f"}).Order("sku").Pluck("id", &ids).Error)
	gormDiff(t, "batch ids", ids, []uint{batch[0].ID, batch[1].ID})
}

type uStock struct {
	ID   uint
	SKU  string `gorm:"column:sku;size:10;uniqueIndex"`
	Qty  int
	Name string `gorm:"size:20"`
}

// --- GORM: queries ----------------------------------------------------------------

type qEvent struct {
	ID      uint64
	Kind    string `gorm:"size:10;index"`
	Amount  float64
	Cents   int64
	Big     uint64
	Ok      bool
	At      time.Time `gorm:"index"`
	Done    *time.Time
	Note    sql.NullString `gorm:"size:50"`
	Count   sql.NullInt64
	Ratio   sql.NullFloat64
	Flag    sql.NullBool
	When    sql.NullTime
	Payload []byte
	Small   float32
	Tiny    int8
	Price   cents   `gorm:"type:bigint"`
	Tags    tagList `gorm:"type:varchar(100)"`
}

// cents is a Valuer/Scanner storing an amount of cents.
type cents int64

func (c cents) Value() (driver.Value, error) { return int64(c), nil }
func (c *cents) Scan(v any) error {
	switch x := v.(type) {
	case int64:
		*c = cents(x)
	case []byte:
		var n int64
		_, err := fmt.Sscan(string(x), &n)
		*c = cents(n)
		return err
	case string:
		var n int64
		_, err := fmt.Sscan(x, &n)
		*c = cents(n)
		return err
	case nil:
		*c = 0
	default:
		return fmt.Errorf("cents: cannot scan %T", v)
	}
	return nil
}

// tagList is a Valuer/Scanner stored as a comma-separated string.
type tagList []string

func (l tagList) Value() (driver.Value, error) { return strings.Join(l, ","), nil }
func (l *tagList) Scan(v any) error {
	var s string
	switch x := v.(type) {
	case []byte:
		s = string(x)
	case string:
		s = x
	case nil:
		*l = nil
		return nil
	default:
		return fmt.Errorf("tagList: cannot scan %T", v)
	}
	if s == "" {
		*l = nil
		return nil
	}
	*l = strings.Split(s, ",")
	return nil
}

func TestGORMMoreQueries(t *testing.T) {
	db, _ := gormOpen(t, nil)
	must(t, db.AutoMigrate(&qEvent{}))
	t0 := time.Date(2024, 1, 31, 23, 59, 59, 999_000_000, time.UTC)
	evs := []qEvent{
		{Kind: "a", Amount: 1.5, Cents: 150, Big: 1<<64 - 1, Ok: true, At: t0, Done: ptr(t0.Add(time.Hour)), Note: sql.NullString{String: "n1", Valid: true},
			Count: sql.NullInt64{Int64: -3, Valid: true}, Ratio: sql.NullFloat64{Float64: 0.25, Valid: true}, Flag: sql.NullBool{Bool: true, Valid: true},
			When: sql.NullTime{Time: t0, Valid: true}, Payload: []byte{0, 0xff}, Small: 1.25, Tiny: -7, Price: 999, Tags: tagList{"x", "y"}},
		{Kind: "b", Amount: 2.25, Cents: 225, At: t0.Add(24 * time.Hour), Flag: sql.NullBool{Bool: false, Valid: true}, Payload: []byte{}},
		{Kind: "a", Amount: 3, Cents: 300, At: t0.Add(48 * time.Hour)},
		{Kind: "c", Amount: 10, Cents: 1000, At: t0.Add(72 * time.Hour), Ok: true},
		{Kind: "b", Amount: 0.75, Cents: 75, At: t0.Add(96 * time.Hour)},
	}
	must(t, db.CreateInBatches(&evs, 2).Error)
	gormDiff(t, "ids", []uint64{1, 2, 3, 4, 5}, []uint64{evs[0].ID, evs[1].ID, evs[2].ID, evs[3].ID, evs[4].ID})

	var got []qEvent
	must(t, db.Order("id").Find(&got).Error)
	gormDiff(t, "round trip", evs, got, cmpopts.EquateEmpty())

	// Group by kind with Having, ordered by an aggregate.
	type kindSum struct {
		Kind  string
		N     int64
		Total float64
		Cents int64
		First time.Time
	}
	var ks []kindSum
	must(t, db.Model(&qEvent{}).Select("kind, COUNT(*) AS n, SUM(amount) AS total, SUM(cents) AS cents, MIN(at) AS first").
		Group("kind").Having("COUNT(*) > ?", 1).Order("total DESC").Scan(&ks).Error)
	gormDiff(t, "group/having", []kindSum{{"a", 2, 4.5, 450, t0}, {"b", 2, 3, 300, t0.Add(24 * time.Hour)}}, ks)

	// Count with Group counts groups; Count with Distinct; Count with Select.
	var n int64
	must(t, db.Model(&qEvent{}).Group("kind").Count(&n).Error)
	gormDiff(t, "count groups", int64(3), n)
	must(t, db.Model(&qEvent{}).Distinct("kind").Count(&n).Error)
	gormDiff(t, "count distinct", int64(3), n)
	must(t, db.Model(&qEvent{}).Where("ok").Count(&n).Error)
	gormDiff(t, "count bool", int64(2), n)
	must(t, db.Model(&qEvent{}).Where("note IS NOT NULL").Or("flag = ?", false).Count(&n).Error)
	gormDiff(t, "count or", int64(2), n)

	// Pluck into several types; Distinct Pluck.
	var bigs []uint64
	must(t, db.Model(&qEvent{}).Order("id").Limit(2).Pluck("big", &bigs).Error)
	gormDiff(t, "uint64 max", []uint64{1<<64 - 1, 0}, bigs)
	var ats []time.Time
	must(t, db.Model(&qEvent{}).Where("at >= ?", t0.Add(time.Hour)).Order("at DESC").Limit(2).Pluck("at", &ats).Error)
	gormDiff(t, "times", []time.Time{t0.Add(96 * time.Hour), t0.Add(72 * time.Hour)}, ats)
	var kinds []string
	must(t, db.Model(&qEvent{}).Distinct().Order("kind DESC").Pluck("kind", &kinds).Error)
	gormDiff(t, "distinct pluck", []string{"c", "b", "a"}, kinds)

	// Row and Rows with Scan.
	var maxAmt float64
	var minAt time.Time
	must(t, db.Model(&qEvent{}).Select("MAX(amount), MIN(at)").Row().Scan(&maxAmt, &minAt))
	gormDiff(t, "Row", []any{10.0, t0}, []any{maxAmt, minAt})
	rows, err := db.Model(&qEvent{}).Select("id, kind, done").Where("id < ?", 3).Order("id").Rows()
	must(t, err)
	var pairs []string
	for rows.Next() {
		var id uint64
		var k string
		var done *time.Time
		must(t, rows.Scan(&id, &k, &done))
		pairs = append(pairs, fmt.Sprintf("%d%s%v", id, k, done != nil))
	}
	must(t, rows.Err())
	rows.Close()
	gormDiff(t, "Rows", []string{"1atrue", "2bfalse"}, pairs)

	// clause.IN, clause.Eq, clause.Gt / Lte, Not with a slice, Or groups.
	var ids []uint64
	must(t, db.Model(&qEvent{}).Clauses(clause.Where{Exprs: []clause.Expression{
		clause.IN{Column: clause.Column{Name: "kind"}, Values: []any{"a", "c"}},
		clause.Gt{Column: "amount", Value: 1.5},
	}}).Order("id").Pluck("id", &ids).Error)
	gormDiff(t, "clause where", []uint64{3, 4}, ids)
	ids = nil
	must(t, db.Model(&qEvent{}).Not(map[string]any{"kind": []string{"a", "b"}}).Pluck("id", &ids).Error)
	gormDiff(t, "Not slice", []uint64{4}, ids)
	ids = nil
	must(t, db.Model(&qEvent{}).Where(db.Where("kind = ?", "a").Where("amount > ?", 2)).Or(db.Where("kind = ?", "b").Where("amount < ?", 1)).Order("id").Pluck("id", &ids).Error)
	gormDiff(t, "grouped conditions", []uint64{3, 5}, ids)
	ids = nil
	must(t, db.Model(&qEvent{}).Where("at BETWEEN ? AND ?", t0.Add(time.Hour), t0.Add(72*time.Hour)).Order("id").Pluck("id", &ids).Error)
	gormDiff(t, "time between", []uint64{2, 3, 4}, ids)
	ids = nil
	must(t, db.Model(&qEvent{}).Where("DATE(at) = ?", "2024-02-01").Pluck("id", &ids).Error)
	gormDiff(t, "DATE()", []uint64{2}, ids)
	ids = nil
	must(t, db.Model(&qEvent{}).Where("(kind, ok) IN ?", [][]any{{"a", true}, {"c", true}}).Order("id").Pluck("id", &ids).Error)
	gormDiff(t, "row IN", []uint64{1, 4}, ids)
	ids = nil
	must(t, db.Model(&qEvent{}).Where("payload = ?", []byte{0, 0xff}).Pluck("id", &ids).Error)
	gormDiff(t, "bytes where", []uint64{1}, ids)
	ids = nil
	must(t, db.Model(&qEvent{}).Where("tags = ?", tagList{"x", "y"}).Where("price = ?", cents(999)).Pluck("id", &ids).Error)
	gormDiff(t, "valuer where", []uint64{1}, ids)

	// Order by several columns, Limit/Offset pages, Last with Order.
	var page []qEvent
	must(t, db.Order("kind").Order(clause.OrderByColumn{Column: clause.Column{Name: "amount"}, Desc: true}).Limit(2).Offset(2).Find(&page).Error)
	gormDiff(t, "page", []uint64{2, 5}, []uint64{page[0].ID, page[1].ID})
	var last qEvent
	must(t, db.Where("kind = ?", "a").Last(&last).Error)
	gormDiff(t, "Last", uint64(3), last.ID)

	// Table with an index hint and an alias.
	var hinted []uint64
	must(t, db.Table("q_events USE INDEX (idx_q_events_kind)").Where("kind = ?", "b").Order("id").Pluck("id", &hinted).Error)
	gormDiff(t, "index hint", []uint64{2, 5}, hinted)
	hinted = nil
	must(t, db.Table("q_events AS e").Where("e.kind = ?", "b").Order("e.id").Pluck("e.id", &hinted).Error)
	gormDiff(t, "alias", []uint64{2, 5}, hinted)

	// Find into a map and into []map.
	var m1 map[string]any
	must(t, db.Model(&qEvent{}).Select("id, kind, amount, ok").First(&m1).Error)
	gormDiff(t, "map", map[string]any{"id": uint64(1), "kind": "a", "amount": 1.5, "ok": true}, m1)

	// FindInBatches that updates the rows it visits.
	var batch []qEvent
	visited := 0
	res := db.Where("amount > ?", 1).FindInBatches(&batch, 2, func(tx *gorm.DB, b int) error {
		for i := range batch {
			batch[i].Cents++
			visited++
		}
		return tx.Save(&batch).Error
	})
	must(t, res.Error)
	gormDiff(t, "FindInBatches visited", 4, visited)
	var cs []int64
	must(t, db.Model(&qEvent{}).Order("id").Pluck("cents", &cs).Error)
	gormDiff(t, "cents after batches", []int64{151, 226, 301, 1001, 75}, cs)

	// Locking options.
	must(t, db.Transaction(func(tx *gorm.DB) error {
		var e qEvent
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE", Options: "NOWAIT"}).First(&e, 1).Error; err != nil {
			return err
		}
		var es []qEvent
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).Where("kind = ?", "b").Find(&es).Error; err != nil {
			return err
		}
		gormDiff(t, "skip locked", 2, len(es))
		var es2 []qEvent
		return tx.Clauses(clause.Locking{Strength: "SHARE", Table: clause.Table{Name: clause.CurrentTable}}).Find(&es2).Error
	}))

	// Dry run SQL and ToSQL are GORM only, but Explain-like Raw works.
	var cnt int
	must(t, db.Raw("SELECT COUNT(*) FROM q_events WHERE kind = @k OR kind = @k2", map[string]any{"k": "a", "k2": "c"}).Scan(&cnt).Error)
	gormDiff(t, "named raw", 3, cnt)

	// Context timeout on a query that would take long.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var big int64
	err = db.WithContext(ctx).Raw("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1000) SELECT COUNT(*) FROM r a, r b, r c").Scan(&big).Error
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("long query with deadline: %v (%d)", err, big)
	}
}

// --- GORM: transactions and connections ----------------------------------------------

func TestGORMMoreTransactions(t *testing.T) {
	db, _ := gormOpen(t, nil)
	must(t, db.AutoMigrate(&uStock{}))

	// Nested transactions three deep, the middle one rolled back.
	err := db.Transaction(func(tx *gorm.DB) error {
		must(t, tx.Create(&uStock{SKU: "t1"}).Error)
		_ = tx.Transaction(func(tx2 *gorm.DB) error {
			must(t, tx2.Create(&uStock{SKU: "t2"}).Error)
			must(t, tx2.Transaction(func(tx3 *gorm.DB) error {
				return tx3.Create(&uStock{SKU: "t3"}).Error
			}))
			return errors.New("undo t2 and t3")
		})
		return tx.Transaction(func(tx2 *gorm.DB) error {
			return tx2.Create(&uStock{SKU: "t4"}).Error
		})
	})
	must(t, err)
	var skus []string
	must(t, db.Model(&uStock{}).Order("sku").Pluck("sku", &skus).Error)
	gormDiff(t, "nested", []string{"t1", "t4"}, skus)

	// A duplicate key inside a transaction fails the statement, not the
	// transaction: the other writes commit.
	must(t, db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&uStock{SKU: "t1"}).Error; err == nil {
			t.Errorf("duplicate accepted")
		}
		return tx.Create(&uStock{SKU: "t5"}).Error
	}))
	skus = nil
	must(t, db.Model(&uStock{}).Order("sku").Pluck("sku", &skus).Error)
	gormDiff(t, "after duplicate in tx", []string{"t1", "t4", "t5"}, skus)

	// A panic in the transaction function rolls back.
	func() {
		defer func() { _ = recover() }()
		_ = db.Transaction(func(tx *gorm.DB) error {
			tx.Create(&uStock{SKU: "panic"})
			panic("boom")
		})
	}()
	var n int64
	must(t, db.Model(&uStock{}).Where("sku = ?", "panic").Count(&n).Error)
	gormDiff(t, "panic rolled back", int64(0), n)

	// Savepoints by hand, with RELEASE via Exec.
	tx := db.Begin()
	must(t, tx.Create(&uStock{SKU: "s1"}).Error)
	must(t, tx.SavePoint("a").Error)
	must(t, tx.Create(&uStock{SKU: "s2"}).Error)
	must(t, tx.SavePoint("b").Error)
	must(t, tx.Create(&uStock{SKU: "s3"}).Error)
	must(t, tx.RollbackTo("a").Error)
	must(t, tx.Create(&uStock{SKU: "s4"}).Error)
	must(t, tx.Exec("RELEASE SAVEPOINT a").Error)
	// (tx.RollbackTo would keep its error in tx, failing the Commit.)
	if err := tx.Exec("ROLLBACK TO SAVEPOINT a").Error; err == nil {
		t.Errorf("ROLLBACK TO a released savepoint succeeded")
	}
	must(t, tx.Commit().Error)
	skus = nil
	must(t, db.Model(&uStock{}).Where("sku LIKE ?", "s%").Order("sku").Pluck("sku", &skus).Error)
	gormDiff(t, "savepoints", []string{"s1", "s4"}, skus)

	// db.Connection pins one connection: session variables live on it.
	must(t, db.Connection(func(c *gorm.DB) error {
		if err := c.Exec("SET @lim = ?", 2).Error; err != nil {
			return err
		}
		var v int
		if err := c.Raw("SELECT @lim").Scan(&v).Error; err != nil {
			return err
		}
		gormDiff(t, "session variable", 2, v)
		var k int64
		if err := c.Raw("SELECT COUNT(*) FROM u_stocks WHERE sku LIKE 't%' AND LENGTH(sku) = @lim").Scan(&k).Error; err != nil {
			return err
		}
		gormDiff(t, "session variable in a query", int64(3), k)
		return nil
	}))

	// Read-only transaction options through BeginTx.
	rtx := db.Begin(&sql.TxOptions{ReadOnly: true})
	must(t, rtx.Error)
	must(t, rtx.Model(&uStock{}).Count(&n).Error)
	gormDiff(t, "read-only count", int64(5), n)
	if err := rtx.Create(&uStock{SKU: "ro"}).Error; err == nil {
		t.Errorf("write in read-only transaction succeeded")
	}
	must(t, rtx.Rollback().Error)
}

// --- GORM: column tags and evolution ----------------------------------------------

type sDoc struct {
	ID        string    `gorm:"type:char(36);primaryKey"`
	Slug      string    `gorm:"size:100;index:idx_slug_prefix,length:10"`
	Body      string    `gorm:"type:mediumtext"`
	Rank      int       `gorm:"index:idx_rank_desc,sort:desc"`
	Weight    float64   `gorm:"type:decimal(10,3)"` // (precision:10;scale:3 makes GORM re-alter on every AutoMigrate, on MySQL too)
	Ratio     float32   `gorm:"default:0.5"`
	Day       time.Time `gorm:"type:date"`
	Clock     string    `gorm:"type:time(0)"` // (type:time is GORM's datetime)
	Stamp     time.Time `gorm:"type:timestamp(6);default:CURRENT_TIMESTAMP(6)"`
	Micro     time.Time `gorm:"type:datetime(6)"`
	Nano      int64     `gorm:"autoCreateTime:nano"`
	Secs      int64     `gorm:"autoUpdateTime"`
	Visible   bool      `gorm:"default:false;not null"`
	State     string    `gorm:"type:enum('draft','live');default:'draft';not null"`
	ReadOnly  string    `gorm:"->;type:varchar(20) GENERATED ALWAYS AS (CONCAT('r-', slug)) VIRTUAL;-:migration"`
	CreateOnl string    `gorm:"<-:create;size:20"`
	Counter   uint32    `gorm:"not null;default:0"`
}

func (d *sDoc) BeforeCreate(tx *gorm.DB) error {
	if d.ID == "" {
		d.ID = fmt.Sprintf("00000000-0000-0000-0000-%012d", len(d.Slug))
	}
	return nil
}

func gormNoDDL(t *testing.T, what string, db *gorm.DB, models ...any) {
	t.Helper()
	var stmts []string
	must(t, db.Session(&gorm.Session{Logger: &gormRecorder{stmts: &stmts}}).AutoMigrate(models...))
	for _, s := range stmts {
		if u := strings.ToUpper(strings.TrimSpace(s)); strings.HasPrefix(u, "ALTER") || strings.HasPrefix(u, "CREATE") || strings.HasPrefix(u, "DROP") {
			t.Errorf("%s: AutoMigrate again issued DDL: %s", what, s)
		}
	}
}

func TestGORMMoreColumnTags(t *testing.T) {
	db, _ := gormOpen(t, nil)
	must(t, db.AutoMigrate(&sDoc{}))
	gormNoDDL(t, "sDoc", db, &sDoc{})
	var cols []struct {
		ColumnName    string  `gorm:"column:COLUMN_NAME"`
		ColumnType    string  `gorm:"column:COLUMN_TYPE"`
		IsNullable    string  `gorm:"column:IS_NULLABLE"`
		ColumnDefault *string `gorm:"column:COLUMN_DEFAULT"`
	}
	must(t, db.Raw("SELECT column_name AS COLUMN_NAME, column_type AS COLUMN_TYPE, is_nullable AS IS_NULLABLE, column_default AS COLUMN_DEFAULT FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 's_docs' ORDER BY ordinal_position").Scan(&cols).Error)
	var desc []string
	for _, c := range cols {
		d := "NULL"
		if c.ColumnDefault != nil {
			d = *c.ColumnDefault
		}
		desc = append(desc, fmt.Sprintf("%s %s %s %s", c.ColumnName, c.ColumnType, c.IsNullable, d))
	}
	gormDiff(t, "columns", []string{
		"id char(36) NO NULL",
		"slug varchar(100) YES NULL",
		"body mediumtext YES NULL",
		"rank bigint YES NULL",
		"weight decimal(10,3) YES NULL",
		"ratio float YES 0.5",
		"day date YES NULL",
		"clock time YES NULL",
		"stamp timestamp(6) YES CURRENT_TIMESTAMP(6)",
		"micro datetime(6) YES NULL",
		"nano bigint YES NULL",
		"secs bigint YES NULL",
		"visible tinyint(1) NO 0",
		"state enum('draft','live') NO draft",
		"create_onl varchar(20) YES NULL",
		"counter int unsigned NO 0",
	}, desc)

	d := sDoc{Slug: "hello-world", Body: strings.Repeat("b", 70000), Rank: 3, Weight: 1.2345, Day: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		Clock: "13:14:15", Micro: time.Date(2024, 1, 1, 1, 1, 1, 123456000, time.UTC), CreateOnl: "c1"}
	must(t, db.Create(&d).Error)
	gormDiff(t, "uuid from hook", "00000000-0000-0000-0000-000000000011", d.ID)
	var got sDoc
	must(t, db.First(&got, "id = ?", d.ID).Error)
	if got.Nano == 0 || got.Secs == 0 || got.Stamp.IsZero() {
		t.Errorf("auto times not set: %+v", got)
	}
	gormDiff(t, "doc", []any{"hello-world", 70000, 3, 1.235, float32(0.5), d.Day, "13:14:15", d.Micro, false, "draft", "c1", uint32(0)},
		[]any{got.Slug, len(got.Body), got.Rank, got.Weight, got.Ratio, got.Day, got.Clock, got.Micro, got.Visible, got.State, got.CreateOnl, got.Counter})

	// <-:create fields are not updated.
	got.CreateOnl = "c2"
	got.Rank = 4
	must(t, db.Save(&got).Error)
	var again sDoc
	must(t, db.First(&again, "id = ?", d.ID).Error)
	gormDiff(t, "create-only", []any{"c1", 4}, []any{again.CreateOnl, again.Rank})

	// Evolution: wider columns, a new default for visible (which loses
	// NOT NULL), fields left out of the model (GORM keeps their columns),
	// and a new unique composite index. (GORM never alters an enum's
	// values: adding one to the tag changes nothing, on MySQL too.)
	type sDocV2 struct {
		ID      string  `gorm:"type:char(36);primaryKey"`
		Slug    string  `gorm:"size:150;index:idx_slug_prefix,length:10;uniqueIndex:uq_slug_state,priority:1"`
		Body    string  `gorm:"type:longtext"`
		Rank    *int    `gorm:"index:idx_rank_desc,sort:desc"`
		Weight  float64 `gorm:"type:decimal(12,3)"`
		Visible bool    `gorm:"default:true"`
		State   string  `gorm:"type:enum('draft','live');default:'draft';not null;uniqueIndex:uq_slug_state,priority:2"`
	}
	must(t, db.Table("s_docs").AutoMigrate(&sDocV2{}))
	gormNoDDL(t, "sDocV2", db.Table("s_docs"), &sDocV2{})
	var v2 sDocV2
	must(t, db.Table("s_docs").First(&v2).Error)
	gormDiff(t, "evolved", sDocV2{ID: d.ID, Slug: "hello-world", Body: got.Body, Rank: ptr(4), Weight: 1.235, Visible: false, State: "draft"}, v2)
	must(t, db.Table("s_docs").Create(&sDocV2{ID: "x", Slug: "s2", State: "live"}).Error)
	if err := db.Table("s_docs").Create(&sDocV2{ID: "y", Slug: "s2", State: "live"}).Error; err == nil {
		t.Errorf("uq_slug_state not enforced")
	}
	var vis []bool
	must(t, db.Table("s_docs").Order("id").Pluck("visible", &vis).Error)
	gormDiff(t, "new default", []bool{false, true}, vis)
}

// --- sqlx ---------------------------------------------------------------------------

type SxBase struct {
	ID        int64     `db:"id"`
	CreatedAt time.Time `db:"created_at"`
}

type sxItem struct {
	SxBase
	Name  string           `db:"name"`
	Price string           `db:"price"`
	Qty   uint32           `db:"qty"`
	Ratio float32          `db:"ratio"`
	Flag  bool             `db:"flag"`
	Attrs *json.RawMessage `db:"attrs"`
	Note  sql.Null[string] `db:"note"`
	Cat   *sxCat           `db:"cat"`
}

// snowID is an ID type whose Value is a uint64.
type snowID uint64

func (s snowID) Value() (driver.Value, error) { return uint64(s), nil }

type sxCat struct {
	ID   sql.NullInt64  `db:"id"`
	Name sql.NullString `db:"name"`
}

func TestSqlxMore(t *testing.T) {
	db := sqlxOpen(t)
	ctx := context.Background()
	db.MustExec(`CREATE TABLE cat (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20) NOT NULL UNIQUE);
CREATE TABLE item (
	id BIGINT AUTO_INCREMENT PRIMARY KEY,
	created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	name VARCHAR(40) NOT NULL,
	price DECIMAL(8,2) NOT NULL,
	qty INT UNSIGNED NOT NULL DEFAULT 0,
	ratio FLOAT NOT NULL DEFAULT 0,
	flag TINYINT(1) NOT NULL DEFAULT 0,
	attrs JSON NULL,
	note VARCHAR(40) NULL,
	cat_id INT NULL,
	UNIQUE KEY uq_item_name (name),
	KEY idx_item_cat (cat_id)
)`)
	t0 := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

	// Bulk NamedExec with a slice of maps.
	_, err := db.NamedExec("INSERT INTO cat (name) VALUES (:name)", []map[string]any{{"name": "tools"}, {"name": "toys"}})
	must(t, err)
	items := []map[string]any{
		{"name": "hammer", "price": "12.50", "qty": 3, "ratio": 0.5, "flag": true, "attrs": `{"w": 1}`, "note": "heavy", "cat": 1, "at": t0},
		{"name": "saw", "price": "20.00", "qty": 0, "ratio": 0, "flag": false, "attrs": nil, "note": nil, "cat": 1, "at": t0.Add(time.Minute)},
		{"name": "ball", "price": "3.99", "qty": int64(4000000000), "ratio": 1.25, "flag": true, "attrs": `[1, 2]`, "note": "", "cat": 2, "at": t0.Add(2 * time.Minute)},
		{"name": "orphan", "price": "0.01", "qty": 1, "ratio": 0, "flag": false, "attrs": nil, "note": nil, "cat": nil, "at": t0.Add(3 * time.Minute)},
	}
	res, err := db.NamedExecContext(ctx, "INSERT INTO item (name, price, qty, ratio, flag, attrs, note, cat_id, created_at) VALUES (:name, :price, :qty, :ratio, :flag, :attrs, :note, :cat, :at)", items)
	must(t, err)
	n, _ := res.RowsAffected()
	id, _ := res.LastInsertId()
	gormDiff(t, "bulk insert", []int64{4, 1}, []int64{n, id})

	// Embedded structs, a nested pointer struct from a LEFT JOIN with
	// NULLs, JSON into json.RawMessage, sql.Null[T].
	var got []sxItem
	must(t, db.SelectContext(ctx, &got, "SELECT i.id, i.created_at, i.name, i.price, i.qty, i.ratio, i.flag, i.attrs, i.note, c.id AS `cat.id`, c.name AS `cat.name` FROM item i LEFT JOIN cat c ON c.id = i.cat_id ORDER BY i.id"))
	var attrs []string
	for _, it := range got {
		var v any
		if it.Attrs != nil {
			must(t, json.Unmarshal(*it.Attrs, &v))
		}
		attrs = append(attrs, fmt.Sprint(v))
	}
	gormDiff(t, "attrs", []string{"map[w:1]", "<nil>", "[1 2]", "<nil>"}, attrs)
	for i := range got {
		got[i].Attrs = nil
	}
	gormDiff(t, "embedded", []sxItem{
		{SxBase{1, t0}, "hammer", "12.50", 3, 0.5, true, nil, sql.Null[string]{V: "heavy", Valid: true}, &sxCat{sql.NullInt64{Int64: 1, Valid: true}, sql.NullString{String: "tools", Valid: true}}},
		{SxBase{2, t0.Add(time.Minute)}, "saw", "20.00", 0, 0, false, nil, sql.Null[string]{}, &sxCat{sql.NullInt64{Int64: 1, Valid: true}, sql.NullString{String: "tools", Valid: true}}},
		{SxBase{3, t0.Add(2 * time.Minute)}, "ball", "3.99", 4000000000, 1.25, true, nil, sql.Null[string]{Valid: true}, &sxCat{sql.NullInt64{Int64: 2, Valid: true}, sql.NullString{String: "toys", Valid: true}}},
		{SxBase{4, t0.Add(3 * time.Minute)}, "orphan", "0.01", 1, 0, false, nil, sql.Null[string]{}, &sxCat{}},
	}, got)
	var ptrs []*sxItem
	must(t, db.Select(&ptrs, "SELECT i.id, i.name, i.price, c.id AS `cat.id` FROM item i LEFT JOIN cat c ON c.id = i.cat_id WHERE i.flag ORDER BY i.id DESC"))
	gormDiff(t, "pointers", []string{"ball", "hammer"}, []string{ptrs[0].Name, ptrs[1].Name})

	// JSON through MapScan comes back as bytes, as with MySQL.
	row := db.QueryRowx("SELECT name, attrs, price, qty, flag, created_at FROM item WHERE id = 1")
	m := map[string]any{}
	must(t, row.MapScan(m))
	var attr any
	must(t, json.Unmarshal(m["attrs"].([]byte), &attr))
	gormDiff(t, "json attr", map[string]any{"w": 1.0}, attr)
	delete(m, "attrs")
	gormDiff(t, "MapScan", map[string]any{"name": "hammer", "price": "12.50", "qty": int64(3), "flag": int64(1), "created_at": t0}, m)

	// In() with several slices, with a Valuer slice element, and Get.
	q, args, err := sqlx.In("SELECT name FROM item WHERE id IN (?) AND name IN (?) AND price > ? ORDER BY id", []int64{1, 2, 3}, []string{"hammer", "ball", "x"}, "1.00")
	must(t, err)
	var names []string
	must(t, db.Select(&names, db.Rebind(q), args...))
	gormDiff(t, "In", []string{"hammer", "ball"}, names)
	q, args, err = sqlx.In("SELECT COUNT(*) FROM item WHERE note IN (?)", []sql.NullString{{String: "heavy", Valid: true}, {}})
	must(t, err)
	var cnt int
	must(t, db.Get(&cnt, q, args...))
	gormDiff(t, "In valuers", 1, cnt)
	if _, _, err := sqlx.In("SELECT 1 WHERE id IN (?)", []int{}); err == nil {
		t.Errorf("In with an empty slice did not fail")
	}
	// A []byte argument is not expanded.
	q, args, err = sqlx.In("SELECT COUNT(*) FROM item WHERE name = ? AND id IN (?)", []byte("saw"), []int{1, 2})
	must(t, err)
	must(t, db.Get(&cnt, q, args...))
	gormDiff(t, "In with []byte", 1, cnt)

	// A Valuer returning uint64 (an ID type of a BIGINT UNSIGNED column),
	// which go-sql-driver/mysql accepts.
	db.MustExec("CREATE TABLE snow (id BIGINT UNSIGNED PRIMARY KEY, v INT)")
	db.MustExec("INSERT INTO snow VALUES (?, ?), (?, ?)", snowID(1<<63+5), 1, snowID(9), 2)
	var sv int
	must(t, db.Get(&sv, "SELECT v FROM snow WHERE id = ?", snowID(1<<63+5)))
	gormDiff(t, "uint64 Valuer", 1, sv)
	q, args, err = sqlx.In("SELECT SUM(v) FROM snow WHERE id IN (?)", []snowID{1<<63 + 5, 9})
	must(t, err)
	must(t, db.Get(&sv, q, args...))
	gormDiff(t, "uint64 Valuers in In", 3, sv)

	// Upsert idioms: RowsAffected 1 (insert), 2 (update), 0 (no change),
	// and LAST_INSERT_ID(id) to learn the existing row's id.
	up := "INSERT INTO item (name, price) VALUES (?, ?) ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), price = VALUES(price)"
	var affected, ids []int64
	for _, p := range [][2]string{{"nail", "0.10"}, {"saw", "21.00"}, {"saw", "21.00"}} {
		res, err := db.Exec(up, p[0], p[1])
		must(t, err)
		a, _ := res.RowsAffected()
		i, _ := res.LastInsertId()
		affected, ids = append(affected, a), append(ids, i)
	}
	gormDiff(t, "upsert affected", []int64{1, 2, 0}, affected)
	gormDiff(t, "upsert ids", []int64{5, 2, 2}, ids)
	var lid int64
	must(t, db.Get(&lid, "SELECT LAST_INSERT_ID()"))
	// (database/sql may run this on another connection: only check it is one of ours)
	if lid != 2 && lid != 0 && lid != 5 {
		t.Errorf("LAST_INSERT_ID() = %d", lid)
	}

	// REPLACE, INSERT ... SELECT, UPDATE with JOIN, DELETE with JOIN.
	res, err = db.Exec("REPLACE INTO cat (id, name) VALUES (2, 'games')")
	must(t, err)
	n, _ = res.RowsAffected()
	gormDiff(t, "REPLACE affected", int64(2), n)
	db.MustExec("CREATE TABLE item_archive LIKE item")
	res, err = db.Exec("INSERT INTO item_archive SELECT * FROM item WHERE cat_id = ?", 1)
	must(t, err)
	n, _ = res.RowsAffected()
	gormDiff(t, "INSERT SELECT", int64(2), n)
	res, err = db.Exec("UPDATE item i JOIN cat c ON c.id = i.cat_id SET i.note = CONCAT(c.name, ':', i.name) WHERE c.name = ?", "games")
	must(t, err)
	n, _ = res.RowsAffected()
	gormDiff(t, "UPDATE JOIN", int64(1), n)
	var note string
	must(t, db.Get(&note, "SELECT note FROM item WHERE name = 'ball'"))
	gormDiff(t, "joined note", "games:ball", note)
	res, err = db.Exec("DELETE i FROM item i LEFT JOIN cat c ON c.id = i.cat_id WHERE c.id IS NULL")
	must(t, err)
	n, _ = res.RowsAffected()
	gormDiff(t, "DELETE JOIN", int64(2), n) // orphan and nail

	// Prepared statements in a transaction: Preparex, NamedStmt, Stmtx.
	tx := db.MustBegin()
	ins, err := tx.PrepareNamed("INSERT INTO item (name, price, qty) VALUES (:name, :price, :qty)")
	must(t, err)
	for i := 0; i < 5; i++ {
		_, err := ins.Exec(map[string]any{"name": fmt.Sprintf("p%d", i), "price": fmt.Sprintf("%d.25", i), "qty": i})
		must(t, err)
	}
	sel, err := db.Preparex("SELECT SUM(qty) FROM item WHERE name LIKE ?")
	must(t, err)
	var sum sql.NullInt64
	must(t, tx.Stmtx(sel).Get(&sum, "p%"))
	gormDiff(t, "sum in tx", sql.NullInt64{Int64: 10, Valid: true}, sum)
	must(t, tx.Commit())
	must(t, sel.Get(&sum, "p%"))
	gormDiff(t, "sum after commit", sql.NullInt64{Int64: 10, Valid: true}, sum)
	must(t, sel.Get(&sum, "zz%"))
	gormDiff(t, "sum of nothing", sql.NullInt64{}, sum)
	var total string
	must(t, db.Get(&total, "SELECT SUM(price) FROM item"))
	gormDiff(t, "decimal sum", "48.74", total) // 12.50 + 21.00 + 3.99 + (0.25 + 1.25 + 2.25 + 3.25 + 4.25)
}

// --- bun ------------------------------------------------------------------------------

type bxShop struct {
	bun.BaseModel `bun:"table:bx_shops,alias:s"`

	ID        uint64         `bun:",pk,autoincrement"`
	Name      string         `bun:",notnull,unique"`
	Settings  map[string]any `bun:",type:json"`
	OpenedAt  time.Time      `bun:",nullzero,notnull,default:current_timestamp"`
	ClosedAt  bun.NullTime   `bun:""`
	Rating    float64        `bun:",nullzero"`
	Products  []*bxProduct   `bun:"rel:has-many,join:id=shop_id"`
	Owner     *bxOwner       `bun:"rel:has-one,join:id=shop_id"`
	Computed  int            `bun:",scanonly"`
	UpdatedAt time.Time      `bun:",nullzero"`
}

var _ bun.BeforeAppendModelHook = (*bxShop)(nil)

func (s *bxShop) BeforeAppendModel(ctx context.Context, q bun.Query) error {
	switch q.(type) {
	case *bun.InsertQuery, *bun.UpdateQuery:
		s.UpdatedAt = time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	}
	return nil
}

type bxOwner struct {
	bun.BaseModel `bun:"table:bx_owners,alias:o"`

	ID     uint64 `bun:",pk,autoincrement"`
	ShopID uint64 `bun:",notnull"`
	Name   string
}

type bxProduct struct {
	bun.BaseModel `bun:"table:bx_products,alias:p"`

	ID     uint64  `bun:",pk,autoincrement"`
	ShopID uint64  `bun:",notnull"`
	Shop   *bxShop `bun:"rel:belongs-to,join:shop_id=id"`
	SKU    string  `bun:"sku,notnull"`
	Price  int64
	Stock  int32
	Labels []bxLabel `bun:"m2m:bx_product_labels,join:Product=Label"`
}

type bxLabel struct {
	bun.BaseModel `bun:"table:bx_labels,alias:l"`

	ID   uint64 `bun:",pk,autoincrement"`
	Name string `bun:",unique"`
}

type bxProductLabel struct {
	bun.BaseModel `bun:"table:bx_product_labels,alias:pl"`

	ProductID uint64     `bun:",pk"`
	Product   *bxProduct `bun:"rel:belongs-to,join:product_id=id"`
	LabelID   uint64     `bun:",pk"`
	Label     *bxLabel   `bun:"rel:belongs-to,join:label_id=id"`
}

func TestBunMore(t *testing.T) {
	db := bunOpen(t)
	ctx := context.Background()
	db.RegisterModel((*bxProductLabel)(nil))
	for _, m := range []any{(*bxShop)(nil), (*bxOwner)(nil), (*bxLabel)(nil)} {
		_, err := db.NewCreateTable().Model(m).IfNotExists().Exec(ctx)
		must(t, err)
	}
	_, err := db.NewCreateTable().Model((*bxProduct)(nil)).IfNotExists().
		ForeignKey(`(shop_id) REFERENCES bx_shops (id) ON DELETE CASCADE`).Exec(ctx)
	must(t, err)
	_, err = db.NewCreateTable().Model((*bxProductLabel)(nil)).IfNotExists().WithForeignKeys().Exec(ctx)
	must(t, err)

	shops := []*bxShop{
		{Name: "north", Settings: map[string]any{"tz": "UTC", "n": 1.0}, Rating: 4.5},
		{Name: "south", ClosedAt: bun.NullTime{Time: time.Date(2023, 12, 31, 23, 0, 0, 0, time.UTC)}},
		{Name: "east"},
	}
	_, err = db.NewInsert().Model(&shops).Exec(ctx)
	must(t, err)
	gormDiff(t, "shop ids", []uint64{1, 2, 3}, []uint64{shops[0].ID, shops[1].ID, shops[2].ID})
	var prods []*bxProduct
	for i := 0; i < 7; i++ {
		prods = append(prods, &bxProduct{ShopID: uint64(i%3 + 1), SKU: fmt.Sprintf("sku%d", i), Price: int64(100 * (i + 1)), Stock: int32(i)})
	}
	_, err = db.NewInsert().Model(&prods).Exec(ctx)
	must(t, err)
	gormDiff(t, "last product id", uint64(7), prods[6].ID)
	_, err = db.NewInsert().Model(&[]*bxOwner{{ShopID: 1, Name: "olga"}, {ShopID: 3, Name: "omar"}}).Exec(ctx)
	must(t, err)
	labels := []*bxLabel{{Name: "new"}, {Name: "sale"}}
	_, err = db.NewInsert().Model(&labels).Exec(ctx)
	must(t, err)
	_, err = db.NewInsert().Model(&[]bxProductLabel{{ProductID: 1, LabelID: 1}, {ProductID: 1, LabelID: 2}, {ProductID: 4, LabelID: 2}}).Exec(ctx)
	must(t, err)

	// Read back: JSON map, NullTime, nullzero default, hook-set time.
	var s bxShop
	must(t, db.NewSelect().Model(&s).Where("s.name = ?", "north").Scan(ctx))
	gormDiff(t, "settings", map[string]any{"tz": "UTC", "n": 1.0}, s.Settings)
	if s.OpenedAt.IsZero() || !s.ClosedAt.IsZero() || s.UpdatedAt != time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC) {
		t.Errorf("north: %+v", s)
	}
	var south bxShop
	must(t, db.NewSelect().Model(&south).Where("s.id = ?", 2).Scan(ctx))
	gormDiff(t, "NullTime", time.Date(2023, 12, 31, 23, 0, 0, 0, time.UTC), south.ClosedAt.Time)

	// Relations: has-many with a filter, has-one, belongs-to with chosen
	// columns, m2m; ScanAndCount with relations and a limit.
	var ss []bxShop
	total, err := db.NewSelect().Model(&ss).
		Relation("Products", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Where("p.stock > ?", 0).Order("p.id") }).
		Relation("Owner").
		ColumnExpr("s.*").ColumnExpr("(SELECT COUNT(*) FROM bx_products AS x WHERE x.shop_id = s.id) AS computed").
		Order("s.id").Limit(2).ScanAndCount(ctx)
	must(t, err)
	gormDiff(t, "ScanAndCount total", int64(3), total)
	var desc []string
	for _, sh := range ss {
		var skus []string
		for _, p := range sh.Products {
			skus = append(skus, p.SKU)
		}
		owner := "-"
		if sh.Owner != nil {
			owner = sh.Owner.Name
		}
		desc = append(desc, fmt.Sprintf("%s %v %s %d", sh.Name, skus, owner, sh.Computed))
	}
	gormDiff(t, "relations", []string{"north [sku3 sku6] olga 3", "south [sku1 sku4] - 2"}, desc)

	var ps []bxProduct
	must(t, db.NewSelect().Model(&ps).Relation("Shop", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Column("name") }).
		Relation("Labels", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("l.id") }).
		Where("p.id IN (?)", bun.In([]uint64{1, 4, 5})).Order("p.id").Scan(ctx))
	desc = nil
	for _, p := range ps {
		var ls []string
		for _, l := range p.Labels {
			ls = append(ls, l.Name)
		}
		desc = append(desc, fmt.Sprintf("%s@%s %v", p.SKU, p.Shop.Name, ls))
	}
	gormDiff(t, "belongs-to and m2m", []string{"sku0@north [new sale]", "sku3@north [sale]", "sku4@south []"}, desc)

	// Upserts: ON DUPLICATE KEY UPDATE with Set, Ignore, Replace.
	_, err = db.NewInsert().Model(&[]*bxLabel{{Name: "sale"}, {Name: "hot"}}).
		On("DUPLICATE KEY UPDATE").Set("name = CONCAT(VALUES(name), '!')").Exec(ctx)
	must(t, err)
	_, err = db.NewInsert().Model(&bxLabel{Name: "new"}).Ignore().Exec(ctx)
	must(t, err)
	// (REPLACE deletes the old row: its product link goes first, as the
	// foreign key refuses to orphan it.)
	_, err = db.NewDelete().Model((*bxProductLabel)(nil)).Where("label_id = ?", 1).Exec(ctx)
	must(t, err)
	_, err = db.NewInsert().Model(&bxLabel{ID: 1, Name: "brand-new"}).Replace().Exec(ctx)
	must(t, err)
	var lnames []string
	must(t, db.NewSelect().Model((*bxLabel)(nil)).Column("name").Order("id").Scan(ctx, &lnames))
	gormDiff(t, "labels", []string{"brand-new", "sale!", "hot"}, lnames, cmpopts.SortSlices(func(a, b string) bool { return a < b }))

	// Update: Set with expressions, OmitZero, Bulk, Value, Returning
	// nothing; WherePK on a slice; Delete with bun.In.
	res, err := db.NewUpdate().Model((*bxProduct)(nil)).Set("price = price * 2").Set("stock = stock - ?", 1).Where("shop_id = ?", 2).Where("stock > 0").Exec(ctx)
	must(t, err)
	n, _ := res.RowsAffected()
	gormDiff(t, "update affected", int64(2), n)
	upd := &bxProduct{ID: 3, SKU: "sku2b"}
	_, err = db.NewUpdate().Model(upd).OmitZero().WherePK().Exec(ctx)
	must(t, err)
	_, err = db.NewUpdate().Model(&[]*bxProduct{{ID: 5, ShopID: 3, SKU: "five", Price: 55}, {ID: 6, ShopID: 1, SKU: "six", Price: 66}}).Column("sku", "price").Bulk().Exec(ctx)
	must(t, err)
	_, err = db.NewUpdate().Model(&bxProduct{ID: 7}).Value("sku", "UPPER(?)", "seven").Column("sku").WherePK().Exec(ctx)
	must(t, err)
	var prodRows []struct {
		ID    uint64
		SKU   string `bun:"sku"`
		Price int64
		Stock int32
	}
	must(t, db.NewSelect().Model((*bxProduct)(nil)).Column("id", "sku", "price", "stock").Order("id").Scan(ctx, &prodRows))
	desc = nil
	for _, p := range prodRows {
		desc = append(desc, fmt.Sprintf("%d %s %d %d", p.ID, p.SKU, p.Price, p.Stock))
	}
	gormDiff(t, "products after updates", []string{
		"1 sku0 100 0", "2 sku1 400 0", "3 sku2b 300 2", "4 sku3 400 3", "5 five 55 3", "6 six 66 5", "7 SEVEN 700 6",
	}, desc)
	_, err = db.NewDelete().Model(&[]*bxProduct{{ID: 6}, {ID: 7}}).WherePK().Exec(ctx)
	must(t, err)
	res, err = db.NewDelete().Model((*bxProduct)(nil)).Where("sku IN (?)", bun.In([]string{"five", "nope"})).Exec(ctx)
	must(t, err)
	n, _ = res.RowsAffected()
	gormDiff(t, "delete In", int64(1), n)
	cnt, err := db.NewSelect().Model((*bxProduct)(nil)).Count(ctx)
	must(t, err)
	gormDiff(t, "products left", int64(4), cnt)

	// Nested RunInTx: the inner one is a savepoint.
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&bxLabel{Name: "outer"}).Exec(ctx); err != nil {
			return err
		}
		ierr := tx.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewInsert().Model(&bxLabel{Name: "inner"}).Exec(ctx); err != nil {
				return err
			}
			return errors.New("undo inner")
		})
		if ierr == nil {
			t.Errorf("inner RunInTx did not fail")
		}
		return tx.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewInsert().Model(&bxLabel{Name: "inner2"}).Exec(ctx)
			return err
		})
	})
	must(t, err)
	lnames = nil
	must(t, db.NewSelect().Model((*bxLabel)(nil)).Column("name").Where("name LIKE ?", "%er%").Order("name").Scan(ctx, &lnames))
	gormDiff(t, "nested tx", []string{"inner2", "outer"}, lnames)

	// CTE, UNION, Group/Having, scanning into maps.
	var rows []map[string]any
	q1 := db.NewSelect().Model((*bxProduct)(nil)).ColumnExpr("shop_id, SUM(price) AS total").Group("shop_id")
	must(t, db.NewSelect().With("t", q1).Table("t").ColumnExpr("shop_id, total").Where("total > ?", 100).Order("shop_id").Scan(ctx, &rows))
	// (The CTE's shop_id should be BIGINT UNSIGNED, as on MySQL; bxdb
	// loses the type of derived columns, so compare the printed values.)
	var cte []string
	for _, r := range rows {
		cte = append(cte, fmt.Sprint(r["shop_id"], ":", r["total"]))
	}
	gormDiff(t, "CTE", []string{"1:500", "2:400", "3:300"}, cte)
	var union []string
	must(t, db.NewSelect().Model((*bxShop)(nil)).Column("name").Where("id = 1").
		UnionAll(db.NewSelect().Model((*bxLabel)(nil)).Column("name").Where("id = 1")).Scan(ctx, &union))
	sort.Strings(union)
	gormDiff(t, "union", []string{"brand-new", "north"}, union)

	// VALUES as a table (bun's NewValues).
	vals := []*bxProduct{{ID: 1, SKU: "a"}, {ID: 2, SKU: "b"}}
	var joined []string
	must(t, db.NewSelect().With("v", db.NewValues(&vals)).TableExpr("v").Join("JOIN bx_products AS p ON p.id = v.id").ColumnExpr("CONCAT(v.sku, '-', p.sku)").OrderExpr("v.id").Scan(ctx, &joined))
	gormDiff(t, "values", []string{"a-sku0", "b-sku1"}, joined)

	// Truncate, DropTable IfExists.
	_, err = db.NewTruncateTable().Model((*bxProductLabel)(nil)).Exec(ctx)
	must(t, err)
	cnt, err = db.NewSelect().Model((*bxProductLabel)(nil)).Count(ctx)
	must(t, err)
	gormDiff(t, "truncated", int64(0), cnt)
	_, err = db.NewDropTable().Model((*bxProductLabel)(nil)).IfExists().Exec(ctx)
	must(t, err)
	_, err = db.NewDropTable().Model((*bxProductLabel)(nil)).IfExists().Exec(ctx)
	must(t, err)
}

// --- GORM: maps, composite keys, pagination, big preloads ---------------------------

type cEnrollment struct {
	StudentID uint   `gorm:"primaryKey;autoIncrement:false"`
	CourseID  string `gorm:"primaryKey;size:10"`
	Grade     *float64
	Note      string `gorm:"size:20"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

type cStudent struct {
	ID          uint
	Name        string `gorm:"size:20"`
	Born        time.Time
	Enrollments []cEnrollment `gorm:"foreignKey:StudentID"`
	Mentor      *cStudent
	MentorID    *uint
}

func TestGORMMoreMapsKeysPaging(t *testing.T) {
	db, _ := gormOpen(t, nil)
	must(t, db.AutoMigrate(&cStudent{}, &cEnrollment{}))

	// Create from a map and from a slice of maps: GORM fills in the ids.
	m := map[string]any{"Name": "ann", "Born": time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC)}
	must(t, db.Model(&cStudent{}).Create(m).Error)
	gormDiff(t, "map id", int64(1), m["id"])
	ms := []map[string]any{{"Name": "bob", "Born": time.Date(2001, 1, 2, 0, 0, 0, 0, time.UTC)}, {"Name": "cy", "Born": time.Time{}}}
	must(t, db.Model(&cStudent{}).Create(&ms).Error)
	gormDiff(t, "maps ids", []any{int64(2), int64(3)}, []any{ms[0]["id"], ms[1]["id"]})
	// The zero time round-trips.
	var cy cStudent
	must(t, db.First(&cy, 3).Error)
	gormDiff(t, "zero time", time.Time{}, cy.Born)
	// A model with nothing but defaults.
	type cEmpty struct {
		ID   uint
		Note string `gorm:"size:5;default:'n/a'"`
	}
	must(t, db.AutoMigrate(&cEmpty{}))
	e1, e2 := cEmpty{}, cEmpty{}
	must(t, db.Create(&e1).Error)
	must(t, db.Select("*").Omit("id").Create(&e2).Error)
	gormDiff(t, "defaults only", []any{uint(1), "n/a", uint(2)}, []any{e1.ID, e1.Note, e2.ID})

	// Composite primary keys: create, update by key, upsert, delete.
	ens := []cEnrollment{{StudentID: 1, CourseID: "math", Grade: ptr(7.5)}, {StudentID: 1, CourseID: "art"}, {StudentID: 2, CourseID: "math", Grade: ptr(9.0)}}
	must(t, db.Create(&ens).Error)
	ens[1].Grade = ptr(6.0)
	must(t, db.Save(&ens[1]).Error)
	must(t, db.Model(&cEnrollment{StudentID: 2, CourseID: "math"}).Update("note", "top").Error)
	must(t, db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&cEnrollment{StudentID: 1, CourseID: "math", Grade: ptr(8.0), Note: "retake"}).Error)
	must(t, db.Delete(&cEnrollment{StudentID: 3, CourseID: "none"}).Error)
	var all []cEnrollment
	must(t, db.Order("student_id, course_id").Find(&all).Error)
	var desc []string
	for _, e := range all {
		g := "-"
		if e.Grade != nil {
			g = fmt.Sprint(*e.Grade)
		}
		desc = append(desc, fmt.Sprintf("%d/%s %s %s", e.StudentID, e.CourseID, g, e.Note))
	}
	gormDiff(t, "composite keys", []string{"1/art 6 ", "1/math 8 retake", "2/math 9 top"}, desc)
	var one cEnrollment
	must(t, db.First(&one, "student_id = ? AND course_id = ?", 1, "art").Error)
	res := db.Delete(&one)
	must(t, res.Error)
	gormDiff(t, "composite delete", int64(1), res.RowsAffected)

	// Pagination: Count then Find on the same chain, as list endpoints do.
	for i := 0; i < 23; i++ {
		must(t, db.Create(&cStudent{Name: fmt.Sprintf("s%02d", i), MentorID: ptr(uint(1 + i%2))}).Error)
	}
	paginate := func(page, size int) func(*gorm.DB) *gorm.DB {
		return func(tx *gorm.DB) *gorm.DB { return tx.Offset((page - 1) * size).Limit(size) }
	}
	var total int64
	var page []cStudent
	q := db.Model(&cStudent{}).Where("name LIKE ?", "s%")
	must(t, q.Count(&total).Error)
	must(t, q.Scopes(paginate(3, 10)).Order("name").Find(&page).Error)
	desc = nil
	for _, s := range page {
		desc = append(desc, s.Name)
	}
	gormDiff(t, "page 3", []any{int64(23), []string{"s20", "s21", "s22"}}, []any{total, desc})

	// Joins nested through a self reference, plus Preload.
	var studs []cStudent
	must(t, db.Joins("Mentor").Preload("Enrollments").Where("Mentor.name = ?", "bob").Order("c_students.id").Limit(2).Find(&studs).Error)
	desc = nil
	for _, s := range studs {
		desc = append(desc, s.Name+"<"+s.Mentor.Name)
	}
	gormDiff(t, "joins self", []string{"s01<bob", "s03<bob"}, desc)
	var ann cStudent
	must(t, db.Preload("Enrollments", func(tx *gorm.DB) *gorm.DB { return tx.Order("course_id DESC") }).First(&ann, 1).Error)
	gormDiff(t, "preload composite", 1, len(ann.Enrollments))

	// A preload over many owners (a long IN list), and a Find by many ids.
	var many []cStudent
	for i := 0; i < 3000; i++ {
		many = append(many, cStudent{Name: fmt.Sprintf("m%04d", i), MentorID: ptr(uint(1))})
	}
	must(t, db.CreateInBatches(&many, 1000).Error)
	var ids []uint
	for _, s := range many {
		ids = append(ids, s.ID)
	}
	var got []cStudent
	must(t, db.Preload("Mentor").Find(&got, ids).Error)
	gormDiff(t, "big find", 3000, len(got))
	ok := true
	for _, s := range got {
		if s.Mentor == nil || s.Mentor.Name != "ann" {
			ok = false
		}
	}
	if !ok {
		t.Errorf("big preload lost mentors")
	}
	var mentors []cStudent
	must(t, db.Preload("Enrollments").Where("id IN ?", []uint{1, 2}).Order("id").Find(&mentors).Error)
	gormDiff(t, "preloaded enrollments", []int{1, 1}, []int{len(mentors[0].Enrollments), len(mentors[1].Enrollments)})
	var cnt int64
	must(t, db.Model(&cStudent{}).Where("mentor_id = ?", 1).Count(&cnt).Error)
	gormDiff(t, "mentees", int64(3012), cnt)
}

// bxOdd holds values whose literals bun writes into the SQL text itself
// (bun interpolates arguments client-side).
type bxOdd struct {
	bun.BaseModel `bun:"table:bx_odd,alias:o"`

	ID    uint64 `bun:",pk,type:bigint unsigned"` // (bun's uint64 is a signed BIGINT)
	S     string
	B     []byte
	F     float64
	F32   float32
	I8    int8
	U8    uint8
	U16   uint16 `bun:"type:smallint unsigned"` // (bun's uint16 is a signed SMALLINT)
	I64   int64
	T     time.Time
	TP    *time.Time
	Ok    bool
	Ptr   *string
	Raw   json.RawMessage `bun:"type:json"`
	Nums  []int           `bun:"type:json"`
	Decim string          `bun:"type:decimal(30,10)"`
}

func TestBunLiterals(t *testing.T) {
	db := bunOpen(t)
	ctx := context.Background()
	_, err := db.NewCreateTable().Model((*bxOdd)(nil)).Exec(ctx)
	must(t, err)
	odd := []*bxOdd{
		{ID: 1<<64 - 1, S: "a\\b'c\"d\n\r\t%_\x00end \u00e9\u4e2d\U0001F600", B: []byte{0, '\'', '\\', 0xff, '"', '\n'}, F: -1.5e-300, F32: 3.25, I8: -128, U8: 255, U16: 65535, I64: -1 << 63,
			T: time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC), TP: ptr(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)), Ok: true, Ptr: ptr(""),
			Raw: json.RawMessage(`{"k": "v\\\"q'"}`), Nums: []int{1, -2, 3}, Decim: "-12345678901234567890.0123456789"},
		// (bun writes floats without an exponent; bxdb rejects literals of more than 131 digits)
		{ID: 0, S: "", B: []byte{}, F: 1.5e100, Decim: "0.5000000000", T: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
	}
	_, err = db.NewInsert().Model(&odd).Exec(ctx)
	must(t, err)
	var got []bxOdd
	must(t, db.NewSelect().Model(&got).Order("id").Scan(ctx))
	if len(got) != 2 {
		t.Fatalf("rows: %d", len(got))
	}
	// bun writes the wall clock of a time (UTC here), an empty []byte
	// as NULL, a nil json.RawMessage as JSON null, and drops NUL from
	// strings.
	want0 := *odd[1]
	want0.B = nil
	want0.Raw = json.RawMessage("null")
	want1 := *odd[0]
	want1.S = strings.ReplaceAll(want1.S, "\x00", "")
	gormDiff(t, "row 0", want0, got[0], cmpopts.IgnoreFields(bxOdd{}, "BaseModel"), cmpopts.EquateEmpty())
	gormDiff(t, "row 1", want1, got[1], cmpopts.IgnoreFields(bxOdd{}, "BaseModel"), cmpopts.IgnoreFields(bxOdd{}, "Raw"))
	var raw map[string]string
	must(t, json.Unmarshal(got[1].Raw, &raw))
	gormDiff(t, "raw json", map[string]string{"k": "v\\\"q'"}, raw)

	// Where with the same odd literals finds the rows.
	n, err := db.NewSelect().Model((*bxOdd)(nil)).Where("s = ?", odd[0].S).Where("b = ?", odd[0].B).Where("id = ?", odd[0].ID).Where("t = ?", odd[0].T).Count(ctx)
	must(t, err)
	gormDiff(t, "where literals", int64(1), n)
	n, err = db.NewSelect().Model((*bxOdd)(nil)).Where("s LIKE ?", "%\\%\\_%").Count(ctx)
	must(t, err)
	gormDiff(t, "LIKE escapes", int64(1), n)
}

// --- concurrency through prepared statements ----------------------------------------

// TestGORMMorePreparedConcurrency: GORM with PrepareStmt from many
// goroutines (statements prepared on every pooled connection), mixed with
// transactions, locking reads and readers iterating rows while writers
// commit; and a cancelled context in the middle of reading rows.
func TestGORMMorePreparedConcurrency(t *testing.T) {
	db, _ := gormOpen(t, &gorm.Config{PrepareStmt: true})
	sqlDB, err := db.DB()
	must(t, err)
	sqlDB.SetMaxOpenConns(6)
	must(t, db.AutoMigrate(&uStock{}))
	for i := 0; i < 50; i++ {
		must(t, db.Create(&uStock{SKU: fmt.Sprintf("k%02d", i), Qty: 0}).Error)
	}
	const workers, rounds = 8, 30
	errs := make(chan error, workers*rounds)
	done := make(chan struct{})
	for w := 0; w < workers; w++ {
		go func(w int) {
			defer func() { done <- struct{}{} }()
			for i := 0; i < rounds; i++ {
				sku := fmt.Sprintf("k%02d", (w*7+i)%50)
				switch i % 3 {
				case 0:
					if err := db.Model(&uStock{}).Where("sku = ?", sku).UpdateColumn("qty", gorm.Expr("qty + 1")).Error; err != nil {
						errs <- err
					}
				case 1:
					if err := db.Transaction(func(tx *gorm.DB) error {
						var s uStock
						if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("sku = ?", sku).First(&s).Error; err != nil {
							return err
						}
						return tx.Model(&s).Update("qty", s.Qty+1).Error
					}); err != nil {
						errs <- err
					}
				case 2:
					var ss []uStock
					if err := db.Where("qty >= ?", 0).Order("sku").Find(&ss).Error; err != nil {
						errs <- err
					} else if len(ss) != 50 {
						errs <- fmt.Errorf("reader saw %d rows", len(ss))
					}
				}
			}
		}(w)
	}
	for w := 0; w < workers; w++ {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var sum int64
	must(t, db.Model(&uStock{}).Select("SUM(qty)").Scan(&sum).Error)
	// rounds 0,3,6,... and 1,4,7,... write: 20 of 30 per worker.
	gormDiff(t, "increments", int64(workers*20), sum)

	// Cancel while iterating.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rows, err := db.WithContext(ctx).Model(&uStock{}).Order("sku").Rows()
	must(t, err)
	seen := 0
	for rows.Next() {
		seen++
		if seen == 5 {
			cancel()
		}
	}
	rerr := rows.Err()
	rows.Close()
	if seen >= 50 || !errors.Is(rerr, context.Canceled) {
		t.Errorf("cancelled iteration: saw %d rows, err %v", seen, rerr)
	}
	// The pool still works afterwards.
	var n int64
	must(t, db.Model(&uStock{}).Count(&n).Error)
	gormDiff(t, "count after cancel", int64(50), n)
}

// --- GORM: soft-deleted associations, Save of slices -----------------------------

type sdTeam struct {
	ID        uint
	Name      string     `gorm:"size:20"`
	Members   []sdMember `gorm:"foreignKey:TeamID"`
	DeletedAt gorm.DeletedAt
}

type sdMember struct {
	ID        uint
	TeamID    *uint
	Team      *sdTeam
	Name      string `gorm:"size:20;uniqueIndex"`
	Score     int
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

func TestGORMMoreSoftDeletedAssociations(t *testing.T) {
	db, _ := gormOpen(t, nil)
	must(t, db.AutoMigrate(&sdTeam{}, &sdMember{}))
	teams := []sdTeam{
		{Name: "red", Members: []sdMember{{Name: "r1", Score: 1}, {Name: "r2", Score: 2}, {Name: "r3", Score: 3}}},
		{Name: "blue", Members: []sdMember{{Name: "b1", Score: 4}}},
	}
	must(t, db.Create(&teams).Error)
	must(t, db.Delete(&teams[0].Members[1]).Error) // r2 soft-deleted
	must(t, db.Delete(&teams[1]).Error)            // blue soft-deleted

	// Preload and association counts skip soft-deleted rows; Unscoped sees them.
	var red sdTeam
	must(t, db.Preload("Members", func(tx *gorm.DB) *gorm.DB { return tx.Order("name") }).First(&red, teams[0].ID).Error)
	var names []string
	for _, m := range red.Members {
		names = append(names, m.Name)
	}
	gormDiff(t, "preload skips deleted", []string{"r1", "r3"}, names)
	gormDiff(t, "association count", int64(2), db.Model(&red).Association("Members").Count())
	gormDiff(t, "unscoped association count", int64(3), db.Model(&red).Unscoped().Association("Members").Count())

	// Joins on a soft-deleted belongs-to: the join finds no team.
	var ms []sdMember
	must(t, db.Joins("Team").Order("sd_members.name").Find(&ms).Error)
	var desc []string
	for _, m := range ms {
		team := "-"
		if m.Team != nil {
			team = m.Team.Name
		}
		desc = append(desc, m.Name+":"+team)
	}
	gormDiff(t, "joins with a soft-deleted team", []string{"b1:-", "r1:red", "r3:red"}, desc)
	ms = nil
	must(t, db.Unscoped().Joins("Team").Order("sd_members.name").Find(&ms).Error)
	gormDiff(t, "unscoped joins", 4, len(ms))

	// Save of a slice mixing existing and new rows: an upsert.
	var r1, r3 sdMember
	must(t, db.Where("name = ?", "r1").First(&r1).Error)
	must(t, db.Where("name = ?", "r3").First(&r3).Error)
	r1.Score, r3.Score = 10, 30
	batch := []sdMember{r1, r3, {Name: "r4", TeamID: r1.TeamID, Score: 40}}
	must(t, db.Save(&batch).Error)
	gormDiff(t, "new id from Save", uint(5), batch[2].ID)
	var scores []int
	must(t, db.Model(&sdMember{}).Order("name").Pluck("score", &scores).Error)
	gormDiff(t, "scores after Save", []int{4, 10, 30, 40}, scores)

	// The unique name of a soft-deleted row still blocks (MySQL treats the
	// deleted row as present).
	if err := db.Create(&sdMember{Name: "r2"}).Error; err == nil {
		t.Errorf("unique index ignored a soft-deleted row")
	}
	// Permanently delete the soft-deleted rows.
	res := db.Unscoped().Where("deleted_at IS NOT NULL").Delete(&sdMember{})
	must(t, res.Error)
	gormDiff(t, "purged", int64(1), res.RowsAffected)
	must(t, db.Create(&sdMember{Name: "r2"}).Error)
}

// --- GORM: table options, collations, ON UPDATE ---------------------------------------

type tOptUser struct {
	ID        uint64    `gorm:"primaryKey"`
	Login     string    `gorm:"size:40;uniqueIndex"`
	Name      string    `gorm:"size:40;index"`
	Touched   time.Time `gorm:"type:datetime(3);default:CURRENT_TIMESTAMP(3);autoUpdateTime:false;autoCreateTime:false"`
	Modified  time.Time `gorm:"type:timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3);autoUpdateTime:false;autoCreateTime:false;->"`
	Bio       string    `gorm:"type:text"`
	CreatedAt time.Time
}

func TestGORMMoreTableOptions(t *testing.T) {
	db, _ := gormOpen(t, nil)
	opt := db.Set("gorm:table_options", "ENGINE=InnoDB AUTO_INCREMENT=1000 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='the users'")
	must(t, opt.AutoMigrate(&tOptUser{}))
	// (No check that migrating again is a no-op: GORM re-alters a column
	// whose NOT NULL and DEFAULT are in its type tag, on MySQL too.)
	tt, err := db.Migrator().TableType(&tOptUser{})
	must(t, err)
	comment, _ := tt.Comment()
	gormDiff(t, "table comment", "the users", comment)

	u := tOptUser{Login: "Ann", Name: "ann smith"}
	must(t, db.Create(&u).Error)
	gormDiff(t, "AUTO_INCREMENT=1000", uint64(1000), u.ID)
	// The default collation is case-insensitive, in unique keys too.
	if err := db.Create(&tOptUser{Login: "ANN", Name: "dup"}).Error; err == nil {
		t.Errorf("duplicate login accepted")
	}
	var n int64
	must(t, db.Model(&tOptUser{}).Where("name = ?", "ANN SMITH").Count(&n).Error)
	gormDiff(t, "default collation compare", int64(1), n)

	// ON UPDATE CURRENT_TIMESTAMP(3) moves with an update.
	var before tOptUser
	must(t, db.First(&before, u.ID).Error)
	if d := time.Since(before.Modified); d < -time.Minute || d > time.Minute {
		t.Errorf("DEFAULT CURRENT_TIMESTAMP(3) on timestamp gave %v", before.Modified)
	}
	time.Sleep(5 * time.Millisecond)
	must(t, db.Model(&tOptUser{}).Where("id = ?", u.ID).UpdateColumn("bio", "hi").Error)
	var after tOptUser
	must(t, db.First(&after, u.ID).Error)
	if !after.Modified.After(before.Modified) {
		t.Errorf("ON UPDATE CURRENT_TIMESTAMP did not move: %v -> %v", before.Modified, after.Modified)
	}
	gormDiff(t, "touched stays", before.Touched, after.Touched)

}

// TestGORMMorePreparedTransactions: nested transactions and savepoints
// with PrepareStmt (GORM prepares on the transaction's connection and
// drops its statements around savepoints).
func TestGORMMorePreparedTransactions(t *testing.T) {
	db, _ := gormOpen(t, &gorm.Config{PrepareStmt: true})
	must(t, db.AutoMigrate(&uStock{}))
	for round := 0; round < 3; round++ {
		must(t, db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&uStock{SKU: fmt.Sprintf("a%d", round), Qty: round}).Error; err != nil {
				return err
			}
			_ = tx.Transaction(func(tx2 *gorm.DB) error {
				if err := tx2.Create(&uStock{SKU: fmt.Sprintf("b%d", round)}).Error; err != nil {
					return err
				}
				return errors.New("undo")
			})
			if err := tx.Transaction(func(tx2 *gorm.DB) error {
				return tx2.Model(&uStock{}).Where("sku = ?", fmt.Sprintf("a%d", round)).Update("qty", gorm.Expr("qty + 100")).Error
			}); err != nil {
				return err
			}
			tx.SavePoint("sp")
			tx.Create(&uStock{SKU: fmt.Sprintf("c%d", round)})
			tx.RollbackTo("sp")
			return tx.Error
		}))
	}
	var got []uStock
	must(t, db.Order("sku").Find(&got).Error)
	var desc []string
	for _, s := range got {
		desc = append(desc, fmt.Sprintf("%s=%d", s.SKU, s.Qty))
	}
	gormDiff(t, "prepared nested", []string{"a0=100", "a1=101", "a2=102"}, desc)
	// A duplicate through a prepared statement is an ordinary error.
	err := db.Create(&uStock{SKU: "a0"}).Error
	var de *bxdb.Error
	if !errors.As(err, &de) || de.Number != 1062 {
		t.Errorf("prepared duplicate: %v", err)
	}
}

// TestGORMMoreLargeValues: multi-megabyte BLOB and TEXT values, and a
// CreateInBatches of wide rows, round-trip exactly.
func TestGORMMoreLargeValues(t *testing.T) {
	db, _ := gormOpen(t, nil)
	type lFile struct {
		ID   uint
		Name string `gorm:"size:50"`
		Data []byte `gorm:"type:longblob"`
		Text string `gorm:"type:longtext"`
	}
	must(t, db.AutoMigrate(&lFile{}))
	big := make([]byte, 5<<20)
	for i := range big {
		big[i] = byte(i*7 + i>>8)
	}
	text := strings.Repeat("ünïcødé ", 300000)
	f := lFile{Name: "big", Data: big, Text: text}
	must(t, db.Create(&f).Error)
	var got lFile
	must(t, db.First(&got, f.ID).Error)
	if string(got.Data) != string(big) || got.Text != text {
		t.Errorf("large values differ: %d/%d bytes, %d/%d chars", len(got.Data), len(big), len(got.Text), len(text))
	}
	var l struct {
		B int64
		C int64
	}
	must(t, db.Raw("SELECT LENGTH(data) AS b, CHAR_LENGTH(text) AS c FROM l_files WHERE id = ?", f.ID).Scan(&l).Error)
	gormDiff(t, "lengths", []int64{5 << 20, int64(len([]rune(text)))}, []int64{l.B, l.C})
	var rows []lFile
	for i := 0; i < 200; i++ {
		rows = append(rows, lFile{Name: fmt.Sprintf("f%03d", i), Data: big[:10000+i], Text: text[:2000]})
	}
	must(t, db.CreateInBatches(&rows, 50).Error)
	var sum int64
	must(t, db.Model(&lFile{}).Where("name LIKE ?", "f%").Select("SUM(LENGTH(data))").Scan(&sum).Error)
	gormDiff(t, "batch bytes", int64(200*10000+199*200/2), sum)
}

// --- GORM: enforced foreign keys -------------------------------------------------

type fkAuthor struct {
	ID    uint
	Name  string   `gorm:"size:40"`
	Books []fkBook `gorm:"foreignKey:AuthorID;constraint:OnDelete:CASCADE,OnUpdate:CASCADE"`
	Notes []fkNote `gorm:"foreignKey:AuthorID;constraint:OnUpdate:CASCADE,OnDelete:SET NULL"`
}

type fkBook struct {
	ID       uint
	Title    string `gorm:"size:40"`
	AuthorID uint
}

type fkNote struct {
	ID       uint
	Text     string `gorm:"size:40"`
	AuthorID *uint
}

type fkReview struct {
	ID     uint
	BookID uint
	Book   fkBook // belongs to, default action: RESTRICT / NO ACTION
	Stars  int
}

// TestGORMForeignKeys: GORM's constraint tags create enforced foreign keys;
// deleting a parent cascades or sets NULL, an orphan or a referenced
// parent is refused with 1452 / 1451, which TranslateError maps to
// gorm.ErrForeignKeyViolated.
func TestGORMForeignKeys(t *testing.T) {
	db, _ := gormOpen(t, &gorm.Config{TranslateError: true})
	must(t, db.AutoMigrate(&fkAuthor{}, &fkBook{}, &fkNote{}, &fkReview{}))
	ann := fkAuthor{Name: "ann", Books: []fkBook{{Title: "a1"}, {Title: "a2"}}, Notes: []fkNote{{Text: "n1"}}}
	bob := fkAuthor{Name: "bob", Books: []fkBook{{Title: "b1"}}}
	must(t, db.Create(&ann).Error)
	must(t, db.Create(&bob).Error)
	must(t, db.Create(&fkReview{BookID: bob.Books[0].ID, Stars: 5}).Error)

	// A child without parent.
	err := db.Create(&fkBook{Title: "orphan", AuthorID: 99}).Error
	if !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("orphan insert: %v, want gorm.ErrForeignKeyViolated", err)
	}
	// A parent still referenced through a RESTRICT key (bob's book).
	err = db.Delete(&fkBook{}, bob.Books[0].ID).Error
	if !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("referenced delete: %v, want gorm.ErrForeignKeyViolated", err)
	}
	// Untranslated, the driver's error carries MySQL's number.
	raw, _ := gormOpen(t, nil)
	must(t, raw.AutoMigrate(&fkAuthor{}, &fkBook{}))
	var me *bxdb.Error
	if err := raw.Create(&fkBook{Title: "orphan", AuthorID: 7}).Error; !errors.As(err, &me) || me.Number != 1452 {
		t.Fatalf("untranslated orphan insert: %v, want Error 1452", err)
	}

	// ON UPDATE CASCADE follows a changed key.
	must(t, db.Model(&fkAuthor{}).Where("id = ?", ann.ID).Update("id", 10).Error)
	var books []fkBook
	must(t, db.Order("id").Find(&books).Error)
	gormDiff(t, "books after key update", []fkBook{{ID: 1, Title: "a1", AuthorID: 10}, {ID: 2, Title: "a2", AuthorID: 10}, {ID: 3, Title: "b1", AuthorID: bob.ID}}, books)

	// ON DELETE CASCADE and SET NULL.
	must(t, db.Delete(&fkAuthor{}, 10).Error)
	books = nil
	must(t, db.Order("id").Find(&books).Error)
	gormDiff(t, "books after cascade", []fkBook{{ID: 3, Title: "b1", AuthorID: bob.ID}}, books)
	var notes []fkNote
	must(t, db.Find(&notes).Error)
	gormDiff(t, "notes after set null", []fkNote{{ID: 1, Text: "n1"}}, notes)

	// The cascade reaching a RESTRICT key fails as a whole.
	err = db.Delete(&fkAuthor{}, bob.ID).Error
	if !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("cascade into restrict: %v, want gorm.ErrForeignKeyViolated", err)
	}
	var n int64
	must(t, db.Model(&fkBook{}).Count(&n).Error)
	gormDiff(t, "books after failed cascade", int64(1), n)

	// The migrator drops referenced tables (it turns the checks off).
	must(t, db.Migrator().DropTable(&fkAuthor{}))
	if db.Migrator().HasTable(&fkAuthor{}) {
		t.Fatal("fk_authors survived DropTable")
	}
}

// TestGORMForeignKeysQA: a second AutoMigrate finds the constraints and
// changes nothing; associations replaced, cleared and deleted with
// Select(clause.Associations) keep the keys satisfied.
func TestGORMForeignKeysQA(t *testing.T) {
	db, _ := gormOpen(t, &gorm.Config{TranslateError: true})
	models := []any{&fkAuthor{}, &fkBook{}, &fkNote{}, &fkReview{}}
	must(t, db.AutoMigrate(models...))
	type fkRow struct {
		ConstraintName, UniqueConstraintName, UpdateRule, DeleteRule, TableName, ReferencedTableName string
	}
	var before, after []fkRow
	q := "SELECT constraint_name, unique_constraint_name, update_rule, delete_rule, table_name, referenced_table_name FROM information_schema.referential_constraints ORDER BY constraint_name"
	must(t, db.Raw(q).Scan(&before).Error)
	must(t, db.AutoMigrate(models...))
	must(t, db.Raw(q).Scan(&after).Error)
	gormDiff(t, "constraints after a second AutoMigrate", before, after)
	gormDiff(t, "constraints", []fkRow{
		{"fk_fk_authors_books", "PRIMARY", "CASCADE", "CASCADE", "fk_books", "fk_authors"},
		{"fk_fk_authors_notes", "PRIMARY", "CASCADE", "SET NULL", "fk_notes", "fk_authors"},
		{"fk_fk_reviews_book", "PRIMARY", "NO ACTION", "NO ACTION", "fk_reviews", "fk_books"},
	}, after)
	for _, c := range []struct {
		model any
		name  string
	}{{&fkAuthor{}, "Books"}, {&fkAuthor{}, "Notes"}, {&fkReview{}, "Book"}, {&fkReview{}, "fk_fk_reviews_book"}} {
		if !db.Migrator().HasConstraint(c.model, c.name) {
			t.Errorf("HasConstraint(%T, %s) = false", c.model, c.name)
		}
	}

	ann := fkAuthor{Name: "ann", Books: []fkBook{{Title: "a1"}, {Title: "a2"}}, Notes: []fkNote{{Text: "n1"}}}
	must(t, db.Create(&ann).Error)
	// Replace and Clear set the old children's keys to NULL.
	must(t, db.Model(&ann).Association("Notes").Replace([]fkNote{{Text: "n2"}}))
	must(t, db.Model(&ann).Association("Books").Replace([]fkBook{{Title: "a3"}}))
	var n int64
	must(t, db.Model(&fkBook{}).Where("author_id = ?", ann.ID).Count(&n).Error)
	gormDiff(t, "books of ann after Replace", int64(1), n)
	must(t, db.Model(&ann).Association("Notes").Clear())
	must(t, db.Model(&fkNote{}).Where("author_id IS NOT NULL").Count(&n).Error)
	gormDiff(t, "notes with an author after Clear", int64(0), n)
	// A child pointing at a missing author cannot be appended.
	err := db.Create(&fkNote{Text: "lost", AuthorID: new(uint(999))}).Error
	if !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("orphan note: %v, want gorm.ErrForeignKeyViolated", err)
	}

	// Select(clause.Associations).Delete removes the children first.
	bob := fkAuthor{Name: "bob", Books: []fkBook{{Title: "b1"}}, Notes: []fkNote{{Text: "bn"}}}
	must(t, db.Create(&bob).Error)
	must(t, db.Select(clause.Associations).Delete(&bob).Error)
	must(t, db.Model(&fkBook{}).Where("title = ?", "b1").Count(&n).Error)
	gormDiff(t, "bob's books", int64(0), n)
	must(t, db.Model(&fkNote{}).Where("text = ?", "bn").Count(&n).Error)
	gormDiff(t, "bob's notes", int64(0), n)
}
