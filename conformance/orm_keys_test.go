package conformance

// GORM and bun programs over keys that are not the surrogate id: a
// has-many by a unique code, a many2many whose join table holds codes
// (joinForeignKey / joinReferences), a has-many by a composite key, index
// tags with prefix lengths, descending parts and comments, and bun
// migrations in transactional SQL files. Results are compared exactly.

import (
	"context"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/uptrace/bun/migrate"
	"gorm.io/gorm"
)

type kMember struct {
	ID     uint
	Number string    `gorm:"size:20;uniqueIndex"`
	Name   string    `gorm:"size:20"`
	Cards  []kCard   `gorm:"foreignKey:OwnerNumber;references:Number"`
	Groups []kGroup  `gorm:"many2many:k_member_groups;foreignKey:Number;joinForeignKey:MemberNumber;references:Code;joinReferences:GroupCode"`
	Pals   []kMember `gorm:"many2many:k_member_pals"`
}

type kCard struct {
	ID          uint
	OwnerNumber string `gorm:"size:20"`
	Last4       string `gorm:"size:4"`
}

type kGroup struct {
	ID   uint
	Code string `gorm:"size:10;uniqueIndex"`
	Name string `gorm:"size:20"`
}

type kShipment struct {
	Region string      `gorm:"primaryKey;size:5"`
	Num    int         `gorm:"primaryKey;autoIncrement:false"`
	Lines  []kShipLine `gorm:"foreignKey:Region,Num;references:Region,Num"`
}

type kShipLine struct {
	ID     uint
	Region string `gorm:"size:5"`
	Num    int
	Sku    string `gorm:"size:5"`
}

type kIndexed struct {
	ID    uint
	Price int    `gorm:"index:idx_pq,priority:1,sort:desc"`
	Qty   int    `gorm:"index:idx_pq,priority:2"`
	Slug  string `gorm:"size:200;index:idx_slug,length:10,comment:slug prefix"`
	A     string `gorm:"size:20;index:uq_ab,unique"`
	B     string `gorm:"size:20;index:uq_ab,unique"`
}

func TestORMKeysGORM(t *testing.T) {
	db, _ := gormOpen(t, nil)
	models := []any{&kMember{}, &kCard{}, &kGroup{}, &kShipment{}, &kShipLine{}, &kIndexed{}}
	must(t, db.AutoMigrate(models...))
	var stmts []string
	must(t, db.Session(&gorm.Session{Logger: &gormRecorder{stmts: &stmts}}).AutoMigrate(models...))
	for _, s := range stmts {
		if u := strings.ToUpper(s); strings.HasPrefix(u, "ALTER") || strings.HasPrefix(u, "CREATE") {
			t.Errorf("second AutoMigrate issued DDL: %s", s)
		}
	}

	// The join table holds the codes, not the ids.
	ann := kMember{Number: "M1", Name: "ann", Cards: []kCard{{Last4: "1111"}, {Last4: "2222"}}, Groups: []kGroup{{Code: "g1", Name: "G1"}}}
	bob := kMember{Number: "M2", Name: "bob", Groups: []kGroup{{Code: "g2", Name: "G2"}}}
	must(t, db.Create(&ann).Error)
	must(t, db.Create(&bob).Error)
	must(t, db.Model(&ann).Association("Pals").Append(&bob))
	type link struct{ MemberNumber, GroupCode string }
	var links []link
	must(t, db.Table("k_member_groups").Order("member_number").Find(&links).Error)
	gormDiff(t, "join rows", []link{{"M1", "g1"}, {"M2", "g2"}}, links)

	var got kMember
	must(t, db.Preload("Cards", func(tx *gorm.DB) *gorm.DB { return tx.Order("last4") }).Preload("Groups").Preload("Pals.Cards").First(&got, "number = ?", "M1").Error)
	gormDiff(t, "preloaded", kMember{ID: 1, Number: "M1", Name: "ann",
		Cards:  []kCard{{ID: 1, OwnerNumber: "M1", Last4: "1111"}, {ID: 2, OwnerNumber: "M1", Last4: "2222"}},
		Groups: []kGroup{{ID: 1, Code: "g1", Name: "G1"}},
		Pals:   []kMember{{ID: 2, Number: "M2", Name: "bob", Cards: []kCard{}}}}, got)

	must(t, db.Model(&got).Association("Groups").Replace([]kGroup{{Code: "g3", Name: "G3"}}))
	gormDiff(t, "groups after Replace", int64(1), db.Model(&got).Association("Groups").Count())
	links = nil
	must(t, db.Table("k_member_groups").Order("member_number").Find(&links).Error)
	gormDiff(t, "join rows after Replace", []link{{"M1", "g3"}, {"M2", "g2"}}, links)

	// A has-many by a composite key.
	must(t, db.Create(&[]kShipment{
		{Region: "EU", Num: 1, Lines: []kShipLine{{Sku: "a"}, {Sku: "b"}}},
		{Region: "US", Num: 1, Lines: []kShipLine{{Sku: "c"}}},
	}).Error)
	var ships []kShipment
	must(t, db.Preload("Lines", func(tx *gorm.DB) *gorm.DB { return tx.Order("id") }).Order("region").Find(&ships).Error)
	gormDiff(t, "composite preload", []kShipment{
		{Region: "EU", Num: 1, Lines: []kShipLine{{ID: 1, Region: "EU", Num: 1, Sku: "a"}, {ID: 2, Region: "EU", Num: 1, Sku: "b"}}},
		{Region: "US", Num: 1, Lines: []kShipLine{{ID: 3, Region: "US", Num: 1, Sku: "c"}}},
	}, ships)
	must(t, db.Model(&ships[0]).Association("Lines").Delete(&ships[0].Lines[0]))
	gormDiff(t, "EU lines", int64(1), db.Model(&ships[0]).Association("Lines").Count())
	gormDiff(t, "US lines", int64(1), db.Model(&ships[1]).Association("Lines").Count())

	// Index tags as information_schema.STATISTICS shows them.
	type stat struct {
		IndexName  string
		SeqInIndex int
		ColumnName string
		Collation  string
		SubPart    *int
		NonUnique  int
		Comment    string `gorm:"column:index_comment"`
	}
	var stats []stat
	must(t, db.Raw("SELECT index_name, seq_in_index, column_name, collation, sub_part, non_unique, index_comment FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'k_indexeds' ORDER BY index_name, seq_in_index").Scan(&stats).Error)
	gormDiff(t, "statistics", []stat{
		{"idx_pq", 1, "price", "D", nil, 1, ""},
		{"idx_pq", 2, "qty", "A", nil, 1, ""},
		{"idx_slug", 1, "slug", "A", ptr(10), 1, "slug prefix"},
		// (Index names compare without case, as MySQL's do.)
		{"PRIMARY", 1, "id", "A", nil, 0, ""},
		{"uq_ab", 1, "a", "A", nil, 0, ""},
		{"uq_ab", 2, "b", "A", nil, 0, ""},
	}, stats)
	must(t, db.Create(&kIndexed{Price: 1, Qty: 2, Slug: strings.Repeat("s", 150), A: "x", B: "y"}).Error)
	if err := db.Create(&kIndexed{A: "x", B: "y"}).Error; !strings.Contains(errText(err), "Error 1062 (23000): Duplicate entry 'x-y' for key 'k_indexeds.uq_ab'") {
		t.Errorf("duplicate composite unique key: %v", err)
	}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestORMKeysBunMigrations(t *testing.T) {
	db := bunOpen(t)
	ctx := context.Background()
	ms := migrate.NewMigrations()
	must(t, ms.Discover(fstest.MapFS{
		"20240101000000_notes.tx.up.sql":   {Data: []byte("CREATE TABLE k_notes (id INT PRIMARY KEY, body VARCHAR(20) NOT NULL);\n--bun:split\nINSERT INTO k_notes VALUES (1, 'a'), (2, 'b');")},
		"20240101000000_notes.tx.down.sql": {Data: []byte("DROP TABLE k_notes")},
		"20240102000000_tags.up.sql":       {Data: []byte("ALTER TABLE k_notes ADD tag VARCHAR(10) NOT NULL DEFAULT 'none'")},
		"20240102000000_tags.down.sql":     {Data: []byte("ALTER TABLE k_notes DROP COLUMN tag")},
	}))
	m := migrate.NewMigrator(db, ms, migrate.WithMarkAppliedOnSuccess(true))
	must(t, m.Init(ctx))
	group, err := m.Migrate(ctx)
	must(t, err)
	gormDiff(t, "group", "group #1 (20240101000000_notes, 20240102000000_tags)", group.String())
	var rows []struct {
		ID   int
		Body string
		Tag  string
	}
	must(t, db.NewRaw("SELECT id, body, tag FROM k_notes ORDER BY id").Scan(ctx, &rows))
	gormDiff(t, "rows", 2, len(rows))
	gormDiff(t, "tag", "none", rows[1].Tag)
	st, err := m.MigrationsWithStatus(ctx)
	must(t, err)
	gormDiff(t, "unapplied", 0, len(st.Unapplied()))
	group, err = m.Rollback(ctx)
	must(t, err)
	gormDiff(t, "rolled back", 2, len(group.Migrations))
	var tables []string
	must(t, db.NewRaw("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name").Scan(ctx, &tables))
	gormDiff(t, "tables after rollback", []string{"bun_migration_locks", "bun_migrations"}, tables)
	// A nop migration marks them applied without running them.
	group, err = m.Migrate(ctx, migrate.WithNopMigration())
	must(t, err)
	gormDiff(t, "nop group", 2, len(group.Migrations))
	applied, err := m.AppliedMigrations(ctx)
	must(t, err)
	var names []string
	for _, a := range applied {
		names = append(names, a.Name)
	}
	sort.Strings(names)
	gormDiff(t, "applied", []string{"20240101000000", "20240102000000"}, names)
}
