package supervisor_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

// A required service that never gets ready is stopped at its start
// timeout each time; however long that timeout, the runs are not stable,
// so the budget trips and kinit stops the node and exits 1.
func TestNeverReadyUsesUpBudget(t *testing.T) {
	defer supervisor.FakeMinSpawnInterval(0)()
	base := svc("base")
	stuck := svc("stuck")
	stuck.Required = true
	stuck.Waits = localWaits("base")
	stuck.Probe = tcpProbe(freeAddr(t, "127.0.0.1"))
	stuck.Probe.StartTimeout = 300 * time.Millisecond
	stuck.Restart.ResetAfter = 50 * time.Millisecond
	stuck.Restart.Budget = 2
	stuck.Restart.BackoffMin, stuck.Restart.BackoffMax = time.Millisecond, 5*time.Millisecond
	h := start(t, plan.Plan{Services: []plan.Service{base, stuck}})
	if code := h.exitCode(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	ev := h.rec.all()
	if n := countKind(ev, "stuck", supervisor.EventStarted); n != 3 {
		t.Errorf("stuck started %d times, want 3 (1 + budget 2)", n)
	}
	failed := index(ev, "stuck", supervisor.EventFailed, 1)
	if failed < 0 || !strings.Contains(ev[failed].Message, "budget") {
		t.Fatalf("no failure for the budget:\n%s", h.rec.dump())
	}
	if index(ev, "base", supervisor.EventStopping, 1) < failed {
		t.Fatalf("base not stopped after the failure:\n%s", h.rec.dump())
	}
}

// A process that stays ready for reset_after was a stable run: its crash
// starts the count over, so a budget of 1 never trips.
func TestReadyRunResetsBudget(t *testing.T) {
	defer supervisor.FakeMinSpawnInterval(0)()
	addr := freeAddr(t, "127.0.0.1")
	a := svc("a", "-listen", addr, "-exit-after", "400ms", "-code", "1")
	a.Probe = tcpProbe(addr)
	a.Restart.ResetAfter = 100 * time.Millisecond
	a.Restart.Budget = 1
	a.Restart.BackoffMin, a.Restart.BackoffMax = time.Millisecond, 5*time.Millisecond
	h := start(t, plan.Plan{Services: []plan.Service{a}})
	i := 0
	for range 4 {
		_, i = h.rec.wait(t, i, "a", supervisor.EventStarted)
		i++
	}
	if index(h.rec.all(), "a", supervisor.EventFailed, 1) >= 0 {
		t.Fatalf("failed although every run was stable:\n%s", h.rec.dump())
	}
	if st := h.status("a"); st.Failures > 1 {
		t.Fatalf("failures %d, want at most 1 after stable runs", st.Failures)
	}
}

// budget = 0 means no limit, in the plan as in kinit.toml.
func TestBudgetZeroIsUnlimited(t *testing.T) {
	defer supervisor.FakeMinSpawnInterval(0)()
	a := svc("a", "-exit-after", "0s", "-code", "1")
	a.Required = true
	a.Restart.BackoffMin, a.Restart.BackoffMax = time.Millisecond, 2*time.Millisecond
	h := start(t, plan.Plan{Services: []plan.Service{a}})
	i := 0
	for range 15 {
		_, i = h.rec.wait(t, i, "a", supervisor.EventStarted)
		i++
	}
	if index(h.rec.all(), "a", supervisor.EventFailed, 1) >= 0 {
		t.Fatalf("failed with budget 0:\n%s", h.rec.dump())
	}
}
