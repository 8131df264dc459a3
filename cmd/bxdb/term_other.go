//go:build !linux

package main

import "os"

// isTerminalFile reports whether f is a terminal. Without a terminal
// query in the standard library for this system, it guesses from the
// file's type: a character device other than the null device (os.DevNull)
// counts as a terminal. Files, pipes, sockets and the null device
// (`bxdb shell DB </dev/null`) are scripts, which is the safe side: a
// script stops at its first failure and exits with status 1. What could
// be mistaken for a terminal is only another character device given as
// stdin (a serial line, /dev/zero), which is then read interactively.
func isTerminalFile(f *os.File) bool {
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(st, null) {
		return false
	}
	return true
}
