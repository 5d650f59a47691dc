package macros

import (
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	kplan "github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
)

// Rendering is everything this node will run, rendered in memory.
type Rendering struct {
	Node     *roles.Node
	Services []*Service // in start order
	Files    []*File    // every rendered file, in service order
	Sizing   Sizing
	Macros   map[string]string // node-level macro values
	Warnings []string
	Ignored  []string // environment variables recognised and not mapped, "VAR (reason)"

	masker Masker
}

// Service is one service of the plan, with every macro expanded.
type Service struct {
	ID, Name, Kind string
	Command        []string
	// Env holds the variables kinit sets for this service. A variable the
	// container's environment also sets keeps the container's value, so
	// operators can override anything (e.g. KAFKA_HEAP_OPTS) with `-e`.
	Env map[string]string
	// EnvPrefix and PassEnv choose which container variables it receives
	// besides Env (Environ).
	EnvPrefix    string
	PassEnv      []string
	Dir          string
	User, Group  string
	Capabilities []string
	Waits        []Wait
	Ready        Probe
	Restart      roles.Restart
	StopSignal   string
	Grace        time.Duration
	Required     bool
	RestartWith  []string
	OneShot      bool
	Creates      []string       // expanded
	Ports        map[string]int // "" = main port
	MemoryShare  float64
	HeapBytes    int64 // 0 when the service has no memory share
	CPUs         int   // -XX:ActiveProcessorCount
	DataDir      string
	Files        []string // destinations of the files rendered for it
	Overrides    []Override

	// ForwardSignals are passed on to the service when kinit gets them.
	ForwardSignals []string
}

// Environ returns the child environment: the variables of base (normally
// os.Environ()) the service may see (passesEnv), with the service's own
// set over them, minus kinit's own secrets.
func (s *Service) Environ(base []string) []string {
	out := make([]string, 0, len(base)+len(s.Env))
	node := nodePassEnv(base)
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, over := s.Env[k]; over || isKinitSecret(k) || !s.passesEnv(k, node) {
			continue
		}
		out = append(out, kv)
	}
	for _, k := range slices.Sorted(maps.Keys(s.Env)) {
		out = append(out, k+"="+s.Env[k])
	}
	return out
}

func isKinitSecret(k string) bool {
	return strings.HasPrefix(k, "KINIT_") && IsSecretKey(k) || k == "KINIT_ES_USERNAME"
}

// Wait is one dependency of a service.
type Wait struct {
	Service string
	// Local is true when this node runs the service: wait for its own
	// readiness. Otherwise wait for MinReady of Targets to pass a probe of
	// Kind.
	Local    bool
	Timeout  time.Duration
	MinReady int
	Kind     kplan.ProbeKind // zookeeper, kafka, http or tcp: how to probe a remote target
	Targets  []Target
	// For Kind kafka in zk mode: brokers count as ready when registered
	// under /brokers/ids in this ensemble.
	ZKConnect string
	Mode      roles.ProbeMode
}

// Target is one remote member running a waited-for service.
type Target struct {
	Host    string
	ID      int
	Address string   // host:port
	URLs    []string // for http probes
}

// Probe is a readiness probe with its macros expanded.
type Probe struct {
	Kind      kplan.ProbeKind // a plan kind, or roles.ProbeNone
	Address   string
	URLs      []string
	Command   []string
	ZKConnect string
	BrokerID  int
	Mode      roles.ProbeMode
	Trigger   string
	Notify    bool
	// Quorum lists the controllers (host:port) a quorum or combined
	// probe asks after Address: only the leader describes the quorum.
	Quorum       []string
	Interval     time.Duration
	Timeout      time.Duration
	StartTimeout time.Duration
	Health       roles.Health
}

// File is one rendered file.
type File struct {
	Service  string
	Src      string // template path
	Template string // template name as the config writes it (relative to the template dir)
	Dst      string // absolute destination
	Content  []byte
	Mode     os.FileMode
	Owner    string // user name or numeric uid; "" = leave as created
	Group    string
}

// Service returns a service of the plan by id.
func (p *Rendering) Service(id string) *Service {
	for _, s := range p.Services {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// Masker returns the masker that hides this plan's secrets in output.
func (p *Rendering) Masker() *Masker { return &p.masker }
