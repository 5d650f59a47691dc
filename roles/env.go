package roles

import (
	"os"
	"sort"
	"strings"
)

// Env is the process environment kinit resolves against. Tests build one
// from a map; the CLI uses OSEnv.
type Env map[string]string

// EnvFromList reads "KEY=VALUE" entries as os.Environ returns them.
func EnvFromList(list []string) Env {
	e := Env{}
	for _, kv := range list {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			e[k] = v
		}
	}
	return e
}

// OSEnv is the current process environment.
func OSEnv() Env { return EnvFromList(os.Environ()) }

// Lookup returns a variable and whether it is set.
func (e Env) Lookup(k string) (string, bool) {
	v, ok := e[k]
	return v, ok
}

// Get returns a variable, "" when unset.
func (e Env) Get(k string) string { return e[k] }

// Names returns the variable names, sorted.
func (e Env) Names() []string {
	out := make([]string, 0, len(e))
	for k := range e {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Environment variables kinit reads for node resolution.
const (
	EnvRole      = "KINIT_ROLE"
	EnvConfigID  = "KINIT_CONFIG_ID"
	EnvConfig    = "KINIT_CONFIG"
	EnvNodeID    = "KINIT_NODE_ID"
	EnvFQDN      = "KINIT_FQDN"
	EnvNodes     = "KINIT_NODES"
	EnvNodesFile = "KINIT_NODES_FILE"
	EnvFlavor    = "KINIT_FLAVOR"
	// The KRaft cluster id: kinit's name first, then the one the Apache
	// and Confluent images read.
	EnvClusterID     = "KINIT_CLUSTER_ID"
	EnvClusterIDAlso = "CLUSTER_ID"
	// EnvKafkaNodeID is the KRaft node id as the Apache and Confluent
	// images take it; kinit reads it as KINIT_NODE_ID in KRaft mode.
	EnvKafkaNodeID = "KAFKA_NODE_ID"

	// DefaultConfigPath is used when KINIT_CONFIG is unset.
	DefaultConfigPath = "/etc/kinit/kinit.toml"
	// DefaultConfigID is used when KINIT_CONFIG_ID is unset.
	DefaultConfigID = "default"
)
