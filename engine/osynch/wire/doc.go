// Package wire is the on-wire format of engine/osynch: a stream of frames,
// a reader and a writer for them, and the errors a malformed stream gives.
// It knows nothing of trees or of the protocol's rounds (see package
// osynch); it only turns frames into values and back, and rejects any
// input that does not decode exactly, without panicking and without
// allocating more than the frame's own length. A Reader's buffer grows with
// the bytes of a frame that actually arrive (from 64 KiB, at most
// doubling), not with the length the frame announces: a peer that sends a
// 4-byte length and stalls costs it 64 KiB, not MaxFrame.
//
// # Frame
//
// Every frame is a length, a type, a payload and a checksum. All
// fixed-size integers are big-endian; "uv" is an unsigned LEB128 varint
// (encoding/binary Uvarint) in its shortest form (a longer one is
// malformed), at most 10 bytes.
//
//	 0               4        5                             4+length      8+length
//	+---------------+--------+---------------------------+---------------+
//	| length (u32)  |  type  | payload (length-1 bytes)   | crc32c (u32)  |
//	+---------------+--------+---------------------------+---------------+
//	length counts type and payload: 1 <= length <= the reader's limit
//	(MaxFrame by default). crc32c (Castagnoli) covers the length, the
//	type and the payload; a frame whose checksum does not match is
//	malformed (ErrCorrupt), so bytes damaged in transit (a value, a key,
//	a digest changed on the way) end the session with an error instead
//	of being applied.
//
// Byte strings (keys, values, subjects, messages) are written as
// uv(len) followed by len bytes ("bytes" below). A bound is an interval's
// upper end: uv(0) for +infinity, else uv(len+1) and len bytes.
//
// # Frame types (Version 3)
//
//	1 HELLO    magic "bxsync" | version u8 | subject bytes
//	           The initiator's first frame. The subject names what is
//	           synchronized (osynch treats it as opaque).
//	2 ACCEPT   version u8
//	           The responder's answer to HELLO when it can serve the subject.
//	3 ERROR    message bytes
//	           Either side, at any time: the sender gives up; so does the
//	           receiver. Nothing is committed after an ERROR.
//	4 RANGES   uv(n) | n entries
//	           entry: kind u8 | bound | body
//	             kind 0 SKIP         body empty: the interval is settled
//	             kind 1 FINGERPRINT  uv(count) | digest (16 bytes)
//	             kind 2 ITEMS        uv(m) | m items
//	           item: key bytes | uv(version) | flags u8 | digest (16 bytes)
//	           flags bit 0: tombstone; other bits zero.
//	           The entries of one turn's RANGES frames, in order, cover
//	           consecutive intervals: the first starts at -infinity, each
//	           next one where the previous bound ended, the last bound of a
//	           turn is +infinity. Bounds strictly increase.
//	5 RECORDS  uv(n) | n records
//	           record: key bytes | uv(version) | flags u8 | [value bytes]
//	           (the value is absent for a tombstone, flags bit 0)
//	           A record must fit in one frame; a longer one travels as
//	           LARGE and PART frames instead.
//	6 WANTS    uv(n) | n keys (bytes)
//	7 END      flags u8
//	           Ends a turn. flags bit 0 FINAL: the sender expects no answer
//	           but a DONE (the turn settles everything and asks nothing).
//	8 DONE     empty
//	           The sender has committed: the receiver of a FINAL turn
//	           commits and sends DONE; the sender of the FINAL turn then
//	           commits and answers DONE. Each side returns after both.
//	9 LARGE    key bytes | uv(version) | uv(length)
//	           Starts a live record whose value (length bytes, at least
//	           one) does not fit in a RECORDS frame. It is followed at once
//	           by PART frames, nothing in between, whose chunks, in order,
//	           are the value: their lengths add up to length exactly.
//	10 PART    chunk bytes (at least one byte)
//	           The next bytes of the value a LARGE frame announced.
//
//	+------------+-------+-----------+------------+------------+
//	| length u32 | 9     | key bytes | uv(version)| uv(length) |   LARGE
//	+------------+-------+-----------+------------+------------+
//	+------------+-------+-------------+----------------------+
//	| length u32 | 10    | uv(c), c>0  | c bytes of the value |    PART
//	+------------+-------+-------------+----------------------+
//
//	A record of a 10 MiB value with 4 MiB frames:
//	  LARGE(key, version, 10485760) PART(~4 MiB) PART(~4 MiB) PART(rest)
//
// A turn is any number of RANGES, RECORDS, LARGE (with its PARTs) and
// WANTS frames followed by one END. Records and keys appear in increasing
// key order within a frame. A receiver never reserves memory for a LARGE
// record's announced length: the value grows with the PART frames that
// actually arrive, up to the receiver's limit on a record.
//
// # Versions
//
// Version is carried by HELLO and ACCEPT. A responder that does not speak
// the initiator's version answers ERROR. Retired versions are never reused.
// Version 1 had no LARGE and PART frames (a record longer than a frame
// could not travel); version 2 added them; version 3 added the frame
// checksum (a peer of version 2 fails at its first frame with a checksum
// error).
package wire
