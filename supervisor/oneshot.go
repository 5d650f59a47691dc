// One-shot services: run to completion, then done (plan.Service.OneShot).

package supervisor

import (
	"fmt"
	"github.com/kinit/kinit/plan"
	"os"
	"time"
)

// becomeDone marks a one-shot service completed; what waits on it starts.
func (s *Supervisor) becomeDone(svc *service, how string) {
	now := time.Now()
	svc.enter(stDone, now)
	svc.readyAt = now
	svc.probe = nil
	svc.message = how
	svc.failures = 0
	allReady := s.updatePhase()
	s.emit(Event{Time: now, Service: svc.spec.ID, Kind: EventDone, Restarts: svc.restarts, Message: how})
	s.log.Info(fmt.Sprintf("service %q done: %s", svc.spec.ID, how), "service", svc.spec.ID)
	if allReady {
		s.logAllReady()
	}
	s.settleRun(svc, nil)
	for _, d := range svc.dependents {
		s.checkWaits(d)
	}
}

// created reports whether a one-shot service has nothing left to do:
// every file it creates exists (the last one is named).
func created(spec plan.Service) (string, bool) {
	if !spec.OneShot || len(spec.Creates) == 0 {
		return "", false
	}
	for _, f := range spec.Creates {
		if _, err := os.Lstat(f); err != nil {
			return "", false
		}
	}
	return spec.Creates[len(spec.Creates)-1], true
}
