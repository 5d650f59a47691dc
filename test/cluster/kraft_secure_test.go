package cluster

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/tlsdir"
	"github.com/kinit/kinit/test/kafkahome"
	"github.com/kinit/kinit/test/nethost"
)

// A secured KRaft cluster (KINIT_SECURITY=sasl_ssl) on three hosts of the
// kraft-production config: one controller, two brokers. Each host mounts a
// TLS dir holding only a development CA, so each node
// issues its own certificate at start; the admin password is a file. Every
// node gets ready through probes that authenticate (the brokers' SCRAM
// over TLS, the controller's mutual TLS), an independent client (kcat)
// with the password and the CA round-trips, and kcat is refused over
// PLAINTEXT, with a wrong password and without trusting the CA. A broker
// killed with SIGKILL is restarted and ready again.
func TestKRaftSecure(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	names := []string{"ctl-1", "brk-2", "brk-3"}
	c := nethost.New(t, nethost.Config{Names: names})
	mark := milestones(t)
	fq := func(n string) string { return c.Host(n).FQDN }

	const password = "s3cret-Admin-pw"
	// Each broker mounts the client users as a Secret volume.
	users := map[string]*secretDir{}
	for _, name := range names[1:] {
		users[name] = &secretDir{dir: filepath.Join(c.Host(name).Dir, "users")}
		users[name].write(t, map[string]string{"alice": "alice-pw-1"})
	}
	k := startSecureKRaft(t, c, password, func(name string) []string {
		if u := users[name]; u != nil {
			return []string{"KINIT_USERS_DIR=" + u.dir}
		}
		return nil
	})
	caDir, nodes := k.caDir, k.nodes
	for _, n := range nodes {
		n.waitReady(ctx, t)
	}
	mark("controller and brokers ready through authenticated probes")
	for _, n := range nodes {
		for _, f := range []string{"tls.crt", "tls.key"} {
			fi, err := os.Stat(filepath.Join(n.host.Dir, "tls", f))
			if err != nil {
				t.Fatalf("%s: the node's %s was not issued: %v", n.host.Name, f, err)
			}
			if f == "tls.key" && fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: tls.key has mode %v; want 0600", n.host.Name, fi.Mode().Perm())
			}
		}
	}

	// The clients run on a broker host, whose /etc/hosts knows every
	// FQDN: Kafka's own tools for SCRAM (Debian's kcat, librdkafka 2.0.2,
	// fails SCRAM against Kafka 4 with the right password: a client bug
	// fixed in librdkafka 2.6.1), kcat where the TLS handshake decides.
	brk := c.Host("brk-2")
	ca := filepath.Join(caDir, "ca.crt")
	runClass := filepath.Join(kafkahome.KRaftDir(t), "bin", "kafka-run-class")
	run := func(stdin string, args ...string) (string, error) {
		cctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		cmd := brk.Command(cctx, args...)
		cmd.Env = append(os.Environ(), kafkahome.JVMEnv()...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	clientProps := func(name, pw, caFile string) string {
		p := filepath.Join(t.TempDir(), name)
		text := "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n" +
			"sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"" + pw + "\";\n" +
			"ssl.truststore.type=PEM\nssl.truststore.location=" + caFile + "\n"
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := clientProps("client.properties", password, ca)
	const topic = "kinit-secure"
	if out, err := run("sealed\n", runClass, "org.apache.kafka.tools.ConsoleProducer", "--bootstrap-server", fq("brk-3")+":9092",
		"--topic", topic, "--producer.config", good); err != nil {
		t.Fatalf("produce with SCRAM and the CA: %v\n%s", err, out)
	}
	out, err := run("", runClass, "org.apache.kafka.tools.consumer.ConsoleConsumer", "--bootstrap-server", fq("brk-2")+":9092",
		"--topic", topic, "--from-beginning", "--max-messages", "1", "--timeout-ms", "60000", "--consumer.config", good)
	if err != nil || !strings.Contains(out, "sealed") {
		t.Fatalf("consume with SCRAM and the CA: %v\n%s", err, out)
	}
	mark("round trip over SASL_SSL with SCRAM")

	bad := clientProps("bad.properties", "not-"+password, ca)
	if out, err := run("", runClass, "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", fq("brk-2")+":9092",
		"--list", "--command-config", bad); err == nil || strings.Contains(out, topic) || !strings.Contains(out, "Authentication failed") {
		t.Errorf("kafka-topics with a wrong password (%v):\n%s", err, out)
	}
	other := filepath.Join(t.TempDir(), "other")
	if err := tlsdir.NewCA(other, "another CA", time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"PLAINTEXT", nil},
		{"a CA that did not sign the brokers", []string{"-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512",
			"-X", "sasl.username=admin", "-X", "sasl.password=" + password, "-X", "ssl.ca.location=" + filepath.Join(other, "ca.crt")}},
	} {
		args := append([]string{"kcat", "-b", fq("brk-2") + ":9092", "-m", "6"}, tt.args...)
		if out, err := run("", append(args, "-L")...); err == nil || strings.Contains(out, "topic \""+topic+"\"") {
			t.Errorf("kcat with %s listed the cluster (%v):\n%s", tt.name, err, out)
		}
	}
	mark("clients refused without the right credentials")

	// The same Secret on both brokers, as a StatefulSet mounts it.
	checkUsers(ctx, t, nodes[1:], []*secretDir{users["brk-2"], users["brk-3"]}, fq("brk-2")+":9092", ca, mark)
	// Every broker's certificate replaced while a producer sends with
	// acks=all: no send fails, every record is there.
	const steady = "kinit-rotation"
	if out, err := run("", runClass, "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", fq("brk-2")+":9092", "--create", "--topic", steady,
		"--partitions", "2", "--replication-factor", "2", "--command-config", good); err != nil {
		t.Fatalf("create %s: %v\n%s", steady, err, out)
	}
	producer := startProducer(ctx, t, brk, runClass, good, fq("brk-2")+":9092,"+fq("brk-3")+":9092", steady)
	// Rotate only once records are landing (the producer's JVM starts
	// first): its end offsets move.
	for {
		out, _ := run("", runClass, "org.apache.kafka.tools.GetOffsetShell", "--bootstrap-server", fq("brk-2")+":9092", "--topic", steady, "--command-config", good)
		if regexp.MustCompile(`:[1-9][0-9]*\s`).MatchString(out + "\n") {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the producer landed nothing on %s:\n%s", steady, out)
		}
		time.Sleep(500 * time.Millisecond)
	}
	// The new certificates come from a new intermediate of the same CA:
	// the brokers serve the chain, the clients trust the root alone.
	inter := intermediateOf(t, caDir)
	checkRotation(ctx, t, nodes[2], inter, ca, mark)
	checkRotation(ctx, t, nodes[1], inter, ca, mark)
	time.Sleep(2 * time.Second) // sends after the last reload
	sent, failed := producer.stop(t)
	t.Logf("through the rotation of both brokers' certificates: %d records sent with acks=all, %d sends failed", sent, failed)
	if failed != 0 || sent == 0 {
		t.Errorf("%d of %d sends failed through the rotation", failed, sent)
	}
	out, err = run("", runClass, "org.apache.kafka.tools.consumer.ConsoleConsumer", "--bootstrap-server", fq("brk-3")+":9092",
		"--topic", steady, "--from-beginning", "--max-messages", strconv.Itoa(sent), "--timeout-ms", "60000", "--consumer.config", good)
	if got := strings.Count(out, "steady-"); err != nil || got != sent {
		t.Errorf("read back %d of %d records sent through the rotation (%v)", got, sent, err)
	}
	mark("records sent through the rotation all read back")
	if out, err := kcatSCRAM(ctx, t, brk, fq("brk-3")+":9092", ca, "alice", "alice-pw-2", "after rotation\n", "-P", "-t", "kinit-users"); err != nil {
		t.Errorf("kcat through the rotated broker: %v\n%s", err, out)
	}

	b := nodes[1]
	st, err := b.status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	broker := st.service("kraft-broker")
	if err := syscall.Kill(hostPid(t, b, broker.Pid), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	b.waitStatus(ctx, t, "the broker restarted and ready", func(s *status) bool {
		sv := s.service("kraft-broker")
		return sv.Restarts > 0 && sv.Ready && sv.Pid != broker.Pid
	})
	mark("broker killed with SIGKILL, restarted, ready through its authenticated probe")

	// The admin password is in no log line kinit wrote and in no status.
	for _, n := range nodes {
		if strings.Contains(n.proc.Output(), password) {
			t.Errorf("%s: the admin password is in kinit's output", n.host.Name)
		}
		// The storage format's bootstrap records, blanked by the launcher.
		if scramKeys.MatchString(n.proc.Output()) || !strings.Contains(n.proc.Output(), "storedKey=[redacted]") {
			t.Errorf("%s: the format's SCRAM salt and keys are in kinit's output, or it printed none", n.host.Name)
		}
		out, _ := n.kinit(ctx, "status")
		if strings.Contains(string(out), password) {
			t.Errorf("%s: the admin password is in kinit status", n.host.Name)
		}
	}
}

var scramKeys = regexp.MustCompile(`(salt|storedKey|serverKey)=\[-?[0-9]`)

func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
