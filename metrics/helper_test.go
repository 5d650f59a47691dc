package metrics

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The test binary doubles as the sampled processes (the os/exec helper
// pattern): KINIT_METRICS_HELPER=tree runs a parent with two leaf children,
// driven by line commands on stdin.
func TestMain(m *testing.M) {
	switch os.Getenv("KINIT_METRICS_HELPER") {
	case "tree":
		helperTree()
		os.Exit(0)
	case "leaf":
		helperLeaf()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// cpuTime is the calling process's CPU time, all threads.
func cpuTime() time.Duration {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// burn spins until this process has used d more CPU time and returns what
// it used.
func burn(d time.Duration) time.Duration {
	start := cpuTime()
	x := uint64(1)
	for cpuTime()-start < d {
		for i := 0; i < 100000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	if x == 42 {
		fmt.Fprintln(os.Stderr, x)
	}
	return cpuTime() - start
}

func helperLeaf() {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "burn" {
			ms, _ := strconv.Atoi(f[1])
			fmt.Printf("burned %d\n", burn(time.Duration(ms)*time.Millisecond))
		}
	}
}

func helperTree() {
	type child struct {
		cmd *exec.Cmd
		in  io.WriteCloser
		out *bufio.Scanner
	}
	var kids []child
	for i := 0; i < 2; i++ {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "KINIT_METRICS_HELPER=leaf")
		in, err := cmd.StdinPipe()
		if err != nil {
			panic(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			panic(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			panic(err)
		}
		kids = append(kids, child{cmd, in, bufio.NewScanner(out)})
	}
	fmt.Printf("pids %d %d %d\n", os.Getpid(), kids[0].cmd.Process.Pid, kids[1].cmd.Process.Pid)
	var keep [][]byte
	var files []*os.File
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		n, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "alloc": // n MiB, resident before the answer
			// mmap outside the Go heap: the race detector neither
			// instruments nor shadows it, so RSS grows by exactly this.
			b, err := unix.Mmap(-1, 0, n<<20, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_POPULATE)
			if err != nil {
				panic(err)
			}
			for i := 0; i < len(b); i += 4096 {
				b[i] = 1
			}
			keep = append(keep, b)
			fmt.Println("ok")
		case "fds":
			for i := 0; i < n; i++ {
				f, err := os.Open(os.DevNull)
				if err != nil {
					panic(err)
				}
				files = append(files, f)
			}
			fmt.Println("ok")
		case "burn": // n ms in this process and in each child
			for _, k := range kids {
				fmt.Fprintf(k.in, "burn %d\n", n)
			}
			total := burn(time.Duration(n) * time.Millisecond)
			for _, k := range kids {
				if !k.out.Scan() {
					panic("leaf gone")
				}
				ns, _ := strconv.ParseInt(strings.TrimPrefix(k.out.Text(), "burned "), 10, 64)
				total += time.Duration(ns)
			}
			fmt.Printf("burned %d\n", total.Nanoseconds())
		}
	}
	for _, k := range kids {
		k.in.Close()
		k.cmd.Wait()
	}
	_ = keep
	_ = files
}

// treeProc is a running helper tree, driven from the test.
type treeProc struct {
	t    *testing.T
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Scanner
	pids []int
}

func startTree(t *testing.T) *treeProc {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "KINIT_METRICS_HELPER=tree")
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &unix.SysProcAttr{Setpgid: true} // as the supervisor starts services
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &treeProc{t: t, cmd: cmd, in: in, out: bufio.NewScanner(out)}
	t.Cleanup(func() {
		p.in.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
			<-done
		}
	})
	for _, f := range strings.Fields(strings.TrimPrefix(p.line(), "pids ")) {
		pid, _ := strconv.Atoi(f)
		p.pids = append(p.pids, pid)
	}
	if len(p.pids) != 3 {
		t.Fatalf("helper pids = %v", p.pids)
	}
	return p
}

func (p *treeProc) line() string {
	p.t.Helper()
	if !p.out.Scan() {
		p.t.Fatalf("helper tree exited: %v", p.out.Err())
	}
	return p.out.Text()
}

func (p *treeProc) do(cmd string) string {
	p.t.Helper()
	fmt.Fprintln(p.in, cmd)
	return p.line()
}
