package supervisor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kinit/kinit/supervisor/reaper"
	"golang.org/x/sys/unix"
)

// Loop events.
type (
	evExit struct {
		svc *service
		pid int
		st  reaper.Status
	}
	evReady struct {
		svc *service
		gen uint64
	}
	evCheck struct { // one check of a ready service (health.go)
		svc *service
		gen uint64
		err error
	}
	evWaitDone struct {
		svc *service
		gen uint64
		idx int
	}
	evTimer struct {
		svc  *service // nil for kinit-wide timers
		gen  uint64
		kind timerKind
		idx  int
	}
)

// killNumber sends a signal by number (kill(2)); a variable so tests can
// see which groups kinit signals, and when.
var killNumber = unix.Kill

func (s *Supervisor) handle(ev any) {
	switch e := ev.(type) {
	case evExit:
		s.onExit(e.svc, e.pid, e.st)
	case evReady:
		if e.svc.gen == e.gen && e.svc.state == stStarting {
			s.becomeReady(e.svc)
		}
	case evCheck:
		if e.svc.gen == e.gen && e.svc.state == stReady {
			s.onCheck(e.svc, e.err)
		}
	case evWaitDone:
		if e.svc.gen == e.gen && e.svc.state == stWaiting {
			e.svc.waitDone[e.idx] = true
			s.checkWaits(e.svc)
		}
	case evTimer:
		s.onTimer(e)
	case evSignal:
		s.forwardSignal(e.sig)
	}
}

// beginWaiting (re)starts a service's waits; with nothing to wait for it
// starts the process at once.
func (s *Supervisor) beginWaiting(svc *service) {
	svc.enter(stWaiting, time.Now())
	svc.after = thenStay
	svc.probe = nil
	waits := svc.spec.Waits
	svc.waitDone = make([]bool, len(waits))
	svc.waitProg = make([]*progress, len(waits))
	svc.remoteBegun = false
	if len(waits) > 0 {
		for i, w := range waits {
			if w.Timeout > 0 {
				s.timer(svc, w.Timeout, tWaitTimeout, i)
			}
			if !w.Local {
				svc.waitProg[i] = newProgress()
			}
		}
		s.emit(Event{Service: svc.spec.ID, Kind: EventWaiting, Restarts: svc.restarts})
	}
	s.checkWaits(svc)
}

// checkWaits starts the process when every wait is satisfied. Local waits
// are re-checked against the dependency's current state, so one that
// stopped meanwhile is waited for again. Remote waits begin once the local
// ones are satisfied: they often ask a cluster the local dependency is a
// member of (the broker's ZooKeeper gate), and probed earlier they would
// only fail and back off, so the service would start late.
func (s *Supervisor) checkWaits(svc *service) {
	if svc.state != stWaiting || s.shutdown {
		return
	}
	for _, w := range svc.spec.Waits {
		if w.Local && !s.c.byID[w.Service].readyNow() {
			return
		}
	}
	if !svc.remoteBegun {
		svc.remoteBegun = true
		var ctx context.Context
		for i, w := range svc.spec.Waits {
			if !w.Local {
				if ctx == nil {
					ctx = svc.context(s.ctx)
				}
				go s.remoteWait(ctx, svc, svc.spec, svc.gen, i, w, svc.waitProg[i])
			}
		}
	}
	for i, w := range svc.spec.Waits {
		if !w.Local && !svc.waitDone[i] {
			return
		}
	}
	if f, ok := created(svc.spec); ok {
		s.becomeDone(svc, f+" exists; not run")
		return
	}
	s.spawn(svc)
}

func (s *Supervisor) spawn(svc *service) {
	now := time.Now()
	if svc.spawns > 0 {
		svc.restarts++
	}
	svc.spawns++
	svc.startedAt, svc.readyAt = now, time.Time{}
	svc.stable = false
	svc.unhealthy, svc.checkFails = nil, 0
	proc, exited, err := s.startProcess(svc)
	if err != nil {
		code := execFailureCode(err)
		svc.enter(stStarting, now)
		svc.lastExit = &ExitInfo{At: now, Code: code, Text: err.Error()}
		s.log.Error(fmt.Sprintf("service %q cannot start: %v", svc.spec.ID, err), "service", svc.spec.ID)
		s.emit(Event{Service: svc.spec.ID, Kind: EventExited, ExitCode: code, Restarts: svc.restarts, Message: err.Error()})
		s.onRunEnded(svc, false, false)
		return
	}
	svc.enter(stStarting, now)
	pid := proc.Pid
	svc.pid, svc.proc = pid, proc
	go func() { s.send(evExit{svc: svc, pid: pid, st: <-exited}) }()
	s.emit(Event{Time: now, Service: svc.spec.ID, Kind: EventStarted, Pid: pid, Restarts: svc.restarts})
	s.log.Info(fmt.Sprintf("service %q started", svc.spec.ID), "service", svc.spec.ID, "pid", pid, "restarts", svc.restarts)
	pr := svc.spec.Probe
	if svc.spec.OneShot {
		return // done when it exits 0
	}
	if pr == nil {
		s.becomeReady(svc)
		return
	}
	if pr.StartTimeout > 0 {
		s.timer(svc, pr.StartTimeout, tStartDeadline, 0)
	}
	svc.probe = newProgress()
	go s.readiness(svc.context(s.ctx), svc, svc.spec, svc.gen, svc.probe, len(svc.dependents) > 0, svc.wake)
}

func (s *Supervisor) becomeReady(svc *service) {
	now := time.Now()
	svc.enter(stReady, now)
	svc.readyAt = now
	svc.probe = nil
	// The phase moves before the event, so the snapshot published with the
	// last ready event already says running.
	allReady := s.updatePhase()
	s.emit(Event{Time: now, Service: svc.spec.ID, Kind: EventReady, Pid: svc.pid, Restarts: svc.restarts})
	s.log.Info(fmt.Sprintf("service %q ready", svc.spec.ID), "service", svc.spec.ID, "pid", svc.pid,
		"after", now.Sub(svc.startedAt).Round(time.Millisecond).String())
	if allReady {
		s.logAllReady()
	}
	s.startChecks(svc)
	// After the log line, so that whoever waited for it logs after it.
	s.settleRun(svc, nil)
	// Waiting dependents learn it now, from here, not from polling.
	for _, d := range svc.dependents {
		s.checkWaits(d)
	}
}

func (s *Supervisor) onExit(svc *service, pid int, st reaper.Status) {
	if svc.pid != pid {
		return
	}
	now := time.Now()
	// Helpers the service forked die with it, before the next run binds
	// its port: every process left in the service's cgroup, and every one
	// marked as the service's, inside its process group or escaped from
	// it. Not by the group's number: the leader is reaped, so that number
	// may already be another process's, which can make itself a group
	// leader (docs/reliability.md: a group is signalled only while its
	// leader is unreaped). In a stop the end-of-stop sweep gets them,
	// SIGTERM first.
	if s.opts.OwnsProcess && !s.shutdown {
		if s.cg != nil {
			s.cg.kill(svc.cgroup)
		}
		s.killEscapees(svc)
	}
	wasReady := svc.state == stReady || !svc.readyAt.IsZero()
	expected := svc.state == stStopping || svc.state == stKilling
	clean := cleanEnd(st, svc.stopSignal, expected)
	svc.pid, svc.proc = 0, nil
	svc.lastExit = &ExitInfo{
		At: now, Pid: pid, Code: st.ExitCode(), Expected: expected, Clean: clean, Text: st.String(),
	}
	if sig := st.Signaled(); sig != 0 {
		svc.lastExit.Signal = unix.SignalName(sig)
	}
	s.emit(Event{Time: now, Service: svc.spec.ID, Kind: EventExited, Pid: pid, ExitCode: st.ExitCode(),
		Signal: svc.lastExit.Signal, Clean: clean, Restarts: svc.restarts, Message: st.String()})
	if expected {
		if !clean && s.shutdown {
			s.unclean = true
		}
		lvl := s.log.Info
		if !clean {
			lvl = s.log.Warn
		}
		lvl(fmt.Sprintf("service %q stopped: %s", svc.spec.ID, st), "service", svc.spec.ID, "pid", pid)
		switch {
		case svc.after == thenFail:
			s.onRunEnded(svc, false, wasReady)
		case svc.after == thenRestart && !s.shutdown:
			s.beginWaiting(svc)
		default:
			s.setDown(svc, stStopped, "")
		}
	} else {
		if !s.shutdown {
			s.followers(svc)
		}
		s.onRunEnded(svc, st.Wait.Exited() && st.ExitCode() == 0, wasReady)
	}
	if s.shutdown {
		s.advanceShutdown()
	}
}

// cleanEnd: a process asked to stop ended cleanly when it exited 0, died
// of its stop signal, or exited 128+signal the way the JVM does after its
// shutdown hooks ran (143 for SIGTERM). A process that ended on its own
// ended cleanly only with code 0.
func cleanEnd(st reaper.Status, stopSig unix.Signal, expected bool) bool {
	if st.Wait.Exited() {
		c := st.Wait.ExitStatus()
		return c == 0 || (expected && c == 128+int(stopSig))
	}
	return expected && st.Signaled() == stopSig
}

// onRunEnded decides what follows a run that ended without being asked to.
func (s *Supervisor) onRunEnded(svc *service, clean, wasReady bool) {
	now := time.Now()
	desc := svc.lastExit.Text
	id := svc.spec.ID
	if clean && svc.spec.OneShot && !s.shutdown {
		s.becomeDone(svc, desc)
		return
	}
	s.settleRun(svc, errors.New(desc))
	if s.shutdown {
		s.setDown(svc, stStopped, "")
		return
	}
	r := svc.spec.Restart
	if !svc.policyRestarts(clean) {
		if clean {
			s.log.Info(fmt.Sprintf("service %q %s; not restarted (policy %s)", id, desc, r.Policy), "service", id)
			s.setDown(svc, stStopped, desc)
			return
		}
		s.fail(svc, fmt.Sprintf("%s; policy %s does not restart it", desc, r.Policy))
		return
	}
	ran := now.Sub(svc.startedAt)
	// Stable means ready for ResetAfter, not merely alive that long: a
	// process that never gets ready must use up its budget.
	if svc.stable || svc.readyNow() && now.Sub(svc.readyAt) >= r.ResetAfter {
		svc.failures = 0
	}
	svc.failures++
	if r.Budget > 0 && svc.failures > r.Budget {
		s.fail(svc, fmt.Sprintf("%s; %d restarts without a stable run used up its budget", desc, svc.failures-1))
		return
	}
	delay := backoffDelay(r, svc.failures, ran, wasReady)
	svc.enter(stBackoff, now)
	svc.nextStart = now.Add(delay)
	s.timer(svc, delay, tBackoff, 0)
	s.emit(Event{Time: now, Service: id, Kind: EventRestarting, Backoff: delay, Restarts: svc.restarts, Message: desc})
	s.log.Warn(fmt.Sprintf("service %q %s; restarting in %s", id, desc, delay.Round(time.Millisecond)),
		"service", id, "failures", svc.failures)
}

// fail puts a service down for good; a required one takes kinit down.
func (s *Supervisor) fail(svc *service, msg string) {
	s.log.Error(fmt.Sprintf("service %q failed: %s", svc.spec.ID, msg), "service", svc.spec.ID)
	s.setDown(svc, stFailed, msg)
	if svc.spec.Required && !s.shutdown {
		s.failedReq = true
		s.log.Error(fmt.Sprintf("required service %q failed; stopping everything", svc.spec.ID))
		s.beginShutdown()
	}
}

func (s *Supervisor) setDown(svc *service, st state, msg string) {
	svc.enter(st, time.Now())
	svc.message = msg
	svc.probe = nil
	s.settleRun(svc, downError(st, msg, s.shutdown))
	kind := EventStopped
	if st == stFailed {
		kind = EventFailed
	}
	s.emit(Event{Service: svc.spec.ID, Kind: kind, Restarts: svc.restarts, Message: msg})
}
