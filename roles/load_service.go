// [services.ID]: one service, its probe and its templates.

package roles

import (
	"fmt"
	"github.com/kinit/kinit/internal/tomlpos"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kinit/kinit/plan"
)

var kinds = map[string]bool{"": true, "zookeeper": true, "kafka": true, KindKRaftController: true, KindSchemaRegistry: true, KindControlCenter: true, KindSCRAMAdmin: true}

// Default env prefixes by kind (the Confluent image convention).
var kindPrefix = map[string]string{
	"zookeeper": "ZOOKEEPER_", "kafka": "KAFKA_", KindKRaftController: "KAFKA_", KindSchemaRegistry: "SCHEMA_REGISTRY_", KindControlCenter: "CONTROL_CENTER_",
}

func (l *loader) service(id string, rs *rawService, def serviceDefaults) *Service {
	key := []string{"services", id}
	at := func(k ...string) []string { return append(append([]string(nil), key...), k...) }
	s := &Service{ID: id, Name: rs.Name, Kind: rs.Kind, Port: rs.Port, Ports: rs.Ports,
		Command: rs.Command, Dir: rs.Dir, User: rs.User, Group: rs.Group, Env: rs.Env,
		PropertyPrefix: rs.PropPrefix, KnownKeys: rs.KnownKeys, Required: rs.Required,
		RestartWith: rs.RestartWith, DataDir: rs.DataDir, OneShot: rs.OneShot, Creates: rs.Creates, SecuredOnly: rs.SecuredOnly,
		Line: l.line(key...)}
	if !reID.MatchString(id) {
		l.errAt(key, "service id %q must be lower case letters, digits, - and _", id)
	}
	if s.Name == "" {
		s.Name = id
	}
	if !kinds[s.Kind] {
		l.errAt(at("kind"), "service %q: unknown kind %q (want zookeeper, kafka, kraft-controller, schema-registry, control-center or none)", id, s.Kind)
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

	if !rs.OneShot && len(rs.Creates) > 0 {
		l.errAt(at("creates"), "service %q: %v", id, plan.ErrCreatesNotOneShot)
	}
	for i, f := range rs.Creates {
		// @@NAME@@ is a macro that expands to an absolute path.
		if err := plan.CheckCreate(f); err != nil && !strings.HasPrefix(f, "@@") {
			l.errAt(at("creates"), "service %q: creates[%d] %v", id, i, err)
		}
	}
	for _, w := range rs.Wait {
		ws := WaitSpec{Service: w, Timeout: def.waitTimeout}
		if rw, ok := rs.Waits[w]; ok {
			ws.Timeout = l.duration(rw.Timeout, def.waitTimeout, at("waits", w, "timeout")...)
			ws.Optional = rw.Optional
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
	s.Ready = Probe{Kind: plan.ProbeKind(p.Kind), Address: p.Address, URLs: probeURLs(p), Command: p.Command, ZKConnect: p.ZKConnect,
		BrokerID: p.BrokerID, Mode: ProbeMode(p.Mode), Trigger: p.Trigger, Notify: p.Notify,
		Interval:     l.duration(p.Interval, def.ready.Interval, at("ready", "interval")...),
		Timeout:      l.duration(p.Timeout, def.ready.Timeout, at("ready", "timeout")...),
		StartTimeout: l.duration(p.StartTimeout, def.ready.StartTimeout, at("ready", "start_timeout")...),
		Health:       l.health(&p.rawTiming, def.ready.Health, at("ready")...)}
	if p.URL != "" && len(p.URLs) > 0 {
		l.errAt(at("ready", "urls"), "service %q: ready has url and urls; set url (one) or urls (several)", id)
	}
	l.probe(id, &s.Ready, at("ready"))
	if err := plan.CheckTrigger(p.Trigger); err != nil {
		l.errAt(at("ready", "trigger"), "service %q: ready.trigger: %v", id, err)
	}
	if s.OneShot && s.Ready.Kind != ProbeNone {
		l.errAt(at("ready"), "service %q: %v", id, plan.ErrOneShotProbe)
	}

	s.Restart = l.restart(&rs.Restart, def.restart, at("restart")...)
	s.StopSignal = def.signal
	if rs.StopSignal != "" {
		sig, err := plan.ParseSignal(rs.StopSignal)
		if err != nil {
			l.errAt(at("stop_signal"), "service %q: stop_signal: %v", id, err)
		} else {
			s.StopSignal = sig.String()
		}
	}
	for _, f := range rs.ForwardSigs {
		sig, err := plan.ParseForwardSignal(f)
		switch {
		case err != nil:
			l.errAt(at("forward_signals"), "service %q: forward_signals: %v", id, err)
		case !slices.Contains(s.ForwardSignals, sig.String()):
			s.ForwardSignals = append(s.ForwardSignals, sig.String())
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
			l.errAt(at("id_check", tomlpos.Index(i)), "service %q: id_check needs a file", id)
		}
		s.IDChecks = append(s.IDChecks, IDCheck(c))
	}
	if len(rs.IDCheck) > 0 && rs.DataDir == "" {
		l.errAt(at("id_check"), "service %q: id_check needs data_dir", id)
	}

	props := 0
	for i, t := range rs.Templates {
		tk := at("templates", tomlpos.Index(i))
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

func (l *loader) probe(id string, p *Probe, key []string) {
	if p.Kind != "" && p.Kind != ProbeNone {
		if _, err := plan.ParseProbeKind(string(p.Kind)); err != nil {
			l.errAt(append(key, "kind"), "service %q: %v (or none)", id, err)
			return
		}
	}
	if p.Kind == "" {
		p.Kind = ProbeNone
	}
	need := func(ok bool, field string) {
		if !ok {
			l.errAt(key, "service %q: %s probe needs %s", id, p.Kind, field)
		}
	}
	switch p.Kind {
	case plan.ProbeTCP:
		need(p.Address != "", "address")
	case plan.ProbeZooKeeper:
		need(p.Address != "", "address")
		if p.Mode == "" {
			p.Mode = ModeRuok
		}
		if p.Mode != ModeRuok && p.Mode != ModeSrvr && p.Mode != ModeSession {
			l.errAt(append(key, "mode"), "service %q: zookeeper probe mode must be ruok, srvr or session, got %q", id, p.Mode)
		}
	case plan.ProbeKafka:
		if p.Mode == "" {
			p.Mode = ModeZK
		}
		switch p.Mode {
		case ModeZK:
			need(p.ZKConnect != "", "zk_connect")
		case ModeKRaft, ModeQuorum, ModeCombined:
			need(p.Address != "", "address")
		default:
			l.errAt(append(key, "mode"), "service %q: kafka probe mode must be zk, kraft, quorum or combined, got %q", id, p.Mode)
		}
		need(p.BrokerID != "", "broker_id")
	case plan.ProbeHTTP:
		need(len(p.URLs) > 0, "url")
	case plan.ProbeExec:
		need(len(p.Command) > 0, "command")
	}
	if p.Timeout > 0 && p.Interval > 0 && p.StartTimeout > 0 && p.StartTimeout < p.Timeout {
		l.errAt(append(key, "start_timeout"), "service %q: start_timeout %v is shorter than the probe timeout %v", id, p.StartTimeout, p.Timeout)
	}
}

// MiB formats bytes as whole MiB for messages.
func MiB(b int64) string { return fmt.Sprintf("%d MiB", b>>20) }

// probeURLs is the http probe's list: url is the one-URL spelling of urls.
func probeURLs(p rawProbe) []string {
	if p.URL != "" {
		return append([]string{p.URL}, p.URLs...)
	}
	return p.URLs
}

// URLKey is where the i-th of n probe URLs is written, for positions.
func URLKey(i, n int) []string {
	if n == 1 {
		return []string{"url"}
	}
	return []string{"urls", tomlpos.Index(i)}
}
