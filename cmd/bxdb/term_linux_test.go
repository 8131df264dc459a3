//go:build linux

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// openPTY opens a pseudo-terminal: the master, and the terminal a shell
// would have as stdin.
func openPTY(t *testing.T) (master, term *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	var unlock int32
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Skipf("unlockpt: %v", e)
	}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Skipf("ptsname: %v", e)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open terminal: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// TestIsTerminal: a terminal is one; the null device, a pipe and a file
// are not.
func TestIsTerminal(t *testing.T) {
	_, term := openPTY(t)
	if !isTerminal(term) {
		t.Error("a pseudo-terminal is not a terminal")
	}
	if isTerminal(devNull(t)) {
		t.Error("/dev/null is a terminal")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if isTerminal(r) {
		t.Error("a pipe is a terminal")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "script.sql"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a file is a terminal")
	}
	if isTerminal(strings.NewReader("")) {
		t.Error("a strings.Reader is a terminal")
	}
}

// TestShellOnTerminal: with a terminal as stdin the shell is interactive
// (banner, prompts) and a failure does not set the exit status.
func TestShellOnTerminal(t *testing.T) {
	master, term := openPTY(t)
	db := sqlDB(t)
	// Typed ahead: the terminal holds the lines until the shell reads them.
	if _, err := io.WriteString(master, "SELECT 1 AS one; -- comment\nSELECT nosuch;\n.quit\n"); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, master) // the terminal's echo
	var out, errOut bytes.Buffer
	rc := run([]string{"shell", db}, term, &out, &errOut)
	if o := out.String(); rc != 0 || !strings.HasPrefix(o, "bxdb shell.") || !strings.Contains(o, "bxdb> ") || !strings.Contains(o, "| one |") ||
		errOut.String() != "ERROR 1054 (42S22): Unknown column 'nosuch' in 'field list'\n" {
		t.Fatalf("rc=%d out=%q err=%q", rc, o, errOut.String())
	}
}
