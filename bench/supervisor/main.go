// Command supervisor-bench measures the supervisor as a separate process
// (the plan driver, wired like `kinit up`):
//
//  1. a chain of 10 services, each waiting on the previous one and ready
//     (tcp) right after it starts: the time from a dependency becoming
//     ready (its listener is open) to the dependent's process running, and
//     the time from kinit's start to all ready; then the same chain with a
//     slow starter (the 5th listens only after -slow), where the edge after
//     it shows whether the probe backed off past the lag goal;
//  2. kinit's CPU time and RSS while 4 ready services idle.
//
// Run it with `make bench-supervisor`. It prints figures; it is not a test.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kinit/kinit/plan"
)

func main() {
	var (
		testprog   = flag.String("testprog", "out/bench/testprog", "testprog binary")
		plandriver = flag.String("plandriver", "out/bench/plandriver", "plandriver binary")
		runs       = flag.Int("runs", 5, "chain runs")
		chainLen   = flag.Int("chain", 10, "services in the chain")
		idle       = flag.Duration("idle", 60*time.Second, "idle measurement window")
		slow       = flag.Duration("slow", 2*time.Second, "how long the slow starter takes to listen")
		pebble     = flag.String("pebble", "", "Pebble binary, a peer (none: skipped)")
		superd     = flag.String("supervisord", "", "supervisord binary, a peer (none: skipped)")
	)
	flag.Parse()
	dir, err := os.MkdirTemp("", "kinit-bench-")
	check(err)
	defer os.RemoveAll(dir)

	var lat []time.Duration
	var totals []time.Duration
	for r := 0; r < *runs; r++ {
		l, total := chainRun(dir, *testprog, *plandriver, *chainLen, r, 0)
		lat = append(lat, l...)
		totals = append(totals, total)
	}
	var slowEdge []time.Duration
	for r := 0; r < *runs; r++ {
		l, _ := chainRun(dir, *testprog, *plandriver, *chainLen, r, *slow)
		slowEdge = append(slowEdge, l[slowIndex])
	}
	fmt.Printf("chain of %d services, %d runs (%d dependency->start samples)\n", *chainLen, *runs, len(lat))
	fmt.Printf("  dependency ready -> dependent exec: median %s, p90 %s, max %s   (target <= 20ms)\n",
		ms(pct(lat, 50)), ms(pct(lat, 90)), ms(pct(lat, 100)))
	fmt.Printf("  kinit start -> all ready:           median %s, max %s\n", ms(pct(totals, 50)), ms(pct(totals, 100)))
	fmt.Printf("  slow starter (s%02d listens after %s) ready -> s%02d exec: median %s, max %s   (target <= 20ms)\n",
		slowIndex, *slow, slowIndex+1, ms(pct(slowEdge, 50)), ms(pct(slowEdge, 100)))

	cpu, rss, hwm := idleRun(dir, *testprog, *plandriver, *idle)
	perMin := time.Duration(float64(cpu) * float64(time.Minute) / float64(*idle))
	fmt.Printf("idle, 4 ready services, %s window\n", *idle)
	fmt.Printf("  kinit CPU: %s (%s per minute)   (target <= 5ms/min)\n", ms(cpu), ms(perMin))
	fmt.Printf("  kinit RSS: %.1f MiB (peak %.1f MiB)   (target <= 12 MiB)\n", float64(rss)/(1<<20), float64(hwm)/(1<<20))

	var peers []peer
	if *pebble != "" {
		peers = append(peers, pebblePeer(*pebble))
	}
	if *superd != "" {
		peers = append(peers, supervisordPeer(*superd))
	}
	if len(peers) > 0 {
		fmt.Printf("peers, same services and window (negative: the dependent started before its dependency was ready)\n")
		fmt.Printf("  %-22s %14s %14s %14s %16s %9s\n", "", "edge median", "slow edge", "all ready", "idle CPU/min", "vs kinit")
		fmt.Printf("  %-22s %14s %14s %14s %16s %9s\n", "kinit", ms(pct(lat, 50)), ms(pct(slowEdge, 50)), ms(pct(totals, 50)), ms(perMin), "1.00×")
	}
	for _, p := range peers {
		var pl, pt, ps []time.Duration
		for r := 0; r < *runs; r++ {
			l, total := peerChain(p, dir, *testprog, *chainLen, r, 0)
			pl, pt = append(pl, l...), append(pt, total)
			l, _ = peerChain(p, dir, *testprog, *chainLen, r, *slow)
			ps = append(ps, l[slowIndex])
		}
		pcpu := peerIdle(p, dir, *testprog, *idle)
		pMin := time.Duration(float64(pcpu) * float64(time.Minute) / float64(*idle))
		ratio := "–"
		if pMin > 0 {
			ratio = fmt.Sprintf("%.2f×", float64(perMin)/float64(pMin))
		}
		fmt.Printf("  %-22s %14s %14s %14s %16s %9s\n", p.name, ms(pct(pl, 50)), ms(pct(ps, 50)), ms(pct(pt, 50)), ms(pMin), ratio)
	}
}

// slowIndex is the service of the chain that starts slowly in the slow run
// (s04, the 5th): l[slowIndex] is the edge from it to s05.
const slowIndex = 4

func chainRun(dir, testprog, plandriver string, n, run int, slow time.Duration) ([]time.Duration, time.Duration) {
	marks := filepath.Join(dir, fmt.Sprintf("marks-%d-%s", run, slow))
	var sp plan.Plan
	for i := 0; i < n; i++ {
		addr := freeAddr()
		s := plan.Service{
			ID:    fmt.Sprintf("s%02d", i),
			Argv:  []string{testprog, "-name", fmt.Sprintf("s%02d", i), "-listen", addr, "-mark", marks},
			Probe: &plan.Probe{Kind: plan.ProbeTCP, Address: addr},
		}
		if i > 0 {
			s.Waits = []plan.Wait{{Service: fmt.Sprintf("s%02d", i-1), Local: true}}
		}
		if i == slowIndex && slow > 0 {
			s.Argv = append(s.Argv, "-delay", slow.String())
		}
		sp.Services = append(sp.Services, s)
	}
	start := time.Now()
	cmd := runDriver(dir, plandriver, sp)
	waitLog(cmd, "all services ready")
	stop(cmd)

	return chainLatencies(marks, n, start)
}

// chainLatencies reads a chain's marks: each edge's time from s(i-1)
// ready to s(i) started, and the time from start to the last ready.
func chainLatencies(marks string, n int, start time.Time) ([]time.Duration, time.Duration) {
	started, ready := readMarks(marks)
	var lat []time.Duration
	var last int64
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("s%02d", i)
		last = max(last, ready[id])
		// An edge without both marks has no sample: a service that could
		// not listen (its port taken meanwhile) never writes "ready".
		prev := ready[fmt.Sprintf("s%02d", i-1)]
		if i > 0 && prev > 0 && started[id] > 0 {
			lat = append(lat, time.Duration(started[id]-prev))
		}
	}
	return lat, time.Duration(last - start.UnixNano())
}

func idleRun(dir, testprog, plandriver string, window time.Duration) (cpu time.Duration, rss, hwm int64) {
	var sp plan.Plan
	for i := 0; i < 4; i++ {
		addr := freeAddr()
		sp.Services = append(sp.Services, plan.Service{
			ID:    fmt.Sprintf("idle%d", i),
			Argv:  []string{testprog, "-listen", addr},
			Probe: &plan.Probe{Kind: plan.ProbeTCP, Address: addr},
		})
	}
	cmd := runDriver(dir, plandriver, sp)
	waitLog(cmd, "all services ready")
	time.Sleep(time.Second) // let start-up garbage settle
	pid := cmd.Process.Pid
	c0 := cpuTime(pid)
	time.Sleep(window)
	cpu = cpuTime(pid) - c0
	rss, hwm = memKB(pid, "VmRSS:")*1024, memKB(pid, "VmHWM:")*1024
	stop(cmd)
	return cpu, rss, hwm
}

type driver struct {
	*exec.Cmd
	logs *bufio.Scanner
}

func runDriver(dir, plandriver string, sp plan.Plan) *driver {
	b, err := json.Marshal(sp)
	check(err)
	pf := filepath.Join(dir, "plan.json")
	check(os.WriteFile(pf, b, 0o644))
	cmd := exec.Command(plandriver, pf)
	cmd.Env = append(os.Environ(), "KINIT_SOCKET="+filepath.Join(dir, "kinit.sock"), "KINIT_LOG_FORMAT=json")
	stderr, err := cmd.StderrPipe()
	check(err)
	check(cmd.Start())
	return &driver{Cmd: cmd, logs: bufio.NewScanner(stderr)}
}

func waitLog(d *driver, msg string) {
	for d.logs.Scan() {
		if strings.Contains(d.logs.Text(), msg) {
			// Keep draining so kinit never blocks on a full pipe.
			go func() {
				for d.logs.Scan() {
				}
			}()
			return
		}
	}
	fmt.Fprintln(os.Stderr, "kinit exited before:", msg)
	os.Exit(1)
}

func stop(d *driver) {
	_ = d.Process.Signal(syscall.SIGTERM)
	_ = d.Wait()
}

// cpuTime sums the on-CPU time of every thread of pid from schedstat
// (nanoseconds; /proc/PID/stat counts in 10 ms ticks, too coarse here).
func cpuTime(pid int) time.Duration {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	check(err)
	var total int64
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, t.Name()))
		if err != nil {
			continue // thread exited meanwhile
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			n, _ := strconv.ParseInt(f[0], 10, 64)
			total += n
		}
	}
	return time.Duration(total)
}

func memKB(pid int, key string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	check(err)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer l.Close()
	return l.Addr().String()
}

func pct(d []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s) - 1) * p / 100
	return s[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
