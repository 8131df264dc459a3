package conformance

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkSQLShapes runs query shapes beyond W1..W7 (secondary and
// unique indexes, top-N, OFFSET paging, filtered scans, joins, IN
// subqueries, updates through an index) on bxdb and both SQLites in one
// run, and logs each bxdb time as a ratio to the best SQLite (>1: bxdb is
// faster).
//
//	go test ./conformance/ -run '^$' -bench BenchmarkSQLShapes -benchtime 1x
func BenchmarkSQLShapes(b *testing.B) {
	const n = 100000
	type wl struct {
		name string
		f    func(db *sql.DB) error
	}
	cities := []string{"paris", "rome", "oslo", "lima", "quito", "tokyo", "delhi", "cairo", "accra", "hanoi"}
	seen := 0 // rows the queries of the running workload returned
	q := func(db *sql.DB, reps int, query string, args func(i int) []any) error {
		st, err := db.Prepare(query)
		if err != nil {
			return err
		}
		defer st.Close()
		for i := 0; i < reps; i++ {
			rows, err := st.Query(args(i)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				seen++
			}
			if err := rows.Err(); err != nil {
				return err
			}
			rows.Close()
		}
		return nil
	}
	r := rand.New(rand.NewPCG(1, 1))
	wls := []wl{
		{"load 100k tx1000 3 idx", func(db *sql.DB) error {
			for _, s := range []string{
				"CREATE TABLE u (id INTEGER PRIMARY KEY, email VARCHAR(64) NOT NULL, age INT, city VARCHAR(32), score DOUBLE, created DATETIME)",
				"CREATE UNIQUE INDEX u_email ON u (email)",
				"CREATE INDEX u_age ON u (age)",
				"CREATE INDEX u_city_age ON u (city, age)",
				"CREATE TABLE o (id INTEGER PRIMARY KEY, user_id INT NOT NULL, amount DOUBLE, note VARCHAR(50))",
				"CREATE INDEX o_user ON o (user_id)",
			} {
				if _, err := db.Exec(s); err != nil {
					return err
				}
			}
			base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			for lo := 1; lo <= n; lo += 1000 {
				tx, _ := db.Begin()
				st, _ := tx.Prepare("INSERT INTO u (id, email, age, city, score, created) VALUES (?, ?, ?, ?, ?, ?)")
				for id := lo; id < lo+1000; id++ {
					if _, err := st.Exec(id, fmt.Sprintf("user%07d@example.com", (id*7919)%n), 18+id%60, cities[id%10], float64(id%1000)/1000, base.Add(time.Duration(id)*time.Minute).Format("2006-01-02 15:04:05")); err != nil {
						tx.Rollback()
						return err
					}
				}
				st.Close()
				if err := tx.Commit(); err != nil {
					return err
				}
			}
			tx, _ := db.Begin()
			st, _ := tx.Prepare("INSERT INTO o (id, user_id, amount, note) VALUES (?, ?, ?, ?)")
			for id := 1; id <= n/2; id++ {
				if _, err := st.Exec(id, 1+(id*31)%n, float64(id%500), "note"); err != nil {
					return err
				}
			}
			st.Close()
			return tx.Commit()
		}},
		{"unique email get x20k", func(db *sql.DB) error {
			return q(db, 20000, "SELECT id, age FROM u WHERE email = ?", func(i int) []any { return []any{fmt.Sprintf("user%07d@example.com", r.IntN(n))} })
		}},
		{"age = ? LIMIT 10 x5k", func(db *sql.DB) error {
			return q(db, 5000, "SELECT * FROM u WHERE age = ? LIMIT 10", func(i int) []any { return []any{18 + r.IntN(60)} })
		}},
		{"count city = ? x500", func(db *sql.DB) error {
			return q(db, 500, "SELECT COUNT(*) FROM u WHERE city = ?", func(i int) []any { return []any{cities[r.IntN(10)]} })
		}},
		{"city=? AND age=? x5k", func(db *sql.DB) error {
			return q(db, 5000, "SELECT id, email FROM u WHERE city = ? AND age = ?", func(i int) []any { return []any{cities[r.IntN(10)], 18 + r.IntN(60)} })
		}},
		{"group by city x20", func(db *sql.DB) error {
			return q(db, 20, "SELECT city, COUNT(*), AVG(score), MAX(age) FROM u GROUP BY city ORDER BY city", func(i int) []any { return nil })
		}},
		{"order by created desc lim10 x20", func(db *sql.DB) error {
			return q(db, 20, "SELECT * FROM u ORDER BY created DESC LIMIT 10", func(i int) []any { return nil })
		}},
		{"age between order lim100 x2k", func(db *sql.DB) error {
			return q(db, 2000, "SELECT id, age FROM u WHERE age BETWEEN ? AND ? ORDER BY age LIMIT 100", func(i int) []any { a := 18 + r.IntN(50); return []any{a, a + 5} })
		}},
		{"offset 5000 lim 20 x200", func(db *sql.DB) error {
			return q(db, 200, "SELECT * FROM u ORDER BY id LIMIT 20 OFFSET 5000", func(i int) []any { return nil })
		}},
		{"scan filter score x20", func(db *sql.DB) error {
			return q(db, 20, "SELECT COUNT(*) FROM u WHERE score > 0.9", func(i int) []any { return nil })
		}},
		{"like prefix x2k", func(db *sql.DB) error {
			return q(db, 2000, "SELECT id FROM u WHERE email LIKE ?", func(i int) []any { return []any{fmt.Sprintf("user%05d%%", r.IntN(n/100))} })
		}},
		{"join city x200", func(db *sql.DB) error {
			return q(db, 200, "SELECT u.email, o.amount FROM u JOIN o ON o.user_id = u.id WHERE u.age = ? AND u.city = ?", func(i int) []any { return []any{18 + r.IntN(60), cities[r.IntN(10)]} })
		}},
		{"join group x5", func(db *sql.DB) error {
			return q(db, 5, "SELECT u.city, SUM(o.amount) FROM u JOIN o ON o.user_id = u.id GROUP BY u.city", func(i int) []any { return nil })
		}},
		{"in subquery x20", func(db *sql.DB) error {
			return q(db, 20, "SELECT COUNT(*) FROM u WHERE id IN (SELECT user_id FROM o WHERE amount > 490)", func(i int) []any { return nil })
		}},
		{"update by idx tx100 x50", func(db *sql.DB) error {
			for k := 0; k < 50; k++ {
				tx, _ := db.Begin()
				for j := 0; j < 100; j++ {
					if _, err := tx.Exec("UPDATE u SET score = score + 1, age = ? WHERE email = ?", 18+r.IntN(60), fmt.Sprintf("user%07d@example.com", r.IntN(n))); err != nil {
						tx.Rollback()
						return err
					}
				}
				if err := tx.Commit(); err != nil {
					return err
				}
			}
			return nil
		}},
		{"delete range tx x20", func(db *sql.DB) error {
			for k := 0; k < 20; k++ {
				lo := 1 + k*1000
				if _, err := db.Exec("DELETE FROM u WHERE id >= ? AND id < ?", lo, lo+500); err != nil {
					return err
				}
			}
			return nil
		}},
		{"insert autoinc-ish autocommit x300", func(db *sql.DB) error {
			for k := 0; k < 300; k++ {
				if _, err := db.Exec("INSERT INTO o (id, user_id, amount, note) VALUES (?, ?, ?, ?)", n+k, r.IntN(n), 1.5, "x"); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	res := map[string]map[string]time.Duration{}
	counts := map[string]map[string]int{}
	for i := 0; i < b.N; i++ {
		for _, e := range sqlEngines {
			path := filepath.Join(b.TempDir(), e.name+".db")
			db, err := e.open(path)
			if err != nil {
				b.Fatal(err)
			}
			db.SetMaxOpenConns(4)
			r = rand.New(rand.NewPCG(1, 1)) // the same arguments for every engine
			for _, w := range wls {
				seen = 0
				t0 := time.Now()
				if err := w.f(db); err != nil {
					b.Fatalf("%s %s: %v", e.name, w.name, err)
				}
				if res[w.name] == nil {
					res[w.name] = map[string]time.Duration{}
					counts[w.name] = map[string]int{}
				}
				res[w.name][e.name] = time.Since(t0)
				counts[w.name][e.name] = seen
			}
			db.Close()
		}
	}
	// The engines saw the same arguments: they must return as many rows.
	for _, w := range wls {
		c := counts[w.name]
		for peer, pc := range c {
			if pc != c["bxdb"] {
				b.Errorf("%s: bxdb returned %d rows, %s %d", w.name, c["bxdb"], peer, pc)
			}
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n%-36s %12s %12s %12s %8s\n", "shape (100,000 users)", "bxdb", "modernc", "mattn", "ratio")
	for _, w := range wls {
		m := res[w.name]
		best := min(m["modernc"], m["mattn"])
		fmt.Fprintf(&sb, "%-36s %12v %12v %12v %7.2fx\n", w.name, m["bxdb"].Round(time.Microsecond), m["modernc"].Round(time.Microsecond), m["mattn"].Round(time.Microsecond), float64(best)/float64(m["bxdb"]))
	}
	b.Log(sb.String())
}
