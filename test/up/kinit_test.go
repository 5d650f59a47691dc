package up

import (
	"bufio"
	"errors"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	"golang.org/x/sys/unix"
)

// mode is where kinit runs: PID 1 of a PID namespace of its own (the
// container case), or a plain child of the test (kinit then makes itself a
// child subreaper).
type mode struct {
	name string
	pid1 bool
}

var (
	asPID1  = mode{"pid1", true}
	asChild = mode{"child", false}
)

// run is one `kinit up` process and what it printed.
type run struct {
	t      *testing.T
	n      *node
	mode   mode
	cmd    *exec.Cmd
	stdout *lines
	stderr *lines
	done   chan struct{}
	code   int // valid once done is closed
	pid    int // kinit's pid as the test sees it
	nsLink string
}

// start runs `kinit up` (args appended) on n in mode m. Cleanup kills
// whatever the test leaves behind, found by the node's marker.
func (n *node) start(m mode, args ...string) *run {
	t := n.t
	t.Helper()
	argv := append(append(append([]string{}, n.wrap...), kinitBin, "up"), args...)
	if m.pid1 {
		// --kill-child: if unshare dies, so does kinit (and its namespace).
		argv = append([]string{"unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "--"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = n.environ()
	cmd.Dir = n.dir
	// A group of its own: terminal signals to the test do not reach it,
	// and cleanup can kill unshare and kinit together.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	r := &run{t: t, n: n, mode: m, cmd: cmd, stdout: newLines(), stderr: newLines(), done: make(chan struct{})}
	var outPipe io.Reader = strings.NewReader("")
	if n.stdout != nil {
		cmd.Stdout = n.stdout
	} else {
		p, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		outPipe = p
	}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("cannot start kinit: %v", err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go r.stdout.read(outPipe, &wg)
	go r.stderr.read(errPipe, &wg)
	go func() {
		wg.Wait() // read everything before Wait closes the pipes
		err := cmd.Wait()
		var ee *exec.ExitError
		switch {
		case err == nil:
			r.code = 0
		case errors.As(err, &ee) && ee.Exited():
			r.code = ee.ExitCode()
		default:
			r.code = -1 // killed by a signal: never a clean end
		}
		close(r.done)
	}()
	t.Cleanup(func() {
		if !r.exited() {
			// kinit and everything it started carry the marker; the
			// services hold kinit's stdout, so they must go too before
			// the output ends.
			killMarked(n.marker)
			_ = unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
			select {
			case <-r.done:
			case <-time.After(deadline):
			}
		}
		killMarked(n.marker)
		if t.Failed() {
			t.Logf("kinit stdout:\n%s\nkinit stderr:\n%s", r.stdout.text(), r.stderr.text())
		}
	})
	r.pid = cmd.Process.Pid
	if m.pid1 {
		waitUntil(t, "kinit to start in its namespace", func() bool {
			r.pid = testkit.ChildOf(cmd.Process.Pid)
			return r.pid > 0 || r.exited()
		})
		r.nsLink = pidNS(r.pid)
	}
	return r
}

func (r *run) exited() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// wait returns kinit's exit code (unshare passes it on).
func (r *run) wait() int {
	r.t.Helper()
	select {
	case <-r.done:
		return r.code
	case <-time.After(deadline):
		r.t.Fatal("kinit did not exit")
	}
	return -1
}

// signal sends sig to kinit itself.
func (r *run) signal(sig unix.Signal) {
	r.t.Helper()
	if err := unix.Kill(r.pid, sig); err != nil {
		r.t.Fatalf("cannot send %v to kinit: %v", sig, err)
	}
}

// hostPid maps a pid from `kinit status` (kinit's namespace) to the test's.
func (r *run) hostPid(pid int) int {
	r.t.Helper()
	if !r.mode.pid1 {
		return pid
	}
	h := hostPidOf(r.nsLink, pid)
	if h == 0 {
		r.t.Fatalf("no process with pid %d in kinit's namespace", pid)
	}
	return h
}

// kill sends sig to a service's process, pid as `kinit status` shows it.
func (r *run) kill(pid int, sig unix.Signal) {
	r.t.Helper()
	if err := unix.Kill(r.hostPid(pid), sig); err != nil {
		r.t.Fatalf("cannot send %v to pid %d: %v", sig, pid, err)
	}
}

// waitLog waits for one of kinit's own log messages (slog text,
// source=kinit) and returns its index among stdout's lines. A msg ending in
// "…" matches as a prefix.
func (r *run) waitLog(msg string) int {
	r.t.Helper()
	i := -1
	r.stdout.waitFor(r.t, "log message "+strconv.Quote(msg), func(ls []string) bool {
		i = indexOfLog(ls, msg)
		return i >= 0
	})
	return i
}

// logIndex is the index of kinit's first log message msg, or -1.
func (r *run) logIndex(msg string) int { return indexOfLog(r.stdout.all(), msg) }

func indexOfLog(ls []string, msg string) int {
	prefix, isPrefix := strings.CutSuffix(msg, "…")
	for i, l := range ls {
		m, ok := kinitMsg(l)
		if ok && (m == msg || isPrefix && strings.HasPrefix(m, prefix)) {
			return i
		}
	}
	return -1
}

// kinitMsg extracts msg from one of kinit's slog text lines
// (`time=… level=INFO msg="service \"a\" started" source=kinit …`).
func kinitMsg(line string) (string, bool) {
	if !strings.Contains(line, " source=kinit") {
		return "", false
	}
	_, rest, ok := strings.Cut(line, " msg=")
	if !ok {
		return "", false
	}
	if strings.HasPrefix(rest, `"`) {
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return "", false
		}
		m, err := strconv.Unquote(q)
		return m, err == nil
	}
	m, _, _ := strings.Cut(rest, " ")
	return m, true
}

// lines collects a stream's lines and lets tests wait on them.
type lines struct {
	mu      sync.Mutex
	ls      []string
	changed chan struct{} // closed and replaced on every change
	eof     bool
}

func newLines() *lines { return &lines{changed: make(chan struct{})} }

func (l *lines) read(r interface{ Read([]byte) (int, error) }, wg *sync.WaitGroup) {
	defer wg.Done()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l.mu.Lock()
		l.ls = append(l.ls, sc.Text())
		close(l.changed)
		l.changed = make(chan struct{})
		l.mu.Unlock()
	}
	l.mu.Lock()
	l.eof = true
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

func (l *lines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.ls...)
}

func (l *lines) text() string { return strings.Join(l.all(), "\n") }

// waitFor waits until cond holds on the lines so far.
func (l *lines) waitFor(t *testing.T, what string, cond func([]string) bool) {
	t.Helper()
	timeout := time.After(deadline)
	for {
		l.mu.Lock()
		ls, changed, eof := append([]string(nil), l.ls...), l.changed, l.eof
		l.mu.Unlock()
		if cond(ls) {
			return
		}
		if eof {
			t.Fatalf("output ended before %s", what)
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
