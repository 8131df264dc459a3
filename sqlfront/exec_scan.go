package sqlfront

import (
	"encoding/binary"
	"io"
	"math"
	"strings"

	"github.com/bxdb/bxdb/engine/bxtree"
	"github.com/xwb1989/sqlparser"
)

// Table sources: the leaves of the join pipeline. A source is opened with
// the row built so far (the columns of the tables before it, or the
// template for the first table) and produces fresh wide rows that extend
// it with its own table's columns, already filtered by the conditions on
// its table alone.

// tableSource produces the rows of one table for one outer row.
type tableSource interface {
	// open starts producing rows that extend base. base is not modified.
	open(base []Value) error
	// next returns a new row (the caller owns it) or io.EOF.
	next() ([]Value, error)
	close()
}

// cloneRow returns a copy of r.
func cloneRow(r []Value) []Value {
	out := make([]Value, len(r))
	copy(out, r)
	return out
}

// keySource reads a base table through key ranges on its primary key or
// an index: the ranges are fixed (range, points, full scan) or built per
// open from lookup expressions.
type keySource struct {
	sc      *stmtCtx
	ft      *fromTable
	st      *tableStore
	ix      *index
	ranges  []keyRange
	points  bool
	reverse bool
	filter  Expr
	// raw are the leading conditions of filter tested on stored rows
	// before they are decoded (exec_rawfilter.go).
	raw rawChecks
	// lookup: ranges built at open
	lookups []Expr
	sets    []*ivset
	kcols   []keyCol
	unique  bool

	// covering: the index holds every column the query reads; rows are
	// decoded from index keys without reading the table.
	covering bool
	// skip is the number of records still to drop before the first row
	// (sourceIter.skipRows); only for fixed ranges without a filter.
	skip int64
	// ixTypes and keyVals are decodeIndexKey's scratch.
	ixTypes []ColumnType
	keyVals []Value
	// mask, when set, names the only columns the statement reads: the
	// others are not decoded.
	mask    *colMask
	base    []Value
	scratch []Value // base with the current record decoded into it
	cur     []keyRange
	ri      int
	c       *bxtree.Cursor
	tree    *bxtree.Tree
	// spare is the cursor of the last range, on tree spareOf, rebound for
	// the next one (a join probes one short range per outer row).
	spare   *bxtree.Cursor
	spareOf *bxtree.Tree
	// reuse makes next return its scratch row instead of a copy: the
	// consumer copies what it keeps (see streamTop).
	reuse bool
	// setsBuf and exactsBuf are open's scratch; probe, probeLo and
	// probeHi hold the one range of a point probe (onePrefix). All are
	// reused from open to open.
	setsBuf          []*ivset
	exactsBuf        []bool
	pointBufs        []ivset // the point sets of integer lookups, per key column
	probe            [1]keyRange
	probeLo, probeHi []byte
}

// out returns the row next produces: scratch itself or a copy.
func (s *keySource) out(row []Value) []Value {
	if s.reuse {
		return row
	}
	return cloneRow(row)
}

// open positions the source before its first range.
func (s *keySource) open(base []Value) error {
	s.base = base
	if len(s.scratch) != len(base) {
		s.scratch = make([]Value, len(base))
	}
	copy(s.scratch, base)
	s.ri = 0
	s.c = nil
	s.tree = s.st.tree
	s.st.ref.noteRead()
	if s.ix != nil {
		r, err := s.st.ixRef(s.ix)
		if err != nil {
			return err
		}
		r.noteRead()
		s.tree = r.t
	}
	if s.lookups == nil {
		s.cur = s.ranges
		return nil
	}
	env := s.sc.env
	env.Row = base
	if len(s.setsBuf) != len(s.kcols) {
		s.setsBuf = make([]*ivset, len(s.kcols))
		s.exactsBuf = make([]bool, len(s.kcols))
		s.pointBufs = make([]ivset, len(s.kcols))
	}
	sets := s.setsBuf
	clear(sets)
	for i := range s.kcols {
		if i < len(s.lookups) && s.lookups[i] != nil {
			v, err := s.lookups[i].Eval(env)
			if err != nil {
				return err
			}
			if t := s.kcols[i].typ; v.K == KindInt && t.Kind() == KindInt && !t.Unsigned {
				// The usual join key, an integer against a signed integer
				// column: the set cmpSet would build, {v}, without its
				// allocations (see ivDomain.conv).
				ps := &s.pointBufs[i]
				*ps = ivset{ivs: append(ps.ivs[:0], ival{lo: bnd{v: v, incl: true}, hi: bnd{v: v, incl: true}})}
				sets[i] = ps
				continue
			}
			set, _ := ivDomain{t: s.kcols[i].typ}.cmpSet("=", v)
			if set == nil {
				set = notNullSet() // not comparable in key order: filter later
			}
			sets[i] = set
		} else if i < len(s.sets) {
			sets[i] = s.sets[i]
		}
		if sets[i] == nil {
			break
		}
	}
	if s.onePrefix(sets) {
		return nil
	}
	kp := buildKeyRanges(s.kcols, sets, s.exactsBuf, s.unique && s.ix == nil)
	s.cur = kp.ranges
	return nil
}

// onePrefix is open's path for the usual join probe: sets (nil from the
// first unconstrained key column on) hold one non-NULL point each, or one
// of them is empty. That is what buildKeyRanges turns into one range, the
// key prefix and its end, or none; here the range is built in buffers the
// source reuses. It reports false, having changed nothing, for other sets.
func (s *keySource) onePrefix(sets []*ivset) bool {
	key := s.probeLo[:0]
	n := 0
	for i, set := range sets {
		if set == nil {
			break
		}
		if set.empty() {
			s.cur = nil // NULL, or a value the column cannot hold: no row
			return true
		}
		if set.null || len(set.ivs) != 1 || !set.ivs[0].isPoint() {
			return false
		}
		kc := s.kcols[i]
		key = AppendKey(key, set.ivs[0].lo.v, kc.typ, kc.desc)
		n++
	}
	if n == 0 {
		return false
	}
	s.probeLo = key
	s.probeHi = incPrefix(append(s.probeHi[:0], key...))
	s.probe[0] = keyRange{lo: s.probeLo, hi: s.probeHi}
	s.cur = s.probe[:]
	return true
}

// incPrefix turns p into the smallest key above every key that starts
// with p (prefixEnd in place; nil when there is none).
func incPrefix(p []byte) []byte {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] < 0xff {
			p[i]++
			return p[:i+1]
		}
	}
	return nil
}

// range_ returns the i-th range in scan order.
func (s *keySource) range_(i int) keyRange {
	if s.reverse {
		return s.cur[len(s.cur)-1-i]
	}
	return s.cur[i]
}

// next returns the next row that passes the filter.
func (s *keySource) next() ([]Value, error) {
	for {
		if err := s.sc.tick(); err != nil {
			return nil, err
		}
		var val, pk []byte
		if s.c == nil {
			if s.ri >= len(s.cur) {
				return nil, io.EOF
			}
			r := s.range_(s.ri)
			if s.points {
				s.ri++
				v, _, ok, err := s.st.tree.Get(r.lo)
				if err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
				val, pk = v, r.lo
			} else {
				if s.spare != nil && s.spareOf == s.tree {
					s.c = s.spare
					s.c.Rebound(r.lo, r.hi)
				} else {
					s.c = s.tree.Range(r.lo, r.hi)
					s.spare, s.spareOf = s.c, s.tree
				}
				var ok bool
				switch {
				case s.skip > 0:
					var err error
					if ok, err = s.seekSkip(s.c, r); err != nil {
						return nil, err
					}
				case s.reverse:
					ok = s.c.Last()
				default:
					ok = s.c.First()
				}
				if !ok {
					if err := s.c.Err(); err != nil {
						return nil, err
					}
					s.c = nil
					s.ri++
					continue
				}
			}
		} else {
			var ok bool
			if s.reverse {
				ok = s.c.Prev()
			} else {
				ok = s.c.Next()
			}
			if !ok {
				if err := s.c.Err(); err != nil {
					return nil, err
				}
				s.c = nil
				s.ri++
				continue
			}
		}
		if val == nil && s.covering {
			var err error
			if pk, err = cursorValue(s.c); err != nil {
				return nil, err
			}
			row := s.scratch
			if err := s.decodeIndexKey(s.c.Key(), row); err != nil {
				return nil, err
			}
			if s.ft.keySlot > 0 {
				row[s.ft.keySlot] = BytesValue(pk)
			}
			if s.filter != nil {
				s.sc.env.Row = row
				ok, err := EvalBool(s.filter, s.sc.env)
				if err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
			}
			return s.out(row), nil
		}
		if val == nil {
			var err error
			if val, err = cursorValue(s.c); err != nil {
				return nil, err
			}
			pk = s.c.Key()
			if s.ix != nil {
				pk = val
				v, _, ok, err := s.st.tree.Get(val)
				if err != nil {
					return nil, err
				}
				if !ok {
					return nil, errIndexCorrupt(s.st.t, s.ix)
				}
				val = v
			}
		}
		if s.raw != nil && s.raw.rejects(val, s.sc.env.Args) {
			continue
		}
		// Decode into the scratch row; only rows that pass the filter are
		// copied out.
		row := s.scratch
		if err := decodeTableRow(s.st.t, val, row[s.ft.off:s.ft.off+len(s.ft.cols)], &s.st.phys, s.mask); err != nil {
			return nil, err
		}
		if s.ft.keySlot > 0 {
			row[s.ft.keySlot] = BytesValue(pk)
		}
		if s.filter != nil {
			s.sc.env.Row = row
			ok, err := EvalBool(s.filter, s.sc.env)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		return s.out(row), nil
	}
}

func (s *keySource) close() { s.c = nil }

// decodeIndexKey decodes an index entry's key (index columns, then the
// primary key) into the table's slots of row.
func (s *keySource) decodeIndexKey(key []byte, row []Value) error {
	t, ix, off := s.st.t, s.ix, s.ft.off
	if s.ixTypes == nil {
		s.ixTypes = make([]ColumnType, len(ix.cols))
		for i, c := range ix.cols {
			s.ixTypes[i] = t.cols[c].typ
		}
		s.keyVals = make([]Value, max(len(ix.cols), len(t.pk)))
	}
	vals := s.keyVals[:len(ix.cols)]
	rest, err := decodeKeyInto(vals, key, s.ixTypes, ix.descs)
	if err != nil {
		return err
	}
	for i, c := range ix.cols {
		row[off+c] = vals[i]
	}
	if len(t.pk) > 0 {
		pv := s.keyVals[:len(t.pk)]
		rest, err := decodeKeyInto(pv, rest, s.st.pkTypes, t.pkDesc)
		if err != nil {
			return err
		}
		if len(rest) != 0 {
			return errKey("%d trailing bytes", len(rest))
		}
		for i, c := range t.pk {
			row[off+c] = pv[i]
		}
	}
	return nil
}

// keyDecodable reports whether a column's values come back unchanged from
// the key encoding (numbers do; strings come back case-folded).
func keyDecodable(t ColumnType) bool {
	switch t.Base {
	case TypeTinyInt, TypeSmallInt, TypeMediumInt, TypeInt, TypeBigInt, TypeBool, TypeBit, TypeFloat, TypeDouble:
		return true
	}
	return false
}

// covers reports whether index ix of table k holds every column the
// query may read.
func (si *selectInfo) covers(k int, ix *index) bool {
	ft := si.lay.tabs[k]
	need := si.readColumns(k)
	if need == nil {
		return false
	}
	have := map[int]bool{}
	for _, c := range ix.cols {
		have[c] = true
	}
	for _, c := range ft.t.pk {
		have[c] = true
	}
	for c := range need {
		if !have[c] || !keyDecodable(ft.t.cols[c].typ) {
			return false
		}
	}
	return true
}

// readColumns returns the columns of table k that the statement may read
// (conservatively: any column named anywhere, subqueries included, with a
// matching or no qualifier, and the carried ones), or nil when it reads
// them all (SELECT *).
func (si *selectInfo) readColumns(k int) map[int]bool {
	ft := si.lay.tabs[k]
	need := map[int]bool{}
	all := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch x := n.(type) {
		case *sqlparser.StarExpr:
			if x.TableName.IsEmpty() || strings.EqualFold(x.TableName.Name.String(), ft.alias) {
				all = true
			}
		case *sqlparser.FuncExpr:
			if len(x.Exprs) == 1 {
				if _, star := x.Exprs[0].(*sqlparser.StarExpr); star {
					return false, nil // COUNT(*) reads no column
				}
			}
		case *sqlparser.JoinTableExpr:
			if strings.HasPrefix(x.Join, "natural") {
				all = true
			}
			for _, u := range x.Condition.Using {
				for i, c := range ft.cols {
					if strings.EqualFold(c, u.String()) {
						need[i] = true
					}
				}
			}
		case *sqlparser.ColName:
			q := x.Qualifier.Name.String()
			if q != "" && !strings.EqualFold(q, ft.alias) {
				return true, nil
			}
			for i, c := range ft.cols {
				if strings.EqualFold(c, x.Name.String()) {
					need[i] = true
				}
			}
		}
		return !all, nil
	}, si.sel)
	if all {
		return nil
	}
	for _, slot := range si.carried {
		if slot >= ft.off && slot < ft.off+len(ft.cols) {
			need[slot-ft.off] = true
		}
	}
	return need
}

// errIndexCorrupt reports an index entry without its row.
func errIndexCorrupt(t *table, ix *index) error {
	return &wrappedSQLError{SQLError: engErr(ErInternal, "Internal error: index %s of table %s points at a missing row", ix.desc.Name, t.desc.Name), cause: ErrCatalogCorrupt}
}

// rowsSource produces the rows of a virtual or derived table, or the
// buffered rows of a base table, for every open; with hash keys it only
// produces the rows whose build-side key equals the probe key.
type rowsSource struct {
	sc     *stmtCtx
	ft     *fromTable
	load   func() ([][]Value, error) // the table's column values, once
	filter Expr                      // over the wide row
	// hash join
	hashIn  []Expr // over the wide row of the table alone
	hashOut []Expr // over base
	tmpl    []Value

	loaded  bool
	rows    [][]Value
	buckets map[string][]int
	// classes[i] is the set of comparison classes (joinClass) of the
	// build side's values of hashIn[i].
	classes []uint8
	probe   []uint8 // the probe's classes, reused by every open
	base    []Value
	list    []int
	i       int
	// reuse makes next return scratch, overwritten by the next call,
	// instead of a new row (reuseSource).
	reuse   bool
	scratch []Value
}

// ensure loads and filters the rows once.
func (s *rowsSource) ensure() error {
	if s.loaded {
		return nil
	}
	rows, err := s.load()
	if err != nil {
		return err
	}
	s.loaded = true
	if s.filter == nil && s.hashIn == nil {
		s.rows = rows
		return nil
	}
	env := s.sc.env
	var kept [][]Value
	var used int64
	for _, r := range rows {
		wide := cloneRow(s.tmpl)
		copy(wide[s.ft.off:], r)
		env.Row = wide
		if s.filter != nil {
			ok, err := EvalBool(s.filter, env)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
		}
		if s.hashIn != nil {
			if s.classes == nil {
				s.classes = make([]uint8, len(s.hashIn))
			}
			k, null, err := hashKey(env, s.hashIn, s.classes)
			if err != nil {
				return err
			}
			if null {
				continue
			}
			if s.buckets == nil {
				s.buckets = map[string][]int{}
			}
			s.buckets[k] = append(s.buckets[k], len(kept))
			used += int64(len(k)) + rowSize(r)
			if used > 4*s.sc.e.opts.SortMemory {
				return engErr(ErOutOfSortMemory, "Out of sort memory: hash join build side exceeds %d bytes", 4*s.sc.e.opts.SortMemory)
			}
		}
		kept = append(kept, r)
	}
	s.rows = kept
	return nil
}

// Hash join keys. The join's equalities stay in its filter, so a key
// needs only to be equal for any two values that compare equal: numbers
// by their float64 (1, 1.0 and 1.00 alike), strings folded (equal under
// any collation bxdb has implies equal folded), byte strings as they
// are, times by their instant. Values of different comparison classes
// can be equal too (1 = '1', '2024-01-01' = DATE '2024-01-01', a VARBINARY
// with a VARCHAR): a probe whose class differs from a class seen on the
// build side reads every build row instead of one bucket.

// Comparison classes of join key values.
const (
	jcNumber uint8 = 1 << iota
	jcString
	jcBytes
	jcTime
	jcDuration
	jcOther
)

// joinClass returns the comparison class of a non-NULL value.
func joinClass(v Value) uint8 {
	switch v.K {
	case KindInt, KindUint, KindFloat, KindDecimal:
		return jcNumber
	case KindString:
		return jcString
	case KindBytes:
		return jcBytes
	case KindTime:
		if v.TimeType() == TimeDuration {
			return jcDuration
		}
		return jcTime
	}
	return jcOther
}

// hashKey evaluates the key expressions; null is set when one is NULL.
// The class of the i-th value is ORed into classes[i].
func hashKey(env *Env, xs []Expr, classes []uint8) (string, bool, error) {
	var b []byte
	for i, x := range xs {
		v, err := x.Eval(env)
		if err != nil {
			return "", false, err
		}
		if v.K == KindNull {
			return "", true, nil
		}
		c := joinClass(v)
		classes[i] |= c
		b = append(b, c)
		switch c {
		case jcNumber:
			f := ToFloat64(v)
			if f == 0 {
				f = 0 // -0
			}
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(f))
		case jcString:
			b = appendFold(b, trimTrailingSpaces(v.S)) // coarser than every collation
			b = append(b, 0)
		case jcTime, jcDuration:
			b = binary.BigEndian.AppendUint64(b, uint64(v.T.Unix()))
			b = binary.BigEndian.AppendUint32(b, uint32(v.T.Nanosecond()))
		case jcBytes:
			b = binary.AppendUvarint(b, uint64(len(v.S)))
			b = append(b, v.S...)
		default:
			b = AppendGroupKey(b, v)
		}
	}
	return string(b), false, nil
}

func (s *rowsSource) open(base []Value) error {
	if err := s.ensure(); err != nil {
		return err
	}
	s.base, s.i, s.list = base, 0, nil
	if s.hashIn != nil {
		env := s.sc.env
		env.Row = base
		if s.classes == nil {
			s.classes = make([]uint8, len(s.hashIn)) // an empty build side
		}
		if s.probe == nil {
			s.probe = make([]uint8, len(s.hashOut))
		}
		probe := s.probe
		clear(probe)
		k, null, err := hashKey(env, s.hashOut, probe)
		if err != nil {
			return err
		}
		switch {
		case null:
			s.list = []int{}
		case mixedClasses(s.classes, probe):
			s.list = nil // every build row; the join's filter decides
		default:
			s.list = s.buckets[k]
			if s.list == nil {
				s.list = []int{}
			}
		}
	}
	return nil
}

// mixedClasses reports whether the build side holds, for some key, a
// value of another class than the probe's.
func mixedClasses(build, probe []uint8) bool {
	for i, p := range probe {
		if build[i]&^p != 0 {
			return true
		}
	}
	return false
}

func (s *rowsSource) next() ([]Value, error) {
	for {
		if err := s.sc.tick(); err != nil {
			return nil, err
		}
		var r []Value
		if s.list != nil {
			if s.i >= len(s.list) {
				return nil, io.EOF
			}
			r = s.rows[s.list[s.i]]
		} else {
			if s.i >= len(s.rows) {
				return nil, io.EOF
			}
			r = s.rows[s.i]
		}
		s.i++
		var row []Value
		if s.reuse {
			if len(s.scratch) != len(s.base) {
				s.scratch = make([]Value, len(s.base))
			}
			row = s.scratch
			copy(row, s.base)
		} else {
			row = cloneRow(s.base)
		}
		copy(row[s.ft.off:], r)
		return row, nil
	}
}

func (s *rowsSource) close() {}

// sourceIter adapts the first table's source to a rowIter.
type sourceIter struct {
	src    tableSource
	base   []Value
	opened bool
	done   bool
}

func (it *sourceIter) Next() ([]Value, error) {
	if it.done {
		return nil, io.EOF
	}
	if !it.opened {
		it.opened = true
		if err := it.src.open(it.base); err != nil {
			return nil, err
		}
	}
	r, err := it.src.next()
	if err == io.EOF {
		it.done = true
	}
	return r, err
}

func (it *sourceIter) Close() { it.src.close() }

func (it *sourceIter) skipRows(n int64) bool {
	ks, ok := it.src.(*keySource)
	if !ok || it.opened || ks.filter != nil || ks.points || ks.lookups != nil || ks.skip != 0 {
		return false
	}
	ks.skip = n
	return true
}

// seekSkip opens cursor c on range r at the record s.skip records from
// its start (its end when reverse), using the tree's counts instead of
// reading the records in between; a range with no more than s.skip
// records is skipped whole (ok false, nothing to read in it).
func (s *keySource) seekSkip(c *bxtree.Cursor, r keyRange) (ok bool, err error) {
	n, err := s.tree.Count(r.lo, r.hi)
	if err != nil {
		return false, err
	}
	if n <= uint64(s.skip) {
		s.skip -= int64(n)
		return false, nil
	}
	var first uint64 // rank of the range's first record
	if r.lo != nil {
		if first, err = s.tree.Rank(r.lo); err != nil {
			return false, err
		}
	}
	k := first + uint64(s.skip)
	if s.reverse {
		k = first + n - 1 - uint64(s.skip)
	}
	s.skip = 0
	key, err := s.tree.Select(k)
	if err != nil {
		return false, err
	}
	if !c.Seek(key) {
		return false, c.Err()
	}
	return true, nil
}

// joinIter is a nested-loop join: for each outer row the inner source is
// opened with it; a LEFT JOIN emits the outer row itself (its inner
// columns are NULL) when no inner row matched.
type joinIter struct {
	sc    *stmtCtx
	outer rowIter
	inner tableSource
	left  bool
	on    Expr // LEFT JOIN: the match condition beyond the source's own
	// guard (LEFT JOIN) is the part of the match condition that reads
	// only the tables before: an outer row it does not hold for is
	// extended with NULLs without reading the inner table.
	guard   Expr
	cur     []Value
	active  bool
	matched bool
}

func (j *joinIter) Next() ([]Value, error) {
	for {
		if !j.active {
			o, err := j.outer.Next()
			if err != nil {
				return nil, err
			}
			if j.guard != nil {
				j.sc.env.Row = o
				ok, err := EvalBool(j.guard, j.sc.env)
				if err != nil {
					return nil, err
				}
				if !ok {
					return o, nil
				}
			}
			if err := j.inner.open(o); err != nil {
				return nil, err
			}
			j.cur, j.active, j.matched = o, true, false
		}
		r, err := j.inner.next()
		if err == io.EOF {
			j.active = false
			if j.left && !j.matched {
				return j.cur, nil
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if j.on != nil {
			j.sc.env.Row = r
			ok, err := EvalBool(j.on, j.sc.env)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		j.matched = true
		return r, nil
	}
}

func (j *joinIter) Close() {
	j.outer.Close()
	j.inner.close()
}

// newSource builds the source of table k for the chosen access.
func (si *selectInfo) newSource(k int, acc *access, scan []*conjunct) (tableSource, error) {
	sc := si.sc
	ft := si.lay.tabs[k]
	keep := func(c *conjunct) bool { return !acc.consumed[c] }
	filter := andExprs(scan, keep)
	if ft.jt != nil {
		return &jsonTableSource{sc: sc, ft: ft, filter: filter}, nil
	}
	if ft.t == nil {
		return &rowsSource{sc: sc, ft: ft, filter: filter, load: func() ([][]Value, error) { return ft.virt.load(sc) },
			hashIn: acc.hashIn, hashOut: acc.hashOut, tmpl: si.lay.tmpl}, nil
	}
	st, err := sc.store(ft.t)
	if err != nil {
		return nil, err
	}
	ks := &keySource{sc: sc, ft: ft, st: st, ix: acc.key, reverse: acc.reverse, filter: filter, raw: newRawChecks(ft, scan, keep)}
	if acc.key != nil && acc.kind != "points" && ft.keySlot == 0 && si.covers(k, acc.key) {
		ks.covering, acc.covering = true, true
	}
	if ft.keySlot == 0 && !ks.covering {
		// A SELECT reads only the columns it names (a DML statement's
		// scan has a key slot and reads whole rows).
		ks.mask = newColMask(ft.t, si.readColumns(k))
	}
	switch acc.kind {
	case "full":
		ks.ranges = []keyRange{{}}
	case "points":
		ks.ranges, ks.points = acc.kp.ranges, true
	case "range", "index":
		ks.ranges = acc.kp.ranges
	case "lookup":
		var ki keyInfo
		for _, x := range keysOf(ft.t) {
			if x.ix == acc.key {
				ki = x
			}
		}
		ks.kcols = keyColsOf(ft.t, ki)
		ks.lookups = acc.lookups
		ks.sets = acc.sets
		ks.unique = ki.unique
	}
	if acc.wrap != "" {
		// Read the table once (its own conditions applied), then hash or
		// buffer it.
		tmpl := si.lay.tmpl
		return &rowsSource{sc: sc, ft: ft, hashIn: acc.hashIn, hashOut: acc.hashOut, tmpl: tmpl, load: func() ([][]Value, error) {
			if err := ks.open(tmpl); err != nil {
				return nil, err
			}
			var rows [][]Value
			for {
				r, err := ks.next()
				if err == io.EOF {
					break
				}
				if err != nil {
					return nil, err
				}
				rows = append(rows, r[ft.off:ft.off+len(ft.cols)])
			}
			return rows, nil
		}}, nil
	}
	return ks, nil
}

// cursorValue returns the value of c's record, or the error that kept it
// from reading it (an overflow chain that fails verification): Value alone
// returns nil for both that and an empty value.
func cursorValue(c *bxtree.Cursor) ([]byte, error) {
	v := c.Value()
	if v == nil {
		if err := c.Err(); err != nil {
			return nil, err
		}
	}
	return v, nil
}
