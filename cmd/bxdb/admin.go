package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
)

// errDamaged marks a check that found damage (exit status 1).
var errDamaged = errors.New("database is damaged")

// openExisting opens FILE read-only; it must exist.
func openExisting(path string) (*bedrock.Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	return bedrock.Open(path, &bedrock.Options{ReadOnly: true, MustExist: true})
}

// cmdCheck verifies the store block by block, then every tree.
func cmdCheck(args []string, out io.Writer) error {
	repair := len(args) > 0 && args[0] == "-repair"
	if repair {
		args = args[1:]
	}
	path, err := oneFile("check", args)
	if err != nil {
		return err
	}
	s, err := openExisting(path)
	if repair && err == nil {
		s.Close()
		s, err = bedrock.Open(path, &bedrock.Options{MustExist: true})
	}
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
	if len(rep.Repaired) > 0 && !repair {
		fmt.Fprintf(out, "ok: no data lost; %d damaged blocks were rebuilt from parity (bxdb check -repair writes them back)\n", len(rep.Repaired))
		return nil
	}
	fmt.Fprintln(out, "ok")
	return nil
}

// cmdStats prints the store's counters and each tree's record count.
func cmdStats(args []string, out io.Writer) error {
	path, err := oneFile("stats", args)
	if err != nil {
		return err
	}
	s, err := openExisting(path)
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

// cmdBackup copies a live database consistently.
func cmdBackup(args []string, out io.Writer) error {
	if len(args) != 2 {
		return fmt.Errorf("%w: backup takes SRC and DST", errUsage)
	}
	src, dst := args[0], args[1]
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("backup: %s already exists", dst)
	}
	// The source may be open in another process that holds the lock; a
	// shared lock is refused then, and the user is told so.
	s, err := bedrock.Open(src, &bedrock.Options{ReadOnly: true, MustExist: true})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Backup(dst, nil); err != nil {
		os.Remove(dst)
		return err
	}
	fmt.Fprintf(out, "backed up %s to %s\n", src, dst)
	return nil
}
