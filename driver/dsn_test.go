package driver

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/bxdb/bxdb/internal/mutation"
)

func TestParseDSN(t *testing.T) {
	tests := []struct {
		name string
		dsn  string
		want Config
	}{
		{"plain", "app.bxdb", Config{Path: "app.bxdb"}},
		{"absolute", "/var/lib/a.bxdb", Config{Path: "/var/lib/a.bxdb"}},
		{"empty query", "a.bxdb?", Config{Path: "a.bxdb"}},
		{"cache MiB", "a?cache=64MiB", Config{Path: "a", CacheSize: 64 << 20}},
		{"cache bytes", "a?cache=12345", Config{Path: "a", CacheSize: 12345}},
		{"cache B", "a?cache=100B", Config{Path: "a", CacheSize: 100}},
		{"cache KB", "a?cache=3KB", Config{Path: "a", CacheSize: 3000}},
		{"cache KiB", "a?cache=3KiB", Config{Path: "a", CacheSize: 3072}},
		{"cache MB", "a?cache=2MB", Config{Path: "a", CacheSize: 2000000}},
		{"cache GB", "a?cache=1GB", Config{Path: "a", CacheSize: 1000000000}},
		{"cache GiB", "a?cache=2GiB", Config{Path: "a", CacheSize: 2 << 30}},
		{"cache lower case", "a?cache=8mib", Config{Path: "a", CacheSize: 8 << 20}},
		{"sync full", "a?sync=full", Config{Path: "a", Sync: SyncFull}},
		{"sync off", "a?sync=off", Config{Path: "a", Sync: SyncOff}},
		{"busy ms", "a?busy_timeout=250", Config{Path: "a", BusyTimeout: 250 * time.Millisecond}},
		{"busy go", "a?busy_timeout=5s", Config{Path: "a", BusyTimeout: 5 * time.Second}},
		{"busy go mixed", "a?busy_timeout=1m30s", Config{Path: "a", BusyTimeout: 90 * time.Second}},
		{"busy zero", "a?busy_timeout=0", Config{Path: "a", BusyTimeout: -1}},
		{"busy zero go", "a?busy_timeout=0s", Config{Path: "a", BusyTimeout: -1}},
		{"mode rwc", "a?mode=rwc", Config{Path: "a", Mode: ModeReadWriteCreate}},
		{"mode rw", "a?mode=rw", Config{Path: "a", Mode: ModeReadWrite}},
		{"mode ro", "a?mode=ro", Config{Path: "a", Mode: ModeReadOnly}},
		{"all", "d/app.bxdb?cache=64MiB&sync=off&busy_timeout=5s&mode=rw",
			Config{Path: "d/app.bxdb", CacheSize: 64 << 20, Sync: SyncOff, BusyTimeout: 5 * time.Second, Mode: ModeReadWrite}},
		{"file relative", "file:data/a.bxdb", Config{Path: "data/a.bxdb"}},
		{"file absolute", "file:/tmp/a.bxdb?sync=off", Config{Path: "/tmp/a.bxdb", Sync: SyncOff}},
		{"file triple slash", "file:///tmp/a.bxdb", Config{Path: "/tmp/a.bxdb"}},
		{"file localhost", "file://localhost/tmp/a.bxdb", Config{Path: "/tmp/a.bxdb"}},
		{"file escaped", "file:/tmp/my%3Fdb%20x.bxdb?mode=ro", Config{Path: "/tmp/my?db x.bxdb", Mode: ModeReadOnly}},
		{"escaped value", "a?busy_timeout=1%73", Config{Path: "a", BusyTimeout: time.Second}},
		{"memory", ":memory:", Config{Path: MemoryPath}},
		{"file memory", "file::memory:?cache=8MiB", Config{Path: MemoryPath, CacheSize: 8 << 20}},
		{"plain path with colon", "./:memory:", Config{Path: "./:memory:"}},
		{"mysql options", "a.bxdb?parseTime=True&charset=utf8mb4&loc=UTC&sync=off", Config{Path: "a.bxdb", Sync: SyncOff}},
		{"mysql options 2", "a?parseTime=1&charset=latin1,utf8", Config{Path: "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDSN(tt.dsn)
			if err != nil {
				t.Fatalf("ParseDSN(%q): %v", tt.dsn, err)
			}
			if *got != tt.want {
				t.Fatalf("ParseDSN(%q) = %+v, want %+v", tt.dsn, *got, tt.want)
			}
			// FormatDSN round-trips.
			again, err := ParseDSN(got.FormatDSN())
			if err != nil {
				t.Fatalf("ParseDSN(FormatDSN() = %q): %v", got.FormatDSN(), err)
			}
			if *again != *got {
				t.Fatalf("round trip through %q gives %+v, want %+v", got.FormatDSN(), *again, *got)
			}
		})
	}
}

func TestParseDSNErrors(t *testing.T) {
	tests := []struct {
		dsn  string
		want string // substring of the message, naming the problem
	}{
		{"", "empty path"},
		{"?cache=1MiB", "empty path"},
		{"file:", "empty path"},
		{"file:?mode=ro", "empty path"},
		{"a?foo=1", `unknown option "foo"`},
		{"a?Cache=1", `unknown option "Cache"`},
		{"a?_busy_timeout=1", `unknown option "_busy_timeout"`},
		{"a?cache", "option cache has no value"},
		{"a?parseTime=false", "option parseTime=false: bxdb always returns DATE, DATETIME and TIMESTAMP values as time.Time"},
		{"a?parseTime=yes", "option parseTime=yes"},
		{"a?charset=latin1", "option charset=latin1: bxdb's text is UTF-8"},
		{"a?loc=Local", "option loc=Local: bxdb reads and writes times in UTC"},
		{"a?parseTime=true&parseTime=true", "option parseTime given twice"},
		{"a?cache=", "option cache has no value"},
		{"a?cache=1&cache=2", "option cache given twice"},
		{"a?cache=1&&sync=off", "empty option"},
		{"a?sync=off&", "empty option"},
		{"a?cache=lots", "option cache=lots"},
		{"a?cache=-1", "option cache=-1"},
		{"a?cache=0", "option cache=0: size must be positive"},
		{"a?cache=10TB", `unknown unit "TB"`},
		{"a?cache=1.5GiB", `unknown unit ".5GiB"`},
		{"a?cache=99999999999GiB", "size too large"},
		{"a?cache=99999999999999999999", "size too large"},
		{"a?sync=normal", "option sync=normal: want full or off"},
		{"a?sync=FULL", "option sync=FULL"},
		{"a?busy_timeout=soon", "option busy_timeout=soon"},
		{"a?busy_timeout=-5s", "option busy_timeout=-5s: duration must not be negative"},
		{"a?busy_timeout=-1", "option busy_timeout=-1: duration must not be negative"},
		{"a?busy_timeout=99999999999999999", "option busy_timeout=99999999999999999: duration too large"},
		{"a?mode=rwx", "option mode=rwx: want rwc, rw or ro"},
		{"a?mode=memory", "option mode=memory"},
		{":memory:?mode=ro", "in-memory database is always rwc"},
		{"file://otherhost/a.bxdb", `host "otherhost"`},
		{"file:/a%zz", "path"},
		{"a?cache=%zz", "option cache"},
	}
	for _, tt := range tests {
		cfg, err := ParseDSN(tt.dsn)
		if err == nil {
			t.Errorf("ParseDSN(%q) = %+v, want error containing %q", tt.dsn, *cfg, tt.want)
			continue
		}
		if !errors.Is(err, ErrBadDSN) {
			t.Errorf("ParseDSN(%q): %v does not wrap ErrBadDSN", tt.dsn, err)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseDSN(%q): %q does not contain %q", tt.dsn, err, tt.want)
		}
	}
}

func TestFormatDSN(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Path: "a.bxdb"}, "a.bxdb"},
		{Config{Path: "a", CacheSize: 64 << 20, Sync: SyncOff, BusyTimeout: 1500 * time.Millisecond, Mode: ModeReadOnly},
			"a?cache=64MiB&sync=off&busy_timeout=1.5s&mode=ro"},
		{Config{Path: "a", CacheSize: 1000}, "a?cache=1000"},
		{Config{Path: "a", CacheSize: 3 << 30}, "a?cache=3GiB"},
		{Config{Path: "a", CacheSize: 5 << 10}, "a?cache=5KiB"},
		{Config{Path: "/x/what?.bxdb"}, "file:/x/what%3F.bxdb"},
		{Config{Path: "100%.bxdb"}, "file:100%25.bxdb"},
		{Config{Path: "file:odd"}, "file:file:odd"},
		{Config{Path: "//net/share"}, "//net/share"},
		{Config{Path: "//net/a?b"}, "file:////net/a%3Fb"},
		{Config{Path: MemoryPath, CacheSize: 1 << 20}, ":memory:?cache=1MiB"},
	}
	for _, tt := range tests {
		if got := tt.cfg.FormatDSN(); got != tt.want {
			t.Errorf("FormatDSN(%+v) = %q, want %q", tt.cfg, got, tt.want)
		}
		back, err := ParseDSN(tt.want)
		if err != nil {
			t.Errorf("ParseDSN(%q): %v", tt.want, err)
		} else if *back != tt.cfg {
			t.Errorf("ParseDSN(%q) = %+v, want %+v", tt.want, *back, tt.cfg)
		}
	}
}

// TestDSNMutations parses random mutations of valid DSNs: ParseDSN must
// return an error or a Config whose FormatDSN parses back to the same
// Config (no panic, no lossy round trip). BXDB_MUTATION_SEED replays a run.
func TestDSNMutations(t *testing.T) {
	seed := mutation.Seed(t)
	rng := rand.New(rand.NewPCG(seed, 10))
	seeds := []string{
		"a.bxdb", "a?cache=64MiB&sync=off&busy_timeout=1.5s&mode=ro", "file:/x/what%3F.bxdb?mode=rw",
		":memory:?cache=1MiB", "//net/share?busy_timeout=250", "file:100%25.bxdb", "a?cache=3GiB&sync=full&mode=rwc",
	}
	pieces := []string{"?", "&", "=", "%", "%3", "%zz", "file:", ":memory:", "cache", "sync", "mode", "busy_timeout", "1", "-1", "0", "99999999999999999999", "KiB", "GiB", "TiB", "ms", "h", "off", "full", "ro", "rw", "rwc", " ", "\x00", "/", "\\"}
	ok := 0
	for i := 0; i < 20000; i++ {
		dsn := mutation.Text(rng, seeds[rng.IntN(len(seeds))], pieces)
		cfg, err := ParseDSN(dsn)
		if err != nil {
			continue
		}
		ok++
		back, err := ParseDSN(cfg.FormatDSN())
		if err != nil || *back != *cfg {
			t.Fatalf("seed %d: ParseDSN(%q) = %+v, whose FormatDSN %q parses to %+v, %v", seed, dsn, *cfg, cfg.FormatDSN(), back, err)
		}
	}
	if ok < 1000 {
		t.Errorf("only %d of 20000 mutated DSNs parsed: the test tests little", ok)
	}
}
