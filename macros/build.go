package macros

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kinit/kinit/internal/safefs"
	kplan "github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
)

// Options are the inputs of Build besides the node.
type Options struct {
	Env    roles.Env // the process environment (overrides, _FILE secrets)
	Limits Limits    // the container's limits
}

type builder struct {
	node *roles.Node
	env  roles.Env
	plan *Rendering
	errs *roles.Collector
	sec  *secured // nil on a plaintext node
}

// Build computes the plan for a resolved node: macro values, sizing, each
// service with its fields expanded, and every template rendered with its
// autogen rules and env overrides. Nothing is written. All problems are
// returned at once (see roles.Problems), each with the file and line of the
// config entry or template line it comes from.
func Build(node *roles.Node, opts Options) (*Rendering, error) {
	b := &builder{node: node, env: opts.Env, plan: &Rendering{Node: node}, errs: &roles.Collector{}}
	if b.env == nil {
		b.env = roles.Env{}
	}
	b.size(opts.Limits)
	b.sec = b.readSecurity()
	b.plan.QuorumSecurity = b.sec.controllerSecurity("")
	ns := b.nodeScope()
	b.plan.Macros = ns.vals

	dsts := map[string]string{}
	for i, s := range node.Services {
		ss := b.plan.Sizing.Services[i]
		sc := b.serviceScope(ns, s, ss)
		svc := b.service(s, sc, ss)
		var props string // the rendered properties file, if any
		for ti := range s.Templates {
			f := b.render(s, &s.Templates[ti], sc, svc)
			if f == nil {
				continue
			}
			if s.Templates[ti].Properties && props == "" {
				props = string(f.Content)
			}
			for _, f := range append([]*File{f}, b.keystoreFor(s, &s.Templates[ti], f)...) {
				if other, dup := dsts[f.Dst]; dup {
					b.errs.Add(node.Config.File, s.Templates[ti].Line, "service %s renders %s, which %s renders too", s.ID, f.Dst, other)
					continue
				}
				dsts[f.Dst] = s.ID
				b.plan.Files = append(b.plan.Files, f)
				svc.Files = append(svc.Files, f.Dst)
			}
		}
		b.probeFromProperties(s, svc, props)
		if s.Kind == "kafka" {
			svc.TLSListeners = tlsListeners(props)
		}
		if b.secures(s) {
			switch s.Kind {
			case "kafka":
				svc.PeerSecurity = b.sec.brokerSecurity("")
			case "zookeeper":
				svc.PeerSecurity = b.sec.zkSecurity("")
			case roles.KindKRaftController:
				svc.PeerSecurity = b.sec.controllerSecurity("")
			}
		}
		b.plan.Services = append(b.plan.Services, svc)
	}
	if err := b.errs.Err(); err != nil {
		return nil, err
	}
	return b.plan, nil
}

// expandField expands one config string of a service.
func (b *builder) expandField(s *roles.Service, sc *scope, v string, key ...string) string {
	out, unknown, err := sc.expand(v)
	if err != nil {
		if !sc.budget.report(err) {
			return ""
		}
		b.errs.Add(b.node.Config.File, b.node.Config.Line(append([]string{"services", s.ID}, key...)...),
			"service %s %s: %v", s.ID, strings.Join(key, "."), err)
		return ""
	}
	for _, name := range unknown {
		b.errs.Add(b.node.Config.File, b.node.Config.Line(append([]string{"services", s.ID}, key...)...),
			"service %s %s: %s", s.ID, strings.Join(key, "."), sc.explain(name))
	}
	if len(unknown) == 0 && strings.Contains(out, "@@") {
		b.errs.Add(b.node.Config.File, b.node.Config.Line(append([]string{"services", s.ID}, key...)...),
			"service %s %s: unresolved @@ left in %q", s.ID, strings.Join(key, "."), out)
	}
	return out
}

func (b *builder) service(s *roles.Service, sc *scope, ss ServiceSizing) *Service {
	n := b.node
	svc := &Service{Kind: s.Kind, Vars: map[string]string{},
		Ports: map[string]int{}, EnvPrefix: s.EnvPrefix, PassEnv: append([]string(nil), s.PassEnv...),
		MemoryShare: ss.Share, HeapBytes: ss.HeapBytes, CPUs: b.plan.Sizing.ActiveProcessorCount,
		DataDir: n.DataDirs[s.ID]}
	svc.Service = kplan.Service{ID: s.ID, Name: s.Name,
		Capabilities: append([]string(nil), s.Capabilities...), Restart: s.Restart,
		Grace: s.Grace, Required: s.Required, OneShot: s.OneShot,
		RestartWith: append([]string(nil), s.RestartWith...)}
	for k, v := range n.Ports[s.ID] {
		svc.Ports[k] = v
	}
	for i, c := range s.Command {
		svc.Argv = append(svc.Argv, b.expandField(s, sc, c, "command", "["+strconv.Itoa(i)+"]"))
	}
	svc.Dir = b.expandField(s, sc, s.Dir, "dir")
	for i, f := range s.Creates {
		svc.Creates = append(svc.Creates, b.expandField(s, sc, f, "creates", "["+strconv.Itoa(i)+"]"))
	}
	b.signals(s, svc)
	svc.User = b.expandField(s, sc, s.User, "user")
	svc.Group = b.expandField(s, sc, s.Group, "group")
	for _, k := range slices.Sorted(maps.Keys(s.Env)) {
		v := b.expandField(s, sc, s.Env[k], "env", k)
		if cur, set := b.env.Lookup(k); set {
			v = cur
		}
		svc.Vars[k] = v
		if IsSecretKey(k) {
			b.plan.masker.Add(v)
		}
	}
	svc.Probe = b.probe(s, sc)
	for _, w := range s.Waits {
		svc.Waits = append(svc.Waits, b.wait(s, w, sc))
	}
	if gate, ok := staleRegistrationGate(svc); ok {
		svc.Waits = append(svc.Waits, gate)
	}

	if s.EnvPrefix != "" {
		m, errs := MapEnv(b.env, s.EnvPrefix, s.PropertyPrefix, KnownKeys(s.KnownKeys))
		for _, e := range errs {
			b.errs.AddError(e)
		}
		svc.Overrides = m.Overrides
		rules := valueRules(s.KnownKeys)
		for _, o := range m.Overrides {
			if why := checkValue(rules, o.Key, o.Value); why != "" {
				b.errs.Add("", 0, "%s sets %s to %s: %s", o.Var, o.Key, shown(o), why)
			}
			if o.Secret {
				b.plan.masker.Add(o.Value)
			}
		}
		for _, w := range m.Warnings {
			b.plan.Warnings = append(b.plan.Warnings, "service "+s.ID+": "+w)
		}
		b.plan.Ignored = append(b.plan.Ignored, m.Ignored...)
		hasProps := false
		for _, t := range s.Templates {
			hasProps = hasProps || t.Properties
		}
		if len(m.Overrides) > 0 && !hasProps {
			b.plan.Warnings = append(b.plan.Warnings, fmt.Sprintf("service %s: %d %s* variables are set but no template of it takes overrides (properties = true)",
				s.ID, len(m.Overrides), s.EnvPrefix))
		}
	}
	return svc
}

// render reads one template, applies its autogen rules and macros line by
// line, then the env overrides.
func (b *builder) render(s *roles.Service, t *roles.Template, sc *scope, svc *Service) *File {
	n := b.node
	cfgFile := n.Config.File
	dir := n.Vars["TEMPLATE_DIR"]
	if dir == "" {
		dir = filepath.Join(n.Config.Dir, "templates")
	}
	src := filepath.Join(dir, t.Src)
	data, err := safefs.ReadRegular(src, roles.MaxTemplateSize)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			b.errs.Add(cfgFile, t.Line, "service %s: template %s not found in %s", s.ID, t.Src, dir)
		} else {
			b.errs.Add(cfgFile, t.Line, "service %s: cannot read template %s: %v", s.ID, src, unwrap(err))
		}
		return nil
	}
	// The cluster id belongs to the storage format (meta.properties), which
	// Kafka checks at every start; in a properties file it would be a
	// second copy that can disagree.
	for i, line := range strings.Split(string(data), "\n") {
		if slices.Contains(roles.MacroRefs(line), "CLUSTER_ID") {
			b.errs.Add(src, i+1, "@@CLUSTER_ID@@ may not appear in a template: the cluster id goes to the storage format command (kafka-storage format --cluster-id), never into a file")
		}
	}
	f := &File{Service: s.ID, Src: src, Template: t.Src, Mode: t.Mode}
	key := []string{"templates", "[" + strconv.Itoa(indexOf(s, t)) + "]"}
	f.Dst = b.expandField(s, sc, t.Dst, append(key, "dst")...)
	f.Owner = b.expandField(s, sc, t.Owner, append(key, "owner")...)
	f.Group = b.expandField(s, sc, t.Group, append(key, "group")...)
	if !strings.HasPrefix(f.Dst, "/") && !strings.Contains(f.Dst, "@@") {
		b.errs.Add(cfgFile, t.Line, "service %s: template %s renders to %q, not an absolute path", s.ID, t.Src, f.Dst)
	}

	var rules []roles.Autogen
	for _, r := range n.Config.Autogen {
		if r.Replace == t.Src {
			rules = append(rules, r)
		}
	}
	if t.Properties && b.secures(s) {
		svc.Overrides = underOverrides(b.ownOverrides(s, f), svc.Overrides)
	}
	if t.Properties && s.Kind == "kafka" {
		b.warnAdvertisedOverride(s, sc, svc.Overrides)
	}
	if t.Properties {
		b.checkTemplateValues(src, string(data), s.KnownKeys, sc, svc.Overrides)
	}
	text, errs, unmatched := renderText(src, string(data), rules, sc, cfgFile)
	for _, e := range errs {
		b.errs.AddError(e)
	}
	for _, r := range unmatched {
		b.plan.Warnings = append(b.plan.Warnings, fmt.Sprintf("%s:%d: autogen pattern %q never occurs in template %s", cfgFile, r.Line, r.Pattern, t.Src))
	}
	if t.Properties {
		text = ApplyOverrides(text, svc.Overrides)
	}
	f.Content = []byte(text)
	b.guardSecret(f, t, svc)
	return f
}

func indexOf(s *roles.Service, t *roles.Template) int {
	for i := range s.Templates {
		if &s.Templates[i] == t {
			return i
		}
	}
	return 0
}

// renderText applies autogen rules, then macros, line by line, so that every
// problem names its template line. It returns the rules whose pattern never
// occurs.
func renderText(src, text string, rules []roles.Autogen, sc *scope, cfgFile string) (string, []error, []roles.Autogen) {
	var errs []error
	add := func(line int, format string, a ...any) {
		errs = append(errs, &roles.Error{File: src, Line: line, Msg: fmt.Sprintf(format, a...)})
	}
	matched := make([]bool, len(rules))
	lines := strings.Split(text, "\n")
	size := 0
lines:
	for i, line := range lines {
		for ri, r := range rules {
			if r.Pattern == "" || !strings.Contains(line, r.Pattern) {
				continue
			}
			matched[ri] = true
			v, ok := sc.lookup(r.Macro)
			if !ok {
				add(i+1, "autogen rule (%s:%d) %s -> %s: %s", cfgFile, r.Line, r.Pattern, r.Macro, sc.explain(r.Macro))
				continue
			}
			var err error
			if line, err = sc.budget.replace(line, r.Pattern, v); err != nil {
				if sc.budget.report(err) {
					add(i+1, "autogen rule (%s:%d) %s -> %s: the line %v", cfgFile, r.Line, r.Pattern, r.Macro, err)
				}
				if err == errBudget {
					return "", errs, nil
				}
				lines[i] = ""
				continue lines
			}
		}
		out, unknown, err := sc.expand(line)
		if err != nil {
			if sc.budget.report(err) {
				add(i+1, "the line %v", err)
			}
			if err == errBudget {
				return "", errs, nil
			}
			lines[i] = ""
			continue
		}
		if size += len(out) + 1; size > roles.MaxRendered {
			add(i+1, "the rendered file grows past %s here", safefs.Size(roles.MaxRendered))
			return "", errs, nil
		}
		for _, name := range unknown {
			add(i+1, "%s", sc.explain(name))
		}
		if len(unknown) == 0 && strings.Contains(out, "@@") {
			add(i+1, "unresolved @@ left in output: %q", out)
		}
		lines[i] = out
	}
	var unmatched []roles.Autogen
	for ri, r := range rules {
		if !matched[ri] {
			unmatched = append(unmatched, r)
		}
	}
	return strings.Join(lines, "\n"), errs, unmatched
}
