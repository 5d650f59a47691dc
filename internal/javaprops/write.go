package javaprops

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// EscapeKey escapes a property key so that Lines reads it back unchanged.
func EscapeKey(k string) string { return escape(k, true) }

// EscapeValue escapes a property value: backslashes, line breaks, a leading
// space, and everything outside printable ASCII as \uXXXX (Kafka and
// ZooKeeper read their files as ISO-8859-1).
func EscapeValue(v string) string { return escape(v, false) }

func escape(s string, key bool) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == ' ' && (key || i == 0):
			b.WriteString(`\ `)
		case key && (r == '=' || r == ':' || r == '#' || r == '!'):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r > 0x7e || r == utf8.RuneError:
			if r > 0xffff {
				r -= 0x10000
				fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
