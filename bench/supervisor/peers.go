package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// peerSvc is one service as every peer runs it: testprog with marks, and
// the service it is ordered after ("" for none).
type peerSvc struct {
	id, after string
	argv      []string
}

// peer is another supervisor run on the same services. Neither peer has
// readiness gating: Pebble starts a service once the one it comes after
// has run for a second, supervisord starts all in priority order at once.
type peer struct {
	name  string
	start func(dir string, svcs []peerSvc) *exec.Cmd
}

func pebblePeer(bin string) peer {
	return peer{name: "pebble " + version(bin, "version"), start: func(dir string, svcs []peerSvc) *exec.Cmd {
		home := filepath.Join(dir, "pebble")
		check(os.RemoveAll(home))
		check(os.MkdirAll(filepath.Join(home, "layers"), 0o755))
		var b strings.Builder
		b.WriteString("services:\n")
		for _, s := range svcs {
			fmt.Fprintf(&b, "  %s:\n    override: replace\n    startup: enabled\n    command: %s\n", s.id, strings.Join(s.argv, " "))
			if s.after != "" {
				fmt.Fprintf(&b, "    after: [%s]\n    requires: [%s]\n", s.after, s.after)
			}
		}
		check(os.WriteFile(filepath.Join(home, "layers", "001-bench.yaml"), []byte(b.String()), 0o644))
		cmd := exec.Command(bin, "run")
		cmd.Env = append(os.Environ(), "PEBBLE="+home)
		return cmd
	}}
}

func supervisordPeer(bin string) peer {
	return peer{name: "supervisord " + version(bin, "--version"), start: func(dir string, svcs []peerSvc) *exec.Cmd {
		var b strings.Builder
		fmt.Fprintf(&b, "[supervisord]\nnodaemon=true\nlogfile=%s\npidfile=%s\n", filepath.Join(dir, "supervisord.log"), filepath.Join(dir, "supervisord.pid"))
		for i, s := range svcs {
			fmt.Fprintf(&b, "[program:%s]\ncommand=%s\npriority=%d\nautorestart=false\nstdout_logfile=/dev/null\nstderr_logfile=/dev/null\n",
				s.id, strings.Join(s.argv, " "), i+1)
		}
		conf := filepath.Join(dir, "supervisord.conf")
		check(os.WriteFile(conf, []byte(b.String()), 0o644))
		return exec.Command(bin, "-c", conf)
	}}
}

func version(bin, flag string) string {
	out, _ := exec.Command(bin, flag).CombinedOutput()
	f := strings.Fields(string(out))
	for i, w := range f {
		if w == "client" && i+1 < len(f) {
			return f[i+1]
		}
	}
	if len(f) > 0 {
		return f[0]
	}
	return "?"
}

// peerChain runs the chain under p and returns the edges (dependency ready
// -> dependent started; negative when the dependent started first) and
// start -> all ready.
func peerChain(p peer, dir, testprog string, n, run int, slow time.Duration) ([]time.Duration, time.Duration) {
	marks := filepath.Join(dir, fmt.Sprintf("marks-%s-%d-%s", strings.Fields(p.name)[0], run, slow))
	var svcs []peerSvc
	for i := 0; i < n; i++ {
		s := peerSvc{id: fmt.Sprintf("s%02d", i), argv: []string{testprog, "-name", fmt.Sprintf("s%02d", i), "-listen", freeAddr(), "-mark", marks}}
		if i > 0 {
			s.after = fmt.Sprintf("s%02d", i-1)
		}
		if i == slowIndex && slow > 0 {
			s.argv = append(s.argv, "-delay", slow.String())
		}
		svcs = append(svcs, s)
	}
	start := time.Now()
	cmd := p.start(dir, svcs)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	check(cmd.Start())
	waitMarks(marks, n, 2*time.Minute)
	stopPeer(cmd)
	return chainLatencies(marks, n, start)
}

// peerIdle is the peer's CPU over window with 4 ready services.
func peerIdle(p peer, dir, testprog string, window time.Duration) time.Duration {
	marks := filepath.Join(dir, "idle-marks-"+strings.Fields(p.name)[0])
	_ = os.Remove(marks)
	var svcs []peerSvc
	for i := 0; i < 4; i++ {
		svcs = append(svcs, peerSvc{id: fmt.Sprintf("idle%d", i), argv: []string{testprog, "-name", fmt.Sprintf("idle%d", i), "-listen", freeAddr(), "-mark", marks}})
	}
	cmd := p.start(dir, svcs)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	check(cmd.Start())
	waitMarks(marks, 4, time.Minute)
	time.Sleep(time.Second)
	c0 := cpuTime(cmd.Process.Pid)
	time.Sleep(window)
	cpu := cpuTime(cmd.Process.Pid) - c0
	stopPeer(cmd)
	return cpu
}

func stopPeer(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// waitMarks waits until n services wrote their ready mark.
func waitMarks(marks string, n int, limit time.Duration) {
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if _, ready := readMarks(marks); len(ready) >= n {
			return
		}
	}
	fmt.Fprintf(os.Stderr, "bench: %s: fewer than %d services ready\n", marks, n)
	os.Exit(1)
}

// readMarks parses testprog's "start|ready NAME UNIXNANO" lines.
func readMarks(marks string) (started, ready map[string]int64) {
	started, ready = map[string]int64{}, map[string]int64{}
	f, err := os.Open(marks)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 3 {
			continue
		}
		ns, _ := strconv.ParseInt(fs[2], 10, 64)
		if fs[0] == "ready" {
			ready[fs[1]] = ns
		} else {
			started[fs[1]] = ns
		}
	}
	return
}
