//go:build linux

package bedrock

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOpenNotAFile checks that a character device, a FIFO or a directory
// is refused at open with an error saying so (/dev/null used to be
// "formatted" and fail with "store is full").
func TestOpenNotAFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{os.DevNull, fifo, t.TempDir()} {
		s, err := Open(path, &Options{})
		if err == nil {
			s.Close()
			t.Fatalf("%s: opened", path)
		}
		if path != os.DevNull && strings.Contains(err.Error(), "is a directory") {
			continue // the OS refuses to open a directory for writing
		}
		if !strings.Contains(err.Error(), "not a regular file or a block device") {
			t.Errorf("%s: %v", path, err)
		}
	}
}
