package osynch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bxdb/bxdb/engine/bxtree"
	"github.com/bxdb/bxdb/engine/osynch/wire"
)

// Options tunes a synchronization; the zero value (or nil) gives the
// defaults.
type Options struct {
	// Fanout is the number of intervals a differing interval is split
	// into (default 16, at least 2).
	Fanout int
	// ItemThreshold is the largest number of items a side lists instead
	// of splitting further (default 16).
	ItemThreshold int
	// MaxFrame limits the length of frames read and written (default
	// wire.MaxFrame, 4 MiB). A record longer than a frame travels in
	// several (LARGE and PART frames).
	MaxFrame int
	// MaxRecord limits the length of a record's value received from the
	// peer (default bxtree.MaxValueSize, the longest value a tree
	// stores). A received value is held in memory that grows with the
	// bytes that actually arrived, never with the length announced.
	MaxRecord int64
	// MaxPending limits the bytes of one received turn that wait for the
	// reply (its range entries and wanted keys, counted in their wire
	// encoding, which they take about four times in memory; default 64
	// MiB). A side keeps the turns it sends within half of its own
	// MaxPending (see the package documentation, invariant 2).
	MaxPending int
	// Timeout bounds every read of a frame and every write on a
	// connection that has deadlines (a net.Conn; default 30 s).
	Timeout time.Duration
	// SessionTimeout bounds the whole synchronization, from the first
	// frame to the last (default 10 minutes): a peer that sends or reads
	// slowly, or drips frames that each arrive within Timeout, cannot
	// keep a session alive beyond it. It is enforced through the
	// connection's deadlines, and between frames on any connection.
	SessionTimeout time.Duration
	// MaxRounds bounds the number of turns a side receives (default 256).
	MaxRounds int
	// DigestKey is the key of the replicas' record digests (nil: plain
	// SHA-256; see bxtree.Options.DigestKey). Both sides must use the
	// same one: it decides ties between equal versions.
	DigestKey []byte
}

// withDefaults returns o with zero fields set to their defaults.
func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.Fanout < 2 {
		r.Fanout = 16
	}
	if r.ItemThreshold < 1 {
		r.ItemThreshold = 16
	}
	if r.MaxFrame <= 0 {
		r.MaxFrame = wire.MaxFrame
	}
	if r.MaxFrame < 64<<10 {
		r.MaxFrame = 64 << 10
	}
	if r.MaxRecord <= 0 || r.MaxRecord > bxtree.MaxValueSize {
		r.MaxRecord = bxtree.MaxValueSize
	}
	if r.MaxPending <= 0 {
		r.MaxPending = 64 << 20
	}
	if r.Timeout <= 0 {
		r.Timeout = 30 * time.Second
	}
	if r.SessionTimeout <= 0 {
		r.SessionTimeout = 10 * time.Minute
	}
	if r.MaxRounds <= 0 {
		r.MaxRounds = 256
	}
	return r
}

// Stats describes one synchronization, as seen by one side.
type Stats struct {
	Rounds          int   // turns received from the peer
	BytesSent       int64 // bytes written to the connection
	BytesReceived   int64 // bytes read from the connection
	RecordsSent     int   // records shipped to the peer
	RecordsReceived int   // records received from the peer
	Applied         int   // received records that won and were applied
}

var (
	// ErrProtocol is returned (wrapped) when the peer breaks the protocol:
	// an unexpected frame, ranges that do not cover the key space in
	// order, items out of order or outside their interval, a record or a
	// wanted key this side did not ask for or list, a wanted record that
	// is not the item listed, too many rounds, a turn too large to hold.
	ErrProtocol = errors.New("osynch: protocol violation")
	// ErrPeer is returned (wrapped, with the peer's message) when the peer
	// sends ERROR: it gave up, and nothing was committed on this side.
	ErrPeer = errors.New("osynch: peer failed")
	// ErrVersion is returned when the peers speak different versions.
	ErrVersion = errors.New("osynch: unsupported protocol version")
	// ErrTimeLimit is returned (wrapped) when a synchronization outlives
	// Options.SessionTimeout.
	ErrTimeLimit = errors.New("osynch: synchronization time limit exceeded")
)

// protof returns an error wrapping ErrProtocol.
func protof(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrProtocol, fmt.Sprintf(format, args...))
}

// deadliner is the part of net.Conn the session uses for timeouts.
type deadliner interface {
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// session is one side of a synchronization.
type session struct {
	r     Replica
	o     Options
	conn  io.ReadWriter
	dl    deadliner // nil if conn has no deadlines
	dlMu  sync.Mutex
	dead  bool          // the context was cancelled: deadlines stay in the past
	end   time.Time     // start + SessionTimeout: no deadline is set past it
	wmax  time.Duration // the write deadline of timedWriter: Timeout, 1 s for a last ERROR
	rd    *wire.Reader
	w     *wire.Writer
	stats Stats

	responder bool // Respond's side: it lingers after an ERROR (see linger)

	// The turn being received, kept until the reply is written.
	in      []wire.Entry // copied range entries
	wants   [][]byte     // copied wanted keys
	pending int          // bytes held by in and wants
	final   bool         // the turn was FINAL

	// Output scratch.
	out     []wire.Entry
	held    int // bytes the peer holds for this turn's entries and wants (its pending)
	recs    []wire.Record
	recSize int
	wanted  []wire.Item // the peer's items whose records this turn wants

	// What this side's last turn asked of the peer, which the peer's next
	// turn must keep to (see asked).
	sent       []wire.Entry // the range entries
	sentWanted []wire.Item  // the wanted items, in key order
}

// Initiate runs the initiating side of a synchronization of r over conn:
// it sends subject (which the responder must accept) and reconciles; when
// it returns nil, both sides have committed. On error the caller rolls r
// back (a no-op if r committed just before the connection failed); each
// side then holds all of the synchronization or none of it, and a later
// synchronization finishes the work.
func Initiate(ctx context.Context, conn io.ReadWriter, subject []byte, r Replica, o *Options) (Stats, error) {
	s := newSession(conn, o)
	stop := s.watch(ctx)
	defer stop()
	err := s.initiate(subject, r)
	return s.finish(ctx, err)
}

// Respond runs the responding side over conn: it reads the initiator's
// HELLO, asks open for the replica of its subject (an error is sent to the
// initiator), and reconciles. On success the replica has been committed;
// on error the caller rolls back whatever open returned.
func Respond(ctx context.Context, conn io.ReadWriter, open func(subject []byte) (Replica, error), o *Options) (Stats, error) {
	s := newSession(conn, o)
	s.responder = true
	stop := s.watch(ctx)
	defer stop()
	err := s.respond(open)
	return s.finish(ctx, err)
}

// newSession returns a session over conn, whose time starts now.
func newSession(conn io.ReadWriter, o *Options) *session {
	s := &session{o: o.withDefaults(), conn: conn}
	s.end = time.Now().Add(s.o.SessionTimeout)
	s.wmax = s.o.Timeout
	s.dl, _ = conn.(deadliner)
	s.rd = wire.NewReader(conn, s.o.MaxFrame)
	s.w = wire.NewWriter(timedWriter{s}, s.o.MaxFrame)
	return s
}

// timedWriter writes to the session's connection, each write under a
// fresh write deadline (wmax from now, never past the session's end): the
// buffered writer may send at any frame, not only at flush.
type timedWriter struct{ s *session }

// Write implements io.Writer.
func (t timedWriter) Write(p []byte) (int, error) {
	t.s.deadline(false, t.s.wmax)
	return t.s.conn.Write(p)
}

// watch makes ctx's cancellation interrupt blocked reads and writes (on a
// connection with deadlines); the returned function stops watching.
func (s *session) watch(ctx context.Context) func() {
	if s.dl == nil || ctx.Done() == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-ctx.Done():
			s.dlMu.Lock()
			s.dead = true
			past := time.Unix(1, 0)
			s.dl.SetReadDeadline(past)
			s.dl.SetWriteDeadline(past)
			s.dlMu.Unlock()
		case <-done:
		}
	}()
	return func() { close(done); <-finished }
}

// finish tells the peer about a local failure (best effort), prefers the
// context's error when it caused the failure, and fills in the byte counts.
func (s *session) finish(ctx context.Context, err error) (Stats, error) {
	if err != nil && !errors.Is(err, ErrPeer) && ctx.Err() == nil && !errors.Is(err, ErrTimeLimit) {
		s.wmax = time.Second // a peer that does not read is not waited for
		if s.w.Error(err.Error()) == nil && s.w.Flush() == nil && s.responder {
			s.linger()
		}
	}
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("osynch: %w (%v)", ctx.Err(), err)
	}
	s.stats.BytesSent = s.w.Written()
	s.stats.BytesReceived = s.rd.Read()
	return s.stats, err
}

// Lingering after an ERROR (see linger).
const (
	lingerTime  = 2 * time.Second
	lingerBytes = 256 << 20
)

// linger reads and drops what the peer still sends after this side sent
// it an ERROR, until the peer hangs up, for at most lingerTime and
// lingerBytes: a TCP connection closed with unread bytes is reset, and the
// reset can destroy the ERROR before the peer reads it (a peer writing a
// long turn reads only once it is written), leaving it "connection reset
// by peer" instead of the reason. Only on a connection with deadlines, and
// only the responder does it (see session.responder).
func (s *session) linger() {
	if s.dl == nil {
		return
	}
	s.deadline(true, lingerTime)
	io.CopyN(io.Discard, s.conn, lingerBytes)
}

// deadline sets the read (or write) deadline d from now, or at the
// session's end if that comes first, unless the context was cancelled.
func (s *session) deadline(read bool, d time.Duration) {
	if s.dl == nil {
		return
	}
	s.dlMu.Lock()
	defer s.dlMu.Unlock()
	if s.dead {
		return
	}
	t := time.Now().Add(d)
	if t.After(s.end) {
		t = s.end
	}
	if read {
		s.dl.SetReadDeadline(t)
	} else {
		s.dl.SetWriteDeadline(t)
	}
}

// overtime returns an ErrTimeLimit error if the session has reached its
// end (then err, the failure it caused, is kept as text), else err.
func (s *session) overtime(err error) error {
	if !time.Now().Before(s.end) {
		if err == nil {
			return fmt.Errorf("%w (%v)", ErrTimeLimit, s.o.SessionTimeout)
		}
		return fmt.Errorf("%w (%v): %v", ErrTimeLimit, s.o.SessionTimeout, err)
	}
	return err
}

// read returns the next frame, turning ERROR frames into ErrPeer (with
// the peer's message made printable and short, see PeerText).
func (s *session) read() (*wire.Frame, error) {
	if err := s.overtime(nil); err != nil {
		return nil, err
	}
	s.deadline(true, s.o.Timeout)
	f, err := s.rd.ReadFrame()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		s.dlMu.Lock()
		stalled := !s.dead && errors.Is(err, os.ErrDeadlineExceeded)
		s.dlMu.Unlock()
		if stalled && time.Now().Before(s.end) {
			err = fmt.Errorf("the peer sent nothing for %v: %w", s.o.Timeout, err)
		}
		return nil, s.overtime(fmt.Errorf("osynch: reading from peer: %w", err))
	}
	if f.Type == wire.TypeError {
		return nil, fmt.Errorf("%w: %s", ErrPeer, PeerText(f.Message))
	}
	return f, nil
}

// flush sends the buffered frames.
func (s *session) flush() error {
	if err := s.w.Flush(); err != nil {
		return s.overtime(fmt.Errorf("osynch: writing to peer: %w", err))
	}
	return nil
}

// maxPeerText is the longest peer message PeerText keeps, in bytes.
const maxPeerText = 512

// PeerText returns msg, text that came from a peer, fit for an error
// message or a log line: control and format characters (NUL, ESC and so
// ANSI sequences, bidirectional overrides, line separators, ...) and
// bytes that are not UTF-8 are shown as Go escapes (\x1b, \u202e), and
// the result is cut after about 512 bytes (marked with "...").
func PeerText(msg string) string {
	var b strings.Builder
	for i := 0; i < len(msg); {
		if b.Len() >= maxPeerText {
			b.WriteString("...")
			break
		}
		r, n := utf8.DecodeRuneInString(msg[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, msg[i])
		case unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp):
			if r <= 0xff {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(msg[i : i+n])
		}
		i += n
	}
	return b.String()
}

// initiate is Initiate after setup.
func (s *session) initiate(subject []byte, r Replica) error {
	s.r = r
	if err := s.w.Hello(subject); err != nil {
		return err
	}
	if err := s.flush(); err != nil {
		return err
	}
	f, err := s.read()
	if err != nil {
		return foreign(err)
	}
	if f.Type != wire.TypeAccept {
		return protof("got frame type %d, want ACCEPT", f.Type)
	}
	if f.Version != wire.Version {
		return fmt.Errorf("%w: peer speaks %d, we speak %d", ErrVersion, f.Version, wire.Version)
	}
	// The first turn: the whole key space, as items or one fingerprint.
	all, err := r.Summary(nil, nil)
	if err != nil {
		return err
	}
	if all.Count <= uint64(s.o.ItemThreshold) {
		if err := s.listItems(nil, nil); err != nil {
			return err
		}
	} else {
		s.emit(wire.Entry{Kind: wire.KindFingerprint, Count: all.Count, Sum: all.Digest})
	}
	if err := s.endTurn(false); err != nil {
		return err
	}
	return s.loop()
}

// foreign explains err, the failure to read a peer's first frame, when
// its length is past the limit: the peer is then most likely another kind
// of server or client (HTTP, TLS, MySQL, SSH, ..., whose first four bytes
// read as a length of hundreds of megabytes), and "frame too large" alone
// would not say so.
func foreign(err error) error {
	if errors.Is(err, wire.ErrTooLarge) {
		return fmt.Errorf("osynch: the peer does not speak bxdb's synchronization protocol (is it a bxdb serve, "+
			"or a SYNC TABLE?): %w", err)
	}
	return err
}

// respond is Respond after setup.
func (s *session) respond(open func(subject []byte) (Replica, error)) error {
	f, err := s.read()
	if err != nil {
		return foreign(err)
	}
	if f.Type != wire.TypeHello {
		return protof("got frame type %d, want HELLO", f.Type)
	}
	if f.Version != wire.Version {
		return fmt.Errorf("%w: peer speaks %d, we speak %d", ErrVersion, f.Version, wire.Version)
	}
	r, err := open(bytes.Clone(f.Subject))
	if err != nil {
		return err
	}
	s.r = r
	if err := s.w.Accept(); err != nil {
		return err
	}
	if err := s.flush(); err != nil {
		return err
	}
	return s.loop()
}

// loop receives turns and answers them until one side's turn is final.
func (s *session) loop() error {
	for {
		if err := s.receive(); err != nil {
			return err
		}
		if s.final {
			// The peer settled everything: commit, tell it so, and wait
			// until it has committed too.
			if err := s.r.Commit(); err != nil {
				return err
			}
			if err := s.w.Done(); err != nil {
				return err
			}
			if err := s.flush(); err != nil {
				return err
			}
			return s.readDone()
		}
		final, err := s.reply()
		if err != nil {
			return err
		}
		if final {
			if err := s.readDone(); err != nil {
				return err
			}
			if err := s.r.Commit(); err != nil {
				return err
			}
			if err := s.w.Done(); err != nil {
				return err
			}
			return s.flush()
		}
	}
}

// readDone reads the peer's DONE: it has committed.
func (s *session) readDone() error {
	f, err := s.read()
	if err != nil {
		return err
	}
	if f.Type != wire.TypeDone {
		return protof("got frame type %d, want DONE", f.Type)
	}
	return nil
}

// receive reads one turn: it applies the records at once and keeps the
// range entries and wanted keys for the reply.
func (s *session) receive() error {
	s.stats.Rounds++
	if s.stats.Rounds > s.o.MaxRounds {
		return protof("more than %d rounds", s.o.MaxRounds)
	}
	s.in, s.wants, s.pending, s.final = s.in[:0], s.wants[:0], 0, false
	var last []byte // bound of the last entry so far
	started, ended := false, false
	for {
		f, err := s.read()
		if err != nil {
			return err
		}
		switch f.Type {
		case wire.TypeRanges:
			for i := range f.Entries {
				e := &f.Entries[i]
				if ended {
					return protof("range entry after the +infinity bound")
				}
				lo := last
				if started && lo == nil {
					return protof("range entry after the +infinity bound")
				}
				if e.Bound != nil && started && bytes.Compare(e.Bound, lo) <= 0 {
					return protof("range bounds out of order")
				}
				if e.Kind == wire.KindItems {
					if err := checkItems(e.Items, lo, e.Bound, started); err != nil {
						return err
					}
				}
				started = true
				ended = e.Bound == nil
				s.pending += wire.EntrySize(e)
				if s.pending > s.o.MaxPending {
					return protof("turn holds more than %d bytes", s.o.MaxPending)
				}
				s.in = append(s.in, cloneEntry(e))
				last = s.in[len(s.in)-1].Bound
			}
		case wire.TypeRecords:
			for i := range f.Records {
				want, err := s.asked(f.Records[i].Key)
				if err != nil {
					return err
				}
				if err := s.take(&f.Records[i], want); err != nil {
					return err
				}
			}
		case wire.TypeLarge:
			if err := s.takeLarge(f); err != nil {
				return err
			}
		case wire.TypeWants:
			for _, k := range f.Keys {
				if !s.listed(k) {
					return protof("the peer wants %s, which this side did not list", keyText(k))
				}
				s.pending += len(k) + 24
				if s.pending > s.o.MaxPending {
					return protof("turn holds more than %d bytes", s.o.MaxPending)
				}
				s.wants = append(s.wants, bytes.Clone(k))
			}
		case wire.TypeEnd:
			if !ended {
				return protof("turn does not cover the key space")
			}
			s.final = f.Flags&wire.FlagFinal != 0
			if s.final {
				if len(s.wants) > 0 {
					return protof("final turn wants records")
				}
				for _, e := range s.in {
					if e.Kind != wire.KindSkip {
						return protof("final turn leaves intervals open")
					}
				}
			}
			return nil
		default:
			return protof("got frame type %d inside a turn", f.Type)
		}
	}
}

// checkItems verifies that items are in increasing key order inside
// [lo, hi) (lo = -infinity unless bounded).
func checkItems(items []wire.Item, lo, hi []byte, bounded bool) error {
	for j := range items {
		k := items[j].Key
		if j > 0 && bytes.Compare(items[j-1].Key, k) >= 0 {
			return protof("items out of order")
		}
		if bounded && bytes.Compare(k, lo) < 0 || hi != nil && bytes.Compare(k, hi) >= 0 {
			return protof("item outside its interval")
		}
	}
	return nil
}

// cloneEntry copies e out of the reader's buffer.
func cloneEntry(e *wire.Entry) wire.Entry {
	c := *e
	c.Bound = cloneBound(e.Bound)
	if e.Items != nil {
		c.Items = make([]wire.Item, len(e.Items))
		for i, it := range e.Items {
			it.Key = bytes.Clone(it.Key)
			if it.Key == nil {
				it.Key = []byte{}
			}
			c.Items[i] = it
		}
	}
	return c
}

// cloneBound copies a bound, keeping nil (+infinity) apart from empty.
func cloneBound(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// asked checks that the peer may send a record under key: the key is one
// this side's last turn wanted (then asked returns the peer's item for it,
// which the record must match), or lies in an interval that turn listed
// (ITEMS) or said it held nothing of (a FINGERPRINT of count 0), where the
// peer ships the records it wins. Any other record breaks the protocol:
// the peer has no reason to send it.
func (s *session) asked(key []byte) (*wire.Item, error) {
	w := s.sentWanted
	if i := sort.Search(len(w), func(i int) bool { return bytes.Compare(w[i].Key, key) >= 0 }); i < len(w) && bytes.Equal(w[i].Key, key) {
		return &w[i], nil
	}
	if e := s.sentEntry(key); e != nil && (e.Kind == wire.KindItems || e.Kind == wire.KindFingerprint && e.Count == 0) {
		return nil, nil
	}
	return nil, protof("the peer sent record %s, which this side did not ask for", keyText(key))
}

// listed reports whether this side's last turn listed key in an ITEMS
// entry (the only keys the peer may want).
func (s *session) listed(key []byte) bool {
	e := s.sentEntry(key)
	if e == nil || e.Kind != wire.KindItems {
		return false
	}
	it := e.Items
	i := sort.Search(len(it), func(i int) bool { return bytes.Compare(it[i].Key, key) >= 0 })
	return i < len(it) && bytes.Equal(it[i].Key, key)
}

// sentEntry returns the entry of this side's last turn whose interval
// holds key (nil if that turn had none: the initiator's first turn, which
// the responder receives, follows no turn of the responder).
func (s *session) sentEntry(key []byte) *wire.Entry {
	es := s.sent
	i := sort.Search(len(es), func(i int) bool { return es[i].Bound == nil || bytes.Compare(key, es[i].Bound) < 0 })
	if i == len(es) {
		return nil
	}
	return &es[i]
}

// keyText is a key for an error message: quoted, cut after 64 bytes.
func keyText(k []byte) string {
	if len(k) > 64 {
		return fmt.Sprintf("%q... (%d bytes)", k[:64], len(k))
	}
	return fmt.Sprintf("%q", k)
}

// take applies a received record if it supersedes what this side holds.
// want is the peer's item for the record's key if this side wanted it
// (nil otherwise): the record must be that item's.
func (s *session) take(wr *wire.Record, want *wire.Item) error {
	s.stats.RecordsReceived++
	rec := Record{Item: Item{Key: wr.Key, Version: wr.Version, Dead: wr.Dead}, Value: wr.Value}
	rec.Digest = bxtree.RecordDigest(s.o.DigestKey, rec.Key, rec.Version, rec.Value)
	if want != nil && (want.Version != rec.Version || want.Dead != rec.Dead || want.Digest != rec.Digest) {
		return protof("the peer sent record %s (version %d), which is not the one it listed (version %d): its items or its digests are wrong",
			keyText(rec.Key), rec.Version, want.Version)
	}
	mine, ok, err := s.r.Get(rec.Key)
	if err != nil {
		return err
	}
	if ok && !rec.Wins(mine.Item) {
		return nil
	}
	if err := s.r.Apply(rec); err != nil {
		return err
	}
	s.stats.Applied++
	return nil
}

// takeLarge receives the record a LARGE frame f starts, reading its PART
// frames, and takes it. The value grows with the chunks that arrive (at
// most doubling, never past the announced length), so the memory a peer
// makes this side hold follows what it sent, up to MaxRecord.
func (s *session) takeLarge(f *wire.Frame) error {
	n := f.Length
	if n == 0 {
		return protof("LARGE record without a value")
	}
	if n > uint64(s.o.MaxRecord) {
		return protof("record of %d bytes exceeds the limit of %d", n, s.o.MaxRecord)
	}
	rec := wire.Record{Key: bytes.Clone(f.Records[0].Key), Version: f.Records[0].Version}
	if rec.Key == nil {
		rec.Key = []byte{}
	}
	want, err := s.asked(rec.Key)
	if err != nil {
		return err
	}
	var val []byte
	for uint64(len(val)) < n {
		p, err := s.read()
		if err != nil {
			return err
		}
		if p.Type != wire.TypePart {
			return protof("got frame type %d inside a LARGE record", p.Type)
		}
		c := p.Chunk
		if len(c) == 0 || uint64(len(c)) > n-uint64(len(val)) {
			return protof("PART of %d bytes in a LARGE record of %d with %d received", len(c), n, len(val))
		}
		if len(val)+len(c) > cap(val) {
			grown := make([]byte, len(val), min(max(2*uint64(cap(val)), uint64(len(val)+len(c))), n))
			copy(grown, val)
			val = grown
		}
		val = append(val, c...)
	}
	rec.Value = val
	return s.take(&rec, want)
}

// reply answers the received turn and reports whether the answer was
// final.
func (s *session) reply() (final bool, err error) {
	s.out, s.held, s.recs, s.recSize, s.wanted = s.out[:0], 0, s.recs[:0], 0, s.wanted[:0]
	var lo []byte
	for i := 0; i < len(s.in); i++ {
		e := &s.in[i]
		if e.Kind != wire.KindSkip && s.held >= s.o.MaxPending/2 {
			// The turn is as large as the peer should hold: hand the rest
			// of this run of open intervals back as one fingerprint.
			for i+1 < len(s.in) && s.in[i+1].Kind != wire.KindSkip {
				i++
			}
			hi := s.in[i].Bound
			sum, err := s.r.Summary(lo, hi)
			if err != nil {
				return false, err
			}
			s.emit(wire.Entry{Kind: wire.KindFingerprint, Bound: hi, Count: sum.Count, Sum: sum.Digest})
			lo = hi
			continue
		}
		if err := s.answer(lo, e); err != nil {
			return false, err
		}
		lo = e.Bound
	}
	for _, k := range s.wants {
		if err := s.send(k); err != nil {
			return false, err
		}
	}
	final = len(s.wanted) == 0
	for _, e := range s.out {
		if e.Kind != wire.KindSkip {
			final = false
		}
	}
	return final, s.endTurn(final)
}

// answer replies to the peer's entry e for [lo, e.Bound).
func (s *session) answer(lo []byte, e *wire.Entry) error {
	hi := e.Bound
	switch e.Kind {
	case wire.KindSkip:
		s.emit(wire.Entry{Kind: wire.KindSkip, Bound: hi})
		return nil
	case wire.KindItems:
		return s.diffItems(lo, hi, e.Items)
	}
	mine, err := s.r.Summary(lo, hi)
	if err != nil {
		return err
	}
	switch {
	case mine.Count == e.Count && mine.Digest == e.Sum:
		s.emit(wire.Entry{Kind: wire.KindSkip, Bound: hi})
		return nil
	case e.Count == 0:
		// The peer has nothing here: ship everything.
		return s.diffItems(lo, hi, nil)
	case mine.Count <= uint64(s.o.ItemThreshold):
		return s.listItems(lo, hi)
	}
	parts, err := s.r.Split(lo, hi, s.o.Fanout)
	if err != nil {
		return err
	}
	if len(parts) < 2 {
		// No split makes progress (the items sit on one key of each
		// tree): list them, however many.
		return s.listItems(lo, hi)
	}
	if len(parts) == 0 || !bytes.Equal(parts[len(parts)-1].Hi, hi) || (parts[len(parts)-1].Hi == nil) != (hi == nil) {
		return fmt.Errorf("osynch: replica split [%q, %q) badly", lo, hi)
	}
	prev, bounded := lo, lo != nil
	for i, p := range parts {
		if i < len(parts)-1 && (p.Hi == nil || bounded && bytes.Compare(p.Hi, prev) <= 0) {
			return fmt.Errorf("osynch: replica split [%q, %q) badly", lo, hi)
		}
		prev, bounded = p.Hi, true
		s.emit(wire.Entry{Kind: wire.KindFingerprint, Bound: cloneBound(p.Hi), Count: p.Summary.Count, Sum: p.Summary.Digest})
	}
	return nil
}

// listItems emits an ITEMS entry with this side's items in [lo, hi).
func (s *session) listItems(lo, hi []byte) error {
	var items []wire.Item
	err := s.r.Items(lo, hi, func(it Item) error {
		items = append(items, wire.Item{Key: bytes.Clone(it.Key), Version: it.Version, Dead: it.Dead, Digest: it.Digest})
		return nil
	})
	if err != nil {
		return err
	}
	s.emit(wire.Entry{Kind: wire.KindItems, Bound: hi, Items: items})
	return nil
}

// diffItems settles [lo, hi) against the peer's complete list of items
// there: records this side wins are sent, keys the peer wins are wanted.
func (s *session) diffItems(lo, hi []byte, theirs []wire.Item) error {
	var ship [][]byte
	j := 0
	err := s.r.Items(lo, hi, func(m Item) error {
		for j < len(theirs) && bytes.Compare(theirs[j].Key, m.Key) < 0 {
			s.want(&theirs[j])
			j++
		}
		if j < len(theirs) && bytes.Equal(theirs[j].Key, m.Key) {
			it := &theirs[j]
			j++
			t := Item{Key: it.Key, Version: it.Version, Dead: it.Dead, Digest: it.Digest}
			switch {
			case m.Wins(t):
				ship = append(ship, bytes.Clone(m.Key))
			case t.Wins(m):
				s.want(it)
			}
			return nil
		}
		ship = append(ship, bytes.Clone(m.Key))
		return nil
	})
	if err != nil {
		return err
	}
	for ; j < len(theirs); j++ {
		s.want(&theirs[j])
	}
	for _, k := range ship {
		if err := s.send(k); err != nil {
			return err
		}
	}
	s.emit(wire.Entry{Kind: wire.KindSkip, Bound: hi})
	return nil
}

// want asks the peer for the record of its item it.
func (s *session) want(it *wire.Item) {
	s.wanted = append(s.wanted, *it)
	s.held += len(it.Key) + 24 // as receive counts it
}

// send ships this side's record under key, in RECORDS frames filled up
// to the frame limit.
func (s *session) send(key []byte) error {
	rec, ok, err := s.r.Get(key)
	if err != nil {
		return err
	}
	if !ok {
		return nil // wanted but absent: nothing to give
	}
	wr := wire.Record{Key: rec.Key, Version: rec.Version, Dead: rec.Dead, Value: rec.Value}
	n := wire.RecordSize(&wr)
	if n+wire.Overhead > s.w.Limit() {
		return s.sendLarge(&wr)
	}
	if s.recSize+n+wire.Overhead > s.w.Limit() {
		if err := s.flushRecords(); err != nil {
			return err
		}
	}
	wr.Key, wr.Value = bytes.Clone(wr.Key), bytes.Clone(wr.Value)
	s.recs = append(s.recs, wr)
	s.recSize += n
	s.stats.RecordsSent++
	return nil
}

// sendLarge ships a live record too long for a RECORDS frame as a LARGE
// frame and PART frames of up to a frame each, after the records
// gathered so far (records stay in key order).
func (s *session) sendLarge(wr *wire.Record) error {
	if wr.Dead || len(wr.Value) == 0 {
		return fmt.Errorf("osynch: record %q: key of %d bytes exceeds the frame limit %d", wr.Key, len(wr.Key), s.w.Limit())
	}
	if err := s.flushRecords(); err != nil {
		return err
	}
	if err := s.w.Large(wr.Key, wr.Version, uint64(len(wr.Value))); err != nil {
		return err
	}
	chunk := s.w.Limit() - wire.Overhead
	for v := wr.Value; len(v) > 0; {
		c := v[:min(chunk, len(v))]
		if err := s.w.Part(c); err != nil {
			return err
		}
		v = v[len(c):]
	}
	s.stats.RecordsSent++
	return nil
}

// flushRecords writes the gathered records as one frame (buffered).
func (s *session) flushRecords() error {
	if len(s.recs) == 0 {
		return nil
	}
	if err := s.w.Records(s.recs); err != nil {
		return err
	}
	s.recs, s.recSize = s.recs[:0], 0
	return nil
}

// emit adds a range entry to the reply, merging consecutive SKIPs.
func (s *session) emit(e wire.Entry) {
	if n := len(s.out); n > 0 && e.Kind == wire.KindSkip && s.out[n-1].Kind == wire.KindSkip {
		s.held -= wire.EntrySize(&s.out[n-1])
		s.out[n-1].Bound = e.Bound
		s.held += wire.EntrySize(&s.out[n-1])
		return
	}
	s.held += wire.EntrySize(&e)
	s.out = append(s.out, e)
}

// endTurn writes the reply's ranges, records and wants, then END.
func (s *session) endTurn(final bool) error {
	if err := s.flushRecords(); err != nil {
		return err
	}
	limit := s.w.Limit() - wire.Overhead
	if err := inFrames(s.out, limit, wire.EntrySize, s.w.Ranges); err != nil {
		return err
	}
	var keys [][]byte
	wants := func(its []wire.Item) error {
		keys = keys[:0]
		for i := range its {
			keys = append(keys, its[i].Key)
		}
		return s.w.Wants(keys)
	}
	if err := inFrames(s.wanted, limit, func(it *wire.Item) int { return wire.KeySize(it.Key) }, wants); err != nil {
		return err
	}
	flags := uint8(0)
	if final {
		flags = wire.FlagFinal
	}
	if err := s.w.End(flags); err != nil {
		return err
	}
	// Keep what this turn asked for, to check the peer's answer against.
	s.sent, s.out = s.out, s.sent[:0]
	s.sentWanted, s.wanted = s.wanted, s.sentWanted[:0]
	return s.flush()
}

// inFrames writes xs with write in as few frames as fit limit bytes each.
func inFrames[T any](xs []T, limit int, size func(*T) int, write func([]T) error) error {
	start, n := 0, 0
	for i := range xs {
		sz := size(&xs[i])
		if sz > limit {
			return fmt.Errorf("osynch: an element of %d bytes exceeds the frame limit", sz)
		}
		if n+sz > limit {
			if err := write(xs[start:i]); err != nil {
				return err
			}
			start, n = i, 0
		}
		n += sz
	}
	if start < len(xs) {
		return write(xs[start:])
	}
	return nil
}
