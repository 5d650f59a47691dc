package node

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/node/spare"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
	"github.com/kinit/kinit/supervisor/probe"
)

var (
	// SpareStagger is how long node id N waits, times N-1, before its
	// first check: a change every node sees at once must not have them
	// all check, pass and restart in the same second.
	SpareStagger = 15 * time.Second
	// SpareRetry is how often a held restart asks the cluster again.
	SpareRetry = time.Second
	// spareAsk bounds one question to one member.
	spareAsk = 3 * time.Second
)

// SpareCheck asks the cluster whether it can spare this node's instance of
// a service; why says what it is waiting for.
type SpareCheck func(ctx context.Context) (ok bool, why string)

// SpareCheckFor returns the check for a clustered service (a ZooKeeper or a
// Kafka broker with other members), nil for any other.
func SpareCheckFor(node *roles.Node, s *macros.Service) SpareCheck {
	members := node.MembersRunning(s.ID)
	if len(members) < 2 {
		return nil
	}
	port := strconv.Itoa(node.Ports[s.ID][""])
	switch s.Kind {
	case roles.KindKRaftController:
		var seeds []string
		for _, m := range members {
			seeds = append(seeds, net.JoinHostPort(m.Host, port))
		}
		return func(ctx context.Context) (bool, string) { return kraftSpare(ctx, node.ID, seeds, s.PeerSecurity) }
	case "zookeeper":
		return func(ctx context.Context) (bool, string) {
			return zooKeeperSpare(ctx, node.ID, members, port, s.PeerSecurity)
		}
	case "kafka":
		var seeds []string
		for _, m := range members {
			seeds = append(seeds, net.JoinHostPort(m.Host, port))
		}
		return func(ctx context.Context) (bool, string) { return kafkaSpare(ctx, seeds, s.PeerSecurity) }
	}
	return nil
}

// zooKeeperSpare asks every member with srvr; one that does not answer
// counts as down.
func zooKeeperSpare(ctx context.Context, self int, members []roles.Member, port string, sec *plan.Security) (bool, string) {
	var t *plan.TLS
	if sec != nil {
		t = sec.TLS
	}
	modes := map[int]string{}
	for _, m := range members {
		actx, cancel := context.WithTimeout(ctx, spareAsk)
		reply, err := probe.FourLetterTLS(actx, net.JoinHostPort(m.Host, port), "srvr", t)
		cancel()
		modes[m.ID] = ""
		if err != nil {
			continue
		}
		if st, err := probe.ParseSrvr(reply); err == nil {
			modes[m.ID] = st.Mode
		}
	}
	return spare.ZooKeeper(self, modes)
}

// spareClient is a client for one spare check. Each check has its own, so
// its metadata is fresh anyway; 10 ms is the least age franz-go accepts (a
// 0 here made every broker's check fail, so a broker never rolled).
func spareClient(seeds []string, sec *plan.Security) (*kgo.Client, error) {
	opts, err := probe.KafkaClientOpts(seeds[0], sec)
	if err != nil {
		return nil, err
	}
	return kgo.NewClient(append(opts, kgo.SeedBrokers(seeds...), kgo.MetadataMinAge(10*time.Millisecond))...)
}

// kafkaSpare asks the brokers for the metadata of every topic.
func kafkaSpare(ctx context.Context, seeds []string, sec *plan.Security) (bool, string) {
	cl, err := spareClient(seeds, sec)
	if err != nil {
		return false, err.Error()
	}
	defer cl.Close()
	actx, cancel := context.WithTimeout(ctx, spareAsk)
	defer cancel()
	md, err := kadm.NewClient(cl).Metadata(actx)
	if err != nil {
		return false, fmt.Sprintf("no metadata: %v", err)
	}
	var parts []spare.Partition
	for _, td := range md.Topics {
		for _, p := range td.Partitions {
			parts = append(parts, spare.Partition{Topic: p.Topic, ID: p.Partition, Replicas: len(p.Replicas), ISR: len(p.ISR)})
		}
	}
	return spare.Kafka(md.Controller, parts)
}

// caughtUpWithin is how recently a follower must have caught up with the
// leader's log end to count as caught up (probe.Quorum.CaughtUp).
const caughtUpWithin = 5 * time.Second

// kraftSpare asks the controllers for the quorum.
func kraftSpare(ctx context.Context, self int, seeds []string, sec *plan.Security) (bool, string) {
	actx, cancel := context.WithTimeout(ctx, spareAsk)
	defer cancel()
	q, err := probe.DescribeQuorumWith(actx, seeds, sec)
	if err != nil {
		return false, probe.Summary(err)
	}
	var voters []spare.Voter
	for id, caught := range q.CaughtUp(caughtUpWithin) {
		voters = append(voters, spare.Voter{ID: id, CaughtUp: caught})
	}
	return spare.KRaft(self, q.LeaderID, voters)
}
