// Package tenants reads the tenants file of a shared cluster (one TOML
// file: per tenant a SCRAM user, the topic and consumer-group prefixes it
// owns, its client quotas) and reconciles the cluster with it through the
// Admin API.
//
// Load validates the whole file before anything is applied and reports
// every problem at once, each as path:line; Passwords reads the
// password files apart, so that a file can be checked where the Secret
// is not mounted. Reconcile makes the cluster say what the file says
// about its tenants and about the tenants it no longer lists, and
// touches nothing else: no other principal's ACLs, users or quotas.
package tenants

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/kinit/kinit/internal/tomlpos"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/kinit/kinit/internal/safefs"
)

// Quotas are a tenant's client quotas (entity user=<name>); 0 is no quota.
type Quotas struct {
	ProduceBytes      int64   // producer_byte_rate, bytes/s
	ConsumeBytes      int64   // consumer_byte_rate, bytes/s
	RequestPercentage float64 // request_percentage, of one request handler/network thread
}

// Tenant is one [tenants.<name>] table. Name is also the principal's
// (User:<name>) and the SCRAM user's.
type Tenant struct {
	Name         string
	PasswordFile string   // absolute; its first line is the password
	Topics       []string // topic prefixes, sorted, no duplicates
	Groups       []string // consumer-group prefixes, sorted, no duplicates
	Quotas       Quotas
	Line         int // of the tenant's table in the file
}

// File is a validated tenants file.
type File struct {
	Path    string
	Version string   // the first 12 hex digits of the content's SHA-256
	Tenants []Tenant // sorted by name

	lines    *tomlpos.Positions
	reserved []string // as Load was given them: never a tenant, never revoked
}

// Names are the tenants' names, sorted.
func (f *File) Names() []string {
	out := make([]string, len(f.Tenants))
	for i, t := range f.Tenants {
		out[i] = t.Name
	}
	return out
}

// Problem is one thing wrong with a tenants file.
type Problem struct {
	Path    string
	Line    int // 0 when no line applies (the file itself)
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Message)
	}
	return p.Path + ": " + p.Message
}

// Problems are every problem found, in the order of the file; Error
// puts one on each line so that a caller can print them as they are.
type Problems []Problem

func (ps Problems) Error() string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return strings.Join(out, "\n")
}

// name is what a tenant may be called: as scramusers' client users, a
// principal name no Kafka tool has to quote.
var name = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`) })

// topicChars are the characters Kafka allows in a topic name: a topic
// prefix with any other could never match.
var topicChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._-]+$`) })

// decodeLine is how BurntSushi words the line of a type error.
var decodeLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^line (\d+) \(last key "[^"]*"\): `) })

// maxFile bounds the tenants file: a list of tenants, not a data set.
const maxFile = 4 << 20

type rawQuotas struct {
	Produce *int64   `toml:"produce_bytes_per_sec"`
	Consume *int64   `toml:"consume_bytes_per_sec"`
	Request *float64 `toml:"request_percentage"`
}

type rawTenant struct {
	PasswordFile *string   `toml:"password_file"`
	Topics       []string  `toml:"topics"`
	Groups       []string  `toml:"groups"`
	Quotas       rawQuotas `toml:"quotas"`
}

type rawFile struct {
	Tenants map[string]rawTenant `toml:"tenants"`
}

// Load reads and validates the tenants file at path. reserved are names
// no tenant may take (the admin user: its credential is the cluster's
// own). Nothing is read but the file: Passwords reads the password files.
// A *File is returned only when there is no problem; otherwise the error
// is Problems.
func Load(path string, reserved ...string) (*File, error) {
	// A regular file only, bounded: a FIFO or /dev/zero in its place
	// must not stall the caller (PID 1).
	data, err := safefs.ReadRegular(path, maxFile)
	if err != nil {
		return nil, Problems{{Path: path, Message: errText(err)}}
	}
	return Parse(path, data, reserved...)
}

// Parse validates a tenants file held in memory; path names it in
// messages.
func Parse(path string, data []byte, reserved ...string) (*File, error) {
	f, ps := parse(path, data, reserved)
	if len(ps) > 0 {
		return nil, ps
	}
	return f, nil
}

// Check is every problem of the tenants file at once, the unreadable or
// empty password files of the tenants that are otherwise valid among
// them (what a start refuses, exit 78), and the passwords it could read
// (for the caller to mask in what it prints).
func Check(path string, reserved ...string) (map[string]string, error) {
	data, err := safefs.ReadRegular(path, maxFile)
	if err != nil {
		return nil, Problems{{Path: path, Message: errText(err)}}
	}
	f, ps := parse(path, data, reserved)
	if f == nil {
		return nil, ps
	}
	pw, more := f.passwords()
	if len(more) > 0 {
		ps = append(ps, more...)
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
	}
	if len(ps) > 0 {
		return pw, ps
	}
	return pw, nil
}

// parse is Parse that keeps, beside the problems, the tenants that are
// valid (nil when the TOML itself does not decode): Check reads their
// password files too; nothing applies such a file.
func parse(path string, data []byte, reserved []string) (*File, Problems) {
	sum := sha256.Sum256(data)
	f := &File{Path: path, Version: hex.EncodeToString(sum[:])[:12], reserved: reserved}
	var raw rawFile
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, Problems{{Path: path, Line: pe.Position.Line, Message: strings.TrimPrefix(pe.Message, "toml: ")}}
		}
		msg, line := strings.TrimPrefix(err.Error(), "toml: "), 0
		if m := decodeLine().FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = msg[len(m[0]):]
		}
		return nil, Problems{{Path: path, Line: line, Message: msg}}
	}
	f.lines = tomlpos.Scan(data)
	c := &collector{path: path, lines: f.lines}
	for _, k := range md.Undecoded() {
		c.at(k, "unknown key %q", k.String())
	}
	for n, rt := range raw.Tenants {
		if t, ok := c.tenant(n, rt, reserved); ok {
			f.Tenants = append(f.Tenants, t)
		}
	}
	sort.Slice(f.Tenants, func(i, j int) bool { return f.Tenants[i].Name < f.Tenants[j].Name })
	c.overlaps(f.Tenants, "topics", func(t Tenant) []string { return t.Topics })
	c.overlaps(f.Tenants, "groups", func(t Tenant) []string { return t.Groups })
	sort.SliceStable(c.ps, func(i, j int) bool { return c.ps[i].Line < c.ps[j].Line })
	return f, c.ps
}

type collector struct {
	path  string
	lines *tomlpos.Positions
	ps    Problems
}

func (c *collector) at(key []string, format string, a ...any) {
	c.ps = append(c.ps, Problem{Path: c.path, Line: c.lines.Line(key...), Message: fmt.Sprintf(format, a...)})
}

// tenant checks one table; ok is false when it is not worth checking
// against the others (a bad or reserved name).
func (c *collector) tenant(n string, rt rawTenant, reserved []string) (Tenant, bool) {
	key := func(k ...string) []string { return append([]string{"tenants", n}, k...) }
	switch {
	case !name().MatchString(n):
		c.at(key(), "%q is not a tenant name (letters, digits, '.', '_', '-'; at most 64): it is the principal User:<name>", n)
		return Tenant{}, false
	case slices.Contains(reserved, n):
		c.at(key(), "tenant %s: %s is the admin user, a super user whose credential is the cluster's own", n, n)
		return Tenant{}, false
	}
	t := Tenant{Name: n, Line: c.lines.Line(key()...)}
	switch {
	case rt.PasswordFile == nil:
		c.at(key(), "tenant %s: password_file is missing", n)
	case *rt.PasswordFile == "":
		c.at(key("password_file"), "tenant %s: password_file is empty", n)
	case !filepath.IsAbs(*rt.PasswordFile):
		c.at(key("password_file"), "tenant %s: password_file %q is not an absolute path", n, *rt.PasswordFile)
	default:
		t.PasswordFile = filepath.Clean(*rt.PasswordFile)
	}
	t.Topics = c.prefixes(n, "topics", rt.Topics, true)
	t.Groups = c.prefixes(n, "groups", rt.Groups, false)
	if len(rt.Topics) == 0 && len(rt.Groups) == 0 {
		c.at(key(), "tenant %s owns nothing: give it topics or groups (prefixes)", n)
	}
	q := rt.Quotas
	for _, b := range []struct {
		key string
		v   *int64
		dst *int64
	}{{"produce_bytes_per_sec", q.Produce, &t.Quotas.ProduceBytes}, {"consume_bytes_per_sec", q.Consume, &t.Quotas.ConsumeBytes}} {
		if b.v == nil {
			continue
		}
		if *b.v <= 0 {
			c.at(key("quotas", b.key), "tenant %s: %s = %d: must be more than 0 (leave the key out for no quota)", n, b.key, *b.v)
			continue
		}
		*b.dst = *b.v
	}
	if q.Request != nil {
		if *q.Request <= 0 {
			c.at(key("quotas", "request_percentage"), "tenant %s: request_percentage = %g: must be more than 0 (leave the key out for no quota)", n, *q.Request)
		} else {
			t.Quotas.RequestPercentage = *q.Request
		}
	}
	return t, true
}

// prefixes checks the prefixes under key and returns them sorted and
// without duplicates.
func (c *collector) prefixes(tenant, key string, ps []string, topic bool) []string {
	at := []string{"tenants", tenant, key}
	var out []string
	for _, p := range ps {
		switch {
		case p == "":
			c.at(at, "tenant %s: an empty %s prefix would own every name", tenant, key[:len(key)-1])
		case strings.Contains(p, "*"):
			// A PREFIXED ACL compares its name literally: '*' would match
			// only names holding a '*', which no tenant means.
			c.at(at, "tenant %s: %s prefix %q holds '*': a prefixed ACL matches its name literally, so write the prefix alone (\"team-a.\" owns every name it starts)", tenant, key[:len(key)-1], p)
		case topic && !topicChars().MatchString(p):
			c.at(at, "tenant %s: topic prefix %q has a character no topic name can hold (letters, digits, '.', '_', '-')", tenant, p)
		default:
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// overlaps reports two tenants of which one owns a prefix of the other's
// (for topics, then for groups): a name would belong to both.
func (c *collector) overlaps(ts []Tenant, key string, of func(Tenant) []string) {
	for i := range ts {
		for j := i + 1; j < len(ts); j++ {
			for _, p := range of(ts[i]) {
				for _, q := range of(ts[j]) {
					if !strings.HasPrefix(p, q) && !strings.HasPrefix(q, p) {
						continue
					}
					a, b := ts[i], ts[j]
					la, lb := c.lines.Line("tenants", a.Name, key), c.lines.Line("tenants", b.Name, key)
					pa, pb := p, q
					if lb < la {
						a, b, la, lb, pa, pb = b, a, lb, la, pb, pa
					}
					c.ps = append(c.ps, Problem{Path: c.path, Line: lb, Message: fmt.Sprintf(
						"%s prefix %q of tenant %s overlaps %q of tenant %s (line %d): a name would belong to both",
						key[:len(key)-1], pb, b.Name, pa, a.Name, la)})
				}
			}
		}
	}
}

// errText is err without the path an *os.PathError repeats.
func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
