package up

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/supervisor/control/client"
	"golang.org/x/sys/unix"
)

// From SIGTERM to kinit's exit takes at most KINIT_STOP_TIMEOUT + 1 s, even
// with a service that ignores SIGTERM and asks for a 30 s grace, an
// Elasticsearch that accepts connections and never answers (the last metrics
// flush) and a stdout nobody reads. This bounds a correctness promise (a
// runtime's stop timeout set a second above KINIT_STOP_TIMEOUT is never
// hit), it is not a speed measurement. Before, kinit took the kill wait,
// the output drain and the metrics flush on top of the deadline.
func TestStopWithinBudget(t *testing.T) {
	const budget = 2 * time.Second
	n := newNode(t, "stopbudget/kinit.toml").withPorts("stubborn")
	n.env["KINIT_STOP_TIMEOUT"] = budget.String()
	es, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer es.Close() // accepted by the kernel, never read: requests hang
	n.env["KINIT_ES_URLS"] = "http://" + es.Addr().String()
	n.env["KINIT_METRICS_INTERVAL"] = "1s"
	r := n.start(asPID1)
	n.waitStatus("stubborn ready", allReady("stubborn"))

	code := r.stopWithin(budget)
	// The service had to be killed: not a clean stop.
	if code != 1 {
		t.Errorf("exit code %d, want 1 (a process had to be killed)", code)
	}
	if left := marked(n.marker); len(left) > 0 {
		t.Errorf("processes left: %v", left)
	}
}

// kinit check says when the graces cannot all be honoured within the stop
// timeout (stubborn's 30 s against the default 8 s), and what to set; with
// a timeout that fits, it says nothing.
func TestCheckWarnsWhenGracesDoNotFit(t *testing.T) {
	n := newNode(t, "stopbudget/kinit.toml").withPorts("stubborn")
	out := n.cli("check", "--no-files")
	if out.code != 0 || !strings.Contains(out.stdout, `note: the graces from "stubborn" down its dependencies add up to 30s, more than the stop timeout 8s`) ||
		!strings.Contains(out.stdout, "KINIT_STOP_TIMEOUT=30s") {
		t.Fatalf("kinit check (exit %d) does not warn about the graces:\n%s%s", out.code, out.stdout, out.stderr)
	}
	n.env["KINIT_STOP_TIMEOUT"] = "31s"
	if out := n.cli("check", "--no-files"); out.code != 0 || strings.Contains(out.stdout, "graces") {
		t.Fatalf("kinit check with a timeout that fits (exit %d):\n%s%s", out.code, out.stdout, out.stderr)
	}
}

// The same bound when nobody reads stdout and the services stop at once:
// the output drain, the socket's close and the stdout queue's close all
// come out of the one second after the deadline. Before, a second,
// unbounded drain of the stdout queue ran after it (4.7 s for a 2 s
// timeout, so with the default 8 s a runtime's 10 s SIGKILL hit PID 1).
func TestStopWithinBudgetStdoutUnread(t *testing.T) {
	const budget = 2 * time.Second
	n := newNode(t, "signals/kinit.toml").withPorts("a", "b")
	n.env["KINIT_SPAM"] = "1000"
	n.env["KINIT_STOP_TIMEOUT"] = budget.String()
	r := n.startStdoutUnread(asPID1)
	n.waitStatus("a and b ready, and lines dropped", func(st *client.Status) bool {
		return allReady("a", "b")(st) && st.Kinit.OutputDropped > 0
	})

	if code := r.stopWithin(budget); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

// stopWithin sends kinit SIGTERM and waits for its exit, which must come
// within budget (its KINIT_STOP_TIMEOUT) + 1 s, the promise a runtime's
// stop timeout is set by; it returns the exit code.
func (r *run) stopWithin(budget time.Duration) int {
	r.t.Helper()
	start := time.Now()
	r.signal(unix.SIGTERM)
	code := r.wait()
	took := time.Since(start)
	r.t.Logf("SIGTERM to exit: %s", took.Round(time.Millisecond))
	if took > budget+time.Second {
		r.t.Fatalf("SIGTERM to exit took %s, more than KINIT_STOP_TIMEOUT %s + 1s", took.Round(time.Millisecond), budget)
	}
	return code
}
