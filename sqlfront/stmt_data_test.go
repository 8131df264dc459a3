package sqlfront

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The data-driven parser tests. Each file in testdata/parse holds blocks
//
//	command
//	input (one or more lines)
//	----
//	expected output (up to the next blank line)
//
// Lines starting with '#' between blocks are comments. Commands:
//
//	parse  Parse the input; the output is the dumped AST (see dump) and,
//	       if there are `?` markers, "placeholders: N"; or "error: …".
//	split  SplitStatements; one quoted statement per line, or "error: …".
//
// go test ./sqlfront -run TestParseData -rewrite regenerates the outputs.

// init registers -rewrite unless another test file of the package already
// has. NB: it runs after every package-level variable is initialized, so a
// "var rewrite = flag.Bool(…)" elsewhere in the package cannot collide.
func init() {
	if flag.Lookup("rewrite") == nil {
		flag.Bool("rewrite", false, "rewrite the expected output of data-driven tests")
	}
}

// rewriting reports whether -rewrite was given, whoever registered it.
func rewriting() bool {
	f := flag.Lookup("rewrite")
	return f != nil && f.Value.String() == "true"
}

// dataCase is one block of a data file.
type dataCase struct {
	line    int    // line number of the command
	cmd     string // "parse" or "split"
	input   string
	want    string
	comment string // comment lines before the block, kept on rewrite
}

// readDataFile parses a data file into cases.
func readDataFile(t *testing.T, path string) []dataCase { return readDataFileTB(t, path) }

// readDataFileTB is readDataFile for tests, benchmarks and fuzz targets.
func readDataFileTB(t testing.TB, path string) []dataCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		cases   []dataCase
		comment []string
		cur     *dataCase
		state   int // 0 between blocks, 1 reading input, 2 reading output
		in, out []string
	)
	flush := func() {
		if cur != nil {
			cur.input = strings.Join(in, "\n")
			cur.want = strings.Join(out, "\n")
			cases = append(cases, *cur)
		}
		cur, in, out, state = nil, nil, nil, 0
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch state {
		case 0:
			switch {
			case strings.TrimSpace(line) == "":
			case strings.HasPrefix(line, "#"):
				comment = append(comment, line)
			default:
				cur = &dataCase{line: n, cmd: strings.TrimSpace(line), comment: strings.Join(comment, "\n")}
				comment, state = nil, 1
			}
		case 1:
			if line == "----" {
				state = 2
			} else {
				in = append(in, line)
			}
		case 2:
			if strings.TrimSpace(line) == "" {
				flush()
			} else {
				out = append(out, line)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if state == 1 {
		t.Fatalf("%s: block at line %d has no ---- line", path, cur.line)
	}
	flush()
	return cases
}

// runDataCase returns the output of one case.
func runDataCase(t *testing.T, c dataCase) string {
	t.Helper()
	switch c.cmd {
	case "parse":
		s, err := Parse(c.input)
		if err != nil {
			return errorText(err)
		}
		out := dump(s)
		if n := NumPlaceholders(s); n > 0 {
			out += fmt.Sprintf("\nplaceholders: %d", n)
		}
		return out
	case "split":
		parts, err := SplitStatements(c.input)
		if err != nil {
			return errorText(err)
		}
		var b strings.Builder
		for i, p := range parts {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(strconv.Quote(p))
		}
		if len(parts) == 0 {
			b.WriteString("(none)")
		}
		return b.String()
	}
	t.Fatalf("line %d: unknown command %q", c.line, c.cmd)
	return ""
}

// errorText renders an error of Parse or SplitStatements.
func errorText(err error) string {
	var pe *ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("error at %d near %q: %s", pe.Pos, pe.Near, pe.Msg)
	}
	return "error: " + err.Error()
}

// dataFiles returns the data files of testdata/parse.
func dataFiles(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "parse", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no data files: %v", err)
	}
	return files
}

func TestParseData(t *testing.T) {
	for _, path := range dataFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cases := readDataFile(t, path)
			var b strings.Builder
			for _, c := range cases {
				got := runDataCase(t, c)
				if rewriting() {
					if c.comment != "" {
						b.WriteString(c.comment + "\n")
					}
					fmt.Fprintf(&b, "%s\n%s\n----\n%s\n\n", c.cmd, c.input, got)
					continue
				}
				if got != c.want {
					t.Errorf("%s:%d: %s\n%s\ngot:\n%s\nwant:\n%s", path, c.line, c.cmd, c.input, got, c.want)
				}
			}
			if rewriting() {
				out := strings.TrimSuffix(b.String(), "\n")
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
