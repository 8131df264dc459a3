package bedrock

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"unsafe"
)

// FS opens the one file (or device) a store lives in. The default is the
// operating system; NewMemFS gives an in-memory one that can simulate power
// loss. It is a seam for tests, not an extension point.
type FS interface {
	// OpenFile opens name. With create, a missing file is created empty.
	// The file is locked (exclusive unless readOnly) for as long as it is
	// open; a lock held elsewhere gives ErrLocked.
	OpenFile(name string, o OpenFlags) (File, error)
}

// OpenFlags says how FS.OpenFile opens a file.
type OpenFlags struct {
	Create   bool // create the file if it does not exist
	ReadOnly bool // open for reading only, with a shared lock
	Direct   bool // bypass the page cache (O_DIRECT) where the platform can
}

// File is what bedrock needs of a file. ReadAt and WriteAt may be called
// concurrently.
type File interface {
	io.ReaderAt
	io.WriterAt
	// Sync makes every completed write durable (fdatasync).
	Sync() error
	// Size returns the file's size in bytes (a device's capacity).
	Size() (int64, error)
	// Allocate grows the file to at least size bytes and reserves the disk
	// space (fallocate where available).
	Allocate(size int64) error
	// SectorSize returns the I/O alignment the file needs: 0 when any is
	// fine, else the device's logical sector size.
	SectorSize() int
	// Close releases the lock and the file.
	Close() error
}

// osFS is the operating system's file system.
type osFS struct{}

// osFile is an open OS file.
type osFile struct {
	f      *os.File
	direct bool
	sector int
	device bool
	mm     *mapping // nil: reads use pread
}

// OpenFile implements FS.
func (osFS) OpenFile(name string, o OpenFlags) (File, error) {
	flag := os.O_RDWR
	if o.ReadOnly {
		flag = os.O_RDONLY
	}
	if o.Create && !o.ReadOnly {
		flag |= os.O_CREATE
	}
	// Look before opening too: opening a named pipe to read blocks until
	// a writer comes.
	st, statErr := os.Stat(name)
	if statErr == nil {
		if err := notAStore(name, st.Mode()); err != nil {
			return nil, err
		}
	}
	created := flag&os.O_CREATE != 0 && errors.Is(statErr, fs.ErrNotExist)
	f, direct, err := openOS(name, flag, o.Direct)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil {
		if err := notAStore(name, st.Mode()); err != nil {
			f.Close()
			return nil, err
		}
	}
	if err := lockFile(f, !o.ReadOnly); err != nil {
		f.Close()
		return nil, err
	}
	if created {
		// The new name must survive a power loss before any commit in
		// the file is acknowledged.
		syncDir(filepath.Dir(name))
	}
	of := &osFile{f: f, direct: direct}
	if st, err := f.Stat(); err == nil && st.Mode()&os.ModeDevice != 0 {
		of.device = true
	}
	if direct || of.device {
		of.sector = sectorSize(f)
	} else if st, err := f.Stat(); err == nil {
		of.mm = newMapping(f.Fd(), st.Size())
	}
	return of, nil
}

// syncDir makes the entries of directory dir durable: OpenFile calls it
// once for a file it created, before the store is formatted in it, so
// that a new database whose commits were acknowledged does not vanish
// with its name at a power loss. Best effort, as SQLite does for its
// journals: a file system that cannot sync a directory (some network and
// FUSE ones refuse) must not make databases impossible to create. A
// variable for tests.
var syncDir = func(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// notAStore refuses a file of mode m that cannot hold a store.
func notAStore(name string, m os.FileMode) error {
	kind := ""
	switch {
	case m&os.ModeCharDevice != 0:
		kind = "a character device"
	case m&os.ModeNamedPipe != 0:
		kind = "a named pipe"
	case m&os.ModeSocket != 0:
		kind = "a socket"
	case m.IsDir():
		kind = "a directory"
	default:
		return nil
	}
	return fmt.Errorf("bedrock: %s is %s, not a regular file or a block device", name, kind)
}

// ReadAt implements File: from the map when the range is mapped.
func (f *osFile) ReadAt(p []byte, off int64) (int, error) {
	if f.mm != nil {
		if n, ok, err := f.mm.readAt(p, off); ok {
			return n, err
		}
	}
	return f.f.ReadAt(p, off)
}

// WriteAt implements File.
func (f *osFile) WriteAt(p []byte, off int64) (int, error) {
	n, err := f.f.WriteAt(p, off)
	if f.mm != nil && n > 0 {
		f.mm.grew(f.f.Fd(), off+int64(n))
	}
	return n, err
}
func (f *osFile) Sync() error { return datasync(f.f) }

// writebackStarter is a File that can start writing written bytes back to
// disk ahead of the next Sync (osFile, through the page cache).
type writebackStarter interface{ startWriteback(off, n int64) }

var _ writebackStarter = (*osFile)(nil)

func (f *osFile) startWriteback(off, n int64) {
	if !f.direct {
		startWriteback(f.f, off, n)
	}
}
func (f *osFile) SectorSize() int { return f.sector }

// Close implements File.
func (f *osFile) Close() error {
	if f.mm != nil {
		f.mm.close()
	}
	return f.f.Close()
}

// Size implements File; for a device it is the device's capacity.
func (f *osFile) Size() (int64, error) {
	if f.device {
		return f.f.Seek(0, io.SeekEnd)
	}
	st, err := f.f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// Allocate implements File.
func (f *osFile) Allocate(size int64) error {
	if f.device {
		cur, err := f.Size()
		if err != nil {
			return err
		}
		if size > cur {
			return ErrFull
		}
		return nil
	}
	if err := preallocate(f.f, size); err != nil {
		return err
	}
	if f.mm != nil {
		f.mm.grew(f.f.Fd(), size)
	}
	return nil
}

// alignedBuf returns a zeroed buffer of n bytes whose address is a multiple
// of 4096, as O_DIRECT I/O requires.
func alignedBuf(n int) []byte {
	const align = 4096
	b := make([]byte, n+align)
	off := int(uintptr(unsafe.Pointer(&b[0])) & (align - 1))
	if off != 0 {
		off = align - off
	}
	return b[off : off+n : off+n]
}

// readFull reads exactly len(p) bytes at off; a short read is reported as
// io.ErrUnexpectedEOF (a truncated store).
func readFull(f File, p []byte, off int64) error {
	n, err := f.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// writeGather writes the concatenation of bufs (n bytes) at off: with one
// vectored write where f has them, else from a copy in one buffer made by
// newBuf (aligned when the file needs it).
func writeGather(f File, bufs [][]byte, n int, off int64, newBuf func(int) []byte) error {
	if vf, ok := f.(interface {
		writeVAt([][]byte, int64) (bool, error)
	}); ok {
		if done, err := vf.writeVAt(bufs, off); done {
			return err
		}
	}
	buf := newBuf(n)
	k := 0
	for _, b := range bufs {
		k += copy(buf[k:], b)
	}
	_, err := f.WriteAt(buf, off)
	return err
}
