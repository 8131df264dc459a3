package sqlfront

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bxdb/bxdb/engine/osynch"
)

// SYNC TABLE and the synchronization server.
//
// SYNC TABLE t WITH 'bxdb://host:port' opens a replica of table t
// (OpenSyncReplica: a read snapshot; a table without a declared primary
// key is refused here, error 1173, before anything changes or any
// connection is made), connects to a bxdb server (ServeSync, `bxdb
// serve`), and runs osynch's initiating side; the server runs the
// responding side on its table of the same name. The HELLO subject is the
// table's name in lower case, a zero byte, and the replica's Subject (the
// digests of its columns and of its storage layout): the server refuses a
// table it lacks, one without a primary key, or one whose subject
// differs, saying whether the columns or only the layout differ. Neither
// side holds its writer lock while the other talks: each compares a
// snapshot and takes the lock only in Replica.Commit, to store what it
// received. Each side commits all the records it received, or none
// (osynch, invariant 5); when the connection fails after this side
// committed, the error says how many rows it stored and to run SYNC TABLE
// again. A session is bounded by osynch's per-frame
// Timeout (the session's @@net_read_timeout, 30 s by default) and overall
// SessionTimeout, and by the statement's context.
// The statement's RowsAffected is the number of records the local table
// stored (rows inserted, updated or deleted).

// ErSyncFailed is the error number of a failed SYNC TABLE (MySQL's
// ER_CONNECT_TO_FOREIGN_DATA_SOURCE, SQLSTATE HY000).
const ErSyncFailed uint16 = 1429

// syncDialTimeout bounds the connection to the server.
const syncDialTimeout = 10 * time.Second

// errSync is error 1429 for a failed synchronization.
func errSync(table, target string, cause error) *SQLError {
	return engErr(ErSyncFailed, "SYNC TABLE `%s` WITH '%s' failed: %v", table, target, cause)
}

// SyncDefaultPort is the port of a bxdb:// URL without one, the port
// `bxdb serve` listens on by default.
const SyncDefaultPort = "7466"

// syncTarget parses the URL of SYNC TABLE: bxdb://host[:port], nothing
// else; the port defaults to SyncDefaultPort.
func syncTarget(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("bad URL %q: %v", raw, err)
	}
	switch {
	case u.Scheme != "bxdb":
		return "", fmt.Errorf("URL %q: scheme must be bxdb (bxdb://host:port)", raw)
	case u.Hostname() == "" || strings.HasSuffix(u.Host, ":"):
		return "", fmt.Errorf("URL %q: want bxdb://host:port", raw)
	case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("URL %q: only bxdb://host:port is understood", raw)
	}
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), SyncDefaultPort), nil
	}
	return u.Host, nil
}

// syncSubject is the HELLO subject for table name with replica subject sub.
func syncSubject(name string, sub []byte) []byte {
	return append(append([]byte(strings.ToLower(name)), 0), sub...)
}

// execSync runs SYNC TABLE.
func (s *Session) execSync(ctx context.Context, x *SyncStmt) (Result, error) {
	if s.tx != nil {
		return Result{}, engErr(ErCantDoThisInTx, "SYNC TABLE cannot run inside a transaction")
	}
	if s.temps[strings.ToLower(x.Table.Name)] != nil {
		return Result{}, errNotSupported("SYNC TABLE of a temporary table")
	}
	return s.e.syncTable(ctx, x.Table.Name, x.URL, s.syncOptions())
}

// syncOptions returns the osynch options of the session's SYNC TABLE:
// @@net_read_timeout, as MySQL's the seconds to wait for more data from a
// connection, is how long the peer may stay silent (osynch's per-frame
// Timeout, whose default, 30 s, is the variable's default too). nil:
// the defaults.
func (s *Session) syncOptions() *osynch.Options {
	n := s.intVar("net_read_timeout", 0)
	if n <= 0 {
		return nil
	}
	return &osynch.Options{Timeout: time.Duration(min(n, 365*24*3600)) * time.Second}
}

// syncTable synchronizes table name with the server at rawURL, with
// osynch options o (nil: the defaults).
func (e *Engine) syncTable(ctx context.Context, name, rawURL string, o *osynch.Options) (Result, error) {
	addr, err := syncTarget(rawURL)
	if err != nil {
		return Result{}, errSync(name, rawURL, err)
	}
	// The replica compares a snapshot and holds no lock: a slow, dead or
	// hostile server cannot hold up this database's writers. Only its
	// Commit takes the writer lock, to store the rows received.
	r, err := e.OpenSyncReplica(ctx, name)
	if err != nil {
		return Result{}, err
	}
	defer r.Rollback() // a no-op after Commit
	d := net.Dialer{Timeout: syncDialTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return Result{}, errSync(name, rawURL, err)
	}
	defer conn.Close()
	if _, err := osynch.Initiate(ctx, conn, syncSubject(name, r.Subject()), r, o); err != nil {
		if r.Committed() {
			// The connection failed after this side committed (osynch,
			// invariant 5): say so, the error alone reads as "nothing
			// happened".
			err = fmt.Errorf("%w; this database had already stored the %d rows it received, the server may not have "+
				"stored the rows it was sent: run SYNC TABLE again to finish", err, r.Stored())
		} else if ctx.Err() != nil {
			return Result{}, errInterrupted(ctx.Err())
		}
		return Result{}, errSync(name, rawURL, err)
	}
	return Result{RowsAffected: int64(r.Stored())}, nil
}

// ServeSync answers synchronizations (SYNC TABLE from other databases) on
// ln until ctx is done or ln fails; it closes ln when it returns. Each
// connection carries one synchronization of one table, which compares a
// snapshot and holds the engine's writer lock only while it stores what
// it received, like a short write transaction; a session is bounded by
// osynch's Timeout (per frame) and SessionTimeout (overall). Failed
// sessions are reported to logf (nil: not reported) and do not stop the
// server. It returns nil after ctx is done. A read-only engine cannot
// store what peers send: ServeSync refuses it at once (error 1290).
func (e *Engine) ServeSync(ctx context.Context, ln net.Listener, logf func(format string, args ...any)) error {
	return e.serveSync(ctx, ln, logf, nil)
}

// serveSync is ServeSync with osynch options o (nil: the defaults).
func (e *Engine) serveSync(ctx context.Context, ln net.Listener, logf func(format string, args ...any), o *osynch.Options) error {
	if e.opts.ReadOnly {
		ln.Close()
		return errServeReadOnly()
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			st, err := e.respondSync(ctx, conn, o)
			if err != nil {
				logf("sync from %s: %v", conn.RemoteAddr(), err)
				return
			}
			logf("sync from %s: %d records in, %d out, %d bytes in, %d out, %d rounds",
				conn.RemoteAddr(), st.Applied, st.RecordsSent, st.BytesReceived, st.BytesSent, st.Rounds)
		}()
	}
}

// errServeReadOnly is error 1290 for serving a read-only engine.
func errServeReadOnly() *SQLError {
	return engErr(ErOptionPreventsStmt, "The bxdb store is open read-only so it cannot serve synchronizations "+
		"(they store the rows peers send); open it read-write")
}

// RespondSync runs the responding side of one synchronization on conn
// (see ServeSync). On success, Stats.Applied is the number of records the
// table stored.
func (e *Engine) RespondSync(ctx context.Context, conn net.Conn) (osynch.Stats, error) {
	return e.respondSync(ctx, conn, nil)
}

// maxSubjectName is the longest table name a peer's subject may carry.
const maxSubjectName = 256

// respondSync is RespondSync with osynch options o (nil: the defaults).
func (e *Engine) respondSync(ctx context.Context, conn net.Conn, o *osynch.Options) (osynch.Stats, error) {
	if e.opts.ReadOnly {
		return osynch.Stats{}, errServeReadOnly()
	}
	var r *SyncReplica
	st, err := osynch.Respond(ctx, conn, func(subject []byte) (osynch.Replica, error) {
		i := bytes.IndexByte(subject, 0)
		if i < 0 || i > maxSubjectName || !printableName(subject[:i]) {
			return nil, errors.New("malformed subject")
		}
		name := string(subject[:i])
		var err error
		r, err = e.openSyncReplica(ctx, name, func(r *SyncReplica) error {
			return compareSubjects(name, r.Subject(), subject[i+1:])
		})
		if err != nil {
			return nil, err
		}
		return r, nil
	}, o)
	if r != nil {
		if err == nil {
			st.Applied = r.Stored()
		}
		r.Rollback() // a no-op after Commit
	}
	return st, err
}

// printableName reports whether a table name from a peer is valid UTF-8
// without control characters (so that it can go into messages and logs).
func printableName(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range string(b) {
		if c < ' ' || c == 0x7f || unicode.IsControl(c) || unicode.Is(unicode.Cf, c) {
			return false
		}
	}
	return true
}
