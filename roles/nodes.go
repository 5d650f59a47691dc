package roles

import (
	"fmt"
	"strconv"
	"strings"
)

// NodeEntry is one host of the nodes list as written.
type NodeEntry struct {
	Role  string
	Host  string
	ID    int
	HasID bool // written as ID@host
	Line  int  // line in the nodes file, 0 for KINIT_NODES
}

// NodeList is a parsed nodes list: the members of the cluster by role.
type NodeList struct {
	Source  string      // "KINIT_NODES" or the nodes file path
	Entries []NodeEntry // in written order
	Roles   []string    // roles in first-written order
}

// ParseNodes reads the nodes list format shared by KINIT_NODES and the nodes
// file: groups "role=host,host,…" separated by ';' or new lines; a host may
// carry an explicit id as "id@host"; '#' starts a comment; a role may appear
// in several groups (its hosts are appended).
//
//	zookeeper=1@zk-1.example,2@zk-2.example,3@zk-3.example
//	broker=b-1.example, b-2.example
func ParseNodes(source, text string) (*NodeList, error) {
	c := &Collector{}
	file := ""
	if source != EnvNodes {
		file = source
	}
	where := func(line int) string {
		if file == "" {
			return EnvNodes + ": "
		}
		return ""
	}
	nl := &NodeList{Source: source}
	seenRole := map[string]bool{}
	seenHost := map[string]int{}
	for ln, line := range strings.Split(text, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		lineNo := 0
		if file != "" {
			lineNo = ln + 1
		}
		for _, group := range strings.Split(line, ";") {
			group = strings.TrimSpace(group)
			if group == "" {
				continue
			}
			role, hosts, ok := strings.Cut(group, "=")
			role = strings.TrimSpace(role)
			if !ok || !reID.MatchString(role) {
				c.Add(file, lineNo, "%sbad group %q: want role=host,host,…", where(lineNo), group)
				continue
			}
			if !seenRole[role] {
				seenRole[role] = true
				nl.Roles = append(nl.Roles, role)
			}
			for _, h := range strings.FieldsFunc(hosts, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' }) {
				e := NodeEntry{Role: role, Host: h, Line: lineNo}
				if idText, host, explicit := strings.Cut(h, "@"); explicit {
					n, err := ParseNodeID(idText)
					if err != nil {
						c.Add(file, lineNo, "%shost %q: the id before @ is %v", where(lineNo), h, err)
						continue
					}
					e.ID, e.HasID, e.Host = n, true, host
				}
				if !validHost(e.Host) {
					c.Add(file, lineNo, "%srole %s: %q is not a host name", where(lineNo), role, e.Host)
					continue
				}
				key := strings.ToLower(e.Host)
				if prev, dup := seenHost[key]; dup {
					c.Add(file, lineNo, "%shost %s is listed twice (also as %s)", where(lineNo), e.Host, nl.Entries[prev].Role)
					continue
				}
				seenHost[key] = len(nl.Entries)
				nl.Entries = append(nl.Entries, e)
			}
		}
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return nl, nil
}

func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == ':') {
			return false
		}
	}
	return h[0] != '-' && h[0] != '.'
}

// shortName is the first label of a host name.
func shortName(h string) string {
	if i := strings.IndexByte(h, '.'); i >= 0 {
		return h[:i]
	}
	return h
}

// sameHost matches a listed host against this node: equal names, or equal
// first labels when either side is not qualified.
func sameHost(listed, fqdn string) bool {
	if strings.EqualFold(listed, fqdn) {
		return true
	}
	if !strings.Contains(listed, ".") || !strings.Contains(fqdn, ".") {
		return strings.EqualFold(shortName(listed), shortName(fqdn))
	}
	return false
}

// ordinal returns the StatefulSet ordinal at the end of a host name
// ("kafka-2" -> 2).
func ordinal(hostname string) (int, bool) {
	i := strings.LastIndexByte(hostname, '-')
	if i < 0 || i == len(hostname)-1 {
		return 0, false
	}
	n, err := strconv.Atoi(hostname[i+1:])
	if err != nil || n < 0 || strings.HasPrefix(hostname[i+1:], "+") {
		return 0, false
	}
	return n, true
}

func (e NodeEntry) String() string {
	if e.HasID {
		return fmt.Sprintf("%d@%s", e.ID, e.Host)
	}
	return e.Host
}
