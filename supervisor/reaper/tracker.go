//go:build linux && (amd64 || arm64)

package reaper

import (
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// wait4(-1) walks the children list from its head to the first zombie.
// Orphans join that list in the order they were re-parented, and when they
// exit newest first every reap walks past all the live ones: 20,000
// orphans cost seconds of CPU in such storms, to tini and dumb-init as to
// kinit, while the same storm in the other order costs a tenth of a
// second. Which order a storm takes is the scheduler's choice, so a reaper
// that only calls wait4(-1) has bad runs whatever it does around it.
//
// A wait on one pid costs the same wherever the child sits. So when reaps
// turn dear, the tracker learns the pids of the live children from /proc,
// holds a pidfd for each and lets epoll say which ones exited; the reaper
// collects those by pidfd and keeps wait4(-1) for the rest, one walk per
// batch, which finds nothing dear once the tracked zombies are gone.

// deepReap is the cost of a reaping wait4(-1) past which the walk is
// counted as dear: about a thousand live children before the zombie.
var deepReap = 20 * time.Microsecond

// deepBudget is how much dear walking the reaper accepts before it scans
// /proc (a scan of 20,000 pids costs about that much again).
var deepBudget = 2 * time.Millisecond

// fdReserve is the part of the descriptor limit the tracker leaves to the
// rest of kinit: services' pipes, the control socket, the shipper.
const fdReserve = 512

// tracker is owned by the reaper goroutine; nothing else touches it.
type tracker struct {
	ep    int             // epoll set of pidfds, -1 until the first scan
	held  map[int32]int32 // pid → its pidfd, in the set
	limit int             // most pidfds it may hold
	dear  time.Duration   // dear walking since the last scan
}

// trackedReaps counts statuses collected by pidfd, for tests.
var trackedReaps atomic.Int64

func newTracker() *tracker {
	t := &tracker{ep: -1}
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) == nil && rl.Cur > fdReserve {
		t.limit = int(rl.Cur) - fdReserve
	}
	return t
}

// walked records what the wait4(-1) that reaped pid cost, and scans /proc
// when dear walks have added up: once the tracked zombies are collected
// first, the walks stop finding them deep in the list. A held pid reaped
// by a walk (it exited just before) says nothing about untracked ones.
// It reports whether pid was held.
func (t *tracker) walked(pid int, d time.Duration) (held bool) {
	if _, held = t.held[int32(pid)]; held || d < deepReap || t.limit == 0 {
		return held
	}
	t.dear += d
	if t.dear >= deepBudget && len(t.held) < t.limit {
		t.dear = 0
		t.scan()
	}
	return false
}

// scan opens a pidfd for every live child it does not hold yet. A child
// found a zombie is collected at once. wait4 on a pid that is not a child
// fails with ECHILD, so /proc's other processes cost one syscall each.
// The pid of a live child cannot be reused before this process reaps it,
// which makes the pidfd taken after the check the same process's.
func (t *tracker) scan() {
	if t.ep < 0 {
		ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
		if err != nil {
			t.limit = 0
			return
		}
		t.ep = ep
		t.held = map[int32]int32{}
	}
	d, err := os.Open("/proc")
	if err != nil {
		return
	}
	defer d.Close()
	self := os.Getpid()
	var buf [8192]byte
	for len(t.held) < t.limit {
		n, err := getdents(int(d.Fd()), buf[:])
		if n <= 0 || err != nil {
			return
		}
		for off := 0; off < n; {
			rec := buf[off:n]
			reclen := int(*(*uint16)(unsafe.Pointer(&rec[16])))
			off += reclen
			pid := direntPid(rec[19:reclen])
			if _, ok := t.held[int32(pid)]; ok || pid <= 0 || pid == self || len(t.held) >= t.limit {
				continue
			}
			t.watch(pid)
		}
	}
}

// direntPid parses a /proc entry's name as a pid; 0 when it is not one.
func direntPid(name []byte) int {
	pid := 0
	for _, c := range name {
		if c == 0 {
			break
		}
		if c < '0' || c > '9' {
			return 0
		}
		pid = pid*10 + int(c-'0')
	}
	return pid
}

// watch adds pid to the epoll set if it is a live child.
// Registered children are left to wait4(-1): kinit has few, and their
// status must reach Start with nothing in between.
func (t *tracker) watch(pid int) {
	mu.Lock()
	_, registered := waiters[pid]
	mu.Unlock()
	if registered {
		return
	}
	var st Status
	got, err := wait4NoHang(pid, &st)
	switch {
	case err != nil:
		return // not a child (ECHILD), or gone
	case got > 0:
		st.Pid = got
		dispatch(st)
		return
	}
	fd, err := pidfdOpen(pid)
	if err != nil {
		if err == unix.EMFILE || err == unix.ENFILE {
			t.limit = len(t.held)
		}
		return
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd), Pad: int32(pid)}
	if err := epollAdd(t.ep, fd, &ev); err != nil {
		closeRaw(fd)
		return
	}
	t.held[int32(pid)] = int32(fd)
}

// holding reports whether the tracker holds any child.
func (t *tracker) holding() bool { return len(t.held) > 0 }

// await blocks until a held child exits or d has passed. The event stays
// ready (level-triggered) for collect.
func (t *tracker) await(d time.Duration) {
	var ev [1]unix.EpollEvent
	_, _ = unix.EpollWait(t.ep, ev[:], int(max(d.Milliseconds(), 1)))
}

// collect reaps, without blocking, every held child that has exited, and
// reports how many it reaped.
func (t *tracker) collect() int {
	if len(t.held) == 0 {
		return 0
	}
	var evs [256]unix.EpollEvent
	reaped := 0
	for {
		n, err := epollReady(t.ep, evs[:])
		if err == unix.EINTR {
			continue
		}
		if n <= 0 || err != nil {
			return reaped
		}
		for _, ev := range evs[:n] {
			if st, ok := waitPidfd(int(ev.Fd)); ok {
				dispatch(st)
				reaped++
				trackedReaps.Add(1)
			}
			// Reaped here, or already by wait4(-1): either way done.
			closeRaw(int(ev.Fd))
			delete(t.held, ev.Pad)
		}
		if n < len(evs) {
			return reaped
		}
	}
}

// close releases every pidfd and the set. The reaper calls it once it has
// no child left, or stops.
func (t *tracker) close() {
	if t.ep < 0 {
		return
	}
	for _, fd := range t.held {
		unix.Close(int(fd))
	}
	unix.Close(t.ep)
	t.ep, t.held, t.dear = -1, nil, 0
}

// chldInfo is the kernel's siginfo for SIGCHLD on amd64 and arm64.
type chldInfo struct {
	signo, errno, code, _ int32
	pid                   int32
	uid                   uint32
	status                int32
	_                     [100]byte
}

// waitPidfd collects the process behind a pidfd if it has exited. waitid
// by pidfd, not wait4 by pid: a child the walk reaped meanwhile may have
// its pid reused, and the pidfd still names the old process.
func waitPidfd(fd int) (Status, bool) {
	var ci chldInfo
	var st Status
	for {
		err := waitidPidfdNoHang(fd, &ci, &st.Rusage)
		if err == unix.EINTR {
			continue
		}
		if err != nil || ci.pid == 0 {
			return st, false
		}
		break
	}
	st.Pid = int(ci.pid)
	// si_code's CLD_EXITED and CLD_DUMPED (asm-generic/siginfo.h).
	switch ci.code {
	case 1:
		st.Wait = unix.WaitStatus(ci.status&0xff) << 8
	case 3:
		st.Wait = unix.WaitStatus(ci.status&0x7f) | 0x80
	default: // CLD_KILLED
		st.Wait = unix.WaitStatus(ci.status & 0x7f)
	}
	return st, true
}
