package node_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/node"
	"github.com/kinit/kinit/roles"
	"github.com/kinit/kinit/supervisor"
)

var update = flag.Bool("update", false, "rewrite testdata/*.json and the golden trees under testdata/golden")

const shipped = "../rootfs/etc/kinit/kinit.toml"

// base is the container environment every case runs with: fixed, so the
// goldens never depend on this machine.
var base = []string{"PATH=/usr/bin:/bin", "HOME=/root", "TZ=UTC", "KAFKA_SSL_KEYSTORE_PASSWORD=broker-only", "UNRELATED=x"}

// SupervisorPlan for every role of every shipped config (three members per
// role; this node the last): the supervisor's whole input, compared with
// testdata/<config>-<role>.json (run with -update to rewrite), and valid
// for the supervisor (it computes start lanes from it).
func TestSupervisorPlanForShippedConfigs(t *testing.T) {
	cfg, err := roles.Load(shipped)
	if err != nil {
		t.Fatal(err)
	}
	for _, cid := range cfg.ConfigOrder {
		cc := cfg.Configs[cid]
		for _, role := range cc.RoleOrder {
			t.Run(cid+"/"+role, func(t *testing.T) {
				p := render(t, cfg, cc, cid, role)
				sp, err := node.SupervisorPlan(p, base)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := supervisor.Lanes(sp); err != nil {
					t.Fatalf("the supervisor refuses the plan: %v", err)
				}
				if len(sp.Services) != len(p.Services) {
					t.Fatalf("%d services in, %d out", len(p.Services), len(sp.Services))
				}
				for i, s := range sp.Services {
					if s.ID != p.Services[i].ID {
						t.Errorf("service %d is %s, want %s (order kept)", i, s.ID, p.Services[i].ID)
					}
				}
				got, err := json.MarshalIndent(sp, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				testkit.Golden(t, filepath.Join("testdata", cid+"-"+role+".json"), string(got)+"\n", *update)
			})
		}
	}
}

func render(t *testing.T, cfg *roles.Config, cc *roles.ClusterConfig, cid, role string) *macros.Rendering {
	t.Helper()
	return renderWith(t, cfg, cc, cid, role, nil)
}

// renderWith renders as render does with more container variables.
func renderWith(t *testing.T, cfg *roles.Config, cc *roles.ClusterConfig, cid, role string, extra roles.Env) *macros.Rendering {
	t.Helper()
	var groups []string
	for _, r := range cc.RoleOrder {
		groups = append(groups, fmt.Sprintf("%s=%s-1.example,%s-2.example,%s-3.example", r, r, r, r))
	}
	env := roles.Env{"KINIT_CONFIG_ID": cid, "KINIT_ROLE": role, "KINIT_FQDN": role + "-3.example",
		"KINIT_NODES": strings.Join(groups, ";"), "KINIT_DATA_DIR": t.TempDir(),
		// A uid no /etc/passwd knows: the same credentials whoever runs the test.
		"KINIT_RUN_USER": "12345:12345", "KINIT_RUN_GROUP": "12345",
		// KRaft configs of several nodes need one; ZooKeeper mode ignores it.
		"KINIT_CLUSTER_ID": "MkU3OEVBNTcwNTJENDM2Qg"}
	maps.Copy(env, extra)
	n, err := roles.Resolve(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	// Resolved against an empty data volume; rendered with the shipped
	// data dir so that paths do not depend on the test's temp dir.
	n.Vars["DATA_DIR"] = "/var/lib"
	for sid := range n.DataDirs {
		n.DataDirs[sid] = n.ExpandVars(cfg.Services[sid].DataDir)
	}
	p, err := macros.Build(n, macros.Options{Env: env, Limits: macros.Limits{MemoryBytes: 4 << 30, CPUs: 2, Source: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
