// Package single runs one command under kinit the way tini does: kinit stays
// the parent (PID 1 in a container, a child subreaper elsewhere), reaps every
// process that dies below it, forwards signals to the command's process group
// and finally exits with the command's status.
//
// One goroutine owns the run: it selects on the child's status from
// supervisor/reaper (the only caller of wait4), on incoming signals and on the
// optional grace timer. Between events kinit sleeps in the kernel; the only
// timer that ever exists is the grace period after a forwarded stop signal.
package single

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kinit/kinit/supervisor/reaper"
)

// Config says what to run and how to stop it.
type Config struct {
	// Argv is the command and its arguments; Argv[0] is looked up in PATH
	// unless it contains a slash.
	Argv []string
	// Grace, when positive, is how long the process group may take to exit
	// after a forwarded SIGTERM or SIGINT before kinit sends it SIGKILL.
	Grace time.Duration
	// Logf receives kinit's own notices (nil discards them).
	Logf func(format string, args ...any)
}

// Exit codes for a command that could not be started (shell and tini
// convention).
const (
	CodeNotExecutable = 126
	CodeNotFound      = 127
	codeInternal      = 1
)

// Run starts the command and returns its exit code, or 128+N when it was
// killed by signal N. When the command cannot be started the code is
// CodeNotFound or CodeNotExecutable and err says why; a non-nil err always
// means the command never ran.
//
// Run is meant to be called once, by a process that exits afterwards: it
// leaves SIGTTIN and SIGTTOU ignored (os/signal cannot restore SIG_DFL after
// Ignore), and the process stays a child subreaper.
func Run(cfg Config) (code int, err error) {
	if len(cfg.Argv) == 0 || cfg.Argv[0] == "" {
		return CodeNotFound, errors.New("cannot start an empty command")
	}
	logf := cfg.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	// One P: kinit has nothing to run in parallel, and with more Ps every
	// SIGCHLD is handed between threads (signal handler, os/signal, reaper
	// goroutine). Measured on 2 CPUs, reap storms of 2,000 orphans, median
	// init CPU: 34 ms with GOMAXPROCS=2, 19 ms with 1, tini 18 ms. An
	// explicit GOMAXPROCS in the environment wins.
	if os.Getenv("GOMAXPROCS") == "" {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	}

	// Subscribe before the child exists: a signal that arrives while it is
	// starting is queued and forwarded instead of being lost (or, for the
	// signals Go treats as fatal, ending kinit). os/signal drops when the
	// channel is full, so leave room for a burst.
	sigc := make(chan os.Signal, 32)
	signal.Notify(sigc, handled()...)
	defer signal.Stop(sigc)

	if err := reaper.Run(nil); err != nil {
		return codeInternal, err
	}
	defer reaper.Shutdown()

	cmd := command(cfg.Argv)
	status, err := reaper.Start(cmd)
	// The child may own the terminal from now on, which makes kinit a
	// background process there: a write or tcsetpgrp on the tty must not
	// stop it. Ignoring only after the fork lets the child inherit the
	// dispositions kinit was given instead of SIG_IGN.
	signal.Ignore(unix.SIGTTIN, unix.SIGTTOU)
	if err != nil {
		return startFailure(cfg.Argv[0], err)
	}
	pid, proc := cmd.Process.Pid, cmd.Process

	var grace <-chan time.Time
	for {
		select {
		case st := <-status:
			return st.ExitCode(), nil
		case s := <-sigc:
			sig := s.(unix.Signal)
			if !forwarded(sig) {
				continue // swallowed, see signals.go
			}
			signalGroup(proc, sig)
			if cfg.Grace > 0 && grace == nil && (sig == unix.SIGTERM || sig == unix.SIGINT) {
				t := time.NewTimer(cfg.Grace)
				defer t.Stop()
				grace = t.C
			}
		case <-grace:
			logf("%q (pid %d) did not exit within %s of the stop signal; sending SIGKILL to its process group",
				cfg.Argv[0], pid, cfg.Grace)
			signalGroup(proc, unix.SIGKILL)
			grace = nil
		}
	}
}

// command builds the child: its own process group, kinit's environment and
// stdio, and the terminal's foreground when kinit holds it.
func command(argv []string) *exec.Cmd {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = inherited(os.Stdin)
	cmd.Stdout = inherited(os.Stdout)
	cmd.Stderr = inherited(os.Stderr)
	cmd.SysProcAttr = &unix.SysProcAttr{Setpgid: true}
	if ownsTerminal(0) {
		// Go calls tcsetpgrp in the child after setpgid and before it
		// unblocks signals, so the child is not stopped by SIGTTOU.
		cmd.SysProcAttr.Foreground = true
		cmd.SysProcAttr.Ctty = 0
	}
	return cmd
}

// inherited passes an open standard descriptor through unchanged; a closed one
// becomes /dev/null, because the child cannot inherit a descriptor that is not
// there and Go would fail the start.
func inherited(f *os.File) *os.File {
	if _, err := unix.FcntlInt(f.Fd(), unix.F_GETFD, 0); err != nil {
		return nil
	}
	return f
}

// ownsTerminal reports whether fd is kinit's controlling terminal and kinit's
// process group is in its foreground. Only then is the terminal handed to the
// child; a kinit started in the background must not steal it from a shell.
func ownsTerminal(fd int) bool {
	fg, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP)
	return err == nil && fg == unix.Getpgrp()
}

// signalGroup sends sig to the child's process group, or to the child alone
// when it has left the group (setsid or setpgid of its own). The pid names
// the group only until the child is reaped; the pidfd Go's os.Process holds
// says whether it still is, so a recycled number is never signalled.
func signalGroup(p *os.Process, sig unix.Signal) {
	if p.Signal(syscall.Signal(0)) != nil {
		return // reaped: its status is on the way to the loop
	}
	if err := unix.Kill(-p.Pid, sig); err == unix.ESRCH {
		_ = unix.Kill(p.Pid, sig)
	}
}

// startFailure maps a start error to the tini/shell exit code: 127 when the
// command does not exist, 126 for every other reason it could not be run.
func startFailure(name string, err error) (int, error) {
	code := CodeNotExecutable
	var errno unix.Errno
	switch {
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, exec.ErrDot):
		code = CodeNotFound
	case errors.As(err, &errno) && errno == unix.ENOENT:
		code = CodeNotFound
	}
	// Drop os/exec's own "exec: " and "fork/exec PATH: " prefixes: the
	// message already names the command.
	var ee *exec.Error
	var pe *os.PathError
	switch {
	case errors.As(err, &ee):
		err = ee.Err
	case errors.As(err, &pe):
		err = pe.Err
	}
	return code, fmt.Errorf("cannot start %q: %w", name, err)
}
