//go:build linux && (amd64 || arm64)

package reaper_test

import (
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kinit/kinit/supervisor/reaper"
)

// Orphans that exit newest first put every zombie at the end of the
// children list. The reaper must then collect them by pidfd, each with
// its own status, and leave none behind.
func TestOrphansExitingNewestFirstAreTracked(t *testing.T) {
	if os.Getpid() == 1 {
		t.Fatal("this test needs the test process not to be PID 1")
	}
	t.Cleanup(reaper.CheapDeepWalks())
	const n = 1000
	orphans := make(chan reaper.Status, 2*n)
	running(t, func(st reaper.Status) { orphans <- st })
	before := reaper.TrackedReaps()

	ch, want := orphanMaker(t, "orphan-chain", n)
	awaitOrphans(t, ch, orphans, want, func(st reaper.Status, kind string) bool {
		return kind == "kill" && st.Signaled() == unix.SIGKILL || kind == "exit" && st.ExitCode() == 5
	})
	got := reaper.TrackedReaps() - before
	t.Logf("%d of %d orphans collected by pidfd", got, n)
	if got == 0 {
		t.Fatal("no orphan was collected by pidfd: the tracker never engaged")
	}
}

// The pause after a batch grows with what the walk that found nothing
// cost, between BurstPause (few children) and MaxPause.
func TestPauseGrowsWithTheEmptyWalk(t *testing.T) {
	for _, tt := range []struct{ walk, want time.Duration }{
		{0, reaper.BurstPause},
		{10 * time.Microsecond, reaper.BurstPause},
		{600 * time.Microsecond, 12 * time.Millisecond},
		{time.Second, reaper.MaxPause},
	} {
		if got := reaper.PauseAfter(tt.walk); got != tt.want {
			t.Errorf("pauseAfter(%v) = %v, want %v", tt.walk, got, tt.want)
		}
	}
}
