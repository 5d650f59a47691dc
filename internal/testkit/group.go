package testkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// StartGroup runs argv with env in a process group of its own, its stdout
// and stderr in log (a file of t's), and returns done, closed once it has
// exited. When the test ends the group is asked to stop with SIGTERM (with
// grace > 0: kinit then stops its services in order) and killed after
// grace; a failed test shows the output.
func StartGroup(t testing.TB, name string, env []string, grace time.Duration, argv ...string) (cmd *exec.Cmd, log string, done <-chan struct{}) {
	t.Helper()
	log = filepath.Join(t.TempDir(), name+".log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd = exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		if grace > 0 {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(grace):
			}
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		if t.Failed() {
			out, _ := os.ReadFile(log)
			t.Logf("--- %s:\n%s", name, out)
		}
	})
	return cmd, log, exited
}
