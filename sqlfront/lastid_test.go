package sqlfront

import "testing"

// TestLastInsertIDExpr: LAST_INSERT_ID(x) called by a statement, in an ON
// DUPLICATE KEY UPDATE assignment or an UPDATE's SET, becomes the
// session's LAST_INSERT_ID() and the statement result's last insert id,
// as in MySQL (the upsert-then-read-the-id and sequence-table idioms).
func TestLastInsertIDExpr(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	lastID := func() string { return querySQL(t, s, "SELECT LAST_INSERT_ID()")[0][0] }
	execSQL(t, s, "CREATE TABLE u (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(10) UNIQUE, n INT DEFAULT 0)")
	if r := execSQL(t, s, "INSERT INTO u (email) VALUES ('x'), ('y')"); r.LastInsertID != 1 || lastID() != "1" {
		t.Fatalf("insert of two rows: result id %d, LAST_INSERT_ID() %s, want 1, 1", r.LastInsertID, lastID())
	}
	r := execSQL(t, s, "INSERT INTO u (email) VALUES ('y') ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), n = n + 1")
	if r.LastInsertID != 2 || lastID() != "2" {
		t.Fatalf("upsert of y: result id %d, LAST_INSERT_ID() %s, want 2, 2", r.LastInsertID, lastID())
	}
	execSQL(t, s, "CREATE TABLE seq (id INT NOT NULL)")
	execSQL(t, s, "INSERT INTO seq VALUES (0)")
	for want := int64(1); want <= 3; want++ {
		r := execSQL(t, s, "UPDATE seq SET id = LAST_INSERT_ID(id + 1)")
		if r.LastInsertID != want || lastID() != querySQL(t, s, "SELECT id FROM seq")[0][0] {
			t.Fatalf("sequence step %d: result id %d, LAST_INSERT_ID() %s", want, r.LastInsertID, lastID())
		}
	}
	if r := execSQL(t, s, "UPDATE seq SET id = id + 1"); r.LastInsertID != 0 || lastID() != "3" {
		t.Fatalf("plain update: result id %d, LAST_INSERT_ID() %s, want 0, 3", r.LastInsertID, lastID())
	}
	querySQL(t, s, "SELECT LAST_INSERT_ID(42)")
	if lastID() != "42" {
		t.Fatalf("after SELECT LAST_INSERT_ID(42): %s", lastID())
	}
}
