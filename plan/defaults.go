package plan

import (
	"time"

	"golang.org/x/sys/unix"
)

// The one table of defaults. The configuration loader (roles) starts every
// service from these; WithDefaults fills the zero fields of a plan built
// by hand with the same values, so both paths run the same service.
const (
	// DefaultStopTimeout fits Docker's default stop timeout (10 s) with
	// the supervisor's second of overrun and a second to spare.
	DefaultStopTimeout = 8 * time.Second
	DefaultGrace       = 30 * time.Second
	DefaultStopSignal  = Signal(unix.SIGTERM)
	DefaultPolicy      = PolicyOnFailure
	DefaultBackoffMin  = time.Second
	DefaultBackoffMax  = 30 * time.Second
	DefaultResetAfter  = time.Minute
	// Probe timing.
	DefaultProbeInterval = 250 * time.Millisecond
	DefaultProbeTimeout  = 5 * time.Second
	// DefaultFailureThreshold is Kubernetes' failureThreshold default.
	DefaultFailureThreshold = 3

	// In a Plan 0 means "no limit" or "none" for the next three, so
	// WithDefaults leaves them alone; kinit.toml's [defaults] start from
	// them.
	DefaultStartTimeout  = 5 * time.Minute
	DefaultCheckInterval = 10 * time.Second
	DefaultWaitTimeout   = 5 * time.Minute
)
