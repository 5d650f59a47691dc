package roles

import (
	"github.com/kinit/kinit/plan"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const shipped = "../rootfs/etc/kinit/kinit.toml"

func TestLoadShipped(t *testing.T) {
	cfg, err := Load(shipped)
	if err != nil {
		t.Fatalf("shipped config does not load:\n%v", err)
	}
	for _, id := range []string{"default", "production", "standalone"} {
		if cfg.Configs[id] == nil {
			t.Errorf("config %q missing", id)
		}
	}
	want := map[string][]string{
		"default/gateway":      {"control-center"},
		"default/broker":       {"kafka-scram-admin", "kafka-broker", "schema-registry"},
		"default/zookeeper":    {"zookeeper", "kafka-scram-admin", "kafka-broker"},
		"production/broker":    {"kafka-scram-admin", "kafka-broker"},
		"production/zookeeper": {"zookeeper"},
		"production/schemareg": {"schema-registry"},
		"production/gateway":   {"control-center"},
		"standalone/broker":    {"zookeeper", "kafka-scram-admin", "kafka-broker", "schema-registry", "control-center"},
	}
	for k, svcs := range want {
		id, role, _ := strings.Cut(k, "/")
		if got := cfg.Configs[id].Roles[role]; strings.Join(got, ",") != strings.Join(svcs, ",") {
			t.Errorf("%s runs %v, want %v", k, got, svcs)
		}
	}
	card := map[string]string{"broker": "1+", "zookeeper": "1+", "schemareg": "1+", "gateway": "0+"}
	for r, c := range card {
		if cfg.Roles[r] == nil || cfg.Roles[r].Cardinality != c {
			t.Errorf("role %s cardinality = %+v, want %s", r, cfg.Roles[r], c)
		}
	}
	ports := map[string]int{"zookeeper": 2181, "kafka-broker": 9092, "schema-registry": 8081, "control-center": 9021}
	for s, p := range ports {
		if cfg.Services[s].Port != p {
			t.Errorf("service %s port %d, want %d", s, cfg.Services[s].Port, p)
		}
	}
}

var reWant = regexp.MustCompile(`(?m)^# want: (\d+): (.*)$`)

// TestLoadBad loads every testdata/bad/*.toml and checks that each "# want:
// LINE: TEXT" comment matches one reported problem at that line.
func TestLoadBad(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad/*.toml")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Load(f)
			if err == nil {
				t.Fatal("loaded without error")
			}
			if !IsConfigError(err) {
				t.Errorf("not a config error: %v", err)
			}
			probs := Problems(err)
			for _, m := range reWant.FindAllStringSubmatch(string(data), -1) {
				line, _ := strconv.Atoi(m[1])
				found := false
				for _, p := range probs {
					e, ok := p.(*Error)
					if ok && e.File == f && e.Line == line && strings.Contains(e.Msg, m[2]) {
						found = true
					}
				}
				if !found {
					t.Errorf("want %s:%d: %s\ngot:\n%v", f, line, m[2], err)
				}
			}
		})
	}
}

func TestLoadMinimal(t *testing.T) {
	cfg, err := Load("testdata/minimal.toml")
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Services["app"]
	if s.Restart.Policy != "on-failure" || s.Grace != plan.DefaultGrace || s.Ready.Kind != "none" || s.StopSignal != "SIGTERM" {
		t.Errorf("defaults not applied: %+v", s)
	}
}

func TestValidationTable(t *testing.T) {
	base := `
[roles.node]
[services.a]
command = ["/a"]
port = 1000
[services.b]
command = ["/b"]
port = 2000
`
	tests := []struct {
		name, extra, want string
	}{
		{"cycle", `
[services.c]
command = ["/c"]
wait = ["d"]
[services.d]
command = ["/d"]
wait = ["c"]
[configs.default.roles]
node = ["c", "d"]`, "cycle: c -> d -> c"},
		{"duplicate port", `
[services.c]
command = ["/c"]
port = 1000
[configs.default.roles]
node = ["a", "c"]`, "port 1000 is used by both a and c"},
		{"over-provisioned", `
[configs.default]
memory_shares = { a = 0.7, b = "40%" }
[configs.default.roles]
node = ["a", "b"]`, "memory shares add up to 110% (a 70% + b 40%)"},
		{"wait outside config", `
[services.c]
command = ["/c"]
wait = ["b"]
[configs.default.roles]
node = ["a", "c"]`, `waits for "b", which no role of this config runs`},
		{"heap min above max", `
[services.c]
command = ["/c"]
heap_min = "2g"
heap_max = "1g"
[configs.default.roles]
node = ["c"]`, "heap_min 2048 MiB is above heap_max 1024 MiB"},
		{"var cycle", `
[vars]
x = "@@Y@@"
y = "@@X@@"
[configs.default.roles]
node = ["a"]`, "vars reference each other in a cycle"},
		{"var uses node macro", `
[vars]
x = "@@GET_NODE_FQDN@@"
[configs.default.roles]
node = ["a"]`, "vars may use other vars and CONFIG_DIR only"},
		{"shadowing macro", `
[macros]
GET_NODE_FQDN = "x"
[configs.default.roles]
node = ["a"]`, "shadows a built-in"},
		{"reserved var", `
[vars]
node_id = "1"
[configs.default.roles]
node = ["a"]`, "KINIT_NODE_ID is a kinit setting"},
		{"zookeeper ports", `
[services.zk]
kind = "zookeeper"
command = ["/zk"]
port = 2181
[configs.default.roles]
node = ["zk"]`, "needs port and ports.peer and ports.election"},
		{"kafka probe", `
[services.k]
kind = "kafka"
command = ["/k"]
ready = { kind = "kafka" }
[configs.default.roles]
node = ["k"]`, "kafka probe needs zk_connect"},
		{"no configs", ``, "at least one cluster config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("k.toml", []byte(base+tt.extra))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want error containing %q, got:\n%v", tt.want, err)
			}
			for _, p := range Problems(err) {
				if e, ok := p.(*Error); !ok || e.File != "k.toml" {
					t.Errorf("problem without file: %v", p)
				}
			}
		})
	}
}
