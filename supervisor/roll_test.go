package supervisor_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

// Roll restarts in start order whatever order it is given, and the next
// service goes only once the one before is ready again.
func TestRollInStartOrder(t *testing.T) {
	a, b, c := listening(t, svc("a")), listening(t, svc("b")), listening(t, svc("c"))
	b.Waits = localWaits("a")
	c.Waits = localWaits("b")
	h := start(t, plan.Plan{Services: []plan.Service{a, b, c}})
	_, i := h.rec.wait(t, 0, "c", supervisor.EventReady)
	old := map[string]int{"a": h.status("a").Pid, "b": h.status("b").Pid, "c": h.status("c").Pid}

	with := func(s plan.Service) plan.Service {
		s.Env = []string{"GEN=2"}
		return s
	}
	var before, done []string
	step := func(s plan.Service, dep string) supervisor.RollStep {
		return supervisor.RollStep{Spec: with(s), Before: func(context.Context) error {
			before = append(before, s.ID)
			if dep == "" {
				return nil
			}
			if st := h.status(dep); !st.Ready || st.Pid == old[dep] {
				t.Errorf("%s goes before %s is ready again: %+v", s.ID, dep, st)
			}
			return nil
		}}
	}
	err := h.sup.Roll(context.Background(), []supervisor.RollStep{step(c, "b"), step(a, ""), step(b, "a")}, func(o supervisor.RollOutcome) {
		if o.Err != nil || !o.Applied {
			t.Errorf("outcome %+v", o)
		}
		done = append(done, o.ID)
	})
	if err != nil {
		t.Fatalf("Roll: %v", err)
	}
	if want := []string{"a", "b", "c"}; !slices.Equal(before, want) || !slices.Equal(done, want) {
		t.Fatalf("before %v, done %v, want %v for both", before, done, want)
	}
	events := h.rec.all()[i:]
	for _, id := range []string{"a", "b", "c"} {
		if st := h.status(id); !st.Ready || st.Pid == old[id] {
			t.Errorf("%s after the roll: %+v", id, st)
		}
		if n := countKind(events, id, supervisor.EventStopping); n != 1 {
			t.Errorf("%s stopped %d times, want once", id, n)
		}
	}
	// One down at a time: b stops only after a is ready again.
	if aReady, bStops := index(events, "a", supervisor.EventReady, 1), index(events, "b", supervisor.EventStopping, 1); aReady < 0 || bStops < aReady {
		t.Errorf("b stopped at event %d, before a was ready again at %d:\n%s", bStops, aReady, h.rec.dump())
	}
}

// A failing Before ends the roll there: that service and those after it
// keep their processes and specs. A cancelled context ends it the same way.
func TestRollEndsEarly(t *testing.T) {
	a, b := listening(t, svc("a")), listening(t, svc("b"))
	b.Waits = localWaits("a")
	h := start(t, plan.Plan{Services: []plan.Service{a, b}})
	h.rec.wait(t, 0, "b", supervisor.EventReady)
	pa, pb := h.status("a").Pid, h.status("b").Pid
	refused := errors.New("cannot write the files")
	ctx, cancel := context.WithCancel(context.Background())
	tests := []struct {
		name   string
		before func(context.Context) error
		want   error
	}{
		{"before fails", func(context.Context) error { return refused }, refused},
		{"cancelled", func(context.Context) error { cancel(); return nil }, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps := []supervisor.RollStep{{Spec: a, Before: tt.before}, {Spec: b}}
			err := h.sup.Roll(ctx, steps, func(o supervisor.RollOutcome) { t.Errorf("outcome for %s", o.ID) })
			if !errors.Is(err, tt.want) {
				t.Fatalf("Roll: %v, want %v", err, tt.want)
			}
			if h.status("a").Pid != pa || h.status("b").Pid != pb {
				t.Fatalf("a service was restarted: a %+v, b %+v", h.status("a"), h.status("b"))
			}
		})
	}
	if err := h.sup.Roll(context.Background(), []supervisor.RollStep{{Spec: svc("zz")}}, nil); !errors.Is(err, supervisor.ErrUnknownService) {
		t.Fatalf("unknown service: %v", err)
	}
}
