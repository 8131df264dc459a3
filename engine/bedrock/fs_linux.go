//go:build linux

package bedrock

import (
	"errors"
	"os"
	"syscall"
	"unsafe"
)

// openOS opens name, with O_DIRECT when asked and the file system allows it.
func openOS(name string, flag int, direct bool) (*os.File, bool, error) {
	if direct {
		f, err := os.OpenFile(name, flag|syscall.O_DIRECT, 0o644)
		if err == nil {
			return f, true, nil
		}
		if !errors.Is(err, syscall.EINVAL) {
			return nil, false, err
		}
		// tmpfs and some others refuse O_DIRECT: fall back to buffered I/O.
	}
	f, err := os.OpenFile(name, flag, 0o644)
	return f, false, err
}

// lockFile takes a non-blocking flock.
func lockFile(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return ErrLocked
		}
		return err
	}
	return nil
}

// datasync flushes file data (not metadata that reads do not need).
func datasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}

// startWriteback asks the kernel to start writing [off, off+n) of f back
// to disk without waiting for it (sync_file_range with
// SYNC_FILE_RANGE_WRITE). It is a hint: an error is ignored, as the next
// fdatasync reports any that matters.
func startWriteback(f *os.File, off, n int64) {
	const syncFileRangeWrite = 2
	syscall.SyncFileRange(int(f.Fd()), off, n, syncFileRangeWrite)
}

// preallocate reserves disk space up to size with fallocate, falling back
// to extending the file where fallocate is not supported.
func preallocate(f *os.File, size int64) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() >= size {
		return nil
	}
	for {
		err = syscall.Fallocate(int(f.Fd()), 0, st.Size(), size-st.Size())
		if err != syscall.EINTR {
			break
		}
	}
	if err == nil {
		return nil
	}
	if errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS) {
		return f.Truncate(size)
	}
	return err
}

// sectorSize asks a block device for its logical sector size; for regular
// files opened with O_DIRECT it returns 4096, safe on every common file
// system.
func sectorSize(f *os.File) int {
	const blkSSZGet = 0x1268
	var n int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), blkSSZGet, uintptr(unsafe.Pointer(&n))); e == 0 && n >= 512 && n&(n-1) == 0 {
		return int(n)
	}
	return 4096
}

// maxIovecs is how many buffers one vectored write passes (IOV_MAX is 1024).
const maxIovecs = 1024

// writeVAt writes the concatenation of bufs at off with pwritev, looping
// over short writes; ok is false when vectored writes are not available
// here (the caller then copies and uses WriteAt).
func (f *osFile) writeVAt(bufs [][]byte, off int64) (ok bool, err error) {
	if f.direct || len(bufs) > maxIovecs || ^uint(0)>>32 == 0 {
		// (32-bit systems split the offset in two arguments: use WriteAt.)
		return false, nil
	}
	iov := make([]syscall.Iovec, 0, len(bufs))
	for _, b := range bufs {
		if len(b) > 0 {
			v := syscall.Iovec{Base: &b[0]}
			v.SetLen(len(b))
			iov = append(iov, v)
		}
	}
	rc, err := f.f.SyscallConn()
	if err != nil {
		return false, nil
	}
	for len(iov) > 0 {
		var n uintptr
		var errno syscall.Errno
		if cerr := rc.Control(func(fd uintptr) {
			n, _, errno = syscall.Syscall6(syscall.SYS_PWRITEV, fd, uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)), uintptr(off), 0, 0)
		}); cerr != nil {
			return true, cerr
		}
		switch {
		case errno == syscall.EINTR:
			continue
		case errno != 0:
			return true, &os.PathError{Op: "pwritev", Path: f.f.Name(), Err: errno}
		case n == 0:
			return true, &os.PathError{Op: "pwritev", Path: f.f.Name(), Err: syscall.EIO}
		}
		off += int64(n)
		// Drop what was written.
		for len(iov) > 0 && uint64(n) >= uint64(iov[0].Len) {
			n -= uintptr(iov[0].Len)
			iov = iov[1:]
		}
		if len(iov) > 0 && n > 0 {
			iov[0].Base = (*byte)(unsafe.Add(unsafe.Pointer(iov[0].Base), n))
			iov[0].SetLen(int(uint64(iov[0].Len) - uint64(n)))
		}
	}
	return true, nil
}
