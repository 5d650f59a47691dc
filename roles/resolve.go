package roles

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kinit/kinit/internal/safefs"
)

// Resolve finds out which node this is under cfg and env: config id, role,
// FQDN, members, node id (see identity.go for the order), local services in
// start order, vars and ports after their KINIT_* overrides. It reads the
// nodes file and the identity files on the data volume but writes nothing.
// Every problem is returned at once.
func Resolve(cfg *Config, env Env) (*Node, error) {
	c := &Collector{}
	n := &Node{Config: cfg}

	n.ConfigID = env.Get(EnvConfigID)
	if n.ConfigID == "" {
		n.ConfigID = DefaultConfigID
	}
	cc, ok := cfg.Configs[n.ConfigID]
	if !ok {
		c.Add("", 0, "%s: unknown config id %q%s", EnvConfigID, n.ConfigID, choices(cfg.ConfigOrder))
		return nil, c.Err()
	}
	n.Cluster = cc

	n.Role = env.Get(EnvRole)
	if n.Role == "" {
		if len(cc.RoleOrder) != 1 {
			c.Add("", 0, "%s is not set: config %q has roles %s", EnvRole, n.ConfigID, strings.Join(cc.RoleOrder, ", "))
			return nil, c.Err()
		}
		n.Role = cc.RoleOrder[0]
	}
	if _, ok := cc.Roles[n.Role]; !ok {
		c.Add("", 0, "%s: config %q has no role %q (it has %s)", EnvRole, n.ConfigID, n.Role, strings.Join(cc.RoleOrder, ", "))
		return nil, c.Err()
	}

	n.FQDN = env.Get(EnvFQDN)
	if n.FQDN == "" {
		h, err := os.Hostname()
		if err != nil || h == "" {
			c.Add("", 0, "%s is not set and the host name is unknown", EnvFQDN)
			return nil, c.Err()
		}
		n.FQDN = h
	}
	if !validHost(n.FQDN) {
		c.Add("", 0, "%s: %q is not a host name", EnvFQDN, n.FQDN)
		return nil, c.Err()
	}
	n.Hostname = shortName(n.FQDN)

	n.Flavor = env.Get(EnvFlavor)
	switch {
	case n.Flavor != "":
		if _, ok := cfg.Flavors[n.Flavor]; !ok {
			c.Add("", 0, "%s: unknown flavor %q%s", EnvFlavor, n.Flavor, choices(slices.Sorted(maps.Keys(cfg.Flavors))))
		}
	case cc.Flavor != "":
		n.Flavor = cc.Flavor
	default:
		n.Flavor = cfg.Resources.Flavor
	}

	n.resolveVars(env, c)
	n.resolvePorts(env, c)

	// Security first: it decides which services a node leaves out.
	n.resolveSecurity(env, c)
	left := func(id string) bool {
		s := cfg.Services[id]
		return s != nil && s.SecuredOnly && !n.Security.Secure()
	}
	for _, sid := range cc.Roles[n.Role] {
		if !left(sid) {
			n.Services = append(n.Services, cc.waitsOf(cfg.Services[sid], left))
		}
	}
	n.Services = startOrder(n.Services)
	n.checkLocalPorts(c)

	n.DataDirs = map[string]string{}
	for _, s := range n.Services {
		if s.DataDir == "" {
			continue
		}
		if d, ok := n.expandVarsAt(s.DataDir, c, "services", s.ID, "data_dir"); ok {
			n.DataDirs[s.ID] = d
		}
	}

	list := n.loadNodes(env, c)
	if c.Len() > 0 {
		return nil, c.Err()
	}
	n.resolveIdentity(env, list, c)
	if c.Len() > 0 {
		return nil, c.Err()
	}
	n.checkMembers(c)
	n.resolveClusterID(env, c)
	n.resolveExternal(env, c)
	n.checkIDFiles(c)
	n.checkDataDirs(c)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return n, nil
}

// resolveVars applies KINIT_<VAR> overrides, then expands references between
// vars (CONFIG_DIR included). Each var is expanded once, its result or its
// failure kept, so a var referenced many times costs one expansion and a
// cycle ends at its first repeat; each result is at most MaxExpanded and
// all of them together at most MaxExpandedTotal, so overrides that repeat
// each other cannot grow memory without bound.
func (n *Node) resolveVars(env Env, c *Collector) {
	raw := map[string]string{"CONFIG_DIR": n.Config.Dir}
	for _, v := range n.Config.Vars {
		raw[v.Macro] = v.Value
		if o, ok := env.Lookup(v.Env); ok {
			raw[v.Macro] = o
		}
	}
	n.Vars = map[string]string{}
	failed := map[string]error{} // nil: an unknown reference or a cycle
	inherited := map[string]bool{}
	visiting := map[string]bool{}
	left := MaxExpandedTotal
	var resolve func(name string) (string, bool)
	resolve = func(name string) (string, bool) {
		if v, ok := n.Vars[name]; ok {
			return v, true
		}
		v, ok := raw[name]
		if _, done := failed[name]; !ok || done || visiting[name] {
			return "", false
		}
		visiting[name] = true
		limit := min(MaxExpanded, max(left, 0))
		out, unknown, err := ExpandMax(v, limit, resolve)
		delete(visiting, name)
		// A failure is charged the work it did, so failures cannot
		// repeat it without end; vars it references were charged
		// meanwhile, so what is left is judged after.
		if err != nil {
			left -= limit
		} else {
			left -= len(out)
		}
		switch {
		case err != nil && limit == MaxExpanded:
			failed[name] = err
		case err != nil || left < 0:
			failed[name] = fmt.Errorf("the vars together expand to more than %s", safefs.Size(MaxExpandedTotal))
		case len(unknown) > 0:
			failed[name] = nil
			for _, ref := range unknown {
				if e := failed[ref]; e != nil {
					failed[name], inherited[name] = e, true // reported at its var
				}
			}
		}
		if _, bad := failed[name]; bad {
			return "", false
		}
		n.Vars[name] = out
		return out, true
	}
	for _, v := range n.Config.Vars {
		if _, ok := resolve(v.Macro); ok || inherited[v.Macro] {
			continue
		}
		src := "var " + v.Name
		if _, over := env.Lookup(v.Env); over {
			src = v.Env
		}
		if err := failed[v.Macro]; err != nil {
			c.Add("", 0, "%s: %v", src, err)
		} else {
			c.Add("", 0, "%s: %q references an unknown var or a cycle (vars may use other vars and CONFIG_DIR only)", src, raw[v.Macro])
		}
	}
	n.Vars["CONFIG_DIR"] = n.Config.Dir
}

// ExpandVars expands var references (the only macros known before the node
// id); unknown references stay as written, and so does s when it would
// expand beyond MaxExpanded (expandVarsAt reports that).
func (n *Node) ExpandVars(s string) string {
	out, _, err := Expand(s, func(name string) (string, bool) { v, ok := n.Vars[name]; return v, ok })
	if err != nil {
		return s
	}
	return out
}

// expandVarsAt is ExpandVars for a config field at key, reporting an
// expansion that is too long.
func (n *Node) expandVarsAt(s string, c *Collector, key ...string) (string, bool) {
	out, _, err := Expand(s, func(name string) (string, bool) { v, ok := n.Vars[name]; return v, ok })
	if err != nil {
		c.Add(n.Config.File, n.Config.Line(key...), "%s: %v", strings.Join(key, "."), err)
		return "", false
	}
	return out, true
}

// resolvePorts applies KINIT_PORT_<SERVICE>[_<NAME>] overrides.
func (n *Node) resolvePorts(env Env, c *Collector) {
	n.Ports = map[string]map[string]int{}
	for _, id := range n.Config.ServiceOrder {
		s := n.Config.Services[id]
		ports := map[string]int{}
		set := func(name string, def int) {
			envName := "KINIT_PORT_" + MacroName(id)
			if name != "" {
				envName += "_" + MacroName(name)
			}
			ports[name] = def
			if v, ok := env.Lookup(envName); ok {
				p, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil || p < 1 || p > 65535 {
					c.Add("", 0, "%s: %q is not a port (1..65535)", envName, v)
					return
				}
				ports[name] = p
			}
		}
		if s.Port != 0 {
			set("", s.Port)
		}
		for _, name := range slices.Sorted(maps.Keys(s.Ports)) {
			set(name, s.Ports[name])
		}
		n.Ports[id] = ports
	}
}

func (n *Node) checkLocalPorts(c *Collector) {
	used := map[int]string{}
	for _, s := range n.Services {
		for _, name := range slices.Sorted(maps.Keys(n.Ports[s.ID])) {
			p := n.Ports[s.ID][name]
			label := s.ID
			if name != "" {
				label += " (" + name + ")"
			}
			if other, dup := used[p]; dup {
				c.Add("", 0, "port %d is used by both %s and %s on this node", p, other, label)
			}
			used[p] = label
		}
	}
}

// startOrder sorts services so that each comes after the local services it
// waits for; ties keep the order the config lists them in. The config was
// checked for cycles, so every service is placed.
func startOrder(svcs []*Service) []*Service {
	local := map[string]bool{}
	for _, s := range svcs {
		local[s.ID] = true
	}
	placed := map[string]bool{}
	var out []*Service
	for len(out) < len(svcs) {
		progress := false
		for _, s := range svcs {
			if placed[s.ID] {
				continue
			}
			ready := true
			for _, w := range s.Waits {
				if local[w.Service] && !placed[w.Service] {
					ready = false
					break
				}
			}
			if ready {
				placed[s.ID] = true
				out = append(out, s)
				progress = true
				break
			}
		}
		if !progress {
			// Unreachable for a validated config; keep the rest as listed.
			for _, s := range svcs {
				if !placed[s.ID] {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// Describe is a one-line summary of the node for logs.
func (n *Node) Describe() string {
	return fmt.Sprintf("role %s, config %s, id %d, fqdn %s", n.Role, n.ConfigID, n.ID, n.FQDN)
}

// SortedMembers returns the members of a role sorted by id.
func (n *Node) SortedMembers(role string) []Member {
	var out []Member
	for _, m := range n.Members {
		if m.Role == role {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// clusterServices lists every service some role runs under the chosen
// config, in role order, once each.
func (n *Node) clusterServices() []string {
	var out []string
	seen := map[string]bool{}
	for _, role := range n.Cluster.RoleOrder {
		for _, sid := range n.Cluster.Roles[role] {
			if !seen[sid] {
				seen[sid] = true
				out = append(out, sid)
			}
		}
	}
	return out
}
