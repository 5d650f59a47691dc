package supervisor_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

// procFile reads a NUL-separated /proc file of pid (cmdline, environ).
func procFile(t *testing.T, pid int, name string) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/" + name)
	if err != nil {
		t.Fatalf("cannot read %s of pid %d: %v", name, pid, err)
	}
	return strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
}

// outcome waits for the result of an Update.
func outcome(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(deadline):
		t.Fatal("no outcome for the update")
	}
	return nil
}

func update(t *testing.T, h *harness, spec plan.Service, restart bool) <-chan error {
	t.Helper()
	ch, err := h.sup.Update(context.Background(), spec, restart)
	if err != nil {
		t.Fatalf("update of %s refused: %v", spec.ID, err)
	}
	return ch
}

// An update with restart stops the old process and starts the new spec;
// the outcome is nil once it is ready; a dependent keeps running.
func TestUpdateRestartsWithNewSpec(t *testing.T) {
	a, b := listening(t, svc("a")), listening(t, svc("b"))
	b.Waits = localWaits("a")
	h := start(t, plan.Plan{Services: []plan.Service{a, b}})
	_, i := h.rec.wait(t, 0, "b", supervisor.EventReady)
	oldA, oldB := h.status("a").Pid, h.status("b").Pid

	next := a
	next.Env = []string{"MODE=two"}
	next.Argv = append(append([]string(nil), a.Argv...), "-print", "second spec")
	if err := outcome(t, update(t, h, next, true)); err != nil {
		t.Fatalf("outcome: %v", err)
	}
	st := h.status("a")
	if !st.Ready || st.Pid == oldA || st.Restarts != 1 {
		t.Fatalf("a after the update: %+v (old pid %d)", st, oldA)
	}
	if env := procFile(t, st.Pid, "environ"); !slices.Contains(env, "MODE=two") {
		t.Errorf("new process environment %q lacks MODE=two", env)
	}
	if argv := procFile(t, st.Pid, "cmdline"); !slices.Contains(argv, "second spec") {
		t.Errorf("new process argv %q", argv)
	}
	if got := h.status("b").Pid; got != oldB {
		t.Errorf("b was restarted too: pid %d, was %d", got, oldB)
	}
	if n := countKind(h.rec.all()[i:], "b", supervisor.EventStopping); n != 0 {
		t.Errorf("b got %d stop(s)", n)
	}
}

// Without restart the running process is left alone; the new spec is what
// the next start uses.
func TestUpdateWithoutRestart(t *testing.T) {
	a := listening(t, svc("a"))
	h := start(t, plan.Plan{Services: []plan.Service{a}})
	first, i := h.rec.wait(t, 0, "a", supervisor.EventReady)
	next := a
	next.Argv = append(append([]string(nil), a.Argv...), "-print", "later")
	if err := outcome(t, update(t, h, next, false)); err != nil {
		t.Fatalf("outcome: %v", err)
	}
	if st := h.status("a"); st.Pid != first.Pid || st.Restarts != 0 {
		t.Fatalf("a was touched: %+v", st)
	}
	if err := h.sup.Restart(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	again, _ := h.rec.wait(t, i+1, "a", supervisor.EventReady)
	if argv := procFile(t, again.Pid, "cmdline"); !slices.Contains(argv, "later") {
		t.Errorf("restart did not use the new spec: argv %q", argv)
	}
}

// Changes the order depends on, and invalid specs, are refused; the old
// spec stays in force.
func TestUpdateRefused(t *testing.T) {
	a, b := listening(t, svc("a")), listening(t, svc("b"))
	b.Waits = localWaits("a")
	h := start(t, plan.Plan{Services: []plan.Service{a, b}})
	first, i := h.rec.wait(t, 0, "b", supervisor.EventReady)
	with := func(f func(*plan.Service)) plan.Service {
		s := b
		s.Argv = append(append([]string(nil), b.Argv...), "-print", "refused")
		f(&s)
		return s
	}
	tests := []struct {
		name string
		spec plan.Service
		want string
	}{
		{"drop a wait", with(func(s *plan.Service) { s.Waits = nil }), "cannot change the waits"},
		{"wait made remote", with(func(s *plan.Service) {
			s.Waits = []plan.Wait{{Service: "a", Remote: []plan.Probe{*tcpProbe("127.0.0.1:1")}}}
		}), "cannot change the waits"},
		{"restart_with", with(func(s *plan.Service) { s.RestartWith = []string{"a"} }), "cannot change restart_with"},
		{"bad stop signal", with(func(s *plan.Service) { s.StopSignal = 99 }), "unknown stop signal"},
		{"signal not forwardable", with(func(s *plan.Service) { s.ForwardSignals = []plan.Signal{plan.Signal(unix.SIGTERM)} }), "cannot be forwarded"},
		{"no command", with(func(s *plan.Service) { s.Argv = nil }), "no command"},
		{"unknown service", with(func(s *plan.Service) { s.ID = "zz" }), "unknown service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.sup.Update(context.Background(), tt.spec, true)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
	if st := h.status("b"); st.Pid != first.Pid || st.Restarts != 0 {
		t.Fatalf("b was touched: %+v", st)
	}
	if err := h.sup.Restart(context.Background(), "b"); err != nil {
		t.Fatal(err)
	}
	again, _ := h.rec.wait(t, i+1, "b", supervisor.EventReady)
	if argv := procFile(t, again.Pid, "cmdline"); slices.Contains(argv, "refused") {
		t.Errorf("a refused spec was kept: argv %q", argv)
	}
}

// The outcome tells a new spec that does not come up: its first run
// ended before it was ready.
func TestUpdateOutcomeCrash(t *testing.T) {
	a := listening(t, svc("a"))
	h := start(t, plan.Plan{Services: []plan.Service{a}})
	h.rec.wait(t, 0, "a", supervisor.EventReady)
	next := a
	next.Argv = []string{testprog, "-name", "a", "-exit-after", "0s", "-code", "5"}
	err := outcome(t, update(t, h, next, true))
	if err == nil || !strings.Contains(err.Error(), "exited with code 5") {
		t.Fatalf("outcome %v, want the exit", err)
	}
}

// A failed service gets a new chance with a new spec; a stopped one stays
// stopped.
func TestUpdateFailedAndStopped(t *testing.T) {
	broken := svc("broken", "-exit-after", "0s", "-code", "1")
	broken.Restart.Policy = plan.PolicyNever
	idle := listening(t, svc("idle"))
	h := start(t, plan.Plan{Services: []plan.Service{broken, idle}})
	h.rec.wait(t, 0, "broken", supervisor.EventFailed)
	_, i := h.rec.wait(t, 0, "idle", supervisor.EventReady)

	fixed := listening(t, svc("broken"))
	fixed.Restart.Policy = plan.PolicyNever
	if err := outcome(t, update(t, h, fixed, true)); err != nil {
		t.Fatalf("outcome for the failed service: %v", err)
	}
	if st := h.status("broken"); !st.Ready {
		t.Fatalf("broken after the fix: %+v", st)
	}

	if err := h.sup.Stop(context.Background(), "idle"); err != nil {
		t.Fatal(err)
	}
	h.rec.wait(t, i, "idle", supervisor.EventStopped)
	next := idle
	next.Env = []string{"X=1"}
	err := outcome(t, update(t, h, next, true))
	if !errors.Is(err, supervisor.ErrServiceDown) {
		t.Fatalf("outcome for the stopped service: %v", err)
	}
	if st := h.status("idle"); st.State != supervisor.StateStopped {
		t.Fatalf("idle was started: %+v", st)
	}
}

// An update waiting for its outcome learns that kinit is stopping.
func TestUpdateOutcomeShutdown(t *testing.T) {
	slow := svc("slow")
	slow.Probe = tcpProbe(freeAddr(t, "127.0.0.1")) // never ready
	h := start(t, plan.Plan{Services: []plan.Service{slow}})
	h.rec.wait(t, 0, "slow", supervisor.EventStarted)
	ch := update(t, h, slow, true)
	h.sup.Terminate()
	if err := outcome(t, ch); !errors.Is(err, supervisor.ErrShuttingDown) {
		t.Fatalf("outcome %v, want ErrShuttingDown", err)
	}
	if code := h.exitCode(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if _, err := h.sup.Update(context.Background(), slow, true); !errors.Is(err, supervisor.ErrShuttingDown) {
		t.Fatalf("update after Run: %v", err)
	}
}

func TestCanUpdate(t *testing.T) {
	base := plan.Service{ID: "b", Argv: []string{"x"}, Waits: localWaits("a"), RestartWith: []string{"a"}}
	remote := base
	remote.Waits = append(localWaits("a"), plan.Wait{Service: "zk", Remote: []plan.Probe{*tcpProbe("h1:1")}})
	retarget := remote
	retarget.Waits = append(localWaits("a"), plan.Wait{Service: "zk", MinReady: 1, Timeout: time.Minute,
		Remote: []plan.Probe{*tcpProbe("h1:1"), *tcpProbe("h2:1")}})
	other := base
	other.Argv, other.Env, other.Grace, other.ForwardSignals = []string{"y"}, []string{"A=1"}, time.Second, []plan.Signal{plan.Signal(unix.SIGHUP)}
	tests := []struct {
		name      string
		cur, next plan.Service
		ok        bool
	}{
		{"same", base, base, true},
		{"everything else changes", base, other, true},
		{"remote targets change", remote, retarget, true},
		{"wait added", base, remote, false},
		{"id", base, plan.Service{ID: "c", Waits: base.Waits, RestartWith: base.RestartWith}, false},
		{"restart_with dropped", base, plan.Service{ID: "b", Waits: base.Waits}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := supervisor.CanUpdate(tt.cur, tt.next); (err == nil) != tt.ok {
				t.Fatalf("CanUpdate = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// A hold shows in the waiting-on line of a ready service until cleared,
// and touches nothing else.
func TestHoldShowsInStatus(t *testing.T) {
	a := listening(t, svc("a"))
	h := start(t, plan.Plan{Services: []plan.Service{a}})
	first, _ := h.rec.wait(t, 0, "a", supervisor.EventReady)
	const note = "waiting: cluster cannot spare a (peer down)"
	h.sup.Hold("a", note)
	if st := h.status("a"); st.WaitingOn != note || !st.Ready || st.Pid != first.Pid {
		t.Fatalf("held: %+v; want ready, pid %d, waiting on %q", st, first.Pid, note)
	}
	h.sup.Hold("a", "")
	if st := h.status("a"); st.WaitingOn != "" {
		t.Fatalf("hold cleared, still waiting on %q", st.WaitingOn)
	}
}
