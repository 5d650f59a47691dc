// Waits as the node sees them: local or remote, how many members must be
// ready, and how each member is probed.

package macros

import (
	"strconv"
	"strings"

	kplan "github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
)

// wait is one dependency of s: local when this node runs the service,
// else a probe of each remote member (ZooKeeper, HTTP, TCP) or one probe
// that counts registered Kafka brokers, timed as s's own probe.
func (b *builder) wait(s *roles.Service, w roles.WaitSpec, sc *scope) kplan.Wait {
	n := b.node
	target := n.Config.Services[w.Service]
	out := kplan.Wait{Service: w.Service, Timeout: w.Timeout, Local: n.Runs(w.Service)}
	members := n.MembersRunning(w.Service)
	minReady := 1
	switch {
	case w.Min == "all":
		minReady = len(members)
	case w.Min == "quorum" || (w.Min == "" && target.Kind == "zookeeper"):
		minReady = len(members)/2 + 1
	case w.Min != "":
		minReady, _ = strconv.Atoi(w.Min)
	}
	if out.Local {
		return out
	}
	if minReady > len(members) {
		b.errs.Add(n.Config.File, n.Config.Line("services", s.ID, "waits", w.Service, "min"),
			"service %s waits for %d ready %s members, but only %d run it", s.ID, minReady, w.Service, len(members))
	}
	port := n.Port(w.Service, "")
	each := kplan.Probe{Kind: kplan.ProbeTCP, Interval: s.Ready.Interval, Timeout: s.Ready.Timeout}
	switch target.Ready.Kind {
	case kplan.ProbeZooKeeper, kplan.ProbeHTTP:
		each.Kind = target.Ready.Kind
		if each.Kind == kplan.ProbeZooKeeper {
			each.Security = b.sec.zkSecurity("")
		}
	case kplan.ProbeKafka:
		if kafka, ok := kafkaWait(target.Ready.Mode, members, port, minReady, each, sc); ok {
			if b.sec != nil && !kafka.Mode.KRaft() {
				kafka.Security = b.sec.zkSecurity("")
			} else if b.sec != nil {
				if kafka.Mode == kplan.KafkaQuorum {
					kafka.Security = b.sec.controllerSecurity("")
				} else {
					kafka.Security = b.sec.brokerSecurity("")
				}
			}
			out.Remote, out.MinReady = []kplan.Probe{kafka}, 1
			return out
		}
	}
	for _, m := range members {
		p := each
		p.Address = hostPort(m.Host, port)
		if p.Kind == kplan.ProbeHTTP {
			for _, u := range target.Ready.URLs {
				p.URLs = append(p.URLs, remoteURL(u, w.Service, m.Host, port, sc))
			}
		}
		out.Remote = append(out.Remote, p)
	}
	out.MinReady = minReady
	return out
}

// kafkaWait is one probe for remote Kafka members: in ZooKeeper mode
// enough brokers registered in the ensemble, brokers of a KRaft cluster
// registered and unfenced, controllers a quorum with a leader. false when
// a ZooKeeper-mode broker's ensemble is unknown here: each member's port
// is probed instead.
func kafkaWait(mode roles.ProbeMode, members []roles.Member, port, minReady int, each kplan.Probe, sc *scope) (kplan.Probe, bool) {
	p := each
	p.Kind, p.MinBrokers = kplan.ProbeKafka, minReady
	switch mode {
	case roles.ModeKRaft, roles.ModeCombined:
		p.Mode = kplan.KafkaKRaft
	case roles.ModeQuorum:
		p.Mode, p.MinBrokers = kplan.KafkaQuorum, 0
	default:
		v, ok := sc.lookup("ZOOKEEPER_SERVICE_STRING")
		if !ok {
			return kplan.Probe{}, false
		}
		p.Mode, p.ZKConnect = kplan.KafkaZK, v
		return p, true
	}
	for _, m := range members {
		p.Bootstrap = append(p.Bootstrap, hostPort(m.Host, port))
	}
	return p, true
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
