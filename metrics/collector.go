package metrics

import (
	"context"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/kinit/kinit/internal/cgroup"
)

// Collector samples services and the container every interval and ships the
// documents, together with lifecycle events. A nil *Collector (metrics off)
// is valid: its methods do nothing.
type Collector struct {
	cfg      Config
	node     Node
	services func() []Service
	log      *slog.Logger
	shipper  *Shipper

	procRoot   string
	cgroupRoot string

	// agents are the Jolokia ports of the services whose JVMs carry the
	// agent, brokerIDs the Kafka ids of Kafka services, cluster the
	// local broker for the cluster-wide documents (nil: none).
	agents    map[string]int
	brokerIDs map[string]int32
	cluster   *Cluster

	notesMu sync.Mutex
	notes   map[string]string // service id -> the broker's numbers at a glance

	// Used by the Run goroutine only.
	sampler  *Sampler
	cgReader *cgroup.Reader
	roots    []int
	jolokia  *jolokia
	clReader *clusterReader
	cpus     float64
	memLimit int64
	prevCg   cgroup.Usage
	prevCgAt time.Duration
	haveCg   bool
	once     sync.Once
}

// Option adjusts a Collector.
type Option func(*Collector)

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(c *Collector) { c.log = l } }

// WithRoots reads processes from procRoot (default "/proc") and the cgroup
// relative to cgroupRoot (default "/").
func WithRoots(procRoot, cgroupRoot string) Option {
	return func(c *Collector) { c.procRoot, c.cgroupRoot = procRoot, cgroupRoot }
}

// WithAgents reads the JVMs of these services (id -> Jolokia port on
// 127.0.0.1) every interval, with brokerIDs giving a Kafka service's id.
func WithAgents(ports map[string]int, brokerIDs map[string]int32) Option {
	return func(c *Collector) { c.agents, c.brokerIDs = ports, brokerIDs }
}

// WithCluster ships the cluster's consumer group lag and partitions when
// this node's broker is the elected one (Cluster).
func WithCluster(cl *Cluster) Option { return func(c *Collector) { c.cluster = cl } }

// New returns nil (and no error) when cfg has no URL: metrics are off and
// nothing will run. services is called once per interval from the
// collector's goroutine and must be safe to call from there; it should
// return a snapshot, not wait on the supervisor's loop.
func New(cfg Config, node Node, services func() []Service, opts ...Option) (*Collector, error) {
	if !cfg.Enabled() {
		return nil, nil
	}
	c := &Collector{node: node, services: services, procRoot: "/proc", cgroupRoot: "/"}
	for _, o := range opts {
		o(c)
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.node.Hostname == "" {
		c.node.Hostname, _ = os.Hostname()
	}
	if c.node.Name == "" {
		c.node.Name = c.node.Hostname
	}
	sh, err := NewShipper(cfg, c.log)
	if err != nil {
		return nil, err
	}
	c.shipper = sh
	c.cfg = sh.cfg
	return c, nil
}

// Event enqueues a lifecycle event; it never blocks.
func (c *Collector) Event(e Event) {
	if c == nil {
		return
	}
	c.shipper.Enqueue(eventDoc(c.node, e))
}

// State is the shipper's snapshot; {Enabled: false} when metrics are off.
func (c *Collector) State() State {
	if c == nil {
		return State{}
	}
	return c.shipper.State()
}

// Run samples every interval and ships until ctx is done; it returns after
// the shipper's last delivery attempt. Call it once.
func (c *Collector) Run(ctx context.Context) {
	if c == nil {
		return
	}
	c.init()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.shipper.Run(ctx)
	}()
	defer wg.Wait()
	defer c.clReader.Close()

	c.sampleAndEnqueue() // establishes the CPU baseline
	t := time.NewTicker(c.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.sampleAndEnqueue()
		}
	}
}

func (c *Collector) init() {
	c.once.Do(func() {
		c.sampler = NewSampler(c.procRoot)
		c.jolokia = newJolokia(jvmTimeout(c.cfg.Interval))
		if c.cluster != nil {
			c.clReader = &clusterReader{c: c.cluster}
		}
		if r, err := cgroup.NewReader(c.cgroupRoot); err == nil {
			c.cgReader = r
		} else {
			c.log.Warn("kinit: cannot locate the container's cgroup; no container metrics", "error", err.Error())
		}
		l, _, err := cgroup.Effective(c.cgroupRoot)
		if err != nil {
			c.log.Warn("kinit: cannot read container limits; using the CPU count", "error", err.Error())
			c.cpus = float64(runtime.NumCPU())
			return
		}
		c.cpus, c.memLimit = l.CPUs, l.MemoryBytes
	})
}

func (c *Collector) sampleAndEnqueue() {
	c.shipper.EnqueueAll(c.collect(time.Now()))
}

// collect builds one pass's documents: one per service, one for the
// container.
func (c *Collector) collect(now time.Time) []*Document {
	c.init()
	svcs := c.services()
	c.roots = c.roots[:0]
	for _, s := range svcs {
		c.roots = append(c.roots, s.Pid)
	}
	samples, err := c.sampler.Sample(c.roots)
	if err != nil {
		c.shipper.logOnce("sample", slog.LevelWarn, "kinit: cannot sample processes", "error", err.Error())
		samples = make([]TreeSample, len(svcs))
	}
	docs := make([]*Document, 0, len(svcs)+1)
	for i, s := range svcs {
		docs = append(docs, c.serviceDoc(now, s, samples[i]))
	}
	if d := c.containerDoc(now); d != nil {
		docs = append(docs, d)
	}
	docs = append(docs, c.jvmDocs(now, svcs)...)
	docs = append(docs, c.clusterDocs(now, svcs)...)
	return docs
}

func (c *Collector) serviceDoc(now time.Time, s Service, ts TreeSample) *Document {
	name := s.Name
	if name == "" {
		name = s.ID
	}
	d := &Document{
		Timestamp: now.UTC(),
		ECS:       ECSFields{ecsVersion},
		Host:      HostFields{c.node.Name, c.node.Hostname},
		Service:   &ServiceFields{ID: s.ID, Name: name, Type: s.Type, State: s.State},
		Event:     EventFields{Kind: "metric", Dataset: "kinit.service", Module: "kinit"},
		Kinit:     nodeFields(c.node),
	}
	ks := &KinitService{
		State:         s.State,
		Restarts:      s.Restarts,
		UptimeSeconds: int64(s.Uptime / time.Second),
		Ready:         s.Ready,
	}
	d.Kinit.Service = ks
	if !ts.Alive {
		return d
	}
	up := int64(s.Uptime / time.Second)
	d.Process = &ProcessFields{
		Pid:    s.Pid,
		Uptime: &up,
		CPU:    &CPUFields{Pct: round4(ts.CorePct / c.cpus)},
		Memory: &MemoryFields{RSS: BytesField{ts.RSSBytes}},
	}
	if ts.Interval > 0 {
		ns := int64(ts.Interval)
		d.Event.Duration = &ns
	}
	ks.Processes, ks.Threads, ks.FDs = ts.Processes, ts.Threads, ts.FDs
	ks.ProcessState = ts.State
	ks.CPU = KinitCPU{CorePct: round4(ts.CorePct), Seconds: round4(ts.CPUSeconds)}
	return d
}

func (c *Collector) containerDoc(now time.Time) *Document {
	if c.cgReader == nil {
		return nil
	}
	u, err := c.cgReader.Usage()
	if err != nil {
		c.shipper.logOnce("cgroup", slog.LevelWarn, "kinit: cannot read cgroup usage", "error", err.Error())
		return nil
	}
	at := bootNow()
	limit := u.MemoryLimitBytes
	if limit <= 0 || (c.memLimit > 0 && limit > c.memLimit) {
		limit = c.memLimit
	}
	d := &Document{
		Timestamp: now.UTC(),
		ECS:       ECSFields{ecsVersion},
		Host:      HostFields{c.node.Name, c.node.Hostname},
		Event:     EventFields{Kind: "metric", Dataset: "kinit.container", Module: "kinit"},
		Container: &ContainerFields{},
		Kinit:     nodeFields(c.node),
	}
	cg := &KinitCgroup{
		Version: u.Version,
		CPUs:    round4(c.cpus),
		Memory:  CgroupMemory{UsageBytes: u.MemoryBytes, LimitBytes: limit},
		CPU:     CgroupCPUUsage{UsageNS: u.CPUUsageNanos, NrThrottled: u.NrThrottled, ThrottledNS: u.ThrottledNanos},
	}
	if limit > 0 {
		d.Container.Memory.Usage = round4(float64(u.MemoryBytes) / float64(limit))
	}
	if c.haveCg && at > c.prevCgAt && u.CPUUsageNanos >= c.prevCg.CPUUsageNanos {
		core := float64(u.CPUUsageNanos-c.prevCg.CPUUsageNanos) / float64(at-c.prevCgAt)
		cg.CPU.CorePct = round4(core)
		d.Container.CPU.Usage = round4(core / c.cpus)
		ns := int64(at - c.prevCgAt)
		d.Event.Duration = &ns
	}
	c.prevCg, c.prevCgAt, c.haveCg = u, at, true
	d.Kinit.Cgroup = cg
	return d
}
