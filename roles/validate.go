package roles

import (
	"github.com/kinit/kinit/internal/tomlpos"
	"maps"
	"slices"
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
			l.errAt([]string{"resources", "flavor"}, "unknown flavor %q%s", f, choices(slices.Sorted(maps.Keys(cfg.Flavors))))
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
		key := []string{"autogen", tomlpos.Index(i)}
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
	if cyc := findCycle(slices.Sorted(maps.Keys(deps)), deps); cyc != nil {
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
	if cyc := findCycle(slices.Sorted(maps.Keys(deps)), deps); cyc != nil {
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
		l.refs(c, scopeService, what+" command", at("command", tomlpos.Index(i))...)
	}
	l.refs(s.Dir, scopeService, what+" dir", at("dir")...)
	l.refs(s.User, scopeService, what+" user", at("user")...)
	l.refs(s.Group, scopeService, what+" group", at("group")...)
	for k, v := range s.Env {
		l.refs(v, scopeService, what+" env "+k, at("env", k)...)
	}
	p := s.Ready
	for _, f := range []struct{ v, name string }{{p.Address, "address"}, {p.ZKConnect, "zk_connect"}, {p.BrokerID, "broker_id"}} {
		l.refs(f.v, scopeService, what+" ready "+f.name, at("ready", f.name)...)
	}
	for i, c := range p.Command {
		l.refs(c, scopeService, what+" ready command", at("ready", "command", tomlpos.Index(i))...)
	}
	for i, u := range p.URLs {
		l.refs(u, scopeService, what+" ready url", at(append([]string{"ready"}, URLKey(i, len(p.URLs))...)...)...)
	}
	l.refs(s.DataDir, scopeVars, what+" data_dir", at("data_dir")...)
	for i, c := range s.IDChecks {
		l.refs(c.File, scopeVars, what+" id_check file", at("id_check", tomlpos.Index(i), "file")...)
	}
	for i, t := range s.Templates {
		tk := at("templates", tomlpos.Index(i))
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

func choices(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return " (known: " + strings.Join(names, ", ") + ")"
}
