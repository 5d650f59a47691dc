package supervisor

import (
	"os"
	"os/signal"
	"slices"
	"sync"

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

// Signals is kinit up's one subscription to every survivable signal. It
// is taken first thing, before anything that can block (reading identity
// files, rendering), so that no default action of the Go runtime (exit 2
// on SIGHUP, a goroutine dump on SIGQUIT) can end PID 1 before the
// supervisor exists. Until HandleSignals takes the channel over, a stop
// signal is remembered and the rest are noted for the log.
type Signals struct {
	c       chan os.Signal
	handoff chan struct{}
	done    chan struct{}

	mu   sync.Mutex
	stop unix.Signal   // the first stop signal seen before the handover
	seen []unix.Signal // other signals seen before the handover, once each
}

// CatchSignals subscribes to every survivable signal.
func CatchSignals() *Signals {
	// os/signal drops a signal when the channel is full; a few slots keep
	// a quick double SIGTERM from being lost.
	g := &Signals{c: make(chan os.Signal, 16), handoff: make(chan struct{}), done: make(chan struct{})}
	signal.Notify(g.c, survivable()...)
	go g.early()
	return g
}

func (g *Signals) early() {
	defer close(g.done)
	for {
		select {
		case sig := <-g.c:
			g.note(sig.(unix.Signal))
		case <-g.handoff:
			// What already sits in the channel came before the handover.
			for {
				select {
				case sig := <-g.c:
					g.note(sig.(unix.Signal))
				default:
					return
				}
			}
		}
	}
}

func (g *Signals) note(us unix.Signal) {
	row, _ := sigtab.Lookup(us)
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case row.Stop && g.stop == 0:
		g.stop = us
	case !row.Stop && !slices.Contains(g.seen, us):
		g.seen = append(g.seen, us)
	}
}

// Early lists the signals received so far before the handover: the first
// stop signal, if any, then the others, once each.
func (g *Signals) Early() []unix.Signal {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []unix.Signal
	if g.stop != 0 {
		out = append(out, g.stop)
	}
	return append(out, g.seen...)
}

// StopRequested reports a stop signal received before the supervisor
// took over, so that up can exit before it starts anything.
func (g *Signals) StopRequested() (unix.Signal, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.stop, g.stop != 0
}

// HandleSignals takes every catchable signal from g until Run returns: a
// stop signal (sigtab's Stop: SIGTERM, SIGINT, SIGPWR) becomes a Terminate
// call (the first stops in order, the second kills), also when it came
// before the handover; a forwardable one (see sigtab) goes to the loop,
// which passes it to the services whose ForwardSignals name it; any other
// is logged the first time and otherwise ignored. The returned func stops
// the handling early.
func HandleSignals(s *Supervisor, g *Signals) (stop func()) {
	close(g.handoff)
	<-g.done
	quit := make(chan struct{})
	go func() {
		// No signal.Stop, ever: after Run kinit still writes its last log
		// lines, and with SIGPIPE back at Go's default a closed stdout
		// would end PID 1 with exit 2 (it cannot die of its own signal, so
		// the runtime exits). The subscription lasts as long as the
		// process; os/signal drops what the full channel cannot take.
		seen := map[unix.Signal]bool{}
		g.mu.Lock()
		early, earlyStop := g.seen, g.stop
		g.mu.Unlock()
		for _, us := range early {
			seen[us] = true
			s.log.Info("received "+sigtab.Name(us)+" before the services started; ignored", "signal", sigtab.Name(us))
		}
		if earlyStop != 0 {
			s.log.Info("received " + sigtab.Name(earlyStop) + " before the services started")
			s.Terminate()
		}
		for {
			select {
			case sig := <-g.c:
				us := sig.(unix.Signal)
				row, _ := sigtab.Lookup(us)
				switch {
				case row.Stop:
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
