package sqlfront

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Session time zones (SET time_zone): the zone's wall clock for NOW() and
// friends, UNIX_TIMESTAMP and FROM_UNIXTIME; UTC_* and DATETIME columns
// untouched; CONVERT_TZ with offsets, named zones and SYSTEM.

// tzStep is one statement: a query's rows (as fmt.Sprint prints
// querySQL's) are want; a statement's error contains err.
type tzStep struct {
	sql, want, err string
}

func runTZSteps(t *testing.T, s *Session, steps []tzStep) {
	t.Helper()
	for i, st := range steps {
		if st.err != "" {
			err := stmtErr(t, s, st.sql)
			if err == nil || !strings.Contains(err.Error(), st.err) {
				t.Fatalf("step %d (%s): error %v, want %q", i, st.sql, err, st.err)
			}
			continue
		}
		if strings.HasPrefix(strings.ToUpper(st.sql), "SELECT") {
			if got := fmt.Sprint(querySQL(t, s, st.sql)); got != st.want {
				t.Fatalf("step %d (%s):\ngot  %s\nwant %s", i, st.sql, got, st.want)
			}
			continue
		}
		execSQL(t, s, st.sql)
	}
}

func TestTimeZoneFunctions(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	runTZSteps(t, s, []tzStep{
		{sql: "SELECT @@time_zone, @@session.time_zone", want: "[[+00:00 +00:00]]"},
		// 1e9 = 2001-09-09 01:46:40 UTC; 1719835200 = 2024-07-01 12:00:00 UTC
		// (Paris summer, +02:00); 1704110400 = 2024-01-01 12:00:00 UTC.
		{sql: "SELECT FROM_UNIXTIME(1000000000), UNIX_TIMESTAMP('2001-09-09 01:46:40')", want: "[[2001-09-09 01:46:40 1000000000]]"},
		{sql: "SET time_zone = '+08:00'"},
		{sql: "SELECT @@time_zone", want: "[[+08:00]]"},
		{sql: "SELECT FROM_UNIXTIME(1000000000), UNIX_TIMESTAMP('2001-09-09 09:46:40'), FROM_UNIXTIME(1000000000, '%H:%i')", want: "[[2001-09-09 09:46:40 1000000000 09:46]]"},
		{sql: "SELECT UNIX_TIMESTAMP('2001-09-09 09:46:40.5')", want: "[[1000000000.5]]"},
		{sql: "SET SESSION time_zone = '-05:30'"},
		{sql: "SELECT FROM_UNIXTIME(1000000000), UNIX_TIMESTAMP('2001-09-08 20:16:40')", want: "[[2001-09-08 20:16:40 1000000000]]"},
		{sql: "SET time_zone = 'Europe/Paris'"},
		{sql: "SELECT @@time_zone, FROM_UNIXTIME(1719835200), FROM_UNIXTIME(1704110400)", want: "[[Europe/Paris 2024-07-01 14:00:00 2024-01-01 13:00:00]]"},
		{sql: "SELECT UNIX_TIMESTAMP('2024-07-01 14:00:00'), UNIX_TIMESTAMP('2024-01-01 13:00:00')", want: "[[1719835200 1704110400]]"},
		// 2024-03-31 02:30 does not exist in Paris: the end of the gap,
		// 03:00 CEST = 01:00 UTC = 1711846800.
		{sql: "SELECT UNIX_TIMESTAMP('2024-03-31 02:30:00'), UNIX_TIMESTAMP('2024-03-31 03:00:00')", want: "[[1711846800 1711846800]]"},
		// 2024-10-27 02:30 happens twice in Paris (00:30 and 01:30 UTC).
		{sql: "SELECT FROM_UNIXTIME(1729989000), FROM_UNIXTIME(1729992600)", want: "[[2024-10-27 02:30:00 2024-10-27 02:30:00]]"},
		{sql: "SELECT UNIX_TIMESTAMP('2024-10-27 02:30:00')", want: "[[1729992600]]"},
		{sql: "SET time_zone = 'UTC'"},
		{sql: "SELECT @@time_zone, FROM_UNIXTIME(1719835200)", want: "[[UTC 2024-07-01 12:00:00]]"},
		{sql: "SET time_zone = '+14:00'"},
		{sql: "SELECT FROM_UNIXTIME(1000000000)", want: "[[2001-09-09 15:46:40]]"},
		{sql: "SET time_zone = '-13:59'"},
		{sql: "SELECT FROM_UNIXTIME(1000000000)", want: "[[2001-09-08 11:47:40]]"},
		// Errors leave the zone as it was.
		{sql: "SET time_zone = '+14:01'", err: "1298"},
		{sql: "SET time_zone = '-14:00'", err: "Unknown or incorrect time zone: '-14:00'"},
		{sql: "SET time_zone = 'Mars/Olympus'", err: "Unknown or incorrect time zone: 'Mars/Olympus'"},
		{sql: "SET time_zone = '+8'", err: "1298"},
		{sql: "SET time_zone = '+08:60'", err: "1298"},
		{sql: "SET time_zone = ''", err: "1298"},
		{sql: "SET time_zone = NULL", err: "1298"},
		{sql: "SELECT @@time_zone", want: "[[-13:59]]"},
		{sql: "SET time_zone = DEFAULT"},
		{sql: "SELECT @@time_zone, FROM_UNIXTIME(1000000000)", want: "[[+00:00 2001-09-09 01:46:40]]"},
		// CONVERT_TZ.
		{sql: "SELECT CONVERT_TZ('2024-07-01 12:00:00', '+00:00', 'Europe/Paris'), CONVERT_TZ('2024-01-01 12:00:00', 'UTC', 'Europe/Paris')", want: "[[2024-07-01 14:00:00 2024-01-01 13:00:00]]"},
		{sql: "SELECT CONVERT_TZ('2024-07-01 12:00:00', '+08:00', '-05:30'), CONVERT_TZ('2024-07-01 12:00:00', 'x', 'UTC')", want: "[[2024-06-30 22:30:00 NULL]]"},
		{sql: "SELECT CONVERT_TZ('2024-03-31 02:30:00', 'Europe/Paris', 'UTC')", want: "[[2024-03-31 01:00:00]]"},
	})
	if time.Local == time.UTC || func() bool { _, off := time.Now().Zone(); return off == 0 }() {
		runTZSteps(t, s, []tzStep{{sql: "SELECT CONVERT_TZ('2024-07-01 12:00:00', 'SYSTEM', '+01:00')", want: "[[2024-07-01 13:00:00]]"}})
	}
}

// TestTimeZoneNow checks that NOW() and friends give the session zone's
// wall clock and UTC_TIMESTAMP() stays UTC, within one statement (one
// statement time).
func TestTimeZoneNow(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	for _, c := range []struct {
		zone string
		off  int // seconds east of UTC, now (the named zones: see below)
	}{
		{"+00:00", 0}, {"+08:00", 8 * 3600}, {"-05:30", -(5*3600 + 1800)}, {"+14:00", 14 * 3600}, {"-13:59", -(13*3600 + 59*60)},
		{"Asia/Tokyo", 9 * 3600}, {"Europe/Paris", -1},
	} {
		execSQL(t, s, "SET time_zone = '"+c.zone+"'")
		off := c.off
		if off == -1 {
			loc, _ := time.LoadLocation(c.zone)
			_, off = time.Now().In(loc).Zone()
		}
		q := "SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW()), TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), CURRENT_TIMESTAMP), " +
			"TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), LOCALTIME()), NOW() = CAST(CONCAT(CURDATE(), ' ', CURTIME()) AS DATETIME), " +
			"UTC_TIMESTAMP() = CAST(CONCAT(UTC_DATE(), ' ', UTC_TIME()) AS DATETIME), UNIX_TIMESTAMP() = UNIX_TIMESTAMP(NOW()), " +
			"ABS(TIMESTAMPDIFF(SECOND, NOW(), SYSDATE())) < 5"
		want := fmt.Sprint([][]string{{fmt.Sprint(off), fmt.Sprint(off), fmt.Sprint(off), "1", "1", "1", "1"}})
		if got := fmt.Sprint(querySQL(t, s, q)); got != want {
			t.Errorf("time_zone %s: got %s, want %s", c.zone, got, want)
		}
	}
}

// TestTimeZoneColumns: DATETIME and TIMESTAMP columns and their defaults
// store the session zone's wall clock as written and are never converted
// (TIMESTAMP: unlike MySQL, see doc.go): a default reads back as NOW() of
// the zone it was written in.
func TestTimeZoneColumns(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	runTZSteps(t, s, []tzStep{
		{sql: "CREATE TABLE t (id INT PRIMARY KEY, dt DATETIME, d DATETIME DEFAULT CURRENT_TIMESTAMP, ts TIMESTAMP DEFAULT CURRENT_TIMESTAMP)"},
		{sql: "SET time_zone = '+08:00'"},
		{sql: "INSERT INTO t (id, dt) VALUES (1, '2024-07-01 12:00:00')"},
		{sql: "SET time_zone = '-05:00'"},
		{sql: "SELECT dt FROM t WHERE dt = '2024-07-01 12:00:00'", want: "[[2024-07-01 12:00:00]]"},
		{sql: "SELECT ABS(TIMESTAMPDIFF(SECOND, ts, UTC_TIMESTAMP() + INTERVAL 8 HOUR)) < 60, ABS(TIMESTAMPDIFF(SECOND, d, UTC_TIMESTAMP() + INTERVAL 8 HOUR)) < 60 FROM t", want: "[[1 1]]"},
		{sql: "SET time_zone = 'UTC'"},
		{sql: "SELECT dt FROM t", want: "[[2024-07-01 12:00:00]]"},
	})
}
