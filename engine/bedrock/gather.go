package bedrock

import (
	"runtime"
	"sync"
	"time"
)

// maxGather bounds how long a syncer waits for commits that were already
// applying when it started. It is a safety bound, not a batching delay: a
// lone committer never waits, and the wait normally ends as soon as the
// applies in flight finish (tens of microseconds each).
const maxGather = time.Millisecond

// gather lets a syncer include the commits that are being prepared or
// applied at the moment it starts: without it, the first committer of a
// burst syncs alone and the rest wait a whole extra sync.
type gather struct {
	mu       sync.Mutex
	inflight int           // commits between prepare and the end of apply
	done     uint64        // commits that left that stretch
	waitFor  uint64        // done count the waiting syncer needs
	wake     chan struct{} // closed when done reaches waitFor; nil when nobody waits
}

// enter counts a commit that starts preparing.
func (g *gather) enter() {
	g.mu.Lock()
	g.inflight++
	g.mu.Unlock()
}

// leave counts a commit whose apply ended (or that blocks on a sync from
// inside apply, which must not be waited for).
func (g *gather) leave() {
	g.mu.Lock()
	g.inflight--
	g.done++
	if g.wake != nil && g.done >= g.waitFor {
		close(g.wake)
		g.wake = nil
	}
	g.mu.Unlock()
}

// await waits until as many commits have left as were in flight when it
// was called, or maxGather passes. One syncer at a time calls it. It first
// yields the processor once: committers woken by the previous sync that
// are runnable but not yet running (the common case with more committers
// than cores) then get to apply before the superblock is written, instead
// of waiting a whole extra sync. A lone committer loses nothing: with
// nothing else runnable, the yield returns at once.
func (g *gather) await() {
	runtime.Gosched()
	g.mu.Lock()
	if g.inflight == 0 {
		g.mu.Unlock()
		return
	}
	g.waitFor = g.done + uint64(g.inflight)
	ch := make(chan struct{})
	g.wake = ch
	g.mu.Unlock()
	t := time.NewTimer(maxGather)
	select {
	case <-ch:
	case <-t.C:
		g.mu.Lock()
		if g.wake == ch {
			g.wake = nil
		}
		g.mu.Unlock()
	}
	t.Stop()
}
