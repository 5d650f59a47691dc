package testkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// A command name with spaces and parentheses must not shift the fields, and
// a zombie must be seen as one under its parent.
func TestStatAndZombies(t *testing.T) {
	// /proc/PID/stat shows the main thread's state: a Go test's main
	// thread may be running or asleep while other threads run this code.
	self, err := Stat(os.Getpid())
	if err != nil || self.PPid != os.Getppid() || self.State != 'R' && self.State != 'S' {
		t.Fatalf("Stat(self) = %+v, %v; want ppid %d, state R or S", self, err, os.Getppid())
	}
	odd := filepath.Join(t.TempDir(), "a (b) c")
	if err := os.Symlink("/bin/true", odd); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(odd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	Eventually(t, "the child is a zombie", func() bool {
		p, err := Stat(cmd.Process.Pid)
		return err == nil && p.State == 'Z' && p.PPid == os.Getpid()
	})
	if z := Zombies(os.Getpid()); len(z) != 1 || z[0] != cmd.Process.Pid {
		t.Fatalf("Zombies(self) = %v, want [%d]", z, cmd.Process.Pid)
	}
	if c := ChildOf(os.Getpid()); c != cmd.Process.Pid {
		t.Fatalf("ChildOf(self) = %d, want %d", c, cmd.Process.Pid)
	}
}
