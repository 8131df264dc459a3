package conformance

// A metamorphic test: one random stream of SQL statements runs in lockstep
// against bxdb in several configurations and against SQLite (modernc), and
// every statement must succeed or fail alike and every query return the
// same rows everywhere. The stream sticks to SQL whose meaning MySQL and
// SQLite share (integer arithmetic without division, ORDER BY on integer
// keys, strings only stored and returned), so SQLite is an independent
// oracle, and the bxdb configurations check each other: a tiny cache (every
// read goes to the file), sync=off, a database closed and reopened every
// few statements, and :memory:.

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// mmTarget is one database the stream runs against.
type mmTarget struct {
	name   string
	open   func() (*sql.DB, error)
	reopen bool // close and reopen every mmReopenEvery statements
	db     *sql.DB
	tx     *sql.Tx
}

const mmReopenEvery = 37

// exec runs a statement on the target (in its open transaction, if any).
func (m *mmTarget) exec(q string) error {
	var err error
	if m.tx != nil {
		_, err = m.tx.Exec(q)
	} else {
		_, err = m.db.Exec(q)
	}
	return err
}

// query runs a query and returns its rows normalised to strings.
func (m *mmTarget) query(q string) ([]string, error) {
	var rows *sql.Rows
	var err error
	if m.tx != nil {
		rows, err = m.tx.Query(q)
	} else {
		rows, err = m.db.Query(q)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	err = scanRows(rows, len(cols), func(vals []any) {
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = mmNorm(v)
		}
		out = append(out, strings.Join(parts, "|"))
	})
	return out, err
}

// mmNorm renders a value so that equal values of the two dialects print
// alike: numbers (MySQL's DECIMAL sums and averages arrive as text) by
// their float64 value.
func mmNorm(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', 12, 64)
	case []byte:
		return mmNormText(string(x))
	case string:
		return mmNormText(x)
	}
	return fmt.Sprint(v)
}

func mmNormText(s string) string {
	if f, err := strconv.ParseFloat(s, 64); err == nil && s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') {
		return strconv.FormatFloat(f, 'g', 12, 64)
	}
	return "'" + s + "'"
}

// mmGen generates the statement stream.
type mmGen struct {
	rng    *rand.Rand
	inTx   bool
	spName []string
}

func (g *mmGen) intOrNull() string {
	if g.rng.IntN(8) == 0 {
		return "NULL"
	}
	return strconv.Itoa(g.rng.IntN(50) - 10)
}

func (g *mmGen) str() string {
	const letters = "abcdefghij"
	n := g.rng.IntN(12)
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[g.rng.IntN(len(letters))]
	}
	return "'" + string(b) + "'"
}

func (g *mmGen) table() string { return []string{"t1", "t2"}[g.rng.IntN(2)] }

func (g *mmGen) where() string {
	lo := g.rng.IntN(120)
	switch g.rng.IntN(5) {
	case 0:
		return fmt.Sprintf("id BETWEEN %d AND %d", lo, lo+g.rng.IntN(40))
	case 1:
		return fmt.Sprintf("a < %d", g.rng.IntN(50)-10)
	case 2:
		return fmt.Sprintf("a IS NULL OR id = %d", lo)
	case 3:
		return fmt.Sprintf("id IN (%d, %d, %d)", lo, lo+3, g.rng.IntN(120))
	}
	return fmt.Sprintf("id >= %d AND a >= %d", lo, g.rng.IntN(40)-10)
}

// next returns the next statement and whether it is a query. Transaction
// control statements are returned as "BEGIN", "COMMIT", "ROLLBACK".
func (g *mmGen) next() (string, bool) {
	r := g.rng.IntN(100)
	switch {
	case r < 4 && !g.inTx:
		g.inTx = true
		return "BEGIN", false
	case r < 8 && g.inTx:
		g.inTx, g.spName = false, nil
		if g.rng.IntN(3) == 0 {
			return "ROLLBACK", false
		}
		return "COMMIT", false
	case r < 11 && g.inTx:
		name := fmt.Sprintf("sp%d", len(g.spName))
		g.spName = append(g.spName, name)
		return "SAVEPOINT " + name, false
	case r < 13 && g.inTx && len(g.spName) > 0:
		i := g.rng.IntN(len(g.spName))
		name := g.spName[i]
		if g.rng.IntN(2) == 0 {
			g.spName = g.spName[:i+1] // ROLLBACK TO keeps the savepoint
			return "ROLLBACK TO SAVEPOINT " + name, false
		}
		g.spName = g.spName[:i]
		return "RELEASE SAVEPOINT " + name, false
	case r < 40:
		n := 1 + g.rng.IntN(4)
		var vals []string
		for i := 0; i < n; i++ {
			vals = append(vals, fmt.Sprintf("(%d, %s, %s)", g.rng.IntN(140), g.intOrNull(), g.str()))
		}
		return fmt.Sprintf("INSERT INTO %s (id, a, b) VALUES %s", g.table(), strings.Join(vals, ", ")), false
	case r < 52:
		return fmt.Sprintf("UPDATE %s SET a = a + %d, b = %s WHERE %s", g.table(), g.rng.IntN(7)-3, g.str(), g.where()), false
	case r < 57:
		return fmt.Sprintf("UPDATE %s SET id = id + 1000 WHERE id = %d", g.table(), g.rng.IntN(140)), false
	case r < 64:
		return fmt.Sprintf("DELETE FROM %s WHERE %s", g.table(), g.where()), false
	case r < 78:
		return fmt.Sprintf("SELECT id, a, b FROM %s WHERE %s ORDER BY id", g.table(), g.where()), true
	case r < 86:
		return fmt.Sprintf("SELECT COUNT(*), COUNT(a), SUM(a), MIN(a), MAX(a) FROM %s WHERE %s", g.table(), g.where()), true
	case r < 92:
		return fmt.Sprintf("SELECT a, COUNT(*), SUM(id) FROM %s GROUP BY a ORDER BY a", g.table()), true
	case r < 94:
		return "SELECT t1.id, t2.id, t1.a FROM t1 JOIN t2 ON t1.a = t2.a WHERE t1.id < 60 ORDER BY t1.id, t2.id", true
	case r < 97:
		switch g.rng.IntN(8) {
		case 0:
			return fmt.Sprintf("SELECT DISTINCT a FROM %s ORDER BY a", g.table()), true
		case 1:
			return fmt.Sprintf("SELECT a, COUNT(*) FROM %s GROUP BY a HAVING COUNT(*) > 1 ORDER BY a", g.table()), true
		case 2:
			return "SELECT t1.id, t2.b FROM t1 LEFT JOIN t2 ON t1.id = t2.id WHERE t1.id < 50 ORDER BY t1.id", true
		case 3:
			return fmt.Sprintf("SELECT id FROM t1 WHERE a IN (SELECT a FROM t2 WHERE id < %d) ORDER BY id", g.rng.IntN(140)), true
		case 4:
			return fmt.Sprintf("SELECT id, CASE WHEN a > 10 THEN 'big' WHEN a IS NULL THEN 'none' ELSE 'small' END, COALESCE(a, -1) FROM %s ORDER BY id LIMIT 20", g.table()), true
		case 5:
			return fmt.Sprintf("INSERT INTO t2 (id, a, b) SELECT id + %d, a, b FROM t1 WHERE id < 20", 100+g.rng.IntN(60)), false
		case 6:
			return fmt.Sprintf("REPLACE INTO %s (id, a, b) VALUES (%d, %s, %s)", g.table(), g.rng.IntN(140), g.intOrNull(), g.str()), false
		}
		return fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE NOT (%s)", g.table(), g.where()), true
	}
	return fmt.Sprintf("SELECT id FROM %s WHERE id > %d ORDER BY id DESC LIMIT %d", g.table(), g.rng.IntN(120), 1+g.rng.IntN(5)), true
}

func TestMetamorphic(t *testing.T) {
	steps := 1500
	if s := os.Getenv("BXDB_MM_STEPS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		steps = n
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("BXDB_MM_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		seed = n
	}
	t.Logf("seed %d (BXDB_MM_SEED), %d steps (BXDB_MM_STEPS)", seed, steps)
	dir := t.TempDir()
	bx := func(name, opts string) func() (*sql.DB, error) {
		path := filepath.Join(dir, name+".bxdb")
		return func() (*sql.DB, error) { return sql.Open("bxdb", path+opts) }
	}
	targets := []*mmTarget{
		{name: "bxdb", open: bx("default", "")},
		{name: "bxdb-tinycache", open: bx("tiny", "?cache=64KiB")},
		{name: "bxdb-nosync", open: bx("nosync", "?sync=off")},
		{name: "bxdb-reopen", open: bx("reopen", "?sync=off"), reopen: true},
		{name: "bxdb-memory", open: func() (*sql.DB, error) { return sql.Open("bxdb", ":memory:") }},
		{name: "sqlite", open: func() (*sql.DB, error) {
			return sql.Open("sqlite", "file:"+filepath.Join(dir, "oracle.db")+"?_pragma=synchronous(OFF)")
		}},
	}
	for _, m := range targets {
		db, err := m.open()
		if err != nil {
			t.Fatalf("%s: open: %v", m.name, err)
		}
		db.SetMaxOpenConns(1) // one connection: :memory: and transactions
		m.db = db
		for _, ddl := range []string{
			"CREATE TABLE t1 (id INTEGER PRIMARY KEY, a INTEGER, b VARCHAR(20))",
			"CREATE TABLE t2 (id INTEGER PRIMARY KEY, a INTEGER, b VARCHAR(20))",
			"CREATE INDEX t1a ON t1 (a)",
			"CREATE INDEX t2a ON t2 (a)",
		} {
			if _, err := db.Exec(ddl); err != nil {
				t.Fatalf("%s: %s: %v", m.name, ddl, err)
			}
		}
	}
	defer func() {
		for _, m := range targets {
			if m.tx != nil {
				m.tx.Rollback()
			}
			m.db.Close()
		}
	}()
	g := &mmGen{rng: rand.New(rand.NewPCG(seed, 17))}
	var ok, failed, rowsSeen int
	defer func() {
		t.Logf("%d statements succeeded, %d failed alike, %d rows compared", ok, failed, rowsSeen)
	}()
	for step := 0; step < steps; step++ {
		q, isQuery := g.next()
		type outcome struct {
			rows []string
			err  error
		}
		outs := make([]outcome, len(targets))
		for i, m := range targets {
			if m.reopen && m.tx == nil && step%mmReopenEvery == 0 && step > 0 {
				if err := m.db.Close(); err != nil {
					t.Fatalf("step %d: %s: close: %v", step, m.name, err)
				}
				db, err := m.open()
				if err != nil {
					t.Fatalf("step %d: %s: reopen: %v", step, m.name, err)
				}
				db.SetMaxOpenConns(1)
				m.db = db
			}
			var o outcome
			switch {
			case q == "BEGIN":
				m.tx, o.err = m.db.Begin()
			case q == "COMMIT":
				o.err = m.tx.Commit()
				m.tx = nil
			case q == "ROLLBACK":
				o.err = m.tx.Rollback()
				m.tx = nil
			case isQuery:
				o.rows, o.err = m.query(q)
			default:
				o.err = m.exec(q)
			}
			outs[i] = o
		}
		for i := 1; i < len(targets); i++ {
			a, b := outs[0], outs[i]
			if (a.err == nil) != (b.err == nil) {
				t.Fatalf("step %d: %s\n%s: err %v\n%s: err %v", step, q, targets[0].name, a.err, targets[i].name, b.err)
			}
			if strings.Join(a.rows, "\n") != strings.Join(b.rows, "\n") {
				t.Fatalf("step %d: %s\n%s:\n%s\n%s:\n%s", step, q, targets[0].name, strings.Join(a.rows, "\n"), targets[i].name, strings.Join(b.rows, "\n"))
			}
		}
		if outs[0].err != nil {
			failed++
		} else {
			ok++
			rowsSeen += len(outs[0].rows)
		}
	}
	// The stream must mostly work, or the comparison proves little.
	if ok < steps*3/4 || rowsSeen < steps {
		t.Fatalf("only %d of %d statements succeeded, %d rows compared", ok, steps, rowsSeen)
	}
}
