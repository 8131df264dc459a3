package bxtree_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/bxdb/bxdb/engine/bedrock"
	"github.com/bxdb/bxdb/engine/bxtree"
)

// Example loads a tree in one transaction (default options: the handle
// writes its nodes once, when the transaction commits), then reads it on
// a snapshot: a point get, a range scan, and the count and digest of an
// interval, which cost O(log n) block reads whatever its size.
func Example() {
	dir, err := os.MkdirTemp("", "bxtree-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := bedrock.Open(filepath.Join(dir, "kv.bedrock"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	tx, _ := s.Begin(true)
	tr, err := bxtree.Create(tx, "users", nil)
	if err != nil {
		log.Fatal(err)
	}
	for i := 0; i < 1000; i++ {
		key := fmt.Appendf(nil, "user%04d", i)
		if err := tr.Put(key, 1, fmt.Appendf(nil, "name %d", i)); err != nil {
			log.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil { // flushes the handle, then commits durably
		log.Fatal(err)
	}

	r, _ := s.Begin(false) // a snapshot: never blocks writers
	defer r.Rollback()
	tr, err = bxtree.Open(r, "users", nil)
	if err != nil {
		log.Fatal(err)
	}
	v, version, ok, _ := tr.Get([]byte("user0042"))
	fmt.Printf("get: %s (version %d, %v)\n", v, version, ok)
	c := tr.Range([]byte("user0100"), []byte("user0103"))
	for ok := c.First(); ok; ok = c.Next() {
		fmt.Printf("scan: %s = %s\n", c.Key(), c.Value())
	}
	n, _ := tr.Count([]byte("user0100"), []byte("user0600"))
	sum, _ := tr.Summary(nil, nil)
	fmt.Printf("count [user0100, user0600): %d; whole tree: %d records\n", n, sum.Count)
	// Output:
	// get: name 42 (version 1, true)
	// scan: user0100 = name 100
	// scan: user0101 = name 101
	// scan: user0102 = name 102
	// count [user0100, user0600): 500; whole tree: 1000 records
}
