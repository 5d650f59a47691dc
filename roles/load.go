package roles

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/kinit/kinit/internal/sigtab"
)

// Defaults used when neither a service nor [defaults] sets a value.
const (
	DefaultWaitTimeout  = 5 * time.Minute
	DefaultGrace        = 30 * time.Second
	DefaultInterval     = time.Second
	DefaultProbeTimeout = 5 * time.Second
	DefaultStartTimeout = 5 * time.Minute
	// DefaultCheckInterval: a ready service is probed again this often.
	DefaultCheckInterval = 10 * time.Second
	DefaultBackoffMin    = time.Second
	DefaultBackoffMax    = 30 * time.Second
	DefaultResetAfter    = time.Minute
	DefaultHeapRatio     = 0.5
	DefaultOrdinalOffset = 1
	DefaultIDFile        = "kinit-node-id"
)

var (
	reVarName     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	reMacroName   = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	reID          = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	reEnvName     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	rePortName    = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	reDecodeLine  = regexp.MustCompile(`^line (\d+) \(last key "[^"]*"\): `)
	reservedNames = []string{"role", "config", "config_id", "node_id", "fqdn", "nodes", "nodes_file",
		"socket", "log_format", "flavor", "metrics_interval", "cgroup_root"}
)

// Load reads and validates a kinit.toml. Every problem found is returned at
// once (see Problems), each an *Error with the file and line.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		c := &Collector{}
		c.Add(path, 0, "cannot read config: %v", errors.Unwrap(err))
		return nil, c.Err()
	}
	return Parse(path, data)
}

// Parse validates a kinit.toml held in memory; file names it in messages and
// sets CONFIG_DIR.
func Parse(file string, data []byte) (*Config, error) {
	c := &Collector{}
	var raw rawFile
	md, err := toml.NewDecoder(strings.NewReader(string(data))).Decode(&raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			c.Add(file, pe.Position.Line, "%s", strings.TrimPrefix(pe.Message, "toml: "))
		} else {
			// Decode (type) errors carry the line only in their text.
			msg, line := strings.TrimPrefix(err.Error(), "toml: "), 0
			if m := reDecodeLine.FindStringSubmatch(msg); m != nil {
				line, _ = strconv.Atoi(m[1])
				msg = msg[len(m[0]):]
			}
			c.Add(file, line, "%s", msg)
		}
		return nil, c.Err()
	}
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		dir = filepath.Dir(file)
	}
	cfg := &Config{File: file, Dir: dir, pos: scanPositions(data)}
	l := &loader{cfg: cfg, c: c, md: md}
	for _, k := range md.Undecoded() {
		c.Add(file, cfg.pos.line(l.keyPath(k)...), "unknown key %q", k.String())
	}
	l.checkKeyCase()
	l.order()
	l.convert(&raw)
	l.validate()
	if err := c.Err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

type loader struct {
	cfg *Config
	c   *Collector
	md  toml.MetaData
}

// keyPath turns a MetaData key into the path positions uses. MetaData does
// not number the elements of arrays of tables; positions then falls back to
// the array's first line, which still points at the right table.
func (l *loader) keyPath(k toml.Key) []string { return []string(k) }

// errAt records a problem at the line of a key path.
func (l *loader) errAt(key []string, format string, a ...any) {
	l.c.Add(l.cfg.File, l.cfg.pos.line(key...), format, a...)
}

func (l *loader) line(key ...string) int { return l.cfg.pos.line(key...) }

// order records the declaration order of roles, services and configs, which
// sets tie-breaks in start order and the order of printed plans.
func (l *loader) order() {
	seen := map[string]bool{}
	for _, k := range l.md.Keys() {
		if !l.isTableOfIDs(k[0], seen) || len(k) < 2 {
			continue
		}
		key := k[0] + "." + k[1]
		if seen[key] {
			continue
		}
		seen[key] = true
		switch k[0] {
		case "roles":
			l.cfg.RoleOrder = append(l.cfg.RoleOrder, k[1])
		case "services":
			l.cfg.ServiceOrder = append(l.cfg.ServiceOrder, k[1])
		case "configs":
			l.cfg.ConfigOrder = append(l.cfg.ConfigOrder, k[1])
		}
	}
}

// isTableOfIDs is false for roles, services or configs written as anything
// but tables ([[services]] is a common slip): that is reported once, and
// their keys are not taken as ids.
func (l *loader) isTableOfIDs(top string, reported map[string]bool) bool {
	if top != "roles" && top != "services" && top != "configs" {
		return true
	}
	t := l.md.Type(top)
	if t == "Hash" || t == "" { // "" is a table only named by its subtables
		return true
	}
	if !reported["!"+top] {
		reported["!"+top] = true
		got := "a plain value"
		if t == "ArrayHash" {
			got = "an array of tables [[" + top + "]]"
		}
		l.errAt([]string{top}, "%s must be tables [%s.ID], not %s", top, top, got)
	}
	return false
}

func (l *loader) duration(f flex, def time.Duration, key ...string) time.Duration {
	if !f.set {
		return def
	}
	d, err := parseDuration(f)
	if err != nil {
		l.errAt(key, "%s: %v", key[len(key)-1], err)
		return def
	}
	return d
}

func (l *loader) convert(raw *rawFile) {
	cfg := l.cfg
	cfg.Cluster = Cluster{Name: "kafka", ZookeeperChroot: raw.Cluster.ZookeeperChroot, NodesFile: raw.Cluster.NodesFile}
	if raw.Cluster.Name != nil {
		cfg.Cluster.Name = *raw.Cluster.Name
		if *raw.Cluster.Name == "" {
			l.errAt([]string{"cluster", "name"}, "cluster name must not be empty")
		}
	}
	if ch := cfg.Cluster.ZookeeperChroot; ch != "" && (!strings.HasPrefix(ch, "/") || strings.HasSuffix(ch, "/")) {
		l.errAt([]string{"cluster", "zookeeper_chroot"}, "zookeeper_chroot %q must start with / and not end with /", ch)
	}

	for name, value := range raw.Vars {
		key := []string{"vars", name}
		if !reVarName.MatchString(name) {
			l.errAt(key, "var name %q must be lower case letters, digits and _", name)
			continue
		}
		for _, r := range reservedNames {
			if name == r {
				l.errAt(key, "var name %q is reserved: KINIT_%s is a kinit setting", name, strings.ToUpper(r))
			}
		}
		m := strings.ToUpper(name)
		cfg.Vars = append(cfg.Vars, Var{Name: name, Macro: m, Env: "KINIT_" + m, Value: value, Line: l.line(key...)})
	}
	sort.Slice(cfg.Vars, func(i, j int) bool { return cfg.Vars[i].Name < cfg.Vars[j].Name })

	for name, value := range raw.Macros {
		key := []string{"macros", name}
		if !reMacroName.MatchString(name) {
			l.errAt(key, "macro name %q must be upper case letters, digits and _", name)
			continue
		}
		cfg.Macros = append(cfg.Macros, UserMacro{Name: name, Value: value, Line: l.line(key...)})
	}
	sort.Slice(cfg.Macros, func(i, j int) bool { return cfg.Macros[i].Name < cfg.Macros[j].Name })

	cfg.Identity = Identity{Ordinal: "auto", OrdinalOffset: DefaultOrdinalOffset, IDFile: DefaultIDFile}
	if o := raw.Identity.Ordinal; o != nil {
		cfg.Identity.Ordinal = *o
		if *o != "auto" && *o != "on" && *o != "off" {
			l.errAt([]string{"identity", "ordinal"}, "ordinal must be \"auto\", \"on\" or \"off\", got %q", *o)
		}
	}
	if o := raw.Identity.OrdinalOffset; o != nil {
		cfg.Identity.OrdinalOffset = *o
		if *o < 0 {
			l.errAt([]string{"identity", "ordinal_offset"}, "ordinal_offset must not be negative, got %d", *o)
		}
	}
	if f := raw.Identity.IDFile; f != nil {
		cfg.Identity.IDFile = *f
		if *f == "" || strings.ContainsRune(*f, '/') || *f == "." || *f == ".." {
			l.errAt([]string{"identity", "id_file"}, "id_file must be a plain file name, got %q", *f)
		}
	}

	cfg.Resources = Resources{HeapRatio: DefaultHeapRatio, Flavor: raw.Resources.Flavor}
	if r := raw.Resources.HeapRatio; r != nil {
		cfg.Resources.HeapRatio = *r
		if *r <= 0 || *r > 1 {
			l.errAt([]string{"resources", "heap_ratio"}, "heap_ratio must be in (0, 1], got %v", *r)
		}
	}

	cfg.Flavors = map[string]Flavor{}
	for name, f := range raw.Flavors {
		key := []string{"flavors", name}
		fl := Flavor{Name: name}
		if !f.Memory.set {
			l.errAt(key, "flavor %q: memory is required", name)
		} else if n, err := parseSizeFlex(f.Memory); err != nil {
			l.errAt(append(key, "memory"), "flavor %q: memory: %v", name, err)
		} else if n <= 0 {
			l.errAt(append(key, "memory"), "flavor %q: memory must be positive", name)
		} else {
			fl.MemoryBytes = n
		}
		if f.CPUs == nil || *f.CPUs <= 0 {
			l.errAt(append(key, "cpus"), "flavor %q: cpus must be a positive number", name)
		} else {
			fl.CPUs = *f.CPUs
		}
		cfg.Flavors[name] = fl
	}

	cfg.Roles = map[string]*Role{}
	for name, r := range raw.Roles {
		key := []string{"roles", name}
		if !reID.MatchString(name) {
			l.errAt(key, "role name %q must be lower case letters, digits, - and _", name)
		}
		role := &Role{Name: name, Cardinality: r.Cardinality, OrdinalOffset: r.OrdinalOffset, Line: l.line(key...), Max: -1}
		if r.Cardinality == "" {
			role.Cardinality = "0+"
		}
		var err error
		if role.Min, role.Max, err = parseCardinality(role.Cardinality); err != nil {
			l.errAt(append(key, "cardinality"), "role %q: %v", name, err)
		}
		if r.OrdinalOffset != nil && *r.OrdinalOffset < 0 {
			l.errAt(append(key, "ordinal_offset"), "role %q: ordinal_offset must not be negative", name)
		}
		cfg.Roles[name] = role
	}

	def := l.defaults(&raw.Defaults)
	cfg.Services = map[string]*Service{}
	for id, rs := range raw.Services {
		rs := rs
		cfg.Services[id] = l.service(id, &rs, def)
	}

	cfg.Configs = map[string]*ClusterConfig{}
	for id, rc := range raw.Configs {
		key := []string{"configs", id}
		cc := &ClusterConfig{ID: id, Description: rc.Description, Roles: map[string][]string{},
			Flavor: rc.Flavor, MemoryShares: map[string]float64{}, Line: l.line(key...)}
		for role, svcs := range rc.Roles {
			cc.Roles[role] = svcs
		}
		cc.RoleOrder = l.subOrder("configs", id, "roles")
		for sid, f := range rc.MemoryShares {
			v, err := parseShare(f)
			if err != nil {
				l.errAt(append(key, "memory_shares", sid), "config %q: memory_shares.%s: %v", id, sid, err)
				continue
			}
			cc.MemoryShares[sid] = v
		}
		cfg.Configs[id] = cc
	}

	for i, a := range raw.Autogen {
		cfg.Autogen = append(cfg.Autogen, Autogen{Replace: a.Replace, Pattern: a.Pattern, Macro: a.Macro,
			Line: l.line("autogen", idx(i))})
	}
}

// subOrder lists the keys directly under a table path in written order.
func (l *loader) subOrder(path ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range l.md.Keys() {
		if len(k) < len(path)+1 {
			continue
		}
		match := true
		for i := range path {
			if k[i] != path[i] {
				match = false
				break
			}
		}
		if match && !seen[k[len(path)]] {
			seen[k[len(path)]] = true
			out = append(out, k[len(path)])
		}
	}
	return out
}

// serviceDefaults are the [defaults] table after conversion.
type serviceDefaults struct {
	waitTimeout time.Duration
	grace       time.Duration
	signal      string
	restart     Restart
	ready       Probe
}

func (l *loader) defaults(d *rawDefaults) serviceDefaults {
	out := serviceDefaults{
		waitTimeout: l.duration(d.WaitTimeout, DefaultWaitTimeout, "defaults", "wait_timeout"),
		grace:       l.duration(d.Grace, DefaultGrace, "defaults", "grace"),
		signal:      "SIGTERM",
	}
	if d.StopSignal != "" {
		name, _, err := ParseSignal(d.StopSignal)
		if err != nil {
			l.errAt([]string{"defaults", "stop_signal"}, "stop_signal: %v", err)
		} else {
			out.signal = name
		}
	}
	base := Restart{Policy: "on-failure", BackoffMin: DefaultBackoffMin, BackoffMax: DefaultBackoffMax,
		ResetAfter: DefaultResetAfter}
	out.restart = l.restart(&d.Restart, base, "defaults", "restart")
	out.ready = Probe{
		Interval:     l.duration(d.Ready.Interval, DefaultInterval, "defaults", "ready", "interval"),
		Timeout:      l.duration(d.Ready.Timeout, DefaultProbeTimeout, "defaults", "ready", "timeout"),
		StartTimeout: l.duration(d.Ready.StartTimeout, DefaultStartTimeout, "defaults", "ready", "start_timeout"),
		Health:       l.health(&d.Ready, Health{CheckInterval: DefaultCheckInterval}, "defaults", "ready"),
	}
	return out
}

// health reads check_interval, failure_threshold and on_unhealthy over base.
func (l *loader) health(t *rawTiming, base Health, key ...string) Health {
	h := base
	at := func(k string) []string { return append(append([]string{}, key...), k) }
	h.CheckInterval = l.duration(t.CheckInterval, base.CheckInterval, at("check_interval")...)
	if t.FailureThreshold != nil {
		if *t.FailureThreshold < 1 {
			l.errAt(at("failure_threshold"), "failure_threshold must be at least 1, got %d", *t.FailureThreshold)
		} else {
			h.FailureThreshold = *t.FailureThreshold
		}
	}
	switch t.OnUnhealthy {
	case "":
	case "none":
		h.OnUnhealthy = ""
	case "restart":
		h.OnUnhealthy = "restart"
	default:
		l.errAt(at("on_unhealthy"), "on_unhealthy must be \"none\" or \"restart\", got %q", t.OnUnhealthy)
	}
	return h
}

func (l *loader) restart(r *rawRestart, base Restart, key ...string) Restart {
	out := base
	if r.Policy != "" {
		switch r.Policy {
		case "always", "on-failure", "never":
			out.Policy = r.Policy
		default:
			l.errAt(append(key, "policy"), "restart policy must be always, on-failure or never, got %q", r.Policy)
		}
	}
	out.BackoffMin = l.duration(r.BackoffMin, base.BackoffMin, append(key, "backoff_min")...)
	out.BackoffMax = l.duration(r.BackoffMax, base.BackoffMax, append(key, "backoff_max")...)
	out.ResetAfter = l.duration(r.ResetAfter, base.ResetAfter, append(key, "reset_after")...)
	if r.Budget != nil {
		out.Budget = *r.Budget
		if *r.Budget < 0 {
			l.errAt(append(key, "budget"), "restart budget must not be negative, got %d", *r.Budget)
		}
	}
	if out.BackoffMax < out.BackoffMin {
		l.errAt(append(key, "backoff_max"), "backoff_max %v is below backoff_min %v", out.BackoffMax, out.BackoffMin)
	}
	return out
}

var kinds = map[string]bool{"": true, "zookeeper": true, "kafka": true, "schema-registry": true, "control-center": true}

// Default env prefixes by kind (the Confluent image convention).
var kindPrefix = map[string]string{
	"zookeeper": "ZOOKEEPER_", "kafka": "KAFKA_", "schema-registry": "SCHEMA_REGISTRY_", "control-center": "CONTROL_CENTER_",
}

func (l *loader) service(id string, rs *rawService, def serviceDefaults) *Service {
	key := []string{"services", id}
	at := func(k ...string) []string { return append(append([]string(nil), key...), k...) }
	s := &Service{ID: id, Name: rs.Name, Kind: rs.Kind, Port: rs.Port, Ports: rs.Ports,
		Command: rs.Command, Dir: rs.Dir, User: rs.User, Group: rs.Group, Env: rs.Env,
		PropertyPrefix: rs.PropPrefix, KnownKeys: rs.KnownKeys, Required: rs.Required,
		RestartWith: rs.RestartWith, DataDir: rs.DataDir, Line: l.line(key...)}
	if !reID.MatchString(id) {
		l.errAt(key, "service id %q must be lower case letters, digits, - and _", id)
	}
	if s.Name == "" {
		s.Name = id
	}
	if !kinds[s.Kind] {
		l.errAt(at("kind"), "service %q: unknown kind %q (want zookeeper, kafka, schema-registry, control-center or none)", id, s.Kind)
	}
	if s.Ports == nil {
		s.Ports = map[string]int{}
	}
	if s.Env == nil {
		s.Env = map[string]string{}
	}
	if rs.Port < 0 || rs.Port > 65535 {
		l.errAt(at("port"), "service %q: port %d is outside 1..65535", id, rs.Port)
	}
	for name, p := range rs.Ports {
		if !rePortName.MatchString(name) {
			l.errAt(at("ports", name), "service %q: port name %q must be lower case", id, name)
		}
		if p < 1 || p > 65535 {
			l.errAt(at("ports", name), "service %q: port %s = %d is outside 1..65535", id, name, p)
		}
	}
	if len(rs.Command) == 0 || rs.Command[0] == "" {
		l.errAt(key, "service %q: command is required", id)
	}
	for _, c := range rs.Capabilities {
		name, err := parseCapability(c)
		if err != nil {
			l.errAt(at("capabilities"), "service %q: %v", id, err)
			continue
		}
		s.Capabilities = append(s.Capabilities, name)
	}
	for k := range rs.Env {
		if !reEnvName.MatchString(k) {
			l.errAt(at("env", k), "service %q: %q is not a valid environment variable name", id, k)
		}
	}
	if rs.EnvPrefix != nil {
		s.EnvPrefix = *rs.EnvPrefix
	} else {
		s.EnvPrefix = kindPrefix[s.Kind]
	}
	for _, name := range rs.PassEnv {
		if !reEnvName.MatchString(strings.TrimSuffix(name, "*")) {
			l.errAt(at("pass_env"), "service %q: pass_env %q is not a variable name (or a prefix ending in *)", id, name)
		}
	}
	s.PassEnv = rs.PassEnv
	if s.EnvPrefix != "" && (!reEnvName.MatchString(s.EnvPrefix) || !strings.HasSuffix(s.EnvPrefix, "_")) {
		l.errAt(at("env_prefix"), "service %q: env_prefix %q must be a variable name prefix ending in _", id, s.EnvPrefix)
	}
	if s.KnownKeys == "" {
		s.KnownKeys = s.Kind
	}

	for _, w := range rs.Wait {
		ws := WaitSpec{Service: w, Timeout: def.waitTimeout}
		if rw, ok := rs.Waits[w]; ok {
			ws.Timeout = l.duration(rw.Timeout, def.waitTimeout, at("waits", w, "timeout")...)
			if rw.Min.set {
				m, err := parseMin(rw.Min)
				if err != nil {
					l.errAt(at("waits", w, "min"), "service %q: waits.%s.min: %v", id, w, err)
				}
				ws.Min = m
			}
		}
		s.Waits = append(s.Waits, ws)
	}
	for w := range rs.Waits {
		found := false
		for _, x := range rs.Wait {
			found = found || x == w
		}
		if !found {
			l.errAt(at("waits", w), "service %q: waits.%s tunes a wait that is not in wait = [...]", id, w)
		}
	}

	p := rs.Ready
	s.Ready = Probe{Kind: p.Kind, Address: p.Address, URL: p.URL, Command: p.Command, ZKConnect: p.ZKConnect,
		BrokerID: p.BrokerID, Mode: p.Mode,
		Interval:     l.duration(p.Interval, def.ready.Interval, at("ready", "interval")...),
		Timeout:      l.duration(p.Timeout, def.ready.Timeout, at("ready", "timeout")...),
		StartTimeout: l.duration(p.StartTimeout, def.ready.StartTimeout, at("ready", "start_timeout")...),
		Health:       l.health(&p.rawTiming, def.ready.Health, at("ready")...)}
	l.probe(id, &s.Ready, at("ready"))

	s.Restart = l.restart(&rs.Restart, def.restart, at("restart")...)
	s.StopSignal = def.signal
	if rs.StopSignal != "" {
		name, sig, err := ParseSignal(rs.StopSignal)
		if err != nil {
			l.errAt(at("stop_signal"), "service %q: stop_signal: %v", id, err)
		}
		s.StopSignal, s.Signal = name, sig
	}
	if s.Signal == 0 {
		_, s.Signal, _ = ParseSignal(s.StopSignal)
	}
	for _, f := range rs.ForwardSigs {
		sig, err := sigtab.Parse(f)
		switch {
		case err != nil:
			l.errAt(at("forward_signals"), "service %q: forward_signals: %v", id, err)
		case !sig.Forward:
			l.errAt(at("forward_signals"), "service %q: forward_signals: %s cannot be forwarded (only %s can; SIGTERM and SIGINT stop kinit)",
				id, sig.Name, strings.Join(sigtab.Forwardable(), ", "))
		case !slices.Contains(s.ForwardSignals, sig.Name):
			s.ForwardSignals = append(s.ForwardSignals, sig.Name)
		}
	}
	s.Grace = l.duration(rs.Grace, def.grace, at("grace")...)

	if rs.MemoryShare.set {
		v, err := parseShare(rs.MemoryShare)
		if err != nil {
			l.errAt(at("memory_share"), "service %q: memory_share: %v", id, err)
		}
		s.MemoryShare = v
	}
	s.HeapRatio = l.cfg.Resources.HeapRatio
	if rs.HeapRatio != nil {
		s.HeapRatio = *rs.HeapRatio
		if *rs.HeapRatio <= 0 || *rs.HeapRatio > 1 {
			l.errAt(at("heap_ratio"), "service %q: heap_ratio must be in (0, 1], got %v", id, *rs.HeapRatio)
		}
	}
	for _, h := range []struct {
		f    flex
		dst  *int64
		name string
	}{{rs.HeapMin, &s.HeapMin, "heap_min"}, {rs.HeapMax, &s.HeapMax, "heap_max"}} {
		if !h.f.set {
			continue
		}
		n, err := parseSizeFlex(h.f)
		if err != nil {
			l.errAt(at(h.name), "service %q: %s: %v", id, h.name, err)
		}
		*h.dst = n
	}
	if s.HeapMax > 0 && s.HeapMin > s.HeapMax {
		l.errAt(at("heap_min"), "service %q: heap_min %s is above heap_max %s", id, MiB(s.HeapMin), MiB(s.HeapMax))
	}

	for i, c := range rs.IDCheck {
		if c.File == "" {
			l.errAt(at("id_check", idx(i)), "service %q: id_check needs a file", id)
		}
		s.IDChecks = append(s.IDChecks, IDCheck(c))
	}
	if len(rs.IDCheck) > 0 && rs.DataDir == "" {
		l.errAt(at("id_check"), "service %q: id_check needs data_dir", id)
	}

	props := 0
	for i, t := range rs.Templates {
		tk := at("templates", idx(i))
		tp := Template{Src: t.Src, Dst: t.Dst, Owner: t.Owner, Group: t.Group, Mode: 0o644, Properties: t.Properties, Line: l.line(tk...)}
		if t.Src == "" || filepath.IsAbs(t.Src) || strings.HasPrefix(filepath.Clean(t.Src), "..") {
			l.errAt(append(tk, "src"), "service %q: template src %q must be a path inside the template dir", id, t.Src)
		}
		if t.Dst == "" || !(strings.HasPrefix(t.Dst, "/") || strings.HasPrefix(t.Dst, "@@")) {
			l.errAt(append(tk, "dst"), "service %q: template dst %q must be an absolute path", id, t.Dst)
		}
		if t.Mode.set {
			m, err := parseMode(t.Mode)
			if err != nil {
				l.errAt(append(tk, "mode"), "service %q: template %s: %v", id, t.Src, err)
			}
			tp.Mode = m
		}
		if t.Properties {
			props++
			if props == 2 {
				l.errAt(append(tk, "properties"), "service %q: only one template may take the env overrides (properties = true)", id)
			}
		}
		s.Templates = append(s.Templates, tp)
	}
	return s
}

var probeKinds = map[string]bool{"": true, "none": true, "tcp": true, "zookeeper": true, "kafka": true, "http": true, "exec": true}

func (l *loader) probe(id string, p *Probe, key []string) {
	if !probeKinds[p.Kind] {
		l.errAt(append(key, "kind"), "service %q: unknown probe kind %q (want tcp, zookeeper, kafka, http, exec or none)", id, p.Kind)
		return
	}
	if p.Kind == "" {
		p.Kind = "none"
	}
	need := func(ok bool, field string) {
		if !ok {
			l.errAt(key, "service %q: %s probe needs %s", id, p.Kind, field)
		}
	}
	switch p.Kind {
	case "tcp":
		need(p.Address != "", "address")
	case "zookeeper":
		need(p.Address != "", "address")
		if p.Mode == "" {
			p.Mode = "ruok"
		}
		if p.Mode != "ruok" && p.Mode != "srvr" && p.Mode != "session" {
			l.errAt(append(key, "mode"), "service %q: zookeeper probe mode must be ruok, srvr or session, got %q", id, p.Mode)
		}
	case "kafka":
		if p.Mode == "" {
			p.Mode = "zk"
		}
		switch p.Mode {
		case "zk":
			need(p.ZKConnect != "", "zk_connect")
		case "kraft":
			need(p.Address != "", "address")
		default:
			l.errAt(append(key, "mode"), "service %q: kafka probe mode must be zk or kraft, got %q", id, p.Mode)
		}
		need(p.BrokerID != "", "broker_id")
	case "http":
		need(p.URL != "", "url")
	case "exec":
		need(len(p.Command) > 0, "command")
	}
	if p.Timeout > 0 && p.Interval > 0 && p.StartTimeout > 0 && p.StartTimeout < p.Timeout {
		l.errAt(append(key, "start_timeout"), "service %q: start_timeout %v is shorter than the probe timeout %v", id, p.StartTimeout, p.Timeout)
	}
}

// MiB formats bytes as whole MiB for messages.
func MiB(b int64) string { return fmt.Sprintf("%d MiB", b>>20) }
