package macros

import (
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/kinit/kinit/internal/javaprops"
	"github.com/kinit/kinit/roles"
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

// secretMode is the most a file holding a secret may grant: its owner
// (the service) reads it, nobody else.
const secretMode = 0o600

// guardSecret narrows a rendered file that holds a secret (a secret
// override such as a _FILE value, a secret-looking key with a value, or a
// JAAS file) to secretMode and, when the template names no owner, gives it
// to the service's user and group so the service can still read it.
func (b *builder) guardSecret(f *File, t *roles.Template, svc *Service) {
	if !holdsSecret(f, t, svc) {
		return
	}
	f.Mode = f.Mode.Perm() & secretMode
	if f.Owner == "" && f.Group == "" {
		f.Owner, f.Group = svc.User, svc.Group
	}
}

func holdsSecret(f *File, t *roles.Template, svc *Service) bool {
	if strings.Contains(strings.ToLower(filepath.Base(f.Dst)), "jaas") {
		return true
	}
	if t.Properties {
		for _, o := range svc.Overrides {
			if o.Secret && o.Value != "" {
				return true
			}
		}
	}
	for _, l := range javaprops.Lines(string(f.Content)) {
		if l.Entry && IsSecretKey(l.Key) && strings.TrimSpace(l.Value) != "" {
			return true
		}
	}
	return false
}
