// Rolling restarts: several services given new specs, restarted one at a
// time in start order, each ready again before the next goes.

package supervisor

import (
	"context"
	"errors"
	"fmt"
	"github.com/kinit/kinit/plan"
	"sort"
)

// RollStep is one service of a rolling restart.
type RollStep struct {
	Spec plan.Service

	// Before runs just before the service restarts, on the caller's
	// goroutine: the caller's chance to hold the restart (until the
	// cluster can spare the service) and to write the service's files. An
	// error ends the roll there; the service and those after it keep
	// their current specs.
	Before func(ctx context.Context) error
}

// RollOutcome is what became of one step.
type RollOutcome struct {
	ID string
	// Applied reports that the supervisor took the new spec: it is the
	// service's spec from now on, whether or not the service came back.
	Applied bool
	// Err is nil when the service is ready again with its new spec; else
	// why not (ErrServiceDown when it stays stopped). A service that does
	// not come back does not end the roll: the next one goes.
	Err error
}

// Roll restarts the services of steps with their new specs, one at a time:
// in start order (the lanes of the plan, then the plan's order within a
// lane), each one ready again, or given up on, before the next starts. So
// a dependency is back before what depends on it restarts, and a node
// never has two of its services down for one change.
//
// Roll runs on the caller's goroutine and reports each step to done as it
// ends. It returns nil once every step ran, the error of a Before that
// failed, or ctx's error (the caller has newer specs, or is stopping) or
// ErrShuttingDown: then the step under way keeps what it reached and the
// rest keep their current specs.
func (s *Supervisor) Roll(ctx context.Context, steps []RollStep, done func(RollOutcome)) error {
	order := map[string]int{}
	for _, lane := range s.c.lanes {
		for _, id := range lane {
			order[id] = len(order)
		}
	}
	for _, st := range steps {
		if _, ok := order[st.Spec.ID]; !ok {
			return fmt.Errorf("cannot restart %q: %w", st.Spec.ID, ErrUnknownService)
		}
	}
	steps = append([]RollStep(nil), steps...)
	sort.SliceStable(steps, func(i, j int) bool { return order[steps[i].Spec.ID] < order[steps[j].Spec.ID] })
	for _, st := range steps {
		if st.Before != nil {
			if err := st.Before(ctx); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		outcome, err := s.Update(ctx, st.Spec, true)
		if err != nil {
			if errors.Is(err, ErrShuttingDown) || ctx.Err() != nil {
				return err
			}
			done(RollOutcome{ID: st.Spec.ID, Err: fmt.Errorf("cannot restart %q: %w", st.Spec.ID, err)})
			continue
		}
		select {
		case err := <-outcome:
			if errors.Is(err, ErrShuttingDown) {
				return err
			}
			done(RollOutcome{ID: st.Spec.ID, Applied: true, Err: err})
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
