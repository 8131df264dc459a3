package sqlfront

import (
	"cmp"
	"context"
	"crypto/md5"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// A small sqllogictest runner that drives a Session directly (no driver),
// for fast feedback on the corpus in shared/slt beside the repository
// ($BXDB_SLT_DIR or -slt.dir elsewhere). The conformance
// package has the reference runner; this one renders values the same way
// for the value kinds the engine produces.
//
//	go test ./sqlfront -run TestSLTCorpusDirect -slt.full   (every file, every record)
//
// Without -slt.full it runs the first records of each corpus file.

var (
	sltFull  = flag.Bool("slt.full", false, "run the whole SLT corpus through the engine")
	sltDir   = flag.String("slt.dir", "", "SLT corpus directory (default $BXDB_SLT_DIR, else ../../shared/slt)")
	sltFiles = flag.String("slt.files", "", "comma-separated corpus files (relative to -slt.dir) to run")
)

// sltRec is one parsed record.
type sltRec struct {
	line     int
	kind     string // "statement", "query", "hash-threshold", "halt"
	errOK    bool
	sql      string
	types    string
	sortMode string
	label    string
	expected []string
	n        int
}

// parseSLTFile parses a corpus file.
func parseSLTFile(src string) []sltRec {
	var recs []sltRec
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); {
		if strings.TrimSpace(lines[i]) == "" || strings.HasPrefix(lines[i], "#") {
			i++
			continue
		}
		start := i
		var block []string
		for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
			if !strings.HasPrefix(lines[i], "#") {
				block = append(block, lines[i])
			}
			i++
		}
		skip := false
		for len(block) > 0 && (strings.HasPrefix(block[0], "skipif") || strings.HasPrefix(block[0], "onlyif")) {
			// The engine answers as mysql: skipif mysql and onlyif <other>
			// skip the record.
			if f := strings.Fields(block[0]); len(f) > 1 && strings.EqualFold(f[1], "mysql") == (f[0] == "skipif") {
				skip = true
			}
			block = block[1:]
		}
		if len(block) == 0 || skip {
			continue
		}
		f := strings.Fields(block[0])
		r := sltRec{line: start + 1, kind: f[0]}
		switch f[0] {
		case "statement":
			r.errOK = len(f) > 1 && f[1] == "error"
			r.sql = strings.Join(block[1:], "\n")
		case "query":
			r.types = f[1]
			if len(f) > 2 {
				r.sortMode = f[2]
			}
			if len(f) > 3 {
				r.label = f[3]
			}
			body := block[1:]
			for j, l := range body {
				if l == "----" {
					r.expected = body[j+1:]
					body = body[:j]
					break
				}
			}
			r.sql = strings.Join(body, "\n")
		case "hash-threshold":
			r.n, _ = strconv.Atoi(f[1])
		}
		recs = append(recs, r)
	}
	return recs
}

// sltRender renders a value for a column of type typ.
func sltRender(v Value, typ byte) string {
	if v.K == KindNull {
		return "NULL"
	}
	switch typ {
	case 'I':
		var i int64
		switch v.K {
		case KindInt:
			i = v.I
		case KindUint:
			i = int64(v.U)
		case KindFloat:
			i = int64(v.F)
		default:
			f, _ := strconv.ParseFloat(numericPrefix(Format(v)), 64)
			i = int64(f)
		}
		return strconv.FormatInt(int64(int32(i)), 10)
	case 'R':
		var f float64
		switch v.K {
		case KindInt, KindUint, KindFloat:
			f = ToFloat64(v)
		default:
			f, _ = strconv.ParseFloat(numericPrefix(Format(v)), 64)
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Sprint(f)
		}
		return strconv.FormatFloat(f, 'f', 3, 64)
	}
	s := Format(v)
	if s == "" {
		return "(empty)"
	}
	b := []byte(s)
	for i, c := range b {
		if c < ' ' || c > '~' {
			b[i] = '@'
		}
	}
	return string(b)
}

// numericPrefix returns the longest numeric prefix of s.
func numericPrefix(s string) string {
	s = strings.TrimSpace(s)
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	if i == 0 {
		return "0"
	}
	return s[:i]
}

// runSLT runs recs against a fresh engine; max limits the records (0: all).
func runSLT(t *testing.T, name string, recs []sltRec, max int) (queries, failed int) {
	e, err := Open(name, &Options{FS: bedrock.NewMemFS(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	threshold := 8
	ctx := context.Background()
	report := 0
	for n, r := range recs {
		if max > 0 && n >= max {
			break
		}
		fail := func(format string, args ...any) {
			failed++
			if report < 10 {
				report++
				t.Errorf("%s:%d: %s\n%s", name, r.line, fmt.Sprintf(format, args...), r.sql)
			}
		}
		switch r.kind {
		case "hash-threshold":
			threshold = r.n
		case "halt":
			return
		case "statement":
			st, err := s.Prepare(r.sql)
			if err == nil {
				_, err = s.Exec(ctx, st, nil)
			}
			if (err != nil) != r.errOK {
				fail("statement: err=%v, want error=%v", err, r.errOK)
			}
		case "query":
			queries++
			st, err := s.Prepare(r.sql)
			if err != nil {
				fail("prepare: %v", err)
				continue
			}
			rows, err := s.Query(ctx, st, nil)
			if err != nil {
				fail("query: %v", err)
				continue
			}
			var vals [][]string
			dst := make([]Value, len(rows.Columns()))
			for {
				err := rows.Next(dst)
				if err == io.EOF {
					break
				}
				if err != nil {
					fail("next: %v", err)
					break
				}
				row := make([]string, len(dst))
				for i, v := range dst {
					typ := byte('T')
					if i < len(r.types) {
						typ = r.types[i]
					}
					row[i] = sltRender(v, typ)
				}
				vals = append(vals, row)
			}
			rows.Close()
			switch r.sortMode {
			case "rowsort":
				sort.Slice(vals, func(i, j int) bool {
					for k := range vals[i] {
						if vals[i][k] != vals[j][k] {
							return vals[i][k] < vals[j][k]
						}
					}
					return false
				})
			}
			var flat []string
			for _, row := range vals {
				flat = append(flat, row...)
			}
			if r.sortMode == "valuesort" {
				sort.Strings(flat)
			}
			got := flat
			if len(flat) > threshold {
				h := md5.New()
				for _, v := range flat {
					io.WriteString(h, v+"\n")
				}
				got = []string{fmt.Sprintf("%d values hashing to %s", len(flat), hex.EncodeToString(h.Sum(nil)))}
			}
			if strings.Join(got, "\n") != strings.Join(r.expected, "\n") {
				fail("got %v\nwant %v", head(got, 12), head(r.expected, 12))
			}
		}
	}
	return queries, failed
}

// head returns the first n elements of s.
func head(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// TestSLTCorpusDirect runs the SLT corpus files through the engine.
func TestSLTCorpusDirect(t *testing.T) {
	if *sltDir == "" {
		*sltDir = cmp.Or(os.Getenv("BXDB_SLT_DIR"), filepath.Join("..", "..", "shared", "slt"))
	}
	manifest, err := os.ReadFile(filepath.Join(*sltDir, "MANIFEST"))
	if err != nil {
		// The corpus lives beside the repository (../shared/slt); CI must
		// have it, a bare checkout elsewhere may not (as in conformance:
		// CI set and not "0" or "false" makes its absence a failure).
		if ci := os.Getenv("CI"); ci != "" && ci != "0" && !strings.EqualFold(ci, "false") {
			t.Fatalf("no SLT corpus in CI (set BXDB_SLT_DIR?): %v", err)
		}
		t.Skipf("no SLT corpus (set BXDB_SLT_DIR or -slt.dir): %v", err)
	}
	var files []string
	if *sltFiles != "" {
		files = strings.Split(*sltFiles, ",")
	} else {
		for _, l := range strings.Split(string(manifest), "\n") {
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			files = append(files, strings.Split(l, "\t")[0])
		}
	}
	max := 400
	if *sltFull || *sltFiles != "" {
		max = 0
	}
	totalQ, totalF := 0, 0
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join(*sltDir, f))
		if err != nil {
			t.Fatal(err)
		}
		q, failed := runSLT(t, filepath.Base(filepath.Dir(f))+".bxdb", parseSLTFile(string(src)), max)
		t.Logf("%s: %d queries, %d failed", f, q, failed)
		totalQ += q
		totalF += failed
	}
	t.Logf("total: %d queries, %d failed", totalQ, totalF)
}
