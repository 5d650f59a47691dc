package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"
)

type idleResult struct {
	window     time.Duration // from the first sample (1 s in) to the last
	cpuIdle    time.Duration // CPU the init used in the window
	cpuTotal   time.Duration // CPU since the process started (incl. unshare's pre-exec setup)
	statTotal  time.Duration // utime+stime from /proc/PID/stat (10 ms ticks)
	wakeups    int64         // voluntary context switches in the window
	hwm        int64         // VmHWM, bytes
	rssAnon    int64         // RssAnon at the last sample: private memory
	rssFile    int64         // RssFile at the last sample: mapped pages of the executable and libraries
	perTwentyS time.Duration // cpuIdle scaled to 20 s
}

func (r idleResult) String() string {
	return fmt.Sprintf("idle CPU %v per 20s (%v in %v), total CPU %v (stat %v), %d wake-ups, VmHWM %.2f MiB (anon %.2f, file %.2f)",
		r.perTwentyS, r.cpuIdle, r.window.Round(time.Millisecond), r.cpuTotal.Round(time.Microsecond),
		r.statTotal, r.wakeups, mib(r.hwm), mib(r.rssAnon), mib(r.rssFile))
}

// idleRun runs `sleep d` under the init and samples the init from outside.
// The first sample is taken 1 s in, once start-up is over; the last one is
// the final sample before the init exits.
func idleRun(in initProg, d time.Duration) (idleResult, error) {
	argv := append([]string{"--pid", "--fork", "--mount-proc", "--"}, in.argv...)
	argv = append(argv, "sleep", strconv.FormatFloat(d.Seconds(), 'f', -1, 64))
	cmd := exec.Command("unshare", argv...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return idleResult{}, err
	}
	defer cmd.Wait()
	var pid int
	for pid == 0 && time.Since(t0) < 10*time.Second {
		pid = childOf(cmd.Process.Pid)
		time.Sleep(time.Millisecond)
	}
	if pid == 0 {
		return idleResult{}, fmt.Errorf("cannot find the init under unshare %d", cmd.Process.Pid)
	}
	time.Sleep(time.Second - time.Since(t0))
	first, err := sampleProc(pid)
	if err != nil {
		return idleResult{}, err
	}
	if want := baseName(in.argv[0]); first.comm != want {
		return idleResult{}, fmt.Errorf("pid %d is %q, want %q", pid, first.comm, want)
	}
	last := first
	for {
		time.Sleep(100 * time.Millisecond)
		s, err := sampleProc(pid)
		if err != nil || s.state == 'Z' {
			break // the init exited: keep the sample before
		}
		last = s
	}
	if err := cmd.Wait(); err != nil {
		return idleResult{}, fmt.Errorf("init exited with %v", err)
	}
	r := idleResult{
		window:    last.at.Sub(first.at),
		cpuIdle:   last.cpu - first.cpu,
		cpuTotal:  last.cpu,
		statTotal: last.statCPU,
		wakeups:   last.volSwitches - first.volSwitches,
		hwm:       last.hwm,
		rssAnon:   last.rssAnon,
		rssFile:   last.rssFile,
	}
	if r.window > 0 {
		r.perTwentyS = time.Duration(float64(r.cpuIdle) * float64(20*time.Second) / float64(r.window))
	}
	return r, nil
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
