// Command pid1 benchmarks kinit's single-command mode against Debian's tini
// and dumb-init, each run as PID 1 of a fresh PID namespace
// (unshare --pid --fork --mount-proc), on two workloads:
//
//   - reap storm: the init's child leaves N orphans that exit at once; wall
//     time from starting unshare until the init exits, the reap phase as the
//     child sees it in /proc, and the zombies left (must be 0);
//   - idle: the init runs `sleep D`; the CPU time the init itself used, its
//     wake-ups (voluntary context switches) and its peak RSS (VmHWM).
//
// It prints medians over several runs and kinit/peer ratios as a Markdown
// table. Run it with `make bench-pid1` (needs root for unshare).
//
// The same binary is the storm workload: "pid1 storm-child N".
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

type initProg struct {
	name string
	argv []string // the init and its options, before the child's argv
}

func main() {
	if len(os.Args) > 2 && os.Args[1] == "storm-child" {
		n, err := strconv.Atoi(os.Args[2])
		if err != nil {
			fatalf("bad orphan count %q", os.Args[2])
		}
		os.Exit(stormChild(n))
	}
	kinit := flag.String("kinit", "bin/kinit", "kinit binary")
	tini := flag.String("tini", "/usr/bin/tini", "tini binary")
	dumb := flag.String("dumb-init", "/usr/bin/dumb-init", "dumb-init binary")
	runs := flag.Int("runs", 5, "runs per init and workload")
	orphans := flag.Int("orphans", 20000, "orphans in the reap storm")
	idle := flag.Duration("idle", 20*time.Second, "length of the idle run (sleep)")
	flag.Parse()
	if os.Geteuid() != 0 {
		fatalf("needs root (unshare --pid)")
	}
	self, err := os.Executable()
	if err != nil {
		fatalf("cannot find own binary: %v", err)
	}
	inits := []initProg{
		{"kinit", []string{abs(*kinit), "--"}},
		{"tini", []string{*tini, "--"}},
		{"dumb-init", []string{*dumb, "--"}},
	}
	for _, in := range inits {
		if _, err := os.Stat(in.argv[0]); err != nil {
			fatalf("cannot use %s: %v", in.name, err)
		}
	}

	res := map[string]*results{}
	for _, in := range inits {
		res[in.name] = &results{}
	}
	// Interleave the inits run by run, so slow drift in the machine's load
	// (it is shared) spreads over all of them.
	for r := 1; r <= *runs; r++ {
		for _, in := range inits {
			s, err := storm(in, self, *orphans)
			if err != nil {
				fatalf("reap storm, %s, run %d: %v", in.name, r, err)
			}
			fmt.Fprintf(os.Stderr, "storm %-9s run %d: %v\n", in.name, r, s)
			res[in.name].storms = append(res[in.name].storms, s)
		}
	}
	// Idle runs of the three inits go side by side: they barely run.
	for r := 1; r <= *runs; r++ {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for _, in := range inits {
			wg.Go(func() {
				s, err := idleRun(in, *idle)
				if err != nil {
					fatalf("idle, %s, run %d: %v", in.name, r, err)
				}
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintf(os.Stderr, "idle  %-9s run %d: %v\n", in.name, r, s)
				res[in.name].idles = append(res[in.name].idles, s)
			})
		}
		wg.Wait()
	}
	report(os.Stdout, inits, res, *runs, *orphans, *idle)
}

func abs(p string) string {
	if lp, err := exec.LookPath(p); err == nil {
		p = lp
	}
	if a, err := absPath(p); err == nil {
		return a
	}
	return p
}

func fatalf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "bench-pid1: "+format+"\n", a...)
	os.Exit(1)
}
