// Package osynch synchronizes a key range of two replicas (two bxtrees, or
// a SQL table's rows and tombstones) over one connection, shipping only the
// records that differ, in few bytes and few rounds, with little local work.
//
// # Goal
//
// After a successful synchronization both replicas hold, for every key
// either of them knew, the same record: the one that wins (Item.Wins: the
// higher version, then the greater digest). Deletions travel as tombstones.
// The cost depends on the differences, not on the size: for d differing
// records among n, O(d log n) fingerprints and d records cross the wire in
// O(log n) rounds, and each side does O(d log n) block reads, because the
// count and digest of any interval come from bxtree's subtree summaries
// (Get_Interval_Hashes) in O(log n), never from a scan.
//
// # Invariants
//
//  1. Every turn's range entries partition the whole key space, in order
//     (wire: RANGES). Each interval is in exactly one state: settled
//     (SKIP), or open with one side's fingerprint or complete item list.
//  2. A side splits only an interval where it holds more than
//     ItemThreshold items, into parts holding fewer items each; an
//     interval that cannot be split is listed. So every open interval's
//     item count strictly falls each time it is split, and the session
//     ends in O(log n) rounds (MaxRounds stops a peer that does not
//     follow the rules). A reply stops growing at half of MaxPending
//     (counted as the receiver counts what it holds): past it, each
//     further run of consecutive open intervals is answered with one
//     FINGERPRINT of the run, which the peer splits or lists in its turn.
//     So no turn outgrows the receiver's MaxPending however many records
//     differ (two tables of millions of rows loaded separately), at the
//     cost of a few more rounds; every reply still answers its first open
//     intervals, so the session progresses.
//  3. An item list is complete for its interval: its receiver settles the
//     interval alone, shipping the records it wins and asking (WANTS) for
//     those the peer wins. Records are handed to Replica.Apply the moment
//     they arrive: they only concern settled intervals, whose summaries
//     nobody asks for again, so a replica may store them at once without
//     disturbing the comparison; or it may compare a fixed snapshot and
//     stage them until Commit (sqlfront does, so that its database's
//     writer lock is never held while waiting on the network).
//  4. A side applies a received record only if it wins against what it
//     holds (a peer cannot roll a record back), and only through
//     Replica.Apply, which validates it. It takes only the records its
//     last turn asked for: under a key it wanted (the record must then be
//     the item the peer listed, same version and digest), or in an
//     interval it listed or said it held nothing of (a FINGERPRINT of
//     count 0); and the peer may want only keys it listed. Anything else
//     is a protocol violation: a peer cannot slip records into intervals
//     already settled, nor make this side ship records nobody asked for. A replica that stages records
//     checks again at Commit that each still wins against what it holds
//     then (a local write made meanwhile has a newer version and stays).
//  5. Nothing is committed before the end: the receiver of the FINAL turn
//     commits and sends DONE; the sender of the FINAL turn commits only
//     after that DONE, then answers DONE. A side returns success only
//     after both DONEs, so when Initiate returns nil both sides have
//     committed. A connection cut at any point leaves each side with all
//     of the synchronization or none of it (an error may thus come after
//     a local commit); running it again finishes the work
//     (synchronization is idempotent).
//  6. Every read of a frame and every write has a deadline
//     (Options.Timeout), and the whole session one more
//     (Options.SessionTimeout, default 10 minutes): a peer that stalls is
//     given up after Timeout, and one that drips frames, each in time,
//     after SessionTimeout. Frames have a size limit (MaxFrame) and are
//     read into memory that grows with the bytes actually received, a
//     received turn is held in at most MaxPending bytes, and a received
//     record in at most MaxRecord bytes that grow with the bytes actually
//     received. A hostile or broken peer gets an error, never a panic, a
//     hang, or unbounded memory. Its ERROR message reaches the caller
//     through PeerText: control characters escaped, length bounded. A
//     responder that gives up sends ERROR and then reads and drops what
//     the initiator still sends (up to 2 s) before the caller closes the
//     connection: closing it with unread bytes would reset it, and the
//     reset could destroy the ERROR before an initiator busy writing a
//     long turn reads it.
//  7. Any record a bxtree stores can travel: one that does not fit in a
//     frame is sent as a LARGE frame followed by PART frames that carry
//     its value in frame-sized chunks.
//
// # One round
//
// The initiator sends HELLO(subject); the responder answers ACCEPT, or
// ERROR when it has no replica for the subject. The initiator's first turn
// holds the whole key space: its items if it has at most ItemThreshold of
// them, else one fingerprint. Then the sides take turns:
//
//	receive a turn:
//	    apply each RECORD (or LARGE + PARTs) that was asked for and
//	    wins; keep the range
//	    entries and WANTS
//	    if the turn is FINAL: commit, send DONE, wait for DONE, stop
//	reply, for each received entry [lo, hi) in order
//	(once the reply holds MaxPending/2 bytes: FINGERPRINT(Summary(lo, hi'))
//	for the rest [lo, hi') of each run of open entries, instead):
//	    SKIP:              SKIP
//	    ITEMS(theirs):     merge with my items in [lo, hi):
//	                         ship my records that win, WANT theirs that win
//	                       SKIP
//	    FINGERPRINT(c, x): mine := Summary(lo, hi)
//	                       equal:           SKIP
//	                       c == 0:          ship all mine; SKIP
//	                       small (<= T):    ITEMS(mine)
//	                       else:            Split(lo, hi, Fanout) ->
//	                                        one FINGERPRINT per part
//	    ship the records the peer WANTed
//	    END, FINAL if every entry is SKIP and nothing is wanted
//	if I sent FINAL: wait for DONE, commit, send DONE, stop
//
// # Rejected designs
//
//   - Shipping whole records at the leaves of the recursion (instead of
//     item lists of key, version and digest): simpler, but a 100-byte
//     record costs three times an item, and most listed items are equal.
//   - A Merkle tree over fixed key-space buckets: its shape depends on
//     the key distribution, and equal data inserted in another order
//     still agrees only if the bucketing is fixed in advance; the XOR
//     summaries of bxtree are independent of tree shape and of order.
//   - Invertible Bloom lookup tables: one round when the difference is
//     small, but their size must be chosen from an estimate of it, and
//     they fail (needing another protocol) when the estimate is low.
//   - Holding one write transaction (and so, in sqlfront, the database's
//     writer lock) from HELLO to DONE: simple, but then a peer that
//     stalls or drips frames blocks every local writer for as long as it
//     likes. The protocol therefore lets a replica compare a snapshot and
//     stage the received records (on disk past a memory budget, in
//     sqlfront) for a short write transaction at Commit.
//   - Refusing records longer than a frame, or raising the frame limit to
//     the longest value: the first leaves a table with one large row
//     unsynchronizable for good, the second lets any peer make the other
//     reserve gigabytes with a 4-byte length. LARGE and PART frames keep
//     frames small and memory following the bytes received.
//   - Writing the reply while still reading the peer's turn: with both
//     sides writing large turns and neither reading, the connection's
//     buffers fill and both block; a side therefore reads a whole turn
//     (keeping only its ranges and wanted keys) before it writes.
//
// # Wire format
//
// See package wire (engine/osynch/wire) for the frames, with their byte
// diagrams and version (3: version 1 lacked the LARGE and PART frames of a
// record longer than a frame, version 2 the frame checksum). In short,
// every frame is
//
//	| length u32 | type u8 | payload | crc32c u32 |
//
// and the types are HELLO, ACCEPT, ERROR, RANGES, RECORDS, WANTS, END,
// DONE, and LARGE (key, version, value length) followed by PART frames
// (value chunks). A frame whose checksum fails ends the session.
package osynch
