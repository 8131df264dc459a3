package sqlfront

import (
	"strings"

	"github.com/xwb1989/sqlparser"
)

// This file is the registry of built-in functions and the node that calls
// them. The functions themselves live in func_string.go, func_math.go,
// func_time.go and func_misc.go; each registers its table in an init
// function.
//
// A plain function is an eval callback over already evaluated arguments.
// Its arguments are evaluated onto Env's value stack (no allocation per
// call) and passed as a slice that is only valid during the call:
//
//	IMPORTANT: an eval callback must not retain its args slice.
//
// Functions that need lazy evaluation (IF, COALESCE) or that take special
// syntax (DATE_ADD's INTERVAL, TIMESTAMPDIFF's unit) have a build callback
// that compiles the raw arguments itself.

// funcFlags describe a built-in function to the compiler.
type funcFlags uint8

const (
	fNullIn       funcFlags = 1 << iota // the result is NULL if any argument is NULL (checked before eval)
	fEnv                                // reads Env (NOW, LAST_INSERT_ID, DATABASE): constant per statement, never folded
	fVolatile                           // differs between calls (RAND, SYSDATE, UUID): never folded, not constant
	fVolatileArgs                       // volatile only when called with arguments (LAST_INSERT_ID(x) sets Env)
	fExactArgs                          // arithmetic arguments unrounded (ROUND(2/3, 6): see evalExact)
)

// funcDef describes a built-in function.
type funcDef struct {
	name     string // lower-case name
	min, max int    // argument count range; max < 0 means no upper bound
	flags    funcFlags
	// eval computes the result from the evaluated arguments; it must not
	// retain args.
	eval func(env *Env, args []Value) (Value, error)
	// build, if set, replaces the default compilation: it receives the raw
	// argument expressions (count already checked).
	build func(c *compiler, args []sqlparser.Expr) (Expr, error)
}

// builtins maps lower-case function names to their definitions. It is
// filled by init functions and read-only afterwards.
var builtins = map[string]*funcDef{}

// registerFuncs adds definitions to builtins; a duplicate name is a bug.
func registerFuncs(defs []*funcDef) {
	for _, d := range defs {
		if _, dup := builtins[d.name]; dup {
			panic("sqlfront: duplicate built-in function " + d.name)
		}
		builtins[d.name] = d
	}
}

// alias registers name as another name for the function target.
func aliasFunc(name, target string) {
	d := *builtins[target]
	d.name = name
	builtins[name] = &d
}

// IsBuiltinFunction reports whether name (any case) is a built-in scalar
// function.
func IsBuiltinFunction(name string) bool {
	_, ok := builtins[strings.ToLower(name)]
	return ok
}

// callExpr calls a plain built-in function.
type callExpr struct {
	def  *funcDef
	args []Expr
}

// Eval evaluates the arguments onto env's stack and calls the function.
func (e *callExpr) Eval(env *Env) (Value, error) {
	base := len(env.stack)
	for _, a := range e.args {
		var v Value
		var err error
		if e.def.flags&fExactArgs != 0 {
			v, _, err = evalExactOperand(env, a)
		} else {
			v, err = a.Eval(env)
		}
		if err != nil {
			env.stack = env.stack[:base]
			return Null, err
		}
		if v.K == KindNull && e.def.flags&fNullIn != 0 {
			env.stack = env.stack[:base]
			return Null, nil
		}
		env.stack = append(env.stack, v)
	}
	r, err := e.def.eval(env, env.stack[base:])
	clear(env.stack[base:])
	env.stack = env.stack[:base]
	return r, err
}

func (e *callExpr) kids() []Expr { return e.args }

// selfDeps reports the function's dependencies on Env.
func (e *callExpr) selfDeps() depMask {
	var m depMask
	if e.def.flags&fEnv != 0 {
		m |= depEnv
	}
	if e.def.flags&fVolatile != 0 || (e.def.flags&fVolatileArgs != 0 && len(e.args) > 0) {
		m |= depVolatile
	}
	return m
}

// errParamCount returns error 1582 for a call with a bad argument count.
func errParamCount(name string) error {
	return NewSQLError(ErWrongParamcountToNativeFct, "Incorrect parameter count in the call to native function '%s'", name)
}

// compileFunc compiles a call of a scalar function.
func (c *compiler) compileFunc(f *sqlparser.FuncExpr) (Expr, error) {
	name := f.Name.Lowered()
	if !f.Qualifier.IsEmpty() {
		return nil, ErrUnknownFunction(f.Qualifier.String() + "." + f.Name.String())
	}
	def, ok := builtins[name]
	if !ok {
		return nil, ErrUnknownFunction(f.Name.String())
	}
	if f.Distinct {
		return nil, NewSQLError(ErParse, "You have an error in your SQL syntax; DISTINCT is not allowed in %s()", f.Name.String())
	}
	raw := make([]sqlparser.Expr, 0, len(f.Exprs))
	for _, se := range f.Exprs {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			return nil, NewSQLError(ErParse, "You have an error in your SQL syntax near '*' in %s()", f.Name.String())
		}
		raw = append(raw, ae.Expr)
	}
	if len(raw) < def.min || (def.max >= 0 && len(raw) > def.max) {
		return nil, errParamCount(f.Name.String())
	}
	if def.build != nil {
		return def.build(c, raw)
	}
	args := make([]Expr, len(raw))
	for i, r := range raw {
		a, err := c.compile(r)
		if err != nil {
			return nil, err
		}
		args[i] = a
	}
	if def.name == "greatest" || def.name == "least" {
		args = c.extremumArgs(args)
		return c.unify(c.fold(&callExpr{def: def, args: args}), args), nil
	}
	return c.fold(&callExpr{def: def, args: args}), nil
}
