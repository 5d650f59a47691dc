// Stopping one service: its stop signal, SIGKILL, and who restarts with it.

package supervisor

import (
	"fmt"
	"slices"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// followers stops the running dependents that asked to restart with dep;
// they wait for it again and start once it is ready.
func (s *Supervisor) followers(dep *service) {
	for _, d := range dep.dependents {
		if !slices.Contains(d.restartWith, dep) {
			continue
		}
		switch d.state {
		case stStarting, stReady:
			s.log.Info(fmt.Sprintf("restarting %q with %q", d.spec.ID, dep.spec.ID), "service", d.spec.ID)
			s.beginStop(d, thenRestart)
		case stBackoff:
			s.beginWaiting(d)
		}
	}
}

// beginStop sends the stop signal to a running service's process group.
func (s *Supervisor) beginStop(svc *service, after afterStop) {
	grace := s.graceFor(svc)
	pid := svc.pid
	svc.enter(stStopping, time.Now())
	svc.after = after
	svc.probe = nil
	signalGroup(svc, svc.stopSignal)
	s.timer(svc, grace, tGrace, 0)
	s.emit(Event{Service: svc.spec.ID, Kind: EventStopping, Pid: pid, Restarts: svc.restarts})
	s.log.Info(fmt.Sprintf("stopping service %q", svc.spec.ID), "service", svc.spec.ID, "pid", pid,
		"signal", unix.SignalName(svc.stopSignal), "grace", grace.String())
	if !s.shutdown {
		s.followers(svc)
	}
}

// signalGroup sends sig to a running service's process group. The group
// is named by the leader's pid, a number the kernel may hand to another
// process once the leader has been reaped; so the leader is first asked
// through its pidfd (Go's os.Process holds one), which fails once it is
// reaped, and only then is the number used. While the leader is a zombie
// or alive, its pid cannot be recycled.
func signalGroup(svc *service, sig unix.Signal) {
	if svc.proc == nil || svc.pid <= 0 {
		return
	}
	if svc.proc.Signal(syscall.Signal(0)) != nil {
		return // reaped already: its exit event is on the way
	}
	_ = killNumber(-svc.pid, sig)
}

func (s *Supervisor) kill(svc *service) {
	after := svc.after
	svc.enter(stKilling, time.Now())
	svc.after = after
	signalGroup(svc, unix.SIGKILL)
	s.emit(Event{Service: svc.spec.ID, Kind: EventKilled, Pid: svc.pid, Restarts: svc.restarts})
}
