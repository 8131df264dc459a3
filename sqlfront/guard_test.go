package sqlfront

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

// registerPanicFunc adds test_panic(x), which panics when x is 'boom'
// and returns x otherwise: a stand-in for a bug anywhere in execution.
var registerPanicFunc = sync.OnceFunc(func() {
	registerFuncs([]*funcDef{{name: "test_panic", min: 1, max: 1, flags: fVolatile, eval: func(env *Env, args []Value) (Value, error) {
		if Format(args[0]) == "boom" {
			var m map[string]int
			m["x"]++ // a nil map write: a real runtime panic
		}
		return args[0], nil
	}}})
})

// TestPanicBecomesInternalError checks that a panic while a statement runs
// (in a query's rows, in an autocommit write, in a write inside BEGIN)
// fails that statement with error 1815, undoes its effects, and leaves the
// session and the engine usable.
func TestPanicBecomesInternalError(t *testing.T) {
	registerPanicFunc()
	e := openTestEngine(t)
	s := e.NewSession()
	defer s.Close()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))")
	execSQL(t, s, "INSERT INTO t VALUES (1, 'a'), (2, 'boom'), (3, 'c')")
	internal := func(q string) {
		t.Helper()
		err := stmtErr(t, s, q)
		var se *SQLError
		if !errors.As(err, &se) || se.Number != ErInternal || !strings.Contains(se.Msg, "assignment to entry in nil map") {
			t.Fatalf("%s: got %v, want an internal error naming the panic", q, err)
		}
	}
	internal("SELECT id, test_panic(v) FROM t ORDER BY id")        // in Next
	internal("SELECT MAX(test_panic(v)) FROM t")                   // in planning or Next
	internal("UPDATE t SET v = 'x' WHERE test_panic(v) <> ''")     // autocommit write: rows 1 changed before the panic
	internal("INSERT INTO t SELECT id + 10, test_panic(v) FROM t") // autocommit insert
	checkQueries(t, s, []queryCase{{"SELECT id, v FROM t ORDER BY id", "[[1 a] [2 boom] [3 c]]"}})

	execSQL(t, s, "BEGIN")
	execSQL(t, s, "INSERT INTO t VALUES (4, 'd')")
	internal("UPDATE t SET v = test_panic(v) ORDER BY id")
	execSQL(t, s, "COMMIT")
	checkQueries(t, s, []queryCase{{"SELECT id, v FROM t ORDER BY id", "[[1 a] [2 boom] [3 c] [4 d]]"}})

	// Another session still writes: no lock was left behind.
	s2 := e.NewSession()
	defer s2.Close()
	execSQL(t, s2, "INSERT INTO t VALUES (5, 'e')")
	checkQueries(t, s, []queryCase{{"SELECT COUNT(*) FROM t", "[[5]]"}})
}
