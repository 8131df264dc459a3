package osynch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/bxdb/bxdb/engine/bxtree"
	"github.com/bxdb/bxdb/engine/osynch/wire"
	"github.com/google/go-cmp/cmp"
)

// Large records, session time limits and peer messages.

// TestSyncLargeRecords synchronizes records longer than a frame in both
// directions, among small ones, with the default 4 MiB frames (a 5 MiB
// value) and with 64 KiB frames (values around the frame size): both sides
// must end with every record.
func TestSyncLargeRecords(t *testing.T) {
	big := func(n int, c byte) string { return strings.Repeat(string(c), n) }
	for _, tc := range []struct {
		name  string
		frame int
		sizes []int
	}{
		{"default frames", 0, []int{5<<20 + 36}},
		{"64 KiB frames", 64 << 10, []int{64<<10 - 30, 64 << 10, 64<<10 + 1, 300 << 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newSide(t), newSide(t)
			var clock uint64
			var opsA, opsB []op
			for i, n := range tc.sizes {
				opsA = append(opsA, op{key: fmt.Sprintf("a-big-%d", i), val: big(n, 'a'+byte(i))})
				opsB = append(opsB, op{key: fmt.Sprintf("b-big-%d", i), val: big(n, 'A'+byte(i))})
			}
			for i := 0; i < 40; i++ {
				opsA = append(opsA, op{key: fmt.Sprintf("a-small-%02d", i), val: "x"})
				opsB = append(opsB, op{key: fmt.Sprintf("b-small-%02d", i), val: "y"})
			}
			a.write(t, &clock, opsA)
			b.write(t, &clock, opsB)
			want := merged(a.model, b.model)
			o := &Options{MaxFrame: tc.frame}
			sa, sb, ea, eb := syncPair(t, a, b, o, nil)
			if ea != nil || eb != nil {
				t.Fatalf("sync: %v / %v", ea, eb)
			}
			if sa.RecordsSent != len(opsA) || sb.RecordsSent != len(opsB) || sa.Applied != len(opsB) || sb.Applied != len(opsA) {
				t.Fatalf("stats %+v / %+v", sa, sb)
			}
			for i, sd := range []*side{a, b} {
				got := sd.contents(t)
				if len(got) != len(want) {
					t.Fatalf("side %d: %d records, want %d", i, len(got), len(want))
				}
				for k, w := range want {
					if got[k] != w {
						t.Fatalf("side %d: record %s differs (%d bytes, want %d)", i, k, len(got[k].Val), len(w.Val))
					}
				}
			}
			if sa, sb, ea, eb := syncPair(t, a, b, o, nil); ea != nil || eb != nil || sa.RecordsSent+sb.RecordsSent != 0 {
				t.Fatalf("second sync: %v / %v, %+v / %+v", ea, eb, sa, sb)
			}
		})
	}
}

// TestSyncLargeRecordHostile plays initiators that break the rules of
// LARGE records: each must fail with ErrProtocol (or the EOF it ends
// with) and commit nothing; one that announces 4 GiB and sends a few bytes
// must not make the responder allocate anywhere near that.
func TestSyncLargeRecordHostile(t *testing.T) {
	// The responder (10 records, at most ItemThreshold) answers the first
	// turn's fingerprint with its items, so the second turn may carry
	// records of any key.
	hello := func(w *wire.Writer) {
		w.Hello([]byte("t"))
		w.Ranges([]wire.Entry{{Kind: wire.KindFingerprint, Count: 5, Sum: bxtree.Digest{1}}})
		w.End(0)
		w.Ranges([]wire.Entry{{Kind: wire.KindSkip}})
	}
	cases := []struct {
		name   string
		script []byte
		want   error
	}{
		{"over the record limit", frames(func(w *wire.Writer) {
			hello(w)
			w.Large([]byte("k"), 5, 1<<20+1)
			w.Part([]byte("x"))
		}), ErrProtocol},
		{"empty large", frames(func(w *wire.Writer) {
			hello(w)
			w.Large([]byte("k"), 5, 0)
			w.End(0)
		}), ErrProtocol},
		{"other frame inside", frames(func(w *wire.Writer) {
			hello(w)
			w.Large([]byte("k"), 5, 10)
			w.Part([]byte("abc"))
			w.End(0)
		}), ErrProtocol},
		{"part overruns", frames(func(w *wire.Writer) {
			hello(w)
			w.Large([]byte("k"), 5, 4)
			w.Part([]byte("abc"))
			w.Part([]byte("de"))
		}), ErrProtocol},
		{"empty part", frames(func(w *wire.Writer) {
			hello(w)
			w.Large([]byte("k"), 5, 4)
			w.Part(nil)
		}), ErrProtocol},
		{"part without large", frames(func(w *wire.Writer) {
			hello(w)
			w.Part([]byte("abc"))
		}), ErrProtocol},
		{"announces more than it sends", frames(func(w *wire.Writer) {
			hello(w)
			w.Large([]byte("k"), 5, 1<<20)
			w.Part([]byte("abc"))
		}), io.ErrUnexpectedEOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sd := seededSide(t, 10)
			before := sd.contents(t)
			r := sd.replica(t)
			defer r.Tx.Rollback()
			_, err := Respond(context.Background(), rw{bytes.NewReader(c.script), io.Discard},
				func([]byte) (Replica, error) { return r, nil }, &Options{MaxRecord: 1 << 20})
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			r.Tx.Rollback()
			if got := sd.contents(t); len(got) != len(before) {
				t.Fatalf("contents changed: %d records, had %d", len(got), len(before))
			}
		})
	}
	t.Run("announced 4 GiB", func(t *testing.T) {
		sd := seededSide(t, 10)
		script := frames(func(w *wire.Writer) {
			hello(w)
			w.Large([]byte("k"), 5, 1<<32-1)
			for i := 0; i < 4; i++ {
				w.Part(bytes.Repeat([]byte{'v'}, 1000))
			}
		})
		r := sd.replica(t)
		defer r.Tx.Rollback()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		_, err := Respond(context.Background(), rw{bytes.NewReader(script), io.Discard},
			func([]byte) (Replica, error) { return r, nil }, nil)
		runtime.ReadMemStats(&m1)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("got %v, want an unexpected EOF", err)
		}
		if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 8<<20 {
			t.Fatalf("a peer that sent 4 KB of a 4 GiB record made us allocate %d bytes", alloc)
		}
	})
}

// dripPeer plays a peer on conn that sends first, then an empty RECORDS
// frame every interval (each one in time for the per-frame timeout) until
// conn fails; with interval 0 it stalls after first.
func dripPeer(conn net.Conn, first func(w *wire.Writer), interval time.Duration) {
	go io.Copy(io.Discard, conn)
	w := wire.NewWriter(conn, 0)
	first(w)
	if w.Flush() != nil || interval <= 0 {
		return
	}
	for {
		time.Sleep(interval)
		w.Records(nil)
		if w.Flush() != nil {
			return
		}
	}
}

// TestSyncSessionTimeLimit checks that a peer dripping frames, each well
// within Timeout, is given up once the session has lasted SessionTimeout,
// on either side, with ErrTimeLimit; and that a stalling responder is
// given up after Timeout.
func TestSyncSessionTimeLimit(t *testing.T) {
	o := &Options{Timeout: 2 * time.Second, SessionTimeout: 300 * time.Millisecond}
	run := func(t *testing.T, f func() error) error {
		t.Helper()
		done := make(chan error, 1)
		start := time.Now()
		go func() { done <- f() }()
		select {
		case err := <-done:
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("gave up after %v, want about %v", d, o.SessionTimeout)
			}
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("a dripping peer kept the session alive")
			return nil
		}
	}
	t.Run("initiator", func(t *testing.T) {
		sd := seededSide(t, 10)
		ca, cb := net.Pipe()
		defer ca.Close()
		defer cb.Close()
		go dripPeer(cb, func(w *wire.Writer) { w.Accept() }, 20*time.Millisecond)
		r := sd.replica(t)
		defer r.Tx.Rollback()
		err := run(t, func() error {
			_, err := Initiate(context.Background(), ca, []byte("t"), r, o)
			return err
		})
		if !errors.Is(err, ErrTimeLimit) {
			t.Fatalf("got %v, want ErrTimeLimit", err)
		}
	})
	t.Run("responder", func(t *testing.T) {
		sd := seededSide(t, 10)
		ca, cb := net.Pipe()
		defer ca.Close()
		defer cb.Close()
		go dripPeer(cb, func(w *wire.Writer) { w.Hello([]byte("t")) }, 20*time.Millisecond)
		r := sd.replica(t)
		defer r.Tx.Rollback()
		err := run(t, func() error {
			_, err := Respond(context.Background(), ca, func([]byte) (Replica, error) { return r, nil }, o)
			return err
		})
		if !errors.Is(err, ErrTimeLimit) {
			t.Fatalf("got %v, want ErrTimeLimit", err)
		}
	})
	t.Run("stalling responder", func(t *testing.T) {
		sd := seededSide(t, 10)
		ca, cb := net.Pipe()
		defer ca.Close()
		defer cb.Close()
		go dripPeer(cb, func(w *wire.Writer) { w.Accept() }, 0)
		r := sd.replica(t)
		defer r.Tx.Rollback()
		err := run(t, func() error {
			_, err := Initiate(context.Background(), ca, []byte("t"), r, &Options{Timeout: 100 * time.Millisecond})
			return err
		})
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("got %v, want a timeout", err)
		}
	})
}

// TestPeerText checks that a peer's ERROR message reaches the caller with
// its control characters escaped and its length bounded.
func TestPeerText(t *testing.T) {
	for in, want := range map[string]string{
		"disk on fire":                 "disk on fire",
		"nul\x00esc\x1b[31mred\x1b[0m": `nul\x00esc\x1b[31mred\x1b[0m`,
		"tab\tnl\ncr\rdel\x7f":         `tab\x09nl\x0acr\x0ddel\x7f`,
		"bidi\u202eevil\u2028ls":       `bidi\u202eevil\u2028ls`,
		"bad\xffutf8 é ok":             `bad\xffutf8 é ok`,
		"c1\u009bx":                    `c1\x9bx`,
	} {
		if got := PeerText(in); got != want {
			t.Errorf("PeerText(%q) = %q, want %q", in, got, want)
		}
	}
	long := PeerText(strings.Repeat("\x00", 5000))
	if len(long) > maxPeerText+10 || !strings.HasSuffix(long, "...") {
		t.Errorf("long message: %d bytes", len(long))
	}
	// End to end: the peer's ERROR frame.
	msg := "no\x00table\x1b]0;pwned\x07" + strings.Repeat("x", 900)
	sd := seededSide(t, 1)
	r := sd.replica(t)
	defer r.Tx.Rollback()
	script := frames(func(w *wire.Writer) { w.Error(msg) })
	_, err := Initiate(context.Background(), rw{bytes.NewReader(script), io.Discard}, []byte("t"), r, nil)
	if !errors.Is(err, ErrPeer) {
		t.Fatalf("got %v, want ErrPeer", err)
	}
	text := err.Error()
	if !strings.Contains(text, `no\x00table\x1b]0;pwned\x07`) || len(text) > maxPeerText+100 {
		t.Fatalf("error %q (%d bytes)", text, len(text))
	}
	for _, c := range text {
		if unicode.IsControl(c) {
			t.Fatalf("control character %q in %q", c, text)
		}
	}
}

// TestSyncTurnBudget synchronizes two sides that hold the same 4,000 keys
// under other versions, so that every key differs, with a MaxPending far
// below what listing them all in one turn takes: the sides must hand back
// the intervals they cannot answer within half of MaxPending and converge
// in more turns (before the fix the receiver of the turn that listed
// every item failed with "turn holds more than", for good: two SQL tables
// of 2 million rows loaded separately never synchronized).
func TestSyncTurnBudget(t *testing.T) {
	a, b := newSide(t), newSide(t)
	var clock uint64
	var ops []op
	for i := 0; i < 4000; i++ {
		ops = append(ops, op{key: fmt.Sprintf("key%06d", i), val: fmt.Sprintf("value %d", i)})
	}
	a.write(t, &clock, ops)
	b.write(t, &clock, ops)
	want := merged(a.model, b.model)
	o := &Options{MaxPending: 32 << 10}
	sa, sb, ea, eb := syncPair(t, a, b, o, nil)
	if ea != nil || eb != nil {
		t.Fatalf("sync: %v / %v", ea, eb)
	}
	t.Logf("%d + %d turns, %d + %d bytes", sa.Rounds, sb.Rounds, sa.BytesSent, sb.BytesSent)
	if sb.RecordsSent != 4000 || sa.Applied != 4000 || sa.RecordsSent != 0 {
		t.Fatalf("stats %+v / %+v, want b's 4000 records applied by a", sa, sb)
	}
	for i, sd := range []*side{a, b} {
		if got := sd.contents(t); !cmp.Equal(got, want) {
			t.Fatalf("side %d did not converge", i)
		}
	}
	if sa, sb, ea, eb := syncPair(t, a, b, o, nil); ea != nil || eb != nil || sa.RecordsSent+sb.RecordsSent != 0 {
		t.Fatalf("second sync: %v / %v, %+v / %+v", ea, eb, sa, sb)
	}
}
