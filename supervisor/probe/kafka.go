package probe

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// KafkaZK passes when brokers have registered in ZooKeeper under
// /brokers/ids (below the connect string's chroot): BrokerID, when not
// nil, must be among them, and at least MinBrokers must be (at least one
// when both are unset).
type KafkaZK struct {
	Connect    string
	BrokerID   *int
	MinBrokers int
}

func (p KafkaZK) String() string { return "brokers in " + p.Connect }

func (p KafkaZK) Check(ctx context.Context) error {
	servers, chroot := ParseConnect(p.Connect)
	path := chroot + "/brokers/ids"
	return withSession(ctx, p.Connect, servers, func(c *zk.Conn) error {
		ids, _, err := c.Children(path)
		if err != nil && err != zk.ErrNoNode {
			return fail(p.Connect, "cannot list "+path, err)
		}
		var nums []int
		for _, id := range ids {
			if n, err := strconv.Atoi(id); err == nil {
				nums = append(nums, n)
			}
		}
		return brokersPresent(p.Connect, nums, p.BrokerID, p.MinBrokers)
	})
}

// KafkaKRaft passes when a Metadata request to the bootstrap servers lists
// the brokers asked for (same rules as KafkaZK).
type KafkaKRaft struct {
	Bootstrap  []string
	BrokerID   *int
	MinBrokers int
}

func (p KafkaKRaft) String() string { return joinTargets("", p.Bootstrap) }

func (p KafkaKRaft) Check(ctx context.Context) error {
	target := p.String()
	cl, err := kgo.NewClient(kgo.SeedBrokers(p.Bootstrap...), kgo.MetadataMinAge(0))
	if err != nil {
		return fail(target, "cannot build a client", err)
	}
	defer cl.Close()
	m, err := kadm.NewClient(cl).BrokerMetadata(ctx)
	if err != nil {
		return dialFailure(target, err)
	}
	var nums []int
	for _, b := range m.Brokers {
		nums = append(nums, int(b.NodeID))
	}
	return brokersPresent(target, nums, p.BrokerID, p.MinBrokers)
}

func brokersPresent(target string, ids []int, want *int, minBrokers int) error {
	if want != nil && !slices.Contains(ids, *want) {
		return fail(target, fmt.Sprintf("has no broker %d registered (%d registered)", *want, len(ids)), nil)
	}
	if minBrokers == 0 && want == nil {
		minBrokers = 1
	}
	if len(ids) < minBrokers {
		return fail(target, fmt.Sprintf("has %d of %d brokers registered", len(ids), minBrokers), nil)
	}
	return nil
}
