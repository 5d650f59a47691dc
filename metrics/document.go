package metrics

import (
	"math"
	"time"
)

// ecsVersion is the ECS release whose field names the documents follow.
const ecsVersion = "8.11.0"

// Document is one Elasticsearch document, a metric sample or a lifecycle
// event. Field names are ECS where ECS has one, kinit.* otherwise.
type Document struct {
	Timestamp time.Time        `json:"@timestamp"`
	Message   string           `json:"message,omitempty"`
	ECS       ECSFields        `json:"ecs"`
	Host      HostFields       `json:"host"`
	Service   *ServiceFields   `json:"service,omitempty"`
	Process   *ProcessFields   `json:"process,omitempty"`
	Container *ContainerFields `json:"container,omitempty"`
	Event     EventFields      `json:"event"`
	// Metricset, Kafka and ZooKeeper follow Metricbeat's Kafka and
	// ZooKeeper modules (jvmfields.go, cluster.go), so dashboards built on
	// its fields read kinit's documents.
	Metricset *MetricsetFields `json:"metricset,omitempty"`
	Kafka     map[string]any   `json:"kafka,omitempty"`
	ZooKeeper map[string]any   `json:"zookeeper,omitempty"`
	Kinit     KinitFields      `json:"kinit"`
}

type MetricsetFields struct {
	Name string `json:"name"`
}

type ECSFields struct {
	Version string `json:"version"`
}

type HostFields struct {
	Name     string `json:"name"`
	Hostname string `json:"hostname"`
}

type ServiceFields struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Type  string `json:"type,omitempty"`
	State string `json:"state,omitempty"`
}

type ProcessFields struct {
	Pid      int           `json:"pid,omitempty"`
	ExitCode *int          `json:"exit_code,omitempty"`
	Uptime   *int64        `json:"uptime,omitempty"` // seconds, as ECS
	CPU      *CPUFields    `json:"cpu,omitempty"`
	Memory   *MemoryFields `json:"memory,omitempty"`
}

// CPUFields.Pct is ECS's process.cpu.pct: a fraction (0..1) of the CPU the
// container may use (its quota, or the host's CPUs when unlimited).
type CPUFields struct {
	Pct float64 `json:"pct"`
}

type MemoryFields struct {
	RSS BytesField `json:"rss"`
}

type BytesField struct {
	Bytes int64 `json:"bytes"`
}

// ContainerFields are ECS container.cpu.usage / container.memory.usage:
// fractions of the container's CPU and memory limits.
type ContainerFields struct {
	CPU    UsageField `json:"cpu"`
	Memory UsageField `json:"memory"`
}

type UsageField struct {
	Usage float64 `json:"usage"`
}

type EventFields struct {
	Kind     string   `json:"kind"`               // metric or event
	Category []string `json:"category,omitempty"` // process, configuration
	Type     []string `json:"type,omitempty"`     // start, end, change, info
	Action   string   `json:"action,omitempty"`   // started, ready, exited, …
	Outcome  string   `json:"outcome,omitempty"`  // success, failure, unknown
	Dataset  string   `json:"dataset"`            // kinit.service, kinit.container, kinit.lifecycle
	Module   string   `json:"module"`             // kinit
	Reason   string   `json:"reason,omitempty"`
	Duration *int64   `json:"duration,omitempty"` // ns, ECS; for metric samples, the interval covered
}

// KinitFields is everything ECS has no name for.
type KinitFields struct {
	Role     string `json:"role,omitempty"`
	NodeID   string `json:"node_id,omitempty"`
	ConfigID string `json:"config_id,omitempty"`
	Cluster  string `json:"cluster,omitempty"`

	Service *KinitService `json:"service,omitempty"`
	Event   *KinitEvent   `json:"event,omitempty"`
	Cgroup  *KinitCgroup  `json:"cgroup,omitempty"`
	// JVM is the heap and collectors of a service's JVM, read through its
	// agent (jvmfields.go).
	JVM map[string]any `json:"jvm,omitempty"`
}

// KinitService is one service's sample, summed over its process tree.
type KinitService struct {
	State         string   `json:"state"`
	Restarts      int      `json:"restarts"`
	UptimeSeconds int64    `json:"uptime_seconds"`
	Ready         bool     `json:"ready"`
	Processes     int      `json:"processes"`
	Threads       int      `json:"threads"`
	FDs           int      `json:"fds"`
	ProcessState  string   `json:"process_state,omitempty"` // of the root process: running, sleeping, zombie, …
	CPU           KinitCPU `json:"cpu"`
}

// KinitCPU: CorePct is a fraction of one core (2.0 = two cores busy);
// Seconds is the CPU time spent in the interval.
type KinitCPU struct {
	CorePct float64 `json:"core_pct"`
	Seconds float64 `json:"seconds"`
}

type KinitEvent struct {
	BackoffMS int64    `json:"backoff_ms,omitempty"`
	Signal    string   `json:"signal,omitempty"`
	Restarts  int      `json:"restarts,omitempty"`
	Files     []string `json:"files,omitempty"`
}

type KinitCgroup struct {
	Version int            `json:"version"`
	CPUs    float64        `json:"cpus"`
	Memory  CgroupMemory   `json:"memory"`
	CPU     CgroupCPUUsage `json:"cpu"`
}

type CgroupMemory struct {
	UsageBytes int64 `json:"usage_bytes"`
	LimitBytes int64 `json:"limit_bytes"` // the effective limit (host memory when unlimited)
}

type CgroupCPUUsage struct {
	UsageNS     uint64  `json:"usage_ns"`
	CorePct     float64 `json:"core_pct"`
	NrThrottled uint64  `json:"nr_throttled"`
	ThrottledNS uint64  `json:"throttled_ns"`
}

// kind names the target for {kind} in index names.
func (d *Document) kind() string {
	if d.Event.Kind == "metric" {
		return "metrics"
	}
	return "events"
}

// finite keeps NaN and ±Inf (which JSON cannot carry) out of documents.
func finite(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// round4 keeps documents small and stable: 0.123456789 -> 0.1235.
func round4(f float64) float64 { return math.Round(finite(f)*1e4) / 1e4 }
