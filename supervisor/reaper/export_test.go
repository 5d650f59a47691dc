//go:build linux && (amd64 || arm64)

package reaper

import "time"

// TrackedReaps reports how many statuses the pidfd tracker collected.
func TrackedReaps() int64 { return trackedReaps.Load() }

// CheapDeepWalks makes every walk count as dear until restore is called,
// so a test storm of a thousand orphans engages the tracker on any machine.
func CheapDeepWalks() (restore func()) {
	r, b := deepReap, deepBudget
	deepReap, deepBudget = time.Nanosecond, 10*time.Microsecond
	return func() { deepReap, deepBudget = r, b }
}

// PauseAfter and the bounds it keeps to, for tests.
var PauseAfter, BurstPause, MaxPause = pauseAfter, burstPause, maxPause
