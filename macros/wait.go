// Waits as the node sees them: local or remote, how many members must be
// ready, and how each member is probed.

package macros

import (
	"strconv"
	"strings"

	kplan "github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
)

func (b *builder) wait(s *roles.Service, w roles.WaitSpec, sc *scope) Wait {
	n := b.node
	target := n.Config.Services[w.Service]
	out := Wait{Service: w.Service, Timeout: w.Timeout, Local: n.Runs(w.Service)}
	members := n.MembersRunning(w.Service)
	switch {
	case w.Min == "all":
		out.MinReady = len(members)
	case w.Min == "quorum" || (w.Min == "" && target.Kind == "zookeeper"):
		out.MinReady = len(members)/2 + 1
	case w.Min == "":
		out.MinReady = 1
	default:
		out.MinReady, _ = strconv.Atoi(w.Min)
	}
	if out.MinReady > len(members) && !out.Local {
		b.errs.Add(n.Config.File, n.Config.Line("services", s.ID, "waits", w.Service, "min"),
			"service %s waits for %d ready %s members, but only %d run it", s.ID, out.MinReady, w.Service, len(members))
	}
	switch target.Ready.Kind {
	case kplan.ProbeZooKeeper, kplan.ProbeKafka, kplan.ProbeHTTP:
		out.Kind = target.Ready.Kind
	default:
		out.Kind = kplan.ProbeTCP
	}
	if (target.Kind == "kafka" || target.Kind == roles.KindKRaftController) && target.Ready.Kind == kplan.ProbeKafka {
		out.Mode = target.Ready.Mode
		if out.Mode == roles.ModeZK {
			if v, ok := sc.lookup("ZOOKEEPER_SERVICE_STRING"); ok {
				out.ZKConnect = v
			} else {
				out.Kind = kplan.ProbeTCP
			}
		}
	}
	port := n.Port(w.Service, "")
	for _, m := range members {
		t := Target{Host: m.Host, ID: m.ID, Address: hostPort(m.Host, port)}
		if out.Kind == kplan.ProbeHTTP {
			for _, u := range target.Ready.URLs {
				t.URLs = append(t.URLs, remoteURL(u, w.Service, m.Host, port, sc))
			}
		}
		out.Targets = append(out.Targets, t)
	}
	return out
}

// remoteURL points a service's own probe URL at a member, keeping its
// scheme, path and port: http://127.0.0.1:@@PORT@@/subjects ->
// http://host:8081/subjects, and a named port such as
// @@PORT_SCHEMA_REGISTRY_MANAGEMENT@@ (Apicurio's health) stays that port,
// not the service's main one. The ports are this node's view of them (the
// config's, as every member has them). A URL whose port does not expand
// here falls back to the main port.
func remoteURL(probeURL, service, host string, mainPort int, sc *scope) string {
	own := strings.ReplaceAll(probeURL, "@@PORT@@", "@@PORT_"+roles.MacroName(service)+"@@")
	if exp, unknown, err := sc.expand(own); err == nil && len(unknown) == 0 && !strings.Contains(exp, "@@") {
		own = exp
	}
	scheme, rest, ok := strings.Cut(own, "://")
	if !ok {
		scheme, rest = "http", own
	}
	authority, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	port := mainPort
	if i := strings.LastIndexByte(authority, ':'); i >= 0 {
		if p, err := strconv.Atoi(authority[i+1:]); err == nil && p > 0 {
			port = p
		}
	}
	return scheme + "://" + hostPort(host, port) + path
}
