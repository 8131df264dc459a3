package sqlfront

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestCorrelatedSubqueryKeys: a correlated subquery's terms that compare
// its own columns with the enclosing row's use keys (the enclosing values
// are constants of each run), so `EXISTS (SELECT 1 FROM o WHERE o.user_id
// = u.id)` is an index lookup per outer row, not a scan of o. EXPLAIN
// shows the key; the results of SELECT, UPDATE and DELETE forms are
// checked against a model.
func TestCorrelatedSubqueryKeys(t *testing.T) {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	execSQL(t, s, "CREATE TABLE u (id INT PRIMARY KEY, n INT)")
	execSQL(t, s, "CREATE TABLE o (id INT PRIMARY KEY, user_id INT, amt INT, INDEX o_user (user_id))")
	const users, orders = 300, 700
	count := make([]int, users+1) // orders per user
	sum := make([]int, users+1)
	execSQL(t, s, "BEGIN")
	for i := 1; i <= users; i++ {
		execSQL(t, s, fmt.Sprintf("INSERT INTO u VALUES (%d, 0)", i))
	}
	for i := 1; i <= orders; i++ {
		uid, amt := 1+rng.IntN(users+50), rng.IntN(100) // some orders of no user
		execSQL(t, s, fmt.Sprintf("INSERT INTO o VALUES (%d, %d, %d)", i, uid, amt))
		if uid <= users {
			count[uid]++
			sum[uid] += amt
		}
	}
	execSQL(t, s, "COMMIT")

	usesKey := func(q, table string) {
		t.Helper()
		ex := querySQL(t, s, "EXPLAIN "+q)
		if !slices.ContainsFunc(ex, func(r []string) bool { return r[1] == "DEPENDENT SUBQUERY" && r[2] == table }) {
			t.Errorf("%s: no DEPENDENT SUBQUERY on %s in %v", q, table, ex)
		}
		for _, r := range ex {
			if r[1] == "DEPENDENT SUBQUERY" && r[2] == table && (r[4] == "ALL" || r[6] == "NULL") {
				t.Errorf("%s: subquery reads %s without a key: %v", q, table, r)
			}
		}
	}
	one := func(q string) string {
		t.Helper()
		return querySQL(t, s, q)[0][0]
	}
	with, without, pk := 0, 0, 0
	for i := 1; i <= users; i++ {
		if count[i] > 0 {
			with++
		} else {
			without++
		}
		if i <= orders {
			pk++
		}
	}
	for q, want := range map[string]int{
		"SELECT COUNT(*) FROM u WHERE EXISTS (SELECT 1 FROM o WHERE o.user_id = u.id)":     with,
		"SELECT COUNT(*) FROM u WHERE NOT EXISTS (SELECT 1 FROM o WHERE o.user_id = u.id)": without,
		"SELECT COUNT(*) FROM u WHERE EXISTS (SELECT 1 FROM o WHERE o.id = u.id)":          pk,
	} {
		if got := one(q); got != strconv.Itoa(want) {
			t.Errorf("%s = %s, want %d", q, got, want)
		}
		usesKey(q, "o")
	}
	q := "SELECT u.id, (SELECT COUNT(*) FROM o WHERE o.user_id = u.id), (SELECT SUM(amt) FROM o WHERE o.user_id = u.id) FROM u ORDER BY u.id"
	for i, r := range querySQL(t, s, q) {
		want := []string{strconv.Itoa(i + 1), strconv.Itoa(count[i+1]), "NULL"}
		if count[i+1] > 0 {
			want[2] = strconv.Itoa(sum[i+1])
		}
		if !slices.Equal(r, want) {
			t.Fatalf("%s: row %v, want %v", q, r, want)
		}
	}
	usesKey(q, "o")

	execSQL(t, s, "UPDATE u SET n = (SELECT COUNT(*) FROM o WHERE o.user_id = u.id)")
	for i, r := range querySQL(t, s, "SELECT id, n FROM u ORDER BY id") {
		if r[1] != strconv.Itoa(count[i+1]) {
			t.Fatalf("after UPDATE: user %s has n = %s, want %d", r[0], r[1], count[i+1])
		}
	}
	execSQL(t, s, "DELETE FROM u WHERE NOT EXISTS (SELECT 1 FROM o WHERE o.user_id = u.id)")
	var left []string
	for i := 1; i <= users; i++ {
		if count[i] > 0 {
			left = append(left, strconv.Itoa(i))
		}
	}
	var got []string
	for _, r := range querySQL(t, s, "SELECT id FROM u ORDER BY id") {
		got = append(got, r[0])
	}
	if !slices.Equal(got, left) {
		t.Fatalf("after DELETE: %d users left, want %d", len(got), len(left))
	}
}

// TestDeepCorrelation: a subquery of a subquery may read the outermost
// query's row (`(SELECT (SELECT x.b))`, EXISTS within EXISTS, IN within
// IN, UPDATE and DELETE conditions): each reference gets the enclosing
// row's value, checked against brute force over random tables with NULLs.
// (Such references read NULL when the middle query was planned again
// for a new outer row, or when they sat in its select list.)
func TestDeepCorrelation(t *testing.T) {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 4))
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	execSQL(t, s, "CREATE TABLE t (a INT PRIMARY KEY, b INT)")
	execSQL(t, s, "CREATE TABLE u (v INT)")
	const n = 9
	b := map[int]*int{} // a -> b (nil: NULL)
	for a := 1; a <= n; a++ {
		if rng.IntN(5) == 0 {
			execSQL(t, s, fmt.Sprintf("INSERT INTO t VALUES (%d, NULL)", a))
			b[a] = nil
			continue
		}
		v := rng.IntN(6)
		b[a] = &v
		execSQL(t, s, fmt.Sprintf("INSERT INTO t VALUES (%d, %d)", a, v))
	}
	inU := map[int]bool{}
	for i := 0; i < 4; i++ {
		v := 1 + rng.IntN(n)
		inU[v] = true
		execSQL(t, s, fmt.Sprintf("INSERT INTO u VALUES (%d)", v))
	}
	str := func(p *int) string {
		if p == nil {
			return "NULL"
		}
		return strconv.Itoa(*p)
	}
	check := func(q string, want [][]string) {
		t.Helper()
		got := querySQL(t, s, q)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s:\ngot  %v\nwant %v", q, got, want)
		}
	}
	var want [][]string
	for a := 1; a <= n; a++ {
		want = append(want, []string{strconv.Itoa(a), str(b[a])})
	}
	check("SELECT x.a, (SELECT (SELECT x.b)) FROM t AS x ORDER BY x.a", want)
	k := 1 + rng.IntN(n)
	want = nil
	for a := 1; a <= n; a++ {
		want = append(want, []string{strconv.Itoa(a), str(b[a])})
	}
	check(fmt.Sprintf("SELECT x.a, (SELECT (SELECT z.b FROM t AS z WHERE z.a = x.a) FROM t AS y WHERE y.a = %d) FROM t AS x ORDER BY 1", k), want)
	want = nil
	for x := 1; x <= n; x++ {
		found := false
		for y := 1; y <= n; y++ {
			for z := 1; z <= n; z++ {
				if b[x] != nil && b[y] != nil && b[z] != nil && *b[z] == *b[x]+*b[y] {
					found = true
				}
			}
		}
		if found {
			want = append(want, []string{strconv.Itoa(x)})
		}
	}
	check("SELECT x.a FROM t AS x WHERE EXISTS (SELECT 1 FROM t AS y WHERE EXISTS (SELECT 1 FROM t AS z WHERE z.b = x.b + y.b)) ORDER BY 1", want)
	want = nil
	for x := 1; x <= n; x++ {
		found := false
		for z := 1; z <= n; z++ {
			if z != x && b[x] != nil && b[z] != nil && *b[z] == *b[x] {
				found = true
			}
		}
		if found {
			want = append(want, []string{strconv.Itoa(x)})
		}
	}
	check("SELECT x.a FROM t AS x WHERE x.a IN (SELECT y.a FROM t AS y WHERE y.b IN (SELECT z.b FROM t AS z WHERE z.a <> x.a)) ORDER BY 1", want)
	execSQL(t, s, "UPDATE t SET b = 100 WHERE EXISTS (SELECT 1 FROM (SELECT 1 AS o) AS d WHERE EXISTS (SELECT 1 FROM u WHERE u.v = t.a))")
	execSQL(t, s, "DELETE FROM t WHERE NOT EXISTS (SELECT 1 FROM (SELECT 1 AS o) AS d WHERE EXISTS (SELECT 1 FROM u WHERE u.v = t.a OR u.v = t.a - 1))")
	want = nil
	for a := 1; a <= n; a++ {
		if !inU[a] && !inU[a-1] {
			continue
		}
		v := str(b[a])
		if inU[a] {
			v = "100"
		}
		want = append(want, []string{strconv.Itoa(a), v})
	}
	check("SELECT a, b FROM t ORDER BY a", want)
}

// TestCorrelatedMemo: a correlated subquery's rows are remembered by the
// outer values it reads, so repeated values are answered from memory
// (a condition on one side of a join runs once per row of that side);
// the answers must be those of running it every time, and subqueries
// with volatile functions or user variables must run every time.
func TestCorrelatedMemo(t *testing.T) {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 8))
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, k INT, c VARCHAR(4))")
	const n = 30
	k := make([]int, n+1)
	for id := 1; id <= n; id++ {
		k[id] = 1 + rng.IntN(3)
		c := []string{"a", "A", "b"}[rng.IntN(3)]
		execSQL(t, s, fmt.Sprintf("INSERT INTO t VALUES (%d, %d, '%s')", id, k[id], c))
	}
	var want [][]string
	for id := 1; id <= n; id++ {
		cnt := 0
		for j := 1; j <= n; j++ {
			if k[j] == k[id] {
				cnt++
			}
		}
		want = append(want, []string{strconv.Itoa(id), strconv.Itoa(cnt)})
	}
	q := "SELECT x.id, (SELECT COUNT(*) FROM t AS y WHERE y.k = x.k) FROM t AS x ORDER BY x.id"
	if got := querySQL(t, s, q); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s:\ngot  %v\nwant %v", q, got, want)
	}
	pairs := 0
	for a := 1; a <= n; a++ {
		for b := 1; b <= n; b++ {
			for c := 1; c <= n; c++ {
				if k[c] == k[a] && c > b {
					pairs++
					break
				}
			}
		}
	}
	q = "SELECT COUNT(*) FROM t AS a JOIN t AS b ON EXISTS (SELECT 1 FROM t AS c WHERE c.k = a.k AND c.id > b.id)"
	if got := querySQL(t, s, q)[0][0]; got != strconv.Itoa(pairs) {
		t.Fatalf("%s = %s, want %d", q, got, pairs)
	}
	// Exact keys: 'a' and 'A' are equal to the collation but are
	// different values to return.
	for _, r := range querySQL(t, s, "SELECT x.c, (SELECT x.c FROM t AS y WHERE y.id = 1) FROM t AS x") {
		if r[0] != r[1] {
			t.Fatalf("subquery returned %q for outer value %q", r[1], r[0])
		}
	}
	if got := querySQL(t, s, "SELECT COUNT(DISTINCT (SELECT RAND() + 0 * x.k)) FROM t AS x")[0][0]; got != strconv.Itoa(n) {
		t.Fatalf("RAND() in a correlated subquery: %s distinct values over %d rows", got, n)
	}
	execSQL(t, s, "SET @n = 0")
	seen := map[string]bool{}
	for _, r := range querySQL(t, s, "SELECT x.id, (SELECT @n := @n + 1 + 0 * x.k) FROM t AS x") {
		seen[r[1]] = true
	}
	if len(seen) != n {
		t.Fatalf("a user variable set in a correlated subquery took %d values over %d rows", len(seen), n)
	}
}
