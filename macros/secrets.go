package macros

import (
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/kinit/kinit/internal/javaprops"
	"github.com/kinit/kinit/roles"
)

// Mask replaces a secret wherever kinit prints it.
const Mask = "******"

var reSecretKey = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(password|passwd|secret|token|credential|jaas\.config|api\.?key|private\.key|user\.info|(^|\.)key$)`)
})

// IsSecretKey reports whether a property or variable name holds a secret
// (names are compared with '_' read as '.').
func IsSecretKey(name string) bool {
	return reSecretKey().MatchString(strings.ReplaceAll(name, "_", "."))
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

// pemKey is a PEM private key block (a rendered keystore holds one): its
// body is masked, its armour kept so the reader sees what it was.
var pemKey = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?s)(-----BEGIN [A-Z ]*PRIVATE KEY-----)\n.*?\n(-----END [A-Z ]*PRIVATE KEY-----)`)
})

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
	text = pemKey().ReplaceAllString(text, "${1}\n"+Mask+"\n${2}")
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
	return assignsSecret(string(f.Content))
}

// secretName is a name that ends in what a secret is called. It is matched
// against names found in the middle of a line, where a looser rule (the
// "contains" of IsSecretKey) would catch paths such as password.file.
var secretName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(password|passwd|secret|credentials?|token|jaas\.config|api\.?key|private\.key|user\.info)$`)
})

// assignName is a name followed by '=': a key, a JVM system property
// (-Dname=), a JAAS option (name="value"). Matches do not overlap, and a
// quote is no name character, so KAFKA_OPTS="-Dx.password=v" yields both
// KAFKA_OPTS= and -Dx.password=.
var assignName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[A-Za-z0-9_.\-]+\s*=`) })

// assignsSecret reports whether a line that is not a comment gives a
// secret-named key or system property a value anywhere on it: a one-line
// JAAS file (KafkaClient { … password="b"; };) or an env file
// (KAFKA_OPTS="-Djavax.net.ssl.keyStorePassword=…") has no secret key at the
// start of its line. Comments (#, !, //, /*) are skipped, so a file that
// only explains where a password goes keeps its mode.
func assignsSecret(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "!") ||
			strings.HasPrefix(line, "//") || strings.HasPrefix(line, "/*") || strings.HasPrefix(line, "*") {
			continue
		}
		for _, m := range assignName().FindAllStringIndex(line, -1) {
			name := strings.TrimRight(line[m[0]:m[1]-1], " \t")
			if secretName().MatchString(strings.ReplaceAll(name, "_", ".")) && assignedValue(line[m[1]:]) != "" {
				return true
			}
		}
	}
	return false
}

// assignedValue is the value at the start of rest: a quoted string without
// its quotes, or the text up to a blank, quote, ';' or ','.
func assignedValue(rest string) string {
	rest = strings.TrimLeft(rest, " \t")
	if rest != "" && (rest[0] == '"' || rest[0] == '\'') {
		if end := strings.IndexByte(rest[1:], rest[0]); end >= 0 {
			return rest[1 : 1+end]
		}
		return rest[1:]
	}
	if end := strings.IndexAny(rest, " \t\"';,"); end >= 0 {
		return rest[:end]
	}
	return rest
}
