package supervisor_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

// checked is a service whose probe passes while flag exists: the test
// wedges and heals it by removing and recreating the file.
func checked(t *testing.T, onUnhealthy plan.OnUnhealthy) (plan.Service, string) {
	t.Helper()
	flag := filepath.Join(t.TempDir(), "healthy")
	if err := os.WriteFile(flag, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := svc("broker")
	s.Probe = &plan.Probe{Kind: plan.ProbeExec, Command: []string{"/usr/bin/test", "-e", flag},
		Interval: 20 * time.Millisecond, CheckInterval: 30 * time.Millisecond, FailureThreshold: 3, OnUnhealthy: onUnhealthy}
	return s, flag
}

// Ready is ready now: a service that fails its checks after it was ready
// turns unhealthy (not ready, with since-when and why) without being
// restarted, and ready again once a check passes. Before, "ready" latched.
func TestReadyServiceTurnsUnhealthyAndBack(t *testing.T) {
	s, flag := checked(t, plan.OnUnhealthyNone)
	h := start(t, plan.Plan{Services: []plan.Service{s}})
	_, i := h.rec.wait(t, 0, "broker", supervisor.EventReady)
	pid := h.status("broker").Pid

	if err := os.Remove(flag); err != nil {
		t.Fatal(err)
	}
	ev, i := h.rec.wait(t, i, "broker", supervisor.EventUnhealthy)
	if ev.Message == "" {
		t.Error("the unhealthy event says not why")
	}
	st := h.status("broker")
	if st.Ready || st.State != supervisor.StateUnhealthy || st.Unhealthy == nil ||
		st.Unhealthy.Failures < 3 || st.Unhealthy.Reason == "" || st.Unhealthy.Since.IsZero() {
		t.Fatalf("status of an unhealthy service: %+v (unhealthy %+v)", st, st.Unhealthy)
	}
	if st.Pid != pid || st.Restarts != 0 {
		t.Fatalf("an unhealthy service without on_unhealthy was restarted: pid %d→%d, restarts %d", pid, st.Pid, st.Restarts)
	}
	if sn := h.sup.Snapshot(); sn.AllReady() {
		t.Error("the node counts as ready with an unhealthy service")
	}

	if err := os.WriteFile(flag, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	h.rec.wait(t, i, "broker", supervisor.EventHealthy)
	if st := h.status("broker"); !st.Ready || st.State != supervisor.StateReady || st.Unhealthy != nil || st.Pid != pid {
		t.Fatalf("status after a passing check: %+v", st)
	}
}

// on_unhealthy = "restart" stops an unhealthy service and counts the run
// as failed against its budget.
func TestUnhealthyServiceRestarted(t *testing.T) {
	s, flag := checked(t, plan.OnUnhealthyRestart)
	h := start(t, plan.Plan{Services: []plan.Service{s}})
	_, i := h.rec.wait(t, 0, "broker", supervisor.EventReady)
	pid := h.status("broker").Pid
	if err := os.Remove(flag); err != nil {
		t.Fatal(err)
	}
	_, i = h.rec.wait(t, i, "broker", supervisor.EventUnhealthy)
	_, i = h.rec.wait(t, i, "broker", supervisor.EventStopping)
	_, _ = h.rec.wait(t, i, "broker", supervisor.EventRestarting)
	if st := h.status("broker"); st.Failures != 1 {
		t.Fatalf("failures after an unhealthy restart: %d, want 1", st.Failures)
	}
	if err := os.WriteFile(flag, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	h.rec.waitFrom(t, i, "broker ready again", func(e supervisor.Event) bool {
		return e.Service == "broker" && e.Kind == supervisor.EventReady && e.Pid != pid
	})
}
