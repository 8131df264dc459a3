package bedrock

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"io"
	"sync"
	"sync/atomic"
)

// Parity (FormatV2, FormatV3). The file below the superblock slots is divided into
// stripes of parityWidth data chunks and one parity chunk, a chunk being
// one block size; the parity chunk is the XOR of the stripe's data chunks.
// The rest of bedrock addresses a virtual file that has only the data
// chunks (units are virtual): parityFile translates offsets, keeps every
// stripe's parity in step with each write, and rebuilds damaged units
// from their stripe (repair). doc.go has the layout.

// parityWidth is the number of data chunks a stripe's parity covers.
const parityWidth = 15

// parityGeo is the stripe geometry of a FormatV2 or FormatV3 file.
type parityGeo struct {
	base  int64 // virtual bytes before the first stripe: the superblock slots
	chunk int64 // bytes per chunk: the block size
	// split (FormatV3) puts superblock slot 1 after stripe 0 instead of
	// after slot 0: | slot 0 | stripe 0 | slot 1 | stripe 1 | ... Each
	// slot is then followed by a parity chunk and a stripe's data, the
	// zone of the small commits written with that slot (allocRuns).
	split bool
}

// data is the number of data bytes in a whole stripe.
func (g parityGeo) data() int64 { return parityWidth * g.chunk }

// span is the number of physical bytes of a whole stripe.
func (g parityGeo) span() int64 { return (parityWidth + 1) * g.chunk }

// slotAt is the physical offset of superblock slot i.
func (g parityGeo) slotAt(i int) int64 {
	if i == 1 && g.split {
		return g.chunk + g.span()
	}
	return int64(i) * g.chunk
}

// phys maps a virtual offset to the physical one.
func (g parityGeo) phys(v int64) int64 {
	if v < g.base {
		return g.slotAt(int(v/g.chunk)) + v%g.chunk
	}
	k := (v - g.base) / g.data()
	if g.split && k == 0 {
		return v // slot 0 and parity chunk 0 precede it, as slots 0 and 1 would
	}
	return v + (k+1)*g.chunk
}

// parityAt is the physical offset of stripe k's parity chunk, its first.
func (g parityGeo) parityAt(k int64) int64 {
	if g.split && k == 0 {
		return g.chunk
	}
	return g.base + k*g.span()
}

// dataAt is the physical offset of stripe k's data, after its parity.
func (g parityGeo) dataAt(k int64) int64 { return g.parityAt(k) + g.chunk }

// minPhys is the smallest physical size holding both superblock slots.
func (g parityGeo) minPhys() int64 { return g.slotAt(1) + g.chunk }

// virtSize is the virtual size of a file of physical size p: a stripe cut
// short by the end of a device holds what data fits after its parity.
// (Under split, a file shorter than minPhys has no slot 1: its virtual
// size stops at slot 0.)
func (g parityGeo) virtSize(p int64) int64 {
	if g.split && p < g.minPhys() {
		return min(p, g.chunk)
	}
	if p <= g.base {
		return p
	}
	k, rem := (p-g.base)/g.span(), (p-g.base)%g.span()
	return g.base + k*g.data() + max(rem-g.chunk, 0)
}

// physSize is the physical size of whole stripes holding v virtual bytes.
func (g parityGeo) physSize(v int64) int64 {
	if v <= g.base {
		if g.split && v > g.chunk {
			return g.minPhys() // slot 1 lies after stripe 0
		}
		return v
	}
	return max(g.base+(v-g.base+g.data()-1)/g.data()*g.span(), g.minPhys())
}

// stripeCacheSize is the number of stripes whose data and parity
// parityFile keeps, so that small writes into a stripe (the zone after
// superblock slot 1, map blocks) update its parity without reading the
// stripe back.
const stripeCacheSize = 32

// stripeEnt is a cached stripe: its data and parity as on disk.
type stripeEnt struct {
	k    int64
	buf  []byte // the stripe as on disk: parity, then data
	par  []byte // buf's parity chunk
	img  []byte // buf's data chunks
	used uint64
}

// parityFile is the virtual file of a FormatV2 or FormatV3 store, over the physical
// one.
type parityFile struct {
	File
	g      parityGeo
	unit   int64
	newBuf func(int) []byte

	mu    sync.Mutex // serializes writes to the stripes, repair reads and scrub
	psize int64      // physical size: where a device's last stripe ends
	ents  []*stripeEnt
	tick  uint64
	// idle reports whether no unit in the virtual byte range [lo, hi) is
	// in use (the store's allocator; nil: assume some are). Writes, which
	// call it, are made under the store's commitMu, which owns the
	// allocator.
	idle func(lo, hi int64) bool
	// zero is the physical offset from which the file is known to hold
	// zeros up to psize: space this process added (Allocate) and has not
	// written since. A stripe's load does not read it. Open knows nothing
	// (zero = psize), nor does a device, which never grows.
	zero atomic.Int64
}

// newParityFile wraps f, a file of physical size psize, with the layout
// of FormatV3 (split) or FormatV2.
func newParityFile(f File, block, unit int, psize int64, split bool, newBuf func(int) []byte) *parityFile {
	pf := &parityFile{File: f, g: parityGeo{base: 2 * int64(block), chunk: int64(block), split: split}, unit: int64(unit), psize: psize, newBuf: newBuf}
	pf.zero.Store(psize)
	return pf
}

// wrote notes a physical write of n bytes at off: the known zeros now
// start after it (or further on).
func (f *parityFile) wrote(off, n int64) {
	for {
		z := f.zero.Load()
		if off+n <= z || f.zero.CompareAndSwap(z, off+n) {
			return
		}
	}
}

// stripeData returns the virtual start of stripe k and its data length.
func (f *parityFile) stripeData(k int64) (start, n int64) {
	start = f.g.base + k*f.g.data()
	n = f.g.data()
	if end := f.psize - f.g.dataAt(k); end < n {
		n = max(end, 0)
	}
	return start, n
}

// Size implements File: the virtual size.
func (f *parityFile) Size() (int64, error) {
	p, err := f.File.Size()
	if err != nil {
		return 0, err
	}
	f.mu.Lock()
	if p != f.psize {
		f.psize, f.ents = p, f.ents[:0] // a stripe's data length may change
		f.zero.Store(p)                 // changed by another hand: nothing known
	}
	f.mu.Unlock()
	return f.g.virtSize(p), nil
}

// Allocate implements File for a virtual size.
func (f *parityFile) Allocate(size int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if size <= f.g.virtSize(f.psize) {
		return nil
	}
	p := f.g.physSize(size)
	if err := f.File.Allocate(p); err != nil {
		return err
	}
	if p > f.psize {
		f.psize, f.ents = p, f.ents[:0]
	}
	return nil
}

// ReadAt implements File at a virtual offset.
func (f *parityFile) ReadAt(p []byte, off int64) (int, error) {
	done := 0
	for done < len(p) {
		v := off + int64(done)
		n := int64(len(p) - done)
		if v >= f.g.base {
			n = min(n, f.g.data()-(v-f.g.base)%f.g.data())
		} else {
			n = min(n, f.g.chunk-v%f.g.chunk) // one slot at a time
		}
		m, err := f.File.ReadAt(p[done:done+int(n)], f.g.phys(v))
		done += m
		if err != nil {
			return done, err
		}
		if int64(m) < n {
			return done, io.EOF
		}
	}
	return done, nil
}

// WriteAt implements File at a virtual offset.
func (f *parityFile) WriteAt(p []byte, off int64) (int, error) {
	if err := f.writeV([][]byte{p}, off, false); err != nil {
		return 0, err
	}
	return len(p), nil
}

// writeVAt writes the concatenation of bufs at virtual offset off (see
// Store.writeRun). It always handles the write.
func (f *parityFile) writeVAt(bufs [][]byte, off int64) (bool, error) {
	return true, f.writeV(bufs, off, false)
}

// startWriteback passes the hint on for the physical range.
func (f *parityFile) startWriteback(off, n int64) {
	if wb, ok := f.File.(writebackStarter); ok {
		p := f.g.phys(off) - f.g.chunk // from the first stripe's parity
		wb.startWriteback(p, f.g.phys(off+n-1)+1-p)
	}
}

// pieces walks a list of buffers as one byte stream.
type pieces struct {
	bufs [][]byte
	i, o int
}

// take returns the next n bytes as slices of the buffers (no copy).
func (ps *pieces) take(n int64) [][]byte {
	var out [][]byte
	for n > 0 && ps.i < len(ps.bufs) {
		b := ps.bufs[ps.i][ps.o:]
		k := int(min(int64(len(b)), n))
		if k > 0 {
			out = append(out, b[:k])
		}
		n -= int64(k)
		ps.o += k
		if ps.o == len(ps.bufs[ps.i]) {
			ps.i, ps.o = ps.i+1, 0
		}
	}
	return out
}

// physRun is a contiguous physical write.
type physRun struct {
	off  int64
	bufs [][]byte
	n    int64
}

// rewrite writes back, in place, the repaired encoding of a block: bytes
// the parity already accounts for, so the parity is left as it is.
func (f *parityFile) rewrite(p []byte, off int64) error {
	return f.writeV([][]byte{p}, off, true)
}

// writeV writes bufs at virtual offset off, with the parity of every
// stripe it touches (kept as it is with keep: see rewrite), in as few
// physical writes as the layout allows.
func (f *parityFile) writeV(bufs [][]byte, off int64, keep bool) error {
	var total int64
	for _, b := range bufs {
		total += int64(len(b))
	}
	if off+total <= f.g.base { // superblock slots: no parity, no lock
		for _, b := range bufs {
			for len(b) > 0 {
				n := min(int64(len(b)), f.g.chunk-off%f.g.chunk) // one slot at a time
				f.wrote(f.g.phys(off), n)
				if _, err := f.File.WriteAt(b[:n], f.g.phys(off)); err != nil {
					return err
				}
				b, off = b[n:], off+n
			}
		}
		return nil
	}
	ps := &pieces{bufs: bufs}
	var runs []physRun
	var jobs []xorJob
	add := func(off int64, bs ...[]byte) {
		var n int64
		for _, b := range bs {
			n += int64(len(b))
		}
		if l := len(runs); l > 0 && runs[l-1].off+runs[l-1].n == off {
			runs[l-1].bufs = append(runs[l-1].bufs, bs...)
			runs[l-1].n += n
			return
		}
		runs = append(runs, physRun{off: off, bufs: bs, n: n})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, end := off, off+total
	for v < f.g.base {
		n := min(end, (v/f.g.chunk+1)*f.g.chunk) - v // one slot at a time
		add(f.g.phys(v), ps.take(n)...)
		v += n
	}
	for v < end {
		k := (v - f.g.base) / f.g.data()
		start, dl := f.stripeData(k)
		a, b := v-start, min(end-start, dl)
		if b <= a {
			return errors.New("bedrock: write beyond the last stripe")
		}
		data := ps.take(b - a)
		switch {
		case keep:
			if e := f.lookup(k); e != nil {
				copyAt(e.img, a, data)
			}
		case a == 0 && b == dl:
			// A whole stripe: its parity is computed from data alone,
			// below, on all cores for a long write.
			f.drop(k)
			j := xorJob{par: f.newBuf(int(f.g.chunk)), data: data}
			jobs = append(jobs, j)
			add(f.g.parityAt(k), j.par)
		default:
			par, err := f.parity(k, a, b, dl, data)
			if err != nil {
				f.drop(k)
				return err
			}
			add(f.g.parityAt(k), par) // adjacent to the data when a == 0
		}
		add(f.g.dataAt(k)+a, data...)
		v = start + b
	}
	inParts(jobs, len(jobs)/parallelXORMin, func(js []xorJob) {
		for _, j := range js {
			xorInto(j.par, 0, j.data)
		}
	})
	for _, r := range runs {
		if err := f.writeRun(r); err != nil {
			f.ents = f.ents[:0] // the disk no longer says what the cache does
			return err
		}
	}
	return nil
}

// xorJob is the parity of a whole stripe to compute from its data.
type xorJob struct {
	par  []byte
	data [][]byte
}

// parallelXORMin is the number of whole stripes per extra goroutine
// computing parity.
const parallelXORMin = 4

// writeRun issues one physical write.
func (f *parityFile) writeRun(r physRun) error {
	f.wrote(r.off, r.n)
	if len(r.bufs) == 1 {
		_, err := f.File.WriteAt(r.bufs[0], r.off)
		return err
	}
	return writeGather(f.File, r.bufs, int(r.n), r.off, f.newBuf)
}

// parity returns the new parity chunk of stripe k (data length dl) once
// data replaces its bytes [a, b), a part of the stripe. It updates the
// parity the disk holds: the old bytes out, the new ones in, so that a
// damaged block elsewhere in the stripe stays repairable (recomputing from
// the disk would make its damage part of the parity). Only a stripe with nothing else in use (f.idle) is
// recomputed from what the disk holds, which makes a stale parity chunk
// (garbage on a new device, a write lost with a crash) right again. Caller
// holds mu; the result is valid until mu is released.
func (f *parityFile) parity(k, a, b, dl int64, data [][]byte) ([]byte, error) {
	e := f.lookup(k)
	if e == nil {
		var err error
		if e, err = f.load(k, dl); err != nil {
			return nil, err
		}
		start, _ := f.stripeData(k)
		if f.idle != nil && f.idle(start, start+a) && f.idle(start+b, start+dl) {
			clear(e.par)
			xorInto(e.par, 0, [][]byte{e.img[:dl]})
		}
	}
	xorInto(e.par, a, [][]byte{e.img[a:b]}) // the old bytes out
	copyAt(e.img, a, data)
	xorInto(e.par, a, data) // the new ones in
	return e.par, nil
}

// copyAt copies data into img from offset a on.
func copyAt(img []byte, a int64, data [][]byte) {
	for _, d := range data {
		a += int64(copy(img[a:], d))
	}
}

// lookup returns the cached stripe k, or nil.
func (f *parityFile) lookup(k int64) *stripeEnt {
	for _, e := range f.ents {
		if e.k == k {
			f.tick++
			e.used = f.tick
			return e
		}
	}
	return nil
}

// drop forgets the cached stripe k.
func (f *parityFile) drop(k int64) {
	for i, e := range f.ents {
		if e.k == k {
			f.ents[i] = f.ents[len(f.ents)-1]
			f.ents = f.ents[:len(f.ents)-1]
			return
		}
	}
}

// load reads stripe k's data and parity, as on disk, into the cache.
func (f *parityFile) load(k, dl int64) (*stripeEnt, error) {
	var e *stripeEnt
	if len(f.ents) < stripeCacheSize {
		e = &stripeEnt{buf: f.newBuf(int(f.g.span()))}
		e.par, e.img = e.buf[:f.g.chunk], e.buf[f.g.chunk:]
		f.ents = append(f.ents, e)
	} else {
		e = f.ents[0]
		for _, c := range f.ents[1:] {
			if c.used < e.used {
				e = c
			}
		}
	}
	// Parity and data are adjacent on disk: one read into the buffer,
	// which keeps the parity first (a short stripe's data is followed by
	// zeros).
	e.k = -1
	buf := e.buf[:f.g.chunk+dl]
	at := f.g.parityAt(k)
	// Space added and not written since holds zeros: not read (a
	// stripe at the end of a long write lies mostly there).
	read := min(int64(len(buf)), max(f.zero.Load()-at, 0))
	n, err := f.File.ReadAt(buf[:read], at)
	if err != nil && !errors.Is(err, io.EOF) {
		f.drop(-1)
		return nil, err
	}
	clear(buf[n:]) // beyond the end of a file cut short
	clear(e.buf[f.g.chunk+dl:])
	f.tick++
	e.k, e.used = k, f.tick
	return e, nil
}

// xorInto XORs data, which starts at byte rel of a stripe's data, into the
// stripe's parity chunk par.
func xorInto(par []byte, rel int64, data [][]byte) {
	c := int64(len(par))
	for _, d := range data {
		for len(d) > 0 {
			col := rel % c
			n := min(int64(len(d)), c-col)
			subtle.XORBytes(par[col:col+n], par[col:col+n], d[:n])
			d, rel = d[n:], rel+n
		}
	}
}

// repair rebuilds the n bytes at virtual offset off (a block of whole
// units that failed verification) from the parity of their stripes, and
// returns the first reconstruction ok accepts: every unit rebuilt (a block
// damaged anywhere, even whole), else the units of one chunk (a block
// partly in a damaged chunk: a lost sector the size of a chunk), else one
// unit at a time (a block whose units share a column, one of them
// damaged). Each unit is rebuilt from
// the other chunks of its stripe at the same offset, so it succeeds when
// those are intact. disk is the range as read from the disk.
func (f *parityFile) repair(off, n int64, ok func([]byte) bool) (rebuilt, disk []byte, done bool) {
	if off < f.g.base || n <= 0 || n%f.unit != 0 {
		return nil, nil, false
	}
	type stripe struct {
		img, par []byte
		bad      []bool // chunks that could not be read
	}
	stripes := map[int64]*stripe{}
	f.mu.Lock()
	for v := off; v < off+n; {
		k := (v - f.g.base) / f.g.data()
		start, dl := f.stripeData(k)
		if v >= start+dl {
			f.mu.Unlock()
			return nil, nil, false
		}
		st := &stripe{img: f.newBuf(int(f.g.data())), par: f.newBuf(int(f.g.chunk)), bad: make([]bool, parityWidth)}
		for j := int64(0); j*f.g.chunk < dl; j++ {
			c := st.img[j*f.g.chunk : min((j+1)*f.g.chunk, dl)]
			if err := readFull(f.File, c, f.g.dataAt(k)+j*f.g.chunk); err != nil {
				st.bad[j] = true
			}
		}
		if err := readFull(f.File, st.par, f.g.parityAt(k)); err != nil {
			f.mu.Unlock()
			return nil, nil, false
		}
		stripes[k] = st
		v = start + f.g.data()
	}
	f.mu.Unlock()
	cur := make([]byte, n)   // the block as on disk
	fixed := make([]byte, n) // every unit rebuilt
	can := make([]bool, n/f.unit)
	chunk := make([]int64, n/f.unit) // the chunk each unit lies in
	for u := int64(0); u < n/f.unit; u++ {
		v := off + u*f.unit
		k := (v - f.g.base) / f.g.data()
		start, dl := f.stripeData(k)
		st, rel := stripes[k], v-start
		col, own := rel%f.g.chunk, rel/f.g.chunk
		chunk[u] = k*parityWidth + own
		copy(cur[u*f.unit:], st.img[rel:rel+f.unit])
		out := fixed[u*f.unit : (u+1)*f.unit]
		copy(out, st.par[col:col+f.unit])
		can[u] = true
		for j := int64(0); j*f.g.chunk < dl; j++ {
			p := j*f.g.chunk + col
			if j == own || p >= dl {
				continue // the block's own unit, or past a short last chunk
			}
			if st.bad[j] {
				can[u] = false
				continue
			}
			subtle.XORBytes(out, out, st.img[p:p+f.unit])
		}
	}
	all := true
	for _, c := range can {
		all = all && c
	}
	if all && ok(fixed) {
		return fixed, cur, true
	}
	try := make([]byte, n)
	// The units of one chunk rebuilt, the others as on disk: a block
	// that shares a chunk with damage (a lost or zeroed sector of the
	// chunk's size covers the end of one block and the start of the
	// next) has its intact units in a chunk whose columns the damage
	// also covers, so rebuilding those would spoil them.
	if chunk[0] != chunk[len(chunk)-1] {
		for first := 0; first < len(chunk); {
			last := first
			for last+1 < len(chunk) && chunk[last+1] == chunk[first] {
				last++
			}
			rebuildable := true
			for u := first; u <= last; u++ {
				rebuildable = rebuildable && can[u]
			}
			if rebuildable {
				copy(try, cur)
				a, b := int64(first)*f.unit, int64(last+1)*f.unit
				copy(try[a:b], fixed[a:b])
				if ok(try) {
					return try, cur, true
				}
			}
			first = last + 1
		}
	}
	for u := range can {
		if !can[u] {
			continue
		}
		copy(try, cur)
		copy(try[int64(u)*f.unit:], fixed[int64(u)*f.unit:int64(u+1)*f.unit])
		if ok(try) {
			return try, cur, true
		}
	}
	return nil, nil, false
}

// scrub recomputes the parity of every stripe from the data on disk and,
// with write, rewrites the parity chunks that differ (left stale by a
// crash, or garbage on a new device). It returns how many differ. Run a
// writing scrub only once every damaged block that parity can rebuild has
// been written back (Check does): a stripe's damage becomes part of its
// new parity.
func (f *parityFile) scrub(write bool) (int, error) {
	fixed := 0
	buf := f.newBuf(int(f.g.span()))
	par := f.newBuf(int(f.g.chunk))
	for k := int64(0); ; k++ {
		f.mu.Lock()
		_, dl := f.stripeData(k)
		if dl == 0 || f.g.dataAt(k)+dl > f.psize {
			f.mu.Unlock()
			return fixed, nil
		}
		img := buf[:f.g.chunk+dl]
		err := readFull(f.File, img, f.g.parityAt(k))
		if err == nil {
			clear(par)
			xorInto(par, 0, [][]byte{img[f.g.chunk:]})
			if !bytes.Equal(par, img[:f.g.chunk]) {
				if write {
					f.drop(k)
					f.wrote(f.g.parityAt(k), int64(len(par)))
					_, err = f.File.WriteAt(par, f.g.parityAt(k))
				}
				fixed++
			}
		}
		f.mu.Unlock()
		if err != nil {
			return fixed, err
		}
	}
}
