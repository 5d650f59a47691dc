package up

import (
	"testing"

	"golang.org/x/sys/unix"
)

// A helper still in its service's process group does not outlive the
// service's main process, now that kinit no longer sends SIGKILL to the
// group's number once the leader is reaped (the number may be another
// process's by then): the service's KINIT_SERVICE mark finds it, without
// cgroups, before the restart.
func TestGroupLeftoverKilledByMark(t *testing.T) {
	for _, m := range []mode{asPID1, asChild} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			n := newNode(t, "groupleft/kinit.toml").withPorts("main")
			n.env["KINIT_CGROUPS"] = "off"
			r := n.start(m)
			st := n.waitStatus("main ready", allReady("main"))
			first := escapee(t, n)
			killAndAwaitEscapee(t, n, r, st, first)
			r.signal(unix.SIGTERM)
			r.wait()
			if left := marked(n.marker); len(left) > 0 {
				t.Errorf("processes left after kinit exited: %v", left)
			}
		})
	}
}
