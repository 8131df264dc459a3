package driver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/sqlfront"
)

// The engine registry.
//
// bedrock locks the database file for as long as it is open, so a process
// can open a file only once: every connector, connection and *sql.DB of
// the process on one file must share one *sqlfront.Engine. The registry
// maps a file to its engine and counts references:
//
//	Connector  holds 1 reference from NewConnector until Close
//	conn       holds 1 reference from Connect until Close
//
// The engine closes when the count drops to zero, so it outlives a closed
// *sql.DB while one of its connections is still in use (database/sql closes
// busy connections only when they are released, after Connector.Close).
//
// A file is identified by its absolute path with symlinks resolved, and,
// once it exists, by its inode (os.SameFile), so that hard links and
// different spellings of a path find the same engine. The engine is opened
// with the first opener's Config; later openers' cache, sync and
// busy_timeout options are ignored, but their mode must agree on
// read-only versus read-write (ErrModeConflict).
//
// In-memory databases and engines on a caller's FS: ":memory:" gets a
// fresh bedrock.MemFS per connector and is never shared; a non-nil
// Config.FS is shared by connectors with the same FS and Path.

// engines is the process-wide registry.
var engines struct {
	mu   sync.Mutex
	list []*sharedEngine // open engines on files; guarded by mu
}

// sharedEngine is one open engine and its reference count.
type sharedEngine struct {
	eng      *sqlfront.Engine
	path     string      // canonical path (or the FS path); for messages and lookup
	fs       bedrock.FS  // Config.FS; nil for the OS file system
	fi       os.FileInfo // the file's identity after open; nil if unknown
	readOnly bool        // opened with mode=ro
	private  bool        // in-memory: not in the registry
	refs     int         // guarded by engines.mu
}

// acquireEngine returns the engine for cfg with one more reference,
// opening it if no connector of the process has it open.
func acquireEngine(cfg *Config) (*sharedEngine, error) {
	readOnly := cfg.Mode == ModeReadOnly
	if cfg.Path == MemoryPath && cfg.FS == nil {
		eng, err := sqlfront.Open("memory.bxdb", engineOptions(cfg, bedrock.NewMemFS()))
		if err != nil {
			return nil, fmt.Errorf("driver: open %s: %w", MemoryPath, err)
		}
		return &sharedEngine{eng: eng, path: MemoryPath, private: true, refs: 1}, nil
	}
	path := cfg.Path
	if cfg.FS == nil {
		var err error
		if path, err = canonicalPath(path); err != nil {
			return nil, fmt.Errorf("driver: open %s: %w", cfg.Path, err)
		}
	}
	var fi os.FileInfo
	if cfg.FS == nil {
		fi, _ = os.Stat(path) // nil if missing: then only the path identifies it
	}

	engines.mu.Lock()
	defer engines.mu.Unlock()
	for _, se := range engines.list {
		same := sameFS(se.fs, cfg.FS) && se.path == path
		if !same && cfg.FS == nil && se.fs == nil && fi != nil && se.fi != nil {
			same = os.SameFile(fi, se.fi)
		}
		if !same {
			continue
		}
		if se.readOnly != readOnly {
			have, want := "read-write", "mode=ro"
			if se.readOnly {
				have, want = "read-only (mode=ro)", "mode="+cfg.Mode.String()
			}
			return nil, fmt.Errorf("%w: %s is open %s; %s cannot share it", ErrModeConflict, path, have, want)
		}
		se.refs++
		return se, nil
	}
	eng, err := sqlfront.Open(path, engineOptions(cfg, cfg.FS))
	if err != nil {
		if errors.Is(err, bedrock.ErrLocked) {
			return nil, &lockedError{path: path, err: err}
		}
		return nil, fmt.Errorf("driver: open %s: %w", path, err)
	}
	se := &sharedEngine{eng: eng, path: path, fs: cfg.FS, readOnly: readOnly, refs: 1}
	if cfg.FS == nil {
		se.fi, _ = os.Stat(path)
	}
	engines.list = append(engines.list, se)
	return se, nil
}

// sameFS reports whether a and b are the same file system. File systems
// of an incomparable type are never the same (no sharing, no panic).
func sameFS(a, b bedrock.FS) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta == tb && ta.Comparable() && a == b
}

// engineOptions translates cfg into the engine's options on fs.
func engineOptions(cfg *Config, fs bedrock.FS) *sqlfront.Options {
	return &sqlfront.Options{
		CacheSize:   cfg.CacheSize,
		NoSync:      cfg.Sync == SyncOff,
		ReadOnly:    cfg.Mode == ModeReadOnly,
		MustExist:   cfg.Mode != ModeReadWriteCreate,
		BusyTimeout: cfg.BusyTimeout,
		FS:          fs,
	}
}

// retain adds a reference to se, which must hold one already.
func (se *sharedEngine) retain() {
	engines.mu.Lock()
	defer engines.mu.Unlock()
	if se.refs <= 0 {
		panic("driver: retain of a released engine")
	}
	se.refs++
}

// release drops a reference; the last one closes the engine. The close
// runs under engines.mu so that a concurrent open of the same file waits
// for the file lock to be released instead of failing with ErrLocked.
func (se *sharedEngine) release() error {
	engines.mu.Lock()
	defer engines.mu.Unlock()
	se.refs--
	switch {
	case se.refs > 0:
		return nil
	case se.refs < 0:
		panic("driver: engine released more often than acquired")
	}
	if !se.private {
		for i, e := range engines.list {
			if e == se {
				engines.list = append(engines.list[:i], engines.list[i+1:]...)
				break
			}
		}
	}
	if err := se.eng.Close(); err != nil {
		return fmt.Errorf("driver: close %s: %w", se.path, err)
	}
	return nil
}

// canonicalPath returns the absolute, cleaned path with symlinks resolved.
// For a file that does not exist yet, the directory's symlinks are
// resolved and the name appended.
func canonicalPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if p, err := filepath.EvalSymlinks(abs); err == nil {
		return p, nil
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs)), nil
	}
	return abs, nil
}

// openEngines returns the number of registered file engines (for tests).
func openEngines() int {
	engines.mu.Lock()
	defer engines.mu.Unlock()
	return len(engines.list)
}
