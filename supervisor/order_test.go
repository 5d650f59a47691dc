package supervisor_test

import (
	"testing"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
	"golang.org/x/sys/unix"
)

// A diamond: b and c wait on a, d waits on b and c. b and c must both be
// running before either is ready (they start in parallel), and d must start
// only once both are ready. Readiness of b and c is gated by listeners the
// test opens, so the order is decided by events, not by timing.
func TestDiamondStartOrderAndParallelism(t *testing.T) {
	gateB, gateC := freeAddr(t, "127.0.0.1"), freeAddr(t, "127.0.0.1")
	a, b, c, d := svc("a"), svc("b"), svc("c"), svc("d")
	b.Waits, b.Probe = localWaits("a"), tcpProbe(gateB)
	c.Waits, c.Probe = localWaits("a"), tcpProbe(gateC)
	d.Waits = localWaits("b", "c")
	h := start(t, plan.Plan{Services: []plan.Service{d, c, b, a}})

	_, ia := h.rec.wait(t, 0, "a", supervisor.EventReady)
	_, ib := h.rec.wait(t, ia, "b", supervisor.EventStarted)
	_, ic := h.rec.wait(t, ia, "c", supervisor.EventStarted)
	if st := h.status("d"); st.State != supervisor.StateWaiting || st.Pid != 0 {
		t.Fatalf("d is %s (pid %d) before b and c are ready", st.State, st.Pid)
	}
	if w := h.status("d").WaitingOn; w == "" {
		t.Fatal("d's status does not say what it waits on")
	}
	listenAt(t, gateB)
	_, rb := h.rec.wait(t, max(ib, ic), "b", supervisor.EventReady)
	if st := h.status("d"); st.State != supervisor.StateWaiting {
		t.Fatalf("d is %s with only b ready", st.State)
	}
	listenAt(t, gateC)
	_, rc := h.rec.wait(t, max(ib, ic), "c", supervisor.EventReady)
	_, id := h.rec.wait(t, 0, "d", supervisor.EventStarted)
	if id < rb || id < rc {
		t.Fatalf("d started (#%d) before b (#%d) and c (#%d) were ready", id, rb, rc)
	}
	h.rec.wait(t, id, "d", supervisor.EventReady)
	if !h.sup.Snapshot().AllReady() {
		t.Fatal("snapshot not all ready")
	}

	// Stop: d first, then b and c (in parallel), a last.
	h.sup.Terminate()
	if code := h.exitCode(); code != 0 {
		t.Fatalf("exit code %d after a clean stop", code)
	}
	ev := h.rec.all()
	stopped := func(id string) int { return index(ev, id, supervisor.EventExited, 1) }
	stopping := func(id string) int { return index(ev, id, supervisor.EventStopping, 1) }
	for _, pair := range [][2]string{{"d", "b"}, {"d", "c"}, {"b", "a"}, {"c", "a"}} {
		if stopped(pair[0]) < 0 || stopping(pair[1]) < stopped(pair[0]) {
			t.Errorf("%s was asked to stop (#%d) before %s exited (#%d)", pair[1], stopping(pair[1]), pair[0], stopped(pair[0]))
		}
	}
}

// SIGTERM-equivalent on a chain: stopping order is the reverse of the
// start order, each exit clean (one service exits 143 like a JVM does).
func TestStopReverseOrderCleanExit(t *testing.T) {
	a, b, c := listening(t, svc("a", "-term-code", "143")), listening(t, svc("b")), listening(t, svc("c", "-term-code", "0"))
	b.Waits, c.Waits = localWaits("a"), localWaits("b")
	h := start(t, plan.Plan{Services: []plan.Service{a, b, c}})
	h.rec.wait(t, 0, "c", supervisor.EventReady)
	h.sup.Terminate()
	if code := h.exitCode(); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	ev := h.rec.all()
	order := []int{
		index(ev, "c", supervisor.EventStopping, 1), index(ev, "c", supervisor.EventExited, 1),
		index(ev, "b", supervisor.EventStopping, 1), index(ev, "b", supervisor.EventExited, 1),
		index(ev, "a", supervisor.EventStopping, 1), index(ev, "a", supervisor.EventExited, 1),
	}
	for i := 1; i < len(order); i++ {
		if order[i-1] < 0 || order[i] < order[i-1] {
			t.Fatalf("stop events out of order: %v", order)
		}
	}
	for _, id := range []string{"a", "b", "c"} {
		e := ev[index(ev, id, supervisor.EventExited, 1)]
		if !e.Clean {
			t.Errorf("%s: exit %d (%s) not counted clean", id, e.ExitCode, e.Message)
		}
	}
	if e := ev[index(ev, "a", supervisor.EventExited, 1)]; e.ExitCode != 143 || e.Signal != "" {
		t.Errorf("a: exit code %d signal %q, want code 143", e.ExitCode, e.Signal)
	}
	if e := ev[index(ev, "b", supervisor.EventExited, 1)]; e.Signal != unix.SignalName(unix.SIGTERM) {
		t.Errorf("b: signal %q, want SIGTERM", e.Signal)
	}
	for _, st := range h.sup.Snapshot().Services {
		if st.State != supervisor.StateStopped || st.Pid != 0 {
			t.Errorf("%s: %s pid %d after stop", st.ID, st.State, st.Pid)
		}
	}
}
