package nethost

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// initShim is PID 1 of the new PID namespace until it execs the command:
// it mounts the namespace's /proc, sets the hostname, binds the cluster's
// hosts file over /etc/hosts, joins the host's network namespace with
// nsenter (which execs, keeping PID 1), mounts a private /run (after
// nsenter has read /run/netns), and execs the command.
// $0 is the hostname, $1 the hosts file, $2 the netns name.
const initShim = `set -e
mount -t proc proc /proc
hostname "$0"
mount --bind "$1" /etc/hosts
ns=$2
shift 2
exec nsenter --net=/run/netns/"$ns" -- /bin/sh -c 'mount -t tmpfs -o mode=0755 kinit-t-run /run && exec "$@"' sh "$@"`

// clientShim is initShim without the PID namespace and /run.
const clientShim = `set -e
hostname "$0"
mount --bind "$1" /etc/hosts
ns=$2
shift 2
exec nsenter --net=/run/netns/"$ns" -- "$@"`

// Command is what to start on a host.
type Command struct {
	Args []string // program and arguments; the program is looked up in PATH inside
	// Env is the complete environment; nil means the test process's own.
	Env []string
	// Dir is the working directory; empty means the host's Dir.
	Dir string
	// Log receives stdout and stderr; empty means <host Dir>/<program>-<n>.log.
	Log string
}

// Proc is a command running as PID 1 of its own PID namespace on a host.
type Proc struct {
	// LogPath is the file holding the command's stdout and stderr.
	LogPath string

	host  *Host
	cmd   *exec.Cmd
	pid   int // in the root PID namespace
	done  chan struct{}
	state *os.ProcessState
}

var logSeq atomic.Int64

// Start starts c on the host and registers a t.Cleanup that SIGKILLs it (and
// so its whole PID namespace) if it is still running when the test ends.
// It fails the test when the command cannot be started.
func (h *Host) Start(t testing.TB, c Command) *Proc {
	t.Helper()
	p, err := h.start(c)
	if err != nil {
		t.Fatalf("nethost: cannot start %q on %s: %v", c.Args, h.Name, err)
	}
	t.Cleanup(func() {
		p.kill()
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			t.Errorf("nethost: %q on %s (pid %d) did not exit after SIGKILL", c.Args, h.Name, p.pid)
		}
	})
	return p
}

func (h *Host) start(c Command) (*Proc, error) {
	if len(c.Args) == 0 {
		return nil, errors.New("no command")
	}
	logPath := c.Log
	if logPath == "" {
		logPath = filepath.Join(h.Dir, fmt.Sprintf("%s-%d.log", filepath.Base(c.Args[0]), logSeq.Add(1)))
	}
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot open log: %w", err)
	}
	defer logFile.Close()

	cmd := exec.Command("/bin/sh", append([]string{"-c", initShim, h.Name, h.c.HostsFile, h.NetNS}, c.Args...)...)
	cmd.Env = c.Env
	cmd.Dir = c.Dir
	if cmd.Dir == "" {
		cmd.Dir = h.Dir
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// The child is PID 1 of a new PID namespace with its own hostname;
		// Go makes the new mount namespace private before the exec, so no
		// mount leaks to the machine. The test process is its parent and
		// gets its real exit status.
		Cloneflags:   syscall.CLONE_NEWPID | syscall.CLONE_NEWUTS,
		Unshareflags: syscall.CLONE_NEWNS,
		// If the test process dies, the init dies, and with it every
		// process in its PID namespace.
		Pdeathsig: syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Proc{LogPath: logPath, host: h, cmd: cmd, pid: cmd.Process.Pid, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		p.state = cmd.ProcessState
		close(p.done)
	}()
	h.c.mu.Lock()
	h.c.procs = append(h.c.procs, p)
	h.c.mu.Unlock()
	return p, nil
}

// Pid is the command's pid as the test process sees it (it is 1 inside).
func (p *Proc) Pid() int { return p.pid }

// Host is the host the command runs on.
func (p *Proc) Host() *Host { return p.host }

// Signal sends sig to the namespace's PID 1. Only signals the command has a
// handler for are delivered to a PID-namespace init, SIGKILL always is.
func (p *Proc) Signal(sig syscall.Signal) error {
	select {
	case <-p.done:
		return errors.New("process already exited")
	default:
	}
	return syscall.Kill(p.pid, sig)
}

func (p *Proc) kill() {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Kill()
	}
}

// Done is closed when the command (and so its PID namespace) has ended.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Wait waits up to timeout for the command to end and returns its exit code,
// 128+n when signal n killed it.
func (p *Proc) Wait(timeout time.Duration) (int, error) {
	select {
	case <-p.done:
		return p.ExitCode(), nil
	case <-time.After(timeout):
		return -1, fmt.Errorf("process %d on %s still running after %s", p.pid, p.host.Name, timeout)
	}
}

// ExitCode is the exit code once Done is closed (128+signal when killed by
// one), -1 before.
func (p *Proc) ExitCode() int {
	select {
	case <-p.done:
	default:
		return -1
	}
	ws, ok := p.state.Sys().(syscall.WaitStatus)
	if !ok {
		return p.state.ExitCode()
	}
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// Output returns what the command has written so far.
func (p *Proc) Output() string {
	data, _ := os.ReadFile(p.LogPath)
	return string(data)
}

// Exec runs args inside the running command's namespaces (network, mount,
// UTS, PID, IPC): it sees the host's /run and /proc, e.g. for
// `kinit status` over the host's control socket. env nil means the test
// process's environment.
func (p *Proc) Exec(ctx context.Context, env []string, args ...string) ([]byte, error) {
	nsArgs := []string{"--target", strconv.Itoa(p.pid), "--mount", "--uts", "--net", "--pid", "--ipc", "--"}
	cmd := exec.CommandContext(ctx, "nsenter", append(nsArgs, args...)...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd.CombinedOutput()
}

// Command returns a command that runs args on the host without a process of
// its own there: in the host's network namespace, with its hostname and
// /etc/hosts, but the machine's PID namespace and /run. For short-lived
// clients such as kafka-topics or zookeeper-shell.
func (h *Host) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", clientShim, h.Name, h.c.HostsFile, h.NetNS}, args...)...)
	cmd.Dir = h.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Unshareflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWUTS,
		Pdeathsig:    syscall.SIGKILL,
	}
	return cmd
}
