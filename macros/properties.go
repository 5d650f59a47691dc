package macros

import (
	"strings"

	"github.com/kinit/kinit/internal/javaprops"
)

// Override sets one property from the environment.
type Override struct {
	Var    string // the environment variable, e.g. KAFKA_ADVERTISED_LISTENERS
	Key    string // the property, e.g. advertised.listeners
	Value  string
	File   string // set when the value was read from Var (a NAME_FILE variable)
	Secret bool   // never printed
	Known  bool   // Key is in the service's known-key list
	// Drop, when set, says why Key must not be set at all: its lines
	// become a comment giving the reason, and nothing is appended.
	Drop string
}

// ApplyOverrides replaces the keys that text already sets (every occurrence,
// in place, so comments and order stay) and appends the others at the end,
// in the order given.
func ApplyOverrides(text string, ovs []Override) string {
	if len(ovs) == 0 {
		return text
	}
	lines := javaprops.Lines(text)
	used := make([]bool, len(ovs))
	byKey := map[string]int{}
	for i, o := range ovs {
		byKey[o.Key] = i
	}
	var b strings.Builder
	for _, l := range lines {
		if i, ok := byKey[l.Key]; ok && l.Entry && l.Key != "" {
			used[i] = true
			if ovs[i].Drop != "" {
				b.WriteString("# " + l.Key + " left out: " + ovs[i].Drop + "\n")
				continue
			}
			b.WriteString(javaprops.EscapeKey(ovs[i].Key) + "=" + javaprops.EscapeValue(ovs[i].Value) + "\n")
			continue
		}
		writeLine(&b, l)
	}
	for i, o := range ovs {
		if !used[i] && o.Drop == "" {
			b.WriteString(javaprops.EscapeKey(o.Key) + "=" + javaprops.EscapeValue(o.Value) + "\n")
		}
	}
	return b.String()
}

// writeLine copies a line as it was written, ending the text's last line.
func writeLine(b *strings.Builder, l javaprops.Line) {
	b.WriteString(l.Raw)
	if !strings.HasSuffix(l.Raw, "\n") && !strings.HasSuffix(l.Raw, "\r") {
		b.WriteByte('\n')
	}
}
