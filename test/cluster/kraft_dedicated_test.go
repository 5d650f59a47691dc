package cluster

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/roles"
	"github.com/kinit/kinit/test/nethost"
)

// The kraft-production config, one Kafka process per host: three
// controller hosts and two broker hosts (ids 4 and 5 from their positions
// in the member list). A broker host started first formats its storage and
// then waits on the controller quorum (status JSON and `kinit status`),
// not started; once the controllers are up and the quorum has a leader it
// starts and registers. The controllers run no client listener, and the
// brokers serve a round trip with replication factor 2.
func TestKRaftDedicated(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	names := []string{"ctl-1", "ctl-2", "ctl-3", "brk-4", "brk-5"}
	c := nethost.New(t, nethost.Config{Names: names})
	mark := milestones(t)
	fq := func(n string) string { return c.Host(n).FQDN }
	members := fmt.Sprintf("controller=%s,%s,%s;broker=%s,%s", fq("ctl-1"), fq("ctl-2"), fq("ctl-3"), fq("brk-4"), fq("brk-5"))
	common := []string{"KINIT_CONFIG_ID=kraft-production", "KINIT_NODES=" + members, "KINIT_CLUSTER_ID=" + roles.NewClusterID()}

	b4 := newNode(t, c, c.Host("brk-4"), append(common, "KINIT_ROLE=broker")...)
	b4.start(t)
	st := b4.waitStatus(ctx, t, "the broker waiting on the controller quorum", func(s *status) bool {
		b := s.service("kraft-broker")
		return s.service("kraft-broker-format").State == "done" && b.State == "waiting" && strings.Contains(b.WaitingOn, "controller quorum")
	})
	mark("broker host formatted, waiting on the quorum")
	if st.Node.ID != 4 || st.Node.Role != "broker" {
		t.Errorf("broker host: node %+v; want id 4, broker", st.Node)
	}
	b := st.service("kraft-broker")
	t.Logf("broker host's status: %s", b.WaitingOn)
	if b.Pid != 0 || st.Ready || !strings.HasPrefix(b.WaitingOn, "waiting on kraft-controller") {
		t.Errorf("broker: %+v, node ready %v; want waiting on kraft-controller, not started", b, st.Ready)
	}
	if out, err := b4.kinit(ctx, "status"); err != nil || !strings.Contains(string(out), "controller quorum") {
		t.Errorf("kinit status (%v) does not say it waits on the controller quorum:\n%s", err, out)
	}

	var ctls []*node
	for _, name := range names[:3] {
		n := newNode(t, c, c.Host(name), append(common, "KINIT_ROLE=controller")...)
		n.start(t)
		ctls = append(ctls, n)
	}
	// A quorum of three has a leader only once two controllers run.
	var started []time.Time
	for i, n := range ctls {
		st := n.waitReady(ctx, t)
		if st.Node.ID != i+1 {
			t.Errorf("%s: id %d; want %d", n.host.Name, st.Node.ID, i+1)
		}
		started = append(started, st.service("kraft-controller").StartedAt)
		line := waitStatusText(ctx, t, n, "kraft quorum: ")
		if !strings.Contains(line, "voters=1,2,3") {
			t.Errorf("%s: %q; want voters 1,2,3", n.host.Name, line)
		}
	}
	mark("controllers ready")
	st = b4.waitReady(ctx, t)
	mark("broker 4 ready")
	slices.SortFunc(started, func(a, b time.Time) int { return a.Compare(b) })
	if b := st.service("kraft-broker").StartedAt; b.Before(started[1]) {
		t.Errorf("broker 4 started at %s, before a second controller ran (%s): no quorum could have had a leader", b, started[1])
	}

	b5 := newNode(t, c, c.Host("brk-5"), append(common, "KINIT_ROLE=broker")...)
	b5.start(t)
	b5.waitReady(ctx, t)
	waitBrokerIDs(ctx, t, c, fq("brk-4")+":9092", 4, 5)
	mark("brokers 4 and 5 registered")

	// A controller serves no clients.
	var d net.Dialer
	if conn, err := d.DialContext(ctx, "tcp", c.Host("ctl-1").Addr.String()+":9092"); err == nil {
		conn.Close()
		t.Errorf("a controller-only host listens on 9092")
	}

	const topic = "kinit-dedicated"
	cl := producer(t, c, fq("brk-4")+":9092")
	createTopic(ctx, t, cl, topic, 2, 2, nil)
	vals := values("dedicated", 20)
	if err := produce(ctx, cl, topic, 2, vals); err != nil {
		t.Fatalf("produce: %v", err)
	}
	consumeAll(ctx, t, c, fq("brk-5")+":9092", topic, vals)
	mark("round trip through the brokers")
}
