package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"testing"
)

// TestReaderMemoryFollowsBytes: a frame that announces MaxFrame bytes and
// brings 100 makes a Reader reserve about 64 KiB, not 4 MiB (before the
// fix every connection that sent a 4-byte length and stalled held 4 MiB);
// frames of every size up to the limit, in any order, still read back.
func TestReaderMemoryFollowsBytes(t *testing.T) {
	stream := binary.BigEndian.AppendUint32(nil, MaxFrame)
	stream = append(stream, TypePart)
	stream = append(stream, make([]byte, 99)...)
	const readers = 16
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	for i := 0; i < readers; i++ {
		if _, err := NewReader(bytes.NewReader(stream), 0).ReadFrame(); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("truncated frame: %v, want io.ErrUnexpectedEOF", err)
		}
	}
	runtime.ReadMemStats(&m1)
	if per := (m1.TotalAlloc - m0.TotalAlloc) / readers; per > 256<<10 {
		t.Fatalf("a frame announcing %d bytes that brought 100 cost %d bytes per reader", MaxFrame, per)
	}

	var b bytes.Buffer
	w := NewWriter(&b, 0)
	sizes := []int{1, MaxFrame - Overhead, 100, 64<<10 - 20, 64 << 10, 64<<10 + 1, 3 << 20, 0}
	for i, n := range sizes {
		chunk := bytes.Repeat([]byte{byte('a' + i)}, n)
		if n == 0 {
			chunk = []byte{'z'}
		}
		if err := w.Part(chunk); err != nil {
			t.Fatalf("part of %d bytes: %v", n, err)
		}
	}
	w.Flush()
	r := NewReader(&b, 0)
	for i, n := range sizes {
		f, err := r.ReadFrame()
		if err != nil {
			t.Fatalf("frame %d (%d bytes): %v", i, n, err)
		}
		want := bytes.Repeat([]byte{byte('a' + i)}, n)
		if n == 0 {
			want = []byte{'z'}
		}
		if f.Type != TypePart || !bytes.Equal(f.Chunk, want) {
			t.Fatalf("frame %d: type %d, %d bytes, want a PART of %d", i, f.Type, len(f.Chunk), len(want))
		}
	}
	if _, err := r.ReadFrame(); err != io.EOF {
		t.Fatalf("after the last frame: %v, want io.EOF", err)
	}
}
