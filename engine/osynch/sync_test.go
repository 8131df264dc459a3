package osynch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
	"github.com/google/go-cmp/cmp"
)

// mrec is a record of the model: a live value or a tombstone.
type mrec struct {
	Ver  uint64
	Dead bool
	Val  string
}

// side is one replica under test: a store and the model of its contents.
type side struct {
	s     *bedrock.Store
	model map[string]mrec
}

// newSide returns a side on a fresh in-memory store with empty trees.
func newSide(t testing.TB) *side {
	t.Helper()
	s, err := bedrock.Open("db", &bedrock.Options{FS: bedrock.NewMemFS()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	tx, err := s.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"live", "dead"} {
		if _, err := bxtree.Create(tx, name, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return &side{s: s, model: map[string]mrec{}}
}

// replica begins a write transaction on sd and returns a replica over it.
func (sd *side) replica(t testing.TB) *TreeReplica {
	t.Helper()
	tx, err := sd.s.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	live, err := bxtree.Open(tx, "live", nil)
	if err != nil {
		t.Fatal(err)
	}
	dead, err := bxtree.Open(tx, "dead", nil)
	if err != nil {
		t.Fatal(err)
	}
	return &TreeReplica{Tx: tx, Live: live, Dead: dead}
}

// write applies puts (dead=false) or deletes to sd in one transaction,
// with versions from clock, and updates the model.
func (sd *side) write(t testing.TB, clock *uint64, ops []op) {
	t.Helper()
	r := sd.replica(t)
	for _, o := range ops {
		*clock++
		if o.del {
			if cur, ok := sd.model[o.key]; !ok || cur.Dead {
				continue
			}
			sd.model[o.key] = mrec{Ver: *clock, Dead: true}
			if err := r.Apply(Record{Item: Item{Key: []byte(o.key), Version: *clock, Dead: true}}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		sd.model[o.key] = mrec{Ver: *clock, Val: o.val}
		if err := r.Apply(Record{Item: Item{Key: []byte(o.key), Version: *clock}, Value: []byte(o.val)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
}

// contents reads back everything sd's trees hold, checking them.
func (sd *side) contents(t testing.TB) map[string]mrec {
	t.Helper()
	tx, err := sd.s.Begin(false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	got := map[string]mrec{}
	for _, name := range []string{"live", "dead"} {
		tr, err := bxtree.Open(tx, name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Check(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c := tr.Cursor()
		for ok := c.First(); ok; ok = c.Next() {
			k := string(c.Key())
			if _, dup := got[k]; dup {
				t.Fatalf("key %q both live and dead", k)
			}
			got[k] = mrec{Ver: c.Version(), Dead: name == "dead", Val: string(c.Value())}
		}
		if c.Err() != nil {
			t.Fatal(c.Err())
		}
	}
	return got
}

type op struct {
	key, val string
	del      bool
}

// randOps returns n random operations over a key space of size keys.
func randOps(rng *rand.Rand, n, keys int) []op {
	ops := make([]op, n)
	for i := range ops {
		k := fmt.Sprintf("k%06d", rng.IntN(keys))
		if rng.IntN(4) == 0 {
			ops[i] = op{key: k, del: true}
			continue
		}
		vl := 1 + rng.IntN(120)
		if rng.IntN(50) == 0 {
			vl = 1000 + rng.IntN(3000) // spills into overflow blocks
		}
		ops[i] = op{key: k, val: fmt.Sprintf("%s/%d/", k, rng.Uint32()) + string(bytes.Repeat([]byte{'a' + byte(rng.IntN(26))}, vl))}
	}
	return ops
}

// merged is the state both sides must reach: per key, the winner.
func merged(a, b map[string]mrec) map[string]mrec {
	out := map[string]mrec{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if cur, ok := out[k]; !ok || v.Ver > cur.Ver {
			out[k] = v
		}
	}
	return out
}

// syncPair synchronizes a (initiator) and b (responder) over connections
// made by wrap (nil: a plain pipe) and returns both sides' results.
func syncPair(t testing.TB, a, b *side, o *Options, wrap func(a, b net.Conn) (net.Conn, net.Conn)) (sa, sb Stats, ea, eb error) {
	t.Helper()
	ca, cb := net.Pipe()
	if wrap != nil {
		ca, cb = wrap(ca, cb)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	var rb *TreeReplica
	go func() {
		defer wg.Done()
		defer cb.Close()
		sb, eb = Respond(ctx, cb, func(subject []byte) (Replica, error) {
			if string(subject) != "t" {
				return nil, fmt.Errorf("no table %q", subject)
			}
			rb = b.replica(t)
			return rb, nil
		}, o)
		if eb != nil && rb != nil {
			rb.Tx.Rollback()
		}
	}()
	ra := a.replica(t)
	sa, ea = Initiate(ctx, ca, []byte("t"), ra, o)
	if ea != nil {
		ra.Tx.Rollback()
	}
	ca.Close()
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatalf("synchronization hung: %v / %v", ea, eb)
	}
	return sa, sb, ea, eb
}

// TestSyncModel diverges two replicas from a common base at random and
// checks that one synchronization leaves both holding, for every key, the
// newer of the two sides' records, and that a second one has nothing to
// do.
func TestSyncModel(t *testing.T) {
	configs := []Options{{}, {Fanout: 2, ItemThreshold: 1}, {Fanout: 3, ItemThreshold: 4, MaxFrame: 1}}
	for seed := uint64(1); seed <= 12; seed++ {
		for ci, cfg := range configs {
			t.Run(fmt.Sprintf("seed=%d/cfg=%d", seed, ci), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, uint64(ci)))
				t.Logf("seed %d config %+v", seed, cfg)
				a, b := newSide(t), newSide(t)
				var clock uint64
				keys := []int{10, 300, 3000}[rng.IntN(3)]
				base := randOps(rng, rng.IntN(keys), keys)
				a.write(t, &clock, base)
				for k, v := range a.model { // b gets the same records
					b.model[k] = v
				}
				rb := b.replica(t)
				for k, v := range b.model {
					if err := rb.Apply(Record{Item: Item{Key: []byte(k), Version: v.Ver, Dead: v.Dead}, Value: []byte(v.Val)}); err != nil {
						t.Fatal(err)
					}
				}
				if err := rb.Commit(); err != nil {
					t.Fatal(err)
				}
				a.write(t, &clock, randOps(rng, rng.IntN(keys/2+2), keys))
				b.write(t, &clock, randOps(rng, rng.IntN(keys/2+2), keys))
				want := merged(a.model, b.model)

				sa, sb, ea, eb := syncPair(t, a, b, &cfg, nil)
				if ea != nil || eb != nil {
					t.Fatalf("sync: initiator %v, responder %v", ea, eb)
				}
				t.Logf("initiator %+v", sa)
				t.Logf("responder %+v", sb)
				if diff := cmp.Diff(want, a.contents(t)); diff != "" {
					t.Fatalf("initiator contents (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(want, b.contents(t)); diff != "" {
					t.Fatalf("responder contents (-want +got):\n%s", diff)
				}
				if sa.BytesSent != sb.BytesReceived || sb.BytesSent != sa.BytesReceived {
					t.Fatalf("byte counts disagree: %+v / %+v", sa, sb)
				}
				sa, sb, ea, eb = syncPair(t, a, b, &cfg, nil)
				if ea != nil || eb != nil {
					t.Fatalf("second sync: %v / %v", ea, eb)
				}
				if sa.RecordsSent+sb.RecordsSent != 0 || sb.Rounds != 1 || sa.Rounds != 0 && sa.Rounds != 1 {
					t.Fatalf("second sync did work: %+v / %+v", sa, sb)
				}
			})
		}
	}
}

// TestSyncFewBytes checks the cost of finding one difference among many
// equal records: a handful of rounds and bytes logarithmic in the size.
func TestSyncFewBytes(t *testing.T) {
	for _, n := range []int{1000, 100000} {
		a, b := newSide(t), newSide(t)
		var clock uint64
		ops := make([]op, n)
		for i := range ops {
			ops[i] = op{key: fmt.Sprintf("key%08d", i), val: fmt.Sprintf("value-%d-%080d", i, i)}
		}
		a.write(t, &clock, ops)
		b.model = a.model
		rb := b.replica(t)
		for _, o := range ops {
			v := a.model[o.key]
			rb.Apply(Record{Item: Item{Key: []byte(o.key), Version: v.Ver}, Value: []byte(v.Val)})
		}
		rb.Commit()
		b.model = map[string]mrec{}
		a.write(t, &clock, []op{{key: fmt.Sprintf("key%08d", n/3), val: "changed"}})
		sa, sb, ea, eb := syncPair(t, a, b, nil, nil)
		if ea != nil || eb != nil {
			t.Fatal(ea, eb)
		}
		total := sa.BytesSent + sb.BytesSent
		t.Logf("n=%d: %d bytes in %d+%d turns, records %d/%d", n, total, sa.Rounds, sb.Rounds, sa.RecordsSent, sb.RecordsSent)
		if sa.RecordsSent != 1 || sb.RecordsSent != 0 || sb.Applied != 1 {
			t.Fatalf("shipped %+v / %+v, want exactly the changed record", sa, sb)
		}
		// Each level costs at most Fanout fingerprints of ~40 bytes.
		levels := 1
		for m := n; m > 16; m /= 16 {
			levels++
		}
		if limit := int64(levels*16*45 + 2000); total > limit {
			t.Fatalf("n=%d: %d bytes, want at most %d", n, total, limit)
		}
		if got := a.contents(t)[fmt.Sprintf("key%08d", n/3)]; b.contents(t)[fmt.Sprintf("key%08d", n/3)] != got || got.Val != "changed" {
			t.Fatalf("record not synchronized: %+v", got)
		}
	}
}

// cutConn fails every read and write once budget bytes have crossed it,
// in either direction, like a connection cut in the middle.
type cutConn struct {
	net.Conn
	mu     *sync.Mutex
	budget *int
}

func (c cutConn) spend(n int) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if *c.budget <= 0 {
		return 0, false
	}
	if n > *c.budget {
		n = *c.budget
	}
	*c.budget -= n
	return n, true
}

func (c cutConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if m, ok := c.spend(n); !ok || m < n {
		c.Conn.Close()
		return m, io.ErrUnexpectedEOF
	}
	return n, err
}

func (c cutConn) Write(p []byte) (int, error) {
	m, ok := c.spend(len(p))
	if !ok {
		c.Conn.Close()
		return 0, io.ErrClosedPipe
	}
	n, err := c.Conn.Write(p[:m])
	if err == nil && m < len(p) {
		c.Conn.Close()
		err = io.ErrClosedPipe
	}
	return n, err
}

// TestSyncCutConnection cuts the connection after a growing number of
// bytes: each side either commits the whole synchronization or nothing,
// never hangs, and a later synchronization converges.
func TestSyncCutConnection(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	a, b := newSide(t), newSide(t)
	var clock uint64
	a.write(t, &clock, randOps(rng, 400, 300))
	b.write(t, &clock, randOps(rng, 400, 300))
	want := merged(a.model, b.model)
	before := [2]map[string]mrec{a.contents(t), b.contents(t)}
	_, sb, ea, eb := syncPair(t, a, b, &Options{Fanout: 4, ItemThreshold: 2}, nil)
	if ea != nil || eb != nil {
		t.Fatal(ea, eb)
	}
	full := int(sb.BytesSent + sb.BytesReceived)
	t.Logf("an uncut synchronization moves %d bytes", full)
	for _, cut := range []int{0, 3, 20, 60, full / 7, full / 3, full / 2, full - 40, full - 10, full - 1} {
		a, b := newSide(t), newSide(t)
		for _, sd := range []*side{a, b} {
			src := before[0]
			if sd == b {
				src = before[1]
			}
			r := sd.replica(t)
			for k, v := range src {
				r.Apply(Record{Item: Item{Key: []byte(k), Version: v.Ver, Dead: v.Dead}, Value: []byte(v.Val)})
			}
			r.Commit()
		}
		var mu sync.Mutex
		budget := cut
		wrap := func(x, y net.Conn) (net.Conn, net.Conn) {
			return cutConn{x, &mu, &budget}, y
		}
		_, _, ea, eb := syncPair(t, a, b, &Options{Fanout: 4, ItemThreshold: 2, Timeout: 2 * time.Second}, wrap)
		if ea == nil && cut < full/2 {
			t.Fatalf("cut at %d of %d: initiator succeeded", cut, full)
		}
		if ea == nil && !cmp.Equal(a.contents(t), want) {
			t.Fatalf("cut at %d: initiator reports success without the merged state", cut)
		}
		for i, sd := range []*side{a, b} {
			got := sd.contents(t)
			if !cmp.Equal(got, before[i]) && !cmp.Equal(got, want) {
				t.Fatalf("cut at %d (responder err %v): side %d holds a partial synchronization", cut, eb, i)
			}
		}
		if _, _, ea, eb := syncPair(t, a, b, nil, nil); ea != nil || eb != nil {
			t.Fatalf("cut at %d: resync: %v / %v", cut, ea, eb)
		}
		if !cmp.Equal(a.contents(t), want) || !cmp.Equal(b.contents(t), want) {
			t.Fatalf("cut at %d: resync did not converge", cut)
		}
	}
}

// TestSyncRefusedSubject checks that a responder's refusal reaches the
// initiator as ErrPeer with its message.
func TestSyncRefusedSubject(t *testing.T) {
	a := newSide(t)
	ca, cb := net.Pipe()
	go func() {
		defer cb.Close()
		Respond(context.Background(), cb, func([]byte) (Replica, error) { return nil, errors.New("no table \"x\"") }, nil)
	}()
	r := a.replica(t)
	defer r.Tx.Rollback()
	_, err := Initiate(context.Background(), ca, []byte("x"), r, nil)
	if !errors.Is(err, ErrPeer) || !bytes.Contains([]byte(err.Error()), []byte(`no table "x"`)) {
		t.Fatalf("got %v, want ErrPeer with the message", err)
	}
}

// sortedKeys is for readable failures.
func sortedKeys(m map[string]mrec) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
