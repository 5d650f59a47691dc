// Command metrics measures what kinit's metrics cost kinit: the CPU time
// per minute and the memory of the sampler + shipper (package metrics)
// sampling 4 real idle services (small process trees) every interval and
// shipping to the Elasticsearch stand-in, which runs as a separate process
// so its work is not counted. For comparison it runs one
// `ps -e -o pid,ppid,rss,pcpu,nlwp` per interval and sums ps's own CPU time
// (from its rusage): the cost of a ps-style full /proc scan.
//
//	go run ./bench/metrics -standin bin/kinit-standin-elasticsearch [-interval 10s -duration 60s]
//
// With a shorter interval the figures are scaled to the stated interval:
// passes per minute at the stated interval / passes made.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kinit/kinit/bench/internal/esstandin"
	"github.com/kinit/kinit/metrics"
)

func main() {
	standin := flag.String("standin", "bin/kinit-standin-elasticsearch", "the stand-in binary")
	interval := flag.Duration("interval", 10*time.Second, "sampling interval used in the run")
	stated := flag.Duration("stated", 10*time.Second, "interval the figures are scaled to")
	duration := flag.Duration("duration", time.Minute, "measured run length")
	services := flag.Int("services", 4, "idle services (sh + 2 sleeps each)")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the measured run here")
	psHelper := flag.Bool("ps-helper", false, "internal: run ps for each line on stdin, print its CPU ns")
	flag.Parse()
	if *psHelper {
		psLoop()
		return
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench-metrics:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(*standin, *interval, *stated, *duration, *services); err != nil {
		fmt.Fprintln(os.Stderr, "bench-metrics:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(standin string, interval, stated, duration time.Duration, nsvc int) error {
	addr, stop, err := esstandin.Start(standin)
	if err != nil {
		return err
	}
	defer stop()

	var svcs []metrics.Service
	for i := 0; i < nsvc; i++ {
		cmd := exec.Command("sh", "-c", "sleep 100000 & sleep 100000 & wait")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("cannot start idle service: %w", err)
		}
		pid := cmd.Process.Pid
		defer func() { syscall.Kill(-pid, syscall.SIGKILL); cmd.Wait() }()
		svcs = append(svcs, metrics.Service{ID: fmt.Sprintf("svc-%d", i), Type: "idle", State: "ready", Pid: pid, Ready: true})
	}
	time.Sleep(200 * time.Millisecond) // let the sleeps exec

	cfg := metrics.Config{URLs: []string{"http://" + addr}, Interval: interval}
	c, err := metrics.New(cfg, metrics.Node{Role: "bench", NodeID: "1"}, func() []metrics.Service { return svcs },
		metrics.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		return err
	}
	ps, err := startPSHelper()
	if err != nil {
		return err
	}
	defer ps.stop()
	runtime.GC()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Warm-up, reported apart: client set-up, the template, the first
	// connection and the first pass. The measured window starts after the
	// first delivery and lasts duration.
	warm0 := selfCPU()
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	for c.State().Sent == 0 {
		time.Sleep(time.Millisecond)
	}
	warmCPU := selfCPU() - warm0
	cpu0 := selfCPU()
	start := time.Now()
	time.AfterFunc(duration, cancel)

	// ps once per interval, forked by a helper process so that forking it is
	// not charged to this one; the helper reports ps's CPU from its rusage.
	var psCPU time.Duration
	psRuns := 0
	t := time.NewTicker(interval)
	psCPU += ps.scan()
	psRuns++
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-t.C:
			psCPU += ps.scan()
			psRuns++
		}
	}
	t.Stop()
	elapsed := time.Since(start)
	kinitCPU := selfCPU() - cpu0
	<-done

	st := c.State()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss, hwm := statusKB("VmRSS"), statusKB("VmHWM")

	// CPU per minute of this run, scaled from the run's interval to the
	// stated one (the idle runtime's own per-second cost is scaled too, so a
	// shortened run overstates slightly).
	perMin := func(d time.Duration) float64 {
		return float64(d) * float64(time.Minute) / float64(elapsed) * float64(interval) / float64(stated) / 1e6
	}
	fmt.Printf("run: %d services (%d processes), interval %s for %s, figures scaled to one pass per %s\n",
		nsvc, nsvc*3, interval, elapsed.Round(time.Millisecond), stated)
	fmt.Printf("shipped: sent %d, dropped %d, failed %d, queued %d, connected %v\n", st.Sent, st.Dropped, st.Failed, st.Queued, st.Connected)
	fmt.Printf("kinit metrics CPU: %.1f ms/min (target <= 20 ms/min); warm-up once: %.1f ms\n", perMin(kinitCPU), float64(warmCPU)/1e6)
	psPerRun := float64(psCPU) / float64(psRuns)
	fmt.Printf("ps -e -o pid,ppid,rss,pcpu,nlwp CPU: %.1f ms/min (%.2f ms per scan, %d runs)\n",
		psPerRun*float64(time.Minute)/float64(stated)/1e6, psPerRun/1e6, psRuns)
	fmt.Printf("kinit-side RSS: %.1f MiB now, %.1f MiB peak (target <= 16 MiB); Go heap in use %.1f MiB\n",
		float64(rss)/1024, float64(hwm)/1024, float64(ms.HeapInuse)/(1<<20))
	if st.Sent == 0 {
		return fmt.Errorf("nothing was shipped")
	}
	return nil
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// psLoop is the helper side: one ps per input line.
func psLoop() {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		cmd := exec.Command("ps", "-e", "-o", "pid,ppid,rss,pcpu,nlwp")
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "bench-metrics: ps:", err)
			fmt.Println(0)
			continue
		}
		fmt.Println((cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Nanoseconds())
	}
}

type psHelper struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func startPSHelper() (*psHelper, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-ps-helper")
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &psHelper{cmd, in, bufio.NewScanner(out)}, nil
}

func (p *psHelper) scan() time.Duration {
	fmt.Fprintln(p.in, "scan")
	if !p.out.Scan() {
		return 0
	}
	ns, _ := strconv.ParseInt(p.out.Text(), 10, 64)
	return time.Duration(ns)
}

func (p *psHelper) stop() {
	p.in.Close()
	p.cmd.Wait()
}

func statusKB(key string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	return 0
}
