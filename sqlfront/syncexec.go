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

	"github.com/bxdb/bxdb/engine/osynch"
)

// SYNC TABLE and the synchronization server.
//
// SYNC TABLE t WITH 'bxdb://host:port' connects to a bxdb server (ServeSync,
// `bxdb serve`), and runs osynch's initiating side over table t inside a
// write transaction (OpenSyncReplica); the server runs the responding side
// on its table of the same name. The HELLO subject is the table's name in
// lower case, a zero byte, and the replica's Subject (a digest of the
// schema): the server refuses a table it lacks or whose schema differs.
// Each side commits all the records it received, or none (osynch,
// invariant 5). The statement's RowsAffected is the number of records the
// local table took from the server (rows inserted, updated or deleted).

// ErSyncFailed is the error number of a failed SYNC TABLE (MySQL's
// ER_CONNECT_TO_FOREIGN_DATA_SOURCE, SQLSTATE HY000).
const ErSyncFailed uint16 = 1429

// syncDialTimeout bounds the connection to the server.
const syncDialTimeout = 10 * time.Second

// errSync is error 1429 for a failed synchronization.
func errSync(table, target string, cause error) *SQLError {
	return engErr(ErSyncFailed, "SYNC TABLE `%s` WITH '%s' failed: %v", table, target, cause)
}

// syncTarget parses the URL of SYNC TABLE: bxdb://host:port, nothing else.
func syncTarget(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("bad URL %q: %v", raw, err)
	}
	switch {
	case u.Scheme != "bxdb":
		return "", fmt.Errorf("URL %q: scheme must be bxdb (bxdb://host:port)", raw)
	case u.Host == "" || u.Port() == "":
		return "", fmt.Errorf("URL %q: want bxdb://host:port", raw)
	case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("URL %q: only bxdb://host:port is understood", raw)
	}
	return u.Host, nil
}

// syncSubject is the HELLO subject for table name with replica subject sub.
func syncSubject(name string, sub []byte) []byte {
	return append(append([]byte(strings.ToLower(name)), 0), sub...)
}

// execSync runs SYNC TABLE.
func (s *Session) execSync(ctx context.Context, x *SyncStmt) (Result, error) {
	name := x.Table.Name
	if s.tx != nil {
		return Result{}, engErr(ErCantDoThisInTx, "SYNC TABLE cannot run inside a transaction")
	}
	addr, err := syncTarget(x.URL)
	if err != nil {
		return Result{}, errSync(name, x.URL, err)
	}
	// Connect before taking the writer lock: a slow or dead server must
	// not hold up this database's writers.
	d := net.Dialer{Timeout: syncDialTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return Result{}, errSync(name, x.URL, err)
	}
	defer conn.Close()
	r, err := s.e.OpenSyncReplica(ctx, name)
	if err != nil {
		return Result{}, err
	}
	st, err := osynch.Initiate(ctx, conn, syncSubject(name, r.Subject()), r, nil)
	if err != nil {
		r.Rollback()
		if ctx.Err() != nil {
			return Result{}, errInterrupted(ctx.Err())
		}
		return Result{}, errSync(name, x.URL, err)
	}
	return Result{RowsAffected: int64(st.Applied)}, nil
}

// ServeSync answers synchronizations (SYNC TABLE from other databases) on
// ln until ctx is done or ln fails; it closes ln when it returns. Each
// connection carries one synchronization of one table, which holds the
// writer lock of this engine while it runs (like a write transaction).
// Failed sessions are reported to logf (nil: not reported) and do not
// stop the server. It returns nil after ctx is done.
func (e *Engine) ServeSync(ctx context.Context, ln net.Listener, logf func(format string, args ...any)) error {
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
			st, err := e.RespondSync(ctx, conn)
			if err != nil {
				logf("sync from %s: %v", conn.RemoteAddr(), err)
				return
			}
			logf("sync from %s: %d records in, %d out, %d bytes in, %d out, %d rounds",
				conn.RemoteAddr(), st.Applied, st.RecordsSent, st.BytesReceived, st.BytesSent, st.Rounds)
		}()
	}
}

// RespondSync runs the responding side of one synchronization on conn
// (see ServeSync).
func (e *Engine) RespondSync(ctx context.Context, conn net.Conn) (osynch.Stats, error) {
	var r *SyncReplica
	st, err := osynch.Respond(ctx, conn, func(subject []byte) (osynch.Replica, error) {
		i := bytes.IndexByte(subject, 0)
		if i < 0 {
			return nil, errors.New("malformed subject")
		}
		name := string(subject[:i])
		var err error
		if r, err = e.OpenSyncReplica(ctx, name); err != nil {
			return nil, err
		}
		if !bytes.Equal(subject, syncSubject(name, r.Subject())) {
			return nil, fmt.Errorf("table %s has another definition on the server", name)
		}
		return r, nil
	}, nil)
	if err != nil && r != nil {
		r.Rollback()
	}
	return st, err
}
