package sqlfront

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// dump renders a parse result as indented text for the data-driven tests:
// zero fields are omitted, sqlparser nodes print as their type and SQL, a
// struct whose fields are all scalars prints on one line.
func dump(v any) string {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(v), 0)
	return b.String()
}

// sqlNodeType is the reflect type of sqlparser.SQLNode.
var sqlNodeType = reflect.TypeFor[sqlparser.SQLNode]()

// stringerType is the reflect type of fmt.Stringer.
var stringerType = reflect.TypeFor[fmt.Stringer]()

// dumpValue writes v at the given indentation depth.
func dumpValue(b *strings.Builder, v reflect.Value, depth int) {
	if !v.IsValid() {
		b.WriteString("nil")
		return
	}
	if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
		b.WriteString("nil")
		return
	}
	if v.Type().Implements(sqlNodeType) && v.Kind() != reflect.Interface {
		n := v.Interface().(sqlparser.SQLNode)
		fmt.Fprintf(b, "%T(%s)", n, sqlparser.String(n))
		return
	}
	switch v.Kind() {
	case reflect.Interface:
		dumpValue(b, v.Elem(), depth)
	case reflect.Pointer:
		fmt.Fprintf(b, "&%s", v.Elem().Type().Name())
		dumpValue(b, v.Elem(), depth)
	case reflect.Struct:
		dumpStruct(b, v, depth)
	case reflect.Slice:
		if v.Len() == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i := range v.Len() {
			b.WriteString(strings.Repeat("  ", depth+1))
			dumpValue(b, v.Index(i), depth+1)
			b.WriteString("\n")
		}
		b.WriteString(strings.Repeat("  ", depth) + "]")
	case reflect.String:
		b.WriteString(strconv.Quote(v.String()))
	default:
		if v.Type().Implements(stringerType) {
			b.WriteString(v.Interface().(fmt.Stringer).String())
			return
		}
		fmt.Fprintf(b, "%v", v.Interface())
	}
}

// dumpStruct writes the non-zero fields of a struct.
func dumpStruct(b *strings.Builder, v reflect.Value, depth int) {
	var fields []int
	flat := true
	for i := range v.NumField() {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() || f.IsZero() {
			continue
		}
		fields = append(fields, i)
		switch f.Kind() {
		case reflect.Struct, reflect.Slice, reflect.Pointer, reflect.Interface:
			flat = false
		}
	}
	if flat {
		b.WriteString("{")
		for k, i := range fields {
			if k > 0 {
				b.WriteString(", ")
			}
			b.WriteString(v.Type().Field(i).Name + ": ")
			dumpValue(b, v.Field(i), depth)
		}
		b.WriteString("}")
		return
	}
	b.WriteString("{\n")
	for _, i := range fields {
		b.WriteString(strings.Repeat("  ", depth+1) + v.Type().Field(i).Name + ": ")
		dumpValue(b, v.Field(i), depth+1)
		b.WriteString("\n")
	}
	b.WriteString(strings.Repeat("  ", depth) + "}")
}
