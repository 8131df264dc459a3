package driver

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeReadOnly: Serve refuses a database opened read-only at once,
// with ErrServeReadOnly, and closes the listener; a read-write connector
// of the same file serves.
func TestServeReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro.bxdb")
	rw := mustConnector(t, path)
	db := sql.OpenDB(rw)
	if _, err := db.Exec("CREATE TABLE t (id INT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro := mustConnector(t, path+"?mode=ro")
	defer ro.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	err = ro.Serve(context.Background(), ln, nil)
	if !errors.Is(err, ErrServeReadOnly) || !strings.Contains(err.Error(), "ro.bxdb") {
		t.Fatalf("Serve of a read-only database: %v", err)
	}
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Fatal("the listener is still open")
	}
}
