package pid1

import (
	"os"
	"slices"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

func TestExitCodes(t *testing.T) {
	self := os.Args[0]
	tests := []struct {
		name   string
		helper string
		args   []string
		want   int
	}{
		{"exit 0", "exit", []string{"--", self, "0"}, 0},
		{"exit 1", "exit", []string{"--", self, "1"}, 1},
		{"exit 7", "exit", []string{"--", self, "7"}, 7},
		{"exit 255", "exit", []string{"--", self, "255"}, 255},
		{"killed by SIGKILL", "kill", []string{"--", self, "9"}, 137},
		{"killed by SIGTERM", "kill", []string{"--", self, "15"}, 143},
		{"not found", "", []string{"--", "/nonexistent/kinit-test-cmd"}, 127},
		{"not found in PATH", "", []string{"--", "kinit-test-no-such-cmd"}, 127},
		{"not executable", "", []string{"--", "testdata/not-executable.sh"}, 126},
		{"usage error", "", []string{"--grace", "soon", "--", self}, 2},
	}
	for _, m := range modes {
		for _, tt := range tests {
			t.Run(m.name+"/"+tt.name, func(t *testing.T) {
				k := start(t, m, tt.helper, tt.args...)
				if got := k.exitCode(); got != tt.want {
					t.Fatalf("exit code %d, want %d", got, tt.want)
				}
			})
		}
	}
}

// Every signal 1..64 (but KILL and STOP) is sent to kinit, one at a time;
// the child (testdata/record_signals.py) records what reaches it. A
// forwarded one must be the next line the child prints; one kept back must
// not appear before the next forwarded one, and kinit must survive it.
func TestSignalsReachChild(t *testing.T) {
	var want []string
	for _, s := range allSignals() {
		if !slices.Contains(notForwarded, s) {
			want = append(want, strconv.Itoa(int(s)))
		}
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			k := start(t, m, "", append([]string{"--", "python3", "testdata/record_signals.py"}, want...)...)
			if l := k.line(); l != "ready" {
				t.Fatalf("recorder said %q, want ready", l)
			}
			held := []unix.Signal{}
			for _, sig := range allSignals() {
				k.signal(m, sig)
				if slices.Contains(notForwarded, sig) {
					held = append(held, sig)
					continue
				}
				// The next line is this signal: anything held back
				// before it would have come first.
				if got := k.line(); got != strconv.Itoa(int(sig)) {
					t.Fatalf("child recorded %q after kinit got %d (held back since the last one: %v)", got, sig, held)
				}
				held = held[:0]
			}
			if code := k.exitCode(); code != 0 {
				t.Fatalf("exit code %d, want 0", code)
			}
		})
	}
}

func TestGraceKillsChildIgnoringSIGTERM(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			k := start(t, m, "ignore-term", "--grace", "1s", "--", os.Args[0])
			if l := k.line(); l != "ready" {
				t.Fatalf("helper said %q, want ready", l)
			}
			k.signal(m, unix.SIGTERM)
			if code := k.exitCode(); code != 137 {
				t.Fatalf("exit code %d, want 137 (SIGKILL after the grace period)", code)
			}
		})
	}
}

// A child leaves 2,000 orphans that exit at once; none may stay a zombie.
// The verdict comes from the child reading /proc (helpers_test.go).
func TestOrphansReaped(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			k := start(t, m, "orphans", "--", os.Args[0], "2000")
			code := k.exitCode()
			if code != 0 {
				t.Fatalf("orphan check failed (exit code %d), see the helper's output above", code)
			}
		})
	}
}
