package sqlfront

import (
	"bytes"
	"strings"
)

// Collations of string columns.
//
// A string column (CHAR, VARCHAR, TEXT, ENUM) has a collation, named in
// the catalog (typeDesc.Collation, "" for the default utf8mb4_0900_ai_ci)
// and carried by ColumnType.Collation. bxdb implements a collation by its
// behaviour class (Collation):
//
//	CollDefault   utf8mb4_0900_ai_ci and utf8mb4_0900_as_ci (NO PAD): the
//	              folded comparison at the top of compare.go (lower-cased;
//	              trailing spaces count)
//	CollCIPad     the other *_ci (utf8mb4_general_ci, utf8mb4_unicode_ci,
//	              latin1_swedish_ci, ...; PAD SPACE): the same after
//	              removing trailing spaces
//	CollBin       *_bin PAD SPACE (utf8mb4_bin, latin1_bin, ...): byte
//	              order after removing trailing spaces
//	CollBinNoPad  utf8mb4_0900_bin and binary: byte order
//	CollCS        *_cs PAD SPACE (latin1_general_cs): case-sensitive:
//	              the folded order, ties broken by the byte order of the
//	              case-swapped strings (so 'a' < 'A' < 'b', as in MySQL),
//	              trailing spaces ignored
//	CollCSNoPad   utf8mb4_0900_as_cs: the same, trailing spaces count
//
// Values read from a column with a non-default collation carry its class
// in Value.C, so Compare, GroupKey, ORDER BY and LIKE follow the column's
// collation. A COLLATE clause sets Value.C with collExplicit, which wins
// over a column's collation; a column's collation wins over a literal's
// (MySQL's coercibility: explicit 0 < column 2 < literal 4).

// Collation is a collation's behaviour class (see the top of
// collation.go), possibly flagged collExplicit.
type Collation uint8

// The collation classes.
const (
	CollDefault  Collation = 0
	CollBin      Collation = 1
	CollBinNoPad Collation = 2
	CollCS       Collation = 3
	CollCSNoPad  Collation = 4
	CollCIPad    Collation = 5
	// collExplicit marks a collation given by COLLATE (coercibility 0).
	collExplicit Collation = 0x80
)

// class returns c without the explicit flag.
func (c Collation) class() Collation { return c &^ collExplicit }

// binaryish reports whether the collation compares case-sensitively (LIKE
// then matches bytewise).
func (c Collation) binaryish() bool {
	return c.class() != CollDefault && c.class() != CollCIPad
}

// defaultCollation is the default collation of the default character set.
const defaultCollation = "utf8mb4_0900_ai_ci"

// charsetDefaults maps the supported character sets to their default
// collations.
var charsetDefaults = map[string]string{
	"utf8mb4": "utf8mb4_0900_ai_ci",
	"utf8mb3": "utf8mb3_general_ci",
	"latin1":  "latin1_swedish_ci",
	"ascii":   "ascii_general_ci",
	"binary":  "binary",
}

// knownCollations are the collations bxdb accepts (MySQL 8 names; utf8_*
// are the deprecated aliases of utf8mb3_*, normalized).
var knownCollations = toSet(`utf8mb4_0900_ai_ci utf8mb4_0900_as_ci
utf8mb4_0900_as_cs utf8mb4_0900_bin utf8mb4_bin utf8mb4_general_ci
utf8mb4_unicode_ci utf8mb4_unicode_520_ci utf8mb3_general_ci utf8mb3_bin
utf8mb3_unicode_ci utf8mb3_unicode_520_ci latin1_swedish_ci
latin1_general_ci latin1_general_cs latin1_bin ascii_general_ci ascii_bin
binary`)

// normalizeCharset lowercases a character set name and resolves the
// utf8 alias; ok is false for an unknown one.
func normalizeCharset(cs string) (string, bool) {
	cs = strings.ToLower(cs)
	if cs == "utf8" {
		cs = "utf8mb3"
	}
	_, ok := charsetDefaults[cs]
	return cs, ok
}

// normalizeCollation lowercases a collation name and resolves the utf8_
// aliases; ok is false for an unknown one.
func normalizeCollation(name string) (string, bool) {
	name = strings.ToLower(name)
	if rest, ok := strings.CutPrefix(name, "utf8_"); ok {
		name = "utf8mb3_" + rest
	}
	return name, knownCollations[name]
}

// collationCharset returns the character set of a (normalized) collation.
func collationCharset(name string) string {
	if name == "" {
		return "utf8mb4"
	}
	if name == "binary" {
		return "binary"
	}
	cs, _, _ := strings.Cut(name, "_")
	return cs
}

// collationClass returns the behaviour class of a collation name ("" is
// the default).
func collationClass(name string) Collation {
	switch {
	case name == "":
		return CollDefault
	case name == "utf8mb4_0900_bin", name == "binary":
		return CollBinNoPad
	case strings.HasSuffix(name, "_bin"):
		return CollBin
	case name == "utf8mb4_0900_as_cs":
		return CollCSNoPad
	case strings.HasSuffix(name, "_cs"):
		return CollCS
	case name == "utf8mb4_0900_ai_ci", name == "utf8mb4_0900_as_ci":
		return CollDefault
	}
	return CollCIPad
}

// errUnknownCollation is MySQL's error 1273.
func errUnknownCollation(name string) error {
	return NewSQLError(ErUnknownCollation, "Unknown collation: '%s'", name)
}

// errUnknownCharset is MySQL's error 1115.
func errUnknownCharset(name string) error {
	return NewSQLError(ErUnknownCharset, "Unknown character set: '%s'", name)
}

// resolveCollation returns the collation named by CHARACTER SET cs and
// COLLATE coll (either may be ""), or def when neither is given; binAttr
// is the BINARY type attribute (the character set's _bin collation).
// The result is normalized, with "" for utf8mb4_0900_ai_ci.
func resolveCollation(cs, coll string, binAttr bool, def string) (string, error) {
	var name string
	switch {
	case coll != "":
		n, ok := normalizeCollation(coll)
		if !ok {
			return "", errUnknownCollation(coll)
		}
		if cs != "" {
			c, ok := normalizeCharset(cs)
			if !ok {
				return "", errUnknownCharset(cs)
			}
			if collationCharset(n) != c {
				return "", NewSQLError(ErCollationCharsetMismatch, "COLLATION '%s' is not valid for CHARACTER SET '%s'", coll, cs)
			}
		}
		name = n
	case cs != "":
		c, ok := normalizeCharset(cs)
		if !ok {
			return "", errUnknownCharset(cs)
		}
		name = charsetDefaults[c]
		if binAttr && c != "binary" {
			name = c + "_bin"
		}
	case binAttr:
		name = collationCharset(def) + "_bin"
		if def == "binary" {
			name = "binary"
		}
	default:
		name = def
	}
	if name == defaultCollation {
		name = ""
	}
	return name, nil
}

// tableCollation returns a table's default collation from its options
// ([DEFAULT] CHARSET, COLLATE), normalized ("" for utf8mb4_0900_ai_ci).
func tableCollation(opts []TableOption) (string, error) {
	var cs, coll string
	for _, o := range opts {
		switch o.Name {
		case "charset":
			cs = o.Value
		case "collate":
			coll = o.Value
		}
	}
	if cs == "" && coll == "" {
		return "", nil
	}
	n, err := resolveCollation(cs, coll, false, "")
	if err != nil {
		return "", err
	}
	return n, nil
}

// displayCollation returns the name to show for a normalized collation.
func displayCollation(name string) string {
	if name == "" {
		return defaultCollation
	}
	return name
}

// hasCollation reports whether columns of type t have a collation.
func (t ColumnType) hasCollation() bool {
	switch t.Base {
	case TypeChar, TypeVarChar, TypeText, TypeEnum, TypeSet:
		return true
	}
	return false
}

// coll returns the collation class of t's values.
func (t ColumnType) coll() Collation {
	if t.Collation == "" || !t.hasCollation() {
		return CollDefault
	}
	return collationClass(t.Collation)
}

// pickCollation returns the collation of a comparison of two strings with
// classes a and b: an explicit one first, then a column's (non-default)
// one; of two columns' collations a _bin one wins over a _cs one (MySQL:
// mixing a _bin collation with a _ci or _cs one of the same character set
// uses the _bin one).
func pickCollation(a, b Collation) Collation {
	switch {
	case a&collExplicit != 0:
		return a.class()
	case b&collExplicit != 0:
		return b.class()
	case (a == CollCS || a == CollCSNoPad) && (b == CollBin || b == CollBinNoPad):
		return b
	case a != CollDefault:
		return a
	}
	return b
}

// compareColl compares two strings with collation class c.
func compareColl(c Collation, a, b string) int {
	switch c.class() {
	case CollBin:
		return strings.Compare(trimTrailingSpaces(a), trimTrailingSpaces(b))
	case CollBinNoPad:
		return strings.Compare(a, b)
	case CollCS:
		a, b = trimTrailingSpaces(a), trimTrailingSpaces(b)
		if r := collateCompare(a, b); r != 0 {
			return r
		}
		return compareSwapped(a, b)
	case CollCSNoPad:
		var abuf, bbuf [64]byte
		if r := bytes.Compare(appendLower(abuf[:0], a), appendLower(bbuf[:0], b)); r != 0 {
			return r
		}
		return compareSwapped(a, b)
	case CollCIPad:
		return collateCompare(trimTrailingSpaces(a), trimTrailingSpaces(b))
	}
	return collateCompare(a, b)
}

// swapCase swaps the case of ASCII letters; it is its own inverse.
func swapCase(c byte) byte {
	if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
		return c ^ 0x20
	}
	return c
}

// appendSwapped appends s with the case of its ASCII letters swapped.
func appendSwapped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = append(dst, swapCase(s[i]))
	}
	return dst
}

// compareSwapped compares a and b bytewise with the case of ASCII letters
// swapped: the lower case first, as MySQL's _cs collations order.
func compareSwapped(a, b string) int {
	for i := 0; i < min(len(a), len(b)); i++ {
		if x, y := swapCase(a[i]), swapCase(b[i]); x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return cmpInt64(int64(len(a)), int64(len(b)))
}

// compareStrings compares two KindString values by their collations.
func compareStrings(a, b Value) int {
	if a.C|b.C == 0 {
		return collateCompare(a.S, b.S)
	}
	return compareColl(pickCollation(a.C, b.C), a.S, b.S)
}

// appendCollKey appends the equality key of s under collation class c
// (GroupKey): equal keys exactly when compareColl is 0.
func appendCollKey(dst []byte, c Collation, s string) []byte {
	switch c.class() {
	case CollBin, CollCS:
		return append(dst, trimTrailingSpaces(s)...)
	case CollBinNoPad, CollCSNoPad:
		return append(dst, s...)
	case CollCIPad:
		return appendFold(dst, trimTrailingSpaces(s))
	}
	return appendFold(dst, s)
}

// withCollation tags a string value with collation class c.
func withCollation(v Value, c Collation) Value {
	if v.K == KindString {
		v.C = c
	}
	return v
}

// tagCollations sets the collation class of the string values of t's
// columns with a non-default collation in row (ordinal layout).
func tagCollations(t *table, row []Value) {
	for i, c := range t.colls {
		if c != CollDefault && i < len(row) && row[i].K == KindString {
			row[i].C = c
		}
	}
}

// applyCollation gives a new column of type ct (parsed as d) its
// collation: CHARACTER SET / COLLATE / BINARY, else the table's default
// tableColl. CHARACTER SET binary makes a string type binary, as in MySQL
// (VARCHAR becomes VARBINARY). Non-string types keep no collation.
func applyCollation(ct ColumnType, d DDLColumnType, tableColl string) (ColumnType, error) {
	if !ct.hasCollation() {
		return ct, nil
	}
	name, err := resolveCollation(d.Charset, d.Collate, d.Binary, tableColl)
	if err != nil {
		return ct, err
	}
	if name == "binary" && ct.Base != TypeEnum && ct.Base != TypeSet {
		switch ct.Base {
		case TypeChar:
			ct.Base = TypeBinary
		case TypeVarChar:
			ct.Base = TypeVarBinary
		case TypeText:
			ct.Base = TypeBlob
		}
		return ct, nil
	}
	ct.Collation = name
	return ct, nil
}

// descCollation returns the default collation of a stored table (its
// options were checked when it was created; an unknown one reads as the
// default).
func descCollation(d *tableDesc) string {
	n, err := tableCollation(d.Options)
	if err != nil {
		return ""
	}
	return n
}

// setTableOption returns opts with o replacing the option of the same
// name (appended if absent). Setting the character set alone drops a
// COLLATE of another character set, and setting the collation alone a
// CHARSET of another one (the collation implies its character set).
func setTableOption(opts []TableOption, o TableOption) []TableOption {
	out := make([]TableOption, 0, len(opts)+1)
	for _, x := range opts {
		if x.Name == o.Name {
			continue
		}
		cs, coll := o.Value, x.Value
		if o.Name == "collate" {
			cs, coll = x.Value, o.Value
		}
		if o.Name == "charset" && x.Name == "collate" || o.Name == "collate" && x.Name == "charset" {
			if n, ok := normalizeCollation(coll); ok {
				if c, ok := normalizeCharset(cs); ok && collationCharset(n) != c {
					continue
				}
			}
		}
		out = append(out, x)
	}
	return append(out, o)
}
