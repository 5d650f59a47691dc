package supervisor

import "time"

// EventKind names a lifecycle event.
type EventKind string

// Lifecycle events, in the order a service usually goes through them.
const (
	EventWaiting    EventKind = "waiting"    // waits began
	EventStarted    EventKind = "started"    // process executed (Pid)
	EventReady      EventKind = "ready"      // readiness probe passed
	EventExited     EventKind = "exited"     // process ended (ExitCode, Signal)
	EventRestarting EventKind = "restarting" // restart scheduled (Backoff)
	EventFailed     EventKind = "failed"     // down for good (Message)
	EventStopping   EventKind = "stopping"   // stop signal sent
	EventStopped    EventKind = "stopped"    // down on purpose
	EventKilled     EventKind = "killed"     // SIGKILL sent to the group
	EventUnhealthy  EventKind = "unhealthy"  // ready, then failed its checks (Message)
	EventHealthy    EventKind = "healthy"    // an unhealthy service passed a check
	EventDone       EventKind = "done"       // a one-shot service completed (Message: how)
)

// Event is one lifecycle event, for the metrics shipper and tests.
type Event struct {
	Time     time.Time
	Service  string
	Kind     EventKind
	Pid      int
	ExitCode int           // EventExited: code, or 128+signal
	Signal   string        // EventExited: the signal that killed it
	Clean    bool          // EventExited: an expected, clean end
	Backoff  time.Duration // EventRestarting
	Restarts int
	Message  string
}

// emit hands an event to the hook. It runs on the loop goroutine: the hook
// must not block (push to a buffered channel, drop when full).
//
// The snapshot is published first, so whoever reacts to an event (or to
// the log line that follows it) sees a status at least as new.
func (s *Supervisor) emit(e Event) {
	s.publish()
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	s.hub.event(e)
	if s.opts.OnEvent == nil {
		return
	}
	s.opts.OnEvent(e)
}
