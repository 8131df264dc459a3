package conformance

// A GORM program with a FULLTEXT index (the index tag's class:FULLTEXT):
// AutoMigrate creates it (and a second run issues no DDL), the migrator
// finds it, and searches in natural language and boolean mode return
// exactly the rows and relevance MySQL returns (the articles of MySQL's
// manual, 12.10.2).

import (
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"
)

type ftArticle struct {
	ID    uint   `gorm:"primaryKey"`
	Title string `gorm:"size:200;index:idx_ft_article,class:FULLTEXT"`
	Body  string `gorm:"type:text;index:idx_ft_article,class:FULLTEXT"`
}

func TestGORMFullText(t *testing.T) {
	db, _ := gormOpen(t, &gorm.Config{})
	must(t, db.AutoMigrate(&ftArticle{}))
	if !db.Migrator().HasIndex(&ftArticle{}, "idx_ft_article") {
		t.Fatal("HasIndex(idx_ft_article) = false after AutoMigrate")
	}
	var stmts []string
	must(t, db.Session(&gorm.Session{Logger: &gormRecorder{stmts: &stmts}}).AutoMigrate(&ftArticle{}))
	for _, s := range stmts {
		u := strings.ToUpper(strings.TrimSpace(s))
		if strings.HasPrefix(u, "ALTER") || strings.HasPrefix(u, "CREATE") || strings.HasPrefix(u, "DROP") {
			t.Errorf("second AutoMigrate issued DDL: %s", s)
		}
	}
	var show struct {
		Table       string `gorm:"column:Table"`
		CreateTable string `gorm:"column:Create Table"`
	}
	must(t, db.Raw("SHOW CREATE TABLE ft_articles").Scan(&show).Error)
	wantCreate := "CREATE TABLE `ft_articles` (\n" +
		"  `id` bigint unsigned NOT NULL AUTO_INCREMENT,\n" +
		"  `title` varchar(200) DEFAULT NULL,\n" +
		"  `body` text,\n" +
		"  PRIMARY KEY (`id`),\n" +
		"  FULLTEXT KEY `idx_ft_article` (`title`,`body`)\n" +
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci"
	gormDiff(t, "SHOW CREATE TABLE", wantCreate, show.CreateTable)

	arts := []ftArticle{
		{Title: "MySQL Tutorial", Body: "This database tutorial ..."},
		{Title: "How To Use MySQL", Body: "After you went through a ..."},
		{Title: "Optimizing Your Database", Body: "In this database tutorial ..."},
		{Title: "MySQL vs. YourSQL", Body: "When comparing databases ..."},
		{Title: "MySQL Security", Body: "When configured properly, MySQL ..."},
		{Title: "Database, Database, Database", Body: "database database database"},
		{Title: "1001 MySQL Tricks", Body: "1. Never run mysqld as root. 2. ..."},
		{Title: "MySQL Full-Text Indexes", Body: "MySQL fulltext indexes use a .."},
	}
	must(t, db.Create(&arts).Error)

	// Natural language mode in WHERE: by relevance, highest first.
	var found []ftArticle
	must(t, db.Where("MATCH (title, body) AGAINST (?)", "database").Find(&found).Error)
	var ids []uint
	for _, a := range found {
		ids = append(ids, a.ID)
	}
	gormDiff(t, "natural language search", []uint{6, 3, 1}, ids)

	type scored struct {
		ID    uint
		Score float64
	}
	var got []scored
	must(t, db.Model(&ftArticle{}).
		Select("id, MATCH (title, body) AGAINST (? IN BOOLEAN MODE) AS score", "mysql tutorial").
		Order("score DESC, id").Limit(4).Scan(&got).Error)
	gormDiff(t, "boolean mode relevance", []scored{
		{1, 0.7405621409416199}, {3, 0.3624762296676636}, {5, 0.031219376251101494}, {8, 0.031219376251101494},
	}, got)

	var n int64
	must(t, db.Model(&ftArticle{}).Where("MATCH (title, body) AGAINST (? IN BOOLEAN MODE)", "+MySQL -YourSQL").Count(&n).Error)
	if n != 5 {
		t.Errorf("+MySQL -YourSQL: %d rows, want 5", n)
	}
	must(t, db.Migrator().DropIndex(&ftArticle{}, "idx_ft_article"))
	err := db.Where("MATCH (title, body) AGAINST (?)", "database").Find(&found).Error
	if err == nil || !strings.Contains(err.Error(), "1191") {
		t.Errorf("search without the index: %v, want error 1191", err)
	}
}

// TestGORMViewColumns: the migrator sees a view's columns (it reads
// information_schema.COLUMNS and the view's result columns): HasColumn and
// ColumnTypes give what they give on MySQL.
func TestGORMViewColumns(t *testing.T) {
	db, _ := gormOpen(t, &gorm.Config{})
	must(t, db.AutoMigrate(&ftArticle{}))
	must(t, db.Create(&ftArticle{Title: "a", Body: "b"}).Error)
	must(t, db.Migrator().CreateView("ft_titles", gorm.ViewOption{
		Query: db.Model(&ftArticle{}).Select("id, title, LENGTH(body) AS body_len"),
	}))
	if !db.Migrator().HasColumn("ft_titles", "title") || db.Migrator().HasColumn("ft_titles", "body") {
		t.Errorf("HasColumn on the view: title %v, body %v; want true, false",
			db.Migrator().HasColumn("ft_titles", "title"), db.Migrator().HasColumn("ft_titles", "body"))
	}
	cts, err := db.Migrator().ColumnTypes("ft_titles")
	must(t, err)
	var got []string
	for _, ct := range cts {
		typ, _ := ct.ColumnType()
		null, _ := ct.Nullable()
		got = append(got, fmt.Sprintf("%s %s %v", ct.Name(), typ, null))
	}
	gormDiff(t, "ColumnTypes of the view", []string{"id bigint unsigned false", "title varchar(200) true", "body_len bigint true"}, got)
}
