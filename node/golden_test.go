package node_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/node"
	"github.com/kinit/kinit/roles"
)

// goldenLimits are fixed so the sizing in the goldens never depends on the
// machine running the tests.
var goldenLimits = macros.Limits{MemoryBytes: 4 << 30, CPUs: 2, Source: "test"}

// clusterNodes builds a nodes list with size members per role of a config;
// this node is the last member of its role.
func clusterNodes(cc *roles.ClusterConfig, size int) string {
	var groups []string
	for _, role := range cc.RoleOrder {
		var hosts []string
		for i := 1; i <= size; i++ {
			hosts = append(hosts, fmt.Sprintf("%s-%d.example", role, i))
		}
		groups = append(groups, role+"="+strings.Join(hosts, ","))
	}
	return strings.Join(groups, ";")
}

// TestGolden renders every role of every shipped config for a 3-node and a
// 1-node cluster and compares the tree, and what `kinit check` prints of it
// (PLAN.txt: the services as the plan kinit up runs, gates included), byte
// for byte with testdata/golden/<config>-<N>node/<role>/. Run with -update
// to rewrite.
func TestGolden(t *testing.T) {
	cfg, err := roles.Load(shipped)
	if err != nil {
		t.Fatal(err)
	}
	for _, cid := range []string{"default", "production", "standalone", "kraft", "kraft-production", "kraft-standalone"} {
		cc := cfg.Configs[cid]
		for _, size := range []int{3, 1} {
			for _, role := range cc.RoleOrder {
				name := fmt.Sprintf("%s-%dnode/%s", cid, size, role)
				t.Run(name, func(t *testing.T) {
					env := roles.Env{
						"KINIT_CONFIG_ID": cid, "KINIT_ROLE": role,
						"KINIT_FQDN":  fmt.Sprintf("%s-%d.example", role, size),
						"KINIT_NODES": clusterNodes(cc, size),
						// KRaft configs of several nodes need one; ZooKeeper mode ignores it.
						"KINIT_CLUSTER_ID": "MkU3OEVBNTcwNTJENDM2Qg",
					}
					// Resolve against an empty data volume, then render with the
					// shipped data dir so the tree never depends on this machine.
					env["KINIT_DATA_DIR"] = t.TempDir()
					n, err := roles.Resolve(cfg, env)
					if err != nil {
						t.Fatal(err)
					}
					n.Vars["DATA_DIR"] = "/var/lib"
					for sid := range n.DataDirs {
						n.DataDirs[sid] = n.ExpandVars(cfg.Services[sid].DataDir)
					}
					r, err := macros.Build(n, macros.Options{Env: env, Limits: goldenLimits})
					if err != nil {
						t.Fatal(err)
					}
					out := t.TempDir()
					if _, err := r.Write(macros.WriteOptions{Root: filepath.Join(out, "tree")}); err != nil {
						t.Fatal(err)
					}
					sp, err := node.SupervisorPlan(r, base)
					if err != nil {
						t.Fatal(err)
					}
					var desc bytes.Buffer
					node.Describe(&desc, r, sp)
					if err := os.WriteFile(filepath.Join(out, "PLAN.txt"), desc.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					compareTree(t, out, filepath.Join("testdata", "golden", name))
				})
			}
		}
	}
}

func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		data, err := os.ReadFile(path)
		files[rel] = string(data)
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return files
}

func compareTree(t *testing.T, got, want string) {
	t.Helper()
	if *update {
		if err := os.RemoveAll(want); err != nil {
			t.Fatal(err)
		}
		for rel, content := range readTree(t, got) {
			p := filepath.Join(want, rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	g, w := readTree(t, got), readTree(t, want)
	if len(w) == 0 {
		t.Fatalf("no golden tree at %s (run go test ./node -run TestGolden -update)", want)
	}
	for rel, content := range w {
		if gc, ok := g[rel]; !ok {
			t.Errorf("%s: not rendered", rel)
		} else if gc != content {
			t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", rel, filepath.Join(want, rel), gc, content)
		}
	}
	for rel := range g {
		if _, ok := w[rel]; !ok {
			t.Errorf("%s: rendered but not in the golden tree", rel)
		}
	}
}
