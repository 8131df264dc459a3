// Package bxtree is a counted, digest-summarised B+-tree stored in the blocks
// of an engine/bedrock store. It keeps many named trees in one store, each a
// sorted map from key to (version, value), and answers order statistics
// (Count, Rank, Select) and order-independent summaries (record count and the
// XOR of 16-byte record digests) over any key interval [lo, hi) in O(log n)
// block reads. Range synchronization (engine/osynch) compares such summaries
// between replicas and uses Split to bisect differing intervals.
//
// # Contract
//
// Every operation runs inside a bedrock transaction: a Tree handle is bound
// to the *bedrock.Tx it was created or opened with and must not outlive it.
//
//   - A Tree handle and the Cursors made from it belong to ONE goroutine.
//     Nothing in the package is shared between handles; there is no package
//     level mutable state.
//   - Slices returned by Get, Cursor.Key, Cursor.Value, Select and Split are
//     READ-ONLY. They alias immutable bedrock blocks (or private copies) and
//     stay valid after the transaction ends; never modify them.
//   - Put copies key and value; the caller may reuse its buffers at once.
//   - Keys are at most MaxKeySize(payload) bytes (968 with 4096-byte blocks,
//     about a quarter of the block). Values of any length up to 2^32-1 bytes
//     are accepted; long values spill into overflow chains (below) so they
//     never reduce the fan-out of a leaf.
//   - nil lo means -inf and nil hi means +inf in every interval argument. An
//     empty non-nil key is a real key (the smallest one).
//   - After any error from a mutating call (Put, Delete, Flush, Create,
//     Drop) the Tree handle is poisoned and returns that error from then on;
//     roll the transaction (or the nested child transaction) back.
//     Corruption is reported as an error wrapping ErrCorrupt, which itself
//     wraps bedrock.ErrCorrupt, so errors.Is works with either sentinel.
//   - Every record is verified against its digest when its block is read
//     from the file; bedrock's CRC covers the block at rest. The read paths
//     (Get, cursors, Select, Summary and the other aggregates, Split) read
//     tree blocks with bedrock.Tx.GetVerified, whose check (verify.go)
//     validates the node's layout and recomputes the digest of every
//     inline record of a leaf. Bedrock remembers the success with the
//     cached block, so blocks served from its cache are not checked again
//     and a read costs no hashing. A leaf holding one bad record fails as a
//     whole: every read of it returns ErrCorrupt. A value that spilled into
//     an overflow chain is verified each time it is read (the chain is read
//     whole anyway). Not checked are the transaction's own uncommitted
//     writes (this process encoded them) and, on the write path, the
//     digests of records Put and Delete only move (they validate the layout
//     of every node they change; a bad record stays bad and is caught when
//     its new block is read). Check recomputes everything.
//   - Aggregates (Summary, Count, Rank, Split) use the stored digests and
//     counts of internal entries and never visit the records they cover.
//
// # Flushing (who writes the blocks)
//
// Mutations work on nodes kept in a per-handle dirty set; a flush writes
// each dirty node into its block exactly once. By default a handle defers
// its flushes: the dirty set grows across Put and Delete calls and is
// written when the transaction commits or begins a child (the handle
// registers its flush with bedrock's Tx.Defer, which runs it then), when
// the tree is opened or dropped in the same transaction (Open and Drop
// flush the other handles on that tree first), on a read through the
// handle other than Get (Cursor, Summary, Count, ... flush by
// themselves; Get descends through the unflushed nodes, so a batch that
// reads between writes still writes each node once), and on Flush.
// Callers never need Flush for correctness; a handle opened before the
// changes of another handle on the same tree does not see them until they
// are flushed. A mutation that fails poisons its handle, and a poisoned
// deferred handle fails the commit.
//
// With Options.Eager, Put and Delete flush before they return, so the
// transaction's blocks always hold the complete tree. The price is a new
// image of every node on the path per call: the leaf is spliced
// (splice.go: its old image copied around the one changed record) and each
// internal node copied and patched, about three block copies per Put in a
// tree of a million records (Tx.Put takes ownership of an image, so the
// next Put cannot patch it again), where a deferred batch writes each node
// once (BenchmarkBulkLoad: 4.8 against 1.7 µs per record). Eager pays off
// only when every change is followed by a range read through the handle.

// # Transactions, nesting and cursors
//
// A handle opened on a nested child transaction sees the parent's tentative
// tree; when the child commits its changes merge into the parent and when it
// rolls back they vanish, both by bedrock's rules. The parent's handles may
// be used again once the child has ended, but cursors made on the parent
// before the child began must be repositioned (Seek/First/Last) because the
// child may have freed the blocks they stand on. A cursor notices writes
// through its own Tree handle and repositions itself on the next Next or
// Prev (so deleting the current record inside a scan is safe).
//
// # Concurrency rule (why readers need no latches)
//
// Bedrock blocks of committed snapshots are immutable: a writer never
// changes a block that any snapshot can see, it writes new physical blocks
// (shadow paging) and publishes them atomically at commit. A read
// transaction therefore sees one fixed tree for its whole life, and bxtree
// takes no latch of any kind: any number of goroutines may read, each with
// its own read transaction and its own Tree handles, while one goroutine
// writes and commits. Correctness rests on three facts, all tested with
// -race (TestConcurrentReadersAndWriter): (1) bxtree never modifies a slice
// returned by Tx.Get, (2) bxtree never modifies a slice after passing it to
// Tx.Put, and (3) a Tree handle's mutable state (dirty set, decoded-node
// and page caches, scratch buffers, hash state) is private to its goroutine.
// The load-time check runs inside Tx.GetVerified in the calling goroutine,
// with the handle's own hash state; two readers loading the same block may
// both check it, which is harmless.
//
// Several write transactions may be open at once (bedrock allows it), but
// every Put or Delete rewrites the tree's root block (its entries hold the
// counts and digests), so two transactions that both modify one tree
// always conflict: the second to commit gets bedrock.ErrConflict and must
// retry. Trees are the unit of write concurrency.
//
// # Invariants
//
// Check verifies all of them; the tests call it after every commit.
//
//  1. Every node is one bedrock block starting with format version 1 and a
//     kind byte; it is at most PayloadSize bytes long, and its bytes are
//     compact (no gaps, no trailing bytes), so a node has one encoding.
//  2. Leaves have level 0, an internal node at level L has children at
//     level L-1, and all leaves are at the same depth.
//  3. Keys inside a node are strictly increasing and each key is at most
//     MaxKeySize bytes long.
//  4. Separators: in an internal node with entries e[0..n), e[0] has an
//     empty separator meaning "the node's lower bound", and for i >= 1 every
//     key of child i-1 is < sep[i] <= every key of child i. Hence every key
//     under e[i] lies in [sep[i], sep[i+1]) intersected with the node's
//     bounds.
//  5. Counts and digests: e[i].count is the number of records in the subtree
//     of child i, and e[i].digest the XOR of their record digests.
//  6. A record's digest is D(key, version, value) (below), with the tree's
//     DigestKey.
//  7. A value is inline iff 30 + len(key) + len(value) <= MaxRecordSize;
//     otherwise it lives in an overflow chain of exactly
//     ceil(len(value)/(PayloadSize-16)) blocks whose chunks are full except
//     the last one.
//  8. A non-root node has at least one entry; an internal root has at least
//     two (a root left with one child absorbs it).
//  9. Every block is reachable from exactly one place: a node from one
//     parent entry, an overflow block from one record or from its
//     predecessor in the chain. Dropping a tree frees all of them.
//  10. A tree's root block never moves: the LBA recorded in the directory is
//     the tree's identity for its whole life. When the root splits its
//     contents move into two new children; when an internal root is left
//     with one child it absorbs the child's contents.
//
// Minimum fill is a goal, not an invariant: Delete merges a node that falls
// under a quarter of the block with a sibling, or rebalances the two, and
// frees merged blocks, so insert/delete churn keeps the store bounded
// (TestChurnKeepsStoreBounded). Inserts at the right end of a node split it
// at the insertion point, so a load in key order leaves full leaves. A leaf
// overflowing elsewhere first spills records into a sibling with room and
// splits only when both are nearly full, so random inserts leave leaves
// about 78% full instead of the 67% of splitting alone.
//
// # Byte format (format version 1)
//
// All integers are little-endian. P is the store's PayloadSize (4064 for
// 4096-byte blocks) and must lie in [512, 65535]; offsets are 16-bit.
// MaxRecordSize = (P-8)/4 and MaxKeySize = MaxRecordSize-46.
//
// Node header, 8 bytes, first in every leaf and internal node:
//
//	 0         1         2         3         4                   6                   8
//	 +---------+---------+---------+---------+-------------------+-------------------+
//	 | version |  kind   |  level  | flags=0 |     n (u16)       |   reserved = 0    |
//	 +---------+---------+---------+---------+-------------------+-------------------+
//	version = 1 (formatV1). kind: 1 = leaf, 2 = internal, 3 = overflow.
//	level: 0 for leaves. n: number of slots (leaf) or entries (internal).
//
// An empty block (length 0) reads as an empty leaf: bedrock.RootLBA is empty
// until the directory tree's first Put.
//
// Leaf node: header, n slots of 30 bytes, then the heap holding, for each
// slot in order, the key followed by the inline value or a 16-byte overflow
// reference. Binary search reads only slots and keys; nothing is decoded.
//
//	+--------+-----------------------+---------------------------------------------+
//	| header | slot[0] ... slot[n-1] | key0 value0 | key1 ref1 | ... | key n-1 ... |
//	+--------+-----------------------+---------------------------------------------+
//	0        8                8+30*n = off of key0                     block length
//
//	slot (30 bytes):
//	 0                   8                                  24        26        28        30
//	 +-------------------+----------------------------------+---------+---------+---------+
//	 |  version (u64)    |  digest (16 bytes)               | off u16 | klen u16| vlen u16|
//	 +-------------------+----------------------------------+---------+---------+---------+
//	off: offset of the key in the block. The value follows the key.
//	vlen: inline value length, or 0xFFFF when the value spilled; then the
//	16 bytes after the key are the overflow reference:
//	 0                   8                  16
//	 +-------------------+------------------+
//	 | first block (LBA) | value length u64 |
//	 +-------------------+------------------+
//
// Internal node: header, n entries of 36 bytes, then the separator keys in
// entry order. Entry 0's separator is empty.
//
//	+--------+-------------------------+-------------------------------+
//	| header | entry[0] ... entry[n-1] | sep1 sep2 ... sep n-1         |
//	+--------+-------------------------+-------------------------------+
//	0        8                  8+36*n = heap start            block length
//
//	entry (36 bytes):
//	 0               8               16                               32        34        36
//	 +---------------+---------------+--------------------------------+---------+---------+
//	 |  child (LBA)  |  count (u64)  |  XOR digest (16 bytes)         | koff u16| klen u16|
//	 +---------------+---------------+--------------------------------+---------+---------+
//
// Overflow block: a 16-byte header and up to P-16 bytes of the value. The
// chain ends at next = 0 (bedrock.RootLBA is never part of a chain).
//
//	0         1         2                                     8                  16
//	+---------+---------+-------------------------------------+------------------+------ ...
//	| version | kind=3  |            reserved = 0             | next block (LBA) | chunk
//	+---------+---------+-------------------------------------+------------------+------ ...
//
// Record digest D: the first 16 bytes of SHA-256 (or of HMAC-SHA256 keyed by
// Options.DigestKey) over the unambiguous encoding below, where uvarint is
// encoding/binary's unsigned varint (LEB128, 1 to 10 bytes). Varints keep a
// record of an 8-byte key and a 100-byte value within two SHA-256 blocks.
//
//	+------------------+-----+-----------------+--------------------+-------+
//	| uvarint len(key) | key | uvarint version | uvarint len(value) | value |
//	+------------------+-----+-----------------+--------------------+-------+
//
// The digest of a set of records is the XOR of their digests (zero for the
// empty set), so summaries of disjoint intervals combine with XOR and an
// interval's summary is prefix(hi) XOR prefix(lo). With a secret DigestKey a
// party that chooses records cannot construct sets with colliding XORs.
//
// # Directory
//
// The names of the trees live in a bxtree rooted at bedrock.RootLBA (without
// digest key). Its keys are tree names (1 to MaxKeySize bytes), its record
// versions 0, and its values 17 bytes:
//
//	 0         1                    9                           17
//	 +---------+--------------------+---------------------------+
//	 | ver = 1 |  root block (LBA)  | key check (8 bytes)       |
//	 +---------+--------------------+---------------------------+
//	key check: first 8 bytes of HMAC-SHA256(DigestKey, "bxtree key check v1"),
//	all zero for a tree without DigestKey. Open with another key fails with
//	ErrDigestKey instead of reporting every record as corrupt.
//
// # Reading the source
//
// format.go (constants of this format), verify.go (the load-time check and
// the read paths' block reads), page.go (searching verified blocks in
// place), node.go (decoded node, encode/decode), splice.go (editing an
// encoded leaf), tree.go (handle, dirty set, Put/Get/Delete, Flush),
// rebalance.go (split, merge, root changes), overflow.go (overflow chains),
// cursor.go, aggregate.go (Summary, Count, Rank, Select), interval.go
// (Split), directory.go (Create, Open, Drop, Names), check.go (Check,
// CheckAll), digest.go and summary.go (Digest, Summary, record digests),
// options.go, stats.go, errors.go.
//
// A Get descends through page views (blocks from Tx.GetVerified; the leaf
// from Tx.GetVerifiedLazy, verifying only the record it returns until
// bedrock has checked the leaf whole: verify.go) and binary-searches the
// leaf in place; nothing is decoded. A handle of a read
// transaction also keeps the pages its cursors met as a tree of
// pnodes (tree.go): a page whose children are read often gets an array of
// kept children, so later descents and scans index into it instead of
// asking bedrock (whose lookup costs a few cache misses and a lock per
// block), within budgets of slots and of kept leaves (a handle keeps as
// many leaf blocks as a quarter of bedrock's cache holds, 4096 at least:
// usually the very blocks that cache holds). A handle that reads a few
// records allocates nothing.
//
// A Put descends from the root loading nodes for modification (tree.load:
// the dirty set first, then a per-handle cache of nodes that is reused
// only while the transaction still returns the very block slice it was
// made from). A loaded node is a view of its block: nothing is decoded.
// Leaves are read with Tx.Get and their layout checked (without digests);
// internal nodes below the root are read with Tx.GetVerified and the
// load-time check, which for an internal node is the same layout check and
// which bedrock remembers with the cached block. The Put inserts into the
// leaf (a view is spliced into a new image; a deferred handle decodes a
// leaf it already spliced maxSplices times in the batch), adds the
// record's count and digest to the entries on its path (an internal view
// is patched in a private copy of its image, made once per flush), then
// fixUp splits or merges bottom-up, decoding the nodes whose layout
// changes. Flush writes each dirty node once: a spliced leaf or patched
// internal image as is, a decoded node encoded whole; afterwards every
// node is a view of the image written.
package bxtree
