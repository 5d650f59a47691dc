package cgroup

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ReadUsage reads the container's memory usage and limit and its cumulative
// CPU time and throttling. Counters a hierarchy does not offer stay zero.
func ReadUsage(root string) (Usage, error) {
	r, err := NewReader(root)
	if err != nil {
		return Usage{}, err
	}
	return r.Usage()
}

// Reader remembers where the process's cgroup is, so that sampling usage
// every interval does not parse mountinfo every time.
type Reader struct{ h hierarchy }

// NewReader locates the calling process's cgroup under root.
func NewReader(root string) (*Reader, error) {
	h, err := locate(root)
	if err != nil {
		return nil, err
	}
	return &Reader{h: h}, nil
}

// Usage is ReadUsage for the located cgroup.
func (r *Reader) Usage() (Usage, error) {
	h := r.h
	var u Usage
	if p, ok := h.controller("memory"); ok {
		u.Version = p.version
		name := "memory.current"
		if p.version == 1 {
			name = "memory.usage_in_bytes"
		}
		v, _, err := h.readLimit(filepath.Join(p.dir, name))
		if err != nil {
			return Usage{}, err
		}
		u.MemoryBytes = v
		if u.MemoryLimitBytes, _, err = h.memoryLimit(p); err != nil {
			return Usage{}, err
		}
	}
	// v1 keeps CPU time in cpuacct and throttling in cpu; v2 has both in the
	// cgroup's cpu.stat (present even with the cpu controller disabled).
	if p, ok := h.controller("cpuacct"); ok && p.version == 1 {
		v, _, err := h.readLimit(filepath.Join(p.dir, "cpuacct.usage"))
		if err != nil {
			return Usage{}, err
		}
		u.CPUUsageNanos = uint64(v)
		u.Version = 1
	}
	if p, ok := h.controller("cpu"); ok {
		stat, err := h.readStat(filepath.Join(p.dir, "cpu.stat"))
		if err != nil {
			return Usage{}, err
		}
		if p.version == 2 {
			u.CPUUsageNanos = stat["usage_usec"] * 1000
			u.ThrottledNanos = stat["throttled_usec"] * 1000
		} else {
			u.ThrottledNanos = stat["throttled_time"]
		}
		u.NrThrottled = stat["nr_throttled"]
		if u.Version == 0 || p.version == 1 {
			u.Version = p.version
		}
	}
	return u, nil
}

// readStat reads a flat "key value" file; a missing file is an empty map.
func (h hierarchy) readStat(path string) (map[string]uint64, error) {
	out := map[string]uint64{}
	f, err := os.Open(filepath.Join(h.root, path))
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("cannot parse %s: %q", path, sc.Text())
		}
		out[k] = n
	}
	return out, sc.Err()
}
