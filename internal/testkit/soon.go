package testkit

import (
	"testing"
	"time"
)

// Soon runs f in a goroutine and fails t if f has not returned by
// Deadline: for a call whose fault under test is that it blocks (a read of
// a FIFO nobody writes), so that the test fails instead of hanging the
// suite. Nothing asserts how long f took. f hands its results back through
// the variables it captures; after a failure they are never read.
func Soon(t testing.TB, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(Deadline):
		t.Fatalf("never returned: %s (a read blocked)", what)
	}
}
