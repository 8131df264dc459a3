// Command bxdb is bxdb's command line: an SQL shell, integrity check,
// statistics and backup of a database file, and a synchronization server.
//
//	bxdb shell [-c SQL] [-force] DB   SQL shell: interactive on a terminal,
//	                                  else runs the script on stdin (or -c)
//	bxdb check [-repair] DB           verify every block and every tree; exit 1
//	                                  on damage that parity cannot undo
//	                                  (-repair: write rebuilt blocks back and
//	                                  rewrite stale parity)
//	bxdb stats DB                     store and tree statistics
//	bxdb backup SRC DST               consistent copy of a database no other
//	                                  process has open read-write
//	bxdb serve [-listen ADDR] DB      answer SYNC TABLE ... WITH 'bxdb://host:port'
//
// DB and SRC are a path or a DSN as the driver takes them (a file: URI,
// options after '?'). Flags may come before or after the arguments; -h
// prints a command's usage.
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
  shell [-c SQL] [-force] DB
                    SQL shell: interactive on a terminal; otherwise runs the
                    script on stdin (or the statements of -c) and stops at the
                    first error (exit status 1) unless -force is given
  check [-repair] DB
                    verify every block and every tree; exit status 1 on damage
                    parity cannot undo; -repair writes rebuilt blocks back
  stats DB          print store and tree statistics
  backup SRC DST    write a consistent copy of SRC to the new file DST; SRC
                    must not be open read-write in another process (readers
                    with mode=ro may be)
  serve [-listen ADDR] DB
                    answer SYNC TABLE t WITH 'bxdb://host:port' from other databases
                    (default ADDR :7466) until interrupted

DB and SRC are a file path or a DSN such as 'file:app.bxdb?mode=ro' or
'app.bxdb?cache=256MiB'. Flags may come before or after the arguments.
"bxdb <command> -h" describes a command.
`

// commandUsage is each command's usage, printed by "bxdb CMD -h" (exit
// status 0) and after a mistake on its command line (exit status 2).
var commandUsage = map[string]string{
	"shell": `usage: bxdb shell [-c SQL] [-force] DB

Runs SQL statements on DB (a path or a DSN such as 'file:app.bxdb?mode=ro').

On a terminal the shell is interactive: statements end with ';' (a comment
may follow it), dot commands (.help lists them) stand alone on a line, and
Ctrl-C cancels the running statement or, at the prompt, discards what was
typed (a second Ctrl-C while a cancelled statement has not stopped yet ends
the shell); Ctrl-D or .quit leaves. Its exit status is 0.

Otherwise (stdin is a file or a pipe, or -c is given) it runs a script:
each failed statement is reported with its line ("ERROR 1062 (23000) at
line 7: ..."), the script stops at the first failure and the exit status
is 1. With -force the script goes on after failures and still exits 1.

  -c SQL    run the statements and dot commands in SQL instead of stdin
  -force    go on after a failed statement (also -f)
`,
	"check": `usage: bxdb check [-repair] DB

Verifies every block and every tree of DB (a path or a DSN; only the
options cache and mode are used). Exit status 1 on damage that parity
cannot undo.

  -repair   write blocks rebuilt from parity back and rewrite stale parity
            (opens DB read-write, so not with mode=ro)
`,
	"stats": `usage: bxdb stats DB

Prints store and tree statistics of DB (a path or a DSN; only the option
cache is used).
`,
	"backup": `usage: bxdb backup SRC DST

Writes a consistent copy of SRC (a path or a DSN) to DST, a new file. SRC
is opened read-only: other processes may have it open read-only
(mode=ro) meanwhile, but not read-write; stop a writer (an application,
"bxdb serve") first. While the copy is made, processes cannot open SRC
read-write. The copy is written to a hidden file beside DST
(.DST.partial-*) and takes DST's name only when it is complete, so an
interrupted backup never leaves a partial DST.
`,
	"serve": `usage: bxdb serve [-listen ADDR] DB

Answers SYNC TABLE t WITH 'bxdb://host:port' from other databases until
interrupted (SIGINT, SIGTERM). DB is a path or a DSN; it must be writable
(not mode=ro).

  -listen ADDR   TCP address to listen on (default :7466)
`,
}

// errUsage marks a command-line mistake (exit status 2).
var errUsage = errors.New("bad usage")

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one command and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 && commandUsage[args[1]] != "" {
			fmt.Fprint(stdout, commandUsage[args[1]])
		} else {
			fmt.Fprint(stdout, usage)
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
	help := commandUsage[cmd]
	if help == "" {
		help = usage
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, help)
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "bxdb: %v\n%s", err, help)
		return 2
	case errors.Is(err, errFailed):
		return 1 // the shell has reported each failure
	default:
		fmt.Fprintf(stderr, "bxdb: %v\n", err)
		return 1
	}
}

// parseArgs parses a command's flags, which may come before, between or
// after its arguments (a "--" ends the flags), and returns the arguments.
// -h gives an error wrapping flag.ErrHelp; other mistakes wrap errUsage.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %s: %v", errUsage, fs.Name(), err)
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// oneArg parses a command's flags and exactly one DB argument.
func oneArg(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", fmt.Errorf("%w: %s takes one DB (a path or a DSN), got %d arguments", errUsage, fs.Name(), len(pos))
	}
	return pos[0], nil
}
