package roles

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// KRaft identity rules on the shipped config: one node.id per process
// across controllers and brokers; a cluster id required for several
// nodes, generated for one and then read back from the volume; a volume
// of another cluster refused naming both ids and the file.
func TestKRaftIdentity(t *testing.T) {
	cfg := loadShipped(t)
	const id = "MkU3OEVBNTcwNTJENDM2Qg"
	base := func(extra Env) Env {
		e := Env{"KINIT_CONFIG_ID": "kraft-production", "KINIT_ROLE": "broker", "KINIT_FQDN": "b-1",
			"KINIT_NODES": "controller=1@c-1,2@c-2,3@c-3;broker=4@b-1,5@b-2", "KINIT_CLUSTER_ID": id,
			"KINIT_DATA_DIR": t.TempDir()}
		for k, v := range extra {
			e[k] = v
		}
		return e
	}
	for _, tt := range []struct {
		name string
		env  Env
		want string
	}{
		{"controller and broker share an id", base(Env{"KINIT_NODES": "controller=1@c-1,2@c-2,3@c-3;broker=1@b-1,5@b-2"}),
			"node id 1 is shared by c-1 (controller, explicit, runs kraft-controller) and b-1 (broker, member list (explicit), runs kraft-broker): in KRaft mode every node.id is unique across controllers and brokers"},
		{"no cluster id for five nodes", base(Env{"KINIT_CLUSTER_ID": ""}),
			"KINIT_CLUSTER_ID is not set: a KRaft cluster of 5 nodes needs one cluster id"},
		{"bad cluster id", base(Env{"KINIT_CLUSTER_ID": "not-an-id"}), "KINIT_CLUSTER_ID: cluster id \"not-an-id\" is not 16 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Resolve(cfg, tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want %q, got %v", tt.want, err)
			}
		})
	}
	n, err := Resolve(cfg, base(nil))
	if err != nil {
		t.Fatal(err)
	}
	if n.ID != 4 || n.ClusterID != id || n.ClusterIDSource != "KINIT_CLUSTER_ID" {
		t.Errorf("node %d, cluster id %q from %q", n.ID, n.ClusterID, n.ClusterIDSource)
	}
	// KAFKA_NODE_ID, the Apache image's name for the id, is the node id.
	if n, err := Resolve(cfg, base(Env{"KAFKA_NODE_ID": "4"})); err != nil || n.ID != 4 || n.IDSource != "member list (KAFKA_NODE_ID)" && n.IDSource != "KAFKA_NODE_ID" {
		t.Errorf("KAFKA_NODE_ID=4: %v, %v", n, err)
	}
	if _, err := Resolve(cfg, base(Env{"KAFKA_NODE_ID": "5", "KINIT_NODE_ID": "4"})); err == nil || !strings.Contains(err.Error(), "KINIT_NODE_ID=4 and KAFKA_NODE_ID=5 disagree") {
		t.Errorf("KINIT_NODE_ID and KAFKA_NODE_ID apart: %v", err)
	}
	// CLUSTER_ID, the Apache image's name, works too.
	if n, err := Resolve(cfg, base(Env{"KINIT_CLUSTER_ID": "", "CLUSTER_ID": id})); err != nil || n.ClusterIDSource != "CLUSTER_ID" {
		t.Errorf("CLUSTER_ID: %v, %v", n, err)
	}

	// One node: generated, persisted, read back; then a volume formatted
	// for another cluster is refused.
	dir := t.TempDir()
	single := Env{"KINIT_CONFIG_ID": "kraft-standalone", "KINIT_ROLE": "broker", "KINIT_FQDN": "k", "KINIT_DATA_DIR": dir}
	n, err = Resolve(cfg, single)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(n.ClusterIDSource, "generated") || CheckClusterID(n.ClusterID) != nil {
		t.Fatalf("single node: cluster id %q from %q", n.ClusterID, n.ClusterIDSource)
	}
	if _, err := n.PersistID(); err != nil {
		t.Fatal(err)
	}
	again, err := Resolve(cfg, single)
	if err != nil || again.ClusterID != n.ClusterID || !strings.HasSuffix(again.ClusterIDSource, ClusterIDFile) {
		t.Fatalf("second start: %q from %q (%v); want %q from the volume", again.ClusterID, again.ClusterIDSource, err, n.ClusterID)
	}
	meta := filepath.Join(dir, "kraft", "data", "meta.properties")
	if err := os.MkdirAll(filepath.Dir(meta), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(meta, []byte("node.id=1\ncluster.id="+n.ClusterID+"\nversion=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	single["KINIT_CLUSTER_ID"] = id
	_, err = Resolve(cfg, single)
	for _, want := range []string{meta + ":2", "cluster.id=" + n.ClusterID, "cluster id is " + id, "formatted for another cluster"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("another cluster's volume: want %q in %v", want, err)
		}
	}
}
