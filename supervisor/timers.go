// Timers of the loop: each one's event is dropped once its service left the
// state it was armed in.

package supervisor

import (
	"fmt"
	"time"
)

type timerKind int

const (
	tBackoff       timerKind = iota // restart due
	tGrace                          // stop signal grace over: SIGKILL
	tStartDeadline                  // probe's start timeout
	tWaitTimeout                    // one wait's deadline (idx)
	tStopDeadline                   // overall stop deadline
	tKillWait                       // processes survived SIGKILL
)

// timer arms a timer whose event is dropped once svc left its state.
func (s *Supervisor) timer(svc *service, d time.Duration, kind timerKind, idx int) {
	gen := svc.gen
	t := time.AfterFunc(d, func() { s.send(evTimer{svc: svc, gen: gen, kind: kind, idx: idx}) })
	svc.timers = append(svc.timers, t)
}

func (s *Supervisor) globalTimer(d time.Duration, kind timerKind) {
	t := time.AfterFunc(d, func() { s.send(evTimer{kind: kind}) })
	s.globalTimers = append(s.globalTimers, t)
}

func (s *Supervisor) onTimer(e evTimer) {
	if e.svc == nil {
		switch e.kind {
		case tStopDeadline:
			if !s.forced {
				s.log.Warn("stop deadline passed; killing the remaining services", "deadline", s.c.plan.StopTimeout.String())
				s.forceKill()
			}
		case tKillWait:
			s.giveUp()
		}
		return
	}
	svc := e.svc
	if svc.gen != e.gen {
		return
	}
	switch {
	case e.kind == tBackoff && svc.state == stBackoff:
		s.beginWaiting(svc)
	case e.kind == tGrace && svc.state == stStopping:
		s.log.Warn(fmt.Sprintf("service %q did not stop within its grace period; killing it", svc.spec.ID),
			"service", svc.spec.ID, "pid", svc.pid)
		s.kill(svc)
	case e.kind == tStartDeadline && svc.state == stStarting:
		s.log.Warn(fmt.Sprintf("service %q not ready after %s; stopping it", svc.spec.ID, svc.spec.Probe.StartTimeout),
			"service", svc.spec.ID)
		s.beginStop(svc, thenFail)
	case e.kind == tWaitTimeout && svc.state == stWaiting:
		w := svc.spec.Waits[e.idx]
		if w.Local && s.c.byID[w.Service].readyNow() || !w.Local && svc.waitDone[e.idx] {
			return
		}
		var detail string
		if w.Local {
			detail = "local instance " + s.c.byID[w.Service].state.public().String()
		} else {
			_, attempts, d := svc.waitProg[e.idx].read()
			detail = fmt.Sprintf("%s, %d attempts", d, attempts)
		}
		s.fail(svc, fmt.Sprintf("wait on %s timed out after %s (%s)", w.Service, w.Timeout, detail))
	}
}
