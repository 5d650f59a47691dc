package nethost

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// stateDir holds one lock file per slot. A slot k owns subnet 10.231.k.0/24,
// bridge ktb<k>, veths ktv<k>x<i> and namespaces kinit-t-<k>-<i>; its flock
// is held for the life of the test process, so a slot whose lock can be
// taken belongs to no live test and whatever carries its names is a leftover.
const stateDir = "/run/kinit-t"

// maxSlot bounds the third octet of the subnets.
const maxSlot = 250

type slot struct {
	n    int
	lock *os.File
}

// acquireSlot takes the first free slot whose subnet no route on the machine
// already covers, after removing what a crashed run left under its names.
func acquireSlot() (*slot, error) {
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w", stateDir, err)
	}
	routes, err := exec.Command("ip", "-4", "route", "show", "table", "all").Output()
	if err != nil {
		return nil, fmt.Errorf("cannot list routes: %w", err)
	}
	for n := 1; n <= maxSlot; n++ {
		f, err := os.OpenFile(filepath.Join(stateDir, "slot-"+strconv.Itoa(n)+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			return nil, fmt.Errorf("cannot open slot lock: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			continue
		}
		s := &slot{n: n, lock: f}
		s.sweep()
		// A route to the subnet that is not ours (we just swept ours) means
		// the machine uses it: leave it alone.
		if strings.Contains(string(routes), s.subnetPrefix()) && !strings.Contains(string(routes), "dev "+s.bridge()) {
			s.release()
			continue
		}
		return s, nil
	}
	return nil, fmt.Errorf("no free test network slot in %s", stateDir)
}

func (s *slot) release() {
	syscall.Flock(int(s.lock.Fd()), syscall.LOCK_UN)
	s.lock.Close()
}

func (s *slot) subnetPrefix() string { return fmt.Sprintf("10.231.%d.", s.n) }
func (s *slot) bridge() string       { return fmt.Sprintf("ktb%d", s.n) }
func (s *slot) veth(i int) string    { return fmt.Sprintf("ktv%dx%d", s.n, i) }
func (s *slot) netns(i int) string   { return fmt.Sprintf("kinit-t-%d-%d", s.n, i) }
func (s *slot) addr(i int) string    { return fmt.Sprintf("10.231.%d.%d", s.n, 10+i) }
func (s *slot) gateway() string      { return fmt.Sprintf("10.231.%d.1", s.n) }

// sweep removes every namespace and link named for this slot, killing the
// processes still inside the namespaces first.
func (s *slot) sweep() {
	out, _ := exec.Command("ip", "netns", "list").Output()
	prefix := fmt.Sprintf("kinit-t-%d-", s.n)
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || !strings.HasPrefix(fields[0], prefix) {
			continue
		}
		killNetns(fields[0])
		_ = exec.Command("ip", "netns", "delete", fields[0]).Run()
	}
	out, _ = exec.Command("ip", "-o", "link", "show").Output()
	vethPrefix := fmt.Sprintf("ktv%dx", s.n)
	for _, line := range strings.Split(string(out), "\n") {
		// "12: ktv3x1@if2: <...>"
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSuffix(fields[1], ":"), "@")
		if name == s.bridge() || strings.HasPrefix(name, vethPrefix) {
			_ = exec.Command("ip", "link", "delete", name).Run()
		}
	}
}

// killNetns SIGKILLs every process in the network namespace. Killing the
// PID-namespace inits is enough to end their whole trees.
func killNetns(name string) {
	out, _ := exec.Command("ip", "netns", "pids", name).Output()
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 1 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}
