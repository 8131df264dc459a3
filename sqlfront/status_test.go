package sqlfront

import (
	"strconv"
	"testing"
)

// TestShowStatusStoreCounters checks the Bxdb_ rows of SHOW STATUS against
// the store's own counters and against what a known sequence of
// statements must do: three sequential autocommit INSERTs are three
// commits of one sync each, and a transaction of two is one more.
func TestShowStatusStoreCounters(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))")
	status := func() map[string]uint64 {
		t.Helper()
		m := map[string]uint64{}
		for _, r := range querySQL(t, s, "SHOW STATUS LIKE 'Bxdb\\_%'") {
			n, err := strconv.ParseUint(r[1], 10, 64)
			if err != nil {
				t.Fatalf("%s = %q: %v", r[0], r[1], err)
			}
			m[r[0]] = n
		}
		return m
	}
	before := status()
	if len(before) != 19 {
		t.Fatalf("%d Bxdb_ rows, want 19: %v", len(before), before)
	}
	st := e.Store().Stats()
	for name, want := range map[string]uint64{
		"Bxdb_commits": st.Commits, "Bxdb_fdatasyncs": st.Syncs, "Bxdb_generation": st.Generation,
		"Bxdb_bytes_written": st.BytesWritten, "Bxdb_file_bytes": st.FileUnits * uint64(st.UnitSize),
	} {
		if before[name] != want {
			t.Errorf("%s = %d, bedrock.Stats says %d", name, before[name], want)
		}
	}
	for i := 1; i <= 3; i++ {
		execSQL(t, s, "INSERT INTO t VALUES (?, 'x')", IntValue(int64(i)))
	}
	execSQL(t, s, "BEGIN")
	execSQL(t, s, "INSERT INTO t VALUES (4, 'y')")
	execSQL(t, s, "INSERT INTO t VALUES (5, 'z')")
	execSQL(t, s, "COMMIT")
	after := status()
	for name, want := range map[string]uint64{"Bxdb_write_transactions": 4, "Bxdb_commits": 4, "Bxdb_commit_groups": 4, "Bxdb_fdatasyncs": 4, "Bxdb_generation": 4} {
		if got := after[name] - before[name]; got != want {
			t.Errorf("%s grew by %d, want %d", name, got, want)
		}
	}
	if after["Bxdb_bytes_written"] <= before["Bxdb_bytes_written"] || after["Bxdb_blocks_written"] <= before["Bxdb_blocks_written"] {
		t.Errorf("nothing written: %v -> %v", before, after)
	}
	if after["Bxdb_free_bytes"] > after["Bxdb_file_bytes"] || after["Bxdb_cache_bytes"] == 0 {
		t.Errorf("free %d of %d file bytes, cache %d bytes", after["Bxdb_free_bytes"], after["Bxdb_file_bytes"], after["Bxdb_cache_bytes"])
	}
}
