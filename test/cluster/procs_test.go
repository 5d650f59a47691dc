package cluster

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// nsProc is a process of a test host's PID namespace, seen from the
// machine's /proc.
type nsProc struct {
	Pid   int // in the machine's namespace
	NSPid int // inside the host's namespace
	Name  string
	State string
}

// nsProcs lists the processes sharing the PID namespace of pid (a pid in
// the machine's namespace, e.g. a test host's PID 1), keyed by their pid
// inside that namespace. An error means pid is gone, and so is its
// namespace.
func nsProcs(pid int) (map[int]nsProc, error) {
	ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid))
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	out := map[int]nsProc{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", p)); err != nil || l != ns {
			continue
		}
		np, err := readStatus(p)
		if err != nil {
			continue // exited meanwhile
		}
		out[np.NSPid] = np
	}
	return out, nil
}

func readStatus(pid int) (nsProc, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nsProc{}, err
	}
	defer f.Close()
	np := nsProc{Pid: pid}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		v = strings.TrimSpace(v)
		switch k {
		case "Name":
			np.Name = v
		case "State":
			np.State = v
		case "NSpid":
			// The last field is the pid in the innermost namespace.
			f := strings.Fields(v)
			np.NSPid, _ = strconv.Atoi(f[len(f)-1])
		}
	}
	if np.NSPid == 0 {
		return np, fmt.Errorf("no NSpid for %d", pid)
	}
	return np, sc.Err()
}
