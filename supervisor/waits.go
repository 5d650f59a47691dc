package supervisor

import (
	"context"
	"fmt"
	"sync"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor/probe"
)

// newProber builds the check a plan.Probe describes. Exec probes run with
// the env, dir and credentials of the service sspec describes; self: the
// probe is the service's readiness or health check, not a remote wait.
func newProber(p plan.Probe, sspec plan.Service, self bool) probe.Prober {
	switch p.Kind {
	case plan.ProbeTCP:
		return probe.TCP{Addr: p.Address}
	case plan.ProbeZooKeeper:
		if p.Address != "" {
			return probe.ZooKeeper{Addr: p.Address, TLS: zkTLS(p)}
		}
		return probe.ZooKeeperQuorum{Connect: p.ZKConnect, TLS: zkTLS(p)}
	case plan.ProbeKafka:
		// A service's own probe (Address set) asks its own process for the
		// metadata; a remote wait asks the members.
		own := p.Bootstrap
		if p.Address != "" {
			own = []string{p.Address}
		}
		registered := probe.KafkaKRaft{Bootstrap: own, BrokerID: p.BrokerID, MinBrokers: p.MinBrokers, Security: p.Security}
		quorum := probe.KRaftQuorum{Local: p.Address, Bootstrap: p.Bootstrap, VoterID: p.BrokerID, Security: p.Security}
		switch p.Mode {
		case plan.KafkaCombined:
			return probe.Both{First: quorum, Second: registered}
		case plan.KafkaQuorum:
			return quorum
		case plan.KafkaKRaft:
			return registered
		}
		zk := probe.KafkaZK{Connect: p.ZKConnect, BrokerID: p.BrokerID, MinBrokers: p.MinBrokers,
			Addr: p.Address, Unregistered: p.Mode == plan.KafkaUnregistered, ZKTLS: zkTLS(p)}
		if self && p.BrokerID != nil {
			// The registration before the start: none, since every start
			// of such a broker follows its stale-registration gate
			// (plan.Service.GatedRegistration, checked by Validate), which passed only once no
			// broker held the id, and the one process that could
			// register it since is this run's.
			zk.Replaces = &probe.Registration{}
		}
		return zk
	case plan.ProbeHTTP:
		return probe.HTTP{URLs: p.URLs, Security: p.Security}
	case plan.ProbeExec:
		// The service's environment, mark included, as spawn gives it:
		// what a probe leaves behind after its leader exited is found by
		// the mark (its group is not signalled once the leader is reaped).
		env := append(append(make([]string, 0, len(sspec.Env)+1), sspec.Env...), serviceVar+"="+sspec.ID)
		return probe.Exec{Argv: p.Command, Env: env, Dir: sspec.Dir, Start: credsOf(sspec).start}
	}
	panic("supervisor: unvalidated probe kind " + string(p.Kind))
}

// zkTLS is how a probe reaches ZooKeeper: a zookeeper probe's Security,
// or a kafka probe's in a ZooKeeper mode, is TLS only (plan.Validate
// refuses SASL there); nil speaks plaintext.
func zkTLS(p plan.Probe) *plan.TLS {
	if p.Security == nil {
		return nil
	}
	return p.Security.TLS
}

// readiness probes a started process until it is ready or its state
// changes (ctx). It gets the spec as the loop saw it when the process
// started: Update may replace svc.spec meanwhile. waited: a local
// dependent waits for it, so the pauses stay short.
func (s *Supervisor) readiness(ctx context.Context, svc *service, sspec plan.Service, gen uint64, prog *progress, waited bool, wake *readyWake) {
	defer wake.disarm()
	spec := *sspec.Probe
	pr := newProber(spec, sspec, true)
	sched := probe.Schedule{First: s.probeFirst, Max: spec.Interval, Timeout: spec.Timeout}
	if waited {
		limit := s.probeWaited
		if spec.OpensZooKeeperSession() {
			limit = s.probeSession
		}
		sched.Max = min(sched.Max, limit)
	}
	sched.Wake = wake.channel()
	err := probe.Until(ctx, sched, pr.Check, func(attempt int, err error) {
		prog.update(attempt, probe.Summary(err))
	})
	if err == nil {
		s.send(evReady{svc: svc, gen: gen})
	}
}

// remoteWait probes the instances of a service on other nodes until
// MinReady of them pass. A member that passed once counts as ready for the
// rest of this wait.
func (s *Supervisor) remoteWait(ctx context.Context, svc *service, spec plan.Service, gen uint64, idx int, w plan.Wait, prog *progress) {
	probers := make([]probe.Prober, len(w.Remote))
	sched := probe.Schedule{First: s.probeFirst}
	for i, p := range w.Remote {
		probers[i] = newProber(p, spec, false)
		sched.Max = max(sched.Max, p.Interval)
	}
	need := w.MinReady
	if need == 0 {
		need = len(probers)
	}
	passed := make([]bool, len(probers))
	check := func(ctx context.Context) error {
		errs := make([]error, len(probers))
		var wg sync.WaitGroup
		for i, pr := range probers {
			if passed[i] {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				actx, cancel := context.WithTimeout(ctx, w.Remote[i].Timeout)
				defer cancel()
				errs[i] = pr.Check(actx)
			}()
		}
		wg.Wait()
		n := 0
		var first error
		for i, err := range errs {
			if passed[i] || err == nil {
				passed[i] = true
				n++
			} else if first == nil {
				first = err
			}
		}
		if n >= need {
			return nil
		}
		if len(probers) > 1 {
			return fmt.Errorf("%s (%d of %d ready, %d needed)", probe.Summary(first), n, len(probers), need)
		}
		return first
	}
	err := probe.Until(ctx, sched, check, func(attempt int, err error) {
		prog.update(attempt, probe.Summary(err))
	})
	if err == nil {
		s.log.Info(fmt.Sprintf("service %q: wait on %s satisfied", spec.ID, w.Service), "service", spec.ID)
		s.send(evWaitDone{svc: svc, gen: gen, idx: idx})
	}
}
