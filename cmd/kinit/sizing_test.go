package main

import (
	"testing"

	"github.com/kinit/kinit/node"
)

const cgroupFixtures = "../../internal/cgroup/testdata/"

func TestSizingFromCgroupV1(t *testing.T) {
	setEnv(t, map[string]string{"KINIT_CONFIG": "../../rootfs/etc/kinit/kinit.toml", "KINIT_CONFIG_ID": "standalone",
		"KINIT_FQDN": "demo", "KINIT_DATA_DIR": t.TempDir(), "KINIT_CGROUP_ROOT": cgroupFixtures + "v1", "KINIT_FLAVOR": "large"})
	np, err := node.Load("")
	if err != nil {
		t.Fatal(err)
	}
	sz := np.Rendering.Sizing
	if sz.MemoryBytes != 2<<30 || sz.MemorySource != "cgroup" || sz.ActiveProcessorCount != 1 {
		t.Errorf("sizing %+v", sz)
	}
	kb := np.Rendering.Service("kafka-broker")
	if kb.HeapBytes != 460<<20 || kb.Vars["KAFKA_HEAP_OPTS"] != "-Xms460m -Xmx460m" || kb.Vars["KAFKA_OPTS"] != "-XX:ActiveProcessorCount=1" {
		t.Errorf("kafka-broker heap %d env %v", kb.HeapBytes>>20, kb.Env)
	}
}
