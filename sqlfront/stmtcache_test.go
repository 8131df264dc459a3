package sqlfront

import (
	"fmt"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// TestParseCacheAcrossEngines runs the same statement texts, which the
// process-wide parse cache shares, alternately on two engines whose
// tables of the same name differ in column order, key and contents: every
// plan a Stmt caches must be rebuilt for the other engine's table, never
// reused.
func TestParseCacheAcrossEngines(t *testing.T) {
	open := func(create string) *Session {
		e, err := Open("test.bxdb", &Options{FS: bedrock.NewMemFS()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		s := e.NewSession()
		execSQL(t, s, create)
		return s
	}
	a := open("CREATE TABLE pc (id INT PRIMARY KEY, v VARCHAR(20), w INT)")
	b := open("CREATE TABLE pc (w INT, v VARCHAR(20), id BIGINT NOT NULL, k INT AUTO_INCREMENT PRIMARY KEY, UNIQUE KEY (id))")
	sessions := []*Session{a, b}
	for i := 1; i <= 20; i++ {
		for j, s := range sessions {
			execSQL(t, s, "INSERT INTO pc (id, v, w) VALUES (?, ?, ?)", IntValue(int64(i)), StringValue(fmt.Sprintf("e%d-%d", j, i)), IntValue(int64(100*j+i)))
		}
	}
	for i := 1; i <= 20; i++ {
		for j, s := range sessions {
			if i%3 == 0 {
				execSQL(t, s, "UPDATE pc SET w = w + ? WHERE id = ?", IntValue(1000), IntValue(int64(i)))
			}
			if i%5 == 0 {
				execSQL(t, s, "DELETE FROM pc WHERE id = ?", IntValue(int64(i)))
			}
			got := querySQL(t, s, "SELECT v, w FROM pc WHERE id = ?", IntValue(int64(i)))
			want := fmt.Sprint([][]string{{fmt.Sprintf("e%d-%d", j, i), fmt.Sprint(100*j + i + map[bool]int{true: 1000}[i%3 == 0])}})
			if i%5 == 0 {
				want = "[]"
			}
			if fmt.Sprint(got) != want {
				t.Fatalf("engine %d, id %d: got %v, want %v", j, i, got, want)
			}
		}
	}
	for j, s := range sessions {
		got := querySQL(t, s, "SELECT COUNT(*), SUM(w) FROM pc")
		sum := 0
		for i := 1; i <= 20; i++ {
			if i%5 != 0 {
				sum += 100*j + i + map[bool]int{true: 1000}[i%3 == 0]
			}
		}
		if want := fmt.Sprint([][]string{{"16", fmt.Sprint(sum)}}); fmt.Sprint(got) != want {
			t.Fatalf("engine %d: got %v, want %v", j, got, want)
		}
	}
}
