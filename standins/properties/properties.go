// Package properties reads Java .properties files, the format every Kafka and
// Confluent component is configured with, so the stand-ins read the same
// rendered files the real products would.
//
// The syntax follows java.util.Properties.load: '#' or '!' comment lines,
// key/value separated by '=', ':' or whitespace, a trailing odd backslash
// continues the line, and \t \n \r \f \uXXXX escapes. A later key replaces an
// earlier one.
package properties

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Properties holds the entries of one file and where each was defined, so
// errors about a value can name file:line.
type Properties struct {
	file    string
	entries map[string]entry
}

type entry struct {
	value string
	line  int
}

// Load reads and parses the file at path.
func Load(path string) (*Properties, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read properties: %w", err)
	}
	return Parse(bytes.NewReader(data), path)
}

// Parse reads properties from r; name is used in error messages.
func Parse(r io.Reader, name string) (*Properties, error) {
	p := &Properties{file: name, entries: map[string]entry{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	sc.Split(scanNaturalLines)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		start := lineNo
		line := strings.TrimLeft(sc.Text(), " \t\f")
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		for continues(line) {
			line = line[:len(line)-1]
			if !sc.Scan() {
				break
			}
			lineNo++
			line += strings.TrimLeft(sc.Text(), " \t\f")
		}
		key, value, err := splitEntry(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, start, err)
		}
		p.entries[key] = entry{value: value, line: start}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", name, err)
	}
	return p, nil
}

// scanNaturalLines splits on \n, \r or \r\n, the three line ends the format
// accepts.
func scanNaturalLines(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		if data[i] == '\r' {
			if i+1 < len(data) {
				if data[i+1] == '\n' {
					return i + 2, data[:i], nil
				}
				return i + 1, data[:i], nil
			}
			if !atEOF {
				return 0, nil, nil // a \n may follow
			}
		}
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// continues reports whether the line ends in an odd number of backslashes.
func continues(line string) bool {
	n := 0
	for i := len(line) - 1; i >= 0 && line[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

func splitEntry(line string) (string, string, error) {
	// The key ends at the first unescaped separator or whitespace.
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
	key, err := unescape(line[:end])
	if err != nil {
		return "", "", err
	}
	value, err := unescape(rest)
	if err != nil {
		return "", "", fmt.Errorf("value of %q: %w", key, err)
	}
	return key, value, nil
}

func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
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
			if i+5 > len(s) {
				return "", fmt.Errorf("cannot parse escape %q: want 4 hex digits", s[i-1:])
			}
			r, err := strconv.ParseUint(s[i+1:i+5], 16, 16)
			if err != nil {
				return "", fmt.Errorf("cannot parse escape %q: want 4 hex digits", s[i-1:i+5])
			}
			b.WriteRune(rune(r))
			i += 4
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}

// File is the name the properties were read from.
func (p *Properties) File() string { return p.file }

// Get returns the value of key and whether it is set.
func (p *Properties) Get(key string) (string, bool) {
	e, ok := p.entries[key]
	return e.value, ok
}

// String returns the value of key with surrounding space trimmed, or def when
// the key is unset or blank.
func (p *Properties) String(key, def string) string {
	if v, ok := p.entries[key]; ok && strings.TrimSpace(v.value) != "" {
		return strings.TrimSpace(v.value)
	}
	return def
}

// List returns the comma-separated values of key, trimmed, empty items
// dropped; def when the key is unset or blank.
func (p *Properties) List(key string, def []string) []string {
	v := p.String(key, "")
	if v == "" {
		return def
	}
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// Millis returns key, a count of milliseconds as Kafka's *.ms settings are,
// as a duration; def when unset.
func (p *Properties) Millis(key string, def time.Duration) (time.Duration, error) {
	v := p.String(key, "")
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, p.Errorf(key, "want a non-negative number of milliseconds, got %q", v)
	}
	return time.Duration(n) * time.Millisecond, nil
}

// Line is the line key was defined on, or 0 when it is unset.
func (p *Properties) Line(key string) int { return p.entries[key].line }

// Keys returns every key, sorted.
func (p *Properties) Keys() []string {
	keys := make([]string, 0, len(p.entries))
	for k := range p.entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Errorf builds an error about key that names file:line (or just the file
// when key is unset).
func (p *Properties) Errorf(key, format string, args ...any) error {
	where := p.file
	if l := p.Line(key); l > 0 {
		where = fmt.Sprintf("%s:%d", p.file, l)
	}
	return fmt.Errorf("%s: %s: %s", where, key, fmt.Sprintf(format, args...))
}
