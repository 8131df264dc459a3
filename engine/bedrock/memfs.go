package bedrock

import (
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"sync"
)

// MemFS is an in-memory FS. Besides serving in-memory stores, it simulates
// power loss for tests: it remembers every write since the last Sync, and
// Crash keeps what was synced plus an arbitrary subset of the unsynced
// writes, some of them torn at 512-byte boundaries.
//
// SetFailAfter makes the k-th following write (or sync) fail and every I/O
// after it fail too, as if the machine had stopped there; tests then call
// Crash and reopen.
type MemFS struct {
	mu        sync.Mutex
	files     map[string]*memFile
	failAfter int // writes and syncs allowed before failing; <0: never fail
	failed    bool
	writes    int // writes and syncs seen, for tests that count positions
}

// ErrSimulatedCrash is returned by MemFS I/O after the failure point set by
// SetFailAfter.
var ErrSimulatedCrash = errors.New("bedrock: memfs: simulated power loss")

// memFile is one file's bytes plus an undo log of the writes that are not
// yet durable.
type memFile struct {
	data    []byte
	pending []memWrite // writes since the last sync, oldest first
	locked  int        // 0 none, 1 shared, 2 exclusive
	readers int
	epoch   int // bumped by Crash: handles from before it are dead
}

// memWrite is one unsynced write: its offset, new bytes and the bytes it
// replaced.
type memWrite struct {
	off      int64
	new, old []byte
}

// NewMemFS returns an empty in-memory file system.
func NewMemFS() *MemFS { return &MemFS{files: map[string]*memFile{}, failAfter: -1} }

// SetFailAfter makes I/O fail after k more writes or syncs; k < 0 turns
// failure off.
func (fs *MemFS) SetFailAfter(k int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.failAfter = k
	fs.failed = false
}

// Ops returns how many writes and syncs the file system has seen.
func (fs *MemFS) Ops() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.writes
}

// Crash simulates power loss: every file keeps its synced contents plus a
// random subset of its unsynced writes, each kept whole or torn (only some
// of its 512-byte sectors kept). Locks are released, as they would be when
// the process dies, and failure injection is turned off.
func (fs *MemFS) Crash(rng *rand.Rand) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, f := range fs.files {
		// Undo every pending write, newest first, to get the durable state.
		for i := len(f.pending) - 1; i >= 0; i-- {
			w := f.pending[i]
			copy(f.data[w.off:], w.old)
		}
		for _, w := range f.pending {
			switch rng.IntN(4) {
			case 0, 1: // lost
			case 2: // whole
				copy(f.data[w.off:], w.new)
			case 3: // torn: keep a random subset of sectors
				for s := 0; s < len(w.new); s += 512 {
					if rng.IntN(2) == 0 {
						e := min(s+512, len(w.new))
						copy(f.data[w.off+int64(s):], w.new[s:e])
					}
				}
			}
		}
		f.pending = nil
		f.locked, f.readers = 0, 0
		f.epoch++
	}
	fs.failAfter = -1
	fs.failed = false
}

// Corrupt lets tests damage a file directly: fn gets the durable bytes.
func (fs *MemFS) Corrupt(name string, fn func(data []byte) []byte) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if f := fs.files[name]; f != nil {
		f.pending = nil
		f.data = fn(f.data)
	}
}

// tickLocked counts one write or sync and reports whether it must fail.
func (fs *MemFS) tickLocked() error {
	fs.writes++
	if fs.failed {
		return ErrSimulatedCrash
	}
	if fs.failAfter == 0 {
		fs.failed = true
		return ErrSimulatedCrash
	}
	if fs.failAfter > 0 {
		fs.failAfter--
	}
	return nil
}

// OpenFile implements FS.
func (fs *MemFS) OpenFile(name string, o OpenFlags) (File, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := fs.files[name]
	if f == nil {
		if !o.Create || o.ReadOnly {
			return nil, &os.PathError{Op: "open", Path: name, Err: os.ErrNotExist}
		}
		f = &memFile{}
		fs.files[name] = f
	}
	if o.ReadOnly {
		if f.locked == 2 {
			return nil, ErrLocked
		}
		f.locked = 1
		f.readers++
	} else {
		if f.locked != 0 {
			return nil, ErrLocked
		}
		f.locked = 2
	}
	return &memHandle{fs: fs, f: f, ro: o.ReadOnly, epoch: f.epoch}, nil
}

// memHandle is an open MemFS file.
type memHandle struct {
	fs     *MemFS
	f      *memFile
	ro     bool
	closed bool
	epoch  int
}

// deadLocked reports whether the handle predates a crash (the process that
// held it is gone) or is closed.
func (h *memHandle) deadLocked() bool { return h.closed || h.epoch != h.f.epoch }

func (h *memHandle) ReadAt(p []byte, off int64) (int, error) {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if h.fs.failed || h.deadLocked() {
		return 0, ErrSimulatedCrash
	}
	if off >= int64(len(h.f.data)) {
		return 0, io.EOF
	}
	n := copy(p, h.f.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (h *memHandle) WriteAt(p []byte, off int64) (int, error) {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if h.ro {
		return 0, ErrReadOnly
	}
	if h.deadLocked() {
		return 0, ErrSimulatedCrash
	}
	if err := h.fs.tickLocked(); err != nil {
		return 0, err
	}
	end := off + int64(len(p))
	if end > int64(len(h.f.data)) {
		h.f.data = append(h.f.data, make([]byte, end-int64(len(h.f.data)))...)
	}
	w := memWrite{off: off, new: append([]byte(nil), p...), old: append([]byte(nil), h.f.data[off:end]...)}
	h.f.pending = append(h.f.pending, w)
	copy(h.f.data[off:], p)
	return len(p), nil
}

func (h *memHandle) Sync() error {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if h.deadLocked() {
		return ErrSimulatedCrash
	}
	if err := h.fs.tickLocked(); err != nil {
		return err
	}
	h.f.pending = nil
	return nil
}

func (h *memHandle) Size() (int64, error) {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	return int64(len(h.f.data)), nil
}

// Allocate grows the file; the growth counts as durable at once (bedrock
// syncs after growing before it relies on the space).
func (h *memHandle) Allocate(size int64) error {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if h.fs.failed || h.deadLocked() {
		return ErrSimulatedCrash
	}
	if size > int64(len(h.f.data)) {
		h.f.data = append(h.f.data, make([]byte, size-int64(len(h.f.data)))...)
	}
	return nil
}

func (h *memHandle) SectorSize() int { return 0 }

func (h *memHandle) Close() error {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if h.deadLocked() {
		h.closed = true
		return nil
	}
	h.closed = true
	if h.ro {
		h.f.readers--
		if h.f.readers <= 0 {
			h.f.locked, h.f.readers = 0, 0
		}
	} else {
		h.f.locked = 0
	}
	return nil
}
