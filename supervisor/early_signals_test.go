package supervisor_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/plan"
	"golang.org/x/sys/unix"
)

// Signals that arrive while kinit is still compiling (reading identity
// files, rendering) neither end it nor get lost: the driver is held, as a
// slow compile would hold kinit up, after CatchSignals and before
// HandleSignals. SIGHUP, SIGQUIT and SIGUSR1 are logged and ignored once
// the supervisor runs; a SIGTERM among them makes the driver exit 0 with
// nothing started. Before, such signals ended PID 1 with Go's default
// action (exit 2, a goroutine dump for SIGQUIT).
func TestSignalsBeforeTheSupervisor(t *testing.T) {
	for _, tc := range []struct {
		name string
		stop bool
	}{{"ignored", false}, {"stop", true}} {
		t.Run(tc.name, func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "hold")
			if err := unix.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("PLANDRIVER_HOLD", fifo)
			plan := plan.Plan{Node: plan.NodeInfo{Role: "broker", ID: 1},
				Services: []plan.Service{listening(t, svc("a"))}}
			d := startDriver(t, true, plan)
			d.logMsg("held")
			sigs := []unix.Signal{unix.SIGHUP, unix.SIGQUIT, unix.SIGUSR1}
			if tc.stop {
				sigs = append(sigs, unix.SIGTERM)
			}
			for _, sig := range sigs {
				d.signal(sig)
			}
			// A non-blocking open fails (ENXIO) while no reader has the
			// FIFO open, so a driver that died fails the test instead of
			// hanging it.
			var w *os.File
			testkit.Eventually(t, "the driver to read its hold FIFO", func() bool {
				w, _ = os.OpenFile(fifo, os.O_WRONLY|unix.O_NONBLOCK, 0)
				return w != nil
			})
			defer w.Close()
			// Ask until the driver has received every signal while
			// still held (delivery is asynchronous), then release it.
			var names []string
			for _, sig := range sigs {
				names = append(names, unix.SignalName(sig))
			}
			slices.Sort(names)
			want := strings.Join(names, ",")
			end := time.Now().Add(deadline)
			for from := 0; ; {
				if time.Now().After(end) {
					t.Fatalf("the held driver never saw %s", want)
				}
				if _, err := w.Write([]byte("?")); err != nil {
					t.Fatal(err)
				}
				var m map[string]any
				m, from = d.logFrom(from, "early signals")
				from++
				seen, _ := m["seen"].(string)
				got := strings.Split(seen, ",")
				slices.Sort(got)
				if strings.Join(got, ",") == want {
					break
				}
			}
			if _, err := w.Write([]byte("go\n")); err != nil {
				t.Fatal(err)
			}
			if tc.stop {
				d.logMsg("stop requested before start; nothing started")
				if code := d.exitCode(); code != 0 {
					t.Fatalf("driver exited %d, want 0", code)
				}
				if d.logIndex(`service "a" started`) >= 0 {
					t.Fatal("a service started after a stop signal")
				}
				return
			}
			for _, name := range []string{"SIGHUP", "SIGQUIT", "SIGUSR1"} {
				d.logMsg("received " + name + " before the services started; ignored")
			}
			d.logMsg(`service "a" ready`)
			d.signal(unix.SIGTERM)
			if code := d.exitCode(); code != 0 {
				t.Fatalf("driver exited %d, want 0", code)
			}
		})
	}
}
