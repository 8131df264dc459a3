package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bxdb/bxdb/sqlfront"
)

// render formats one value for display in a table cell; typ is the
// column's database type name ("DATE", "DATETIME", ...; "" if unknown),
// which tells a DATETIME at midnight from a DATE.
func render(v any, typ string) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return displayText(x)
	case []byte:
		// Binary columns: text if it reads as text, else hexadecimal.
		if utf8.Valid(x) && strings.IndexFunc(string(x), func(r rune) bool {
			return r < ' ' && r != '\t' && r != '\n' && r != '\r' || r == 0x7f
		}) < 0 {
			return displayText(string(x))
		}
		return fmt.Sprintf("0x%X", x)
	case time.Time:
		if typ == "DATE" || typ == "" && x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		if x.Nanosecond() != 0 {
			return x.Format("2006-01-02 15:04:05.999999")
		}
		return x.Format("2006-01-02 15:04:05")
	case float64:
		return sqlfront.Format(sqlfront.FloatValue(x)) // as MySQL prints a DOUBLE: 1260000, not 1.26e+06
	default:
		return displayText(fmt.Sprint(x))
	}
}

// displayText makes s safe to print on one line of a table: control
// characters become visible escapes (\n, \r, \t, \0, \xHH for the other
// C0 controls and DEL, \uHHHH for C1 controls, invisible format characters
// such as bidirectional overrides and zero width spaces, and the line and
// paragraph separators), and each byte of invalid UTF-8 becomes \xHH. A
// terminal therefore never sees an escape sequence from the data. The zero
// width joiner stays, as it joins emoji sequences. Backslashes are left
// alone, so a text holding a backslash and an n looks like one holding a
// newline.
func displayText(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || needsEscape(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == 0:
			b.WriteString(`\0`)
		case r < 0x80 && needsEscape(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// needsEscape reports whether r must not reach the terminal as is: it
// controls the terminal, or it is invisible (and might reorder or hide
// what follows).
func needsEscape(r rune) bool {
	switch {
	case r >= ' ' && r < 0x7f:
		return false
	case r < ' ' || r == 0x7f || r >= 0x80 && r < 0xa0:
		return true // C0 and C1 controls, DEL
	case r == 0x2028 || r == 0x2029:
		return true // line and paragraph separators
	}
	return r != 0x200d && unicode.Is(unicode.Cf, r)
}

// displayWidth returns how many terminal cells s (as displayText returns
// it) occupies: two for each East Asian Wide or Fullwidth character and
// emoji, none for combining marks and the zero width joiner, one for the
// rest.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

// runeWidth returns the cells r occupies.
func runeWidth(r rune) int {
	switch {
	case r < 0x300:
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) || r >= 0x1160 && r <= 0x11ff:
		return 0 // combining marks, format characters, Hangul medial vowels and final consonants
	case inRanges(r, wideRanges):
		return 2
	}
	return 1
}

// wideRanges are the East Asian Wide (W) and Fullwidth (F) characters of
// Unicode 15 and the emoji shown two cells wide, slightly coarsened
// (unassigned code points inside a block count as wide), in order.
var wideRanges = [][2]rune{
	{0x1100, 0x115f}, // Hangul Jamo initial consonants
	{0x231a, 0x231b}, // watch, hourglass
	{0x2329, 0x232a}, // angle brackets
	{0x23e9, 0x23ec},
	{0x23f0, 0x23f0},
	{0x23f3, 0x23f3},
	{0x25fd, 0x25fe},
	{0x2614, 0x2615},
	{0x2648, 0x2653}, // zodiac
	{0x267f, 0x267f},
	{0x2693, 0x2693},
	{0x26a1, 0x26a1},
	{0x26aa, 0x26ab},
	{0x26bd, 0x26be},
	{0x26c4, 0x26c5},
	{0x26ce, 0x26ce},
	{0x26d4, 0x26d4},
	{0x26ea, 0x26ea},
	{0x26f2, 0x26f3},
	{0x26f5, 0x26f5},
	{0x26fa, 0x26fa},
	{0x26fd, 0x26fd},
	{0x2705, 0x2705},
	{0x270a, 0x270b},
	{0x2728, 0x2728},
	{0x274c, 0x274c},
	{0x274e, 0x274e},
	{0x2753, 0x2755},
	{0x2757, 0x2757},
	{0x2795, 0x2797},
	{0x27b0, 0x27b0},
	{0x27bf, 0x27bf},
	{0x2b1b, 0x2b1c},
	{0x2b50, 0x2b50},
	{0x2b55, 0x2b55},
	{0x2e80, 0x303e},   // CJK radicals, Kangxi radicals, ideographic description, CJK symbols and punctuation
	{0x3041, 0x33ff},   // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK strokes, enclosed CJK, CJK compatibility
	{0x3400, 0x4dbf},   // CJK extension A
	{0x4e00, 0x9fff},   // CJK unified ideographs
	{0xa000, 0xa4cf},   // Yi
	{0xa960, 0xa97f},   // Hangul Jamo extended A
	{0xac00, 0xd7a3},   // Hangul syllables
	{0xf900, 0xfaff},   // CJK compatibility ideographs
	{0xfe10, 0xfe19},   // vertical forms
	{0xfe30, 0xfe6f},   // CJK compatibility forms, small form variants
	{0xff00, 0xff60},   // fullwidth forms
	{0xffe0, 0xffe6},   // fullwidth signs
	{0x16fe0, 0x16fe4}, // ideographic symbols
	{0x17000, 0x18cff}, // Tangut, Khitan
	{0x1b000, 0x1b2ff}, // Kana supplement and extensions, Nushu
	{0x1f004, 0x1f004},
	{0x1f0cf, 0x1f0cf},
	{0x1f18e, 0x1f18e},
	{0x1f191, 0x1f19a},
	{0x1f200, 0x1f2ff}, // enclosed ideographic supplement
	{0x1f300, 0x1f64f}, // miscellaneous symbols and pictographs, emoticons
	{0x1f680, 0x1f6ff}, // transport and map symbols
	{0x1f7e0, 0x1f7eb}, // coloured circles and squares
	{0x1f90c, 0x1f9ff}, // supplemental symbols and pictographs
	{0x1fa70, 0x1faff}, // symbols and pictographs extended A
	{0x20000, 0x2fffd}, // CJK extensions B to F, compatibility supplement
	{0x30000, 0x3fffd}, // CJK extensions G, H
}

// inRanges reports whether r is in one of the sorted ranges.
func inRanges(r rune, ranges [][2]rune) bool {
	lo, hi := 0, len(ranges)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case r < ranges[m][0]:
			hi = m
		case r > ranges[m][1]:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}

// printTable prints rows aligned under their headers. Cells are displayed
// as render and displayText made them.
func printTable(w io.Writer, cols []string, rows [][]string) {
	head := make([]string, len(cols))
	width := make([]int, len(cols))
	for i, c := range cols {
		head[i] = displayText(c)
		width[i] = displayWidth(head[i])
	}
	for _, r := range rows {
		for i, v := range r {
			width[i] = max(width[i], displayWidth(v))
		}
	}
	sep := "+"
	for _, n := range width {
		sep += strings.Repeat("-", n+2) + "+"
	}
	b := bufio.NewWriter(w)
	line := func(vals []string) {
		b.WriteString("|")
		for i, v := range vals {
			b.WriteString(" " + v + strings.Repeat(" ", width[i]-displayWidth(v)) + " |")
		}
		b.WriteString("\n")
	}
	b.WriteString(sep + "\n")
	line(head)
	b.WriteString(sep + "\n")
	for _, r := range rows {
		line(r)
	}
	b.WriteString(sep + "\n")
	b.Flush()
}
