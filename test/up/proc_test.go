package up

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/kinit/kinit/internal/testkit"
	"golang.org/x/sys/unix"
)

// The tests trust /proc, not kinit, for what runs: the test's /proc shows
// every process of the machine, including those in kinit's PID namespace.

// proc is one process as /proc shows it to the test.
type proc struct {
	pid, ppid int
	state     byte // R, S, Z, …
	argv      []string
}

func (p proc) String() string {
	return fmt.Sprintf("pid %d (ppid %d, state %c): %s", p.pid, p.ppid, p.state, strings.Join(p.argv, " "))
}

// readProc reads state, parent and argv; ok is false once the process is
// gone.
func readProc(pid int) (proc, bool) {
	st, err := testkit.Stat(pid)
	if err != nil {
		return proc{}, false
	}
	p := proc{pid: pid, ppid: st.PPid, state: st.State}
	if cl, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); err == nil {
		for _, a := range bytes.Split(bytes.TrimRight(cl, "\x00"), []byte{0}) {
			p.argv = append(p.argv, string(a))
		}
	}
	return p, true
}

// pidNS names the PID namespace of pid ("pid:[4026532…]").
func pidNS(pid int) string {
	l, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/ns/pid")
	return l
}

// nsPid is pid's number inside its own (innermost) PID namespace, from the
// NSpid line of /proc/PID/status.
func nsPid(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "NSpid:"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0
			}
			n, _ := strconv.Atoi(f[len(f)-1])
			return n
		}
	}
	return 0
}

// hostPidOf maps pid inside namespace ns to the test's pid, 0 if none.
func hostPidOf(ns string, pid int) int {
	for _, h := range testkit.Pids() {
		if nsPid(h) == pid && pidNS(h) == ns {
			return h
		}
	}
	return 0
}

// inNS lists the processes of PID namespace ns.
func inNS(ns string) []proc {
	var out []proc
	for _, pid := range testkit.Pids() {
		if pidNS(pid) != ns {
			continue
		}
		if p, ok := readProc(pid); ok {
			out = append(out, p)
		}
	}
	return out
}

// marked lists the processes whose environment carries the marker.
func marked(marker string) []proc {
	want := []byte(markerVar + "=" + marker + "\x00")
	var out []proc
	for _, pid := range testkit.Pids() {
		env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
		if err != nil || !bytes.Contains(append(env, 0), want) {
			continue
		}
		if p, ok := readProc(pid); ok {
			out = append(out, p)
		}
	}
	return out
}

// killMarked kills what a test left behind (after a failure): only the
// processes that carry its own marker.
func killMarked(marker string) {
	for _, p := range marked(marker) {
		_ = unix.Kill(p.pid, unix.SIGKILL)
	}
}

// named reports whether p is a testprog run with -name name.
func (p proc) named(name string) bool {
	for i := 0; i+1 < len(p.argv); i++ {
		if p.argv[i] == "-name" && p.argv[i+1] == name {
			return true
		}
	}
	return false
}
