package macros

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Java properties as java.util.Properties.load reads them (ISO-8859-1, which
// is how Kafka and ZooKeeper load their files): comments start with # or !,
// a key ends at the first unescaped '=', ':' or white space, a line ending in
// an odd number of backslashes continues on the next line.

// propLine is one logical line of a properties file: one or more physical
// lines, and the key it sets ("" for comments and blank lines).
type propLine struct {
	text string // the physical lines, joined with "\n"
	key  string
}

func splitProperties(text string) []propLine {
	phys := strings.Split(text, "\n")
	if len(phys) > 0 && phys[len(phys)-1] == "" {
		phys = phys[:len(phys)-1]
	}
	var out []propLine
	for i := 0; i < len(phys); i++ {
		start := i
		trimmed := strings.TrimLeft(phys[i], " \t\f")
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == '!' {
			out = append(out, propLine{text: phys[i]})
			continue
		}
		for continues(phys[i]) && i+1 < len(phys) {
			i++
		}
		out = append(out, propLine{text: strings.Join(phys[start:i+1], "\n"), key: parseKey(trimmed)})
	}
	return out
}

func continues(line string) bool {
	n := 0
	for i := len(line) - 1; i >= 0 && line[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// parseKey reads the key at the start of a non-comment line and unescapes it.
func parseKey(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 'f':
				b.WriteByte('\f')
			case 'u':
				if i+4 < len(s) {
					var r rune
					if _, err := fmt.Sscanf(s[i+1:i+5], "%04x", &r); err == nil {
						b.WriteRune(r)
						i += 4
						continue
					}
				}
				b.WriteByte('u')
			default:
				b.WriteByte(s[i])
			}
		case c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f':
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// EscapeKey escapes a property key for a properties file.
func EscapeKey(k string) string { return escape(k, true) }

// EscapeValue escapes a property value: backslashes, line breaks, a leading
// space, and everything outside printable ASCII as \uXXXX (the files are read
// as ISO-8859-1).
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

// Override sets one property from the environment.
type Override struct {
	Var    string // the environment variable, e.g. KAFKA_ADVERTISED_LISTENERS
	Key    string // the property, e.g. advertised.listeners
	Value  string
	File   string // set when the value was read from Var (a NAME_FILE variable)
	Secret bool   // never printed
	Known  bool   // Key is in the service's known-key list
}

// ApplyOverrides replaces the keys that text already sets (every occurrence,
// in place, so comments and order stay) and appends the others at the end,
// in the order given.
func ApplyOverrides(text string, ovs []Override) string {
	if len(ovs) == 0 {
		return text
	}
	lines := splitProperties(text)
	used := make([]bool, len(ovs))
	byKey := map[string]int{}
	for i, o := range ovs {
		byKey[o.Key] = i
	}
	var b strings.Builder
	for _, l := range lines {
		if i, ok := byKey[l.key]; ok && l.key != "" {
			used[i] = true
			b.WriteString(EscapeKey(ovs[i].Key) + "=" + EscapeValue(ovs[i].Value) + "\n")
			continue
		}
		b.WriteString(l.text + "\n")
	}
	for i, o := range ovs {
		if !used[i] {
			b.WriteString(EscapeKey(o.Key) + "=" + EscapeValue(o.Value) + "\n")
		}
	}
	return b.String()
}
