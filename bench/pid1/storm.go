package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"
)

type stormResult struct {
	wall    time.Duration // unshare started → init exited
	reap    time.Duration // orphans released → none left in /proc
	orphans int           // orphans the child counted before releasing them
	zombies int           // zombies in the namespace when the child gave up or finished
	initCPU time.Duration // CPU PID 1 used during the reap phase
	// stormCPU is PID 1's CPU over the whole storm, from before the
	// orphans were made to the last one reaped: orphans arrive while
	// they are being made, and a reap phase alone misses that.
	stormCPU time.Duration
	wakeups  int64 // PID 1's voluntary context switches during the reap phase
}

func (s stormResult) String() string {
	return fmt.Sprintf("wall %v, reap phase %v (init CPU %v, %d wake-ups), init CPU over the whole storm %v, %d orphans, %d zombies left",
		s.wall.Round(time.Millisecond), s.reap.Round(time.Millisecond), s.initCPU.Round(time.Microsecond),
		s.wakeups, s.stormCPU.Round(time.Microsecond), s.orphans, s.zombies)
}

// storm runs one reap storm under the init and times it from outside.
func storm(in initProg, self string, n int) (stormResult, error) {
	argv := append([]string{"--pid", "--fork", "--mount-proc", "--"}, in.argv...)
	argv = append(argv, self, "storm-child", strconv.Itoa(n))
	cmd := exec.Command("unshare", argv...)
	cmd.Stderr = os.Stderr
	t0 := time.Now()
	out, err := cmd.Output()
	wall := time.Since(t0)
	if err != nil {
		return stormResult{}, fmt.Errorf("%v (output %q)", err, out)
	}
	var s stormResult
	var reapNs, cpuNs, stormNs int64
	if _, err := fmt.Sscanf(string(out), "orphans=%d reap_ns=%d zombies=%d init_cpu_ns=%d init_wakeups=%d init_storm_cpu_ns=%d",
		&s.orphans, &reapNs, &s.zombies, &cpuNs, &s.wakeups, &stormNs); err != nil {
		return s, fmt.Errorf("cannot parse %q: %v", out, err)
	}
	if s.orphans != n {
		return s, fmt.Errorf("only %d of %d orphans started (pid_max, memory?)", s.orphans, n)
	}
	s.wall, s.reap, s.initCPU, s.stormCPU = wall, time.Duration(reapNs), time.Duration(cpuNs), time.Duration(stormNs)
	return s, nil
}

// makeOrphans starts $1 background subshells that block reading fd 3 and
// then exits, so they are re-parented to PID 1. dash forks without exec, the
// cheapest process there is, so the workload costs every init the same.
const makeOrphans = `i=0; while [ "$i" -lt "$1" ]; do read -r line <&3 & i=$((i + 1)); done`

// stormChild is the init's only child. It leaves n orphans, releases them
// all at once (closing the pipe they read) and watches /proc until they are
// gone, i.e. reaped by PID 1. It reports on stdout and exits 0.
func stormChild(n int) int {
	if os.Getppid() != 1 {
		fatalf("storm-child must be a child of PID 1, parent is %d", os.Getppid())
	}
	first, err := sampleProc(1)
	if err != nil {
		fatalf("cannot sample PID 1: %v", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		fatalf("%v", err)
	}
	maker := exec.Command("/bin/sh", "-c", makeOrphans, "sh", strconv.Itoa(n))
	maker.ExtraFiles = []*os.File{r}
	maker.Stderr = os.Stderr
	if err := maker.Run(); err != nil {
		fatalf("cannot make orphans: %v", err)
	}
	r.Close()
	orphans := len(procPids()) - 2 // all but PID 1 and this process

	before, err := sampleProc(1)
	if err != nil {
		fatalf("cannot sample PID 1: %v", err)
	}
	t0 := time.Now()
	w.Close()
	for len(procPids()) > 2 && time.Since(t0) < 2*time.Minute {
		time.Sleep(time.Millisecond)
	}
	reap := time.Since(t0)
	after, err := sampleProc(1)
	if err != nil {
		fatalf("cannot sample PID 1: %v", err)
	}
	zombies := 0
	for _, pid := range procPids() {
		if st, err := readStat(pid); err == nil && st.state == 'Z' {
			zombies++
		}
	}
	fmt.Printf("orphans=%d reap_ns=%d zombies=%d init_cpu_ns=%d init_wakeups=%d init_storm_cpu_ns=%d\n", orphans, reap.Nanoseconds(),
		zombies, (after.cpu - before.cpu).Nanoseconds(), after.volSwitches-before.volSwitches, (after.cpu - first.cpu).Nanoseconds())
	return 0
}
