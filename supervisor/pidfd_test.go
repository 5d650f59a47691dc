package supervisor_test

import (
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/kinit/kinit/supervisor"
	"github.com/kinit/kinit/supervisor/reaper"
	"golang.org/x/sys/unix"
)

// Once a leader has been reaped its pid may belong to someone else: the
// stop signal that races with the reap must not reach that process. The
// recycled pid is simulated by recording a live bystander's pid (its own
// group leader) against the reaped leader's process handle.
func TestSignalAfterReapHitsNobody(t *testing.T) {
	gone := exec.Command("/bin/true")
	gone.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	st, err := reaper.Start(gone)
	if err != nil {
		t.Fatal(err)
	}
	<-st
	bystander := exec.Command("/bin/sleep", "60")
	bystander.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	bst, err := reaper.Start(bystander)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Kill(-bystander.Process.Pid, unix.SIGKILL) })

	supervisor.SignalLeader(gone.Process, bystander.Process.Pid, unix.SIGTERM)
	select {
	case s := <-bst:
		t.Fatalf("the bystander got the signal meant for a reaped leader: %s", s)
	case <-time.After(300 * time.Millisecond):
	}

	// The same call with the bystander's own handle does reach it.
	supervisor.SignalLeader(bystander.Process, bystander.Process.Pid, unix.SIGTERM)
	select {
	case s := <-bst:
		if s.Signaled() != unix.SIGTERM {
			t.Fatalf("bystander ended with %s, want SIGTERM", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a live leader was not signalled")
	}
}
