package supervisor_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

// A line matching the probe's trigger runs the probe at once: with the
// pauses between attempts made an hour long, only the trigger can make
// the service ready. Without a trigger the same service stays starting
// after it listens (the control).
func TestTriggerLineRunsProbeNow(t *testing.T) {
	defer supervisor.FakeProbeFirstInterval(time.Hour)()
	for _, trigger := range []string{"^listening on ", ""} {
		marks := filepath.Join(t.TempDir(), "marks")
		app := listening(t, svc("app", "-delay", "300ms", "-mark", marks))
		app.Probe.Interval = time.Hour
		app.Probe.Trigger = trigger
		h := start(t, plan.Plan{Services: []plan.Service{app}})
		if trigger != "" {
			h.rec.wait(t, 0, "app", supervisor.EventReady)
			continue
		}
		waitMark(t, marks, "ready app ")
		time.Sleep(time.Second)
		if st := h.status("app"); st.Ready {
			t.Fatalf("ready without a trigger, before the next attempt: %+v", st)
		}
	}
}

// READY=1 on NOTIFY_SOCKET (sd_notify) runs the probe at once, as a
// trigger line does; the service gets the socket only when it asks.
func TestNotifyReadyRunsProbeNow(t *testing.T) {
	defer supervisor.FakeProbeFirstInterval(time.Hour)()
	app := listening(t, svc("app", "-delay", "300ms", "-notify"))
	app.Probe.Interval = time.Hour
	app.Probe.Notify = true
	h := start(t, plan.Plan{Services: []plan.Service{app}})
	h.rec.wait(t, 0, "app", supervisor.EventReady)
}

// waitMark waits until testprog appended a line starting with prefix.
func waitMark(t *testing.T, file, prefix string) {
	t.Helper()
	testkit.Eventually(t, fmt.Sprintf("a %q line in %s", prefix, file), func() bool {
		b, _ := os.ReadFile(file)
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, prefix) {
				return true
			}
		}
		return false
	})
}

func TestValidateTrigger(t *testing.T) {
	app := svc("app")
	app.Probe = tcpProbe("127.0.0.1:1")
	app.Probe.Trigger = "started ("
	err := supervisor.Validate(plan.Plan{Services: []plan.Service{app}})
	if err == nil || !strings.Contains(err.Error(), `services.app.probe.trigger: error parsing regexp`) {
		t.Fatalf("want the bad trigger refused, got %v", err)
	}
}
