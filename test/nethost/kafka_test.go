package nethost

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kinit/kinit/test/kafkahome"
)

// A franz-go client in the test process talks to a broker on a test host:
// the broker advertises its FQDN, which only the hosts' /etc/hosts knows,
// and Cluster.DialContext maps it to the host's address.
func TestKafkaClientFromTestProcess(t *testing.T) {
	home := kafkahome.Dir(t)
	c := New(t, Config{Names: []string{"zk-1", "kafka-1"}})
	zkHost, kHost := c.Hosts[0], c.Hosts[1]
	env := append(os.Environ(), kafkahome.JVMEnv()...)

	zkProps := filepath.Join(zkHost.Dir, "zookeeper.properties")
	writeTestFile(t, zkProps, fmt.Sprintf("dataDir=%s/zk\nclientPort=2181\nadmin.enableServer=false\n", zkHost.Dir))
	zk := zkHost.Start(t, Command{
		Args: []string{filepath.Join(home, "bin/zookeeper-server-start"), zkProps},
		Env:  append(env, "KAFKA_HEAP_OPTS=-Xms128m -Xmx128m", "LOG_DIR="+zkHost.Dir+"/logs"),
	})
	serverProps := filepath.Join(kHost.Dir, "server.properties")
	writeTestFile(t, serverProps, fmt.Sprintf(`broker.id=1
listeners=PLAINTEXT://0.0.0.0:9092
advertised.listeners=PLAINTEXT://%s:9092
log.dirs=%s/kafka
zookeeper.connect=zk-1:2181
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
`, kHost.FQDN, kHost.Dir))
	broker := kHost.Start(t, Command{
		Args: []string{filepath.Join(home, "bin/kafka-server-start"), serverProps},
		Env:  append(env, "LOG_DIR="+kHost.Dir+"/logs"),
	})

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if err := WaitTCP(ctx, c, "kafka-1:9092", broker.Done()); err != nil {
		t.Fatalf("%v\n%s\n%s", err, zk.Output(), broker.Output())
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers("kafka-1:9092"),
		kgo.Dialer(c.DialContext),
		kgo.AllowAutoTopicCreation(),
		kgo.ConsumeTopics("kinit-t"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	// The port accepts before the broker has registered and learnt its
	// own metadata: until then Metadata lists no broker.
	var brokers kadm.BrokerDetails
	for {
		brokers, err = kadm.NewClient(cl).ListBrokers(ctx)
		if err == nil && len(brokers) > 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("no broker listed: %v\n%s", err, broker.Output())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(brokers) != 1 || brokers[0].Host != "kafka-1.kinit.test" {
		t.Fatalf("brokers %+v; want kafka-1.kinit.test", brokers)
	}
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "kinit-t", Value: []byte("across namespaces")}).FirstErr(); err != nil {
		t.Fatalf("produce: %v\n%s", err, broker.Output())
	}
	var got []string
	for len(got) == 0 {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consume: %v (errors %v)", err, fs.Errors())
		}
		fs.EachRecord(func(r *kgo.Record) { got = append(got, string(r.Value)) })
	}
	if strings.Join(got, ",") != "across namespaces" {
		t.Errorf("consumed %q", got)
	}
	cl.Close()

	if err := broker.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if _, err := broker.Wait(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(broker.Output(), "shut down completed (kafka.server.KafkaServer)") {
		t.Errorf("broker did not complete its shutdown:\n%s", broker.Output())
	}
}

func writeTestFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
