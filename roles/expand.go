package roles

import (
	"strings"

	"github.com/kinit/kinit/internal/safefs"
)

// TooLongError is an expansion that would exceed its limit.
type TooLongError struct {
	Max int
}

func (e *TooLongError) Error() string {
	return "expands to more than " + safefs.Size(int64(e.Max))
}

// Expand replaces every @@NAME@@ in s (NAME made of letters, digits and '_')
// with lookup(NAME). Values are inserted as they are, never expanded again.
// It returns the names lookup did not know, in order of appearance; their
// references are left in the result untouched. A result longer than
// MaxExpanded is an error (*TooLongError): references that multiply (a
// var that repeats another that repeats a third) cannot grow memory
// without bound.
func Expand(s string, lookup func(name string) (string, bool)) (string, []string, error) {
	return ExpandMax(s, MaxExpanded, lookup)
}

// ExpandMax is Expand with a limit of max bytes. It stops at the
// reference that would pass it.
func ExpandMax(s string, max int, lookup func(name string) (string, bool)) (string, []string, error) {
	if !strings.Contains(s, "@@") {
		if len(s) > max {
			return "", nil, &TooLongError{Max: max}
		}
		return s, nil, nil
	}
	var b strings.Builder
	var unknown []string
	write := func(parts ...string) bool {
		n := b.Len()
		for _, p := range parts {
			n += len(p)
		}
		if n > max {
			return false
		}
		for _, p := range parts {
			b.WriteString(p)
		}
		return true
	}
	for {
		i := strings.Index(s, "@@")
		if i < 0 {
			if !write(s) {
				return "", unknown, &TooLongError{Max: max}
			}
			return b.String(), unknown, nil
		}
		name, ok := macroAt(s[i+2:])
		if !ok {
			if !write(s[:i+2]) {
				return "", unknown, &TooLongError{Max: max}
			}
			s = s[i+2:]
			continue
		}
		ok = true
		if v, found := lookup(name); found {
			ok = write(s[:i], v)
		} else {
			unknown = append(unknown, name)
			ok = write(s[:i], "@@", name, "@@")
		}
		if !ok {
			return "", unknown, &TooLongError{Max: max}
		}
		s = s[i+2+len(name)+2:]
	}
}

// MacroRefs lists the @@NAME@@ references in s.
func MacroRefs(s string) []string {
	// Nothing is replaced, so the result is s and never too long.
	_, names, _ := ExpandMax(s, len(s), func(string) (string, bool) { return "", false })
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
