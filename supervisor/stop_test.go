package supervisor_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

// A child that ignores SIGTERM is killed when its grace period ends; that
// stop is not clean, so kinit exits 1.
func TestIgnoredTermKilledAfterGrace(t *testing.T) {
	stubborn := listening(t, svc("stubborn", "-ignore-term"))
	stubborn.Grace = 300 * time.Millisecond
	h := start(t, plan.Plan{Services: []plan.Service{stubborn}})
	h.rec.wait(t, 0, "stubborn", supervisor.EventReady)
	h.sup.Terminate()
	_, i := h.rec.wait(t, 0, "stubborn", supervisor.EventStopping)
	_, j := h.rec.wait(t, i, "stubborn", supervisor.EventKilled)
	e, _ := h.rec.wait(t, j, "stubborn", supervisor.EventExited)
	if e.Signal != "SIGKILL" || e.Clean {
		t.Fatalf("exit %+v, want an unclean SIGKILL", e)
	}
	if code := h.exitCode(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if !strings.Contains(h.out.String(), "stubborn | ignoring SIGTERM") {
		t.Fatalf("the child never saw SIGTERM; output:\n%s", h.out)
	}
}

// A second stop request skips the grace periods and kills what is left.
func TestSecondTerminateKills(t *testing.T) {
	base, top := listening(t, svc("base", "-ignore-term")), listening(t, svc("top", "-ignore-term"))
	top.Waits = localWaits("base")
	base.Grace, top.Grace = time.Hour, time.Hour
	h := start(t, plan.Plan{Services: []plan.Service{base, top}, StopTimeout: 2 * time.Hour})
	h.rec.wait(t, 0, "top", supervisor.EventReady)
	h.sup.Terminate()
	_, i := h.rec.wait(t, 0, "top", supervisor.EventStopping)
	testkit.Eventually(t, "top saw SIGTERM", func() bool { return strings.Contains(h.out.String(), "top | ignoring SIGTERM") })
	h.sup.Terminate()
	h.rec.wait(t, i, "top", supervisor.EventKilled)
	h.rec.wait(t, i, "base", supervisor.EventKilled)
	if code := h.exitCode(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if i := index(h.rec.all(), "base", supervisor.EventStopping, 1); i >= 0 {
		t.Fatal("base got its stop signal although the stop was cut short")
	}
}

// The overall stop deadline bounds the stop even when every grace is
// longer.
func TestStopDeadline(t *testing.T) {
	stubborn := listening(t, svc("stubborn", "-ignore-term"))
	stubborn.Grace = time.Hour
	h := start(t, plan.Plan{Services: []plan.Service{stubborn}, StopTimeout: 300 * time.Millisecond})
	h.rec.wait(t, 0, "stubborn", supervisor.EventReady)
	h.sup.Terminate()
	h.rec.wait(t, 0, "stubborn", supervisor.EventKilled)
	if code := h.exitCode(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
}

// Orphans forked by a service are reaped: no zombie stays below kinit.
func TestNoZombies(t *testing.T) {
	forker := svc("forker", "-orphans", "3", "-orphan-sleep", "50ms", "-exit-after", "0s")
	forker.Restart.Policy = plan.PolicyNever
	h := start(t, plan.Plan{Services: []plan.Service{forker}})
	h.rec.wait(t, 0, "forker", supervisor.EventStopped)
	testkit.Eventually(t, "the orphans exited", func() bool { return strings.Count(h.out.String(), "exiting with code") >= 4 })
	testkit.Eventually(t, "no zombie left", func() bool { return len(testkit.Zombies(os.Getpid())) == 0 })
}

// When the graces along a dependency chain add up to more than the overall
// deadline, each service gets a part in proportion to its grace: the
// dependent with the long grace (a broker's controlled shutdown) keeps most
// of it instead of a token slice.
func TestStopBudgetSharedInProportion(t *testing.T) {
	base, top := listening(t, svc("base")), listening(t, svc("top"))
	top.Waits = localWaits("base")
	base.Grace, top.Grace = 30*time.Second, 60*time.Second
	h := start(t, plan.Plan{Services: []plan.Service{base, top}, StopTimeout: 30 * time.Second})
	h.rec.wait(t, 0, "top", supervisor.EventReady)
	h.sup.Terminate()
	if code := h.exitCode(); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	grace := loggedGrace(t, h.logs.String(), "top")
	// 60/(60+30) of the 30 s left, less what elapsed before the stop.
	if grace < 15*time.Second || grace > 20*time.Second {
		t.Fatalf("top got grace %s, want about 20s (two thirds of the deadline)", grace)
	}
}

// loggedGrace finds the grace in kinit's "stopping service" line.
func loggedGrace(t *testing.T, logs, id string) time.Duration {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, `stopping service \"`+id+`\"`) {
			continue
		}
		_, after, ok := strings.Cut(line, " grace=")
		if !ok {
			continue
		}
		d, err := time.ParseDuration(strings.Fields(after)[0])
		if err != nil {
			t.Fatalf("bad grace in %q: %v", line, err)
		}
		return d
	}
	t.Fatalf("no stop line for %s in:\n%s", id, logs)
	return 0
}
