package supervisor_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

// Once a service's leader has been reaped its pid, the number of its
// process group, may be handed to an unrelated process that makes itself a
// group leader; kinit then no longer signals that number. A service that
// ends on its own is never signalled by group; a stopped one gets its stop
// signal while it runs and nothing after its exit. Before, both got a
// SIGKILL to the group after the reaper had collected the leader.
func TestNoGroupSignalAfterReap(t *testing.T) {
	calls, restore := supervisor.GroupSignals()
	defer restore()

	gone := svc("gone", "-exit-after", "0s", "-code", "0")
	gone.Restart.Policy = plan.PolicyNever
	h := start(t, plan.Plan{Services: []plan.Service{gone}})
	ev, _ := h.rec.wait(t, 0, "gone", supervisor.EventExited)
	h.rec.wait(t, 0, "gone", supervisor.EventStopped)
	if c := ofGroup(calls(), ev.Pid); len(c) > 0 {
		t.Errorf("the group of %d, whose leader exited and was reaped, was signalled: %v", ev.Pid, c)
	}

	stopped := listening(t, svc("stopped"))
	h = start(t, plan.Plan{Services: []plan.Service{stopped}})
	ready, _ := h.rec.wait(t, 0, "stopped", supervisor.EventReady)
	h.sup.Terminate()
	if code := h.exitCode(); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	want := []string{fmt.Sprintf("%d SIGTERM", -ready.Pid)}
	if c := ofGroup(calls(), ready.Pid); !slices.Equal(c, want) {
		t.Errorf("signals to the group of %d: %v, want only %v, sent while it ran", ready.Pid, c, want)
	}
}

// ofGroup keeps the calls that name pid's group.
func ofGroup(calls []string, pid int) []string {
	var out []string
	prefix := fmt.Sprintf("%d ", -pid)
	for _, c := range calls {
		if len(c) > len(prefix) && c[:len(prefix)] == prefix {
			out = append(out, c)
		}
	}
	return out
}
