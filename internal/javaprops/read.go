// Package javaprops reads and writes Java .properties text by the rules of
// java.util.Properties.load, the way Kafka, ZooKeeper and the Confluent
// services read their configuration: lines end at \n, \r or \r\n; a line whose
// first non-blank character is '#' or '!' is a comment; a line ending in an
// odd number of backslashes continues on the next one, whose leading blanks
// are dropped; the key ends at the first unescaped '=', ':' or blank, and one
// '=' or ':' with the blanks around it separates it from the value; \t \n \r
// \f and \uXXXX are escapes, and a backslash before any other character
// stands for that character.
//
// Text is read as bytes: what lies outside ASCII passes through unchanged
// (kinit writes its files pure ASCII, see EscapeValue).
package javaprops

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Line is one logical line: a blank line, a comment, or an entry that may
// span several physical lines.
type Line struct {
	Raw   string // the physical lines as written, line ends included
	Num   int    // the number of its first physical line, from 1
	Entry bool   // false for blank lines and comments
	Key   string // unescaped (entries only)
	Value string // unescaped (entries only)
	// Err is a malformed \uXXXX escape in Key or Value; they then hold its
	// 'u' as a plain character, so a caller that does not check (kinit's
	// own rendering) still sees the rest of the line.
	Err error
}

// Lines splits text into logical lines. Joining every Raw gives text back.
func Lines(text string) []Line {
	var out []Line
	num := 0
	for text != "" {
		first, rest := cut(text)
		num++
		l := Line{Num: num}
		body := strings.TrimLeft(first, " \t\f")
		if body != "" && body[0] != '#' && body[0] != '!' {
			l.Entry = true
			for continues(body) && rest != "" {
				var next string
				next, rest = cut(rest)
				num++
				body = body[:len(body)-1] + strings.TrimLeft(next, " \t\f")
			}
			if continues(body) { // a continuation at the end of the text
				body = body[:len(body)-1]
			}
			l.Key, l.Value, l.Err = splitEntry(body)
		}
		l.Raw = text[:len(text)-len(rest)]
		out = append(out, l)
		text = rest
	}
	return out
}

// Get returns the value text sets for key and the number of its line; like
// Properties.load, a later entry for the same key wins.
func Get(text, key string) (value string, line int, ok bool) {
	for _, l := range Lines(text) {
		if l.Entry && l.Key == key {
			value, line, ok = l.Value, l.Num, true
		}
	}
	return value, line, ok
}

// cut splits off the first physical line (without its line end).
func cut(s string) (line, rest string) {
	i := strings.IndexAny(s, "\r\n")
	if i < 0 {
		return s, ""
	}
	if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
		return s[:i], s[i+2:]
	}
	return s[:i], s[i+1:]
}

// continues reports whether line ends in an odd number of backslashes.
func continues(line string) bool {
	n := 0
	for i := len(line) - 1; i >= 0 && line[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

func splitEntry(line string) (key, value string, err error) {
	end := len(line)
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == '\\' {
			i++
			continue
		}
		if c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f' {
			end = i
			break
		}
	}
	rest := strings.TrimLeft(line[end:], " \t\f")
	if rest != "" && (rest[0] == '=' || rest[0] == ':') {
		rest = strings.TrimLeft(rest[1:], " \t\f")
	}
	key, err = unescape(line[:end])
	value, verr := unescape(rest)
	if err == nil && verr != nil {
		err = fmt.Errorf("value of %q: %w", key, verr)
	}
	return key, value, err
}

func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	var err error
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i == len(s)-1 {
			b.WriteByte(c)
			continue
		}
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
			r, ok := hex4(s[i+1:])
			if !ok {
				if err == nil {
					err = fmt.Errorf("cannot parse escape %q: want 4 hex digits", s[i-1:min(i+5, len(s))])
				}
				b.WriteByte('u')
				continue
			}
			i += 4
			// A UTF-16 surrogate pair, as EscapeValue writes characters
			// beyond U+FFFF, is one character.
			if utf16.IsSurrogate(r) && strings.HasPrefix(s[i+1:], `\u`) {
				if r2, ok := hex4(s[i+3:]); ok {
					if d := utf16.DecodeRune(r, r2); d != '\uFFFD' {
						r = d
						i += 6
					}
				}
			}
			b.WriteRune(r)
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), err
}

// hex4 reads the four hex digits at the start of s.
func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(s[:4], 16, 16)
	return rune(n), err == nil
}
