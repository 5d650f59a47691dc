package pid1

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	"golang.org/x/sys/unix"
)

// notForwarded is the contract (what tini and dumb-init keep back), kept
// apart from kinit's own rule so the test checks the promise rather than the
// implementation: the synchronous signals, SIGCHLD, the terminal job-control
// pair, and the Go runtime's SIGURG and SIGPROF (SIGPROF is a gap against
// tini: os/signal never delivers it). Every other signal of allSignals must
// reach the child.
var notForwarded = []unix.Signal{
	unix.SIGFPE, unix.SIGILL, unix.SIGSEGV, unix.SIGBUS, unix.SIGABRT, unix.SIGTRAP, unix.SIGSYS,
	unix.SIGCHLD, unix.SIGTTIN, unix.SIGTTOU, unix.SIGURG, unix.SIGPROF,
}

// allSignals is 1..64 but SIGKILL and SIGSTOP (they end or stop kinit) and
// 32..34: no Go program can catch those (the C libraries' own; the runtime
// leaves them at their default, so one sent from outside the namespace ends
// kinit, as 32 and 33 end tini).
func allSignals() []unix.Signal {
	var out []unix.Signal
	for s := unix.Signal(1); s <= 64; s++ {
		if s != unix.SIGKILL && s != unix.SIGSTOP && (s < 32 || s > 34) {
			out = append(out, s)
		}
	}
	return out
}

// helper runs this binary as one of the processes kinit supervises.
func helper(mode string, args []string) int {
	// If kinit dies without killing us (a failed test), do not linger.
	_ = unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0)
	arg := func() int {
		n, err := strconv.Atoi(args[0])
		if err != nil {
			panic(err)
		}
		return n
	}
	switch mode {
	case "exit":
		return arg()
	case "kill":
		_ = unix.Kill(os.Getpid(), unix.Signal(arg()))
		time.Sleep(time.Hour) // the signal ends the process first
	case "ignore-term":
		signal.Ignore(unix.SIGTERM)
		fmt.Println("ready")
		time.Sleep(time.Hour)
	case "orphans":
		return checkOrphans(arg())
	}
	fmt.Fprintf(os.Stderr, "unknown helper mode %q\n", mode)
	return 99
}

// checkOrphans is kinit's child. It runs testdata/orphans.sh, which leaves n
// orphaned subshells behind, checks that they were re-parented to kinit, lets
// them all exit at once and then reads /proc until none of them is left
// under kinit, alive or zombie. As PID 1 it also requires that no zombie at
// all is left in the namespace. It trusts /proc, not kinit.
func checkOrphans(n int) int {
	fail := func(format string, a ...any) int {
		fmt.Printf("FAIL: "+format+"\n", a...)
		return 1
	}
	kinitPid := os.Getppid()
	if want := os.Getenv("KINIT_PID1_EXPECT") == "pid1"; want != (kinitPid == 1) {
		return fail("kinit has pid %d in mode %s", kinitPid, os.Getenv("KINIT_PID1_EXPECT"))
	}
	release, hold, err := os.Pipe()
	if err != nil {
		return fail("%v", err)
	}
	pidr, pidw, err := os.Pipe()
	if err != nil {
		return fail("%v", err)
	}
	maker := exec.Command("/bin/sh", "testdata/orphans.sh", strconv.Itoa(n))
	maker.ExtraFiles = []*os.File{release} // fd 3
	maker.Stdout = pidw
	maker.Stderr = os.Stderr
	if err := maker.Start(); err != nil {
		return fail("cannot start orphans.sh: %v", err)
	}
	release.Close()
	pidw.Close()
	var pids []int
	sc := bufio.NewScanner(pidr)
	for len(pids) < n && sc.Scan() {
		pid, err := strconv.Atoi(sc.Text())
		if err != nil {
			return fail("bad pid line %q", sc.Text())
		}
		pids = append(pids, pid)
	}
	if err := maker.Wait(); err != nil {
		return fail("orphans.sh: %v", err)
	}
	if len(pids) != n {
		return fail("orphans.sh started %d subshells, want %d", len(pids), n)
	}
	for _, pid := range pids {
		st, err := testkit.Stat(pid)
		if err != nil || st.PPid != kinitPid {
			return fail("orphan %d has parent %d (%v), want kinit %d", pid, st.PPid, err, kinitPid)
		}
	}

	hold.Close() // every orphan reads EOF and exits

	var left []int
	for started := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		left = left[:0]
		for _, pid := range pids {
			if st, err := testkit.Stat(pid); err == nil && st.PPid == kinitPid {
				left = append(left, pid)
			}
		}
		if len(left) == 0 || time.Since(started) > deadline/2 {
			break
		}
	}
	if len(left) > 0 {
		zombies := 0
		for _, pid := range left {
			if st, err := testkit.Stat(pid); err == nil && st.State == 'Z' {
				zombies++
			}
		}
		return fail("%d of %d orphans still under kinit (%d zombies), e.g. pid %d", len(left), n, zombies, left[0])
	}
	if kinitPid == 1 {
		if z := testkit.Zombies(-1); len(z) > 0 {
			return fail("zombies left in the namespace: %v", z)
		}
	}
	fmt.Printf("reaped %d orphans\n", n)
	return 0
}
