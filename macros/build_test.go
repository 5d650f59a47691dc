package macros

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	kplan "github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
)

func plan(t *testing.T, env roles.Env, lim Limits) *Rendering {
	t.Helper()
	cfg, err := roles.Load(shipped)
	if err != nil {
		t.Fatal(err)
	}
	if env["KINIT_DATA_DIR"] == "" {
		env["KINIT_DATA_DIR"] = t.TempDir()
	}
	n, err := roles.Resolve(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Build(n, Options{Env: env, Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func fileContent(p *Rendering, suffix string) string {
	for _, f := range p.Files {
		if strings.HasSuffix(f.Dst, suffix) {
			return string(f.Content)
		}
	}
	return ""
}

// Every built-in macro has a value, or a reason why not, on every node.
func TestBuiltinsCovered(t *testing.T) {
	p := plan(t, roles.Env{"KINIT_CONFIG_ID": "standalone", "KINIT_FQDN": "s"}, goldenLimits)
	for _, name := range roles.NodeMacros {
		kraftOnly := name == "CONTROLLER_QUORUM_VOTERS" || name == "CONTROLLER_QUORUM_BOOTSTRAP_SERVERS" || name == "CLUSTER_ID"
		if _, ok := p.Macros[name]; !ok && !kraftOnly {
			t.Errorf("built-in %s has no value", name)
		}
	}
	want := map[string]string{
		"ZOOKEEPER_SERVICE_STRING": "s:2181", "ZOOKEEPER_ENSEMBLE": "server.1=s:2888:3888",
		"KAFKA_BOOTSTRAP_SERVERS": "s:9092", "SCHEMA_REGISTRY_URL": "http://s:8081", "JVM_CPU_OPTS": "-XX:ActiveProcessorCount=2",
		"MEMORY_LIMIT_MB": "4096", "HEAP_MB_KAFKA_BROKER": "921", "PORT_ZOOKEEPER_PEER": "2888",
	}
	for k, v := range want {
		if p.Macros[k] != v {
			t.Errorf("%s = %q, want %q", k, p.Macros[k], v)
		}
	}
}

func TestChrootAndVoters(t *testing.T) {
	cfg, err := roles.Parse("k.toml", []byte(`
[cluster]
zookeeper_chroot = "/kafka"
[roles.zk]
[roles.broker]
[services.zookeeper]
kind = "zookeeper"
command = ["/zk"]
port = 2181
ports = { peer = 2888, election = 3888 }
[services.kafka]
kind = "kafka"
command = ["/k"]
port = 9092
ports = { controller = 9093 }
[configs.default.roles]
zk = ["zookeeper"]
broker = ["kafka"]
`))
	if err != nil {
		t.Fatal(err)
	}
	n, err := roles.Resolve(cfg, roles.Env{"KINIT_ROLE": "broker", "KINIT_FQDN": "b2", "KINIT_NODES": "zk=z1,z2,z3;broker=5@b1,6@b2",
		"KINIT_CLUSTER_ID": "MkU3OEVBNTcwNTJENDM2Qg"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Build(n, Options{Limits: goldenLimits})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Macros["ZOOKEEPER_SERVICE_STRING"]; got != "z1:2181,z2:2181,z3:2181/kafka" {
		t.Errorf("connect string %q", got)
	}
	if got := p.Macros["CONTROLLER_QUORUM_VOTERS"]; got != "5@b1:9093,6@b2:9093" {
		t.Errorf("voters %q", got)
	}
	if got := p.Macros["CONTROLLER_QUORUM_BOOTSTRAP_SERVERS"]; got != "b1:9093,b2:9093" {
		t.Errorf("quorum bootstrap %q", got)
	}
	if got := p.Macros["CLUSTER_ID"]; got != "MkU3OEVBNTcwNTJENDM2Qg" {
		t.Errorf("cluster id %q", got)
	}
	if p.Macros["KAFKA_REPLICATION_FACTOR"] != "2" || p.Macros["KAFKA_MIN_ISR"] != "1" {
		t.Errorf("rf %s isr %s", p.Macros["KAFKA_REPLICATION_FACTOR"], p.Macros["KAFKA_MIN_ISR"])
	}
}

func TestWaits(t *testing.T) {
	p := plan(t, roles.Env{"KINIT_CONFIG_ID": "production", "KINIT_ROLE": "schemareg", "KINIT_FQDN": "sr-1",
		"KINIT_NODES": "zookeeper=zk-1,zk-2,zk-3;broker=b-1,b-2;schemareg=sr-1"}, goldenLimits)
	sr := p.Service("schema-registry")
	if len(sr.Waits) != 2 {
		t.Fatalf("waits %+v", sr.Waits)
	}
	zk, kb := sr.Waits[0], sr.Waits[1]
	if zk.Local || zk.MinReady != 2 || len(zk.Remote) != 3 || zk.Remote[0].Kind != kplan.ProbeZooKeeper || zk.Remote[2].Address != "zk-3:2181" {
		t.Errorf("zookeeper wait %+v", zk)
	}
	// A remote Kafka wait is one probe counting the brokers registered in
	// the ensemble, not one per broker.
	if kb.Local || kb.MinReady != 1 || len(kb.Remote) != 1 {
		t.Fatalf("kafka wait %+v", kb)
	}
	if p := kb.Remote[0]; p.Kind != kplan.ProbeKafka || p.Mode != kplan.KafkaZK || p.ZKConnect != "zk-1:2181,zk-2:2181,zk-3:2181" || p.MinBrokers != 1 {
		t.Errorf("kafka wait probe %+v", p)
	}
	p = plan(t, roles.Env{"KINIT_CONFIG_ID": "production", "KINIT_ROLE": "gateway", "KINIT_FQDN": "gw",
		"KINIT_NODES": "zookeeper=zk-1;broker=b-1;schemareg=sr-1,sr-2;gateway=gw"}, goldenLimits)
	cc := p.Service("control-center").Waits[0]
	if cc.Service != "kafka-broker" || cc.Local || len(cc.Remote) != 1 || cc.Remote[0].ZKConnect != "zk-1:2181" || cc.Remote[0].MinBrokers != 1 {
		t.Errorf("control-center wait %+v", cc)
	}
}

func TestEnvOverridesRendered(t *testing.T) {
	p := plan(t, roles.Env{"KINIT_CONFIG_ID": "standalone", "KINIT_FQDN": "s",
		"KAFKA_ADVERTISED_LISTENERS": "PLAINTEXT://public.example:9092", "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
		"KAFKA_HEAP_OPTS": "-Xmx300m", "KAFKA_PORT": "tcp://10.1.2.3:9092", "ZOOKEEPER_TICK_TIME": "4000"}, goldenLimits)
	sp := fileContent(p, "/server.properties")
	if !strings.Contains(sp, "\nadvertised.listeners=PLAINTEXT://public.example:9092\n") || strings.Contains(sp, "PLAINTEXT://s:9092") {
		t.Errorf("advertised.listeners not replaced in place:\n%s", sp)
	}
	if !strings.HasSuffix(sp, "auto.create.topics.enable=false\n") {
		t.Errorf("new key not appended:\n%s", sp)
	}
	if strings.Contains(sp, "heap") || strings.Contains(sp, "port=") {
		t.Errorf("launcher or service-link variable leaked:\n%s", sp)
	}
	if !strings.Contains(fileContent(p, "/zookeeper.properties"), "\ntickTime=4000\n") {
		t.Errorf("ZOOKEEPER_TICK_TIME not applied")
	}
	// The container's KAFKA_HEAP_OPTS wins over the computed one for every launcher.
	if got := p.Service("kafka-broker").Vars["KAFKA_HEAP_OPTS"]; got != "-Xmx300m" {
		t.Errorf("KAFKA_HEAP_OPTS = %q", got)
	}
}

func TestSizing(t *testing.T) {
	tests := []struct {
		name    string
		env     roles.Env
		lim     Limits
		source  string
		memMiB  int64
		cpus    int
		heapMiB int64
	}{
		{"cgroup limits", roles.Env{}, Limits{MemoryBytes: 2 << 30, CPUs: 1.5}, "cgroup", 2048, 2, 460},
		{"unlimited, host", roles.Env{}, Limits{MemoryBytes: 16 << 30, CPUs: 8, MemoryFromHost: true, CPUsFromHost: true}, "host", 16384, 8, 3686},
		{"unlimited, flavor", roles.Env{"KINIT_FLAVOR": "small"}, Limits{MemoryBytes: 16 << 30, CPUs: 8, MemoryFromHost: true, CPUsFromHost: true}, "flavor small", 2048, 1, 460},
		{"flavor ignored under a limit", roles.Env{"KINIT_FLAVOR": "large"}, Limits{MemoryBytes: 1280 << 20, CPUs: 0.5}, "cgroup", 1280, 1, 288},
		{"heap_max caps", roles.Env{}, Limits{MemoryBytes: 64 << 30, CPUs: 2}, "cgroup", 65536, 2, 6144},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := roles.Env{"KINIT_CONFIG_ID": "standalone", "KINIT_FQDN": "s"}
			for k, v := range tt.env {
				env[k] = v
			}
			p := plan(t, env, tt.lim)
			sz := p.Sizing
			if sz.MemorySource != tt.source || sz.MemoryBytes>>20 != tt.memMiB || sz.ActiveProcessorCount != tt.cpus {
				t.Errorf("sizing %+v", sz)
			}
			kb := p.Service("kafka-broker")
			if kb.HeapBytes>>20 != tt.heapMiB || kb.CPUs != tt.cpus {
				t.Errorf("kafka-broker heap %d MiB cpus %d, want %d MiB %d", kb.HeapBytes>>20, kb.CPUs, tt.heapMiB, tt.cpus)
			}
		})
	}
}

func TestHeapBelowMinimum(t *testing.T) {
	cfg, err := roles.Load(shipped)
	if err != nil {
		t.Fatal(err)
	}
	n, err := roles.Resolve(cfg, roles.Env{"KINIT_CONFIG_ID": "standalone", "KINIT_FQDN": "s", "KINIT_DATA_DIR": t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(n, Options{Limits: Limits{MemoryBytes: 512 << 20, CPUs: 1}})
	want := "service kafka-broker: heap 115 MiB (share 45% x memory 512 MiB from cgroup x heap ratio 0.5) is below its heap_min 256 MiB"
	if err == nil || !strings.Contains(err.Error(), want) || !roles.IsConfigError(err) {
		t.Fatalf("want %q, got %v", want, err)
	}
	if !strings.Contains(err.Error(), "kinit.toml:") {
		t.Errorf("no file:line: %v", err)
	}
}

func TestTemplateErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.conf"), []byte("a=@@HOST@@\nb=@@NOPE@@\nc=@@KAFKA_BOOTSTRAP_SERVERS@@\nd=@@SERVICE_DATA_DIR@@ @@\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := roles.Parse(filepath.Join(dir, "k.toml"), []byte(`
[vars]
template_dir = "@@CONFIG_DIR@@"
[roles.node]
[services.app]
command = ["/app"]
data_dir = "/d"
[[services.app.templates]]
src = "app.conf"
dst = "/etc/app.conf"
[[autogen]]
replace = "app.conf"
pattern = "@@HOST@@"
macro = "GET_NODE_FQDN"
[[autogen]]
replace = "app.conf"
pattern = "@@NEVER@@"
macro = "GET_NODE_FQDN"
[configs.default.roles]
node = ["app"]
`))
	err = buildErr(t, cfg, err)
	src := filepath.Join(dir, "app.conf")
	for _, want := range []string{
		src + ":2: unknown macro @@NOPE@@",
		src + ":3: macro KAFKA_BOOTSTRAP_SERVERS has no value on this node",
		src + ":4: unresolved @@ left in output",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in:\n%v", want, err)
		}
	}
}

// buildErr resolves a parsed test config on node "a" and returns what
// Build says.
func buildErr(t *testing.T, cfg *roles.Config, err error) error {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	n, err := roles.Resolve(cfg, roles.Env{"KINIT_FQDN": "a"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(n, Options{Limits: goldenLimits})
	return err
}

func TestWrite(t *testing.T) {
	p := plan(t, roles.Env{"KINIT_CONFIG_ID": "standalone", "KINIT_FQDN": "s"}, goldenLimits)
	root := t.TempDir()
	p.Files[0].Mode = 0o640
	changed, err := p.Write(WriteOptions{Root: root, Chown: os.Geteuid() == 0, MakeDirs: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(changed) != len(p.Files) {
		t.Fatalf("first write changed %d of %d", len(changed), len(p.Files))
	}
	first := filepath.Join(root, p.Files[0].Dst)
	fi, err := os.Stat(first)
	if err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v (%v)", fi.Mode(), err)
	}
	if os.Geteuid() == 0 {
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != 0 || st.Gid != 0 {
			t.Errorf("owner %d:%d, want root", st.Uid, st.Gid)
		}
	}
	if _, err := os.Stat(filepath.Join(root, p.Service("kafka-broker").DataDir)); err != nil {
		t.Errorf("data dir not made: %v", err)
	}
	before := inode(t, first)
	// Unchanged: nothing rewritten, no temp files left behind.
	changed, err = p.Write(WriteOptions{Root: root})
	if err != nil || len(changed) != 0 {
		t.Fatalf("second write changed %v (%v)", changed, err)
	}
	if inode(t, first) != before {
		t.Errorf("unchanged file was replaced")
	}
	// A mode drift is repaired in place; a content change replaces the file.
	os.Chmod(first, 0o600)
	p.Files[1].Content = append(p.Files[1].Content, "# changed\n"...)
	changed, err = p.Write(WriteOptions{Root: root})
	if err != nil || len(changed) != 2 {
		t.Fatalf("third write changed %v (%v)", changed, err)
	}
	got, _ := os.ReadFile(filepath.Join(root, p.Files[1].Dst))
	if !strings.HasSuffix(string(got), "# changed\n") {
		t.Errorf("content not rewritten")
	}
	entries, _ := os.ReadDir(filepath.Dir(first))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".kinit-") {
			t.Errorf("temp file left: %s", e.Name())
		}
	}
}

func inode(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// Each service gets the common variables, those of its own prefix and
// those it passes, then its own Env over them; never kinit's secrets and
// never another service's variables. Before, every service got the whole
// container environment.
func TestEnviron(t *testing.T) {
	base := []string{"PATH=/bin", "LC_ALL=C.UTF-8", "KAFKA_HEAP_OPTS=old", "KINIT_ES_API_KEY=k", "KINIT_ROLE=broker",
		"KAFKA_SSL_KEYSTORE_PASSWORD=broker-secret", "ZOOKEEPER_TICK_TIME=3000", "JMX_PORT=9999", "AWS_SECRET_ACCESS_KEY=x",
		"SCHEMA_REGISTRY_OPTS=a", "SCHEMA_REGISTRY_HEAP_OPTS=b"}
	tests := []struct {
		name string
		svc  *Service
		want string
	}{
		{"broker", &Service{EnvPrefix: "KAFKA_", Vars: map[string]string{"KAFKA_HEAP_OPTS": "-Xmx1g", "LOG_DIR": "/l"}},
			"PATH=/bin LC_ALL=C.UTF-8 KINIT_ROLE=broker KAFKA_SSL_KEYSTORE_PASSWORD=broker-secret KAFKA_HEAP_OPTS=-Xmx1g LOG_DIR=/l"},
		{"zookeeper", &Service{EnvPrefix: "ZOOKEEPER_", PassEnv: []string{"JMX_PORT"}, Vars: map[string]string{"KAFKA_OPTS": "-x"}},
			"PATH=/bin LC_ALL=C.UTF-8 KINIT_ROLE=broker ZOOKEEPER_TICK_TIME=3000 JMX_PORT=9999 KAFKA_OPTS=-x"},
		{"prefix pattern", &Service{PassEnv: []string{"SCHEMA_REGISTRY_*"}},
			"PATH=/bin LC_ALL=C.UTF-8 KINIT_ROLE=broker SCHEMA_REGISTRY_OPTS=a SCHEMA_REGISTRY_HEAP_OPTS=b"},
	}
	for _, tt := range tests {
		if got := strings.Join(tt.svc.Environ(base), " "); got != tt.want {
			t.Errorf("%s:\n got  %s\n want %s", tt.name, got, tt.want)
		}
	}
	// KINIT_PASS_ENV widens it for every service of the node.
	node := append([]string{"KINIT_PASS_ENV=JMX_PORT, AWS_*"}, base...)
	got := strings.Join((&Service{}).Environ(node), " ")
	if want := "PATH=/bin LC_ALL=C.UTF-8 KINIT_ROLE=broker JMX_PORT=9999 AWS_SECRET_ACCESS_KEY=x"; got != want {
		t.Errorf("with KINIT_PASS_ENV:\n got  %s\n want %s", got, want)
	}
}

// An -Xmx set by hand above the service's memory share is flagged, naming
// where it came from; one within the share, and kinit's own sizing, are not.
// (A container-wide KAFKA_HEAP_OPTS also reaches ZooKeeper, whose share is
// smaller: it is flagged there too, rightly.)
func TestHeapAboveShareFlagged(t *testing.T) {
	lim := Limits{MemoryBytes: 2 << 30, CPUs: 2} // the broker's share: 45% = 921 MiB
	for _, tt := range []struct {
		heap, want string
	}{
		{"-Xms1g -Xmx4g", "service kafka-broker: KAFKA_HEAP_OPTS in the environment sets -Xmx 4096 MiB, more than its memory share 921 MiB"},
		{"-Xmx4g -Xmx512m", ""}, // the JVM takes the last one
		{"", ""},
	} {
		env := roles.Env{"KINIT_CONFIG_ID": "standalone", "KINIT_FQDN": "s"}
		if tt.heap != "" {
			env["KAFKA_HEAP_OPTS"] = tt.heap
		}
		p := plan(t, env, lim)
		got := strings.Join(p.Warnings, "\n")
		broker := strings.Contains(got, "service kafka-broker: KAFKA_HEAP_OPTS")
		if tt.want == "" && broker || tt.want != "" && !strings.Contains(got, tt.want) || tt.heap == "" && strings.Contains(got, "-Xmx") {
			t.Errorf("KAFKA_HEAP_OPTS=%q: warnings\n%s\nwant %q", tt.heap, got, tt.want)
		}
	}
}
