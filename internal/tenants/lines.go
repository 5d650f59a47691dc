package tenants

import "strings"

// keyLines maps a key path (its parts joined by sep) to the line where it
// is first written: a table header or a "key =" line.
//
// BurntSushi/toml keeps key positions private, so the source is walked
// once more after the real parser accepted it. The walk only has to be
// right for valid TOML; on anything else it must stop, never loop or
// panic. It reads the file as a stream of characters with three things
// to know at each point: the current table, whether it stands where a
// key may begin, and the path of the inline tables it is inside.
type keyLines map[string]int

const sep = "\x00"

func pathKey(parts []string) string { return strings.Join(parts, sep) }

// line is the line of path, else of its nearest ancestor written, else 0.
func (k keyLines) line(path ...string) int {
	for n := len(path); n > 0; n-- {
		if l, ok := k[pathKey(path[:n])]; ok {
			return l
		}
	}
	return 0
}

func (k keyLines) mark(path []string, line int) {
	// Every ancestor a dotted key creates is written on this line too,
	// unless it was written earlier.
	for n := 1; n <= len(path); n++ {
		if _, ok := k[pathKey(path[:n])]; !ok {
			k[pathKey(path[:n])] = line
		}
	}
}

type lineScan struct {
	src  string
	i    int
	line int
	out  keyLines
}

func scanLines(src []byte) keyLines {
	s := &lineScan{src: string(src), line: 1, out: keyLines{}}
	var table []string
	for s.i < len(s.src) {
		s.blank()
		if s.i >= len(s.src) {
			break
		}
		if s.src[s.i] == '[' {
			table = s.header()
			continue
		}
		before := s.i
		s.pair(table, 0)
		if s.i == before {
			s.skipToEOL()
		}
	}
	return s.out
}

func (s *lineScan) next() {
	if s.i < len(s.src) {
		if s.src[s.i] == '\n' {
			s.line++
		}
		s.i++
	}
}

func (s *lineScan) spaces() {
	for s.i < len(s.src) && (s.src[s.i] == ' ' || s.src[s.i] == '\t' || s.src[s.i] == '\r') {
		s.i++
	}
}

// blank skips spaces, newlines and comments.
func (s *lineScan) blank() {
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case ' ', '\t', '\r', '\n':
			s.next()
		case '#':
			s.skipToEOL()
		default:
			return
		}
	}
}

// skipToEOL leaves s at the newline ending the line (or the end).
func (s *lineScan) skipToEOL() {
	for s.i < len(s.src) && s.src[s.i] != '\n' {
		s.i++
	}
}

// header reads "[a.b]" or "[[a.b]]" and returns the table it opens.
func (s *lineScan) header() []string {
	line := s.line
	for s.i < len(s.src) && s.src[s.i] == '[' {
		s.i++
	}
	path := s.key()
	s.out.mark(path, line)
	s.out[pathKey(path)] = line
	s.skipToEOL()
	return path
}

// key reads a dotted key of bare and quoted parts.
func (s *lineScan) key() []string {
	var parts []string
	for s.i < len(s.src) {
		s.spaces()
		if s.i >= len(s.src) {
			break
		}
		switch c := s.src[s.i]; {
		case c == '"' || c == '\'':
			parts = append(parts, s.str(c))
		case isBare(c):
			start := s.i
			for s.i < len(s.src) && isBare(s.src[s.i]) {
				s.i++
			}
			parts = append(parts, s.src[start:s.i])
		default:
			return parts
		}
		s.spaces()
		if s.i >= len(s.src) || s.src[s.i] != '.' {
			return parts
		}
		s.i++
	}
	return parts
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// str reads a one-line string quoted by q and returns its content; a
// basic string's escapes are kept as written (enough for names here).
func (s *lineScan) str(q byte) string {
	s.i++
	start := s.i
	for s.i < len(s.src) && s.src[s.i] != q && s.src[s.i] != '\n' {
		if q == '"' && s.src[s.i] == '\\' && s.i+1 < len(s.src) && s.src[s.i+1] != '\n' {
			s.i++
		}
		s.i++
	}
	out := s.src[start:s.i]
	if s.i < len(s.src) && s.src[s.i] == q {
		s.i++
	}
	return out
}

// pair reads "key = value" under table.
func (s *lineScan) pair(table []string, depth int) {
	line := s.line
	k := s.key()
	if len(k) == 0 {
		return
	}
	path := append(append([]string(nil), table...), k...)
	s.out.mark(path, line)
	s.spaces()
	if s.i >= len(s.src) || s.src[s.i] != '=' {
		return
	}
	s.i++
	s.spaces()
	s.value(path, depth)
}

// value skips one value; the keys of inline tables in it are marked.
func (s *lineScan) value(path []string, depth int) {
	if s.i >= len(s.src) || depth > 32 {
		return
	}
	rest := s.src[s.i:]
	switch {
	case strings.HasPrefix(rest, `"""`) || strings.HasPrefix(rest, `'''`):
		delim := rest[:3]
		s.i += 3
		for s.i < len(s.src) && !strings.HasPrefix(s.src[s.i:], delim) {
			if delim[0] == '"' && s.src[s.i] == '\\' {
				s.next()
			}
			s.next()
		}
		s.i += 3
		// A closing run may hold up to two quotes of the content.
		for n := 0; n < 2 && s.i < len(s.src) && s.src[s.i] == delim[0]; n++ {
			s.i++
		}
	case rest[0] == '"' || rest[0] == '\'':
		s.str(rest[0])
	case rest[0] == '[':
		s.i++
		for s.i < len(s.src) {
			s.blank()
			if s.i >= len(s.src) || s.src[s.i] == ']' {
				s.i++
				return
			}
			before := s.i
			s.value(path, depth+1)
			s.blank()
			if s.i < len(s.src) && s.src[s.i] == ',' {
				s.i++
			} else if s.i == before {
				s.next()
			}
		}
	case rest[0] == '{':
		s.i++
		for s.i < len(s.src) {
			s.blank()
			if s.i >= len(s.src) || s.src[s.i] == '}' {
				s.i++
				return
			}
			before := s.i
			s.pair(path, depth+1)
			s.blank()
			if s.i < len(s.src) && s.src[s.i] == ',' {
				s.i++
			} else if s.i == before {
				s.next()
			}
		}
	default:
		for s.i < len(s.src) && !strings.ContainsRune(",]}\n# \t\r", rune(s.src[s.i])) {
			s.i++
		}
	}
}
