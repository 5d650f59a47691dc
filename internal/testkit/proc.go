package testkit

import "github.com/kinit/kinit/internal/procfs"

// Proc is one process as /proc/PID/stat shows it. Tests trust /proc, not
// kinit's word, for what runs and what is left as a zombie.
type Proc = procfs.Proc

// Pids lists the numeric entries of /proc.
func Pids() []int { return procfs.Pids() }

// Stat reads state and parent of pid.
func Stat(pid int) (Proc, error) { return procfs.Stat(pid) }

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
