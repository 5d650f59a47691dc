// Package pid1 tests the kinit binary's single-command mode from outside: as
// PID 1 of a fresh PID namespace (unshare --pid --fork --mount-proc) and as an
// ordinary child process (where kinit must make itself a child subreaper).
// The processes kinit runs are this test binary re-executed in a helper mode
// (see helpers_test.go) and a tiny shell script under testdata.
package pid1

import (
	"bufio"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kinit/kinit/internal/testbin"
	"github.com/kinit/kinit/internal/testkit"
)

// deadline only keeps a broken kinit from hanging the suite; the tests wait
// on events (lines, exits) and assert no durations.
const deadline = 2 * time.Minute

const helperEnv = "KINIT_PID1_HELPER"

var kinitBin string

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helper(mode, os.Args[1:]))
	}
	kinitBin = testbin.MustBuild(testbin.Kinit)
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}

// mode is where kinit runs: as PID 1 of its own PID namespace, or as a plain
// child of the test (the subreaper path).
type mode struct {
	name string
	pid1 bool
}

var modes = []mode{{"pid1", true}, {"child", false}}

// kinit is one running kinit under test, with the helper's stdout as lines.
type kinit struct {
	t     *testing.T
	cmd   *exec.Cmd
	lines chan string
	done  chan error
}

// start runs kinit with args in mode m. helperMode, when set, is exported so
// that this test binary, run by kinit, acts as that helper.
func start(t *testing.T, m mode, helperMode string, args ...string) *kinit {
	t.Helper()
	if m.pid1 && os.Geteuid() != 0 {
		t.Fatal("PID-1 tests need root for unshare --pid (CI runs as root)")
	}
	var cmd *exec.Cmd
	if m.pid1 {
		cmd = exec.Command("unshare", append([]string{"--pid", "--fork", "--mount-proc", "--", kinitBin}, args...)...)
	} else {
		cmd = exec.Command(kinitBin, args...)
	}
	cmd.Env = os.Environ()
	if helperMode != "" {
		// The race runtime sleeps 1s before a clean exit by default.
		cmd.Env = append(cmd.Env, helperEnv+"="+helperMode, "KINIT_PID1_EXPECT="+m.name,
			"GORACE=atexit_sleep_ms=0")
	}
	cmd.Stderr = os.Stderr
	// A group of its own, so cleanup can kill unshare and kinit together.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("cannot start kinit: %v", err)
	}
	k := &kinit{t: t, cmd: cmd, lines: make(chan string, 64), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			k.lines <- sc.Text()
		}
		close(k.lines)
		k.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		// Killing kinit as PID 1 ends its whole namespace; helpers of a
		// plain kinit die with it through their parent-death signal.
		_ = unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
		if pid := k.initPid(m); pid > 0 {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	})
	return k
}

// line waits for the next line the helper prints.
func (k *kinit) line() string {
	k.t.Helper()
	select {
	case l, ok := <-k.lines:
		if !ok {
			k.t.Fatal("kinit's output ended early")
		}
		return l
	case <-time.After(deadline):
		k.t.Fatal("no output from the helper")
	}
	return ""
}

// exitCode waits for kinit (or unshare, which passes kinit's code on).
func (k *kinit) exitCode() int {
	k.t.Helper()
	timeout := time.After(deadline)
	for {
		select {
		case l, ok := <-k.lines:
			if ok {
				k.t.Logf("helper: %s", l)
			} else {
				k.lines = nil
			}
		case err := <-k.done:
			if err == nil {
				return 0
			}
			if ee, ok := err.(*exec.ExitError); ok && ee.Exited() {
				return ee.ExitCode()
			}
			k.t.Fatalf("kinit did not exit normally: %v", err)
		case <-timeout:
			k.t.Fatal("kinit did not exit")
		}
	}
}

// initPid is kinit's pid as seen from the test: the process itself, or the
// child unshare forked into the new namespace.
func (k *kinit) initPid(m mode) int {
	if !m.pid1 {
		return k.cmd.Process.Pid
	}
	return testkit.ChildOf(k.cmd.Process.Pid)
}

// signal sends sig to kinit itself (not to its child).
func (k *kinit) signal(m mode, sig unix.Signal) {
	k.t.Helper()
	pid := k.initPid(m)
	if pid <= 0 {
		k.t.Fatal("cannot find kinit's pid")
	}
	if err := unix.Kill(pid, sig); err != nil {
		k.t.Fatalf("cannot send %v to kinit: %v", sig, err)
	}
}
