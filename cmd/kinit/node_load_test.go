package main

import (
	"testing"

	"github.com/kinit/kinit/roles"
)

const cgroupFixtures = "../../internal/cgroup/testdata/"

// The CLI glue reads the container's limits from cgroup fixture trees (v1,
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

func TestSizingFromCgroupV1(t *testing.T) {
	setEnv(t, map[string]string{"KINIT_CONFIG": "../../rootfs/etc/kinit/kinit.toml", "KINIT_CONFIG_ID": "standalone",
		"KINIT_FQDN": "demo", "KINIT_DATA_DIR": t.TempDir(), "KINIT_CGROUP_ROOT": cgroupFixtures + "v1", "KINIT_FLAVOR": "large"})
	np, err := loadNodePlan("")
	if err != nil {
		t.Fatal(err)
	}
	sz := np.plan.Sizing
	if sz.MemoryBytes != 2<<30 || sz.MemorySource != "cgroup" || sz.ActiveProcessorCount != 1 {
		t.Errorf("sizing %+v", sz)
	}
	kb := np.plan.Service("kafka-broker")
	if kb.HeapBytes != 460<<20 || kb.Env["KAFKA_HEAP_OPTS"] != "-Xms460m -Xmx460m" || kb.Env["KAFKA_OPTS"] != "-XX:ActiveProcessorCount=1" {
		t.Errorf("kafka-broker heap %d env %v", kb.HeapBytes>>20, kb.Env)
	}
}
