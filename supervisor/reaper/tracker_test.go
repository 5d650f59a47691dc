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

// While the tracker holds children, the reaper walks only now and then,
// for what it does not hold: a child registered after the scan and an
// orphan re-parented after it must still be reaped, each with its status,
// and the held ones collected by pidfd once they exit.
func TestWhatTheTrackerDoesNotHoldIsStillReaped(t *testing.T) {
	if os.Getpid() == 1 {
		t.Fatal("this test needs the test process not to be PID 1")
	}
	t.Cleanup(reaper.CheapDeepWalks())
	const held, burst, late = 300, 50, 20
	orphans := make(chan reaper.Status, 2*(held+burst+late))
	running(t, func(st reaper.Status) { orphans <- st })

	// Orphans that live until the test closes w.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	sleepersCh, sleepers := orphanMakerWith(t, "orphans-on-stdin", held, r)
	r.Close()
	if st := await(t, sleepersCh); st.ExitCode() != 0 {
		t.Fatalf("orphan maker %v", st)
	}
	// A burst reaped by walks, every one of them dear here: the tracker
	// scans and holds the sleepers (and whatever of the burst is alive).
	ch, want := orphanMaker(t, "orphans", burst)
	awaitOrphans(t, ch, orphans, want, func(st reaper.Status, _ string) bool { return st.ExitCode() == 5 })

	mine, err := reaper.Start(helperCmd("exit", "7"))
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if st := await(t, mine); st.ExitCode() != 7 {
		t.Fatalf("registered child while the tracker holds orphans: %v, want exit code 7", st)
	}
	ch, want = orphanMaker(t, "orphans", late)
	awaitOrphans(t, ch, orphans, want, func(st reaper.Status, _ string) bool { return st.ExitCode() == 5 })

	// Only the sleepers are left to exit.
	before := reaper.TrackedReaps()
	w.Close()
	ok := func(st reaper.Status, _ string) bool { return st.ExitCode() == 5 }
	awaitOrphans(t, closedMaker(), orphans, sleepers, ok)
	got := reaper.TrackedReaps() - before
	t.Logf("%d of %d held orphans collected by pidfd", got, held)
	if got == 0 {
		t.Fatal("no held orphan was collected by pidfd: the tracker never held them")
	}
}

// closedMaker stands for an orphan maker that has already exited 0.
func closedMaker() <-chan reaper.Status {
	ch := make(chan reaper.Status, 1)
	ch <- reaper.Status{}
	return ch
}
