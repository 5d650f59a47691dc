package supervisor

// state is the internal state of one service. Several internal states map
// to one public State: status readers need to know that a service is
// stopping, not whether it already got SIGKILL.
type state int

const (
	stIdle     state = iota // before Run considered it
	stWaiting               // waits in progress
	stStarting              // running, not ready yet
	stReady                 // running and ready
	stBackoff               // exited, restart timer armed
	stStopping              // stop signal sent, grace timer armed
	stKilling               // SIGKILL sent to the process group
	stStopped               // down on purpose (stop, clean exit, shutdown)
	stFailed                // down for good after failures
	stDone                  // a one-shot service that completed
)

// State is a service's state as status shows it.
type State string

// Public states.
const (
	StateWaiting  State = "waiting"
	StateStarting State = "starting"
	StateReady    State = "ready"
	// StateUnhealthy is a ready service whose checks fail (health.go).
	StateUnhealthy State = "unhealthy"
	StateBackoff   State = "backoff"
	StateStopping  State = "stopping"
	StateStopped   State = "stopped"
	StateFailed    State = "failed"
	// StateDone is a one-shot service that completed (plan.Service.OneShot).
	StateDone State = "done"
)

func (s state) public() State {
	switch s {
	case stIdle, stWaiting:
		return StateWaiting
	case stStarting:
		return StateStarting
	case stReady:
		return StateReady
	case stBackoff:
		return StateBackoff
	case stStopping, stKilling:
		return StateStopping
	case stStopped:
		return StateStopped
	case stDone:
		return StateDone
	}
	return StateFailed
}

func (s state) String() string {
	switch s {
	case stIdle:
		return "idle"
	case stKilling:
		return "killing"
	}
	return string(s.public())
}

// running reports states in which a process exists.
func (s state) running() bool {
	return s == stStarting || s == stReady || s == stStopping || s == stKilling
}

// down reports states in which nothing runs and nothing is scheduled.
func (s state) down() bool { return s == stStopped || s == stFailed || s == stDone }

// afterStop says what a service does once a stop it was asked for is over.
type afterStop int

const (
	thenStay    afterStop = iota // stay stopped (operator stop, shutdown)
	thenRestart                  // wait again and start (restart, restart_with)
	thenFail                     // counted as a failed run (start timeout)
)
