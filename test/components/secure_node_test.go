package components

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/internal/tlsdir"
	"github.com/kinit/kinit/roles"
	"github.com/kinit/kinit/test/kafkahome"
)

// secureNode is a running secured Kafka 4.4 KRaft combined node and the
// PEM files it was made with (dir/ca.crt, dir/other-ca.crt,
// dir/tls.crt, dir/tls.key).
type secureNode struct {
	dir        string
	bootstrap  string // the SASL_SSL client listener, host:port
	controller string // the mutual-TLS controller listener, host:port
	keystore   string // dir/keystore.pem, as kinit renders it
	clusterID  string
	password   string // the admin user's
	home       string // Kafka's
	env        []string
}

// startSecureKRaft starts the node TestSecureKRaft describes (SASL_SSL
// with SCRAM-SHA-512 for clients and brokers, mutual TLS on the
// controller listener, PEM key store and trust store made with openssl)
// and waits until it logs that it started.
//
// sans are the subject alternative names of the node's certificate in
// openssl's syntax (IP:127.0.0.1,DNS:localhost).
func startSecureKRaft(t *testing.T, password, sans string) secureNode {
	t.Helper()
	home := kafkahome.KRaftDir(t)
	dir := t.TempDir()
	env := append(os.Environ(), kafkahome.JVMEnv()...)
	env = append(env, "LOG_DIR="+filepath.Join(dir, "logs"))
	ports := testkit.FreePorts(t, 2)
	n := secureNode{dir: dir, bootstrap: fmt.Sprintf("127.0.0.1:%d", ports[0]), clusterID: roles.NewClusterID(),
		password: password, home: home, env: env}
	n.controller = fmt.Sprintf("127.0.0.1:%d", ports[1])

	opensslRun(t, dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=kinit-test-ca", "-days", "1")
	opensslRun(t, dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.crt", "-subj", "/CN=another-ca", "-days", "1")
	opensslRun(t, dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tls.key", "-out", "tls.csr", "-subj", "/CN=kafka-node")
	writeFile(t, filepath.Join(dir, "ext.cnf"), "subjectAltName="+sans+"\nextendedKeyUsage=serverAuth,clientAuth\n")
	opensslRun(t, dir, "x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "tls.crt", "-days", "1", "-extfile", "ext.cnf")
	// Kafka's PEM key store is one file: the unencrypted PKCS#8 key, then
	// the certificate chain, which kinit renders with tlsdir.KafkaPEM.
	if key, err := os.ReadFile(filepath.Join(dir, "tls.key")); err != nil || !strings.HasPrefix(string(key), "-----BEGIN PRIVATE KEY-----") {
		t.Fatalf("openssl wrote no unencrypted PKCS#8 key (%v):\n%.40s", err, key)
	}
	pemStore, err := tlsdir.KafkaPEM(tlsdir.Material{CAFile: filepath.Join(dir, "ca.crt"), CertFile: filepath.Join(dir, "tls.crt"), KeyFile: filepath.Join(dir, "tls.key")})
	if err != nil {
		t.Fatal(err)
	}
	n.keystore = filepath.Join(dir, "keystore.pem")
	if err := os.WriteFile(n.keystore, pemStore, 0o600); err != nil {
		t.Fatal(err)
	}

	props := writeFile(t, filepath.Join(dir, "server.properties"), fmt.Sprintf(`process.roles=broker,controller
node.id=1
controller.quorum.voters=1@%[2]s
listeners=CLIENT://%[1]s,CONTROLLER://%[2]s
advertised.listeners=CLIENT://%[1]s
controller.listener.names=CONTROLLER
listener.security.protocol.map=CLIENT:SASL_SSL,CONTROLLER:SSL
inter.broker.listener.name=CLIENT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="%[5]s";
ssl.keystore.type=PEM
ssl.keystore.location=%[3]s
ssl.truststore.type=PEM
ssl.truststore.location=%[4]s/ca.crt
listener.name.controller.ssl.client.auth=required
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:CN=kafka-node
log.dirs=%[4]s/kraft
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
`, n.bootstrap, n.controller, n.keystore, dir, password))
	if out, err := runTool(env, filepath.Join(home, "bin/kafka-storage"), "format", "-t", n.clusterID, "-c", props,
		"--add-scram", "SCRAM-SHA-512=[name=admin,password="+password+"]"); err != nil {
		t.Fatalf("kafka-storage format: %v\n%s", err, out)
	}
	node := start(t, "kafka-secure", env, filepath.Join(home, "bin/kafka-server-start"), props)
	waitLog(t, node, "Kafka Server started (kafka.server.KafkaRaftServer)")
	return n
}
