package reaper_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kinit/kinit/supervisor/reaper"
)

// The test binary doubles as the helper process (os/exec's helper pattern):
// with helperEnv set it runs one of the helper modes instead of the tests.
const helperEnv = "KINIT_REAPER_HELPER"

// deadline only keeps a broken reaper from hanging the suite; no test
// asserts on how long anything takes.
const deadline = 60 * time.Second

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helper(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

func helper(mode string, args []string) int {
	switch mode {
	case "exit":
		n, _ := strconv.Atoi(args[0])
		return n
	case "kill":
		n, _ := strconv.Atoi(args[0])
		_ = unix.Kill(os.Getpid(), unix.Signal(n))
		time.Sleep(time.Hour) // the signal ends the process first
	case "orphan":
		// Start a grandchild that blocks on a pipe only this process
		// writes to, report its pid, and exit: the grandchild becomes an
		// orphan, sees EOF and exits with code 5.
		r, w, err := os.Pipe()
		if err != nil {
			return 100
		}
		gc := helperCmd("wait-eof")
		gc.Stdin = r
		if err := gc.Start(); err != nil {
			return 101
		}
		fmt.Println(gc.Process.Pid)
		_ = w // held open until this process exits
		return 0
	case "orphans":
		// The burst variant: n grandchildren (shells, cheaper than this
		// binary) read one pipe, so they all see EOF, and exit 5,
		// together when this process exits.
		n, _ := strconv.Atoi(args[0])
		r, w, err := os.Pipe()
		if err != nil {
			return 100
		}
		for range n {
			gc := exec.Command("/bin/sh", "-c", "read -r x; exit 5")
			gc.Stdin = r
			if err := gc.Start(); err != nil {
				return 101
			}
			fmt.Println(gc.Process.Pid)
		}
		_ = w
		return 0
	case "orphans-on-stdin":
		// n grandchildren that read this process's stdin and exit 5 at
		// its EOF: they outlive it for as long as the test keeps the
		// pipe's write end.
		n, _ := strconv.Atoi(args[0])
		for range n {
			gc := exec.Command("/bin/sh", "-c", "read -r x; exit 5")
			gc.Stdin = os.Stdin
			if err := gc.Start(); err != nil {
				return 101
			}
			fmt.Println(gc.Process.Pid)
		}
		return 0
	case "orphan-chain":
		// n grandchildren that exit newest first, the order in which
		// every wait4(-1) walks past all the live ones: each reads its
		// own pipe, whose only writer is the next one, so one exit
		// starts the previous one's. Every tenth is killed by SIGKILL.
		n, _ := strconv.Atoi(args[0])
		var prevW *os.File // write end of the previous one's pipe
		for i := range n {
			r, w, err := os.Pipe()
			if err != nil {
				return 100
			}
			script, kind := "read -r x; exit 5", "exit"
			if i%10 == 9 {
				script, kind = "read -r x; kill -KILL $$", "kill"
			}
			gc := exec.Command("/bin/sh", "-c", script)
			gc.Stdin = r
			if prevW != nil {
				gc.ExtraFiles = []*os.File{prevW}
			}
			if err := gc.Start(); err != nil {
				return 101
			}
			r.Close()
			if prevW != nil {
				prevW.Close()
			}
			prevW = w
			fmt.Println(gc.Process.Pid, kind)
		}
		_ = prevW // the newest one's writer, held until this process exits
		return 0
	case "wait-eof":
		_, _ = bufio.NewReader(os.Stdin).ReadByte()
		return 5
	}
	return 99
}

func helperCmd(mode string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	// GORACE: the race runtime otherwise sleeps 1s before a clean exit.
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, "GORACE=atexit_sleep_ms=0")
	return cmd
}

// running starts the reaper for one test and stops it afterwards.
func running(t *testing.T, orphan func(reaper.Status)) {
	t.Helper()
	if err := reaper.Run(orphan); err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(reaper.Shutdown)
}

func await(t *testing.T, ch <-chan reaper.Status) reaper.Status {
	t.Helper()
	select {
	case st := <-ch:
		return st
	case <-time.After(deadline):
		t.Fatal("no status from the reaper")
	}
	return reaper.Status{}
}

func TestStatus(t *testing.T) {
	running(t, nil)
	tests := []struct {
		name     string
		cmd      *exec.Cmd
		code     int
		signaled unix.Signal
		text     string
	}{
		{"exit 0", helperCmd("exit", "0"), 0, 0, "exited with code 0"},
		{"exit 1", helperCmd("exit", "1"), 1, 0, "exited with code 1"},
		{"exit 7", helperCmd("exit", "7"), 7, 0, "exited with code 7"},
		{"exit 255", helperCmd("exit", "255"), 255, 0, "exited with code 255"},
		{"SIGKILL", helperCmd("kill", "9"), 137, unix.SIGKILL, "killed by signal 9 (SIGKILL)"},
		{"SIGTERM", helperCmd("kill", "15"), 143, unix.SIGTERM, "killed by signal 15 (SIGTERM)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := reaper.Start(tt.cmd)
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			pid := tt.cmd.Process.Pid
			st := await(t, ch)
			if st.Pid != pid {
				t.Errorf("Status.Pid = %d, cmd.Process.Pid = %d", st.Pid, pid)
			}
			if got := st.ExitCode(); got != tt.code {
				t.Errorf("ExitCode() = %d, want %d", got, tt.code)
			}
			if got := st.Signaled(); got != tt.signaled {
				t.Errorf("Signaled() = %v, want %v", got, tt.signaled)
			}
			if got := st.String(); got != tt.text {
				t.Errorf("String() = %q, want %q", got, tt.text)
			}
		})
	}
}

// The supervisor signals a service's group by the pid it got from Start, so
// the pid must survive Start and the process must still be signallable.
func TestStartKeepsProcessUsable(t *testing.T) {
	running(t, nil)
	cmd := helperCmd("wait-eof")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	cmd.Stdin = r
	ch, err := reaper.Start(cmd)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if cmd.Process.Pid <= 0 {
		t.Fatalf("cmd.Process.Pid = %d after Start", cmd.Process.Pid)
	}
	if err := cmd.Process.Signal(unix.SIGKILL); err != nil {
		t.Fatalf("Signal: %v", err)
	}
	st := await(t, ch)
	if st.Pid != cmd.Process.Pid || st.Signaled() != unix.SIGKILL {
		t.Fatalf("got %+v (%v), want pid %d killed by SIGKILL", st.Pid, st, cmd.Process.Pid)
	}
	if err := cmd.Process.Signal(unix.SIGKILL); !errors.Is(err, os.ErrProcessDone) {
		t.Fatalf("Signal after reap = %v, want os.ErrProcessDone", err)
	}
}

// Many processes that exit as soon as they start: each status must reach the
// caller that started the pid, exactly once, and none may pass for an orphan.
func TestConcurrentStartsFastExits(t *testing.T) {
	var mu sync.Mutex
	var orphans []int
	running(t, func(st reaper.Status) {
		mu.Lock()
		orphans = append(orphans, st.Pid)
		mu.Unlock()
	})
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			code := i % 256
			cmd := helperCmd("exit", strconv.Itoa(code))
			ch, err := reaper.Start(cmd)
			if err != nil {
				errs <- err
				return
			}
			select {
			case st := <-ch:
				if st.ExitCode() != code || st.Pid != cmd.Process.Pid {
					errs <- fmt.Errorf("helper %d: got pid %d %v, want pid %d code %d", i, st.Pid, st, cmd.Process.Pid, code)
				}
			case <-time.After(deadline):
				errs <- fmt.Errorf("helper %d: no status", i)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := reaper.Registered(); n != 0 {
		t.Errorf("Registered() = %d after every status arrived", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(orphans) != 0 {
		t.Errorf("started processes reported as orphans: %v", orphans)
	}
}

// When the test process is not PID 1, Run makes it a child subreaper: a
// grandchild whose parent died is re-parented here and reaped as an orphan.
func TestOrphanIsReaped(t *testing.T) {
	if os.Getpid() == 1 {
		t.Fatal("this test needs the test process not to be PID 1")
	}
	orphans := make(chan reaper.Status, 16)
	running(t, func(st reaper.Status) { orphans <- st })

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := helperCmd("orphan")
	cmd.Stdout = w
	ch, err := reaper.Start(cmd)
	w.Close()
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("cannot read the grandchild's pid: %v", err)
	}
	gpid, err := strconv.Atoi(string(bytes.TrimSpace([]byte(line))))
	if err != nil {
		t.Fatalf("bad pid line %q", line)
	}
	if st := await(t, ch); st.ExitCode() != 0 {
		t.Fatalf("orphan maker %v", st)
	}
	timeout := time.After(deadline)
	for {
		select {
		case st := <-orphans:
			if st.Pid != gpid {
				continue // an unrelated orphan from an earlier test
			}
			if st.ExitCode() != 5 {
				t.Fatalf("orphan %d %v, want exit code 5", gpid, st)
			}
			return
		case <-timeout:
			t.Fatalf("orphan %d was not reaped", gpid)
		}
	}
}

func TestStartRejectsNonFileStdio(t *testing.T) {
	running(t, nil)
	cmd := helperCmd("exit", "0")
	cmd.Stdout = &bytes.Buffer{}
	if _, err := reaper.Start(cmd); err == nil {
		t.Fatal("Start accepted a bytes.Buffer as stdout")
	}
	if cmd.Process != nil {
		t.Fatal("the process was started anyway")
	}
}

func TestLifecycle(t *testing.T) {
	if _, err := reaper.Start(helperCmd("exit", "0")); !errors.Is(err, reaper.ErrNotStarted) {
		t.Fatalf("Start before Run = %v, want ErrNotStarted", err)
	}
	running(t, nil)
	if err := reaper.Run(nil); err == nil {
		t.Fatal("second Run succeeded")
	}
	reaper.Shutdown()
	reaper.Shutdown() // a second Shutdown is harmless
	running(t, nil)   // and the reaper can run again
	ch, err := reaper.Start(helperCmd("exit", "3"))
	if err != nil {
		t.Fatalf("Start after restart: %v", err)
	}
	if st := await(t, ch); st.ExitCode() != 3 {
		t.Fatalf("got %v, want exit code 3", st)
	}
}

// A burst of orphans exiting together is reaped in batches (burstPause):
// every one of them must still reach the orphan callback with its own
// status, and a registered child exiting amid them must reach its Start.
func TestBurstOfOrphansIsReaped(t *testing.T) {
	if os.Getpid() == 1 {
		t.Fatal("this test needs the test process not to be PID 1")
	}
	const n = 200
	orphans := make(chan reaper.Status, 2*n)
	running(t, func(st reaper.Status) { orphans <- st })

	ch, want := orphanMaker(t, "orphans", n)
	// Amid the burst, a child of ours with its own exit code.
	mine, err := reaper.Start(helperCmd("exit", "7"))
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if st := await(t, mine); st.ExitCode() != 7 {
		t.Fatalf("registered child amid the burst: %v, want exit code 7", st)
	}
	awaitOrphans(t, ch, orphans, want, func(st reaper.Status, _ string) bool { return st.ExitCode() == 5 })
}

// awaitOrphans waits for the orphan maker to exit 0 and for every orphan
// in want (pid → the helper's line) to be reaped with a status ok accepts,
// then checks that no zombie is left.
func awaitOrphans(t *testing.T, maker <-chan reaper.Status, orphans <-chan reaper.Status, want map[int]string, ok func(reaper.Status, string) bool) {
	t.Helper()
	if st := await(t, maker); st.ExitCode() != 0 {
		t.Fatalf("orphan maker %v", st)
	}
	n := len(want)
	timeout := time.After(deadline)
	for len(want) > 0 {
		select {
		case st := <-orphans:
			line, mine := want[st.Pid]
			if !mine {
				continue // an unrelated orphan from an earlier test
			}
			if !ok(st, line) {
				t.Fatalf("orphan %d (%q) %v", st.Pid, line, st)
			}
			delete(want, st.Pid)
		case <-timeout:
			t.Fatalf("%d of %d orphans were not reaped", len(want), n)
		}
	}
	if z := zombiesOf(os.Getpid()); z != 0 {
		t.Fatalf("%d zombie children left", z)
	}
}

// zombiesOf counts pid's children in state Z.
func zombiesOf(pid int) int {
	ents, _ := os.ReadDir("/proc")
	z := 0
	for _, e := range ents {
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) S ppid …: comm may hold spaces, so cut at the last ')'.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		var state byte
		var ppid int
		if _, err := fmt.Sscanf(string(b[i+2:]), "%c %d", &state, &ppid); err == nil && ppid == pid && state == 'Z' {
			z++
		}
	}
	return z
}

// orphanMaker starts the helper mode that leaves n grandchildren, and
// returns its status channel and, per grandchild's pid, the rest of the
// line the helper printed for it.
func orphanMaker(t *testing.T, mode string, n int) (<-chan reaper.Status, map[int]string) {
	t.Helper()
	return orphanMakerWith(t, mode, n, nil)
}

// orphanMakerWith is orphanMaker with the helper's stdin.
func orphanMakerWith(t *testing.T, mode string, n int, stdin *os.File) (<-chan reaper.Status, map[int]string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := helperCmd(mode, strconv.Itoa(n))
	cmd.Stdout = w
	if stdin != nil {
		cmd.Stdin = stdin
	}
	ch, err := reaper.Start(cmd)
	w.Close()
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	lines := map[int]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		pid, rest, _ := strings.Cut(sc.Text(), " ")
		p, err := strconv.Atoi(pid)
		if err != nil {
			t.Fatalf("bad pid line %q", sc.Text())
		}
		lines[p] = rest
	}
	if len(lines) != n {
		t.Fatalf("the helper started %d grandchildren, want %d", len(lines), n)
	}
	return ch, lines
}
