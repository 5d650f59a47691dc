package supervisor

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/kinit/kinit/internal/sigtab"
)

// evSignal is a forwardable signal kinit received.
type evSignal struct{ sig unix.Signal }

// signalService is `kinit signal`: one service's group, whatever its
// forward_signals say, while a process of it runs.
func (s *Supervisor) signalService(svc *service, sig unix.Signal) error {
	if svc.pid == 0 || !svc.state.running() {
		return fmt.Errorf("cannot signal %q: %w (%s)", svc.spec.ID, ErrNotRunning, svc.state.public())
	}
	name := sigtab.Name(sig)
	signalGroup(svc, sig)
	s.log.Info("sent "+name+" to "+svc.spec.ID+" by request", "service", svc.spec.ID, "signal", name, "pid", svc.pid)
	return nil
}

// forwardSignal passes sig on to the process group of every running
// service that asked for it. A service that is stopping does not get it:
// it has its stop signal to deal with.
func (s *Supervisor) forwardSignal(sig unix.Signal) {
	name := sigtab.Name(sig)
	var to, ids []string
	for _, svc := range s.c.services {
		if !slices.Contains(svc.forward, sig) || (svc.state != stStarting && svc.state != stReady) {
			continue
		}
		signalGroup(svc, sig)
		to = append(to, fmt.Sprintf("%s (pid %d)", svc.spec.ID, svc.pid))
		ids = append(ids, svc.spec.ID)
	}
	if len(to) == 0 {
		s.log.Info("received "+name+"; no running service takes it (forward_signals), ignored", "signal", name)
		return
	}
	s.log.Info("received "+name+"; forwarded to "+strings.Join(to, ", "), "signal", name, "services", strings.Join(ids, ","))
}
