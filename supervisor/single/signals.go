package single

import (
	"os"
	"os/signal"
	"slices"

	"github.com/kinit/kinit/internal/sigtab"
	"golang.org/x/sys/unix"
)

// Single-command mode passes on every signal tini and dumb-init pass on:
// all of sigtab's catchable signals, real-time ones included, except
//   - the synchronous ones (a fault of kinit itself, never meant for the
//     child) — caught and dropped, since Go would crash on one sent by kill;
//   - SIGCHLD, which is the reaper's;
//   - SIGTTIN and SIGTTOU, which kinit ignores once the child may own the
//     terminal (see Run);
//   - SIGURG, which the Go runtime sends itself to preempt goroutines: a
//     real one (out-of-band socket data) goes to the socket's owner from
//     the kernel, never through init;
//   - SIGPROF, which the Go runtime keeps for its profiler: os/signal never
//     delivers it, so kinit cannot pass it on (tini does; the one gap);
//   - 32..34, which are not catchable at all (see sigtab.Catchable); tini
//     cannot wait for 32 and 33 either, but does pass on 34 (glibc's
//     SIGRTMIN).
var notForwarded = []unix.Signal{unix.SIGCHLD, unix.SIGTTIN, unix.SIGTTOU, unix.SIGURG, unix.SIGPROF}

// forwarded reports whether sig goes on to the child's process group.
func forwarded(sig unix.Signal) bool {
	row, ok := sigtab.Lookup(sig)
	return ok && !row.Sync && !row.Uncatchable && !slices.Contains(notForwarded, sig)
}

// handled lists what Run subscribes to: every forwarded signal, and the
// synchronous ones so that a stray one sent by kill is dropped instead of
// crashing kinit. A forwarded signal that kinit inherited as ignored (nohup,
// or a background job of a non-interactive shell) stays ignored, so the
// child inherits that too, as under tini. Catching rather than ignoring
// keeps the rest at their default in the child: exec resets caught signals
// but inherits ignored ones.
func handled() []os.Signal {
	var out []os.Signal
	for _, sig := range sigtab.Catchable() {
		row, _ := sigtab.Lookup(sig)
		switch {
		case row.Sync:
			out = append(out, sig)
		case forwarded(sig) && !signal.Ignored(sig):
			out = append(out, sig)
		}
	}
	return out
}
