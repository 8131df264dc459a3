package main

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// TestBackupKilledLeavesNoDestination kills "bxdb backup" (this test
// binary, re-executed) while it writes the copy: DST must not exist
// afterwards (a partial copy under DST's name opens as a database that
// lacks data, or even as an empty one that check calls ok). A later backup
// to the same DST then succeeds and holds exactly the source's blocks.
func TestBackupKilledLeavesNoDestination(t *testing.T) {
	if args := os.Getenv("BXDB_BACKUP_CHILD"); args != "" {
		// The child runs the backup and kills itself with SIGKILL as soon
		// as the copy has started (a file beside DST holds over 1 MB);
		// exit code 3 means the backup finished first.
		paths := strings.Split(args, "\n")
		go func() {
			var out, errOut bytes.Buffer
			run(append([]string{"backup"}, paths...), strings.NewReader(""), &out, &errOut)
			os.Exit(3)
		}()
		for {
			names, _ := filepath.Glob(filepath.Join(filepath.Dir(paths[1]), "*dst.bxdb*"))
			for _, n := range names {
				if fi, err := os.Stat(n); err == nil && fi.Size() > 1<<20 {
					syscall.Kill(os.Getpid(), syscall.SIGKILL)
				}
			}
			time.Sleep(20 * time.Microsecond)
		}
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bxdb")
	s, err := bedrock.Open(src, &bedrock.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[bedrock.LBA][]byte{}
	tx, _ := s.Begin(true)
	for i := 0; i < 8000; i++ { // 32 MB that snappy cannot shrink
		b := make([]byte, 4000)
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		l, err := tx.Alloc()
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Put(l, b); err != nil {
			t.Fatal(err)
		}
		want[l] = b
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "dst.bxdb")
	killed := false
	for attempt := 0; attempt < 5 && !killed; attempt++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBackupKilledLeavesNoDestination$", "-test.count=1")
		cmd.Env = append(os.Environ(), "BXDB_BACKUP_CHILD="+src+"\n"+dst)
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee) && ee.ProcessState.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL:
			killed = true
		case errors.As(err, &ee) && ee.ExitCode() == 3:
			t.Logf("attempt %d: the backup finished before the kill", attempt)
			os.Remove(dst)
		default:
			t.Fatalf("backup child: %v", err)
		}
	}
	if !killed {
		t.Fatal("the backup always finished before the child could kill itself (5 attempts)")
	}
	if _, err := os.Lstat(dst); err == nil {
		t.Fatalf("a killed backup left %s behind", dst)
	}
	// The killed backup's partial copy stays until the next backup to
	// DST, which removes it once it is stale (unlocked, not recent).
	partials, _ := filepath.Glob(filepath.Join(dir, ".dst.bxdb.partial-*"))
	if len(partials) == 0 {
		t.Fatal("no partial copy left by the killed backup")
	}
	old := time.Now().Add(-time.Minute)
	for _, p := range partials {
		os.Chtimes(p, old, old)
	}
	if rc, _, e := runCmd("backup", src, dst); rc != 0 {
		t.Fatalf("backup after a killed one: rc=%d %s", rc, e)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".dst.bxdb.partial-*")); len(left) != 0 {
		t.Fatalf("stale partial copies not removed: %v", left)
	}
	b, err := bedrock.Open(dst, &bedrock.Options{ReadOnly: true, MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rtx, _ := b.Begin(false)
	defer rtx.Rollback()
	for l, w := range want {
		if got, err := rtx.Get(l); err != nil || !bytes.Equal(got, w) {
			t.Fatalf("block %d of the copy: %d bytes, %v", l, len(got), err)
		}
	}
}

// TestBackupDestination: DST is a path or a DSN like SRC (a file: URI
// names the file, not a file called "file:..."), :memory: and a missing
// directory are refused with a clear message, and nothing is left behind.
func TestBackupDestination(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "a.bxdb")
	makeDB(t, src, 100)
	if rc, _, e := runCmd("backup", src, "file:"+filepath.Join(dir, "b.bxdb")+"?cache=1MiB"); rc != 0 {
		t.Fatalf("backup to a file: DSN: rc=%d %s", rc, e)
	}
	if rc, out, e := runCmd("check", filepath.Join(dir, "b.bxdb")); rc != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("check of the copy: rc=%d %s %s", rc, out, e)
	}
	if rc, _, e := runCmd("backup", src, ":memory:"); rc != 2 || !strings.Contains(e, "needs a file") {
		t.Fatalf("backup to :memory:: rc=%d %q", rc, e)
	}
	missing := filepath.Join(dir, "nodir", "c.bxdb")
	if rc, _, e := runCmd("backup", src, missing); rc != 1 || !strings.Contains(e, "cannot create "+missing) {
		t.Fatalf("backup into a missing directory: rc=%d %q", rc, e)
	}
	names, _ := os.ReadDir(dir)
	var got []string
	for _, n := range names {
		got = append(got, n.Name())
	}
	if strings.Join(got, " ") != "a.bxdb b.bxdb" {
		t.Fatalf("files left: %v", got)
	}
}
