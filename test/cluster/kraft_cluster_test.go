package cluster

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kinit/kinit/roles"
	"github.com/kinit/kinit/test/nethost"
	"github.com/kinit/kinit/test/opensearch"
)

// Three hosts, role broker of the kraft config: a combined controller and
// broker on each (and a schema registry), one cluster id given to all,
// ids 1..3:
//
//  1. the quorum forms with one leader that every host names, voters
//     1..3, and brokers 1..3 are registered;
//  2. a replication factor 3 topic written through host 1 is read through
//     host 3;
//  3. SIGKILL of host 2's kinit (the whole host dies): the quorum keeps a
//     leader, writes and reads go on;
//  4. host 2 started again on its volume, without KINIT_NODE_ID, comes
//     back as node 2 (meta.properties unchanged), its replicas catch up,
//     and every record is read through host 2.
//
// The nodes ship metrics to a real OpenSearch on a fourth host: the
// brokers' documents carry messages in, the lagging group's lag is kadm's,
// and while host 2 is away hosts 1 and 3 report under-replicated
// partitions, none again once it is back (Kafka's numbers in KRaft mode).
func TestKRaftThreeHosts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	c := nethost.New(t, nethost.Config{Names: []string{"kafka-1", "kafka-2", "kafka-3", "search-1"}})
	mark := milestones(t)
	hosts, sh := c.Hosts[:3], c.Hosts[3]
	sh.Start(t, nethost.Command{Args: opensearch.Args(opensearch.Home(t), sh.Addr.String(), openSearchPort, filepath.Join(sh.Dir, "opensearch")),
		Log: filepath.Join(sh.Dir, "opensearch.log")})
	search := opensearch.Client{URL: "http://" + sh.HostPort(openSearchPort)}
	var members []string
	for _, h := range hosts {
		members = append(members, fmt.Sprintf("%d@%s", h.Index, h.FQDN))
	}
	clusterID := roles.NewClusterID()
	nodes := make([]*node, len(hosts))
	for i, h := range hosts {
		nodes[i] = newNode(t, c, h,
			"KINIT_CONFIG_ID=kraft",
			"KINIT_ROLE=broker",
			"KINIT_NODES=broker="+strings.Join(members, ","),
			fmt.Sprintf("KINIT_NODE_ID=%d", h.Index),
			"CLUSTER_ID="+clusterID, // the Apache image's name for it
			// Notice a dead broker in seconds (KRaft fences it after
			// broker.session.timeout.ms, 9 s by default).
			"KAFKA_REPLICA_LAG_TIME_MAX_MS=10000",
			fmt.Sprintf("KINIT_ES_URLS=http://%s:%d", sh.FQDN, openSearchPort), "KINIT_METRICS_INTERVAL=2s",
		)
		nodes[i].start(t)
	}
	for i, n := range nodes {
		st := n.waitReady(ctx, t)
		if st.Node.ID != i+1 || st.Node.ConfigID != "kraft" {
			t.Errorf("%s: node %+v; want id %d, kraft", n.host.Name, st.Node, i+1)
		}
		if ids := serviceIDs(st); !slices.Equal(ids, []string{"kraft-broker-format", "kraft-broker", "schema-registry"}) {
			t.Errorf("%s runs %v", n.host.Name, ids)
		}
	}
	mark("three nodes ready")

	// 1. One quorum, one leader.
	// Each controller: the leader describes the quorum, the others say
	// they follow; each broker forwards to the leader.
	var leaders []int
	for _, h := range hosts {
		if q, follower := describeQuorum(ctx, t, c, h.FQDN+":9093"); !follower {
			if q.leader != h.Index || !slices.Equal(q.voters, []int{1, 2, 3}) {
				t.Errorf("%s: quorum %+v; want itself leader of voters 1..3", h.Name, q)
			}
			leaders = append(leaders, h.Index)
		}
	}
	if len(leaders) != 1 {
		t.Fatalf("controllers that lead: %v; want one", leaders)
	}
	for _, h := range hosts {
		if q, _ := describeQuorum(ctx, t, c, h.FQDN+":9092"); q.leader != leaders[0] {
			t.Errorf("%s's broker forwards to a quorum led by %d; want %d", h.Name, q.leader, leaders[0])
		}
	}
	seed1, seed2, seed3 := c.Hosts[0].FQDN+":9092", c.Hosts[1].FQDN+":9092", c.Hosts[2].FQDN+":9092"
	p1 := producer(t, c, seed1)
	adm := kadm.NewClient(p1)
	waitBrokerIDs(ctx, t, c, seed1, 1, 2, 3)
	mark("quorum formed, brokers 1..3 registered")

	// 2. RF=3 across hosts.
	const topic = "kinit-kraft-rf3"
	const partitions = 3
	minISR := "2"
	createTopic(ctx, t, p1, topic, partitions, 3, map[string]*string{"min.insync.replicas": &minISR})
	waitPartitions(ctx, t, adm, topic, "three in-sync replicas", allISR(3))
	before := values("before", 30)
	if err := produce(ctx, p1, topic, partitions, before); err != nil {
		t.Fatalf("produce through %s: %v", seed1, err)
	}
	consumeAll(ctx, t, c, seed3, topic, before)
	mark("written through host 1, read through host 3")
	if _, _, err := search.WaitUp(ctx); err != nil {
		t.Fatal(err)
	}
	lag := lagWorkload(ctx, t, c, seed1, "lagged", 3)
	// Broker 1 is the lowest live id: host 1 ships the cluster's numbers.
	waitKafkaMetrics(ctx, t, search, hosts[0].FQDN, "kraft-broker", lag)
	agentClosed(t, hosts[0], 8779)
	mark("kafka metrics shipped")

	// 3. Host 2 dies with everything on it.
	n2 := nodes[1]
	meta := n2.host.Dir + "/data/kraft/data/meta.properties"
	metaBefore := readProps(t, meta)
	if metaBefore["node.id"] != "2" || metaBefore["cluster.id"] != clusterID {
		t.Errorf("%s: %v; want node.id 2, cluster.id %s", meta, metaBefore, clusterID)
	}
	killed := time.Now()
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
	if q, _ := describeQuorum(ctx, t, c, c.Hosts[0].FQDN+":9092"); q.leader < 1 || q.leader == 2 {
		t.Errorf("quorum with host 2 down: %+v; want a leader on host 1 or 3", q)
	}
	mark("host 2 killed; written and read without it")
	waitURP(ctx, t, search, []string{hosts[0].FQDN, hosts[2].FQDN}, killed, true)
	mark("hosts 1 and 3 ship under-replicated partitions")

	// 4. Host 2 comes back on its volume.
	n2.env = slices.DeleteFunc(n2.env, func(kv string) bool { return strings.HasPrefix(kv, "KINIT_NODE_ID=") })
	n2.start(t)
	st := n2.waitReady(ctx, t)
	mark("host 2 ready again")
	if st.Node.ID != 2 {
		t.Errorf("host 2 came back as id %d; want 2 (persisted on its data volume)", st.Node.ID)
	}
	if f := st.service("kraft-broker-format"); f.State != "done" || f.LastExit != nil {
		t.Errorf("host 2's format on its return: %+v; want done without a run", f)
	}
	if got := readProps(t, meta); got["node.id"] != metaBefore["node.id"] || got["cluster.id"] != metaBefore["cluster.id"] || got["directory.id"] != metaBefore["directory.id"] {
		t.Errorf("meta.properties across the outage: %v -> %v", metaBefore, got)
	}
	waitBrokerIDs(ctx, t, c, seed1, 1, 2, 3)
	waitPartitions(ctx, t, adm, topic, "three in-sync replicas again", allISR(3))
	mark("replicas in sync again")
	waitURP(ctx, t, search, []string{hosts[0].FQDN, hosts[1].FQDN, hosts[2].FQDN}, time.Now(), false)
	mark("every broker ships no under-replicated partition again")
	after := values("after", 30)
	if err := produce(ctx, p1, topic, partitions, after); err != nil {
		t.Fatalf("produce after host 2's return: %v", err)
	}
	consumeAll(ctx, t, c, seed2, topic, append(append(slices.Clone(before), during...), after...))
	mark("host 2 back as node 2; every record read through it")
}

type quorumState struct {
	leader, epoch int
	voters        []int
}

// describeQuorum asks one KRaft endpoint for the metadata quorum until it
// answers: a broker forwards the request to the leader, the leader
// describes the quorum, another controller answers that it is a follower
// (follower true, no state).
func describeQuorum(ctx context.Context, t testing.TB, c *nethost.Cluster, addr string) (q quorumState, follower bool) {
	t.Helper()
	cl := kafkaClient(t, c, addr)
	req := kmsg.NewPtrDescribeQuorumRequest()
	tp := kmsg.NewDescribeQuorumRequestTopic()
	tp.Topic = "__cluster_metadata"
	tp.Partitions = []kmsg.DescribeQuorumRequestTopicPartition{kmsg.NewDescribeQuorumRequestTopicPartition()}
	req.Topics = append(req.Topics, tp)
	for {
		resp, err := cl.SeedBrokers()[0].Request(ctx, req)
		if err == nil {
			r := resp.(*kmsg.DescribeQuorumResponse)
			code := r.ErrorCode
			if code == 0 && len(r.Topics) == 1 && len(r.Topics[0].Partitions) == 1 {
				code = r.Topics[0].Partitions[0].ErrorCode
			}
			err = kerr.ErrorForCode(code)
			switch {
			case errors.Is(err, kerr.NotLeaderForPartition):
				return quorumState{}, true
			case err == nil:
				p := r.Topics[0].Partitions[0]
				q := quorumState{leader: int(p.LeaderID), epoch: int(p.LeaderEpoch)}
				for _, v := range p.CurrentVoters {
					q.voters = append(q.voters, int(v.ReplicaID))
				}
				slices.Sort(q.voters)
				return q, false
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no quorum from %s: %v", addr, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// waitBrokerIDs waits until the metadata lists exactly these brokers
// (registered and unfenced). Each attempt has a client of its own: one
// that talked to a host that died keeps a connection nobody answers.
func waitBrokerIDs(ctx context.Context, t testing.TB, c *nethost.Cluster, seed string, ids ...int32) {
	t.Helper()
	var got []int32
	var lastErr error
	for {
		cl := kafkaClient(t, c, seed)
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		m, err := kadm.NewClient(cl).BrokerMetadata(actx)
		cancel()
		cl.Close()
		if lastErr = err; err == nil {
			got = got[:0]
			for _, b := range m.Brokers {
				got = append(got, b.NodeID)
			}
			slices.Sort(got)
			if slices.Equal(got, ids) {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("brokers %v (%v); want %v", got, lastErr, ids)
		case <-time.After(500 * time.Millisecond):
		}
	}
}
