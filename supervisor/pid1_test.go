package supervisor_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor/control/client"
	"github.com/kinit/kinit/supervisor/reaper"
	"golang.org/x/sys/unix"
)

// driver is the plandriver (the supervisor wired as `kinit up` wires it)
// running as PID 1 of a new PID namespace, or as a plain child.
type driver struct {
	t      *testing.T
	cmd    *exec.Cmd
	pid1   bool
	socket string
	logs   chan map[string]any // kinit's JSON log records
	out    chan map[string]any // service output records
	done   chan int
	seen   []map[string]any
}

func startDriver(t *testing.T, pid1 bool, plan plan.Plan) *driver {
	t.Helper()
	if pid1 && os.Geteuid() != 0 {
		t.Fatal("PID-1 tests need root for unshare (CI runs as root)")
	}
	dir := t.TempDir()
	b, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	planFile := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(planFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	d := &driver{t: t, pid1: pid1, socket: filepath.Join(dir, "kinit.sock"),
		logs: make(chan map[string]any, 256), out: make(chan map[string]any, 256), done: make(chan int, 1)}
	if pid1 {
		d.cmd = exec.Command("unshare", "--pid", "--fork", "--mount-proc", "--", plandriver, planFile)
	} else {
		d.cmd = exec.Command(plandriver, planFile)
	}
	d.cmd.Env = append(os.Environ(), "KINIT_SOCKET="+d.socket, "KINIT_LOG_FORMAT=json")
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// This test process runs the reaper (for the in-process tests), so the
	// driver is started and waited for through it, never with cmd.Wait.
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	d.cmd.Stdout, d.cmd.Stderr = outW, errW
	exited, err := reaper.Start(d.cmd)
	outW.Close()
	errW.Close()
	if err != nil {
		t.Fatal(err)
	}
	scan := func(r *os.File, ch chan map[string]any, name string) {
		defer r.Close()
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Errorf("%s line is not JSON: %q", name, sc.Text())
				continue
			}
			ch <- m
		}
		close(ch)
	}
	go scan(outR, d.out, "stdout")
	go scan(errR, d.logs, "stderr")
	go func() { d.done <- (<-exited).ExitCode() }()
	t.Cleanup(func() {
		_ = unix.Kill(-d.cmd.Process.Pid, unix.SIGKILL)
		if pid := d.kinitPid(); pid > 0 {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	})
	return d
}

// kinitPid is the supervisor's pid as seen from here.
func (d *driver) kinitPid() int {
	if !d.pid1 {
		return d.cmd.Process.Pid
	}
	return testkit.ChildOf(d.cmd.Process.Pid)
}

// logMsg waits for a kinit log record whose msg contains s.
func (d *driver) logMsg(s string) map[string]any {
	d.t.Helper()
	m, _ := d.logFrom(0, s)
	return m
}

// logFrom waits for a log record at index >= from whose msg contains s.
func (d *driver) logFrom(from int, s string) (map[string]any, int) {
	d.t.Helper()
	match := func(m map[string]any) bool {
		msg, _ := m["msg"].(string)
		return strings.Contains(msg, s)
	}
	for i := from; i < len(d.seen); i++ {
		if match(d.seen[i]) {
			return d.seen[i], i
		}
	}
	timeout := time.After(deadline)
	for {
		select {
		case m, ok := <-d.logs:
			if !ok {
				d.t.Fatalf("kinit's log ended before %q", s)
			}
			d.seen = append(d.seen, m)
			if match(m) {
				return m, len(d.seen) - 1
			}
		case <-timeout:
			d.t.Fatalf("no log %q", s)
		}
	}
}

// outputLines waits until n service output lines contain s.
func (d *driver) outputLines(s string, n int) {
	d.t.Helper()
	timeout := time.After(deadline)
	for n > 0 {
		select {
		case m, ok := <-d.out:
			if !ok {
				d.t.Fatalf("service output ended before %q", s)
			}
			if l, _ := m["line"].(string); strings.Contains(l, s) {
				n--
			}
		case <-timeout:
			d.t.Fatalf("no output %q", s)
		}
	}
}

func (d *driver) signal(sig unix.Signal) {
	d.t.Helper()
	if err := unix.Kill(d.kinitPid(), sig); err != nil {
		d.t.Fatalf("cannot signal kinit: %v", err)
	}
}

func (d *driver) exitCode() int {
	d.t.Helper()
	select {
	case c := <-d.done:
		// Keep what the log said for ordering checks.
		for m := range d.logs {
			d.seen = append(d.seen, m)
		}
		return c
	case <-time.After(deadline):
		d.t.Fatal("kinit did not exit")
	}
	return -1
}

// logIndex is the position of the first seen log record containing s.
func (d *driver) logIndex(s string) int {
	for i, m := range d.seen {
		if msg, _ := m["msg"].(string); strings.Contains(msg, s) {
			return i
		}
	}
	return -1
}

// The end-to-end case, as PID 1 and as a plain child: A ← B ← C
// start in order and are all ready; `kill -9` of B is restarted and
// counted; a service's orphans are reaped; SIGTERM stops C, B, A in that
// order and kinit exits 0.
func TestPID1ChainRestartOrphansStop(t *testing.T) {
	for _, pid1 := range []bool{true, false} {
		t.Run(map[bool]string{true: "pid1", false: "child"}[pid1], func(t *testing.T) {
			a, b, c := listening(t, svc("a")), listening(t, svc("b")), listening(t, svc("c"))
			b.Waits, c.Waits = localWaits("a"), localWaits("b")
			forker := svc("forker", "-orphans", "3", "-orphan-sleep", "100ms", "-exit-after", "0s")
			forker.Restart.Policy = plan.PolicyNever
			plan := plan.Plan{Node: plan.NodeInfo{Role: "broker", ID: 1}, Services: []plan.Service{a, b, c, forker}}
			d := startDriver(t, pid1, plan)

			d.outputLines("exiting with code 0", 4) // forker and its three orphans
			d.logMsg(`service "c" ready`)
			kinit := d.kinitPid()
			testkit.Eventually(t, "the orphans were reaped", func() bool { return len(testkit.Zombies(kinit)) == 0 })

			cl := client.New(d.socket)
			ctx := context.Background()
			st, err := cl.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if pid1 && st.Kinit.Pid != 1 {
				t.Fatalf("kinit reports pid %d, want 1", st.Kinit.Pid)
			}
			var bPid int
			for _, s := range st.Services {
				if s.ID == "b" {
					bPid = s.Pid
				}
			}
			// Pids in the status are the namespace's; find b from here.
			bHost := bPid
			if pid1 {
				bHost = hostPidOf(t, kinit, bPid)
			}
			if err := unix.Kill(bHost, unix.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_, i := d.logFrom(0, `service "b" killed by signal 9`)
			m, i := d.logFrom(i, `service "b" started`)
			if m["restarts"] != float64(1) {
				t.Fatalf("restarted b logs restarts=%v", m["restarts"])
			}
			d.logFrom(i, `service "b" ready`)
			st, err = cl.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range st.Services {
				if s.ID == "b" && (s.Restarts != 1 || s.LastExit == nil || s.LastExit.Signal != "SIGKILL" || !s.Ready) {
					t.Fatalf("b after kill -9: %+v", s)
				}
			}

			d.signal(unix.SIGTERM)
			if code := d.exitCode(); code != 0 {
				t.Fatalf("exit code %d, want 0", code)
			}
			ic, ib, ia := d.logIndex(`stopping service "c"`), d.logIndex(`stopping service "b"`), d.logIndex(`stopping service "a"`)
			if ic < 0 || ib < ic || ia < ib {
				t.Fatalf("stop order in the log: c #%d, b #%d, a #%d", ic, ib, ia)
			}
			if _, err := os.Stat(d.socket); !os.IsNotExist(err) {
				t.Fatalf("socket left behind: %v", err)
			}
		})
	}
}

// A second SIGTERM skips the remaining grace and kills; kinit exits 1.
func TestPID1DoubleSIGTERM(t *testing.T) {
	stubborn := listening(t, svc("stubborn", "-ignore-term"))
	stubborn.Grace = time.Hour
	d := startDriver(t, true, plan.Plan{Services: []plan.Service{stubborn}, StopTimeout: 2 * time.Hour})
	d.logMsg(`service "stubborn" ready`)
	d.signal(unix.SIGTERM)
	d.outputLines("ignoring SIGTERM", 1)
	d.signal(unix.SIGTERM)
	d.logMsg("second stop request")
	if code := d.exitCode(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
}

// hostPidOf maps a pid of kinit's namespace to the host's, through NSpid.
func hostPidOf(t *testing.T, kinit, nsPid int) int {
	t.Helper()
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/status")
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "NSpid:"); ok {
				f := strings.Fields(v)
				if len(f) == 2 && f[1] == strconv.Itoa(nsPid) && isDescendant(pid, kinit) {
					return pid
				}
			}
		}
	}
	t.Fatalf("no host pid for namespace pid %d", nsPid)
	return 0
}

func isDescendant(pid, ancestor int) bool {
	for pid > 1 {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return false
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		pid, _ = strconv.Atoi(f[1])
		if pid == ancestor {
			return true
		}
	}
	return false
}
