package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// v1Unlimited: v1 reports "no limit" as a page-rounded LONG_MAX
// (9223372036854771712 on 4 KiB pages); anything this large is no limit.
const v1Unlimited = int64(1) << 62

// ReadLimits reads the memory and CPU limits of the calling process's cgroup.
// Missing controllers mean unlimited; only unreadable or malformed files are
// errors.
func ReadLimits(root string) (Limits, error) {
	h, err := locate(root)
	if err != nil {
		return Limits{}, err
	}
	var l Limits
	var src []string
	if p, ok := h.controller("memory"); ok {
		mem, file, err := h.memoryLimit(p)
		if err != nil {
			return Limits{}, err
		}
		l.MemoryBytes = mem
		l.Version = p.version
		if file != "" {
			src = append(src, "memory: "+file)
		}
	}
	if p, ok := h.controller("cpu"); ok {
		cpus, shares, weight, files, err := h.cpuLimit(p)
		if err != nil {
			return Limits{}, err
		}
		l.CPUs, l.CPUShares, l.CPUWeight = cpus, shares, weight
		// Any v1 controller makes the answer "v1": that is what enforces.
		if l.Version == 0 || p.version == 1 {
			l.Version = p.version
		}
		src = append(src, files...)
	}
	if l.Version == 0 && len(h.places) == 0 {
		src = append(src, "no cgroup mounted")
	}
	l.Source = strings.Join(src, "; ")
	return l, nil
}

// memoryLimit is the smallest limit from the cgroup up to the mount point.
// The file named is the one that set it, or the leaf file when none did.
func (h hierarchy) memoryLimit(p place) (int64, string, error) {
	name := "memory.max"
	if p.version == 1 {
		name = "memory.limit_in_bytes"
	}
	var best int64
	var file string
	for _, d := range p.levels() {
		path := filepath.Join(d, name)
		v, ok, err := h.readLimit(path)
		if err != nil {
			return 0, "", err
		}
		if !ok {
			continue
		}
		if file == "" {
			file = path
		}
		if v > 0 && (best == 0 || v < best) {
			best, file = v, path
		}
	}
	return best, file, nil
}

// cpuLimit is the smallest quota/period from the cgroup up to the mount
// point, and the leaf's weight.
func (h hierarchy) cpuLimit(p place) (cpus float64, shares, weight int64, files []string, err error) {
	quotaFile := ""
	for _, d := range p.levels() {
		q, ok, err := h.cpuQuota(p.version, d)
		if err != nil {
			return 0, 0, 0, nil, err
		}
		if !ok {
			continue
		}
		name := "cpu.max"
		if p.version == 1 {
			name = "cpu.cfs_quota_us"
		}
		if quotaFile == "" {
			quotaFile = filepath.Join(d, name)
		}
		if q > 0 && (cpus == 0 || q < cpus) {
			cpus, quotaFile = q, filepath.Join(d, name)
		}
	}
	if quotaFile != "" {
		files = append(files, "cpu: "+quotaFile)
	}
	if p.version == 1 {
		path := filepath.Join(p.dir, "cpu.shares")
		v, ok, err := h.readLimit(path)
		if err != nil {
			return 0, 0, 0, nil, err
		}
		if ok {
			shares = v
			files = append(files, "shares: "+path)
		}
		return cpus, shares, 0, files, nil
	}
	path := filepath.Join(p.dir, "cpu.weight")
	v, ok, err := h.readLimit(path)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	if ok && v > 0 {
		weight = v
		// systemd's scale, where both defaults meet (100 <-> 1024); runc's
		// mapping would turn the default weight into 2597 shares.
		shares = v * 1024 / 100
		files = append(files, "weight: "+path)
	}
	return cpus, shares, weight, files, nil
}

// cpuQuota reads quota/period at one level; ok is false when the files are
// absent there.
func (h hierarchy) cpuQuota(version int, dir string) (float64, bool, error) {
	if version == 2 {
		path := filepath.Join(dir, "cpu.max")
		data, err := os.ReadFile(filepath.Join(h.root, path))
		if errors.Is(err, fs.ErrNotExist) {
			return 0, false, nil
		}
		if err != nil {
			return 0, false, fmt.Errorf("cannot read %s: %w", path, err)
		}
		f := strings.Fields(string(data))
		if len(f) != 2 {
			return 0, false, fmt.Errorf("cannot parse %s: want \"quota period\", got %q", path, strings.TrimSpace(string(data)))
		}
		if f[0] == "max" {
			return 0, true, nil
		}
		q, err1 := strconv.ParseInt(f[0], 10, 64)
		per, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil || per <= 0 {
			return 0, false, fmt.Errorf("cannot parse %s: %q", path, strings.TrimSpace(string(data)))
		}
		return float64(q) / float64(per), true, nil
	}
	q, ok, err := h.readLimit(filepath.Join(dir, "cpu.cfs_quota_us"))
	if err != nil || !ok {
		return 0, ok, err
	}
	per, ok, err := h.readLimit(filepath.Join(dir, "cpu.cfs_period_us"))
	if err != nil || !ok {
		return 0, ok, err
	}
	if q <= 0 || per <= 0 {
		return 0, true, nil
	}
	return float64(q) / float64(per), true, nil
}

// readLimit reads one integer file, where "max", "-1" and v1's huge values
// mean 0 (unlimited). ok is false when the file does not exist.
func (h hierarchy) readLimit(path string) (int64, bool, error) {
	data, err := os.ReadFile(filepath.Join(h.root, path))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("cannot read %s: %w", path, err)
	}
	s := strings.TrimSpace(string(data))
	if s == "max" || s == "-1" {
		return 0, true, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// Values above int64 exist on some v1 kernels; they mean no limit.
		if u, uerr := strconv.ParseUint(s, 10, 64); uerr == nil && u > uint64(v1Unlimited) {
			return 0, true, nil
		}
		return 0, false, fmt.Errorf("cannot parse %s: %q is not a number", path, s)
	}
	if v >= v1Unlimited || v < 0 {
		return 0, true, nil
	}
	return v, true, nil
}
