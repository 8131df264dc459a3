package sqlfront

import (
	"fmt"
	"math"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// This file holds the functions that write formats and amounts for
// people: GET_FORMAT, and the Performance Schema's FORMAT_BYTES and
// FORMAT_PICO_TIME (MySQL 8.0.16).

// getFormats are GET_FORMAT's DATE_FORMAT patterns by name, for DATE,
// DATETIME (and TIMESTAMP) and TIME: MySQL's known_date_time_formats.
var getFormats = map[string][3]string{
	"USA":      {"%m.%d.%Y", "%Y-%m-%d %H.%i.%s", "%h:%i:%s %p"},
	"JIS":      {"%Y-%m-%d", "%Y-%m-%d %H:%i:%s", "%H:%i:%s"},
	"ISO":      {"%Y-%m-%d", "%Y-%m-%d %H:%i:%s", "%H:%i:%s"},
	"EUR":      {"%d.%m.%Y", "%Y-%m-%d %H.%i.%s", "%H.%i.%s"},
	"INTERNAL": {"%Y%m%d", "%Y%m%d%H%i%s", "%H%i%s"},
}

// getFormatTypes index getFormats' patterns by GET_FORMAT's first
// argument, a keyword the pinned parser reads as a column name.
var getFormatTypes = map[string]int{"date": 0, "datetime": 1, "timestamp": 1, "time": 2}

// unit is a unit of FORMAT_BYTES or FORMAT_PICO_TIME: its size in bytes
// or picoseconds, and its name.
type unit struct {
	size float64
	name string
}

// byteUnits and picoUnits are the units of FORMAT_BYTES and
// FORMAT_PICO_TIME, largest first.
var (
	byteUnits = []unit{{1 << 60, "EiB"}, {1 << 50, "PiB"}, {1 << 40, "TiB"}, {1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}}
	picoUnits = []unit{{86400e12, "d"}, {3600e12, "h"}, {60e12, "min"}, {1e12, "s"}, {1e9, "ms"}, {1e6, "us"}, {1e3, "ns"}}
)

// init registers the formatting functions.
func init() {
	registerFuncs([]*funcDef{
		{name: "get_format", min: 2, max: 2, build: func(c *compiler, raw []sqlparser.Expr) (Expr, error) {
			typ, ok := raw[0].(*sqlparser.ColName)
			if !ok || !typ.Qualifier.IsEmpty() {
				return nil, syntaxError(exprText(raw[0]))
			}
			i, ok := getFormatTypes[typ.Name.Lowered()]
			if !ok {
				return nil, syntaxError(typ.Name.String())
			}
			x, err := c.compile(raw[1])
			if err != nil {
				return nil, err
			}
			def := &funcDef{name: "get_format", flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
				s, _ := strOf(a[0])
				f, ok := getFormats[strings.ToUpper(s)]
				if !ok {
					return Null, nil
				}
				return StringValue(f[i]), nil
			}}
			return c.fold(&callExpr{def: def, args: []Expr{x}}), nil
		}},
		{name: "format_bytes", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			return StringValue(formatUnits(ToFloat64(a[0]), byteUnits, "%4d bytes")), nil
		}},
		{name: "format_pico_time", min: 1, max: 1, flags: fNullIn, eval: func(_ *Env, a []Value) (Value, error) {
			return StringValue(formatUnits(ToFloat64(a[0]), picoUnits, "%3d ps")), nil
		}},
	})
}

// formatUnits writes v as MySQL's Performance Schema functions do: in the
// largest of units (largest first) that |v| reaches, with two decimals
// (in scientific notation from 100000 on), else as a whole number with
// the printf format small.
func formatUnits(v float64, units []unit, small string) string {
	for _, u := range units {
		if math.Abs(v) < u.size {
			continue
		}
		x := v / u.size
		if math.Abs(x) >= 100000 {
			return fmt.Sprintf("%4.2e %s", x, u.name)
		}
		return fmt.Sprintf("%4.2f %s", x, u.name)
	}
	return fmt.Sprintf(small, int(v)) // C's (int) cast truncates
}
