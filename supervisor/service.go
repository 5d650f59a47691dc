package supervisor

import (
	"context"
	"os"
	"regexp"
	"sync"
	"time"

	"github.com/kinit/kinit/plan"
	"golang.org/x/sys/unix"
)

// service is the loop-owned record of one supervised process. Only the
// loop goroutine reads or writes it, except progress, which wait and probe
// goroutines update under its own lock.
type service struct {
	spec plan.Service
	idx  int

	// Resolved at compile time.
	deps        []*service // local waits
	dependents  []*service // services with a local wait on this one
	restartWith []*service
	stopSignal  unix.Signal
	caps        []uintptr
	forward     []unix.Signal  // signals passed on to the process group
	trigger     *regexp.Regexp // Probe.Trigger, compiled

	state state
	since time.Time
	// gen changes on every state entry; timers, probes and waits carry the
	// gen they were started in and their events are dropped when it moved.
	gen    uint64
	cancel context.CancelFunc
	timers []*time.Timer

	pid       int
	proc      *os.Process // the leader, for signals by pidfd (signalGroup)
	cgroup    string      // this run's cgroup below the supervisor's (cgroups.go)
	startedAt time.Time   // current or last process
	readyAt   time.Time
	spawns    int
	restarts  int // spawns after the first, never reset
	failures  int // consecutive failed runs, reset by a stable run
	// stable: this run stayed ready for ResetAfter before it turned
	// unhealthy (a run still ready is judged when it ends).
	stable bool
	// checkFails counts the checks in a row a ready run failed; unhealthy
	// is set once they reach the threshold (health.go).
	checkFails int
	unhealthy  *Unhealthy
	lastExit   *ExitInfo
	nextStart  time.Time
	after      afterStop
	message    string // why the service is failed or stopped, for status

	// settle receive the outcome of the first run after an Update
	// (see update.go).
	settle []chan<- error

	waitDone []bool
	waitProg []*progress // per wait, this gen
	// remoteBegun: this gen's remote waits run (once the local ones were
	// satisfied, see checkWaits).
	remoteBegun bool
	probe       *progress  // readiness probe of the running process
	wake        *readyWake // the running process's trigger, nil without one
}

// progress is how far a wait or probe got; written by its goroutine, read
// by Snapshot.
type progress struct {
	mu       sync.Mutex
	since    time.Time
	attempts int
	detail   string
}

func newProgress() *progress { return &progress{since: time.Now()} }

func (p *progress) update(attempt int, detail string) {
	p.mu.Lock()
	p.attempts, p.detail = attempt, detail
	p.mu.Unlock()
}

func (p *progress) read() (since time.Time, attempts int, detail string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.since, p.attempts, p.detail
}

// enter moves to a new state and invalidates everything started for the
// previous one.
func (svc *service) enter(st state, now time.Time) {
	svc.gen++
	if svc.cancel != nil {
		svc.cancel()
		svc.cancel = nil
	}
	for _, t := range svc.timers {
		t.Stop()
	}
	svc.timers = nil
	svc.state = st
	svc.since = now
}

// context returns a context that ends when the service leaves its current
// state.
func (svc *service) context(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	svc.cancel = cancel
	return ctx
}

// readyNow: running, ready, and not failing its checks; or a one-shot
// service that completed.
func (svc *service) readyNow() bool {
	return svc.state == stReady && svc.unhealthy == nil || svc.state == stDone
}

// public is the state status shows.
func (svc *service) public() State {
	if svc.state == stReady && svc.unhealthy != nil {
		return StateUnhealthy
	}
	return svc.state.public()
}

func (svc *service) policyRestarts(clean bool) bool {
	switch svc.spec.Restart.Policy {
	case plan.PolicyNever:
		return false
	case plan.PolicyOnFailure:
		return !clean
	}
	return true
}
