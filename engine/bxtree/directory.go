package bxtree

import (
	"fmt"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// The directory is itself a bxtree, rooted at bedrock.RootLBA, mapping tree
// names to directory entries (format in doc.go). One mechanism serves both.

// dirEntryV1 is the version byte of a directory entry.
const dirEntryV1 = 1

// dirEntrySize is the length of a directory entry.
const dirEntrySize = 17

// payloadOf returns the store's payload size if bxtree supports it.
func payloadOf(tx *bedrock.Tx) (int, error) {
	p := tx.Store().PayloadSize()
	if p < minPayload || p > maxPayload {
		return 0, fmt.Errorf("%w: %d", ErrBlockSize, p)
	}
	return p, nil
}

// openDir returns a handle on the directory tree of tx's store.
func openDir(tx *bedrock.Tx) (*Tree, error) {
	p, err := payloadOf(tx)
	if err != nil {
		return nil, err
	}
	return newTree(tx, "", bedrock.RootLBA, &Options{Eager: true}, p), nil
}

// checkName validates a tree name against the key limit of d.
func checkName(d *Tree, name string) error {
	if name == "" || len(name) > d.maxKey {
		return fmt.Errorf("%w: %q", ErrName, name)
	}
	return nil
}

// lookup returns the root block and key check of tree name, or ok false.
func lookup(d *Tree, name string) (root bedrock.LBA, check [8]byte, ok bool, err error) {
	v, _, ok, err := d.Get([]byte(name))
	if err != nil || !ok {
		return 0, check, false, err
	}
	if len(v) != dirEntrySize || v[0] != dirEntryV1 {
		return 0, check, false, corruptf("directory entry %q: bad length %d or version", name, len(v))
	}
	root = bedrock.LBA(le64(v[1:]))
	if root == bedrock.RootLBA {
		return 0, check, false, corruptf("directory entry %q: root is the directory block", name)
	}
	copy(check[:], v[9:])
	return root, check, true, nil
}

// Create makes an empty tree called name and returns a handle on it. It
// fails with ErrExists if the name is taken and ErrName if it is empty or
// longer than MaxKeySize.
func Create(tx *bedrock.Tx, name string, o *Options) (*Tree, error) {
	d, err := openDir(tx)
	if err != nil {
		return nil, err
	}
	if err := d.beginWrite(); err != nil {
		return nil, err
	}
	if err := checkName(d, name); err != nil {
		return nil, err
	}
	_, _, ok, err := lookup(d, name)
	if err != nil {
		return nil, err
	}
	if ok {
		return nil, fmt.Errorf("%w: %q", ErrExists, name)
	}
	root, err := tx.Alloc()
	if err != nil {
		return nil, err
	}
	if err := tx.Put(root, newLeaf(root).encode()); err != nil {
		return nil, err
	}
	o = o.EnsureDefaults()
	v := make([]byte, dirEntrySize)
	v[0] = dirEntryV1
	put64(v[1:], uint64(root))
	kc := keyCheck(o.DigestKey)
	copy(v[9:], kc[:])
	if err := d.Put([]byte(name), 0, v); err != nil {
		return nil, err
	}
	return newTree(tx, name, root, o, d.payload), nil
}

// flushHandles writes what the handles on tree name hold unflushed in tx,
// so that a new handle reads it (Open) and nothing is written into the
// blocks of a dropped tree (Drop).
func flushHandles(tx *bedrock.Tx, name string) error {
	return tx.FlushDeferred(func(k any) bool {
		h, ok := k.(*Tree)
		return ok && h.name == name
	})
}

// Open returns a handle on the tree called name. It fails with ErrNotFound
// if there is none and ErrDigestKey if o.DigestKey is not the key the tree
// was created with.
func Open(tx *bedrock.Tx, name string, o *Options) (*Tree, error) {
	if err := flushHandles(tx, name); err != nil {
		return nil, err
	}
	d, err := openDir(tx)
	if err != nil {
		return nil, err
	}
	root, kc, ok, err := lookup(d, name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	o = o.EnsureDefaults()
	if keyCheck(o.DigestKey) != kc {
		return nil, fmt.Errorf("%w: %q", ErrDigestKey, name)
	}
	return newTree(tx, name, root, o, d.payload), nil
}

// Drop deletes the tree called name and frees all its blocks, overflow
// chains included. It fails with ErrNotFound if there is none. Handles on
// the tree must not be used afterwards.
func Drop(tx *bedrock.Tx, name string) error {
	if err := flushHandles(tx, name); err != nil {
		return err
	}
	d, err := openDir(tx)
	if err != nil {
		return err
	}
	if err := d.beginWrite(); err != nil {
		return err
	}
	root, _, ok, err := lookup(d, name)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	t := newTree(tx, name, root, nil, d.payload)
	if err := t.freeSubtree(root, -1); err != nil {
		return err
	}
	_, err = d.Delete([]byte(name))
	return err
}

// Names returns the names of all trees in key (byte) order.
func Names(tx *bedrock.Tx) ([]string, error) {
	d, err := openDir(tx)
	if err != nil {
		return nil, err
	}
	var names []string
	c := d.Cursor()
	for ok := c.First(); ok; ok = c.Next() {
		names = append(names, string(c.Key()))
	}
	return names, c.Err()
}

// freeSubtree frees block lba, every block below it and every overflow
// chain of its records. level is the expected level (-1: any, for a root).
// It reads each node but not the leaves' values. Drop's handle does not
// know the tree's digest key, so it validates only the layout of what it
// reads (readStructural).
func (t *Tree) freeSubtree(lba bedrock.LBA, level int) error {
	p, err := t.readStructural(lba)
	if err != nil {
		return err
	}
	if level >= 0 && int(p.level) != level {
		return corruptf("block %d: level %d, want %d", lba, p.level, level)
	}
	if p.leaf() {
		for i := 0; i < p.n; i++ {
			if _, _, first, vlen, spilled := p.record(i); spilled {
				if err := t.freeOverflow(first, vlen); err != nil {
					return err
				}
			}
		}
	} else {
		for i := 0; i < p.n; i++ {
			if err := t.freeSubtree(p.child(i), int(p.level)-1); err != nil {
				return err
			}
		}
	}
	t.stats.BlocksFreed++
	return t.tx.Free(lba)
}
