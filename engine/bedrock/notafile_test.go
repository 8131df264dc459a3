//go:build linux

package bedrock

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOpenNotAFile checks that a character device, a FIFO or a directory
// is refused at open with an error saying so (/dev/null used to be
// "formatted" and fail with "store is full").
func TestOpenNotAFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		ro   bool
	}{{os.DevNull, false}, {fifo, false}, {t.TempDir(), false}, {os.DevNull, true}, {fifo, true}, {t.TempDir(), true}} {
		path := c.path
		// A read-only open of a FIFO blocks until a writer comes: it
		// must be refused before opening.
		done := make(chan error, 1)
		go func() {
			s, err := Open(path, &Options{ReadOnly: c.ro, MustExist: c.ro})
			if err == nil {
				s.Close()
			}
			done <- err
		}()
		var err error
		select {
		case err = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s (read-only %v): open hangs", path, c.ro)
		}
		if err == nil {
			t.Fatalf("%s (read-only %v): opened", path, c.ro)
		}
		if path != os.DevNull && strings.Contains(err.Error(), "is a directory") {
			continue // the OS refuses to open a directory for writing
		}
		if !strings.Contains(err.Error(), "not a regular file or a block device") {
			t.Errorf("%s: %v", path, err)
		}
	}
}
