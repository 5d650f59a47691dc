package roles

import (
	"github.com/kinit/kinit/internal/tomlpos"
	"os"
	"slices"
	"time"

	"github.com/kinit/kinit/plan"
)

// Config is a loaded and validated kinit.toml.
type Config struct {
	File string // path as given to Load
	Dir  string // absolute directory of File; the CONFIG_DIR macro

	Cluster   Cluster
	Vars      []Var       // [vars], sorted by name
	Macros    []UserMacro // [macros], sorted by name
	Identity  Identity
	Resources Resources
	Flavors   map[string]Flavor

	Roles    map[string]*Role
	Services map[string]*Service
	Configs  map[string]*ClusterConfig
	Autogen  []Autogen

	// Declaration order of [roles], [services] and [configs] in the file.
	RoleOrder, ServiceOrder, ConfigOrder []string

	pos *tomlpos.Positions
}

// Line returns the line of a key path in the config file (0 if unknown).
func (c *Config) Line(key ...string) int { return c.pos.Line(key...) }

// Cluster is the [cluster] table.
type Cluster struct {
	Name            string // CLUSTER_NAME
	ZookeeperChroot string // appended to ZOOKEEPER_SERVICE_STRING, "" or "/path"
	NodesFile       string // default nodes file when KINIT_NODES_FILE is unset
	TenantsFile     string // default tenants file when KINIT_TENANTS_FILE is unset
}

// Var is a [vars] entry: a path or setting that every other path derives
// from. It becomes the macro @@UPPER(name)@@ and the environment variable
// KINIT_UPPER(name) overrides it.
type Var struct {
	Name  string // as written, lower case
	Macro string // upper case
	Env   string // KINIT_ + Macro
	Value string // may reference other vars and CONFIG_DIR
	Line  int
}

// UserMacro is a [macros] entry.
type UserMacro struct {
	Name  string
	Value string // may reference any other macro
	Line  int
}

// Identity is the [identity] table: how the node id is found (see Resolve).
type Identity struct {
	Ordinal       string // "auto" (on when KUBERNETES_SERVICE_HOST is set), "on", "off"
	OrdinalOffset int    // added to the hostname ordinal (StatefulSet pods count from 0)
	IDFile        string // file name kept in each service data_dir
}

// Resources is the [resources] table.
type Resources struct {
	HeapRatio float64 // default fraction of a service's memory given to the heap
	Flavor    string  // flavor used when no limit is detected (KINIT_FLAVOR overrides)
}

// Flavor presets the container's limits when the cgroup sets none.
type Flavor struct {
	Name        string
	MemoryBytes int64
	CPUs        float64
}

// Role is a [roles.NAME] entry.
type Role struct {
	Name          string
	Cardinality   string // as written: "1+", "0+", "3", "1-5"
	Min, Max      int    // Max -1 = unbounded
	OrdinalOffset *int   // overrides Identity.OrdinalOffset for this role
	Line          int
}

// ClusterConfig is a [configs.ID] entry: which services each role runs.
type ClusterConfig struct {
	ID           string
	Description  string
	Roles        map[string][]string // role -> service ids, in the written order
	RoleOrder    []string
	Flavor       string
	MemoryShares map[string]float64 // per-service overrides of memory_share
	// OrdinalOffsets overrides the role's and [identity]'s ordinal_offset
	// under this config (role -> offset).
	OrdinalOffsets map[string]int
	Line           int
}

// Runs reports whether some role of this config runs the service.
func (cc *ClusterConfig) Runs(serviceID string) bool {
	for _, sids := range cc.Roles {
		if slices.Contains(sids, serviceID) {
			return true
		}
	}
	return false
}

// Share returns the memory share of a service under this config.
func (cc *ClusterConfig) Share(s *Service) float64 {
	if v, ok := cc.MemoryShares[s.ID]; ok {
		return v
	}
	return s.MemoryShare
}

// Autogen is an [[autogen]] rule in the reference platform's form
// "appconfig autogen --replace FILE --pattern P --macro M": every occurrence of
// Pattern in the template Replace is replaced by the value of Macro.
type Autogen struct {
	Replace string // template src, relative to the template dir
	Pattern string
	Macro   string
	Line    int
}

// Service is a [services.ID] entry. String fields may hold @@MACRO@@
// references; the macros step expands them for the resolved node.
type Service struct {
	ID   string
	Name string
	Kind string // "zookeeper", "kafka", "schema-registry", "control-center" or ""

	Port  int            // main port, 0 if none
	Ports map[string]int // named extra ports (peer, election, controller, …)

	Command      []string
	Dir          string
	User, Group  string
	Capabilities []string // normalised to CAP_…
	Env          map[string]string

	EnvPrefix string // KAFKA_, ZOOKEEPER_, …: env overrides for the properties template
	// PassEnv names more container variables the service receives, on
	// top of its EnvPrefix ones and the common allowlist (macros/envpass.go);
	// "NAME_*" passes a prefix.
	PassEnv        []string
	PropertyPrefix string // prepended to mapped keys that are not known as they are
	KnownKeys      string // name of the known-key list ("" = by Kind)

	Waits       []WaitSpec
	Ready       Probe
	Restart     plan.Restart
	StopSignal  string // e.g. "SIGTERM"
	Grace       time.Duration
	Required    bool
	RestartWith []string
	OneShot     bool     // runs to completion (docs/supervision.md)
	Creates     []string // a one-shot's files: all present, it does not run
	// SecuredOnly: the service is left out of a plaintext node, and a
	// wait on it with it (KINIT_SECURITY, docs/security.md).
	SecuredOnly bool

	MemoryShare float64 // fraction of the container memory, 0..1
	HeapRatio   float64 // fraction of the service's memory given to the heap
	HeapMin     int64   // bytes; a smaller computed heap is a config error
	HeapMax     int64   // bytes; 0 = no cap

	DataDir   string // may reference vars only; holds the persisted id
	IDChecks  []IDCheck
	Templates []Template

	// ForwardSignals are the signals kinit passes on to the service when
	// it receives them (SIGHUP, SIGUSR1, SIGUSR2), normalised to SIG….
	ForwardSignals []string

	Line int
}

// WaitSpec is one entry of a service's wait list.
type WaitSpec struct {
	Service string
	Timeout time.Duration
	Min     string // "quorum", "all" or a number; "" = quorum for zookeeper, else 1
	// Optional: waited for only under configs that run the service (one
	// service definition serving ZooKeeper and KRaft configs).
	Optional bool
}

// Probe is a readiness probe specification.
type Probe struct {
	Kind      plan.ProbeKind // a plan kind, or ProbeNone
	Address   string         // host:port (tcp, zookeeper, kafka in kraft mode)
	URLs      []string       // http: each must answer 2xx (url = one, urls = several)
	Command   []string
	ZKConnect string // kafka in zk mode
	BrokerID  string // kafka: expanded to an integer
	Mode      ProbeMode
	// Trigger: a line of the service's output matching this regular
	// expression runs the probe at once (the probe still decides).
	Trigger      string
	Notify       bool // NOTIFY_SOCKET for the service; READY=1 runs the probe at once
	Interval     time.Duration
	Timeout      time.Duration
	StartTimeout time.Duration
	Health       Health
}

// Health is how a ready service keeps being checked with its probe.
type Health struct {
	// CheckInterval is the time between checks once ready; 0 turns
	// checking off.
	CheckInterval time.Duration
	// FailureThreshold is how many failed checks in a row make the service
	// unhealthy; 0 leaves it to the supervisor's default (3).
	FailureThreshold int
	// OnUnhealthy is what an unhealthy service gets.
	OnUnhealthy plan.OnUnhealthy
}

// ProbeNone is kinit.toml's kind for "no readiness probe" (an empty kind
// loads as it): the service is ready once started. It is not a kind a plan
// runs; node leaves such a service without a probe.
const ProbeNone plan.ProbeKind = "none"

// KindKRaftController is the kind of a controller-only KRaft service; a
// "kafka" service is the KRaft broker of a config that runs one, and a
// combined controller and broker (with ports.controller) otherwise.
const KindKRaftController = "kraft-controller"

// Kinds of the Kafka clients kinit runs beside the brokers.
const (
	KindSchemaRegistry = "schema-registry"
	KindControlCenter  = "control-center"
)

// KindSCRAMAdmin is the kind of the one-shot that stores the admin user's
// SCRAM credentials in ZooKeeper before a ZooKeeper-mode broker starts
// (a KRaft node's storage format does it instead).
const KindSCRAMAdmin = "scram-admin"

// ProbeMode says how a kafka or zookeeper probe asks; the loader fills in
// the default of its kind, so later steps never read an empty one.
type ProbeMode string

// Probe modes.
const (
	ModeZK     ProbeMode = "zk"     // kafka: the broker is registered in ZooKeeper
	ModeKRaft  ProbeMode = "kraft"  // kafka: a Metadata request lists it (registered, unfenced)
	ModeQuorum ProbeMode = "quorum" // kafka: DescribeQuorum shows a leader and it among the voters
	// ModeCombined is a combined KRaft node: quorum and kraft both pass.
	ModeCombined ProbeMode = "combined"
	ModeRuok     ProbeMode = "ruok"    // zookeeper: ruok and srvr four-letter words
	ModeSrvr     ProbeMode = "srvr"    // zookeeper: srvr only
	ModeSession  ProbeMode = "session" // zookeeper: a session through the connect string
)

// IDCheck names a file on the data volume that records the node id: the whole
// (trimmed) content when Key is empty (ZooKeeper's myid), else the value of a
// Java-properties key (Kafka's meta.properties broker.id / node.id).
type IDCheck struct {
	File string // may reference vars only
	Key  string
}

// Template is one file rendered for a service.
type Template struct {
	Src        string // relative to the template dir (TEMPLATE_DIR var)
	Dst        string // absolute after expansion
	Owner      string
	Group      string
	Mode       os.FileMode
	Properties bool // the service's env overrides apply to this file
	Line       int
}

// waitsOf is s as this config runs it: without the optional waits on
// services the config does not run, nor the waits on the services the
// node leaves out (left).
func (cc *ClusterConfig) waitsOf(s *Service, left func(id string) bool) *Service {
	keep := s.Waits[:0:0]
	for _, w := range s.Waits {
		if (!w.Optional || cc.Runs(w.Service)) && !left(w.Service) {
			keep = append(keep, w)
		}
	}
	if len(keep) == len(s.Waits) {
		return s
	}
	c := *s
	c.Waits = keep
	return &c
}
