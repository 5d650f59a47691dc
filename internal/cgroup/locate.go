package cgroup

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// mount is one cgroup filesystem from mountinfo.
type mount struct {
	version     int      // 1 or 2
	root        string   // the cgroup path mounted there (field 4)
	point       string   // where it is mounted, without the root prefix
	controllers []string // v1 only: from the super options
}

// membership is one line of /proc/self/cgroup.
type membership struct {
	controllers []string // empty for the v2 line "0::/path"
	path        string
}

// place is a located controller: the directory of the process's cgroup and
// the mount point above which limits are not looked for.
type place struct {
	version int
	dir     string // path without the root prefix
	top     string // mount point, without the root prefix
}

// hierarchy is what locate found for the process.
type hierarchy struct {
	root   string
	places map[string]place // controller name -> place; "" is the v2 hierarchy
}

func locate(root string) (hierarchy, error) {
	h := hierarchy{root: root, places: map[string]place{}}
	mounts, err := readMountinfo(filepath.Join(root, "proc/self/mountinfo"))
	if err != nil {
		return h, err
	}
	members, err := readMembership(filepath.Join(root, "proc/self/cgroup"))
	if err != nil {
		return h, err
	}
	for _, m := range mounts {
		switch m.version {
		case 2:
			for _, mb := range members {
				if len(mb.controllers) == 0 {
					// The last cgroup2 mount wins: one mounted over an
					// earlier one (or over its parent) hides it.
					h.places[""] = place{2, h.dirUnder(m, mb.path), m.point}
				}
			}
		case 1:
			for _, c := range m.controllers {
				for _, mb := range members {
					if contains(mb.controllers, c) {
						if _, seen := h.places[c]; !seen {
							h.places[c] = place{1, h.dirUnder(m, mb.path), m.point}
						}
					}
				}
			}
		}
	}
	return h, nil
}

// dirUnder maps a cgroup path from /proc/self/cgroup to a directory below the
// mount. Without a cgroup namespace the mount root is a prefix of the path
// (Docker on v1 mounts /docker/<id> at /sys/fs/cgroup/memory); when the
// result does not exist, or would leave the mount, the mount point itself is
// the process's cgroup as seen from here.
func (h hierarchy) dirUnder(m mount, cgPath string) string {
	rel := cgPath
	if m.root != "/" {
		if r, ok := strings.CutPrefix(cgPath, m.root); ok && (r == "" || r[0] == '/') {
			rel = r
		}
	}
	dir := filepath.Join(m.point, rel)
	if dir != m.point && !strings.HasPrefix(dir, m.point+"/") {
		return m.point
	}
	if fi, err := os.Stat(filepath.Join(h.root, dir)); err != nil || !fi.IsDir() {
		return m.point
	}
	return dir
}

// controller returns where a controller is: a v1 mount of it when there is
// one, else the v2 hierarchy when it has the controller enabled (checked by
// the presence of the file the caller wants, level by level).
func (h hierarchy) controller(name string) (place, bool) {
	if p, ok := h.places[name]; ok {
		return p, true
	}
	p, ok := h.places[""]
	return p, ok
}

// levels lists the directories from the cgroup up to its mount point.
func (p place) levels() []string {
	var out []string
	for d := p.dir; ; d = filepath.Dir(d) {
		out = append(out, d)
		if d == p.top || d == "/" || d == "." {
			return out
		}
	}
}

func readMountinfo(path string) ([]mount, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read mountinfo: %w", err)
	}
	defer f.Close()
	var out []mount
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Fields(sc.Text())
		sep := -1
		for i, f := range fields {
			if f == "-" {
				sep = i
				break
			}
		}
		if sep < 6 || len(fields) < sep+4 {
			return nil, fmt.Errorf("cannot parse %s:%d: malformed mountinfo line", path, line)
		}
		var m mount
		switch fields[sep+1] {
		case "cgroup2":
			m.version = 2
		case "cgroup":
			m.version = 1
			for _, o := range strings.Split(fields[sep+3], ",") {
				switch {
				case o == "rw" || o == "ro" || strings.Contains(o, "="):
					// name=systemd and options like release_agent= are no controllers
				default:
					m.controllers = append(m.controllers, o)
				}
			}
		default:
			continue
		}
		m.root = unescapeOctal(fields[3])
		m.point = filepath.Clean(unescapeOctal(fields[4]))
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cannot read mountinfo: %w", err)
	}
	return out, nil
}

func readMembership(path string) ([]membership, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read process cgroup: %w", err)
	}
	var out []membership
	for i, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if l == "" {
			continue
		}
		parts := strings.SplitN(l, ":", 3)
		if len(parts) != 3 {
			return nil, fmt.Errorf("cannot parse %s:%d: want id:controllers:path", path, i+1)
		}
		var ctl []string
		if parts[1] != "" {
			for _, c := range strings.Split(parts[1], ",") {
				if !strings.HasPrefix(c, "name=") {
					ctl = append(ctl, c)
				}
			}
			if len(ctl) == 0 {
				continue // a named hierarchy like name=systemd holds no limits
			}
		} else if parts[0] != "0" {
			continue
		}
		out = append(out, membership{controllers: ctl, path: parts[2]})
	}
	return out, nil
}

// unescapeOctal undoes mountinfo's \040-style escaping of spaces and friends.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// OwnV2 is the directory of this process's cgroup in the v2 hierarchy
// (under root, "/" outside tests), when a cgroup2 filesystem is mounted
// where the process can see it.
func OwnV2(root string) (string, bool) {
	h, err := locate(root)
	if err != nil {
		return "", false
	}
	p, ok := h.places[""]
	if !ok {
		return "", false
	}
	return filepath.Join(root, p.dir), true
}
