//go:build !linux

package bedrock

import "os"

// openOS opens name; other platforms get buffered I/O only.
func openOS(name string, flag int, direct bool) (*os.File, bool, error) {
	f, err := os.OpenFile(name, flag, 0o644)
	return f, false, err
}

// lockFile is a no-op where flock is not available.
func lockFile(f *os.File, exclusive bool) error { return nil }

// datasync falls back to a full fsync.
func datasync(f *os.File) error { return f.Sync() }

// startWriteback is a no-op here (see the Linux version).
func startWriteback(f *os.File, off, n int64) {}

// preallocate extends the file.
func preallocate(f *os.File, size int64) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() >= size {
		return nil
	}
	return f.Truncate(size)
}

// sectorSize returns a safe alignment.
func sectorSize(f *os.File) int { return 4096 }

// maxIovecs bounds the buffers of one vectored write.
const maxIovecs = 1024

// writeVAt is not available here: the caller copies and uses WriteAt.
func (f *osFile) writeVAt(bufs [][]byte, off int64) (bool, error) { return false, nil }
