package supervisor

import "time"

// Timing and size knobs. They are variables so tests can shrink them (see
// export_test.go); nothing else should change them. A Supervisor reads
// them in New or in its loop, never from its other goroutines, so a change
// reaches the supervisors made after it and races with none.
var (
	// probeFirstInterval is the pause after the first failed probe
	// attempt; it doubles up to the probe's Interval. Small, so that a
	// service that is ready quickly is seen within milliseconds; the
	// doubling keeps a slow JVM from being polled in a tight loop.
	probeFirstInterval = 5 * time.Millisecond
	// probeWaitedInterval caps that doubling while a local dependent waits
	// for the service: the dependent then starts within this (plus one
	// attempt) of the service becoming ready, however slowly it starts.
	// Services nobody waits for back off to their Interval as before.
	probeWaitedInterval = 15 * time.Millisecond
	// probeSessionInterval is that cap for a probe whose every attempt
	// opens a ZooKeeper session (a broker's registration in ZooKeeper
	// mode): at 15 ms a broker's three-second start cost ZooKeeper about
	// 200 sessions, each set up, logged ("old client") and expired, for a
	// dependent that starts at most this much later.
	probeSessionInterval = 250 * time.Millisecond
	// minSpawnInterval is the floor between two spawns of a service whose
	// previous run never became ready, whatever its backoff says (the s6
	// rule: a broken command must not fork in a loop).
	minSpawnInterval = time.Second
	// backoffJitter is the fraction of a backoff delay taken off at random
	// so that services failing together do not restart in lockstep.
	backoffJitter = 0.2
	// killWait is how long kinit waits for processes to disappear after
	// the final SIGKILL before it gives up on them and exits.
	killWait = 5 * time.Second
	// minStopSlice is the least time a service gets between its stop
	// signal and SIGKILL when the overall stop deadline is nearly used up.
	minStopSlice = 500 * time.Millisecond
	// maxLineBytes bounds one line of child output; longer lines are split.
	maxLineBytes = 16 << 10
	// stdoutQueueBytes bounds what waits for a slow stdout: about 64
	// lines of the longest kind, thousands of ordinary ones.
	stdoutQueueBytes = 1 << 20
	// logRingBytes is each service's ring of recent output (ring.go) when
	// KINIT_LOG_RING does not say otherwise.
	logRingBytes = 256 << 10
	// summaryFirstLines is how many lines of each run of a service reach
	// stdout under KINIT_OUTPUT=summary whatever they say.
	summaryFirstLines = 20
	// followBuffer bounds what waits for one `kinit logs -f` or events
	// reader (lines or events queued); a reader that lets it fill is
	// dropped.
	followBuffer = 1024
	// followBufferBytes bounds the bytes of lines queued for one follower.
	followBufferBytes = 1 << 20
)

// outputDrain bounds how long Run waits, after the last process exited,
// for the output of escaped grandchildren still holding a pipe.
var outputDrain = 2 * time.Second

// stopOverrun is the most kinit may take past the stop deadline, from the
// deadline's SIGKILL to its own exit: the kill wait, the output drain, the
// metrics flush and closing the socket all come out of it, so that SIGTERM
// to exit never exceeds KINIT_STOP_TIMEOUT + 1 s and a runtime's stop
// timeout set a little above KINIT_STOP_TIMEOUT is never hit.
const stopOverrun = time.Second

// Parts of stopOverrun, each counted from the stop deadline: the SIGKILL
// wait ends by the first, the output drain by the second; the caller's
// own clean-up (metrics, socket, stdout) has until ExitBy; the rest of
// the second is margin for the process exit itself.
const (
	killWaitEnd = 300 * time.Millisecond
	drainEnd    = 500 * time.Millisecond
	exitByEnd   = 700 * time.Millisecond
)
