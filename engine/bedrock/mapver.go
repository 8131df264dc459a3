package bedrock

import (
	"slices"
	"sync"
)

// mapVersion is one immutable version of the block map: the in-memory
// image of superblock -> pages -> segments. A committed version is never
// modified; a commit builds the next version by copying the pages and
// segments it changes (the same path copying it does on disk).
//
// Invariant M1: a page or segment with owner == v.gen was created by the
// commit that built v and is private to it until v is published.
type mapVersion struct {
	gen       uint64
	nextLBA   uint64
	sizeUnits uint64 // store capacity when the version was built
	pages     []*page
	pageRefs  []ref // where each page block lives on disk
}

// page is the middle level: fan segments and their on-disk refs, the
// latter kept in their on-disk encoding (putRef) like a segment's entries,
// so that a commit copies and writes them as they are.
type page struct {
	owner uint64
	segs  []*segment // nil entries: segment holds no mapping yet
	refb  []byte     // fan*refSize bytes
}

// ref returns the ref of segment i.
func (pg *page) ref(i uint64) ref { return getRef(pg.refb[i*refSize:]) }

// setRef replaces the ref of segment i.
func (pg *page) setRef(i uint64, r ref) { putRef(pg.refb[i*refSize:], r) }

// segment is the bottom level: fan map entries, kept in their on-disk
// encoding (putRef), so loading one is keeping its block's bytes and
// writing one is writing them: no decoding at open, no encoding at commit.
//
// Open leaves the segments of a proven durable state unread (lazy): the
// first lookup that needs one reads it, and settle reads the rest in the
// background, so that open costs the superblock and the pages. Such a
// segment has b == nil and lazy set; it is never modified (a commit
// copies it), so every version sharing it sees one load.
type segment struct {
	owner uint64
	b     []byte   // fan*refSize bytes; nil while lazy
	lazy  *segLoad // set for a segment open left unread
}

// segLoad reads a segment open left unread, once: segment id at ref of
// store s.
type segLoad struct {
	once sync.Once
	s    *Store
	ref  ref
	id   uint64
	b    []byte
	err  error
}

// bytes returns the segment's entries in their on-disk encoding, reading
// the block first if open left it unread. A read that fails (ErrCorrupt
// beyond repair) fails every later call the same way.
func (sg *segment) bytes() ([]byte, error) {
	l := sg.lazy
	if l == nil {
		return sg.b, nil
	}
	l.once.Do(func() {
		l.b, l.err = l.s.readSegment(l.ref, l.id)
		l.s = nil
	})
	return l.b, l.err
}

// pageSegs returns pg's segments (none for a nil page).
func pageSegs(pg *page) []*segment {
	if pg == nil {
		return nil
	}
	return pg.segs
}

// get returns entry i of a loaded segment (b set).
func (sg *segment) get(i uint64) ref { return getRef(sg.b[i*refSize:]) }

// set replaces entry i.
func (sg *segment) set(i uint64, r ref) { putRef(sg.b[i*refSize:], r) }

// geometry holds the fan-out numbers derived from the block size.
type geometry struct {
	fan      uint64 // entries per segment, segment refs per page
	maxPages uint64 // page refs in a superblock
}

// split returns the page, segment and entry index of lba.
func (g geometry) split(lba LBA) (p, s, i uint64) {
	x := uint64(lba)
	return x / (g.fan * g.fan), (x / g.fan) % g.fan, x % g.fan
}

// maxLBA is one past the largest LBA the map can address.
func (g geometry) maxLBA() uint64 { return g.maxPages * g.fan * g.fan }

// lookup returns the entry of lba in v (a zero ref when unmapped). It
// fails only when the segment holding the entry, left unread by open,
// cannot be read.
func (v *mapVersion) lookup(g geometry, lba LBA) (ref, error) {
	p, s, i := g.split(lba)
	if p >= uint64(len(v.pages)) {
		return ref{}, nil
	}
	pg := v.pages[p]
	if pg == nil || pg.segs[s] == nil {
		return ref{}, nil
	}
	b, err := pg.segs[s].bytes()
	if err != nil {
		return ref{}, err
	}
	return getRef(b[i*refSize:]), nil
}

// builder makes the next map version from a committed one.
type builder struct {
	g          geometry
	v          *mapVersion
	dirtyPages []uint64
	dirtySegs  [][2]uint64
}

// newBuilder starts version gen from base.
func newBuilder(g geometry, base *mapVersion, gen uint64) *builder {
	return &builder{g: g, v: &mapVersion{
		gen:      gen,
		nextLBA:  base.nextLBA,
		pages:    slices.Clone(base.pages),
		pageRefs: slices.Clone(base.pageRefs),
	}}
}

// set maps lba to r in the version under construction and returns the old
// entry. It copies the page and segment on first touch (invariant M1).
func (b *builder) set(lba LBA, r ref) (ref, error) {
	p, s, i := b.g.split(lba)
	sg, err := b.segment(p, s)
	if err != nil {
		return ref{}, err
	}
	old := sg.get(i)
	sg.set(i, r)
	return old, nil
}

// page returns page p of the version under construction, copied on first
// touch (so that the commit rewrites its block).
func (b *builder) page(p uint64) (*page, error) {
	if p >= b.g.maxPages {
		return nil, ErrFull
	}
	for uint64(len(b.v.pages)) <= p {
		b.v.pages = append(b.v.pages, nil)
		b.v.pageRefs = append(b.v.pageRefs, ref{})
	}
	gen := b.v.gen
	pg := b.v.pages[p]
	if pg == nil || pg.owner != gen {
		var np *page
		if pg != nil {
			np = &page{owner: gen, segs: slices.Clone(pg.segs), refb: slices.Clone(pg.refb)}
		} else {
			np = &page{owner: gen, segs: make([]*segment, b.g.fan), refb: make([]byte, b.g.fan*refSize)}
		}
		b.v.pages[p] = np
		b.dirtyPages = append(b.dirtyPages, p)
		pg = np
	}
	return pg, nil
}

// segment returns segment s of page p of the version under construction,
// copying the page and the segment on first touch (invariant M1).
func (b *builder) segment(p, s uint64) (*segment, error) {
	pg, err := b.page(p)
	if err != nil {
		return nil, err
	}
	sg := pg.segs[s]
	if sg == nil || sg.owner != b.v.gen {
		var ns *segment
		if sg != nil {
			old, err := sg.bytes()
			if err != nil {
				return nil, err
			}
			ns = &segment{owner: b.v.gen, b: slices.Clone(old)}
		} else {
			ns = &segment{owner: b.v.gen, b: make([]byte, b.g.fan*refSize)}
		}
		pg.segs[s] = ns
		b.dirtySegs = append(b.dirtySegs, [2]uint64{p, s})
		sg = ns
	}
	return sg, nil
}

// decodeRefs parses a map block body into exactly fan refs.
func decodeRefs(body []byte, fan uint64) ([]ref, bool) {
	if uint64(len(body)) != fan*refSize {
		return nil, false
	}
	out := make([]ref, fan)
	for i := range out {
		out[i] = getRef(body[i*refSize:])
	}
	return out, true
}
