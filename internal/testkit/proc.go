package testkit

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Proc is one process as /proc/PID/stat shows it. Tests trust /proc, not
// kinit's word, for what runs and what is left as a zombie.
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

// ChildOf is the first child of ppid /proc lists, or 0.
func ChildOf(ppid int) int {
	for _, pid := range Pids() {
		if p, err := Stat(pid); err == nil && p.PPid == ppid {
			return pid
		}
	}
	return 0
}

// Zombies lists the zombies whose parent is ppid; with ppid < 0, every
// zombie /proc shows (with --mount-proc, those of a PID namespace).
func Zombies(ppid int) []int {
	var out []int
	for _, pid := range Pids() {
		if p, err := Stat(pid); err == nil && p.State == 'Z' && (ppid < 0 || p.PPid == ppid) {
			out = append(out, pid)
		}
	}
	return out
}
