package node

import (
	"fmt"
	"slices"
	"time"

	"github.com/kinit/kinit/internal/cgroup"
	"github.com/kinit/kinit/internal/tlsdir"
	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/roles"
)

// Rendered is a node resolved and rendered in memory: what check, render
// and up all start from. Nothing of it is written yet.
type Rendered struct {
	Env       roles.Env
	Config    *roles.Config
	Node      *roles.Node
	Rendering *macros.Rendering
	Notes     []string // things worth printing that are not errors
}

// ConfigPath is the --config flag, else KINIT_CONFIG, else
// /etc/kinit/kinit.toml.
func ConfigPath(flagValue string, env roles.Env) string {
	if flagValue != "" {
		return flagValue
	}
	if p := env.Get(roles.EnvConfig); p != "" {
		return p
	}
	return roles.DefaultConfigPath
}

// Load loads the config (configFlag, see ConfigPath), resolves this node
// from kinit's environment, reads the container's limits and renders the
// plan. Every problem is reported at once (roles.Problems).
func Load(configFlag string) (*Rendered, error) {
	r := &Rendered{Env: roles.OSEnv()}
	cfg, err := roles.LoadFrom(ConfigPath(configFlag, r.Env), roles.ConfigSetting(configFlag, r.Env))
	if err != nil {
		return nil, err
	}
	r.Config = cfg
	if r.Node, err = roles.Resolve(cfg, r.Env); err != nil {
		return nil, err
	}
	if note, err := issueCertificate(r.Node); err != nil {
		return nil, err
	} else if note != "" {
		r.Notes = append(r.Notes, note)
	}
	limits, note := containerLimits(r.Env)
	if note != "" {
		r.Notes = append(r.Notes, note)
	}
	if r.Rendering, err = macros.Build(r.Node, macros.Options{Env: r.Env, Limits: limits}); err != nil {
		return nil, err
	}
	return r, nil
}

// containerLimits reads the cgroup limits (KINIT_CGROUP_ROOT points at
// another root, for tests). A failure is not fatal: sizing then relies on a
// flavor, and says so.
func containerLimits(env roles.Env) (macros.Limits, string) {
	root := env.Get("KINIT_CGROUP_ROOT")
	if root == "" {
		root = "/"
	}
	l, _, err := cgroup.Effective(root)
	if err != nil {
		return macros.Limits{Source: "unknown"}, fmt.Sprintf("cannot read the container's limits: %v", err)
	}
	return macros.Limits{MemoryBytes: l.MemoryBytes, CPUs: l.CPUs, MemoryFromHost: l.MemoryFromHost,
		CPUsFromHost: l.CPUsFromHost, Source: l.Source}, ""
}

// issueCertificate gives a secured node whose TLS dir holds only the
// development CA (ca.crt, ca.key) its own certificate, named for its FQDN
// and external host, and for localhost and 127.0.0.1 (a client beside it),
// before the material is checked and rendered: every later load, and
// every restart, keeps it. It writes nothing when tls.crt is there or the
// node is not secured; a directory without the CA is left to the check,
// which names what is missing.
func issueCertificate(n *roles.Node) (string, error) {
	sec := n.Security
	if !sec.Secure() {
		return "", nil
	}
	hosts := n.TLSHosts()
	for _, h := range []string{"localhost", "127.0.0.1"} {
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	issued, err := tlsdir.Issue(sec.TLSDir, tlsdir.Identity{CommonName: n.FQDN, Hosts: hosts}, time.Now())
	if err != nil {
		c := &roles.Collector{}
		c.Add("", 0, "%s=%s: cannot issue the node's certificate: %v", roles.EnvTLSDir, sec.TLSDir, err)
		return "", c.Err()
	}
	if !issued {
		return "", nil
	}
	return fmt.Sprintf("issued %s/%s for %s from the development CA in %s", sec.TLSDir, tlsdir.CertFile, n.FQDN, sec.TLSDir), nil
}
