package sqlfront

// ENGINE DESIGN (the lead owns doc.go; this header is the engine's part)
//
// The SQL engine maps tables and indexes onto bxtree B+-trees in one
// bedrock store and runs statements on them through sessions.
//
//	Engine (one per file per process)        Session (one per connection)
//	  store  *bedrock.Store                    its transaction and savepoints,
//	  writer lock (chan, capacity 1)           the tree handles its statements
//	  group commit (durability waits)          share (txtrees.go),
//	  catalog cache (by nonce) + ddlSeq        LAST_INSERT_ID, variables,
//	  read epoch + cached read snapshots       the open *Rows, a cached read
//	  auto-increment high-water marks          snapshot (readcache.go)
//	  online index build logs
//	  row version clock (version.go)
//	  parse cache (Stmt, with cached plans)
//
// Concurrency: Engine methods are safe for concurrent use; a Session is
// used by one goroutine at a time (Rows.Close may come from another
// goroutine, never concurrently with Rows.Next). Values returned by
// Rows.Next are copies the caller owns.
//
// # Transactions and the writer rule
//
// Readers see snapshots and never block: an autocommit SELECT, and every
// statement of a READ ONLY transaction, runs in a bedrock read transaction
// that pins its snapshot until the Rows are closed (or the transaction
// ends).
//
// Writers are serialized by one engine-wide writer lock:
//
//	autocommit write statement  lock -> write tx -> statement -> apply
//	                            the commit -> unlock -> wait until durable
//	BEGIN / START TRANSACTION   lock at BEGIN, held until COMMIT/ROLLBACK
//	/ Session.Begin (read-write)
//	READ ONLY transaction       no lock; one bedrock read tx (one snapshot)
//	autocommit=0                the implicit transaction reads a snapshot
//	                            without the lock; its first write takes
//	                            the lock and continues only if nobody
//	                            committed since its snapshot, else 1213
//
// The lock is waited for up to Options.BusyTimeout (default 5 s) while the
// statement's context allows; then the statement fails with 1205 "Lock
// wait timeout exceeded; try restarting transaction". Because a read-write
// transaction holds the lock from BEGIN, its snapshot is the newest
// applied state and nobody else commits until it ends: schedules are
// serial, so transactions are SERIALIZABLE, updates are never lost, and
// there is no deadlock (one lock).
//
// Group commit (groupcommit.go): a writer releases the lock once its
// commit is applied (bedrock Tx.CommitAsync: write transactions that begin
// afterwards see it) and waits for durability without it, so the next
// writer applies meanwhile and one fdatasync covers a whole group.
// Autocommit INSERT, UPDATE and DELETE go further: they run as nested
// transactions of one shared batch that the group's leader applies once,
// just before its sync (groupcommit.go). A
// write transaction reads applied state, which may not be durable yet; no
// writer returns before every commit it may have read is durable (a
// writer that changed nothing waits for the newest commit applied before
// it), and readers see durable state only. So nothing a client is told
// can be undone by a crash; a failed sync fails the store and every
// commit not yet durable with it. An implicit transaction may upgrade
// only if its read snapshot is still the newest applied state (same
// generation), not merely the newest durable one. Every isolation level a client names is
// served at SERIALIZABLE (stronger is allowed); WRITE COMMITTED and
// LINEARIZABLE are refused with 1235.
//
// Statement atomicity: inside a transaction a DML statement runs directly
// on the transaction's innermost bedrock transaction, through tree handles
// that its statements share (so a leaf many one-row statements change is
// encoded once, at commit), and records the inverse of every change in an
// undo log; a statement that fails replays it and leaves no trace (if the
// replay itself fails, the transaction is marked broken and can only roll
// back; see txtrees.go). A DDL statement runs in a nested bedrock
// transaction (Tx.Begin) that is rolled back if it fails. SAVEPOINT
// pushes another nested transaction; ROLLBACK TO rolls it back and opens a
// fresh one under the same name; RELEASE merges it into its parent. DDL is
// transactional too inside BEGIN (a deviation from MySQL, which commits
// implicitly before DDL); under autocommit=0 DDL commits the implicit
// transaction and itself, as in MySQL. A result still open when the session runs its next
// statement is first read into memory (spilling to disk), since the next
// statement would move its cursors.
//
// # Storage mapping
//
// Tree names (bxtree directory):
//
//	sql.catalog           catalog: table, view and trigger descriptors and the catalog nonce
//	sql.autoinc           auto-increment counters, one record per table
//	sql.t.<tableID>       table rows, keyed by the encoded primary key
//	sql.t.<tableID>.dead  tombstones of a synchronized table (only those)
//	sql.i.<tableID>.<ix>  secondary index <ix> of the table
//
// IDs are decimal and never change, so RENAME TABLE and RENAME INDEX touch
// only the catalog. A change of column type or primary key rebuilds the
// table into trees of a new table ID.
//
// Table record (key encoding: keyenc.go, row encoding: rowenc.go):
//
//	key   = AppendKey(pk col 1) ++ AppendKey(pk col 2) ++ ...
//	        (a table without a primary key: AppendKey of a hidden BIGINT
//	        row id, the last key + 1)
//	value = EncodeRow(schema version = tableDesc.Version, physical row)
//	version (bxtree record version) = the row version: a hybrid logical
//	        clock reading, max(wall clock in µs since the Unix epoch,
//	        last version + 1), taken at every write of the row
//	        (version.go); a row applied by a synchronization keeps the
//	        peer's version. Rows written before versions existed have 0.
//
// Tombstone record (sql.t.<tableID>.dead, synchronized tables only;
// syncreplica.go):
//
//	key     = the table key of a removed row
//	version = a clock version taken at the removal (or the peer's)
//	value   = empty
//
// A key is never in both the table tree and its dead tree.
//
// Secondary index record, unique or not:
//
//	key   = AppendKey(index cols, with their ASC/DESC flags) ++ table key
//	value = table key
//	version = 0
//
// Appending the table key makes every index key distinct and gives each
// index the scan order (index columns, primary key). UNIQUE is enforced by
// probing the prefix AppendKey(index columns) before a write; a prefix
// holding NULL is never checked, so NULLs do not conflict (MySQL's rule).
// The collation's case folding is in the key encoding, so 'a' and 'A'
// collide in a unique index and compare equal in ranges, as in MySQL.
//
// Physical rows: a table's columns have stable field numbers (FieldID),
// assigned at CREATE or ADD COLUMN and never reused. A stored row holds
// fields 0..n-1 of the table at write time; a dropped field keeps its slot
// (written as NULL from then on). A row shorter than the table's field
// count reads each missing field as the column's "fill" value (its value
// when the column was added), so ADD COLUMN and DROP COLUMN never rewrite
// rows.
//
// Catalog records (in sql.catalog); values start with a format version
// byte, catalogFormatV1 = 1, never reused for another format:
//
//	key "meta"
//	+---------+----------------------+--------------------------+
//	| ver = 1 | nonce (u64 LE)       | next table ID (u64 LE)   |
//	+---------+----------------------+--------------------------+
//	0         1                      9                          17
//
//	key "t/" + lower(table name)
//	+---------+----------------------------------------------+
//	| ver = 1 | JSON of tableDesc (field names are stable)    |
//	+---------+----------------------------------------------+
//
//	key "v/" + lower(view name)
//	+---------+----------------------------------------------+
//	| ver = 1 | JSON of viewDesc (view.go; names are stable)  |
//	+---------+----------------------------------------------+
//
//	key "trg/" + lower(trigger name)
//	+---------+--------------------------------------------------+
//	| ver = 1 | JSON of triggerDesc (trigger.go; names are stable) |
//	+---------+--------------------------------------------------+
//
//	key "clock" (absent until the first synchronization; version.go)
//	+---------+------------------------------------------------+
//	| ver = 1 | row version clock floor, µs (u64 LE)           |
//	+---------+------------------------------------------------+
//	0         1                                                9
//
// Compatibility of the synchronization additions: they kept format
// version 1. The tableDesc field "synchronized" (omitted when false) and
// the "clock" record are new; files written before them open unchanged
// (no table synchronized, clock from the wall clock). An older bxdb
// opening a file with synchronized tables ignores both: it reads and
// writes normally but its deletions leave no tombstones, so they are not
// propagated (and may be undone by the next synchronization).
//
// Compatibility of column collations: they kept format version 1. The
// typeDesc field "collation" (a normalized collation name such as
// "utf8mb4_bin", omitted for the default utf8mb4_0900_ai_ci) is new;
// descriptors without it read as the default collation, with which their
// keys were built. An older bxdb ignores the field: it would compare such
// columns case-insensitively while their index keys are in byte order.
//
// Compatibility of triggers: they kept format version 1. The "trg/"
// records are new; files without them open unchanged. An older bxdb
// ignores them: it reads and writes normally, but fires no trigger.
//
// Compatibility of FULLTEXT indexes: they kept format version 1. The
// tableDesc field "fulltext" (a list of {"name", "fields": FieldIDs,
// "comment"}, omitted when empty) is new; an index there has no tree. An
// older bxdb ignores the field: the table reads and writes normally, and
// MATCH fails there as it did before FULLTEXT existed.
//
// The nonce is a random number rewritten by every DDL; decoded catalogs
// are cached by nonce, so a statement reads one small record to know its
// snapshot's schema. A rolled-back DDL leaves the old nonce, hence the old
// cached catalog. Commits that change the catalog are bracketed by a
// sequence lock (ddlSeq, odd while in flight); a statement whose snapshot
// was taken between two equal even reads uses the cached committed
// catalog without reading the store at all.
//
// Auto-increment counters (sql.autoinc):
//
//	key = table ID (u64 BE)
//	+---------+----------------------------------+
//	| ver = 1 | next value to hand out (u64 LE)  |
//	+---------+----------------------------------+
//
// A statement that hands out ids writes the advanced counter in its own
// transaction, so a committed id is never handed out again, also after a
// crash; the engine keeps an in-memory high-water mark too, so ids of
// rolled-back statements are not reused while the process lives (InnoDB
// behaves alike). Explicit ids at or above the counter move it past them;
// TRUNCATE resets it.
//
// # Planning and execution
//
// SELECT is planned per table, in FROM order or the cheaper order
// plan_joinorder.go finds for an inner join: the WHERE conjuncts become
// sets of intervals per column (=, <, <=, >, >=, BETWEEN, IN lists and IN
// subqueries, IS NULL, OR of ranges on one column, LIKE 'abc%', constants
// and placeholders on either side), then key ranges over the primary key
// or an index prefix (equality columns first, IN lists as several
// points). Each candidate is costed with bxtree's O(log n) Count over its
// ranges (an index row costs two reads, a full scan the table's size); an
// ORDER BY that the access order satisfies (forward or backward, DESC
// index columns included) saves the sort, which matters with a LIMIT. A
// conjunct that the ranges express exactly is not evaluated again; every
// other one is. COUNT(*) whose WHERE the ranges express exactly is
// answered from subtree counts. Joins are nested loops: a key lookup on
// the inner table when an equality with the outer tables fixes a key
// prefix, else a hash join on an equality, else a buffered inner table;
// LEFT and RIGHT joins extend with NULLs. Uncorrelated subqueries run once
// per statement; correlated ones are planned per outer row with the outer
// values as constants (so they use keys too).
//
// Operators are iterators (Volcano style) pulled by Rows.Next; the context
// is checked every 256 rows. ORDER BY sorts with an external merge sort
// that spills runs to temporary files past Options.SortMemory (a top-N
// heap for small LIMITs); GROUP BY hashes its groups and, when they
// outgrow SortMemory, reads its input again and sorts instead; DISTINCT
// and hash joins fail cleanly with 1038 past four times SortMemory. UPDATE
// and DELETE read their target rows completely (spilling) before changing
// anything.

import (
	"container/list"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// Options configure Open. A nil *Options or a zero field means the default,
// filled in by EnsureDefaults.
type Options struct {
	// CacheSize bounds bedrock's block cache, in bytes (bedrock's default
	// when 0).
	CacheSize int64
	// NoSync makes commits return before they are durable (see
	// bedrock.Options.NoSync).
	NoSync bool
	// ReadOnly opens the store for reading only; writes fail with 1290.
	ReadOnly bool
	// MustExist refuses to create a missing store.
	MustExist bool
	// BusyTimeout is how long a writer waits for the writer lock before it
	// fails with 1205 (default 5 s; negative means do not wait).
	BusyTimeout time.Duration
	// FS is the file system (tests use bedrock.NewMemFS()).
	FS bedrock.FS
	// SortMemory is how many bytes of rows a sort, GROUP BY or DISTINCT
	// keeps in memory before it spills sorted runs to temporary files
	// (default 32 MiB).
	SortMemory int64
	// TempDir is where sorts spill (default os.TempDir()).
	TempDir string
	// GrowSize is the least the file grows by when it is full (default 1
	// MiB; bedrock grows by a sixteenth of the file when that is more). A
	// small step keeps a small database's file close to its contents;
	// large ones grow proportionally anyway.
	GrowSize int64
}

// EnsureDefaults fills in zero fields and returns o (a new Options for nil).
func (o *Options) EnsureDefaults() *Options {
	if o == nil {
		o = &Options{}
	}
	if o.BusyTimeout == 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.SortMemory == 0 {
		o.SortMemory = 32 << 20
	}
	if o.TempDir == "" {
		o.TempDir = os.TempDir()
	}
	if o.GrowSize == 0 {
		o.GrowSize = 1 << 20
	}
	return o
}

// Engine is an open database: one bedrock store and the state shared by
// its sessions. All methods are safe for concurrent use.
type Engine struct {
	store  *bedrock.Store
	opts   Options
	path   string
	dbName string // DATABASE(): the file's base name without extension

	// writer is the engine-wide writer lock: a goroutine holds it while
	// its value sits in the channel. See "Transactions and the writer
	// rule" above.
	writer chan struct{}

	// cat caches decoded catalogs by nonce. Lock order: writer, then
	// cat.mu (cat.mu is never held while waiting for anything).
	cat struct {
		sync.Mutex
		byNonce map[uint64]*catalog
		order   []uint64 // insertion order, for eviction
	}

	// auto holds the in-memory high-water marks of auto-increment
	// counters, by table ID. Guarded by the writer lock (only writers
	// touch it); the mutex is for EXPLAIN/SHOW readers.
	auto struct {
		sync.Mutex
		next map[uint64]uint64
	}

	// commitSeq counts the write transactions committed by this engine
	// (SHOW STATUS Com_commit).
	commitSeq atomic.Uint64
	// group orders the durability waits of writers (groupcommit.go).
	group groupCommit
	// batch is the open batch of autocommit DML statements, a write
	// transaction their nested transactions merged into; batchN counts
	// the statements in it that changed something, and batchDone closes
	// when it is applied. Guarded by the writer lock.
	batch     *bedrock.Tx
	batchN    int
	batchDone chan struct{}
	// readEpoch moves when a commit becomes durable; rdrs are the
	// sessions holding a cached read snapshot (readcache.go).
	readEpoch atomic.Uint64
	rdrs      readers
	// connIDs hands out CONNECTION_ID() values.
	connIDs atomic.Uint64
	// tempIDs numbers the temporary tables of the engine's sessions
	// (newTempID).
	tempIDs atomic.Uint64
	// userLocks are the named locks of GET_LOCK (func_session.go).
	userLocks userLocks

	// ddlSeq is a sequence lock around commits that change the catalog:
	// odd while such a commit is in flight, incremented before and after
	// it. curCat is the committed catalog and the (even) ddlSeq it belongs
	// to. A statement whose snapshot was taken between two equal even
	// reads of ddlSeq may use curCat instead of reading the catalog tree.
	ddlSeq atomic.Uint64
	curCat atomic.Pointer[seqCatalog]

	// builds are the logs of online index builds (ddlexec_online.go).
	builds builds

	// clock is the last row version handed out or observed (a hybrid
	// logical clock in microseconds since the Unix epoch; see
	// nextVersion). Atomic: versions are taken under the writer lock, but
	// ObserveVersion may come from anywhere.
	clock atomic.Uint64

	closed atomic.Bool
}

// Open opens (or creates) the database file at path.
func Open(path string, o *Options) (*Engine, error) {
	opts := *o.EnsureDefaults()
	st, err := bedrock.Open(path, &bedrock.Options{
		CacheSize: opts.CacheSize,
		NoSync:    opts.NoSync,
		ReadOnly:  opts.ReadOnly,
		MustExist: opts.MustExist,
		FS:        opts.FS,
		GrowSize:  opts.GrowSize,
	})
	if err != nil {
		return nil, err
	}
	e := &Engine{store: st, opts: opts, path: path, dbName: dbNameOf(path)}
	e.writer = make(chan struct{}, 1)
	e.group.init()
	e.group.onDurable = e.commitDurable
	e.group.flush = e.flushBatch
	e.cat.byNonce = map[uint64]*catalog{}
	e.auto.next = map[uint64]uint64{}
	if !opts.ReadOnly {
		if err := e.initCatalog(); err != nil {
			st.Close()
			return nil, err
		}
		if err := e.sweepTemps(); err != nil {
			st.Close()
			return nil, err
		}
	}
	if err := e.initClock(); err != nil {
		st.Close()
		return nil, err
	}
	return e, nil
}

// dbNameOf returns the database name of a file: its base name without
// extension ("app" for "/data/app.bxdb"), "main" when that is empty.
func dbNameOf(path string) string {
	b := filepath.Base(path)
	if ext := filepath.Ext(b); ext != "" && ext != b {
		b = strings.TrimSuffix(b, ext)
	}
	if b == "" || b == "." || b == string(filepath.Separator) {
		return "main"
	}
	return b
}

// Close closes the store. Sessions and Rows still open fail afterwards.
func (e *Engine) Close() error {
	if e.closed.Swap(true) {
		return nil
	}
	e.revokeReads() // closed: every idle cached snapshot goes
	return e.store.Close()
}

// Store returns the underlying bedrock store.
func (e *Engine) Store() *bedrock.Store { return e.store }

// DatabaseName returns the name DATABASE() reports: the file's base name
// without its extension.
func (e *Engine) DatabaseName() string { return e.dbName }

// NewSession returns a new session. A Session is used by one goroutine at
// a time.
func (e *Engine) NewSession() *Session {
	s := &Session{e: e}
	s.reset()
	return s
}

// lockWriter takes the writer lock, waiting up to BusyTimeout while ctx
// allows, and applies the open batch of autocommit statements
// (groupcommit.go), so that the holder builds on every change made so
// far. It returns 1205 on timeout and ctx's error when ctx ends first.
func (e *Engine) lockWriter(ctx context.Context) error {
	if err := e.lockWriterBatch(ctx); err != nil {
		return err
	}
	e.applyBatch()
	return nil
}

// lockWriterBatch is lockWriter for an autocommit DML statement, which
// joins the open batch instead of applying it.
func (e *Engine) lockWriterBatch(ctx context.Context) error {
	if e.closed.Load() {
		return ErrEngineClosed
	}
	select {
	case e.writer <- struct{}{}:
		return nil
	default:
	}
	if e.opts.BusyTimeout < 0 {
		return errLockWait()
	}
	t := time.NewTimer(e.opts.BusyTimeout)
	defer t.Stop()
	select {
	case e.writer <- struct{}{}:
		return nil
	case <-t.C:
		return errLockWait()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// unlockWriter releases the writer lock.
func (e *Engine) unlockWriter() {
	select {
	case <-e.writer:
	default:
		panic("sqlfront: unlockWriter without the lock")
	}
}

// seqCatalog is a committed catalog and the ddlSeq it belongs to.
type seqCatalog struct {
	seq uint64
	cat *catalog
}

// cachedCatalog returns the committed catalog if it belongs to seq.
func (e *Engine) cachedCatalog(seq uint64) *catalog {
	if seq%2 != 0 {
		return nil
	}
	if c := e.curCat.Load(); c != nil && c.seq == seq {
		return c.cat
	}
	return nil
}

// snapshotCatalog returns the catalog of tx, a snapshot taken between two
// reads of ddlSeq (s1 before Begin, s2 after).
func (e *Engine) snapshotCatalog(tx *bedrock.Tx, s1, s2 uint64) (*catalog, error) {
	if s1 == s2 {
		if c := e.cachedCatalog(s1); c != nil {
			return c, nil
		}
	}
	c, err := e.catalogOf(tx)
	if err == nil && s1 == s2 && s1%2 == 0 {
		e.curCat.Store(&seqCatalog{seq: s1, cat: c})
	}
	return c, err
}

// commitDDL commits tx, which changed the catalog, inside the ddlSeq
// bracket.
func (e *Engine) commitDDL(tx *bedrock.Tx) error {
	e.ddlSeq.Add(1)
	err := tx.Commit()
	e.ddlSeq.Add(1)
	if err == nil {
		e.commitDurable()
	}
	return err
}

// parsed caches parsed statements by text for every engine of the
// process: parsing costs more than running a point query, and a Stmt
// depends on its text alone (it is immutable; the plans it caches name
// the table they were built for, so an engine with other tables rebuilds
// them; stmtcache.go). A program that reopens a database, or opens
// several, parses a statement once. Guarded by its mutex.
var parsed struct {
	sync.Mutex
	m     map[string]*list.Element // of *Stmt
	order *list.List               // most recently used first
}

// Parse cache bounds.
const (
	stmtCacheSize    = 512
	stmtCacheMaxText = 8 << 10 // longer statements (bulk INSERTs) are not cached
)

// prepare parses query, through the engine's statement cache.
func (e *Engine) prepare(query string) (*Stmt, error) {
	c := &parsed
	c.Lock()
	if el, ok := c.m[query]; ok {
		c.order.MoveToFront(el)
		st := el.Value.(*Stmt)
		c.Unlock()
		return st, nil
	}
	c.Unlock()
	st, err := prepare(query)
	if err != nil || len(query) > stmtCacheMaxText {
		return st, err
	}
	c.Lock()
	defer c.Unlock()
	if c.m == nil {
		c.m, c.order = map[string]*list.Element{}, list.New()
	}
	if _, ok := c.m[query]; !ok {
		c.m[query] = c.order.PushFront(st)
		for c.order.Len() > stmtCacheSize {
			old := c.order.Remove(c.order.Back()).(*Stmt)
			delete(c.m, old.query)
		}
	}
	return st, nil
}

// String describes the engine briefly.
func (e *Engine) String() string { return fmt.Sprintf("sqlfront.Engine(%s)", e.path) }
