package sqlfront

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"time"
)

// The external sorter behind ORDER BY, GROUP BY and materialized row
// buffers. Rows are kept in memory until their estimated size passes the
// budget; then the buffer is sorted (stably) and written to a temporary
// file as one run, and the final result merges the in-memory rows with
// every run. Memory stays bounded by the budget plus one buffered reader
// per run. Ties keep their input order across runs too (runs are merged
// with the run number as the tie-breaker), so the sort is stable.
//
// Spill file format: a sequence of rows, each a uvarint column count then
// the columns in spillValue encoding:
//
//	kind byte | payload
//	KindNull                    (none)
//	KindInt                     varint
//	KindUint                    uvarint
//	KindFloat                   8 bytes, IEEE 754 bits, little endian
//	KindDecimal/String/Bytes    uvarint length, bytes
//	KindTime                    varint I (display meta), varint Unix seconds, uvarint nanoseconds
//
// Spill files are private to the process and removed when the sorter is
// closed; the format is not stable across versions.

// rowCmp compares two rows for a sort.
type rowCmp func(a, b []Value) int

// sorter sorts rows with bounded memory. A sorter is used by one goroutine.
type sorter struct {
	cmp    rowCmp // nil: keep input order (a spilling buffer)
	budget int64
	dir    string
	rows   [][]Value
	used   int64
	runs   []*os.File
	closed bool
}

// newSorter returns a sorter ordering by cmp (nil keeps the input order)
// that spills to dir past budget bytes.
func newSorter(cmp rowCmp, budget int64, dir string) *sorter {
	return &sorter{cmp: cmp, budget: budget, dir: dir}
}

// rowSize estimates the memory a row holds.
func rowSize(row []Value) int64 {
	n := int64(24 + 72*len(row))
	for i := range row {
		n += int64(len(row[i].S))
	}
	return n
}

// add appends a row; the sorter keeps row (the caller must not modify it
// afterwards).
func (s *sorter) add(row []Value) error {
	s.rows = append(s.rows, row)
	s.used += rowSize(row)
	if s.used > s.budget && len(s.rows) > 1 {
		return s.spill()
	}
	return nil
}

// sortRows sorts the in-memory rows stably: pdqsort on the rows paired
// with their input position, which breaks ties (faster than a stable
// merge sort).
func (s *sorter) sortRows() {
	if s.cmp == nil || len(s.rows) < 2 {
		return
	}
	type seqRow struct {
		row []Value
		seq int
	}
	tmp := make([]seqRow, len(s.rows))
	for i, r := range s.rows {
		tmp[i] = seqRow{r, i}
	}
	slices.SortFunc(tmp, func(a, b seqRow) int {
		if c := s.cmp(a.row, b.row); c != 0 {
			return c
		}
		return a.seq - b.seq
	})
	for i := range tmp {
		s.rows[i] = tmp[i].row
	}
}

// spill writes the in-memory rows as one sorted run.
func (s *sorter) spill() error {
	s.sortRows()
	f, err := os.CreateTemp(s.dir, "bxdb-sort-*")
	if err != nil {
		return fmt.Errorf("sqlfront: sort spill: %w", err)
	}
	// The file is unlinked at once where the OS allows it; the handle
	// keeps it alive.
	os.Remove(f.Name())
	s.runs = append(s.runs, f)
	w := bufio.NewWriterSize(f, 256<<10)
	var buf []byte
	for _, r := range s.rows {
		buf = appendSpillRow(buf[:0], r)
		if _, err := w.Write(buf); err != nil {
			return fmt.Errorf("sqlfront: sort spill: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("sqlfront: sort spill: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("sqlfront: sort spill: %w", err)
	}
	clear(s.rows)
	s.rows = s.rows[:0]
	s.used = 0
	return nil
}

// spilled reports whether any run went to disk.
func (s *sorter) spilled() bool { return len(s.runs) > 0 }

// iter returns the sorted rows. The sorter must not be added to afterwards.
func (s *sorter) iter() (rowIter, error) {
	s.sortRows()
	if len(s.runs) == 0 {
		return &sliceIter{rows: s.rows, closeFn: s.close}, nil
	}
	m := &mergeIter{s: s}
	for i, f := range s.runs {
		src := &runSource{r: bufio.NewReaderSize(f, 64<<10), run: i}
		if err := m.push(src); err != nil {
			s.close()
			return nil, err
		}
	}
	if len(s.rows) > 0 {
		if err := m.push(&runSource{mem: s.rows, run: len(s.runs)}); err != nil {
			s.close()
			return nil, err
		}
	}
	heap.Init(m)
	return m, nil
}

// close removes the spill files.
func (s *sorter) close() {
	if s.closed {
		return
	}
	s.closed = true
	for _, f := range s.runs {
		f.Close()
		os.Remove(f.Name())
	}
	s.runs = nil
	s.rows = nil
}

// sliceIter iterates over rows in memory.
type sliceIter struct {
	rows    [][]Value
	i       int
	closeFn func()
}

func (it *sliceIter) Next() ([]Value, error) {
	if it.i >= len(it.rows) {
		return nil, io.EOF
	}
	r := it.rows[it.i]
	it.rows[it.i] = nil
	it.i++
	return r, nil
}

func (it *sliceIter) Close() {
	if it.closeFn != nil {
		it.closeFn()
		it.closeFn = nil
	}
	it.rows = nil
}

// runSource is one sorted run: a spill file or the in-memory tail.
type runSource struct {
	r   *bufio.Reader
	mem [][]Value
	run int
	cur []Value
}

// advance loads the run's next row into cur; io.EOF at the end.
func (r *runSource) advance() error {
	if r.r == nil {
		if len(r.mem) == 0 {
			return io.EOF
		}
		r.cur, r.mem = r.mem[0], r.mem[1:]
		return nil
	}
	row, err := readSpillRow(r.r)
	if err != nil {
		return err
	}
	r.cur = row
	return nil
}

// mergeIter merges runs with a heap.
type mergeIter struct {
	s    *sorter
	h    []*runSource
	last *runSource // the source whose row was returned last; advanced lazily
}

func (m *mergeIter) Len() int { return len(m.h) }
func (m *mergeIter) Less(i, j int) bool {
	if m.s.cmp != nil {
		if c := m.s.cmp(m.h[i].cur, m.h[j].cur); c != 0 {
			return c < 0
		}
	}
	return m.h[i].run < m.h[j].run
}
func (m *mergeIter) Swap(i, j int) { m.h[i], m.h[j] = m.h[j], m.h[i] }
func (m *mergeIter) Push(x any)    { m.h = append(m.h, x.(*runSource)) }
func (m *mergeIter) Pop() any {
	x := m.h[len(m.h)-1]
	m.h = m.h[:len(m.h)-1]
	return x
}

// push adds a source positioned on its first row (empty ones are dropped).
func (m *mergeIter) push(src *runSource) error {
	err := src.advance()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	m.h = append(m.h, src)
	return nil
}

func (m *mergeIter) Next() ([]Value, error) {
	if m.last != nil {
		err := m.last.advance()
		switch {
		case err == io.EOF:
			heap.Pop(m)
		case err != nil:
			return nil, err
		default:
			heap.Fix(m, 0)
		}
		m.last = nil
	}
	if len(m.h) == 0 {
		return nil, io.EOF
	}
	m.last = m.h[0]
	return m.last.cur, nil
}

func (m *mergeIter) Close() { m.s.close() }

// appendSpillRow appends the spill encoding of row.
func appendSpillRow(b []byte, row []Value) []byte {
	b = binary.AppendUvarint(b, uint64(len(row)))
	for i := range row {
		b = appendSpillValue(b, row[i])
	}
	return b
}

// appendSpillValue appends the spill encoding of v.
func appendSpillValue(b []byte, v Value) []byte {
	if v.K == KindString && v.C != 0 {
		b = append(b, spillCollated, byte(v.C)) // then the string
	}
	b = append(b, byte(v.K))
	switch v.K {
	case KindInt:
		b = binary.AppendVarint(b, v.I)
	case KindUint:
		b = binary.AppendUvarint(b, v.U)
	case KindFloat:
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.F))
	case KindDecimal, KindString, KindBytes:
		b = binary.AppendUvarint(b, uint64(len(v.S)))
		b = append(b, v.S...)
	case KindTime:
		b = binary.AppendVarint(b, v.I)
		b = binary.AppendVarint(b, v.T.Unix())
		b = binary.AppendUvarint(b, uint64(v.T.Nanosecond()))
	}
	return b
}

// spillCollated prefixes a string value with a collation (collation.go):
// spillCollated, the Collation byte, then the value.
const spillCollated = 0xC0

// errSpillCorrupt is returned when a spill file cannot be decoded.
var errSpillCorrupt = errors.New("sqlfront: corrupt sort spill file")

// readSpillRow reads one row; io.EOF at a clean end.
func readSpillRow(r *bufio.Reader) ([]Value, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n > 1<<16 {
		return nil, errSpillCorrupt
	}
	row := make([]Value, n)
	for i := range row {
		if row[i], err = readSpillValue(r); err != nil {
			if err == io.EOF {
				err = errSpillCorrupt
			}
			return nil, err
		}
	}
	return row, nil
}

// readSpillValue reads one value.
func readSpillValue(r *bufio.Reader) (Value, error) {
	k, err := r.ReadByte()
	if err != nil {
		return Null, err
	}
	var coll Collation
	if k == spillCollated {
		c, err := r.ReadByte()
		if err != nil {
			return Null, err
		}
		if k, err = r.ReadByte(); err != nil {
			return Null, err
		}
		coll = Collation(c)
	}
	v := Value{K: Kind(k), C: coll}
	switch v.K {
	case KindNull:
	case KindInt:
		v.I, err = binary.ReadVarint(r)
	case KindUint:
		v.U, err = binary.ReadUvarint(r)
	case KindFloat:
		var b [8]byte
		_, err = io.ReadFull(r, b[:])
		v.F = math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
	case KindDecimal, KindString, KindBytes:
		var n uint64
		if n, err = binary.ReadUvarint(r); err == nil {
			b := make([]byte, n)
			_, err = io.ReadFull(r, b)
			v.S = string(b)
		}
	case KindTime:
		var sec int64
		var ns uint64
		if v.I, err = binary.ReadVarint(r); err == nil {
			if sec, err = binary.ReadVarint(r); err == nil {
				ns, err = binary.ReadUvarint(r)
				v.T = time.Unix(sec, int64(ns)).UTC()
			}
		}
	default:
		return Null, errSpillCorrupt
	}
	return v, err
}
