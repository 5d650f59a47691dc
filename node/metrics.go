package node

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kinit/kinit/metrics"
	"github.com/kinit/kinit/supervisor"
	"github.com/kinit/kinit/supervisor/probe"
)

// Metrics connects the supervisor to the metrics collector. With metrics
// off (no KINIT_ES_URLS) the collector is nil and every method is a no-op:
// no goroutine or timer runs.
type Metrics struct {
	c     *metrics.Collector
	sup   *supervisor.Supervisor
	types map[string]string // service id -> service.type
	names map[string]string // service id -> service.name, as the samples carry it
}

func newMetrics(np *Rendered, ag agents, log *slog.Logger) (*Metrics, error) {
	cfg, err := metrics.FromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	if cfg.QueueSize, err = queueSize(os.Getenv("KINIT_ES_QUEUE_SIZE"), cfg.QueueSize); err != nil {
		return nil, err
	}
	m := &Metrics{types: map[string]string{}, names: map[string]string{}}
	for _, s := range np.Rendering.Services {
		m.types[s.ID] = s.Kind
		m.names[s.ID] = s.Name
	}
	hostname, _ := os.Hostname()
	node := metrics.Node{
		Name: np.Node.FQDN, Hostname: hostname, Role: np.Node.Role,
		NodeID: strconv.Itoa(np.Node.ID), ConfigID: np.Node.ConfigID, Cluster: np.Node.Config.Cluster.Name,
	}
	opts := []metrics.Option{metrics.WithLogger(log), metrics.WithAgents(ag.ports, brokerIDs(np.Rendering))}
	if cl := clusterSource(np); cl != nil {
		opts = append(opts, metrics.WithCluster(cl))
	}
	m.c, err = metrics.New(cfg, node, m.services, opts...)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// queueSize is KINIT_ES_QUEUE_SIZE: how many documents are held while
// Elasticsearch is away (the oldest are dropped beyond it).
func queueSize(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("KINIT_ES_QUEUE_SIZE=%q: want a positive number of documents", v)
	}
	return n, nil
}

func (m *Metrics) Attach(sup *supervisor.Supervisor) {
	m.sup = sup
	if m.c == nil {
		return
	}
	sup.SetServiceNotes(m.c.Note)
	sup.AddSection("metrics", func() map[string]string { return shipperFields(m.c.State()) })
}

func (m *Metrics) Run(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	if m.c == nil {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		m.c.Run(ctx)
	}()
	return done
}

// services is called by the collector each interval; Snapshot reads the
// last published copy and never waits on the supervisor's loop.
func (m *Metrics) services() []metrics.Service {
	sn := m.sup.Snapshot()
	out := make([]metrics.Service, 0, len(sn.Services))
	for _, s := range sn.Services {
		out = append(out, metrics.Service{
			ID: s.ID, Name: s.Name, Type: m.types[s.ID], State: string(s.State), Pid: s.Pid,
			Restarts: s.Restarts, Uptime: s.Uptime, Ready: s.Ready,
		})
	}
	return out
}

func (m *Metrics) Rendered(files []string) {
	if m.c == nil || len(files) == 0 {
		return
	}
	m.c.Event(metrics.Event{Action: metrics.ActionConfigRendered, Files: files})
}

// onEvent runs on the supervisor's loop goroutine; Collector.Event never
// blocks.
func (m *Metrics) OnEvent(e supervisor.Event) {
	if m.c == nil {
		return
	}
	var action metrics.Action
	switch e.Kind {
	case supervisor.EventStarted:
		action = metrics.ActionStarted
	case supervisor.EventReady:
		action = metrics.ActionReady
	case supervisor.EventDone:
		action = metrics.ActionDone
	case supervisor.EventExited:
		action = metrics.ActionExited
	case supervisor.EventRestarting:
		action = metrics.ActionRestarting
	case supervisor.EventFailed:
		action = metrics.ActionFailed
	case supervisor.EventStopping:
		action = metrics.ActionStopping
	default:
		return
	}
	ev := metrics.Event{
		Time: e.Time, Action: action, Service: e.Service, ServiceName: m.names[e.Service], ServiceType: m.types[e.Service],
		Pid: e.Pid, Signal: e.Signal, Restarts: e.Restarts, Backoff: e.Backoff, Reason: e.Message,
	}
	if e.Kind == supervisor.EventExited && e.Signal == "" {
		ev.ExitCode = e.ExitCode
	}
	m.c.Event(ev)
}

// shipperFields is the shipper's state as `kinit status` shows it.
func shipperFields(st metrics.State) map[string]string {
	f := map[string]string{
		"connected": strconv.FormatBool(st.Connected),
		"target":    st.Target,
		"queued":    strconv.Itoa(st.Queued) + "/" + strconv.Itoa(st.QueueSize),
		"sent":      strconv.FormatUint(st.Sent, 10),
		"dropped":   strconv.FormatUint(st.Dropped, 10),
		"failed":    strconv.FormatUint(st.Failed, 10),
		"retries":   strconv.FormatUint(st.Retries, 10),
		"template":  st.Template,
	}
	if st.Product != "" {
		f["product"] = st.Product
	}
	if st.LastError != "" {
		f["last_error"] = st.LastError + " (" + st.LastErrorAt.Format(time.RFC3339) + ")"
	}
	if !st.LastSuccess.IsZero() {
		f["last_success"] = st.LastSuccess.Format(time.RFC3339)
	}
	return f
}

// clusterSource is the node's broker as the collector reads the cluster
// through it (consumer group lag, partitions); nil when the node runs no
// broker. It speaks the broker's listener as kinit's peer checks do: the
// admin user over SASL_SSL on a secured node, plaintext otherwise.
func clusterSource(np *Rendered) *metrics.Cluster {
	ids := brokerIDs(np.Rendering)
	for _, s := range np.Rendering.Services {
		id, ok := ids[s.ID]
		port := s.Ports[""]
		if s.Kind != "kafka" || !ok || port == 0 {
			continue
		}
		addr := net.JoinHostPort(np.Node.FQDN, strconv.Itoa(port))
		sec := s.PeerSecurity.Clone()
		return &metrics.Cluster{ServiceID: s.ID, BrokerID: id, Admin: func() (*kadm.Client, func(), error) {
			opts, err := probe.KafkaClientOpts(addr, sec)
			if err != nil {
				return nil, nil, err
			}
			cl, err := kgo.NewClient(append(opts, kgo.SeedBrokers(addr))...)
			if err != nil {
				return nil, nil, err
			}
			return kadm.NewClient(cl), cl.Close, nil
		}}
	}
	return nil
}
