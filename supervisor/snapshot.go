package supervisor

import (
	"fmt"
	"github.com/kinit/kinit/plan"
	"os"
	"sort"
	"time"
)

// Snapshot is the supervisor's state at one moment. It is a copy: holding
// it blocks nothing.
type Snapshot struct {
	Node      plan.NodeInfo
	Pid       int
	StartedAt time.Time
	Phase     Phase
	Services  []ServiceStatus
	Sections  []Section
	// OutputDropped counts lines of kinit's stdout that were lost to a
	// slow or closed reader (Options.Output a *Stdout), else 0.
	OutputDropped uint64
}

// Phase is where kinit as a whole is.
type Phase string

// Phases.
const (
	PhaseStarting Phase = "starting" // not every service ready yet
	PhaseRunning  Phase = "running"  // every service was ready at least once
	PhaseStopping Phase = "stopping" // ordered stop in progress
	PhaseStopped  Phase = "stopped"  // Run returned
)

// ServiceStatus is one service in a Snapshot.
type ServiceStatus struct {
	ID       string
	Name     string
	State    State
	Since    time.Time // entered State
	Required bool
	Pid      int       // 0 when no process runs
	Started  time.Time // start of the running process, zero when none
	Uptime   time.Duration
	Ready    bool // ready now: probe passed and checks not failing
	ReadyAt  time.Time
	// Unhealthy is set while a ready service fails its checks.
	Unhealthy *Unhealthy
	Restarts  int // restarts since kinit started
	Failures  int // consecutive failed runs counted against the budget
	// WaitingOn is the first wait not yet satisfied, as a status line
	// ("waiting on zookeeper: zk-2:2181 not answering, attempt 12, 36s");
	// while starting, the readiness probe's progress.
	WaitingOn string
	Waits     []WaitStatus
	LastExit  *ExitInfo
	NextStart time.Time // backoff: when the next start is due
	Message   string    // why it failed or stopped
	// Note is a few numbers about the service that kinit reads besides
	// supervising it (SetServiceNotes): a broker's under-replicated and
	// offline partitions and whether it is the active controller.
	Note string
}

// WaitStatus is one wait of a waiting service.
type WaitStatus struct {
	Service   string
	Local     bool
	Satisfied bool
	Since     time.Time
	Attempts  int
	Detail    string
}

// ExitInfo is how a process ended.
type ExitInfo struct {
	At     time.Time
	Pid    int
	Code   int    // exit code, or 128+signal
	Signal string // set when killed by a signal
	// Expected is true for an end kinit asked for (stop signal, kill).
	Expected bool
	Clean    bool
	Text     string // "exited with code 1", "killed by signal 9 (SIGKILL)"
}

// Section is an extra block of `kinit status` added with AddSection.
type Section struct {
	Name   string
	Fields map[string]string
}

// AddSection adds a block to every Snapshot; fn is called on each Snapshot
// from the caller's goroutine, so it must be safe for concurrent use and
// fast. The metrics shipper uses it to show its state.
func (s *Supervisor) AddSection(name string, fn func() map[string]string) {
	s.sectMu.Lock()
	s.sections = append(s.sections, section{name, fn})
	s.sectMu.Unlock()
}

// SetServiceNotes sets where each Snapshot reads a service's Note; fn is
// called from the caller's goroutine and must be fast and safe for
// concurrent use (the metrics collector's latest numbers).
func (s *Supervisor) SetServiceNotes(fn func(id string) string) {
	s.notes.Store(&fn)
}

type section struct {
	name string
	fn   func() map[string]string
}

// published is what the loop stores after each event.
type published struct {
	phase    Phase
	services []publishedService
}

type publishedService struct {
	status   ServiceStatus
	spec     plan.Service // the loop replaces a spec whole, never edits it
	waitProg []*progress
	probe    *progress
}

// publish stores a copy of the loop's state for Snapshot. It runs on the
// loop goroutine after every event.
func (s *Supervisor) publish() {
	p := &published{phase: s.phase, services: make([]publishedService, len(s.c.services))}
	for i, svc := range s.c.services {
		st := ServiceStatus{
			ID: svc.spec.ID, Name: svc.spec.Name, State: svc.public(), Since: svc.since,
			Required: svc.spec.Required, Pid: svc.pid, Ready: svc.readyNow(),
			Restarts: svc.restarts, Failures: svc.failures, Message: svc.message,
		}
		if svc.pid != 0 {
			st.Started = svc.startedAt
		}
		if svc.state == stReady {
			st.ReadyAt = svc.readyAt
		}
		if u := svc.unhealthy; u != nil {
			c := *u
			st.Unhealthy = &c
		}
		if svc.lastExit != nil {
			le := *svc.lastExit
			st.LastExit = &le
		}
		if svc.state == stBackoff {
			st.NextStart = svc.nextStart
		}
		ps := publishedService{status: st, spec: svc.spec}
		if svc.state == stWaiting {
			for j, w := range svc.spec.Waits {
				ws := WaitStatus{Service: w.Service, Local: w.Local, Satisfied: svc.waitDone[j], Since: svc.since}
				if w.Local {
					dep := s.c.byID[w.Service]
					ws.Satisfied = dep.readyNow()
					if !ws.Satisfied {
						ws.Detail = "local instance " + dep.public().String()
						if dep.pid != 0 {
							ws.Detail += fmt.Sprintf(" (pid %d)", dep.pid)
						}
					}
				}
				ps.status.Waits = append(ps.status.Waits, ws)
			}
			ps.waitProg = svc.waitProg
		}
		if svc.state == stStarting {
			ps.probe = svc.probe
		}
		p.services[i] = ps
	}
	s.pub.Store(p)
	s.hub.changed(p)
}

func (st State) String() string { return string(st) }

// Snapshot returns the current state. It never waits for the loop.
func (s *Supervisor) Snapshot() Snapshot {
	now := time.Now()
	p := s.pub.Load()
	snap := Snapshot{Node: s.c.plan.Node, Pid: os.Getpid(), StartedAt: s.startedAt, Phase: p.phase}
	if d, ok := s.opts.Output.(interface{ Dropped() uint64 }); ok {
		snap.OutputDropped = d.Dropped()
	}
	for _, ps := range p.services {
		st := ps.status
		st.Waits = append([]WaitStatus(nil), st.Waits...)
		if st.Pid != 0 {
			st.Uptime = now.Sub(st.Started)
		}
		for j := range st.Waits {
			w := &st.Waits[j]
			if !w.Local && j < len(ps.waitProg) && ps.waitProg[j] != nil {
				w.Since, w.Attempts, w.Detail = ps.waitProg[j].read()
				if w.Satisfied {
					w.Detail = ""
				}
			}
			if !w.Satisfied && st.WaitingOn == "" {
				st.WaitingOn = waitLine(w, now)
			}
		}
		if ps.probe != nil {
			since, attempts, detail := ps.probe.read()
			if attempts > 0 {
				st.WaitingOn = fmt.Sprintf("readiness: %s, attempt %d, %s", detail, attempts, roundAge(now.Sub(since)))
			} else {
				st.WaitingOn = "readiness: first attempt, " + roundAge(now.Sub(since))
			}
		}
		if note, ok := s.holds.Load(st.ID); ok && st.WaitingOn == "" {
			st.WaitingOn = note.(string)
		}
		if fn := s.notes.Load(); fn != nil {
			st.Note = (*fn)(st.ID)
		}
		snap.Services = append(snap.Services, st)
	}
	s.sectMu.Lock()
	sects := append([]section(nil), s.sections...)
	s.sectMu.Unlock()
	for _, sec := range sects {
		snap.Sections = append(snap.Sections, Section{Name: sec.name, Fields: sec.fn()})
	}
	return snap
}

func waitLine(w *WaitStatus, now time.Time) string {
	age := roundAge(now.Sub(w.Since))
	switch {
	case w.Local:
		return fmt.Sprintf("waiting on %s: %s, %s", w.Service, w.Detail, age)
	case w.Attempts == 0:
		return fmt.Sprintf("waiting on %s: first attempt, %s", w.Service, age)
	}
	return fmt.Sprintf("waiting on %s: %s, attempt %d, %s", w.Service, w.Detail, w.Attempts, age)
}

func roundAge(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// Spec returns a copy of the spec service id was last given: the one it
// was started with, or the last Update's, with the plan's defaults filled
// in. It reads what the loop published, like Snapshot, so it never waits
// for the loop; a control request has been published when it returns.
func (s *Supervisor) Spec(id string) (plan.Service, bool) {
	for _, ps := range s.pub.Load().services {
		if ps.spec.ID == id {
			return ps.spec.Clone(), true
		}
	}
	return plan.Service{}, false
}

// AllReady reports whether every service is ready (what `kinit health`
// checks).
func (sn Snapshot) AllReady() bool {
	for _, st := range sn.Services {
		if !st.Ready {
			return false
		}
	}
	return true
}

// Service returns the status of one service.
func (sn Snapshot) Service(id string) (ServiceStatus, bool) {
	for _, st := range sn.Services {
		if st.ID == id {
			return st, true
		}
	}
	return ServiceStatus{}, false
}

// SortedFields returns a section's keys in order, for stable output.
func (sec Section) SortedFields() []string {
	keys := make([]string, 0, len(sec.Fields))
	for k := range sec.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
