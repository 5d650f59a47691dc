//go:build linux && (amd64 || arm64)

package reaper_test

import (
	"bufio"
	"os"
	"strconv"
	"strings"
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

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := helperCmd("orphan-chain", strconv.Itoa(n))
	cmd.Stdout = w
	ch, err := reaper.Start(cmd)
	w.Close()
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	want := map[int]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		pid, kind, _ := strings.Cut(sc.Text(), " ")
		p, err := strconv.Atoi(pid)
		if err != nil {
			t.Fatalf("bad pid line %q", sc.Text())
		}
		want[p] = kind
	}
	if len(want) != n {
		t.Fatalf("the helper started %d grandchildren, want %d", len(want), n)
	}
	if st := await(t, ch); st.ExitCode() != 0 {
		t.Fatalf("orphan maker %v", st)
	}
	timeout := time.After(deadline)
	for len(want) > 0 {
		select {
		case st := <-orphans:
			kind, ok := want[st.Pid]
			if !ok {
				continue // an unrelated orphan from an earlier test
			}
			if kind == "kill" && st.Signaled() != unix.SIGKILL || kind == "exit" && st.ExitCode() != 5 {
				t.Fatalf("orphan %d (%s) %v", st.Pid, kind, st)
			}
			delete(want, st.Pid)
		case <-timeout:
			t.Fatalf("%d of %d orphans were not reaped", len(want), n)
		}
	}
	got := reaper.TrackedReaps() - before
	t.Logf("%d of %d orphans collected by pidfd", got, n)
	if got == 0 {
		t.Fatal("no orphan was collected by pidfd: the tracker never engaged")
	}
	if z := zombiesOf(os.Getpid()); z != 0 {
		t.Fatalf("%d zombie children left", z)
	}
}
