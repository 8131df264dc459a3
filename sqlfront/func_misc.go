package sqlfront

import (
	"crypto/rand"
	"encoding/hex"
	"sync/atomic"
	"time"

	"github.com/xwb1989/sqlparser"
)

// This file holds the control-flow functions (IF, IFNULL, NULLIF,
// COALESCE), which evaluate their arguments lazily, the information
// functions (DATABASE, VERSION, LAST_INSERT_ID, ...), and NAME_CONST.

// ServerVersion is what VERSION() returns.
const ServerVersion = "8.0.36-bxdb"

// uuidShort is the next value of UUID_SHORT(). It starts as MySQL's does,
// (server_id << 56) + (startup time in seconds << 24), with server_id 1
// (MySQL's default) and the time the process loaded this package; each
// call takes one. The values are unique and increasing within a process,
// and across restarts while the calls stay below 2^24 per second of the
// previous run.
var uuidShort atomic.Uint64

func init() { uuidShort.Store(1<<56 + uint64(time.Now().Unix())<<24) }

func init() {
	registerFuncs([]*funcDef{
		{name: "if", min: 3, max: 3, build: func(c *compiler, args []sqlparser.Expr) (Expr, error) {
			xs, err := c.compileList(args)
			if err != nil {
				return nil, err
			}
			return c.unify(c.fold(&ifExpr{cond: asBool(xs[0]), a: xs[1], b: xs[2]}), xs[1:]), nil
		}},
		{name: "ifnull", min: 2, max: 2, build: func(c *compiler, args []sqlparser.Expr) (Expr, error) {
			xs, err := c.compileList(args)
			if err != nil {
				return nil, err
			}
			return c.unify(c.fold(&coalesceExpr{args: xs}), xs), nil
		}},
		{name: "coalesce", min: 1, max: -1, build: func(c *compiler, args []sqlparser.Expr) (Expr, error) {
			xs, err := c.compileList(args)
			if err != nil {
				return nil, err
			}
			return c.unify(c.fold(&coalesceExpr{args: xs}), xs), nil
		}},
		{name: "nullif", min: 2, max: 2, build: func(c *compiler, args []sqlparser.Expr) (Expr, error) {
			xs, err := c.compileList(args)
			if err != nil {
				return nil, err
			}
			return c.fold(&nullifExpr{a: xs[0], b: xs[1]}), nil
		}},
		{name: "isnull", min: 1, max: 1, eval: func(_ *Env, a []Value) (Value, error) {
			return BoolValue(a[0].K == KindNull), nil
		}},
		{name: "last_insert_id", max: 1, flags: fEnv | fVolatileArgs, eval: func(env *Env, a []Value) (Value, error) {
			if len(a) == 1 {
				// LAST_INSERT_ID(x) returns x and sets the value.
				if a[0].K == KindNull {
					env.LastInsertID = 0
					return Null, nil
				}
				env.LastInsertID = uint64(ToInt64(a[0]))
				return UintValue(env.LastInsertID), nil
			}
			return UintValue(env.LastInsertID), nil
		}},
		{name: "row_count", flags: fEnv, eval: func(env *Env, _ []Value) (Value, error) {
			return IntValue(env.RowCount), nil
		}},
		{name: "found_rows", flags: fEnv, eval: func(env *Env, _ []Value) (Value, error) {
			return IntValue(env.FoundRows), nil
		}},
		{name: "database", flags: fEnv, eval: func(env *Env, _ []Value) (Value, error) {
			if env.Database == "" {
				return Null, nil
			}
			return StringValue(env.Database), nil
		}},
		{name: "version", eval: func(*Env, []Value) (Value, error) { return StringValue(ServerVersion), nil }},
		{name: "connection_id", flags: fEnv, eval: func(env *Env, _ []Value) (Value, error) {
			return UintValue(env.ConnectionID), nil
		}},
		{name: "user", flags: fEnv, eval: func(env *Env, _ []Value) (Value, error) {
			if env.User == "" {
				return StringValue("root@localhost"), nil
			}
			return StringValue(env.User), nil
		}},
		{name: "uuid", flags: fVolatile, eval: func(*Env, []Value) (Value, error) {
			var b [16]byte
			_, _ = rand.Read(b[:])
			b[6] = b[6]&0x0f | 0x40
			b[8] = b[8]&0x3f | 0x80
			h := hex.EncodeToString(b[:])
			return StringValue(h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]), nil
		}},
		// NAME_CONST(name, value) is value; the column it makes is
		// named name (plan_select.go).
		{name: "name_const", min: 2, max: 2, build: func(c *compiler, args []sqlparser.Expr) (Expr, error) {
			if _, ok := args[0].(*sqlparser.SQLVal); !ok || !isNameConstValue(args[1]) {
				return nil, NewSQLError(ErWrongArguments, "Incorrect arguments to NAME_CONST")
			}
			return c.compile(args[1])
		}},
		{name: "uuid_short", flags: fVolatile, eval: func(*Env, []Value) (Value, error) {
			return UintValue(uuidShort.Add(1) - 1), nil
		}},
	})
	for _, a := range [][2]string{
		{"schema", "database"}, {"current_user", "user"}, {"session_user", "user"}, {"system_user", "user"},
	} {
		aliasFunc(a[0], a[1])
	}
}

// isNameConstValue reports whether e may be NAME_CONST's value: a
// literal, maybe negated or with COLLATE, as MySQL requires.
func isNameConstValue(e sqlparser.Expr) bool {
	switch x := e.(type) {
	case *sqlparser.SQLVal, *sqlparser.NullVal:
		return true
	case *sqlparser.UnaryExpr:
		_, ok := x.Expr.(*sqlparser.SQLVal)
		return ok && x.Operator == sqlparser.UMinusStr
	case *sqlparser.CollateExpr:
		_, ok := x.Expr.(*sqlparser.SQLVal)
		return ok
	}
	return false
}

// nameConstName returns the column name of the select expression e if it
// is a call NAME_CONST(name, value): name's text.
func nameConstName(e sqlparser.Expr) (string, bool) {
	f, ok := e.(*sqlparser.FuncExpr)
	if !ok || !f.Qualifier.IsEmpty() || f.Name.Lowered() != "name_const" || len(f.Exprs) != 2 {
		return "", false
	}
	ae, ok := f.Exprs[0].(*sqlparser.AliasedExpr)
	if !ok {
		return "", false
	}
	v, ok := ae.Expr.(*sqlparser.SQLVal)
	if !ok {
		return "", false
	}
	return string(v.Val), true
}
