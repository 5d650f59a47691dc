package kubecluster

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// deployment is what one config under deploy/kubernetes deploys.
type deployment struct {
	dir       string // under deploy/kubernetes
	namespace string
	quorum    string // the StatefulSet whose members vote: controllers or ZooKeeper
	dataMount string // the brokers' volume
	firstID   int    // kafka-0's node id
	// A secured overlay of this config, checked by the API server with a
	// server-side dry run while the namespace exists (TestKRaftProductionSecure
	// deploys kraft-production-secure for real).
	overlay string
}

func TestKRaftProduction(t *testing.T) {
	run(t, deployment{dir: "kraft-production", namespace: "kafka-kraft", quorum: "controller", dataMount: "/var/lib/kraft", firstID: 4})
}

func TestProduction(t *testing.T) {
	run(t, deployment{dir: "production", namespace: "kafka", quorum: "zk", dataMount: "/var/lib/kafka", firstID: 1,
		overlay: "production-secure"})
}

func run(t *testing.T, d deployment) {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	n := ns{t: t, name: d.namespace}
	brokers := []string{"kafka-0", "kafka-1", "kafka-2"}
	quorum := []string{d.quorum + "-0", d.quorum + "-1", d.quorum + "-2"}
	all := append(append(append([]string{}, quorum...), brokers...), "schemareg-0", "gateway-0")
	n.waitGone(ctx)
	n.deleteLater()
	n.logsOnFailure(all) // before the namespace goes (cleanups run last first)

	mark := time.Now()
	n.kubectl(ctx, "apply", "-k", filepath.Join(root, "deploy", "kubernetes", d.dir))
	checkRestricted(ctx, t, n)
	pods := n.waitReady(ctx, all, nil)
	nodes := map[string]bool{}
	for _, p := range pods {
		nodes[p.Node] = true
	}
	t.Logf("%d pods Ready in %.0fs on %d nodes", len(all), time.Since(mark).Seconds(), len(nodes))
	// The claim's volume belongs to the pods' group (fsGroup), set-group-id,
	// so kinit (uid 1000) owns what it makes there.
	if got := strings.TrimSpace(n.kubectl(ctx, "exec", "kafka-0", "--", "stat", "-c", "%g %A", d.dataMount)); got != "1000 drwxrwsr-x" {
		t.Errorf("kafka-0's %s: group and mode %q; want 1000 drwxrwsr-x (fsGroup)", d.dataMount, got)
	}
	if d.overlay != "" {
		n.kubectl(ctx, "apply", "-k", filepath.Join(root, "deploy", "kubernetes", d.overlay), "--dry-run=server")
	}

	// A client of the headless Service, as an application in the cluster
	// would bootstrap; every record acknowledged by all in-sync replicas.
	// It retries as Kafka's own producer does by default: any retriable
	// error, UNKNOWN_TOPIC_OR_PARTITION included (a broker just back from a
	// restart answers it until the controller has told it its partitions),
	// until the record's delivery timeout of two minutes.
	seed := fmt.Sprintf("kafka.%s.svc:9092", d.namespace)
	client := func(opts ...kgo.Opt) *kgo.Client {
		cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(seed), kgo.Dialer(dial),
			kgo.RequiredAcks(kgo.AllISRAcks()), kgo.RecordPartitioner(kgo.ManualPartitioner()),
			kgo.UnknownTopicRetries(-1), kgo.RecordDeliveryTimeout(2 * time.Minute)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cl.Close)
		return cl
	}
	const topic = "kinit-kube"
	p := client()
	minISR := "2"
	if _, err := kadm.NewClient(p).CreateTopic(ctx, 3, 3, map[string]*string{"min.insync.replicas": &minISR}, topic); err != nil {
		t.Fatalf("create an RF=3 topic: %v", err)
	}
	var acked []string
	produce := func(prefix string, count int) {
		t.Helper()
		for i := range count {
			v := fmt.Sprintf("%s-%d", prefix, i)
			if err := p.ProduceSync(ctx, &kgo.Record{Topic: topic, Partition: int32(i % 3), Value: []byte(v)}).FirstErr(); err != nil {
				t.Fatalf("produce %s: %v", v, err)
			}
			acked = append(acked, v)
		}
	}
	consumeAll := func(when string) {
		t.Helper()
		c := client(kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
		left := map[string]bool{}
		for _, v := range acked {
			left[v] = true
		}
		cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		for len(left) > 0 {
			fs := c.PollFetches(cctx)
			if cctx.Err() != nil {
				t.Fatalf("%s: %d of %d acknowledged records not read back", when, len(left), len(acked))
			}
			fs.EachRecord(func(r *kgo.Record) { delete(left, string(r.Value)) })
		}
		c.Close()
	}
	produce("first", 30)
	consumeAll("round trip")
	t.Logf("RF=3 round trip through %s", seed)

	// A broker pod deleted: kinit stops it in order within the grace, the
	// StatefulSet makes it again on its volume with the same node id.
	meta := func(pod string) map[string]string {
		return props(n.kubectl(ctx, "exec", pod, "--", "cat", d.dataMount+"/data/meta.properties"))
	}
	metaBefore := meta("kafka-1")
	idKey := "node.id" // KRaft; ZooKeeper mode's meta.properties says broker.id
	if d.quorum == "zk" {
		idKey = "broker.id"
	}
	if got, want := metaBefore[idKey], fmt.Sprint(d.firstID+1); got != want {
		t.Errorf("kafka-1's meta.properties: %s=%q; want %s, the id its ordinal gives (%v)", idKey, got, want, metaBefore)
	}
	old := map[string]string{"kafka-1": pods["kafka-1"].UID}
	deleted := time.Now()
	n.kubectl(ctx, "delete", "pod", "kafka-1", "--wait=true", "--timeout", "3m")
	stop := time.Since(deleted)
	// Gone before terminationGracePeriodSeconds (120 s): kinit ended the
	// broker's controlled shutdown itself rather than being killed.
	if stop >= 120*time.Second {
		t.Errorf("kafka-1 took %s to stop: killed at the grace period, not stopped by kinit", stop)
	}
	produce("broker-down", 30)
	n.waitReady(ctx, []string{"kafka-1"}, old)
	if got := meta("kafka-1"); !maps.Equal(got, metaBefore) {
		t.Errorf("kafka-1's meta.properties changed across its deletion:\n%s\nwas\n%s", got, metaBefore)
	}
	produce("broker-back", 30)
	consumeAll("after the broker's deletion")
	t.Logf("kafka-1 deleted (stopped in %.1fs), back with its id and volume", stop.Seconds())

	rollBrokers(ctx, t, n, brokers, func() { produce("rolling", 1) })
	consumeAll("after the rolling update")

	loseQuorumMember(ctx, t, n, d, p)
	produce("last", 30)
	consumeAll("at the end")
}

// rollBrokers changes the brokers' environment (a property override a user
// would set) and follows the rolling update: one pod at a time, each Ready
// before the next goes, records produced and acknowledged throughout.
func rollBrokers(ctx context.Context, t *testing.T, n ns, brokers []string, produce func()) {
	before, err := n.pods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mark := time.Now()
	n.kubectl(ctx, "set", "env", "statefulset/kafka", "KAFKA_LOG_RETENTION_HOURS=72")
	done := make(chan struct{})
	var wg sync.WaitGroup
	var maxDown int
	var order []string
	var produced int
	wg.Add(1)
	go func() {
		defer wg.Done()
		seen := map[string]bool{}
		for {
			select {
			case <-done:
				return
			case <-time.After(time.Second):
			}
			pods, err := n.pods(ctx)
			if err != nil {
				continue
			}
			down := 0
			for _, b := range brokers {
				p, ok := pods[b]
				if !ok || !p.Ready {
					down++
				}
				if ok && p.UID != before[b].UID && !seen[b] {
					seen[b] = true
					order = append(order, b)
				}
			}
			maxDown = max(maxDown, down)
		}
	}()
	rollout := make(chan error, 1)
	go func() {
		_, err := n.kubectlErr(ctx, "rollout", "status", "statefulset/kafka", "--timeout", "12m")
		rollout <- err
	}()
	var rerr error
loop:
	for {
		select {
		case rerr = <-rollout:
			break loop
		default:
			produce()
			produced++
			time.Sleep(200 * time.Millisecond)
		}
	}
	close(done)
	wg.Wait()
	if rerr != nil {
		t.Fatal(rerr)
	}
	after := n.waitReady(ctx, brokers, nil)
	for _, b := range brokers {
		if after[b].UID == before[b].UID {
			t.Errorf("%s was not replaced by the rolling update", b)
		}
	}
	if maxDown > 1 {
		t.Errorf("up to %d brokers were not Ready at once during the rolling update; want one at a time", maxDown)
	}
	if want := []string{"kafka-2", "kafka-1", "kafka-0"}; strings.Join(order, ",") != strings.Join(want, ",") {
		t.Errorf("brokers replaced in the order %v; want %v (highest ordinal first)", order, want)
	}
	// The override reached the broker's rendered properties.
	for _, b := range brokers {
		if out, err := n.kubectlErr(ctx, "exec", b, "--", "grep", "-rlx", "log.retention.hours=72", "/usr/lib/kafka/etc"); err != nil {
			t.Errorf("%s: log.retention.hours=72 is in no rendered file: %v %s", b, err, out)
		}
	}
	t.Logf("rolling update in %.0fs, order %v, at most %d broker down, %d records acknowledged meanwhile",
		time.Since(mark).Seconds(), order, maxDown, produced)
}

// loseQuorumMember deletes the first voter (controller or ZooKeeper) and
// checks the quorum keeps a leader meanwhile: a topic can still be created
// (which only an active controller, or ZooKeeper with a quorum, can do),
// then the member comes back Ready.
func loseQuorumMember(ctx context.Context, t *testing.T, n ns, d deployment, p *kgo.Client) {
	name := d.quorum + "-0"
	pods, err := n.pods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	old := map[string]string{name: pods[name].UID}
	n.kubectl(ctx, "delete", "pod", name, "--wait=true", "--timeout", "3m")
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if _, err := kadm.NewClient(p).CreateTopic(cctx, 3, 3, nil, "kinit-kube-quorum"); err != nil {
		t.Errorf("with %s gone, creating a topic failed: %v", name, err)
	}
	if d.quorum == "zk" {
		modes := map[string]string{}
		for _, m := range []string{"zk-1", "zk-2"} {
			modes[m] = zkMode(ctx, t, pods[m].IP)
		}
		if modes["zk-1"] != "leader" && modes["zk-2"] != "leader" {
			t.Errorf("with zk-0 gone the ensemble has no leader: %v", modes)
		}
	}
	back := n.waitReady(ctx, []string{name}, old)
	if d.quorum == "zk" {
		if mode := zkMode(ctx, t, back[name].IP); mode != "follower" && mode != "leader" {
			t.Errorf("zk-0 is back as %q; want a member of the ensemble", mode)
		}
	}
	t.Logf("%s deleted, the quorum kept a leader, %s back Ready", name, name)
}
