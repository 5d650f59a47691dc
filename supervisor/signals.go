package supervisor

import (
	"os"
	"os/signal"

	"github.com/kinit/kinit/internal/sigtab"
	"golang.org/x/sys/unix"
)

// notCaught are left to their defaults: the reaper takes SIGCHLD, SIGURG is
// the Go runtime's preemption signal (its default is to ignore it), and
// SIGPROF only matters to a profiler.
var notCaught = []unix.Signal{unix.SIGCHLD, unix.SIGURG, unix.SIGPROF}

// survivable is every catchable signal kinit up subscribes to, so that no
// default action (SIGPIPE on a closed stdout, SIGQUIT's goroutine dump,
// SIGTSTP's stop, SIGABRT's crash, …) can end or stall PID 1. Catching
// rather than ignoring keeps them at their default in the services: exec
// resets caught signals but inherits ignored ones.
func survivable() []os.Signal {
	var out []os.Signal
	for _, sig := range sigtab.Catchable() {
		keep := true
		for _, n := range notCaught {
			if sig == n {
				keep = false
			}
		}
		if keep {
			out = append(out, sig)
		}
	}
	return out
}

// CatchFatal makes the signals that would kill kinit harmless until
// HandleSignals takes over: a write to a closed stdout before the services
// start then fails with EPIPE instead of ending kinit. Nothing reads the
// channel; os/signal drops what does not fit.
func CatchFatal() {
	signal.Notify(make(chan os.Signal, 1), unix.SIGPIPE)
}

// HandleSignals takes every catchable signal until Run returns: SIGTERM
// and SIGINT become Terminate calls (the first stops in order, the second
// kills); a forwardable one (see sigtab) goes to the loop, which passes it
// to the services whose ForwardSignals name it; any other is logged the
// first time and otherwise ignored. The returned func stops the handling
// early.
func HandleSignals(s *Supervisor) (stop func()) {
	// os/signal drops a signal when the channel is full; a few slots keep
	// a quick double SIGTERM from being lost.
	c := make(chan os.Signal, 16)
	signal.Notify(c, survivable()...)
	quit := make(chan struct{})
	go func() {
		defer signal.Stop(c)
		seen := map[unix.Signal]bool{}
		for {
			select {
			case sig := <-c:
				us := sig.(unix.Signal)
				row, _ := sigtab.Lookup(us)
				switch {
				case us == unix.SIGTERM || us == unix.SIGINT:
					s.log.Info("received " + row.Name)
					s.Terminate()
				case row.Forward:
					// The loop owns the pids: it forwards.
					s.send(evSignal{sig: us})
				case !seen[us]:
					// Once: a closed stdout raises SIGPIPE on every
					// write, this log line included.
					seen[us] = true
					s.log.Info("received "+row.Name+"; ignored (logged once)", "signal", row.Name)
				}
			case <-s.done:
				return
			case <-quit:
				return
			}
		}
	}()
	return func() { close(quit) }
}
