package supervisor

import (
	"fmt"
	"github.com/kinit/kinit/plan"
	"time"
)

// beginShutdown starts the ordered stop: nothing new starts, waits are
// cancelled, and each running service gets its stop signal once every
// service waiting on it has stopped.
func (s *Supervisor) beginShutdown() {
	if s.shutdown {
		return
	}
	s.shutdown = true
	s.stopDeadline = time.Now().Add(s.c.plan.StopTimeout)
	s.globalTimer(s.c.plan.StopTimeout, tStopDeadline)
	s.advanceShutdown()
}

// advanceShutdown is called on every exit during the stop.
func (s *Supervisor) advanceShutdown() {
	// Cancel first, so that a running service whose only dependents were
	// still waiting can be stopped in the same pass.
	for _, svc := range s.c.services {
		switch svc.state {
		case stIdle, stWaiting, stBackoff:
			s.setDown(svc, stStopped, "stopped before it started")
		}
	}
	all := true
	for _, svc := range s.c.services {
		switch svc.state {
		case stStarting, stReady:
			all = false
			if s.forced {
				s.kill(svc)
			} else if s.dependentsDown(svc) {
				s.beginStop(svc, thenStay)
			}
		case stStopping, stKilling:
			all = false
			svc.after = thenStay
		}
	}
	if all {
		s.finished = true
	}
}

func (s *Supervisor) dependentsDown(svc *service) bool {
	for _, d := range svc.dependents {
		if !d.state.down() {
			return false
		}
	}
	return true
}

// forceKill sends SIGKILL to every remaining process group (second stop
// request, or the overall deadline).
func (s *Supervisor) forceKill() {
	s.forced = true
	if !s.shutdown {
		s.beginShutdown()
	}
	for _, svc := range s.c.services {
		if svc.state.running() && svc.state != stKilling {
			s.kill(svc)
		}
	}
	s.globalTimer(s.boundedByStop(killWait, killWaitEnd), tKillWait)
	s.advanceShutdown()
}

// boundedByStop cuts d so that, during a stop, it ends no later than end
// past the stop deadline (see stopOverrun).
func (s *Supervisor) boundedByStop(d, end time.Duration) time.Duration {
	if !s.shutdown {
		return d
	}
	return max(0, min(d, time.Until(s.stopDeadline.Add(end))))
}

// ExitBy is when kinit must have exited, once Run has returned: the stop
// deadline plus most of stopOverrun, or a moment from now when Run ended
// without a stop (the caller's clean-up still gets that much).
func (s *Supervisor) ExitBy() time.Time {
	<-s.done
	if s.shutdown {
		return s.stopDeadline.Add(exitByEnd)
	}
	return time.Now().Add(exitByEnd - drainEnd)
}

// StopFits says whether every service can have its whole grace within the
// plan's stop timeout, stopping in reverse dependency order; when not, the
// message names the longest chain and what to set. kinit still runs such a
// plan (the graces are shared in proportion, see graceFor): it is a warning.
func StopFits(p plan.Plan) (ok bool, msg string) {
	c, err := compile(p)
	if err != nil {
		return true, ""
	}
	memo := map[*service]time.Duration{}
	always := func(*service) bool { return true }
	var worst *service
	var need time.Duration
	for _, svc := range c.services {
		if d := svc.spec.Grace + reserveAfter(svc, always, memo); d > need {
			worst, need = svc, d
		}
	}
	if worst == nil || need <= c.plan.StopTimeout {
		return true, ""
	}
	return false, fmt.Sprintf("the graces from %q down its dependencies add up to %s, more than the stop timeout %s: "+
		"kinit will cut them in proportion; to honour them set KINIT_STOP_TIMEOUT=%s and the runtime's stop timeout "+
		"(docker stop -t, compose stop_grace_period, terminationGracePeriodSeconds) at least %s above it",
		worst.spec.ID, need, c.plan.StopTimeout, need, stopOverrun)
}

// giveUp ends Run although processes survived SIGKILL (stuck in the kernel,
// typically on a dead NFS mount): kinit cannot do more for them.
func (s *Supervisor) giveUp() {
	for _, svc := range s.c.services {
		if svc.state.running() {
			s.log.Error(fmt.Sprintf("service %q (pid %d) survived SIGKILL; giving up on it", svc.spec.ID, svc.pid))
			s.unclean = true
			svc.pid = 0
			s.setDown(svc, stFailed, "survived SIGKILL")
		}
	}
	s.finished = true
}

// graceFor is how long a service may take to stop. Outside a shutdown it
// is its own grace. During one, it is cut so that the services that stop
// after it (its dependencies) still get their grace before the overall
// deadline: the deadline is shared along the dependency chain, first come
// is not first served. With a budget too small for everything, each gets
// a part in proportion to its grace, and at least minStopSlice (or its
// grace, when shorter).
func (s *Supervisor) graceFor(svc *service) time.Duration {
	g := svc.spec.Grace
	if !s.shutdown {
		return g
	}
	memo := map[*service]time.Duration{}
	alive := func(x *service) bool { return !x.state.down() }
	left := time.Until(s.stopDeadline)
	reserve := reserveAfter(svc, alive, memo)
	if g+reserve > left && g+reserve > 0 {
		// Not enough for everyone's full grace: share what is left in
		// proportion, so the service with the longest grace (the broker's
		// controlled shutdown) keeps the largest part. Whatever a
		// dependency does not use (ZooKeeper stops in a second) is
		// still there for it afterwards.
		share := time.Duration(float64(left) * float64(g) / float64(g+reserve))
		g = max(share, min(minStopSlice, g))
	}
	return g
}
