package up

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kinit/kinit/supervisor/control/client"
	"golang.org/x/sys/unix"
)

// TestHealthAndControl drives a running kinit only through the CLI, as an
// operator or a container health check does (docs/supervision.md):
//   - `kinit health` exits non-zero while a service is starting, stopped or
//     waiting, and 0 once every service is ready;
//   - `kinit stop b` stops b alone (its dependent c keeps running);
//     `kinit restart c` then has c wait on b; `kinit start b` brings b back
//     and c follows; `kinit restart b` replaces b's process without
//     restarting a or c;
//   - unknown services and bad usage give 1 and 2.
//
// c's readiness probe is pointed at 127.0.0.2 (KINIT_C_PROBE_HOST) while c
// listens on 127.0.0.1, so c stays "starting" until the test opens that
// gate: the not-ready state is held by the test, not by timing.
func TestHealthAndControl(t *testing.T) {
	t.Parallel()
	n := newNode(t, "abc/kinit.toml").withPorts("a", "b", "c")
	n.env["KINIT_C_PROBE_HOST"] = "127.0.0.2"
	r := n.start(asChild)

	// c runs but is not ready: health says so and exits 1.
	st := n.waitStatus("c starting behind its closed gate", func(st *client.Status) bool {
		c := svc(st, "c")
		return allReady("a", "b")(st) && c.State == "starting" && c.Pid > 0 &&
			strings.HasPrefix(c.WaitingOn, "readiness:")
	})
	if st.Ready || st.Kinit.Phase != "starting" {
		t.Errorf("status ready=%v phase=%q while c is starting", st.Ready, st.Kinit.Phase)
	}
	expectHealth(t, n, 1, "not ready: c")

	gate, err := net.Listen("tcp", "127.0.0.2:"+strconv.Itoa(n.ports["c"]))
	if err != nil {
		t.Fatalf("cannot open c's readiness gate: %v", err)
	}
	defer gate.Close()
	st = n.waitStatus("all ready", allReady())
	expectHealth(t, n, 0, "ready")
	first := st

	// stop b: b goes down and stays down; a and c are not touched.
	expectCLI(t, n, 0, "b: stop requested", "stop", "b")
	st = n.waitStatus("b stopped", func(st *client.Status) bool {
		b := svc(st, "b")
		return b.State == "stopped" && b.Pid == 0
	})
	if b := svc(st, "b"); b.LastExit == nil || !b.LastExit.Expected || !b.LastExit.Clean {
		t.Errorf("b's last exit after kinit stop: %+v", b.LastExit)
	}
	samePids(t, first, st, "a", "c")
	expectHealth(t, n, 1, "not ready: b")

	// restart c while b is down: c stops and waits on b.
	expectCLI(t, n, 0, "c: restart requested", "restart", "c")
	n.waitStatus("c waiting on b", func(st *client.Status) bool {
		c := svc(st, "c")
		return c.State == "waiting" && strings.Contains(c.WaitingOn, "b")
	})
	expectHealth(t, n, 1, "not ready: b, c")

	// start b: b comes back, then c starts once b is ready.
	expectCLI(t, n, 0, "b: start requested", "start", "b")
	st = n.waitStatus("b and c back", allReady())
	b, c := svc(st, "b"), svc(st, "c")
	if b.Restarts != 1 || c.Restarts != 1 || c.StartedAt.Before(*b.ReadyAt) {
		t.Errorf("after start b: b %+v, c %+v", b, c)
	}
	samePids(t, first, st, "a")
	expectHealth(t, n, 0, "ready")
	second := st

	// restart b: a new process for b; its dependents keep theirs.
	expectCLI(t, n, 0, "b: restart requested", "restart", "b")
	st = n.waitStatus("b restarted", func(st *client.Status) bool {
		b := svc(st, "b")
		return b.State == "ready" && b.Restarts == 2 && b.Pid != svc(second, "b").Pid
	})
	if b := svc(st, "b"); b.LastExit == nil || !b.LastExit.Expected || !b.LastExit.Clean {
		t.Errorf("b's last exit after kinit restart: %+v", b.LastExit)
	}
	samePids(t, second, st, "a", "c")

	// Mistakes.
	if res := n.cli("stop", "nosuch"); res.code != 1 || !strings.Contains(res.stderr, "nosuch") {
		t.Errorf("kinit stop nosuch: exit %d, stderr %q; want 1 naming the service", res.code, res.stderr)
	}
	for _, args := range [][]string{{"stop"}, {"restart", "a", "b"}, {"health", "extra"}} {
		if res := n.cli(args...); res.code != 2 {
			t.Errorf("kinit %s: exit %d, want 2 (usage)", strings.Join(args, " "), res.code)
		}
	}

	r.signal(unix.SIGTERM)
	if code := r.wait(); code != 0 {
		t.Fatalf("kinit exited %d after SIGTERM, want 0", code)
	}
	if res := n.cli("health"); res.code != 1 {
		t.Errorf("kinit health with kinit gone: exit %d, want 1", res.code)
	}
}

// expectHealth runs `kinit health` and checks its exit code and output.
func expectHealth(t *testing.T, n *node, code int, out string) {
	t.Helper()
	expectCLI(t, n, code, out, "health")
}

func expectCLI(t *testing.T, n *node, code int, out string, args ...string) {
	t.Helper()
	res := n.cli(args...)
	if res.code != code || strings.TrimSpace(res.stdout) != out {
		t.Fatalf("kinit %s: exit %d, stdout %q, stderr %q; want exit %d, %q",
			strings.Join(args, " "), res.code, res.stdout, res.stderr, code, out)
	}
}

// samePids checks that services kept their process between two statuses.
func samePids(t *testing.T, before, after *client.Status, ids ...string) {
	t.Helper()
	for _, id := range ids {
		was, is := svc(before, id), svc(after, id)
		if is.Pid == 0 || is.Pid != was.Pid || is.Restarts != was.Restarts || is.State != "ready" {
			t.Errorf("%s was touched: before %+v, after %+v", id, was, is)
		}
	}
}

// TestSecondKinitRefused: a second `kinit up` on a node whose kinit is
// running (the same KINIT_SOCKET, e.g. a mistaken `docker exec c kinit up`)
// exits 75 (EX_TEMPFAIL, not 78: the config is fine) before it writes anything: the running node's rendered file
// keeps the content of its own ports, and its services are untouched.
func TestSecondKinitRefused(t *testing.T) {
	t.Parallel()
	n := newNode(t, "abc/kinit.toml").withPorts("a", "b", "c")
	r := n.start(asChild)
	first := n.waitStatus("all ready", allReady())
	conf := filepath.Join(n.etcDir, "a.conf")
	before, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(conf)
	if err != nil {
		t.Fatal(err)
	}

	n.withPorts("a", "b", "c") // other ports: a.conf would change
	res := n.upOnce()
	if res.code != 75 || !strings.Contains(res.stderr, "another kinit is serving") {
		t.Errorf("second kinit up: exit %d, stderr %q; want 75", res.code, res.stderr)
	}
	after, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	if fi2, err := os.Stat(conf); err != nil || string(after) != string(before) || !fi2.ModTime().Equal(fi.ModTime()) {
		t.Errorf("the running node's a.conf was rewritten:\n%s\nnow:\n%s", before, after)
	}
	samePids(t, first, n.status(), "a", "b", "c")

	r.signal(unix.SIGTERM)
	if code := r.wait(); code != 0 {
		t.Fatalf("kinit exited %d after SIGTERM, want 0", code)
	}
}
