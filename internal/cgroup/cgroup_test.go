package cgroup

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const gib = int64(1) << 30

func TestReadLimitsFixtures(t *testing.T) {
	tests := []struct {
		dir  string
		want Limits
	}{
		{"v2", Limits{Version: 2, MemoryBytes: 512 << 20, CPUs: 1.5, CPUShares: 1024, CPUWeight: 100,
			Source: "memory: /sys/fs/cgroup/memory.max; cpu: /sys/fs/cgroup/cpu.max; weight: /sys/fs/cgroup/cpu.weight"}},
		{"v2-nested", Limits{Version: 2, MemoryBytes: gib, CPUs: 2, CPUShares: 4096, CPUWeight: 400,
			Source: "memory: /sys/fs/cgroup/system.slice/kinit.service/memory.max; cpu: /sys/fs/cgroup/system.slice/kinit.service/cpu.max; weight: /sys/fs/cgroup/system.slice/kinit.service/payload/cpu.weight"}},
		{"v1", Limits{Version: 1, MemoryBytes: 2 * gib, CPUs: 0.5, CPUShares: 512,
			Source: "memory: /sys/fs/cgroup/memory/memory.limit_in_bytes; cpu: /sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us; shares: /sys/fs/cgroup/cpu,cpuacct/cpu.shares"}},
		{"hybrid", Limits{Version: 1, MemoryBytes: 0, CPUs: 0, CPUShares: 1024,
			Source: "memory: /sys/fs/cgroup/memory/process_api/job1/memory.limit_in_bytes; cpu: /sys/fs/cgroup/cpu/cpu.cfs_quota_us; shares: /sys/fs/cgroup/cpu/cpu.shares"}},
		{"unlimited", Limits{Version: 2, MemoryBytes: 0, CPUs: 0, CPUShares: 1024, CPUWeight: 100,
			Source: "memory: /sys/fs/cgroup/memory.max; cpu: /sys/fs/cgroup/cpu.max; weight: /sys/fs/cgroup/cpu.weight"}},
		{"oversized", Limits{Version: 2, MemoryBytes: 64 * gib, CPUs: 4,
			Source: "memory: /sys/fs/cgroup/memory.max; cpu: /sys/fs/cgroup/cpu.max"}},
		{"none", Limits{Version: 0, Source: "no cgroup mounted"}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			got, err := ReadLimits(filepath.Join("testdata", tt.dir))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ReadLimits:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestEffectiveFixtures(t *testing.T) {
	hostMem := int64(8039716) * 1024
	tests := []struct {
		dir              string
		mem              int64
		cpus             float64
		memHost, cpuHost bool
		hostCPUs         int
	}{
		{"v2", 512 << 20, 1.5, false, false, 4},
		{"v2-nested", gib, 2, false, false, 8},
		{"v1", 2 * gib, 0.5, false, false, 2},
		{"hybrid", hostMem, 2, true, true, 2},
		{"unlimited", hostMem, 4, true, true, 4},
		{"oversized", hostMem, 1, true, true, 1},
		{"none", hostMem, 2, true, true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			l, h, err := Effective(filepath.Join("testdata", tt.dir))
			if err != nil {
				t.Fatal(err)
			}
			if h.MemoryBytes != hostMem || h.CPUs != tt.hostCPUs {
				t.Errorf("host = %+v, want %d bytes, %d cpus", h, hostMem, tt.hostCPUs)
			}
			if l.MemoryBytes != tt.mem || l.CPUs != tt.cpus || l.MemoryFromHost != tt.memHost || l.CPUsFromHost != tt.cpuHost {
				t.Errorf("Effective = mem %d (host %v) cpus %g (host %v); want mem %d (host %v) cpus %g (host %v)",
					l.MemoryBytes, l.MemoryFromHost, l.CPUs, l.CPUsFromHost, tt.mem, tt.memHost, tt.cpus, tt.cpuHost)
			}
		})
	}
}

func TestReadUsageFixtures(t *testing.T) {
	tests := []struct {
		dir  string
		want Usage
	}{
		{"v2", Usage{Version: 2, MemoryBytes: 100 << 20, MemoryLimitBytes: 512 << 20, CPUUsageNanos: 2_500_000_000, NrThrottled: 7, ThrottledNanos: 350_000_000}},
		{"v2-nested", Usage{Version: 2, MemoryBytes: 50 << 20, MemoryLimitBytes: gib, CPUUsageNanos: 1_000_000}},
		{"v1", Usage{Version: 1, MemoryBytes: 300 << 20, MemoryLimitBytes: 2 * gib, CPUUsageNanos: 987654321, NrThrottled: 12, ThrottledNanos: 4_500_000_000}},
		{"hybrid", Usage{Version: 1, MemoryBytes: 30785536, CPUUsageNanos: 123_000_000_000}},
		{"unlimited", Usage{Version: 2, MemoryBytes: 4096}},
		{"none", Usage{}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			got, err := ReadUsage(filepath.Join("testdata", tt.dir))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ReadUsage:\n got %+v\nwant %+v", got, tt.want)
			}
			r, err := NewReader(filepath.Join("testdata", tt.dir))
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 2; i++ { // a Reader reads afresh each time
				if got, err := r.Usage(); err != nil || got != tt.want {
					t.Errorf("Reader.Usage #%d = %+v, %v", i, got, err)
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, root, want string
	}{
		{"malformed limit", "testdata/bad", `cannot parse /sys/fs/cgroup/memory.max: "lots" is not a number`},
		{"no proc", "testdata/does-not-exist", "cannot read mountinfo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadLimits(tt.root)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ReadLimits(%s) error = %v, want %q", tt.root, err, tt.want)
			}
			if _, _, err := Effective(tt.root); err == nil {
				t.Fatalf("Effective(%s) did not fail", tt.root)
			}
		})
	}
}

func TestCountCPUList(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"0", 1, true}, {"0-3", 4, true}, {"0-1,4-5", 4, true}, {"0,2,4", 3, true},
		{"3-1", 0, false}, {"x", 0, false},
	}
	for _, tt := range tests {
		got, err := countCPUList(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("countCPUList(%q) = %d, %v; want %d ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestUnescapeOctal(t *testing.T) {
	for in, want := range map[string]string{`/a\040b`: "/a b", `/plain`: "/plain", `/end\04`: `/end\04`} {
		if got := unescapeOctal(in); got != want {
			t.Errorf("unescapeOctal(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLive checks invariants that must hold on whatever machine runs the
// tests: the machine's own cgroup, v1, v2 or hybrid.
func TestLive(t *testing.T) {
	l, h, err := Effective("/")
	if err != nil {
		t.Fatal(err)
	}
	if h.MemoryBytes <= 0 || h.CPUs <= 0 {
		t.Fatalf("host = %+v, want positive memory and CPUs", h)
	}
	if l.MemoryBytes <= 0 || l.MemoryBytes > h.MemoryBytes {
		t.Errorf("effective memory %d not in (0, host %d]", l.MemoryBytes, h.MemoryBytes)
	}
	if l.CPUs <= 0 || l.CPUs > float64(h.CPUs) {
		t.Errorf("effective CPUs %g not in (0, host %d]", l.CPUs, h.CPUs)
	}
	if l.Version != 0 && l.Source == "" {
		t.Errorf("limits from cgroup v%d name no source file", l.Version)
	}
	raw, err := ReadLimits("/")
	if err != nil {
		t.Fatal(err)
	}
	wantFromHost := raw.MemoryBytes == 0 || raw.MemoryBytes > h.MemoryBytes
	if l.MemoryFromHost != wantFromHost {
		t.Errorf("raw memory limit %d, host %d, but MemoryFromHost=%v", raw.MemoryBytes, h.MemoryBytes, l.MemoryFromHost)
	}

	u1, err := ReadUsage("/")
	if err != nil {
		t.Fatal(err)
	}
	// Burn a little CPU and memory so the counters must move (or stay equal
	// when the hierarchy does not offer them: never go backwards).
	buf := make([]byte, 8<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	x := 0.0
	for i := 0; i < 2_000_000; i++ {
		x += math.Sqrt(float64(i))
	}
	u2, err := ReadUsage("/")
	if err != nil {
		t.Fatal(err)
	}
	if u2.CPUUsageNanos < u1.CPUUsageNanos {
		t.Errorf("cgroup CPU usage went backwards: %d -> %d (x=%g)", u1.CPUUsageNanos, u2.CPUUsageNanos, x)
	}
	if u1.Version != 0 && u2.MemoryBytes <= 0 {
		t.Errorf("cgroup v%d memory usage %d, want > 0 for a running process", u2.Version, u2.MemoryBytes)
	}
	if u2.MemoryLimitBytes != raw.MemoryBytes {
		t.Errorf("usage limit %d != limits %d", u2.MemoryLimitBytes, raw.MemoryBytes)
	}
	if _, err := os.Stat("/proc/self/cgroup"); err != nil {
		t.Fatalf("live test needs /proc: %v", err)
	}
	_ = buf[len(buf)-1]
}
