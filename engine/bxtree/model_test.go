package bxtree

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/google/go-cmp/cmp"
)

// chooser is the source of the harness's decisions: a seeded *rand.Rand for
// model tests, the fuzzer's bytes for FuzzOps.
type chooser interface {
	IntN(n int) int
	Uint64() uint64
}

// byteChooser turns fuzz input into decisions; it reports exhaustion.
type byteChooser struct {
	data []byte
	done bool
}

// IntN returns a number in [0, n) from the next two bytes.
func (b *byteChooser) IntN(n int) int {
	if len(b.data) < 2 {
		b.done = true
		return 0
	}
	v := int(b.data[0])<<8 | int(b.data[1])
	b.data = b.data[2:]
	return v % n
}

// Uint64 returns the next byte as a number (small versions collide more).
func (b *byteChooser) Uint64() uint64 { return uint64(b.IntN(256)) }

// config is one configuration the model test runs under.
type config struct {
	name       string
	blockSize  int
	digestKey  []byte
	deferFlush bool
	keySpace   int // number of distinct short keys
}

// configs are the configurations of TestModel.
var configs = []config{
	{name: "1k", blockSize: 1024, keySpace: 3000},
	{name: "1k-keyed-deferred", blockSize: 1024, digestKey: []byte("secret"), deferFlush: true, keySpace: 3000},
	{name: "4k", blockSize: 4096, keySpace: 5000},
	{name: "4k-deferred-dense", blockSize: 4096, deferFlush: true, keySpace: 300},
}

// harness drives one tree inside nested transactions and a reference model.
type harness struct {
	t       testing.TB
	r       chooser
	cfg     config
	fs      *bedrock.MemFS
	s       *bedrock.Store
	txs     []*bedrock.Tx // top level first
	trees   []*Tree       // one handle per level
	models  []model       // the state each level sees
	ops     map[string]int
	log     []string // recent operations, for failure reports
	steps   int
	phase   int    // 0 mixed, 1 grow, 2 shrink
	maxLen  uint64 // largest tree seen
	mut     int    // bumped whenever the innermost model may change
	cache   []mrec // h.m().sorted() as of cacheAt
	cacheAt int
	height  int // tallest tree seen
}

// newHarness creates the store and the tree "t".
func newHarness(t testing.TB, r chooser, cfg config) *harness {
	h := &harness{t: t, r: r, cfg: cfg, ops: map[string]int{}}
	h.fs = bedrock.NewMemFS()
	h.s = reopen(t, h.fs, cfg.blockSize)
	tx := mustBegin(t, h.s, true)
	tr, err := Create(tx, "t", h.opts())
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	h.beginTop(model{})
	_ = tr
	return h
}

// opts returns the tree options of the configuration.
func (h *harness) opts() *Options {
	return &Options{DigestKey: h.cfg.digestKey, Eager: !h.cfg.deferFlush}
}

// fatalf reports a failure with the recent operations.
func (h *harness) fatalf(format string, args ...any) {
	h.t.Helper()
	n := len(h.log)
	h.t.Fatalf("%s\nlast operations:\n  %s", fmt.Sprintf(format, args...), strings.Join(h.log[max(0, n-15):], "\n  "))
}

// note appends an operation to the log.
func (h *harness) note(format string, args ...any) {
	if len(h.log) > 1000 {
		h.log = h.log[500:]
	}
	h.log = append(h.log, fmt.Sprintf(format, args...))
}

// tr returns the innermost handle.
func (h *harness) tr() *Tree { return h.trees[len(h.trees)-1] }

// m returns the innermost model.
func (h *harness) m() model { return h.models[len(h.models)-1] }

// beginTop begins a top-level transaction seeing committed state m.
func (h *harness) beginTop(m model) {
	tx := mustBegin(h.t, h.s, true)
	tr, err := Open(tx, "t", h.opts())
	if err != nil {
		h.fatalf("open: %v", err)
	}
	h.txs, h.trees, h.models = []*bedrock.Tx{tx}, []*Tree{tr}, []model{m}
	h.mut++
}

// flush flushes the innermost handle, or (every other time) leaves that
// to the transaction, which flushes deferred handles before it commits or
// begins a child, and to Open and Drop, which flush the tree's handles.
func (h *harness) flush() {
	if h.r.IntN(2) == 0 {
		return
	}
	if err := h.tr().Flush(); err != nil {
		h.fatalf("flush: %v", err)
	}
}

// key returns a key: mostly from a small space or the model, sometimes
// random or long.
func (h *harness) key() []byte {
	switch x := h.r.IntN(20); {
	case x < 10:
		return []byte(fmt.Sprintf("k%05d", h.r.IntN(h.cfg.keySpace)))
	case x < 14:
		if recs := h.sorted(); len(recs) > 0 { // sorted: map order would make seeds not replay
			return []byte(recs[h.r.IntN(len(recs))].Key)
		}
		return []byte("k")
	case x < 18:
		b := make([]byte, h.r.IntN(8))
		for i := range b {
			b[i] = "\x00ab\xff"[h.r.IntN(4)]
		}
		return b
	default:
		n := MaxKeySize(h.s.PayloadSize())
		b := bytes.Repeat([]byte{'L'}, h.r.IntN(n+1))
		if len(b) > 0 {
			b[len(b)-1] = byte(h.r.IntN(256))
		}
		return b
	}
}

// bound returns a random interval bound, nil a fifth of the time.
func (h *harness) bound() []byte {
	if h.r.IntN(5) == 0 {
		return nil
	}
	return h.key()
}

// value returns a value of varied length, sometimes spanning blocks.
func (h *harness) value() []byte {
	p := h.s.PayloadSize()
	var n int
	switch x := h.r.IntN(20); {
	case x < 12:
		n = h.r.IntN(30)
	case x < 17:
		n = 30 + h.r.IntN(400)
	case x < 19:
		n = h.r.IntN(p)
	default:
		n = p + h.r.IntN(3*p)
	}
	b := make([]byte, n)
	v := h.r.Uint64()
	for i := range b {
		b[i] = byte(v) + byte(i*7)
	}
	return b
}

// step runs one random operation and checks its result. Phases of 400
// steps alternate between growing (mostly puts, in key runs) and shrinking
// the tree, so that splits, merges and root changes all happen.
func (h *harness) step() {
	h.steps++
	if h.steps%400 == 0 {
		h.phase = h.r.IntN(3)
	}
	if n := uint64(len(h.m())); n > h.maxLen {
		h.maxLen = n
	}
	switch h.phase {
	case 1: // grow
		if h.r.IntN(3) > 0 {
			h.putRun()
			return
		}
	case 2: // shrink
		if h.r.IntN(3) > 0 {
			h.del()
			return
		}
	}
	switch x := h.r.IntN(100); {
	case x < 35:
		h.put()
	case x < 50:
		h.del()
	case x < 58:
		h.get()
	case x < 63:
		h.scan(true)
	case x < 67:
		h.scan(false)
	case x < 71:
		h.seek()
	case x < 76:
		h.summary()
	case x < 79:
		h.rankSelect()
	case x < 82:
		h.split()
	case x < 84:
		h.deleteInScan()
	case x < 87:
		h.commit()
	case x < 89:
		h.rollback()
	case x < 92:
		h.beginNested()
	case x < 95:
		h.commitNested()
	case x < 96:
		h.reopenStore()
	case x < 98:
		h.check()
	default:
		h.otherTrees()
	}
}

// put inserts or updates a record.
func (h *harness) put() {
	h.ops["put"]++
	k, v, ver := h.key(), h.value(), h.r.Uint64()
	h.note("put %q v%d len %d", trunc(k), ver, len(v))
	if err := h.tr().Put(k, ver, v); err != nil {
		h.fatalf("put: %v", err)
	}
	h.m()[string(k)] = mrec{string(k), ver, string(v)}
	h.mut++
}

// putRun inserts a run of ascending keys (exercising the append split).
func (h *harness) putRun() {
	h.ops["putRun"]++
	base := h.r.IntN(h.cfg.keySpace)
	n := 1 + h.r.IntN(20)
	h.note("put run k%05d x%d", base, n)
	for i := 0; i < n; i++ {
		k := []byte(fmt.Sprintf("k%05d/%03d", base, i))
		v := h.value()
		if err := h.tr().Put(k, 1, v); err != nil {
			h.fatalf("put: %v", err)
		}
		h.m()[string(k)] = mrec{string(k), 1, string(v)}
		h.mut++
	}
}

// del deletes a record.
func (h *harness) del() {
	h.ops["delete"]++
	k := h.key()
	h.note("delete %q", trunc(k))
	ok, err := h.tr().Delete(k)
	if err != nil {
		h.fatalf("delete: %v", err)
	}
	if _, want := h.m()[string(k)]; ok != want {
		h.fatalf("delete %q: found %v, model %v", k, ok, want)
	}
	delete(h.m(), string(k))
	h.mut++
}

// get compares a point read.
func (h *harness) get() {
	h.ops["get"]++
	k := h.key()
	h.note("get %q", trunc(k))
	v, ver, ok, err := h.tr().Get(k)
	if err != nil {
		h.fatalf("get: %v", err)
	}
	r, want := h.m()[string(k)]
	if ok != want || ok && (string(v) != r.Value || ver != r.Version) {
		h.fatalf("get %q: got (%d bytes, v%d, %v), model %v", k, len(v), ver, ok, want)
	}
}

// sorted returns the innermost model's records in order, cached between
// mutations.
func (h *harness) sorted() []mrec {
	if h.cache == nil || h.cacheAt != h.mut {
		h.cache, h.cacheAt = h.m().sorted(), h.mut
		if h.cache == nil {
			h.cache = []mrec{}
		}
	}
	if len(h.cache) == 0 {
		return nil
	}
	return h.cache
}

// expect returns the model records in [lo, hi) in order.
func (h *harness) expect(lo, hi []byte) []mrec {
	var out []mrec
	for _, r := range h.sorted() {
		if inRange(r.Key, lo, hi) {
			out = append(out, r)
		}
	}
	return out
}

// scan compares a bounded cursor walk in one direction.
func (h *harness) scan(forward bool) {
	h.ops["scan"]++
	lo, hi := h.bound(), h.bound()
	h.note("scan %q %q forward=%v", trunc(lo), trunc(hi), forward)
	want := h.expect(lo, hi)
	var got []mrec
	c := h.tr().Range(lo, hi)
	if forward {
		for ok := c.First(); ok; ok = c.Next() {
			got = append(got, mrec{string(c.Key()), c.Version(), string(c.Value())})
		}
	} else {
		for ok := c.Last(); ok; ok = c.Prev() {
			got = append(got, mrec{string(c.Key()), c.Version(), string(c.Value())})
		}
		for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
			got[i], got[j] = got[j], got[i]
		}
	}
	if err := c.Err(); err != nil {
		h.fatalf("scan: %v", err)
	}
	if d := ""; !slices.Equal(want, got) {
		d = cmp.Diff(want, got)
		h.fatalf("scan [%q, %q) forward=%v: -model +tree:\n%s", lo, hi, forward, d)
	}
}

// seek compares Seek and SeekLast followed by a few steps.
func (h *harness) seek() {
	h.ops["seek"]++
	k := h.key()
	all := h.sorted()
	h.note("seek %q", trunc(k))
	c := h.tr().Cursor()
	i := 0
	for i < len(all) && all[i].Key < string(k) {
		i++
	}
	for j, ok := i, c.Seek(k); j < i+3; j, ok = j+1, c.Next() {
		if ok != (j < len(all)) || ok && string(c.Key()) != all[j].Key {
			h.fatalf("seek %q step %d: valid %v key %q, model index %d of %d", k, j-i, ok, c.Key(), j, len(all))
		}
	}
	for j, ok := i-1, c.SeekLast(k); j > i-4; j, ok = j-1, c.Prev() {
		if ok != (j >= 0) || ok && string(c.Key()) != all[j].Key {
			h.fatalf("seeklast %q step %d: valid %v key %q, model index %d", k, i-1-j, ok, c.Key(), j)
		}
	}
	if err := c.Err(); err != nil {
		h.fatalf("seek: %v", err)
	}
}

// summary compares Summary and Count with brute force.
func (h *harness) summary() {
	h.ops["summary"]++
	lo, hi := h.bound(), h.bound()
	h.note("summary %q %q", trunc(lo), trunc(hi))
	got, err := h.tr().Summary(lo, hi)
	if err != nil {
		h.fatalf("summary: %v", err)
	}
	want := h.m().summary(h.cfg.digestKey, lo, hi)
	if got != want {
		h.fatalf("summary [%q, %q): got %v, want %v", lo, hi, got, want)
	}
	n, err := h.tr().Count(lo, hi)
	if err != nil || n != want.Count {
		h.fatalf("count [%q, %q): got %d (%v), want %d", lo, hi, n, err, want.Count)
	}
}

// rankSelect compares Rank, Select and Len.
func (h *harness) rankSelect() {
	h.ops["rank"]++
	all := h.sorted()
	if got := h.tr().Len(); got != uint64(len(all)) {
		h.fatalf("len %d, model %d", got, len(all))
	}
	k := h.key()
	want := 0
	for want < len(all) && all[want].Key < string(k) {
		want++
	}
	got, err := h.tr().Rank(k)
	if err != nil || got != uint64(want) {
		h.fatalf("rank %q: %d (%v), want %d", k, got, err, want)
	}
	i := h.r.IntN(len(all) + 2)
	key, err := h.tr().Select(uint64(i))
	switch {
	case i >= len(all):
		if !errors.Is(err, ErrOutOfRange) {
			h.fatalf("select %d of %d: %v", i, len(all), err)
		}
	case err != nil || string(key) != all[i].Key:
		h.fatalf("select %d: %q (%v), want %q", i, key, err, all[i].Key)
	}
}

// split checks Split's contiguity, sizes and summaries.
func (h *harness) split() {
	h.ops["split"]++
	lo, hi := h.bound(), h.bound()
	if lo != nil && hi != nil && bytes.Compare(lo, hi) > 0 {
		lo, hi = hi, lo
	}
	k := 1 + h.r.IntN(9)
	h.note("split %q %q %d", trunc(lo), trunc(hi), k)
	ivs, err := h.tr().Split(lo, hi, k)
	if err != nil {
		h.fatalf("split: %v", err)
	}
	total := uint64(len(h.expect(lo, hi)))
	parts := uint64(k)
	if total < parts {
		parts = max(total, 1)
	}
	if uint64(len(ivs)) != parts {
		h.fatalf("split [%q,%q) k=%d of %d records: %d intervals", lo, hi, k, total, len(ivs))
	}
	per := total / parts
	slack := per / 8
	if !sameBound(ivs[0].Lo, lo) || !sameBound(ivs[len(ivs)-1].Hi, hi) {
		h.fatalf("split [%q,%q): ends %q %q", lo, hi, ivs[0].Lo, ivs[len(ivs)-1].Hi)
	}
	for i, iv := range ivs {
		if i > 0 && !sameBound(ivs[i-1].Hi, iv.Lo) {
			h.fatalf("split: gap between %v and %v", ivs[i-1], iv)
		}
		want := h.m().summary(h.cfg.digestKey, iv.Lo, iv.Hi)
		if iv.Summary != want {
			h.fatalf("split interval %d %v: want %v", i, iv, want)
		}
		if c := iv.Summary.Count; total > 0 && (c+2*slack < per || c > per+1+2*slack) {
			h.fatalf("split interval %d has %d records, want about %d (slack %d): %v", i, c, per, slack, ivs)
		}
	}
}

// sameBound compares interval bounds, nil-ness included.
func sameBound(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

// deleteInScan deletes every other record during a forward scan.
func (h *harness) deleteInScan() {
	h.ops["deleteInScan"]++
	lo := h.bound()
	h.note("delete-in-scan from %q", trunc(lo))
	want := h.expect(lo, nil)
	c := h.tr().Range(lo, nil)
	n := 0
	var got []string
	for ok := c.First(); ok && n < 40; ok = c.Next() {
		got = append(got, string(c.Key()))
		if n%2 == 0 {
			if _, err := h.tr().Delete(c.Key()); err != nil {
				h.fatalf("delete in scan: %v", err)
			}
			delete(h.m(), string(c.Key()))
			h.mut++
		}
		n++
	}
	if err := c.Err(); err != nil {
		h.fatalf("delete-in-scan: %v", err)
	}
	for i, k := range got {
		if k != want[i].Key {
			h.fatalf("delete-in-scan step %d: %q, want %q", i, k, want[i].Key)
		}
	}
}

// commit commits the top-level transaction (nested ones first) and checks
// the committed tree through a fresh read transaction.
func (h *harness) commit() {
	h.ops["commit"]++
	h.note("commit")
	for len(h.txs) > 1 {
		h.commitNested()
	}
	h.flush()
	if err := h.txs[0].Commit(); err != nil {
		h.fatalf("commit: %v", err)
	}
	m := h.models[0]
	h.verifyCommitted(m)
	h.beginTop(m)
}

// verifyCommitted checks the committed tree and compares it with m.
func (h *harness) verifyCommitted(m model) {
	rtx := mustBegin(h.t, h.s, false)
	defer rtx.Rollback()
	tr, err := Open(rtx, "t", h.opts())
	if err != nil {
		h.fatalf("open: %v", err)
	}
	if err := tr.Check(); err != nil {
		h.fatalf("check after commit: %v", err)
	}
	if sh := shape(h.t, tr); sh.height > h.height {
		h.height = sh.height
	}
	if err := CheckAll(rtx, map[string][]byte{"t": h.cfg.digestKey}); err != nil {
		h.fatalf("check all: %v", err)
	}
	if want, got := m.sorted(), contents(h.t, tr); !slices.Equal(want, got) {
		d := cmp.Diff(want, got)
		h.fatalf("committed tree differs: -model +tree:\n%s", d)
	}
}

// rollback abandons the innermost transaction.
func (h *harness) rollback() {
	h.ops["rollback"]++
	h.note("rollback depth %d", len(h.txs))
	n := len(h.txs) - 1
	if err := h.txs[n].Rollback(); err != nil {
		h.fatalf("rollback: %v", err)
	}
	if n == 0 {
		rtx := mustBegin(h.t, h.s, false)
		tr, err := Open(rtx, "t", h.opts())
		if err != nil {
			h.fatalf("open: %v", err)
		}
		m := model{}
		for _, r := range contents(h.t, tr) {
			m[r.Key] = r
		}
		rtx.Rollback()
		h.beginTop(m)
		return
	}
	h.txs, h.trees, h.models = h.txs[:n], h.trees[:n], h.models[:n]
	h.mut++
}

// beginNested opens a child transaction and a handle on it.
func (h *harness) beginNested() {
	if len(h.txs) >= 4 {
		return
	}
	h.ops["nested"]++
	h.note("begin nested depth %d", len(h.txs)+1)
	h.flush()
	c, err := h.txs[len(h.txs)-1].Begin()
	if err != nil {
		h.fatalf("begin nested: %v", err)
	}
	tr, err := Open(c, "t", h.opts())
	if err != nil {
		h.fatalf("open nested: %v", err)
	}
	h.txs, h.trees, h.models = append(h.txs, c), append(h.trees, tr), append(h.models, h.m().clone())
	h.mut++
}

// commitNested merges the innermost child into its parent.
func (h *harness) commitNested() {
	n := len(h.txs) - 1
	if n == 0 {
		return
	}
	h.note("commit nested depth %d", n+1)
	h.flush()
	if err := h.txs[n].Commit(); err != nil {
		h.fatalf("commit nested: %v", err)
	}
	m := h.models[n]
	h.txs, h.trees, h.models = h.txs[:n], h.trees[:n], h.models[:n]
	h.models[n-1] = m
	h.mut++
}

// reopenStore commits, closes and reopens the store.
func (h *harness) reopenStore() {
	h.ops["reopen"]++
	h.commit()
	h.note("reopen")
	h.txs[0].Rollback()
	if err := h.s.Close(); err != nil {
		h.fatalf("close: %v", err)
	}
	h.s = reopen(h.t, h.fs, h.cfg.blockSize)
	h.verifyCommitted(h.models[0])
	h.beginTop(h.models[0])
}

// check runs Check on the innermost handle.
func (h *harness) check() {
	h.ops["check"]++
	h.note("check")
	if err := h.tr().Check(); err != nil {
		h.fatalf("check: %v", err)
	}
}

// otherTrees creates, fills and drops another tree in the current
// transaction and checks Names.
func (h *harness) otherTrees() {
	h.ops["otherTrees"]++
	h.note("other trees")
	h.flush()
	tx := h.txs[len(h.txs)-1]
	o, err := Create(tx, "other", nil)
	if err != nil {
		h.fatalf("create other: %v", err)
	}
	for i := 0; i < h.r.IntN(200); i++ {
		if err := o.Put(h.key(), 1, h.value()); err != nil {
			h.fatalf("put other: %v", err)
		}
	}
	if _, err := Create(tx, "other", nil); !errors.Is(err, ErrExists) {
		h.fatalf("create twice: %v", err)
	}
	names, err := Names(tx)
	if err != nil || !cmp.Equal(names, []string{"other", "t"}) {
		h.fatalf("names: %v %v", names, err)
	}
	if err := o.Check(); err != nil {
		h.fatalf("check other: %v", err)
	}
	if err := Drop(tx, "other"); err != nil {
		h.fatalf("drop: %v", err)
	}
	if _, err := Open(tx, "other", nil); !errors.Is(err, ErrNotFound) {
		h.fatalf("open dropped: %v", err)
	}
}

// finish commits and verifies the final state.
func (h *harness) finish() {
	h.commit()
	h.txs[0].Rollback()
	if err := h.s.Close(); err != nil {
		h.fatalf("close: %v", err)
	}
}

// trunc shortens long keys in logs.
func trunc(k []byte) string {
	if len(k) > 24 {
		return fmt.Sprintf("%s...(%d bytes)", k[:20], len(k))
	}
	return string(k)
}

// TestModel runs random operation streams against the model under every
// configuration.
func TestModel(t *testing.T) {
	steps := 2500
	if soak() {
		steps = 20000
	}
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			t.Parallel()
			seed := uint64(time.Now().UnixNano())
			if s, err := strconv.ParseUint(os.Getenv("BXDB_MODEL_SEED"), 10, 64); err == nil {
				seed = s
			}
			t.Logf("seed %d (steps %d; replay with BXDB_MODEL_SEED)", seed, steps)
			h := newHarness(t, rand.New(rand.NewPCG(seed, 7)), cfg)
			for i := 0; i < steps; i++ {
				h.step()
			}
			h.finish()
			t.Logf("ops %v; largest tree %d records, tallest %d levels", h.ops, h.maxLen, h.height)
		})
	}
}
