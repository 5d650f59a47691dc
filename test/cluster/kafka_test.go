package cluster

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kinit/kinit/test/nethost"
)

// kafkaClient is a franz-go client in the test process seeded with one
// broker only ("through host N"). Brokers advertise their FQDNs, which only
// the hosts' /etc/hosts knows: the cluster's dialer maps them.
func kafkaClient(t testing.TB, c *nethost.Cluster, seed string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{
		kgo.SeedBrokers(seed),
		kgo.Dialer(c.DialContext),
		kgo.MetadataMinAge(250 * time.Millisecond),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// createTopic creates a topic and waits until every partition has a leader.
func createTopic(ctx context.Context, t testing.TB, cl *kgo.Client, topic string, partitions int32, rf int16, configs map[string]*string) {
	t.Helper()
	adm := kadm.NewClient(cl)
	if _, err := adm.CreateTopic(ctx, partitions, rf, configs, topic); err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	waitPartitions(ctx, t, adm, topic, fmt.Sprintf("%d partitions with leaders", partitions), func(ps kadm.PartitionDetails) bool {
		if len(ps) != int(partitions) {
			return false
		}
		for _, p := range ps {
			if p.Leader < 0 || p.Err != nil {
				return false
			}
		}
		return true
	})
}

// waitPartitions polls the topic's metadata until cond holds.
func waitPartitions(ctx context.Context, t testing.TB, adm *kadm.Client, topic, what string, cond func(kadm.PartitionDetails) bool) kadm.PartitionDetails {
	t.Helper()
	var last kadm.PartitionDetails
	var lastErr error
	report := time.Now().Add(20 * time.Second)
	for {
		if time.Now().After(report) {
			t.Logf("topic %s: still no %s: %s, error %v", topic, what, describe(last), lastErr)
			report = time.Now().Add(20 * time.Second)
		}
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		m, err := adm.Metadata(actx, topic)
		cancel()
		if err == nil {
			td := m.Topics[topic]
			if td.Err == nil && cond(td.Partitions) {
				return td.Partitions
			}
			last, lastErr = td.Partitions, td.Err
		} else {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			t.Fatalf("topic %s: no %s: last partitions %s, error %v", topic, what, describe(last), lastErr)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func describe(ps kadm.PartitionDetails) string {
	s := ""
	for _, p := range ps.Sorted() {
		s += fmt.Sprintf("[p%d leader %d replicas %v isr %v]", p.Partition, p.Leader, p.Replicas, p.ISR)
	}
	return s
}

// produce writes values round-robin over the partitions and waits for
// every acknowledgement (the client's acks setting decides how many
// replicas that takes).
func produce(ctx context.Context, cl *kgo.Client, topic string, partitions int32, values []string) error {
	recs := make([]*kgo.Record, len(values))
	for i, v := range values {
		recs[i] = &kgo.Record{Topic: topic, Partition: int32(i) % partitions, Value: []byte(v)}
	}
	return cl.ProduceSync(ctx, recs...).FirstErr()
}

// producer acknowledges a record only when every in-sync replica has it.
func producer(t testing.TB, c *nethost.Cluster, seed string) *kgo.Client {
	return kafkaClient(t, c, seed, kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.RequiredAcks(kgo.AllISRAcks()))
}

// consumeAll reads the topic from the start with a fresh client seeded with
// seed, without a consumer group, until every wanted value arrived. It
// fails on values nobody produced; fetch errors are retried (a broker may be
// away) until ctx ends.
func consumeAll(ctx context.Context, t testing.TB, c *nethost.Cluster, seed, topic string, want []string) map[int32]int {
	t.Helper()
	cl := kafkaClient(t, c, seed,
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(500*time.Millisecond),
	)
	defer cl.Close()
	missing := map[string]bool{}
	for _, v := range want {
		missing[v] = true
	}
	perPartition := map[int32]int{}
	var unexpected, errs []string
	for len(missing) > 0 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			left := make([]string, 0, len(missing))
			for v := range missing {
				left = append(left, v)
			}
			sort.Strings(left)
			t.Fatalf("consume %s through %s: %d of %d records missing (%v); last fetch errors %v",
				topic, seed, len(missing), len(want), left, errs)
		}
		errs = errs[:0]
		fs.EachError(func(topic string, p int32, err error) {
			errs = append(errs, fmt.Sprintf("%s/%d: %v", topic, p, err))
		})
		fs.EachRecord(func(r *kgo.Record) {
			v := string(r.Value)
			if !slices.Contains(want, v) {
				unexpected = append(unexpected, v)
			}
			delete(missing, v)
			perPartition[r.Partition]++
		})
	}
	if len(unexpected) > 0 {
		t.Errorf("consume %s through %s: records nobody produced: %q", topic, seed, unexpected)
	}
	return perPartition
}

func values(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%03d", prefix, i)
	}
	return out
}
