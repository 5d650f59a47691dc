package up

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/kinit/kinit/supervisor/control/client"
	"golang.org/x/sys/unix"
)

// TestServicesCannotControl runs kinit as PID 1 and as uid 1000, with its
// services as the same uid (the image's arrangement, where SO_PEERCRED's
// uid admits every service). A service (testdata/boundary's ctl) runs
// `kinit stop b`, `kinit signal b KILL` and, from an orphan kinit adopted,
// `kinit stop b` again: all refused, saying why, and b keeps running; its
// `kinit status` works. The operator, as the same uid, stops b from
// outside the pid namespace and starts it again from inside it, entered
// the way `docker exec` enters (nsenter: parent pid 0 in the namespace).
func TestServicesCannotControl(t *testing.T) {
	t.Parallel()
	n := newNode(t, "boundary/kinit.toml").withPorts("b").asImageUser()
	reports := filepath.Join(n.dir, "reports")
	if err := os.Mkdir(reports, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(reports, imageUID, imageUID); err != nil {
		t.Fatal(err)
	}
	n.env["KINIT_KINIT_BIN"] = kinitBin
	n.env["KINIT_SOCKET_PATH"] = n.socket
	n.env["KINIT_REPORT_DIR"] = reports
	r := n.start(asPID1)

	before := n.waitStatus("b and ctl ready", allReady())
	if st := readStatusFields(t, "/proc/"+strconv.Itoa(r.pid)+"/status"); !strings.HasPrefix(st["Uid"], strconv.Itoa(imageUID)+"\t") {
		t.Fatalf("kinit runs as Uid %q, want %d", st["Uid"], imageUID)
	}
	waitUntil(t, "ctl's reports", func() bool {
		_, err := os.Stat(filepath.Join(reports, "done"))
		return err == nil || r.exited()
	})
	report := func(name string) (int, string) {
		code, err := os.ReadFile(filepath.Join(reports, name+".code"))
		if err != nil {
			t.Fatal(err)
		}
		out, _ := os.ReadFile(filepath.Join(reports, name+".out"))
		c, _ := strconv.Atoi(strings.TrimSpace(string(code)))
		return c, string(out)
	}
	for _, c := range []struct{ name, who string }{
		{"stop", `(service "ctl")`},
		{"signal", `(service "ctl")`},
		{"orphan", "(a process kinit started or adopted)"},
	} {
		code, out := report(c.name)
		if code != 1 || !strings.Contains(out, "permission denied: pid ") ||
			!strings.Contains(out, "is a process kinit supervises "+c.who) {
			t.Errorf("%s from a service: exit %d, %q; want 1, refused as a process kinit supervises %s", c.name, code, out, c.who)
		}
	}
	if code, out := report("status"); code != 0 || !strings.Contains(out, "ctl") {
		t.Errorf("kinit status from a service: exit %d, %q; want 0 and the table", code, out)
	}
	after := n.status()
	samePids(t, before, after, "b")
	if i := r.logIndex("control socket: refused a peer"); i < 0 {
		t.Error("kinit did not log the refused attempts")
	}

	// The operator, as kinit's uid: from outside kinit's pid namespace
	// (SO_PEERCRED shows it as pid 0) and from inside it, entered as
	// `docker exec` enters.
	res := n.cliAs(nil, "stop", "b")
	if res.code != 0 {
		t.Fatalf("operator's kinit stop b: exit %d, %q", res.code, res.stderr)
	}
	n.waitStatus("b stopped", func(st *client.Status) bool { return svc(st, "b").State == "stopped" })
	res = n.cliAs([]string{"nsenter", "--target", strconv.Itoa(r.pid), "--pid",
		"--setuid", strconv.Itoa(imageUID), "--setgid", strconv.Itoa(imageUID), "--"}, "start", "b")
	if res.code != 0 {
		t.Fatalf("operator's kinit start b through nsenter: exit %d, %q", res.code, res.stderr)
	}
	n.waitStatus("b back", func(st *client.Status) bool {
		b := svc(st, "b")
		return b.State == "ready" && b.Pid != svc(before, "b").Pid
	})
}

// cliAs runs the kinit CLI as the image's uid, through wrap when set
// (nsenter), else straight from the test (outside kinit's pid namespace).
func (n *node) cliAs(wrap []string, args ...string) result {
	n.t.Helper()
	cmd := n.cliCmd(append(append(append([]string{}, wrap...), kinitBin), args...)...)
	if wrap == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: imageUID, Gid: imageUID}}
	}
	return n.runCLI(cmd)
}

// TestIdleClientsCannotStarveRestarts: kinit with 64 descriptors (hard
// limit, so Go cannot raise it) and 80 idle connections to its socket,
// each with a request sent and its answer never read. A service killed
// meanwhile is restarted and gets ready (connections beyond the limit wait
// in the kernel's backlog, not in kinit's descriptors), and `kinit status`
// answers once the test lets go of its connections.
func TestIdleClientsCannotStarveRestarts(t *testing.T) {
	t.Parallel()
	n := newNode(t, "abc/kinit.toml").withPorts("a", "b", "c")
	n.wrap = []string{"prlimit", "--nofile=64:64", "--"}
	r := n.start(asPID1)
	before := n.waitStatus("all ready", allReady())
	old := svc(before, "b").Pid

	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 80 {
		c, err := net.Dial("unix", n.socket)
		if err != nil {
			t.Fatalf("connection %d: %v", len(conns)+1, err)
		}
		conns = append(conns, c)
		if _, err := io.WriteString(c, "GET /v1/status HTTP/1.1\r\nHost: kinit\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
	}

	from := len(r.stdout.all())
	r.kill(old, unix.SIGKILL)
	r.stdout.waitFor(t, `b ready again`, func(ls []string) bool {
		for _, l := range ls[min(from, len(ls)):] {
			if m, ok := kinitMsg(l); ok && m == `service "b" ready` {
				return true
			}
			if m, ok := kinitMsg(l); ok && strings.HasPrefix(m, `service "b" cannot start`) {
				t.Fatalf("b's restart failed: %s", m)
			}
		}
		return false
	})
	// The clients beyond the limit wait in the backlog, not in kinit: it
	// still has descriptors to spare (without the limit it holds all 64).
	if fds := openFDs(t, r.hostPid(1)); fds >= 64 {
		t.Errorf("kinit holds %d descriptors with 80 clients connected: all it may have", fds)
	}
	for _, c := range conns {
		c.Close()
	}
	conns = nil
	n.waitStatus("b ready with a new pid", func(st *client.Status) bool {
		b := svc(st, "b")
		return b.State == "ready" && b.Pid != old && b.Pid != 0
	})
}

func openFDs(t *testing.T, pid int) int {
	t.Helper()
	es, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}
