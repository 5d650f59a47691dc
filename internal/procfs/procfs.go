// Package procfs reads the little of /proc that the supervisor's end-of-stop
// sweep and the tests need: which processes exist, their parent and state,
// and whether one carries a variable in its environment.
package procfs

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Proc is one process as /proc/PID/stat shows it.
type Proc struct {
	Pid, PPid int
	State     byte // R, S, Z, …
}

// Pids lists the numeric entries of /proc.
func Pids() []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// Stat reads state and parent of pid. The command name may hold spaces and
// parentheses, so fields are counted from the last ')'.
func Stat(pid int) (Proc, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return Proc{}, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return Proc{}, fmt.Errorf("bad stat for %d", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 || f[0] == "" {
		return Proc{}, fmt.Errorf("bad stat for %d", pid)
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return Proc{}, fmt.Errorf("bad stat for %d", pid)
	}
	return Proc{Pid: pid, PPid: ppid, State: f[0][0]}, nil
}

// HasEnv reports whether pid's environment holds the entry kv ("K=V"), as
// it was at exec. Reading another user's environment needs root.
func HasEnv(pid int, kv string) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false
	}
	for _, e := range bytes.Split(b, []byte{0}) {
		if string(e) == kv {
			return true
		}
	}
	return false
}

// Descendants lists the live (not zombie) processes whose chain of parents
// leads to root, root excluded.
func Descendants(root int) []int {
	parent := map[int]int{}
	var live []int
	for _, pid := range Pids() {
		p, err := Stat(pid)
		if err != nil {
			continue
		}
		parent[pid] = p.PPid
		if p.State != 'Z' && pid != root {
			live = append(live, pid)
		}
	}
	var out []int
	for _, pid := range live {
		for p, n := parent[pid], 0; p > 0 && n < 4096; p, n = parent[p], n+1 {
			if p == root {
				out = append(out, pid)
				break
			}
		}
	}
	return out
}
