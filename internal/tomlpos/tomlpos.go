// Package tomlpos finds the line of each key of a TOML document, for
// messages that name file:line: kinit.toml's and the tenants file's.
package tomlpos

import "strconv"

// Positions maps TOML key paths to the line where they are written.
//
// BurntSushi/toml keeps key positions to itself (they only show up in its
// own decode errors), so this small scanner walks the already-parsed
// document once more. It only has to be right for documents the real parser
// accepted, and it must never panic or loop on anything else (the fuzz target
// runs it on arbitrary input). Elements of arrays of tables are addressed as
// "services.zookeeper.templates[1].src".
type Positions struct {
	lines map[string]int
}

// Line returns the line of key, or of its nearest ancestor that has one, or 0.
func (p *Positions) Line(key ...string) int {
	if p == nil {
		return 0
	}
	for n := len(key); n > 0; n-- {
		if l, ok := p.lines[joinKey(key[:n])]; ok {
			return l
		}
	}
	return 0
}

func joinKey(key []string) string {
	n := 0
	for _, k := range key {
		n += len(k) + 1
	}
	b := make([]byte, 0, n)
	for i, k := range key {
		if i > 0 && (len(k) == 0 || k[0] != '[') {
			b = append(b, '.')
		}
		b = append(b, k...)
	}
	return string(b)
}

// Index is the key of element i of an array of tables:
// "services.zookeeper.templates[1].src" is services, zookeeper,
// templates, Index(1), src.
func Index(i int) string { return "[" + strconv.Itoa(i) + "]" }

type posScanner struct {
	src  []byte
	i    int
	line int
	out  map[string]int
	// arrays holds, per array-of-tables path (written with indices of its
	// parents), the index of its current element.
	arrays map[string]int
}

// Scan reads the positions of every key of src, a document the TOML
// parser accepted (on anything else it neither panics nor loops).
func Scan(src []byte) *Positions {
	s := &posScanner{src: src, line: 1, out: map[string]int{}, arrays: map[string]int{}}
	s.document()
	return &Positions{lines: s.out}
}

func (s *posScanner) eof() bool { return s.i >= len(s.src) }

func (s *posScanner) peek(off int) byte {
	if s.i+off < len(s.src) {
		return s.src[s.i+off]
	}
	return 0
}

func (s *posScanner) advance() {
	if s.eof() {
		return
	}
	if s.src[s.i] == '\n' {
		s.line++
	}
	s.i++
}

func (s *posScanner) skipSpace() {
	for !s.eof() && (s.src[s.i] == ' ' || s.src[s.i] == '\t' || s.src[s.i] == '\r') {
		s.i++
	}
}

// skipBlank skips whitespace, newlines and comments (inside arrays and
// inline tables).
func (s *posScanner) skipBlank() {
	for !s.eof() {
		switch s.src[s.i] {
		case ' ', '\t', '\r', '\n':
			s.advance()
		case '#':
			s.skipComment()
		default:
			return
		}
	}
}

func (s *posScanner) skipComment() {
	for !s.eof() && s.src[s.i] != '\n' {
		s.i++
	}
}

func (s *posScanner) skipLine() {
	for !s.eof() && s.src[s.i] != '\n' {
		s.i++
	}
	s.advance()
}

func (s *posScanner) document() {
	var table []string
	for !s.eof() {
		s.skipSpace()
		if s.eof() {
			return
		}
		switch c := s.src[s.i]; {
		case c == '\n':
			s.advance()
		case c == '#':
			s.skipLine()
		case c == '[':
			table = s.header()
			s.skipLine()
		default:
			start := s.i
			s.keyValue(table)
			if s.i == start {
				s.advance()
			}
			s.skipSpace()
			if !s.eof() && s.src[s.i] == '#' {
				s.skipComment()
			}
		}
	}
}

// header reads "[a.b]" or "[[a.b]]" and returns the table path with the
// indices of every array of tables it goes through.
func (s *posScanner) header() []string {
	line := s.line
	s.i++
	array := false
	if s.peek(0) == '[' {
		array = true
		s.i++
	}
	s.skipSpace()
	raw := s.key()
	var path []string
	for n, seg := range raw {
		path = append(path, seg)
		k := joinKey(path)
		last := n == len(raw)-1
		if last && array {
			i, seen := s.arrays[k]
			if seen {
				i++
			}
			s.arrays[k] = i
			if _, ok := s.out[k]; !ok {
				s.out[k] = line
			}
			path = append(path, Index(i))
		} else if i, ok := s.arrays[k]; ok {
			path = append(path, Index(i))
		}
	}
	s.out[joinKey(path)] = line
	return path
}

// key reads a dotted key of bare and quoted parts.
func (s *posScanner) key() []string {
	var parts []string
	for !s.eof() {
		s.skipSpace()
		var part string
		switch s.peek(0) {
		case '"':
			part = s.quoted('"', true)
		case '\'':
			part = s.quoted('\'', false)
		default:
			start := s.i
			for !s.eof() && isBare(s.src[s.i]) {
				s.i++
			}
			part = string(s.src[start:s.i])
			if part == "" {
				return parts
			}
		}
		parts = append(parts, part)
		s.skipSpace()
		if s.peek(0) != '.' {
			return parts
		}
		s.i++
	}
	return parts
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// quoted reads a one-line quoted string and returns its raw content; escapes
// are kept as written, which is enough to name a key in a message.
func (s *posScanner) quoted(q byte, escapes bool) string {
	s.i++
	start := s.i
	for !s.eof() && s.src[s.i] != q && s.src[s.i] != '\n' {
		if escapes && s.src[s.i] == '\\' {
			s.i++
		}
		s.i++
	}
	end := s.i
	if end > len(s.src) {
		end = len(s.src)
	}
	if !s.eof() && s.src[s.i] == q {
		s.i++
	}
	return string(s.src[start:end])
}

func (s *posScanner) keyValue(table []string) {
	line := s.line
	k := s.key()
	if len(k) == 0 {
		return
	}
	path := append(append([]string(nil), table...), k...)
	for n := len(table) + 1; n <= len(path); n++ {
		if _, ok := s.out[joinKey(path[:n])]; !ok {
			s.out[joinKey(path[:n])] = line
		}
	}
	s.out[joinKey(path)] = line
	s.skipSpace()
	if s.peek(0) != '=' {
		return
	}
	s.i++
	s.skipSpace()
	s.value(path, 0)
}

// value skips one value, recording the keys of inline tables inside it.
func (s *posScanner) value(path []string, depth int) {
	if s.eof() || depth > 64 {
		return
	}
	switch c := s.src[s.i]; {
	case c == '"' && s.peek(1) == '"' && s.peek(2) == '"':
		s.multiline(`"""`, true)
	case c == '\'' && s.peek(1) == '\'' && s.peek(2) == '\'':
		s.multiline(`'''`, false)
	case c == '"':
		s.quoted('"', true)
	case c == '\'':
		s.quoted('\'', false)
	case c == '[':
		s.i++
		for n := 0; !s.eof(); n++ {
			s.skipBlank()
			if s.peek(0) == ']' {
				s.i++
				return
			}
			start := s.i
			elem := append(append([]string(nil), path...), Index(n))
			s.out[joinKey(elem)] = s.line
			s.value(elem, depth+1)
			s.skipBlank()
			if s.peek(0) == ',' {
				s.i++
			} else if s.i == start {
				s.advance()
			}
		}
	case c == '{':
		s.i++
		for !s.eof() {
			s.skipBlank()
			if s.peek(0) == '}' {
				s.i++
				return
			}
			start := s.i
			s.keyValueIn(path, depth)
			s.skipBlank()
			if s.peek(0) == ',' {
				s.i++
			} else if s.i == start {
				s.advance()
			}
		}
	default:
		for !s.eof() {
			switch s.src[s.i] {
			case ',', ']', '}', '\n', '#', ' ', '\t', '\r':
				return
			}
			s.i++
		}
	}
}

func (s *posScanner) keyValueIn(table []string, depth int) {
	line := s.line
	k := s.key()
	if len(k) == 0 {
		return
	}
	path := append(append([]string(nil), table...), k...)
	s.out[joinKey(path)] = line
	s.skipSpace()
	if s.peek(0) != '=' {
		return
	}
	s.i++
	s.skipSpace()
	s.value(path, depth+1)
}

func (s *posScanner) multiline(delim string, escapes bool) {
	s.i += 3
	for !s.eof() {
		if escapes && s.src[s.i] == '\\' {
			s.advance()
			s.advance()
			continue
		}
		if s.i+3 <= len(s.src) && string(s.src[s.i:s.i+3]) == delim {
			s.i += 3
			// Up to two more quote characters belong to the content.
			for k := 0; k < 2 && !s.eof() && s.src[s.i] == delim[0]; k++ {
				s.i++
			}
			return
		}
		s.advance()
	}
}
