package supervisor

import (
	"context"
	"fmt"
	"time"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor/probe"
)

// Unhealthy says since when and why a ready service stopped passing its
// checks (plan.Probe.CheckInterval).
type Unhealthy struct {
	Since    time.Time
	Reason   string // the last failed check, summarised
	Failures int    // checks failed in a row
}

// startChecks keeps probing a service that became ready, so that "ready"
// means ready now: a JVM wedged in a GC loop or a broker that lost its
// listener stops counting once FailureThreshold checks in a row fail.
func (s *Supervisor) startChecks(svc *service) {
	pr := svc.spec.Probe
	if pr == nil || pr.CheckInterval <= 0 {
		return
	}
	go s.checks(svc.context(s.ctx), svc, svc.spec, svc.gen)
}

// checks runs one attempt every CheckInterval until the run leaves ready
// (its context ends). Probers that look for the process's own
// registration keep telling it from one left from before its start.
func (s *Supervisor) checks(ctx context.Context, svc *service, sspec plan.Service, gen uint64) {
	spec := *sspec.Probe
	pr := newProber(spec, sspec, true)
	t := time.NewTicker(spec.CheckInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		actx, cancel := context.WithTimeout(ctx, spec.Timeout)
		err := pr.Check(actx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		s.send(evCheck{svc: svc, gen: gen, err: err})
	}
}

// onCheck counts one check of a ready service.
func (s *Supervisor) onCheck(svc *service, err error) {
	id := svc.spec.ID
	now := time.Now()
	if err == nil {
		svc.checkFails = 0
		if svc.unhealthy != nil {
			s.log.Info(fmt.Sprintf("service %q healthy again", id), "service", id,
				"after", now.Sub(svc.unhealthy.Since).Round(time.Millisecond).String())
			svc.unhealthy = nil
			s.emit(Event{Time: now, Service: id, Kind: EventHealthy, Pid: svc.pid, Restarts: svc.restarts})
		}
		return
	}
	svc.checkFails++
	why := probe.Summary(err)
	if svc.unhealthy != nil {
		svc.unhealthy.Failures, svc.unhealthy.Reason = svc.checkFails, why
		return
	}
	pr := svc.spec.Probe
	if svc.checkFails < pr.FailureThreshold {
		return
	}
	// A run judged later (restart) was stable if it had been ready long
	// enough before it turned unhealthy.
	svc.stable = now.Sub(svc.readyAt) >= svc.spec.Restart.ResetAfter
	svc.unhealthy = &Unhealthy{Since: now, Reason: why, Failures: svc.checkFails}
	s.emit(Event{Time: now, Service: id, Kind: EventUnhealthy, Pid: svc.pid, Restarts: svc.restarts, Message: why})
	if pr.OnUnhealthy == plan.OnUnhealthyRestart && !s.shutdown {
		s.log.Warn(fmt.Sprintf("service %q unhealthy after %d failed checks (%s); restarting it", id, svc.checkFails, why),
			"service", id, "pid", svc.pid)
		s.beginStop(svc, thenFail)
		return
	}
	s.log.Warn(fmt.Sprintf("service %q unhealthy after %d failed checks (%s); not ready until a check passes", id, svc.checkFails, why),
		"service", id, "pid", svc.pid)
}
