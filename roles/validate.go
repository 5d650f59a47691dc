package roles

import (
	"sort"
	"strconv"
	"strings"
)

// validate checks everything that spans more than one table. It also runs
// after conversion problems (bad values were replaced by defaults), so that
// one run reports every problem.
func (l *loader) validate() {
	cfg := l.cfg
	l.checkVarRefs()
	l.checkUserMacros()

	if f := cfg.Resources.Flavor; f != "" {
		if _, ok := cfg.Flavors[f]; !ok {
			l.errAt([]string{"resources", "flavor"}, "unknown flavor %q%s", f, choices(keys(cfg.Flavors)))
		}
	}

	for _, id := range cfg.ServiceOrder {
		l.checkService(cfg.Services[id])
	}
	l.checkCycles()

	if len(cfg.Configs) == 0 {
		l.c.Add(cfg.File, 0, "no [configs.ID] table: at least one cluster config is required")
	}
	for _, id := range cfg.ConfigOrder {
		l.checkConfig(cfg.Configs[id])
	}

	srcs := map[string]bool{}
	for _, s := range cfg.Services {
		for _, t := range s.Templates {
			srcs[t.Src] = true
		}
	}
	for i, a := range cfg.Autogen {
		key := []string{"autogen", idx(i)}
		if !srcs[a.Replace] {
			l.errAt(append(key, "replace"), "autogen rule: no service has a template %q", a.Replace)
		}
		if a.Pattern == "" || strings.ContainsAny(a.Pattern, "\n\r") {
			l.errAt(append(key, "pattern"), "autogen rule: pattern must be non-empty and on one line")
		}
		if !cfg.knownMacro(a.Macro, scopeService) {
			l.errAt(append(key, "macro"), "autogen rule: unknown macro %q", a.Macro)
		}
	}
}

func (l *loader) checkVarRefs() {
	cfg := l.cfg
	deps := map[string][]string{}
	for _, v := range cfg.Vars {
		for _, ref := range MacroRefs(v.Value) {
			if !cfg.knownMacro(ref, scopeVars) {
				l.errAt([]string{"vars", v.Name}, "var %s: unknown macro @@%s@@ (vars may use other vars and CONFIG_DIR only)", v.Name, ref)
				continue
			}
			deps[v.Macro] = append(deps[v.Macro], ref)
		}
	}
	if cyc := findCycle(sortedKeys(deps), deps); cyc != nil {
		l.errAt([]string{"vars", strings.ToLower(cyc[0])}, "vars reference each other in a cycle: %s", strings.Join(cyc, " -> "))
	}
}

func (l *loader) checkUserMacros() {
	cfg := l.cfg
	deps := map[string][]string{}
	for _, m := range cfg.Macros {
		key := []string{"macros", m.Name}
		if cfg.isBuiltin(m.Name) {
			l.errAt(key, "macro %s shadows a built-in macro or var", m.Name)
		}
		for _, ref := range MacroRefs(m.Value) {
			if !cfg.knownMacro(ref, scopeNode) {
				l.errAt(key, "macro %s: unknown macro @@%s@@", m.Name, ref)
				continue
			}
			deps[m.Name] = append(deps[m.Name], ref)
		}
	}
	if cyc := findCycle(sortedKeys(deps), deps); cyc != nil {
		l.errAt([]string{"macros", cyc[0]}, "macros reference each other in a cycle: %s", strings.Join(cyc, " -> "))
	}
}

func (c *Config) isBuiltin(name string) bool {
	for _, v := range c.Vars {
		if v.Macro == name {
			return true
		}
	}
	for _, lists := range [][]string{NodeMacros, ServiceMacros, {"CONFIG_DIR"}} {
		for _, n := range lists {
			if n == name {
				return true
			}
		}
	}
	for _, s := range c.Services {
		for _, n := range ServiceMacroNames(s) {
			if n == name {
				return true
			}
		}
	}
	return false
}

// refs checks the macro references of one string field.
func (l *loader) refs(s string, scope macroScope, what string, key ...string) {
	for _, ref := range MacroRefs(s) {
		if !l.cfg.knownMacro(ref, scope) {
			hint := ""
			if scope == scopeVars {
				hint = " (this field is read before the node is known: vars and CONFIG_DIR only)"
			}
			l.errAt(key, "%s: unknown macro @@%s@@%s", what, ref, hint)
		}
	}
}

func (l *loader) checkService(s *Service) {
	cfg := l.cfg
	key := []string{"services", s.ID}
	at := func(k ...string) []string { return append(append([]string(nil), key...), k...) }
	what := "service " + strconv.Quote(s.ID)

	for _, w := range s.Waits {
		if w.Service == s.ID {
			l.errAt(at("wait"), "%s waits for itself", what)
		} else if _, ok := cfg.Services[w.Service]; !ok {
			l.errAt(at("wait"), "%s waits for unknown service %q", what, w.Service)
		}
	}
	for _, r := range s.RestartWith {
		if _, ok := cfg.Services[r]; !ok || r == s.ID {
			l.errAt(at("restart_with"), "%s: restart_with names unknown service %q", what, r)
		}
	}
	if s.Kind == "zookeeper" {
		if s.Port == 0 || s.Ports["peer"] == 0 || s.Ports["election"] == 0 {
			l.errAt(key, "%s of kind zookeeper needs port and ports.peer and ports.election (for the ensemble lines)", what)
		}
	}

	for i, c := range s.Command {
		l.refs(c, scopeService, what+" command", at("command", idx(i))...)
	}
	l.refs(s.Dir, scopeService, what+" dir", at("dir")...)
	l.refs(s.User, scopeService, what+" user", at("user")...)
	l.refs(s.Group, scopeService, what+" group", at("group")...)
	for k, v := range s.Env {
		l.refs(v, scopeService, what+" env "+k, at("env", k)...)
	}
	p := s.Ready
	for _, f := range []struct{ v, name string }{{p.Address, "address"}, {p.URL, "url"}, {p.ZKConnect, "zk_connect"}, {p.BrokerID, "broker_id"}} {
		l.refs(f.v, scopeService, what+" ready "+f.name, at("ready", f.name)...)
	}
	for i, c := range p.Command {
		l.refs(c, scopeService, what+" ready command", at("ready", "command", idx(i))...)
	}
	l.refs(s.DataDir, scopeVars, what+" data_dir", at("data_dir")...)
	for i, c := range s.IDChecks {
		l.refs(c.File, scopeVars, what+" id_check file", at("id_check", idx(i), "file")...)
	}
	for i, t := range s.Templates {
		tk := at("templates", idx(i))
		l.refs(t.Dst, scopeService, what+" template dst", append(tk, "dst")...)
		l.refs(t.Owner, scopeService, what+" template owner", append(tk, "owner")...)
		l.refs(t.Group, scopeService, what+" template group", append(tk, "group")...)
	}
}

// checkCycles finds a wait cycle anywhere in the service graph; waits are
// cluster-wide, so a cycle across nodes deadlocks as surely as a local one.
func (l *loader) checkCycles() {
	deps := map[string][]string{}
	for id, s := range l.cfg.Services {
		for _, w := range s.Waits {
			if _, ok := l.cfg.Services[w.Service]; ok && w.Service != id {
				deps[id] = append(deps[id], w.Service)
			}
		}
	}
	if cyc := findCycle(l.cfg.ServiceOrder, deps); cyc != nil {
		l.errAt([]string{"services", cyc[0], "wait"}, "services wait for each other in a cycle: %s", strings.Join(cyc, " -> "))
	}
}

// findCycle returns a dependency cycle as a path that starts and ends with
// the same node, or nil. Nodes are visited in the given order so the cycle
// printed is stable.
func findCycle(order []string, deps map[string][]string) []string {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var found []string
	var visit func(n string) bool
	visit = func(n string) bool {
		color[n] = grey
		stack = append(stack, n)
		for _, d := range deps[n] {
			switch color[d] {
			case grey:
				for i, s := range stack {
					if s == d {
						found = append(append([]string(nil), stack[i:]...), d)
						return true
					}
				}
			case white:
				if visit(d) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
		return false
	}
	for _, n := range order {
		if color[n] == white && visit(n) {
			return found
		}
	}
	return nil
}

func (l *loader) checkConfig(cc *ClusterConfig) {
	cfg := l.cfg
	key := []string{"configs", cc.ID}
	what := "config " + strconv.Quote(cc.ID)
	if len(cc.Roles) == 0 {
		l.errAt(key, "%s maps no role to services", what)
	}
	if cc.Flavor != "" {
		if _, ok := cfg.Flavors[cc.Flavor]; !ok {
			l.errAt(append(key, "flavor"), "%s: unknown flavor %q%s", what, cc.Flavor, choices(keys(cfg.Flavors)))
		}
	}
	inConfig := map[string]bool{}
	kinds := map[string]string{}
	for _, role := range cc.RoleOrder {
		rk := append(append([]string(nil), key...), "roles", role)
		if _, ok := cfg.Roles[role]; !ok {
			l.errAt(rk, "%s: unknown role %q%s", what, role, choices(cfg.RoleOrder))
		}
		seen := map[string]bool{}
		var share float64
		var parts []string
		ports := map[int]string{}
		for _, sid := range cc.Roles[role] {
			s, ok := cfg.Services[sid]
			if !ok {
				l.errAt(rk, "%s: role %q runs unknown service %q%s", what, role, sid, choices(cfg.ServiceOrder))
				continue
			}
			if seen[sid] {
				l.errAt(rk, "%s: role %q lists service %q twice", what, role, sid)
				continue
			}
			seen[sid] = true
			inConfig[sid] = true
			if s.Kind != "" {
				if other, dup := kinds[s.Kind]; dup && other != sid {
					l.errAt(rk, "%s: services %q and %q are both of kind %s; cluster macros need one", what, other, sid, s.Kind)
				}
				kinds[s.Kind] = sid
			}
			sh := cc.Share(s)
			share += sh
			if sh > 0 {
				parts = append(parts, sid+" "+Percent(sh))
			}
			for _, p := range servicePorts(s) {
				if other, dup := ports[p.port]; dup {
					l.errAt(rk, "%s: role %q: port %d is used by both %s and %s", what, role, p.port, other, sid+p.label)
				}
				ports[p.port] = sid + p.label
			}
		}
		if share > 1+1e-9 {
			l.errAt(rk, "%s: role %q: memory shares add up to %s (%s), more than 100%% of the container memory limit",
				what, role, Percent(round4(share)), strings.Join(parts, " + "))
		}
	}
	for sid := range cc.MemoryShares {
		if !inConfig[sid] {
			l.errAt(append(key, "memory_shares", sid), "%s: memory_shares names %q, which no role of this config runs", what, sid)
		}
	}
	// A wait on a service that no role of this config runs can never finish.
	for _, role := range cc.RoleOrder {
		for _, sid := range cc.Roles[role] {
			s, ok := cfg.Services[sid]
			if !ok {
				continue
			}
			for _, w := range s.Waits {
				if _, known := cfg.Services[w.Service]; known && !inConfig[w.Service] {
					l.errAt(append(append([]string(nil), key...), "roles", role), "%s: service %q waits for %q, which no role of this config runs", what, sid, w.Service)
				}
			}
		}
	}
}

type labelledPort struct {
	port  int
	label string
}

func servicePorts(s *Service) []labelledPort {
	var out []labelledPort
	if s.Port != 0 {
		out = append(out, labelledPort{s.Port, ""})
	}
	for _, name := range sortedKeys(s.Ports) {
		out = append(out, labelledPort{s.Ports[name], " (" + name + ")"})
	}
	return out
}

func round4(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 4, 64), 64)
	return v
}

func choices(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return " (known: " + strings.Join(names, ", ") + ")"
}

func keys[V any](m map[string]V) []string { return sortedKeys(m) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
