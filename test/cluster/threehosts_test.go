package cluster

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kinit/kinit/test/nethost"
)

// Three hosts, role zookeeper of the default config (ZooKeeper + broker on
// each), ids 1..3. One cluster serves every check in sequence, so the six
// JVMs start once:
//
//  1. the ensemble forms (one leader, two followers) and brokers 1..3
//     register;
//  2. a topic with replication factor 3 and min.insync.replicas 2, written
//     with acks=all through host 1, is read through host 3;
//  3. SIGKILL of host 2's kinit (PID 1: the kernel kills the whole host)
//     leaves a cluster that still takes writes and serves reads;
//  4. host 2 started again on the same data directories, without
//     KINIT_NODE_ID (the id comes from the data volume), rejoins as id 2:
//     ZooKeeper follower, broker 2 registered, meta.properties unchanged,
//     every replica back in sync, and a consumer reading through host 2
//     from partitions host 2 leads gets every record written before,
//     during and after its outage;
//  5. a change to the ZooKeeper template every node reads (one config
//     directory, as a ConfigMap mounted on each) restarts the three
//     ZooKeepers one at a time: never fewer than two serving, the RF=3
//     topic takes every acks=all write meanwhile, each node's file is
//     rewritten only for its own restart;
//  6. the same with the broker's template: the brokers restart one at a
//     time, each once the others hold every replica, and every acks=all
//     write goes through.
func TestThreeHosts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	mark := milestones(t)
	c, cm, nodes := zkHosts(t)
	for i, n := range nodes {
		st := n.waitReady(ctx, t)
		if st.Node.ID != i+1 || st.Node.ConfigID != "default" || st.Node.Role != "zookeeper" {
			t.Errorf("%s: node %+v; want id %d, default/zookeeper", n.host.Name, st.Node, i+1)
		}
		if ids := serviceIDs(st); !slices.Equal(ids, []string{"zookeeper", "kafka-broker"}) {
			t.Errorf("%s runs %v; want zookeeper, kafka-broker", n.host.Name, ids)
		}
	}

	mark("three nodes ready")
	// 1. Ensemble and brokers.
	modes := waitModes(ctx, t, c, c.Hosts)
	if leaders := countMode(modes, "leader"); leaders != 1 || countMode(modes, "follower") != 2 {
		t.Errorf("zookeeper modes %v; want one leader, two followers", modes)
	}
	zc := c.ZooKeeper(ctx, t, c.Hosts[0].FQDN+":2181", c.Hosts[1].FQDN+":2181", c.Hosts[2].FQDN+":2181")
	waitBrokers(ctx, t, zc, 1, 2, 3)

	mark("ensemble formed, brokers 1..3 registered")
	// 2. Replication factor 3 across hosts.
	const topic = "kinit-rf3"
	const partitions = 3
	seed1, seed2, seed3 := c.Hosts[0].FQDN+":9092", c.Hosts[1].FQDN+":9092", c.Hosts[2].FQDN+":9092"
	minISR := "2"
	p1 := producer(t, c, seed1)
	createTopic(ctx, t, p1, topic, partitions, 3, map[string]*string{"min.insync.replicas": &minISR})
	adm := kadm.NewClient(p1)
	waitPartitions(ctx, t, adm, topic, "three in-sync replicas", allISR(3))
	before := values("before", 30)
	if err := produce(ctx, p1, topic, partitions, before); err != nil {
		t.Fatalf("produce through %s: %v", seed1, err)
	}
	consumeAll(ctx, t, c, seed3, topic, before)

	mark("written through host 1, read through host 3")
	// 3. Host 2 dies with everything on it.
	n2 := nodes[1]
	meta := filepath.Join(n2.host.Dir, "data", "kafka", "data", "meta.properties")
	metaBefore := readProps(t, meta)
	if metaBefore["broker.id"] != "2" {
		t.Errorf("%s: broker.id %q; want 2", meta, metaBefore["broker.id"])
	}
	if err := n2.proc.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if code, err := n2.proc.Wait(time.Minute); err != nil || code != 128+int(syscall.SIGKILL) {
		t.Fatalf("host 2's kinit after SIGKILL: exit %d, %v", code, err)
	}
	during := values("during", 30)
	if err := produce(ctx, p1, topic, partitions, during); err != nil {
		t.Fatalf("produce with host 2 down: %v", err)
	}
	consumeAll(ctx, t, c, seed3, topic, append(slices.Clone(before), during...))
	modes = waitModes(ctx, t, c, []*nethost.Host{c.Hosts[0], c.Hosts[2]})
	if countMode(modes, "leader") != 1 {
		t.Errorf("zookeeper modes with host 2 down: %v; want a leader and a follower", modes)
	}
	waitBrokers(ctx, t, zc, 1, 3)

	mark("host 2 killed; written and read without it")
	// 4. Host 2 comes back on its data volume.
	n2.env = slices.DeleteFunc(n2.env, func(kv string) bool { return strings.HasPrefix(kv, "KINIT_NODE_ID=") })
	n2.start(t)
	st := n2.waitReady(ctx, t)
	if st.Node.ID != 2 {
		t.Errorf("host 2 came back as id %d; want 2 (persisted on its data volume)", st.Node.ID)
	}
	waitBrokers(ctx, t, zc, 1, 2, 3)
	modes = waitModes(ctx, t, c, []*nethost.Host{c.Hosts[1]})
	if m := modes[c.Hosts[1].Name]; m != "follower" {
		t.Errorf("host 2's zookeeper rejoined as %s; want follower", m)
	}
	if metaAfter := readProps(t, meta); !maps.Equal(metaBefore, metaAfter) {
		t.Errorf("meta.properties changed across the restart: %v -> %v", metaBefore, metaAfter)
	}
	waitPartitions(ctx, t, adm, topic, "three in-sync replicas again", allISR(3))
	// Hand each partition back to its preferred replica, so host 2 leads
	// one and the consumer below reads it from host 2's log.
	// The election is asked again on every poll: the controller may not
	// yet count a replica that the metadata already shows in sync.
	set := kadm.TopicsSet{}
	set.Add(topic, 0, 1, 2)
	var electErr error
	ps := waitPartitions(ctx, t, adm, topic, "preferred leaders", func(ps kadm.PartitionDetails) bool {
		for _, p := range ps {
			if len(p.Replicas) == 0 || p.Leader != p.Replicas[0] {
				_, electErr = adm.ElectLeaders(ctx, kadm.ElectPreferredReplica, set)
				return false
			}
		}
		return true
	})
	if electErr != nil {
		t.Logf("a preferred leader election failed on the way: %v", electErr)
	}
	led := int32(-1)
	for _, p := range ps {
		if p.Leader == 2 {
			led = p.Partition
		}
	}
	if led < 0 {
		t.Fatalf("broker 2 leads no partition: %s", describe(ps))
	}
	after := values("after", 30)
	if err := produce(ctx, p1, topic, partitions, after); err != nil {
		t.Fatalf("produce after host 2 rejoined: %v", err)
	}
	mark("host 2 rejoined: follower, broker 2 registered, replicas in sync, leads a partition again")
	all := append(append(slices.Clone(before), during...), after...)
	got := consumeAll(ctx, t, c, seed2, topic, all)
	mark("every record read back through host 2")
	if got[led] < len(all)/partitions {
		t.Errorf("partition %d (led by broker 2) gave %d records; want %d", led, got[led], len(all)/partitions)
	}

	// 5. One change to every node's ZooKeeper settings at once.
	rolling := rollZooKeeper(ctx, t, c, nodes, cm, p1, topic, partitions)
	mark("zookeeper settings changed on every node: restarted one at a time, quorum and writes kept")
	all = append(all, rolling...)
	consumeAll(ctx, t, c, seed3, topic, all)

	// 6. One change to every node's broker settings at once: the brokers
	// restart one at a time, each when the cluster can spare it.
	rolling = rollTemplate(ctx, t, nodes, cm, templateChange{
		service: "kafka-broker", template: "server.properties", rendered: "server.properties",
		key: "log.retention.check.interval.ms", from: "300000", to: "300001",
	}, p1, topic, partitions)
	mark("broker settings changed on every node: restarted one at a time, writes kept")
	waitPartitions(ctx, t, adm, topic, "three in-sync replicas after the brokers' roll", allISR(3))
	consumeAll(ctx, t, c, seed3, topic, append(all, rolling...))
}

// zkHosts starts three hosts of the default config's zookeeper role
// (ZooKeeper and a broker on each), ids 1..3, reading one copy of the
// shipped config, cm, so that a change there reaches every node at once,
// as a ConfigMap mounted on each would. extra goes to every node.
func zkHosts(t testing.TB, extra ...string) (*nethost.Cluster, string, []*node) {
	c := nethost.New(t, nethost.Config{Names: []string{"kafka-1", "kafka-2", "kafka-3"}})
	var members []string
	for _, h := range c.Hosts {
		members = append(members, fmt.Sprintf("%d@%s", h.Index, h.FQDN))
	}
	cm := copyConfig(t)
	nodes := make([]*node, len(c.Hosts))
	for i, h := range c.Hosts {
		env := []string{
			"KINIT_CONFIG=" + filepath.Join(cm, "kinit.toml"),
			"KINIT_CONFIG_ID=default",
			"KINIT_ROLE=zookeeper",
			"KINIT_NODES=zookeeper=" + strings.Join(members, ","),
			fmt.Sprintf("KINIT_NODE_ID=%d", h.Index),
			// Property overrides from the environment: notice a dead
			// broker (and drop it from the ISR) in seconds, not 18-30 s.
			"KAFKA_ZOOKEEPER_SESSION_TIMEOUT_MS=10000",
			"KAFKA_REPLICA_LAG_TIME_MAX_MS=10000",
		}
		nodes[i] = newNode(t, c, h, append(env, extra...)...)
		nodes[i].start(t)
	}
	return c, cm, nodes
}

// rollZooKeeper changes the ZooKeeper template in cm under every node,
// watches the ensemble through the roll, and returns what was written.
func rollZooKeeper(ctx context.Context, t *testing.T, c *nethost.Cluster, nodes []*node, cm string,
	p *kgo.Client, topic string, partitions int32) []string {
	t.Helper()
	// Live is what ruok says (the server runs); srvr's "serving" also
	// drops for the second of the election after a leader restarts,
	// which no restart order avoids, so that is only logged.
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	minLive, minServing, lowLive := len(nodes), len(nodes), []string{}
	wg.Go(func() {
		for wctx.Err() == nil {
			var live []string
			serving := 0
			for _, h := range c.Hosts {
				addr := h.FQDN + ":2181"
				if zkLive(wctx, c, addr) {
					live = append(live, h.Name)
				}
				if m, err := c.ZooKeeperMode(wctx, addr); err == nil && (m == "leader" || m == "follower") {
					serving++
				}
			}
			if wctx.Err() != nil {
				return
			}
			if len(live) < minLive {
				minLive, lowLive = len(live), live
			}
			minServing = min(minServing, serving)
			time.Sleep(100 * time.Millisecond)
		}
	})
	written := rollTemplate(ctx, t, nodes, cm, templateChange{
		service: "zookeeper", template: "zookeeper.properties", rendered: "zookeeper.properties",
		key: "autopurge.snapRetainCount", from: "3", to: "4",
	}, p, topic, partitions)
	stop()
	wg.Wait()
	if minLive < 2 {
		t.Errorf("the ensemble fell below quorum during the roll: only %v running", lowLive)
	}
	t.Logf("roll: at least %d ZooKeepers running and %d serving throughout", minLive, minServing)
	return written
}

// zkLive: the server at addr answers ruok with imok (it runs, whether or
// not it serves right now).
func zkLive(ctx context.Context, c *nethost.Cluster, addr string) bool {
	dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := c.DialContext(dctx, "tcp", addr)
	if err != nil {
		return false
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.WriteString(conn, "ruok"); err != nil {
		return false
	}
	out, _ := io.ReadAll(conn)
	return string(out) == "imok"
}

// copyConfig copies the shipped kinit.toml and its templates into a
// directory of the test's.
func copyConfig(t testing.TB) string {
	t.Helper()
	src := filepath.Dir(configPath(t))
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func serviceIDs(st *status) []string {
	var ids []string
	for _, s := range st.Services {
		ids = append(ids, s.ID)
	}
	return ids
}

// waitModes waits until every host's ZooKeeper serves as leader or
// follower and returns the modes by host name.
func waitModes(ctx context.Context, t testing.TB, c *nethost.Cluster, hosts []*nethost.Host) map[string]string {
	t.Helper()
	modes := map[string]string{}
	for {
		for _, h := range hosts {
			if m, err := c.ZooKeeperMode(ctx, h.FQDN+":2181"); err == nil && (m == "leader" || m == "follower") {
				modes[h.Name] = m
			}
		}
		if len(modes) == len(hosts) {
			return modes
		}
		select {
		case <-ctx.Done():
			t.Fatalf("zookeeper quorum not serving: modes %v", modes)
		case <-time.After(300 * time.Millisecond):
		}
		clear(modes)
	}
}

func countMode(modes map[string]string, mode string) int {
	n := 0
	for _, m := range modes {
		if m == mode {
			n++
		}
	}
	return n
}

func allISR(n int) func(kadm.PartitionDetails) bool {
	return func(ps kadm.PartitionDetails) bool {
		for _, p := range ps {
			if len(p.ISR) != n || p.Leader < 0 {
				return false
			}
		}
		return len(ps) > 0
	}
}

// readProps reads a Java properties file's key=value lines (comments,
// such as the date Kafka may write, are left out).
func readProps(t testing.TB, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	props := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, v, _ := strings.Cut(l, "=")
		props[k] = v
	}
	return props
}
