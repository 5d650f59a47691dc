package single

import (
	"os"
	"os/signal"
	"slices"

	"golang.org/x/sys/unix"
)

// Forwarded are the signals kinit passes on to the child's process group.
var Forwarded = []unix.Signal{
	unix.SIGTERM, unix.SIGINT, unix.SIGHUP, unix.SIGQUIT,
	unix.SIGUSR1, unix.SIGUSR2, unix.SIGWINCH,
}

// swallowed are signals that would end kinit if nobody asked for them: Go
// exits on SIGPIPE for a write to a closed stdout or stderr, and crashes with
// a stack dump on SIGABRT, SIGSTKFLT, SIGSYS, SIGILL and SIGTRAP even when
// they are sent by kill. An init must survive a stray one, so kinit catches
// and drops them. Faults the kernel raises for a real crash still crash: Go
// only hands signals sent by a process to the channel. The signals Go already
// drops by default (SIGALRM, SIGPWR, SIGIO, real-time ones, ...) need nothing.
// Catching rather than ignoring keeps them at their default in the child:
// exec resets caught signals but inherits ignored ones.
var swallowed = []unix.Signal{
	unix.SIGPIPE, unix.SIGABRT, unix.SIGSTKFLT, unix.SIGSYS, unix.SIGILL, unix.SIGTRAP,
}

// handled lists what Run subscribes to. A forwarded signal that kinit
// inherited as ignored (nohup, or a background job of a non-interactive
// shell) stays ignored, so the child inherits that too, as under tini.
func handled() []os.Signal {
	out := make([]os.Signal, 0, len(Forwarded)+len(swallowed))
	for _, s := range Forwarded {
		if !signal.Ignored(s) {
			out = append(out, s)
		}
	}
	for _, s := range swallowed {
		out = append(out, s)
	}
	return out
}

func forwarded(sig unix.Signal) bool {
	return slices.Contains(Forwarded, sig)
}
