package up

import (
	"path/filepath"
	"testing"

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
			record := filepath.Join(n.dir, "signals")
			n.env["KINIT_RECORD_FILE"] = record
			r := n.start(m)
			st := n.waitStatus("main ready", allReady("main"))
			first := escapee(t, n)

			r.kill(svc(st, "main").Pid, unix.SIGKILL)
			n.waitStatus("main restarted", func(st *client.Status) bool {
				return svc(st, "main").Restarts == 1 && svc(st, "main").Ready
			})
			waitUntil(t, "the first run's escapee to be gone", func() bool {
				p, ok := readProc(first)
				return !ok || p.state == 'Z'
			})
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
