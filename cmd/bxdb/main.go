// Command bxdb is bxdb's command line: an interactive SQL shell, integrity
// check, statistics and online backup of a database file.
//
//	bxdb shell FILE          interactive SQL (also reads a script from stdin)
//	bxdb check [-repair] FILE verify every block and every tree; exit 1 on damage
//	                          that parity cannot undo (-repair: write rebuilt
//	                          blocks back and rewrite stale parity)
//	bxdb stats FILE          store and tree statistics
//	bxdb backup SRC DST      consistent copy of a live database
//	bxdb serve [-listen ADDR] FILE
//	                         answer SYNC TABLE ... WITH 'bxdb://host:port'
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// usage is printed for -h and for a bad command line.
const usage = `usage: bxdb <command> [arguments]

commands:
  shell FILE        interactive SQL shell (reads a script when stdin is not a terminal)
  check [-repair] FILE
                    verify every block and every tree; exit status 1 on damage
                    parity cannot undo; -repair writes rebuilt blocks back
  stats FILE        print store and tree statistics
  backup SRC DST    write a consistent copy of SRC (which may be in use) to DST
  serve [-listen ADDR] FILE
                    answer SYNC TABLE t WITH 'bxdb://host:port' from other databases
                    (default ADDR :7466) until interrupted
`

// errUsage marks a command-line mistake (exit status 2).
var errUsage = errors.New("bad usage")

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one command and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	var err error
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "shell":
		err = cmdShell(rest, stdin, stdout, stderr)
	case "check":
		err = cmdCheck(rest, stdout)
	case "stats":
		err = cmdStats(rest, stdout)
	case "backup":
		err = cmdBackup(rest, stdout)
	case "serve":
		err = cmdServe(context.Background(), rest, stdout, stderr, nil)
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "bxdb: %v\n%s", err, usage)
		return 2
	case errors.Is(err, errDamaged):
		fmt.Fprintf(stderr, "bxdb: %v\n", err)
		return 1
	default:
		fmt.Fprintf(stderr, "bxdb: %v\n", err)
		return 1
	}
}

// oneFile parses a command's flags and exactly one FILE argument.
func oneFile(name string, args []string) (string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return "", fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() != 1 {
		return "", fmt.Errorf("%w: %s takes one FILE", errUsage, name)
	}
	return fs.Arg(0), nil
}
