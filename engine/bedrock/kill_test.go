//go:build unix

package bedrock

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The kill test runs a real process that commits in a loop and kills it
// with SIGKILL at random moments. Each commit n writes a deterministic set
// of blocks whose contents derive from n, and the root block records n, so
// the parent can compute exactly what the store must hold for any commit
// number. After every kill the store must hold commit N or N+1, where N is
// the last commit the child reported done (N+1 was in flight), with every
// block consistent with that commit and Check clean.
//
// Layout of the child's store:
//
//	root (LBA 0): "kill" | n uint64 | churn table: killChurn LBAs (uint64 each)
//	LBAs 1..killFixed: fixed blocks, rewritten by a deterministic schedule
//	churn slots: every third commit frees one slot's block and allocates a
//	  fresh one (whatever LBA Alloc returns), recorded in the table
//
// Environment:
//
//	BXDB_SOAK=1            run for BXDB_SOAK_SECONDS (default 300) instead of ~10 s
//	BXDB_KILL_SEED=n       replay a seed

const (
	killChildEnv = "BXDB_KILL_CHILD" // path of the store; set only in the child
	killCfgEnv   = "BXDB_KILL_CFG"   // "seed nosync blocksize"
	killFixed    = 40                // fixed blocks 1..killFixed
	killChurn    = 8                 // churn slots
	killMagic    = "kill"
)

// killWrites returns the fixed LBAs commit n writes.
func killWrites(n uint64) []LBA {
	if n%25 == 0 {
		out := make([]LBA, killFixed)
		for i := range out {
			out[i] = LBA(i + 1)
		}
		return out
	}
	return []LBA{LBA(1 + n*7%killFixed), LBA(1 + (n*13+5)%killFixed), LBA(1 + (n/3)%killFixed)}
}

// killChurnSlot returns the churn slot commit n replaces, if any.
func killChurnSlot(n uint64) (int, bool) {
	if n%3 != 0 {
		return 0, false
	}
	return int(n / 3 % killChurn), true
}

// killContent returns the contents of a block (fixed LBA, or churn slot
// as -1-slot) as written by commit n: its length and kind (compressible
// or not) vary with n.
func killContent(seed uint64, key int64, n uint64, payload int) []byte {
	rng := rand.New(rand.NewPCG(seed^uint64(key)*0x9E3779B97F4A7C15, n))
	var size int
	switch rng.IntN(4) {
	case 0:
		size = rng.IntN(64)
	case 1:
		size = payload
	default:
		size = rng.IntN(payload + 1)
	}
	b := make([]byte, size)
	if rng.IntN(2) == 0 {
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
	} else {
		for i := range b {
			b[i] = byte(i / 64)
		}
	}
	copy(b, fmt.Sprintf("%d@%d|", key, n))
	return b
}

// killFixedContent returns what fixed LBA l holds after commit n: the
// contents written by the last commit m <= n that wrote it (commit 0 sets
// every fixed block up empty).
func killFixedContent(seed uint64, l LBA, n uint64, payload int) []byte {
	for m := n; m >= 1; m-- {
		for _, w := range killWrites(m) {
			if w == l {
				return killContent(seed, int64(l), m, payload)
			}
		}
	}
	return []byte{}
}

// killChurnContent returns what churn slot j holds after commit n (nil:
// the slot was never filled).
func killChurnContent(seed uint64, j int, n uint64, payload int) []byte {
	for m := n; m >= 1; m-- {
		if s, ok := killChurnSlot(m); ok && s == j {
			return killContent(seed, -1-int64(j), m, payload)
		}
	}
	return nil
}

// killRoot is the decoded root block.
type killRoot struct {
	n     uint64
	churn [killChurn]LBA // 0: empty slot
}

func (r killRoot) encode() []byte {
	b := []byte(killMagic)
	b = binary.LittleEndian.AppendUint64(b, r.n)
	for _, l := range r.churn {
		b = binary.LittleEndian.AppendUint64(b, uint64(l))
	}
	return b
}

func decodeKillRoot(b []byte) (killRoot, error) {
	var r killRoot
	if len(b) != 4+8+8*killChurn || string(b[:4]) != killMagic {
		return r, fmt.Errorf("bad root block %q", b)
	}
	r.n = binary.LittleEndian.Uint64(b[4:])
	for i := range r.churn {
		r.churn[i] = LBA(binary.LittleEndian.Uint64(b[12+8*i:]))
	}
	return r, nil
}

// killOptions are the options of the child (and of the parent's checks).
func killOptions(noSync bool, blockSize int) *Options {
	return &Options{NoSync: noSync, BlockSize: blockSize, InitialSize: 256 << 10, GrowSize: 256 << 10}
}

// TestKillChild is the child process of TestKill; it does nothing unless
// BXDB_KILL_CHILD is set. It commits until it is killed.
func TestKillChild(t *testing.T) {
	path := os.Getenv(killChildEnv)
	if path == "" {
		return
	}
	var seed uint64
	var noSync bool
	var blockSize int
	if _, err := fmt.Sscan(os.Getenv(killCfgEnv), &seed, &noSync, &blockSize); err != nil {
		killChildFail("bad config %q: %v", os.Getenv(killCfgEnv), err)
	}
	s, err := Open(path, killOptions(noSync, blockSize))
	if err != nil {
		killChildFail("open: %v", err)
	}
	payload := s.PayloadSize()
	tx, err := s.Begin(false)
	if err != nil {
		killChildFail("begin: %v", err)
	}
	rootData, err := tx.Get(RootLBA)
	if err != nil {
		killChildFail("read root: %v", err)
	}
	tx.Rollback()
	var root killRoot
	if len(rootData) == 0 {
		// Commit 0: set up the fixed blocks.
		tx, _ := s.Begin(true)
		for i := 1; i <= killFixed; i++ {
			l, err := tx.Alloc()
			if err != nil || l != LBA(i) {
				killChildFail("setup: Alloc = %d, %v; want %d", l, err, i)
			}
		}
		tx.Put(RootLBA, root.encode())
		if err := tx.Commit(); err != nil {
			killChildFail("setup commit: %v", err)
		}
		fmt.Println("committed 0")
	} else if root, err = decodeKillRoot(rootData); err != nil {
		killChildFail("%v", err)
	}
	deadline := time.Now().Add(2 * time.Minute) // the parent kills long before
	for n := root.n + 1; time.Now().Before(deadline); n++ {
		tx, err := s.Begin(true)
		if err != nil {
			killChildFail("begin %d: %v", n, err)
		}
		for _, l := range killWrites(n) {
			if err := tx.Put(l, killContent(seed, int64(l), n, payload)); err != nil {
				killChildFail("put %d in commit %d: %v", l, n, err)
			}
		}
		if j, ok := killChurnSlot(n); ok {
			if old := root.churn[j]; old != 0 {
				if err := tx.Free(old); err != nil {
					killChildFail("free %d in commit %d: %v", old, n, err)
				}
			}
			l, err := tx.Alloc()
			if err != nil {
				killChildFail("alloc in commit %d: %v", n, err)
			}
			if err := tx.Put(l, killContent(seed, -1-int64(j), n, payload)); err != nil {
				killChildFail("put churn in commit %d: %v", n, err)
			}
			root.churn[j] = l
		}
		root.n = n
		if err := tx.Put(RootLBA, root.encode()); err != nil {
			killChildFail("put root: %v", err)
		}
		if err := tx.Commit(); err != nil {
			killChildFail("commit %d: %v", n, err)
		}
		// os.Stdout is unbuffered: the line is in the pipe when Println
		// returns.
		fmt.Println("committed", n)
	}
	os.Exit(3)
}

// killChildFail reports a failure of the child and exits with status 2.
func killChildFail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "kill child: "+format+"\n", args...)
	os.Exit(2)
}

// TestKill kills a committing process at random moments and checks the
// store after each kill. Rounds alternate between synced and NoSync
// commits (a killed process loses no written data, so both must keep
// every reported commit).
func TestKill(t *testing.T) {
	seed := loggedSeed(t, "BXDB_KILL_SEED")
	rng := rand.New(rand.NewPCG(seed, 0))
	budget := 10 * time.Second
	if testing.Short() {
		budget = 2 * time.Second
	}
	if os.Getenv("BXDB_SOAK") == "1" {
		budget = 300 * time.Second
		if v, err := strconv.Atoi(os.Getenv("BXDB_SOAK_SECONDS")); err == nil {
			budget = time.Duration(v) * time.Second
		}
	}
	blockSize := []int{1024, 4096, 8192}[rng.IntN(3)]
	path := filepath.Join(t.TempDir(), "kill.db")
	t.Logf("store %s, block size %d", path, blockSize)
	var last uint64 // newest commit known to be in the store
	started := false
	start := time.Now()
	rounds, commits, inFlight := 0, 0, 0
	for round := 0; time.Since(start) < budget || round < 4; round++ {
		noSync := round%2 == 1
		reported, ok := killRound(t, rng, path, seed, noSync, blockSize, round)
		rounds++
		if !ok {
			t.Fatalf("seed %d: round %d failed", seed, round)
		}
		lo := last
		if reported >= 0 {
			lo = uint64(reported)
			commits += int(lo - last)
		}
		got, setUp := killVerify(t, path, seed, blockSize)
		switch {
		case !setUp && !started && reported < 0:
			// Killed before the setup commit finished: an empty store.
			continue
		case !setUp:
			t.Fatalf("seed %d round %d: store lost its setup commit (last reported %d)", seed, round, reported)
		case got != lo && got != lo+1:
			t.Fatalf("seed %d round %d: store holds commit %d; want %d (last reported) or %d (in flight)", seed, round, got, lo, lo+1)
		}
		if got == lo+1 {
			inFlight++
		}
		started = true
		last = got
	}
	t.Logf("%d rounds, %d commits reported, last commit %d; %d kills left the in-flight commit in the store", rounds, commits, last, inFlight)
}

// killRound starts the child, kills it at a random moment and returns the
// last commit it reported (-1: none).
func killRound(t *testing.T, rng *rand.Rand, path string, seed uint64, noSync bool, blockSize, round int) (int64, bool) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), killChildEnv+"="+path, fmt.Sprintf("%s=%d %v %d", killCfgEnv, seed, noSync, blockSize))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan int64, 1024)
	done := make(chan struct{})
	var last int64 = -1
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if n, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
				v, err := strconv.ParseInt(n, 10, 64)
				if err == nil {
					last = v
					select {
					case lines <- v:
					default:
					}
				}
			}
		}
	}()
	// Kill either at a random time after start (possibly during Open or
	// setup) or right after a random number of commits.
	if rng.IntN(2) == 0 {
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
	} else {
		want := 1 + rng.IntN(300)
		timeout := time.After(5 * time.Second)
		seen := 0
	wait:
		for seen < want {
			select {
			case <-lines:
				seen++
			case <-done:
				break wait
			case <-timeout:
				break wait
			}
		}
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
		// While the child holds the store, another opener is refused.
		if seen > 0 && round%4 == 1 {
			for _, ro := range []bool{false, true} {
				if s, err := Open(path, &Options{MustExist: true, ReadOnly: ro}); !errors.Is(err, ErrLocked) {
					if err == nil {
						s.Close()
					}
					t.Errorf("round %d: Open (read-only %v) while the child holds the store: %v, want ErrLocked", round, ro, err)
				}
			}
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("round %d: child did not die by SIGKILL: %v\nstderr:\n%s", round, err, stderr.String())
		return last, false
	}
	return last, true
}

// killVerify opens the store and checks that it holds one commit exactly;
// it returns that commit's number, or setUp=false for a store whose setup
// commit never happened.
func killVerify(t *testing.T, path string, seed uint64, blockSize int) (n uint64, setUp bool) {
	t.Helper()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		// Killed before the child created the file: nothing was set up.
		return 0, false
	}
	s, err := Open(path, &Options{MustExist: true, GrowSize: 256 << 10})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
	}()
	if s.BlockSize() != blockSize {
		t.Fatalf("block size %d, want %d", s.BlockSize(), blockSize)
	}
	payload := s.PayloadSize()
	tx, err := s.Begin(false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	rootData, err := tx.Get(RootLBA)
	if err != nil {
		t.Fatalf("read root: %v", err)
	}
	live := map[LBA]bool{RootLBA: true}
	var root killRoot
	if len(rootData) > 0 {
		if root, err = decodeKillRoot(rootData); err != nil {
			t.Fatal(err)
		}
		setUp = true
		for i := 1; i <= killFixed; i++ {
			l := LBA(i)
			live[l] = true
			got, err := tx.Get(l)
			if err != nil {
				t.Fatalf("commit %d: fixed block %d: %v", root.n, l, err)
			}
			if want := killFixedContent(seed, l, root.n, payload); !bytes.Equal(got, want) {
				t.Fatalf("commit %d: fixed block %d holds %.20q (%d bytes), want %.20q (%d bytes)", root.n, l, got, len(got), want, len(want))
			}
		}
		for j, l := range root.churn {
			want := killChurnContent(seed, j, root.n, payload)
			if (l == 0) != (want == nil) {
				t.Fatalf("commit %d: churn slot %d is LBA %d, but its contents are %.20q", root.n, j, l, want)
			}
			if l == 0 {
				continue
			}
			if live[l] {
				t.Fatalf("commit %d: churn slot %d reuses live LBA %d", root.n, j, l)
			}
			live[l] = true
			got, err := tx.Get(l)
			if err != nil {
				t.Fatalf("commit %d: churn slot %d (LBA %d): %v", root.n, j, l, err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("commit %d: churn slot %d (LBA %d) holds %.20q, want %.20q", root.n, j, l, got, want)
			}
		}
	}
	// Nothing else is allocated: every freed churn block is gone.
	for l := LBA(1); l < killFixed+4*killChurn+64; l++ {
		if live[l] {
			continue
		}
		if got, err := tx.Get(l); !errors.Is(err, ErrNotAllocated) {
			t.Fatalf("commit %d: LBA %d should be free, Get = %d bytes, %v", root.n, l, len(got), err)
		}
	}
	rep, err := s.Check()
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("commit %d: Check: %q", root.n, rep.Problems)
	}
	return root.n, setUp
}
