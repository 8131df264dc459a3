package driver

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"
)

// TestSessionTimeZoneThroughDatabaseSQL: SET time_zone on a connection
// shifts NOW() from UTC_TIMESTAMP() by the zone's offset and stays set
// for that connection; time.Time arguments round-trip through DATETIME
// and TIMESTAMP columns in any session zone; a bad zone is error 1298.
func TestSessionTimeZoneThroughDatabaseSQL(t *testing.T) {
	ctx := context.Background()
	db := sql.OpenDB(mustConnector(t, ":memory:"))
	defer db.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "CREATE TABLE t (id INT PRIMARY KEY, dt DATETIME(6), ts TIMESTAMP(6))"); err != nil {
		t.Fatal(err)
	}
	in := time.Date(2024, 7, 1, 20, 30, 0, 123456000, time.FixedZone("x", 8*3600))
	for i, zone := range []string{"+08:00", "UTC", "-05:00", "Europe/Paris"} {
		if _, err := c.ExecContext(ctx, "SET time_zone = ?", zone); err != nil {
			t.Fatalf("%s: %v", zone, err)
		}
		var got string
		var diff int64
		if err := c.QueryRowContext(ctx, "SELECT @@time_zone, TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW())").Scan(&got, &diff); err != nil {
			t.Fatal(err)
		}
		loc := time.UTC
		if zone == "Europe/Paris" {
			loc, _ = time.LoadLocation(zone)
		} else if zone != "UTC" {
			loc = time.FixedZone(zone, map[string]int{"+08:00": 8 * 3600, "-05:00": -5 * 3600}[zone])
		}
		if _, off := time.Now().In(loc).Zone(); got != zone || diff != int64(off) {
			t.Errorf("%s: @@time_zone %q, NOW() - UTC_TIMESTAMP() %d, want %d", zone, got, diff, off)
		}
		if _, err := c.ExecContext(ctx, "INSERT INTO t VALUES (?, ?, ?)", i, in, in); err != nil {
			t.Fatal(err)
		}
		// Every row written so far reads back as its instant.
		for j := 0; j <= i; j++ {
			var dt, ts time.Time
			if err := c.QueryRowContext(ctx, "SELECT dt, ts FROM t WHERE id = ?", j).Scan(&dt, &ts); err != nil {
				t.Fatal(err)
			}
			if !dt.Equal(in) || !ts.Equal(in) {
				t.Errorf("zone %s, row %d: %v %v, want %v", zone, j, dt, ts, in)
			}
		}
		var fu time.Time
		if err := c.QueryRowContext(ctx, "SELECT FROM_UNIXTIME(?)", in.Unix()).Scan(&fu); err != nil {
			t.Fatal(err)
		}
		if want := in.In(loc); fu.Format(time.DateTime) != want.Format(time.DateTime) {
			t.Errorf("zone %s: FROM_UNIXTIME %v, want the wall clock %v", zone, fu, want)
		}
	}
	_, err = c.ExecContext(ctx, "SET time_zone = '+15:00'")
	if err == nil || !strings.Contains(err.Error(), "1298") {
		t.Fatalf("SET time_zone = '+15:00': %v, want error 1298", err)
	}
}
