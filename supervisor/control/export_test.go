package control

import "time"

func fake[T any](p *T, v T) (restore func()) {
	old := *p
	*p = v
	return func() { *p = old }
}

// FakeIdleTimeout shortens how long an idle kept-alive connection stays.
func FakeIdleTimeout(d time.Duration) func() { return fake(&idleTimeout, d) }

// FakeKinitPid sets whose descendants may not control services: the CLI
// the tests run is a child of the test process, which serves the socket.
func FakeKinitPid(pid int) func() { return fake(&kinitPid, pid) }

// FakeStreamWriteTimeout shortens how long one write of a stream may take.
func FakeStreamWriteTimeout(d time.Duration) func() { return fake(&streamWriteTimeout, d) }

// StreamSlots is how many streams a server runs at once.
func StreamSlots() int { return max(1, connLimit()/2) }
