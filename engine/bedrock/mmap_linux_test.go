//go:build linux

package bedrock

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMappingReadsWritesAndGrowth checks that reads through the map see
// every write before them, including past the first map's reservation,
// and match pread byte for byte.
func TestMappingReadsWritesAndGrowth(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := osFS{}.OpenFile(path, OpenFlags{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	of := f.(*osFile)
	if of.mm == nil {
		t.Fatal("regular file not mapped")
	}
	of.mm.preads.Store(mapAfter) // past the warm-up: the map serves reads
	buf := make([]byte, 4096)
	for i, off := range []int64{0, 8192, mapReserve - 2048, mapReserve + 4096, 3 * mapReserve} {
		for j := range buf {
			buf[j] = byte(i*7 + j)
		}
		if err := of.Allocate(off + int64(len(buf))); err != nil {
			t.Fatal(err)
		}
		if _, err := of.WriteAt(buf, off); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(buf))
		if _, err := of.ReadAt(got, off); err != nil || !bytes.Equal(got, buf) {
			t.Fatalf("offset %d: read back differs (%v)", off, err)
		}
		if _, ok, _ := of.mm.readAt(got, off); !ok {
			t.Fatalf("offset %d: not served by the map", off)
		}
		want := make([]byte, len(buf))
		if _, err := of.f.ReadAt(want, off); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("offset %d: map and pread differ (%v)", off, err)
		}
	}
}

// TestMappingFaultIsError checks that a file truncated behind the store's
// back gives an error on read, not a crash.
func TestMappingFaultIsError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, make([]byte, 1<<16), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := osFS{}.OpenFile(path, OpenFlags{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.(*osFile).mm.preads.Store(mapAfter)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	_, err = f.ReadAt(make([]byte, 512), 1<<15)
	if err == nil || !strings.Contains(err.Error(), "faulted") {
		t.Fatalf("read of a truncated mapped file: err = %v, want a fault error", err)
	}
	// After Close, reads fail cleanly too.
	f.Close()
	if _, err := f.ReadAt(make([]byte, 512), 0); err == nil {
		t.Fatal("read after close succeeded")
	}
}

// TestMappingWarmUp checks that the first mapAfter reads of a file go
// through pread and every later one through the map, with the same bytes.
func TestMappingWarmUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	data := make([]byte, 1<<16)
	for i := range data {
		data[i] = byte(i * 13)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := osFS{}.OpenFile(path, OpenFlags{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	of := f.(*osFile)
	got := make([]byte, 512)
	for i := 0; i < mapAfter+50; i++ {
		off := int64(i%100) * 512
		if i%2 == 0 {
			_, mapped, err := of.mm.readAt(got, off)
			if err != nil {
				t.Fatal(err)
			}
			if want := i >= mapAfter; mapped != want {
				t.Fatalf("read %d: served by the map = %v, want %v", i, mapped, want)
			}
			if !mapped {
				continue
			}
		} else if _, err := of.ReadAt(got, off); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data[off:off+512]) {
			t.Fatalf("read %d at %d: wrong bytes (%v)", i, off, err)
		}
	}
}
