package up

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/kinit/kinit/supervisor/control/client"
	"golang.org/x/sys/unix"
)

// A stdout whose reader went away (`kinit up | head`) must cost kinit
// nothing but the lines: it keeps supervising (a killed service is
// restarted), counts what it could not write, and stops in order on
// SIGTERM with exit 0. Before, the first log line after the reader left
// killed kinit with SIGPIPE.
func TestClosedStdout(t *testing.T) {
	for _, m := range []mode{asPID1, asChild} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			n := newNode(t, "signals/kinit.toml").withPorts("a", "b")
			rd, wr, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			n.stdout = wr
			r := n.start(m)
			wr.Close()
			// Read like `head -n 3`, then go away.
			sc := bufio.NewScanner(rd)
			for i := 0; i < 3 && sc.Scan(); i++ {
			}
			rd.Close()

			st := n.waitStatus("a and b ready", allReady("a", "b"))
			r.kill(svc(st, "a").Pid, unix.SIGKILL)
			st = n.waitStatus("a restarted", func(st *client.Status) bool {
				return svc(st, "a").Restarts == 1 && allReady("a", "b")(st)
			})
			if st.Kinit.OutputDropped == 0 {
				t.Errorf("status counts no dropped output lines after the reader closed stdout")
			}
			if out := n.cli("status"); !strings.Contains(out.stdout, "output lines dropped") {
				t.Errorf("kinit status does not show the dropped lines:\n%s", out.stdout)
			}
			r.signal(unix.SIGTERM)
			if code := r.wait(); code != 0 {
				t.Fatalf("kinit exited %d after SIGTERM, want 0; stderr:\n%s", code, r.stderr.text())
			}
		})
	}
}

// A stdout nobody reads (a full pipe) must not hold the event loop: with b
// printing without pause, a `kill -9` of a is still restarted and SIGTERM
// still stops both. Before, the loop blocked in its next log line.
func TestStdoutNobodyReads(t *testing.T) {
	n := newNode(t, "signals/kinit.toml").withPorts("a", "b")
	n.env["KINIT_SPAM"] = "1000"
	r := n.startStdoutUnread(asPID1)

	st := n.waitStatus("a and b ready, and lines dropped", func(st *client.Status) bool {
		return allReady("a", "b")(st) && st.Kinit.OutputDropped > 0
	})
	r.kill(svc(st, "a").Pid, unix.SIGKILL)
	n.waitStatus("a restarted", func(st *client.Status) bool {
		return svc(st, "a").Restarts == 1 && svc(st, "a").Ready
	})
	r.signal(unix.SIGTERM)
	if code := r.wait(); code != 0 {
		t.Fatalf("kinit exited %d after SIGTERM, want 0; stderr:\n%s", code, r.stderr.text())
	}
}

// startStdoutUnread starts kinit with a stdout pipe the test holds open
// until its end and never reads: once the pipe is full, every write to it
// would block.
func (n *node) startStdoutUnread(m mode) *run {
	n.t.Helper()
	rd, wr, err := os.Pipe()
	if err != nil {
		n.t.Fatal(err)
	}
	// Registered before start's cleanup, so it runs after kinit is gone.
	n.t.Cleanup(func() { rd.Close() })
	n.stdout = wr
	r := n.start(m)
	wr.Close() // kinit has its own copy
	n.stdout = nil
	return r
}
