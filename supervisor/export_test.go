package supervisor

import (
	"os"
	"time"

	"github.com/kinit/kinit/plan"
	"golang.org/x/sys/unix"
)

func fake[T any](p *T, v T) (restore func()) {
	old := *p
	*p = v
	return func() { *p = old }
}

func FakeProbeFirstInterval(d time.Duration) func() { return fake(&probeFirstInterval, d) }
func FakeMinSpawnInterval(d time.Duration) func()   { return fake(&minSpawnInterval, d) }
func FakeKillWait(d time.Duration) func()           { return fake(&killWait, d) }
func FakeOutputDrain(d time.Duration) func()        { return fake(&outputDrain, d) }
func FakeMaxLineBytes(n int) func()                 { return fake(&maxLineBytes, n) }
func FakeBackoffJitter(f float64) func()            { return fake(&backoffJitter, f) }

// BackoffDelay exposes the backoff computation to table tests.
func BackoffDelay(r plan.Restart, failures int, sinceSpawn time.Duration, wasReady bool) time.Duration {
	return backoffDelay(r, failures, sinceSpawn, wasReady)
}

// SignalLeader runs signalGroup for a service whose leader is proc and
// whose recorded pid is pid (a test sets a recycled one).
func SignalLeader(proc *os.Process, pid int, sig unix.Signal) {
	signalGroup(&service{proc: proc, pid: pid}, sig)
}
