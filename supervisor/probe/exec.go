package probe

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/kinit/kinit/supervisor/reaper"
	"golang.org/x/sys/unix"
)

// Exec passes when Argv exits 0. It runs in its own process group, which
// is killed when the attempt's context ends. The process is started
// through the reaper (kinit's single owner of wait4), so it must be
// running.
type Exec struct {
	Argv []string
	Env  []string // nil: kinit's environment
	Dir  string
	// Start starts the command (its process group already set); nil is
	// reaper.Start. The supervisor passes one that applies the service's
	// credentials.
	Start func(*exec.Cmd) (<-chan reaper.Status, error)
}

func (p Exec) String() string { return strings.Join(p.Argv, " ") }

func (p Exec) Check(ctx context.Context) error {
	target := p.Argv[0]
	cmd := exec.Command(p.Argv[0], p.Argv[1:]...)
	cmd.Env, cmd.Dir = p.Env, p.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	r, w, err := os.Pipe()
	if err != nil {
		return fail(target, "cannot run", err)
	}
	defer r.Close()
	cmd.Stdout, cmd.Stderr = w, w
	startFn := p.Start
	if startFn == nil {
		startFn = reaper.Start
	}
	done, err := startFn(cmd)
	w.Close()
	if err != nil {
		return fail(target, "cannot run", err)
	}
	pid := cmd.Process.Pid
	// Keep the start of the output for the error; drain the rest so a
	// chatty command never blocks on a full pipe.
	out := make(chan []byte, 1)
	go func() {
		head, _ := io.ReadAll(io.LimitReader(r, 512))
		_, _ = io.Copy(io.Discard, r)
		out <- head
	}()
	select {
	case st := <-done:
		// The leader is reaped: its pid, the group's number, may already
		// name another process, so the group is not signalled. Helpers it
		// left carry the service's KINIT_SERVICE mark and die with the
		// service's run or in the end-of-stop sweep. One that holds the
		// pipe gets the read deadline.
		_ = r.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		head := <-out
		if code := st.ExitCode(); code != 0 {
			msg := strings.TrimSpace(string(bytes.ToValidUTF8(head, nil)))
			if msg == "" {
				return fail(target, fmt.Sprintf("exited %d", code), nil)
			}
			return fail(target, fmt.Sprintf("exited %d", code), outputErr(msg))
		}
		return nil
	case <-ctx.Done():
		killGroup(cmd.Process, pid)
		<-done
		return fail(target, "did not finish in time", ctx.Err())
	}
}

// killNumber sends a signal by number (kill(2)); a variable so tests can
// see which groups the probe signals, and when.
var killNumber = unix.Kill

// killGroup SIGKILLs the process group the leader proc heads, only while
// the leader is unreaped: its pidfd (Go's os.Process holds one) refuses a
// signal once the reaper collected it, and until then the zombie pins the
// number, so no other process can hold it.
func killGroup(proc *os.Process, pid int) {
	if proc.Signal(syscall.Signal(0)) != nil {
		return
	}
	_ = killNumber(-pid, unix.SIGKILL)
}

type outputErr string

func (o outputErr) Error() string { return string(o) }
