package bedrock

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestCreateSyncsDirectory checks that creating a store syncs the
// directory that holds it, once, before Open returns, and that opening an
// existing store (read-write or read-only) does not.
func TestCreateSyncsDirectory(t *testing.T) {
	var synced []string
	old := syncDir
	syncDir = func(dir string) { synced = append(synced, dir) }
	defer func() { syncDir = old }()

	dir := t.TempDir()
	path := filepath.Join(dir, "new.db")
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(synced, []string{dir}) {
		t.Errorf("creating %s synced %q, want [%s]", path, synced, dir)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, o := range []*Options{nil, {ReadOnly: true}, {MustExist: true}} {
		synced = nil
		s, err := Open(path, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(synced) != 0 {
			t.Errorf("reopening (%+v) synced %q", o, synced)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
