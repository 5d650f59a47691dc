// Package supervisor runs a node's services: it starts each one when what
// it waits on is ready (on this node or on others), watches it, restarts it
// under its policy, and stops everything in reverse dependency order.
//
// # One owner
//
// All service state belongs to one goroutine, the loop in Run. Everything
// else talks to it through events: the reaper's exit statuses (one small
// goroutine per process forwards its status), probe and wait results,
// timers, signals, and control requests that carry a reply channel. Every
// state change goes through service.enter, which bumps the service's
// generation; an event from an older generation (a probe that passed just
// as the process died, a grace timer of an earlier stop) is dropped.
// Readers never touch the loop's data: after each event the loop publishes
// a copy that Snapshot reads.
//
// # Processes
//
// The reaper (package reaper) owns every wait4; nothing here calls
// exec.Cmd.Wait. Each process runs in its own process group and is
// signalled through it, so helpers it forks are stopped with it.
package supervisor

import (
	"context"
	"errors"
	"fmt"
	"github.com/kinit/kinit/plan"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Options are the supervisor's connections to the rest of kinit.
type Options struct {
	// Logger receives kinit's own messages; nil means slog.Default().
	Logger *slog.Logger
	// Output receives child output; nil means os.Stdout.
	Output io.Writer
	// LogFormat is LogText ("<service> | <line>") or LogJSON (one JSON
	// object per line with time, service, stream, line).
	LogFormat string
	// OnEvent, when not nil, is called on the loop goroutine for every
	// lifecycle event. It must not block.
	OnEvent func(Event)
	// OwnsProcess says the supervisor owns every process below kinit (PID 1
	// of the namespace or a subreaper, as `kinit up` is): a service's
	// escaped helpers are killed when it dies, and whatever is left after
	// the stop is swept (sweep.go). Off for embedders and unit tests that
	// run other children beside it.
	OwnsProcess bool
	// SharedCgroup keeps the services in kinit's own cgroup even where
	// OwnsProcess could give each its own (cgroups.go).
	SharedCgroup bool
	// OutputMode is OutputFull or OutputSummary: which of the services'
	// lines reach Output. "" means KINIT_OUTPUT (env.go), else full.
	OutputMode string
	// LogRingBytes bounds each service's ring of recent output, read by
	// Logs and FollowLogs. 0 means KINIT_LOG_RING, else 256 KiB.
	LogRingBytes int
	// StartEnv, when not nil, is given a copy of a service's environment at
	// each start of its process and returns what the process gets: for what
	// only that moment can decide, such as whether a file its previous run
	// wrote at exit is there yet. It runs on the loop goroutine and must
	// not block.
	StartEnv func(service string, env []string) []string
}

// Errors returned by the control methods.
var (
	ErrUnknownService = errors.New("unknown service")
	ErrShuttingDown   = errors.New("kinit is stopping")
	ErrNotRunning     = errors.New("service is not running")
)

// Supervisor runs one plan once.
type Supervisor struct {
	c    *compiled
	opts Options
	log  *slog.Logger
	out  *sink
	// The probe pauses, read from the knobs once in New: the probe
	// goroutines outlive Run's loop, so they must not read the globals
	// a later test may change.
	probeFirst, probeWaited, probeSession time.Duration

	events    chan any
	reqs      chan request
	terminate chan struct{}
	done      chan struct{}
	ran       atomic.Bool

	pub       atomic.Pointer[published]
	startedAt time.Time
	sectMu    sync.Mutex
	notes     atomic.Pointer[func(string) string]
	sections  []section
	hub       hub // the watches of Watch (subscribe.go)
	outputs   sync.WaitGroup
	holds     sync.Map // service id -> note set by Hold

	// Loop-owned.
	cg           *cgroups // per-service cgroups, nil where kinit cannot make them
	ctx          context.Context
	cancel       context.CancelFunc
	phase        Phase
	shutdown     bool
	forced       bool
	finished     bool
	failedReq    bool // a required service failed for good
	unclean      bool // a process did not stop cleanly when asked
	stopDeadline time.Time
	globalTimers []*time.Timer
}

// New validates the plan and prepares a supervisor. Nothing is started
// before Run.
func New(p plan.Plan, opts Options) (*Supervisor, error) {
	c, err := compile(p)
	if err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := outputSettings(&opts); err != nil {
		return nil, err
	}
	s := &Supervisor{
		c: c, opts: opts, log: opts.Logger, out: newSink(opts.Output, opts.LogFormat, opts.OutputMode, opts.LogRingBytes),
		events:     make(chan any, 64),
		reqs:       make(chan request),
		terminate:  make(chan struct{}, 4),
		done:       make(chan struct{}),
		phase:      PhaseStarting,
		startedAt:  time.Now(),
		probeFirst: probeFirstInterval, probeWaited: probeWaitedInterval, probeSession: probeSessionInterval,
	}
	now := time.Now()
	for _, svc := range c.services {
		svc.since = now
		s.out.rings.declare(svc.spec.ID)
	}
	s.publish()
	return s, nil
}

// Lanes returns the start order (see the package function Lanes).
func (s *Supervisor) Lanes() [][]string { return s.c.lanes }

// Terminate asks for an ordered stop; a second call skips to SIGKILL. It
// never blocks and may be called from a signal handler goroutine.
func (s *Supervisor) Terminate() {
	select {
	case s.terminate <- struct{}{}:
	default:
	}
}

// Done is closed when Run has returned.
func (s *Supervisor) Done() <-chan struct{} { return s.done }

// Run starts the services and supervises them until they have all been
// stopped, after Terminate, the end of ctx (same as Terminate), or a
// required service failing for good. It returns kinit's exit code: 0 when
// every process stopped cleanly, 1 when a required service failed or a
// process had to be killed. The reaper must be running. Run may be called
// once.
func (s *Supervisor) Run(ctx context.Context) int {
	if !s.ran.CompareAndSwap(false, true) {
		panic("supervisor: Run called twice")
	}
	defer close(s.done)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	defer s.cancel()
	if s.opts.OwnsProcess && !s.opts.SharedCgroup {
		var err error
		if s.cg, err = openCgroups(); err != nil {
			s.log.Info("services share kinit's cgroup ("+err.Error()+"); escaped helpers are found by their KINIT_SERVICE variable",
				"err", err.Error())
		}
	}
	s.log.Info("starting services", "services", len(s.c.services), "lanes", fmt.Sprint(s.c.lanes))
	if s.opts.OutputMode == OutputSummary {
		s.log.Info("stdout shows the services' warnings, errors and first lines after each start (KINIT_OUTPUT=summary); every line: kinit logs [SERVICE]")
	}
	for _, svc := range s.c.services {
		s.beginWaiting(svc)
	}
	s.publish()
	ctxDone := ctx.Done()
	for !s.finished {
		var reply chan error
		var replyErr error
		select {
		case ev := <-s.events:
			s.handle(ev)
		case r := <-s.reqs:
			reply, replyErr = r.reply, s.handleRequest(r)
		case <-s.terminate:
			s.onTerminate()
		case <-ctxDone:
			ctxDone = nil
			s.onTerminate()
		}
		if s.updatePhase() {
			s.logAllReady()
		}
		s.publish()
		// Answered once published: a caller that reads Snapshot or Spec
		// after its request returned sees what the request did.
		if reply != nil {
			reply <- replyErr // buffered
		}
	}
	for _, t := range s.globalTimers {
		t.Stop()
	}
	s.settleAll()
	if s.opts.OwnsProcess {
		s.sweep()
	}
	if s.cg != nil {
		s.cg.remove(s.log)
	}
	s.drainOutput()
	s.phase = PhaseStopped
	s.publish()
	// Streams end only now, so a follower sees the services' last lines
	// and a watcher the final status.
	s.hub.finish()
	s.out.rings.finish()
	code := 0
	if s.failedReq || s.unclean {
		code = 1
	}
	s.log.Info("all services stopped", "exit_code", code)
	return code
}

// drainOutput gives the pipe readers a moment to forward the last lines of
// processes that have exited. A grandchild that escaped its process group
// may hold a pipe open forever, so the wait is bounded.
func (s *Supervisor) drainOutput() {
	done := make(chan struct{})
	go func() { s.outputs.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(s.boundedByStop(outputDrain, drainEnd)):
	}
}

// send delivers an event to the loop, or drops it once Run has returned.
func (s *Supervisor) send(ev any) {
	select {
	case s.events <- ev:
	case <-s.done:
	}
}

// updatePhase reports whether this call moved the node to running, so the
// caller can say so after its own log line.
func (s *Supervisor) updatePhase() (nowRunning bool) {
	if s.shutdown {
		s.phase = PhaseStopping
		return false
	}
	if s.phase == PhaseStarting {
		for _, svc := range s.c.services {
			if !svc.readyNow() {
				return false
			}
		}
		s.phase = PhaseRunning
		return true
	}
	return false
}

func (s *Supervisor) logAllReady() {
	s.log.Info("all services ready", "after", time.Since(s.startedAt).Round(time.Millisecond).String())
}

func (s *Supervisor) onTerminate() {
	if !s.shutdown {
		s.log.Info("stop requested; stopping services in reverse order", "deadline", s.c.plan.StopTimeout.String())
		s.beginShutdown()
		return
	}
	if !s.forced {
		s.log.Warn("second stop request; killing every service now")
		s.forceKill()
	}
}
