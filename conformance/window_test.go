package conformance

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestWindowFunctionsAgainstSQLite runs random window queries (functions,
// PARTITION BY and ORDER BY with ties, NULLs and DESC) on the same data in
// bxdb and in SQLite, whose default window frames are MySQL's, and
// requires the same rows. The seed is fixed; each query's text is in the
// failure message.
func TestWindowFunctionsAgainstSQLite(t *testing.T) {
	bx := ctOpen(t, ":memory:")
	lite := openSQLiteSLT(t)
	rng := rand.New(rand.NewPCG(21, 22))
	for _, db := range []ctExecer{bx, lite} {
		ctExec(t, db, "CREATE TABLE w (id INTEGER PRIMARY KEY, g INTEGER, h VARCHAR(3), v INTEGER)")
	}
	for id := 1; id <= 60; id++ {
		g := fmt.Sprint(rng.IntN(4))
		h := []string{"'x'", "'y'", "NULL"}[rng.IntN(3)]
		v := fmt.Sprint(rng.IntN(20) - 5)
		if rng.IntN(6) == 0 {
			v = "NULL"
		}
		q := fmt.Sprintf("INSERT INTO w VALUES (%d, %s, %s, %s)", id, g, h, v)
		ctExec(t, bx, q)
		ctExec(t, lite, q)
	}
	// Functions whose value depends on the order among peers get id as a
	// last ORDER BY key, so both engines agree on one order.
	type fn struct {
		call      string
		needOrder bool // ties must be broken by id
		framed    bool // takes a frame clause
	}
	fns := []fn{
		{"ROW_NUMBER()", true, false}, {"RANK()", false, false}, {"DENSE_RANK()", false, false}, {"NTILE(3)", true, false},
		{"LAG(v)", true, false}, {"LEAD(v, 2, -99)", true, false}, {"FIRST_VALUE(v)", true, true}, {"LAST_VALUE(v)", true, true},
		{"NTH_VALUE(v, 2)", true, true}, {"SUM(v)", false, true}, {"COUNT(v)", false, true}, {"COUNT(*)", false, true},
		{"MIN(v)", false, true}, {"MAX(v)", false, true},
	}
	// Frames; a ROWS frame depends on the order among peers too.
	frames := []struct {
		clause string
		rows   bool
	}{
		{"", false}, {"", false}, {"ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING", true}, {"ROWS UNBOUNDED PRECEDING", true},
		{"ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING", true}, {"ROWS BETWEEN 2 PRECEDING AND CURRENT ROW", true},
		{"ROWS BETWEEN 3 FOLLOWING AND 5 FOLLOWING", true}, {"ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING", true},
		{"RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING", false}, {"RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING", false},
		{"RANGE CURRENT ROW", false}, {"ROWS BETWEEN 3 FOLLOWING AND UNBOUNDED FOLLOWING", true},
		{"ROWS BETWEEN 2 PRECEDING AND UNBOUNDED FOLLOWING", true},
	}
	parts := []string{"", "PARTITION BY g", "PARTITION BY h", "PARTITION BY g, h"}
	orders := []string{"", "v", "v DESC", "g, v DESC", "h DESC, v"}
	for q := 0; q < 600; q++ {
		f := fns[rng.IntN(len(fns))]
		part, order := parts[rng.IntN(len(parts))], orders[rng.IntN(len(orders))]
		fr := frames[rng.IntN(len(frames))]
		if !f.framed {
			fr = frames[0]
		}
		if f.needOrder || fr.rows {
			if order == "" {
				order = "id"
			} else {
				order += ", id"
			}
		}
		spec := part
		if order != "" {
			spec = strings.TrimSpace(spec + " ORDER BY " + order)
		}
		spec = strings.TrimSpace(spec + " " + fr.clause)
		where := ""
		if rng.IntN(3) == 0 {
			where = fmt.Sprintf(" WHERE v > %d", rng.IntN(10))
		}
		sql := fmt.Sprintf("SELECT id, %s OVER (%s) AS x FROM w%s ORDER BY id", f.call, spec, where)
		got, want := fmt.Sprint(ctQueryAll(t, bx, sql)), fmt.Sprint(ctQueryAll(t, lite, sql))
		if got != want {
			t.Fatalf("%s:\nbxdb   %s\nsqlite %s", sql, got, want)
		}
	}
}

// TestWindowRangeOffsetsAgainstSQLite checks RANGE frames with value
// offsets (n PRECEDING / n FOLLOWING over one numeric ORDER BY value, with
// ties, NULLs, DESC and partitions) against SQLite, whose RANGE frames are
// MySQL's.
func TestWindowRangeOffsetsAgainstSQLite(t *testing.T) {
	bx := ctOpen(t, ":memory:")
	lite := openSQLiteSLT(t)
	rng := rand.New(rand.NewPCG(23, 24))
	for _, db := range []ctExecer{bx, lite} {
		ctExec(t, db, "CREATE TABLE w (id INTEGER PRIMARY KEY, g INTEGER, v INTEGER, d DOUBLE)")
	}
	for id := 1; id <= 80; id++ {
		v := fmt.Sprint(rng.IntN(30) - 10)
		if rng.IntN(7) == 0 {
			v = "NULL"
		}
		q := fmt.Sprintf("INSERT INTO w VALUES (%d, %d, %s, %d.5)", id, rng.IntN(3), v, rng.IntN(20))
		ctExec(t, bx, q)
		ctExec(t, lite, q)
	}
	fns := []string{"SUM(v)", "COUNT(v)", "COUNT(*)", "MIN(v)", "MAX(v)", "SUM(d)", "MIN(id)"}
	frames := []string{
		"RANGE 2 PRECEDING", "RANGE BETWEEN 2 PRECEDING AND 3 FOLLOWING", "RANGE BETWEEN CURRENT ROW AND 2 FOLLOWING",
		"RANGE BETWEEN 3 PRECEDING AND 1 PRECEDING", "RANGE BETWEEN 1 FOLLOWING AND 4 FOLLOWING",
		"RANGE BETWEEN 2 PRECEDING AND UNBOUNDED FOLLOWING", "RANGE BETWEEN UNBOUNDED PRECEDING AND 1 FOLLOWING",
		"RANGE BETWEEN 0 PRECEDING AND 0 FOLLOWING", "RANGE BETWEEN 1.5 PRECEDING AND 0.5 FOLLOWING",
	}
	orders := []string{"v", "v DESC", "d", "d DESC"}
	parts := []string{"", "PARTITION BY g "}
	for q := 0; q < 300; q++ {
		spec := parts[rng.IntN(len(parts))] + "ORDER BY " + orders[rng.IntN(len(orders))] + " " + frames[rng.IntN(len(frames))]
		sql := fmt.Sprintf("SELECT id, %s OVER (%s) AS x FROM w ORDER BY id", fns[rng.IntN(len(fns))], spec)
		got, want := fmt.Sprint(ctQueryAll(t, bx, sql)), fmt.Sprint(ctQueryAll(t, lite, sql))
		if got != want {
			t.Fatalf("%s:\nbxdb   %s\nsqlite %s", sql, got, want)
		}
	}
}
