package cluster

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/kinit/kinit/test/nethost"
	"github.com/kinit/kinit/test/opensearch"
)

// lagWorkload writes 30 records over 3 partitions of a new topic, reads
// them all back, and commits a group "lagging" at offset 3 of each
// partition: the group lags by 21 records, which kadm says too. It returns
// kadm's total lag of the group.
func lagWorkload(ctx context.Context, t *testing.T, c *nethost.Cluster, seed, topic string, rf int16) int64 {
	t.Helper()
	cl := producer(t, c, seed)
	createTopic(ctx, t, cl, topic, 3, rf, nil)
	vals := values(topic, 30)
	if err := produce(ctx, cl, topic, 3, vals); err != nil {
		t.Fatalf("produce to %s: %v", topic, err)
	}
	consumeAll(ctx, t, c, seed, topic, vals)
	adm := kadm.NewClient(cl)
	var offs kadm.Offsets
	for p := int32(0); p < 3; p++ {
		offs.Add(kadm.Offset{Topic: topic, Partition: p, At: 3, LeaderEpoch: -1})
	}
	var lag int64
	eventually(ctx, t, "the lagging group's commit and lag", func() error {
		if err := adm.CommitAllOffsets(ctx, "lagging", offs); err != nil {
			return err
		}
		lags, err := adm.Lag(ctx, "lagging")
		if err != nil {
			return err
		}
		g := lags["lagging"]
		if err := g.Error(); err != nil {
			return err
		}
		lag = g.Lag.Total()
		if lag != 21 {
			return fmt.Errorf("kadm says the group lags by %d", lag)
		}
		return nil
	})
	return lag
}

// waitKafkaMetrics checks what the nodes shipped about the workload: a
// broker document of brokerService on host with a non-zero messages-in
// rate, and the lagging group's total lag equal to kadm's (nothing is
// produced meanwhile, so the two must agree exactly), its per-partition
// documents summing to it.
func waitKafkaMetrics(ctx context.Context, t *testing.T, search opensearch.Client, host, brokerService string, lag int64) {
	t.Helper()
	eventually(ctx, t, "a broker document with messages in", func() error {
		hits, err := search.Search(ctx, "kinit-metrics-*", map[string]any{"bool": map[string]any{"filter": []any{
			map[string]any{"term": map[string]any{"event.dataset": "kafka.broker"}},
			map[string]any{"term": map[string]any{"service.id": brokerService}},
			map[string]any{"term": map[string]any{"host.name": host}},
			map[string]any{"range": map[string]any{"kafka.broker.messages_in": map[string]any{"gt": 0}}},
		}}}, 1)
		if err != nil {
			return err
		}
		if len(hits) == 0 {
			return fmt.Errorf("none yet")
		}
		src := hits[0].Source
		for _, f := range []string{"kafka.broker.net.in.bytes_per_sec", "kafka.broker.replication.under_replicated_partitions",
			"kafka.broker.id", "kinit.jvm.heap.used_bytes", "metricset.name"} {
			if field(src, f) == nil {
				return fmt.Errorf("the broker document lacks %s: %v", f, src)
			}
		}
		return nil
	})
	eventually(ctx, t, "the lagging group's lag as kadm reports it", func() error {
		hits, err := search.Search(ctx, "kinit-metrics-*", terms(map[string]string{
			"event.dataset": "kafka.consumergroup", "kafka.consumergroup.id": "lagging"}), 20)
		if err != nil {
			return err
		}
		var total any
		var parts int64
		var partDocs int
		var newest string
		for _, h := range hits {
			ts := fmt.Sprint(h.Source["@timestamp"])
			if newest == "" {
				newest = ts
			}
			if ts != newest {
				continue // an earlier pass
			}
			if v := field(h.Source, "kafka.consumergroup.total_lag"); v != nil {
				total = v
			}
			if v, ok := field(h.Source, "kafka.consumergroup.consumer_lag").(float64); ok {
				parts += int64(v)
				partDocs++
			}
		}
		if total != float64(lag) || parts != lag || partDocs != 3 {
			return fmt.Errorf("newest pass %s: total_lag %v, %d partition documents summing to %d; kadm says %d", newest, total, partDocs, parts, lag)
		}
		return nil
	})
}

// agentClosed checks that a node's Jolokia agent cannot be reached from
// outside the node: it binds 127.0.0.1 of the host's own namespace.
func agentClosed(t *testing.T, h *nethost.Host, port int) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", h.HostPort(port), 2*time.Second)
	if err == nil {
		conn.Close()
		t.Errorf("the Jolokia agent of %s answers on %s from outside the host", h.Name, h.HostPort(port))
	} else if !strings.Contains(err.Error(), "refused") {
		t.Errorf("dial %s: %v; want connection refused", h.HostPort(port), err)
	}
}

// waitURP waits until every host has shipped a broker document dated
// after since whose under-replicated partition count is above zero (want
// true) or zero, and logs how long after since each came.
func waitURP(ctx context.Context, t *testing.T, search opensearch.Client, hosts []string, since time.Time, want bool) {
	t.Helper()
	cond := map[string]any{"gt": 0}
	if !want {
		cond = map[string]any{"lte": 0}
	}
	for _, host := range hosts {
		eventually(ctx, t, fmt.Sprintf("a broker document of %s with under-replicated partitions %v", host, cond), func() error {
			hits, err := search.Search(ctx, "kinit-metrics-*", map[string]any{"bool": map[string]any{"filter": []any{
				map[string]any{"term": map[string]any{"event.dataset": "kafka.broker"}},
				map[string]any{"term": map[string]any{"host.name": host}},
				map[string]any{"range": map[string]any{"@timestamp": map[string]any{"gt": since.UTC().Format(time.RFC3339Nano)}}},
				map[string]any{"range": map[string]any{"kafka.broker.replication.under_replicated_partitions": cond}},
			}}}, 1)
			if err != nil {
				return err
			}
			if len(hits) == 0 {
				return fmt.Errorf("none yet")
			}
			return nil
		})
		t.Logf("%s: under-replicated partitions %v shipped %s after the change", host, cond, time.Since(since).Round(100*time.Millisecond))
	}
}
