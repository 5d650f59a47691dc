package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func absPath(p string) (string, error) { return filepath.Abs(p) }

// procPids lists the processes /proc shows (inside a PID namespace with its
// own /proc: that namespace's processes).
func procPids() []int {
	f, err := os.Open("/proc")
	if err != nil {
		fatalf("%v", err)
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	pids := make([]int, 0, len(names))
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

type procStat struct {
	state   byte
	ppid    int
	comm    string
	statCPU time.Duration // utime+stime
}

func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	s := string(b)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return procStat{}, fmt.Errorf("bad stat for %d", pid)
	}
	f := strings.Fields(s[end+1:])
	// After the command: state(0) ppid(1) ... utime(11) stime(12).
	if len(f) < 13 {
		return procStat{}, fmt.Errorf("bad stat for %d", pid)
	}
	ppid, _ := strconv.Atoi(f[1])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	return procStat{state: f[0][0], ppid: ppid, comm: s[open+1 : end], statCPU: time.Duration(ut+st) * tick}, nil
}

func childOf(ppid int) int {
	for _, pid := range procPids() {
		if st, err := readStat(pid); err == nil && st.ppid == ppid {
			return pid
		}
	}
	return 0
}

type sample struct {
	at          time.Time
	state       byte
	comm        string
	cpu         time.Duration // process CPU clock: every thread, ns resolution
	statCPU     time.Duration
	volSwitches int64 // summed over threads
	hwm         int64
	rssAnon     int64
	rssFile     int64
}

// sampleProc reads one process's CPU time, context switches and peak RSS.
// The process CPU clock (clock_getcpuclockid) is used because
// /proc/PID/stat only counts in 10 ms ticks, too coarse for an idle init.
func sampleProc(pid int) (sample, error) {
	s := sample{at: time.Now()}
	st, err := readStat(pid)
	if err != nil {
		return s, err
	}
	s.state, s.comm, s.statCPU = st.state, st.comm, st.statCPU
	var ts unix.Timespec
	if err := unix.ClockGettime(int32((^pid)<<3|2), &ts); err != nil { // CPUCLOCK_SCHED of the process
		return s, fmt.Errorf("cannot read the CPU clock of %d: %w", pid, err)
	}
	s.cpu = time.Duration(ts.Nano())
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return s, err
	}
	for _, t := range tasks {
		if v, ok := statusField(fmt.Sprintf("/proc/%d/task/%s/status", pid, t.Name()), "voluntary_ctxt_switches:"); ok {
			s.volSwitches += v
		}
	}
	status := fmt.Sprintf("/proc/%d/status", pid)
	for key, dst := range map[string]*int64{"VmHWM:": &s.hwm, "RssAnon:": &s.rssAnon, "RssFile:": &s.rssFile} {
		if v, ok := statusField(status, key); ok {
			*dst = v << 10 // kB
		}
	}
	return s, nil
}

func statusField(path, key string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key); ok {
			fs := strings.Fields(rest)
			if len(fs) > 0 {
				v, err := strconv.ParseInt(fs[0], 10, 64)
				return v, err == nil
			}
		}
	}
	return 0, false
}
