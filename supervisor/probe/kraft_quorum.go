package probe

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kinit/kinit/plan"
)

// metadataTopic is the KRaft metadata log, whose partition 0 the
// controller quorum replicates.
const metadataTopic = "__cluster_metadata"

// KRaftQuorum passes when the metadata quorum has a leader and, with
// VoterID set, counts that node among its voters. Only the leader
// describes the quorum (a broker forwards the request to it; another
// controller answers NOT_LEADER_OR_FOLLOWER), so Bootstrap is asked in
// turn until one answers. With Local set, that endpoint must answer first
// (with the quorum, or as a follower): the check is of this process, not
// only of a quorum the others may form without it.
type KRaftQuorum struct {
	Local     string
	Bootstrap []string
	VoterID   *int
	// Security is how the client authenticates to the listeners asked
	// (nil: plaintext): a controller listener with mutual TLS needs the
	// client certificate.
	Security *plan.Security
}

// othersSecurity is sec for the other controllers: the server name it
// may set is the local process's (dialled on loopback), and each of the
// others is verified by the name it is dialled by.
func othersSecurity(sec *plan.Security) *plan.Security {
	if sec == nil || sec.TLS == nil || sec.TLS.ServerName == "" {
		return sec
	}
	out := sec.Clone()
	out.TLS.ServerName = ""
	return out
}

// without is seeds less addr.
func without(seeds []string, addr string) []string {
	var out []string
	for _, s := range seeds {
		if s != addr {
			out = append(out, s)
		}
	}
	return out
}

func (p KRaftQuorum) String() string { return joinTargets("controller quorum at ", p.Bootstrap) }

func (p KRaftQuorum) Check(ctx context.Context) error {
	target := p.String()
	seeds := p.Bootstrap
	var q Quorum
	var err error
	if p.Local != "" {
		q, err = DescribeQuorumWith(ctx, []string{p.Local}, p.Security)
		if errors.Is(err, kerr.NotLeaderForPartition) {
			q, err = DescribeQuorumWith(ctx, without(seeds, p.Local), othersSecurity(p.Security))
		}
	} else {
		q, err = DescribeQuorumWith(ctx, seeds, p.Security)
	}
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

// Quorum is what the leader says of the metadata quorum.
type Quorum struct {
	LeaderID, LeaderEpoch int
	HighWatermark         int64
	Voters, Observers     []int
	// VoterStates are the voters as the leader last heard from them, in
	// the order of Voters.
	VoterStates []VoterState
}

// VoterState is one voter's replication as the leader reports it. The
// times are the leader's clock in milliseconds, -1 when unknown.
type VoterState struct {
	ID                        int
	LogEndOffset              int64
	LastFetchMs, CaughtUpAtMs int64
}

// CaughtUp tells, per voter, whether it is the leader or caught up with
// the leader's log end within the last `within`: followers fetch
// continuously, so one restarting or cut off falls behind within
// seconds. Now is the leader's own entry's time (its clock), this host's
// when the leader gives none.
func (q Quorum) CaughtUp(within time.Duration) map[int]bool {
	now := time.Now().UnixMilli()
	for _, v := range q.VoterStates {
		if v.ID == q.LeaderID && v.CaughtUpAtMs > 0 {
			now = v.CaughtUpAtMs
		}
	}
	out := map[int]bool{}
	for _, v := range q.VoterStates {
		out[v.ID] = v.ID == q.LeaderID || (v.CaughtUpAtMs > 0 && now-v.CaughtUpAtMs <= within.Milliseconds())
	}
	return out
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

// DescribeQuorum is DescribeQuorumWith in plaintext.
func DescribeQuorum(ctx context.Context, seeds []string) (Quorum, error) {
	return DescribeQuorumWith(ctx, seeds, nil)
}

// DescribeQuorumWith asks the seeds, one after the other, until one
// describes the quorum, authenticating as sec says (nil: plaintext). When
// every seed that answered was not the leader, the error wraps
// kerr.NotLeaderForPartition.
func DescribeQuorumWith(ctx context.Context, seeds []string, sec *plan.Security) (Quorum, error) {
	target := joinTargets("controller quorum at ", seeds)
	opts, err := kafkaOpts(target, sec)
	if err != nil {
		return Quorum{}, err
	}
	cl, err := kgo.NewClient(append(opts, kgo.SeedBrokers(seeds...))...)
	if err != nil {
		return Quorum{}, fail(target, "cannot build a client", err)
	}
	defer cl.Close()
	req := kmsg.NewPtrDescribeQuorumRequest()
	t := kmsg.NewDescribeQuorumRequestTopic()
	t.Topic = metadataTopic
	t.Partitions = []kmsg.DescribeQuorumRequestTopicPartition{kmsg.NewDescribeQuorumRequestTopicPartition()}
	req.Topics = []kmsg.DescribeQuorumRequestTopic{t}
	var last, follower error
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
		code := r.ErrorCode
		if code == 0 && len(r.Topics) == 1 && len(r.Topics[0].Partitions) == 1 {
			code = r.Topics[0].Partitions[0].ErrorCode
		}
		if err := kerr.ErrorForCode(code); err != nil {
			if errors.Is(err, kerr.NotLeaderForPartition) {
				follower = fail(target, "answered only as followers of the leader", err)
			} else if errors.Is(err, kerr.ClusterAuthorizationFailed) {
				// Under an authorizer the probe's principal needs
				// DESCRIBE on the cluster (or to be a super user).
				last = fail(target, "refused DescribeQuorum: the probe's user may not describe the cluster", err)
			} else {
				last = fail(target, "refused DescribeQuorum", err)
			}
			continue
		}
		if len(r.Topics) != 1 || len(r.Topics[0].Partitions) != 1 {
			last = fail(target, "answered DescribeQuorum without the metadata partition", nil)
			continue
		}
		pt := r.Topics[0].Partitions[0]
		q := Quorum{LeaderID: int(pt.LeaderID), LeaderEpoch: int(pt.LeaderEpoch), HighWatermark: pt.HighWatermark}
		for _, v := range pt.CurrentVoters {
			q.Voters = append(q.Voters, int(v.ReplicaID))
			q.VoterStates = append(q.VoterStates, VoterState{ID: int(v.ReplicaID), LogEndOffset: v.LogEndOffset,
				LastFetchMs: v.LastFetchTimestamp, CaughtUpAtMs: v.LastCaughtUpTimestamp})
		}
		for _, o := range pt.Observers {
			q.Observers = append(q.Observers, int(o.ReplicaID))
		}
		return q, nil
	}
	switch {
	case follower != nil && last == nil:
		return Quorum{}, follower
	case last == nil:
		last = fail(target, "has no seed to ask", nil)
	}
	return Quorum{}, last
}

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
