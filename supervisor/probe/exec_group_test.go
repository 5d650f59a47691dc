package probe_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/procfs"
	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/supervisor/probe"
	"github.com/kinit/kinit/supervisor/reaper"
)

// startRecording starts through the reaper and records the leader's pid.
func startRecording(pids *[]int) func(*exec.Cmd) (<-chan reaper.Status, error) {
	return func(cmd *exec.Cmd) (<-chan reaper.Status, error) {
		ch, err := reaper.Start(cmd)
		if err == nil {
			*pids = append(*pids, cmd.Process.Pid)
		}
		return ch, err
	}
}

// Once the reaper has collected an exec probe's leader, its pid (the
// group's number) may be handed to an unrelated process that makes itself
// a group leader; the probe then signals no group by that number. Before,
// every attempt that ended on its own sent SIGKILL to -pid after the reap.
func TestExecNoGroupKillAfterReap(t *testing.T) {
	calls, restore := probe.GroupKills()
	defer restore()
	var pids []int
	for _, argv := range [][]string{{"/bin/true"}, {"/bin/sh", "-c", "echo no; exit 3"}} {
		_ = check(probe.Exec{Argv: argv, Start: startRecording(&pids)})
	}
	for _, pid := range pids {
		if slices.ContainsFunc(calls(), func(c string) bool { return strings.HasPrefix(c, strconv.Itoa(-pid)+" ") }) {
			t.Errorf("the group of %d was signalled after its leader was reaped (calls %v)", pid, calls())
		}
	}
}

// An attempt that outlives its timeout is killed with its whole group
// while its leader still runs: nothing of it is left.
func TestExecTimeoutKillsTheGroup(t *testing.T) {
	calls, restore := probe.GroupKills()
	defer restore()
	mark := fmt.Sprintf("KINIT_PROBE_TEST=%d", os.Getpid())
	var pids []int
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	p := probe.Exec{Argv: []string{"/bin/sh", "-c", "sleep 1000 & sleep 1000"}, Env: []string{mark, "PATH=/usr/bin:/bin"},
		Start: startRecording(&pids)}
	if err := p.Check(ctx); err == nil {
		t.Fatal("a command that never ends passed")
	}
	if len(pids) != 1 || !slices.Equal(calls(), []string{strconv.Itoa(-pids[0]) + " SIGKILL"}) {
		t.Errorf("group signals %v for leader %v, want one to its group", calls(), pids)
	}
	testkit.Eventually(t, "no process of the probe left", func() bool {
		for _, pid := range procfs.Pids() {
			if st, err := procfs.Stat(pid); err == nil && st.State != 'Z' && procfs.HasEnv(pid, mark) {
				return false
			}
		}
		return true
	})
}
