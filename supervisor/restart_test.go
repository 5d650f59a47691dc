package supervisor_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
	"golang.org/x/sys/unix"
)

// Crash (on demand) → backoff → restart, with the count, the exit and the
// timestamps in status.
func TestCrashBackoffRestart(t *testing.T) {
	addr := freeAddr(t, "127.0.0.1")
	a := svc("a", "-listen", addr, "-usr1-code", "3")
	a.Probe = tcpProbe(addr)
	h := start(t, plan.Plan{Services: []plan.Service{a}})
	first, i := h.rec.wait(t, 0, "a", supervisor.EventReady)
	before := h.status("a")
	if before.Restarts != 0 || before.Started.IsZero() || before.ReadyAt.IsZero() || before.LastExit != nil {
		t.Fatalf("fresh status %+v", before)
	}
	if err := unix.Kill(first.Pid, unix.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	ex, i := h.rec.wait(t, i, "a", supervisor.EventExited)
	if ex.ExitCode != 3 || ex.Clean {
		t.Fatalf("exit %+v", ex)
	}
	rs, i := h.rec.wait(t, i, "a", supervisor.EventRestarting)
	if rs.Backoff <= 0 || rs.Backoff > a.Restart.BackoffMin {
		t.Fatalf("first backoff %s, want (0, %s]", rs.Backoff, a.Restart.BackoffMin)
	}
	again, _ := h.rec.wait(t, i, "a", supervisor.EventReady)
	if again.Pid == first.Pid {
		t.Fatal("same pid after a restart")
	}
	st := h.status("a")
	switch {
	case st.Restarts != 1:
		t.Errorf("restarts %d, want 1", st.Restarts)
	case st.Failures != 1:
		t.Errorf("failures %d, want 1", st.Failures)
	case st.LastExit == nil || st.LastExit.Code != 3 || st.LastExit.Pid != first.Pid || st.LastExit.Expected:
		t.Errorf("last exit %+v", st.LastExit)
	case !st.Started.After(before.Started) || !st.ReadyAt.After(before.ReadyAt) || !st.LastExit.At.After(before.ReadyAt):
		t.Errorf("timestamps did not move: before %+v after %+v", before, st)
	case st.Pid != again.Pid || !st.Ready:
		t.Errorf("status pid %d ready %v", st.Pid, st.Ready)
	}
}

// A required service that keeps crashing uses up its budget; kinit then
// stops the others in order and exits 1.
func TestRequiredCrashLoopStopsEverything(t *testing.T) {
	defer supervisor.FakeMinSpawnInterval(0)()
	base := svc("base")
	flappy := svc("flappy", "-exit-after", "0s", "-code", "1")
	flappy.Required = true
	flappy.Restart.Budget = 2
	flappy.Restart.BackoffMin, flappy.Restart.BackoffMax = time.Millisecond, 5*time.Millisecond
	flappy.Waits = localWaits("base")
	top := svc("top")
	top.Waits = localWaits("base")
	h := start(t, plan.Plan{Services: []plan.Service{base, flappy, top}})
	if code := h.exitCode(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	ev := h.rec.all()
	if n := countKind(ev, "flappy", supervisor.EventStarted); n != 3 {
		t.Errorf("flappy started %d times, want 3 (1 + budget 2)", n)
	}
	failed := index(ev, "flappy", supervisor.EventFailed, 1)
	if failed < 0 || !strings.Contains(ev[failed].Message, "budget") {
		t.Fatalf("no failure for the budget: %s", h.rec.dump())
	}
	if s := index(ev, "top", supervisor.EventStopping, 1); s < failed || index(ev, "base", supervisor.EventStopping, 1) < index(ev, "top", supervisor.EventExited, 1) {
		t.Fatalf("not an ordered stop after the failure:\n%s", h.rec.dump())
	}
	if st := h.status("flappy"); st.State != supervisor.StateFailed || st.Restarts != 2 {
		t.Fatalf("flappy %s restarts %d", st.State, st.Restarts)
	}
}

func countKind(ev []supervisor.Event, id string, kind supervisor.EventKind) int {
	n := 0
	for _, e := range ev {
		if e.Service == id && e.Kind == kind {
			n++
		}
	}
	return n
}

// Restart policies on a process that ends by itself.
func TestRestartPolicies(t *testing.T) {
	tests := []struct {
		policy    plan.Policy
		code      string
		restarts  bool
		wantState supervisor.State
	}{
		{plan.PolicyNever, "0", false, supervisor.StateStopped},
		{plan.PolicyNever, "2", false, supervisor.StateFailed},
		{plan.PolicyOnFailure, "0", false, supervisor.StateStopped},
		{plan.PolicyOnFailure, "2", true, ""},
		{plan.PolicyAlways, "0", true, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.policy)+"/exit"+tt.code, func(t *testing.T) {
			a := svc("a", "-exit-after", "0s", "-code", tt.code)
			a.Restart.Policy = tt.policy
			a.Restart.BackoffMin = 10 * time.Millisecond
			h := start(t, plan.Plan{Services: []plan.Service{a}})
			_, i := h.rec.wait(t, 0, "a", supervisor.EventExited)
			next, _ := h.rec.waitFrom(t, i+1, "what follows the exit", func(e supervisor.Event) bool {
				return e.Service == "a" && e.Kind != supervisor.EventExited
			})
			if tt.restarts {
				if next.Kind != supervisor.EventRestarting {
					t.Fatalf("after exit: %s, want restarting", next.Kind)
				}
				return
			}
			if st := h.status("a"); st.State != tt.wantState || st.Restarts != 0 {
				t.Fatalf("state %s restarts %d, want %s and 0", st.State, st.Restarts, tt.wantState)
			}
			if countKind(h.rec.all(), "a", supervisor.EventStarted) != 1 {
				t.Fatal("restarted under policy " + tt.policy)
			}
		})
	}
}

// A dependency's restart leaves its dependents alone, unless they asked to
// restart with it.
func TestDependencyRestart(t *testing.T) {
	addr := freeAddr(t, "127.0.0.1")
	dep := svc("dep", "-listen", addr)
	dep.Probe = tcpProbe(addr)
	loyal, free := svc("loyal"), svc("free")
	loyal.Waits, loyal.RestartWith = localWaits("dep"), []string{"dep"}
	free.Waits = localWaits("dep")
	h := start(t, plan.Plan{Services: []plan.Service{dep, loyal, free}})
	l1, _ := h.rec.wait(t, 0, "loyal", supervisor.EventReady)
	f1, _ := h.rec.wait(t, 0, "free", supervisor.EventReady)
	d1, _ := h.rec.wait(t, 0, "dep", supervisor.EventReady)
	if err := unix.Kill(d1.Pid, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, i := h.rec.wait(t, 0, "dep", supervisor.EventExited)
	_, j := h.rec.wait(t, i, "loyal", supervisor.EventExited)
	_, k := h.rec.wait(t, i, "dep", supervisor.EventReady)
	l2, m := h.rec.wait(t, j, "loyal", supervisor.EventStarted)
	if m < k {
		t.Fatalf("loyal restarted (#%d) before dep was ready again (#%d)", m, k)
	}
	if l2.Pid == l1.Pid {
		t.Fatal("loyal kept its pid")
	}
	if st := h.status("free"); st.Pid != f1.Pid || st.Restarts != 0 {
		t.Fatalf("free was restarted: pid %d (was %d), restarts %d", st.Pid, f1.Pid, st.Restarts)
	}
}

// Control commands: stop keeps a service down, start brings it back,
// restart cycles it.
func TestControlCommands(t *testing.T) {
	a := svc("a")
	h := start(t, plan.Plan{Services: []plan.Service{a}})
	r1, _ := h.rec.wait(t, 0, "a", supervisor.EventReady)
	ctx := t.Context()
	if err := h.sup.Stop(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	_, i := h.rec.wait(t, 0, "a", supervisor.EventStopped)
	if st := h.status("a"); st.State != supervisor.StateStopped || st.LastExit == nil || !st.LastExit.Clean {
		t.Fatalf("after stop: %s %+v", st.State, st.LastExit)
	}
	if err := h.sup.Start(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	r2, i := h.rec.wait(t, i, "a", supervisor.EventReady)
	if err := h.sup.Restart(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	r3, _ := h.rec.wait(t, i+1, "a", supervisor.EventReady)
	if r1.Pid == r2.Pid || r2.Pid == r3.Pid {
		t.Fatal("pids did not change")
	}
	if st := h.status("a"); st.Restarts != 2 {
		t.Fatalf("restarts %d, want 2", st.Restarts)
	}
	if err := h.sup.Stop(ctx, "nope"); err == nil || !strings.Contains(err.Error(), "unknown service") {
		t.Fatalf("stop of an unknown service: %v", err)
	}
}

// StartEnv decides the environment at each start, not once per plan: each
// run of a crashing service gets what the hook gave at its own start, and
// the hook sees the plan's variables and the service's name.
func TestStartEnvIsAskedAtEachStart(t *testing.T) {
	defer supervisor.FakeMinSpawnInterval(0)()
	a := svc("a")
	a.Argv = []string{"/bin/sh", "-c", `echo "run $RUN of $PLANNED"; exit 1`}
	a.Env = []string{"PLANNED=plan", "PATH=/usr/bin:/bin"}
	var runs []string // written on the loop goroutine only
	h := start(t, plan.Plan{Services: []plan.Service{a}}, func(o *supervisor.Options) {
		o.StartEnv = func(service string, env []string) []string {
			runs = append(runs, service)
			return append(env, "RUN="+strconv.Itoa(len(runs)))
		}
	})
	testkit.Eventually(t, "a third run's line", func() bool { return strings.Contains(h.out.String(), "run 3 ") })
	out := h.out.String()
	last := -1
	for n := 1; n <= 3; n++ {
		at := strings.Index(out, "run "+strconv.Itoa(n)+" of plan")
		if at <= last {
			t.Fatalf("run %d did not print its own start's value after run %d:\n%s", n, n-1, out)
		}
		last = at
	}
}
