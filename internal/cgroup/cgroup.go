// Package cgroup reads the CPU and memory limits and usage of the cgroup the
// calling process lives in, for cgroup v1, v2 and hybrid hosts.
//
// Every path is taken relative to a root directory: "/" on a live system, a
// fixture tree under testdata/ in tests. The process's cgroup is located from
// <root>/proc/self/cgroup and <root>/proc/self/mountinfo, so the package works
// inside containers with or without a cgroup namespace.
//
// A controller mounted as v1 wins over the v2 hierarchy: on hybrid hosts the v2
// ("unified") mount usually has no controllers enabled, and the v1 files are
// the ones the kernel enforces.
//
// Limits are the tightest along the path from the process's cgroup up to the
// mount point, because a parent's limit applies to every child even when the
// child's own file says "max".
package cgroup

// Limits are the container's CPU and memory limits.
type Limits struct {
	// Version is 1 or 2 for the hierarchy the limits came from (1 when any
	// controller used was v1), 0 when no cgroup controller was found.
	Version int
	// MemoryBytes is the memory limit; 0 means unlimited.
	MemoryBytes int64
	// CPUs is quota/period; 0 means unlimited.
	CPUs float64
	// CPUShares is the relative CPU weight in v1 units (default 1024); for v2
	// it is cpu.weight scaled so that 100 is 1024. 0 when unknown.
	CPUShares int64
	// CPUWeight is the raw v2 cpu.weight (1..10000, default 100); 0 on v1.
	CPUWeight int64
	// Source names the files the values came from, for `kinit check`.
	Source string
	// MemoryFromHost and CPUsFromHost are set by Effective when the value was
	// unlimited in the cgroup and was replaced by the host's.
	MemoryFromHost bool
	CPUsFromHost   bool
}

// Host is what the machine itself offers.
type Host struct {
	MemoryBytes int64
	CPUs        int
}

// Usage is the container's current consumption.
type Usage struct {
	Version          int
	MemoryBytes      int64
	MemoryLimitBytes int64 // 0 means unlimited
	CPUUsageNanos    uint64
	NrThrottled      uint64
	ThrottledNanos   uint64
}

// Effective returns the limits with unlimited values replaced by the host's
// (and limits larger than the host clamped to it), flagging which came from
// the host.
func Effective(root string) (Limits, Host, error) {
	l, err := ReadLimits(root)
	if err != nil {
		return Limits{}, Host{}, err
	}
	h, err := ReadHost(root)
	if err != nil {
		return Limits{}, Host{}, err
	}
	if l.MemoryBytes <= 0 || l.MemoryBytes > h.MemoryBytes {
		l.MemoryBytes = h.MemoryBytes
		l.MemoryFromHost = true
	}
	if l.CPUs <= 0 || l.CPUs > float64(h.CPUs) {
		l.CPUs = float64(h.CPUs)
		l.CPUsFromHost = true
	}
	return l, h, nil
}
