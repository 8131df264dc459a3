package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/bxdb/bxdb/driver"
	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
)

// errDamaged marks a check that found damage (exit status 1).
var errDamaged = errors.New("database is damaged")

// openDB opens the existing database named by dsn, a path or a DSN as the
// driver takes them (a file: URI, options after '?'), for check, stats and
// backup: read-only unless write is set. Of the DSN's options only cache is
// used (and mode=ro, which excludes write); the others concern SQL
// sessions. It returns the database's file path too.
func openDB(cmd, dsn string, write bool) (*bedrock.Store, string, error) {
	cfg, err := driver.ParseDSN(dsn)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s: %v", errUsage, cmd, err)
	}
	if cfg.Path == driver.MemoryPath {
		return nil, "", fmt.Errorf("%w: %s needs a database file, not %q", errUsage, cmd, dsn)
	}
	if write && cfg.Mode == driver.ModeReadOnly {
		return nil, "", fmt.Errorf("%w: %s writes to the database, but %q says mode=ro", errUsage, cmd, dsn)
	}
	if _, err := os.Stat(cfg.Path); err != nil {
		return nil, "", err
	}
	s, err := bedrock.Open(cfg.Path, &bedrock.Options{ReadOnly: !write, MustExist: true, CacheSize: cfg.CacheSize})
	if errors.Is(err, bedrock.ErrLocked) {
		how := "open read-write in another process (an application or bxdb serve); stop it first"
		if write {
			how = "open in another process; close it first"
		}
		return nil, "", fmt.Errorf("%s: %s is %s: %w", cmd, cfg.Path, how, err)
	}
	if err != nil {
		return nil, "", err
	}
	return s, cfg.Path, nil
}

// cmdCheck verifies the store block by block, then every tree.
func cmdCheck(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	repair := fs.Bool("repair", false, "write rebuilt blocks back")
	dsn, err := oneArg(fs, args)
	if err != nil {
		return err
	}
	name := "check"
	if *repair {
		name = "check -repair"
	}
	s, _, err := openDB(name, dsn, *repair)
	if err != nil {
		if errors.Is(err, bedrock.ErrCorrupt) {
			return fmt.Errorf("%w: %v", errDamaged, err)
		}
		return err
	}
	defer s.Close()
	rep, err := s.Check()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "store: generation %d, %d data blocks, %d map blocks, %d of %d units used (%d free, %d pending)\n",
		rep.Generation, rep.DataBlocks, rep.MapBlocks, rep.UsedUnits, rep.TotalUnits, rep.FreeUnits, rep.PendingUnits)
	for _, p := range rep.Repaired {
		fmt.Fprintf(out, "  repaired: %s\n", p)
	}
	if rep.ParityFixed > 0 {
		fmt.Fprintf(out, "  parity: %d stale stripes rewritten\n", rep.ParityFixed)
	}
	if rep.ParityStale > 0 {
		fmt.Fprintf(out, "  parity: %d stale stripes (redundancy lost, not data; bxdb check -repair rewrites them)\n", rep.ParityStale)
	}
	for _, p := range rep.Slots {
		fmt.Fprintf(out, "  superblock: %s (the other slot holds the state; the next commits rewrite both)\n", p)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(out, "  store problem: %s\n", p)
	}
	tx, err := s.Begin(false)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	treeErr := bxtree.CheckAll(tx, nil)
	if treeErr != nil {
		fmt.Fprintf(out, "  tree problem: %v\n", treeErr)
	}
	names, _ := bxtree.Names(tx)
	fmt.Fprintf(out, "trees: %d checked\n", len(names))
	if !rep.OK() || treeErr != nil {
		return errDamaged
	}
	if len(rep.Repaired) > 0 && !*repair || rep.ParityStale > 0 || len(rep.Slots) > 0 {
		fmt.Fprintf(out, "ok: no data lost; redundancy to restore: %d blocks rebuilt from parity, %d stale parity stripes (bxdb check -repair), %d damaged superblock slots (rewritten by the next commits)\n",
			len(rep.Repaired), rep.ParityStale, len(rep.Slots))
		return nil
	}
	fmt.Fprintln(out, "ok")
	return nil
}

// cmdStats prints the store's counters and each tree's record count.
func cmdStats(args []string, out io.Writer) error {
	dsn, err := oneArg(flag.NewFlagSet("stats", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	s, path, err := openDB("stats", dsn, false)
	if err != nil {
		return err
	}
	defer s.Close()
	st := s.Stats()
	fi, _ := os.Stat(path)
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "file\t%s\t%d bytes\n", path, fi.Size())
	fmt.Fprintf(w, "block size\t%d\t\n", s.BlockSize())
	fmt.Fprintf(w, "generation\t%d\t\n", st.Generation)
	fmt.Fprintf(w, "units\t%d of %d free\t(%d bytes each)\n", st.FreeUnits, st.FileUnits, st.UnitSize)
	tx, err := s.Begin(false)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	names, err := bxtree.Names(tx)
	if err != nil {
		return err
	}
	for _, n := range names {
		t, err := bxtree.Open(tx, n, nil)
		if err != nil {
			fmt.Fprintf(w, "tree\t%s\terror: %v\n", n, err)
			continue
		}
		fmt.Fprintf(w, "tree\t%s\t%d records\n", n, t.Len())
	}
	st = s.Stats()
	fmt.Fprintf(w, "blocks read\t%d\t(%d bytes)\n", st.Reads, st.ReadBytes)
	return w.Flush()
}

// cmdBackup copies a database consistently. SRC is opened read-only, under
// a shared lock: processes reading it (mode=ro) may go on, but one that has
// it open read-write holds an exclusive lock and the backup is refused
// (bedrock.Store.Backup, which reads a snapshot while writers go on, is
// only reachable from the process that has the store open). DST, a path or
// a DSN like SRC, must not exist. The copy is written to a hidden file
// beside DST (".DST.partial-*") and appears under DST's name only once it
// is complete and durable: a backup that is killed or fails midway never
// leaves a DST that opens as a database with part of the data. The next
// backup to DST removes the partial copies killed backups left.
func cmdBackup(args []string, out io.Writer) error {
	pos, err := parseArgs(flag.NewFlagSet("backup", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("%w: backup takes SRC and DST", errUsage)
	}
	src := pos[0]
	dcfg, err := driver.ParseDSN(pos[1])
	if err != nil {
		return fmt.Errorf("%w: backup: DST: %v", errUsage, err)
	}
	if dcfg.Path == driver.MemoryPath {
		return fmt.Errorf("%w: backup needs a file to write, not %q", errUsage, pos[1])
	}
	dst := dcfg.Path
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("backup: %s already exists", dst)
	}
	s, path, err := openDB("backup", src, false)
	if err != nil {
		return err
	}
	defer s.Close()
	removeStalePartials(dst)
	tmp, err := partialName(dst)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := s.Backup(tmp, nil); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	if err := publish(tmp, dst); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(out, "backed up %s to %s\n", path, dst)
	return nil
}

// partialName returns a name for the file a backup to dst is written to
// until it is complete: in dst's directory (so that it can be renamed to
// dst), hidden, and free (bedrock.Store.Backup creates it).
func partialName(dst string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".partial-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", fmt.Errorf("cannot create %s: %w", dst, err)
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return "", err
	}
	return name, nil
}

// publish gives the complete copy tmp the name dst, which must not exist,
// and makes the new name durable. A hard link refuses an existing dst
// atomically; where links are not supported, a rename after a check does.
func publish(tmp, dst string) error {
	err := os.Link(tmp, dst)
	switch {
	case err == nil:
		os.Remove(tmp)
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s already exists", dst)
	default:
		if _, err := os.Lstat(dst); err == nil {
			return fmt.Errorf("%s already exists", dst)
		}
		if err := os.Rename(tmp, dst); err != nil {
			return err
		}
	}
	if d, err := os.Open(filepath.Dir(dst)); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("sync directory of %s: %w", dst, err)
		}
	}
	return nil
}
