package macros

import (
	"regexp"
	"sort"
	"strings"

	"github.com/kinit/kinit/internal/javaprops"
)

// Mask replaces a secret wherever kinit prints it.
const Mask = "******"

var reSecretKey = regexp.MustCompile(`(?i)(password|passwd|secret|token|credential|jaas\.config|api\.?key|private\.key|user\.info|(^|\.)key$)`)

// IsSecretKey reports whether a property or variable name holds a secret
// (names are compared with '_' read as '.').
func IsSecretKey(name string) bool {
	return reSecretKey.MatchString(strings.ReplaceAll(name, "_", "."))
}

// Masker hides secret values in printed text.
type Masker struct {
	values []string
}

// Add registers a secret value (empty and very short values are ignored:
// masking "1" would garble everything).
func (m *Masker) Add(v string) {
	if len(v) < 3 {
		return
	}
	m.values = append(m.values, v)
	sort.Slice(m.values, func(i, j int) bool { return len(m.values[i]) > len(m.values[j]) })
}

// String masks every registered value in s.
func (m *Masker) String(s string) string {
	for _, v := range m.values {
		s = strings.ReplaceAll(s, v, Mask)
	}
	return s
}

// Properties masks the values of secret keys in properties text, then every
// registered value.
func (m *Masker) Properties(text string) string {
	var b strings.Builder
	for _, l := range javaprops.Lines(text) {
		if l.Entry && l.Key != "" && IsSecretKey(l.Key) {
			b.WriteString(javaprops.EscapeKey(l.Key) + "=" + Mask + "\n")
			continue
		}
		writeLine(&b, l)
	}
	return m.String(b.String())
}

// Env masks the values of secret-looking variables in "K=V" form.
func (m *Masker) Env(name, value string) string {
	if IsSecretKey(name) {
		return Mask
	}
	return m.String(value)
}
