package node

import (
	"testing"

	"github.com/kinit/kinit/roles"
)

const cgroupFixtures = "../internal/cgroup/testdata/"

// Load reads the container's limits from cgroup fixture trees (v1,
// v2, unlimited) and from the live machine, and sizing follows them.
func TestContainerLimits(t *testing.T) {
	tests := []struct {
		root             string
		mem              int64
		cpus             float64
		memHost, cpuHost bool
	}{
		{"v2", 512 << 20, 1.5, false, false},
		{"v1", 2 << 30, 0.5, false, false},
		{"unlimited", 0, 0, true, true},
	}
	for _, tt := range tests {
		l, note := containerLimits(roles.Env{"KINIT_CGROUP_ROOT": cgroupFixtures + tt.root})
		if note != "" {
			t.Errorf("%s: %s", tt.root, note)
		}
		if l.MemoryFromHost != tt.memHost || l.CPUsFromHost != tt.cpuHost ||
			(!tt.memHost && l.MemoryBytes != tt.mem) || (!tt.cpuHost && l.CPUs != tt.cpus) {
			t.Errorf("%s: limits %+v", tt.root, l)
		}
	}
	live, note := containerLimits(roles.Env{})
	if note != "" || live.MemoryBytes <= 0 || live.CPUs <= 0 {
		t.Errorf("live machine: %+v %s", live, note)
	}
}
