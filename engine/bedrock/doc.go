// Package bedrock is bxdb's block store: transactional, shadow-paged
// storage of fixed-size logical blocks in one preallocated file or a raw
// block device, with no log of any kind.
//
// # Contract
//
// Callers address logical blocks (LBA). A write transaction writes shadow
// blocks: every Put goes to a free physical place and tentatively maps the
// LBA there, leaving the committed block intact. Commit atomically switches
// the tentative map to the permanent one; Rollback drops it. Reads in a
// transaction see its own tentative map; everyone else sees the last
// committed map as of their Begin (a snapshot).
//
//   - Store methods are safe for concurrent use. A Tx is used by one
//     goroutine at a time.
//   - Read transactions never block and are never blocked. Any number of
//     write transactions may be open at once; Commit refuses with
//     ErrConflict a transaction that wrote (or freed) a block another
//     transaction committed after this one began: first committer wins, and
//     nothing is ever merged silently. Callers that need serializable
//     read-write transactions serialize their writers (sqlfront does).
//   - Nested transactions (Tx.Begin) see the parent's tentative map; the
//     child's Commit merges into the parent, its Rollback discards only the
//     child's changes. The parent is unusable while a child is open.
//   - A layer that keeps changes outside the blocks for a while (bxtree's
//     deferred handles) registers its flush with Tx.Defer: Commit runs
//     the registered flushes first (a failing one fails the commit, which
//     rolls back), and so does Begin before a child starts.
//   - Slices returned by Get are read-only and stay valid forever (the
//     garbage collector owns them). Put takes ownership of its argument.
//   - Commit returns when the commit is durable: at most one fdatasync
//     per commit, shared by all transactions committing at the same time.
//     A commit applies (conflict check, shadow blocks written, the new map
//     becomes the base of write transactions that begin later), then one
//     syncer writes the superblock of the newest applied state and calls
//     fdatasync for everyone applied before it. Commits that arrive while
//     a sync runs queue, and the first of them to find the store idle
//     applies the whole queue as one version, after waiting (at most one
//     sync's time) for open write transactions that have not queued yet:
//     group commit, one apply and one fdatasync per group, where a lone
//     committer never waits (commitDurable in commit.go). Within a group
//     the first committer still wins: a transaction that writes a block
//     an earlier one of its group writes fails with ErrConflict. CommitAsync
//     applies at once and shares only the sync: commits that apply while a
//     sync runs are carried by the next one. A commit's shadow blocks, data and map, are placed in one
//     extent when the free space has one (else in a few long runs; see
//     Free space), so the commit is one write and its fdatasync flushes
//     one region besides the superblock; data bodies are written from the
//     caller's buffers (pwritev) instead of being copied. CommitAsync splits the
//     two steps so a caller that serializes its writers can let the next
//     one apply while this one waits. Read transactions see a commit only once it is
//     durable. With Options.NoSync, Commit returns once the superblock is
//     written, and asks the kernel to start writing back each run of 256
//     KiB or more (sync_file_range), so that a bulk load's disk writes
//     overlap its work instead of all waiting for the final Sync
//     (BenchmarkBulkWrite). IMPORTANT: a NoSync store loses the commits made since the
//     last Sync or Close on power loss (at most 65536 of them: bedrock
//     syncs at least that often), but it always reopens in the state of
//     some commit: consistency is never lost.
//   - Every block carries a CRC-32C that also covers its kind, its LBA and
//     the generation that wrote it, and the map entry pointing at a block
//     names that generation. Bit rot, torn writes, misdirected writes and
//     lost (stale) writes are therefore detected on read and reported as
//     errors wrapping ErrCorrupt with the block's address. Corrupt data is
//     never returned as data.
//   - Data blocks are packed with snappy on the way to disk when that
//     saves at least one allocation unit (512 bytes, or the device sector),
//     and unpacked on the way back; callers always see plain blocks.
//     Tx.PutPlain stores a block unpacked (for blocks most commits rewrite
//     and that pack little, such as bxtree's internal nodes). Map
//     blocks are written plain (a 256th of the data, rewritten by every
//     commit: packing them cost more commit time than the space was worth);
//     the reader still accepts packed ones.
//   - Parity across blocks (FormatV3, the default, and FormatV2; Options.DisableParity
//     creates FormatV1 stores without it): every 15 data blocks' worth of
//     the file carry one block of XOR parity, kept in step with every
//     write. A block that fails verification (a flipped bit, a torn or
//     zeroed block, an unreadable sector) is rebuilt from the rest of its
//     stripe, verified exactly like a block read from disk, and returned
//     as data: reads, map blocks at Open included, see no error and
//     Stats.Repaired counts the rebuild. A rebuilt block is never trusted
//     unverified, so parity can fail to help (two damaged blocks at the
//     same offset of one stripe) but never returns wrong data. Check
//     writes rebuilt blocks back in place and rewrites stale parity
//     (Report.Repaired, Report.ParityFixed). See Parity.
//
// # The map
//
// The map from LBA to physical place has three levels, all held in memory:
// the superblock points to page blocks, each page points to fan segment
// blocks, each segment holds fan map entries (fan = (BlockSize-32)/16, 254
// for 4 KiB blocks, so a 4 KiB store addresses 252*254*254 blocks, about
// 62 GiB; 16 KiB blocks address about 4 TiB). Open assembles the map with
// one traversal, superblock -> pages -> segments (the "slalom"); a commit
// walks the same path to copy and write the pages and segments it changed,
// and the freed old copies are the extents that traversal passes over.
// Open reads only the map and the blocks of commits not yet known durable:
// it never scans the data. Segments stay in memory in their on-disk
// encoding (16 bytes an entry), so open keeps their blocks' bytes without
// decoding them and a commit writes a changed segment as it is. When the
// state is proven durable (below) and the file is as long as it says, open
// reads just the superblock and the pages: each segment is read, verified
// and kept by the first lookup that needs it, or by settle (Free space),
// which reads the rest in the background. A segment found damaged beyond
// repair that way is reported, as an error wrapping ErrCorrupt naming it,
// by every read that needs it and by Check, and fails the store for writes
// (ErrFailed: the allocator cannot know the units it maps); the rest of
// the store stays readable. Damage to a page still fails the open (or
// falls back to the other slot, as below).
//
// A commit rewrites every segment holding an LBA it writes, so blocks that
// commits rewrite together should share segments. Tx.Alloc hands out
// free LBAs, freed ones first, then new ones; Tx.AllocApart the LBAs of
// one segment kept apart from those, for blocks such as a B-tree's
// internal nodes, which a commit of scattered updates rewrites nearly all
// of at one level (bxtree uses it): in bxtree's BenchmarkUpdate100 (100
// random updates of a million records) a commit writes 10% fewer bytes.
//
// # File layout
//
// Physical space is counted in units (512 bytes, or the device's sector
// size). The two superblock slots take the first two blocks of the
// virtual file (below: FormatV3 moves slot 1 on disk); every other block
// occupies a run of whole units.
//
//	offset 0            BlockSize          2*BlockSize
//	+-------------------+------------------+-------+-------+-----+-------+
//	| superblock slot 0 | superblock slot 1| block | block | ... | free  |
//	+-------------------+------------------+-------+-------+-----+-------+
//	                                         ^ n units each, n = ceil((32+stored)/unit)
//
// Superblock slot (one block, little-endian):
//
//	 0       8      12      16      20      24              32
//	+-------+------+-------+-------+-------+---------------+
//	| magic |format| crc32c| block | unit  | generation    |
//	|"bedrock\0"|version|  | size  | size  |               |
//	+-------+------+-------+-------+-------+---------------+
//	32              40              48              56      60      64
//	+---------------+---------------+---------------+-------+-------+
//	| synced gen    | next LBA      | size in units | pages | flags |
//	+---------------+---------------+---------------+-------+-------+
//	64: page refs, 16 bytes each; rest of the block zero.
//	crc32c (Castagnoli) covers the whole slot with the crc field zeroed.
//	synced gen: the newest generation known durable when the slot was
//	written; open reads back every data block newer than it.
//
// Block (data, map segment or map page):
//
//	 0       4    5    6     7    8               16              24      28      32
//	+-------+----+----+-----+----+---------------+---------------+-------+-------+------------+
//	| crc32c| ver|kind|flags| 0  | id            | generation    | stored| raw   | body ...   |
//	+-------+----+----+-----+----+---------------+---------------+-------+-------+------------+
//	crc32c covers bytes 4 .. 32+stored. ver = 1. kind: 1 data, 2 segment,
//	3 page. flags bit 0: body is snappy-packed. id: the LBA of a data
//	block, p*fan+s for segment s of page p, p for page p. stored/raw: body
//	length on disk / after unpacking. Padding to the unit is zero and not
//	covered.
//
// Ref (map entry, page's segment pointer, superblock's page pointer):
//
//	 0                        6        8                       16
//	+------------------------+--------+-----------------------+
//	| first unit (48 bits)   | units  | generation            |
//	+------------------------+--------+-----------------------+
//	first unit 0 means "not mapped" (unit 0 is a superblock slot); an
//	unmapped entry keeps the generation that freed it, for conflict checks.
//
// Parity (FormatV2, FormatV3). Everything above addresses units of a
// virtual file; a FormatV2 or FormatV3 file interleaves it with parity.
// Besides the two superblock slots (not covered: they are copies of each
// other), the file is a sequence of stripes of 16 blocks, BlockSize bytes
// each: one parity chunk P, then 15 data chunks D1..D15 holding the next
// 15 blocks' worth of virtual units. FormatV2 puts both slots first;
// FormatV3 (new stores) puts slot 1 after stripe 0, so that each slot is
// followed by a parity chunk and a stripe's data (the zones of the small
// commits written with that slot: Free space). B is BlockSize.
//
//	FormatV2 physical: | slot 0 | slot 1 | P0 | D0,1 ... D0,15 | P1 | D1,1 ... D1,15 | ...
//	FormatV3 physical: | slot 0 | P0 | D0,1 ... D0,15 | slot 1 | P1 | D1,1 ... D1,15 | ...
//	virtual (both):    | slot 0 | slot 1 |  units ...          |  units ...          | ...
//	P_k = D_k,1 XOR D_k,2 XOR ... XOR D_k,15   (byte by byte)
//	k(v) = floor((v - 2B) / 15B)                      (the stripe of data offset v)
//	FormatV2: physical(v) = v                          for v < 2B (the slots)
//	                      = v + (k(v) + 1) * B         otherwise
//	FormatV3: physical(v) = v                          for v < B (slot 0)
//	                      = v + 16B                    for B <= v < 2B (slot 1, at 17B)
//	                      = v                          for k(v) = 0
//	                      = v + (k(v) + 1) * B         otherwise
//
// Open reads slot 1 where the format slot 0 states puts it; with slot 0
// unreadable it looks at both places and takes a superblock only where its
// own format puts slot 1.
//
// A stripe cut short by the end of a device holds its parity chunk and
// what data fits after it (a chunk beyond the end counts as zeros). A file
// store always grows by whole stripes. Blocks are placed in virtual units
// as before and may straddle a stripe boundary. A block's unit u at offset
// c of its chunk is rebuilt as the XOR of P and the other data chunks at
// offset c. Repair first rebuilds every unit of the block (which undoes
// any damage confined to the block, even a whole zeroed block), then, for
// a block that lies in two chunks, the units of each chunk alone (a lost
// or zeroed chunk-sized sector covers the end of one block and the start
// of the next: the intact units of a block in the other chunk share
// columns with the damage, and rebuilding them would spoil them), then
// each unit alone (for the rare block of BlockSize/unit+1 units whose
// first and last units share an offset), and keeps the first result that
// verifies.
//
// Keeping parity in step: a write that covers a whole stripe's data
// computes its parity from the new data alone. A write into part of a
// stripe updates the parity on disk incrementally (P xor old bytes xor new
// bytes), from a cache of recently written stripes or one read of the
// stripe (which skips space the store added to the file and has not
// written since it opened it: zeros, data and parity alike, so a long
// write into new space reads nothing back); incremental, because
// recomputing from the disk would fold an
// undetected damaged block of the stripe into its parity and make it
// unrepairable. A stripe with nothing else in use is recomputed instead,
// which heals stale parity where nothing can need it. Writes are ordered
// as before: parity chunks are written with the commit's blocks, before
// its one fdatasync, and the parity chunk of a stripe precedes its data,
// so a small commit in the zone of its slot (one stripe's data) is still
// one contiguous region with the superblock (in FormatV2, one region
// besides it for the zone of slot 0). A crash can leave a
// stripe's parity disagreeing with its data (a write hole); that parity
// then fails to rebuild a block, which verification catches, so the
// outcome is an ErrCorrupt that would have occurred without parity, never
// wrong data. Check rewrites such parity once every block it can rebuild is
// written back. A repaired block is written back without touching the
// parity, which already accounts for its bytes.
//
// Stable on disk: everything above, under FormatV1 (no parity),
// FormatV2 (parity) and FormatV3 (parity, slot 1 after stripe 0). New
// stores are FormatV3, or FormatV1 with Options.DisableParity; older
// stores keep their format. An incompatible change
// gets a new FormatVersion constant; retired values are never reused.
//
// # Why one fdatasync per commit is enough
//
// A commit writes, in any order, its data blocks, its new segment and page
// blocks, and a superblock into the slot that does not hold the newest
// durable state; then it calls fdatasync once. A crash may persist any
// subset of those writes, some of them torn. On open:
//
//  1. Each slot is valid only if its magic, version and CRC check out.
//     The newest valid slot is tried first.
//  2. Its map is loaded; every page and segment is verified against the
//     ref (place and generation) that points at it (the segments of a
//     proven durable state when they are first read, see The map).
//  3. Every data block written after the slot's synced generation is read
//     back and verified the same way.
//  4. If any of that fails (and the state is not proven durable, below),
//     the other slot is tried. It holds the previous
//     durable state, which is intact: a commit only ever writes to units
//     that are free in the durable state, and units freed by a commit are
//     reused only after that commit is durable and no snapshot can read
//     them. NoSync stores hold freed units until a sync, and never write
//     the slot holding the newest synced state, so the same holds there.
//
// So the state open finds is either the previous commit or the new one,
// never a mixture, with a single fdatasync.
//
// Rolling back is right only for a commit that may not have been
// acknowledged. After its fdatasync returns, a commit's superblock is
// copied into the other slot (a plain write that the next sync carries).
// Two slots with the same generation, or a newer slot whose synced
// generation covers it, prove a state durable: open never rolls back past
// such a state, and damage inside it (bit rot in its newest blocks) is
// reported as ErrCorrupt by the reads that meet it and by Check, instead of
// silently losing an acknowledged commit. The copy also means a superblock
// destroyed at rest costs nothing: its twin holds the same state. Generations are never reused:
// open continues at the highest generation seen plus 65538, above any
// commit a lost tail could have left on disk, so an old block can never
// pass for a new one. A slot that is destroyed (or holds an abandoned
// commit) is rewritten at open with the chosen state, and so is the slot
// beside a state that verified but was not proven durable (its writer
// exited without Close): open syncs first, then copies, so the next open
// takes the proven path (no tail to verify, allocator marked in the
// background).
//
// A file's name is durable before its first commit: when Open creates the
// file it syncs the directory holding it once (best effort, as SQLite
// does: a file system that cannot sync a directory does not stop the
// create), so a new database whose commits were acknowledged does not
// vanish with its directory entry at a power loss. Growing the file needs
// nothing more: fdatasync carries the size and allocation a read needs.
//
// # Free space
//
// An allocation bitmap over units is rebuilt from the map. When the state
// open picks is proven durable and the file is as long as the superblock
// says, that happens after Open returns (settle: in the background, from
// 20 ms after open or from the first Begin of a writer, whichever is
// first, so that it does not share the CPU with the first reads; and
// before the first commit, Tx.Alloc, Check or Stats), so opening costs the
// reads of the superblock and the map pages, reads never wait for the
// bitmap, and a store opened for a few reads never allocates it (open
// checks only that the map blocks lie in the file; settle marks them, and
// finds two blocks mapped to the same units); a map found inconsistent or
// unreadable then fails the store for writes. Otherwise it happens
// during open, where blocks beyond a truncated end fail the open. A
// commit's superseded blocks wait until the commit is durable and older
// than every live snapshot, then return to the bitmap; a workload that
// rewrites the same data forever keeps the file bounded. A full file grows
// by max(GrowSize, size/16) with fallocate; a device never grows and
// reports ErrFull, as does a file that cannot grow (a full disk, a file
// size limit) after it took what growth it could. Data blocks leave a
// reserve free: room to rewrite every map block once, and 32 blocks for
// the data of a commit that writes no more than it frees, so a full store
// can still commit a delete (see the fence below).
//
// A commit is written as one run of free units when the free space has
// one, else as up to 16 runs of at least 64 KiB, else block by block.
// Where the run goes is chosen for the fdatasync that follows. In a file
// store, two zones of 64 KiB each (one stripe's data with parity; each at
// most a sixteenth of the store) right after the superblock slots are
// kept for small commits, one for each slot their superblock will go to.
// In FormatV3 each zone follows its slot and its stripe's parity chunk:
// a small commit and its superblock reach the disk as one write, and the
// zone's parity stays cached (no stripe to read back). (In FormatV1 and
// V2 the zones follow slot 1: the first is one write with slot 1, the
// second one write besides slot 0.) Other allocations use the zones only
// when nothing else is free.
// A small commit takes the first free run in its zone that fits it, so a
// block that stays live there (the first commits' catalog, a leaf no later
// commit rewrites) only shortens the zone; when such blocks leave no run
// long enough for a small commit, the next small commit bound for the other
// slot moves that zone's live blocks out (into runs outside the zones), as
// the cleaner below does, when it is the only writer (with concurrent
// writers the zone's blocks are theirs and rewritten soon anyway). Otherwise a
// run is sought first among units already written once in this file (overwriting them costs fdatasync no
// metadata, where the first write into fallocated space makes the file
// system convert an unwritten extent), then next-fit from a cursor. So
// that runs stay available under random rewrites (which free old copies at
// random places), a big commit that finds less than twice its size free
// in such runs also cleans: it copies the live blocks of the emptiest 1 MiB windows (more
// than half free) into its own runs, as blocks of its own generation, until
// the windows make up for what it takes; with no such window a file store
// grows instead, up to half free (clean.go has the rules). Cleaning moves blocks, never
// changes their contents, and is crash-safe for the same reason any commit
// is. A move is not a write for conflict detection: a transaction that
// began before the move and writes the moved block commits (the store
// remembers such moves until every live snapshot sees them).
//
// # Reads
//
// On Linux a regular file (not Device) is also mapped read-only
// (mmap_linux.go): a block that misses the cache is copied out of the OS
// page cache instead of costing a pread system call. Writes still use
// pwrite, which updates the same pages the map shows. The map reserves
// address space ahead of the file and is replaced, larger, when the file
// outgrows it; a memory fault while copying (an I/O error, a file
// truncated by another program) is returned as an error. Every block read
// either way is verified as described above.
//
// # Devices
//
// Options.Device opens a raw block device: the capacity is the device's
// size and never grows, I/O bypasses the page cache with O_DIRECT from
// 4096-aligned buffers, and the unit is the device's logical sector size.
// A fixed-size regular file opened with Device behaves the same and is how
// the tests exercise this mode. To use a real partition:
//
//  1. Take an unmounted partition without a file system, named stably
//     (/dev/disk/by-partuuid/...), that the process may read and write
//     (root, the disk group, or a udev rule). Never mount it: the lock is
//     an advisory flock on the device node.
//  2. Zero its first 128 KiB (dd if=/dev/zero of=DEV bs=64K count=2
//     oflag=direct conv=fsync): open looks for the second superblock slot
//     at every block size, and an all-zero start is formatted on first
//     open. Anything else that is not a bedrock store is refused.
//  3. Open with Options{Device: true} and a BlockSize that is a multiple
//     of the logical sector size (blockdev --getss; 4096 on 512e drives).
//     Always reopen with Device: true; a store created on a device refuses
//     to open without it.
//  4. fdatasync issues a disk flush: the drive must honour flushes or have
//     power-loss protection. Growing the partition adds space at the next
//     open; shrinking it below the data gives ErrCorrupt.
//
// A full store keeps a reserve for map blocks, so that a transaction that
// frees blocks (DROP TABLE, TRUNCATE, a delete of a few rows) can commit.
// The reserve lies in a fence at the top of the store that data blocks do
// not enter (the free space of a full store is otherwise mostly holes
// between small packed blocks; on a nearly full store the fence also
// covers the live map blocks, which sit at the top), and every map block
// takes a whole block's units, so the fence frees and fills in whole
// blocks. On a nearly full store every commit keeps free, once it is
// durable, whole blocks enough for a rewrite of every map block (what a
// DROP TABLE or TRUNCATE needs) plus part of a margin (32 blocks): all of
// it for a commit that grows the store (checked up front: else the file
// grows or the commit fails with ErrFull), half for one that writes no
// more than it replaces, none for one that also carries Tx.MarkFreeing (a
// DELETE, DROP, TRUNCATE: the SQL layer marks them). Its blocks are placed
// one by one: a data block first where it breaks no whole block's run (a
// hole longer than a multiple of a block by at least its size), else where
// the runs left, counting those its frees give back, keep that floor, else
// (commits that grow nothing) in whole blocks of the fence. A batch of
// queued commits that the store refuses is applied again one commit at a
// time, so that a delete queued beside inserts still commits. A
// copy-on-write delete needs room for what it rewrites before the old
// blocks come back, so on a full store a delete of many rows at once
// (index entries scattered over many leaves) can still fail with ErrFull
// while smaller ones commit.
package bedrock
