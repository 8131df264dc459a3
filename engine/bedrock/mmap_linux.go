//go:build linux

package bedrock

import (
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
)

// mapping serves reads of a buffered (not O_DIRECT) file from a shared
// read-only memory map instead of one pread system call each: a block in
// the OS page cache costs a copy, not a kernel entry. Writes still go
// through pwrite, which on Linux updates the same page cache the map
// shows, so a read sees every write before it.
//
// The map reserves address space beyond the file (mapReserve at least,
// twice the file when larger); only offsets below the file's size are
// read through it, since touching a mapped page past the end of the file
// faults. A file grown past the map gets a new, larger one; old maps stay
// until Close, so a reader still copying from one is never cut off. A
// fault while copying (an I/O error, or the file truncated behind the
// store's back) becomes an error through debug.SetPanicOnFault.
//
// The first mapAfter reads use pread all the same: the first touch of a
// mapped page costs a page fault, several times a pread where faults are
// dear (about 20 us against 2.7 us in a virtual machine, measured), so a
// store opened for a few reads (open, one query, close) never pays for
// the map, while a read-heavy one pays a bounded toll to switch.
type mapping struct {
	cur    atomic.Pointer[mmapRegion]
	size   atomic.Int64 // bytes of the file known to exist
	preads atomic.Int64 // reads served by pread before the map takes over
	mu     sync.Mutex   // guards old and remapping
	old    [][]byte
}

// mmapRegion is one map of the file's start.
type mmapRegion struct{ b []byte }

// mapReserve is the least address space a map reserves (virtual only).
const mapReserve = 1 << 30

// mapAfter is how many reads go through pread before the map serves them.
const mapAfter = 512

// newMapping maps f (size bytes long), or returns nil when the file cannot
// be mapped; reads then use pread.
func newMapping(fd uintptr, size int64) *mapping {
	if ^uint(0)>>32 == 0 {
		return nil // 32-bit: address space is too scarce to reserve
	}
	m := &mapping{}
	m.size.Store(size)
	if !m.remap(fd, size) {
		return nil
	}
	return m
}

// remap maps at least need bytes of the file, keeping the old map.
func (m *mapping) remap(fd uintptr, need int64) bool {
	n := max(int64(mapReserve), 2*need)
	if int64(int(n)) != n {
		return false
	}
	b, err := syscall.Mmap(int(fd), 0, int(n), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return false
	}
	if old := m.cur.Load(); old != nil {
		m.old = append(m.old, old.b)
	}
	m.cur.Store(&mmapRegion{b: b})
	return true
}

// grew records that the file now holds size bytes, mapping more of it when
// needed.
func (m *mapping) grew(fd uintptr, size int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if size <= m.size.Load() {
		return
	}
	if r := m.cur.Load(); int64(len(r.b)) < size {
		if !m.remap(fd, size) {
			return // reads past the old map use pread
		}
	}
	m.size.Store(size)
}

// readAt copies len(p) bytes at off from the map; ok is false when the
// range is not mapped (the caller then uses pread).
func (m *mapping) readAt(p []byte, off int64) (n int, ok bool, err error) {
	if m.preads.Load() < mapAfter && m.preads.Add(1) <= mapAfter {
		return 0, false, nil
	}
	r := m.cur.Load()
	end := off + int64(len(p))
	if r == nil || off < 0 || end > m.size.Load() || end > int64(len(r.b)) {
		return 0, false, nil
	}
	return copyFaulting(p, r.b[off:end])
}

// copyFaulting copies src to dst, turning a memory fault (SIGBUS on a
// mapped file) into an error.
func copyFaulting(dst, src []byte) (n int, ok bool, err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			n, ok, err = 0, true, fmt.Errorf("bedrock: reading the mapped file faulted (the file was shortened by another program, or the disk failed to read): %v", r)
		}
	}()
	return copy(dst, src), true, nil
}

// close unmaps every map.
func (m *mapping) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r := m.cur.Swap(nil); r != nil {
		m.old = append(m.old, r.b)
	}
	for _, b := range m.old {
		syscall.Munmap(b)
	}
	m.old = nil
}
