package cluster

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/test/nethost"
)

// The production config, one service per host: a broker-only host started
// before any ZooKeeper host reports that it waits on the remote quorum
// (in the status JSON and in `kinit status`), starts its broker once the
// three ZooKeeper hosts, started afterwards, are up, and the broker
// registers. Ids come from the positions in the member list (zk-1..3 are
// 1..3, the broker 4).
func TestProductionBrokerWaitsForQuorum(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	c := nethost.New(t, nethost.Config{Names: []string{"zk-1", "zk-2", "zk-3", "kafka-4"}})
	mark := milestones(t)
	members := fmt.Sprintf("zookeeper=%s,%s,%s; broker=%s",
		c.Host("zk-1").FQDN, c.Host("zk-2").FQDN, c.Host("zk-3").FQDN, c.Host("kafka-4").FQDN)
	common := []string{"KINIT_CONFIG_ID=production", "KINIT_NODES=" + members}

	broker := newNode(t, c, c.Host("kafka-4"), append(common, "KINIT_ROLE=broker")...)
	broker.start(t)
	st := broker.waitStatus(ctx, t, "the broker waiting on the zookeeper quorum", func(s *status) bool {
		b := s.service("kafka-broker")
		return b.State == "waiting" && len(b.Waits) > 0 && b.Waits[0].Detail != ""
	})
	mark("broker host waiting")
	if st.Node.ID != 4 || st.Node.Role != "broker" || st.Node.ConfigID != "production" {
		t.Errorf("broker host: node %+v; want id 4, production/broker", st.Node)
	}
	if ids := serviceIDs(st); len(ids) != 1 || ids[0] != "kafka-broker" {
		t.Errorf("broker host runs %v; want kafka-broker only", ids)
	}
	b := st.service("kafka-broker")
	t.Logf("broker host's status: %s", b.WaitingOn)
	w := b.Waits[0]
	if w.Service != "zookeeper" || w.Local || w.Satisfied {
		t.Errorf("broker's wait %+v; want an unsatisfied remote wait on zookeeper", w)
	}
	if !strings.HasPrefix(b.WaitingOn, "waiting on zookeeper") || b.Pid != 0 || st.Ready {
		t.Errorf("broker: waiting_on %q, pid %d, node ready %v; want waiting on zookeeper, not started", b.WaitingOn, b.Pid, st.Ready)
	}
	if out, err := broker.kinit(ctx, "status"); err != nil || !strings.Contains(string(out), "waiting on zookeeper") {
		t.Errorf("kinit status (%v) does not say waiting on zookeeper:\n%s", err, out)
	}
	if out, err := broker.kinit(ctx, "health"); err == nil {
		t.Errorf("kinit health passed while the broker waits:\n%s", out)
	}

	var zks []*node
	for _, name := range []string{"zk-1", "zk-2", "zk-3"} {
		n := newNode(t, c, c.Host(name), append(common, "KINIT_ROLE=zookeeper")...)
		n.start(t)
		zks = append(zks, n)
	}
	for i, n := range zks {
		st := n.waitReady(ctx, t)
		if st.Node.ID != i+1 {
			t.Errorf("%s: id %d; want %d", n.host.Name, st.Node.ID, i+1)
		}
		if ids := serviceIDs(st); len(ids) != 1 || ids[0] != "zookeeper" {
			t.Errorf("%s runs %v; want zookeeper only", n.host.Name, ids)
		}
	}
	mark("zookeeper hosts ready")
	st = broker.waitReady(ctx, t)
	mark("broker ready")
	if b := st.service("kafka-broker"); b.Restarts != 0 || b.Pid == 0 {
		t.Errorf("broker: %+v; want started once", b)
	}
	zc := c.ZooKeeper(ctx, t, c.Host("zk-1").FQDN+":2181", c.Host("zk-2").FQDN+":2181", c.Host("zk-3").FQDN+":2181")
	waitBrokers(ctx, t, zc, 4)

	lines := kinitLog(broker.proc.Output())
	satisfied := first(lines, `service "kafka-broker": wait on zookeeper satisfied`)
	started := first(lines, `service "kafka-broker" started`)
	if satisfied < 0 || started < satisfied {
		t.Errorf("broker host's log: wait satisfied at line %d, broker started at line %d; want the wait first", satisfied, started)
	}
}
