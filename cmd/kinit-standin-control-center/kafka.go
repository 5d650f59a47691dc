// The Kafka part of a sample: metadata (brokers, controller, topics and
// their partitions' health), the KRaft quorum and the consumer groups'
// lag, through one admin client made with the stand-in's security
// settings.

package main

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// NewAdmin makes the long-lived admin client the sampler uses; Close it.
func NewAdmin(seeds []string, sec Security) (*kgo.Client, error) {
	opts := append([]kgo.Opt{
		kgo.SeedBrokers(seeds...),
		kgo.DialTimeout(3 * time.Second),
		kgo.RequestRetries(1),
	}, sec.KafkaOpts()...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("cannot create kafka admin client: %w", err)
	}
	return cl, nil
}

// sampleKafka fills v's Kafka parts; what fails goes to v.Errors.
func sampleKafka(ctx context.Context, cl *kgo.Client, sec Security, zk bool, v *View) {
	adm := kadm.NewClient(cl)
	md, err := adm.Metadata(ctx)
	if err != nil {
		v.Errors = append(v.Errors, "metadata: "+refused(err, sec).Error())
		return
	}
	v.ClusterID = md.Cluster
	// A ZooKeeper-mode broker names the controller in Metadata; a KRaft
	// broker names any live broker there, so the controller is the
	// quorum's leader (a broker only when it is a combined node).
	kraft := !zk && supportsQuorum(ctx, cl)
	if kraft {
		v.Mode, v.Quorum = "KRaft", describeQuorum(ctx, cl)
		if v.Quorum.Error == "" {
			v.Controller = v.Quorum.LeaderID
		}
	} else {
		v.Mode, v.Controller = "ZooKeeper", md.Controller
	}
	for _, b := range md.Brokers {
		bv := BrokerView{ID: b.NodeID, Host: b.Host, Port: b.Port, Controller: b.NodeID == v.Controller}
		if b.Rack != nil {
			bv.Rack = *b.Rack
		}
		v.Brokers = append(v.Brokers, bv)
	}
	sort.Slice(v.Brokers, func(i, j int) bool { return v.Brokers[i].ID < v.Brokers[j].ID })
	topicsOf(md.Topics, v)
	groupsOf(ctx, adm, v)
}

// supportsQuorum says whether the brokers speak DescribeQuorum, which
// only KRaft brokers list in ApiVersions. When ApiVersions itself fails,
// it says yes, so the quorum's own error is what the page shows.
func supportsQuorum(ctx context.Context, cl *kgo.Client) bool {
	req := kmsg.NewPtrApiVersionsRequest()
	req.ClientSoftwareName, req.ClientSoftwareVersion = Name, "1"
	resp, err := req.RequestWith(ctx, cl)
	if err != nil || resp.ErrorCode != 0 {
		return true
	}
	key := kmsg.NewPtrDescribeQuorumRequest().Key()
	for _, k := range resp.ApiKeys {
		if k.ApiKey == key {
			return true
		}
	}
	return false
}

// topicsOf summarises every topic and lists its unhealthy partitions.
func topicsOf(td kadm.TopicDetails, v *View) {
	for _, name := range td.Names() {
		t := td[name]
		tv := TopicView{Name: name, Internal: t.IsInternal, Partitions: len(t.Partitions)}
		if t.Err != nil {
			tv.Error = t.Err.Error()
		}
		for _, p := range t.Partitions.Sorted() {
			tv.ReplicationFactor = max(tv.ReplicationFactor, len(p.Replicas))
			pv := PartitionView{Topic: name, Partition: p.Partition, Leader: p.Leader, Replicas: p.Replicas, ISR: p.ISR}
			if p.Leader < 0 {
				tv.Offline++
				v.Offline = append(v.Offline, pv)
			}
			if len(p.ISR) < len(p.Replicas) {
				tv.UnderReplicated++
				v.UnderReplicated = append(v.UnderReplicated, pv)
			}
		}
		v.Topics = append(v.Topics, tv)
	}
}

// metadataTopic is KRaft's metadata log, the one partition DescribeQuorum
// asks about.
const metadataTopic = "__cluster_metadata"

// describeQuorum asks for the KRaft quorum (brokers forward the request
// to the active controller).
func describeQuorum(ctx context.Context, cl *kgo.Client) *Quorum {
	req := kmsg.NewPtrDescribeQuorumRequest()
	t := kmsg.NewDescribeQuorumRequestTopic()
	t.Topic = metadataTopic
	t.Partitions = []kmsg.DescribeQuorumRequestTopicPartition{kmsg.NewDescribeQuorumRequestTopicPartition()}
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return &Quorum{Error: "DescribeQuorum: " + err.Error()}
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return &Quorum{Error: "DescribeQuorum: " + err.Error()}
	}
	if len(resp.Topics) == 0 || len(resp.Topics[0].Partitions) == 0 {
		return &Quorum{Error: "DescribeQuorum: no " + metadataTopic + " partition in the answer"}
	}
	p := resp.Topics[0].Partitions[0]
	if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
		return &Quorum{Error: "DescribeQuorum " + metadataTopic + ": " + err.Error()}
	}
	q := &Quorum{LeaderID: p.LeaderID, LeaderEpoch: p.LeaderEpoch, HighWatermark: p.HighWatermark}
	replicas := func(rs []kmsg.DescribeQuorumResponseTopicPartitionReplicaState) []QuorumVoter {
		out := make([]QuorumVoter, 0, len(rs))
		for _, r := range rs {
			out = append(out, QuorumVoter{ID: r.ReplicaID, LogEndOffset: r.LogEndOffset,
				Lag: max(0, p.HighWatermark-r.LogEndOffset), Leader: r.ReplicaID == p.LeaderID})
		}
		return out
	}
	q.Voters, q.Observers = replicas(p.CurrentVoters), replicas(p.Observers)
	return q
}

// groupsOf lists every consumer group with its lag per partition.
func groupsOf(ctx context.Context, adm *kadm.Client, v *View) {
	listed, err := adm.ListGroups(ctx)
	if err != nil && len(listed) == 0 {
		v.Errors = append(v.Errors, "list groups: "+err.Error())
		return
	}
	names := listed.Groups()
	if len(names) == 0 {
		return
	}
	lags, err := adm.Lag(ctx, names...)
	if err != nil && len(lags) == 0 {
		v.Errors = append(v.Errors, "group lag: "+err.Error())
		return
	}
	for _, l := range lags.Sorted() {
		g := GroupView{Name: l.Group, State: l.State, Members: len(l.Members), Partitions: []PartitionLagView{}}
		if err := l.Error(); err != nil {
			g.Error = err.Error()
		}
		for _, m := range l.Lag.Sorted() {
			pl := PartitionLagView{Topic: m.Topic, Partition: m.Partition, Committed: m.Commit.At, End: m.End.Offset, Lag: m.Lag}
			if m.Member != nil {
				pl.Member = m.Member.ClientID + " " + m.Member.ClientHost
			}
			if m.Err != nil {
				pl.Error = m.Err.Error()
			}
			g.Partitions = append(g.Partitions, pl)
		}
		g.Lag = l.Lag.Total()
		v.Groups = append(v.Groups, g)
	}
}
