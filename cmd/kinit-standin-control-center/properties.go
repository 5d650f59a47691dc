// Java .properties files, the format every Kafka and Confluent component is
// configured with, so the stand-in reads the same rendered files the real
// products would. The syntax is java.util.Properties.load's (see
// internal/javaprops); a later key replaces an earlier one.

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kinit/kinit/internal/javaprops"
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
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", name, err)
	}
	p := &Properties{file: name, entries: map[string]entry{}}
	for _, l := range javaprops.Lines(string(data)) {
		if !l.Entry {
			continue
		}
		if l.Err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, l.Num, l.Err)
		}
		p.entries[l.Key] = entry{value: l.Value, line: l.Num}
	}
	return p, nil
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
