// The one-module JAAS line Kafka clients take in sasl.jaas.config
// ("org.….ScramLoginModule required username=\"admin\" password=\"…\";").
// The parser is strict, so that a typo is refused at start rather than
// sent to the broker as a wrong password, and none of its errors quotes
// the text it read: the line holds a password.

package main

import (
	"fmt"
	"strings"
)

// JAAS is one parsed login module entry.
type JAAS struct {
	Module  string // the login module's class
	Flag    string // required, requisite, sufficient or optional
	Options map[string]string
}

// jaasFlags are the control flags JAAS defines; a Kafka client has one
// module, so each means the same to it.
var jaasFlags = map[string]bool{"required": true, "requisite": true, "sufficient": true, "optional": true}

// ParseJAAS parses a line holding exactly one login module: class, flag,
// key=value options (values quoted, or bare words), then ";".
func ParseJAAS(s string) (JAAS, error) {
	j := JAAS{Options: map[string]string{}}
	sc := jaasScanner{s: s}
	sc.space()
	j.Module = sc.word(isClassChar)
	if j.Module == "" {
		return j, fmt.Errorf("want a login module class first")
	}
	if !sc.space() {
		return j, fmt.Errorf("want a space and a control flag after the login module class")
	}
	j.Flag = sc.word(isWordChar)
	if !jaasFlags[j.Flag] {
		return j, fmt.Errorf("want the control flag required (or requisite, sufficient, optional) after the login module class")
	}
	sc.after = "the control flag"
	nth := 0
	for {
		sc.space()
		if sc.done() {
			return j, fmt.Errorf("want \";\" at the end")
		}
		if sc.peek() == ';' {
			sc.i++
			break
		}
		key := sc.word(isWordChar)
		nth++
		name := optionName(key, nth)
		if key == "" {
			return j, fmt.Errorf("want an option name or \";\" after %s", sc.after)
		}
		if _, dup := j.Options[key]; dup {
			return j, fmt.Errorf("%s is set twice", name)
		}
		sc.space()
		if sc.done() || sc.peek() != '=' {
			return j, fmt.Errorf("want \"=\" after %s", name)
		}
		sc.i++
		sc.space()
		v, err := sc.value(name)
		if err != nil {
			return j, err
		}
		j.Options[key] = v
		sc.after = name
		if !sc.done() && sc.peek() != ';' && !sc.space() {
			return j, fmt.Errorf("want a space or \";\" after %s", name)
		}
	}
	sc.space()
	if !sc.done() {
		return j, fmt.Errorf("want one login module: text follows the \";\"")
	}
	return j, nil
}

type jaasScanner struct {
	s     string
	i     int
	after string // what was read last, for errors
}

func (sc *jaasScanner) done() bool { return sc.i >= len(sc.s) }
func (sc *jaasScanner) peek() byte { return sc.s[sc.i] }
func isClassChar(c byte) bool      { return isWordChar(c) || c == '$' }
func isSpace(c byte) bool          { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isWordChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

// space skips white space and says whether there was any.
func (sc *jaasScanner) space() bool {
	from := sc.i
	for !sc.done() && isSpace(sc.peek()) {
		sc.i++
	}
	return sc.i > from
}

func (sc *jaasScanner) word(ok func(byte) bool) string {
	from := sc.i
	for !sc.done() && ok(sc.peek()) {
		sc.i++
	}
	return sc.s[from:sc.i]
}

// knownOptions are the option names an error may quote: a name read
// from a garbled line could be part of a password ("password=a b;"
// reads option "b").
var knownOptions = map[string]bool{"username": true, "password": true, "tokenauth": true}

// optionName names the nth option in errors.
func optionName(key string, nth int) string {
	if knownOptions[key] {
		return fmt.Sprintf("option %q", key)
	}
	return fmt.Sprintf("option %d", nth)
}

// value reads the value of the option name: a quoted string with \" and \\
// escapes, or a bare word.
func (sc *jaasScanner) value(name string) (string, error) {
	if sc.done() {
		return "", fmt.Errorf("%s has no value", name)
	}
	if sc.peek() != '"' {
		if w := sc.word(isWordChar); w != "" {
			return w, nil
		}
		return "", fmt.Errorf("%s: want a quoted value or a word", name)
	}
	sc.i++
	var b strings.Builder
	for !sc.done() {
		c := sc.peek()
		sc.i++
		switch c {
		case '"':
			return b.String(), nil
		case '\\':
			if sc.done() || (sc.peek() != '"' && sc.peek() != '\\') {
				return "", fmt.Errorf("%s: only \\\" and \\\\ may be escaped in its value", name)
			}
			b.WriteByte(sc.peek())
			sc.i++
		default:
			b.WriteByte(c)
		}
	}
	return "", fmt.Errorf("%s: its quoted value is not closed", name)
}
