package bxtree

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// rewrite regenerates the expected output of the testdata files.
var rewrite = flag.Bool("rewrite", false, "rewrite the expected output in testdata/*.txt")

// TestDataDriven runs the command files in testdata/: blocks of commands, a
// "----" line and the expected output, separated by blank lines. Commands:
//
//	put KEY VERSION VALUE   (VALUE "@N" is N bytes of 'v'; prints nothing)
//	del KEY                 get KEY
//	scan LO HI              rscan LO HI   (backward)
//	summary LO HI           count LO HI   rank KEY   select K
//	split LO HI K           check         shape       commit
//
// A bound "-" is nil and `""` is the empty key. Run with -rewrite to regenerate the expectations.
func TestDataDriven(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no testdata files")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			runDataFile(t, file)
		})
	}
}

// dataCase is one block of a data file.
type dataCase struct {
	cmds, want []string
}

// parseDataFile splits a data file into cases.
func parseDataFile(t *testing.T, file string) []dataCase {
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cases []dataCase
	for _, block := range strings.Split(strings.TrimSpace(string(raw)), "\n\n") {
		cmds, want, ok := strings.Cut(block, "----")
		if !ok {
			t.Fatalf("%s: block without ----:\n%s", file, block)
		}
		c := dataCase{cmds: nonEmptyLines(cmds), want: nonEmptyLines(want)}
		cases = append(cases, c)
	}
	return cases
}

// nonEmptyLines returns the non-blank lines of s.
func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// runDataFile runs one data file against a fresh tree.
func runDataFile(t *testing.T, file string) {
	s, _ := memStore(t, 1024)
	defer s.Close()
	tx := mustBegin(t, s, true)
	tr, err := Create(tx, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := parseDataFile(t, file)
	var out bytes.Buffer
	for i, c := range cases {
		var got []string
		for _, cmd := range c.cmds {
			got = append(got, runDataCmd(t, s, &tx, &tr, cmd)...)
		}
		if !*rewrite && strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s case %d:\n%s\ngot:\n%s\nwant:\n%s", file, i+1, strings.Join(c.cmds, "\n"),
				strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
		fmt.Fprintf(&out, "%s\n----\n", strings.Join(c.cmds, "\n"))
		if len(got) > 0 {
			fmt.Fprintf(&out, "%s\n", strings.Join(got, "\n"))
		}
		out.WriteString("\n")
	}
	tx.Rollback()
	if *rewrite {
		if err := os.WriteFile(file, append(bytes.TrimRight(out.Bytes(), "\n"), '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// bound parses a key argument ("-" is nil, `""` the empty key).
func bound(s string) []byte {
	switch s {
	case "-":
		return nil
	case `""`:
		return []byte{}
	}
	return []byte(s)
}

// runDataCmd runs one command and returns its output lines.
func runDataCmd(t *testing.T, s *bedrock.Store, tx **bedrock.Tx, tr **Tree, line string) []string {
	f := strings.Fields(line)
	arg := func(i int) string {
		if i >= len(f) {
			t.Fatalf("%q: missing argument %d", line, i)
		}
		return f[i]
	}
	num := func(i int) uint64 {
		n, err := strconv.ParseUint(arg(i), 10, 64)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		return n
	}
	errLine := func(err error) []string { return []string{"error: " + err.Error()} }
	T := *tr
	switch f[0] {
	case "put":
		v := []byte(arg(3))
		if n, ok := strings.CutPrefix(arg(3), "@"); ok {
			m, _ := strconv.Atoi(n)
			v = bytes.Repeat([]byte("v"), m)
		}
		if err := T.Put(bound(arg(1)), num(2), v); err != nil {
			return errLine(err)
		}
		return nil
	case "del":
		ok, err := T.Delete(bound(arg(1)))
		if err != nil {
			return errLine(err)
		}
		return []string{fmt.Sprintf("deleted=%v", ok)}
	case "get":
		v, ver, ok, err := T.Get(bound(arg(1)))
		switch {
		case err != nil:
			return errLine(err)
		case !ok:
			return []string{"not found"}
		}
		return []string{fmt.Sprintf("v%d %s", ver, shortValue(v))}
	case "scan", "rscan":
		c := T.Range(bound(arg(1)), bound(arg(2)))
		var out []string
		ok, step := c.First, c.Next
		if f[0] == "rscan" {
			ok, step = c.Last, c.Prev
		}
		for valid := ok(); valid; valid = step() {
			out = append(out, fmt.Sprintf("%s v%d %s", c.Key(), c.Version(), shortValue(c.Value())))
		}
		if c.Err() != nil {
			return errLine(c.Err())
		}
		return out
	case "summary":
		sum, err := T.Summary(bound(arg(1)), bound(arg(2)))
		if err != nil {
			return errLine(err)
		}
		return []string{sum.String()}
	case "count":
		n, err := T.Count(bound(arg(1)), bound(arg(2)))
		if err != nil {
			return errLine(err)
		}
		return []string{fmt.Sprint(n)}
	case "rank":
		n, err := T.Rank(bound(arg(1)))
		if err != nil {
			return errLine(err)
		}
		return []string{fmt.Sprint(n)}
	case "select":
		k, err := T.Select(num(1))
		if err != nil {
			return errLine(err)
		}
		return []string{string(k)}
	case "split":
		ivs, err := T.Split(bound(arg(1)), bound(arg(2)), int(num(3)))
		if err != nil {
			return errLine(err)
		}
		var out []string
		for _, iv := range ivs {
			out = append(out, fmt.Sprintf("[%s, %s) count=%d", showBound(iv.Lo), showBound(iv.Hi), iv.Summary.Count))
		}
		return out
	case "check":
		if err := T.Check(); err != nil {
			return errLine(err)
		}
		return []string{"ok"}
	case "shape":
		sh := shape(t, T)
		return []string{fmt.Sprintf("height=%d leaves=%d internal=%d overflow=%d", sh.height, sh.leaves, sh.inners, sh.overflow)}
	case "commit":
		if err := (*tx).Commit(); err != nil {
			return errLine(err)
		}
		*tx = mustBegin(t, s, true)
		nt, err := Open(*tx, "t", nil)
		if err != nil {
			return errLine(err)
		}
		*tr = nt
		return nil
	}
	t.Fatalf("unknown command %q", line)
	return nil
}

// showBound formats an interval bound.
func showBound(b []byte) string {
	if b == nil {
		return "-"
	}
	return string(b)
}

// shortValue formats a value, abbreviating long ones.
func shortValue(v []byte) string {
	if len(v) > 12 {
		return fmt.Sprintf("%s...(%d bytes)", v[:6], len(v))
	}
	return string(v)
}
