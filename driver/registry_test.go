package driver

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// mustConnector opens a connector or fails the test.
func mustConnector(t *testing.T, dsn string) *Connector {
	t.Helper()
	c, err := (&Driver{}).OpenConnector(dsn)
	if err != nil {
		t.Fatalf("OpenConnector(%q): %v", dsn, err)
	}
	return c.(*Connector)
}

func TestRegistrySharesOneEngine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.bxdb")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(path, filepath.Join(dir, "hard.bxdb")); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	rel, err := filepath.Rel(wd, path)
	if err != nil {
		t.Fatal(err)
	}
	base := openEngines()

	c1 := mustConnector(t, path+"?cache=1MiB")
	spellings := []string{
		path,
		rel,
		dir + "/./a.bxdb",
		filepath.Join(dir, "link", "a.bxdb"),
		filepath.Join(dir, "hard.bxdb"),
		"file:" + path + "?sync=off",
	}
	var cs []*Connector
	for _, dsn := range spellings {
		c := mustConnector(t, dsn)
		if c.se != c1.se {
			t.Errorf("%q opened a second engine", dsn)
		}
		cs = append(cs, c)
	}
	if got := openEngines(); got != base+1 {
		t.Fatalf("%d engines open, want %d", got, base+1)
	}
	if got := c1.se.refs; got != 1+len(spellings) {
		t.Fatalf("refs = %d, want %d", got, 1+len(spellings))
	}

	// A connection keeps the engine open after every connector closed.
	cn, err := c1.Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range append(cs, c1) {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c1.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	if _, err := c1.Connect(context.Background()); !errors.Is(err, ErrConnectorClosed) {
		t.Fatalf("Connect on a closed connector: %v, want ErrConnectorClosed", err)
	}
	if got := openEngines(); got != base+1 {
		t.Fatalf("%d engines open with a connection alive, want %d", got, base+1)
	}
	if err := cn.Close(); err != nil {
		t.Fatal(err)
	}
	if err := cn.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	if got := openEngines(); got != base {
		t.Fatalf("%d engines open after the last close, want %d", got, base)
	}

	// And it can be opened again.
	c := mustConnector(t, path)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRegistryModeConflict(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.bxdb")
	rw := mustConnector(t, path)
	if _, err := (&Driver{}).OpenConnector(path + "?mode=ro"); !errors.Is(err, ErrModeConflict) {
		t.Fatalf("mode=ro on a read-write engine: %v, want ErrModeConflict", err)
	}
	rw2 := mustConnector(t, path+"?mode=rw") // rw and rwc share
	rw2.Close()
	rw.Close()

	ro := mustConnector(t, path+"?mode=ro")
	defer ro.Close()
	ro2 := mustConnector(t, path+"?mode=ro")
	ro2.Close()
	for _, m := range []string{"", "?mode=rw", "?mode=rwc"} {
		if _, err := (&Driver{}).OpenConnector(path + m); !errors.Is(err, ErrModeConflict) {
			t.Fatalf("%q on a read-only engine: %v, want ErrModeConflict", m, err)
		}
	}
}

func TestRegistryMemoryIsPrivate(t *testing.T) {
	base := openEngines()
	a := mustConnector(t, ":memory:")
	b := mustConnector(t, "file::memory:")
	if a.se == b.se {
		t.Fatal("two :memory: connectors share an engine")
	}
	if got := openEngines(); got != base {
		t.Fatalf("memory engines are registered: %d, want %d", got, base)
	}
	cn, err := a.Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if a.se.refs != 2 {
		t.Fatalf("refs = %d, want 2", a.se.refs)
	}
	a.Close()
	cn.Close()
	b.Close()
	if a.se.refs != 0 || b.se.refs != 0 {
		t.Fatalf("refs after close = %d, %d", a.se.refs, b.se.refs)
	}
}

func TestDriverOpenOwnsConnector(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.bxdb")
	base := openEngines()
	cn, err := (&Driver{}).Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := openEngines(); got != base+1 {
		t.Fatalf("%d engines, want %d", got, base+1)
	}
	if err := cn.Close(); err != nil {
		t.Fatal(err)
	}
	if got := openEngines(); got != base {
		t.Fatalf("%d engines after Close, want %d", got, base)
	}
	if _, err := (&Driver{}).Open(path + "?bogus=1"); !errors.Is(err, ErrBadDSN) {
		t.Fatalf("Open with a bad DSN: %v", err)
	}
}
