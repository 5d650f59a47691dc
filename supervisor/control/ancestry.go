package control

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// procRoot is the proc filesystem ancestries are read from; tests point it
// at a fake tree.
var procRoot = "/proc"

// procStat is what an ancestry needs of /proc/PID/stat.
type procStat struct {
	ppid int
	// start is the process's start time (clock ticks after boot): it
	// tells a process from a later one that was given the same pid.
	start uint64
}

func readStat(pid int) (procStat, error) {
	path := filepath.Join(procRoot, strconv.Itoa(pid), "stat")
	b, err := os.ReadFile(path)
	if err != nil {
		return procStat{}, err
	}
	// The command name, in parentheses, may hold spaces and parentheses:
	// count fields from the last ')'. Then f[0] is field 3 of proc(5)
	// (state), f[1] field 4 (ppid), f[19] field 22 (starttime).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("cannot parse %s", path)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return procStat{}, fmt.Errorf("cannot parse %s", path)
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return procStat{}, fmt.Errorf("cannot parse %s: %w", path, err)
	}
	start, err := strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("cannot parse %s: %w", path, err)
	}
	return procStat{ppid: ppid, start: start}, nil
}

// maxDepth bounds a walk should /proc ever show a loop.
const maxDepth = 4096

// errTooDeep means a walk gave up after maxDepth parents.
var errTooDeep = errors.New("ancestry deeper than 4096 processes")

// lineage walks from pid up through its parents. below is true when self
// is among them: pid is then a process self started, or one that self
// adopted as PID 1 or child subreaper (every orphan below it is
// reparented to it). chain is pid and its ancestors below self, nearest
// first. A walk that reaches pid 1 (when self is not PID 1) or a parent
// outside the pid namespace (ppid 0: PID 1 itself, or a process that
// entered the namespace from outside, as `docker exec` and `kubectl exec`
// do) is not below self. pid == self is self, not below it.
func lineage(pid, self int) (chain []int, below bool, err error) {
	cur := pid
	for range maxDepth {
		switch {
		case cur == self:
			return chain, len(chain) > 0, nil
		case cur <= 1:
			return chain, false, nil
		}
		st, err := readStat(cur)
		if err != nil {
			return chain, false, fmt.Errorf("cannot read the parent of pid %d: %w", cur, err)
		}
		chain = append(chain, cur)
		cur = st.ppid
	}
	return chain, false, errTooDeep
}
