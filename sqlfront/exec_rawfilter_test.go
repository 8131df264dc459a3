package sqlfront

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRawFilter compares scans whose leading conditions are tested on
// stored rows (exec_rawfilter.go) with the general path (rawFilters off)
// over random rows with NULLs: every column type, collations, ENUM,
// constants of every kind, rows written before ADD COLUMN (fill values),
// a table whose fields are not its ordinals (DROP COLUMN), conditions
// after one that is not checked raw, and joins.
func TestRawFilter(t *testing.T) {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 11))
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	execSQL(t, s, `CREATE TABLE t (id INT PRIMARY KEY, gone INT, i BIGINT, f DOUBLE, s VARCHAR(10),
		b VARCHAR(10) COLLATE utf8mb4_bin, d DECIMAL(6,2), dt DATETIME, e ENUM('x','y','z'),
		u BIGINT UNSIGNED, vb VARBINARY(16), KEY ki (i))`)
	strs := []string{"abc", "ABC", "abd", "", "5", "5x", "2.5", "x", "y", "Z", "2024-01-01", "é"}
	pick := func(vals ...string) string {
		if rng.IntN(6) == 0 {
			return "NULL"
		}
		return vals[rng.IntN(len(vals))]
	}
	quote := func(v string) string { return "'" + v + "'" }
	quoted := make([]string, len(strs))
	for k, v := range strs {
		quoted[k] = quote(v)
	}
	insert := func(id int, extra string) {
		names := "id, i, f, s, b, d, dt, e, u, vb"
		if extra != "" {
			names += ", a"
		}
		execSQL(t, s, fmt.Sprintf("INSERT INTO t (%s) VALUES (%d, %s, %s, %s, %s, %s, %s, %s, %s, %s%s)", names, id,
			pick("-3", "0", "1", "5", "7", "9223372036854775807", "-9223372036854775807"),
			pick("-2.5", "0", "0.5", "2.5", "5", "1e300", "-0.0"),
			pick(quoted...), pick(quoted...),
			pick("-1.50", "0.00", "2.50", "5.00", "7.25"),
			pick("'2024-01-01 00:00:00'", "'2023-12-31 23:59:59'", "'2024-06-01 12:00:00'"),
			pick("'x'", "'y'", "'z'"),
			pick("0", "5", "18446744073709551615", "9223372036854775808"),
			pick(quoted...), extra))
	}
	for id := range 150 {
		insert(id, "")
	}
	execSQL(t, s, "ALTER TABLE t ADD COLUMN a INT DEFAULT 7")
	execSQL(t, s, "ALTER TABLE t DROP COLUMN gone")
	for id := 150; id < 300; id++ {
		insert(id, ", "+pick("-3", "0", "7", "9"))
	}
	consts := []string{"5", "-3", "0", "2.5", "-0.5", "1e300", "7", "'5'", "'abc'", "'ABC'", "'abd'", "''", "'2.5'",
		"'2024-01-01'", "'2024-01-01 00:00:00'", "'x'", "'Z'", "2024", "18446744073709551615", "9223372036854775808",
		"5.00", "2.50", "0x41", "X'616263'", "_binary 'abc'", "'abc' COLLATE utf8mb4_bin", "TRUE"}
	cols := []string{"i", "f", "s", "b", "d", "dt", "e", "u", "vb", "a", "id"}
	ops := []string{"=", "<>", "<", "<=", ">", ">="}
	run := func(q string, args ...Value) []string {
		rows := querySQL(t, s, q, args...)
		out := make([]string, len(rows))
		for k, r := range rows {
			out[k] = strings.Join(r, "|")
		}
		return out
	}
	check := func(q string, args ...Value) {
		t.Helper()
		rawFilters = true
		fast := run(q, args...)
		rawFilters = false
		slow := run(q, args...)
		rawFilters = true
		if !slices.Equal(fast, slow) {
			t.Fatalf("%s %v:\nraw checks: %v\ngeneral:    %v", q, args, fast, slow)
		}
	}
	condOf := func(q string) string {
		c := q + cols[rng.IntN(len(cols))]
		k := consts[rng.IntN(len(consts))]
		if rng.IntN(2) == 0 {
			return fmt.Sprintf("%s %s %s", c, ops[rng.IntN(len(ops))], k)
		}
		return fmt.Sprintf("%s %s %s", k, ops[rng.IntN(len(ops))], c) // constant first
	}
	cond := func() string { return condOf("") }
	for _, c := range cols {
		for _, op := range ops {
			for _, k := range consts {
				check(fmt.Sprintf("SELECT id FROM t WHERE %s %s %s ORDER BY id", c, op, k))
			}
		}
	}
	// Placeholders, on either side, NULL included.
	argVals := []Value{Null, IntValue(5), IntValue(-3), FloatValue(2.5), FloatValue(0), StringValue("abc"),
		StringValue("ABC"), StringValue("5"), StringValue("2024-01-01"), BytesValue([]byte("abc")),
		UintValue(18446744073709551615), TimeValue(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)),
		{K: KindDecimal, S: "2.50"}, {K: KindString, S: "abc", C: CollBin}}
	for _, c := range cols {
		for _, op := range ops {
			for _, a := range argVals {
				check(fmt.Sprintf("SELECT id FROM t WHERE %s %s ? ORDER BY id", c, op), a)
				check(fmt.Sprintf("SELECT id FROM t WHERE ? %s %s ORDER BY id", op, c), a)
			}
		}
	}
	for range 100 {
		a, b := argVals[rng.IntN(len(argVals))], argVals[rng.IntN(len(argVals))]
		check(fmt.Sprintf("SELECT * FROM t WHERE %s %s ? AND %s AND ? %s %s ORDER BY id", cols[rng.IntN(len(cols))], ops[rng.IntN(len(ops))],
			cond(), ops[rng.IntN(len(ops))], cols[rng.IntN(len(cols))]), a, b)
	}
	for range 300 {
		var q string
		switch rng.IntN(4) {
		case 0:
			q = fmt.Sprintf("SELECT * FROM t WHERE %s AND %s ORDER BY id", cond(), cond())
		case 1:
			q = fmt.Sprintf("SELECT COUNT(*), SUM(i) FROM t WHERE %s AND %s AND %s", cond(), cond(), cond())
		case 2: // not checked raw: a condition that is no column-constant comparison comes first
			q = fmt.Sprintf("SELECT id, s FROM t WHERE i + 0 > f AND %s ORDER BY id", cond())
		default:
			q = fmt.Sprintf("SELECT t.id, t2.id FROM t JOIN t AS t2 ON t2.i = t.i WHERE %s AND %s ORDER BY 1, 2", condOf("t."), condOf("t2."))
		}
		check(q)
	}
	// An UPDATE through a filtered scan changes the same rows.
	update := func(c string, raw bool) []string {
		rawFilters = raw
		defer func() { rawFilters = true }()
		execSQL(t, s, "BEGIN")
		defer execSQL(t, s, "ROLLBACK")
		n := execSQL(t, s, "UPDATE t SET a = -a WHERE "+c).RowsAffected
		return append(run("SELECT id, a FROM t ORDER BY id"), fmt.Sprint(n))
	}
	for range 30 {
		c := cond()
		if fast, slow := update(c, true), update(c, false); !slices.Equal(fast, slow) {
			t.Fatalf("UPDATE WHERE %s:\nraw checks: %v\ngeneral:    %v", c, fast, slow)
		}
	}
}
