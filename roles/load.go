package roles

import (
	"errors"
	"github.com/kinit/kinit/internal/tomlpos"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/kinit/kinit/internal/safefs"
)

// Defaults of the node's identity and sizing. A service's defaults are
// plan's one table (plan.Default*).
const (
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
func Load(path string) (*Config, error) { return LoadFrom(path, "") }

// LoadFrom is Load for a path an operator's setting gave (EnvConfig or
// "--config", see ConfigSetting): a problem reading the file names it.
// Only a regular file of at most MaxConfigSize is read, so /dev/zero or a
// FIFO is an error, not an endless read or a hang.
func LoadFrom(path, setting string) (*Config, error) {
	data, err := safefs.ReadRegular(path, MaxConfigSize)
	if err != nil {
		c := &Collector{}
		switch setting {
		case "":
			c.Add(path, 0, "cannot read config: %v", unwrapPath(err))
		case EnvConfig:
			c.Add("", 0, "%s=%s: cannot read config: %v", setting, path, unwrapPath(err))
		default:
			c.Add("", 0, "%s %s: cannot read config: %v", setting, path, unwrapPath(err))
		}
		return nil, c.Err()
	}
	return Parse(path, data)
}

// ConfigSetting names where the config path comes from: the --config
// flag, else KINIT_CONFIG, else "" (the default path).
func ConfigSetting(flagValue string, env Env) string {
	switch {
	case flagValue != "":
		return "--config"
	case env.Get(EnvConfig) != "":
		return EnvConfig
	}
	return ""
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
	cfg := &Config{File: file, Dir: dir, pos: tomlpos.Scan(data)}
	l := &loader{cfg: cfg, c: c, md: md}
	for _, k := range md.Undecoded() {
		c.Add(file, cfg.pos.Line(l.keyPath(k)...), "unknown key %q", k.String())
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
	l.c.Add(l.cfg.File, l.cfg.pos.Line(key...), format, a...)
}

func (l *loader) line(key ...string) int { return l.cfg.pos.Line(key...) }

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
	cfg.Cluster = Cluster{Name: "kafka", ZookeeperChroot: raw.Cluster.ZookeeperChroot, NodesFile: raw.Cluster.NodesFile, TenantsFile: raw.Cluster.TenantsFile}
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
		if *o < 0 || *o > MaxNodeID {
			l.errAt([]string{"identity", "ordinal_offset"}, "ordinal_offset must be 0..%d, got %d", MaxNodeID, *o)
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
		if r.OrdinalOffset != nil && (*r.OrdinalOffset < 0 || *r.OrdinalOffset > MaxNodeID) {
			l.errAt(append(key, "ordinal_offset"), "role %q: ordinal_offset must be 0..%d, got %d", name, MaxNodeID, *r.OrdinalOffset)
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
		cc.OrdinalOffsets = map[string]int{}
		for role, off := range rc.OrdinalOffsets {
			if off < 0 || off > MaxNodeID {
				l.errAt(append(key, "ordinal_offsets", role), "config %q: ordinal_offsets.%s must be 0..%d, got %d", id, role, MaxNodeID, off)
				continue
			}
			cc.OrdinalOffsets[role] = off
		}
		cfg.Configs[id] = cc
	}

	for i, a := range raw.Autogen {
		cfg.Autogen = append(cfg.Autogen, Autogen{Replace: a.Replace, Pattern: a.Pattern, Macro: a.Macro,
			Line: l.line("autogen", tomlpos.Index(i))})
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
