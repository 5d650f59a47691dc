package components

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/roles"
	"github.com/kinit/kinit/test/kafkahome"
)

// Kafka 4.4 in KRaft mode through the same launchers, without kinit: the
// groundwork of KRaft support (issue 11). A combined controller+broker node
// is formatted with kafka-storage and an id from `kinit cluster-id`'s
// generator, which Kafka's own storage tool takes; a second format is
// refused and leaves meta.properties alone; the node logs through log4j 2
// to stdout (it would log nothing without the binding), takes a write
// and gives it back, and shuts down cleanly on SIGTERM.
func TestKRaftCombinedNode(t *testing.T) {
	home := kafkahome.KRaftDir(t)
	dir := t.TempDir()
	env := append(os.Environ(), kafkahome.JVMEnv()...)
	env = append(env, "LOG_DIR="+filepath.Join(dir, "logs"))
	ports := testkit.FreePorts(t, 2)
	bootstrap := fmt.Sprintf("127.0.0.1:%d", ports[0])
	props := writeFile(t, filepath.Join(dir, "server.properties"), fmt.Sprintf(`process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:%[2]d
listeners=PLAINTEXT://%[1]s,CONTROLLER://127.0.0.1:%[2]d
advertised.listeners=PLAINTEXT://%[1]s
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=%[3]s/kraft
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
`, bootstrap, ports[1], dir))

	id := roles.NewClusterID()
	storage := filepath.Join(home, "bin/kafka-storage")
	if out, err := runTool(env, storage, "format", "-t", id, "-c", props); err != nil {
		t.Fatalf("kafka-storage format: %v\n%s", err, out)
	}
	meta := filepath.Join(dir, "kraft", "meta.properties")
	first, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(first), "cluster.id="+id+"\n") || !strings.Contains(string(first), "node.id=1\n") {
		t.Fatalf("meta.properties after format:\n%s", first)
	}
	if out, err := runTool(env, storage, "format", "-t", roles.NewClusterID(), "-c", props); err == nil {
		t.Errorf("a second format with another cluster id succeeded:\n%s", out)
	}
	if again, _ := os.ReadFile(meta); string(again) != string(first) {
		t.Errorf("meta.properties changed by the refused format:\n%s", again)
	}

	node := start(t, "kafka-kraft", env, filepath.Join(home, "bin/kafka-server-start"), props)
	waitLog(t, node, "Kafka Server started (kafka.server.KafkaRaftServer)")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.AllowAutoTopicCreation(), kgo.ConsumeTopics("kinit-kraft"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "kinit-kraft", Value: []byte("hello kraft")}).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
	fs := cl.PollFetches(ctx)
	if errs := fs.Errors(); len(errs) > 0 {
		t.Fatalf("fetch: %v", errs)
	}
	if recs := fs.Records(); len(recs) != 1 || string(recs[0].Value) != "hello kraft" {
		t.Fatalf("fetched %v", recs)
	}
	cl.Close()

	node.stop(t, syscall.SIGTERM) // the JVM exits 143 after its shutdown hooks
	for _, want := range []string{"shut down completed (kafka.server.BrokerServer)", "INFO"} {
		if !strings.Contains(node.output(), want) {
			t.Errorf("the KRaft node's log lacks %q", want)
		}
	}
}

// runTool runs a Kafka command-line tool to its end.
func runTool(env []string, argv ...string) ([]byte, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	return cmd.CombinedOutput()
}
