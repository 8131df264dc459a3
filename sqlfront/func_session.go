package sqlfront

import (
	"context"
	"math"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // named zones without the machine's zoneinfo files
)

// Functions that act on the session or the engine rather than on their
// arguments: the named advisory locks of MySQL 8 (GET_LOCK and
// friends), SLEEP, and CONVERT_TZ.
//
// Named locks belong to the engine (every session of one database file in
// the process shares them) and are owned by a session. As in MySQL 8 a
// session may hold many, and takes the same name again re-entrantly
// (each GET_LOCK needs its RELEASE_LOCK); they do not interact with
// transactions and are released by RELEASE_LOCK, RELEASE_ALL_LOCKS,
// Session.Close and Session.Reset (the driver's ResetSession, as MySQL's
// COM_RESET_CONNECTION releases them). Names are compared
// case-insensitively; an empty name or one of more than 64 characters is
// error 3057. A GET_LOCK that would wait for a session waiting, directly
// or through others, for a lock this session holds fails with 3058
// instead of deadlocking.

// userLocks is the engine's table of named locks.
type userLocks struct {
	mu      sync.Mutex
	held    map[string]*userLock // by lowercased name
	waiting map[uint64]string    // session id -> lowercased name it waits for
}

// userLock is one held named lock.
type userLock struct {
	owner uint64        // the holding session's id
	count int           // times the owner took it
	free  chan struct{} // closed when the lock is released
}

// userLockName checks a lock name (error 3057) and returns its key.
func userLockName(v Value) (string, error) {
	name := ToString(v)
	if name == "" || len([]rune(name)) > 64 {
		return "", engErr(ErUserLockWrongName, "Incorrect user-level lock name '%s'.", name)
	}
	return strings.ToLower(name), nil
}

// getLock is GET_LOCK: 1 when taken, 0 after the timeout, NULL when the
// context ended the wait.
func (u *userLocks) getLock(ctx context.Context, owner uint64, key string, timeout float64) (Value, error) {
	var deadline <-chan time.Time
	if timeout >= 0 {
		t := time.NewTimer(time.Duration(math.Min(timeout, 1e9) * float64(time.Second)))
		defer t.Stop()
		deadline = t.C
	}
	for {
		u.mu.Lock()
		if u.held == nil {
			u.held, u.waiting = map[string]*userLock{}, map[uint64]string{}
		}
		l := u.held[key]
		switch {
		case l == nil:
			u.held[key] = &userLock{owner: owner, count: 1, free: make(chan struct{})}
			delete(u.waiting, owner)
			u.mu.Unlock()
			return IntValue(1), nil
		case l.owner == owner:
			l.count++
			u.mu.Unlock()
			return IntValue(1), nil
		}
		if u.deadlocks(owner, l.owner) {
			delete(u.waiting, owner)
			u.mu.Unlock()
			return Null, engErr(ErUserLockDeadlock, "Deadlock found when trying to get user-level lock; try rolling back transaction/releasing locks and restarting lock acquisition.")
		}
		if timeout == 0 {
			u.mu.Unlock()
			return IntValue(0), nil
		}
		u.waiting[owner] = key
		free := l.free
		u.mu.Unlock()
		select {
		case <-free:
			continue
		case <-deadline:
		case <-ctx.Done():
		}
		u.mu.Lock()
		delete(u.waiting, owner)
		u.mu.Unlock()
		if ctx.Err() != nil {
			return Null, nil
		}
		return IntValue(0), nil
	}
}

// deadlocks reports whether owner waiting for a lock of holder closes a
// cycle: holder waits, directly or through others, for a lock of owner.
// Caller holds u.mu.
func (u *userLocks) deadlocks(owner, holder uint64) bool {
	for range len(u.waiting) + 1 {
		if holder == owner {
			return true
		}
		key, ok := u.waiting[holder]
		if !ok {
			return false
		}
		l := u.held[key]
		if l == nil {
			return false
		}
		holder = l.owner
	}
	return false
}

// releaseLock is RELEASE_LOCK: 1 when released (one count of it), 0 when
// another session holds it, NULL when nobody does.
func (u *userLocks) releaseLock(owner uint64, key string) Value {
	u.mu.Lock()
	defer u.mu.Unlock()
	l := u.held[key]
	switch {
	case l == nil:
		return Null
	case l.owner != owner:
		return IntValue(0)
	}
	l.count--
	if l.count == 0 {
		delete(u.held, key)
		close(l.free)
	}
	return IntValue(1)
}

// releaseAll releases every lock owner holds and returns how many
// acquisitions that undid.
func (u *userLocks) releaseAll(owner uint64) int64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	n := int64(0)
	for key, l := range u.held {
		if l.owner == owner {
			n += int64(l.count)
			delete(u.held, key)
			close(l.free)
		}
	}
	return n
}

// holder returns the id of the session holding key (0: free).
func (u *userLocks) holder(key string) uint64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	if l := u.held[key]; l != nil {
		return l.owner
	}
	return 0
}

// envCtx returns the statement's context.
func envCtx(env *Env) context.Context {
	if env.ctx != nil {
		return env.ctx
	}
	return context.Background()
}

// lockFunc wraps a named-lock function: NULL without a session or for a
// NULL name.
func lockFunc(f func(env *Env, key string, args []Value) (Value, error)) func(env *Env, args []Value) (Value, error) {
	return func(env *Env, args []Value) (Value, error) {
		if env.sess == nil || args[0].K == KindNull {
			return Null, nil
		}
		key, err := userLockName(args[0])
		if err != nil {
			return Null, err
		}
		return f(env, key, args)
	}
}

// sleepFor is SLEEP(n): 0 after n seconds, 1 when the statement's context
// ended the sleep first (MySQL's result for an interrupted SLEEP). A NULL
// or negative n is error 1210, as in MySQL's strict mode.
func sleepFor(env *Env, args []Value) (Value, error) {
	secs := ToFloat64(args[0])
	if args[0].K == KindNull || secs < 0 || math.IsNaN(secs) {
		return Null, NewSQLError(ErWrongArguments, "Incorrect arguments to sleep.")
	}
	if secs == 0 {
		return IntValue(0), nil
	}
	t := time.NewTimer(time.Duration(math.Min(secs, 1e9) * float64(time.Second)))
	defer t.Stop()
	select {
	case <-t.C:
		return IntValue(0), nil
	case <-envCtx(env).Done():
		return IntValue(1), nil
	}
}

// tzLocation reads a time zone as time_zone and CONVERT_TZ take it: an
// offset '+hh:mm' / '-hh:mm' (-13:59 to +14:00), 'SYSTEM' (the process's
// local zone, time.Local), or a named zone of the IANA database
// ('UTC', 'Europe/Paris', ...; embedded with time/tzdata, so that it does
// not depend on the machine's zoneinfo files). Names are case-sensitive
// except SYSTEM and UTC, as Go's time package reads them.
func tzLocation(s string) (*time.Location, bool) {
	s = strings.TrimSpace(s)
	switch {
	case strings.EqualFold(s, "SYSTEM"):
		return time.Local, true
	case strings.EqualFold(s, "UTC"):
		return time.UTC, true
	}
	if len(s) >= 5 && (s[0] == '+' || s[0] == '-') {
		h, m, ok := strings.Cut(s[1:], ":")
		if !ok || len(h) == 0 || len(h) > 2 || len(m) != 2 || !allDigits(h) || !allDigits(m) {
			return nil, false
		}
		hh, mm := atoiDigits(h), atoiDigits(m)
		off := hh*60 + mm
		if mm > 59 || s[0] == '+' && off > 14*60 || s[0] == '-' && off > 13*60+59 {
			return nil, false
		}
		if off == 0 {
			return time.UTC, true
		}
		if s[0] == '-' {
			off = -off
		}
		return time.FixedZone(s, off*60), true
	}
	if s == "" || strings.EqualFold(s, "local") {
		return nil, false
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, false
	}
	return loc, true
}

// allDigits reports whether s is only decimal digits.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// convertTZ is CONVERT_TZ(dt, from, to): NULL for an invalid datetime or
// an unknown zone; a value whose instant is outside the TIMESTAMP range
// comes back unchanged, as in MySQL.
func convertTZ(_ *Env, args []Value) (Value, error) {
	t, _, ok := dateArg(args[0])
	if !ok {
		return Null, nil
	}
	from, ok1 := tzLocation(ToString(args[1]))
	to, ok2 := tzLocation(ToString(args[2]))
	if !ok1 || !ok2 {
		return Null, nil
	}
	fsp := 0
	switch v := args[0]; v.K {
	case KindTime:
		fsp = max(v.Fsp(), 0)
	case KindString, KindBytes:
		_, _, fd, _ := parseDatetime(v.S)
		fsp = min(fd, 6)
	}
	in := zonedInstant(t, from)
	if in.Before(time.Unix(1, 0)) || in.After(time.Date(2038, 1, 19, 3, 14, 7, 999999999, time.UTC)) {
		return DatetimeValue(t, fsp), nil
	}
	return DatetimeValue(wallClock(in, to), fsp), nil
}

func init() {
	registerFuncs([]*funcDef{
		{name: "get_lock", min: 2, max: 2, flags: fVolatile, eval: lockFunc(func(env *Env, key string, a []Value) (Value, error) {
			timeout := -1.0
			if a[1].K != KindNull {
				timeout = ToFloat64(a[1])
			}
			if timeout < 0 {
				timeout = -1
			}
			return env.sess.e.userLocks.getLock(envCtx(env), env.sess.id, key, timeout)
		})},
		{name: "release_lock", min: 1, max: 1, flags: fVolatile, eval: lockFunc(func(env *Env, key string, _ []Value) (Value, error) {
			return env.sess.e.userLocks.releaseLock(env.sess.id, key), nil
		})},
		{name: "is_free_lock", min: 1, max: 1, flags: fVolatile, eval: lockFunc(func(env *Env, key string, _ []Value) (Value, error) {
			return BoolValue(env.sess.e.userLocks.holder(key) == 0), nil
		})},
		{name: "is_used_lock", min: 1, max: 1, flags: fVolatile, eval: lockFunc(func(env *Env, key string, _ []Value) (Value, error) {
			if id := env.sess.e.userLocks.holder(key); id != 0 {
				return UintValue(id), nil
			}
			return Null, nil
		})},
		{name: "release_all_locks", flags: fVolatile, eval: func(env *Env, _ []Value) (Value, error) {
			if env.sess == nil {
				return IntValue(0), nil
			}
			return IntValue(env.sess.e.userLocks.releaseAll(env.sess.id)), nil
		}},
		{name: "sleep", min: 1, max: 1, flags: fVolatile, eval: sleepFor},
		{name: "convert_tz", min: 3, max: 3, flags: fNullIn, eval: convertTZ},
	})
}
