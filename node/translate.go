// Package node turns a node's rendered plan into what the supervisor runs:
// the one translation between the config's model (roles, macros) and the
// supervisor's input. It holds the domain rules of that step (probe modes,
// credentials, the gate before a broker whose killed predecessor is still
// registered), so that cmd/kinit only calls it.
package node

import (
	"fmt"
	"os"
	"slices"

	"github.com/kinit/kinit/internal/owner"
	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
)

// SupervisorPlan turns the rendered node plan into the supervisor's input,
// with base (normally os.Environ()) as the container's environment. The
// two types are kept apart on purpose: roles/macros describe what the
// config says, the supervisor only what it has to run. Every unknown user
// or group is reported at once, at its kinit.toml line.
func SupervisorPlan(p *macros.Rendering, base []string) (plan.Plan, error) {
	n := p.Node
	out := plan.Plan{
		Node: plan.NodeInfo{
			Role: n.Role, ID: n.ID, FQDN: n.FQDN, Hostname: n.Hostname,
			ConfigID: n.ConfigID, Cluster: n.Config.Cluster.Name,
		},
	}
	// Every service's user problem at once, each at its key in the file.
	var problems roles.Collector
	cfg := n.Config
	for _, s := range p.Services {
		spec := plan.Service{
			ID: s.ID, Name: s.Name, Argv: s.Command, Env: s.Environ(base), Dir: s.Dir,
			Capabilities: s.Capabilities,
			Grace:        s.Grace, Required: s.Required,
			RestartWith: s.RestartWith,
			OneShot:     s.OneShot, Creates: s.Creates,
			Restart: restartSpec(s.Restart),
			Probe:   probeSpec(s.Ready),
		}
		var err error
		if spec.StopSignal, spec.ForwardSignals, err = signals(s); err != nil {
			problems.Add(cfg.File, cfg.Line("services", s.ID), "service %q: %v", s.ID, err)
			continue
		}
		if err := credentials(&spec, s.User, s.Group); err != nil {
			key := "user"
			if s.User == "" {
				key = "group"
			}
			problems.Add(cfg.File, cfg.Line("services", s.ID, key), "service %q: %v", s.ID, err)
			continue
		}
		for _, w := range s.Waits {
			spec.Waits = append(spec.Waits, waitSpec(w, s.Ready))
		}
		if gate, ok := staleRegistrationGate(s); ok {
			spec.Waits = append(spec.Waits, gate)
		}
		out.Services = append(out.Services, spec)
	}
	return out, problems.Err()
}

// restartSpec carries the policy over as it is: budget means the same
// (restarts in a row without a stable run, 0 = unlimited) in both.
func restartSpec(r roles.Restart) plan.Restart {
	return plan.Restart{
		Policy: r.Policy, BackoffMin: r.BackoffMin, BackoffMax: r.BackoffMax,
		ResetAfter: r.ResetAfter, Budget: r.Budget,
	}
}

func probeSpec(p macros.Probe) *plan.Probe {
	if p.Kind == "" || p.Kind == roles.ProbeNone {
		return nil
	}
	ps := &plan.Probe{
		Kind: p.Kind, Address: p.Address, URLs: p.URLs, Command: p.Command,
		ZKConnect: p.ZKConnect, Interval: p.Interval, Timeout: p.Timeout,
		StartTimeout:  p.StartTimeout,
		CheckInterval: p.Health.CheckInterval, FailureThreshold: p.Health.FailureThreshold,
		OnUnhealthy: p.Health.OnUnhealthy, Trigger: p.Trigger, Notify: p.Notify,
	}
	if ps.Kind == plan.ProbeKafka {
		if p.BrokerID > 0 {
			id := p.BrokerID
			ps.BrokerID = &id
		}
		switch p.Mode {
		case roles.ModeKRaft:
			ps.Mode = plan.KafkaKRaft
		case roles.ModeQuorum:
			ps.Mode = plan.KafkaQuorum
		case roles.ModeCombined:
			ps.Mode = plan.KafkaCombined
		default:
			ps.Mode = plan.KafkaZK
		}
		if ps.Mode.KRaft() {
			ps.Bootstrap = []string{p.Address}
		}
		if ps.Mode == plan.KafkaQuorum || ps.Mode == plan.KafkaCombined {
			ps.Bootstrap = append(ps.Bootstrap, p.Quorum...)
		}
	}
	if ps.Kind == plan.ProbeZooKeeper && p.Mode == roles.ModeSession {
		// A session through the connect string instead of four-letter words.
		ps.ZKConnect, ps.Address = p.Address, ""
	}
	return ps
}

// waitSpec builds one wait. A remote ZooKeeper or HTTP/TCP wait probes each
// member; a remote Kafka wait is one probe that counts registered brokers.
func waitSpec(w macros.Wait, own macros.Probe) plan.Wait {
	ws := plan.Wait{Service: w.Service, Local: w.Local, Timeout: w.Timeout}
	if w.Local {
		return ws
	}
	interval, timeout := own.Interval, own.Timeout
	switch kind := w.Kind; kind {
	case plan.ProbeKafka:
		ps := plan.Probe{Kind: kind, ZKConnect: w.ZKConnect, MinBrokers: w.MinReady,
			Mode: plan.KafkaZK, Interval: interval, Timeout: timeout}
		switch w.Mode {
		case roles.ModeKRaft, roles.ModeCombined:
			// Brokers: enough of them registered and unfenced.
			ps.Mode = plan.KafkaKRaft
		case roles.ModeQuorum:
			// Controllers: the quorum has a leader.
			ps.Mode, ps.MinBrokers = plan.KafkaQuorum, 0
		}
		if ps.Mode.KRaft() {
			for _, t := range w.Targets {
				ps.Bootstrap = append(ps.Bootstrap, t.Address)
			}
		}
		ws.Remote = []plan.Probe{ps}
		ws.MinReady = 1
	default:
		for _, t := range w.Targets {
			ws.Remote = append(ws.Remote, plan.Probe{Kind: kind, Address: t.Address, URLs: t.URLs,
				Interval: interval, Timeout: timeout})
		}
		ws.MinReady = w.MinReady
	}
	return ws
}

// staleRegistrationGate makes a ZooKeeper-mode broker wait, before each
// start, until no broker holds its id. A broker killed with SIGKILL (or a
// container that died) leaves its ephemeral /brokers/ids/<id> until its
// session expires (zookeeper.session.timeout.ms, 18 s by default); a new
// JVM started before that fails on NodeExists and would crash-loop through
// the restart budget. `kinit status` shows the gate while it holds.
func staleRegistrationGate(s *macros.Service) (plan.Wait, bool) {
	p := s.Ready
	if p.Kind != plan.ProbeKafka || p.Mode != roles.ModeZK || p.BrokerID <= 0 || p.ZKConnect == "" {
		return plan.Wait{}, false
	}
	id := p.BrokerID
	timeout := p.StartTimeout
	for _, w := range s.Waits {
		timeout = max(timeout, w.Timeout)
	}
	return plan.Wait{
		Service: fmt.Sprintf("expiry of broker %d's old registration", id),
		Remote: []plan.Probe{{Kind: plan.ProbeKafka, ZKConnect: p.ZKConnect, BrokerID: &id,
			Mode: plan.KafkaUnregistered, Interval: p.Interval, Timeout: p.Timeout}},
		Timeout: timeout,
	}, true
}

// credentials resolves the service's user and group. A user is a name, a
// number, or "uid:gid" in numbers: a numeric uid /etc/passwd does not know
// (OpenShift's arbitrary runAsUser) runs with the gid given (else its own
// uid's) and no supplementary groups. A known user brings the supplementary
// groups /etc/group gives it, as login(1) would. Running as the user kinit
// already is changes nothing, so it is left out: a non-root kinit (tests,
// the demo) can then run a config that names "root".
func credentials(spec *plan.Service, userName, groupName string) error {
	if userName == "" && groupName == "" {
		return nil
	}
	id, err := owner.Resolve(userName, groupName)
	if err != nil {
		return err
	}
	uid, gid := os.Getuid(), os.Getgid()
	if id.UID >= 0 {
		uid = id.UID
	}
	if id.GID >= 0 {
		gid = id.GID
	}
	if uid == os.Getuid() && gid == os.Getgid() && (id.Groups == nil || sameGroups(id.Groups, gid)) {
		return nil
	}
	spec.UID, spec.GID, spec.Groups = &uid, &gid, id.Groups
	return nil
}

// sameGroups reports whether groups are kinit's own supplementary groups
// (in any order, the primary group gid aside): then nothing needs
// setgroups(2), which a non-root kinit may not call (the image runs kinit
// as the user its services run as).
func sameGroups(groups []int, gid int) bool {
	own, err := os.Getgroups()
	if err != nil {
		return false
	}
	norm := func(gs []int) []int {
		out := slices.DeleteFunc(slices.Clone(gs), func(g int) bool { return g == gid })
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(own), norm(groups))
}

// signals parses the stop and forwarded signals once; roles has checked
// every name at its line, so an error here is a bug between the two.
func signals(s *macros.Service) (plan.Signal, []plan.Signal, error) {
	var stop plan.Signal
	if s.StopSignal != "" {
		sig, err := plan.ParseSignal(s.StopSignal)
		if err != nil {
			return 0, nil, fmt.Errorf("stop_signal: %w", err)
		}
		stop = sig
	}
	var fwd []plan.Signal
	for _, n := range s.ForwardSignals {
		sig, err := plan.ParseSignal(n)
		if err != nil {
			return 0, nil, fmt.Errorf("forward_signals: %w", err)
		}
		fwd = append(fwd, sig)
	}
	return stop, fwd, nil
}
