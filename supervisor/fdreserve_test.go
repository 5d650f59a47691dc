package supervisor_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
	"github.com/kinit/kinit/supervisor/reaper"
	"golang.org/x/sys/unix"
)

// reserveChild marks the helper child of TestSpawnUsesReserve.
const reserveChild = "KINIT_TEST_FDRESERVE_CHILD"

// TestSpawnUsesReserve: with every descriptor of the process taken (by
// idle clients, say), a service still starts: the supervisor gives back its
// reserve and retries. RLIMIT_NOFILE is process-wide, so the test runs in a
// child of its own (the test binary again) with a hard limit of 64 (Go
// raises the soft limit to the hard one at start).
func TestSpawnUsesReserve(t *testing.T) {
	if os.Getenv(reserveChild) != "" {
		spawnWithoutDescriptors(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSpawnUsesReserve$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), reserveChild+"=1")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	// This process runs the reaper, so the child is waited for through it.
	exited, err := reaper.Start(cmd)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	_, _ = io.Copy(&out, r)
	r.Close()
	if code := (<-exited).ExitCode(); code != 0 {
		t.Fatalf("helper child exited %d:\n%s", code, out.String())
	}
}

func spawnWithoutDescriptors(t *testing.T) {
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 64, Max: 64}); err != nil {
		t.Fatal(err)
	}
	a := svc("a")
	a.Restart.Policy = "never"
	h := start(t, plan.Plan{Services: []plan.Service{a}})
	h.rec.wait(t, 0, "a", supervisor.EventStarted)
	ctx := context.Background()
	if err := h.sup.Stop(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	h.rec.wait(t, 0, "a", supervisor.EventStopped)
	// Let the runtime close what the stopped run left (its pidfd).
	runtime.GC()
	held := exhaust(t)
	defer func() {
		for _, fd := range held {
			unix.Close(fd)
		}
	}()
	from := len(h.rec.all())
	if err := h.sup.Start(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	e, _ := h.rec.waitFrom(t, from, "a started or failed to start", func(e supervisor.Event) bool {
		return e.Service == "a" && (e.Kind == supervisor.EventStarted || e.Kind == supervisor.EventExited)
	})
	if e.Kind != supervisor.EventStarted {
		t.Fatalf("with no descriptor left, a did not start: %s %s", e.Kind, e.Message)
	}
}

// exhaust opens /dev/null until the process has no descriptor left.
func exhaust(t *testing.T) []int {
	t.Helper()
	var fds []int
	for {
		fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.EMFILE) {
			return fds
		}
		if err != nil {
			t.Fatal(err)
		}
		fds = append(fds, fd)
	}
}
