package macros

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kinit/kinit/internal/javaprops"
	kplan "github.com/kinit/kinit/plan"
)

// A secured ZooKeeper-mode node (the production config, a broker among
// three ZooKeeper hosts): ZooKeeper on mutual TLS only, the broker's
// connection to it over TLS, the admin user's credentials file for the
// one-shot readable by its user only, and every probe and wait that reads
// ZooKeeper speaking mutual TLS.
func TestSecuredZooKeeperMode(t *testing.T) {
	env := securedEnv(t, "broker", "b-1.example")
	env["KINIT_CONFIG_ID"] = "production"
	env["KINIT_NODES"] = "zookeeper=z-1.example,z-2.example,z-3.example;broker=b-1.example;schemareg=r-1.example"
	delete(env, "KINIT_CLUSTER_ID")
	p := plan(t, env, goldenLimits)
	ca := filepath.Join(env["KINIT_TLS_DIR"], "ca.crt")

	props := fileContent(p, "/kafka/server.properties")
	get := func(k string) string { v, _, _ := javaprops.Get(props, k); return v }
	ks := get("ssl.keystore.location")
	for k, want := range map[string]string{
		"listeners":                            "SASL_SSL://0.0.0.0:9092",
		"sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
		"zookeeper.ssl.client.enable":          "true",
		"zookeeper.clientCnxnSocket":           "org.apache.zookeeper.ClientCnxnSocketNetty",
		"zookeeper.ssl.keystore.type":          "PEM",
		"zookeeper.ssl.keystore.location":      ks,
		"zookeeper.ssl.truststore.type":        "PEM",
		"zookeeper.ssl.truststore.location":    ca,
	} {
		if got := get(k); got != want || got == "" {
			t.Errorf("server.properties %s = %q; want %q", k, got, want)
		}
	}
	if get("listener.name.controller.ssl.client.auth") != "" {
		t.Errorf("a ZooKeeper-mode broker got the KRaft controller listener's settings")
	}

	admin := p.Service("kafka-scram-admin")
	if admin == nil {
		t.Fatal("a secured ZooKeeper-mode broker node runs no kafka-scram-admin")
	}
	argv := strings.Join(admin.Argv, " ")
	for _, want := range []string{"--zookeeper z-1.example:2181,z-2.example:2181,z-3.example:2181", "--entity-name admin", "--zk-tls-config-file /usr/lib/kafka/etc/kafka/server.properties"} {
		if !strings.Contains(argv, want) {
			t.Errorf("kafka-scram-admin's command %q lacks %q", argv, want)
		}
	}
	if strings.Contains(argv, "pa55-word-1") {
		t.Errorf("the password is on the one-shot's command line: %q", argv)
	}
	for _, f := range p.Files {
		if f.Service != "kafka-scram-admin" {
			continue
		}
		if !strings.HasSuffix(f.Dst, "/admin-scram.properties") || f.Mode.Perm() != 0o600 {
			t.Errorf("kafka-scram-admin renders %s mode %v; want only admin-scram.properties, 0600", f.Dst, f.Mode)
		}
		if v, _, _ := javaprops.Get(string(f.Content), "SCRAM-SHA-512"); v != "iterations=4096,password=pa55-word-1" {
			t.Errorf("admin-scram.properties SCRAM-SHA-512 = %q", v)
		}
	}
	broker := p.Service("kafka-broker")
	var waits []string
	for _, w := range broker.Waits {
		waits = append(waits, w.Service)
	}
	if !slices.Contains(waits, "kafka-scram-admin") {
		t.Errorf("the broker waits for %v; want kafka-scram-admin among them", waits)
	}

	// Every probe that reads ZooKeeper presents the node's certificate.
	mtls := func(what string, s *kplan.Security, serverName string) {
		t.Helper()
		if s == nil || s.SASL != nil || s.TLS == nil || s.TLS.CAFile != ca || s.TLS.CertFile == "" || s.TLS.KeyFile == "" || s.TLS.ServerName != serverName {
			t.Errorf("%s: security %+v; want mutual TLS, server name %q", what, s, serverName)
		}
	}
	mtls("the broker's own probe", broker.Probe.Security, "")
	for _, w := range append(broker.Waits, admin.Waits...) {
		for _, r := range w.Remote {
			mtls("wait on "+w.Service, r.Security, "")
		}
	}
	if err := (&kplan.Plan{Services: []kplan.Service{broker.Service, admin.Service}}).Validate(); err != nil && strings.Contains(err.Error(), "security") {
		t.Errorf("the plan's security is invalid: %v", err)
	}

	// A ZooKeeper host: TLS only on its client port.
	nodes := env["KINIT_NODES"]
	env = securedEnv(t, "zookeeper", "z-2.example")
	env["KINIT_CONFIG_ID"], env["KINIT_NODES"] = "production", nodes
	delete(env, "KINIT_CLUSTER_ID")
	ca = filepath.Join(env["KINIT_TLS_DIR"], "ca.crt")
	p = plan(t, env, goldenLimits)
	zk := fileContent(p, "/kafka/zookeeper.properties")
	zget := func(k string) string { v, _, _ := javaprops.Get(zk, k); return v }
	for k, want := range map[string]string{
		"secureClientPort":         "2181",
		"serverCnxnFactory":        "org.apache.zookeeper.server.NettyServerCnxnFactory",
		"ssl.clientAuth":           "need",
		"sslQuorum":                "true",
		"skipACL":                  "yes",
		"ssl.keyStore.type":        "PEM",
		"ssl.quorum.keyStore.type": "PEM",
		"ssl.trustStore.location":  filepath.Join(env["KINIT_TLS_DIR"], "ca.crt"),
	} {
		if got := zget(k); got != want {
			t.Errorf("zookeeper.properties %s = %q; want %q", k, got, want)
		}
	}
	if zget("clientPort") != "" || !strings.Contains(zk, "# clientPort left out: KINIT_SECURITY=sasl_ssl") {
		t.Errorf("zookeeper.properties still serves plaintext clients:\n%s", zk)
	}
	z := p.Service("zookeeper")
	mtls("ZooKeeper's own probe", z.Probe.Security, "z-2.example")
	if p.Service("kafka-scram-admin") != nil {
		t.Errorf("a ZooKeeper-only host runs kafka-scram-admin")
	}
}

// Plaintext, the one-shot is left out, and the broker waits for ZooKeeper
// only.
func TestPlaintextZooKeeperModeLeavesOutSCRAMAdmin(t *testing.T) {
	p := plan(t, map[string]string{"KINIT_CONFIG_ID": "standalone", "KINIT_FQDN": "s-1.example"}, goldenLimits)
	if p.Service("kafka-scram-admin") != nil {
		t.Errorf("a plaintext node runs kafka-scram-admin")
	}
	for _, w := range p.Service("kafka-broker").Waits {
		if w.Service == "kafka-scram-admin" {
			t.Errorf("a plaintext broker waits for kafka-scram-admin")
		}
	}
	if zk := fileContent(p, "/kafka/zookeeper.properties"); !strings.Contains(zk, "\nclientPort=2181\n") || strings.Contains(zk, "secureClientPort") {
		t.Errorf("plaintext zookeeper.properties:\n%s", zk)
	}
}
