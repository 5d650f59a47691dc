// Control requests: start, stop, restart and signal one service, handed to
// the loop and answered from it.

package supervisor

import (
	"context"
	"fmt"

	"github.com/kinit/kinit/plan"
	"golang.org/x/sys/unix"
)

// request is a control command for the loop.
type request struct {
	op    string // start, stop, restart, update
	id    string
	reply chan error

	sig unix.Signal // signal only

	// update only (see update.go)
	spec    plan.Service
	restart bool
	outcome chan<- error
}

// Start, Stop and Restart act on one service. They return once the loop
// has accepted the command, not when the service got there.
func (s *Supervisor) Start(ctx context.Context, id string) error { return s.do(ctx, "start", id) }

func (s *Supervisor) Stop(ctx context.Context, id string) error { return s.do(ctx, "stop", id) }

func (s *Supervisor) Restart(ctx context.Context, id string) error { return s.do(ctx, "restart", id) }

// Signal sends sig to the process group of one running service.
func (s *Supervisor) Signal(ctx context.Context, id string, sig unix.Signal) error {
	return s.send1(ctx, request{op: "signal", id: id, sig: sig})
}

func (s *Supervisor) do(ctx context.Context, op, id string) error {
	return s.send1(ctx, request{op: op, id: id})
}

func (s *Supervisor) send1(ctx context.Context, r request) error {
	op, id := r.op, r.id
	if _, ok := s.c.byID[id]; !ok {
		return fmt.Errorf("cannot %s %q: %w", op, id, ErrUnknownService)
	}
	r.reply = make(chan error, 1)
	select {
	case s.reqs <- r:
	case <-s.done:
		return ErrShuttingDown
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Supervisor) handleRequest(r request) error {
	if r.op == "update" {
		return s.update(r)
	}
	if r.op == "signal" {
		// Also while stopping: a thread dump of a broker that hangs in
		// its shutdown is when one is wanted most.
		return s.signalService(s.c.byID[r.id], r.sig)
	}
	if s.shutdown {
		return ErrShuttingDown
	}
	svc := s.c.byID[r.id]
	s.log.Info("control request", "op", r.op, "service", r.id)
	switch r.op {
	case "stop":
		if svc.state.running() {
			if svc.state == stStarting || svc.state == stReady {
				s.beginStop(svc, thenStay)
			} else {
				svc.after = thenStay
			}
			return nil
		}
		if !svc.state.down() {
			s.setDown(svc, stStopped, "stopped by request")
		}
		return nil
	case "restart":
		if svc.state == stStarting || svc.state == stReady {
			s.beginStop(svc, thenRestart)
			return nil
		}
		if svc.state.running() {
			svc.after = thenRestart
			return nil
		}
		fallthrough
	case "start":
		switch {
		case svc.state.down():
			svc.failures = 0
			svc.message = ""
			s.beginWaiting(svc)
		case svc.state == stBackoff:
			s.beginWaiting(svc)
		case svc.state == stStopping || svc.state == stKilling:
			svc.after = thenRestart
		}
		return nil
	}
	return fmt.Errorf("unknown operation %q", r.op)
}
