package metrics

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name, line string
		want       procStat
		ok         bool
	}{
		{"plain", "42 (java) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 33 0 12345 999 2048 18446744073709551615",
			procStat{pid: 42, ppid: 1, pgrp: 42, state: 'S', cpu: 310, threads: 33, start: 12345, rssPages: 2048}, true},
		{"name with spaces and parens", "7 (a b) (c)) R 3 7 7 0 -1 0 0 0 0 0 1 2 3 4 20 0 1 0 99 0 5",
			procStat{pid: 7, ppid: 3, pgrp: 7, state: 'R', cpu: 10, threads: 1, start: 99, rssPages: 5}, true},
		{"truncated", "7 (x) R 3 7", procStat{}, false},
		{"no parens", "garbage", procStat{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStat(tt.want.pid, []byte(tt.line), 4096)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestSampleSelf(t *testing.T) {
	s := NewSampler("/proc")
	got, err := s.Sample([]int{os.Getpid(), 0, 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if !got[0].Alive || got[0].Processes < 1 || got[0].Threads < 1 || got[0].RSSBytes <= 0 || got[0].FDs < 3 {
		t.Errorf("self sample = %+v", got[0])
	}
	if got[0].Baseline {
		t.Errorf("first pass claims a CPU baseline")
	}
	if got[1].Alive || got[2].Alive {
		t.Errorf("pid 0 / missing pid sampled as alive: %+v %+v", got[1], got[2])
	}
	got, _ = s.Sample([]int{os.Getpid()})
	if !got[0].Baseline || got[0].Interval <= 0 {
		t.Errorf("second pass = %+v, want a baseline", got[0])
	}
}

// TestSampleTree samples a real process tree (the helper parent and its two
// children): the sums must match what the processes did.
//
// Tolerances: RSS grows by the 64 MiB the parent maps ±8 MiB (runtime and
// page-table noise); CPU is the time the three processes measured for
// themselves with getrusage, ±(15% + 60 ms): /proc counts in 10 ms ticks
// per process, and each runtime does a little work around the burn.
func TestSampleTree(t *testing.T) {
	p := startTree(t)
	s := NewSampler("/proc")
	sample := func() TreeSample {
		t.Helper()
		got, err := s.Sample([]int{p.pids[0]})
		if err != nil {
			t.Fatal(err)
		}
		return got[0]
	}

	// A round trip through every process first: until the children answer,
	// they are still loading and their RSS and fds still move.
	p.do("burn 1")
	before := sample()
	if before.Processes != 3 {
		t.Fatalf("tree has %d processes, want 3 (parent + 2 children): %+v", before.Processes, before)
	}
	if before.Threads < 3 {
		t.Errorf("threads = %d, want >= 3", before.Threads)
	}

	const allocMiB = 64
	if got := p.do("alloc " + strconv.Itoa(allocMiB)); got != "ok" {
		t.Fatalf("alloc: %q", got)
	}
	before2 := sample()
	grew := before2.RSSBytes - before.RSSBytes
	if lo, hi := int64(allocMiB-8)<<20, int64(allocMiB+8)<<20; grew < lo || grew > hi {
		t.Errorf("tree RSS grew by %.1f MiB, want %d ±8 MiB", float64(grew)/(1<<20), allocMiB)
	}
	if before2.RSSBytes < allocMiB<<20 {
		t.Errorf("tree RSS %d below the %d MiB allocated", before2.RSSBytes, allocMiB)
	}
	if got := p.do("fds 10"); got != "ok" {
		t.Fatalf("fds: %q", got)
	}
	if d := sample().FDs - before2.FDs; d != 10 {
		t.Errorf("open fds grew by %d, want 10", d)
	}

	out := p.do("burn 150") // 150 ms in each of the three processes
	burned, err := strconv.ParseInt(strings.TrimPrefix(out, "burned "), 10, 64)
	if err != nil {
		t.Fatalf("burn: %q", out)
	}
	after := sample()
	if !after.Baseline {
		t.Fatalf("no CPU baseline: %+v", after)
	}
	want := time.Duration(burned).Seconds()
	tol := 0.15*want + 0.060
	if after.CPUSeconds < want-tol || after.CPUSeconds > want+tol {
		t.Errorf("tree CPU %.3fs, processes measured %.3fs (tolerance ±%.3fs)", after.CPUSeconds, want, tol)
	}
	if want < 0.4 {
		t.Errorf("helpers burned only %.3fs; the children's share is missing", want)
	}
	if after.CorePct <= 0 || after.Interval <= 0 {
		t.Errorf("core pct %.3f over %s", after.CorePct, after.Interval)
	}
	t.Logf("rss %.1f MiB (+%.1f), cpu %.3fs vs %.3fs measured, %.2f cores over %s, threads %d, fds %d",
		float64(after.RSSBytes)/(1<<20), float64(grew)/(1<<20), after.CPUSeconds, want, after.CorePct, after.Interval, after.Threads, after.FDs)
}

// TestSampleSkipsOnlyOutsiders: processes outside every tree are not read
// again, but a tree named later is found whole, and stays whole across the
// passes that skip outsiders.
func TestSampleSkipsOnlyOutsiders(t *testing.T) {
	p := startTree(t)
	p.do("burn 1")
	s := NewSampler("/proc")
	if _, err := s.Sample(nil); err != nil { // the helper tree is outside: cached as such
		t.Fatal(err)
	}
	if _, ok := s.skip[p.pids[1]]; !ok {
		t.Fatalf("outsider %d not cached as skippable", p.pids[1])
	}
	for i := 0; i < 2*fullScanEvery; i++ {
		got, err := s.Sample([]int{p.pids[0]})
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Processes != 3 {
			t.Fatalf("pass %d: tree has %d processes, want 3", i, got[0].Processes)
		}
		if _, skipped := s.skip[p.pids[2]]; skipped {
			t.Fatalf("pass %d: member %d cached as an outsider", i, p.pids[2])
		}
	}
}

// TestSampleFindsChildBornBetweenPasses: a process forked into a tree after
// the cache was built is read at once (a new pid), without a full pass.
func TestSampleFindsChildBornBetweenPasses(t *testing.T) {
	cmd := exec.Command("sh", "-c", "read x; sleep 1000 & echo started; wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	s := NewSampler("/proc")
	roots := []int{cmd.Process.Pid}
	for i := 0; i < 2; i++ { // the second pass is not a full one
		got, err := s.Sample(roots)
		if err != nil || got[0].Processes != 1 {
			t.Fatalf("before the fork: %+v %v", got, err)
		}
	}
	io.WriteString(in, "go\n")
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	if s.passes%fullScanEvery == 0 {
		t.Fatal("test expects a pass that skips outsiders")
	}
	got, err := s.Sample(roots)
	if err != nil || got[0].Processes != 2 {
		t.Fatalf("after the fork: %+v %v, want 2 processes", got, err)
	}
}
