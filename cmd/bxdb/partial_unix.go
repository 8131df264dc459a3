//go:build linux || darwin || freebsd || netbsd || openbsd

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// removeStalePartials deletes the partial copies earlier backups to dst
// left when they were killed: files named like partialName's whose lock
// no one holds (a backup in progress holds its copy's, bedrock's flock)
// and that have not been written to for a while.
func removeStalePartials(dst string) {
	names, _ := filepath.Glob(filepath.Join(globEscape(filepath.Dir(dst)), globEscape("."+filepath.Base(dst)+".partial-")+"*"))
	for _, name := range names {
		st, err := os.Lstat(name)
		if err != nil || !st.Mode().IsRegular() || time.Since(st.ModTime()) < 10*time.Second {
			continue
		}
		f, err := os.OpenFile(name, os.O_RDWR, 0)
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			os.Remove(name)
		}
		f.Close()
	}
}

// globEscape quotes the pattern characters of a file name for Glob.
func globEscape(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', '\\':
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return string(b)
}
