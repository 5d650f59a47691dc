package supervisor

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// forwardable are the signals kinit passes on to the services that ask for
// them. SIGTERM and SIGINT are not among them: they stop kinit, which
// stops every service with its own stop signal.
var forwardable = []unix.Signal{unix.SIGHUP, unix.SIGUSR1, unix.SIGUSR2}

// evSignal is a forwardable signal kinit received.
type evSignal struct{ sig unix.Signal }

// parseForward reads a service's forward_signals.
func parseForward(names []string) ([]unix.Signal, []error) {
	var out []unix.Signal
	var errs []error
	for _, n := range names {
		sig, err := parseSignal(n)
		if err != nil {
			errs = append(errs, fmt.Errorf("forward_signals: unknown signal %q", n))
			continue
		}
		if !slices.Contains(forwardable, sig) {
			errs = append(errs, fmt.Errorf("forward_signals: %s cannot be forwarded (only SIGHUP, SIGUSR1 and SIGUSR2 can)", unix.SignalName(sig)))
			continue
		}
		if !slices.Contains(out, sig) {
			out = append(out, sig)
		}
	}
	return out, errs
}

// forwardSignal passes sig on to the process group of every running
// service that asked for it. A service that is stopping does not get it:
// it has its stop signal to deal with.
func (s *Supervisor) forwardSignal(sig unix.Signal) {
	name := unix.SignalName(sig)
	var to, ids []string
	for _, svc := range s.c.services {
		if !slices.Contains(svc.forward, sig) || (svc.state != stStarting && svc.state != stReady) {
			continue
		}
		signalGroup(svc.pid, sig)
		to = append(to, fmt.Sprintf("%s (pid %d)", svc.spec.ID, svc.pid))
		ids = append(ids, svc.spec.ID)
	}
	if len(to) == 0 {
		s.log.Info("received "+name+"; no running service takes it (forward_signals), ignored", "signal", name)
		return
	}
	s.log.Info("received "+name+"; forwarded to "+strings.Join(to, ", "), "signal", name, "services", strings.Join(ids, ","))
}
