// Package reaper is the single owner of wait4(-1) in a kinit process.
//
// A PID 1 (or a child subreaper) inherits every orphan in its namespace, so
// something must collect their exit statuses or they stay zombies. Go's
// exec.Cmd.Wait and os.Process.Wait reap one pid each; mixed with a
// wait4(-1) loop they race for the same status and one side loses it. So in
// kinit nothing calls Cmd.Wait: processes are started through Start, which
// registers the pid under the same lock that the reaper takes before it
// dispatches a status. A child that exits before Start returns is therefore
// never mistaken for an orphan.
//
// The reaper sleeps in the kernel, never polls: while it has children, in a
// blocking wait4 with SIGCHLD at SIG_DFL (chld.go), so each exit costs one
// wake-up; with none, on SIGCHLD, for a process re-parented to it.
package reaper

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Status is the final state of one reaped process.
type Status struct {
	Pid    int
	Wait   unix.WaitStatus
	Rusage unix.Rusage
}

// ExitCode is the shell convention: the exit code, or 128+N when the process
// was killed by signal N.
func (s Status) ExitCode() int {
	switch {
	case s.Wait.Exited():
		return s.Wait.ExitStatus()
	case s.Wait.Signaled():
		return 128 + int(s.Wait.Signal())
	}
	return 255
}

// Signaled reports the signal that killed the process, or 0.
func (s Status) Signaled() unix.Signal {
	if s.Wait.Signaled() {
		return s.Wait.Signal()
	}
	return 0
}

// String describes the status the way kinit logs it.
func (s Status) String() string {
	if sig := s.Signaled(); sig != 0 {
		return fmt.Sprintf("killed by signal %d (%s)", int(sig), unix.SignalName(sig))
	}
	return fmt.Sprintf("exited with code %d", s.ExitCode())
}

var (
	mu       sync.Mutex
	started  bool
	stop     chan struct{}
	done     chan struct{}
	waiters  = map[int]chan Status{}
	onOrphan func(Status)
)

// ErrNotStarted is returned by Start when the reaper is not running.
var ErrNotStarted = errors.New("reaper is not running")

// Run starts the reaping goroutine. When the calling process is not PID 1 it
// first makes itself a child subreaper, so that orphans of its descendants are
// re-parented to it rather than to the real init. orphan, when not nil, is
// called (from the reaper goroutine) for every reaped pid nobody registered.
func Run(orphan func(Status)) error {
	mu.Lock()
	defer mu.Unlock()
	if started {
		return errors.New("reaper is already running")
	}
	if os.Getpid() != 1 {
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("cannot become a child subreaper: %w", err)
		}
	}
	onOrphan = orphan
	stop = make(chan struct{})
	done = make(chan struct{})
	// os/signal drops signals when the channel is full; one pending
	// notification is enough because every wake-up drains all exits.
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, unix.SIGCHLD)
	started = true
	go loop(sigc, stop, done)
	return nil
}

// Shutdown stops the reaping goroutine and waits for it. Pending waiters are
// left as they are; it exists so tests can run the reaper more than once.
func Shutdown() {
	mu.Lock()
	if !started {
		mu.Unlock()
		return
	}
	started = false
	close(stop)
	d := done
	mu.Unlock()
	// A wait4 blocked on live children ends only with an exit: give it
	// one, a child that exits at once. One is enough, and it must not
	// outlive this call: the loop may have ended on another exit, and a
	// zombie left here would pass for an orphan of the next Run.
	nudge := 0
	for {
		if nudge == 0 && blocking.Load() {
			if p, err := os.StartProcess("/bin/true", []string{"true"}, &os.ProcAttr{}); err == nil {
				nudge = p.Pid
				_ = p.Release()
			}
		}
		select {
		case <-d:
			if nudge != 0 {
				var ws unix.WaitStatus
				for {
					// ECHILD: the loop reaped it already.
					if _, err := unix.Wait4(nudge, &ws, 0, nil); err != unix.EINTR {
						break
					}
				}
			}
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func loop(sigc chan os.Signal, stop, done chan struct{}) {
	defer close(done)
	defer signal.Stop(sigc)
	sw := newChldSwitch()
	for {
		if sw != nil {
			sw.quiet()
			blocking.Store(true)
			stopped := reapBlocking(stop)
			blocking.Store(false)
			sw.loud()
			if stopped {
				return
			}
		}
		// With SIGCHLD back on, collect what exited before it was: a
		// child started and gone between ECHILD and loud.
		reapAll()
		select {
		case <-sigc:
		case <-stop:
			return
		}
	}
}

// blocking is set while the loop sits in a blocking wait4, which only an
// exit can end (see Shutdown).
var blocking atomic.Bool

// burstPause is how long the loop lets exits pile up after a batch before
// it looks again. Every wait4(-1) that finds nothing walks the whole list
// of live children, so a reaper that keeps pace with a storm, one exit
// per wake-up, pays that walk per orphan: 20,000 orphans cost 2-5 s of
// CPU where tini, whose blocked SIGCHLD batches exits, paid 0.3 s. One
// walk per pause bounds it; an exit waits at most this long to be seen,
// and only when another exit came just before it.
const burstPause = 5 * time.Millisecond

// walkShare bounds the time the empty walks take, against the pauses
// between them: with tens of thousands of live children a walk that finds
// nothing costs most of a millisecond, and a pause of burstPause alone let
// those walks take a sixth of the reaper's time in a storm and vary with
// how the exits fell (0.24-0.86 s of CPU for 20,000 orphans). The pause
// grows with the walk, so walks stay a twentieth of it; with few children
// it stays burstPause.
const walkShare = 20

// maxPause caps that growth: an exit that follows another waits at most
// this long to be seen.
const maxPause = 25 * time.Millisecond

// pauseAfter is the pause that follows an empty walk that took walk.
func pauseAfter(walk time.Duration) time.Duration {
	return min(max(burstPause, walkShare*walk), maxPause)
}

// walkClock times a walk by the CPU the reaper's thread spent in it. In a
// storm the reaper shares the CPUs with thousands of exiting orphans, and
// by the wall clock a walk preempted halfway looked dear: the tracker then
// took pidfds for nearly every orphan at the storm's start, each costing
// more than the walks it saved, and one storm of 20,000 cost kinit 0.73 s
// where others cost 0.2 s. Nothing here can move the goroutine to another
// thread between the two readings but a preemption; a reading spoilt by
// one is bounded by the wall clock.
type walkClock struct {
	wall time.Time
	cpu  time.Duration
}

func startWalk() walkClock { return walkClock{time.Now(), threadCPU()} }

func (c walkClock) cost() time.Duration {
	return min(max(threadCPU()-c.cpu, 0), time.Since(c.wall))
}

// reapBlocking dispatches exits as wait4 returns them until there is no
// child left (ECHILD), or until stop is closed. Once the tracker holds
// children, reapTracked takes over until it holds none.
func reapBlocking(stop chan struct{}) (stopped bool) {
	t := newTracker()
	defer t.close()
	block, got := true, false // got: reaped since the last pause
	for {
		select {
		case <-stop:
			return true
		default:
		}
		if t.holding() {
			if reapTracked(t, stop) {
				return true
			}
			block, got = false, true
		}
		var st Status
		w := startWalk()
		var pid int
		var err error
		if block {
			pid, err = unix.Wait4(-1, &st.Wait, 0, &st.Rusage)
		} else {
			pid, err = wait4NoHang(-1, &st)
		}
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return false
		case pid > 0:
			if !block {
				_ = t.walked(pid, w.cost())
			}
			st.Pid = pid
			dispatch(st)
			block, got = false, true
			continue
		case !got:
			// A pause brought nothing: the burst is over.
			block = true
			continue
		}
		got = false
		if sleep(stop, pauseAfter(w.cost())) {
			return true
		}
	}
}

// trackedWalkGap is the least time between two walks while the tracker
// holds children. Those walks find only what the tracker does not hold:
// orphans re-parented after its scan and the children Start registered,
// whose exits are therefore seen up to this late during a storm.
const trackedWalkGap = 100 * time.Millisecond

// reapTracked collects the children the tracker holds as epoll reports
// their exits, batched by burstPause, and walks for the others only every
// trackedWalkGap or more: every walk passes all the held children still
// alive, which, done after each batch, made the walks a third of the
// reaper's CPU in a storm of 20,000 orphans.
func reapTracked(t *tracker, stop chan struct{}) (stopped bool) {
	for t.holding() {
		var walk time.Duration
		for {
			// Held zombies first, so that the walk finds the others.
			t.collect()
			var st Status
			w := startWalk()
			pid, err := wait4NoHang(-1, &st)
			walk = w.cost()
			if err == unix.EINTR {
				continue
			}
			if pid <= 0 || err != nil {
				break
			}
			held := t.walked(pid, walk)
			st.Pid = pid
			dispatch(st)
			if held {
				// One held child exited during the walk, and in a
				// storm more will: walking on would reap them one
				// whole walk each, where epoll gives them for free.
				break
			}
		}
		next := time.Now().Add(max(trackedWalkGap, walkShare*walk))
		for t.holding() {
			pause := time.Until(next)
			if pause <= 0 {
				break
			}
			if t.collect() > 0 {
				pause = min(pause, burstPause)
				if sleep(stop, pause) {
					return true
				}
				continue
			}
			t.await(pause)
			select {
			case <-stop:
				return true
			default:
			}
		}
	}
	return false
}

// sleep waits d, or until stop is closed, which it reports.
func sleep(stop chan struct{}, d time.Duration) (stopped bool) {
	select {
	case <-stop:
		return true
	case <-time.After(d):
		return false
	}
}

// reapAll collects every exited child without blocking. wait4 runs outside the
// lock; the lookup takes it, so it waits for a Start still registering its pid.
func reapAll() {
	for {
		var st Status
		pid, err := wait4NoHang(-1, &st)
		if err == unix.EINTR {
			continue
		}
		if pid <= 0 || err != nil {
			return
		}
		st.Pid = pid
		dispatch(st)
	}
}

// dispatch hands a status to the Start that registered its pid, or to the
// orphan callback. The lock waits for a Start still registering it.
func dispatch(st Status) {
	mu.Lock()
	ch, ok := waiters[st.Pid]
	delete(waiters, st.Pid)
	orphan := onOrphan
	mu.Unlock()
	switch {
	case ok:
		ch <- st // buffered, never blocks
	case orphan != nil:
		orphan(st)
	}
}

// Start starts cmd and returns a channel that receives its Status exactly
// once. The caller must never call cmd.Wait; cmd.Process.Pid and
// cmd.Process.Signal stay usable. Because nothing waits on the
// command, its Stdin, Stdout and Stderr must be nil or *os.File: other
// readers and writers need copying goroutines that only Wait would end.
func Start(cmd *exec.Cmd) (<-chan Status, error) {
	for _, f := range []any{cmd.Stdin, cmd.Stdout, cmd.Stderr} {
		switch f.(type) {
		case nil, *os.File:
		default:
			return nil, fmt.Errorf("cannot start %s: stdio must be *os.File when the reaper owns the wait", cmd.Path)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !started {
		return nil, ErrNotStarted
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ch := make(chan Status, 1)
	waiters[cmd.Process.Pid] = ch
	// cmd.Process is deliberately not released: Release sets Pid to -1, and
	// callers need the pid to signal the process group. Process.Signal keeps
	// working through the pidfd Go holds (safe against pid reuse; it reports
	// os.ErrProcessDone once the reaper has collected the status), and the
	// runtime closes that pidfd when the Process becomes unreachable.
	return ch, nil
}

// Registered reports how many started processes have not been reaped yet.
func Registered() int {
	mu.Lock()
	defer mu.Unlock()
	return len(waiters)
}
