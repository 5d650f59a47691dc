// The external listener: one setting gives a broker a second listener for
// clients outside the container network (a published port, a NodePort),
// while the node's own services and its peers keep the internal one.

package roles

import (
	"net"
	"strconv"
)

// EnvExternalAdvertised is the address outside clients reach this broker
// at, host:port (e.g. localhost:19092 behind `podman run -p 19092:9094`).
const EnvExternalAdvertised = "KINIT_EXTERNAL_ADVERTISED"

// ExternalPortName is the broker services' port the external listener
// binds inside the container (kinit.toml ports.external, overridden by
// KINIT_PORT_<SERVICE>_EXTERNAL).
const ExternalPortName = "external"

// AgentPortName is a JVM service's port for the Jolokia agent kinit
// attaches when metrics shipping is on (node/jolokia.go): it listens on
// 127.0.0.1 only, so no container port, Service or EXPOSE names it.
const AgentPortName = "jolokia"

// External is the external listener's advertised address; zero when the
// node has none.
type External struct {
	Host string
	Port int
}

// Enabled reports whether the node's brokers get an external listener.
func (e External) Enabled() bool { return e.Host != "" }

// String is host:port as Kafka's advertised.listeners takes it.
func (e External) String() string { return net.JoinHostPort(e.Host, strconv.Itoa(e.Port)) }

// resolveExternal reads KINIT_EXTERNAL_ADVERTISED; a broker of this node
// needs an external port to bind it on.
func (n *Node) resolveExternal(env Env, c *Collector) {
	v := env.Get(EnvExternalAdvertised)
	if v == "" {
		return
	}
	host, port, err := net.SplitHostPort(v)
	p, perr := strconv.Atoi(port)
	switch {
	case err != nil || host == "":
		c.Add("", 0, "%s: %q is not host:port (the address clients outside the container network use, e.g. localhost:19092)", EnvExternalAdvertised, v)
		return
	case perr != nil || p < 1 || p > 65535:
		c.Add("", 0, "%s: %q: %q is not a port (1..65535)", EnvExternalAdvertised, v, port)
		return
	}
	n.External = External{Host: host, Port: p}
	for _, s := range n.Services {
		if s.Kind == "kafka" && n.Port(s.ID, ExternalPortName) == 0 {
			c.Add(n.Config.File, n.Config.Line("services", s.ID, "ports"), "%s is set, but service %s has no %q port to listen on for it",
				EnvExternalAdvertised, s.ID, ExternalPortName)
		}
	}
}

// TLSHosts are the names a secured node's certificate must carry: its
// FQDN, which its peers and services dial, and the external listener's
// host, which outside clients verify.
func (n *Node) TLSHosts() []string {
	hosts := []string{n.FQDN}
	if n.External.Enabled() && n.External.Host != n.FQDN {
		hosts = append(hosts, n.External.Host)
	}
	return hosts
}
