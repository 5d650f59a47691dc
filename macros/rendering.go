package macros

import (
	"maps"
	"os"
	"slices"
	"strings"

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
	// QuorumSecurity is how kinit asks the controller listeners (the
	// quorum `kinit status` shows); nil speaks plaintext.
	QuorumSecurity *kplan.Security

	masker Masker
}

// Service is one service of the rendering, with every macro expanded. The
// plan.Service it embeds is the entry `kinit up` hands the supervisor,
// built here once (command, waits, probe, restart, signals); node adds only
// what the container gives at start: the environment (Environ) and the
// numeric credentials of User and Group.
type Service struct {
	kplan.Service
	Kind string
	// Vars holds the variables kinit sets for this service. A variable the
	// container's environment also sets keeps the container's value, so
	// operators can override anything (e.g. KAFKA_HEAP_OPTS) with `-e`.
	Vars map[string]string
	// EnvPrefix and PassEnv choose which container variables it receives
	// besides Vars (Environ).
	EnvPrefix   string
	PassEnv     []string
	User, Group string         // as the config names them; node resolves them
	Ports       map[string]int // "" = main port
	MemoryShare float64
	HeapBytes   int64 // 0 when the service has no memory share
	CPUs        int   // -XX:ActiveProcessorCount
	DataDir     string
	Files       []string // destinations of the files rendered for it
	Overrides   []Override
	// TLSListeners are the client and inter-broker listeners of a Kafka
	// service that serve TLS from its keystore (not the controller's),
	// as its rendered properties name them; a new keystore is reloaded
	// on each.
	TLSListeners []string
	// PeerSecurity is how kinit asks this service's instances on the
	// cluster's members (the spare check of a rolling restart), each
	// verified by its host name; nil speaks plaintext.
	PeerSecurity *kplan.Security
}

// Environ returns the child environment: the variables of base (normally
// os.Environ()) the service may see (passesEnv), with the service's own
// set over them, minus kinit's own secrets.
func (s *Service) Environ(base []string) []string {
	out := make([]string, 0, len(base)+len(s.Vars))
	node := nodePassEnv(base)
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, over := s.Vars[k]; over || isKinitSecret(k) || !s.passesEnv(k, node) {
			continue
		}
		out = append(out, kv)
	}
	for _, k := range slices.Sorted(maps.Keys(s.Vars)) {
		out = append(out, k+"="+s.Vars[k])
	}
	return out
}

func isKinitSecret(k string) bool {
	return strings.HasPrefix(k, "KINIT_") && IsSecretKey(k) || k == "KINIT_ES_USERNAME"
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
