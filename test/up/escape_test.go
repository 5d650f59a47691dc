package up

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kinit/kinit/internal/cgroup"
	"github.com/kinit/kinit/supervisor/control/client"
	"golang.org/x/sys/unix"
)

// A helper that left its service's process group (setsid) does not outlive
// the service: when the service's main process dies, kinit kills it before
// the restart (it would hold the port or the data dir of the next run), and
// at the end of the stop kinit sends SIGTERM to whatever is still there
// (the escapee records it) — in the whole namespace as PID 1, below itself
// as a subreaper. Before, the escapee of every run lived on.
func TestEscapedProcesses(t *testing.T) {
	for _, m := range []mode{asPID1, asChild} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			n := newNode(t, "escape/kinit.toml").withPorts("main")
			n.env["KINIT_CGROUPS"] = "off" // the KINIT_SERVICE mark alone
			record := filepath.Join(n.dir, "signals")
			n.env["KINIT_RECORD_FILE"] = record
			r := n.start(m)
			st := n.waitStatus("main ready", allReady("main"))
			first := escapee(t, n)

			killAndAwaitEscapee(t, n, r, st, first)
			second := escapee(t, n)
			if second == first {
				t.Fatalf("the restart started no new escapee")
			}

			r.signal(unix.SIGTERM)
			r.wait()
			waitRecorded(t, record, "escapee SIGTERM")
			if left := marked(n.marker); len(left) > 0 {
				t.Errorf("processes left after kinit exited: %v", left)
			}
		})
	}
}

// killAndAwaitEscapee kills main's process and waits for its restart and
// for the escapee of the killed run to be gone.
func killAndAwaitEscapee(t *testing.T, n *node, r *run, st *client.Status, escapee int) {
	t.Helper()
	r.kill(svc(st, "main").Pid, unix.SIGKILL)
	n.waitStatus("main restarted", func(st *client.Status) bool {
		return svc(st, "main").Restarts == 1 && svc(st, "main").Ready
	})
	waitUntil(t, "the first run's escapee to be gone", func() bool {
		p, ok := readProc(escapee)
		return !ok || p.state == 'Z'
	})
}

// escapee is the pid of the one running escapee of n, once there is one.
func escapee(t *testing.T, n *node) int {
	t.Helper()
	pid := 0
	waitUntil(t, "an escapee", func() bool {
		found := 0
		for _, p := range marked(n.marker) {
			if p.named("escapee") && p.state != 'Z' {
				pid, found = p.pid, found+1
			}
		}
		return found == 1
	})
	return pid
}

// Where kinit can create cgroups (here: cgroup2 mounted in kinit's mount
// namespace, as in a container with a writable cgroupfs), each service is
// born in its own, so even a helper that left the process group and
// cleared its environment is killed with its service before the restart.
// Without cgroups such a helper is found only by the end-of-stop sweep.
func TestEscapeeKilledByCgroup(t *testing.T) {
	n := newNode(t, "escape-cgroup/kinit.toml").withPorts("main")
	n.wrap = []string{"/bin/sh", "-c", `mount -t cgroup2 none /sys/fs/cgroup && exec "$@"`, "sh"}
	r := n.start(asPID1)
	st := n.waitStatus("main ready", allReady("main"))
	cg := cgroupOf(t, r.hostPid(svc(st, "main").Pid))
	if !strings.HasPrefix(cg, "/kinit-") || !strings.HasSuffix(cg, "/main.1") {
		t.Fatalf("main runs in cgroup %q; want /kinit-…/main.1", cg)
	}
	t.Cleanup(func() { removeCgroups(filepath.Dir(cg)) })
	first := escapee(t, n)
	if got := cgroupOf(t, first); got != cg {
		t.Errorf("the escapee runs in cgroup %q, not its service's %q", got, cg)
	}

	killAndAwaitEscapee(t, n, r, st, first)
	r.signal(unix.SIGTERM)
	if code := r.wait(); code != 0 && code != 1 {
		t.Errorf("kinit exited %d", code)
	}
	if left := marked(n.marker); len(left) > 0 {
		t.Errorf("processes left after kinit exited: %v", left)
	}
}

// removeCgroups removes what a failed run left of kinit's cgroups (the
// test's own cgroup2 mount shares the host's hierarchy): each is empty once
// its processes are gone.
func removeCgroups(rel string) {
	own, ok := cgroup.OwnV2("/")
	if !ok {
		return
	}
	dir := filepath.Join(own, rel)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() {
			_ = unix.Rmdir(filepath.Join(dir, e.Name()))
		}
	}
	_ = unix.Rmdir(dir)
}

// cgroupOf is pid's cgroup v2 path ("0::/path" of /proc/PID/cgroup).
func cgroupOf(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(l, "0::"); ok {
			return p
		}
	}
	return ""
}
