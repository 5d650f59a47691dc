package up

import (
	"slices"
	"strings"
	"testing"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/supervisor/control/client"
	"golang.org/x/sys/unix"
)

// TestABC is issue 4's "Done when" through the real binary: testdata/abc
// (A <- B <- C) starts in order, `kinit status` shows all ready, `kill -9`
// of B is restarted and counted without touching A and C, and SIGTERM stops
// C, B, A in that order and exits 0 with nothing left running. Both as PID 1
// of a PID namespace and as a plain child (subreaper).
func TestABC(t *testing.T) {
	for _, m := range []mode{asPID1, asChild} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			testABC(t, m)
		})
	}
}

func testABC(t *testing.T, m mode) {
	n := newNode(t, "abc/kinit.toml").withPorts("a", "b", "c")
	r := n.start(m)

	// Start order, from kinit's log: each dependent is started only after
	// its dependency is ready.
	r.waitLog("all services ready")
	inOrder(t, r, `service "a" started`, `service "a" ready`, `service "b" started`,
		`service "b" ready`, `service "c" started`, `service "c" ready`, "all services ready")
	// …from the processes themselves (file order of their start marks)…
	if got := n.startMarks(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("start marks %v, want [a b c]", got)
	}
	// …and from the start and ready times in `kinit status --json`.
	st := n.waitStatus("all ready", allReady())
	checkHeader(t, st, m)
	for _, id := range []string{"a", "b", "c"} {
		s := svc(st, id)
		if s.State != "ready" || !s.Ready || s.Pid <= 0 || s.Restarts != 0 || s.StartedAt == nil || s.ReadyAt == nil {
			t.Fatalf("service %s: %+v", id, s)
		}
	}
	for _, pair := range [][2]string{{"a", "b"}, {"b", "c"}} {
		dep, d := svc(st, pair[0]), svc(st, pair[1])
		if d.StartedAt.Before(*dep.ReadyAt) {
			t.Errorf("%s started at %s, before %s was ready at %s", d.ID, d.StartedAt, dep.ID, dep.ReadyAt)
		}
	}
	// The pids in status are the services' processes (in kinit's namespace).
	for _, id := range []string{"a", "b", "c"} {
		if p, ok := readProc(r.hostPid(svc(st, id).Pid)); !ok || !p.named(id) || p.ppid != r.pid {
			t.Errorf("status pid of %s is %v (kinit is %d)", id, p, r.pid)
		}
	}
	// The table `kinit up` prints once all are ready, and `kinit status`.
	r.stdout.waitFor(t, "the status table", func(ls []string) bool {
		return slices.ContainsFunc(ls, func(l string) bool { return strings.HasPrefix(l, "SERVICE ") })
	})
	if i := slices.IndexFunc(r.stdout.all(), func(l string) bool { return strings.HasPrefix(l, "kinit: pid ") }); i < 0 ||
		!strings.Contains(r.stdout.all()[i], ", running, ") {
		t.Errorf("the table kinit up prints once all are ready does not say running")
	}
	out := n.cli("status")
	if out.code != 0 {
		t.Fatalf("kinit status: exit %d: %s", out.code, out.stderr)
	}
	for _, id := range []string{"a", "b", "c"} {
		if row := tableRow(out.stdout, id); len(row) < 6 || row[1] != "ready" || row[4] != "0" || row[5] != "yes" {
			t.Errorf("kinit status row of %s: %v\n%s", id, row, out.stdout)
		}
	}

	checkOrphansReaped(t, r, st)

	// kill -9 of B: restarted and counted; A and C untouched.
	before := st
	b0 := svc(before, "b")
	r.kill(b0.Pid, unix.SIGKILL)
	st = n.waitStatus("b restarted after kill -9", func(st *client.Status) bool {
		b := svc(st, "b")
		return b.Restarts == 1 && b.State == "ready" && b.Pid != b0.Pid
	})
	b := svc(st, "b")
	if b.LastExit == nil || b.LastExit.Signal != "SIGKILL" || b.LastExit.Code != 137 || b.LastExit.Expected || b.LastExit.Pid != b0.Pid {
		t.Errorf("b's last exit: %+v", b.LastExit)
	}
	for _, id := range []string{"a", "c"} {
		was, is := svc(before, id), svc(st, id)
		if is.Restarts != 0 || is.Pid != was.Pid || !is.StartedAt.Equal(*was.StartedAt) || is.State != "ready" {
			t.Errorf("%s was touched by b's restart: before %+v, after %+v", id, was, is)
		}
	}
	if r.logIndex(`service "b" killed by signal 9 (SIGKILL); restarting in …`) < 0 {
		t.Errorf("no log line for b's restart")
	}
	if got := n.startMarks(); !slices.Equal(got, []string{"a", "b", "c", "b"}) {
		t.Errorf("start marks %v, want [a b c b]", got)
	}
	out = n.cli("status")
	if row := tableRow(out.stdout, "b"); len(row) < 6 || row[1] != "ready" || row[4] != "1" {
		t.Errorf("kinit status row of b after kill -9: %v\n%s", row, out.stdout)
	}

	// SIGTERM: C, B, A in that order, each once its dependents are down.
	running := marked(n.marker)
	for _, id := range []string{"a", "b", "c"} {
		if !slices.ContainsFunc(running, func(p proc) bool { return p.named(id) }) {
			t.Fatalf("the marker scan does not see %s running: %v", id, running)
		}
	}
	r.signal(unix.SIGTERM)
	if code := r.wait(); code != 0 {
		t.Fatalf("kinit exited %d after SIGTERM, want 0", code)
	}
	inOrder(t, r, "stop requested; stopping services in reverse order",
		`stopping service "c"`, `service "c" stopped: …`,
		`stopping service "b"`, `service "b" stopped: …`,
		`stopping service "a"`, `service "a" stopped: …`,
		"all services stopped")
	if left := marked(n.marker); len(left) > 0 {
		t.Errorf("processes left after kinit exited: %v", left)
	}
}

// inOrder checks that kinit logged msgs in this order.
func inOrder(t *testing.T, r *run, msgs ...string) {
	t.Helper()
	ls := r.stdout.all()
	last := -1
	for _, m := range msgs {
		i := indexOfLog(ls, m)
		if i < 0 {
			t.Fatalf("kinit never logged %q", m)
		}
		if i < last {
			t.Fatalf("kinit logged %q before %q", m, msgs[slices.Index(msgs, m)-1])
		}
		last = i
	}
}

// checkHeader checks the node header and kinit's own row.
func checkHeader(t *testing.T, st *client.Status, m mode) {
	t.Helper()
	nd := st.Node
	if nd.Role != "node" || nd.ID != 1 || nd.FQDN != "abc-1.test" || nd.ConfigID != "default" || nd.Cluster != "abc" {
		t.Errorf("node header %+v", nd)
	}
	if st.Kinit.Phase != "running" {
		t.Errorf("kinit phase %q, want running", st.Kinit.Phase)
	}
	if m.pid1 && st.Kinit.Pid != 1 {
		t.Errorf("kinit has pid %d in its namespace, want 1", st.Kinit.Pid)
	}
}

// checkOrphansReaped: A's shell left an orphan behind. It must have been
// re-parented to kinit (PID 1, or the subreaper it makes itself), and once
// the test kills it kinit must reap it: in the end kinit's only children are
// the three services, and as PID 1 no zombie is left in the namespace.
func checkOrphansReaped(t *testing.T, r *run, st *client.Status) {
	t.Helper()
	// Until the subshell that forked it has exited, its parent is that
	// subshell; then it must be kinit.
	var orphan proc
	waitUntil(t, "a's orphan under kinit", func() bool {
		for _, p := range marked(r.n.marker) {
			if p.named("orphan") && p.ppid == r.pid {
				orphan = p
				return true
			}
		}
		return false
	})
	if err := unix.Kill(orphan.pid, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	services := map[int]bool{}
	for _, id := range []string{"a", "b", "c"} {
		services[r.hostPid(svc(st, id).Pid)] = true
	}
	waitUntil(t, "kinit to reap the orphan", func() bool {
		for _, pid := range testkit.Pids() {
			if p, ok := readProc(pid); ok && p.ppid == r.pid && !services[pid] {
				return false
			}
		}
		return true
	})
	if r.mode.pid1 {
		for _, p := range inNS(r.nsLink) {
			if p.state == 'Z' {
				t.Errorf("zombie in kinit's namespace: %v", p)
			}
		}
	}
}
