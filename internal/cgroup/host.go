package cgroup

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ReadHost reads the machine's memory (MemTotal in /proc/meminfo) and the
// CPUs this process may run on. On a live system (root "/") the scheduler
// affinity mask narrows the online CPUs, as taskset or --cpuset-cpus would.
func ReadHost(root string) (Host, error) {
	var h Host
	mem, err := memTotal(filepath.Join(root, "proc/meminfo"))
	if err != nil {
		return h, err
	}
	h.MemoryBytes = mem
	online := filepath.Join(root, "sys/devices/system/cpu/online")
	if data, err := os.ReadFile(online); err == nil {
		n, err := countCPUList(strings.TrimSpace(string(data)))
		if err != nil {
			return h, fmt.Errorf("cannot parse %s: %w", online, err)
		}
		h.CPUs = n
	}
	if filepath.Clean(root) == "/" {
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(0, &set); err == nil {
			if n := set.Count(); n > 0 && (h.CPUs == 0 || n < h.CPUs) {
				h.CPUs = n
			}
		}
	}
	if h.CPUs == 0 {
		return h, fmt.Errorf("cannot count CPUs: %s unreadable", online)
	}
	return h, nil
}

func memTotal(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("cannot read meminfo: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		rest, ok := bytes.CutPrefix(line, []byte("MemTotal:"))
		if !ok {
			continue
		}
		f := strings.Fields(string(rest))
		if len(f) == 0 {
			break
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || kb <= 0 {
			return 0, fmt.Errorf("cannot parse %s: MemTotal %q", path, f[0])
		}
		return kb * 1024, nil
	}
	return 0, fmt.Errorf("cannot parse %s: no MemTotal line", path)
}

// countCPUList counts a kernel CPU list such as "0-3,8,10-11".
func countCPUList(s string) (int, error) {
	n := 0
	for _, part := range strings.Split(s, ",") {
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return 0, fmt.Errorf("bad cpu list %q", s)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return 0, fmt.Errorf("bad cpu list %q", s)
			}
		}
		n += b - a + 1
	}
	return n, nil
}
