package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	esstandin "github.com/kinit/kinit/standins/elasticsearch"
)

func TestCollectorOffWithoutURL(t *testing.T) {
	c, err := New(Config{}, Node{}, func() []Service { t.Fatal("services asked for while off"); return nil })
	if err != nil || c != nil {
		t.Fatalf("New without URL = %v, %v; want nil, nil", c, err)
	}
	c.Event(Event{Action: ActionStarted})
	if st := c.State(); st.Enabled {
		t.Errorf("state %+v", st)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c.Run(ctx) // returns at once: a nil collector starts nothing
}

func docsWhere(es *esstandin.Server, path, value string) []map[string]any {
	var out []map[string]any
	for _, d := range es.Docs() {
		if v, ok := field(d.Source, path); ok && fmt.Sprint(v) == value {
			out = append(out, d.Source)
		}
	}
	return out
}

// TestCollectorEndToEnd runs the collector against the stand-in with a real
// process tree as one service, a stopped service, the v2 fixture as the
// container's cgroup, and a lifecycle event.
func TestCollectorEndToEnd(t *testing.T) {
	fastBackoff(t)
	p := startTree(t)
	p.do("burn 1")
	es := startStandin(t, esstandin.Options{})
	node := Node{Name: "b1.example", Hostname: "b1", Role: "broker", NodeID: "7", ConfigID: "default", Cluster: "c1"}
	services := func() []Service {
		return []Service{
			{ID: "kafka-broker", Type: "kafka", State: "ready", Pid: p.pids[0], Restarts: 1, Uptime: 90 * time.Second, Ready: true},
			{ID: "schema-registry", Type: "schema-registry", State: "backoff", Restarts: 3},
		}
	}
	cfg := Config{URLs: []string{es.URL()}, Interval: 100 * time.Millisecond, FlushInterval: 10 * time.Millisecond}
	c, err := New(cfg, node, services, WithRoots("/proc", "../internal/cgroup/testdata/v2"),
		WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	if err != nil || c == nil {
		t.Fatalf("New: %v %v", c, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	c.Event(Event{Action: ActionRestarting, Service: "schema-registry", Backoff: 2 * time.Second, Restarts: 3})

	testkit.Eventually(t, "two samples of the broker and a container sample", func() bool {
		return len(docsWhere(es, "service.id", "kafka-broker")) >= 2 && len(docsWhere(es, "event.dataset", "kinit.container")) >= 2
	})
	broker := docsWhere(es, "service.id", "kafka-broker")[1] // the second has a CPU baseline
	checkFields(t, broker, map[string]any{
		"host.name": "b1.example", "host.hostname": "b1", "service.name": "kafka-broker", "service.type": "kafka",
		"service.state": "ready", "process.pid": p.pids[0], "process.uptime": 90, "event.kind": "metric",
		"event.dataset": "kinit.service", "kinit.role": "broker", "kinit.node_id": "7", "kinit.config_id": "default",
		"kinit.cluster": "c1", "kinit.service.restarts": 1, "kinit.service.ready": true, "kinit.service.processes": 3,
	})
	for _, path := range []string{"@timestamp", "process.cpu.pct", "process.memory.rss.bytes", "kinit.service.threads",
		"kinit.service.fds", "kinit.service.cpu.core_pct", "event.duration"} {
		if _, ok := field(broker, path); !ok {
			t.Errorf("broker sample lacks %s", path)
		}
	}
	if rss, _ := field(broker, "process.memory.rss.bytes"); rss.(float64) <= 0 {
		t.Errorf("rss %v", rss)
	}
	if _, err := time.Parse(time.RFC3339Nano, broker["@timestamp"].(string)); err != nil {
		t.Errorf("@timestamp: %v", err)
	}

	stopped := docsWhere(es, "service.id", "schema-registry")
	var sample map[string]any
	for _, d := range stopped {
		if v, _ := field(d, "event.kind"); v == "metric" {
			sample = d
		}
	}
	checkFields(t, sample, map[string]any{"kinit.service.state": "backoff", "kinit.service.restarts": 3,
		"kinit.service.ready": false, "process": nil})

	container := docsWhere(es, "event.dataset", "kinit.container")[1]
	checkFields(t, container, map[string]any{
		"kinit.cgroup.version": 2, "kinit.cgroup.cpus": 1.5, "kinit.cgroup.memory.usage_bytes": 100 << 20,
		"kinit.cgroup.memory.limit_bytes": 512 << 20, "container.memory.usage": 0.1953,
		"kinit.cgroup.cpu.nr_throttled": 7, "kinit.cgroup.cpu.throttled_ns": 350000000, "container.cpu.usage": 0,
	})

	ev := docsWhere(es, "event.action", "restarting")
	if len(ev) != 1 {
		t.Fatalf("%d restarting events", len(ev))
	}
	checkFields(t, ev[0], map[string]any{"event.kind": "event", "kinit.event.backoff_ms": 2000, "host.name": "b1.example"})
	if st := c.State(); !st.Enabled || !st.Connected || st.Sent == 0 {
		t.Errorf("state %+v", st)
	}
}
