package supervisor

import (
	"context"
	"errors"
	"fmt"
	"github.com/kinit/kinit/plan"
	"slices"
)

// ErrServiceDown is what an Update's outcome channel reports for a service
// that is stopped and stays so: the new spec applies when it is started.
var ErrServiceDown = errors.New("service is stopped")

// CanUpdate reports whether next may replace cur while kinit runs: the
// same id, the same waits (by service and locality: remote targets,
// timeouts and counts may change) and the same restart_with. The order
// of starts and stops is fixed when Run begins; changing it needs a new
// supervisor.
func CanUpdate(cur, next plan.Service) error {
	if cur.ID != next.ID {
		return fmt.Errorf("cannot replace service %q by %q at run time", cur.ID, next.ID)
	}
	type edge struct {
		id    string
		local bool
	}
	edges := func(s plan.Service) []edge {
		var out []edge
		for _, w := range s.Waits {
			out = append(out, edge{w.Service, w.Local})
		}
		return out
	}
	if !slices.Equal(edges(cur), edges(next)) {
		return fmt.Errorf("cannot change the waits of service %q at run time (%s -> %s)", cur.ID, waitList(cur), waitList(next))
	}
	a, b := slices.Clone(cur.RestartWith), slices.Clone(next.RestartWith)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		return fmt.Errorf("cannot change restart_with of service %q at run time (%v -> %v)", cur.ID, cur.RestartWith, next.RestartWith)
	}
	return nil
}

func waitList(s plan.Service) string {
	out := "["
	for i, w := range s.Waits {
		if i > 0 {
			out += " "
		}
		out += w.Service
		if !w.Local {
			out += "(remote)"
		}
	}
	return out + "]"
}

// Update replaces the spec of one service while Run runs; it is how a
// configuration reload reaches the supervisor. The new spec must pass
// CanUpdate and the checks New makes; then everything else may change:
// command, environment, credentials, capabilities, probe, restart policy,
// stop signal, grace, forwarded signals, remote wait targets.
//
// Without restart the running process is left alone and the new spec
// applies at its next start. With restart the service picks it up now:
//   - starting or ready: stopped with its current stop signal and grace,
//     then it waits again and starts with the new spec (services that
//     restart_with it follow, as with Restart);
//   - waiting or in backoff: it waits again from the start;
//   - stopping: it starts with the new spec once stopped, unless it was
//     being stopped for good (an operator's stop);
//   - failed: it waits and starts again;
//   - stopped: it stays stopped (an operator's or its policy's decision).
//
// The count of failed runs starts over: a new spec is a new chance.
//
// Update returns once the loop has taken the spec. The channel then gets
// one value, the outcome of the first run with the new spec: nil when the
// service is ready (at once without restart), else why not — it exited
// before it was ready, failed, was stopped (ErrServiceDown when it stays
// stopped), or kinit is stopping (ErrShuttingDown).
func (s *Supervisor) Update(ctx context.Context, spec plan.Service, restart bool) (<-chan error, error) {
	if _, ok := s.c.byID[spec.ID]; !ok {
		return nil, fmt.Errorf("cannot update %q: %w", spec.ID, ErrUnknownService)
	}
	outcome := make(chan error, 1)
	r := request{op: "update", id: spec.ID, spec: spec, restart: restart, outcome: outcome, reply: make(chan error, 1)}
	select {
	case s.reqs <- r:
	case <-s.done:
		return nil, ErrShuttingDown
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case err := <-r.reply:
		if err != nil {
			return nil, err
		}
		return outcome, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Hold shows note in the service's waiting-on line while nothing else
// fills it; "" clears it. A reload holds a restart back with it until the
// cluster can spare the service. The note is the caller's, not service
// state: it changes nothing the loop decides, so it bypasses the loop.
func (s *Supervisor) Hold(id, note string) {
	if note == "" {
		s.holds.Delete(id)
		return
	}
	s.holds.Store(id, note)
}

// update runs on the loop.
func (s *Supervisor) update(r request) error {
	if s.shutdown {
		return ErrShuttingDown
	}
	svc := s.c.byID[r.id]
	if err := CanUpdate(svc.spec, r.spec); err != nil {
		return err
	}
	// Compile the whole plan with the new spec: the same checks as New,
	// and the fields derived from the spec (stop signal, capabilities,
	// forwarded signals) computed the same way.
	p := s.c.plan
	p.Services = make([]plan.Service, len(s.c.services))
	for i, x := range s.c.services {
		p.Services[i] = x.spec
	}
	p.Services[svc.idx] = r.spec
	c, err := compile(p)
	if err != nil {
		return fmt.Errorf("cannot update %q: %w", r.id, err)
	}
	n := c.byID[r.id]
	// Goroutines of the current state got their copy of the old spec when
	// they started; nothing but the loop reads svc.spec.
	svc.spec, svc.stopSignal, svc.caps, svc.forward = n.spec, n.stopSignal, n.caps, n.forward
	s.c.plan.Services = c.plan.Services
	if !r.restart {
		s.log.Info(fmt.Sprintf("service %q updated; the new settings apply at its next start", r.id), "service", r.id)
		r.outcome <- nil
		return nil
	}
	if svc.state == stStopped {
		s.log.Info(fmt.Sprintf("service %q updated; it stays stopped until started", r.id), "service", r.id)
		r.outcome <- fmt.Errorf("%w; the new settings apply when it is started", ErrServiceDown)
		return nil
	}
	s.log.Info(fmt.Sprintf("service %q updated; restarting it", r.id), "service", r.id, "state", svc.state.String())
	svc.failures = 0
	svc.settle = append(svc.settle, r.outcome)
	switch svc.state {
	case stStarting, stReady:
		s.beginStop(svc, thenRestart)
	case stStopping, stKilling:
		if svc.after != thenStay {
			svc.after = thenRestart
		}
	case stIdle, stWaiting, stBackoff, stFailed, stDone:
		svc.message = ""
		s.beginWaiting(svc)
	}
	return nil
}

// settleRun reports the end of a run that started after an Update (ready
// when err is nil) to whoever waits on it.
func (s *Supervisor) settleRun(svc *service, err error) {
	for _, ch := range svc.settle {
		ch <- err // buffered, one value each
	}
	svc.settle = nil
}

// settleAll ends every wait when Run returns.
func (s *Supervisor) settleAll() {
	for _, svc := range s.c.services {
		s.settleRun(svc, ErrShuttingDown)
	}
}

// downError is the outcome of a run that ended with the service down.
func downError(st state, msg string, shutdown bool) error {
	switch {
	case shutdown:
		return ErrShuttingDown
	case st == stFailed:
		return fmt.Errorf("service failed: %s", msg)
	case msg != "":
		return fmt.Errorf("%w: %s", ErrServiceDown, msg)
	}
	return ErrServiceDown
}
