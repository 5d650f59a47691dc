package metrics

import (
	"fmt"
	"slices"
	"time"

	"golang.org/x/sys/unix"
)

// TreeSample is one service's process tree at one pass.
type TreeSample struct {
	Root      int
	Alive     bool // the root process exists
	Processes int
	Threads   int
	FDs       int // -1 when some fd directory was unreadable
	RSSBytes  int64
	// CPUSeconds is the CPU time the tree used since the previous pass, and
	// CorePct that per second of wall time (1.0 = one core busy). Both are 0
	// with Baseline false on a tree's first pass.
	CPUSeconds float64
	CorePct    float64
	Baseline   bool
	Interval   time.Duration
	State      string // the root process's state: running, sleeping, …
}

// Sampler samples process trees. It keeps the previous pass to turn
// cumulative CPU counters into rates; it is not safe for concurrent use.
//
// A tree is the root, its descendants, and the members of the process group
// the root leads (each service runs in its own group), so a grandchild
// orphaned to kinit still counts. RSS is summed per process, so pages shared
// between processes of a tree count more than once, as in ps and top.
type Sampler struct {
	r        *procReader
	entries  []procEntry
	all      map[int]procStat
	children map[int][]int
	prev     map[int]pidRec
	cur      map[int]pidRec
	prevTick uint64 // boot-clock ticks at the previous pass
	prevTime time.Duration
	havePrev bool
	queue    []int
	seen     map[int]bool

	// Processes outside every tree at the previous pass, by pid and procfs
	// inode: they are not read again (on a busy host most of /proc is
	// someone else's). A process only joins a tree by being born into it (a
	// new pid or inode, read at once) or, rarely, by reparenting or setpgid;
	// a full pass every fullScanEvery passes, and whenever the roots change,
	// catches those.
	skip, nextSkip map[int]uint64
	inos           map[int]uint64
	lastRoots      []int
	passes         int
}

const fullScanEvery = 6

type pidRec struct {
	start, cpu uint64
	ppid, root int
}

// NewSampler reads processes from procRoot ("/proc" on a live system).
func NewSampler(procRoot string) *Sampler {
	return &Sampler{
		r:        newProcReader(procRoot),
		all:      map[int]procStat{},
		children: map[int][]int{},
		prev:     map[int]pidRec{},
		cur:      map[int]pidRec{},
		seen:     map[int]bool{},
		skip:     map[int]uint64{},
		nextSkip: map[int]uint64{},
		inos:     map[int]uint64{},
	}
}

func bootNow() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// Sample scans /proc once and returns one TreeSample per root, in order. A
// root of 0 or a pid that does not exist gives a sample with Alive false.
func (s *Sampler) Sample(roots []int) ([]TreeSample, error) {
	now := bootNow()
	var err error
	if s.entries, err = s.r.pids(s.entries); err != nil {
		return nil, fmt.Errorf("cannot list processes: %w", err)
	}
	full := !s.havePrev || s.passes%fullScanEvery == 0 || !slices.Equal(roots, s.lastRoots)
	s.passes++
	s.lastRoots = append(s.lastRoots[:0], roots...)
	clear(s.nextSkip)
	clear(s.inos)
	clear(s.all)
	// Keep the slices of parents that had children last pass (they likely
	// still do); forget the rest so dead pids do not pile up.
	for k, v := range s.children {
		if len(v) == 0 {
			delete(s.children, k)
		} else {
			s.children[k] = v[:0]
		}
	}
	for _, e := range s.entries {
		pid := e.pid
		if ino, ok := s.skip[pid]; ok && ino == e.ino && !full {
			s.nextSkip[pid] = ino
			continue
		}
		st, err := s.r.stat(pid)
		if err != nil {
			continue // exited since the listing
		}
		s.inos[pid] = e.ino
		s.all[pid] = st
		s.children[st.ppid] = append(s.children[st.ppid], pid)
	}

	interval := now - s.prevTime
	out := make([]TreeSample, len(roots))
	clear(s.cur)
	for i, root := range roots {
		out[i] = s.sampleTree(root, interval)
	}
	for pid, ino := range s.inos {
		if _, member := s.cur[pid]; !member {
			s.nextSkip[pid] = ino
		}
	}
	s.skip, s.nextSkip = s.nextSkip, s.skip
	s.prev, s.cur = s.cur, s.prev
	s.prevTime = now
	s.prevTick = uint64(now / (time.Second / userHZ))
	s.havePrev = true
	return out, nil
}

func (s *Sampler) sampleTree(root int, interval time.Duration) TreeSample {
	ts := TreeSample{Root: root}
	rst, ok := s.all[root]
	if root <= 0 || !ok {
		return ts
	}
	ts.Alive = true
	ts.State = stateName(rst.state)
	prevRoot, hadRoot := s.prev[root]
	ts.Baseline = s.havePrev && hadRoot && prevRoot.start == rst.start && prevRoot.root == root

	// Collect members: descendants of the root and of its group's members.
	clear(s.seen)
	s.queue = append(s.queue[:0], root)
	s.seen[root] = true
	if rst.pgrp == root {
		for pid, st := range s.all {
			if st.pgrp == root && !s.seen[pid] {
				s.seen[pid] = true
				s.queue = append(s.queue, pid)
			}
		}
	}
	var ticks int64
	for len(s.queue) > 0 {
		pid := s.queue[len(s.queue)-1]
		s.queue = s.queue[:len(s.queue)-1]
		st := s.all[pid]
		for _, c := range s.children[pid] {
			if !s.seen[c] {
				s.seen[c] = true
				s.queue = append(s.queue, c)
			}
		}
		ts.Processes++
		ts.Threads += st.threads
		ts.RSSBytes += st.rssPages * s.r.pageSz
		if ts.FDs >= 0 {
			if n := s.r.countFDs(pid); n >= 0 {
				ts.FDs += n
			} else {
				ts.FDs = -1
			}
		}
		if p, ok := s.prev[pid]; ok && p.start == st.start && p.root == root {
			ticks += int64(st.cpu) - int64(p.cpu)
		} else if s.havePrev && st.start >= s.prevTick {
			ticks += int64(st.cpu) // born since the previous pass
		}
		s.cur[pid] = pidRec{start: st.start, cpu: st.cpu, ppid: st.ppid, root: root}
	}
	// A member that was reaped by another member moved its CPU time into the
	// parent's cutime/cstime, which was just counted again: take away what
	// was already counted for it.
	for pid, p := range s.prev {
		if p.root != root {
			continue
		}
		if st, alive := s.all[pid]; alive && st.start == p.start {
			continue
		}
		if s.seen[p.ppid] {
			ticks -= int64(p.cpu)
		}
	}
	if !ts.Baseline || ticks < 0 {
		ticks = 0
	}
	ts.CPUSeconds = float64(ticks) / userHZ
	if ts.Baseline && interval > 0 {
		ts.Interval = interval
		ts.CorePct = ts.CPUSeconds / interval.Seconds()
	}
	return ts
}
