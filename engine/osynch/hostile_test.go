package osynch

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/bxdb/bxdb/engine/bxtree"
	"github.com/bxdb/bxdb/engine/osynch/wire"
	"github.com/bxdb/bxdb/internal/mutation"
)

// rw is a connection whose peer is a fixed byte stream.
type rw struct {
	io.Reader
	io.Writer
}

// frames encodes a scripted peer's frames.
func frames(fn func(w *wire.Writer)) []byte {
	var b bytes.Buffer
	w := wire.NewWriter(&b, 0)
	fn(w)
	w.Flush()
	return b.Bytes()
}

// payload returns the type and payload of the one frame in b (what
// wire.Decode reads): without the length and the checksum.
func payload(b []byte) []byte { return b[4 : len(b)-wire.ChecksumSize] }

// reseal recomputes the checksum of the one frame in b after a test
// changed its bytes.
func reseal(b []byte) []byte {
	n := len(b) - wire.ChecksumSize
	binary.BigEndian.PutUint32(b[n:], crc32.Checksum(b[:n], crc32.MakeTable(crc32.Castagnoli)))
	return b
}

// seededSide returns a side holding n records.
func seededSide(t testing.TB, n int) *side {
	sd := newSide(t)
	var clock uint64
	ops := make([]op, n)
	for i := range ops {
		ops[i] = op{key: string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676)), val: "v"}
	}
	sd.write(t, &clock, ops)
	return sd
}

// TestSyncHostilePeer plays scripted peers that break the protocol: each
// run must end with an error wrapping the right sentinel, without a panic
// or a hang, and commit nothing.
func TestSyncHostilePeer(t *testing.T) {
	fp := func(w *wire.Writer, n int) {
		w.Ranges([]wire.Entry{{Kind: wire.KindFingerprint, Count: 5, Sum: bxtree.Digest{byte(n)}}})
		w.End(0)
	}
	cases := []struct {
		name      string
		responder bool // the script plays the responder (else the initiator)
		script    []byte
		want      error
	}{
		{"garbage", true, []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), wire.ErrTooLarge},
		{"not hello", false, frames(func(w *wire.Writer) { w.End(0) }), ErrProtocol},
		{"truncated", false, frames(func(w *wire.Writer) { w.Hello([]byte("t")) })[:7], io.ErrUnexpectedEOF},
		{"wrong version", false, func() []byte {
			b := frames(func(w *wire.Writer) { w.Hello([]byte("t")) })
			b[4+1+len(wire.Magic)] = 99
			return reseal(b)
		}(), ErrVersion},
		{"damaged in transit", false, func() []byte {
			// A byte of a record's value changed on the way: the frame's
			// checksum no longer matches.
			h := frames(func(w *wire.Writer) { w.Hello([]byte("t")) })
			r := frames(func(w *wire.Writer) {
				w.Records([]wire.Record{{Key: []byte("k"), Version: 1, Value: []byte("hello-QQQQ-world")}})
			})
			r[bytes.Index(r, []byte("QQQQ"))+2] = 'R'
			return append(h, r...)
		}(), wire.ErrCorrupt},
		{"ranges out of order", false, frames(func(w *wire.Writer) {
			w.Hello([]byte("t"))
			w.Ranges([]wire.Entry{{Kind: wire.KindSkip, Bound: []byte("m")}, {Kind: wire.KindSkip, Bound: []byte("c")}, {Kind: wire.KindSkip}})
			w.End(0)
		}), ErrProtocol},
		{"ranges do not reach +inf", false, frames(func(w *wire.Writer) {
			w.Hello([]byte("t"))
			w.Ranges([]wire.Entry{{Kind: wire.KindSkip, Bound: []byte("m")}})
			w.End(0)
		}), ErrProtocol},
		{"items out of order", false, frames(func(w *wire.Writer) {
			w.Hello([]byte("t"))
			w.Ranges([]wire.Entry{{Kind: wire.KindItems, Items: []wire.Item{{Key: []byte("b")}, {Key: []byte("a")}}}})
			w.End(0)
		}), ErrProtocol},
		{"item outside interval", false, frames(func(w *wire.Writer) {
			w.Hello([]byte("t"))
			w.Ranges([]wire.Entry{{Kind: wire.KindItems, Bound: []byte("b"), Items: []wire.Item{{Key: []byte("c")}}}, {Kind: wire.KindSkip}})
			w.End(0)
		}), ErrProtocol},
		{"final with open ranges", false, frames(func(w *wire.Writer) {
			w.Hello([]byte("t"))
			fp(w, 1)
			w.End(wire.FlagFinal)
		}), ErrProtocol},
		{"endless fingerprints", true, frames(func(w *wire.Writer) {
			w.Accept()
			for i := 0; i < 40; i++ {
				fp(w, i)
			}
		}), ErrProtocol},
		// Records and wants the other side did not ask for (before the
		// fix, the records were applied and the wanted records shipped).
		{"record in the first turn", false, frames(func(w *wire.Writer) {
			w.Hello([]byte("t"))
			w.Ranges([]wire.Entry{{Kind: wire.KindSkip}})
			w.Records([]wire.Record{{Key: []byte("zzz"), Version: 1 << 40, Value: []byte("injected")}})
			w.End(0)
		}), ErrProtocol},
		{"record outside the intervals asked", true, frames(func(w *wire.Writer) {
			// The initiator (100 records) sent one fingerprint: a
			// responder lists, splits or skips, it ships nothing.
			w.Accept()
			w.Ranges([]wire.Entry{{Kind: wire.KindSkip}})
			w.Records([]wire.Record{{Key: []byte("zzz"), Version: 1 << 40, Value: []byte("injected")}})
			w.End(wire.FlagFinal)
			w.Done()
		}), ErrProtocol},
		{"wants a key not listed", true, frames(func(w *wire.Writer) {
			w.Accept()
			w.Ranges([]wire.Entry{{Kind: wire.KindSkip}})
			w.Wants([][]byte{[]byte("aaa")})
			w.End(0)
		}), ErrProtocol},
		{"record not the item listed", false, frames(func(w *wire.Writer) {
			// The responder wants "aaa", whose listed version wins; the
			// record that comes has that version but another digest.
			w.Hello([]byte("t"))
			w.Ranges([]wire.Entry{{Kind: wire.KindItems, Items: []wire.Item{{Key: []byte("aaa"), Version: 1 << 40}}}})
			w.End(0)
			w.Records([]wire.Record{{Key: []byte("aaa"), Version: 1 << 40, Value: []byte("not the digest listed")}})
			w.Ranges([]wire.Entry{{Kind: wire.KindSkip}})
			w.End(wire.FlagFinal)
			w.Done()
		}), ErrProtocol},
		{"eof mid-session", true, frames(func(w *wire.Writer) { w.Accept() }), io.ErrUnexpectedEOF},
		{"peer error", true, frames(func(w *wire.Writer) { w.Error("disk on fire") }), ErrPeer},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sd := seededSide(t, 100)
			before := sd.contents(t)
			r := sd.replica(t)
			conn := rw{bytes.NewReader(c.script), io.Discard}
			o := &Options{MaxRounds: 10, MaxFrame: 64 << 10}
			var err error
			done := make(chan struct{})
			go func() {
				defer close(done)
				if c.responder {
					_, err = Initiate(context.Background(), conn, []byte("t"), r, o)
				} else {
					_, err = Respond(context.Background(), conn, func([]byte) (Replica, error) { return r, nil }, o)
				}
			}()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("hung")
			}
			r.Tx.Rollback()
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if got := sd.contents(t); len(got) != len(before) {
				t.Fatalf("contents changed: %d records, had %d", len(got), len(before))
			}
		})
	}
}

// TestSyncSilentPeerTimesOut checks that a peer that stops talking is
// given up after Timeout, and that cancelling the context interrupts a
// blocked read at once.
func TestSyncSilentPeerTimesOut(t *testing.T) {
	sd := seededSide(t, 10)
	ca, cb := net.Pipe()
	defer cb.Close()
	go io.Copy(io.Discard, cb) // reads the HELLO, never answers
	r := sd.replica(t)
	defer r.Tx.Rollback()
	start := time.Now()
	_, err := Initiate(context.Background(), ca, []byte("t"), r, &Options{Timeout: 200 * time.Millisecond})
	if err == nil || time.Since(start) > 10*time.Second {
		t.Fatalf("got %v after %v, want a timeout", err, time.Since(start))
	}
	ca2, cb2 := net.Pipe()
	defer cb2.Close()
	go io.Copy(io.Discard, cb2)
	r2 := sd.replica(t)
	defer r2.Tx.Rollback()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = Initiate(ctx, ca2, []byte("t"), r2, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// FuzzRespond feeds arbitrary bytes to a responder as the initiator's
// stream: it must return, without panicking.
func FuzzRespond(f *testing.F) {
	for _, s := range respondSeeds() {
		f.Add(s)
	}
	sd := seededSide(f, 60)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRespondCheck(t, sd, data) })
}

// respondSeeds are initiator streams for FuzzRespond.
func respondSeeds() [][]byte {
	return [][]byte{frames(func(w *wire.Writer) {
		w.Hello([]byte("t"))
		w.Ranges([]wire.Entry{{Kind: wire.KindItems, Items: []wire.Item{{Key: []byte("aaa")}, {Key: []byte("zz")}}}})
		w.End(0)
		w.Records([]wire.Record{{Key: []byte("q"), Version: 9, Value: []byte("x")}})
		w.Wants([][]byte{[]byte("baa")})
		w.Ranges([]wire.Entry{{Kind: wire.KindFingerprint, Bound: []byte("m"), Count: 3}, {Kind: wire.KindSkip}})
		w.End(wire.FlagFinal)
	}), frames(func(w *wire.Writer) {
		w.Hello([]byte("t"))
		w.Ranges([]wire.Entry{{Kind: wire.KindSkip}})
		w.Large([]byte("baa"), 9, 7)
		w.Part([]byte("abc"))
		w.Part([]byte("defg"))
		w.Records([]wire.Record{{Key: []byte("q"), Version: 9, Value: []byte("x")}})
		w.End(0)
	}), frames(func(w *wire.Writer) { w.Done() })}
}

// fuzzRespondCheck runs a responder on data as the initiator's stream.
func fuzzRespondCheck(t *testing.T, sd *side, data []byte) {
	r := sd.replica(t)
	defer r.Tx.Rollback()
	Respond(context.Background(), rw{bytes.NewReader(data), io.Discard}, func([]byte) (Replica, error) { return r, nil }, &Options{MaxRounds: 8})
}

// FuzzDecode checks that no input makes the frame decoder panic, and that
// a decoded RANGES frame re-encodes to the same bytes.
func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds() {
		f.Add(s)
	}
	f.Fuzz(fuzzDecodeCheck)
}

// decodeSeeds are frames for FuzzDecode.
func decodeSeeds() [][]byte {
	return [][]byte{payload(frames(func(w *wire.Writer) {
		w.Ranges([]wire.Entry{{Kind: wire.KindItems, Bound: []byte("k"), Items: []wire.Item{{Key: []byte("a"), Version: 3, Dead: true}}}, {Kind: wire.KindSkip}})
	})), {5, 1, 0, 7}}
}

// fuzzDecodeCheck is FuzzDecode's check of one frame.
func fuzzDecodeCheck(t *testing.T, data []byte) {
	if len(data) == 0 {
		return
	}
	fr, err := wire.Decode(data)
	if err != nil {
		if !errors.Is(err, wire.ErrCorrupt) {
			t.Fatalf("error %v does not wrap ErrCorrupt", err)
		}
		return
	}
	if fr.Type == wire.TypeRanges {
		again := payload(frames(func(w *wire.Writer) { w.Ranges(fr.Entries) }))
		if !bytes.Equal(again, data) {
			t.Fatalf("re-encoding differs:\n%x\n%x", data, again)
		}
	}
}

// TestHostileMutations runs FuzzRespond's and FuzzDecode's checks on
// random mutations of their seeds (bytes overwritten, extreme values,
// cuts), so that the default test run meets what the fuzzers would.
// BXDB_MUTATION_SEED replays a run.
func TestHostileMutations(t *testing.T) {
	seed := mutation.Seed(t)
	rng := rand.New(rand.NewPCG(seed, 6))
	mutate := func(s []byte) []byte { return mutation.Bytes(rng, s) }
	sd := seededSide(t, 60)
	rs, ds := respondSeeds(), decodeSeeds()
	for i := 0; i < 2000; i++ {
		b := mutate(rs[rng.IntN(len(rs))])
		if !t.Run("respond", func(t *testing.T) { fuzzRespondCheck(t, sd, b) }) {
			t.Fatalf("seed %d: respond mutation %d failed", seed, i)
		}
		d := mutate(ds[rng.IntN(len(ds))])
		if !t.Run("decode", func(t *testing.T) { fuzzDecodeCheck(t, d) }) {
			t.Fatalf("seed %d: decode mutation %d failed", seed, i)
		}
	}
}

// failingReplica is a replica whose Apply always fails, like a disk that
// filled up.
type failingReplica struct{ *TreeReplica }

func (failingReplica) Apply(Record) error { return errors.New("disk on fire") }

// TestSyncErrorReachesBusyPeer: a responder that fails on the first record
// of a long turn, while the initiator is still writing the rest of it,
// must get its ERROR to the initiator over TCP (before the fix it closed
// the connection with the turn's bytes unread, which reset it, and the
// initiator saw "connection reset by peer" or "broken pipe" instead of
// the reason).
func TestSyncErrorReachesBusyPeer(t *testing.T) {
	a, b := newSide(t), newSide(t)
	var clock uint64
	var ops []op
	for i := 0; i < 3000; i++ {
		ops = append(ops, op{key: fmt.Sprintf("key%06d", i), val: strings.Repeat("v", 10000)})
	}
	a.write(t, &clock, ops)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		rb := b.replica(t)
		defer rb.Tx.Rollback()
		_, err = Respond(context.Background(), c, func([]byte) (Replica, error) { return failingReplica{rb}, nil }, nil)
		done <- err
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	ra := a.replica(t)
	defer ra.Tx.Rollback()
	start := time.Now()
	_, err = Initiate(context.Background(), c, []byte("t"), ra, nil)
	c.Close() // as SYNC TABLE does: the responder stops lingering
	if eb := <-done; eb == nil || !strings.Contains(eb.Error(), "disk on fire") {
		t.Fatalf("responder: %v", eb)
	}
	if !errors.Is(err, ErrPeer) || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("initiator: %v, want the responder's error", err)
	}
	if d := time.Since(start); d > lingerTime {
		t.Fatalf("the responder's error took %v", d)
	}
}

// TestSyncNotAPeer: a peer that is another kind of server or client (its
// first bytes read as a frame length of hundreds of megabytes) gets an
// error that says it does not speak the protocol, not only "frame too
// large".
func TestSyncNotAPeer(t *testing.T) {
	cases := []struct {
		name      string
		responder bool // the stream plays the responder
		stream    string
	}{
		{"HTTP server", true, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"},
		{"MySQL server", true, "J\x00\x00\x00\x0a8.0.36\x00\x08\x00\x00\x00"},
		{"SSH server", true, "SSH-2.0-OpenSSH_9.6\r\n"},
		{"TLS alert", true, "\x15\x03\x01\x00\x02\x02\x46"},
		{"HTTP client", false, "GET / HTTP/1.1\r\nHost: db\r\n\r\n"},
	}
	for _, c := range cases {
		sd := seededSide(t, 5)
		r := sd.replica(t)
		conn := rw{strings.NewReader(c.stream), io.Discard}
		var err error
		if c.responder {
			_, err = Initiate(context.Background(), conn, []byte("t"), r, nil)
		} else {
			_, err = Respond(context.Background(), conn, func([]byte) (Replica, error) { return r, nil }, nil)
		}
		r.Tx.Rollback()
		if !errors.Is(err, wire.ErrTooLarge) || !strings.Contains(err.Error(), "does not speak bxdb's synchronization protocol") {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
