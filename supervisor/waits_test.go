package supervisor_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

func remoteWait(service string, timeout time.Duration, minReady int, addrs ...string) plan.Wait {
	w := plan.Wait{Service: service, Timeout: timeout, MinReady: minReady}
	for _, a := range addrs {
		w.Remote = append(w.Remote, plan.Probe{Kind: plan.ProbeTCP, Address: a, Interval: 50 * time.Millisecond, Timeout: time.Second})
	}
	return w
}

// A wait on remote instances is satisfied by listeners on other loopback
// addresses (as another node's would be); while waiting, status says on
// what, where, how many attempts and for how long.
func TestRemoteWaitOnOtherLoopbackAddresses(t *testing.T) {
	zk2, zk3 := freeAddr(t, "127.0.0.2"), freeAddr(t, "127.0.0.3")
	broker := svc("broker")
	broker.Waits = []plan.Wait{remoteWait("zookeeper", 0, 1, zk2, zk3)}
	h := start(t, plan.Plan{Services: []plan.Service{broker}})
	h.rec.wait(t, 0, "broker", supervisor.EventWaiting)

	line := regexp.MustCompile(`^waiting on zookeeper: 127\.0\.0\.2:\d+ not answering \(0 of 2 ready, 1 needed\), attempt (\d+), \S+$`)
	testkit.Eventually(t, "status shows a few attempts", func() bool {
		m := line.FindStringSubmatch(h.status("broker").WaitingOn)
		return m != nil && m[1] != "1"
	})
	if st := h.status("broker"); st.Pid != 0 || st.State != supervisor.StateWaiting {
		t.Fatalf("broker %s with pid %d before any zookeeper answered", st.State, st.Pid)
	}
	listenAt(t, zk3)
	h.rec.wait(t, 0, "broker", supervisor.EventReady)
	if w := h.status("broker").WaitingOn; w != "" {
		t.Fatalf("ready broker still says %q", w)
	}
}

// A wait that times out fails the service; a required one stops kinit
// with exit code 1.
func TestWaitTimesOut(t *testing.T) {
	for _, required := range []bool{false, true} {
		t.Run(map[bool]string{false: "optional", true: "required"}[required], func(t *testing.T) {
			other := svc("other")
			broker := svc("broker")
			broker.Required = required
			broker.Waits = []plan.Wait{remoteWait("zookeeper", 300*time.Millisecond, 0, freeAddr(t, "127.0.0.2"))}
			h := start(t, plan.Plan{Services: []plan.Service{other, broker}})
			e, _ := h.rec.wait(t, 0, "broker", supervisor.EventFailed)
			if !strings.Contains(e.Message, "wait on zookeeper timed out after 300ms") || !strings.Contains(e.Message, "not answering") {
				t.Fatalf("failure message %q", e.Message)
			}
			if index(h.rec.all(), "broker", supervisor.EventStarted, 1) >= 0 {
				t.Fatal("broker was started although its wait timed out")
			}
			if st := h.status("broker"); st.State != supervisor.StateFailed || st.Message != e.Message {
				t.Fatalf("status %s %q", st.State, st.Message)
			}
			if !required {
				if st := h.status("other"); st.State != supervisor.StateReady {
					t.Fatalf("other is %s after an optional service failed", st.State)
				}
				return
			}
			if code := h.exitCode(); code != 1 {
				t.Fatalf("exit code %d, want 1", code)
			}
			if i := index(h.rec.all(), "other", supervisor.EventStopping, 1); i < 0 {
				t.Fatal("other was not stopped")
			}
		})
	}
}

// SIGTERM while a service still waits cancels the wait: nothing is
// started, the others stop in order, and kinit exits 0.
func TestTerminateDuringWait(t *testing.T) {
	a := svc("a")
	b := svc("b")
	b.Waits = append(localWaits("a"), remoteWait("zookeeper", 0, 0, freeAddr(t, "127.0.0.2")))
	h := start(t, plan.Plan{Services: []plan.Service{a, b}})
	h.rec.wait(t, 0, "a", supervisor.EventReady)
	testkit.Eventually(t, "b probed zookeeper", func() bool { return strings.Contains(h.status("b").WaitingOn, "attempt") })
	h.sup.Terminate()
	if code := h.exitCode(); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	ev := h.rec.all()
	if index(ev, "b", supervisor.EventStarted, 1) >= 0 {
		t.Fatal("b started during the stop")
	}
	if i := index(ev, "b", supervisor.EventStopped, 1); i < 0 || i > index(ev, "a", supervisor.EventStopping, 1) {
		t.Fatal("b's wait was not cancelled before a was stopped")
	}
}

// The start timeout of a readiness probe stops a process that never
// becomes ready and counts it as a failed run (restarted by policy).
func TestStartTimeout(t *testing.T) {
	a := svc("a")
	a.Probe = tcpProbe(freeAddr(t, "127.0.0.1"))
	a.Probe.StartTimeout = 200 * time.Millisecond
	a.Grace = 5 * time.Second
	h := start(t, plan.Plan{Services: []plan.Service{a}})
	_, i := h.rec.wait(t, 0, "a", supervisor.EventStopping)
	e, _ := h.rec.wait(t, i, "a", supervisor.EventRestarting)
	if e.Message == "" {
		t.Fatal("restart after start timeout has no reason")
	}
	h.rec.wait(t, i, "a", supervisor.EventStarted)
	if st := h.status("a"); st.Restarts != 1 || st.Failures != 1 {
		t.Fatalf("restarts %d failures %d, want 1 and 1", st.Restarts, st.Failures)
	}
}
