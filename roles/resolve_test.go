package roles

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func loadShipped(t *testing.T) *Config {
	t.Helper()
	cfg, err := Load(shipped)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestIdentity(t *testing.T) {
	cfg := loadShipped(t)
	zk3 := "zookeeper=zk-1.example,zk-2.example,zk-3.example"
	testIdentities(t, cfg, []identityCase{
		{name: "env id", env: Env{"KINIT_ROLE": "zookeeper", "KINIT_NODE_ID": "3", "KINIT_FQDN": "zk-3.example", "KINIT_NODES": zk3},
			wantID: 3, source: "KINIT_NODE_ID"},
		{name: "env id disagrees with member list", env: Env{"KINIT_ROLE": "zookeeper", "KINIT_NODE_ID": "5", "KINIT_FQDN": "zk-3.example", "KINIT_NODES": zk3},
			err: "node id 5 (KINIT_NODE_ID) disagrees with id 3 that the member list gives zk-3.example (position 3)"},
		{name: "member position", env: Env{"KINIT_ROLE": "zookeeper", "KINIT_FQDN": "zk-2.example", "KINIT_NODES": zk3},
			wantID: 2, source: "member list (position 2)"},
		{name: "short name matches fqdn", env: Env{"KINIT_ROLE": "zookeeper", "KINIT_FQDN": "zk-2", "KINIT_NODES": zk3},
			wantID: 2},
		{name: "explicit id", env: Env{"KINIT_ROLE": "zookeeper", "KINIT_FQDN": "b", "KINIT_NODES": "zookeeper=7@a,9@b"},
			wantID: 9, source: "explicit"},
		{name: "position is global across roles", env: Env{"KINIT_ROLE": "broker", "KINIT_FQDN": "b-1", "KINIT_NODES": zk3 + ";broker=b-1,b-2"},
			wantID: 4},
		{name: "persisted", env: Env{"KINIT_CONFIG_ID": "standalone", "KINIT_ROLE": "broker", "KINIT_FQDN": "b-1"},
			files: map[string]string{"kafka/kinit-node-id": "7\n"}, wantID: 7, source: "persisted in"},
		{name: "env beats persisted", env: Env{"KINIT_CONFIG_ID": "standalone", "KINIT_ROLE": "broker", "KINIT_FQDN": "b-1", "KINIT_NODE_ID": "4"},
			files: map[string]string{"kafka/kinit-node-id": "7\n"}, wantID: 4, source: "KINIT_NODE_ID"},
		{name: "persisted ids disagree", env: Env{"KINIT_ROLE": "zookeeper", "KINIT_FQDN": "zk-1"},
			files: map[string]string{"zookeeper/kinit-node-id": "1\n", "kafka/kinit-node-id": "2\n"}, err: "persisted node id 2 disagrees with 1"},
		{name: "persisted disagrees with member list", env: Env{"KINIT_ROLE": "zookeeper", "KINIT_FQDN": "zk-1.example", "KINIT_NODES": zk3},
			files: map[string]string{"zookeeper/kinit-node-id": "2\n"}, err: "node id 2 (persisted in"},
		{name: "statefulset ordinal", env: Env{"KINIT_CONFIG_ID": "standalone", "KINIT_ROLE": "broker", "KINIT_FQDN": "kafka-2.kafka-hs.ns.svc", "KUBERNETES_SERVICE_HOST": "10.0.0.1"},
			wantID: 3, source: "hostname ordinal 2 + offset 1"},
		{name: "statefulset members", env: Env{"KINIT_ROLE": "zookeeper", "KINIT_CONFIG_ID": "default", "KINIT_FQDN": "zk-0.zk", "KUBERNETES_SERVICE_HOST": "10.0.0.1",
			"KINIT_NODES": "zookeeper=zk-0.zk,zk-1.zk,zk-2.zk;broker=kafka-0.k"}, wantID: 1, err: "give one role its own range with [configs.default] ordinal_offsets = { broker = … }"},
		{name: "kraft-production broker ordinal after the controllers", env: Env{"KINIT_ROLE": "broker", "KINIT_CONFIG_ID": "kraft-production", "KINIT_FQDN": "kafka-0.kafka", "KUBERNETES_SERVICE_HOST": "10.0.0.1",
			"KINIT_CLUSTER_ID": "MkU3OEVBNTcwNTJENDM2Qk", "KINIT_NODES": "controller=controller-0.controller,controller-1.controller,controller-2.controller;broker=kafka-0.kafka,kafka-1.kafka"},
			wantID: 4, source: "hostname ordinal 0 + offset 4"},
		{name: "kraft-production controller ordinal", env: Env{"KINIT_ROLE": "controller", "KINIT_CONFIG_ID": "kraft-production", "KINIT_FQDN": "controller-2.controller", "KUBERNETES_SERVICE_HOST": "10.0.0.1",
			"KINIT_CLUSTER_ID": "MkU3OEVBNTcwNTJENDM2Qk", "KINIT_NODES": "controller=controller-0.controller,controller-1.controller,controller-2.controller;broker=kafka-0.kafka,kafka-1.kafka"},
			wantID: 3, source: "hostname ordinal 2 + offset 1"},
		{name: "same id on members of different services", env: Env{"KINIT_ROLE": "broker", "KINIT_CONFIG_ID": "production", "KINIT_FQDN": "kafka-1", "KINIT_NODE_ID": "1",
			"KINIT_NODES": "zookeeper=1@zk-1,2@zk-2,3@zk-3;broker=1@kafka-1,2@kafka-2,3@kafka-3;schemareg=1@sr-1;gateway=1@gw-1"}, wantID: 1, source: "KINIT_NODE_ID"},
		{name: "ordinal off outside kubernetes", env: Env{"KINIT_CONFIG_ID": "standalone", "KINIT_ROLE": "broker", "KINIT_FQDN": "kafka-2"},
			wantID: 1, source: "single node"},
		{name: "not in list", env: Env{"KINIT_ROLE": "zookeeper", "KINIT_FQDN": "zk-9.example", "KINIT_NODES": zk3},
			err: "this node (zk-9.example) is not in the zookeeper member list"},
		{name: "listed with other role", env: Env{"KINIT_ROLE": "broker", "KINIT_FQDN": "zk-1.example", "KINIT_NODES": zk3 + ";broker=b-1"},
			err: "is listed with role zookeeper, but KINIT_ROLE is broker"},
		{name: "meta.properties names another broker", env: Env{"KINIT_CONFIG_ID": "standalone", "KINIT_ROLE": "broker", "KINIT_FQDN": "b-1", "KINIT_NODE_ID": "3"},
			files: map[string]string{"kafka/data/meta.properties": "#Mon\nversion=0\nbroker.id=5\ncluster.id=abc\n"},
			err:   "meta.properties:3: names broker.id=5 but this node is 3 (KINIT_NODE_ID): the data volume belongs to another broker; refusing to start"},
		{name: "meta.properties agrees", env: Env{"KINIT_CONFIG_ID": "standalone", "KINIT_ROLE": "broker", "KINIT_FQDN": "b-1", "KINIT_NODE_ID": "3"},
			files: map[string]string{"kafka/data/meta.properties": "version=0\nbroker.id=3\n"}, wantID: 3},
		{name: "myid disagrees", env: Env{"KINIT_ROLE": "zookeeper", "KINIT_NODE_ID": "3", "KINIT_FQDN": "zk-3.example", "KINIT_NODES": zk3},
			files: map[string]string{"zookeeper/data/myid": "2\n"}, err: "myid:1: holds id 2 but this node is 3"},
		{name: "zookeeper id 0", env: Env{"KINIT_ROLE": "zookeeper", "KINIT_NODE_ID": "0", "KINIT_FQDN": "zk-0"},
			err: "ZooKeeper server ids must be 1..255; node indexes that count from 0 need an offset"},
		{name: "zookeeper id 256", env: Env{"KINIT_ROLE": "zookeeper", "KINIT_FQDN": "b", "KINIT_NODES": "zookeeper=256@b"},
			err: "has id 256 (member list (explicit)): ZooKeeper server ids must be 1..255"},
		{name: "bad env id", env: Env{"KINIT_ROLE": "broker", "KINIT_NODE_ID": "three", "KINIT_FQDN": "b"},
			err: `KINIT_NODE_ID: "three" is not a node id`},
		{name: "duplicate explicit and position", env: Env{"KINIT_ROLE": "broker", "KINIT_FQDN": "b", "KINIT_NODES": "zookeeper=2@z;broker=b,c"},
			err: "node id 2 is shared by z"},
	})
}

// identityCase is one node's environment and data dir, and the id it must
// be given or the configuration problem it must be.
type identityCase struct {
	name   string
	env    Env
	files  map[string]string // relative to KINIT_DATA_DIR
	wantID int               // when err is ""
	source string            // substring of IDSource
	err    string            // substring of the error, when one is expected
}

// testIdentities resolves each case against cfg, with a data dir of its own.
func testIdentities(t *testing.T, cfg *Config, tests []identityCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for f, content := range tt.files {
				write(t, filepath.Join(dir, f), content)
			}
			env := Env{"KINIT_DATA_DIR": dir}
			for k, v := range tt.env {
				env[k] = v
			}
			n, err := Resolve(cfg, env)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("want error containing %q, got %v", tt.err, err)
				}
				if !IsConfigError(err) {
					t.Errorf("not a config error: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n.ID != tt.wantID || !strings.Contains(n.IDSource, tt.source) {
				t.Errorf("id %d (%s), want %d (%s)", n.ID, n.IDSource, tt.wantID, tt.source)
			}
		})
	}
}

func TestPersistID(t *testing.T) {
	cfg := loadShipped(t)
	dir := t.TempDir()
	env := Env{"KINIT_DATA_DIR": dir, "KINIT_ROLE": "zookeeper", "KINIT_FQDN": "zk-2", "KINIT_NODES": "zookeeper=zk-1,zk-2"}
	n, err := Resolve(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	written, err := n.PersistID()
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 2 {
		t.Fatalf("wrote %v, want the zookeeper and kafka data dirs", written)
	}
	again, err := n.PersistID()
	if err != nil || len(again) != 0 {
		t.Errorf("second persist rewrote %v (%v)", again, err)
	}
	// Without the member list, the persisted id now decides.
	delete(env, "KINIT_NODES")
	n2, err := Resolve(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	if n2.ID != 2 || !strings.HasPrefix(n2.IDSource, "persisted in ") {
		t.Errorf("id %d from %s, want 2 persisted", n2.ID, n2.IDSource)
	}
}

func TestResolveNode(t *testing.T) {
	cfg := loadShipped(t)
	env := Env{"KINIT_DATA_DIR": "/d", "KINIT_ROLE": "zookeeper", "KINIT_FQDN": "zk-1.example",
		"KINIT_NODES":             "zookeeper=zk-1.example,zk-2.example;broker=b-1.example;gateway=gw.example",
		"KINIT_PORT_KAFKA_BROKER": "19092", "KINIT_KAFKA_HOME": "/opt/kafka"}
	n, err := Resolve(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, s := range n.Services {
		order = append(order, s.ID)
	}
	if strings.Join(order, ",") != "zookeeper,kafka-broker" {
		t.Errorf("start order %v", order)
	}
	if n.Port("kafka-broker", "") != 19092 || n.Port("zookeeper", "peer") != 2888 {
		t.Errorf("ports %v", n.Ports)
	}
	if n.Vars["ETC_DIR"] != "/opt/kafka/etc" {
		t.Errorf("ETC_DIR = %q", n.Vars["ETC_DIR"])
	}
	var hosts []string
	for _, m := range n.MembersRunning("kafka-broker") {
		hosts = append(hosts, m.Host)
	}
	// In the default config ZooKeeper nodes run a broker too.
	if strings.Join(hosts, ",") != "zk-1.example,zk-2.example,b-1.example" {
		t.Errorf("kafka-broker members %v", hosts)
	}
}

func TestResolveErrors(t *testing.T) {
	cfg := loadShipped(t)
	tests := []struct {
		env  Env
		want string
	}{
		{Env{"KINIT_ROLE": "broker", "KINIT_CONFIG_ID": "nope", "KINIT_FQDN": "a"}, `unknown config id "nope"`},
		{Env{"KINIT_FQDN": "a"}, "KINIT_ROLE is not set"},
		{Env{"KINIT_ROLE": "schemareg", "KINIT_FQDN": "a"}, `config "default" has no role "schemareg"`},
		{Env{"KINIT_ROLE": "broker", "KINIT_CONFIG_ID": "production", "KINIT_FQDN": "a"}, `service kafka-broker waits for zookeeper, which runs on role zookeeper under config "production", but the member list has no such member`},
		{Env{"KINIT_ROLE": "broker", "KINIT_FQDN": "a", "KINIT_NODES": "clerk=x"}, `names role "clerk"`},
		{Env{"KINIT_ROLE": "broker", "KINIT_FQDN": "a", "KINIT_PORT_KAFKA_BROKER": "99999"}, "KINIT_PORT_KAFKA_BROKER"},
		{Env{"KINIT_ROLE": "broker", "KINIT_FQDN": "a", "KINIT_PORT_SCHEMA_REGISTRY": "9092"}, "port 9092 is used by both"},
		{Env{"KINIT_ROLE": "broker", "KINIT_FQDN": "a", "KINIT_FLAVOR": "huge"}, `unknown flavor "huge"`},
		{Env{"KINIT_ROLE": "broker", "KINIT_FQDN": "a", "KINIT_NODES_FILE": "/nonexistent/nodes"}, "cannot read nodes file"},
	}
	for _, tt := range tests {
		_, err := Resolve(cfg, tt.env)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: want error containing %q, got %v", tt.env, tt.want, err)
		}
	}
}

func TestParseNodes(t *testing.T) {
	nl, err := ParseNodes("nodes.txt", "# cluster\nzookeeper = 1@zk-1.example, 2@zk-2.example\nbroker=b-1;broker=b-2 b-3\n")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range nl.Entries {
		got = append(got, e.Role+":"+e.String())
	}
	if strings.Join(got, " ") != "zookeeper:1@zk-1.example zookeeper:2@zk-2.example broker:b-1 broker:b-2 broker:b-3" {
		t.Errorf("entries %v", got)
	}
	for _, bad := range []struct{ text, want string }{
		{"zookeeper", "bad group"},
		{"zookeeper=x@a", "id before @"},
		{"zookeeper=a\nbroker=a", "nodes.txt:2: host a is listed twice"},
		{"broker=a/b", "not a host name"},
	} {
		_, err := ParseNodes("nodes.txt", bad.text)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: want %q, got %v", bad.text, bad.want, err)
		}
	}
}

func TestCardinality(t *testing.T) {
	cfg, err := Parse("c.toml", []byte(`
[roles.zk]
cardinality = "3"
[roles.app]
cardinality = "0-1"
[services.a]
command = ["/a"]
[configs.default.roles]
zk = ["a"]
app = ["a"]
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		nodes, want string
	}{
		{"zk=a,b", `c.toml:2: role "zk" needs 3 members under config "default", the member list has 2 (from KINIT_NODES)`},
		{"zk=a,b,c;app=d,e", `c.toml:4: role "app" needs 0-1 members`},
		{"zk=a,b,c;app=d", ""},
	} {
		_, err := Resolve(cfg, Env{"KINIT_ROLE": "zk", "KINIT_FQDN": "a", "KINIT_NODES": tt.nodes})
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.nodes, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: want %q, got %v", tt.nodes, tt.want, err)
		}
	}
}
