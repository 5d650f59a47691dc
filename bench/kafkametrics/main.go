// Command kafkametrics measures what Kafka's own metrics cost (docs/metrics.md):
// the standalone demo in ZooKeeper mode (ZooKeeper, the broker and the
// registry: three JVMs, the first two with a jolokia port) ships to the
// Elasticsearch stand-in every interval, once with the Jolokia agent
// attached and the Kafka documents shipped ("on"), once with process
// samples only ("off": KINIT_JOLOKIA_AGENT names no file, so no JVM carries
// the agent). After all is ready and a settle time, it reads over one
// window the CPU time of kinit itself and of each JVM from /proc, runs
// alternating on and off, and prints per-minute medians.
//
// Run it with `make bench-kafka-metrics`; it prints figures, it is not a test.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kinit/kinit/bench/internal/esstandin"
)

func main() {
	runs := flag.Int("runs", 2, "runs of each of on and off")
	window := flag.Duration("window", time.Minute, "measuring window")
	settle := flag.Duration("settle", 20*time.Second, "wait after all ready before measuring")
	interval := flag.Duration("interval", 10*time.Second, "KINIT_METRICS_INTERVAL")
	standin := flag.String("standin", "bin/kinit-standin-elasticsearch", "the Elasticsearch stand-in")
	agent := flag.String("agent", "", "the Jolokia agent jar (KINIT_JOLOKIA_AGENT)")
	flag.Parse()
	addr, stop, err := esstandin.Start(*standin)
	check(err)
	defer stop()
	res := map[bool][]sample{}
	for r := 0; r < *runs; r++ {
		for _, on := range []bool{true, false} {
			s := measure(on, addr, *agent, *interval, *settle, *window)
			fmt.Fprintf(os.Stderr, "run %d, kafka metrics %v: %+v\n", r+1, on, s)
			res[on] = append(res[on], s)
		}
	}
	perMin := func(d time.Duration) string {
		return fmt.Sprintf("%.1fms", float64(d)/float64(*window)*float64(time.Minute)/1e6)
	}
	fmt.Printf("standalone demo, ZooKeeper mode (3 JVMs, 2 with the agent), metrics every %s, %s window, medians of %d runs\n",
		*interval, *window, *runs)
	fmt.Printf("  %-34s %14s %14s %10s\n", "CPU per minute", "kafka metrics", "process only", "on/off")
	on, off := res[true], res[false]
	row := func(name string, f func(sample) time.Duration) {
		a, b := med(on, f), med(off, f)
		ratio := "-"
		if b > 0 {
			ratio = fmt.Sprintf("%.2f×", float64(a)/float64(b))
		}
		fmt.Printf("  %-34s %14s %14s %10s\n", name, perMin(a), perMin(b), ratio)
	}
	row("kinit (collection and shipping)", func(s sample) time.Duration { return s.kinit })
	for _, id := range []string{"zookeeper", "kafka-broker", "schema-registry"} {
		row(id+" JVM", func(s sample) time.Duration { return s.services[id] })
	}
}

type sample struct {
	kinit    time.Duration
	services map[string]time.Duration
}

// measure runs the demo once, waits for all ready and the settle time,
// and reads the CPU used over the window.
func measure(on bool, esAddr, agent string, interval, settle, window time.Duration) sample {
	dir, err := os.MkdirTemp("", "kinit-kafkametrics-")
	check(err)
	defer os.RemoveAll(dir)
	socket := filepath.Join(dir, "k.sock")
	if !on {
		agent = filepath.Join(dir, "no-agent.jar")
	}
	cmd := exec.Command("scripts/demo.sh", "zookeeper")
	cmd.Env = append(os.Environ(), "DEMO_DIR="+dir, "KINIT_LOG_FORMAT=json", "KINIT_SOCKET="+socket,
		"KINIT_ES_URLS=http://"+esAddr, "KINIT_METRICS_INTERVAL="+interval.String(), "KINIT_JOLOKIA_AGENT="+agent)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	check(cmd.Start())
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		go func() { _, _ = io.Copy(io.Discard, pr) }()
		_ = cmd.Wait()
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"msg":"all services ready"`) {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	time.Sleep(settle)
	st := status(socket)
	kinitPid := st.Kinit.Pid
	pids := map[string]int{}
	for _, s := range st.Services {
		if s.Pid != 0 {
			pids[s.ID] = s.Pid
		}
	}
	k0, s0 := cpu(kinitPid), map[string]time.Duration{}
	for id, p := range pids {
		s0[id] = cpu(p)
	}
	time.Sleep(window)
	out := sample{kinit: cpu(kinitPid) - k0, services: map[string]time.Duration{}}
	for id, p := range pids {
		out.services[id] = cpu(p) - s0[id]
	}
	return out
}

type statusJSON struct {
	Kinit struct {
		Pid int `json:"pid"`
	} `json:"kinit"`
	Services []struct {
		ID  string `json:"id"`
		Pid int    `json:"pid"`
	} `json:"services"`
}

func status(socket string) statusJSON {
	cmd := exec.Command("bin/kinit", "status", "--json")
	cmd.Env = append(os.Environ(), "KINIT_SOCKET="+socket)
	b, err := cmd.Output()
	check(err)
	var st statusJSON
	check(json.Unmarshal(b, &st))
	return st
}

// cpu is a process's user and system time so far (a JVM's pid is the
// process; its threads are counted in it).
func cpu(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

func med(ss []sample, f func(sample) time.Duration) time.Duration {
	v := make([]time.Duration, len(ss))
	for i, s := range ss {
		v[i] = f(s)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "kafkametrics:", err)
		os.Exit(1)
	}
}
