package testkit

import (
	"testing"
	"time"
)

// Deadline only keeps a broken test from hanging; tests wait on events and
// assert no durations.
const Deadline = 60 * time.Second

// Eventually polls cond, for state only visible in /proc or a file, until
// it holds; it fails t when Deadline passes first.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(Deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
