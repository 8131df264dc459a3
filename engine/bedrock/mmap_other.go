//go:build !linux

package bedrock

// mapping is Linux only (mmap_linux.go); elsewhere reads use pread.
type mapping struct{}

func newMapping(fd uintptr, size int64) *mapping                 { return nil }
func (m *mapping) grew(fd uintptr, size int64)                   {}
func (m *mapping) readAt(p []byte, off int64) (int, bool, error) { return 0, false, nil }
func (m *mapping) close()                                        {}
