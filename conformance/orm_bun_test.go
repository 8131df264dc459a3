package conformance

// bun (github.com/uptrace/bun with its mysqldialect) programs against
// bxdb: tables created from models, inserts that read back auto-increment
// keys, selects, counts, updates, deletes, relations, transactions and
// bulk updates. Results are compared with the exact expected contents.

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/mysqldialect"
	"github.com/uptrace/bun/migrate"

	bxdb "github.com/bxdb/bxdb/driver"
)

type bUser struct {
	bun.BaseModel `bun:"table:b_users,alias:u"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Name      string    `bun:"name,notnull"`
	Email     string    `bun:"email,unique"`
	Age       int       `bun:"age"`
	Bio       *string   `bun:"bio"`
	Active    bool      `bun:"active,notnull,default:true"`
	Balance   float64   `bun:"balance"`
	CreatedAt time.Time `bun:"created_at,notnull,default:current_timestamp"`
	Tags      []string  `bun:"tags,type:json"`

	Posts   []*bPost  `bun:"rel:has-many,join:id=user_id"`
	Profile *bProfile `bun:"rel:has-one,join:id=user_id"`
}

type bProfile struct {
	bun.BaseModel `bun:"table:b_profiles,alias:pr"`

	ID     int64  `bun:",pk,autoincrement"`
	UserID int64  `bun:",unique"`
	Lang   string `bun:",type:varchar(8)"`
}

type bPost struct {
	bun.BaseModel `bun:"table:b_posts,alias:p"`

	ID     int64 `bun:",pk,autoincrement"`
	UserID int64
	Title  string `bun:",notnull"`
	Score  float64
	Author *bUser `bun:"rel:belongs-to,join:user_id=id"`
}

func bunOpen(t *testing.T) *bun.DB {
	t.Helper()
	sqldb, err := sql.Open("bxdb", filepath.Join(t.TempDir(), "bun.bxdb"))
	if err != nil {
		t.Fatal(err)
	}
	db := bun.NewDB(sqldb, mysqldialect.New())
	t.Cleanup(func() { db.Close() })
	return db
}

func bunSetup(t *testing.T, db *bun.DB) {
	t.Helper()
	ctx := context.Background()
	for _, m := range []any{(*bUser)(nil), (*bProfile)(nil), (*bPost)(nil)} {
		if _, err := db.NewCreateTable().Model(m).IfNotExists().Exec(ctx); err != nil {
			t.Fatalf("create table %T: %v", m, err)
		}
		// A second time is a no-op with IfNotExists ...
		if _, err := db.NewCreateTable().Model(m).IfNotExists().Exec(ctx); err != nil {
			t.Fatalf("create table %T again: %v", m, err)
		}
	}
	// ... and an error without it.
	_, err := db.NewCreateTable().Model((*bUser)(nil)).Exec(ctx)
	var de *bxdb.Error
	if !errors.As(err, &de) || de.Number != 1050 {
		t.Errorf("CREATE TABLE of an existing table: %v, want error 1050", err)
	}
	if _, err := db.NewCreateIndex().Model((*bPost)(nil)).Index("idx_posts_user").Column("user_id", "title").Exec(ctx); err != nil {
		t.Fatalf("create index: %v", err)
	}
}

var bunT0 = time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)

func TestBunCRUD(t *testing.T) {
	db := bunOpen(t)
	ctx := context.Background()
	bunSetup(t, db)

	// Single insert: the auto-increment id comes back into the model.
	u1 := &bUser{Name: "ann", Email: "ann@x", Age: 31, Bio: ptr("hello"), Active: true, Balance: 1.25, CreatedAt: bunT0, Tags: []string{"a", "b"}}
	res, err := db.NewInsert().Model(u1).Exec(ctx)
	must(t, err)
	gormDiff(t, "u1.ID", int64(1), u1.ID)
	if n, _ := res.RowsAffected(); n != 1 {
		t.Errorf("RowsAffected = %d", n)
	}

	// Slice insert: every id comes back.
	more := []*bUser{
		{Name: "bob", Email: "bob@x", Age: 25, Active: true, CreatedAt: bunT0.Add(time.Hour)},
		{Name: "cy", Email: "cy@x", Age: 40, Active: true, Balance: -7, CreatedAt: bunT0.Add(2 * time.Hour), Tags: []string{}},
		{Name: "di", Email: "di@x", Age: 19, CreatedAt: bunT0.Add(3 * time.Hour)},
	}
	_, err = db.NewInsert().Model(&more).Exec(ctx)
	must(t, err)
	gormDiff(t, "slice ids", []int64{2, 3, 4}, []int64{more[0].ID, more[1].ID, more[2].ID})
	// bun sends DEFAULT for di's zero Active: the column's default, true.
	more[2].Active = true

	// The database default for a zero value left out.
	_, err = db.NewInsert().Model(&bUser{Name: "ed", Email: "ed@x", Active: true}).ExcludeColumn("created_at").Exec(ctx)
	must(t, err)
	var created time.Time
	must(t, db.NewSelect().Model((*bUser)(nil)).Column("created_at").Where("name = ?", "ed").Scan(ctx, &created))
	if d := time.Since(created); d < -time.Minute || d > time.Minute {
		t.Errorf("DEFAULT CURRENT_TIMESTAMP gave %v", created)
	}
	_, err = db.NewDelete().Model((*bUser)(nil)).Where("name = ?", "ed").Exec(ctx)
	must(t, err)

	users := []*bUser{u1, more[0], more[1], more[2]}

	// Select into a struct by primary key, and into a slice.
	got := new(bUser)
	must(t, db.NewSelect().Model(got).Where("id = ?", 1).Scan(ctx))
	gormDiff(t, "select by pk", u1, got)
	var all []*bUser
	must(t, db.NewSelect().Model(&all).Order("id ASC").Scan(ctx))
	gormDiff(t, "select all", users, all, cmpopts.EquateEmpty())

	// Where / WhereOr / WhereGroup / In / Limit / Offset / Order.
	var sel []*bUser
	must(t, db.NewSelect().Model(&sel).
		Where("age > ?", 20).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("balance < ?", 0).WhereOr("name = ?", "ann")
		}).Order("age DESC").Scan(ctx))
	gormDiff(t, "where group", []*bUser{more[1], u1}, sel, cmpopts.EquateEmpty())
	sel = nil
	must(t, db.NewSelect().Model(&sel).Where("name IN (?)", bun.In([]string{"bob", "di", "zz"})).OrderExpr("name DESC").Scan(ctx))
	gormDiff(t, "In", []*bUser{more[2], more[0]}, sel, cmpopts.EquateEmpty())
	sel = nil
	must(t, db.NewSelect().Model(&sel).Order("age ASC").Limit(2).Offset(1).Scan(ctx))
	gormDiff(t, "limit/offset", []*bUser{more[0], u1}, sel, cmpopts.EquateEmpty())

	// Count, ScanAndCount, Exists.
	n, err := db.NewSelect().Model((*bUser)(nil)).Where("active").Count(ctx)
	must(t, err)
	gormDiff(t, "Count", int64(4), n)
	sel = nil
	n, err = db.NewSelect().Model(&sel).Order("id").Limit(2).ScanAndCount(ctx)
	must(t, err)
	gormDiff(t, "ScanAndCount total", int64(4), n)
	gormDiff(t, "ScanAndCount rows", users[:2], sel, cmpopts.EquateEmpty())
	ok, err := db.NewSelect().Model((*bUser)(nil)).Where("email = ?", "cy@x").Exists(ctx)
	must(t, err)
	gormDiff(t, "Exists", true, ok)

	// Column selection into scalars and into a custom struct; aggregates.
	var names []string
	must(t, db.NewSelect().Model((*bUser)(nil)).Column("name").Order("name").Scan(ctx, &names))
	gormDiff(t, "names", []string{"ann", "bob", "cy", "di"}, names)
	var stats struct {
		N   int
		Sum float64
		Max int
	}
	must(t, db.NewSelect().Model((*bUser)(nil)).ColumnExpr("COUNT(*) AS n, SUM(balance) AS sum, MAX(age) AS max").Scan(ctx, &stats))
	gormDiff(t, "aggregates", struct {
		N   int
		Sum float64
		Max int
	}{4, -5.75, 40}, stats)

	// Update by primary key, with Set, and of a slice of columns.
	u1.Age, u1.Bio = 32, nil
	_, err = db.NewUpdate().Model(u1).WherePK().Exec(ctx)
	must(t, err)
	res, err = db.NewUpdate().Model((*bUser)(nil)).Set("balance = balance + ?", 10).Set("active = ?", true).Where("age < ?", 30).Exec(ctx)
	must(t, err)
	if n, _ := res.RowsAffected(); n != 2 {
		t.Errorf("update RowsAffected = %d, want 2", n)
	}
	more[0].Balance, more[2].Balance = 10, 10
	more[1].Name = "cyrus"
	_, err = db.NewUpdate().Model(more[1]).Column("name").WherePK().Exec(ctx)
	must(t, err)
	all = nil
	must(t, db.NewSelect().Model(&all).Order("id").Scan(ctx))
	gormDiff(t, "after updates", users, all, cmpopts.EquateEmpty())

	// Bulk update of a slice (a CTE of VALUES rows joined to the table).
	more[0].Age, more[2].Age = 26, 20
	more[0].Name, more[2].Name = "bobby", "diana"
	_, err = db.NewUpdate().Model(&[]*bUser{more[0], more[2]}).Column("name", "age").Bulk().Exec(ctx)
	must(t, err)
	all = nil
	must(t, db.NewSelect().Model(&all).Order("id").Scan(ctx))
	gormDiff(t, "after bulk update", users, all, cmpopts.EquateEmpty())

	// Delete by primary key and with a condition.
	_, err = db.NewDelete().Model(more[2]).WherePK().Exec(ctx)
	must(t, err)
	res, err = db.NewDelete().Model((*bUser)(nil)).Where("balance < ?", 0).Exec(ctx)
	must(t, err)
	if n, _ := res.RowsAffected(); n != 1 {
		t.Errorf("delete RowsAffected = %d", n)
	}
	all = nil
	must(t, db.NewSelect().Model(&all).Order("id").Scan(ctx))
	gormDiff(t, "after deletes", []*bUser{u1, more[0]}, all, cmpopts.EquateEmpty())
	if err := db.NewSelect().Model(new(bUser)).Where("id = ?", 3).Scan(ctx); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("select of a deleted row: %v", err)
	}

	// Insert ... ON DUPLICATE KEY UPDATE, and INSERT IGNORE.
	_, err = db.NewInsert().Model(&bUser{ID: 1, Name: "ann2", Email: "ann@x", Active: true, CreatedAt: bunT0}).
		On("DUPLICATE KEY UPDATE name = VALUES(name)").Exec(ctx)
	must(t, err)
	_, err = db.NewInsert().Model(&bUser{Name: "dup", Email: "bob@x", CreatedAt: bunT0}).Ignore().Exec(ctx)
	must(t, err)
	must(t, db.NewSelect().Model((*bUser)(nil)).Column("name").Order("id").Scan(ctx, &names))
	gormDiff(t, "after upsert", []string{"ann2", "bobby"}, names)

	// Raw queries.
	var raw []struct {
		Name string
		Age  int
	}
	must(t, db.NewRaw("SELECT name, age FROM ? WHERE age > ? ORDER BY age", bun.Ident("b_users"), 20).Scan(ctx, &raw))
	gormDiff(t, "raw", []struct {
		Name string
		Age  int
	}{{"bobby", 26}, {"ann2", 32}}, raw)

	// Truncate and drop.
	_, err = db.NewTruncateTable().Model((*bPost)(nil)).Exec(ctx)
	must(t, err)
	for _, m := range []any{(*bPost)(nil), (*bProfile)(nil), (*bUser)(nil)} {
		_, err := db.NewDropTable().Model(m).IfExists().Exec(ctx)
		must(t, err)
	}
	_, err = db.NewDropTable().Model((*bUser)(nil)).IfExists().Exec(ctx)
	must(t, err)
	var tables []string
	must(t, db.NewRaw("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()").Scan(ctx, &tables))
	gormDiff(t, "tables after drop", []string(nil), tables, cmpopts.EquateEmpty())
}

func TestBunRelationsAndTx(t *testing.T) {
	db := bunOpen(t)
	ctx := context.Background()
	bunSetup(t, db)

	users := []*bUser{
		{Name: "ann", Email: "ann@x", Active: true, CreatedAt: bunT0},
		{Name: "bob", Email: "bob@x", Active: true, CreatedAt: bunT0},
	}
	must(t, db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&users).Exec(ctx); err != nil {
			return err
		}
		posts := []*bPost{{UserID: users[0].ID, Title: "a1", Score: 1}, {UserID: users[0].ID, Title: "a2", Score: 2}, {UserID: users[1].ID, Title: "b1", Score: 3}}
		if _, err := tx.NewInsert().Model(&posts).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewInsert().Model(&bProfile{UserID: users[1].ID, Lang: "nl"}).Exec(ctx)
		return err
	}))

	// A failing transaction leaves nothing.
	errBoom := errors.New("boom")
	err := db.RunInTx(ctx, &sql.TxOptions{}, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&bPost{UserID: 1, Title: "lost"}).Exec(ctx); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("RunInTx: %v", err)
	}
	n, err := db.NewSelect().Model((*bPost)(nil)).Count(ctx)
	must(t, err)
	gormDiff(t, "posts after rollback", int64(3), n)

	// has-many and has-one.
	var us []*bUser
	must(t, db.NewSelect().Model(&us).
		Relation("Posts", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("p.id") }).
		Relation("Profile").
		Order("u.id").Scan(ctx))
	if len(us) != 2 {
		t.Fatalf("users: %d", len(us))
	}
	var titles [][]string
	for _, u := range us {
		var ts []string
		for _, p := range u.Posts {
			ts = append(ts, p.Title)
		}
		titles = append(titles, ts)
	}
	gormDiff(t, "has-many", [][]string{{"a1", "a2"}, {"b1"}}, titles)
	if us[0].Profile != nil || us[1].Profile == nil || us[1].Profile.Lang != "nl" {
		t.Errorf("has-one: %+v %+v", us[0].Profile, us[1].Profile)
	}

	// belongs-to (a JOIN).
	var posts []*bPost
	must(t, db.NewSelect().Model(&posts).Relation("Author").Where("p.score >= ?", 2).Order("p.id").Scan(ctx))
	var authors []string
	for _, p := range posts {
		if p.Author == nil {
			t.Fatalf("post %d has no author", p.ID)
		}
		authors = append(authors, p.Title+"/"+p.Author.Name)
	}
	gormDiff(t, "belongs-to", []string{"a2/ann", "b1/bob"}, authors)

	// Joins and group by in the query builder.
	var per []struct {
		Name  string
		N     int
		Total float64
	}
	must(t, db.NewSelect().TableExpr("b_users AS u").
		ColumnExpr("u.name, COUNT(p.id) AS n, COALESCE(SUM(p.score), 0) AS total").
		Join("LEFT JOIN b_posts AS p ON p.user_id = u.id").
		GroupExpr("u.name").Having("COUNT(p.id) > ?", 0).OrderExpr("u.name").Scan(ctx, &per))
	gormDiff(t, "group", []struct {
		Name  string
		N     int
		Total float64
	}{{"ann", 2, 3}, {"bob", 1, 3}}, per)

	// Subquery in WHERE.
	sub := db.NewSelect().Model((*bPost)(nil)).Column("user_id").Where("score > ?", 2)
	var subNames []string
	must(t, db.NewSelect().Model((*bUser)(nil)).Column("name").Where("id IN (?)", sub).Scan(ctx, &subNames))
	gormDiff(t, "subquery", []string{"bob"}, subNames)

	// Locking reads inside a transaction, and a manual Begin/Commit.
	tx, err := db.BeginTx(ctx, nil)
	must(t, err)
	u := new(bUser)
	must(t, tx.NewSelect().Model(u).Where("id = ?", 1).For("UPDATE").Scan(ctx))
	u.Age = 50
	_, err = tx.NewUpdate().Model(u).Column("age").WherePK().Exec(ctx)
	must(t, err)
	must(t, tx.Commit())
	var age int
	must(t, db.NewSelect().Model((*bUser)(nil)).Column("age").Where("id = 1").For("SHARE").Scan(ctx, &age))
	gormDiff(t, "age", 50, age)

	// Context cancellation.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.NewSelect().Model((*bUser)(nil)).Count(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled count: %v", err)
	}
}

type bTag struct {
	bun.BaseModel `bun:"table:b_tags,alias:t"`

	ID   int64  `bun:",pk,autoincrement"`
	Name string `bun:",unique,notnull"`
}

type bArticle struct {
	bun.BaseModel `bun:"table:b_articles,alias:a"`

	ID        int64     `bun:",pk,autoincrement"`
	Title     string    `bun:",notnull"`
	Rating    *int      `bun:",nullzero"`
	DeletedAt time.Time `bun:",soft_delete,nullzero"`
	Tags      []bTag    `bun:"m2m:b_article_tags,join:Article=Tag"`
}

type bArticleTag struct {
	bun.BaseModel `bun:"table:b_article_tags,alias:at"`

	ArticleID int64     `bun:",pk"`
	Article   *bArticle `bun:"rel:belongs-to,join:article_id=id"`
	TagID     int64     `bun:",pk"`
	Tag       *bTag     `bun:"rel:belongs-to,join:tag_id=id"`
}

func TestBunSoftDeleteM2MAndMigrations(t *testing.T) {
	db := bunOpen(t)
	ctx := context.Background()
	db.RegisterModel((*bArticleTag)(nil))
	for _, m := range []any{(*bTag)(nil), (*bArticle)(nil), (*bArticleTag)(nil)} {
		_, err := db.NewCreateTable().Model(m).WithForeignKeys().Exec(ctx)
		must(t, err)
	}
	tags := []bTag{{Name: "go"}, {Name: "db"}, {Name: "orm"}}
	_, err := db.NewInsert().Model(&tags).Exec(ctx)
	must(t, err)
	arts := []*bArticle{{Title: "one", Rating: ptr(5)}, {Title: "two"}}
	_, err = db.NewInsert().Model(&arts).Exec(ctx)
	must(t, err)
	links := []bArticleTag{{ArticleID: 1, TagID: 1}, {ArticleID: 1, TagID: 3}, {ArticleID: 2, TagID: 2}}
	_, err = db.NewInsert().Model(&links).Exec(ctx)
	must(t, err)

	// m2m relation.
	var got []bArticle
	must(t, db.NewSelect().Model(&got).Relation("Tags", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("t.id") }).Order("a.id").Scan(ctx))
	gormDiff(t, "m2m", []bArticle{
		{ID: 1, Title: "one", Rating: ptr(5), Tags: []bTag{{ID: 1, Name: "go"}, {ID: 3, Name: "orm"}}},
		{ID: 2, Title: "two", Tags: []bTag{{ID: 2, Name: "db"}}},
	}, got)

	// Soft delete: hidden from selects, visible WhereDeleted / WhereAllWithDeleted, then ForceDelete.
	_, err = db.NewDelete().Model(arts[1]).WherePK().Exec(ctx)
	must(t, err)
	n, err := db.NewSelect().Model((*bArticle)(nil)).Count(ctx)
	must(t, err)
	gormDiff(t, "count after soft delete", int64(1), n)
	var deleted []bArticle
	must(t, db.NewSelect().Model(&deleted).WhereDeleted().Scan(ctx))
	if len(deleted) != 1 || deleted[0].ID != 2 || deleted[0].DeletedAt.IsZero() {
		t.Errorf("WhereDeleted: %+v", deleted)
	}
	n, err = db.NewSelect().Model((*bArticle)(nil)).WhereAllWithDeleted().Count(ctx)
	must(t, err)
	gormDiff(t, "count with deleted", int64(2), n)
	// (Its tag link first: the foreign key refuses to orphan it.)
	_, err = db.NewDelete().Model((*bArticleTag)(nil)).Where("article_id = ?", arts[1].ID).Exec(ctx)
	must(t, err)
	_, err = db.NewDelete().Model(arts[1]).WherePK().ForceDelete().Exec(ctx)
	must(t, err)
	n, err = db.NewSelect().Model((*bArticle)(nil)).WhereAllWithDeleted().Count(ctx)
	must(t, err)
	gormDiff(t, "count after force delete", int64(1), n)

	// Foreign keys are recorded (and enforced) and visible in information_schema.
	var refs []string
	must(t, db.NewRaw("SELECT referenced_table_name FROM information_schema.key_column_usage WHERE table_schema = DATABASE() AND table_name = 'b_article_tags' AND referenced_table_name IS NOT NULL ORDER BY referenced_table_name").Scan(ctx, &refs))
	gormDiff(t, "foreign keys", []string{"b_articles", "b_tags"}, refs)

	// ALTER TABLE through the query builder.
	_, err = db.NewAddColumn().Model((*bTag)(nil)).ColumnExpr("color VARCHAR(10) NOT NULL DEFAULT 'red'").Exec(ctx)
	must(t, err)
	var colors []string
	must(t, db.NewSelect().Model((*bTag)(nil)).Column("color").Order("id").Scan(ctx, &colors))
	gormDiff(t, "added column", []string{"red", "red", "red"}, colors)
	_, err = db.NewDropColumn().Model((*bTag)(nil)).Column("color").Exec(ctx)
	must(t, err)
	_, err = db.NewCreateIndex().Model((*bArticle)(nil)).Unique().Index("ux_title").Column("title").Exec(ctx)
	must(t, err)
	_, err = db.NewInsert().Model(&bArticle{Title: "one"}).Exec(ctx)
	var de *bxdb.Error
	if !errors.As(err, &de) || de.Number != 1062 {
		t.Errorf("unique index: %v", err)
	}
	// bun writes DROP INDEX name without ON t, which bxdb accepts when the name is unambiguous.
	_, err = db.NewDropIndex().Model((*bArticle)(nil)).Index("ux_title").Exec(ctx)
	must(t, err)
	_, err = db.NewInsert().Model(&bArticle{Title: "one"}).Exec(ctx)
	must(t, err)
}

func TestBunMigrator(t *testing.T) {
	db := bunOpen(t)
	ctx := context.Background()
	migrations := migrate.NewMigrations()
	must(t, migrations.Discover(fstest.MapFS{
		"20240101000000_tags.up.sql":   {Data: []byte("CREATE TABLE b_tags (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(255) NOT NULL UNIQUE)\n--bun:split\nCREATE INDEX idx_tags_name ON b_tags (name)")},
		"20240101000000_tags.down.sql": {Data: []byte("DROP TABLE IF EXISTS b_tags")},
	}))
	m := migrate.NewMigrator(db, migrations)
	must(t, m.Init(ctx))
	must(t, m.Init(ctx)) // idempotent
	must(t, m.Lock(ctx))
	if err := m.Lock(ctx); err == nil {
		t.Errorf("second Lock succeeded")
	}
	group, err := m.Migrate(ctx)
	must(t, err)
	gormDiff(t, "migrated", 1, len(group.Migrations))
	must(t, m.Unlock(ctx))
	applied, err := m.AppliedMigrations(ctx)
	must(t, err)
	gormDiff(t, "applied", 1, len(applied))
	_, err = db.NewInsert().Model(&bTag{Name: "x"}).Exec(ctx)
	must(t, err)
	group, err = m.Rollback(ctx)
	must(t, err)
	gormDiff(t, "rolled back", 1, len(group.Migrations))
	var tables []string
	must(t, db.NewRaw("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name").Scan(ctx, &tables))
	gormDiff(t, "tables", []string{"bun_migration_locks", "bun_migrations"}, tables)
}
