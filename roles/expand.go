package roles

import "strings"

// Expand replaces every @@NAME@@ in s (NAME made of letters, digits and '_')
// with lookup(NAME). Values are inserted as they are, never expanded again.
// It returns the names lookup did not know, in order of appearance; their
// references are left in the result untouched.
func Expand(s string, lookup func(name string) (string, bool)) (string, []string) {
	if !strings.Contains(s, "@@") {
		return s, nil
	}
	var b strings.Builder
	var unknown []string
	for {
		i := strings.Index(s, "@@")
		if i < 0 {
			b.WriteString(s)
			return b.String(), unknown
		}
		name, ok := macroAt(s[i+2:])
		if !ok {
			b.WriteString(s[:i+2])
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		if v, found := lookup(name); found {
			b.WriteString(v)
		} else {
			unknown = append(unknown, name)
			b.WriteString("@@" + name + "@@")
		}
		s = s[i+2+len(name)+2:]
	}
}

// MacroRefs lists the @@NAME@@ references in s.
func MacroRefs(s string) []string {
	_, names := Expand(s, func(string) (string, bool) { return "", false })
	return names
}

// macroAt reports whether s starts with NAME@@.
func macroAt(s string) (string, bool) {
	n := 0
	for n < len(s) && isMacroChar(s[n]) {
		n++
	}
	if n == 0 || !strings.HasPrefix(s[n:], "@@") {
		return "", false
	}
	return s[:n], true
}

func isMacroChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
}

// MacroName turns an id such as "kafka-broker" into its macro spelling
// "KAFKA_BROKER".
func MacroName(id string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(id))
}
