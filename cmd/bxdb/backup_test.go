package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
		var out, errOut bytes.Buffer
		os.Exit(run(append([]string{"backup"}, strings.Split(args, "\n")...), strings.NewReader(""), &out, &errOut))
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
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// Kill as soon as the copy has started: a file beside the
		// source holds written blocks.
		deadline := time.Now().Add(20 * time.Second)
	poll:
		for time.Now().Before(deadline) {
			select {
			case err := <-done:
				t.Logf("attempt %d: backup finished before the kill (%v)", attempt, err)
				os.Remove(dst)
				break poll
			default:
			}
			names, _ := filepath.Glob(filepath.Join(dir, "*dst.bxdb*"))
			for _, n := range names {
				if fi, err := os.Stat(n); err == nil && fi.Size() > 1<<20 {
					cmd.Process.Kill()
					<-done
					killed = true
					break poll
				}
			}
			time.Sleep(100 * time.Microsecond)
		}
		if !killed && time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			t.Fatal("backup did not start writing within 20s")
		}
	}
	if !killed {
		t.Skip("the backup always finished before it could be killed")
	}
	if _, err := os.Lstat(dst); err == nil {
		t.Fatalf("a killed backup left %s behind", dst)
	}
	if rc, _, e := runCmd("backup", src, dst); rc != 0 {
		t.Fatalf("backup after a killed one: rc=%d %s", rc, e)
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
