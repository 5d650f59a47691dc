package supervisor_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
	"golang.org/x/sys/unix"
)

// SIGHUP and SIGUSR2 sent to kinit reach the process groups of the
// services that opt in, and only those; a signal nobody takes is ignored
// rather than killing kinit (Go's default for SIGHUP and SIGUSR1).
//
// Signals to different threads of a process are handled in no set order,
// so the test sends one signal at a time and waits for it to be recorded.
// Where it went is what kinit logs from the pass that sent it; the files
// show that each opted-in service got it, and at the end, that no other
// one ever did.
func TestForwardSignals(t *testing.T) {
	for _, pid1 := range []bool{false, true} {
		t.Run(map[bool]string{true: "pid1", false: "child"}[pid1], func(t *testing.T) {
			rec := filepath.Join(t.TempDir(), "signals")
			both := listening(t, svc("both", "-record", rec))
			both.ForwardSignals = signals(t, "SIGHUP", "usr2")
			usr2 := listening(t, svc("usr2", "-record", rec))
			usr2.ForwardSignals = signals(t, "12")
			none := listening(t, svc("none", "-record", rec))
			d := startDriver(t, pid1, plan.Plan{Services: []plan.Service{both, usr2, none}})
			d.logMsg("all services ready")
			got := func(name string) string { return strings.Join(testkit.RecordedSignals(t, rec, name), " ") }

			d.signal(unix.SIGHUP)
			if m := d.logMsg("received SIGHUP; forwarded to"); m["services"] != "both" {
				t.Errorf("SIGHUP forwarded to %v, want both", m["services"])
			}
			testkit.Eventually(t, "both recorded SIGHUP", func() bool { return got("both") == "SIGHUP" })

			d.signal(unix.SIGUSR2)
			if m := d.logMsg("received SIGUSR2; forwarded to"); m["services"] != "both,usr2" {
				t.Errorf("SIGUSR2 forwarded to %v, want both,usr2", m["services"])
			}
			testkit.Eventually(t, "both and usr2 recorded SIGUSR2", func() bool {
				return got("both") == "SIGHUP SIGUSR2" && got("usr2") == "SIGUSR2"
			})

			// Nobody takes SIGUSR1: ignored, kinit keeps running and still
			// stops cleanly.
			d.signal(unix.SIGUSR1)
			d.logMsg("received SIGUSR1; no running service takes it")
			d.signal(unix.SIGTERM)
			if code := d.exitCode(); code != 0 {
				t.Fatalf("exit code %d", code)
			}
			for name, want := range map[string]string{"both": "SIGHUP SIGUSR2 SIGTERM", "usr2": "SIGUSR2 SIGTERM", "none": "SIGTERM"} {
				if g := got(name); g != want {
					t.Errorf("%s recorded %q, want %q", name, g, want)
				}
			}
		})
	}
}

func TestValidateForwardSignals(t *testing.T) {
	tests := []struct {
		names []string
		want  string // "" = valid
	}{
		{[]string{"SIGHUP", "USR1", "sigusr2", "12", "HUP"}, ""},
		{[]string{"QUIT", "sigwinch", "3"}, ""},
		{[]string{"SIGKILL"}, "SIGKILL cannot be forwarded"},
		{[]string{"SIGTERM"}, "SIGTERM cannot be forwarded"},
		{[]string{"INT"}, "SIGINT cannot be forwarded"},
		{[]string{"SIGNOPE"}, `unknown signal "SIGNOPE"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.names, ","), func(t *testing.T) {
			// As plandriver reads a plan: the names are parsed once, when
			// the JSON is decoded, and the rules checked by Validate.
			names, _ := json.Marshal(tt.names)
			var s plan.Service
			err := json.Unmarshal([]byte(`{"id":"a","argv":["/bin/true"],"forward_signals":`+string(names)+`}`), &s)
			if err == nil {
				err = supervisor.Validate(plan.Plan{Services: []plan.Service{s}})
			}
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}
