package up

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// No signal is fatal to kinit up. SIGQUIT (docker kill -s QUIT) goes to the
// services that list it (a), as a thread dump request would; signals no
// service takes are logged once and ignored, including the ones whose
// default would end or stop a Go program (PIPE, ABRT, TSTP, ALRM, a
// real-time one). `kinit signal` reaches one service whatever its
// forward_signals. Before, SIGQUIT made the runtime dump goroutines and
// exit 2, orphaning the services.
func TestNoSignalKillsKinit(t *testing.T) {
	for _, m := range []mode{asPID1, asChild} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			n := newNode(t, "signals/kinit.toml").withPorts("a", "b")
			record := filepath.Join(n.dir, "signals")
			n.env["KINIT_RECORD_FILE"] = record
			r := n.start(m)
			n.waitStatus("a and b ready", allReady("a", "b"))

			r.signal(unix.SIGQUIT)
			waitRecorded(t, record, "a SIGQUIT")
			for _, sig := range []unix.Signal{unix.SIGPIPE, unix.SIGABRT, unix.SIGTSTP, unix.SIGTTIN, unix.SIGALRM, unix.Signal(40)} {
				r.signal(sig)
				r.waitLog("received " + sigName(sig) + "; ignored (logged once)")
			}
			// Forwardable, but no service lists it.
			r.signal(unix.SIGUSR2)
			r.waitLog("received SIGUSR2; no running service takes it (forward_signals), ignored")
			st := n.status()
			if !allReady("a", "b")(st) || svc(st, "a").Restarts != 0 || svc(st, "b").Restarts != 0 {
				t.Fatalf("after the signals: %+v", st.Services)
			}

			if out := n.cli("signal", "b", "HUP"); out.code != 0 {
				t.Fatalf("kinit signal b HUP: exit %d: %s", out.code, out.stderr)
			}
			r.waitLog("sent SIGHUP to b by request")
			if out := n.cli("signal", "a", "USR2"); out.code != 0 {
				t.Fatalf("kinit signal a USR2: exit %d: %s", out.code, out.stderr)
			}
			waitRecorded(t, record, "a SIGUSR2")
			if out := n.cli("signal", "nope", "HUP"); out.code == 0 || !strings.Contains(out.stderr, "unknown service") {
				t.Errorf("kinit signal nope HUP: exit %d: %s", out.code, out.stderr)
			}

			r.signal(unix.SIGTERM)
			if code := r.wait(); code != 0 {
				t.Fatalf("kinit exited %d after the signals, want 0", code)
			}
		})
	}
}

func sigName(sig unix.Signal) string {
	if sig == 40 {
		return "SIGRTMIN+8"
	}
	return unix.SignalName(sig)
}

func waitRecorded(t *testing.T, file, line string) {
	t.Helper()
	waitUntil(t, "record line "+line, func() bool {
		b, _ := os.ReadFile(file)
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, line+" ") {
				return true
			}
		}
		return false
	})
}

// SIGPWR is how lxc and Incus ask a container's init for a clean halt
// (lxc-stop, `incus stop`): kinit up stops the node in order on it, as on
// SIGTERM. Before, it was logged and ignored, so the halt waited for the
// runtime's timeout and then killed everything.
func TestSIGPWRStopsInOrder(t *testing.T) {
	n := newNode(t, "signals/kinit.toml").withPorts("a", "b")
	r := n.start(asPID1)
	n.waitStatus("a and b ready", allReady("a", "b"))
	r.signal(unix.SIGPWR)
	r.waitLog("received SIGPWR")
	if code := r.wait(); code != 0 {
		t.Fatalf("kinit exited %d after SIGPWR, want 0", code)
	}
	// b waits on a, so b is stopped first.
	if ib, ia := r.logIndex(`service "b" stopped: …`), r.logIndex(`service "a" stopped: …`); ib < 0 || ia < 0 || ib > ia {
		t.Fatalf("stop order: b at %d, a at %d; want b before a", ib, ia)
	}
}
