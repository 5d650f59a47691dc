package main

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Sampling: every SampleEvery the monitor asks the cluster once, whatever
// the number of browsers, and keeps LagWindow of lag history.
const (
	SampleEvery   = 5 * time.Second
	sampleTimeout = 4 * time.Second
	LagWindow     = 10 * time.Minute
)

// Monitor samples the cluster in the background; the page and the API
// show its latest sample, so no request waits on Kafka or a node.
type Monitor struct {
	cfg      Config
	kafka    *kgo.Client
	registry *http.Client
	status   *http.Client
	nodes    []NodeAddr
	hist     *History

	mu     sync.Mutex
	latest View
}

// NewMonitor makes a monitor over its own admin client; Run closes it.
func NewMonitor(cfg Config, nodes []NodeAddr) (*Monitor, error) {
	cl, err := NewAdmin(cfg.Bootstrap, cfg.Security)
	if err != nil {
		return nil, err
	}
	return &Monitor{cfg: cfg, kafka: cl, registry: RegistryClient(cfg.Security), status: statusClient(),
		nodes: nodes, hist: NewHistory(LagWindow, SampleEvery)}, nil
}

// Run samples now and then every SampleEvery until ctx is done.
func (m *Monitor) Run(ctx context.Context) {
	defer m.kafka.Close()
	t := time.NewTicker(SampleEvery)
	defer t.Stop()
	for {
		m.SampleOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SampleOnce asks the cluster, the registry and every node at once and
// makes the result the latest view.
func (m *Monitor) SampleOnce(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, sampleTimeout)
	defer cancel()
	v := View{SampledAt: time.Now().UTC(), Controller: -1, Brokers: []BrokerView{}, Topics: []TopicView{},
		UnderReplicated: []PartitionView{}, Offline: []PartitionView{}, Groups: []GroupView{}}
	var wg sync.WaitGroup
	wg.Go(func() { sampleKafka(ctx, m.kafka, m.cfg.Security, m.cfg.ZooKeeper != "", &v) })
	if m.cfg.SchemaRegistryURL != "" {
		wg.Go(func() { v.Registry = sampleSubjects(ctx, m.registry, m.cfg.SchemaRegistryURL) })
	}
	wg.Go(func() { v.Nodes = sampleNodes(ctx, m.status, m.nodes) })
	wg.Wait()
	lags := make(map[string]int64, len(v.Groups))
	for _, g := range v.Groups {
		if g.Error == "" {
			lags[g.Name] = g.Lag
		}
	}
	m.hist.Add(v.SampledAt, lags)
	m.mu.Lock()
	m.latest = v
	m.mu.Unlock()
}

// Latest is the last sample with each group's lag history.
func (m *Monitor) Latest() View {
	m.mu.Lock()
	v := m.latest
	m.mu.Unlock()
	groups := make([]GroupView, len(v.Groups))
	for i, g := range v.Groups {
		g.History = m.hist.Of(g.Name)
		groups[i] = g
	}
	v.Groups = groups
	return v
}
