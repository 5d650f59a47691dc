package components

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor/probe"
)

// A secured Kafka 4.4 KRaft combined node, without kinit (issue 23): the
// client (and inter-broker) listener is SASL_SSL with SCRAM-SHA-512, the
// controller listener SSL with a required client certificate (SCRAM on a
// controller listener is broken upstream, KAFKA-15513), the key and
// certificates PEM files as Kubernetes mounts them (no JKS, no keytool),
// made here with the openssl CLI so that kinit's code checks itself
// against certificates it did not make. The admin user's SCRAM
// credential is written at format time; StandardAuthorizer runs with
// admin and the node's certificate (User:CN=kafka-node) as super users,
// so a probe's principal must be one. kinit's probes pass with the right
// credentials and say why with the wrong ones; Kafka's own console
// clients, independent of kinit and franz-go, round-trip a record.
func TestSecureKRaft(t *testing.T) {
	const password = "admin-secret"
	// The CA and the node's certificate, for 127.0.0.1 and localhost; the
	// node presents it as a server and, to its own controller listener,
	// as a client. Another CA signs nothing the node has.
	n := startSecureKRaft(t, password, "IP:127.0.0.1,DNS:localhost")
	home, dir, env, bootstrap, controller := n.home, n.dir, n.env, n.bootstrap, n.controller
	// A client certificate from the same CA for another principal, not a
	// super user.
	opensslRun(t, dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "probe.key", "-out", "probe.csr", "-subj", "/CN=kinit-probe")
	opensslRun(t, dir, "x509", "-req", "-in", "probe.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "probe.crt", "-days", "1", "-extfile", "ext.cnf")

	passwordFile := writeFile(t, filepath.Join(dir, "admin.password"), password+"\n")
	wrongFile := writeFile(t, filepath.Join(dir, "wrong.password"), "wrong-password\n")
	scram := func(file string) *plan.SASL {
		return &plan.SASL{Mechanism: plan.SCRAMSHA512, Username: "admin", PasswordFile: file}
	}
	ca := filepath.Join(dir, "ca.crt")
	client := &plan.Security{TLS: &plan.TLS{CAFile: ca}, SASL: scram(passwordFile)}
	mtls := &plan.Security{TLS: &plan.TLS{CAFile: ca, CertFile: filepath.Join(dir, "tls.crt"), KeyFile: filepath.Join(dir, "tls.key")}}
	one := 1

	// Ready: the broker registered, read over SASL_SSL, and the quorum
	// described by the controller listener to the node's certificate.
	ready := probe.Both{
		First:  probe.KRaftQuorum{Local: controller, Bootstrap: []string{controller}, VoterID: &one, Security: mtls},
		Second: probe.KafkaKRaft{Bootstrap: []string{bootstrap}, BrokerID: &one, Security: client},
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var last error
	if err := probe.Until(ctx, probe.Schedule{First: 50 * time.Millisecond, Max: time.Second, Timeout: 10 * time.Second}, ready.Check,
		func(_ int, err error) { last = err }); err != nil {
		t.Fatalf("the secured node never passed its probes: %v (last: %v)", err, last)
	}
	// The broker forwards DescribeQuorum: the client listener's
	// credentials describe the quorum too.
	if err := checkOnce(probe.KRaftQuorum{Bootstrap: []string{bootstrap}, VoterID: &one, Security: client}); err != nil {
		t.Errorf("quorum through the client listener: %v", err)
	}

	for _, c := range []struct {
		name string
		p    probe.Prober
		want string
	}{
		{"wrong password", probe.KafkaKRaft{Bootstrap: []string{bootstrap}, Security: &plan.Security{TLS: &plan.TLS{CAFile: ca}, SASL: scram(wrongFile)}},
			bootstrap + " authentication failed"},
		{"a CA that did not sign the node", probe.KafkaKRaft{Bootstrap: []string{bootstrap}, Security: &plan.Security{TLS: &plan.TLS{CAFile: filepath.Join(dir, "other-ca.crt")}, SASL: scram(passwordFile)}},
			bootstrap + " TLS: certificate signed by unknown authority"},
		{"TLS without SASL", probe.KafkaKRaft{Bootstrap: []string{bootstrap}, Security: &plan.Security{TLS: &plan.TLS{CAFile: ca}}},
			bootstrap + " closed the connection at the first request"},
		{"plaintext", probe.KafkaKRaft{Bootstrap: []string{bootstrap}},
			bootstrap + " TLS: the listener speaks TLS, the probe plaintext"},
		{"controller without a client certificate", probe.KRaftQuorum{Bootstrap: []string{controller}, Security: &plan.Security{TLS: &plan.TLS{CAFile: ca}}},
			"controller quorum at " + controller + " TLS: the server refused the handshake"},
		{"controller with SASL", probe.KRaftQuorum{Bootstrap: []string{controller}, Security: &plan.Security{TLS: mtls.TLS, SASL: scram(passwordFile)}},
			"controller quorum at " + controller + " authentication failed: the listener did not expect SASL"},
		{"controller to a principal that is no super user", probe.KRaftQuorum{Bootstrap: []string{controller},
			Security: &plan.Security{TLS: &plan.TLS{CAFile: ca, CertFile: filepath.Join(dir, "probe.crt"), KeyFile: filepath.Join(dir, "probe.key")}}},
			"controller quorum at " + controller + " refused DescribeQuorum: the probe's user may not describe the cluster"},
		{"controller in plaintext", probe.KRaftQuorum{Bootstrap: []string{controller}},
			"controller quorum at " + controller + " TLS: the listener speaks TLS, the probe plaintext"},
	} {
		err := checkOnce(c.p)
		if got := probe.Summary(err); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: Summary %q, want %q… (%v)", c.name, got, c.want, err)
		}
		if err != nil && (strings.Contains(err.Error(), password) || strings.Contains(err.Error(), "wrong-password")) {
			t.Errorf("%s: the password leaks into %q", c.name, err)
		}
	}

	// An independent client: Kafka's own console producer and consumer,
	// configured as a user would, PEM trust store and SCRAM login.
	// (Debian's kcat cannot: librdkafka before 2.6.1 fails SCRAM against
	// Kafka 4, which checks the nonce strictly.)
	clientProps := writeFile(t, filepath.Join(dir, "client.properties"), fmt.Sprintf(`security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="%s";
ssl.truststore.type=PEM
ssl.truststore.location=%s
`, password, ca))
	toolEnv := append(env, "KAFKA_HEAP_OPTS=-Xms64m -Xmx128m")
	runClass := filepath.Join(home, "bin/kafka-run-class")
	produce := exec.Command(runClass, "org.apache.kafka.tools.ConsoleProducer", "--bootstrap-server", bootstrap,
		"--command-config", clientProps, "--topic", "kinit-secure")
	produce.Env, produce.Stdin = toolEnv, strings.NewReader("hello secure kraft\n")
	if out, err := produce.CombinedOutput(); err != nil {
		t.Fatalf("console producer: %v\n%s", err, out)
	}
	consume := exec.Command(runClass, "org.apache.kafka.tools.consumer.ConsoleConsumer", "--bootstrap-server", bootstrap,
		"--command-config", clientProps, "--topic", "kinit-secure", "--from-beginning", "--max-messages", "1", "--timeout-ms", "60000")
	consume.Env = toolEnv
	out, err := consume.Output()
	if err != nil || strings.TrimSpace(string(out)) != "hello secure kraft" {
		t.Fatalf("console consumer: %v; read %q, want the record produced", err, out)
	}
}

// checkOnce is one attempt of p with a short timeout.
func checkOnce(p probe.Prober) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return p.Check(ctx)
}

// opensslRun runs the openssl CLI in dir.
func opensslRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}
