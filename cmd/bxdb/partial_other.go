//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package main

// removeStalePartials needs flock to tell a live backup's copy from a
// killed one's; without it, nothing is removed.
func removeStalePartials(dst string) {}
