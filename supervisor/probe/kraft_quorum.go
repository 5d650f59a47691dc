package probe

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// metadataTopic is the KRaft metadata log, whose partition 0 the
// controller quorum replicates.
const metadataTopic = "__cluster_metadata"

// KRaftQuorum passes when a DescribeQuorum sent to one of Bootstrap (a
// controller's listener, or a broker, which forwards it) shows a quorum
// leader; with VoterID set, that node must also be one of the voters.
// Asked of each seed in turn, so one controller down does not fail it.
type KRaftQuorum struct {
	Bootstrap []string
	VoterID   *int
}

func (p KRaftQuorum) String() string { return joinTargets("controller quorum at ", p.Bootstrap) }

func (p KRaftQuorum) Check(ctx context.Context) error {
	q, err := DescribeQuorum(ctx, p.Bootstrap)
	target := p.String()
	if err != nil {
		return err
	}
	if q.LeaderID < 0 {
		return fail(target, fmt.Sprintf("has no leader (epoch %d)", q.LeaderEpoch), nil)
	}
	if p.VoterID != nil && !q.IsVoter(*p.VoterID) {
		return fail(target, fmt.Sprintf("does not count node %d among its voters %v (leader %d)", *p.VoterID, q.Voters, q.LeaderID), nil)
	}
	return nil
}

// Quorum is what a controller says of the metadata quorum.
type Quorum struct {
	LeaderID, LeaderEpoch int
	HighWatermark         int64
	Voters, Observers     []int
}

// IsVoter reports whether node id is a voter.
func (q Quorum) IsVoter(id int) bool {
	for _, v := range q.Voters {
		if v == id {
			return true
		}
	}
	return false
}

// DescribeQuorum asks the seeds, one after the other, until one answers.
func DescribeQuorum(ctx context.Context, seeds []string) (Quorum, error) {
	target := joinTargets("controller quorum at ", seeds)
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...))
	if err != nil {
		return Quorum{}, fail(target, "cannot build a client", err)
	}
	defer cl.Close()
	req := kmsg.NewPtrDescribeQuorumRequest()
	t := kmsg.NewDescribeQuorumRequestTopic()
	t.Topic = metadataTopic
	t.Partitions = []kmsg.DescribeQuorumRequestTopicPartition{kmsg.NewDescribeQuorumRequestTopicPartition()}
	req.Topics = []kmsg.DescribeQuorumRequestTopic{t}
	var last error
	// Straight to each seed: a controller answers no Metadata request, so
	// the client cannot route by the cluster's metadata.
	for _, b := range cl.SeedBrokers() {
		resp, err := b.Request(ctx, req)
		if err != nil {
			last = dialFailure(target, err)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		r := resp.(*kmsg.DescribeQuorumResponse)
		if err := kerrOf(r.ErrorCode); err != nil {
			last = fail(target, "refused DescribeQuorum", err)
			continue
		}
		if len(r.Topics) != 1 || len(r.Topics[0].Partitions) != 1 {
			last = fail(target, "answered DescribeQuorum without the metadata partition", nil)
			continue
		}
		pt := r.Topics[0].Partitions[0]
		if err := kerrOf(pt.ErrorCode); err != nil {
			last = fail(target, "refused DescribeQuorum", err)
			continue
		}
		q := Quorum{LeaderID: int(pt.LeaderID), LeaderEpoch: int(pt.LeaderEpoch), HighWatermark: pt.HighWatermark}
		for _, v := range pt.CurrentVoters {
			q.Voters = append(q.Voters, int(v.ReplicaID))
		}
		for _, o := range pt.Observers {
			q.Observers = append(q.Observers, int(o.ReplicaID))
		}
		return q, nil
	}
	if last == nil {
		last = fail(target, "has no seed to ask", nil)
	}
	return Quorum{}, last
}

// kerrOf is a Kafka error code as an error; nil for 0.
func kerrOf(code int16) error { return kerr.ErrorForCode(code) }

// Both passes when First and then Second pass: a combined KRaft node is
// ready as a controller (quorum) and as a broker (registered).
type Both struct{ First, Second Prober }

func (p Both) String() string { return p.Second.String() }

func (p Both) Check(ctx context.Context) error {
	if err := p.First.Check(ctx); err != nil {
		return err
	}
	return p.Second.Check(ctx)
}
