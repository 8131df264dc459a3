package conformance

// Triggers through the driver: a GORM program whose table has an audit
// trigger (AFTER INSERT/UPDATE/DELETE into an audit table) and a SIGNAL
// validation trigger (BEFORE INSERT/UPDATE), created by plain
// database/sql Exec calls as a migration would run them; and the same
// database reopened.

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/go-sql-driver/mysql"
	gmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// trgAccount is the GORM model of the test.
type trgAccount struct {
	ID      uint   `gorm:"primaryKey"`
	Owner   string `gorm:"size:40;not null"`
	Balance int64
}

// trgAudit is a row the audit trigger writes.
type trgAudit struct {
	ID        uint `gorm:"primaryKey"`
	AccountID uint
	Action    string `gorm:"size:10"`
	Before    *int64
	After     *int64
}

// trgDDL creates the triggers, one statement per Exec (a trigger body's
// semicolons stay inside its statement).
var trgDDL = []string{
	`CREATE TRIGGER trg_accounts_check BEFORE INSERT ON trg_accounts FOR EACH ROW
BEGIN
  IF NEW.balance < 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'balance must not be negative';
  END IF;
  SET NEW.owner = TRIM(NEW.owner);
END`,
	`CREATE TRIGGER trg_accounts_check_upd BEFORE UPDATE ON trg_accounts FOR EACH ROW
BEGIN
  IF NEW.balance < 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'balance must not be negative';
  END IF;
END`,
	"CREATE TRIGGER trg_accounts_ins AFTER INSERT ON trg_accounts FOR EACH ROW " +
		"INSERT INTO trg_audits (account_id, action, `before`, `after`) VALUES (NEW.id, 'insert', NULL, NEW.balance)",
	"CREATE TRIGGER trg_accounts_upd AFTER UPDATE ON trg_accounts FOR EACH ROW " +
		"INSERT INTO trg_audits (account_id, action, `before`, `after`) VALUES (NEW.id, 'update', OLD.balance, NEW.balance)",
	"CREATE TRIGGER trg_accounts_del AFTER DELETE ON trg_accounts FOR EACH ROW " +
		"INSERT INTO trg_audits (account_id, action, `before`, `after`) VALUES (OLD.id, 'delete', OLD.balance, NULL)",
}

func TestTriggersGORM(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trg.bxdb")
	open := func() (*sql.DB, *gorm.DB) {
		sqlDB, err := sql.Open("bxdb", path)
		if err != nil {
			t.Fatal(err)
		}
		db, err := gorm.Open(gmysql.New(gmysql.Config{Conn: sqlDB}), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
		if err != nil {
			t.Fatalf("gorm.Open: %v", err)
		}
		return sqlDB, db
	}
	sqlDB, db := open()
	must(t, db.Table("trg_accounts").AutoMigrate(&trgAccount{}))
	must(t, db.Table("trg_audits").AutoMigrate(&trgAudit{}))
	for _, q := range trgDDL {
		if _, err := sqlDB.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// A script of several statements, trigger included, in one Exec.
	if _, err := sqlDB.Exec("DROP TRIGGER trg_accounts_del; " + trgDDL[4] + "; SELECT 1"); err != nil {
		t.Fatalf("script: %v", err)
	}

	accounts := db.Table("trg_accounts")
	a := trgAccount{Owner: "  ann ", Balance: 100}
	must(t, accounts.Create(&a).Error)
	b := trgAccount{Owner: "bob", Balance: 5}
	must(t, db.Table("trg_accounts").Create(&b).Error)
	if a.ID != 1 || b.ID != 2 {
		t.Fatalf("ids %d, %d; want 1, 2 (the audit rows' ids do not leak into LAST_INSERT_ID)", a.ID, b.ID)
	}

	// The validation trigger refuses, through GORM, with MySQL's error.
	err := db.Table("trg_accounts").Create(&trgAccount{Owner: "eve", Balance: -1}).Error
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number != 1644 || string(me.SQLState[:]) != "45000" || me.Message != "balance must not be negative" {
		t.Fatalf("negative balance: %v, want error 1644 (45000)", err)
	}
	// A transfer in a transaction: the second update fails in its trigger
	// and the whole transaction rolls back, audit rows included.
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Table("trg_accounts").Where("id = ?", 2).Update("balance", gorm.Expr("balance + ?", 50)).Error; err != nil {
			return err
		}
		return tx.Table("trg_accounts").Where("id = ?", 1).Update("balance", gorm.Expr("balance - ?", 150)).Error
	})
	if !errors.As(err, &me) || me.Number != 1644 {
		t.Fatalf("overdrawing transfer: %v, want error 1644", err)
	}
	must(t, db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Table("trg_accounts").Where("id = ?", 2).Update("balance", gorm.Expr("balance + ?", 30)).Error; err != nil {
			return err
		}
		return tx.Table("trg_accounts").Where("id = ?", 1).Update("balance", gorm.Expr("balance - ?", 30)).Error
	}))
	must(t, db.Table("trg_accounts").Delete(&trgAccount{}, 2).Error)
	must(t, sqlDB.Close())

	// Reopened: the triggers are still there and still fire.
	sqlDB, db = open()
	defer sqlDB.Close()
	c := trgAccount{Owner: "cy", Balance: 7}
	must(t, db.Table("trg_accounts").Create(&c).Error)
	if err := db.Table("trg_accounts").Where("id = ?", c.ID).Update("balance", -7).Error; !errors.As(err, &me) || me.Number != 1644 {
		t.Fatalf("after reopen: %v, want error 1644", err)
	}

	var gotAccounts []trgAccount
	must(t, db.Table("trg_accounts").Order("id").Find(&gotAccounts).Error)
	gormDiff(t, "accounts", []trgAccount{{ID: 1, Owner: "ann", Balance: 70}, {ID: 3, Owner: "cy", Balance: 7}}, gotAccounts)
	var gotAudit []trgAudit
	must(t, db.Table("trg_audits").Order("id").Find(&gotAudit).Error)
	gormDiff(t, "audit", []trgAudit{
		{ID: 1, AccountID: 1, Action: "insert", After: ptr[int64](100)},
		{ID: 2, AccountID: 2, Action: "insert", After: ptr[int64](5)},
		// The failed transfer's audit row (id 3) was rolled back; its id
		// is not reused while the process lives, as in InnoDB.
		{ID: 4, AccountID: 2, Action: "update", Before: ptr[int64](5), After: ptr[int64](35)},
		{ID: 5, AccountID: 1, Action: "update", Before: ptr[int64](100), After: ptr[int64](70)},
		{ID: 6, AccountID: 2, Action: "delete", Before: ptr[int64](35)},
		{ID: 7, AccountID: 3, Action: "insert", After: ptr[int64](7)},
	}, gotAudit)

	var names []string
	must(t, db.Raw("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_TABLE = ? ORDER BY TRIGGER_NAME", "trg_accounts").Scan(&names).Error)
	gormDiff(t, "triggers", []string{"trg_accounts_check", "trg_accounts_check_upd", "trg_accounts_del", "trg_accounts_ins", "trg_accounts_upd"}, names)
}
