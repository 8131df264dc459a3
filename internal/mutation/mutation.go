// Package mutation holds what the mutation tests share: they damage the
// seeds of a fuzz target at random, thousands of times, and run the
// target's own checks on each, so that the default test run meets inputs
// the fuzzer would (a seed corpus alone does not). Only tests import it.
package mutation

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// Env names the variable that replays a run with a logged seed.
const Env = "BXDB_MUTATION_SEED"

// Seed returns the seed of a run, from Env or else the clock, and logs it.
func Seed(t testing.TB) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv(Env), 10, 64); err == nil {
		seed = v
	}
	t.Logf("seed %d (replay with %s=%d)", seed, Env, seed)
	return seed
}

// Bytes returns a copy of s with one to four bytes overwritten, a quarter
// of them with a value at an edge (0, 0xff, 0x7f, 0x80, 1), and one time
// in eight cut short.
func Bytes(rng *rand.Rand, s []byte) []byte {
	b := append([]byte(nil), s...)
	for k := 0; k < 1+rng.IntN(4) && len(b) > 0; k++ {
		v := byte(rng.Uint32())
		if rng.IntN(4) == 0 {
			v = []byte{0, 0xff, 0x7f, 0x80, 1}[rng.IntN(5)]
		}
		b[rng.IntN(len(b))] = v
	}
	if rng.IntN(8) == 0 {
		b = b[:rng.IntN(len(b)+1)]
	}
	return b
}

// Text returns s with one to three edits: a byte overwritten, one of
// pieces spliced in, a byte dropped, or (one edit in eight) the rest cut.
func Text(rng *rand.Rand, s string, pieces []string) string {
	b := []byte(s)
	for k := 0; k < 1+rng.IntN(3); k++ {
		p := rng.IntN(len(b) + 1)
		switch op := rng.IntN(8); {
		case op < 3:
			b = append(b[:p:p], append([]byte(pieces[rng.IntN(len(pieces))]), b[p:]...)...)
		case op < 5 && p < len(b):
			b[p] = byte(rng.Uint32())
		case op < 7 && p < len(b):
			b = append(b[:p:p], b[p+1:]...)
		case op == 7:
			b = b[:p]
		}
	}
	return string(b)
}
