package metrics

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

// Cluster is how a broker node's collector reads the cluster-wide numbers
// (consumer group lag, partitions) through its own broker. Every broker
// node has one; only the node whose broker has the lowest id among the
// brokers the cluster lists (the live ones) ships them, so that each
// number is shipped once per interval without any coordination: when that
// broker stops, the next lowest takes over at its next pass.
type Cluster struct {
	// ServiceID is the local broker's service; nothing is read until it is
	// ready.
	ServiceID string
	// BrokerID is the local broker's id (node.id or broker.id).
	BrokerID int32
	// Admin opens an admin client of the local broker. The collector keeps
	// it until Close.
	Admin func() (*kadm.Client, func(), error)
}

// clusterReader is the collector's state for Cluster; used by the Run
// goroutine only.
type clusterReader struct {
	c     *Cluster
	adm   *kadm.Client
	close func()
}

func (r *clusterReader) Close() {
	if r != nil && r.close != nil {
		r.close()
		r.adm, r.close = nil, nil
	}
}

// elected reports whether this node ships the cluster's numbers now.
func (r *clusterReader) elected(ctx context.Context) (bool, error) {
	if r.adm == nil {
		adm, closeFn, err := r.c.Admin()
		if err != nil {
			return false, err
		}
		r.adm, r.close = adm, closeFn
	}
	md, err := r.adm.BrokerMetadata(ctx)
	if err != nil {
		return false, err
	}
	if len(md.Brokers) == 0 {
		return false, fmt.Errorf("the cluster lists no brokers")
	}
	lowest := md.Brokers[0].NodeID
	for _, b := range md.Brokers {
		lowest = min(lowest, b.NodeID)
	}
	return lowest == r.c.BrokerID, nil
}

// read builds the consumer group and partition documents. Internal topics
// (__consumer_offsets, its 50 partitions) are left out of the partition
// documents; a group's lag on them never exists.
func (r *clusterReader) read(ctx context.Context, base func(dataset string) *Document) ([]*Document, error) {
	var docs []*Document
	lags, err := r.adm.Lag(ctx)
	if err != nil {
		return nil, fmt.Errorf("consumer group lag: %w", err)
	}
	for _, g := range lags.Sorted() {
		if g.Error() != nil {
			continue
		}
		var total int64
		for _, l := range g.Lag.Sorted() {
			if l.Err != nil || l.Lag < 0 {
				continue
			}
			total += l.Lag
			d := base("kafka.consumergroup")
			cg := map[string]any{"id": g.Group, "offset": l.Commit.At, "consumer_lag": l.Lag}
			if m := l.Member; m != nil {
				cg["client"] = map[string]any{"id": m.ClientID, "host": m.ClientHost, "member_id": m.MemberID}
			}
			d.Kafka = map[string]any{
				"consumergroup": cg,
				"topic":         map[string]any{"name": l.Topic},
				"partition":     map[string]any{"id": l.Partition},
				"broker":        map[string]any{"id": g.Coordinator.NodeID, "address": brokerAddr(g.Coordinator)},
			}
			docs = append(docs, d)
		}
		d := base("kafka.consumergroup")
		d.Kafka = map[string]any{
			"consumergroup": map[string]any{"id": g.Group, "total_lag": total, "state": g.State, "members": len(g.Members)},
			"broker":        map[string]any{"id": g.Coordinator.NodeID, "address": brokerAddr(g.Coordinator)},
		}
		docs = append(docs, d)
	}

	topics, err := r.adm.ListTopics(ctx)
	if err != nil {
		return docs, fmt.Errorf("topics: %w", err)
	}
	ends, err := r.adm.ListEndOffsets(ctx, topics.Names()...)
	if err != nil {
		return docs, fmt.Errorf("end offsets: %w", err)
	}
	starts, err := r.adm.ListStartOffsets(ctx, topics.Names()...)
	if err != nil {
		return docs, fmt.Errorf("start offsets: %w", err)
	}
	for _, t := range topics.Sorted() {
		for _, p := range t.Partitions.Sorted() {
			d := base("kafka.partition")
			part := map[string]any{
				"leader": p.Leader, "isr": p.ISR, "replicas": p.Replicas,
				"under_replicated": len(p.ISR) < len(p.Replicas), "offline": p.Leader < 0,
			}
			off := map[string]any{}
			if o, ok := ends.Lookup(t.Topic, p.Partition); ok && o.Err == nil {
				off["newest"] = o.Offset
			}
			if o, ok := starts.Lookup(t.Topic, p.Partition); ok && o.Err == nil {
				off["oldest"] = o.Offset
			}
			pd := map[string]any{"id": p.Partition, "partition": part}
			if len(off) > 0 {
				pd["offset"] = off
			}
			d.Kafka = map[string]any{
				"partition": pd,
				"topic":     map[string]any{"name": t.Topic},
			}
			docs = append(docs, d)
		}
	}
	return docs, nil
}

func brokerAddr(b kadm.BrokerDetail) string {
	if b.Host == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", b.Host, b.Port)
}

// clusterTimeout bounds one pass of cluster reads: a slow cluster delays
// the next sample, never the supervisor.
func clusterTimeout(interval time.Duration) time.Duration {
	return min(max(interval, 2*time.Second), 10*time.Second)
}
