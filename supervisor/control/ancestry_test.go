package control

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// fakeProc writes a proc tree: pid -> ppid, each stat line with a command
// name that holds spaces and parentheses, as a hostile service may choose.
func fakeProc(t *testing.T, parents map[int]int) {
	t.Helper()
	root := t.TempDir()
	for pid, ppid := range parents {
		dir := filepath.Join(root, strconv.Itoa(pid))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		// A comm that imitates the fields: "x) S 1 ..." must not be read as ppid 1.
		stat := fmt.Sprintf("%d (x) S 1 1 1 (%d) S %d %d %d 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 %d 1000 100\n",
			pid, pid, ppid, pid, pid, 5000+pid)
		if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(stat), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := procRoot
	procRoot = root
	t.Cleanup(func() { procRoot = old })
}

func TestLineage(t *testing.T) {
	// 1: kinit as PID 1; 10: a service, 11 its child, 12 a grandchild;
	// 20: an orphan adopted by kinit; 30: `docker exec` (ppid 0), 31 its child.
	fakeProc(t, map[int]int{1: 0, 10: 1, 11: 10, 12: 11, 20: 1, 30: 0, 31: 30})
	for _, c := range []struct {
		pid, self int
		chain     []int
		below     bool
		fails     bool
	}{
		{pid: 12, self: 1, chain: []int{12, 11, 10}, below: true},
		{pid: 10, self: 1, chain: []int{10}, below: true},
		{pid: 20, self: 1, chain: []int{20}, below: true},
		{pid: 31, self: 1, chain: []int{31, 30}},
		{pid: 30, self: 1, chain: []int{30}},
		{pid: 1, self: 1},
		// kinit not PID 1 (a subreaper, tests): pid 10 is kinit.
		{pid: 12, self: 10, chain: []int{12, 11}, below: true},
		{pid: 20, self: 10, chain: []int{20}},
		{pid: 31, self: 10, chain: []int{31, 30}},
		{pid: 10, self: 10},
		// A peer that has gone (or a parent that went mid-walk).
		{pid: 99, self: 1, fails: true},
	} {
		chain, below, err := lineage(c.pid, c.self)
		if (err != nil) != c.fails || below != c.below || !slices.Equal(chain, c.chain) {
			t.Errorf("lineage(%d, %d) = %v, %v, %v; want %v, %v, fails %v", c.pid, c.self, chain, below, err, c.chain, c.below, c.fails)
		}
	}
}

func TestReadStat(t *testing.T) {
	fakeProc(t, map[int]int{7: 3})
	st, err := readStat(7)
	if err != nil || st.ppid != 3 || st.start != 5007 {
		t.Fatalf("readStat = %+v, %v; want ppid 3, start 5007", st, err)
	}
	// The real file of this process.
	procRoot = "/proc"
	st, err = readStat(os.Getpid())
	if err != nil || st.ppid != os.Getppid() || st.start == 0 {
		t.Fatalf("readStat(self) = %+v, %v; want ppid %d", st, err, os.Getppid())
	}
}

func TestLineageLoop(t *testing.T) {
	fakeProc(t, map[int]int{5: 6, 6: 5})
	if _, below, err := lineage(5, 1); err != errTooDeep || below {
		t.Fatalf("a loop in /proc: below %v, err %v", below, err)
	}
}
