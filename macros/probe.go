// A service's own readiness probe and signals, as the plan runs them: the
// one place kinit.toml's probe modes become plan kinds and Kafka modes.

package macros

import (
	"fmt"
	"strconv"
	"strings"

	kplan "github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
)

// probe expands s's readiness probe; nil when it has none (ready once
// started).
func (b *builder) probe(s *roles.Service, sc *scope) *kplan.Probe {
	n, p := b.node, s.Ready
	if p.Kind == "" || p.Kind == roles.ProbeNone {
		return nil
	}
	out := &kplan.Probe{Kind: p.Kind, Trigger: p.Trigger, Notify: p.Notify,
		Interval: p.Interval, Timeout: p.Timeout, StartTimeout: p.StartTimeout,
		CheckInterval: p.Health.CheckInterval, FailureThreshold: p.Health.FailureThreshold,
		OnUnhealthy: p.Health.OnUnhealthy,
		Address:     b.expandField(s, sc, p.Address, "ready", "address"),
		ZKConnect:   b.expandField(s, sc, p.ZKConnect, "ready", "zk_connect")}
	for i, u := range p.URLs {
		key := append([]string{"ready"}, roles.URLKey(i, len(p.URLs))...)
		v := b.expandField(s, sc, u, key...)
		if !strings.Contains(v, "@@") {
			if err := kplan.CheckURL(v); err != nil {
				b.errs.Add(n.Config.File, n.Config.Line(append([]string{"services", s.ID}, key...)...),
					"service %s %s: %v", s.ID, strings.Join(key, "."), err)
			}
		}
		out.URLs = append(out.URLs, v)
	}
	for i, c := range p.Command {
		out.Command = append(out.Command, b.expandField(s, sc, c, "ready", "command", "["+strconv.Itoa(i)+"]"))
	}
	switch p.Kind {
	case kplan.ProbeHTTP:
		if b.secures(s) {
			b.sec.httpProbe(s, out, n.FQDN)
		}
	case kplan.ProbeKafka:
		b.kafkaProbe(s, sc, out)
	case kplan.ProbeZooKeeper:
		if b.secures(s) {
			// Its own port on loopback: the certificate names the node.
			out.Security = b.sec.zkSecurity(n.FQDN)
		}
		if p.Mode == roles.ModeSession {
			// A session through the connect string instead of four-letter words.
			out.ZKConnect, out.Address = out.Address, ""
		}
	}
	return out
}

// kafkaProbe sets what a kafka probe asks and of whom.
func (b *builder) kafkaProbe(s *roles.Service, sc *scope, out *kplan.Probe) {
	n, p := b.node, s.Ready
	if p.BrokerID != "" {
		v := b.expandField(s, sc, p.BrokerID, "ready", "broker_id")
		id, err := strconv.Atoi(v)
		if err != nil && !strings.Contains(v, "@@") {
			b.errs.Add(n.Config.File, n.Config.Line("services", s.ID, "ready", "broker_id"), "service %s ready.broker_id: %q is not a number", s.ID, v)
		}
		if id > 0 {
			out.BrokerID = &id
		}
	}
	switch p.Mode {
	case roles.ModeKRaft:
		out.Mode = kplan.KafkaKRaft
		// One broker service serves combined and broker-only configs: on a
		// combined node, ready as a broker means ready as a controller too.
		if roles.Combined(n, s) {
			out.Mode = kplan.KafkaCombined
		}
	case roles.ModeQuorum:
		out.Mode = kplan.KafkaQuorum
	case roles.ModeCombined:
		out.Mode = kplan.KafkaCombined
	default:
		out.Mode = kplan.KafkaZK
	}
	if out.Mode.KRaft() {
		out.Bootstrap = []string{out.Address}
	}
	if b.secures(s) && !out.Mode.KRaft() {
		// It reads the registrations in ZooKeeper, at the ensemble's
		// hosts, each verified by its name.
		out.Security = b.sec.zkSecurity("")
		return
	}
	if b.secures(s) {
		// Its own listener on loopback: the certificate names the node.
		if out.Mode == kplan.KafkaQuorum {
			out.Security = b.sec.controllerSecurity(n.FQDN)
		} else {
			out.Security = b.sec.brokerSecurity(n.FQDN)
		}
		if out.Mode == kplan.KafkaCombined {
			// Every endpoint a probe asks speaks its one security: a
			// combined node's quorum is asked through its own broker
			// listener, which forwards to the leader.
			return
		}
	}
	if out.Mode == kplan.KafkaQuorum || out.Mode == kplan.KafkaCombined {
		// Only the leader describes the quorum: every controller is asked.
		if v, ok := sc.lookup("CONTROLLER_QUORUM_BOOTSTRAP_SERVERS"); ok {
			out.Bootstrap = append(out.Bootstrap, strings.Split(v, ",")...)
		}
	}
}

// signals reads the stop and forwarded signals; roles has checked every
// name at its line, so an error here is a bug between the two, reported
// at the same line.
func (b *builder) signals(s *roles.Service, svc *Service) {
	bad := func(key string, err error) {
		b.errs.Add(b.node.Config.File, b.node.Config.Line("services", s.ID, key), "service %s %s: %v", s.ID, key, err)
	}
	if s.StopSignal != "" {
		sig, err := kplan.ParseSignal(s.StopSignal)
		if err != nil {
			bad("stop_signal", err)
		}
		svc.StopSignal = sig
	}
	for _, name := range s.ForwardSignals {
		sig, err := kplan.ParseSignal(name)
		if err != nil {
			bad("forward_signals", err)
			continue
		}
		svc.ForwardSignals = append(svc.ForwardSignals, sig)
	}
}

// staleRegistrationGate makes a ZooKeeper-mode broker wait, before each
// start, until no broker holds its id. A broker killed with SIGKILL (or a
// container that died) leaves its ephemeral /brokers/ids/<id> until its
// session expires (zookeeper.session.timeout.ms, 18 s by default); a new
// JVM started before that fails on NodeExists and would crash-loop through
// the restart budget. `kinit status` shows the gate while it holds.
func staleRegistrationGate(s *Service) (kplan.Wait, bool) {
	p := s.Probe
	if p == nil || p.Kind != kplan.ProbeKafka || p.Mode != kplan.KafkaZK || p.BrokerID == nil || p.ZKConnect == "" {
		return kplan.Wait{}, false
	}
	id := *p.BrokerID
	timeout := p.StartTimeout
	for _, w := range s.Waits {
		timeout = max(timeout, w.Timeout)
	}
	return kplan.Wait{
		Service: fmt.Sprintf("expiry of broker %d's old registration", id),
		Remote: []kplan.Probe{{Kind: kplan.ProbeKafka, ZKConnect: p.ZKConnect, BrokerID: &id,
			Mode: kplan.KafkaUnregistered, Interval: p.Interval, Timeout: p.Timeout, Security: p.Security.Clone()}},
		Timeout: timeout,
	}, true
}
