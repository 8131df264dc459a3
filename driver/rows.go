package driver

import (
	"context"
	"database/sql/driver"
	"reflect"

	"github.com/bxdb/bxdb/sqlfront"
)

// rows is a query's result, read one row at a time from the engine. The
// values Next returns are fresh (strings and []byte are not reused), so
// they stay valid after the next call.
type rows struct {
	c    *conn
	r    *sqlfront.Rows
	cols []sqlfront.ColumnInfo
	buf  []sqlfront.Value
	st   *sqlfront.Stmt // prepared by conn.QueryContext for this query: closed with the rows
	done bool
	// ctx is the query's context and ctxDone its Done channel (nil for a
	// context that is never done): Next stops once it is done, also
	// between rows the engine had already computed (a sorted result).
	ctx     context.Context
	ctxDone <-chan struct{}
	// json marks the JSON columns, whose text values are returned as
	// []byte (nil if there are none).
	json []bool
	// bits holds the byte width of BIT columns, whose integer values are
	// returned as that many big-endian bytes, and 0 for the others (nil
	// if there are none).
	bits []int
	// small backs buf for results of few columns (one allocation less).
	small [3]sqlfront.Value
}

var (
	_ driver.Rows                           = (*rows)(nil)
	_ driver.RowsColumnTypeDatabaseTypeName = (*rows)(nil)
	_ driver.RowsColumnTypeScanType         = (*rows)(nil)
	_ driver.RowsColumnTypeNullable         = (*rows)(nil)
	_ driver.RowsColumnTypeLength           = (*rows)(nil)
	_ driver.RowsColumnTypePrecisionScale   = (*rows)(nil)
)

// newRows wraps r, the result of a query run with ctx; st, if not nil,
// is closed with the rows.
func newRows(ctx context.Context, c *conn, r *sqlfront.Rows, st *sqlfront.Stmt) *rows {
	cols := r.Columns()
	rs := &rows{c: c, r: r, cols: cols, st: st, ctx: ctx, ctxDone: ctx.Done()}
	if len(cols) <= len(rs.small) {
		rs.buf = rs.small[:len(cols)]
	} else {
		rs.buf = make([]sqlfront.Value, len(cols))
	}
	for i := range cols {
		switch {
		case isJSONColumn(&cols[i]):
			if rs.json == nil {
				rs.json = make([]bool, len(cols))
			}
			rs.json[i] = true
		case isBitColumn(&cols[i]):
			if rs.bits == nil {
				rs.bits = make([]int, len(cols))
			}
			rs.bits[i] = bitColumnBytes(&cols[i])
		}
	}
	return rs
}

// Columns implements driver.Rows.
func (r *rows) Columns() []string {
	names := make([]string, len(r.cols))
	for i := range r.cols {
		names[i] = r.cols[i].Name
	}
	return names
}

// Close implements driver.Rows. Closing before the last row stops the
// query; database/sql closes the rows when the query's context is done.
func (r *rows) Close() error {
	if r.done {
		return nil
	}
	r.done = true
	err := r.r.Close()
	if r.st != nil {
		if err2 := r.st.Close(); err == nil {
			err = err2
		}
	}
	return sqlError(err)
}

// Next implements driver.Rows; it returns io.EOF after the last row, and
// the context's error if the query's context is done.
func (r *rows) Next(dest []driver.Value) error {
	if r.ctxDone != nil {
		select {
		case <-r.ctxDone:
			return r.ctx.Err()
		default:
		}
	}
	if err := r.r.Next(r.buf); err != nil {
		return r.c.check(err)
	}
	for i := range dest {
		v := r.buf[i]
		switch {
		case r.json != nil && r.json[i] && v.K == sqlfront.KindString:
			// As go-sql-driver/mysql returns JSON: bytes, which scan
			// into json.RawMessage and []byte-only Scanners too.
			dest[i] = []byte(v.S)
		case r.bits != nil && r.bits[i] > 0 && (v.K == sqlfront.KindInt || v.K == sqlfront.KindUint):
			// As MySQL sends BIT(n): (n+7)/8 bytes, big-endian.
			dest[i] = bitBytes(v, r.bits[i])
		default:
			dest[i] = valueOut(v, r.cols[i].Kind == sqlfront.KindUint)
		}
		r.buf[i] = sqlfront.Value{} // drop references to the row
	}
	return nil
}

// ColumnTypeDatabaseTypeName implements
// driver.RowsColumnTypeDatabaseTypeName: the MySQL type name in upper case
// without length, as go-sql-driver/mysql reports them ("BIGINT",
// "UNSIGNED BIGINT", "VARCHAR", "DECIMAL", "DATETIME", "BLOB", …).
func (r *rows) ColumnTypeDatabaseTypeName(i int) string { return r.cols[i].DatabaseTypeName }

// ColumnTypeScanType implements driver.RowsColumnTypeScanType. It returns
// the Go type of the column's non-NULL values (int64, uint64, float64,
// string, []byte or time.Time; see valueOut and bitBytes), whether or not
// the column is nullable, as database/sql's own scanning does: use
// sql.Null[T] or a pointer for nullable columns. A column with no type
// gives any.
func (r *rows) ColumnTypeScanType(i int) reflect.Type { return scanType(&r.cols[i]) }

// ColumnTypeNullable implements driver.RowsColumnTypeNullable; ok is
// false when the engine cannot tell (most expressions).
func (r *rows) ColumnTypeNullable(i int) (nullable, ok bool) {
	return r.cols[i].Nullable, r.cols[i].NullableOK
}

// ColumnTypeLength implements driver.RowsColumnTypeLength: the declared
// length of CHAR, VARCHAR, BINARY, VARBINARY, TEXT and BLOB columns
// (characters for text, bytes for binary) and the n of BIT(n) (in bits,
// as MySQL reports it); ok is false for other types.
func (r *rows) ColumnTypeLength(i int) (length int64, ok bool) {
	return r.cols[i].Length, r.cols[i].LengthOK
}

// ColumnTypePrecisionScale implements
// driver.RowsColumnTypePrecisionScale: the precision and scale of DECIMAL
// columns; ok is false for other types.
func (r *rows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	return r.cols[i].Precision, r.cols[i].Scale, r.cols[i].DecimalOK
}
