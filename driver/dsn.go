package driver

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// MemoryPath is the Config.Path of an in-memory database. The DSNs
// ":memory:" and "file::memory:" (with options after '?') select it.
const MemoryPath = ":memory:"

// Mode says how a database file is opened: the DSN option mode.
type Mode uint8

// The modes.
const (
	// ModeReadWriteCreate ("rwc", the default) opens the file for reading
	// and writing and creates it if it is missing.
	ModeReadWriteCreate Mode = iota
	// ModeReadWrite ("rw") opens the file for reading and writing; a
	// missing file is an error.
	ModeReadWrite
	// ModeReadOnly ("ro") opens an existing file for reading only, under a
	// shared lock, so several processes may read it at once. Every write
	// fails.
	ModeReadOnly
)

// String returns the mode's DSN spelling.
func (m Mode) String() string {
	switch m {
	case ModeReadWriteCreate:
		return "rwc"
	case ModeReadWrite:
		return "rw"
	case ModeReadOnly:
		return "ro"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// SyncMode says whether a commit waits for the disk: the DSN option sync.
type SyncMode uint8

// The sync modes.
const (
	// SyncFull ("full", the default): Commit returns once the transaction
	// is durable.
	SyncFull SyncMode = iota
	// SyncOff ("off"): Commit does not wait for the disk. IMPORTANT: power
	// loss (not a process crash) may lose the most recent commits; the file
	// always reopens in a consistent committed state.
	SyncOff
)

// String returns the sync mode's DSN spelling.
func (s SyncMode) String() string {
	switch s {
	case SyncFull:
		return "full"
	case SyncOff:
		return "off"
	}
	return "sync(" + strconv.Itoa(int(s)) + ")"
}

// Config is a parsed DSN. The zero Config (with a Path) opens the file
// read-write, creating it if missing, with the engine's default cache and
// busy timeout and durable commits. ParseDSN builds one from a DSN,
// FormatDSN turns it back into one, and NewConnector opens it.
type Config struct {
	// Path is the database file, or MemoryPath for a private in-memory
	// database. A relative path is relative to the working directory at
	// open.
	Path string
	// CacheSize is the engine's cache size in bytes; 0 means the engine's
	// default. DSN option cache.
	CacheSize int64
	// Sync says whether commits wait for the disk. DSN option sync.
	Sync SyncMode
	// BusyTimeout is how long a writer (a read-write transaction, or an
	// autocommit write) waits for the writer lock before failing with
	// error 1205; 0 means the engine's default (5 s), negative means do not
	// wait. DSN option busy_timeout, where 0 means do not wait.
	BusyTimeout time.Duration
	// Mode is how the file is opened. DSN option mode.
	Mode Mode
	// FS is the file system holding Path; nil means the operating
	// system's. It cannot be set from a DSN: it is a seam for tests (for
	// example bedrock.NewMemFS, which can simulate power loss). Engines on
	// a non-nil FS are shared by connectors with the same FS and Path.
	FS bedrock.FS
}

// The DSN option names.
const (
	optCache       = "cache"
	optSync        = "sync"
	optBusyTimeout = "busy_timeout"
	optMode        = "mode"
	// go-sql-driver/mysql's options that a DSN copied from a MySQL
	// program carries, accepted with the values that describe what bxdb
	// does anyway.
	optParseTime = "parseTime"
	optCharset   = "charset"
	optLoc       = "loc"
)

// ParseDSN parses a data source name:
//
//	dsn     = path [ "?" options ]
//	        | "file:" [ "//" [ "localhost" ] ] uri-path [ "?" options ]
//	        | ":memory:" [ "?" options ] | "file::memory:" [ "?" options ]
//	options = option *( "&" option )
//	option  = "cache=" size | "sync=" ( "full" | "off" )
//	        | "busy_timeout=" duration | "mode=" ( "rwc" | "rw" | "ro" )
//	        | "parseTime=" true | "charset=" utf8-name *( "," name ) | "loc=UTC"
//	size     = digits [ "B" | "KB" | "KiB" | "MB" | "MiB" | "GB" | "GiB" ]   (units in any case)
//	duration = digits (milliseconds) | Go duration ("250ms", "5s", "1m30s"); 0: do not wait
//
// A plain path runs up to the first '?'; a file: URI's path is
// percent-decoded (write %3F for a '?' in the name). Option names and
// values are percent-decoded too. KB, MB and GB are powers of 1000; KiB,
// MiB and GiB powers of 1024. An empty path, an unknown option, an option
// given twice, an empty or malformed value, and a zero or negative size
// are errors wrapping ErrBadDSN that name the option.
//
// parseTime, charset and loc are go-sql-driver/mysql's options, accepted
// (and ignored) with the values that say what bxdb does anyway, so that a
// DSN written for MySQL keeps working: parseTime=true (any strconv.ParseBool
// spelling: DATE, DATETIME and TIMESTAMP values are always time.Time),
// charset=utf8mb4 (or utf8, utf8mb3; in a comma-separated list one of them
// suffices: text is always UTF-8), loc=UTC (times are read and written in
// UTC). Other values of them are errors that say so.
func ParseDSN(dsn string) (*Config, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %q: %s", ErrBadDSN, dsn, fmt.Sprintf(format, args...))
	}
	path, query, _ := strings.Cut(dsn, "?")
	if rest, ok := strings.CutPrefix(path, "file:"); ok {
		if auth, ok := strings.CutPrefix(rest, "//"); ok {
			host, p, found := strings.Cut(auth, "/")
			if host != "" && host != "localhost" {
				return nil, bad("file: URI names host %q; only local files are supported", host)
			}
			rest = ""
			if found {
				rest = "/" + p
			}
		}
		p, err := url.PathUnescape(rest)
		if err != nil {
			return nil, bad("path: %v", err)
		}
		path = p
	}
	if path == "" {
		return nil, bad("empty path")
	}
	cfg := &Config{Path: path}
	if query == "" {
		return cfg, nil
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(query, "&") {
		if kv == "" {
			return nil, bad("empty option (stray '&')")
		}
		rawKey, rawVal, hasVal := strings.Cut(kv, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			return nil, bad("option %q: %v", rawKey, err)
		}
		val, err := url.QueryUnescape(rawVal)
		if err != nil {
			return nil, bad("option %s: %v", key, err)
		}
		switch key {
		case optCache, optSync, optBusyTimeout, optMode, optParseTime, optCharset, optLoc:
		default:
			return nil, bad("unknown option %q (known: cache, sync, busy_timeout, mode; and parseTime, charset, loc as go-sql-driver/mysql's)", key)
		}
		if seen[key] {
			return nil, bad("option %s given twice", key)
		}
		seen[key] = true
		if !hasVal || val == "" {
			return nil, bad("option %s has no value", key)
		}
		switch key {
		case optCache:
			n, err := parseSize(val)
			if err != nil {
				return nil, bad("option cache=%s: %v", val, err)
			}
			cfg.CacheSize = n
		case optSync:
			switch val {
			case "full":
				cfg.Sync = SyncFull
			case "off":
				cfg.Sync = SyncOff
			default:
				return nil, bad("option sync=%s: want full or off", val)
			}
		case optBusyTimeout:
			d, err := parseDuration(val)
			if err != nil {
				return nil, bad("option busy_timeout=%s: %v", val, err)
			}
			cfg.BusyTimeout = d
			if d == 0 {
				cfg.BusyTimeout = -1 // busy_timeout=0: fail at once, as in SQLite
			}
		case optMode:
			switch val {
			case "rwc":
				cfg.Mode = ModeReadWriteCreate
			case "rw":
				cfg.Mode = ModeReadWrite
			case "ro":
				cfg.Mode = ModeReadOnly
			default:
				return nil, bad("option mode=%s: want rwc, rw or ro", val)
			}
		case optParseTime:
			if b, err := strconv.ParseBool(val); err != nil || !b {
				return nil, bad("option parseTime=%s: bxdb always returns DATE, DATETIME and TIMESTAMP values as time.Time (parseTime=true)", val)
			}
		case optCharset:
			ok := false
			for _, cs := range strings.Split(val, ",") {
				switch strings.ToLower(cs) {
				case "utf8mb4", "utf8", "utf8mb3":
					ok = true
				}
			}
			if !ok {
				return nil, bad("option charset=%s: bxdb's text is UTF-8 (charset=utf8mb4)", val)
			}
		case optLoc:
			if val != "UTC" {
				return nil, bad("option loc=%s: bxdb reads and writes times in UTC (loc=UTC)", val)
			}
		}
	}
	if cfg.Path == MemoryPath && cfg.Mode != ModeReadWriteCreate {
		return nil, bad("option mode=%s: an in-memory database is always rwc", cfg.Mode)
	}
	return cfg, nil
}

// sizeUnits maps a lower-cased size suffix to its multiplier.
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1000, "mb": 1000 * 1000, "gb": 1000 * 1000 * 1000,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
}

// parseSize parses a positive byte count with an optional unit.
func parseSize(s string) (int64, error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("want a number of bytes with an optional unit (B, KB, KiB, MB, MiB, GB, GiB)")
	}
	mult, ok := sizeUnits[strings.ToLower(s[i:])]
	if !ok {
		return 0, fmt.Errorf("unknown unit %q (want B, KB, KiB, MB, MiB, GB or GiB)", s[i:])
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("size too large")
	}
	if n == 0 {
		return 0, fmt.Errorf("size must be positive (omit the option for the default)")
	}
	return n * mult, nil
}

// parseDuration parses plain milliseconds or a Go duration; negative
// durations are refused.
func parseDuration(s string) (time.Duration, error) {
	var d time.Duration
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		if ms > math.MaxInt64/int64(time.Millisecond) {
			return 0, fmt.Errorf("duration too large")
		}
		d = time.Duration(ms) * time.Millisecond
	} else {
		d, err = time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("want milliseconds or a Go duration such as 5s or 250ms")
		}
	}
	if d < 0 {
		return 0, fmt.Errorf("duration must not be negative")
	}
	return d, nil
}

// FormatDSN returns a DSN that ParseDSN turns back into c (except FS, which
// a DSN cannot carry). Options at their default are left out. A path that
// a plain DSN cannot carry (containing '?' or '%', or starting with
// "file:") is written as a file: URI.
func (c *Config) FormatDSN() string {
	var b strings.Builder
	p := c.Path
	if strings.ContainsAny(p, "?%") || strings.HasPrefix(p, "file:") {
		b.WriteString("file:")
		b.WriteString(escapePath(p))
	} else {
		b.WriteString(p)
	}
	sep := byte('?')
	add := func(k, v string) {
		b.WriteByte(sep)
		sep = '&'
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	if c.CacheSize > 0 {
		add(optCache, formatSize(c.CacheSize))
	}
	if c.Sync != SyncFull {
		add(optSync, c.Sync.String())
	}
	switch {
	case c.BusyTimeout > 0:
		add(optBusyTimeout, c.BusyTimeout.String())
	case c.BusyTimeout < 0:
		add(optBusyTimeout, "0")
	}
	if c.Mode != ModeReadWriteCreate {
		add(optMode, c.Mode.String())
	}
	return b.String()
}

// escapePath percent-encodes what a file: URI path cannot hold literally.
func escapePath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch ch := p[i]; {
		case ch == '?' || ch == '%' || ch == '#' || ch < 0x20 || ch == 0x7f:
			fmt.Fprintf(&b, "%%%02X", ch)
		default:
			b.WriteByte(ch)
		}
	}
	// A path starting with "//" would read as an authority.
	if strings.HasPrefix(p, "//") {
		return "//" + b.String()
	}
	return b.String()
}

// formatSize writes n with the largest binary unit dividing it.
func formatSize(n int64) string {
	switch {
	case n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "GiB"
	case n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	case n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "KiB"
	}
	return strconv.FormatInt(n, 10)
}
