package macros

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kinit/kinit/roles"
)

// scope is a set of macro values; a name may instead be known but without a
// value on this node, with the reason.
type scope struct {
	vals    map[string]string
	unavail map[string]string
	budget  *budget // shared with every child scope
}

func newScope() *scope {
	return &scope{vals: map[string]string{}, unavail: map[string]string{}, budget: newBudget()}
}

func (s *scope) set(name, v string)       { s.vals[name] = v }
func (s *scope) missing(name, why string) { s.unavail[name] = why }

func (s *scope) child() *scope {
	c := newScope()
	c.budget = s.budget
	for k, v := range s.vals {
		c.vals[k] = v
	}
	for k, v := range s.unavail {
		c.unavail[k] = v
	}
	return c
}

func (s *scope) lookup(name string) (string, bool) {
	v, ok := s.vals[name]
	return v, ok
}

// expand expands the macros of text within the budget.
func (s *scope) expand(text string) (string, []string, error) {
	return s.budget.expand(text, s.lookup)
}

// explain says why a name has no value.
func (s *scope) explain(name string) string {
	if why, ok := s.unavail[name]; ok {
		return fmt.Sprintf("macro %s has no value on this node: %s", name, why)
	}
	return fmt.Sprintf("unknown macro @@%s@@", name)
}

// nodeScope computes every node-level macro.
func (b *builder) nodeScope() *scope {
	n := b.node
	sc := newScope()
	for k, v := range n.Vars {
		sc.set(k, v)
	}
	id := strconv.Itoa(n.ID)
	sc.set("UNIQUE_SELF_NODE_INT", id)
	sc.set("NODE_ID", id)
	sc.set("GET_NODE_FQDN", n.FQDN)
	sc.set("GET_NODE_HOSTNAME", n.Hostname)
	sc.set("NODE_ROLE", n.Role)
	sc.set("CONFIG_ID", n.ConfigID)
	sc.set("CLUSTER_NAME", n.Config.Cluster.Name)
	sc.set("CONFIG_DIR", n.Config.Dir)
	sc.set("ZOOKEEPER_CHROOT", n.Config.Cluster.ZookeeperChroot)

	noKind := func(kind string) string {
		return fmt.Sprintf("config %q runs no service of kind %s", n.ConfigID, kind)
	}
	if members, s, ok := n.MembersOfKind("zookeeper"); ok {
		var conn, ens []string
		for _, m := range members {
			conn = append(conn, hostPort(m.Host, n.Port(s.ID, "")))
			ens = append(ens, fmt.Sprintf("server.%d=%s:%d:%d", m.ID, m.Host, n.Port(s.ID, "peer"), n.Port(s.ID, "election")))
		}
		sc.set("ZOOKEEPER_SERVICE_STRING", strings.Join(conn, ",")+n.Config.Cluster.ZookeeperChroot)
		sc.set("ZOOKEEPER_ENSEMBLE", strings.Join(ens, "\n"))
	} else {
		sc.missing("ZOOKEEPER_SERVICE_STRING", noKind("zookeeper"))
		sc.missing("ZOOKEEPER_ENSEMBLE", noKind("zookeeper"))
	}
	if members, s, ok := n.MembersOfKind("kafka"); ok {
		var servers, endpoints []string
		protocol, _ := listenerProtocols(n.Security)
		for _, m := range members {
			hp := hostPort(m.Host, n.Port(s.ID, ""))
			servers = append(servers, hp)
			endpoints = append(endpoints, protocol+"://"+hp)
		}
		sc.set("KAFKA_BOOTSTRAP_SERVERS", strings.Join(servers, ","))
		sc.set("KAFKA_BOOTSTRAP_ENDPOINTS", strings.Join(endpoints, ","))
		count := len(members)
		rf := min(3, count)
		isr := 1
		if rf >= 3 {
			isr = 2
		}
		sc.set("KAFKA_BROKER_COUNT", strconv.Itoa(count))
		sc.set("KAFKA_REPLICATION_FACTOR", strconv.Itoa(rf))
		sc.set("KAFKA_MIN_ISR", strconv.Itoa(isr))
	} else {
		for _, name := range []string{"KAFKA_BOOTSTRAP_SERVERS", "KAFKA_BOOTSTRAP_ENDPOINTS", "KAFKA_BROKER_COUNT",
			"KAFKA_REPLICATION_FACTOR", "KAFKA_MIN_ISR"} {
			sc.missing(name, noKind("kafka"))
		}
	}
	b.quorumScope(sc)
	sc.set("KRAFT_FORMAT_SCRAM", b.sec.formatSCRAM())
	// The user's name, never its password: that stays in files.
	sc.set("ADMIN_USER", n.Security.AdminUser)
	// The registry serves https on a secured node; Control Center's UI
	// stays http (a stand-in here, see docs/security.md).
	registryScheme := "http://"
	if n.Security.Secure() {
		registryScheme = "https://"
	}
	for _, k := range []struct{ kind, macro, scheme string }{
		{roles.KindSchemaRegistry, "SCHEMA_REGISTRY_URL", registryScheme},
		{roles.KindControlCenter, "CONTROL_CENTER_URL", "http://"},
	} {
		members, s, ok := n.MembersOfKind(k.kind)
		if !ok {
			sc.missing(k.macro, noKind(k.kind))
			continue
		}
		var urls []string
		for _, m := range members {
			urls = append(urls, k.scheme+hostPort(m.Host, n.Port(s.ID, "")))
		}
		sc.set(k.macro, strings.Join(urls, ","))
	}

	sz := b.plan.Sizing
	sc.set("MEMORY_LIMIT_MB", strconv.FormatInt(sz.MemoryBytes/mib, 10))
	sc.set("CPU_LIMIT", strconv.FormatFloat(sz.CPUs, 'f', -1, 64))
	sc.set("ACTIVE_PROCESSOR_COUNT", strconv.Itoa(sz.ActiveProcessorCount))
	sc.set("JVM_CPU_OPTS", "-XX:ActiveProcessorCount="+strconv.Itoa(sz.ActiveProcessorCount))

	local := map[string]ServiceSizing{}
	for _, ss := range sz.Services {
		local[ss.Service] = ss
	}
	for _, sid := range n.Config.ServiceOrder {
		id := roles.MacroName(sid)
		if ss, ok := local[sid]; ok {
			sc.set("HEAP_MB_"+id, strconv.FormatInt(ss.HeapBytes/mib, 10))
			sc.set("HEAP_OPTS_"+id, ss.HeapOpts)
		} else {
			why := fmt.Sprintf("service %s does not run on this node", sid)
			sc.missing("HEAP_MB_"+id, why)
			sc.missing("HEAP_OPTS_"+id, why)
		}
		for name, p := range n.Ports[sid] {
			if name == "" {
				sc.set("PORT_"+id, strconv.Itoa(p))
			} else {
				sc.set("PORT_"+id+"_"+roles.MacroName(name), strconv.Itoa(p))
			}
		}
	}

	// User macros may use any node-level macro, and each other. Each is
	// expanded once, its failure kept too, so a macro referenced many
	// times costs one expansion and a cycle ends at its first repeat.
	raw := map[string]roles.UserMacro{}
	for _, m := range n.Config.Macros {
		raw[m.Name] = m
	}
	visiting, failed := map[string]bool{}, map[string]bool{}
	var resolve func(name string) (string, bool)
	resolve = func(name string) (string, bool) {
		if v, ok := sc.vals[name]; ok {
			return v, true
		}
		m, ok := raw[name]
		if !ok || visiting[name] || failed[name] {
			return "", false
		}
		visiting[name] = true
		out, unknown, err := sc.budget.expand(m.Value, resolve)
		delete(visiting, name)
		switch {
		case err != nil:
			failed[name] = true
			sc.missing(name, err.Error())
			b.errs.Add(n.Config.File, m.Line, "macro %s: %v", name, err)
			return "", false
		case len(unknown) > 0:
			failed[name] = true
			if !failed[unknown[0]] { // else reported at that macro
				b.errs.Add(n.Config.File, m.Line, "macro %s: %s", name, sc.explain(unknown[0]))
			}
			sc.missing(name, sc.explain(unknown[0]))
			return "", false
		}
		sc.set(name, out)
		return out, true
	}
	for _, m := range n.Config.Macros {
		resolve(m.Name)
	}
	return sc
}

// serviceScope adds the macros that depend on the service being rendered.
func (b *builder) serviceScope(node *scope, s *roles.Service, ss ServiceSizing) *scope {
	sc := node.child()
	sc.set("SERVICE_ID", s.ID)
	sc.set("SERVICE_NAME", s.Name)
	if p := b.node.Port(s.ID, ""); p != 0 {
		sc.set("PORT", strconv.Itoa(p))
	} else {
		sc.missing("PORT", "service "+s.ID+" has no port")
	}
	sc.set("HEAP_MB", strconv.FormatInt(ss.HeapBytes/mib, 10))
	sc.set("HEAP_OPTS", ss.HeapOpts)
	if d, ok := b.node.DataDirs[s.ID]; ok {
		sc.set("SERVICE_DATA_DIR", d)
	} else {
		sc.missing("SERVICE_DATA_DIR", "service "+s.ID+" has no data_dir")
	}
	b.listenerScope(sc, s)
	return sc
}

func hostPort(host string, port int) string {
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}
